"""The API of complaints (issue 12 §1, §3, §12, §13) under /api/v1/ with the same permissions
as the pages: staff list the complaints they may see and read one in full (identity documents
masked), and act through the transitions endpoint as the one whose turn it is, a refusal
answered in the API's error format with nothing changed; anyone files a complaint (JSON, or
multipart with evidence; limited per client), follows it with its code and secret (wrong pairs
limited) and reads the statistics, and no public answer holds anyone's personal data. The
number of queries does not grow with the data."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from complaints import services
from complaints.api.serializers import PARAMETERS
from complaints.choices import (
    Channel,
    ComplainantKind,
    ComplaintState,
    Ground,
    IdType,
    Outcome,
    Rating,
    Transition,
)
from complaints.models import Complaint, Evidence
from core.choices import Role
from tests import complaint_builders as build
from tests.adjustment_builders import at, numbered_entry
from tests.api_helpers import as_user, count_queries, error_of
from tests.complaint_builders import travel

COMPLAINTS = "/api/v1/complaints/"
TRACK = "/api/v1/complaints/track/"
STATS = "/api/v1/complaints/stats/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NOW = at(2026, 9, 29)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
RESIDENT_ID = "11010519491231002X"
# Personal data no public answer may hold (issue 12, Done when: canary names and contacts).
CANARIES = {
    "name": "金丝雀甲",
    "phone": "13912345678",
    "email": "canary@example.invalid",
    "address": "金丝雀路99号",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def frozen(calendar):
    with travel(NOW) as traveller:
        yield traveller


def detail_url(code: str) -> str:
    return f"{COMPLAINTS}{code}/"


def transitions_url(code: str) -> str:
    return f"{COMPLAINTS}{code}/transitions/"


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def act(client: Client, code: str, action: str, **parameters):
    return client.post(
        transitions_url(code),
        {"action": action, **parameters},
        content_type="application/json",
        **ENGLISH,
    )


def acted(client: Client, code: str, action: str, **parameters) -> dict:
    response = act(client, code, action, **parameters)
    assert response.status_code == 200, response.content
    return response.json()


def new_complaint(**overrides) -> dict:
    return {
        "ground": Ground.FEE_BEYOND_LIST,
        "facts": "办理食盐批发许可时被收取审查费500元，清单中无此收费项目。",
        "complainant_kind": ComplainantKind.CITIZEN,
        **CANARIES,
        "truthful": True,
        **overrides,
    }


def file_json(client: Client, **data):
    return client.post(COMPLAINTS, data, content_type="application/json", **ENGLISH)


def in_person(org) -> Complaint:
    return services.complaint_record(
        actor=org.users[Role.OFFICE],
        channel=Channel.IN_PERSON,
        received_at=NOW - datetime.timedelta(hours=1),
        ground=Ground.NEEDLESS_FORMALITIES,
        facts="窗口要求提供不必要的证明。",
        complainant_kind=ComplainantKind.CITIZEN,
        department=org.departments["salt"],
        name=CANARIES["name"],
        phone=CANARIES["phone"],
        id_type=IdType.RESIDENT_ID,
        id_number=RESIDENT_ID,
        representatives=[
            {"name": "金丝雀乙", "id_type": IdType.PASSPORT, "id_number": "E12345678"},
        ],
    ).complaint


# --- URLs and the schema ----------------------------------------------------------------------


def test_the_urls_are_named():
    assert reverse("complaints-api:complaints") == COMPLAINTS
    assert reverse("complaints-api:track") == TRACK
    assert reverse("complaints-api:stats") == STATS
    assert reverse("complaints-api:complaint", kwargs={"code": "TS-A"}) == detail_url("TS-A")
    assert reverse("complaints-api:transitions", kwargs={"code": "TS-A"}) == transitions_url("TS-A")


def test_the_schema_documents_the_complaint_endpoints(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    listing = paths[COMPLAINTS]
    assert listing["get"]["security"] == [{"cookieAuth": []}]
    assert listing["post"]["security"] == [{}]
    assert {p["name"] for p in listing["get"]["parameters"]} >= {
        "code",
        "state",
        "channel",
        "ground",
        "department",
        "received_from",
        "received_to",
        "page",
    }
    assert set(listing["post"]["responses"]) >= {"201", "400", "429"}
    assert set(listing["post"]["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    assert set(paths[TRACK]["post"]["responses"]) >= {"200", "400", "404", "429"}
    assert paths[TRACK]["post"]["security"] == [{}]
    assert paths[STATS]["get"]["security"] == [{}]
    transitions = paths["/api/v1/complaints/{code}/transitions/"]
    assert set(transitions["post"]["responses"]) >= {"200", "400", "403", "404", "409"}
    body = schema["components"]["schemas"]["ComplaintAction"]
    assert set(body["discriminator"]["mapping"]) == set(PARAMETERS)
    assert all(
        op["tags"] == ["complaints"]
        for path in paths
        if "complaints" in path
        for op in paths[path].values()
    )


def test_every_staff_action_has_parameters_a_service_and_a_page_form():
    from complaints.views import ACTS

    assert set(PARAMETERS) == set(services.PERFORM) == set(ACTS)


# --- the list ---------------------------------------------------------------------------------


def test_each_role_lists_the_complaints_it_may_see(org, frozen):
    salt = build.file(org).complaint
    legal = build.file(org, department=org.departments["legal"], phone="13800000055").complaint
    district = build.file(
        org, department=org.district_departments["salt"], phone="13800000066"
    ).complaint
    seen = {
        Role.OFFICE: {salt.code, legal.code, district.code},
        Role.SUPERVISOR: {salt.code, legal.code, district.code},
        Role.ADMINISTRATOR: {salt.code, legal.code, district.code},
        Role.CLERK: {salt.code},
        Role.REVIEWER: set(),
        Role.DIGITAL: set(),
    }
    for role, expected in seen.items():
        assert codes(as_user(org.users[role]).get(COMPLAINTS)) == expected, role
    assert codes(as_user(org.district_users[Role.OFFICE]).get(COMPLAINTS)) == {district.code}
    error = error_of(Client().get(COMPLAINTS), 403)
    assert error["code"] == "not_authenticated" or error["code"] == "permission_denied"


def test_a_list_row_and_the_filters(org, frozen):
    received = build.file(org).complaint
    phoned = build.record(
        org, channel=Channel.PHONE, received_at=NOW - datetime.timedelta(days=3)
    ).complaint
    office = as_user(org.users[Role.OFFICE])
    body = office.get(COMPLAINTS, {"code": received.code.lower()}).json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["code"] == received.code
    assert row["state"] == ComplaintState.RECEIVED
    assert row["department"] == {"id": org.departments["salt"].pk, "name": "市盐业管理局"}
    assert row["page_url"] == reverse("complaints:detail", args=[received.code])
    [step] = row["open_steps"]
    assert step["kind"] == "accept" and step["department"]["name"] == "市改革办"
    assert step["due_at"].startswith("2026-10-14T23:59:59")
    # No personal data in the list.
    assert "王小明" not in json.dumps(body, ensure_ascii=False)
    assert codes(office.get(COMPLAINTS, {"channel": Channel.PHONE})) == {phoned.code}
    assert codes(office.get(COMPLAINTS, {"received_to": "2026-09-27"})) == {phoned.code}
    assert codes(office.get(COMPLAINTS, {"received_from": "2026-09-29"})) == {received.code}
    error = error_of(office.get(COMPLAINTS, {"state": "nonsense"}, **ENGLISH), 400)
    assert "state" in error["fields"]


def _grow(org, first: int, count: int) -> None:
    for number in range(first, first + count):
        filed = build.file(
            org, entries=[numbered_entry(org, number)], phone=f"138000002{number:02d}"
        )
        if number % 2:
            services.complaint_accept(actor=org.users[Role.OFFICE], complaint=filed.complaint)


def test_list_queries_do_not_grow_with_the_data(org, frozen):
    office, clerk = as_user(org.users[Role.OFFICE]), as_user(org.users[Role.CLERK])
    _grow(org, 0, 2)
    small = count_queries(office, COMPLAINTS)
    small_clerk = count_queries(clerk, COMPLAINTS)
    small_filtered = count_queries(office, COMPLAINTS, {"state": "handling", "code": "TS"})
    _grow(org, 2, 6)
    assert office.get(COMPLAINTS).json()["count"] == 8
    assert count_queries(office, COMPLAINTS) == small
    assert count_queries(clerk, COMPLAINTS) == small_clerk
    assert count_queries(office, COMPLAINTS, {"state": "handling", "code": "TS"}) == (
        small_filtered
    )


def test_the_list_is_paginated(org, frozen):
    _grow(org, 0, 3)
    body = as_user(org.users[Role.OFFICE]).get(COMPLAINTS, {"page_size": 2}).json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"]
    error_of(as_user(org.users[Role.OFFICE]).get(COMPLAINTS, {"page": 9}), 404)


# --- one complaint ------------------------------------------------------------------------------


def test_the_detail_masks_identity_documents(org, frozen):
    complaint = in_person(org)
    body = as_user(org.users[Role.CLERK]).get(detail_url(complaint.code)).json()
    assert body["complainant"]["name"] == CANARIES["name"]
    assert body["complainant"]["id_type"] == IdType.RESIDENT_ID
    assert body["complainant"]["id_number_masked"] == complaint.id_number_masked
    assert body["representatives"] == [
        {
            "name": "金丝雀乙",
            "id_type": IdType.PASSPORT,
            "id_number_masked": "E******78",
            "phone": "",
        }
    ]
    text = json.dumps(body, ensure_ascii=False)
    assert RESIDENT_ID not in text and "E12345678" not in text
    assert "secret" not in text


def test_the_detail(org, frozen):
    entry = numbered_entry(org, 1, name="食盐批发许可")
    upload = SimpleUploadedFile("凭证.pdf", PDF)
    complaint = build.accepted(org, entries=[entry], files=[upload])
    office = as_user(org.users[Role.OFFICE])
    body = office.get(detail_url(complaint.code)).json()
    assert body["state"] == ComplaintState.HANDLING
    assert body["responsible"]["name"] == "市盐业管理局"
    [item] = body["items"]
    assert item["code"] == entry.code and item["version"] == entry.version
    assert item["url"] == f"/items/{entry.code}/?as_of=2026-09-29"
    [evidence] = body["evidence"]
    assert evidence["name"] == "凭证.pdf"
    assert evidence["url"] == reverse("complaints:evidence", args=[evidence["id"]])
    assert [step["kind"] for step in body["steps"]] == ["accept", "handle"]
    assert body["steps"][0]["holders"] == [] and body["steps"][0]["finished_by"] == "city-office"
    assert body["steps"][1]["holders"] == ["city-clerk"]
    assert [event["transition"] for event in body["events"]] == ["file", "accept"]
    assert body["events"][0]["actor"] is None
    assert body["available"] == ["extend", "stand_aside"]
    assert body["transitions_url"] == transitions_url(complaint.code)
    clerk = as_user(org.users[Role.CLERK]).get(detail_url(complaint.code)).json()
    assert clerk["available"] == ["answer", "decline", "stand_aside"]


def test_a_complaint_the_user_may_not_see_is_not_found(org, frozen):
    complaint = build.file(org).complaint
    for user in (org.users[Role.REVIEWER], org.district_users[Role.OFFICE]):
        client = as_user(user)
        error_of(client.get(detail_url(complaint.code)), 404)
        error_of(client.get(transitions_url(complaint.code)), 404)
        error_of(act(client, complaint.code, "accept"), 404)
    error_of(Client().get(detail_url(complaint.code)), 403)
    error_of(act(Client(), complaint.code, "accept"), 403)
    assert Complaint.objects.get(pk=complaint.pk).state == ComplaintState.RECEIVED


def test_detail_queries_do_not_grow_with_items_steps_and_events(org, frozen):
    office = as_user(org.users[Role.OFFICE])
    small = build.accepted(org, entries=[numbered_entry(org, 1)])
    # Both extended: an extension already granted takes "extend" off the panel, and with it
    # the one query that asks whether the user may grant it.
    small = services.complaint_extend(
        actor=org.users[Role.OFFICE], complaint=small, days=10, reason="需进一步调查。"
    )
    entries = [numbered_entry(org, number) for number in range(2, 6)]
    busy = build.accepted(
        org,
        entries=entries,
        phone="13800000099",
        files=[SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(3)],
    )
    busy = services.complaint_extend(
        actor=org.users[Role.OFFICE], complaint=busy, days=10, reason="需进一步调查。"
    )
    busy = services.complaint_answer(actor=org.users[Role.CLERK], complaint=busy, answer="已核实。")
    busy = services.complaint_return(actor=org.users[Role.OFFICE], complaint=busy, reasons="补充。")
    body = office.get(detail_url(busy.code)).json()
    assert (len(body["items"]), len(body["steps"]), len(body["events"])) == (4, 4, 5)
    assert len(body["evidence"]) == 3
    assert count_queries(office, detail_url(busy.code)) == count_queries(
        office, detail_url(small.code)
    )


# --- the staff's actions ------------------------------------------------------------------------


def test_the_transitions_endpoint_lists_what_the_user_may_do(org, frozen):
    earlier = build.closed(org).complaint
    complaint = build.file(org).complaint
    body = as_user(org.users[Role.OFFICE]).get(transitions_url(complaint.code)).json()
    assert body["code"] == complaint.code and body["state"] == ComplaintState.RECEIVED
    actions = {row["action"]: row for row in body["actions"]}
    assert list(actions) == ["accept", "refuse", "transfer", "merge", "stand_aside"]
    refuse = {row["name"]: row for row in actions["refuse"]["parameters"]}
    assert refuse["ground"]["type"] == "choice" and refuse["reason"]["required"]
    assert [c["value"] for c in refuse["repeat_of"]["choices"]] == [earlier.code]
    accept = {row["name"]: row for row in actions["accept"]["parameters"]}
    assert accept["responsible"]["type"] == "department_id"
    assert org.departments["salt"].pk in [c["value"] for c in accept["responsible"]["choices"]]
    clerk = as_user(org.users[Role.CLERK]).get(transitions_url(complaint.code)).json()
    assert [row["action"] for row in clerk["actions"]] == ["stand_aside"]


def test_the_whole_handling_through_the_transitions_endpoint(org, frozen):
    entry = numbered_entry(org, 7)
    complaint = build.file(org, entries=[entry]).complaint
    office, clerk = as_user(org.users[Role.OFFICE]), as_user(org.users[Role.CLERK])
    body = acted(office, complaint.code, "accept", opinion="予以受理。")
    assert body["state"] == ComplaintState.HANDLING
    # "Not ours" naming no body is refused with the service's message, nothing changed.
    error = error_of(act(clerk, complaint.code, "decline", reason="不属本局职责。"), 409)
    assert error["code"] == "conflict"
    assert error["message"] == (
        "Name the body that is responsible: a complaint cannot be declined without it."
    )
    legal = org.departments["legal"]
    body = acted(clerk, complaint.code, "decline", responsible=legal.pk, reason="属法制办。")
    assert body["state"] == ComplaintState.REASSIGNING
    body = acted(office, complaint.code, "reassign", responsible=legal.pk, reason="转法制办。")
    assert body["state"] == ComplaintState.HANDLING and body["responsible"]["id"] == legal.pk
    # The office takes it back to the salt bureau after all: not its turn now.
    error_of(act(office, complaint.code, "answer", answer="代为答复。"), 409)
    body = acted(office, complaint.code, "extend", days=15, reason="需调取台账。")
    assert body["extension_days"] == 15
    legal_clerk = build.staff(org, "city-clerk-legal", department=legal)
    body = acted(as_user(legal_clerk), complaint.code, "answer", answer="经查，收费属实。")
    assert body["state"] == ComplaintState.ANSWERED
    body = acted(
        office,
        complaint.code,
        "close",
        outcome=Outcome.SUBSTANTIATED,
        finding="取消后仍收费",
        finding_department=org.departments["salt"].pk,
        found_items=[entry.code],
    )
    assert body["state"] == ComplaintState.CLOSED and body["outcome"] == Outcome.SUBSTANTIATED
    assert [item["found"] for item in body["items"]] == [True]
    assert body["finding_department"]["id"] == org.departments["salt"].pk


def test_refusing_and_merging_name_the_earlier_complaint_by_code(org, frozen):
    earlier = build.closed(org).complaint
    open_one = build.accepted(org, phone="13800000044")
    repeat = build.file(org).complaint
    other = build.file(org, phone="13800000044").complaint
    office = as_user(org.users[Role.OFFICE])
    body = acted(
        office,
        repeat.code,
        "refuse",
        ground="r4",
        reason="已答复，无新的事实和理由。",
        repeat_of=earlier.code.lower(),
    )
    assert body["state"] == ComplaintState.REFUSED and body["repeat_of"] == earlier.code
    body = acted(office, other.code, "merge", into=open_one.code)
    assert body["state"] == ComplaintState.MERGED and body["repeat_of"] == open_one.code


@pytest.mark.parametrize(
    ("parameters", "fields"),
    [
        ({"action": "nonsense"}, {"action"}),
        ({}, {"action"}),
        ({"action": "refuse", "ground": "r9", "reason": "x"}, {"ground"}),
        ({"action": "refuse", "ground": "r1"}, {"reason"}),
        ({"action": "accept", "responsible": 999999}, {"responsible"}),
        ({"action": "merge", "into": "TS-NONE-NONE-NONE"}, {"into"}),
        ({"action": "transfer", "jurisdiction": "999", "reason": "x"}, {"jurisdiction"}),
        ({"action": "extend", "days": 0, "reason": "x"}, {"days"}),
        ({"action": "close", "outcome": "partly", "found_items": ["X"]}, {"found_items"}),
        ({"action": "stand_aside", "reason": "x", "person": 999999}, {"person"}),
    ],
)
def test_invalid_parameters_are_a_400(org, frozen, parameters, fields):
    complaint = build.file(org).complaint
    response = as_user(org.users[Role.OFFICE]).post(
        transitions_url(complaint.code), parameters, content_type="application/json"
    )
    error = error_of(response, 400)
    assert set(error["fields"]) == fields
    assert Complaint.objects.get(pk=complaint.pk).state == ComplaintState.RECEIVED


def test_a_refused_action_is_a_409_and_changes_nothing(org, frozen):
    complaint = build.file(org).complaint
    clerk = as_user(org.users[Role.CLERK])
    error = error_of(act(clerk, complaint.code, "accept"), 409)
    assert error["message"].startswith("“Accept” is not yours to do")
    error = error_of(act(clerk, complaint.code, "answer", answer="答复。"), 409)
    assert "is not possible" in error["message"]
    assert complaint.events.count() == 1


def test_standing_aside_through_the_api_hides_the_complaint(org, frozen):
    complaint = build.accepted(org)
    clerk = as_user(org.users[Role.CLERK])
    response = act(clerk, complaint.code, "stand_aside", reason="近亲属。")
    assert response.status_code == 204
    error_of(clerk.get(detail_url(complaint.code)), 404)


# --- the public: filing -------------------------------------------------------------------------


def test_anyone_files_a_complaint_as_json(
    client, org, frozen, mailoutbox, django_capture_on_commit_callbacks
):
    entry = numbered_entry(org, 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = file_json(client, **new_complaint(items=[entry.code]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"code", "secret", "state", "received_at", "accept_due_at", "track_url"}
    assert response["Cache-Control"] == "no-store"
    complaint = Complaint.objects.get(code=body["code"])
    assert complaint.department == org.departments["salt"]
    assert complaint.channel == Channel.ONLINE and complaint.recorded_by is None
    assert services.secret_matches(complaint, body["secret"])
    assert body["accept_due_at"].startswith("2026-10-14")
    assert body["track_url"] == reverse("complaints:track")
    assert [item.entry for item in complaint.items.all()] == [entry]
    # The receipt names no one: only the code and secret go back.
    assert CANARIES["name"] not in response.content.decode()
    assert len(mailoutbox) == 1 and body["secret"] in mailoutbox[0].body


def test_a_complaint_with_evidence_is_filed_as_multipart(client, org, frozen):
    data = new_complaint(department=org.departments["salt"].pk)
    data["files"] = [SimpleUploadedFile("凭证.pdf", PDF), SimpleUploadedFile("照片.pdf", PDF)]
    response = client.post(COMPLAINTS, data)
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(code=response.json()["code"])
    assert sorted(Evidence.objects.filter(complaint=complaint).values_list("name", flat=True)) == [
        "凭证.pdf",
        "照片.pdf",
    ]


def test_a_program_renamed_pdf_is_refused(client, org, frozen):
    data = new_complaint(department=org.departments["salt"].pk)
    data["files"] = [SimpleUploadedFile("证据.pdf", b"MZ\x90\x00 not a pdf")]
    error = error_of(client.post(COMPLAINTS, data, **ENGLISH), 400)
    assert "files" in error["fields"]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"ground": "g42"}, {"ground"}),
        ({"truthful": None}, {"truthful"}),
        ({"items": ["NO-SUCH-ITEM"]}, {"items"}),
        ({"department": 999999}, {"department"}),
        ({"facts": "收费\x1b"}, {"facts"}),
    ],
)
def test_invalid_complaints_are_a_400(client, org, frozen, changes, fields):
    data = new_complaint(**{"department": org.departments["salt"].pk, **changes})
    data = {name: value for name, value in data.items() if value is not None}
    error = error_of(file_json(client, **data), 400)
    assert set(error["fields"]) == fields
    assert not Complaint.objects.exists()


def test_a_complaint_the_service_refuses_is_a_400_with_its_message(client, org, frozen):
    data = new_complaint(department=org.departments["salt"].pk, phone="", email="", address="")
    error = error_of(file_json(client, **data), 400)
    assert error["code"] == "refused"
    assert error["message"] == "Give a contact (phone, e-mail or address), or complain anonymously."
    error = error_of(file_json(client, **new_complaint(truthful=False)), 400)
    assert "malicious and false complaints are not allowed" in error["message"]
    assert not Complaint.objects.exists()


def test_a_flood_from_one_address_is_limited_and_keeps_what_was_received(
    client, org, frozen, settings
):
    settings.COMPLAINT_FILE_THROTTLE_COUNT = 3
    data = new_complaint(department=org.departments["salt"].pk)
    received = [file_json(client, **data) for _ in range(3)]
    assert [response.status_code for response in received] == [201, 201, 201]
    refused = file_json(client, **data)
    error = error_of(refused, 429)
    assert error["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert Complaint.objects.count() == 3
    # The staff's list is not limited by it.
    assert as_user(org.users[Role.OFFICE]).get(COMPLAINTS).status_code == 200
    # Another address files as before.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert file_json(other, **data).status_code == 201


# --- the public: tracking and statistics --------------------------------------------------------


def _canary_complaint(org) -> services.Filed:
    """A closed complaint whose complainant, evidence, staff names and opinions are canaries."""
    filed = services.complaint_file(
        actor=None,
        department=org.departments["salt"],
        ground=Ground.FEE_BEYOND_LIST,
        facts="收费问题。",
        complainant_kind=ComplainantKind.CITIZEN,
        truthful=True,
        files=[SimpleUploadedFile("金丝雀证据.pdf", PDF)],
        **CANARIES,
    )
    complaint = services.complaint_accept(
        actor=org.users[Role.OFFICE], complaint=filed.complaint, opinion="金丝雀受理意见"
    )
    complaint = services.complaint_answer(
        actor=org.users[Role.CLERK], complaint=complaint, answer="金丝雀部门答复"
    )
    complaint = services.complaint_close(
        actor=org.users[Role.OFFICE],
        complaint=complaint,
        outcome=Outcome.NOT_SUBSTANTIATED,
        answer="经查，收费有依据。",
    )
    return services.Filed(complaint, filed.secret)


def _leaks(text: str) -> list[str]:
    forbidden = [
        *CANARIES.values(),
        "金丝雀证据",
        "金丝雀受理意见",
        "金丝雀部门答复",
        "city-office",
        "city-clerk",
    ]
    return [value for value in forbidden if value in text]


def test_tracking_answers_the_public_fields_only(client, org, frozen):
    filed = _canary_complaint(org)
    response = client.post(
        TRACK,
        {"code": filed.complaint.code.lower(), "secret": filed.secret},
        content_type="application/json",
        **ENGLISH,
    )
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["state"] == ComplaintState.CLOSED
    assert body["answer"] == "经查，收费有依据。"
    assert body["outcome"] == Outcome.NOT_SUBSTANTIATED
    assert [stage["transition"] for stage in body["stages"]] == ["file", "accept", "close"]
    assert body["review_due"] and body["waiting"] == []
    assert _leaks(response.content.decode()) == []
    # The complainant rates it and asks for a review through the tracking page; the API shows it.
    services.complaint_rate(
        actor=None, complaint=filed.complaint, secret=filed.secret, rating=Rating.NOT_SATISFIED
    )
    services.complaint_review_request(
        actor=None, complaint=filed.complaint, secret=filed.secret, reasons="不服答复。"
    )
    body = client.post(
        TRACK,
        {"code": filed.complaint.code, "secret": filed.secret},
        content_type="application/json",
    ).json()
    assert body["state"] == ComplaintState.REVIEWING and body["rating"] == Rating.NOT_SATISFIED
    assert [step["kind"] for step in body["waiting"]] == ["review"]
    assert body["answer"] == ""  # the answer under review is not the final one


def test_a_merged_complaint_is_followed_through_the_earlier_one(client, org, frozen):
    earlier = build.accepted(org)
    filed = build.file(org)
    services.complaint_merge(actor=org.users[Role.OFFICE], complaint=filed.complaint, into=earlier)
    body = client.post(
        TRACK,
        {"code": filed.complaint.code, "secret": filed.secret},
        content_type="application/json",
    ).json()
    assert body["state"] == ComplaintState.MERGED
    merged = body["merged_into"]
    assert merged["state"] == ComplaintState.HANDLING
    assert [step["kind"] for step in merged["waiting"]] == ["handle"]
    assert earlier.code not in json.dumps(body)


def test_a_form_posts_the_tracking_pair_too(client, org, frozen):
    filed = build.file(org)
    response = client.post(TRACK, {"code": filed.complaint.code, "secret": filed.secret})
    assert response.status_code == 200
    assert response.json()["code"] == filed.complaint.code


def test_wrong_pairs_are_limited_and_then_even_a_right_one_waits(client, org, frozen, settings):
    settings.COMPLAINT_TRACK_FAILURE_COUNT = 2
    filed = build.file(org)
    wrong = {"code": filed.complaint.code, "secret": "WRONG-SECRET"}
    for _attempt in range(2):
        error = error_of(client.post(TRACK, wrong, content_type="application/json"), 404)
        assert error["code"] == "not_found"
    refused = client.post(TRACK, wrong, content_type="application/json")
    assert error_of(refused, 429)["code"] == "throttled"
    right = {"code": filed.complaint.code, "secret": filed.secret}
    blocked = client.post(TRACK, right, content_type="application/json")
    error_of(blocked, 429)
    assert int(blocked["Retry-After"]) > 0
    # Another address is not blocked.
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.post(TRACK, right, content_type="application/json").status_code == 200
    error_of(client.post(TRACK, {"code": "x"}, content_type="application/json"), 429)


def test_tracking_needs_both_fields(client, org, frozen):
    error = error_of(client.post(TRACK, {"code": "TS-1"}, content_type="application/json"), 400)
    assert set(error["fields"]) == {"secret"}


def test_the_statistics_are_public_and_hold_no_personal_data(client, org, frozen):
    _canary_complaint(org)
    build.record(org, channel=Channel.PHONE, received_at=NOW - datetime.timedelta(days=1))
    response = client.get(STATS, **ENGLISH)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert {row["label"]: row["count"] for row in body["by_channel"]} == {"Online": 1, "Phone": 1}
    assert body["by_outcome"] == [{"label": "Not substantiated", "count": 1}]
    assert body["by_month"] == [{"month": "2026-09", "count": 2}]
    assert body["top_departments"] == [
        {"jurisdiction": "郑州市", "department": "市盐业管理局", "count": 2}
    ]
    assert body["acceptance_on_time"] == {"on_time": 1, "done": 1, "rate": 100.0}
    assert _leaks(response.content.decode()) == []
    assert client.get(STATS, {"since": "2026-09-29"}).json()["total"] == 1
    error = error_of(client.get(STATS, {"since": "2026-10-01", "until": "2026-09-01"}), 400)
    assert "until" in error["fields"]
    error_of(client.get(STATS, {"since": "yesterday"}), 400)


def test_no_public_answer_holds_personal_data(client, org, frozen):
    filed = _canary_complaint(org)
    in_person(org)
    answers = [
        client.post(
            TRACK,
            {"code": filed.complaint.code, "secret": filed.secret},
            content_type="application/json",
        ),
        client.get(STATS),
        file_json(client, **new_complaint(department=org.departments["salt"].pk)),
        client.get(COMPLAINTS),
        client.get(detail_url(filed.complaint.code)),
        client.get(transitions_url(filed.complaint.code)),
    ]
    for response in answers:
        text = response.content.decode()
        assert _leaks(text) == [], (response.request["PATH_INFO"], text)
        assert RESIDENT_ID not in text and "金丝雀乙" not in text
    assert [response.status_code for response in answers] == [200, 200, 201, 403, 403, 403]


def test_the_options_describe_the_endpoints(org, frozen):
    complaint = build.file(org).complaint
    office = as_user(org.users[Role.OFFICE])
    for url in (COMPLAINTS, detail_url(complaint.code), transitions_url(complaint.code), STATS):
        assert office.options(url).status_code == 200, url
    assert Client().options(COMPLAINTS).status_code == 200


def test_the_actions_match_the_procedure_table():
    staff_actions = {
        name
        for name in services.TRANSITIONS
        if name not in (Transition.RATE, Transition.REVIEW_REQUEST)
    }
    assert staff_actions == set(PARAMETERS)


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "1e3", "abc"])
def test_an_id_too_large_or_malformed_is_a_400_not_a_server_error(org, frozen, value):
    complaint = build.file(org).complaint
    office = as_user(org.users[Role.OFFICE])
    error = error_of(office.get(COMPLAINTS, {"department": value}), 400)
    assert "department" in error["fields"]
    response = office.get(reverse("complaints:queue"), {"department": value})
    assert response.status_code == 200 and response.context["rows"] == []
    error = error_of(act(office, complaint.code, "accept", responsible=value), 400)
    assert "responsible" in error["fields"]
