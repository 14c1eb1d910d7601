"""Issue 4, Done when: with a frozen clock a request walks across the 2026 National Day holiday
and every due moment is the one the official schedule gives (holidays 09-25..27 and 10-01..07,
make-up working days Sunday 09-20 and Saturday 10-10)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from adjustments import services
from adjustments.choices import NoticeKind, RequestState, ReviewConclusion, StepKind
from adjustments.models import DeadlineNotice, Step
from core import calendar as core_calendar
from core import services as core_services
from core.choices import DayKind, NotificationKind, Role
from core.models import Notification
from tests.adjustment_builders import at, end_of, published_entry, request_for, walk_to_review


def _step(request, kind) -> Step:
    return Step.objects.filter(request=request, kind=kind).order_by("-pk").first()


def test_a_request_walks_across_national_day_2026(org, calendar):
    people = org.users
    with time_machine.travel(at(2026, 9, 29), tick=False):
        request = request_for(org, event_date=datetime.date(2026, 9, 18))
    apply = _step(request, StepKind.APPLY)
    # 10 working days from Friday 09-18: Sunday 09-20 counts; 09-25..27 and 10-01..07 do not.
    assert apply.due_at == end_of(2026, 10, 9)
    assert apply.remind_at == at(2026, 10, 8, 8)

    with time_machine.travel(at(2026, 9, 29, 10), tick=False):
        request = services.adjustment_submit(actor=people[Role.CLERK], request=request)
    assert request.state == RequestState.SUBMITTED
    # Forward within 2 working days: 09-30, then 10-08 after the holiday.
    assert _step(request, StepKind.FORWARD).due_at == end_of(2026, 10, 8)
    assert _step(request, StepKind.FORWARD).remind_at == at(2026, 9, 30, 8)

    with time_machine.travel(at(2026, 9, 30, 15), tick=False):
        request = services.adjustment_forward(
            actor=people[Role.OFFICE], request=request, reviewers=[org.departments["legal"]]
        )
    review = _step(request, StepKind.REVIEW)
    # Review within 5 working days: 10-08, 10-09, Saturday 10-10 (make-up), 10-12, 10-13.
    assert review.due_at == end_of(2026, 10, 13)
    # The primary reviewer's notice of a joint review, a step of its own: 1 working day,
    # 10-08 after the holiday; its reminder on 09-30, the last working day before it.
    notice = _step(request, StepKind.JOINT_NOTICE)
    assert (notice.due_at, notice.remind_at) == (end_of(2026, 10, 8), at(2026, 9, 30, 8))
    with time_machine.travel(at(2026, 10, 8, 10), tick=False):
        request = services.adjustment_joint_decline(actor=people[Role.REVIEWER], request=request)
    assert request.state == RequestState.REVIEWING

    with time_machine.travel(at(2026, 10, 9, 11), tick=False):
        request = services.adjustment_review(
            actor=people[Role.REVIEWER],
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="同意。",
        )
    assert request.state == RequestState.APPROVING
    # The approval opinion within 2 working days: Saturday 10-10 counts, then 10-12.
    assert _step(request, StepKind.APPROVE).due_at == end_of(2026, 10, 12)

    with time_machine.travel(at(2026, 10, 12, 9), tick=False):
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="同意。"
        )
    confirm = _step(request, StepKind.CONFIRM)
    # Confirmation within 1 working day (10-13); an objection within 2 (10-14), the step's
    # due moment, reminded on 10-13.
    assert (confirm.confirm_due_at, confirm.due_at, confirm.remind_at) == (
        end_of(2026, 10, 13),
        end_of(2026, 10, 14),
        at(2026, 10, 13, 8),
    )

    with time_machine.travel(at(2026, 10, 13, 9), tick=False):
        request = services.adjustment_confirm(actor=people[Role.CLERK], request=request)
    assert _step(request, StepKind.DIGITAL_FORWARD).due_at == end_of(2026, 10, 15)
    # Seed 004 三(三)5 "同时": the department's 3 working days run from the same moment as the
    # office's 2: 10-14, 10-15, 10-16.
    assert _step(request, StepKind.SITE_UPDATE).due_at == end_of(2026, 10, 16)

    with time_machine.travel(at(2026, 10, 14, 9), tick=False):
        request = services.adjustment_digital_forward(actor=people[Role.OFFICE], request=request)
    assert _step(request, StepKind.PUBLISH).due_at == end_of(2026, 10, 15)

    with time_machine.travel(at(2026, 10, 15, 10), tick=False):
        request = services.adjustment_publish(actor=people[Role.DIGITAL], request=request)
    assert request.state == RequestState.PUBLISHED

    with time_machine.travel(at(2026, 10, 16, 9), tick=False):
        request = services.adjustment_site_update(actor=people[Role.CLERK], request=request)
    assert request.state == RequestState.COMPLETED
    late = [step.kind for step in Step.objects.filter(request=request) if step.is_overdue]
    assert late == []


def test_walk_helper_reaches_review(org, calendar):
    with time_machine.travel(at(2026, 9, 29), tick=False):
        request = request_for(org, event_date=datetime.date(2026, 9, 28))
        request = walk_to_review(org, request)
    assert request.state == RequestState.REVIEWING


def test_reminder_and_overdue_notice_across_national_day(org, calendar):
    """The forwarding step of a request submitted on 09-29 is due at the end of 10-08: its
    reminder goes out on 09-30, the last working day before the holiday; the sweeps of the
    holiday say nothing; it is overdue from the first moment of 10-09."""
    people = org.users
    with time_machine.travel(at(2026, 9, 29, 9), tick=False):
        request = request_for(org, event_date=datetime.date(2026, 9, 28))
        request = services.adjustment_submit(actor=people[Role.CLERK], request=request)
    forward = _step(request, StepKind.FORWARD)
    assert (forward.due_at, forward.remind_at) == (end_of(2026, 10, 8), at(2026, 9, 30, 8))

    with time_machine.travel(at(2026, 9, 30, 8), tick=False):
        assert services.deadlines_sweep().reminders == 1
    for day in range(1, 9):
        with time_machine.travel(at(2026, 10, day, 12), tick=False):
            result = services.deadlines_sweep()
        assert (result.reminders, result.overdue) == (0, 0), day
    with time_machine.travel(end_of(2026, 10, 8), tick=False):
        assert services.deadlines_sweep().overdue == 0
    with time_machine.travel(at(2026, 10, 9, 0), tick=False):
        assert services.deadlines_sweep().overdue == 1
    assert sorted(DeadlineNotice.objects.filter(step=forward).values_list("kind", flat=True)) == [
        NoticeKind.OVERDUE,
        NoticeKind.REMINDER,
    ]
    escalated = Notification.objects.filter(kind=NotificationKind.DEADLINE_OVERDUE)
    assert {n.recipient for n in escalated} == {people[Role.OFFICE], people[Role.SUPERVISOR]}


def _confirming(org):
    """Approved on Thursday 11-05: confirmation due 11-06, an objection due Monday 11-09."""
    people = org.users
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        request = request_for(org, event_date=datetime.date(2026, 11, 2))
        request = walk_to_review(org, request)
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        request = services.adjustment_review(
            actor=people[Role.REVIEWER],
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="同意。",
        )
    with time_machine.travel(at(2026, 11, 5, 10), tick=False):
        return services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准。"
        )


def test_a_confirmation_on_working_day_two_is_late_an_objection_is_not(org, calendar):
    request = _confirming(org)
    confirm = _step(request, StepKind.CONFIRM)
    assert (confirm.confirm_due_at, confirm.due_at) == (end_of(2026, 11, 6), end_of(2026, 11, 9))
    with time_machine.travel(at(2026, 11, 9, 10), tick=False):
        request = services.adjustment_confirm(actor=org.users[Role.CLERK], request=request)
    confirm.refresh_from_db()
    assert confirm.is_overdue
    assert request.events.get(transition="confirm").detail == {"late": True}


def test_an_objection_after_working_day_two_is_accepted_and_late(org, calendar):
    request = _confirming(org)
    with time_machine.travel(at(2026, 11, 10, 9), tick=False):
        request = services.adjustment_object(
            actor=org.users[Role.CLERK], request=request, reason="申请复审。"
        )
    assert request.state == RequestState.OBJECTED
    assert _step(request, StepKind.CONFIRM).is_overdue
    assert request.events.get(transition="object").detail == {"late": True}


def test_the_site_update_period_may_start_from_publication_by_policy(org, calendar):
    people = org.users
    core_jurisdiction = org.departments["salt"].jurisdiction
    services.policy_save(
        actor=people[Role.OFFICE],
        jurisdiction=core_jurisdiction,
        values={"site_update_start": "publication"},
    )
    request = _confirming(org)
    with time_machine.travel(at(2026, 11, 6, 9), tick=False):
        request = services.adjustment_confirm(actor=people[Role.CLERK], request=request)
        assert _step(request, StepKind.SITE_UPDATE) is None
        request = services.adjustment_digital_forward(actor=people[Role.OFFICE], request=request)
        request = services.adjustment_publish(actor=people[Role.DIGITAL], request=request)
    # 3 working days from publication on Friday 11-06: 11-09, 10, 11.
    assert _step(request, StepKind.SITE_UPDATE).due_at == end_of(2026, 11, 11)


def test_spring_festival_2026_with_its_make_up_saturdays(org, calendar):
    """Holidays 02-15..23; Saturdays 02-14 and 02-28 are working days."""
    with time_machine.travel(at(2026, 2, 11, 9), tick=False):
        request = request_for(org, event_date=datetime.date(2026, 2, 10))
    apply = _step(request, StepKind.APPLY)
    # 02-11, 12, 13, Saturday 02-14, (02-15..23 off), 02-24, 25, 26, 27, Saturday 02-28, 03-02.
    assert apply.due_at == end_of(2026, 3, 2)
    assert apply.due_confirmed
    # "Due tomorrow" on the make-up Saturday, the working day before Monday 03-02.
    assert apply.remind_at == at(2026, 2, 28, 8)


def test_periods_count_shanghai_dates(org, calendar):
    """Submitted at 07:30 on Friday 10-09 in Shanghai, which is still 10-08 in UTC: the period
    counts from 10-09. Saturday 10-10 is a make-up working day."""
    with time_machine.travel(at(2026, 10, 9, 7, 30), tick=False):
        request = request_for(org, event_date=datetime.date(2026, 10, 8))
        request = services.adjustment_submit(actor=org.users[Role.CLERK], request=request)
    forward = _step(request, StepKind.FORWARD)
    # Two working days after 10-09: Saturday 10-10 and Monday 10-12 (from 10-08 it would end
    # on 10-10).
    assert forward.due_at == end_of(2026, 10, 12)
    assert forward.remind_at == at(2026, 10, 10, 8)


def test_a_period_reaching_an_unconfirmed_year_moves_when_the_calendar_changes(org, calendar):
    """2027 has no confirmed schedule: the statutory 元旦 (01-01) is off and the due moment is
    flagged unconfirmed. An administrator's change of a day recomputes it; the reminder of the
    new due moment goes out although the old one's did."""
    with time_machine.travel(at(2026, 12, 28, 9), tick=False):
        request = request_for(org, event_date=datetime.date(2026, 12, 24))
    apply = _step(request, StepKind.APPLY)
    # 12-25, 28, 29, 30, 31, (2027-01-01 元旦), 01-04, 05, 06, 07, 08.
    assert (apply.due_at, apply.due_confirmed) == (end_of(2027, 1, 8), False)
    with time_machine.travel(at(2027, 1, 7, 8), tick=False):
        assert services.deadlines_sweep().reminders == 1

    with time_machine.travel(at(2027, 1, 7, 9), tick=False):
        revision = core_services.calendar_day_set(
            actor=org.users[Role.ADMINISTRATOR],
            date=datetime.date(2027, 1, 4),
            kind=DayKind.HOLIDAY,
            name="元旦",
        )
        assert core_services.calendar_revision_apply(revision_id=revision.pk) == 1
    apply.refresh_from_db()
    # 01-04 is off now: the tenth working day is Monday 01-11.
    assert (apply.due_at, apply.due_confirmed) == (end_of(2027, 1, 11), False)
    assert (apply.remind_at, apply.reminded_at) == (at(2027, 1, 8, 8), None)
    with time_machine.travel(at(2027, 1, 8, 8), tick=False):
        assert services.deadlines_sweep().reminders == 1
    assert sorted(apply.notices.values_list("due_at", flat=True)) == [
        end_of(2027, 1, 8),
        end_of(2027, 1, 11),
    ]


SUBMITTED = at(2026, 9, 29, 10)


@pytest.mark.parametrize(
    ("stops", "due"),
    [
        # No stop: 09-30, then 10-08 after the holiday.
        ([], end_of(2026, 10, 8)),
        # Returned on 09-30, back on 10-09: 10-08 and 10-09 stood still (the holiday is off
        # anyway); the second working day is the make-up Saturday 10-10.
        ([(at(2026, 9, 30, 10), at(2026, 10, 9, 10))], end_of(2026, 10, 10)),
        # Returned and back on the same day: nothing stood still.
        ([(at(2026, 9, 30, 10), at(2026, 9, 30, 16))], end_of(2026, 10, 8)),
        # Still with the department: no due moment.
        ([(at(2026, 9, 30, 10), None)], None),
        # Returned on the last day: the clock stops too, and the period ends with the day of
        # the restart, or the next working day (Sunday 10-11 → Monday 10-12).
        ([(at(2026, 10, 8, 10), None)], None),
        ([(at(2026, 10, 8, 10), at(2026, 10, 9, 10))], end_of(2026, 10, 9)),
        ([(at(2026, 10, 8, 10), at(2026, 10, 11, 10))], end_of(2026, 10, 12)),
        # Returned after the period had ended: the lapse stays.
        ([(at(2026, 10, 9, 10), None)], end_of(2026, 10, 8)),
        # Two returns: 09-30 to 10-08 (10-08 stood still; 09-30 and 10-09 are counted) and
        # again on that last day 10-09, back on Monday 10-12, which ends it.
        (
            [
                (at(2026, 9, 30, 10), at(2026, 10, 8, 10)),
                (at(2026, 10, 9, 10), at(2026, 10, 12, 10)),
            ],
            end_of(2026, 10, 12),
        ),
    ],
)
def test_clock_stops_across_national_day(calendar, stops, due):
    deadline = core_calendar.add_with_stops(SUBMITTED, 2, stops=stops)
    assert (deadline.due if deadline else None) == due


def test_a_calendar_change_that_moves_a_deadline_tells_the_steps_holder(org, calendar, mailoutbox):
    """Issue 9 §21: the clerk holding the apply step is told once, with the old and the new due
    moment and the revision's reason; a step whose due moment did not move tells nobody."""
    clerk = org.users[Role.CLERK]
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        moved = _step(request_for(org, event_date=datetime.date(2026, 11, 2)), StepKind.APPLY)
        entry = published_entry(org, name="另一个事项", basic_code="0700090000")
    with time_machine.travel(at(2026, 11, 10, 9), tick=False):
        later = _step(
            request_for(org, event_date=datetime.date(2026, 11, 9), entry=entry), StepKind.APPLY
        )
    # Ten working days from Monday 11-02: 11-03 … 11-16.
    assert moved.due_at == end_of(2026, 11, 16)
    before = (later.due_at, later.remind_at)

    with time_machine.travel(at(2026, 11, 10, 10), tick=False):
        revision = core_services.calendar_day_set(
            actor=org.users[Role.ADMINISTRATOR],
            date=datetime.date(2026, 11, 5),
            kind=DayKind.HOLIDAY,
            name="临时调休",
        )
        assert core_services.calendar_revision_apply(revision_id=revision.pk) == 1
        assert core_services.calendar_revision_apply(revision_id=revision.pk) == 0

    moved.refresh_from_db()
    later.refresh_from_db()
    assert moved.due_at == end_of(2026, 11, 17)
    assert (later.due_at, later.remind_at) == before
    (notice,) = Notification.objects.filter(kind=NotificationKind.DEADLINE_MOVED)
    assert notice.recipient == clerk
    assert notice.url == reverse("adjustments:detail", args=[moved.request.number])
    for text in ("2026-11-16 23:59", "2026-11-17 23:59", revision.summary, moved.request.number):
        assert text in notice.body
    assert core_services.notification_email_send(notification_id=notice.pk)
    assert [message.to for message in mailoutbox] == [[clerk.email]]
