"""Issue 14 §5: departments' case systems push decisions with a key of their department — the key
scoped to that department, revocable, every call audited. Done when: "the token API refused
across departments and after revocation". The calls go through the real API (the test client
with an Authorization header), the data through the services."""

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.choices import AuditAction, Role
from core.models import AuditEvent
from decisions import services
from decisions.api import intake as intake_api
from decisions.choices import DecisionState, Source, StepKind, Transition
from decisions.models import ApiToken, Decision, Event
from decisions.services import intake
from tests import registry_builders
from tests.decision_builders import build_decision_org, penalty_values

BUILT_AT = datetime.datetime(2026, 8, 3, 2, tzinfo=datetime.UTC)
PUSHED_AT = datetime.datetime(2026, 9, 22, 2, tzinfo=datetime.UTC)
INTAKE = "/api/v1/decisions/intake/"


def item_url(reference: str) -> str:
    return f"{INTAKE}{reference}/"


def api(secret: str | None) -> Client:
    client = Client()
    if secret is not None:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def post(client: Client, body, url: str = INTAKE):
    return client.post(url, json.dumps(body), content_type="application/json")


def put(client: Client, url: str, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def pushed(built, **overrides) -> dict:
    """A penalty as a case system sends it: references by name, code and certificate number."""
    values = {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in penalty_values().items()
    }
    values.update(
        external_id="ZF-2026-001",
        body=built.body.name,
        item=built.penalty_item.code,
        officers=["豫A01000", "豫A01001"],
    )
    values.update(overrides)
    return values


def second_department(built):
    """The district's salt bureau (department Y) with its own confirmed body, two certified
    officers, a penalty item and one decision its case system knows as "Y-1"."""
    org = built.org
    department = org.district_departments["salt"]
    clerk = org.district_users[Role.CLERK]
    body = services.body_save(
        actor=clerk,
        department=department,
        values={"name": "上街区盐业管理局", "kind": "own", "basis": "《食盐专营办法》第四条"},
    )
    services.body_confirm(actor=org.district_users[Role.OFFICE], body=body)
    officers = []
    for index, name in enumerate(("周执法", "吴执法")):
        person = services.officer_save(actor=clerk, department=department, name=name)
        services.certificate_save(
            actor=clerk,
            person=person,
            number=f"豫B0200{index}",
            issuing_authority="上街区人民政府",
            enforcement_field="盐业",
            valid_from=datetime.date(2024, 1, 1),
            valid_until=datetime.date(2030, 12, 31),
        )
        officers.append(person)
    item = registry_builders.publish(
        department,
        name="对违反食盐专营规定的处罚",
        basic_code="0200001000",
        category=registry_builders.category(name="行政处罚").pk,
        star_level=None,
    )
    return department, clerk, body, officers, item


@pytest.fixture
def world(calendar):
    with time_machine.travel(BUILT_AT, tick=False):
        built = build_decision_org()
        other = second_department(built)
    return built, other


@pytest.fixture
def key(world):
    built, _other = world
    token, secret = intake.api_token_create(
        actor=built.clerk, department=built.department, name="执法办案系统"
    )
    return token, secret


@pytest.fixture
def now():
    with time_machine.travel(PUSHED_AT, tick=False):
        yield


def key_rows(token: ApiToken):
    return AuditEvent.objects.filter(detail__key=token.prefix)


def test_a_key_is_shown_once_and_only_its_digest_is_kept(world, key):
    token, secret = key
    assert len(secret) >= 40 and token.prefix == secret[:8]
    assert secret not in {token.digest, token.prefix}
    assert ApiToken.objects.filter(digest__contains=secret).count() == 0
    assert intake.api_token_authenticate(secret) == token
    assert intake.api_token_authenticate(secret + "x") is None
    assert intake.api_token_authenticate("") is None


def test_push_records_a_second_push_corrects_and_revoked_revokes(world, key, now):
    built, _other = world
    token, secret = key
    client = api(secret)

    response = post(client, pushed(built))
    assert response.status_code == 201, response.content
    (result,) = response.json()["results"]
    assert result["created"] is True and result["version"] == 1 and result["flags"] == []
    decision = Decision.objects.get(pk=result["id"])
    assert (decision.department, decision.source, decision.external_id, decision.state) == (
        built.department,
        Source.API,
        "ZF-2026-001",
        DecisionState.DECIDED,
    )
    assert decision.created_by is None
    recorded = Event.objects.get(decision=decision, transition=Transition.RECORD)
    assert recorded.detail == {"source": Source.API, "key": token.prefix}

    response = post(client, pushed(built, content="当事人未取得许可从事食盐批发，货值五万元。"))
    assert response.status_code == 200, response.content
    (result,) = response.json()["results"]
    assert (result["id"], result["created"], result["version"]) == (decision.pk, False, 2)
    decision.refresh_from_db()
    assert decision.content.endswith("货值五万元。")
    corrected = Event.objects.get(decision=decision, transition=Transition.CORRECT)
    assert corrected.opinion and corrected.detail["key"] == token.prefix

    response = post(client, {"external_id": "ZF-2026-001", "revoked": True})
    assert response.status_code == 200, response.content
    decision.refresh_from_db()
    assert decision.state == DecisionState.REVOKED
    assert Decision.objects.count() == 1


def test_a_service_date_pushed_later_starts_the_publication_step(world, key, now):
    built, _other = world
    client = api(key[1])
    assert post(client, pushed(built)).status_code == 201
    response = post(client, pushed(built, served_on="2026-09-21"))
    assert response.status_code == 200, response.content
    decision = Decision.objects.get()
    assert decision.state == DecisionState.SERVED
    assert decision.steps.get().kind == StepKind.PUBLISH


def test_a_key_never_reaches_another_department(world, key, now):
    built, (y_department, y_clerk, y_body, y_officers, y_item) = world
    token, secret = key
    client = api(secret)
    y_decision = services.decision_record(
        actor=y_clerk,
        department=y_department,
        given=services.DecisionValues(
            body=y_body,
            item=y_item,
            officers=y_officers,
            values=penalty_values(external_id="Y-1", number="上盐罚〔2026〕1号"),
        ),
    )

    # Y's body, Y's item, Y's officers: each refused at its field, nothing recorded.
    response = post(client, pushed(built, body=y_body.name))
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"body"}
    response = post(client, pushed(built, item=y_item.code))
    assert response.status_code == 400
    (message,) = response.json()["error"]["fields"]["item"]
    assert y_department.name in message
    response = post(client, pushed(built, officers=["豫B02000", "豫B02001"]))
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"officers"}
    # Y's body by its id is not found in X either.
    response = post(client, pushed(built, body=str(y_body.pk)))
    assert set(response.json()["error"]["fields"]) == {"body"}
    assert Decision.objects.count() == 1

    # Y's reference: not found, to read or to write; pushing it anew makes X's own decision.
    assert client.get(item_url("Y-1")).status_code == 404
    assert put(client, item_url("Y-1"), pushed(built, external_id="Y-1")).status_code == 404
    response = post(client, {"external_id": "Y-1", "revoked": True})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"external_id"}
    y_decision.refresh_from_db()
    assert (y_decision.state, y_decision.version) == (DecisionState.DECIDED, 1)

    # Every refused call left its audit row, though what it tried was rolled back.
    refused = key_rows(token).filter(detail__refused=True)
    assert refused.count() == 6
    assert {row.action for row in refused} == {AuditAction.CREATE, AuditAction.UPDATE}
    read = key_rows(token).get(action=AuditAction.LOGIN)
    assert read.detail["external_id"] == "Y-1" and read.detail["found"] is False


def test_a_revoked_or_unknown_key_is_refused(world, key, now):
    built, _other = world
    token, secret = key
    client = api(secret)
    assert post(client, pushed(built)).status_code == 201
    assert client.get(item_url("ZF-2026-001")).status_code == 200

    intake.api_token_revoke(actor=built.clerk, token=token)
    response = client.get(item_url("ZF-2026-001"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "authentication_failed"
    assert post(client, pushed(built, content="改")).status_code == 401
    assert put(client, item_url("ZF-2026-001"), pushed(built)).status_code == 401
    assert Decision.objects.get().version == 1
    failed = key_rows(token).filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == 3 and {row.detail["reason"] for row in failed} == {"revoked key"}

    assert api("x" * 43).get(item_url("ZF-2026-001")).status_code == 401
    assert api(None).get(item_url("ZF-2026-001")).status_code == 401
    # A staff session is no key.
    session = Client()
    session.force_login(built.clerk)
    assert session.get(item_url("ZF-2026-001")).status_code == 401
    with pytest.raises(services.DomainError):
        intake.api_token_revoke(actor=built.clerk, token=token)


def test_every_call_is_audited(world, key, now):
    built, _other = world
    token, secret = key
    client = api(secret)
    calls = [
        lambda: post(client, pushed(built)),
        lambda: client.get(item_url("ZF-2026-001")),
        lambda: put(client, item_url("ZF-2026-001"), pushed(built, title="更正后的案由")),
        lambda: post(client, pushed(built, external_id="", party_credit_code="91410100MA44X6Y2X1")),
        lambda: client.get(item_url("nothing-here")),
    ]
    for call in calls:
        before = key_rows(token).count()
        assert call().status_code in (200, 201, 400, 404)
        assert key_rows(token).count() > before
    rows = key_rows(token)
    # The calls are the key's; the only row with a person is the key's making by the clerk.
    assert list(rows.filter(actor__isnull=False).values_list("actor", "action")) == [
        (built.clerk.pk, AuditAction.CREATE)
    ]
    assert {row.jurisdiction_id for row in rows} == {built.department.jurisdiction_id}
    assert rows.filter(action=AuditAction.TRANSITION, detail__transition=Transition.CORRECT)


def test_a_list_is_taken_whole_or_not_at_all(world, key, now):
    built, _other = world
    client = api(key[1])
    good = [
        pushed(built, external_id="A", number="郑盐罚〔2026〕11号"),
        pushed(built, external_id="B", number="郑盐罚〔2026〕12号"),
    ]
    bad = pushed(built, external_id="C", number="郑盐罚〔2026〕13号", party_credit_code="123")
    response = post(client, [*good, bad])
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"2.party_credit_code"}
    assert Decision.objects.count() == 0

    same_number = pushed(built, external_id="D", number="郑盐罚〔2026〕11号")
    response = post(client, [*good, same_number])
    assert set(response.json()["error"]["fields"]) == {"2.number"}
    assert Decision.objects.count() == 0

    response = post(client, good)
    assert response.status_code == 201
    assert [r["external_id"] for r in response.json()["results"]] == ["A", "B"]
    assert Decision.objects.count() == 2

    too_many = [pushed(built, external_id=str(n)) for n in range(intake.MAX_BATCH + 1)]
    assert post(client, too_many).status_code == 400


def test_errors_are_given_by_field(world, key, now):
    built, _other = world
    client = api(key[1])
    response = post(
        client,
        pushed(
            built,
            party_credit_code="91410100MA44X6Y2X1",
            fine_amount="abc",
            penalty_kinds=["flogging"],
        ),
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"fine_amount", "penalty_kinds.0"} <= set(fields)
    response = post(client, pushed(built, party_credit_code="91410100MA44X6Y2X1", title=""))
    fields = response.json()["error"]["fields"]
    assert {"party_credit_code", "title"} <= set(fields)
    response = post(client, pushed(built, external_id="bad\x00id"))
    assert response.status_code == 400
    assert api(key[1]).get(f"{INTAKE}a%00b/").status_code == 404
    before = key_rows(key[0]).count()
    response = client.post(INTAKE, "not json", content_type="application/json")
    assert response.status_code == 400
    response = client.post(INTAKE, "a=b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert key_rows(key[0]).filter(detail__reason="unreadable body").count() == 2
    assert key_rows(key[0]).count() == before + 2
    assert Decision.objects.count() == 0


def test_read_back(world, key, now):
    built, _other = world
    client = api(key[1])
    post(client, pushed(built, served_on="2026-09-21"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(item_url("ZF-2026-001"))
    assert response.status_code == 200
    data = response.json()
    assert data["officers"] == ["豫A01000", "豫A01001"]
    assert (data["state"], data["item"], data["published_at"]) == (
        DecisionState.SERVED,
        built.penalty_item.code,
        None,
    )
    assert len(queries) <= 8


def test_calls_are_limited_per_key(world, key, now, monkeypatch):
    monkeypatch.setattr(intake_api, "CALLS", 2)
    client = api(key[1])
    assert client.get(item_url("a")).status_code == 404
    assert client.get(item_url("a")).status_code == 404
    response = client.get(item_url("a"))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    _token, secret = intake.api_token_create(
        actor=world[0].clerk, department=world[0].department, name="第二系统"
    )
    assert api(secret).get(item_url("a")).status_code == 404


def test_the_schema_names_the_key_and_its_answers(db):
    schema = Client().get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert schema["components"]["securitySchemes"]["caseSystemKey"]["scheme"] == "bearer"
    for method, path in (
        ("post", INTAKE),
        ("get", "/api/v1/decisions/intake/{external_id}/"),
        ("put", "/api/v1/decisions/intake/{external_id}/"),
    ):
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"caseSystemKey": []}]
        assert {"401", "429"} <= set(operation["responses"])
    body = schema["paths"][INTAKE]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["oneOf"][1]["maxItems"] == intake.MAX_BATCH


# --- the keys' pages ---------------------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clerk_makes_sees_and_revokes_the_keys_of_their_department(world):
    built, (_y, y_clerk, *_rest) = world
    client = logged_in(built.clerk)
    assert client.get(reverse("decisions:token-new")).status_code == 200
    response = client.post(reverse("decisions:token-new"), {"name": "执法办案系统"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret in response.content.decode() and token.department == built.department
    listing = client.get(reverse("decisions:tokens")).content.decode()
    assert token.prefix in listing and secret not in listing

    # Another department's clerk neither sees nor revokes it.
    other = logged_in(y_clerk)
    assert token.prefix not in other.get(reverse("decisions:tokens")).content.decode()
    assert other.get(reverse("decisions:token-revoke", args=[token.pk])).status_code == 404
    response = other.post(reverse("decisions:token-revoke", args=[token.pk]), {"confirm": "on"})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None

    page = client.get(reverse("decisions:token-revoke", args=[token.pk])).content.decode()
    assert "data-confirm" in page
    client.post(reverse("decisions:token-revoke", args=[token.pk]), {})
    token.refresh_from_db()
    assert token.revoked_at is None  # not confirmed: nothing happens
    response = client.post(reverse("decisions:token-revoke", args=[token.pk]), {"confirm": "on"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == built.clerk


def test_an_administrator_makes_keys_for_the_departments_of_their_jurisdiction(world):
    built, (y_department, *_rest) = world
    admin = built.org.users[Role.ADMINISTRATOR]
    client = logged_in(admin)
    form = client.get(reverse("decisions:token-new")).context["form"]
    choices = set(form.fields["department"].queryset)
    assert {built.department, y_department} <= choices
    district_admin = built.org.district_users[Role.ADMINISTRATOR]
    with pytest.raises(services.DomainError):
        intake.api_token_create(actor=district_admin, department=built.department, name="越权")
    assert not ApiToken.objects.exists()
    response = client.post(
        reverse("decisions:token-new"), {"name": "区系统", "department": y_department.pk}
    )
    assert response.status_code == 200
    assert ApiToken.objects.get().department == y_department
    # Other roles have no keys at all.
    office = logged_in(built.org.users[Role.OFFICE])
    assert office.get(reverse("decisions:tokens")).status_code == 403


def test_the_key_list_costs_the_same_for_one_key_or_many(world):
    built, _other = world
    client = logged_in(built.clerk)
    intake.api_token_create(actor=built.clerk, department=built.department, name="系统0")
    client.get(reverse("decisions:tokens"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("decisions:tokens")).status_code == 200
    for n in range(1, 5):
        token, _secret = intake.api_token_create(
            actor=built.clerk, department=built.department, name=f"系统{n}"
        )
    intake.api_token_revoke(actor=built.clerk, token=token)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("decisions:tokens")).content.decode()
    assert len(many) == len(one)
    assert page.count("系统") >= 5
