"""The core API: the public deadline calculator (SPEC §9)."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core import calendar
from core.models import CalendarDay
from core.permissions import Action, can

from .exceptions import ErrorSerializer
from .serializers import CalendarAddQuerySerializer, DeadlineSerializer


class CalendarViewPermission(BasePermission):
    """The calculator reads the calendar; core.permissions makes it public (anyone, no login)."""

    def has_permission(self, request, view) -> bool:
        return can(request.user, Action.VIEW, CalendarDay)


class CalendarAddApiView(APIView):
    permission_classes = [CalendarViewPermission]

    @extend_schema(
        operation_id="calendar_add_working_days",
        summary=_("N working (or calendar) days after a moment"),
        description=_(
            "Public deadline calculator (SPEC §9). Counts in Asia/Shanghai: the day of the event "
            "is not counted (Civil Code art. 201); working days are Monday–Friday minus holidays "
            "plus make-up working days; with unit=calendar the period ends on start + N days, "
            "moved to the next working day if that is a weekend or holiday (art. 203). The due "
            "moment is the end of the last day. confirmed is false when the period reaches a "
            "year whose official schedule is not yet confirmed; such a year is computed from the "
            "statutory holidays. Every skipped day is listed with its reason."
        ),
        parameters=[CalendarAddQuerySerializer],
        responses={
            200: DeadlineSerializer,
            400: OpenApiResponse(
                response=ErrorSerializer,
                description=_("Invalid parameters; error.fields names each one."),
            ),
        },
        examples=[
            OpenApiExample(
                "National Day 2026",
                summary=_("National Day 2026"),
                description="start=2026-09-30T10:00:00+08:00&days=5",
                value={
                    "start": "2026-09-30T10:00:00+08:00",
                    "days": 5,
                    "unit": "working",
                    "unit_label": "Working days",
                    "due": "2026-10-13T23:59:59.999999+08:00",
                    "due_date": "2026-10-13",
                    "confirmed": True,
                    "unconfirmed_years": [],
                    "skipped": [
                        {
                            "date": "2026-10-01",
                            "reason": "holiday",
                            "reason_label": "Holiday",
                            "name": "国庆节",
                        }
                    ],
                    "made_up": [{"date": "2026-10-10", "name": "国庆节"}],
                    "calendar_version": 1,
                    "explanation_url": "/calendar/deadline/?start=2026-09-30T10%3A00&days=5",
                },
                response_only=True,
            )
        ],
        tags=["calendar"],
    )
    def get(self, request):
        query = CalendarAddQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start = query.validated_data["start"]
        days = query.validated_data["days"]
        unit = query.validated_data["unit"]
        deadline = calendar.add(start, days, unit)
        explanation = "{}?{}".format(
            reverse("core:calendar-deadline"),
            urlencode(
                {
                    "start": start.astimezone(calendar.SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
                    "days": days,
                    "unit": unit,
                }
            ),
        )
        return Response(DeadlineSerializer(deadline, context={"explanation_url": explanation}).data)
