"""The API of inspections (issue 13 §8) under /api/v1/inspections/, with the same permissions as
the pages: anyone reads the contents, the draws (the seed and the result only once drawn) and
the reports; staff read plans, inspections, problems and notices through the selectors, a unit
its own only and never who reported a problem; actions on plans and notices go through the
services as the user, a refusal answered in the API's error format (409 for state or turn, 400
for what was sent) with nothing changed; lists cost the same whatever their length; the schema
describes every operation."""

import datetime

import pytest
from django.utils import translation

from inspections import draw as drawing
from inspections import services
from inspections.choices import DrawState, NoticeState, PlanState, ProblemSource, Reporter
from inspections.models import Draw, Inspection, Plan, RectificationNotice
from inspections.services import ledger
from tests.api_helpers import as_user, count_queries, error_of
from tests.inspection_builders import build_inspection_org, plan_drawn, plan_random

API = "/api/v1/inspections/"
REPORTER = "甄秘密"


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


def problem(built, unit: str = "salt", **overrides):
    values = {
        "actor": built.supervisor,
        "jurisdiction": built.org.city,
        "department": built.units[unit],
        "title": "许可取消后仍收取审查费",
        "description": "群众反映该局在许可取消后仍收取审查费。",
        "source": ProblemSource.SOCIAL,
        "reporter": Reporter.DEPUTY,
        "reporter_name": REPORTER,
        "reported_how": "人大代表座谈会",
        "found_on": datetime.date(2026, 11, 5),
    }
    values.update(overrides)
    return ledger.problem_record(**values)


def notice_for(built, found) -> RectificationNotice:
    return services.notice_draft(
        actor=built.supervisor,
        problems=[found],
        title="关于收取审查费问题的整改通知",
        requirements="立即停止收费并退还。",
    )


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


# --- public -----------------------------------------------------------------------------------


def test_anyone_reads_the_contents_draws_and_reports(built):
    anonymous = as_user(None)
    codes = {row["code"] for row in ok(anonymous.get(f"{API}contents/"))["results"]}
    assert {"J1", "S3", "R1"} <= codes
    plan = plan_drawn(built)
    rows = ok(anonymous.get(f"{API}draws/"))["results"]
    assert [row["plan"]["id"] for row in rows] == [plan.pk]
    assert ok(anonymous.get(f"{API}reports/"))["count"] == 0


def test_a_draw_reveals_its_seed_and_result_only_once_drawn(built):
    anonymous = as_user(None)
    plan = plan_random(built)
    committed = services.draw_commit(actor=built.supervisor, plan=plan)
    before = ok(anonymous.get(f"{API}draws/{committed.pk}/"))
    assert before["seed"] == "" and before["result"] is None
    assert before["commitment"] == committed.commitment
    assert before["pool"] == committed.pool
    assert committed.seed not in str(before)
    services.plan_draw(actor=built.supervisor, plan=plan)
    after = ok(anonymous.get(f"{API}draws/{committed.pk}/"))
    assert drawing.commitment(after["seed"]) == after["commitment"]
    assert drawing.run(after["seed"], after["pool"]) == after["result"]
    assert {row["department"]["id"] for row in after["inspections"]} == {
        target["department"] for target in after["result"]["targets"]
    }


def test_the_public_lists_cost_the_same_whatever_their_length(built):
    anonymous = as_user(None)
    plan_drawn(built)
    draws = count_queries(anonymous, f"{API}draws/")
    contents = count_queries(anonymous, f"{API}contents/")
    for _n in range(3):
        services.draw_commit(actor=built.supervisor, plan=plan_random(built))
    assert count_queries(anonymous, f"{API}draws/") == draws
    assert count_queries(anonymous, f"{API}contents/") == contents


# --- who reads what ---------------------------------------------------------------------------


STAFF_URLS = ("plans/", "problems/", "notices/")


def test_staff_lists_are_refused_to_the_anonymous(built):
    anonymous = as_user(None)
    for path in STAFF_URLS:
        error_of(anonymous.get(f"{API}{path}"), 403)


def test_a_unit_sees_its_own_problems_and_notices_and_never_who_reported_them(built):
    salt = problem(built, "salt")
    other = problem(built, "market", title="另一个单位的问题")
    notice_for(built, salt)
    notice_for(built, other)
    supervisor = ok(as_user(built.supervisor).get(f"{API}problems/"))["results"]
    assert {row["id"] for row in supervisor} == {salt.pk, other.pk}
    assert {row["reporter_name"] for row in supervisor} == {REPORTER}
    clerk = as_user(built.clerks["salt"])
    rows = ok(clerk.get(f"{API}problems/"))["results"]
    assert [row["id"] for row in rows] == [salt.pk]
    assert rows[0]["reporter_name"] is None and rows[0]["reported_how"] is None
    assert REPORTER not in clerk.get(f"{API}problems/{salt.pk}/").content.decode()
    error_of(clerk.get(f"{API}problems/{other.pk}/"), 404)
    notices = ok(clerk.get(f"{API}notices/"))["results"]
    assert [row["addressee"]["name"] for row in notices] == ["市盐业管理局"]


def test_the_ledger_filters_and_refuses_an_unknown_choice(built):
    problem(built, "salt")
    problem(built, "market", title="媒体报道的问题", source=ProblemSource.MEDIA, reporter="")
    client = as_user(built.supervisor)
    rows = ok(client.get(f"{API}problems/", {"source": "media"}))["results"]
    assert [row["title"] for row in rows] == ["媒体报道的问题"]
    rows = ok(client.get(f"{API}problems/", {"department": built.units["salt"].pk}))["results"]
    assert [row["title"] for row in rows] == ["许可取消后仍收取审查费"]
    assert ok(client.get(f"{API}problems/", {"q": "媒体"}))["count"] == 1
    error_of(client.get(f"{API}problems/", {"state": "nonsense"}), 400)


def test_the_problem_list_costs_the_same_whatever_its_length(built):
    client = as_user(built.supervisor)
    problem(built, "salt")
    one = count_queries(client, f"{API}problems/")
    for unit in ("market", "labour", "transport"):
        problem(built, unit, title=f"{unit}的问题")
    assert count_queries(client, f"{API}problems/") == one


def test_an_inspector_reads_the_inspection_they_were_drawn_for(built):
    plan = plan_drawn(built)
    inspection = Inspection.objects.filter(plan=plan).order_by("pk").first()
    inspector = inspection.members.order_by("-lead", "pk").first().user
    data = ok(as_user(inspector).get(f"{API}visits/{inspection.pk}/"))
    assert data["department"]["id"] == inspection.department_id
    assert [a["action"] for a in data["actions"]] == ["notify"]
    assert inspector.pk in {row["user"] for row in data["inspectors"]}
    # The unit inspected reads it too, without an action of the inspectors'.
    unit = next(c for k, c in built.clerks.items() if built.units[k] == inspection.department)
    assert ok(as_user(unit).get(f"{API}visits/{inspection.pk}/"))["actions"] == []


# --- actions ----------------------------------------------------------------------------------


def test_a_supervisor_commits_and_draws_through_the_api(built):
    plan = plan_random(built)
    client = as_user(built.supervisor)
    detail = ok(client.get(f"{API}plans/{plan.pk}/"))
    assert [a["action"] for a in detail["actions"]] == ["commit", "cancel"]
    url = f"{API}plans/{plan.pk}/transitions/"
    committed = ok(client.post(url, {"action": "commit"}, content_type="application/json"))
    assert committed["state"] == PlanState.COMMITTED
    assert [d["state"] for d in committed["draws"]] == [DrawState.COMMITTED]
    drawn = ok(client.post(url, {"action": "draw"}, content_type="application/json"))
    assert drawn["state"] == PlanState.DRAWN
    assert Draw.objects.get(plan=plan).state == DrawState.DRAWN
    # Drawn again: not possible now (409), and nothing changed.
    error = error_of(client.post(url, {"action": "draw"}, content_type="application/json"), 409)
    assert error["code"] == "conflict"
    # A re-draw without a reason is refused for what was sent (400).
    error_of(client.post(url, {"action": "redraw"}, content_type="application/json"), 400)
    assert Draw.objects.filter(plan=plan).count() == 1


def test_a_clerk_cannot_act_on_a_plan(built):
    plan = plan_random(built)
    member = built.team[0]
    client = as_user(member)
    assert ok(client.get(f"{API}plans/{plan.pk}/"))["actions"] == []
    response = client.post(
        f"{API}plans/{plan.pk}/transitions/", {"action": "commit"}, content_type="application/json"
    )
    error_of(response, 409)
    assert Plan.objects.get(pk=plan.pk).state == PlanState.DRAFT


def test_a_notice_is_issued_reported_and_accepted_through_the_api(built):
    notice = notice_for(built, problem(built, "salt"))
    supervisor = as_user(built.supervisor)
    unit = as_user(built.clerks["salt"])
    url = f"{API}notices/{notice.pk}/transitions/"

    def act(client, action, text=""):
        return client.post(url, {"action": action, "text": text}, content_type="application/json")

    error_of(act(unit, "issue"), 409)
    issued = ok(act(supervisor, "issue"))
    assert issued["state"] == NoticeState.ISSUED and issued["number"]
    assert issued["pdf_url"]
    assert [a["action"] for a in ok(unit.get(f"{API}notices/{notice.pk}/"))["actions"]] == [
        "report"
    ]
    error_of(act(unit, "report"), 400)  # the rectification done must be said
    assert ok(act(unit, "report", "已停止收费并退还。"))["state"] == NoticeState.REPORTED
    error_of(act(unit, "accept", "同意。"), 409)
    accepted = ok(act(supervisor, "accept", "经核查，整改到位。"))
    assert accepted["state"] == NoticeState.ACCEPTED
    assert accepted["actions"] == []


# --- the schema ---------------------------------------------------------------------------------


def test_the_schema_describes_every_operation_with_its_security(client, db):
    schema = ok(client.get("/api/schema/?format=json"))
    paths = {path for path in schema["paths"] if path.startswith(API)}
    assert paths == {
        f"{API}contents/",
        f"{API}draws/",
        f"{API}draws/{{id}}/",
        f"{API}reports/",
        f"{API}plans/",
        f"{API}plans/{{id}}/",
        f"{API}plans/{{id}}/transitions/",
        f"{API}visits/{{id}}/",
        f"{API}problems/",
        f"{API}problems/{{id}}/",
        f"{API}notices/",
        f"{API}notices/{{id}}/",
        f"{API}notices/{{id}}/transitions/",
    }
    public = {f"{API}contents/", f"{API}draws/", f"{API}draws/{{id}}/", f"{API}reports/"}
    for path in paths:
        for method, operation in schema["paths"][path].items():
            expected = [{}] if path in public else [{"cookieAuth": []}]
            assert operation["security"] == expected, (method, path)
            assert operation["summary"], (method, path)
