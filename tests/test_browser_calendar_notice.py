"""Browser test (issue 9 §21, issue 11 §6): a calendar change that moves several of a clerk's
deadlines reaches the clerk's inbox as one notice, each step on its own line from when to when,
the subject leading to the clerk's list; the inbox fits a phone. Screenshots go to
test-artifacts/ for a person to look at."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from adjustments import services
from adjustments.choices import TriggerKind
from core import services as core_services
from core.choices import DayKind, Role
from tests.adjustment_builders import at
from tests.builders import build_org, password_for

pytestmark = [pytest.mark.browser]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def moved(transactional_db):
    """Three applications of the salt bureau filed on 11-03 (due at the end of 11-16), then
    11-05 made a holiday: the clerk's three deadlines move to the end of 11-17."""
    org = build_org()
    core_services.calendar_seed_from_package(actor=None)
    clerk = org.users[Role.CLERK]
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        requests = [
            services.adjustment_create(
                actor=clerk,
                trigger=TriggerKind.INTERNAL,
                event_date=datetime.date(2026, 11, 2),
                summary=f"流程优化 {number}",
            )
            for number in range(3)
        ]
    with time_machine.travel(at(2026, 11, 4, 9), tick=False):
        revision = core_services.calendar_day_set(
            actor=org.users[Role.ADMINISTRATOR],
            date=datetime.date(2026, 11, 5),
            kind=DayKind.HOLIDAY,
            name="临时调休",
        )
        assert core_services.calendar_revision_apply(revision_id=revision.pk) == 3
    return clerk, [request.number for request in requests]


def test_the_clerk_reads_one_notice_naming_each_moved_deadline(
    page, live_server, moved, screenshot
):
    clerk, numbers = moved
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("用户名|Username")).fill(clerk.username)
    page.get_by_label(re.compile("密码|Password")).fill(password_for(Role.CLERK))
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}{reverse('core:notifications')}")

    (notice,) = page.locator(".inbox-item").all()
    assert notice.locator(".inbox-subject").inner_text() == "办理期限已变更：您的 3 个环节"
    lines = notice.locator(".inbox-body").inner_text().splitlines()
    assert "临时调休" in lines[0]
    for number in numbers:
        (line,) = [line for line in lines if number in line]
        assert "由 2026-11-16 23:59 变更为 2026-11-17 23:59" in line
    screenshot(page, "calendar-notice-1280")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "calendar-notice-390")

    page.set_viewport_size(DESKTOP)
    notice.locator(".inbox-subject button").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}{reverse('adjustments:list')}"
