"""Celery tasks of decisions: thin triggers, JSON in and out; the database is the truth."""

from celery import shared_task

from decisions import services


@shared_task
def deadlines_sweep() -> dict[str, int]:
    """Beat (config/celery.py), every five minutes: reminders before a publication is due,
    overdue notices of publications (seed 002 监督检查办法 第十三条) and of case records not
    uploaded within 24 hours (seed 003 三(二)2)."""
    result = services.decision_deadlines_sweep()
    return {
        "reminders": result.reminders,
        "overdue": result.overdue,
        "notifications": result.notifications,
    }
