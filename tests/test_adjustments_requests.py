"""Issue 9 §4, §5, §6, §10, §17: routing by field, moves between departments, the talk between
reviewer and applicant, and one draft in at most one request under way."""

import datetime
import re
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import translation

from adjustments import services
from adjustments.choices import TriggerKind
from adjustments.models import AdjustmentRequest, RequestItem
from core.choices import Role
from registry import services as registry_services
from tests.adjustment_builders import draft_of, published_entry, request_for
from tests.conftest import need

REQUESTS = "/api/v1/adjustments/"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def _today() -> datetime.date:
    return datetime.datetime.now(tz=services.calendar.SHANGHAI).date()


# --- §10: one draft, one live request -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_posts_with_one_draft_make_one_request(org, calendar):
    """Issue 9 §10: 20 concurrent POST /api/v1/adjustments/ with the same draft made 16
    submitted requests. Now one wins; the others get the API's error naming the request."""
    need(connection.vendor == "postgresql", "row-level concurrency needs PostgreSQL")
    clerk = org.users[Role.CLERK]
    draft = draft_of(published_entry(org), clerk, promised_limit_days=5)
    login = Client()
    login.force_login(clerk)
    cookie = login.cookies["sessionid"].value
    body = {
        "trigger": TriggerKind.INTERNAL,
        "event_date": _today().isoformat(),
        "summary": "并发提交",
        "drafts": [draft.pk],
        "submit": True,
    }
    barrier = threading.Barrier(20)
    answers: list[object] = [None] * 20

    def post(position: int) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.cookies["sessionid"] = cookie
        try:
            barrier.wait()
            answers[position] = client.post(REQUESTS, body, content_type="application/json")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [400] * 19, statuses
    (won,) = AdjustmentRequest.objects.all()
    assert won.state == "submitted"
    assert RequestItem.objects.filter(draft=draft, live=True).count() == 1
    for answer in answers:
        if answer.status_code == 400:
            message = answer.json()["error"]["message"]
            assert f"already part of request {won.number}" in message, message


@pytest.mark.django_db(transaction=True)
def test_concurrent_services_with_one_draft_make_one_request(org, calendar):
    need(connection.vendor == "postgresql", "row-level concurrency needs PostgreSQL")
    clerk = org.users[Role.CLERK]
    draft = draft_of(published_entry(org), clerk, promised_limit_days=5)
    barrier = threading.Barrier(8)
    results: list[object] = [None] * 8

    def create(position: int) -> None:
        try:
            barrier.wait()
            results[position] = services.adjustment_create(
                actor=clerk,
                trigger=TriggerKind.INTERNAL,
                event_date=_today(),
                summary="并发",
                drafts=[draft],
            )
        except Exception as error:  # the outcome is what the test compares
            results[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(r, AdjustmentRequest) for r in results) == 1, results
    assert sum(isinstance(r, services.DraftTaken) for r in results) == 7, results


def test_the_database_refuses_a_draft_in_two_live_requests(org, calendar):
    """The constraint holds without the service's check (a caller that skipped it)."""
    first = request_for(org, event_date=_today())
    item = first.items.get()
    second = request_for(
        org, event_date=_today(), entry=published_entry(org, basic_code="0700002000")
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestItem.objects.create(request=second, draft=item.draft, change=item.change)


def test_a_withdrawn_request_frees_its_draft(org, calendar):
    clerk = org.users[Role.CLERK]
    first = request_for(org, event_date=_today())
    draft = first.items.get().draft
    services.adjustment_withdraw(actor=clerk, request=first, reason="重新申请")
    assert not RequestItem.objects.filter(draft=draft, live=True).exists()
    again = services.adjustment_create(
        actor=clerk,
        trigger=TriggerKind.INTERNAL,
        event_date=_today(),
        summary="再次申请",
        drafts=[draft],
    )
    assert again.items.get().draft == draft


# --- §17: the message stands next to the drafts -------------------------------------------------


def _request_form_post(client: Client, draft) -> object:
    return client.post(
        "/work/adjustments/new/",
        {
            "trigger": TriggerKind.INTERNAL,
            "event_date": _today().isoformat(),
            "summary": "第二个申请",
            "drafts": [draft.pk],
            "then": "save",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_form_marks_the_draft_another_request_holds(org, calendar):
    """Issue 9 §17: "correct what is marked below" with nothing marked. The drafts field now
    says which request holds the draft."""
    clerk = org.users[Role.CLERK]
    first = request_for(org, event_date=_today())
    draft = first.items.get().draft
    client = Client()
    client.force_login(clerk)
    response = _request_form_post(client, draft)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get("drafts") == [
        f"The draft “{draft}” is already part of request {first.number}."
    ]
    assert not form.non_field_errors()
    html = response.content.decode()
    field_html = html[html.index("field-drafts") :]
    assert first.number in field_html[: field_html.index("</fieldset>")]
    assert AdjustmentRequest.objects.count() == 1


# --- §4: 分类转交, reviewers proposed from the fields the change touches -----------------------


def _reviewers(org) -> dict[str, object]:
    """The city's five lead review departments (the org has 法制办 and 编办)."""
    from core import services as core_services
    from core.choices import DepartmentFunction, ReviewField

    made = {
        key: core_services.department_create(
            actor=None,
            jurisdiction=org.city,
            name=name,
            function=DepartmentFunction.LEAD_REVIEWER,
            review_field=field,
        )
        for key, name, field in (
            ("service", "市政务服务中心", ReviewField.SERVICE),
            ("finance", "市财政局", ReviewField.FINANCE),
            ("development", "市发改委", ReviewField.DEVELOPMENT),
        )
    }
    return {
        "legal": org.departments["legal"],
        "establishment": org.departments["establishment"],
        **made,
    }


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"fee_note": "每证10元"}, ["finance"]),
        ({"promised_limit_days": 5}, ["service"]),
        ({"handling_unit": "盐政处"}, ["establishment"]),
        ({"basis_note": "郑政文〔2015〕117号"}, ["legal"]),
        ({"fee_note": "每证10元", "basis_note": "新规章"}, ["legal", "finance"]),
    ],
)
def test_the_forward_form_proposes_reviewers_by_field(org, calendar, changes, expected):
    reviewers = _reviewers(org)
    request = request_for(org, event_date=_today(), **changes)
    request = services.adjustment_submit(actor=org.users[Role.CLERK], request=request)
    client = Client()
    client.force_login(org.users[Role.OFFICE])
    response = client.get(f"/work/adjustments/{request.number}/", HTTP_ACCEPT_LANGUAGE="en")
    (forward,) = [entry for entry in response.context["panel"] if entry.name == "forward"]
    field = forward.form["reviewers"]
    assert field.initial == [reviewers[key].pk for key in expected]
    assert "Proposed from the fields the change touches" in field.help_text
    # The office may choose otherwise: the proposal is only what is ticked.
    html = response.content.decode()
    ticked = set(map(int, re.findall(r'name="forward-reviewers" value="(\d+)"[^>]* checked', html)))
    assert ticked == {reviewers[key].pk for key in expected}
    # The API offers the same proposal with the forward's parameters.
    api = client.get(f"{REQUESTS}{request.number}/transitions/").json()
    (row,) = [t for t in api["transitions"] if t["transition"] == "forward"]
    (parameter,) = [p for p in row["parameters"] if p["name"] == "reviewers"]
    assert parameter["initial"] == [reviewers[key].pk for key in expected]
    proposed = [c["value"] for c in parameter["choices"] if c.get("proposed")]
    assert proposed == [reviewers[key].pk for key in expected]


def test_an_approval_item_goes_to_the_government_services_centre():
    from adjustments import routing
    from core.choices import ReviewField
    from registry.choices import ListKind

    needs = routing.review_needs([(ListKind.APPROVAL, {"remarks": "x"}, {"remarks": ""}, False)])
    assert [need.field for need in needs] == [ReviewField.SERVICE]
    moved = routing.review_needs([(ListKind.POWER, {"name": "a"}, {"name": "a"}, True)])
    assert [need.field for need in moved] == [ReviewField.ESTABLISHMENT]
    fee = routing.review_needs([(ListKind.FEE, {"remarks": "x"}, None, False)])
    assert [need.field for need in fee] == [ReviewField.FINANCE]


# --- §6: the lead reviewer and the applying department talk -----------------------------------


def _under_review(org):
    from tests.adjustment_builders import walk_to_review

    return walk_to_review(org, request_for(org, event_date=_today()))


def _page(user, number: str):
    client = Client()
    client.force_login(user)
    return client, client.get(f"/work/adjustments/{number}/", HTTP_ACCEPT_LANGUAGE="en")


def test_reviewer_and_department_exchange_messages_with_files(org, calendar):
    """Seed 004 三(三)3 "主动与申请单位沟通对接": the reviewer writes on the request page with a
    document, the department is notified and answers through the API; both messages are in
    the timeline, the office reads them, nobody else does."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from adjustments.choices import Transition
    from adjustments.models import Attachment, RequestEvent
    from core.models import Notification

    request = _under_review(org)
    reviewer, clerk = org.users[Role.REVIEWER], org.users[Role.CLERK]
    client, page = _page(reviewer, request.number)
    assert page.context["message_form"] is not None
    response = client.post(
        f"/work/adjustments/{request.number}/messages/",
        {
            "message-text": "请补充《食盐专营办法》第十条的适用说明。",
            "message-files": [SimpleUploadedFile("说明.pdf", b"%PDF-1.4\n")],
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#messages")
    (asked,) = RequestEvent.objects.filter(request=request, transition=Transition.MESSAGE)
    assert asked.actor == reviewer and asked.attachments.get().name == "说明.pdf"
    told = Notification.objects.get(
        recipient=clerk, dedupe_key=f"adjustment-event:{asked.pk}:message"
    )
    assert request.number in told.subject

    api = Client()
    api.force_login(clerk)
    answered = api.post(
        f"{REQUESTS}{request.number}/messages/",
        {"text": "已补充，见附件。"},
        content_type="application/json",
    )
    assert answered.status_code == 201, answered.content
    assert answered.json()["transition"] == "message"
    reply = RequestEvent.objects.filter(request=request, transition=Transition.MESSAGE).last()
    assert Notification.objects.filter(
        recipient=reviewer, dedupe_key=f"adjustment-event:{reply.pk}:message"
    ).exists()
    # State and steps are untouched.
    request.refresh_from_db()
    assert request.state == "reviewing"

    # The office reads both, in the messages section and in the timeline, but writes none.
    _office_client, office_page = _page(org.users[Role.OFFICE], request.number)
    html = office_page.content.decode()
    assert "请补充《食盐专营办法》第十条的适用说明。" in html and "已补充，见附件。" in html
    assert office_page.context["message_form"] is None
    assert [e.opinion for e in office_page.context["talk"]] == [asked.opinion, reply.opinion]
    timeline = [row.event for row in office_page.context["timeline"] if row.event]
    assert asked in timeline and reply in timeline
    listed = Client()
    listed.force_login(org.users[Role.OFFICE])
    assert len(listed.get(f"{REQUESTS}{request.number}/messages/").json()) == 2
    # Someone who does not see the request never sees them: not found.
    other = Client()
    other.force_login(org.district_users[Role.CLERK])
    assert other.get(f"{REQUESTS}{request.number}/messages/").status_code == 404
    assert other.get(f"/work/adjustments/{request.number}/").status_code == 404
    attachment = Attachment.objects.get(event=asked)
    assert (
        other.get(f"/work/adjustments/{request.number}/attachments/{attachment.pk}/").status_code
        == 404
    )


def test_only_the_two_sides_talk_and_only_during_review(org, calendar):
    from adjustments.models import RequestEvent

    request = _under_review(org)
    office = Client()
    office.force_login(org.users[Role.OFFICE])
    refused = office.post(
        f"{REQUESTS}{request.number}/messages/",
        {"text": "我也说一句"},
        content_type="application/json",
    )
    assert refused.status_code == 409
    # Empty text is invalid, not sent.
    clerk = Client()
    clerk.force_login(org.users[Role.CLERK])
    assert (
        clerk.post(
            f"{REQUESTS}{request.number}/messages/", {"text": ""}, content_type="application/json"
        ).status_code
        == 400
    )
    # After review, the talk is over.
    services.adjustment_review(
        actor=org.users[Role.REVIEWER], request=request, conclusion="agreed", opinion="同意。"
    )
    late = clerk.post(
        f"{REQUESTS}{request.number}/messages/",
        {"text": "还有一点"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert late.status_code == 409
    assert "during review" in late.json()["error"]["message"]
    assert not RequestEvent.objects.filter(request=request, transition="message").exists()


# --- §5: 三定, entries moving between departments ----------------------------------------------


def _receiving(org):
    """A second ordinary department of the city (the salt bureau's functions pass to it) and
    its clerk."""
    from core import services as core_services
    from core.choices import DepartmentFunction
    from tests.adjustment_builders import staff_user

    market = core_services.department_create(
        actor=None,
        jurisdiction=org.city,
        name="市市场监督管理局",
        function=DepartmentFunction.GENERAL,
        review_field="",
        code="SC001",
    )
    clerk = staff_user(org, username="city-market-clerk", role=Role.CLERK, department=market)
    return market, clerk


def _move_request(org, market, entry=None):
    clerk = org.users[Role.CLERK]
    entry = entry or published_entry(org)
    draft = draft_of(entry, clerk, handling_unit="市场监管处")
    request = services.adjustment_create(
        actor=clerk,
        trigger=TriggerKind.INSTITUTIONAL,
        event_date=_today(),
        summary="盐业执法职能划入市场监管局",
        drafts=[draft],
        moves={draft: market},
    )
    return request, entry


def test_a_move_publishes_a_new_entry_at_the_receiving_department(org, calendar):
    """Seed 004 三(二)3 "执法主体或执法职能随部门'三定'方案调整、机构撤并…": the entry passes to
    the receiving department, which sees the request, is told, and holds the entry once it is
    published; the old entry closes naming its successor; history rows name the request."""
    from core.models import Notification
    from registry import selectors as registry_selectors
    from registry.choices import ChangeSource, EntryStatus
    from registry.models import Entry
    from tests.adjustment_builders import walk_to_publication, walk_to_review

    market, market_clerk = _receiving(org)
    request, entry = _move_request(org, market)
    (item,) = request.items.all()
    assert item.change == "move" and item.to_department == market
    # The receiving department sees the request, read-only.
    seen = Client()
    seen.force_login(market_clerk)
    page = seen.get(f"/work/adjustments/{request.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Moves to 市市场监督管理局" in page.content.decode()
    assert page.context["panel"] == [] and not page.context["may_edit"]
    assert seen.get(f"{REQUESTS}{request.number}/").status_code == 200

    request = walk_to_review(org, request, reviewers=("establishment",))
    assert Notification.objects.filter(
        recipient=market_clerk, dedupe_key=f"adjustment-receiving:{request.pk}:submitted"
    ).exists()
    # A move changes the implementing body: the routing proposes 编办 (§4).
    from adjustments import selectors
    from tests.adjustment_builders import staff_user

    proposals = selectors.proposed_reviewers(user=org.users[Role.OFFICE], request=request)
    assert org.departments["establishment"] in [p.department for p in proposals]
    org.users[Role.REVIEWER] = staff_user(
        org,
        username="city-establishment",
        role=Role.REVIEWER,
        department=org.departments["establishment"],
    )
    request = walk_to_publication(org, request)
    assert request.state == "published"

    entry.refresh_from_db()
    item.refresh_from_db()
    successor = item.moved_entry
    assert successor.department == market and successor.basic_code == entry.basic_code
    assert successor.code != entry.code and successor.code.endswith("SC001")
    assert successor.status == EntryStatus.IN_FORCE and successor.handling_unit == "市场监管处"
    assert entry.status == EntryStatus.MERGED and entry.merged_into == successor
    assert entry.department == org.departments["salt"]  # the closed entry keeps its history
    assert successor.published_at == entry.published_at  # one moment
    for row in (entry.history.latest(), successor.history.latest()):
        assert row.change_source == ChangeSource.ADJUSTMENT
        assert row.change_reference == request.number
    assert Notification.objects.filter(
        recipient=market_clerk, dedupe_key=f"adjustment-receiving:{request.pk}:published"
    ).exists()
    # The receiving department now keeps the entry; the salt bureau no longer can.
    assert successor in registry_selectors.editable_entries(user=market_clerk)
    assert Entry.objects.filter(department=market).count() == 1


def test_a_move_that_cannot_publish_changes_nothing(org, calendar):
    """Publication is atomic (SPEC §4): the receiving department already has an entry with the
    basic code, so nothing is published, neither the new entry nor the closing of the old."""
    from registry.choices import EntryStatus
    from registry.models import Entry
    from tests import registry_builders
    from tests.adjustment_builders import walk_to_publication, walk_to_review

    market, _clerk = _receiving(org)
    request, entry = _move_request(org, market)
    registry_builders.publish(market, basic_code=entry.basic_code)
    request = walk_to_review(org, request)
    with pytest.raises(services.DomainError, match="Nothing was published"):
        walk_to_publication(org, request)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.IN_FORCE and entry.version == 1
    assert Entry.objects.filter(department=market).count() == 1


def test_a_move_is_refused_to_an_office_or_another_jurisdiction(org, calendar):
    clerk = org.users[Role.CLERK]
    draft = draft_of(published_entry(org), clerk, handling_unit="x")
    for target in (org.departments["office"], org.district_departments["salt"]):
        with pytest.raises(services.DomainError, match="cannot receive"):
            services.adjustment_create(
                actor=clerk,
                trigger=TriggerKind.INSTITUTIONAL,
                event_date=_today(),
                summary="移交",
                drafts=[draft],
                moves={draft: target},
            )


def test_the_request_form_moves_entries(org, calendar):
    market, _clerk = _receiving(org)
    clerk = org.users[Role.CLERK]
    draft = draft_of(published_entry(org), clerk, handling_unit="市场监管处")
    client = Client()
    client.force_login(clerk)
    form = {
        "trigger": TriggerKind.INSTITUTIONAL,
        "event_date": _today().isoformat(),
        "summary": "三定调整",
        "drafts": [draft.pk],
        "moved": [draft.pk],
        "then": "save",
    }
    missing = client.post("/work/adjustments/new/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.context["form"].errors["receiving_department"]
    saved = client.post("/work/adjustments/new/", {**form, "receiving_department": market.pk})
    assert saved.status_code == 302
    (item,) = AdjustmentRequest.objects.get().items.all()
    assert item.change == "move" and item.to_department == market
    edit = client.get(f"/work/adjustments/{item.request.number}/edit/")
    assert edit.context["form"]["receiving_department"].value() == market.pk


def test_the_api_moves_entries(org, calendar):
    market, _clerk = _receiving(org)
    clerk = org.users[Role.CLERK]
    draft = draft_of(published_entry(org), clerk, handling_unit="市场监管处")
    client = Client()
    client.force_login(clerk)
    body = {
        "trigger": TriggerKind.INSTITUTIONAL,
        "event_date": _today().isoformat(),
        "summary": "三定调整",
        "drafts": [draft.pk],
        "moves": [{"draft": draft.pk, "department": market.pk}],
    }
    wrong = client.post(
        REQUESTS,
        {**body, "moves": [{"draft": 999999, "department": market.pk}]},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and "moves" in wrong.json()["error"]["fields"]
    created = client.post(REQUESTS, body, content_type="application/json")
    assert created.status_code == 201, created.content
    (item,) = created.json()["items"]
    assert item["change"] == "move" and item["to_department"]["id"] == market.pk
    # The update transition takes the moves too: sent without them, the entry stays.
    number = created.json()["number"]
    offered = client.get(f"{REQUESTS}{number}/transitions/").json()["transitions"]
    (update,) = [t for t in offered if t["transition"] == "update"]
    assert {"name": "moves", "type": "moves"}.items() <= next(
        p for p in update["parameters"] if p["name"] == "moves"
    ).items()
    kept = client.post(
        f"{REQUESTS}{number}/transitions/",
        {**body, "transition": "update", "moves": []},
        content_type="application/json",
    )
    assert kept.status_code == 200, kept.content
    assert kept.json()["items"][0]["change"] == "modify"
    assert kept.json()["items"][0]["to_department"] is None


def test_a_merge_into_another_departments_entry(org, calendar):
    """A merge across departments: the department whose entry absorbs the other's sees the
    request and is told; the merged entry closes naming it, in one publication."""
    from core.models import Notification
    from registry.choices import EntryStatus
    from tests import registry_builders
    from tests.adjustment_builders import walk_to_publication, walk_to_review

    market, market_clerk = _receiving(org)
    absorbing = registry_builders.publish(market, basic_code="0700009000", name="食品经营许可")
    clerk = org.users[Role.CLERK]
    entry = published_entry(org)
    draft = draft_of(entry, clerk, status=EntryStatus.MERGED, merged_into=absorbing.pk)
    request = services.adjustment_create(
        actor=clerk,
        trigger=TriggerKind.INSTITUTIONAL,
        event_date=_today(),
        summary="合并至市场监管局",
        drafts=[draft],
    )
    (item,) = request.items.all()
    assert item.change == "merge" and item.to_department == market
    seen = Client()
    seen.force_login(market_clerk)
    assert seen.get(f"/work/adjustments/{request.number}/").status_code == 200
    request = walk_to_publication(org, walk_to_review(org, request))
    entry.refresh_from_db()
    assert entry.status == EntryStatus.MERGED and entry.merged_into == absorbing
    assert Notification.objects.filter(
        recipient=market_clerk, dedupe_key=f"adjustment-receiving:{request.pk}:published"
    ).exists()


def test_a_moving_draft_cancelled_afterwards_is_refused_on_submit(org, calendar):
    from registry.choices import EntryStatus

    market, _clerk = _receiving(org)
    request, _entry = _move_request(org, market)
    clerk = org.users[Role.CLERK]
    draft = request.items.get().draft
    registry_services.draft_save(
        actor=clerk, draft=draft, payload={**draft.payload, "status": EntryStatus.CANCELLED}
    )
    with pytest.raises(services.DomainError, match="it stays in force there"):
        services.adjustment_submit(actor=clerk, request=request)
