"""What `make bench` prints (issue 11 §2): the figures, the limits measured in the same run,
their ratios and the goals of issue 11, as text tables. Pure: no database, no process.

A page figure is one row (its own p50, p95 and requests/s, and its goals with a verdict) followed
by one indented row per limit: (a) the same page on the city preset (the cost of scale), (b) the
page's own SQL replayed in PostgreSQL (the database's floor), (c) the bare view through the same
middleware (the framework's floor). A figure that met a response other than 2xx shows how many
instead of its times: a fast 500 is not a fast page."""

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

MISSED = "MISSED"
OK = "ok"


@dataclass(frozen=True)
class Timing:
    """What was timed: p50 and p95 in milliseconds, how many per second, how many were timed
    and how many of them failed (not 2xx, a socket error or a timeout)."""

    p50: float
    p95: float
    rate: float
    count: int
    failed: int = 0


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` between 0 and 1) of `values`."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def timing_of(samples_ms: Sequence[float], seconds: float) -> Timing:
    """The timing of samples taken one after the other during `seconds`."""
    return Timing(
        p50=percentile(samples_ms, 0.5),
        p95=percentile(samples_ms, 0.95),
        rate=len(samples_ms) / seconds,
        count=len(samples_ms),
    )


# --- goals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class P95Max:
    """The page's p95 stays under `ms`."""

    ms: float

    @property
    def text(self) -> str:
        return f"p95 ≤ {self.ms:g} ms"

    def verdict(self, result: "PageResult") -> str:
        return OK if result.timing.p95 <= self.ms else MISSED


@dataclass(frozen=True)
class CityRatio:
    """The page's p50 is within `ratio` times the same page's on the city preset (judged on a
    larger preset only)."""

    ratio: float
    why: str = ""

    @property
    def text(self) -> str:
        return f"p50 ≤ {self.ratio:g}× city" + (f" ({self.why})" if self.why else "")

    def verdict(self, result: "PageResult") -> str:
        if result.city is None or result.city.failed:
            return "—"
        return OK if result.timing.p50 <= self.ratio * result.city.p50 else MISSED


@dataclass(frozen=True)
class RateShare:
    """The page serves at least `share` of the bare view's requests per second."""

    share: float

    @property
    def text(self) -> str:
        return f"≥ {self.share:.0%} of bare req/s"

    def verdict(self, result: "PageResult") -> str:
        if result.bare is None or result.bare.failed:
            return "—"
        return OK if result.timing.rate >= self.share * result.bare.rate else MISSED


@dataclass(frozen=True)
class SecondsMax:
    seconds: float
    at: str = ""  # the size the goal is set for, when the run measured another

    @property
    def text(self) -> str:
        return f"≤ {self.seconds:g} s" + (f" at {self.at}" if self.at else "")

    def verdict(self, result: "OperationResult") -> str:
        if result.seconds is None:
            return MISSED
        return OK if result.seconds <= self.seconds else MISSED


@dataclass(frozen=True)
class MegabytesMax:
    """The peak resident memory (`growth`: its growth during the operation) under `mb`."""

    mb: float
    growth: bool = False

    @property
    def text(self) -> str:
        return f"{'growth' if self.growth else 'peak'} ≤ {self.mb:g} MB"

    def verdict(self, result: "OperationResult") -> str:
        value = result.rss_growth_mb if self.growth else result.rss_mb
        if value is None:
            return "—"
        return OK if value <= self.mb else MISSED


# --- results -------------------------------------------------------------------------------


@dataclass
class PageResult:
    """One page figure and the limits measured for it (None: not measured in this run)."""

    label: str
    url: str
    goals: tuple = ()
    timing: Timing | None = None
    city: Timing | None = None  # (a)
    sql: Timing | None = None  # (b)
    statements: int = 0
    bare: Timing | None = None  # (c)
    note: str = ""


@dataclass
class OperationResult:
    """One operation timed once: seconds (None: it did not finish in time), SQL statements,
    rows it handled, peak resident memory of its process and its growth during the operation,
    in MB."""

    label: str
    seconds: float | None = None
    statements: int | None = None
    rows: int | None = None
    rss_mb: float | None = None
    rss_growth_mb: float | None = None
    goals: tuple = ()
    note: str = ""


@dataclass
class Report:
    title: str
    pages: list[PageResult] = field(default_factory=list)
    operations: list[OperationResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- formatting ----------------------------------------------------------------------------


def width(text: str) -> int:
    """Columns `text` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    space = " " * max(0, columns - width(text))
    return space + text if right else text + space


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def per_second(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def ratio(figure: Timing, limit: Timing) -> str:
    """How many times the limit's p50 the figure's p50 is."""
    if figure.failed or limit.failed or limit.p50 <= 0:
        return "—"
    return f"{figure.p50 / limit.p50:.2f}×"


def share(figure: Timing, limit: Timing) -> str:
    """The figure's requests per second as a share of the limit's."""
    if figure.failed or limit.failed or limit.rate <= 0:
        return "—"
    return f"{figure.rate / limit.rate:.0%}"


def goals_text(goals, result) -> str:
    return "; ".join(f"{goal.text} {goal.verdict(result)}" for goal in goals)


def _times(timing: Timing | None) -> list[str]:
    if timing is None:
        return ["—", "—", "—"]
    if timing.failed:
        return ["ERROR", "ERROR", per_second(timing.rate)]
    return [ms(timing.p50), ms(timing.p95), per_second(timing.rate)]


def failure_text(timing: Timing) -> str:
    return f"{timing.failed:,} of {timing.count:,} responses not 2xx or lost"


def page_rows(result: PageResult) -> list[list[str]]:
    """The figure's row and one row per limit measured: [figure, p50, p95, req/s, limit,
    ratio, goal]."""
    timing = result.timing
    if timing is None:
        return [[result.label, "—", "—", "—", "", "", result.note or "not measured"]]
    goal = failure_text(timing) if timing.failed else goals_text(result.goals, result)
    rows = [[result.label, *_times(timing), "", "", goal]]
    if result.city is not None:
        rows.append(["", *_times(result.city), "(a) city preset", ratio(timing, result.city), ""])
    if result.sql is not None:
        plural = "" if result.statements == 1 else "s"
        limit = f"(b) its SQL, {result.statements} statement{plural}"
        rows.append(["", *_times(result.sql), limit, ratio(timing, result.sql), ""])
    if result.bare is not None:
        rows.append(["", *_times(result.bare), "(c) bare view", share(timing, result.bare), ""])
    return rows


def operation_row(result: OperationResult) -> list[str]:
    """[operation, time, statements, rows, peak RSS (growth), goal]."""
    if result.seconds is None:
        seconds = "—"
    elif result.seconds < 10:
        seconds = f"{result.seconds:.2f} s"
    else:
        seconds = f"{result.seconds:.1f} s"
    statements = "—" if result.statements is None else f"{result.statements:,}"
    rows = "—" if result.rows is None else f"{result.rows:,}"
    if result.rss_mb is None:
        memory = "—"
    elif result.rss_growth_mb is None:
        memory = f"{result.rss_mb:.0f} MB"
    else:
        memory = f"{result.rss_mb:.0f} MB (+{result.rss_growth_mb:.0f})"
    goal = goals_text(result.goals, result)
    if result.note:
        goal = f"{goal}; {result.note}" if goal else result.note
    return [result.label, seconds, statements, rows, memory, goal]


def table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    """Columns padded to their widest cell (right-aligned where `numeric`); the last column is
    left as it is."""
    widths = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    lines.insert(1, "-" * min(120, max(width(line) for line in lines)))
    return "\n".join(lines)


PAGE_HEADER = ("figure", "p50 ms", "p95 ms", "req/s", "limit (same run)", "ratio", "goal")
OPERATION_HEADER = ("operation", "time", "statements", "rows", "peak RSS (growth)", "goal")


def render(report: Report) -> str:
    parts = [report.title, ""]
    if report.pages:
        rows = [row for result in report.pages for row in page_rows(result)]
        parts += [table(PAGE_HEADER, rows, numeric={1, 2, 3, 5}), ""]
    if report.operations:
        rows = [operation_row(result) for result in report.operations]
        parts += [table(OPERATION_HEADER, rows, numeric={1, 2, 3, 4}), ""]
    if report.pages:
        parts.append("URLs:")
        parts += [f"  {result.label}: {result.url}" for result in report.pages]
        parts.append("")
    parts += report.notes
    return "\n".join(parts).rstrip() + "\n"
