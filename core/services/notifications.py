"""Notifications: the inbox and its e-mails (issue 2 §8)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import NotificationKind
from ..models import (
    Notification,
    User,
)
from ..permissions import Action, can
from .base import DomainError, _enqueue_on_commit


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """The inbox (issue 2 §7: reminders reach people as notifications): only the recipient
    marks a message read; the first reading time is kept."""
    if not can(actor, Action.CHANGE, notification):
        raise DomainError(_("This message is not yours."))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    """Marks every unread message of the actor read at once; returns how many changed."""
    unread = Notification.objects.restrict(actor, Action.CHANGE).filter(read_at=None)
    return unread.update(read_at=timezone.now())


# --- notifications ----------------------------------------------------------------------------


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str = "",
    url: str = "",
    dedupe_key: str,
    actor: User | None = None,
) -> list[Notification]:
    """Reminders reach people as notifications, exactly once: one row per active recipient,
    guarded by the unique (recipient, dedupe_key) constraint. A second call with the same key,
    even concurrent, creates nothing and sends nothing. Each new notification is e-mailed by a
    task after the commit. Returns the notifications created by this call."""
    max_key = Notification._meta.get_field("dedupe_key").max_length
    if not dedupe_key or len(dedupe_key) > max_key:
        raise ValueError(f"dedupe_key must have 1..{max_key} characters")
    kind = NotificationKind(kind)
    people = {user.pk: user for user in recipients if user.is_active}
    already = set(
        Notification.objects.filter(recipient_id__in=people, dedupe_key=dedupe_key).values_list(
            "recipient_id", flat=True
        )
    )
    created = []
    for pk, user in people.items():
        if pk in already:
            continue
        try:
            # A savepoint per row: a concurrent sender's row makes only this insert fail.
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    subject=subject[:200],
                    body=body,
                    url=url[:300],
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            continue
        created.append(notification)
        _enqueue_on_commit("notification_email_send", notification.pk)
    return created


@transaction.atomic
def notification_email_send(*, notification_id: int, actor: User | None = None) -> bool:
    """Sends a notification's e-mail at most once (emailed_at, under a row lock); a recipient
    with no e-mail address or an inactive account gets none. Returns whether it was sent."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if not recipient.email or not recipient.is_active:
        return False
    link = notification.url
    if link and not link.startswith(("http://", "https://")):
        link = f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{link}"
    body = f"{notification.body}\n\n{link}".strip() if link else notification.body
    send_mail(
        subject="[{}] {}".format(_("Qingdan"), notification.subject),
        message=body,
        from_email=None,
        recipient_list=[recipient.email],
    )
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


# Messages older than this are not e-mailed late: a reminder e-mailed days after the fact is
# noise; the inbox still holds it.
EMAIL_RETRY_WINDOW = datetime.timedelta(days=2)
# The on-commit task normally sends within seconds; the sweep waits this long before it
# steps in, so the two seldom race (and if they do, emailed_at under a row lock decides).
EMAIL_RETRY_AFTER = datetime.timedelta(minutes=5)


def notifications_email_pending(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """The periodic sweep behind notification_send's on-commit e-mail task: a message whose
    task was lost (broker down, worker stopped between the commit and the send) is e-mailed
    now, at most once (notification_email_send). Reads only recent unsent messages (partial
    index notification_email_pending). Returns how many went out."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(
            emailed_at=None,
            created_at__gte=now - EMAIL_RETRY_WINDOW,
            created_at__lte=now - EMAIL_RETRY_AFTER,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(
        1
        for notification_id in list(pending)
        if notification_email_send(notification_id=notification_id)
    )
