"""Filters of the staff's list of decisions (issue 14 §2, §3), on the page and in the staff API.
Every value travels in the URL, so a filtered list can be bookmarked and shared; the filters
narrow what selectors.staff_decisions already allows the user to see."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filtersets import DateRangeFilterForm
from core.forms import KeyChoiceField
from core.models import Department

from .choices import LICENCE_CATEGORY, PENALTY_CATEGORY, DecisionState, Flag
from .models import Decision, Step

# The kinds of decision the 双公示 exchange tells apart, and every other category.
KIND_PENALTY = "penalty"
KIND_LICENCE = "licence"
KIND_OTHER = "other"
KIND_CHOICES = [
    (KIND_PENALTY, _("Administrative penalty")),
    (KIND_LICENCE, _("Administrative licence")),
    (KIND_OTHER, _("Other kinds of decision")),
]
ANY_FLAG = "any"
FLAG_CHOICES = [(ANY_FLAG, _("Any flag")), *Flag.choices]
# The states whose decision waits to be published (served, not yet published).
AWAITING_STATES = (DecisionState.SERVED, DecisionState.EXECUTED)


def decided_on_filter(label, lookup_expr: str) -> django_filters.DateFilter:
    """One end of the range of the day decisions were decided on ("gte" from, "lte" until,
    inclusive), in the browser's date box: the staff's and the public's lists share it."""
    return django_filters.DateFilter(
        label=label,
        field_name="decided_on",
        lookup_expr=lookup_expr,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class DecisionFilterForm(DateRangeFilterForm):
    date_range = ("decided_from", "decided_to")


class DepartmentFilter(django_filters.ModelChoiceFilter):
    """A department's id from the URL: a number too large for a key is "not one of the
    choices", never a database error."""

    field_class = KeyChoiceField


class DecisionFilter(django_filters.FilterSet):
    """`departments`: the choices of the department filter (the page passes those of the
    decisions the user sees); the API takes any department's id."""

    q = django_filters.CharFilter(
        label=_("Number, party or matter"),
        method="by_words",
        max_length=100,
        help_text=_("A part of the decision number, the party's name or the case"),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=DecisionState.choices, empty_label=_("Any state")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of decision"),
        choices=KIND_CHOICES,
        method="by_kind",
        empty_label=_("Any kind"),
    )
    flagged = django_filters.ChoiceFilter(
        label=_("Flagged"),
        choices=FLAG_CHOICES,
        method="by_flag",
        empty_label=_("Flagged or not"),
        help_text=_("Accountability grounds of seed 002 监督检查办法 第二十条"),
    )
    awaiting = django_filters.BooleanFilter(
        label=_("Awaiting publication"),
        method="awaiting_publication",
        widget=forms.CheckboxInput,
        help_text=_("Served, not yet published"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="with_overdue_step",
        widget=forms.CheckboxInput,
        help_text=_("A publication or an upload past its due moment"),
    )
    department = DepartmentFilter(
        label=_("Department"),
        queryset=Department.objects.none(),
        empty_label=_("Any department"),
    )
    decided_from = decided_on_filter(_("Decided from"), "gte")
    decided_to = decided_on_filter(_("Decided until (inclusive)"), "lte")

    class Meta:
        model = Decision
        form = DecisionFilterForm
        fields = [
            "q",
            "state",
            "kind",
            "flagged",
            "awaiting",
            "overdue",
            "department",
            "decided_from",
            "decided_to",
        ]

    def __init__(self, data=None, queryset=None, *, departments=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["department"].queryset = (
            departments if departments is not None else Department.objects.all()
        )

    def by_words(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(party_name__icontains=value) | Q(title__icontains=value)
        )

    def by_kind(self, queryset, name, value):
        if value == KIND_PENALTY:
            return queryset.filter(category__code=PENALTY_CATEGORY)
        if value == KIND_LICENCE:
            return queryset.filter(category__code=LICENCE_CATEGORY)
        if value == KIND_OTHER:
            return queryset.exclude(category__code__in=[PENALTY_CATEGORY, LICENCE_CATEGORY])
        return queryset

    def by_flag(self, queryset, name, value):
        if value == ANY_FLAG:
            condition = Q()
            for flag in Flag.values:
                condition |= Q(**{flag: True})
            return queryset.filter(condition)
        if value in Flag.values:
            # Each flag is the boolean column of the same name (models.Decision).
            return queryset.filter(**{value: True})
        return queryset

    def awaiting_publication(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(published_at__isnull=True, state__in=AWAITING_STATES)

    def with_overdue_step(self, queryset, name, value):
        if not value:
            return queryset
        late = Step.objects.filter(
            decision=OuterRef("pk"), finished_at=None, due_at__lt=timezone.now()
        )
        return queryset.filter(Exists(late))
