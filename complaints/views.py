"""Staff pages of complaints (issue 12 §13): each user's work queue with the list of the
complaints they may see, one complaint's page with what the complainant said, the items at the
version they saw, the evidence, the steps with their due moments, the timeline and the actions
open to the user now, and the evidence files.

Reads go through complaints.selectors (which scope to the user), writes through
complaints.services (services.PERFORM); a refusal (DomainError, TransitionRefused) is shown on
the complaint's page with everything the user typed. The complainant's personal data are shown
here to staff who may see the complaint, the identity document masked."""

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from core import calendar
from core.filtersets import filtered, filters_given
from core.models import Department, Jurisdiction
from core.permissions import can
from core.services import DomainError
from core.views import Act, PanelForm, PermissionRequiredMixin, RecordLookupMixin, file_download

from . import forms, selectors, services
from .choices import (
    FOUND_OUTCOMES,
    Channel,
    ComplaintState,
    Outcome,
    Rating,
    RefusalGround,
    ReviewDecision,
    Transition,
)
from .filtersets import ComplaintFilter
from .models import Complaint, ComplaintEvent, ComplaintStep
from .permissions import RECORD

# Every action staff take on the complaint page; the complainant's own (rating, asking for a
# review) are on the tracking page, and the deadline events are the sweep's.
ACTS: dict[str, Act] = {
    Transition.ACCEPT: Act(forms.AcceptForm, gettext_lazy("Accept the complaint")),
    Transition.REFUSE: Act(forms.RefuseForm, gettext_lazy("Refuse to accept")),
    Transition.TRANSFER: Act(forms.TransferForm, gettext_lazy("Transfer to another jurisdiction")),
    Transition.MERGE: Act(forms.MergeForm, gettext_lazy("Merge with the earlier complaint")),
    Transition.ANSWER: Act(forms.AnswerForm, gettext_lazy("Send the answer to the office")),
    Transition.DECLINE: Act(forms.DeclineForm, gettext_lazy("Not ours: pass it on")),
    Transition.REASSIGN: Act(forms.ReassignForm, gettext_lazy("Pass to the responsible body")),
    Transition.EXTEND: Act(forms.ExtendForm, gettext_lazy("Extend the handling period")),
    Transition.RETURN: Act(forms.ReturnForm, gettext_lazy("Return the answer")),
    Transition.CLOSE: Act(forms.CloseForm, gettext_lazy("Close with the outcome")),
    Transition.REVIEW: Act(forms.ReviewForm, gettext_lazy("Answer the review")),
    Transition.STAND_ASIDE: Act(forms.StandAsideForm, gettext_lazy("Step aside (回避)")),
}

QUEUE_LIMIT = 100


# --- the queue and the list -------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    """A complaint of the list with its soonest due open step and whether any step is late."""

    complaint: Complaint
    next_step: ComplaintStep | None
    overdue: bool


def _list_row(complaint: Complaint) -> ListRow:
    steps = complaint.open_steps
    return ListRow(
        complaint=complaint,
        next_step=ComplaintStep.soonest_due(steps),
        overdue=any(step.is_overdue for step in steps),
    )


class QueueView(PermissionRequiredMixin, ListView):
    """Issue 12 §13: what waits on the user (the open steps of their department in their role,
    less the complaints they stood aside from), soonest due first, so the overdue come first;
    below, every complaint the user may see, filtered in the URL, fifty a page. The queries
    are the same however many complaints there are (steps and their departments are joined,
    open steps prefetched)."""

    required_model = Complaint
    template_name = "complaints/staff_queue.html"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        visible = selectors.complaints(user=user)
        departments = (
            Department.objects.filter(pk__in=visible.values("department_id"))
            .select_related("jurisdiction")
            .order_by("jurisdiction__path", "name")
        )
        self.filterset = ComplaintFilter(
            self.request.GET or None, queryset=visible, departments=departments
        )
        return filtered(self.filterset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        waiting = selectors.waiting_steps(user=user).select_related("complaint__jurisdiction")
        shown = list(waiting[: QUEUE_LIMIT + 1])
        context.update(
            waiting=shown[:QUEUE_LIMIT],
            waiting_more=waiting.count() if len(shown) > QUEUE_LIMIT else 0,
            waiting_limit=QUEUE_LIMIT,
            rows=[_list_row(complaint) for complaint in context["object_list"]],
            filter_form=self.filterset.form,
            filtered=filters_given(self.filterset),
            may_record=can(user, RECORD, Complaint),
        )
        return context


# --- one complaint ------------------------------------------------------------------------------


class ComplaintLookupMixin(RecordLookupMixin):
    """After the permission check: the complaint named in the URL among those the user may
    see; "not found" otherwise, so nobody learns that a complaint they may not see exists."""

    record_attribute = "complaint"
    not_found = gettext_lazy("No such complaint.")

    def find(self):
        return selectors.complaint_by_code(user=self.request.user, code=self.kwargs["code"])


def item_url(code: str, received_at: datetime.datetime) -> str:
    """The item as it was published on the day the complaint was received (registry's
    `?as_of=`): the version the complainant saw. The API links it the same way."""
    day = timezone.localdate(received_at)
    return f"{reverse('registry:entry', args=[code])}?as_of={day.isoformat()}"


@dataclass(frozen=True)
class TimelineRow:
    """One event of the timeline with what its detail records, as (label, text) lines."""

    event: ComplaintEvent
    facts: list[tuple[str, str]] = field(default_factory=list)


def _event_facts(
    event: ComplaintEvent,
    departments: dict[int, Department],
    jurisdictions: dict[int, Jurisdiction],
    people: dict[int, str],
) -> list[tuple[str, str]]:
    detail = event.detail or {}
    facts = []

    def department(pk) -> str:
        return str(departments.get(pk, "—"))

    if event.transition == Transition.FILE and detail.get("channel"):
        facts.append((_("Channel"), str(Channel(detail["channel"]).label)))
    if event.transition in (Transition.ACCEPT, Transition.REASSIGN) and detail.get("responsible"):
        facts.append((_("Responsible department"), department(detail["responsible"])))
    if event.transition == Transition.DECLINE and detail.get("named"):
        facts.append((_("Body named as responsible"), department(detail["named"])))
    if event.transition == Transition.TRANSFER:
        facts.append(
            (
                _("Jurisdiction"),
                f"{jurisdictions.get(detail.get('from'), '—')} → "
                f"{jurisdictions.get(detail.get('to'), '—')}",
            )
        )
    if event.transition == Transition.REFUSE and detail.get("ground"):
        facts.append((_("Ground for not accepting"), str(RefusalGround(detail["ground"]).label)))
    if detail.get("repeat_of"):
        facts.append((_("Repeat of"), detail["repeat_of"]))
    if detail.get("into"):
        facts.append((_("Merged into"), detail["into"]))
    if event.transition == Transition.EXTEND and detail.get("days"):
        facts.append((_("Extension"), _("%(days)s days") % {"days": detail["days"]}))
    if detail.get("decision"):
        facts.append((_("Decision"), str(ReviewDecision(detail["decision"]).label)))
    if event.transition in (Transition.CLOSE, Transition.REVIEW) and detail.get("outcome"):
        facts.append((_("Outcome"), str(Outcome(detail["outcome"]).label)))
    if detail.get("finding_department"):
        facts.append((_("Department at fault"), department(detail["finding_department"])))
    if detail.get("round"):
        facts.append((_("Review round"), str(detail["round"])))
    if event.transition == Transition.RATE and detail.get("rating"):
        facts.append((_("Rating"), str(Rating(detail["rating"]).label)))
    if event.transition == Transition.STAND_ASIDE and detail.get("person"):
        facts.append((_("Person"), people.get(detail["person"], "—")))
    if detail.get("due"):
        due = datetime.datetime.fromisoformat(detail["due"]).astimezone(calendar.SHANGHAI)
        facts.append((_("Due"), date_format(due, "Y-m-d H:i")))
    return facts


def _timeline(user, complaint: Complaint) -> list[TimelineRow]:
    """Every event with its facts; the departments, jurisdictions and people it names are
    read once for the whole timeline."""
    events = list(selectors.timeline(user=user, complaint=complaint))
    department_ids, jurisdiction_ids = set(), set()
    for event in events:
        detail = event.detail or {}
        for name in ("responsible", "named", "finding_department"):
            if detail.get(name):
                department_ids.add(detail[name])
        for name in ("from", "to"):
            if detail.get(name):
                jurisdiction_ids.add(detail[name])
    departments = Department.objects.in_bulk(department_ids) if department_ids else {}
    jurisdictions = Jurisdiction.objects.in_bulk(jurisdiction_ids) if jurisdiction_ids else {}
    people = {
        aside.user_id: str(aside.user)
        for aside in selectors.stand_asides_of(user=user, complaint=complaint)
    }
    return [
        TimelineRow(event, _event_facts(event, departments, jurisdictions, people))
        for event in events
    ]


@dataclass(frozen=True)
class StepRow:
    """A step with the people who hold it while it is open."""

    step: ComplaintStep
    holders: list = field(default_factory=list)


class ComplaintPageMixin(ComplaintLookupMixin):
    """The complaint page's context, shared by the page itself and by ActView, which shows the
    page again with the form that was refused."""

    template_name = "complaints/staff_detail.html"

    def page_context(self, failed: PanelForm | None = None) -> dict:
        user, complaint = self.request.user, self.complaint
        repeats = selectors.repeats(user=user, complaint=complaint)
        panel = []
        for name in selectors.available(user=user, complaint=complaint):
            act = ACTS.get(name)
            if act is None:
                continue
            if failed is not None and failed.name == name:
                panel.append(failed)
            else:
                form = act.form(user=user, complaint=complaint, repeats=repeats, prefix=name)
                panel.append(PanelForm(name, act, form))
        if failed is not None and failed not in panel:
            # Not (or no longer) open to the user: shown first, with the reason and what was
            # typed, so nothing is lost.
            panel.insert(0, failed)
        steps = list(selectors.steps_of(user=user, complaint=complaint))
        open_steps = [step for step in steps if step.finished_at is None]
        holders = ComplaintStep.holders_bulk(open_steps) if open_steps else {}
        items = list(selectors.items_of(user=user, complaint=complaint).order_by("pk"))
        review_due = None
        if complaint.state == ComplaintState.CLOSED and complaint.review_round < 2:
            review_due = services.review_request_due(complaint)
        return {
            "complaint": complaint,
            "items": [(item, item_url(item.code, complaint.received_at)) for item in items],
            "found_items": [item for item in items if item.found],
            "found_outcome": complaint.outcome in FOUND_OUTCOMES,
            "representatives": list(
                selectors.representatives_of(user=user, complaint=complaint).order_by("pk")
            ),
            "evidence": list(selectors.evidence_of(user=user, complaint=complaint)),
            "steps": [StepRow(step, holders.get(step.pk, [])) for step in steps],
            "open_steps": open_steps,
            "mine": list(selectors.waiting_steps(user=user).filter(complaint=complaint)),
            "repeats": repeats,
            "repeat_of": self._repeat_of(user, complaint),
            "stand_asides": list(
                selectors.stand_asides_of(user=user, complaint=complaint).select_related(
                    "declared_by"
                )
            ),
            "timeline": _timeline(user, complaint),
            "panel": panel,
            "failed": failed,
            "received_day": timezone.localdate(complaint.received_at),
            "review_due": review_due,
            "review_open": review_due is not None and review_due >= timezone.now(),
        }

    @staticmethod
    def _repeat_of(user, complaint: Complaint) -> Complaint | None:
        """The earlier complaint this one was refused as a repeat of, or merged into, if the
        user may see it."""
        if complaint.repeat_of_id is None:
            return None
        return selectors.complaints(user=user).filter(pk=complaint.repeat_of_id).first()


class DetailView(PermissionRequiredMixin, ComplaintPageMixin, TemplateView):
    required_model = Complaint

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


class ActView(PermissionRequiredMixin, ComplaintPageMixin, TemplateView):
    """POST only: performs one action of the panel through its service, as the user. Done: back
    to the complaint's page with a message (to the queue when the user stood aside, as the
    complaint is no longer theirs to see). Refused: the page again, with the reason next to
    the form and everything typed."""

    required_model = Complaint
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        name = kwargs["action"]
        act = ACTS.get(name)
        if act is None:
            raise Http404(_("No such action."))
        repeats = selectors.repeats(user=request.user, complaint=self.complaint)
        form = act.form(
            request.POST,
            user=request.user,
            complaint=self.complaint,
            repeats=repeats,
            prefix=name,
        )
        if form.is_valid():
            try:
                services.PERFORM[name](
                    actor=request.user, complaint=self.complaint, **form.arguments()
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                return self.done(name)
        # Someone else may have acted meanwhile: the page shows the complaint as it is now.
        self.complaint = self.lookup()
        context = self.get_context_data(**kwargs)
        context.update(self.page_context(failed=PanelForm(name, act, form)))
        return self.render_to_response(context)

    def done(self, name: str):
        complaint = selectors.complaint_by_code(user=self.request.user, code=self.complaint.code)
        if complaint is None:
            messages.success(
                self.request,
                _("“%(action)s” is done: complaint %(code)s has left your queue.")
                % {"action": ACTS[name].button, "code": self.complaint.code},
            )
            return redirect("complaints:queue")
        messages.success(
            self.request,
            _("“%(action)s” is done: complaint %(code)s is now %(state)s.")
            % {
                "action": ACTS[name].button,
                "code": complaint.code,
                "state": ComplaintState(complaint.state).label,
            },
        )
        return redirect("complaints:detail", code=complaint.code)


class EvidenceView(PermissionRequiredMixin, View):
    """An evidence file, as a download under the name it was sent with. Never public: only for
    staff who may see its complaint (selectors.evidence_by_id), "not found" for everyone else."""

    required_model = Complaint

    def get(self, request, *args, **kwargs):
        evidence = selectors.evidence_by_id(user=request.user, pk=kwargs["pk"])
        if evidence is None:
            raise Http404(_("No such file."))
        return file_download(evidence.file, evidence.name, missing=_("The file is missing."))
