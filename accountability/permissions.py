"""Access rules of accountability, registered in core.permissions' one table (SPEC §1: deny by
default).

Cases are opened and run by the supervisors (纪委/监察) of a jurisdiction; the office,
supervisors and administrators of the jurisdiction and those above read them. The personnel and
integrity files (seed 000 四(三)) are read by supervisors and administrators only. The grounds
are public (they are the published rules).
"""

from django.db.models import Q

from core.choices import Role
from core.permissions import ALL, NONE, Action, is_staff_user, jurisdiction_scope, role_of, rule

MANAGE = "manage"  # a case: a supervisor of its jurisdiction runs it

READERS = (Role.OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR)


@rule("accountability.ground", Action.VIEW)
def _ground_view(user) -> Q:
    return ALL


@rule("accountability.case", Action.VIEW)
def _case_view(user) -> Q:
    if role_of(user) in READERS:
        return jurisdiction_scope(user)
    return NONE


@rule("accountability.case", Action.ADD, MANAGE)
def _case_manage(user) -> Q:
    if role_of(user) == Role.SUPERVISOR and user.jurisdiction_id:
        return jurisdiction_scope(user)
    return NONE


def _within_cases(user) -> Q:
    if not is_staff_user(user):
        return NONE
    from core.permissions import restrict

    from .models import Case

    return Q(case_id__in=restrict(Case.objects.all(), user).values("pk"))


for _label in (
    "accountability.subject",
    "accountability.evidence",
    "accountability.investigator",
    "accountability.outcome",
    "accountability.step",
    "accountability.event",
):
    rule(_label, Action.VIEW)(_within_cases)


@rule("accountability.filerecord", Action.VIEW)
def _file_view(user) -> Q:
    """人事档案 and 廉政档案 entries: supervisors and administrators of the person's
    jurisdiction."""
    if role_of(user) in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        return jurisdiction_scope(user, "person__department__jurisdiction__")
    return NONE


@rule("accountability.step", "act")
def _step_act(user) -> Q:
    role = role_of(user)
    if role is None or not user.department_id:
        return NONE
    return Q(department_id=user.department_id, role=role, finished_at=None)
