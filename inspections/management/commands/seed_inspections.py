"""`manage.py seed_inspections`: the demo of inspections (inspections.demo), on top of the
organisation and demo complaints `seed_demo` builds (which calls this command at its end).
Idempotent."""

from django.core.management.base import BaseCommand, CommandError

from core.management.commands.seed_demo import DEMO_PASSWORD
from inspections.demo import DEMO_USERS, inspections_seed


class Command(BaseCommand):
    help = "Load the demo random check, problem ledger and rectification notices (idempotent)."

    def handle(self, *args, **options) -> None:
        try:
            created = inspections_seed()
        except LookupError as missing:
            raise CommandError(str(missing)) from missing
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo inspections ready ({created['users']} new users,"
                    f" {created['plans']} new plans)."
                )
                + f" More demo users: {', '.join(user.username for user in DEMO_USERS)};"
                + f" password: {DEMO_PASSWORD}."
            )
