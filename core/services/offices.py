"""Who acts for a jurisdiction (SPEC §1, §2): its reform office, the office above it, the users of
a department in a role, the nearest supervisors. Every workflow app routes its steps with
these."""

from django.utils.translation import gettext as _

from ..choices import DepartmentFunction, Role
from ..models import Department, Jurisdiction, User
from .base import DomainError


def function_department(jurisdiction: Jurisdiction, function: str) -> Department | None:
    return (
        Department.objects.filter(jurisdiction=jurisdiction, function=function)
        .order_by("pk")
        .first()
    )


def office_of(jurisdiction: Jurisdiction) -> Department:
    office = function_department(jurisdiction, DepartmentFunction.REFORM_OFFICE)
    if office is None:
        raise DomainError(
            _("%(jurisdiction)s has no reform office: an administrator must add it first.")
            % {"jurisdiction": jurisdiction}
        )
    return office


def parent_office_of(jurisdiction: Jurisdiction) -> Department:
    if jurisdiction.parent_id is None:
        raise DomainError(
            _("%(jurisdiction)s has no office above it.") % {"jurisdiction": jurisdiction}
        )
    return office_of(jurisdiction.parent)


def jurisdiction_paths_up(jurisdiction: Jurisdiction) -> list[str]:
    """The paths of the jurisdiction and those above it, nearest first."""
    codes = [code for code in jurisdiction.path.strip("/").split("/") if code]
    return ["/" + "/".join(codes[:depth]) + "/" for depth in range(len(codes), 0, -1)]


def users_of(department: Department, role: Role):
    return User.objects.filter(department=department, role=role, is_active=True).order_by("pk")


def nearest_supervisors(jurisdiction: Jurisdiction) -> list[User]:
    """The supervisors nearest to the jurisdiction: its own, else those of the nearest
    jurisdiction above that has any."""
    found = list(
        User.objects.filter(
            role=Role.SUPERVISOR,
            is_active=True,
            jurisdiction__path__in=jurisdiction_paths_up(jurisdiction),
        ).select_related("jurisdiction")
    )
    if not found:
        return []
    nearest = max(len(user.jurisdiction.path) for user in found)
    return [user for user in found if len(user.jurisdiction.path) == nearest]
