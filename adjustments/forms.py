"""Forms of the adjustment pages (issue 4 §2): the request itself, one form per transition of
the request page's action panel, and a jurisdiction's policy.

A transition form's cleaned data are the keyword arguments of its service in
adjustments.services, so the view hands them over as they are. The forms check what a person
can correct before sending (a missing reason, a file of the wrong type); the services check
everything again and have the last word."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import calendar
from core.checkers import CheckedForm, CheckedModelForm
from core.choices import DeadlineUnit
from core.forms import (
    ActionPanelForm,
    CheckedFilesFormField,
    UploadsLostMixin,
    textarea_field,
)
from core.models import Department
from registry import selectors as registry_selectors
from registry.models import Draft, Law

from . import selectors, services
from .choices import (
    LAW_TRIGGERS,
    ChangeKind,
    RequestState,
    ReviewConclusion,
    StepKind,
    TriggerKind,
)
from .models import AdjustmentPolicy, AdjustmentRequest


def _files_help() -> str:
    return gettext("At most %(count)s files of up to %(size)s MB each (%(types)s).") % {
        "count": services.MAX_ATTACHMENTS,
        "size": services.MAX_ATTACHMENT_BYTES // (1024 * 1024),
        "types": ", ".join(sorted(services.ATTACHMENT_SUFFIXES)),
    }


FILES_HELP = lazy(_files_help, str)()


class MultipleFileField(CheckedFilesFormField):
    """Documents, checked with the service's own rules (services.attachment_problems)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Documents"))
        kwargs.setdefault("help_text", FILES_HELP)
        super().__init__(*args, problems=services.attachment_problems, **kwargs)


# --- the request ------------------------------------------------------------------------------


class DraftChoiceField(forms.ModelMultipleChoiceField):
    """The department's drafts, each with its name, its list and what it does to the list."""

    widget = forms.CheckboxSelectMultiple
    department_id: int | None = None

    def label_from_instance(self, draft) -> str:
        change = ChangeKind(services.change_kind_of(draft)).label
        return f"{draft} · {draft.get_list_kind_display()} · {change}"

    def _check_values(self, value):
        """A draft that another request took since the form was shown is not "an invalid
        choice": the message says which request holds it (issue 9 §17)."""
        try:
            return super()._check_values(value)
        except ValidationError as invalid:
            if invalid.code != "invalid_choice" or self.department_id is None:
                raise
            wanted = [pk for pk in value if str(pk).isdecimal()]
            held = selectors.draft_holders(department_id=self.department_id, drafts=wanted)
            if not held:
                raise
            raise ValidationError(
                [str(services.DraftTaken(draft, number)) for draft, number in held],
                code="draft_taken",
            ) from invalid


class RequestForm(UploadsLostMixin, CheckedForm):
    """Seed 004 三(三)1 申请: what the department files (its trigger, the event's date, the
    law for a change of law, its reasons, documents and proposed changes)."""

    # Nothing preselected (issue 10 §7): a trigger the clerk never chose must not decide
    # what the form asks for next (a law), nor which path the request takes.
    trigger = forms.ChoiceField(
        label=_("Trigger"),
        choices=[("", _("(choose the trigger)")), *TriggerKind.choices],
        help_text=_("The situation that obliges the adjustment (seed 004 三(二))."),
        error_messages={"required": _("Choose the trigger: the situation that obliges it.")},
    )
    event_date = forms.DateField(
        label=_("Date of the triggering event"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    law = forms.ModelChoiceField(
        label=_("Law"),
        queryset=Law.objects.none(),
        required=False,
        empty_label=_("(none)"),
        help_text=_(
            "Required when the trigger is a new, amended or repealed law. A law missing from "
            "the register is added by an administrator first."
        ),
    )
    summary = forms.CharField(label=_("Subject"), max_length=200)
    reason = textarea_field(_("Reasons and proposed adjustment"), rows=5)
    drafts = DraftChoiceField(
        label=_("Proposed changes"),
        queryset=Draft.objects.none(),
        required=False,
        help_text=_(
            "Your department's drafts. Start a draft of an entry from “My department's "
            "entries” first; a request needs at least one before it is submitted."
        ),
    )
    moved = DraftChoiceField(
        label=_("Entries that move to another department"),
        queryset=Draft.objects.none(),
        required=False,
        help_text=_(
            "Seed 004 三(二)3 (三定, merger of institutions): of the drafts above, those whose "
            "entries pass to the receiving department. Each becomes a new entry there with its "
            "own implementation code; the entry here closes, naming it."
        ),
    )
    receiving_department = forms.ModelChoiceField(
        label=_("Receiving department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(none)"),
        help_text=_("It sees the request, is told of it, and holds the entries once published."),
    )
    files = MultipleFileField()

    def __init__(self, *args, user, adjustment: AdjustmentRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["law"].queryset = registry_selectors.laws(user=user).order_by("name")
        self.fields["drafts"].queryset = selectors.open_drafts(user=user, request=adjustment)
        self.fields["drafts"].department_id = user.department_id
        self.fields["moved"].queryset = self.fields["drafts"].queryset.filter(entry__isnull=False)
        self.fields["receiving_department"].queryset = selectors.receiving_choices(user=user)
        if adjustment is None:
            policy = selectors.policy_of(user=user, jurisdiction=user.department.jurisdiction)
            days, unit = policy.apply_days, policy.apply_unit
        else:
            days = adjustment.policy_value("apply_days")
            unit = adjustment.policy_value("apply_unit")
        self.fields["event_date"].help_text = gettext(
            "The application is due within %(days)s %(unit)s of this date (seed 004 三(三)1)."
        ) % {"days": days, "unit": str(DeadlineUnit(unit).label).lower()}
        if adjustment is not None and adjustment.state == RequestState.SUPPLEMENT:
            self.fields["note"] = textarea_field(
                _("Note for the reform office"),
                help_text=_("What you supplemented; sent with “Save and resubmit”."),
            )
        if adjustment is not None and adjustment.submitted_at is not None:
            # services.adjustment_update: fixed once the request was submitted.
            for name in ("trigger", "event_date"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once the request was submitted.")

    def clean_event_date(self):
        day = self.cleaned_data["event_date"]
        problem = services.event_date_problem(day)
        if problem:
            raise forms.ValidationError(problem)
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("trigger") in LAW_TRIGGERS and not cleaned.get("law"):
            self.add_error("law", _("A change of law names the law: choose it."))
        moved, drafts = cleaned.get("moved") or [], cleaned.get("drafts") or []
        if any(draft not in drafts for draft in moved):
            self.add_error("moved", _("Tick the moving entries among the proposed changes too."))
        if moved and not cleaned.get("receiving_department"):
            self.add_error("receiving_department", _("Choose the department they move to."))
        return cleaned

    def moves(self) -> dict:
        """services.adjustment_create's `moves`: the receiving department of each moved draft."""
        receiving = self.cleaned_data.get("receiving_department")
        return {draft: receiving for draft in self.cleaned_data.get("moved") or []}


# --- the transitions --------------------------------------------------------------------------


class TransitionForm(UploadsLostMixin, ActionPanelForm):
    """Base of the request page's action panel (core.forms.ActionPanelForm): it knows the
    request and the user; `intro` says what the action does and by when (from the request's
    policy snapshot), and `confirm_text` may name the request's number."""

    def __init__(self, *args, user, adjustment: AdjustmentRequest, **kwargs):
        self.user = user
        self.adjustment = adjustment
        super().__init__(*args, **kwargs)

    def confirm_values(self) -> dict:
        return {"number": self.adjustment.number}

    def days(self, name: str) -> int:
        return int(self.adjustment.policy_value(name))


class SubmitForm(TransitionForm):
    intro_text = _(
        "The request goes to the reform office, which forwards it within %(days)s working "
        "days (seed 004 三(三)2)."
    )
    files = MultipleFileField()

    def intro_values(self) -> dict:
        return {"days": self.days("forward_days")}


class ResubmitForm(TransitionForm):
    intro_text = _(
        "The supplemented request goes back to the reform office; the clock of its step "
        "restarts where it stopped."
    )
    note = textarea_field(_("Note"), help_text=_("What you supplemented."))
    files = MultipleFileField()


class WithdrawForm(TransitionForm):
    confirm_text = _(
        "Request %(number)s ends now without any change to the lists and cannot be reopened."
    )
    destructive = True
    intro_text = _(
        "The request ends without any change. For a request opened by a change of law, say "
        "why no adjustment is needed: the office and the supervisors read it."
    )
    reason = textarea_field(_("Reasons"), required=True)


class ExtensionDaysMixin:
    """Seed 004 三(三)1: the application period may be extended to at most the policy's
    longest period (30 working days by default), counted from the event as before."""

    days_label = ""

    def prepare(self) -> None:
        limit = self.days("apply_extension_max_days")
        self.apply_step = next(
            (step for step in self.adjustment.open_steps if step.kind == StepKind.APPLY), None
        )
        current = (self.apply_step.deadline_days or 0) if self.apply_step else 0
        self.fields["days"] = forms.IntegerField(
            label=self.days_label,
            min_value=current + 1,
            max_value=limit,
            help_text=gettext(
                "The whole period counted from the event: more than %(now)s and at most "
                "%(limit)s days (seed 004 三(三)1)."
            )
            % {"now": current, "limit": limit},
        )
        self.order_fields(["days"])


class ExtensionRequestForm(ExtensionDaysMixin, TransitionForm):
    intro_text = _("Ask the reform office for a longer application period, with your reasons.")
    days_label = _("Days asked for")
    reason = textarea_field(_("Reasons"), required=True)


class ExtendForm(ExtensionDaysMixin, TransitionForm):
    intro_text = _(
        "The office may extend the department's application period (seed 004 三(三)1: "
        "“经…批准可延长至30个工作日”)."
    )
    days_label = _("Extended period (days)")
    reason = textarea_field(_("Reasons"), required=True)

    def prepare(self) -> None:
        super().prepare()
        asked = (
            self.apply_step.detail.get("extension_requested") if self.apply_step else None
        ) or {}
        self.asked = asked
        if asked:
            self.fields["days"].initial = asked.get("days")
            self.fields["reason"].initial = asked.get("reason")


class ForwardForm(TransitionForm):
    intro_text = _(
        "Forward the request by field to the lead review departments within %(days)s working "
        "days of receipt (seed 004 三(三)2). Each reviews within %(review)s working days; the "
        "primary one tells you within %(notice)s working day if a joint review is needed."
    )
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Lead review departments"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    primary = forms.ModelChoiceField(
        label=_("Primary reviewer"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(the first one chosen)"),
        help_text=_("One of the departments chosen above; it leads the review (主办)."),
    )
    opinion = textarea_field(_("Forwarding opinion"))
    files = MultipleFileField()

    def prepare(self) -> None:
        # No primary preselected: left empty, the first department ticked leads.
        choices = selectors.reviewer_choices(user=self.user, request=self.adjustment)
        self.fields["reviewers"].queryset = choices
        self.fields["primary"].queryset = choices
        # 分类转交: ticked from the fields the change touches (adjustments.routing).
        self.proposals = selectors.proposed_reviewers(user=self.user, request=self.adjustment)
        self.fields["reviewers"].initial = [p.department.pk for p in self.proposals]
        if self.proposals:
            self.fields["reviewers"].help_text = gettext(
                "Proposed from the fields the change touches: %(proposals)s. You may change "
                "the choice."
            ) % {
                "proposals": "；".join(
                    f"{p.department}（{p.need.label}：{p.note}）" for p in self.proposals
                )
            }
        else:
            self.fields["reviewers"].help_text = _(
                "The change touches no field a lead review department answers for: choose "
                "the departments yourself."
            )

    def intro_values(self) -> dict:
        return {
            "days": self.days("forward_days"),
            "review": self.days("review_days"),
            "notice": self.days("joint_notice_days"),
        }

    def clean(self):
        cleaned = super().clean()
        reviewers, primary = cleaned.get("reviewers"), cleaned.get("primary")
        if reviewers and primary and primary not in reviewers:
            self.add_error("primary", _("Choose the primary reviewer among the departments."))
        return cleaned


class ReturnForm(TransitionForm):
    intro_text = _(
        "Return the request to the department for supplement (退回补正): your step's clock "
        "stops until it is resubmitted."
    )
    reason = textarea_field(_("What must be supplemented"), required=True)
    files = MultipleFileField()


class RejectForm(TransitionForm):
    confirm_text = _(
        "Request %(number)s ends now with your reasons; nothing of it is published and it "
        "cannot be reopened."
    )
    destructive = True
    intro_text = _("The request ends with your reasons; nothing is published.")
    reason = textarea_field(_("Reasons of the rejection"), required=True)
    files = MultipleFileField()


class ConclusionForm(TransitionForm):
    """A review opinion with its conclusion (lead review, re-review, joint review, the office
    above)."""

    period = ""
    conclusion = forms.ChoiceField(
        label=_("Conclusion"), choices=ReviewConclusion.choices, widget=forms.RadioSelect
    )
    opinion = textarea_field(_("Opinion"), required=True, rows=4)
    files = MultipleFileField()

    def intro_values(self) -> dict:
        return {"days": self.days(self.period)}


class ReviewForm(ConclusionForm):
    period = "review_days"
    intro_text = _(
        "Give your review opinion within %(days)s working days of the forwarding (seed 004 "
        "三(三)3)."
    )


class RereviewForm(ConclusionForm):
    period = "rereview_days"
    intro_text = _(
        "The department objected to the approval opinion (seed 004 三(三)5 复审): re-review "
        "within %(days)s working days (this product's default; the seed sets no period)."
    )


class JointConcludeForm(ConclusionForm):
    period = "joint_review_days"
    intro_text = _(
        "The joint review's one opinion (共同出具审核意见), within %(days)s working days (this "
        "product's default; the seed sets no period); the approval opinion follows."
    )


class ParentReviewForm(ConclusionForm):
    period = "parent_review_days"
    confirm_text = _(
        "Your opinion on request %(number)s is final; if you disagree, the request ends."
    )
    intro_text = _(
        "Review by the office above (seed 003 三(二)5) within %(days)s working days (this "
        "product's default; the seed sets no period). If you disagree, the request ends with "
        "your opinion."
    )


class JointRequestForm(TransitionForm):
    intro_text = _(
        "As the primary reviewer, tell the reform office within %(days)s working day which "
        "other fields must review with you; the office then convenes a joint review (seed 004 "
        "三(三)3)."
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Other lead review departments"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = textarea_field(_("Why a joint review is needed"), required=True)

    def prepare(self) -> None:
        self.fields["departments"].queryset = selectors.reviewer_choices(
            user=self.user, request=self.adjustment
        ).exclude(pk=self.user.department_id)

    def intro_values(self) -> dict:
        return {"days": self.days("joint_notice_days")}


class JointDeclineForm(TransitionForm):
    intro_text = _(
        "As the primary reviewer, tell the reform office within %(days)s working day that this "
        "item needs no joint review (seed 004 三(三)3); your review goes on."
    )
    note = textarea_field(_("Note"))

    def intro_values(self) -> dict:
        return {"days": self.days("joint_notice_days")}


class ShanghaiDateTimeField(forms.DateTimeField):
    """A datetime-local input read as Asia/Shanghai time, whatever the server's zone."""

    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value
        for fmt in self.input_formats:
            try:
                return datetime.datetime.strptime(str(value).strip(), fmt).replace(
                    tzinfo=calendar.SHANGHAI
                )
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime):
            return value.astimezone(calendar.SHANGHAI).strftime("%Y-%m-%dT%H:%M")
        return value


class JointConveneForm(TransitionForm):
    intro_text = _(
        "Convene the joint review (联合会审) of the lead review departments concerned and the "
        "applying department (seed 004 三(三)3); its opinion is due within %(days)s working "
        "days (this product's default; the seed sets no period)."
    )
    meeting_at = ShanghaiDateTimeField(
        label=_("Meeting time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Beijing time (Asia/Shanghai)."),
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The applying department and the reviewers named are needed."),
    )
    note = textarea_field(_("Note"))

    def prepare(self) -> None:
        self.fields["participants"].queryset = selectors.joint_participant_choices(
            user=self.user, request=self.adjustment
        )
        joint = next(
            (s for s in self.adjustment.open_steps if s.kind == StepKind.JOINT_REVIEW), None
        )
        named = list(joint.detail.get("reviewers", [])) if joint else []
        self.fields["participants"].initial = [self.adjustment.department_id, *named]

    def intro_values(self) -> dict:
        return {"days": self.days("joint_review_days")}


class ApproveForm(TransitionForm):
    intro_text = _(
        "Issue the approval opinion (核准意见) within %(days)s working days of the review "
        "opinion; the department confirms it within %(confirm)s working day (seed 004 "
        "三(三)4)."
    )
    opinion = textarea_field(_("Approval opinion"), required=True, rows=4)
    files = MultipleFileField()

    def intro_values(self) -> dict:
        return {"days": self.days("approve_days"), "confirm": self.days("confirm_days")}


def _confirm_step(adjustment: AdjustmentRequest):
    return next((s for s in adjustment.open_steps if s.kind == StepKind.CONFIRM), None)


def _moment(moment) -> str:
    return date_format(moment.astimezone(calendar.SHANGHAI), "Y-m-d") if moment else "—"


class ConfirmForm(TransitionForm):
    confirm_text = _(
        "You accept the approval opinion on request %(number)s: you can no longer object to it."
    )
    intro_text = _(
        "Confirm the approval opinion within %(days)s working day, by the end of %(due)s (seed "
        "004 三(三)4). If you disagree, raise an objection instead: it is on time until the end "
        "of %(objection_due)s."
    )
    note = textarea_field(_("Note"))

    def intro_values(self) -> dict:
        step = _confirm_step(self.adjustment)
        return {
            "days": self.days("confirm_days"),
            "due": _moment(step.confirm_due_at if step else None),
            "objection_due": _moment(step.due_at if step else None),
        }


class ObjectForm(TransitionForm):
    intro_text = _(
        "Submit your objection to the reform office within %(days)s working days of the "
        "approval opinion, by the end of %(due)s (seed 004 三(三)5: 有异议的申请单位须于2个工作日内"
        "…提交…申请复审). The office sends it to the lead reviewers for re-review."
    )
    reason = textarea_field(_("Reasons of the objection"), required=True, rows=4)
    files = MultipleFileField()

    def intro_values(self) -> dict:
        step = _confirm_step(self.adjustment)
        return {
            "days": self.days("objection_days"),
            "due": _moment(step.due_at if step else None),
        }


class ObjectionForwardForm(TransitionForm):
    intro_text = _(
        "The department objects to the approval opinion (seed 004 三(三)5): send its objection "
        "to the lead reviewers for re-review (复审) within %(days)s working days (this "
        "product's default; the seed sets no period). They re-review within %(rereview)s "
        "working days (this product's default)."
    )
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Lead review departments"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Those of the last review are ticked; you may change the choice."),
    )
    opinion = textarea_field(_("Forwarding opinion"))
    files = MultipleFileField()

    def prepare(self) -> None:
        self.fields["reviewers"].queryset = selectors.reviewer_choices(
            user=self.user, request=self.adjustment
        )
        last, _round = services.last_reviewers(self.adjustment)
        self.fields["reviewers"].initial = last

    def intro_values(self) -> dict:
        return {
            "days": self.days("objection_forward_days"),
            "rereview": self.days("rereview_days"),
        }


class ParentForwardForm(TransitionForm):
    intro_text = _(
        "A change of law goes to the office above for review (seed 003 三(二)5), within "
        "%(days)s working days (this product's default; the seed sets no period)."
    )
    opinion = textarea_field(_("Opinion"))

    def intro_values(self) -> dict:
        return {"days": self.days("parent_forward_days")}


class MeetingForm(TransitionForm):
    confirm_text = _(
        "The executive meeting's decision on request %(number)s is recorded as final; if it did "
        "not approve, the request ends."
    )
    intro_text = _(
        "Record the decision of the executive meeting (常务会议, seed 003 三(二)5), due within "
        "%(days)s working days (this product's default; the seed sets no period). If it did "
        "not approve, the request ends."
    )
    approved = forms.TypedChoiceField(
        label=_("Approved by the meeting"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    meeting_date = forms.DateField(
        label=_("Date of the meeting"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    session = forms.CharField(
        label=_("Session"), max_length=200, help_text=_("E.g. 第12次常务会议.")
    )
    opinion = textarea_field(_("Opinion"))
    files = MultipleFileField()

    def intro_values(self) -> dict:
        return {"days": self.days("meeting_days")}


class DigitalForwardForm(TransitionForm):
    intro_text = _(
        "Send the approved change to the digital office within %(days)s working days; it "
        "publishes within %(publish)s working day (seed 004 三(三)5)."
    )
    opinion = textarea_field(_("Opinion"))

    def intro_values(self) -> dict:
        return {"days": self.days("digital_forward_days"), "publish": self.days("publish_days")}


class PublishForm(TransitionForm):
    confirm_text = _(
        "Every change of request %(number)s becomes public now, each as a new version of its "
        "entry; this cannot be undone here."
    )
    intro_text = _(
        "Publishing makes every change of this request public at once, each as a new version "
        "of its entry, within %(days)s working day (seed 004 三(三)5). It cannot be undone "
        "here."
    )
    note = textarea_field(_("Note"))

    def intro_values(self) -> dict:
        return {"days": self.days("publish_days")}


class SiteUpdateForm(TransitionForm):
    intro_text = _(
        "Confirm that your department's own website and premises show the approved change, "
        "within %(days)s working days (seed 004 三(三)5: at the same time as the office sends "
        "it to the digital office)."
    )
    before_publication = _(
        " The change is not published on the network yet: update with the approved content; "
        "the request is completed once it is published."
    )
    note = textarea_field(_("Note"))

    def intro_values(self) -> dict:
        return {"days": self.days("site_update_days")}

    @property
    def intro(self) -> str:
        text = super().intro
        if self.adjustment.published_at is None:
            text += str(self.before_publication)
        return text


class FileForm(TransitionForm):
    confirm_text = _("Request %(number)s is recorded as filed; this cannot be undone.")
    intro_text = _(
        "Record the district's adjustment as filed (备案, seed 003 三(二)5), within %(days)s "
        "working days (this product's default; the seed sets no period)."
    )
    opinion = textarea_field(_("Remarks"))

    def intro_values(self) -> dict:
        return {"days": self.days("filing_days")}


class MessageForm(CheckedForm):
    """Seed 004 三(三)3 "主动与申请单位沟通对接": a message between a lead reviewer and the
    applying department, with documents (services.adjustment_message_send)."""

    text = textarea_field(_("Message"), required=True, rows=4)
    files = MultipleFileField()


# --- the policy -------------------------------------------------------------------------------


class PolicyForm(CheckedModelForm):
    """A jurisdiction's deadlines and paths (SPEC §4). Validated here for the messages next
    to each field; saved by services.policy_save."""

    class Meta:
        model = AdjustmentPolicy
        fields = services.POLICY_FIELDS
