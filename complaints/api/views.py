"""The API of complaints, mounted at /api/v1/ (issue 12 §1, §3, §12, §13): the same
permissions as the pages.

Staff list the complaints they may see, read one in full (personal data masked as on the
page) and act on it through the same services as the page's action panel (services.PERFORM).
The public files a complaint (throttled per client as the form is: complaints.public_views),
follows one with its code and secret (wrong pairs throttled as on the tracking page) and reads
the statistics. A service's refusal (core.services.DomainError) answers in the API's error
format with the service's message: 400 when a complaint is filed, 409 Conflict when an action
is refused (wrong state, not the user's turn, a missing responsible body). The class-level
`queryset` only names the model for the schema."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from core import throttle
from core.api.exceptions import ActionConflict, ErrorSerializer
from core.api.parameters import parameter_row
from core.models import Department
from core.permissions import Action, can, is_staff_user
from core.services import DomainError

from .. import public_views, selectors, services
from ..choices import ComplaintState, Ground, StepKind, Transition
from ..filtersets import ComplaintFilter
from ..models import Complaint, ComplaintItem, ComplaintStep
from . import serializers as api

TAG = "complaints"
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description=_("Not logged in, or not allowed for this role.")
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=_("No such complaint, or one the user may not see.")
)
REFUSED = OpenApiResponse(
    ErrorSerializer, description=_("The service refused the complaint; the message says why.")
)
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=_("The action is not possible now (state, turn, or what it needs is missing)."),
)
THROTTLED = OpenApiResponse(
    ErrorSerializer, description=_("Too many requests; Retry-After says when to try again.")
)
UNTRACKED = OpenApiResponse(
    ErrorSerializer, description=_("No complaint matches this tracking code and secret.")
)


class Refused(exceptions.APIException):
    """A service's DomainError on filing a complaint."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"
    default_detail = _("The complaint was refused.")


class MayViewComplaints(BasePermission):
    """Staff who may see complaints at all; which ones, the selectors decide."""

    def has_permission(self, request, view) -> bool:
        return is_staff_user(request.user) and can(request.user, Action.VIEW, Complaint)


class MayListOrFile(MayViewComplaints):
    """Reading the list: staff; filing a complaint, and asking how: anyone (issue 12 §1)."""

    def has_permission(self, request, view) -> bool:
        if request.method in ("POST", "OPTIONS"):
            return True
        return super().has_permission(request, view)


def _retry_after(response) -> int:
    return int(response["Retry-After"])


class FileThrottle(BaseThrottle):
    """Filing is limited per client as on the form, in the same counter
    (public_views.file_limit), so the page and the API together cannot flood."""

    retry_after: int | None = None

    def allow_request(self, request, view) -> bool:
        if request.method != "POST":
            return True
        self.retry_after = throttle.limit_take(request, public_views.file_limit())
        return self.retry_after is None

    def wait(self):
        return self.retry_after


class TrackThrottle(BaseThrottle):
    """Tracking is limited as on the tracking page and shares its counters
    (public_views.track_refused): requests per client, and none after too many wrong pairs."""

    retry_after: int | None = None

    def allow_request(self, request, view) -> bool:
        refused = public_views.track_refused(request)
        if refused is None:
            return True
        self.retry_after = _retry_after(refused)
        return False

    def wait(self):
        return self.retry_after


def _visible(user, code: str) -> Complaint:
    found = selectors.complaint_by_code(user=user, code=code)
    if found is None:
        raise exceptions.NotFound(_("There is no complaint with this code that you may see."))
    return found


def detail_data(http_request, code: str) -> dict:
    """A complaint in full, as the user may read it: a fixed number of queries whatever the
    number of its items, steps and events."""
    user = http_request.user
    complaint = (
        selectors.complaints(user=user)
        .select_related("recorded_by", "repeat_of", "finding_department")
        .filter(code=code)
        .first()
    )
    if complaint is None:
        raise exceptions.NotFound(_("There is no complaint with this code that you may see."))
    steps = list(selectors.steps_of(user=user, complaint=complaint))
    open_steps = [step for step in steps if step.finished_at is None]
    context = {
        "request": http_request,
        "representatives": selectors.representatives_of(user=user, complaint=complaint).order_by(
            "pk"
        ),
        "items": selectors.items_of(user=user, complaint=complaint).order_by("pk"),
        "evidence": selectors.evidence_of(user=user, complaint=complaint),
        "steps": steps,
        "holders": ComplaintStep.holders_bulk(open_steps) if open_steps else {},
        "events": selectors.timeline(user=user, complaint=complaint),
        "stand_asides": selectors.stand_asides_of(user=user, complaint=complaint).select_related(
            "declared_by"
        ),
        "repeats": selectors.repeats(user=user, complaint=complaint),
        "available": [
            name
            for name in selectors.available(user=user, complaint=complaint)
            if name in api.PARAMETERS
        ],
    }
    return api.ComplaintDetailSerializer(complaint, context=context).data


# --- the list, and filing ------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("Complaints the user may see (staff)"),
        description=_(
            "The complaints the user may see (the office, supervisors and administrators: their "
            "jurisdiction's and those below; a clerk: those about or assigned to their "
            "department), newest first, each with the steps it waits on."
        ),
        responses={200: api.ComplaintSerializer(many=True), 403: FORBIDDEN},
    ),
    post=extend_schema(
        tags=[TAG],
        summary=_("File a complaint (anyone)"),
        description=_(
            "Anyone files a complaint about a department and, where they can, the published "
            "items concerned (seed 004 五(二)). Evidence files go as multipart/form-data parts "
            "named files. The answer holds the tracking code and its secret, shown only once. "
            "Limited per client as the complaint form is."
        ),
        request={
            "application/json": api.ComplaintCreateSerializer,
            "multipart/form-data": api.ComplaintCreateSerializer,
        },
        responses={201: api.ComplaintFiledSerializer, 400: REFUSED, 429: THROTTLED},
    ),
)
class ComplaintListView(generics.ListCreateAPIView):
    queryset = Complaint.objects.none()
    serializer_class = api.ComplaintSerializer
    filterset_class = ComplaintFilter
    permission_classes = [MayListOrFile]
    throttle_classes = [FileThrottle]
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return selectors.complaints(user=self.request.user)

    def get_serializer_class(self):
        if self.request.method == "POST":
            return api.ComplaintCreateSerializer
        return api.ComplaintSerializer

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            filed = services.complaint_file(
                actor=request.user if request.user.is_authenticated else None,
                **given.to_arguments(),
            )
        except DomainError as refused:
            raise Refused(str(refused)) from refused
        complaint = filed.complaint
        accept = ComplaintStep.objects.filter(
            complaint=complaint, kind=StepKind.ACCEPT, finished_at=None
        ).first()
        data = {
            "code": complaint.code,
            "secret": filed.secret,
            "state": complaint.state,
            "received_at": complaint.received_at,
            "accept_due_at": accept.due_at if accept else None,
            "track_url": reverse("complaints:track"),
        }
        response = Response(api.ComplaintFiledSerializer(data).data, status=status.HTTP_201_CREATED)
        # The secret is shown once: no cache keeps it.
        response["Cache-Control"] = "no-store"
        return response


@extend_schema(
    tags=[TAG],
    summary=_("One complaint in full (staff)"),
    description=_(
        "What the complainant said and their personal data (the identity documents masked), "
        "the items at the version they saw, the evidence, every step with its due moment and "
        "holders, the timeline with every opinion, the repeats found and what the user may do "
        "now."
    ),
    responses={200: api.ComplaintDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
)
class ComplaintDetailView(APIView):
    queryset = Complaint.objects.none()
    permission_classes = [MayViewComplaints]

    def get(self, request, code: str):
        return Response(detail_data(request, code))


# --- the staff's actions -------------------------------------------------------------------------


def _department_choices(user, complaint: Complaint) -> list[dict]:
    found = (
        Department.objects.filter(jurisdiction__path__startswith=complaint.jurisdiction.path)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "name")
    )
    return [{"value": d.pk, "label": f"{d.jurisdiction} · {d.name}"} for d in found]


def _repeat_choices(user, complaint: Complaint) -> list[dict]:
    return [
        {"value": repeat.complaint.code, "label": repeat.complaint.get_state_display()}
        for repeat in selectors.repeats(user=user, complaint=complaint)
    ]


def _item_choices(user, complaint: Complaint) -> list[dict]:
    items = ComplaintItem.objects.filter(complaint=complaint).order_by("pk")
    return [{"value": item.code, "label": item.name} for item in items]


CHOICES = {
    "department_id": _department_choices,
    "complaint_code": _repeat_choices,
    "item_codes": _item_choices,
}


def _parameters(name: str, user, complaint: Complaint) -> list[dict]:
    rows = []
    for field_name, given in api.PARAMETERS[name]().fields.items():
        if field_name == "action":
            continue
        row = parameter_row(field_name, given)
        if "choices" not in row and row["type"] in CHOICES:
            row["choices"] = CHOICES[row["type"]](user, complaint)
        rows.append(row)
    return rows


ACTION_REQUEST = PolymorphicProxySerializer(
    component_name="ComplaintAction",
    serializers={str(name): parameters for name, parameters in api.PARAMETERS.items()},
    resource_type_field_name="action",
)


class TransitionsView(APIView):
    """The staff's actions on one complaint (issue 12 §4–7). GET lists those the user may
    take now with their parameters; POST takes one through its service, as the user."""

    queryset = Complaint.objects.none()
    permission_classes = [MayViewComplaints]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary=_("What the user may do now, with each action's parameters"),
        description=_(
            "The actions on the complaint the user may take now (those of the complaint page's "
            "action panel), each with its parameters and, where known, the values this user "
            "may send."
        ),
        responses={200: api.ComplaintAvailableActionsSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, code: str):
        complaint = _visible(request.user, code)
        actions = [
            {
                "action": name,
                "label": str(Transition(name).label),
                "parameters": _parameters(name, request.user, complaint),
            }
            for name in selectors.available(user=request.user, complaint=complaint)
            if name in api.PARAMETERS
        ]
        data = {
            "code": complaint.code,
            "state": complaint.state,
            "state_label": complaint.get_state_display(),
            "actions": actions,
        }
        return Response(api.ComplaintAvailableActionsSerializer(data).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Take an action"),
        description=_(
            "Takes one action through its service, as the user: accept, refuse, transfer, "
            "merge, answer, decline (“not ours”, naming the responsible body), reassign, "
            "extend, return, close, review or stand_aside. Answers the complaint in full."
        ),
        request={"application/json": ACTION_REQUEST},
        responses={
            200: api.ComplaintDetailSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request, code: str):
        complaint = _visible(request.user, code)
        chosen = api.ComplaintActionChoiceSerializer(data=request.data)
        chosen.is_valid(raise_exception=True)
        name = chosen.validated_data["action"]
        given = api.PARAMETERS[name](
            data=request.data, context={"request": request, "complaint": complaint}
        )
        given.is_valid(raise_exception=True)
        try:
            services.PERFORM[name](actor=request.user, complaint=complaint, **given.to_arguments())
        except DomainError as refused:
            raise ActionConflict(str(refused)) from refused
        if selectors.complaint_by_code(user=request.user, code=complaint.code) is None:
            # The user stood aside: the complaint is no longer theirs to read.
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(detail_data(request, complaint.code))


# --- the public: tracking and statistics ---------------------------------------------------------


def _waiting(steps) -> list[dict]:
    return [
        {
            "kind": step.kind,
            "label": str(public_views.WAITING_LABELS.get(step.kind, step.get_kind_display())),
            "due_at": step.due_at,
            "due_confirmed": step.due_confirmed,
        }
        for step in steps
    ]


def _stages(tracked: selectors.Tracked) -> list[dict]:
    return [
        {
            "transition": stage.transition,
            "label": str(public_views.STAGE_LABELS.get(stage.transition, stage.label)),
            "at": stage.at,
            "note": stage.note,
        }
        for stage in tracked.stages
    ]


def _closed(complaint: Complaint) -> bool:
    return complaint.state == ComplaintState.CLOSED


def tracked_data(tracked: selectors.Tracked) -> dict:
    """The tracking page's fields (public_views.TrackView): no personal data, no staff name,
    no staff opinion."""
    complaint = tracked.complaint
    merged = tracked.merged_into
    return {
        "code": complaint.code,
        "state": complaint.state,
        "state_label": tracked.state_label,
        "ground": complaint.ground,
        "ground_label": str(Ground(complaint.ground).label),
        "jurisdiction": complaint.jurisdiction.name,
        "department": complaint.department.name,
        "received_at": complaint.received_at,
        "items": [
            {"code": item.code, "name": item.name, "version": item.version}
            for item in tracked.items
        ],
        "stages": _stages(tracked),
        "waiting": _waiting(tracked.open_steps),
        "refusal_ground": complaint.refusal_ground,
        "refusal_reason": complaint.refusal_reason,
        "answer": complaint.answer if _closed(complaint) else "",
        "outcome": complaint.outcome if _closed(complaint) else "",
        "rating": complaint.rating,
        "review_round": complaint.review_round,
        "review_due": tracked.review_due,
        "merged_into": None
        if merged is None
        else {
            "state": merged.complaint.state,
            "state_label": merged.state_label,
            "stages": _stages(merged),
            "waiting": _waiting(merged.open_steps),
            "answer": merged.complaint.answer if _closed(merged.complaint) else "",
            "outcome": merged.complaint.outcome if _closed(merged.complaint) else "",
        },
    }


@extend_schema(
    tags=[TAG],
    summary=_("Follow a complaint with its code and secret (anyone)"),
    description=_(
        "With the tracking code and its secret: the complaint's state, its public stages with "
        "their dates, what it waits on and by when, and the answer; never anyone's personal "
        "data, nor staff names or opinions. Wrong pairs are limited per client as on the "
        "tracking page."
    ),
    request=api.ComplaintTrackQuerySerializer,
    responses={200: api.ComplaintTrackedSerializer, 404: UNTRACKED, 429: THROTTLED},
)
class TrackView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [TrackThrottle]
    # A form posts the pair too (a page of another site, a plain HTML form).
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def post(self, request):
        given = api.ComplaintTrackQuerySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        tracked = selectors.complaint_track(**given.validated_data)
        if tracked is None:
            throttled = public_views.track_failed(request)
            if throttled is not None:
                raise exceptions.Throttled(wait=_retry_after(throttled))
            raise exceptions.NotFound(
                _(
                    "No complaint matches this tracking code and secret. Check both as they "
                    "were shown when the complaint was received."
                )
            )
        response = Response(api.ComplaintTrackedSerializer(tracked_data(tracked)).data)
        response["Cache-Control"] = "no-store"
        return response


def _on_time(pair: tuple[int, int]) -> dict:
    on_time, done = pair
    return {"on_time": on_time, "done": done, "rate": selectors.Statistics.rate(pair)}


def _count_rows(rows) -> list[dict]:
    return [{"label": label, "count": count} for label, count in rows]


@extend_schema(
    tags=[TAG],
    summary=_("Complaint statistics (anyone)"),
    description=_(
        "Counts by ground, channel, outcome, state and month, the departments with the most "
        "complaints, the on-time rates of acceptance and answers, and the ratings (信访工作条例 "
        "art. 41); aggregates only, no personal data."
    ),
    parameters=[api.ComplaintStatisticsQuerySerializer],
    responses={200: api.ComplaintStatisticsSerializer},
)
class StatisticsView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        query = api.ComplaintStatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.statistics(**query.validated_data)
        data = {
            "total": found.total,
            "by_ground": _count_rows(found.by_ground),
            "by_channel": _count_rows(found.by_channel),
            "by_outcome": _count_rows(found.by_outcome),
            "by_state": _count_rows(found.by_state),
            "by_month": [
                {"month": month.strftime("%Y-%m"), "count": count}
                for month, count in found.by_month
            ],
            "top_departments": [
                {"jurisdiction": place, "department": department, "count": count}
                for place, department, count in found.top_departments
            ],
            "acceptance_on_time": _on_time(found.acceptance_on_time),
            "answer_on_time": _on_time(found.answer_on_time),
            "ratings": _count_rows(found.ratings),
        }
        return Response(api.ComplaintStatisticsSerializer(data).data)
