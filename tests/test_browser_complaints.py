"""Issue 12 in Debian's Chromium on the demo data, each actor signed in as themselves: a member
of the public files a complaint about a 市盐业管理局 item with an evidence PDF and gets a code
and secret; the office accepts it; the bureau's clerk answers; the office closes it as
substantiated; the tracking page shows the answer and no personal data; the complainant rates it
and asks for a review. A second complaint is refused with a ground and its complainant reads the
reason. Screenshots at desktop and phone widths of each page."""

import pytest
from django.core.management import call_command

from complaints.choices import ComplaintState, Outcome, Rating
from complaints.models import Complaint
from core import services as core_services
from registry.models import Entry
from tests.browser_helpers import logged_in, new_page, send_panel_form

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
NAME = "浏览器测试投诉人"
PHONE_NUMBER = "13812345678"
EMAIL = "browser-complainant@example.invalid"


@pytest.fixture
def demo(transactional_db):
    core_services.calendar_seed_from_package(actor=None)
    call_command("seed_demo", verbosity=0)


def _salt_item() -> Entry:
    return (
        Entry.objects.filter(department__name="市盐业管理局", list_kind="power", status="in_force")
        .order_by("code")
        .first()
    )


def _act(page, action: str, *, fill: dict | None = None, check: dict | None = None) -> None:
    """Performs an action of the complaint page's panel, confirming when it asks first."""
    form = page.locator(f"form.adj-action-{action}")
    assert form.is_visible(), f"no “{action}” form: {page.locator('main').inner_text()[:500]}"
    for name, value in (check or {}).items():
        form.locator(f"[name='{action}-{name}'][value='{value}']").check()
    for name, value in (fill or {}).items():
        form.locator(f"[name='{action}-{name}']").fill(value)
    send_panel_form(page, form)


def _file(page, live_server, item: Entry, *, facts: str, evidence: bool) -> tuple[str, str]:
    """Files from the item page's link; returns the code and secret the page shows once."""
    page.goto(f"{live_server.url}/items/{item.code}/")
    page.locator(f"a[href*='/complaints/new/?item={item.code}']").first.click()
    page.wait_for_load_state()
    form = page.locator("form.complaint-form")
    assert item.name in form.inner_text()
    # Ground (6) of seed 004 五(二)1: needless certificates kept.
    form.locator("[name='ground'][value='g6']").check()
    form.locator("[name='facts']").fill(facts)
    form.locator("[name='complainant_kind'][value='citizen']").check()
    form.locator("[name='name']").fill(NAME)
    form.locator("[name='phone']").fill(PHONE_NUMBER)
    form.locator("[name='email']").fill(EMAIL)
    if evidence:
        form.locator("[name='files']").set_input_files(
            files=[
                {
                    "name": "收费票据.pdf",
                    "mimeType": "application/pdf",
                    "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                }
            ]
        )
    form.locator("[name='truthful']").check()
    form.locator("button[type=submit]").last.click()
    page.wait_for_load_state()
    secret_box = page.locator(".complaint-secret")
    assert secret_box.is_visible(), page.locator("main").inner_text()
    codes = secret_box.locator("dd code").all_inner_texts()
    return codes[0], codes[1]


def _track(page, live_server, code: str, secret: str) -> None:
    page.goto(f"{live_server.url}/complaints/track/")
    form = page.locator("form:has([name='secret'])")
    form.locator("[name='code']").fill(code)
    form.locator("[name='secret']").fill(secret)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def _no_personal_data(page) -> None:
    text = page.content()
    for canary in (NAME, PHONE_NUMBER, EMAIL, "收费票据.pdf"):
        assert canary not in text, canary


def test_a_complaint_from_filing_to_review(demo, browser, live_server, screenshot):
    item = _salt_item()
    public = new_page(browser)
    code, secret = _file(
        public,
        live_server,
        item,
        facts="窗口工作人员要求提供已取消的证明材料，并口头要求另行缴纳审查费。",
        evidence=True,
    )
    screenshot(public, "complaints-filed-1280")
    complaint = Complaint.objects.get(code=code)
    assert complaint.department.name == "市盐业管理局"
    assert complaint.evidence.count() == 1
    assert [i.entry_id for i in complaint.items.all()] == [item.pk]

    # The office accepts it (from its queue).
    office = logged_in(browser, live_server, "office")
    office.goto(f"{live_server.url}/work/complaints/")
    office.locator(f"a[href$='/work/complaints/{code}/']").first.click()
    office.wait_for_load_state()
    assert NAME in office.locator("main").inner_text()  # staff see who complains
    screenshot(office, "complaints-office-accept-1280")
    _act(office, "accept", fill={"opinion": "属于受理范围，转市盐业管理局办理。"})
    assert Complaint.objects.get(code=code).state == ComplaintState.HANDLING

    # The bureau's clerk answers, on a phone.
    clerk = logged_in(browser, live_server, "clerk", viewport=PHONE)
    clerk.goto(f"{live_server.url}/work/complaints/{code}/")
    _act(
        clerk,
        "answer",
        fill={"answer": "经调查，投诉属实。已责令窗口停止收取审查费，并退还已收费用。"},
    )
    screenshot(clerk, "complaints-clerk-answered-390")
    assert Complaint.objects.get(code=code).state == ComplaintState.ANSWERED

    # The office closes it as substantiated with its finding.
    office.goto(f"{live_server.url}/work/complaints/{code}/")
    _act(
        office,
        "close",
        check={"outcome": Outcome.SUBSTANTIATED},
        fill={"finding": "已取消事项仍要求提供证明并收取审查费"},
    )
    closed = Complaint.objects.get(code=code)
    assert (closed.state, closed.outcome) == (ComplaintState.CLOSED, Outcome.SUBSTANTIATED)
    screenshot(office, "complaints-office-closed-1280")

    # The complainant follows it: the answer, no personal data; rates it and asks for a review.
    _track(public, live_server, code, secret)
    main = public.locator("main").inner_text()
    assert "已责令窗口停止收取审查费" in main
    _no_personal_data(public)
    screenshot(public, "complaints-track-1280")
    public.locator(f"[name='rating'][value='{Rating.NOT_SATISFIED}']").check()
    public.locator("form:has([name='rating']) button[type=submit]").click()
    public.wait_for_load_state()
    assert Complaint.objects.get(code=code).rating == Rating.NOT_SATISFIED
    public.locator("[name='reasons']").fill("审查费至今未退还。")
    public.locator("form:has([name='reasons']) button[type=submit]").click()
    public.wait_for_load_state()
    assert Complaint.objects.get(code=code).state == ComplaintState.REVIEWING
    _no_personal_data(public)
    phone = new_page(browser, PHONE)
    _track(phone, live_server, code, secret)
    screenshot(phone, "complaints-track-390")


def test_a_refused_complaint_tells_its_complainant_why(demo, browser, live_server, screenshot):
    item = _salt_item()
    public = new_page(browser, PHONE)
    code, secret = _file(
        public, live_server, item, facts="对本事项的处罚决定不服，已申请行政复议。", evidence=False
    )
    screenshot(public, "complaints-filed-390")
    office = logged_in(browser, live_server, "office")
    office.goto(f"{live_server.url}/work/complaints/{code}/")
    reason = "该事项已进入行政复议程序，请等待复议决定。"
    _act(office, "refuse", check={"ground": "r1"}, fill={"reason": reason})
    assert Complaint.objects.get(code=code).state == ComplaintState.REFUSED
    _track(public, live_server, code, secret)
    main = public.locator("main").inner_text()
    assert reason in main
    assert "行政复议" in main
    _no_personal_data(public)
    screenshot(public, "complaints-refused-track-390")
