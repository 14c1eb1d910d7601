"""Login protection on top of django-axes (issue 9 §16).

Axes counts failures per user name and address together (config/settings/base.py). That stops
guessing one person's password but not password spraying: a few guesses at each of many user
names from one address, each below the per-name limit. This handler adds a limit per address
across every user name, counted over axes' own attempt rows within the cool-off. Attempts
refused during a lockout are not recorded (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is
off), so neither lockout is extended by them: both end a fixed cool-off after the last counted
failure."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off, over every user name."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    total = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def _address_over_limit(request) -> bool:
    return address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class LoginProtectionHandler(AxesDatabaseHandler):
    """Axes' database handler with the per-address limit; the lockout page tells the two
    lockouts apart by `request.qingdan_address_locked`."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if _address_over_limit(request):
            request.qingdan_address_locked = True
            return True
        return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        # The failure that reaches the limit is already answered with the lockout page.
        if _address_over_limit(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            request.qingdan_address_locked = True
