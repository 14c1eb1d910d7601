"""Sanction terms (行政机关公务员处分条例 2007, SPEC §7): pure arithmetic, no database.

- 第七条: 警告 6 months, 记过 12, 记大过 18, 降级 and 撤职 24; 开除 ends the service (no term).
- 第十条: for several acts, each gets its sanction; of different kinds, the heaviest is carried
  out; several of the same kind (撤职 or lighter) are carried out as that kind, for a term the
  deciding body sets between one term and the sum of the terms, at most 48 months.
- Civil Code art. 202: a term of months ends on the corresponding day of the last month (the
  month's last day where it has none).
"""

import datetime
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.services import DomainError

from ..choices import (
    LIGHTER_MEASURES,
    MAX_COMBINED_MONTHS,
    SANCTION_MONTHS,
    SANCTION_ORDER,
    Measure,
)


@dataclass(frozen=True)
class Sanction:
    """What is carried out: the sanction, and its term in months (None for 开除 or a lighter
    measure), with the range the deciding body could choose from."""

    measure: str
    months: int | None
    least: int | None
    most: int | None


def sanction_for(measures: Sequence[str], months: int | None = None) -> Sanction:
    """The sanction carried out for the sanctions given for several acts (第十条), and its term:
    `months` as the deciding body set it (checked against the range), else the longest the
    range allows."""
    unknown = [m for m in measures if m not in SANCTION_ORDER]
    if unknown or not measures:
        raise DomainError(_("Give the sanctions of the regulation (警告 to 开除) for each act."))
    heaviest = max(measures, key=SANCTION_ORDER.index)
    if heaviest == Measure.EXPULSION:
        if months is not None:
            raise DomainError(_("Expulsion has no term."))
        return Sanction(heaviest, None, None, None)
    same = [m for m in measures if m == heaviest]
    one = SANCTION_MONTHS[heaviest]
    most = min(one * len(same), MAX_COMBINED_MONTHS) if len(same) > 1 else one
    if months is None:
        months = most
    if not one <= months <= most:
        raise DomainError(
            _("The term of this sanction is from %(least)s to %(most)s months (第七条, 第十条).")
            % {"least": one, "most": most}
        )
    return Sanction(heaviest, months, one, most)


def term_end(start: datetime.date, months: int) -> datetime.date:
    """The day a term of `months` from `start` ends (Civil Code art. 202): the corresponding
    day of the last month, or its last day."""
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return datetime.date(year, month, min(start.day, monthrange(year, month)[1]))


def is_lighter(measure: str) -> bool:
    return measure in LIGHTER_MEASURES
