"""The API of the adjustment procedure (issue 4 §8): the requests and their transitions under
/api/v1/ with the same permission rules as the pages, and the public announcements. Every
change goes through the transitions endpoint as the actor whose turn it is; a refusal answers
in the API's error format and changes nothing; the number of queries does not grow with the
data."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS

from adjustments import services
from adjustments.api.views import PERFORMERS
from adjustments.choices import RequestState, ReviewConclusion, StepKind, TriggerKind
from adjustments.models import AdjustmentRequest, Attachment, RequestEvent
from core import services as core_services
from core.choices import Role
from registry import selectors as registry_selectors
from tests import registry_builders
from tests.adjustment_builders import (
    at,
    draft_of,
    published_entry,
    request_for,
    walk_to_publication,
    walk_to_review,
)
from tests.api_helpers import as_user, count_queries, error_of

REQUESTS = "/api/v1/adjustments/"
ANNOUNCEMENTS = "/api/v1/announcements/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
EVENT_DAY = datetime.date(2026, 9, 28)


def detail_url(number: str) -> str:
    return f"{REQUESTS}{number}/"


def transitions_url(number: str) -> str:
    return f"{REQUESTS}{number}/transitions/"


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def perform(client: Client, number: str, transition: str, **parameters):
    return client.post(
        transitions_url(number),
        {"transition": transition, **parameters},
        content_type="application/json",
        **ENGLISH,
    )


def performed(client: Client, number: str, transition: str, **parameters) -> dict:
    response = perform(client, number, transition, **parameters)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def frozen(calendar):
    """Tuesday 2026-09-29, 10:00 Shanghai: every deadline falls in the confirmed 2026."""
    with time_machine.travel(at(2026, 9, 29), tick=False) as traveller:
        yield traveller


def entry_of(org, number: int, *, district: bool = False, **overrides):
    """A published power item of the salt bureau with basic code 07<number>000."""
    return published_entry(
        org,
        district=district,
        basic_code=f"07{number:05d}000",
        name=f"食盐事项{number}",
        **overrides,
    )


def filed(org, number: int, *, district: bool = False, **kwargs) -> AdjustmentRequest:
    """A drafting request of the salt bureau proposing a change of its own entry."""
    return request_for(
        org,
        district=district,
        event_date=kwargs.pop("event_date", EVENT_DAY),
        entry=entry_of(org, number, district=district),
        **kwargs,
    )


def other_clerk(org):
    """A clerk of another city department (市编办), with a request of its own."""
    return core_services.user_create(
        actor=None,
        username="city-clerk-establishment",
        password="pw-clerk",
        role=Role.CLERK,
        jurisdiction=org.city,
        department=org.departments["establishment"],
        email="city-clerk-establishment@example.invalid",
    )


# --- URLs and the schema -----------------------------------------------------------------------


def test_the_urls_are_named():
    assert reverse("adjustments-api:requests") == REQUESTS
    assert reverse("adjustments-api:request", kwargs={"number": "TZ2026-410100-0001"}) == (
        "/api/v1/adjustments/TZ2026-410100-0001/"
    )
    assert reverse("adjustments-api:transitions", kwargs={"number": "TZ2026-410100-0001"}) == (
        "/api/v1/adjustments/TZ2026-410100-0001/transitions/"
    )
    assert reverse("adjustments-api:announcements") == ANNOUNCEMENTS


def test_the_schema_documents_the_adjustment_endpoints(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    listing = paths[REQUESTS]
    assert {p["name"] for p in listing["get"]["parameters"]} >= {
        "state",
        "department",
        "trigger",
        "overdue",
        "q",
        "page",
        "page_size",
    }
    assert listing["get"]["tags"] == ["adjustments"]
    assert set(listing["post"]["responses"]) >= {"201", "400", "403"}
    create = listing["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert create.endswith("/AdjustmentRequestCreate")
    detail = paths["/api/v1/adjustments/{number}/"]["get"]
    assert set(detail["responses"]) >= {"200", "404"}
    transitions = paths["/api/v1/adjustments/{number}/transitions/"]
    assert set(transitions) >= {"get", "post"}
    assert set(transitions["post"]["responses"]) >= {"200", "400", "404", "409"}
    assert set(transitions["post"]["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    body = schema["components"]["schemas"]["AdjustmentTransition"]
    assert set(body["discriminator"]["mapping"]) == {str(name) for name in PERFORMERS}
    assert paths[ANNOUNCEMENTS]["get"]["tags"] == ["adjustments"]
    for path in (REQUESTS, "/api/v1/adjustments/{number}/", ANNOUNCEMENTS):
        assert all(op["tags"] == ["adjustments"] for op in paths[path].values())


def test_the_schema_generates_without_warnings(db, tmp_path):
    GENERATOR_STATS.reset()
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yml"))
    assert "/api/v1/adjustments/{number}/transitions/" in (tmp_path / "s.yml").read_text()


def test_options_describe_the_endpoints(org, frozen):
    number = filed(org, 1).number
    client = as_user(org.users[Role.CLERK])
    for url in (REQUESTS, detail_url(number), transitions_url(number), ANNOUNCEMENTS):
        response = client.options(url)
        assert response.status_code == 200, (url, response.content)
    actions = client.options(REQUESTS).json()["actions"]["POST"]
    assert {"trigger", "event_date", "drafts", "submit"} <= set(actions)


def test_every_transition_of_the_services_has_a_performer():
    """One service performs each declared transition, and the API takes each one."""
    assert set(services.PERFORM) == set(services.TRANSITIONS)
    assert set(PERFORMERS) == set(services.TRANSITIONS)


# --- who sees which requests --------------------------------------------------------------------


@pytest.fixture
def spread(org, frozen):
    """A city request still drafting, a city request forwarded to 法制办, a request of another
    city department and a district request."""
    drafting = filed(org, 1)
    forwarded = walk_to_review(org, filed(org, 2))
    clerk = other_clerk(org)
    elsewhere = services.adjustment_create(
        actor=clerk,
        trigger=TriggerKind.INSTITUTIONAL,
        event_date=EVENT_DAY,
        summary="编办职能调整",
    )
    district = filed(org, 3, district=True)
    return {
        "drafting": drafting.number,
        "forwarded": forwarded.number,
        "elsewhere": elsewhere.number,
        "district": district.number,
        "other_clerk": clerk,
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("city-clerk", {"drafting", "forwarded"}),
        ("other_clerk", {"elsewhere"}),
        ("city-office", {"drafting", "forwarded", "elsewhere", "district"}),
        ("city-supervisor", {"drafting", "forwarded", "elsewhere", "district"}),
        ("city-administrator", {"drafting", "forwarded", "elsewhere", "district"}),
        ("district-office", {"district"}),
        ("district-clerk", {"district"}),
        ("city-reviewer", {"forwarded"}),
        ("district-reviewer", set()),
        ("city-digital", set()),
    ],
)
def test_each_role_lists_the_requests_it_may_see(org, spread, who, expected):
    if who == "other_clerk":
        user = spread["other_clerk"]
    else:
        place, role = who.split("-")
        user = (org.users if place == "city" else org.district_users)[role]
    client = as_user(user)
    assert numbers(client.get(REQUESTS)) == {spread[key] for key in expected}
    for key in ("drafting", "forwarded", "elsewhere", "district"):
        response = client.get(detail_url(spread[key]))
        if key in expected:
            assert response.status_code == 200, (who, key)
            assert response.json()["number"] == spread[key]
        else:
            assert error_of(response, 404)["code"] == "not_found", (who, key)


def test_the_public_gets_403_in_the_error_format(client, spread):
    for url in (
        REQUESTS,
        detail_url(spread["drafting"]),
        transitions_url(spread["drafting"]),
    ):
        assert error_of(client.get(url), 403)["code"] == "not_authenticated", url
    response = perform(client, spread["drafting"], "submit")
    assert error_of(response, 403)["code"] == "not_authenticated"


def test_a_list_row(org, frozen):
    request = services.adjustment_submit(actor=org.users[Role.CLERK], request=filed(org, 1))
    (row,) = as_user(org.users[Role.OFFICE]).get(REQUESTS).json()["results"]
    assert row["number"] == request.number
    assert row["url"] == detail_url(request.number)
    assert row["page_url"] == reverse("adjustments:detail", args=[request.number])
    assert (row["state"], row["path"], row["trigger"]) == ("submitted", "standard", "internal")
    assert row["state_label"] and row["trigger_label"] and row["path_label"]
    assert row["jurisdiction"] == {"code": "410100", "name": "郑州市"}
    assert row["department"] == {"id": org.departments["salt"].pk, "name": "市盐业管理局"}
    assert row["event_date"] == "2026-09-28"
    assert row["summary"] == "调整食盐批发许可的承诺时限"
    assert row["submitted_at"].startswith("2026-09-29T10:00:00")
    assert row["published_at"] is None
    (step,) = row["open_steps"]
    assert step["kind"] == "forward"
    assert step["department"] == {"id": org.departments["office"].pk, "name": "市改革办"}
    # Two working days from 09-29: 09-30 and, after National Day, 10-08.
    assert step["due_at"].startswith("2026-10-08T23:59:59")
    assert (step["due_confirmed"], step["overdue"], step["clock_stopped"]) == (True, False, False)


# --- filters -------------------------------------------------------------------------------------


@pytest.fixture
def varied(org, frozen):
    late = filed(org, 1, event_date=datetime.date(2026, 8, 3), summary="逾期未报的调整")
    submitted = services.adjustment_submit(actor=org.users[Role.CLERK], request=filed(org, 2))
    law = filed(
        org,
        3,
        trigger=TriggerKind.LAW_CHANGED,
        law=registry_builders.law(),
        summary="依法修改",
    )
    district = filed(org, 4, district=True)
    return {"late": late, "submitted": submitted, "law": law, "district": district}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"late", "submitted", "law", "district"}),
        ({"state": "submitted"}, {"submitted"}),
        ({"state": "drafting"}, {"late", "law", "district"}),
        ({"trigger": "law_changed"}, {"law"}),
        ({"overdue": "true"}, {"late"}),
        ({"overdue": "false"}, {"submitted", "law", "district"}),
        ({"q": "逾期"}, {"late"}),
        ({"q": "410106"}, {"district"}),
        ({"state": "drafting", "trigger": "internal"}, {"late", "district"}),
    ],
)
def test_each_filter(org, varied, params, expected):
    client = as_user(org.users[Role.OFFICE])
    assert numbers(client.get(REQUESTS, params)) == {varied[key].number for key in expected}


def test_the_department_filter_and_bad_parameters(org, varied):
    client = as_user(org.users[Role.OFFICE])
    district = org.district_departments["salt"]
    assert numbers(client.get(REQUESTS, {"department": district.pk})) == {varied["district"].number}
    for params, name in (({"state": "lost"}, "state"), ({"department": "salt"}, "department")):
        error = error_of(client.get(REQUESTS, params), 400)
        assert list(error["fields"]) == [name]


def test_the_list_is_paginated(org, varied):
    body = as_user(org.users[Role.OFFICE]).get(REQUESTS, {"page_size": 3}).json()
    assert body["count"] == 4
    assert len(body["results"]) == 3
    assert "page=2" in body["next"]


# --- creating a request --------------------------------------------------------------------------


def create(client: Client, **data):
    return client.post(REQUESTS, data, content_type="application/json", **ENGLISH)


def test_a_clerk_creates_a_request(org, frozen):
    clerk = org.users[Role.CLERK]
    draft = draft_of(entry_of(org, 1), clerk, promised_limit_days=5)
    response = create(
        as_user(clerk),
        trigger="internal",
        event_date="2026-09-28",
        summary="缩短承诺时限",
        reason="流程优化。",
        drafts=[draft.pk],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    request = AdjustmentRequest.objects.get(number=body["number"])
    assert body["number"] == "TZ2026-410100-0001"
    assert (body["state"], body["summary"], body["reason"]) == (
        "drafting",
        "缩短承诺时限",
        "流程优化。",
    )
    assert request.created_by == clerk
    (item,) = body["items"]
    assert (item["draft"], item["change"], item["name"]) == (draft.pk, "modify", "食盐事项1")
    assert [step["kind"] for step in body["open_steps"]] == ["apply"]
    assert set(body["available_transitions"]) >= {"update", "submit", "withdraw"}
    assert [event["transition"] for event in body["events"]] == ["create"]


def test_a_clerk_creates_and_submits_at_once(org, frozen):
    clerk = org.users[Role.CLERK]
    law = registry_builders.law()
    draft = draft_of(entry_of(org, 1), clerk, promised_limit_days=5)
    body = create(
        as_user(clerk),
        trigger="law_changed",
        event_date="2026-09-28",
        summary="依法修改",
        law=law.pk,
        drafts=[draft.pk],
        submit=True,
    ).json()
    assert body["state"] == "submitted"
    assert body["law"] == {"id": law.pk, "name": law.name}
    assert [event["transition"] for event in body["events"]] == ["create", "submit"]
    assert [step["kind"] for step in body["open_steps"]] == ["forward"]


def test_a_refused_creation_is_a_400_with_the_services_message(org, frozen):
    client = as_user(org.users[Role.CLERK])
    error = error_of(
        create(client, trigger="law_changed", event_date="2026-09-28", summary="缺少法律"), 400
    )
    assert error["code"] == "refused"
    assert error["message"].startswith("A change of law names the law")
    assert "fields" not in error
    # Submitting at once a request with nothing to propose: neither is kept.
    error = error_of(
        create(client, trigger="internal", event_date="2026-09-28", summary="空", submit=True), 400
    )
    assert error["message"] == "Add at least one proposed change (a draft) to the request."
    assert not AdjustmentRequest.objects.exists()


def test_invalid_fields_of_a_new_request(org, frozen):
    other = draft_of(entry_of(org, 1, district=True), org.district_users[Role.CLERK])
    error = error_of(
        create(
            as_user(org.users[Role.CLERK]),
            trigger="sudden",
            event_date="28/09/2026",
            summary="",
            law=999999,
            drafts=[other.pk],
        ),
        400,
    )
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"trigger", "event_date", "summary", "law", "drafts"}
    assert str(other.pk) in error["fields"]["drafts"][0]
    assert not AdjustmentRequest.objects.exists()


def test_a_request_with_documents_is_created_as_multipart(org, frozen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = org.users[Role.CLERK]
    drafts = [draft_of(entry_of(org, n), clerk, promised_limit_days=5).pk for n in (1, 2)]
    response = as_user(clerk).post(
        REQUESTS,
        {
            "trigger": "institutional",
            "event_date": "2026-09-28",
            "summary": "机构改革",
            "drafts": drafts,
            "files": [SimpleUploadedFile("三定方案.pdf", b"%PDF-1.4 x")],
            "submit": "true",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "submitted"
    assert [item["draft"] for item in body["items"]] == drafts
    assert [a["name"] for a in body["events"][0]["attachments"]] == ["三定方案.pdf"]


@pytest.mark.parametrize("role", [Role.OFFICE, Role.REVIEWER, Role.DIGITAL, Role.SUPERVISOR])
def test_only_clerks_create_requests(org, frozen, role):
    response = create(
        as_user(org.users[role]), trigger="internal", event_date="2026-09-28", summary="越权"
    )
    assert error_of(response, 403)["code"] == "permission_denied"
    assert not AdjustmentRequest.objects.exists()


# --- the detail ----------------------------------------------------------------------------------


def test_the_detail(org, frozen):
    request = walk_to_review(org, filed(org, 1))
    body = as_user(org.users[Role.OFFICE]).get(detail_url(request.number)).json()
    assert (body["origin"], body["law"], body["reason"]) == (
        "department",
        None,
        "流程优化，缩短承诺时限。",
    )
    assert body["policy"]["apply_days"] == 10 and body["policy"]["review_days"] == 5
    assert body["transitions_url"] == transitions_url(request.number)
    (item,) = body["items"]
    assert item["entry"] == request.items.get().entry.code
    assert item["version"] is None
    (changed,) = item["changed"]
    assert (changed["name"], changed["old"], changed["new"]) == (
        "promised_limit_days",
        ["10"],
        ["5"],
    )
    assert changed["label"]
    assert [(s["kind"], s["outcome"]) for s in body["steps"]] == [
        ("apply", "done"),
        ("forward", "done"),
        ("review", ""),
        ("joint_notice", ""),
    ]
    review = body["steps"][-2]
    assert body["steps"][-1]["due_at"] and body["steps"][-1]["confirm_due_at"] is None
    assert review["department"]["name"] == "市法制办"
    assert review["primary"] is True
    # Five working days from 09-29: 09-30, 10-08, 10-09, Saturday 10-10 (make-up), 10-12.
    assert review["due_at"].startswith("2026-10-12T23:59:59")
    assert review["finished_at"] is None and review["finished_by"] is None
    assert body["steps"][1]["finished_by"] == "city-office"
    assert body["steps"][1]["opinion"] == "请法制办审核。"
    assert [
        (e["transition"], e["from_state"], e["to_state"], e["actor"]) for e in body["events"]
    ] == [
        ("create", "", "drafting", "city-clerk"),
        ("submit", "drafting", "submitted", "city-clerk"),
        ("forward", "submitted", "reviewing", "city-office"),
    ]
    # The office has no step open now; the reviewer has.
    assert body["available_transitions"] == []
    reviewer = as_user(org.users[Role.REVIEWER]).get(detail_url(request.number)).json()
    assert set(reviewer["available_transitions"]) == {"review", "joint_request", "joint_decline"}


def test_a_return_stops_the_office_clock(org, frozen):
    clerk, office = as_user(org.users[Role.CLERK]), as_user(org.users[Role.OFFICE])
    request = services.adjustment_submit(actor=org.users[Role.CLERK], request=filed(org, 1))
    body = performed(office, request.number, "return", reason="请补充依据。")
    assert body["state"] == "supplement"
    forward = next(s for s in body["steps"] if s["kind"] == "forward")
    assert forward["clock_stopped"] is True and forward["due_at"] is None
    (stop,) = forward["clock_stops"]
    assert stop["restarted_at"] is None and stop["reason"] == "请补充依据。"
    row = clerk.get(REQUESTS).json()["results"][0]
    assert {(s["kind"], s["clock_stopped"]) for s in row["open_steps"]} == {
        ("forward", True),
        ("supplement", False),
    }
    body = performed(clerk, request.number, "resubmit", note="已补充。")
    forward = next(s for s in body["steps"] if s["kind"] == "forward")
    assert forward["clock_stopped"] is False and forward["due_at"]
    assert forward["clock_stops"][0]["restarted_at"]


# --- the transitions --------------------------------------------------------------------------


def test_the_full_standard_walk_through_the_transitions_endpoint(org, frozen):
    """Seed 004 三(三): apply, forward, review, confirm, publish, each by its own actor."""
    users = org.users
    clerk, office = as_user(users[Role.CLERK]), as_user(users[Role.OFFICE])
    reviewer, digital = as_user(users[Role.REVIEWER]), as_user(users[Role.DIGITAL])
    entry = entry_of(org, 1)
    draft = draft_of(entry, users[Role.CLERK], promised_limit_days=5)
    number = create(
        clerk, trigger="internal", event_date="2026-09-28", summary="缩短时限", drafts=[draft.pk]
    ).json()["number"]

    assert performed(clerk, number, "submit")["state"] == "submitted"
    offered = office.get(transitions_url(number)).json()
    assert offered["state"] == "submitted"
    forward = next(t for t in offered["transitions"] if t["transition"] == "forward")
    reviewers = next(p for p in forward["parameters"] if p["name"] == "reviewers")
    assert (reviewers["type"], reviewers["required"]) == ("department_ids", True)
    assert org.departments["legal"].pk in {choice["value"] for choice in reviewers["choices"]}
    assert {t["transition"] for t in offered["transitions"]} == {"forward", "return", "reject"}

    legal = org.departments["legal"].pk
    body = performed(office, number, "forward", reviewers=[legal], opinion="请审核。")
    assert body["state"] == "reviewing"
    offered = reviewer.get(transitions_url(number)).json()["transitions"]
    review = next(t for t in offered if t["transition"] == "review")
    conclusion = next(p for p in review["parameters"] if p["name"] == "conclusion")
    assert {c["value"] for c in conclusion["choices"]} == set(ReviewConclusion.values)
    body = performed(reviewer, number, "review", conclusion="agreed", opinion="同意。")
    assert body["state"] == "approving"
    assert performed(office, number, "approve", opinion="同意调整。")["state"] == "confirming"
    assert performed(clerk, number, "confirm")["state"] == "digital_forward"
    assert performed(office, number, "digital_forward")["state"] == "publishing"
    body = performed(digital, number, "publish", note="已配入政务服务网。")
    assert body["state"] == "published"
    assert body["published_at"].startswith("2026-09-29T10:00:00")
    assert body["items"][0]["version"] == 2

    published = registry_selectors.published_entries(user=None).get(code=entry.code)
    assert (published.version, published.promised_limit_days) == (2, 5)
    assert published.history.latest().change_reference == number

    assert performed(clerk, number, "site_update")["state"] == "completed"
    events = clerk.get(detail_url(number)).json()["events"]
    assert [(e["transition"], e["actor"]) for e in events] == [
        ("create", "city-clerk"),
        ("submit", "city-clerk"),
        ("forward", "city-office"),
        ("review", "city-reviewer"),
        ("approve", "city-office"),
        ("confirm", "city-clerk"),
        ("digital_forward", "city-office"),
        ("publish", "city-digital"),
        ("site_update", "city-clerk"),
    ]
    assert clerk.get(transitions_url(number)).json()["transitions"] == []


def test_a_joint_review_an_objection_and_a_rereview(org, frozen):
    """Seed 004 三(三)3 and 5: the primary reviewer asks for a joint review; the office convenes
    it; after the approval opinion the department objects and the reviewers re-review."""
    users, departments = org.users, org.departments
    office, reviewer, clerk = (as_user(users[r]) for r in (Role.OFFICE, Role.REVIEWER, Role.CLERK))
    number = walk_to_review(org, filed(org, 1), reviewers=("legal", "establishment")).number
    establishment = departments["establishment"].pk
    body = performed(reviewer, number, "joint_request", departments=[establishment], reason="交叉")
    assert body["state"] == "joint_review"
    offered = office.get(transitions_url(number)).json()["transitions"]
    convene = next(t for t in offered if t["transition"] == "joint_convene")
    participants = next(p for p in convene["parameters"] if p["name"] == "participants")
    assert departments["salt"].pk in {c["value"] for c in participants["choices"]}
    performed(
        office,
        number,
        "joint_convene",
        meeting_at="2026-09-30T09:30:00",
        place="市政务服务中心三楼",
        participants=[departments["legal"].pk, establishment, departments["salt"].pk],
    )
    steps = office.get(detail_url(number)).json()["steps"]
    step = next(s for s in steps if s["kind"] == "joint_review")
    assert step["finished_at"] is None
    body = performed(office, number, "joint_conclude", conclusion="agreed", opinion="会审同意。")
    assert body["state"] == "approving"
    performed(office, number, "approve", opinion="同意。")
    confirm = next(
        s for s in office.get(detail_url(number)).json()["steps"] if s["kind"] == "confirm"
    )
    # Seed 004 三(三)4–5: confirmation by the first working day, an objection by the second.
    assert confirm["confirm_due_at"] < confirm["due_at"]
    assert performed(clerk, number, "object", reason="时限过短。")["state"] == "objected"
    offered = office.get(transitions_url(number)).json()["transitions"]
    sent = next(t for t in offered if t["transition"] == "objection_forward")
    assert [p["name"] for p in sent["parameters"]][:1] == ["reviewers"]
    assert performed(office, number, "objection_forward", opinion="请复审。")["state"] == (
        "rereview"
    )
    body = performed(reviewer, number, "rereview", conclusion="agreed_with_changes", opinion="可")
    assert body["state"] == "rereview"  # 编办 has not answered yet
    meeting = (
        AdjustmentRequest.objects.get(number=number)
        .steps.get(kind=StepKind.JOINT_REVIEW)
        .detail["meeting"]
    )
    assert meeting["at"].startswith("2026-09-30T09:30:00+08:00")


def test_a_refused_transition_is_a_409_and_changes_nothing(org, frozen):
    request = services.adjustment_submit(actor=org.users[Role.CLERK], request=filed(org, 1))
    events = RequestEvent.objects.count()
    reviewer = as_user(org.users[Role.REVIEWER])
    # Not the reviewer's turn (the office forwards), and it cannot even see the request.
    assert error_of(perform(reviewer, request.number, "forward", reviewers=[1]), 404)
    # The wrong actor: the clerk cannot forward.
    clerk = as_user(org.users[Role.CLERK])
    error = error_of(
        perform(clerk, request.number, "forward", reviewers=[org.departments["legal"].pk]), 409
    )
    assert error["code"] == "conflict"
    assert error["message"] == (
        f"“Forwarded to lead review” is not yours to do: request {request.number} is waiting "
        "on 市改革办."
    )
    # The wrong state: nothing to approve yet.
    office = as_user(org.users[Role.OFFICE])
    error = error_of(perform(office, request.number, "approve", opinion="同意。"), 409)
    assert error["message"] == (
        f"“Approval opinion issued” is not possible: request {request.number} is Waiting to be "
        "forwarded."
    )
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED
    assert RequestEvent.objects.count() == events


def test_a_user_who_cannot_see_the_request_gets_404(org, frozen):
    request = filed(org, 1)
    district_office = as_user(org.district_users[Role.OFFICE])
    assert error_of(district_office.get(transitions_url(request.number)), 404)
    assert error_of(perform(district_office, request.number, "withdraw", reason="x"), 404)
    assert error_of(as_user(org.users[Role.CLERK]).get(transitions_url("TZ1-1-1")), 404)


@pytest.mark.parametrize(
    ("parameters", "fields"),
    [
        ({"transition": "fly"}, {"transition"}),
        ({"transition": "create"}, {"transition"}),
        ({}, {"transition"}),
        ({"transition": "forward"}, {"reviewers"}),
        ({"transition": "forward", "reviewers": []}, {"reviewers"}),
        ({"transition": "forward", "reviewers": [999999]}, {"reviewers"}),
        ({"transition": "forward", "reviewers": ["法制办"]}, {"reviewers.0"}),
        ({"transition": "return", "reason": "  "}, {"reason"}),
        ({"transition": "extend", "days": "many", "reason": "x"}, {"days"}),
        ({"transition": "review", "conclusion": "maybe", "opinion": ""}, {"conclusion", "opinion"}),
        (
            {"transition": "joint_convene", "meeting_at": "next week"},
            {"meeting_at", "place", "participants"},
        ),
        (
            {"transition": "meeting", "meeting_date": "1/9/2026"},
            {"approved", "meeting_date", "session"},
        ),
    ],
)
def test_invalid_parameters_are_a_400(org, frozen, parameters, fields):
    request = services.adjustment_submit(actor=org.users[Role.CLERK], request=filed(org, 1))
    response = as_user(org.users[Role.OFFICE]).post(
        transitions_url(request.number), parameters, content_type="application/json"
    )
    error = error_of(response, 400)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == fields
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED


def test_files_go_with_a_transition_as_multipart(org, frozen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    request = filed(org, 1)
    clerk = as_user(org.users[Role.CLERK])
    refused = clerk.post(
        transitions_url(request.number),
        {"transition": "submit", "files": [SimpleUploadedFile("run.exe", b"MZ")]},
    )
    assert list(error_of(refused, 400)["fields"]) == ["files"]
    response = clerk.post(
        transitions_url(request.number),
        {
            "transition": "submit",
            "files": [
                SimpleUploadedFile("依据.pdf", b"%PDF-1.4 test"),
                SimpleUploadedFile("说明.txt", "说明".encode()),
            ],
        },
    )
    assert response.status_code == 200, response.content
    submit = response.json()["events"][-1]
    assert submit["transition"] == "submit"
    saved = {a.name: a.pk for a in Attachment.objects.filter(request=request)}
    assert [(a["name"], a["url"]) for a in submit["attachments"]] == [
        (name, reverse("adjustments:attachment", args=[request.number, pk]))
        for name, pk in saved.items()
    ]
    assert set(saved) == {"依据.pdf", "说明.txt"}
    # Form fields: repeated ids, and a yes/no that must be given.
    office = as_user(org.users[Role.OFFICE])
    legal, establishment = org.departments["legal"].pk, org.departments["establishment"].pk
    body = office.post(
        transitions_url(request.number),
        {"transition": "forward", "reviewers": [legal, establishment], "primary": establishment},
    ).json()
    reviews = [s for s in body["steps"] if s["kind"] == "review"]
    assert {(s["department"]["id"], s["primary"]) for s in reviews} == {
        (legal, False),
        (establishment, True),
    }


def test_an_extension_asked_and_granted(org, frozen):
    request = filed(org, 1)
    clerk, office = as_user(org.users[Role.CLERK]), as_user(org.users[Role.OFFICE])
    performed(clerk, request.number, "extension_request", days=20, reason="涉及多个处室。")
    offered = office.get(transitions_url(request.number)).json()["transitions"]
    assert [t["transition"] for t in offered] == ["extend"]
    assert {p["name"]: p["type"] for p in offered[0]["parameters"]} == {
        "reason": "string",
        "days": "integer",
    }
    body = performed(office, request.number, "extend", days=20, reason="同意延长。")
    (apply,) = body["open_steps"]
    assert apply["kind"] == "apply" and apply["due_at"] > "2026-10-15"
    error = error_of(perform(office, request.number, "extend", days=99, reason="x"), 400)
    assert list(error["fields"]) == ["days"]
    error = error_of(perform(office, request.number, "extend", days=40, reason="x"), 409)
    assert "at most 30" in error["message"]


def test_the_clerk_updates_and_withdraws_its_request(org, frozen):
    request = filed(org, 1)
    clerk = as_user(org.users[Role.CLERK])
    other = draft_of(entry_of(org, 2), org.users[Role.CLERK], promised_limit_days=3)
    offered = clerk.get(transitions_url(request.number)).json()["transitions"]
    update = next(t for t in offered if t["transition"] == "update")
    drafts = next(p for p in update["parameters"] if p["name"] == "drafts")
    current = request.items.get().draft_id
    assert {c["value"] for c in drafts["choices"]} == {current, other.pk}
    body = performed(
        clerk,
        request.number,
        "update",
        trigger="internal",
        event_date="2026-09-25",
        summary="改为两项",
        drafts=[current, other.pk],
    )
    assert body["summary"] == "改为两项" and body["event_date"] == "2026-09-25"
    assert [item["draft"] for item in body["items"]] == [current, other.pk]
    body = performed(clerk, request.number, "withdraw", reason="无需调整。")
    assert body["state"] == "withdrawn" and body["open_steps"] == []
    assert body["available_transitions"] == []


# --- the public announcements --------------------------------------------------------------------


def publish_one(org, number: int, *, extra_items: int = 0) -> AdjustmentRequest:
    """A request walked to publication by its actors through the services."""
    clerk = org.users[Role.CLERK]
    drafts = [
        draft_of(entry_of(org, number * 10 + n), clerk, promised_limit_days=4)
        for n in range(1 + extra_items)
    ]
    request = services.adjustment_create(
        actor=clerk,
        trigger=TriggerKind.SIMPLIFICATION,
        event_date=EVENT_DAY,
        summary=f"第{number}批调整",
        drafts=drafts,
    )
    return walk_to_publication(org, walk_to_review(org, request))


def test_announcements_show_published_adjustments_only(client, org, frozen):
    published = publish_one(org, 1)
    drafting = filed(org, 2)
    publishing = walk_to_review(org, filed(org, 3))
    people = org.users
    publishing = services.adjustment_review(
        actor=people[Role.REVIEWER], request=publishing, conclusion="agreed", opinion="同意"
    )
    publishing = services.adjustment_approve(
        actor=people[Role.OFFICE], request=publishing, opinion="同意"
    )
    publishing = services.adjustment_confirm(actor=people[Role.CLERK], request=publishing)
    publishing = services.adjustment_digital_forward(actor=people[Role.OFFICE], request=publishing)
    assert publishing.state == RequestState.PUBLISHING
    body = client.get(ANNOUNCEMENTS).json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["number"] == published.number
    assert row["number"] not in (drafting.number, publishing.number)
    assert row["page_url"] == reverse("adjustments:announcement", args=[published.number])
    assert row["jurisdiction"] == {"code": "410100", "name": "郑州市"}
    assert row["department"]["name"] == "市盐业管理局"
    assert (row["trigger"], row["summary"]) == ("simplification", "第1批调整")
    assert row["published_at"].startswith("2026-09-29")
    (item,) = row["items"]
    entry = published.items.get().entry
    assert item == {
        "change": "modify",
        "change_label": item["change_label"],
        "entry": entry.code,
        "name": entry.name,
        "version": 2,
    }
    # Staff read the same announcements: nothing of what is still under way.
    assert numbers(as_user(people[Role.OFFICE]).get(ANNOUNCEMENTS)) == {published.number}


# --- the number of queries does not grow with the data ----------------------------------------


def _grow_requests(org, start: int, count: int) -> None:
    """Requests in every early state: drafting, submitted, returned (a stopped clock), under
    review by two reviewers."""
    clerk, office = org.users[Role.CLERK], org.users[Role.OFFICE]
    for number in range(start, start + count):
        request = filed(org, number)
        kind = number % 4
        if kind == 0:
            continue
        request = services.adjustment_submit(actor=clerk, request=request)
        if kind == 2:
            services.adjustment_return(actor=office, request=request, reason="补正")
        elif kind == 3:
            services.adjustment_forward(
                actor=office,
                request=request,
                reviewers=[org.departments["legal"], org.departments["establishment"]],
            )


def test_list_queries_do_not_grow_with_the_data(org, frozen):
    office, clerk = as_user(org.users[Role.OFFICE]), as_user(org.users[Role.CLERK])
    _grow_requests(org, 1, 2)
    small = count_queries(office, REQUESTS)
    small_clerk = count_queries(clerk, REQUESTS)
    small_filtered = count_queries(office, REQUESTS, {"overdue": "false", "q": "TZ"})
    _grow_requests(org, 3, 10)
    assert office.get(REQUESTS).json()["count"] == 12
    assert count_queries(office, REQUESTS) == small
    assert count_queries(clerk, REQUESTS) == small_clerk
    assert count_queries(office, REQUESTS, {"overdue": "false", "q": "TZ"}) == small_filtered
    assert small <= 8


def _busy_request(org, start: int) -> AdjustmentRequest:
    """A request under review with four items, two reviewers, a return and a resubmission,
    and documents on its events."""
    clerk, office = org.users[Role.CLERK], org.users[Role.OFFICE]
    drafts = [
        draft_of(entry_of(org, start + n), clerk, promised_limit_days=3 + n) for n in range(4)
    ]
    request = services.adjustment_create(
        actor=clerk,
        trigger=TriggerKind.INTERNAL,
        event_date=EVENT_DAY,
        summary="多项调整",
        drafts=drafts,
        files=[SimpleUploadedFile("申请.pdf", b"%PDF-1.4 a")],
    )
    request = services.adjustment_submit(actor=clerk, request=request)
    request = services.adjustment_return(
        actor=office,
        request=request,
        reason="补正",
        files=[SimpleUploadedFile("意见.pdf", b"%PDF-1.4 b")],
    )
    request = services.adjustment_resubmit(actor=clerk, request=request, note="已补正")
    return services.adjustment_forward(
        actor=office,
        request=request,
        reviewers=[org.departments["legal"], org.departments["establishment"]],
        files=[SimpleUploadedFile("转办.pdf", b"%PDF-1.4 c")],
    )


def test_detail_queries_do_not_grow_with_items_steps_and_events(org, frozen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    office = as_user(org.users[Role.OFFICE])
    reviewer = as_user(org.users[Role.REVIEWER])
    small = walk_to_review(org, filed(org, 1))
    busy = _busy_request(org, 10)
    body = office.get(detail_url(busy.number)).json()
    assert (len(body["items"]), len(body["steps"]), len(body["events"])) == (4, 6, 5)
    assert sum(len(e["attachments"]) for e in body["events"]) == 3
    assert office.get(detail_url(small.number)).json()["state"] == body["state"]
    for client in (office, reviewer):
        assert count_queries(client, detail_url(busy.number)) == count_queries(
            client, detail_url(small.number)
        )
    assert count_queries(office, detail_url(busy.number)) <= 16


def test_announcement_queries_do_not_grow_with_the_data(client, org, frozen):
    publish_one(org, 1)
    publish_one(org, 2)
    small = count_queries(client, ANNOUNCEMENTS)
    for number in range(3, 6):
        publish_one(org, number, extra_items=2)
    assert client.get(ANNOUNCEMENTS).json()["count"] == 5
    assert count_queries(client, ANNOUNCEMENTS) == small
    assert small <= 3
