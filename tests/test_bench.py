"""The benchmark's own parts (issue 11 §2, bench/): reading wrk's figures, the verdicts and
ratios, the tables, the databases' names and fingerprints, the broker it keeps its tasks in,
and the pages it picks and captures on a small register. No timing is asserted; the smoke test
at the end (marked `large`) runs the whole city bench with very short durations."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import child, databases, pages, wrk
from bench import complaints as bench_complaints
from bench.figures import CALLS, COMPLAINT_FILE, FILED, PAGES, SEED, decision_pages
from bench.report import (
    MISSED,
    OK,
    CityRatio,
    MegabytesMax,
    OperationResult,
    P95Max,
    PageResult,
    RateShare,
    Report,
    SecondsMax,
    Timing,
    operation_row,
    pad,
    page_rows,
    percentile,
    render,
    timing_of,
    width,
)
from complaints import scale as complaint_scale
from complaints import selectors as complaint_selectors
from complaints import services as complaint_services
from complaints.choices import ComplainantKind, Ground
from complaints.models import Complaint
from core.choices import DepartmentFunction
from core.services import department_create
from registry.choices import EntryStatus
from tests import registry_builders as rb
from tests.builders import build_org
from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:8123/lists/?q=%E8%AE%B8%E5%8F%AF
  2 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    20.01ms    5.02ms  60.17ms   93.81%
  300 requests in 3.00s, 11.2MB read
Requests/sec:    100.00
BENCH {"requests": 300, "seconds": 3.000000, "p50_us": 18500, "p95_us": 31250, "not_2xx": 0, \
"socket_errors": 0, "timeouts": 0}
"""


def timing(p50=10.0, p95=20.0, rate=100.0, count=300, failed=0) -> Timing:
    return Timing(p50=p50, p95=p95, rate=rate, count=count, failed=failed)


# --- wrk -----------------------------------------------------------------------------------


def test_wrk_figures_are_read_from_the_line_the_script_prints():
    read = wrk.parse(WRK_OUTPUT)
    assert read == Timing(p50=18.5, p95=31.25, rate=100.0, count=300, failed=0)


def test_responses_not_2xx_socket_errors_and_timeouts_are_failures():
    line = (
        'BENCH {"requests": 90, "seconds": 3.0, "p50_us": 900, "p95_us": 1200, "not_2xx": 80, '
        '"socket_errors": 4, "timeouts": 6}'
    )
    read = wrk.parse(line)
    assert read.failed == 90
    assert read.count == 100  # requests that never completed were asked for too


def test_wrk_output_without_figures_is_an_error():
    with pytest.raises(wrk.WrkError):
        wrk.parse("unable to connect to 127.0.0.1:8123 Connection refused")


def test_a_run_where_no_request_completed_has_no_figures():
    line = (
        'BENCH {"requests": 0, "seconds": 1.0, "p50_us": 0, "p95_us": 0, "not_2xx": 0, '
        '"socket_errors": 0, "timeouts": 0}'
    )
    with pytest.raises(wrk.WrkError, match="no request completed"):
        wrk.parse(line)


def test_wrk_command_is_bounded_and_never_has_more_threads_than_connections():
    command = wrk.command("http://127.0.0.1:1/", seconds=2.4, connections=1, threads=2)
    assert "--threads=1" in command
    assert "--duration=2s" in command
    assert f"--timeout={wrk.TIMEOUT_SECONDS}s" in command
    assert f"--script={wrk.SCRIPT}" in command
    assert wrk.SCRIPT.exists()


def test_a_post_page_sends_its_requests_in_turn_from_a_file(tmp_path):
    lines = ['POST\tapplication/json\t\t{"code": "TS-1"}', "POST\ttext/plain\tc=1\tx=1"]
    path = wrk.requests_write(tmp_path / "requests.txt", lines)
    assert path.read_text().splitlines() == lines
    command = wrk.command("http://127.0.0.1:1/", seconds=1, connections=2, threads=2, requests=path)
    assert command[-2:] == ["--", str(path)]
    assert "--" not in wrk.command("http://127.0.0.1:1/", seconds=1, connections=2, threads=2)
    with pytest.raises(wrk.WrkError):
        wrk.requests_write(tmp_path / "bad.txt", ["POST\ttext/plain\t\tone\ttab too many"])


def test_urls_are_percent_encoded_as_a_browser_sends_them():
    assert wrk.url("http://127.0.0.1:8/", "/lists/?q=树木 砍伐&list=power") == (
        "http://127.0.0.1:8/lists/?q=%E6%A0%91%E6%9C%A8%20%E7%A0%8D%E4%BC%90&list=power"
    )


# --- percentiles, goals and ratios ---------------------------------------------------------


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile([7.0], 0.95) == 7.0
    replayed = timing_of([3.0, 1.0, 2.0, 4.0], seconds=2.0)
    assert (replayed.p50, replayed.p95, replayed.rate, replayed.count) == (2.0, 4.0, 2.0, 4)


def test_goals_judge_the_figure_against_its_limit():
    fast = PageResult("search", "/lists/?q=许可", timing=timing(p50=40, p95=90))
    assert P95Max(100).verdict(fast) == OK
    assert P95Max(50).verdict(fast) == MISSED
    # No city figure in this run (the city preset itself): no verdict.
    assert CityRatio(1.5).verdict(fast) == "—"
    fast.city = timing(p50=30)
    assert CityRatio(1.5).verdict(fast) == OK
    fast.city = timing(p50=20)
    assert CityRatio(1.5).verdict(fast) == MISSED
    cached = PageResult("cached", "/lists/?q=许可", timing=timing(rate=450))
    cached.bare = timing(rate=1000)
    assert RateShare(0.4).verdict(cached) == OK
    cached.bare = timing(rate=1200)
    assert RateShare(0.4).verdict(cached) == MISSED


def test_operation_goals_and_an_operation_that_did_not_finish():
    done = OperationResult("sweep", seconds=1.5, rss_mb=120, rss_growth_mb=10)
    assert SecondsMax(2).verdict(done) == OK
    assert MegabytesMax(64, growth=True).verdict(done) == OK
    assert MegabytesMax(100).verdict(done) == MISSED
    unfinished = OperationResult("calendar", goals=(SecondsMax(10),), note="not finished in 60 s")
    assert SecondsMax(10).verdict(unfinished) == MISSED
    assert operation_row(unfinished) == [
        "calendar",
        "—",
        "—",
        "—",
        "—",
        "≤ 10 s MISSED; not finished in 60 s",
    ]


# --- the table -----------------------------------------------------------------------------


def test_a_page_row_is_followed_by_its_limits_with_their_ratios():
    result = PageResult(
        "search, 2 characters",
        "/lists/?q=许可",
        goals=(P95Max(100), CityRatio(1.5)),
        timing=timing(p50=30, p95=80, rate=60),
        city=timing(p50=25, p95=40, rate=70),
        sql=timing(p50=6, p95=9, rate=150),
        statements=4,
    )
    rows = page_rows(result)
    assert rows[0] == [
        "search, 2 characters",
        "30.0",
        "80.0",
        "60.0",
        "",
        "",
        "p95 ≤ 100 ms ok; p50 ≤ 1.5× city ok",
    ]
    assert rows[1][4:6] == ["(a) city preset", "1.20×"]
    assert rows[2][4:6] == ["(b) its SQL, 4 statements", "5.00×"]


def test_a_page_that_failed_shows_its_failures_never_its_times():
    result = PageResult(
        "item page",
        "/items/x/",
        goals=(P95Max(50),),
        timing=timing(p50=1, p95=2, count=500, failed=500),
        sql=timing(p50=1),
        statements=3,
    )
    rows = page_rows(result)
    assert rows[0][1:3] == ["ERROR", "ERROR"]
    assert rows[0][-1] == "500 of 500 responses not 2xx or lost"
    assert rows[1][5] == "—"  # no ratio of a failed figure


def test_the_cached_page_is_a_share_of_the_bare_views_requests():
    result = PageResult("cached", "/lists/?q=许可", timing=timing(rate=500))
    result.bare = timing(rate=1000)
    assert page_rows(result)[1][4:6] == ["(c) bare view", "50%"]


def test_columns_line_up_with_chinese_text():
    assert width("许可 ab") == 7
    assert pad("许可", 6) == "许可  "
    report = Report(
        title="make bench PRESET=city",
        pages=[PageResult("搜索", "/lists/?q=许可", timing=timing()), PageResult("b", "/b/")],
        operations=[OperationResult("import", seconds=12.5, statements=10, rows=10_000)],
        notes=["a note"],
    )
    text = render(report)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("figure"))
    row = next(line for line in lines if line.startswith("搜索"))
    assert width(row.split("10.0")[0]) == width(header.split("p50 ms")[0]) + 2
    assert "not measured" in text
    assert "12.5 s" in text and "10,000" in text
    assert "  搜索: /lists/?q=许可" in text
    assert text.endswith("a note\n")


# --- databases and the broker ----------------------------------------------------------------


def test_the_server_comes_from_database_url_or_the_default():
    assert databases.server_url({}) == databases.DEFAULT_SERVER
    assert (
        databases.server_url({"DATABASE_URL": "postgres://me:pw@db.local:5433/qingdan"})
        == "postgres://me:pw@db.local:5433"
    )
    with pytest.raises(databases.DatabaseError, match="needs PostgreSQL"):
        databases.server_url({"DATABASE_URL": "sqlite:///var/qingdan.sqlite3"})


def test_the_bench_touches_only_its_own_databases():
    with pytest.raises(databases.DatabaseError):
        databases.drop(databases.DEFAULT_SERVER, "qingdan")
    assert databases.name_of("province") == "qingdan_bench_province"


def test_the_fingerprint_follows_preset_seed_and_the_generators_code(tmp_path):
    (tmp_path / "core").mkdir()
    scale = tmp_path / "core" / "scale.py"
    scale.write_text("ROWS = 1\n")
    (tmp_path / "core" / "views.py").write_text("# not part of the generated rows\n")
    first = databases.fingerprint(tmp_path, "city", 2015)
    assert first == databases.fingerprint(tmp_path, "city", 2015)
    assert first != databases.fingerprint(tmp_path, "province", 2015)
    assert first != databases.fingerprint(tmp_path, "city", 2016)
    (tmp_path / "core" / "views.py").write_text("# changed\n")
    assert first == databases.fingerprint(tmp_path, "city", 2015)
    scale.write_text("ROWS = 2\n")
    assert first != databases.fingerprint(tmp_path, "city", 2015)


def test_operations_publish_to_memory_whatever_the_environment_says(monkeypatch):
    for name in child.BROKER_VARIABLES:
        monkeypatch.setenv(name, "redis://127.0.0.1:6379/0")
    child.broker_isolate()
    assert {os.environ[name] for name in child.BROKER_VARIABLES} == {child.MEMORY_BROKER}
    child.broker_check()


# --- the pages it picks and captures --------------------------------------------------------


@pytest.fixture
def small_register(db):
    """郑州市 (410100) with four general departments of 1, 2, 3 and 4 entries in force (the
    salt bureau of build_org has the 4), each entry published three times."""
    org = build_org()
    salt = org.departments["salt"]
    made = {salt: 4}
    for name, count in (("一局", 1), ("二局", 2), ("三局", 3)):
        department = department_create(
            actor=None,
            jurisdiction=org.city,
            name=f"郑州市{name}",
            function=DepartmentFunction.GENERAL,
        )
        made[department] = count
    entries = {}
    for department, count in made.items():
        entries[department] = []
        for number in range(1, count + 1):
            entry = rb.publish(department, basic_code=f"07{number:05d}000", name=f"许可{number}")
            for days in (9, 8):
                entry = rb.republish(entry, promised_limit_days=days)
            entries[department].append(entry)
    return entries


def test_the_median_department_and_its_middle_item_are_picked(small_register):
    entries = small_register
    by_count = {len(made): department for department, made in entries.items()}
    picked = pages.pick("410100")
    # Four departments: the lower median is the one with 2 entries; its middle one the 2nd.
    assert picked["department"] == str(by_count[2].pk)
    middle = sorted(entries[by_count[2]], key=lambda entry: (entry.sort_key, entry.pk))[1]
    assert middle.status == EntryStatus.IN_FORCE and middle.version == 3
    assert picked == {
        "jurisdiction": "410100",
        "department": str(by_count[2].pk),
        "code": middle.code,
    }
    urls = {page.key: page.url(pages.values_of(picked)) for page in PAGES}
    assert urls["item"] == f"/items/{middle.code}/"
    assert urls["complaint-stats-year"] == f"/complaints/stats/?year={bench_complaints.last_year()}"
    assert urls["export"] == f"/lists/export.csv?department={by_count[2].pk}"
    assert urls["search-filters"] == "/lists/?q=许可&list=power&jurisdiction=410100"


def test_an_empty_register_has_nothing_to_pick(db):
    with pytest.raises(LookupError):
        pages.pick("410100")


def test_the_bare_view_passes_every_middleware_and_sends_no_sql(db):
    assert pages.bare_view_problems() == []


@pytest.fixture
def generated_complaint(small_register):
    """A complaint about the salt bureau whose secret is the one the generator derives
    (complaints.scale.scale_secret): the bench tracks it as it tracks generated ones."""
    salt = next(department for department in small_register if department.name == "市盐业管理局")
    filed = complaint_services.complaint_file(
        actor=None,
        department=salt,
        ground=Ground.NOT_AS_LISTED,
        facts="清单承诺5个工作日办结，实际用了30天。",
        complainant_kind=ComplainantKind.CITIZEN,
        name="投诉人000001",
        phone="13900000001",
        truthful=True,
    )
    code = filed.complaint.code
    Complaint.objects.filter(pk=filed.complaint.pk).update(
        secret_hash=complaint_services.secret_hash(code, complaint_scale.scale_secret(SEED, code))
    )
    return filed.complaint


def test_the_post_pages_requests_track_real_complaints_and_file_new_ones(generated_complaint):
    requests = pages.page_requests()
    posting = {page.key: page for page in (*PAGES, COMPLAINT_FILE) if page.requests}
    assert set(requests) == set(posting)
    for lines in requests.values():
        assert lines and all(line.count("\t") == 3 for line in lines)
    method, kind, _cookie, body = requests["api-complaint-track"][0].split("\t")
    pair = json.loads(body)
    assert (method, kind, pair["code"]) == ("POST", "application/json", generated_complaint.code)
    assert complaint_selectors.complaint_track(**pair) is not None
    _method, _kind, cookie, form = requests["complaint-track"][0].split("\t")
    assert cookie.startswith("csrftoken=") and "csrfmiddlewaretoken=" in form
    filings = [json.loads(line.split("\t")[3]) for line in requests["api-complaint-file"]]
    assert len({filing["facts"] for filing in filings}) == len(filings) == FILED
    assert {filing["department"] for filing in filings} == {generated_complaint.department_id}


def test_the_complaint_calls_are_timed_one_by_one(generated_complaint):
    found = bench_complaints.figures(filings=2, trackings=1, rounds=1)
    assert set(found) == {call.key for call in CALLS}
    assert len(found["intake"]["samples_ms"]) == 2
    assert found["intake"]["statements"] > 5
    assert len(found["track"]["samples_ms"]) == 1
    assert Complaint.objects.count() == 3


def test_each_pages_sql_is_captured_from_its_second_request(generated_complaint):
    picked = pages.pick("410100")
    paths = {page.key: page.url(pages.values_of(picked)) for page in PAGES}
    captured = pages.capture(paths, pages.page_requests())
    assert set(captured) == {page.key for page in PAGES}
    # Ten entries have no third page of 50: the status says so (wrk would count it failed).
    assert captured.pop("api-page")["status"] == 404
    for key, page in captured.items():
        assert page["status"] == 200, key
        assert page["statements"], key
    assert any("SELECT" in sql for sql in captured["item"]["statements"])


# --- the whole bench, very short ------------------------------------------------------------


def _postgres_answers() -> bool:
    try:
        databases.version(databases.server_url())
    except databases.DatabaseError:
        return False
    return True


# Just above the city register's 20,000 (decisions.scale.DECISIONS): the bench tops a scratch
# copy up, the path a city run takes to its million, at a size that takes seconds.
SMOKE_DECISIONS = 21_000


@pytest.mark.large
def test_the_city_bench_runs_end_to_end():
    """`make bench PRESET=city` with one-second figures: every page answers 2xx, every
    figure and operation is in the table. Reuses a city register generated earlier by the same
    code (it never touches another database than qingdan_bench_*)."""
    need(shutil.which("wrk") is not None, wrk.INSTALL)
    need(_postgres_answers(), databases.NEEDS_POSTGRES)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--preset=city",
            "--reuse",
            "--seconds=1",
            "--warmup=1",
            "--replay=0.2",
            "--operation-timeout=30",
            "--export-timeout=60",
            # The decision search at fewer decisions than make bench's million: the top-up
            # of a million takes minutes (tests/test_decisions_public_bench.py checks it).
            f"--decisions={SMOKE_DECISIONS}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    table = completed.stdout
    print(table)
    assert "ERROR" not in table
    assert "not measured" not in table and "wrk:" not in table
    for page in PAGES:
        assert page.label in table
    for operation in ("web worker", "Celery worker", "publication", "Excel import", "sweep"):
        assert operation in table
    for label in (COMPLAINT_FILE.label, *(call.label for call in CALLS)):
        assert label in table
    for page in decision_pages(SMOKE_DECISIONS):
        assert page.label in table
    assert f"decisions added up to {SMOKE_DECISIONS:,}" in table
    assert "The bare view is not a clean floor" not in table
