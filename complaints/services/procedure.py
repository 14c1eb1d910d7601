"""The complaint procedure declared with `core.workflow` (SPEC §5, seed 004 五, 信访工作条例
2022): its transitions' table and the parts of the recipe every transition shares (the policy's
periods, starting and finishing steps, the event row, the notices to the holders).

Every transition is one service performing it inside `TRANSITIONS.transition(...)`: lock the
complaint, check its state against the table and find the open step the actor holds (the
"act" rule of complaints/permissions.py: the step's department and role, not stood aside) or
refuse saying whom it waits on; the service finishes that step and starts the next (a
ComplaintStep with its due moment counted in calendar days, SPEC §9), saves with
update_fields, writes the ComplaintEvent and the audit row, and tells the next holders after
the commit.
"""

import datetime
from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.choices import AuditAction, DeadlineUnit, NotificationKind
from core.models import Department, Jurisdiction, User
from core.permissions import can
from core.services import DomainError, audit_record, jurisdiction_policy, notification_send
from core.workflow import Clock, Move, Procedure, Rule
from core.workflow import TransitionRefused as WorkflowRefused

from ..choices import OPEN_STATES, ComplaintState, StepKind, Transition
from ..models import Complaint, ComplaintEvent, ComplaintPolicy, ComplaintStep, step_role
from ..permissions import ACT, EXTEND, STAND_ASIDE

S = ComplaintState
K = StepKind


class TransitionRefused(WorkflowRefused):
    """The action is not possible now (wrong state, not the actor's turn)."""


def policy_for(jurisdiction: Jurisdiction) -> ComplaintPolicy:
    """The policy a jurisdiction follows: its own, else the nearest one above it, else the
    defaults (信访工作条例 2022's periods), unsaved."""
    return jurisdiction_policy(ComplaintPolicy, jurisdiction)


def _period_of(complaint: Complaint, name: str) -> int:
    return int(getattr(policy_for(complaint.jurisdiction), name))


def _extends(user, complaint: Complaint) -> bool:
    return can(user, EXTEND, complaint)


def _may_stand_aside(user, complaint: Complaint) -> bool:
    return can(user, STAND_ASIDE, complaint)


def _public(user, complaint: Complaint) -> bool:
    """The complainant's own actions: the service checks the tracking secret; staff never
    perform them."""
    return user is None or not user.is_authenticated


class ComplaintProcedure(Procedure):
    def refuse_state(self, record: Complaint, name: str) -> TransitionRefused:
        if name == Transition.EXTEND and record.extension_days:
            return TransitionRefused(
                _("The handling period of complaint %(code)s was already extended once.")
                % {"code": record.code}
            )
        return TransitionRefused(
            _("“%(action)s” is not possible: complaint %(code)s is %(state)s.")
            % {
                "action": Transition(name).label,
                "code": record.code,
                "state": ComplaintState(record.state).label,
            }
        )

    def refuse_turn(self, record: Complaint, name: str) -> TransitionRefused:
        waiting = (
            ComplaintStep.objects.filter(complaint=record, finished_at=None)
            .select_related("department")
            .order_by("pk")
        )
        names = "、".join(dict.fromkeys(str(s.department) for s in waiting)) or "-"
        return TransitionRefused(
            _("“%(action)s” is not yours to do: complaint %(code)s is waiting on %(departments)s.")
            % {"action": Transition(name).label, "code": record.code, "departments": names}
        )


def _record_event(complaint: Complaint, transition: str, **kwargs) -> ComplaintEvent:
    return _event(complaint, transition, **kwargs)


# The table (docs/architecture.md, "Transitions"): the states each transition starts from, the
# state it leads to, the kind of open step its actor must hold, who else may, and the policy
# field of the period of the step it starts.
TRANSITIONS = ComplaintProcedure(
    model=Complaint,
    steps=ComplaintStep,
    record_field="complaint",
    event=_record_event,
    refusal=TransitionRefused,
    act=ACT,
    related=("jurisdiction", "department", "responsible"),
    label=lambda name: Transition(name).label,
    state_label=lambda state: ComplaintState(state).label,
    holder_label=lambda step: str(step.department),
    period_of=_period_of,
    now=lambda: _now(),
    rules={
        Transition.ACCEPT: Rule({S.RECEIVED}, S.HANDLING, steps={K.ACCEPT}, period="handle_days"),
        Transition.REFUSE: Rule({S.RECEIVED}, S.REFUSED, steps={K.ACCEPT}),
        Transition.TRANSFER: Rule({S.RECEIVED}, S.RECEIVED, steps={K.ACCEPT}, period="accept_days"),
        Transition.MERGE: Rule({S.RECEIVED}, S.MERGED, steps={K.ACCEPT}),
        Transition.ANSWER: Rule({S.HANDLING}, S.ANSWERED, steps={K.HANDLE}, period="check_days"),
        Transition.DECLINE: Rule(
            {S.HANDLING}, S.REASSIGNING, steps={K.HANDLE}, period="reassign_days"
        ),
        Transition.REASSIGN: Rule({S.REASSIGNING}, S.HANDLING, steps={K.REASSIGN}),
        # 信访工作条例 art. 34: extended once.
        Transition.EXTEND: Rule(
            {S.HANDLING, S.REASSIGNING},
            when=lambda complaint: not complaint.extension_days,
            may=_extends,
        ),
        Transition.RETURN: Rule({S.ANSWERED}, S.HANDLING, steps={K.CHECK}),
        Transition.CLOSE: Rule({S.ANSWERED}, S.CLOSED, steps={K.CHECK}),
        Transition.RATE: Rule({S.CLOSED}, may=_public),
        Transition.REVIEW_REQUEST: Rule({S.CLOSED}, S.REVIEWING, may=_public, period="review_days"),
        Transition.REVIEW: Rule({S.REVIEWING}, S.CLOSED, steps={K.REVIEW}),
        Transition.STAND_ASIDE: Rule(OPEN_STATES, may=_may_stand_aside),
    },
)


# --- the recipe's parts -------------------------------------------------------------------------


# The moment the procedure takes for "now": inside `as_of` receipt and every transition
# happen at a moment in the past (complaints.demo walks its complaints through the services
# at past dates, so that their periods, due moments and tracking stages read as they would
# have); else the clock.
CLOCK = Clock("complaints", "A complaint's history cannot be dated in the future.")
_now = CLOCK.now
as_of = CLOCK.as_of


def _start(
    complaint: Complaint,
    kind: str,
    department: Department,
    *,
    at: datetime.datetime,
    days: int,
    period_from: datetime.datetime | None = None,
    round: int = 1,
    acceptance_by: str = "",
) -> ComplaintStep:
    """A new open step with its due moment in calendar days (SPEC §5, §9), its holders told
    after the commit."""
    step = ComplaintStep(
        complaint=complaint,
        kind=kind,
        department=department,
        role=step_role(kind, acceptance_by),
        started_at=at,
        period_from=period_from,
        deadline_days=days,
        deadline_unit=DeadlineUnit.CALENDAR_DAYS,
        round=round,
    )
    calendar.apply_deadline(step)
    step.save()
    _notify_step(step)
    return step


def _finish(
    step: ComplaintStep,
    *,
    actor: User | None,
    outcome: str,
    opinion: str = "",
    at: datetime.datetime,
) -> ComplaintStep:
    step.finished_at = at
    step.finished_by = actor if actor is not None and actor.is_authenticated else None
    step.outcome = outcome
    step.opinion = opinion
    step.save(update_fields=["finished_at", "finished_by", "outcome", "opinion"])
    return step


def _finish_open(move: Move, *, outcome: str) -> None:
    """Ends every open step of the complaint (a refusal, a merge)."""
    for step in ComplaintStep.objects.select_for_update().filter(
        complaint=move.record, finished_at=None
    ):
        _finish(step, actor=move.actor, outcome=outcome, at=move.at)


def _event(
    complaint: Complaint,
    transition: str,
    *,
    actor: User | None,
    from_state: str,
    step: ComplaintStep | None = None,
    opinion: str = "",
    public_note: str = "",
    detail: dict | None = None,
    at: datetime.datetime | None = None,
) -> ComplaintEvent:
    """The complaint's event row and, for staff actions, the audit row (痕迹化管理)."""
    staff = actor if actor is not None and actor.is_authenticated else None
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        at=at or _now(),
        step=step,
        actor=staff,
        transition=transition,
        from_state=from_state,
        to_state=complaint.state,
        opinion=opinion,
        public_note=public_note,
        detail=detail or {},
    )
    audit_record(
        actor=staff,
        action=AuditAction.TRANSITION,
        obj=complaint,
        jurisdiction=complaint.jurisdiction,
        detail={
            "transition": str(transition),
            "from": from_state,
            "to": complaint.state,
            "step": step.pk if step else None,
        },
    )
    return event


def _require_text(text: str, what: str) -> str:
    from core.checkers import text_problem

    text = (text or "").strip()
    if not text:
        raise DomainError(_("Give the %(what)s.") % {"what": what})
    problem = text_problem(text, multiline=True)
    if problem:
        raise DomainError(problem)
    return text


def complaint_url(complaint: Complaint) -> str:
    return reverse("complaints:detail", args=[complaint.code])


def _notify_step(step: ComplaintStep) -> None:
    """The people who must act on a new step are told; their work queue shows it too."""
    complaint = step.complaint
    due = timezone.localtime(step.due_at, calendar.SHANGHAI) if step.due_at else None
    notification_send(
        recipients=ComplaintStep.holders_bulk([step])[step.pk],
        kind=NotificationKind.TASK_ASSIGNED,
        subject=_("%(step)s: complaint %(code)s")
        % {"step": StepKind(step.kind).label, "code": complaint.code},
        body=_("About %(department)s. Due: %(due)s.")
        % {
            "department": complaint.department,
            "due": due.strftime("%Y-%m-%d") if due else _("no deadline"),
        },
        url=complaint_url(complaint),
        dedupe_key=f"complaint-step:{step.pk}:assigned",
    )


def _open_step(complaint: Complaint, kinds: Sequence[str]) -> ComplaintStep | None:
    return (
        ComplaintStep.objects.filter(complaint=complaint, kind__in=kinds, finished_at=None)
        .order_by("pk")
        .first()
    )
