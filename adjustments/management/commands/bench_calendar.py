"""What an administrator's calendar edit costs, on its own (SPEC §9, issue 11 §6; `make bench`
times it on the generated register: bench/deadlines.py).

Builds a throw-away database (the test database of the configured one: SQLite by default,
PostgreSQL with DATABASE_URL) and runs `adjustments.benchmarks.calendar_edit_bench`: `--steps`
open steps whose period contains a working day two months ahead, that day made a holiday, and
the revision's recomputation timed (every due moment moves; its holders are told).

Figures, not pass/fail: compare runs on the same machine. Nothing reaches a broker (the
revision's trigger and the e-mails go to an in-memory one: core.benchmarks.broker_isolated)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from adjustments.benchmarks import calendar_edit_bench
from core.benchmarks import broker_isolated


class Command(BaseCommand):
    help = "Times the recomputation of open deadlines after a calendar edit."

    def add_arguments(self, parser):
        parser.add_argument(
            "--steps", type=int, default=100_000, help="open steps moved (default 100,000)"
        )
        parser.add_argument(
            "--stopped", type=int, default=1000, help="of them with a clock stop (default 1,000)"
        )

    def handle(self, *args, **options):
        if options["steps"] < 1 or not 0 <= options["stopped"] <= options["steps"]:
            raise CommandError("--steps must be 1 or more, --stopped between 0 and --steps.")
        creation = connection.creation
        with broker_isolated():
            name = creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                self.stdout.write(f"database: {connection.vendor} {name}")
                result = calendar_edit_bench(steps=options["steps"], stopped=options["stopped"])
                self.stdout.write(f"(built in {result.build_seconds:.1f} s)")
                self.stdout.write(result.line())
            finally:
                creation.destroy_test_db(name, verbosity=0)
