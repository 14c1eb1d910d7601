"""Staff pages of plans, draws and inspections (issue 13 §1–§3, §8): the work queue, the plans
with their filters, a new plan, one plan (scope, checklist, team, conflicts, the draws and the
inspections, with the actions open to the user now), one inspection (the procedure's records
of seed 004 二(三), its findings and the publication step), the written notice's PDF and the
files of the records.

Reads go through inspections.selectors (which scope to the user), writes through
inspections.services; a refusal (DomainError, TransitionRefused) is shown on the page again,
next to the form, with everything the user typed. Records the user may not see are "not
found"."""

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from core.permissions import Action, can
from core.services import DomainError
from core.views import (
    Act,
    PanelActMixin,
    PanelForm,
    PermissionRequiredMixin,
    RecordLookupMixin,
    file_download,
)

from . import forms, selectors, services
from .choices import (
    DrawState,
    InspectionState,
    Material,
    PlanState,
    ProblemSource,
    Transition,
)
from .models import Attachment, Inspection, Plan, Step
from .services import ledger

# --- the actions of the plan page: form, button, and the service it calls ---------------------

PLAN_ACTS: dict[str, Act] = {
    Transition.CONFLICT: Act(forms.ConflictForm, gettext_lazy("Declare a conflict (回避)")),
    Transition.COMMIT: Act(forms.CommitForm, gettext_lazy("Publish the commitment")),
    Transition.DRAW: Act(forms.DrawForm, gettext_lazy("Draw")),
    Transition.REDRAW: Act(forms.RedrawForm, gettext_lazy("Re-draw")),
    Transition.PLAN_START: Act(forms.InspectionCreateForm, gettext_lazy("Name a unit to inspect")),
    Transition.CANCEL: Act(forms.CancelForm, gettext_lazy("Cancel the plan")),
}
PLAN_PERFORM = {
    Transition.CONFLICT: services.conflict_declare,
    Transition.COMMIT: services.draw_commit,
    Transition.DRAW: services.plan_draw,
    Transition.REDRAW: services.plan_redraw,
    Transition.PLAN_START: services.inspection_create,
    Transition.CANCEL: services.plan_cancel,
}


def _finding(*, actor, inspection: Inspection, **arguments):
    return ledger.problem_record(
        actor=actor,
        source=ProblemSource.INSPECTION,
        inspection=inspection,
        department=inspection.department,
        jurisdiction=inspection.plan.jurisdiction,
        **arguments,
    )


INSPECTION_ACTS: dict[str, Act] = {
    Transition.INSPECTION_NOTIFY: Act(forms.NotifyForm, gettext_lazy("Send the written notice")),
    Transition.INSPECTION_RECORD: Act(forms.RecordForm, gettext_lazy("Record a step")),
    selectors.FINDING: Act(forms.FindingForm, gettext_lazy("Record a finding")),
    Transition.INSPECTION_FINISH: Act(forms.FinishForm, gettext_lazy("Tell the findings")),
    Transition.INSPECTION_PUBLISH: Act(forms.PublishForm, gettext_lazy("Publish the result")),
}
INSPECTION_PERFORM = {
    Transition.INSPECTION_NOTIFY: services.inspection_notify,
    Transition.INSPECTION_RECORD: services.inspection_record,
    selectors.FINDING: _finding,
    Transition.INSPECTION_FINISH: services.inspection_finish,
    Transition.INSPECTION_PUBLISH: services.inspection_publish,
}


# --- the queue and the list --------------------------------------------------------------------


class QueueView(PermissionRequiredMixin, TemplateView):
    """Issue 13 §8: what waits on the user: the inspections they are drawn for and have not
    finished, the steps they hold (publishing a result; a unit's rectification and the
    supervisor's verification, on the notice's page) with their due moments, and for
    supervisors the plans still to commit or draw. The same queries however many rows."""

    required_model = Inspection
    template_name = "inspections/queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        limit = selectors.QUEUE_LIMIT
        context.update(
            steps=list(selectors.waiting_steps(user=user)[:limit]),
            drawn=list(selectors.drawn_for(user=user)[:limit]),
            plans=list(selectors.plans_to_advance(user=user)[:limit]),
            limit=limit,
            may_plan=can(user, Action.ADD, Plan),
        )
        return context


class PlanListView(PermissionRequiredMixin, ListView):
    """The plans the user may see, filtered by mode, state and year in the URL, fifty a page."""

    required_model = Plan
    template_name = "inspections/plan_list.html"
    context_object_name = "plans"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        self.filter_form = forms.PlanFilterForm(
            self.request.GET or None, years=selectors.plan_years(user=user)
        )
        found = selectors.plans(user=user)
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            return selectors.plan_filter(
                found, mode=data["mode"], state=data["state"], year=data["year"]
            )
        if self.filter_form.is_bound:
            return found.none()
        return found

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["filtered"] = self.filter_form.is_bound and any(
            self.request.GET.get(name) for name in self.filter_form.fields
        )
        context["may_plan"] = can(self.request.user, Action.ADD, Plan)
        return context


class PlanCreateView(PermissionRequiredMixin, FormView):
    """A new plan by a supervisor (seed 004 二(三)1) through services.plan_create; a refusal
    is shown on the form with everything typed."""

    required_model = Plan
    required_action = Action.ADD
    template_name = "inspections/plan_form.html"
    form_class = forms.PlanForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["jurisdiction"] = self.request.user.jurisdiction
        mode = self.request.GET.get("mode")
        if mode in forms.BASIS:
            kwargs["initial"] = {**kwargs.get("initial", {}), "mode": mode}
        return kwargs

    def form_valid(self, form):
        try:
            plan = services.plan_create(actor=self.request.user, **form.arguments())
        except DomainError as refused:
            form.add_error(None, str(refused))
            return self.form_invalid(form)
        messages.success(
            self.request, _("Plan “%(plan)s” is created as a draft.") % {"plan": plan.title}
        )
        return redirect(plan.get_absolute_url())


# --- one plan ---------------------------------------------------------------------------------


def _raised(plan: Plan, draws: list) -> set[int]:
    """The departments drawn at the raised ratio: as they stand while the plan is a draft, as
    the latest commitment published them after."""
    if plan.state == PlanState.DRAFT or not draws:
        return services.raised_departments(plan, at=timezone.now())
    pool = json.loads(draws[-1].pool)
    return {target["id"] for target in pool["targets"] if target.get("raised")}


def _panel(acts: dict[str, Act], names: list[str], failed: PanelForm | None, build) -> list:
    panel = []
    # The panel follows the page's order of actions (a finding before the feedback).
    for name, act in acts.items():
        if name not in names:
            continue
        if failed is not None and failed.name == name:
            panel.append(failed)
        else:
            panel.append(PanelForm(name, act, build(act, name)))
    if failed is not None and failed not in panel:
        # No longer open to the user: shown first, with the reason and what was typed.
        panel.insert(0, failed)
    return panel


class PlanPageMixin(RecordLookupMixin):
    """The plan named in the URL among those the user may see ("not found" otherwise), and the
    plan page's context, shared by the page and by PlanActView."""

    template_name = "inspections/plan_detail.html"

    record_attribute = "plan"
    not_found = gettext_lazy("No such plan.")

    def find(self):
        return selectors.plan_by_id(user=self.request.user, pk=self.kwargs["pk"])

    def page_context(self, failed: PanelForm | None = None) -> dict:
        user, plan = self.request.user, self.plan
        draws = list(selectors.plan_draws(user=user, plan=plan))
        raised = _raised(plan, draws)
        names = selectors.plan_actions(user=user, plan=plan)
        return {
            "plan": plan,
            "scope": [(d, d.pk in raised) for d in selectors.plan_scope(plan=plan)],
            "raised_count": len(raised),
            "contents": selectors.plan_contents(plan=plan),
            "team": list(selectors.plan_team(user=user, plan=plan)),
            "conflicts": list(selectors.plan_conflicts(user=user, plan=plan)),
            "draws": draws,
            "inspections": list(selectors.plan_inspections(user=user, plan=plan)),
            "panel": _panel(
                PLAN_ACTS,
                names,
                failed,
                lambda act, name: act.form(user=user, plan=plan, prefix=name),
            ),
            "failed": failed,
            "act_url": "inspections:plan-act",
            "record": plan,
        }


class PlanView(PermissionRequiredMixin, PlanPageMixin, TemplateView):
    required_model = Plan

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


class PlanActView(PermissionRequiredMixin, PanelActMixin, PlanPageMixin, TemplateView):
    """POST only: one action of the plan's panel through its service, as the user. Done: back
    to the plan with a message. Refused: the page again with the reason next to the form and
    what was typed."""

    required_model = Plan
    acts = PLAN_ACTS
    perform = PLAN_PERFORM
    say_nothing_done = True

    def done_text(self, name: str, act: Act, record: Plan) -> str:
        return _("“%(action)s” is done: the plan is now %(state)s.") % {
            "action": act.button,
            "state": PlanState(record.state).label,
        }


# --- one inspection -----------------------------------------------------------------------------


class InspectionPageMixin(RecordLookupMixin):
    template_name = "inspections/inspection_detail.html"

    record_attribute = "inspection"
    not_found = gettext_lazy("No such inspection.")

    def find(self):
        return selectors.inspection_by_id(user=self.request.user, pk=self.kwargs["pk"])

    def page_context(self, failed: PanelForm | None = None) -> dict:
        user, inspection = self.request.user, self.inspection
        steps = list(selectors.inspection_steps(user=user, inspection=inspection))
        open_steps = [step for step in steps if step.finished_at is None]
        names = selectors.inspection_actions(
            user=user, inspection=inspection, open_steps=open_steps
        )
        holders = Step.holders_bulk(open_steps) if open_steps else {}
        return {
            "inspection": inspection,
            "plan": inspection.plan,
            "records": list(selectors.inspection_records(user=user, inspection=inspection)),
            "problems": list(selectors.inspection_problems(user=user, inspection=inspection)),
            "steps": [(step, holders.get(step.pk, [])) for step in steps],
            "panel": _panel(
                INSPECTION_ACTS,
                names,
                failed,
                lambda act, name: act.form(user=user, inspection=inspection, prefix=name),
            ),
            "failed": failed,
            "act_url": "inspections:inspection-act",
            "record": inspection,
            "replaced": inspection.state == InspectionState.REPLACED,
            "may_see_plan": can(user, Action.VIEW, inspection.plan),
            "materials": Material.choices,
            "drawn": inspection.draw_id is not None
            and inspection.draw.state != DrawState.COMMITTED,
        }


class InspectionView(PermissionRequiredMixin, InspectionPageMixin, TemplateView):
    required_model = Inspection

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


class InspectionActView(PermissionRequiredMixin, PanelActMixin, InspectionPageMixin, TemplateView):
    """POST only: one action of the inspection's panel through its service, as the user."""

    required_model = Inspection
    acts = INSPECTION_ACTS
    perform = INSPECTION_PERFORM
    say_nothing_done = True

    def done_text(self, name: str, act: Act, record: Inspection) -> str:
        return _("“%(action)s” is done: the inspection is now %(state)s.") % {
            "action": act.button,
            "state": InspectionState(record.state).label,
        }


class InspectionNoticePdfView(PermissionRequiredMixin, View):
    """The written notice as issued (a PDF), for those who may see the inspection."""

    required_model = Inspection

    def get(self, request, *args, **kwargs):
        inspection = selectors.inspection_by_id(user=request.user, pk=kwargs["pk"])
        if inspection is None or not inspection.notice_pdf:
            raise Http404(_("No such notice."))
        name = f"{inspection.notice_number or _('notice')}.pdf"
        return file_download(inspection.notice_pdf, name, missing=_("The file is missing."))


class AttachmentView(PermissionRequiredMixin, View):
    """A file of a record, report or milestone, only for those who may see what it belongs
    to; "not found" for everyone else."""

    required_model = Attachment

    def get(self, request, *args, **kwargs):
        attachment = selectors.attachment_by_id(user=request.user, pk=kwargs["pk"])
        if attachment is None:
            raise Http404(_("No such file."))
        return file_download(attachment.file, attachment.name, missing=_("The file is missing."))
