"""Celery tasks of decisions: thin triggers, JSON in and out; the database is the truth."""

from celery import shared_task

from core.models import User
from decisions import selectors, services
from decisions.services import credit, imports


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


@shared_task
def certificates_remind() -> dict[str, int]:
    """Beat (config/celery.py), once a day: each enforcement certificate within its
    jurisdiction's warning period of its end reminds the officer's department's clerks, once
    (seed 002 监督检查办法 第十一条: 持证上岗)."""
    return {"notifications": services.certificates_expiring_remind()}


@shared_task
def import_job_check(job_id: int) -> str:
    """The dry run of an Excel import of decisions (decisions.services.imports)."""
    job = imports.import_job_check(job_id=job_id)
    return job.state if job else ""


@shared_task
def import_job_run(job_id: int) -> str:
    """The import of a confirmed file, all rows or none (decisions.services.imports)."""
    job = imports.import_job_run(job_id=job_id)
    return job.state if job else ""


@shared_task
def import_jobs_resume() -> int:
    """Beat (config/celery.py): sends again the imports whose check or import task was lost."""
    return imports.import_jobs_resume()


@shared_task
def credit_export_build(*, user_id: int, kind: str, fmt: str, state: str) -> None:
    """A large workbook of the credit exchange (双公示), built once per state of the data
    (decisions.services.credit), for the reader who asked, as they may read it."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    credit.file_build(
        user=user,
        kind=kind,
        fmt=fmt,
        state=state,
        queryset=selectors.credit_decisions(user=user, kind=kind),
    )
