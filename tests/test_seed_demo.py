"""`manage.py seed_demo` (issue 2 §9): builds the demo organisation and one user per role,
through the services, and a second run changes nothing. It ends with `seed_register` (issue 3
§8): the demo register of the five lists, with past versions and the inconsistencies the
office's report is there to find."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
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
from registry import selectors
from registry.choices import ChangeSource, EntryStatus, LawStatus, ListKind
from registry.demo import (
    DISABILITY_CERTIFICATE_BEFORE,
    DISABILITY_CERTIFICATE_CODE,
    FOUR_LEVEL_ITEMS,
)
from registry.models import Entry, Law, Provision

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
    # adjustments.demo adds these two for the demo requests of city departments.
    "yuanlin-clerk": (Role.CLERK, "郑州市", "市园林局"),
    "minzheng-clerk": (Role.CLERK, "郑州市", "市民政局"),
    # inspections.demo adds two inspectors of the joint team and the clerk of the unit whose
    # rectification is closed not fixed.
    "bianban-inspector": (Role.REVIEWER, "郑州市", "市编办"),
    "zhengwu-inspector": (Role.REVIEWER, "郑州市", "市政务服务中心"),
    "guancheng-clerk": (Role.CLERK, "管城回族区", "管城回族区城市管理执法局"),
}

# Officials named in the seeds: real persons, never copied into the demo data.
REAL_PERSONS = ("郭运宏", "张旭耀", "杨荣建")
REAL_PHONES = ("66223371", "66220061", "63988286")

MODELS = (
    Jurisdiction,
    Department,
    Unit,
    Person,
    EnforcementCertificate,
    User,
    Law,
    Entry,
    AuditEvent,
)


@pytest.fixture
def seeded(db, demo_output):
    return demo_output


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["CalendarDay"] = CalendarDay.objects.count()
    counts["Provision"] = Provision.objects.count()
    counts["HistoricalEntry"] = Entry.history.count()
    return counts


def test_a_second_run_changes_nothing(seeded):
    before = _counts()
    snapshot = list(Department.objects.values().order_by("pk"))
    entries = list(Entry.objects.values().order_by("pk"))
    call_command("seed_demo", verbosity=0)
    assert _counts() == before
    assert list(Department.objects.values().order_by("pk")) == snapshot
    assert list(Entry.objects.values().order_by("pk")) == entries


def test_departments_seeded_before_codes_existed_get_theirs(seeded):
    salt = Department.objects.get(name="市盐业管理局")
    code = salt.code
    salt.code = ""
    salt.save(update_fields=["code"])
    call_command("seed_demo", verbosity=0)
    salt.refresh_from_db()
    assert salt.code == code
    # Codes are unique within a jurisdiction: they end every implementation code.
    for jurisdiction in Jurisdiction.objects.all():
        codes = list(jurisdiction.departments.values_list("code", flat=True))
        assert all(codes)
        assert len(set(codes)) == len(codes)


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


def test_the_eight_four_level_items_are_published_at_city_and_district(seeded):
    for name in FOUR_LEVEL_ITEMS:
        rows = Entry.objects.filter(list_kind=ListKind.POWER, name=name).select_related(
            "jurisdiction"
        )
        by_level = {entry.jurisdiction.code: entry for entry in rows}
        city, district = by_level["410100"], by_level["410106"]
        # Four-level linkage: the same basic code at every level.
        assert city.basic_code == district.basic_code, name
        for entry in (city, district):
            assert entry.four_level_linked
            assert 2 <= entry.star_level <= 5
            assert entry.promised_limit_days
            assert entry.materials and entry.window and entry.guide
            assert entry.basis and entry.citations.exists()
            assert any(step.get("risk_point") and step.get("post") for step in entry.flow)
            assert {duty["stage"] for duty in entry.responsibilities} >= {"accept", "decide"}
            assert all(duty["circumstances"] for duty in entry.responsibilities)
    assert {e.star_level for e in Entry.objects.filter(four_level_linked=True)} >= {2, 3, 4, 5}


def test_every_list_is_filled_with_real_laws_as_basis(seeded):
    counts = {kind: Entry.objects.filter(list_kind=kind).count() for kind in ListKind.values}
    assert all(counts.values()), counts
    assert 60 <= sum(counts.values()) <= 120
    penalties = Entry.objects.filter(list_kind=ListKind.POWER, category__name="行政处罚")
    assert penalties.exclude(parent=None).exists()
    for penalty in penalties.exclude(discretion=[]):
        assert all(row["circumstance"] and row["range"] for row in penalty.discretion)
    assert penalties.exclude(discretion=[]).count() >= 5
    for sub_item in Entry.objects.exclude(parent=None).select_related("parent"):
        assert sub_item.basic_code[:7] == sub_item.parent.basic_code[:7]
        assert sub_item.basic_code != sub_item.parent.basic_code
    negative = Entry.objects.filter(list_kind=ListKind.NEGATIVE)
    assert {e.category.name for e in negative} >= {"能源", "交通运输"}
    assert set(negative.values_list("approving_body", flat=True)) == {"郑州市发展和改革委员会"}
    for fee in Entry.objects.filter(list_kind=ListKind.FEE):
        assert fee.standard and fee.payers and fee.basis
    for fund in Entry.objects.filter(list_kind=ListKind.FUND):
        assert fund.standard and fund.use and fund.basis
    # Departments hold items of their own kind of work.
    salt = set(
        Entry.objects.filter(department__name="市盐业管理局").values_list(
            "category__name", flat=True
        )
    )
    assert salt >= {"行政许可", "行政处罚", "行政强制", "行政检查"}
    assert Entry.objects.filter(department__jurisdiction__code="410183100").exists()
    # The law register: amended laws carry the date, repealed ones are repealed.
    laws = {law.name: law for law in Law.objects.all()}
    assert laws["盐业管理条例"].status == LawStatus.REPEALED
    assert laws["盐业管理条例"].status_date == datetime.date(2017, 3, 1)
    assert laws["中华人民共和国行政处罚法"].status == LawStatus.AMENDED
    assert laws["中华人民共和国行政强制法"].status == LawStatus.IN_FORCE
    assert all(law.status_date for law in laws.values() if law.status != LawStatus.IN_FORCE)
    assert all(law.provisions.exists() for law in laws.values())
    # Invented contacts only: every phone on an entry is a 0371-0 number.
    phones = set(Entry.objects.values_list("responsible_phone", flat=True)) - {""}
    assert phones and all(phone.startswith("0371-0") for phone in phones)


def test_a_licence_is_one_basic_code_in_the_power_and_approval_lists(seeded):
    """Issue 9 §19: the salt wholesale licence is a power item and an approval item of 市盐业
    管理局 under one basic code; the list part keeps their implementation codes apart."""
    pair = Entry.objects.filter(department__name="市盐业管理局", basic_code="0100004000")
    codes = dict(pair.values_list("list_kind", "code"))
    assert set(codes) == {ListKind.POWER, ListKind.APPROVAL}
    assert codes[ListKind.POWER].startswith("0100004000-QL-410100-")
    assert codes[ListKind.APPROVAL].startswith("0100004000-SP-410100-")


def test_the_disability_certificate_has_earlier_versions(seeded):
    public = AnonymousUser()
    current = selectors.entry_by_code(user=public, code=DISABILITY_CERTIFICATE_CODE)
    assert current.name == "残疾人证核发"
    versions = list(selectors.entry_versions(user=public, entry_id=current.pk))
    assert len(versions) >= 2
    assert len({(v.promised_limit_days, v.star_level) for v in versions}) == len(versions)
    earlier = selectors.entry_by_code(
        user=public, code=DISABILITY_CERTIFICATE_CODE, as_of=DISABILITY_CERTIFICATE_BEFORE
    )
    assert earlier.version < current.version
    assert earlier.promised_limit_days > current.promised_limit_days
    assert earlier.star_level < current.star_level
    # Every published version says why it exists.
    history = Entry.history.all()
    assert not history.filter(change_source="").exists()
    first = history.filter(version=1)
    assert set(first.values_list("change_source", flat=True)) == {ChangeSource.INITIAL}
    # Later versions are the register's corrections, and the demo adjustment's publication.
    later = history.exclude(version=1).exclude(change_source=ChangeSource.ADJUSTMENT)
    assert set(later.values_list("change_source", flat=True)) == {ChangeSource.CORRECTION}
    assert not history.filter(history_change_reason="").exists()
    # Several items have three or more versions spread over the years.
    assert Entry.objects.filter(version__gte=3).count() >= 3
    assert history.dates("history_date", "year").count() >= 8


def test_the_consistency_report_finds_each_kind_of_problem(seeded):
    office = User.objects.get(username="office")
    report = selectors.consistency_report(user=office)
    assert {
        (row.entry.name, row.entry.jurisdiction.name, row.cancelled.jurisdiction.name)
        for row in report.cancelled_above
    } == {("粮食收购资格核准", "上街区", "郑州市")}
    assert row_departments(report.held_twice) == {
        ("0200001000", frozenset({"市园林局", "市城市管理局"}))
    }
    assert [(e.name, e.department.name) for e in report.repealed_basis] == [
        ("盐业市场监督检查", "市盐业管理局")
    ]
    assert (
        Entry.objects.get(
            name="粮食收购资格核准", list_kind=ListKind.POWER, jurisdiction__code="410100"
        ).status
        == EntryStatus.CANCELLED
    )


def row_departments(held_twice) -> set:
    return {
        (row.basic_code, frozenset(entry.department.name for entry in row.entries))
        for row in held_twice
    }
