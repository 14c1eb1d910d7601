"""Access rules of the register, registered in core.permissions' one table (SPEC §1).

The published register is public: `Entry` holds nothing but published versions. Drafts are
their department's (and its office's) business only."""

from django.db.models import Q

from core.choices import Role
from core.permissions import ALL, NONE, Action, jurisdiction_scope, role_of, rule

CONSISTENCY = "consistency"

rule("registry.entry", Action.VIEW)(lambda user: ALL)
rule("registry.historicalentry", Action.VIEW)(lambda user: ALL)
rule("registry.category", Action.VIEW)(lambda user: ALL)
rule("registry.law", Action.VIEW)(lambda user: ALL)
rule("registry.provision", Action.VIEW)(lambda user: ALL)
rule("registry.citation", Action.VIEW)(lambda user: ALL)
rule("registry.inforcecount", Action.VIEW)(lambda user: ALL)
rule("registry.inforcetotal", Action.VIEW)(lambda user: ALL)


@rule("registry.entry", Action.ADD, Action.CHANGE)
def _entry_publish(user) -> Q:
    """Outside the adjustment workflow only an administrator publishes: the initial load of a
    register by import, and corrections of obvious errors."""
    if role_of(user) != Role.ADMINISTRATOR:
        return NONE
    return jurisdiction_scope(user)


@rule("registry.entry", CONSISTENCY)
def _entry_consistency(user) -> Q:
    """The consistency report (issue 3 §7) is for the office and the supervisors."""
    if role_of(user) not in (Role.OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR):
        return NONE
    return jurisdiction_scope(user)


@rule("registry.law", Action.ADD, Action.CHANGE)
@rule("registry.provision", Action.ADD, Action.CHANGE)
@rule("registry.category", Action.ADD, Action.CHANGE)
def _register_keeper(user) -> Q:
    return ALL if role_of(user) == Role.ADMINISTRATOR else NONE


@rule("registry.draft", Action.VIEW)
def _draft_view(user) -> Q:
    role = role_of(user)
    if role == Role.CLERK and user.department_id:
        return Q(department_id=user.department_id)
    if role in (Role.OFFICE, Role.ADMINISTRATOR):
        return jurisdiction_scope(user)
    return NONE


@rule("registry.draft", Action.ADD, Action.CHANGE)
def _draft_edit(user) -> Q:
    if role_of(user) == Role.CLERK and user.department_id:
        return Q(department_id=user.department_id)
    return NONE


@rule("registry.importjob", Action.VIEW, Action.CHANGE)
def _import_job_own(user) -> Q:
    """Issue 10 §2: an import job (its file, its problems) is its uploader's only, while they
    still import (an administrator or a department clerk)."""
    if role_of(user) not in (Role.ADMINISTRATOR, Role.CLERK):
        return NONE
    return Q(created_by=user)
