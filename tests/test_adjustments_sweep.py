"""Issue 4 §5: the deadline sweep. A reminder goes out at 08:00 Shanghai time of the working day
before the due moment, an overdue notice (escalated to the office and the supervisors) after
it; each exactly once, however often the sweep runs, after a crash, or on two workers at once;
and its cost does not grow with the open steps that are not due.

Dates are in November 2026 (no holiday): a request created on Monday 11-02 for an event of
Friday 10-30 has its application due at the end of Friday 11-13 (10 working days: 11-02..06,
11-09..13) and its reminder at 08:00 on Thursday 11-12."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from adjustments import services
from adjustments.choices import NoticeKind, StepKind, Transition, TriggerKind
from adjustments.models import AdjustmentRequest, DeadlineNotice, RequestEvent, Step
from core import services as core_services
from core.choices import NotificationKind, Role
from core.models import Notification
from tests.adjustment_builders import at, end_of, open_step, request_for, staff_user
from tests.conftest import need

D = datetime.date
DEADLINE_KINDS = [NotificationKind.DEADLINE_REMINDER, NotificationKind.DEADLINE_OVERDUE]


def travel(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def bare_request(org, *, event: D, district: bool = False) -> AdjustmentRequest:
    """A request with no proposal yet: its application step runs from the event."""
    people = org.district_users if district else org.users
    return services.adjustment_create(
        actor=people[Role.CLERK],
        trigger=TriggerKind.INTERNAL,
        event_date=event,
        summary=f"流程优化 {event.isoformat()}",
    )


def deadline_notifications():
    return Notification.objects.filter(kind__in=DEADLINE_KINDS)


def counts() -> tuple[int, int, int]:
    return (
        deadline_notifications().count(),
        DeadlineNotice.objects.count(),
        RequestEvent.objects.filter(
            transition__in=[Transition.DEADLINE_REMINDER, Transition.DEADLINE_OVERDUE]
        ).count(),
    )


def queued_emails(callbacks) -> list[int]:
    """The notifications whose e-mails the on-commit tasks would send (one task per batch)."""
    tasks = [getattr(callback, "args", ()) for callback in callbacks]
    return [
        notification_id
        for task in tasks
        if task[:1] == ("notifications_email_send",)
        for notification_id in task[1]
    ]


def sweep_at(moment: datetime.datetime, capture) -> services.SweepResult:
    """One run of the sweep at `moment`. What it queues on commit is one e-mail task per batch
    of new notifications, with their ids; the e-mail of each (core.services.
    notification_email_send) is sent here, as the worker would. tests/test_adjustments_worker.py
    goes through the real broker and worker instead."""
    with travel(moment), capture() as queued:
        result = services.deadlines_sweep()
    unsent = list(deadline_notifications().filter(emailed_at=None).order_by("pk"))
    assert sorted(queued_emails(queued)) == [n.pk for n in unsent]
    assert len(unsent) == result.notifications
    with travel(moment):
        for notification in unsent:
            core_services.notification_email_send(notification_id=notification.pk)
    return result


def test_the_reminder_goes_out_once_at_8_on_the_working_day_before(
    org, calendar, django_capture_on_commit_callbacks
):
    with travel(at(2026, 11, 2, 9)):
        request = request_for(org, event_date=D(2026, 10, 30))
    apply = open_step(request, StepKind.APPLY)
    assert (apply.due_at, apply.remind_at) == (end_of(2026, 11, 13), at(2026, 11, 12, 8))
    mail.outbox.clear()

    result = sweep_at(at(2026, 11, 12, 7, 59), django_capture_on_commit_callbacks)
    assert (result.reminders, result.overdue, counts()) == (0, 0, (0, 0, 0))

    result = sweep_at(at(2026, 11, 12, 8), django_capture_on_commit_callbacks)
    assert (result.reminders, result.overdue, result.notifications) == (1, 0, 1)
    clerk = org.users[Role.CLERK]
    [notification] = deadline_notifications()
    assert (notification.recipient, notification.kind) == (
        clerk,
        NotificationKind.DEADLINE_REMINDER,
    )
    assert request.number in notification.subject
    assert "2026-11-13" in notification.body
    [notice] = DeadlineNotice.objects.all()
    assert (notice.step_id, notice.kind, notice.due_at, notice.recipients) == (
        apply.pk,
        NoticeKind.REMINDER,
        end_of(2026, 11, 13),
        1,
    )
    apply.refresh_from_db()
    assert (apply.reminded_at, apply.overdue_at) == (at(2026, 11, 12, 8), None)
    event = RequestEvent.objects.get(request=request, transition=Transition.DEADLINE_REMINDER)
    assert (event.step_id, event.actor, event.detail["recipients"]) == (apply.pk, None, [clerk.pk])
    assert [message.to for message in mail.outbox] == [[clerk.email]]
    assert request.number in mail.outbox[0].subject

    # Again the same morning, and later that day: nothing more.
    for moment in (at(2026, 11, 12, 8, 5), at(2026, 11, 12, 17)):
        result = sweep_at(moment, django_capture_on_commit_callbacks)
        assert (result.reminders, result.notifications) == (0, 0)
    assert counts() == (1, 1, 1)
    assert len(mail.outbox) == 1


def test_a_step_past_its_due_moment_is_overdue_and_escalated_once(
    org, calendar, django_capture_on_commit_callbacks
):
    people = org.users
    second_office = staff_user(
        org, username="city-office-2", role=Role.OFFICE, department=org.departments["office"]
    )
    with travel(at(2026, 11, 2, 9)):
        request = request_for(org, event_date=D(2026, 10, 30))
    apply = open_step(request, StepKind.APPLY)
    sweep_at(at(2026, 11, 12, 8), django_capture_on_commit_callbacks)
    mail.outbox.clear()

    # At the due moment itself the step is still in time.
    result = sweep_at(end_of(2026, 11, 13), django_capture_on_commit_callbacks)
    assert (result.overdue, counts()) == (0, (1, 1, 1))

    late = end_of(2026, 11, 13) + datetime.timedelta(microseconds=1)
    result = sweep_at(late, django_capture_on_commit_callbacks)
    assert (result.reminders, result.overdue, result.notifications) == (0, 1, 4)
    escalated = deadline_notifications().filter(kind=NotificationKind.DEADLINE_OVERDUE)
    # The step's people, the office of the jurisdiction and its supervisors.
    expected = {people[Role.CLERK], people[Role.OFFICE], second_office, people[Role.SUPERVISOR]}
    assert {n.recipient for n in escalated} == expected
    # One key for the step, the kind and the due moment: the guard against a second notice.
    due = end_of(2026, 11, 13).astimezone(datetime.UTC).isoformat()
    assert {n.dedupe_key for n in escalated} == {f"adjustment-step:{apply.pk}:overdue:{due}"}
    apply.refresh_from_db()
    assert apply.overdue_at == late
    assert apply.is_overdue
    notice = DeadlineNotice.objects.get(kind=NoticeKind.OVERDUE)
    assert (notice.step_id, notice.due_at, notice.recipients) == (
        apply.pk,
        end_of(2026, 11, 13),
        4,
    )
    event = RequestEvent.objects.get(
        request=request, step=apply, transition=Transition.DEADLINE_OVERDUE
    )
    # The log names the people told.
    assert sorted(event.detail["recipients"]) == sorted(user.pk for user in expected)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in expected)

    for moment in (late + datetime.timedelta(minutes=5), at(2026, 11, 20, 9)):
        result = sweep_at(moment, django_capture_on_commit_callbacks)
        assert (result.overdue, result.notifications) == (0, 0)
    assert counts() == (5, 2, 2)
    assert len(mail.outbox) == 4


def test_a_sweep_that_missed_the_reminder_sends_only_the_overdue_notice(org, calendar):
    with travel(at(2026, 11, 2, 9)):
        request = request_for(org, event_date=D(2026, 10, 30))
    with travel(at(2026, 11, 16, 9)):
        result = services.deadlines_sweep()
    assert (result.reminders, result.overdue) == (0, 1)
    assert list(DeadlineNotice.objects.values_list("kind", flat=True)) == [NoticeKind.OVERDUE]
    assert not deadline_notifications().filter(kind=NotificationKind.DEADLINE_REMINDER).exists()
    apply = open_step(request, StepKind.APPLY)
    # Marked as handled, so that no later run looks at the reminder again.
    assert apply.reminded_at == at(2026, 11, 16, 9)


def test_a_crash_halfway_leaves_everything_to_be_sent_once(org, calendar):
    with travel(at(2026, 11, 2, 9)):
        requests = [bare_request(org, event=D(2026, 10, 30)) for _ in range(3)]
    steps = [open_step(request, StepKind.APPLY).pk for request in requests]
    moment = at(2026, 11, 16, 9)

    # A sweep that sent the first two and died before committing: nothing of it stays.
    with pytest.raises(RuntimeError), transaction.atomic():
        for step_id in steps[:2]:
            assert services.deadline_notice_send(
                step_id=step_id, kind=NoticeKind.OVERDUE, now=moment
            )
        assert DeadlineNotice.objects.count() == 2
        raise RuntimeError("worker lost")
    assert counts() == (0, 0, 0)
    assert Step.objects.filter(pk__in=steps, overdue_at__isnull=False).count() == 0

    # A sweep that committed the third step's notice and then died.
    assert services.deadline_notice_send(step_id=steps[2], kind=NoticeKind.OVERDUE, now=moment)
    assert DeadlineNotice.objects.count() == 1

    with travel(moment):
        result = services.deadlines_sweep()
    assert result.overdue == 2
    # Each step once, to its three people (clerk, office, supervisor).
    assert DeadlineNotice.objects.filter(kind=NoticeKind.OVERDUE).count() == 3
    assert sorted(DeadlineNotice.objects.values_list("step_id", flat=True)) == sorted(steps)
    for step_id in steps:
        assert deadline_notifications().filter(dedupe_key__contains=f":{step_id}:").count() == 3
    with travel(moment):
        assert services.deadlines_sweep().notifications == 0
    assert deadline_notifications().count() == 9


def test_finished_stopped_and_periodless_steps_are_never_notified(org, calendar):
    people = org.users
    with travel(at(2026, 11, 2, 9)):
        request = request_for(org, event_date=D(2026, 10, 30))
        request = services.adjustment_submit(actor=people[Role.CLERK], request=request)
    with travel(at(2026, 11, 3, 9)):
        request = services.adjustment_return(
            actor=people[Role.OFFICE], request=request, reason="请补充。"
        )
    apply = Step.objects.get(request=request, kind=StepKind.APPLY)
    forward = open_step(request, StepKind.FORWARD)
    supplement = open_step(request, StepKind.SUPPLEMENT)
    assert apply.finished_at is not None and apply.due_at == end_of(2026, 11, 13)
    assert forward.due_at is None and forward.clock_stopped
    assert supplement.deadline_days is None and supplement.due_at is None
    # A finished step that was late: finished after its due moment, never reminded.
    with travel(at(2026, 11, 2, 9)):
        late = bare_request(org, event=D(2026, 10, 1))
    late_apply = open_step(late, StepKind.APPLY)
    with travel(at(2026, 11, 3, 9)):
        services.adjustment_withdraw(actor=people[Role.CLERK], request=late, reason="不需要调整。")

    for moment in (at(2026, 11, 12, 9), at(2026, 11, 16, 9), at(2026, 12, 31, 9)):
        with travel(moment):
            result = services.deadlines_sweep()
        assert (result.reminders, result.overdue, result.notifications) == (0, 0, 0)
    assert counts() == (0, 0, 0)
    late_apply.refresh_from_db()
    assert (late_apply.reminded_at, late_apply.overdue_at) == (None, None)


# --- cost ---------------------------------------------------------------------------------------


def _sweep_queries(moment: datetime.datetime, batch: int = 200) -> tuple[int, services.SweepResult]:
    with travel(moment), CaptureQueriesContext(connection) as queries:
        result = services.deadlines_sweep(batch=batch)
    return len(queries), result


def test_the_sweep_costs_the_same_with_10_or_200_open_steps_not_due(org, calendar):
    clerk = org.users[Role.CLERK]
    # Not due before 11-13: applications for events of 11-02 (due 11-16).
    with travel(at(2026, 11, 2, 9)):
        others = [bare_request(org, event=D(2026, 11, 2)) for _ in range(10)]
        # Reminders at 08:00 on 11-05 (due 11-06) and on 11-06 (due 11-09).
        first = [bare_request(org, event=D(2026, 10, 23)) for _ in range(3)]
        second = [bare_request(org, event=D(2026, 10, 26)) for _ in range(3)]
    assert {open_step(r, StepKind.APPLY).remind_at for r in others} == {at(2026, 11, 13, 8)}
    assert {open_step(r, StepKind.APPLY).remind_at for r in first} == {at(2026, 11, 5, 8)}
    assert {open_step(r, StepKind.APPLY).remind_at for r in second} == {at(2026, 11, 6, 8)}

    few, result = _sweep_queries(at(2026, 11, 5, 8, 30))
    assert (result.reminders, result.overdue) == (3, 0)
    with travel(at(2026, 11, 5, 9)):
        for request in first:
            services.adjustment_withdraw(actor=clerk, request=request, reason="已无需调整。")
        others += [bare_request(org, event=D(2026, 11, 2)) for _ in range(190)]
    assert Step.objects.filter(finished_at=None).count() == 203

    many, result = _sweep_queries(at(2026, 11, 6, 8, 30))
    assert (result.reminders, result.overdue) == (3, 0)
    assert many == few


def test_the_sweep_costs_a_few_statements_per_batch_not_per_step(org, calendar):
    """Issue 11 §6: N due steps cost a + b·⌈N/batch⌉ statements (a: the two reads that find
    nothing more; b: a fixed number per batch: read, lock, mark, guard rows, recipients,
    notifications, recipient counts, events), whatever the number of steps in a batch."""
    clerk = org.users[Role.CLERK]
    with travel(at(2026, 11, 2, 9)):
        # Reminders at 08:00 on 11-05 (due 11-06) and on 11-06 (due 11-09).
        first = [bare_request(org, event=D(2026, 10, 23)) for _ in range(6)]
        second = [bare_request(org, event=D(2026, 10, 26)) for _ in range(18)]

    two_batches, result = _sweep_queries(at(2026, 11, 5, 8, 30), batch=4)
    assert (result.reminders, result.notifications) == (6, 6)
    with travel(at(2026, 11, 5, 9)):
        for request in first:
            services.adjustment_withdraw(actor=clerk, request=request, reason="已无需调整。")
    five_batches, result = _sweep_queries(at(2026, 11, 6, 8, 30), batch=4)
    assert (result.reminders, result.notifications) == (18, 18)
    per_batch, rest = divmod(five_batches - two_batches, 5 - 2)
    # Ten statements, and the savepoints of the batch's transaction and of the notifications'.
    assert rest == 0 and per_batch <= 12
    assert two_batches == 2 + 2 * per_batch

    # The overdue notices of all 18 in one batch: the escalation adds its few queries once.
    one_batch, result = _sweep_queries(at(2026, 11, 10, 9), batch=200)
    assert (result.overdue, result.notifications) == (18, 18 * 3)
    assert one_batch <= 2 + per_batch + 4
    assert Step.objects.filter(request__in=second, overdue_at__isnull=False).count() == 18


def test_with_nothing_due_the_sweep_reads_two_queries(org, calendar, django_assert_num_queries):
    with travel(at(2026, 11, 2, 9)):
        for _ in range(20):
            bare_request(org, event=D(2026, 11, 2))
    with travel(at(2026, 11, 9, 9)), django_assert_num_queries(2):
        result = services.deadlines_sweep()
    assert (result.reminders, result.overdue, result.notifications) == (0, 0, 0)


# --- two workers at once (PostgreSQL: skip_locked and the guard rows) ---------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_send_each_notice_once(org, calendar):
    need(connection.vendor == "postgresql", "row-level locking needs PostgreSQL")
    with travel(at(2026, 11, 2, 9)):
        requests = [bare_request(org, event=D(2026, 10, 30)) for _ in range(30)]
    moment = at(2026, 11, 16, 9)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(services.deadlines_sweep(now=moment, batch=7))
        except Exception as error:  # a failure is part of what is compared
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, services.SweepResult) for r in results), results
    assert sum(r.overdue for r in results) == 30
    assert sum(r.notifications for r in results) == 90
    assert DeadlineNotice.objects.filter(kind=NoticeKind.OVERDUE).count() == 30
    assert deadline_notifications().count() == 90
    keys = deadline_notifications().values_list("recipient_id", "dedupe_key")
    assert len(set(keys)) == 90
    assert Step.objects.filter(request__in=requests, overdue_at__isnull=True).count() == 0


# --- issue 9 §1, §3: the joint-review notice and the objection window under the sweep -------


def _forwarded(org) -> AdjustmentRequest:
    """Submitted and forwarded to 法制办 on Monday 11-02 at 10:00."""
    from tests.adjustment_builders import walk_to_review

    with travel(at(2026, 11, 2, 9)):
        request = request_for(org, event_date=D(2026, 11, 2))
    with travel(at(2026, 11, 2, 10)):
        return walk_to_review(org, request)


def test_the_primary_reviewers_joint_notice_is_reminded_and_escalated(org, calendar):
    """Seed 004 三(三)3 "1个工作日内告知": a step of its own, due at the end of 11-03, reminded
    (its reminder moment, 08:00 of the start day, has passed: it goes at once) and escalated
    to the office and the supervisors from 11-04."""
    people = org.users
    request = _forwarded(org)
    notice = open_step(request, StepKind.JOINT_NOTICE)
    assert (notice.department, notice.due_at) == (org.departments["legal"], end_of(2026, 11, 3))
    with travel(at(2026, 11, 2, 10, 5)):
        assert services.deadlines_sweep().reminders == 1
    with travel(end_of(2026, 11, 3)):
        assert services.deadlines_sweep().overdue == 0
    with travel(at(2026, 11, 4, 0, 1)):
        assert services.deadlines_sweep().overdue == 1
    overdue = Notification.objects.filter(kind=NotificationKind.DEADLINE_OVERDUE)
    assert {n.recipient for n in overdue} == {
        people[Role.REVIEWER],
        people[Role.OFFICE],
        people[Role.SUPERVISOR],
    }
    assert "告知是否需要联合会审" in overdue.first().subject


def test_the_confirm_step_is_overdue_only_after_the_objection_window(org, calendar):
    """Seed 004 三(三)4–5: approved on Tuesday 11-03, confirmation due 11-04, an objection on
    time until the end of 11-05: no overdue notice on 11-05, one from 11-06."""
    people = org.users
    request = _forwarded(org)
    with travel(at(2026, 11, 3, 9)):
        request = services.adjustment_review(
            actor=people[Role.REVIEWER], request=request, conclusion="agreed", opinion="同意。"
        )
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准。"
        )
    confirm = open_step(request, StepKind.CONFIRM)
    assert (confirm.due_at, confirm.remind_at) == (end_of(2026, 11, 5), at(2026, 11, 4, 8))
    with travel(at(2026, 11, 4, 8)):
        assert services.deadlines_sweep().reminders == 1
    reminder = Notification.objects.get(
        kind=NotificationKind.DEADLINE_REMINDER, recipient=people[Role.CLERK]
    )
    assert "2026-11-04" in reminder.body and "2026-11-05" in reminder.body
    with travel(at(2026, 11, 5, 12)):
        assert services.deadlines_sweep().overdue == 0
    with travel(at(2026, 11, 6, 0, 1)):
        assert services.deadlines_sweep().overdue == 1
    confirm.refresh_from_db()
    assert confirm.overdue_at == at(2026, 11, 6, 0, 1)
