"""The one place that decides who may do what (SPEC §1: deny by default).

Rules are keyed by (model label, action). A rule returns a Q that scopes the model's rows to
what the user may act on, or ALL / NONE. A pair with no rule is denied to everyone but
superusers. Views, the API, admin and tasks ask `can()` or `restrict()`; none builds its own
access filter.
"""

from collections.abc import Callable

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from .choices import Role


class Action(models.TextChoices):
    VIEW = "view", "view"
    ADD = "add", "add"
    CHANGE = "change", "change"
    DELETE = "delete", "delete"


ALL = Q()
NONE = Q(pk__in=[])

Rule = Callable[[object], Q]
RULES: dict[tuple[str, str], Rule] = {}


def rule(model_label: str, *actions: str):
    def register(function: Rule) -> Rule:
        for action in actions:
            RULES[(model_label.lower(), action)] = function
        return function

    return register


def role_of(user) -> Role | None:
    if user is None or not user.is_authenticated or not user.is_active or not user.role:
        return None
    return Role(user.role)


def is_staff_user(user) -> bool:
    return role_of(user) is not None


def jurisdiction_scope(user, prefix: str = "jurisdiction__") -> Q:
    """The user's jurisdiction and every jurisdiction below it: a city office sees its
    districts; nobody sees a sibling's."""
    if user.jurisdiction_id is None:
        return NONE
    return Q(**{f"{prefix}path__startswith": user.jurisdiction.path})


def restrict(queryset: models.QuerySet, user, action: str = Action.VIEW) -> models.QuerySet:
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return queryset
    found = RULES.get((queryset.model._meta.label_lower, str(action)))
    if found is None:
        return queryset.none()
    condition = found(user)
    if condition is NONE:
        return queryset.none()
    return queryset.filter(condition)


def can(user, action: str, target) -> bool:
    """May `user` perform `action` on `target` (a model instance, or a model class for
    "on some row of this kind", e.g. may they open the add form at all)?"""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return True
    model = target if isinstance(target, type) else type(target)
    found = RULES.get((model._meta.label_lower, str(action)))
    if found is None:
        return False
    condition = found(user)
    if condition is NONE:
        return False
    if isinstance(target, type):
        return True
    return model._default_manager.filter(condition, pk=target.pk).exists()


# --- the rules ----------------------------------------------------------------------------


def _public(user) -> Q:
    return ALL


def _staff(user) -> Q:
    return ALL if is_staff_user(user) else NONE


def _administrator(user) -> Q:
    return ALL if role_of(user) == Role.ADMINISTRATOR else NONE


def _administrator_in_scope(field: str):
    def condition(user) -> Q:
        if role_of(user) != Role.ADMINISTRATOR:
            return NONE
        return jurisdiction_scope(user, field)

    return condition


def _policy_change(user) -> Q:
    """SPEC §1: the office sets its jurisdiction's policies; administrators keep them too."""
    role = role_of(user)
    if role == Role.OFFICE and user.jurisdiction_id:
        return Q(jurisdiction_id=user.jurisdiction_id)
    if role == Role.ADMINISTRATOR:
        return jurisdiction_scope(user)
    return NONE


def policy_rules(model_label: str) -> None:
    """The rules of a workflow's policy model, one row per jurisdiction
    (core.services.jurisdiction_policy_save): all staff read the policies; the office sets its
    jurisdiction's, administrators those of their jurisdictions."""
    rule(model_label, Action.VIEW)(_staff)
    rule(model_label, Action.ADD, Action.CHANGE)(_policy_change)


# The organisation is public information (SPEC §2: items name their departments and units).
rule("core.jurisdiction", Action.VIEW)(_public)
rule("core.department", Action.VIEW)(_public)
rule("core.unit", Action.VIEW)(_public)
rule("core.jurisdiction", Action.ADD, Action.CHANGE)(_administrator_in_scope(""))
rule("core.department", Action.ADD, Action.CHANGE)(_administrator_in_scope("jurisdiction__"))
rule("core.unit", Action.ADD, Action.CHANGE)(_administrator_in_scope("department__jurisdiction__"))


@rule("core.person", Action.VIEW)
def _person_view(user) -> Q:
    # Names and work phones of responsible people are published with items (seed 004 一(一)).
    return ALL


def _administrator_or_own_clerk(department_field: str, jurisdiction_prefix: str):
    """Administrators of the scope, and a department's clerks for its own people and their
    enforcement certificates (issue 14 §1: each department keeps its officers' register)."""
    administrator = _administrator_in_scope(jurisdiction_prefix)

    def condition(user) -> Q:
        if role_of(user) == Role.CLERK and user.department_id:
            return Q(**{department_field: user.department_id})
        return administrator(user)

    return condition


rule("core.person", Action.ADD, Action.CHANGE)(
    _administrator_or_own_clerk("department_id", "department__jurisdiction__")
)


@rule("core.enforcementcertificate", Action.VIEW)
def _certificate_view(user) -> Q:
    """Officers are published by name and certificate number (issue 14 §1, seed 002 监督检查办法
    第十一条 持证上岗): the public checks who may enforce."""
    return ALL


rule("core.enforcementcertificate", Action.ADD, Action.CHANGE)(
    _administrator_or_own_clerk("person__department_id", "person__department__jurisdiction__")
)


@rule("core.user", Action.VIEW)
def _user_view(user) -> Q:
    if role_of(user) == Role.ADMINISTRATOR:
        return jurisdiction_scope(user)
    if is_staff_user(user):
        return Q(pk=user.pk)
    return NONE


rule("core.user", Action.ADD, Action.CHANGE)(_administrator_in_scope("jurisdiction__"))

# The calendar is public: anyone may compute a deadline; only administrators change it.
rule("core.calendarday", Action.VIEW)(_public)
rule("core.calendaryear", Action.VIEW)(_public)
rule("core.calendarday", Action.ADD, Action.CHANGE, Action.DELETE)(_administrator)
rule("core.calendaryear", Action.ADD, Action.CHANGE)(_administrator)
rule("core.calendarrevision", Action.VIEW)(_staff)


# --- the audit trail (issue 9 §15) -------------------------------------------------------
#
# A row of the trail tells who did what to which object, so it may reveal no more than the
# object itself: a row about a draft only to who may see that draft, a row about a request
# only to who may see the request, a login (a row about a user, with its address) only to
# administrators and the user themself. The object's own rule decides: the row stores the
# object's content type and id, and the model's VIEW rule scopes the objects whose rows the
# user may read. The workflow apps register their rules in this one table, so core imports none
# of them. A model with no VIEW rule keeps its rows from everyone (deny by default).


def _audited_models() -> list[str]:
    labels = {label for label, action in RULES if action == Action.VIEW}
    labels.discard("core.auditevent")
    return sorted(labels)


def _as_object_ids(queryset: models.QuerySet) -> models.QuerySet:
    # AuditEvent.object_id is text (any model's key); compare like with like.
    return queryset.annotate(audit_object_id=Cast("pk", models.CharField())).values(
        "audit_object_id"
    )


def _about_visible_objects(user, *, orphans: bool) -> Q:
    """Rows about objects the user may see; with `orphans`, also rows about objects that no
    longer exist (a deleted draft), which no rule can decide any more."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    public: list[int] = []
    condition = NONE
    for label in _audited_models():
        model = apps.get_model(label)
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        scope = RULES[(label, Action.VIEW)](user)
        if not scope:  # ALL: public rows
            public.append(content_type.pk)
            continue
        of_type = Q(content_type_id=content_type.pk)
        if scope is not NONE:
            visible = _as_object_ids(model._base_manager.filter(scope))
            condition |= of_type & Q(object_id__in=visible)
        if orphans:
            existing = _as_object_ids(model._base_manager.all())
            condition |= of_type & ~Q(object_id__in=existing)
    if public:
        condition |= Q(content_type_id__in=public)
    return condition


def _about_self(user) -> Q:
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    # get_user_model(), not type(user): a request's user is a lazy object.
    content_type = ContentType.objects.get_for_model(get_user_model(), for_concrete_model=False)
    return Q(content_type_id=content_type.pk, object_id=str(user.pk))


@rule("core.auditevent", Action.VIEW)
def _audit_view(user) -> Q:
    """Scoped like the objects it records (issue 2 §8, issue 9 §15): a department's users (its
    clerks, lead reviewers, digital office) read their own department's actions; the office and
    the supervisors their jurisdiction's and those below; administrators also the rows with no
    jurisdiction (a failed login for an unknown name). Within that, a row shows only if its
    object's rule lets the user see the object. Everyone reads their own actions and the rows
    about themselves (their logins, failed logins for their name)."""
    role = role_of(user)
    if role is None:
        return NONE
    own = Q(actor_id=user.pk) | _about_self(user)
    if role == Role.ADMINISTRATOR:
        scope = jurisdiction_scope(user) | Q(jurisdiction=None)
        objects = _about_visible_objects(user, orphans=True) | Q(content_type=None)
        return own | (scope & objects)
    if role in (Role.OFFICE, Role.SUPERVISOR):
        scope = jurisdiction_scope(user)
    elif user.department_id:
        scope = Q(actor__department_id=user.department_id)
    else:
        return own
    return own | (scope & _about_visible_objects(user, orphans=False))


def audit_address_visible(user, event) -> bool:
    """A row's address says where a person was: administrators see it on every row they may
    read, everyone else only on their own actions and the rows about themselves."""
    if role_of(user) == Role.ADMINISTRATOR or (user.is_authenticated and user.is_superuser):
        return True
    if event.actor_id is not None and event.actor_id == user.pk:
        return True
    from django.contrib.auth import get_user_model

    return (
        event.content_type_id is not None
        and event.object_id == str(user.pk)
        and event.content_type.model_class() is get_user_model()
    )


@rule("core.notification", Action.VIEW, Action.CHANGE)
def _own_notifications(user) -> Q:
    return Q(recipient=user) if is_staff_user(user) else NONE
