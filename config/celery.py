"""The Celery app. Tasks are triggers only: every periodic sweep re-finds its work in the
database, so a lost message or a second run changes nothing (docs/architecture.md)."""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("qingdan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _broker_folders_create(sender, source, **kwargs) -> None:
    """kombu's filesystem transport (the embedded broker of `make run`) writes into its folders
    but never creates them; both the worker and every process that sends a task need them."""
    options = source.get("broker_transport_options") or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


app.conf.beat_schedule = {
    "calendar-apply-revisions": {
        "task": "core.tasks.calendar_revisions_apply",
        "schedule": 300.0,
    },
    # Issue 4 §5: reminders one working day before due and overdue notices of adjustment
    # steps; it reads only the steps whose moment has come.
    "adjustments-deadlines-sweep": {
        "task": "adjustments.tasks.deadlines_sweep",
        "schedule": 300.0,
    },
    # Issue 12 §8: the same for complaint steps.
    "complaints-deadlines-sweep": {
        "task": "complaints.tasks.deadlines_sweep",
        "schedule": 300.0,
    },
    # Issue 13 §6: the same for inspection steps, with the escalation of overdue rectification.
    "inspections-deadlines-sweep": {
        "task": "inspections.tasks.deadlines_sweep",
        "schedule": 300.0,
    },
    # Issue 14 §3 and §5: the same for decision steps (publication within 10 日 of service,
    # case records within 24 hours).
    "decisions-deadlines-sweep": {
        "task": "decisions.tasks.deadlines_sweep",
        "schedule": 300.0,
    },
    # Issue 14 §1: enforcement certificates near their end remind their departments, daily.
    "decisions-certificates-remind": {
        "task": "decisions.tasks.certificates_remind",
        "schedule": crontab(hour=7, minute=45),
    },
    # Issue 15 §1: the period of accountability cases (处分条例 第四十四条).
    "accountability-deadlines-sweep": {
        "task": "accountability.tasks.deadlines_sweep",
        "schedule": 300.0,
    },
    "notifications-email-pending": {
        "task": "core.tasks.notifications_email_pending",
        "schedule": 300.0,
    },
    # Issue 10 §2: import jobs whose check or import task was lost.
    "registry-import-jobs-resume": {
        "task": "registry.tasks.import_jobs_resume",
        "schedule": 300.0,
    },
    # Issue 14 §5: the same for the Excel imports of decisions.
    "decisions-import-jobs-resume": {
        "task": "decisions.tasks.import_jobs_resume",
        "schedule": 300.0,
    },
    "adjustments-attachment-orphans": {
        "task": "adjustments.tasks.attachment_orphans_remove",
        "schedule": crontab(hour=3, minute=15),
    },
    # Issue 9 §9: entries resting on a repealed law that no obligation covers yet.
    "adjustments-obligations-sweep": {
        "task": "adjustments.tasks.obligations_sweep",
        "schedule": crontab(hour=6, minute=45),
    },
    # Issue 10 §3: removes the Excel exports of older published states, and asks again for
    # the builds a worker lost.
    "registry-exports-sweep": {
        "task": "registry.tasks.exports_sweep",
        "schedule": 600.0,
    },
    # Issue 13 §4: the register's own findings (an item on a repealed basis, an adjustment not
    # applied for) proposed to the problem ledger, once a day.
    "inspections-register-check": {
        "task": "inspections.tasks.register_check",
        "schedule": crontab(hour=7, minute=15),
    },
    # Issue 13 §7: the PDF of a published report whose task was lost (the broker was down).
    "inspections-reports-pdf-pending": {
        "task": "inspections.tasks.reports_pdf_pending",
        "schedule": 300.0,
    },
    "calendar-remind-next-year": {
        "task": "core.tasks.calendar_next_year_remind",
        "schedule": crontab(hour=8, minute=30),
    },
}
