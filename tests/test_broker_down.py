"""NOTES "Celery and Redis": with the broker down, a task sent on commit is logged as lost and
the commit stands; the periodic sweeps find the work in the database. The callback must carry a
name Django can log (a bare functools.partial made the logging itself raise)."""

import logging

import pytest

from core.benchmarks import broker_redirected
from core.services.base import _enqueue_on_commit


@pytest.fixture
def broker_down():
    """A broker nothing listens on (port 9, discard), tried once."""
    with broker_redirected(
        "redis://127.0.0.1:9/0",
        task_publish_retry=False,
        broker_transport_options={"max_retries": 0},
    ):
        yield


def test_a_task_that_cannot_be_sent_is_logged_and_nothing_raises(
    db, broker_down, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.ERROR, logger="django.db.backends.base"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        _enqueue_on_commit("notifications_email_send", [1])
    assert len(callbacks) == 1
    assert "_task_send" in caplog.text
