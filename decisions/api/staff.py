"""The staff's API of decisions, mounted at /api/v1/decisions/work/ (issue 14 §2, §3): the same
permissions as the pages, through decisions.selectors (a department's clerks their own
decisions, the overseers those of their jurisdiction), every column in full.

The transitions endpoint reads the same table as the decision page's action panel
(services.PROCEDURE.available) and performs an action through its service, as the user. A
refusal answers in the API's error format with the service's message: 409 Conflict when the
action is not possible now (state, turn: TransitionRefused), 400 when what was sent does not
do (a date missing, a redaction without its reason; problems by field under `fields`). The
class-level `queryset` only names the model for the schema."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.exceptions import ActionConflict, ActionRefused, ErrorSerializer
from core.checkers import MULTILINE_STYLE, CheckedSerializer
from core.permissions import Action, can, is_staff_user
from core.services import DomainError

from .. import selectors, services
from ..choices import DecisionState, Flag, PartyKind, PenaltyKind, RedactionReason, Source, StepKind
from ..filtersets import DecisionFilter
from ..forms import REDACTABLE_CHOICES
from ..models import Decision
from ..services import TransitionRefused
from ..staff_views import panel_names

TAG = "decisions"
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description=_("Not logged in, or not allowed for this role.")
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=_("No such decision, or one the user may not see.")
)
REFUSED = OpenApiResponse(
    ErrorSerializer, description=_("What was sent does not do; the message says why.")
)
CONFLICT = OpenApiResponse(
    ErrorSerializer, description=_("The action is not possible now (state or turn).")
)

# The actions this endpoint performs, and the case stage each one moves to.
STAGES = {
    "investigate": DecisionState.INVESTIGATING,
    "notify": DecisionState.NOTIFIED,
    "execute": DecisionState.EXECUTED,
}
ACTION_LABELS = {
    "investigate": _("Start the investigation"),
    "notify": _("Record the notification"),
    "decide": _("Record the case's decision"),
    "serve": _("Record the service"),
    "execute": _("Close as executed"),
    "publish": _("Publish the decision"),
    "redact": _("Redact a published part"),
    "revoke": _("Revoke the decision"),
}
API_ACTIONS = list(ACTION_LABELS.items())


class MayView(BasePermission):
    """Staff who may see decisions at all; which ones, the selectors decide."""

    def has_permission(self, request, view) -> bool:
        return is_staff_user(request.user) and can(request.user, Action.VIEW, Decision)


def _not_found():
    return exceptions.NotFound(_("There is no such decision that you may see."))


# --- output -------------------------------------------------------------------------------------


class DecisionRefSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DecisionItemRefSerializer(DecisionRefSerializer):
    code = serializers.CharField(help_text=_("The item's implementation code."))


class DecisionCategoryRefSerializer(DecisionRefSerializer):
    code = serializers.CharField(help_text=_("The category's code (01 licence, 02 penalty)."))


class DecisionFlagSerializer(CheckedSerializer):
    flag = serializers.ChoiceField(choices=Flag.choices)
    label = serializers.CharField()


class DecisionOfficerSerializer(CheckedSerializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    certificate_number = serializers.CharField(
        help_text=_("The certificate valid on the decision date; empty when none was.")
    )
    certificate_valid_until = serializers.SerializerMethodField()

    def get_certificate_valid_until(self, officer) -> str | None:
        certificate = officer.certificate
        return certificate.valid_until.isoformat() if certificate else None


class DecisionOpenStepSerializer(CheckedSerializer):
    kind = serializers.ChoiceField(choices=StepKind.choices)
    label = serializers.CharField(source="get_kind_display")
    due_at = serializers.DateTimeField(allow_null=True)
    due_confirmed = serializers.BooleanField()


class DecisionPublicTextSerializer(CheckedSerializer):
    title = serializers.CharField(source="public_title")
    party_name = serializers.CharField(source="public_party_name")
    content = serializers.CharField(source="public_content")
    basis = serializers.CharField(source="public_basis")


class DecisionSerializer(CheckedSerializer):
    """A decision in full, as its department's clerks and the overseers read it."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text=_("The decision in this API."))
    page_url = serializers.SerializerMethodField(help_text=_("The decision's staff page."))
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=DecisionState.choices)
    state_label = serializers.CharField(source="get_state_display")
    source = serializers.ChoiceField(choices=Source.choices)
    external_id = serializers.CharField(help_text=_("The case system's reference, if pushed."))
    department = DecisionRefSerializer()
    jurisdiction = DecisionRefSerializer()
    body = DecisionRefSerializer()
    item = DecisionItemRefSerializer()
    item_version = serializers.IntegerField(
        allow_null=True, help_text=_("The item's published version in force on the decision date.")
    )
    category = DecisionCategoryRefSerializer()
    party_kind = serializers.ChoiceField(choices=PartyKind.choices)
    party_name = serializers.CharField()
    party_credit_code = serializers.CharField()
    legal_representative = serializers.CharField()
    party_id_number = serializers.CharField(help_text=_("Never published."))
    party_contact = serializers.CharField(help_text=_("Never published."))
    content = serializers.CharField()
    basis = serializers.CharField()
    penalty_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=PenaltyKind.choices)
    )
    fine_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    confiscated_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    licence_name = serializers.CharField()
    licence_number = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    filed_on = serializers.DateField(allow_null=True)
    decided_on = serializers.DateField(allow_null=True)
    served_on = serializers.DateField(allow_null=True)
    major = serializers.BooleanField(help_text=_("A major penalty (seed 002 第十六条)."))
    legal_review_on = serializers.DateField(allow_null=True)
    legal_reviewer = serializers.CharField()
    legal_review_opinion = serializers.CharField()
    collective_on = serializers.DateField(allow_null=True)
    collective_note = serializers.CharField()
    flags = serializers.SerializerMethodField(
        help_text=_("Accountability grounds of seed 002 第二十条 the facts show.")
    )
    officers = DecisionOfficerSerializer(many=True, source="officer_list")
    open_steps = DecisionOpenStepSerializer(many=True)
    public = DecisionPublicTextSerializer(
        source="*", help_text=_("What the public reads once published (redacted).")
    )
    redacted = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_url(self, decision) -> str:
        return reverse("decisions-api:staff-detail", args=[decision.pk])

    def get_page_url(self, decision) -> str:
        return reverse("decisions:staff-detail", args=[decision.pk])

    @extend_schema_field(DecisionFlagSerializer(many=True))
    def get_flags(self, decision) -> list[dict]:
        return [{"flag": str(flag), "label": str(flag.label)} for flag in decision.flags]


class DecisionRedactionSerializer(CheckedSerializer):
    field = serializers.CharField(help_text=_("title, party_name, content or basis."))
    reason = serializers.ChoiceField(choices=RedactionReason.choices)
    reason_label = serializers.CharField(source="get_reason_display")
    explanation = serializers.CharField()
    public_text = serializers.CharField()
    at = serializers.DateTimeField()


class DecisionActionSerializer(CheckedSerializer):
    action = serializers.ChoiceField(
        choices=API_ACTIONS, help_text=_("The name to send to the transitions endpoint.")
    )
    label = serializers.CharField()


class DecisionDetailSerializer(DecisionSerializer):
    redactions = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text=_("What the user may do now (the same as the page's action panel).")
    )

    @extend_schema_field(DecisionRedactionSerializer(many=True))
    def get_redactions(self, decision) -> list[dict]:
        return DecisionRedactionSerializer(self.context["redactions"], many=True).data

    @extend_schema_field(DecisionActionSerializer(many=True))
    def get_actions(self, decision) -> list[dict]:
        return self.context["actions"]


class DecisionAvailableActionsSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=DecisionState.choices)
    state_label = serializers.CharField()
    actions = DecisionActionSerializer(many=True)


# --- input --------------------------------------------------------------------------------------


class RedactionInputSerializer(CheckedSerializer):
    field = serializers.ChoiceField(choices=REDACTABLE_CHOICES)
    reason = serializers.ChoiceField(choices=RedactionReason.choices)
    explanation = serializers.CharField(style=MULTILINE_STYLE)
    public_text = serializers.CharField(
        style=MULTILINE_STYLE,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("What the public reads instead; empty: “(withheld)”."),
    )


class DecisionFactsSerializer(CheckedSerializer):
    """The decision stage's facts (seed 002 监督检查办法 第十六条 for a major penalty)."""

    number = serializers.CharField(max_length=100)
    content = serializers.CharField(style=MULTILINE_STYLE)
    basis = serializers.CharField(style=MULTILINE_STYLE)
    penalty_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=PenaltyKind.choices), allow_empty=False
    )
    fine_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    confiscated_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    decided_on = serializers.DateField()
    major = serializers.BooleanField(required=False, default=False)
    legal_review_on = serializers.DateField(required=False, allow_null=True)
    legal_reviewer = serializers.CharField(max_length=100, required=False, allow_blank=True)
    legal_review_opinion = serializers.CharField(
        style=MULTILINE_STYLE, required=False, allow_blank=True
    )
    collective_on = serializers.DateField(required=False, allow_null=True)
    collective_note = serializers.CharField(style=MULTILINE_STYLE, required=False, allow_blank=True)


class DecisionActionRequestSerializer(CheckedSerializer):
    """One action and what it takes: `reason` (revoke), `served_on` (serve), `redactions`
    (publish: optional; redact: at least one), `values` (decide)."""

    action = serializers.ChoiceField(choices=API_ACTIONS)
    reason = serializers.CharField(style=MULTILINE_STYLE, required=False, allow_blank=True)
    served_on = serializers.DateField(required=False)
    redactions = RedactionInputSerializer(many=True, required=False)
    values = DecisionFactsSerializer(required=False)

    def validate(self, data):
        needed = {
            "revoke": "reason",
            "serve": "served_on",
            "redact": "redactions",
            "decide": "values",
        }
        name = needed.get(data["action"])
        if name and not data.get(name):
            raise serializers.ValidationError({name: [_("This action needs this field.")]})
        return data


# --- views --------------------------------------------------------------------------------------


def _visible(user, pk: int) -> Decision:
    decision = selectors.staff_decision(user=user, pk=pk)
    if decision is None:
        raise _not_found()
    return decision


def _actions(user, decision: Decision) -> list[dict]:
    return [
        {"action": name, "label": str(ACTION_LABELS[name])}
        for name in panel_names(user, decision)
        if name in ACTION_LABELS
    ]


def detail_data(request, pk: int) -> dict:
    user = request.user
    decision = _visible(user, pk)
    context = {
        "request": request,
        "redactions": selectors.decision_redactions(user=user, decision=decision),
        "actions": _actions(user, decision),
    }
    return DecisionDetailSerializer(decision, context=context).data


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("Decisions in full (staff)"),
        description=_(
            "The decisions the user may see (a department's clerks their own, the overseers "
            "those of their jurisdiction), newest decided first, filtered by state, kind, flag, "
            "publication and department; every column, the officers and the open steps."
        ),
        responses={200: DecisionSerializer(many=True), 403: FORBIDDEN},
    )
)
class DecisionListView(generics.ListAPIView):
    queryset = Decision.objects.none()
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    permission_classes = [MayView]

    def get_queryset(self):
        return selectors.staff_decisions(user=self.request.user, officers=True).order_by(
            "-decided_on", "-pk"
        )


@extend_schema(
    tags=[TAG],
    summary=_("One decision in full (staff)"),
    description=_(
        "A decision the user may see: every column, its officers and their certificates, its "
        "redactions with their reasons, its open steps and the actions the user may take now."
    ),
    responses={200: DecisionDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
)
class DecisionDetailView(APIView):
    queryset = Decision.objects.none()
    permission_classes = [MayView]

    def get(self, request, pk: int):
        return Response(detail_data(request, pk))


def _perform(name: str, user, decision: Decision, data: dict):
    if name in STAGES:
        return services.case_advance(actor=user, decision=decision, to=STAGES[name])
    if name == "decide":
        return services.case_advance(
            actor=user, decision=decision, to=DecisionState.DECIDED, values=dict(data["values"])
        )
    if name == "serve":
        return services.decision_serve(actor=user, decision=decision, served_on=data["served_on"])
    if name == "revoke":
        return services.decision_revoke(actor=user, decision=decision, reason=data["reason"])
    redactions = [services.RedactionInput(**given) for given in data.get("redactions", [])]
    if name == "publish":
        return services.decision_publish(actor=user, decision=decision, redactions=redactions)
    return services.decision_redact(actor=user, decision=decision, redactions=redactions)


class TransitionsView(APIView):
    """What the user may do now on one decision (GET), and one action taken (POST)."""

    queryset = Decision.objects.none()
    permission_classes = [MayView]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary=_("What the user may do now (staff)"),
        description=_(
            "The actions on the decision the user may take now: the same table as the decision "
            "page's action panel."
        ),
        responses={200: DecisionAvailableActionsSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        decision = _visible(request.user, pk)
        data = {
            "id": decision.pk,
            "state": decision.state,
            "state_label": decision.get_state_display(),
            "actions": _actions(request.user, decision),
        }
        return Response(DecisionAvailableActionsSerializer(data).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Act on a decision (staff)"),
        description=_(
            "investigate, notify, decide (with the decision's facts), serve (the service date), "
            "execute, publish (with its redactions, each with its reason), redact (a part of a "
            "published decision) or revoke (with the reason). Answers the decision in full."
        ),
        request=DecisionActionRequestSerializer,
        responses={
            200: DecisionDetailSerializer,
            400: REFUSED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request, pk: int):
        decision = _visible(request.user, pk)
        given = DecisionActionRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            _perform(data["action"], request.user, decision, data)
        except TransitionRefused as refused:
            raise ActionConflict(str(refused)) from refused
        except services.RowProblems as problems:
            found = problems.problems
            raise serializers.ValidationError(
                {"values": found} if data["action"] == "decide" else found
            ) from problems
        except DomainError as refused:
            raise ActionRefused(str(refused)) from refused
        return Response(detail_data(request, pk))
