"""Issue 13 §2, §3, §8 in Debian's Chromium: a supervisor publishes a random check's commitment
and draws it from the plan page (the draw asks first, in the dialog); an inspector, signed in as
themselves, records a meeting on the inspection page. Screenshots of the plan page and the
inspection page at desktop and phone widths go to test-artifacts/ for a person to look at; at
390 px nothing is wider than the screen."""

import pytest
from django.utils import timezone

from core import calendar as core_calendar
from core import services as core_services
from inspections import services
from inspections.choices import InspectionState, PlanState, RecordKind
from inspections.models import InspectionContent, Plan
from inspections.services import ledger
from tests.browser_helpers import new_page, send_panel_form
from tests.builders import password_for
from tests.inspection_builders import build_inspection_org, plan_random

pytestmark = [pytest.mark.browser]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def built(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    core_services.calendar_seed_from_package(actor=None)
    return build_inspection_org()


def _signed_in(browser, live_server, user, role: str, viewport=DESKTOP):
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password_for(role))
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1.role-heading").is_visible(), f"{user} did not log in"
    return page


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_plan_and_inspection_pages(built, browser, live_server, screenshot):
    plan = plan_random(built)
    supervisor = _signed_in(browser, live_server, built.supervisor, "supervisor")
    supervisor.goto(f"{live_server.url}/inspections/plans/{plan.pk}/")
    send_panel_form(supervisor, supervisor.locator("form.adj-action-commit"))
    assert Plan.objects.get(pk=plan.pk).state == PlanState.COMMITTED
    send_panel_form(supervisor, supervisor.locator("form.adj-action-draw"))
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAWN
    # The seed is revealed on the page once drawn.
    assert plan.draws.get().seed in supervisor.locator("main").inner_text()
    screenshot(supervisor, "inspections-plan-1280")
    phone = _signed_in(browser, live_server, built.supervisor, "supervisor", PHONE)
    phone.goto(f"{live_server.url}/inspections/plans/{plan.pk}/")
    _fits(phone)
    screenshot(phone, "inspections-plan-390")

    inspection = plan.inspections.exclude(state=InspectionState.REPLACED).first()
    member = inspection.members.select_related("user").first().user
    today = timezone.localdate(timezone.now(), core_calendar.SHANGHAI)
    services.inspection_notify(actor=member, inspection=inspection, meet_on=today)
    services.inspection_record(
        actor=member,
        inspection=inspection,
        kind=RecordKind.MATERIALS,
        held_on=today,
        text="查阅学习记录、落实文件和投诉处理台账。",
        materials=["study", "documents", "complaints"],
    )
    ledger.problem_record(
        actor=member,
        jurisdiction=plan.jurisdiction,
        department=inspection.department,
        title="责任清单未在门户网站公开",
        description="检查发现该单位责任清单未在门户网站公开。",
        source="inspection",
        inspection=inspection,
        found_on=today,
        content=InspectionContent.objects.get(code="J1"),
        hot=True,
    )

    inspector = _signed_in(browser, live_server, member, "clerk")
    inspector.goto(f"{live_server.url}/inspections/visits/{inspection.pk}/")
    form = inspector.locator("form.adj-action-record")
    form.locator("[name='record-kind'][value='meeting']").check()
    form.locator("[name='record-text']").fill("召开座谈会，听取单位负责人汇报清单运行情况。")
    send_panel_form(inspector, form)
    assert "召开座谈会" in inspector.locator("main").inner_text()
    screenshot(inspector, "inspections-inspection-1280")
    phone = _signed_in(browser, live_server, member, "clerk", PHONE)
    phone.goto(f"{live_server.url}/inspections/visits/{inspection.pk}/")
    _fits(phone)
    screenshot(phone, "inspections-inspection-390")

    work = _signed_in(browser, live_server, member, "clerk", PHONE)
    work.goto(f"{live_server.url}/inspections/work/")
    _fits(work)
    screenshot(work, "inspections-queue-390")
    new = _signed_in(browser, live_server, built.supervisor, "supervisor", PHONE)
    new.goto(f"{live_server.url}/inspections/plans/new/")
    _fits(new)
    screenshot(new, "inspections-plan-new-390")
