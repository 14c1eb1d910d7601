"""Test-only writes, shaped like the product's services."""

import datetime

from django.db import transaction

from core import calendar
from core.choices import DeadlineUnit

from .models import Case, CaseStep, TimedThing
from .procedure import CASE, case_step_start


@transaction.atomic
def timed_thing_start(
    *,
    actor,
    title: str,
    started_at: datetime.datetime,
    days: int,
    unit: DeadlineUnit = DeadlineUnit.WORKING_DAYS,
) -> TimedThing:
    """A step with a period, its due moment computed as a workflow would."""
    thing = TimedThing(title=title, started_at=started_at, deadline_days=days, deadline_unit=unit)
    calendar.apply_deadline(thing)
    thing.save()
    return thing


@transaction.atomic
def timed_thing_finish(*, actor, thing: TimedThing, at: datetime.datetime) -> TimedThing:
    thing.finished_at = at
    thing.save(update_fields=["finished_at"])
    return thing


# --- the test-only procedure (tests/timed_app/procedure.py) ---------------------------------


@transaction.atomic
def case_open(*, actor, title: str, intake, at: datetime.datetime) -> Case:
    case = Case.objects.create(title=title, owner=actor)
    case_step_start(case, "intake", intake, at=at)
    return case


def case_accept(*, actor, case: Case, effect=None) -> Case:
    """The intake step's holder accepts: the handling step starts with the declared period."""
    with CASE.transition(case, "accept", actor=actor) as move:
        move.finish()
        move.set(move.rule.target)
        move.start(CaseStep(case=move.record, kind="handling", holder=actor))
        move.event_with(detail={"period": move.period()})
        if effect is not None:
            move.after(effect)
    return move.record


def case_note(*, actor, case: Case, note: str, fail: bool = False, effect=None) -> Case:
    """A transition that keeps the state and changes one field; `fail` raises after the work,
    to show that nothing of it stays."""
    with CASE.transition(case, "note", actor=actor) as move:
        move.set(note=note)
        if effect is not None:
            move.after(effect)
        if fail:
            raise ValueError("refused after the work")
    return move.record


def case_withdraw(*, actor, case: Case) -> Case:
    with CASE.transition(case, "withdraw", actor=actor) as move:
        for step in CaseStep.objects.select_for_update().filter(case=move.record, finished_at=None):
            move.finish(step)
        move.set(move.rule.target)
    return move.record
