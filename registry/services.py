"""Writes of the register. The published state (`Entry`) changes only in `entries_publish`;
drafts, the import and (issue 4) the adjustment workflow all go through it, so every version
has a history row that says why it exists."""

import datetime
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.calendar import SHANGHAI
from core.choices import AuditAction
from core.models import Department, Jurisdiction, User
from core.permissions import Action
from core.services import DomainError, audit_record, audit_records, permission_require

from .choices import LIST_CODE, ChangeSource, DraftState, EntryStatus, LawStatus, ListKind
from .models import (
    EDITABLE_FIELDS,
    FIELDS_BY_KIND,
    Category,
    Citation,
    Draft,
    Entry,
    InForceCount,
    InForceTotal,
    Law,
    Provision,
    PublicationState,
    sort_key,
)
from .search import entry_vector, normalise
from .signals import law_status_changed, repealed_basis_published

# Foreign keys a payload carries as primary keys.
_FOREIGN_KEYS = {"category": Category, "parent": Entry, "merged_into": Entry}


class EntryInvalid(DomainError):
    """The proposed values break SPEC §3 rules: `errors` maps field name to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(_("The entry has errors: %(fields)s") % {"fields": ", ".join(errors)})


def entry_payload(entry: Entry) -> dict:
    """An entry's editable values as JSON (foreign keys as ids): what a draft holds."""
    payload = {}
    for name in FIELDS_BY_KIND[entry.list_kind]:
        if name in _FOREIGN_KEYS:
            payload[name] = getattr(entry, f"{name}_id")
        else:
            payload[name] = getattr(entry, name)
    return payload


def _apply_payload(entry: Entry, payload: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    allowed = set(FIELDS_BY_KIND.get(entry.list_kind, ()))
    for name, value in payload.items():
        if name not in allowed:
            errors.setdefault(name, []).append(_("This list does not use this field."))
            continue
        if name in _FOREIGN_KEYS:
            setattr(entry, f"{name}_id", value or None)
        else:
            setattr(entry, name, value)
    for name in set(EDITABLE_FIELDS) - allowed:
        # A field another list uses is reset, so a copied payload cannot smuggle values in.
        model_field = Entry._meta.get_field(name)
        setattr(entry, model_field.attname, model_field.get_default())
    return errors


def entry_build(
    *,
    list_kind: str,
    jurisdiction: Jurisdiction,
    department: Department,
    payload: dict,
    entry: Entry | None = None,
    lookups: "Lookups | None" = None,
) -> Entry:
    """An unsaved Entry with `payload` applied and every rule of SPEC §3 checked; raises
    EntryInvalid with per-field messages. Drafts, the import and publication share it.
    `lookups`: the rows a payload may reference, loaded once for many calls (the import's
    dry run), so a call asks no query of its own for them."""
    if entry is None:
        entry = Entry(list_kind=list_kind, jurisdiction=jurisdiction, department=department)
    else:
        entry = Entry.objects.get(pk=entry.pk)
    errors = _apply_payload(entry, payload)
    for name, model in _FOREIGN_KEYS.items():
        pk = getattr(entry, f"{name}_id")
        if pk is None:
            continue
        if lookups is not None:
            exists = pk in (lookups.categories if name == "category" else lookups.entries)
        else:
            exists = model.objects.filter(pk=pk).exists()
        if not exists:
            errors.setdefault(name, []).append(_("No such record."))
            setattr(entry, f"{name}_id", None)
    if lookups is not None and entry.category_id is not None:
        entry.category = lookups.categories[entry.category_id]
    if department.jurisdiction_id != jurisdiction.pk:
        errors.setdefault("department", []).append(
            _("The department belongs to another jurisdiction.")
        )
    basis = entry.basis if isinstance(entry.basis, list) else []
    cited = [p for p in basis if isinstance(p, int)]
    if lookups is not None:
        known = lookups.provisions.intersection(cited)
    else:
        known = set(Provision.objects.filter(pk__in=cited).values_list("pk", flat=True))
    if any(isinstance(p, int) and p not in known for p in basis):
        errors.setdefault("basis", []).append(_("A cited provision is not in the law register."))
    try:
        # The code and the uniqueness of a basic code are checked by entries_publish, which
        # sees every change of one publication together.
        # With lookups the foreign keys were checked above; their own validation would ask
        # the database once per key, so only "required" is checked here for them.
        exclude = ["code", *(_LOOKED_UP if lookups is not None else ())]
        entry.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if lookups is not None:
        for name in _LOOKED_UP:
            model_field = Entry._meta.get_field(name)
            if getattr(entry, model_field.attname) is None and not model_field.null:
                errors.setdefault(name, []).append(str(model_field.error_messages["null"]))
    if errors:
        raise EntryInvalid({name: [str(m) for m in messages] for name, messages in errors.items()})
    return entry


_LOOKED_UP = ("category", "parent", "merged_into", "jurisdiction", "department")


@dataclass
class Lookups:
    """What many entry_build calls may reference, loaded once: categories by id, the ids of
    entries (main items, merge targets) and of provisions known to exist."""

    categories: dict[int, Category]
    entries: set[int]
    provisions: set[int]


def _implementation_code(entry: Entry) -> str:
    # Fixed at creation (SPEC §3.1: stable for the item's whole life). The list part keeps a
    # power item and its approval item, which share a basic code, apart. A department with no
    # organisation code yet is identified by its number, which never changes either.
    department_code = entry.department.code or f"D{entry.department_id:05d}"
    list_code = LIST_CODE[entry.list_kind]
    return f"{entry.basic_code}-{list_code}-{entry.jurisdiction.code}-{department_code}"


def derived_fields(entry: Entry, provisions: dict[int, Provision]) -> None:
    """The columns registry.search and the register's order read, from the entry's values
    (issue 11 §3): written with every version, and again when a department is renamed."""
    basis = [entry.basis_note]
    basis += [f"{provisions[p].law.name} {provisions[p].article}" for p in entry.basis]
    parts = [entry.name, entry.code, entry.basic_code, entry.department.name, *basis]
    entry.search_text = normalise(" ".join(parts))
    # The name and department rank a match; the basis only finds it (core.search).
    entry.search_vector = entry_vector(
        name=entry.name, department=entry.department.name, basis=" ".join(basis)
    )
    entry.sort_key = sort_key(entry.jurisdiction.path, entry.department.name, entry.basic_code)


@dataclass
class EntryChange:
    """One entry's new published version: `entry` None for a new entry."""

    payload: dict
    list_kind: str = ""
    jurisdiction: Jurisdiction | None = None
    department: Department | None = None
    entry: Entry | None = None
    # A new entry whose payload entry_build has already checked (the import's dry run):
    # entries_publish then re-checks only what may have changed since, in bulk (the
    # referenced rows still exist, the codes are still free).
    checked: bool = False


def _checked_build(changes: list[EntryChange]) -> tuple[list[Entry], dict]:
    """The entries of checked changes, with one query per referenced model for the rows a
    payload names: a category, main item or provision deleted since the check is an error."""
    built = []
    for change in changes:
        entry = Entry(
            list_kind=change.list_kind,
            jurisdiction=change.jurisdiction,
            department=change.department,
        )
        _apply_payload(entry, change.payload)
        built.append(entry)
    errors: dict[int, dict[str, list[str]]] = {}
    for name, model in _FOREIGN_KEYS.items():
        wanted = {getattr(e, f"{name}_id") for e in built} - {None}
        found = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        for position, entry in enumerate(built):
            if getattr(entry, f"{name}_id") not in found | {None}:
                errors.setdefault(position, {}).setdefault(name, []).append(_("No such record."))
    cited = {p for entry in built for p in entry.basis}
    known = set(Provision.objects.filter(pk__in=cited).values_list("pk", flat=True))
    for position, entry in enumerate(built):
        if any(p not in known for p in entry.basis):
            errors.setdefault(position, {}).setdefault("basis", []).append(
                _("A cited provision is not in the law register.")
            )
    return built, errors


@dataclass
class PublishErrors(DomainError):
    """Which changes are invalid, by position: nothing was published."""

    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def __str__(self) -> str:
        return _("%(count)s of the entries have errors; nothing was published.") % {
            "count": len(self.errors)
        }


def _publish_permitted(actor: User | None, source: str, changes: list[EntryChange]) -> None:
    """Outside the adjustment workflow, which checks its own actors (issue 4), an existing
    entry needs CHANGE on that very entry; a new one ADD and the actor's jurisdiction scope,
    which core.permissions cannot test on a row that does not exist yet."""
    if actor is None or source == ChangeSource.ADJUSTMENT:
        return
    for change in changes:
        if change.entry is not None:
            permission_require(actor, Action.CHANGE, change.entry)
            continue
        permission_require(actor, Action.ADD, Entry)
        in_scope = actor.jurisdiction is not None and change.jurisdiction.is_within(
            actor.jurisdiction
        )
        if not (in_scope or actor.is_superuser):
            raise DomainError(_("You may not publish entries of this jurisdiction."))


@transaction.atomic
def entries_publish(
    *,
    actor: User | None,
    changes: list[EntryChange],
    source: ChangeSource,
    reference: str = "",
    reason: str = "",
    at: datetime.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Entry]:
    """SPEC §3.3 and §4 "publishing is atomic": every entry of `changes` gets its new version
    at the same moment with a history row naming the cause, or nothing changes.

    `progress` is told how many entries are saved so far (the import's progress page).

    `at` is for loading a register's earlier versions with the dates they were published on
    (an import of the paper record); it may not be in the future, nor before the entry's
    current version.

    Existing entries are locked first (select_for_update) so two publications of the same
    entry are serialised and version numbers never repeat."""
    _publish_permitted(actor, source, changes)
    locked = {
        e.pk: e
        for e in Entry.objects.select_for_update()
        .filter(pk__in=[c.entry.pk for c in changes if c.entry])
        .order_by("pk")
    }
    built: list[Entry | None] = [None] * len(changes)
    checked = [position for position, c in enumerate(changes) if c.checked and c.entry is None]
    entries, errors = _checked_build([changes[position] for position in checked])
    errors = {checked[index]: found for index, found in errors.items()}
    for position, entry in zip(checked, entries, strict=True):
        built[position] = entry
    for position, change in enumerate(changes):
        if built[position] is not None:
            continue
        current = locked.get(change.entry.pk) if change.entry else None
        try:
            built[position] = entry_build(
                list_kind=current.list_kind if current else change.list_kind,
                jurisdiction=current.jurisdiction if current else change.jurisdiction,
                department=current.department if current else change.department,
                payload=change.payload,
                entry=current,
            )
        except EntryInvalid as invalid:
            errors[position] = invalid.errors
    if errors:
        raise PublishErrors(errors=errors)
    provision_ids = {p for entry in built for p in entry.basis}
    provisions = Provision.objects.select_related("law").in_bulk(provision_ids)
    now = timezone.now()
    if at is not None:
        if at > now or any(e.published_at and e.published_at > at for e in built):
            raise DomainError(
                _("A version cannot be dated before the current one or later than now.")
            )
        now = at
    for entry in built:
        if entry.pk is None:
            entry.code = _implementation_code(entry)
    # A department holds a basic code once in each list (the code is made of them).
    new = [entry for entry in built if entry.pk is None]
    new_codes = Counter(entry.code for entry in new)
    new_keys = Counter((e.department_id, e.list_kind, e.basic_code) for e in new)
    taken_codes = set(Entry.objects.filter(code__in=list(new_codes)).values_list("code", flat=True))
    taken_keys = set(
        Entry.objects.filter(basic_code__in={e.basic_code for e in new}).values_list(
            "department_id", "list_kind", "basic_code"
        )
    )
    duplicate = _("This department already has an entry of this list with this basic code.")
    clashes = {
        position: {"basic_code": [duplicate]}
        for position, entry in enumerate(built)
        if entry.pk is None
        and (
            entry.code in taken_codes
            or new_codes[entry.code] > 1
            or (key := (entry.department_id, entry.list_kind, entry.basic_code)) in taken_keys
            or new_keys[key] > 1
        )
    }
    if clashes:
        raise PublishErrors(errors=clashes)
    bulk = set(checked)
    for position, entry in enumerate(built):
        entry.version += 1
        entry.published_at = now
        derived_fields(entry, provisions)
        if position in bulk:
            continue
        created = entry.pk is None
        entry._history_date = now
        entry._change_reason = reason
        entry._change_source = source
        entry._change_reference = reference
        try:
            # A concurrent publication may have taken the code since the check above.
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            raise PublishErrors(errors={position: {"basic_code": [duplicate]}}) from None
        if not created:
            Citation.objects.filter(entry=entry).delete()
        Citation.objects.bulk_create(
            [
                Citation(entry=entry, provision_id=p, law_id=provisions[p].law_id)
                for p in dict.fromkeys(entry.basis)
            ]
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=entry,
            detail={"version": entry.version, "source": str(source), "reference": reference},
        )
        if progress is not None:
            progress(position + 1)
    if checked:
        _publish_new_in_bulk(
            actor=actor,
            entries=[built[position] for position in checked],
            positions=checked,
            provisions=provisions,
            source=source,
            reference=reference,
            reason=reason,
            at=now,
            progress=progress,
            done=len(built) - len(checked),
        )
    _in_force_counts_apply(before=list(locked.values()), after=built)
    _repealed_basis_announce(actor=actor, entries=built, provisions=provisions, at=now)
    publication_advance(actor=actor)
    return built


def _in_force_counts_apply(*, before: list[Entry], after: list[Entry]) -> None:
    """Keeps InForceCount and InForceTotal true within the publication's transaction: minus
    one where an entry was in force before, plus one where it is now; for a jurisdiction's
    subtree, in it and in every jurisdiction above it."""
    counts: Counter = Counter()
    totals: Counter = Counter()
    for sign, entries in ((-1, before), (1, after)):
        for entry in entries:
            if entry.status == EntryStatus.IN_FORCE:
                counts[(entry.jurisdiction_id, entry.department_id, entry.category_id)] += sign
                totals[(entry.jurisdiction_id, entry.list_kind)] += sign
    _counts_add(InForceCount, ("jurisdiction_id", "department_id", "category_id"), 1, counts)
    in_force_totals_add(totals)


def in_force_totals_add(totals: Mapping[tuple[int, str], int]) -> None:
    """Adds entries in force ((jurisdiction id, list) → how many more) to InForceTotal: to the
    jurisdiction's own count and to the subtree of it and of every jurisdiction above it.
    Also the generator's (registry.scale), for the entries it loads."""
    above = _jurisdictions_above({jurisdiction for jurisdiction, _kind in totals})
    rows: dict[tuple, list[int]] = {}
    for (jurisdiction, kind), delta in totals.items():
        rows.setdefault((jurisdiction, kind), [0, 0])[0] += delta
        for ancestor in above[jurisdiction]:
            rows.setdefault((ancestor, kind), [0, 0])[1] += delta
    _counts_add(
        InForceTotal,
        ("jurisdiction_id", "list_kind"),
        0,
        {key: tuple(deltas) for key, deltas in rows.items()},
        counted=("count", "subtree"),
    )


def _jurisdictions_above(ids: set[int]) -> dict[int, list[int]]:
    """Each jurisdiction's id with those of the jurisdictions above it (its path holds their
    codes): two queries."""
    paths = dict(Jurisdiction.objects.filter(pk__in=ids).values_list("pk", "path"))
    codes = {code for path in paths.values() for code in path.strip("/").split("/")}
    by_code = dict(Jurisdiction.objects.filter(code__in=codes).values_list("code", "pk"))
    return {
        pk: [by_code[code] for code in path.strip("/").split("/") if code in by_code]
        for pk, path in paths.items()
    }


def _counts_add(
    model,
    columns: tuple[str, ...],
    unique_from: int,
    change: Mapping,
    counted: tuple[str, ...] = ("count",),
) -> None:
    """Adds `change` (key columns → difference, or a tuple of differences, one per column of
    `counted`) to the counts of `model`'s rows, creating the missing ones: one upsert that adds
    to the stored counts, so concurrent publications of one department add up. The key
    columns from `unique_from` on are the unique ones."""
    rows = []
    for key, delta in change.items():
        deltas = delta if isinstance(delta, tuple) else (delta,)
        if any(deltas):
            rows.append((*key, *deltas))
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    width = len(columns) + len(counted)
    values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
    added = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in counted)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join((*columns, *counted))}) VALUES {values} "
            f"ON CONFLICT ({', '.join(columns[unique_from:])}) DO UPDATE SET {added}",
            [value for row in rows for value in row],
        )


BULK_BATCH = 500


@transaction.atomic
def department_entries_rederive(*, actor: User | None, department: Department) -> int:
    """A department renamed (core's department_renamed): its entries' order and search columns
    carry its name, so they are written again, and the published state moves on (the public
    pages and exports show the new name at once). Derived columns, not a new version: no
    history row, as simple-history's bulk_update writes none. Returns how many entries."""
    entries = list(
        Entry.objects.select_for_update()
        .filter(department=department)
        .select_related("jurisdiction", "department")
        .order_by("pk")
    )
    provisions = Provision.objects.select_related("law").in_bulk(
        {p for entry in entries for p in entry.basis}
    )
    for entry in entries:
        derived_fields(entry, provisions)
    Entry.objects.bulk_update(
        entries, ["sort_key", "search_text", "search_vector"], batch_size=BULK_BATCH
    )
    publication_advance(actor=actor)
    return len(entries)


def _publish_new_in_bulk(
    *,
    actor,
    entries: list[Entry],
    positions: list[int],
    provisions: dict,
    source,
    reference: str,
    reason: str,
    at: datetime.datetime,
    progress: Callable[[int], None] | None,
    done: int,
) -> None:
    """The new entries of checked changes (the import), saved in batches: the same rows as
    one save each (the entry, its history row with the cause, its citations, its audit row)
    in a few statements, so 10,000 rows publish within seconds (issue 10 §2)."""
    duplicate = _("This department already has an entry of this list with this basic code.")
    for start in range(0, len(entries), BULK_BATCH):
        batch = entries[start : start + BULK_BATCH]
        try:
            # A concurrent publication may have taken a code since the check.
            with transaction.atomic():
                bulk_create_with_history(
                    batch,
                    Entry,
                    batch_size=BULK_BATCH,
                    # The worker has no request: the history row names the importer itself.
                    default_user=actor,
                    default_change_reason=reason,
                    default_date=at,
                    custom_historical_attrs={
                        "change_source": source,
                        "change_reference": reference,
                    },
                )
        except IntegrityError:
            taken = set(
                Entry.objects.filter(code__in=[e.code for e in batch]).values_list(
                    "code", flat=True
                )
            )
            raise PublishErrors(
                errors={
                    positions[start + index]: {"basic_code": [duplicate]}
                    for index, entry in enumerate(batch)
                    if entry.code in taken
                }
                or {positions[start]: {"basic_code": [duplicate]}}
            ) from None
        Citation.objects.bulk_create(
            [
                Citation(entry=entry, provision_id=p, law_id=provisions[p].law_id)
                for entry in batch
                for p in dict.fromkeys(entry.basis)
            ],
            batch_size=1000,
        )
        audit_records(
            actor=actor,
            action=AuditAction.CREATE,
            objects=batch,
            detail={"version": 1, "source": str(source), "reference": reference},
        )
        if progress is not None:
            progress(done + start + len(batch))


@transaction.atomic
def publication_advance(*, actor: User | None) -> PublicationState:
    """Issue 10 §3: the register's published state moves on (registry.exports names its
    cached files by it). Called inside the transaction of every service that changes what the
    public sees, and by loaders that write the register in bulk. The row is locked, so
    concurrent publications take consecutive numbers and a reader sees a number only once the
    rows it stands for are committed."""
    state, _created = PublicationState.objects.select_for_update().get_or_create(
        pk=PublicationState.SINGLETON,
        defaults={"token": uuid.uuid4().hex, "changed_at": timezone.now()},
    )
    state.sequence += 1
    state.token = uuid.uuid4().hex
    state.changed_at = timezone.now()
    state.save(update_fields=["sequence", "token", "changed_at"])
    return state


def _repealed_basis_announce(
    *, actor: User | None, entries: list[Entry], provisions: dict, at: datetime.datetime
) -> None:
    """Issue 9 §9: entries published in force on a law repealed by then are announced, law by
    law, so the adjustments app opens (or extends) the law-change obligation; law_status_set
    covers only entries published before the repeal. A version dated before the repeal (a
    register loaded with its past) is not: the periodic sweep of the workflow covers it."""
    day = timezone.localdate(at, timezone=SHANGHAI)
    by_law: dict[int, tuple[Law, list[Entry]]] = {}
    for entry in entries:
        if entry.status != EntryStatus.IN_FORCE:
            continue
        for provision_id in dict.fromkeys(entry.basis):
            law = provisions[provision_id].law
            if law.status == LawStatus.REPEALED and law.status_date and law.status_date <= day:
                cited = by_law.setdefault(law.pk, (law, []))[1]
                if entry not in cited:
                    cited.append(entry)
    for law, cited in by_law.values():
        repealed_basis_published.send(sender=Law, law=law, entries=cited, actor=actor)


# --- drafts -------------------------------------------------------------------------------


@transaction.atomic
def draft_create(
    *, actor: User, list_kind: str = "", payload: dict | None = None, entry: Entry | None = None
) -> Draft:
    """Issue 3 §5: a department clerk keeps draft versions of their own department's entries.
    A draft of a published entry starts from its current values."""
    permission_require(actor, Action.ADD, Draft)
    if actor.department_id is None:
        raise DomainError(_("Only a member of a department keeps drafts."))
    if entry is not None:
        # As it stands now: the draft's base version must be the published one, not that of
        # an instance read before a newer version was published.
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if entry.department_id != actor.department_id:
            raise DomainError(_("You may only draft your own department's entries."))
        if Draft.objects.filter(
            entry=entry, state__in=[DraftState.OPEN, DraftState.SUBMITTED]
        ).exists():
            raise DomainError(_("This entry already has a draft; edit that one."))
        list_kind = entry.list_kind
        payload = entry_payload(entry) if payload is None else payload
    payload = payload or {}
    entry_build(
        list_kind=list_kind,
        jurisdiction=actor.department.jurisdiction,
        department=actor.department,
        payload=payload,
        entry=entry,
    )
    draft = Draft.objects.create(
        entry=entry,
        list_kind=list_kind,
        jurisdiction=actor.department.jurisdiction,
        department=actor.department,
        payload=payload,
        base_version=entry.version if entry else 0,
        created_by=actor,
        updated_by=actor,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=draft)
    return draft


@transaction.atomic
def draft_save(*, actor: User, draft: Draft, payload: dict) -> Draft:
    """Issue 3 §5: edit a draft; the published entry is not touched."""
    draft = Draft.objects.select_for_update().get(pk=draft.pk)
    permission_require(actor, Action.CHANGE, draft)
    if draft.state != DraftState.OPEN:
        raise DomainError(_("This draft is in an adjustment request and cannot be edited."))
    entry_build(
        list_kind=draft.list_kind,
        jurisdiction=draft.jurisdiction,
        department=draft.department,
        payload=payload,
        entry=draft.entry,
    )
    before = draft.payload
    if "basis" in payload:
        payload = {**payload, "basis": _basis_order(before.get("basis"), payload["basis"])}
    draft.payload = payload
    draft.updated_by = actor
    draft.save(update_fields=["payload", "updated_by", "updated_at"])
    changed = sorted(k for k in set(before) | set(payload) if before.get(k) != payload.get(k))
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=draft, detail={"fields": changed})
    return draft


def _basis_order(before, after):
    """A form's multiple select sends the chosen provisions in the order of its options, not
    the order they are cited in: provisions already cited keep their place, new ones follow,
    so re-saving a draft never shows up as a change of its basis."""
    if not isinstance(before, list) or not isinstance(after, list):
        return after
    kept = [p for p in before if p in after]
    return kept + [p for p in after if p not in kept]


@transaction.atomic
def draft_discard(*, actor: User, draft: Draft) -> Draft:
    draft = Draft.objects.select_for_update().get(pk=draft.pk)
    permission_require(actor, Action.CHANGE, draft)
    if draft.state != DraftState.OPEN:
        raise DomainError(_("Only an open draft can be discarded."))
    draft.state = DraftState.DISCARDED
    draft.updated_by = actor
    draft.save(update_fields=["state", "updated_by", "updated_at"])
    audit_record(actor=actor, action=AuditAction.DELETE, obj=draft)
    return draft


def entry_preview(draft: Draft) -> Entry:
    """The version a draft proposes, as an unsaved Entry (for the diff against the published
    one); unlike entry_build it checks nothing and reads nothing."""
    if draft.entry_id:
        entry = Entry(**{f.attname: getattr(draft.entry, f.attname) for f in Entry._meta.fields})
    else:
        entry = Entry(
            list_kind=draft.list_kind,
            jurisdiction_id=draft.jurisdiction_id,
            department_id=draft.department_id,
        )
    _apply_payload(entry, draft.payload)
    return entry


@transaction.atomic
def drafts_workflow_set(
    *,
    actor: User | None,
    drafts: Iterable[Draft],
    state: DraftState,
    reference: str,
    entries: dict[int, Entry] | None = None,
) -> list[Draft]:
    """Issue 4 §1, §3: the adjustment workflow moves the drafts of a request: submitted with
    it (no longer editable), open again when it is returned, rejected or withdrawn, published
    when it is (a new entry's draft then points at the entry it became, `entries` by draft
    id). The workflow has checked its actor for the transition; this records who."""
    state = DraftState(state)
    changed = []
    for draft in Draft.objects.select_for_update().filter(pk__in=[d.pk for d in drafts]):
        if draft.state == DraftState.DISCARDED:
            raise DomainError(
                _("The draft “%(draft)s” was discarded; remove it from the request.")
                % {"draft": draft}
            )
        fields = ["state", "updated_at"]
        draft.state = state
        if actor is not None:
            draft.updated_by = actor
            fields.append("updated_by")
        if entries and draft.pk in entries and draft.entry_id is None:
            draft.entry = entries[draft.pk]
            fields.append("entry")
        draft.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=draft,
            detail={"state": str(state), "reference": reference},
        )
        changed.append(draft)
    return changed


# --- the Excel import (issue 3 §5) --------------------------------------------------------


@transaction.atomic
def entries_import(
    *,
    actor: User,
    changes: list[EntryChange],
    parents: dict[int, int],
    file_name: str,
    progress: Callable[[int], None] | None = None,
) -> list[Entry]:
    """Issue 3 §5: an administrator loads a register from the Excel template; every row is
    published with a history row of source "import", or nothing is.

    `parents` maps the position of a sub-item to the position of its main item when both
    are new in the same file: main items are published first, then their sub-items point at
    them. Both steps share one moment, reference and transaction. `progress` is told how many
    entries of the file are saved so far."""
    moment = timezone.now()
    reference = f"import-{moment:%Y%m%d%H%M%S}"
    reason = _("Import of %(file)s") % {"file": file_name}
    first = [position for position in range(len(changes)) if position not in parents]
    second = [position for position in range(len(changes)) if position in parents]
    published: dict[int, Entry] = {}
    for positions in (first, second):
        done = len(published)
        step_progress = (lambda saved, done=done: progress(done + saved)) if progress else None
        batch = []
        for position in positions:
            change = changes[position]
            if position in parents:
                main = published[parents[position]]
                change = replace(change, payload={**change.payload, "parent": main.pk})
            batch.append(change)
        try:
            entries = entries_publish(
                actor=actor,
                changes=batch,
                source=ChangeSource.IMPORT,
                reference=reference,
                reason=reason,
                at=moment,
                progress=step_progress,
            )
        except PublishErrors as failed:
            # Positions in this step's batch back to positions in the file's changes.
            raise PublishErrors(
                errors={positions[index]: errors for index, errors in failed.errors.items()}
            ) from failed
        published.update(zip(positions, entries, strict=True))
    return [published[position] for position in range(len(changes))]


@transaction.atomic
def drafts_import(
    *, actor: User, rows: list[tuple[str, dict]], checked: bool = False
) -> list[Draft]:
    """Issue 3 §5: a department clerk's import makes a draft of a new entry of their own
    department for each (list, payload) row; all of them or none. Drafts reach the public list
    only through an adjustment request. `checked`: the rows passed the import's dry run, so
    only the rows they reference are looked up again (in bulk), not every rule per row."""
    if not checked:
        drafts, errors = [], {}
        for position, (kind, payload) in enumerate(rows):
            try:
                drafts.append(draft_create(actor=actor, list_kind=kind, payload=payload))
            except EntryInvalid as invalid:
                errors[position] = invalid.errors
        if errors:
            raise PublishErrors(errors=errors)
        return drafts
    permission_require(actor, Action.ADD, Draft)
    department = actor.department
    if department is None:
        raise DomainError(_("Only a member of a department keeps drafts."))
    _built, errors = _checked_build(
        [
            EntryChange(
                payload=payload,
                list_kind=kind,
                jurisdiction=department.jurisdiction,
                department=department,
            )
            for kind, payload in rows
        ]
    )
    if errors:
        raise PublishErrors(errors=errors)
    drafts = []
    for kind, payload in rows:
        draft = Draft.objects.create(
            list_kind=kind,
            jurisdiction=department.jurisdiction,
            department=department,
            payload=payload,
            created_by=actor,
            updated_by=actor,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=draft)
        drafts.append(draft)
    return drafts


# --- the law register ---------------------------------------------------------------------

LAW_FIELDS = ("name", "level", "issuing_body", "document_number", "effective_date")


@transaction.atomic
def law_save(*, actor: User | None, law: Law | None = None, reason: str = "", **values) -> Law:
    """Issue 3 §2: keep the law register. A change of status goes through law_status_set."""
    permission_require(actor, Action.CHANGE if law else Action.ADD, law or Law)
    unknown = set(values) - set(LAW_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    created = law is None
    law = Law() if created else Law.objects.select_for_update().get(pk=law.pk)
    for name, value in values.items():
        setattr(law, name, value)
    law.full_clean()
    law._change_reason = reason
    law.save()
    audit_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=law)
    # Exports show a cited provision by its law's name.
    publication_advance(actor=actor)
    return law


@transaction.atomic
def law_status_set(*, actor: User | None, law: Law, status: LawStatus, on, reason: str = "") -> Law:
    """Issue 3 §2 and issue 4 §6: a law is amended or repealed on a date. The adjustment
    obligations of the items citing it are opened by the adjustments app, which listens to
    signals.law_status_changed (sent in this transaction)."""
    permission_require(actor, Action.CHANGE, law)
    law = Law.objects.select_for_update().get(pk=law.pk)
    before = law.status
    law.status = status
    law.status_date = on if status != LawStatus.IN_FORCE else None
    law.full_clean()
    law._change_reason = reason
    law.save(update_fields=["status", "status_date"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=law,
        detail={"status": [before, str(status)], "date": str(on)},
    )
    if law.status != LawStatus.IN_FORCE:
        law_status_changed.send(sender=Law, law=law, status=law.status, on=on, actor=actor)
    return law


@transaction.atomic
def provisions_save(
    *, actor: User | None, law: Law, provisions: Iterable[tuple[str, str]]
) -> list[Provision]:
    """Add or update a law's provisions (article number, text), in the given order."""
    permission_require(actor, Action.CHANGE, law)
    saved = []
    for order, (article, text) in enumerate(provisions):
        provision = Provision.objects.filter(law=law, article=article).first() or Provision(
            law=law, article=article
        )
        if provision.text != text or provision.order != order or provision.pk is None:
            provision.text = text
            provision.order = order
            provision.full_clean()
            provision.save()
        saved.append(provision)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=law, detail={"provisions": len(saved)})
    publication_advance(actor=actor)
    return saved


@transaction.atomic
def category_ensure(
    *, actor: User | None, list_kind: str, code: str, name: str, order: int
) -> Category:
    """The categories of each list (seed 002 第二条 for power items) are data: creates the
    category unless one with this code exists."""
    category = Category.objects.filter(list_kind=list_kind, code=code).first()
    if category is not None:
        return category
    return category_save(actor=actor, list_kind=list_kind, code=code, name=name, order=order)


@transaction.atomic
def category_save(
    *,
    actor: User | None,
    list_kind: str,
    code: str,
    name: str,
    order: int,
    category: Category | None = None,
) -> Category:
    """Add a category or rename/reorder one; list and code never change (they are part of
    every basic code issued under the category)."""
    permission_require(actor, Action.CHANGE if category else Action.ADD, category or Category)
    created = category is None
    if created:
        category = Category(list_kind=list_kind, code=code)
    else:
        category = Category.objects.select_for_update().get(pk=category.pk)
    category.name = name
    category.order = order
    category.full_clean()
    category.save()
    audit_record(
        actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=category
    )
    # Exports show an entry's category by its name.
    publication_advance(actor=actor)
    return category


# The categories every register starts with; migration registry 0003 holds the same table for
# existing databases. Power and approval lists share the eleven of seed 002 第二条 and their
# codes, so an approval item and its power item have the same basic code.
_POWER_CATEGORIES = (
    "行政许可",
    "行政处罚",
    "行政征收",
    "行政给付",
    "行政奖励",
    "行政强制",
    "行政确认",
    "行政裁决",
    "行政检查",
    "基本公共服务",
    "其他行政权力",
)
DEFAULT_CATEGORIES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    (ListKind.POWER, 1, _POWER_CATEGORIES),
    (ListKind.APPROVAL, 1, _POWER_CATEGORIES),
    (
        ListKind.NEGATIVE,
        51,
        (
            "农业水利",
            "能源",
            "交通运输",
            "信息产业",
            "原材料",
            "机械制造",
            "轻工",
            "高新技术",
            "城建",
            "社会事业",
            "外商投资",
            "境外投资",
        ),
    ),
    (ListKind.FEE, 71, ("行政管理类", "资源补偿类", "鉴定类", "考试类", "培训类", "其他类")),
    (ListKind.FUND, 81, ("政府性基金",)),
)


def categories_seed(*, actor: User | None) -> int:
    """Ensures the default categories exist (tables flushed by live-server tests, a new
    database restored without data migrations). Returns how many were created."""
    before = Category.objects.count()
    order = 0
    for list_kind, first_code, names in DEFAULT_CATEGORIES:
        for offset, name in enumerate(names):
            category_ensure(
                actor=actor,
                list_kind=list_kind,
                code=f"{first_code + offset:02d}",
                name=name,
                order=order,
            )
            order += 1
    return Category.objects.count() - before
