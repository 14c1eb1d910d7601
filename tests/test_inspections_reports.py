"""Periodic reports (通报, issue 13 §7; seed 002 联合督查办法 第七条, 监督检查办法 第十八条): what a
supervisor publishes for a jurisdiction and period, its official-document PDF rendered once,
and nothing personal in either: the reporter, the complainant and the inspectors are seeded
with canary names that must appear nowhere."""

import datetime
import json
import re
import subprocess

import pytest
from django.utils import timezone, translation

from complaints import services as complaint_services
from core import calendar
from core import services as core_services
from core.choices import Role
from core.services import DomainError
from inspections import selectors
from inspections.choices import ProblemSource, ProblemState, Reporter, Transition
from inspections.models import Event, InspectionContent, Report
from inspections.services import ledger, reports
from inspections.services.inspections import inspection_finish, inspection_notify
from inspections.services.notices import notice_close_not_fixed, notice_draft, notice_issue
from inspections.services.plans import inspection_create, plan_create
from tests import complaint_builders as cb
from tests import registry_builders as rb
from tests.builders import password_for
from tests.inspection_builders import build_inspection_org

REPORTER = "甄秘密"
COMPLAINANT = "贾隐私"
INSPECTOR = "郝机密"
CANARIES = (REPORTER, COMPLAINANT, INSPECTOR, "13800009999")
TITLE = "2026年第四季度监督检查情况通报"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def today() -> datetime.date:
    return timezone.localdate(timezone.now(), timezone=calendar.SHANGHAI)


@pytest.fixture
def built(db, calendar):
    return build_inspection_org()


def social(built, **overrides):
    values = {
        "actor": built.supervisor,
        "jurisdiction": built.org.city,
        "department": built.units["salt"],
        "title": "窗口未公示收费清单",
        "description": "人大代表反映窗口未公示收费清单。",
        "source": ProblemSource.SOCIAL,
        "reporter": Reporter.DEPUTY,
        "reporter_name": REPORTER,
        "reported_how": f"{REPORTER}在座谈会上反映",
        "found_on": datetime.date(2026, 11, 5),
        "content": InspectionContent.objects.get(code="J1"),
    }
    values.update(overrides)
    return ledger.problem_record(**values)


@pytest.fixture
def history(built):
    """A quarter of the city: a special inspection of the salt bureau by the market clerk and
    an inspector named INSPECTOR, finished with a finding; a problem a deputy named REPORTER
    reported; a complaint by COMPLAINANT taken into the ledger; a notice for the first two,
    closed not fixed. Outside what the report counts: a problem found before the period, a
    dismissed one, and the district's (below the city: counted)."""
    inspector = core_services.user_create(
        actor=None,
        username="city-inspector",
        password=password_for("clerk"),
        role=Role.CLERK,
        jurisdiction=built.org.city,
        department=built.units["labour"],
        first_name=INSPECTOR,
    )
    plan = plan_create(
        actor=built.supervisor,
        jurisdiction=built.org.city,
        title="节前专项检查",
        mode="special",
        occasion="holidays",
        basis="联合督查办法 第五条（一）",
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 12, 31),
        scope=[built.units["salt"]],
        contents=list(InspectionContent.objects.filter(code__in=["J1", "S1"])),
        team=[built.clerks["market"], inspector],
    )
    inspection = inspection_create(
        actor=built.supervisor,
        plan=plan,
        department=built.units["salt"],
        inspectors=[built.clerks["market"], inspector],
    )
    inspection = inspection_notify(
        actor=inspector, inspection=inspection, meet_on=datetime.date(2026, 12, 1)
    )
    finding = ledger.problem_record(
        actor=inspector,
        jurisdiction=built.org.city,
        department=built.units["salt"],
        title="权责清单调整未及时申请",
        description=f"检查组（{INSPECTOR}）发现法律修改后未在7日内申请调整。",
        source=ProblemSource.INSPECTION,
        inspection=inspection,
        found_on=datetime.date(2026, 12, 2),
        content=InspectionContent.objects.get(code="S1"),
    )
    inspection_finish(actor=inspector, inspection=inspection, feedback="请于15个工作日内整改。")
    reported = social(built)

    entry = rb.publish(built.units["salt"], name="食盐定点批发许可")
    filed = cb.file(built.org, entries=[entry], name=COMPLAINANT, phone="13800009999")
    complaint = complaint_services.complaint_accept(actor=built.office, complaint=filed.complaint)
    complaint = complaint_services.complaint_answer(
        actor=built.clerks["salt"], complaint=complaint, answer="已责令停止收费。"
    )
    complaint = complaint_services.complaint_close(
        actor=built.office,
        complaint=complaint,
        outcome="substantiated",
        finding="取消事项后仍变相实施并收费",
        found_entries=[entry],
    )
    from_complaint = ledger.problem_from_complaint(actor=built.supervisor, code=complaint.code)

    notice = notice_draft(
        actor=built.supervisor,
        problems=[finding, reported],
        title="关于限期整改的通知",
        requirements="公示收费清单，提出调整申请。",
        deadline_days=10,
    )
    notice = notice_issue(actor=built.supervisor, notice=notice)
    notice_close_not_fixed(actor=built.supervisor, notice=notice, reasons="逾期未整改。")

    social(built, title="期前问题", found_on=datetime.date(2026, 9, 20))
    dismissed = social(built, title="不属实的反映")
    ledger.problem_dismiss(actor=built.supervisor, problem=dismissed, reason="经核实不属实")
    district = social(
        built,
        actor=built.org.district_users["supervisor"],
        jurisdiction=built.org.district,
        department=built.org.district_departments["salt"],
        title="区盐业局未公开清单",
        content=None,
    )
    return {
        "finding": finding,
        "reported": reported,
        "from_complaint": from_complaint,
        "district": district,
    }


def publish(built, **overrides) -> Report:
    values = {
        "actor": built.supervisor,
        "jurisdiction": built.org.city,
        "title": TITLE,
        "period_start": datetime.date(2026, 10, 1),
        "period_end": today(),
        "summary": "本季度开展节前专项检查一次，发现问题如下。",
    }
    values.update(overrides)
    return reports.report_publish(**values)


def test_the_report_counts_public_facts_only(built, history, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report = publish(built)

    content = report.content
    day = today().isoformat()
    assert content["jurisdiction"] == "郑州市"
    assert content["period"] == {"start": "2026-10-01", "end": day}
    assert content["inspections"] == [
        {
            "unit": "市盐业管理局",
            "plan": "节前专项检查",
            "mode": "special",
            "notified_on": day,
            "finished_on": day,
        }
    ]
    assert content["problems_total"] == 4
    by_content = {row["code"]: row["count"] for row in content["problems_by_content"]}
    assert by_content == {"J1": 1, "S1": 1, "": 2}
    assert content["problems_by_department"] == [
        {"department": "市盐业管理局", "count": 3},
        {"department": "上街区盐业管理局", "count": 1},
    ]
    assert content["rectification"] == [{"state": "not_fixed", "count": 1}]
    assert sorted(row["title"] for row in content["closed"]) == [
        "权责清单调整未及时申请",
        "窗口未公示收费清单",
    ]
    assert {row["state"] for row in content["closed"]} == {ProblemState.NOT_FIXED}
    assert content["accountability"] == []

    published = json.dumps(content, ensure_ascii=False)
    for canary in CANARIES:
        assert canary not in published
    # The inspector's name was in the finding's description: descriptions are not published.
    assert "检查组" not in published

    event = Event.objects.get(transition=Transition.REPORT_PUBLISH)
    assert (event.detail, event.actor) == ({"report": report.pk}, built.supervisor)
    sent = [c for c in callbacks if getattr(c, "func", None) is reports._pdf_task_send]
    assert [c.args for c in sent] == [(report.pk,)]
    assert list(selectors.reports_public()) == [report]
    assert selectors.report_by_id(report.pk) == report


def test_the_report_pdf_is_rendered_once(built, history, tmp_path):
    report = publish(built)
    assert not report.pdf

    rendered = reports.report_pdf_render(report_id=report.pk)

    # The storage adds a suffix where a test run before left a file of the same name.
    assert re.fullmatch(rf"inspections/reports/{report.pk}(_\w+)?\.pdf", rendered.pdf.name)
    first = rendered.pdf.read()
    rendered.pdf.close()
    assert first.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(first)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    squeezed = "".join(text.split())
    assert TITLE in squeezed
    assert "市纪委监察" in squeezed  # the issuer: the city's supervision department
    assert "市盐业管理局" in squeezed and "窗口未公示收费清单" in squeezed
    for canary in CANARIES:
        assert canary not in squeezed

    again = reports.report_pdf_render(report_id=report.pk)
    assert again.pdf.name == rendered.pdf.name
    assert again.pdf.read() == first
    again.pdf.close()
    assert reports.reports_pdf_pending() == 0


def test_a_report_without_inspections_says_so(built):
    report = publish(
        built, period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 3, 31)
    )
    assert report.content["inspections"] == []
    assert report.content["problems_total"] == 0
    blocks = reports.report_blocks(report)
    assert "No inspection ended in this period." in blocks
    assert "No rectification notice was issued in this period." in blocks
    assert reports.reports_pdf_pending() == 1
    assert re.fullmatch(
        rf"inspections/reports/{report.pk}(_\w+)?\.pdf", Report.objects.get().pdf.name
    )


def test_only_a_supervisor_of_the_jurisdiction_publishes(built):
    for actor in (built.office, built.clerks["salt"], built.org.district_users["supervisor"]):
        with pytest.raises(DomainError, match="Only a supervisor of 郑州市 publishes"):
            publish(built, actor=actor)
    district = publish(built, actor=built.org.users["supervisor"], jurisdiction=built.org.district)
    assert district.jurisdiction == built.org.district


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Give the report title."),
        ({"title": "两行\n标题"}, "This field is one line"),
        ({"summary": " "}, "Give the summary."),
        (
            {"period_start": datetime.date(2026, 11, 1), "period_end": datetime.date(2026, 10, 1)},
            "The period ends before it starts.",
        ),
        ({"period_end": "tomorrow"}, "covers a period that has ended"),
    ],
)
def test_refused_with_the_reason(built, overrides, message):
    if overrides.get("period_end") == "tomorrow":
        overrides["period_end"] = today() + datetime.timedelta(days=1)
    with pytest.raises(DomainError, match=message):
        publish(built, **overrides)
    assert not Report.objects.exists()
