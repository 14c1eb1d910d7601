"""Issue 3, Done when: the public finds 残疾人证核发, reads its basis, flow chart and history,
looks at it as it stood on an earlier date and downloads the Excel export; a clerk edits a
draft and the public page does not change. Debian's Chromium against the live server, on the
demo register that `make run` loads. Also the screenshots of the home, list and item pages at
desktop and phone widths."""

import re

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from core import services as core_services
from registry import demo, selectors
from registry.models import Entry

pytestmark = [pytest.mark.browser]

ANONYMOUS = AnonymousUser()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def register(transactional_db):
    """The demo data, committed so the live server's thread sees it. Live-server tests flush
    every table, so the calendar comes back first."""
    core_services.calendar_seed_from_package(actor=None)
    call_command("seed_demo", verbosity=0)
    return Entry.objects.get(name="残疾人证核发", jurisdiction__code="410100")


def _fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_public_finds_an_item_its_history_and_the_export(
    page, live_server, register, screenshot, tmp_path
):
    entry = register
    provisions = selectors.provisions_of([entry])
    provision = provisions[entry.basis[0]]
    earlier = selectors.entry_by_code(
        user=ANONYMOUS, code=entry.code, as_of=demo.DISABILITY_CERTIFICATE_BEFORE
    )
    assert earlier is not None and earlier.version < entry.version

    page.goto(f"{live_server.url}/")
    page.fill("#home-search-q", "残疾人证")
    page.locator("form.home-search button[type=submit]").click()
    page.wait_for_load_state()
    assert "q=" in page.url
    page.locator(f"a[href*='/items/{entry.code}/']").first.click()
    page.wait_for_load_state()

    assert page.locator("h1").inner_text() == "残疾人证核发"
    basis = page.locator("#entry-basis-heading").locator("xpath=..")
    assert provision.law.name in basis.inner_text()
    assert provision.text[:12] in basis.inner_text()
    chart = page.locator("svg[role=img]").first
    assert chart.is_visible()
    for step in entry.flow:
        assert step["step"] in chart.inner_html()
    history = page.locator("#entry-history-heading").locator("xpath=..")
    for version in range(1, entry.version + 1):
        assert re.search(rf"(?<!\d){version}(?!\d)", history.inner_text())

    page.fill("#id_as_of", demo.DISABILITY_CERTIFICATE_BEFORE.isoformat())
    page.locator("form.entry-as-of button[type=submit]").click()
    page.wait_for_load_state()
    assert f"as_of={demo.DISABILITY_CERTIFICATE_BEFORE.isoformat()}" in page.url
    assert page.locator(".entry-notice").is_visible()
    facts = page.locator(".entry-facts").first.inner_text()
    assert re.search(rf"(?<!\d){earlier.version}(?!\d)", facts)
    # The demo's earlier version promised a longer time limit and had fewer stars.
    assert earlier.promised_limit_days != entry.promised_limit_days
    details = page.locator("#entry-details-heading").locator("xpath=..").inner_text()
    assert re.search(rf"(?<!\d){earlier.promised_limit_days}(?!\d)", details)
    assert not re.search(rf"(?<!\d){entry.promised_limit_days}(?!\d)", details)
    changed_steps = {row["step"] for row in earlier.flow} - {row["step"] for row in entry.flow}
    chart = page.locator("svg[role=img]").first.inner_html()
    assert all(step in chart for step in changed_steps)

    page.goto(f"{live_server.url}/lists/?q=残疾人证")
    with page.expect_download() as download:
        page.locator("a[href*='export.xlsx']").click()
    saved = tmp_path / "export.xlsx"
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    codes = {cell for row in rows[1:] for cell in row}
    assert entry.code in codes
    assert all(any("残疾人证" in str(cell) for cell in row) for row in rows[1:])


def test_a_clerks_draft_does_not_change_the_public_page(browser, live_server, register):
    item = Entry.objects.filter(department__name="市盐业管理局").order_by("code").first()
    public = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    public.goto(f"{live_server.url}/items/{item.code}/")
    before = public.locator("main").inner_text()

    clerk = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    clerk.goto(f"{live_server.url}/accounts/login/")
    clerk.get_by_label(re.compile("用户名|Username")).fill("clerk")
    clerk.get_by_label(re.compile("密码|Password")).fill("qingdan-demo")
    clerk.locator("form.stacked-form button[type=submit]").click()
    clerk.wait_for_load_state()
    clerk.goto(f"{live_server.url}/work/entries/")
    clerk.locator(f"form[action$='/work/entries/{item.code}/draft/'] button").click()
    clerk.wait_for_load_state()
    assert "/work/drafts/" in clerk.url
    clerk.fill("#id_name", f"{item.name}（草稿修改）")
    clerk.locator(".work-form button.primary[type=submit]").click()
    clerk.wait_for_load_state()
    draft = selectors.drafts(user=_clerk()).get(entry=item)
    assert draft.payload["name"] == f"{item.name}（草稿修改）"

    public.reload()
    assert public.locator("main").inner_text() == before
    assert "草稿修改" not in public.content()
    public.goto(f"{live_server.url}/lists/?q=草稿修改")
    assert item.code not in public.content()


def _clerk():
    from core.models import User

    return User.objects.get(username="clerk")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_screenshots_of_the_register_pages(browser, live_server, register, screenshot, viewport):
    entry = register
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    pages = {
        "register-home": "/",
        "register-list": "/lists/?q=残疾人证",
        "register-browse": "/browse/?jurisdiction=410100",
        "register-item": f"/items/{entry.code}/",
        "register-diff": f"/items/{entry.code}/diff/",
        "register-law": f"/laws/{selectors.provisions_of([entry])[entry.basis[0]].law_id}/",
    }
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert _fits_the_width(page), f"{path} scrolls sideways at {viewport['width']}"
        screenshot(page, f"{name}-{viewport['width']}")
    context.close()
