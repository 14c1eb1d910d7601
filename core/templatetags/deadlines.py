"""Showing due moments (SPEC §9, issue 2 §7, issue 10 §6): wherever a due moment is shown, it
says the day and the time, how many working days are left (or by how many it is overdue), and
a button opens how it was computed, by click, tap or keyboard, not only on hover.

    {% load deadlines %}
    {% due step %}                                  a TimedStep (core.models)
    {% due_at due start days unit confirmed %}      any due moment with its period

The working days are counted with core.calendar (Asia/Shanghai dates). One page shares one
CalendarWindow, so a list of many due moments costs the same few queries as one."""

import datetime
import itertools
import secrets

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from core import calendar
from core.choices import DeadlineUnit

register = template.Library()


def calculator_url(start: datetime.datetime | datetime.date, days: int, unit: str) -> str:
    """The public calculator, prefilled with this period."""
    if isinstance(start, datetime.datetime):
        start_text = start.astimezone(calendar.SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    else:
        start_text = f"{start.isoformat()}T00:00"
    query = urlencode({"start": start_text, "days": days, "unit": DeadlineUnit(unit).value})
    return f"{reverse('core:calendar-deadline')}?{query}"


class _PageState:
    """What the due moments of one page share: the calendar rows and unique element ids."""

    def __init__(self) -> None:
        self.window: calendar.CalendarWindow | None = None
        self.prefix = secrets.token_hex(3)
        self.counter = itertools.count(1)

    def window_for(self, first: datetime.date) -> calendar.CalendarWindow:
        if self.window is None:
            self.window = calendar.CalendarWindow(first, first + datetime.timedelta(days=60))
        return self.window


def _page_state(context) -> _PageState:
    request = context.get("request") if context is not None else None
    if request is None:
        return _PageState()
    state = getattr(request, "_due_page_state", None)
    if state is None:
        state = _PageState()
        request._due_page_state = state
    return state


def remaining(
    due: datetime.datetime,
    *,
    now: datetime.datetime,
    finished: datetime.datetime | None = None,
    window: calendar.CalendarWindow | None = None,
) -> dict:
    """Where `now` (or the moment the step finished) stands against `due`, in working days:
    {"state": "today" | "left" | "overdue" | "on_time" | "late", "days": n}. Left: the working
    days after today up to the last day; overdue: the working days after the last day up to
    today (0 on a day off right after it)."""
    moment = finished or now
    first = min(calendar.local_date(moment), calendar.local_date(due))
    window = window or calendar.CalendarWindow(first, first + datetime.timedelta(days=60))
    if finished is not None:
        if finished <= due:
            return {"state": "on_time", "days": 0}
        late = calendar.working_days_between(due, finished, window=window).days
        return {"state": "late", "days": late}
    if now <= due:
        if calendar.local_date(now) == calendar.local_date(due):
            return {"state": "today", "days": 0}
        left = calendar.working_days_between(now, due, window=window).days
        return {"state": "left", "days": left}
    return {"state": "overdue", "days": calendar.working_days_between(due, now, window=window).days}


@register.inclusion_tag("core/calendar_due.html", takes_context=True)
def due_at(
    context,
    due: datetime.datetime | None,
    start: datetime.datetime | datetime.date | None = None,
    days: int | None = None,
    unit: str = DeadlineUnit.WORKING_DAYS,
    confirmed: bool = True,
    finished: datetime.datetime | None = None,
    stopped: bool = False,
) -> dict:
    """A due moment with its time, the working days left (or late), an "unconfirmed" marker
    when it rests on a year whose schedule is not confirmed, and its explanation (the period,
    and the calculator's day-by-day count when the period is known)."""
    if due is None:
        return {"due": None}
    state = _page_state(context)
    due_local = due.astimezone(calendar.SHANGHAI)
    now = timezone.now()
    first = min(calendar.local_date(now), calendar.local_date(due))
    if finished is not None:
        first = min(first, calendar.local_date(finished))
    try:
        window = state.window_for(first)
        standing = remaining(due, now=now, finished=finished, window=window)
    except calendar.CalendarRangeError:
        standing = None
    has_period = start is not None and bool(days)
    return {
        "due": due_local,
        "end_of_day": due_local.time() == calendar.END_OF_DAY,
        "confirmed": confirmed,
        "url": calculator_url(start, days, unit) if has_period else "",
        "start": start.astimezone(calendar.SHANGHAI)
        if isinstance(start, datetime.datetime)
        else start,
        "days": days if has_period else None,
        "unit": DeadlineUnit(unit).label if has_period else "",
        "stopped": stopped,
        "standing": standing,
        "why_id": f"due-why-{state.prefix}-{next(state.counter)}",
    }


@register.inclusion_tag("core/calendar_due.html", takes_context=True)
def due(context, step) -> dict:
    """The due moment of a TimedStep. The calculator counts a plain period, so a step whose
    clock stopped (退回补正) shows its due moment without the link, saying why."""
    if step is None or step.due_at is None or not step.deadline_days:
        return due_at(context, None)
    finished = getattr(step, "finished_at", None)
    if step.clock_stops():
        return due_at(
            context, step.due_at, confirmed=step.due_confirmed, finished=finished, stopped=True
        )
    return due_at(
        context,
        step.due_at,
        step.deadline_start(),
        step.deadline_days,
        step.deadline_unit,
        step.due_confirmed,
        finished=finished,
    )
