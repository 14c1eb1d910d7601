from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import services
from .choices import AuditAction


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    services.audit_record(actor=user, action=AuditAction.LOGIN, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        services.audit_record(actor=user, action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    # A failure for an existing user name is about that user: the trail shows it to them and
    # to their administrators, as their logins (core.permissions, the audit trail).
    User = get_user_model()
    target = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    services.audit_record(
        actor=None, action=AuditAction.LOGIN_FAILED, obj=target, detail={"username": username}
    )
