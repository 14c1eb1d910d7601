"""Celery tasks of accountability: thin triggers, JSON in and out; the database is the truth."""

from celery import shared_task

from accountability import services


@shared_task
def deadlines_sweep() -> dict[str, int]:
    """Beat (config/celery.py), every five minutes: the reminder and the overdue notice of a
    case's period (行政机关公务员处分条例 第四十四条)."""
    result = services.case_deadlines_sweep()
    return {
        "reminders": result.reminders,
        "overdue": result.overdue,
        "notifications": result.notifications,
    }
