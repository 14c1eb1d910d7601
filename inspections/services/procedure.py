"""The procedures of inspections declared with `core.workflow` (SPEC §6): plans and their
draws, inspections (seed 004 二(三)) and rectification notices (seed 002 管理办法 第十九条), and
the parts every transition shares (the policy's periods, steps, the event row, notices).

Each transition is one service performing it inside `<PROCEDURE>.transition(...)`: lock the
record, check its state against the table and the actor's right (a rule's `may`) or the open
step they hold (the "act" rule of inspections/permissions.py), do the work, save with
update_fields, write the `Event` and the audit row, and tell people after the commit.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.choices import AuditAction, DeadlineUnit, NotificationKind
from core.documents import document_number
from core.models import Department, Jurisdiction, User
from core.permissions import can
from core.services import (
    audit_record,
    jurisdiction_policy,
    notification_send,
)
from core.workflow import Clock, Procedure, Rule
from core.workflow import TransitionRefused as WorkflowRefused

from ..choices import (
    InspectionState,
    NoticeState,
    PlanMode,
    PlanState,
    ProblemState,
    StepKind,
    Transition,
)
from ..models import (
    DocumentCounter,
    Event,
    Inspection,
    InspectionPolicy,
    Plan,
    RectificationNotice,
    Step,
)
from ..permissions import ACT, INSPECT, MANAGE


class TransitionRefused(WorkflowRefused):
    """The action is not possible now (wrong state, not the actor's turn)."""


def policy_for(jurisdiction: Jurisdiction) -> InspectionPolicy:
    """The policy a jurisdiction follows: its own, else the nearest above, else the defaults."""
    return jurisdiction_policy(InspectionPolicy, jurisdiction)


# The moment the procedures take for "now": inside `as_of` the demo walks its plans and
# notices through the services at dates in the past.
CLOCK = Clock("inspections", "An inspection's history cannot be dated in the future.")
now = CLOCK.now
as_of = CLOCK.as_of


def event_write(
    *,
    transition: str,
    actor: User | None,
    plan: Plan | None = None,
    inspection: Inspection | None = None,
    problem=None,
    notice: RectificationNotice | None = None,
    step: Step | None = None,
    from_state: str = "",
    to_state: str = "",
    opinion: str = "",
    detail: dict | None = None,
    at: datetime.datetime | None = None,
    jurisdiction: Jurisdiction | None = None,
    obj=None,
) -> Event:
    """The app's event row and, for staff actions, the audit row (痕迹化管理, seed 002
    监督检查办法 第十二条)."""
    staff = actor if actor is not None and actor.is_authenticated else None
    event = Event.objects.create(
        at=at or now(),
        actor=staff,
        transition=transition,
        plan=plan,
        inspection=inspection,
        problem=problem,
        notice=notice,
        step=step,
        from_state=from_state,
        to_state=to_state,
        opinion=opinion,
        detail=detail or {},
    )
    target = obj or notice or problem or inspection or plan
    audit_record(
        actor=staff,
        action=AuditAction.TRANSITION,
        obj=target,
        jurisdiction=jurisdiction,
        detail={"transition": str(transition), "from": from_state, "to": to_state},
    )
    return event


def problem_move(
    problem,
    state: str,
    *,
    transition: str,
    actor: User | None,
    notice: RectificationNotice | None = None,
    opinion: str = "",
    at: datetime.datetime | None = None,
):
    """A problem of the ledger (locked by the caller) changes state, with its event row: by the
    ledger's keepers (confirm, dismiss) or by its notice (issued, accepted, not fixed,
    withdrawn). A closing state records when it closed."""
    at = at or now()
    before = problem.state
    problem.state = state
    fields = ["state"]
    if state in (ProblemState.RECTIFIED, ProblemState.NOT_FIXED, ProblemState.DISMISSED):
        problem.closed_at = at
        fields.append("closed_at")
    problem.save(update_fields=fields)
    return event_write(
        transition=transition,
        actor=actor,
        problem=problem,
        notice=notice,
        from_state=before,
        to_state=state,
        opinion=opinion,
        jurisdiction=problem.jurisdiction,
        at=at,
    )


def _record_kwargs(record) -> dict:
    if isinstance(record, Plan):
        return {"plan": record, "jurisdiction": record.jurisdiction}
    if isinstance(record, Inspection):
        return {"inspection": record, "plan": record.plan, "jurisdiction": record.plan.jurisdiction}
    return {"notice": record, "jurisdiction": record.jurisdiction}


def _procedure_event(record, transition: str, **kwargs) -> Event:
    return event_write(
        transition=transition, to_state=record.state, **_record_kwargs(record), **kwargs
    )


def _manages(user, record) -> bool:
    return can(user, MANAGE, record)


def _inspects(user, inspection: Inspection) -> bool:
    return can(user, INSPECT, inspection)


def _random(plan: Plan) -> bool:
    return plan.mode == PlanMode.RANDOM


def _not_random(plan: Plan) -> bool:
    return plan.mode != PlanMode.RANDOM


def _label(name: str) -> str:
    return str(Transition(name).label)


def _period_of(record, name: str) -> int:
    jurisdiction = (
        record.plan.jurisdiction if isinstance(record, Inspection) else record.jurisdiction
    )
    return int(getattr(policy_for(jurisdiction), name))


P, S, N, K = PlanState, InspectionState, NoticeState, StepKind
T = Transition


class PlanProcedure(Procedure):
    def refuse_turn(self, record: Plan, name: str) -> TransitionRefused:
        return TransitionRefused(
            _("“%(action)s” is for a supervisor of %(jurisdiction)s.")
            % {"action": _label(name), "jurisdiction": record.jurisdiction}
        )


PLANS = PlanProcedure(
    model=Plan,
    steps=None,
    event=_procedure_event,
    refusal=TransitionRefused,
    related=("jurisdiction",),
    label=_label,
    state_label=lambda state: str(PlanState(state).label),
    now=lambda: now(),
    rules={
        T.COMMIT: Rule({P.DRAFT}, P.COMMITTED, may=_manages, when=_random),
        # Other modes name their units and inspectors (inspection_create): no draw.
        T.PLAN_START: Rule({P.DRAFT, P.UNDER_WAY}, P.UNDER_WAY, may=_manages, when=_not_random),
        T.DRAW: Rule({P.COMMITTED}, P.DRAWN, may=_manages),
        # A re-draw publishes a new commitment (with its reason) before drawing again.
        T.REDRAW: Rule({P.DRAWN}, P.COMMITTED, may=_manages),
        T.CANCEL: Rule({P.DRAFT, P.COMMITTED, P.DRAWN}, P.CANCELLED, may=_manages),
    },
)

INSPECTIONS = Procedure(
    model=Inspection,
    steps=Step,
    record_field="inspection",
    event=_procedure_event,
    refusal=TransitionRefused,
    act=ACT,
    related=("plan__jurisdiction", "department"),
    label=_label,
    state_label=lambda state: str(InspectionState(state).label),
    holder_label=lambda step: str(step.department),
    period_of=_period_of,
    now=lambda: now(),
    rules={
        T.INSPECTION_NOTIFY: Rule({S.PLANNED}, S.NOTIFIED, may=_inspects),
        T.INSPECTION_RECORD: Rule({S.NOTIFIED, S.UNDER_WAY}, S.UNDER_WAY, may=_inspects),
        T.INSPECTION_FINISH: Rule(
            {S.NOTIFIED, S.UNDER_WAY}, S.FINISHED, may=_inspects, period="publish_days"
        ),
        T.INSPECTION_PUBLISH: Rule({S.FINISHED}, S.PUBLISHED, steps={K.PUBLISH}),
    },
)

NOTICES = Procedure(
    model=RectificationNotice,
    steps=Step,
    record_field="notice",
    event=_procedure_event,
    refusal=TransitionRefused,
    act=ACT,
    related=("jurisdiction", "issuer", "addressee"),
    label=_label,
    state_label=lambda state: str(NoticeState(state).label),
    holder_label=lambda step: str(step.department),
    period_of=_period_of,
    now=lambda: now(),
    rules={
        T.NOTICE_ISSUE: Rule({N.DRAFT}, N.ISSUED, may=_manages),
        T.NOTICE_WITHDRAW: Rule({N.DRAFT, N.ISSUED, N.REPORTED}, N.WITHDRAWN, may=_manages),
        T.MILESTONE: Rule({N.ISSUED}, steps={K.RECTIFY}),
        T.NOTICE_REPORT: Rule({N.ISSUED}, N.REPORTED, steps={K.RECTIFY}, period="verify_days"),
        T.NOTICE_ACCEPT: Rule({N.REPORTED}, N.ACCEPTED, steps={K.VERIFY}),
        T.NOTICE_RETURN: Rule({N.REPORTED}, N.ISSUED, steps={K.VERIFY}),
        # 整改不到位: after a report, or when the unit never reported and the supervisor closes.
        T.NOTICE_NOT_FIXED: Rule({N.ISSUED, N.REPORTED}, N.NOT_FIXED, may=_manages),
    },
)


def step_start(
    *,
    department: Department,
    role: str,
    kind: str,
    at: datetime.datetime,
    days: int,
    notice: RectificationNotice | None = None,
    inspection: Inspection | None = None,
    period_from: datetime.datetime | None = None,
) -> Step:
    """A new open step with its due moment in working days (SPEC §9), its holders told after
    the commit."""
    step = Step(
        notice=notice,
        inspection=inspection,
        kind=kind,
        department=department,
        role=role,
        started_at=at,
        period_from=period_from,
        deadline_days=days,
        deadline_unit=DeadlineUnit.WORKING_DAYS,
    )
    calendar.apply_deadline(step)
    step.save()
    record = notice or inspection
    due = timezone.localtime(step.due_at, calendar.SHANGHAI) if step.due_at else None
    notification_send(
        recipients=Step.holders_bulk([step])[step.pk],
        kind=NotificationKind.TASK_ASSIGNED,
        subject=_("%(step)s: %(record)s") % {"step": StepKind(kind).label, "record": record},
        body=_("Due: %(due)s.") % {"due": due.strftime("%Y-%m-%d") if due else "-"},
        url=step.holder_url(),
        dedupe_key=f"inspection-step:{step.pk}:assigned",
    )
    return step


def step_finish(step: Step, *, actor: User | None, outcome: str, at: datetime.datetime) -> Step:
    step.finished_at = at
    step.finished_by = actor if actor is not None and actor.is_authenticated else None
    step.outcome = outcome
    step.save(update_fields=["finished_at", "finished_by", "outcome"])
    return step


def steps_finish_open(*, actor: User | None, outcome: str, at: datetime.datetime, **record) -> None:
    for step in Step.objects.select_for_update().filter(finished_at=None, **record):
        step_finish(step, actor=actor, outcome=outcome, at=at)


def document_number_next(*, issuer, prefix: str, year: int) -> tuple[int, str]:
    """The next serial of an issuing body's documents in a year, without gaps (GB/T 9704-2012
    7.2.4): the counter row is locked until the transaction ends, so two issues at once get
    consecutive numbers and a rollback gives its number back."""
    counter, _created = DocumentCounter.objects.get_or_create(issuer=issuer, year=year)
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, document_number(prefix=prefix, year=year, number=counter.last)
