"""A calendar edit at scale (SPEC §9; issue 9 §21; issue 11 §6): only the open steps whose period
contains a changed day are recomputed, in batches that each commit, to the due moment
core.calendar.apply_deadline gives (the oracle, step by step); the holders of the moved steps
are told once per revision and batch, each in one notice naming their steps, in a fixed number
of statements per batch; a run after a crash finishes the rest and sends nothing twice, and two
workers at once share the work.

November 2026 has no holiday: an application for an event of Monday 11-02 is due at the end of
Monday 11-16 (10 working days)."""

import datetime
import itertools
import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from adjustments import services
from adjustments.choices import StepKind, TriggerKind
from adjustments.models import AdjustmentRequest, Step
from core import calendar as working_days
from core import services as core_services
from core.choices import AuditAction, DayKind, DeadlineUnit, NotificationKind, Role
from core.models import AuditEvent, CalendarRevision, Notification
from core.services import calendar as calendar_services
from tests.adjustment_builders import at, end_of, published_entry, request_for, staff_user
from tests.conftest import need
from tests.timed_app.models import TimedThing
from tests.timed_app.services import timed_thing_start

D = datetime.date


def travel(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def holiday(org, day: D, name: str = "临时调休") -> CalendarRevision:
    return core_services.calendar_day_set(
        actor=org.users[Role.ADMINISTRATOR], date=day, kind=DayKind.HOLIDAY, name=name
    )


def deadline(step) -> tuple:
    return (step.due_at, step.due_confirmed, step.remind_at)


def oracle(step) -> tuple:
    """What core.calendar.apply_deadline gives the step now, on a copy of it."""
    copy = type(step).objects.get(pk=step.pk)
    working_days.apply_deadline(copy)
    return deadline(copy)


def contains(step, before_due: datetime.datetime | None, day: D) -> bool:
    """The step's period contains `day`: it started by that day and ends on or after it."""
    started = working_days.local_date(step.started_at)
    return started <= day and (before_due is None or working_days.local_date(before_due) >= day)


def moved_notices():
    return Notification.objects.filter(kind=NotificationKind.DEADLINE_MOVED)


def told(steps: list[Step]) -> None:
    """Each step's request is named by exactly one deadline-moved notice."""
    bodies = list(moved_notices().values_list("body", flat=True))
    for step in steps:
        assert sum(step.request.number in body for body in bodies) == 1, step


def test_only_steps_whose_period_contains_the_changed_day_are_recomputed(org, calendar):
    """A step made stale by a revision not applied yet is left alone by a revision of a day
    outside its period, and moved by its own."""
    november = timed_thing_start(actor=None, title="11月", started_at=at(2026, 11, 2), days=10)
    assert november.due_at == end_of(2026, 11, 16)
    own = holiday(org, D(2026, 11, 5))
    other = holiday(org, D(2026, 12, 21))
    assert core_services.calendar_revision_apply(revision_id=other.pk) == 0
    november.refresh_from_db()
    assert (november.due_at, november.calendar_revision) == (
        end_of(2026, 11, 16),
        calendar.revision.pk,
    )
    assert core_services.calendar_revision_apply(revision_id=own.pk) == 1
    november.refresh_from_db()
    assert november.due_at == end_of(2026, 11, 17)


def test_a_calendar_edit_moves_each_touched_deadline_as_apply_deadline_would(org, calendar):
    """A grid of steps around the changed day (Wednesday 11-18 made a holiday): start dates
    from 11-01 to 11-25 at 00:30 (the day before in UTC), noon and 23:30 Shanghai time,
    periods of 1, 3 and 10 working days and 5 calendar days, recomputed in batches of 7. Every
    step whose period contains the day ends where apply_deadline puts it, the others are not
    touched, and the trail lists what changed."""
    day = D(2026, 11, 18)
    periods = [(1, DeadlineUnit.WORKING_DAYS), (3, DeadlineUnit.WORKING_DAYS)]
    periods += [(10, DeadlineUnit.WORKING_DAYS), (5, DeadlineUnit.CALENDAR_DAYS)]
    steps = [
        timed_thing_start(
            actor=None,
            title=f"{start}-{minute}-{days}{unit}",
            started_at=at(2026, 11, start, minute // 60, minute % 60),
            days=days,
            unit=unit,
        )
        for start, minute, (days, unit) in itertools.product(
            range(1, 26), (30, 12 * 60, 23 * 60 + 30), periods
        )
    ]
    before = {step.pk: (*deadline(step), step.calendar_revision) for step in steps}
    revision = holiday(org, day)

    changed = core_services.calendar_revision_apply(revision_id=revision.pk, batch=7)

    touched = moved = 0
    for step in TimedThing.objects.filter(pk__in=before):
        old = before[step.pk]
        if not contains(step, old[0], day):
            assert (*deadline(step), step.calendar_revision) == old, step
            continue
        touched += 1
        assert deadline(step) == oracle(step), step
        if deadline(step) != old[:3]:
            moved += 1
            assert step.calendar_revision == revision.pk
        else:
            assert step.calendar_revision == old[3]
    # Some steps are outside the day, some inside but unmoved (calendar days not ending on it).
    assert 0 < moved < touched < len(steps)
    assert changed == moved
    revision.refresh_from_db()
    assert revision.applied_at is not None
    assert (revision.deadlines_changed, revision.applied_through) == (moved, {})
    trail = AuditEvent.objects.get(object_id=str(revision.pk), action=AuditAction.UPDATE)
    assert trail.detail["deadlines_changed"] == moved
    assert len(trail.detail["moved"]) == moved
    assert core_services.calendar_revision_apply(revision_id=revision.pk) == 0


def _applications(org, count: int, event: D) -> list[Step]:
    """`count` requests of the salt bureau for an event of `event`, filed the next morning:
    their apply steps, in id order."""
    clerk = org.users[Role.CLERK]
    filed = datetime.datetime.combine(
        event + datetime.timedelta(days=1), datetime.time(9), tzinfo=working_days.SHANGHAI
    )
    with travel(filed):
        requests = [
            services.adjustment_create(
                actor=clerk,
                trigger=TriggerKind.INTERNAL,
                event_date=event,
                summary=f"流程优化 {number}",
            )
            for number in range(count)
        ]
    return [Step.objects.get(request=request, kind=StepKind.APPLY) for request in requests]


def _apply_counted(revision: CalendarRevision, **options) -> tuple[int, int]:
    with travel(at(2026, 11, 3, 9)), CaptureQueriesContext(connection) as queries:
        changed = core_services.calendar_revision_apply(revision_id=revision.pk, **options)
    return changed, len(queries)


def test_the_holders_of_moved_steps_are_told_once_in_a_fixed_number_of_statements(
    org, calendar, django_capture_on_commit_callbacks, monkeypatch
):
    """Each apply step is held by the department's two clerks: a revision tells each clerk
    once (one batch here), in one notice naming each of their moved steps from when to when
    (the first MOVED_LINES of them, then how many more) and linking their list; 4 or 12 moved
    steps in one batch cost the same statements, and one e-mail task carries the batch's
    notifications."""
    monkeypatch.setattr(calendar_services, "MOVED_LINES", 10)
    second_clerk = staff_user(
        org, username="clerk-2", role=Role.CLERK, department=org.departments["salt"]
    )
    clerks = {org.users[Role.CLERK], second_clerk}
    few = _applications(org, 4, D(2026, 11, 2))
    many = _applications(org, 12, D(2026, 11, 20))
    assert {step.due_at for step in few} == {end_of(2026, 11, 16)}
    assert {step.due_at for step in many} == {end_of(2026, 12, 4)}

    first = holiday(org, D(2026, 11, 5))
    with django_capture_on_commit_callbacks() as callbacks:
        changed, few_statements = _apply_counted(first)
    assert changed == 4
    assert [callback.args[0] for callback in callbacks] == ["notifications_email_send"]
    assert sorted(callbacks[0].args[1]) == sorted(moved_notices().values_list("pk", flat=True))
    second = holiday(org, D(2026, 11, 30))
    changed, many_statements = _apply_counted(second)
    assert changed == 12
    assert many_statements == few_statements

    for revision, steps, times in (
        (first, few, ("2026-11-16 23:59", "2026-11-17 23:59")),
        (second, many, ("2026-12-04 23:59", "2026-12-07 23:59")),
    ):
        notices = moved_notices().filter(dedupe_key__endswith=f":{revision.pk}")
        assert sorted(notice.recipient.pk for notice in notices) == sorted(c.pk for c in clerks)
        for notice in notices:
            assert notice.url == reverse("adjustments:list")
            assert notice.subject == gettext("Deadlines moved: %(count)d of your steps") % {
                "count": len(steps)
            }
            assert revision.summary in notice.body
            numbers = [step.request.number for step in steps]
            assert [number in notice.body for number in numbers] == [
                index < 10 for index in range(len(steps))
            ]
            line = gettext("%(step)s: from %(before)s to %(after)s")
            before, after = times
            assert line % {"step": steps[0], "before": before, "after": after} in notice.body
        more = gettext("… and %(count)d more.") % {"count": 2}
        assert [more in notice.body for notice in notices] == [len(steps) > 10] * 2
    assert {step.due_at for step in Step.objects.filter(pk__in=[s.pk for s in few])} == {
        end_of(2026, 11, 17)
    }
    assert {step.due_at for step in Step.objects.filter(pk__in=[s.pk for s in many])} == {
        end_of(2026, 12, 7)
    }


def test_steps_with_clock_stops_are_recomputed_one_by_one(org, calendar):
    """A forward step returned for supplement and back (its stop passed over) and one still
    with the department (no due moment) next to the steps counted in groups: all end as
    apply_deadline says."""
    people = org.users
    with travel(at(2026, 11, 2, 9)):
        returned = request_for(org, event_date=D(2026, 11, 2))
        other = published_entry(org, name="另一个事项", basic_code="0700090000")
        stopped = request_for(org, event_date=D(2026, 11, 2), entry=other)
    _applications(org, 3, D(2026, 11, 2))
    with travel(at(2026, 11, 3, 9)):
        for request in (returned, stopped):
            request = services.adjustment_submit(actor=people[Role.CLERK], request=request)
            services.adjustment_return(actor=people[Role.OFFICE], request=request, reason="补正")
    with travel(at(2026, 11, 6, 9)):
        services.adjustment_resubmit(
            actor=people[Role.CLERK], request=AdjustmentRequest.objects.get(pk=returned.pk)
        )
    forwards = Step.objects.filter(kind=StepKind.FORWARD, request__in=[returned, stopped])
    assert sorted(step.due_at is None for step in forwards) == [False, True]
    revision = holiday(org, D(2026, 11, 9))
    with travel(at(2026, 11, 6, 10)):
        assert core_services.calendar_revision_apply(revision_id=revision.pk, batch=2) == 4
    for step in Step.objects.filter(finished_at=None, deadline_days__isnull=False):
        assert deadline(step) == oracle(step), step


# --- crashes and two workers (real commits) ----------------------------------------------------


class _WorkerDies:
    """Raises at the `at`-th INSERT of notifications: the worker dies in the middle of a batch
    (a database execute wrapper; the statements themselves run on the real database)."""

    def __init__(self, at: int) -> None:
        self.at, self.seen = at, 0

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "core_notification"'):
            self.seen += 1
            if self.seen == self.at:
                raise RuntimeError("worker lost")
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_a_crash_halfway_keeps_the_committed_batches_and_a_rerun_sends_the_rest_once(org, calendar):
    # The seed's revision is applied first: only the holiday's is pending below.
    core_services.calendar_revisions_apply_pending()
    steps = _applications(org, 20, D(2026, 11, 2))
    revision = holiday(org, D(2026, 11, 5))

    with pytest.raises(RuntimeError), connection.execute_wrapper(_WorkerDies(at=3)):
        core_services.calendar_revision_apply(revision_id=revision.pk, batch=5)
    # Two batches of five committed (a notice each: one clerk holds the steps), the third
    # rolled back, the revision not applied.
    assert moved_notices().count() == 2
    assert Step.objects.filter(due_at=end_of(2026, 11, 17)).count() == 10
    revision.refresh_from_db()
    assert revision.applied_at is None
    assert (revision.deadlines_changed, revision.applied_through["after"][-1]) == (
        10,
        steps[9].pk,
    )

    # The sweep behind the trigger finishes the rest, in one batch of its size: one notice.
    assert core_services.calendar_revisions_apply_pending() == 10
    assert Step.objects.filter(due_at=end_of(2026, 11, 17)).count() == 20
    assert moved_notices().count() == 3
    assert moved_notices().values("dedupe_key").distinct().count() == 3
    told(steps)
    revision.refresh_from_db()
    assert (revision.deadlines_changed, revision.applied_at is not None) == (20, True)
    trail = AuditEvent.objects.get(object_id=str(revision.pk), action=AuditAction.UPDATE)
    assert trail.detail["deadlines_changed"] == 20
    assert [row["id"] for row in trail.detail["moved"]] == [step.pk for step in steps]
    assert core_services.calendar_revision_apply(revision_id=revision.pk) == 0
    assert moved_notices().count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_applying_one_revision_move_each_deadline_once(org, calendar):
    need(connection.vendor == "postgresql", "row-level locking needs PostgreSQL")
    steps = _applications(org, 30, D(2026, 11, 2))
    revision = holiday(org, D(2026, 11, 5))
    barrier = threading.Barrier(2)
    results: list[object] = []

    def apply() -> None:
        try:
            barrier.wait()
            results.append(core_services.calendar_revision_apply(revision_id=revision.pk, batch=4))
        except Exception as error:  # a failure is part of what is compared
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 30
    moved = Step.objects.filter(pk__in=[step.pk for step in steps], due_at=end_of(2026, 11, 17))
    assert moved.count() == 30
    # A notice per batch of four (one clerk holds the steps), each step in one of them.
    assert moved_notices().count() == 8
    told(steps)
    revision.refresh_from_db()
    assert (revision.deadlines_changed, revision.applied_at is not None) == (30, True)
    trail = AuditEvent.objects.filter(object_id=str(revision.pk), action=AuditAction.UPDATE)
    assert trail.count() == 1
