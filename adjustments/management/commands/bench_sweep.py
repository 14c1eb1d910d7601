"""What the deadline sweep costs, on its own (issue 4 §5; `make bench` times it on the generated
register: bench/deadlines.py).

Builds a throw-away database (the test database of the configured one: SQLite by default,
PostgreSQL with DATABASE_URL) and runs `adjustments.benchmarks.
sweep_bench` once per `--due` figure: the first run adds `--open` open steps that are not due
(they stay, so every run sees as many), each run adds its due steps (half for the reminder,
half overdue) and times one sweep. Then a sweep with nothing left to send. The sweep reads only
the due steps (partial indexes step_reminder_due and step_overdue_due), so its cost follows
them, not the open steps.

Figures, not pass/fail: compare runs on the same machine. Nothing reaches a broker: the tasks
the notices enqueue (their e-mails) go to an in-memory one and are dropped
(core.benchmarks.broker_isolated)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from adjustments import services
from adjustments.benchmarks import sweep_bench
from core.benchmarks import broker_isolated, measure


class Command(BaseCommand):
    help = "Times the adjustment deadline sweep on generated open and due steps."

    def add_arguments(self, parser):
        parser.add_argument(
            "--open", type=int, default=100_000, help="open steps not due (default 100,000)"
        )
        parser.add_argument(
            "--due",
            type=int,
            nargs="+",
            default=[1000, 5000],
            help="steps whose reminder or due moment has come, one run each (default 1000 5000)",
        )
        parser.add_argument("--requests", type=int, default=20, help="requests holding them")

    def handle(self, *args, **options):
        if options["open"] < 0 or min(options["due"]) < 2 or options["requests"] < 1:
            raise CommandError("--open must be 0 or more, --due 2 or more, --requests 1 or more.")
        creation = connection.creation
        with broker_isolated():
            name = creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                self.stdout.write(f"database: {connection.vendor} {name}")
                open_steps = options["open"]
                for due in options["due"]:
                    result = sweep_bench(
                        open_steps=open_steps, due_steps=due, requests=options["requests"]
                    )
                    self.stdout.write(f"(built in {result.build_seconds:.1f} s)")
                    self.stdout.write(result.line())
                    # The steps of this run stay open and are not due: the next run adds none.
                    open_steps = 0
                _, again = measure("sweep: nothing left to send", services.deadlines_sweep)
                self.stdout.write(again.line())
            finally:
                creation.destroy_test_db(name, verbosity=0)
