"""Working-day arithmetic (SPEC §9): the one module that answers "N working days after this
moment" and "working days between two moments".

Rules implemented here:
- Every count happens on Asia/Shanghai local dates: an event at 2026-10-09 07:30 in Shanghai
  is 10-08 in UTC, and counting from the UTC date would end a period one day early.
- The day of the event is not counted (Civil Code art. 201): a period starts on the next day.
- A period ends at the close of its last day (art. 203). The due moment is that day at
  23:59:59.999999 Shanghai time (END_OF_DAY): still the same local date, so
  `timezone.localdate(due)` is the last day, and anything done on that day is in time.
- Calendar-day periods (日, seed 002's "7日内") end on start date + N; if that day is a weekend
  or holiday the period ends on the next working day (art. 203).
- A day is a working day by the Monday–Friday rule, changed by the stored CalendarDay rows
  (holiday, make-up working day, or "ordinary": an administrator's override back to the
  weekday rule). In a year whose official schedule is not confirmed (CalendarYear), the
  statutory holidays of the national regulation as amended in 2024 are off too, unless a
  stored row says otherwise, and every result touching that year is flagged unconfirmed.

Cost: a computation loads the calendar rows of the date range it needs in one query (plus one
for the confirmed years and one for the calendar version), however many days it consults;
`CalendarWindow` lets a caller computing many deadlines share one load.
"""

from __future__ import annotations

import datetime
import math
import zoneinfo
from calendar import monthrange
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from chinese_calendar import get_solar_terms
from django.utils.translation import gettext as _
from lunardate import LunarDate

from .choices import DayKind, DeadlineUnit, SkipReason

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
END_OF_DAY = datetime.time(23, 59, 59, 999999)
# Reminders ("due tomorrow") go out at the start of office hours of the day before.
REMINDER_TIME = datetime.time(8, 0)
# lunardate converts 1900–2099; the first year is excluded so that a lunar new year's eve
# never falls before the converter's range.
FIRST_YEAR = 1901
LAST_YEAR = 2099
ONE_DAY = datetime.timedelta(days=1)

# Names are data like the names stored with CalendarDay rows (the package and administrators
# store them in Chinese), so they are not translated.
NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
TOMB_SWEEPING = "清明节"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL_DAY = "国庆节"


class CalendarRangeError(ValueError):
    """A date outside the years the calendar can compute (FIRST_YEAR..LAST_YEAR)."""


class Skip(NamedTuple):
    """A day a period passed over without counting it."""

    date: datetime.date
    reason: SkipReason
    name: str


class MadeUp(NamedTuple):
    """A Saturday or Sunday counted because it is a make-up working day (调休)."""

    date: datetime.date
    name: str


@dataclass(frozen=True)
class DayStatus:
    date: datetime.date
    working: bool
    # Why the day is off (None for a working day).
    reason: SkipReason | None
    name: str
    # A stored row (or the statutory rule) made this day differ from the weekday rule.
    kind: DayKind | None
    rule_holiday: bool
    confirmed: bool

    @property
    def weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def description(self) -> str:
        """What the day is, in words, e.g. "Holiday 国庆节" or "Make-up working day"."""
        if self.working:
            label = _("Make-up working day") if self.kind == DayKind.WORKDAY else _("Working day")
        else:
            label = SkipReason(self.reason).label
        return f"{label} {self.name}".strip() if self.name else str(label)


@dataclass(frozen=True)
class Deadline:
    """The answer to "N days after `start`"."""

    start: datetime.datetime
    days: int
    unit: DeadlineUnit
    # The end of the last day (END_OF_DAY, Asia/Shanghai).
    due: datetime.datetime
    # False if any year from the first counted day to the due date has no confirmed schedule.
    confirmed: bool
    # Every day passed over, in order: (date, SkipReason, holiday name).
    skipped: tuple[Skip, ...]
    # Weekend days counted because they are make-up working days.
    made_up: tuple[MadeUp, ...]
    # The latest CalendarRevision id when computed (0: none yet).
    calendar_version: int
    unconfirmed_years: tuple[int, ...] = ()

    @property
    def due_date(self) -> datetime.date:
        return self.due.date()

    @property
    def start_date(self) -> datetime.date:
        return local_date(self.start)


@dataclass(frozen=True)
class Span:
    """The answer to "how many working days lie between two moments"."""

    days: int
    confirmed: bool
    calendar_version: int
    unconfirmed_years: tuple[int, ...] = ()


# --- the statutory rule for years without a confirmed schedule ---------------------------


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarRangeError(f"year {year} is outside {FIRST_YEAR}..{LAST_YEAR}")


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[datetime.date, str]:
    """The days off that 全国年节及纪念日放假办法 (as amended 2024, art. 2) fixes for `year`,
    whatever the yearly schedule adds: 元旦 Jan 1; 春节 4 days from lunar new year's eve;
    清明 on the solar term; 劳动节 May 1–2; 端午 lunar 5/5; 中秋 lunar 8/15; 国庆 Oct 1–3."""
    _check_year(year)
    days: dict[datetime.date, list[str]] = {}

    def add(day: datetime.date, name: str) -> None:
        days.setdefault(day, []).append(name)

    add(datetime.date(year, 1, 1), NEW_YEAR)
    new_years_eve = LunarDate(year, 1, 1).to_solar_date() - ONE_DAY
    for offset in range(4):
        add(new_years_eve + offset * ONE_DAY, SPRING_FESTIVAL)
    # The package's solar-term formula (寿星公式 with its table of corrections) is pure
    # astronomy, valid for 1900–2100 and independent of its holiday data.
    tomb_sweeping = next(
        day
        for day, term in get_solar_terms(datetime.date(year, 4, 1), datetime.date(year, 4, 30))
        if term == "清明"
    )
    add(tomb_sweeping, TOMB_SWEEPING)
    add(datetime.date(year, 5, 1), LABOUR_DAY)
    add(datetime.date(year, 5, 2), LABOUR_DAY)
    add(LunarDate(year, 5, 5).to_solar_date(), DRAGON_BOAT)
    add(LunarDate(year, 8, 15).to_solar_date(), MID_AUTUMN)
    for day in (1, 2, 3):
        add(datetime.date(year, 10, day), NATIONAL_DAY)
    # 中秋 can fall inside 国庆 (2028-10-03): one day off with both names.
    return {day: "、".join(names) for day, names in sorted(days.items())}


# --- the stored calendar over a window of dates -----------------------------------------


def local_date(moment: datetime.datetime | datetime.date) -> datetime.date:
    """The Asia/Shanghai date of a moment; a plain date is taken as it is."""
    if isinstance(moment, datetime.datetime):
        if moment.tzinfo is None:
            raise ValueError("a naive datetime is ambiguous: give a timezone-aware one")
        return moment.astimezone(SHANGHAI).date()
    return moment


def end_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Asia/Shanghai: a filter by dates means local days,
    and a range on an indexed date-time column is read from its index, not cast row by row."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI)


class CalendarWindow:
    """The stored calendar over a range of dates, loaded in one query per range; a day outside
    the loaded range loads the next stretch (one more query) rather than one day at a time."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        from .models import CalendarRevision

        self._rows: dict[datetime.date, tuple[str, str]] = {}
        self._confirmed_years: set[int] = set()
        self._loaded_years: set[int] = set()
        self._first = first
        self._last = first - ONE_DAY
        self.loads = 0
        self._load(first, last)
        latest = CalendarRevision.objects.order_by("-id").values_list("id", flat=True).first()
        self.version = latest or 0

    def _load(self, first: datetime.date, last: datetime.date) -> None:
        from .models import CalendarDay, CalendarYear

        _check_year(first.year)
        _check_year(last.year)
        for day, kind, name in CalendarDay.objects.filter(date__range=(first, last)).values_list(
            "date", "kind", "name"
        ):
            self._rows[day] = (kind, name)
        new_years = set(range(first.year, last.year + 1)) - self._loaded_years
        if new_years:
            self._confirmed_years |= set(
                CalendarYear.objects.filter(year__in=new_years, confirmed=True).values_list(
                    "year", flat=True
                )
            )
            self._loaded_years |= new_years
        self._first = min(self._first, first)
        self._last = max(self._last, last)
        self.loads += 1

    def _cover(self, day: datetime.date) -> None:
        # Load a generous stretch (within the computable years): a count running past the
        # loaded range costs one more query, not one per day.
        stretch = datetime.timedelta(days=120)
        if day > self._last:
            _check_year(day.year)
            end = min(max(day, self._last + stretch), datetime.date(LAST_YEAR, 12, 31))
            self._load(self._last + ONE_DAY, end)
        elif day < self._first:
            _check_year(day.year)
            begin = max(min(day, self._first - stretch), datetime.date(FIRST_YEAR, 1, 1))
            self._load(begin, self._first - ONE_DAY)

    def status(self, day: datetime.date) -> DayStatus:
        self._cover(day)
        confirmed = day.year in self._confirmed_years
        weekend = day.weekday() >= 5
        row = self._rows.get(day)
        if row is not None:
            kind, name = DayKind(row[0]), row[1]
            if kind == DayKind.HOLIDAY:
                return DayStatus(day, False, SkipReason.HOLIDAY, name, kind, False, confirmed)
            if kind == DayKind.WORKDAY:
                return DayStatus(day, True, None, name, kind, False, confirmed)
            # ORDINARY: the weekday rule, whatever the package or the statutory rule say.
            reason = SkipReason.WEEKEND if weekend else None
            return DayStatus(day, not weekend, reason, "", kind, False, confirmed)
        if not confirmed:
            name = statutory_holidays(day.year).get(day)
            if name is not None:
                return DayStatus(
                    day, False, SkipReason.STATUTORY_HOLIDAY, name, None, True, confirmed
                )
        reason = SkipReason.WEEKEND if weekend else None
        return DayStatus(day, not weekend, reason, "", None, False, confirmed)

    def unconfirmed_between(self, first: datetime.date, last: datetime.date) -> tuple[int, ...]:
        """The years of [first, last] with no confirmed schedule."""
        if last < first:
            return ()
        self._cover(first)
        self._cover(last)
        return tuple(
            year for year in range(first.year, last.year + 1) if year not in self._confirmed_years
        )


def _window_for(start: datetime.date, days: int, unit: DeadlineUnit) -> CalendarWindow:
    # Each year has at least 240 working days and no run of days off longer than about ten:
    # this estimate covers every real count, so one load suffices.
    span = days + 21
    if unit == DeadlineUnit.WORKING_DAYS:
        span = math.ceil(days * 365 / 240) + 21
    elif unit == DeadlineUnit.MONTHS:
        span = days * 31 + 21
    last = min(start + datetime.timedelta(days=span), datetime.date(LAST_YEAR, 12, 31))
    return CalendarWindow(start + ONE_DAY, last)


# --- the public questions ----------------------------------------------------------------


def add(
    start: datetime.datetime | datetime.date,
    days: int,
    unit: DeadlineUnit | str = DeadlineUnit.WORKING_DAYS,
    *,
    window: CalendarWindow | None = None,
) -> Deadline:
    """The end of a period of `days` working (or calendar) days after `start` (SPEC §9;
    Civil Code arts. 201, 203). `start` is an aware datetime (or a plain date: the event's
    Shanghai date)."""
    deadline = add_with_stops(start, days, unit, window=window)
    assert deadline is not None  # without stops the clock never stands still
    return deadline


class ClockStop(NamedTuple):
    """A stretch during which a period does not run (e.g. a request returned for supplement,
    退回补正): from the moment it stopped to the moment it restarted (None: still stopped)."""

    stopped_at: datetime.datetime
    restarted_at: datetime.datetime | None


def _stopped_between(stops) -> list[tuple[datetime.date, datetime.date | None]]:
    """Clock stops as Shanghai dates: the days in (stop date, restart date] are not counted.
    The day the clock stopped was already used; the day it restarted is, like the day of any
    event, not counted (art. 201)."""
    spans = []
    for stop in sorted(stops, key=lambda stop: stop[0]):
        restarted = stop[1]
        spans.append((local_date(stop[0]), local_date(restarted) if restarted else None))
    return spans


def _stop_state(day: datetime.date, spans) -> str | None:
    """ "open" if the clock is still stopped on `day`, "closed" if `day` lies in a finished
    stop, None if the period runs on that day."""
    for stopped, restarted in spans:
        if day > stopped and (restarted is None or day <= restarted):
            return "open" if restarted is None else "closed"
    return None


def add_with_stops(
    start: datetime.datetime | datetime.date,
    days: int,
    unit: DeadlineUnit | str = DeadlineUnit.WORKING_DAYS,
    *,
    stops=(),
    window: CalendarWindow | None = None,
) -> Deadline | None:
    """add(), for a period whose clock stopped and restarted (`stops`: (stopped_at,
    restarted_at) pairs, restarted_at None while still stopped). The days of each stop are
    passed over (reason CLOCK_STOPPED). Returns None while the clock stands still, unless the
    period had already ended before it stopped (then its end stays where it was: a return for
    supplement does not undo a lapse)."""
    unit = DeadlineUnit(unit)
    if days < 1:
        raise ValueError("a period has at least one day")
    if unit == DeadlineUnit.HOURS:
        return _add_hours(start, days, window)
    if unit == DeadlineUnit.MONTHS:
        return _add_months(start, days, window)
    start_date = local_date(start)
    spans = _stopped_between(stops)
    if window is None:
        window = _window_for(start_date, days, unit)
    skipped: list[Skip] = []
    made_up: list[MadeUp] = []
    day = start_date
    counted = 0
    while counted < days:
        day += ONE_DAY
        state = _stop_state(day, spans)
        if state == "open":
            return None
        if state == "closed":
            skipped.append(Skip(day, SkipReason.CLOCK_STOPPED, ""))
            continue
        if unit == DeadlineUnit.CALENDAR_DAYS:
            counted += 1
            continue
        status = window.status(day)
        if status.working:
            counted += 1
            if status.weekend:
                made_up.append(MadeUp(day, status.name))
        else:
            skipped.append(Skip(day, status.reason, status.name))
    last_counted = day
    if unit == DeadlineUnit.CALENDAR_DAYS:
        # Art. 203: a period whose last day is a day off ends on the next working day.
        while not (status := window.status(day)).working:
            skipped.append(Skip(day, status.reason, status.name))
            day += ONE_DAY
    for stopped, restarted in spans:
        # A stop on the last day (or on the days off art. 203 added) came before the end: the
        # period stands still too, and after the restart it ends with the day of the restart
        # (the rest of the day it stopped on is given back), or the next working day.
        if not last_counted <= stopped <= day:
            continue
        if restarted is None:
            return None
        while day < restarted:
            day += ONE_DAY
            if day < restarted:
                skipped.append(Skip(day, SkipReason.CLOCK_STOPPED, ""))
        while not (status := window.status(day)).working:
            skipped.append(Skip(day, status.reason, status.name))
            day += ONE_DAY
    unconfirmed = window.unconfirmed_between(start_date + ONE_DAY, day)
    if isinstance(start, datetime.datetime):
        start_moment = start.astimezone(SHANGHAI)
    else:
        start_moment = datetime.datetime.combine(start, datetime.time(), tzinfo=SHANGHAI)
    return Deadline(
        start=start_moment,
        days=days,
        unit=unit,
        due=end_of_day(day),
        confirmed=not unconfirmed,
        skipped=tuple(skipped),
        made_up=tuple(made_up),
        calendar_version=window.version,
        unconfirmed_years=unconfirmed,
    )


def _add_hours(
    start: datetime.datetime | datetime.date, hours: int, window: CalendarWindow | None
) -> Deadline:
    """A period of hours runs on the clock, through nights and days off alike (seed 003
    三(二)2: 24小时内拍照上传); clock stops do not apply to it."""
    if not isinstance(start, datetime.datetime):
        start = datetime.datetime.combine(start, datetime.time(), tzinfo=SHANGHAI)
    start = start.astimezone(SHANGHAI)
    return Deadline(
        start=start,
        days=hours,
        unit=DeadlineUnit.HOURS,
        due=start + datetime.timedelta(hours=hours),
        confirmed=True,
        skipped=(),
        made_up=(),
        calendar_version=window.version if window else 0,
    )


def _add_months(
    start: datetime.datetime | datetime.date, months: int, window: CalendarWindow | None
) -> Deadline:
    """A period of months (Civil Code art. 202): its last day is the day of the last month
    that corresponds to the day of the event, or that month's last day where it has none; a
    last day off rolls over to the next working day (art. 203). Clock stops do not apply."""
    start_date = local_date(start)
    year, month = divmod(start_date.month - 1 + months, 12)
    year, month = start_date.year + year, month + 1
    day = datetime.date(year, month, min(start_date.day, monthrange(year, month)[1]))
    if window is None:
        window = _window_for(start_date, months, DeadlineUnit.MONTHS)
    skipped: list[Skip] = []
    while not (status := window.status(day)).working:
        skipped.append(Skip(day, status.reason, status.name))
        day += ONE_DAY
    unconfirmed = window.unconfirmed_between(start_date + ONE_DAY, day)
    if isinstance(start, datetime.datetime):
        start_moment = start.astimezone(SHANGHAI)
    else:
        start_moment = datetime.datetime.combine(start, datetime.time(), tzinfo=SHANGHAI)
    return Deadline(
        start=start_moment,
        days=months,
        unit=DeadlineUnit.MONTHS,
        due=end_of_day(day),
        confirmed=not unconfirmed,
        skipped=tuple(skipped),
        made_up=(),
        calendar_version=window.version,
        unconfirmed_years=unconfirmed,
    )


def working_days_between(
    start: datetime.datetime | datetime.date,
    end: datetime.datetime | datetime.date,
    *,
    window: CalendarWindow | None = None,
) -> Span:
    """The number of working days in (start date, end date], counted on Shanghai dates like
    add(): add(start, n).due gives exactly n. Negative when `end` is before `start`."""
    first, last = local_date(start), local_date(end)
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    if window is None:
        window = CalendarWindow(first + ONE_DAY, max(last, first + ONE_DAY))
    count = 0
    day = first + ONE_DAY
    while day <= last:
        if window.status(day).working:
            count += 1
        day += ONE_DAY
    unconfirmed = window.unconfirmed_between(first + ONE_DAY, last)
    return Span(
        days=sign * count,
        confirmed=not unconfirmed,
        calendar_version=window.version,
        unconfirmed_years=unconfirmed,
    )


def is_working_day(day: datetime.date | datetime.datetime) -> bool:
    day = local_date(day)
    return CalendarWindow(day, day).status(day).working


def previous_working_day(day: datetime.date, *, window: CalendarWindow | None = None):
    """The last working day before `day`."""
    window = window or CalendarWindow(day - datetime.timedelta(days=30), day)
    day -= ONE_DAY
    while not window.status(day).working:
        day -= ONE_DAY
    return day


def reminder_moment(
    due: datetime.datetime, *, window: CalendarWindow | None = None
) -> datetime.datetime:
    """When to remind of a due moment: the start of office hours (REMINDER_TIME) on the working
    day before the last day ("due tomorrow")."""
    day = previous_working_day(local_date(due), window=window)
    return datetime.datetime.combine(day, REMINDER_TIME, tzinfo=SHANGHAI)


def apply_deadline(step, *, window: CalendarWindow | None = None) -> Deadline | None:
    """Sets a TimedStep's due moment (due_at, due_confirmed, calendar_revision) and its
    reminder moment (remind_at) from its period and its clock stops (the caller saves, with
    core.models.DEADLINE_FIELDS). A step without a period, or whose clock stands still, has no
    due moment. When the due moment moves, the sweep's marks (reminded_at, overdue_at) are
    cleared, so the reminder and the overdue notice of the new due moment go out again."""
    before = step.due_at
    deadline = None
    if step.deadline_days is None:
        step.due_at = None
        step.due_confirmed = True
    else:
        start = step.deadline_start()
        if window is None:
            window = _window_for(local_date(start), step.deadline_days, step.deadline_unit)
        deadline = add_with_stops(
            start,
            step.deadline_days,
            step.deadline_unit,
            stops=step.clock_stops(),
            window=window,
        )
        step.calendar_revision = window.version
        step.due_at = deadline.due if deadline else None
        step.due_confirmed = deadline.confirmed if deadline else True
    # A period of hours is too short for a "due tomorrow" reminder: its overdue notice says it.
    hourly = step.deadline_unit == DeadlineUnit.HOURS
    step.remind_at = (
        reminder_moment(step.due_at, window=window) if step.due_at and not hourly else None
    )
    if step.due_at != before:
        step.reminded_at = None
        step.overdue_at = None
    return deadline


def unconfirmed_years_due(today: datetime.date) -> list[int]:
    """The years whose official schedule should be known by `today` but is not confirmed: the
    current year, and from 1 November the next one (its schedule is published in autumn)."""
    from .models import CalendarYear

    wanted = [today.year, today.year + 1] if today.month >= 11 else [today.year]
    confirmed = set(
        CalendarYear.objects.filter(year__in=wanted, confirmed=True).values_list("year", flat=True)
    )
    return [year for year in wanted if year not in confirmed]
