"""One filter set for the register's pages, exports and API: the parameters are the same
everywhere, so a filtered page's URL and its export and API URLs carry the same query."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.checkers import CheckedForm
from core.filtersets import IdFilter
from core.models import Jurisdiction

from .choices import EntryStatus, ListKind
from .models import Entry


class EntryFilter(django_filters.FilterSet):
    """Works on the published entries and on history rows alike (as_of): the names are the
    same. Plain values, not model choice fields, so validating a filter costs no query."""

    q = django_filters.CharFilter(label=_("Keyword"), method="ignore", max_length=50)
    list = django_filters.ChoiceFilter(
        label=_("List"), field_name="list_kind", choices=ListKind.choices
    )
    jurisdiction = django_filters.CharFilter(
        label=_("Jurisdiction code"), method="in_jurisdiction", max_length=12
    )
    department = IdFilter(label=_("Department"), field_name="department_id")
    category = IdFilter(label=_("Category"), field_name="category_id")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EntryStatus.choices)
    as_of = django_filters.DateFilter(
        label=_("As it stood on"),
        method="ignore",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the list in force today."),
    )

    class Meta:
        model = Entry
        form = CheckedForm
        fields = ["q", "list", "jurisdiction", "department", "category", "status", "as_of"]

    def in_jurisdiction(self, queryset, name, value):
        """The entries of one jurisdiction: one range of the register's order (their sort_key
        begins with its path and a space), so that a page reads that range of the order's
        index. PostgreSQL would take this range and the jurisdiction's own column for
        independent conditions and misjudge how few rows they leave together: the range says it
        alone."""
        path = Jurisdiction.objects.filter(code=value).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        # A space, then "!", the next character: every key of the prefix lies in between, and
        # a jurisdiction below (its path goes on with a digit) does not.
        return queryset.filter(sort_key__gte=f"{path} ", sort_key__lt=f"{path}!")

    def ignore(self, queryset, name, value):
        # as_of chooses the base queryset (registry.selectors.published_entries), and q ranks
        # as well as filters (registry.search): neither is a plain filter.
        return queryset
