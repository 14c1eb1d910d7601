"""Accountability cases (责任追究, SPEC §7; issue 15 §1–§2), declared with `core.workflow`.

A supervisor (纪委/监察) of a jurisdiction opens a case against one of its departments, and named
persons where known, on grounds of seed 002 监督检查办法 第二十条–第二十二条 (or seed 003's
组织不力、未按时限完成任务), with the facts that led to it; the product proposes such facts but
never opens a case by itself. The decide step runs 6 months from the opening, extendable once
to 12 (行政机关公务员处分条例 第四十四条); investigators with an interest stand aside (第四十二条).
The decision gives each person a sanction with its term (第七条, 第十条), a lighter measure, or
none with reasons, and records it into the person's personnel and integrity files (seed 000
四(三)).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.checkers import text_problem
from core.choices import AuditAction, DeadlineUnit, Role
from core.models import Department, Person, User
from core.permissions import Action, can
from core.services import DomainError, audit_record, permission_require
from core.workflow import Procedure, Rule
from core.workflow import TransitionRefused as WorkflowRefused

from ..choices import CaseState, FactKind, FileKind, Measure, StepKind, Transition
from ..models import Case, Event, Evidence, FileRecord, Ground, Investigator, Outcome, Step, Subject
from ..permissions import MANAGE
from .terms import is_lighter, sanction_for, term_end

# 行政机关公务员处分条例 第四十四条: 自立案之日起6个月内作出处分决定; 案情复杂或者遇有其他特殊
# 情形的, 办案期限可以延长, 但是最长不得超过12个月.
CASE_MONTHS = 6
CASE_MONTHS_EXTENDED = 12


class TransitionRefused(WorkflowRefused):
    """The action is not possible now (wrong state, not the actor's turn)."""


def _text(value: str, what: str, *, required: bool = True, multiline: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("Give the %(what)s.") % {"what": what})
    problem = value and text_problem(value, multiline=multiline)
    if problem:
        raise DomainError(problem)
    return value


def event_write(
    *,
    case: Case,
    transition: str,
    actor: User | None,
    step: Step | None = None,
    from_state: str = "",
    opinion: str = "",
    detail: dict | None = None,
    at: datetime.datetime | None = None,
) -> Event:
    """The case's event row and the audit row."""
    staff = actor if actor is not None and actor.is_authenticated else None
    event = Event.objects.create(
        at=at or timezone.now(),
        actor=staff,
        transition=transition,
        case=case,
        step=step,
        from_state=from_state,
        to_state=case.state,
        opinion=opinion,
        detail=detail or {},
    )
    audit_record(
        actor=staff,
        action=AuditAction.TRANSITION,
        obj=case,
        jurisdiction=case.jurisdiction,
        detail={"transition": str(transition), "from": from_state, "to": case.state},
    )
    return event


def _manages(user, case: Case) -> bool:
    return can(user, MANAGE, case)


def _not_extended(case: Case) -> bool:
    return not case.extended


_TRANSITION_OF = {
    "investigate": Transition.INVESTIGATE,
    "extend": Transition.EXTEND,
    "decide": Transition.DECIDE,
    "close": Transition.CLOSE,
}

PROCEDURE = Procedure(
    model=Case,
    steps=Step,
    event=lambda record, name, **kwargs: event_write(
        case=record, transition=_TRANSITION_OF[name], **kwargs
    ),
    rules={
        "investigate": Rule(
            sources={CaseState.OPENED}, target=CaseState.INVESTIGATED, may=_manages
        ),
        "extend": Rule(
            sources={CaseState.OPENED, CaseState.INVESTIGATED}, may=_manages, when=_not_extended
        ),
        "decide": Rule(sources={CaseState.INVESTIGATED}, target=CaseState.DECIDED, may=_manages),
        "close": Rule(sources={CaseState.DECIDED}, target=CaseState.CLOSED, may=_manages),
    },
    refusal=TransitionRefused,
    related=("jurisdiction", "department"),
    label=lambda name: str(Transition(_TRANSITION_OF[name]).label),
    state_label=lambda state: str(CaseState(state).label),
)


@dataclass(frozen=True)
class EvidenceInput:
    kind: str
    reference: str
    label: str
    url: str = ""


@transaction.atomic
def case_open(
    *,
    actor: User,
    department: Department,
    title: str,
    summary: str,
    grounds: Sequence[Ground],
    people: Sequence[Person] = (),
    evidence: Sequence[EvidenceInput] = (),
) -> Case:
    """A supervisor opens a case (立案) against a department of their jurisdiction, on grounds,
    naming the persons concerned where known and the facts that led to it. The decide step
    starts: 6 months (处分条例 第四十四条), held by the supervisors of the opener's department."""
    case = Case(
        jurisdiction=department.jurisdiction,
        department=department,
        title=_text(title, _("title of the case"), multiline=False),
        summary=_text(summary, _("facts of the case")),
        opened_by=actor,
        opened_at=timezone.now(),
    )
    permission_require(actor, Action.ADD, Case)
    if not actor.is_superuser and not department.jurisdiction.is_within(actor.jurisdiction):
        raise DomainError(_("You open cases in your own jurisdiction only."))
    if not grounds:
        raise DomainError(_("Choose at least one ground."))
    for person in people:
        if person.department_id != department.pk:
            raise DomainError(
                _("%(person)s is not of %(department)s.")
                % {"person": person, "department": department}
            )
    for item in evidence:
        if item.kind not in FactKind.values:
            raise DomainError(_("Unknown kind of fact."))
    case.save()
    case.grounds.set(grounds)
    Subject.objects.bulk_create([Subject(case=case, person=person) for person in people])
    Evidence.objects.bulk_create(
        [
            Evidence(
                case=case,
                kind=item.kind,
                reference=_text(item.reference, _("reference"), multiline=False)[:100],
                label=_text(item.label, _("fact"), multiline=False)[:300],
                url=item.url[:300],
            )
            for item in evidence
        ]
    )
    step = Step(
        case=case,
        kind=StepKind.DECIDE,
        department_id=actor.department_id,
        role=Role.SUPERVISOR,
        started_at=case.opened_at,
        deadline_days=CASE_MONTHS,
        deadline_unit=DeadlineUnit.MONTHS,
    )
    calendar.apply_deadline(step)
    step.save()
    event_write(case=case, transition=Transition.OPEN, actor=actor, step=step, at=case.opened_at)
    return case


def _interest(user: User, case: Case) -> str:
    """Why `user` has an interest in the case (处分条例 第四十二条), or "": they work in the
    department concerned, or are a person concerned."""
    if user.department_id == case.department_id:
        return _("works in the department concerned")
    names = set(case.subjects.values_list("person__name", flat=True))
    full_name = f"{user.last_name}{user.first_name}".strip()
    if full_name and full_name in names:
        return _("is a person concerned")
    return ""


@transaction.atomic
def investigator_add(*, actor: User, case: Case, user: User) -> Investigator:
    """Names an investigator. Someone with an interest cannot investigate (第四十二条: 与违纪
    违法案件有利害关系的, 应当回避): the service refuses them with the reason."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not _manages(actor, case):
        raise DomainError(_("Only the supervisors of the case's jurisdiction name investigators."))
    if case.state not in (CaseState.OPENED, CaseState.INVESTIGATED):
        raise DomainError(_("The investigation is over."))
    if not user.is_active or not user.role:
        raise DomainError(_("An investigator is an active staff user."))
    reason = _interest(user, case)
    if reason:
        raise DomainError(
            _("%(user)s must stand aside (回避): %(reason)s.") % {"user": user, "reason": reason}
        )
    if Investigator.objects.filter(case=case, user=user, recused_at=None).exists():
        raise DomainError(_("%(user)s investigates this case already.") % {"user": user})
    investigator, _created = Investigator.objects.update_or_create(
        case=case, user=user, defaults={"recused_at": None, "recusal_reason": ""}
    )
    event_write(
        case=case,
        transition=Transition.INVESTIGATOR,
        actor=actor,
        detail={"investigator": user.pk},
    )
    return investigator


@transaction.atomic
def investigator_recuse(*, actor: User, investigator: Investigator, reason: str) -> Investigator:
    """An investigator stands aside (回避) for an interest found later: on their own request or
    decided by the supervisors; the reason is kept."""
    investigator = (
        Investigator.objects.select_for_update().select_related("case").get(pk=investigator.pk)
    )
    if actor.pk != investigator.user_id and not _manages(actor, investigator.case):
        raise DomainError(_("Only the investigator or the case's supervisors may do this."))
    if investigator.recused_at is not None:
        raise DomainError(_("This investigator stood aside already."))
    investigator.recused_at = timezone.now()
    investigator.recusal_reason = _text(reason, _("reason for standing aside"))
    investigator.save(update_fields=["recused_at", "recusal_reason"])
    event_write(
        case=investigator.case,
        transition=Transition.RECUSE,
        actor=actor,
        opinion=investigator.recusal_reason,
        detail={"investigator": investigator.user_id},
    )
    return investigator


def case_investigated(*, actor: User, case: Case, findings: str) -> Case:
    """The investigation is over: its findings are recorded."""
    findings = _text(findings, _("findings of the investigation"))
    with PROCEDURE.transition(case, "investigate", actor=actor) as move:
        if not move.record.investigators.filter(recused_at=None).exists():
            raise DomainError(_("Name an investigator first."))
        move.set(CaseState.INVESTIGATED, findings=findings)
    return move.record


def case_extend(*, actor: User, case: Case, reason: str) -> Case:
    """案情复杂或者遇有其他特殊情形 (第四十四条): the period runs to 12 months from the opening,
    once."""
    reason = _text(reason, _("reason for the extension"))
    with PROCEDURE.transition(case, "extend", actor=actor) as move:
        step = (
            Step.objects.select_for_update()
            .filter(case=move.record, kind=StepKind.DECIDE, finished_at=None)
            .first()
        )
        if step is None:
            raise DomainError(_("The case has no open period to extend."))
        step.deadline_days = CASE_MONTHS_EXTENDED
        calendar.apply_deadline(step)
        step.save(
            update_fields=[
                "deadline_days",
                "due_at",
                "due_confirmed",
                "calendar_revision",
                "remind_at",
                "reminded_at",
                "overdue_at",
            ]
        )
        move.set(extended=True, extension_reason=reason)
        move.event_with(opinion=reason, step=step)
    return move.record


@dataclass(frozen=True)
class OutcomeInput:
    """One person's outcome (or the department's, `subject` None): sanctions given for their
    acts (`sanctions`), the term the deciding body sets (None: the longest allowed), a lighter
    measure, or neither, with the reasons."""

    subject: Subject | None
    reasons: str
    sanctions: Sequence[str] = ()
    months: int | None = None
    lighter: str = ""
    starts_on: datetime.date | None = None


def _file_text(outcome: Outcome, case: Case) -> str:
    measures = "、".join(str(Measure(m).label) for m in outcome.measures) or _("no measure")
    text = _("%(measures)s, case “%(case)s”.") % {"measures": measures, "case": case}
    if outcome.term_months:
        text += " " + _("Term %(months)s months, %(start)s to %(end)s.") % {
            "months": outcome.term_months,
            "start": outcome.starts_on.isoformat(),
            "end": outcome.ends_on.isoformat(),
        }
    return text


def case_decide(*, actor: User, case: Case, outcomes: Sequence[OutcomeInput]) -> Case:
    """处分决定: an outcome per person concerned; a sanction's term is computed (第七条, 第十条)
    from the day it takes effect; each person's outcome goes into their personnel and integrity
    files (seed 000 四(三): 记入个人人事档案和廉政档案). The decide step finishes."""
    if not outcomes:
        raise DomainError(_("Give the outcome of the case."))
    with PROCEDURE.transition(case, "decide", actor=actor) as move:
        locked = move.record
        subjects = {subject.pk for subject in locked.subjects.all()}
        seen = set()
        for given in outcomes:
            if given.subject is not None and given.subject.pk not in subjects:
                raise DomainError(_("That person is not concerned by this case."))
            key = given.subject.pk if given.subject else None
            if key in seen:
                raise DomainError(_("One outcome per person."))
            seen.add(key)
            reasons = _text(given.reasons, _("reasons of the outcome"))
            if given.sanctions and given.lighter:
                raise DomainError(_("Give a sanction or a lighter measure, not both."))
            if given.lighter and not is_lighter(given.lighter):
                raise DomainError(_("Unknown measure."))
            measures, months, starts, ends = [], None, None, None
            if given.sanctions:
                if given.subject is None:
                    raise DomainError(_("A sanction is given to a person, not a department."))
                sanction = sanction_for(given.sanctions, given.months)
                measures = [sanction.measure]
                months = sanction.months
                starts = given.starts_on or timezone.localdate(move.at)
                ends = term_end(starts, months) if months else None
            elif given.lighter:
                measures = [given.lighter]
            outcome = Outcome.objects.create(
                case=locked,
                subject=given.subject,
                measures=measures,
                term_months=months,
                starts_on=starts,
                ends_on=ends,
                reasons=reasons,
                decided_at=move.at,
            )
            if given.subject is not None:
                text = _file_text(outcome, locked)
                FileRecord.objects.bulk_create(
                    [
                        FileRecord(
                            person=given.subject.person,
                            kind=kind,
                            outcome=outcome,
                            text=text,
                            recorded_at=move.at,
                        )
                        for kind in FileKind
                    ]
                )
        for step in Step.objects.select_for_update().filter(case=locked, finished_at=None):
            move.finish(step, finished_by=actor)
        move.set(CaseState.DECIDED, decided_at=move.at)
    return move.record


def case_close(*, actor: User, case: Case) -> Case:
    """结案."""
    with PROCEDURE.transition(case, "close", actor=actor) as move:
        move.set(CaseState.CLOSED, closed_at=move.at)
    return move.record
