"""Access rules of complaints, registered in core.permissions' one table (SPEC §1: deny by
default; SPEC §5: personal data is never shown publicly).

The public has no rule here: it files through the services and follows a complaint with its
code and secret (selectors.complaint_track), never through these rules. Who sees a complaint:
the office, supervisors and administrators of its jurisdiction and those above; the clerks of
the department complained about and of the responsible department; every department a step of
it was assigned to. Who acts: the users of the department a step is assigned to, in the step's
role. A person who stood aside (回避, 信访工作条例 art. 28) neither sees nor acts on it."""

from django.db.models import Q

from core.choices import Role
from core.permissions import (
    ALL,
    NONE,
    Action,
    is_staff_user,
    jurisdiction_scope,
    policy_rules,
    role_of,
    rule,
)

ACT = "act"  # a step: act on it
RECORD = "record"  # a complaint: record one received by phone, fax, letter, e-mail, in person
EXTEND = "extend"  # a complaint: extend its handling period (the office of its jurisdiction)
STAND_ASIDE = "stand_aside"  # a complaint: declare an interest in it (anyone who sees it)


def _not_aside(user, field: str = "pk") -> Q:
    from .models import StandAside

    aside = StandAside.objects.filter(user_id=user.pk).values("complaint_id")
    return ~Q(**{f"{field}__in": aside})


def _assigned(user) -> Q:
    from .models import ComplaintStep

    if not user.department_id:
        return NONE
    steps = ComplaintStep.objects.filter(department_id=user.department_id)
    return Q(pk__in=steps.values("complaint_id"))


def _visible(user) -> Q:
    role = role_of(user)
    if role is None:
        return NONE
    if role in (Role.OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR):
        scope = jurisdiction_scope(user) | _assigned(user)
    elif role == Role.CLERK and user.department_id:
        scope = (
            Q(department_id=user.department_id)
            | Q(responsible_id=user.department_id)
            | _assigned(user)
        )
    else:
        scope = _assigned(user)
    if scope is NONE:
        return NONE
    return scope & _not_aside(user)


rule("complaints.complaint", Action.VIEW, STAND_ASIDE)(_visible)


@rule("complaints.complaint", RECORD)
def _complaint_record(user) -> Q:
    """Staff intake (issue 12 §2): the office and the departments' clerks record what reached
    them by phone, fax, letter, e-mail or in person."""
    if role_of(user) in (Role.OFFICE, Role.CLERK) and user.department_id:
        return ALL
    return NONE


@rule("complaints.complaint", EXTEND)
def _complaint_extend(user) -> Q:
    """信访工作条例 art. 34: the extension is granted by the office (of the complaint's
    jurisdiction)."""
    if role_of(user) != Role.OFFICE or not user.jurisdiction_id:
        return NONE
    return Q(jurisdiction_id=user.jurisdiction_id) & _not_aside(user)


@rule("complaints.complaintstep", ACT)
def _step_act(user) -> Q:
    role = role_of(user)
    if role is None or not user.department_id:
        return NONE
    return Q(department_id=user.department_id, role=role, finished_at=None) & _not_aside(
        user, "complaint_id"
    )


def _within_visible(prefix: str):
    def condition(user) -> Q:
        if not is_staff_user(user):
            return NONE
        from core.permissions import restrict

        from .models import Complaint

        visible = restrict(Complaint.objects.all(), user, Action.VIEW).values("pk")
        return Q(**{f"{prefix}__in": visible})

    return condition


for _label in (
    "complaints.complaintstep",
    "complaints.complaintevent",
    "complaints.evidence",
    "complaints.complaintitem",
    "complaints.representative",
    "complaints.standaside",
):
    rule(_label, Action.VIEW)(_within_visible("complaint_id"))


policy_rules("complaints.complaintpolicy")
