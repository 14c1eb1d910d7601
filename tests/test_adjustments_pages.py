"""Issue 4 §2, §7: the staff pages of the adjustment procedure. Each page opens for the roles
that may see it; the list and the home page's queue cost the same queries however much data
there is; a request is filed, forwarded, returned and resubmitted through the pages; a refused
action shows the service's reason and changes nothing; documents are served only to those who
see the request; the policy page saves for the office only."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from adjustments import services
from adjustments.choices import (
    AdjustmentPath,
    RequestOrigin,
    RequestState,
    ReviewConclusion,
    StepKind,
    Transition,
    TriggerKind,
)
from adjustments.models import AdjustmentPolicy, AdjustmentRequest, ClockStop, RequestEvent, Step
from core.choices import Role
from registry import services as registry_services
from registry.choices import LawStatus
from tests import registry_builders
from tests.adjustment_builders import (
    at,
    draft_of,
    open_step,
    published_entry,
    request_for,
    walk_to_review,
)

EVENT_DAY = datetime.date(2026, 9, 18)
NOW = at(2026, 9, 29)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded documents go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _client(client, user):
    client.force_login(user)
    return client


def _entry(org, number: int, **overrides):
    """A published entry of the city's salt bureau with its own name and basic code."""
    return published_entry(
        org, name=f"食盐许可事项{number}", basic_code=f"07{number + 10:05d}000", **overrides
    )


def _requests(org, first: int, count: int, **kwargs) -> list[AdjustmentRequest]:
    return [
        request_for(org, event_date=EVENT_DAY, entry=_entry(org, number), **kwargs)
        for number in range(first, first + count)
    ]


def _detail(request: AdjustmentRequest) -> str:
    return reverse("adjustments:detail", args=[request.number])


def _act(request: AdjustmentRequest, transition: str) -> str:
    return reverse("adjustments:act", args=[request.number, transition])


def _refusal(response) -> str:
    """The message the page shows for the refused action."""
    failed = response.context["failed"]
    assert failed is not None
    errors = failed.form.non_field_errors()
    assert errors, failed.form.errors
    return errors[0]


# --- who opens which page -----------------------------------------------------------------------


def test_each_page_opens_for_the_roles_that_may_see_it(client, org, calendar, frozen):
    request = walk_to_review(org, request_for(org, event_date=EVENT_DAY))
    detail = _detail(request)
    seeing = {Role.CLERK, Role.OFFICE, Role.REVIEWER, Role.SUPERVISOR, Role.ADMINISTRATOR}
    for role in Role:
        client.force_login(org.users[role])
        listed = client.get(reverse("adjustments:list"))
        assert listed.status_code == 200, role
        numbers = [row.adjustment.number for row in listed.context["rows"]]
        assert numbers == ([request.number] if role in seeing else []), role
        assert client.get(detail).status_code == (200 if role in seeing else 404), role
        assert client.get(reverse("adjustments:policy")).status_code == 200, role
        new = client.get(reverse("adjustments:new"))
        assert new.status_code == (200 if role == Role.CLERK else 403), role
        assert client.get(reverse("core:home")).status_code == 200, role
    # Another department's clerk does not learn that the request exists.
    client.force_login(org.district_users[Role.CLERK])
    assert client.get(detail).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, org, calendar, frozen):
    request = request_for(org, event_date=EVENT_DAY)
    login = reverse("core:login")
    for url in (
        reverse("adjustments:list"),
        reverse("adjustments:new"),
        reverse("adjustments:policy"),
        _detail(request),
        reverse("adjustments:edit", args=[request.number]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login + "?next="), url
    response = client.post(_act(request, Transition.SUBMIT))
    assert response.status_code == 302 and response["Location"].startswith(login)


def test_the_detail_page_shows_facts_items_timeline_and_actions(client, org, calendar):
    people = org.users
    with time_machine.travel(at(2026, 9, 29, 9), tick=False):
        request = request_for(org, event_date=EVENT_DAY)
    with time_machine.travel(at(2026, 9, 29, 9, 30), tick=False):
        request = services.adjustment_submit(actor=people[Role.CLERK], request=request)
    with time_machine.travel(at(2026, 9, 30, 10), tick=False):
        request = services.adjustment_forward(
            actor=people[Role.OFFICE], request=request, reviewers=[org.departments["legal"]]
        )
        response = _client(client, people[Role.REVIEWER]).get(_detail(request))
    content = response.content.decode()
    assert request.number in content and request.summary in content
    (item,) = response.context["items"]
    changed = {row.name: (row.old, row.new) for row in item.changed}
    assert changed == {"promised_limit_days": (["10"], ["5"])}
    # Each step right after the action that opened it; the application period runs from the
    # event's date, before the request was written.
    timeline = [
        ("step", row.step.kind) if row.step else ("event", row.event.transition)
        for row in response.context["timeline"]
    ]
    assert timeline == [
        ("step", StepKind.APPLY),
        ("event", Transition.CREATE),
        ("event", Transition.SUBMIT),
        ("step", StepKind.FORWARD),
        ("event", Transition.FORWARD),
        ("step", StepKind.REVIEW),
        ("step", StepKind.JOINT_NOTICE),
    ]
    panel = [entry.name for entry in response.context["panel"]]
    assert panel == [Transition.REVIEW, Transition.JOINT_REQUEST, Transition.JOINT_DECLINE]
    assert f'action="{_act(request, Transition.REVIEW)}"' in content


def test_on_the_real_clock_each_step_follows_the_action_that_opened_it(client, org, calendar):
    """A transition's event carries the moment its steps started at: with the clock running,
    the timeline still puts every step right after the action that opened it."""
    people = org.users
    request = request_for(org, event_date=timezone.localdate() - datetime.timedelta(days=1))
    request = services.adjustment_submit(actor=people[Role.CLERK], request=request)
    request = services.adjustment_forward(
        actor=people[Role.OFFICE], request=request, reviewers=[org.departments["legal"]]
    )
    submit = RequestEvent.objects.get(request=request, transition=Transition.SUBMIT)
    forward = Step.objects.get(request=request, kind=StepKind.FORWARD)
    # The apply step finished, the forward step started and the event was written at one
    # moment.
    assert submit.at == submit.step.finished_at == forward.started_at
    response = _client(client, people[Role.OFFICE]).get(_detail(request))
    timeline = [
        ("step", row.step.kind) if row.step else ("event", row.event.transition)
        for row in response.context["timeline"]
    ]
    assert timeline[-5:] == [
        ("event", Transition.SUBMIT),
        ("step", StepKind.FORWARD),
        ("event", Transition.FORWARD),
        ("step", StepKind.REVIEW),
        ("step", StepKind.JOINT_NOTICE),
    ]


def test_reminders_and_overdue_notices_are_shown_as_the_systems(client, org, calendar):
    with time_machine.travel(at(2026, 9, 29, 9), tick=False):
        request = request_for(org, event_date=EVENT_DAY)
    services.deadlines_sweep(now=at(2026, 10, 12, 9))
    with time_machine.travel(at(2026, 10, 12, 9), tick=False):
        response = _client(client, org.users[Role.OFFICE]).get(_detail(request))
    notices = [
        row.event
        for row in response.context["timeline"]
        if row.event and row.event.transition == Transition.DEADLINE_OVERDUE
    ]
    assert len(notices) == 1 and notices[0].actor is None
    assert 'class="adj-actor"' in response.content.decode()


# --- the list -----------------------------------------------------------------------------------


def _list_queries(client, **query) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("adjustments:list"), query)
    assert response.status_code == 200
    return len(queries), len(response.context["rows"])


def test_the_list_costs_the_same_queries_for_2_and_12_requests(client, org, calendar, frozen):
    filtered = {
        "state": RequestState.REVIEWING,
        "department": org.departments["salt"].pk,
        "q": "食盐",
    }
    for request in _requests(org, 0, 2):
        walk_to_review(org, request, reviewers=("legal", "establishment"))
    office = _client(client, org.users[Role.OFFICE])
    few, shown = _list_queries(office)
    few_filtered, shown_filtered = _list_queries(office, **filtered)
    assert (shown, shown_filtered) == (2, 2)
    more = _requests(org, 2, 10)
    for request in more[:5]:
        walk_to_review(org, request, reviewers=("legal", "establishment"))
    many, shown = _list_queries(office)
    many_filtered, shown_filtered = _list_queries(office, **filtered)
    assert (shown, shown_filtered) == (12, 7)
    assert many == few
    assert many_filtered == few_filtered


def test_the_list_filters_in_the_url(client, org, calendar, frozen):
    drafting, reviewing = _requests(org, 0, 2)
    walk_to_review(org, reviewing)
    # The primary reviewer says at once that no joint review is needed (its 1-day step).
    services.adjustment_joint_decline(actor=org.users[Role.REVIEWER], request=reviewing)
    law = registry_builders.law()
    by_law = request_for(
        org,
        event_date=EVENT_DAY,
        entry=_entry(org, 5),
        trigger=TriggerKind.LAW_CHANGED,
        law=law,
        summary="依据法律修改调整事项",
    )
    office = _client(client, org.users[Role.OFFICE])

    def numbers(**query) -> set[str]:
        response = office.get(reverse("adjustments:list"), query)
        assert response.status_code == 200
        return {row.adjustment.number for row in response.context["rows"]}

    everything = {drafting.number, reviewing.number, by_law.number}
    assert numbers() == everything
    assert numbers(state=RequestState.REVIEWING) == {reviewing.number}
    assert numbers(trigger=TriggerKind.LAW_CHANGED) == {by_law.number}
    assert numbers(q="法律修改") == {by_law.number}
    assert numbers(q=drafting.number) == {drafting.number}
    assert numbers(department=org.departments["salt"].pk) == everything
    # A department with no visible request is not a choice: the filter is refused, not empty.
    response = office.get(reverse("adjustments:list"), {"department": org.departments["legal"].pk})
    assert response.context["filter_form"].errors and response.context["rows"] == []
    assert numbers(overdue="on") == set()
    # The review step (5 working days from 09-29) is overdue after 10-13; the apply steps of
    # the two others (10 working days from 09-18) after 10-09.
    with time_machine.travel(at(2026, 10, 12), tick=False):
        assert numbers(overdue="on") == {drafting.number, by_law.number}
        response = office.get(reverse("adjustments:list"), {"overdue": "on"})
        content = response.content.decode()
        assert content.count("adj-flag-late") == 2
        assert content.count('class="adj-row-late"') == 2
    with time_machine.travel(at(2026, 10, 14), tick=False):
        office.force_login(org.users[Role.OFFICE])
        assert numbers(overdue="on") == everything


def test_clerks_see_the_new_request_button_and_others_do_not(client, org, calendar, frozen):
    new = reverse("adjustments:new")
    clerk_page = _client(client, org.users[Role.CLERK]).get(reverse("adjustments:list"))
    assert f'href="{new}"' in clerk_page.content.decode()
    office_page = _client(client, org.users[Role.OFFICE]).get(reverse("adjustments:list"))
    assert f'href="{new}"' not in office_page.content.decode()


# --- filing a request ---------------------------------------------------------------------------


def _form_data(draft, **overrides) -> dict:
    data = {
        "trigger": TriggerKind.INTERNAL,
        "event_date": EVENT_DAY.isoformat(),
        "law": "",
        "summary": "缩短食盐批发许可承诺时限",
        "reason": "流程优化。",
        "drafts": [draft.pk] if draft else [],
        "then": "save",
    }
    data.update(overrides)
    return data


def test_a_clerk_files_a_request_with_a_document(client, org, calendar, frozen):
    clerk = org.users[Role.CLERK]
    draft = draft_of(_entry(org, 1), clerk, promised_limit_days=5)
    clerk_client = _client(client, clerk)
    form_page = clerk_client.get(reverse("adjustments:new"), {"draft": draft.pk})
    assert form_page.status_code == 200
    assert form_page.context["form"]["drafts"].value() == [draft.pk]
    upload = SimpleUploadedFile("调整依据.pdf", b"%PDF-1.4 basis", content_type="application/pdf")
    response = clerk_client.post(
        reverse("adjustments:new"), {**_form_data(draft), "files": [upload]}
    )
    request = AdjustmentRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(request)
    assert request.state == RequestState.DRAFTING
    assert [item.draft_id for item in request.items.all()] == [draft.pk]
    (attachment,) = request.attachments.all()
    assert attachment.name == "调整依据.pdf"

    page = clerk_client.get(_detail(request))
    (create,) = [row.event for row in page.context["timeline"] if row.event]
    assert create.transition == Transition.CREATE
    assert [a.name for a in create.attachments.all()] == ["调整依据.pdf"]
    download = reverse("adjustments:attachment", args=[request.number, attachment.pk])
    assert download in page.content.decode()

    client.force_login(org.users[Role.OFFICE])
    served = client.get(download)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == b"%PDF-1.4 basis"
    assert "attachment" in served["Content-Disposition"]
    assert "filename*=utf-8''%E8%B0%83%E6%95%B4" in served["Content-Disposition"]
    # Another department's clerk, and any request's number that is not the document's: no.
    client.force_login(org.district_users[Role.CLERK])
    assert client.get(download).status_code == 404
    other = request_for(org, event_date=EVENT_DAY, entry=_entry(org, 2))
    client.force_login(org.users[Role.OFFICE])
    wrong = reverse("adjustments:attachment", args=[other.number, attachment.pk])
    assert client.get(wrong).status_code == 404


def test_save_and_submit_sends_the_request_to_the_office(client, org, calendar, frozen):
    clerk = org.users[Role.CLERK]
    draft = draft_of(_entry(org, 1), clerk, promised_limit_days=5)
    response = _client(client, clerk).post(
        reverse("adjustments:new"), _form_data(draft, then="send")
    )
    request = AdjustmentRequest.objects.get()
    assert response.status_code == 302
    assert request.state == RequestState.SUBMITTED
    assert open_step(request, StepKind.FORWARD).department == org.departments["office"]


def test_a_refused_submit_leaves_no_half_made_request(client, org, calendar, frozen):
    """The form is valid, the request could be created, but submitting it is refused (it
    proposes nothing): nothing is saved and everything typed is shown again."""
    response = _client(client, org.users[Role.CLERK]).post(
        reverse("adjustments:new"), _form_data(None, then="send", summary="没有草稿的申请")
    )
    assert response.status_code == 200
    assert AdjustmentRequest.objects.count() == 0
    assert RequestEvent.objects.count() == 0
    form = response.context["form"]
    assert form.non_field_errors()
    assert form["summary"].value() == "没有草稿的申请"
    assert 'value="没有草稿的申请"' in response.content.decode()


def test_the_form_refuses_a_bad_file_and_a_law_trigger_without_law(client, org, calendar, frozen):
    clerk = org.users[Role.CLERK]
    draft = draft_of(_entry(org, 1), clerk, promised_limit_days=5)
    upload = SimpleUploadedFile("run.exe", b"MZ")
    response = _client(client, clerk).post(
        reverse("adjustments:new"),
        {**_form_data(draft, trigger=TriggerKind.NEW_LAW), "files": [upload]},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"files", "law"}
    assert form.errors["files"] == services.attachment_problems([upload])
    assert AdjustmentRequest.objects.count() == 0


def test_a_submitted_request_cannot_be_edited(client, org, calendar, frozen):
    request = services.adjustment_submit(
        actor=org.users[Role.CLERK], request=request_for(org, event_date=EVENT_DAY)
    )
    edit = reverse("adjustments:edit", args=[request.number])
    clerk = _client(client, org.users[Role.CLERK])
    response = clerk.get(edit)
    assert response.status_code == 302 and response["Location"] == _detail(request)
    response = clerk.post(edit, {"summary": "改了"}, follow=True)
    assert [str(message) for message in response.context["messages"]]
    request.refresh_from_db()
    assert request.summary != "改了"
    client.force_login(org.users[Role.OFFICE])
    assert client.get(edit).status_code == 403


def test_a_change_of_law_lists_the_entries_it_concerns(client, org, calendar, frozen):
    """Issue 4 §6: the request opened by an amended law lists the entries citing it, each
    linked to its public page; the department's clerk may start a draft of each."""
    entry = _entry(org, 1)
    registry_services.law_status_set(
        actor=None, law=registry_builders.law(), status=LawStatus.AMENDED, on=EVENT_DAY
    )
    request = AdjustmentRequest.objects.get(origin=RequestOrigin.LAW_CHANGE)
    start = reverse("registry:draft-start", args=[entry.code])
    clerk_page = _client(client, org.users[Role.CLERK]).get(_detail(request))
    assert clerk_page.context["affected"] == [(entry, True)]
    content = clerk_page.content.decode()
    assert reverse("registry:entry", args=[entry.code]) in content
    assert f'action="{start}"' in content
    office_page = _client(client, org.users[Role.OFFICE]).get(_detail(request))
    assert office_page.context["affected"] == [(entry, False)]
    assert f'action="{start}"' not in office_page.content.decode()
    # The system opened it: its creation reads as the system's.
    (created,) = [row.event for row in office_page.context["timeline"] if row.event]
    assert created.actor is None


def test_a_clerk_saves_changes_to_a_request_being_prepared(client, org, calendar, frozen):
    request = request_for(org, event_date=EVENT_DAY)
    draft = request.items.get().draft
    edit = reverse("adjustments:edit", args=[request.number])
    clerk = _client(client, org.users[Role.CLERK])
    page = clerk.get(edit)
    assert page.context["form"]["summary"].value() == request.summary
    assert page.context["form"]["drafts"].value() == [draft.pk]
    response = clerk.post(
        edit, _form_data(draft, summary="新的主题", event_date="2026-09-21", then="save")
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.summary, request.state) == ("新的主题", RequestState.DRAFTING)
    assert request.event_date == datetime.date(2026, 9, 21)


# --- transitions through the page ------------------------------------------------------------


def test_a_transition_by_the_wrong_role_or_in_the_wrong_state_changes_nothing(
    client, org, calendar, frozen
):
    clerk = org.users[Role.CLERK]
    request = services.adjustment_submit(
        actor=clerk, request=request_for(org, event_date=EVENT_DAY)
    )
    events = RequestEvent.objects.count()
    legal = org.departments["legal"]
    # The clerk may see the request but forwarding is the office's.
    response = _client(client, clerk).post(
        _act(request, Transition.FORWARD),
        {"forward-reviewers": [legal.pk], "forward-primary": legal.pk},
    )
    assert response.status_code == 200
    message = _refusal(response)
    assert request.number in message
    assert message in response.content.decode()
    # The office, but approving comes after the review.
    client.force_login(org.users[Role.OFFICE])
    response = client.post(_act(request, Transition.APPROVE), {"approve-opinion": "同意。"})
    assert response.status_code == 200
    assert str(RequestState.SUBMITTED.label) in _refusal(response)
    # What was typed is still in the form.
    assert "同意。" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED
    assert RequestEvent.objects.count() == events
    assert not Step.objects.filter(request=request, kind=StepKind.REVIEW).exists()


def test_an_invalid_form_is_shown_again_with_its_errors(client, org, calendar, frozen):
    request = services.adjustment_submit(
        actor=org.users[Role.CLERK], request=request_for(org, event_date=EVENT_DAY)
    )
    response = _client(client, org.users[Role.OFFICE]).post(
        _act(request, Transition.RETURN), {"return-reason": ""}
    )
    assert response.status_code == 200
    failed = response.context["failed"]
    assert failed.name == Transition.RETURN and "reason" in failed.form.errors
    assert failed in response.context["panel"]
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED


def test_unknown_actions_and_invisible_requests_are_not_found(client, org, calendar, frozen):
    request = request_for(org, event_date=EVENT_DAY)
    clerk = _client(client, org.users[Role.CLERK])
    assert clerk.post(_act(request, "teleport")).status_code == 404
    assert clerk.post(_act(request, Transition.UPDATE)).status_code == 404
    assert clerk.get(_act(request, Transition.SUBMIT)).status_code == 405
    client.force_login(org.district_users[Role.CLERK])
    assert (
        client.post(_act(request, Transition.WITHDRAW), {"withdraw-reason": "x"}).status_code == 404
    )
    request.refresh_from_db()
    assert request.state == RequestState.DRAFTING


def test_the_office_forwards_to_two_reviewers_through_the_page(client, org, calendar, frozen):
    request = services.adjustment_submit(
        actor=org.users[Role.CLERK], request=request_for(org, event_date=EVENT_DAY)
    )
    office = _client(client, org.users[Role.OFFICE])
    page = office.get(_detail(request))
    (forward,) = [entry for entry in page.context["panel"] if entry.name == Transition.FORWARD]
    offered = set(forward.form.fields["reviewers"].queryset)
    legal, establishment = org.departments["legal"], org.departments["establishment"]
    assert {legal, establishment} <= offered
    assert org.departments["salt"] not in offered
    response = office.post(
        _act(request, Transition.FORWARD),
        {
            "forward-reviewers": [legal.pk, establishment.pk],
            "forward-primary": establishment.pk,
            "forward-opinion": "请两个部门审核。",
        },
    )
    assert response.status_code == 302 and response["Location"] == _detail(request)
    request.refresh_from_db()
    assert request.state == RequestState.REVIEWING
    reviews = Step.objects.filter(request=request, kind=StepKind.REVIEW, finished_at=None)
    assert {(step.department, step.primary) for step in reviews} == {
        (legal, False),
        (establishment, True),
    }
    followed = office.get(_detail(request))
    assert [str(message) for message in followed.context["messages"]]
    # The same form sent again (a second person, or a second click): the service refuses.
    again = office.post(
        _act(request, Transition.FORWARD),
        {"forward-reviewers": [legal.pk], "forward-primary": legal.pk},
    )
    assert again.status_code == 200
    assert request.number in _refusal(again)
    assert Step.objects.filter(request=request, kind=StepKind.REVIEW).count() == 2


def test_forwarding_to_one_reviewer_needs_no_primary_chosen(client, org, calendar, frozen):
    """The primary reviewer is not preselected: an office that ticks one department and leaves
    "primary" alone forwards to it (the first ticked leads)."""
    request = services.adjustment_submit(
        actor=org.users[Role.CLERK], request=request_for(org, event_date=EVENT_DAY)
    )
    office = _client(client, org.users[Role.OFFICE])
    page = office.get(_detail(request))
    (forward,) = [entry for entry in page.context["panel"] if entry.name == Transition.FORWARD]
    assert forward.form["primary"].value() is None
    legal = org.departments["legal"]
    response = office.post(_act(request, Transition.FORWARD), {"forward-reviewers": [legal.pk]})
    assert response.status_code == 302
    (review,) = Step.objects.filter(request=request, kind=StepKind.REVIEW)
    assert (review.department, review.primary) == (legal, True)


def test_a_return_for_supplement_and_a_resubmit_through_the_pages(client, org, calendar, frozen):
    clerk_user = org.users[Role.CLERK]
    request = services.adjustment_submit(
        actor=clerk_user, request=request_for(org, event_date=EVENT_DAY)
    )
    office = _client(client, org.users[Role.OFFICE])
    response = office.post(
        _act(request, Transition.RETURN), {"return-reason": "请补充法律依据的条款。"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.SUPPLEMENT
    forward = Step.objects.get(request=request, kind=StepKind.FORWARD)
    assert forward.clock_stopped and forward.due_at is None
    # The office's page marks the stopped clock.
    assert "adj-flag-paused" in office.get(_detail(request)).content.decode()

    client.force_login(clerk_user)
    edit = reverse("adjustments:edit", args=[request.number])
    page = client.get(edit)
    assert page.status_code == 200
    assert page.context["returned"].opinion == "请补充法律依据的条款。"
    assert "请补充法律依据的条款。" in page.content.decode()
    assert page.context["form"].fields["event_date"].disabled
    draft = request.items.get().draft
    data = _form_data(draft, reason="流程优化；补充了依据。", then="send", note="已补充依据。")
    response = client.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED
    assert request.reason == "流程优化；补充了依据。"
    stop = ClockStop.objects.get(step=forward)
    assert stop.restarted_at is not None
    forward.refresh_from_db()
    assert forward.due_at is not None
    resubmit = RequestEvent.objects.filter(request=request).order_by("-pk").first()
    assert resubmit.transition == Transition.RESUBMIT
    assert resubmit.opinion == "已补充依据。"


def test_every_offered_action_has_a_form_and_a_service(org, calendar, frozen):
    """The panel's table covers every transition a person performs; the request's own edit
    page covers the update, the sweep the deadline events."""
    from adjustments.views import ACTS

    people = set(services.TRANSITIONS) - {Transition.UPDATE}
    assert set(ACTS) == people


def _do(client, user, request, transition: str, data: dict | None = None, files=None):
    """One transition through the request page's form, as `user`; returns the request."""
    client.force_login(user)
    fields = {f"{transition}-{name}": value for name, value in (data or {}).items()}
    # An irreversible action asks first (issue 10 §4): the person ticks "I confirm".
    fields[f"{transition}-confirm"] = "on"
    for name, value in (files or {}).items():
        fields[f"{transition}-{name}"] = value
    response = client.post(_act(request, transition), fields)
    assert response.status_code == 302, (transition, response.context["failed"].form.errors)
    request.refresh_from_db()
    return request


def test_every_step_of_the_five_step_path_through_the_pages(client, org, calendar, frozen):
    """Seed 004 三(三): apply (with an extension), forward, review, approval, objection and
    re-review, confirmation, publication and the department's own site, each by its own
    role through its form."""
    people, legal = org.users, org.departments["legal"]
    request = request_for(org, event_date=EVENT_DAY)
    clerk, office, reviewer, digital = (
        people[Role.CLERK],
        people[Role.OFFICE],
        people[Role.REVIEWER],
        people[Role.DIGITAL],
    )
    _do(
        client, clerk, request, Transition.EXTENSION_REQUEST, {"days": 20, "reason": "需编办批复。"}
    )
    _do(client, office, request, Transition.EXTEND, {"days": 20, "reason": "同意延长。"})
    assert open_step(request, StepKind.APPLY).deadline_days == 20
    upload = SimpleUploadedFile("申请表.pdf", b"%PDF-1.4 form")
    _do(client, clerk, request, Transition.SUBMIT, files={"files": [upload]})
    _do(
        client,
        office,
        request,
        Transition.FORWARD,
        {"reviewers": [legal.pk], "opinion": "请审核。"},
    )
    review = {"conclusion": ReviewConclusion.AGREE, "opinion": "同意。"}
    _do(client, reviewer, request, Transition.REVIEW, review)
    _do(client, office, request, Transition.APPROVE, {"opinion": "同意调整。"})
    _do(client, clerk, request, Transition.OBJECT, {"reason": "时限应为6日。"})
    assert request.state == RequestState.OBJECTED
    # The office sends the objection on; the reviewers of the last round are ticked.
    client.force_login(office)
    page = client.get(_detail(request))
    (sent,) = [e for e in page.context["panel"] if e.name == Transition.OBJECTION_FORWARD]
    assert sent.form["reviewers"].value() == [legal.pk]
    _do(
        client,
        office,
        request,
        Transition.OBJECTION_FORWARD,
        {"reviewers": [legal.pk], "opinion": "请复审。"},
    )
    assert request.state == RequestState.REREVIEW
    _do(
        client,
        reviewer,
        request,
        Transition.REREVIEW,
        {**review, "conclusion": ReviewConclusion.DISAGREE},
    )
    _do(client, office, request, Transition.APPROVE, {"opinion": "维持原意见。"})
    _do(client, clerk, request, Transition.CONFIRM, {"note": "确认。"})
    # Seed 004 三(三)5 "同时": the department may update its own site before publication.
    page = _client(client, clerk).get(_detail(request))
    (site,) = [e for e in page.context["panel"] if e.name == Transition.SITE_UPDATE]
    with translation.override("en"):
        assert "not published on the network yet" in site.form.intro
    _do(client, clerk, request, Transition.SITE_UPDATE, {"note": "已更新网站。"})
    assert request.state == RequestState.DIGITAL_FORWARD
    _do(client, office, request, Transition.DIGITAL_FORWARD, {"opinion": "请公布。"})
    _do(client, digital, request, Transition.PUBLISH, {"note": ""})
    assert request.state == RequestState.COMPLETED
    (item,) = request.items.all()
    assert item.entry.promised_limit_days == 5 and item.entry.version == 2
    # After publication the page shows the published version against the one before.
    page = _client(client, clerk).get(_detail(request))
    (shown,) = page.context["items"]
    assert page.context["published"] and shown.proposed.version == 2
    assert {row.name for row in shown.changed} == {"promised_limit_days"}
    assert request.attachments.get().name == "申请表.pdf"


def test_a_joint_review_through_the_pages(client, org, calendar, frozen):
    """Seed 004 三(三)3: the primary reviewer asks for a joint review; the office convenes
    the applicant and the reviewers named (checked by default) and gives the joint opinion."""
    people = org.users
    legal, establishment = org.departments["legal"], org.departments["establishment"]
    request = walk_to_review(
        org, request_for(org, event_date=EVENT_DAY), reviewers=("legal", "establishment")
    )
    office = people[Role.OFFICE]
    client.force_login(office)
    assert Transition.JOINT_REQUEST not in [
        e.name for e in client.get(_detail(request)).context["panel"]
    ]
    _do(
        client,
        people[Role.REVIEWER],
        request,
        Transition.JOINT_REQUEST,
        {"departments": [establishment.pk], "reason": "涉及机构编制。"},
    )
    assert request.state == RequestState.JOINT_REVIEW
    client.force_login(office)
    page = client.get(_detail(request))
    (convene,) = [e for e in page.context["panel"] if e.name == Transition.JOINT_CONVENE]
    default = set(convene.form["participants"].value())
    assert default == {org.departments["salt"].pk, legal.pk, establishment.pk}
    _do(
        client,
        office,
        request,
        Transition.JOINT_CONVENE,
        {
            "meeting_at": "2026-09-30T15:00",
            "place": "市政府3楼会议室",
            "participants": sorted(default),
        },
    )
    meeting = open_step(request, StepKind.JOINT_REVIEW).detail["meeting"]
    assert meeting["at"] == at(2026, 9, 30, 15).isoformat()
    _do(
        client,
        office,
        request,
        Transition.JOINT_CONCLUDE,
        {"conclusion": ReviewConclusion.AGREE_WITH_CHANGES, "opinion": "会审同意，时限改为6日。"},
    )
    assert request.state == RequestState.APPROVING


def test_withdrawal_and_rejection_through_the_pages(client, org, calendar, frozen):
    people = org.users
    first, second = _requests(org, 0, 2)
    _do(client, people[Role.CLERK], first, Transition.WITHDRAW, {"reason": "无需调整。"})
    assert first.state == RequestState.WITHDRAWN
    second = services.adjustment_submit(actor=people[Role.CLERK], request=second)
    _do(client, people[Role.OFFICE], second, Transition.REJECT, {"reason": "依据不足。"})
    assert second.state == RequestState.REJECTED


def test_the_seed_003_paths_through_the_pages(client, org, calendar, frozen):
    """Seed 003 三(二)5: in the district a change of law goes to the city office and the
    executive meeting; a change of institutions is decided by the district office and filed
    with the city office."""
    services.policy_save(
        actor=None,
        jurisdiction=org.district,
        values={
            "law_changed_path": AdjustmentPath.PARENT_REVIEW,
            "institutional_path": AdjustmentPath.FILING,
        },
    )
    local, city = org.district_users, org.users
    law = registry_builders.law()
    by_law = request_for(
        org, district=True, event_date=EVENT_DAY, trigger=TriggerKind.LAW_CHANGED, law=law
    )
    by_law = services.adjustment_submit(actor=local[Role.CLERK], request=by_law)
    _do(client, local[Role.OFFICE], by_law, Transition.PARENT_FORWARD, {"opinion": "报市审核。"})
    _do(
        client,
        city[Role.OFFICE],
        by_law,
        Transition.PARENT_REVIEW,
        {"conclusion": ReviewConclusion.AGREE, "opinion": "同意。"},
    )
    _do(
        client,
        local[Role.OFFICE],
        by_law,
        Transition.MEETING,
        {"approved": "yes", "meeting_date": "2026-09-28", "session": "第12次常务会议"},
    )
    assert by_law.state == RequestState.DIGITAL_FORWARD
    assert Step.objects.get(request=by_law, kind=StepKind.MEETING).detail["meeting"]["approved"]

    by_reform = request_for(
        org,
        district=True,
        event_date=EVENT_DAY,
        trigger=TriggerKind.INSTITUTIONAL,
        entry=published_entry(org, district=True, name="区级事项", basic_code="0700020000"),
    )
    by_reform = services.adjustment_submit(actor=local[Role.CLERK], request=by_reform)
    _do(client, local[Role.OFFICE], by_reform, Transition.APPROVE, {"opinion": "区改革办调整。"})
    _do(client, local[Role.OFFICE], by_reform, Transition.DIGITAL_FORWARD)
    _do(client, local[Role.DIGITAL], by_reform, Transition.PUBLISH)
    _do(client, city[Role.OFFICE], by_reform, Transition.FILE, {"opinion": "已备案。"})
    _do(client, local[Role.CLERK], by_reform, Transition.SITE_UPDATE)
    assert by_reform.state == RequestState.COMPLETED


# --- the policy ---------------------------------------------------------------------------------


def _policy_data(**overrides) -> dict:
    policy = AdjustmentPolicy()
    data = {name: getattr(policy, name) for name in services.POLICY_FIELDS}
    data.update(overrides)
    return data


def test_the_policy_page_saves_for_the_office_and_refuses_others(client, org, calendar, frozen):
    policy_url = reverse("adjustments:policy")
    office = _client(client, org.users[Role.OFFICE])
    page = office.get(policy_url)
    assert page.status_code == 200
    assert page.context["form"] is not None and not page.context["own"]
    response = office.post(policy_url, _policy_data(apply_days=7, basis="镇政府文件"))
    assert response.status_code == 302
    saved = AdjustmentPolicy.objects.get(jurisdiction=org.city)
    assert saved.apply_days == 7 and saved.basis == "镇政府文件"
    assert office.get(policy_url).context["own"]
    # A value the model refuses comes back on the form; nothing changes.
    refused = office.post(policy_url, _policy_data(apply_days=0))
    assert refused.status_code == 200 and "apply_days" in refused.context["form"].errors
    saved.refresh_from_db()
    assert saved.apply_days == 7

    # The district follows the city's policy until it has its own.
    client.force_login(org.district_users[Role.OFFICE])
    district = client.get(policy_url)
    assert district.context["inherited_from"] == org.city
    assert district.context["policy"].apply_days == 7

    for role in (Role.CLERK, Role.REVIEWER, Role.SUPERVISOR, Role.DIGITAL):
        client.force_login(org.users[role])
        read = client.get(policy_url)
        assert read.status_code == 200 and read.context["form"] is None, role
        assert client.post(policy_url, _policy_data(apply_days=3)).status_code == 403, role
    saved.refresh_from_db()
    assert saved.apply_days == 7


def test_an_administrator_picks_a_jurisdiction_in_scope(client, org, calendar, frozen):
    admin = _client(client, org.users[Role.ADMINISTRATOR])
    policy_url = reverse("adjustments:policy")
    page = admin.get(policy_url, {"jurisdiction": org.district.code})
    assert page.status_code == 200 and page.context["jurisdiction"] == org.district
    response = admin.post(
        f"{policy_url}?jurisdiction={org.district.code}", _policy_data(apply_days=7)
    )
    assert response.status_code == 302
    assert AdjustmentPolicy.objects.get(jurisdiction=org.district).apply_days == 7
    client.force_login(org.district_users[Role.ADMINISTRATOR])
    assert client.get(policy_url, {"jurisdiction": org.city.code}).status_code == 404


# --- the home page's work queue ---------------------------------------------------------------


def _home_queries(client) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return len(queries), response.context["work_items"]


def test_the_home_page_lists_what_waits_on_the_user(client, org, calendar, frozen):
    request = services.adjustment_submit(
        actor=org.users[Role.CLERK], request=request_for(org, event_date=EVENT_DAY)
    )
    office = _client(client, org.users[Role.OFFICE])
    page = office.get(reverse("core:home"))
    (item,) = page.context["work_items"]
    assert item.reference == request.number and item.url == _detail(request)
    content = page.content.decode()
    assert f'href="{_detail(request)}"' in content
    assert "queue-flag-late" not in content
    # Forwarding is due by the end of 10-08 (2 working days across National Day).
    with time_machine.travel(at(2026, 10, 9, 9), tick=False):
        late = office.get(reverse("core:home"))
        (item,) = late.context["work_items"]
        assert item.overdue
        assert "queue-flag-late" in late.content.decode()
    # Someone with nothing to do sees an empty queue.
    client.force_login(org.users[Role.DIGITAL])
    empty = client.get(reverse("core:home"))
    assert empty.context["work_items"] == []


def test_the_queue_costs_the_same_queries_for_1_and_6_waiting_steps(client, org, calendar, frozen):
    clerk = _client(client, org.users[Role.CLERK])
    _requests(org, 0, 1)
    few, items = _home_queries(clerk)
    assert len(items) == 1
    _requests(org, 1, 5)
    many, items = _home_queries(clerk)
    assert len(items) == 6
    assert many == few


def test_the_home_page_links_each_role_to_its_adjustment_pages(client, org, calendar, frozen):
    links = {
        "list": reverse("adjustments:list"),
        "new": reverse("adjustments:new"),
        "policy": reverse("adjustments:policy"),
    }
    for role in Role:
        content = _client(client, org.users[role]).get(reverse("core:home")).content.decode()
        assert f'href="{links["list"]}"' in content, role
        assert (f'href="{links["new"]}"' in content) == (role == Role.CLERK), role
        assert (f'href="{links["policy"]}"' in content) == (role == Role.OFFICE), role


def test_a_clerks_open_draft_links_to_a_new_request(client, org, calendar, frozen):
    clerk = org.users[Role.CLERK]
    draft = draft_of(_entry(org, 1), clerk, promised_limit_days=5)
    link = f"{reverse('adjustments:new')}?draft={draft.pk}"
    clerk_client = _client(client, clerk)
    assert link in clerk_client.get(reverse("registry:my-entries")).content.decode()
    edit = reverse("registry:draft-edit", args=[draft.pk])
    assert link in clerk_client.get(edit).content.decode()


@examples(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reason=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=0, max_size=300)
)
def test_whatever_is_typed_as_reasons_is_kept_exactly_or_refused_with_a_message(
    client, org, calendar, frozen, reason
):
    """Free text from a form (here the reasons of an extension request, which leaves the
    request's state as it is): stored exactly as typed, less the surrounding blanks, or
    refused with the form's message; never a server error."""
    request = AdjustmentRequest.objects.filter(department=org.departments["salt"]).first()
    if request is None:
        request = request_for(org, event_date=EVENT_DAY)
    before = RequestEvent.objects.filter(request=request).count()
    response = _client(client, org.users[Role.CLERK]).post(
        _act(request, Transition.EXTENSION_REQUEST),
        {"extension_request-days": "20", "extension_request-reason": reason},
    )
    events = RequestEvent.objects.filter(request=request).order_by("pk")
    if response.status_code == 302:
        assert events.count() == before + 1
        assert events.last().opinion == reason.strip()
    else:
        assert response.status_code == 200
        assert response.context["failed"].form.errors
        assert events.count() == before


def test_the_policy_page_says_which_periods_are_this_products_defaults(client, org, calendar):
    """Issue 9 §8 and §7: the five periods no seed fixes are labelled as this product's
    defaults, the seed's numbers cite their seed; every trigger has its path on the form."""
    policy_url = reverse("adjustments:policy")
    clerk = _client(client, org.users[Role.CLERK])
    page = clerk.get(policy_url)
    with translation.override("en"):
        rows = {str(label): str(source) for label, _value, source in page.context["rows"]}
        labels = {
            name: str(AdjustmentPolicy._meta.get_field(name).verbose_name)
            for name in (
                "joint_review_days",
                "rereview_days",
                "filing_days",
                "parent_review_days",
                "meeting_days",
                "review_days",
            )
        }
        default = "This product's default: no seed fixes this period."
        for name in ("joint_review_days", "rereview_days", "filing_days"):
            assert rows[labels[name]] == default, name
        for name in ("parent_review_days", "meeting_days"):
            assert rows[labels[name]] == default, name
        assert rows[labels["review_days"]].startswith("Seed 004")
    office = _client(client, org.users[Role.OFFICE])
    content = office.get(policy_url).content.decode()
    for trigger in TriggerKind.values:
        assert f'name="{trigger}_path"' in content, trigger
    assert 'name="objection_days"' in content and 'name="site_update_start"' in content


def test_a_request_withdrawn_during_a_return_shows_its_clock_stop_ended(
    client, org, calendar, frozen
):
    """Issue 9 §20: the timeline no longer says "still stopped" for ever."""
    people = org.users
    request = services.adjustment_submit(
        actor=people[Role.CLERK], request=request_for(org, event_date=EVENT_DAY)
    )
    request = services.adjustment_return(
        actor=people[Role.OFFICE], request=request, reason="请补充依据。"
    )
    _do(client, people[Role.CLERK], request, Transition.WITHDRAW, {"reason": "无需调整。"})
    content = _client(client, people[Role.OFFICE]).get(_detail(request)).content.decode()
    assert "仍在暂停计时" not in content
    assert "随环节结束而终止" in content and "暂停的计时随调整申请结束而终止" in content
