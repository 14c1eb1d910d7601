"""Pages of long lists that cost the same at a thousand rows and at a million (issue 11 §3).

Two costs grow with the data on an ordinary paginated list: the exact `COUNT(*)` over every
match, and sorting every match to show the first 25. Here:

- The count is exact only while it is cheap: rows are counted up to `LIST_EXACT_COUNT_LIMIT`
  (this product's default 2,000); above, the page says "about N" from PostgreSQL's own
  estimate of the query (never below what was counted). When the estimate alone says the
  list is far longer than that, nothing is counted.
- A list is read in the order of an index (the caller's `order` must be one, such as the
  registry's (sort_key, id)), so the first rows of a broad list come from the index and no
  sort of all matches happens. A narrow list (counted exactly) is fetched and sorted whole,
  which is cheap because it is narrow.
- A ranked search (core.search) is a list of tiers, best first: each tier a condition that
  includes the tiers before it. A narrow search is sorted by tier in one query; a broad one is
  read tier by tier, each from the index, so the close matches come first without ranking
  every match.
- Pages go as deep as `LIST_MAX_ROWS` (this product's default 10,000 rows): beyond, the list
  asks for narrower filters, as search engines do.

SQLite (`make run`, local tests) counts exactly and sorts: it holds demo data only.
"""

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.utils.functional import cached_property

# PostgreSQL's estimate is trusted to say a list is broad when it says this many times the
# exact-count limit: its estimates of the register's filters are close, and one that is off
# still gives the right rows (only the count is an estimate, as the page says). A count made
# in the window (LIST_WINDOW_ROWS rows of the list) is a sample of the list itself: twice the limit
# will do.
SURELY_BROAD = 20
SAMPLED_BROAD = 2


# A tier's condition: given `indexed`, a Q that an index serves (True) or that is evaluated
# row by row while another index gives the order (False).
Tier = Callable[[bool], Q]


def exact_count_limit() -> int:
    return settings.LIST_EXACT_COUNT_LIMIT


def max_rows() -> int:
    return settings.LIST_MAX_ROWS


def window_rows() -> int:
    return settings.LIST_WINDOW_ROWS


def scan_rows() -> int:
    return settings.LIST_SCAN_ROWS


def capped_count(queryset: QuerySet, cap: int) -> int:
    """How many rows `queryset` has, counting at most cap + 1 of them."""
    return queryset.order_by().values("pk")[: cap + 1].count()


def estimated_count(queryset: QuerySet) -> int:
    """PostgreSQL's estimate of the rows of `queryset` (EXPLAIN; no row is read)."""
    connection = connections[queryset.db]
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def about(number: int) -> int:
    """An estimate shown as such: three significant digits."""
    if number < 1000:
        return number
    scale = 10 ** (int(math.log10(number)) - 2)
    return round(number / scale) * scale


@dataclass
class ListPage:
    """One page of a list, with what the page and its navigation need. Its attributes follow
    Django's Page and Paginator, so templates written for them work unchanged
    (`page_obj` and `paginator` may both be this object)."""

    object_list: list
    number: int
    per_page: int
    count: int
    exact: bool
    has_more: bool
    ELLIPSIS: str = "…"
    _range: list = field(default_factory=list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def paginator(self) -> "ListPage":
        return self

    @property
    def num_pages(self) -> int:
        pages = max(1, math.ceil(self.count / self.per_page))
        return min(pages, max(1, max_rows() // self.per_page))

    @property
    def page_range(self) -> range:
        return range(1, self.num_pages + 1)

    def has_next(self) -> bool:
        return self.has_more and self.number < self.num_pages

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def get_elided_page_range(self, number: int, on_each_side: int = 3, on_ends: int = 2):
        return Paginator(
            range(self.num_pages * self.per_page), self.per_page
        ).get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)

    @property
    def max_rows(self) -> int:
        return max_rows()

    @property
    def limited(self) -> bool:
        """More rows match than the list pages to."""
        return self.count > max_rows()


def page_number(value, default: int = 1) -> int:
    """The page asked for: a positive whole number, else the first page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 1 else default


class _Window:
    """The first LIST_WINDOW_ROWS rows of a list in its order, bounded by the value of the order's
    first column at the last of them, so that a probe of the window is an index range read of
    at most that many rows, whatever it looks for (a sparse match ends at the bound, not at the
    end of the table)."""

    def __init__(self, queryset: QuerySet, order: Sequence[str]) -> None:
        # A list newest first (order "-decided_on", …) has its window above the bound.
        self.queryset, self.order = queryset, order
        self.column = order[0].removeprefix("-")
        self.descending = order[0].startswith("-")

    @cached_property
    def bound(self):
        """The first column's value at the window's last row; None when the whole list fits
        in the window."""
        found = self.queryset.order_by(*self.order).values_list(self.column, flat=True)
        found = list(found[window_rows() : window_rows() + 1])
        return found[0] if found else None

    def rows(self, condition: Q) -> QuerySet:
        rows = self.queryset.filter(condition)
        if self.bound is not None:
            side = "gte" if self.descending else "lte"
            rows = rows.filter(**{f"{self.column}__{side}": self.bound})
        return rows

    @cached_property
    def length(self) -> int:
        """PostgreSQL's estimate of the list's length (no row read)."""
        return estimated_count(self.queryset)

    def estimate(self, condition: Q) -> int:
        """How many rows of the list meet `condition`: counted in the window and scaled to
        the list's estimated length."""
        counted = self.rows(condition).count()
        return counted * max(self.length, window_rows()) // window_rows()

    def first(self, condition: Q, exclude: Q | None, start: int, count: int) -> list | None:
        """Rows start … start + count of those meeting `condition` (and not `exclude`), if the
        window holds that many; None if it does not (the caller counts instead)."""
        rows = self.rows(condition)
        if exclude is not None:
            rows = rows.exclude(exclude)
        found = _rows(self.queryset, rows.order_by(*self.order), start, start + count)
        return found if len(found) == count else None


def _rows(queryset: QuerySet, ordered: QuerySet, start: int, stop: int) -> list:
    """Rows start … stop of `ordered` (a filtered, ordered `queryset`), read in two steps:
    their ids, from the one table in the order of its index, then the rows with what the
    queryset joins to them. PostgreSQL misjudges how few rows a narrow range of the order holds
    and would otherwise join every row of it before sorting."""
    return _load(queryset, list(ordered.values_list("pk", flat=True)[start:stop]))


def _load(queryset: QuerySet, ids: list) -> list:
    """The rows of `ids`, in that order, with what the queryset joins, annotates and
    prefetches: a list's rows read what they show in a fixed number of queries. By id alone
    (the ids met every filter, the reader's restriction included) where the queryset only
    joins; through the queryset itself where it annotates, so each annotation is computed as
    the list declared it. Either way only the columns the queryset loads (`only`, `defer`):
    a public list reads no column it does not publish."""
    if queryset.query.annotations:
        loader = queryset.filter(pk__in=ids).order_by()
    else:
        loader = queryset.model._default_manager.filter(pk__in=ids)
        loader.query.select_related = queryset.query.select_related
        loader.query.deferred_loading = queryset.query.deferred_loading
    found = loader.in_bulk()
    rows = [found[pk] for pk in ids if pk in found]
    prefetch_related_objects(rows, *queryset._prefetch_related_lookups)
    return rows


def list_page(
    queryset: QuerySet,
    *,
    order: Sequence[str],
    number: int,
    per_page: int,
    tiers: Sequence[Tier] = (),
) -> ListPage:
    """The `number`th page of `queryset` (filtered, not ordered), in `order` within each tier
    of `tiers` (best first; none: one tier of every row). A page past the last shows the
    last one (as Django's Paginator.get_page does)."""
    searched = bool(tiers)
    tiers = list(tiers) or [lambda indexed: Q()]
    last = tiers[-1]
    number = max(1, min(number, max(1, max_rows() // per_page)))
    if connections[queryset.db].vendor != "postgresql":
        matching = queryset.filter(last(True))
        return _sorted_page(queryset, matching, tiers, order, number, per_page, True)
    cap = exact_count_limit()
    window = _Window(queryset, order)
    if searched and window.bound is None:
        # The whole list fits in the window (one department's, a town's): one read along the
        # order's index ranks its matches and counts them.
        matching = queryset.filter(last(False))
        return _sorted_page(queryset, matching, tiers, order, number, per_page, False)
    # A short list (one jurisdiction's) is searched row by row along the order's index; the
    # GIN index serves a search of the whole register, where the bitmap of a common pair
    # costs less than reading every row it would find.
    indexed = searched and window.length > scan_rows()
    matching = queryset.filter(last(indexed))
    if searched and not indexed:
        # As short as a read of it: ranking its matches in that read counts them too.
        return _sorted_page(queryset, matching, tiers, order, number, per_page, indexed)
    estimate = estimated_count(matching)
    if estimate > SURELY_BROAD * cap:
        # Far more than would be counted: counting up to the limit would only confirm it.
        total = cap + 1
    elif searched:
        # PostgreSQL underestimates words whose pairs go together (残疾 & 人证): the window
        # says how common the match is, for an index range read, before any GIN bitmap.
        sampled = window.estimate(last(False))
        estimate = max(estimate, sampled)
        total = cap + 1 if sampled > SAMPLED_BROAD * cap else capped_count(matching, cap)
    else:
        total = capped_count(matching, cap)
    if total <= cap:
        return _sorted_page(queryset, matching, tiers, order, number, per_page, indexed)
    offset = (number - 1) * per_page
    rows = _broad_rows(queryset, window, tiers, order, offset, per_page + 1, indexed)
    if not rows and number > 1:
        # The estimate promised more pages than there are: show the last page there is.
        counted = capped_count(matching, offset)
        number = max(1, math.ceil(counted / per_page))
        offset = (number - 1) * per_page
        rows = _broad_rows(queryset, window, tiers, order, offset, per_page + 1, indexed)
    known = offset + len(rows)
    return ListPage(
        rows[:per_page],
        number,
        per_page,
        about(max(estimate, known, cap + 1)),
        False,
        len(rows) > per_page,
    )


def _sorted_page(
    queryset, matching, tiers, order, number: int, per_page: int, indexed: bool
) -> ListPage:
    """A page of a list short enough to sort whole: ranked by tier, counted exactly in the
    same read (a count over the whole result, beside each row of the page)."""
    ranked = matching
    if len(tiers) > 1:
        rank = Case(
            *(When(tier(indexed), then=Value(k)) for k, tier in enumerate(tiers[:-1])),
            default=Value(len(tiers) - 1),
            output_field=IntegerField(),
        )
        ranked = ranked.alias(search_rank=rank).order_by("search_rank", *order)
    else:
        ranked = ranked.order_by(*order)
    counted = ranked.annotate(list_total=Window(Count("pk")))
    offset = (number - 1) * per_page
    found = list(counted.values_list("pk", "list_total")[offset : offset + per_page])
    if found:
        total = found[0][1]
    else:
        # Past the end: the last page there is.
        total = matching.count()
        number = max(1, min(number, math.ceil(total / per_page)))
        offset = (number - 1) * per_page
        found = list(counted.values_list("pk", "list_total")[offset : offset + per_page])
    rows = _load(queryset, [pk for pk, _total in found])
    return ListPage(rows, number, per_page, total, True, offset + len(rows) < total)


def _broad_rows(
    queryset, window: _Window, tiers, order, offset: int, wanted: int, indexed: bool
) -> list:
    """Rows offset … offset + wanted of a list too long to sort, tier by tier. A tier that
    fills the page within the window is read there; otherwise its size is counted (cheaply:
    at most what this page needs) to know where the next tier starts."""
    rows: list = []
    before = 0  # rows of the tiers already passed
    previous: Tier | None = None
    for position, tier in enumerate(tiers):
        start = offset + len(rows) - before
        needed = wanted - len(rows)
        final = position == len(tiers) - 1
        if not final:
            exclude = previous(False) if previous is not None else None
            found = window.first(tier(False), exclude, start, needed)
            if found is not None:
                rows += found
                break
        if final:
            size = None
        else:
            cap = start + needed
            counted = capped_count(queryset.filter(tier(indexed)), before + cap) - before
            size = counted if counted <= cap else None
        if size is None or start < size:
            rows_of_tier = queryset.filter(tier(False))
            if previous is not None:
                rows_of_tier = rows_of_tier.exclude(previous(False))
            stop = start + needed if size is None else min(size, start + needed)
            rows += _rows(queryset, rows_of_tier.order_by(*order), start, stop)
        if len(rows) >= wanted or size is None:
            break
        before += size
        previous = tier
    return rows
