"""Users and their roles and passwords (SPEC §1; issue 2 §6)."""

from collections.abc import Iterable

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from ..choices import AuditAction, Role
from ..models import (
    Department,
    Jurisdiction,
    User,
)
from ..permissions import Action
from .audit import audit_record
from .base import DomainError, _validated_save, permission_require
from .organisation import _changes


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


@transaction.atomic
def user_save(
    *,
    actor: User | None,
    user: User,
    changed_fields: Iterable[str] = (),
    password: str | None = None,
) -> User:
    """SPEC §1: an administrator keeps the accounts of their own jurisdiction (role,
    jurisdiction, department, active). Only the administrator role reaches the Django admin
    (is_staff follows the role); nobody becomes a superuser here. A new account without a
    password cannot log in with one until it is set."""
    adding = user._state.adding
    changes = {}
    if not adding:
        permission_require(actor, Action.CHANGE, User.objects.get(pk=user.pk))
        changes = _changes(user, changed_fields)
    user.is_staff = user.role == Role.ADMINISTRATOR
    if password:
        _validate_password(password, user)
        user.set_password(password)
    elif adding:
        user.set_unusable_password()
    _validated_save(user)
    permission_require(actor, Action.ADD if adding else Action.CHANGE, user)
    detail = {"changes": changes} if changes else {}
    if password and not adding:
        detail["password"] = "changed"
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if adding else AuditAction.UPDATE,
        obj=user,
        detail=detail or None,
    )
    return user


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str | None) -> User:
    """SPEC §1: users change their own password; administrators set the password of accounts
    in their scope. None disables password login. The new password is checked against the
    site's password rules; the audit row records that it changed, never the value."""
    if actor is None or actor.pk != user.pk:
        permission_require(actor, Action.CHANGE, user)
    if password:
        _validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        detail={"password": "changed" if password else "disabled"},
    )
    return user
