"""Serializers of the adjustment API (issue 4 §8).

Output: a request as a list row (with the open steps it waits on) and in full (items with their
field-by-field difference, every step, the event log, what the reader may do now). The parts
that come from adjustments.selectors arrive in the serializer's context, read once per answer.

Input: the new request, and the parameters of each transition. Ids are resolved through the
selectors and core.permissions (departments: `Department.objects.restrict(user, "view")`), so
an id the user may not see reads as unknown."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import ISO_8601

from adjustments import selectors, services
from adjustments.choices import (
    AdjustmentPath,
    ChangeKind,
    RequestOrigin,
    RequestState,
    ReviewConclusion,
    StepKind,
    StepOutcome,
    Transition,
    TriggerKind,
)
from core.api.serializers import (
    CheckedFilesField,
    RequiredBooleanField,
    optional_text_field,
    request_user,
    text_field,
)
from core.checkers import CheckedSerializer
from core.choices import DeadlineUnit
from core.models import Department
from core.permissions import Action
from registry import selectors as registry_selectors
from registry.api.serializers import (
    DepartmentRefSerializer,
    FieldDiffSerializer,
    JurisdictionRefSerializer,
    LawRefSerializer,
)

# --- a request: the list row and the detail ----------------------------------------------------


class ClockStopSerializer(CheckedSerializer):
    """退回补正: while the request was with its department, this step's clock stood still."""

    stopped_at = serializers.DateTimeField()
    restarted_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Null while the clock is still stopped.")
    )
    reason = serializers.CharField()


class OpenStepSerializer(CheckedSerializer):
    """A step the request waits on: who must act, and by when."""

    kind = serializers.ChoiceField(choices=StepKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    department = DepartmentRefSerializer(help_text=_("The department that must act."))
    due_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_("The end of the period; null while its clock is stopped or it has none."),
    )
    due_confirmed = serializers.BooleanField(
        help_text=_("False when the due moment rests on a year whose schedule is not confirmed.")
    )
    overdue = serializers.BooleanField(source="is_overdue")
    clock_stopped = serializers.BooleanField()


class RequestStepSerializer(OpenStepSerializer):
    """One step of the timeline, open or finished."""

    id = serializers.IntegerField()
    round = serializers.IntegerField(help_text=_("1 for the first review, 2 for a re-review."))
    primary = serializers.BooleanField(help_text=_("The primary lead reviewer."))
    started_at = serializers.DateTimeField()
    deadline_days = serializers.IntegerField(allow_null=True)
    deadline_unit = serializers.ChoiceField(choices=DeadlineUnit.choices)
    confirm_due_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_(
            "A confirm step: when the confirmation is due (seed 004 三(三)4: 1 working day); an "
            "objection is on time until due_at (三(三)5: 2 working days)."
        ),
    )
    finished_at = serializers.DateTimeField(allow_null=True)
    finished_by = serializers.CharField(
        source="finished_by.username", allow_null=True, help_text=_("User name.")
    )
    outcome = serializers.ChoiceField(choices=StepOutcome.choices, allow_blank=True)
    outcome_label = serializers.CharField(source="get_outcome_display")
    opinion = serializers.CharField()
    clock_stops = ClockStopSerializer(source="clock_stop_list", many=True)


class AdjustmentRequestSerializer(CheckedSerializer):
    """An adjustment request as a list shows it."""

    number = serializers.CharField(help_text=_("The request's key, e.g. TZ2026-410100-0001."))
    url = serializers.SerializerMethodField(help_text=_("The request in this API."))
    page_url = serializers.SerializerMethodField(help_text=_("The request's staff page."))
    state = serializers.ChoiceField(choices=RequestState.choices)
    state_label = serializers.CharField(source="get_state_display")
    path = serializers.ChoiceField(choices=AdjustmentPath.choices)
    path_label = serializers.CharField(source="get_path_display")
    jurisdiction = JurisdictionRefSerializer()
    department = DepartmentRefSerializer(help_text=_("The applying department."))
    trigger = serializers.ChoiceField(choices=TriggerKind.choices)
    trigger_label = serializers.CharField(source="get_trigger_display")
    event_date = serializers.DateField()
    summary = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    open_steps = OpenStepSerializer(many=True, help_text=_("Who the request waits on."))

    def get_url(self, adjustment) -> str:
        return reverse("adjustments-api:request", kwargs={"number": adjustment.number})

    def get_page_url(self, adjustment) -> str:
        return reverse("adjustments:detail", args=[adjustment.number])


class RequestItemSerializer(CheckedSerializer):
    """A proposed change of one entry (selectors.ItemView)."""

    change = serializers.ChoiceField(source="item.change", choices=ChangeKind.choices)
    change_label = serializers.CharField(source="item.get_change_display")
    draft = serializers.IntegerField(source="item.draft_id", help_text=_("The draft's id."))
    entry = serializers.CharField(
        source="item.entry.code",
        allow_null=True,
        help_text=_("The implementation code; null for a new entry not yet published."),
    )
    name = serializers.CharField(source="proposed.name", help_text=_("The name proposed."))
    version = serializers.IntegerField(
        source="item.version", allow_null=True, help_text=_("The version published, if any.")
    )
    to_department = DepartmentRefSerializer(
        source="item.to_department",
        allow_null=True,
        help_text=_("The department the entry moves to, or whose entry it merges into."),
    )
    moved_entry = serializers.CharField(
        source="item.moved_entry.code",
        allow_null=True,
        help_text=_("A published move: the implementation code of the entry it became."),
    )
    changed = FieldDiffSerializer(
        many=True, help_text=_("The fields that change, with their old and new text.")
    )


class RequestAttachmentSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text=_("Bytes."))
    url = serializers.SerializerMethodField(help_text=_("Download (staff who see the request)."))

    def get_url(self, attachment) -> str:
        return reverse("adjustments:attachment", args=[self.context["number"], attachment.pk])


class RequestEventSerializer(CheckedSerializer):
    """One entry of the request's event log (append-only)."""

    transition = serializers.ChoiceField(choices=Transition.choices)
    transition_label = serializers.CharField(source="get_transition_display")
    from_state = serializers.ChoiceField(choices=RequestState.choices, allow_blank=True)
    to_state = serializers.ChoiceField(choices=RequestState.choices, allow_blank=True)
    actor = serializers.CharField(
        source="actor.username",
        allow_null=True,
        help_text=_("User name; null for the system (a change of law, the deadline sweep)."),
    )
    at = serializers.DateTimeField()
    opinion = serializers.CharField()
    attachments = RequestAttachmentSerializer(many=True, source="attachments.all")


class AdjustmentRequestDetailSerializer(AdjustmentRequestSerializer):
    """A request with everything a member of staff who sees it may read. The items, steps,
    events and transitions come from the selectors, through the context."""

    origin = serializers.ChoiceField(choices=RequestOrigin.choices)
    origin_label = serializers.CharField(source="get_origin_display")
    reason = serializers.CharField()
    law = LawRefSerializer(allow_null=True)
    policy = serializers.DictField(
        help_text=_("The deadlines and paths the request follows, fixed when it was created.")
    )
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    transitions_url = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()

    def get_transitions_url(self, adjustment) -> str:
        return reverse("adjustments-api:transitions", kwargs={"number": adjustment.number})

    @extend_schema_field(RequestItemSerializer(many=True))
    def get_items(self, adjustment):
        return RequestItemSerializer(self.context["items"], many=True).data

    @extend_schema_field(RequestStepSerializer(many=True))
    def get_steps(self, adjustment):
        return RequestStepSerializer(self.context["steps"], many=True).data

    @extend_schema_field(RequestEventSerializer(many=True))
    def get_events(self, adjustment):
        context = {"number": adjustment.number}
        return RequestEventSerializer(self.context["events"], many=True, context=context).data

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=Transition.choices),
            help_text=_("What the reader may do now (POST them to transitions_url)."),
        )
    )
    def get_available_transitions(self, adjustment):
        return list(self.context["transitions"])


# --- the public announcements (SPEC §10) --------------------------------------------------------


class AnnouncedItemSerializer(CheckedSerializer):
    change = serializers.ChoiceField(choices=ChangeKind.choices)
    change_label = serializers.CharField(source="get_change_display")
    entry = serializers.CharField(source="entry.code", help_text=_("The implementation code."))
    name = serializers.CharField(source="entry.name", help_text=_("The entry's name."))
    version = serializers.IntegerField(help_text=_("The version this adjustment published."))


class AnnouncementSerializer(CheckedSerializer):
    """A published adjustment, as the public reads it."""

    number = serializers.CharField()
    page_url = serializers.SerializerMethodField(help_text=_("The public announcement page."))
    jurisdiction = JurisdictionRefSerializer()
    department = DepartmentRefSerializer(help_text=_("The applying department."))
    trigger = serializers.ChoiceField(choices=TriggerKind.choices)
    trigger_label = serializers.CharField(source="get_trigger_display")
    summary = serializers.CharField()
    published_at = serializers.DateTimeField()
    items = AnnouncedItemSerializer(many=True, source="items.all")

    def get_page_url(self, adjustment) -> str:
        return reverse("adjustments:announcement", args=[adjustment.number])


# --- input: ids resolved through the selectors -------------------------------------------------


class DepartmentField(serializers.IntegerField):
    """A department's id."""

    parameter_type = "department_id"
    default_error_messages = {"unknown": _("There is no department with id {pk}.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)

    def run_validation(self, data=empty) -> Department | None:
        # The id is checked as an integer first (type, minimum), then resolved.
        pk = super().run_validation(data)
        if pk is None:
            return None
        found = Department.objects.restrict(request_user(self), Action.VIEW).filter(pk=pk).first()
        if found is None:
            self.fail("unknown", pk=pk)
        return found


class _IdListField(serializers.ListField):
    """Ids resolved to the rows the user may name, in the order given; unknown ones are
    listed in one message."""

    child = serializers.IntegerField(min_value=1)

    def choosable(self):
        raise NotImplementedError

    def to_internal_value(self, data) -> list:
        pks = list(dict.fromkeys(super().to_internal_value(data)))
        found = self.choosable().in_bulk(pks)
        missing = [str(pk) for pk in pks if pk not in found]
        if missing:
            self.fail("unknown", pks=", ".join(missing))
        return [found[pk] for pk in pks]


class DepartmentListField(_IdListField):
    """Department ids, in the order given (the first reviewer named leads)."""

    parameter_type = "department_ids"
    default_error_messages = {"unknown": _("Unknown department ids: {pks}.")}

    def choosable(self):
        return Department.objects.restrict(request_user(self), Action.VIEW)


class DraftListField(_IdListField):
    """Ids of drafts of the user's own department (selectors.open_drafts)."""

    parameter_type = "draft_ids"
    default_error_messages = {
        "unknown": _("These are not open drafts of your department: {pks}."),
    }

    def choosable(self):
        return selectors.open_drafts(
            user=request_user(self), request=self.context.get("adjustment")
        )


class LawField(serializers.IntegerField):
    """A law's id in the law register (/api/v1/laws/)."""

    parameter_type = "law_id"
    default_error_messages = {"unknown": _("There is no law with id {pk}.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)

    def run_validation(self, data=empty):
        pk = super().run_validation(data)
        if pk is None:
            return None
        found = registry_selectors.laws(user=request_user(self)).filter(pk=pk).first()
        if found is None:
            self.fail("unknown", pk=pk)
        return found


class AttachmentsField(CheckedFilesField):
    """Documents of a transition, checked as the pages check them (attachment_problems)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Documents to attach (optional)."))
        super().__init__(problems=services.attachment_problems, **kwargs)


class MoveListSerializer(serializers.ListSerializer):
    parameter_type = "moves"


class MoveSerializer(CheckedSerializer):
    """Seed 004 三(二)3 (三定): one draft whose entry passes to another department."""

    draft = serializers.IntegerField(min_value=1, help_text=_("A draft id among `drafts`."))
    department = DepartmentField(help_text=_("The receiving department's id."))

    class Meta:
        list_serializer_class = MoveListSerializer


def _moves(data: dict) -> dict:
    """`moves` as the services take them: the receiving department of each moved draft."""
    drafts = {draft.pk: draft for draft in data.get("drafts") or []}
    given = data.pop("moves", None) or []
    unknown = [str(move["draft"]) for move in given if move["draft"] not in drafts]
    if unknown:
        raise serializers.ValidationError(
            {"moves": [_("Not among the drafts of the request: %s.") % ", ".join(unknown)]}
        )
    data["moves"] = {drafts[move["draft"]]: move["department"] for move in given}
    return data


MOVES_HELP = _(
    "Drafts whose entries move to another department of the jurisdiction (JSON only): each "
    "becomes a new entry there when the request is published."
)


class AdjustmentRequestCreateSerializer(CheckedSerializer):
    """A new request of the clerk's department (seed 004 三(三)1 申请)."""

    trigger = serializers.ChoiceField(choices=TriggerKind.choices)
    event_date = serializers.DateField(
        input_formats=[ISO_8601], help_text=_("The date of the triggering event (ISO 8601).")
    )
    summary = text_field(_("The subject."), max_length=200, multiline=False)
    reason = optional_text_field(_("Reasons and the proposed adjustment."))
    law = LawField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Required for a new, amended or repealed law."),
    )
    drafts = DraftListField(
        required=False, default=list, help_text=_("Ids of your department's open drafts.")
    )
    moves = MoveSerializer(many=True, required=False, default=list, help_text=MOVES_HELP)
    files = AttachmentsField()
    submit = serializers.BooleanField(
        default=False, help_text=_("Submit the request to the office at once.")
    )

    def validate(self, data):
        return _moves(data)


# --- the parameters of each transition ----------------------------------------------------------


class TransitionParameters(CheckedSerializer):
    """What every transition is sent with; subclasses add the transition's parameters."""

    transition = serializers.ChoiceField(
        choices=Transition.choices, help_text=_("Which transition to perform.")
    )


class NoteParameters(TransitionParameters):
    note = optional_text_field(_("A note for the record (optional)."))


class OpinionParameters(TransitionParameters):
    opinion = optional_text_field(_("The opinion, if any."))


class FilesParameters(TransitionParameters):
    files = AttachmentsField()


class NoteFilesParameters(NoteParameters):
    files = AttachmentsField()


class ReasonParameters(TransitionParameters):
    reason = text_field(_("The reasons."))


class ReasonFilesParameters(ReasonParameters):
    files = AttachmentsField()


class DaysParameters(ReasonParameters):
    days = serializers.IntegerField(
        min_value=1, max_value=90, help_text=_("The whole application period, in days.")
    )


class ForwardParameters(TransitionParameters):
    reviewers = DepartmentListField(
        allow_empty=False, help_text=_("Lead review departments; the first named leads.")
    )
    primary = DepartmentField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The primary lead reviewer, if not the first named."),
    )
    opinion = optional_text_field(_("The opinion, if any."))
    files = AttachmentsField()


class ObjectionForwardParameters(TransitionParameters):
    reviewers = DepartmentListField(
        required=False,
        default=list,
        help_text=_("Lead review departments to re-review; by default those of the last review."),
    )
    opinion = optional_text_field(_("The opinion, if any."))
    files = AttachmentsField()


class ConclusionParameters(TransitionParameters):
    conclusion = serializers.ChoiceField(choices=ReviewConclusion.choices)
    opinion = text_field(_("The opinion, with its reasons."))
    files = AttachmentsField()


class ApproveParameters(TransitionParameters):
    opinion = text_field(_("The approval opinion."))
    files = AttachmentsField()


class JointRequestParameters(ReasonParameters):
    departments = DepartmentListField(
        allow_empty=False, help_text=_("The other lead review departments the review needs.")
    )


class JointConveneParameters(TransitionParameters):
    meeting_at = serializers.DateTimeField(
        input_formats=[ISO_8601],
        help_text=_("ISO 8601; without an offset it is Asia/Shanghai time."),
    )
    place = text_field(_("Where the joint review meets."), max_length=200, multiline=False)
    participants = DepartmentListField(
        allow_empty=False,
        help_text=_("The applying department and the lead reviewers concerned."),
    )
    note = optional_text_field(_("A note for the record (optional)."))


class MeetingParameters(TransitionParameters):
    approved = RequiredBooleanField(help_text=_("Whether the meeting approved the change."))
    meeting_date = serializers.DateField(input_formats=[ISO_8601])
    session = text_field(
        _("The session of the executive meeting."), max_length=200, multiline=False
    )
    opinion = optional_text_field(_("The opinion, if any."))
    files = AttachmentsField()


class UpdateParameters(TransitionParameters):
    """The request's content, replaced as a whole (as the edit page sends it)."""

    trigger = serializers.ChoiceField(choices=TriggerKind.choices)
    event_date = serializers.DateField(input_formats=[ISO_8601])
    summary = text_field(_("The subject."), max_length=200, multiline=False)
    reason = optional_text_field(_("Reasons and the proposed adjustment."))
    law = LawField(
        allow_null=True,
        required=False,
        default=None,
        help_text=_("Required for a new, amended or repealed law."),
    )
    drafts = DraftListField(help_text=_("Every draft the request proposes, in order."))
    moves = MoveSerializer(many=True, required=False, default=list, help_text=MOVES_HELP)
    files = AttachmentsField()

    def validate(self, data):
        return _moves(data)


# --- the transitions endpoint's own answers ----------------------------------------------------


class MessageParameters(CheckedSerializer):
    """A message between a lead reviewer and the applying department (seed 004 三(三)3)."""

    text = text_field(_("The message."))
    files = AttachmentsField()


class TransitionParameterChoiceSerializer(CheckedSerializer):
    value = serializers.JSONField(help_text=_("What to send: a choice's value or an id."))
    label = serializers.CharField()
    proposed = serializers.BooleanField(
        required=False, help_text=_("Proposed for this request (分类转交: the fields it touches).")
    )
    note = serializers.CharField(required=False, help_text=_("Why it is proposed."))


class TransitionParameterSerializer(CheckedSerializer):
    name = serializers.CharField()
    type = serializers.CharField(
        help_text=_(
            "string, integer, boolean, date, datetime (ISO 8601), choice, department_id, "
            "department_ids, draft_ids, law_id, moves ([{draft, department}]) or files "
            "(multipart/form-data)."
        )
    )
    required = serializers.BooleanField()
    help = serializers.CharField()
    choices = TransitionParameterChoiceSerializer(
        many=True, required=False, help_text=_("The values this user may send, where known.")
    )
    initial = serializers.JSONField(
        required=False, help_text=_("The value proposed, where the product proposes one.")
    )


class AvailableTransitionSerializer(CheckedSerializer):
    transition = serializers.ChoiceField(choices=Transition.choices)
    label = serializers.CharField()
    parameters = TransitionParameterSerializer(many=True)


class AvailableTransitionsSerializer(CheckedSerializer):
    number = serializers.CharField()
    state = serializers.ChoiceField(choices=RequestState.choices)
    state_label = serializers.CharField()
    transitions = AvailableTransitionSerializer(many=True)
