"""The deadline sweep of decision steps (core.services.deadline_notices_sweep, the same as every
workflow): the reminder one working day before the publication is due and the overdue notice
(seed 002 监督检查办法 第十三条: 决定书送达后10日内公开), and the overdue notice of a case record
not uploaded within 24 hours (seed 003 三(二)2). An overdue publication is escalated to the
reform office and the supervisors of the department's jurisdiction (an accountability ground,
seed 002 监督检查办法 第二十条)."""

import datetime
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import calendar
from core.choices import NoticeKind, Role
from core.models import User
from core.services import DeadlineNotices, Notice, NoticeText, SweepResult, deadline_notices_sweep

from ..choices import StepKind, Transition
from ..models import DeadlineNotice, Event, Step
from .procedure import now


def _recipients(steps: Sequence[Step], kind: NoticeKind) -> dict[int, list[User]]:
    """The holders (the department's clerks); an overdue publication also goes to the office
    and the supervisors of the department's jurisdiction. Two queries for any number of steps."""
    people = Step.holders_bulk(steps)
    if kind != NoticeKind.OVERDUE:
        return people
    wanted = {step.decision.jurisdiction_id for step in steps if step.kind == StepKind.PUBLISH}
    overseers: dict[int, list[User]] = {jurisdiction: [] for jurisdiction in wanted}
    for user in User.objects.filter(
        jurisdiction_id__in=wanted, role__in=[Role.OFFICE, Role.SUPERVISOR], is_active=True
    ).order_by("pk"):
        overseers[user.jurisdiction_id].append(user)
    found = {}
    for step in steps:
        everyone = list(people[step.pk])
        if step.kind == StepKind.PUBLISH:
            everyone += overseers[step.decision.jurisdiction_id]
        found[step.pk] = list({user.pk: user for user in everyone}.values())
    return found


def _texts(steps: Sequence[Step], kind: NoticeKind) -> dict[int, NoticeText]:
    texts = {}
    for step in steps:
        moment = step.due_at.astimezone(calendar.SHANGHAI)
        facts = {
            "step": StepKind(step.kind).label,
            "decision": step.decision,
            "department": step.department,
            "due": date_format(moment, "Y-m-d H:i" if step.kind == StepKind.UPLOAD else "Y-m-d"),
        }
        if kind == NoticeKind.OVERDUE:
            subject = _("Overdue: %(step)s, %(decision)s") % facts
            body = _("%(department)s did not “%(step)s” by %(due)s.") % facts
        else:
            subject = _("Due tomorrow: %(step)s, %(decision)s") % facts
            body = _("%(department)s: “%(step)s” is due by the end of %(due)s.") % facts
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
                decision_id=notice.step.decision_id,
                step=notice.step,
                to_state=notice.step.decision.state,
                detail={"due": notice.step.due_at.isoformat(), "recipients": notice.recipients},
            )
            for notice in notices
        ]
    )


DEADLINES = DeadlineNotices(
    steps=Step,
    guard=DeadlineNotice,
    key="decision-step",
    recipients=_recipients,
    texts=_texts,
    events=_events,
    related=("decision", "department"),
)


def decision_deadlines_sweep(
    *, now_: datetime.datetime | None = None, batch: int = 200
) -> SweepResult:
    """The periodic sweep of decision steps (Celery beat, config/celery.py): reminders and
    overdue notices, each once."""
    return deadline_notices_sweep(notices=DEADLINES, now=now_ or now(), batch=batch)
