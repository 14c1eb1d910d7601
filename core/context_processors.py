from django.utils import timezone

from . import calendar
from .choices import Role
from .permissions import role_of
from .selectors import unread_notifications


def navigation(request) -> dict:
    """What the header and navigation of every page need: the user's role and, for staff,
    the number of unread messages."""
    user = getattr(request, "user", None)
    role = role_of(user)
    context = {"current_role": role, "is_administrator": role == Role.ADMINISTRATOR}
    if role is not None:
        context["unread_notification_count"] = unread_notifications(user=user).count()
    return context


def calendar_reminder(request) -> dict:
    """Issue 2 §7: from 1 November until next year's schedule is confirmed (and while the
    current year's is missing), administrators see a warning on every page."""
    if role_of(getattr(request, "user", None)) != Role.ADMINISTRATOR:
        return {}
    today = timezone.localdate(timezone=calendar.SHANGHAI)
    return {"calendar_missing_years": calendar.unconfirmed_years_due(today)}
