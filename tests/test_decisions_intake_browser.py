"""Issue 14 §4, §5 in Debian's Chromium against the live server: a clerk makes a key for the
department's case system (its secret shown once) and revokes it after the dialog asks; uploads
an Excel file with a bad row and reads the problem by row and column, then a good file and
confirms it; and downloads the credit exchange's CSV. The import's tasks are run here as the
worker runs them. Screenshots at 1280 and 390 px; no page scrolls sideways on a phone."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from core import services as core_services
from decisions import services
from decisions.choices import ImportState
from decisions.models import ApiToken, Decision, ImportJob
from decisions.services import imports
from tests.browser_helpers import DESKTOP, new_page
from tests.builders import password_for
from tests.decision_builders import build_decision_org, penalty_values

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def built(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    core_services.calendar_seed_from_package(actor=None)
    with time_machine.travel(datetime.datetime(2026, 8, 3, 2, tzinfo=datetime.UTC), tick=False):
        built = build_decision_org()
    with time_machine.travel(datetime.datetime(2026, 9, 22, 2, tzinfo=datetime.UTC), tick=False):
        decision = services.decision_record(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body,
                item=built.penalty_item,
                officers=built.officers,
                values=penalty_values(served_on=datetime.date(2026, 9, 21)),
            ),
        )
        services.decision_publish(actor=built.clerk, decision=decision)
    return built


def login(browser, live_server, user, viewport=DESKTOP):
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password_for(user.role))
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def both_widths(page, screenshot, name: str) -> None:
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"{name} scrolls sideways at 390 px"
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)


def workbook(built, rows: list[dict], path) -> str:
    book = load_workbook(io.BytesIO(imports.workbook_template(user=built.clerk)))
    for values in rows:
        book.worksheets[0].append([values.get(key) for key in imports.KEYS])
    book.save(path)
    return str(path)


def typed(built, **overrides) -> dict:
    values = penalty_values(
        number="郑盐罚〔2026〕5号",
        filed_on="2026-09-01",
        decided_on="2026-09-20",
    )
    values.update(
        body=built.body.name,
        item=built.penalty_item.code,
        officers="豫A01000、豫A01001",
        party_kind="法人及非法人组织",
        penalty_kinds="罚款",
    )
    values.update(overrides)
    return values


def confirm_in_dialog(page, form) -> None:
    form.locator("button[type=submit]").click()
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    dialog.locator("[data-answer=yes]").click()
    page.wait_for_load_state()


def test_keys_import_and_credit_export(built, browser, live_server, screenshot, tmp_path):
    page = login(browser, live_server, built.clerk)

    # A key for the case system: the secret is on this page once.
    page.goto(f"{live_server.url}/decisions/work/keys/new/")
    both_widths(page, screenshot, "decisions-key-new")
    page.locator("input[name=name]").fill("执法办案系统（正式环境）")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    secret = page.locator("#key-secret").input_value()
    token = ApiToken.objects.get()
    assert len(secret) >= 40 and secret.startswith(token.prefix)
    both_widths(page, screenshot, "decisions-key-created")
    page.goto(f"{live_server.url}/decisions/work/keys/")
    assert secret not in page.content() and token.prefix in page.content()
    both_widths(page, screenshot, "decisions-keys")

    # Revoking asks first.
    page.goto(f"{live_server.url}/decisions/work/keys/{token.pk}/revoke/")
    form = page.locator("main form[data-confirm]")
    form.locator("button[type=submit]").click()
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    screenshot(page, "decisions-key-revoke-dialog-1280")
    dialog.locator("[data-answer=no]").click()
    token.refresh_from_db()
    assert token.revoked_at is None
    confirm_in_dialog(page, form)
    token.refresh_from_db()
    assert token.revoked_by == built.clerk
    assert page.locator(".messages .success").count() == 1

    # An Excel file with a bad row: the problem by row and column, nothing imported.
    page.goto(f"{live_server.url}/decisions/work/imports/new/")
    both_widths(page, screenshot, "decisions-import-new")
    bad = workbook(
        built,
        [
            typed(built),
            typed(built, number="郑盐罚〔2026〕6号", party_credit_code="91410100MA44X6Y2X1"),
        ],
        tmp_path / "决定.xlsx",
    )
    page.set_input_files("input[type=file]", bad)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    job = ImportJob.objects.get()
    assert page.locator("#import-job-status[data-running='1']").count() == 1
    imports.import_job_check(job_id=job.pk)
    page.locator("table.intake-problems").wait_for(timeout=15_000)
    cells = page.locator("table.intake-problems tbody tr").first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == imports.column_label("party_credit_code")
    both_widths(page, screenshot, "decisions-import-problems")
    assert Decision.objects.count() == 1

    # The corrected file: confirmed in the dialog, imported whole.
    good = workbook(
        built, [typed(built), typed(built, number="郑盐罚〔2026〕6号")], tmp_path / "改.xlsx"
    )
    page.goto(f"{live_server.url}/decisions/work/imports/new/")
    page.set_input_files("input[type=file]", good)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    job = ImportJob.objects.get(file_name="改.xlsx")
    imports.import_job_check(job_id=job.pk)
    page.reload()
    both_widths(page, screenshot, "decisions-import-checked")
    confirm_in_dialog(page, page.locator("main form[data-confirm]"))
    job.refresh_from_db()
    assert job.state == ImportState.IMPORTING
    imports.import_job_run(job_id=job.pk)
    page.reload()
    both_widths(page, screenshot, "decisions-import-done")
    assert Decision.objects.count() == 3
    page.goto(f"{live_server.url}/decisions/work/imports/")
    both_widths(page, screenshot, "decisions-imports")

    # The credit exchange: the published penalty is in the CSV.
    page.goto(f"{live_server.url}/decisions/work/credit/")
    both_widths(page, screenshot, "decisions-credit")
    with page.expect_download() as download:
        page.locator("a[href$='penalty.csv']").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "郑盐罚〔2026〕1号" in text and "郑盐罚〔2026〕5号" not in text
