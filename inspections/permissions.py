"""Access rules of inspections, registered in core.permissions' one table (SPEC §1: deny by
default).

Who sees what:
- the published list of inspection contents, the draws once committed (pools, commitment;
  after the draw the seed and the result) and published reports: everyone (国办发〔2015〕58号:
  双随机、一公开);
- plans, inspections, problems, notices and the assessment ledger: the office, supervisors and
  administrators of the jurisdiction and those above;
- an inspector: the plans whose team they are in and the inspections they are drawn for, with
  the problems found there;
- a unit (a department's clerks): its own inspections, problems, notices and ledger entries.

Who acts: supervisors (纪委/监察, the 督查办 of seed 002) of a jurisdiction plan, draw, issue
notices, verify and publish; an inspection's members record its steps and findings; a step's
holders (its department in its role) act on it.
"""

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

from .choices import DrawState

ACT = "act"  # a step: act on it
MANAGE = "manage"  # a plan, notice or report: a supervisor of its jurisdiction runs it
INSPECT = "inspect"  # an inspection: its members record its steps and findings
RECORD = "record"  # problems: record one in the ledger (jurisdiction-wide staff)

OVERSEERS = (Role.OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR)


def _overseer(user, prefix: str = "jurisdiction__") -> Q:
    if role_of(user) in OVERSEERS:
        return jurisdiction_scope(user, prefix)
    return NONE


def _or(*conditions: Q) -> Q:
    found = [condition for condition in conditions if condition is not NONE]
    if not found:
        return NONE
    result = found[0]
    for condition in found[1:]:
        result |= condition
    return result


def _supervisor(user, field: str = "jurisdiction") -> Q:
    """Supervisors act for their own jurisdiction (and those below it)."""
    if role_of(user) != Role.SUPERVISOR or not user.jurisdiction_id:
        return NONE
    return jurisdiction_scope(user, f"{field}__")


def _member_of_inspections(user) -> Q:
    from .models import InspectionMember

    return Q(pk__in=InspectionMember.objects.filter(user_id=user.pk).values("inspection_id"))


def _unit(user, field: str) -> Q:
    if role_of(user) == Role.CLERK and user.department_id:
        return Q(**{field: user.department_id})
    return NONE


# --- public --------------------------------------------------------------------------------


@rule("inspections.inspectioncontent", Action.VIEW)
def _content_view(user) -> Q:
    return Q(active=True) if not is_staff_user(user) else ALL


@rule("inspections.draw", Action.VIEW)
def _draw_view(user) -> Q:
    """A draw is public from its commitment on: that is what makes it checkable."""
    return Q(state__in=[DrawState.COMMITTED, DrawState.DRAWN, DrawState.SUPERSEDED])


@rule("inspections.report", Action.VIEW)
def _report_view(user) -> Q:
    return ALL


# --- plans ---------------------------------------------------------------------------------


@rule("inspections.plan", Action.VIEW)
def _plan_view(user) -> Q:
    if not is_staff_user(user):
        return NONE
    from .models import TeamMember

    team = Q(pk__in=TeamMember.objects.filter(user_id=user.pk).values("plan_id"))
    return _or(_overseer(user), team)


@rule("inspections.plan", Action.ADD, MANAGE)
def _plan_manage(user) -> Q:
    return _supervisor(user)


rule("inspections.report", Action.ADD, MANAGE)(_plan_manage)


# --- inspections -----------------------------------------------------------------------------


@rule("inspections.inspection", Action.VIEW)
def _inspection_view(user) -> Q:
    if not is_staff_user(user):
        return NONE
    return _or(
        _overseer(user, "plan__jurisdiction__"),
        _member_of_inspections(user),
        _unit(user, "department_id"),
    )


@rule("inspections.inspection", INSPECT)
def _inspection_inspect(user) -> Q:
    if not is_staff_user(user):
        return NONE
    return _member_of_inspections(user)


@rule("inspections.inspection", MANAGE)
def _inspection_manage(user) -> Q:
    return _supervisor(user, "plan__jurisdiction")


def _within(model_label: str, prefix: str):
    def condition(user) -> Q:
        if not is_staff_user(user):
            return NONE
        from django.apps import apps

        from core.permissions import restrict

        parent = apps.get_model(model_label)
        visible = restrict(parent.objects.all(), user, Action.VIEW).values("pk")
        return Q(**{f"{prefix}__in": visible})

    return condition


rule("inspections.inspectionmember", Action.VIEW)(
    _within("inspections.Inspection", "inspection_id")
)
rule("inspections.inspectionrecord", Action.VIEW)(
    _within("inspections.Inspection", "inspection_id")
)
rule("inspections.teammember", Action.VIEW)(_within("inspections.Plan", "plan_id"))
rule("inspections.conflict", Action.VIEW)(_within("inspections.Plan", "plan_id"))


# --- the ledger ------------------------------------------------------------------------------


@rule("inspections.problem", Action.VIEW)
def _problem_view(user) -> Q:
    if not is_staff_user(user):
        return NONE
    from .models import InspectionMember

    found_by_me = Q(
        inspection_id__in=InspectionMember.objects.filter(user_id=user.pk).values("inspection_id")
    )
    return _or(_overseer(user), found_by_me, _unit(user, "department_id"))


@rule("inspections.problem", RECORD, MANAGE)
def _problem_manage(user) -> Q:
    """Supervisors and the office of a jurisdiction keep its ledger; inspectors record their
    findings through their inspection (the service checks INSPECT on it)."""
    if role_of(user) in (Role.SUPERVISOR, Role.OFFICE) and user.jurisdiction_id:
        return jurisdiction_scope(user)
    return NONE


rule("inspections.problemitem", Action.VIEW)(_within("inspections.Problem", "problem_id"))


# --- notices and rectification ---------------------------------------------------------------


@rule("inspections.rectificationnotice", Action.VIEW)
def _notice_view(user) -> Q:
    if not is_staff_user(user):
        return NONE
    return _or(_overseer(user), _unit(user, "addressee_id"))


@rule("inspections.rectificationnotice", Action.ADD, MANAGE)
def _notice_manage(user) -> Q:
    return _supervisor(user)


for _label in ("inspections.rectificationreport", "inspections.milestone"):
    rule(_label, Action.VIEW)(_within("inspections.RectificationNotice", "notice_id"))


@rule("inspections.attachment", Action.VIEW)
def _attachment_view(user) -> Q:
    if not is_staff_user(user):
        return NONE
    from core.permissions import restrict

    from .models import InspectionRecord, Milestone, RectificationReport

    return (
        Q(record_id__in=restrict(InspectionRecord.objects.all(), user).values("pk"))
        | Q(report_id__in=restrict(RectificationReport.objects.all(), user).values("pk"))
        | Q(milestone_id__in=restrict(Milestone.objects.all(), user).values("pk"))
    )


@rule("inspections.step", ACT)
def _step_act(user) -> Q:
    role = role_of(user)
    if role is None or not user.department_id:
        return NONE
    return Q(department_id=user.department_id, role=role, finished_at=None)


@rule("inspections.step", Action.VIEW)
def _step_view(user) -> Q:
    if not is_staff_user(user):
        return NONE
    from core.permissions import restrict

    from .models import Inspection, RectificationNotice

    return Q(notice_id__in=restrict(RectificationNotice.objects.all(), user).values("pk")) | Q(
        inspection_id__in=restrict(Inspection.objects.all(), user).values("pk")
    )


@rule("inspections.event", Action.VIEW)
def _event_view(user) -> Q:
    """An event is shown to whoever sees every record it concerns."""
    if not is_staff_user(user):
        return NONE
    from core.permissions import restrict

    from .models import Inspection, Plan, Problem, RectificationNotice

    condition = Q()
    for field, model in (
        ("plan", Plan),
        ("inspection", Inspection),
        ("problem", Problem),
        ("notice", RectificationNotice),
    ):
        visible = restrict(model.objects.all(), user).values("pk")
        condition &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}_id__in": visible})
    return condition


@rule("inspections.assessmentrecord", Action.VIEW)
def _assessment_view(user) -> Q:
    if not is_staff_user(user):
        return NONE
    return _or(_overseer(user, "department__jurisdiction__"), _unit(user, "department_id"))


policy_rules("inspections.inspectionpolicy")
