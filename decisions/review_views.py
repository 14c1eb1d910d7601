"""Pages of case-file reviews (卷宗评查, issue 14 §7), the statistics by department (§9) and the
flow-step dates of a decision (§8).

Reads go through decisions.selectors (which scope to the user), writes through
decisions.services; a refusal (DomainError) is shown on the page again next to the form with
everything typed. Records the user may not see are "not found"."""

import datetime
import json

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, ListView, TemplateView

from core import calendar
from core.forms import is_key
from core.permissions import Action, can
from core.services import DomainError
from core.views import Act, PanelActMixin, PanelForm, PermissionRequiredMixin, RecordLookupMixin
from inspections import draw as drawing

from . import review_forms as forms
from . import selectors, services
from .choices import Flag, ReviewState
from .models import CaseReview, Decision
from .permissions import MANAGE

# --- case-file reviews ---------------------------------------------------------------------------

REVIEW_ACTS: dict[str, Act] = {
    "commit": Act(forms.CommitForm, gettext_lazy("Freeze the pool and publish the commitment")),
    "draw": Act(forms.DrawForm, gettext_lazy("Reveal the seed and draw the files")),
    "finish": Act(forms.FinishForm, gettext_lazy("Finish the review")),
}
REVIEW_PERFORM = {
    "commit": services.case_review_commit,
    "draw": services.case_review_draw,
    "finish": services.case_review_finish,
}
# The one action open in each state.
ACT_IN_STATE = {
    ReviewState.DRAFT: "commit",
    ReviewState.COMMITTED: "draw",
    ReviewState.DRAWN: "finish",
}


class ReviewListView(PermissionRequiredMixin, ListView):
    """The reviews the user may see (the office, supervisors and administrators of their
    jurisdiction and those below), newest first, fifty a page."""

    required_model = CaseReview
    template_name = "decisions/review_list.html"
    context_object_name = "reviews"
    paginate_by = 50

    def get_queryset(self):
        return selectors.case_reviews(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_create"] = can(self.request.user, Action.ADD, CaseReview)
        return context


class ReviewCreateView(PermissionRequiredMixin, FormView):
    """A new review by a supervisor (seed 002 监督检查办法 第十五条), through
    services.case_review_create."""

    required_model = CaseReview
    required_action = Action.ADD
    template_name = "decisions/review_form.html"
    form_class = forms.ReviewCreateForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["jurisdictions"] = selectors.review_jurisdictions(user=self.request.user)
        return kwargs

    def form_valid(self, form):
        try:
            review = services.case_review_create(actor=self.request.user, **form.cleaned_data)
        except DomainError as refused:
            form.add_error(None, str(refused))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Review “%(review)s” is created: freeze its pool when the period is over.")
            % {"review": review.title},
        )
        return redirect("decisions:review", review.pk)


def _check(review: CaseReview) -> dict:
    """What anyone can check on the page once the seed is revealed: the seed matches the
    commitment, and re-running the draw over the published pool gives the files drawn."""
    if not review.pool:
        return {}
    pool = json.loads(review.pool)
    found = {"pool_size": len(pool["decisions"]), "pool_hash": drawing.pool_hash(review.pool)}
    if review.state in (ReviewState.DRAWN, ReviewState.FINISHED):
        found["commitment_holds"] = drawing.commitment(review.seed) == review.commitment
        found["rerun_holds"] = services.review_draw_run(review.seed, review.pool) == review.result
    return found


class ReviewPageMixin(RecordLookupMixin):
    """The review named in the URL among those the user may see, and its page's context."""

    template_name = "decisions/review_detail.html"
    record_attribute = "review"
    not_found = gettext_lazy("No such review.")

    def find(self):
        return selectors.case_review(user=self.request.user, pk=self.kwargs["pk"])

    def page_context(self, failed: PanelForm | None = None) -> dict:
        user, review = self.request.user, self.review
        name = ACT_IN_STATE.get(review.state)
        panel = []
        if failed is not None:
            panel.append(failed)
        elif name and can(user, MANAGE, review):
            act = REVIEW_ACTS[name]
            panel.append(PanelForm(name, act, act.form(review=review, prefix=name)))
        files = list(selectors.reviewed_files(user=user, review=review))
        return {
            "review": review,
            "files": files,
            "scored": sum(1 for file in files if file.scored_at),
            "checklist_total": sum(row["max"] for row in review.checklist),
            "revealed": review.state in (ReviewState.DRAWN, ReviewState.FINISHED),
            "check": _check(review),
            "panel": panel,
            "failed": failed,
            "act_url": "decisions:review-act",
            "record": review,
            "may_manage": can(user, MANAGE, review),
        }


class ReviewView(PermissionRequiredMixin, ReviewPageMixin, TemplateView):
    """One review: its period and checklist, the commitment, the pool (downloadable as the
    exact text the draw hashes), the seed once drawn with the re-run check, and the files with
    their scores. `?download=pool` gives the pool text."""

    required_model = CaseReview

    def get(self, request, *args, **kwargs):
        if request.GET.get("download") == "pool":
            if not self.review.pool:
                raise Http404(_("The pool is frozen when the draw is committed."))
            response = HttpResponse(self.review.pool, content_type="application/json")
            response["Content-Disposition"] = (
                f'attachment; filename="case-review-{self.review.pk}-pool.json"'
            )
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


class ReviewActView(PermissionRequiredMixin, PanelActMixin, ReviewPageMixin, TemplateView):
    """POST only: commit, draw or finish, each confirmed first. Done: back to the review with
    a message; refused: the page again with the reason next to the form."""

    required_model = CaseReview
    acts = REVIEW_ACTS
    perform = REVIEW_PERFORM
    say_nothing_done = True

    def bound_form(self, act: Act, name: str, record: CaseReview):
        # The review's forms only confirm: they read the review, not the user.
        return act.form(self.request.POST, review=record, prefix=name)

    def perform_act(self, name: str, form, record: CaseReview) -> None:
        REVIEW_PERFORM[name](actor=self.request.user, review=record)

    def done_text(self, name: str, act: Act, record: CaseReview) -> str:
        return _("“%(action)s” is done: the review is now %(state)s.") % {
            "action": act.button,
            "state": ReviewState(record.state).label,
        }

    def done_url(self, record: CaseReview) -> str:
        return reverse("decisions:review", args=[record.pk])


class ReviewedFileView(PermissionRequiredMixin, ReviewPageMixin, FormView):
    """One drawn file: the decision, and the score form while the review is drawn (its
    supervisors score; the others see the scores)."""

    required_model = CaseReview
    template_name = "decisions/review_file.html"
    form_class = forms.ScoreForm

    def _file(self) -> None:
        found = None
        if is_key(self.kwargs.get("file", 0)):
            found = selectors.reviewed_file(
                user=self.request.user, review=self.review, pk=self.kwargs["file"]
            )
        if found is None:
            raise Http404(_("No such file in this review."))
        self.file = found
        self.may_score = self.review.state == ReviewState.DRAWN and can(
            self.request.user, MANAGE, self.review
        )

    def get(self, request, *args, **kwargs):
        self._file()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._file()
        if not self.may_score:
            return self.handle_no_permission()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["checklist"] = self.review.checklist
        kwargs["locked_findings"] = self.file.problem_id is not None
        if self.file.scored_at:
            kwargs["initial"] = {
                **{forms.ScoreForm.point_field(p): v for p, v in self.file.scores.items()},
                "findings": self.file.findings,
            }
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decision = self.file.decision
        context.update(
            review=self.review,
            file=self.file,
            decision=decision,
            may_score=self.may_score,
            scores=[
                (row["label"], self.file.scores.get(row["point"]), row["max"])
                for row in self.review.checklist
            ],
            checklist_total=sum(row["max"] for row in self.review.checklist),
            flags=[Flag(flag).label for flag in decision.flags],
            may_see_decision=can(self.request.user, Action.VIEW, decision),
        )
        return context

    def form_valid(self, form):
        try:
            services.reviewed_file_score(
                actor=self.request.user, file=self.file, **form.arguments()
            )
        except DomainError as refused:
            form.add_error(None, str(refused))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The file of %(decision)s is scored.")
            % {"decision": self.file.decision.number or self.file.decision.title},
        )
        return redirect("decisions:review", self.review.pk)


# --- statistics ----------------------------------------------------------------------------------


class _StaffOnly(AccessMixin):
    """Anonymous visitors go to the login page; staff without the right get 403."""

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not self.allowed(request.user):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


def _staff_list(department_id: int, start: datetime.date, end: datetime.date, **more) -> str:
    """The staff's list of decisions filtered to one department, period and figure
    (decisions.filtersets.DecisionFilter)."""
    query = {
        "department": department_id,
        "decided_from": start.isoformat(),
        "decided_to": end.isoformat(),
        **more,
    }
    return f"{reverse('decisions:staff-list')}?{urlencode(query)}"


def _links(row: selectors.DepartmentStatistics, start, end) -> dict[str, str]:
    pk = row.department.pk
    return {
        "decisions": _staff_list(pk, start, end),
        "published_late": _staff_list(pk, start, end, flagged=Flag.PUBLISHED_LATE),
        "overdue": _staff_list(pk, start, end, awaiting="on", overdue="on"),
        "awaiting": _staff_list(pk, start, end, awaiting="on"),
        "officer_uncertified": _staff_list(pk, start, end, flagged=Flag.OFFICER_UNCERTIFIED),
        "body_unpublished": _staff_list(pk, start, end, flagged=Flag.BODY_UNPUBLISHED),
        "item_not_in_force": _staff_list(pk, start, end, flagged=Flag.ITEM_NOT_IN_FORCE),
        "body_mismatch": _staff_list(pk, start, end, flagged=Flag.BODY_MISMATCH),
    }


# The figures summed for the table's last row.
TOTALLED = (
    "decisions",
    "served",
    "published_on_time",
    "published_late",
    "overdue",
    "awaiting",
    "officer_uncertified",
    "body_unpublished",
    "item_not_in_force",
    "body_mismatch",
    "records_late",
    "steps_measured",
    "steps_missed",
)


class StatisticsView(_StaffOnly, TemplateView):
    """Issue 14 §9: per department of a jurisdiction (and those below it), for a period of
    decision dates: decisions, publication on time and late (an unpublished decision past its
    10 days counted late), decisions by uncertified officers or unpublished bodies, items not
    in force or of another body, late case records and flow steps that missed their limit.
    For the office, supervisors and administrators of the jurisdiction. One aggregate query
    (selectors.decision_statistics) however many departments."""

    template_name = "decisions/statistics.html"

    def allowed(self, user) -> bool:
        return selectors.statistics_jurisdictions(user=user).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        jurisdictions = selectors.statistics_jurisdictions(user=user)
        today = timezone.localdate(timezone.now(), calendar.SHANGHAI)
        defaults = {
            "jurisdiction": user.jurisdiction_id or jurisdictions.first().pk,
            "start": datetime.date(today.year, 1, 1),
            "end": today,
        }
        data = self.request.GET if any(name in self.request.GET for name in defaults) else None
        form = forms.StatisticsForm(data, initial=defaults, jurisdictions=jurisdictions)
        context.update(form=form, rows=None)
        if data is not None and not form.is_valid():
            return context
        values = form.cleaned_data if data is not None else {}
        jurisdiction = values.get("jurisdiction") or jurisdictions.get(pk=defaults["jurisdiction"])
        start = values.get("start") or defaults["start"]
        end = values.get("end") or defaults["end"]
        rows = selectors.decision_statistics(
            user=user, jurisdiction=jurisdiction, start=start, end=end
        )
        context.update(
            jurisdiction=jurisdiction,
            start=start,
            end=end,
            rows=[(row, _links(row, start, end)) for row in rows],
            totals={name: sum(getattr(row, name) for row in rows) for name in TOTALLED},
        )
        return context


# --- the flow-step dates of a decision -----------------------------------------------------------


class FlowStepTimesView(PermissionRequiredMixin, RecordLookupMixin, FormView):
    """Seed 004 一(二)3: the clerk of the decision's department records when each flow step of
    its item (as it stood on the decision date) started and ended; the page shows the working
    days used against each step's limit. GET: the form with what is recorded; POST records
    (services.flow_step_times_record), replacing the earlier dates."""

    required_model = Decision
    required_action = Action.CHANGE
    template_name = "decisions/flow_step_times.html"
    form_class = forms.FlowStepTimesForm
    record_attribute = "decision"
    not_found = gettext_lazy("No such decision.")

    def find(self):
        return selectors.step_time_decision(user=self.request.user, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.flow = services.decision_flow(self.decision)
        self.recorded = list(
            selectors.decision_step_times(user=self.request.user, decision=self.decision)
        )
        kwargs.update(flow=self.flow, recorded=self.recorded)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(decision=self.decision, recorded=self.recorded, has_flow=bool(self.flow))
        return context

    def form_valid(self, form):
        try:
            services.flow_step_times_record(
                actor=self.request.user, decision=self.decision, dates=form.dates()
            )
        except DomainError as refused:
            form.add_error(None, str(refused))
            return self.form_invalid(form)
        messages.success(self.request, _("The dates of the flow steps are recorded."))
        return redirect("decisions:step-times", self.decision.pk)
