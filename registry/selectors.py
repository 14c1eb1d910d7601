"""Reads of the register. Every function takes the user and goes through
`.restrict(user, action)`; pages, the API and exports share these."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from core.models import Department, Jurisdiction
from core.permissions import Action, restrict

from .choices import EntryStatus, LawStatus, ListKind
from .models import FIELDS_BY_KIND, Category, Citation, Draft, Entry, Law, Provision
from .permissions import CONSISTENCY
from .search import keyword_filter

HistoricalEntry = Entry.history.model

_RELATED = ("category", "jurisdiction", "department")


def end_of_day(day: datetime.date) -> datetime.datetime:
    """A list "as it stood on" a date includes what was published during that day
    (Asia/Shanghai)."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def published_entries(*, user, as_of: datetime.date | None = None) -> QuerySet:
    """The published register now, or as it stood at the end of `as_of`.

    The past is read from the history table: for each entry its latest row up to that moment
    (an anti-join on the (id, history_date) index of migration registry 0002, not
    simple-history's as_of, which scans the whole table). Rows of both kinds carry the same
    field names, so filters, pages and exports work on either."""
    if as_of is None:
        return Entry.objects.restrict(user, Action.VIEW).select_related(*_RELATED)
    moment = end_of_day(as_of)
    newer = HistoricalEntry.objects.filter(
        id=OuterRef("id"), history_date__lte=moment, history_date__gt=OuterRef("history_date")
    )
    rows = HistoricalEntry.objects.filter(history_date__lte=moment).exclude(history_type="-")
    rows = rows.filter(~Exists(newer))
    return restrict(rows, user, Action.VIEW).select_related(*_RELATED)


def search(queryset: QuerySet, query: str) -> QuerySet:
    return keyword_filter(queryset, query, indexed=queryset.model is Entry)


def entry_by_code(*, user, code: str, as_of: datetime.date | None = None):
    """The entry with `code` (now, or as it stood at the end of `as_of`); None if it did not
    exist then."""
    return published_entries(user=user, as_of=as_of).filter(code=code).first()


def entry_versions(*, user, entry_id: int) -> QuerySet:
    """An entry's published versions, newest first (SPEC §3.3)."""
    return (
        restrict(HistoricalEntry.objects.all(), user, Action.VIEW)
        .filter(id=entry_id)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def provisions_of(entries) -> dict[int, Provision]:
    """Every provision the given entries (or history rows) cite, with its law, in one query."""
    ids = {p for entry in entries for p in (entry.basis or [])}
    return Provision.objects.select_related("law").in_bulk(ids)


def sub_items(*, user, entry) -> QuerySet[Entry]:
    return Entry.objects.restrict(user, Action.VIEW).filter(parent_id=entry.id)


def list_counts(*, user) -> dict[str, int]:
    """Entries in force per list, for the home page (one query)."""
    counts = dict.fromkeys(ListKind.values, 0)
    rows = (
        Entry.objects.restrict(user, Action.VIEW)
        .filter(status=EntryStatus.IN_FORCE)
        .values("list_kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update({row["list_kind"]: row["n"] for row in rows})
    return counts


def categories(*, user, list_kind: str | None = None) -> QuerySet[Category]:
    rows = Category.objects.restrict(user, Action.VIEW)
    return rows.filter(list_kind=list_kind) if list_kind else rows


def jurisdictions_with_counts(*, user) -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.restrict(user, Action.VIEW).annotate(
        entry_count=Count("entries", filter=Q(entries__status=EntryStatus.IN_FORCE))
    )


def departments_with_counts(*, user, jurisdiction: Jurisdiction) -> QuerySet[Department]:
    return (
        Department.objects.restrict(user, Action.VIEW)
        .filter(jurisdiction=jurisdiction)
        .annotate(entry_count=Count("entries", filter=Q(entries__status=EntryStatus.IN_FORCE)))
        .filter(entry_count__gt=0)
        .order_by("name")
    )


def categories_with_counts(*, user, department: Department) -> QuerySet[Category]:
    return (
        Category.objects.restrict(user, Action.VIEW)
        .filter(entries__department=department, entries__status=EntryStatus.IN_FORCE)
        .annotate(entry_count=Count("entries"))
        .order_by("list_kind", "order")
    )


def laws(*, user) -> QuerySet[Law]:
    return Law.objects.restrict(user, Action.VIEW).annotate(
        entry_count=Count("citations__entry", distinct=True)
    )


def law_provisions(*, user, law: Law) -> QuerySet[Provision]:
    return Provision.objects.restrict(user, Action.VIEW).filter(law=law)


def entries_citing(*, user, law: Law) -> QuerySet[Entry]:
    """Every published entry that cites a provision of `law` (issue 3 §2)."""
    cited = Citation.objects.filter(law=law, entry_id=OuterRef("pk"))
    return published_entries(user=user).filter(Exists(cited))


def drafts(*, user) -> QuerySet[Draft]:
    return Draft.objects.restrict(user, Action.VIEW).select_related(
        "entry", "department", "updated_by"
    )


def editable_entries(*, user) -> QuerySet[Entry]:
    """The published entries of the clerk's own department, each with its open draft if any."""
    if not user.department_id:
        return Entry.objects.none()
    return published_entries(user=user).filter(department_id=user.department_id)


# --- consistency across levels (issue 3 §7) -----------------------------------------------


@dataclass(frozen=True)
class ConsistencyReport:
    cancelled_above: list  # lower-level in-force entries whose basic code was cancelled above
    held_twice: list  # (jurisdiction, basic code) held by two departments
    repealed_basis: list  # in-force entries citing a repealed law


def consistency_report(*, user) -> ConsistencyReport:
    """Three checks for the office, each one query over the entries the user may review."""
    scoped = restrict(Entry.objects.all(), user, CONSISTENCY)
    in_force = scoped.filter(status=EntryStatus.IN_FORCE)
    cancelled_higher = Entry.objects.filter(
        basic_code=OuterRef("basic_code"),
        list_kind=OuterRef("list_kind"),
        status=EntryStatus.CANCELLED,
    ).exclude(jurisdiction_id=OuterRef("jurisdiction_id"))
    cancelled_above = _only_ancestors_cancelled(
        list(in_force.filter(Exists(cancelled_higher)).select_related(*_RELATED))
    )
    duplicates = (
        in_force.values("jurisdiction_id", "list_kind", "basic_code")
        .annotate(departments=Count("department_id", distinct=True))
        .filter(departments__gt=1)
        .order_by("jurisdiction_id", "basic_code")
    )
    keys = Q(pk__in=[])
    for row in duplicates:
        keys |= Q(
            jurisdiction_id=row["jurisdiction_id"],
            list_kind=row["list_kind"],
            basic_code=row["basic_code"],
        )
    held_twice = list(in_force.filter(keys).select_related(*_RELATED).order_by("basic_code"))
    repealed = Citation.objects.filter(entry_id=OuterRef("pk"), law__status=LawStatus.REPEALED)
    repealed_basis = list(
        in_force.filter(Exists(repealed))
        .select_related(*_RELATED)
        .prefetch_related("citations__law")
    )
    return ConsistencyReport(cancelled_above, held_twice, repealed_basis)


def _only_ancestors_cancelled(candidates: list[Entry]) -> list:
    """Keeps the pairs where the cancelling entry is in a jurisdiction *above* the in-force
    one; returns (in-force entry, cancelled entry) pairs."""
    if not candidates:
        return []
    cancelled = Entry.objects.filter(
        basic_code__in={e.basic_code for e in candidates}, status=EntryStatus.CANCELLED
    ).select_related("jurisdiction", "department")
    pairs = []
    for entry in candidates:
        for other in cancelled:
            if (
                other.basic_code == entry.basic_code
                and other.list_kind == entry.list_kind
                and entry.jurisdiction.path.startswith(other.jurisdiction.path)
                and other.jurisdiction_id != entry.jurisdiction_id
            ):
                pairs.append((entry, other))
                break
    return pairs


def fields_of(list_kind: str) -> tuple[str, ...]:
    return FIELDS_BY_KIND[list_kind]


def order_by_path(queryset: QuerySet) -> QuerySet:
    return queryset.order_by(F("jurisdiction__path"), "department__name", "basic_code", "id")
