"""The deadline sweep of inspection steps: reminders one working day before due and overdue
notices (core.services.deadline_notices_sweep, the same as every workflow), and the escalation
of an overdue rectification (seed 002 管理办法 第十九条: 逾期未整改), once per notice."""

import datetime
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import calendar
from core.choices import NoticeKind, Role
from core.models import User
from core.services import DeadlineNotices, Notice, NoticeText, SweepResult, deadline_notices_sweep

from ..choices import AssessmentKind, StepKind, Transition
from ..models import DeadlineNotice, Event, Step
from .notices import escalate
from .procedure import now


def _recipients(steps: Sequence[Step], kind: NoticeKind) -> dict[int, list[User]]:
    """The holders; an overdue rectification also goes to the supervisors of the body that
    issued the notice (they follow it up; an inspection's publish step is theirs already). Two
    queries for any number of steps."""
    people = Step.holders_bulk(steps)
    if kind != NoticeKind.OVERDUE:
        return people
    issuers = {step.notice.issuer_id for step in steps if step.notice_id}
    supervisors: dict[int, list[User]] = {issuer: [] for issuer in issuers}
    for user in User.objects.filter(
        department_id__in=issuers, role=Role.SUPERVISOR, is_active=True
    ).order_by("pk"):
        supervisors[user.department_id].append(user)
    found = {}
    for step in steps:
        everyone = list(people[step.pk])
        if step.notice_id:
            everyone += supervisors[step.notice.issuer_id]
        found[step.pk] = list({user.pk: user for user in everyone}.values())
    return found


def _texts(steps: Sequence[Step], kind: NoticeKind) -> dict[int, NoticeText]:
    texts = {}
    for step in steps:
        facts = {
            "step": StepKind(step.kind).label,
            "record": step.notice or step.inspection,
            "department": step.department,
            "due": date_format(step.due_at.astimezone(calendar.SHANGHAI), "Y-m-d"),
        }
        if kind == NoticeKind.OVERDUE:
            subject = _("Overdue: %(step)s, %(record)s") % facts
            body = _("%(department)s did not finish “%(step)s” by the end of %(due)s.") % facts
        else:
            subject = _("Due tomorrow: %(step)s, %(record)s") % facts
            body = _("%(department)s: “%(step)s” is due by the end of %(due)s.") % facts
        texts[step.pk] = NoticeText(subject, body, step.holder_url())
    return texts


def _events(notices: Sequence[Notice], at: datetime.datetime) -> None:
    """Each notice on the record's timeline; an overdue rectification is escalated (once per
    notice: escalate's ledger entry is unique), in the batch's transaction."""
    Event.objects.bulk_create(
        [
            Event(
                at=at,
                transition=Transition.DEADLINE_REMINDER
                if notice.kind == NoticeKind.REMINDER
                else Transition.DEADLINE_OVERDUE,
                notice=notice.step.notice,
                inspection=notice.step.inspection,
                step=notice.step,
                detail={"due": notice.step.due_at.isoformat(), "recipients": notice.recipients},
            )
            for notice in notices
        ]
    )
    for notice in notices:
        if notice.kind == NoticeKind.OVERDUE and notice.step.kind == StepKind.RECTIFY:
            escalate(notice=notice.step.notice, kind=AssessmentKind.OVERDUE, at=at)


DEADLINES = DeadlineNotices(
    steps=Step,
    guard=DeadlineNotice,
    key="inspection-step",
    recipients=_recipients,
    texts=_texts,
    events=_events,
    related=(
        "notice__issuer",
        "notice__addressee",
        "inspection__plan",
        "inspection__department",
        "department",
    ),
)


def inspection_deadlines_sweep(
    *, now_: datetime.datetime | None = None, batch: int = 200
) -> SweepResult:
    """The periodic sweep of inspection steps (Celery beat, config/celery.py): reminders,
    overdue notices and the escalation of overdue rectification, each once."""
    return deadline_notices_sweep(notices=DEADLINES, now=now_ or now(), batch=batch)
