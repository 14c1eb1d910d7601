"""The calendar pages: everyone reads a year, administrators edit it in the browser (not the
Django admin), and administrators see a reminder banner while a schedule is missing."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import calendar as working_days
from core.choices import DayKind, Role
from core.models import CalendarDay, CalendarRevision, CalendarYear
from tests.builders import password_for

D = datetime.date


def login(client, user) -> None:
    assert client.login(username=user.username, password=password_for(user.role))


def test_calendar_redirects_to_this_year(client, calendar):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=working_days.SHANGHAI)):
        response = client.get("/calendar/")
    assert response.status_code == 302
    assert response.url == "/calendar/2026/"


def test_anyone_reads_a_year_but_only_administrators_get_edit_links(client, calendar, org):
    response = client.get("/calendar/2026/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "国庆节" in html
    assert "/calendar/day/" not in html
    assert "/calendar/2026/schedule/" not in html
    assert response.context["working_total"] == 248  # as chinese_calendar.get_workdays() counts

    login(client, org.users[Role.CLERK])
    assert "/calendar/day/" not in client.get("/calendar/2026/").content.decode()

    client.logout()
    login(client, org.users[Role.ADMINISTRATOR])
    html = client.get("/calendar/2026/").content.decode()
    assert 'href="/calendar/day/2026-10-01/"' in html


def test_a_year_page_costs_a_fixed_number_of_queries(client, calendar, org):
    login(client, org.users[Role.ADMINISTRATOR])
    counts = []
    for year in (2026, 2027):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/calendar/{year}/").status_code == 200
        counts.append(len(queries))
    # Session, user, the year's days, confirmed years, version, year row, revisions, the
    # header's unread count, the reminder banner: never one per day.
    assert counts == [9, 9]


def test_an_unconfirmed_year_is_marked(client, calendar, org):
    response = client.get("/calendar/2027/")
    assert response.context["confirmed"] is False
    html = response.content.decode()
    assert "cal-status-warn" in html
    assert html.count("cal-day cal-statutory") + html.count("cal-weekend cal-statutory") == 13
    assert [span.name for span in response.context["spans"]][:2] == ["元旦", "春节"]


def test_a_year_outside_the_calendar_is_not_found(client, calendar):
    assert client.get("/calendar/1850/").status_code == 404


@pytest.mark.parametrize("role", [Role.CLERK, Role.OFFICE, Role.SUPERVISOR, Role.REVIEWER])
def test_only_administrators_open_the_editing_pages(client, calendar, org, role):
    login(client, org.users[role])
    assert client.get("/calendar/day/2027-03-08/").status_code == 403
    assert client.get("/calendar/2027/schedule/").status_code == 403
    assert client.post("/calendar/2027/confirm/").status_code == 403
    assert (
        client.post("/calendar/day/2027-03-08/", {"kind": "holiday", "name": "x"}).status_code
        == 403
    )
    assert not CalendarDay.objects.filter(date=D(2027, 3, 8)).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, calendar):
    response = client.get("/calendar/day/2027-03-08/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_an_administrator_sets_a_day(client, calendar, org):
    login(client, org.users[Role.ADMINISTRATOR])
    page = client.get("/calendar/day/2027-04-05/")
    assert page.status_code == 200
    # A statutory day of an unconfirmed year starts as that holiday.
    assert page.context["form"].initial == {"kind": DayKind.HOLIDAY, "name": "清明节"}

    response = client.post("/calendar/day/2027-03-08/", {"kind": "holiday", "name": "妇女节"})
    assert response.status_code == 302
    assert response.url == "/calendar/2027/#m3"
    assert CalendarDay.objects.get(date=D(2027, 3, 8)).name == "妇女节"
    assert CalendarRevision.objects.latest("id").actor == org.users[Role.ADMINISTRATOR]


def test_a_bad_day_setting_is_explained_and_kept(client, calendar, org):
    login(client, org.users[Role.ADMINISTRATOR])
    response = client.post("/calendar/day/2027-03-08/", {"kind": "workday", "name": "补班"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="补班"' in response.content.decode()
    response = client.post("/calendar/day/2027-03-08/", {"kind": "holiday", "name": ""})
    assert response.context["form"].errors["name"]
    assert not CalendarDay.objects.filter(date=D(2027, 3, 8)).exists()
    assert client.get("/calendar/day/2027-02-30/").status_code == 404


SCHEDULE = {
    "holidays": "\n".join(
        [
            "元旦 2027-01-01 2027-01-03",
            "春节：2027年2月5日至2027年2月13日",
            "清明节 2027-04-03 – 2027-04-05",
            "劳动节, 2027/05/01, 2027/05/05",
            "端午节 2027-06-09 2027-06-11",
            "中秋节 2027-09-15 2027-09-17",
            "国庆节 2027-10-01 2027-10-07",
        ]
    ),
    "workdays": "2027-02-14 春节\n2027-02-20 春节\n2027-04-25\n2027-09-26 国庆节\n2027-10-09",
    "confirm": "on",
}


def test_an_administrator_enters_and_confirms_a_schedule(client, calendar, org):
    login(client, org.users[Role.ADMINISTRATOR])
    form = client.get("/calendar/2027/schedule/")
    # Prefilled with the statutory holidays.
    assert "春节 2027-02-05 2027-02-08" in form.context["form"].initial["holidays"]

    response = client.post("/calendar/2027/schedule/", SCHEDULE)
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).confirmed
    assert CalendarDay.objects.get(date=D(2027, 2, 13)).name == "春节"
    assert CalendarDay.objects.get(date=D(2027, 4, 25)).kind == DayKind.WORKDAY
    assert working_days.add(D(2027, 2, 1), 10).due_date == D(2027, 2, 20)
    page = client.get("/calendar/2027/")
    assert page.context["confirmed"] is True
    # The change is recorded and shown.
    summary = page.context["revisions"][0].summary
    assert summary.startswith(("Schedule of 2027", "2027", "已录入2027"))


def test_schedule_errors_are_listed_and_the_text_kept(client, calendar, org):
    login(client, org.users[Role.ADMINISTRATOR])
    bad = {
        "holidays": "国庆节 2027-10-07 2027-10-01\n春节 2027-02-30\n中秋节",
        "workdays": "2027-03-03\n2027-04-25 2027-04-26",
        "confirm": "on",
    }
    response = client.post("/calendar/2027/schedule/", bad, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any("Line 2" in message for message in errors["holidays"])
    assert any("Line 3" in message for message in errors["holidays"])
    assert any("Line 2" in message for message in errors["workdays"])
    assert "国庆节 2027-10-07 2027-10-01" in response.content.decode()

    # Parsed but refused by the service: the reasons come back as form errors.
    semantic = {**bad, "holidays": "国庆节 2027-10-07 2027-10-01", "workdays": "2027-03-03"}
    response = client.post("/calendar/2027/schedule/", semantic, HTTP_ACCEPT_LANGUAGE="en")
    messages = response.context["form"].non_field_errors()
    assert any("after the last day" in message for message in messages)
    assert any("Saturday or Sunday" in message for message in messages)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_confirming_from_the_year_page(client, calendar, org):
    login(client, org.users[Role.ADMINISTRATOR])
    response = client.post("/calendar/2027/confirm/", follow=True)
    assert not CalendarYear.objects.filter(year=2027, confirmed=True).exists()
    assert list(response.context["messages"])  # why not: no holiday entered
    client.post("/calendar/day/2027-01-01/", {"kind": "holiday", "name": "元旦"})
    client.post("/calendar/2027/confirm/")
    assert CalendarYear.objects.get(year=2027).confirmed


def test_administrators_see_the_reminder_banner(client, calendar, org):
    november = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=working_days.SHANGHAI)
    october = datetime.datetime(2026, 10, 20, 9, 0, tzinfo=working_days.SHANGHAI)
    login(client, org.users[Role.ADMINISTRATOR])
    with time_machine.travel(october):
        assert "cal-banner" not in client.get("/calendar/2026/").content.decode()
    with time_machine.travel(november):
        html = client.get("/").content.decode()
        assert "cal-banner" in html
        assert "/calendar/2027/schedule/" in html
    client.logout()
    login(client, org.users[Role.OFFICE])
    with time_machine.travel(november):
        assert "cal-banner" not in client.get("/").content.decode()


# --- in the browser -----------------------------------------------------------------------


def _browser_login(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password_for(user.role))
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_administrator_marks_a_day_in_the_browser(live_server, page, screenshot, calendar, org):
    admin = org.users[Role.ADMINISTRATOR]
    _browser_login(page, live_server, admin)
    page.goto(f"{live_server.url}/calendar/2027/")
    page.locator('a[href="/calendar/day/2027-03-08/"]').click()
    page.locator("input[name=kind][value=holiday]").check()
    page.locator("input[name=name]").fill("妇女节")
    page.locator("form.cal-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/calendar/2027/*")
    day = CalendarDay.objects.get(date=D(2027, 3, 8))
    assert (day.kind, day.name) == (DayKind.HOLIDAY, "妇女节")
    marked = page.locator('a[href="/calendar/day/2027-03-08/"]')
    assert "妇女节" in marked.get_attribute("title")
    screenshot(page, "calendar-year-2027-admin")

    page.goto(f"{live_server.url}/calendar/deadline/?start=2026-09-30T10:00&days=5")
    assert "2026-10-13" in page.locator(".cal-due-big").inner_text()
    screenshot(page, "calendar-deadline-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/calendar/2026/")
    screenshot(page, "calendar-year-2026-phone")
    page.goto(f"{live_server.url}/calendar/deadline/?start=2026-12-28T10:00&days=10")
    assert page.locator(".cal-status-warn").count() == 1
    screenshot(page, "calendar-deadline-phone")
