"""The audit trail (痕迹化管理, issue 2 §8): logins, logouts, failed logins and admin edits are
recorded with the address; staff read their own jurisdiction's trail, filtered in the URL."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import selectors, services
from core.choices import AuditAction, Role
from core.models import AuditEvent
from tests.builders import password_for

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ADDRESS = "203.0.113.7"


def _latest(action: AuditAction) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def test_login_logout_and_failed_login_are_recorded_with_the_address(client, org):
    clerk = org.users[Role.CLERK]
    login = reverse("core:login")

    client.post(login, {"username": clerk.username, "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    failed = _latest(AuditAction.LOGIN_FAILED)
    assert failed.actor is None
    assert failed.detail == {"username": clerk.username}
    assert failed.ip_address == ADDRESS

    response = client.post(
        login,
        {"username": clerk.username, "password": password_for(Role.CLERK)},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    logged_in = _latest(AuditAction.LOGIN)
    assert (logged_in.actor, logged_in.ip_address) == (clerk, ADDRESS)
    assert logged_in.jurisdiction == org.city

    client.post(reverse("core:logout"), REMOTE_ADDR=ADDRESS)
    logged_out = _latest(AuditAction.LOGOUT)
    assert (logged_out.actor, logged_out.ip_address) == (clerk, ADDRESS)


def test_an_admin_edit_is_recorded_with_old_and_new_values_and_the_address(client, org):
    department = org.departments["salt"]
    client.force_login(org.users[Role.ADMINISTRATOR])
    response = client.post(
        reverse("admin:core_department_change", args=[department.pk]),
        {
            "jurisdiction": org.city.pk,
            "name": department.name,
            "short_name": "盐业局",
            "function": department.function,
            "review_field": "",
            "address": "",
            "phone": "0371-01009999",
            "website": "",
        },
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = _latest(AuditAction.UPDATE)
    assert event.actor == org.users[Role.ADMINISTRATOR]
    assert event.object_repr == department.name
    assert event.ip_address == ADDRESS
    assert event.jurisdiction == org.city
    assert event.detail["changes"] == {
        "short_name": ["", "盐业局"],
        "phone": ["", "0371-01009999"],
    }


def test_a_district_user_does_not_see_city_events(client, org):
    district_office = org.district_users[Role.OFFICE]
    visible = selectors.audit_events(user=district_office)
    assert visible.exists()
    assert not visible.filter(jurisdiction=org.city).exists()
    assert not visible.filter(jurisdiction=None).exists()

    client.force_login(district_office)
    page = client.get(reverse("core:audit"), {"action": AuditAction.CREATE}).content.decode()
    assert "上街区盐业管理局" in page
    assert "市盐业管理局" not in page.replace("上街区盐业管理局", "")


def test_the_city_sees_its_districts_and_administrators_see_unattributed_events(org):
    services.audit_record(actor=None, action=AuditAction.LOGIN_FAILED, detail={"username": "x"})
    city_office = selectors.audit_events(user=org.users[Role.OFFICE])
    assert city_office.filter(jurisdiction=org.district).exists()
    assert not city_office.filter(jurisdiction=None).exists()
    city_admin = selectors.audit_events(user=org.users[Role.ADMINISTRATOR])
    assert city_admin.filter(jurisdiction=None, action=AuditAction.LOGIN_FAILED).exists()


def test_the_public_cannot_read_the_trail(client, org):
    response = client.get(reverse("core:audit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"march-1", "march-2", "march-3"}),
        ({"since": "2016-03-02"}, {"march-2", "march-3"}),
        ({"until": "2016-03-01"}, {"march-1"}),
        ({"since": "2016-03-02", "until": "2016-03-02"}, {"march-2"}),
        ({"action": AuditAction.DELETE}, {"march-3"}),
        ({"user": "city-off"}, {"march-1", "march-2"}),
    ],
)
def test_filters_by_action_user_and_local_date(client, org, query, expected):
    office, admin = org.users[Role.OFFICE], org.users[Role.ADMINISTRATOR]
    # 23:30 on 1 March in Shanghai is still 1 March there, although it is 15:30 UTC.
    moments = {
        "march-1": (datetime.datetime(2016, 3, 1, 23, 30, tzinfo=SHANGHAI), office, "update"),
        "march-2": (datetime.datetime(2016, 3, 2, 0, 30, tzinfo=SHANGHAI), office, "update"),
        "march-3": (datetime.datetime(2016, 3, 3, 9, 0, tzinfo=SHANGHAI), admin, "delete"),
    }
    ids = {}
    for label, (moment, actor, action) in moments.items():
        with time_machine.travel(moment, tick=False):
            event = services.audit_record(
                actor=actor, action=AuditAction(action), obj=org.departments["salt"]
            )
        ids[label] = event.pk

    client.force_login(admin)
    # The window keeps out the events of building the organisation, which happen today.
    window = {"since": "2016-01-01", "until": "2016-12-31"}
    response = client.get(reverse("core:audit"), {**window, **query})
    shown = {event.pk for event in response.context["events"]}
    assert shown == {ids[label] for label in expected}


def test_a_reversed_date_range_is_explained(client, org):
    client.force_login(org.users[Role.ADMINISTRATOR])
    response = client.get(
        reverse("core:audit"),
        {"since": "2026-03-05", "until": "2026-03-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "The start date is after the end date." in response.content.decode()
    assert list(response.context["events"]) == []


def test_a_malformed_date_is_explained(client, org):
    client.force_login(org.users[Role.ADMINISTRATOR])
    response = client.get(reverse("core:audit"), {"since": "yesterday"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def _audit_page_queries(client, query: dict) -> tuple[int, int]:
    """(queries, rows shown) of one request of the trail page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("core:audit"), query)
    assert response.status_code == 200
    return len(queries), len(response.context["events"])


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.OFFICE, Role.CLERK])
def test_the_trail_page_costs_the_same_queries_however_many_rows(client, org, role):
    """Counted on the page of one past day on which only this test acts: how many rows the
    rest of the trail holds (the organisation's own, a fixture's) changes neither count, and
    the page of few rows is never already full (50 rows a page)."""
    user = org.users[role]
    client.force_login(user)
    day = datetime.datetime(2016, 5, 9, 10, 0, tzinfo=SHANGHAI)
    one_day = {"since": day.date().isoformat(), "until": day.date().isoformat()}
    targets = [org.city, org.district, org.departments["salt"], org.users[Role.CLERK]]

    def record(count: int) -> None:
        with time_machine.travel(day, tick=True):
            for number in range(count):
                services.audit_record(
                    actor=user,
                    action=AuditAction.UPDATE,
                    obj=targets[number % len(targets)],
                    detail={"changes": {"name": ["a", "b"]}},
                )

    # One row on each kind of object first, so that both pages show the same kinds.
    record(len(targets))
    client.get(reverse("core:audit"), one_day)
    few, few_rows = _audit_page_queries(client, one_day)
    record(60)
    many, many_rows = _audit_page_queries(client, one_day)
    assert 0 < few_rows < many_rows
    assert many == few
