"""The audit trail (痕迹化管理): one append-only row per state-changing action."""

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .. import request_context
from ..choices import AuditAction
from ..models import (
    AuditEvent,
    Jurisdiction,
    User,
)


def _jurisdiction_of(obj) -> Jurisdiction | None:
    if obj is None:
        return None
    if isinstance(obj, Jurisdiction):
        return obj
    for attribute in ("jurisdiction", "department"):
        related = getattr(obj, attribute, None)
        if isinstance(related, Jurisdiction):
            return related
        if related is not None and hasattr(related, "jurisdiction"):
            return related.jurisdiction
    return None


@transaction.atomic
def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    obj: models.Model | None = None,
    jurisdiction: Jurisdiction | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """痕迹化管理 (seed 004 preamble: 履职尽责实行痕迹化管理): every state-changing action by a
    logged-in user leaves an append-only row with who, what, when and from which address."""
    event = _audit_event(actor, action, obj, jurisdiction, detail)
    event.save()
    return event


def audit_records(
    *,
    actor: User | None,
    action: AuditAction,
    objects: list[models.Model],
    detail: dict | None = None,
) -> list[AuditEvent]:
    """audit_record for many objects of one action at once (an import of thousands of
    entries): the same rows, inserted together."""
    return AuditEvent.objects.bulk_create(
        [_audit_event(actor, action, obj, None, detail) for obj in objects], batch_size=1000
    )


def _audit_event(actor, action, obj, jurisdiction, detail) -> AuditEvent:
    actor = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        actor=actor,
        actor_repr=(actor.get_username() if actor else (detail or {}).get("username", ""))[:150],
        action=action,
        jurisdiction=jurisdiction or _jurisdiction_of(obj) or _jurisdiction_of(actor),
        ip_address=request_context.current().ip_address,
        detail=detail or {},
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
    return event
