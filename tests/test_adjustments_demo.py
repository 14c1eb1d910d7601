"""The demo of the adjustment procedure (`seed_adjustments`, called by `seed_demo`): the three
policies of the seeds, demo requests left in different states so that each office, reviewer and
clerk finds work waiting, one of them published with its entry's new version, and a second run
(a second `make run`) that creates nothing, even after a visitor has changed a demo request."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from adjustments import selectors, services
from adjustments.choices import AdjustmentPath, RequestState, StepKind, TriggerKind
from adjustments.demo import REQUESTS
from adjustments.models import (
    AdjustmentPolicy,
    AdjustmentRequest,
    ClockStop,
    RequestEvent,
    RequestItem,
    Step,
)
from core import calendar as work_calendar
from core.choices import DeadlineUnit
from core.models import AuditEvent, Jurisdiction, Notification, User
from registry.choices import ChangeSource
from registry.models import Draft, Entry

MODELS = (
    AdjustmentRequest,
    AdjustmentPolicy,
    Step,
    ClockStop,
    RequestEvent,
    RequestItem,
    Draft,
    User,
    Notification,
    AuditEvent,
)


@pytest.fixture
def seeded(db, demo_output):
    return demo_output


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["HistoricalEntry"] = Entry.history.count()
    return counts


def _by_summary() -> dict[str, AdjustmentRequest]:
    return {r.summary: r for r in AdjustmentRequest.objects.select_related("department")}


def _open_step(request: AdjustmentRequest, kind: str) -> Step:
    return Step.objects.select_related("department").get(
        request=request, kind=kind, finished_at=None
    )


def test_a_second_run_creates_nothing(seeded):
    assert AdjustmentRequest.objects.count() == len(REQUESTS)
    assert AdjustmentPolicy.objects.count() == 3
    before = _counts()
    states = list(AdjustmentRequest.objects.values_list("number", "state").order_by("number"))
    call_command("seed_demo", verbosity=0)
    assert _counts() == before
    assert list(AdjustmentRequest.objects.values_list("number", "state").order_by("number")) == (
        states
    )

    # A visitor renames the request being prepared: it is still recognised by its entry.
    clerk = User.objects.get(username="liuzhai-clerk")
    drafting = AdjustmentRequest.objects.get(department=clerk.department)
    services.adjustment_update(
        actor=clerk,
        request=drafting,
        trigger=drafting.trigger,
        event_date=drafting.event_date,
        summary="演示访客改过的标题",
        reason=drafting.reason,
        drafts=[item.draft for item in drafting.items.all()],
    )
    requests, steps = AdjustmentRequest.objects.count(), Step.objects.count()
    call_command("seed_demo", verbosity=0)
    assert (AdjustmentRequest.objects.count(), Step.objects.count()) == (requests, steps)


def test_the_three_policies_of_the_seeds(seeded):
    city = services.policy_for(Jurisdiction.objects.get(code="410100"))
    assert city.jurisdiction.code == "410100"
    assert "郑盐局〔2016〕5号" in city.basis
    # Seed 004 三(三): 10 working days (30 on extension), 2, 5, 1, 2, 1, 2, 2, 1, 3.
    assert (city.apply_days, city.apply_unit, city.apply_extension_max_days) == (
        10,
        DeadlineUnit.WORKING_DAYS,
        30,
    )
    assert (
        city.forward_days,
        city.review_days,
        city.joint_notice_days,
        city.approve_days,
        city.confirm_days,
        city.objection_days,
        city.digital_forward_days,
        city.publish_days,
        city.site_update_days,
    ) == (2, 5, 1, 2, 1, 2, 2, 1, 3)
    assert {city.path_for(trigger) for trigger in TriggerKind.values} == {AdjustmentPath.STANDARD}

    shangjie = services.policy_for(Jurisdiction.objects.get(code="410106"))
    assert shangjie.jurisdiction.code == "410106"
    assert "上政文〔2016〕31号" in shangjie.basis and "备案" in shangjie.basis
    # Seed 003 三(二)5 "机构改革和职能调整": institutions and internal functions are filed.
    assert {trigger: shangjie.path_for(trigger) for trigger in TriggerKind.values} == {
        TriggerKind.NEW_LAW: AdjustmentPath.PARENT_REVIEW,
        TriggerKind.LAW_CHANGED: AdjustmentPath.PARENT_REVIEW,
        TriggerKind.INSTITUTIONAL: AdjustmentPath.FILING,
        TriggerKind.SIMPLIFICATION: AdjustmentPath.STANDARD,
        TriggerKind.INTERNAL: AdjustmentPath.FILING,
    }
    assert (shangjie.apply_days, shangjie.apply_unit) == (10, DeadlineUnit.WORKING_DAYS)

    liuzhai = services.policy_for(Jurisdiction.objects.get(code="410183100"))
    assert liuzhai.jurisdiction.code == "410183100"
    assert "第十条" in liuzhai.basis
    assert (liuzhai.apply_days, liuzhai.apply_unit) == (7, DeadlineUnit.CALENDAR_DAYS)

    # 新密市 has no row of its own: it follows 郑州市's.
    assert services.policy_for(Jurisdiction.objects.get(code="410183")).pk == city.pk


def test_each_demo_request_is_in_its_state_and_in_a_work_queue(seeded):
    requests = _by_summary()
    assert set(requests) == {demo.summary for demo in REQUESTS}
    today = timezone.localdate(timezone=work_calendar.SHANGHAI)
    for demo in REQUESTS:
        request = requests[demo.summary]
        assert request.state == demo.state, demo.summary
        assert request.department == User.objects.get(username=demo.clerk).department
        # The seed may have run just before midnight.
        assert (today - request.event_date).days in (demo.days_ago, demo.days_ago + 1)
        assert request.items.count() == 1
    # Every deadline still running is live: nothing is overdue when the demo starts.
    assert not Step.objects.filter(finished_at=None, due_at__lt=timezone.now()).exists()

    # Each demo request is left in a state of its own.
    by_state = {request.state: request for request in requests.values()}
    assert len(by_state) == len(REQUESTS)
    submitted = by_state[RequestState.SUBMITTED]
    reviewing = by_state[RequestState.REVIEWING]
    completed = by_state[RequestState.COMPLETED]
    publishing = by_state[RequestState.PUBLISHING]
    filing = by_state[RequestState.APPROVING]
    returned = by_state[RequestState.SUPPLEMENT]
    drafting = by_state[RequestState.DRAFTING]
    assert _open_step(submitted, StepKind.FORWARD).department.name == "市改革办"
    review = _open_step(reviewing, StepKind.REVIEW)
    assert (review.department.name, review.primary) == ("市法制办", True)
    assert not completed.steps.filter(finished_at=None).exists()
    assert completed.closed_at is not None and completed.published_at is not None
    assert _open_step(publishing, StepKind.PUBLISH).department.name == "市数字办"

    # Seed 003: a change of institutions in 上街区 is the district office's own decision.
    assert filing.path == AdjustmentPath.FILING
    assert _open_step(filing, StepKind.APPROVE).department.name == "上街区改革办"

    # 退回补正: the office's clock stands still while the department supplements. An internal
    # change in 上街区 takes the filing path too (seed 003 "机构改革和职能调整"): it was returned
    # from the district office's own decision.
    assert returned.path == AdjustmentPath.FILING
    approve = _open_step(returned, StepKind.APPROVE)
    assert approve.clock_stopped and approve.due_at is None
    assert _open_step(returned, StepKind.SUPPLEMENT).department.name == "上街区民政局"

    # Seed 002 第十条: seven calendar days from the event (the event's day not counted).
    apply = _open_step(drafting, StepKind.APPLY)
    assert (apply.deadline_days, apply.deadline_unit) == (7, DeadlineUnit.CALENDAR_DAYS)
    assert drafting.policy["apply_days"] == 7
    due = work_calendar.local_date(apply.due_at)
    assert due >= drafting.event_date + datetime.timedelta(days=7)
    assert work_calendar.is_working_day(due)

    queues = {
        "office": submitted,
        "reviewer": reviewing,
        "digital": publishing,
        "shangjie-office": filing,
        "shangjie-clerk": returned,
        "liuzhai-clerk": drafting,
    }
    for username, request in queues.items():
        user = User.objects.get(username=username)
        references = {item.reference for item in selectors.work_items(user)}
        assert request.number in references, username


def test_the_published_request_gave_its_entry_a_new_version(seeded):
    completed = AdjustmentRequest.objects.get(state=RequestState.COMPLETED)
    item = completed.items.get()
    entry = Entry.objects.get(pk=item.entry_id)
    assert entry.version == item.version
    row = Entry.history.get(id=entry.pk, version=item.version)
    assert row.change_reference == completed.number
    assert row.change_source == ChangeSource.ADJUSTMENT
    assert Entry.history.filter(id=entry.pk, version=item.version - 1).exists()
    demo = next(demo for demo in REQUESTS if demo.summary == completed.summary)
    for name, value in demo.changes.items():
        assert getattr(entry, name) == value
    # The public announcements show it, and only the published one of the demo.
    announced = [r.number for r in selectors.announcements(user=AnonymousUser())]
    assert announced == [completed.number]
    # Nothing else of the demo reached the register.
    assert set(
        Entry.history.filter(change_source=ChangeSource.ADJUSTMENT).values_list(
            "change_reference", flat=True
        )
    ) == {completed.number}


def test_the_request_under_review_shows_the_reviewer_and_the_department_talking(seeded):
    """Seed 004 三(三)3 "主动与申请单位沟通对接" (issue 9 §6): the demo's request under review
    has a question of the lead reviewer and the department's answer."""
    reviewing = _by_summary()["临时救助承诺时限压缩至5个工作日"]
    office = User.objects.get(username="office")
    talk = selectors.request_messages(user=office, request=reviewing)
    assert [event.actor.department.name for event in talk] == ["市法制办", "市民政局"]
