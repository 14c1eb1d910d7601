"""A jurisdiction's policy of a workflow (SPEC §4: the variants "must be expressible as policy
per jurisdiction"; SPEC §1: the office sets its own): the policy a jurisdiction follows, and
saving one. Each workflow has its policy model (one row per jurisdiction, its periods and
paths as fields, the defaults its seed's) and names these in its own services."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from ..choices import AuditAction
from ..models import Jurisdiction, User
from ..permissions import Action
from .audit import audit_record
from .base import DomainError, permission_require
from .offices import jurisdiction_paths_up


def policy_fields(model: type[models.Model]) -> tuple[str, ...]:
    """What a policy sets: every column but its key, its jurisdiction and its time stamp."""
    return tuple(
        field.name
        for field in model._meta.concrete_fields
        if field.name not in ("id", "jurisdiction", "updated_at")
    )


def jurisdiction_policy(model: type[models.Model], jurisdiction: Jurisdiction) -> models.Model:
    """The policy a jurisdiction follows: its own, else the nearest one above it, else the
    model's defaults, unsaved."""
    found = (
        model.objects.filter(jurisdiction__path__in=jurisdiction_paths_up(jurisdiction))
        .select_related("jurisdiction")
        .order_by("-jurisdiction__path")
        .first()
    )
    return found or model()


@transaction.atomic
def jurisdiction_policy_save(
    *, actor: User | None, model: type[models.Model], jurisdiction: Jurisdiction, values: dict
) -> models.Model:
    """Sets `values` (policy_fields only) on the jurisdiction's own policy, created at its
    first save, as core.permissions allows the actor; audited with the values set."""
    unknown = set(values) - set(policy_fields(model))
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    policy = model.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
    created = policy is None
    if created:
        permission_require(actor, Action.ADD, model)
        policy = model(jurisdiction=jurisdiction)
    for name, value in values.items():
        setattr(policy, name, value)
    try:
        policy.full_clean(exclude=["jurisdiction"])
    except ValidationError as error:
        raise DomainError("; ".join(error.messages)) from error
    policy.save()
    # After the save, so that a new row of another jurisdiction is refused too.
    permission_require(actor, Action.CHANGE, policy)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=policy,
        jurisdiction=jurisdiction,
        detail={"values": {name: str(value) for name, value in values.items()}},
    )
    return policy
