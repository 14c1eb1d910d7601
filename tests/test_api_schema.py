"""Issue 9 §18: the OpenAPI schema says what the server does (core.api.schema.AutoSchema).
Public operations are anonymous, the cookie is named only where a login is needed; every
operation documents the error answers its mechanism gives, with the error body; summaries and
descriptions are for readers, in the request's language (Chinese by default)."""

import re

import pytest

SCHEMA = "/api/schema/?format=json"
CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_REF = "#/components/schemas/Error"
STAFF_ONLY = {
    ("get", "/api/v1/adjustments/"),
    ("post", "/api/v1/adjustments/"),
    ("get", "/api/v1/adjustments/{number}/"),
    ("get", "/api/v1/adjustments/{number}/transitions/"),
    ("post", "/api/v1/adjustments/{number}/transitions/"),
    ("get", "/api/v1/adjustments/{number}/messages/"),
    ("post", "/api/v1/adjustments/{number}/messages/"),
    ("get", "/api/v1/complaints/"),
    ("get", "/api/v1/complaints/{code}/"),
    ("get", "/api/v1/complaints/{code}/transitions/"),
    ("post", "/api/v1/complaints/{code}/transitions/"),
    ("get", "/api/v1/inspections/plans/"),
    ("get", "/api/v1/inspections/plans/{id}/"),
    ("post", "/api/v1/inspections/plans/{id}/transitions/"),
    ("get", "/api/v1/inspections/visits/{id}/"),
    ("get", "/api/v1/inspections/problems/"),
    ("get", "/api/v1/inspections/problems/{id}/"),
    ("get", "/api/v1/inspections/notices/"),
    ("get", "/api/v1/inspections/notices/{id}/"),
    ("post", "/api/v1/inspections/notices/{id}/transitions/"),
    ("get", "/api/v1/decisions/work/"),
    ("get", "/api/v1/decisions/work/{id}/"),
    ("get", "/api/v1/decisions/work/{id}/transitions/"),
    ("post", "/api/v1/decisions/work/{id}/transitions/"),
    ("get", "/api/v1/decisions/credit/{kind}/"),
}
# Departments' case systems push decisions with their key (issue 14 §5), not a login.
CASE_SYSTEM_ONLY = {
    ("post", "/api/v1/decisions/intake/"),
    ("get", "/api/v1/decisions/intake/{external_id}/"),
    ("put", "/api/v1/decisions/intake/{external_id}/"),
}


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


@pytest.fixture
def schema(client, db):
    response = client.get(SCHEMA, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.json()


def test_public_operations_are_anonymous_and_staff_ones_need_the_cookie(schema):
    seen = set()
    for method, path, operation in operations(schema):
        seen.add((method, path))
        if (method, path) in STAFF_ONLY:
            assert operation["security"] == [{"cookieAuth": []}], (method, path)
        elif (method, path) in CASE_SYSTEM_ONLY:
            assert operation["security"] == [{"caseSystemKey": []}], (method, path)
        else:
            assert operation["security"] == [{}], (method, path)
    assert seen >= STAFF_ONLY | CASE_SYSTEM_ONLY
    assert len(seen) >= 18


def _error_statuses(operation) -> set[str]:
    return {
        status
        for status, response in operation["responses"].items()
        if response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        == ERROR_REF
    }


def test_every_operation_documents_its_error_answers_with_the_error_body(schema):
    for method, path, operation in operations(schema):
        errors = _error_statuses(operation)
        where = (method, path)
        parameters = operation.get("parameters", [])
        if "{" in path or any(p["name"] == "page" for p in parameters):
            assert "404" in errors, where
        if any(p["in"] == "query" for p in parameters) or "requestBody" in operation:
            assert "400" in errors, where
        if where in STAFF_ONLY:
            assert "403" in errors, where
        if "requestBody" in operation:
            assert {"413", "415"} <= errors, where


def test_a_page_past_the_last_is_a_documented_404(client, schema):
    response = client.get("/api/v1/laws/?page=99")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "404" in _error_statuses(schema["paths"]["/api/v1/laws/"]["get"])


def test_summaries_and_descriptions_are_chinese_by_default(schema):
    assert schema["info"]["title"] == "清单 API"
    for method, path, operation in operations(schema):
        assert CJK.search(operation.get("summary", "")), (method, path)
        assert CJK.search(operation.get("description", "")), (method, path)
        for status, response in operation["responses"].items():
            if status != "200" and status != "201":
                assert CJK.search(response["description"]), (method, path, status)


def test_every_text_of_the_schema_is_chinese_by_default(schema):
    """Operation, parameter, field and response texts alike: none left in English."""
    english = []

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                text = value if key in ("summary", "description") else None
                in_example = "examples" in where
                if isinstance(text, str) and text and not CJK.search(text) and not in_example:
                    english.append(f"{where}: {text}")
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    walk(schema, "")
    assert not english, "\n".join(english)


def test_english_is_selectable(client, db):
    english = client.get(SCHEMA, HTTP_ACCEPT_LANGUAGE="en").json()
    for method, path, operation in operations(english):
        assert not CJK.search(operation["summary"]), (method, path)
    laws = english["paths"]["/api/v1/laws/"]["get"]
    assert laws["summary"] == "The law register"
    assert client.get(f"{SCHEMA}&lang=en").json()["paths"]["/api/v1/laws/"]["get"]["summary"] == (
        "The law register"
    )


def test_developer_docstrings_do_not_reach_the_schema(schema):
    text = str(schema)
    assert "The error body, for views to name" not in text
    assert "EntryFilter filters entries" not in text
    assert "Every view reads through registry.selectors" not in text
