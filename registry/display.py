"""How an entry's fields read as text: the item page, the diff of two versions, exports and
the API's diff all use these, so a value reads the same everywhere."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import ResponsibilityStage, RiskLevel, StarLevel
from .models import FIELDS_BY_KIND, Entry, Provision


def field_label(name: str) -> str:
    return str(Entry._meta.get_field(name).verbose_name)


def _flow_line(row: dict) -> str:
    text = row.get("step", "")
    if row.get("post"):
        text += f"（{row['post']}）"
    if row.get("description"):
        text += f"：{row['description']}"
    if row.get("limit_days"):
        days = row["limit_days"]
        text += " · " + ngettext(
            "time limit %(days)s working day", "time limit %(days)s working days", days
        ) % {"days": days}
    if row.get("risk_point"):
        level = str(RiskLevel(row["risk_level"]).label) if row.get("risk_level") else ""
        text += " · " + _("integrity risk: %(risk)s %(level)s; control: %(measure)s") % {
            "risk": row["risk_point"],
            "level": f"[{level}]" if level else "",
            "measure": row.get("control_measure") or "-",
        }
    return text


def _responsibility_line(row: dict) -> str:
    stage = str(ResponsibilityStage(row["stage"]).label) if row.get("stage") else ""
    text = f"{stage}：{row.get('duty', '')}"
    if row.get("circumstances"):
        text += " · " + _("accountability: %(c)s") % {"c": row["circumstances"]}
    return text


def provision_label(provision: Provision) -> str:
    return f"《{provision.law.name}》{provision.article}"


def display_lines(entry, name: str, provisions: dict[int, Provision]) -> list[str]:
    """The value of field `name` of an entry (or history row) as lines of text."""
    value = getattr(entry, name)
    if name in ("category", "parent", "merged_into"):
        related = getattr(entry, name)
        return [str(related)] if related else []
    if name == "basis":
        return [provision_label(provisions[p]) for p in value or [] if p in provisions]
    if name == "flow":
        return [_flow_line(row) for row in value or []]
    if name == "responsibilities":
        return [_responsibility_line(row) for row in value or []]
    if name == "discretion":
        return [f"{row.get('circumstance', '')} → {row.get('range', '')}" for row in value or []]
    if name == "materials":
        return list(value or [])
    if name == "star_level":
        return [str(StarLevel(value).label)] if value else []
    if name == "four_level_linked":
        return [str(_("Yes"))] if value else []
    if name in ("status", "delegated_to_level"):
        return [str(getattr(entry, f"get_{name}_display")())] if value else []
    if value in (None, ""):
        return []
    return [str(value)]


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    old: list[str]
    new: list[str]

    @property
    def changed(self) -> bool:
        return self.old != self.new


def version_diff(old, new, provisions: dict[int, Provision]) -> list[FieldDiff]:
    """Field-by-field comparison of two versions of one entry (SPEC §3.3), in the order the
    list declares its fields. `old` may be None for the first version."""
    names = FIELDS_BY_KIND[new.list_kind]
    return [
        FieldDiff(
            name=name,
            label=field_label(name),
            old=display_lines(old, name, provisions) if old is not None else [],
            new=display_lines(new, name, provisions),
        )
        for name in names
    ]
