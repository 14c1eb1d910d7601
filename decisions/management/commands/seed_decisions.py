"""`manage.py seed_decisions`: the demo of decisions and enforcement disclosure (decisions.demo),
on top of the organisation, register and demo users `seed_demo` builds (which calls this command
at its end). Idempotent."""

from django.core.management.base import BaseCommand, CommandError

from decisions.demo import decisions_seed


class Command(BaseCommand):
    help = "Load the demo enforcement bodies, officers and a hundred decisions (idempotent)."

    def handle(self, *args, **options) -> None:
        try:
            created = decisions_seed()
        except LookupError as missing:
            raise CommandError(str(missing)) from missing
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo decisions ready ({created['bodies']} new bodies,"
                    f" {created['officers']} new officers, {created['decisions']} new decisions)."
                )
            )
