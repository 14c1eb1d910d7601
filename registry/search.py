"""Chinese keyword search over the published register (issue 3 §4, NOTES "PostgreSQL search").

Chinese has no spaces, so words are found as substrings. On PostgreSQL a term of three or more
characters is a LIKE over `search_text`, served by a pg_trgm GIN index; a two-character term
(most Chinese words) cannot use trigrams, so it is matched against `search_bigrams`, the
overlapping character pairs of the same text, through a GIN index on their `simple` tsvector.
SQLite has neither and scans with LIKE, which is fine at demo scale.
"""

import re

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value

_WORD = re.compile(r"\w", re.UNICODE)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise(text: str) -> str:
    # Control characters (NUL above all, which PostgreSQL refuses in a string) are spaces.
    return " ".join(_CONTROL.sub(" ", text).lower().split())


def bigrams(text: str) -> str:
    """The distinct overlapping pairs of word characters of `text`, space separated."""
    pairs: dict[str, None] = {}
    for run in re.findall(r"\w+", normalise(text)):
        for i in range(len(run) - 1):
            pairs[run[i : i + 2]] = None
    return " ".join(pairs)


class BigramMatch(Func):
    """to_tsvector('simple', search_bigrams) @@ plainto_tsquery('simple', term): the form of
    the expression index created by migration registry 0002, so PostgreSQL uses it."""

    template = "(to_tsvector('simple'::regconfig, %(expressions)s))"
    arg_joiner = ") @@ plainto_tsquery('simple'::regconfig, "
    output_field = BooleanField()


def terms(query: str) -> list[str]:
    return [term for term in normalise(query).split(" ") if _WORD.search(term)][:8]


def keyword_filter(queryset: QuerySet, query: str, *, indexed: bool = True) -> QuerySet:
    """Entries whose name, codes, basis or department contain every term of `query`.
    `indexed=False` for tables without the search indexes (history rows): a plain LIKE."""
    use_bigrams = indexed and connection.vendor == "postgresql"
    for term in terms(query):
        if use_bigrams and len(term) == 2 and _WORD.fullmatch(term[0]) and _WORD.fullmatch(term[1]):
            queryset = queryset.filter(BigramMatch(F("search_bigrams"), Value(term)))
        else:
            queryset = queryset.filter(Q(search_text__contains=term))
    return queryset
