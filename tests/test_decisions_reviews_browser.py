"""Issue 14 §7–§9 in Debian's Chromium: a supervisor creates a case-file review on the form,
freezes the pool and draws (each confirmed in the dialog), scores a file with a finding; the
statistics page, the item page's record of the step limits and a clerk's step-dates page, each
at 1280 and 390 px wide without sideways scrolling (screenshots in test-artifacts/)."""

import datetime
import re

import pytest
import time_machine

from core import services as core_services
from decisions import services
from decisions.choices import ReviewState
from decisions.models import CaseReview
from inspections.models import Problem
from tests.browser_helpers import DESKTOP, new_page, send_panel_form
from tests.builders import password_for
from tests.decision_builders import CREDIT_CODES, build_decision_org, record_penalty

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
D = datetime.date


def at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 2, tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def built(transactional_db, settings, tmp_path):
    """The salt bureau's September 2026, made in the past: the pages are read now."""
    settings.MEDIA_ROOT = tmp_path
    core_services.calendar_seed_from_package(actor=None)
    with at(D(2026, 8, 1)):
        built = build_decision_org()
    decisions = []
    for n in range(1, 6):
        with at(D(2026, 9, 22)):
            decisions.append(
                record_penalty(
                    built,
                    number=f"郑盐罚〔2026〕{n}号",
                    party_credit_code=CREDIT_CODES[n % 3],
                    served_on=D(2026, 9, 21),
                    officers=[built.expired, built.officers[0]] if n == 5 else None,
                )
            )
    with at(D(2026, 9, 24)):
        for decision in decisions[:2]:
            services.decision_publish(actor=built.clerk, decision=decision)
    with at(D(2026, 10, 20)):
        services.decision_publish(actor=built.clerk, decision=decisions[2])
        for decision, decide in (
            (decisions[0], (D(2026, 9, 4), D(2026, 9, 18))),
            (decisions[1], (D(2026, 9, 3), D(2026, 9, 18))),
        ):
            services.flow_step_times_record(
                actor=built.clerk,
                decision=decision,
                dates=[(D(2026, 9, 1), D(2026, 9, 4)), (D(2026, 9, 4), D(2026, 9, 18)), decide],
            )
    built.people["decisions"] = decisions
    return built


def _login(browser, live_server, user, viewport=DESKTOP):
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password_for(user.role))
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1.role-heading").is_visible(), f"{user} did not log in"
    return page


def _fits(page) -> None:
    """No sideways scrolling at this width."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _shots(browser, live_server, user, path: str, name: str, screenshot) -> None:
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page = _login(browser, live_server, user, viewport) if user else new_page(browser, viewport)
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").first.is_visible()
        _fits(page)
        screenshot(page, f"decisions-{name}-{width}")
        page.context.close()


def test_a_review_from_the_form_to_a_scored_file(built, browser, live_server, screenshot):
    supervisor = built.org.users["supervisor"]
    page = _login(browser, live_server, supervisor)
    page.goto(f"{live_server.url}/decisions/reviews/new/")
    form = page.locator("main form").first
    form.locator("[name=title]").fill("2026年9月行政处罚卷宗评查")
    form.locator("[name=period_start]").fill("2026-09-01")
    form.locator("[name=period_end]").fill("2026-09-30")
    form.locator("[name=sample_size]").fill("3")
    screenshot(page, "decisions-review-new-1280")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    review = CaseReview.objects.get()
    assert len(review.checklist) == 9

    send_panel_form(page, page.locator("form.adj-action-commit"))
    send_panel_form(page, page.locator("form.adj-action-draw"))
    review.refresh_from_db()
    assert review.state == ReviewState.DRAWN and review.files.count() == 3
    assert page.get_by_text(re.compile("种子与承诺值一致|The seed matches")).is_visible()

    page.locator("table a").first.click()
    page.wait_for_load_state()
    for field in page.locator("input[name^=point_]").all():
        field.fill(field.get_attribute("max"))
    page.locator("[name=findings]").fill("询问笔录缺少当事人签名。")
    screenshot(page, "decisions-review-file-1280")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    file = review.files.order_by("pk").first()
    assert file.total == 100 and Problem.objects.filter(pk=file.problem_id).exists()
    page.context.close()

    _shots(browser, live_server, supervisor, "/decisions/reviews/", "review-list", screenshot)
    _shots(
        browser, live_server, supervisor, f"/decisions/reviews/{review.pk}/", "review", screenshot
    )
    _shots(
        browser,
        live_server,
        supervisor,
        f"/decisions/reviews/{review.pk}/files/{file.pk}/",
        "review-file",
        screenshot,
    )
    _shots(browser, live_server, supervisor, "/decisions/reviews/new/", "review-new", screenshot)


def test_statistics_item_record_and_step_dates(built, browser, live_server, screenshot):
    _shots(
        browser,
        live_server,
        built.org.users["supervisor"],
        "/decisions/statistics/?start=2026-09-01&end=2026-09-30",
        "statistics",
        screenshot,
    )
    _shots(browser, live_server, None, f"/items/{built.penalty_item.code}/", "item", screenshot)
    public = new_page(browser)
    public.goto(f"{live_server.url}/items/{built.penalty_item.code}/")
    record = public.locator("table.flow-record tbody tr").nth(2)
    assert "50%" in record.inner_text()
    public.context.close()
    decision = built.people["decisions"][0]
    _shots(
        browser,
        live_server,
        built.clerk,
        f"/decisions/work/{decision.pk}/steps/",
        "step-times",
        screenshot,
    )
