"""Writes of the decisions app, by concern: the procedure, recording and handling decisions,
enforcement bodies and officers, intake from case systems, the credit-system exchange, the
deadline sweep and case-file reviews. Views, the API, admin, commands and tasks call these
names (decisions.services.X) and never save models."""

from core.services import DomainError

from .bodies import (
    body_confirm,
    body_save,
    body_withdraw,
    certificate_save,
    certificates_expiring_remind,
    officer_save,
)
from .deadlines import DEADLINES, decision_deadlines_sweep
from .decisions import (
    MAJOR_KINDS,
    REDACTABLE,
    DecisionValues,
    RedactionInput,
    RowProblems,
    case_advance,
    case_file,
    case_record_upload,
    decision_correct,
    decision_publish,
    decision_record,
    decision_redact,
    decision_revoke,
    decision_serve,
    is_licence,
    is_penalty,
    masked_person_name,
)
from .procedure import PROCEDURE, TransitionRefused, as_of, now, policy_for

__all__ = [
    "DEADLINES",
    "MAJOR_KINDS",
    "PROCEDURE",
    "REDACTABLE",
    "DecisionValues",
    "DomainError",
    "RedactionInput",
    "RowProblems",
    "TransitionRefused",
    "as_of",
    "body_confirm",
    "body_save",
    "body_withdraw",
    "case_advance",
    "case_file",
    "case_record_upload",
    "certificate_save",
    "certificates_expiring_remind",
    "decision_correct",
    "decision_deadlines_sweep",
    "decision_publish",
    "decision_record",
    "decision_redact",
    "decision_revoke",
    "decision_serve",
    "is_licence",
    "is_penalty",
    "masked_person_name",
    "now",
    "officer_save",
    "policy_for",
]
