"""Showing due moments: wherever a due moment is shown, one click shows how it was computed
(SPEC §9, issue 2 §7).

    {% load deadlines %}
    {% due step %}                                  a TimedStep (core.models)
    {% due_at due start days unit confirmed %}      any due moment with its period
"""

import datetime

from django import template
from django.urls import reverse
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


@register.inclusion_tag("core/calendar_due.html")
def due_at(
    due: datetime.datetime | None,
    start: datetime.datetime | datetime.date | None = None,
    days: int | None = None,
    unit: str = DeadlineUnit.WORKING_DAYS,
    confirmed: bool = True,
) -> dict:
    """A due moment with an "unconfirmed" marker when it rests on a year whose schedule is not
    confirmed, linked to the calculator when its period is known."""
    url = calculator_url(start, days, unit) if start is not None and days else ""
    return {
        "due": due.astimezone(calendar.SHANGHAI) if due is not None else None,
        "confirmed": confirmed,
        "url": url,
    }


@register.inclusion_tag("core/calendar_due.html")
def due(step) -> dict:
    """The due moment of a TimedStep. The calculator counts a plain period, so a step whose
    clock stopped (退回补正) shows its due moment without the link."""
    if step is None or step.due_at is None or not step.deadline_days:
        return due_at(None)
    if step.clock_stops():
        return due_at(step.due_at, confirmed=step.due_confirmed)
    return due_at(
        step.due_at,
        step.deadline_start(),
        step.deadline_days,
        step.deadline_unit,
        step.due_confirmed,
    )
