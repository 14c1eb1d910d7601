"""Issue 4 §5 for real: the beat's deadline sweep sent through the Redis broker to a Celery
worker (another process, on the test's PostgreSQL database) marks an overdue step and escalates
it, and the e-mails go out through the same worker; sent again, it sends nothing twice."""

import datetime

from adjustments import tasks
from adjustments.choices import NoticeKind, StepKind, TriggerKind
from adjustments.models import DeadlineNotice, Step
from adjustments.services import adjustment_create
from core.choices import NotificationKind, Role
from core.models import Notification
from tests.adjustment_builders import draft_of, numbered_entry

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _sweep_done(worker, result) -> bool:
    return f"adjustments.tasks.deadlines_sweep[{result.id}] succeeded" in worker.log()


def sent_to(worker) -> list[str]:
    """The recipients of every message the worker wrote (a file may hold several)."""
    lines = "".join(worker.sent_mail()).splitlines()
    return sorted(line.removeprefix("To: ") for line in lines if line.startswith("To: "))


def test_the_sweep_runs_on_a_worker_and_sends_each_notice_once(celery_worker, org, calendar):
    clerk = org.users[Role.CLERK]
    # The worker runs on the real clock: an event 60 days ago is past any application period.
    today = datetime.datetime.now(tz=SHANGHAI).date()
    request = adjustment_create(
        actor=clerk,
        trigger=TriggerKind.INTERNAL,
        event_date=today - datetime.timedelta(days=60),
        summary="调整承诺时限",
        drafts=[draft_of(numbered_entry(org, 1), clerk, promised_limit_days=5)],
    )
    step = Step.objects.get(request=request, kind=StepKind.APPLY)
    assert step.due_at < datetime.datetime.now(tz=SHANGHAI)
    assert not Notification.objects.exists()

    first = tasks.deadlines_sweep.delay()
    celery_worker.wait_for(lambda: _sweep_done(celery_worker, first), "the first sweep")
    expected = {org.users[Role.CLERK], org.users[Role.OFFICE], org.users[Role.SUPERVISOR]}
    escalated = Notification.objects.filter(kind=NotificationKind.DEADLINE_OVERDUE)
    assert {n.recipient for n in escalated} == expected
    [notice] = DeadlineNotice.objects.all()
    assert (notice.step_id, notice.kind, notice.due_at, notice.recipients) == (
        step.pk,
        NoticeKind.OVERDUE,
        step.due_at,
        3,
    )
    step.refresh_from_db()
    marked = step.overdue_at
    assert marked is not None
    # The reminder's moment had passed too: it is marked, and not sent after the due moment.
    assert step.reminded_at is not None
    assert not Notification.objects.filter(kind=NotificationKind.DEADLINE_REMINDER).exists()
    assert "'overdue': 1, 'notifications': 3" in celery_worker.log()

    # The e-mails are tasks the sweep enqueued on commit: the same worker sends them.
    celery_worker.wait_for(
        lambda: escalated.filter(emailed_at__isnull=False).count() == 3, "the e-mails"
    )
    assert sent_to(celery_worker) == sorted(user.email for user in expected)
    assert request.number in "".join(celery_worker.sent_mail())

    second = tasks.deadlines_sweep.delay()
    celery_worker.wait_for(lambda: _sweep_done(celery_worker, second), "the second sweep")
    assert f"deadlines_sweep[{second.id}] succeeded" in celery_worker.log()
    assert "'reminders': 0, 'overdue': 0, 'notifications': 0" in celery_worker.log()
    assert Notification.objects.count() == 3
    assert DeadlineNotice.objects.count() == 1
    step.refresh_from_db()
    assert step.overdue_at == marked
    assert sent_to(celery_worker) == sorted(user.email for user in expected)
