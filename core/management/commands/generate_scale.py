"""`manage.py generate_scale --preset {city,province}` (issue 11 §1; core.scale)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import scale
from core.benchmarks import broker_isolated


class Command(BaseCommand):
    help = "Generates a register at city or province scale into an empty PostgreSQL database."

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=sorted(scale.PRESETS), required=True)
        parser.add_argument(
            "--seed", type=int, default=2015, help="the same seed gives the same rows"
        )

    def handle(self, *args, preset: str, seed: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_scale loads with PostgreSQL's COPY: set DATABASE_URL to a PostgreSQL "
                "database (make bench creates its own)."
            )
        # The calendar seed and a publication enqueue tasks on commit: they must not reach a
        # worker serving another database through a real broker.
        try:
            with broker_isolated():
                scale.generate(preset=preset, seed=seed, say=self.stdout.write)
        except ValueError as refused:
            raise CommandError(str(refused)) from refused
