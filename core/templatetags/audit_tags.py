from django import template
from django.core.exceptions import FieldDoesNotExist

from core.permissions import audit_address_visible

register = template.Library()


def _label(model, name: str) -> str:
    """The field's (translated) name where the model still has that field."""
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@register.filter
def audit_changes(event) -> list[tuple[str, str, str]]:
    """The changed fields recorded on an audit row, as (label, before, after)."""
    changes = (event.detail or {}).get("changes") or {}
    model = event.content_type.model_class() if event.content_type_id else None
    rows = []
    for name, pair in changes.items():
        before, after = [*pair, None, None][:2]
        rows.append((_label(model, name), before or "", after or ""))
    return rows


@register.filter
def audit_model_name(event) -> str:
    if not event.content_type_id:
        return ""
    model = event.content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else event.content_type.model


@register.filter
def audit_address_for(event, user) -> str:
    """The row's address if `user` may see it (core.permissions), else nothing."""
    if event.ip_address and audit_address_visible(user, event):
        return event.ip_address
    return ""
