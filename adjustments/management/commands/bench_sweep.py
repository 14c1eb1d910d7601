"""`make bench` (with `manage.py bench`): what the deadline sweep costs (issue 4 §5).

Builds a throw-away database (the test database of the configured one, as `manage.py bench`
does: SQLite by default, PostgreSQL with DATABASE_URL) with a few requests made through the
services and many open steps bulk-inserted on them: `--open` steps whose moment is weeks away and
`--due` steps whose moment has come (half of them due for the reminder, half overdue). Then it
times `adjustments.services.deadlines_sweep()` and counts its SQL statements:

1. the first sweep, which sends a notice for every due step;
2. a second sweep straight after, which finds nothing left to send;
3. a sweep over ten times as many open steps that are not due, and a fresh set of due ones:
   it costs what the first did, because the sweep reads only the due steps (partial indexes
   step_reminder_due and step_overdue_due).

Figures, not pass/fail: compare runs on the same machine. The tasks the notices enqueue (their
e-mails) go to an in-memory broker and are dropped: they are the worker's cost, not the
sweep's, and must not reach a real worker serving another database."""

import datetime
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from adjustments import services
from adjustments.choices import StepKind, TriggerKind
from adjustments.models import AdjustmentRequest, Step
from config.celery import app as celery_app
from core import calendar
from core import services as core_services
from core.choices import DeadlineUnit, DepartmentFunction, JurisdictionLevel, Role
from core.models import Department

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
BATCH = 5000


@dataclass
class Measure:
    label: str
    open_steps: int
    milliseconds: float
    queries: int
    reminders: int
    overdue: int
    notifications: int


class _Counter:
    """Counts every statement sent to the database (an execute wrapper: nothing is kept)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Command(BaseCommand):
    help = "Times the adjustment deadline sweep on a generated set of open steps."

    def add_arguments(self, parser):
        parser.add_argument(
            "--open", type=int, default=20_000, help="open steps not yet due (default 20,000)"
        )
        parser.add_argument(
            "--due", type=int, default=200, help="steps whose reminder or due moment has come"
        )
        parser.add_argument("--requests", type=int, default=20, help="requests holding them")

    def handle(self, *args, **options):
        if options["open"] < 0 or options["due"] < 2 or options["requests"] < 1:
            raise CommandError("--open must be 0 or more, --due 2 or more, --requests 1 or more.")
        # Before anything connects to the broker.
        celery_app.conf.broker_url = "memory://"
        celery_app.conf.broker_transport_options = {}
        creation = connection.creation
        name = creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            with override_settings(DEBUG=False):
                self._run(options["open"], options["due"], options["requests"], name)
        finally:
            creation.destroy_test_db(name, verbosity=0)

    def _run(self, open_count: int, due_count: int, request_count: int, name: str) -> None:
        self.stdout.write(f"database: {connection.vendor} {name}")
        started = time.perf_counter()
        requests, office = self._organisation(request_count)
        self._steps(requests, office, open_count, due_count)
        self._analyze()
        self.stdout.write(
            f"built {request_count} requests, {open_count} open steps not due and {due_count}"
            f" due in {time.perf_counter() - started:.1f} s"
        )
        measures = [
            self._sweep("first sweep", open_count),
            self._sweep("second sweep", open_count),
        ]
        started = time.perf_counter()
        self._steps(requests, office, open_count * 9, due_count)
        self._analyze()
        self.stdout.write(
            f"added {open_count * 9} open steps not due and {due_count} due in"
            f" {time.perf_counter() - started:.1f} s"
        )
        measures.append(self._sweep("sweep, 10x open steps", open_count * 10))
        self.stdout.write(
            f"{'run':<24} {'open not due':>12} {'ms':>9} {'queries':>8} {'reminders':>9}"
            f" {'overdue':>8} {'notified':>8}"
        )
        for m in measures:
            self.stdout.write(
                f"{m.label:<24} {m.open_steps:>12} {m.milliseconds:>9.1f} {m.queries:>8}"
                f" {m.reminders:>9} {m.overdue:>8} {m.notifications:>8}"
            )

    def _organisation(self, request_count: int) -> tuple[list[AdjustmentRequest], Department]:
        """A city with its office, a supervisor and ten departments, one user each (so every
        notice has recipients, and an overdue one escalates), and the requests, made through
        the services."""
        core_services.calendar_seed_from_package(actor=None)
        city = core_services.jurisdiction_create(
            actor=None, code="410100", name="郑州市", level=JurisdictionLevel.CITY
        )
        office = core_services.department_create(
            actor=None,
            jurisdiction=city,
            name="市改革办",
            function=DepartmentFunction.REFORM_OFFICE,
        )
        supervision = core_services.department_create(
            actor=None,
            jurisdiction=city,
            name="市纪委监察",
            function=DepartmentFunction.SUPERVISION,
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
                username=f"bench-{number}",
                password=None,
                role=role,
                jurisdiction=city,
                department=department,
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
        return requests, office

    def _steps(
        self, requests: list[AdjustmentRequest], office: Department, open_count: int, due: int
    ) -> None:
        """Open steps on the requests, alternately the department's (apply) and the office's
        (forward): `open_count` not due for weeks, and `due` whose moment has come, half of
        them for the reminder and half overdue (already reminded, as an earlier sweep would)."""
        now = timezone.now()
        moments = [(now + 30 * DAY, now + 31 * DAY, None)] * open_count
        moments += [(now - HOUR, now + DAY, None)] * (due // 2)
        moments += [(now - 2 * DAY, now - HOUR, now - 2 * DAY)] * (due - due // 2)
        batch = []
        for number, (remind_at, due_at, reminded_at) in enumerate(moments):
            request = requests[number % len(requests)]
            kind = StepKind.APPLY if number % 2 else StepKind.FORWARD
            batch.append(
                Step(
                    request=request,
                    kind=kind,
                    department_id=request.department_id if number % 2 else office.pk,
                    started_at=now - 3 * DAY,
                    deadline_days=10,
                    deadline_unit=DeadlineUnit.WORKING_DAYS,
                    due_at=due_at,
                    remind_at=remind_at,
                    reminded_at=reminded_at,
                )
            )
            if len(batch) == BATCH:
                Step.objects.bulk_create(batch)
                batch = []
        Step.objects.bulk_create(batch)

    def _analyze(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _sweep(self, label: str, open_steps: int) -> Measure:
        counter = _Counter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            result = services.deadlines_sweep()
            elapsed = (time.perf_counter() - started) * 1000
        return Measure(
            label,
            open_steps,
            elapsed,
            counter.count,
            result.reminders,
            result.overdue,
            result.notifications,
        )
