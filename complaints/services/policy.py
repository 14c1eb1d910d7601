"""A jurisdiction's complaint policy (issue 12 §4: the periods are policy values, 信访工作条例
2022 by default; who accepts)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.models import Jurisdiction, User
from core.permissions import Action
from core.services import DomainError, audit_record, permission_require

from ..models import ComplaintPolicy

POLICY_FIELDS = tuple(
    field.name
    for field in ComplaintPolicy._meta.concrete_fields
    if field.name not in ("id", "jurisdiction", "updated_at")
)


@transaction.atomic
def complaint_policy_save(
    *, actor: User, jurisdiction: Jurisdiction, values: dict
) -> ComplaintPolicy:
    """SPEC §5: each period is a policy value with the petition regulation's default; the
    office sets its jurisdiction's (SPEC §1). Steps already running keep their due moments."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    policy = ComplaintPolicy.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
    created = policy is None
    if created:
        permission_require(actor, Action.ADD, ComplaintPolicy)
        policy = ComplaintPolicy(jurisdiction=jurisdiction)
    for name, value in values.items():
        setattr(policy, name, value)
    try:
        policy.full_clean(exclude=["jurisdiction"])
    except ValidationError as error:
        raise DomainError("; ".join(error.messages)) from error
    policy.save()
    permission_require(actor, Action.CHANGE, policy)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=policy,
        jurisdiction=jurisdiction,
        detail={"values": {name: str(value) for name, value in values.items()}},
    )
    return policy
