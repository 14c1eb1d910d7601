"""Exports of a list (issue 10 §3): a CSV file or an Excel workbook is built once per published
state, filter and format (in the request when small, else by a worker) and then served as a
file, and each client has an export limit. On 50,000 entries: tests/test_exports_large.py."""

import csv
import io
import os
import time

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import exports, services
from tests import registry_builders as rb

CSV = reverse("registry:export-csv")
XLSX = reverse("registry:export-xlsx")


@pytest.fixture(autouse=True)
def _exports_folder(settings, tmp_path):
    """Each test sees only the files it built (the sweep counts what it removes)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def drain(response) -> bytes:
    return b"".join(response.streaming_content)


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


def test_a_small_csv_is_built_in_the_request_and_kept_apart_from_the_workbook(client, salt):
    rb.publish(salt)
    with CaptureQueriesContext(connection) as first:
        assert client.get(f"{CSV}?list=power").status_code == 200
    with CaptureQueriesContext(connection) as again:
        response = client.get(f"{CSV}?list=power")
    assert len(again) == 1 < len(first)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(drain(response).decode("utf-8-sig"))))
    assert [line[2] for line in lines[1:]] == ["残疾人证核发"]
    # The workbook of the same list is a file of its own.
    assert not exports.cached_export({"list": "power"}).ready()
    assert exports.cached_export({"list": "power"}, "csv").ready()


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
    assert exports.file_build(state=export.state, params={}) is None
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
    exports.file_build(state=export.state, params={})
    assert client.get(XLSX).status_code == 200
    assert client.get(XLSX).status_code == 429


def test_a_change_of_a_law_name_names_a_new_state(salt):
    entry = rb.publish(salt)
    before = exports.current_state()
    law = entry.citations.first().law
    services.law_save(actor=None, law=law, name="中华人民共和国残疾人保障法（修正）")
    assert exports.current_state() != before
