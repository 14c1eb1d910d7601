"""Issue 12 §13: the staff pages of complaints. The work queue shows what waits on the user
with its due moments (never a complaint they stood aside from), overdue first, and below it
every complaint they may see, filtered in the URL, for the same queries however many there
are. A complaint's page shows what the complainant said, their personal data to staff with the
identity documents masked, the items at the version they saw, the evidence, the steps and the
timeline, and offers exactly the actions selectors.available names; each action is taken
through the page, a refused one shown again with the service's message and what was typed.
Evidence files are served only to staff who may see the complaint."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import selectors, services
from complaints.choices import (
    Channel,
    ComplainantKind,
    ComplaintState,
    Ground,
    IdType,
    Outcome,
    RefusalGround,
    StepKind,
    Transition,
)
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintItem,
    ComplaintPolicy,
    StandAside,
)
from core.choices import AuditAction, Role
from core.models import AuditEvent
from tests import complaint_builders as build
from tests.adjustment_builders import at, numbered_entry
from tests.complaint_builders import travel

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NOW = at(2026, 9, 29)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
RESIDENT_ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence goes to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def frozen():
    with travel(NOW) as traveller:
        yield traveller


def _client(client, user):
    client.force_login(user)
    return client


def _detail(complaint: Complaint) -> str:
    return reverse("complaints:detail", args=[complaint.code])


def _act(complaint: Complaint, action: str) -> str:
    return reverse("complaints:act", args=[complaint.code, action])


def _post(client, complaint: Complaint, action: str, **fields):
    """The action's form as the page sends it (fields carry the action's prefix)."""
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(_act(complaint, action), data, **ENGLISH)


def _refusal(response) -> list[str]:
    """The service's messages the page shows above the refused action's form."""
    failed = response.context["failed"]
    assert failed is not None
    return list(failed.form.non_field_errors())


def _refreshed(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def _recorded_in_person(org) -> Complaint:
    """A group's complaint received in person: the identity document and two representatives."""
    return services.complaint_record(
        actor=org.users[Role.OFFICE],
        channel=Channel.IN_PERSON,
        received_at=NOW - datetime.timedelta(hours=2),
        ground=Ground.NEEDLESS_FORMALITIES,
        facts="窗口要求提供无犯罪记录证明等不必要材料。",
        complainant_kind=ComplainantKind.ORGANISATION,
        department=org.departments["salt"],
        name="郑州某食品有限公司",
        phone="0371-60000000",
        address="郑州市金水区某路1号",
        id_type=IdType.RESIDENT_ID,
        id_number=RESIDENT_ID,
        representatives=[
            {"name": "张代表", "id_type": IdType.RESIDENT_ID, "id_number": RESIDENT_ID},
            {"name": "李代表", "id_type": IdType.PASSPORT, "id_number": "E12345678"},
        ],
    ).complaint


# --- the queue ------------------------------------------------------------------------------------


def test_the_queue_shows_what_waits_on_the_user_with_due_moments(client, org, calendar, frozen):
    received = build.file(org).complaint
    handling = build.accepted(org, facts="市盐业管理局拖延办理食盐批发许可三个月，未说明理由。")
    office = _client(client, org.users[Role.OFFICE])
    response = office.get(reverse("complaints:queue"), **ENGLISH)
    assert response.status_code == 200
    assert [step.complaint for step in response.context["waiting"]] == [received]
    step = response.context["waiting"][0]
    assert step.kind == StepKind.ACCEPT
    page = response.content.decode()
    # 15 日 from the receipt on 29 September: 14 October (after the National Day holiday).
    assert "2026-10-14" in page
    assert "cal-due" in page and "working days left" in page
    clerk = _client(client, org.users[Role.CLERK])
    waiting = clerk.get(reverse("complaints:queue")).context["waiting"]
    assert [(s.complaint, s.kind) for s in waiting] == [(handling, StepKind.HANDLE)]


def test_a_stood_aside_complaint_leaves_the_queue(client, org, calendar, frozen):
    colleague = build.staff(
        org, "city-office-2", department=org.departments["office"], role=Role.OFFICE
    )
    kept, aside = build.file(org).complaint, build.file(org, phone="13800000077").complaint
    services.complaint_stand_aside(actor=colleague, complaint=aside, reason="投诉人是我的亲属。")
    response = _client(client, colleague).get(reverse("complaints:queue"))
    assert [step.complaint for step in response.context["waiting"]] == [kept]
    assert aside.code not in response.content.decode()
    assert client.get(_detail(aside)).status_code == 404
    # The rest of the office still has both.
    office = _client(client, org.users[Role.OFFICE])
    waiting = office.get(reverse("complaints:queue")).context["waiting"]
    assert {step.complaint for step in waiting} == {kept, aside}


def test_the_overdue_come_first_and_are_marked(client, org, calendar):
    with travel(at(2026, 9, 1)):
        late = build.file(org).complaint
    with travel(NOW):
        fresh = build.file(org, phone="13800000088").complaint
        response = _client(client, org.users[Role.OFFICE]).get(
            reverse("complaints:queue"), **ENGLISH
        )
        waiting = response.context["waiting"]
        assert [step.complaint for step in waiting] == [late, fresh]
        assert waiting[0].is_overdue and not waiting[1].is_overdue
    page = response.content.decode()
    assert page.count('class="adj-row-late"') == 2  # the queue's row and the list's
    assert "overdue" in page


def _list_queries(client, **query) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("complaints:queue"), query)
    assert response.status_code == 200
    return len(queries), len(response.context["waiting"]), len(response.context["rows"])


def test_the_queue_and_the_list_cost_the_same_queries_for_2_and_8_complaints(
    client, org, calendar, frozen
):
    def complaints(first: int, count: int) -> None:
        for number in range(first, first + count):
            entry = numbered_entry(org, number)
            filed = build.file(org, entries=[entry], phone=f"138000001{number:02d}")
            if number % 2:
                services.complaint_accept(actor=org.users[Role.OFFICE], complaint=filed.complaint)

    filtered = {"state": ComplaintState.RECEIVED, "department": org.departments["salt"].pk}
    complaints(0, 2)
    office = _client(client, org.users[Role.OFFICE])
    few = _list_queries(office)
    few_filtered = _list_queries(office, **filtered)
    assert few[1:] == (1, 2) and few_filtered[1:] == (1, 1)
    complaints(2, 6)
    many = _list_queries(office)
    many_filtered = _list_queries(office, **filtered)
    assert many[1:] == (4, 8) and many_filtered[1:] == (4, 4)
    assert many[0] == few[0]
    assert many_filtered[0] == few_filtered[0]


def test_the_list_filters_in_the_url(client, org, calendar):
    with travel(at(2026, 9, 1)):
        september = build.file(org, ground=Ground.FEE_BEYOND_LIST).complaint
    with travel(NOW):
        phoned = build.record(
            org, channel=Channel.PHONE, received_at=NOW - datetime.timedelta(days=1)
        ).complaint
        other = build.file(org, department=org.departments["legal"], phone="13800000066").complaint
        services.complaint_accept(actor=org.users[Role.OFFICE], complaint=other)
        office = _client(client, org.users[Role.OFFICE])

        def listed(**query) -> set[Complaint]:
            response = office.get(reverse("complaints:queue"), query)
            assert response.status_code == 200
            return {row.complaint for row in response.context["rows"]}

        assert listed() == {september, phoned, other}
        assert listed(state=ComplaintState.HANDLING) == {other}
        assert listed(channel=Channel.PHONE) == {phoned}
        assert listed(ground=Ground.FEE_BEYOND_LIST) == {september}
        assert listed(department=org.departments["legal"].pk) == {other}
        assert listed(received_from="2026-09-20") == {phoned, other}
        assert listed(received_to="2026-09-01") == {september}
        # A code as typed: lower case, without dashes, O for 0; or a part of it.
        typed = september.code.lower().replace("-", " ").replace("0", "o")
        assert listed(code=typed) == {september}
        assert listed(code=phoned.code[3:9]) == {phoned}
        # A bad filter lists nothing and says so, rather than everything.
        response = office.get(
            reverse("complaints:queue"),
            {"received_from": "2026-10-01", "received_to": "2026-09-01"},
            **ENGLISH,
        )
        assert response.context["rows"] == []
        assert "The start date is after the end date." in response.content.decode()


# --- one complaint --------------------------------------------------------------------------------


def test_the_page_shows_personal_data_to_staff_with_documents_masked(client, org, calendar, frozen):
    complaint = _recorded_in_person(org)
    page = _client(client, org.users[Role.CLERK]).get(_detail(complaint), **ENGLISH)
    assert page.status_code == 200
    text = page.content.decode()
    for shown in ("郑州某食品有限公司", "0371-60000000", "郑州市金水区某路1号", "张代表", "李代表"):
        assert shown in text
    assert RESIDENT_ID not in text and "E12345678" not in text
    assert complaint.id_number_masked in text
    assert complaint.id_number_masked.startswith("110") and "*" in complaint.id_number_masked
    for person in complaint.representatives.all():
        assert person.id_number_masked in text
    assert "E******78" in text
    assert "In person" in text and "city-office" in text  # the channel, who recorded it


def test_an_anonymous_complaint_is_marked(client, org, calendar, frozen):
    complaint = build.file(org, anonymous=True).complaint
    text = _client(client, org.users[Role.OFFICE]).get(_detail(complaint), **ENGLISH)
    assert "cmp-anonymous" in text.content.decode()
    assert "followed with the tracking code only" in text.content.decode()


def test_the_items_link_to_the_version_the_complainant_saw(client, org, calendar):
    with travel(at(2026, 5, 6)):
        entry = numbered_entry(org, 3, name="食盐批发许可")
    with travel(NOW):
        complaint = build.file(org, entries=[entry]).complaint
        response = _client(client, org.users[Role.OFFICE]).get(_detail(complaint))
    [(item, url)] = response.context["items"]
    assert item.version == entry.version
    assert url == f"{reverse('registry:entry', args=[entry.code])}?as_of=2026-09-29"
    assert f'href="{url}"' in response.content.decode()


def test_the_timeline_shows_every_event_with_its_actor_opinion_and_public_note(
    client, org, calendar, frozen
):
    complaint = build.accepted(org)
    complaint = services.complaint_extend(
        actor=org.users[Role.OFFICE], complaint=complaint, days=20, reason="需调取三年台账。"
    )
    response = _client(client, org.users[Role.OFFICE]).get(_detail(complaint), **ENGLISH)
    rows = response.context["timeline"]
    assert [row.event.transition for row in rows] == ["file", "accept", "extend"]
    assert rows[0].event.actor is None and rows[1].event.actor == org.users[Role.OFFICE]
    assert ("Extension", "20 days") in rows[2].facts
    text = response.content.decode()
    assert "the complainant" in text and "需调取三年台账。" in text
    assert "Told to the complainant" in text


def test_the_sweeps_notices_are_the_systems_in_the_timeline(client, org, calendar):
    with travel(NOW):
        complaint = build.file(org).complaint
    services.complaint_deadlines_sweep(now=at(2026, 10, 16))
    with travel(at(2026, 10, 16)):
        response = _client(client, org.users[Role.OFFICE]).get(_detail(complaint), **ENGLISH)
    [overdue] = [row for row in response.context["timeline"] if row.event.transition == "overdue"]
    assert overdue.event.actor is None
    assert ("Due", "2026-10-14 23:59") in overdue.facts
    assert 'class="adj-actor">system<' in response.content.decode()


def test_a_complaint_the_user_may_not_see_is_not_found(client, org, calendar, frozen):
    complaint = build.file(org).complaint
    for role in (Role.REVIEWER, Role.DIGITAL):
        reader = _client(client, org.users[role])
        assert reader.get(_detail(complaint)).status_code == 404
        assert reader.post(_act(complaint, "accept")).status_code == 404
    district = _client(client, org.district_users[Role.OFFICE])
    assert district.get(_detail(complaint)).status_code == 404
    assert client.get(_detail(complaint) + "x/").status_code == 404
    office = _client(client, org.users[Role.OFFICE])
    assert office.post(_act(complaint, "rate")).status_code == 404
    assert office.get(_act(complaint, "accept")).status_code == 405


@pytest.mark.parametrize(
    ("role", "state"),
    [
        (Role.OFFICE, "received"),
        (Role.CLERK, "received"),
        (Role.SUPERVISOR, "received"),
        (Role.CLERK, "handling"),
        (Role.OFFICE, "handling"),
        (Role.OFFICE, "answered"),
        (Role.ADMINISTRATOR, "answered"),
    ],
)
def test_the_panel_offers_exactly_what_selectors_available_names(
    client, org, calendar, frozen, role, state
):
    complaint = {
        "received": lambda: build.file(org).complaint,
        "handling": lambda: build.accepted(org),
        "answered": lambda: build.answered(org),
    }[state]()
    user = org.users[role]
    response = _client(client, user).get(_detail(complaint))
    offered = [entry.name for entry in response.context["panel"]]
    visible = selectors.complaint_by_code(user=user, code=complaint.code)
    assert offered == selectors.available(user=user, complaint=visible)
    assert offered  # every one of these may at least step aside
    text = response.content.decode()
    for name in offered:
        assert f'action="{_act(complaint, name)}"' in text


# --- each action through the page ----------------------------------------------------------------


def test_the_office_accepts_naming_the_responsible_department(client, org, calendar, frozen):
    complaint = build.file(org).complaint
    office = _client(client, org.users[Role.OFFICE])
    legal = org.departments["legal"]
    response = _post(office, complaint, "accept", responsible=legal.pk, opinion="由法制办答复。")
    assert response.status_code == 302 and response["Location"] == _detail(complaint)
    complaint = _refreshed(complaint)
    assert complaint.state == ComplaintState.HANDLING and complaint.responsible == legal
    followed = office.get(response["Location"], **ENGLISH)
    assert "is now Accepted, being handled" in followed.content.decode()


def test_a_refusal_asks_first_and_names_the_repeat(client, org, calendar, frozen):
    earlier = build.closed(org).complaint
    complaint = build.file(org).complaint
    office = _client(client, org.users[Role.OFFICE])
    page = office.get(_detail(complaint))
    assert [repeat.complaint for repeat in page.context["repeats"]] == [earlier]
    refuse = next(entry.form for entry in page.context["panel"] if entry.name == "refuse")
    assert refuse.fields["repeat_of"].initial == earlier.pk
    reason = "同一事项已于九月答复，未提出新的事实和理由。"
    # Not confirmed: nothing is done and the reason typed is kept.
    response = _post(office, complaint, "refuse", ground=RefusalGround.REPEAT, reason=reason)
    assert response.status_code == 200
    assert "confirm" in response.context["failed"].form.errors
    assert reason in response.content.decode()
    assert _refreshed(complaint).state == ComplaintState.RECEIVED
    # The repeat ground without the earlier complaint: said next to the field.
    response = _post(
        office, complaint, "refuse", ground=RefusalGround.REPEAT, reason=reason, confirm="on"
    )
    assert response.context["failed"].form.errors["repeat_of"] == [
        "Name the earlier complaint this one repeats."
    ]
    response = _post(
        office,
        complaint,
        "refuse",
        ground=RefusalGround.REPEAT,
        reason=reason,
        repeat_of=earlier.pk,
        confirm="on",
    )
    assert response.status_code == 302
    complaint = _refreshed(complaint)
    assert complaint.state == ComplaintState.REFUSED
    assert (complaint.refusal_ground, complaint.refusal_reason) == (RefusalGround.REPEAT, reason)
    assert complaint.repeat_of == earlier
    text = office.get(_detail(complaint), **ENGLISH).content.decode()
    assert "Repeat of" in text and earlier.code in text


def test_an_open_repeat_is_merged(client, org, calendar, frozen):
    earlier = build.accepted(org)
    complaint = build.file(org).complaint
    office = _client(client, org.users[Role.OFFICE])
    response = _post(office, complaint, "merge", into=earlier.pk, confirm="on")
    assert response.status_code == 302
    complaint = _refreshed(complaint)
    assert (complaint.state, complaint.repeat_of) == (ComplaintState.MERGED, earlier)


def test_a_complaint_about_another_jurisdiction_is_transferred(client, org, calendar, frozen):
    complaint = build.file(org).complaint
    office = _client(client, org.users[Role.OFFICE])
    district_salt = org.district_departments["salt"]
    # A department of another jurisdiction than the one chosen is refused next to its field.
    response = _post(
        office,
        complaint,
        "transfer",
        jurisdiction=org.town.pk,
        department=district_salt.pk,
        reason="属上街区管辖。",
    )
    assert "department" in response.context["failed"].form.errors
    response = _post(
        office,
        complaint,
        "transfer",
        jurisdiction=org.district.pk,
        department=district_salt.pk,
        reason="属上街区管辖。",
    )
    assert response.status_code == 302
    complaint = _refreshed(complaint)
    assert (complaint.jurisdiction, complaint.department) == (org.district, district_salt)
    assert complaint.state == ComplaintState.RECEIVED


def test_not_ours_without_a_body_is_refused_then_the_office_passes_it_on(
    client, org, calendar, frozen
):
    complaint = build.accepted(org)
    clerk = _client(client, org.users[Role.CLERK])
    reason = "该事项由市法制办负责。"
    response = _post(clerk, complaint, "decline", reason=reason, confirm="on")
    assert response.status_code == 200
    assert _refusal(response)[0] == (
        "Name the body that is responsible: a complaint cannot be declined without it."
    )
    assert reason in response.content.decode()
    assert _refreshed(complaint).state == ComplaintState.HANDLING
    legal = org.departments["legal"]
    response = _post(clerk, complaint, "decline", responsible=legal.pk, reason=reason, confirm="on")
    assert response.status_code == 302
    assert _refreshed(complaint).state == ComplaintState.REASSIGNING
    office = _client(client, org.users[Role.OFFICE])
    page = office.get(_detail(complaint))
    reassign = next(entry.form for entry in page.context["panel"] if entry.name == "reassign")
    assert reassign.fields["responsible"].initial == legal.pk
    response = _post(office, complaint, "reassign", responsible=legal.pk, reason="转法制办办理。")
    assert response.status_code == 302
    complaint = _refreshed(complaint)
    assert (complaint.state, complaint.responsible) == (ComplaintState.HANDLING, legal)
    events = list(complaint.events.values_list("transition", flat=True))
    assert events[-2:] == [Transition.DECLINE, Transition.REASSIGN]


def test_the_office_extends_once_within_the_policy(client, org, calendar, frozen):
    complaint = build.accepted(org)
    office = _client(client, org.users[Role.OFFICE])
    response = _post(office, complaint, "extend", days=31, reason="情况复杂。")
    assert "days" in response.context["failed"].form.errors
    response = _post(office, complaint, "extend", days=30, reason="情况复杂。")
    assert response.status_code == 302
    assert _refreshed(complaint).extension_days == 30
    # Once only: a second extension is refused with why.
    response = _post(office, complaint, "extend", days=5, reason="再延。")
    assert _refusal(response)[0] == (
        f"The handling period of complaint {complaint.code} was already extended once."
    )


def test_answer_return_answer_and_close_as_substantiated(client, org, calendar, frozen):
    entry = numbered_entry(org, 4)
    complaint = build.accepted(org, entries=[entry])
    clerk = _client(client, org.users[Role.CLERK])
    assert _post(clerk, complaint, "answer", answer="已核实，正在整改。").status_code == 302
    office = _client(client, org.users[Role.OFFICE])
    response = _post(office, complaint, "return", reasons="请说明退费情况。")
    assert response.status_code == 302
    assert _refreshed(complaint).state == ComplaintState.HANDLING
    clerk = _client(client, org.users[Role.CLERK])
    response = _post(clerk, complaint, "answer", answer="已责令停止收费并全额退还。")
    assert response.status_code == 302
    office = _client(client, org.users[Role.OFFICE])
    # Substantiated without the finding: said next to the field, nothing done.
    response = _post(office, complaint, "close", outcome=Outcome.SUBSTANTIATED, confirm="on")
    assert "finding" in response.context["failed"].form.errors
    response = _post(
        office,
        complaint,
        "close",
        outcome=Outcome.SUBSTANTIATED,
        answer="经查属实，已责令停止收费并全额退还。",
        finding="许可取消后仍收取审查费",
        finding_department=org.departments["salt"].pk,
        found_entries=[entry.pk],
        confirm="on",
    )
    assert response.status_code == 302
    complaint = _refreshed(complaint)
    assert (complaint.state, complaint.outcome) == (ComplaintState.CLOSED, Outcome.SUBSTANTIATED)
    assert complaint.answer == "经查属实，已责令停止收费并全额退还。"
    assert list(ComplaintItem.objects.filter(found=True).values_list("entry", flat=True)) == [
        entry.pk
    ]
    text = office.get(_detail(complaint), **ENGLISH).content.decode()
    assert "许可取消后仍收取审查费" in text and "in the finding" in text


def test_the_office_answers_a_review(client, org, calendar, frozen):
    filed = build.closed(org)
    services.complaint_review_request(
        actor=None, complaint=filed.complaint, secret=filed.secret, reasons="未退还收费。"
    )
    office = _client(client, org.users[Role.OFFICE])
    response = _post(office, filed.complaint, "review", decision="changed", answer="经复查…")
    assert "outcome" in response.context["failed"].form.errors
    response = _post(
        office,
        filed.complaint,
        "review",
        decision="changed",
        answer="经复查，部分属实。",
        outcome=Outcome.PARTLY,
        finding="收费未全额退还",
    )
    assert response.status_code == 302
    complaint = _refreshed(filed.complaint)
    assert (complaint.state, complaint.outcome, complaint.review_round) == (
        ComplaintState.CLOSED,
        Outcome.PARTLY,
        1,
    )


def test_standing_aside_through_the_page(client, org, calendar, frozen):
    complaint = build.accepted(org)
    second_clerk = build.staff(org, "city-clerk-2", department=org.departments["salt"])
    office = _client(client, org.users[Role.OFFICE])
    page = office.get(_detail(complaint))
    form = next(entry.form for entry in page.context["panel"] if entry.name == "stand_aside")
    assert second_clerk in form.fields["person"].queryset
    response = _post(
        office,
        complaint,
        "stand_aside",
        reason="系投诉人近亲属。",
        person=second_clerk.pk,
        confirm="on",
    )
    assert response.status_code == 302 and response["Location"] == _detail(complaint)
    assert StandAside.objects.filter(complaint=complaint, user=second_clerk).exists()
    # The clerk steps aside themself: the complaint leaves their queue and their sight.
    clerk = _client(client, org.users[Role.CLERK])
    response = _post(clerk, complaint, "stand_aside", reason="曾参与该事项审批。", confirm="on")
    assert response["Location"] == reverse("complaints:queue")
    assert clerk.get(_detail(complaint)).status_code == 404
    assert not clerk.get(reverse("complaints:queue")).context["waiting"]


def test_a_refused_action_changes_nothing_and_keeps_what_was_typed(client, org, calendar, frozen):
    complaint = build.file(org).complaint
    clerk = _client(client, org.users[Role.CLERK])
    before = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("pk", flat=True))
    response = _post(clerk, complaint, "accept", opinion="我来受理。")
    assert response.status_code == 200
    [message] = _refusal(response)
    assert message.startswith("“Accept” is not yours to do")
    assert "我来受理。" in response.content.decode()
    after = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("pk", flat=True))
    assert after == before
    assert _refreshed(complaint).state == ComplaintState.RECEIVED


# --- evidence -----------------------------------------------------------------------------------


def test_evidence_is_served_only_to_staff_who_may_see_the_complaint(client, org, calendar, frozen):
    upload = SimpleUploadedFile("收费凭证.pdf", PDF, content_type="application/pdf")
    complaint = build.file(org, files=[upload]).complaint
    evidence = complaint.evidence.get()
    url = reverse("complaints:evidence", args=[evidence.pk])
    for role in (Role.CLERK, Role.OFFICE, Role.SUPERVISOR):
        response = _client(client, org.users[role]).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get(_detail(complaint)).content.decode()
    assert f'href="{url}"' in page
    for user in (org.users[Role.REVIEWER], org.district_users[Role.OFFICE]):
        assert _client(client, user).get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))
    # Standing aside hides the evidence too.
    clerk = org.users[Role.CLERK]
    services.complaint_stand_aside(actor=clerk, complaint=complaint, reason="利害关系。")
    assert _client(client, clerk).get(url).status_code == 404


def test_the_navigation_links_staff_to_the_queue(client, org, calendar, frozen):
    queue = reverse("complaints:queue")
    assert f'href="{queue}"' not in client.get("/").content.decode()
    response = _client(client, org.users[Role.CLERK]).get(queue)
    assert f'href="{queue}" aria-current="page"' in response.content.decode()


def test_the_received_day_is_the_shanghai_day(client, org, calendar):
    # 01:00 in Shanghai on 29 September is still 28 September in UTC.
    with travel(at(2026, 9, 29, 1)):
        entry = numbered_entry(org, 5)
        complaint = build.file(org, entries=[entry]).complaint
        response = _client(client, org.users[Role.OFFICE]).get(_detail(complaint))
    assert complaint.received_at.astimezone(datetime.UTC).date() == datetime.date(2026, 9, 28)
    [(_item, url)] = response.context["items"]
    assert url.endswith("?as_of=2026-09-29")


# --- the administrators' pages ------------------------------------------------------------------


def test_an_administrator_keeps_a_complaint_policy_through_the_service(client, org, calendar):
    client.force_login(org.users[Role.ADMINISTRATOR])
    values = {
        "jurisdiction": org.district.pk,
        "acceptance_by": "department",
        "accept_days": 10,
        "handle_days": 60,
        "extension_days": 30,
        "check_days": 10,
        "reassign_days": 5,
        "review_request_days": 30,
        "review_days": 30,
    }
    response = client.post(reverse("admin:complaints_complaintpolicy_add"), values)
    assert response.status_code == 302
    policy = ComplaintPolicy.objects.get(jurisdiction=org.district)
    assert (policy.accept_days, policy.acceptance_by) == (10, "department")
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        content_type=ContentType.objects.get_for_model(ComplaintPolicy),
        object_id=str(policy.pk),
        actor=org.users[Role.ADMINISTRATOR],
    ).exists()
    change = reverse("admin:complaints_complaintpolicy_change", args=[policy.pk])
    response = client.post(change, {**values, "accept_days": 0}, **ENGLISH)
    assert response.status_code == 200
    assert "accept_days" in response.context["adminform"].form.errors
    assert ComplaintPolicy.objects.get(pk=policy.pk).accept_days == 10


def test_complaints_are_read_only_in_the_admin(client, org, calendar, frozen):
    complaint = _recorded_in_person(org)
    client.force_login(org.users[Role.ADMINISTRATOR])
    listed = client.get(reverse("admin:complaints_complaint_changelist"))
    assert list(listed.context["cl"].result_list) == [complaint]
    change = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    page = client.get(change)
    assert page.status_code == 200
    text = page.content.decode()
    assert complaint.id_number_masked in text and RESIDENT_ID not in text
    assert complaint.secret_hash not in text
    assert client.post(change, {"state": ComplaintState.CLOSED}).status_code == 403
    assert client.get(reverse("admin:complaints_complaint_add")).status_code == 403
    delete = reverse("admin:complaints_complaint_delete", args=[complaint.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert _refreshed(complaint).state == ComplaintState.RECEIVED
    district = org.district_users[Role.ADMINISTRATOR]
    client.force_login(district)
    listed = client.get(reverse("admin:complaints_complaint_changelist"))
    assert list(listed.context["cl"].result_list) == []


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "abc"])
def test_an_id_too_large_or_malformed_is_a_form_error(client, org, calendar, frozen, value):
    complaint = build.accepted(org, entries=[numbered_entry(org, 9)])
    office = _client(client, org.users[Role.OFFICE])
    response = _post(office, complaint, "stand_aside", reason="利害关系。", person=value)
    assert "person" in response.context["failed"].form.errors
    clerk = _client(client, org.users[Role.CLERK])
    response = _post(clerk, complaint, "decline", reason="非本局。", responsible=value)
    assert "responsible" in response.context["failed"].form.errors
    services.complaint_answer(actor=org.users[Role.CLERK], complaint=complaint, answer="已处理。")
    office = _client(client, org.users[Role.OFFICE])
    response = _post(
        office, complaint, "close", outcome=Outcome.PARTLY, finding="x", found_entries=[value]
    )
    assert "found_entries" in response.context["failed"].form.errors
    assert _refreshed(complaint).state == ComplaintState.ANSWERED
