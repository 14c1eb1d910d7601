"""Issue 10 §2 for real: an import job's check and import run on a Celery worker (another
process, over the Redis broker, on the test's PostgreSQL database), enqueued on commit; a job
whose worker died mid-check is found again by the beat's sweep and checked anew."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.choices import Role
from registry import import_jobs, tasks
from registry.choices import ChangeSource, ImportJobState, ListKind
from registry.models import Entry, ImportJob
from tests.test_registry_import import row, xlsx


def _state(job: ImportJob) -> str:
    return ImportJob.objects.values_list("state", flat=True).get(pk=job.pk)


def test_the_import_runs_on_a_worker_and_the_sweep_finds_a_lost_job(celery_worker, org):
    admin = org.users[Role.ADMINISTRATOR]
    salt = org.departments["salt"]
    rows = [row(salt, basic_code=f"07{n:05d}000", name=f"事项{n}") for n in range(1, 51)]
    content = xlsx({ListKind.POWER: rows})

    job = import_jobs.import_job_create(actor=admin, upload=SimpleUploadedFile("a.xlsx", content))
    celery_worker.wait_for(lambda: _state(job) == ImportJobState.CHECKED, "the dry run")
    job.refresh_from_db()
    assert (job.rows_total, job.rows_done, job.problems) == (50, 50, [])
    assert not Entry.objects.exists()

    import_jobs.import_job_confirm(actor=admin, job=job)
    celery_worker.wait_for(lambda: _state(job) == ImportJobState.DONE, "the import")
    job.refresh_from_db()
    assert (job.rows_done, job.result["count"]) == (50, 50)
    assert Entry.objects.count() == 50
    assert {e.history.get().change_source for e in Entry.objects.all()} == {ChangeSource.IMPORT}

    # A second file whose worker died during its check: stuck in "checking", silent.
    other = [row(salt, basic_code="0700099000", name="另一事项")]
    lost = import_jobs.import_job_create(
        actor=admin, upload=SimpleUploadedFile("b.xlsx", xlsx({ListKind.POWER: other}))
    )
    celery_worker.wait_for(lambda: _state(lost) == ImportJobState.CHECKED, "the second check")
    stale = timezone.now() - import_jobs.LOST_AFTER - datetime.timedelta(minutes=1)
    ImportJob.objects.filter(pk=lost.pk).update(
        state=ImportJobState.CHECKING, checked_rows=[], checked_at=None, updated_at=stale
    )

    tasks.import_jobs_resume.delay()

    celery_worker.wait_for(lambda: _state(lost) == ImportJobState.CHECKED, "the sweep's check")
    lost.refresh_from_db()
    assert lost.checked_at is not None and len(lost.checked_rows) == 1
