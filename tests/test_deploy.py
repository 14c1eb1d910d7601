"""The set-up contract (README.md, docs/deployment.md): production settings pass
`check --deploy` and refuse a weak key, `manage.py run_all` starts and stops the whole site,
docker-compose runs exactly one beat with a health check on every server, and logins are
protected against guessing without locking out a shared office address."""

import datetime
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import time_machine
import yaml
from django.test import override_settings
from django.urls import reverse

from core.choices import AuditAction
from core.models import AuditEvent
from tests.builders import password_for
from tests.production_env import NOT_IN_PRODUCTION, STRONG_KEY, production_env

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_no_warning():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "key",
    ["", "too-short-for-production", "x" * 60, "django-insecure-" + STRONG_KEY],
    ids=["missing", "short", "few-characters", "django-insecure"],
)
def test_production_refuses_to_start_with_a_weak_secret_key(key):
    result = _manage("check", env=production_env(SECRET_KEY=key))
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a long random value" in result.stderr


# --- manage.py run_all (the last step of `make run`) ----------------------------------------


def test_a_bare_migrate_on_a_fresh_clone_creates_the_var_folder(tmp_path):
    """Issue 9 §22: the default SQLite database lives in var/, which a fresh clone lacks."""
    var = tmp_path / "fresh" / "var"
    env = {key: value for key, value in os.environ.items() if key not in NOT_IN_PRODUCTION}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", QINGDAN_VAR_DIR=str(var))
    result = _manage("migrate", "--no-input", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (var / "qingdan.sqlite3").is_file()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment contains `marker`: run_all and every child it started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


class RunAll:
    """`manage.py run_all` in a var/ folder of its own, on the embedded SQLite and broker."""

    def __init__(self, var_dir: Path) -> None:
        self.port = _free_port()
        self.marker = f"QINGDAN_VAR_DIR={var_dir}"
        self.log_path = var_dir / "run_all.log"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "QINGDAN_TEST_QUEUE"}
        }
        env.update(DJANGO_SETTINGS_MODULE="config.settings.local", QINGDAN_VAR_DIR=str(var_dir))
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "run_all", f"127.0.0.1:{self.port}", "--noreload"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def login_page_status(self) -> int | None:
        url = f"http://127.0.0.1:{self.port}/accounts/login/"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            return None

    def wait_until_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if " ready." in self.log() and self.login_page_status() == 200:
                return
            time.sleep(0.3)
        pytest.fail(f"run_all did not serve within {timeout} s:\n{self.log()[-4000:]}")

    def kill_everything(self) -> None:
        for pid in _processes_with(self.marker):
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                continue


@pytest.fixture
def run_all(tmp_path):
    started = RunAll(tmp_path)
    yield started
    started.kill_everything()


def test_run_all_serves_site_and_worker_with_beat_and_ctrl_c_stops_everything(run_all):
    run_all.wait_until_serving()
    log = run_all.log()
    assert "beat: Starting..." in log
    assert "filesystem://" in log
    worker_and_server = _processes_with(run_all.marker)
    assert len(worker_and_server) >= 3  # run_all, the server, the worker (and its beat)

    os.kill(run_all.process.pid, signal.SIGINT)
    assert run_all.process.wait(timeout=60) == 0
    assert "run_all: stopped." in run_all.log()
    assert _processes_with(run_all.marker) == []
    assert run_all.login_page_status() is None


def test_run_all_stops_the_server_and_fails_when_the_worker_dies(run_all):
    run_all.wait_until_serving()
    worker = next(
        pid
        for pid in _processes_with(run_all.marker)
        if b"celery" in Path(f"/proc/{pid}/cmdline").read_bytes() and os.getpgid(pid) == pid
    )
    os.kill(worker, signal.SIGKILL)
    assert run_all.process.wait(timeout=60) != 0
    assert "worker exited" in run_all.log()
    assert _processes_with(run_all.marker) == []


# --- docker-compose.yml and the image -------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_runs_postgres_redis_web_worker_and_one_beat(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "pgdata" in compose["volumes"]
    assert _command(services["web"]).startswith("gunicorn ")
    beats = [name for name, service in services.items() if " beat" in f" {_command(service)}"]
    assert beats == ["beat"]
    assert services["beat"]["container_name"]  # a fixed name: `--scale beat=2` fails
    assert "--beat" not in _command(services["worker"])
    assert "-B" not in _command(services["worker"]).split()


def test_the_one_beat_sends_every_sweep_to_a_task_that_exists():
    """The deadline sweeps (issue 4 §5) and the e-mail and calendar sweeps are periodic tasks
    of the single beat; each names a task the worker has registered, with no ETA anywhere."""
    from config.celery import app

    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    tasks = {entry["task"] for entry in schedule.values()}
    assert {
        "adjustments.tasks.deadlines_sweep",
        "core.tasks.notifications_email_pending",
        "core.tasks.calendar_revisions_apply",
    } <= tasks
    assert tasks <= set(app.tasks)
    assert all("options" not in entry for entry in schedule.values())


def test_every_compose_server_has_a_health_check_and_waits_for_migrations(compose):
    services = compose["services"]
    for name, service in services.items():
        if name == "migrate":
            assert service["restart"] == "no"
            continue
        assert service["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        assert depends_on["postgres"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == (
            "config.settings.production"
        )
        assert services[name]["env_file"] == ".env"


def test_compose_trusts_the_one_reverse_proxy_for_client_addresses(compose):
    """Issue 9 §16: behind the city's proxy, REMOTE_ADDR is the proxy for every client."""
    example = (ROOT / "docker" / "env.example").read_text().splitlines()
    assert "TRUSTED_PROXY_COUNT=1" in example
    for name in ("web", "worker", "beat"):
        environment = compose["services"][name]["environment"]
        assert environment["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"


def test_compose_reads_from_a_replica_only_when_one_is_named(compose):
    """Issue 11 §8: DATABASE_REPLICA_URL from .env reaches every process; empty, no replica."""
    for name in ("web", "worker", "beat", "migrate"):
        environment = compose["services"][name]["environment"]
        assert environment["DATABASE_REPLICA_URL"] == "${DATABASE_REPLICA_URL:-}"


def test_example_env_file_names_every_setting_the_deployment_needs():
    example = (ROOT / "docker" / "env.example").read_text()
    names = {
        line.split("=", 1)[0] for line in example.splitlines() if line and not line.startswith("#")
    }
    assert {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "POSTGRES_PASSWORD",
        "EMAIL_HOST",
        "DEFAULT_FROM_EMAIL",
        "SITE_URL",
        "TRUSTED_PROXY_COUNT",
        "WEB_CONCURRENCY",
        "WEB_THREADS",
        "DATABASE_REPLICA_URL",
    } <= names
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_dockerfile_builds_a_slim_non_root_image_with_static_files_and_catalogue():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "\nFROM python:3.11-slim\n" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "save_as_mofile" in dockerfile
    assert "\nUSER qingdan\n" in dockerfile


def test_web_health_check_passes_against_gunicorn_with_production_settings(tmp_path):
    """The command the web container's health check runs, against gunicorn as the container
    starts it (same config file), with production settings and collected static files."""
    port = str(_free_port())
    env = production_env(
        QINGDAN_VAR_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"), PORT=port
    )
    collected = _manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    config = ["--config", "docker/gunicorn.conf.py", "--workers", "1"]
    server = subprocess.Popen(
        [gunicorn, *config, "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    check = [sys.executable, "docker/web_healthcheck.py"]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            result = subprocess.run(check, cwd=ROOT, env=env, capture_output=True, timeout=30)
            if result.returncode == 0:
                break
            time.sleep(0.3)
        assert result.returncode == 0, result.stderr
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_ci_script_is_executable_and_strict():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    assert "set -euo pipefail" in script.read_text()
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0


# --- login protection (django-axes) ---------------------------------------------------------


def _login(client, username: str, password: str, address: str):
    return client.post(
        reverse("core:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5)
def test_guessing_locks_out_the_username_from_that_address_only_and_for_a_while(client, org):
    clerk = org.users["clerk"].username
    office = org.users["office"].username
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(4):
            assert _login(client, clerk, "wrong", "10.1.1.1").status_code == 200
        locked = _login(client, clerk, "wrong", "10.1.1.1")
        assert locked.status_code == 429
        assert 'role="alert"' in locked.content.decode()
        # Even the right password is refused while the lockout lasts...
        assert _login(client, clerk, password_for("clerk"), "10.1.1.1").status_code == 429
        # ...but a colleague behind the same office address still logs in,
        assert _login(client, office, password_for("office"), "10.1.1.1").status_code == 302
        client.logout()
        # and so does the same person from another address.
        assert _login(client, clerk, password_for("clerk"), "10.2.2.2").status_code == 302
        client.logout()

        traveller.shift(datetime.timedelta(minutes=16))
        assert _login(client, clerk, password_for("clerk"), "10.1.1.1").status_code == 302

    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failures.count() == 6
    assert set(failures.values_list("ip_address", flat=True)) == {"10.1.1.1"}
