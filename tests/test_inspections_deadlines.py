"""Issue 13 §6–7, Done when: the timed steps of inspections with a frozen clock. A rectification
notice's deadline is in working days (SPEC §9) from its issue; the sweep reminds its holders one
working day before, and an overdue rectification is escalated once (seed 002 管理办法 第十九条:
逾期未整改的，抄报政务服务改革管理办公室，记入单位绩效考核台账，并告知相关部门和单位), with the
one-vote veto on the unit's year only where the jurisdiction's policy follows seed 001 第十六条.
The result of a drawn inspection is due for publication 20 working days after it ended
(国办发〔2015〕58号). The official 2026 schedule: holidays 10-01..07, make-up working day
Saturday 10-10."""

import datetime

import pytest
from django.utils import translation

from config.celery import app as celery_app
from core import services as core_services
from core.choices import DayKind, NoticeKind, NotificationKind, Role
from core.models import Notification
from inspections import services, tasks
from inspections.choices import AssessmentKind, StepKind, Transition
from inspections.models import (
    AssessmentRecord,
    DeadlineNotice,
    Event,
    InspectionPolicy,
    RectificationNotice,
    Step,
)
from tests.adjustment_builders import at, end_of
from tests.complaint_builders import travel
from tests.inspection_builders import build_inspection_org, plan_drawn, problem_open


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def built(db, calendar):
    with travel(at(2026, 9, 1, 10)):
        return build_inspection_org()


def _issued(built, moment: datetime.datetime, *, days: int) -> RectificationNotice:
    """A notice of `days` working days issued at `moment` for a problem found the day before."""
    with travel(moment):
        problem = problem_open(built, found_on=moment.date() - datetime.timedelta(days=1))
        notice = services.notice_draft(
            actor=built.supervisor,
            problems=[problem],
            title="关于责任清单公开问题的整改通知书",
            requirements="在门户网站公开责任清单。",
            deadline_days=days,
        )
        return services.notice_issue(actor=built.supervisor, notice=notice)


def _issued_before_national_day(built, *, days: int = 5) -> RectificationNotice:
    """Issued Monday 2026-09-28, the last working days before the National Day holiday."""
    return _issued(built, at(2026, 9, 28, 10), days=days)


def _sweep(moment: datetime.datetime, capture):
    """One run of the sweep at `moment`, with what it leaves for after the commit (the
    escalation's notices) run too."""
    with travel(moment), capture(execute=True):
        return services.inspection_deadlines_sweep()


def _told(kind: str, **filters) -> list[str]:
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind, **filters))


def _veto_policy(built) -> InspectionPolicy:
    """Seed 001 第十六条: 逾期未整改或整改不到位的，记入考核台账，实行一票否决 — set by the city's
    office for the city."""
    return core_services.jurisdiction_policy_save(
        actor=built.office,
        model=InspectionPolicy,
        jurisdiction=built.org.city,
        values={"veto": True},
    )


def test_five_working_days_across_national_day(built):
    """09-29 and 09-30, then 10-08, 10-09 and the make-up Saturday 10-10: due with 10-10;
    reminded on 10-09, the working day before, at 8:00."""
    notice = _issued_before_national_day(built)
    rectify = Step.objects.get(notice=notice)
    assert (rectify.kind, rectify.deadline_days) == (StepKind.RECTIFY, 5)
    assert rectify.due_at == notice.due_at == end_of(2026, 10, 10)
    assert rectify.due_confirmed
    assert rectify.remind_at == at(2026, 10, 9, 8)


def test_the_sweep_reminds_once_then_escalates_an_overdue_rectification_once(
    built, django_capture_on_commit_callbacks
):
    notice = _issued_before_national_day(built)
    rectify = Step.objects.get(notice=notice)
    capture = django_capture_on_commit_callbacks

    assert _sweep(at(2026, 10, 9, 7, 59), capture).reminders == 0
    first = _sweep(at(2026, 10, 9, 8), capture)
    second = _sweep(at(2026, 10, 9, 12), capture)
    assert (first.reminders, second.reminders) == (1, 0)
    assert _told(NotificationKind.DEADLINE_REMINDER) == ["city-clerk"]
    (reminder,) = Notification.objects.filter(kind=NotificationKind.DEADLINE_REMINDER)
    assert notice.number in reminder.subject
    assert "2026-10-10" in reminder.body

    # Due with the make-up Saturday: still on time at its last moment.
    assert _sweep(end_of(2026, 10, 10), capture).overdue == 0
    assert not AssessmentRecord.objects.exists()

    first = _sweep(at(2026, 10, 11, 0, 5), capture)
    second = _sweep(at(2026, 10, 12, 9), capture)
    assert (first.overdue, second.overdue) == (1, 0)
    assert second.notifications == 0
    rectify.refresh_from_db()
    assert rectify.overdue_at == at(2026, 10, 11, 0, 5)
    assert sorted(
        DeadlineNotice.objects.filter(step=rectify).values_list("kind", flat=True)
    ) == sorted([NoticeKind.OVERDUE, NoticeKind.REMINDER])

    # The overdue notice: the unit's clerks and the jurisdiction's supervisors.
    assert _told(NotificationKind.DEADLINE_OVERDUE) == ["city-clerk", "city-supervisor"]
    # The escalation: the reform office, the unit's clerks, the issuing body's supervisors.
    escalated = Notification.objects.filter(dedupe_key__endswith="escalated:overdue")
    assert sorted(n.recipient.username for n in escalated) == [
        "city-clerk",
        "city-office",
        "city-supervisor",
    ]
    assert all(notice.number in n.subject for n in escalated)
    assert not any("one-vote veto" in n.body for n in escalated)

    (record,) = AssessmentRecord.objects.all()
    assert (record.department, record.year, record.kind, record.notice, record.veto) == (
        built.units["salt"],
        2026,
        AssessmentKind.OVERDUE,
        notice,
        False,
    )
    assert record.recorded_at == at(2026, 10, 11, 0, 5)
    events = Event.objects.filter(notice=notice)
    assert events.filter(transition=Transition.ESCALATE).count() == 1
    assert events.filter(transition=Transition.DEADLINE_REMINDER).count() == 1
    assert events.filter(transition=Transition.DEADLINE_OVERDUE).count() == 1
    escalation = events.get(transition=Transition.ESCALATE)
    assert escalation.detail == {"kind": "overdue", "veto": False, "assessment": record.pk}
    assert escalation.actor is None

    # The unit still reports late, and the supervisor finds it not fixed: a second entry of
    # the other kind, never a second one of the same.
    with travel(at(2026, 10, 13, 10)):
        services.rectification_report(actor=built.clerks["salt"], notice=notice, text="已公开。")
    with travel(at(2026, 10, 14, 10)), capture(execute=True):
        services.notice_close_not_fixed(
            actor=built.supervisor, notice=notice, reasons="公开的清单不完整。"
        )
    assert sorted(AssessmentRecord.objects.values_list("kind", flat=True)) == [
        AssessmentKind.NOT_FIXED,
        AssessmentKind.OVERDUE,
    ]
    assert _sweep(at(2026, 10, 20, 9), capture).notifications == 0


def test_the_veto_is_set_under_the_seed_001_policy(built, django_capture_on_commit_callbacks):
    policy = _veto_policy(built)
    assert services.policy_for(built.org.district).pk == policy.pk
    notice = _issued_before_national_day(built)
    _sweep(at(2026, 10, 11, 9), django_capture_on_commit_callbacks)
    (record,) = AssessmentRecord.objects.all()
    assert (record.kind, record.veto) == (AssessmentKind.OVERDUE, True)
    escalation = Event.objects.get(notice=notice, transition=Transition.ESCALATE)
    assert escalation.detail["veto"] is True
    office_notice = Notification.objects.get(
        recipient=built.office, dedupe_key__endswith="escalated:overdue"
    )
    assert "one-vote veto on the unit's year" in office_notice.body


def test_no_veto_under_seed_002_and_a_lower_policy_may_differ(
    built, django_capture_on_commit_callbacks
):
    """Seed 002 第十九条 only records it in the assessment ledger: the default. A district that
    follows seed 001 vetoes its own units' years; the city's stay as they were."""
    core_services.jurisdiction_policy_save(
        actor=built.org.users["administrator"],
        model=InspectionPolicy,
        jurisdiction=built.org.district,
        values={"veto": True},
    )
    assert services.policy_for(built.org.city).veto is False
    _issued_before_national_day(built)
    _sweep(at(2026, 10, 11, 9), django_capture_on_commit_callbacks)
    (record,) = AssessmentRecord.objects.all()
    assert (record.kind, record.veto) == (AssessmentKind.OVERDUE, False)


def test_not_fixed_under_the_veto_policy(built, django_capture_on_commit_callbacks):
    _veto_policy(built)
    notice = _issued_before_national_day(built, days=15)
    with travel(at(2026, 10, 9, 10)), django_capture_on_commit_callbacks(execute=True):
        services.notice_close_not_fixed(actor=built.supervisor, notice=notice, reasons="拒不整改。")
    (record,) = AssessmentRecord.objects.all()
    assert (record.kind, record.veto, record.year) == (AssessmentKind.NOT_FIXED, True, 2026)


def test_the_publish_step_is_reminded_and_overdue_without_an_escalation(
    built, django_capture_on_commit_callbacks
):
    with travel(at(2026, 11, 2, 9)):
        plan = plan_drawn(built)
        inspection = plan.inspections.order_by("pk").first()
        lead = inspection.members.get(lead=True).user
        services.inspection_notify(
            actor=lead, inspection=inspection, meet_on=datetime.date(2026, 11, 4)
        )
    with travel(at(2026, 11, 4, 17)):
        services.inspection_finish(actor=lead, inspection=inspection, feedback="限期整改。")
    publish = Step.objects.get(inspection=inspection)
    # 20 working days from Wednesday 11-04: Wednesday 12-02.
    assert (publish.kind, publish.due_at, publish.remind_at) == (
        StepKind.PUBLISH,
        end_of(2026, 12, 2),
        at(2026, 12, 1, 8),
    )
    capture = django_capture_on_commit_callbacks
    assert _sweep(at(2026, 12, 1, 8), capture).reminders == 1
    assert _told(NotificationKind.DEADLINE_REMINDER) == ["city-supervisor"]
    first = _sweep(at(2026, 12, 3, 8), capture)
    second = _sweep(at(2026, 12, 3, 9), capture)
    assert (first.overdue, second.overdue) == (1, 0)
    assert _told(NotificationKind.DEADLINE_OVERDUE) == ["city-supervisor"]
    overdue = Event.objects.get(inspection=inspection, transition=Transition.DEADLINE_OVERDUE)
    assert overdue.step == publish
    assert not AssessmentRecord.objects.exists()
    assert not Event.objects.filter(transition=Transition.ESCALATE).exists()
    # Published late all the same.
    with travel(at(2026, 12, 4, 10)):
        services.inspection_publish(
            actor=built.supervisor, inspection=inspection, result="责任清单未公开，已整改。"
        )
    publish.refresh_from_db()
    assert publish.outcome == "published"


def test_a_calendar_change_moves_a_rectification_deadline(built):
    """Issued Monday 11-02 with 10 working days: due with Monday 11-16. 11-10 made a holiday:
    due with Tuesday 11-17, reminded on 11-16."""
    notice = _issued(built, at(2026, 11, 2, 10), days=10)
    rectify = Step.objects.get(notice=notice)
    assert rectify.due_at == end_of(2026, 11, 16)
    with travel(at(2026, 11, 5, 9)):
        revision = core_services.calendar_day_set(
            actor=built.org.users[Role.ADMINISTRATOR],
            date=datetime.date(2026, 11, 10),
            kind=DayKind.HOLIDAY,
            name="临时调整",
        )
        assert core_services.calendar_revision_apply(revision_id=revision.pk) == 1
    rectify.refresh_from_db()
    assert (rectify.due_at, rectify.remind_at) == (end_of(2026, 11, 17), at(2026, 11, 16, 8))
    (moved,) = Notification.objects.filter(kind=NotificationKind.DEADLINE_MOVED)
    assert moved.recipient == built.clerks["salt"]
    assert moved.url == notice.get_absolute_url()


def test_a_calendar_change_moves_a_returned_rectification_and_the_notice_with_it(built):
    """Issued Monday 11-02 with 10 working days (due with 11-16), reported 11-04, returned
    11-09: the new rectify step started 11-09 but its period runs from the issue. 11-05 made a
    holiday afterwards moves it to 11-17, and the notice's due moment with it."""
    notice = _issued(built, at(2026, 11, 2, 10), days=10)
    with travel(at(2026, 11, 4, 10)):
        services.rectification_report(
            actor=built.clerks["salt"], notice=notice, text="已在门户网站公开。"
        )
    with travel(at(2026, 11, 9, 10)):
        services.notice_return(actor=built.supervisor, notice=notice, reasons="仍未公开全部事项。")
    returned = Step.objects.filter(notice=notice, kind=StepKind.RECTIFY).latest("started_at")
    assert returned.started_at == at(2026, 11, 9, 10)
    assert returned.due_at == end_of(2026, 11, 16) == notice.due_at
    with travel(at(2026, 11, 10, 9)):
        revision = core_services.calendar_day_set(
            actor=built.org.users[Role.ADMINISTRATOR],
            date=datetime.date(2026, 11, 5),
            kind=DayKind.HOLIDAY,
            name="临时调整",
        )
        assert core_services.calendar_revision_apply(revision_id=revision.pk) == 1
    returned.refresh_from_db()
    assert returned.due_at == end_of(2026, 11, 17)
    assert RectificationNotice.objects.get(pk=notice.pk).due_at == end_of(2026, 11, 17)


def test_beat_runs_the_inspections_sweep_and_the_task_sweeps(built):
    schedule = {
        entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()
    }
    assert schedule["inspections.tasks.deadlines_sweep"] == 300.0
    assert "inspections.tasks.register_check" in schedule
    _issued_before_national_day(built)
    with travel(at(2026, 10, 9, 8)):
        assert tasks.deadlines_sweep() == {"reminders": 1, "overdue": 0, "notifications": 1}
        assert tasks.deadlines_sweep() == {"reminders": 0, "overdue": 0, "notifications": 0}
