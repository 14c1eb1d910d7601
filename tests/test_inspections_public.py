"""The public inspection pages (issue 13 §1, §2, §7): what is inspected, the draws and the
reports render for anyone in a number of queries that does not grow with the data; a draw's page
publishes its commitment and pools before the draw and embeds the revealed seed, the pool text
and the result once drawn, so that the browser re-runs it (inspections/draw.py gives the same);
a re-draw shows its reason and the earlier round stays, marked superseded; a report links its
PDF once rendered; the Atom feed survives a control character; and nothing personal (inspectors'
contacts, who reported a problem, a declared interest, a notice's requirements) appears on any
public page, in the feed or in the public API."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core import services as core_services
from core.choices import Role
from inspections import draw as drawing
from inspections import services
from inspections.choices import DrawState, ProblemSource, Reporter
from inspections.models import Draw, Inspection, Report
from inspections.services import ledger
from inspections.services.reports import report_pdf_render, report_publish
from tests.builders import password_for
from tests.inspection_builders import build_inspection_org, plan_drawn, plan_random

CANARIES = {
    "inspector_email": "canary.inspector@example.invalid",
    "inspector_phone": "13955550000",
    "reporter_name": "甄秘密",
    "reported_how": "座谈会秘密记录",
    "conflict_reason": "回避理由秘密",
    "requirements": "整改要求秘密文本",
}
DRAW_DATA = re.compile(r'<script id="draw-data" type="application/json">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def built(db, calendar):
    return build_inspection_org()


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client, url)
    return len(captured)


def draw_of(plan) -> Draw:
    return Draw.objects.filter(plan=plan).order_by("-round").first()


def draw_data(html: str) -> dict | None:
    found = DRAW_DATA.search(html)
    return json.loads(found.group(1)) if found else None


# --- the index and the contents ---------------------------------------------------------------


def test_the_index_and_the_published_contents_render_for_anyone(client, db):
    index = page(client, "/inspections/")
    assert "国办发〔2015〕58号" in index
    for link in ("/inspections/items/", "/inspections/draws/", "/inspections/reports/"):
        assert f'href="{link}"' in index
    contents = page(client, "/inspections/items/")
    # Seeded from seed 002 (联合督查办法 第四条, 监督检查办法 第十四条) and seed 004 二(二).
    assert 'id="content-J1"' in contents
    assert 'id="content-S3"' in contents
    assert 'id="content-R1"' in contents


# --- the draws --------------------------------------------------------------------------------


def test_the_draw_list_costs_the_same_for_one_draw_and_for_four(client, built):
    plan_drawn(built)
    one = queries(client, "/inspections/draws/")
    for _n in range(3):
        plan = plan_random(built, title="又一次随机抽查")
        services.draw_commit(actor=built.supervisor, plan=plan)
    html = page(client, "/inspections/draws/")
    assert html.count("又一次随机抽查") == 3
    assert queries(client, "/inspections/draws/") == one


def test_a_committed_draw_shows_its_commitment_and_pools_and_keeps_the_seed(client, built):
    plan = plan_random(built)
    committed = services.draw_commit(actor=built.supervisor, plan=plan)
    html = page(client, f"/inspections/draws/{committed.pk}/")
    assert committed.commitment in html
    assert committed.pool_hash in html
    assert "will be revealed" in html
    assert "市交通运输局" in html  # the pool of targets
    assert committed.seed not in html
    assert draw_of(plan).seed not in html
    assert draw_data(html) is None
    assert not re.search(r'<script src="[^"]*inspections/draw\.js"', html)
    # The exact pool text is published, byte for byte (HTML-escaped).
    assert json.loads(committed.pool)["rules"]["per_target"] == 2
    assert 'id="draw-pool-text"' in html


def test_a_drawn_draw_embeds_what_the_browser_re_runs_and_python_agrees(client, built):
    plan = plan_drawn(built)
    drawn = draw_of(plan)
    html = page(client, f"/inspections/draws/{drawn.pk}/")
    data = draw_data(html)
    assert data["seed"] == drawn.seed
    assert drawing.commitment(data["seed"]) == data["commitment"] == drawn.commitment
    assert drawing.pool_hash(data["snapshot_text"]) == data["pool_hash"] == drawn.pool_hash
    assert data["snapshot_text"] == drawn.pool
    assert drawing.run(data["seed"], data["snapshot_text"]) == data["result"] == drawn.result
    assert re.search(r'<script src="[^"]*inspections/draw\.js"', html)
    assert 'id="draw-verify"' in html and 'id="draw-rerun"' in html
    units = dict(
        Inspection.objects.filter(draw=drawn).values_list("department_id", "department__name")
    )
    for target in drawn.result["targets"]:
        assert units[target["department"]] in html


def test_the_draw_page_costs_the_same_whatever_the_pools(client, built):
    small = plan_drawn(built, scope=[built.units["salt"], built.units["market"]])
    few = queries(client, f"/inspections/draws/{draw_of(small).pk}/")
    large = plan_drawn(built)
    assert queries(client, f"/inspections/draws/{draw_of(large).pk}/") == few


def test_a_published_result_and_the_publication_due_appear_on_the_draw_page(client, built):
    plan = plan_drawn(built)
    drawn = draw_of(plan)
    first, second = Inspection.objects.filter(draw=drawn).order_by("pk")[:2]
    for inspection in (first, second):
        inspector = inspection.members.order_by("-lead", "pk").first().user
        services.inspection_notify(
            actor=inspector, inspection=inspection, meet_on=datetime.date(2026, 12, 1)
        )
        services.inspection_finish(
            actor=inspector, inspection=inspection, feedback="初步整改意见：补充公开材料。"
        )
    services.inspection_publish(
        actor=built.supervisor, inspection=first, result="清单已公开，发现问题一项，已督促整改。"
    )
    html = page(client, f"/inspections/draws/{drawn.pk}/")
    assert "清单已公开，发现问题一项，已督促整改。" in html
    assert "To be published by" in html  # the second's publication step, with its due moment
    assert "cal-due" in html
    assert "初步整改意见" not in html  # the oral feedback is for the unit, not the public


def test_a_redraw_shows_its_reason_and_the_earlier_round_stays_marked_superseded(client, built):
    plan = plan_drawn(built)
    first = draw_of(plan)
    services.plan_redraw(actor=built.supervisor, plan=plan, reason="检查人员调离，重新抽取")
    services.plan_draw(actor=built.supervisor, plan=plan)
    second = draw_of(plan)
    first.refresh_from_db()
    assert (first.state, second.round) == (DrawState.SUPERSEDED, 2)
    earlier = page(client, f"/inspections/draws/{first.pk}/")
    assert "replaced by a re-draw" in earlier
    assert f'href="/inspections/draws/{second.pk}/"' in earlier
    assert "检查人员调离，重新抽取" in earlier
    # The superseded round is still checkable: its seed was revealed at its draw.
    assert draw_data(earlier)["seed"] == first.seed
    later = page(client, f"/inspections/draws/{second.pk}/")
    assert "This is a re-draw." in later and "检查人员调离，重新抽取" in later
    assert f'href="/inspections/draws/{first.pk}/"' in later
    assert draw_data(later)["result"] == second.result


def test_a_draft_plan_has_no_public_draw_and_unknown_numbers_are_not_found(client, built):
    plan_random(built)
    page(client, "/inspections/draws/999999/", status=404)
    assert "2026年第四季度" not in page(client, "/inspections/draws/")


# --- reports ----------------------------------------------------------------------------------


def _report(built, title: str = "2026年第四季度监督检查通报") -> Report:
    return report_publish(
        actor=built.supervisor,
        jurisdiction=built.org.city,
        title=title,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 11, 30),
        summary="本季度对各部门清单运行情况进行了随机抽查。",
    )


def test_a_report_waits_for_its_pdf_then_links_it(client, built):
    ledger.problem_record(
        actor=built.supervisor,
        jurisdiction=built.org.city,
        department=built.units["salt"],
        title="责任清单未在门户网站公开",
        description="检查发现该单位责任清单未在门户网站公开。",
        source=ProblemSource.MEDIA,
        reported_how="《郑州日报》",
        found_on=datetime.date(2026, 11, 2),
    )
    report = _report(built)
    html = page(client, f"/inspections/reports/{report.pk}/")
    assert "本季度对各部门清单运行情况进行了随机抽查。" in html
    assert "市盐业管理局" in html  # problems by department
    assert 'http-equiv="refresh"' in html and "PDF being prepared" in html
    page(client, f"/inspections/reports/{report.pk}.pdf", status=404)
    report_pdf_render(report_id=report.pk)
    html = page(client, f"/inspections/reports/{report.pk}/")
    assert 'http-equiv="refresh"' not in html
    assert f'href="/inspections/reports/{report.pk}.pdf"' in html
    response = client.get(f"/inspections/reports/{report.pk}.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_report_list_costs_the_same_for_one_report_and_for_three(client, built):
    _report(built)
    one = queries(client, "/inspections/reports/")
    _report(built, "第二份通报")
    _report(built, "第三份通报")
    html = page(client, "/inspections/reports/")
    assert "第二份通报" in html and "第三份通报" in html
    assert queries(client, "/inspections/reports/") == one


def test_the_feed_lists_reports_and_survives_a_control_character(client, built):
    report = _report(built)
    _report(built, "第二份通报")
    # Text stored before the free-text check existed (core.checkers): the feed must not break.
    Report.objects.filter(pk=report.pk).update(title="通报\x0b含控制字符")
    response = client.get("/inspections/reports/feed/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith("<?xml") and "http://www.w3.org/2005/Atom" in body
    assert "通报含控制字符" in body and "第二份通报" in body
    assert "\x0b" not in body


# --- nothing personal, anywhere public ----------------------------------------------------------


def test_no_public_page_feed_or_public_api_answer_holds_personal_data(client, built):
    canary = core_services.user_create(
        actor=None,
        username="canary-inspector",
        password=password_for("clerk"),
        role=Role.CLERK,
        jurisdiction=built.org.city,
        department=built.units["market"],
        first_name="金丝雀",
        email=CANARIES["inspector_email"],
        phone=CANARIES["inspector_phone"],
    )
    plan = plan_random(built, team=[*built.team, canary])
    services.conflict_declare(
        actor=canary,
        plan=plan,
        user=canary,
        department=built.units["labour"],
        reason=CANARIES["conflict_reason"],
    )
    services.draw_commit(actor=built.supervisor, plan=plan)
    services.plan_draw(actor=built.supervisor, plan=plan)
    problem = ledger.problem_record(
        actor=built.supervisor,
        jurisdiction=built.org.city,
        department=built.units["salt"],
        title="许可取消后仍收取审查费",
        description="群众反映该局在许可取消后仍收取审查费。",
        source=ProblemSource.SOCIAL,
        reporter=Reporter.DEPUTY,
        reporter_name=CANARIES["reporter_name"],
        reported_how=CANARIES["reported_how"],
        found_on=datetime.date(2026, 11, 5),
    )
    notice = services.notice_draft(
        actor=built.supervisor,
        problems=[problem],
        title="关于责任清单问题的整改通知",
        requirements=CANARIES["requirements"],
    )
    services.notice_issue(actor=built.supervisor, notice=notice)
    report = _report(built)
    drawn = draw_of(plan)
    pool = json.loads(drawn.pool)
    assert [canary.pk, built.units["labour"].pk] in pool["conflicts"]

    urls = [
        "/inspections/",
        "/inspections/items/",
        "/inspections/draws/",
        f"/inspections/draws/{drawn.pk}/",
        "/inspections/reports/",
        f"/inspections/reports/{report.pk}/",
        "/inspections/reports/feed/",
        "/api/v1/inspections/contents/",
        "/api/v1/inspections/draws/",
        f"/api/v1/inspections/draws/{drawn.pk}/",
        "/api/v1/inspections/reports/",
    ]
    seen = ""
    for url in urls:
        seen += page(client, url)
    for name, value in CANARIES.items():
        assert value not in seen, name
        assert json.dumps(value)[1:-1] not in seen, name
    # The pages did show what they publish: the inspector's name and the conflict's pair.
    assert "金丝雀" in seen
    assert "关于责任清单问题的整改通知" not in seen


# --- the admin: read-only, the seed secret until the draw ----------------------------------------


def test_the_admin_shows_a_draws_seed_only_once_drawn_and_changes_nothing(client, built):
    plan = plan_random(built)
    committed = services.draw_commit(actor=built.supervisor, plan=plan)
    client.force_login(built.org.users[Role.ADMINISTRATOR])
    url = f"/admin/inspections/draw/{committed.pk}/change/"
    html = page(client, url)
    assert committed.commitment in html and committed.seed not in html
    services.plan_draw(actor=built.supervisor, plan=plan)
    assert committed.seed in page(client, url)
    assert client.post(url, {"reason": "改"}).status_code == 403
    assert client.get("/admin/inspections/draw/add/").status_code == 403


def test_an_administrator_sets_the_inspection_policy_through_the_service(client, built):
    from core.models import AuditEvent
    from inspections.models import InspectionPolicy

    client.force_login(built.org.users[Role.ADMINISTRATOR])
    form = {
        "jurisdiction": built.org.city.pk,
        "rectify_days": 10,
        "verify_days": 5,
        "publish_days": 20,
        "complaint_threshold": 4,
        "problem_threshold": 2,
        "veto": "on",
        "document_prefix": "郑督改",
    }
    response = client.post("/admin/inspections/inspectionpolicy/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = InspectionPolicy.objects.get(jurisdiction=built.org.city)
    assert (policy.rectify_days, policy.veto, policy.document_prefix) == (10, True, "郑督改")
    assert AuditEvent.objects.filter(object_id=str(policy.pk)).exists()
