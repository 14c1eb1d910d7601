"""`manage.py run_all` (the last step of `make run`): the development server and one Celery
worker with the embedded beat, as child processes of this command, their output relayed line by
line with a prefix. Ctrl-C (SIGINT) or SIGTERM stops both; if one of them dies the other is
stopped too and the command exits non-zero, so that a half-running site is never mistaken for
a working one.

The worker runs the beat (-B) because exactly one beat may run (django-celery-beat and
celery beat have no lock: two beats send every periodic task twice), and the solo pool because
kombu's filesystem transport, the embedded broker used when CELERY_BROKER_URL is not set,
serves one consumer well (NOTES.md, Celery and Redis)."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# How long a child may take to stop after SIGTERM before it is killed. The worker finishes the
# task it is running (warm shutdown); a task is a short trigger, so this is plenty.
STOP_TIMEOUT_SECONDS = 20
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child before exec: if run_all is killed outright (SIGKILL), the kernel sends
    the child SIGTERM, so no orphan keeps the port or the broker folder busy."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    relay: threading.Thread | None = field(default=None, repr=False)

    def start(self, env: dict[str, str]) -> None:
        # A session of its own: the terminal's Ctrl-C reaches run_all only, which then stops
        # each child exactly once, and a signal to the group also reaches the children a child
        # starts itself (runserver's autoreloader runs the server in a second process).
        self.process = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        """SIGTERM to the whole group, then SIGKILL to whatever is left after the timeout. The
        group is signalled even when its leader is already dead: the worker's embedded beat is
        a process of its own and outlives a worker that was killed."""
        if self.process is None:
            return
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        self.signal_group(signal.SIGTERM)
        # poll() reaps the leader once it exits, so group_alive() then counts the others only.
        while (self.process.poll() is None or self.group_alive()) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.signal_group(signal.SIGKILL)
        self.process.wait()


class Command(BaseCommand):
    help = (
        "Run the development server and a Celery worker with the embedded beat together; "
        "Ctrl-C stops both."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "addrport",
            nargs="?",
            default="127.0.0.1:8000",
            help="Address and port of the development server (default 127.0.0.1:8000).",
        )
        parser.add_argument(
            "--noreload",
            action="store_true",
            help="Do not restart the development server when code changes.",
        )

    def handle(self, *args, addrport: str, noreload: bool, **options) -> None:
        python = sys.executable
        web_argv = [python, str(settings.BASE_DIR / "manage.py"), "runserver", addrport]
        if noreload:
            web_argv.append("--noreload")
        children = [
            Child("web", web_argv),
            Child(
                "worker",
                [
                    python,
                    "-m",
                    "celery",
                    "--app=config",
                    "worker",
                    "--beat",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--hostname=qingdan@%h",
                ],
            ),
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        output_lock = threading.Lock()
        stop_requested = threading.Event()
        received: list[int] = []

        def request_stop(signum, frame) -> None:
            received.append(signum)
            stop_requested.set()

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, request_stop)

        broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"run_all: site on http://{addrport}/, Celery worker with beat "
            f"(broker: {broker}, database: {database}). Ctrl-C stops everything."
        )
        self.stdout.flush()

        # Every child is started before any relay thread: preexec_fn is only safe while the
        # process has a single thread.
        try:
            for child in children:
                child.start(env)
        except BaseException:
            for child in children:
                child.stop()
            raise
        for child in children:
            child.relay = threading.Thread(
                target=self._relay, args=(child, output_lock), daemon=True
            )
            child.relay.start()

        while not stop_requested.is_set() and all(child.running() for child in children):
            stop_requested.wait(0.5)

        died = [child for child in children if not child.running()]
        for child in children:
            child.stop()
        for child in children:
            if child.relay is not None:
                child.relay.join(timeout=5)

        if died and not received:
            summary = ", ".join(f"{c.name} exited with {c.process.returncode}" for c in died)
            raise CommandError(f"run_all: {summary}; stopped everything else.")
        self.stdout.write("run_all: stopped.")

    def _relay(self, child: Child, lock: threading.Lock) -> None:
        prefix = f"{child.name:>6} | "
        for line in child.process.stdout:
            with lock:
                self.stdout.write(prefix + line.rstrip("\n"))
                self.stdout.flush()
