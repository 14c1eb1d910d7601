"""Test-only: a tiny procedure declared with core.workflow, as complaints, inspections,
decisions and accountability will declare theirs. "new" → accept (the intake step's holder) →
"handling" (a 5-working-day handling step for the same person) → close → "closed"; the owner
may withdraw while it is not closed."""

from django.db.models import Q

from core import calendar
from core.permissions import rule
from core.workflow import Procedure, Rule, TransitionRefused

from .models import Case, CaseEvent, CaseStep


class CaseRefused(TransitionRefused):
    pass


@rule("timed_app.casestep", "act")
def _step_act(user) -> Q:
    return Q(holder=user) if user is not None and user.is_authenticated else Q(pk__in=[])


def _owner(user, case: Case) -> bool:
    return case.owner_id == user.pk


def _event(case: Case, transition: str, *, actor, from_state, step, at, detail=None):
    return CaseEvent.objects.create(
        case=case,
        step=step,
        transition=transition,
        actor=actor,
        from_state=from_state,
        to_state=case.state,
        at=at,
        detail=detail or {},
    )


CASE = Procedure(
    model=Case,
    steps=CaseStep,
    event=_event,
    refusal=CaseRefused,
    holder_label=lambda step: str(step.holder),
    rules={
        "accept": Rule({"new"}, "handling", steps={"intake"}, period=5),
        "close": Rule({"handling"}, "closed", steps={"handling"}),
        "note": Rule({"new", "handling"}, steps={"intake", "handling"}),
        "withdraw": Rule({"new", "handling"}, "withdrawn", may=_owner),
    },
)


def case_step_start(case: Case, kind: str, holder, *, at) -> CaseStep:
    """A step started outside a transition (the intake step of a new case), without period."""
    step = CaseStep(case=case, kind=kind, holder=holder, started_at=at)
    calendar.apply_deadline(step)
    step.save()
    return step
