"""The deadline sweep of every workflow (issue 4 §5; at scale, issue 11 §6): reminders and
overdue notices from the due moments stored on core.TimedStep rows, a batch of steps at a time.

A workflow declares what is its own in a `DeadlineNotices` (its step model, its guard rows, who
is told, the texts, its event rows); the rest is here: finding the due steps through the
partial indexes, locking a batch (skip_locked), marking it, inserting the guard rows, sending
the notifications, writing the events, all in one transaction per batch, each in a fixed
number of statements however many steps the batch holds.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from ..choices import NoticeKind, NotificationKind
from ..models import TimedStep, User
from .base import _rows_insert_new
from .notifications import NotificationDraft, notifications_send_bulk

# Due steps per transaction of the sweep: this product's default (a transaction of well under
# a second; two workers sweeping at once share the work batch by batch).
SWEEP_BATCH = 200

# When a notice is due (the moment has come and it has not gone out for the current due
# moment: core.calendar.apply_deadline clears the marks when the due moment moves), the moment
# the sweep reads in order (the partial index of each), and the mark it sets.
NOTICE_DUE = {
    NoticeKind.REMINDER: lambda now: Q(
        finished_at=None, reminded_at=None, remind_at__isnull=False, remind_at__lte=now
    ),
    NoticeKind.OVERDUE: lambda now: Q(
        finished_at=None, overdue_at=None, due_at__isnull=False, due_at__lt=now
    ),
}
NOTICE_ORDER = {NoticeKind.REMINDER: "remind_at", NoticeKind.OVERDUE: "due_at"}
NOTICE_MARK = {NoticeKind.REMINDER: "reminded_at", NoticeKind.OVERDUE: "overdue_at"}
NOTICE_NOTIFICATION = {
    NoticeKind.REMINDER: NotificationKind.DEADLINE_REMINDER,
    NoticeKind.OVERDUE: NotificationKind.DEADLINE_OVERDUE,
}


@dataclass(frozen=True)
class NoticeText:
    subject: str
    body: str
    url: str


@dataclass(frozen=True)
class Notice:
    """One step whose notice went out in a batch, and the users told (their ids)."""

    step: TimedStep
    kind: NoticeKind
    recipients: list[int]


@dataclass(frozen=True)
class DeadlineNotices:
    """What a workflow tells the sweep about its timed steps.

    `steps`: the TimedStep model. `guard`: the model of the guard rows, with the fields `step`,
    `kind`, `due_at`, `sent_at` and `recipients` and a unique constraint on (step, kind,
    due_at): inserting the row is what makes a notice go out once. `key`: the prefix of the
    notifications' dedupe keys. `related`: what `recipients` and `texts` read, loaded with the
    locked steps (select_related). `recipients(steps, kind)` → step id → users, `texts(steps,
    kind)` → step id → NoticeText, each for a whole batch in a fixed number of queries;
    `events(notices, now)` writes the workflow's event rows of a batch."""

    steps: type[TimedStep]
    guard: type[models.Model]
    key: str
    recipients: Callable[[Sequence[TimedStep], NoticeKind], Mapping[int, list[User]]]
    texts: Callable[[Sequence[TimedStep], NoticeKind], Mapping[int, NoticeText]]
    events: Callable[[Sequence[Notice], datetime.datetime], None]
    related: tuple[str, ...] = ()


@dataclass
class SweepResult:
    """Steps reminded and marked overdue (with at least one person told), and notifications."""

    reminders: int = 0
    overdue: int = 0
    notifications: int = 0


@dataclass(frozen=True)
class NoticeBatch:
    notified: int
    notifications: int


@transaction.atomic
def deadline_notices_send(
    *,
    notices: DeadlineNotices,
    kind: str,
    step_ids: Sequence[int],
    now: datetime.datetime,
    actor: User | None = None,
) -> NoticeBatch:
    """One batch of the sweep, in one transaction (issue 4 §5; seed 004's periods): the
    reminder one working day before due, or the overdue notice, of the steps `step_ids` whose
    moment has come. The steps are locked with skip_locked (another worker holds one: it is
    its to send) and the condition is checked again under the lock; all are marked; a reminder
    whose due moment has passed is only marked (the overdue notice says it all). The guard
    rows (step, kind, due moment) go in first, and only the steps whose guard went in are
    notified (one already there: that notice went out, nothing is sent again); then the
    notifications, the guards' recipient counts and the event rows. A crash rolls all of it
    back for the next run. Returns the steps notified and the notifications sent."""
    kind = NoticeKind(kind)
    manager = notices.steps._default_manager
    locked = list(
        manager.select_for_update(skip_locked=True, of=("self",))
        .select_related(*notices.related)
        .filter(NOTICE_DUE[kind](now), pk__in=step_ids)
        .order_by("pk")
    )
    if not locked:
        return NoticeBatch(0, 0)
    manager.filter(pk__in=[step.pk for step in locked]).update(**{NOTICE_MARK[kind]: now})
    steps = [step for step in locked if kind == NoticeKind.OVERDUE or step.due_at > now]
    guards = {
        step_id: guard_id
        for guard_id, step_id in _rows_insert_new(
            notices.guard,
            ["step", "kind", "due_at", "sent_at", "recipients"],
            [(step.pk, kind.value, step.due_at, now, 0) for step in steps],
            returning=["id", "step"],
        )
    }
    steps = [step for step in steps if step.pk in guards]
    if not steps:
        return NoticeBatch(0, 0)
    people = notices.recipients(steps, kind)
    texts = notices.texts(steps, kind)
    keys = {}
    drafts = []
    for step in steps:
        key = f"{notices.key}:{step.pk}:{kind.value}:{step.due_at.isoformat()}"
        keys[key] = step.pk
        text = texts[step.pk]
        drafts += [
            NotificationDraft(
                user, NOTICE_NOTIFICATION[kind], text.subject, text.body, text.url, key
            )
            for user in people.get(step.pk, ())
        ]
    told: dict[int, list[int]] = defaultdict(list)
    sent = notifications_send_bulk(drafts=drafts, actor=actor)
    for notification in sent:
        told[keys[notification.dedupe_key]].append(notification.recipient_id)
    by_count: dict[int, list[int]] = defaultdict(list)
    for step in steps:
        by_count[len(told[step.pk])].append(guards[step.pk])
    for count, guard_ids in by_count.items():
        if count:
            notices.guard._default_manager.filter(pk__in=guard_ids).update(recipients=count)
    notices.events([Notice(step, kind, told[step.pk]) for step in steps], now)
    return NoticeBatch(sum(1 for step in steps if told[step.pk]), len(sent))


def deadline_notices_sweep(
    *,
    notices: DeadlineNotices,
    now: datetime.datetime | None = None,
    batch: int = SWEEP_BATCH,
    actor: User | None = None,
) -> SweepResult:
    """Issue 4 §5: the periodic sweep of one workflow's steps (Celery beat, config/celery.py).
    It reads only the steps whose reminder or due moment has come (the partial indexes on
    remind_at and due_at of the step model), `batch` ids at a time with a cursor on (moment,
    id), and hands each batch to deadline_notices_send, a transaction of its own: a crash
    halfway leaves the rest for the next run, and a second run or a second worker sends
    nothing twice. Its statements grow with the batches, not with the steps in them, and not
    at all with the open steps that are not due."""
    now = now or timezone.now()
    result = SweepResult()
    manager = notices.steps._default_manager
    for kind in (NoticeKind.REMINDER, NoticeKind.OVERDUE):
        moment = NOTICE_ORDER[kind]
        # Read without a lock; deadline_notices_send locks and checks again. A step skipped
        # because another worker holds it is not read again (the cursor passes it), and each
        # batch's query stays the same size.
        after = Q()
        while True:
            rows = list(
                manager.filter(NOTICE_DUE[kind](now))
                .filter(after)
                .order_by(moment, "pk")
                .values_list(moment, "pk")[:batch]
            )
            if not rows:
                break
            last_moment, last_pk = rows[-1]
            after = Q(**{f"{moment}__gt": last_moment}) | Q(
                **{moment: last_moment, "pk__gt": last_pk}
            )
            sent = deadline_notices_send(
                notices=notices,
                kind=kind,
                step_ids=[pk for _moment, pk in rows],
                now=now,
                actor=actor,
            )
            result.notifications += sent.notifications
            if kind == NoticeKind.REMINDER:
                result.reminders += sent.notified
            else:
                result.overdue += sent.notified
    return result
