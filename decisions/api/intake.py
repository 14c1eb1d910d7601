"""The intake API of the departments' case systems and the credit-system feed (issue 14 §4,
§5), mounted at /api/v1/.

Intake: a case system calls with its department's key, `Authorization: Bearer <key>`
(`CaseSystemKeyAuthentication`); no login, no cookie. It pushes one decision or a list of
them (POST decisions/intake/), reads one of its department's decisions by its own reference
and pushes that one again (GET, PUT decisions/intake/<reference>/). Everything goes through
decisions.services.intake: the key's department is the decision's, and a reference of another
department is "not found" (404), as for anyone. An unknown or revoked key is refused (401); what
the services refuse answers 400 with each problem at its field (`error.fields`); calls are
limited per key (429). Every call is audited by the services.

The credit feed (双公示, seed 002 管理办法 第十二条): the staff who may see decisions read the
licence or penalty records changed since a moment, page by page in the order (changed at, id),
so that a walk of the pages is stable however the data changes meanwhile.
"""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from core import throttle
from core.api.exceptions import ErrorSerializer
from core.api.serializers import EventMomentField
from core.checkers import MULTILINE_STYLE, CheckedSerializer, text_problem
from core.permissions import Action, can, is_staff_user

from .. import selectors
from ..choices import DecisionState, PartyKind, PenaltyKind
from ..models import ApiToken, Decision
from ..services import RowProblems
from ..services import credit as credit_services
from ..services import intake as intake_services

TAG = "decisions"
UNAUTHORISED = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy("No key, or a key that is unknown or revoked."),
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy("Your department has no decision with this reference."),
)
INVALID = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy("The decision was refused; error.fields names each problem."),
)
# Calls per key and client address in each window (this product's defaults): a case system
# pushes its day's decisions in batches; more than this is a loop gone wrong.
CALLS = 600
WINDOW_SECONDS = 600
# The credit feed's pages (this product's defaults).
FEED_PAGE_SIZE = 100
FEED_MAX_PAGE_SIZE = 500


# --- the key ---------------------------------------------------------------------------------


class CaseSystemKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`: the request is the key's department's case system. The
    user stays anonymous (a key is no staff account and has no role); the key is request.auth.
    A missing header leaves the request unauthenticated (401 by the permission); a key that is
    unknown or revoked is refused at once (401)."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as: Authorization: Bearer <key>.")
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as wrong:
            raise exceptions.AuthenticationFailed(_("This key is unknown or revoked.")) from wrong
        token = intake_services.api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This key is unknown or revoked."))
        return AnonymousUser(), token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class CaseSystemKeyScheme(OpenApiAuthenticationExtension):
    target_class = CaseSystemKeyAuthentication
    name = "caseSystemKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": gettext_lazy(
                "The key of a department's case system, made by its clerks on the site and "
                "shown once."
            ),
        }


class HasKey(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken)


class KeyThrottle(BaseThrottle):
    """CALLS per key (and client address) every WINDOW_SECONDS, counted as every limit of the
    site is (core.throttle). A throttled call is not audited: flooding is what it stops."""

    retry_after: int | None = None

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            return True
        limit = throttle.Limit(
            scope=f"decisions-intake-{request.auth.pk}", count=CALLS, seconds=WINDOW_SECONDS
        )
        self.retry_after = throttle.limit_take(request, limit)
        return self.retry_after is None

    def wait(self):
        return self.retry_after


# --- what is pushed and answered ------------------------------------------------------------


def _text(max_length: int, *, multiline: bool = False, **kwargs) -> serializers.CharField:
    options = {"required": False, "allow_blank": True, "max_length": max_length, **kwargs}
    if multiline:
        options["style"] = MULTILINE_STYLE
    return serializers.CharField(**options)


def _day(help_text) -> serializers.DateField:
    return serializers.DateField(required=False, allow_null=True, help_text=help_text)


@extend_schema_serializer(component_name="DecisionPush")
class PushSerializer(CheckedSerializer):
    """One decision as a case system pushes it: the whole decision each time (a value left out
    is emptied), named by its reference."""

    external_id = serializers.CharField(
        max_length=100,
        help_text=gettext_lazy("Your case system's reference of the decision."),
    )
    body = _text(
        100, help_text=gettext_lazy("The enforcement body: its name (or id) in your department.")
    )
    item = _text(64, help_text=gettext_lazy("The implementation code of your department's item."))
    officers = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=20,
        help_text=gettext_lazy("The certificate numbers of the officers who handled it."),
    )
    title = _text(200, help_text=gettext_lazy("The case or matter."))
    number = _text(100, help_text=gettext_lazy("The decision number (文书号)."))
    party_kind = serializers.ChoiceField(
        choices=PartyKind.choices,
        required=False,
        help_text=gettext_lazy("The kind of party."),
    )
    party_name = _text(200, help_text=gettext_lazy("The party's name."))
    party_credit_code = _text(
        18, help_text=gettext_lazy("An organisation's unified social credit code.")
    )
    legal_representative = _text(50, help_text=gettext_lazy("The legal representative."))
    party_id_number = _text(
        18, help_text=gettext_lazy("A natural person's identity number: never published.")
    )
    party_contact = _text(
        200, help_text=gettext_lazy("The party's address and phone: never published.")
    )
    content = _text(20000, multiline=True, help_text=gettext_lazy("The facts and content."))
    basis = _text(5000, multiline=True, help_text=gettext_lazy("The legal basis."))
    penalty_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=PenaltyKind.choices),
        required=False,
        max_length=len(PenaltyKind.choices),
        help_text=gettext_lazy("The kinds of penalty."),
    )
    fine_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The fine, in yuan."),
    )
    confiscated_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("What was confiscated, in yuan."),
    )
    licence_name = _text(100, help_text=gettext_lazy("The licence certificate."))
    licence_number = _text(100, help_text=gettext_lazy("The licence number."))
    valid_from = _day(gettext_lazy("The licence is valid from."))
    valid_until = _day(gettext_lazy("The licence or penalty is valid until."))
    filed_on = _day(gettext_lazy("The case was filed or the application accepted on."))
    decided_on = _day(gettext_lazy("Decided on."))
    served_on = _day(gettext_lazy("Served on: from it, the decision is published within 10 days."))
    major = serializers.BooleanField(
        required=False, help_text=gettext_lazy("A major penalty (重大行政处罚).")
    )
    legal_review_on = _day(gettext_lazy("The legal review (法制审核) was made on."))
    legal_reviewer = _text(100, help_text=gettext_lazy("The legal review was made by."))
    legal_review_opinion = _text(
        5000, multiline=True, help_text=gettext_lazy("The legal review's opinion.")
    )
    collective_on = _day(gettext_lazy("The collective discussion (集体讨论) was held on."))
    collective_note = _text(
        5000, multiline=True, help_text=gettext_lazy("The collective discussion's record.")
    )
    revoked = serializers.BooleanField(
        required=False,
        help_text=gettext_lazy("True: the decision with this reference is revoked."),
    )
    revocation_reason = _text(2000, multiline=True, help_text=gettext_lazy("Why it is revoked."))


# One decision, or a list of them (the component is registered by the PUT's body).
PUSH_BODY = {
    "application/json": {
        "oneOf": [
            {"$ref": "#/components/schemas/DecisionPush"},
            {
                "type": "array",
                "minItems": 1,
                "maxItems": intake_services.MAX_BATCH,
                "items": {"$ref": "#/components/schemas/DecisionPush"},
            },
        ]
    }
}


class PushedSerializer(serializers.Serializer):
    external_id = serializers.CharField(help_text=gettext_lazy("Your reference."))
    id = serializers.IntegerField(help_text=gettext_lazy("The decision's number on this site."))
    version = serializers.IntegerField(help_text=gettext_lazy("Its version now."))
    state = serializers.ChoiceField(
        choices=DecisionState.choices, help_text=gettext_lazy("Its state now.")
    )
    created = serializers.BooleanField(
        help_text=gettext_lazy("True: recorded now; false: an existing decision changed.")
    )
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text=gettext_lazy("What is wrong with it as recorded (accountability grounds)."),
    )


class PushResultSerializer(serializers.Serializer):
    results = PushedSerializer(many=True)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class _CertificateNumbers(serializers.Field):
    def to_representation(self, value):
        return [officer.certificate_number for officer in value.all()]


class IntakeDecisionSerializer(serializers.Serializer):
    """What the case system reads back of its decision."""

    id = serializers.IntegerField(help_text=gettext_lazy("The decision's number on this site."))
    external_id = serializers.CharField(help_text=gettext_lazy("Your reference."))
    version = serializers.IntegerField(help_text=gettext_lazy("Its version now."))
    state = serializers.ChoiceField(
        choices=DecisionState.choices, help_text=gettext_lazy("Its state now.")
    )
    number = serializers.CharField(help_text=gettext_lazy("The decision number (文书号)."))
    title = serializers.CharField(help_text=gettext_lazy("The case or matter."))
    party_kind = serializers.ChoiceField(
        choices=PartyKind.choices, help_text=gettext_lazy("The kind of party.")
    )
    party_name = serializers.CharField(help_text=gettext_lazy("The party's name."))
    body = serializers.CharField(
        source="body.name", help_text=gettext_lazy("The enforcement body.")
    )
    item = serializers.CharField(
        source="item.code", help_text=gettext_lazy("The item's implementation code.")
    )
    item_version = serializers.IntegerField(
        allow_null=True,
        help_text=gettext_lazy("The item's version in force on the decision date."),
    )
    officers = _CertificateNumbers(
        help_text=gettext_lazy("The certificate numbers of the officers who handled it.")
    )
    decided_on = serializers.DateField(allow_null=True, help_text=gettext_lazy("Decided on."))
    served_on = serializers.DateField(allow_null=True, help_text=gettext_lazy("Served on."))
    published_at = serializers.DateTimeField(
        allow_null=True, help_text=gettext_lazy("Published on the site at (none: not yet).")
    )
    redacted = serializers.BooleanField(
        help_text=gettext_lazy("True: the public reads a redacted text.")
    )
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text=gettext_lazy("What is wrong with it as recorded (accountability grounds)."),
    )
    updated_at = serializers.DateTimeField(help_text=gettext_lazy("Last changed at."))


def _pushed(results) -> dict:
    return {
        "results": [
            {
                "external_id": decision.external_id,
                "id": decision.pk,
                "version": decision.version,
                "state": decision.state,
                "created": created,
                "flags": [str(flag) for flag in decision.flags],
            }
            for decision, created in results
        ]
    }


def _refused(problems: dict[str, list[str]]) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {name: [str(message) for message in messages] for name, messages in problems.items()}
    )


class IntakeBase(APIView):
    authentication_classes = [CaseSystemKeyAuthentication]
    permission_classes = [HasKey]
    throttle_classes = [KeyThrottle]
    parser_classes = [JSONParser]
    # Names the model for the schema only; reads go through selectors with the key.
    queryset = Decision.objects.none()

    @property
    def token(self) -> ApiToken:
        return self.request.auth

    def handle_exception(self, exc):
        # A body that cannot be read is refused before any handler runs: audited here, so
        # that every call of a key leaves its row.
        unreadable = (exceptions.ParseError, exceptions.UnsupportedMediaType)
        if isinstance(exc, unreadable) and isinstance(
            getattr(self.request, "auth", None), ApiToken
        ):
            intake_services.intake_refused(
                token=self.token,
                call="update" if self.request.method == "PUT" else "push",
                external_ids=[self.kwargs.get("external_id", "")],
                reason="unreadable body",
            )
        return super().handle_exception(exc)

    def checked(self, data, *, many: bool = False) -> list[dict]:
        serializer = PushSerializer(data=data, many=many)
        if not serializer.is_valid():
            errors = serializer.errors
            references = data if many else [data]
            intake_services.intake_refused(
                token=self.token,
                call="push",
                external_ids=[
                    str(item.get("external_id", "")) if isinstance(item, dict) else ""
                    for item in references
                ],
                reason="invalid",
            )
            if many:
                raise exceptions.ValidationError(
                    {str(position): error for position, error in enumerate(errors) if error}
                )
            raise exceptions.ValidationError(errors)
        return serializer.validated_data if many else [serializer.validated_data]


@extend_schema(
    tags=[TAG],
    summary=gettext_lazy("Push decisions (case systems)"),
    description=gettext_lazy(
        "A department's case system pushes one decision, or a list of at most 100, with its "
        "key (Authorization: Bearer). A new reference is recorded, a known one corrected "
        "(a new version), one sent with revoked true revoked. A list is taken whole or not "
        "at all. Bodies, items and officers are looked up in the key's department only."
    ),
    request=PUSH_BODY,
    responses={
        200: PushResultSerializer,
        201: PushResultSerializer,
        400: INVALID,
        401: UNAUTHORISED,
    },
)
class IntakeView(IntakeBase):
    def post(self, request):
        data = request.data
        many = isinstance(data, list)
        if many and len(data) > intake_services.MAX_BATCH:
            intake_services.intake_refused(
                token=self.token, call="push", external_ids=[], reason="too many"
            )
            raise _refused(
                {
                    "non_field_errors": [
                        _("Send at most %(count)s decisions in one call.")
                        % {"count": intake_services.MAX_BATCH}
                    ]
                }
            )
        if not many and not isinstance(data, dict):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Send a decision (an object) or a list of them.")]}
            )
        batch = self.checked(data, many=many)
        try:
            if many:
                results = intake_services.decisions_push(token=self.token, batch=batch)
            else:
                results = [intake_services.decision_push(token=self.token, values=batch[0])]
        except RowProblems as refused:
            raise _refused(refused.problems) from refused
        created = any(was_created for _decision, was_created in results)
        return Response(
            _pushed(results), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


def _reference(external_id: str) -> str:
    """A reference from the URL; one no decision can have (a control character, too long) is
    simply not found."""
    if text_problem(external_id, multiline=False) or len(external_id) > 100:
        return ""
    return external_id


class IntakeItemView(IntakeBase):
    def _decision(self, external_id: str) -> Decision | None:
        reference = _reference(external_id)
        if not reference:
            return None
        return selectors.intake_decision(token=self.token, external_id=reference)

    @extend_schema(
        tags=[TAG],
        summary=gettext_lazy("Read a pushed decision (case systems)"),
        description=gettext_lazy(
            "One decision of the key's department by the case system's reference: its state, "
            "version and whether it is published. Another department's reference is not found."
        ),
        responses={200: IntakeDecisionSerializer, 401: UNAUTHORISED, 404: NOT_FOUND},
    )
    def get(self, request, external_id: str):
        decision = self._decision(external_id)
        intake_services.intake_read_record(
            token=self.token, external_id=external_id, decision=decision
        )
        if decision is None:
            raise exceptions.NotFound(_("Your department has no decision with this reference."))
        return Response(IntakeDecisionSerializer(decision).data)

    @extend_schema(
        tags=[TAG],
        summary=gettext_lazy("Push a decision again (case systems)"),
        description=gettext_lazy(
            "The whole decision with this reference, pushed again: it is corrected (a new "
            "version), or revoked when sent with revoked true. A reference your department "
            "does not have is not found."
        ),
        request=PushSerializer,
        responses={200: PushResultSerializer, 400: INVALID, 401: UNAUTHORISED, 404: NOT_FOUND},
    )
    def put(self, request, external_id: str):
        decision = self._decision(external_id)
        if decision is None:
            intake_services.intake_refused(
                token=self.token, call="update", external_ids=[external_id], reason="not found"
            )
            raise exceptions.NotFound(_("Your department has no decision with this reference."))
        data = request.data
        if not isinstance(data, dict):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Send the decision as an object.")]}
            )
        data = {**data}
        given = data.get("external_id")
        if given not in (None, "", decision.external_id):
            raise _refused(
                {"external_id": [_("The reference in the body differs from the one in the URL.")]}
            )
        data["external_id"] = decision.external_id
        (values,) = self.checked(data)
        try:
            result = intake_services.decision_push(token=self.token, values=values)
        except RowProblems as refused:
            raise _refused(refused.problems) from refused
        return Response(_pushed([result]))


# --- the credit feed -------------------------------------------------------------------------


class MayViewDecisions(BasePermission):
    """Staff who may see decisions at all (a department's clerks, the overseers of a
    jurisdiction); which records, the selectors decide."""

    def has_permission(self, request, view) -> bool:
        return is_staff_user(request.user) and can(request.user, Action.VIEW, Decision)


def _after(value: str) -> tuple[datetime.datetime, int] | None:
    moment, _sep, pk = value.rpartition(",")
    moment = moment.strip().replace(" ", "+")
    try:
        parsed = parse_datetime(moment)
    except ValueError:
        return None
    if parsed is None or timezone.is_naive(parsed):
        return None
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        return None
    return parsed, int(pk)


class CreditFeedQuerySerializer(CheckedSerializer):
    since = EventMomentField(
        required=False,
        help_text=gettext_lazy(
            "Records changed at or after this moment (ISO 8601; without an offset it is "
            "Asia/Shanghai time; a plain date is its start). Without it: every record."
        ),
    )
    after = serializers.CharField(
        required=False,
        max_length=80,
        help_text=gettext_lazy(
            "Where the previous page ended: its next_after, as given. Leave it out for the "
            "first page."
        ),
    )
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=FEED_MAX_PAGE_SIZE,
        default=FEED_PAGE_SIZE,
        help_text=gettext_lazy("Records per page (at most 500)."),
    )

    def validate_after(self, value: str):
        cursor = _after(value)
        if cursor is None:
            raise serializers.ValidationError(
                _("Give the next_after of the previous page as it was given.")
            )
        return cursor


def _record_field(column: credit_services.Column) -> serializers.Field:
    if column.key in ("decision_id", "decision_version"):
        return serializers.IntegerField(required=False, help_text=column.header)
    if column.key == "item_version":
        return serializers.IntegerField(required=False, allow_null=True, help_text=column.header)
    return serializers.CharField(required=False, allow_blank=True, help_text=column.header)


# One record of either kind: the fields of the kind's exchange form (each described by its
# name in the national form) and the trace columns.
CreditRecordSerializer = type(
    "CreditRecordSerializer",
    (serializers.Serializer,),
    {
        column.key: _record_field(column)
        for kind in credit_services.KINDS
        for column in credit_services.COLUMNS[kind]
    },
)


class CreditFeedSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text=gettext_lazy("licence (行政许可) or penalty (行政处罚)."),
    )
    results = CreditRecordSerializer(many=True)
    next_after = serializers.CharField(
        allow_null=True,
        help_text=gettext_lazy("Give it as after= for the next page; none: this is the last."),
    )
    next = serializers.URLField(
        allow_null=True, help_text=gettext_lazy("The next page's address; none: the last.")
    )


@extend_schema(
    tags=[TAG],
    summary=gettext_lazy("Credit exchange feed (publicity of licences and penalties)"),
    description=gettext_lazy(
        "Published licence or penalty decisions changed since a moment, in the fields of the "
        "national exchange form (public text only), each traceable to its decision and "
        "version; in the order they changed, page by page (staff who may see decisions)."
    ),
    parameters=[
        OpenApiParameter(
            "kind",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            enum=list(credit_services.KINDS),
            description=gettext_lazy("licence (行政许可) or penalty (行政处罚)."),
        ),
        CreditFeedQuerySerializer,
    ],
    responses={200: CreditFeedSerializer},
)
class CreditFeedView(APIView):
    permission_classes = [MayViewDecisions]
    queryset = Decision.objects.none()

    def get(self, request, kind: str):
        if kind not in credit_services.KINDS:
            raise exceptions.NotFound(_("Choose licence or penalty."))
        query = CreditFeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        size = query.validated_data["page_size"]
        found = list(
            selectors.credit_changed(
                user=request.user,
                kind=kind,
                since=query.validated_data.get("since"),
                after=query.validated_data.get("after"),
            )[: size + 1]
        )
        page, more = found[:size], len(found) > size
        next_after = next_url = None
        if more:
            last = page[-1]
            next_after = f"{last.updated_at.isoformat()},{last.pk}"
            params = {"after": next_after, "page_size": size}
            if "since" in request.query_params:
                params["since"] = request.query_params["since"]
            next_url = request.build_absolute_uri(
                f"{reverse('decisions-api:credit-feed', args=[kind])}?{urlencode(params)}"
            )
        return Response(
            {
                "kind": kind,
                "results": [credit_services.record(decision, kind) for decision in page],
                "next_after": next_after,
                "next": next_url,
            }
        )
