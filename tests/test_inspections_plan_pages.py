"""Issue 13 §1–§3, §8: the staff pages of plans, draws and inspections. Each page opens for the
people who may see it and is "not found" (or refused) for the others; a plan is created through
its form, a refusal keeping what was typed; a random check is committed and drawn through the
plan's panel; an inspection is notified, recorded (a meeting with a real PDF; a program renamed
.pdf refused), a finding recorded, finished and published through its panel; the plan list and
the work queue cost the same queries for one plan and five."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import calendar as core_calendar
from inspections import selectors, services
from inspections.choices import (
    DrawState,
    InspectionState,
    PlanMode,
    PlanState,
    ProblemSource,
    RecordKind,
)
from inspections.models import (
    Attachment,
    Draw,
    Inspection,
    InspectionContent,
    InspectionRecord,
    Plan,
    Problem,
)
from tests.inspection_builders import build_inspection_org, plan_drawn, plan_random

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# A Windows program (the "MZ" header), renamed: its content decides, not its name.
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def built(db, calendar):
    return build_inspection_org()


def today() -> datetime.date:
    return timezone.localdate(timezone.now(), core_calendar.SHANGHAI)


def _as(client, user):
    client.force_login(user)
    return client


def _people(built, inspection: Inspection) -> dict:
    """The roles of the walk for one drawn inspection."""
    members = [m.user for m in inspection.members.select_related("user")]
    unit_clerk = next(
        c for c in built.clerks.values() if c.department_id == inspection.department_id
    )
    outsider = next(
        c for c in built.team if c not in members and c.department_id != inspection.department_id
    )
    return {
        "supervisor": built.supervisor,
        "member": members[0],
        "unit_clerk": unit_clerk,
        "team_outsider": outsider,
        "clerk_elsewhere": built.org.district_users["clerk"],
    }


def _post(client, url: str, action: str, files=None, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    for name, value in (files or {}).items():
        data[f"{action}-{name}"] = value
    return client.post(url, data, **ENGLISH)


def _plan_act(plan: Plan, action: str) -> str:
    return reverse("inspections:plan-act", args=[plan.pk, action])


def _inspection_act(inspection: Inspection, action: str) -> str:
    return reverse("inspections:inspection-act", args=[inspection.pk, action])


# --- who sees what --------------------------------------------------------------------------------


def test_pages_open_for_those_who_may_see_them_and_not_for_others(built, client):
    plan = plan_drawn(built)
    inspection = plan.inspections.exclude(state=InspectionState.REPLACED).first()
    people = _people(built, inspection)
    expected = {
        reverse("inspections:queue"): {
            "supervisor": 200,
            "member": 200,
            "unit_clerk": 200,
            "team_outsider": 200,
            "clerk_elsewhere": 200,
        },
        reverse("inspections:plans"): {
            "supervisor": 200,
            "member": 200,
            "unit_clerk": 200,
            "team_outsider": 200,
            "clerk_elsewhere": 200,
        },
        reverse("inspections:plan-new"): {
            "supervisor": 200,
            "member": 403,
            "unit_clerk": 403,
            "team_outsider": 403,
            "clerk_elsewhere": 403,
        },
        # The team's members see the plan; a clerk of another jurisdiction does not.
        reverse("inspections:plan", args=[plan.pk]): {
            "supervisor": 200,
            "member": 200,
            "unit_clerk": 200,
            "team_outsider": 200,
            "clerk_elsewhere": 404,
        },
        # An inspection: its jurisdiction's overseers, its inspectors, the unit inspected.
        reverse("inspections:inspection", args=[inspection.pk]): {
            "supervisor": 200,
            "member": 200,
            "unit_clerk": 200,
            "team_outsider": 404,
            "clerk_elsewhere": 404,
        },
    }
    for url, by_role in expected.items():
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
        for role, status in by_role.items():
            response = _as(client, people[role]).get(url, **ENGLISH)
            assert response.status_code == status, (url, role, response.status_code)


def test_the_plan_list_shows_only_visible_plans_and_filters(built, client):
    random_plan = plan_random(built)
    special = plan_random(built, title="节假日前后专项检查", mode=PlanMode.SPECIAL, team=[])
    district_clerk = built.org.district_users["clerk"]
    url = reverse("inspections:plans")
    page = _as(client, built.supervisor).get(url, **ENGLISH).content.decode()
    assert random_plan.title in page and special.title in page
    page = client.get(url, {"mode": "special"}, **ENGLISH).content.decode()
    assert special.title in page and random_plan.title not in page
    page = client.get(url, {"state": "cancelled"}, **ENGLISH).content.decode()
    assert "No plan matches these filters." in page
    page = client.get(url, {"year": "2026"}, **ENGLISH).content.decode()
    assert random_plan.title in page
    page = _as(client, district_clerk).get(url, **ENGLISH).content.decode()
    assert random_plan.title not in page and special.title not in page


def test_the_queue_shows_what_waits_on_each_person(built, client):
    plan = plan_drawn(built)
    draft = plan_random(built, title="尚未承诺的随机抽查")
    inspection = plan.inspections.exclude(state=InspectionState.REPLACED).first()
    people = _people(built, inspection)
    url = reverse("inspections:queue")
    page = _as(client, built.supervisor).get(url, **ENGLISH).content.decode()
    assert draft.title in page and "Plans to advance" in page
    page = _as(client, people["member"]).get(url, **ENGLISH).content.decode()
    assert reverse("inspections:inspection", args=[inspection.pk]) in page
    assert draft.title not in page
    page = _as(client, people["clerk_elsewhere"]).get(url, **ENGLISH).content.decode()
    assert "You are not drawn for an inspection under way." in page
    # The home page's work queue (core.workqueue) gets the same from selectors.work_items.
    assert inspection.get_absolute_url() in {
        item.url for item in selectors.work_items(people["member"])
    }
    assert draft.get_absolute_url() in {item.url for item in selectors.work_items(built.supervisor)}
    assert selectors.work_items(people["clerk_elsewhere"]) == []


# --- a new plan -----------------------------------------------------------------------------------


def _plan_form(built, **overrides) -> dict:
    contents = InspectionContent.objects.filter(code__in=["J1", "S3"])
    data = {
        "title": "2026年12月随机抽查",
        "mode": "random",
        "basis": "联合督查办法 第五条（二）",
        "period_start": "2026-12-01",
        "period_end": "2026-12-31",
        "frequency": "monthly",
        "ratio": "50",
        "raised_ratio": "100",
        "per_target": "2",
        "scope": [str(d.pk) for d in built.units.values()],
        "contents": [str(c.pk) for c in contents],
        "team": [str(u.pk) for u in built.team],
    }
    data.update(overrides)
    return data


def test_the_new_plan_form_starts_from_the_seeds_wording(built, client):
    response = _as(client, built.supervisor).get(
        reverse("inspections:plan-new"), {"mode": "quarterly"}, **ENGLISH
    )
    page = response.content.decode()
    assert "季度考评" in page
    # Every department of the city, the checklist by source, the team with its departments.
    for unit in built.units.values():
        assert unit.name in page
    assert "J1" in page and built.team[0].username in page


def test_a_plan_is_created_through_the_form(built, client):
    response = _as(client, built.supervisor).post(
        reverse("inspections:plan-new"), _plan_form(built), **ENGLISH
    )
    plan = Plan.objects.get(title="2026年12月随机抽查")
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.state == PlanState.DRAFT and plan.ratio == 50 and plan.frequency == "monthly"
    assert set(plan.scope.all()) == set(built.units.values())
    assert plan.team.count() == len(built.team)


def _checked(page: str, name: str) -> set[str]:
    """The values of the boxes named `name` that the page shows ticked."""
    return set(
        re.findall(
            rf'<input type="(?:checkbox|radio)" name="{name}" value="([^"]+)"[^>]* checked', page
        )
    )


def test_a_refused_plan_is_shown_again_with_what_was_typed(built, client):
    # A joint team from one department only: the service refuses (seed 002 第二条).
    one_department = [str(built.clerks["salt"].pk)]
    response = _as(client, built.supervisor).post(
        reverse("inspections:plan-new"),
        _plan_form(built, title="只有一个部门的督查组", team=one_department),
        **ENGLISH,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A joint inspection team has members from at least two departments." in page
    assert 'value="只有一个部门的督查组"' in page
    assert _checked(page, "team") == {str(built.clerks["salt"].pk)}
    assert _checked(page, "scope") == {str(d.pk) for d in built.units.values()}
    assert _checked(page, "mode") == {"random"}
    assert not Plan.objects.filter(title="只有一个部门的督查组").exists()
    # A form error (the period ends before it starts) also keeps the rest.
    response = client.post(
        reverse("inspections:plan-new"),
        _plan_form(built, period_end="2026-11-01"),
        **ENGLISH,
    )
    assert "The period ends before it starts." in response.content.decode()
    assert not Plan.objects.exists()


# --- the plan's panel -----------------------------------------------------------------------------


def test_commit_and_draw_through_the_plan_page(built, client):
    plan = plan_random(built)
    _as(client, built.supervisor)
    page = client.get(plan.get_absolute_url(), **ENGLISH).content.decode()
    assert "adj-action-commit" in page and "adj-action-draw" not in page
    response = _post(client, _plan_act(plan, "commit"), "commit")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.COMMITTED
    draw = Draw.objects.get(plan=plan)
    page = client.get(plan.get_absolute_url(), **ENGLISH).content.decode()
    assert draw.commitment in page and draw.seed not in page
    assert reverse("inspections:public-draw", args=[draw.pk]) in page
    # The draw asks first: without “I confirm” nothing happens.
    response = _post(client, _plan_act(plan, "draw"), "draw")
    assert response.status_code == 200
    assert "tick “I confirm”" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).state == PlanState.COMMITTED
    response = _post(client, _plan_act(plan, "draw"), "draw", confirm="on")
    assert response.status_code == 302
    draw.refresh_from_db()
    assert draw.state == DrawState.DRAWN
    page = client.get(plan.get_absolute_url(), **ENGLISH).content.decode()
    assert draw.seed in page
    for inspection in plan.inspections.all():
        assert inspection.department.name in page


def test_a_team_member_cannot_draw_and_is_told(built, client):
    plan = plan_random(built)
    services.draw_commit(actor=built.supervisor, plan=plan)
    member = built.team[0]
    page = _as(client, member).get(plan.get_absolute_url(), **ENGLISH).content.decode()
    assert "adj-action-draw" not in page
    response = _post(client, _plan_act(plan, "draw"), "draw", confirm="on")
    assert response.status_code == 200
    assert "is for a supervisor" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).state == PlanState.COMMITTED


def test_a_member_declares_a_conflict_for_themselves(built, client):
    plan = plan_random(built)
    member = built.clerks["market"]
    response = _post(
        _as(client, member),
        _plan_act(plan, "conflict"),
        "conflict",
        member=str(plan.team.get(user=member).pk),
        department=str(built.units["labour"].pk),
        reason="配偶在该局工作",
    )
    assert response.status_code == 302
    assert plan.conflicts.get().user == member


# --- the inspection's panel -----------------------------------------------------------------------


def _drawn_inspection(built) -> tuple[Inspection, dict]:
    plan = plan_drawn(built)
    inspection = plan.inspections.exclude(state=InspectionState.REPLACED).first()
    return inspection, _people(built, inspection)


def test_an_inspection_walks_through_its_panel(built, client):
    inspection, people = _drawn_inspection(built)
    member = people["member"]
    url = inspection.get_absolute_url()
    _as(client, member)

    response = _post(
        client,
        _inspection_act(inspection, "notify"),
        "notify",
        meet_on=today().isoformat(),
        confirm="on",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.NOTIFIED and inspection.notice_number
    page = client.get(url, **ENGLISH).content.decode()
    assert inspection.notice_number in page
    pdf = client.get(reverse("inspections:inspection-notice-pdf", args=[inspection.pk]))
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")

    # A meeting with its minutes as a PDF.
    minutes = SimpleUploadedFile("座谈会记录.pdf", PDF, content_type="application/pdf")
    response = _post(
        client,
        _inspection_act(inspection, "record"),
        "record",
        files={"files": minutes},
        kind=RecordKind.MEETING,
        held_on=today().isoformat(),
        text="召开座谈会，听取科室负责人汇报。",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = InspectionRecord.objects.get(inspection=inspection, kind=RecordKind.MEETING)
    attachment = Attachment.objects.get(record=record)
    page = client.get(url, **ENGLISH).content.decode()
    assert "召开座谈会" in page and "座谈会记录.pdf" in page
    download = client.get(reverse("inspections:attachment", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == PDF

    # A program renamed .pdf: refused, nothing recorded, the text kept.
    program = SimpleUploadedFile("材料.pdf", PROGRAM, content_type="application/pdf")
    response = _post(
        client,
        _inspection_act(inspection, "record"),
        "record",
        files={"files": program},
        kind=RecordKind.INTERVIEW,
        held_on=today().isoformat(),
        text="访谈办事群众三人。",
        people_served="3",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "the content is not a PDF file" in page
    assert "访谈办事群众三人。" in page and "Choose the files again" in page
    assert not InspectionRecord.objects.filter(kind=RecordKind.INTERVIEW).exists()

    # A finding, into the ledger about the unit inspected.
    content = inspection.plan.contents.order_by("code").first()
    response = _post(
        client,
        _inspection_act(inspection, "finding"),
        "finding",
        title="权力清单未及时动态调整",
        description="法律修改后三个月仍未申请调整。",
        content=str(content.pk),
        severity="serious",
        found_on=today().isoformat(),
        hot="on",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    problem = Problem.objects.get(title="权力清单未及时动态调整")
    assert problem.source == ProblemSource.INSPECTION and problem.inspection == inspection
    assert problem.department == inspection.department and problem.hot
    assert reverse("inspections:problem", args=[problem.pk]) in client.get(url).content.decode()

    # Finish with the feedback; the publish step is the supervisors'.
    response = _post(
        client,
        _inspection_act(inspection, "finish"),
        "finish",
        feedback="限期一个月内完成清单调整。",
        confirm="on",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.FINISHED
    page = client.get(url, **ENGLISH).content.decode()
    assert "adj-action-publish" not in page
    assert "cal-due" in page  # the publish step's due moment

    page = _as(client, built.supervisor).get(url, **ENGLISH).content.decode()
    assert "adj-action-publish" in page
    queue = client.get(reverse("inspections:queue"), **ENGLISH).content.decode()
    assert url in queue
    response = _post(
        client,
        _inspection_act(inspection, "publish"),
        "publish",
        result="发现问题一项，已反馈整改要求。",
        confirm="on",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.PUBLISHED


def test_files_and_notices_are_not_found_for_others(built, client):
    inspection, people = _drawn_inspection(built)
    services.inspection_notify(actor=people["member"], inspection=inspection, meet_on=today())
    minutes = SimpleUploadedFile("记录.pdf", PDF, content_type="application/pdf")
    record = services.inspection_record(
        actor=people["member"],
        inspection=inspection,
        kind=RecordKind.MEETING,
        held_on=today(),
        text="座谈会。",
        files=[minutes],
    )
    attachment = record.files.get()
    urls = [
        reverse("inspections:attachment", args=[attachment.pk]),
        reverse("inspections:inspection-notice-pdf", args=[inspection.pk]),
    ]
    for url in urls:
        for role in ("supervisor", "member", "unit_clerk"):
            assert _as(client, people[role]).get(url).status_code == 200, (url, role)
        for role in ("team_outsider", "clerk_elsewhere"):
            assert _as(client, people[role]).get(url).status_code == 404, (url, role)
        client.logout()
        assert client.get(url).status_code == 302


def test_the_unit_sees_its_inspection_but_cannot_act(built, client):
    inspection, people = _drawn_inspection(built)
    page = _as(client, people["unit_clerk"]).get(inspection.get_absolute_url(), **ENGLISH)
    assert "adj-action-notify" not in page.content.decode()
    response = _post(
        client,
        _inspection_act(inspection, "notify"),
        "notify",
        meet_on=today().isoformat(),
        confirm="on",
    )
    assert response.status_code == 200
    assert Inspection.objects.get(pk=inspection.pk).state == InspectionState.PLANNED


# --- queries --------------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **ENGLISH).status_code == 200
    return len(captured)


def test_the_plan_list_and_the_queue_cost_the_same_for_one_plan_and_five(built, client):
    plans = [plan_drawn(built, title="随机抽查 1")]
    member = plans[0].inspections.first().members.first().user
    counts = {}
    for user in (built.supervisor, member):
        _as(client, user)
        counts[user.pk] = (
            _queries(client, reverse("inspections:plans")),
            _queries(client, reverse("inspections:queue")),
        )
    for number in range(2, 6):
        plans.append(plan_drawn(built, title=f"随机抽查 {number}"))
        plan_random(built, title=f"草稿 {number}")
    for user in (built.supervisor, member):
        _as(client, user)
        assert (
            _queries(client, reverse("inspections:plans")),
            _queries(client, reverse("inspections:queue")),
        ) == counts[user.pk], user
    page = _as(client, built.supervisor).get(reverse("inspections:queue"), **ENGLISH)
    assert page.content.decode().count("草稿 ") == 4
