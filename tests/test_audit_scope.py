"""Who reads which rows of the audit trail (issue 9 §15): scoped like the objects it records,
and never revealing what an object's own rule hides. Every role lists the trail; the rows it
sees are asserted exactly, and another department's draft names (canaries) never appear."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from adjustments.models import AdjustmentRequest
from core import request_context, selectors
from core import services as core_services
from core.choices import AuditAction, DepartmentFunction, Role
from core.models import AuditEvent, User
from registry import services as registry_services
from registry.choices import ListKind
from registry.models import Draft
from tests import registry_builders
from tests.adjustment_builders import at, request_for, walk_to_approving
from tests.builders import password_for

SALT_CANARY = "金丝雀盐业草稿甲"
MARKET_CANARY = "金丝雀市场监管草稿乙"
DISTRICT_CANARY = "金丝雀上街区草稿丙"
ATTACKER = "203.0.113.66"


def _login(user: User, password: str, address: str) -> None:
    client = Client()
    credentials = {"username": user.username, "password": password}
    response = client.post(reverse("core:login"), credentials, REMOTE_ADDR=address)
    assert response.status_code == 302
    client.post(reverse("core:logout"), REMOTE_ADDR=address)


def _draft(clerk: User, name: str, code: str) -> Draft:
    return registry_services.draft_create(
        actor=clerk,
        list_kind=ListKind.POWER,
        payload=registry_builders.entry_payload(name=name, basic_code=code),
    )


@pytest.fixture
def scene(org, calendar):
    """A second line department in the city with its own clerk; then logins of everyone, failed
    logins, each clerk's draft, and a request walked to its approval by clerk, office and lead
    reviewer. Returns the rows written after the organisation was built."""
    market = core_services.department_create(
        actor=None,
        jurisdiction=org.city,
        name="市市场监督管理局",
        function=DepartmentFunction.GENERAL,
    )
    market_clerk = core_services.user_create(
        actor=None,
        username="city-clerk-market",
        password="pw-market",
        role=Role.CLERK,
        jurisdiction=org.city,
        department=market,
        email="market@example.invalid",
    )
    registry_builders.law()
    baseline = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        for number, user in enumerate([*org.users.values(), org.district_users[Role.CLERK]]):
            _login(user, password_for(user.role), f"198.51.100.{number + 1}")
        _login(market_clerk, "pw-market", "198.51.100.50")
        Client().post(
            reverse("core:login"),
            {"username": org.users[Role.CLERK].username, "password": "guess"},
            REMOTE_ADDR=ATTACKER,
        )
        unknown = {"username": "nobody-here", "password": "x"}
        Client().post(reverse("core:login"), unknown, REMOTE_ADDR=ATTACKER)
        _draft(org.users[Role.CLERK], SALT_CANARY, "0700002000")
        _draft(market_clerk, MARKET_CANARY, "0700003000")
        _draft(org.district_users[Role.CLERK], DISTRICT_CANARY, "0700004000")
        walk_to_approving(org, request_for(org, event_date=datetime.date(2026, 11, 2)))
    rows = AuditEvent.objects.filter(id__gt=baseline).select_related("actor", "content_type")
    return {"org": org, "market_clerk": market_clerk, "rows": list(rows), "baseline": baseline}


def _model(row: AuditEvent) -> str:
    return row.content_type.model_class()._meta.label_lower if row.content_type_id else ""


def _about(row: AuditEvent, model: str):
    """The object of the row, if it is of that model."""
    if _model(row) != model:
        return None
    return row.content_type.get_object_for_this_type(pk=row.object_id)


def _by(row: AuditEvent, *users: User) -> bool:
    return row.actor_id in {user.pk for user in users}


def _expected(scene, role: str) -> set[int]:
    """The rows each user should see, spelled out per role from the scene."""
    org, market_clerk, rows = scene["org"], scene["market_clerk"], scene["rows"]
    users = org.users
    me = market_clerk if role == "market-clerk" else users.get(role)
    if role == "district-clerk":
        me = org.district_users[Role.CLERK]

    def seen(row: AuditEvent) -> bool:
        user = _about(row, "core.user")
        # Logins, logouts and failed logins: the user themself and administrators.
        if user is not None:
            return user == me or role == Role.ADMINISTRATOR
        draft = _about(row, "registry.draft")
        request = _about(row, "adjustments.adjustmentrequest")
        if role == Role.ADMINISTRATOR:
            return True  # the city's administrator: the city, the district, unattributed rows
        if row.content_type_id is None:
            return False  # a failed login for an unknown name
        if role in (Role.CLERK, "market-clerk", "district-clerk", Role.REVIEWER, Role.DIGITAL):
            # Their own department's actions only (each of these departments has one user).
            return _by(row, me)
        if role == Role.OFFICE:
            return True  # drafts, requests, entries and laws of the city and the district
        if role == Role.SUPERVISOR:
            # Requests and the public register, never a draft.
            return draft is None and (request is not None or _by(row, me) or row.actor is None)
        raise AssertionError(role)

    return {row.pk for row in rows if seen(row)}


ROLES = [
    Role.CLERK,
    "market-clerk",
    "district-clerk",
    Role.OFFICE,
    Role.REVIEWER,
    Role.DIGITAL,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
]


def _user(scene, role: str) -> User:
    if role == "market-clerk":
        return scene["market_clerk"]
    if role == "district-clerk":
        return scene["org"].district_users[Role.CLERK]
    return scene["org"].users[role]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_exactly_the_rows_of_what_it_may_see(client, scene, role):
    user = _user(scene, role)
    visible = selectors.audit_events(user=user).filter(id__gt=scene["baseline"])
    assert set(visible.values_list("id", flat=True)) == _expected(scene, role)

    # The page lists the same rows.
    client.force_login(user)
    window = {"since": "2026-11-02", "until": "2026-11-02"}
    response = client.get(reverse("core:audit"), window)
    assert response.status_code == 200
    shown = set(response.context["paginator"].object_list.values_list("id", flat=True))
    assert shown == _expected(scene, role)


def test_the_scene_has_every_kind_of_row(scene):
    """The expectations above are about something: each kind of row is in the scene."""
    rows = scene["rows"]
    kinds = {(row.action, _model(row)) for row in rows}
    assert {
        (AuditAction.LOGIN, "core.user"),
        (AuditAction.LOGOUT, "core.user"),
        (AuditAction.LOGIN_FAILED, "core.user"),
        (AuditAction.LOGIN_FAILED, ""),
        (AuditAction.CREATE, "registry.draft"),
        (AuditAction.TRANSITION, "adjustments.adjustmentrequest"),
    } <= kinds
    request = AdjustmentRequest.objects.get()
    actors = {
        row.actor.username
        for row in rows
        if _model(row) == "adjustments.adjustmentrequest" and row.object_id == str(request.pk)
    }
    assert actors == {"city-clerk", "city-office", "city-reviewer"}


@pytest.mark.parametrize(
    ("role", "own", "hidden"),
    [
        (Role.CLERK, SALT_CANARY, [MARKET_CANARY, DISTRICT_CANARY]),
        ("market-clerk", MARKET_CANARY, [SALT_CANARY, DISTRICT_CANARY]),
        ("district-clerk", DISTRICT_CANARY, [SALT_CANARY, MARKET_CANARY]),
        (Role.REVIEWER, None, [SALT_CANARY, MARKET_CANARY, DISTRICT_CANARY]),
        (Role.DIGITAL, None, [SALT_CANARY, MARKET_CANARY, DISTRICT_CANARY]),
        (Role.SUPERVISOR, None, [SALT_CANARY, MARKET_CANARY, DISTRICT_CANARY]),
    ],
)
def test_another_departments_draft_names_never_appear(client, scene, role, own, hidden):
    client.force_login(_user(scene, role))
    page = client.get(reverse("core:audit")).content.decode()
    for canary in hidden:
        assert canary not in page
    if own:
        assert own in page


@pytest.mark.parametrize("role", [Role.OFFICE, Role.SUPERVISOR, Role.REVIEWER, "market-clerk"])
def test_nobody_but_administrators_sees_other_peoples_logins_and_addresses(client, scene, role):
    client.force_login(_user(scene, role))
    page = client.get(reverse("core:audit"), {"action": AuditAction.LOGIN_FAILED}).content.decode()
    assert ATTACKER not in page
    assert "nobody-here" not in page
    page = client.get(reverse("core:audit"), {"action": AuditAction.LOGIN}).content.decode()
    # Their own logins only: the clerk's address (198.51.100.1) is not shown.
    assert "198.51.100.1<" not in page


def test_a_user_sees_the_failed_logins_for_their_own_name(client, scene):
    clerk = scene["org"].users[Role.CLERK]
    client.force_login(clerk)
    response = client.get(reverse("core:audit"), {"action": AuditAction.LOGIN_FAILED})
    events = list(response.context["events"])
    assert [(event.ip_address, event.detail["username"]) for event in events] == [
        (ATTACKER, clerk.username)
    ]


def test_administrators_see_every_login_with_its_address(client, scene):
    client.force_login(scene["org"].users[Role.ADMINISTRATOR])
    page = client.get(reverse("core:audit"), {"action": AuditAction.LOGIN_FAILED}).content.decode()
    assert ATTACKER in page
    assert "nobody-here" in page


def test_the_trail_follows_the_objects_rule_registered_by_its_app(scene):
    """core imports no workflow app: the draft's rule comes from registry.permissions."""
    import core.permissions as permissions

    assert ("registry.draft", "view") in permissions.RULES
    draft_type = ContentType.objects.get_for_model(Draft)
    supervisor = scene["org"].users[Role.SUPERVISOR]
    assert not selectors.audit_events(user=supervisor).filter(content_type=draft_type).exists()
    office = scene["org"].users[Role.OFFICE]
    drafts = AuditEvent.objects.filter(content_type=draft_type)
    assert drafts.count() >= 4
    assert selectors.audit_events(user=office).filter(content_type=draft_type).count() == (
        drafts.count()
    )


def test_addresses_of_other_peoples_actions_are_for_administrators_only(client, scene):
    clerk = scene["org"].users[Role.CLERK]
    address = "198.51.100.77"
    token = request_context.activate(request_context.RequestContext(address))
    try:
        _draft(clerk, "带地址的草稿", "0700005000")
    finally:
        request_context.deactivate(token)
    for role, shown in [
        (Role.OFFICE, False),
        (Role.CLERK, True),
        (Role.ADMINISTRATOR, True),
    ]:
        client.force_login(_user(scene, role))
        page = client.get(reverse("core:audit")).content.decode()
        assert "带地址的草稿" in page
        assert (address in page) is shown, role


@pytest.mark.parametrize(
    ("role", "says"),
    [
        (Role.ADMINISTRATOR, "您可查看本辖区的全部操作记录"),
        (Role.OFFICE, "登录记录和他人的地址仅系统管理员可见"),
        (Role.SUPERVISOR, "登录记录和他人的地址仅系统管理员可见"),
        (Role.CLERK, "您可查看本部门"),
        (Role.REVIEWER, "您可查看本部门"),
    ],
)
def test_the_page_says_what_part_of_the_trail_the_reader_sees(client, org, role, says):
    client.force_login(org.users[role])
    assert says in client.get(reverse("core:audit")).content.decode()
