"""The published decisions one query string asks for (issue 14 §3: searchable by body, item,
party, date and kind): the page /decisions/ and the public API read them through here, so
both filter and rank alike.

The keyword is searched in each decision's search vector (core.search: the character pairs of
its public title, public party name and number with weight A, of its body, item and department
with weight D), through the GIN index on PostgreSQL (decisions migration 0002), as text on
SQLite. Decisions that carry a term as typed in their title, party or number come first; within
each rank the newest decision first, read along the decision_public_order index
(core.pagination.list_page), so a page costs the same at a thousand decisions and at a million.
"""

from dataclasses import dataclass

import django_filters
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filtersets import DateRangeFilterForm, IdFilter
from core.pagination import ListPage, Tier, list_page
from core.search import KeywordQuery, cover_pairs, parse
from registry.models import Entry

from . import selectors
from .choices import PenaltyKind
from .filtersets import decided_on_filter
from .models import Decision


class PublicDecisionForm(DateRangeFilterForm):
    date_range = ("decided_from", "decided_until")


class PublicDecisionFilter(django_filters.FilterSet):
    """The filters of the public search. Plain values (ids, codes), not model choice fields,
    so validating them costs no query; an item or kind that names nothing finds nothing."""

    q = django_filters.CharFilter(
        label=_("Keyword"),
        method="ignore",
        max_length=50,
        help_text=_("Party, case, decision number, body or item"),
    )
    jurisdiction = django_filters.CharFilter(
        label=_("Jurisdiction code"),
        method="in_jurisdiction",
        max_length=12,
        help_text=_("The decisions of the departments of this jurisdiction (not those below)."),
    )
    department = IdFilter(
        label=_("Department"), field_name="department_id", help_text=_("The department's id.")
    )
    item = django_filters.CharFilter(
        label=_("Item code"),
        method="under_item",
        max_length=60,
        help_text=_("The implementation code of the listed item the decisions were made under."),
    )
    kind = django_filters.CharFilter(
        label=_("Kind of decision"),
        method="of_kind",
        max_length=2,
        help_text=_("The category code of seed 002 art. 2: 01 licence, 02 penalty, …"),
    )
    penalty = django_filters.ChoiceFilter(
        label=_("Kind of penalty"), method="with_penalty", choices=PenaltyKind.choices
    )
    decided_from = decided_on_filter(_("Decided from"), "gte")
    decided_until = decided_on_filter(_("Decided until (inclusive)"), "lte")

    class Meta:
        model = Decision
        form = PublicDecisionForm
        fields = [
            "q",
            "jurisdiction",
            "department",
            "item",
            "kind",
            "penalty",
            "decided_from",
            "decided_until",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The item the URL names (its page links here), for the page's heading.
        self.item: Entry | None = None

    def ignore(self, queryset, name, value):
        # The keyword ranks as well as filters (public_tiers): not a plain filter.
        return queryset

    def in_jurisdiction(self, queryset, name, value):
        """By the jurisdiction's id (the decisions' (jurisdiction, decided_on) index)."""
        found = selectors.public_jurisdiction_id(user=self.user, code=value.strip())
        return queryset.none() if found is None else queryset.filter(jurisdiction_id=found)

    def under_item(self, queryset, name, value):
        """By the item's id (the decisions' (item, decided_on) index), once its code is
        known; an unknown code finds nothing."""
        self.item = selectors.public_item(user=self.user, code=value.strip())
        if self.item is None:
            return queryset.none()
        return queryset.filter(item_id=self.item.pk)

    def of_kind(self, queryset, name, value):
        ids = selectors.category_ids(user=self.user, code=value.strip())
        return queryset.filter(category_id__in=ids) if ids else queryset.none()

    def with_penalty(self, queryset, name, value):
        return selectors.with_penalty_kind(queryset, value)


@dataclass
class DecisionQuery:
    filterset: PublicDecisionFilter
    # Every filter but the keyword, unordered: what a ranked page reads.
    filtered: QuerySet
    keywords: KeywordQuery
    valid: bool

    @property
    def item(self) -> Entry | None:
        return self.filterset.item

    def tiers(self) -> list[Tier]:
        return public_tiers(self.keywords)

    def page(self, number: int, per_page: int) -> ListPage:
        """One page, the closest matches first, newest first within each (core.pagination)."""
        return list_page(
            self.filtered,
            order=selectors.PUBLIC_ORDER,
            number=number,
            per_page=per_page,
            tiers=self.tiers(),
        )


def decision_query(data, user) -> DecisionQuery:
    """Validates the filters of `data` (a query string) and builds what they select from the
    published decisions, public columns only (selectors.public_decisions)."""
    decisions = selectors.public_decisions(user=user)
    filterset = PublicDecisionFilter(data, queryset=decisions, user=user)
    valid = filterset.form.is_valid()
    filtered = filterset.qs if valid else filterset.queryset.none()
    keywords = parse(filterset.form.cleaned_data.get("q") or "") if valid else parse("")
    return DecisionQuery(filterset=filterset, filtered=filtered, keywords=keywords, valid=valid)


# --- the keyword --------------------------------------------------------------------------


def _terms(terms, *, close: bool, indexed: bool, query: KeywordQuery) -> Q:
    if not terms:
        return Q()
    if connection.vendor == "postgresql":
        tsquery = query.close(terms) if close else query.match(terms)
        lookup = "search_vector__matches" if indexed else "search_vector__matches_scanned"
        return Q(**{lookup: tsquery})
    condition = Q()
    for term in terms:
        if close:
            condition &= (
                Q(public_title__icontains=term)
                | Q(public_party_name__icontains=term)
                | Q(number__icontains=term)
            )
        else:
            # The vector's literal on SQLite: a pair is the token "'pair':" (a single
            # character begins a token, as a prefix search does).
            for pair in cover_pairs(term):
                token = f"'{pair}':" if len(pair) == 2 else f"'{pair}"
                condition &= Q(search_vector__contains=token)
    return condition


def public_tiers(query: KeywordQuery) -> list[Tier]:
    """The tiers of the ranked search (core.pagination.list_page), best first: the terms as
    typed in what names the decision, then every match. Empty when there is no term."""
    if not query:
        return []

    def tier(close: bool, indexed: bool) -> Q:
        condition = _terms(list(query.han), close=close, indexed=indexed, query=query)
        for word in query.other:
            runs = query.runs(word)
            condition &= _terms(runs, close=close, indexed=indexed, query=query)
        return condition

    return [
        lambda indexed: tier(True, indexed),
        lambda indexed: tier(False, indexed),
    ]
