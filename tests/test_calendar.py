"""The working-day calendar (SPEC §9, issue 2 §7): the arithmetic's worked examples, seeding,
administrators' edits and the recomputation of open deadlines, the reminder, notifications."""

import datetime
import threading

import chinese_calendar
import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import translation

from core import calendar as working_days
from core import services, tasks
from core.choices import AuditAction, DayKind, DeadlineUnit, NotificationKind, Role, SkipReason
from core.models import AuditEvent, CalendarDay, CalendarRevision, CalendarYear, Notification
from tests.conftest import need
from tests.timed_app.models import TimedThing
from tests.timed_app.services import timed_thing_finish, timed_thing_start

SH = working_days.SHANGHAI
D = datetime.date


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SH)


# --- the arithmetic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Issue 2: 10-01..10-07 off, Saturday 10-10 a make-up working day.
        (at(2026, 9, 30), 5, D(2026, 10, 13)),
        # NOTES.md: Sunday 09-20 is a make-up working day and counts.
        (at(2026, 9, 18), 5, D(2026, 9, 24)),
        (at(2026, 9, 18), 20, D(2026, 10, 22)),
    ],
)
def test_worked_examples(calendar, start, days, due):
    deadline = working_days.add(start, days)
    assert deadline.due_date == due
    assert deadline.due == datetime.datetime.combine(due, working_days.END_OF_DAY, tzinfo=SH)
    assert deadline.confirmed is True
    assert deadline.calendar_version == calendar.revision.pk


def test_national_day_example_explains_itself(calendar):
    deadline = working_days.add(at(2026, 9, 30), 5)
    assert [skip.date for skip in deadline.skipped] == [
        *(D(2026, 10, day) for day in range(1, 8)),
        D(2026, 10, 11),
    ]
    assert deadline.skipped[0] == (D(2026, 10, 1), SkipReason.HOLIDAY, "国庆节")
    assert deadline.skipped[-1].reason == SkipReason.WEEKEND
    assert [day.date for day in deadline.made_up] == [D(2026, 10, 10)]


def test_counts_from_the_shanghai_date_not_the_utc_date(calendar):
    # 2026-10-09 07:30 in Shanghai is still 10-08 in UTC.
    event = datetime.datetime(2026, 10, 8, 23, 30, tzinfo=datetime.UTC)
    # The next day in Shanghai is Saturday 10-10, a make-up working day.
    assert working_days.add(event, 1).due_date == D(2026, 10, 10)


def test_a_naive_start_is_refused(calendar):
    with pytest.raises(ValueError, match="naive"):
        working_days.add(datetime.datetime(2026, 9, 30, 10, 0), 5)  # noqa: DTZ001


def test_unconfirmed_2027_is_computed_from_the_statutory_holidays(calendar):
    deadline = working_days.add(at(2026, 12, 28), 10)
    assert deadline.due_date == D(2027, 1, 12)
    assert deadline.confirmed is False
    assert deadline.unconfirmed_years == (2027,)
    assert deadline.skipped[0] == (D(2027, 1, 1), SkipReason.STATUTORY_HOLIDAY, "元旦")


def test_2027_new_year_and_spring_festival_are_not_working_days(calendar):
    assert not working_days.is_working_day(D(2027, 1, 1))
    # Lunar new year's eve 2027 is 02-05 (Friday); four days from it, Monday 02-08 included.
    for day in range(5, 9):
        assert not working_days.is_working_day(D(2027, 2, day))
    assert working_days.is_working_day(D(2027, 2, 4))
    assert working_days.is_working_day(D(2027, 2, 9))
    assert working_days.statutory_holidays(2027)[D(2027, 2, 5)] == "春节"


def test_statutory_rule_of_2027():
    assert working_days.statutory_holidays(2027) == {
        D(2027, 1, 1): "元旦",
        D(2027, 2, 5): "春节",
        D(2027, 2, 6): "春节",
        D(2027, 2, 7): "春节",
        D(2027, 2, 8): "春节",
        D(2027, 4, 5): "清明节",
        D(2027, 5, 1): "劳动节",
        D(2027, 5, 2): "劳动节",
        D(2027, 6, 9): "端午节",
        D(2027, 9, 15): "中秋节",
        D(2027, 10, 1): "国庆节",
        D(2027, 10, 2): "国庆节",
        D(2027, 10, 3): "国庆节",
    }
    # 中秋 2028 falls on 10-03, inside 国庆: one day off carrying both names.
    assert working_days.statutory_holidays(2028)[D(2028, 10, 3)] == "中秋节、国庆节"


@pytest.mark.parametrize(
    ("start", "due", "skipped"),
    [
        # Seed 002 "7日内": 09-25 is the first day of the Mid-autumn holiday (09-25..27).
        (at(2026, 9, 18), D(2026, 9, 28), [D(2026, 9, 25), D(2026, 9, 26), D(2026, 9, 27)]),
        (at(2026, 9, 24), D(2026, 10, 8), [D(2026, 10, day) for day in range(1, 8)]),
        (at(2026, 9, 1), D(2026, 9, 8), []),
        # Ends on a Saturday: moved to Monday.
        (at(2026, 11, 7), D(2026, 11, 16), [D(2026, 11, 14), D(2026, 11, 15)]),
    ],
)
def test_calendar_days_end_on_the_next_working_day(calendar, start, due, skipped):
    deadline = working_days.add(start, 7, DeadlineUnit.CALENDAR_DAYS)
    assert deadline.due_date == due
    assert [skip.date for skip in deadline.skipped] == skipped
    assert deadline.unit == DeadlineUnit.CALENDAR_DAYS


def test_working_days_between(calendar):
    span = working_days.working_days_between(at(2026, 9, 30), at(2026, 10, 13, 18))
    assert (span.days, span.confirmed) == (5, True)
    assert working_days.working_days_between(at(2026, 10, 13), at(2026, 9, 30)).days == -5
    assert working_days.working_days_between(at(2026, 10, 13), at(2026, 10, 13, 23)).days == 0
    reaching_2027 = working_days.working_days_between(at(2026, 12, 28), at(2027, 1, 12))
    assert (reaching_2027.days, reaching_2027.confirmed) == (10, False)


def test_every_day_of_2024_to_2026_matches_the_official_schedule(calendar):
    """The bundled package is the oracle: the seeded calendar gives the same answer on every
    day of the last three years."""
    window = working_days.CalendarWindow(D(2024, 1, 1), D(2026, 12, 31))
    day = D(2024, 1, 1)
    while day <= D(2026, 12, 31):
        assert window.status(day).working == chinese_calendar.is_workday(day), day
        day += datetime.timedelta(days=1)
    assert window.loads == 1


def test_a_long_count_loads_the_calendar_once(calendar, django_assert_num_queries):
    # One query each: the days, the confirmed years, the calendar version.
    with django_assert_num_queries(3):
        deadline = working_days.add(at(2024, 1, 2), 1000)
    assert deadline.due_date.year == 2027
    with django_assert_num_queries(3):
        working_days.add(at(2024, 1, 2), 2)


# --- seeding ------------------------------------------------------------------------------


def test_seed_is_complete_and_idempotent(calendar):
    assert calendar.created == CalendarDay.objects.count() > 700
    assert calendar.years_confirmed == tuple(range(2004, 2027))
    assert CalendarYear.objects.filter(confirmed=True).count() == 23
    assert not CalendarYear.objects.filter(year=2027).exists()
    national_day = CalendarDay.objects.get(date=D(2026, 10, 1))
    assert (national_day.kind, national_day.name) == (DayKind.HOLIDAY, "国庆节")
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).kind == DayKind.WORKDAY
    assert AuditEvent.objects.filter(action=AuditAction.CALENDAR_CHANGE).count() == 1

    again = services.calendar_seed_from_package(actor=None)
    assert (again.created, again.updated, again.deleted, again.revision) == (0, 0, 0, None)
    assert CalendarRevision.objects.count() == 1


def test_seed_never_overwrites_an_administrators_day(calendar, org):
    admin = org.users[Role.ADMINISTRATOR]
    # 10-07 (a Wednesday) is a package holiday; the administrator makes it ordinary.
    services.calendar_day_set(actor=admin, date=D(2026, 10, 7), kind=DayKind.ORDINARY)
    services.calendar_seed_from_package(actor=None)
    row = CalendarDay.objects.get(date=D(2026, 10, 7))
    assert (row.kind, row.source) == (DayKind.ORDINARY, "administrator")
    assert working_days.is_working_day(D(2026, 10, 7))


def test_seed_leaves_a_year_an_administrator_confirmed_alone(calendar, org):
    services.calendar_schedule_enter(
        actor=org.users[Role.ADMINISTRATOR],
        year=2026,
        holidays=[services.HolidayRange(D(2026, 10, 1), D(2026, 10, 6), "国庆节")],
        workdays=[],
        confirm=True,
    )
    result = services.calendar_seed_from_package(actor=None)
    assert result.revision is None
    assert CalendarDay.objects.filter(date__year=2026).count() == 6
    assert working_days.is_working_day(D(2026, 10, 7))
    assert CalendarYear.objects.get(year=2026).source == "administrator"


def test_calendar_seed_command(db, capsys):
    from django.core.management import call_command

    call_command("calendar_seed")
    assert "2004" not in capsys.readouterr().err
    assert CalendarYear.objects.filter(year=2026, confirmed=True).exists()
    call_command("calendar_seed")
    assert "up to date" in capsys.readouterr().out


# --- administrators' edits ----------------------------------------------------------------


def test_setting_a_day_is_a_revision_with_an_audit_row(
    calendar, org, django_capture_on_commit_callbacks
):
    admin = org.users[Role.ADMINISTRATOR]
    with django_capture_on_commit_callbacks() as callbacks:
        revision = services.calendar_day_set(
            actor=admin, date=D(2027, 3, 8), kind=DayKind.HOLIDAY, name="妇女节"
        )
    assert len(callbacks) == 1  # the recomputation trigger
    assert (revision.first_date, revision.last_date, revision.actor) == (
        D(2027, 3, 8),
        D(2027, 3, 8),
        admin,
    )
    event = AuditEvent.objects.get(action=AuditAction.CALENDAR_CHANGE, actor=admin)
    assert event.object_id == str(revision.pk)
    assert event.detail["after"] == {"kind": "holiday", "name": "妇女节", "source": "administrator"}
    assert not working_days.is_working_day(D(2027, 3, 8))

    # The same setting again changes nothing and records nothing.
    assert (
        services.calendar_day_set(
            actor=admin, date=D(2027, 3, 8), kind=DayKind.HOLIDAY, name="妇女节"
        )
        is None
    )
    # Back to ordinary: the row goes (nothing would mask it), the day works again.
    services.calendar_day_set(actor=admin, date=D(2027, 3, 8), kind="")
    assert not CalendarDay.objects.filter(date=D(2027, 3, 8)).exists()
    assert working_days.is_working_day(D(2027, 3, 8))


def test_an_ordinary_day_can_override_the_statutory_rule(calendar, org):
    admin = org.users[Role.ADMINISTRATOR]
    services.calendar_day_set(actor=admin, date=D(2027, 4, 5), kind=DayKind.ORDINARY)
    assert CalendarDay.objects.get(date=D(2027, 4, 5)).kind == DayKind.ORDINARY
    assert working_days.is_working_day(D(2027, 4, 5))


@pytest.mark.parametrize(
    ("kind", "name", "day", "message"),
    [
        (DayKind.HOLIDAY, " ", D(2027, 3, 8), "name"),
        (DayKind.WORKDAY, "", D(2027, 3, 8), "Saturday or Sunday"),
        (DayKind.HOLIDAY, "x", D(1850, 3, 8), "1901"),
    ],
)
def test_day_set_refuses_bad_input(calendar, org, kind, name, day, message):
    with pytest.raises(services.DomainError, match=message):
        services.calendar_day_set(
            actor=org.users[Role.ADMINISTRATOR], date=day, kind=kind, name=name
        )


def test_only_administrators_change_the_calendar(calendar, org):
    for role in (Role.CLERK, Role.OFFICE, Role.SUPERVISOR):
        with pytest.raises(services.DomainError):
            services.calendar_day_set(
                actor=org.users[role], date=D(2027, 3, 8), kind=DayKind.HOLIDAY, name="x"
            )
    with pytest.raises(services.DomainError):
        services.calendar_year_confirm(actor=org.users[Role.OFFICE], year=2027)
    assert CalendarRevision.objects.count() == 1


def test_a_year_with_no_holiday_cannot_be_confirmed(calendar, org):
    admin = org.users[Role.ADMINISTRATOR]
    with pytest.raises(services.DomainError, match="2027"):
        services.calendar_year_confirm(actor=admin, year=2027)
    with pytest.raises(services.DomainError, match="already confirmed"):
        services.calendar_year_confirm(actor=admin, year=2026)
    assert not CalendarYear.objects.filter(year=2027).exists()


SCHEDULE_2027 = {
    "holidays": [
        services.HolidayRange(D(2027, 1, 1), D(2027, 1, 3), "元旦"),
        services.HolidayRange(D(2027, 2, 5), D(2027, 2, 13), "春节"),
        services.HolidayRange(D(2027, 4, 3), D(2027, 4, 5), "清明节"),
        services.HolidayRange(D(2027, 5, 1), D(2027, 5, 5), "劳动节"),
        services.HolidayRange(D(2027, 6, 9), D(2027, 6, 11), "端午节"),
        services.HolidayRange(D(2027, 9, 15), D(2027, 9, 17), "中秋节"),
        services.HolidayRange(D(2027, 10, 1), D(2027, 10, 7), "国庆节"),
    ],
    "workdays": [
        services.MakeUpDay(D(2027, 2, 14), "春节"),
        services.MakeUpDay(D(2027, 2, 20), "春节"),
        services.MakeUpDay(D(2027, 4, 25), "劳动节"),
        services.MakeUpDay(D(2027, 9, 26), "国庆节"),
        services.MakeUpDay(D(2027, 10, 9), "国庆节"),
    ],
}


def test_schedule_entry_validates_everything_at_once(calendar, org):
    before = CalendarDay.objects.count()
    with pytest.raises(services.ScheduleError) as refused:
        services.calendar_schedule_enter(
            actor=org.users[Role.ADMINISTRATOR],
            year=2027,
            holidays=[
                services.HolidayRange(D(2027, 10, 7), D(2027, 10, 1), "国庆节"),
                services.HolidayRange(D(2027, 2, 5), D(2027, 2, 11), "春节"),
                services.HolidayRange(D(2027, 2, 10), D(2027, 2, 12), ""),
                services.HolidayRange(D(2028, 1, 1), D(2028, 1, 1), "元旦"),
            ],
            workdays=[
                services.MakeUpDay(D(2027, 3, 3)),
                services.MakeUpDay(D(2027, 2, 6)),
            ],
        )
    text = " ".join(refused.value.messages)
    assert "after the last day" in text
    assert "needs a name" in text
    assert "is in two holidays" in text
    assert "is not in 2027" in text
    assert "a make-up working day is a Saturday or Sunday" in text
    assert "both a holiday" in text
    assert CalendarDay.objects.count() == before
    assert not CalendarYear.objects.filter(year=2027).exists()


# --- recomputing open deadlines -----------------------------------------------------------


def test_editing_a_day_moves_the_open_deadlines_touching_it(calendar, org):
    admin = org.users[Role.ADMINISTRATOR]
    touched = timed_thing_start(actor=None, title="touched", started_at=at(2026, 9, 28), days=5)
    finished = timed_thing_start(actor=None, title="done", started_at=at(2026, 9, 28), days=5)
    timed_thing_finish(actor=None, thing=finished, at=at(2026, 9, 29))
    later = timed_thing_start(actor=None, title="later", started_at=at(2026, 10, 20), days=5)
    assert touched.due_at.date() == D(2026, 10, 10)
    assert (touched.due_confirmed, touched.calendar_revision) == (True, calendar.revision.pk)

    revision = services.calendar_day_set(
        actor=admin, date=D(2026, 10, 9), kind=DayKind.HOLIDAY, name="调整"
    )
    assert services.calendar_revision_apply(revision_id=revision.pk) == 1

    touched.refresh_from_db()
    assert touched.due_at == working_days.end_of_day(D(2026, 10, 12))
    assert touched.calendar_revision == revision.pk
    finished.refresh_from_db()
    assert finished.due_at.date() == D(2026, 10, 10)
    assert TimedThing.objects.get(pk=later.pk).calendar_revision == calendar.revision.pk
    revision.refresh_from_db()
    assert revision.applied_at is not None
    assert revision.deadlines_changed == 1
    trail = AuditEvent.objects.filter(object_id=str(revision.pk), action=AuditAction.UPDATE).get()
    assert trail.detail["moved"][0]["id"] == touched.pk

    # Applied once: a second run (a duplicate message) changes nothing.
    assert services.calendar_revision_apply(revision_id=revision.pk) == 0


def test_entering_and_confirming_2027_moves_and_confirms_deadlines(calendar, org):
    admin = org.users[Role.ADMINISTRATOR]
    step = timed_thing_start(actor=None, title="2027", started_at=at(2027, 2, 1), days=10)
    # Statutory rule: 02-05..02-08 off.
    assert step.due_at.date() == D(2027, 2, 17)
    assert step.due_confirmed is False

    services.calendar_schedule_enter(actor=admin, year=2027, confirm=True, **SCHEDULE_2027)
    assert CalendarYear.objects.get(year=2027).confirmed_by == admin
    # The sweep (what beat runs) finds the pending revision: no message needed.
    assert tasks.calendar_revisions_apply() == 1
    step.refresh_from_db()
    # 02-05..02-13 off, Sunday 02-14 and Saturday 02-20 worked.
    assert step.due_at.date() == D(2027, 2, 20)
    assert step.due_confirmed is True
    assert not CalendarRevision.objects.filter(applied_at=None).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CALENDAR_CONFIRM, actor=admin).exists()
    assert tasks.calendar_revisions_apply() == 0


def test_confirming_a_year_confirms_deadlines_that_do_not_move(calendar, org):
    admin = org.users[Role.ADMINISTRATOR]
    step = timed_thing_start(actor=None, title="march", started_at=at(2027, 3, 1), days=3)
    assert (step.due_at.date(), step.due_confirmed) == (D(2027, 3, 4), False)
    services.calendar_day_set(actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    revision = services.calendar_year_confirm(actor=admin, year=2027)
    services.calendar_revisions_apply_pending()
    step.refresh_from_db()
    assert (step.due_at.date(), step.due_confirmed) == (D(2027, 3, 4), True)
    assert step.calendar_revision == revision.pk


# --- reminder and notifications -----------------------------------------------------------


def test_administrators_are_reminded_of_next_years_schedule(calendar, org):
    administrators = {org.users[Role.ADMINISTRATOR], org.district_users[Role.ADMINISTRATOR]}
    with time_machine.travel(at(2026, 10, 31, 8, 30)):
        assert tasks.calendar_next_year_remind() == 0
    with time_machine.travel(at(2026, 11, 23, 8, 30)):
        assert tasks.calendar_next_year_remind() == 2
        assert tasks.calendar_next_year_remind() == 0
    reminders = Notification.objects.filter(kind=NotificationKind.CALENDAR_NEXT_YEAR)
    assert {n.recipient for n in reminders} == administrators
    assert "2027" in reminders[0].subject
    assert reminders[0].url == "/calendar/2027/"
    with time_machine.travel(at(2026, 11, 24, 8, 30)):
        assert tasks.calendar_next_year_remind() == 2
        services.calendar_schedule_enter(
            actor=org.users[Role.ADMINISTRATOR], year=2027, confirm=True, **SCHEDULE_2027
        )
        assert tasks.calendar_next_year_remind() == 0
    assert Notification.objects.filter(kind=NotificationKind.CALENDAR_NEXT_YEAR).count() == 4


def test_notifications_are_sent_once_and_emailed_once(org, django_capture_on_commit_callbacks):
    clerk, office = org.users[Role.CLERK], org.users[Role.OFFICE]
    with django_capture_on_commit_callbacks() as callbacks:
        sent = services.notification_send(
            recipients=[clerk, office],
            kind=NotificationKind.DEADLINE_REMINDER,
            subject="明天到期",
            body="请处理。",
            url="/x/",
            dedupe_key="step:1:reminder",
        )
    assert len(sent) == 2
    # One e-mail task for the batch of new notifications, with their ids.
    assert [callback.args for callback in callbacks] == [
        ("notifications_email_send", [n.pk for n in sent])
    ]
    again = services.notification_send(
        recipients=[clerk, office],
        kind=NotificationKind.DEADLINE_REMINDER,
        subject="明天到期",
        dedupe_key="step:1:reminder",
    )
    assert again == []
    assert Notification.objects.filter(dedupe_key="step:1:reminder").count() == 2

    assert tasks.notification_email_send(sent[0].pk) is True
    assert tasks.notification_email_send(sent[0].pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [sent[0].recipient.email]
    assert "明天到期" in mail.outbox[0].subject
    sent[0].refresh_from_db()
    assert sent[0].emailed_at is not None


def test_no_email_without_an_address(org):
    clerk = org.users[Role.CLERK]
    clerk.email = ""
    services.user_save(actor=None, user=clerk, changed_fields=["email"])
    [notification] = services.notification_send(
        recipients=[clerk],
        kind=NotificationKind.DEADLINE_OVERDUE,
        subject="逾期",
        dedupe_key="k",
    )
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_create_one_notification(org):
    """Two workers sending the same reminder at once: the unique constraint lets one insert
    win; the other creates nothing and fails nothing."""
    need(connection.vendor == "postgresql", "row-level concurrency needs PostgreSQL")
    clerk = org.users[Role.CLERK]
    barrier = threading.Barrier(2)
    results = []

    def send() -> None:
        try:
            barrier.wait()
            results.append(
                services.notification_send(
                    recipients=[clerk],
                    kind=NotificationKind.DEADLINE_REMINDER,
                    subject="并发",
                    dedupe_key="concurrent",
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(created) for created in results) == [0, 1]
    assert Notification.objects.filter(dedupe_key="concurrent").count() == 1


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests match the English wording of refusals; the site default is Chinese."""
    with translation.override("en"):
        yield
