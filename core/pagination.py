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
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

# PostgreSQL's estimate is trusted to say a list is broad when it says this many times the
# exact-count limit: its estimates of the register's filters are close, and one that is off
# still gives the right rows (only the count is an estimate, as the page says).
SURELY_BROAD = 20

# A tier's condition: given `indexed`, a Q that an index serves (True) or that is evaluated
# row by row while another index gives the order (False).
Tier = Callable[[bool], Q]


def exact_count_limit() -> int:
    return settings.LIST_EXACT_COUNT_LIMIT


def max_rows() -> int:
    return settings.LIST_MAX_ROWS


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
    tiers = list(tiers) or [lambda indexed: Q()]
    last = tiers[-1]
    number = max(1, min(number, max(1, max_rows() // per_page)))
    postgres = connections[queryset.db].vendor == "postgresql"
    cap = exact_count_limit() if postgres else None
    matching = queryset.filter(last(True))
    estimate = estimated_count(matching) if postgres else 0
    if cap is not None and estimate > SURELY_BROAD * cap:
        # Far more than would be counted: counting up to the limit would only confirm it.
        total = cap + 1
    else:
        total = capped_count(matching, cap) if cap is not None else matching.count()
    if cap is None or total <= cap:
        pages = max(1, math.ceil(total / per_page))
        number = min(number, pages)
        offset = (number - 1) * per_page
        ranked = matching
        if len(tiers) > 1:
            rank = Case(
                *(When(tier(True), then=Value(k)) for k, tier in enumerate(tiers[:-1])),
                default=Value(len(tiers) - 1),
                output_field=IntegerField(),
            )
            ranked = ranked.alias(search_rank=rank).order_by("search_rank", *order)
        else:
            ranked = ranked.order_by(*order)
        rows = list(ranked[offset : offset + per_page])
        return ListPage(rows, number, per_page, total, True, offset + len(rows) < total)
    offset = (number - 1) * per_page
    rows = _broad_rows(queryset, tiers, order, offset, per_page + 1)
    if not rows and number > 1:
        # The estimate promised more pages than there are: show the last page there is.
        counted = capped_count(matching, offset)
        number = max(1, math.ceil(counted / per_page))
        offset = (number - 1) * per_page
        rows = _broad_rows(queryset, tiers, order, offset, per_page + 1)
    known = offset + len(rows)
    return ListPage(
        rows[:per_page],
        number,
        per_page,
        about(max(estimate, known, cap + 1)),
        False,
        len(rows) > per_page,
    )


def _broad_rows(queryset, tiers, order, offset: int, wanted: int) -> list:
    """Rows offset … offset + wanted of a list too long to sort, tier by tier: a tier's size
    is counted (cheaply: at most what this page needs) to know where the next tier starts."""
    rows: list = []
    before = 0  # rows of the tiers already passed
    previous: Tier | None = None
    for position, tier in enumerate(tiers):
        start = offset + len(rows) - before
        needed = wanted - len(rows)
        final = position == len(tiers) - 1
        if final:
            size = None
        else:
            cap = start + needed
            counted = capped_count(queryset.filter(tier(True)), before + cap) - before
            size = counted if counted <= cap else None
        if size is None or start < size:
            rows_of_tier = queryset.filter(tier(False))
            if previous is not None:
                rows_of_tier = rows_of_tier.exclude(previous(False))
            stop = start + needed if size is None else min(size, start + needed)
            rows += list(rows_of_tier.order_by(*order)[start:stop])
        if len(rows) >= wanted or size is None:
            break
        before += size
        previous = tier
    return rows
