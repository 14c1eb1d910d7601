"""Issue 9 §17: a body the server will not read answers in the API's error format, as every
other API error does (core.api.exceptions): 413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE,
400 for too many fields and for malformed JSON. Before, Django's HTML "Bad Request (400)" page
came back for the first two."""

import json

import pytest
from django.test import Client

REQUESTS = "/api/v1/adjustments/"


@pytest.fixture
def clerk(org):
    client = Client()
    client.force_login(org.users["clerk"])
    return client


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"]
    assert body["error"]["status"] == status
    return body["error"]


def test_a_json_body_over_the_limit_is_a_413_in_the_error_format(clerk, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"summary": "盐" * 2000, "trigger": "law_change"})
    error = error_of(clerk.post(REQUESTS, body, content_type="application/json"), 413)
    assert error["code"] == "too_large"
    assert "过大" in error["message"]


def test_a_multipart_body_over_the_limit_is_a_413_in_the_error_format(clerk, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = clerk.post(REQUESTS, {"summary": "x" * 2000})  # multipart/form-data
    assert error_of(response, 413)["code"] == "too_large"


def test_too_many_fields_is_a_400_in_the_error_format(clerk, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"field{n}": "x" for n in range(20)}
    error = error_of(clerk.post(REQUESTS, data), 400)
    assert error["code"] == "too_many_fields"
    assert "字段" in error["message"]


def test_malformed_json_is_a_400_in_the_error_format(clerk):
    error = error_of(clerk.post(REQUESTS, "{not json", content_type="application/json"), 400)
    assert error["code"] == "parse_error"


def test_pages_keep_their_html_answer(org, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = Client()
    client.force_login(org.users["clerk"])
    response = client.post("/work/adjustments/new/", {f"f{n}": "x" for n in range(20)})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
