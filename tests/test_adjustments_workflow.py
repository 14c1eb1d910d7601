"""Issue 4: every path of the adjustment procedure walked end to end through the services, as
the people who act on each step, with the clock frozen at chosen moments (November 2026 has no
holiday; working days are counted by hand in the comments).

Seed 004 三(三): joint review (联合会审), objection and re-review (复审), extension of the
application period, return for supplement (退回补正, the office's clock stops), rejection,
withdrawal. Seed 003 三(二)5: the filing path (备案) and the review by the office above with the
executive meeting (常务会议). Seed 002 第十条: seven calendar days. Also: refusals change
nothing, two people acting at once, atomic publication and the append-only event log."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import translation

from adjustments import services
from adjustments.choices import (
    AdjustmentPath,
    NoticeKind,
    RequestState,
    ReviewConclusion,
    StepKind,
    StepOutcome,
    Transition,
    TriggerKind,
)
from adjustments.models import AdjustmentRequest, ClockStop, RequestEvent, Step
from adjustments.services import TransitionRefused
from core import workqueue
from core.choices import DeadlineUnit, NotificationKind, Role
from core.models import Notification
from core.services import DomainError
from registry import services as registry_services
from registry.choices import ChangeSource, DraftState
from registry.models import Draft, Entry
from tests import registry_builders
from tests.adjustment_builders import (
    at,
    draft_of,
    end_of,
    numbered_entry,
    open_step,
    request_for,
    staff_user,
    walk_to_approving,
    walk_to_review,
)
from tests.conftest import need

K = StepKind
S = RequestState
D = datetime.date


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals are matched in English; the Chinese catalogue is filled in later."""
    with translation.override("en"):
        yield


def travel(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def trail(request: AdjustmentRequest):
    """Everything a refused action must leave as it was: state, steps and events."""
    state = AdjustmentRequest.objects.values_list("state", flat=True).get(pk=request.pk)
    steps = list(
        Step.objects.filter(request=request)
        .order_by("pk")
        .values_list("pk", "kind", "finished_at", "due_at", "outcome", "detail")
    )
    events = list(RequestEvent.objects.filter(request=request).values_list("pk", flat=True))
    return state, steps, events


def last_event(request: AdjustmentRequest) -> RequestEvent:
    return RequestEvent.objects.filter(request=request).order_by("-pk").first()


def open_kinds(request: AdjustmentRequest) -> list[str]:
    return sorted(
        Step.objects.filter(request=request, finished_at=None).values_list("kind", flat=True)
    )


def draft_state(request: AdjustmentRequest) -> set[str]:
    return set(
        Draft.objects.filter(pk__in=request.items.values("draft_id")).values_list(
            "state", flat=True
        )
    )


def submitted(org, **kwargs) -> AdjustmentRequest:
    """A city request for an event of Monday 11-02, created and submitted at 09:00 that day."""
    with travel(at(2026, 11, 2, 9)):
        request = request_for(org, event_date=D(2026, 11, 2), **kwargs)
        return services.adjustment_submit(actor=org.users[Role.CLERK], request=request)


def second_reviewer(org):
    return staff_user(
        org,
        username="city-reviewer-establishment",
        role=Role.REVIEWER,
        department=org.departments["establishment"],
    )


# --- joint review (联合会审, seed 004 三(三)3) ---------------------------------------------------


def _forwarded_to_two(org) -> AdjustmentRequest:
    """Submitted on Monday 11-02, forwarded on 11-03 to 法制办 (primary) and 编办."""
    request = submitted(org)
    with travel(at(2026, 11, 3, 10)):
        return services.adjustment_forward(
            actor=org.users[Role.OFFICE],
            request=request,
            reviewers=[org.departments["legal"], org.departments["establishment"]],
            primary=org.departments["legal"],
            opinion="涉及法制和机构编制，请两家审核。",
        )


def test_joint_review_from_the_primary_reviewers_notice_to_publication(org, calendar):
    people = org.users
    establishment = second_reviewer(org)
    request = _forwarded_to_two(org)
    legal_step = Step.objects.get(
        request=request, kind=K.REVIEW, department=org.departments["legal"]
    )
    reviews = Step.objects.filter(request=request, kind=K.REVIEW).order_by("pk")
    assert [(s.department, s.primary) for s in reviews] == [
        (org.departments["legal"], True),
        (org.departments["establishment"], False),
    ]
    # Review within 5 working days of 11-03: 11-04, 05, 06, 09, 10.
    assert {s.due_at for s in reviews} == {end_of(2026, 11, 10)}
    # Only the primary reviewer has the 1 working day notice, a step of its own: 11-04.
    [notice] = Step.objects.filter(request=request, kind=K.JOINT_NOTICE)
    assert (notice.department, notice.due_at, notice.remind_at) == (
        org.departments["legal"],
        end_of(2026, 11, 4),
        at(2026, 11, 3, 8),
    )

    # 编办 is not the primary reviewer: it tells its view, it does not ask.
    before = trail(request)
    with travel(at(2026, 11, 4, 9)), pytest.raises(TransitionRefused, match="primary"):
        services.adjustment_joint_request(
            actor=establishment,
            request=request,
            departments=[org.departments["legal"]],
            reason="需要联合会审。",
        )
    assert trail(request) == before

    with travel(at(2026, 11, 4, 15)):
        request = services.adjustment_joint_request(
            actor=people[Role.REVIEWER],
            request=request,
            departments=[org.departments["establishment"]],
            reason="涉及机构职能调整，需联合会审。",
        )
    assert request.state == S.JOINT_REVIEW
    # The separate reviews end: the primary's as the one that asked, the other with it.
    assert not Step.objects.filter(request=request, kind=K.REVIEW, finished_at=None).exists()
    assert set(
        Step.objects.filter(request=request, kind=K.REVIEW).values_list("outcome", flat=True)
    ) == {StepOutcome.JOINT}
    notice.refresh_from_db()
    assert (notice.outcome, notice.is_overdue) == (StepOutcome.JOINT, False)
    joint = open_step(request, K.JOINT_REVIEW)
    assert joint.department == org.departments["office"]
    assert joint.detail["reviewers"] == [
        org.departments["legal"].pk,
        org.departments["establishment"].pk,
    ]
    # The joint review within 5 working days of 11-04: 11-05, 06, 09, 10, 11.
    assert joint.due_at == end_of(2026, 11, 11)
    asked = last_event(request)
    assert (asked.transition, asked.step_id, asked.actor) == (
        Transition.JOINT_REQUEST,
        legal_step.pk,
        people[Role.REVIEWER],
    )
    assert asked.detail["late"] is False

    # Convening without the applying department is refused: the seed names it.
    meeting = at(2026, 11, 6, 14, 30)
    before = trail(request)
    with travel(at(2026, 11, 5, 10)), pytest.raises(DomainError, match="市盐业管理局"):
        services.adjustment_joint_convene(
            actor=people[Role.OFFICE],
            request=request,
            meeting_at=meeting,
            place="市民服务中心三楼会议室",
            participants=[org.departments["legal"], org.departments["establishment"]],
        )
    assert trail(request) == before

    participants = [
        org.departments["legal"],
        org.departments["establishment"],
        org.departments["salt"],
    ]
    with travel(at(2026, 11, 5, 10)):
        request = services.adjustment_joint_convene(
            actor=people[Role.OFFICE],
            request=request,
            meeting_at=meeting,
            place="市民服务中心三楼会议室",
            participants=participants,
            note="请各单位带齐材料。",
        )
    joint.refresh_from_db()
    assert joint.finished_at is None
    assert joint.detail["meeting"] == {
        "at": meeting.isoformat(),
        "place": "市民服务中心三楼会议室",
        "participants": [d.pk for d in participants],
    }
    invited = Notification.objects.filter(dedupe_key__startswith=f"adjustment-step:{joint.pk}:")
    assert {n.recipient for n in invited} >= {
        people[Role.REVIEWER],
        establishment,
        people[Role.CLERK],
    }

    with travel(at(2026, 11, 6, 16)):
        request = services.adjustment_joint_conclude(
            actor=people[Role.OFFICE],
            request=request,
            conclusion=ReviewConclusion.AGREE_WITH_CHANGES,
            opinion="联合会审意见：同意调整，承诺时限改为5个工作日。",
        )
    assert request.state == S.APPROVING
    joint.refresh_from_db()
    assert (joint.outcome, joint.finished_by) == (
        StepOutcome.AGREED_WITH_CHANGES,
        people[Role.OFFICE],
    )
    # The approval opinion within 2 working days of Friday 11-06: 11-09, 11-10.
    assert open_step(request, K.APPROVE).due_at == end_of(2026, 11, 10)

    with travel(at(2026, 11, 9, 9)):
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准。"
        )
    confirm = open_step(request, K.CONFIRM)
    # Confirmation by 11-10, an objection by 11-11.
    assert (confirm.confirm_due_at, confirm.due_at) == (end_of(2026, 11, 10), end_of(2026, 11, 11))
    with travel(at(2026, 11, 10, 9)):
        request = services.adjustment_confirm(actor=people[Role.CLERK], request=request)
        request = services.adjustment_digital_forward(actor=people[Role.OFFICE], request=request)
        request = services.adjustment_publish(actor=people[Role.DIGITAL], request=request)
    assert request.state == S.PUBLISHED
    [item] = request.items.all()
    assert (item.version, Entry.objects.get(pk=item.entry_id).version) == (2, 2)
    assert list(
        RequestEvent.objects.filter(request=request).values_list("transition", flat=True)
    ) == [
        Transition.CREATE,
        Transition.SUBMIT,
        Transition.FORWARD,
        Transition.JOINT_REQUEST,
        Transition.JOINT_CONVENE,
        Transition.JOINT_CONCLUDE,
        Transition.APPROVE,
        Transition.CONFIRM,
        Transition.DIGITAL_FORWARD,
        Transition.PUBLISH,
    ]


def test_a_joint_review_notice_after_one_working_day_is_accepted_as_late(org, calendar):
    request = _forwarded_to_two(org)
    # The notice was due by the end of 11-04; Thursday 11-05 is late.
    with travel(at(2026, 11, 5, 9)):
        request = services.adjustment_joint_request(
            actor=org.users[Role.REVIEWER],
            request=request,
            departments=[org.departments["establishment"]],
            reason="涉及机构职能调整。",
        )
    assert request.state == S.JOINT_REVIEW
    assert last_event(request).detail["late"] is True


def test_a_joint_review_needs_another_lead_review_department(org, calendar):
    request = _forwarded_to_two(org)
    before = trail(request)
    with travel(at(2026, 11, 4, 9)), pytest.raises(DomainError, match="other lead review"):
        services.adjustment_joint_request(
            actor=org.users[Role.REVIEWER],
            request=request,
            departments=[org.departments["legal"]],
            reason="需要联合会审。",
        )
    with travel(at(2026, 11, 4, 9)), pytest.raises(DomainError, match="not a lead review"):
        services.adjustment_joint_request(
            actor=org.users[Role.REVIEWER],
            request=request,
            departments=[org.departments["salt"]],
            reason="需要联合会审。",
        )
    assert trail(request) == before


# --- objection and re-review (复审, seed 004 三(三)5) ----------------------------------------


def test_an_objection_goes_back_to_the_last_reviewers_and_then_to_publication(org, calendar):
    people = org.users
    establishment = second_reviewer(org)
    request = _forwarded_to_two(org)
    with travel(at(2026, 11, 4, 10)):
        for reviewer in (people[Role.REVIEWER], establishment):
            request = services.adjustment_review(
                actor=reviewer,
                request=request,
                conclusion=ReviewConclusion.AGREE_WITH_CHANGES,
                opinion="同意，但承诺时限应为7个工作日。",
            )
    assert request.state == S.APPROVING
    with travel(at(2026, 11, 5, 10)):
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准，承诺时限7个工作日。"
        )
    # Seed 004 三(三)4–5: confirmation within 1 working day (Friday 11-06); an objection
    # within 2 (Monday 11-09), the step's due moment.
    confirm = open_step(request, K.CONFIRM)
    assert (confirm.confirm_due_at, confirm.due_at) == (end_of(2026, 11, 6), end_of(2026, 11, 9))

    before = trail(request)
    with travel(at(2026, 11, 9, 10)), pytest.raises(DomainError, match="reasons"):
        services.adjustment_object(actor=people[Role.CLERK], request=request, reason="  ")
    assert trail(request) == before

    # Working day 2: on time, not overdue; the objection goes to the office first.
    with travel(at(2026, 11, 9, 16)):
        request = services.adjustment_object(
            actor=people[Role.CLERK],
            request=request,
            reason="5个工作日已能办结，申请复审。",
        )
    assert request.state == S.OBJECTED
    confirm = Step.objects.get(request=request, kind=K.CONFIRM)
    assert (confirm.outcome, confirm.is_overdue) == (StepOutcome.OBJECTED, False)
    objected = last_event(request)
    assert (objected.transition, objected.opinion, objected.detail) == (
        Transition.OBJECT,
        "5个工作日已能办结，申请复审。",
        {"late": False},
    )
    assert not Step.objects.filter(request=request, kind=K.REREVIEW).exists()
    objection = open_step(request, K.OBJECTION)
    # The office's step, this product's default 2 working days: 11-10, 11-11.
    assert (objection.department, objection.due_at) == (
        org.departments["office"],
        end_of(2026, 11, 11),
    )
    # Only the office sends it on.
    with travel(at(2026, 11, 10, 9)), pytest.raises(TransitionRefused):
        services.adjustment_objection_forward(actor=people[Role.CLERK], request=request)

    with travel(at(2026, 11, 10, 9)):
        request = services.adjustment_objection_forward(
            actor=people[Role.OFFICE], request=request, opinion="请原审核部门复审。"
        )
    assert request.state == S.REREVIEW
    rereviews = Step.objects.filter(request=request, kind=K.REREVIEW).order_by("department_id")
    # By default, the reviewers of the last round.
    assert [(s.department, s.round, s.finished_at) for s in rereviews] == [
        (org.departments["legal"], 2, None),
        (org.departments["establishment"], 2, None),
    ]
    # Re-review within this product's default 5 working days of 11-10: 11-11 .. 11-17.
    assert {s.due_at for s in rereviews} == {end_of(2026, 11, 17)}
    sent = last_event(request)
    assert sent.transition == Transition.OBJECTION_FORWARD
    assert sorted(sent.detail["reviewers"]) == sorted(
        [org.departments["legal"].pk, org.departments["establishment"].pk]
    )

    with travel(at(2026, 11, 11, 10)):
        request = services.adjustment_rereview(
            actor=people[Role.REVIEWER],
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="复审同意5个工作日。",
        )
        assert request.state == S.REREVIEW  # 编办 has not answered yet
        request = services.adjustment_rereview(
            actor=establishment,
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="复审同意。",
        )
    assert request.state == S.APPROVING
    # A new approval opinion within 2 working days of 11-11: 11-12, 11-13.
    approve = open_step(request, K.APPROVE)
    assert approve.due_at == end_of(2026, 11, 13)
    assert Step.objects.filter(request=request, kind=K.APPROVE).count() == 2

    with travel(at(2026, 11, 12, 9)):
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准，承诺时限5个工作日。"
        )
        request = services.adjustment_confirm(actor=people[Role.CLERK], request=request)
        request = services.adjustment_digital_forward(actor=people[Role.OFFICE], request=request)
        request = services.adjustment_publish(actor=people[Role.DIGITAL], request=request)
    assert request.state == S.PUBLISHED
    transitions = list(
        RequestEvent.objects.filter(request=request).values_list("transition", flat=True)
    )
    assert transitions == [
        Transition.CREATE,
        Transition.SUBMIT,
        Transition.FORWARD,
        Transition.REVIEW,
        Transition.REVIEW,
        Transition.APPROVE,
        Transition.OBJECT,
        Transition.OBJECTION_FORWARD,
        Transition.REREVIEW,
        Transition.REREVIEW,
        Transition.APPROVE,
        Transition.CONFIRM,
        Transition.DIGITAL_FORWARD,
        Transition.PUBLISH,
    ]


# --- extension of the application period (seed 004 三(三)1: 可延长至30个工作日) -------------


def _drafting(org) -> AdjustmentRequest:
    """A city request created on Monday 11-02 for an event of Friday 10-30."""
    with travel(at(2026, 11, 2, 9)):
        return request_for(org, event_date=D(2026, 10, 30))


def test_the_office_extends_the_application_period_to_30_working_days(org, calendar):
    people = org.users
    request = _drafting(org)
    apply = open_step(request, K.APPLY)
    # 10 working days from Friday 10-30: 11-02..06, 11-09..13.
    assert (apply.deadline_days, apply.due_at) == (10, end_of(2026, 11, 13))
    assert apply.remind_at == at(2026, 11, 12, 8)

    # The reminder of the old due moment goes out.
    with travel(at(2026, 11, 12, 8, 5)):
        assert services.deadlines_sweep().reminders == 1

    with travel(at(2026, 11, 12, 9)):
        request = services.adjustment_extension_request(
            actor=people[Role.CLERK], request=request, days=30, reason="涉及多个处室，需会商。"
        )
    apply.refresh_from_db()
    assert apply.detail["extension_requested"] == {"days": 30, "reason": "涉及多个处室，需会商。"}
    assert last_event(request).transition == Transition.EXTENSION_REQUEST
    assert Notification.objects.filter(
        recipient=people[Role.OFFICE], subject__contains="Extension"
    ).exists()
    # The office's work queue shows the request for more time until it is decided.
    asked = [i for i in workqueue.items_for(people[Role.OFFICE]) if i.reference == request.number]
    assert [i.action for i in asked] == [str(Transition.EXTENSION_REQUEST.label)]

    with travel(at(2026, 11, 12, 10)):
        request = services.adjustment_extend(
            actor=people[Role.OFFICE], request=request, days=30, reason="同意延长。"
        )
    apply.refresh_from_db()
    assert "extension_requested" not in apply.detail
    assert not [
        i for i in workqueue.items_for(people[Role.OFFICE]) if i.reference == request.number
    ]
    # 30 working days from 10-30: 20 in November to 11-27, 11-30, 12-01..04, 12-07..11.
    assert (apply.deadline_days, apply.due_at) == (30, end_of(2026, 12, 11))
    assert apply.remind_at == at(2026, 12, 10, 8)
    assert (apply.reminded_at, apply.overdue_at) == (None, None)
    extended = last_event(request)
    assert extended.transition == Transition.EXTEND
    assert extended.detail["days"] == [10, 30]
    assert [datetime.datetime.fromisoformat(d) for d in extended.detail["due"]] == [
        end_of(2026, 11, 13),
        end_of(2026, 12, 11),
    ]

    # The old reminder does not block the one of the new due moment.
    with travel(at(2026, 12, 10, 8, 5)):
        result = services.deadlines_sweep()
        assert result.reminders == 1
        assert services.deadlines_sweep().reminders == 0
    assert sorted(apply.notices.values_list("kind", "due_at")) == [
        (NoticeKind.REMINDER, end_of(2026, 11, 13)),
        (NoticeKind.REMINDER, end_of(2026, 12, 11)),
    ]
    # Before the new due moment nothing is overdue.
    with travel(at(2026, 12, 11, 23)):
        assert services.deadlines_sweep().overdue == 0


@pytest.mark.parametrize("days", [31, 10, 9])
def test_an_extension_beyond_30_days_or_not_longer_than_the_period_is_refused(org, calendar, days):
    request = _drafting(org)
    before = trail(request)
    with travel(at(2026, 11, 3, 9)):
        with pytest.raises(DomainError, match="longer than 10 and at most 30"):
            services.adjustment_extend(
                actor=org.users[Role.OFFICE], request=request, days=days, reason="理由。"
            )
        with pytest.raises(DomainError, match="longer than 10 and at most 30"):
            services.adjustment_extension_request(
                actor=org.users[Role.CLERK], request=request, days=days, reason="理由。"
            )
    assert trail(request) == before


def test_an_extension_shorter_than_the_one_granted_is_refused(org, calendar):
    request = _drafting(org)
    with travel(at(2026, 11, 3, 9)):
        services.adjustment_extend(
            actor=org.users[Role.OFFICE], request=request, days=20, reason="同意。"
        )
        before = trail(request)
        with pytest.raises(DomainError, match="longer than 20"):
            services.adjustment_extend(
                actor=org.users[Role.OFFICE], request=request, days=15, reason="再调整。"
            )
    assert trail(request) == before


def test_only_the_office_of_the_requests_jurisdiction_extends(org, calendar):
    city_request = _drafting(org)
    with travel(at(2026, 11, 2, 9)):
        district_request = request_for(org, district=True, event_date=D(2026, 10, 30))
    refusals = [
        (org.district_users[Role.OFFICE], city_request),
        (org.users[Role.OFFICE], district_request),
        (org.users[Role.CLERK], city_request),
    ]
    for actor, request in refusals:
        before = trail(request)
        with (
            travel(at(2026, 11, 3, 9)),
            pytest.raises(DomainError, match="outside your responsibility"),
        ):
            services.adjustment_extend(actor=actor, request=request, days=30, reason="同意。")
        assert trail(request) == before
    with travel(at(2026, 11, 3, 9)):
        services.adjustment_extend(
            actor=org.district_users[Role.OFFICE], request=district_request, days=30, reason="可。"
        )
    assert open_step(district_request, K.APPLY).deadline_days == 30


def test_no_extension_once_the_request_is_submitted(org, calendar):
    request = submitted(org)
    before = trail(request)
    with travel(at(2026, 11, 3, 9)), pytest.raises(TransitionRefused, match="not possible"):
        services.adjustment_extend(
            actor=org.users[Role.OFFICE], request=request, days=30, reason="同意。"
        )
    assert trail(request) == before


# --- return for supplement (退回补正): the office's clock stops ------------------------------


def test_a_return_from_submitted_stops_the_forwarding_clock_until_resubmission(org, calendar):
    people = org.users
    request = submitted(org)
    forward = open_step(request, K.FORWARD)
    # Forwarding within 2 working days of Monday 11-02: 11-03, 11-04.
    assert forward.due_at == end_of(2026, 11, 4)
    assert forward.remind_at == at(2026, 11, 3, 8)
    with travel(at(2026, 11, 3, 8, 30)):
        assert services.deadlines_sweep().reminders == 1

    before = trail(request)
    with travel(at(2026, 11, 3, 10)), pytest.raises(DomainError, match="reasons"):
        services.adjustment_return(actor=people[Role.OFFICE], request=request, reason="")
    assert trail(request) == before

    with travel(at(2026, 11, 3, 10)):
        request = services.adjustment_return(
            actor=people[Role.OFFICE], request=request, reason="请补充法律依据条款。"
        )
    assert request.state == S.SUPPLEMENT
    assert request.resume_state == S.SUBMITTED
    forward.refresh_from_db()
    assert forward.finished_at is None
    assert (forward.due_at, forward.remind_at, forward.reminded_at) == (None, None, None)
    assert forward.clock_stopped
    [stop] = ClockStop.objects.filter(step=forward)
    assert (stop.stopped_at, stop.restarted_at, stop.reason) == (
        at(2026, 11, 3, 10),
        None,
        "请补充法律依据条款。",
    )
    supplement = open_step(request, K.SUPPLEMENT)
    assert (supplement.department, supplement.due_at) == (org.departments["salt"], None)
    assert draft_state(request) == {DraftState.OPEN}
    returned = last_event(request)
    assert (returned.transition, returned.detail) == (
        Transition.RETURN,
        {"clock_stopped": forward.pk},
    )
    # The applicant is told why.
    assert Notification.objects.filter(
        recipient=people[Role.CLERK], kind=NotificationKind.PROGRESS, body="请补充法律依据条款。"
    ).exists()
    # While the clock stands still the sweep has nothing to say about the step.
    with travel(at(2026, 11, 5, 12)):
        result = services.deadlines_sweep()
    assert (result.reminders, result.overdue) == (0, 0)

    # The clerk supplements the draft (now editable) and resubmits on Friday 11-06.
    [item] = request.items.select_related("draft")
    with travel(at(2026, 11, 5, 15)):
        registry_services.draft_save(
            actor=people[Role.CLERK],
            draft=item.draft,
            payload={**item.draft.payload, "promised_limit_days": 4},
        )
    with travel(at(2026, 11, 6, 10)):
        request = services.adjustment_resubmit(
            actor=people[Role.CLERK], request=request, note="已补充。"
        )
    assert request.state == S.SUBMITTED
    assert draft_state(request) == {DraftState.SUBMITTED}
    forward.refresh_from_db()
    stop.refresh_from_db()
    assert stop.restarted_at == at(2026, 11, 6, 10)
    assert not forward.clock_stopped
    # 11-04, 11-05 and 11-06 did not run: one working day was used (11-03), the second is
    # Monday 11-09, exactly 3 working days after the old due moment (11-05, 11-06, 11-09).
    assert forward.due_at == end_of(2026, 11, 9)
    assert forward.remind_at == at(2026, 11, 6, 8)
    resubmitted = last_event(request)
    assert resubmitted.transition == Transition.RESUBMIT
    assert resubmitted.detail == {"clock_restarted": forward.pk}
    assert open_kinds(request) == [K.FORWARD]
    # The office is told the request is back, with the new due moment.
    back = Notification.objects.get(dedupe_key=f"adjustment-step:{forward.pk}:restarted:{stop.pk}")
    assert (back.recipient, back.kind) == (people[Role.OFFICE], NotificationKind.TASK_ASSIGNED)
    assert "2026-11-09" in back.body

    # The re-entered step's reminder fires for its new due moment, once.
    with travel(at(2026, 11, 6, 11)):
        assert services.deadlines_sweep().reminders == 1
        assert services.deadlines_sweep().reminders == 0
    assert sorted(forward.notices.values_list("kind", "due_at")) == [
        (NoticeKind.REMINDER, end_of(2026, 11, 4)),
        (NoticeKind.REMINDER, end_of(2026, 11, 9)),
    ]
    assert list(
        RequestEvent.objects.filter(request=request).values_list("transition", flat=True)
    ) == [
        Transition.CREATE,
        Transition.SUBMIT,
        Transition.DEADLINE_REMINDER,
        Transition.RETURN,
        Transition.RESUBMIT,
        Transition.DEADLINE_REMINDER,
    ]
    # And the office forwards in time.
    with travel(at(2026, 11, 9, 10)):
        request = services.adjustment_forward(
            actor=people[Role.OFFICE], request=request, reviewers=[org.departments["legal"]]
        )
    assert not Step.objects.get(pk=forward.pk).is_overdue


def test_a_return_from_approving_stops_the_approval_clock(org, calendar):
    people = org.users
    with travel(at(2026, 11, 3, 10)):
        request = walk_to_approving(org, request_for(org, event_date=D(2026, 11, 2)))
    approve = open_step(request, K.APPROVE)
    # The approval opinion within 2 working days of 11-03: 11-04, 11-05.
    assert approve.due_at == end_of(2026, 11, 5)
    with travel(at(2026, 11, 4, 9)):
        assert services.deadlines_sweep().reminders == 1
        request = services.adjustment_return(
            actor=people[Role.OFFICE], request=request, reason="请补充会商记录。"
        )
    assert (request.state, request.resume_state) == (S.SUPPLEMENT, S.APPROVING)
    approve.refresh_from_db()
    assert approve.due_at is None and approve.clock_stopped
    assert draft_state(request) == {DraftState.OPEN}

    # Resubmitted on Monday 11-09: 11-05, 11-06 and 11-09 stood still.
    with travel(at(2026, 11, 9, 10)):
        request = services.adjustment_resubmit(actor=people[Role.CLERK], request=request)
    assert (request.state, request.resume_state) == (S.APPROVING, "")
    approve.refresh_from_db()
    # One working day was used (11-04); the second is 11-10: 11-05 + 3 working days.
    assert approve.due_at == end_of(2026, 11, 10)
    with travel(at(2026, 11, 9, 11)):
        assert services.deadlines_sweep().reminders == 1
    assert approve.notices.count() == 2
    with travel(at(2026, 11, 10, 9)):
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准。"
        )
    assert request.state == S.CONFIRMING
    assert not Step.objects.get(pk=approve.pk).is_overdue


def test_a_return_on_the_last_day_stops_the_clock_too(org, calendar):
    people = org.users
    request = submitted(org)
    # Forwarding is due by the end of Wednesday 11-04; the office returns it that morning.
    with travel(at(2026, 11, 4, 10)):
        request = services.adjustment_return(
            actor=people[Role.OFFICE], request=request, reason="请补充。"
        )
    forward = open_step(request, K.FORWARD)
    assert forward.clock_stopped
    assert (forward.due_at, forward.remind_at) == (None, None)
    # While the request is with the department, the office is not late.
    with travel(at(2026, 11, 5, 9)):
        assert services.deadlines_sweep().overdue == 0

    with travel(at(2026, 11, 6, 10)):
        request = services.adjustment_resubmit(actor=people[Role.CLERK], request=request)
    forward.refresh_from_db()
    # 11-05 and 11-06 stood still: the due moment moves by those 2 working days, to the end
    # of the day of the resubmission (the rest of the day of the return is given back).
    assert forward.due_at == end_of(2026, 11, 6)
    with travel(at(2026, 11, 6, 11)):
        result = services.deadlines_sweep()
    assert (result.reminders, result.overdue) == (1, 0)
    assert not forward.notices.filter(kind=NoticeKind.OVERDUE).exists()


def test_a_return_does_not_undo_a_lapse(org, calendar):
    people = org.users
    request = submitted(org)
    # Forwarding was due by the end of 11-04; the office returns the request on 11-05.
    with travel(at(2026, 11, 5, 9)):
        assert services.deadlines_sweep().overdue == 1
        request = services.adjustment_return(
            actor=people[Role.OFFICE], request=request, reason="请补充。"
        )
    forward = open_step(request, K.FORWARD)
    assert forward.due_at == end_of(2026, 11, 4)
    assert forward.overdue_at == at(2026, 11, 5, 9)
    with travel(at(2026, 11, 9, 9)):
        request = services.adjustment_resubmit(actor=people[Role.CLERK], request=request)
        assert services.deadlines_sweep().overdue == 0
    forward.refresh_from_db()
    assert (forward.due_at, forward.is_overdue) == (end_of(2026, 11, 4), True)
    assert forward.notices.filter(kind=NoticeKind.OVERDUE).count() == 1


def test_only_the_office_returns_and_only_from_its_own_steps(org, calendar):
    request = submitted(org)
    before = trail(request)
    with travel(at(2026, 11, 3, 10)):
        with pytest.raises(TransitionRefused, match="not yours"):
            services.adjustment_return(
                actor=org.users[Role.REVIEWER], request=request, reason="补充。"
            )
        with pytest.raises(TransitionRefused, match="not yours"):
            services.adjustment_return(
                actor=org.district_users[Role.OFFICE], request=request, reason="补充。"
            )
        walk = services.adjustment_forward(
            actor=org.users[Role.OFFICE], request=request, reviewers=[org.departments["legal"]]
        )
        after_forward = trail(walk)
        with pytest.raises(TransitionRefused, match="not possible"):
            services.adjustment_return(actor=org.users[Role.OFFICE], request=walk, reason="补充。")
    assert trail(request) == after_forward
    assert after_forward[0] != before[0]


# --- rejection and withdrawal (SPEC §4: ends with reasons / without change) -------------------


def _approving(org) -> AdjustmentRequest:
    with travel(at(2026, 11, 3, 10)):
        return walk_to_approving(org, request_for(org, event_date=D(2026, 11, 2)))


def _assert_closed(request, state) -> None:
    """Ended: no open step, the drafts open again, nothing published."""
    request.refresh_from_db()
    assert request.state == state
    assert request.closed_at is not None
    assert open_kinds(request) == []
    assert draft_state(request) == {DraftState.OPEN}
    [item] = request.items.select_related("draft__entry")
    assert item.version is None
    assert item.draft.entry.version == 1
    assert request.published_at is None


@pytest.mark.parametrize("where", [S.SUBMITTED, S.APPROVING])
def test_the_office_rejects_with_reasons(org, calendar, where):
    people = org.users
    request = submitted(org) if where == S.SUBMITTED else _approving(org)
    decided = open_step(request, K.FORWARD if where == S.SUBMITTED else K.APPROVE)
    before = trail(request)
    with travel(at(2026, 11, 4, 10)):
        for blank in ("", "   "):
            with pytest.raises(DomainError, match="reasons"):
                services.adjustment_reject(actor=people[Role.OFFICE], request=request, reason=blank)
    assert trail(request) == before

    with travel(at(2026, 11, 4, 10)):
        request = services.adjustment_reject(
            actor=people[Role.OFFICE], request=request, reason="无法律依据，不予调整。"
        )
    _assert_closed(request, S.REJECTED)
    decided.refresh_from_db()
    assert (decided.outcome, decided.opinion, decided.finished_by) == (
        StepOutcome.REJECTED,
        "无法律依据，不予调整。",
        people[Role.OFFICE],
    )
    event = last_event(request)
    assert (event.transition, event.from_state, event.to_state, event.opinion) == (
        Transition.REJECT,
        where,
        S.REJECTED,
        "无法律依据，不予调整。",
    )
    told = Notification.objects.get(dedupe_key=f"adjustment-event:{event.pk}:applicant")
    assert (told.recipient, told.body) == (people[Role.CLERK], "无法律依据，不予调整。")
    # A closed request accepts nothing more.
    with travel(at(2026, 11, 4, 11)), pytest.raises(TransitionRefused, match="Rejected"):
        services.adjustment_withdraw(actor=people[Role.CLERK], request=request, reason="撤回。")


def test_the_department_withdraws_before_confirming_and_the_office_is_told(org, calendar):
    people = org.users
    request = _approving(org)
    with travel(at(2026, 11, 4, 10)):
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准。"
        )
    assert request.state == S.CONFIRMING
    before = trail(request)
    with travel(at(2026, 11, 4, 11)), pytest.raises(DomainError, match="reasons"):
        services.adjustment_withdraw(actor=people[Role.CLERK], request=request, reason="")
    with travel(at(2026, 11, 4, 11)), pytest.raises(DomainError, match="responsibility"):
        services.adjustment_withdraw(
            actor=org.district_users[Role.CLERK], request=request, reason="撤回。"
        )
    assert trail(request) == before

    with travel(at(2026, 11, 4, 11)):
        request = services.adjustment_withdraw(
            actor=people[Role.CLERK], request=request, reason="上级文件暂缓执行，撤回申请。"
        )
    _assert_closed(request, S.WITHDRAWN)
    assert Step.objects.get(request=request, kind=K.CONFIRM).outcome == StepOutcome.CANCELLED
    event = last_event(request)
    assert (event.transition, event.from_state, event.actor) == (
        Transition.WITHDRAW,
        S.CONFIRMING,
        people[Role.CLERK],
    )
    office_told = Notification.objects.filter(dedupe_key=f"adjustment-event:{event.pk}:office")
    assert {n.recipient for n in office_told} == {people[Role.OFFICE], people[Role.SUPERVISOR]}
    assert {n.body for n in office_told} == {"上级文件暂缓执行，撤回申请。"}


def test_no_withdrawal_after_the_department_confirmed(org, calendar):
    people = org.users
    request = _approving(org)
    with travel(at(2026, 11, 4, 10)):
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准。"
        )
        request = services.adjustment_confirm(actor=people[Role.CLERK], request=request)
    before = trail(request)
    with travel(at(2026, 11, 4, 11)), pytest.raises(TransitionRefused, match="not possible"):
        services.adjustment_withdraw(actor=people[Role.CLERK], request=request, reason="撤回。")
    assert trail(request) == before


# --- seed 003 三(二)5: the district's two paths ---------------------------------------------


def test_seed_003_filing_path_for_a_change_of_institutions(org, calendar):
    city, people = org.users, org.district_users
    services.policy_save(
        actor=None,
        jurisdiction=org.district,
        values={"institutional_path": AdjustmentPath.FILING},
    )
    with travel(at(2026, 11, 2, 9)):
        request = request_for(
            org, district=True, event_date=D(2026, 11, 2), trigger=TriggerKind.INSTITUTIONAL
        )
        assert request.path == AdjustmentPath.FILING
        request = services.adjustment_submit(actor=people[Role.CLERK], request=request)
    # No forwarding to lead review: the district office decides within 2 working days.
    assert request.state == S.APPROVING
    assert open_kinds(request) == [K.APPROVE]
    approve = open_step(request, K.APPROVE)
    assert (approve.department, approve.due_at) == (
        org.district_departments["office"],
        end_of(2026, 11, 4),
    )
    with travel(at(2026, 11, 3, 9)), pytest.raises(TransitionRefused, match="not possible"):
        services.adjustment_forward(
            actor=people[Role.OFFICE],
            request=request,
            reviewers=[org.district_departments["legal"]],
        )

    with travel(at(2026, 11, 3, 9)):
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="按机构改革方案直接调整。"
        )
    # No confirmation by the department: straight to the digital office.
    assert request.state == S.DIGITAL_FORWARD
    assert not Step.objects.filter(request=request, kind=K.CONFIRM).exists()
    with travel(at(2026, 11, 3, 10)):
        request = services.adjustment_digital_forward(actor=people[Role.OFFICE], request=request)
    publish = open_step(request, K.PUBLISH)
    assert publish.department == org.district_departments["digital"]
    # The city's digital office does not publish the district's change.
    with travel(at(2026, 11, 4, 9)), pytest.raises(TransitionRefused, match="not yours"):
        services.adjustment_publish(actor=city[Role.DIGITAL], request=request)
    with travel(at(2026, 11, 4, 9)):
        request = services.adjustment_publish(actor=people[Role.DIGITAL], request=request)
    assert request.state == S.PUBLISHED
    site, filing = open_step(request, K.SITE_UPDATE), open_step(request, K.FILING)
    assert (site.department, filing.department) == (
        org.district_departments["salt"],
        org.departments["office"],
    )
    # Own site within 3 working days of the approval on 11-03 (同时 with the sending to the
    # digital office): 11-04, 05, 06; filing within 5 of publication: to 11-11.
    assert (site.due_at, filing.due_at) == (end_of(2026, 11, 6), end_of(2026, 11, 11))
    # The district office cannot file with itself.
    with travel(at(2026, 11, 5, 9)), pytest.raises(TransitionRefused, match="not yours"):
        services.adjustment_file(actor=people[Role.OFFICE], request=request)

    with travel(at(2026, 11, 5, 9)):
        request = services.adjustment_site_update(actor=people[Role.CLERK], request=request)
    assert request.state == S.PUBLISHED  # the filing is still open
    with travel(at(2026, 11, 6, 9)):
        request = services.adjustment_file(
            actor=city[Role.OFFICE], request=request, opinion="已备案。"
        )
    assert request.state == S.COMPLETED
    assert request.closed_at == at(2026, 11, 6, 9)
    assert [
        (e.transition, e.actor)
        for e in RequestEvent.objects.filter(request=request).select_related("actor")
    ] == [
        (Transition.CREATE, people[Role.CLERK]),
        (Transition.SUBMIT, people[Role.CLERK]),
        (Transition.APPROVE, people[Role.OFFICE]),
        (Transition.DIGITAL_FORWARD, people[Role.OFFICE]),
        (Transition.PUBLISH, people[Role.DIGITAL]),
        (Transition.SITE_UPDATE, people[Role.CLERK]),
        (Transition.FILE, city[Role.OFFICE]),
    ]


def _parent_review_request(org) -> AdjustmentRequest:
    services.policy_save(
        actor=None,
        jurisdiction=org.district,
        values={"law_changed_path": AdjustmentPath.PARENT_REVIEW},
    )
    people = org.district_users
    with travel(at(2026, 11, 2, 9)):
        request = request_for(
            org,
            district=True,
            event_date=D(2026, 11, 2),
            trigger=TriggerKind.LAW_CHANGED,
            law=registry_builders.law(),
        )
        assert request.path == AdjustmentPath.PARENT_REVIEW
        request = services.adjustment_submit(actor=people[Role.CLERK], request=request)
    assert request.state == S.SUBMITTED
    forward = open_step(request, K.PARENT_FORWARD)
    assert (forward.department, forward.due_at) == (
        org.district_departments["office"],
        end_of(2026, 11, 4),
    )
    with travel(at(2026, 11, 3, 9)):
        request = services.adjustment_parent_forward(
            actor=people[Role.OFFICE], request=request, opinion="报市改革办审核。"
        )
    assert request.state == S.PARENT_REVIEW
    review = open_step(request, K.PARENT_REVIEW)
    # The city office reviews within 5 working days of 11-03: to 11-10.
    assert (review.department, review.due_at) == (org.departments["office"], end_of(2026, 11, 10))
    return request


def test_seed_003_parent_review_path_for_a_change_of_law(org, calendar):
    city, people = org.users, org.district_users
    request = _parent_review_request(org)
    # The district office does not review its own request in the city's place.
    with travel(at(2026, 11, 5, 9)), pytest.raises(TransitionRefused, match="not yours"):
        services.adjustment_parent_review(
            actor=people[Role.OFFICE],
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="同意。",
        )
    with travel(at(2026, 11, 5, 9)):
        request = services.adjustment_parent_review(
            actor=city[Role.OFFICE],
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="经审核，同意提交区政府常务会议审定。",
        )
    assert request.state == S.MEETING
    meeting = open_step(request, K.MEETING)
    # 20 working days from 11-05: 11-06, 11-09..13, 16..20, 23..27, 11-30, 12-01..03.
    assert (meeting.department, meeting.due_at) == (
        org.district_departments["office"],
        end_of(2026, 12, 3),
    )
    with travel(at(2026, 11, 12, 9)):
        with pytest.raises(DomainError, match="taken place"):
            services.adjustment_meeting_record(
                actor=people[Role.OFFICE],
                request=request,
                approved=True,
                meeting_date=D(2026, 11, 13),
                session="区政府第12次常务会议",
            )
        request = services.adjustment_meeting_record(
            actor=people[Role.OFFICE],
            request=request,
            approved=True,
            meeting_date=D(2026, 11, 11),
            session="区政府第12次常务会议",
            opinion="会议审定通过。",
        )
    assert request.state == S.DIGITAL_FORWARD
    meeting.refresh_from_db()
    assert meeting.outcome == StepOutcome.APPROVED
    assert meeting.detail["meeting"] == {
        "date": "2026-11-11",
        "session": "区政府第12次常务会议",
        "approved": True,
    }
    assert last_event(request).detail == meeting.detail["meeting"]
    with travel(at(2026, 11, 13, 9)):
        request = services.adjustment_digital_forward(actor=people[Role.OFFICE], request=request)
        request = services.adjustment_publish(actor=people[Role.DIGITAL], request=request)
    assert request.state == S.PUBLISHED
    # Own site within 3 working days of the meeting's record on Thursday 11-12 (同时 with the
    # sending to the digital office): 11-13, 16, 17; no filing on this path.
    assert open_kinds(request) == [K.SITE_UPDATE]
    assert open_step(request, K.SITE_UPDATE).due_at == end_of(2026, 11, 17)
    with travel(at(2026, 11, 16, 9)):
        request = services.adjustment_site_update(actor=people[Role.CLERK], request=request)
    assert request.state == S.COMPLETED
    assert list(
        RequestEvent.objects.filter(request=request).values_list("transition", flat=True)
    ) == [
        Transition.CREATE,
        Transition.SUBMIT,
        Transition.PARENT_FORWARD,
        Transition.PARENT_REVIEW,
        Transition.MEETING,
        Transition.DIGITAL_FORWARD,
        Transition.PUBLISH,
        Transition.SITE_UPDATE,
    ]


def test_seed_003_the_city_office_disagreeing_rejects_the_request(org, calendar):
    request = _parent_review_request(org)
    with travel(at(2026, 11, 5, 9)):
        request = services.adjustment_parent_review(
            actor=org.users[Role.OFFICE],
            request=request,
            conclusion=ReviewConclusion.DISAGREE,
            opinion="修订后的法律未涉及该事项。",
        )
    _assert_closed(request, S.REJECTED)
    assert Step.objects.get(request=request, kind=K.PARENT_REVIEW).outcome == (
        StepOutcome.DISAGREED
    )
    event = last_event(request)
    assert (event.transition, event.to_state, event.opinion) == (
        Transition.PARENT_REVIEW,
        S.REJECTED,
        "修订后的法律未涉及该事项。",
    )
    assert Notification.objects.filter(
        dedupe_key=f"adjustment-event:{event.pk}:applicant",
        recipient=org.district_users[Role.CLERK],
    ).exists()


def test_seed_003_the_executive_meeting_not_approving_rejects_the_request(org, calendar):
    people = org.district_users
    request = _parent_review_request(org)
    with travel(at(2026, 11, 5, 9)):
        request = services.adjustment_parent_review(
            actor=org.users[Role.OFFICE],
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="同意。",
        )
    with travel(at(2026, 11, 12, 9)):
        request = services.adjustment_meeting_record(
            actor=people[Role.OFFICE],
            request=request,
            approved=False,
            meeting_date=D(2026, 11, 11),
            session="区政府第12次常务会议",
        )
    _assert_closed(request, S.REJECTED)
    assert Step.objects.get(request=request, kind=K.MEETING).outcome == StepOutcome.REJECTED
    event = last_event(request)
    assert (event.transition, event.to_state) == (Transition.MEETING, S.REJECTED)
    assert "区政府第12次常务会议" in event.opinion


# --- seed 002 第十条: seven calendar days -------------------------------------------------------


def test_seed_002_seven_calendar_days_end_on_the_next_working_day(org, calendar):
    services.policy_save(
        actor=None,
        jurisdiction=org.district,
        values={"apply_days": 7, "apply_unit": DeadlineUnit.CALENDAR_DAYS},
    )
    with travel(at(2026, 9, 25, 10)):
        request = request_for(org, district=True, event_date=D(2026, 9, 24))
    apply = open_step(request, K.APPLY)
    assert (apply.deadline_days, apply.deadline_unit) == (7, DeadlineUnit.CALENDAR_DAYS)
    # 09-24 + 7 days = 10-01, a holiday; 10-02..07 too; the period ends on Thursday 10-08.
    assert apply.due_at == end_of(2026, 10, 8)
    # "Due tomorrow" on the working day before: Wednesday 09-30.
    assert apply.remind_at == at(2026, 9, 30, 8)
    # The other steps still count working days.
    with travel(at(2026, 9, 29, 10)):
        request = services.adjustment_submit(actor=org.district_users[Role.CLERK], request=request)
    forward = open_step(request, K.FORWARD)
    assert (forward.deadline_unit, forward.due_at) == (
        DeadlineUnit.WORKING_DAYS,
        end_of(2026, 10, 8),
    )
    # A city request keeps seed 004's 10 working days: 09-25..27 and 10-01..07 are off,
    # Sunday 09-20 is out of range; 09-28, 29, 30, 10-08, 09, Saturday 10-10, 12, 13, 14, 15.
    with travel(at(2026, 9, 25, 10)):
        city_request = request_for(org, event_date=D(2026, 9, 24))
    assert open_step(city_request, K.APPLY).due_at == end_of(2026, 10, 15)


def test_a_policy_changed_later_does_not_move_a_request_under_way(org, calendar):
    with travel(at(2026, 11, 2, 9)):
        request = request_for(org, event_date=D(2026, 11, 2))
    assert request.policy["forward_days"] == 2
    services.policy_save(
        actor=org.users[Role.OFFICE],
        jurisdiction=org.city,
        values={"apply_days": 15, "forward_days": 5},
    )
    apply = open_step(request, K.APPLY)
    # 10 working days from 11-02: to 11-16, as when it was created.
    assert apply.due_at == end_of(2026, 11, 16)
    with travel(at(2026, 11, 3, 9)):
        request = services.adjustment_submit(actor=org.users[Role.CLERK], request=request)
    # Its snapshot says 2 working days to forward: 11-04, 11-05.
    assert open_step(request, K.FORWARD).due_at == end_of(2026, 11, 5)
    request.refresh_from_db()
    assert (request.policy["apply_days"], request.policy["forward_days"]) == (10, 2)

    # A request created after the change follows the new numbers.
    with travel(at(2026, 11, 3, 9)):
        later = request_for(org, event_date=D(2026, 11, 2), entry=numbered_entry(org, 2))
    # 15 working days from 11-02: to 11-23.
    assert open_step(later, K.APPLY).due_at == end_of(2026, 11, 23)
    with travel(at(2026, 11, 3, 9)):
        later = services.adjustment_submit(actor=org.users[Role.CLERK], request=later)
    # 5 working days from 11-03: 11-04, 05, 06, 09, 10.
    assert open_step(later, K.FORWARD).due_at == end_of(2026, 11, 10)


# --- the wrong person, the wrong moment: refused, nothing changes ------------------------------


def test_wrong_actors_and_wrong_states_are_refused_and_change_nothing(org, calendar):
    people = org.users
    with travel(at(2026, 11, 2, 9)):
        drafting = request_for(org, event_date=D(2026, 11, 2))
    request = submitted(org, entry=numbered_entry(org, 2))
    other_clerk = staff_user(
        org, username="city-clerk-legal", role=Role.CLERK, department=org.departments["legal"]
    )
    forward = dict(reviewers=[org.departments["legal"]], opinion="请审核。")
    cases = [
        # The reviewer approves a request that is not even reviewed.
        (
            lambda: services.adjustment_approve(
                actor=people[Role.REVIEWER], request=request, opinion="同意。"
            ),
            TransitionRefused,
            "is Waiting to be forwarded",
        ),
        # The clerk of another department submits someone else's request.
        (
            lambda: services.adjustment_submit(actor=other_clerk, request=drafting),
            DomainError,
            "outside your responsibility",
        ),
        (
            lambda: services.adjustment_submit(
                actor=org.district_users[Role.CLERK], request=drafting
            ),
            DomainError,
            "outside your responsibility",
        ),
        # The district office forwards a city request.
        (
            lambda: services.adjustment_forward(
                actor=org.district_users[Role.OFFICE], request=request, **forward
            ),
            TransitionRefused,
            "not yours to do: request .* is waiting on 市改革办",
        ),
        # The clerk forwards; the digital office publishes before anything was approved.
        (
            lambda: services.adjustment_forward(
                actor=people[Role.CLERK], request=request, **forward
            ),
            TransitionRefused,
            "not yours",
        ),
        (
            lambda: services.adjustment_publish(actor=people[Role.DIGITAL], request=request),
            TransitionRefused,
            "not possible",
        ),
        # Forwarding to a department that does not review.
        (
            lambda: services.adjustment_forward(
                actor=people[Role.OFFICE], request=request, reviewers=[org.departments["salt"]]
            ),
            DomainError,
            "not a lead review department",
        ),
        (
            lambda: services.adjustment_forward(
                actor=people[Role.OFFICE], request=request, reviewers=[]
            ),
            DomainError,
            "at least one lead review",
        ),
        # A city request cannot go to the district's 法制办.
        (
            lambda: services.adjustment_forward(
                actor=people[Role.OFFICE],
                request=request,
                reviewers=[org.district_departments["legal"]],
            ),
            DomainError,
            "not a lead review department",
        ),
    ]
    for call, error, message in cases:
        before = [trail(drafting), trail(request)]
        with travel(at(2026, 11, 3, 9)), pytest.raises(error, match=message):
            call()
        assert [trail(drafting), trail(request)] == before, message

    with travel(at(2026, 11, 3, 9)):
        request = services.adjustment_forward(actor=people[Role.OFFICE], request=request, **forward)
    before = trail(request)
    with travel(at(2026, 11, 3, 10)):
        # Forwarding twice.
        with pytest.raises(TransitionRefused, match="is Under review"):
            services.adjustment_forward(actor=people[Role.OFFICE], request=request, **forward)
        # The office reviews in the reviewer's place; the reviewer approves its own review.
        with pytest.raises(TransitionRefused, match="waiting on 市法制办"):
            services.adjustment_review(
                actor=people[Role.OFFICE],
                request=request,
                conclusion=ReviewConclusion.AGREE,
                opinion="同意。",
            )
        with pytest.raises(TransitionRefused, match="not possible"):
            services.adjustment_approve(
                actor=people[Role.REVIEWER], request=request, opinion="同意。"
            )
        # A review without an opinion.
        with pytest.raises(DomainError, match="review opinion"):
            services.adjustment_review(
                actor=people[Role.REVIEWER],
                request=request,
                conclusion=ReviewConclusion.AGREE,
                opinion=" ",
            )
    assert trail(request) == before

    with travel(at(2026, 11, 3, 11)):
        request = services.adjustment_review(
            actor=people[Role.REVIEWER],
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="同意。",
        )
    before = trail(request)
    with travel(at(2026, 11, 3, 12)), pytest.raises(TransitionRefused, match="waiting on 市改革办"):
        services.adjustment_approve(actor=people[Role.REVIEWER], request=request, opinion="同意。")
    assert trail(request) == before


# --- two people at once (PostgreSQL row locks) --------------------------------------------------


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
    assert sum(isinstance(r, AdjustmentRequest) for r in results) == 1, results
    assert sum(isinstance(r, TransitionRefused) for r in results) == 1, results


@pytest.mark.django_db(transaction=True)
def test_two_offices_forwarding_at_once_forward_once(org, calendar):
    need(connection.vendor == "postgresql", "row-level concurrency needs PostgreSQL")
    today = datetime.datetime.now(tz=services.calendar.SHANGHAI).date()
    request = services.adjustment_submit(
        actor=org.users[Role.CLERK], request=request_for(org, event_date=today)
    )
    second_office = staff_user(
        org, username="city-office-2", role=Role.OFFICE, department=org.departments["office"]
    )

    def forward(actor):
        return lambda: services.adjustment_forward(
            actor=actor, request=request, reviewers=[org.departments["legal"]]
        )

    _one_won(_race(forward(org.users[Role.OFFICE]), forward(second_office)))
    request.refresh_from_db()
    assert request.state == S.REVIEWING
    assert Step.objects.filter(request=request, kind=K.REVIEW).count() == 1
    assert Step.objects.filter(request=request, kind=K.FORWARD).count() == 1
    assert RequestEvent.objects.filter(request=request, transition=Transition.FORWARD).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_offices_approving_at_once_approve_once(org, calendar):
    need(connection.vendor == "postgresql", "row-level concurrency needs PostgreSQL")
    today = datetime.datetime.now(tz=services.calendar.SHANGHAI).date()
    request = walk_to_approving(org, request_for(org, event_date=today))
    second_office = staff_user(
        org, username="city-office-2", role=Role.OFFICE, department=org.departments["office"]
    )

    def approve(actor):
        return lambda: services.adjustment_approve(actor=actor, request=request, opinion="核准。")

    _one_won(_race(approve(org.users[Role.OFFICE]), approve(second_office)))
    request.refresh_from_db()
    assert request.state == S.CONFIRMING
    assert Step.objects.filter(request=request, kind=K.CONFIRM).count() == 1
    assert Step.objects.filter(request=request, kind=K.APPROVE, finished_at=None).count() == 0
    assert RequestEvent.objects.filter(request=request, transition=Transition.APPROVE).count() == 1


# --- publication is atomic (SPEC §4) --------------------------------------------------------------


def _two_item_request(org) -> tuple[AdjustmentRequest, Entry, Entry]:
    clerk = org.users[Role.CLERK]
    with travel(at(2026, 11, 2, 9)):
        first, second = numbered_entry(org, 11), numbered_entry(org, 12)
        request = services.adjustment_create(
            actor=clerk,
            trigger=TriggerKind.INTERNAL,
            event_date=D(2026, 11, 2),
            summary="两项承诺时限一并压缩",
            drafts=[
                draft_of(first, clerk, promised_limit_days=5),
                draft_of(second, clerk, promised_limit_days=6),
            ],
        )
    with travel(at(2026, 11, 3, 9)):
        request = walk_to_approving(org, request)
        request = services.adjustment_approve(
            actor=org.users[Role.OFFICE], request=request, opinion="核准。"
        )
        request = services.adjustment_confirm(actor=clerk, request=request)
        request = services.adjustment_digital_forward(actor=org.users[Role.OFFICE], request=request)
    assert request.state == S.PUBLISHING
    return request, first, second


def _adjustment_history(entry: Entry):
    return Entry.history.filter(id=entry.pk, change_source=ChangeSource.ADJUSTMENT)


def test_publication_is_refused_whole_when_one_item_cannot_be_published(org, calendar):
    request, first, second = _two_item_request(org)
    # The second entry is corrected outside the request: its draft is now stale.
    with travel(at(2026, 11, 3, 15)):
        registry_builders.republish(second, promised_limit_days=9)
    second.refresh_from_db()
    assert second.version == 2
    before = trail(request)
    history = Entry.history.count()
    with travel(at(2026, 11, 4, 9)), pytest.raises(DomainError, match="nothing was published"):
        services.adjustment_publish(actor=org.users[Role.DIGITAL], request=request)
    assert trail(request) == before
    assert Entry.history.count() == history
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.version, first.promised_limit_days) == (1, 10)
    assert (second.version, second.promised_limit_days) == (2, 9)
    assert not _adjustment_history(first).exists()
    assert not _adjustment_history(second).exists()
    assert list(request.items.values_list("version", flat=True)) == [None, None]
    assert draft_state(request) == {DraftState.SUBMITTED}


def test_a_publication_gives_every_item_its_version_at_the_same_moment(org, calendar):
    request, first, second = _two_item_request(org)
    with travel(at(2026, 11, 4, 9, 30)):
        request = services.adjustment_publish(actor=org.users[Role.DIGITAL], request=request)
    assert (request.state, request.published_at) == (S.PUBLISHED, at(2026, 11, 4, 9, 30))
    rows = [_adjustment_history(entry).get() for entry in (first, second)]
    assert [(row.version, row.promised_limit_days) for row in rows] == [(2, 5), (2, 6)]
    assert {row.history_date for row in rows} == {at(2026, 11, 4, 9, 30)}
    assert {row.change_reference for row in rows} == {request.number}
    # The items keep the order the clerk gave the drafts in.
    assert [(i.entry, i.version) for i in request.items.all()] == [(first, 2), (second, 2)]
    assert draft_state(request) == {DraftState.PUBLISHED}
    assert last_event(request).detail == {"entries": [[first.pk, 2], [second.pk, 2]]}


# --- the event log (痕迹化管理) ------------------------------------------------------------------


def test_every_transition_is_an_event_with_actor_states_and_opinion(org, calendar):
    people = org.users
    with travel(at(2026, 11, 2, 9)):
        request = request_for(org, event_date=D(2026, 11, 2))
        request = walk_to_review(org, request)
        request = services.adjustment_review(
            actor=people[Role.REVIEWER],
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="依据充分。",
        )
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准。"
        )
        request = services.adjustment_confirm(
            actor=people[Role.CLERK], request=request, note="无异议。"
        )
        request = services.adjustment_digital_forward(
            actor=people[Role.OFFICE], request=request, opinion="请发布。"
        )
        request = services.adjustment_publish(
            actor=people[Role.DIGITAL], request=request, note="已配入政务服务网。"
        )
        request = services.adjustment_site_update(
            actor=people[Role.CLERK], request=request, note="门户网站已更新。"
        )
    events = RequestEvent.objects.filter(request=request).select_related("actor", "step")
    assert [(e.transition, e.actor, e.from_state, e.to_state, e.opinion) for e in events] == [
        (Transition.CREATE, people[Role.CLERK], "", S.DRAFTING, ""),
        (Transition.SUBMIT, people[Role.CLERK], S.DRAFTING, S.SUBMITTED, ""),
        (Transition.FORWARD, people[Role.OFFICE], S.SUBMITTED, S.REVIEWING, "请法制办审核。"),
        (Transition.REVIEW, people[Role.REVIEWER], S.REVIEWING, S.APPROVING, "依据充分。"),
        (Transition.APPROVE, people[Role.OFFICE], S.APPROVING, S.CONFIRMING, "核准。"),
        (Transition.CONFIRM, people[Role.CLERK], S.CONFIRMING, S.DIGITAL_FORWARD, "无异议。"),
        (
            Transition.DIGITAL_FORWARD,
            people[Role.OFFICE],
            S.DIGITAL_FORWARD,
            S.PUBLISHING,
            "请发布。",
        ),
        (Transition.PUBLISH, people[Role.DIGITAL], S.PUBLISHING, S.PUBLISHED, "已配入政务服务网。"),
        (Transition.SITE_UPDATE, people[Role.CLERK], S.PUBLISHED, S.COMPLETED, "门户网站已更新。"),
    ]
    # Each event names the step it finished, and that step's opinion is the same text.
    for event in events[2:]:
        assert event.step.finished_by == event.actor
        assert event.step.opinion == event.opinion


def test_the_event_log_cannot_be_rewritten(org, calendar):
    with travel(at(2026, 11, 2, 9)):
        request = submitted(org)
    events = RequestEvent.objects.filter(request=request)
    count = events.count()
    event = events.first()
    with pytest.raises(TypeError, match="append-only"):
        events.update(opinion="改写")
    with pytest.raises(TypeError, match="append-only"):
        events.delete()
    event.opinion = "改写"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    assert RequestEvent.objects.filter(request=request).count() == count
    assert not RequestEvent.objects.filter(opinion="改写").exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE adjustments_requestevent SET opinion = 'x'",
        "DELETE FROM adjustments_requestevent",
    ],
)
def test_the_database_refuses_rewriting_the_event_log(org, calendar, statement):
    need(connection.vendor == "postgresql", "the trigger exists on PostgreSQL only")
    request = submitted(org)
    count = RequestEvent.objects.filter(request=request).count()
    with (
        pytest.raises(Exception, match="adjustments_requestevent is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert RequestEvent.objects.filter(request=request).count() == count


# --- issue 9: fidelity to seed 004 三(三) and seed 003 三(二)5 --------------------------------


def test_withdrawing_during_a_return_ends_the_stopped_clock(org, calendar):
    """Issue 9 §20: the clock stop of the office's step ends with it, not 'still stopped'."""
    people = org.users
    request = submitted(org)
    with travel(at(2026, 11, 3, 10)):
        request = services.adjustment_return(
            actor=people[Role.OFFICE], request=request, reason="请补充法律依据条款。"
        )
    with travel(at(2026, 11, 4, 10)):
        request = services.adjustment_withdraw(
            actor=people[Role.CLERK], request=request, reason="无需调整。"
        )
    assert request.state == S.WITHDRAWN
    [stop] = ClockStop.objects.filter(step__request=request)
    assert stop.restarted_at == stop.step.finished_at == at(2026, 11, 4, 10)
    assert not stop.step.clock_stopped
    withdrawn = last_event(request)
    assert withdrawn.detail == {"clock_stop_ended": [stop.step_id]}
    assert withdrawn.at == request.closed_at


def test_an_internal_change_takes_the_filing_path_where_the_policy_maps_it(org, calendar):
    """Issue 9 §7, seed 003 三(二)5 "机构改革和职能调整": each trigger maps to a path in the
    policy; an internal change of functions files like a change of institutions."""
    services.policy_save(
        actor=None,
        jurisdiction=org.district,
        values={"institutional_path": AdjustmentPath.FILING, "internal_path": "filing"},
    )
    with travel(at(2026, 11, 2, 9)):
        internal = request_for(
            org, district=True, event_date=D(2026, 11, 2), trigger=TriggerKind.INTERNAL
        )
        simplification = request_for(
            org,
            district=True,
            event_date=D(2026, 11, 2),
            trigger=TriggerKind.SIMPLIFICATION,
            entry=numbered_entry(org, 7, district=True),
        )
    assert (internal.path, simplification.path) == (
        AdjustmentPath.FILING,
        AdjustmentPath.STANDARD,
    )
    policy = services.policy_for(org.district)
    assert {trigger: policy.path_for(trigger) for trigger in TriggerKind.values} == {
        TriggerKind.NEW_LAW: AdjustmentPath.STANDARD,
        TriggerKind.LAW_CHANGED: AdjustmentPath.STANDARD,
        TriggerKind.INSTITUTIONAL: AdjustmentPath.FILING,
        TriggerKind.SIMPLIFICATION: AdjustmentPath.STANDARD,
        TriggerKind.INTERNAL: AdjustmentPath.FILING,
    }


def test_the_site_update_done_before_publication_completes_with_it(org, calendar):
    """Issue 9 §2: the department updates its own site from its confirmation on (同时); the
    request completes only once the change is published."""
    people = org.users
    request = submitted(org)
    with travel(at(2026, 11, 3, 9)):
        request = services.adjustment_forward(
            actor=people[Role.OFFICE], request=request, reviewers=[org.departments["legal"]]
        )
        request = services.adjustment_review(
            actor=people[Role.REVIEWER],
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="同意。",
        )
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准。"
        )
    with travel(at(2026, 11, 4, 9)):
        request = services.adjustment_confirm(actor=people[Role.CLERK], request=request)
    assert open_kinds(request) == [K.DIGITAL_FORWARD, K.SITE_UPDATE]
    site = open_step(request, K.SITE_UPDATE)
    # Three working days from the confirmation on Wednesday 11-04: 11-05, 06, 09.
    assert (site.started_at, site.due_at) == (at(2026, 11, 4, 9), end_of(2026, 11, 9))
    with travel(at(2026, 11, 5, 9)):
        request = services.adjustment_site_update(
            actor=people[Role.CLERK], request=request, note="已按核准内容更新门户网站。"
        )
        assert request.state == S.DIGITAL_FORWARD
        request = services.adjustment_digital_forward(actor=people[Role.OFFICE], request=request)
        assert request.state == S.PUBLISHING
        request = services.adjustment_publish(actor=people[Role.DIGITAL], request=request)
    assert request.state == S.COMPLETED
    assert request.closed_at == request.published_at
    assert Step.objects.filter(request=request, kind=K.SITE_UPDATE).count() == 1


def test_the_primary_reviewer_declines_a_joint_review_within_its_day(org, calendar):
    """Issue 9 §3: the notice is a step; declining ends it on time, the review goes on."""
    request = _forwarded_to_two(org)
    establishment = second_reviewer(org)
    with travel(at(2026, 11, 4, 9)), pytest.raises(TransitionRefused, match="not yours"):
        services.adjustment_joint_decline(actor=establishment, request=request)
    with travel(at(2026, 11, 4, 9)):
        request = services.adjustment_joint_decline(
            actor=org.users[Role.REVIEWER], request=request, note="不涉及交叉事项。"
        )
    notice = Step.objects.get(request=request, kind=K.JOINT_NOTICE)
    assert (notice.outcome, notice.is_overdue) == (StepOutcome.NO_JOINT, False)
    assert request.state == S.REVIEWING
    assert open_kinds(request) == [K.REVIEW, K.REVIEW]
    assert last_event(request).detail == {"late": False}


def test_the_office_may_send_an_objection_to_other_reviewers(org, calendar):
    people = org.users
    with travel(at(2026, 11, 3, 9)):
        request = services.adjustment_forward(
            actor=people[Role.OFFICE], request=submitted(org), reviewers=[org.departments["legal"]]
        )
        request = services.adjustment_review(
            actor=people[Role.REVIEWER],
            request=request,
            conclusion=ReviewConclusion.AGREE,
            opinion="同意。",
        )
        request = services.adjustment_approve(
            actor=people[Role.OFFICE], request=request, opinion="核准。"
        )
        request = services.adjustment_object(
            actor=people[Role.CLERK], request=request, reason="申请复审。"
        )
    with travel(at(2026, 11, 4, 9)), pytest.raises(DomainError, match="not a lead review"):
        services.adjustment_objection_forward(
            actor=people[Role.OFFICE], request=request, reviewers=[org.departments["salt"]]
        )
    with travel(at(2026, 11, 4, 9)):
        request = services.adjustment_objection_forward(
            actor=people[Role.OFFICE],
            request=request,
            reviewers=[org.departments["establishment"]],
        )
    [rereview] = Step.objects.filter(request=request, kind=K.REREVIEW)
    assert (rereview.department, rereview.round) == (org.departments["establishment"], 2)
