"""`manage.py seed_demo` (issue 2 §9): builds the demo organisation and one user per role,
through the services, and a second run changes nothing."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from core.choices import AuditAction, DepartmentFunction, JurisdictionLevel, ReviewField, Role
from core.management.commands.seed_demo import DEMO_PASSWORD
from core.models import (
    AuditEvent,
    CalendarDay,
    Department,
    EnforcementCertificate,
    Jurisdiction,
    Person,
    Unit,
    User,
)

DOCUMENTED_USERS = {
    "admin": (Role.ADMINISTRATOR, "郑州市", None),
    "office": (Role.OFFICE, "郑州市", "市改革办"),
    "reviewer": (Role.REVIEWER, "郑州市", "市法制办"),
    "digital": (Role.DIGITAL, "郑州市", "市数字办"),
    "supervisor": (Role.SUPERVISOR, "郑州市", "市纪委监察"),
    "clerk": (Role.CLERK, "郑州市", "市盐业管理局"),
    "shangjie-office": (Role.OFFICE, "上街区", "上街区改革办"),
    "shangjie-clerk": (Role.CLERK, "上街区", None),
    "liuzhai-clerk": (Role.CLERK, "刘寨镇", None),
}

# Officials named in the seeds: real persons, never copied into the demo data.
REAL_PERSONS = ("郭运宏", "张旭耀", "杨荣建")
REAL_PHONES = ("66223371", "66220061", "63988286")

MODELS = (Jurisdiction, Department, Unit, Person, EnforcementCertificate, User, AuditEvent)


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["CalendarDay"] = CalendarDay.objects.count()
    return counts


def test_a_second_run_changes_nothing(seeded):
    before = _counts()
    snapshot = list(Department.objects.values().order_by("pk"))
    call_command("seed_demo", verbosity=0)
    assert _counts() == before
    assert list(Department.objects.values().order_by("pk")) == snapshot


def test_the_documented_demo_users_exist_with_their_roles(seeded):
    users = {user.username: user for user in User.objects.select_related("jurisdiction")}
    assert set(users) == set(DOCUMENTED_USERS)
    for username, (role, jurisdiction, department) in DOCUMENTED_USERS.items():
        user = users[username]
        assert user.role == role
        assert user.jurisdiction.name == jurisdiction
        if department:
            assert user.department.name == department
        assert authenticate(username=username, password=DEMO_PASSWORD) == user
        assert not user.is_superuser
        assert user.is_staff == (role == Role.ADMINISTRATOR)
    assert {user.role for user in users.values()} == set(Role)


def test_the_organisation_of_the_seeds(seeded):
    tree = {j.code: j for j in Jurisdiction.objects.all()}
    assert tree["410100"].name == "郑州市"
    assert tree["410106"].parent == tree["410100"]
    assert tree["410104"].name == "管城回族区"
    # 新密市 is a county-level city: a district-level node with 刘寨镇 below it.
    assert tree["410183"].level == JurisdictionLevel.DISTRICT
    liuzhai = Jurisdiction.objects.get(name="刘寨镇")
    assert liuzhai.level == JurisdictionLevel.TOWN
    assert liuzhai.parent == tree["410183"]
    assert Department.objects.filter(jurisdiction=liuzhai).exists()

    city = {d.name: d for d in Department.objects.filter(jurisdiction=tree["410100"])}
    for name in ("市园林局", "市盐业管理局"):
        assert city[name].function == DepartmentFunction.GENERAL
    assert city["市改革办"].function == DepartmentFunction.REFORM_OFFICE
    assert city["市数字办"].function == DepartmentFunction.DIGITAL_OFFICE
    assert city["市纪委监察"].function == DepartmentFunction.SUPERVISION
    fields = {
        d.review_field for d in city.values() if d.function == DepartmentFunction.LEAD_REVIEWER
    }
    assert fields == set(ReviewField)
    for code in ("410106", "410104"):
        assert Department.objects.filter(
            jurisdiction=tree[code], function=DepartmentFunction.REFORM_OFFICE
        ).exists()
    assert Department.objects.filter(name="管城回族区城市管理执法局").exists()
    assert Unit.objects.filter(department=city["市盐业管理局"], name="盐政处").exists()


def test_officers_have_certificates_and_one_has_expired(seeded):
    today = datetime.date(2026, 6, 1)
    certificates = list(EnforcementCertificate.objects.all())
    assert sum(c.is_valid_on(today) for c in certificates) >= 3
    assert sum(c.valid_until < today for c in certificates) == 1


def test_the_real_officials_of_the_seeds_are_not_copied(seeded):
    names = set(Person.objects.values_list("name", flat=True))
    names |= {f"{u.last_name}{u.first_name}" for u in User.objects.all()}
    assert not names & set(REAL_PERSONS)
    phones = list(Person.objects.values_list("phone", flat=True))
    phones += list(Department.objects.values_list("phone", flat=True))
    phones += list(Unit.objects.values_list("phone", flat=True))
    assert all(phone.startswith("0371-0") for phone in phones if phone)
    assert not any(real in phone for phone in phones for real in REAL_PHONES)


def test_the_demo_is_built_through_the_services(seeded):
    # Every object has its creation in the audit trail, as the services write it.
    created = AuditEvent.objects.filter(action=AuditAction.CREATE).count()
    assert created >= sum(model.objects.count() for model in MODELS if model is not AuditEvent)


def test_the_calendar_is_seeded_too(seeded):
    assert CalendarDay.objects.filter(date=datetime.date(2026, 10, 1)).exists()
