"""Issue 14 §5: decisions uploaded by Excel "with the same dry-run and row errors as the
register's import". Done when: "an Excel import with row errors importing nothing". The jobs'
services are run here as the worker runs them (as tests/test_registry_import_jobs.py does):
upload → check → confirm → import."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.choices import Role
from core.services import DomainError
from decisions import services
from decisions.choices import DecisionState, ImportState, Source, StepKind
from decisions.models import Decision, ImportJob
from decisions.services import imports
from tests.decision_builders import CREDIT_CODES, build_decision_org, penalty_values

BUILT_AT = datetime.datetime(2026, 8, 3, 2, tzinfo=datetime.UTC)
UPLOADED_AT = datetime.datetime(2026, 9, 22, 2, tzinfo=datetime.UTC)


@pytest.fixture
def built(calendar):
    with time_machine.travel(BUILT_AT, tick=False):
        return build_decision_org()


@pytest.fixture
def now():
    with time_machine.travel(UPLOADED_AT, tick=False):
        yield


def row(built, **overrides) -> dict:
    """One decision as a clerk types it into the template (dates as text, labels in Chinese)."""
    values = penalty_values()
    values.update(
        body=built.body.name,
        item=built.penalty_item.code,
        officers="豫A01000、豫A01001",
        party_kind="法人及非法人组织",
        penalty_kinds="罚款",
        filed_on="2026-09-01",
        decided_on="2026/9/20",
        major="否",
    )
    values.update(overrides)
    return values


def workbook(built, rows: list[dict]) -> bytes:
    """The template as downloaded, with `rows` typed into its first sheet."""
    book = load_workbook(io.BytesIO(imports.workbook_template(user=built.clerk)))
    sheet = book.worksheets[0]
    for values in rows:
        sheet.append([values.get(key) for key in imports.KEYS])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def uploaded(user, content: bytes, name: str = "决定.xlsx") -> ImportJob:
    return imports.import_job_create(actor=user, upload=SimpleUploadedFile(name, content))


def checked(built, rows: list[dict]) -> ImportJob:
    return imports.import_job_check(job_id=uploaded(built.clerk, workbook(built, rows)).pk)


def test_a_file_with_bad_rows_imports_nothing(built, now):
    job = checked(
        built,
        [
            row(built),
            row(built, number="郑盐罚〔2026〕2号", party_credit_code="91410100MA44X6Y2X1"),
            row(built, number="郑盐罚〔2026〕3号", officers="豫A01000、豫Z99999", title=""),
        ],
    )
    assert job.state == ImportState.REFUSED
    label = imports.column_label
    assert [(p["row"], p["column"]) for p in job.problems] == [
        (3, label("party_credit_code")),
        (4, label("officers")),
    ]
    assert "豫Z99999" in job.problems[1]["message"]
    assert Decision.objects.count() == 0  # the good row neither
    with pytest.raises(DomainError):
        imports.import_job_confirm(actor=built.clerk, job=job)
    assert imports.import_job_run(job_id=job.pk) is None
    assert Decision.objects.count() == 0


def test_a_good_file_is_imported_after_confirmation(built, now):
    job = checked(
        built,
        [
            row(built, served_on="2026-09-21"),
            row(
                built,
                number="郑盐罚〔2026〕2号",
                party_kind="自然人",
                party_name="张三丰",
                party_credit_code="",
                legal_representative="",
                penalty_kinds="警告",
                fine_amount="",
                external_id="XLS-2",
            ),
        ],
    )
    assert (job.state, job.rows_total, job.problems) == (ImportState.CHECKED, 2, [])
    assert Decision.objects.count() == 0  # the dry run saved nothing
    assert imports.import_job_check(job_id=job.pk) is None  # a second message does nothing

    job = imports.import_job_confirm(actor=built.clerk, job=job)
    assert job.state == ImportState.IMPORTING
    job = imports.import_job_run(job_id=job.pk)
    assert (job.state, job.imported, job.rows_done) == (ImportState.DONE, 2, 2)
    first, second = Decision.objects.order_by("number")
    assert {first.source, second.source} == {Source.IMPORT}
    assert first.state == DecisionState.SERVED and first.steps.get().kind == StepKind.PUBLISH
    assert first.decided_on == datetime.date(2026, 9, 20)
    assert first.created_by == built.clerk
    assert (second.party_kind, second.penalty_kinds, second.external_id) == (
        "person",
        ["warning"],
        "XLS-2",
    )
    assert imports.import_job_run(job_id=job.pk) is None


def test_the_dry_run_sees_what_only_the_database_knows(built, now):
    with time_machine.travel(UPLOADED_AT, tick=False):
        services.decision_record(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body,
                item=built.penalty_item,
                officers=built.officers,
                values=penalty_values(number="郑盐罚〔2026〕9号"),
            ),
        )
    job = checked(
        built,
        [
            row(built, number="郑盐罚〔2026〕9号"),  # recorded before
            row(built, number="郑盐罚〔2026〕7号"),
            row(built, number="郑盐罚〔2026〕7号"),  # twice in the file
        ],
    )
    assert job.state == ImportState.REFUSED
    assert [p["row"] for p in job.problems] == [2, 4]
    assert Decision.objects.count() == 1


def test_what_changed_after_the_check_refuses_the_whole_file(built, now):
    job = checked(built, [row(built), row(built, number="郑盐罚〔2026〕2号")])
    assert job.state == ImportState.CHECKED
    imports.import_job_confirm(actor=built.clerk, job=job)
    services.decision_record(
        actor=built.clerk,
        department=built.department,
        given=services.DecisionValues(
            body=built.body,
            item=built.penalty_item,
            officers=built.officers,
            values=penalty_values(number="郑盐罚〔2026〕2号"),
        ),
    )
    job = imports.import_job_run(job_id=job.pk)
    assert job.state == ImportState.REFUSED
    assert [p["row"] for p in job.problems] == [3]
    assert Decision.objects.count() == 1


def test_another_departments_names_are_not_found(built, now):
    org = built.org
    other = org.district_departments["salt"]
    job = checked(
        built,
        [row(built, body="上街区盐业管理局", item=f"{built.penalty_item.code}X")],
    )
    assert {p["column"] for p in job.problems} == {
        imports.column_label("body"),
        imports.column_label("item"),
    }
    district = uploaded(org.district_users[Role.CLERK], workbook(built, [row(built)]))
    assert district.department == other
    district = imports.import_job_check(job_id=district.pk)
    assert district.state == ImportState.REFUSED
    (item_problem,) = [p for p in district.problems if p["column"] == imports.column_label("item")]
    assert built.department.name in item_problem["message"]


def test_files_that_are_no_decisions_workbook(built, now):
    job = imports.import_job_check(job_id=uploaded(built.clerk, b"PK\x03\x04 not a zip").pk)
    assert job.state == ImportState.REFUSED and job.problems[0]["row"] is None
    book = Workbook()
    book.active.append(["案由", "颜色"])
    book.active.append(["某案", "红"])
    output = io.BytesIO()
    book.save(output)
    job = imports.import_job_check(job_id=uploaded(built.clerk, output.getvalue()).pk)
    assert job.state == ImportState.REFUSED
    messages = " ".join(p["message"] for p in job.problems)
    assert "颜色" in messages
    job = checked(built, [])
    assert job.state == ImportState.REFUSED and len(job.problems) == 1


def test_unreadable_cells_are_reported_with_the_rest_of_the_row(built, now):
    job = checked(built, [row(built, major="也许", decided_on="九月二十日", fine_amount="两万")])
    columns = {p["column"] for p in job.problems}
    label = imports.column_label
    assert {label("major"), label("decided_on"), label("fine_amount")} <= columns
    # A control character Excel escapes (_x0000_) is refused, and quoting it harms nothing.
    job = checked(
        built, [row(built, item="0200_x0000_1"), row(built, number="2号", title="案_x0007_由")]
    )
    assert [(p["row"], p["column"]) for p in job.problems] == [
        (2, label("item")),
        (3, label("title")),
    ]
    assert all("\x00" not in p["message"] for p in job.problems)


def test_a_lost_task_is_sent_again(built, now):
    job = uploaded(built.clerk, workbook(built, [row(built)]))
    assert imports.import_jobs_resume() == 0
    later = datetime.datetime.now(tz=datetime.UTC) + imports.LOST_AFTER
    with time_machine.travel(later + datetime.timedelta(minutes=1), tick=False):
        assert imports.import_jobs_resume() == 1
        job = imports.import_job_check(job_id=job.pk)
        imports.import_job_confirm(actor=built.clerk, job=job)
        # Just confirmed: its task may be on its way.
        assert imports.import_jobs_resume() == 0
    with time_machine.travel(later + imports.LOST_AFTER * 2, tick=False):
        assert imports.import_jobs_resume() == 1


def test_only_the_uploader_confirms(built, now):
    job = checked(built, [row(built)])
    colleague = services_user(built)
    with pytest.raises(DomainError):
        imports.import_job_confirm(actor=colleague, job=job)
    job.refresh_from_db()
    assert job.state == ImportState.CHECKED


def services_user(built):
    from core import services as core_services

    return core_services.user_create(
        actor=None,
        username="city-clerk-2",
        password="pw-clerk-2",
        role=Role.CLERK,
        jurisdiction=built.org.city,
        department=built.department,
        email="clerk2@example.invalid",
    )


def test_the_template_has_the_columns_the_instructions_and_the_choices(built):
    book = load_workbook(io.BytesIO(imports.workbook_template(user=built.clerk)))
    first, instructions, choices = book.worksheets
    header = [cell.value for cell in first[1]]
    assert header == [imports.column_label(key, "zh-hans") for key in imports.KEYS]
    text = " ".join(str(cell.value) for row in instructions.iter_rows() for cell in row)
    assert str(imports.MAX_ROWS) in text
    listed = {cell.value for row in choices.iter_rows() for cell in row}
    assert {built.body.name, built.penalty_item.code, "豫A01000"} <= listed
    assert "罚款" in listed or "Fine" in listed


# --- the pages -------------------------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_upload_check_problems_and_confirm_on_the_pages(built, now):
    client = logged_in(built.clerk)
    assert client.get(reverse("decisions:import-new")).status_code == 200
    template = client.get(reverse("decisions:import-template"))
    assert template.status_code == 200 and template.content.startswith(b"PK")
    refused = client.post(
        reverse("decisions:import-new"),
        {"file": SimpleUploadedFile("决定.xlsx", b"not a workbook at all")},
    )
    assert refused.status_code == 200 and not ImportJob.objects.exists()

    content = workbook(built, [row(built), row(built, number="郑盐罚〔2026〕2号", title="")])
    response = client.post(
        reverse("decisions:import-new"), {"file": SimpleUploadedFile("决定.xlsx", content)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "decisions:import", args=[job.pk]
    )
    page = client.get(reverse("decisions:import", args=[job.pk]))
    assert 'data-running="1"' in page.content.decode()
    progress = client.get(reverse("decisions:import-progress", args=[job.pk])).json()
    assert progress["state"] == ImportState.CHECKING and progress["running"] is True
    imports.import_job_check(job_id=job.pk)
    page = client.get(reverse("decisions:import", args=[job.pk])).content.decode()
    assert imports.column_label("title") in page and "data-confirm" not in page

    content = workbook(built, [row(built)])
    client.post(reverse("decisions:import-new"), {"file": SimpleUploadedFile("好.xlsx", content)})
    job = ImportJob.objects.get(file_name="好.xlsx")
    imports.import_job_check(job_id=job.pk)
    page = client.get(reverse("decisions:import", args=[job.pk])).content.decode()
    assert "data-confirm" in page
    client.post(reverse("decisions:import", args=[job.pk]), {})
    job.refresh_from_db()
    assert job.state == ImportState.CHECKED  # not confirmed
    client.post(reverse("decisions:import", args=[job.pk]), {"confirm": "on"})
    job.refresh_from_db()
    assert job.state == ImportState.IMPORTING
    imports.import_job_run(job_id=job.pk)
    assert client.get(reverse("decisions:import-progress", args=[job.pk])).json()["imported"] == 1

    # Another department's clerk finds nothing; a supervisor has no imports.
    other = logged_in(built.org.district_users[Role.CLERK])
    assert other.get(reverse("decisions:import", args=[job.pk])).status_code == 404
    assert other.get(reverse("decisions:import-progress", args=[job.pk])).status_code == 404
    supervisor = logged_in(built.org.users[Role.SUPERVISOR])
    assert supervisor.get(reverse("decisions:imports")).status_code == 403


def test_the_import_list_costs_the_same_for_one_job_or_many(built, now):
    client = logged_in(built.clerk)
    content = workbook(built, [row(built)])
    uploaded(built.clerk, content)
    client.get(reverse("decisions:imports"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("decisions:imports")).status_code == 200
    for _n in range(4):
        imports.import_job_check(job_id=uploaded(built.clerk, content).pk)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("decisions:imports")).content.decode()
    assert len(many) == len(one)
    assert page.count("决定.xlsx") == 5


def test_the_credit_codes_typed_are_checked(built, now):
    job = checked(built, [row(built, party_credit_code=CREDIT_CODES[1].lower())])
    # Lower case is normalised, as on the form (core.checkers.credit_code_normalise).
    assert job.state == ImportState.CHECKED, job.problems
