"""Staff pages of the adjustment procedure (SPEC §4, seed 004 三(三); issue 4 §2, §7): the list
of requests, the request form, one request's page with its timeline and action panel, its
documents, and the jurisdiction's policy.

Reads go through adjustments.selectors (which scope to the user), writes through
adjustments.services; a refusal (DomainError, TransitionRefused) is shown on the page it came
from, with everything the user typed."""

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from core import calendar
from core.filtersets import filtered, filters_given
from core.models import Department, Jurisdiction
from core.permissions import Action, can, restrict
from core.services import DomainError
from core.views import Act, PanelForm, PermissionRequiredMixin, RecordLookupMixin, file_download
from registry import selectors as registry_selectors
from registry.choices import EntryStatus
from registry.models import Draft

from . import forms, selectors, services
from .choices import (
    ChangeKind,
    RequestOrigin,
    RequestState,
    ReviewConclusion,
    Transition,
)
from .filtersets import RequestFilter
from .models import AdjustmentPolicy, AdjustmentRequest, RequestEvent, Step
from .permissions import TALK

# Every transition a person performs from the request page. Transition.UPDATE has a page of
# its own (RequestEditView); the deadline events are the sweep's.
ACTS: dict[str, Act] = {
    Transition.SUBMIT: Act(forms.SubmitForm, gettext_lazy("Submit to the reform office")),
    Transition.RESUBMIT: Act(forms.ResubmitForm, gettext_lazy("Resubmit")),
    Transition.WITHDRAW: Act(forms.WithdrawForm, gettext_lazy("Withdraw the request")),
    Transition.EXTENSION_REQUEST: Act(
        forms.ExtensionRequestForm,
        gettext_lazy("Ask for more time"),
    ),
    Transition.EXTEND: Act(forms.ExtendForm, gettext_lazy("Extend the period")),
    Transition.FORWARD: Act(forms.ForwardForm, gettext_lazy("Forward to lead review")),
    Transition.RETURN: Act(forms.ReturnForm, gettext_lazy("Return for supplement")),
    Transition.REJECT: Act(forms.RejectForm, gettext_lazy("Reject the request")),
    Transition.REVIEW: Act(forms.ReviewForm, gettext_lazy("Give the review opinion")),
    Transition.JOINT_REQUEST: Act(
        forms.JointRequestForm,
        gettext_lazy("Ask for a joint review"),
    ),
    Transition.JOINT_DECLINE: Act(
        forms.JointDeclineForm,
        gettext_lazy("No joint review needed"),
    ),
    Transition.JOINT_CONVENE: Act(
        forms.JointConveneForm,
        gettext_lazy("Record the meeting"),
    ),
    Transition.JOINT_CONCLUDE: Act(
        forms.JointConcludeForm,
        gettext_lazy("Give the joint opinion"),
    ),
    Transition.APPROVE: Act(forms.ApproveForm, gettext_lazy("Issue the approval opinion")),
    Transition.CONFIRM: Act(forms.ConfirmForm, gettext_lazy("Confirm")),
    Transition.OBJECT: Act(forms.ObjectForm, gettext_lazy("Raise an objection")),
    Transition.OBJECTION_FORWARD: Act(
        forms.ObjectionForwardForm,
        gettext_lazy("Send to re-review"),
    ),
    Transition.REREVIEW: Act(
        forms.RereviewForm,
        gettext_lazy("Give the re-review opinion"),
    ),
    Transition.PARENT_FORWARD: Act(
        forms.ParentForwardForm,
        gettext_lazy("Forward to the office above"),
    ),
    Transition.PARENT_REVIEW: Act(
        forms.ParentReviewForm,
        gettext_lazy("Give the review opinion"),
    ),
    Transition.MEETING: Act(
        forms.MeetingForm,
        gettext_lazy("Record the decision"),
    ),
    Transition.DIGITAL_FORWARD: Act(
        forms.DigitalForwardForm,
        gettext_lazy("Send to the digital office"),
    ),
    Transition.PUBLISH: Act(forms.PublishForm, gettext_lazy("Publish now")),
    Transition.SITE_UPDATE: Act(forms.SiteUpdateForm, gettext_lazy("Confirm the update")),
    Transition.FILE: Act(forms.FileForm, gettext_lazy("Record as filed")),
}


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    """A request of the list with its soonest due open step and whether any step is late."""

    adjustment: AdjustmentRequest
    next_step: Step | None
    overdue: bool
    law_change: bool


def _list_row(adjustment: AdjustmentRequest) -> ListRow:
    steps = adjustment.open_steps
    return ListRow(
        adjustment=adjustment,
        next_step=Step.soonest_due(steps),
        overdue=any(step.is_overdue for step in steps),
        law_change=adjustment.origin == RequestOrigin.LAW_CHANGE,
    )


class RequestListView(PermissionRequiredMixin, ListView):
    """Issue 4 §7: the requests the user may see (selectors.requests), filtered in the URL,
    fifty a page, each with whom it waits on and its next due moment. The queries are the
    same however many requests a page shows (open steps and clock stops are prefetched)."""

    required_model = AdjustmentRequest
    template_name = "adjustments/request_list.html"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        visible = selectors.requests(user=user)
        departments = (
            Department.objects.restrict(user, Action.VIEW)
            .filter(pk__in=visible.values("department_id"))
            .select_related("jurisdiction")
            .order_by("jurisdiction__path", "name")
        )
        self.filterset = RequestFilter(
            self.request.GET or None, queryset=visible, departments=departments
        )
        return filtered(self.filterset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=[_list_row(adjustment) for adjustment in context["object_list"]],
            filter_form=self.filterset.form,
            filtered=filters_given(self.filterset),
            may_add=can(self.request.user, Action.ADD, AdjustmentRequest),
        )
        return context


# --- one request ------------------------------------------------------------------------------


class RequestLookupMixin(RecordLookupMixin):
    """After the permission check: the request named in the URL among those the user may see;
    "not found" otherwise, so nobody learns that a request they may not see exists."""

    record_attribute = "adjustment"
    not_found = gettext_lazy("No such adjustment request.")

    def find(self):
        return selectors.request_by_number(user=self.request.user, number=self.kwargs["number"])


@dataclass(frozen=True)
class TimelineRow:
    """One line of the timeline: a step (at its start) or an event, with the event's facts."""

    at: datetime.datetime
    step: Step | None = None
    event: RequestEvent | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)


def _moment(value: str) -> str:
    return date_format(
        datetime.datetime.fromisoformat(value).astimezone(calendar.SHANGHAI), "Y-m-d H:i"
    )


def _event_facts(event: RequestEvent, departments: dict[int, Department]) -> list[tuple[str, str]]:
    """What an event's detail records, as (label, text) lines."""
    detail = event.detail or {}

    def names(pks) -> str:
        return "、".join(str(departments[pk]) for pk in pks if pk in departments)

    facts = []
    if detail.get("conclusion"):
        facts.append((_("Conclusion"), str(ReviewConclusion(detail["conclusion"]).label)))
    if event.transition in (
        Transition.FORWARD,
        Transition.JOINT_REQUEST,
        Transition.OBJECT,
        Transition.OBJECTION_FORWARD,
    ) and detail.get("reviewers"):
        facts.append((_("Lead review departments"), names(detail.get("reviewers", []))))
    if event.transition == Transition.FORWARD and detail.get("primary"):
        facts.append((_("Primary reviewer"), names([detail["primary"]])))
    if event.transition == Transition.JOINT_CONVENE:
        facts += [
            (_("Meeting time"), _moment(detail["at"])),
            (_("Place"), detail.get("place", "")),
            (_("Participants"), names(detail.get("participants", []))),
        ]
    if event.transition == Transition.MEETING and "session" in detail:
        facts += [
            (_("Date of the meeting"), detail.get("date", "")),
            (_("Session"), detail["session"]),
            (_("Approved by the meeting"), _("Yes") if detail.get("approved") else _("No")),
        ]
    if event.transition == Transition.EXTEND and detail.get("days"):
        before, after = detail["days"]
        facts.append((_("Application period"), f"{before} → {after}"))
    if event.transition == Transition.EXTENSION_REQUEST and detail.get("days"):
        facts.append((_("Days asked for"), str(detail["days"])))
    deadline_events = (Transition.DEADLINE_REMINDER, Transition.DEADLINE_OVERDUE)
    if event.transition in deadline_events and detail.get("due"):
        facts.append((_("Due"), _moment(detail["due"])))
    if detail.get("late"):
        facts.append((_("Deadline"), _("after the due moment")))
    if detail.get("clock_stop_ended"):
        facts.append((_("Clock"), _("the stopped clock ended with the request")))
    return facts


def _timeline(user, adjustment: AdjustmentRequest) -> list[TimelineRow]:
    """Every step (at its start) and every event in time order. A transition's event carries
    the moment its steps finished and started at, so each step follows the action that
    opened it; the application step stands at the triggering event it runs from."""
    steps = selectors.request_steps(user=user, request=adjustment)
    events = selectors.request_events(user=user, request=adjustment)
    wanted = set()
    for event in events:
        detail = event.detail or {}
        wanted.update(detail.get("reviewers", []), detail.get("participants", []))
        if detail.get("primary"):
            wanted.add(detail["primary"])
    departments = Department.objects.restrict(user, Action.VIEW).in_bulk(wanted)
    rows = [
        (
            (event.at, 0, event.pk),
            TimelineRow(event.at, event=event, facts=_event_facts(event, departments)),
        )
        for event in events
    ]
    rows += [
        ((step.started_at, 1, step.pk), TimelineRow(step.started_at, step=step)) for step in steps
    ]
    return [row for _key, row in sorted(rows, key=lambda pair: pair[0])]


class RequestPageMixin(RequestLookupMixin):
    """The request page's context, shared by the page itself and by TransitionView, which
    shows the page again with the form that was refused."""

    template_name = "adjustments/request_detail.html"

    def page_context(
        self, failed: PanelForm | None = None, message_form: forms.MessageForm | None = None
    ) -> dict:
        user, adjustment = self.request.user, self.adjustment
        available = selectors.available_transitions(user=user, request=adjustment)
        panel = []
        for name in available:
            act = ACTS.get(name)
            if act is None:
                continue
            if failed is not None and failed.name == name:
                panel.append(failed)
            else:
                form = act.form(user=user, adjustment=adjustment, prefix=name)
                panel.append(PanelForm(name, act, form))
        if failed is not None and failed not in panel:
            # Not (or no longer) open to the user: shown first, with the reason and what
            # was typed, so nothing is lost.
            panel.insert(0, failed)
        affected, draftable = [], set()
        if adjustment.origin == RequestOrigin.LAW_CHANGE:
            affected = list(
                registry_selectors.published_entries(user=user)
                .filter(adjustment_obligations=adjustment)
                .order_by("basic_code", "pk")
            )
            if can(user, Action.ADD, Draft):
                draftable = set(
                    registry_selectors.editable_entries(user=user)
                    .filter(adjustment_obligations=adjustment)
                    .values_list("pk", flat=True)
                )
        items = selectors.request_items(user=user, request=adjustment)
        return {
            "adjustment": adjustment,
            "open_steps": adjustment.open_steps,
            "mine": list(selectors.waiting_steps(user=user).filter(request=adjustment)),
            "panel": panel,
            "failed": failed,
            "may_edit": Transition.UPDATE in available,
            "affected": [(entry, entry.pk in draftable) for entry in affected],
            "items": items,
            "repealed_basis": _repealed_basis(items),
            "published": adjustment.published_at is not None,
            "attachments": list(
                selectors.request_attachments(user=user, request=adjustment)
                .select_related("uploaded_by", "event")
                .order_by("uploaded_at", "pk")
            ),
            "timeline": _timeline(user, adjustment),
            "talk": selectors.request_messages(user=user, request=adjustment),
            "message_form": message_form
            or (forms.MessageForm(prefix="message") if can(user, TALK, adjustment) else None),
        }


def _repealed_basis(items) -> list:
    """Issue 9 §9: the proposals that keep an item in force on a repealed law, each with its
    warning (registry.selectors.repealed_basis_of), for the reviewers and the office."""
    proposed = [proposal.proposed for proposal in items]
    provisions = registry_selectors.provisions_of(proposed)
    found = []
    for entry in proposed:
        warning = entry.status == EntryStatus.IN_FORCE and registry_selectors.repealed_basis_of(
            entry, provisions
        )
        if warning:
            found.append((entry, warning))
    return found


class RequestDetailView(PermissionRequiredMixin, RequestPageMixin, TemplateView):
    """Issue 4 §2: one request: its facts, the entries a change of law concerns, whom it
    waits on, its proposed changes field by field, its documents, the timeline of every step
    and event (痕迹化管理, seed 004 preamble) and the actions open to the user."""

    required_model = AdjustmentRequest

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


class TransitionView(PermissionRequiredMixin, RequestPageMixin, TemplateView):
    """POST only: one transition of the request (seed 004 三(三)'s five steps, seed 003's two
    paths) through its service with the user as actor. A form error or a refusal shows the
    request page again with the form as typed and the reason; two people acting at once get
    the service's refusal for the second."""

    required_model = AdjustmentRequest
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        name = kwargs["transition"]
        act = ACTS.get(name)
        if act is None:
            raise Http404(_("No such action."))
        form = act.form(
            request.POST, request.FILES, user=request.user, adjustment=self.adjustment, prefix=name
        )
        if form.is_valid():
            try:
                done = services.PERFORM[name](
                    actor=request.user, request=self.adjustment, **form.arguments()
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _("“%(action)s” is done: request %(number)s is now %(state)s.")
                    % {
                        "action": Transition(name).label,
                        "number": done.number,
                        "state": RequestState(done.state).label,
                    },
                )
                return redirect("adjustments:detail", number=done.number)
        # Someone else may have acted meanwhile: the page shows the request as it is now.
        self.adjustment = self.lookup()
        context = self.get_context_data(**kwargs)
        context.update(self.page_context(failed=PanelForm(name, act, form)))
        return self.render_to_response(context)


class MessageView(PermissionRequiredMixin, RequestPageMixin, TemplateView):
    """POST only: a message between a lead reviewer and the applying department during review
    (seed 004 三(三)3 "主动与申请单位沟通对接"), through services.adjustment_message_send. A form
    error or a refusal shows the request page again with the message as typed."""

    required_model = AdjustmentRequest
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = forms.MessageForm(request.POST, request.FILES, prefix="message")
        if form.is_valid():
            try:
                services.adjustment_message_send(
                    actor=request.user, request=self.adjustment, **form.cleaned_data
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Your message is sent."))
                return redirect(
                    reverse("adjustments:detail", args=[self.adjustment.number]) + "#messages"
                )
        self.adjustment = self.lookup()
        context = self.get_context_data(**kwargs)
        context.update(self.page_context(message_form=form))
        return self.render_to_response(context)


class AttachmentView(PermissionRequiredMixin, RequestLookupMixin, View):
    """A document of a request, as a download under its original name. Never public: only
    for those who see the request (selectors.attachment), "not found" for everyone else."""

    required_model = AdjustmentRequest

    def get(self, request, *args, **kwargs):
        attachment = selectors.attachment(
            user=request.user, request=self.adjustment, pk=kwargs["pk"]
        )
        if attachment is None:
            raise Http404(_("No such document."))
        return file_download(
            attachment.file, attachment.name, missing=_("The file of this document is missing.")
        )


# --- the request form -------------------------------------------------------------------------


def _request_values(form: forms.RequestForm) -> dict:
    cleaned = form.cleaned_data
    return {
        **{
            name: cleaned[name]
            for name in ("trigger", "event_date", "summary", "reason", "law", "drafts", "files")
        },
        "moves": form.moves(),
    }


class RequestFormMixin:
    """What filing and editing a request share: the form, "Save" or "Save and submit", and a
    refusal shown at the top of the form with everything typed. Both service calls run in one
    transaction, so a refused submit leaves nothing half made."""

    template_name = "adjustments/request_form.html"
    adjustment: AdjustmentRequest | None = None

    def make_form(self, data=None, files=None) -> forms.RequestForm:
        # Bound forms get the initial values too: fields fixed after submission keep them.
        return forms.RequestForm(
            data,
            files,
            initial=self.initial_values(),
            user=self.request.user,
            adjustment=self.adjustment,
        )

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            send = request.POST.get("then") == "send"
            try:
                with transaction.atomic():
                    saved = self.save(form)
                    if send:
                        saved = self.send(saved, form.cleaned_data)
            except DomainError as refused:
                # A refusal about one field (a draft another request holds) stands next to it.
                form.add_error(getattr(refused, "field", None), str(refused))
            else:
                messages.success(request, self.done_message(saved, send))
                return redirect("adjustments:detail", number=saved.number)
        return self.render_to_response(self.get_context_data(form=form, invalid=True))

    def done_message(self, saved: AdjustmentRequest, sent: bool) -> str:
        if sent:
            return _("Request %(number)s is submitted to the reform office.") % {
                "number": saved.number
            }
        return _("Request %(number)s is saved.") % {"number": saved.number}


class RequestCreateView(PermissionRequiredMixin, RequestFormMixin, TemplateView):
    """Seed 004 三(三)1 申请: a department clerk files a request; `?draft=<id>` ticks one of
    the department's drafts."""

    required_model = AdjustmentRequest
    required_action = Action.ADD

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.department_id is None:
            # Requests belong to a department (a superuser may have none).
            raise PermissionDenied(_("Only a member of a department files adjustment requests."))
        return super().dispatch(request, *args, **kwargs)

    def initial_values(self) -> dict:
        draft = self.request.GET.get("draft", "")
        return {"drafts": [int(draft)]} if draft.isdecimal() else {}

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def save(self, form: forms.RequestForm) -> AdjustmentRequest:
        return services.adjustment_create(actor=self.request.user, **_request_values(form))

    def send(self, saved: AdjustmentRequest, values: dict) -> AdjustmentRequest:
        return services.adjustment_submit(actor=self.request.user, request=saved)


class RequestEditView(PermissionRequiredMixin, RequestLookupMixin, RequestFormMixin, TemplateView):
    """Seed 004 三(三)1: the department changes its request while preparing it, and
    supplements it when the office returned it (退回补正); the page then says why it was
    returned and offers "Save and resubmit". In any other state it cannot change."""

    required_model = AdjustmentRequest
    required_action = Action.CHANGE

    def editable(self):
        """None when the request may be changed now, else the redirect to its page."""
        if not can(self.request.user, Action.CHANGE, self.adjustment):
            raise PermissionDenied
        if self.adjustment.state in services.TRANSITIONS[Transition.UPDATE].sources:
            return None
        messages.error(
            self.request,
            _("Request %(number)s is %(state)s and can no longer be changed.")
            % {
                "number": self.adjustment.number,
                "state": RequestState(self.adjustment.state).label,
            },
        )
        return redirect("adjustments:detail", number=self.adjustment.number)

    def get(self, request, *args, **kwargs):
        refused = self.editable()
        if refused is not None:
            return refused
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def initial_values(self) -> dict:
        adjustment = self.adjustment
        return {
            "trigger": adjustment.trigger,
            "event_date": adjustment.event_date,
            "law": adjustment.law_id,
            "summary": adjustment.summary,
            "reason": adjustment.reason,
            "drafts": list(adjustment.items.values_list("draft_id", flat=True)),
            "moved": list(
                adjustment.items.filter(change=ChangeKind.MOVE).values_list("draft_id", flat=True)
            ),
            "receiving_department": adjustment.items.filter(change=ChangeKind.MOVE)
            .values_list("to_department_id", flat=True)
            .first(),
        }

    def post(self, request, *args, **kwargs):
        refused = self.editable()
        if refused is not None:
            return refused
        return super().post(request, *args, **kwargs)

    @property
    def supplementing(self) -> bool:
        return self.adjustment.state == RequestState.SUPPLEMENT

    def save(self, form: forms.RequestForm) -> AdjustmentRequest:
        return services.adjustment_update(
            actor=self.request.user, request=self.adjustment, **_request_values(form)
        )

    def send(self, saved: AdjustmentRequest, values: dict) -> AdjustmentRequest:
        if self.supplementing:
            return services.adjustment_resubmit(
                actor=self.request.user, request=saved, note=values.get("note", "")
            )
        return services.adjustment_submit(actor=self.request.user, request=saved)

    def done_message(self, saved: AdjustmentRequest, sent: bool) -> str:
        if sent and self.supplementing:
            return _("Request %(number)s is resubmitted to the reform office.") % {
                "number": saved.number
            }
        return super().done_message(saved, sent)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        returned = None
        if self.supplementing:
            returns = [
                event
                for event in selectors.request_events(
                    user=self.request.user, request=self.adjustment
                )
                if event.transition == Transition.RETURN
            ]
            returned = returns[-1] if returns else None
        context.update(
            adjustment=self.adjustment, returned=returned, supplementing=self.supplementing
        )
        return context


# --- the policy -------------------------------------------------------------------------------


class PolicyView(PermissionRequiredMixin, TemplateView):
    """SPEC §4 ("variants that must be expressible as policy per jurisdiction") and §1 (the
    office sets its jurisdiction's policies): the deadlines and paths the jurisdiction
    follows, its own, inherited from the one above or seed 004's defaults. The office (and an
    administrator, for any jurisdiction in scope with ?jurisdiction=<code>) edits them through
    services.policy_save; everyone else on the staff reads them."""

    required_model = AdjustmentPolicy
    template_name = "adjustments/policy.html"

    def prepare(self) -> None:
        user = self.request.user
        # Those who keep jurisdictions (administrators) may pick one in their scope.
        self.choices = list(
            restrict(Jurisdiction.objects.all(), user, Action.CHANGE).order_by("path")
        )
        code = self.request.GET.get("jurisdiction", "")
        if code and self.choices:
            chosen = next((j for j in self.choices if j.code == code), None)
            if chosen is None:
                raise Http404(_("No such jurisdiction in your scope."))
        else:
            chosen = user.jurisdiction or (self.choices[0] if self.choices else None)
        if chosen is None:
            raise Http404(_("You belong to no jurisdiction."))
        self.jurisdiction = chosen
        self.policy = selectors.policy_of(user=user, jurisdiction=chosen)
        self.own = self.policy.pk is not None and self.policy.jurisdiction_id == chosen.pk
        if self.own:
            self.may_edit = can(user, Action.CHANGE, self.policy)
        else:
            self.may_edit = can(user, Action.ADD, AdjustmentPolicy)

    def instance(self) -> AdjustmentPolicy:
        """The form's starting values: the own row, or a copy of what applies now."""
        if self.own:
            return self.policy
        values = {name: getattr(self.policy, name) for name in services.POLICY_FIELDS}
        return AdjustmentPolicy(jurisdiction=self.jurisdiction, **values)

    def get(self, request, *args, **kwargs):
        self.prepare()
        form = forms.PolicyForm(instance=self.instance()) if self.may_edit else None
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        self.prepare()
        if not self.may_edit:
            raise PermissionDenied
        form = forms.PolicyForm(request.POST, instance=self.instance())
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in services.POLICY_FIELDS}
            try:
                services.policy_save(
                    actor=request.user, jurisdiction=self.jurisdiction, values=values
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _("The adjustment policy of %(jurisdiction)s is saved.")
                    % {"jurisdiction": self.jurisdiction},
                )
                return redirect(self.page_url())
        return self.render_to_response(self.get_context_data(form=form, invalid=True))

    def page_url(self) -> str:
        url = reverse("adjustments:policy")
        if self.jurisdiction.pk != self.request.user.jurisdiction_id:
            url += f"?jurisdiction={self.jurisdiction.code}"
        return url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy = self.policy
        rows = []
        for name in services.POLICY_FIELDS:
            model_field = AdjustmentPolicy._meta.get_field(name)
            value = (
                getattr(policy, f"get_{name}_display")()
                if model_field.choices
                else getattr(policy, name)
            )
            # Where each number comes from: a seed's rule or this product's default (SPEC §4).
            rows.append((model_field.verbose_name, value, model_field.help_text))
        form = context.get("form")
        if form is not None:
            paths = [name for name in services.POLICY_FIELDS if name.endswith("_path")]
            periods = [name for name in services.POLICY_FIELDS if name not in {"basis", *paths}]
            context.update(
                period_fields=[form[name] for name in periods],
                path_fields=[form[name] for name in paths],
            )
        context.update(
            jurisdiction=self.jurisdiction,
            policy=policy,
            own=self.own,
            inherited_from=policy.jurisdiction if policy.pk and not self.own else None,
            may_edit=self.may_edit,
            rows=rows,
            choices=self.choices,
        )
        return context
