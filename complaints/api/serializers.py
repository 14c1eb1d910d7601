"""Serializers of the complaints API (issue 12 §1, §3, §12, §13).

Output for staff: a complaint as a list row (with the open steps it waits on) and in full (what
the complainant said and their personal data, the identity documents masked as on the page;
the items at the version they saw, the evidence, every step, the timeline, the repeats found
and what the reader may do now). The parts that come from complaints.selectors arrive in the
serializer's context, read once per answer.

Output for the public: the receipt of a new complaint (its code and secret, shown once), the
tracking answer (the same public fields as the tracking page: no name, contact, document,
evidence, staff name or staff opinion) and the statistics (aggregates).

Input: a new complaint, the tracking pair, and the parameters of each staff action. Ids and
codes are resolved through the selectors and core.permissions, so one the user may not see
reads as unknown."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import ISO_8601

from core.api.serializers import (
    CheckedFilesField,
    RequiredBooleanField,
    optional_text_field,
    request_user,
    text_field,
)
from core.checkers import CheckedSerializer
from core.choices import DeadlineUnit
from core.filtersets import MAX_ID
from core.models import Department, Jurisdiction, User
from registry import selectors as registry_selectors
from registry.api.serializers import DepartmentRefSerializer, JurisdictionRefSerializer

from .. import selectors, services
from ..choices import (
    Channel,
    ComplainantKind,
    ComplaintState,
    Ground,
    IdType,
    Outcome,
    Rating,
    RefusalGround,
    ReviewDecision,
    StepKind,
    StepOutcome,
    Transition,
)
from ..views import item_url

# --- staff: a complaint as a list row and in full ----------------------------------------------


class ComplaintOpenStepSerializer(CheckedSerializer):
    """A step the complaint waits on: which department must act, and by when."""

    kind = serializers.ChoiceField(choices=StepKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    department = DepartmentRefSerializer(help_text=_("The department that must act."))
    due_at = serializers.DateTimeField(allow_null=True, help_text=_("The end of the period."))
    due_confirmed = serializers.BooleanField(
        help_text=_("False when the due moment rests on a year whose schedule is not confirmed.")
    )
    overdue = serializers.BooleanField(source="is_overdue")


class ComplaintSerializer(CheckedSerializer):
    """A complaint as the staff's list shows it."""

    code = serializers.CharField(help_text=_("The tracking code, the complaint's key."))
    url = serializers.SerializerMethodField(help_text=_("The complaint in this API."))
    page_url = serializers.SerializerMethodField(help_text=_("The complaint's staff page."))
    state = serializers.ChoiceField(choices=ComplaintState.choices)
    state_label = serializers.CharField(source="get_state_display")
    jurisdiction = JurisdictionRefSerializer()
    department = DepartmentRefSerializer(help_text=_("The department complained about."))
    responsible = DepartmentRefSerializer(
        allow_null=True, help_text=_("The department that answers, once accepted.")
    )
    ground = serializers.ChoiceField(choices=Ground.choices)
    ground_label = serializers.CharField(source="get_ground_display")
    channel = serializers.ChoiceField(choices=Channel.choices)
    channel_label = serializers.CharField(source="get_channel_display")
    received_at = serializers.DateTimeField()
    open_steps = ComplaintOpenStepSerializer(many=True, help_text=_("Who the complaint waits on."))

    def get_url(self, complaint) -> str:
        return reverse("complaints-api:complaint", kwargs={"code": complaint.code})

    def get_page_url(self, complaint) -> str:
        return reverse("complaints:detail", args=[complaint.code])


class ComplainantSerializer(CheckedSerializer):
    """Personal data, for staff who may see the complaint only; the identity document is
    masked as on the page."""

    kind = serializers.ChoiceField(source="complainant_kind", choices=ComplainantKind.choices)
    kind_label = serializers.CharField(source="get_complainant_kind_display")
    anonymous = serializers.BooleanField()
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    address = serializers.CharField()
    id_type = serializers.ChoiceField(choices=IdType.choices, allow_blank=True)
    id_number_masked = serializers.CharField(
        help_text=_("The document number with only its first and last characters shown.")
    )


class ComplaintRepresentativeSerializer(CheckedSerializer):
    name = serializers.CharField()
    id_type = serializers.ChoiceField(choices=IdType.choices)
    id_number_masked = serializers.CharField()
    phone = serializers.CharField()


class ComplaintItemSerializer(CheckedSerializer):
    """A list item named by the complaint, with the version published when it was filed."""

    code = serializers.CharField(help_text=_("The implementation code."))
    name = serializers.CharField()
    version = serializers.IntegerField(help_text=_("The version the complainant saw."))
    found = serializers.BooleanField(help_text=_("Named in the finding of a substantiated one."))
    url = serializers.SerializerMethodField(
        help_text=_("The item's public page as it was published on the day of receipt.")
    )

    def get_url(self, item) -> str:
        return item_url(item.code, self.context["received_at"])


class ComplaintEvidenceSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text=_("Bytes."))
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(
        help_text=_("Download (staff who may see the complaint).")
    )

    def get_url(self, evidence) -> str:
        return reverse("complaints:evidence", args=[evidence.pk])


class ComplaintStepSerializer(ComplaintOpenStepSerializer):
    """One step, open or finished, with who holds it while it is open."""

    id = serializers.IntegerField()
    round = serializers.IntegerField(help_text=_("The round: a returned answer's second, ..."))
    started_at = serializers.DateTimeField()
    deadline_days = serializers.IntegerField(allow_null=True)
    deadline_unit = serializers.ChoiceField(choices=DeadlineUnit.choices)
    finished_at = serializers.DateTimeField(allow_null=True)
    finished_by = serializers.CharField(
        source="finished_by.username", allow_null=True, help_text=_("User name.")
    )
    outcome = serializers.ChoiceField(choices=StepOutcome.choices, allow_blank=True)
    outcome_label = serializers.CharField(source="get_outcome_display")
    opinion = serializers.CharField()
    holders = serializers.SerializerMethodField(
        help_text=_("User names of those who may act on the open step (none once finished).")
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_holders(self, step) -> list[str]:
        return [user.username for user in self.context["holders"].get(step.pk, [])]


class ComplaintEventSerializer(CheckedSerializer):
    """One entry of the complaint's timeline (append-only)."""

    transition = serializers.ChoiceField(choices=Transition.choices)
    transition_label = serializers.CharField(source="get_transition_display")
    at = serializers.DateTimeField()
    actor = serializers.CharField(
        source="actor.username",
        allow_null=True,
        help_text=_("User name; null for the complainant and the system."),
    )
    from_state = serializers.ChoiceField(choices=ComplaintState.choices, allow_blank=True)
    to_state = serializers.ChoiceField(choices=ComplaintState.choices, allow_blank=True)
    opinion = serializers.CharField(help_text=_("The staff's opinion."))
    public_note = serializers.CharField(help_text=_("What the complainant was told."))
    detail = serializers.DictField(help_text=_("The action's facts (ids, codes, days)."))


class ComplaintStandAsideSerializer(CheckedSerializer):
    person = serializers.CharField(source="user.username")
    reason = serializers.CharField(help_text=_("The interest declared."))
    declared_by = serializers.CharField(source="declared_by.username")
    declared_at = serializers.DateTimeField()


class ComplaintRepeatSerializer(CheckedSerializer):
    code = serializers.CharField(source="complaint.code")
    state = serializers.ChoiceField(source="complaint.state", choices=ComplaintState.choices)
    similarity = serializers.FloatField(help_text=_("The share of the text in common, 0 to 1."))
    answered = serializers.BooleanField(
        help_text=_("Answered: a refusal ground (4); else it is merged with it.")
    )


class ComplaintDetailSerializer(ComplaintSerializer):
    """A complaint with everything a member of staff who sees it may read. Items, evidence,
    steps, events, stand-asides, repeats and actions come from the selectors, through the
    context."""

    facts = serializers.CharField()
    reasons = serializers.CharField()
    recorded_by = serializers.CharField(
        source="recorded_by.username",
        allow_null=True,
        help_text=_("User name of the staff who recorded it; null when filed online."),
    )
    complainant = serializers.SerializerMethodField()
    representatives = serializers.SerializerMethodField()
    refusal_ground = serializers.ChoiceField(choices=RefusalGround.choices, allow_blank=True)
    refusal_reason = serializers.CharField()
    repeat_of = serializers.CharField(
        source="repeat_of.code",
        allow_null=True,
        help_text=_("The earlier complaint it repeats or was merged into."),
    )
    accepted_at = serializers.DateTimeField(allow_null=True)
    extension_days = serializers.IntegerField()
    extension_reason = serializers.CharField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True)
    finding = serializers.CharField()
    finding_department = DepartmentRefSerializer(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    rated_at = serializers.DateTimeField(allow_null=True)
    review_round = serializers.IntegerField(help_text=_("0: none; 1: 复查; 2: 复核."))
    items = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    stand_asides = serializers.SerializerMethodField()
    repeats = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField()
    transitions_url = serializers.SerializerMethodField()

    @extend_schema_field(ComplainantSerializer)
    def get_complainant(self, complaint):
        return ComplainantSerializer(complaint).data

    @extend_schema_field(ComplaintRepresentativeSerializer(many=True))
    def get_representatives(self, complaint):
        return ComplaintRepresentativeSerializer(self.context["representatives"], many=True).data

    @extend_schema_field(ComplaintItemSerializer(many=True))
    def get_items(self, complaint):
        context = {"received_at": complaint.received_at}
        return ComplaintItemSerializer(self.context["items"], many=True, context=context).data

    @extend_schema_field(ComplaintEvidenceSerializer(many=True))
    def get_evidence(self, complaint):
        return ComplaintEvidenceSerializer(self.context["evidence"], many=True).data

    @extend_schema_field(ComplaintStepSerializer(many=True))
    def get_steps(self, complaint):
        context = {"holders": self.context["holders"]}
        return ComplaintStepSerializer(self.context["steps"], many=True, context=context).data

    @extend_schema_field(ComplaintEventSerializer(many=True))
    def get_events(self, complaint):
        return ComplaintEventSerializer(self.context["events"], many=True).data

    @extend_schema_field(ComplaintStandAsideSerializer(many=True))
    def get_stand_asides(self, complaint):
        return ComplaintStandAsideSerializer(self.context["stand_asides"], many=True).data

    @extend_schema_field(ComplaintRepeatSerializer(many=True))
    def get_repeats(self, complaint):
        return ComplaintRepeatSerializer(self.context["repeats"], many=True).data

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=Transition.choices),
            help_text=_("What the reader may do now (POST them to transitions_url)."),
        )
    )
    def get_available(self, complaint):
        return list(self.context["available"])

    def get_transitions_url(self, complaint) -> str:
        return reverse("complaints-api:transitions", kwargs={"code": complaint.code})


# --- the public: filing, tracking, statistics ----------------------------------------------------


class EvidenceFilesField(CheckedFilesField):
    """Evidence, checked as the form checks it (services.evidence_problems)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Evidence files (optional)."))
        super().__init__(problems=services.evidence_problems, **kwargs)


class ItemCodesField(serializers.ListField):
    """Implementation codes of published items, resolved as the public sees them."""

    parameter_type = "item_codes"
    child = serializers.CharField(max_length=64)
    default_error_messages = {"unknown": _("Not on the published lists: {codes}.")}

    def __init__(self, **kwargs):
        super().__init__(required=False, default=list, max_length=services.MAX_ITEMS, **kwargs)

    def to_internal_value(self, data):
        codes = list(dict.fromkeys(super().to_internal_value(data)))
        if not codes:
            return []
        found = {
            entry.code: entry
            for entry in registry_selectors.published_entries(user=None).filter(code__in=codes)
        }
        missing = [code for code in codes if code not in found]
        if missing:
            self.fail("unknown", codes=", ".join(missing))
        return [found[code] for code in codes]


class DepartmentField(serializers.IntegerField):
    """A department's id, any department's: the organisation is public (/api/v1/departments/),
    for the public's complaint and the staff's actions alike."""

    parameter_type = "department_id"
    default_error_messages = {"unknown": _("There is no department with id {pk}.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data=empty):
        pk = super().run_validation(data)
        if pk is None:
            return None
        found = Department.objects.select_related("jurisdiction").filter(pk=pk).first()
        if found is None:
            self.fail("unknown", pk=pk)
        return found


class ComplaintCreateSerializer(CheckedSerializer):
    """A complaint filed online by anyone (issue 12 §1; seed 004 五(二)5: the target, the facts
    and reasons, evidence, and the complainant's name and contact; real names are encouraged,
    anonymity allowed; malicious and false complaints are not)."""

    ground = serializers.ChoiceField(choices=Ground.choices)
    facts = text_field(_("What happened: when, where, who, what was asked or done."))
    reasons = optional_text_field(_("Why it breaks the lists."))
    department = DepartmentField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The department complained about; taken from the items when they are named."),
    )
    items = ItemCodesField(help_text=_("Implementation codes of the published items concerned."))
    complainant_kind = serializers.ChoiceField(choices=ComplainantKind.choices)
    anonymous = serializers.BooleanField(
        default=False, help_text=_("Then no name or contact; followed with the code only.")
    )
    name = optional_text_field(
        _("Your name, or your organisation's."), multiline=False, max_length=100
    )
    phone = optional_text_field(multiline=False, max_length=40)
    email = optional_text_field(
        _("The code and secret are sent here too."), multiline=False, max_length=254
    )
    address = optional_text_field(multiline=False, max_length=200)
    truthful = RequiredBooleanField(
        help_text=_(
            "You confirm the statement is true: malicious and false complaints are not allowed."
        )
    )
    files = EvidenceFilesField()

    def to_arguments(self) -> dict:
        """services.complaint_file's keyword arguments."""
        values = dict(self.validated_data)
        values["entries"] = values.pop("items")
        return values


class ComplaintFiledSerializer(CheckedSerializer):
    code = serializers.CharField(help_text=_("The tracking code."))
    secret = serializers.CharField(
        help_text=_("The secret that goes with the code: shown once, never stored in clear.")
    )
    state = serializers.ChoiceField(choices=ComplaintState.choices)
    received_at = serializers.DateTimeField()
    accept_due_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the decision on acceptance is due.")
    )
    track_url = serializers.CharField(help_text=_("Where to follow it with the code and secret."))


class ComplaintTrackQuerySerializer(CheckedSerializer):
    code = text_field(
        _("The tracking code, e.g. TS-ABCD-EFGH-JKMN."), multiline=False, max_length=40
    )
    secret = text_field(_("The secret shown with the code."), multiline=False, max_length=40)


class ComplaintStageSerializer(CheckedSerializer):
    """A public stage: what happened and when, and what the complainant was told; never who."""

    transition = serializers.ChoiceField(choices=Transition.choices)
    label = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField(help_text=_("What the complainant is told, if anything."))


class ComplaintWaitingSerializer(CheckedSerializer):
    kind = serializers.ChoiceField(choices=StepKind.choices)
    label = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    due_confirmed = serializers.BooleanField()


class ComplaintTrackedItemSerializer(CheckedSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField()


class ComplaintTrackedMergedSerializer(CheckedSerializer):
    """The earlier complaint a merged one is handled with: its stages and answer, not its
    code (which would be half of another complainant's key)."""

    state = serializers.ChoiceField(choices=ComplaintState.choices)
    state_label = serializers.CharField()
    stages = ComplaintStageSerializer(many=True)
    waiting = ComplaintWaitingSerializer(many=True)
    answer = serializers.CharField()
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True)


class ComplaintTrackedSerializer(CheckedSerializer):
    """What the tracking page shows (issue 12 §3): states, dates, due moments, the answers;
    never a name, contact, document, evidence, staff name or staff opinion."""

    code = serializers.CharField()
    state = serializers.ChoiceField(choices=ComplaintState.choices)
    state_label = serializers.CharField()
    ground = serializers.ChoiceField(choices=Ground.choices)
    ground_label = serializers.CharField()
    jurisdiction = serializers.CharField(help_text=_("The jurisdiction handling it."))
    department = serializers.CharField(help_text=_("The department complained about."))
    received_at = serializers.DateTimeField()
    items = ComplaintTrackedItemSerializer(many=True)
    stages = ComplaintStageSerializer(many=True)
    waiting = ComplaintWaitingSerializer(many=True, help_text=_("What it waits on, and by when."))
    refusal_ground = serializers.ChoiceField(choices=RefusalGround.choices, allow_blank=True)
    refusal_reason = serializers.CharField()
    answer = serializers.CharField(help_text=_("The answer, once the complaint is closed."))
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True)
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    review_round = serializers.IntegerField()
    review_due = serializers.DateTimeField(
        allow_null=True, help_text=_("The last moment to ask for a review, if one may be asked.")
    )
    merged_into = ComplaintTrackedMergedSerializer(allow_null=True)


class ComplaintCountSerializer(CheckedSerializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class ComplaintMonthCountSerializer(CheckedSerializer):
    month = serializers.CharField(help_text=_("YYYY-MM."))
    count = serializers.IntegerField()


class ComplaintDepartmentCountSerializer(CheckedSerializer):
    jurisdiction = serializers.CharField()
    department = serializers.CharField()
    count = serializers.IntegerField()


class ComplaintOnTimeSerializer(CheckedSerializer):
    on_time = serializers.IntegerField()
    done = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text=_("Percent; null when none done."))


class ComplaintStatisticsQuerySerializer(CheckedSerializer):
    since = serializers.DateField(
        required=False, input_formats=[ISO_8601], help_text=_("Received on or after this day.")
    )
    until = serializers.DateField(
        required=False, input_formats=[ISO_8601], help_text=_("Received on or before this day.")
    )

    def validate(self, data):
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": [_("The end is before the start.")]})
        return data


class ComplaintStatisticsSerializer(CheckedSerializer):
    """Public statistics (issue 12 §12; 信访工作条例 art. 41): aggregates, no personal data."""

    total = serializers.IntegerField()
    by_ground = ComplaintCountSerializer(many=True)
    by_channel = ComplaintCountSerializer(many=True)
    by_outcome = ComplaintCountSerializer(many=True)
    by_state = ComplaintCountSerializer(many=True)
    by_month = ComplaintMonthCountSerializer(many=True)
    top_departments = ComplaintDepartmentCountSerializer(many=True)
    acceptance_on_time = ComplaintOnTimeSerializer()
    answer_on_time = ComplaintOnTimeSerializer()
    ratings = ComplaintCountSerializer(many=True)


# --- input of the staff's actions ----------------------------------------------------------------


class JurisdictionField(serializers.CharField):
    """A jurisdiction's code (/api/v1/jurisdictions/)."""

    parameter_type = "jurisdiction_code"
    default_error_messages = {"unknown": _("There is no jurisdiction with code {code}.")}

    def __init__(self, **kwargs):
        super().__init__(max_length=20, **kwargs)

    def run_validation(self, data=empty) -> Jurisdiction | None:
        code = super().run_validation(data)
        found = Jurisdiction.objects.filter(code=code).first()
        if found is None:
            self.fail("unknown", code=code)
        return found


class ComplaintCodeField(serializers.CharField):
    """The tracking code of another complaint the user may see."""

    parameter_type = "complaint_code"
    default_error_messages = {"unknown": _("There is no complaint {code} that you may see.")}

    def __init__(self, **kwargs):
        super().__init__(max_length=40, **kwargs)

    def run_validation(self, data=empty):
        code = super().run_validation(data)
        if code is None or code == "":
            return None
        found = selectors.complaint_by_code(
            user=request_user(self), code=services.code_as_issued(code)
        )
        if found is None:
            self.fail("unknown", code=code)
        return found


class UserField(serializers.IntegerField):
    """A member of staff of the actor's jurisdiction, by id."""

    parameter_type = "user_id"
    default_error_messages = {"unknown": _("There is no member of your jurisdiction's staff {pk}.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data=empty):
        pk = super().run_validation(data)
        if pk is None:
            return None
        actor = request_user(self)
        found = User.objects.filter(
            pk=pk, jurisdiction_id=actor.jurisdiction_id, is_active=True
        ).first()
        if found is None:
            self.fail("unknown", pk=pk)
        return found


class FoundItemsField(serializers.ListField):
    """Codes of the complaint's own items that the finding names."""

    parameter_type = "item_codes"
    child = serializers.CharField(max_length=64)
    default_error_messages = {"unknown": _("Not among the complaint's items: {codes}.")}

    def __init__(self, **kwargs):
        super().__init__(required=False, default=list, **kwargs)

    def to_internal_value(self, data):
        codes = list(dict.fromkeys(super().to_internal_value(data)))
        complaint = self.context["complaint"]
        found = {item.code: item.entry for item in complaint.items.select_related("entry")}
        missing = [code for code in codes if code not in found]
        if missing:
            self.fail("unknown", codes=", ".join(missing))
        return [found[code] for code in codes]


class ActionParameters(CheckedSerializer):
    """What every action is sent with; subclasses add the action's parameters. Their validated
    values, less `action`, are the keyword arguments of the service services.PERFORM names
    (`to_arguments` renames what the API calls otherwise)."""

    action = serializers.ChoiceField(
        choices=Transition.choices, help_text=_("Which action to perform.")
    )

    def to_arguments(self) -> dict:
        values = dict(self.validated_data)
        del values["action"]
        return values


class AcceptParameters(ActionParameters):
    responsible = DepartmentField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The department that answers; by default the one complained about."),
    )
    opinion = optional_text_field(_("The opinion, if any."))


class RefuseParameters(ActionParameters):
    ground = serializers.ChoiceField(choices=RefusalGround.choices)
    reason = text_field(_("The reason told to the complainant."))
    repeat_of = ComplaintCodeField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text=_("For ground r4 and after two reviews: the earlier complaint's code."),
    )


class TransferParameters(ActionParameters):
    jurisdiction = JurisdictionField(help_text=_("The code of the jurisdiction it goes to."))
    department = DepartmentField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The department complained about there, if the complaint names another."),
    )
    reason = text_field(_("The reason for the transfer."))


class MergeParameters(ActionParameters):
    into = ComplaintCodeField(help_text=_("The earlier complaint's code."))
    opinion = optional_text_field(_("The opinion, if any."))


class AnswerParameters(ActionParameters):
    answer = text_field(_("The answer."))


class DeclineParameters(ActionParameters):
    responsible = DepartmentField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The body that is responsible (refused without it)."),
    )
    reason = text_field(_("The reasons."))


class ReassignParameters(ActionParameters):
    responsible = DepartmentField(help_text=_("The department responsible."))
    reason = text_field(_("The reason for the transfer."))


class ExtendParameters(ActionParameters):
    days = serializers.IntegerField(
        min_value=1, max_value=180, help_text=_("Days of extension, at most the policy's.")
    )
    reason = text_field(_("The reason told to the complainant."))


class ReturnParameters(ActionParameters):
    reasons = text_field(_("The reasons for returning the answer."))


class FindingParameters(ActionParameters):
    finding = optional_text_field(
        _("For a substantiated or partly substantiated complaint: the failure.")
    )
    finding_department = DepartmentField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The department at fault; by default the responsible one."),
    )
    found_items = FoundItemsField(help_text=_("Codes of the complaint's items at fault."))

    def to_arguments(self) -> dict:
        values = super().to_arguments()
        values["found_entries"] = values.pop("found_items")
        return values


class CloseParameters(FindingParameters):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    answer = optional_text_field(
        _("The answer told to the complainant; by default the department's.")
    )


class ReviewParameters(FindingParameters):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    answer = text_field(_("The answer to the review."))
    outcome = serializers.ChoiceField(
        choices=Outcome.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The new outcome, when the answer is changed."),
    )


class StandAsideParameters(ActionParameters):
    reason = text_field(_("The interest declared."))
    person = UserField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The office names a member of its staff; by default the user steps aside."),
    )


PARAMETERS: dict[str, type[ActionParameters]] = {
    Transition.ACCEPT: AcceptParameters,
    Transition.REFUSE: RefuseParameters,
    Transition.TRANSFER: TransferParameters,
    Transition.MERGE: MergeParameters,
    Transition.ANSWER: AnswerParameters,
    Transition.DECLINE: DeclineParameters,
    Transition.REASSIGN: ReassignParameters,
    Transition.EXTEND: ExtendParameters,
    Transition.RETURN: ReturnParameters,
    Transition.CLOSE: CloseParameters,
    Transition.REVIEW: ReviewParameters,
    Transition.STAND_ASIDE: StandAsideParameters,
}


class ComplaintActionChoiceSerializer(CheckedSerializer):
    action = serializers.ChoiceField(
        choices=[(str(name), Transition(name).label) for name in PARAMETERS]
    )


class ComplaintParameterChoiceSerializer(CheckedSerializer):
    value = serializers.JSONField(help_text=_("What to send: a choice's value, an id or a code."))
    label = serializers.CharField()


class ComplaintParameterSerializer(CheckedSerializer):
    name = serializers.CharField()
    type = serializers.CharField(
        help_text=_(
            "string, integer, boolean, choice, department_id, jurisdiction_code, "
            "complaint_code, user_id or item_codes."
        )
    )
    required = serializers.BooleanField()
    help = serializers.CharField()
    choices = ComplaintParameterChoiceSerializer(
        many=True, required=False, help_text=_("The values this user may send, where known.")
    )


class ComplaintAvailableActionSerializer(CheckedSerializer):
    action = serializers.ChoiceField(choices=Transition.choices)
    label = serializers.CharField()
    parameters = ComplaintParameterSerializer(many=True)


class ComplaintAvailableActionsSerializer(CheckedSerializer):
    code = serializers.CharField()
    state = serializers.ChoiceField(choices=ComplaintState.choices)
    state_label = serializers.CharField()
    actions = ComplaintAvailableActionSerializer(many=True)
