"""Writes of the core app. Every function is keyword-only, names its actor and runs in one
transaction; views, the API, admin, commands and tasks call these and never save models."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from . import request_context
from .choices import AuditAction, Role
from .models import AuditEvent, Department, Jurisdiction, User


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
    event.save()
    return event


class DomainError(Exception):
    """A refused action; the message is user-facing (translated) and says why."""


def _validated_save(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise DomainError("; ".join(error.messages)) from error
    obj.save()


@transaction.atomic
def jurisdiction_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    level: str,
    parent: Jurisdiction | None = None,
) -> Jurisdiction:
    """SPEC §2 (seed 003 四级联动): city → district/county → town/subdistrict → community."""
    jurisdiction = Jurisdiction(code=code, name=name, level=level, parent=parent)
    _validated_save(jurisdiction)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=jurisdiction)
    return jurisdiction


@transaction.atomic
def department_create(
    *,
    actor: User | None,
    jurisdiction: Jurisdiction,
    name: str,
    function: str = "general",
    review_field: str = "",
    short_name: str = "",
    phone: str = "",
    address: str = "",
) -> Department:
    """SPEC §2: departments carry functions (reform office, the five review fields of seed 004
    三(一)2, digital office, supervision)."""
    department = Department(
        jurisdiction=jurisdiction,
        name=name,
        function=function,
        review_field=review_field,
        short_name=short_name,
        phone=phone,
        address=address,
    )
    _validated_save(department)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=department)
    return department


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    role: str,
    jurisdiction: Jurisdiction,
    department: Department | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
) -> User:
    """SPEC §1: every staff user has one role, one jurisdiction and usually one department;
    administrators alone reach the Django admin."""
    user = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        department=department,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        is_staff=role == Role.ADMINISTRATOR,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _validated_save(user)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user)
    return user
