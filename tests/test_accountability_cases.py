"""Accountability cases (issue 15 §1–§2, Done when: "tests for the sanction terms (including
several at once, capped at 48 months), the 6/12-month case period, 回避")."""

import datetime

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from accountability import services
from accountability.choices import (
    MAX_COMBINED_MONTHS,
    SANCTION_MONTHS,
    SANCTION_ORDER,
    CaseState,
    FactKind,
    FileKind,
    Measure,
)
from accountability.models import FileRecord, Ground, Investigator, Outcome, Step
from core import calendar as core_calendar
from core.choices import PersonDuty, Role
from core.models import Person
from core.permissions import restrict
from core.services import DomainError, organisation_object_save
from tests.builders import build_org

SHANGHAI = core_calendar.SHANGHAI

# --- terms (行政机关公务员处分条例 第七条, 第十条) ---------------------------------------------


@pytest.mark.parametrize(
    ("measure", "months"),
    [
        (Measure.WARNING, 6),
        (Measure.DEMERIT, 12),
        (Measure.MAJOR_DEMERIT, 18),
        (Measure.DEMOTION, 24),
        (Measure.DISMISSAL, 24),
    ],
)
def test_each_sanction_runs_its_term(measure, months):
    sanction = services.sanction_for([measure])
    assert (sanction.measure, sanction.months, sanction.least, sanction.most) == (
        measure,
        months,
        months,
        months,
    )


def test_expulsion_has_no_term():
    assert services.sanction_for([Measure.EXPULSION, Measure.WARNING]).months is None
    with pytest.raises(DomainError):
        services.sanction_for([Measure.EXPULSION], 12)


def test_of_different_kinds_the_heaviest_is_carried_out():
    sanction = services.sanction_for([Measure.WARNING, Measure.MAJOR_DEMERIT, Measure.DEMERIT])
    assert (sanction.measure, sanction.months) == (Measure.MAJOR_DEMERIT, 18)


def test_several_of_one_kind_run_between_one_term_and_the_sum():
    two_demerits = services.sanction_for([Measure.DEMERIT, Measure.DEMERIT])
    assert (two_demerits.least, two_demerits.most, two_demerits.months) == (12, 24, 24)
    assert services.sanction_for([Measure.DEMERIT, Measure.DEMERIT], 18).months == 18
    for outside in (11, 25):
        with pytest.raises(DomainError, match="12"):
            services.sanction_for([Measure.DEMERIT, Measure.DEMERIT], outside)


def test_several_are_capped_at_48_months():
    three_demotions = services.sanction_for([Measure.DEMOTION] * 3)
    assert three_demotions.most == MAX_COMBINED_MONTHS == 48
    with pytest.raises(DomainError):
        services.sanction_for([Measure.DEMOTION] * 3, 49)


@given(st.lists(st.sampled_from(SANCTION_ORDER[:-1]), min_size=1, max_size=8))
def test_the_longest_term_is_never_above_the_cap_nor_below_one_term(measures):
    sanction = services.sanction_for(measures)
    heaviest = max(measures, key=SANCTION_ORDER.index)
    count = measures.count(heaviest)
    assert sanction.measure == heaviest
    assert sanction.months == min(SANCTION_MONTHS[heaviest] * count, MAX_COMBINED_MONTHS) or (
        count == 1 and sanction.months == SANCTION_MONTHS[heaviest]
    )
    assert SANCTION_MONTHS[heaviest] <= sanction.months <= MAX_COMBINED_MONTHS


def test_lighter_measures_and_unknown_ones_are_no_sanctions():
    for measure in (Measure.CRITICISM, "nonsense"):
        with pytest.raises(DomainError):
            services.sanction_for([measure])


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime.date(2026, 1, 15), 6, datetime.date(2026, 7, 15)),
        (datetime.date(2026, 8, 31), 6, datetime.date(2027, 2, 28)),
        (datetime.date(2027, 8, 31), 6, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 3, 1), 48, datetime.date(2030, 3, 1)),
    ],
)
def test_a_term_ends_on_the_corresponding_day(start, months, end):
    assert services.term_end(start, months) == end


# --- cases ---------------------------------------------------------------------------------------


@pytest.fixture
def world(db, calendar):
    org = build_org()
    salt = org.departments["salt"]
    person = organisation_object_save(
        actor=None, obj=Person(department=salt, name="周某某", duty=PersonDuty.HANDLER)
    )
    return org, salt, person


def _open(org, salt, person, **more):
    return services.case_open(
        actor=org.users[Role.SUPERVISOR],
        department=salt,
        title="食盐行政处罚未按时公开",
        summary="多件处罚决定送达后逾期未公开。",
        grounds=[Ground.objects.get(code="20-10")],
        people=[person],
        evidence=[
            services.EvidenceInput(
                kind=FactKind.DECISION_LATE,
                reference="1",
                label="郑盐罚〔2026〕1号 逾期公开",
                url="/decisions/work/1/",
            )
        ],
        **more,
    )


def test_the_grounds_of_the_seeds_are_data(db):
    codes = set(Ground.objects.values_list("code", flat=True))
    assert {f"20-{n}" for n in range(1, 13)} | {"21-1", "21-2", "21-3", "22", "s003"} <= codes
    assert "未取得合法有效行政执法资格" in Ground.objects.get(code="20-7").text


def test_a_case_is_decided_within_6_months_extendable_to_12(world):
    org, salt, person = world
    opened = datetime.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    with time_machine.travel(opened, tick=False):
        case = _open(org, salt, person)
    step = Step.objects.get(case=case)
    # 处分条例 第四十四条 and Civil Code art. 202: 2026-09-02, a Wednesday.
    assert core_calendar.local_date(step.due_at) == datetime.date(2026, 9, 2)
    with time_machine.travel(opened + datetime.timedelta(days=30), tick=False):
        services.case_extend(
            actor=org.users[Role.SUPERVISOR], case=case, reason="涉及多个科室,案情复杂。"
        )
        step.refresh_from_db()
        # Twelve months: 2027-03-02, a Tuesday.
        assert core_calendar.local_date(step.due_at) == datetime.date(2027, 3, 2)
        with pytest.raises(services.TransitionRefused):
            services.case_extend(actor=org.users[Role.SUPERVISOR], case=case, reason="再延长。")


def test_a_period_ending_on_a_holiday_rolls_over(world):
    org, salt, person = world
    # Six months after 2026-04-01 is 2026-10-01, National Day: the period ends on 10-08.
    with time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=SHANGHAI), tick=False):
        case = _open(org, salt, person)
    due = Step.objects.get(case=case).due_at
    assert core_calendar.local_date(due) == datetime.date(2026, 10, 8)


def test_investigators_with_an_interest_stand_aside(world):
    org, salt, person = world
    case = _open(org, salt, person)
    supervisor = org.users[Role.SUPERVISOR]
    with pytest.raises(DomainError, match="回避"):
        services.investigator_add(actor=supervisor, case=case, user=org.users[Role.CLERK])
    investigator = services.investigator_add(
        actor=supervisor, case=case, user=org.users[Role.REVIEWER]
    )
    services.investigator_recuse(
        actor=org.users[Role.REVIEWER], investigator=investigator, reason="与当事人系近亲属。"
    )
    investigator.refresh_from_db()
    assert investigator.recused_at is not None and "近亲属" in investigator.recusal_reason
    # With no investigator left the investigation cannot end.
    with pytest.raises(DomainError):
        services.case_investigated(actor=supervisor, case=case, findings="查明属实。")
    assert Investigator.objects.filter(case=case, recused_at=None).count() == 0


def test_only_supervisors_open_and_run_cases(world):
    org, salt, person = world
    with pytest.raises(DomainError):
        _open_as(org.users[Role.OFFICE], salt, person)
    case = _open(org, salt, person)
    with pytest.raises(services.TransitionRefused):
        services.case_extend(actor=org.users[Role.OFFICE], case=case, reason="延长。")
    assert restrict(type(case).objects.all(), org.users[Role.CLERK]).count() == 0
    assert restrict(type(case).objects.all(), org.users[Role.OFFICE]).count() == 1


def _open_as(actor, salt, person):
    return services.case_open(
        actor=actor,
        department=salt,
        title="x",
        summary="y",
        grounds=[Ground.objects.first()],
        people=[person],
    )


def test_a_decision_records_the_term_and_the_files(world):
    org, salt, person = world
    supervisor = org.users[Role.SUPERVISOR]
    case = _open(org, salt, person)
    services.investigator_add(actor=supervisor, case=case, user=org.users[Role.REVIEWER])
    services.case_investigated(actor=supervisor, case=case, findings="三件处罚决定逾期公开。")
    subject = case.subjects.get()
    services.case_decide(
        actor=supervisor,
        case=case,
        outcomes=[
            services.OutcomeInput(
                subject=subject,
                reasons="负有直接责任。",
                sanctions=[Measure.WARNING],
                starts_on=datetime.date(2026, 12, 10),
            )
        ],
    )
    case.refresh_from_db()
    outcome = Outcome.objects.get(case=case)
    assert case.state == CaseState.DECIDED
    assert (outcome.term_months, outcome.ends_on) == (6, datetime.date(2027, 6, 10))
    assert outcome.in_term_on(datetime.date(2027, 6, 9))
    assert not outcome.in_term_on(datetime.date(2027, 6, 10))
    records = FileRecord.objects.filter(person=person)
    assert sorted(records.values_list("kind", flat=True)) == sorted(FileKind.values)
    assert all("2027-06-10" in record.text for record in records)
    assert Step.objects.get(case=case).finished_at is not None
    # The files are for supervisors and administrators only.
    assert restrict(FileRecord.objects.all(), org.users[Role.OFFICE]).count() == 0
    assert restrict(FileRecord.objects.all(), supervisor).count() == 2
    services.case_close(actor=supervisor, case=case)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED


def test_an_outcome_may_be_lighter_or_none_with_reasons(world):
    org, salt, person = world
    supervisor = org.users[Role.SUPERVISOR]
    case = _open(org, salt, person)
    services.investigator_add(actor=supervisor, case=case, user=org.users[Role.REVIEWER])
    services.case_investigated(actor=supervisor, case=case, findings="情节轻微。")
    with pytest.raises(DomainError):
        services.case_decide(
            actor=supervisor,
            case=case,
            outcomes=[
                services.OutcomeInput(
                    subject=None, reasons="单位责任。", sanctions=[Measure.WARNING]
                )
            ],
        )
    services.case_decide(
        actor=supervisor,
        case=case,
        outcomes=[
            services.OutcomeInput(
                subject=case.subjects.get(), reasons="情节轻微。", lighter=Measure.ADMONITION
            ),
            services.OutcomeInput(subject=None, reasons="已整改,不予追究。"),
        ],
    )
    assert sorted(Outcome.objects.filter(case=case).values_list("measures", flat=True)) == [
        [],
        [Measure.ADMONITION],
    ]


def test_the_sweep_reminds_and_marks_a_case_overdue_once(world):
    org, salt, person = world
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        case = _open(org, salt, person)
    supervisor = org.users[Role.SUPERVISOR]
    for moment, reminders, overdue in (
        (datetime.datetime(2026, 9, 1, 9, tzinfo=SHANGHAI), 1, 0),
        (datetime.datetime(2026, 9, 1, 10, tzinfo=SHANGHAI), 0, 0),
        (datetime.datetime(2026, 9, 3, 9, tzinfo=SHANGHAI), 0, 1),
        (datetime.datetime(2026, 9, 4, 9, tzinfo=SHANGHAI), 0, 0),
    ):
        result = services.case_deadlines_sweep(now=moment)
        assert (result.reminders, result.overdue) == (reminders, overdue), moment
    subjects = list(
        supervisor.notifications.order_by("created_at").values_list("subject", flat=True)
    )
    assert len(subjects) == 2 and all(case.title in subject for subject in subjects)
