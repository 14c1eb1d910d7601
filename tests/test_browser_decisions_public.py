"""Issue 14 §3 in Debian's Chromium: a visitor finds a published decision by the party's name
on /decisions/ and opens it, and reaches the decisions of an item from the item's page; the
bodies and officers pages. At 1280 and 390 px, with screenshots in test-artifacts/ for a person
to look at; at 390 px nothing is wider than the screen."""

import datetime

import pytest

from decisions import services
from decisions.choices import RedactionReason
from tests.browser_helpers import new_page
from tests.decision_builders import CREDIT_CODES, build_decision_org_in_august, published

pytestmark = [pytest.mark.browser]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def built(transactional_db, calendar):
    built = build_decision_org_in_august()
    published(built, published_on=datetime.date(2026, 9, 23))
    published(
        built,
        published_on=datetime.date(2026, 10, 12),
        title="郑州惠民便利店有限公司未按规定销售食盐案",
        number="郑盐罚〔2026〕2号",
        party_name="郑州惠民便利店有限公司",
        party_credit_code=CREDIT_CODES[2],
        decided_on=datetime.date(2026, 10, 9),
        penalty_kinds=["warning", "fine"],
        fine_amount="3000",
        redactions=[
            services.RedactionInput(
                field="content",
                reason=RedactionReason.TRADE_SECRET,
                explanation="进货渠道属商业秘密",
                public_text="当事人销售来源不明的食盐。",
            )
        ],
    )
    published(built, licence=True, published_on=datetime.date(2026, 9, 25))
    return built


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_a_visitor_finds_a_decision_by_the_partys_name(
    built, browser, live_server, screenshot, viewport
):
    width = viewport["width"]
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/")
    if width < 600:
        page.locator(".nav-toggle").click()
    page.locator("#main-nav-list a[href='/decisions/']").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text()
    assert page.locator(".dec-card").count() == 3
    _fits(page)
    screenshot(page, f"decisions-public-list-{width}")

    page.get_by_label("关键词").or_(page.locator("#id_q")).first.fill("惠民便利店")
    page.locator("form.dec-filter button[type=submit]").click()
    page.wait_for_load_state()
    cards = page.locator(".dec-card")
    assert cards.count() == 1
    assert "惠民便利店" in cards.first.locator("mark").first.inner_text()
    _fits(page)
    screenshot(page, f"decisions-public-search-{width}")

    cards.first.locator("h2 a").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "郑州惠民便利店有限公司未按规定销售食盐案" in main
    assert "郑盐罚〔2026〕2号" in main and CREDIT_CODES[2] in main
    assert "当事人销售来源不明的食盐。" in main
    assert "进货渠道属商业秘密" not in main
    assert page.locator(".dec-withheld-note").count() == 1
    _fits(page)
    screenshot(page, f"decisions-public-detail-{width}")


def test_from_the_item_page_to_its_decisions_and_the_directories(
    built, browser, live_server, screenshot
):
    page = new_page(browser, PHONE)
    page.goto(f"{live_server.url}/items/{built.penalty_item.code}/")
    page.locator(f"a[href='/decisions/?item={built.penalty_item.code}']").click()
    page.wait_for_load_state()
    assert page.locator(".dec-card").count() == 2
    assert built.penalty_item.code in page.locator(".dec-item-note").inner_text()
    _fits(page)
    screenshot(page, "decisions-public-item-390")
    for path, name in (("/decisions/bodies/", "bodies"), ("/decisions/officers/", "officers")):
        for viewport in (DESKTOP, PHONE):
            directory = new_page(browser, viewport)
            directory.goto(f"{live_server.url}{path}")
            assert built.department.name in directory.locator("main").inner_text()
            _fits(directory)
            screenshot(directory, f"decisions-public-{name}-{viewport['width']}")
    officers = new_page(browser, DESKTOP)
    officers.goto(f"{live_server.url}/decisions/officers/")
    assert officers.locator(".dec-expired").count() == 1
