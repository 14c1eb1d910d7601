"""Serializers of the core API."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from core import calendar
from core.checkers import MULTILINE_STYLE, CheckedSerializer
from core.choices import DeadlineUnit, SkipReason

# The longest period the public calculator answers: about four years of working days, so the
# result always stays within the years the calendar can compute.
MAX_PERIOD_DAYS = 1000
FIRST_START_YEAR = calendar.FIRST_YEAR
LAST_START_YEAR = calendar.LAST_YEAR - 5


@extend_schema_field(OpenApiTypes.DATETIME)
class EventMomentField(serializers.Field):
    """An ISO 8601 date-time (with or without offset; without one it is Shanghai time) or a
    plain date (the event's Shanghai date)."""

    default_error_messages = {
        "invalid": _(
            "Give the start as a date and time in ISO 8601 form, e.g. 2026-09-30T10:00:00+08:00 "
            "or 2026-09-30."
        ),
        # DRF fills a field's message with str.format when it fails, so braces, not %().
        "range": _("The start must lie between {first} and {last}."),
    }

    def to_internal_value(self, data) -> datetime.datetime:
        text = str(data).strip().replace(" ", "T", 1) if data is not None else ""
        # A "+" in a query string arrives as a space when the caller did not encode it.
        if len(text) > 19 and text[19:20] == " ":
            text = f"{text[:19]}+{text[20:]}"
        try:
            moment = parse_datetime(text)
            day = None if moment else parse_date(text)
        except ValueError:
            self.fail("invalid")
        if moment is None and day is None:
            self.fail("invalid")
        if moment is None:
            moment = datetime.datetime.combine(day, datetime.time(), tzinfo=calendar.SHANGHAI)
        elif timezone.is_naive(moment):
            moment = moment.replace(tzinfo=calendar.SHANGHAI)
        if not FIRST_START_YEAR <= calendar.local_date(moment).year <= LAST_START_YEAR:
            self.fail("range", first=FIRST_START_YEAR, last=LAST_START_YEAR)
        return moment

    def to_representation(self, value):
        return value.astimezone(calendar.SHANGHAI).isoformat()


class CalendarAddQuerySerializer(CheckedSerializer):
    start = EventMomentField(
        help_text=_(
            "The moment of the event the period counts from (ISO 8601; without an offset it is "
            "Asia/Shanghai time; a plain date is accepted). Its own day is not counted."
        )
    )
    days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PERIOD_DAYS,
        help_text=_("The length of the period, in days."),
        error_messages={
            "invalid": _("Give the number of days as a whole number, e.g. 5."),
            "min_value": _("The period must be at least 1 day."),
            # Kept lazy (DRF formats it in the request's language): "%" here would translate
            # it once, at import.
            "max_value": _("The period can be at most {max_value} days."),
            "required": _("Give the number of days, e.g. days=5."),
        },
    )
    unit = serializers.ChoiceField(
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.WORKING_DAYS,
        help_text=_(
            "working: working days (default); calendar: calendar days, a period ending on a "
            "weekend or holiday ends on the next working day (Civil Code art. 203)."
        ),
        error_messages={"invalid_choice": _("The unit must be “working” or “calendar”.")},
    )


class SkippedDaySerializer(CheckedSerializer):
    date = serializers.DateField()
    reason = serializers.ChoiceField(choices=SkipReason.choices)
    reason_label = serializers.CharField()
    name = serializers.CharField(help_text=_("The holiday's name, if any."))


class MadeUpDaySerializer(CheckedSerializer):
    date = serializers.DateField()
    name = serializers.CharField()


class DeadlineSerializer(CheckedSerializer):
    """A computed deadline (core.calendar.Deadline)."""

    start = serializers.DateTimeField()
    days = serializers.IntegerField()
    unit = serializers.ChoiceField(choices=DeadlineUnit.choices)
    unit_label = serializers.CharField()
    due = serializers.DateTimeField(
        help_text=_("The end of the period: 23:59:59.999999 Asia/Shanghai of its last day.")
    )
    due_date = serializers.DateField()
    confirmed = serializers.BooleanField(
        help_text=_(
            "False when the period reaches a year whose official schedule is not confirmed yet: "
            "then it is computed from the statutory holidays and may still change."
        )
    )
    unconfirmed_years = serializers.ListField(child=serializers.IntegerField())
    skipped = SkippedDaySerializer(many=True)
    made_up = MadeUpDaySerializer(
        many=True, help_text=_("Saturdays and Sundays counted as make-up working days.")
    )
    calendar_version = serializers.IntegerField()
    explanation_url = serializers.CharField()

    def to_representation(self, deadline: calendar.Deadline) -> dict:
        data = {
            "start": deadline.start,
            "days": deadline.days,
            "unit": deadline.unit.value,
            "unit_label": deadline.unit.label,
            "due": deadline.due,
            "due_date": deadline.due_date,
            "confirmed": deadline.confirmed,
            "unconfirmed_years": list(deadline.unconfirmed_years),
            "skipped": [
                {
                    "date": skip.date,
                    "reason": skip.reason.value,
                    "reason_label": skip.reason.label,
                    "name": skip.name,
                }
                for skip in deadline.skipped
            ],
            "made_up": [{"date": day.date, "name": day.name} for day in deadline.made_up],
            "calendar_version": deadline.calendar_version,
            "explanation_url": self.context.get("explanation_url", ""),
        }
        return super().to_representation(data)


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": _("Files (multipart/form-data only), each part named `files`."),
    }
)
class CheckedFilesField(serializers.ListField):
    """Files sent as multipart/form-data, each part named `files`, checked as the pages check
    them: `problems(files)` is the app's checker (content by core.checkers, size, number)."""

    parameter_type = "files"
    child = serializers.FileField(allow_empty_file=True)

    def __init__(self, *, problems, **kwargs):
        self.problems = problems
        super().__init__(required=False, default=list, **kwargs)

    def to_internal_value(self, data):
        files = super().to_internal_value(data)
        problems = self.problems(files)
        if problems:
            raise serializers.ValidationError(problems)
        return files


class RequiredBooleanField(serializers.BooleanField):
    """A yes/no that must be given: in a form, a missing box would otherwise read as "no"."""

    default_empty_html = empty


def request_user(field: serializers.Field):
    """The user of the request a field validates for (the serializer's context holds it)."""
    return field.context["request"].user


def text_field(help_text=None, *, multiline: bool = True, **kwargs) -> serializers.CharField:
    """A required text: the services refuse an empty opinion or reason too. Multi-line texts
    may hold line breaks and tabs, one-line ones no control character at all (core.checkers)."""
    style = MULTILINE_STYLE if multiline else {}
    return serializers.CharField(help_text=help_text, style=style, **kwargs)


def optional_text_field(
    help_text=None, *, multiline: bool = True, **kwargs
) -> serializers.CharField:
    """A text that may be left out or empty (then "")."""
    return text_field(
        help_text, multiline=multiline, required=False, allow_blank=True, default="", **kwargs
    )
