"""The ledger, a rectification notice and the assessment ledger (issue 13 §4–§6) in Debian's
Chromium, in Chinese: the supervisor drafts a notice from the ledger and issues it, confirming
in the dialog that says the number is taken for good; the unit's clerk reports with a file.
Screenshots of the ledger, the notice and the assessment ledger at desktop and phone widths
(test-artifacts/), none wider than the screen."""

import datetime
import re

import pytest

from core import services as core_services
from inspections import services
from inspections.choices import NoticeState, ProblemSource, Reporter
from inspections.models import RectificationNotice
from inspections.services import ledger
from tests.browser_helpers import DESKTOP, new_page, send_panel_form
from tests.builders import password_for
from tests.inspection_builders import build_inspection_org, problem_open

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def built(transactional_db):
    core_services.calendar_seed_from_package(actor=None)
    built = build_inspection_org()
    ledger.problem_record(
        actor=built.supervisor,
        jurisdiction=built.org.city,
        department=built.units["market"],
        title="人大代表反映市场监管局许可取消后仍要求提交材料",
        description="人大代表在座谈会上反映该局仍要求企业提交已取消许可的申请材料。",
        source=ProblemSource.SOCIAL,
        reporter=Reporter.DEPUTY,
        reporter_name="王代表",
        reported_how="人大代表座谈会",
        found_on=datetime.date(2026, 1, 8),
        hot=True,
        sensitive=True,
    )
    unfixed = problem_open(built, unit="labour", title="人社局办事指南与清单不一致")
    notice = services.notice_draft(
        actor=built.supervisor,
        problems=[unfixed],
        title="关于市人社局清单运行问题的整改通知书",
        requirements="对照权责清单修订办事指南。",
    )
    notice = services.notice_issue(actor=built.supervisor, notice=notice)
    services.notice_close_not_fixed(
        actor=built.supervisor, notice=notice, reasons="逾期未报送整改情况。"
    )
    return built


def _login(browser, live_server, user, viewport=DESKTOP):
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("用户名|Username")).fill(user.username)
    page.get_by_label(re.compile("密码|Password")).fill(password_for(user.role))
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1.role-heading").is_visible(), f"{user} did not log in"
    return page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_notice_is_drafted_issued_and_reported_in_the_browser(
    browser, live_server, built, screenshot
):
    problem = problem_open(built, found_on=datetime.date(2026, 1, 5))
    supervisor = _login(browser, live_server, built.supervisor)
    supervisor.goto(f"{live_server.url}/inspections/problems/{problem.pk}/")
    supervisor.locator(f"a[href$='?problems={problem.pk}']").click()
    supervisor.wait_for_load_state()
    form = supervisor.locator("form.insp-notice-form")
    assert form.locator(f"input[name=problems][value='{problem.pk}']").is_checked()
    form.locator("[name=requirements]").fill("立即在门户网站公开责任清单，并报送整改情况。")
    form.locator("[name=milestone_1]").fill("完成清单公开")
    form.locator("[name=milestone_1_due]").fill("2027-01-15")
    form.locator("button[type=submit]").click()
    supervisor.wait_for_load_state()
    assert supervisor.locator(".messages .success").count() == 1

    issue = supervisor.locator("form.adj-action-issue")
    assert "号" not in supervisor.locator("h1").inner_text()
    issue.locator("button[type=submit]").click()
    dialog = supervisor.locator("dialog.confirm-dialog")
    # The dialog names the unit and says the number is taken for good.
    assert dialog.is_visible() and built.units["salt"].name in dialog.inner_text()
    dialog.locator("[data-answer=yes]").click()
    supervisor.wait_for_load_state()
    notice = RectificationNotice.objects.get(problems=problem)
    assert notice.state == NoticeState.ISSUED
    assert notice.number in supervisor.locator("h1").inner_text()
    with supervisor.expect_download() as download:
        supervisor.locator(f"a[href$='/notices/{notice.pk}/notice.pdf']").click()
    assert download.value.suggested_filename.endswith(".pdf")

    clerk = _login(browser, live_server, built.clerks["salt"])
    clerk.goto(f"{live_server.url}/inspections/notices/{notice.pk}/")
    report = clerk.locator("form.adj-action-report")
    report.locator("[name='report-text']").fill("已在门户网站公开责任清单。")
    report.locator("[name='report-files']").set_input_files(
        files=[{"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    send_panel_form(clerk, report)
    assert "整改报告.pdf" in clerk.locator("main").inner_text()
    notice.refresh_from_db()
    assert notice.state == NoticeState.REPORTED

    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = _login(browser, live_server, built.supervisor, viewport)
        page.goto(f"{live_server.url}/inspections/notices/{notice.pk}/")
        page.locator(".cal-due").first.wait_for()
        screenshot(page, f"inspections-notice-{name}")
        _fits(page)
        page.goto(f"{live_server.url}/inspections/problems/")
        assert "王代表" not in page.locator("main").inner_text()
        screenshot(page, f"inspections-ledger-{name}")
        _fits(page)
        page.goto(f"{live_server.url}/inspections/assessment/")
        assert "督改" in page.locator("main").inner_text()
        screenshot(page, f"inspections-assessment-{name}")
        _fits(page)
        page.context.close()
