"""`manage.py seed_register`: the demo register of the five lists (issue 3 §8), on top of the
organisation `seed_demo` builds (which calls this command at its end). Idempotent."""

from django.core.management.base import BaseCommand, CommandError

from registry.demo import register_seed


class Command(BaseCommand):
    help = "Load the demo register: laws, the five lists and their past versions (idempotent)."

    def handle(self, *args, **options) -> None:
        try:
            created = register_seed(actor=None)
        except LookupError as missing:
            raise CommandError(str(missing)) from missing
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo register ready ({created['laws']} new laws, {created['entries']} new"
                    f" entries, {created['versions']} new published versions)."
                )
            )
