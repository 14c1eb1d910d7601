"""Reads of the register. Every function takes the user and goes through
`.restrict(user, action)`; pages, the API and exports share these."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Length, Replace
from django.utils import timezone

from core.models import Department, Jurisdiction
from core.permissions import Action, restrict

from .choices import EntryStatus, LawStatus, ListKind
from .models import (
    Category,
    Citation,
    Draft,
    Entry,
    ImportJob,
    InForceTotal,
    Law,
    Provision,
    PublicationState,
)
from .permissions import CONSISTENCY
from .search import matches

HistoricalEntry = Entry.history.model

_RELATED = ("category", "jurisdiction", "department")
# The register's order (jurisdiction path, department name, basic code; Entry.sort_key), served
# by an index on the entries and on their history rows.
REGISTER_ORDER = ("sort_key", "id")


def end_of_day(day: datetime.date) -> datetime.datetime:
    """A list "as it stood on" a date includes what was published during that day
    (Asia/Shanghai)."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def published_entries(*, user, as_of: datetime.date | None = None) -> QuerySet:
    """The published register now, or as it stood at the end of `as_of`.

    The past is read from the history table: the rows whose validity (from `history_date`
    until `valid_until`, issue 11 §4) contains that moment, one per entry. Two versions
    sharing a moment (a register loaded with its dates): the earlier one's validity is empty,
    so the later one wins. Rows of both kinds carry the same field names, so filters, pages
    and exports work on either."""
    if as_of is None:
        return Entry.objects.restrict(user, Action.VIEW).select_related(*_RELATED)
    return restrict(versions_in_force(end_of_day(as_of)), user, Action.VIEW).select_related(
        *_RELATED
    )


def versions_in_force(moment: datetime.datetime) -> QuerySet:
    """The history rows that were the published versions at `moment`."""
    return (
        HistoricalEntry.objects.filter(history_date__lte=moment)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=moment))
        .exclude(history_type="-")
    )


def publication_key() -> str:
    """The register's published state as a short key (core.page_cache): one query by primary
    key."""
    state = (
        PublicationState.objects.filter(pk=PublicationState.SINGLETON)
        .values_list("sequence", "token")
        .first()
    )
    return f"{state[0]}-{state[1]}" if state else "0"


def search(queryset: QuerySet, query: str) -> QuerySet:
    """The entries (or history rows) of `queryset` that `query` matches, unranked."""
    return matches(queryset, query)


def entry_by_code(*, user, code: str, as_of: datetime.date | None = None):
    """The entry with `code` (now, or as it stood at the end of `as_of`); None if it did not
    exist then."""
    return published_entries(user=user, as_of=as_of).filter(code=code).first()


def entry_versions(*, user, entry_id: int) -> QuerySet:
    """An entry's published versions, newest first (SPEC §3.3)."""
    return (
        restrict(HistoricalEntry.objects.all(), user, Action.VIEW)
        .filter(id=entry_id)
        .order_by("-history_date", "-history_id")
    )


def provisions_of(entries) -> dict[int, Provision]:
    """Every provision the given entries (or history rows) cite, with its law, in one query."""
    ids = {p for entry in entries for p in (entry.basis or [])}
    return Provision.objects.select_related("law").in_bulk(ids)


@dataclass(frozen=True)
class RepealedBasis:
    """What of an entry's (or a draft's) legal basis is repealed (issue 9 §9). `wholly`: every
    cited provision is of a repealed law and no other basis is written, so the item has no
    legal basis left (the hard warning); otherwise it rests partly on a repealed law and
    partly on a law in force or amended, or on the other basis (the softer warning)."""

    provisions: list[Provision]
    wholly: bool

    @property
    def laws(self) -> list[Law]:
        return list({p.law_id: p.law for p in self.provisions}.values())


def repealed_basis_of(
    entry, provisions: dict[int, Provision] | None = None, *, on: datetime.date | None = None
) -> RepealedBasis | None:
    """The one rule every page flags by: whether `entry` (an Entry, a history row or the
    preview of a draft) rests on a repealed law, and wholly or partly; None if not. A law
    counts as repealed from its repeal date when `on` (the day a past version is shown) is
    given, else as soon as the register records it (a repeal announced for a later date is
    flagged already, so the adjustment can be prepared). `provisions`: provisions_of() of a
    page's entries, so a list costs one query."""
    cited = [p for p in dict.fromkeys(entry.basis or []) if isinstance(p, int)]
    if not cited:
        return None
    provisions = provisions if provisions is not None else provisions_of([entry])

    def repealed(provision: Provision) -> bool:
        law = provision.law
        return law.status == LawStatus.REPEALED and (
            on is None or law.status_date is None or law.status_date <= on
        )

    found = [provisions[p] for p in cited if p in provisions]
    gone = [provision for provision in found if repealed(provision)]
    if not gone:
        return None
    wholly = len(gone) == len(found) and not (entry.basis_note or "").strip()
    return RepealedBasis(provisions=gone, wholly=wholly)


def entries_on_repealed_basis(*, user, action=Action.VIEW) -> list[Entry]:
    """Entries in force resting on a repealed law (issue 9 §9), each with `repealed_basis`
    (repealed_basis_of), wholly resting ones first. Two queries."""
    repealed = Citation.objects.filter(law__status=LawStatus.REPEALED, entry_id=OuterRef("pk"))
    entries = list(
        order_by_path(
            restrict(Entry.objects.all(), user, action)
            .filter(status=EntryStatus.IN_FORCE)
            .filter(Exists(repealed))
            .select_related(*_RELATED)
        )
    )
    provisions = provisions_of(entries)
    for entry in entries:
        entry.repealed_basis = repealed_basis_of(entry, provisions)
    return sorted(entries, key=lambda entry: not entry.repealed_basis.wholly)


def sub_items(*, user, entry, as_of: datetime.date | None = None) -> QuerySet:
    """The sub-items of `entry` (now, or as they stood at the end of `as_of`)."""
    return published_entries(user=user, as_of=as_of).filter(parent_id=entry.id)


def _in_force(relation: str = "in_force_counts") -> Coalesce:
    """The entries in force counted by InForceCount or InForceTotal (kept by every
    publication), summed over `relation`: a few rows per department or jurisdiction, never the
    entries themselves."""
    return Coalesce(Sum(f"{relation}__count"), 0)


def list_counts(*, user) -> dict[str, int]:
    """Entries in force per list, for the home page (one query)."""
    counts = dict.fromkeys(ListKind.values, 0)
    rows = (
        InForceTotal.objects.restrict(user, Action.VIEW)
        .values("list_kind")
        .annotate(n=Sum("count"))
        .order_by()
    )
    counts.update({row["list_kind"]: row["n"] for row in rows})
    return counts


def categories(*, user, list_kind: str | None = None) -> QuerySet[Category]:
    rows = Category.objects.restrict(user, Action.VIEW)
    return rows.filter(list_kind=list_kind) if list_kind else rows


def jurisdictions_with_counts(*, user) -> QuerySet[Jurisdiction]:
    """Jurisdictions with `entry_count` (entries in force in each) and `subtree_count` (in it
    and every jurisdiction below it), from the counts every publication keeps."""
    return (
        Jurisdiction.objects.restrict(user, Action.VIEW)
        .annotate(
            entry_count=_in_force("in_force_totals"),
            subtree_count=Coalesce(Sum("in_force_totals__subtree"), 0),
        )
        .order_by("path")
    )


def jurisdiction_depth() -> ExpressionWrapper:
    """How deep a jurisdiction lies: the number of codes in its path ("/410000/410100/": 2)."""
    return ExpressionWrapper(
        Length("path") - Length(Replace("path", Value("/"), Value(""))) - 1,
        output_field=IntegerField(),
    )


def jurisdictions_top(*, user, rows: int) -> list[Jurisdiction]:
    """The top of the jurisdiction tree for /browse/: as many levels from the top as fit in
    `rows` jurisdictions (at least two), those with something in force in them or below, each
    with `entry_count`, `below_count` and its `depth` under the shallowest one shown. Reads the
    jurisdictions per level and the counts of those shown, never the whole tree."""
    visible = Jurisdiction.objects.restrict(user, Action.VIEW).annotate(depth=jurisdiction_depth())
    per_level = list(visible.values_list("depth").annotate(n=Count("pk")).order_by("depth"))
    deepest, shown = None, 0
    for position, (depth, count) in enumerate(per_level):
        if position >= 2 and shown + count > rows:
            break
        deepest, shown = depth, shown + count
    if deepest is None:
        return []
    found = [
        row
        for row in jurisdictions_with_counts(user=user)
        .annotate(depth=jurisdiction_depth())
        .filter(depth__lte=deepest)
        if row.subtree_count
    ]
    top = min(row.depth for row in found) if found else 0
    for row in found:
        row.below_count = row.subtree_count - row.entry_count
        row.depth -= top
    return found


def jurisdictions_below(*, user, jurisdiction: Jurisdiction) -> list[Jurisdiction]:
    """The jurisdictions right below `jurisdiction` with something in force in them or below,
    each with `entry_count` and `below_count`."""
    found = [
        row
        for row in jurisdictions_with_counts(user=user).filter(parent=jurisdiction)
        if row.subtree_count
    ]
    for row in found:
        row.below_count = row.subtree_count - row.entry_count
    return found


def jurisdictions_above(*, user, jurisdiction: Jurisdiction) -> QuerySet[Jurisdiction]:
    """The jurisdictions above `jurisdiction` that the user sees, from the top down (its path
    holds their codes)."""
    codes = [code for code in jurisdiction.path.strip("/").split("/") if code][:-1]
    return Jurisdiction.objects.restrict(user, Action.VIEW).filter(code__in=codes).order_by("path")


def jurisdictions(*, user) -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.restrict(user, Action.VIEW).order_by("path")


def jurisdictions_for_filter(*, user, code: str = "") -> QuerySet[Jurisdiction]:
    """The choices of the list page's jurisdiction filter (issue 11 §3: a province has two
    thousand towns, too many for one list): the top two levels; once one is chosen, the way
    down to it, its neighbours and the jurisdictions right below it."""
    visible = Jurisdiction.objects.restrict(user, Action.VIEW)
    chosen = visible.filter(code=code).first() if code else None
    if chosen is None:
        keep = Q(parent__isnull=True) | Q(parent__parent__isnull=True)
    else:
        codes = [c for c in chosen.path.strip("/").split("/") if c]
        keep = Q(code__in=codes) | Q(parent_id=chosen.pk)
        if chosen.parent_id:
            keep |= Q(parent_id=chosen.parent_id)
    return visible.filter(keep).order_by("path")


def departments_for_filter(
    *, user, jurisdiction_code: str = "", department_id: int | None = None
) -> QuerySet[Department]:
    """The departments of one jurisdiction, and the one already chosen: the choices of the
    list page's department filter."""
    keep = Q(pk=department_id) if department_id else Q(pk__in=[])
    if jurisdiction_code:
        keep |= Q(jurisdiction__code=jurisdiction_code)
    return (
        Department.objects.restrict(user, Action.VIEW)
        .filter(keep)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "name")
    )


def departments_with_counts(*, user, jurisdiction: Jurisdiction) -> QuerySet[Department]:
    return (
        Department.objects.restrict(user, Action.VIEW)
        .filter(jurisdiction=jurisdiction)
        .annotate(entry_count=_in_force())
        .filter(entry_count__gt=0)
        .order_by("name")
    )


def categories_with_counts(*, user, department: Department) -> QuerySet[Category]:
    return (
        Category.objects.restrict(user, Action.VIEW)
        .filter(in_force_counts__department=department, in_force_counts__count__gt=0)
        .annotate(entry_count=Sum("in_force_counts__count"))
        .order_by("list_kind", "order")
    )


def laws(*, user) -> QuerySet[Law]:
    return Law.objects.restrict(user, Action.VIEW).annotate(
        entry_count=Count("citations__entry", distinct=True)
    )


def law_provisions(*, user, law: Law) -> QuerySet[Provision]:
    return Provision.objects.restrict(user, Action.VIEW).filter(law=law)


def provisions(*, user) -> QuerySet[Provision]:
    """Every provision of the law register with its law, grouped by law: what a draft may
    cite (issue 3 §5) and what the import resolves "《law》article" against."""
    return (
        Provision.objects.restrict(user, Action.VIEW)
        .select_related("law")
        .order_by("law__name", "order", "pk")
    )


def entries_citing(*, user, law: Law) -> QuerySet[Entry]:
    """Every published entry that cites a provision of `law` (issue 3 §2)."""
    cited = Citation.objects.filter(law=law, entry_id=OuterRef("pk"))
    return published_entries(user=user).filter(Exists(cited))


def drafts(*, user) -> QuerySet[Draft]:
    return Draft.objects.restrict(user, Action.VIEW).select_related(
        "entry", "department", "updated_by"
    )


def import_jobs(*, user) -> QuerySet[ImportJob]:
    """The user's own import jobs (issue 10 §2), without their checked rows (large)."""
    return ImportJob.objects.restrict(user, Action.VIEW).defer("checked_rows")


def editable_entries(*, user) -> QuerySet[Entry]:
    """The published entries of the clerk's own department (their drafts: `drafts`)."""
    if not user.department_id:
        return Entry.objects.none()
    return published_entries(user=user).filter(department_id=user.department_id)


# --- consistency across levels (issue 3 §7) -----------------------------------------------


@dataclass(frozen=True)
class CancelledAbove:
    """An entry in force whose basic code a jurisdiction above it has cancelled."""

    entry: Entry
    cancelled: Entry


@dataclass(frozen=True)
class HeldTwice:
    """One power (list and basic code) in force in two or more departments of a jurisdiction."""

    jurisdiction: Jurisdiction
    list_kind: str
    basic_code: str
    entries: list[Entry]

    def get_list_kind_display(self) -> str:
        return ListKind(self.list_kind).label


@dataclass(frozen=True)
class ConsistencyReport:
    cancelled_above: list[CancelledAbove]
    held_twice: list[HeldTwice]
    # In-force entries citing a repealed law, each with `repealed_basis` (RepealedBasis).
    repealed_basis: list[Entry]

    @property
    def total(self) -> int:
        return len(self.cancelled_above) + len(self.held_twice) + len(self.repealed_basis)


def consistency_report(*, user) -> ConsistencyReport:
    """Issue 3 §7, for the office: (a) entries in force whose basic code a jurisdiction above
    has cancelled, (b) one power held by two departments of one jurisdiction, (c) entries in
    force citing a repealed law. The checked entries are those in the user's CONSISTENCY
    scope; what they are compared with (a higher level's cancellation) may lie above it.
    Five queries, whatever the size of the register."""
    in_force = (
        restrict(Entry.objects.all(), user, CONSISTENCY)
        .filter(status=EntryStatus.IN_FORCE)
        .select_related(*_RELATED)
    )
    return ConsistencyReport(
        cancelled_above=_cancelled_above(user, in_force),
        held_twice=_held_twice(user, in_force),
        repealed_basis=entries_on_repealed_basis(user=user, action=CONSISTENCY),
    )


def _cancelled_above(user, in_force: QuerySet) -> list[CancelledAbove]:
    cancelled = Entry.objects.restrict(user, Action.VIEW).filter(status=EntryStatus.CANCELLED)
    # A jurisdiction is above another when its path is a prefix of the other's path.
    above = (
        cancelled.filter(list_kind=OuterRef("list_kind"), basic_code=OuterRef("basic_code"))
        .exclude(jurisdiction_id=OuterRef("jurisdiction_id"))
        .annotate(lower_path=ExpressionWrapper(OuterRef("jurisdiction__path"), CharField()))
        .filter(lower_path__startswith=F("jurisdiction__path"))
    )
    entries = list(order_by_path(in_force.filter(Exists(above))))
    if not entries:
        return []
    partners: dict[tuple[str, str], list[Entry]] = {}
    for other in cancelled.filter(basic_code__in={e.basic_code for e in entries}).select_related(
        "jurisdiction", "department"
    ):
        partners.setdefault((other.list_kind, other.basic_code), []).append(other)
    found = []
    for entry in entries:
        ancestors = [
            other
            for other in partners.get((entry.list_kind, entry.basic_code), [])
            if other.jurisdiction_id != entry.jurisdiction_id
            and entry.jurisdiction.is_within(other.jurisdiction)
        ]
        if ancestors:  # else cancelled again between the two queries' snapshots
            # The nearest level above is the one whose cancellation the lower level follows.
            nearest = max(ancestors, key=lambda other: len(other.jurisdiction.path))
            found.append(CancelledAbove(entry=entry, cancelled=nearest))
    return found


def _held_twice(user, in_force: QuerySet) -> list[HeldTwice]:
    elsewhere = (
        restrict(Entry.objects.all(), user, CONSISTENCY)
        .filter(
            status=EntryStatus.IN_FORCE,
            jurisdiction_id=OuterRef("jurisdiction_id"),
            list_kind=OuterRef("list_kind"),
            basic_code=OuterRef("basic_code"),
        )
        .exclude(department_id=OuterRef("department_id"))
    )
    rows = in_force.filter(Exists(elsewhere)).order_by(
        "jurisdiction__path", "list_kind", "basic_code", "department__name", "id"
    )
    groups: dict[tuple[int, str, str], list[Entry]] = {}
    for entry in rows:
        groups.setdefault((entry.jurisdiction_id, entry.list_kind, entry.basic_code), []).append(
            entry
        )
    return [
        HeldTwice(
            jurisdiction=entries[0].jurisdiction,
            list_kind=list_kind,
            basic_code=basic_code,
            entries=entries,
        )
        for (_jurisdiction, list_kind, basic_code), entries in groups.items()
    ]


def order_by_path(queryset: QuerySet) -> QuerySet:
    return queryset.order_by(*REGISTER_ORDER)
