"""Jurisdictions, departments, units, people and certificates (SPEC §2; issue 2 §5)."""

from collections.abc import Iterable

from django.db import models, transaction
from django.dispatch import Signal

from ..choices import AuditAction
from ..models import (
    Department,
    EnforcementCertificate,
    Jurisdiction,
    Person,
    Unit,
    User,
)
from ..permissions import Action
from .audit import _jurisdiction_of, audit_record
from .base import _validated_save, permission_require


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
    code: str = "",
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
        code=code,
    )
    _validated_save(department)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=department)
    return department


# --- administration of the organisation (issue 2 §5) ---------------------------------------------

ORGANISATION_MODELS = (Jurisdiction, Department, Unit, Person, EnforcementCertificate)
# Sent inside organisation_object_save's transaction when a department's name changed, so the
# apps that keep it in derived columns (registry: the register's order and search) update them
# with the change. Arguments: department, actor.
department_renamed = Signal()
# Never copied into the audit trail, even hashed.
_SECRET_FIELDS = frozenset({"password"})


def _as_text(value) -> str | None:
    return None if value is None else str(value)


def _changes(obj: models.Model, fields: Iterable[str]) -> dict[str, list[str | None]]:
    """Old and new value of each changed field, as text, for the audit row's detail."""
    concrete = {field.name: field for field in obj._meta.concrete_fields}
    names = [name for name in fields if name in concrete and name not in _SECRET_FIELDS]
    if not names or obj.pk is None:
        return {}
    attnames = [concrete[name].attname for name in names]
    old = type(obj)._default_manager.filter(pk=obj.pk).values(*attnames).first() or {}
    changes = {}
    for name, attname in zip(names, attnames, strict=True):
        before, after = old.get(attname), getattr(obj, attname)
        if before != after:
            changes[name] = [_as_text(before), _as_text(after)]
    return changes


def _organisation_jurisdiction(obj: models.Model) -> Jurisdiction | None:
    if isinstance(obj, EnforcementCertificate):
        return obj.person.department.jurisdiction
    return _jurisdiction_of(obj)


@transaction.atomic
def organisation_object_save(
    *, actor: User | None, obj: models.Model, changed_fields: Iterable[str] = ()
) -> models.Model:
    """SPEC §2 and §1 ("a district clerk never edits another district's list"): administrators
    keep the jurisdictions, departments, units, people and enforcement certificates of their own
    scope. The object is validated, must be in the actor's scope before and after the change
    (nothing can be moved out of or into someone else's scope), and the save leaves an audit
    row naming the changed fields with old and new values (issue 2 §8, 痕迹化管理)."""
    if not isinstance(obj, ORGANISATION_MODELS):
        raise TypeError(f"{type(obj).__name__} is not an organisation object")
    adding = obj._state.adding
    changes = {}
    if not adding:
        permission_require(actor, Action.CHANGE, type(obj)._default_manager.get(pk=obj.pk))
        changes = _changes(obj, changed_fields)
    if not adding and isinstance(obj, Department) and "name" not in changes:
        changes.update(_changes(obj, ["name"]))
    _validated_save(obj)
    permission_require(actor, Action.ADD if adding else Action.CHANGE, obj)
    if isinstance(obj, Department) and "name" in changes:
        department_renamed.send(sender=Department, department=obj, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if adding else AuditAction.UPDATE,
        obj=obj,
        jurisdiction=_organisation_jurisdiction(obj),
        detail={"changes": changes} if changes else None,
    )
    return obj
