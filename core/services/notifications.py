"""Notifications: the inbox and its e-mails (issue 2 §8)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import NotificationKind
from ..models import (
    Notification,
    User,
)
from ..permissions import Action, can
from .base import DomainError, _enqueue_on_commit, _rows_insert_new


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

# Rows per INSERT, and the notifications one e-mail task carries: this product's default (a
# statement of 7,000 parameters, a task a worker finishes in a minute or so).
SEND_BATCH = 1000


@dataclass(frozen=True)
class NotificationDraft:
    """One message to one person, before it is sent (notifications_send_bulk)."""

    recipient: User
    kind: str
    subject: str
    body: str
    url: str
    dedupe_key: str


@dataclass(frozen=True)
class SentNotification:
    """A notification notifications_send_bulk created (not one that was there already)."""

    id: int
    recipient_id: int
    dedupe_key: str


def _checked_key(dedupe_key: str) -> str:
    max_key = Notification._meta.get_field("dedupe_key").max_length
    if not dedupe_key or len(dedupe_key) > max_key:
        raise ValueError(f"dedupe_key must have 1..{max_key} characters")
    return dedupe_key


@transaction.atomic
def notifications_send_bulk(
    *, drafts: Iterable[NotificationDraft], actor: User | None = None, batch: int = SEND_BATCH
) -> list[SentNotification]:
    """Issue 2 §8 / issue 4 §5: reminders reach people as notifications, exactly once, however
    many at a time (a sweep, a calendar change moving thousands of deadlines). One row per
    active recipient and key, inserted `batch` at a time by one INSERT … ON CONFLICT DO
    NOTHING each: the unique (recipient, dedupe_key) constraint refuses a row that is there
    already, or that a concurrent sender is inserting (the insert waits for its commit), and
    the rows that went in are those the statement returns. After the commit one e-mail task
    per batch carries their ids (notifications_email_send). Returns the notifications created
    by this call, in the order of `drafts`."""
    now = timezone.now()
    fields = ["recipient", "kind", "subject", "body", "url", "dedupe_key", "created_at"]
    seen: set[tuple[int, str]] = set()
    rows: list[tuple] = []
    for draft in drafts:
        recipient_id, key = draft.recipient.pk, _checked_key(draft.dedupe_key)
        if not draft.recipient.is_active or (recipient_id, key) in seen:
            continue
        seen.add((recipient_id, key))
        kind = NotificationKind(draft.kind).value
        rows.append(
            (recipient_id, kind, draft.subject[:200], draft.body, draft.url[:300], key, now)
        )
    sent: list[SentNotification] = []
    for first in range(0, len(rows), batch):
        chunk = rows[first : first + batch]
        created = {
            (recipient_id, key): pk
            for pk, recipient_id, key in _rows_insert_new(
                Notification, fields, chunk, returning=["id", "recipient", "dedupe_key"]
            )
        }
        new = [
            SentNotification(created[(recipient_id, key)], recipient_id, key)
            for recipient_id, _kind, _subject, _body, _url, key, _at in chunk
            if (recipient_id, key) in created
        ]
        if new:
            _enqueue_on_commit("notifications_email_send", [n.id for n in new])
        sent += new
    return sent


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
    """One message to several people, exactly once (notifications_send_bulk): a second call
    with the same key, even concurrent, creates nothing and sends nothing. Returns the
    notifications created by this call."""
    _checked_key(dedupe_key)
    sent = notifications_send_bulk(
        actor=actor,
        drafts=[
            NotificationDraft(user, kind, subject, body, url, dedupe_key) for user in recipients
        ],
    )
    return list(
        Notification.objects.filter(pk__in=[notification.id for notification in sent])
        .select_related("recipient")
        .order_by("pk")
    )


@transaction.atomic
def notification_email_send(
    *, notification_id: int, actor: User | None = None, mail_connection=None
) -> bool:
    """Sends a notification's e-mail at most once (emailed_at, under a row lock); a recipient
    with no e-mail address or an inactive account gets none. `mail_connection`: an open
    connection of the e-mail backend to send through (notifications_email_send shares one
    across a batch). Returns whether it was sent."""
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
        connection=mail_connection,
    )
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def notifications_email_send(*, notification_ids: Iterable[int], actor: User | None = None) -> int:
    """The e-mails of a batch of notifications (the task notifications_send_bulk enqueues after
    its commit), through one connection of the e-mail backend. Each is its own transaction
    (notification_email_send: at most once, under its row lock), so an e-mail sent stays sent
    if a later one fails; the failed one and the rest of the batch are e-mailed by the
    notifications_email_pending sweep. Returns how many went out."""
    with get_connection() as mail_connection:
        return sum(
            1
            for notification_id in notification_ids
            if notification_email_send(
                notification_id=notification_id, mail_connection=mail_connection
            )
        )


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
