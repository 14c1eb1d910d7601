"""Driving the served site with wrk (issue 11 §2): a warm-up, then a fixed duration, with
stats.lua counting what is not 2xx and printing one line of figures (wrk's own latency
percentiles), which `parse` reads."""

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

from .report import Timing

SCRIPT = Path(__file__).with_name("stats.lua")
MARK = "BENCH "
# wrk gives up on a request after 2 s by default and leaves it out of the percentiles: a slow
# page must be timed, not dropped.
TIMEOUT_SECONDS = 60
INSTALL = "wrk is not installed: apt-get install wrk"
WARMUP_ROUNDS = 5


class WrkError(RuntimeError):
    pass


def available() -> bool:
    return shutil.which("wrk") is not None


def quoted(path: str) -> str:
    """`path` (Chinese search words, spaces) percent-encoded as a browser sends it."""
    return quote(path, safe="/?&=:%")


def url(base: str, path: str) -> str:
    return base.rstrip("/") + quoted(path)


def command(
    target: str, *, seconds: float, connections: int, threads: int, requests: Path | None = None
) -> list[str]:
    """wrk's command line; `requests`: a file of the requests to send in turn (stats.lua)."""
    return [
        "wrk",
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={TIMEOUT_SECONDS}s",
        f"--script={SCRIPT}",
        target,
        *(["--", str(requests)] if requests else []),
    ]


def requests_write(path: Path, lines: list[str]) -> Path:
    """The file of requests of a POST page: one a line, method, content type, cookie and body
    separated by tabs (none of them holds a tab or a line break)."""
    if any("\n" in line or line.count("\t") != 3 for line in lines):
        raise WrkError("a request holds a line break or a tab of its own")
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def figures(output: str) -> dict:
    """What stats.lua printed."""
    for line in output.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise WrkError(f"wrk printed no figures:\n{output}")


def parse(output: str) -> Timing:
    """The figures stats.lua printed: p50 and p95 in ms, requests per second, the requests
    and how many of them failed (not 2xx, socket errors, timeouts)."""
    read = figures(output)
    requests = read["requests"]
    if not requests:
        raise WrkError(f"no request completed in {read['seconds']:.1f} s")
    return Timing(
        p50=read["p50_us"] / 1000,
        p95=read["p95_us"] / 1000,
        rate=requests / read["seconds"],
        count=requests + read["socket_errors"] + read["timeouts"],
        failed=read["not_2xx"] + read["socket_errors"] + read["timeouts"],
    )


def _wrk(target: str, *, seconds: float, connections: int, threads: int, requests=None) -> str:
    """One wrk run, bounded: wrk stops after `seconds`, and is killed if it does not."""
    completed = subprocess.run(
        command(
            target, seconds=seconds, connections=connections, threads=threads, requests=requests
        ),
        capture_output=True,
        text=True,
        timeout=seconds + TIMEOUT_SECONDS + 30,
        check=False,
    )
    if completed.returncode != 0:
        raise WrkError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return completed.stdout


def warm(
    target: str, *, seconds: float, connections: int, threads: int, requests: Path | None = None
) -> None:
    """Warms the page up, its figures thrown away, until each connection was answered
    (WARMUP_ROUNDS at most): a worker that gunicorn has just started loads the views on its
    first request."""
    load = {"connections": connections, "threads": threads, "requests": requests}
    for _round in range(WARMUP_ROUNDS if seconds > 0 else 0):
        output = _wrk(target, seconds=seconds, **load)
        if figures(output)["requests"] >= connections:
            return


def timed(
    target: str, *, seconds: float, connections: int, threads: int, requests: Path | None = None
) -> Timing:
    load = {"connections": connections, "threads": threads, "requests": requests}
    return parse(_wrk(target, seconds=seconds, **load))
