"""`manage.py seed_adjustments`: the demo of the adjustment procedure (adjustments.demo), on top
of the organisation and register `seed_demo` builds (which calls this command at its end).
Idempotent."""

from django.core.management.base import BaseCommand, CommandError

from adjustments.demo import DEMO_USERS, adjustments_seed
from core.management.commands.seed_demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo adjustment policies and requests in their various states (idempotent)."

    def handle(self, *args, **options) -> None:
        try:
            created = adjustments_seed()
        except LookupError as missing:
            raise CommandError(str(missing)) from missing
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo adjustments ready ({created['users']} new users, {created['policies']}"
                    f" new policies, {created['requests']} new requests)."
                )
                + f" More demo users: {', '.join(user.username for user in DEMO_USERS)};"
                + f" password: {DEMO_PASSWORD}."
            )
