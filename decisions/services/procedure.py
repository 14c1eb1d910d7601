"""The procedure of decisions declared with `core.workflow` (SPEC §11): a penalty case handled
here walks 立案→调查→告知→决定→送达→执行 (seed 003 三(二)2); every decision, however it came in,
is served and then published within 10 日 (seed 002 监督检查办法 第十三条), corrected or revoked.

Each transition is one service performing it inside `PROCEDURE.transition(...)`: lock the
decision, check its state and the actor's right against the table, do the work, save with
update_fields, write the `Event` and the audit row, and defer side effects to the commit.
"""

import datetime

from core.choices import AuditAction, Role
from core.models import Jurisdiction, User
from core.permissions import Action, can
from core.services import (
    audit_record,
    jurisdiction_policy,
)
from core.workflow import Clock, Procedure, Rule
from core.workflow import TransitionRefused as WorkflowRefused

from ..choices import DecisionState, StepKind, Transition
from ..models import Decision, DecisionPolicy, Event, Step
from ..permissions import ACT


class TransitionRefused(WorkflowRefused):
    """The action is not possible now (wrong state, not the actor's turn)."""


def policy_for(jurisdiction: Jurisdiction) -> DecisionPolicy:
    """The policy a jurisdiction follows: its own, else the nearest above, else the defaults."""
    return jurisdiction_policy(DecisionPolicy, jurisdiction)


# The moment the procedure takes for "now": inside `as_of` the demo's past-dated history.
CLOCK = Clock("decisions", "A decision's history cannot be dated in the future.")
now = CLOCK.now
today = CLOCK.today
as_of = CLOCK.as_of


def event_write(
    *,
    decision: Decision,
    transition: str,
    actor: User | None,
    step: Step | None = None,
    from_state: str = "",
    to_state: str = "",
    opinion: str = "",
    detail: dict | None = None,
    at: datetime.datetime | None = None,
) -> Event:
    """The decision's event row and the audit row (全过程"痕迹"管理, seed 002 监督检查办法
    第十二条). A case system's push has no user: the audit row names its key in `detail`."""
    staff = actor if actor is not None and actor.is_authenticated else None
    event = Event.objects.create(
        at=at or now(),
        actor=staff,
        transition=transition,
        decision=decision,
        step=step,
        from_state=from_state,
        to_state=to_state or decision.state,
        opinion=opinion,
        detail=detail or {},
    )
    audit_record(
        actor=staff,
        action=AuditAction.TRANSITION,
        obj=decision,
        jurisdiction=decision.jurisdiction,
        detail={"transition": str(transition), "from": from_state, "to": event.to_state}
        # A case system's push has no user: the trail names its key where it names a user.
        | (
            {"key": detail["key"], "username": f"key:{detail['key']}"}
            if detail and "key" in detail
            else {}
        ),
    )
    return event


def _procedure_event(record: Decision, transition: str, **kwargs) -> Event:
    return event_write(decision=record, transition=transition, **kwargs)


def _clerk_of(user, decision: Decision) -> bool:
    return can(user, Action.CHANGE, decision)


def _unpublished(decision: Decision) -> bool:
    return decision.published_at is None


def _published(decision: Decision) -> bool:
    return decision.published_at is not None


CASE_STAGES = {
    "investigate": (DecisionState.FILED, DecisionState.INVESTIGATING),
    "notify": (DecisionState.INVESTIGATING, DecisionState.NOTIFIED),
    "decide": (DecisionState.NOTIFIED, DecisionState.DECIDED),
    "serve": (DecisionState.DECIDED, DecisionState.SERVED),
    "execute": (DecisionState.SERVED, DecisionState.EXECUTED),
}
LIVE = [state for state in DecisionState if state != DecisionState.REVOKED]

RULES = {
    **{
        name: Rule(sources={source}, target=target, may=_clerk_of)
        for name, (source, target) in CASE_STAGES.items()
    },
    # Seed 002 监督检查办法 第十三条: published within 10 日 of service, by the department's
    # clerks, who hold the publish step; a late publication is still one (and is flagged).
    "publish": Rule(
        sources={DecisionState.SERVED, DecisionState.EXECUTED},
        steps={StepKind.PUBLISH},
        when=_unpublished,
    ),
    "correct": Rule(sources=set(LIVE), may=_clerk_of),
    "redact": Rule(sources=set(LIVE), may=_clerk_of, when=_published),
    "revoke": Rule(sources=set(LIVE), target=DecisionState.REVOKED, may=_clerk_of),
}

TRANSITION_OF = {
    "investigate": Transition.INVESTIGATE,
    "notify": Transition.NOTIFY,
    "decide": Transition.DECIDE,
    "serve": Transition.SERVE,
    "execute": Transition.EXECUTE,
    "publish": Transition.PUBLISH,
    "correct": Transition.CORRECT,
    "redact": Transition.REDACT,
    "revoke": Transition.REVOKE,
}


def _label(name: str) -> str:
    return str(Transition(TRANSITION_OF[name]).label)


def _holder(step: Step) -> str:
    return f"{step.department} {Role(step.role).label}"


PROCEDURE = Procedure(
    model=Decision,
    steps=Step,
    event=lambda record, name, **kwargs: _procedure_event(record, TRANSITION_OF[name], **kwargs),
    rules=RULES,
    act=ACT,
    refusal=TransitionRefused,
    related=("department", "jurisdiction", "body", "item"),
    label=_label,
    state_label=lambda state: str(DecisionState(state).label),
    holder_label=_holder,
    now=now,
)
