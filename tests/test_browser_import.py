"""Issue 10 §2, Done when: "the import of 10,000 rows runs as a task with a progress page
(browser test: upload, dry-run errors by row, confirm, progress, done)". Debian's Chromium
against the live server, the job's tasks on a real Celery worker; screenshots at 1280 and
390 px."""

import re

import pytest

from core.choices import Role
from registry import importer
from registry.choices import ImportJobState, ListKind
from registry.models import Entry, ImportJob
from tests.builders import password_for
from tests.test_registry_import import row, xlsx

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ROWS = 1500


def _fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _both_widths(page, screenshot, name: str) -> None:
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    assert _fits_the_width(page), name
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)


def test_upload_dry_run_errors_fix_confirm_progress_done(
    celery_worker, live_server, page, org, screenshot, tmp_path
):
    salt = org.departments["salt"]
    good = [row(salt, basic_code=f"07{n:05d}000", name=f"事项{n}") for n in range(1, ROWS + 1)]
    bad = [*good[:2], row(salt, basic_code="0700999000", star_level=7), *good[2:4]]
    bad_file, good_file = tmp_path / "清单.xlsx", tmp_path / "清单-改.xlsx"
    bad_file.write_bytes(xlsx({ListKind.POWER: bad}))
    good_file.write_bytes(xlsx({ListKind.POWER: good}))

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("用户名")).fill(org.users[Role.ADMINISTRATOR].username)
    page.get_by_label(re.compile("密码")).fill(password_for(Role.ADMINISTRATOR))
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()

    # 1. The file with one bad row: the check's page reports it by row and column.
    page.goto(f"{live_server.url}/work/import/")
    page.set_input_files("input[type=file]", str(bad_file))
    page.get_by_role("button", name="上传并检查").click()
    report = page.locator("table.work-report")
    report.wait_for(timeout=30_000)
    cells = report.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[1:3] == ["4", importer.column_label("star_level")] and cells[3]
    assert "未导入任何内容" in page.locator(".form-errors").inner_text()
    _both_widths(page, screenshot, "import-dry-run-errors")
    assert not Entry.objects.exists()

    # 2. The corrected file: checked, confirmed, imported with its progress shown.
    page.get_by_role("link", name="上传更正后的文件").click()
    page.wait_for_load_state()
    page.set_input_files("input[type=file]", str(good_file))
    page.get_by_role("button", name="上传并检查").click()
    page.get_by_role("button", name=re.compile("导入并公布")).wait_for(timeout=60_000)
    assert f"{ROWS}" in page.locator(".work-ok").inner_text()
    _both_widths(page, screenshot, "import-confirm")
    # The confirmation is asked for: without the tick nothing happens.
    page.get_by_role("button", name=re.compile("导入并公布")).click()
    page.wait_for_load_state()
    assert page.locator(".errorlist, .form-errors").count() > 0
    job = ImportJob.objects.get(file_name=good_file.name)
    assert job.state == ImportJobState.CHECKED
    page.get_by_label(re.compile("我已阅读")).check()
    page.get_by_role("button", name=re.compile("导入并公布")).click()
    page.wait_for_load_state()
    progress = page.locator("#import-job-status")
    if page.locator("progress").count():
        assert page.locator("progress").get_attribute("max") == str(ROWS)
        assert re.search(r"已导入 \d+ 行，共 1500 行", progress.inner_text())
        _both_widths(page, screenshot, "import-progress")
    # The page follows the job by itself until it is done.
    page.get_by_role("heading", name="已导入").wait_for(timeout=90_000)
    assert f"已导入并公布{ROWS}个事项" in page.locator(".work-ok").inner_text()
    _both_widths(page, screenshot, "import-done")
    assert Entry.objects.count() == ROWS

    # 3. The user may leave and come back: the import page lists both jobs.
    page.goto(f"{live_server.url}/work/import/")
    jobs = page.locator("table.work-jobs tbody tr")
    assert jobs.count() == 2
    assert "已导入" in jobs.first.inner_text()
    _both_widths(page, screenshot, "import-jobs")
