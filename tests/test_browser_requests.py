"""Issue 9 §6 in Debian's Chromium on the demo data: the lead reviewer and the applying
department talk on the request under review (seed 004 三(三)3 "主动与申请单位沟通对接"), with the
screenshots of the request page at desktop and phone widths."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from adjustments.models import AdjustmentRequest
from core import services as core_services
from registry import services as registry_services
from tests.browser_helpers import logged_in

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db):
    core_services.calendar_seed_from_package(actor=None)
    call_command("seed_demo", verbosity=0)


def test_the_department_answers_the_reviewer_on_the_request_page(
    demo, browser, live_server, screenshot
):
    request = AdjustmentRequest.objects.get(summary="临时救助承诺时限压缩至5个工作日")
    url = f"{live_server.url}/work/adjustments/{request.number}/"
    page = logged_in(browser, live_server, "minzheng-clerk")
    page.goto(url)
    section = page.locator("section#messages")
    assert section.locator(".adj-talk-message").count() == 2
    form = section.locator("form.adj-message-form")
    form.locator("[name='message-text']").fill("补办材料清单已上传，请查收。")
    form.locator("[name='message-files']").set_input_files(
        files=[{"name": "补办材料清单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}]
    )
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("#messages")
    assert page.locator(".messages .success").count() == 1
    assert section.locator(".adj-talk-message").count() == 3
    assert section.get_by_text("补办材料清单.pdf").is_visible()
    screenshot(page, "adjustments-messages-1280")
    # The office reads the talk without a form of its own, on a phone too.
    office = logged_in(browser, live_server, "office", viewport=PHONE)
    office.goto(url)
    talk = office.locator("section#messages")
    assert talk.locator(".adj-talk-message").count() == 3
    assert talk.locator("form").count() == 0
    screenshot(office, "adjustments-messages-390")


def test_a_clerk_moves_an_entry_to_another_department(demo, browser, live_server, screenshot):
    """Seed 004 三(二)3 (三定): the request form's move part; the request page says where the
    entry goes."""
    from core.models import User
    from registry import selectors as registry_selectors

    clerk = User.objects.get(username="yuanlin-clerk")
    entry = (
        registry_selectors.editable_entries(user=clerk)
        .exclude(drafts__state__in=["open", "submitted"])
        .order_by("code")
        .first()
    )
    draft = registry_services.draft_create(actor=clerk, entry=entry)
    page = logged_in(browser, live_server, "yuanlin-clerk")
    page.goto(f"{live_server.url}/work/adjustments/new/")
    form = page.locator("form.adj-request-form")
    form.locator("[name='trigger']").select_option("institutional")
    form.locator("[name='event_date']").fill(timezone.localdate().isoformat())
    form.locator("[name='summary']").fill("绿化执法职能划入城市管理局")
    form.locator(f"input[name='drafts'][value='{draft.pk}']").check()
    form.locator(f"input[name='moved'][value='{draft.pk}']").check()
    form.locator("[name='receiving_department']").select_option(label="市城市管理局")
    screenshot(page, "adjustments-move-form-1280")
    form.locator("button[value='save']").click()
    page.wait_for_load_state()
    assert page.locator(".messages .success").count() == 1
    assert page.locator(".adj-item-move").get_by_text("市城市管理局").is_visible()
    phone = logged_in(browser, live_server, "yuanlin-clerk", viewport=PHONE)
    phone.goto(page.url)
    screenshot(phone, "adjustments-move-request-390")
