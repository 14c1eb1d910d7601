"""One workflow mechanism for every procedure (issue 10 §1).

The adjustment procedure (seed 004 三(三)) and the procedures of complaints, inspections,
decisions and accountability share one recipe (docs/architecture.md, "One workflow
mechanism"): lock the record, check its state and the actor's turn against a declared table,
do the procedure's own work, save with `update_fields`, write the event row, and defer side
effects until the commit. A procedure declares its table once:

    PROCEDURE = Procedure(
        model=Case,
        steps=CaseStep,                   # a core.TimedStep subclass with `case` and `kind`
        event=case_event,                 # writes the append-only event row
        refusal=CaseRefused,              # a TransitionRefused subclass
        rules={
            "accept": Rule(sources={"new"}, target="handling", steps={"intake"}, period=5),
            "withdraw": Rule(sources={"new", "handling"}, target="withdrawn", may=is_owner),
        },
    )

and each service performs one transition:

    with PROCEDURE.transition(case, "accept", actor=actor) as move:
        move.step  # the open step the actor holds, locked
        ...        # the procedure's own work; move.set(...), move.event_with(...),
        move.after(lambda: task.delay(case.pk))    # side effects, after the commit

The page's action panel and the API ask `PROCEDURE.available(user, record)` for what the user
may do now, from the same table. Nothing here knows any workflow app.
"""

import contextvars
import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.permissions import restrict
from core.services import DomainError


class Clock:
    """The moment a procedure takes for "now": the clock, or inside `as_of(moment)` that moment
    (aware, not in the future). The demos walk their records through the services at dates in
    the past with it, so that periods, due moments and stages read as they would have. Each
    app has its own (`name`), so that one app's past never dates another's transitions;
    `future_refused` is what a moment in the future is refused with."""

    def __init__(self, name: str, future_refused: str):
        self._as_of: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
            f"{name}_as_of", default=None
        )
        self.future_refused = future_refused

    def now(self) -> datetime.datetime:
        return self._as_of.get() or timezone.now()

    def today(self) -> datetime.date:
        return timezone.localdate(self.now())

    @contextmanager
    def as_of(self, moment: datetime.datetime) -> Iterator[None]:
        """Every transition inside happens at `moment`."""
        if moment > timezone.now():
            raise ValueError(self.future_refused)
        token = self._as_of.set(moment)
        try:
            yield
        finally:
            self._as_of.reset(token)


class TransitionRefused(DomainError):
    """The transition is not possible now: the record is in another state, or it waits on
    someone else. The message says what it waits on."""


def _frozen(values: Iterable[str]) -> frozenset[str]:
    return frozenset(str(value) for value in values)


@dataclass(frozen=True)
class Rule:
    """One row of a procedure's table.

    `sources`: the states the transition starts from. `target`: the state it leads to (None:
    the state stays, or the service chooses among several by the facts, e.g. "approving once
    the last reviewer has answered"). `steps`: the kinds of open step the actor must hold
    (empty: the transition acts on the record itself and `may` decides who). `when`: a
    predicate on the record (e.g. the path it follows). `may`: a predicate on (user, record),
    the actor's permission. `holds`: a predicate on the step the actor holds (e.g. the primary
    reviewer's). `period`: the period of the step the transition starts, in days, or the name
    the procedure's `period_of` resolves (e.g. a policy field)."""

    sources: frozenset[str]
    target: str | None = None
    steps: frozenset[str] = frozenset()
    when: Callable[[models.Model], bool] | None = None
    may: Callable[[object, models.Model], bool] | None = None
    holds: Callable[[models.Model], bool] | None = None
    period: int | str | None = None

    def __post_init__(self):
        object.__setattr__(self, "sources", _frozen(self.sources))
        object.__setattr__(self, "steps", _frozen(self.steps))

    def applies(self, record: models.Model, state: str) -> bool:
        return state in self.sources and (self.when is None or self.when(record))


@dataclass
class Move:
    """One transition under way, inside its transaction: the locked record, the step the
    actor holds (locked), the state it started from and the moment it happens (every step it
    finishes or starts and its event share it, so the log sorts in the order things happened)."""

    procedure: "Procedure"
    name: str
    record: models.Model
    actor: object
    step: models.Model | None
    before: str
    at: datetime.datetime
    rule: Rule
    fields: list[str] = field(default_factory=list)
    event_kwargs: dict = field(default_factory=dict)
    event: models.Model | None = None
    record_event: bool = True
    _after: list[Callable[[], None]] = field(default_factory=list)

    @property
    def state(self) -> str:
        return getattr(self.record, self.procedure.state_field)

    def set(self, state: str | None = None, **values) -> None:
        """Changes the record (saved with update_fields when the block ends)."""
        if state is not None:
            values[self.procedure.state_field] = state
        for name, value in values.items():
            setattr(self.record, name, value)
            if name not in self.fields:
                self.fields.append(name)

    def save(self) -> None:
        """Saves what changed so far (a service that needs the row saved before the block
        ends, e.g. before it closes the record's steps)."""
        if self.fields:
            self.record.save(update_fields=list(self.fields))
            self.fields.clear()

    def event_with(self, **kwargs) -> None:
        """What the event row carries besides the common columns (opinion, detail, ...)."""
        self.event_kwargs.update(kwargs)

    def write_event(self, **kwargs) -> models.Model:
        """Writes the event row now (saving the record first), instead of at the end."""
        self.save()
        self.event_with(**kwargs)
        # The step and moment are the actor's and the move's unless the procedure says
        # otherwise (e.g. an event about the step the transition starts).
        columns = {"actor": self.actor, "from_state": self.before, "step": self.step, "at": self.at}
        self.event = self.procedure.event(
            self.record, self.name, **{**columns, **self.event_kwargs}
        )
        return self.event

    def finish(self, step: models.Model | None = None, **fields) -> models.Model:
        """Ends a step (by default the one the actor holds) at the move's moment, with the
        procedure's own columns (outcome, opinion, ...), saved with update_fields."""
        step = step or self.step
        step.finished_at = self.at
        for name, value in fields.items():
            setattr(step, name, value)
        step.save(update_fields=["finished_at", *fields])
        return step

    def start(self, step: models.Model) -> models.Model:
        """Starts a new step (an unsaved core.TimedStep) at the move's moment: its period is its
        own or else the rule's declared one, its due moment from the core calendar."""
        step.started_at = self.at
        if step.deadline_days is None:
            step.deadline_days = self.period()
        calendar.apply_deadline(step)
        step.save()
        return step

    def after(self, effect: Callable[[], None]) -> None:
        """A side effect (a task, an e-mail) for after the commit; never run on a rollback."""
        self._after.append(effect)

    def period(self) -> int | None:
        """The declared period of the step this transition starts, in days."""
        return self.procedure.period_days(self.record, self.rule)


class Procedure:
    """A procedure's declared table and the one recipe that performs its transitions."""

    def __init__(
        self,
        *,
        model: type[models.Model],
        steps: type[models.Model] | None,
        event: Callable[..., models.Model],
        rules: Mapping[str, Rule],
        record_field: str | None = None,
        state_field: str = "state",
        kind_field: str = "kind",
        act: str = "act",
        refusal: type[TransitionRefused] = TransitionRefused,
        related: tuple[str, ...] = (),
        label: Callable[[str], str] = str,
        state_label: Callable[[str], str] = str,
        holder_label: Callable[[models.Model], str] = str,
        period_of: Callable[[models.Model, str], int] | None = None,
        now: Callable[[], datetime.datetime] = timezone.now,
    ):
        self.model, self.step_model, self.event, self.rules = model, steps, event, dict(rules)
        self.record_field = record_field or (model._meta.model_name if steps else None)
        self.state_field, self.kind_field, self.act = state_field, kind_field, act
        self.refusal, self.related = refusal, related
        self.label, self.state_label, self.holder_label = label, state_label, holder_label
        self.period_of, self.now = period_of, now

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __getitem__(self, name: str) -> Rule:
        return self.rules[name]

    def __contains__(self, name: object) -> bool:
        return name in self.rules

    def keys(self):
        return self.rules.keys()

    def items(self):
        return self.rules.items()

    # --- the recipe ------------------------------------------------------------------------

    def lock(self, record: models.Model) -> models.Model:
        return (
            self.model.objects.select_for_update(of=("self",))
            .select_related(*self.related)
            .get(pk=record.pk)
        )

    def _open_steps(self, record: models.Model):
        return self.step_model.objects.filter(
            **{self.record_field: record, "finished_at": None}
        ).order_by("pk")

    def refuse_state(self, record: models.Model, name: str) -> TransitionRefused:
        return self.refusal(
            _("“%(action)s” is not possible: %(record)s is %(state)s.")
            % {
                "action": self.label(name),
                "record": record,
                "state": self.state_label(getattr(record, self.state_field)),
            }
        )

    def refuse_turn(self, record: models.Model, name: str) -> TransitionRefused:
        holders = [self.holder_label(step) for step in self._open_steps(record)]
        return self.refusal(
            _("“%(action)s” is not yours to do: %(record)s is waiting on %(holders)s.")
            % {
                "action": self.label(name),
                "record": record,
                "holders": "、".join(dict.fromkeys(holders)) or "-",
            }
        )

    def begin(
        self, record: models.Model, name: str, actor
    ) -> tuple[models.Model, models.Model | None]:
        """Locks the record, checks the table, and finds (and locks) the open step the actor
        holds, or refuses. `actor` None: the system acts (a sweep), any holder's step will do."""
        locked = self.lock(record)
        rule = self.rules[name]
        if not rule.applies(locked, getattr(locked, self.state_field)):
            raise self.refuse_state(locked, name)
        if actor is not None and rule.may is not None and not rule.may(actor, locked):
            raise self.refuse_turn(locked, name)
        if not rule.steps:
            return locked, None
        steps = self.step_model.objects.select_for_update().filter(
            **{
                self.record_field: locked,
                f"{self.kind_field}__in": rule.steps,
                "finished_at": None,
            }
        )
        if actor is not None:
            steps = restrict(steps, actor, self.act)
        step = steps.order_by("pk").first()
        if step is None:
            raise self.refuse_turn(locked, name)
        return locked, step

    @contextmanager
    def transition(self, record: models.Model, name: str, *, actor):
        """Performs transition `name` on `record` for `actor`: locks and checks (see `begin`),
        yields a `Move` for the service's own work, then saves the record's changed fields,
        writes the event row (unless the service wrote it, or set `record_event` False) and
        registers the side effects to run after the commit. An exception rolls it all back and
        runs no side effect."""
        with transaction.atomic():
            locked, step = self.begin(record, name, actor)
            move = Move(
                procedure=self,
                name=name,
                record=locked,
                actor=actor,
                step=step,
                before=getattr(locked, self.state_field),
                at=self.now(),
                rule=self.rules[name],
            )
            yield move
            move.save()
            if move.event is None and move.record_event:
                move.write_event()
            for effect in move._after:
                transaction.on_commit(effect)

    # --- reading the table -----------------------------------------------------------------

    def period_days(self, record: models.Model, rule: Rule) -> int | None:
        if rule.period is None or isinstance(rule.period, int):
            return rule.period
        if self.period_of is None:
            raise LookupError(f"{self.model.__name__}: no period_of for {rule.period!r}")
        return self.period_of(record, rule.period)

    def available(self, user, record: models.Model, *, open_steps=None) -> list[str]:
        """The transitions `user` may perform on `record` now, in the table's order: what the
        page's action panel offers and the API lists (the transition checks again when it is
        performed). `open_steps`: the record's open steps if already loaded."""
        state = getattr(record, self.state_field)
        candidates = [(n, r) for n, r in self.rules.items() if r.applies(record, state)]
        mine: list = []
        if self.step_model is not None:
            if open_steps is None:
                open_steps = list(self._open_steps(record))
            actable = set(
                restrict(self.step_model.objects.all(), user, self.act)
                .filter(pk__in=[s.pk for s in open_steps])
                .values_list("pk", flat=True)
            )
            mine = [s for s in open_steps if s.pk in actable]
        found = []
        for name, rule in candidates:
            if rule.steps:
                holding = [s for s in mine if getattr(s, self.kind_field) in rule.steps]
                if rule.holds is not None:
                    holding = [s for s in holding if rule.holds(s)]
                if not holding:
                    continue
            if rule.may is not None and not rule.may(user, record):
                continue
            found.append(str(name))
        return found
