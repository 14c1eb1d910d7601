"""Filters of the staff's list of complaints (issue 12 §13), on the page and in the API. Every
value travels in the URL, so a filtered list can be bookmarked and shared; the filters narrow
what selectors.complaints already allows the user to see."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.calendar import start_of_day
from core.filtersets import DateRangeFilterForm
from core.forms import KeyChoiceField
from core.models import Department

from . import services
from .choices import Channel, ComplaintState, Ground
from .models import Complaint


class ComplaintFilterForm(DateRangeFilterForm):
    date_range = ("received_from", "received_to")


class DepartmentFilter(django_filters.ModelChoiceFilter):
    """A department's id from the URL: a number too large for a key is "not one of the
    choices", never a database error."""

    field_class = KeyChoiceField


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
        return queryset.filter(received_at__gte=start_of_day(value))

    def received_until(self, queryset, name, value):
        return queryset.filter(received_at__lt=start_of_day(value + datetime.timedelta(days=1)))
