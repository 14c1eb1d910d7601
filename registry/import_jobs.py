"""Issue 10 §2: the Excel import as a background job: upload → dry run → confirmation →
import, with its progress in the database so the page can show it and the user may leave
and come back.

The services below are the only writers of `ImportJob`. Celery is a trigger, the database
is the truth: `import_job_create` and `import_job_confirm` enqueue a thin task on commit, and
`import_jobs_resume` (the beat sweep, config/celery.py) re-finds a job whose task was lost.
The rows are checked once, in the dry run (importer.workbook_check, lookups preloaded); the
import writes the checked rows without checking each again (importer.rows_import), in one
transaction: everything or nothing.

Progress is written in short transactions of its own. While the import's one transaction
runs, they go through a second database connection (PostgreSQL), so the page sees them
before the import commits.
"""

import datetime
import logging
import time

from django.db import connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.permissions import Action
from core.services import DomainError, audit_record, permission_require

from . import importer
from .choices import ImportJobState, ListKind
from .models import ImportJob

logger = logging.getLogger(__name__)

# This product's defaults: progress is written at most this often, and a job that has not
# moved for LOST_AFTER is taken for lost (its task never ran, or its worker died) and sent
# again by the sweep.
PROGRESS_SECONDS = 1.0
LOST_AFTER = datetime.timedelta(minutes=10)
PENDING = (ImportJobState.UPLOADED, ImportJobState.CHECKING, ImportJobState.IMPORTING)


def _enqueue(job: ImportJob) -> None:
    from . import tasks

    task = tasks.import_job_run if job.state == ImportJobState.IMPORTING else tasks.import_job_check
    transaction.on_commit(lambda: task.delay(job.pk))


@transaction.atomic
def import_job_create(*, actor, upload, language: str = "") -> ImportJob:
    """Keeps an uploaded workbook (already checked by content, core.checkers.upload_problem)
    for its dry run, scoped to the uploader's jurisdiction and, for a clerk, department."""
    mode = importer.import_mode(actor)
    if mode is None:
        raise DomainError(_("You may not import entries."))
    job = ImportJob(
        created_by=actor,
        mode=mode,
        jurisdiction_id=actor.jurisdiction_id,
        department_id=actor.department_id if mode == importer.DRAFTS else None,
        file_name=upload.name[:200],
        language=language or translation.get_language() or "zh-hans",
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=job)
    _enqueue(job)
    return job


def _progress_writer(job_id: int):
    """Writes rows done (and total) at most every PROGRESS_SECONDS, in its own transaction:
    on a second connection while a transaction is open on the first (PostgreSQL; SQLite has
    one writer, so there it waits for the commit)."""
    state = {"at": 0.0, "side": None}

    def write(done: int, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - state["at"] < PROGRESS_SECONDS:
            return
        state["at"] = now
        values = {"rows_done": done, "updated_at": timezone.now()}
        if total is not None:
            values["rows_total"] = total
        if connection.in_atomic_block and connection.vendor == "postgresql":
            if state["side"] is None:
                state["side"] = connections.create_connection("default")
            side = state["side"]
            columns = ", ".join(f"{name} = %s" for name in values)
            with side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET {columns} WHERE id = %s",
                    [*values.values(), job_id],
                )
        else:
            ImportJob.objects.filter(pk=job_id).update(**values)

    def close() -> None:
        if state["side"] is not None:
            state["side"].close()

    write.close = close
    return write


def _claim(job_id: int, states: tuple[str, ...], to: str) -> ImportJob | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state not in states:
            return None
        job.state = to
        job.updated_at = timezone.now()
        job.save(update_fields=["state", "updated_at"])
        return job


def import_job_check(*, job_id: int) -> ImportJob | None:
    """The dry run: every row checked once, every problem kept by sheet, row and column; the
    checked rows kept for the import. Runs as the uploader, in their language. A job not
    waiting for its check (checked already, or a second message) is left alone."""
    job = _claim(
        job_id, (ImportJobState.UPLOADED, ImportJobState.CHECKING), ImportJobState.CHECKING
    )
    if job is None:
        return None
    progress = _progress_writer(job.pk)
    try:
        with translation.override(job.language), job.file.open("rb") as upload:
            report = importer.workbook_check(user=job.created_by, upload=upload, progress=progress)
            problems = [_problem(p) for p in report.problems]
            rows = importer.checked_rows(report) if report.valid else []
            per_list = _per_list(report.rows)
    except Exception:
        logger.exception("import job %s: the check failed", job.pk)
        with translation.override(job.language):
            failed = [_problem(importer.Problem("", None, "", _("The file could not be read.")))]
        return _finish(job.pk, ImportJobState.FAILED, problems=failed)
    finally:
        progress.close()
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.state != ImportJobState.CHECKING:
            return job
        job.state = ImportJobState.CHECKED if rows else ImportJobState.CHECK_FAILED
        job.problems = problems
        job.checked_rows = rows
        job.rows_total = len(report.rows)
        job.rows_done = len(report.rows)
        job.result = {"per_list": per_list, "ok": report.ok_count}
        job.checked_at = job.updated_at = timezone.now()
        job.save(
            update_fields=[
                "state",
                "problems",
                "checked_rows",
                "rows_total",
                "rows_done",
                "result",
                "checked_at",
                "updated_at",
            ]
        )
        return job


def _problem(problem: importer.Problem) -> dict:
    return {
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "message": problem.message,
    }


def _per_list(rows: list[importer.ParsedRow]) -> dict[str, int]:
    counts = {kind: 0 for kind in ListKind.values}
    for row in rows:
        counts[row.list_kind] += 1
    return {kind: count for kind, count in counts.items() if count}


@transaction.atomic
def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """The uploader confirms a job whose dry run found no problem: the import is queued. An
    administrator's import publishes (irreversible: the page asks first)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    permission_require(actor, Action.CHANGE, job)
    if job.state != ImportJobState.CHECKED:
        raise DomainError(_("Only a checked file with no problem can be imported."))
    if importer.import_mode(actor) != job.mode:
        raise DomainError(_("Your role has changed since the upload; upload the file again."))
    job.state = ImportJobState.IMPORTING
    job.rows_done = 0
    job.rows_total = len(job.checked_rows)
    job.confirmed_at = job.updated_at = timezone.now()
    job.save(update_fields=["state", "rows_done", "rows_total", "confirmed_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=job, detail={"confirmed": True})
    _enqueue(job)
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """The import of a confirmed job, in one transaction (importer.rows_import →
    registry.services.entries_publish or drafts_import): every row or none. What may have
    changed since the dry run is checked again there; a problem found then fails the job with
    nothing written. A job not waiting for its import is left alone; a second run of the same
    job (a sweep racing a slow worker) finds it finished and rolls its own work back."""
    job = ImportJob.objects.filter(pk=job_id, state=ImportJobState.IMPORTING).first()
    if job is None:
        return None
    progress = _progress_writer(job.pk)
    try:
        with translation.override(job.language), transaction.atomic():
            written = importer.rows_import(
                user=job.created_by,
                mode=job.mode,
                rows=job.checked_rows,
                file_name=job.file_name,
                progress=progress,
            )
            # Locked at the end only: the progress connection writes to this row meanwhile.
            current = ImportJob.objects.select_for_update().get(pk=job.pk)
            if current.state != ImportJobState.IMPORTING:
                transaction.set_rollback(True)
                return current
            if written.problems:
                transaction.set_rollback(True)
            else:
                return _finish(
                    job.pk,
                    ImportJobState.DONE,
                    result={
                        **job.result,
                        "count": written.count,
                        "reference": written.reference,
                    },
                    rows_done=written.count,
                )
    except Exception:
        logger.exception("import job %s: the import failed", job.pk)
        with translation.override(job.language):
            written = importer.Written(
                problems=[importer.Problem("", None, "", _("The import failed unexpectedly."))]
            )
    finally:
        progress.close()
    return _finish(job.pk, ImportJobState.FAILED, problems=[_problem(p) for p in written.problems])


@transaction.atomic
def _finish(job_id: int, state: str, **values) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    job.state = state
    for name, value in values.items():
        setattr(job, name, value)
    if state == ImportJobState.FAILED:
        job.rows_done = 0
    job.finished_at = job.updated_at = timezone.now()
    job.save(update_fields=["state", "finished_at", "updated_at", "rows_done", *values])
    return job


def import_jobs_resume(*, now: datetime.datetime | None = None) -> int:
    """The beat sweep (config/celery.py): a job waiting for its check or import that has not
    moved for LOST_AFTER lost its task (broker down, worker stopped between the commit and
    the run): it is sent again. The services leave a job alone that is no longer waiting, so
    a second message changes nothing. Returns how many were sent."""
    from . import tasks

    now = now or timezone.now()
    lost = list(
        ImportJob.objects.filter(state__in=PENDING, updated_at__lte=now - LOST_AFTER)
        .order_by("pk")
        .values_list("pk", "state")
    )
    for job_id, state in lost:
        task = tasks.import_job_run if state == ImportJobState.IMPORTING else tasks.import_job_check
        task.delay(job_id)
    return len(lost)
