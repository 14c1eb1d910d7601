"""Celery tasks of the register: thin triggers (ids or JSON in, one service call). Publication
itself happens in one transaction (registry.services.entries_publish); the obligations a law
change starts are swept by the adjustments app. The import job's tasks (issue 10 §2) are re-found
by their sweep when lost (registry.import_jobs); for the exports of large lists (issue 10
§3) the files under MEDIA_ROOT/exports are the truth (registry.exports)."""

from celery import shared_task

from . import exports, import_jobs


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


@shared_task
def export_build(*, state: str, params: dict[str, str], fmt: str = "xlsx") -> None:
    exports.file_build(state=state, params=params, fmt=fmt)


@shared_task
def exports_sweep() -> None:
    exports.exports_sweep()
