"""Browser tests (issue 2 §11): Debian's Chromium through Playwright against a live server.
Each role logs in through the form and lands on its own home page; a wrong password is
explained; logging out works; the language switch works; the main pages fit a phone.
Screenshots go to test-artifacts/ for a person to look at."""

import re

import pytest
from django.utils import translation

from core import services
from core.choices import AuditAction, NotificationKind, Role
from tests.builders import build_org, password_for

pytestmark = [pytest.mark.browser]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people(transactional_db):
    """The organisation, committed so that the live server's thread sees it, and a few
    messages and trail entries so the pages have something to show."""
    org = build_org()
    clerk, admin = org.users[Role.CLERK], org.users[Role.ADMINISTRATOR]
    for user in (clerk, admin):
        services.notification_send(
            recipients=[user],
            kind=NotificationKind.DEADLINE_REMINDER,
            subject="调整申请“盐业许可”明天到期",
            body="请在明天下班前完成审核意见。",
            url="/",
            dedupe_key="browser-reminder",
        )
        services.notification_send(
            recipients=[user],
            kind=NotificationKind.DEADLINE_MOVED,
            subject="因工作日历调整，两项期限已顺延",
            dedupe_key="browser-moved",
        )
    services.audit_record(
        actor=admin,
        action=AuditAction.UPDATE,
        obj=org.departments["salt"],
        detail={"changes": {"phone": ["", "0371-01001000"]}},
    )
    return org


def _role_label(role: Role) -> str:
    with translation.override("zh-hans"):
        return str(role.label)


def _log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("用户名|Username")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(password)
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()


def _fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_and_sees_its_home(page, live_server, people, role):
    user = people.users[role]
    _log_in(page, live_server, user.username, password_for(role))
    heading = page.locator("h1.role-heading")
    assert _role_label(role) in heading.inner_text()
    assert page.url == f"{live_server.url}/"


def test_a_wrong_password_is_explained(page, live_server, people, screenshot):
    clerk = people.users[Role.CLERK]
    _log_in(page, live_server, clerk.username, "not-the-password")
    alert = page.get_by_role("alert")
    assert alert.is_visible()
    assert alert.inner_text().strip()
    assert "/accounts/login/" in page.url
    assert page.locator("#id_username").input_value() == clerk.username
    screenshot(page, "login-wrong-password-1280")


def test_logging_out_ends_the_session(page, live_server, people):
    clerk = people.users[Role.CLERK]
    _log_in(page, live_server, clerk.username, password_for(Role.CLERK))
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    page.goto(f"{live_server.url}/audit/")
    assert "/accounts/login/" in page.url


def test_the_language_switch_turns_the_site_english_and_back(page, live_server, people):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator("button.lang-button[value=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Staff login"
    assert "/accounts/login/" in page.url
    page.locator("button.lang-button[value=zh-hans]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_the_navigation_collapses_on_a_phone(browser, live_server, people):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    try:
        _log_in(page, live_server, people.users[Role.CLERK].username, password_for(Role.CLERK))
        notifications_link = page.locator("#main-nav-list a[href='/notifications/']")
        assert not notifications_link.is_visible()
        page.get_by_role("button", name=re.compile("菜单|Menu")).click()
        assert notifications_link.is_visible()
        notifications_link.click()
        page.wait_for_load_state()
        assert page.url.endswith("/notifications/")
    finally:
        context.close()


SCREENSHOTS = {
    # name: (role logged in or None, path)
    "login": (None, "/accounts/login/"),
    "home-public": (None, "/"),
    "home-clerk": (Role.CLERK, "/"),
    "home-administrator": (Role.ADMINISTRATOR, "/"),
    "audit-trail": (Role.ADMINISTRATOR, "/audit/"),
    "notifications": (Role.CLERK, "/notifications/"),
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_screenshots_of_the_main_pages(browser, live_server, people, screenshot, viewport):
    """Taken for a person to look at; each page must also fit the width (no sideways
    scrolling on a phone) and show Chinese text (the page's own language)."""
    too_wide = []
    for name, (role, path) in SCREENSHOTS.items():
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        try:
            if role is not None:
                _log_in(page, live_server, people.users[role].username, password_for(role))
            page.goto(f"{live_server.url}{path}")
            assert page.locator("html").get_attribute("lang") == "zh-hans"
            screenshot(page, f"{name}-{viewport['width']}")
            if not _fits_the_width(page):
                too_wide.append(name)
        finally:
            context.close()
    assert too_wide == []
