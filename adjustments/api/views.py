"""The API of the adjustment procedure (issue 4 §8), mounted at /api/v1/: the requests and their
transitions for staff, with the same permission rules as the pages, and the public
announcements of published adjustments (SPEC §10).

Reads go through adjustments.selectors; every change is one service of adjustments.services,
with the user as actor. A service's refusal (core.services.DomainError) answers in the API's
error format with the service's message: 400 when a request is created, 409 Conflict when a
transition is refused (wrong state, not the user's turn). The class-level `queryset` only names
the model core.api.permissions.RolePermission asks core.permissions about."""

from collections.abc import Callable
from dataclasses import dataclass, field

import django_filters
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from adjustments import selectors, services
from adjustments.choices import RequestState, Transition, TriggerKind
from adjustments.models import AdjustmentRequest
from adjustments.permissions import ANNOUNCE
from core.api.exceptions import ErrorSerializer
from core.api.parameters import parameter_row
from core.checkers import CheckedForm, CheckedSerializer
from core.filtersets import IdFilter
from core.permissions import Action, can, is_staff_user
from core.services import DomainError

from . import serializers as api

TAG = "adjustments"
INVALID = OpenApiResponse(ErrorSerializer, description=_("Invalid parameters."))
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description=_("Not logged in, or not allowed for this role.")
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=_("No such request, or one the user may not see.")
)
REFUSED = OpenApiResponse(
    ErrorSerializer, description=_("The service refused the request; the message says why.")
)
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=_("The transition is not possible now (state, path or not the user's turn)."),
)


class Refused(exceptions.APIException):
    """A service's DomainError on creating a request."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"
    default_detail = _("The request was refused.")


class TransitionConflict(exceptions.APIException):
    """A transition the service refused: the request's state or its actor was wrong."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("This transition is not possible now.")


class MayViewRequests(BasePermission):
    """The transitions endpoint: staff who may see adjustment requests at all. Which requests
    (the selectors) and which transitions (the services) are decided per request."""

    def has_permission(self, request, view) -> bool:
        return is_staff_user(request.user) and can(request.user, Action.VIEW, AdjustmentRequest)


class MayReadAnnouncements(BasePermission):
    """Published adjustments are announced to everyone, without login (SPEC §10)."""

    def has_permission(self, request, view) -> bool:
        return can(request.user, ANNOUNCE, AdjustmentRequest)


def _visible(user, number: str) -> AdjustmentRequest:
    found = selectors.request_by_number(user=user, number=number)
    if found is None:
        raise exceptions.NotFound(_("There is no adjustment request with this number."))
    return found


def detail_data(http_request, number: str) -> dict:
    """A request in full, as the user may read it: a fixed number of queries whatever the
    number of its items, steps and events."""
    user = http_request.user
    adjustment = _visible(user, number)
    context = {
        "request": http_request,
        "items": selectors.request_items(user=user, request=adjustment),
        "steps": selectors.request_steps(user=user, request=adjustment),
        "events": selectors.request_events(user=user, request=adjustment),
        "transitions": selectors.available_transitions(user=user, request=adjustment),
    }
    return api.AdjustmentRequestDetailSerializer(adjustment, context=context).data


# --- the requests ------------------------------------------------------------------------------


class RequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=RequestState.choices)
    department = IdFilter(label=_("Applying department (id)"), field_name="department_id")
    trigger = django_filters.ChoiceFilter(label=_("Trigger"), choices=TriggerKind.choices)
    overdue = django_filters.BooleanFilter(
        label=_("With a step past its due moment"), method="filter_overdue"
    )
    q = django_filters.CharFilter(
        label=_("Words in the number or the subject"), method="filter_q", max_length=50
    )

    class Meta:
        model = AdjustmentRequest
        form = CheckedForm
        fields = ["state", "department", "trigger", "overdue", "q"]

    def filter_overdue(self, queryset, name, value):
        late = selectors.overdue(queryset)
        return late if value else queryset.exclude(pk__in=late.values("pk"))

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(summary__icontains=value))


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("Adjustment requests the user may see"),
        description=_(
            "The adjustment requests the user may see (a clerk: their department's; the office "
            "and supervisors: their jurisdiction's and those below; a reviewer or the digital "
            "office: those assigned to it), newest first, each with the steps it waits on."
        ),
        responses={200: api.AdjustmentRequestSerializer(many=True), 400: INVALID, 403: FORBIDDEN},
    ),
    post=extend_schema(
        tags=[TAG],
        summary=_("File a new adjustment request (department clerks)"),
        description=_(
            "A department clerk files a new request (seed 004 三(三)1) and may submit it at "
            "once; documents go as multipart/form-data parts named files."
        ),
        request={
            "application/json": api.AdjustmentRequestCreateSerializer,
            "multipart/form-data": api.AdjustmentRequestCreateSerializer,
        },
        responses={
            201: api.AdjustmentRequestDetailSerializer,
            400: REFUSED,
            403: FORBIDDEN,
        },
    ),
)
class RequestListView(generics.ListCreateAPIView):
    """The adjustment requests the user may see (a clerk: their department's; the office and
    supervisors: their jurisdiction's and those below; a reviewer or the digital office: those
    assigned to it), newest first, each with the steps it waits on. A clerk files a new request
    here (seed 004 三(三)1 申请), and may submit it at once."""

    queryset = AdjustmentRequest.objects.none()
    serializer_class = api.AdjustmentRequestSerializer
    filterset_class = RequestFilter
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return selectors.requests(user=self.request.user)

    def get_serializer_class(self):
        if self.request.method == "POST":
            return api.AdjustmentRequestCreateSerializer
        return api.AdjustmentRequestSerializer

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        submit = values.pop("submit")
        try:
            # One transaction: a request that cannot be submitted is not created either.
            with transaction.atomic():
                created = services.adjustment_create(actor=request.user, **values)
                if submit:
                    services.adjustment_submit(actor=request.user, request=created)
        except DomainError as refused:
            raise Refused(str(refused)) from refused
        return Response(detail_data(request, created.number), status=status.HTTP_201_CREATED)


@extend_schema(
    description=_(
        "A request with its proposed changes field by field, every step with its deadline and "
        "clock stops, the event log with its attachments, and what the user may do now."
    ),
    tags=[TAG],
    summary=_("One adjustment request in full"),
    responses={200: api.AdjustmentRequestDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
)
class RequestDetailView(generics.GenericAPIView):
    """A request with its proposed changes field by field, every step with its deadline and
    clock stops, the event log with its attachments, and what the user may do now."""

    queryset = AdjustmentRequest.objects.none()
    serializer_class = api.AdjustmentRequestDetailSerializer
    lookup_field = "number"

    def get(self, request, number: str):
        return Response(detail_data(request, number))


# --- the transitions ---------------------------------------------------------------------------

Choices = Callable[[object, AdjustmentRequest], list[dict]]


def _departments(selector) -> Choices:
    def choices(user, adjustment) -> list[dict]:
        found = selector(user=user, request=adjustment)
        return [{"value": department.pk, "label": department.name} for department in found]

    return choices


def _drafts(user, adjustment) -> list[dict]:
    found = selectors.open_drafts(user=user, request=adjustment)
    return [{"value": draft.pk, "label": str(draft)} for draft in found]


@dataclass(frozen=True)
class Performer:
    """How the API performs a transition: the serializer of its parameters (the validated
    values are the keyword arguments of the service services.PERFORM names), and for the
    parameters that name departments or drafts, where the values this user may send are
    listed."""

    parameters: type[api.TransitionParameters]
    choices: dict[str, Choices] = field(default_factory=dict)
    # Values proposed for a parameter (the forward's lead reviewers, adjustments.routing).
    initial: dict[str, Callable] = field(default_factory=dict)


def _reviewers(user, adjustment) -> list[dict]:
    """The lead review departments, those adjustments.routing proposes marked with why."""
    proposed = {
        p.department.pk: p for p in selectors.proposed_reviewers(user=user, request=adjustment)
    }
    rows = []
    for department in selectors.reviewer_choices(user=user, request=adjustment):
        row = {"value": department.pk, "label": department.name}
        if department.pk in proposed:
            row.update(proposed=True, note=proposed[department.pk].note)
        rows.append(row)
    return rows


def _proposed_reviewers(user, adjustment) -> list[int]:
    return [p.department.pk for p in selectors.proposed_reviewers(user=user, request=adjustment)]


REVIEWERS = _departments(selectors.reviewer_choices)

PERFORMERS: dict[str, Performer] = {
    Transition.UPDATE: Performer(api.UpdateParameters, {"drafts": _drafts}),
    Transition.SUBMIT: Performer(api.FilesParameters),
    Transition.RESUBMIT: Performer(api.NoteFilesParameters),
    Transition.WITHDRAW: Performer(api.ReasonParameters),
    Transition.EXTENSION_REQUEST: Performer(api.DaysParameters),
    Transition.EXTEND: Performer(api.DaysParameters),
    Transition.FORWARD: Performer(
        api.ForwardParameters,
        {"reviewers": _reviewers, "primary": REVIEWERS},
        {"reviewers": _proposed_reviewers},
    ),
    Transition.RETURN: Performer(api.ReasonFilesParameters),
    Transition.REJECT: Performer(api.ReasonFilesParameters),
    Transition.REVIEW: Performer(api.ConclusionParameters),
    Transition.JOINT_REQUEST: Performer(api.JointRequestParameters, {"departments": REVIEWERS}),
    Transition.JOINT_DECLINE: Performer(api.NoteParameters),
    Transition.JOINT_CONVENE: Performer(
        api.JointConveneParameters,
        {"participants": _departments(selectors.joint_participant_choices)},
    ),
    Transition.JOINT_CONCLUDE: Performer(api.ConclusionParameters),
    Transition.APPROVE: Performer(api.ApproveParameters),
    Transition.CONFIRM: Performer(api.NoteParameters),
    Transition.OBJECT: Performer(api.ReasonFilesParameters),
    Transition.OBJECTION_FORWARD: Performer(
        api.ObjectionForwardParameters, {"reviewers": REVIEWERS}
    ),
    Transition.REREVIEW: Performer(api.ConclusionParameters),
    Transition.PARENT_FORWARD: Performer(api.OpinionParameters),
    Transition.PARENT_REVIEW: Performer(api.ConclusionParameters),
    Transition.MEETING: Performer(api.MeetingParameters),
    Transition.FILE: Performer(api.OpinionParameters),
    Transition.DIGITAL_FORWARD: Performer(api.OpinionParameters),
    Transition.PUBLISH: Performer(api.NoteParameters),
    Transition.SITE_UPDATE: Performer(api.NoteParameters),
}


class TransitionChoiceSerializer(CheckedSerializer):
    transition = serializers.ChoiceField(
        choices=[(str(name), Transition(name).label) for name in PERFORMERS]
    )


def _parameters(performer: Performer, user, adjustment: AdjustmentRequest) -> list[dict]:
    rows = []
    for name, given in performer.parameters().fields.items():
        if name == "transition":
            continue
        row = parameter_row(name, given)
        if "choices" not in row and name in performer.choices:
            row["choices"] = performer.choices[name](user, adjustment)
        if name in performer.initial:
            row["initial"] = performer.initial[name](user, adjustment)
        rows.append(row)
    return rows


TRANSITION_REQUEST = PolymorphicProxySerializer(
    component_name="AdjustmentTransition",
    serializers={str(name): performer.parameters for name, performer in PERFORMERS.items()},
    resource_type_field_name="transition",
)


class TransitionsView(APIView):
    """The transitions of one request (seed 004 三(三): apply, forward, review, confirm,
    publish, and seed 003's paths). GET lists those the user may perform now with their
    parameters; POST performs one through its service, as the user. Files go as
    multipart/form-data parts named `files`."""

    # Names the model for the schema's path parameter; MayViewRequests does not read it.
    queryset = AdjustmentRequest.objects.none()
    permission_classes = [MayViewRequests]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        tags=[TAG],
        summary=_("What the user may do now, with each transition's parameters"),
        description=_(
            "The transitions of the request the user may perform now, each with its "
            "parameters and, where known, the values this user may send."
        ),
        responses={200: api.AvailableTransitionsSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, number: str):
        adjustment = _visible(request.user, number)
        available = selectors.available_transitions(user=request.user, request=adjustment)
        rows = [
            {
                "transition": name,
                "label": str(Transition(name).label),
                "parameters": _parameters(PERFORMERS[name], request.user, adjustment),
            }
            for name in available
            if name in PERFORMERS
        ]
        data = {
            "number": adjustment.number,
            "state": adjustment.state,
            "state_label": adjustment.get_state_display(),
            "transitions": rows,
        }
        return Response(api.AvailableTransitionsSerializer(data).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Perform a transition"),
        description=_(
            "Performs one transition through its service, as the user. Files go as "
            "multipart/form-data parts named files."
        ),
        request={
            "application/json": TRANSITION_REQUEST,
            "multipart/form-data": TRANSITION_REQUEST,
        },
        responses={
            200: api.AdjustmentRequestDetailSerializer,
            400: INVALID,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request, number: str):
        adjustment = _visible(request.user, number)
        chosen = TransitionChoiceSerializer(data=request.data)
        chosen.is_valid(raise_exception=True)
        name = chosen.validated_data["transition"]
        performer = PERFORMERS[name]
        given = performer.parameters(
            data=request.data, context={"request": request, "adjustment": adjustment}
        )
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        del values["transition"]
        try:
            services.PERFORM[name](actor=request.user, request=adjustment, **values)
        except DomainError as refused:
            raise TransitionConflict(str(refused)) from refused
        return Response(detail_data(request, number))


class MessagesView(APIView):
    """Seed 004 三(三)3 审核 "主动与申请单位沟通对接": the messages between the lead reviewers and
    the applying department on one request. GET lists them for everyone who sees the request
    (the office too); POST sends one (a lead reviewer of the request or a clerk of its
    department, during review), with files as multipart/form-data parts named `files`. The
    other side is notified; the message stays in the request's event log."""

    queryset = AdjustmentRequest.objects.none()
    permission_classes = [MayViewRequests]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        tags=[TAG],
        summary=_("Messages between the lead reviewers and the department"),
        description=_(
            "The messages between the lead reviewers and the applying department on one request "
            "(seed 004 三(三)3), for everyone who may see the request, the office included."
        ),
        responses={200: api.RequestEventSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, number: str):
        adjustment = _visible(request.user, number)
        found = selectors.request_messages(user=request.user, request=adjustment)
        context = {"request": request, "number": adjustment.number}
        return Response(api.RequestEventSerializer(found, many=True, context=context).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Send a message on a request under review"),
        description=_(
            "A lead reviewer of the request or a clerk of its department sends a message during "
            "review; files go as multipart/form-data parts named files. The other side is told."
        ),
        request={
            "application/json": api.MessageParameters,
            "multipart/form-data": api.MessageParameters,
        },
        responses={
            201: api.RequestEventSerializer,
            400: INVALID,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request, number: str):
        adjustment = _visible(request.user, number)
        given = api.MessageParameters(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            event = services.adjustment_message_send(
                actor=request.user, request=adjustment, **given.validated_data
            )
        except DomainError as refused:
            raise TransitionConflict(str(refused)) from refused
        context = {"request": request, "number": adjustment.number}
        return Response(
            api.RequestEventSerializer(event, context=context).data, status=status.HTTP_201_CREATED
        )


# --- the public announcements -------------------------------------------------------------------


@extend_schema(
    description=_(
        "Published adjustments, newest first, with the entries each changed and the version it "
        "published. Public, no login; nothing before publication."
    ),
    tags=[TAG],
    summary=_("Published adjustments (public)"),
    responses={200: api.AnnouncementSerializer(many=True)},
)
class AnnouncementListView(generics.ListAPIView):
    """Published adjustments, newest first, with the entries each changed and the version it
    published (SPEC §10: announcements of each published adjustment). Public, no login;
    nothing before publication."""

    queryset = AdjustmentRequest.objects.none()
    serializer_class = api.AnnouncementSerializer
    permission_classes = [MayReadAnnouncements]

    def get_queryset(self):
        return selectors.announcements(user=self.request.user)
