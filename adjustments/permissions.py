"""Access rules of the adjustment procedure, registered in core.permissions' one table (SPEC
§1: deny by default). Services ask them before every change; pages and the API read through
selectors that restrict with them.

Who sees a request: its department's clerks and those of a department it moves entries to (or
merges entries into); the office, supervisors and administrators of its
jurisdiction and of every jurisdiction above it; and every department a step of it was ever
assigned to (lead reviewers, the digital office, the office above). Who acts: the users of the
department an open step is assigned to, in the role that step needs (choices.STEP_ROLE)."""

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

from .choices import PUBLIC_STATES, REVIEW_STEPS, TALK_STATES, step_kinds_of

# Custom actions.
ACT = "act"  # a step: act on it (finish it with an opinion)
EXTEND = "extend"  # a request: extend its application period (the office)
WITHDRAW = "withdraw"  # a request: change, submit, withdraw it (its department)
ANNOUNCE = "announce"  # a request: read its public announcement
TALK = "talk"  # a request: send a message between its lead reviewers and its department


def _assigned(user) -> Q:
    from .models import Step

    if not user.department_id:
        return NONE
    steps = Step.objects.filter(department_id=user.department_id).values("request_id")
    return Q(pk__in=steps)


def _own_or_receiving(user) -> Q:
    """A clerk's requests: their department's, and those that move entries to it or merge
    entries into its own (seed 004 三(二)3, 三定: both departments see the change)."""
    from .models import RequestItem

    if not user.department_id:
        return NONE
    receiving = RequestItem.objects.filter(to_department_id=user.department_id)
    return Q(department_id=user.department_id) | Q(pk__in=receiving.values("request_id"))


@rule("adjustments.adjustmentrequest", Action.VIEW)
def _request_view(user) -> Q:
    role = role_of(user)
    if role is None:
        return NONE
    if role == Role.CLERK:
        return _own_or_receiving(user)
    if role in (Role.OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR):
        return jurisdiction_scope(user) | _assigned(user)
    return _assigned(user)


@rule("adjustments.adjustmentrequest", Action.ADD)
def _request_add(user) -> Q:
    return ALL if role_of(user) == Role.CLERK and user.department_id else NONE


@rule("adjustments.adjustmentrequest", Action.CHANGE, WITHDRAW)
def _request_own(user) -> Q:
    if role_of(user) != Role.CLERK or not user.department_id:
        return NONE
    return Q(department_id=user.department_id)


@rule("adjustments.adjustmentrequest", EXTEND)
def _request_extend(user) -> Q:
    """Seed 004 三(三)1: "经市政务服务改革管理办公室批准可延长至30个工作日": the office of the
    request's own jurisdiction."""
    if role_of(user) != Role.OFFICE or not user.jurisdiction_id:
        return NONE
    return Q(jurisdiction_id=user.jurisdiction_id)


@rule("adjustments.adjustmentrequest", ANNOUNCE)
def _request_announce(user) -> Q:
    """Published adjustments are announced to everyone (SPEC §10); nothing before that."""
    return Q(state__in=PUBLIC_STATES)


@rule("adjustments.adjustmentrequest", TALK)
def _request_talk(user) -> Q:
    """Seed 004 三(三)3 "主动与申请单位沟通对接": during review, the applying department's clerks
    and the lead reviewers the request was forwarded to (a review or re-review step of their
    department) exchange messages on it."""
    from .models import Step

    role = role_of(user)
    if not user.department_id or role not in (Role.CLERK, Role.REVIEWER):
        return NONE
    if role == Role.CLERK:
        side = Q(department_id=user.department_id)
    else:
        steps = Step.objects.filter(department_id=user.department_id, kind__in=REVIEW_STEPS)
        side = Q(pk__in=steps.values("request_id"))
    return side & Q(state__in=TALK_STATES)


def _within_visible_requests(prefix: str):
    def condition(user) -> Q:
        if not is_staff_user(user):
            return NONE
        from core.permissions import restrict

        from .models import AdjustmentRequest

        visible = restrict(AdjustmentRequest.objects.all(), user, Action.VIEW).values("pk")
        return Q(**{f"{prefix}__in": visible})

    return condition


rule("adjustments.step", Action.VIEW)(_within_visible_requests("request_id"))
rule("adjustments.requestevent", Action.VIEW)(_within_visible_requests("request_id"))
rule("adjustments.attachment", Action.VIEW)(_within_visible_requests("request_id"))
rule("adjustments.requestitem", Action.VIEW)(_within_visible_requests("request_id"))


@rule("adjustments.step", ACT)
def _step_act(user) -> Q:
    role = role_of(user)
    if role is None or not user.department_id:
        return NONE
    kinds = step_kinds_of(role)
    if not kinds:
        return NONE
    return Q(department_id=user.department_id, kind__in=kinds, finished_at=None)


policy_rules("adjustments.adjustmentpolicy")
