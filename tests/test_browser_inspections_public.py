"""The public draw page in Debian's Chromium (issue 13 §2, Done when): opened by an anonymous
visitor, the page's own script (static/inspections/draw.js) re-runs the draw from the revealed
seed and the published pool text and says "same result", listing who it drew in the order of
the published result; at 1280 and 390 pixels wide (screenshots in test-artifacts/ for a person
to look at). Before the draw, the page shows the commitment and runs no check."""

import datetime
import importlib
import json

import pytest
from django.apps import apps

from core import services as core_services
from core.choices import Role
from inspections import services
from inspections.models import Draw, Inspection
from tests.browser_helpers import DESKTOP, new_page
from tests.builders import password_for
from tests.inspection_builders import build_inspection_org, plan_random

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def contents(transactional_db):
    """The inspection contents the migration seeds: a live-server test flushes the tables after
    itself, and tests/conftest.py's MIGRATION_DATA does not restore these yet."""
    importlib.import_module("inspections.migrations.0002_contents").seed(apps, None)


@pytest.fixture
def drawn(contents, calendar, settings, tmp_path):
    """A random check with a declared conflict, drawn, one inspection's result published."""
    settings.MEDIA_ROOT = tmp_path
    built = build_inspection_org()
    extra = core_services.user_create(
        actor=None,
        username="wang-fang",
        password=password_for("clerk"),
        role=Role.CLERK,
        jurisdiction=built.org.city,
        department=built.units["labour"],
        first_name="芳",
        last_name="王",
    )
    plan = plan_random(built, team=[*built.team, extra])
    services.conflict_declare(
        actor=extra,
        plan=plan,
        user=extra,
        department=built.units["market"],
        reason="配偶在该局任职",
    )
    services.draw_commit(actor=built.supervisor, plan=plan)
    services.plan_draw(actor=built.supervisor, plan=plan)
    draw = Draw.objects.get(plan=plan)
    inspection = Inspection.objects.filter(draw=draw).order_by("pk").first()
    inspector = inspection.members.order_by("-lead", "pk").first().user
    services.inspection_notify(
        actor=inspector, inspection=inspection, meet_on=datetime.date(2026, 12, 1)
    )
    services.inspection_finish(
        actor=inspector, inspection=inspection, feedback="初步整改意见：补充公开材料。"
    )
    services.inspection_publish(
        actor=built.supervisor,
        inspection=inspection,
        result="清单已在门户网站公开，发现问题一项（办事指南未更新），已督促整改。",
    )
    return draw


def _names(draw: Draw, colon: str, separator: str) -> list[str]:
    pool = json.loads(draw.pool)
    units = {t["id"]: t["name"] for t in pool["targets"]}
    people = {i["id"]: i["name"] for i in pool["inspectors"]}
    return [
        units[t["department"]] + colon + separator.join(people[i] for i in t["inspectors"])
        for t in draw.result["targets"]
    ]


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_public_draw_page_re_runs_the_draw_and_says_same_result(
    browser, live_server, drawn, screenshot, name, viewport
):
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/inspections/draws/{drawn.pk}/")
    verdict = page.locator("#draw-verify")
    page.wait_for_function("document.getElementById('draw-verify').dataset.outcome !== 'pending'")
    assert verdict.get_attribute("data-outcome") == "same", verdict.inner_text()
    assert verdict.inner_text() == verdict.get_attribute("data-text-same")
    detail = page.locator("#draw-verify-detail")
    colon, separator = detail.get_attribute("data-colon"), detail.get_attribute("data-separator")
    drawn_list = detail.locator("li")
    assert drawn_list.all_inner_texts() == [
        text.strip() for text in _names(drawn, colon, separator)
    ]
    # Run again on request: the same verdict.
    page.locator("#draw-rerun").click()
    assert verdict.get_attribute("data-outcome") == "same"
    assert page.get_by_text("已督促整改").is_visible()
    # Nothing wider than the screen: the hashes and the pool text wrap.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width
    screenshot(page, f"inspections-public-draw-{name}")


def test_before_the_draw_the_page_shows_the_commitment_and_runs_no_check(
    browser, live_server, contents, calendar, screenshot
):
    built = build_inspection_org()
    plan = plan_random(built)
    committed = services.draw_commit(actor=built.supervisor, plan=plan)
    page = new_page(browser, PHONE)
    page.goto(f"{live_server.url}/inspections/draws/{committed.pk}/")
    assert page.locator("#draw-commitment").inner_text() == committed.commitment
    assert page.locator("#draw-verify").count() == 0
    assert page.evaluate("typeof window.QingdanDraw") == "undefined"
    assert committed.seed not in page.content()
    screenshot(page, "inspections-public-draw-committed-phone")
