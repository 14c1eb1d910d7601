"""Issue 10 §2: the Excel import as a job: upload → dry run (every row checked once, problems
by sheet, row and column) → confirmation → import, with its progress in the database; only its
uploader sees it; a lost task is re-found by the sweep. The services are run here as the
worker runs them (tests/test_registry_import_worker.py runs them on a real worker)."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.choices import AuditAction, Role
from core.models import AuditEvent
from core.services import DomainError
from registry import import_jobs, importer
from registry.choices import ChangeSource, DraftState, ImportJobState, ListKind
from registry.models import Draft, Entry, ImportJob
from tests import registry_builders as rb
from tests.conftest import need
from tests.test_registry_import import row, xlsx


def uploaded(user, content: bytes, name: str = "清单.xlsx") -> ImportJob:
    return import_jobs.import_job_create(actor=user, upload=SimpleUploadedFile(name, content))


def checked(user, content: bytes) -> ImportJob:
    return import_jobs.import_job_check(job_id=uploaded(user, content).pk)


@pytest.fixture
def salt(org):
    return org.departments["salt"]


@pytest.fixture
def admin(org):
    return org.users[Role.ADMINISTRATOR]


def test_upload_dry_run_confirm_import(org, salt, admin, settings):
    content = xlsx({ListKind.POWER: [row(salt), row(salt, basic_code="0700002000")]})

    job = uploaded(admin, content, name="盐业局.xlsx")
    assert (job.state, job.mode, job.jurisdiction, job.department) == (
        ImportJobState.UPLOADED,
        importer.PUBLISH,
        org.city,
        None,
    )
    # Kept under MEDIA_ROOT with a name of its own, not the user's.
    assert job.file.path.startswith(str(settings.MEDIA_ROOT)) and "盐业局" not in job.file.name

    job = import_jobs.import_job_check(job_id=job.pk)
    assert (job.state, job.rows_total, job.rows_done, job.problems) == (
        ImportJobState.CHECKED,
        2,
        2,
        [],
    )
    assert job.result["per_list"] == {ListKind.POWER: 2}
    assert Entry.objects.count() == 0  # the dry run saves nothing
    # A second message for the same check changes nothing.
    assert import_jobs.import_job_check(job_id=job.pk) is None

    job = import_jobs.import_job_confirm(actor=admin, job=job)
    assert (job.state, job.rows_done, job.rows_total) == (ImportJobState.IMPORTING, 0, 2)
    with pytest.raises(DomainError):
        import_jobs.import_job_confirm(actor=admin, job=job)

    job = import_jobs.import_job_run(job_id=job.pk)
    assert (job.state, job.rows_done, job.result["count"]) == (ImportJobState.DONE, 2, 2)
    entries = Entry.objects.order_by("basic_code")
    assert [e.basic_code for e in entries] == ["0700001000", "0700002000"]
    versions = [e.history.get() for e in entries]
    assert {v.change_source for v in versions} == {ChangeSource.IMPORT}
    assert {v.change_reference for v in versions} == {job.result["reference"]}
    assert all("盐业局.xlsx" in v.history_change_reason for v in versions)
    assert [len(e.citations.all()) for e in entries] == [2, 2]
    assert import_jobs.import_job_run(job_id=job.pk) is None


def test_the_dry_run_reports_problems_by_row_and_the_job_cannot_be_confirmed(org, salt, admin):
    content = xlsx(
        {
            ListKind.POWER: [
                row(salt),
                row(salt, basic_code="0700002000", star_level=7),
                row(salt, basic_code="0700003000", basis="《不存在的法》第一条"),
            ]
        }
    )
    job = checked(admin, content)
    assert job.state == ImportJobState.CHECK_FAILED
    assert [(p["row"], p["column"]) for p in job.problems] == [
        (3, importer.column_label("star_level")),
        (4, importer.column_label("basis")),
    ]
    assert job.result["ok"] == 1 and job.checked_rows == []
    with pytest.raises(DomainError):
        import_jobs.import_job_confirm(actor=admin, job=job)
    assert Entry.objects.count() == 0


def test_a_file_that_is_no_workbook_imports_nothing(org, admin):
    job = checked(admin, b"PK\x03\x04 not really a zip")
    assert job.state == ImportJobState.CHECK_FAILED
    (problem,) = job.problems
    assert problem["row"] is None and ".xlsx" in problem["message"]
    assert Entry.objects.count() == 0


def test_a_code_taken_between_the_check_and_the_import_fails_the_job_whole(org, salt, admin):
    job = checked(admin, xlsx({ListKind.POWER: [row(salt), row(salt, basic_code="0700002000")]}))
    assert job.state == ImportJobState.CHECKED
    rb.publish(salt, basic_code="0700002000")  # meanwhile, another publication
    import_jobs.import_job_confirm(actor=admin, job=job)

    job = import_jobs.import_job_run(job_id=job.pk)

    assert job.state == ImportJobState.FAILED and job.rows_done == 0
    assert [(p["row"], p["column"]) for p in job.problems] == [
        (3, importer.column_label("basic_code"))
    ]
    # All or nothing: the good first row was not published either.
    assert list(Entry.objects.values_list("basic_code", flat=True)) == ["0700002000"]


def test_a_clerks_job_makes_drafts_only(org, salt):
    clerk = org.users[Role.CLERK]
    job = checked(clerk, xlsx({ListKind.POWER: [row(salt), row(salt, basic_code="0700002000")]}))
    assert (job.mode, job.department) == (importer.DRAFTS, salt)
    import_jobs.import_job_confirm(actor=clerk, job=job)
    job = import_jobs.import_job_run(job_id=job.pk)
    assert job.state == ImportJobState.DONE and job.result["count"] == 2
    assert Entry.objects.count() == 0
    assert [(d.department, d.entry, d.state, d.created_by) for d in Draft.objects.all()] == [
        (salt, None, DraftState.OPEN, clerk)
    ] * 2


def test_only_the_uploader_sees_and_confirms_the_job(org, salt, admin):
    job = checked(admin, xlsx({ListKind.POWER: [row(salt)]}))
    page = reverse("registry:import-job", kwargs={"pk": job.pk})
    owner = Client()
    owner.force_login(admin)
    assert owner.get(page).status_code == 200
    assert job.file_name in owner.get(reverse("registry:import")).content.decode()
    for other in (org.district_users[Role.ADMINISTRATOR], org.users[Role.CLERK]):
        client = Client()
        client.force_login(other)
        assert client.get(page).status_code == 404
        confirm = reverse("registry:import-job-confirm", kwargs={"pk": job.pk})
        assert client.post(confirm, {"confirm": "on"}).status_code == 404
        assert job.file_name not in client.get(reverse("registry:import")).content.decode()
        with pytest.raises(DomainError):
            import_jobs.import_job_confirm(actor=other, job=job)
    office = Client()
    office.force_login(org.users[Role.OFFICE])
    assert office.get(page).status_code == 403
    job.refresh_from_db()
    assert job.state == ImportJobState.CHECKED and Entry.objects.count() == 0


def test_the_confirmation_is_asked_for(org, salt, admin):
    job = checked(admin, xlsx({ListKind.POWER: [row(salt)]}))
    client = Client()
    client.force_login(admin)
    confirm = reverse("registry:import-job-confirm", kwargs={"pk": job.pk})
    response = client.post(confirm, {})
    assert response.status_code == 200 and response.context["confirm_form"].errors
    job.refresh_from_db()
    assert job.state == ImportJobState.CHECKED
    response = client.post(confirm, {"confirm": "on"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJobState.IMPORTING


def test_the_running_page_shows_progress_and_reloads_itself(org, salt, admin):
    job = uploaded(admin, xlsx({ListKind.POWER: [row(salt)]}))
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("registry:import-job", kwargs={"pk": job.pk})).content.decode()
    assert '<meta http-equiv="refresh"' in page and "import-progress.js" in page
    assert "<progress" in page
    import_jobs.import_job_check(job_id=job.pk)
    page = client.get(reverse("registry:import-job", kwargs={"pk": job.pk})).content.decode()
    assert "http-equiv" not in page and "<progress" not in page


def test_the_sweep_sends_a_lost_job_again(org, salt, admin):
    lost = uploaded(admin, xlsx({ListKind.POWER: [row(salt)]}))
    done = checked(admin, xlsx({ListKind.POWER: [row(salt)]}))
    assert import_jobs.import_jobs_resume() == 0  # not lost yet: its task may be on its way
    later = timezone.now() + import_jobs.LOST_AFTER + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        assert import_jobs.import_jobs_resume() == 1
        fresh = uploaded(admin, xlsx({ListKind.POWER: [row(salt)]}))
        assert import_jobs.import_jobs_resume() == 1
    assert {lost.pk, done.pk, fresh.pk} == set(ImportJob.objects.values_list("pk", flat=True))


def test_the_job_list_costs_the_same_for_one_job_or_many(
    org, salt, admin, django_assert_num_queries
):
    client = Client()
    client.force_login(admin)
    content = xlsx({ListKind.POWER: [row(salt)]})
    checked(admin, content)
    client.get(reverse("registry:import"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("registry:import")).status_code == 200
    for _n in range(4):
        checked(admin, content)
    with django_assert_num_queries(len(one)):
        page = client.get(reverse("registry:import"))
    assert page.content.decode().count("清单.xlsx") == 5


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_while_the_import_transaction_is_still_open(org, salt, admin):
    need(connection.vendor == "postgresql", "a second connection needs PostgreSQL")
    job = checked(admin, xlsx({ListKind.POWER: [row(salt)]}))
    write = import_jobs._progress_writer(job.pk)
    reader = connections.create_connection("default")
    try:
        with transaction.atomic():
            write(7, 9, force=True)
            with reader.cursor() as cursor:
                cursor.execute(
                    "SELECT rows_done, rows_total FROM registry_importjob WHERE id = %s", [job.pk]
                )
                assert cursor.fetchone() == (7, 9)
    finally:
        write.close()
        reader.close()


def test_each_imported_version_names_its_importer_and_has_its_audit_row(org, salt, admin):
    job = checked(admin, xlsx({ListKind.POWER: [row(salt), row(salt, basic_code="0700002000")]}))
    import_jobs.import_job_confirm(actor=admin, job=job)
    import_jobs.import_job_run(job_id=job.pk)
    entries = list(Entry.objects.all())
    assert [e.history.get().history_user for e in entries] == [admin, admin]
    created = AuditEvent.objects.filter(
        action=AuditAction.CREATE, content_type=ContentType.objects.get_for_model(Entry)
    )
    assert sorted((a.actor, a.object_id, a.detail["source"]) for a in created) == sorted(
        (admin, str(e.pk), ChangeSource.IMPORT) for e in entries
    )
