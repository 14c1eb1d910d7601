"""What the adjustments app does when the register tells it something (registry.signals)."""

from . import services


def law_status_changed(sender, *, law, status, on, actor, **kwargs) -> None:
    """Issue 4 §6: a law marked amended or repealed opens an adjustment obligation for every
    department whose in-force entries cite it, in the same transaction as the change."""
    services.obligations_open(actor=actor, law=law, on=on)
