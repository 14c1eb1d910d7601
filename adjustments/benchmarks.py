"""The benchmarks of the adjustment deadlines, as plain functions: `manage.py bench_sweep` and
`manage.py bench_calendar` print their figures, and a benchmark orchestrator may call them on a
database it prepared (migrated; any data already there stays, and each run adds an organisation
of its own, so runs never collide).

- `sweep_bench`: the deadline sweep (issue 4 §5) over `due_steps` steps whose reminder or due
  moment has come, among `open_steps` open steps that are not due.
- `calendar_edit_bench`: an administrator makes one working day a holiday, and the calendar
  revision moves the due moment of `steps` open steps whose period contains it (SPEC §9,
  issue 9 §21: their holders are told).

Both run inside `core.benchmarks.broker_isolated()`: what they enqueue (e-mails, the
revision's trigger) goes to an in-memory broker and is dropped, never to the worker of a real
database. Steps are bulk-inserted (a service per step would take hours at this size); the
organisation and the requests are made through the services."""

import dataclasses
import datetime
import secrets
import time

from django.db import transaction
from django.utils import timezone

from core import calendar
from core import services as core_services
from core.benchmarks import BenchResult, broker_isolated, measure
from core.choices import DayKind, DeadlineUnit, DepartmentFunction, JurisdictionLevel, Role
from core.models import CalendarDay, Department, Notification

from . import services
from .choices import StepKind, TriggerKind
from .models import AdjustmentRequest, ClockStop, Step

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
INSERT_BATCH = 5000


@dataclasses.dataclass
class _Organisation:
    office: Department
    departments: list[Department]
    requests: list[AdjustmentRequest]


def _organisation(request_count: int) -> _Organisation:
    """A city of its own (a random division code, so that runs on one database never collide)
    with its office, a supervisor and ten departments, one user each (every notice has
    recipients, and an overdue one escalates), and the requests, made through the services."""
    core_services.calendar_seed_from_package(actor=None)
    token = secrets.token_hex(4)
    city = core_services.jurisdiction_create(
        actor=None, code=f"B{token}", name=f"基准市{token}", level=JurisdictionLevel.CITY
    )
    office = core_services.department_create(
        actor=None, jurisdiction=city, name="市改革办", function=DepartmentFunction.REFORM_OFFICE
    )
    supervision = core_services.department_create(
        actor=None, jurisdiction=city, name="市纪委监察", function=DepartmentFunction.SUPERVISION
    )
    departments = [
        core_services.department_create(actor=None, jurisdiction=city, name=f"市第{n}局")
        for n in range(1, 11)
    ]
    people = [(office, Role.OFFICE), (supervision, Role.SUPERVISOR)]
    people += [(department, Role.CLERK) for department in departments]
    for number, (department, role) in enumerate(people):
        core_services.user_create(
            actor=None,
            username=f"bench-{token}-{number}",
            password=None,
            role=role,
            jurisdiction=city,
            department=department,
            email=f"bench-{token}-{number}@example.gov.cn",
        )
    today = timezone.localdate(timezone=calendar.SHANGHAI)
    requests = [
        services.adjustment_create(
            actor=None,
            department=departments[number % len(departments)],
            trigger=TriggerKind.INTERNAL,
            event_date=today,
            summary=f"基准测试申请 {number}",
        )
        for number in range(request_count)
    ]
    return _Organisation(office, departments, requests)


def _step(org: _Organisation, number: int, **fields) -> Step:
    """Alternately the department's step (apply, its clerk holds it) and the office's
    (forward), spread over the requests."""
    request = org.requests[number % len(org.requests)]
    mine = number % 2
    return Step(
        request=request,
        kind=StepKind.APPLY if mine else StepKind.FORWARD,
        department_id=request.department_id if mine else org.office.pk,
        **fields,
    )


def _insert(steps) -> None:
    """Inserts the steps an iterable makes, a few thousand at a time: the build never holds
    them all, so the memory measured afterwards starts from a process of ordinary size."""
    chunk = []
    for step in steps:
        chunk.append(step)
        if len(chunk) == INSERT_BATCH:
            _insert_chunk(chunk)
            chunk = []
    _insert_chunk(chunk)


def _insert_chunk(steps: list[Step]) -> None:
    Step.objects.bulk_create(steps)
    ClockStop.objects.bulk_create(
        [
            ClockStop(
                step=step,
                stopped_at=stop.stopped_at,
                restarted_at=stop.restarted_at,
                reason="基准测试",
            )
            for step in steps
            for stop in getattr(step, "clock_stop_list", ())
        ]
    )


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def sweep_bench(*, open_steps: int, due_steps: int, requests: int = 20) -> BenchResult:
    """Builds `open_steps` open steps whose moment is weeks away and `due_steps` whose moment
    has come (half due for the reminder, half overdue and already reminded, as an earlier
    sweep leaves them), then times one `deadlines_sweep()`: `rows` is the steps notified.
    The open steps of an earlier run stay open but are never due, so they only make the table
    larger."""
    with broker_isolated():
        started = time.perf_counter()
        org = _organisation(requests)
        now = timezone.now()
        not_due = (now + 30 * DAY, now + 31 * DAY, None)
        reminder_due = (now - HOUR, now + DAY, None)
        overdue = (now - 2 * DAY, now - HOUR, now - 2 * DAY)

        def built(number: int) -> Step:
            if number < open_steps:
                remind_at, due_at, reminded_at = not_due
            elif number < open_steps + due_steps // 2:
                remind_at, due_at, reminded_at = reminder_due
            else:
                remind_at, due_at, reminded_at = overdue
            return _step(
                org,
                number,
                started_at=now - 3 * DAY,
                deadline_days=10,
                deadline_unit=DeadlineUnit.WORKING_DAYS,
                due_at=due_at,
                remind_at=remind_at,
                reminded_at=reminded_at,
            )

        _insert(built(number) for number in range(open_steps + due_steps))
        _analyze()
        built = time.perf_counter() - started
        open_total = Step.objects.filter(finished_at=None).count()
        result, figures = measure(
            f"sweep: {due_steps} due, {open_total} open", services.deadlines_sweep
        )
    return dataclasses.replace(
        figures,
        rows=result.reminders + result.overdue,
        notifications=result.notifications,
        build_seconds=built,
    )


def _changed_day() -> datetime.date:
    """A working day about two months ahead with no stored calendar row: later than the
    moments of sweep_bench's steps, so that only this run's steps contain it."""
    day = timezone.localdate(timezone=calendar.SHANGHAI) + 60 * DAY
    window = calendar.CalendarWindow(day, day + 60 * DAY)
    stored = set(
        CalendarDay.objects.filter(date__range=(day, day + 60 * DAY)).values_list("date", flat=True)
    )
    while not window.status(day).working or day.weekday() >= 5 or day in stored:
        day += DAY
    return day


# Start dates two to fifteen days before the changed day and periods long enough to contain it:
# 14 × 2 groups of identical inputs, interleaved in id order (the recomputation's worst case).
_OFFSETS = range(2, 16)
_PERIODS = (20, 25)


def calendar_edit_bench(*, steps: int, stopped: int = 1000, requests: int = 100) -> BenchResult:
    """Builds `steps` open steps (`stopped` of them with a clock stop that ended before the
    changed day) whose period, counted in working days, contains a working day two months
    ahead; makes that day a holiday (core.services.calendar_day_set) and times the revision's
    recomputation (calendar_revision_apply): every step's due moment moves one working day
    and its holders are told (a notice each, naming their steps). `rows` is the deadlines
    moved. Afterwards the steps are closed and the day is ordinary again, so a later run
    starts from the same calendar."""
    with broker_isolated():
        started = time.perf_counter()
        org = _organisation(requests)
        day = _changed_day()
        window = calendar.CalendarWindow(day - 20 * DAY, day + 60 * DAY)

        def built(number: int) -> Step:
            offset = _OFFSETS[number % len(_OFFSETS)]
            period = _PERIODS[number // len(_OFFSETS) % len(_PERIODS)]
            moment = datetime.datetime.combine(
                day - offset * DAY, datetime.time(8 + number % 10, 15), tzinfo=calendar.SHANGHAI
            )
            step = _step(org, number, started_at=moment, deadline_days=period)
            if number < stopped:
                # Returned an hour after its start and back the next day (which stood still,
                # before the changed day): its clock stop makes it a step the recomputation
                # takes one at a time.
                step.clock_stop_list = [
                    ClockStop(stopped_at=moment + HOUR, restarted_at=moment + DAY)
                ]
            calendar.apply_deadline(step, window=window)
            return step

        _insert(built(number) for number in range(steps))
        _analyze()
        revision = core_services.calendar_day_set(
            actor=None, date=day, kind=DayKind.HOLIDAY, name="基准测试"
        )
        notified_before = Notification.objects.count()
        build_seconds = time.perf_counter() - started
        moved, figures = measure(
            f"calendar edit: {steps} steps touched",
            lambda: core_services.calendar_revision_apply(revision_id=revision.pk),
        )
        notifications = Notification.objects.count() - notified_before
        with transaction.atomic():
            Step.objects.filter(request__in=org.requests, finished_at=None).update(
                finished_at=timezone.now()
            )
        back = core_services.calendar_day_set(actor=None, date=day, kind=None)
        core_services.calendar_revision_apply(revision_id=back.pk)
    return dataclasses.replace(
        figures, rows=moved, notifications=notifications, build_seconds=build_seconds
    )
