"""The deadline figures of `make bench` (issue 11 §2) behind one adapter: `sweep` (the
adjustment deadline sweep with N steps due among the open ones) and `calendar_edit` (a working
day made a holiday, and the recomputation moving the due moments of the steps whose period
contains it), each returning bench.measured.Measured.

They run on the generated register (a scratch copy: bench.operations) and call the services
themselves: `adjustments.services.deadlines_sweep` on open steps armed as due, and
`core.services.calendar_revision_apply` after `core.services.calendar_day_set`. The benchmark
functions being written with the new sweep and recomputation (`adjustments.benchmarks`,
`core.benchmarks`: milliseconds, statements, rows and peak RSS) take the place of these two
bodies, and nothing else in the bench changes.

Steps are armed and added here with plain SQL (as the generator writes them, core.scale): a
service per step would take longer than the figure it prepares."""

import dataclasses
import datetime

from django.db import connection, transaction
from django.utils import timezone

from adjustments import services
from adjustments.models import Step
from core import calendar
from core import services as core_services
from core.choices import DayKind, DeadlineUnit
from core.models import CalendarDay

from .measured import Measured, measure

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
# The period of the steps added: long enough to contain the day the calendar edit changes.
PERIOD = 10


def open_steps() -> int:
    return Step.objects.filter(finished_at=None).count()


def _steps_add(count: int) -> None:
    """Adds `count` open steps started now with a period of PERIOD working days, on the
    requests, kinds and departments of the open steps there are (in turn), in one INSERT …
    SELECT whose other columns are those of a step built here."""
    if count <= 0:
        return
    now = timezone.now()
    window = calendar.CalendarWindow(calendar.local_date(now), calendar.local_date(now) + 60 * DAY)
    deadline = calendar.add(now, PERIOD, DeadlineUnit.WORKING_DAYS, window=window)
    model = Step(
        started_at=now,
        deadline_days=PERIOD,
        deadline_unit=DeadlineUnit.WORKING_DAYS,
        due_at=deadline.due,
        due_confirmed=deadline.confirmed,
        calendar_revision=deadline.calendar_version,
        remind_at=calendar.reminder_moment(deadline.due, window=window),
    )
    copied = ("request_id", "kind", "department_id")
    quote = connection.ops.quote_name
    columns, values, params = [], [], []
    for field in Step._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.attname in copied:
            values.append(f"t.{quote(field.column)}")
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(getattr(model, field.attname), connection))
    table = quote(Step._meta.db_table)
    templates = open_steps()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} ({", ".join(columns)})
            SELECT {", ".join(values)} FROM generate_series(0, %s) AS n
            JOIN (
                SELECT {", ".join(quote(column) for column in copied)},
                       row_number() OVER (ORDER BY id) - 1 AS k
                FROM {table} WHERE finished_at IS NULL
            ) AS t ON t.k = n %% %s
            """,
            [*params, count - 1, templates],
        )
        cursor.execute(f"ANALYZE {table}")


def _vacuum() -> None:
    """VACUUM ANALYZE of the steps, as autovacuum does on a production server after the mass
    updates that prepared the figure (the arming, the steps added, the operations before): a
    server without autovacuum (a CI configuration) would otherwise time the dead rows they
    leave. Outside any transaction, as VACUUM must be."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Step._meta.db_table)}")


def _settle(now: datetime.datetime) -> None:
    """Marks what came due since the register was generated as an earlier sweep would have, so
    that the sweep finds only the steps armed for it."""
    Step.objects.filter(finished_at=None, reminded_at=None, remind_at__lte=now).update(
        reminded_at=now
    )
    Step.objects.filter(finished_at=None, overdue_at=None, due_at__lt=now).update(overdue_at=now)


def _arm(due: int, now: datetime.datetime) -> None:
    """`due` open steps not yet due become due: half for their reminder, half overdue (already
    reminded, as an earlier sweep leaves them)."""
    ids = list(
        Step.objects.filter(finished_at=None, remind_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:due]
    )
    half = len(ids) // 2
    Step.objects.filter(pk__in=ids[:half]).update(
        remind_at=now - HOUR, due_at=now + DAY, reminded_at=None, overdue_at=None
    )
    Step.objects.filter(pk__in=ids[half:]).update(
        remind_at=now - 2 * DAY, due_at=now - HOUR, reminded_at=now - 2 * DAY, overdue_at=None
    )


def sweep(*, due: int, open_total: int) -> Measured:
    """One deadline sweep with `due` steps due among `open_total` open steps (the generated
    ones, and more added when there are fewer)."""
    _steps_add(open_total - open_steps())
    now = timezone.now()
    _settle(now)
    _arm(due, now)
    _vacuum()
    result, figures = measure(services.deadlines_sweep)
    return dataclasses.replace(
        figures, rows=result.reminders + result.overdue, notifications=result.notifications
    )


def _changed_day() -> datetime.date:
    """The first ordinary working day two days ahead or later (no stored calendar row): inside
    the period of every step started now."""
    day = calendar.local_date(timezone.now()) + 2 * DAY
    stored = set(
        CalendarDay.objects.filter(date__range=(day, day + 30 * DAY)).values_list("date", flat=True)
    )
    window = calendar.CalendarWindow(day, day + 30 * DAY)
    while not window.status(day).working or day.weekday() >= 5 or day in stored:
        day += DAY
    return day


def _touched(day: datetime.date) -> int:
    """The open steps whose period contains `day` (as calendar_revision_apply selects them)."""
    return Step.objects.filter(
        finished_at=None,
        deadline_days__isnull=False,
        due_at__gt=calendar.end_of_day(day) - DAY,
        started_at__lte=calendar.end_of_day(day),
    ).count()


def calendar_edit(*, moved: int) -> Measured:
    """A working day inside the period of `moved` open steps (the generated ones that contain
    it, and more added when there are fewer) becomes a holiday; the recomputation that moves
    their due moments is timed."""
    day = _changed_day()
    _steps_add(moved - _touched(day))
    revision = core_services.calendar_day_set(
        actor=None, date=day, kind=DayKind.HOLIDAY, name="基准测试"
    )
    _vacuum()
    result, figures = measure(
        lambda: core_services.calendar_revision_apply(revision_id=revision.pk)
    )
    return dataclasses.replace(figures, rows=result)
