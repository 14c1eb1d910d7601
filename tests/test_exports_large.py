"""Exports of a whole list never hold a web worker longer than a page does (issue 10 §3), on a
generated register of 50,000 entries (tests/large_register.py), made once for the module and
rolled back after it. Marked `large` (deselect them locally with -m "not large"); they never
skip, so CI runs them. The machinery on small lists: tests/test_exports.py."""

import csv
import io
import time
from urllib.parse import unquote

import openpyxl
import pytest
from django.db import connection, transaction
from django.http import FileResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import exports, tasks
from registry.models import Entry
from tests import registry_builders as rb
from tests.large_register import register_fill

pytestmark = [pytest.mark.large]

TOTAL = 50_000
CSV = reverse("registry:export-csv")
XLSX = reverse("registry:export-xlsx")


@pytest.fixture(scope="module")
def big_register(django_db_setup, django_db_blocker):
    """50,000 published entries with their history rows, written in bulk in one transaction
    that is rolled back when the module is done (each test runs in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.perf_counter()
        register_fill(TOTAL)
        print(f"\n{TOTAL} entries built in {time.perf_counter() - started:.1f} s")
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _exports_folder(settings, tmp_path):
    """Each test sees only the files it built (the sweep counts what it removes)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def drain(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_the_whole_list_as_csv_is_built_by_a_worker_not_in_the_request(
    client, big_register, django_capture_on_commit_callbacks
):
    """A streamed CSV of 50,000 rows kept a web worker busy for 11–26 s: the whole-list CSV is
    built once per published state like the workbook, and served from its file."""
    with (
        django_capture_on_commit_callbacks() as sent,
        CaptureQueriesContext(connection) as captured,
    ):
        response = client.get(CSV)
    assert response.status_code == 202
    assert len(captured) <= 3, "the state, the count: no row is read in the request"
    assert "正在生成 CSV 文件" in response.content.decode()
    assert len(sent) == 1
    export = exports.cached_export({}, "csv")

    started = time.perf_counter()
    tasks.export_build(state=export.state, params={}, fmt="csv")
    print(f"\nCSV of {TOTAL} built in {time.perf_counter() - started:.1f} s")
    assert export.ready()

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(CSV)
        content = drain(response)
    print(f"CSV of {TOTAL} served from its file in {time.perf_counter() - started:.2f} s")
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert len(captured) == 1, "a ready file costs one read of the published state"
    assert unquote(response["Content-Disposition"]).endswith(".csv")
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(lines) == TOTAL + 1
    assert len({line[0] for line in lines[1:]}) == TOTAL


@pytest.mark.django_db
def test_the_whole_list_as_excel_is_built_by_a_worker_once_per_published_state(
    client, big_register, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as sent,
        CaptureQueriesContext(connection) as captured,
    ):
        response = client.get(XLSX)
    # Not built in the request: the state, the count, and the answer that it is being prepared.
    assert response.status_code == 202
    assert len(captured) <= 3
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "正在生成 Excel 文件" in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert len(sent) == 1, "one build is asked for, on commit"
    export = exports.cached_export({})
    assert not export.ready()

    # Asking again while it is queued sends nothing more.
    with django_capture_on_commit_callbacks() as sent_again:
        assert client.get(XLSX).status_code == 202
    assert sent_again == []

    started = time.perf_counter()
    tasks.export_build(state=export.state, params={})
    print(f"\nExcel of {TOTAL} built in {time.perf_counter() - started:.1f} s")
    assert export.ready()
    assert not export.marker.exists()

    with CaptureQueriesContext(connection) as captured:
        response = client.get(XLSX)
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert len(captured) == 1, "a ready file costs one read of the published state"
    assert unquote(response["Content-Disposition"]).endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(drain(response)), read_only=True)
    codes = [row[0] for row in workbook.active.iter_rows(min_row=2, max_col=1, values_only=True)]
    assert len(codes) == len(set(codes)) == TOTAL
    workbook.close()

    # A publication names a new state: its file is asked for, the old one is swept (the
    # build itself is the one above; test_a_builder_asked_for_an_older_state_builds_nothing).
    entry = Entry.objects.order_by("pk").first()
    rb.publish(entry.department, name="新发布的事项", basic_code="0700099000")
    with django_capture_on_commit_callbacks() as sent:
        assert client.get(XLSX).status_code == 202
    assert len(sent) == 1
    assert exports.cached_export({}).state != export.state
    assert exports.exports_sweep() == (1, 0)
    assert not export.folder.exists()
