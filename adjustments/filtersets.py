"""Filters of the request list (issue 4 §7). Every value travels in the URL, so a filtered list
can be bookmarked and shared; the filters narrow what selectors.requests already allows."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.checkers import CheckedForm
from core.models import Department

from . import selectors
from .choices import RequestState, TriggerKind
from .models import AdjustmentRequest


class RequestFilter(django_filters.FilterSet):
    """`departments` are the choices of the department filter: the departments of the
    requests the user sees (the view passes them), so the form offers nothing that would
    always come out empty."""

    q = django_filters.CharFilter(
        label=_("Keyword"),
        method="keyword",
        max_length=50,
        help_text=_("Number or subject"),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=RequestState.choices, empty_label=_("Any state")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Applying department"),
        queryset=Department.objects.none(),
        empty_label=_("Any department"),
    )
    trigger = django_filters.ChoiceFilter(
        label=_("Trigger"), choices=TriggerKind.choices, empty_label=_("Any trigger")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="only_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = AdjustmentRequest
        form = CheckedForm
        fields = ["q", "state", "department", "trigger", "overdue"]

    def __init__(self, data=None, queryset=None, *, departments, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["department"].queryset = departments

    def keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(summary__icontains=value))

    def only_overdue(self, queryset, name, value):
        return selectors.overdue(queryset) if value else queryset
