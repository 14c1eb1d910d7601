"""The Celery app. Tasks are triggers only: every periodic sweep re-finds its work in the
database, so a lost message or a second run changes nothing (docs/architecture.md)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("qingdan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "calendar-apply-revisions": {
        "task": "core.tasks.calendar_revisions_apply",
        "schedule": 300.0,
    },
    "calendar-remind-next-year": {
        "task": "core.tasks.calendar_next_year_remind",
        "schedule": crontab(hour=8, minute=30),
    },
}
