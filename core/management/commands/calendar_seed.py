from django.core.management.base import BaseCommand

from core import services


class Command(BaseCommand):
    help = (
        "Loads the official holiday schedules bundled in the chinese-calendar package into the "
        "working-day calendar (idempotent; never overwrites days an administrator entered)."
    )

    def handle(self, *args, **options) -> None:
        result = services.calendar_seed_from_package(actor=None)
        if result.revision is None:
            self.stdout.write("Calendar already up to date with the bundled schedules.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Calendar revision {result.revision.pk}: {result.created} days added, "
                f"{result.updated} changed, {result.deleted} removed; years confirmed: "
                f"{', '.join(map(str, result.years_confirmed)) or '-'}."
            )
        )
