"""How `make bench` measures one call and reads a process's memory (issue 11 §2).

Memory is Linux's own account in /proc: VmHWM, the peak resident set of a process. Writing 5
to /proc/self/clear_refs sets a process's peak back to what it holds now, so the peak read
after a call is the call's own, with no sampling thread."""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.benchmarks import StatementCounter

MB = 1024  # /proc counts kilobytes


def _status_kb(field: str, pid: int | str = "self") -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE).group(1))


def peak_mb(pid: int | str = "self") -> float:
    """The peak resident memory of a process (VmHWM), in MB."""
    return _status_kb("VmHWM", pid) / MB


def resident_mb(pid: int | str = "self") -> float:
    return _status_kb("VmRSS", pid) / MB


def peak_reset() -> None:
    """This process's peak resident memory starts again from what it holds now."""
    Path("/proc/self/clear_refs").write_text("5")


@dataclass(frozen=True)
class Measured:
    """One call: wall time, SQL statements sent, what it handled (`rows`: steps notified,
    deadlines moved, entries published…), notifications it sent, the process's peak resident
    memory during the call and that peak's growth over what the process held before, in MB."""

    milliseconds: float
    statements: int
    rows: int = 0
    notifications: int = 0
    peak_rss_mb: float = 0.0
    rss_growth_mb: float = 0.0


def measure(call: Callable[[], object]) -> tuple[object, Measured]:
    """Runs `call` once; returns its result and its figures (`rows` is the caller's to set)."""
    from django.db import connection

    counter = StatementCounter()
    before = resident_mb()
    peak_reset()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = call()
        elapsed = (time.perf_counter() - started) * 1000
    peak = peak_mb()
    return result, Measured(
        milliseconds=elapsed,
        statements=counter.count,
        peak_rss_mb=peak,
        rss_growth_mb=max(0.0, peak - before),
    )
