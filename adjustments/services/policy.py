"""Policies per jurisdiction and who acts (routing to offices, reviewers, supervisors).

Deadlines are data: each request keeps a snapshot of its jurisdiction's AdjustmentPolicy (seed
004 by default) from its creation.
"""

from django.utils.translation import gettext as _

from core.choices import DepartmentFunction
from core.models import Department, Jurisdiction, User
from core.services import (
    DomainError,
    jurisdiction_paths_up,
    jurisdiction_policy,
    jurisdiction_policy_save,
    policy_fields,
)

from ..models import AdjustmentPolicy

# --- policies ----------------------------------------------------------------------------------


def policy_for(jurisdiction: Jurisdiction) -> AdjustmentPolicy:
    """The policy a jurisdiction follows: its own, else the nearest one above it, else the
    model's defaults, unsaved (seed 004's numbers, and this product's where no seed sets a
    period)."""
    return jurisdiction_policy(AdjustmentPolicy, jurisdiction)


POLICY_FIELDS = policy_fields(AdjustmentPolicy)


def policy_save(
    *, actor: User | None, jurisdiction: Jurisdiction, values: dict
) -> AdjustmentPolicy:
    """SPEC §4 ("variants that must be expressible as policy per jurisdiction") and §1 (the
    office sets its policies): a jurisdiction's deadlines (seed 004 三(三) by default, seed
    002 第十条's "7日内" as seven calendar days) and its paths (seed 003 三(二)5: a change of
    institutions adjusted by the district office and filed with the city office; a change of
    law reviewed by the city office and decided by the executive meeting). Requests already
    under way keep the numbers they started with."""
    return jurisdiction_policy_save(
        actor=actor, model=AdjustmentPolicy, jurisdiction=jurisdiction, values=values
    )


# --- who acts ----------------------------------------------------------------------------------


def digital_office_of(jurisdiction: Jurisdiction) -> Department:
    """The digital office of the jurisdiction, or of the nearest jurisdiction above it that has
    one (a district may publish through the city's network)."""
    paths = jurisdiction_paths_up(jurisdiction)
    candidates = Department.objects.filter(
        function=DepartmentFunction.DIGITAL_OFFICE, jurisdiction__path__in=paths
    ).select_related("jurisdiction")
    nearest = sorted(candidates, key=lambda d: (-len(d.jurisdiction.path), d.pk))
    if not nearest:
        raise DomainError(
            _("No digital office serves %(jurisdiction)s: an administrator must add one.")
            % {"jurisdiction": jurisdiction}
        )
    return nearest[0]


def reviewer_departments(jurisdiction: Jurisdiction):
    """The lead review departments (seed 004 三(三)2: 编办, 法制办, 政务服务中心, 财政局, 发改委) a
    request of `jurisdiction` may be forwarded to: those of its own jurisdiction and above."""
    return (
        Department.objects.filter(
            function=DepartmentFunction.LEAD_REVIEWER,
            jurisdiction__path__in=jurisdiction_paths_up(jurisdiction),
        )
        .select_related("jurisdiction")
        .order_by("-jurisdiction__path", "review_field", "name")
    )
