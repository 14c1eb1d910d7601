from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .models import Entry


@receiver(pre_create_historical_record, sender=Entry.history.model)
def _version_cause(sender, instance, history_instance, **kwargs) -> None:
    """Copies the cause that entries_publish put on the instance to its history row."""
    history_instance.change_source = getattr(instance, "_change_source", "")
    history_instance.change_reference = getattr(instance, "_change_reference", "")
