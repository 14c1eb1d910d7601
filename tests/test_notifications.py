"""The notifications inbox: each user reads and marks only their own messages; unread first;
the unread count is in the header."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import services
from core.choices import NotificationKind, Role
from core.models import Notification
from tests.conftest import need


def _send(user, key: str, subject: str = "", url: str = "") -> Notification:
    (notification,) = services.notification_send(
        recipients=[user],
        kind=NotificationKind.DEADLINE_REMINDER,
        subject=subject or f"提醒 {key}",
        url=url,
        dedupe_key=key,
    )
    return notification


@pytest.fixture
def clerk(org):
    return org.users[Role.CLERK]


def test_the_inbox_shows_only_the_users_own_messages_unread_first(client, org, clerk):
    read = _send(clerk, "a", "已读的消息")
    services.notification_mark_read(actor=clerk, notification=read)
    unread = _send(clerk, "b", "未读的消息")
    _send(org.users[Role.OFFICE], "c", "别人的消息")

    client.force_login(clerk)
    response = client.get(reverse("core:notifications"))
    assert [n.pk for n in response.context["notifications"]] == [unread.pk, read.pk]
    page = response.content.decode()
    assert "别人的消息" not in page
    assert response.context["unread_total"] == 1


def test_the_header_shows_the_unread_count(client, clerk):
    _send(clerk, "a")
    _send(clerk, "b")
    client.force_login(clerk)
    response = client.get(reverse("core:home"))
    assert response.context["unread_notification_count"] == 2
    assert '<span class="badge"' in response.content.decode()


def test_marking_one_read_keeps_the_others_unread(client, clerk):
    first, second = _send(clerk, "a"), _send(clerk, "b")
    client.force_login(clerk)
    response = client.post(reverse("core:notification-read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_opening_a_message_marks_it_read_and_follows_its_link(client, clerk):
    notification = _send(clerk, "a", url="/calendar/2026/")
    client.force_login(clerk)
    response = client.post(
        reverse("core:notification-read", args=[notification.pk]), {"next": notification.url}
    )
    assert response["Location"] == "/calendar/2026/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_to_another_site_is_not_followed(client, clerk):
    notification = _send(clerk, "a")
    client.force_login(clerk)
    response = client.post(
        reverse("core:notification-read", args=[notification.pk]),
        {"next": "https://attacker.example/"},
    )
    assert response["Location"] == reverse("core:notifications")


def test_nobody_marks_someone_elses_message(client, org, clerk):
    notification = _send(clerk, "a")
    client.force_login(org.users[Role.OFFICE])
    response = client.post(reverse("core:notification-read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    with pytest.raises(services.DomainError):
        services.notification_mark_read(actor=org.users[Role.OFFICE], notification=notification)


def test_marking_read_twice_keeps_the_first_time(clerk):
    notification = _send(clerk, "a")
    services.notification_mark_read(actor=clerk, notification=notification)
    first_time = notification.read_at
    services.notification_mark_read(actor=clerk, notification=notification)
    notification.refresh_from_db()
    assert notification.read_at == first_time


def test_mark_all_read_touches_only_the_users_messages(client, org, clerk):
    mine = [_send(clerk, "a"), _send(clerk, "b")]
    theirs = _send(org.users[Role.OFFICE], "c")
    client.force_login(clerk)
    response = client.post(reverse("core:notifications-read-all"))
    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_reading_needs_a_login_and_marking_needs_a_post(client, clerk):
    response = client.get(reverse("core:notifications"))
    assert response["Location"].startswith(reverse("core:login"))
    notification = _send(clerk, "a")
    client.force_login(clerk)
    response = client.get(reverse("core:notification-read", args=[notification.pk]))
    assert response.status_code == 405


def test_the_inbox_costs_the_same_queries_however_many_messages(client, clerk):
    client.force_login(clerk)
    _send(clerk, "first")

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("core:notifications"))
        assert response.status_code == 200
        return len(queries)

    measure()
    few = measure()
    for number in range(25):
        _send(clerk, f"more-{number}")
    assert measure() == few


def test_a_message_whose_email_task_was_lost_is_emailed_once_by_the_sweep(org, clerk, mailoutbox):
    """The on-commit task that e-mails a notification can be lost (broker down, worker gone
    between commit and send): the periodic sweep sends it, once, and leaves alone what is too
    recent (the task may still come), too old (noise by now) or has no address."""
    sent_at = timezone.now()
    with time_machine.travel(sent_at - datetime.timedelta(minutes=10)):
        # Outside captured on-commit callbacks the e-mail task is never sent: it is "lost".
        lost = _send(clerk, "lost", "丢失的邮件")
        no_address = _send(org.users[Role.ADMINISTRATOR], "no-address")
    with time_machine.travel(sent_at - datetime.timedelta(days=3)):
        stale = _send(clerk, "stale")
    recent = _send(clerk, "recent")
    administrator = org.users[Role.ADMINISTRATOR]
    administrator.email = ""
    services.user_save(actor=None, user=administrator, changed_fields=["email"])

    assert services.notifications_email_pending(now=sent_at) == 1
    assert [message.subject for message in mailoutbox] == ["[清单] 丢失的邮件"]
    assert services.notifications_email_pending(now=sent_at) == 0
    assert len(mailoutbox) == 1
    for pending in (no_address, stale, recent):
        pending.refresh_from_db()
        assert pending.emailed_at is None
    lost.refresh_from_db()
    assert lost.emailed_at is not None


# --- many at once (issue 11 §6) -----------------------------------------------------------------


def _drafts(users, keys, subject: str = "批量提醒") -> list[services.NotificationDraft]:
    return [
        services.NotificationDraft(user, NotificationKind.DEADLINE_MOVED, subject, "", "/x/", key)
        for key in keys
        for user in users
    ]


def _staff(org, count: int) -> list:
    return [
        services.user_create(
            actor=None,
            username=f"many-{number}",
            password=None,
            role=Role.CLERK,
            jurisdiction=org.city,
            department=org.departments["salt"],
            email=f"many-{number}@example.invalid",
        )
        for number in range(count)
    ]


def test_a_bulk_send_inserts_each_message_once_in_one_statement_per_batch(
    org, django_capture_on_commit_callbacks
):
    people = _staff(org, 5)
    people[4].is_active = False
    services.user_save(actor=None, user=people[4], changed_fields=["is_active"])
    # 4 active people × 3 keys, given twice over: 12 messages.
    drafts = _drafts(people, ["k1", "k2", "k3"]) * 2
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks() as callbacks,
    ):
        # Batches of 5 rows: 12 messages are three INSERTs and three e-mail tasks.
        sent = services.notifications_send_bulk(drafts=drafts, batch=5)
    assert len(sent) == 12
    assert {(n.recipient_id, n.dedupe_key) for n in sent} == {
        (user.pk, key) for user in people[:4] for key in ("k1", "k2", "k3")
    }
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 3
    assert all("ON CONFLICT DO NOTHING" in sql for sql in inserts)
    assert [callback.args[0] for callback in callbacks] == ["notifications_email_send"] * 3
    assert sorted(i for callback in callbacks for i in callback.args[1]) == sorted(
        n.id for n in sent
    )
    # Again, with two new keys among the old ones: only the new ones go out.
    again = services.notifications_send_bulk(drafts=_drafts(people, ["k1", "k4", "k5"]))
    assert {n.dedupe_key for n in again} == {"k4", "k5"} and len(again) == 8
    assert Notification.objects.filter(kind=NotificationKind.DEADLINE_MOVED).count() == 20


def test_a_batch_of_emails_goes_out_once(org, mailoutbox):
    people = _staff(org, 3)
    sent = services.notifications_send_bulk(drafts=_drafts(people, ["k"], subject="批量邮件"))
    ids = [n.id for n in sent]
    assert services.notifications_email_send(notification_ids=ids) == 3
    assert services.notifications_email_send(notification_ids=ids) == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in people)
    assert {m.subject for m in mailoutbox} == {"[清单] 批量邮件"}
    assert not Notification.objects.filter(pk__in=ids, emailed_at=None).exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bulk_sends_create_each_message_once(org):
    """Two senders at once on two connections, with overlapping messages: the unique
    constraint lets each row in once, the returned rows are exactly those each sender
    inserted, and together they are every message once."""
    need(connection.vendor == "postgresql", "row-level concurrency needs PostgreSQL")
    people = _staff(org, 30)
    keys = [f"concurrent-{n}" for n in range(10)]
    batches = [_drafts(people[:20], keys), _drafts(people[10:], keys)]
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def send(number: int) -> None:
        try:
            barrier.wait()
            results[number] = services.notifications_send_bulk(drafts=batches[number])
        except Exception as error:  # a failure is part of what is compared
            results[number] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(result, list) for result in results.values()), results
    first, second = ({(n.recipient_id, n.dedupe_key) for n in results[i]} for i in (0, 1))
    assert not first & second
    assert len(first | second) == 30 * 10
    stored = Notification.objects.filter(dedupe_key__startswith="concurrent-")
    assert stored.count() == 300
    assert {n.pk for n in stored} == {n.id for result in results.values() for n in result}
