"""The published entries one query string asks for: /lists/ pages through them, its exports
write all of them (in the request or in a worker, registry.tasks), so a page and its export
always hold the same rows."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.pagination import ListPage, list_page
from core.search import KeywordQuery

from . import search, selectors
from .filtersets import EntryFilter
from .models import Entry


@dataclass
class EntryQuery:
    filterset: EntryFilter
    # Every filter but the keyword, unordered: what a ranked page reads (`page`).
    filtered: QuerySet
    keywords: KeywordQuery
    # Every row asked for, keyword included, in the register's order (exports); empty when a
    # filter value is invalid.
    entries: QuerySet
    as_of: datetime.date | None
    list_kind: str
    jurisdiction_code: str
    valid: bool

    def page(self, number: int, per_page: int) -> ListPage:
        """One page of the rows, the closest keyword matches first (core.pagination)."""
        return list_page(
            self.filtered,
            order=selectors.REGISTER_ORDER,
            number=number,
            per_page=per_page,
            tiers=search.search_tiers(self.filtered, self.keywords),
        )

    @property
    def params(self) -> dict[str, str]:
        """The filters as validated, as text, without the empty ones: two query strings that
        select the same rows ("?list=power&page=3", "?page=1&list=power&q=") give the same
        params, so they share one cached export (registry.exports)."""
        if not self.valid:
            return {}
        cleaned = self.filterset.form.cleaned_data
        return {
            name: _text(cleaned[name])
            for name in sorted(self.filterset.form.fields)
            if cleaned.get(name) not in (None, "")
        }


def _text(value) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def entry_query(data, user) -> EntryQuery:
    """Validates the filters of `data` (a query string, or the params of an earlier query)
    and builds the queryset they select."""
    filterset = EntryFilter(data, queryset=Entry.objects.none())
    form = filterset.form
    valid = form.is_valid()
    as_of = form.cleaned_data.get("as_of") if valid else None
    if as_of is not None and as_of > timezone.localdate():
        # The register has no future: a later date would silently show today's list.
        form.add_error("as_of", _("Choose a date no later than today."))
        valid, as_of = False, None
    base = selectors.published_entries(user=user, as_of=as_of)
    # as_of decides which table the filters run on, so the queryset is set after validation.
    filterset.queryset = base
    filtered = filterset.qs if valid else base.none()
    cleaned = form.cleaned_data if valid else {}
    keywords = search.parse(cleaned.get("q") or "")
    return EntryQuery(
        filterset=filterset,
        filtered=filtered,
        keywords=keywords,
        entries=selectors.order_by_path(search.matches(filtered, cleaned.get("q") or "")),
        as_of=as_of,
        list_kind=cleaned.get("list") or "",
        jurisdiction_code=cleaned.get("jurisdiction") or "",
        valid=valid,
    )
