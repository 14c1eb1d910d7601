"""The benchmark functions (adjustments/benchmarks.py) that `manage.py bench_sweep`,
`manage.py bench_calendar` and a benchmark orchestrator call: small sizes here, for what they
report and for what they must never do, which is to publish a task to the configured broker
(a worker serving a real database would e-mail the benchmark's people, or apply its calendar
revision)."""

import pytest
import redis
from celery.signals import after_task_publish
from django.conf import settings

from adjustments.benchmarks import calendar_edit_bench, sweep_bench
from adjustments.models import Step
from config.celery import app
from core.models import CalendarDay, CalendarRevision
from tests.conftest import need


@pytest.fixture
def redis_queue():
    """The length of this test run's queue in the Redis the settings name, before and after."""
    need(settings.CELERY_BROKER_URL.startswith("redis://"), "the broker test needs Redis")
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    yield lambda: client.llen(queue)
    client.close()


@pytest.fixture
def published():
    """(task name, transport) of every task published while the test runs."""
    seen = []

    def record(sender=None, **kwargs):
        transport = app.amqp.producer_pool.connections.connection.transport.driver_type
        seen.append((sender, transport))

    after_task_publish.connect(record, weak=False)
    yield seen
    after_task_publish.disconnect(record)


@pytest.mark.django_db(transaction=True)
def test_the_benchmarks_publish_nothing_to_the_broker(redis_queue, published):
    """Committed for real (a transactional test), so the on-commit tasks are published: to the
    in-memory broker, and not one more message is in the Redis queue (earlier transactional
    tests of the run may have left theirs)."""
    before = redis_queue()
    swept = sweep_bench(open_steps=20, due_steps=6, requests=2)
    edited = calendar_edit_bench(steps=12, stopped=3, requests=2)
    assert redis_queue() == before
    names = {name for name, _transport in published}
    assert {"core.tasks.calendar_revision_apply"} <= names
    assert any("email" in name for name in names)
    assert {transport for _name, transport in published} == {"memory"}
    assert (swept.rows, edited.rows) == (6, 12)
    # Afterwards the app publishes where it did before.
    assert app.amqp.producer_pool.connections.connection.transport.driver_type == "redis"


def test_the_sweep_benchmark_reports_what_it_swept(calendar):
    result = sweep_bench(open_steps=30, due_steps=10, requests=3)
    # Half reminded (each to the clerk or the office holding it), half overdue and escalated:
    # three clerk's steps to the clerk, the office and the supervisor, two office's steps to
    # the office and the supervisor.
    assert (result.rows, result.notifications) == (10, 5 + 3 * 3 + 2 * 2)
    assert result.statements > 0 and result.milliseconds > 0
    again = sweep_bench(open_steps=0, due_steps=4, requests=1)
    assert again.rows == 4


def test_the_calendar_benchmark_moves_every_step_and_leaves_the_calendar_as_it_was(calendar):
    days = set(CalendarDay.objects.values_list("date", "kind", "name"))
    result = calendar_edit_bench(steps=40, stopped=5, requests=3)
    steps = Step.objects.filter(request__summary__startswith="基准测试")
    # One notice per holder of the moved steps (one batch).
    holders = {holder.pk for step in steps for holder in step.holders()}
    assert (result.rows, result.notifications) == (40, len(holders))
    assert len(holders) > 1
    assert not steps.filter(finished_at=None)
    assert set(CalendarDay.objects.values_list("date", "kind", "name")) == days
    # Both of its revisions (the holiday and back) are applied; the fixture's seed is not.
    pending = CalendarRevision.objects.filter(applied_at=None)
    assert list(pending) == [calendar.revision]
