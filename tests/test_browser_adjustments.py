"""Issue 4, Done when: in Debian's Chromium, each actor logged in as themselves, a clerk of
市盐业管理局 files a modify request for one of its items; the office forwards it to 法制办;
法制办 reviews; the office approves; the clerk confirms; the office sends it to the digital
office, which publishes; the public item page shows the new version and the announcement
page shows the diff. On the demo data that `make run` loads. Also the screenshots of the
adjustment pages at desktop and phone widths."""

import contextlib
import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from adjustments import services as adjustment_services
from adjustments.choices import RequestState
from adjustments.models import AdjustmentRequest
from core import calendar as work_calendar
from core import services as core_services
from core.models import Department, User
from registry import selectors as registry_selectors
from registry.models import Entry
from tests.adjustment_builders import draft_of
from tests.browser_helpers import DESKTOP, logged_in, send_panel_form

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db):
    """The demo data, committed so the live server's thread sees it (live-server tests flush
    every table, so the calendar comes back first)."""
    core_services.calendar_seed_from_package(actor=None)
    call_command("seed_demo", verbosity=0)


def _salt_item() -> Entry:
    """A power item of 市盐业管理局 in force with no draft: the one the clerk adjusts."""
    return (
        Entry.objects.filter(department__name="市盐业管理局", list_kind="power", status="in_force")
        .exclude(drafts__state__in=["open", "submitted"])
        .order_by("code")
        .first()
    )


def _open_from_the_queue(page, live_server, number: str) -> None:
    """One click from the home page's work queue to the request."""
    page.goto(f"{live_server.url}/")
    page.locator(f"a[href$='/work/adjustments/{number}/']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/work/adjustments/{number}/")


def _act(page, transition: str, *, fill: dict | None = None, check: list[str] = ()) -> None:
    form = page.locator(f"form.adj-action-{transition}")
    assert form.is_visible(), f"no “{transition}” form for this user"
    for label in check:
        form.get_by_label(label, exact=True).check()
    for name, value in (fill or {}).items():
        form.locator(f"[name='{transition}-{name}']").fill(value)
    send_panel_form(page, form)


def _state(number: str) -> str:
    return AdjustmentRequest.objects.get(number=number).state


def test_a_modify_request_walks_the_five_steps_to_the_public_page(
    browser, live_server, demo, tmp_path, screenshot
):
    item = _salt_item()
    new_name = f"{item.name}（调整后）"
    before_version = item.version

    # 1 申请: the clerk drafts the change and files the request with a document.
    clerk = logged_in(browser, live_server, "clerk")
    clerk.goto(f"{live_server.url}/work/entries/")
    clerk.locator(f"form[action$='/work/entries/{item.code}/draft/'] button").click()
    clerk.wait_for_load_state()
    clerk.fill("#id_name", new_name)
    clerk.locator(".work-form button.primary[type=submit]").click()
    clerk.wait_for_load_state()
    clerk.locator("a[href*='/work/adjustments/new/?draft=']").first.click()
    clerk.wait_for_load_state()
    clerk.select_option("#id_trigger", "internal")
    event = timezone.localdate() - datetime.timedelta(days=2)
    clerk.fill("#id_event_date", event.isoformat())
    clerk.fill("#id_summary", "规范事项名称")
    clerk.fill("#id_reason", "按内部职能调整规范事项名称。")
    document = tmp_path / "调整依据.pdf"
    document.write_bytes(b"%PDF-1.4\n% adjustment basis\n")
    clerk.set_input_files("#id_files", str(document))
    clerk.locator("button[name=then][value=send]").click()
    clerk.wait_for_load_state()
    number = re.search(r"/work/adjustments/([^/]+)/$", clerk.url).group(1)
    assert _state(number) == RequestState.SUBMITTED
    assert "调整依据.pdf" in clerk.locator("main").inner_text()

    # 2 转办: the office forwards it to 法制办.
    office = logged_in(browser, live_server, "office")
    _open_from_the_queue(office, live_server, number)
    _act(office, "forward", check=["市法制办"], fill={"opinion": "请市法制办审核。"})
    assert _state(number) == RequestState.REVIEWING

    # 3 审核: 法制办 reviews.
    reviewer = logged_in(browser, live_server, "reviewer")
    _open_from_the_queue(reviewer, live_server, number)
    form = reviewer.locator("form.adj-action-review")
    form.locator("input[name='review-conclusion'][value='agreed']").check()
    _act(reviewer, "review", fill={"opinion": "名称规范，同意调整。"})
    assert _state(number) == RequestState.APPROVING

    # 4 确认: the office approves, the clerk confirms.
    _open_from_the_queue(office, live_server, number)
    _act(office, "approve", fill={"opinion": "同意调整。"})
    _open_from_the_queue(clerk, live_server, number)
    _act(clerk, "confirm")
    assert _state(number) == RequestState.DIGITAL_FORWARD

    # 5 公布: the office sends it to the digital office, which publishes.
    _open_from_the_queue(office, live_server, number)
    _act(office, "digital_forward")
    digital = logged_in(browser, live_server, "digital")
    _open_from_the_queue(digital, live_server, number)
    _act(digital, "publish")
    assert _state(number) == RequestState.PUBLISHED
    screenshot(digital, "adjustment-published-1280")

    # The public sees the new version on the item page and the diff in the announcement.
    public = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    public.goto(f"{live_server.url}/items/{item.code}/")
    assert public.locator("h1").inner_text() == new_name
    current = registry_selectors.entry_by_code(user=AnonymousUser(), code=item.code)
    assert current.version == before_version + 1
    history = public.locator("#entry-history-heading").locator("xpath=..")
    assert number in history.inner_text()

    public.goto(f"{live_server.url}/announcements/")
    public.locator(f"a[href$='/announcements/{number}/']").first.click()
    public.wait_for_load_state()
    announcement = public.locator("main").inner_text()
    assert item.name in announcement and new_name in announcement
    assert "名称规范，同意调整。" not in announcement  # internal opinions stay internal
    screenshot(public, "announcement-detail-1280")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_screenshots_of_the_adjustment_pages(browser, live_server, demo, screenshot, viewport):
    """For a person to look at; each page must also fit the width (no sideways scrolling)."""
    waiting = AdjustmentRequest.objects.filter(state=RequestState.SUBMITTED).first()
    published = AdjustmentRequest.objects.filter(published_at__isnull=False).first()
    pages = {
        "office": {
            "adjustments-home": "/",
            "adjustments-list": "/work/adjustments/",
            "adjustments-detail": f"/work/adjustments/{waiting.number}/",
            "adjustments-policy": "/work/adjustments/policy/",
        },
        "clerk": {"adjustments-new": "/work/adjustments/new/"},
        None: {
            "announcements": "/announcements/",
            "announcement": f"/announcements/{published.number}/",
        },
    }
    too_wide = []
    for username, paths in pages.items():
        if username is None:
            page = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
        else:
            page = logged_in(browser, live_server, username, viewport)
        for name, path in paths.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            screenshot(page, f"{name}-{viewport['width']}")
            if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
                too_wide.append(path)
        page.context.close()
    assert too_wide == []


def test_bad_input_is_explained_in_chinese_and_what_was_typed_stays(
    browser, live_server, demo, screenshot
):
    """A request with a future event date and no subject: the form comes back with the
    reasons in Chinese next to the fields, and the reasons typed are still there."""
    clerk = logged_in(browser, live_server, "clerk")
    clerk.goto(f"{live_server.url}/work/adjustments/new/")
    clerk.select_option("#id_trigger", "internal")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    clerk.fill("#id_event_date", tomorrow.isoformat())
    clerk.fill("#id_reason", "按内部职能调整规范事项名称。")
    clerk.locator("button[name=then][value=save]").click()
    clerk.wait_for_load_state()
    alert = clerk.get_by_role("alert").first
    assert alert.is_visible()
    assert re.search(r"[\u4e00-\u9fff]", alert.inner_text())
    assert clerk.locator("#id_reason").input_value() == "按内部职能调整规范事项名称。"
    assert clerk.locator(".field.has-error").count() >= 2
    assert not AdjustmentRequest.objects.filter(reason="按内部职能调整规范事项名称。").exists()
    screenshot(clerk, "adjustments-new-errors-1280")


def _working_days_back(day: datetime.date, count: int) -> datetime.date:
    for _ in range(count):
        day = work_calendar.previous_working_day(day)
    return day


def test_an_objection_on_working_day_two_goes_to_the_office_then_to_re_review(
    browser, live_server, demo, screenshot
):
    """Issue 9 §1, seed 004 三(三)4–5: the office's approval opinion is two working days old,
    so the confirmation (1 working day) has lapsed but the objection (2 working days) is on
    time today. The clerk's page shows both moments and the 2-working-day window; the clerk
    objects; the objection waits on the office's step, which sends it to 法制办 for
    re-review."""
    today = timezone.localdate()
    while not work_calendar.is_working_day(today):
        today += datetime.timedelta(days=1)
    approved_on = _working_days_back(today, 2)
    users = {
        u.username: u for u in User.objects.filter(username__in=["clerk", "office", "reviewer"])
    }
    legal = Department.objects.get(jurisdiction__code="410100", name="市法制办")
    approved_at = datetime.datetime.combine(
        approved_on, datetime.time(10), tzinfo=work_calendar.SHANGHAI
    )
    with time_machine.travel(approved_at, tick=False):
        draft = draft_of(_salt_item(), users["clerk"], promised_limit_days=6)
        request = adjustment_services.adjustment_create(
            actor=users["clerk"],
            trigger="internal",
            event_date=approved_on - datetime.timedelta(days=1),
            summary="压缩承诺时限至6个工作日",
            reason="流程优化。",
            drafts=[draft],
        )
        request = adjustment_services.adjustment_submit(actor=users["clerk"], request=request)
        request = adjustment_services.adjustment_forward(
            actor=users["office"], request=request, reviewers=[legal]
        )
        request = adjustment_services.adjustment_review(
            actor=users["reviewer"], request=request, conclusion="agreed", opinion="同意。"
        )
        request = adjustment_services.adjustment_approve(
            actor=users["office"], request=request, opinion="核准，承诺时限8个工作日。"
        )
    number = request.number
    moment = (
        time_machine.travel(
            datetime.datetime.combine(today, datetime.time(10), tzinfo=work_calendar.SHANGHAI)
        )
        if today != timezone.localdate()
        else contextlib.nullcontext()
    )
    with moment:
        clerk = logged_in(browser, live_server, "clerk")
        _open_from_the_queue(clerk, live_server, number)
        waiting = clerk.locator("section[aria-labelledby=waiting-heading]").inner_text()
        assert "确认核准意见" in waiting and "确认截止" in waiting
        intro = clerk.locator("form.adj-action-object .adj-intro").inner_text()
        assert "2个工作日内" in intro and today.isoformat() in intro
        screenshot(clerk, "adjustment-objection-clerk-1280")
        phone = logged_in(browser, live_server, "clerk", PHONE)
        phone.goto(f"{live_server.url}/work/adjustments/{number}/")
        screenshot(phone, "adjustment-objection-clerk-390")
        phone.context.close()

        _act(clerk, "object", fill={"reason": "8个工作日过长，申请复审。"})
        assert _state(number) == RequestState.OBJECTED
        objected = AdjustmentRequest.objects.get(number=number).events.get(transition="object")
        assert objected.detail == {"late": False}
        waiting = clerk.locator("section[aria-labelledby=waiting-heading]").inner_text()
        assert "将异议转交复审" in waiting and "市改革办" in waiting

        office = logged_in(browser, live_server, "office")
        _open_from_the_queue(office, live_server, number)
        form = office.locator("form.adj-action-objection_forward")
        assert form.get_by_label("市法制办", exact=True).is_checked()
        screenshot(office, "adjustment-objection-office-1280")
        phone = logged_in(browser, live_server, "office", PHONE)
        phone.goto(f"{live_server.url}/work/adjustments/{number}/")
        screenshot(phone, "adjustment-objection-office-390")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        phone.context.close()
        _act(office, "objection_forward", fill={"opinion": "请市法制办复审。"})
        assert _state(number) == RequestState.REREVIEW

        reviewer = logged_in(browser, live_server, "reviewer")
        _open_from_the_queue(reviewer, live_server, number)
        reviewer.locator("input[name='rereview-conclusion'][value='agreed']").check()
        _act(reviewer, "rereview", fill={"opinion": "复审同意8个工作日。"})
        assert _state(number) == RequestState.APPROVING
        screenshot(reviewer, "adjustment-rereviewed-1280")
