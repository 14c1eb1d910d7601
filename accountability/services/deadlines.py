"""The deadline sweep of accountability cases (core.services.deadline_notices_sweep, the same as
every workflow): the reminder the working day before a case's period ends and the overdue notice
(行政机关公务员处分条例 第四十四条: 6 months, 12 when extended), to the supervisors who hold the
step, each once."""

import datetime
from collections.abc import Sequence

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import calendar
from core.choices import NoticeKind
from core.services import DeadlineNotices, Notice, NoticeText, SweepResult, deadline_notices_sweep

from ..choices import StepKind, Transition
from ..models import DeadlineNotice, Event, Step


def _texts(steps: Sequence[Step], kind: NoticeKind) -> dict[int, NoticeText]:
    texts = {}
    for step in steps:
        facts = {
            "step": StepKind(step.kind).label,
            "case": step.case,
            "due": date_format(step.due_at.astimezone(calendar.SHANGHAI), "Y-m-d"),
        }
        if kind == NoticeKind.OVERDUE:
            subject = _("Overdue: %(step)s, %(case)s") % facts
            body = _("The case “%(case)s” was not decided by the end of %(due)s.") % facts
        else:
            subject = _("Due tomorrow: %(step)s, %(case)s") % facts
            body = _("The case “%(case)s” is to be decided by the end of %(due)s.") % facts
        texts[step.pk] = NoticeText(subject, body, step.holder_url())
    return texts


def _events(notices: Sequence[Notice], at: datetime.datetime) -> None:
    Event.objects.bulk_create(
        [
            Event(
                at=at,
                transition=Transition.DEADLINE_REMINDER
                if notice.kind == NoticeKind.REMINDER
                else Transition.DEADLINE_OVERDUE,
                case_id=notice.step.case_id,
                step=notice.step,
                to_state=notice.step.case.state,
                detail={"due": notice.step.due_at.isoformat(), "recipients": notice.recipients},
            )
            for notice in notices
        ]
    )


DEADLINES = DeadlineNotices(
    steps=Step,
    guard=DeadlineNotice,
    key="accountability-step",
    recipients=lambda steps, kind: Step.holders_bulk(steps),
    texts=_texts,
    events=_events,
    related=("case",),
)


def case_deadlines_sweep(*, now: datetime.datetime | None = None, batch: int = 200) -> SweepResult:
    """The periodic sweep of case periods (Celery beat, config/celery.py)."""
    return deadline_notices_sweep(notices=DEADLINES, now=now or timezone.now(), batch=batch)
