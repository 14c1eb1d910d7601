"""Staff pages of decisions and enforcement disclosure (issue 14 §1–§3, §5, §6).

- The queue: a department's decisions for its clerks (the overseers': those of their
  jurisdiction), filtered in the URL, each open step's due moment; the same queries however
  many rows.
- Recording a decision already made, opening a penalty case, correcting a decision: one form,
  whose problems come back from the services by field.
- A decision's page: everything in full (staff read the full text), its flags, officers,
  redactions, the public text, step times, case records, timeline, and the action panel built
  from services.PROCEDURE.available (the same table the API reads).
- Enforcement bodies (proposed by the clerks, confirmed by the reform office or the legal-affairs
  reviewers) and the department's officers with their certificates.

Reads go through decisions.selectors (which scope to the user: a record the user may not see is
"not found"), writes through decisions.services; a refusal (DomainError, RowProblems) is shown
next to the form, at the field it concerns, with everything typed."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from core.filtersets import filtered, filters_given
from core.forms import is_key
from core.models import Person
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
    timeline,
)

from . import forms, selectors, services
from .choices import (
    BodyState,
    DecisionState,
    Flag,
    PartyKind,
    PenaltyKind,
    Source,
)
from .filtersets import DecisionFilter
from .models import Decision, EnforcementBody, Event
from .permissions import CONFIRM
from .services.bodies import BODY_FIELDS
from .services.decisions import VALUE_FIELDS

PER_PAGE = 50

# Why each flag matters (seed 002 监督检查办法 第二十条), said on the decision's page.
FLAG_EXPLANATIONS = {
    Flag.ITEM_NOT_IN_FORCE: gettext_lazy(
        "The item cited was not in force on the decision date: a decision cites only items in "
        "force (第二十条(四))."
    ),
    Flag.BODY_MISMATCH: gettext_lazy(
        "The item belongs to another department than the one that decided (第二十条(六))."
    ),
    Flag.BODY_UNPUBLISHED: gettext_lazy(
        "The enforcement body was not confirmed and published on the decision date, or acted "
        "outside its entrustment: 未经确认、公布的,不得开展执法活动 (第十一条, 第二十条(六))."
    ),
    Flag.OFFICER_UNCERTIFIED: gettext_lazy(
        "An officer had no valid enforcement certificate on the decision date: only certified "
        "officers enforce (持证上岗, 第十一条, 第二十条(七))."
    ),
    Flag.PUBLISHED_LATE: gettext_lazy(
        "Published later than 10 days after service (第十三条: 决定书送达后10日内)."
    ),
}


def _own_department(request):
    """The department a clerk records for; someone without one records nothing."""
    department = request.user.department
    if department is None:
        raise PermissionDenied(_("You record the decisions of your own department only."))
    return department


# --- the queue ---------------------------------------------------------------------------------


class QueueView(PermissionRequiredMixin, TemplateView):
    """The decisions the user may see (a department's clerks their own, the overseers those of
    their jurisdiction), newest decided first, fifty a page; each open step with its due
    moment. The same queries however many rows."""

    required_model = Decision
    template_name = "decisions/staff_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        filterset = DecisionFilter(
            self.request.GET or None,
            queryset=selectors.staff_decisions(user=user),
            departments=selectors.decision_departments(user=user),
        )
        page = list_page(
            filtered(filterset),
            order=("-decided_on", "-pk"),
            number=page_number(self.request.GET.get("page")),
            per_page=PER_PAGE,
        )
        context.update(
            list_page_context(page, query_without_page(self.request)),
            filter_form=filterset.form,
            filtered=filters_given(filterset),
            may_record=can(user, Action.ADD, Decision),
            may_keep_bodies=_may_work_on_bodies(user),
            may_keep_officers=can(user, Action.CHANGE, Person),
        )
        return context


# --- recording a decision, opening a case ------------------------------------------------------


class DecisionCreateView(PermissionRequiredMixin, TemplateView):
    """A decision already made, recorded by its department's clerk (services.decision_record):
    decided, or served when the service date is given (its publication is then due within 10
    days)."""

    required_model = Decision
    required_action = Action.ADD
    template_name = "decisions/staff_form.html"
    form_class = forms.DecisionForm
    penalty_only = False
    heading = gettext_lazy("Record a decision")
    button = gettext_lazy("Save the decision")

    def form(self, data=None):
        user, department = self.request.user, _own_department(self.request)
        return self.form_class(
            data,
            items=selectors.decision_items(
                user=user, department=department, penalty_only=self.penalty_only
            ),
            bodies=selectors.decision_bodies(user=user, department=department),
            officers=selectors.decision_officer_choices(user=user, department=department),
            initial={"party_kind": PartyKind.ORGANISATION},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        context.update(heading=self.heading, button=self.button, case=self.penalty_only)
        return context

    def perform(self, form):
        return services.decision_record(
            actor=self.request.user,
            department=_own_department(self.request),
            given=form.given(),
        )

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                decision = self.perform(form)
            except services.RowProblems as problems:
                form.show_problems(problems.problems)
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, self.done_message(decision))
                return redirect("decisions:staff-detail", pk=decision.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def done_message(self, decision: Decision) -> str:
        if decision.state == DecisionState.SERVED:
            return _(
                "Decision %(number)s is recorded as served: publish it within 10 days of service."
            ) % {"number": decision}
        return _("Decision %(number)s is recorded. Record its service when it is served.") % {
            "number": decision
        }


class CaseCreateView(DecisionCreateView):
    """立案: a penalty case opened on this site (services.case_file), then handled stage by
    stage on its page with its records (seed 003 三(二)2)."""

    form_class = forms.CaseForm
    penalty_only = True
    heading = gettext_lazy("Open a penalty case")
    button = gettext_lazy("Open the case")

    def perform(self, form):
        return services.case_file(
            actor=self.request.user,
            department=_own_department(self.request),
            given=form.given(),
        )

    def done_message(self, decision: Decision) -> str:
        return _("Case “%(title)s” is filed. Upload each record within 24 hours of making it.") % {
            "title": decision.title
        }


# --- a decision's page -------------------------------------------------------------------------

ACTS: dict[str, Act] = {
    "investigate": Act(forms.InvestigateForm, gettext_lazy("Start the investigation")),
    "notify": Act(forms.NotifyForm, gettext_lazy("Record the notification")),
    "decide": Act(forms.DecideForm, gettext_lazy("Record the case's decision")),
    "serve": Act(forms.ServeForm, gettext_lazy("Record the service")),
    "publish": Act(forms.PublishForm, gettext_lazy("Publish the decision")),
    "upload": Act(forms.RecordUploadForm, gettext_lazy("Upload a case record")),
    "execute": Act(forms.ExecuteForm, gettext_lazy("Close as executed")),
    "redact": Act(forms.RedactForm, gettext_lazy("Redact a published part")),
    "revoke": Act(forms.RevokeForm, gettext_lazy("Revoke the decision")),
}
PERFORM: dict[str, Callable] = {
    "investigate": services.case_advance,
    "notify": services.case_advance,
    "decide": services.case_advance,
    "serve": services.decision_serve,
    "execute": services.case_advance,
    "publish": services.decision_publish,
    "upload": services.case_record_upload,
    "redact": services.decision_redact,
    "revoke": services.decision_revoke,
}
# What the page says once an action is done, where "the decision is <state>" says too little.
DONE = {
    "publish": gettext_lazy("Decision %(decision)s is published on the site."),
    "redact": gettext_lazy("The public text of decision %(decision)s is redacted."),
    "upload": gettext_lazy("The record of decision %(decision)s is uploaded."),
}
# The panel's order: the procedure's next step first, the irreversible ending last.
PANEL_ORDER = tuple(ACTS)
CORRECT = "correct"


def panel_names(user, decision: Decision) -> list[str]:
    """What the panel offers: the transitions services.PROCEDURE says the user may take now
    (one table for the page and the API), and the upload of a case record for the clerks of a
    case handled here."""
    names = set(services.PROCEDURE.available(user, decision, open_steps=decision.open_steps))
    if (
        decision.source == Source.CASE
        and decision.state != DecisionState.REVOKED
        and can(user, Action.CHANGE, decision)
    ):
        names.add("upload")
    names.discard(CORRECT)
    return [name for name in PANEL_ORDER if name in names]


def _event_facts(event: Event) -> list[tuple[str, str]]:
    detail = event.detail or {}
    facts = []
    if detail.get("source") in Source.values:
        facts.append((_("Source of the decision"), str(Source(detail["source"]).label)))
    if detail.get("key"):
        facts.append((_("Case system key"), detail["key"]))
    if detail.get("version"):
        facts.append((_("Version"), str(detail["version"])))
    if detail.get("redactions"):
        facts.append((_("Parts withheld"), str(detail["redactions"])))
    if "late" in detail:
        facts.append((_("Published late"), _("yes") if detail["late"] else _("no")))
    if detail.get("due"):
        facts.append((_("Due"), event_moment(detail["due"])))
    if isinstance(detail.get("recipients"), list):
        facts.append((_("People told"), str(len(detail["recipients"]))))
    return facts


def _timeline(events) -> list[TimelineRow]:
    return timeline(events, DecisionState, _event_facts)


def public_preview(decision: Decision) -> list[tuple[str, str]]:
    """The text the public reads (published), or will read before any redaction: a natural
    person's name is always surname and 某; identity number, address and phone never."""
    if decision.is_published:
        party = decision.public_party_name
        texts = (decision.public_title, party, decision.public_content, decision.public_basis)
    else:
        party = decision.party_name
        if decision.party_kind == PartyKind.PERSON:
            party = services.masked_person_name(party)
        texts = (decision.title, party, decision.content, decision.basis)
    labels = [str(label) for label in forms.REDACTABLE_LABELS.values()]
    return list(zip(labels, texts, strict=True))


class DecisionPageMixin(RecordLookupMixin):
    template_name = "decisions/staff_detail.html"

    record_attribute = "decision"
    not_found = gettext_lazy("No such decision.")

    def find(self):
        return selectors.staff_decision(user=self.request.user, pk=self.kwargs["pk"])

    def page_context(self, failed: PanelForm | None = None) -> dict:
        user, decision = self.request.user, self.decision
        available = services.PROCEDURE.available(user, decision, open_steps=decision.open_steps)
        panel = []
        for name in panel_names(user, decision):
            if failed is not None and failed.name == name:
                panel.append(failed)
            else:
                act = ACTS[name]
                panel.append(
                    PanelForm(name, act, act.form(user=user, decision=decision, prefix=name))
                )
        if failed is not None and failed not in panel:
            panel.insert(0, failed)
        redactions = list(selectors.decision_redactions(user=user, decision=decision))
        for redaction in redactions:
            redaction.field_label = forms.REDACTABLE_LABELS.get(redaction.field, redaction.field)
        return {
            "decision": decision,
            "flags": [(flag.label, FLAG_EXPLANATIONS[flag]) for flag in decision.flags],
            "officers": decision.officer_list,
            "penalty_labels": [
                PenaltyKind(kind).label
                for kind in decision.penalty_kinds
                if kind in PenaltyKind.values
            ],
            "redactions": redactions,
            "public_text": public_preview(decision),
            "step_times": list(selectors.decision_step_times(user=user, decision=decision)),
            "records": list(selectors.decision_records(user=user, decision=decision)),
            "open_steps": decision.open_steps,
            "timeline": _timeline(selectors.decision_events(user=user, decision=decision)),
            "panel": panel,
            "failed": failed,
            "may_correct": CORRECT in available,
        }


class DecisionDetailView(PermissionRequiredMixin, DecisionPageMixin, TemplateView):
    required_model = Decision

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


class DecisionActView(PermissionRequiredMixin, PanelActMixin, DecisionPageMixin, TemplateView):
    """One action of the decision's panel, POSTed, through its service as the user. Done: back
    to the decision with a message; refused: the page again with the reason at its field and
    everything typed (files are chosen again). "correct" is a page of its own: GET shows the
    decision's form with its values, POST corrects it."""

    required_model = Decision
    # GET too: the correction's page (another action's GET goes back to the decision).
    http_method_names = TemplateView.http_method_names
    acts = ACTS
    perform = PERFORM

    def get(self, request, *args, **kwargs):
        if kwargs["action"] != CORRECT:
            if kwargs["action"] not in ACTS:
                raise Http404(_("No such action."))
            return redirect("decisions:staff-detail", pk=self.decision.pk)
        self.correct_allowed()
        return self.render_correct(self.correct_form())

    def post(self, request, *args, **kwargs):
        name = kwargs["action"]
        if name == CORRECT:
            return self.correct()
        return super().post(request, *args, **kwargs)

    def refused(self, form, refused: DomainError) -> None:
        # Problems by field are shown at their fields; any other refusal above the form.
        if isinstance(refused, services.RowProblems):
            form.show_problems(refused.problems)
        else:
            super().refused(form, refused)

    def done_text(self, name: str, act: Act, record: Decision) -> str:
        if name in DONE:
            return DONE[name] % {"decision": record}
        return _("“%(action)s” is done: decision %(decision)s is %(state)s.") % {
            "action": act.button,
            "decision": record,
            "state": record.get_state_display(),
        }

    # --- the correction ---

    def correct_allowed(self) -> None:
        available = services.PROCEDURE.available(
            self.request.user, self.decision, open_steps=self.decision.open_steps
        )
        if CORRECT not in available:
            raise PermissionDenied(_("You may not correct this decision now."))

    def correct_form(self, data=None) -> forms.DecisionCorrectForm:
        user, decision = self.request.user, self.decision
        officers = [officer.person_id for officer in decision.officer_list]
        return forms.DecisionCorrectForm(
            data,
            decision=decision,
            items=selectors.decision_items(user=user, department=decision.department),
            bodies=selectors.decision_bodies(user=user, department=decision.department),
            officers=selectors.decision_officer_choices(user=user, department=decision.department),
            initial=forms.initial_of(decision, officers),
        )

    def render_correct(self, form):
        context = self.get_context_data(
            form=form,
            heading=_("Correct decision %(decision)s") % {"decision": self.decision},
            button=_("Save the correction"),
            correcting=self.decision,
        )
        self.template_name = "decisions/staff_form.html"
        return self.render_to_response(context)

    def correct(self):
        self.correct_allowed()
        form = self.correct_form(self.request.POST)
        if form.is_valid():
            given = form.given()
            # What the form does not show (a case system's reference) stays as it is.
            given.values = {
                name: getattr(self.decision, name) for name in VALUE_FIELDS
            } | given.values
            try:
                services.decision_correct(
                    actor=self.request.user,
                    decision=self.decision,
                    given=given,
                    reason=form.cleaned_data["reason"],
                )
            except services.RowProblems as problems:
                form.show_problems(problems.problems)
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                decision = self.lookup()
                messages.success(
                    self.request,
                    _("Decision %(decision)s is corrected (version %(version)s).")
                    % {"decision": decision, "version": decision.version},
                )
                return redirect("decisions:staff-detail", pk=decision.pk)
        return self.render_correct(form)


class RecordFileView(PermissionRequiredMixin, DecisionPageMixin, View):
    """A case record's file, for those who may see the decision; "not found" otherwise."""

    required_model = Decision

    def get(self, request, *args, **kwargs):
        record = None
        if is_key(kwargs.get("record", "")):
            record = selectors.decision_record(
                user=request.user, decision=self.decision, pk=kwargs["record"]
            )
        if record is None or not record.file:
            raise Http404(_("No such record."))
        return file_download(
            record.file, record.file_name or record.title, missing=_("The file is missing.")
        )


# --- enforcement bodies ------------------------------------------------------------------------


def _may_work_on_bodies(user) -> bool:
    return can(user, Action.CHANGE, EnforcementBody) or can(user, CONFIRM, EnforcementBody)


class BodyWorkMixin(AccessMixin):
    """Those who keep a department's bodies (its clerks) or confirm them (the reform office and
    the legal-affairs reviewers); the public reads the confirmed ones on the public pages."""

    def dispatch(self, request, *args, **kwargs):
        if not _may_work_on_bodies(request.user):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class BodyListView(BodyWorkMixin, TemplateView):
    """The bodies the user keeps or confirms, by department, with their state and entrustment."""

    template_name = "decisions/body_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = list_page(
            selectors.bodies_at_work(user=user),
            order=("department_id", "name", "pk"),
            number=page_number(self.request.GET.get("page")),
            per_page=PER_PAGE,
        )
        context.update(
            list_page_context(page, query_without_page(self.request)),
            may_add=can(user, Action.ADD, EnforcementBody),
            today=timezone.localdate(),
        )
        return context


class BodyPageMixin(RecordLookupMixin):
    record_attribute = "body"
    not_found = gettext_lazy("No such enforcement body.")

    def find(self):
        return selectors.body_at_work(user=self.request.user, pk=self.kwargs["pk"])


class BodyEditView(BodyWorkMixin, TemplateView):
    """A body proposed by its department's clerk, or a change to one (services.body_save); a
    change to a confirmed body sends it back for confirmation."""

    template_name = "decisions/body_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not _may_work_on_bodies(request.user):
            return self.handle_no_permission()
        self.body = None
        if "pk" in kwargs:
            if not is_key(kwargs["pk"]):
                raise Http404(_("No such enforcement body."))
            self.body = selectors.body_at_work(user=request.user, pk=kwargs["pk"])
            if self.body is None:
                raise Http404(_("No such enforcement body."))
            if not can(request.user, Action.CHANGE, self.body):
                raise PermissionDenied(_("Only the department's clerks change its bodies."))
        elif not can(request.user, Action.ADD, EnforcementBody):
            raise PermissionDenied(_("Only a department's clerks propose its bodies."))
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None, files=None) -> forms.BodyForm:
        initial = {"kind": "own"}
        if self.body is not None:
            initial = {name: getattr(self.body, name) for name in BODY_FIELDS}
        return forms.BodyForm(data, files, body=self.body, initial=initial)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        context["body"] = self.body
        return context

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST, request.FILES)
        if form.is_valid():
            department = self.body.department if self.body else _own_department(request)
            try:
                body = services.body_save(
                    actor=request.user, department=department, body=self.body, **form.arguments()
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _("%(body)s is saved; it acts once the government confirms and publishes it.")
                    % {"body": body.name}
                    if body.state == BodyState.PROPOSED
                    else _("%(body)s is saved.") % {"body": body.name},
                )
                return redirect("decisions:body", pk=body.pk)
        return self.render_to_response(self.get_context_data(form=form))


BODY_ACTS: dict[str, Act] = {
    "confirm": Act(forms.BodyConfirmForm, gettext_lazy("Confirm and publish")),
    "withdraw": Act(forms.BodyWithdrawForm, gettext_lazy("Withdraw the body")),
}
BODY_PERFORM: dict[str, Callable] = {
    "confirm": services.body_confirm,
    "withdraw": services.body_withdraw,
}


def body_actions(user, body: EnforcementBody) -> list[str]:
    """What the user may do on the body now (the services check again)."""
    if not can(user, CONFIRM, body):
        return []
    found = []
    if body.state != BodyState.CONFIRMED:
        found.append("confirm")
    if body.state != BodyState.WITHDRAWN:
        found.append("withdraw")
    return found


class BodyDetailMixin(BodyPageMixin):
    template_name = "decisions/body_detail.html"

    def page_context(self, failed: PanelForm | None = None) -> dict:
        user, body = self.request.user, self.body
        panel = []
        for name in body_actions(user, body):
            if failed is not None and failed.name == name:
                panel.append(failed)
            else:
                act = BODY_ACTS[name]
                panel.append(PanelForm(name, act, act.form(user=user, body=body, prefix=name)))
        if failed is not None and failed not in panel:
            panel.insert(0, failed)
        return {
            "body": body,
            "history": list(selectors.body_history(user=user, body=body)[:50]),
            "panel": panel,
            "failed": failed,
            "may_edit": can(user, Action.CHANGE, body),
            "today": timezone.localdate(),
        }


class BodyView(BodyWorkMixin, BodyDetailMixin, TemplateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


class BodyActView(BodyWorkMixin, PanelActMixin, BodyDetailMixin, TemplateView):
    """POST only: confirm or withdraw a body (the reform office or legal-affairs reviewers)."""

    acts = BODY_ACTS
    perform = BODY_PERFORM

    def done_text(self, name: str, act: Act, record: EnforcementBody) -> str:
        return _("“%(action)s” is done: %(body)s is %(state)s.") % {
            "action": act.button,
            "body": record.name,
            "state": record.get_state_display(),
        }


class BodyPapersView(BodyWorkMixin, RecordLookupMixin, View):
    """The entrustment papers of a body, for those who keep or confirm it (the public reads the
    entrustment's number and validity, not the papers)."""

    record_attribute = "body"
    not_found = gettext_lazy("No such enforcement body.")

    def find(self):
        return selectors.body_at_work(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if not self.body.entrustment_file:
            raise Http404(_("This body has no entrustment papers."))
        name = self.body.entrustment_file.name
        suffix = name[name.rfind(".") :] if "." in name else ""
        return file_download(
            self.body.entrustment_file,
            f"{self.body.entrustment_number or self.body.name}{suffix}",
            missing=_("The file is missing."),
        )


# --- officers ----------------------------------------------------------------------------------


CERTIFICATE_FIELDS = (
    "number",
    "issuing_authority",
    "enforcement_field",
    "valid_from",
    "valid_until",
)


@dataclass(frozen=True)
class CertificateRow:
    certificate: object
    standing: str  # "valid", "expiring", "expired" or "future"


def certificate_rows(person, day: datetime.date, warning_days: int) -> list[CertificateRow]:
    """Each certificate with its standing on `day`: ending within the policy's warning days
    is "expiring" (DecisionPolicy.certificate_warning_days, this product's default 30)."""
    rows = []
    for certificate in person.certificates.all():
        if certificate.valid_until < day:
            standing = "expired"
        elif certificate.valid_from > day:
            standing = "future"
        elif (certificate.valid_until - day).days <= warning_days:
            standing = "expiring"
        else:
            standing = "valid"
        rows.append(CertificateRow(certificate, standing))
    return rows


def _warning_days(person, policies: dict) -> int:
    jurisdiction = person.department.jurisdiction
    if jurisdiction.pk not in policies:
        policies[jurisdiction.pk] = services.policy_for(jurisdiction).certificate_warning_days
    return policies[jurisdiction.pk]


class OfficerListView(PermissionRequiredMixin, TemplateView):
    """The department's officers with their certificates (持证上岗): those ending within the
    policy's warning days highlighted, expired ones flagged."""

    required_model = Person
    required_action = Action.CHANGE
    template_name = "decisions/officer_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = list_page(
            selectors.department_officers(user=user),
            order=("department_id", "name", "pk"),
            number=page_number(self.request.GET.get("page")),
            per_page=PER_PAGE,
        )
        day = timezone.localdate()
        policies: dict[int, int] = {}
        for person in page.object_list:
            person.certificate_rows = certificate_rows(person, day, _warning_days(person, policies))
            person.certified = any(
                row.standing in ("valid", "expiring") for row in person.certificate_rows
            )
        context.update(
            list_page_context(page, query_without_page(self.request)),
            warning_days=sorted(set(policies.values())),
        )
        return context


class OfficerEditView(PermissionRequiredMixin, TemplateView):
    """A new officer (services.officer_save), or an officer's page: their name and phone, and
    their certificates, each changed or a new one added (services.certificate_save)."""

    required_model = Person
    required_action = Action.CHANGE
    template_name = "decisions/officer_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, self.required_action, self.required_model):
            return self.handle_no_permission()
        self.person = None
        if "pk" in kwargs:
            if is_key(kwargs["pk"]):
                self.person = selectors.department_officer(user=request.user, pk=kwargs["pk"])
            if self.person is None:
                raise Http404(_("No such officer."))
        return super().dispatch(request, *args, **kwargs)

    def officer_form(self, data=None) -> forms.OfficerForm:
        initial = {}
        if self.person is not None:
            initial = {"name": self.person.name, "phone": self.person.phone}
        return forms.OfficerForm(data, prefix="officer", initial=initial)

    def certificate_forms(self, failed=None) -> list[tuple]:
        """(certificate, form, standing) for each certificate; the form sent back with its
        errors in place of its fresh one."""
        if self.person is None:
            return []
        warning = _warning_days(self.person, {})
        found = []
        for row in certificate_rows(self.person, timezone.localdate(), warning):
            certificate = row.certificate
            prefix = f"certificate-{certificate.pk}"
            if failed is not None and failed.prefix == prefix:
                form = failed
            else:
                initial = {name: getattr(certificate, name) for name in CERTIFICATE_FIELDS}
                form = forms.CertificateForm(prefix=prefix, initial=initial)
            found.append((certificate, form, row.standing))
        return found

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.officer_form())
        context.setdefault("new_certificate", forms.CertificateForm(prefix="certificate-new"))
        context.update(
            person=self.person, certificates=self.certificate_forms(kwargs.get("failed"))
        )
        return context

    def post(self, request, *args, **kwargs):
        which = request.POST.get("which", "officer")
        if which == "officer":
            return self.save_officer()
        if self.person is None:
            raise Http404(_("No such officer."))
        return self.save_certificate(which)

    def save_officer(self):
        form = self.officer_form(self.request.POST)
        if form.is_valid():
            department = self.person.department if self.person else _own_department(self.request)
            try:
                person = services.officer_save(
                    actor=self.request.user,
                    department=department,
                    person=self.person,
                    **form.cleaned_data,
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                text = (
                    _(
                        "%(name)s is saved. Add their enforcement certificate: without one "
                        "they may not enforce."
                    )
                    if self.person is None
                    else _("%(name)s is saved.")
                )
                messages.success(self.request, text % {"name": person.name})
                return redirect("decisions:officer", pk=person.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def save_certificate(self, which: str):
        certificate = None
        if which != "certificate-new":
            pk = which.removeprefix("certificate-")
            certificate = next(
                (c for c in self.person.certificates.all() if is_key(pk) and c.pk == int(pk)),
                None,
            )
            if certificate is None:
                raise Http404(_("No such certificate."))
        form = forms.CertificateForm(self.request.POST, prefix=which)
        if form.is_valid():
            try:
                services.certificate_save(
                    actor=self.request.user,
                    person=self.person,
                    certificate=certificate,
                    **form.cleaned_data,
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    self.request,
                    _("Certificate %(number)s of %(name)s is saved.")
                    % {"number": form.cleaned_data["number"].upper(), "name": self.person.name},
                )
                return redirect("decisions:officer", pk=self.person.pk)
        if certificate is None:
            return self.render_to_response(self.get_context_data(new_certificate=form))
        return self.render_to_response(self.get_context_data(failed=form))
