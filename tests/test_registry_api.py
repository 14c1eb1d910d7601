"""The read API of the register (issue 3 §6): jurisdictions, departments, categories, laws and
items with filters, as_of, history and diff; public, paginated, one error format, and a
number of queries that does not grow with the data."""

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework import exceptions

from core.api import exceptions as api_exceptions
from registry import services
from registry.choices import ChangeSource, EntryStatus, LawStatus, ListKind
from registry.models import FIELDS_BY_KIND, Category, Entry
from tests import registry_builders as rb
from tests.api_helpers import count_queries

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
ITEMS = "/api/v1/items/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def noon(year, month, day):
    return datetime.datetime(year, month, day, 12, tzinfo=SHANGHAI)


def today() -> str:
    return timezone.localdate().isoformat()


def item_url(code: str, suffix: str = "") -> str:
    return f"{ITEMS}{code}/{suffix}"


@pytest.fixture
def salt(org):
    return org.departments["salt"]


def power(department, number: int, **overrides) -> Entry:
    """A power item with basic code 07<number>000 (行政确认)."""
    return rb.publish(department, **{"basic_code": f"07{number:05d}000", **overrides})


def fee(department, number: int) -> Entry:
    """A fee item: its list uses none of a power item's service fields, so it is built from a
    payload of its own."""
    payload = {
        "category": Category.objects.get(list_kind=ListKind.FEE, code="71").pk,
        "name": "证照工本费",
        "basic_code": f"71{number:05d}000",
        "basis": [rb.law().provisions.first().pk],
        "standard": "每证10元",
        "payers": "申领人",
        "scope": "全市",
    }
    (entry,) = services.entries_publish(
        actor=None,
        changes=[
            services.EntryChange(
                payload=payload,
                list_kind=ListKind.FEE,
                jurisdiction=department.jurisdiction,
                department=department,
            )
        ],
        source=ChangeSource.IMPORT,
        reason="测试导入",
    )
    return entry


def provisions_of_new_law(name: str, count: int) -> list[int]:
    law = rb.law(
        name, articles=[(f"第{n}条", f"{name}第{n}条的条文。") for n in range(1, count + 1)]
    )
    return list(law.provisions.values_list("pk", flat=True))


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]


# --- URLs and the schema -----------------------------------------------------------------


def test_the_urls_are_named():
    assert reverse("registry-api:items") == ITEMS
    assert reverse("registry-api:item", kwargs={"code": "0700001000-410100-D00001"}) == (
        "/api/v1/items/0700001000-410100-D00001/"
    )
    assert reverse("registry-api:item-history", kwargs={"code": "x"}) == "/api/v1/items/x/history/"
    assert reverse("registry-api:item-diff", kwargs={"code": "x"}) == "/api/v1/items/x/diff/"
    assert reverse("registry-api:jurisdiction", kwargs={"code": "410100"}) == (
        "/api/v1/jurisdictions/410100/"
    )
    assert reverse("registry-api:law", kwargs={"pk": 3}) == "/api/v1/laws/3/"


def test_the_schema_documents_every_endpoint_and_its_parameters(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    parameters = {p["name"] for p in paths[ITEMS]["get"]["parameters"]}
    assert parameters >= {"list", "jurisdiction", "department", "category", "status", "q"}
    assert parameters >= {"as_of", "page", "page_size"}
    assert {p["name"] for p in paths["/api/v1/items/{code}/diff/"]["get"]["parameters"]} == {
        "code",
        "a",
        "b",
    }
    assert {p["name"] for p in paths["/api/v1/laws/"]["get"]["parameters"]} >= {
        "status",
        "level",
        "q",
    }
    for path in (ITEMS, "/api/v1/items/{code}/", "/api/v1/items/{code}/diff/"):
        assert "400" in paths[path]["get"]["responses"]
    error = response.json()["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"status", "code", "message", "fields"}
    assert client.get("/api/docs/").status_code == 200


# --- jurisdictions, departments, categories, laws -----------------------------------------


def test_jurisdictions_with_their_counts(client, org, salt):
    power(salt, 1)
    power(salt, 2, status=EntryStatus.CANCELLED)
    body = client.get("/api/v1/jurisdictions/").json()
    assert body["count"] == 3
    city, district, town = body["results"]
    assert (city["code"], city["name"], city["parent"], city["entry_count"]) == (
        "410100",
        "郑州市",
        None,
        1,
    )
    assert (district["code"], district["parent"], district["level"]) == (
        "410106",
        "410100",
        "district",
    )
    assert town["parent"] == "410106"
    detail = client.get("/api/v1/jurisdictions/410106/").json()
    assert detail == district


def test_departments_filtered_by_jurisdiction(client, org, salt):
    body = client.get("/api/v1/departments/", {"jurisdiction": "410106", "page_size": 200}).json()
    names = {row["name"] for row in body["results"]}
    assert names == {d.name for d in org.district_departments.values()}
    assert {row["jurisdiction"]["code"] for row in body["results"]} == {"410106"}
    everything = client.get("/api/v1/departments/", {"page_size": 200}).json()
    assert everything["count"] == len(org.departments) + len(org.district_departments)
    detail = client.get(f"/api/v1/departments/{salt.pk}/").json()
    assert (detail["id"], detail["name"], detail["jurisdiction"]) == (
        salt.pk,
        salt.name,
        {"code": "410100", "name": "郑州市"},
    )


def test_categories_filtered_by_list(client, db):
    body = client.get("/api/v1/categories/", {"list": "fee"}).json()
    assert [row["code"] for row in body["results"]] == ["71", "72", "73", "74", "75", "76"]
    assert {row["list"] for row in body["results"]} == {"fee"}
    powers = client.get("/api/v1/categories/", {"list": "power"}).json()
    assert powers["count"] == 11
    with translation.override("zh-hans"):
        label = str(ListKind.POWER.label)
    assert powers["results"][0] == {
        "id": Category.objects.get(list_kind="power", code="01").pk,
        "list": "power",
        "list_label": label,
        "code": "01",
        "name": "行政许可",
    }


def test_laws_filtered_and_a_law_with_its_provisions(client, salt):
    cited = rb.law()
    other = rb.law("河南省粮食收购管理办法", articles=[("第一条", "为了规范粮食收购……")])
    services.law_status_set(
        actor=None, law=other, status=LawStatus.REPEALED, on=datetime.date(2020, 1, 1)
    )
    power(salt, 1)
    listed = {row["name"]: row for row in client.get("/api/v1/laws/").json()["results"]}
    assert set(listed) == {cited.name, other.name}
    assert (listed[cited.name]["entry_count"], listed[other.name]["entry_count"]) == (1, 0)
    assert [
        r["name"] for r in client.get("/api/v1/laws/", {"status": "repealed"}).json()["results"]
    ] == [other.name]
    assert client.get("/api/v1/laws/", {"level": "local_rule"}).json()["count"] == 0
    assert [r["name"] for r in client.get("/api/v1/laws/", {"q": "粮食"}).json()["results"]] == [
        other.name
    ]
    detail = client.get(f"/api/v1/laws/{cited.pk}/").json()
    assert detail["status"] == "in_force"
    assert [(p["article"], p["text"][:6]) for p in detail["provisions"]] == [
        ("第八条", "中国残疾人联"),
        ("第九条", "残疾人的扶养"),
    ]


# --- items: the fields of each list ------------------------------------------------------


def test_an_item_has_every_field_of_its_list_as_structured_json(client, salt):
    main = power(salt, 1, name="残疾人证核发", basis=provisions_of_new_law("残疾人证管理办法", 2))
    sub = power(salt, 1, basic_code="0700001001", name="残疾人证换领", parent=main.pk)
    body = client.get(item_url(main.code)).json()
    assert body["code"] == main.code
    assert (body["list"], body["version"], body["status"]) == ("power", 1, "in_force")
    assert body["jurisdiction"] == {"code": "410100", "name": "郑州市"}
    assert body["department"] == {"id": salt.pk, "name": salt.name}
    assert body["category"]["code"] == "07"
    assert body["page_url"] == f"/items/{main.code}/"
    assert body["sub_items"] == [sub.code]
    assert [f["name"] for f in body["field_labels"]] == list(FIELDS_BY_KIND["power"])
    assert set(FIELDS_BY_KIND["power"]) <= set(body)
    assert "standard" not in body and "use" not in body
    assert [(p["law"]["name"], p["article"], p["text"]) for p in body["basis"]] == [
        ("残疾人证管理办法", "第1条", "残疾人证管理办法第1条的条文。"),
        ("残疾人证管理办法", "第2条", "残疾人证管理办法第2条的条文。"),
    ]
    assert body["flow"][0] == {
        "step": "受理",
        "post": "窗口受理岗",
        "limit_days": None,
        "description": "",
        "risk_point": "不一次性告知",
        "risk_level": "low",
        "control_measure": "一次性告知单",
    }
    assert body["flow"][1]["risk_point"] == ""
    assert body["responsibilities"][0]["stage"] == "accept"
    assert body["responsibilities"][0]["circumstances"] == "不予受理不说明理由"
    assert (body["statutory_limit_days"], body["promised_limit_days"], body["star_level"]) == (
        20,
        10,
        3,
    )
    assert body["parent"] is None
    assert client.get(item_url(sub.code)).json()["parent"] == {
        "code": main.code,
        "name": "残疾人证核发",
    }


def test_a_fee_item_carries_the_fee_fields_only(client, salt):
    entry = fee(salt, 1)
    body = client.get(item_url(entry.code)).json()
    assert (body["list"], body["standard"], body["payers"], body["scope"]) == (
        "fee",
        "每证10元",
        "申领人",
        "全市",
    )
    assert "flow" not in body and "star_level" not in body and "responsibilities" not in body
    assert [f["name"] for f in body["field_labels"]] == list(FIELDS_BY_KIND["fee"])


# --- items: filters, search, pagination ----------------------------------------------------


@pytest.fixture
def register(org, salt):
    """Items of two lists, two jurisdictions, two categories and two statuses."""
    district = org.district_departments["salt"]
    return {
        "card": power(salt, 1, name="残疾人证核发"),
        "grain": power(
            salt,
            2,
            name="粮食收购资格核准",
            category=rb.category(name="行政许可").pk,
            basic_code="0100002000",
        ),
        "cancelled": power(salt, 3, name="已取消的确认事项", status=EntryStatus.CANCELLED),
        "fee": fee(salt, 1),
        "district": power(district, 1, name="残疾人证核发"),
    }


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"card", "grain", "cancelled", "fee", "district"}),
        ({"list": "fee"}, {"fee"}),
        ({"list": "power"}, {"card", "grain", "cancelled", "district"}),
        ({"jurisdiction": "410106"}, {"district"}),
        ({"status": "cancelled"}, {"cancelled"}),
        ({"q": "残疾人证"}, {"card", "district"}),
        ({"q": "粮食"}, {"grain"}),
        ({"q": "0100002000"}, {"grain"}),
        ({"list": "power", "jurisdiction": "410100", "status": "in_force"}, {"card", "grain"}),
        ({"q": "残疾人证", "jurisdiction": "410100"}, {"card"}),
        ({"list": "fee", "q": "粮食"}, set()),
    ],
)
def test_each_filter_and_their_combinations(client, register, params, expected):
    assert codes(client.get(ITEMS, params)) == {register[key].code for key in expected}


def test_department_and_category_filters(client, org, register):
    district = org.district_departments["salt"]
    assert codes(client.get(ITEMS, {"department": district.pk})) == {register["district"].code}
    licensing = rb.category(name="行政许可")
    assert codes(client.get(ITEMS, {"category": licensing.pk})) == {register["grain"].code}
    assert codes(client.get(ITEMS, {"category": licensing.pk, "department": district.pk})) == set()


def test_items_are_paginated(client, register):
    first = client.get(ITEMS, {"page_size": 2}).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert "page=2" in first["next"] and first["previous"] is None
    pages = [first] + [client.get(ITEMS, {"page_size": 2, "page": n}).json() for n in (2, 3)]
    seen = [row["code"] for page in pages for row in page["results"]]
    assert sorted(seen) == sorted(entry.code for entry in register.values())
    assert pages[-1]["next"] is None
    error = error_of(client.get(ITEMS, {"page": 9}), 404)
    assert error["code"] == "not_found"


def test_every_list_is_paginated(client, register):
    for url in (
        "/api/v1/jurisdictions/",
        "/api/v1/departments/",
        "/api/v1/categories/",
        "/api/v1/laws/",
        ITEMS,
        item_url(register["card"].code, "history/"),
    ):
        body = client.get(url, {"page_size": 1}).json()
        # The entries' count may be an estimate at scale (core.pagination): it says which.
        extra = {"count_exact"} if url == ITEMS else set()
        assert set(body) == {"count", "next", "previous", "results", *extra}, url
        assert len(body["results"]) == 1, url


def test_the_public_reads_published_entries_never_drafts(client, org, register):
    clerk = org.users["clerk"]
    services.draft_create(
        actor=clerk,
        list_kind=ListKind.POWER,
        payload=rb.entry_payload(name="尚未发布的草稿事项", basic_code="0700099000"),
    )
    services.draft_create(
        actor=clerk,
        entry=register["card"],
        payload={**services.entry_payload(register["card"]), "name": "草稿改名"},
    )
    for user in (None, clerk):
        if user:
            client.force_login(user)
        body = client.get(ITEMS, {"page_size": 200}).json()
        names = {row["name"] for row in body["results"]}
        assert "尚未发布的草稿事项" not in names and "草稿改名" not in names
        assert body["count"] == len(register)
        assert client.get(item_url(register["card"].code)).json()["name"] == "残疾人证核发"


# --- the past: as_of, history, diff ----------------------------------------------------------


@pytest.fixture
def versions(salt):
    """残疾人证核发 published 2024-03-01, renamed and shortened 2024-06-01, cancelled
    2024-09-01; 粮食收购资格核准 first published 2024-07-01."""
    with time_machine.travel(noon(2024, 3, 1), tick=False):
        card = power(salt, 1, name="残疾人证核发")
    with time_machine.travel(noon(2024, 6, 1), tick=False):
        rb.republish(card, name="残疾人证新办", promised_limit_days=5, reason="压缩时限")
    with time_machine.travel(noon(2024, 7, 1), tick=False):
        grain = power(salt, 2, name="粮食收购资格核准")
    with time_machine.travel(noon(2024, 9, 1), tick=False):
        card.refresh_from_db()
        rb.republish(card, status=EntryStatus.CANCELLED, reason="国务院取消")
    card.refresh_from_db()
    return {"card": card, "grain": grain}


def names_on(client, day: str, **params) -> dict[str, str]:
    response = client.get(ITEMS, {"as_of": day, **params})
    assert response.status_code == 200, response.content
    return {row["code"]: (row["name"], row["version"]) for row in response.json()["results"]}


def test_as_of_returns_the_versions_in_force_then(client, versions):
    card, grain = versions["card"].code, versions["grain"].code
    assert names_on(client, "2024-02-29") == {}
    assert names_on(client, "2024-03-01") == {card: ("残疾人证核发", 1)}
    assert names_on(client, "2024-06-30") == {card: ("残疾人证新办", 2)}
    assert names_on(client, "2024-07-01") == {
        card: ("残疾人证新办", 2),
        grain: ("粮食收购资格核准", 1),
    }
    assert names_on(client, "2024-08-31", status="in_force") == {
        card: ("残疾人证新办", 2),
        grain: ("粮食收购资格核准", 1),
    }
    assert names_on(client, "2024-09-01", status="in_force") == {grain: ("粮食收购资格核准", 1)}
    # Filters work on the past as on the present: the keyword matches the name of then.
    assert names_on(client, "2024-04-01", q="残疾人证核发") == {card: ("残疾人证核发", 1)}
    assert names_on(client, "2024-07-01", q="残疾人证核发") == {}
    # Without as_of: the register now.
    now = {row["code"]: row["version"] for row in client.get(ITEMS).json()["results"]}
    assert now == {card: 3, grain: 1}


def test_an_item_as_it_stood_on_a_date(client, versions):
    code = versions["card"].code
    then = client.get(item_url(code), {"as_of": "2024-05-31"}).json()
    assert (then["name"], then["version"], then["promised_limit_days"], then["status"]) == (
        "残疾人证核发",
        1,
        10,
        "in_force",
    )
    assert then["basis"][0]["law"]["name"] == "中华人民共和国残疾人保障法"
    assert client.get(item_url(code)).json()["status"] == "cancelled"
    error = error_of(client.get(item_url(code), {"as_of": "2024-01-01"}), 404)
    assert error["code"] == "not_found"
    assert "fields" not in error


def test_history_lists_the_published_versions_newest_first(client, versions):
    body = client.get(item_url(versions["card"].code, "history/")).json()
    assert body["count"] == 3
    assert [
        (row["version"], row["change_source"], row["reason"], row["published_at"][:10])
        for row in body["results"]
    ] == [
        (3, "correction", "国务院取消", "2024-09-01"),
        (2, "correction", "压缩时限", "2024-06-01"),
        (1, "import", "测试导入", "2024-03-01"),
    ]
    assert body["results"][-1]["change_reference"] == "test"
    paged = client.get(item_url(versions["card"].code, "history/"), {"page_size": 2}).json()
    assert [row["version"] for row in paged["results"]] == [3, 2]
    assert paged["next"]


def test_diff_compares_two_versions_field_by_field(client, versions):
    code = versions["card"].code
    body = client.get(item_url(code, "diff/"), {"a": 1, "b": 2}).json()
    assert (body["code"], body["a"]["version"], body["b"]["version"]) == (code, 1, 2)
    fields = {row["name"]: row for row in body["fields"]}
    assert list(fields) == list(FIELDS_BY_KIND["power"])
    assert (fields["name"]["old"], fields["name"]["new"], fields["name"]["changed"]) == (
        ["残疾人证核发"],
        ["残疾人证新办"],
        True,
    )
    assert fields["promised_limit_days"]["changed"] is True
    assert fields["basis"]["changed"] is False
    assert fields["basis"]["new"] == ["《中华人民共和国残疾人保障法》第八条"]
    assert {row["name"] for row in body["fields"] if row["changed"]} == {
        "name",
        "promised_limit_days",
    }


def test_diff_defaults_to_the_latest_change_and_compares_the_first_with_nothing(client, versions):
    code = versions["card"].code
    latest = client.get(item_url(code, "diff/")).json()
    assert (latest["a"]["version"], latest["b"]["version"]) == (2, 3)
    assert [row["name"] for row in latest["fields"] if row["changed"]] == ["status"]
    first = client.get(item_url(code, "diff/"), {"b": 1}).json()
    assert first["a"] is None
    assert next(row for row in first["fields"] if row["name"] == "name")["old"] == []


def test_diff_errors(client, versions):
    code = versions["card"].code
    missing = error_of(client.get(item_url(code, "diff/"), {"a": 1, "b": 7}, **ENGLISH), 404)
    assert missing["message"] == "This item has no version 7."
    invalid = error_of(client.get(item_url(code, "diff/"), {"a": "one", "b": 0}), 400)
    assert set(invalid["fields"]) == {"a", "b"}
    error_of(client.get(item_url("0000000000-000000-X", "diff/")), 404)


# --- the error format ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": "2024-02-30"}, "as_of"),
        ({"as_of": "2999-01-01"}, "as_of"),
        ({"as_of": "2024-1-5x"}, "as_of"),
        ({"list": "powers"}, "list"),
        ({"status": "gone"}, "status"),
        ({"department": "salt"}, "department"),
        ({"category": "1.5.2"}, "category"),
        # Larger than any key: a refused filter, not a database error (SQLite overflowed).
        ({"department": "99999999999999999999"}, "department"),
        ({"category": "-3"}, "category"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, register, params, field):
    error = error_of(client.get(ITEMS, params), 400)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert error["fields"][field][0]


def test_a_bad_as_of_on_an_item_is_a_400(client, register):
    # Whatever the reader's language, only an ISO date is a date.
    for language in ("en", "zh-hans"):
        response = client.get(
            item_url(register["card"].code),
            {"as_of": "3/1/2024"},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert list(error_of(response, 400)["fields"]) == ["as_of"]


def test_messages_are_in_the_readers_language(client, db):
    error = error_of(client.get(item_url("0700001000-410100-X"), **ENGLISH), 404)
    assert error == {
        "status": 404,
        "code": "not_found",
        "message": "There is no published item with this code.",
    }
    error = error_of(client.get(ITEMS, {"as_of": "2999-01-01"}, **ENGLISH), 400)
    assert error["message"] == "Some parameters are not valid."
    assert error["fields"] == {"as_of": ["Give a date no later than today."]}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/jurisdictions/999999/",
        "/api/v1/departments/999999/",
        "/api/v1/laws/999999/",
        "/api/v1/items/nothing/history/",
        "/api/v1/no-such-endpoint/",
        "/api/nothing",
    ],
)
def test_not_found_everywhere_under_the_api(client, db, url):
    assert error_of(client.get(url), 404)["code"] == "not_found"


def test_pages_outside_the_api_keep_their_html_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_writing_is_refused(client, org, register):
    # The public may not write at all; an administrator may publish, but not through this API.
    error = error_of(client.post(ITEMS, {"name": "x"}), 403)
    assert error["code"] == "not_authenticated"
    client.force_login(org.users["administrator"])
    error = error_of(client.post(ITEMS, {"name": "x"}), 405)
    assert error["code"] == "method_not_allowed"
    error = error_of(client.put(item_url(register["card"].code), {}), 405)
    assert error["code"] == "method_not_allowed"


def test_the_calendar_endpoint_uses_the_same_format(client, calendar):
    error = error_of(client.get("/api/v1/calendar/add-working-days/", {"days": 5}), 400)
    assert list(error["fields"]) == ["start"]


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (exceptions.NotAuthenticated(), 403, "not_authenticated"),
        (exceptions.Throttled(wait=30), 429, "throttled"),
        (exceptions.NotFound(), 404, "not_found"),
        (exceptions.ParseError(), 400, "parse_error"),
    ],
)
def test_the_handler_formats_every_api_error(exc, status, code):
    if isinstance(exc, exceptions.NotAuthenticated):
        exc.status_code = 403  # what DRF does for session authentication
    response = api_exceptions.exception_handler(exc, {})
    assert response.status_code == status
    assert response.data["error"]["code"] == code
    assert response.data["error"]["status"] == status
    assert response.data["error"]["message"]
    assert "fields" not in response.data["error"]
    if status == 429:
        assert response["Retry-After"] == "30"


def test_nested_validation_errors_name_their_place():
    exc = exceptions.ValidationError(
        {"flow": [{"step": ["required"]}, {}], "name": ["too long"], "non_field_errors": ["x"]}
    )
    response = api_exceptions.exception_handler(exc, {})
    assert response.data["error"]["fields"] == {
        "flow.0.step": ["required"],
        "name": ["too long"],
        "non_field_errors": ["x"],
    }
    listed = api_exceptions.exception_handler(exceptions.ValidationError(["whole"]), {})
    assert listed.data["error"]["fields"] == {"non_field_errors": ["whole"]}


def test_a_server_error_under_the_api_is_json_without_details():
    from config import urls

    assert urls.handler500 == "core.api.exceptions.server_error"
    assert urls.handler404 == "core.api.exceptions.not_found"
    request = RequestFactory().get("/api/v1/items/")
    response = api_exceptions.server_error(request)
    assert response.status_code == 500
    body = json.loads(response.content)["error"]
    assert (body["status"], body["code"]) == (500, "server_error")
    page = api_exceptions.server_error(RequestFactory().get("/lists/"))
    assert page.status_code == 500
    assert not page["Content-Type"].startswith("application/json")


def test_an_exception_in_an_api_view_answers_json(client, db, monkeypatch):
    from registry.api import views

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.selectors, "jurisdictions_with_counts", broken)
    client.raise_request_exception = False
    error = error_of(client.get("/api/v1/jurisdictions/"), 500)
    assert error["code"] == "server_error"
    assert "boom" not in error["message"]


# --- the number of queries does not grow with the data ----------------------------------------


def _grow(salt, start: int, count: int) -> None:
    """More items, each with its own law and provisions, sub-items and several versions."""
    for number in range(start, start + count):
        main = power(
            salt,
            number,
            name=f"事项{number}",
            basis=provisions_of_new_law(f"条例{number}", 3),
        )
        power(salt, number, basic_code=f"07{number:05d}001", name=f"子项{number}", parent=main.pk)
        rb.republish(main, promised_limit_days=5)
        main.refresh_from_db()
        rb.republish(main, remarks="再次更正")


def test_list_queries_do_not_grow_with_the_data(client, salt):
    _grow(salt, 1, 2)
    small = count_queries(client, ITEMS)
    small_past = count_queries(client, ITEMS, {"as_of": today()})
    small_filtered = count_queries(client, ITEMS, {"q": "事项", "list": "power"})
    _grow(salt, 3, 12)
    assert client.get(ITEMS).json()["count"] == 28
    assert count_queries(client, ITEMS) == small
    assert count_queries(client, ITEMS, {"as_of": today()}) == small_past
    assert count_queries(client, ITEMS, {"q": "事项", "list": "power"}) == small_filtered
    # The page's ids in the order's index and their rows (core.pagination), its count (and on
    # PostgreSQL the planner's estimate of it), the provisions of the bases and the sub-items.
    assert small <= (6 if connection.vendor == "postgresql" else 5)


def test_detail_and_history_queries_do_not_grow_with_the_data(client, salt):
    main = power(salt, 1, name="残疾人证核发")
    power(salt, 1, basic_code="0700001001", name="子项", parent=main.pk)
    url = item_url(main.code)
    detail = count_queries(client, url)
    past = count_queries(client, url, {"as_of": today()})
    history = count_queries(client, item_url(main.code, "history/"))
    diff = count_queries(client, item_url(main.code, "diff/"))
    for number in range(2, 8):
        power(salt, 1, basic_code=f"0700001{number:03d}", name=f"子项{number}", parent=main.pk)
    main.refresh_from_db()
    many = provisions_of_new_law("残疾人证管理办法", 6) + provisions_of_new_law("另一条例", 4)
    for step in range(5):
        main = rb.republish(main, basis=many[: 4 + step], promised_limit_days=9 - step)
    assert len(client.get(url).json()["basis"]) == 8
    assert len(client.get(url).json()["sub_items"]) == 7
    assert count_queries(client, url) == detail
    assert count_queries(client, url, {"as_of": today()}) == past
    assert count_queries(client, item_url(main.code, "history/")) == history
    assert count_queries(client, item_url(main.code, "diff/")) == diff
    assert detail <= 3


def test_organisation_and_law_lists_do_not_grow_with_the_data(client, salt):
    rb.law()
    counts = {
        url: count_queries(client, url)
        for url in ("/api/v1/jurisdictions/", "/api/v1/departments/", "/api/v1/laws/")
    }
    for number in range(1, 6):
        rb.law(f"条例{number}")
        power(salt, number)
    for url, before in counts.items():
        assert count_queries(client, url) == before, url


def test_django_http404_and_permission_denied_keep_their_code_and_message():
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from core.api.exceptions import exception_handler

    missing = exception_handler(Http404("没有这个事项。"), {})
    assert missing.status_code == 404
    assert missing.data["error"]["code"] == "not_found"
    refused = exception_handler(PermissionDenied(), {})
    assert refused.status_code == 403
    assert refused.data["error"]["code"] == "permission_denied"
