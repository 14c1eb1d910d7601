from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    """The five lists Zhengzhou published in June 2015 (SPEC §3)."""

    POWER = "power", _("Power and responsibility list")
    APPROVAL = "approval", _("Administrative approval list")
    NEGATIVE = "negative", _("Enterprise investment negative list")
    FEE = "fee", _("Administrative fee list")
    FUND = "fund", _("Government fund list")


# The list part of an implementation code (docs/architecture.md "Codes"): power and approval
# items share the categories 01–11 of seed 002 第二条, so a department's power item and its
# approval item have the same basic code and only this part tells their codes apart. Pinyin
# initials of 权力, 审批, 负面, 收费, 基金; this product's default. Never change one: it is part
# of every code issued (migration registry 0004 holds the same table).
LIST_CODE: dict[str, str] = {
    ListKind.POWER: "QL",
    ListKind.APPROVAL: "SP",
    ListKind.NEGATIVE: "FM",
    ListKind.FEE: "SF",
    ListKind.FUND: "JJ",
}


class EntryStatus(models.TextChoices):
    """SPEC §3.1: an entry's standing; only IN_FORCE may be exercised."""

    IN_FORCE = "in_force", _("In force")
    CANCELLED = "cancelled", _("Cancelled")
    DELEGATED = "delegated", _("Delegated down")
    MERGED = "merged", _("Merged into another item")
    SUSPENDED = "suspended", _("Suspended")


class LawLevel(models.TextChoices):
    LAW = "law", _("Law")
    ADMINISTRATIVE_REGULATION = "administrative_regulation", _("Administrative regulation")
    LOCAL_REGULATION = "local_regulation", _("Local regulation")
    DEPARTMENT_RULE = "department_rule", _("Department rule")
    LOCAL_RULE = "local_rule", _("Local government rule")
    NORMATIVE_DOCUMENT = "normative_document", _("Normative document")


class LawStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    AMENDED = "amended", _("Amended")
    REPEALED = "repealed", _("Repealed")


class ResponsibilityStage(models.TextChoices):
    """SPEC §3.1: the stages a responsibility item belongs to."""

    ACCEPT = "accept", _("Acceptance")
    EXAMINE = "examine", _("Examination")
    DECIDE = "decide", _("Decision")
    SERVE = "serve", _("Service of the decision")
    SUPERVISE = "supervise", _("Supervision afterwards")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    """Seed 003 四(二)2(2): 廉政风险防控 per step of the flow."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class ChangeSource(models.TextChoices):
    """Why a published version exists (SPEC §3.3: every version is linked to its cause)."""

    ADJUSTMENT = "adjustment", _("Adjustment")
    IMPORT = "import", _("Import")
    CORRECTION = "correction", _("Administrator's correction")
    INITIAL = "initial", _("Initial publication")


class DraftState(models.TextChoices):
    OPEN = "open", _("Draft")
    SUBMITTED = "submitted", _("In an adjustment request")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


class StarLevel(models.IntegerChoices):
    """Seed 003 四(二)1 事项星级评定标准."""

    ONE = 1, _("1 star: guide, forms and advice online")
    TWO = 2, _("2 stars: online booking")
    THREE = 3, _("3 stars: partial upload and online pre-review")
    FOUR = 4, _("4 stars: fully online, one visit")
    FIVE = 5, _("5 stars: zero visits")


class ImportJobState(models.TextChoices):
    """Issue 10 §2: an Excel import's way from upload through the dry run to the import."""

    UPLOADED = "uploaded", _("Uploaded, waiting for the check")
    CHECKING = "checking", _("Checking the rows")
    CHECK_FAILED = "check_failed", _("Checked: the file has problems")
    CHECKED = "checked", _("Checked: ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed: nothing was imported")
