"""Issue 13, Done when 1, in Debian's Chromium, each actor signed in as themselves: a supervisor
creates a random check, publishes the commitment and draws units and inspectors; the public draw
page re-runs the draw in the browser and says "same result"; an inspector sends the written
notice, records a finding and tells the findings; the supervisor drafts and issues a
rectification notice and downloads its PDF; the unit reports; the supervisor verifies it; the
ledger shows the problem rectified and the published report lists it."""

import datetime
import re

import pytest
from django.utils import timezone

from core import calendar as core_calendar
from core import services as core_services
from inspections.choices import InspectionState, NoticeState, PlanState, ProblemState
from inspections.models import Plan, Problem, RectificationNotice
from tests.browser_helpers import DESKTOP, new_page, send_panel_form
from tests.builders import password_for
from tests.inspection_builders import build_inspection_org

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FINDING = "办事指南仍要求提交已取消的证明材料"


@pytest.fixture
def built(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    core_services.calendar_seed_from_package(actor=None)
    return build_inspection_org()


def _login(browser, live_server, user, viewport=DESKTOP):
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password_for(user.role))
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1.role-heading").is_visible(), f"{user} did not log in"
    return page


def test_a_random_check_from_plan_to_public_report(built, browser, live_server, screenshot):
    today = timezone.localdate(timezone.now(), core_calendar.SHANGHAI)

    # The supervisor creates the random check on the form.
    supervisor = _login(browser, live_server, built.supervisor)
    supervisor.goto(f"{live_server.url}/inspections/plans/new/")
    form = supervisor.locator("main form").first
    form.locator("[name=title]").fill("2026年第四季度“五单一网”随机抽查")
    form.locator("[name=mode][value=random]").check()
    form.locator("[name=period_start]").fill(f"{today:%Y-%m-%d}")
    form.locator("[name=period_end]").fill(f"{today + datetime.timedelta(days=60):%Y-%m-%d}")
    form.locator("[name=ratio]").fill("100")
    form.locator("[name=raised_ratio]").fill("100")
    for unit in built.units.values():
        form.locator(f"input[name=scope][value='{unit.pk}']").check()
    for box in form.locator("input[name=contents]").all()[:3]:
        box.check()
    for user in built.team:
        form.locator(f"input[name=team][value='{user.pk}']").check()
    form.locator("button[type=submit]").click()
    supervisor.wait_for_load_state()
    plan = Plan.objects.get(title="2026年第四季度“五单一网”随机抽查")
    assert plan.team.count() == len(built.team)

    send_panel_form(supervisor, supervisor.locator("form.adj-action-commit"))
    send_panel_form(supervisor, supervisor.locator("form.adj-action-draw"))
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAWN
    draw = plan.draws.get()

    # Anyone re-runs the draw in their own browser and sees the same result.
    for name, viewport in (("1280", DESKTOP), ("390", PHONE)):
        public = new_page(browser, viewport)
        public.goto(f"{live_server.url}/inspections/draws/{draw.pk}/")
        public.locator("#draw-verify[data-outcome]").wait_for()
        assert public.locator("#draw-verify").get_attribute("data-outcome") == "same"
        assert draw.seed in public.locator("main").inner_text()
        screenshot(public, f"inspections-flow-public-draw-{name}")
        public.context.close()

    # An inspector drawn for a unit sends the notice, records a finding, tells the findings.
    inspection = plan.inspections.exclude(state=InspectionState.REPLACED).first()
    member = inspection.members.get(lead=True).user
    inspector = _login(browser, live_server, member, PHONE)
    inspector.goto(f"{live_server.url}/inspections/visits/{inspection.pk}/")
    notify = inspector.locator("form.adj-action-notify")
    notify.locator("[name='notify-meet_on']").fill(f"{today:%Y-%m-%d}")
    send_panel_form(inspector, notify)
    finding = inspector.locator("form.adj-action-finding")
    finding.locator("[name='finding-title']").fill(FINDING)
    finding.locator("[name='finding-description']").fill(
        "抽查办事指南，发现仍要求提交已取消的证明。"
    )
    finding.locator("[name='finding-content']").select_option(index=1)
    finding.locator("[name='finding-found_on']").fill(f"{today:%Y-%m-%d}")
    send_panel_form(inspector, finding)
    finish = inspector.locator("form.adj-action-finish")
    finish.locator("[name='finish-feedback']").fill("限期取消不必要的证明材料，修订办事指南。")
    send_panel_form(inspector, finish)
    screenshot(inspector, "inspections-flow-inspector-390")
    problem = Problem.objects.get(title=FINDING)
    assert problem.inspection_id == inspection.pk

    # The supervisor drafts and issues the notice, and downloads its PDF.
    supervisor.goto(f"{live_server.url}/inspections/problems/{problem.pk}/")
    supervisor.locator(f"a[href$='?problems={problem.pk}']").click()
    supervisor.wait_for_load_state()
    form = supervisor.locator("form.insp-notice-form")
    form.locator("[name=requirements]").fill("取消不必要的证明材料，修订办事指南并公开。")
    form.locator("button[type=submit]").click()
    supervisor.wait_for_load_state()
    send_panel_form(supervisor, supervisor.locator("form.adj-action-issue"))
    notice = RectificationNotice.objects.get(problems=problem)
    assert notice.state == NoticeState.ISSUED
    assert re.fullmatch(r".+〔\d{4}〕\d+号", notice.number)
    with supervisor.expect_download() as download:
        supervisor.locator(f"a[href$='/notices/{notice.pk}/notice.pdf']").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    screenshot(supervisor, "inspections-flow-notice-1280")

    # The unit reports its rectification with evidence.
    clerk = _login(browser, live_server, built.clerks[_unit_key(built, notice)], PHONE)
    clerk.goto(f"{live_server.url}/inspections/notices/{notice.pk}/")
    report = clerk.locator("form.adj-action-report")
    report.locator("[name='report-text']").fill("已取消证明材料，办事指南已修订并公开。")
    report.locator("[name='report-files']").set_input_files(
        files=[{"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    send_panel_form(clerk, report)
    screenshot(clerk, "inspections-flow-unit-reported-390")

    # The supervisor verifies; the ledger shows the problem rectified.
    supervisor.goto(f"{live_server.url}/inspections/notices/{notice.pk}/")
    accept = supervisor.locator("form.adj-action-accept")
    accept.locator("[name='accept-opinion']").fill("经核查，整改到位。")
    send_panel_form(supervisor, accept)
    problem.refresh_from_db()
    assert problem.state == ProblemState.RECTIFIED
    supervisor.goto(f"{live_server.url}/inspections/problems/?q={FINDING}")
    row = supervisor.locator("main tr", has_text=FINDING)
    assert "已整改" in row.inner_text()
    screenshot(supervisor, "inspections-flow-ledger-1280")

    # The supervisor publishes the period's report; the public report lists the problem.
    supervisor.goto(f"{live_server.url}/inspections/reports/new/")
    form = supervisor.locator("main form").first
    form.locator("[name=title]").fill("2026年第四季度“五单一网”监督检查情况通报")
    form.locator("[name=period_start]").fill(f"{today - datetime.timedelta(days=1):%Y-%m-%d}")
    form.locator("[name=period_end]").fill(f"{today:%Y-%m-%d}")
    form.locator("[name=summary]").fill("本季度随机抽查情况通报如下。")
    # Publishing cannot be undone: the page asks first.
    form.locator("button[type=submit]").click()
    supervisor.locator("dialog.confirm-dialog [data-answer=yes]").click()
    supervisor.wait_for_load_state()
    public = new_page(browser, DESKTOP)
    public.goto(supervisor.url)
    text = public.locator("main").inner_text()
    assert FINDING in text
    assert member.username not in text
    screenshot(public, "inspections-flow-public-report-1280")


def _unit_key(built, notice) -> str:
    return next(key for key, unit in built.units.items() if unit.pk == notice.addressee_id)
