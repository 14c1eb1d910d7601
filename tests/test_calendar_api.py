"""The public deadline calculator: the API (`/api/v1/calendar/add-working-days/`), the page
`/calendar/deadline/`, and the `{% due %}` tag that links every due moment to it."""

import datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core import calendar as working_days
from core.choices import SkipReason
from tests.timed_app.services import timed_thing_start

URL = "/api/v1/calendar/add-working-days/"


def test_the_url_is_named():
    assert reverse("api:calendar-add-working-days") == URL


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-09-30T10:00:00+08:00", 5, "2026-10-13T23:59:59.999999+08:00"),
        ("2026-09-18T10:00:00+08:00", 5, "2026-09-24T23:59:59.999999+08:00"),
        ("2026-09-18T10:00:00+08:00", 20, "2026-10-22T23:59:59.999999+08:00"),
        # No offset: Shanghai time. A plain date: the event's day.
        ("2026-09-30T10:00", 5, "2026-10-13T23:59:59.999999+08:00"),
        ("2026-09-30", 5, "2026-10-13T23:59:59.999999+08:00"),
        # 02:00 UTC on 10-09 is 10:00 in Shanghai, the same day.
        ("2026-10-09T02:00:00Z", 1, "2026-10-10T23:59:59.999999+08:00"),
    ],
)
def test_anyone_gets_the_worked_examples(client, calendar, start, days, due):
    response = client.get(URL, {"start": start, "days": days})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["due"] == due
    assert body["confirmed"] is True
    assert body["unit"] == "working"
    assert body["days"] == days
    assert body["calendar_version"] == calendar.revision.pk


def test_the_answer_lists_every_skipped_day(client, calendar):
    body = client.get(URL, {"start": "2026-09-30T10:00:00+08:00", "days": 5}).json()
    assert body["due_date"] == "2026-10-13"
    with translation.override("zh-hans"):
        label = str(SkipReason.HOLIDAY.label)
    assert body["skipped"][0] == {
        "date": "2026-10-01",
        "reason": "holiday",
        "reason_label": label,
        "name": "国庆节",
    }
    assert [skip["date"] for skip in body["skipped"]][-1] == "2026-10-11"
    assert body["skipped"][-1]["reason"] == "weekend"
    assert body["made_up"] == [{"date": "2026-10-10", "name": "国庆节"}]
    assert body["explanation_url"].startswith("/calendar/deadline/?start=2026-09-30T10%3A00")


def test_2027_is_flagged_unconfirmed(client, calendar):
    body = client.get(URL, {"start": "2026-12-28T09:00:00+08:00", "days": 10}).json()
    assert body["due"] == "2027-01-12T23:59:59.999999+08:00"
    assert body["confirmed"] is False
    assert body["unconfirmed_years"] == [2027]
    assert body["skipped"][0]["reason"] == "statutory_holiday"
    assert body["skipped"][0]["name"] == "元旦"


def test_calendar_days_follow_article_203(client, calendar):
    body = client.get(
        URL, {"start": "2026-09-24T10:00:00+08:00", "days": 7, "unit": "calendar"}
    ).json()
    assert body["due_date"] == "2026-10-08"
    assert body["unit"] == "calendar"
    assert len(body["skipped"]) == 7


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"days": 5}, "start"),
        ({"start": "yesterday", "days": 5}, "start"),
        ({"start": "2026-02-30", "days": 5}, "start"),
        ({"start": "1850-01-01T10:00", "days": 5}, "start"),
        ({"start": "2026-09-30T10:00"}, "days"),
        ({"start": "2026-09-30T10:00", "days": "five"}, "days"),
        ({"start": "2026-09-30T10:00", "days": 0}, "days"),
        ({"start": "2026-09-30T10:00", "days": 100000}, "days"),
        ({"start": "2026-09-30T10:00", "days": 5, "unit": "weeks"}, "unit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, calendar, query, field):
    response = client.get(URL, query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert list(error["fields"]) == [field]
    assert error["fields"][field][0]


def test_error_messages_are_clear(client, calendar):
    body = client.get(
        URL, {"start": "2026-09-30T10:00", "days": "five"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert body["error"]["fields"] == {
        "days": ["Give the number of days as a whole number, e.g. 5."]
    }


def test_query_count_does_not_grow_with_the_period(client, calendar):
    counts = []
    for days in (1, 50, 1000):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"start": "2024-01-02T10:00", "days": days})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2] <= 4


def test_the_schema_documents_the_calculator(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"][URL]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "start",
        "days",
        "unit",
    }
    assert "400" in operation["responses"]
    assert operation["operationId"] == "calendar_add_working_days"


# --- the page ---------------------------------------------------------------------------


def test_the_page_explains_every_skipped_day(client, calendar):
    response = client.get(
        "/calendar/deadline/", {"start": "2026-09-30T10:00", "days": 5, "unit": "working"}
    )
    assert response.status_code == 200
    deadline = response.context["deadline"]
    assert deadline.due_date == datetime.date(2026, 10, 13)
    html = response.content.decode()
    assert "2026-10-13" in html
    assert html.count("国庆节") >= 7
    assert 'class="cal-skip-weekend"' in html
    assert "2026-10-10" in html  # the make-up Saturday, counted


def test_the_page_marks_an_unconfirmed_answer(client, calendar):
    response = client.get("/calendar/deadline/", {"start": "2027-02-01T10:00", "days": 10})
    html = response.content.decode()
    assert response.context["deadline"].confirmed is False
    assert "cal-status-warn" in html
    assert "元旦" not in html and "春节" in html


def test_the_page_shows_clear_errors_and_keeps_the_input(client, calendar):
    response = client.get("/calendar/deadline/", {"start": "2026-09-30T10:00", "days": "-3"})
    assert response.status_code == 200
    assert "deadline" not in response.context
    assert response.context["form"].errors["days"]
    assert 'value="2026-09-30T10:00"' in response.content.decode()


def test_the_empty_page_is_a_form(client, calendar):
    response = client.get("/calendar/deadline/")
    assert response.status_code == 200
    assert "deadline" not in response.context


# --- the template tag ---------------------------------------------------------------------


def test_a_due_moment_links_to_its_explanation(calendar):
    step = timed_thing_start(
        actor=None,
        title="x",
        started_at=datetime.datetime(2026, 12, 28, 9, 0, tzinfo=working_days.SHANGHAI),
        days=10,
    )
    html = Template("{% load deadlines %}{% due step %}").render(Context({"step": step}))
    assert (
        'href="/calendar/deadline/?start=2026-12-28T09%3A00&amp;days=10&amp;unit=working"' in html
    )
    assert "2027-01-12" in html
    assert "cal-flag" in html  # unconfirmed marker

    html = Template("{% load deadlines %}{% due_at due start 5 'calendar' True %}").render(
        Context({"due": step.due_at, "start": step.started_at})
    )
    assert "unit=calendar" in html
    assert "cal-flag" not in html
    with translation.override("en"):
        empty = Template("{% load deadlines %}{% due None %}").render(Context())
    assert "no deadline" in empty


@pytest.mark.parametrize(
    ("language", "query", "field", "expected"),
    [
        (
            "en",
            {"start": "1850-01-01T10:00", "days": 5},
            "start",
            f"The start must lie between {working_days.FIRST_YEAR} and "
            f"{working_days.LAST_YEAR - 5}.",
        ),
        (
            "zh-hans",
            {"start": "1850-01-01T10:00", "days": 5},
            "start",
            f"事件发生时间须在{working_days.FIRST_YEAR}年至{working_days.LAST_YEAR - 5}年之间。",
        ),
        (
            "en",
            {"start": "2026-09-30T10:00", "days": 100000},
            "days",
            "The period can be at most 1000 days.",
        ),
        ("zh-hans", {"start": "2026-09-30T10:00", "days": 100000}, "days", "期限最长为1000天。"),
    ],
)
def test_range_messages_are_filled_in_and_in_the_asked_language(
    client, calendar, language, query, field, expected
):
    """Issue 9 §17: DRF fills a field's message with str.format, so a "%(first)s" placeholder
    came back unfilled; and a message formatted at import time kept the import's language."""
    body = client.get(URL, query, HTTP_ACCEPT_LANGUAGE=language).json()
    assert body["error"]["fields"] == {field: [expected]}
