"""Celery tasks of the register: thin triggers (ids in, one service call), JSON-serialised.
Publication itself happens in one transaction (registry.services.entries_publish); the
obligations a law change starts are swept by the adjustments app. The import job's tasks
(issue 10 §2) are re-found by their sweep when lost (registry.import_jobs)."""

from celery import shared_task

from . import import_jobs


@shared_task
def import_job_check(job_id: int) -> str:
    job = import_jobs.import_job_check(job_id=job_id)
    return job.state if job else ""


@shared_task
def import_job_run(job_id: int) -> str:
    job = import_jobs.import_job_run(job_id=job_id)
    return job.state if job else ""


@shared_task
def import_jobs_resume() -> int:
    """Beat sweep (config/celery.py): sends again the import jobs whose task was lost."""
    return import_jobs.import_jobs_resume()
