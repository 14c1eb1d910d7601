"""What the browser tests of every page share: a page in Chinese at a given width, signing in
as a demo user, and sending a form of a case page's action panel (confirming in the dialog
when the action asks first, issue 10 §4)."""

import re

from core.management.commands.seed_demo import DEMO_PASSWORD

DESKTOP = {"width": 1280, "height": 900}


def new_page(browser, viewport=DESKTOP):
    page = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
    page.set_default_timeout(15_000)
    return page


def logged_in(browser, live_server, username: str, viewport=DESKTOP):
    """A new page signed in as a demo user, on their home page."""
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("用户名|Username")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(DEMO_PASSWORD)
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1.role-heading").is_visible(), f"{username} did not log in"
    return page


def send_panel_form(page, form) -> None:
    """Sends a filled form of the action panel; an irreversible action asks first, and the
    person confirms in the dialog that names it. The page then says it is done."""
    asks = form.get_attribute("data-confirm")
    form.locator("button[type=submit]").click()
    if asks:
        page.locator("dialog.confirm-dialog [data-answer=yes]").click()
    page.wait_for_load_state()
    assert page.locator(".messages .success").count() == 1, page.locator("main").inner_text()
