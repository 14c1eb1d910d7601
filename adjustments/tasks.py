"""Celery tasks of the adjustment procedure: thin triggers, JSON in and out. The deadline
state lives on the steps in the database; a lost or repeated sweep changes nothing."""

from celery import shared_task

from adjustments import services


@shared_task
def deadlines_sweep() -> dict[str, int]:
    """Beat (config/celery.py), every five minutes: reminders one working day before due,
    overdue notices with escalation (issue 4 §5)."""
    result = services.deadlines_sweep()
    return {
        "reminders": result.reminders,
        "overdue": result.overdue,
        "notifications": result.notifications,
    }


@shared_task
def attachment_orphans_remove() -> int:
    """Daily (config/celery.py): deletes the files of documents whose transaction rolled back."""
    return services.attachment_orphans_remove()


@shared_task
def obligations_sweep() -> int:
    """Daily (config/celery.py): law-change obligations for entries in force resting on a
    repealed law that none covers yet (issue 9 §9)."""
    return len(services.obligations_sweep())
