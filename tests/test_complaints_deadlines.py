"""Issue 12 §4, §6–8, Done when: every period of a complaint with a frozen clock. They count
calendar days (日, SPEC §9): the day of the event is not counted (Civil Code art. 201) and a
period whose last day is a day off ends on the next working day (art. 203). The official 2026
schedule: holidays 09-25..27 and 10-01..07, make-up working days Sunday 09-20 and Saturday
10-10.

Acceptance 15 日 from receipt (信访工作条例 art. 23); the answer 60 日 from acceptance, extended
once by at most 30 日 (art. 34); a review asked within 30 日 of the answer and answered within
30 日, twice at most (art. 35–36). The sweep reminds and escalates once; a calendar change moves
a complaint's due moment and tells its holders."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from complaints import selectors, services, tasks
from complaints.choices import (
    ComplaintState,
    NoticeKind,
    RefusalGround,
    StepKind,
    Transition,
)
from complaints.models import ComplaintEvent, ComplaintStep, DeadlineNotice
from config.celery import app as celery_app
from core import services as core_services
from core.choices import DayKind, DeadlineUnit, NotificationKind, Role
from core.models import Notification
from core.services import DomainError
from tests import complaint_builders as build
from tests.adjustment_builders import at, end_of
from tests.complaint_builders import travel

K = StepKind
S = ComplaintState


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals are matched in English; the Chinese catalogue is filled in later."""
    with translation.override("en"):
        yield


def step(complaint, kind: str) -> ComplaintStep:
    """The latest step of that kind."""
    return ComplaintStep.objects.filter(complaint=complaint, kind=kind).order_by("-pk").first()


def stages(filed: services.Filed) -> list[tuple[str, str]]:
    tracked = selectors.complaint_track(code=filed.complaint.code, secret=filed.secret)
    return [(stage.transition, stage.note) for stage in tracked.stages]


# --- acceptance: 15 日 from receipt (信访工作条例 art. 23) ----------------------------------------


def test_acceptance_crossing_national_day_ends_on_the_next_working_day(org, calendar):
    """Received Tuesday 09-22: the 15th day is 10-07, the last day of the holiday, so the
    period ends with Thursday 10-08; "due tomorrow" goes out on 09-30, the last working day
    before it."""
    with travel(at(2026, 9, 22, 10)):
        filed = build.file(org)
    accept = step(filed.complaint, K.ACCEPT)
    assert accept.department == org.departments["office"]
    assert (accept.deadline_days, accept.deadline_unit) == (15, DeadlineUnit.CALENDAR_DAYS)
    assert accept.due_at == end_of(2026, 10, 8)
    assert accept.due_confirmed
    assert accept.remind_at == at(2026, 9, 30, 8)
    # What the complainant sees on the tracking page.
    tracked = selectors.complaint_track(code=filed.complaint.code, secret=filed.secret)
    assert [s.due_at for s in tracked.open_steps] == [end_of(2026, 10, 8)]


def test_acceptance_whose_fifteenth_day_is_a_working_day_ends_that_day(org, calendar):
    """Received Monday 11-02: the 15th day is Tuesday 11-17."""
    with travel(at(2026, 11, 2, 10)):
        filed = build.file(org)
    assert step(filed.complaint, K.ACCEPT).due_at == end_of(2026, 11, 17)


def test_acceptance_counts_from_the_shanghai_day_of_receipt(org, calendar):
    """07:30 on 11-02 in Shanghai is still 11-01 in UTC: the period counts from 11-02."""
    with travel(at(2026, 11, 2, 7, 30)):
        filed = build.file(org)
    assert step(filed.complaint, K.ACCEPT).due_at == end_of(2026, 11, 17)


def test_a_complaint_recorded_later_counts_from_the_day_it_was_received(org, calendar):
    """A letter received Tuesday 09-22 and recorded on 09-24: due with 10-08 all the same."""
    with travel(at(2026, 9, 24, 15)):
        filed = build.record(org, received_at=at(2026, 9, 22, 9))
    accept = step(filed.complaint, K.ACCEPT)
    assert accept.started_at == at(2026, 9, 24, 15)
    assert accept.due_at == end_of(2026, 10, 8)


# --- handling: 60 日 from acceptance, one extension of at most 30 日 (art. 34) --------------------


def _accepted_on_august_3(org, **kwargs):
    """Accepted Monday 08-03: the 60th day is 10-02, in the holiday; due with Thursday 10-08."""
    with travel(at(2026, 8, 3, 9)):
        filed = build.file(org, **kwargs)
    with travel(at(2026, 8, 3, 10)):
        complaint = services.complaint_accept(actor=org.users["office"], complaint=filed.complaint)
    return services.Filed(complaint, filed.secret)


def test_the_answer_is_due_60_days_after_acceptance(org, calendar):
    filed = _accepted_on_august_3(org)
    handle = step(filed.complaint, K.HANDLE)
    assert handle.department == org.departments["salt"]
    assert (handle.deadline_days, handle.deadline_unit) == (60, DeadlineUnit.CALENDAR_DAYS)
    assert handle.due_at == end_of(2026, 10, 8)
    # Answered on the last day: on time.
    with travel(at(2026, 10, 8, 17)):
        services.complaint_answer(
            actor=org.users["clerk"], complaint=filed.complaint, answer="已核实并纠正。"
        )
    handle.refresh_from_db()
    assert not handle.is_overdue


def test_the_office_extends_the_answer_once_by_at_most_30_days(org, calendar):
    filed = _accepted_on_august_3(org)
    complaint = filed.complaint
    office = org.users["office"]
    reason = "涉及多个部门，需进一步调查取证。"
    with travel(at(2026, 9, 15, 10)):
        with pytest.raises(DomainError, match="Extend by 1 to 30 days"):
            services.complaint_extend(actor=office, complaint=complaint, days=31, reason=reason)
        with pytest.raises(DomainError, match="Extend by 1 to 30 days"):
            services.complaint_extend(actor=office, complaint=complaint, days=0, reason=reason)
        with pytest.raises(DomainError, match="reason for the extension"):
            services.complaint_extend(actor=office, complaint=complaint, days=30, reason=" ")
        # Art. 34: the extension is the office's, not the department's.
        with pytest.raises(services.TransitionRefused):
            services.complaint_extend(
                actor=org.users["clerk"], complaint=complaint, days=30, reason=reason
            )
        assert step(complaint, K.HANDLE).due_at == end_of(2026, 10, 8)

        complaint = services.complaint_extend(
            actor=office, complaint=complaint, days=30, reason=reason
        )
    assert (complaint.extension_days, complaint.extension_reason) == (30, reason)
    handle = step(complaint, K.HANDLE)
    # 90 日 from 08-03: Sunday 11-01, so Monday 11-02.
    assert handle.deadline_days == 90
    assert handle.due_at == end_of(2026, 11, 2)
    assert handle.remind_at == at(2026, 10, 30, 8)
    # The complainant is told the reason.
    assert (Transition.EXTEND, reason) in stages(filed)

    with (
        travel(at(2026, 9, 16, 10)),
        pytest.raises(services.TransitionRefused, match="already extended once"),
    ):
        services.complaint_extend(actor=office, complaint=complaint, days=5, reason="再延期。")
    assert step(complaint, K.HANDLE).due_at == end_of(2026, 11, 2)
    assert (
        ComplaintEvent.objects.filter(complaint=complaint, transition=Transition.EXTEND).count()
        == 1
    )


def test_a_policy_sets_a_shorter_longest_extension(org, calendar):
    services.complaint_policy_save(
        actor=org.users["office"], jurisdiction=org.city, values={"extension_days": 15}
    )
    filed = _accepted_on_august_3(org)
    with travel(at(2026, 9, 1, 10)), pytest.raises(DomainError, match="Extend by 1 to 15 days"):
        services.complaint_extend(
            actor=org.users["office"], complaint=filed.complaint, days=16, reason="调查取证。"
        )


# --- "not ours": the office passes it on, the period still runs from acceptance -------------------


def test_a_complaint_passed_on_keeps_the_period_from_acceptance(org, calendar):
    parks = build.department(org, "市园林局")
    parks_clerk = build.staff(org, "parks-clerk", department=parks)
    filed = _accepted_on_august_3(org)
    with travel(at(2026, 8, 10, 10)):
        complaint = services.complaint_decline(
            actor=org.users["clerk"],
            complaint=filed.complaint,
            responsible=parks,
            reason="该事项由市园林局实施。",
        )
    reassign = step(complaint, K.REASSIGN)
    assert reassign.department == org.departments["office"]
    # 5 日 (this product's default) from Monday 08-10: Saturday 08-15, so Monday 08-17.
    assert reassign.due_at == end_of(2026, 8, 17)

    with travel(at(2026, 8, 12, 10)):
        complaint = services.complaint_reassign(
            actor=org.users["office"],
            complaint=complaint,
            responsible=parks,
            reason="转市园林局办理。",
        )
    handle = step(complaint, K.HANDLE)
    assert (handle.department, handle.started_at) == (parks, at(2026, 8, 12, 10))
    assert handle.period_from == at(2026, 8, 3, 10)
    assert handle.due_at == end_of(2026, 10, 8)
    assert [s.department for s in selectors.waiting_steps(user=parks_clerk)] == [parks]


def test_an_extension_while_the_complaint_is_passed_on_reaches_the_new_department(org, calendar):
    parks = build.department(org, "市园林局")
    filed = _accepted_on_august_3(org)
    with travel(at(2026, 8, 10, 10)):
        complaint = services.complaint_decline(
            actor=org.users["clerk"],
            complaint=filed.complaint,
            responsible=parks,
            reason="非本部门。",
        )
        complaint = services.complaint_extend(
            actor=org.users["office"], complaint=complaint, days=30, reason="需重新调查。"
        )
        complaint = services.complaint_reassign(
            actor=org.users["office"], complaint=complaint, responsible=parks, reason="转办。"
        )
    assert step(complaint, K.HANDLE).due_at == end_of(2026, 11, 2)


# --- reviews: asked within 30 日 of the answer, answered within 30 日, twice (art. 35–36) ---------


def _closed_on_august_3(org, **kwargs) -> services.Filed:
    with travel(at(2026, 8, 3, 10)):
        return build.closed(org, **kwargs)


def test_a_review_is_asked_by_the_30th_day_after_the_answer(org, calendar):
    filed = _closed_on_august_3(org)
    late = _closed_on_august_3(
        org, facts="市盐业管理局对已取消的食盐准运证仍要求办理并收费，请查处。"
    )
    # 30 日 from 08-03: Wednesday 09-02.
    assert services.review_request_due(filed.complaint) == end_of(2026, 9, 2)
    tracked = selectors.complaint_track(code=filed.complaint.code, secret=filed.secret)
    assert tracked.review_due == end_of(2026, 9, 2)

    with (
        travel(at(2026, 9, 3, 0)),
        pytest.raises(
            services.TransitionRefused,
            match="A review had to be asked for by the end of 2026-09-02",
        ),
    ):
        services.complaint_review_request(
            actor=None, complaint=late.complaint, secret=late.secret, reasons="不服答复。"
        )
    late.complaint.refresh_from_db()
    assert late.complaint.state == S.CLOSED

    with travel(end_of(2026, 9, 2)):
        complaint = services.complaint_review_request(
            actor=None, complaint=filed.complaint, secret=filed.secret, reasons="不服答复。"
        )
    assert complaint.state == S.REVIEWING
    review = step(complaint, K.REVIEW)
    # The salt bureau is a city department: the city office, at the top, reviews.
    assert (review.department, review.round) == (org.departments["office"], 1)
    # 30 日 from 09-02: 10-02, in the holiday; due with Thursday 10-08.
    assert review.due_at == end_of(2026, 10, 8)


def test_review_then_second_review_then_no_more(org, calendar):
    filed = _closed_on_august_3(org)
    office = org.users["office"]
    with travel(at(2026, 8, 10, 10)):
        complaint = services.complaint_review_request(
            actor=None, complaint=filed.complaint, secret=filed.secret, reasons="收费未退还。"
        )
    review = step(complaint, K.REVIEW)
    # 30 日 from Monday 08-10: Wednesday 09-09.
    assert (review.round, review.due_at) == (1, end_of(2026, 9, 9))
    with travel(at(2026, 8, 20, 10)):
        complaint = services.complaint_review(
            actor=office, complaint=complaint, decision="upheld", answer="经复查，维持原答复。"
        )
    assert (complaint.state, complaint.review_round) == (S.CLOSED, 1)
    # The next 30 日 run from the review's answer: 09-19 is a Saturday, and Sunday 09-20 a
    # make-up working day, so the period ends with 09-20.
    assert services.review_request_due(complaint) == end_of(2026, 9, 20)

    with travel(at(2026, 9, 1, 10)):
        complaint = services.complaint_review_request(
            actor=None, complaint=complaint, secret=filed.secret, reasons="申请复核。"
        )
    second = step(complaint, K.REVIEW)
    assert second.pk != review.pk
    # 30 日 from 09-01: 10-01, in the holiday; due with 10-08.
    assert (second.round, second.due_at) == (2, end_of(2026, 10, 8))
    with travel(at(2026, 9, 10, 10)):
        complaint = services.complaint_review(
            actor=office, complaint=complaint, decision="upheld", answer="经复核，维持复查意见。"
        )
    assert (complaint.state, complaint.review_round) == (S.CLOSED, 2)
    tracked = selectors.complaint_track(code=complaint.code, secret=filed.secret)
    assert tracked.review_due is None
    assert [stage.transition for stage in tracked.stages].count(Transition.REVIEW) == 2

    with (
        travel(at(2026, 9, 11, 10)),
        pytest.raises(services.TransitionRefused, match="reviewed twice"),
    ):
        services.complaint_review_request(
            actor=None, complaint=complaint, secret=filed.secret, reasons="再次申请。"
        )
    complaint.refresh_from_db()
    assert complaint.state == S.CLOSED

    # The same matter filed again is refused: the road has ended (art. 36).
    with travel(at(2026, 9, 14, 10)):
        again = build.file(org)
        refused = services.complaint_refuse(
            actor=office,
            complaint=again.complaint,
            ground=RefusalGround.REVIEWS_EXHAUSTED,
            reason="该事项已经复查、复核，不再受理。",
            repeat_of=complaint,
        )
    assert (refused.state, refused.repeat_of) == (S.REFUSED, complaint)
    assert (Transition.REFUSE, "该事项已经复查、复核，不再受理。") in stages(again)


def test_reviews_not_exhausted_after_one_review(org, calendar):
    filed = _closed_on_august_3(org)
    with travel(at(2026, 8, 10, 10)):
        once = build.reviewed(org, filed)
        again = build.file(org)
        with pytest.raises(DomainError, match="was not reviewed twice"):
            services.complaint_refuse(
                actor=org.users["office"],
                complaint=again.complaint,
                ground=RefusalGround.REVIEWS_EXHAUSTED,
                reason="已复查。",
                repeat_of=once,
            )
    again.complaint.refresh_from_db()
    assert again.complaint.state == S.RECEIVED


# --- the sweep (issue 12 §8) ----------------------------------------------------------------------


def _notified(kind: str) -> list:
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind))


def test_the_sweep_reminds_and_escalates_once_and_not_who_stood_aside(org, calendar):
    salt = org.departments["salt"]
    interested = build.staff(org, "salt-clerk-2", department=salt)
    filed = _accepted_on_august_3(org)
    with travel(at(2026, 8, 4, 10)):
        services.complaint_stand_aside(
            actor=interested, complaint=filed.complaint, reason="投诉人系本人亲属。"
        )
    handle = step(filed.complaint, K.HANDLE)
    assert (handle.due_at, handle.remind_at) == (end_of(2026, 10, 8), at(2026, 9, 30, 8))

    with travel(at(2026, 9, 29, 12)):
        assert services.complaint_deadlines_sweep().reminders == 0
    with travel(at(2026, 9, 30, 8)):
        first = services.complaint_deadlines_sweep()
        second = services.complaint_deadlines_sweep()
    assert (first.reminders, second.reminders) == (1, 0)
    assert _notified(NotificationKind.DEADLINE_REMINDER) == ["city-clerk"]

    with travel(end_of(2026, 10, 8)):
        assert services.complaint_deadlines_sweep().overdue == 0
    with travel(at(2026, 10, 9, 0)):
        first = services.complaint_deadlines_sweep()
        second = services.complaint_deadlines_sweep()
    assert (first.overdue, second.overdue) == (1, 0)
    # The holders, and the office of the complaint's jurisdiction; never who stood aside.
    assert _notified(NotificationKind.DEADLINE_OVERDUE) == ["city-clerk", "city-office"]
    assert sorted(
        DeadlineNotice.objects.filter(step=handle).values_list("kind", flat=True)
    ) == sorted([NoticeKind.OVERDUE, NoticeKind.REMINDER])
    # In the staff's timeline, not on the tracking page.
    logged = ComplaintEvent.objects.filter(complaint=filed.complaint)
    assert logged.filter(transition=Transition.DEADLINE_REMINDER).count() == 1
    assert logged.filter(transition=Transition.DEADLINE_OVERDUE).count() == 1
    assert not {t for t, _note in stages(filed)} & {
        Transition.DEADLINE_REMINDER,
        Transition.DEADLINE_OVERDUE,
    }


def test_beat_runs_the_complaints_sweep_and_the_task_sweeps(org, calendar):
    schedule = celery_app.conf.beat_schedule
    assert "complaints.tasks.deadlines_sweep" in {entry["task"] for entry in schedule.values()}
    _accepted_on_august_3(org)
    with travel(at(2026, 9, 30, 8)):
        assert tasks.deadlines_sweep() == {"reminders": 1, "overdue": 0, "notifications": 1}
        assert tasks.deadlines_sweep() == {"reminders": 0, "overdue": 0, "notifications": 0}


# --- a calendar change (SPEC §9) ------------------------------------------------------------------


def test_a_calendar_change_moves_a_complaint_step_and_tells_its_holders(org, calendar):
    """Accepted Friday 09-18: the answer is due with Tuesday 11-17. 11-17 made a holiday: due
    with 11-18; the clerk is told with a link to the complaint, a person who stood aside is
    not."""
    salt = org.departments["salt"]
    interested = build.staff(org, "salt-clerk-2", department=salt)
    with travel(at(2026, 9, 18, 9)):
        filed = build.file(org)
        complaint = services.complaint_accept(actor=org.users["office"], complaint=filed.complaint)
        services.complaint_stand_aside(actor=interested, complaint=complaint, reason="利害关系。")
    handle = step(complaint, K.HANDLE)
    assert handle.due_at == end_of(2026, 11, 17)
    other = _accepted_on_august_3(org, facts="市盐业管理局要求企业重复提交营业执照复印件。")
    unmoved = step(other.complaint, K.HANDLE)

    with travel(at(2026, 10, 12, 9)):
        revision = core_services.calendar_day_set(
            actor=org.users[Role.ADMINISTRATOR],
            date=datetime.date(2026, 11, 17),
            kind=DayKind.HOLIDAY,
            name="临时调整",
        )
        assert core_services.calendar_revision_apply(revision_id=revision.pk) == 1
    handle.refresh_from_db()
    assert handle.due_at == end_of(2026, 11, 18)
    assert handle.remind_at == at(2026, 11, 16, 8)
    unmoved_due = unmoved.due_at
    unmoved.refresh_from_db()
    assert unmoved.due_at == unmoved_due

    moved = Notification.objects.filter(kind=NotificationKind.DEADLINE_MOVED)
    assert [n.recipient for n in moved] == [org.users["clerk"]]
    (notice,) = moved
    assert complaint.code in f"{notice.subject} {notice.body}"
    assert notice.url == reverse("complaints:detail", args=[complaint.code])
