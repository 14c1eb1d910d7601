"""Writes of the accountability app, by concern: sanction terms (pure arithmetic) and cases.
Views, the API, admin, commands and tasks call these names (accountability.services.X)."""

from core.services import DomainError

from .cases import (
    CASE_MONTHS,
    CASE_MONTHS_EXTENDED,
    PROCEDURE,
    EvidenceInput,
    OutcomeInput,
    TransitionRefused,
    case_close,
    case_decide,
    case_extend,
    case_investigated,
    case_open,
    investigator_add,
    investigator_recuse,
)
from .deadlines import DEADLINES, case_deadlines_sweep
from .terms import Sanction, sanction_for, term_end

__all__ = [
    "CASE_MONTHS",
    "CASE_MONTHS_EXTENDED",
    "DEADLINES",
    "PROCEDURE",
    "DomainError",
    "EvidenceInput",
    "OutcomeInput",
    "Sanction",
    "TransitionRefused",
    "case_close",
    "case_deadlines_sweep",
    "case_decide",
    "case_extend",
    "case_investigated",
    "case_open",
    "investigator_add",
    "investigator_recuse",
    "sanction_for",
    "term_end",
]
