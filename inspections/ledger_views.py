"""Staff pages of the problem ledger, the rectification notices, the assessment ledger and the
reports (issue 13 §4–§8).

- The ledger (台账, seed 002 联合督查办法 第六条): every problem the user may see, filtered in
  the URL, with its Excel copy (no reporter); a problem recorded by hand or taken from a
  substantiated complaint with one click; one problem's page with its history and actions.
- Rectification notices (整改通知书, seed 002 管理办法 第十九条): the list, the draft, the
  notice's page with its PDF as issued, the unit's reports and milestones, the verification,
  the assessment-ledger entries and the corrections; its action panel offers what
  services.NOTICES.available says the user may do now.
- The assessment ledger (记入单位绩效考核台账) with the one-vote veto (seed 001 第十六条).
- A supervisor's periodic report (通报), published on the public site.

Reads go through inspections.selectors (which scope to the user: a record the user may not see
is "not found"), writes through inspections.services; a refusal (DomainError) is shown next to
the form with everything typed."""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from complaints import selectors as complaint_selectors
from core import calendar
from core.forms import is_key
from core.pagination import list_page, page_number
from core.permissions import Action, can
from core.services import DomainError
from core.views import (
    Act,
    PanelActMixin,
    PanelForm,
    PermissionRequiredMixin,
    RecordLookupMixin,
    TimelineRow,
    event_moment,
    file_download,
    list_page_context,
    query_without_page,
    state_label,
    timeline,
)

from . import ledger_forms as forms
from . import selectors, services
from .choices import (
    OPEN_NOTICE_STATES,
    AssessmentKind,
    NoticeState,
    ProblemSource,
    ProblemState,
    Reporter,
    Transition,
)
from .filtersets import AssessmentFilterForm, NoticeFilterForm, ProblemFilterForm
from .models import (
    AssessmentRecord,
    Event,
    Inspection,
    Problem,
    RectificationNotice,
    Report,
)
from .permissions import MANAGE, RECORD
from .services import ledger as ledger_services
from .services import reports as report_services

PER_PAGE = 50


def _event_facts(event: Event) -> list[tuple[str, str]]:
    detail = event.detail or {}
    facts = []
    if event.transition == Transition.PROBLEM_RECORD and detail.get("source"):
        facts.append((_("Source of the problem"), state_label(ProblemSource, detail["source"])))
    if detail.get("complaint"):
        facts.append((_("Complaint"), detail["complaint"]))
    if event.transition == Transition.PROBLEM_FLAG and "to" in detail:
        marked = [
            label
            for name, label in (
                ("hot", _("Hot")),
                ("hard", _("Hard")),
                ("sensitive", _("Sensitive")),
            )
            if detail["to"].get(name)
        ]
        facts.append((_("Marked"), "、".join(marked) or _("no mark")))
    if detail.get("number"):
        facts.append((_("Document number"), detail["number"]))
    if detail.get("due"):
        facts.append((_("Due"), event_moment(detail["due"])))
    if detail.get("sha256"):
        facts.append((_("SHA-256 of the PDF"), detail["sha256"]))
    if "progress" in detail:
        facts.append((_("Progress"), f"{detail['progress']}%"))
    if detail.get("added"):
        facts.append((_("Milestone"), _("added")))
    if event.transition == Transition.ESCALATE and detail.get("kind"):
        facts.append((_("Assessment ledger"), state_label(AssessmentKind, detail["kind"])))
        if detail.get("veto"):
            facts.append((_("One-vote veto"), _("yes")))
    return facts


def _timeline(events, states) -> list[TimelineRow]:
    return timeline(events, states, _event_facts)


# --- the ledger ----------------------------------------------------------------------------


def _problem_filter(request) -> tuple[ProblemFilterForm, object]:
    """The filter form of the URL and the problems it leaves (none while it is not valid)."""
    user = request.user
    form = ProblemFilterForm(
        request.GET or None, departments=selectors.problem_departments(user=user)
    )
    found = selectors.problems(user=user)
    if form.is_bound:
        found = (
            selectors.problem_filter(found, **form.arguments()) if form.is_valid() else found.none()
        )
    return form, found


class ProblemListView(PermissionRequiredMixin, TemplateView):
    """The one ledger (issue 13 §4): the problems the user may see, newest found first, fifty
    a page; the same queries however many rows there are."""

    required_model = Problem
    template_name = "inspections/problem_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form, found = _problem_filter(self.request)
        page = list_page(
            found,
            order=("-found_on", "-pk"),
            number=page_number(self.request.GET.get("page")),
            per_page=PER_PAGE,
        )
        query = query_without_page(self.request)
        context.update(
            list_page_context(page, query),
            filter_form=form,
            filtered=form.given(),
            export_url=reverse("inspections:problems-xlsx") + (f"?{query}" if query else ""),
            may_record=can(user, RECORD, Problem),
        )
        return context


class ProblemExportView(PermissionRequiredMixin, View):
    """The filtered ledger as an Excel workbook (selectors.ledger_workbook): who reported a
    problem is not in it."""

    required_model = Problem

    def get(self, request, *args, **kwargs):
        form, found = _problem_filter(request)
        if form.is_bound and not form.is_valid():
            return redirect(reverse("inspections:problems") + f"?{request.GET.urlencode()}")
        data = selectors.ledger_workbook(rows=selectors.ledger_rows(found))
        day = timezone.localdate(timezone.now(), timezone=calendar.SHANGHAI)
        response = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="problem-ledger-{day}.xlsx"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ProblemCreateView(PermissionRequiredMixin, TemplateView):
    """A problem recorded by the ledger's keepers (the supervisors and the office)."""

    required_model = Problem
    required_action = RECORD
    template_name = "inspections/problem_new.html"

    def form(self, data=None) -> forms.ProblemForm:
        return forms.ProblemForm(
            data, departments=selectors.ledger_departments(user=self.request.user)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            arguments = form.arguments()
            jurisdiction = request.user.jurisdiction or arguments["department"].jurisdiction
            try:
                problem = ledger_services.problem_record(
                    actor=request.user, jurisdiction=jurisdiction, **arguments
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request, _("“%(title)s” is in the ledger.") % {"title": problem.title}
                )
                return redirect("inspections:problem", pk=problem.pk)
        return self.render_to_response(self.get_context_data(form=form))


class ProblemFromComplaintView(PermissionRequiredMixin, TemplateView):
    """Issue 13 §4: the substantiated complaints the user may see that are not in the ledger
    yet, each taken into it with one click (services.ledger.problem_from_complaint)."""

    required_model = Problem
    required_action = RECORD
    template_name = "inspections/problem_from_complaint.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = list_page(
            selectors.complaints_for_ledger(user=self.request.user),
            order=("-closed_at", "-pk"),
            number=page_number(self.request.GET.get("page")),
            per_page=PER_PAGE,
        )
        context.update(list_page_context(page, query_without_page(self.request)))
        return context

    def post(self, request, *args, **kwargs):
        code = request.POST.get("code", "")
        try:
            problem = ledger_services.problem_from_complaint(actor=request.user, code=code)
        except DomainError as refused:
            messages.error(request, str(refused))
            return redirect("inspections:problem-from-complaint")
        messages.success(
            request,
            _("Complaint %(code)s is in the ledger: “%(title)s”.")
            % {"code": problem.complaint_code, "title": problem.title},
        )
        return redirect("inspections:problem", pk=problem.pk)


PROBLEM_ACTS: dict[str, Act] = {
    "confirm": Act(forms.ProblemConfirmForm, gettext_lazy("Confirm the problem")),
    "dismiss": Act(forms.ProblemDismissForm, gettext_lazy("Dismiss the problem")),
    "flag": Act(forms.ProblemFlagForm, gettext_lazy("Mark for the quarterly review")),
}
PROBLEM_PERFORM: dict[str, Callable] = {
    "confirm": ledger_services.problem_confirm,
    "dismiss": ledger_services.problem_dismiss,
    "flag": ledger_services.problem_flag,
}


def problem_actions(user, problem: Problem) -> list[str]:
    """What the user may do on the problem now (the services check again)."""
    if not can(user, MANAGE, problem):
        return []
    found = []
    if problem.state == ProblemState.PROPOSED:
        found.append("confirm")
    if problem.state in (ProblemState.PROPOSED, ProblemState.OPEN):
        found.append("dismiss")
    found.append("flag")
    return found


class ProblemPageMixin(RecordLookupMixin):
    template_name = "inspections/problem_detail.html"

    record_attribute = "problem"
    not_found = gettext_lazy("No such problem.")

    def find(self):
        return selectors.problem_by_id(user=self.request.user, pk=self.kwargs["pk"])

    def page_context(self, failed: PanelForm | None = None) -> dict:
        user, problem = self.request.user, self.problem
        panel = []
        for name in problem_actions(user, problem):
            if failed is not None and failed.name == name:
                panel.append(failed)
            else:
                act = PROBLEM_ACTS[name]
                panel.append(
                    PanelForm(name, act, act.form(user=user, problem=problem, prefix=name))
                )
        if failed is not None and failed not in panel:
            panel.insert(0, failed)
        inspection = None
        if problem.inspection_id:
            inspection = (
                Inspection.objects.restrict(user, Action.VIEW)
                .filter(pk=problem.inspection_id)
                .select_related("plan")
                .first()
            )
        complaint = None
        if problem.complaint_code:
            complaint = complaint_selectors.complaint_by_code(
                user=user, code=problem.complaint_code
            )
        may_draft = (
            problem.state == ProblemState.OPEN
            and can(user, Action.ADD, RectificationNotice)
            and (user.is_superuser or problem.jurisdiction.path.startswith(user.jurisdiction.path))
        )
        return {
            "problem": problem,
            "items": list(selectors.problem_items(user=user, problem=problem)),
            "notices": list(selectors.problem_notices(user=user, problem=problem)),
            "inspection": inspection,
            "complaint": complaint,
            "show_reporter": can(user, MANAGE, problem),
            "reporter_label": state_label(Reporter, problem.reporter) if problem.reporter else "",
            "timeline": _timeline(
                selectors.problem_events(user=user, problem=problem), ProblemState
            ),
            "panel": panel,
            "failed": failed,
            "may_draft": may_draft,
        }


class ProblemView(PermissionRequiredMixin, ProblemPageMixin, TemplateView):
    required_model = Problem

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


class ProblemActView(PermissionRequiredMixin, PanelActMixin, ProblemPageMixin, TemplateView):
    """POST only: one action of the problem's panel. Done: back to the problem with a message;
    refused: the page again with the reason and what was typed."""

    required_model = Problem
    acts = PROBLEM_ACTS
    perform = PROBLEM_PERFORM

    def done_text(self, name: str, act: Act, record: Problem) -> str:
        return _("“%(action)s” is done: the problem is %(state)s.") % {
            "action": act.button,
            "state": record.get_state_display(),
        }


# --- rectification notices -----------------------------------------------------------------


class NoticeListView(PermissionRequiredMixin, TemplateView):
    """The notices the user may see, newest first, with their due moments; fifty a page in the
    same queries however many there are."""

    required_model = RectificationNotice
    template_name = "inspections/notice_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = NoticeFilterForm(self.request.GET or None, units=selectors.notice_units(user=user))
        found = selectors.notices(user=user)
        if form.is_bound:
            found = (
                selectors.notice_filter(found, **form.arguments())
                if form.is_valid()
                else found.none()
            )
        page = list_page(
            found,
            order=("-created_at", "-pk"),
            number=page_number(self.request.GET.get("page")),
            per_page=PER_PAGE,
        )
        context.update(
            list_page_context(page, query_without_page(self.request)),
            filter_form=form,
            filtered=form.given(),
            may_draft=can(user, Action.ADD, RectificationNotice),
        )
        return context


def _ids(text: str) -> list[int]:
    found = []
    for part in (text or "").split(","):
        part = part.strip()
        if is_key(part):
            found.append(int(part))
    return found


class NoticeCreateView(PermissionRequiredMixin, TemplateView):
    """A draft notice for problems of one unit: ?problems=1,2 (from the ledger), ?unit=<id>,
    or ?corrects=<id> (a correction of a notice in force, a new notice). Saved as a draft; the
    notice's page then issues it."""

    required_model = RectificationNotice
    required_action = Action.ADD
    template_name = "inspections/notice_new.html"

    def get(self, request, *args, **kwargs):
        self.setup_unit()
        return super().get(request, *args, **kwargs)

    def setup_unit(self) -> None:
        """The unit and the problems offered, from the URL (after the permission check)."""
        user, query = self.request.user, self.request.GET
        self.corrects = None
        self.unit = None
        self.preselected: list[int] = []
        if query.get("corrects"):
            pk = _ids(query["corrects"])
            self.corrects = selectors.notice_by_id(user=user, pk=pk[0]) if pk else None
            if self.corrects is None or self.corrects.state not in OPEN_NOTICE_STATES:
                raise Http404(_("No notice in force to correct."))
            self.unit = self.corrects.addressee
            self.preselected = list(self.corrects.problems.values_list("pk", flat=True))
        elif query.get("problems"):
            wanted = _ids(query["problems"])
            found = list(selectors.problems(user=user).filter(pk__in=wanted))
            if not found:
                raise Http404(_("No such problem."))
            self.unit = found[0].department
            self.preselected = [p.pk for p in found if p.department_id == self.unit.pk]
        elif query.get("unit") and is_key(query["unit"]):
            problem = (
                selectors.problems(user=user)
                .filter(department_id=query["unit"], state=ProblemState.OPEN)
                .first()
            )
            self.unit = problem.department if problem else None
        if self.unit is not None:
            self.choices = selectors.notice_unit_problems(
                user=user, department=self.unit, correcting=self.corrects is not None
            )

    def form(self, data=None) -> forms.NoticeForm:
        jurisdiction = (
            self.corrects.jurisdiction if self.corrects else self.choices.first().jurisdiction
        )
        initial = {"problems": self.preselected}
        if self.corrects is not None:
            initial.update(
                title=self.corrects.title,
                requirements=self.corrects.requirements,
                deadline_days=self.corrects.deadline_days,
            )
        return forms.NoticeForm(
            data, problems=self.choices, jurisdiction=jurisdiction, unit=self.unit, initial=initial
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(unit=self.unit, corrects=self.corrects)
        if self.unit is None or not self.choices.exists():
            context["units"] = self.units_with_open_problems()
            context["unit"] = None
            return context
        context.setdefault("form", self.form())
        return context

    def units_with_open_problems(self) -> list:
        found = {}
        for problem in selectors.problems(user=self.request.user).filter(state=ProblemState.OPEN):
            row = found.setdefault(problem.department_id, [problem.department, 0])
            row[1] += 1
        return sorted(found.values(), key=lambda row: row[0].name)

    def post(self, request, *args, **kwargs):
        self.setup_unit()
        if self.unit is None or not self.choices.exists():
            return redirect("inspections:notice-new")
        form = self.form(request.POST)
        if form.is_valid():
            try:
                notice = services.notice_draft(
                    actor=request.user, corrects=self.corrects, **form.arguments()
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _("The draft notice to %(unit)s is saved. Check it, then issue it.")
                    % {"unit": notice.addressee},
                )
                return redirect("inspections:notice", pk=notice.pk)
        return self.render_to_response(self.get_context_data(form=form))


NOTICE_ACTS: dict[str, Act] = {
    "issue": Act(forms.NoticeIssueForm, gettext_lazy("Issue the notice")),
    "report": Act(forms.RectificationReportForm, gettext_lazy("Report the rectification")),
    "milestone-add": Act(forms.MilestoneAddForm, gettext_lazy("Add a milestone")),
    "milestone-progress": Act(
        forms.MilestoneProgressForm, gettext_lazy("Report progress on a milestone")
    ),
    "accept": Act(forms.NoticeAcceptForm, gettext_lazy("Accept the rectification")),
    "return": Act(forms.NoticeReturnForm, gettext_lazy("Return with reasons")),
    "not-fixed": Act(forms.NoticeNotFixedForm, gettext_lazy("Close as not fixed")),
    "withdraw": Act(forms.NoticeWithdrawForm, gettext_lazy("Withdraw the notice")),
}
# The panel's entries of each transition services.NOTICES offers.
NOTICE_ENTRIES = {
    Transition.NOTICE_ISSUE: ("issue",),
    Transition.NOTICE_REPORT: ("report",),
    Transition.MILESTONE: ("milestone-add", "milestone-progress"),
    Transition.NOTICE_ACCEPT: ("accept",),
    Transition.NOTICE_RETURN: ("return",),
    Transition.NOTICE_NOT_FIXED: ("not-fixed",),
    Transition.NOTICE_WITHDRAW: ("withdraw",),
}


def _milestone_progress(*, actor, notice, milestone, **arguments):
    return services.milestone_progress(actor=actor, milestone=milestone, **arguments)


NOTICE_PERFORM: dict[str, Callable] = {
    "issue": services.notice_issue,
    "report": services.rectification_report,
    "milestone-add": services.milestone_add,
    "milestone-progress": _milestone_progress,
    "accept": services.notice_accept,
    "return": services.notice_return,
    "not-fixed": services.notice_close_not_fixed,
    "withdraw": services.notice_withdraw,
}
NOTICE_DONE = {
    "issue": gettext_lazy("Notice %(number)s is issued; its PDF is kept as issued."),
}


class NoticePageMixin(RecordLookupMixin):
    template_name = "inspections/notice_detail.html"

    record_attribute = "notice"
    not_found = gettext_lazy("No such notice.")

    def find(self):
        return selectors.notice_by_id(user=self.request.user, pk=self.kwargs["pk"])

    def entries(self) -> list[str]:
        names = []
        for transition in services.NOTICES.available(self.request.user, self.notice):
            names.extend(NOTICE_ENTRIES.get(transition, ()))
        return names

    def page_context(self, failed: PanelForm | None = None) -> dict:
        user, notice = self.request.user, self.notice
        milestones = list(selectors.notice_milestones(user=user, notice=notice))
        panel = []
        for name in self.entries():
            if name == "milestone-progress" and not milestones:
                continue
            if failed is not None and failed.name == name:
                panel.append(failed)
            else:
                act = NOTICE_ACTS[name]
                panel.append(PanelForm(name, act, act.form(user=user, notice=notice, prefix=name)))
        if failed is not None and failed not in panel:
            panel.insert(0, failed)
        steps = list(selectors.notice_open_steps(user=user, notice=notice))
        corrects = None
        if notice.corrects_id:
            corrects = selectors.notice_by_id(user=user, pk=notice.corrects_id)
        return {
            "notice": notice,
            "problems": list(selectors.notice_problems(user=user, notice=notice)),
            "milestones": milestones,
            "reports": list(selectors.notice_reports(user=user, notice=notice)),
            "assessment": list(
                AssessmentRecord.objects.restrict(user, Action.VIEW)
                .filter(notice=notice)
                .order_by("recorded_at", "pk")
            ),
            "corrects": corrects,
            "corrections": list(selectors.notice_corrections(user=user, notice=notice)),
            "open_steps": steps,
            "timeline": _timeline(selectors.notice_events(user=user, notice=notice), NoticeState),
            "panel": panel,
            "failed": failed,
            "may_correct": notice.state in OPEN_NOTICE_STATES and can(user, MANAGE, notice),
        }


class NoticeView(PermissionRequiredMixin, NoticePageMixin, TemplateView):
    required_model = RectificationNotice

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


class NoticeActView(PermissionRequiredMixin, PanelActMixin, NoticePageMixin, TemplateView):
    """POST only: one action of the notice's panel through its service, as the user. Done:
    back to the notice with a message; refused: the page again with the reason next to the
    form and everything typed (files are chosen again)."""

    required_model = RectificationNotice
    acts = NOTICE_ACTS
    perform = NOTICE_PERFORM

    def done_text(self, name: str, act: Act, record: RectificationNotice) -> str:
        if name in NOTICE_DONE:
            return NOTICE_DONE[name] % {"number": record.number}
        return _("“%(action)s” is done: the notice is %(state)s.") % {
            "action": act.button,
            "state": record.get_state_display(),
        }


class NoticePdfView(PermissionRequiredMixin, NoticePageMixin, View):
    """The notice's PDF exactly as issued (its bytes never change after issue); "not found"
    before it is issued and for users who may not see the notice."""

    required_model = RectificationNotice

    def get(self, request, *args, **kwargs):
        if not self.notice.pdf:
            raise Http404(_("The notice is not issued yet."))
        return file_download(
            self.notice.pdf, f"{self.notice.number}.pdf", missing=_("The file is missing.")
        )


# --- the assessment ledger and reports -------------------------------------------------------


class AssessmentListView(PermissionRequiredMixin, TemplateView):
    """The assessment ledger (记入单位绩效考核台账, seed 002 管理办法 第十九条): rectification
    overdue or not fixed, by unit and year, with the one-vote veto (seed 001 第十六条)."""

    required_model = AssessmentRecord
    template_name = "inspections/assessment_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        years, units = selectors.assessment_years_units(user=user)
        form = AssessmentFilterForm(self.request.GET or None, years=years, units=units)
        found = selectors.assessment_records(user=user)
        if form.is_bound:
            found = (
                selectors.assessment_filter(found, **form.arguments())
                if form.is_valid()
                else found.none()
            )
        page = list_page(
            found,
            order=("-year", "-recorded_at", "-pk"),
            number=page_number(self.request.GET.get("page")),
            per_page=PER_PAGE,
        )
        context.update(
            list_page_context(page, query_without_page(self.request)),
            filter_form=form,
            filtered=form.given(),
        )
        return context


class ReportCreateView(PermissionRequiredMixin, TemplateView):
    """A supervisor publishes a periodic report (通报, seed 002 联合督查办法 第七条) for their
    jurisdiction: it goes on the public site as it is published."""

    required_model = Report
    required_action = Action.ADD
    template_name = "inspections/report_new.html"

    def form(self, data=None) -> forms.ReportForm:
        jurisdictions = selectors.report_jurisdictions(user=self.request.user)
        form = forms.ReportForm(data, jurisdictions=jurisdictions)
        form.fields["jurisdiction"].initial = self.request.user.jurisdiction_id
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                report = report_services.report_publish(actor=request.user, **form.arguments())
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("“%(title)s” is published.") % {"title": report.title})
                return redirect("inspections:public-report", pk=report.pk)
        return self.render_to_response(self.get_context_data(form=form))
