"""What the benchmarks share (`manage.py bench_sweep`, `manage.py bench_calendar`, and any
orchestrator that calls an app's benchmark functions on a database it prepared): the figures
of one measured call (wall time, SQL statements, peak memory) and a Celery app that publishes
nowhere while a benchmark runs.

Figures, not pass/fail: compare runs on the same machine."""

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.test.utils import override_settings

# Celery reads these before its own settings (celery.app.utils.Settings): a value in the
# environment wins over anything the app is configured with.
_BROKER_VARIABLES = ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL")
_BROKER_SETTINGS = (
    "broker_url",
    "broker_read_url",
    "broker_write_url",
    "broker_transport_options",
)

# kombu's in-memory transport (a host named, or kombu warns that it assumes one).
MEMORY_BROKER = "memory://localhost/"


@dataclass(frozen=True)
class BenchResult:
    """One measured call. `rows`: what it changed (steps notified, deadlines moved);
    `peak_rss_mb`: the highest resident memory during the call above what the process held
    when it began, in MiB."""

    label: str
    milliseconds: float
    statements: int
    rows: int
    notifications: int
    peak_rss_mb: float
    build_seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.label:<34} {self.milliseconds:>9.0f} ms {self.statements:>7} statements"
            f" {self.rows:>7} rows {self.notifications:>7} notifications"
            f" {self.peak_rss_mb:>7.1f} MiB peak"
        )


class StatementCounter:
    """Counts every statement sent to the database (an execute wrapper: nothing is kept, so a
    long run costs no memory, unlike DEBUG's query log)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _resident_bytes() -> int:
    # Linux: the second field of /proc/self/statm is the resident set in pages.
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """Samples the process's resident memory every 5 ms while the block runs (the kernel's
    ru_maxrss is the peak of the whole process, which an earlier step may already have set)."""

    def __init__(self) -> None:
        self.start = self.peak = _resident_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _resident_bytes())

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _resident_bytes())

    @property
    def delta_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def measure(label: str, call: Callable[[], object]) -> tuple[object, BenchResult]:
    """Runs `call` once and returns its result with its figures (rows and notifications are
    the caller's to fill in: `dataclasses.replace`)."""
    counter = StatementCounter()
    with PeakRss() as memory, connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = call()
        elapsed = (time.perf_counter() - started) * 1000
    return result, BenchResult(label, elapsed, counter.count, 0, 0, memory.delta_mb)


def _celery_pools_reset(app) -> None:
    # The app keeps the broker connection pool and the producer pool it made on first use: a
    # benchmark that only changed the settings would still publish through a connection made
    # before it began. Dropping the app's references is what Celery itself does after a fork
    # (the pools stay in kombu's registry, keyed by their broker, for whoever uses that broker).
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_redirected(url: str, **settings) -> Iterator[None]:
    """Every task published inside the block goes to the broker at `url`, whatever the
    settings and the environment say (Celery reads CELERY_BROKER_URL from the environment
    before its own settings), with `settings` of the Celery app changed too; the pools made
    before are dropped. Afterwards everything is as it was."""
    from config.celery import app

    saved_variables = {name: os.environ.get(name) for name in _BROKER_VARIABLES}
    saved_settings = {name: app.conf.get(name) for name in (*_BROKER_SETTINGS, *settings)}
    for name in _BROKER_VARIABLES:
        os.environ[name] = url
    app.conf.update(
        {
            "broker_transport_options": {},
            **settings,
            "broker_url": url,
            "broker_read_url": url,
            "broker_write_url": url,
        }
    )
    _celery_pools_reset(app)
    try:
        yield
    finally:
        for name, value in saved_variables.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        app.conf.update(saved_settings)
        _celery_pools_reset(app)


@contextmanager
def broker_isolated() -> Iterator[None]:
    """Every task published inside the block goes to kombu's in-memory transport of this
    process and is dropped: a benchmark's data (its e-mails, its calendar revision) must never
    reach a worker serving a real database through the configured broker (Redis). Raises if
    the app would still write anywhere else."""
    from config.celery import app

    with broker_redirected(MEMORY_BROKER):
        transport = app.amqp.producer_pool.connections.connection.transport.driver_type
        if transport != "memory":
            raise RuntimeError(f"the benchmark would publish to {transport}")
        with override_settings(DEBUG=False):
            yield
