"""Keyword search over the published register (issue 3 §4, issue 11 §3; core.search for how).

An entry's search vector holds the pairs of its name and department (weight A) and of its
legal basis (weight D); its plain `search_text` holds the name, codes, department and basis.
A query matches an entry when each Chinese term's pairs occur in it (in any order, in the name
or the basis) and each other term (a code) is a substring of its text. Entries that carry each
Chinese term as it was typed, in the name or department, rank first; within a rank, the
register's order.

On PostgreSQL the published entries are searched through the GIN index of the vector and read
in the order of the (sort_key, id) index (core.pagination). History rows (a list as it stood on
a past date) and SQLite have no vector: the same rules run as substring tests.
"""

from django.db import connection
from django.db.models import Q, QuerySet

from core.pagination import Tier
from core.search import KeywordQuery, cover_pairs, normalise, parse, vector_literal

from .models import Entry

__all__ = ["entry_vector", "normalise", "parse", "search_tiers"]


def entry_vector(*, name: str, department: str, basis: str) -> str:
    """The search vector of an entry (core.search.vector_literal)."""
    return vector_literal(f"{name} {department}", basis)


def _other_terms(query: KeywordQuery) -> Q:
    condition = Q()
    for term in query.other:
        condition &= Q(search_text__contains=term)
    return condition


def search_tiers(queryset: QuerySet, query: KeywordQuery) -> list[Tier]:
    """The tiers of a ranked search (core.pagination.list_page), best first: close matches,
    then every match. Empty when the query has no term."""
    if not query:
        return []
    others = _other_terms(query)
    if not query.han:
        return [lambda indexed: others]
    if queryset.model is Entry and connection.vendor == "postgresql":
        match, close = query.match, query.close

        def vector(tsquery: str, indexed: bool) -> Q:
            lookup = "search_vector__matches" if indexed else "search_vector__matches_scanned"
            return Q(**{lookup: tsquery}) & others

        return [lambda indexed: vector(close, indexed), lambda indexed: vector(match, indexed)]
    plain_match, plain_close = Q(), Q()
    for term in query.han:
        for pair in cover_pairs(term):
            plain_match &= Q(search_text__contains=pair)
        plain_close &= Q(name__contains=term) | Q(department__name__contains=term)
    return [
        lambda indexed: plain_close & plain_match & others,
        lambda indexed: plain_match & others,
    ]


def matches(queryset: QuerySet, text: str) -> QuerySet:
    """Every entry (or history row) of `queryset` that `text` matches, unranked: the filter
    of an export and of the API's unpaged reads."""
    tiers = search_tiers(queryset, parse(text))
    return queryset.filter(tiers[-1](True)) if tiers else queryset
