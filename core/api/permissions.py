from rest_framework.permissions import BasePermission

from core.permissions import Action, can

_METHOD_ACTION = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
    "POST": Action.ADD,
    "PUT": Action.CHANGE,
    "PATCH": Action.CHANGE,
    "DELETE": Action.DELETE,
}


class RolePermission(BasePermission):
    """Asks core.permissions for the view's model; a view without a queryset model must name
    its own permission class (deny by default)."""

    def has_permission(self, request, view) -> bool:
        queryset = getattr(view, "queryset", None)
        if queryset is None:
            return False
        return can(request.user, _METHOD_ACTION.get(request.method, "none"), queryset.model)
