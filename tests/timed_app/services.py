"""Test-only writes, shaped like the product's services."""

import datetime

from django.db import transaction

from core import calendar
from core.choices import DeadlineUnit

from .models import TimedThing


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
