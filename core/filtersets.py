"""Filters of the staff list pages; every value travels in the URL so a filtered list can be
bookmarked and shared."""

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.calendar import start_of_day
from core.checkers import CheckedForm

from .choices import AuditAction
from .models import AuditEvent

# The largest id of a row (a 64-bit key): a larger number in a URL filters nothing, and SQLite
# cannot even compare it.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A row's id in the URL (?department=12): a whole positive number that fits a key, else the
    form's error, not a database error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


def filtered(filterset: django_filters.FilterSet):
    """The rows a list page shows: none while the filters in the URL are invalid (the page
    shows the form's errors instead of rows the filters did not narrow)."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def filters_given(filterset: django_filters.FilterSet) -> bool:
    """Whether the URL sets any filter (the page then says what narrowed the list)."""
    return any(filterset.data.get(name) for name in filterset.base_filters)


class DateRangeFilterForm(CheckedForm):
    """A filter form whose two dates, `date_range` (from, until), must come in order."""

    date_range = ("since", "until")

    def clean(self):
        cleaned = super().clean()
        since, until = (cleaned.get(name) for name in self.date_range)
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=AuditAction.choices, empty_label=_("Any action")
    )
    user = django_filters.CharFilter(
        label=_("User name"), field_name="actor_repr", lookup_expr="icontains"
    )
    since = django_filters.DateFilter(
        label=_("From"),
        method="filter_since",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("Until (inclusive)"),
        method="filter_until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "user", "since", "until"]
        form = DateRangeFilterForm

    def filter_since(self, queryset, name, value):
        # A range on the indexed column rather than a date cast of it.
        return queryset.filter(at__gte=start_of_day(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=start_of_day(value + datetime.timedelta(days=1)))
