"""The processes `make bench` starts (issue 11 §2): the site served by gunicorn as in
production (docker/gunicorn.conf.py, production settings) on a free port of 127.0.0.1, and a
Celery worker. Each is stopped by its own process id when its block ends, whatever happened.

The peak memory of the web workers is sampled while the load runs: a worker that dies takes its
peak with it."""

import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from .measured import peak_mb

ROOT = Path(__file__).resolve().parent.parent
READY_SECONDS = 90
STOP_SECONDS = 20


class ServeError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(target: str, timeout: float = 30) -> tuple[int, dict[str, str]]:
    """The status and headers of a GET of `target` (its body read and dropped)."""
    try:
        with urllib.request.urlopen(target, timeout=timeout) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def _log_tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The second field (the command) may hold spaces: the parent is after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _stop(process: subprocess.Popen, first: int = signal.SIGTERM) -> None:
    if process.poll() is not None:
        return
    process.send_signal(first)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Gunicorn:
    """`with Gunicorn(env, log) as site:` serves the site at `site.base` until the block
    ends; `site.peak_mb` is the highest peak memory of any of its workers seen so far."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.peaks: dict[int, float] = {}
        self._stop_sampling = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "Gunicorn":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "docker/gunicorn.conf.py",
            f"--bind=127.0.0.1:{self.port}",
            # As deployed, max_requests included: the master preloads the views (config.wsgi)
            # and freezes them before forking, so a replaced worker serves its first request
            # as fast as the others (issue 11 §7); the table says how many were replaced.
            "config.wsgi:application",
        ]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready()
        except BaseException:
            _stop(self.process)
            raise
        self._sampler.start()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServeError(f"gunicorn stopped:\n{_log_tail(self.log)}")
            try:
                if get(f"{self.base}/favicon.ico", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise ServeError(f"gunicorn did not answer in {READY_SECONDS} s:\n{_log_tail(self.log)}")

    def _sample(self) -> None:
        while not self._stop_sampling.wait(0.5):
            self._read_peaks()

    def _read_peaks(self) -> None:
        for pid in children(self.process.pid):
            try:
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), peak_mb(pid))
            except (OSError, AttributeError):
                continue  # it exited (or is exiting) between the listing and the read

    @property
    def peak_mb(self) -> float:
        self._read_peaks()
        return max(self.peaks.values(), default=0.0)

    @property
    def replaced(self) -> int:
        """How many workers gunicorn started after the first ones: those max_requests
        replaced, and any that died or timed out."""
        booted = self.log.read_text(errors="replace").count("Booting worker with pid")
        return max(0, booted - int(self.env["WEB_CONCURRENCY"]))

    def __exit__(self, *exc_info) -> None:
        self._stop_sampling.set()
        self._sampler.join()
        _stop(self.process)


class CeleryWorker:
    """A Celery worker (solo pool: the process that runs the tasks is the one started)
    consuming the broker of `env`, until the block ends. A task still running then is not
    waited for: a cold shutdown."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log

    def __enter__(self) -> "CeleryWorker":
        command = [
            sys.executable,
            "-m",
            "celery",
            "--app=config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def __exit__(self, *exc_info) -> None:
        _stop(self.process, signal.SIGQUIT)


def run_child(
    arguments: list[str], env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess | None:
    """A Python child of the bench (bench.child, manage.py) in the project folder; None if it
    did not finish within `timeout` seconds (it is killed)."""
    try:
        return subprocess.run(
            [sys.executable, *arguments],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None


def environment(base: dict[str, str], **values: str | None) -> dict[str, str]:
    """`base` with `values` set (None: removed)."""
    env = dict(base)
    for name, value in values.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
