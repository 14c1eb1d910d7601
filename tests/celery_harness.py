"""A real Celery worker for tests: `celery --app=config worker` as a subprocess, fed by the
broker the settings name (Redis under CI) and connected to the very test database pytest-django
created. Nothing is mocked: a task goes through the broker, runs in another process and leaves
its effect in the database.

Use it in any test (registered in tests/conftest.py)::

    def test_sweep_runs_in_a_worker(celery_worker):
        ...  # build data through services; tasks enqueued on commit reach the worker
        celery_worker.wait_for(lambda: Thing.objects.filter(done=True).exists(), "thing done")

A periodic sweep is tested the same way: send it (`core.tasks.some_sweep.delay()`) and wait for
its effect. `CeleryWorkerProcess` itself can start other workers, with the embedded beat
(`beat=True`) or other settings (tests/test_celery_worker.py).

`celery_worker` brings `transactional_db` with it: a test's rows are committed, so the worker
sees them, and the tables are emptied afterwards. Each test gets its own worker (about three
seconds to start) on the test run's own queue (settings.CELERY_TASK_DEFAULT_QUEUE), and the
e-mail it sends lands as files in `celery_worker.outbox` (`celery_worker.sent_mail()`).

It needs PostgreSQL (another process cannot reach pytest's SQLite database) and Redis:
locally it skips without them, under CI it fails (tests.conftest.need).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


class CeleryWorkerProcess:
    """One `celery worker` subprocess with its log in a file (no pipe to fill up)."""

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        log_path: Path,
        queues: str | None = None,
        beat: bool = False,
        outbox: Path | None = None,
    ) -> None:
        self.nodename = f"test-{uuid.uuid4().hex[:8]}@%h"
        self.log_path = log_path
        self.outbox = outbox
        self.argv = [
            sys.executable,
            "-m",
            "celery",
            "--app=config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            f"--hostname={self.nodename}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if queues:
            self.argv.append(f"--queues={queues}")
        if beat:
            self.argv.append("--beat")
        self.env = {**env, "PYTHONUNBUFFERED": "1"}
        self.process: subprocess.Popen | None = None

    def start(self) -> "CeleryWorkerProcess":
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for(lambda: " ready." in self.log(), "the worker", READY_TIMEOUT_SECONDS)
        return self

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, condition: Callable[[], object], what: str, timeout: float = 30) -> None:
        """Polls `condition` until it is true; fails with the worker's log if it never is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.1)
        if condition():
            return
        state = "exited" if self.process and self.process.poll() is not None else "running"
        tail = self.log()[-6000:]
        pytest.fail(f"waited {timeout:.0f} s for {what}; the worker is {state}. Its log:\n{tail}")

    def sent_mail(self) -> list[str]:
        """The messages the worker's file e-mail backend wrote, oldest first."""
        if self.outbox is None or not self.outbox.exists():
            return []
        files = sorted(self.outbox.iterdir(), key=lambda path: path.stat().st_mtime)
        return [path.read_text(encoding="utf-8", errors="replace") for path in files]

    def stop(self) -> None:
        """Warm shutdown (SIGTERM to the process group, so an embedded beat goes too), then
        SIGKILL if it takes too long."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def database_url(settings_dict: Mapping) -> str:
    """The DATABASE_URL of the database Django is connected to (pytest's test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}@" if password else f"{user}@"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A worker for one test. Not shared across tests: a worker left running would also run
    the tasks other tests enqueue, against their data, while they run."""
    from celery import current_app
    from django.conf import settings
    from django.db import connection

    from config.celery import app

    # The project's tasks are shared tasks, sent through the process's current app: another
    # app made current by an earlier test would send them to its own broker, never to this
    # worker (tests/test_celery_worker.py makes its apps with set_as_current=False).
    assert current_app._get_current_object() is app, f"{current_app} is the current Celery app"
    need(connection.vendor == "postgresql", "the Celery worker needs PostgreSQL (DATABASE_URL)")
    need(
        settings.CELERY_BROKER_URL.startswith("redis://"),
        "the Celery worker needs Redis (CELERY_BROKER_URL)",
    )
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    # Earlier tests of this run may have enqueued tasks (on commit) that nobody consumed: they
    # must not run against this test's data.
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)

    outbox = tmp_path / "outbox"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "QINGDAN_TEST_QUEUE": queue,
        "QINGDAN_TEST_EMAIL_DIR": str(outbox),
        "QINGDAN_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    worker = CeleryWorkerProcess(
        env=env, log_path=tmp_path / "celery-worker.log", queues=queue, outbox=outbox
    )
    try:
        yield worker.start()
    finally:
        # Stopped before transactional_db empties the tables the worker may be using.
        worker.stop()
        with app.connection_for_write() as broker:
            broker.default_channel.queue_purge(queue)
