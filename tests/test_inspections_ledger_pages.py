"""The staff pages of the ledger, the rectification notices, the assessment ledger and the
reports (issue 13 §4–§8): who may open each page and who is refused; the whole notice cycle
sent through the pages (draft → issue → PDF → the unit reports with a file → returned →
reported again → accepted → the ledger shows the problem rectified); closing as not fixed fills
the assessment ledger; the Excel copy without the reporter; a substantiated complaint taken with
one click; the lists' queries do not grow with their rows."""

import datetime
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from inspections import services
from inspections.choices import NoticeState, ProblemSource, ProblemState, Reporter
from inspections.models import (
    AssessmentRecord,
    Attachment,
    Problem,
    RectificationNotice,
    Report,
)
from inspections.services import ledger
from tests import complaint_builders as cb
from tests import registry_builders as rb
from tests.inspection_builders import build_inspection_org, problem_open

CANARY = "甄秘密"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def built(db, calendar):
    return build_inspection_org()


def _social(built, **overrides) -> Problem:
    values = {
        "actor": built.supervisor,
        "jurisdiction": built.org.city,
        "department": built.units["salt"],
        "title": "许可取消后仍收取审查费",
        "description": "人大代表反映该局在许可取消后仍收取审查费。",
        "source": ProblemSource.SOCIAL,
        "reporter": Reporter.DEPUTY,
        "reporter_name": CANARY,
        "reported_how": "人大代表座谈会",
        "found_on": datetime.date(2026, 1, 5),
    }
    values.update(overrides)
    return ledger.problem_record(**values)


def _issued(built, problem: Problem) -> RectificationNotice:
    notice = services.notice_draft(
        actor=built.supervisor,
        problems=[problem],
        title="关于市盐业管理局清单运行问题的整改通知书",
        requirements="立即在门户网站公开责任清单。",
    )
    return services.notice_issue(actor=built.supervisor, notice=notice)


def _as(client, user):
    client.force_login(user)
    return client


# --- who may open what -------------------------------------------------------------------------


@pytest.fixture
def world(built):
    """A problem of the salt bureau with an issued notice closed as not fixed (an assessment
    entry), and the people: supervisor, office, the salt bureau's clerk, the market bureau's."""
    problem = problem_open(built, found_on=datetime.date(2026, 1, 5))
    notice = _issued(built, problem)
    services.notice_close_not_fixed(actor=built.supervisor, notice=notice, reasons="未整改。")
    return {"problem": problem, "notice": RectificationNotice.objects.get(pk=notice.pk)}


ROLES = ("supervisor", "office", "unit", "other_unit", "anonymous")


def _user(built, role):
    return {
        "supervisor": built.supervisor,
        "office": built.office,
        "unit": built.clerks["salt"],
        "other_unit": built.clerks["market"],
        "anonymous": None,
    }[role]


# Expected status per role, in ROLES order (302: to the login page).
PAGES = [
    ("inspections:problems", None, (200, 200, 200, 200, 302)),
    ("inspections:problems-xlsx", None, (200, 200, 200, 200, 302)),
    ("inspections:problem-new", None, (200, 200, 403, 403, 302)),
    ("inspections:problem-from-complaint", None, (200, 200, 403, 403, 302)),
    ("inspections:problem", "problem", (200, 200, 200, 404, 302)),
    ("inspections:notices", None, (200, 200, 200, 200, 302)),
    ("inspections:notice-new", None, (200, 403, 403, 403, 302)),
    ("inspections:notice", "notice", (200, 200, 200, 404, 302)),
    ("inspections:notice-pdf", "notice", (200, 200, 200, 404, 302)),
    ("inspections:assessment", None, (200, 200, 200, 200, 302)),
    ("inspections:report-new", None, (200, 403, 403, 403, 302)),
]


@pytest.mark.parametrize(("name", "record", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_opens_for_the_right_roles_only(client, built, world, name, record, expected):
    args = [world[record].pk] if record else []
    url = reverse(name, args=args)
    for role, status in zip(ROLES, expected, strict=True):
        user = _user(built, role)
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, (name, role, response.status_code)
        if status == 302:
            assert response["Location"].startswith(reverse("core:login"))


def test_a_unit_sees_its_own_problems_and_notices_only(client, built, world):
    market = problem_open(built, unit="market", title="市场监管局办事指南未更新")
    own = _as(client, built.clerks["salt"])
    ledger_page = own.get(reverse("inspections:problems")).content.decode()
    assert world["problem"].title in ledger_page and market.title not in ledger_page
    other = _as(client, built.clerks["market"])
    assert world["notice"].number not in other.get(reverse("inspections:notices")).content.decode()
    assessment = other.get(reverse("inspections:assessment")).content.decode()
    assert world["notice"].number not in assessment
    assert other.get(reverse("inspections:problem", args=[market.pk])).status_code == 200


def test_unknown_and_oversized_ids_are_not_found(client, built, world):
    _as(client, built.supervisor)
    for url in (
        "/inspections/problems/999999/",
        "/inspections/notices/999999/",
        f"/inspections/notices/{2**70}/",
        "/inspections/notices/999999/notice.pdf",
    ):
        assert client.get(url).status_code == 404, url


# --- the notice cycle through the pages --------------------------------------------------------


def test_the_notice_cycle_through_the_pages(client, built):
    problem = problem_open(built, found_on=datetime.date(2026, 1, 5))
    supervisor, clerk = built.supervisor, built.clerks["salt"]

    # The supervisor drafts from the ledger's link.
    _as(client, supervisor)
    draft_url = reverse("inspections:notice-new") + f"?problems={problem.pk}"
    form_page = client.get(draft_url)
    assert form_page.status_code == 200
    assert f'value="{problem.pk}"' in form_page.content.decode()
    response = client.post(
        draft_url,
        {
            "problems": [problem.pk],
            "title": "关于市盐业管理局清单运行问题的整改通知书",
            "requirements": "立即在门户网站公开责任清单，并报送整改情况。",
            "deadline_days": 10,
            "milestone_1": "完成清单公开",
            "milestone_1_due": "2027-01-15",
        },
    )
    notice = RectificationNotice.objects.get(problems=problem)
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspections:notice", args=[notice.pk]
    )
    assert (notice.state, notice.deadline_days, notice.number) == (NoticeState.DRAFT, 10, "")
    assert list(notice.milestones.values_list("title", flat=True)) == ["完成清单公开"]

    # Issuing asks first: without the confirmation nothing happens.
    page = client.get(reverse("inspections:notice", args=[notice.pk])).content.decode()
    assert "adj-action-issue" in page and "data-confirm=" in page
    act = reverse("inspections:notice-act", args=[notice.pk, "issue"])
    refused = client.post(act, {})
    assert refused.status_code == 200 and "我确认" in refused.content.decode()
    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT
    # Before the issue there is no PDF.
    pdf_url = reverse("inspections:notice-pdf", args=[notice.pk])
    assert client.get(pdf_url).status_code == 404
    assert client.post(act, {"issue-confirm": "on"}).status_code == 302
    notice.refresh_from_db()
    assert notice.state == NoticeState.ISSUED and notice.number

    # The PDF downloads exactly as stored.
    download = client.get(pdf_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF")
    with notice.pdf.open("rb") as stored:
        assert hashlib.sha256(data).hexdigest() == notice.pdf_sha256
        assert hashlib.sha256(stored.read()).hexdigest() == notice.pdf_sha256

    # The unit's clerk reports with a file; the supervisor cannot report for them.
    _as(client, supervisor)
    page = client.get(reverse("inspections:notice", args=[notice.pk])).content.decode()
    assert "adj-action-report" not in page
    _as(client, clerk)
    page = client.get(reverse("inspections:notice", args=[notice.pk])).content.decode()
    assert "adj-action-report" in page and "adj-action-issue" not in page
    report_url = reverse("inspections:notice-act", args=[notice.pk, "report"])
    response = client.post(
        report_url,
        {
            "report-text": "已在门户网站公开责任清单。",
            "report-files": SimpleUploadedFile("整改报告.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == NoticeState.REPORTED
    evidence = Attachment.objects.get(report__notice=notice)
    page = client.get(reverse("inspections:notice", args=[notice.pk])).content.decode()
    assert reverse("inspections:attachment", args=[evidence.pk]) in page

    # The supervisor returns it with reasons; the unit reports again; the supervisor accepts.
    _as(client, supervisor)
    response = client.post(
        reverse("inspections:notice-act", args=[notice.pk, "return"]),
        {"return-reasons": "未附公开页面截图。"},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == NoticeState.ISSUED and notice.verdict == "未附公开页面截图。"
    _as(client, clerk)
    response = client.post(
        report_url,
        {
            "report-text": "已补充公开页面截图。",
            "report-files": SimpleUploadedFile("截图.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    _as(client, supervisor)
    accept = reverse("inspections:notice-act", args=[notice.pk, "accept"])
    assert client.post(accept, {"accept-opinion": "整改到位。"}).status_code == 200
    assert (
        client.post(accept, {"accept-opinion": "整改到位。", "accept-confirm": "on"}).status_code
        == 302
    )
    notice.refresh_from_db()
    problem.refresh_from_db()
    assert notice.state == NoticeState.ACCEPTED and problem.state == ProblemState.RECTIFIED

    ledger_page = client.get(reverse("inspections:problems"), {"state": "rectified"})
    text = ledger_page.content.decode()
    assert problem.title in text and "insp-state-rectified" in text and notice.number in text
    detail = client.get(reverse("inspections:notice", args=[notice.pk])).content.decode()
    assert "已补充公开页面截图。" in detail and "未附公开页面截图。" in detail


def test_a_refused_report_keeps_the_text_and_says_why(client, built):
    notice = _issued(built, problem_open(built, found_on=datetime.date(2026, 1, 5)))
    _as(client, built.clerks["salt"])
    response = client.post(
        reverse("inspections:notice-act", args=[notice.pk, "report"]),
        {
            "report-text": "已整改。",
            "report-files": SimpleUploadedFile("假的.pdf", b"MZ\x90\x00program", "application/pdf"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "已整改。" in page and "假的.pdf" in page
    notice.refresh_from_db()
    assert notice.state == NoticeState.ISSUED


def test_milestones_are_added_and_reported_by_the_unit(client, built):
    notice = _issued(built, problem_open(built, found_on=datetime.date(2026, 1, 5)))
    _as(client, built.clerks["salt"])
    due = (notice.due_at.date() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("inspections:notice-act", args=[notice.pk, "milestone-add"]),
        {"milestone-add-title": "修订办事指南", "milestone-add-due_on": due},
    )
    assert response.status_code == 302
    milestone = notice.milestones.get()
    response = client.post(
        reverse("inspections:notice-act", args=[notice.pk, "milestone-progress"]),
        {
            "milestone-progress-milestone": milestone.pk,
            "milestone-progress-progress": 60,
            "milestone-progress-note": "已完成初稿。",
            "milestone-progress-files": SimpleUploadedFile("初稿.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.progress == 60 and milestone.files.count() == 1
    page = client.get(reverse("inspections:notice", args=[notice.pk])).content.decode()
    assert "60%" in page and "初稿.pdf" in page


def test_closing_as_not_fixed_asks_first_and_fills_the_assessment_ledger(client, built):
    notice = _issued(built, problem_open(built, found_on=datetime.date(2026, 1, 5)))
    _as(client, built.supervisor)
    act = reverse("inspections:notice-act", args=[notice.pk, "not-fixed"])
    assert client.post(act, {"not-fixed-reasons": "逾期未整改。"}).status_code == 200
    assert not AssessmentRecord.objects.exists()
    response = client.post(act, {"not-fixed-reasons": "逾期未整改。", "not-fixed-confirm": "on"})
    assert response.status_code == 302
    entry = AssessmentRecord.objects.get(notice=notice)
    assert entry.department == built.units["salt"]
    for user in (built.supervisor, built.office, built.clerks["salt"]):
        _as(client, user)
        page = client.get(reverse("inspections:assessment")).content.decode()
        assert notice.number in page and "整改不到位" in page, user
    filtered = client.get(reverse("inspections:assessment"), {"year": entry.year + 1})
    assert filtered.status_code == 200 and notice.number not in filtered.content.decode()


def test_a_correction_is_a_new_notice_that_replaces_the_issued_one(client, built):
    problem = problem_open(built, found_on=datetime.date(2026, 1, 5))
    notice = _issued(built, problem)
    _as(client, built.supervisor)
    page = client.get(reverse("inspections:notice", args=[notice.pk])).content.decode()
    url = reverse("inspections:notice-new") + f"?corrects={notice.pk}"
    assert url.replace("&", "&amp;") in page or url in page
    response = client.post(
        url,
        {
            "problems": [problem.pk],
            "title": notice.title,
            "requirements": "更正：立即公开责任清单并报送截图。",
            "deadline_days": 15,
        },
    )
    assert response.status_code == 302
    correction = RectificationNotice.objects.get(corrects=notice)
    services.notice_issue(actor=built.supervisor, notice=correction)
    notice.refresh_from_db()
    assert notice.state == NoticeState.WITHDRAWN
    page = client.get(reverse("inspections:notice", args=[notice.pk])).content.decode()
    assert RectificationNotice.objects.get(pk=correction.pk).number in page


# --- the ledger ----------------------------------------------------------------------------------


def test_the_excel_copy_follows_the_filters_and_names_no_reporter(client, built):
    social = _social(built)
    media = problem_open(built, title="办事指南与清单不一致")
    _as(client, built.supervisor)
    page = client.get(reverse("inspections:problems"), {"source": "social"}).content.decode()
    assert "problems.xlsx?source=social" in page
    # The reporter's name is on the staff page, not in the workbook.
    assert CANARY in client.get(reverse("inspections:problem", args=[social.pk])).content.decode()

    def cells(query) -> list[str]:
        response = client.get(reverse("inspections:problems-xlsx"), query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml"
        )
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return [str(v) for row in book.active.iter_rows(values_only=True) for v in row if v]

    everything = cells({})
    assert social.title in everything and media.title in everything
    assert not any(CANARY in value for value in everything)
    only_social = cells({"source": "social"})
    assert social.title in only_social and media.title not in only_social


def test_the_reporter_name_is_for_the_ledger_keepers(client, built):
    social = _social(built)
    _as(client, built.clerks["salt"])
    page = client.get(reverse("inspections:problem", args=[social.pk])).content.decode()
    assert social.title in page and CANARY not in page


def test_the_ledger_filters(client, built):
    flagged = _social(built, hot=True, found_on=datetime.date(2026, 1, 10))
    plain = problem_open(built, unit="market", title="办事指南与清单不一致")
    _as(client, built.office)
    url = reverse("inspections:problems")

    def shown(query) -> set[str]:
        text = client.get(url, query).content.decode()
        return {p.title for p in (flagged, plain) if p.title in text}

    assert shown({}) == {flagged.title, plain.title}
    assert shown({"flagged": "on"}) == {flagged.title}
    assert shown({"department": built.units["market"].pk}) == {plain.title}
    assert shown({"q": "审查费"}) == {flagged.title}
    assert shown({"since": "2026-01-08", "until": "2026-01-31"}) == {flagged.title}
    # Dates in the wrong order: the form says so and no row is shown.
    response = client.get(url, {"since": "2026-02-01", "until": "2026-01-01"})
    assert "开始日期晚于截止日期" in response.content.decode()
    assert shown({"since": "2026-02-01", "until": "2026-01-01"}) == set()


def test_recording_a_problem_with_items_by_code(client, built):
    entry = rb.publish(built.units["salt"], name="食盐定点批发许可")
    _as(client, built.office)
    url = reverse("inspections:problem-new")
    values = {
        "department": built.units["salt"].pk,
        "title": "取消事项仍在办理",
        "description": "网格长反映该局仍受理已取消事项。",
        "severity": "serious",
        "source": "social",
        "reporter": "grid",
        "reporter_name": "张网格",
        "reported_how": "网格巡查",
        "found_on": "2026-01-06",
        "items": f"{entry.code}, NO-SUCH-CODE",
        "hard": "on",
    }
    refused = client.post(url, values)
    assert refused.status_code == 200 and "NO-SUCH-CODE" in refused.content.decode()
    assert not Problem.objects.exists()
    missing = client.post(url, {**values, "items": entry.code, "reporter": ""})
    assert missing.status_code == 200 and not Problem.objects.exists()
    response = client.post(url, {**values, "items": entry.code})
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:problem", args=[problem.pk])
    assert (problem.reporter, problem.reporter_name, problem.hard, problem.severity) == (
        "grid",
        "张网格",
        True,
        "serious",
    )
    assert list(problem.items.values_list("code", flat=True)) == [entry.code]


def test_the_problem_panel_flags_and_dismisses(client, built):
    problem = problem_open(built, found_on=datetime.date(2026, 1, 5))
    _as(client, built.clerks["salt"])
    page = client.get(reverse("inspections:problem", args=[problem.pk])).content.decode()
    assert "adj-action-flag" not in page
    assert (
        client.post(
            reverse("inspections:problem-act", args=[problem.pk, "flag"]), {"flag-hot": "on"}
        ).status_code
        == 200
    )
    problem.refresh_from_db()
    assert not problem.hot

    _as(client, built.supervisor)
    page = client.get(reverse("inspections:problem", args=[problem.pk])).content.decode()
    assert "adj-action-flag" in page and f"?problems={problem.pk}" in page
    client.post(
        reverse("inspections:problem-act", args=[problem.pk, "flag"]),
        {"flag-hot": "on", "flag-sensitive": "on"},
    )
    problem.refresh_from_db()
    assert (problem.hot, problem.hard, problem.sensitive) == (True, False, True)
    dismiss = reverse("inspections:problem-act", args=[problem.pk, "dismiss"])
    assert client.post(dismiss, {"dismiss-reason": "重复登记。"}).status_code == 200
    assert (
        client.post(dismiss, {"dismiss-reason": "重复登记。", "dismiss-confirm": "on"}).status_code
        == 302
    )
    problem.refresh_from_db()
    assert problem.state == ProblemState.DISMISSED
    page = client.get(reverse("inspections:problem", args=[problem.pk])).content.decode()
    assert "重复登记。" in page


def test_a_substantiated_complaint_is_taken_with_one_click(client, built):
    filed = cb.closed(built.org)
    code = filed.complaint.code
    _as(client, built.office)
    url = reverse("inspections:problem-from-complaint")
    page = client.get(url).content.decode()
    assert code in page and cb.FACTS not in page
    response = client.post(url, {"code": code})
    problem = Problem.objects.get(complaint_code=code)
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:problem", args=[problem.pk])
    assert problem.source == ProblemSource.COMPLAINT
    detail = client.get(response["Location"]).content.decode()
    assert reverse("complaints:detail", args=[code]) in detail
    assert code not in client.get(url).content.decode()
    # A second click says it is in the ledger already.
    again = client.post(url, {"code": code}, follow=True)
    assert "已录入问题台账" in again.content.decode()
    assert Problem.objects.filter(complaint_code=code).count() == 1


def test_a_supervisor_publishes_a_report(client, built):
    problem_open(built, found_on=datetime.date(2026, 1, 5))
    _as(client, built.supervisor)
    url = reverse("inspections:report-new")
    values = {
        "jurisdiction": built.org.city.pk,
        "title": "2026年1月“五单一网”监督检查情况通报",
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "summary": "现将1月监督检查情况通报如下。",
    }
    assert client.post(url, values).status_code == 200
    response = client.post(url, {**values, "confirm": "on"})
    assert response.status_code == 302
    published = Report.objects.get()
    assert response["Location"] == reverse("inspections:public-report", args=[published.pk])
    assert published.content["problems_total"] == 1


# --- queries do not grow with the rows ---------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_ledger_costs_the_same_for_one_problem_or_five(client, built):
    entry = rb.publish(built.units["salt"], name="食盐定点批发许可")
    first = _social(built, entries=[entry])
    _issued(built, first)
    _as(client, built.supervisor)
    url = reverse("inspections:problems")
    one = _queries(client, url)
    for number in range(4):
        problem = _social(built, title=f"问题{number}", entries=[entry], hot=True)
        _issued(built, problem)
    five = _queries(client, url)
    assert one == five


def test_the_notice_list_costs_the_same_for_one_notice_or_five(client, built):
    _issued(built, problem_open(built, found_on=datetime.date(2026, 1, 5)))
    _as(client, built.supervisor)
    url = reverse("inspections:notices")
    one = _queries(client, url)
    for unit in ("market", "labour", "transport", "salt"):
        problem = problem_open(built, unit=unit, title=f"{unit}问题")
        if unit == "salt":
            services.notice_draft(
                actor=built.supervisor, problems=[problem], title="草稿", requirements="整改。"
            )
        else:
            _issued(built, problem)
    five = _queries(client, url)
    assert one == five


def test_the_draft_form_refuses_before_it_looks_anything_up(client, built, world):
    url = reverse("inspections:notice-new")
    for user in (built.office, built.clerks["salt"]):
        _as(client, user)
        assert client.get(url, {"problems": world["problem"].pk}).status_code == 403
        assert client.get(url, {"corrects": 999999}).status_code == 403
    _as(client, built.supervisor)
    assert client.get(url, {"problems": 999999}).status_code == 404
    # A notice closed as not fixed is no longer in force: nothing to correct.
    assert client.get(url, {"corrects": world["notice"].pk}).status_code == 404
