"""Serving (issue 11 §7): gunicorn imports the project once, in its master, before it forks the
workers (docker/gunicorn.conf.py, config/wsgi.py), and replaces each worker now and then. What
the master opened at import every worker would inherit and share with the others, so importing
the WSGI application must open no database or Redis connection and no file."""

import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from gunicorn.config import Config

from tests import registry_builders as rb
from tests.conftest import need
from tests.production_env import production_env

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**overrides: str) -> dict[str, str]:
    # Plain HTTP from the test to 127.0.0.1, which no reverse proxy marks as HTTPS.
    return production_env(
        **{"ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", **overrides}
    )


def _gunicorn_config() -> Config:
    """docker/gunicorn.conf.py read the way gunicorn reads a configuration file: only the
    names gunicorn knows count."""
    config = Config()
    for name, value in runpy.run_path(str(ROOT / "docker" / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_gunicorn_preloads_the_project_and_replaces_workers_with_jitter(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    config = _gunicorn_config()
    assert config.preload_app is True
    assert config.max_requests > 0
    assert 0 < config.max_requests_jitter < config.max_requests
    # The documented defaults (docs/deployment.md): three sync workers of one thread.
    assert (config.workers, config.threads, config.worker_class_str) == (3, 1, "sync")
    assert config.pre_fork.__module__ != "gunicorn.config"  # the gc.freeze hook is ours

    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("WEB_THREADS", "4")
    config = _gunicorn_config()
    assert (config.workers, config.threads, config.worker_class_str) == (5, 4, "gthread")


# Run in a fresh interpreter: the descriptors open before and after importing the WSGI
# application, and the database connections Django holds after it.
IMPORT_PROBE = """
import json, os, sys

def descriptors():
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except FileNotFoundError:  # the listing's own descriptor, closed by now
            pass
    return found

before = descriptors()
from config.wsgi import application
from django.db import connections

opened = {fd: target for fd, target in descriptors().items() if before.get(fd) != target}
print(json.dumps({
    "aliases": sorted(connections),
    "connected": [c.alias for c in connections.all() if c.connection is not None],
    "opened": opened,
    "views_imported": "registry.views" in sys.modules,
}))
"""


def test_importing_the_wsgi_application_opens_no_connection_or_file(tmp_path):
    """What gunicorn's master does before it forks: with the database, its replica, the cache
    and the broker all configured (the real PostgreSQL and Redis of the test run when it has
    them), importing connects to none of them and leaves no file open."""
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    redis = os.environ.get("CELERY_BROKER_URL", "")
    redis = redis if redis.startswith("redis://") else "redis://127.0.0.1:6379/0"
    env = _production_env(
        DATABASE_URL=database,
        DATABASE_REPLICA_URL=database,
        CACHE_URL=redis,
        CELERY_BROKER_URL=redis,
        QINGDAN_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.splitlines()[-1])
    assert probe["aliases"] == ["default", "replica"]
    assert probe["connected"] == []
    assert probe["opened"] == {}
    # The point of preloading: the views are imported by the master, not by each worker.
    assert probe["views_imported"] is True


def _database_url() -> str:
    """The test database as a URL, for a server process outside the test."""
    settings = connection.settings_dict
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return (
        f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        f"/{settings['NAME']}"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


@pytest.mark.django_db(transaction=True)
def test_replaced_workers_keep_serving_the_register_from_their_own_connections(org, tmp_path):
    """gunicorn as the web container starts it, on the test database, with its workers
    replaced every few requests: every page is served, by workers forked from the preloaded
    master, each opening its own database connection."""
    need(connection.vendor == "postgresql", "a server process needs PostgreSQL (DATABASE_URL)")
    # A transactional test before this one may have flushed the migration-made categories.
    entry = rb.publish(org.departments["salt"], name="服务进程测试事项")
    port = str(_free_port())
    env = _production_env(
        DATABASE_URL=_database_url(),
        QINGDAN_VAR_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
        PORT=port,
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    # The configuration file, with workers replaced after 3 requests instead of about 1,000.
    replaced = ["--workers", "2", "--max-requests", "3", "--max-requests-jitter", "0"]
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [gunicorn, "--config", "docker/gunicorn.conf.py", *replaced, "config.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/favicon.ico")
                break
            except OSError:  # not listening yet
                assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                time.sleep(0.3)
        answers = [_get(f"{base}/lists/") for _ in range(15)]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    log = log_path.read_text()
    assert [status for status, _ in answers] == [200] * 15, log[-3000:]
    assert all(entry.name in body for _, body in answers)
    assert log.count("Autorestarting worker") >= 4, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
