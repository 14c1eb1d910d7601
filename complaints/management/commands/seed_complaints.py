"""`manage.py seed_complaints`: the demo complaints (complaints.demo), on top of the organisation,
register and demo adjustments `seed_demo` builds (which calls this command at its end).
Idempotent."""

from django.core.management.base import BaseCommand, CommandError

from complaints.demo import complaints_seed


class Command(BaseCommand):
    help = "Load the demo complaints at their various stages (idempotent)."

    def handle(self, *args, **options) -> None:
        try:
            created = complaints_seed()
        except LookupError as missing:
            raise CommandError(str(missing)) from missing
        if not options["verbosity"]:
            return
        self.stdout.write(self.style.SUCCESS(f"Demo complaints ready ({len(created)} new)."))
        # The secrets are kept only as hashes: this is the one chance to follow a demo
        # complaint on the tracking page.
        for filed in created:
            self.stdout.write(f"  track {filed.complaint.code} with secret {filed.secret}")
