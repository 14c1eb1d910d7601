"""The deadline sweep of complaint steps (issue 12 §8): what is the procedure's own (who is
told, the texts, the event row); the sweep itself, in batches, is core's
(core.services.deadlines), the same as for adjustments."""

import datetime
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import calendar
from core.choices import DepartmentFunction, NoticeKind, Role
from core.models import User
from core.services import (
    DeadlineNotices,
    Notice,
    NoticeText,
    SweepResult,
    deadline_notices_sweep,
)

from ..choices import StepKind, Transition
from ..models import ComplaintEvent, ComplaintStep, DeadlineNotice
from .procedure import _now, complaint_url


def _notice_recipients(steps: Sequence[ComplaintStep], kind: NoticeKind) -> dict[int, list[User]]:
    """The step's holders; an overdue notice also goes to the office of the complaint's
    jurisdiction (it supervises the handling). Three queries for any number of steps."""
    people = ComplaintStep.holders_bulk(steps)
    if kind != NoticeKind.OVERDUE:
        return people
    places = {step.complaint.jurisdiction_id for step in steps}
    offices: dict[int, list[User]] = {place: [] for place in places}
    for user in User.objects.filter(
        department__jurisdiction_id__in=places,
        department__function=DepartmentFunction.REFORM_OFFICE,
        role=Role.OFFICE,
        is_active=True,
    ).order_by("pk"):
        offices[user.department.jurisdiction_id].append(user)
    found = {}
    for step in steps:
        everyone = [*people[step.pk], *offices[step.complaint.jurisdiction_id]]
        found[step.pk] = list({user.pk: user for user in everyone}.values())
    return found


def _notice_texts(steps: Sequence[ComplaintStep], kind: NoticeKind) -> dict[int, NoticeText]:
    texts = {}
    for step in steps:
        facts = {
            "step": StepKind(step.kind).label,
            "code": step.complaint.code,
            "department": step.department,
            "due": date_format(step.due_at.astimezone(calendar.SHANGHAI), "Y-m-d"),
        }
        if kind == NoticeKind.OVERDUE:
            subject = _("Overdue: %(step)s of complaint %(code)s") % facts
            body = _("%(department)s did not finish “%(step)s” by the end of %(due)s.") % facts
        else:
            subject = _("Due tomorrow: %(step)s of complaint %(code)s") % facts
            body = _("%(department)s: “%(step)s” is due by the end of %(due)s.") % facts
        texts[step.pk] = NoticeText(subject, body, complaint_url(step.complaint))
    return texts


def _notice_events(notices: Sequence[Notice], now: datetime.datetime) -> None:
    """The complaint's timeline gets each notice (痕迹化管理), never shown to the public."""
    ComplaintEvent.objects.bulk_create(
        [
            ComplaintEvent(
                complaint=notice.step.complaint,
                step=notice.step,
                at=now,
                transition=Transition.DEADLINE_REMINDER
                if notice.kind == NoticeKind.REMINDER
                else Transition.DEADLINE_OVERDUE,
                from_state=notice.step.complaint.state,
                to_state=notice.step.complaint.state,
                detail={"due": notice.step.due_at.isoformat(), "recipients": notice.recipients},
            )
            for notice in notices
        ]
    )


DEADLINES = DeadlineNotices(
    steps=ComplaintStep,
    guard=DeadlineNotice,
    key="complaint-step",
    recipients=_notice_recipients,
    texts=_notice_texts,
    events=_notice_events,
    related=("complaint", "department"),
)


def complaint_deadlines_sweep(
    *, now: datetime.datetime | None = None, batch: int = 200
) -> SweepResult:
    """Issue 12 §8: the periodic sweep of complaint steps (Celery beat, config/celery.py):
    reminders one working day before due and overdue notices with escalation, each once
    (core.services.deadline_notices_sweep over the partial indexes of ComplaintStep)."""
    return deadline_notices_sweep(notices=DEADLINES, now=now or _now(), batch=batch)
