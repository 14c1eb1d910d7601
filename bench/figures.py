"""What `make bench` measures (issue 11 §2) and the goals of issue 11 it checks, and how long
each preset spends on each figure.

URLs are the same on every preset: search words are fixed, the jurisdiction is 郑州市 (410100,
the first city of both presets), and the department and item code are chosen by one rule on
each register (bench.pages.pick): the general department of 410100 with the median number of
entries, and the entry in force in the middle of that department (in the register's order)
among those with at least three versions."""

from dataclasses import dataclass

from .report import CityRatio, MegabytesMax, P95Max, RateShare, SecondsMax

JURISDICTION = "410100"
AS_OF = "2020-06-30"
# The seed of the generated registers (complaints.scale derives each complaint's tracking
# secret from it: bench.complaints tracks real complaints).
SEED = 2015


@dataclass(frozen=True)
class Page:
    """A page figure. `limits`: those printed beside it, (a) the same page on the city preset,
    (b) its SQL replayed, (c) the bare view."""

    key: str
    label: str
    path: str  # with {jurisdiction}, {department}, {code}, {year} filled in by bench.pages
    goals: tuple = ()
    limits: str = "ab"
    # A POST page: the name of the requests bench.complaints builds, which wrk sends in turn.
    requests: str = ""

    def url(self, values: dict) -> str:
        return self.path.format(**values)


SEARCH_GOALS = (P95Max(100), CityRatio(1.5))
# Complaints (issue 12; this product's defaults, docs/scaling.md): a filing with its repeat
# detection, a tracking and the statistics, at the preset's complaints.
INTAKE_GOALS = (P95Max(300),)
TRACK_GOALS = (P95Max(100),)
STATISTICS_GOALS = (P95Max(500),)
SAME_AT_SCALE = (CityRatio(1.5, "does not grow with data"),)
ITEM_GOALS = (P95Max(50),)

PAGES = (
    Page("search-2", "search, 2 characters", "/lists/?q=许可", SEARCH_GOALS),
    Page("search-4", "search, 4 characters", "/lists/?q=残疾人证", SEARCH_GOALS),
    Page("search-words", "search, two words", "/lists/?q=树木 砍伐", SEARCH_GOALS),
    Page(
        "search-filters",
        "search with filters",
        "/lists/?q=许可&list=power&jurisdiction={jurisdiction}",
        SEARCH_GOALS,
    ),
    Page("search-none", "search, no match", "/lists/?q=不存在的事项", SEARCH_GOALS),
    Page("browse", "browse", "/browse/", SAME_AT_SCALE),
    Page(
        "browse-jurisdiction",
        "browse a city",
        "/browse/?jurisdiction={jurisdiction}",
        SAME_AT_SCALE,
    ),
    Page("item", "item page", "/items/{code}/", ITEM_GOALS),
    Page("item-history", "item history", "/items/{code}/history/", ITEM_GOALS),
    Page("as-of", f"list as of {AS_OF}", f"/lists/?as_of={AS_OF}", (P95Max(200),)),
    Page("api-search", "API list, search", "/api/v1/items/?q=许可"),
    Page("api-page", "API list, page 3", "/api/v1/items/?list=power&page=3"),
    Page("api-item", "API item", "/api/v1/items/{code}/"),
    # Served from its file once built: one statement, so the framework's floor says more.
    Page(
        "export", "CSV of a department", "/lists/export.csv?department={department}", limits="abc"
    ),
    Page("complaint-stats", "complaint statistics", "/complaints/stats/", STATISTICS_GOALS),
    Page(
        "complaint-stats-year",
        "complaint statistics, a year",
        "/complaints/stats/?year={year}",
        STATISTICS_GOALS,
    ),
    Page("api-complaint-stats", "API complaint statistics", "/api/v1/complaints/stats/"),
    Page(
        "complaint-track",
        "complaint tracking",
        "/complaints/track/",
        TRACK_GOALS,
        requests="track-form",
    ),
    Page(
        "api-complaint-track",
        "API complaint tracking",
        "/api/v1/complaints/track/",
        TRACK_GOALS,
        requests="track-json",
    ),
)
# The public decision search (issue 14, done when: `make bench` prints it at 1,000,000
# decisions): timed on a register holding DECISIONS published decisions whatever the preset —
# the province's own, or a scratch copy of the city's topped up by decisions.scale
# (bench.decisions) — beside the same pages on the city register (a) and their SQL (b). The
# words are those of decisions.scale's party names.
DECISIONS = 1_000_000
# The top-up of a million decisions takes minutes, not the seconds an operation is given.
DECISIONS_TIMEOUT = 3600


def decision_pages(total: int = DECISIONS) -> tuple[Page, ...]:
    """The decision pages, labelled with the number of decisions they are timed at."""
    at = f"{total:,} decisions:"
    return (
        Page("decisions-2", f"{at} search, 2 characters", "/decisions/?q=超市", SEARCH_GOALS),
        Page("decisions-4", f"{at} search, 4 characters", "/decisions/?q=食品经营", SEARCH_GOALS),
        Page(
            "decisions-filters",
            f"{at} search with filters",
            "/decisions/?q=超市&kind=02&decided_from={year}-01-01&decided_until={year}-12-31",
            SEARCH_GOALS,
        ),
        Page("decisions-all", f"{at} every decision", "/decisions/", SEARCH_GOALS),
        Page("api-decisions", f"{at} API search", "/api/v1/decisions/?q=超市"),
    )


TRACKED = 200  # generated complaints the tracking pages are sent in turn
FILED = 2_000  # different complaints the filing API is sent in turn
# Filing writes: timed on a server of the scratch copy (bench.run), with no limit beside it.
COMPLAINT_FILE = Page(
    "api-complaint-file",
    "API complaint intake",
    "/api/v1/complaints/",
    INTAKE_GOALS,
    limits="",
    requests="file-json",
)


@dataclass(frozen=True)
class Call:
    """A figure timed in-process, call by call, on the scratch copy (bench.complaints)."""

    key: str
    label: str
    what: str
    goals: tuple = ()


CALLS = (
    Call(
        "intake",
        "complaint intake (service)",
        "complaints.services.complaint_file + repeats_of, the busiest department",
        INTAKE_GOALS,
    ),
    Call(
        "track",
        "complaint tracking (selector)",
        "complaints.selectors.complaint_track, complaints spread over the register",
        TRACK_GOALS,
    ),
    Call(
        "statistics",
        "complaint statistics (selector)",
        "complaints.selectors.statistics(), every complaint",
        STATISTICS_GOALS,
    ),
    Call(
        "statistics-year",
        "complaint statistics, a year (selector)",
        "complaints.selectors.statistics(since, until), the last full year",
        STATISTICS_GOALS,
    ),
)
# The framework's floor: core.views.favicon touches no database (bench.pages checks it
# passes the whole middleware stack).
BARE = Page("bare", "bare view (c)", "/favicon.ico", limits="")
# A public page served from the page cache (core.page_cache), warm, on a second server.
CACHED = Page("cached", "cached search page", "/lists/?q=许可", (RateShare(0.4),), limits="c")

# Operations and their goals (issue 11; the import's is issue 10 §2's).
SWEEP_OPEN = 100_000
SWEEP_DUE = (1_000, 5_000)
CALENDAR_MOVED = 100_000
PUBLISHED_ENTRIES = 50
IMPORT_ROWS = 10_000
SWEEP_GOALS = {1_000: (SecondsMax(2),)}
# "Memory flat": the recomputation holds no more than a fixed amount whatever the number of
# steps it moves (this product's reading: 64 MB, where holding 100,000 steps takes several
# hundred).
CALENDAR_GOALS = (SecondsMax(10), MegabytesMax(64, growth=True))
IMPORT_GOALS = (SecondsMax(60),)
WEB_RSS_GOALS = (MegabytesMax(250),)


@dataclass(frozen=True)
class Pace:
    """How long each preset spends: wrk's warm-up and timed run per page, the SQL replay per
    page, and the time an operation or the worker's export may take before it is reported as
    not finished."""

    warmup: float
    seconds: float
    replay: float
    operation_timeout: float
    export_timeout: float
    # The complaint calls timed in-process: filings, trackings, rounds of statistics.
    filings: int = 100
    trackings: int = 300
    rounds: int = 10


PACES = {
    "city": Pace(warmup=1, seconds=3, replay=2, operation_timeout=60, export_timeout=120),
    # About 30 minutes with the generation of both registers (15 of them), once the sweep and
    # the calendar's recomputation meet their goals; the whole register's CSV (a million rows)
    # is cut short: its worker's memory shows in the first part of the build.
    "province": Pace(
        warmup=1,
        seconds=10,
        replay=3,
        operation_timeout=120,
        export_timeout=150,
        filings=300,
        trackings=1_000,
        rounds=10,
    ),
}
