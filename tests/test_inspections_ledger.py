"""The one problem ledger (issue 13 §4; seed 002 联合督查办法 第六条, 管理办法 第十条, 第十六条,
第十七条): problems recorded from every source with their rules, a substantiated complaint taken
with one click, the register's own findings proposed once, confirmation, dismissal, the marks
for the quarterly review, the filters and the Excel copy without who reported a problem."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from adjustments import selectors as adjustment_selectors
from adjustments import services as adjustment_services
from adjustments.choices import RequestOrigin
from adjustments.models import AdjustmentRequest
from complaints import services as complaint_services
from core import calendar
from core.services import DomainError
from inspections import selectors, tasks
from inspections.choices import ProblemSource, ProblemState, Reporter, Severity, Transition
from inspections.models import Event, InspectionContent, Problem
from inspections.services import ledger
from inspections.services.inspections import inspection_notify
from inspections.services.plans import inspection_create, plan_create
from registry import services as registry_services
from registry.choices import EntryStatus, LawStatus
from tests import complaint_builders as cb
from tests import registry_builders as rb
from tests.inspection_builders import build_inspection_org

CANARY = "甄秘密"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def built(db, calendar):
    return build_inspection_org()


@pytest.fixture
def salt_entry(built):
    return rb.publish(built.units["salt"], name="食盐定点批发许可")


def today() -> datetime.date:
    return timezone.localdate(timezone.now(), timezone=calendar.SHANGHAI)


def record(built, **overrides) -> Problem:
    values = {
        "actor": built.supervisor,
        "jurisdiction": built.org.city,
        "department": built.units["salt"],
        "title": "许可取消后仍收取审查费",
        "description": "群众反映该局在许可取消后仍收取审查费。",
        "source": ProblemSource.SOCIAL,
        "reporter": Reporter.DEPUTY,
        "reporter_name": CANARY,
        "reported_how": "人大代表座谈会",
        "found_on": datetime.date(2026, 11, 5),
    }
    values.update(overrides)
    return ledger.problem_record(**values)


@pytest.fixture
def inspection(built):
    """A special inspection of the salt bureau by the market and labour clerks, notified."""
    plan = plan_create(
        actor=built.supervisor,
        jurisdiction=built.org.city,
        title="节前专项检查",
        mode="special",
        occasion="holidays",
        basis="联合督查办法 第五条（一）",
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 12, 31),
        scope=[built.units["salt"], built.units["market"]],
        contents=list(InspectionContent.objects.filter(code__in=["J1", "S1"])),
        team=[built.clerks["market"], built.clerks["labour"]],
    )
    found = inspection_create(
        actor=built.supervisor,
        plan=plan,
        department=built.units["salt"],
        inspectors=[built.clerks["market"], built.clerks["labour"]],
    )
    return inspection_notify(
        actor=built.clerks["market"], inspection=found, meet_on=datetime.date(2026, 12, 10)
    )


# --- recording ---------------------------------------------------------------------------------


def test_each_source_is_recorded_with_who_reported_it(built, salt_entry, inspection):
    social = record(built, entries=[salt_entry], hot=True)
    media = record(
        built,
        source=ProblemSource.MEDIA,
        reporter="",
        reporter_name="",
        reported_how="《郑州日报》",
        severity=Severity.SERIOUS,
    )
    own = record(
        built,
        source=ProblemSource.SELF,
        reporter="",
        reporter_name="",
        reported_how="",
        content=InspectionContent.objects.get(code="S1"),
    )
    found = record(
        built,
        source=ProblemSource.INSPECTION,
        inspection=inspection,
        reporter="",
        reporter_name="",
        reported_how="",
        actor=built.clerks["market"],
    )

    assert (social.reporter, social.reporter_name, social.reported_how) == (
        Reporter.DEPUTY,
        CANARY,
        "人大代表座谈会",
    )
    assert social.hot and not social.hard
    assert [(i.entry, i.code, i.version) for i in social.items.all()] == [
        (salt_entry, salt_entry.code, salt_entry.version)
    ]
    assert (media.reporter, media.reported_how, media.severity) == (
        Reporter.PRESS,
        "《郑州日报》",
        Severity.SERIOUS,
    )
    assert own.content.code == "S1" and own.reporter == ""
    assert found.inspection == inspection and found.recorded_by == built.clerks["market"]
    for problem in (social, media, own, found):
        assert problem.state == ProblemState.OPEN
        event = Event.objects.get(problem=problem)
        assert event.transition == Transition.PROBLEM_RECORD
        assert event.to_state == ProblemState.OPEN
    assert Event.objects.get(problem=found).inspection == inspection


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reporter": ""}, "Choose who reported it"),
        ({"reporter": "neighbour"}, "Choose who reported it"),
        ({"reported_how": "  "}, "Give the means of reporting."),
        ({"title": ""}, "Give the problem."),
        ({"title": "两行\n标题"}, "This field is one line"),
        ({"title": "长" * 201}, "at most 200 characters"),
        ({"description": ""}, "Give the description."),
        ({"severity": "grave"}, "Choose the severity."),
        ({"source": ProblemSource.COMPLAINT}, "Take the problem from the substantiated complaint"),
        ({"source": ProblemSource.REGISTER}, "Choose where the problem comes from."),
        ({"source": ProblemSource.INSPECTION}, "Name the inspection"),
        (
            {"source": ProblemSource.SELF, "reporter": Reporter.DEPUTY},
            "for social supervision and the media only",
        ),
        (
            {"source": ProblemSource.MEDIA, "reporter": Reporter.GRID},
            "reported by the news media",
        ),
        ({"found_on": "tomorrow"}, "cannot be found in the future"),
    ],
)
def test_refused_with_the_reason(built, overrides, message):
    if overrides.get("found_on") == "tomorrow":
        overrides["found_on"] = today() + datetime.timedelta(days=1)
    with pytest.raises(DomainError, match=message):
        record(built, **overrides)
    assert not Problem.objects.exists()


def test_the_department_and_items_belong_to_the_ledger(built, salt_entry):
    district_salt = built.org.district_departments["salt"]
    with pytest.raises(DomainError, match="is not a department of 上街区"):
        record(built, jurisdiction=built.org.district, actor=built.org.users["supervisor"])
    # A district's department is in the city's ledger (the district is below the city).
    assert record(built, department=district_salt).department == district_salt
    with pytest.raises(DomainError, match="is not an item of 市市场监管局"):
        record(built, department=built.units["market"], entries=[salt_entry])
    cancelled = rb.publish(
        built.units["salt"], basic_code="0700009000", status=EntryStatus.CANCELLED
    )
    with pytest.raises(DomainError, match="is not in force"):
        record(built, entries=[cancelled])


def test_only_the_ledgers_keepers_record(built):
    with pytest.raises(DomainError, match="keep its ledger"):
        record(built, actor=built.clerks["salt"])
    with pytest.raises(DomainError, match="keep its ledger"):
        record(built, actor=built.org.users["reviewer"])
    # A district's supervisor keeps the district's ledger, not the city's.
    with pytest.raises(DomainError, match="keep its ledger"):
        record(built, actor=built.org.district_users["supervisor"])
    assert record(built, actor=built.office).recorded_by == built.office
    district = record(
        built,
        actor=built.org.district_users["supervisor"],
        jurisdiction=built.org.district,
        department=built.org.district_departments["salt"],
    )
    assert district.jurisdiction == built.org.district


def test_an_inspector_records_findings_on_their_inspection_only(built, inspection):
    finding = {
        "source": ProblemSource.INSPECTION,
        "reporter": "",
        "reporter_name": "",
        "reported_how": "",
        "inspection": inspection,
    }
    found = record(built, actor=built.clerks["labour"], **finding)
    assert found.inspection == inspection
    # Not a member of the inspection.
    with pytest.raises(DomainError, match="Only the inspectors of"):
        record(built, actor=built.clerks["transport"], **finding)
    # A member, but about another unit than the one inspected.
    with pytest.raises(DomainError, match="concerns 市盐业管理局, the unit inspected"):
        record(built, actor=built.clerks["labour"], department=built.units["market"], **finding)
    # A member outside the inspection keeps no ledger.
    with pytest.raises(DomainError, match="keep its ledger"):
        record(built, actor=built.clerks["labour"])
    # The finding goes into the plan's jurisdiction's ledger.
    with pytest.raises(DomainError, match="goes into the ledger of 郑州市"):
        record(
            built,
            actor=built.clerks["labour"],
            jurisdiction=built.org.district,
            department=built.org.district_departments["salt"],
            **finding,
        )
    # The inspector sees what they found; the salt bureau's clerk sees its own problems.
    assert list(selectors.problems(user=built.clerks["labour"])) == [found]
    assert list(selectors.problems(user=built.clerks["salt"])) == [found]
    assert list(selectors.problems(user=built.clerks["transport"])) == []


# --- from a complaint ----------------------------------------------------------------------------


def substantiated(built, entry, **kwargs):
    """A complaint about `entry` by a complainant named CANARY, closed as substantiated with
    the item in the finding."""
    org = built.org
    filed = cb.file(org, entries=[entry], name=CANARY, phone="13800009999", **kwargs)
    complaint = complaint_services.complaint_accept(
        actor=org.users["office"], complaint=filed.complaint
    )
    complaint = complaint_services.complaint_answer(
        actor=org.users["clerk"], complaint=complaint, answer="经调查，已责令停止收费并退还。"
    )
    return complaint_services.complaint_close(
        actor=org.users["office"],
        complaint=complaint,
        outcome="substantiated",
        finding="取消事项后仍变相实施并收费",
        finding_department=entry.department,
        found_entries=[entry],
    )


def test_a_substantiated_complaint_taken_with_one_click(built, salt_entry):
    complaint = substantiated(built, salt_entry)

    problem = ledger.problem_from_complaint(actor=built.supervisor, code=complaint.code.lower())

    assert problem.complaint_code == complaint.code
    assert problem.source == ProblemSource.COMPLAINT
    assert problem.state == ProblemState.OPEN
    assert problem.department == built.units["salt"]
    assert problem.jurisdiction == built.org.city
    assert problem.title == problem.description == "取消事项后仍变相实施并收费"
    assert problem.found_on == timezone.localdate(complaint.closed_at, calendar.SHANGHAI)
    assert [item.entry for item in problem.items.all()] == [salt_entry]
    stored = " ".join(
        str(value) for value in Problem.objects.filter(pk=problem.pk).values().get().values()
    )
    for personal in (CANARY, "13800009999", cb.FACTS[:20]):
        assert personal not in stored
    event = Event.objects.get(problem=problem)
    assert event.detail == {"source": "complaint", "complaint": complaint.code}

    with pytest.raises(DomainError, match=f"{complaint.code} is already in the ledger: “取消"):
        ledger.problem_from_complaint(actor=built.office, code=complaint.code)
    assert Problem.objects.count() == 1


def test_only_a_substantiated_complaint_the_keeper_sees(built, salt_entry):
    not_found = cb.closed(built.org, outcome="not_substantiated").complaint
    with pytest.raises(DomainError, match="is not a substantiated complaint you may see"):
        ledger.problem_from_complaint(actor=built.supervisor, code=not_found.code)
    complaint = substantiated(built, salt_entry)
    # The district's supervisor does not see the city's complaints.
    with pytest.raises(DomainError, match="is not a substantiated complaint you may see"):
        ledger.problem_from_complaint(
            actor=built.org.district_users["supervisor"], code=complaint.code
        )
    # The salt bureau's clerk sees the complaint but keeps no ledger.
    with pytest.raises(DomainError, match="keep its ledger"):
        ledger.problem_from_complaint(actor=built.clerks["salt"], code=complaint.code)
    assert not Problem.objects.exists()


# --- the register's own check --------------------------------------------------------------------


def cited_by(department, law, number: int):
    return rb.publish(
        department,
        basic_code=f"07{number:05d}000",
        name=f"事项{number}",
        basis=[law.provisions.first().pk],
    )


def test_the_register_check_proposes_each_finding_once(built):
    law = rb.law("盐业管理条例", [("第二条", "……")])
    salt = built.units["salt"]
    entry = cited_by(salt, law, 1)
    kept = cited_by(built.units["market"], rb.law(), 2)
    changed_on = today() - datetime.timedelta(days=3)
    registry_services.law_status_set(actor=None, law=law, status=LawStatus.REPEALED, on=changed_on)

    # Within the seven days: the repealed basis only.
    assert tasks.register_check() == {"proposed": 1}
    repealed = Problem.objects.get()
    assert repealed.register_key == f"repealed:{entry.pk}:{law.pk}"
    assert (repealed.state, repealed.source) == (ProblemState.PROPOSED, ProblemSource.REGISTER)
    assert (repealed.department, repealed.jurisdiction) == (salt, built.org.city)
    assert repealed.content.code == ledger.DYNAMIC_ADJUSTMENT_CONTENT
    assert repealed.severity == Severity.SERIOUS  # nothing else holds the item up
    assert [item.entry for item in repealed.items.all()] == [entry]
    assert "盐业管理条例" in repealed.title and repealed.recorded_by is None
    assert Event.objects.get(problem=repealed).transition == Transition.PROBLEM_PROPOSE

    # Eight days on, no application: the missed adjustment too; then nothing new.
    later = changed_on + datetime.timedelta(days=8)
    assert ledger.problems_propose_from_register(today=later) == 1
    assert ledger.problems_propose_from_register(today=later) == 0
    adjust = Problem.objects.get(register_key=f"adjust:{entry.pk}:{law.pk}")
    assert "盐业管理条例" in adjust.description and entry.code in adjust.description
    assert not Problem.objects.filter(items__entry=kept).exists()

    # Dismissed stays dismissed: the check does not propose it again.
    ledger.problem_dismiss(actor=built.supervisor, problem=adjust, reason="已另行提出调整")
    assert ledger.problems_propose_from_register(today=later) == 0
    confirmed = ledger.problem_confirm(actor=built.supervisor, problem=repealed)
    assert confirmed.state == ProblemState.OPEN


def test_an_obligation_answered_is_no_missed_adjustment(built):
    law = rb.law("盐业管理条例", [("第二条", "……")])
    entry = cited_by(built.units["salt"], law, 1)
    changed_on = today() - datetime.timedelta(days=10)
    registry_services.law_status_set(actor=None, law=law, status=LawStatus.AMENDED, on=changed_on)
    check = adjustment_selectors.entries_awaiting_adjustment_after_law_change
    # The system's own obligation is not an application.
    obligation = AdjustmentRequest.objects.get(law=law, origin=RequestOrigin.LAW_CHANGE)
    assert check(as_of=today()) == [(entry, law)]
    assert check(as_of=changed_on + datetime.timedelta(days=7)) == []

    adjustment_services.adjustment_withdraw(
        actor=built.clerks["salt"], request=obligation, reason="修改条款不涉及本事项。"
    )
    assert check(as_of=today()) == []
    assert ledger.problems_propose_from_register() == 0


def test_confirm_and_dismiss(built):
    problem = record(built)
    with pytest.raises(
        DomainError, match=r"The problem is Open, to rectify: this is not possible now\."
    ):
        ledger.problem_confirm(actor=built.supervisor, problem=problem)
    with pytest.raises(DomainError, match=r"Give the reason for dismissing it\."):
        ledger.problem_dismiss(actor=built.supervisor, problem=problem, reason=" ")
    with pytest.raises(DomainError, match="keep its ledger"):
        ledger.problem_dismiss(actor=built.clerks["salt"], problem=problem, reason="不是问题")
    dismissed = ledger.problem_dismiss(actor=built.office, problem=problem, reason="经核实不属实")
    assert dismissed.state == ProblemState.DISMISSED and dismissed.closed_at is not None
    event = Event.objects.get(problem=problem, transition=Transition.PROBLEM_DISMISS)
    assert (event.from_state, event.to_state, event.opinion) == (
        ProblemState.OPEN,
        ProblemState.DISMISSED,
        "经核实不属实",
    )
    with pytest.raises(DomainError, match="The problem is Dismissed"):
        ledger.problem_dismiss(actor=built.office, problem=problem, reason="再次")


def test_marked_for_the_quarterly_review(built):
    problem = record(built)
    flagged = ledger.problem_flag(
        actor=built.supervisor, problem=problem, hot=True, hard=False, sensitive=True
    )
    assert flagged.flags == ["hot", "sensitive"]
    event = Event.objects.get(problem=problem, transition=Transition.PROBLEM_FLAG)
    assert event.detail["to"] == {"hot": True, "hard": False, "sensitive": True}
    # The same marks again change nothing and write nothing.
    ledger.problem_flag(
        actor=built.supervisor, problem=problem, hot=True, hard=False, sensitive=True
    )
    assert Event.objects.filter(problem=problem, transition=Transition.PROBLEM_FLAG).count() == 1
    with pytest.raises(DomainError, match="keep its ledger"):
        ledger.problem_flag(
            actor=built.clerks["salt"], problem=problem, hot=False, hard=False, sensitive=False
        )


# --- reading the ledger --------------------------------------------------------------------------


def test_filters(built, salt_entry):
    social = record(built, entries=[salt_entry], found_on=datetime.date(2026, 10, 8))
    media = record(
        built,
        title="办事指南与清单不一致",
        source=ProblemSource.MEDIA,
        reporter="",
        reporter_name="",
        reported_how="",
        department=built.units["market"],
        severity=Severity.SERIOUS,
        sensitive=True,
        found_on=datetime.date(2026, 11, 20),
    )
    ledger.problem_dismiss(actor=built.supervisor, problem=media, reason="重复")
    every = selectors.problems(user=built.supervisor)

    def found(**filters):
        return list(selectors.problem_filter(every, **filters))

    assert found() == [media, social]
    assert found(q="办事指南") == [media]
    assert found(q=salt_entry.code[-8:]) == [social]
    assert found(q="食盐定点") == [social]
    assert found(state=ProblemState.DISMISSED) == [media]
    assert found(state="closed") == []
    assert found(source=ProblemSource.SOCIAL) == [social]
    assert found(severity=Severity.SERIOUS) == [media]
    assert found(department=built.units["salt"]) == [social]
    assert found(department=built.units["market"].pk) == [media]
    assert found(flagged=True) == [media]
    assert found(since=datetime.date(2026, 11, 1)) == [media]
    assert found(until=datetime.date(2026, 10, 8)) == [social]
    assert selectors.problem_by_id(user=built.supervisor, pk=social.pk) == social
    assert selectors.problem_by_id(user=built.clerks["market"], pk=social.pk) is None
    assert [i.entry for i in selectors.problem_items(user=built.supervisor, problem=social)] == [
        salt_entry
    ]
    assert [
        e.transition for e in selectors.problem_events(user=built.supervisor, problem=media)
    ] == [
        Transition.PROBLEM_RECORD,
        Transition.PROBLEM_DISMISS,
    ]


def test_the_excel_copy_leaves_out_who_reported_it(built, salt_entry):
    record(built, entries=[salt_entry], reported_how=f"{CANARY}在人大代表座谈会上反映", hard=True)
    record(built, title='=HYPERLINK("http://x")', description="公式不执行")

    data = selectors.ledger_workbook(
        rows=selectors.ledger_rows(selectors.problems(user=built.supervisor))
    )

    sheet = load_workbook(io.BytesIO(data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [str(label) for label in selectors.LEDGER_COLUMNS]
    assert len(rows) == 3
    text = " ".join(str(value) for row in rows for value in row if value)
    assert CANARY not in text and "座谈会" not in text
    assert "许可取消后仍收取审查费" in text and salt_entry.code in text and "Hard" in text
    formula = next(row for row in sheet.iter_rows(min_row=2) if row[1].value.startswith("="))
    assert formula[1].data_type == "s"


def test_the_ledger_list_reads_in_a_fixed_number_of_queries(built, salt_entry):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = list(selectors.ledger_rows(selectors.problems(user=built.supervisor)))
        assert rows
        return len(queries)

    record(built, entries=[salt_entry])
    one = count()
    for number in range(5):
        entry = rb.publish(built.units["salt"], basic_code=f"07{number + 10:05d}000")
        record(built, entries=[entry, salt_entry], content=InspectionContent.objects.first())
    assert count() == one


def test_a_keeper_runs_the_check_for_their_own_jurisdiction(built):
    law = rb.law("盐业管理条例", [("第二条", "……")])
    city_entry = cited_by(built.units["salt"], law, 1)
    district_entry = cited_by(built.org.district_departments["salt"], law, 2)
    registry_services.law_status_set(
        actor=None, law=law, status=LawStatus.REPEALED, on=today() - datetime.timedelta(days=1)
    )
    with pytest.raises(DomainError, match="keep the ledger"):
        ledger.problems_propose_from_register(actor=built.clerks["salt"])

    district_supervisor = built.org.district_users["supervisor"]
    assert ledger.problems_propose_from_register(actor=district_supervisor) == 1
    proposed = Problem.objects.get()
    assert [item.entry for item in proposed.items.all()] == [district_entry]
    assert proposed.recorded_by == district_supervisor
    # The city's run finds the city's item; the district's is proposed already.
    assert ledger.problems_propose_from_register(actor=built.supervisor) == 1
    assert Problem.objects.filter(items__entry=city_entry).count() == 1
