"""Issue 4, Done when: with a frozen clock a request walks across the 2026 National Day holiday
and every due moment is the one the official schedule gives (holidays 09-25..27 and 10-01..07,
make-up working days Sunday 09-20 and Saturday 10-10)."""

import datetime

import time_machine

from adjustments import services
from adjustments.choices import RequestState, ReviewConclusion, StepKind
from adjustments.models import Step
from core.choices import Role
from tests.adjustment_builders import at, end_of, request_for, walk_to_review


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
    # The primary reviewer's notice of a joint review: 1 working day.
    assert review.joint_notice_due_at == end_of(2026, 10, 8)

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
    assert _step(request, StepKind.CONFIRM).due_at == end_of(2026, 10, 13)

    with time_machine.travel(at(2026, 10, 13, 9), tick=False):
        request = services.adjustment_confirm(actor=people[Role.CLERK], request=request)
    assert _step(request, StepKind.DIGITAL_FORWARD).due_at == end_of(2026, 10, 15)

    with time_machine.travel(at(2026, 10, 14, 9), tick=False):
        request = services.adjustment_digital_forward(actor=people[Role.OFFICE], request=request)
    assert _step(request, StepKind.PUBLISH).due_at == end_of(2026, 10, 15)

    with time_machine.travel(at(2026, 10, 15, 10), tick=False):
        request = services.adjustment_publish(actor=people[Role.DIGITAL], request=request)
    assert request.state == RequestState.PUBLISHED
    # The department's own website within 3 working days: 10-16, 10-19, 10-20.
    assert _step(request, StepKind.SITE_UPDATE).due_at == end_of(2026, 10, 20)

    with time_machine.travel(at(2026, 10, 19, 9), tick=False):
        request = services.adjustment_site_update(actor=people[Role.CLERK], request=request)
    assert request.state == RequestState.COMPLETED
    late = [step.kind for step in Step.objects.filter(request=request) if step.is_overdue]
    assert late == []


def test_walk_helper_reaches_review(org, calendar):
    with time_machine.travel(at(2026, 9, 29), tick=False):
        request = request_for(org, event_date=datetime.date(2026, 9, 28))
        request = walk_to_review(org, request)
    assert request.state == RequestState.REVIEWING
