"""Celery tasks of complaints: thin triggers, JSON in and out. The deadline state lives on the
steps in the database; a lost or repeated sweep changes nothing."""

from celery import shared_task

from complaints import services


@shared_task
def deadlines_sweep() -> dict[str, int]:
    """Beat (config/celery.py), every five minutes: reminders one working day before due and
    overdue notices of complaint steps (issue 12 §8)."""
    result = services.complaint_deadlines_sweep()
    return {
        "reminders": result.reminders,
        "overdue": result.overdue,
        "notifications": result.notifications,
    }
