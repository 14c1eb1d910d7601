"""Celery tasks: thin triggers (ids in, one service call), JSON-serialised. The database is the
truth; periodic sweeps re-find pending work, so a lost message changes nothing."""

from celery import shared_task

from core import services


@shared_task
def calendar_revision_apply(revision_id: int) -> int:
    return services.calendar_revision_apply(revision_id=revision_id)


@shared_task
def calendar_revisions_apply() -> int:
    """Beat sweep (config/celery.py): applies every calendar revision not applied yet."""
    return services.calendar_revisions_apply_pending()


@shared_task
def calendar_next_year_remind() -> int:
    """Daily (config/celery.py): reminds administrators of a missing yearly schedule."""
    return len(services.calendar_next_year_remind())


@shared_task
def notification_email_send(notification_id: int) -> bool:
    """One notification's e-mail: what notification_send enqueued before notifications went out
    in batches; kept so that messages already queued at an upgrade are still delivered."""
    return services.notification_email_send(notification_id=notification_id)


@shared_task
def notifications_email_send(notification_ids: list[int]) -> int:
    """The e-mails of one batch of notifications (notifications_send_bulk, after its commit)."""
    return services.notifications_email_send(notification_ids=notification_ids)


@shared_task
def notifications_email_pending() -> int:
    """Beat sweep (config/celery.py): e-mails the messages whose on-commit task was lost."""
    return services.notifications_email_pending()
