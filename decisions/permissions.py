"""Access rules of decisions, registered in core.permissions' one table (SPEC §1: deny by
default).

Who sees what:
- confirmed enforcement bodies, and published decisions (their public columns only: the
  public pages and API never read the others): everyone (seed 002 监督检查办法 第十一条,
  第十三条);
- every decision in full, its records, steps and events: the department's clerks, and the
  office, supervisors, lead reviewers and administrators of its jurisdiction and those above;
- case-system keys and imports: the department's clerks and administrators.

Who acts: a department's clerks record, handle, correct, redact and publish its decisions and
propose its bodies; the office or the legal-affairs reviewers (法制) of a jurisdiction confirm
its bodies (审核、确认、公布); supervisors run case-file reviews.
"""

from django.db.models import Q

from core.choices import ReviewField, Role
from core.permissions import (
    NONE,
    Action,
    is_staff_user,
    jurisdiction_scope,
    policy_rules,
    role_of,
    rule,
)

from .choices import BodyState

ACT = "act"  # a step: act on it
CONFIRM = "confirm"  # an enforcement body: confirm and publish it, or withdraw it
MANAGE = "manage"  # a case-file review: a supervisor of its jurisdiction runs it
PUBLIC = "public"  # a decision: read its public (published, redacted) columns

OVERSEERS = (Role.OFFICE, Role.SUPERVISOR, Role.REVIEWER, Role.ADMINISTRATOR)


def _clerk(user, field: str = "department_id") -> Q:
    if role_of(user) == Role.CLERK and user.department_id:
        return Q(**{field: user.department_id})
    return NONE


def _overseer(user, prefix: str) -> Q:
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


# --- enforcement bodies ------------------------------------------------------------------------


@rule("decisions.enforcementbody", Action.VIEW)
def _body_view(user) -> Q:
    public = Q(state=BodyState.CONFIRMED)
    if not is_staff_user(user):
        return public
    return _or(
        public,
        _clerk(user),
        _overseer(user, "department__jurisdiction__"),
    )


@rule("decisions.enforcementbody", Action.ADD, Action.CHANGE)
def _body_change(user) -> Q:
    return _clerk(user)


@rule("decisions.enforcementbody", CONFIRM)
def _body_confirm(user) -> Q:
    """Seed 004 一(二)6: the government of the level confirms its enforcement bodies: its reform
    office, or its legal-affairs (法制) reviewers."""
    role = role_of(user)
    if role == Role.OFFICE or (
        role == Role.REVIEWER
        and user.department_id
        and user.department.review_field == ReviewField.LEGAL
    ):
        return jurisdiction_scope(user, "department__jurisdiction__")
    return NONE


# --- decisions -------------------------------------------------------------------------------


@rule("decisions.decision", Action.VIEW)
def _decision_view(user) -> Q:
    if not is_staff_user(user):
        return NONE
    return _or(_clerk(user), _overseer(user, "jurisdiction__"))


@rule("decisions.decision", PUBLIC)
def _decision_public(user) -> Q:
    """Seed 002 监督检查办法 第十三条: a published decision is public — its public columns only;
    the public selectors and serializers read no other."""
    return Q(published_at__isnull=False)


@rule("decisions.decision", Action.ADD, Action.CHANGE)
def _decision_change(user) -> Q:
    return _clerk(user)


def _within_decisions(user) -> Q:
    if not is_staff_user(user):
        return NONE
    from core.permissions import restrict

    from .models import Decision

    return Q(decision_id__in=restrict(Decision.objects.all(), user).values("pk"))


for _label in (
    "decisions.decisionofficer",
    "decisions.redaction",
    "decisions.flowsteptime",
    "decisions.caserecord",
    "decisions.step",
    "decisions.event",
):
    rule(_label, Action.VIEW)(_within_decisions)


@rule("decisions.step", ACT)
def _step_act(user) -> Q:
    role = role_of(user)
    if role is None or not user.department_id:
        return NONE
    return Q(department_id=user.department_id, role=role, finished_at=None)


# --- case systems --------------------------------------------------------------------------


@rule("decisions.apitoken", Action.VIEW, Action.ADD, Action.CHANGE)
def _token_manage(user) -> Q:
    if role_of(user) == Role.ADMINISTRATOR:
        return jurisdiction_scope(user, "department__jurisdiction__")
    return _clerk(user)


@rule("decisions.importjob", Action.ADD)
def _import_add(user) -> Q:
    return _clerk(user)


@rule("decisions.importjob", Action.VIEW)
def _import_view(user) -> Q:
    """The department's clerks, and administrators of its jurisdiction (the admin's list)."""
    if role_of(user) == Role.ADMINISTRATOR:
        return jurisdiction_scope(user, "department__jurisdiction__")
    return _clerk(user)


# --- case-file review ------------------------------------------------------------------------


@rule("decisions.casereview", Action.VIEW)
def _review_view(user) -> Q:
    if role_of(user) in (Role.OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR):
        return jurisdiction_scope(user)
    return NONE


@rule("decisions.casereview", Action.ADD, MANAGE)
def _review_manage(user) -> Q:
    if role_of(user) == Role.SUPERVISOR and user.jurisdiction_id:
        return jurisdiction_scope(user)
    return NONE


@rule("decisions.reviewedfile", Action.VIEW)
def _reviewed_file_view(user) -> Q:
    if not is_staff_user(user):
        return NONE
    from core.permissions import restrict

    from .models import CaseReview

    return Q(review_id__in=restrict(CaseReview.objects.all(), user).values("pk"))


policy_rules("decisions.decisionpolicy")
