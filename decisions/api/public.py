"""The public API of decisions (issue 14 §3): the published decisions with the filters of the
page /decisions/ (decisions.public_query), one published decision, and the confirmed
enforcement bodies. Anyone may call it; it reads the public selectors only, so it returns the
public (redacted) text, never a withheld part, an identity number, an address or phone, a
redaction's explanation or an entrustment's papers. A decision whose party's name is withheld
is not identified by its credit code or representative either. The class-level `queryset`
only names the model for the schema."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import ListPagePagination
from core.checkers import CheckedSerializer
from core.forms import is_key
from registry.api.serializers import DepartmentRefSerializer, JurisdictionRefSerializer

from .. import selectors
from ..choices import DecisionState, PartyKind, PenaltyKind, RedactionReason
from ..models import Decision, EnforcementBody
from ..public_query import PublicDecisionFilter, decision_query

TAG = "decisions"


class PublicFilterBackend(DjangoFilterBackend):
    """Names PublicDecisionFilter's parameters in the schema; the view applies the filter
    itself, through decisions.public_query, as the page does."""

    def get_filterset_class(self, view, queryset=None):
        return view.filterset_class


class PublicBodyRefSerializer(CheckedSerializer):
    name = serializers.CharField()


class PublicItemRefSerializer(CheckedSerializer):
    code = serializers.CharField(source="item.code", help_text=_("The item's implementation code."))
    name = serializers.CharField(source="item.name")
    version = serializers.IntegerField(
        source="item_version",
        allow_null=True,
        help_text=_("The item's version in force on the decision date."),
    )


class PublicKindSerializer(CheckedSerializer):
    code = serializers.CharField(help_text=_("The category code of seed 002 art. 2."))
    name = serializers.CharField()


class PublicPartySerializer(CheckedSerializer):
    kind = serializers.ChoiceField(source="party_kind", choices=PartyKind.choices)
    kind_label = serializers.CharField(source="get_party_kind_display")
    name = serializers.CharField(
        source="public_party_name",
        help_text=_("As published: a natural person by surname only; withheld parts replaced."),
    )
    credit_code = serializers.SerializerMethodField(
        help_text=_("The unified social credit code; empty for a person or when withheld.")
    )
    legal_representative = serializers.SerializerMethodField()

    def _withheld(self, decision) -> bool:
        redactions = self.context.get("redactions", {}).get(decision.pk, [])
        return any(field == "party_name" for field, _reason in redactions)

    def get_credit_code(self, decision) -> str:
        return "" if self._withheld(decision) else decision.party_credit_code

    def get_legal_representative(self, decision) -> str:
        return "" if self._withheld(decision) else decision.legal_representative


class PublicDecisionSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text=_("The decision number (文号)."))
    title = serializers.CharField(source="public_title")
    kind = PublicKindSerializer(source="category")
    party = PublicPartySerializer(source="*")
    jurisdiction = JurisdictionRefSerializer()
    department = DepartmentRefSerializer()
    body = PublicBodyRefSerializer(help_text=_("The enforcement body that made the decision."))
    item = PublicItemRefSerializer(source="*")
    penalty_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=PenaltyKind.choices)
    )
    fine_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    confiscated_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    licence_name = serializers.CharField()
    licence_number = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    decided_on = serializers.DateField(allow_null=True)
    served_on = serializers.DateField(allow_null=True)
    published_at = serializers.DateTimeField()
    revoked = serializers.SerializerMethodField()
    withheld_reasons = serializers.SerializerMethodField(
        help_text=_("Why parts are withheld (state secret, trade secret, personal privacy).")
    )
    url = serializers.SerializerMethodField(help_text=_("The decision's public page."))

    def get_revoked(self, decision) -> bool:
        return decision.state == DecisionState.REVOKED

    def get_withheld_reasons(self, decision) -> list[str]:
        redactions = self.context.get("redactions", {}).get(decision.pk, [])
        reasons = dict.fromkeys(reason for _field, reason in redactions)
        return [reason for reason in reasons if reason in RedactionReason.values]

    def get_url(self, decision) -> str:
        path = reverse("decisions:public-detail", args=[decision.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class PublicDecisionDetailSerializer(PublicDecisionSerializer):
    content = serializers.CharField(source="public_content")
    basis = serializers.CharField(source="public_basis")


class PublicBodySerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    department = DepartmentRefSerializer()
    jurisdiction = JurisdictionRefSerializer(source="department.jurisdiction")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    credit_code = serializers.CharField()
    basis = serializers.CharField()
    entrustment_number = serializers.CharField()
    entrusted_from = serializers.DateField(allow_null=True)
    entrusted_until = serializers.DateField(allow_null=True)


def _redactions(request, rows) -> dict:
    """The standing redactions of the rows that have any: one query, none when no row does."""
    ids = [row.pk for row in rows if row.redacted]
    return selectors.public_redactions(user=request.user, ids=ids) if ids else {}


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("Published decisions (anyone)"),
        description=_(
            "Licences, penalties and other decisions made under the listed items, as published: "
            "the public text only. The filters of the page /decisions/; with q, the closest "
            "matches first; newest decision first."
        ),
    )
)
class DecisionListView(generics.ListAPIView):
    queryset = Decision.objects.none()
    serializer_class = PublicDecisionSerializer
    permission_classes = [AllowAny]
    filter_backends = [PublicFilterBackend]
    pagination_class = ListPagePagination

    filterset_class = PublicDecisionFilter

    def list(self, request, *args, **kwargs):
        query = decision_query(request.query_params, request.user)
        if not query.valid:
            raise translate_validation(query.filterset.form.errors)
        rows = self.paginator.paginate_list(
            query.filtered, request, order=selectors.PUBLIC_ORDER, tiers=query.tiers()
        )
        context = self.get_serializer_context() | {"redactions": _redactions(request, rows)}
        data = PublicDecisionSerializer(rows, many=True, context=context).data
        return self.paginator.get_paginated_response(data)


@extend_schema(
    tags=[TAG],
    summary=_("One published decision (anyone)"),
    description=_(
        "A published decision as its public page shows it, with its public content and basis "
        "and the reasons any part is withheld. Not found while unpublished."
    ),
    responses={200: PublicDecisionDetailSerializer},
)
class DecisionDetailView(APIView):
    queryset = Decision.objects.none()
    permission_classes = [AllowAny]

    def get(self, request, pk: int):
        decision = selectors.public_decision(user=request.user, pk=pk) if is_key(pk) else None
        if decision is None:
            raise exceptions.NotFound(_("No published decision has this number."))
        context = {"request": request, "redactions": _redactions(request, [decision])}
        return Response(PublicDecisionDetailSerializer(decision, context=context).data)


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("Enforcement bodies (anyone)"),
        description=_(
            "Every department's confirmed enforcement bodies (执法主体公示): its own and the "
            "organisations it entrusts, with the entrustment document's number and validity."
        ),
    )
)
class BodyListView(generics.ListAPIView):
    queryset = EnforcementBody.objects.none()
    serializer_class = PublicBodySerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.public_body_list(user=self.request.user)
