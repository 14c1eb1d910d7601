"""Forms of the working-day calendar pages (SPEC §9)."""

import datetime
import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.checkers import CheckedForm

from . import calendar
from .api.serializers import FIRST_START_YEAR, LAST_START_YEAR, MAX_PERIOD_DAYS
from .choices import DAY_UNITS, DayKind, DeadlineUnit
from .services import HolidayRange, MakeUpDay

# 2027-10-01, 2027/10/1, 2027.10.01 or 2027年10月1日.
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
# What may separate a name from its dates: spaces, commas, colons, dashes, 至, ~.
_SEPARATORS = " \t,，、:：;；–—-~～至到"


def _dates_in(line: str, number: int) -> tuple[list[datetime.date], str]:
    """The dates written on one line and the text left around them (the name)."""
    dates = []
    for match in _DATE.finditer(line):
        try:
            dates.append(datetime.date(*(int(part) for part in match.groups())))
        except ValueError as error:
            raise forms.ValidationError(
                _("Line %(line)s: %(text)s is not a date.")
                % {"line": number, "text": match.group(0)}
            ) from error
    rest = _DATE.sub(" ", line).strip(_SEPARATORS)
    return dates, re.sub(r"\s+", " ", rest)


def _lines(text: str):
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield number, line


class CalendarDayForm(CheckedForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("This day is"),
        choices=[
            (DayKind.ORDINARY.value, gettext_lazy("An ordinary day (Monday to Friday work)")),
            (DayKind.HOLIDAY.value, gettext_lazy("A holiday")),
            (DayKind.WORKDAY.value, gettext_lazy("A make-up working day (Saturday or Sunday)")),
        ],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=gettext_lazy("Holiday name"),
        max_length=50,
        required=False,
        help_text=gettext_lazy(
            "For a holiday, its name (e.g. 国庆节); for a make-up working day, optionally the "
            "holiday it belongs to."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == DayKind.HOLIDAY and not data.get("name", "").strip():
            self.add_error("name", _("Give the holiday its name, for example 国庆节."))
        return data


class CalendarScheduleForm(CheckedForm):
    holidays = forms.CharField(
        label=gettext_lazy("Holidays"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One holiday per line: its name, then its first and last day off "
            "(one date for a single day). Example: 国庆节 2027-10-01 2027-10-07"
        ),
    )
    workdays = forms.CharField(
        label=gettext_lazy("Make-up working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One Saturday or Sunday per line that is worked, optionally with the holiday it "
            "belongs to. Example: 2027-09-26 国庆节"
        ),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "This is the official schedule published by the State Council: confirm the year"
        ),
        required=False,
        initial=True,
    )

    def clean_holidays(self) -> list[HolidayRange]:
        ranges, errors = [], []
        for number, line in _lines(self.cleaned_data["holidays"]):
            try:
                dates, name = _dates_in(line, number)
            except forms.ValidationError as error:
                errors.extend(error.messages)
                continue
            if len(dates) not in (1, 2):
                errors.append(
                    _(
                        "Line %(line)s: write a name and one or two dates, "
                        "e.g. 国庆节 2027-10-01 2027-10-07."
                    )
                    % {"line": number}
                )
                continue
            ranges.append(HolidayRange(dates[0], dates[-1], name))
        if errors:
            raise forms.ValidationError(errors)
        return ranges

    def clean_workdays(self) -> list[MakeUpDay]:
        days, errors = [], []
        for number, line in _lines(self.cleaned_data.get("workdays", "")):
            try:
                dates, name = _dates_in(line, number)
            except forms.ValidationError as error:
                errors.extend(error.messages)
                continue
            if len(dates) != 1:
                errors.append(
                    _("Line %(line)s: write one date per line, e.g. 2027-09-26 国庆节.")
                    % {"line": number}
                )
                continue
            days.append(MakeUpDay(dates[0], name))
        if errors:
            raise forms.ValidationError(errors)
        return days


class DeadlineForm(CheckedForm):
    """The public deadline calculator: the same answer as the API, for people."""

    start = forms.DateTimeField(
        label=gettext_lazy("Event date and time"),
        help_text=gettext_lazy("Beijing time. The day of the event itself is not counted."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": gettext_lazy("Give the date and time of the event."),
            "invalid": gettext_lazy("Give the date and time of the event, e.g. 2026-09-30 10:00."),
        },
    )
    days = forms.IntegerField(
        label=gettext_lazy("Period"),
        min_value=1,
        max_value=MAX_PERIOD_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": gettext_lazy("Give the length of the period, e.g. 5."),
            "invalid": gettext_lazy("Give the number of days as a whole number, e.g. 5."),
        },
    )
    unit = forms.ChoiceField(
        label=gettext_lazy("Counted in"),
        choices=DAY_UNITS,
        initial=DeadlineUnit.WORKING_DAYS,
        widget=forms.RadioSelect,
    )

    def clean_start(self) -> datetime.datetime:
        start = self.cleaned_data["start"]
        if not FIRST_START_YEAR <= calendar.local_date(start).year <= LAST_START_YEAR:
            raise forms.ValidationError(
                _("The date must lie between %(first)s and %(last)s.")
                % {"first": FIRST_START_YEAR, "last": LAST_START_YEAR}
            )
        return start
