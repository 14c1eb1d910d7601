"""The API of inspections, mounted at /api/v1/ (issue 13 §8): the same permissions as the pages.

Anyone reads the inspection contents, the draws (the pool text and the commitment from the
commitment on; the seed and the result once drawn: the same as the public draw page) and the
reports. Staff read the plans, inspections, problems and notices selectors give them, and act on
a plan or a notice through the services, as themselves. A refusal answers in the API's error
format with the service's message: 409 Conflict when the action is not possible now (state,
turn: TransitionRefused), 400 when what was sent does not do (a reason missing, a pool that
cannot satisfy the rules). The class-level `queryset` only names the model for the schema."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.exceptions import ActionConflict, ActionRefused, ErrorSerializer
from core.permissions import Action, can, is_staff_user
from core.services import DomainError

from .. import selectors, services
from ..choices import Transition
from ..models import Draw, Inspection, InspectionContent, Plan, Problem, RectificationNotice, Report
from ..services import TransitionRefused
from . import serializers as api

TAG = "inspections"
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description=_("Not logged in, or not allowed for this role.")
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=_("No such record, or one the user may not see.")
)
REFUSED = OpenApiResponse(
    ErrorSerializer, description=_("What was sent does not do; the message says why.")
)
CONFLICT = OpenApiResponse(
    ErrorSerializer, description=_("The action is not possible now (state or turn).")
)


def _performed(perform):
    """Runs a service; its refusal becomes the API's answer (module docstring)."""
    try:
        return perform()
    except TransitionRefused as refused:
        raise ActionConflict(str(refused)) from refused
    except DomainError as refused:
        raise ActionRefused(str(refused)) from refused


class MayView(BasePermission):
    """Staff who may see rows of the view's model at all; which ones, the selectors decide."""

    def has_permission(self, request, view) -> bool:
        return is_staff_user(request.user) and can(request.user, Action.VIEW, view.queryset.model)


def _not_found():
    return exceptions.NotFound(_("There is no such record that you may see."))


# --- public ------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("Inspection contents (anyone)"),
        description=_(
            "The published list of what inspections check (抽查事项清单): basis, inspecting body, "
            "content and method."
        ),
    )
)
class ContentListView(generics.ListAPIView):
    queryset = InspectionContent.objects.none()
    serializer_class = api.ContentSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.contents_public(user=self.request.user).order_by("source", "order", "pk")


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("Double-random draws (anyone)"),
        description=_(
            "Every draw from its commitment on, newest first: the plan, the round, the state, "
            "the commitment and the hash of the pool."
        ),
    )
)
class DrawListView(generics.ListAPIView):
    queryset = Draw.objects.none()
    serializer_class = api.DrawSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.draws_public(user=self.request.user)


@extend_schema(
    tags=[TAG],
    summary=_("One draw, checkable (anyone)"),
    description=_(
        "The draw as its public page shows it: the exact pool text, the commitment and the "
        "pool's hash; once drawn, the revealed seed, the result in draw order (ids of the pool) "
        "and each inspection's published result with its due moment. Anyone re-runs the draw "
        "from the seed and the pool text (inspections/draw.py, static/inspections/draw.js)."
    ),
    responses={200: api.DrawDetailSerializer, 404: NOT_FOUND},
)
class DrawDetailView(APIView):
    queryset = Draw.objects.none()
    permission_classes = [AllowAny]

    def get(self, request, pk: int):
        found = selectors.draw_public(user=request.user, pk=pk)
        if found is None:
            raise _not_found()
        context = {"request": request, "inspections": found.inspections}
        return Response(api.DrawDetailSerializer(found.draw, context=context).data)


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("Inspection reports (anyone)"),
        description=_(
            "The published reports (通报), newest first: what was inspected, the problems by "
            "content and department, rectification and accountability; no personal data."
        ),
    )
)
class ReportListView(generics.ListAPIView):
    queryset = Report.objects.none()
    serializer_class = api.ReportSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.reports_public()


# --- staff: plans and inspections ---------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("Inspection plans (staff)"),
        description=_(
            "The plans the user may see (the office, supervisors and administrators of the "
            "jurisdiction; the members of a plan's team), newest period first."
        ),
        responses={200: api.PlanSerializer(many=True), 403: FORBIDDEN},
    )
)
class PlanListView(generics.ListAPIView):
    queryset = Plan.objects.none()
    serializer_class = api.PlanSerializer
    permission_classes = [MayView]

    def get_queryset(self):
        return selectors.plans(user=self.request.user)


def plan_data(request, pk: int) -> dict:
    user = request.user
    plan = selectors.plan_by_id(user=user, pk=pk)
    if plan is None:
        raise _not_found()
    context = {
        "request": request,
        "scope": selectors.plan_scope(plan=plan),
        "contents": selectors.plan_contents(plan=plan),
        "team": selectors.plan_team(user=user, plan=plan),
        "draws": selectors.plan_draws(user=user, plan=plan).select_related("plan__jurisdiction"),
        "actions": api.actions_of(services.PLANS.available(user, plan), api.PLAN_ACTIONS),
    }
    return api.PlanDetailSerializer(plan, context=context).data


@extend_schema(
    tags=[TAG],
    summary=_("One plan (staff)"),
    description=_(
        "The plan with its scope, checklist, joint inspection team and draws, and the actions "
        "the user may take on it now."
    ),
    responses={200: api.PlanDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
)
class PlanDetailView(APIView):
    queryset = Plan.objects.none()
    permission_classes = [MayView]

    def get(self, request, pk: int):
        return Response(plan_data(request, pk))


def _plan_perform(name: str, user, plan, reason: str):
    if name == "commit":
        return services.draw_commit(actor=user, plan=plan)
    if name == "draw":
        return services.plan_draw(actor=user, plan=plan)
    if name == "redraw":
        return services.plan_redraw(actor=user, plan=plan, reason=reason)
    return services.plan_cancel(actor=user, plan=plan, reason=reason)


@extend_schema(
    tags=[TAG],
    summary=_("Act on a plan (staff)"),
    description=_(
        "commit publishes the pools and the commitment; draw reveals the seed and draws; "
        "redraw (with a reason, published) commits anew; cancel (with a reason). Answers the "
        "plan in full."
    ),
    request=api.PlanActionRequestSerializer,
    responses={
        200: api.PlanDetailSerializer,
        400: REFUSED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: CONFLICT,
    },
)
class PlanTransitionsView(APIView):
    queryset = Plan.objects.none()
    permission_classes = [MayView]
    parser_classes = [JSONParser]

    def post(self, request, pk: int):
        plan = selectors.plan_by_id(user=request.user, pk=pk)
        if plan is None:
            raise _not_found()
        given = api.PlanActionRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        _performed(lambda: _plan_perform(data["action"], request.user, plan, data["reason"]))
        return Response(plan_data(request, pk))


@extend_schema(
    tags=[TAG],
    summary=_("One inspection (staff)"),
    description=_(
        "An inspection the user may see (the overseers, its inspectors, the unit): its plan, "
        "unit, inspectors, the procedure's records and the actions the user may take now."
    ),
    responses={200: api.InspectionDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
)
class InspectionDetailView(APIView):
    queryset = Inspection.objects.none()
    permission_classes = [MayView]

    def get(self, request, pk: int):
        user = request.user
        inspection = selectors.inspection_by_id(user=user, pk=pk)
        if inspection is None:
            raise _not_found()
        context = {
            "request": request,
            "records": selectors.inspection_records(user=user, inspection=inspection),
            "actions": [
                {"action": name, "label": _label(name)}
                for name in services.INSPECTIONS.available(user, inspection)
            ],
        }
        return Response(api.InspectionDetailSerializer(inspection, context=context).data)


def _label(name: str) -> str:
    return str(Transition(name).label)


# --- staff: the ledger and notices --------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("The problem ledger (staff)"),
        description=_(
            "The problems the user may see (the overseers of the jurisdiction; the inspectors of "
            "the inspections that found them; a unit its own), newest found first, filtered by "
            "state, source, department and words. Who reported a problem is shown to the office "
            "and supervisors only."
        ),
        parameters=[api.ProblemFilterSerializer],
        responses={200: api.ProblemSerializer(many=True), 403: FORBIDDEN},
    )
)
class ProblemListView(generics.ListAPIView):
    queryset = Problem.objects.none()
    serializer_class = api.ProblemSerializer
    permission_classes = [MayView]
    filter_backends = []

    def get_queryset(self):
        query = api.ProblemFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.problem_filter(
            selectors.problems(user=self.request.user), **query.validated_data
        )


@extend_schema(
    tags=[TAG],
    summary=_("One problem (staff)"),
    description=_(
        "A problem of the ledger the user may see: its unit, inspection content, source, "
        "severity and state. Who reported it is shown to the office and supervisors only."
    ),
    responses={200: api.ProblemSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
)
class ProblemDetailView(APIView):
    queryset = Problem.objects.none()
    permission_classes = [MayView]

    def get(self, request, pk: int):
        problem = selectors.problem_by_id(user=request.user, pk=pk)
        if problem is None:
            raise _not_found()
        return Response(api.ProblemSerializer(problem, context={"request": request}).data)


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary=_("Rectification notices (staff)"),
        description=_(
            "The notices the user may see (the overseers of the jurisdiction; a unit those "
            "addressed to it), newest first."
        ),
        responses={200: api.NoticeSerializer(many=True), 403: FORBIDDEN},
    )
)
class NoticeListView(generics.ListAPIView):
    queryset = RectificationNotice.objects.none()
    serializer_class = api.NoticeSerializer
    permission_classes = [MayView]

    def get_queryset(self):
        return selectors.notices(user=self.request.user)


def notice_data(request, pk: int) -> dict:
    user = request.user
    notice = selectors.notice_by_id(user=user, pk=pk)
    if notice is None:
        raise _not_found()
    context = {
        "request": request,
        "problems": selectors.notice_problems(user=user, notice=notice),
        "actions": api.actions_of(services.NOTICES.available(user, notice), api.NOTICE_ACTIONS),
    }
    return api.NoticeDetailSerializer(notice, context=context).data


@extend_schema(
    tags=[TAG],
    summary=_("One rectification notice (staff)"),
    description=_(
        "The notice with its requirements, problems, PDF once issued and the actions the user "
        "may take now."
    ),
    responses={200: api.NoticeDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
)
class NoticeDetailView(APIView):
    queryset = RectificationNotice.objects.none()
    permission_classes = [MayView]

    def get(self, request, pk: int):
        return Response(notice_data(request, pk))


def _notice_perform(name: str, user, notice, text: str):
    if name == "issue":
        return services.notice_issue(actor=user, notice=notice)
    if name == "withdraw":
        return services.notice_withdraw(actor=user, notice=notice, reason=text)
    if name == "report":
        return services.rectification_report(actor=user, notice=notice, text=text)
    if name == "accept":
        return services.notice_accept(actor=user, notice=notice, opinion=text)
    if name == "return":
        return services.notice_return(actor=user, notice=notice, reasons=text)
    return services.notice_close_not_fixed(actor=user, notice=notice, reasons=text)


@extend_schema(
    tags=[TAG],
    summary=_("Act on a rectification notice (staff)"),
    description=_(
        "issue, withdraw (with the reason), report (the unit: the rectification done), accept "
        "(the verification), return or not_fixed (the reasons). Answers the notice in full."
    ),
    request=api.NoticeActionRequestSerializer,
    responses={
        200: api.NoticeDetailSerializer,
        400: REFUSED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: CONFLICT,
    },
)
class NoticeTransitionsView(APIView):
    queryset = RectificationNotice.objects.none()
    permission_classes = [MayView]
    parser_classes = [JSONParser]

    def post(self, request, pk: int):
        notice = selectors.notice_by_id(user=request.user, pk=pk)
        if notice is None:
            raise _not_found()
        given = api.NoticeActionRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        _performed(lambda: _notice_perform(data["action"], request.user, notice, data["text"]))
        return Response(notice_data(request, pk))
