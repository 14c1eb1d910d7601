"""Celery for real: a task goes through the broker into a worker process and changes the
database (tests/celery_harness.py), and the embedded mode of `make run` (filesystem broker,
worker with beat) starts with neither Redis nor PostgreSQL."""

import os

from celery import Celery

from core import services
from core.choices import NotificationKind
from core.models import Notification
from tests.celery_harness import CeleryWorkerProcess


def test_notification_email_goes_through_the_broker_to_a_worker(celery_worker, org):
    recipient = org.users["office"]
    [notification] = services.notification_send(
        recipients=[recipient],
        kind=NotificationKind.CALENDAR_NEXT_YEAR,
        subject="Worker harness check",
        body="Sent by a real Celery worker.",
        dedupe_key="celery-harness-check",
    )
    # notification_send enqueued core.tasks.notifications_email_send (the batch of new
    # notifications) on commit: the worker, another process, marks the row and writes the
    # e-mail.
    celery_worker.wait_for(
        lambda: Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).exists(),
        "the worker to e-mail the notification",
    )
    [mail] = celery_worker.sent_mail()
    assert f"To: {recipient.email}" in mail
    assert "core.tasks.notifications_email_send[" in celery_worker.log()


def test_embedded_worker_with_beat_runs_on_the_filesystem_broker(tmp_path, monkeypatch):
    """`make run` mode: settings.local with no DATABASE_URL and no CELERY_BROKER_URL."""
    # Celery lets this variable override any broker an app names, the sender's below too.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "QINGDAN_TEST_QUEUE"}
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", QINGDAN_VAR_DIR=str(tmp_path))
    worker = CeleryWorkerProcess(env=env, log_path=tmp_path / "worker.log", beat=True)
    worker.start()
    try:
        worker.wait_for(lambda: "beat: Starting..." in worker.log(), "the embedded beat")
        assert "transport:   filesystem://" in worker.log()
        # A task sent into the same folders by another process is received and run.
        folder = tmp_path / "celery-broker"
        # Not made the current app: the project's shared tasks would go through it, to this
        # folder, for the rest of the process (the next test's worker would wait in vain).
        sender = Celery(
            set_as_current=False,
            broker="filesystem://",
            broker_transport_options={
                "data_folder_in": str(folder / "queue"),
                "data_folder_out": str(folder / "queue"),
                "control_folder": str(folder / "control"),
            },
        )
        task_id = sender.send_task("celery.accumulate", args=[1, 2]).id
        worker.wait_for(
            lambda: f"celery.accumulate[{task_id}] succeeded" in worker.log(),
            "the task sent through the filesystem broker",
        )
    finally:
        worker.stop()
    assert worker.process.returncode == 0, worker.log()[-3000:]
