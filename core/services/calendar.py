"""The working-day calendar (SPEC §9): schedules, revisions and the recomputation of every
open deadline they move.
"""

import datetime
import operator
from dataclasses import dataclass
from functools import lru_cache, reduce
from typing import NamedTuple

from django.apps import apps
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import calendar as working_days
from ..choices import AuditAction, CalendarSource, DayKind, NotificationKind, Role
from ..models import (
    CalendarDay,
    CalendarRevision,
    CalendarYear,
    Notification,
    TimedStep,
    User,
)
from ..permissions import Action, can
from .audit import audit_record
from .base import DomainError, _enqueue_on_commit
from .notifications import NotificationDraft, notification_send, notifications_send_bulk


def _calendar_require(actor: User | None, model: type[models.Model]) -> None:
    """System work (seeding: actor None) is trusted; a person must be allowed by
    core.permissions (administrators only)."""
    if actor is not None and not can(actor, Action.CHANGE, model):
        raise DomainError(_("Only an administrator may change the working-day calendar."))


def _calendar_revision_record(
    *,
    actor: User | None,
    summary: str,
    first_date: datetime.date,
    last_date: datetime.date,
    detail: dict,
    action: AuditAction = AuditAction.CALENDAR_CHANGE,
) -> CalendarRevision:
    """Every calendar change is one revision (its id is the calendar version deadlines record)
    and one audit row; its deadlines are recomputed after the commit."""
    revision = CalendarRevision.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        summary=summary,
        first_date=first_date,
        last_date=last_date,
    )
    audit_record(actor=actor, action=action, obj=revision, detail=detail)
    _enqueue_on_commit("calendar_revision_apply", revision.pk)
    return revision


@lru_cache(maxsize=1)
def _package_schedule() -> tuple[dict[datetime.date, tuple[str, str]], tuple[int, ...]]:
    """The official schedules bundled in the installed `chinese_calendar` package: each day
    off or make-up working day with the Chinese name of its holiday, and the years covered."""
    from chinese_calendar import constants

    def name(english: str) -> str:
        try:
            return constants.Holiday(english).chinese
        except ValueError:
            return english

    days = {day: (DayKind.HOLIDAY.value, name(h)) for day, h in constants.holidays.items()}
    days.update({day: (DayKind.WORKDAY.value, name(h)) for day, h in constants.workdays.items()})
    # A year is known when it has a day off in it; a make-up Saturday in the December before
    # belongs to the next year's schedule and does not make that December's year known.
    years = tuple(sorted({day.year for day in constants.holidays}))
    return days, years


@dataclass(frozen=True)
class CalendarSeedResult:
    created: int
    updated: int
    deleted: int
    years_confirmed: tuple[int, ...]
    revision: CalendarRevision | None


@transaction.atomic
def calendar_seed_from_package(*, actor: User | None) -> CalendarSeedResult:
    """SPEC §9 / issue 2 §7: the calendar is seeded from the `chinese-calendar` package for
    every year it knows: holidays (with names) and make-up working days become
    CalendarDay(source=package) and the year is confirmed. Idempotent: a second run changes
    nothing; rows an administrator entered, and years an administrator confirmed, are never
    overwritten. A run that changes anything (e.g. after the package learned next year's
    schedule) is a revision, so deadlines resting on the changed days are recomputed."""
    _calendar_require(actor, CalendarDay)
    desired, years = _package_schedule()
    if not years:
        return CalendarSeedResult(0, 0, 0, (), None)
    year_rows = {row.year: row for row in CalendarYear.objects.filter(year__in=years)}
    # A year an administrator confirmed is theirs: the package adds nothing to it.
    kept_years = {
        row.year
        for row in year_rows.values()
        if row.confirmed and row.source == CalendarSource.ADMINISTRATOR
    }
    desired = {day: value for day, value in desired.items() if day.year not in kept_years}
    first = min(min(desired, default=datetime.date.max), datetime.date(years[0], 1, 1))
    last = max(max(desired, default=datetime.date.min), datetime.date(years[-1], 12, 31))
    existing = {
        row.date: row
        for row in CalendarDay.objects.filter(date__range=(first, last))
        if row.date.year not in kept_years
    }
    to_create, to_update, to_delete = [], [], []
    for day, (kind, name) in sorted(desired.items()):
        row = existing.get(day)
        if row is None:
            to_create.append(
                CalendarDay(date=day, kind=kind, name=name, source=CalendarSource.PACKAGE)
            )
        elif row.source == CalendarSource.PACKAGE and (row.kind, row.name) != (kind, name):
            row.kind, row.name = kind, name
            to_update.append(row)
    for day, row in existing.items():
        if row.source == CalendarSource.PACKAGE and day not in desired:
            to_delete.append(row)
    # ignore_conflicts: a concurrent seed inserting the same day is harmless.
    CalendarDay.objects.bulk_create(to_create, ignore_conflicts=True)
    CalendarDay.objects.bulk_update(to_update, ["kind", "name"])
    CalendarDay.objects.filter(pk__in=[row.pk for row in to_delete]).delete()

    now = timezone.now()
    new_years = [
        CalendarYear(year=year, confirmed=True, source=CalendarSource.PACKAGE, confirmed_at=now)
        for year in years
        if year not in year_rows
    ]
    CalendarYear.objects.bulk_create(new_years, ignore_conflicts=True)
    # A year an administrator started editing but never confirmed is confirmed by the
    # package's official schedule; their day rows stay on top of it.
    newly_confirmed = [row for row in year_rows.values() if not row.confirmed]
    for row in newly_confirmed:
        row.confirmed, row.source, row.confirmed_at = True, CalendarSource.PACKAGE, now
    CalendarYear.objects.bulk_update(newly_confirmed, ["confirmed", "source", "confirmed_at"])
    confirmed_years = tuple(sorted([row.year for row in new_years + newly_confirmed]))

    changed_days = [row.date for row in to_create + to_update + to_delete]
    if not changed_days and not confirmed_years:
        return CalendarSeedResult(0, 0, 0, (), None)
    bounds = changed_days + [datetime.date(year, 1, 1) for year in confirmed_years]
    bounds += [datetime.date(year, 12, 31) for year in confirmed_years]
    summary = _(
        "Official schedules of %(first)s–%(last)s loaded from the bundled package: "
        "%(created)s days added, %(updated)s changed, %(deleted)s removed."
    ) % {
        "first": years[0],
        "last": years[-1],
        "created": len(to_create),
        "updated": len(to_update),
        "deleted": len(to_delete),
    }
    revision = _calendar_revision_record(
        actor=actor,
        summary=summary,
        first_date=min(bounds),
        last_date=max(bounds),
        detail={
            "source": CalendarSource.PACKAGE.value,
            "created": len(to_create),
            "updated": len(to_update),
            "deleted": len(to_delete),
            "years_confirmed": list(confirmed_years),
        },
    )
    return CalendarSeedResult(
        len(to_create), len(to_update), len(to_delete), confirmed_years, revision
    )


def _day_state(row: CalendarDay | None) -> dict:
    if row is None:
        return {}
    return {"kind": row.kind, "name": row.name, "source": row.source}


def _check_calendar_year(year: int) -> None:
    if not working_days.FIRST_YEAR <= year <= working_days.LAST_YEAR:
        raise DomainError(
            _("The calendar covers the years %(first)s to %(last)s.")
            % {"first": working_days.FIRST_YEAR, "last": working_days.LAST_YEAR}
        )


def _differs_without_row(day: datetime.date) -> bool:
    """Would this day differ from the Monday–Friday rule if it had no stored row? (The package
    re-seeds a missing row; an unconfirmed year applies the statutory holidays.)"""
    if day in _package_schedule()[0]:
        return True
    confirmed = CalendarYear.objects.filter(year=day.year, confirmed=True).exists()
    return not confirmed and day in working_days.statutory_holidays(day.year)


@transaction.atomic
def calendar_day_set(
    *, actor: User | None, date: datetime.date, kind: str | None, name: str = ""
) -> CalendarRevision | None:
    """SPEC §9: administrators keep the calendar in the browser: one day becomes a holiday
    (with its name), a make-up working day (调休, a Saturday or Sunday) or an ordinary day (the
    Monday–Friday rule, overriding the bundled schedule and the statutory rule). Returns the
    revision, or None when nothing changed."""
    _calendar_require(actor, CalendarDay)
    _check_calendar_year(date.year)
    kind = DayKind(kind) if kind else DayKind.ORDINARY
    name = (name or "").strip()
    if kind == DayKind.HOLIDAY and not name:
        raise DomainError(_("Give the holiday its name, for example 国庆节."))
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        raise DomainError(
            _("A make-up working day is a Saturday or Sunday; %(date)s is a %(weekday)s.")
            % {"date": date.isoformat(), "weekday": date_format(date, "l")}
        )
    if len(name) > CalendarDay._meta.get_field("name").max_length:
        raise DomainError(_("The name is too long (at most 50 characters)."))
    if kind == DayKind.ORDINARY:
        name = ""
    row = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = _day_state(row)
    if kind == DayKind.ORDINARY and not _differs_without_row(date):
        if row is None:
            return None
        row.delete()
        after = {}
    else:
        if row is None:
            row = CalendarDay(date=date)
        row.kind, row.name, row.source = kind, name, CalendarSource.ADMINISTRATOR
        if before == _day_state(row):
            return None
        row.save()
        after = _day_state(row)
    label = f"{kind.label} {name}".strip()
    summary = _("%(date)s set to: %(what)s.") % {"date": date.isoformat(), "what": label}
    return _calendar_revision_record(
        actor=actor,
        summary=summary,
        first_date=date,
        last_date=date,
        detail={"date": date.isoformat(), "before": before, "after": after},
    )


@dataclass(frozen=True)
class HolidayRange:
    first: datetime.date
    last: datetime.date
    name: str


@dataclass(frozen=True)
class MakeUpDay:
    date: datetime.date
    name: str = ""


class ScheduleError(DomainError):
    """A schedule that cannot be entered; `messages` says every reason at once."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def _schedule_problems(
    year: int, holidays: list[HolidayRange], workdays: list[MakeUpDay]
) -> list[str]:
    problems = []
    earliest = datetime.date(year - 1, 12, 1)
    latest = datetime.date(year, 12, 31)
    max_name = CalendarDay._meta.get_field("name").max_length
    if not holidays:
        problems.append(_("Enter at least one holiday of %(year)s.") % {"year": year})
    taken: dict[datetime.date, str] = {}
    for holiday in holidays:
        facts = {
            "name": holiday.name or "?",
            "first": holiday.first.isoformat(),
            "last": holiday.last.isoformat(),
            "year": year,
        }
        if not holiday.name:
            problems.append(
                _("The holiday %(first)s – %(last)s needs a name, for example 国庆节.") % facts
            )
        elif len(holiday.name) > max_name:
            problems.append(_("The name “%(name)s” is too long (at most 50 characters).") % facts)
        if holiday.first > holiday.last:
            problems.append(
                _("%(name)s: the first day %(first)s is after the last day %(last)s.") % facts
            )
            continue
        if holiday.first < earliest or holiday.last > latest:
            problems.append(
                _(
                    "%(name)s: %(first)s – %(last)s is not in %(year)s (only the days around "
                    "New Year's Day may fall in the December before)."
                )
                % facts
            )
            continue
        if (holiday.last - holiday.first).days > 31:
            problems.append(_("%(name)s: a holiday of more than a month is not plausible.") % facts)
            continue
        day = holiday.first
        while day <= holiday.last:
            if day in taken:
                problems.append(
                    _("%(date)s is in two holidays: %(first)s and %(second)s.")
                    % {"date": day.isoformat(), "first": taken[day], "second": holiday.name}
                )
                break
            taken[day] = holiday.name
            day += datetime.timedelta(days=1)
    seen: set[datetime.date] = set()
    for workday in workdays:
        facts = {"date": workday.date.isoformat(), "year": year}
        if workday.date in seen:
            problems.append(_("%(date)s is listed twice as a make-up working day.") % facts)
            continue
        seen.add(workday.date)
        if workday.date < earliest or workday.date > latest:
            problems.append(
                _(
                    "The make-up working day %(date)s is not in %(year)s (only the days around "
                    "New Year's Day may fall in the December before)."
                )
                % facts
            )
        elif workday.date.weekday() < 5:
            problems.append(
                _("%(date)s is a %(weekday)s: a make-up working day is a Saturday or Sunday.")
                % {**facts, "weekday": date_format(workday.date, "l")}
            )
        if workday.date in taken:
            problems.append(
                _("%(date)s is both a holiday (%(name)s) and a make-up working day.")
                % {**facts, "name": taken[workday.date]}
            )
        if len(workday.name) > max_name:
            problems.append(
                _("The name “%(name)s” is too long (at most 50 characters).")
                % {"name": workday.name}
            )
    return problems


def _year_confirm(*, actor: User | None, year: int) -> CalendarYear:
    row, _created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source": CalendarSource.ADMINISTRATOR}
    )
    row.confirmed = True
    row.source = CalendarSource.ADMINISTRATOR
    row.confirmed_at = timezone.now()
    row.confirmed_by = actor if actor is not None and actor.is_authenticated else None
    row.save()
    return row


@transaction.atomic
def calendar_schedule_enter(
    *,
    actor: User | None,
    year: int,
    holidays: list[HolidayRange],
    workdays: list[MakeUpDay],
    confirm: bool = True,
) -> CalendarRevision:
    """SPEC §9: "the official schedule for a year is published late in the year before, so the
    calendar must be editable by administrators". The published schedule (holiday ranges with
    names and make-up working days) replaces every stored row of that year at once; with
    `confirm`, the year is confirmed in the same change, and deadlines computed on the
    statutory rule are recomputed and lose their unconfirmed flag."""
    _calendar_require(actor, CalendarDay)
    _check_calendar_year(year)
    holidays = [
        HolidayRange(h.first, h.last, (h.name or "").strip())
        for h in sorted(holidays, key=lambda h: h.first)
    ]
    workdays = [
        MakeUpDay(w.date, (w.name or "").strip()) for w in sorted(workdays, key=lambda w: w.date)
    ]
    problems = _schedule_problems(year, holidays, workdays)
    if problems:
        raise ScheduleError(problems)
    if confirm:
        _calendar_require(actor, CalendarYear)
    rows = []
    for holiday in holidays:
        day = holiday.first
        while day <= holiday.last:
            rows.append(
                CalendarDay(
                    date=day,
                    kind=DayKind.HOLIDAY,
                    name=holiday.name,
                    source=CalendarSource.ADMINISTRATOR,
                )
            )
            day += datetime.timedelta(days=1)
    rows += [
        CalendarDay(
            date=w.date, kind=DayKind.WORKDAY, name=w.name, source=CalendarSource.ADMINISTRATOR
        )
        for w in workdays
    ]
    year_first, year_last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    CalendarDay.objects.filter(date__range=(year_first, year_last)).delete()
    CalendarDay.objects.filter(date__in=[row.date for row in rows]).delete()
    CalendarDay.objects.bulk_create(rows)
    if confirm:
        _year_confirm(actor=actor, year=year)
    holiday_days = sum(1 for row in rows if row.kind == DayKind.HOLIDAY)
    summary = _(
        "Schedule of %(year)s entered: %(holidays)s holidays (%(days)s days off), "
        "%(workdays)s make-up working days."
    ) % {
        "year": year,
        "holidays": len(holidays),
        "days": holiday_days,
        "workdays": len(workdays),
    }
    if confirm:
        confirmed_note = _("The year is confirmed.")
        summary = f"{summary} {confirmed_note}"
    detail = {
        "year": year,
        "holidays": [[h.first.isoformat(), h.last.isoformat(), h.name] for h in holidays],
        "workdays": [[w.date.isoformat(), w.name] for w in workdays],
        "confirmed": confirm,
    }
    revision = _calendar_revision_record(
        actor=actor,
        summary=summary,
        first_date=min([year_first, *(row.date for row in rows)]),
        last_date=year_last,
        detail=detail,
    )
    if confirm:
        audit_record(
            actor=actor, action=AuditAction.CALENDAR_CONFIRM, obj=revision, detail={"year": year}
        )
    return revision


@transaction.atomic
def calendar_year_confirm(*, actor: User | None, year: int) -> CalendarRevision:
    """SPEC §9: a deadline resting on a year with no confirmed schedule stays flagged "until
    the schedule is entered". Confirming says the stored days of the year are the official
    schedule; from then on the statutory rule no longer applies to it, so a year with no
    holiday entered cannot be confirmed."""
    _calendar_require(actor, CalendarYear)
    _check_calendar_year(year)
    if CalendarYear.objects.filter(year=year, confirmed=True).exists():
        raise DomainError(_("The schedule of %(year)s is already confirmed.") % {"year": year})
    year_first, year_last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if not CalendarDay.objects.filter(
        date__range=(year_first, year_last), kind=DayKind.HOLIDAY
    ).exists():
        raise DomainError(
            _(
                "Enter the published schedule of %(year)s before confirming it: no holiday "
                "of %(year)s has been entered yet."
            )
            % {"year": year}
        )
    _year_confirm(actor=actor, year=year)
    return _calendar_revision_record(
        actor=actor,
        summary=_("The schedule of %(year)s is confirmed.") % {"year": year},
        first_date=year_first,
        last_date=year_last,
        detail={"year": year},
        action=AuditAction.CALENDAR_CONFIRM,
    )


def timed_step_models() -> list[type[TimedStep]]:
    """Every concrete model with a deadline (subclasses of core.models.TimedStep)."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, TimedStep) and not model._meta.abstract and not model._meta.proxy
    ]


# Open steps per transaction of a revision's recomputation: this product's default (a
# transaction of about a second at province scale; a worker holds a few thousand rows, never
# all of them).
RECOMPUTE_BATCH = 2000
# The audit row of a revision lists this many of the deadlines it changed (the count is
# complete): this product's default.
CHANGED_SAMPLE = 1000


# A notice about several moved steps names this many, then how many more: this product's
# default (an e-mail read on a phone).
MOVED_LINES = 20


class _Row(NamedTuple):
    """What a recomputation reads of one open step: its deadline's inputs and outputs, its
    place in the walk (`key`: the values of the model's holder_order, then its id) and the
    step itself, as its holders are told (TimedStep.with_holder_relations)."""

    pk: int
    started_at: datetime.datetime
    days: int
    unit: str
    due_at: datetime.datetime | None
    due_confirmed: bool
    remind_at: datetime.datetime | None
    stopped: bool
    key: tuple
    step: TimedStep


# What a recomputation reads of a step for its deadline.
_DEADLINE_FIELDS = (
    "started_at",
    "deadline_days",
    "deadline_unit",
    "due_at",
    "due_confirmed",
    "remind_at",
)


def _walk_order(model: type[TimedStep]) -> list[str]:
    """The columns a recomputation walks the model's steps by: its holder_order, then id."""
    return [model._meta.get_field(name).attname for name in model.holder_order] + ["pk"]


def _past(order: list[str], key: list) -> models.Q:
    """The rows after `key` in `order` (keyset pagination). The first column at least as large
    comes first: an index on the columns reads it as a range, and filters the rest there."""
    past = [
        models.Q(
            **dict(zip(order[:depth], key[:depth], strict=True)), **{f"{name}__gt": key[depth]}
        )
        for depth, name in enumerate(order)
    ]
    return models.Q(**{f"{order[0]}__gte": key[0]}) & reduce(operator.or_, past)


class _Recomputation:
    """One call's recomputation of a revision: the calendar loaded once (a window that grows
    as counts need more days) and the due moment of each group of identical inputs (start
    date in Shanghai, period, unit, no clock stop) computed once, whatever the batch."""

    def __init__(self, revision: CalendarRevision) -> None:
        self.window = working_days.CalendarWindow(revision.first_date, revision.last_date)
        self.groups: dict[tuple, tuple] = {}
        # A period contains a changed day when it started by the end of the last one and ends
        # on or after the first; a period with no due moment (a stopped clock) has not ended.
        changed_from = working_days.end_of_day(revision.first_date) - datetime.timedelta(days=1)
        changed_until = working_days.end_of_day(revision.last_date)
        self.touched = models.Q(period_start__lte=changed_until) & (
            models.Q(due_at__gt=changed_from) | models.Q(due_at=None)
        )

    def rows(self, model: type[TimedStep], *, after: list | None, batch: int) -> list[_Row]:
        """The next open steps (in the model's walk order, after the key `after`; None or a
        key of another order: from the first) whose period contains a changed day, locked
        until the batch commits: a transition that finishes or stops one waits, then sees the
        new due moment."""
        order = _walk_order(model)
        stopped = model.clock_stops_exist()
        if model.deadline_start is not TimedStep.deadline_start or (
            stopped is None and model.clock_stops is not TimedStep.clock_stops
        ):
            # Its period starts elsewhere than started_at, or it has clock stops the query
            # cannot see: every step of the model is counted on its own.
            stopped = models.Value(True)
        elif stopped is None:
            stopped = models.Value(False)
        # The period's start, not the step's: a step passed on or returned keeps a period
        # that began earlier (HeldStep.period_from).
        steps = model._default_manager.alias(period_start=model.period_start()).filter(
            self.touched, finished_at=None, deadline_days__isnull=False
        )
        if isinstance(after, list) and len(after) == len(order):
            steps = steps.filter(_past(order, after))
        if model.holder_order:
            # holders() reads the holder_order's fields alone: the rest of a row stays unread.
            steps = steps.only(*_DEADLINE_FIELDS, *model.holder_order)
        steps = (
            model.with_holder_relations(steps)
            .annotate(stopped=models.ExpressionWrapper(stopped, models.BooleanField()))
            .order_by(*order)
            .select_for_update()
        )
        return [
            _Row(
                step.pk,
                step.started_at,
                step.deadline_days,
                step.deadline_unit,
                step.due_at,
                step.due_confirmed,
                step.remind_at,
                step.stopped,
                key=tuple(getattr(step, name) for name in order),
                step=step,
            )
            for step in steps[:batch]
        ]

    def grouped(self, model: type[TimedStep], row: _Row) -> tuple:
        key = (working_days.local_date(row.started_at), row.days, row.unit)
        if key not in self.groups:
            # core.calendar.apply_deadline on a step of this group stands for all of them.
            step = model(started_at=row.started_at, deadline_days=row.days, deadline_unit=row.unit)
            working_days.apply_deadline(step, window=self.window)
            self.groups[key] = (step.due_at, step.due_confirmed, step.remind_at)
        return self.groups[key]

    def apply(
        self, revision: CalendarRevision, model: type[TimedStep], rows: list[_Row], *, sample: int
    ) -> tuple[int, list[dict]]:
        """Recomputes the rows: one UPDATE per set of new values (the marks of the sweep
        cleared where the due moment moved, as apply_deadline does), and tells the holders of
        every moved step. Returns how many changed, and the first `sample` changes for the
        trail."""
        new = {row.pk: self.grouped(model, row) for row in rows if not row.stopped}
        alone = model.with_deadline_relations(
            model._default_manager.filter(pk__in=[row.pk for row in rows if row.stopped])
        )
        for step in alone:
            working_days.apply_deadline(step, window=self.window)
            new[step.pk] = (step.due_at, step.due_confirmed, step.remind_at)
        updates: dict[tuple, list[int]] = {}
        changed, moved = [], []
        for row in rows:
            due, confirmed, remind = new[row.pk]
            if (row.due_at, row.due_confirmed, row.remind_at) == (due, confirmed, remind):
                continue
            updates.setdefault((due, confirmed, remind, row.due_at != due), []).append(row.pk)
            if row.due_at is not None and due is not None and row.due_at != due:
                row.step.due_at = due
                moved.append(row)
            changed.append(row)
        for (due, confirmed, remind, due_moved), pks in updates.items():
            values = {
                "due_at": due,
                "due_confirmed": confirmed,
                "remind_at": remind,
                "calendar_revision": self.window.version,
            }
            if due_moved:
                values.update(reminded_at=None, overdue_at=None)
            model._default_manager.filter(pk__in=pks).update(**values)
        if moved:
            _deadlines_moved_notify(revision=revision, model=model, moved=moved)
        label = model._meta.label_lower
        trail = [
            {
                "model": label,
                "id": row.pk,
                "from": row.due_at.isoformat() if row.due_at else None,
                "to": new[row.pk][0].isoformat() if new[row.pk][0] else None,
                "confirmed": new[row.pk][1],
            }
            for row in changed[:sample]
        ]
        return len(changed), trail


def calendar_revision_apply(
    *, revision_id: int, actor: User | None = None, batch: int = RECOMPUTE_BATCH
) -> int:
    """SPEC §9 / issue 2 §7: "when an administrator changes the calendar, every open deadline
    that depends on the changed days is recomputed and the change is recorded". Recomputes
    the open steps of every TimedStep model whose period contains a changed day, from the
    calendar as it now stands, and tells the holders of every step whose due moment moved
    (issue 9 §21).

    At province scale (issue 11 §6: a hundred thousand open steps) it works in batches of
    `batch` steps, each its own transaction: no transaction holds every step, and the worker
    never holds more than a batch. Steps with identical inputs share one computation and one
    UPDATE; a step whose clock stopped is computed on its own. Each batch locks the revision
    row (skip_locked: a second worker finds it busy and leaves), goes on from where the last
    committed batch stopped (`applied_through`) and commits the steps, the notices and the
    progress together; `applied_at` and the audit row come with the last batch. So a run after
    a crash finishes the rest, and a second run of an applied revision does nothing. Returns
    how many deadlines this call changed."""
    recomputation = None
    changed = 0
    while True:
        with transaction.atomic():
            revision = (
                CalendarRevision.objects.select_for_update(skip_locked=True)
                .filter(pk=revision_id, applied_at=None)
                .first()
            )
            if revision is None:
                return changed
            recomputation = recomputation or _Recomputation(revision)
            changed += _revision_batch_apply(revision, recomputation, batch=batch)
            if revision.applied_at is not None:
                audit_record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    obj=revision,
                    detail={
                        "deadlines_changed": revision.deadlines_changed,
                        "moved": revision.changed_sample,
                    },
                )
                return changed


def _revision_batch_apply(
    revision: CalendarRevision, recomputation: _Recomputation, *, batch: int
) -> int:
    """The next batch of a revision (the caller holds its row): the steps of one model after
    the id where the last batch stopped. Saves the progress; sets applied_at after the last
    model's last batch. Returns the deadlines it changed."""
    step_models = timed_step_models()
    labels = [model._meta.label_lower for model in step_models]
    through = revision.applied_through or {}
    # A model no longer installed (a deploy between two runs): start again; finished steps are
    # recomputed to what they hold, which changes nothing.
    index = labels.index(through["model"]) if through.get("model") in labels else 0
    after = through.get("after") if through.get("model") in labels else None
    changed, trail = 0, []
    room = CHANGED_SAMPLE - len(revision.changed_sample)
    if step_models:
        rows = recomputation.rows(step_models[index], after=after, batch=batch)
        changed, trail = recomputation.apply(
            revision, step_models[index], rows, sample=max(room, 0)
        )
        if len(rows) == batch:
            after = list(rows[-1].key)
        else:
            index, after = index + 1, None
    fields = ["applied_through", "deadlines_changed"]
    if index >= len(step_models):
        revision.applied_through = {}
        revision.applied_at = timezone.now()
        fields.append("applied_at")
    else:
        revision.applied_through = {"model": labels[index], "after": after}
    revision.deadlines_changed += changed
    if trail:
        revision.changed_sample = revision.changed_sample + trail
        fields.append("changed_sample")
    revision.save(update_fields=fields)
    return changed


def _deadlines_moved_notify(
    *,
    revision: CalendarRevision,
    model: type[TimedStep],
    moved: list[_Row],
) -> None:
    """Issue 9 §21: the holders of the steps whose due moment a calendar change moved (`moved`:
    the rows as read, each step holding its new due moment) are told from when to when and why
    (the revision's summary). Only a moved moment: a due moment that was not computed (a
    stopped clock) or only became confirmed is not news.

    One notice per holder and batch, naming each of the holder's steps (the first MOVED_LINES
    of them): the walk in holder_order brings a holder's steps into one batch, so a holiday
    that moves the deadlines of a whole province tells each person once, not once per step
    (issue 11 §6: a hundred thousand moved deadlines would otherwise be as many e-mails). Its
    dedupe key names its first step and the revision: a step is told once per revision, and a
    batch run again after a crash tells nobody twice. In bulk (notifications_send_bulk,
    TimedStep.holders_bulk), a fixed number of queries however many steps moved; e-mailed
    after the commit."""
    steps = [row.step for row in moved]
    before = {row.pk: row.due_at for row in moved}
    holders = model.holders_bulk(steps)
    held: dict[int, tuple[User, list[TimedStep]]] = {}
    for step in steps:
        for holder in holders.get(step.pk, ()):
            held.setdefault(holder.pk, (holder, []))[1].append(step)

    @lru_cache(maxsize=512)
    def moment(value: datetime.datetime) -> str:
        # Steps of a group share their moments: each is formatted once.
        return date_format(timezone.localtime(value, working_days.SHANGHAI), "Y-m-d H:i")

    # A notice about one step links it, one about several the holder's list.
    urls = model.holder_urls_bulk([own[0] for _holder, own in held.values() if len(own) == 1])
    label = model._meta.label_lower
    list_url = model.holders_list_url()
    line = _("%(step)s: from %(before)s to %(after)s")
    drafts = []
    for holder, own in held.values():
        if len(own) == 1:
            (step,) = own
            values = {
                "step": str(step),
                "before": moment(before[step.pk]),
                "after": moment(step.due_at),
                "reason": revision.summary,
            }
            subject = _("Deadline moved: %(step)s") % values
            body = (
                _(
                    "The deadline of %(step)s moved from %(before)s to %(after)s, because the "
                    "working-day calendar changed: %(reason)s"
                )
                % values
            )
            url = urls[step.pk]
        else:
            subject = _("Deadlines moved: %(count)d of your steps") % {"count": len(own)}
            lines = [
                _(
                    "The deadlines of %(count)d steps moved, because the working-day calendar "
                    "changed: %(reason)s"
                )
                % {"count": len(own), "reason": revision.summary},
                "",
            ]
            lines += [
                line
                % {"step": step, "before": moment(before[step.pk]), "after": moment(step.due_at)}
                for step in own[:MOVED_LINES]
            ]
            if len(own) > MOVED_LINES:
                lines.append(_("… and %(count)d more.") % {"count": len(own) - MOVED_LINES})
            body = "\n".join(lines)
            url = list_url or own[0].holder_url()
        drafts.append(
            NotificationDraft(
                recipient=holder,
                kind=NotificationKind.DEADLINE_MOVED,
                subject=subject,
                body=body,
                url=url,
                dedupe_key=f"deadline-moved:{label}:{own[0].pk}:{revision.pk}",
            )
        )
    notifications_send_bulk(drafts=drafts)


def calendar_revisions_apply_pending(*, actor: User | None = None) -> int:
    """The periodic sweep behind the on-commit trigger: applies every revision not applied yet
    (or finishes one whose worker died halfway), so a lost message is harmless. Each revision
    commits batch by batch (calendar_revision_apply); one failing raises, and the next run
    starts again from the oldest. Returns how many deadlines changed."""
    pending = CalendarRevision.objects.filter(applied_at=None).order_by("id")
    return sum(
        calendar_revision_apply(revision_id=revision_id, actor=actor)
        for revision_id in pending.values_list("id", flat=True)
    )


def calendar_next_year_remind(
    *, actor: User | None = None, today: datetime.date | None = None
) -> list[Notification]:
    """Issue 2 §7: "from 1 November each year, administrators are reminded until next year's
    schedule is entered" (and while the current year's is still missing). One notification per
    administrator per day: the dedupe key carries the date, so a second run sends nothing."""
    today = today or timezone.localdate(timezone=working_days.SHANGHAI)
    years = working_days.unconfirmed_years_due(today)
    if not years:
        return []
    listed = "、".join(str(year) for year in years)
    administrators = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk")
    return notification_send(
        actor=actor,
        recipients=administrators,
        kind=NotificationKind.CALENDAR_NEXT_YEAR,
        subject=_("Enter the official working-day schedule of %(years)s") % {"years": listed},
        body=_(
            "The working-day calendar has no confirmed schedule for %(years)s. Deadlines "
            "reaching it are computed from the statutory holidays only and marked unconfirmed. "
            "Enter the schedule published by the State Council and confirm the year."
        )
        % {"years": listed},
        url=reverse("core:calendar-year", args=[years[0]]),
        dedupe_key=f"calendar-schedule-missing:{listed}:{today.isoformat()}",
    )
