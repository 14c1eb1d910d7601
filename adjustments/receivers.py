"""What the adjustments app does when the register tells it something (registry.signals)."""

from django.utils import timezone

from core import calendar

from . import services


def law_status_changed(sender, *, law, status, on, actor, **kwargs) -> None:
    """Issue 4 §6: a law marked amended or repealed opens an adjustment obligation for every
    department whose in-force entries cite it, in the same transaction as the change."""
    services.obligations_open(actor=actor, law=law, on=on)


def repealed_basis_published(sender, *, law, entries, actor, **kwargs) -> None:
    """Issue 9 §9: entries published in force on a law repealed before they were loaded get
    the law-change obligation too, from the day of their publication."""
    today = timezone.localdate(timezone=calendar.SHANGHAI)
    services.obligations_open(actor=actor, law=law, on=today, entries=entries)
