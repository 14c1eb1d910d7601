"""Signals of the register: what it receives (the cause of each history row) and what it sends.
registry never imports the workflow apps; they listen here.

`law_status_changed` is sent inside law_status_set's transaction when a law is marked amended
or repealed, so what a listener writes (issue 4 §6: an adjustment obligation for every
department whose in-force items cite the law) commits or rolls back with the change itself.
Arguments: law, status, on (the date), actor.

`repealed_basis_published` is sent inside entries_publish's transaction, once per law, when
entries are published in force citing a law already repealed by the publication's date (an
import or initial publication of items whose law was repealed before they were loaded, issue 9
§9): the law-change obligation covers them too. Arguments: law, entries, actor."""

from django.dispatch import Signal, receiver
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from core.models import Department
from core.services.organisation import department_renamed

from .models import Entry

law_status_changed = Signal()
repealed_basis_published = Signal()


@receiver(pre_create_historical_record, sender=Entry.history.model)
def _version_cause(sender, instance, history_instance, **kwargs) -> None:
    """Copies the cause that entries_publish put on the instance to its history row."""
    history_instance.change_source = getattr(instance, "_change_source", "")
    history_instance.change_reference = getattr(instance, "_change_reference", "")


@receiver(post_create_historical_record, sender=Entry.history.model)
def _previous_version_closed(sender, instance, history_instance, **kwargs) -> None:
    """Issue 11 §4: a new version (or the deletion of an entry) ends the validity of the one
    before, whatever wrote it (entries_publish, the admin, a deletion). Each entry has one
    open row, so "as it stood on a date" reads one row per entry from an index. The new rows
    of a bulk load (simple-history's bulk_create_with_history sends no signal) have no row
    before them."""
    sender.objects.filter(id=history_instance.id, valid_until=None).exclude(
        history_id=history_instance.history_id
    ).update(valid_until=history_instance.history_date)


@receiver(department_renamed, sender=Department)
def _department_renamed(sender, department, actor, **kwargs) -> None:
    from . import services

    services.department_entries_rederive(actor=actor, department=department)
