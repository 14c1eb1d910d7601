"""Reads of decisions, each through core.permissions (`restrict(user, action)`), the one
chokepoint. Public reads ask for PUBLIC (published decisions) and load only the public
columns; staff reads ask for VIEW (the department's clerks, the overseers of its
jurisdiction).

Sections: the register (below), then one per concern: the public search, the staff queue,
intake and the credit exchange, reviews and statistics, flow-step times.
"""

from django.db.models import Prefetch, QuerySet

from core.choices import PersonDuty
from core.models import EnforcementCertificate, Person
from core.permissions import Action, restrict

from .choices import BodyState
from .models import Decision, EnforcementBody
from .permissions import PUBLIC

# What a public page, the public API, feed and the credit export may read of a decision: never
# party_name, content, basis, title (their public_* versions instead), nor the party's identity
# number, address or phone, nor the officers' people.
PUBLIC_COLUMNS = (
    "id",
    "department_id",
    "jurisdiction_id",
    "body_id",
    "item_id",
    "item_version",
    "item_history_id",
    "category_id",
    "number",
    "party_kind",
    "party_credit_code",
    "legal_representative",
    "penalty_kinds",
    "fine_amount",
    "confiscated_amount",
    "licence_name",
    "licence_number",
    "valid_from",
    "valid_until",
    "decided_on",
    "served_on",
    "state",
    "public_title",
    "public_party_name",
    "public_content",
    "public_basis",
    "redacted",
    "published_at",
    "published_late",
    "version",
    "updated_at",
)


def decisions(*, user, action: str = Action.VIEW) -> QuerySet[Decision]:
    """Decisions in full, as `user` may `action` them."""
    return restrict(Decision.objects.all(), user, action)


def public_decisions(*, user) -> QuerySet[Decision]:
    """Published decisions, public columns only (with what a list shows of their relations)."""
    return (
        restrict(Decision.objects.all(), user, PUBLIC)
        .select_related("department", "body", "item", "category", "jurisdiction")
        .only(
            *PUBLIC_COLUMNS,
            "department__name",
            "body__name",
            "item__name",
            "item__code",
            "category__name",
            "category__code",
            "jurisdiction__name",
            "jurisdiction__path",
        )
    )


def enforcement_bodies(*, user, action: str = Action.VIEW) -> QuerySet[EnforcementBody]:
    return restrict(EnforcementBody.objects.all(), user, action).select_related(
        "department__jurisdiction"
    )


def public_bodies(*, user) -> QuerySet[EnforcementBody]:
    """Confirmed bodies (执法主体公示): what the public sees of every department."""
    return enforcement_bodies(user=user).filter(state=BodyState.CONFIRMED)


def officers(*, user, action: str = Action.VIEW) -> QuerySet[Person]:
    """Enforcement officers (people with the duty 执法人员) with their certificates, newest
    first."""
    return (
        restrict(Person.objects.filter(duty=PersonDuty.OFFICER), user, action)
        .select_related("department__jurisdiction")
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=restrict(EnforcementCertificate.objects.all(), user).order_by(
                    "-valid_until"
                ),
            )
        )
    )
