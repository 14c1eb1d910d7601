"""Issue 14, Done when 1, in Debian's Chromium: a department's clerk records a penalty decision
with valid officers and its service date through the form; time passes and the deadline sweep
reminds the clerk before the 10th day (the notification is on their page); the clerk publishes
it with the content redacted for a trade secret, confirming in the dialog; an anonymous visitor
finds it on /decisions/ by the party's name and from the item's page, and never reads the
secret; the credit export (双公示) contains it. Then the staff pages at 1280 and 390 px wide,
each without a horizontal scroll."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from core import calendar as core_calendar
from core import services as core_services
from decisions import services
from decisions.choices import DecisionState, StepKind
from decisions.models import Decision, Redaction
from tests.browser_helpers import DESKTOP, new_page, send_panel_form
from tests.builders import password_for
from tests.decision_builders import CREDIT_CODES, build_decision_org

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
PARTY = "郑州市甄味盐业有限公司"
NUMBER = "郑盐罚〔2026〕88号"
SECRET = "甄味配方比例为甲三乙七"


@pytest.fixture
def built(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    core_services.calendar_seed_from_package(actor=None)
    # The organisation, its items and its confirmed body exist well before the decision.
    with time_machine.travel(timezone.now() - datetime.timedelta(days=60), tick=False):
        return build_decision_org()


def _login(browser, live_server, user, viewport=DESKTOP):
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password_for(user.role))
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1.role-heading").is_visible(), f"{user} did not log in"
    return page


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_penalty_from_the_form_to_the_public_and_the_credit_export(
    built, browser, live_server, screenshot
):
    today = timezone.localdate(timezone.now(), core_calendar.SHANGHAI)
    day = datetime.timedelta(days=1)

    # The clerk records the decision, served yesterday, with two certified officers.
    clerk = _login(browser, live_server, built.clerk)
    clerk.locator("nav.main-nav a[href='/decisions/work/']").click()
    clerk.wait_for_load_state()
    clerk.locator("a[href='/decisions/work/new/']").click()
    clerk.wait_for_load_state()
    form = clerk.locator("form.dec-form")
    form.locator("[name=item]").select_option(str(built.penalty_item.pk))
    form.locator("[name=body]").select_option(str(built.body.pk))
    for person in built.officers:
        form.locator(f"input[name=officers][value='{person.pk}']").check()
    form.locator("input[name=party_kind][value=organisation]").check()
    form.locator("[name=party_name]").fill(PARTY)
    form.locator("[name=party_credit_code]").fill(CREDIT_CODES[2])
    form.locator("[name=legal_representative]").fill("钱某")
    form.locator("[name=number]").fill(NUMBER)
    form.locator("[name=title]").fill("甄味盐业公司违规经营食盐案")
    form.locator("[name=content]").fill(f"当事人未取得许可从事食盐批发，{SECRET}。")
    form.locator("[name=basis]").fill("《食盐专营办法》第二十六条")
    form.locator("input[name=penalty_kinds][value=fine]").check()
    form.locator("[name=fine_amount]").fill("20000")
    form.locator("[name=filed_on]").fill(f"{today - 20 * day:%Y-%m-%d}")
    form.locator("[name=decided_on]").fill(f"{today - 3 * day:%Y-%m-%d}")
    form.locator("[name=served_on]").fill(f"{today - day:%Y-%m-%d}")
    form.locator("button[type=submit]").click()
    clerk.wait_for_load_state()
    assert clerk.locator(".messages .success").count() == 1, clerk.locator("main").inner_text()
    decision = Decision.objects.get(number=NUMBER)
    assert decision.state == DecisionState.SERVED and decision.flags == []
    assert re.search(
        r"还剩 \d+ 个工作日|\d+ working days? left", clerk.locator("main").inner_text()
    )
    screenshot(clerk, "decisions-flow-recorded-1280")

    # Time passes: the sweep, one day before the publication is due, reminds the clerk.
    step = decision.steps.get(kind=StepKind.PUBLISH)
    result = services.decision_deadlines_sweep(now_=step.due_at - day)
    assert result.reminders == 1
    clerk.goto(f"{live_server.url}/notifications/")
    notice = clerk.locator("main li", has_text=NUMBER)
    assert notice.count() == 1, clerk.locator("main").inner_text()
    screenshot(clerk, "decisions-flow-reminded-1280")

    # The clerk publishes it with the secret part of the content withheld.
    clerk.goto(f"{live_server.url}/decisions/work/{decision.pk}/")
    publish = clerk.locator("form.adj-action-publish")
    publish.locator("[name='publish-redactions-0-field']").select_option("content")
    publish.locator("[name='publish-redactions-0-reason']").select_option("trade_secret")
    publish.locator("[name='publish-redactions-0-explanation']").fill("配方比例属当事人商业秘密。")
    publish.locator("[name='publish-redactions-0-public_text']").fill(
        "当事人未取得许可从事食盐批发（涉及商业秘密的内容不予公开）。"
    )
    send_panel_form(clerk, publish)
    decision.refresh_from_db()
    assert decision.published_at is not None and decision.redacted
    assert not decision.published_late
    assert Redaction.objects.get(decision=decision).reason == "trade_secret"
    screenshot(clerk, "decisions-flow-published-1280")

    # The public finds it by the party's name, and from the item's page; never the secret.
    public = new_page(browser, DESKTOP)
    public.goto(f"{live_server.url}/decisions/?q={PARTY}")
    assert NUMBER in public.locator("main").inner_text()
    assert SECRET not in public.content()
    public.locator("main li", has_text=NUMBER).locator("h2 a").click()
    public.wait_for_load_state()
    assert "不予公开" in public.locator("main").inner_text()
    assert SECRET not in public.content()
    public.goto(f"{live_server.url}/items/{built.penalty_item.code}/")
    public.locator("a[href*='/decisions/?item=']").click()
    public.wait_for_load_state()
    assert NUMBER in public.locator("main").inner_text()
    assert SECRET not in public.content()
    screenshot(public, "decisions-flow-public-item-1280")
    public.context.close()

    # The credit export of penalties (双公示) contains it.
    exported = clerk.request.get(f"{live_server.url}/decisions/work/credit/penalty.csv")
    assert exported.status == 200
    assert NUMBER in exported.text()
    assert SECRET not in exported.text()
    clerk.context.close()


def test_the_staff_pages_at_desktop_and_phone_width(built, browser, live_server, screenshot):
    today = timezone.localdate(timezone.now(), core_calendar.SHANGHAI)
    decision = services.decision_record(
        actor=built.clerk,
        department=built.department,
        given=services.DecisionValues(
            body=built.body,
            item=built.penalty_item,
            officers=[built.officers[0], built.expired],
            values={
                "title": "某食盐零售店无证经营案",
                "number": "郑盐罚〔2026〕90号",
                "party_kind": "person",
                "party_name": "欧阳明",
                "content": "当事人无证销售食盐。",
                "basis": "《食盐专营办法》第二十六条",
                "penalty_kinds": ["warning"],
                "filed_on": today - datetime.timedelta(days=10),
                "decided_on": today - datetime.timedelta(days=2),
                "served_on": today - datetime.timedelta(days=1),
            },
        ),
    )
    pages = {
        "queue": "/decisions/work/",
        "new": "/decisions/work/new/",
        "case": "/decisions/work/cases/new/",
        "detail": f"/decisions/work/{decision.pk}/",
        "correct": f"/decisions/work/{decision.pk}/act/correct/",
        "bodies": "/decisions/work/bodies/",
        "body": f"/decisions/work/bodies/{built.body.pk}/",
        "officers": "/decisions/work/officers/",
        "officer": f"/decisions/work/officers/{built.officers[0].pk}/",
    }
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        clerk = _login(browser, live_server, built.clerk, viewport)
        for name, path in pages.items():
            clerk.goto(f"{live_server.url}{path}")
            assert clerk.locator("h1").count() == 1, path
            screenshot(clerk, f"decisions-staff-{name}-{width}")
            assert _fits(clerk), f"{path} scrolls sideways at {width} px"
        clerk.context.close()
    office = _login(browser, live_server, built.org.users["office"], PHONE)
    office.goto(f"{live_server.url}/decisions/work/bodies/{built.body.pk}/")
    assert _fits(office)
    screenshot(office, "decisions-staff-body-office-390")
    office.context.close()
