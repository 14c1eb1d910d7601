"""Filters of the staff's list of complaints (issue 12 §13), on the page and in the API. Every
value travels in the URL, so a filtered list can be bookmarked and shared; the filters narrow
what selectors.complaints already allows the user to see."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.checkers import CheckedForm
from core.filtersets import MAX_ID
from core.models import Department

from . import services
from .choices import Channel, ComplaintState, Ground
from .models import Complaint


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Asia/Shanghai: a date filter means the local day, and
    a range on the indexed column is read from its index."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ComplaintFilterForm(CheckedForm):
    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("received_from"), cleaned.get("received_to")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned


class DepartmentField(forms.ModelChoiceField):
    """A department's id from the URL: a number too large for a key is "not one of the
    choices", never a database error."""

    def to_python(self, value):
        if value not in self.empty_values and not (str(value).isdecimal() and int(value) <= MAX_ID):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class DepartmentFilter(django_filters.ModelChoiceFilter):
    field_class = DepartmentField


class ComplaintFilter(django_filters.FilterSet):
    """`departments`: the choices of the department filter (the page passes those of the
    complaints the user sees, so it offers nothing that always comes out empty); the API
    takes any department's id."""

    code = django_filters.CharFilter(
        label=_("Tracking code"),
        method="by_code",
        max_length=30,
        help_text=_("The whole code or a part of it"),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=ComplaintState.choices, empty_label=_("Any state")
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Channel.choices, empty_label=_("Any channel")
    )
    ground = django_filters.ChoiceFilter(
        label=_("Ground"), choices=Ground.choices, empty_label=_("Any ground")
    )
    department = DepartmentFilter(
        label=_("Department complained about"),
        queryset=Department.objects.none(),
        empty_label=_("Any department"),
    )
    received_from = django_filters.DateFilter(
        label=_("Received from"),
        method="received_since",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = django_filters.DateFilter(
        label=_("Received until (inclusive)"),
        method="received_until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Complaint
        form = ComplaintFilterForm
        fields = [
            "code",
            "state",
            "channel",
            "ground",
            "department",
            "received_from",
            "received_to",
        ]

    def __init__(self, data=None, queryset=None, *, departments=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["department"].queryset = (
            departments if departments is not None else Department.objects.all()
        )

    def by_code(self, queryset, name, value):
        """A code as typed (lower case, spaces, O for 0): the whole code finds its complaint,
        a part of it those whose code contains it."""
        value = value.strip()
        if not value:
            return queryset
        typed = services.normalise_code(value)
        whole = typed[2:] if typed.startswith("TS") else typed
        condition = Q(code__icontains=value.upper())
        if len(whole) == services.CODE_LENGTH:
            condition |= Q(code=services.code_as_issued(value))
        return queryset.filter(condition)

    def received_since(self, queryset, name, value):
        return queryset.filter(received_at__gte=_start_of(value))

    def received_until(self, queryset, name, value):
        return queryset.filter(received_at__lt=_start_of(value + datetime.timedelta(days=1)))
