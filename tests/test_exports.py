"""Exports of a whole list never hold a web worker longer than a page does (issue 10 §3): the
CSV streams from the first chunk, a large Excel workbook is built once per published state by a
worker and then served as a file, and each client has an export limit.

The first tests run on a generated register of 50,000 entries (the builder of `make bench`),
made once for the module and rolled back after it; they are marked `large` (deselect them
locally with -m "not large") and never skip, so CI runs them."""

import csv
import io
import os
import time
from urllib.parse import unquote

import openpyxl
import pytest
from django.db import connection, transaction
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import exports, services, tasks
from registry.management.commands.bench import register_fill
from registry.models import Entry
from tests import registry_builders as rb

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


# --- 50,000 entries -------------------------------------------------------------------------


@pytest.mark.large
@pytest.mark.django_db
def test_the_whole_list_as_csv_streams_from_the_first_chunk(client, big_register):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(CSV)
        assert response.status_code == 200
        assert isinstance(response, StreamingHttpResponse)
        pieces = iter(response.streaming_content)
        head = next(pieces)
        # The byte order mark and the header leave before any query of the rows.
        assert head.startswith(b"\xef\xbb\xbf")
        assert len(captured) == 0
        first_rows = next(pieces)
        first_byte = time.perf_counter() - started
        # The first chunk of rows: the cursor's query and the chunk's provisions.
        assert len(captured) <= 2
        rest = b"".join(pieces)
    total = time.perf_counter() - started
    print(f"\nCSV of {TOTAL}: first rows after {first_byte:.2f} s, whole file {total:.1f} s")
    lines = list(csv.reader(io.StringIO((head + first_rows + rest).decode("utf-8-sig"))))
    assert len(lines) == TOTAL + 1
    assert len({line[0] for line in lines[1:]}) == TOTAL
    # Two queries per chunk of rows, whatever the chunk holds.
    assert len(captured) <= 2 * (TOTAL // exports.CHUNK_SIZE + 1)


@pytest.mark.large
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


# --- the machinery, on small lists ----------------------------------------------------------


@pytest.fixture
def salt(org):
    return org.departments["salt"]


def test_a_small_list_is_built_in_the_request_and_kept(client, salt):
    rb.publish(salt)
    with CaptureQueriesContext(connection) as first:
        assert client.get(f"{XLSX}?list=power").status_code == 200
    # The same filters in another order, with a page number and an empty keyword.
    with CaptureQueriesContext(connection) as again:
        response = client.get(f"{XLSX}?q=&page=3&list=power")
    assert response.status_code == 200
    assert len(again) == 1 < len(first)
    rows = list(openpyxl.load_workbook(io.BytesIO(drain(response))).active.values)
    assert [row[2] for row in rows[1:]] == ["残疾人证核发"]


@pytest.fixture
def worker_media(settings, monkeypatch):
    """The worker builds into the folder this test's requests serve from."""
    monkeypatch.setenv("QINGDAN_TEST_MEDIA_ROOT", str(settings.MEDIA_ROOT))


def test_a_worker_builds_the_file_that_the_next_request_serves(
    worker_media, celery_worker, client, salt, settings
):
    settings.EXPORT_INLINE_ROWS = 0
    rb.publish(salt)
    # No transaction around the request: the task goes to the broker at once.
    assert client.get(XLSX).status_code == 202
    export = exports.cached_export({})
    celery_worker.wait_for(export.ready, "the Excel file built by the worker")
    response = client.get(XLSX)
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(drain(response))).active.values)
    assert [row[2] for row in rows[1:]] == ["残疾人证核发"]


def test_a_builder_asked_for_an_older_state_builds_nothing(client, salt, settings):
    settings.EXPORT_INLINE_ROWS = 0
    rb.publish(salt)
    export = exports.cached_export({})
    assert client.get(XLSX).status_code == 202
    rb.publish(salt, name="另一事项", basic_code="0700010000")
    assert exports.xlsx_build(state=export.state, params={}) is None
    assert not export.ready()
    assert not export.marker.exists()


def test_a_lost_build_is_asked_for_again(
    client, salt, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_ROWS = 0
    rb.publish(salt)
    with django_capture_on_commit_callbacks() as sent:
        assert client.get(XLSX).status_code == 202
    assert len(sent) == 1
    export = exports.cached_export({})
    # The message was lost: nobody touched the marker for longer than a build may pause.
    old = time.time() - exports.BUILD_STALE_SECONDS - 1
    os.utime(export.marker, (old, old))
    with django_capture_on_commit_callbacks() as sent:
        assert client.get(XLSX).status_code == 202
    assert len(sent) == 1, "the next request asks again"
    os.utime(export.marker, (old, old))
    with django_capture_on_commit_callbacks() as sent:
        assert exports.exports_sweep() == (0, 1)
    assert len(sent) == 1, "so does the sweep"


def test_the_preparing_page_shows_the_progress(client, salt, settings):
    settings.EXPORT_INLINE_ROWS = 0
    rb.publish(salt)
    assert client.get(XLSX).status_code == 202
    export = exports.cached_export({})
    export.mark(state="building", rows=500, total=2000)
    html = client.get(XLSX).content.decode()
    assert "已写入 500 / 2000 行" in html
    assert 'value="500"' in html


def test_exports_are_limited_per_address(client, salt, settings):
    settings.EXPORT_THROTTLE_COUNT = 3
    settings.EXPORT_THROTTLE_SECONDS = 600
    rb.publish(salt)
    for _ in range(3):
        response = client.get(CSV, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 200
        drain(response)
    # The Excel export shares the limit.
    refused = client.get(XLSX, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 600
    html = refused.content.decode()
    assert "请求过于频繁" in html
    assert "分钟后" in html and "之后）再试" in html
    # Another address is not affected.
    assert client.get(CSV, REMOTE_ADDR="198.51.100.8").status_code == 200


def test_behind_the_proxy_the_limit_is_per_client_address(client, salt, settings):
    settings.EXPORT_THROTTLE_COUNT = 1
    settings.TRUSTED_PROXY_COUNT = 1
    rb.publish(salt)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert client.get(CSV, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 200
    assert client.get(CSV, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    assert client.get(CSV, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy).status_code == 200


def test_signed_in_users_each_have_their_own_limit(client, org, salt, settings):
    settings.EXPORT_THROTTLE_COUNT = 1
    rb.publish(salt)
    client.force_login(org.users["clerk"])
    assert client.get(CSV).status_code == 200
    assert client.get(CSV).status_code == 429
    client.force_login(org.users["office"])
    assert client.get(CSV).status_code == 200


def test_checking_on_a_build_is_not_counted(client, salt, settings):
    settings.EXPORT_INLINE_ROWS = 0
    settings.EXPORT_THROTTLE_COUNT = 2
    rb.publish(salt)
    for _ in range(6):
        assert client.get(XLSX).status_code == 202
    export = exports.cached_export({})
    exports.xlsx_build(state=export.state, params={})
    assert client.get(XLSX).status_code == 200
    assert client.get(XLSX).status_code == 429


def test_a_change_of_a_law_name_names_a_new_state(salt):
    entry = rb.publish(salt)
    before = exports.current_state()
    law = entry.citations.first().law
    services.law_save(actor=None, law=law, name="中华人民共和国残疾人保障法（修正）")
    assert exports.current_state() != before
