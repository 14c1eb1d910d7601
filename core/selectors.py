"""Reads of the core pages. Each takes the user and goes through `.restrict(user, action)`:
core.permissions decides what is visible, the selectors only shape it for a page."""

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from .choices import DepartmentFunction
from .models import (
    AuditEvent,
    Department,
    EnforcementCertificate,
    Jurisdiction,
    Notification,
    Unit,
    User,
)
from .permissions import Action, restrict


def audit_events(*, user) -> QuerySet[AuditEvent]:
    """The trail the user may read, newest first, with what each row shows in one query."""
    return AuditEvent.objects.restrict(user, Action.VIEW).select_related(
        "jurisdiction", "content_type"
    )


def notifications(*, user) -> QuerySet[Notification]:
    """The user's inbox: unread messages first, newest first within each group."""
    return (
        Notification.objects.restrict(user, Action.VIEW)
        .annotate(
            unread=Case(
                When(read_at=None, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-unread", "-created_at", "-id")
    )


def unread_notifications(*, user) -> QuerySet[Notification]:
    return Notification.objects.restrict(user, Action.VIEW).filter(read_at=None)


# The order departments are listed in: the procedure's offices first, then line departments.
_FUNCTIONS = [
    DepartmentFunction.REFORM_OFFICE,
    DepartmentFunction.LEAD_REVIEWER,
    DepartmentFunction.DIGITAL_OFFICE,
    DepartmentFunction.SUPERVISION,
    DepartmentFunction.GENERAL,
]


def departments_of_own_jurisdiction(*, user) -> QuerySet[Department]:
    """For the reform office's home page: the departments of its own jurisdiction with the
    number of internal units and people each has."""
    return (
        Department.objects.restrict(user, Action.VIEW)
        .filter(jurisdiction_id=user.jurisdiction_id)
        .annotate(
            unit_count=Count("units", distinct=True),
            people_count=Count("people", distinct=True),
            function_rank=Case(
                *(When(function=value, then=Value(rank)) for rank, value in enumerate(_FUNCTIONS)),
                default=Value(len(_FUNCTIONS)),
            ),
        )
        .order_by("function_rank", "review_field", "name")
    )


def jurisdictions_below(*, user) -> QuerySet[Jurisdiction]:
    """The jurisdictions directly under the user's own one."""
    return Jurisdiction.objects.restrict(user, Action.VIEW).filter(parent_id=user.jurisdiction_id)


def units_of_own_department(*, user) -> QuerySet[Unit]:
    if user.department_id is None:
        return Unit.objects.none()
    return (
        Unit.objects.restrict(user, Action.VIEW)
        .filter(department_id=user.department_id)
        .annotate(people_count=Count("people"))
    )


def administrator_overview(*, user) -> dict[str, int]:
    """Counts for the administrator's home page, each over what the user manages."""
    today = timezone.localdate()
    certificates = EnforcementCertificate.objects.restrict(user, Action.CHANGE).aggregate(
        valid=Count("pk", filter=Q(valid_from__lte=today, valid_until__gte=today)),
        expired=Count("pk", filter=Q(valid_until__lt=today)),
    )
    return {
        # User's manager is Django's UserManager, which has no `.restrict()` method.
        "users": restrict(User.objects.all(), user, Action.CHANGE).count(),
        "jurisdictions": Jurisdiction.objects.restrict(user, Action.CHANGE).count(),
        "departments": Department.objects.restrict(user, Action.CHANGE).count(),
        "certificates_valid": certificates["valid"],
        "certificates_expired": certificates["expired"],
    }
