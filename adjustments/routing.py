"""分类转交 (seed 004 三(三)2: "分类转交市编办、市政府法制办、市政务服务中心、市财政局、市发改委等
牵头部门"): which lead review field each change calls for. The one declaration of it: the
office's forward form proposes its reviewers from here and the API offers the same proposal
with the forward transition's parameters; the office may change the choice.

A change calls for a field when it touches a field of the entry the field answers for (seed
004 三(二) 调整内容 1–3: name, category, code and basis are legal matters; the flow, time limits
and service details the government services centre's; the implementing body, handling unit and
delegation are the establishment office's), or when the entry is of a list one field keeps (an
approval item, a fee, a fund, the negative list). Which entry field belongs to which review
field is this product's default reading of the seed, not a number the seed gives."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.choices import ReviewField
from registry.choices import ListKind
from registry.models import Entry

F = ReviewField

# The review field each entry field answers to. "department" is the implementing body itself:
# an entry moving to another department (issue 9 §5).
FIELD_REVIEW: dict[str, str] = {
    "name": F.LEGAL,
    "category": F.LEGAL,
    "basic_code": F.LEGAL,
    "parent": F.LEGAL,
    "status": F.LEGAL,
    "basis": F.LEGAL,
    "basis_note": F.LEGAL,
    "discretion": F.LEGAL,
    "responsibilities": F.LEGAL,
    "department": F.ESTABLISHMENT,
    "delegated_to_level": F.ESTABLISHMENT,
    "merged_into": F.ESTABLISHMENT,
    "entrusted_body": F.ESTABLISHMENT,
    "handling_unit": F.ESTABLISHMENT,
    "responsible_unit": F.ESTABLISHMENT,
    "flow": F.SERVICE,
    "statutory_limit_days": F.SERVICE,
    "promised_limit_days": F.SERVICE,
    "extension_conditions": F.SERVICE,
    "star_level": F.SERVICE,
    "four_level_linked": F.SERVICE,
    "guide": F.SERVICE,
    "materials": F.SERVICE,
    "window": F.SERVICE,
    "responsible_person": F.SERVICE,
    "responsible_phone": F.SERVICE,
    "fee_note": F.FINANCE,
    "standard": F.FINANCE,
    "payers": F.FINANCE,
    "period": F.FINANCE,
    "use": F.FINANCE,
    "approving_body": F.DEVELOPMENT,
}

# Lists one field keeps: every change of their entries goes to it as well.
LIST_REVIEW: dict[str, str] = {
    ListKind.APPROVAL: F.SERVICE,
    ListKind.FEE: F.FINANCE,
    ListKind.FUND: F.FINANCE,
    ListKind.NEGATIVE: F.DEVELOPMENT,
}


def _empty(value) -> bool:
    return value in (None, "", [], {}) or value is False


def touched_fields(*, payload: dict, current: dict | None, moved: bool = False) -> list[str]:
    """The entry fields a proposal changes: those that differ from the published values, or
    for a new entry those it fills in; `department` when the entry moves."""
    if current is None:
        found = [name for name, value in payload.items() if not _empty(value)]
    else:
        found = [name for name in payload if payload.get(name) != current.get(name)]
    return [*found, "department"] if moved else found


@dataclass(frozen=True)
class Need:
    """One review field a request calls for, and why: the entry fields (labels) or lists."""

    field: str
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return str(ReviewField(self.field).label)


def _field_label(name: str) -> str:
    if name == "department":
        return str(_("implementing body"))
    return str(Entry._meta.get_field(name).verbose_name)


def review_needs(changes) -> list[Need]:
    """The review fields a set of changes calls for, in ReviewField's order. `changes` are
    (list kind, payload, current values or None, moved) tuples."""
    reasons: dict[str, dict[str, None]] = {}
    for list_kind, payload, current, moved in changes:
        listed = LIST_REVIEW.get(list_kind)
        if listed:
            reasons.setdefault(listed, {})[str(ListKind(list_kind).label)] = None
        for name in touched_fields(payload=payload, current=current, moved=moved):
            field = FIELD_REVIEW.get(name)
            if field:
                reasons.setdefault(field, {})[_field_label(name)] = None
    return [Need(field, tuple(reasons[field])) for field in ReviewField.values if field in reasons]
