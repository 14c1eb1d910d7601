"""`make bench PRESET=city|province` (issue 11 §2): the site served by gunicorn as in
production, driven by wrk from a second process on loopback, each figure beside the limits
measured in the same run, against the goals of issue 11.

1. The registers: qingdan_bench_city (and, for the province, qingdan_bench_province) are
   dropped, created, migrated and generated (`manage.py generate_scale`); `--reuse` keeps one
   generated earlier by the same preset, seed and code (bench.databases).
2. The pages: bench.pages picks the URLs' department and item on each register and captures
   the SQL each page sends. gunicorn (docker/gunicorn.conf.py as deployed, two
   workers, production settings, static files collected into a temporary folder, the page
   cache off) serves the preset's register; wrk times the bare view, limit (c), and every
   page, warm. For the province, a second server times the same pages on the city register:
   limit (a). A third serves the preset with the page cache on: the bare view again, then the
   cached page, warm; with a Celery worker beside it building the whole register's CSV (its
   peak memory). Then each page's SQL is replayed in PostgreSQL with nothing else running:
   limit (b).
   The public decision search (issue 14) is timed at a million published decisions whatever
   the preset: on the province's register itself, else on a scratch copy of the register
   topped up by decisions.scale (bench.decisions), served and replayed the same way, with
   the city register's own figures as limit (a).
3. The operations, each timed once in a process of its own on a scratch copy of the register
   (bench.operations), with a time limit; before them, on the same copy, the complaint calls
   timed in-process one by one (bench.complaints: filing, tracking, statistics) and the
   filing API under wrk (it writes, so never on the generated register).

The table goes to standard output, progress to standard error; for the province also to
bench/RESULTS.md with the machine it ran on. Every process started is stopped by its id, and
every wait is bounded."""

import argparse
import dataclasses
import datetime
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from . import databases, wrk
from .figures import (
    BARE,
    CACHED,
    CALENDAR_GOALS,
    CALENDAR_MOVED,
    CALLS,
    COMPLAINT_FILE,
    DECISIONS,
    DECISIONS_TIMEOUT,
    FILED,
    IMPORT_GOALS,
    IMPORT_ROWS,
    PACES,
    PAGES,
    PUBLISHED_ENTRIES,
    SEED,
    SWEEP_DUE,
    SWEEP_GOALS,
    SWEEP_OPEN,
    TRACKED,
    WEB_RSS_GOALS,
    Pace,
    Page,
    decision_pages,
)
from .measured import peak_mb
from .replay import replay
from .report import OperationResult, PageResult, Report, Timing, render, timing_of
from .serve import ROOT, CeleryWorker, Gunicorn, environment, get, run_child

CACHE_URL = "redis://127.0.0.1:6379/8"
CACHE_SECONDS = "600"
RESULTS = ROOT / "bench" / "RESULTS.md"
WEB_WORKERS = "2"
GENERATE_SECONDS = 3600
UNLIMITED = "1000000000"


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Options:
    preset: str
    reuse: bool
    pace: Pace
    connections: int
    threads: int
    operations: bool
    results: Path | None
    decisions: int = DECISIONS


def options_parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--preset", choices=sorted(PACES), default="city")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a register generated earlier by the same preset, seed and code (KEEP=1)",
    )
    parser.add_argument("--seconds", type=float, help="wrk's timed run per page")
    parser.add_argument("--warmup", type=float, help="wrk's warm-up per page")
    parser.add_argument("--replay", type=float, help="SQL replay per page, in seconds")
    parser.add_argument("--operation-timeout", type=float, help="time limit of an operation")
    parser.add_argument("--export-timeout", type=float, help="time limit of the worker's export")
    parser.add_argument(
        "--connections",
        type=int,
        default=2,
        help="wrk's connections: one per gunicorn worker, so that a page's time is its own, "
        "not the queue in front of busy workers (default 2)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--no-operations", action="store_true", help="the pages only (no sweep, import…)"
    )
    parser.add_argument(
        "--decisions",
        type=int,
        default=DECISIONS,
        help=f"published decisions the decision search is timed at (default {DECISIONS:,})",
    )
    parser.add_argument(
        "--results",
        type=Path,
        help=f"also write the results there (default for the province: {RESULTS})",
    )
    args = parser.parse_args(argv)
    default = PACES[args.preset]
    pace = dataclasses.replace(
        default,
        warmup=default.warmup if args.warmup is None else args.warmup,
        seconds=args.seconds or default.seconds,
        replay=args.replay or default.replay,
        operation_timeout=args.operation_timeout or default.operation_timeout,
        export_timeout=args.export_timeout or default.export_timeout,
    )
    results = args.results or (RESULTS if args.preset == "province" else None)
    return Options(
        preset=args.preset,
        reuse=args.reuse,
        pace=pace,
        connections=args.connections,
        threads=args.threads,
        operations=not args.no_operations,
        results=results,
        decisions=args.decisions,
    )


class Bench:
    """One run: its options, its temporary folder (static files, media, the filesystem broker,
    the logs of the processes it starts), the PostgreSQL server and what it found."""

    def __init__(self, options: Options, folder: Path) -> None:
        self.options, self.folder = options, folder
        self.server = databases.server_url()
        self.secret = secrets.token_urlsafe(48)
        self.cache_url = CACHE_URL if _redis_answers(CACHE_URL) else None
        self.notes: list[str] = []
        self.web_peak_mb = 0.0
        self.replaced = 0  # gunicorn workers replaced during the load
        self.complaint_results: list[PageResult] = []  # timed on the scratch copy
        self.decisions_added: OperationResult | None = None  # the scratch copy's top-up
        # Variables the bench sets itself, and any that would point the site at another
        # database or broker, are not inherited.
        self.base_env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("CELERY_", "DATABASE_"))
            and name not in ("CACHE_URL", "PORT", "DEBUG", "DJANGO_SETTINGS_MODULE")
        }

    # --- environment --------------------------------------------------------------------

    def site_env(self, database: str, *, cache_seconds: str = "0") -> dict[str, str]:
        """The environment of the production site on `database`, with its files in the
        bench's temporary folder and its tasks on a filesystem broker there."""
        var = self.folder / "var"
        return environment(
            self.base_env,
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY=self.secret,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="False",
            DATABASE_URL=databases.url(self.server, database),
            STATIC_ROOT=str(self.folder / "static"),
            QINGDAN_VAR_DIR=str(var),
            MEDIA_ROOT=str(var / "media"),
            CELERY_BROKER_URL="filesystem://",
            CACHE_URL=self.cache_url,
            PUBLIC_PAGE_CACHE_SECONDS=cache_seconds,
            # Exports, filings and trackings are limited per client, and wrk is one client;
            # nor does it read the captcha a client is asked for after a few filings.
            EXPORT_THROTTLE_COUNT=UNLIMITED,
            EXPORT_THROTTLE_SECONDS="1",
            COMPLAINT_FILE_THROTTLE_COUNT=UNLIMITED,
            COMPLAINT_CAPTCHA_AFTER=UNLIMITED,
            COMPLAINT_TRACK_THROTTLE_COUNT=UNLIMITED,
            COMPLAINT_TRACK_FAILURE_COUNT=UNLIMITED,
            WEB_CONCURRENCY=WEB_WORKERS,
        )

    def _manage(self, database: str, *arguments: str, timeout: float = 600) -> None:
        """A manage.py command on `database`, its output on standard error."""
        completed = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.site_env(database),
            stdout=sys.stderr,
            stderr=sys.stderr,
            timeout=timeout,
            check=False,
        )
        if completed.returncode:
            raise SystemExit(f"bench: manage.py {' '.join(arguments)} failed on {database}")

    # --- 1. the registers ---------------------------------------------------------------

    def register(self, preset: str) -> str:
        name = databases.name_of(preset)
        wanted = databases.fingerprint(ROOT, preset, SEED)
        if self.options.reuse and databases.stored_fingerprint(self.server, name) == wanted:
            say(f"{name}: reused ({wanted})")
            return name
        started = time.perf_counter()
        say(f"{name}: creating, migrating and generating the {preset} preset")
        databases.recreate(self.server, name)
        self._manage(name, "migrate", "--noinput", "-v0")
        self._manage(
            name, "generate_scale", f"--preset={preset}", f"--seed={SEED}", timeout=GENERATE_SECONDS
        )
        databases.fingerprint_store(self.server, name, wanted)
        say(f"{name}: generated in {time.perf_counter() - started:.0f} s")
        return name

    # --- 2. the pages -------------------------------------------------------------------

    def probe(self, database: str, *only: str) -> dict:
        output = self.folder / f"pages-{database}{''.join(f'-{o}' for o in only)}.json"
        completed = run_child(
            ["-m", "bench.child", "pages", str(output), *only],
            self.site_env(database),
            timeout=600,
        )
        if completed is None or completed.returncode:
            detail = completed.stderr[-2000:] if completed else "no answer in 600 s"
            raise SystemExit(f"bench: picking the pages of {database} failed:\n{detail}")
        return json.loads(output.read_text())

    def requests(self, database: str, page: Page, probe: dict) -> Path | None:
        """The file of the requests wrk sends in turn to a POST page (None: a GET page)."""
        if not page.requests:
            return None
        path = self.folder / f"requests-{database}-{page.key}.txt"
        return wrk.requests_write(path, probe["requests"][page.key])

    def load(self, site: Gunicorn, path: str, requests: Path | None = None) -> Timing | str:
        """wrk's timing of `path` (with `requests`: those POSTs in turn), warm, or why there
        is none."""
        pace, options = self.options.pace, self.options
        target = wrk.url(site.base, path)
        load = {
            "connections": options.connections,
            "threads": options.threads,
            "requests": requests,
        }
        try:
            wrk.warm(target, seconds=pace.warmup, **load)
            return wrk.timed(target, seconds=pace.seconds, **load)
        except (wrk.WrkError, subprocess.TimeoutExpired) as error:
            return f"wrk: {error}"

    def pages(
        self, database: str, probe: dict, *, bare: bool, pages: tuple[Page, ...] | None = None
    ) -> dict[str, Timing | str]:
        """wrk's timings of `pages` (every page, the decision pages too) served from
        `database`, and of the bare view first if `bare`."""
        pages = (*PAGES, *decision_pages()) if pages is None else pages
        timings = {}
        log = self.folder / f"gunicorn-{database}.log"
        with Gunicorn(self.site_env(database), log) as site:
            for page in [BARE] * bare + list(pages):
                say(f"{database}: {page.label}")
                path = BARE.path if page is BARE else probe["pages"][page.key]["path"]
                timings[page.key] = self.load(site, path, self.requests(database, page, probe))
            self.web_peak_mb = max(self.web_peak_mb, site.peak_mb)
        self.replaced += site.replaced
        return timings

    def cached_and_export(
        self, database: str
    ) -> tuple[Timing | str, Timing | str, OperationResult]:
        """The cached page, warm, on a server with the page cache on, and the bare view on
        the same server just before it (its limit); then the whole register's CSV built by a
        Celery worker beside it."""
        if self.cache_url:
            redis.Redis.from_url(self.cache_url).flushdb()
        env = self.site_env(database, cache_seconds=CACHE_SECONDS)
        with Gunicorn(env, self.folder / f"gunicorn-cached-{database}.log") as site:
            say(f"{database}: {BARE.label}, then {CACHED.label}")
            bare = self.load(site, BARE.path)
            timing = self.load(site, CACHED.path)
            _status, headers = get(wrk.url(site.base, CACHED.path))
            if headers.get("X-Page-Cache") != "hit":
                self.notes.append("The cached page was not served from the page cache.")
            self.web_peak_mb = max(self.web_peak_mb, site.peak_mb)
            say(f"{database}: the whole register's CSV, built by a Celery worker")
            export = self.worker_export(env, site)
        self.replaced += site.replaced
        return timing, bare, export

    def worker_export(self, env: dict[str, str], site: Gunicorn) -> OperationResult:
        label = "Celery worker: CSV of the whole register"
        timeout = self.options.pace.export_timeout
        target = f"{site.base}/lists/export.csv"
        with CeleryWorker(env, self.folder / "celery.log") as worker:
            started = time.perf_counter()
            status, _headers = get(target)
            while status == 202 and time.perf_counter() - started < timeout and worker.alive():
                time.sleep(1)
                status, _headers = get(target)
            seconds = time.perf_counter() - started
            memory = peak_mb(worker.pid) if worker.alive() else None
        if status == 200:
            return OperationResult(label, seconds=seconds, rss_mb=memory, note="peak of the worker")
        why = f"answered {status}" if status != 202 else f"not built in {timeout:.0f} s"
        return OperationResult(label, rss_mb=memory, note=f"{why} (peak so far)")

    def sql(
        self, database: str, probe: dict, pages: tuple[Page, ...] = PAGES
    ) -> dict[str, tuple[Timing, int]]:
        dsn = databases.url(self.server, database)
        floors = {}
        for page in pages:
            statements = probe["pages"][page.key]["statements"]
            say(f"{database}: SQL of {page.label}")
            floors[page.key] = (replay(dsn, statements, self.options.pace.replay), len(statements))
        return floors

    def decisions(
        self, database: str, probe: dict, timings: dict, city_timings: dict
    ) -> list[PageResult]:
        """The public decision search at `options.decisions` published decisions (issue 14):
        the preset's own figures when its register holds that many (the province); else those
        of a scratch copy topped up to that many (bench.decisions), beside which the preset's
        own figures are limit (a), the city's register."""
        total = self.options.decisions
        pages = decision_pages(total)
        held = databases.published_decisions(self.server, database)
        if held >= total:
            floors = self.sql(database, probe, pages)
            target, city = timings, city_timings
        else:
            scratch = databases.SCRATCH
            say(f"{scratch}: a copy of {database} topped up to {total:,} decisions")
            databases.recreate(self.server, scratch, template=database)
            try:
                self.decisions_added = self.operation(
                    f"decisions-{total}",
                    f"decisions added up to {total:,} (scratch copy)",
                    (),
                    DECISIONS_TIMEOUT,
                )
                probe = self.probe(scratch, "decisions")
                target = self.pages(scratch, probe, bare=False, pages=pages)
                floors = self.sql(scratch, probe, pages)
            finally:
                databases.drop(self.server, scratch)
            city = city_timings or timings
        results = []
        for page in pages:
            result = _page_result(page, probe["pages"][page.key]["path"], target[page.key])
            result.city = _timing(city.get(page.key))
            result.sql, result.statements = floors[page.key]
            results.append(result)
        return results

    # --- 3. the operations --------------------------------------------------------------

    def operation(self, name: str, label: str, goals: tuple, timeout: float) -> OperationResult:
        say(f"operation: {label}")
        output = self.folder / f"operation-{name}.json"
        env = self.site_env(databases.SCRATCH)
        completed = run_child(["-m", "bench.child", "operation", name, str(output)], env, timeout)
        if completed is None:
            return OperationResult(label, goals=goals, note=f"not finished in {timeout:.0f} s")
        if completed.returncode:
            last = (completed.stderr.strip().splitlines() or ["?"])[-1]
            return OperationResult(label, goals=goals, note=f"failed: {last}")
        figures = json.loads(output.read_text())
        measured = figures["measured"]
        return OperationResult(
            label,
            seconds=measured["milliseconds"] / 1000,
            statements=measured["statements"],
            rows=measured["rows"],
            rss_mb=measured["peak_rss_mb"],
            rss_growth_mb=measured["rss_growth_mb"],
            goals=goals,
            note=figures["note"],
        )

    def complaint_calls(self, timeout: float) -> list[PageResult]:
        """The complaint calls timed in-process on the scratch copy (bench.complaints), each
        figure a row of the pages' table."""
        pace = self.options.pace
        name = f"complaints-{pace.filings}-{pace.trackings}-{pace.rounds}"
        say(f"operation: {name} (complaint intake, tracking and statistics, in-process)")
        output = self.folder / "operation-complaints.json"
        env = self.site_env(databases.SCRATCH)
        completed = run_child(["-m", "bench.child", "operation", name, str(output)], env, timeout)
        if completed is None or completed.returncode:
            why = (
                f"not finished in {timeout:.0f} s"
                if completed is None
                else "failed: " + (completed.stderr.strip().splitlines() or ["?"])[-1]
            )
            return [PageResult(call.label, call.what, call.goals, note=why) for call in CALLS]
        found = json.loads(output.read_text())
        results = []
        for call in CALLS:
            figure = found[call.key]
            result = PageResult(
                call.label,
                f"{call.what} ({figure['note']}; {figure['statements']} statements a call)",
                call.goals,
                timing=timing_of(figure["samples_ms"], figure["seconds"]),
            )
            results.append(result)
        return results

    def filing(self, probe: dict) -> PageResult:
        """The filing API under wrk, on a server of the scratch copy (each request writes a
        complaint)."""
        database = databases.SCRATCH
        with Gunicorn(self.site_env(database), self.folder / f"gunicorn-{database}.log") as site:
            say(f"{database}: {COMPLAINT_FILE.label}")
            timing = self.load(
                site, COMPLAINT_FILE.path, self.requests(database, COMPLAINT_FILE, probe)
            )
            self.web_peak_mb = max(self.web_peak_mb, site.peak_mb)
        self.replaced += site.replaced
        return _page_result(COMPLAINT_FILE, COMPLAINT_FILE.path, timing)

    def operations(self, database: str, probe: dict) -> list[OperationResult]:
        """The operations on a scratch copy of `database`; the complaint figures timed there
        first go to self.complaint_results."""
        say(f"{databases.SCRATCH}: a copy of {database} for the operations")
        databases.recreate(self.server, databases.SCRATCH, template=database)
        timeout = self.options.pace.operation_timeout
        try:
            # The calls first: they track generated complaints only.
            calls = self.complaint_calls(3 * timeout)
            self.complaint_results = [self.filing(probe), *calls]
        except BaseException:
            databases.drop(self.server, databases.SCRATCH)
            raise
        # (name, label, goals, time limit): the import is given twice its goal.
        planned = [
            ("publish", f"publication of a {PUBLISHED_ENTRIES}-entry adjustment", (), timeout),
            (
                "import",
                f"Excel import of {IMPORT_ROWS:,} rows",
                IMPORT_GOALS,
                max(timeout, 2 * IMPORT_GOALS[0].seconds),
            ),
            *(
                (
                    f"sweep-{due}",
                    f"deadline sweep, {due:,} due of {SWEEP_OPEN:,} open steps",
                    SWEEP_GOALS.get(due, ()),
                    timeout,
                )
                for due in SWEEP_DUE
            ),
            (
                "calendar",
                f"calendar edit moving {CALENDAR_MOVED:,} deadlines",
                CALENDAR_GOALS,
                timeout,
            ),
        ]
        try:
            return [self.operation(*operation) for operation in planned]
        finally:
            databases.drop(self.server, databases.SCRATCH)

    # --- the whole run ------------------------------------------------------------------

    def run(self) -> Report:
        options = self.options
        preset = options.preset
        say(f"PostgreSQL {databases.version(self.server)} at {self.server}")
        database = self.register(preset)
        city = self.register("city") if preset != "city" else database
        say("collecting static files")
        self._manage(database, "collectstatic", "--noinput", "-v0")
        probe = self.probe(database)
        city_probe = self.probe(city) if city != database else None
        if probe["bare_view"]:
            self.notes.append(
                "The bare view is not a clean floor: " + "; ".join(probe["bare_view"])
            )
        timings = self.pages(database, probe, bare=True)
        city_timings = self.pages(city, city_probe, bare=False) if city_probe else {}
        cached, cached_bare, export = self.cached_and_export(database)
        floors = self.sql(database, probe)
        decision_results = self.decisions(database, probe, timings, city_timings)
        results = []
        bare = _timing(timings[BARE.key])
        results.append(_page_result(BARE, BARE.path, timings[BARE.key]))
        for page in PAGES:
            result = _page_result(page, probe["pages"][page.key]["path"], timings[page.key])
            if "a" in page.limits:
                result.city = _timing(city_timings.get(page.key))
            if "b" in page.limits:
                result.sql, result.statements = floors[page.key]
            if "c" in page.limits:
                result.bare = bare
            results.append(result)
        results += decision_results
        timed = self.operations(database, probe) if options.operations else []
        results += self.complaint_results
        cached_result = _page_result(CACHED, CACHED.path, cached)
        cached_result.bare = _timing(cached_bare)
        results.append(cached_result)
        operations = [
            OperationResult(
                "web worker: peak RSS after the load",
                rss_mb=self.web_peak_mb,
                goals=WEB_RSS_GOALS,
                note="highest VmHWM of any gunicorn worker",
            ),
            export,
            *([self.decisions_added] if self.decisions_added else []),
            *timed,
        ]
        return Report(
            title=_title(options, probe["values"]),
            pages=results,
            operations=operations,
            notes=self.notes
            + _notes(options, preset, self.cache_url, self.replaced, self.decisions_added),
        )


def _timing(value: Timing | str | None) -> Timing | None:
    return value if isinstance(value, Timing) else None


def _page_result(page, url: str, measured: Timing | str) -> PageResult:
    if isinstance(measured, Timing):
        return PageResult(page.label, url, page.goals, timing=measured)
    return PageResult(page.label, url, page.goals, note=measured)


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _commit() -> str:
    completed = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip() or "unknown commit"


def _title(options: Options, values: dict) -> str:
    now = datetime.datetime.now().astimezone()
    return (
        f"make bench PRESET={options.preset}  ({now:%Y-%m-%d %H:%M %Z}, {_commit()}; "
        f"department {values['department']}, item {values['code']})"
    )


def _notes(
    options: Options,
    preset: str,
    cache_url: str | None,
    replaced: int,
    decisions_added: OperationResult | None = None,
) -> list[str]:
    pace = options.pace
    notes = [
        f"Pages: gunicorn --config docker/gunicorn.conf.py, {WEB_WORKERS} "
        f"workers, production settings, page cache off (the cached page: on, {CACHE_SECONDS} "
        "s); "
        f"wrk -t{min(options.threads, options.connections)} -c{options.connections}, "
        f"warm-up {pace.warmup:g} s, then {pace.seconds:g} s per page.",
        f"(b) the statements of the page's second request in-process (production settings), "
        f"replayed on one connection for {pace.replay:g} s; req/s: pages per second.",
        "(c) /favicon.ico (core.views.favicon): every middleware, no SQL; its ratio is the "
        "page's share of the bare view's requests per second (for the cached page, the bare "
        "view timed on the same server just before it).",
        "wrk's percentiles are corrected for coordinated omission: a stall counts as the "
        "requests a steady client would have waited through.",
        "Page cache and throttle counters: "
        + (f"Redis {cache_url}." if cache_url else "per process (no Redis answered)."),
        f"Complaints: the POST pages send, in turn, trackings of {TRACKED} "
        f"generated complaints (code and recomputed secret) and filings of "
        f"{FILED:,} different complaints about the department with the most; "
        "the filing API is timed on a server of the scratch copy (it writes). "
        "(service)/(selector): timed in-process on the scratch copy, one call after "
        f"another ({pace.filings} filings, {pace.trackings} trackings, {pace.rounds} rounds "
        "of each statistics); req/s: calls per second.",
    ]
    where = (
        "a scratch copy of the register topped up by decisions.scale (the top-up is among the "
        "operations), served as the pages are; (a) the same pages on the city register's own"
        if decisions_added
        else "the register itself; (a) the same pages on the city register's own"
    )
    notes.append(
        f"Public decision search (issue 14): at {options.decisions:,} published decisions, on "
        f"{where} decisions; (b) its SQL on the same database."
    )
    if replaced:
        notes.append(
            f"gunicorn replaced {replaced} workers during the load (max_requests "
            "with jitter, as deployed; or a worker that died or timed out)."
        )
    if preset == "city":
        notes.append("(a) the same page on the city preset: this run is the city preset.")
    return notes


def machine(server: str) -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores",
        f"- RAM: {memory_kb / 2**20:.1f} GiB",
        f"- PostgreSQL {databases.version(server)}; Python {platform.python_version()}",
    ]


def results_write(path: Path, options: Options, text: str, server: str, seconds: float) -> None:
    reuse = " KEEP=1" if options.reuse else ""
    command = f"make bench PRESET={options.preset}"
    today = datetime.datetime.now().astimezone().date().isoformat()
    lines = [
        f"# Benchmark results: PRESET={options.preset}",
        "",
        f"Measured {today} by `{command}{reuse}` in {seconds / 60:.1f} min (issue 11 §2;"
        " how each figure and limit is measured: bench/run.py).",
        "",
        *machine(server),
        "",
        "```",
        text.rstrip(),
        "```",
        "",
        "To reproduce (PostgreSQL at DATABASE_URL's server or postgres://postgres@127.0.0.1:5432,"
        " `apt-get install wrk`):",
        "",
        "```sh",
        f"{command}          # generates the registers (the province: about 15 minutes)",
        f"{command} KEEP=1   # reuses them when the preset, the seed and the code match",
        "```",
        "",
    ]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    options = options_parse(sys.argv[1:] if argv is None else argv)
    if not wrk.available():
        raise SystemExit(f"bench: {wrk.INSTALL}")
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="qingdan-bench-") as folder:
            bench = Bench(options, Path(folder))
            report = bench.run()
    except databases.DatabaseError as error:
        raise SystemExit(f"bench: {error}") from error
    seconds = time.perf_counter() - started
    text = render(report) + f"\nWall time: {seconds / 60:.1f} min.\n"
    print(text, end="")
    if options.results:
        results_write(options.results, options, text, bench.server, seconds)
        say(f"written to {options.results}")
