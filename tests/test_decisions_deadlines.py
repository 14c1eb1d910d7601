"""Issue 14 §3 and §5, Done when: the timed steps of decisions with a frozen clock. A decision
is published within 10 日 of its service (seed 002 监督检查办法 第十三条: 决定书送达后10日内) —
calendar days, the day of service not counted, a last day off rolled over to the next working
day (SPEC §9; Civil Code arts. 201, 203); the sweep reminds the clerks on the working day
before and tells the clerks, the office and the supervisors once when it is overdue; a case
record is uploaded within 24 hours of being made (seed 003 三(二)2); a certificate near its end
reminds the department's clerks once. The official 2026 schedule: National Day holidays
10-01..07, make-up working days Sunday 09-20 and Saturday 10-10."""

import datetime

import pytest
from celery.schedules import crontab
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from config.celery import app as celery_app
from core import calendar as core_calendar
from core import services as core_services
from core.choices import DeadlineUnit, NoticeKind, NotificationKind, Role, SkipReason
from core.models import Notification
from decisions import services, tasks
from decisions.choices import Flag, StepKind, Transition
from decisions.models import CaseRecord, DeadlineNotice, Decision, DecisionPolicy, Event, Step
from tests.adjustment_builders import at, end_of
from tests.complaint_builders import travel
from tests.decision_builders import build_decision_org, penalty_values, record_penalty

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def built(db, calendar):
    with travel(at(2026, 8, 3, 10)):
        return build_decision_org()


def _served(built, served_on: datetime.date, moment: datetime.datetime, **values) -> Decision:
    """A penalty decided the day before `served_on`, recorded as served at `moment`."""
    with travel(moment):
        return record_penalty(
            built,
            filed_on=served_on - datetime.timedelta(days=10),
            decided_on=served_on - datetime.timedelta(days=1),
            served_on=served_on,
            **values,
        )


def _publish_step(decision: Decision) -> Step:
    return Step.objects.get(decision=decision, kind=StepKind.PUBLISH)


def _sweep(moment: datetime.datetime):
    with travel(moment):
        return services.decision_deadlines_sweep()


def _told(kind: str, **filters) -> list[str]:
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind, **filters))


# --- the period (SPEC §9) ---------------------------------------------------------------------


def test_ten_days_ending_in_national_day_roll_over_to_the_next_working_day(built):
    """Served Friday 09-25: the tenth day is 10-05, a holiday; the period ends with Thursday
    10-08, the first working day after the holidays, and is reminded on 09-30, the working day
    before."""
    decision = _served(built, datetime.date(2026, 9, 25), at(2026, 9, 28, 10))
    step = _publish_step(decision)
    assert (step.deadline_days, step.deadline_unit) == (10, DeadlineUnit.CALENDAR_DAYS)
    assert step.role == Role.CLERK and step.department_id == built.department.pk
    assert step.started_at == at(2026, 9, 28, 10)
    assert step.due_at == end_of(2026, 10, 8) and step.due_confirmed
    assert step.remind_at == at(2026, 9, 30, 8)


def test_the_core_calendar_passes_over_the_holidays_at_the_end_only(calendar):
    """Calendar days count through holidays; only the days off after the tenth are skipped."""
    deadline = core_calendar.add(datetime.date(2026, 9, 25), 10, DeadlineUnit.CALENDAR_DAYS)
    assert deadline.due_date == datetime.date(2026, 10, 8)
    assert [(skip.date, skip.reason) for skip in deadline.skipped] == [
        (datetime.date(2026, 10, 5), SkipReason.HOLIDAY),
        (datetime.date(2026, 10, 6), SkipReason.HOLIDAY),
        (datetime.date(2026, 10, 7), SkipReason.HOLIDAY),
    ]
    from_the_21st = core_calendar.add(datetime.date(2026, 9, 21), 10, DeadlineUnit.CALENDAR_DAYS)
    assert from_the_21st.due_date == datetime.date(2026, 10, 8)
    assert [skip.date.day for skip in from_the_21st.skipped] == [1, 2, 3, 4, 5, 6, 7]


def test_ten_days_ending_on_national_day_itself_roll_over_too(built):
    decision = _served(built, datetime.date(2026, 9, 21), at(2026, 9, 22, 10))
    assert _publish_step(decision).due_at == end_of(2026, 10, 8)


@pytest.mark.parametrize(
    ("served_on", "due", "remind"),
    [
        # Tuesday 09-01 → Friday 09-11, a working day: it ends that day.
        (datetime.date(2026, 9, 1), end_of(2026, 9, 11), at(2026, 9, 10, 8)),
        # Thursday 09-10 → Sunday 09-20, a make-up working day: it ends that day.
        (datetime.date(2026, 9, 10), end_of(2026, 9, 20), at(2026, 9, 18, 8)),
        # Friday 09-04 → Monday 09-14.
        (datetime.date(2026, 9, 4), end_of(2026, 9, 14), at(2026, 9, 11, 8)),
    ],
)
def test_a_period_whose_tenth_day_is_a_working_day_ends_that_day(built, served_on, due, remind):
    decision = _served(built, served_on, at(served_on.year, served_on.month, served_on.day, 18))
    step = _publish_step(decision)
    assert (step.due_at, step.remind_at) == (due, remind)


def test_the_jurisdictions_period_applies(built):
    with travel(at(2026, 8, 3, 11)):
        core_services.jurisdiction_policy_save(
            actor=built.org.users[Role.ADMINISTRATOR],
            model=DecisionPolicy,
            jurisdiction=built.org.city,
            values={"publish_days": 7},
        )
    decision = _served(built, datetime.date(2026, 9, 1), at(2026, 9, 1, 18))
    assert _publish_step(decision).due_at == end_of(2026, 9, 8)


def test_a_corrected_service_date_moves_the_publication_period(built):
    decision = _served(built, datetime.date(2026, 9, 25), at(2026, 9, 28, 10))
    with travel(at(2026, 9, 28, 11)):
        services.decision_correct(
            actor=built.clerk,
            decision=decision,
            given=services.DecisionValues(
                body=built.body,
                item=built.penalty_item,
                officers=built.officers,
                values=penalty_values(
                    decided_on=datetime.date(2026, 9, 14), served_on=datetime.date(2026, 9, 15)
                ),
            ),
            reason="送达日期录入有误",
        )
    # The tenth day from 09-15 is Friday 09-25, 中秋节: the period ends with Monday 09-28.
    step = _publish_step(decision)
    assert step.due_at == end_of(2026, 9, 28)
    assert step.remind_at == at(2026, 9, 24, 8)
    assert step.finished_at is None
    assert _sweep(at(2026, 9, 28, 12)).overdue == 0
    assert _sweep(at(2026, 9, 29, 0, 5)).overdue == 1


def test_a_corrected_service_date_can_make_a_publication_late(built):
    decision = _served(built, datetime.date(2026, 9, 25), at(2026, 9, 28, 10))
    with travel(at(2026, 10, 8, 10)):
        published = services.decision_publish(actor=built.clerk, decision=decision)
    assert not published.published_late
    with travel(at(2026, 10, 9, 10)):
        corrected = services.decision_correct(
            actor=built.clerk,
            decision=decision,
            given=services.DecisionValues(
                body=built.body,
                item=built.penalty_item,
                officers=built.officers,
                values=penalty_values(
                    decided_on=datetime.date(2026, 9, 14), served_on=datetime.date(2026, 9, 15)
                ),
            ),
            reason="送达日期录入有误",
        )
    assert corrected.published_late
    assert Decision.objects.get(pk=decision.pk).published_late


# --- the sweep --------------------------------------------------------------------------------


def test_the_sweep_reminds_once_on_the_working_day_before(built):
    decision = _served(built, datetime.date(2026, 9, 25), at(2026, 9, 28, 10))
    assert _sweep(at(2026, 9, 30, 7, 59)).reminders == 0
    first, second = _sweep(at(2026, 9, 30, 8)), _sweep(at(2026, 10, 5, 9))
    assert (first.reminders, first.notifications) == (1, 1)
    assert (second.reminders, second.notifications) == (0, 0)
    assert _told(NotificationKind.DEADLINE_REMINDER) == ["city-clerk"]
    (reminder,) = Notification.objects.filter(kind=NotificationKind.DEADLINE_REMINDER)
    assert decision.number in reminder.subject and "2026-10-08" in reminder.body
    assert reminder.url == reverse("decisions:staff-detail", args=[decision.pk])
    event = Event.objects.get(decision=decision, transition=Transition.DEADLINE_REMINDER)
    assert event.detail["recipients"] == [built.clerk.pk]


def test_the_overdue_publication_is_told_once_to_the_clerks_office_and_supervisors(built):
    decision = _served(built, datetime.date(2026, 9, 25), at(2026, 9, 28, 10))
    _sweep(at(2026, 9, 30, 8))
    # Due with 10-08: still on time at its last moment.
    assert _sweep(end_of(2026, 10, 8)).overdue == 0
    first = _sweep(at(2026, 10, 9, 0, 5))
    second = _sweep(at(2026, 10, 12, 9))
    assert (first.overdue, first.notifications) == (1, 3)
    assert (second.overdue, second.notifications) == (0, 0)
    assert _told(NotificationKind.DEADLINE_OVERDUE) == [
        "city-clerk",
        "city-office",
        "city-supervisor",
    ]
    (guard,) = DeadlineNotice.objects.filter(kind=NoticeKind.OVERDUE)
    assert guard.recipients == 3 and guard.step.decision_id == decision.pk
    assert (
        Event.objects.filter(decision=decision, transition=Transition.DEADLINE_OVERDUE).count() == 1
    )
    assert not _told(NotificationKind.DEADLINE_OVERDUE, recipient__username__startswith="district")


def test_a_publication_after_its_period_is_flagged_late(built):
    decision = _served(built, datetime.date(2026, 9, 25), at(2026, 9, 28, 10))
    on_time = _served(built, datetime.date(2026, 9, 25), at(2026, 9, 28, 10), number="郑盐罚2号")
    with travel(end_of(2026, 10, 8)):
        services.decision_publish(actor=built.clerk, decision=on_time)
    with travel(at(2026, 10, 9, 9)):
        services.decision_publish(actor=built.clerk, decision=decision)
    late = Decision.objects.get(pk=decision.pk)
    assert late.published_late and Flag.PUBLISHED_LATE in late.flags
    assert not Decision.objects.get(pk=on_time.pk).published_late
    assert Event.objects.get(decision=decision, transition=Transition.PUBLISH).detail["late"]
    # Published: the sweep has nothing to say any more.
    assert _sweep(at(2026, 10, 12, 9)).overdue == 0


def test_the_beat_runs_the_sweep_and_the_certificate_reminder(built):
    schedule = {
        entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()
    }
    assert schedule["decisions.tasks.deadlines_sweep"] == 300.0
    assert isinstance(schedule["decisions.tasks.certificates_remind"], crontab)
    _served(built, datetime.date(2026, 9, 25), at(2026, 9, 28, 10))
    with travel(at(2026, 9, 30, 8)):
        assert tasks.deadlines_sweep() == {"reminders": 1, "overdue": 0, "notifications": 1}
        assert tasks.deadlines_sweep() == {"reminders": 0, "overdue": 0, "notifications": 0}
    _certificate(built, "钱将满", valid_until=datetime.date(2026, 10, 15))
    with travel(at(2026, 9, 30, 6)):
        assert tasks.certificates_remind() == {"notifications": 1}
        assert tasks.certificates_remind() == {"notifications": 0}


# --- case records within 24 hours (seed 003 三(二)2) ------------------------------------------


def _case(built) -> Decision:
    values = penalty_values(number="", content="", basis="", penalty_kinds=[], fine_amount=None)
    values.pop("decided_on")
    with travel(at(2026, 9, 1, 10)):
        return services.case_file(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body, item=built.penalty_item, officers=built.officers, values=values
            ),
        )


def test_a_record_not_uploaded_is_due_24_hours_after_it_was_made(built):
    case = _case(built)
    with travel(at(2026, 9, 2, 16)):
        record = services.case_record_upload(
            actor=built.clerk, decision=case, title="现场检查笔录", made_at=at(2026, 9, 2, 15)
        )
    assert record.uploaded_at is None and not record.file
    step = Step.objects.get(record=record)
    assert (step.kind, step.deadline_unit, step.deadline_days) == (
        StepKind.UPLOAD,
        DeadlineUnit.HOURS,
        24,
    )
    assert step.due_at == at(2026, 9, 3, 15) and step.remind_at is None
    assert _sweep(at(2026, 9, 3, 15)).overdue == 0
    first, second = _sweep(at(2026, 9, 3, 15, 1)), _sweep(at(2026, 9, 4, 9))
    assert (first.overdue, first.notifications, second.overdue) == (1, 1, 0)
    # Not a publication: the clerks alone are told.
    assert _told(NotificationKind.DEADLINE_OVERDUE) == ["city-clerk"]
    (notice,) = Notification.objects.filter(kind=NotificationKind.DEADLINE_OVERDUE)
    assert "2026-09-03 15:00" in notice.body


def test_a_record_noted_without_its_file_is_uploaded_later(built):
    case = _case(built)
    with travel(at(2026, 9, 2, 16)):
        record = services.case_record_upload(
            actor=built.clerk, decision=case, title="现场检查笔录", made_at=at(2026, 9, 2, 15)
        )
    with travel(at(2026, 9, 3, 9)), pytest.raises(services.DomainError):
        services.case_record_attach(
            actor=built.org.district_users["clerk"],
            record=record,
            upload=SimpleUploadedFile("笔录.pdf", PDF, "application/pdf"),
        )
    with travel(at(2026, 9, 3, 9)), pytest.raises(services.DomainError, match="PDF"):
        services.case_record_attach(
            actor=built.clerk,
            record=record,
            upload=SimpleUploadedFile("笔录.pdf", ELF, "application/pdf"),
        )
    assert Step.objects.get(record=record).finished_at is None
    with travel(at(2026, 9, 3, 9)):
        attached = services.case_record_attach(
            actor=built.clerk,
            record=record,
            upload=SimpleUploadedFile("现场检查笔录.pdf", PDF, "application/pdf"),
        )
    assert attached.uploaded_at == at(2026, 9, 3, 9) and len(attached.sha256) == 64
    step = Step.objects.get(record=record)
    assert step.finished_at == at(2026, 9, 3, 9) and step.finished_by == built.clerk
    assert (
        not Event.objects.filter(decision=case, transition=Transition.UPLOAD).last().detail["late"]
    )
    assert _sweep(at(2026, 9, 4, 9)).overdue == 0
    with travel(at(2026, 9, 3, 10)), pytest.raises(services.DomainError, match="already"):
        services.case_record_attach(
            actor=built.clerk,
            record=record,
            upload=SimpleUploadedFile("笔录.pdf", PDF, "application/pdf"),
        )


def test_a_record_uploaded_with_its_file_finishes_its_step(built):
    case = _case(built)
    with travel(at(2026, 9, 2, 16)):
        record = services.case_record_upload(
            actor=built.clerk,
            decision=case,
            title="询问笔录",
            made_at=at(2026, 9, 2, 15),
            upload=SimpleUploadedFile("询问笔录.pdf", PDF, "application/pdf"),
        )
    assert record.uploaded_at == at(2026, 9, 2, 16) and record.uploaded_by == built.clerk
    assert record.file_name == "询问笔录.pdf" and len(record.sha256) == 64
    step = Step.objects.get(record=record)
    assert step.finished_at == at(2026, 9, 2, 16) and step.finished_by == built.clerk
    assert _sweep(at(2026, 9, 4, 9)).overdue == 0
    event = Event.objects.get(decision=case, transition=Transition.UPLOAD)
    assert event.detail == {"record": record.pk, "late": False}


def test_a_record_uploaded_after_24_hours_is_marked_late(built):
    case = _case(built)
    with travel(at(2026, 9, 4, 9)):
        services.case_record_upload(
            actor=built.clerk,
            decision=case,
            title="询问笔录",
            made_at=at(2026, 9, 2, 15),
            upload=SimpleUploadedFile("询问笔录.pdf", PDF, "application/pdf"),
        )
    assert Event.objects.get(decision=case, transition=Transition.UPLOAD).detail["late"]


def test_a_record_is_refused_from_the_future_with_a_false_file_and_to_strangers(built):
    case = _case(built)
    with travel(at(2026, 9, 2, 16)):
        with pytest.raises(services.DomainError, match="future"):
            services.case_record_upload(
                actor=built.clerk, decision=case, title="笔录", made_at=at(2026, 9, 2, 17)
            )
        with pytest.raises(services.DomainError, match="PDF"):
            services.case_record_upload(
                actor=built.clerk,
                decision=case,
                title="笔录",
                made_at=at(2026, 9, 2, 15),
                upload=SimpleUploadedFile("笔录.pdf", ELF, "application/pdf"),
            )
        with pytest.raises(services.DomainError):
            services.case_record_upload(
                actor=built.org.district_users["clerk"],
                decision=case,
                title="笔录",
                made_at=at(2026, 9, 2, 15),
            )
    assert not CaseRecord.objects.exists() and not Step.objects.exists()


# --- certificates near their end --------------------------------------------------------------


def _certificate(built, name: str, *, valid_until: datetime.date, number: str = "豫A07001"):
    with travel(at(2026, 8, 3, 11)):
        person = services.officer_save(actor=built.clerk, department=built.department, name=name)
        return services.certificate_save(
            actor=built.clerk,
            person=person,
            number=number,
            issuing_authority="郑州市人民政府",
            enforcement_field="盐业",
            valid_from=datetime.date(2021, 1, 1),
            valid_until=valid_until,
        )


def test_a_certificate_near_its_end_reminds_the_departments_clerks_once(built):
    with travel(at(2026, 8, 3, 11)):
        second_clerk = core_services.user_create(
            actor=None,
            username="city-clerk-2",
            password="pw-clerk",
            role=Role.CLERK,
            jurisdiction=built.org.city,
            department=built.department,
        )
    ending = _certificate(built, "钱将满", valid_until=datetime.date(2026, 10, 15))
    _certificate(built, "孙尚早", valid_until=datetime.date(2026, 11, 30), number="豫A07002")
    today = datetime.date(2026, 9, 20)
    assert services.certificates_expiring_remind(today=today) == 2
    assert services.certificates_expiring_remind(today=today) == 0
    assert services.certificates_expiring_remind(today=datetime.date(2026, 9, 21)) == 0
    told = Notification.objects.filter(kind=NotificationKind.DEADLINE_REMINDER)
    assert sorted(n.recipient.username for n in told) == ["city-clerk", second_clerk.username]
    assert all(ending.number in n.body and "2026-10-15" in n.body for n in told)
    assert all("钱将满" in n.subject for n in told)


def test_the_warning_period_is_the_jurisdictions(built):
    _certificate(built, "孙尚早", valid_until=datetime.date(2026, 11, 30))
    today = datetime.date(2026, 9, 20)
    assert services.certificates_expiring_remind(today=today) == 0
    with travel(at(2026, 8, 3, 11)):
        core_services.jurisdiction_policy_save(
            actor=built.org.users[Role.ADMINISTRATOR],
            model=DecisionPolicy,
            jurisdiction=built.org.city,
            values={"certificate_warning_days": 90},
        )
    assert services.certificates_expiring_remind(today=today) == 1
    # The expired certificate (赵过期, 2025-12-31) is flagged where shown, never reminded.
    assert not Notification.objects.filter(subject__contains="赵过期").exists()
