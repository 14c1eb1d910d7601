"""The five lists (SPEC §3) in one design.

`Entry` holds the *published* state of every entry of every list: the public sees this table
and nothing else. Its django-simple-history rows are the published versions: each says when it
became public (`history_date`), why (`change_source`, `change_reference`, the change reason)
and which version number it is. A clerk's work in progress lives in `Draft`, a separate table
that no public read ever touches; a draft reaches `Entry` only through `entries_publish`, the
one mechanism the import, corrections and (issue 4) the adjustment workflow all call.

Which fields an entry of each list carries is data (`FIELDS_BY_KIND`), so pages, the import
template, exports and diffs are built from one declaration.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import JurisdictionLevel
from core.querysets import RestrictedQuerySet
from core.search import SearchVectorField

from .choices import (
    ChangeSource,
    DraftState,
    EntryStatus,
    ImportJobState,
    LawLevel,
    LawStatus,
    ListKind,
    ResponsibilityStage,
    RiskLevel,
    StarLevel,
)


class Category(models.Model):
    """A category of a list: the eleven power categories of seed 002 第二条, the industries of
    the negative list, the kinds of fees. Data, not code (seed 001 uses four, the white paper
    twelve)."""

    list_kind = models.CharField(_("list"), max_length=16, choices=ListKind.choices)
    code = models.CharField(
        _("category code"),
        max_length=2,
        validators=[RegexValidator(r"^\d{2}$", _("A category code is two digits."))],
    )
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["list_kind", "order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["list_kind", "code"], name="category_unique_code"),
            models.UniqueConstraint(fields=["list_kind", "name"], name="category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Law(models.Model):
    """A law, regulation or rule of the law register (issue 3 §2). A change of status is what
    starts an adjustment obligation for the items that cite it (issue 4 §6)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    level = models.CharField(_("level"), max_length=32, choices=LawLevel.choices)
    issuing_body = models.CharField(_("issuing body"), max_length=100)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    effective_date = models.DateField(_("effective date"))
    status = models.CharField(
        _("status"), max_length=16, choices=LawStatus.choices, default=LawStatus.IN_FORCE
    )
    status_date = models.DateField(
        _("date of amendment or repeal"),
        null=True,
        blank=True,
        help_text=_("Required when the law is amended or repealed."),
    )

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("law")
        verbose_name_plural = _("laws")

    def __str__(self) -> str:
        return self.name

    @property
    def is_in_force(self) -> bool:
        return self.status == LawStatus.IN_FORCE

    def clean(self) -> None:
        if self.status != LawStatus.IN_FORCE and self.status_date is None:
            raise ValidationError(
                {"status_date": _("Give the date on which the law was amended or repealed.")}
            )
        if self.status_date and self.effective_date and self.status_date < self.effective_date:
            raise ValidationError(
                {"status_date": _("The law cannot change before it took effect.")}
            )


class Provision(models.Model):
    law = models.ForeignKey(
        Law, verbose_name=_("law"), on_delete=models.PROTECT, related_name="provisions"
    )
    article = models.CharField(_("article"), max_length=50, help_text=_("For example 第十二条"))
    text = models.TextField(_("text"))
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["law", "order", "pk"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.UniqueConstraint(fields=["law", "article"], name="provision_unique_article"),
        ]

    def __str__(self) -> str:
        return f"《{self.law.name}》{self.article}"


class PublishedVersion(models.Model):
    """Added to every history row of a list entry: why this published version exists, and
    until when it was the published one (issue 11 §4): a version is in force from its
    `history_date` until `valid_until` (the next version's moment; open while it is the
    current one), so "the list as it stood on a date" is an indexed range read."""

    valid_until = models.DateTimeField(_("in force until"), null=True, blank=True, editable=False)

    change_source = models.CharField(
        _("cause of change"), max_length=16, choices=ChangeSource.choices, blank=True
    )
    change_reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("The adjustment request or import batch that caused this version."),
    )

    class Meta:
        abstract = True


BASIC_CODE = re.compile(r"^\d{10}$")


class Entry(models.Model):
    """One published entry of one of the five lists. The fields a list uses are declared in
    FIELDS_BY_KIND; the others stay empty (clean() refuses values in them).

    Codes (docs/architecture.md, modelled on GB/T 39554.1-2020): the *basic code* is the same
    power at every level: category code (2) + main item (5) + sub-item (3, 000 for a main
    item). The *implementation code* adds which list and where and by whom it is exercised:
    basic code, list code (choices.LIST_CODE), jurisdiction division code and the implementing
    department's code. It is fixed when the entry is created and never changes; a department
    holds a basic code once in each list, so its power item and its approval item may share
    one."""

    list_kind = models.CharField(_("list"), max_length=16, choices=ListKind.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="entries"
    )
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("implementing body"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("main item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_items",
    )
    basic_code = models.CharField(
        _("basic code"),
        max_length=10,
        db_index=True,
        validators=[RegexValidator(BASIC_CODE, _("A basic code is ten digits."))],
    )
    code = models.CharField(_("implementation code"), max_length=64, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.IN_FORCE
    )
    delegated_to_level = models.CharField(
        _("delegated to level"), max_length=16, choices=JurisdictionLevel.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_items",
    )
    # Legal basis: provision ids, kept on the entry so every version carries its own basis;
    # Citation is the derived index "which entries cite this law" of the published state.
    basis = models.JSONField(_("legal basis"), default=list, blank=True)
    basis_note = models.TextField(
        _("other basis"), blank=True, help_text=_("Documents not in the law register.")
    )
    handling_unit = models.CharField(_("handling unit"), max_length=100, blank=True)
    entrusted_body = models.CharField(_("entrusted body"), max_length=100, blank=True)
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    responsible_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    flow = models.JSONField(_("flow"), default=list, blank=True)
    discretion = models.JSONField(_("discretion standard"), default=list, blank=True)
    statutory_limit_days = models.PositiveSmallIntegerField(
        _("statutory time limit (working days)"), null=True, blank=True
    )
    promised_limit_days = models.PositiveSmallIntegerField(
        _("promised time limit (working days)"), null=True, blank=True
    )
    extension_conditions = models.TextField(_("conditions for extension"), blank=True)
    star_level = models.PositiveSmallIntegerField(
        _("online star level"),
        choices=StarLevel.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    four_level_linked = models.BooleanField(_("four-level linked"), default=False)
    guide = models.TextField(_("service guide"), blank=True)
    materials = models.JSONField(_("application materials"), default=list, blank=True)
    window = models.CharField(_("service window"), max_length=100, blank=True)
    fee_note = models.CharField(_("fee"), max_length=200, blank=True)
    responsibilities = models.JSONField(_("responsibility items"), default=list, blank=True)
    approving_body = models.CharField(_("approving body"), max_length=100, blank=True)
    standard = models.CharField(_("standard"), max_length=200, blank=True)
    payers = models.CharField(_("payers"), max_length=200, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    period = models.CharField(_("period of collection"), max_length=100, blank=True)
    use = models.TextField(_("use of funds"), blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, editable=False)
    # Derived, written by registry.services with every version (issue 11 §3): the register's
    # order (jurisdiction path, department name, basic code) in one indexed column, so a page
    # of a list of a million entries is read from an index, not sorted; the plain text of the
    # name, codes, department and basis for substring search; and the search vector
    # (core.search) of the name and department (weight A) and the basis (weight D).
    sort_key = models.CharField(max_length=400, editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    search_vector = SearchVectorField(editable=False, default="")

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(
        bases=[PublishedVersion], excluded_fields=["search_vector"], cascade_delete_history=False
    )

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        indexes = [
            models.Index(fields=["list_kind", "jurisdiction", "department"]),
            models.Index(fields=["department", "category"]),
            models.Index(fields=["sort_key", "id"], name="entry_register_order"),
        ]
        constraints = [
            # The code is made of these (and the department's code, which may change later):
            # the rule itself is held here, not only through the code.
            models.UniqueConstraint(
                fields=["department", "list_kind", "basic_code"], name="entry_unique_basic_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_in_force(self) -> bool:
        return self.status == EntryStatus.IN_FORCE

    def clean(self) -> None:
        errors: dict[str, list] = {}
        _check_entry(self, errors)
        if errors:
            raise ValidationError(errors)


class InForceCount(models.Model):
    """Derived from the published state (issue 11): how many entries of a department and
    category are in force, kept by entries_publish in the transaction of each publication.
    Browsing the register and the front page's counts read these few thousand rows instead of
    counting a million entries."""

    jurisdiction = models.ForeignKey(
        "core.Jurisdiction", on_delete=models.PROTECT, related_name="in_force_counts"
    )
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="in_force_counts"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="in_force_counts")
    # Signed: an upsert's row carries the difference, which may be negative.
    count = models.IntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["department", "category"], name="in_force_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.category_id}: {self.count}"


class InForceTotal(models.Model):
    """InForceCount summed per jurisdiction and list, kept with it: `count` in the jurisdiction
    itself, `subtree` in it and every jurisdiction below it. The top of /browse/ and the front
    page read a few rows per jurisdiction they show (issue 11), never the whole tree."""

    jurisdiction = models.ForeignKey(
        "core.Jurisdiction", on_delete=models.PROTECT, related_name="in_force_totals"
    )
    list_kind = models.CharField(max_length=16, choices=ListKind.choices)
    # Signed: an upsert's row carries the difference, which may be negative.
    count = models.IntegerField(default=0)
    subtree = models.IntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "list_kind"], name="in_force_total_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.list_kind}: {self.count}"


class Citation(models.Model):
    """Derived index of the published state: entry → provision (and its law), rebuilt by
    entries_publish. "Which items cite this law" is one indexed join."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="citations")
    provision = models.ForeignKey(Provision, on_delete=models.PROTECT, related_name="citations")
    law = models.ForeignKey(Law, on_delete=models.PROTECT, related_name="citations")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "provision"], name="citation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.provision_id}"


class Draft(models.Model):
    """A department's proposed version of one entry (or of a new one): the field values as
    `payload`. Never public; becomes published only through the adjustment workflow."""

    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drafts",
    )
    list_kind = models.CharField(_("list"), max_length=16, choices=ListKind.choices)
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        "core.Department", verbose_name=_("department"), on_delete=models.PROTECT
    )
    payload = models.JSONField(_("proposed values"), default=dict)
    base_version = models.PositiveIntegerField(_("based on version"), default=0)
    state = models.CharField(
        _("state"), max_length=16, choices=DraftState.choices, default=DraftState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            # One draft at a time per published entry, so two clerks never overwrite each
            # other's proposal unknowingly.
            models.UniqueConstraint(
                fields=["entry"],
                condition=models.Q(state__in=["open", "submitted"]),
                name="draft_one_open_per_entry",
            ),
        ]

    def __str__(self) -> str:
        return str(self.payload.get("name") or _("New entry"))

    @property
    def is_editable(self) -> bool:
        return self.state == DraftState.OPEN


# --- which fields each list uses ---------------------------------------------------------

COMMON_FIELDS = (
    "category",
    "name",
    "parent",
    "basic_code",
    "status",
    "delegated_to_level",
    "merged_into",
    "basis",
    "basis_note",
)
CONTACT_FIELDS = ("handling_unit", "responsible_unit", "responsible_person", "responsible_phone")
SERVICE_FIELDS = (
    "statutory_limit_days",
    "promised_limit_days",
    "extension_conditions",
    "star_level",
    "four_level_linked",
    "guide",
    "materials",
    "window",
    "fee_note",
)

FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    ListKind.POWER: (
        *COMMON_FIELDS,
        "entrusted_body",
        *CONTACT_FIELDS,
        "flow",
        "discretion",
        *SERVICE_FIELDS,
        "responsibilities",
        "remarks",
    ),
    ListKind.APPROVAL: (
        *COMMON_FIELDS,
        *CONTACT_FIELDS,
        "flow",
        *SERVICE_FIELDS,
        "responsibilities",
        "remarks",
    ),
    ListKind.NEGATIVE: (*COMMON_FIELDS, "approving_body", "scope", *CONTACT_FIELDS, "remarks"),
    ListKind.FEE: (
        *COMMON_FIELDS,
        "standard",
        "payers",
        "scope",
        "period",
        *CONTACT_FIELDS,
        "remarks",
    ),
    ListKind.FUND: (*COMMON_FIELDS, "standard", "payers", "use", *CONTACT_FIELDS, "remarks"),
}

# Fields an entry of each list must fill in (beyond category, name and basic code).
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    ListKind.POWER: ("basis",),
    ListKind.APPROVAL: ("basis", "promised_limit_days"),
    ListKind.NEGATIVE: ("approving_body",),
    ListKind.FEE: ("basis", "standard", "payers"),
    ListKind.FUND: ("basis", "standard", "use"),
}

# The editable fields of any list; FIELDS_BY_KIND picks from these.
EDITABLE_FIELDS = tuple(dict.fromkeys(f for fields in FIELDS_BY_KIND.values() for f in fields))

# limit_days: the step's time limit in working days (seed 004 一(二)3: 各环节的办理时限和人员,
# with `post`, who does it).
FLOW_KEYS = (
    "step",
    "post",
    "description",
    "risk_point",
    "risk_level",
    "control_measure",
    "limit_days",
)
MAX_STEP_LIMIT_DAYS = 365
DISCRETION_KEYS = ("circumstance", "range")
RESPONSIBILITY_KEYS = ("stage", "duty", "circumstances", "basis")


def sort_key(jurisdiction_path: str, department_name: str, basic_code: str) -> str:
    """The register's order as one string: a space sorts before the characters of a path or
    a code, so a city's entries come before its districts' and "民政局" before "民政局二"."""
    return f"{jurisdiction_path} {department_name} {basic_code}"


def _empty(value) -> bool:
    return value in (None, "", [], {}) or value is False


def _rows_problem(rows, keys: tuple[str, ...], required: tuple[str, ...]) -> str | None:
    if not isinstance(rows, list):
        return str(_("Expected a list."))
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or set(row) - set(keys):
            return str(_("Row %(n)s has unknown parts.") % {"n": number})
        for key in required:
            if not str(row.get(key) or "").strip():
                return str(_("Row %(n)s is incomplete.") % {"n": number})
    return None


def _check_entry(entry: Entry, errors: dict[str, list]) -> None:
    """Rules of SPEC §3 that hold for every version of every entry."""
    kind = entry.list_kind
    if kind not in FIELDS_BY_KIND:
        errors.setdefault("list_kind", []).append(_("Unknown list."))
        return
    used = set(FIELDS_BY_KIND[kind])
    for name in EDITABLE_FIELDS:
        if name not in used and not _empty(getattr(entry, name)):
            errors.setdefault(name, []).append(_("This list does not use this field."))
    for name in REQUIRED_BY_KIND[kind]:
        if _empty(getattr(entry, name)):
            errors.setdefault(name, []).append(_("This field is required for this list."))
    if entry.category_id and entry.category.list_kind != kind:
        errors.setdefault("category", []).append(_("The category belongs to another list."))
    elif entry.category_id and entry.basic_code and entry.basic_code[:2] != entry.category.code:
        errors.setdefault("basic_code", []).append(
            _("A basic code starts with its category code %(code)s.")
            % {"code": entry.category.code}
        )
    if entry.parent_id:
        parent = entry.parent
        if parent.parent_id:
            errors.setdefault("parent", []).append(_("A sub-item cannot have sub-items."))
        if (parent.list_kind, parent.department_id) != (kind, entry.department_id):
            errors.setdefault("parent", []).append(
                _("The main item must be of the same list and department.")
            )
        elif entry.basic_code and entry.basic_code[:7] != parent.basic_code[:7]:
            errors.setdefault("basic_code", []).append(
                _("A sub-item's basic code starts with its main item's %(prefix)s.")
                % {"prefix": parent.basic_code[:7]}
            )
    if entry.status == EntryStatus.DELEGATED and not entry.delegated_to_level:
        errors.setdefault("delegated_to_level", []).append(
            _("Name the level the item is delegated to.")
        )
    if entry.status != EntryStatus.DELEGATED and entry.delegated_to_level:
        errors.setdefault("delegated_to_level", []).append(
            _("Only a delegated item names a level.")
        )
    if entry.status == EntryStatus.MERGED and not entry.merged_into_id:
        errors.setdefault("merged_into", []).append(_("Name the item it was merged into."))
    if entry.status != EntryStatus.MERGED and entry.merged_into_id:
        errors.setdefault("merged_into", []).append(_("Only a merged item names another item."))
    if entry.merged_into_id and entry.pk and entry.merged_into_id == entry.pk:
        errors.setdefault("merged_into", []).append(_("An item cannot be merged into itself."))
    if not isinstance(entry.basis, list) or not all(
        isinstance(x, int) and not isinstance(x, bool) for x in entry.basis
    ):
        errors.setdefault("basis", []).append(_("Choose provisions from the law register."))
    if (
        entry.statutory_limit_days is not None
        and entry.promised_limit_days is not None
        and entry.promised_limit_days > entry.statutory_limit_days
    ):
        errors.setdefault("promised_limit_days", []).append(
            _("The promised time limit cannot exceed the statutory one.")
        )
    if not isinstance(entry.materials, list) or not all(
        isinstance(x, str) and x.strip() for x in entry.materials
    ):
        errors.setdefault("materials", []).append(_("One material per line."))
    for name, keys, required in (
        ("flow", FLOW_KEYS, ("step",)),
        ("discretion", DISCRETION_KEYS, DISCRETION_KEYS),
        ("responsibilities", RESPONSIBILITY_KEYS, ("stage", "duty")),
    ):
        problem = _rows_problem(getattr(entry, name), keys, required)
        if problem:
            errors.setdefault(name, []).append(problem)
    for row in entry.flow if isinstance(entry.flow, list) else []:
        if isinstance(row, dict) and row.get("risk_level") not in (None, "", *RiskLevel.values):
            errors.setdefault("flow", []).append(_("Unknown risk level."))
            break
    for row in entry.flow if isinstance(entry.flow, list) else []:
        limit = row.get("limit_days") if isinstance(row, dict) else None
        if limit in (None, ""):
            continue
        if (
            isinstance(limit, bool)
            or not isinstance(limit, int)
            or not 1 <= limit <= MAX_STEP_LIMIT_DAYS
        ):
            errors.setdefault("flow", []).append(
                _("A step's time limit is a whole number of working days from 1 to %(max)d.")
                % {"max": MAX_STEP_LIMIT_DAYS}
            )
            break
    for row in entry.responsibilities if isinstance(entry.responsibilities, list) else []:
        if isinstance(row, dict) and row.get("stage") not in ResponsibilityStage.values:
            errors.setdefault("responsibilities", []).append(_("Unknown stage."))
            break


def _import_path(instance: "ImportJob", filename: str) -> str:
    # Under MEDIA_ROOT, which the site does not serve: the workbook is read by the job only.
    # A random name, so what the user called the file (`file_name`) reaches no path.
    return f"imports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    """Issue 10 §2: one uploaded workbook on its way upload → dry run → confirmation →
    import (registry.import_jobs). The database is the truth: the Celery tasks only trigger
    the services, and the sweep re-finds a job whose task was lost. Only its uploader sees it."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("mode"), max_length=10)
    # The scope the job writes into, fixed at upload: the uploader's jurisdiction and, for a
    # clerk, their department.
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), upload_to=_import_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    # The uploader's language: the worker writes the problems in it.
    language = models.CharField(max_length=16, default=settings.LANGUAGE_CODE)
    state = models.CharField(
        _("state"), max_length=16, choices=ImportJobState.choices, default=ImportJobState.UPLOADED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    # Every problem of the dry run: [{sheet, row, column, message}], in the file's order.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # The checked rows, ready to write: the import does not check them again.
    checked_rows = models.JSONField(default=list, blank=True)
    # After the import: {"count", "reference", "per_list"}.
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Moves with every state and progress write: the sweep tells a lost job from a busy one.
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [
            models.Index(
                fields=["updated_at"],
                condition=models.Q(state__in=["uploaded", "checking", "importing"]),
                name="import_job_pending",
            )
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def running(self) -> bool:
        return self.state in (
            ImportJobState.UPLOADED,
            ImportJobState.CHECKING,
            ImportJobState.IMPORTING,
        )

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)


class PublicationState(models.Model):
    """One row: which published state of the register is the current one (issue 10 §3).
    Every service that changes what a public page or an export shows (a publication, a law's
    name, a provision, a category) moves it on in its own transaction, so a file built from the
    register (an Excel export) is named by the state it shows and a change of the register
    names a new one. `token` is new with every change: a database restored from a backup, or a
    test rolled back, never meets a file of a state it did not have."""

    SINGLETON = 1

    sequence = models.PositiveBigIntegerField(_("publication number"), default=0)
    token = models.CharField(_("state token"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("publication state")
        verbose_name_plural = _("publication states")

    def __str__(self) -> str:
        return f"{self.sequence}-{self.token}"
