"""Reads of inspections, by section: the problem ledger and its Excel copy; the periodic
reports (通报); plans, draws, inspections and the work queue (the staff pages). Staff reads
take the user and go through `.restrict(user, action)` (inspections.permissions); the public
reads (reports) take none and hold no personal data. Lists fetch what they show in a fixed
number of queries, however many rows there are.
"""

import datetime
import io
from collections.abc import Iterable, Iterator

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import calendar
from core.checkers import writer_text
from core.models import Jurisdiction
from core.permissions import Action, can, restrict, role_of
from core.workqueue import WorkItem

from .choices import (
    Flag,
    InspectionState,
    NoticeState,
    PlanMode,
    PlanState,
    ProblemSource,
    ProblemState,
    Severity,
    StepKind,
    Transition,
)
from .models import (
    Attachment,
    Conflict,
    Draw,
    Event,
    Inspection,
    InspectionContent,
    InspectionMember,
    InspectionRecord,
    Plan,
    Problem,
    ProblemItem,
    RectificationNotice,
    Report,
    Step,
    TeamMember,
)
from .permissions import ACT, INSPECT, MANAGE, RECORD

# --- the ledger (台账, seed 002 联合督查办法 第六条) -------------------------------------------

_PROBLEM_RELATED = ("department", "jurisdiction", "content")


def _problem_prefetches(user) -> tuple[Prefetch, Prefetch]:
    """The items of each problem, and the numbers of the notices issued for it that the user
    may see (an inspector sees the problems they found, not the notices)."""
    issued = (
        restrict(RectificationNotice.objects.all(), user, Action.VIEW)
        .exclude(number="")
        .only("pk", "number", "state")
        .order_by("year", "serial", "pk")
    )
    return (
        Prefetch("items", queryset=ProblemItem.objects.order_by("pk"), to_attr="item_list"),
        Prefetch("notices", queryset=issued, to_attr="notice_list"),
    )


def problems(*, user) -> QuerySet[Problem]:
    """The problems `user` may see (the ledger, newest found first), each with its department,
    jurisdiction, inspection content, items (`item_list`) and issued notices (`notice_list`):
    three queries for any number of rows."""
    return (
        Problem.objects.restrict(user, Action.VIEW)
        .select_related(*_PROBLEM_RELATED)
        .prefetch_related(*_problem_prefetches(user))
        .order_by("-found_on", "-pk")
    )


def problem_filter(
    queryset: QuerySet[Problem],
    *,
    q: str = "",
    state: str = "",
    source: str = "",
    severity: str = "",
    department=None,
    flagged: bool = False,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[Problem]:
    """The ledger's filters (issue 13 §4): a word of the title or description, or an item's
    code or name; state, source, severity, department; `flagged`: marked hot, hard or sensitive
    for the quarterly review (seed 002 管理办法 第十六条); found between `since` and `until`
    (both included). An unknown choice matches nothing rather than everything."""
    q = (q or "").strip()
    if q:
        items = ProblemItem.objects.filter(problem_id=OuterRef("pk")).filter(
            Q(code__icontains=q) | Q(name__icontains=q)
        )
        queryset = queryset.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Exists(items)
        )
    for field, value, choices in (
        ("state", state, ProblemState),
        ("source", source, ProblemSource),
        ("severity", severity, Severity),
    ):
        if value:
            queryset = (
                queryset.filter(**{field: value}) if value in choices.values else (queryset.none())
            )
    if department is not None:
        queryset = queryset.filter(department_id=getattr(department, "pk", department))
    if flagged:
        queryset = queryset.filter(Q(hot=True) | Q(hard=True) | Q(sensitive=True))
    if since is not None:
        queryset = queryset.filter(found_on__gte=since)
    if until is not None:
        queryset = queryset.filter(found_on__lte=until)
    return queryset


def problem_by_id(*, user, pk: int) -> Problem | None:
    return problems(user=user).filter(pk=pk).first()


def problem_items(*, user, problem: Problem) -> QuerySet[ProblemItem]:
    """The items a problem concerns, as recorded (code, name, version), with the entry."""
    return (
        restrict(ProblemItem.objects.all(), user, Action.VIEW)
        .filter(problem=problem)
        .select_related("entry")
        .order_by("pk")
    )


def problem_events(*, user, problem: Problem) -> QuerySet[Event]:
    """The problem's history (痕迹化管理), oldest first."""
    return (
        Event.objects.restrict(user, Action.VIEW)
        .filter(problem=problem)
        .select_related("actor")
        .order_by("at", "pk")
    )


# Who reported a problem (reporter_name, reported_how) is for the staff pages only: the export
# leaves it out, as a workbook travels further than a page.
LEDGER_COLUMNS = (
    gettext_lazy("Department"),
    gettext_lazy("Problem"),
    gettext_lazy("Inspection content breached"),
    gettext_lazy("Severity"),
    gettext_lazy("Source of the problem"),
    gettext_lazy("State"),
    gettext_lazy("Marked for the quarterly review"),
    gettext_lazy("Found on"),
    gettext_lazy("Items"),
    gettext_lazy("Rectification notices"),
)


def ledger_rows(queryset: QuerySet[Problem]) -> Iterator[list[str]]:
    """The ledger's rows for the Excel copy, in LEDGER_COLUMNS order, from a queryset of
    `problems()` (whose prefetches they read)."""
    for problem in queryset:
        yield [
            problem.department.name,
            problem.title,
            problem.content.name if problem.content else "",
            str(Severity(problem.severity).label),
            str(ProblemSource(problem.source).label),
            str(ProblemState(problem.state).label),
            "、".join(str(Flag(flag).label) for flag in problem.flags),
            problem.found_on.isoformat(),
            " ".join(item.code for item in problem.item_list),
            " ".join(notice.number for notice in problem.notice_list),
        ]


def ledger_workbook(*, rows: Iterable[list[str]]) -> bytes:
    """The ledger as an Excel workbook (issue 13 §4: "export to Excel"). A jurisdiction's
    ledger is a few thousand rows at most, so it is written in the request (write-only: rows go
    to a temporary file, not into memory) rather than by a task. Every cell is text (a title
    starting with "=" is not a formula) without the characters a workbook cannot hold."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Problem ledger")[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: str, *, font: Font | None = None) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=writer_text(str(value)))
        written.data_type = "s"
        if font is not None:
            written.font = font
        return written

    sheet.append([cell(label, font=bold) for label in LEDGER_COLUMNS])
    for row in rows:
        sheet.append([cell(value) for value in row])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# --- periodic reports (通报, seed 002 联合督查办法 第七条, 监督检查办法 第十八条) ----------------

# The problems a report counts: those recorded as problems (not a register proposal awaiting
# confirmation, nor one dismissed).
_COUNTED = ~Q(state__in=[ProblemState.PROPOSED, ProblemState.DISMISSED])


def reports_public() -> QuerySet[Report]:
    """Every published report, newest first (public: the site's list and Atom feed)."""
    return Report.objects.select_related("jurisdiction").order_by("-published_at", "-pk")


def report_by_id(pk: int) -> Report | None:
    return reports_public().filter(pk=pk).first()


def _local_day(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, calendar.SHANGHAI).date().isoformat()


def report_content(
    jurisdiction: Jurisdiction, period_start: datetime.date, period_end: datetime.date
) -> dict:
    """What a report publishes for `jurisdiction` (and those below it) over the period, both
    days included (issue 13 §7): the inspections whose findings were told in the period (unit,
    plan, mode, dates), the problems found in the period by inspection content and by
    department, the notices issued in the period by state, the problems closed in the period,
    and the accountability started (issue 15 adds the cases; empty until then).

    Only public facts: names of bodies, titles, dates, counts and choice values (the page and
    the PDF show their labels). Never a person: no inspector, reporter, complainant or staff
    member, and nothing of how a problem was reported."""
    place = jurisdiction.path
    since = calendar.start_of_day(period_start)
    until = calendar.start_of_day(period_end + datetime.timedelta(days=1))

    inspected = (
        Inspection.objects.filter(
            plan__jurisdiction__path__startswith=place,
            state__in=[InspectionState.FINISHED, InspectionState.PUBLISHED],
            finished_at__gte=since,
            finished_at__lt=until,
        )
        .select_related("plan", "department")
        .order_by("finished_at", "pk")
    )
    found = Problem.objects.filter(
        _COUNTED,
        jurisdiction__path__startswith=place,
        found_on__gte=period_start,
        found_on__lte=period_end,
    )
    by_content = (
        found.values("content__code", "content__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "content__code")
    )
    by_department = (
        found.values("department__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "department__name")
    )
    notices = (
        RectificationNotice.objects.filter(
            jurisdiction__path__startswith=place, issued_at__gte=since, issued_at__lt=until
        )
        .values("state")
        .annotate(count=Count("pk"))
    )
    notice_counts = {row["state"]: row["count"] for row in notices}
    closed = (
        Problem.objects.filter(
            jurisdiction__path__startswith=place,
            state__in=[ProblemState.RECTIFIED, ProblemState.NOT_FIXED],
            closed_at__gte=since,
            closed_at__lt=until,
        )
        .select_related("department")
        .order_by("closed_at", "pk")
    )
    return {
        "jurisdiction": jurisdiction.name,
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "inspections": [
            {
                "unit": inspection.department.name,
                "plan": inspection.plan.title,
                "mode": inspection.plan.mode,
                "notified_on": _local_day(inspection.notified_at),
                "finished_on": _local_day(inspection.finished_at),
            }
            for inspection in inspected
        ],
        "problems_total": sum(row["count"] for row in by_department),
        "problems_by_content": [
            {
                "code": row["content__code"] or "",
                "content": row["content__name"] or "",
                "count": row["count"],
            }
            for row in by_content
        ],
        "problems_by_department": [
            {"department": row["department__name"], "count": row["count"]} for row in by_department
        ],
        "rectification": [
            {"state": state, "count": notice_counts[state]}
            for state in NoticeState.values
            if state != NoticeState.DRAFT and notice_counts.get(state)
        ],
        "closed": [
            {
                "title": problem.title,
                "department": problem.department.name,
                "state": problem.state,
                "closed_on": _local_day(problem.closed_at),
            }
            for problem in closed
        ],
        "accountability": [],
    }


# --- notices and assessment (pages) ------------------------------------------------------------
# The reads of the staff pages of the ledger, the rectification notices and the assessment
# ledger (inspections/ledger_views.py). Each takes the user and restricts what it reads.


def ledger_departments(*, user) -> QuerySet:
    """The departments whose problems the user may record (the RECORD rule: supervisors and
    the office, their jurisdiction and those below it), by jurisdiction."""
    from core.models import Department
    from core.permissions import can

    from .permissions import RECORD

    found = Department.objects.select_related("jurisdiction").order_by("jurisdiction__path", "name")
    if not can(user, RECORD, Problem):
        return found.none()
    if user.is_superuser:
        return found
    return found.filter(jurisdiction__path__startswith=user.jurisdiction.path)


def problem_departments(*, user) -> QuerySet:
    """The departments of the problems the user may see (the ledger's department filter offers
    nothing that always comes out empty)."""
    from core.models import Department

    visible = Problem.objects.restrict(user, Action.VIEW).values("department_id")
    return (
        Department.objects.filter(pk__in=visible)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "name")
    )


def entries_by_codes(*, department, codes: Iterable[str]) -> dict:
    """The register's entries of `department` with these implementation codes, by code (the
    problem form names the items a problem concerns by code). The register is public."""
    from registry.models import Entry

    codes = list(codes)
    if not codes:
        return {}
    return {
        entry.code: entry
        for entry in Entry.objects.filter(department=department, code__in=codes).only(
            "pk", "code", "name", "status", "version", "department_id"
        )
    }


def complaints_for_ledger(*, user) -> QuerySet:
    """Substantiated (or partly) complaints the user may see that are not in the ledger yet
    (complaints.selectors.findings scopes them), closed latest first."""
    from complaints import selectors as complaint_selectors

    taken = Problem.objects.exclude(complaint_code="").values("complaint_code")
    return (
        complaint_selectors.findings(user=user)
        .exclude(code__in=taken)
        .select_related("department", "jurisdiction")
        .order_by("-closed_at", "-pk")
    )


def problem_notices(*, user, problem: Problem) -> QuerySet[RectificationNotice]:
    """Every notice covering the problem that the user may see, drafts included."""
    return (
        RectificationNotice.objects.restrict(user, Action.VIEW)
        .filter(problems=problem)
        .select_related("addressee")
        .order_by("created_at", "pk")
    )


def notices(*, user) -> QuerySet[RectificationNotice]:
    """The notices the user may see (the office, supervisors and administrators of the
    jurisdiction; a unit its own), newest first, with the bodies they name: one query."""
    latest_rectify = Step.objects.filter(notice_id=OuterRef("pk"), kind=StepKind.RECTIFY).order_by(
        "-started_at", "-pk"
    )
    return (
        RectificationNotice.objects.restrict(user, Action.VIEW)
        .select_related("jurisdiction", "issuer", "addressee")
        .annotate(rectify_due_at=Subquery(latest_rectify.values("due_at")[:1]))
        .order_by("-created_at", "-pk")
    )


def notice_filter(
    queryset: QuerySet[RectificationNotice], *, state: str = "", unit=None
) -> QuerySet[RectificationNotice]:
    if state:
        queryset = queryset.filter(state=state) if state in NoticeState.values else queryset.none()
    if unit is not None:
        queryset = queryset.filter(addressee_id=getattr(unit, "pk", unit))
    return queryset


def notice_by_id(*, user, pk: int) -> RectificationNotice | None:
    return notices(user=user).select_related("corrects").filter(pk=pk).first()


def notice_units(*, user) -> QuerySet:
    """The units addressed by the notices the user may see (the list's filter)."""
    from core.models import Department

    visible = RectificationNotice.objects.restrict(user, Action.VIEW).values("addressee_id")
    return Department.objects.filter(pk__in=visible).order_by("name")


def notice_problems(*, user, notice: RectificationNotice) -> QuerySet[Problem]:
    return (
        Problem.objects.restrict(user, Action.VIEW)
        .filter(notices=notice)
        .select_related("content")
        .order_by("pk")
    )


def _attachments(user) -> Prefetch:
    from .models import Attachment

    return Prefetch(
        "files",
        queryset=Attachment.objects.restrict(user, Action.VIEW).order_by("uploaded_at", "pk"),
        to_attr="file_list",
    )


def notice_reports(*, user, notice: RectificationNotice) -> QuerySet:
    """The unit's rectification reports, oldest first, each with its evidence (`file_list`)."""
    from .models import RectificationReport

    return (
        RectificationReport.objects.restrict(user, Action.VIEW)
        .filter(notice=notice)
        .select_related("submitted_by")
        .prefetch_related(_attachments(user))
        .order_by("submitted_at", "pk")
    )


def notice_milestones(*, user, notice: RectificationNotice) -> QuerySet:
    from .models import Milestone

    return (
        Milestone.objects.restrict(user, Action.VIEW)
        .filter(notice=notice)
        .prefetch_related(_attachments(user))
        .order_by("due_on", "pk")
    )


def notice_events(*, user, notice: RectificationNotice) -> QuerySet[Event]:
    """The notice's history (痕迹化管理), oldest first; the events of its problems that the
    notice caused are the problems' own."""
    return (
        Event.objects.restrict(user, Action.VIEW)
        .filter(notice=notice, problem=None)
        .select_related("actor")
        .order_by("at", "pk")
    )


def notice_open_steps(*, user, notice: RectificationNotice) -> QuerySet:
    from .models import Step

    return (
        Step.objects.restrict(user, Action.VIEW)
        .filter(notice=notice, finished_at=None)
        .select_related("department")
        .order_by("started_at", "pk")
    )


def notice_corrections(*, user, notice: RectificationNotice) -> QuerySet[RectificationNotice]:
    """The notices that correct this one (a correction is a new notice), oldest first."""
    return notices(user=user).filter(corrects=notice).order_by("created_at", "pk")


def notice_unit_problems(*, user, department, correcting: bool = False) -> QuerySet[Problem]:
    """The problems of one unit a notice can cover: open ones (and, for a correction, those
    already notified), among those the user may see."""
    states = [ProblemState.OPEN, ProblemState.NOTIFIED] if correcting else [ProblemState.OPEN]
    return (
        Problem.objects.restrict(user, Action.VIEW)
        .filter(department=department, state__in=states)
        .select_related("department")
        .order_by("-found_on", "-pk")
    )


def assessment_records(*, user) -> QuerySet:
    """The assessment ledger entries (记入单位绩效考核台账) the user may see, newest first."""
    from .models import AssessmentRecord

    return (
        AssessmentRecord.objects.restrict(user, Action.VIEW)
        .select_related("department", "notice")
        .order_by("-year", "-recorded_at", "-pk")
    )


def assessment_filter(queryset: QuerySet, *, year: int | None = None, unit=None) -> QuerySet:
    if year is not None:
        queryset = queryset.filter(year=year)
    if unit is not None:
        queryset = queryset.filter(department_id=getattr(unit, "pk", unit))
    return queryset


def assessment_years_units(*, user) -> tuple[list[int], QuerySet]:
    """The years and units of the entries the user may see (the page's filters)."""
    from core.models import Department

    visible = assessment_records(user=user)
    years = sorted(set(visible.values_list("year", flat=True)), reverse=True)
    units = Department.objects.filter(pk__in=visible.values("department_id")).order_by("name")
    return years, units


def report_jurisdictions(*, user) -> QuerySet[Jurisdiction]:
    """The jurisdictions a supervisor publishes reports for: their own and those below it."""
    if not user.is_authenticated:
        return Jurisdiction.objects.none()
    if user.is_superuser:
        return Jurisdiction.objects.order_by("path")
    if not user.jurisdiction_id:
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(path__startswith=user.jurisdiction.path).order_by("path")


# --- plans, draws, inspections (pages) --------------------------------------------------------

# What waits on an inspector until they have told the unit their findings.
_INSPECTOR_OPEN_STATES = (
    InspectionState.PLANNED,
    InspectionState.NOTIFIED,
    InspectionState.UNDER_WAY,
)
# The plans a supervisor still has to advance: publish the commitment, draw, name units.
_PLAN_TO_ADVANCE_STATES = (PlanState.DRAFT, PlanState.COMMITTED)
# A work queue shows this many of each kind; the lists find the others.
QUEUE_LIMIT = 100
# The page actions outside the procedures' tables: declaring a conflict (services.
# conflict_declare) and recording a finding (services.ledger.problem_record).
CONFLICT = Transition.CONFLICT.value
FINDING = "finding"


def plans(*, user) -> QuerySet[Plan]:
    """The plans `user` may see (overseers of the jurisdiction, the team's members), newest
    period first, with their jurisdiction and the number of their live inspections: the same
    query for any number of rows."""
    live = ~Q(inspections__state=InspectionState.REPLACED)
    return (
        Plan.objects.restrict(user, Action.VIEW)
        .select_related("jurisdiction")
        .annotate(
            inspection_count=Count("inspections", filter=live, distinct=True),
            scope_count=Count("scope", distinct=True),
        )
        .order_by("-period_start", "-pk")
    )


def plan_filter(
    queryset: QuerySet[Plan], *, mode: str = "", state: str = "", year: int | None = None
) -> QuerySet[Plan]:
    """The plan list's filters: mode, state, and a year the period touches. An unknown choice
    matches nothing rather than everything."""
    for field, value, choices in (("mode", mode, PlanMode), ("state", state, PlanState)):
        if value:
            queryset = (
                queryset.filter(**{field: value}) if value in choices.values else queryset.none()
            )
    if year:
        queryset = queryset.filter(period_start__year__lte=year, period_end__year__gte=year)
    return queryset


def plan_years(*, user) -> list[int]:
    """The years the periods of the user's plans start in, newest first (the year filter)."""
    return sorted(
        {
            day.year
            for day in Plan.objects.restrict(user, Action.VIEW).values_list(
                "period_start", flat=True
            )
        },
        reverse=True,
    )


def plan_by_id(*, user, pk: int) -> Plan | None:
    return (
        Plan.objects.restrict(user, Action.VIEW)
        .select_related("jurisdiction", "created_by")
        .filter(pk=pk)
        .first()
    )


def plan_scope(*, plan: Plan) -> list:
    """The departments in scope, by jurisdiction and name (the plan is already one the user
    may see)."""
    return list(plan.scope.select_related("jurisdiction").order_by("jurisdiction__path", "name"))


def plan_contents(*, plan: Plan) -> list[InspectionContent]:
    return list(plan.contents.order_by("order", "code"))


def plan_team(*, user, plan: Plan) -> QuerySet[TeamMember]:
    return (
        restrict(TeamMember.objects.filter(plan=plan), user, Action.VIEW)
        .select_related("user", "department")
        .order_by("department__name", "user__username")
    )


def plan_conflicts(*, user, plan: Plan) -> QuerySet[Conflict]:
    return (
        restrict(Conflict.objects.filter(plan=plan), user, Action.VIEW)
        .select_related("user", "department")
        .order_by("declared_at", "pk")
    )


def plan_draws(*, user, plan: Plan) -> QuerySet[Draw]:
    """The plan's draws, each round (public from its commitment on)."""
    return (
        Draw.objects.restrict(user, Action.VIEW)
        .filter(plan=plan)
        .select_related("committed_by", "drawn_by")
        .order_by("round")
    )


def _members() -> Prefetch:
    return Prefetch(
        "members",
        queryset=InspectionMember.objects.select_related("user__department").order_by(
            "-lead", "pk"
        ),
        to_attr="member_list",
    )


def inspections(*, user) -> QuerySet[Inspection]:
    """The inspections `user` may see (overseers, the inspectors drawn or named, the unit's
    clerks), each with its plan, unit, draw and inspectors (`member_list`)."""
    return (
        Inspection.objects.restrict(user, Action.VIEW)
        .select_related("plan__jurisdiction", "department", "draw")
        .prefetch_related(_members())
        .order_by("plan", "pk")
    )


def plan_inspections(*, user, plan: Plan) -> QuerySet[Inspection]:
    return inspections(user=user).filter(plan=plan).order_by("department__name", "pk")


def inspection_by_id(*, user, pk: int) -> Inspection | None:
    return inspections(user=user).filter(pk=pk).first()


def inspection_records(*, user, inspection: Inspection) -> QuerySet[InspectionRecord]:
    """The procedure's records, oldest first, with who recorded them and their files."""
    files = Prefetch(
        "files",
        queryset=restrict(Attachment.objects.all(), user, Action.VIEW).order_by("pk"),
        to_attr="file_list",
    )
    return (
        restrict(InspectionRecord.objects.filter(inspection=inspection), user, Action.VIEW)
        .select_related("recorded_by")
        .prefetch_related(files)
        .order_by("held_on", "recorded_at", "pk")
    )


def inspection_problems(*, user, inspection: Inspection) -> QuerySet[Problem]:
    return problems(user=user).filter(inspection=inspection)


def inspection_steps(*, user, inspection: Inspection) -> QuerySet[Step]:
    return (
        restrict(Step.objects.filter(inspection=inspection), user, Action.VIEW)
        .select_related("department", "finished_by")
        .order_by("started_at", "pk")
    )


def attachment_by_id(*, user, pk: int) -> Attachment | None:
    """An inspections file the user may see (through its record, report or milestone)."""
    return Attachment.objects.restrict(user, Action.VIEW).filter(pk=pk).first()


def may_declare_conflict(*, user, plan: Plan) -> bool:
    """回避 is declared before the pools are published (or before a re-draw), by a member of
    the team for themselves or by a supervisor of the plan for a member (services.
    conflict_declare has the last word)."""
    if plan.state not in (PlanState.DRAFT, PlanState.DRAWN) or plan.mode != PlanMode.RANDOM:
        return False
    return can(user, MANAGE, plan) or TeamMember.objects.filter(plan=plan, user=user).exists()


def plan_actions(*, user, plan: Plan) -> list[str]:
    """What `user` may do on the plan now: the plan procedure's table (the same as the API's),
    and declaring a conflict."""
    from .services import PLANS

    found = PLANS.available(user, plan)
    if may_declare_conflict(user=user, plan=plan):
        found.insert(0, CONFLICT)
    return found


def may_record_finding(*, user, inspection: Inspection) -> bool:
    """An inspection's members record its findings while it is under way or once told; the
    ledger's keepers may too (services.ledger.problem_record checks again)."""
    if inspection.state not in (
        InspectionState.NOTIFIED,
        InspectionState.UNDER_WAY,
        InspectionState.FINISHED,
    ):
        return False
    if can(user, INSPECT, inspection):
        return True
    jurisdiction = inspection.plan.jurisdiction
    return (
        can(user, RECORD, Problem)
        and user.jurisdiction_id is not None
        and jurisdiction.path.startswith(user.jurisdiction.path)
    )


def inspection_actions(*, user, inspection: Inspection, open_steps=None) -> list[str]:
    """What `user` may do on the inspection now: the inspection procedure's table (the same
    as the API's), and recording a finding in the ledger."""
    from .services import INSPECTIONS

    found = INSPECTIONS.available(user, inspection, open_steps=open_steps)
    if may_record_finding(user=user, inspection=inspection):
        found.append(FINDING)
    return found


def waiting_steps(*, user) -> QuerySet[Step]:
    """The open steps `user` holds (publish a result; rectify; verify), soonest due first."""
    return (
        restrict(Step.objects.filter(finished_at=None), user, ACT)
        .select_related(
            "department",
            "notice__addressee",
            "inspection__plan",
            "inspection__department",
        )
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )


def drawn_for(*, user) -> QuerySet[Inspection]:
    """The inspections `user` is an inspector of and has not yet told their findings."""
    return (
        inspections(user=user)
        .filter(members__user=user, state__in=_INSPECTOR_OPEN_STATES)
        .distinct()
        .order_by("plan__period_start", "pk")
    )


def plans_to_advance(*, user) -> QuerySet[Plan]:
    """Plans in draft or committed that `user` runs (a supervisor of their jurisdiction)."""
    return (
        Plan.objects.restrict(user, MANAGE)
        .filter(state__in=_PLAN_TO_ADVANCE_STATES)
        .select_related("jurisdiction")
        .order_by("period_start", "pk")
    )


def work_items(user) -> list[WorkItem]:
    """The work-queue provider (core.workqueue): the steps the user holds, the inspections
    they are drawn for, the plans they have to advance."""
    if role_of(user) is None:
        return []
    items = []
    for step in waiting_steps(user=user)[:QUEUE_LIMIT]:
        record = step.notice if step.notice_id else step.inspection
        department = step.notice.addressee if step.notice_id else step.inspection.department
        items.append(
            WorkItem(
                action=str(StepKind(step.kind).label),
                subject=str(record)[:60],
                reference=(step.notice.number or step.notice.title)
                if step.notice_id
                else str(step.inspection.plan)[:40],
                url=step.holder_url(),
                started_at=step.started_at,
                due_at=step.due_at,
                due_confirmed=step.due_confirmed,
                deadline_days=step.deadline_days or 0,
                deadline_unit=step.deadline_unit,
                department=str(department),
            )
        )
    for inspection in drawn_for(user=user)[:QUEUE_LIMIT]:
        items.append(
            WorkItem(
                action=_("Inspect"),
                subject=str(inspection.department),
                reference=str(inspection.plan)[:40],
                url=inspection.get_absolute_url(),
                started_at=inspection.draw.drawn_at
                if inspection.draw_id and inspection.draw.drawn_at
                else inspection.plan.created_at,
                department=str(inspection.department),
            )
        )
    for plan in plans_to_advance(user=user)[:QUEUE_LIMIT]:
        items.append(
            WorkItem(
                action=str(PlanState(plan.state).label),
                subject=plan.title[:60],
                reference=str(PlanMode(plan.mode).label),
                url=plan.get_absolute_url(),
                started_at=plan.created_at,
            )
        )
    return items


def team_candidates(*, jurisdiction: Jurisdiction) -> QuerySet:
    """Who may join a plan's joint inspection team: the active staff users of a department of
    the jurisdiction or below it, with their department (one query)."""
    from core.models import User

    return (
        User.objects.filter(
            is_active=True,
            department__isnull=False,
            department__jurisdiction__path__startswith=jurisdiction.path,
        )
        .exclude(role="")
        .select_related("department__jurisdiction")
        .order_by("department__jurisdiction__path", "department__name", "username")
    )


def scope_candidates(*, jurisdiction: Jurisdiction) -> QuerySet:
    """The departments a plan of `jurisdiction` may inspect (its own and those below)."""
    from core.models import Department

    return (
        Department.objects.filter(jurisdiction__path__startswith=jurisdiction.path)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "name")
    )


def contents_for_plan() -> QuerySet[InspectionContent]:
    return InspectionContent.objects.filter(active=True).order_by("order", "code")


# --- public pages and API (issue 13 §1, §2, §7, §8) ------------------------------------------
# The public reads (contents, draws, their inspections' published results) hold nothing of a
# person but the inspectors' names the pool itself publishes (国办发〔2015〕58号: 双随机、一公开):
# no contact, no declared interest, no reporter, no notice.


def contents_public(*, user) -> QuerySet[InspectionContent]:
    """The published list of inspection contents (抽查事项清单: basis, body, content, method),
    those in use, in the order of their source and then their own."""
    return (
        InspectionContent.objects.restrict(user, Action.VIEW)
        .filter(active=True)
        .order_by("order", "code")
    )


def draws_public(*, user) -> QuerySet[Draw]:
    """Every draw from its commitment on (a re-draw's earlier rounds too), newest first, with
    its plan and jurisdiction: one query a page."""
    return (
        Draw.objects.restrict(user, Action.VIEW)
        .select_related("plan__jurisdiction")
        .order_by("-committed_at", "-pk")
    )


class PublicDraw:
    """What the public draw page and the API show of one draw, read in a fixed number of
    queries: `draw`, its `plan` and checklist (`contents`), every public round of the plan
    (`rounds`), the pool as published (`snapshot`, parsed from `draw.pool`), the names of the
    departments and inspectors it names (`department_names`, `inspector_names`), the complaints
    each target received in the window of the raised ratio (`complaints`, from
    `window_start`), the jurisdiction's `policy`, and once drawn the `inspections` with their
    published results and publication steps (`publish_steps`)."""

    def __init__(self, **parts) -> None:
        self.__dict__.update(parts)


def draw_public(*, user, pk: int) -> PublicDraw | None:
    import json

    from core.models import Department, User

    from .choices import DrawState
    from .services.plans import RAISED_WINDOW
    from .services.procedure import policy_for

    draw = draws_public(user=user).filter(pk=pk).first()
    if draw is None:
        return None
    plan = draw.plan
    snapshot = json.loads(draw.pool)
    previous = snapshot.get("previous", [])
    department_ids = {t["id"] for t in snapshot["targets"]}
    department_ids |= {i["department"] for i in snapshot["inspectors"]}
    department_ids |= {pair[1] for pair in previous}
    inspector_names = {i["id"]: i["name"] for i in snapshot["inspectors"]}
    # A previous pair may name someone no longer in the team: their name as the earlier,
    # public, draw gave it.
    absent = {pair[0] for pair in previous} - set(inspector_names)
    for person in User.objects.filter(pk__in=absent).only(
        "pk", "username", "first_name", "last_name"
    ):
        inspector_names[person.pk] = person.get_full_name().strip() or person.username
    window_start = draw.committed_at - RAISED_WINDOW
    from complaints import selectors as complaint_selectors

    complaints = complaint_selectors.received_by_department(
        department_ids=[t["id"] for t in snapshot["targets"]],
        since=window_start,
        until=draw.committed_at,
    )
    inspections = []
    if draw.state != DrawState.COMMITTED:
        inspections = list(
            Inspection.objects.filter(draw=draw)
            .select_related("department")
            .prefetch_related(
                Prefetch(
                    "steps",
                    queryset=Step.objects.filter(kind=StepKind.PUBLISH).order_by("pk"),
                    to_attr="publish_steps",
                )
            )
            .order_by("pk")
        )
    return PublicDraw(
        draw=draw,
        plan=plan,
        contents=list(plan.contents.order_by("order", "code")),
        rounds=list(draws_public(user=user).filter(plan=plan).order_by("round")),
        snapshot=snapshot,
        department_names=dict(
            Department.objects.filter(pk__in=department_ids).values_list("pk", "name")
        ),
        inspector_names=inspector_names,
        complaints=complaints,
        inspections=inspections,
        policy=policy_for(plan.jurisdiction),
        window_start=window_start,
    )
