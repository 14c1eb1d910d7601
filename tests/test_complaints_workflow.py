"""Issue 12 §4–7, §11: the complaint procedure's rules walked through the services as the people
who act on each step. Every refusal ground told to the complainant (seed 004 五(二)2, 信访工作条例
art. 36); standing aside (回避, art. 28); "not ours" and passing on; a transfer to another
jurisdiction; the substantiated finding; wrong actors and wrong states refused with nothing
changed; two offices acting at once (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from complaints import selectors, services
from complaints.choices import (
    ComplaintState,
    Outcome,
    RefusalGround,
    ReviewDecision,
    StepKind,
    StepOutcome,
    Transition,
)
from complaints.models import Complaint, ComplaintEvent, ComplaintItem, ComplaintStep, StandAside
from core.choices import Role
from core.services import DomainError
from tests import complaint_builders as build
from tests.adjustment_builders import at, end_of, numbered_entry
from tests.complaint_builders import travel
from tests.conftest import need

K = StepKind
S = ComplaintState


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals are matched in English; the Chinese catalogue is filled in later."""
    with translation.override("en"):
        yield


def trail(complaint: Complaint):
    """Everything a refused action must leave as it was: the row, its steps and events."""
    row = Complaint.objects.values().get(pk=complaint.pk)
    steps = list(
        ComplaintStep.objects.filter(complaint=complaint)
        .order_by("pk")
        .values_list("pk", "kind", "department_id", "finished_at", "due_at", "outcome")
    )
    events = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("pk", flat=True))
    return row, steps, events


def track(filed: services.Filed) -> selectors.Tracked:
    tracked = selectors.complaint_track(code=filed.complaint.code, secret=filed.secret)
    assert tracked is not None
    return tracked


def open_kinds(complaint: Complaint) -> list[str]:
    return sorted(
        ComplaintStep.objects.filter(complaint=complaint, finished_at=None).values_list(
            "kind", flat=True
        )
    )


# --- refusals (seed 004 五(二)2: 不予受理，但应当向投诉人说明理由) --------------------------------

REASONS = {
    RefusalGround.IN_LEGAL_PROCEDURE: "投诉人已就同一事项申请行政复议，正在审理中。",
    RefusalGround.HIGHER_GOVERNMENT: "省政府已受理同一事项。",
    RefusalGround.OTHER_BODY: "市纪委监察已受理同一事项。",
    RefusalGround.REPEAT: "该事项已于此前作出答复，本次投诉无新的事实和理由。",
    RefusalGround.OTHER_LAWFUL: "投诉事项不属于行政机关职权范围。",
    RefusalGround.REVIEWS_EXHAUSTED: "该事项已经复查、复核，不再受理。",
}


def _earlier_for(org, ground: str) -> Complaint | None:
    """The earlier complaint a repeat names: closed, and reviewed twice for the end of the road."""
    if ground == RefusalGround.REPEAT:
        return build.closed(org).complaint
    if ground == RefusalGround.REVIEWS_EXHAUSTED:
        filed = build.closed(org)
        build.reviewed(org, filed)
        return build.reviewed(org, filed, reasons="申请复核。", answer="经复核，维持。")
    return None


@pytest.mark.parametrize("ground", RefusalGround.values)
def test_every_refusal_ground_is_told_to_the_complainant(org, calendar, ground):
    earlier = _earlier_for(org, ground)
    filed = build.file(org)
    complaint = services.complaint_refuse(
        actor=org.users[Role.OFFICE],
        complaint=filed.complaint,
        ground=ground,
        reason=REASONS[ground],
        repeat_of=earlier,
    )
    assert (complaint.state, complaint.refusal_ground) == (S.REFUSED, ground)
    assert complaint.repeat_of == earlier
    assert complaint.closed_at is not None
    assert open_kinds(complaint) == []
    accept = ComplaintStep.objects.get(complaint=complaint, kind=K.ACCEPT)
    assert accept.outcome == StepOutcome.REFUSED
    tracked = track(filed)
    assert tracked.state_label == "Not accepted"
    assert tracked.stages[-1].transition == Transition.REFUSE
    assert tracked.stages[-1].note == REASONS[ground]
    assert tracked.open_steps == []
    assert tracked.review_due is None


def test_a_refusal_needs_a_ground_and_a_reason(org, calendar):
    filed = build.file(org)
    office = org.users[Role.OFFICE]
    before = trail(filed.complaint)
    with pytest.raises(DomainError, match="reason the complainant is told"):
        services.complaint_refuse(
            actor=office, complaint=filed.complaint, ground=RefusalGround.OTHER_LAWFUL, reason=""
        )
    with pytest.raises(DomainError, match="reason the complainant is told"):
        services.complaint_refuse(
            actor=office,
            complaint=filed.complaint,
            ground=RefusalGround.OTHER_LAWFUL,
            reason=" \n ",
        )
    with pytest.raises(DomainError, match="Choose the ground"):
        services.complaint_refuse(
            actor=office, complaint=filed.complaint, ground="r9", reason="不予受理。"
        )
    assert trail(filed.complaint) == before


@pytest.mark.parametrize("ground", [RefusalGround.REPEAT, RefusalGround.REVIEWS_EXHAUSTED])
def test_a_repeat_names_the_earlier_complaint(org, calendar, ground):
    filed = build.file(org)
    before = trail(filed.complaint)
    with pytest.raises(DomainError, match="Name the earlier complaint"):
        services.complaint_refuse(
            actor=org.users[Role.OFFICE],
            complaint=filed.complaint,
            ground=ground,
            reason=REASONS[ground],
        )
    with pytest.raises(DomainError, match="cannot repeat itself"):
        services.complaint_refuse(
            actor=org.users[Role.OFFICE],
            complaint=filed.complaint,
            ground=ground,
            reason=REASONS[ground],
            repeat_of=filed.complaint,
        )
    assert trail(filed.complaint) == before


def test_a_repeat_of_a_complaint_not_yet_answered_is_merged_not_refused(org, calendar):
    earlier = build.accepted(org)
    filed = build.file(org)
    before = trail(filed.complaint)
    with pytest.raises(DomainError, match=f"{earlier.code} has not been answered yet: merge"):
        services.complaint_refuse(
            actor=org.users[Role.OFFICE],
            complaint=filed.complaint,
            ground=RefusalGround.REPEAT,
            reason=REASONS[RefusalGround.REPEAT],
            repeat_of=earlier,
        )
    assert trail(filed.complaint) == before


def test_a_repeat_of_a_complaint_the_office_cannot_see_is_refused(org, calendar):
    """The district office cannot name a city complaint it may not see."""
    city = build.closed(org).complaint
    district_salt = org.district_departments["salt"]
    filed = build.file(org, department=district_salt)
    with pytest.raises(DomainError, match=f"{city.code} is not a complaint you may see"):
        services.complaint_refuse(
            actor=org.district_users[Role.OFFICE],
            complaint=filed.complaint,
            ground=RefusalGround.REPEAT,
            reason=REASONS[RefusalGround.REPEAT],
            repeat_of=city,
        )


# --- who acts, and when ---------------------------------------------------------------------------


def test_wrong_actors_and_wrong_states_are_refused_and_change_nothing(org, calendar):
    filed = build.file(org)
    complaint = filed.complaint
    before = trail(complaint)
    for actor in (org.users[Role.CLERK], org.district_users[Role.OFFICE], org.users["reviewer"]):
        with pytest.raises(services.TransitionRefused, match="waiting on 市改革办"):
            services.complaint_accept(actor=actor, complaint=complaint)
    with pytest.raises(services.TransitionRefused, match="is Received, awaiting acceptance"):
        services.complaint_answer(actor=org.users[Role.CLERK], complaint=complaint, answer="已办。")
    with pytest.raises(services.TransitionRefused, match="not possible"):
        services.complaint_close(
            actor=org.users[Role.OFFICE], complaint=complaint, outcome=Outcome.NOT_SUBSTANTIATED
        )
    # The complainant's own actions are theirs alone, with the secret.
    closed = build.closed(org, facts="市盐业管理局要求企业重复提交营业执照复印件。")
    with pytest.raises(services.TransitionRefused):
        services.complaint_rate(
            actor=org.users[Role.OFFICE],
            complaint=closed.complaint,
            secret=closed.secret,
            rating="satisfied",
        )
    with pytest.raises(DomainError, match="do not match"):
        services.complaint_review_request(
            actor=None, complaint=closed.complaint, secret="AAAAA-BBBBB", reasons="复查。"
        )
    assert trail(complaint) == before
    assert selectors.available(user=org.users[Role.CLERK], complaint=complaint) == [
        Transition.STAND_ASIDE
    ]
    assert set(selectors.available(user=org.users[Role.OFFICE], complaint=complaint)) >= {
        Transition.ACCEPT,
        Transition.REFUSE,
        Transition.TRANSFER,
        Transition.MERGE,
    }


def test_the_office_returns_an_answer_and_the_department_answers_again(org, calendar):
    with travel(at(2026, 8, 3, 10)):
        complaint = build.answered(org)
    with travel(at(2026, 8, 20, 10)):
        complaint = services.complaint_return(
            actor=org.users[Role.OFFICE], complaint=complaint, reasons="未说明退费情况。"
        )
    assert complaint.state == S.HANDLING
    handle = ComplaintStep.objects.get(complaint=complaint, kind=K.HANDLE, finished_at=None)
    # The period still runs from acceptance on 08-03: 10-02, so 10-08.
    assert (handle.round, handle.due_at) == (2, end_of(2026, 10, 8))
    complaint = services.complaint_answer(
        actor=org.users[Role.CLERK], complaint=complaint, answer="已退还审查费。"
    )
    assert (complaint.state, complaint.answer) == (S.ANSWERED, "已退还审查费。")


# --- 回避 (信访工作条例 art. 28) ------------------------------------------------------------------


def test_a_person_who_stands_aside_no_longer_sees_or_acts(org, calendar):
    salt = org.departments["salt"]
    interested = build.staff(org, "salt-clerk-2", department=salt)
    complaint = build.accepted(org)
    assert complaint in selectors.complaints(user=interested)
    assert [s.complaint for s in selectors.waiting_steps(user=interested)] == [complaint]

    aside = services.complaint_stand_aside(
        actor=interested, complaint=complaint, reason="投诉人系本人配偶。"
    )
    assert (aside.user, aside.declared_by) == (interested, interested)
    assert complaint not in selectors.complaints(user=interested)
    assert selectors.complaint_by_code(user=interested, code=complaint.code) is None
    assert list(selectors.waiting_steps(user=interested)) == []
    assert selectors.available(user=interested, complaint=complaint) == []
    before = trail(complaint)
    with pytest.raises(services.TransitionRefused):
        services.complaint_answer(actor=interested, complaint=complaint, answer="不属实。")
    assert trail(complaint) == before
    # The colleague acts.
    assert [s.complaint for s in selectors.waiting_steps(user=org.users[Role.CLERK])] == [complaint]
    complaint = services.complaint_answer(
        actor=org.users[Role.CLERK], complaint=complaint, answer="经调查属实，已纠正。"
    )
    assert complaint.state == S.ANSWERED
    event = ComplaintEvent.objects.get(complaint=complaint, transition=Transition.STAND_ASIDE)
    assert (event.actor, event.detail) == (interested, {"person": interested.pk})


def test_the_office_records_a_stand_aside_for_one_of_its_jurisdiction(org, calendar):
    office = org.users[Role.OFFICE]
    second_office = build.staff(
        org, "city-office-2", department=org.departments["office"], role=Role.OFFICE
    )
    interested = build.staff(org, "salt-clerk-2", department=org.departments["salt"])
    filed = build.file(org)
    complaint = filed.complaint

    with pytest.raises(DomainError, match="Only the office records a stand-aside"):
        services.complaint_stand_aside(
            actor=org.users[Role.CLERK], complaint=complaint, reason="利害关系。", person=interested
        )
    with pytest.raises(DomainError, match="Only the office records a stand-aside"):
        services.complaint_stand_aside(
            actor=office,
            complaint=complaint,
            reason="利害关系。",
            person=org.district_users[Role.CLERK],
        )
    assert not StandAside.objects.exists()

    aside = services.complaint_stand_aside(
        actor=office, complaint=complaint, reason="投诉人系其亲属。", person=second_office
    )
    assert (aside.user, aside.declared_by) == (second_office, office)
    with pytest.raises(DomainError, match="already stood aside"):
        services.complaint_stand_aside(
            actor=office, complaint=complaint, reason="重复。", person=second_office
        )
    # The office member who stood aside cannot accept; the office still can.
    with pytest.raises(services.TransitionRefused):
        services.complaint_accept(actor=second_office, complaint=complaint)
    complaint = services.complaint_accept(actor=office, complaint=complaint)
    assert complaint.state == S.HANDLING
    # Once aside, a person cannot step aside again either (they do not see it).
    with pytest.raises(services.TransitionRefused):
        services.complaint_stand_aside(actor=second_office, complaint=complaint, reason="再次。")
    # The office's own stand-aside leaves the extension to the rest of the office.
    services.complaint_stand_aside(actor=office, complaint=complaint, reason="利害关系。")
    with pytest.raises(services.TransitionRefused):
        services.complaint_extend(actor=office, complaint=complaint, days=10, reason="调查。")
    assert StandAside.objects.filter(complaint=complaint).count() == 2


# --- "not ours" and passing on (issue 12 §5) ------------------------------------------------------


def test_not_ours_without_naming_the_body_is_refused(org, calendar):
    complaint = build.accepted(org)
    clerk = org.users[Role.CLERK]
    before = trail(complaint)
    with pytest.raises(DomainError, match="Name the body that is responsible"):
        services.complaint_decline(
            actor=clerk, complaint=complaint, responsible=None, reason="不属于本部门职责。"
        )
    with pytest.raises(DomainError, match="another body than your own"):
        services.complaint_decline(
            actor=clerk,
            complaint=complaint,
            responsible=org.departments["salt"],
            reason="不属于本部门职责。",
        )
    with pytest.raises(DomainError, match="Give the reason"):
        services.complaint_decline(
            actor=clerk, complaint=complaint, responsible=org.departments["legal"], reason=""
        )
    assert trail(complaint) == before


def test_not_ours_goes_to_the_office_which_passes_it_to_the_body_named(org, calendar):
    parks = build.department(org, "市园林局")
    parks_clerk = build.staff(org, "parks-clerk", department=parks)
    office = org.users[Role.OFFICE]
    filed = build.file(org)
    complaint = services.complaint_accept(actor=office, complaint=filed.complaint)
    complaint = services.complaint_decline(
        actor=org.users[Role.CLERK],
        complaint=complaint,
        responsible=parks,
        reason="绿地占用审批由市园林局实施。",
    )
    assert complaint.state == S.REASSIGNING
    assert open_kinds(complaint) == [K.REASSIGN]
    reassign = ComplaintStep.objects.get(complaint=complaint, kind=K.REASSIGN)
    assert reassign.department == org.departments["office"]
    # The clerk cannot pass it on themselves.
    with pytest.raises(services.TransitionRefused, match="waiting on 市改革办"):
        services.complaint_reassign(
            actor=org.users[Role.CLERK], complaint=complaint, responsible=parks, reason="转办。"
        )
    complaint = services.complaint_reassign(
        actor=office, complaint=complaint, responsible=parks, reason="经核实，转市园林局办理。"
    )
    assert (complaint.state, complaint.responsible) == (S.HANDLING, parks)
    assert [s.complaint for s in selectors.waiting_steps(user=parks_clerk)] == [complaint]
    assert complaint in selectors.complaints(user=parks_clerk)

    events = {e.transition: e for e in selectors.timeline(user=office, complaint=complaint)}
    assert events[Transition.DECLINE].opinion == "绿地占用审批由市园林局实施。"
    assert events[Transition.DECLINE].detail == {"named": parks.pk}
    assert events[Transition.DECLINE].actor == org.users[Role.CLERK]
    assert events[Transition.REASSIGN].opinion == "经核实，转市园林局办理。"
    assert events[Transition.REASSIGN].detail == {"responsible": parks.pk}
    # The complainant sees the transfer, not the staff's reasons.
    stages = track(filed).stages
    assert [s.transition for s in stages] == [
        Transition.FILE,
        Transition.ACCEPT,
        Transition.REASSIGN,
    ]
    assert stages[-1].note == "Passed to 市园林局, the body responsible."

    complaint = services.complaint_answer(
        actor=parks_clerk, complaint=complaint, answer="已按规定办理。"
    )
    assert complaint.state == S.ANSWERED


def test_a_complaint_about_another_jurisdiction_is_transferred_to_its_office(org, calendar):
    """Received Tuesday 09-22, transferred on Thursday 09-24 to 上街区: the district office has
    15 日 from the transfer, Friday 10-09 (from receipt it would have been 10-08)."""
    district_salt = org.district_departments["salt"]
    with travel(at(2026, 9, 22, 10)):
        filed = build.file(org)
    office = org.users[Role.OFFICE]
    with pytest.raises(DomainError, match="another jurisdiction"):
        services.complaint_transfer(
            actor=office, complaint=filed.complaint, jurisdiction=org.city, reason="转办。"
        )
    with pytest.raises(DomainError, match="must belong to the jurisdiction"):
        services.complaint_transfer(
            actor=office,
            complaint=filed.complaint,
            jurisdiction=org.district,
            department=org.departments["legal"],
            reason="转办。",
        )
    with travel(at(2026, 9, 24, 10)):
        complaint = services.complaint_transfer(
            actor=office,
            complaint=filed.complaint,
            jurisdiction=org.district,
            department=district_salt,
            reason="投诉对象为上街区盐业管理局。",
        )
    assert (complaint.state, complaint.jurisdiction, complaint.department) == (
        S.RECEIVED,
        org.district,
        district_salt,
    )
    accept = ComplaintStep.objects.get(complaint=complaint, kind=K.ACCEPT, finished_at=None)
    assert accept.department == org.district_departments["office"]
    assert accept.due_at == end_of(2026, 10, 9)
    assert track(filed).stages[-1].note == "Transferred to 上街区."
    with pytest.raises(services.TransitionRefused, match="waiting on 上街区改革办"):
        services.complaint_accept(actor=office, complaint=complaint)
    complaint = services.complaint_accept(
        actor=org.district_users[Role.OFFICE], complaint=complaint
    )
    assert complaint.responsible == district_salt
    assert [s.complaint for s in selectors.waiting_steps(user=org.district_users[Role.CLERK])] == [
        complaint
    ]


# --- the finding (issue 12 §11) -------------------------------------------------------------------


def test_a_substantiated_complaint_records_its_finding(org, calendar):
    licence = numbered_entry(org, 1, name="食盐定点批发企业审批")
    inspection = numbered_entry(org, 2, name="盐业市场监督检查")
    elsewhere = numbered_entry(org, 3, name="食盐准运证核发")
    filed = build.file(org, entries=[licence, inspection])
    office = org.users[Role.OFFICE]
    complaint = services.complaint_accept(actor=office, complaint=filed.complaint)
    complaint = services.complaint_answer(
        actor=org.users[Role.CLERK], complaint=complaint, answer="经查属实，已停止收费并退还。"
    )
    before = trail(complaint)
    with pytest.raises(DomainError, match="finding"):
        services.complaint_close(
            actor=office, complaint=complaint, outcome=Outcome.SUBSTANTIATED, finding=""
        )
    with pytest.raises(DomainError, match="only the items the complaint is about"):
        services.complaint_close(
            actor=office,
            complaint=complaint,
            outcome=Outcome.SUBSTANTIATED,
            finding="已取消事项仍变相审批。",
            found_entries=[elsewhere],
        )
    with pytest.raises(DomainError, match="Choose the outcome"):
        services.complaint_close(actor=office, complaint=complaint, outcome="maybe")
    assert trail(complaint) == before

    complaint = services.complaint_close(
        actor=office,
        complaint=complaint,
        outcome=Outcome.SUBSTANTIATED,
        finding="食盐定点批发许可取消后仍要求企业申请并收取审查费。",
        found_entries=[licence],
    )
    assert complaint.finding_department == org.departments["salt"]
    (found,) = selectors.findings(user=office)
    assert found == complaint
    assert found.finding == "食盐定点批发许可取消后仍要求企业申请并收取审查费。"
    assert [item.entry for item in found.found_items] == [licence]
    assert ComplaintItem.objects.filter(complaint=complaint, found=False).get().entry == inspection
    # A supervisor sees the finding too; a district office does not.
    assert list(selectors.findings(user=org.users[Role.SUPERVISOR])) == [complaint]
    assert list(selectors.findings(user=org.district_users[Role.OFFICE])) == []


def test_not_substantiated_is_not_a_finding_and_a_review_may_change_it(org, calendar):
    licence = numbered_entry(org, 1, name="食盐定点批发企业审批")
    filed = build.closed(org, outcome=Outcome.NOT_SUBSTANTIATED, entries=[licence])
    office = org.users[Role.OFFICE]
    assert filed.complaint.finding == ""
    assert list(selectors.findings(user=office)) == []
    complaint = services.complaint_review_request(
        actor=None, complaint=filed.complaint, secret=filed.secret, reasons="有新证据。"
    )
    complaint = services.complaint_review(
        actor=office,
        complaint=complaint,
        decision=ReviewDecision.CHANGED,
        answer="经复查，投诉部分属实。",
        outcome=Outcome.PARTLY,
        finding="审查费未及时退还。",
        found_entries=[licence],
    )
    assert (complaint.outcome, complaint.review_round) == (Outcome.PARTLY, 1)
    (found,) = selectors.findings(user=office)
    assert [item.entry for item in found.found_items] == [licence]
    assert track(filed).stages[-1].note == "经复查，投诉部分属实。"


# --- two offices at once (PostgreSQL row locks) ---------------------------------------------------


def _race(*calls) -> list[object]:
    """Runs the calls in threads released together; returns each one's result or error."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(position, call) -> None:
        try:
            barrier.wait()
            results[position] = call()
        except Exception as error:  # the outcome is what the test compares
            results[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _one_won(results) -> None:
    assert sum(isinstance(r, Complaint) for r in results) == 1, results
    assert sum(isinstance(r, services.TransitionRefused) for r in results) == 1, results


@pytest.mark.django_db(transaction=True)
def test_two_offices_accepting_at_once_accept_once(org, calendar):
    need(connection.vendor == "postgresql", "row-level concurrency needs PostgreSQL")
    filed = build.file(org)
    second_office = build.staff(
        org, "city-office-2", department=org.departments["office"], role=Role.OFFICE
    )

    def accept(actor):
        return lambda: services.complaint_accept(actor=actor, complaint=filed.complaint)

    _one_won(_race(accept(org.users[Role.OFFICE]), accept(second_office)))
    complaint = Complaint.objects.get(pk=filed.complaint.pk)
    assert complaint.state == S.HANDLING
    assert ComplaintStep.objects.filter(complaint=complaint, kind=K.HANDLE).count() == 1
    assert (
        ComplaintEvent.objects.filter(complaint=complaint, transition=Transition.ACCEPT).count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_accepting_and_refusing_at_once_does_one_of_them(org, calendar):
    need(connection.vendor == "postgresql", "row-level concurrency needs PostgreSQL")
    filed = build.file(org)
    second_office = build.staff(
        org, "city-office-2", department=org.departments["office"], role=Role.OFFICE
    )
    results = _race(
        lambda: services.complaint_accept(actor=org.users[Role.OFFICE], complaint=filed.complaint),
        lambda: services.complaint_refuse(
            actor=second_office,
            complaint=filed.complaint,
            ground=RefusalGround.OTHER_LAWFUL,
            reason="不属于受理范围。",
        ),
    )
    _one_won(results)
    complaint = Complaint.objects.get(pk=filed.complaint.pk)
    winner = next(r for r in results if isinstance(r, Complaint))
    assert complaint.state == winner.state
    assert (
        ComplaintEvent.objects.filter(
            complaint=complaint, transition__in=[Transition.ACCEPT, Transition.REFUSE]
        ).count()
        == 1
    )
    assert (
        ComplaintStep.objects.filter(complaint=complaint, kind=K.ACCEPT, finished_at=None).count()
        == 0
    )
