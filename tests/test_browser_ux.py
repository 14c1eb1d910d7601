"""Issue 10 §4–§9 in Debian's Chromium on the demo data that `make run` loads: irreversible
actions ask in a dialog, the proposed change comes before the decision forms, a due moment's
explanation opens by click and keyboard, the empty request form asks for the trigger, the
basis is a filtered checkbox list under the comparison, browse nests 刘寨镇 under 新密市, the
office's queue names the applying department and the site has its icon. Screenshots at 1280
and 390 px in test-artifacts/ux-*.png."""

import re

import pytest
from django.core.management import call_command

from adjustments.choices import RequestState
from adjustments.models import AdjustmentRequest
from core import services as core_services
from core.models import User
from registry.models import Entry
from tests.adjustment_builders import draft_of
from tests.browser_helpers import DESKTOP, logged_in
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser]

PASSWORD = "qingdan-demo"
PHONE = {"width": 390, "height": 844}
SUBMITTED = "城市树木砍伐审批承诺时限压缩至7个工作日"
PUBLISHING = "最低生活保障待遇认定承诺时限压缩至20个工作日"


@pytest.fixture
def demo(transactional_db):
    core_services.calendar_seed_from_package(actor=None)
    call_command("seed_demo", verbosity=0)


def _request(summary: str) -> AdjustmentRequest:
    return AdjustmentRequest.objects.get(summary=summary)


def _open(page, live_server, request: AdjustmentRequest) -> None:
    page.goto(f"{live_server.url}/work/adjustments/{request.number}/")
    page.wait_for_load_state()


def _view(page, name: str, selector: str | None = None) -> None:
    """What a phone shows at once (a full-page shot of a long page is too small to read)."""
    if selector:
        page.locator(selector).first.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


def test_rejecting_asks_in_a_dialog_and_cancel_does_nothing(browser, live_server, demo, screenshot):
    request = _request(SUBMITTED)
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        office = logged_in(browser, live_server, "office", viewport)
        _open(office, live_server, request)
        reject = office.locator("form.adj-action-reject")
        forward = office.locator("form.adj-action-forward")
        # The next step is a solid button, ending the request an outlined one with a cross.
        solid = forward.locator("button[type=submit]").evaluate(
            "b => getComputedStyle(b).backgroundColor"
        )
        outlined = reject.locator("button[type=submit]").evaluate(
            "b => getComputedStyle(b).backgroundColor"
        )
        assert solid != outlined
        assert "✕" in reject.locator("button[type=submit]").inner_text()
        # With JavaScript the "I confirm" box is the dialog's job.
        assert not reject.locator("[data-confirm-field]").is_visible()
        reject.locator("[name='reject-reason']").fill("依据不足。")
        reject.locator("button[type=submit]").click()
        dialog = office.locator("dialog.confirm-dialog")
        assert dialog.is_visible()
        assert request.number in dialog.inner_text() and "驳回" in dialog.inner_text()
        assert "不能恢复" in dialog.inner_text()
        screenshot(office, f"ux-confirm-dialog-{name}")
        _view(office, f"ux-confirm-dialog-{name}-view")
        # The safe answer has the focus: Escape or Enter does nothing irreversible.
        office.keyboard.press("Enter")
        assert not dialog.is_visible()
        request.refresh_from_db()
        assert request.state == RequestState.SUBMITTED
        office.context.close()


def test_publishing_is_confirmed_in_the_dialog(browser, live_server, demo):
    request = _request(PUBLISHING)
    digital = logged_in(browser, live_server, "digital")
    _open(digital, live_server, request)
    digital.locator("form.adj-action-publish button[type=submit]").click()
    dialog = digital.locator("dialog.confirm-dialog")
    assert "对外公布" in dialog.inner_text()
    dialog.locator("[data-answer=yes]").click()
    digital.wait_for_load_state()
    assert digital.locator(".messages .success").count() == 1
    request.refresh_from_db()
    assert request.state != RequestState.PUBLISHING


def test_without_javascript_the_confirm_box_is_required(browser, live_server, demo):
    request = _request(SUBMITTED)
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("用户名")).fill("office")
    page.get_by_label(re.compile("密码")).fill(PASSWORD)
    page.locator("form.stacked-form button[type=submit]").click()
    _open(page, live_server, request)
    reject = page.locator("form.adj-action-reject")
    assert reject.locator("[data-confirm-field]").is_visible()
    reject.locator("[name='reject-reason']").fill("依据不足。")
    reject.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "请勾选“我确认”" in page.locator("form.adj-action-reject").inner_text()
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED
    page.locator("form.adj-action-reject [name='reject-confirm']").check()
    page.locator("form.adj-action-reject button[type=submit]").click()
    page.wait_for_load_state()
    request.refresh_from_db()
    assert request.state == RequestState.REJECTED
    context.close()


def test_the_change_comes_first_and_the_due_explanation_opens_by_click_and_keyboard(
    browser, live_server, demo, screenshot
):
    request = _request(SUBMITTED)
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        office = logged_in(browser, live_server, "office", viewport)
        # The queue names the applying department and says how long is left.
        row = office.locator(".queue-table tr", has_text=request.number)
        assert request.department.name in row.inner_text()
        assert re.search(r"还剩 \d+ 个工作日|今日到期|已逾期", row.inner_text())
        screenshot(office, f"ux-queue-{name}")
        _view(office, f"ux-queue-{name}-view", ".queue-table")

        _open(office, live_server, request)
        assert _top(office, "#items-heading") < _top(office, "#panel-heading")
        toggle = office.locator("#waiting-heading ~ * .cal-why-toggle").first
        explanation = office.locator(f"#{toggle.get_attribute('aria-controls')}")
        assert not explanation.is_visible()
        toggle.click()
        assert explanation.is_visible()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert "工作日" in explanation.inner_text()
        screenshot(office, f"ux-request-due-open-{name}")
        _view(
            office, f"ux-request-due-open-{name}-view", f"#{toggle.get_attribute('aria-controls')}"
        )
        toggle.press("Escape")
        assert not explanation.is_visible()
        toggle.focus()
        office.keyboard.press("Enter")
        assert explanation.is_visible()
        office.context.close()


def test_the_empty_request_form_asks_for_the_trigger(browser, live_server, demo, screenshot):
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        clerk = logged_in(browser, live_server, "clerk", viewport)
        clerk.goto(f"{live_server.url}/work/adjustments/new/")
        assert clerk.locator("[name='trigger']").input_value() == ""
        clerk.locator("button[name=then][value=save]").click()
        clerk.wait_for_load_state()
        trigger = clerk.locator(".field-trigger")
        assert "请选择调整情形" in trigger.inner_text()
        assert not clerk.locator(".field-law .errorlist").count()
        assert "请重新选择附件材料" not in clerk.locator(".form-errors").inner_text()
        screenshot(clerk, f"ux-request-form-empty-{name}")
        _view(clerk, f"ux-request-form-empty-{name}-view", ".form-errors")
        clerk.context.close()


def test_the_basis_is_a_filtered_checkbox_list_under_the_comparison(
    browser, live_server, demo, screenshot
):
    entry = (
        Entry.objects.filter(department__name="市盐业管理局", list_kind="power", status="in_force")
        .exclude(drafts__state__in=["open", "submitted"])
        .order_by("code")
        .first()
    )
    clerk_user = User.objects.get(username="clerk")
    draft = draft_of(entry, clerk_user, name=f"{entry.name}（调整后）")
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        clerk = logged_in(browser, live_server, "clerk", viewport)
        clerk.goto(f"{live_server.url}/work/drafts/{draft.pk}/")
        assert _top(clerk, "#compare-heading") < _top(clerk, "form.work-form fieldset")
        assert _top(clerk, "#compare-heading") < 900
        boxes = clerk.locator(".field-basis input[type=checkbox]")
        total = boxes.count()
        assert total > 1
        ticked = clerk.locator(".field-basis input[type=checkbox]:checked").count()
        law = clerk.locator(".field-basis .choice-scroll > div > div > label").first.inner_text()
        filter_box = clerk.locator("[data-filter-input]")
        filter_box.fill("zzz-无此条款")
        visible = clerk.locator(".field-basis input[type=checkbox]:visible").count()
        assert visible == ticked  # only the ticked ones stay
        filter_box.fill(law[:4])
        assert clerk.locator(".field-basis input[type=checkbox]:visible").count() >= 1
        first = clerk.locator(".field-basis input[type=checkbox]:visible:not(:checked)").first
        first.check()  # one click, no Ctrl
        filter_box.scroll_into_view_if_needed()
        screenshot(clerk, f"ux-draft-basis-{name}")
        _view(clerk, f"ux-draft-basis-{name}-view", ".field-basis")
        clerk.evaluate("window.scrollTo(0, 0)")
        _view(clerk, f"ux-draft-top-{name}-view")
        clerk.context.close()


def test_browse_nests_the_town_and_the_site_has_its_icon(page, live_server, demo, screenshot):
    page.goto(f"{live_server.url}/browse/")
    items = page.locator(".browse-list li")
    names = [items.nth(i).locator(".browse-name").inner_text() for i in range(items.count())]
    city = next(i for i, n in enumerate(names) if "新密市" in n)
    town = next(i for i, n in enumerate(names) if "刘寨镇" in n)
    assert town == city + 1
    assert "depth-2" in items.nth(town).get_attribute("class")
    assert "depth-1" in items.nth(city).get_attribute("class")
    screenshot(page, "ux-browse-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "ux-browse-phone")
    items.nth(town).locator("a").click()
    page.wait_for_load_state()
    crumbs = page.locator(".breadcrumbs li").all_inner_texts()
    assert crumbs[-3:] == ["郑州市", "新密市", "刘寨镇"]
    screenshot(page, "ux-browse-town-phone")
    icon = page.request.get(f"{live_server.url}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert page.locator("link[rel=icon]").count() == 1
