"""Keyword search over the published register (issue 3 §4, issue 11 §3; core.search for how).

An entry's search vector holds the pairs of its name and department (weight A) and of its
legal basis (weight D). A query matches an entry when each term's pairs occur in it (in any
order, in the name or the basis); a word with other characters than Chinese may also be the
beginning of the entry's implementation or basic code. Entries that carry each term as it was
typed, in the name or department (or whose code begins with it), rank first; within a rank,
the register's order.

On PostgreSQL the published entries are searched through the GIN index of the vector and the
code indexes, and read in the order of the (sort_key, id) index (core.pagination). SQLite
holds the same vector as text and matches its pairs as substrings. History rows (a list as it
stood on a past date) have no vector: their plain `search_text` is matched the same way.
"""

from django.db import connection
from django.db.models import Q, QuerySet

from core.pagination import Tier
from core.search import KeywordQuery, cover_pairs, normalise, parse, vector_literal

from .models import Entry

__all__ = ["entry_vector", "matches", "normalise", "parse", "search_tiers"]


def entry_vector(*, name: str, department: str, basis: str) -> str:
    """The search vector of an entry (core.search.vector_literal)."""
    return vector_literal(f"{name} {department}", basis)


class _Terms:
    """How one queryset matches terms: through the vector's index (the entries, PostgreSQL),
    the vector as text (the entries, SQLite) or the plain text (history rows)."""

    def __init__(self, queryset: QuerySet, query: KeywordQuery) -> None:
        self.query = query
        entries = queryset.model is Entry
        self.indexed_vector = entries and connection.vendor == "postgresql"
        self.text_vector = entries and not self.indexed_vector

    def terms(self, terms: list[str], *, close: bool, indexed: bool) -> Q:
        if not terms:
            return Q()
        if self.indexed_vector:
            tsquery = self.query.close(terms) if close else self.query.match(terms)
            lookup = "search_vector__matches" if indexed else "search_vector__matches_scanned"
            return Q(**{lookup: tsquery})
        condition = Q()
        for term in terms:
            if close:
                condition &= Q(name__contains=term) | Q(department__name__contains=term)
            elif self.text_vector:
                # The vector's literal: a pair is the token "'pair':" (a single character
                # begins a token, as a prefix search does).
                for pair in cover_pairs(term):
                    token = f"'{pair}':" if len(pair) == 2 else f"'{pair}"
                    condition &= Q(search_vector__contains=token)
            else:
                for pair in cover_pairs(term):
                    condition &= Q(search_text__contains=pair)
        return condition

    def tier(self, *, close: bool, indexed: bool) -> Q:
        condition = self.terms(list(self.query.han), close=close, indexed=indexed)
        for word in self.query.other:
            code = Q(code__startswith=word.upper()) | Q(basic_code__startswith=word)
            runs = self.query.runs(word)
            condition &= code | self.terms(runs, close=close, indexed=indexed)
        return condition


def search_tiers(queryset: QuerySet, query: KeywordQuery) -> list[Tier]:
    """The tiers of a ranked search (core.pagination.list_page), best first: close matches,
    then every match. Empty when the query has no term."""
    if not query:
        return []
    terms = _Terms(queryset, query)
    return [
        lambda indexed: terms.tier(close=True, indexed=indexed),
        lambda indexed: terms.tier(close=False, indexed=indexed),
    ]


def matches(queryset: QuerySet, text: str) -> QuerySet:
    """Every entry (or history row) of `queryset` that `text` matches, unranked: the filter
    of an export and of the selectors' plain search."""
    tiers = search_tiers(queryset, parse(text))
    return queryset.filter(tiers[-1](True)) if tiers else queryset
