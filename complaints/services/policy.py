"""A jurisdiction's complaint policy (issue 12 §4: the periods are policy values, 信访工作条例
2022 by default; who accepts)."""

from core.models import Jurisdiction, User
from core.services import jurisdiction_policy_save, policy_fields

from ..models import ComplaintPolicy

POLICY_FIELDS = policy_fields(ComplaintPolicy)


def complaint_policy_save(
    *, actor: User, jurisdiction: Jurisdiction, values: dict
) -> ComplaintPolicy:
    """SPEC §5: each period is a policy value with the petition regulation's default; the
    office sets its jurisdiction's (SPEC §1). Steps already running keep their due moments."""
    return jurisdiction_policy_save(
        actor=actor, model=ComplaintPolicy, jurisdiction=jurisdiction, values=values
    )
