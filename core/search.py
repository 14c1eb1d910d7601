"""Chinese keyword search for any table (issue 11 §3; NOTES "PostgreSQL search").

Chinese has no spaces, so a word is found by its characters. A searched table keeps, per row,
the ordered character pairs (bigrams) of its text as a `SearchVectorField`: on PostgreSQL a
real tsvector with each pair's position and a weight (A for what names the row, D for what
merely supports it, such as a legal basis), GIN-indexed; on SQLite the same literal as text.
The vector is written by Python (`vector_literal`), never by a text-search parser, so what is
stored is exactly the pairs computed here.

A query is split on spaces into terms. A term matches a row when every pair of a
non-overlapping cover of the term occurs anywhere in the row ("砍伐树木" → 砍伐 & 树木, so it
finds 城市树木砍伐审批: the words may come in any order). It matches *closely* when all its
pairs occur in a row, one after the other, in what names the row (the term itself, in the
name). Close matches come first (core.pagination.list_page). A word with other characters
than Chinese (a code, a Latin word) is matched the same way by its runs of letters and digits;
the app may let it match a code too (registry.search).
"""

import re
from dataclasses import dataclass

from django.db import models

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Letters and digits of any script: the characters a pair is made of.
_RUN = re.compile(r"[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Positions of a tsvector end at 16,383; a row's text stays far below.
MAX_POSITION = 16_383
# A term longer than this is cut: a pasted paragraph must not become a query of 500 pairs.
MAX_TERM = 20
MAX_TERMS = 8


def normalise(text: str) -> str:
    """Lower case, one space between words; control characters (NUL above all, which
    PostgreSQL refuses in a string) are spaces."""
    return " ".join(_CONTROL.sub(" ", text).lower().split())


def pairs(text: str) -> list[str]:
    """The overlapping pairs of every run of letters and digits of `text`, in order, each run
    followed by its last character alone (so that a one-character search finds a character
    that ends a run). A run of one character is that character."""
    tokens: list[str] = []
    for run in _RUN.findall(normalise(text)):
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        tokens.append(run[-1])
    return tokens


def vector_literal(names: str, support: str = "") -> str:
    """The tsvector literal of a row: the pairs of `names` with weight A, then those of
    `support` with the default weight D, each at its position. A gap of one position between
    the parts keeps a phrase from running from one into the other."""
    positions: dict[str, list[str]] = {}
    position = 0
    for text, weight in ((names, "A"), (support, "")):
        for token in pairs(text):
            position += 1
            if position > MAX_POSITION:
                break
            positions.setdefault(token, []).append(f"{position}{weight}")
        position += 1
    return " ".join(f"'{token}':{','.join(where)}" for token, where in positions.items())


class SearchVectorField(models.TextField):
    """A tsvector on PostgreSQL (GIN-indexed by the migration that adds it), plain text
    elsewhere. Written with `vector_literal`."""

    description = "Search vector (tsvector on PostgreSQL)"

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


@SearchVectorField.register_lookup
class Matches(models.Lookup):
    """`search_vector__matches=tsquery`: the indexed match (GIN)."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", [*lhs_params, *rhs_params]


@SearchVectorField.register_lookup
class MatchesScanned(Matches):
    """The same match written so that no index serves it: for a broad match read in the order
    of another index (the first rows of a sorted list), where the GIN index would fetch and
    sort every match instead."""

    lookup_name = "matches_scanned"

    def as_sql(self, compiler, connection):
        sql, params = super().as_sql(compiler, connection)
        return f"COALESCE({sql}, false)", params


@dataclass(frozen=True)
class KeywordQuery:
    """A query as searched. `han`: terms of Chinese characters; `other`: words with other
    characters (a code such as 0700012000-ql, a Latin word), each with its runs of letters
    and digits (`runs`), which are matched like Chinese terms."""

    han: tuple[str, ...]
    other: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.han or self.other)

    @staticmethod
    def runs(word: str) -> list[str]:
        return [run[:MAX_TERM] for run in _RUN.findall(word)]

    def match(self, terms: tuple[str, ...]) -> str:
        """The tsquery a row matching every term of `terms` satisfies: each one's cover pairs."""
        return " & ".join(_cover(term) for term in terms)

    def close(self, terms: tuple[str, ...]) -> str:
        """The tsquery of a close match of `terms`: each as a phrase in what names the row."""
        return " & ".join(_phrase(term) for term in terms)


def parse(query: str) -> KeywordQuery:
    """The terms of `query`: words separated by spaces. In a word of Chinese characters,
    punctuation separates terms too ("残疾，核发" is two); a word with other characters (a code
    such as 0700012000-QL-410106, a Latin word) is one term as typed."""
    han, other = [], []
    for word in normalise(query).split(" "):
        runs = _RUN.findall(word)
        if runs and all(_HAN.fullmatch(run) for run in runs):
            han += [run[:MAX_TERM] for run in runs]
        elif runs:
            other.append(word)
    han = list(dict.fromkeys(han))[:MAX_TERMS]
    other = list(dict.fromkeys(other))[: MAX_TERMS - len(han)]
    return KeywordQuery(han=tuple(han), other=tuple(other))


def _quoted(token: str, weight: str = "") -> str:
    return f"'{token}'{':' + weight if weight else ''}"


def _cover(term: str) -> str:
    if len(term) == 1:
        return f"'{term}':*"
    return "(" + " & ".join(_quoted(pair) for pair in cover_pairs(term)) + ")"


def _phrase(term: str) -> str:
    if len(term) == 1:
        return f"'{term}':*A"
    return "(" + " <-> ".join(_quoted(term[i : i + 2], "A") for i in range(len(term) - 1)) + ")"


def cover_pairs(term: str) -> list[str]:
    """The pairs a term's match requires (in any order): non-overlapping, the last one
    overlapping the one before when the term's length is odd."""
    if len(term) == 1:
        return [term]
    starts = list(range(0, len(term) - 1, 2))
    if starts[-1] != len(term) - 2:
        starts.append(len(term) - 2)
    return [term[i : i + 2] for i in starts]
