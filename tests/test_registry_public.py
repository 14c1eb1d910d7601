"""The public list pages of the register (issue 3 §4): the front page's lists, /lists/ with its
filters, search, pages and the list as it stood on a past date, /browse/, and the Excel and
CSV exports. Query counts of the list page and the exports must not grow with the data."""

import csv
import datetime
import io
from urllib.parse import unquote

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import services as core_services
from registry import services
from registry.choices import ChangeSource, EntryStatus, ListKind
from registry.display import field_label
from registry.models import FIELDS_BY_KIND, Category
from tests import registry_builders as rb

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
LISTS = reverse("registry:entries")
XLSX = reverse("registry:export-xlsx")
CSV = reverse("registry:export-csv")
BROWSE = reverse("registry:browse")


def noon(year, month, day):
    return datetime.datetime(year, month, day, 12, tzinfo=SHANGHAI)


@pytest.fixture
def salt(org):
    return org.departments["salt"]


def payload_for(list_kind: str, number: int, name: str) -> dict:
    """A valid payload of any list: the first category of the list, its code in the basic
    code, and only the fields that list uses."""
    category = Category.objects.filter(list_kind=list_kind).order_by("order").first()
    payload = rb.entry_payload(
        category=category.pk, name=name, basic_code=f"{category.code}{number:05d}000"
    )
    payload.update(
        standard="每件10元", payers="申请人", use="专项使用", approving_body="市发展改革委"
    )
    return {key: value for key, value in payload.items() if key in FIELDS_BY_KIND[list_kind]}


def publish_many(department, count, *, start=1, prefix="盐业许可", list_kind=ListKind.POWER):
    """`count` entries of one department and list in one publication."""
    changes = [
        services.EntryChange(
            payload=payload_for(list_kind, number, f"{prefix}{number:03d}"),
            list_kind=list_kind,
            jurisdiction=department.jurisdiction,
            department=department,
        )
        for number in range(start, start + count)
    ]
    return services.entries_publish(
        actor=None, changes=changes, source=ChangeSource.IMPORT, reason="测试"
    )


def names_on_page(response) -> list[str]:
    return [entry.name for entry in response.context["entries"]]


def xlsx_rows(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# --- /lists/ --------------------------------------------------------------------------------


def test_the_public_sees_published_entries_with_their_columns(client, salt):
    entry = rb.publish(salt)
    response = client.get(LISTS)
    assert response.status_code == 200
    html = response.content.decode()
    assert names_on_page(response) == ["残疾人证核发"]
    for text in (entry.code, "残疾人证核发", "行政确认", "市盐业管理局", "郑州市"):
        assert text in html
    assert f'href="{reverse("registry:entry", args=[entry.code])}"' in html
    assert f'class="tag status-{EntryStatus.IN_FORCE}"' in html


def test_drafts_never_reach_the_public_list(client, org, salt):
    entry = rb.publish(salt)
    services.draft_create(
        actor=org.users["clerk"],
        entry=entry,
        payload={**services.entry_payload(entry), "name": "草稿里的新名称"},
    )
    services.draft_create(
        actor=org.users["clerk"],
        list_kind=ListKind.POWER,
        payload=rb.entry_payload(name="尚未发布的事项", basic_code="0700009000"),
    )
    response = client.get(LISTS)
    assert names_on_page(response) == ["残疾人证核发"]
    assert "草稿里的新名称" not in response.content.decode()


def test_filters_combine_and_stay_in_the_page_links(client, org, salt):
    publish_many(salt, 30)
    publish_many(org.district_departments["salt"], 2, prefix="区盐业许可")
    query = f"jurisdiction=410100&department={salt.pk}&list=power&status=in_force"
    response = client.get(f"{LISTS}?{query}")
    assert response.context["paginator"].count == 30
    assert len(names_on_page(response)) == 25
    html = response.content.decode()
    # The next page keeps every filter; so do the export links.
    assert f'href="?{query.replace("&", "&amp;")}&amp;page=2"' in html
    assert f'href="{XLSX}?{query.replace("&", "&amp;")}"' in html
    assert f'href="{CSV}?{query.replace("&", "&amp;")}"' in html
    assert 'aria-current="page"' in html
    second = client.get(f"{LISTS}?{query}&page=2")
    assert names_on_page(second) == [f"盐业许可{n:03d}" for n in range(26, 31)]
    # The select shows what is being filtered on.
    assert f'<option value="{salt.pk}" selected>' in html

    district = client.get(f"{LISTS}?jurisdiction=410106")
    assert names_on_page(district) == ["区盐业许可001", "区盐业许可002"]
    fee_only = client.get(f"{LISTS}?jurisdiction=410100&list=fee")
    assert names_on_page(fee_only) == []
    assert fee_only.context["query"].valid


def test_a_page_beyond_the_last_shows_the_last(client, salt):
    publish_many(salt, 3)
    response = client.get(f"{LISTS}?page=99")
    assert response.status_code == 200
    assert len(names_on_page(response)) == 3


def test_keyword_search_finds_name_code_and_basis(client, salt):
    entry = rb.publish(salt)
    publish_many(salt, 2, start=5)
    assert names_on_page(client.get(f"{LISTS}?q=残疾人证")) == ["残疾人证核发"]
    assert names_on_page(client.get(f"{LISTS}?q={entry.code}")) == ["残疾人证核发"]
    # Every entry cites the same law here, so the basis matches all three.
    assert len(names_on_page(client.get(f"{LISTS}?q=残疾人保障法"))) == 3
    assert names_on_page(client.get(f"{LISTS}?q=残疾人证 盐业")) == ["残疾人证核发"]
    assert names_on_page(client.get(f"{LISTS}?q=不存在的事项")) == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("department=abc", "department"),
        ("list=nonsense", "list"),
        ("as_of=2024-02-31", "as_of"),
        ("as_of=2999-01-01", "as_of"),
    ],
)
def test_invalid_filters_show_errors_and_list_nothing(client, salt, query, field):
    rb.publish(salt)
    response = client.get(f"{LISTS}?{query}")
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert names_on_page(response) == []
    html = response.content.decode()
    assert 'class="form-errors" role="alert"' in html
    assert f'id="id_{field}_errors"' in html
    # The export of an invalid filter goes back to the page that explains it.
    export = client.get(f"{XLSX}?{query}")
    assert export.status_code == 302
    assert export["Location"] == f"{LISTS}?{query}"


def test_a_past_date_shows_the_lists_as_they_stood(client, salt):
    with time_machine.travel(noon(2024, 1, 10), tick=False):
        entry = rb.publish(salt, name="旧名称")
    with time_machine.travel(noon(2024, 6, 1), tick=False):
        rb.republish(entry, name="新名称")
        publish_many(salt, 1, start=50, prefix="后来的事项")
    past = client.get(f"{LISTS}?as_of=2024-03-01")
    assert names_on_page(past) == ["旧名称"]
    html = past.content.decode()
    assert 'class="as-of-banner"' in html
    item_url = reverse("registry:entry", args=[entry.code])
    assert f'href="{item_url}?as_of=2024-03-01"' in html
    # The way back to today drops the date and keeps nothing else.
    assert f'href="{LISTS}?"' in html or f'href="{LISTS}"' in html

    assert names_on_page(client.get(f"{LISTS}?as_of=2024-06-01")) == ["后来的事项050", "新名称"]
    assert names_on_page(client.get(f"{LISTS}?as_of=2024-01-09")) == []
    today = client.get(LISTS)
    assert names_on_page(today) == ["后来的事项050", "新名称"]
    assert 'class="as-of-banner"' not in today.content.decode()
    assert names_on_page(client.get(f"{LISTS}?as_of=2024-03-01&q=旧名称")) == ["旧名称"]
    assert names_on_page(client.get(f"{LISTS}?as_of=2024-03-01&q=新名称")) == []


# --- query counts ---------------------------------------------------------------------------


def _grow(org, salt, batch: int):
    """More entries in more departments, jurisdictions, lists and categories."""
    department = core_services.department_create(
        actor=None, jurisdiction=org.district, name=f"上街区第{batch}局"
    )
    publish_many(salt, 6, start=100 * batch, prefix=f"盐业第{batch}批")
    publish_many(department, 4, start=100 * batch, prefix=f"区局第{batch}批")
    publish_many(
        department,
        2,
        start=100 * batch + 50,
        prefix=f"审批第{batch}批",
        list_kind=ListKind.APPROVAL,
    )
    for entry in publish_many(salt, 2, start=100 * batch + 60, prefix=f"变更第{batch}批"):
        rb.republish(entry, name=f"{entry.name}（更正）")


def _count(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.context["entries"])


@pytest.mark.parametrize(
    "query",
    [
        "",
        "as_of=TODAY",
        "q=批",
        "q=盐业",
        "q=盐业第1&list=power&jurisdiction=410100",
        "as_of=TODAY&q=区局",
    ],
)
def test_list_page_queries_do_not_grow_with_the_data(client, org, salt, query):
    url = f"{LISTS}?{query.replace('TODAY', timezone.localdate().isoformat())}"
    _grow(org, salt, 1)
    first, shown_first = _count(client, url)
    _grow(org, salt, 2)
    _grow(org, salt, 3)
    again, shown_again = _count(client, url)
    assert shown_first > 0
    assert shown_again >= shown_first
    assert again == first


def test_list_page_queries_for_staff_do_not_grow_either(client, org, salt):
    client.force_login(org.users["office"])
    _grow(org, salt, 1)
    first, _shown = _count(client, f"{LISTS}?jurisdiction=410106")
    _grow(org, salt, 2)
    again, _shown = _count(client, f"{LISTS}?jurisdiction=410106")
    assert again == first


def test_export_queries_do_not_grow_with_the_data(client, org, salt):
    urls = [XLSX, CSV, f"{CSV}?as_of={timezone.localdate().isoformat()}", f"{XLSX}?q=批"]

    def count(url) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            body = b"".join(response.streaming_content)
        return len(captured), len(body)

    _grow(org, salt, 1)
    first = {url: count(url) for url in urls}
    _grow(org, salt, 2)
    _grow(org, salt, 3)
    for url in urls:
        queries, size = count(url)
        assert size > first[url][1], url
        assert queries == first[url][0], url


# --- exports --------------------------------------------------------------------------------


def test_excel_export_holds_every_filtered_row_with_the_list_fields(client, org, salt):
    publish_many(salt, 30)
    publish_many(org.district_departments["salt"], 2, prefix="区盐业许可")
    response = client.get(f"{XLSX}?list=power&jurisdiction=410100")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"-{timezone.localdate():%Y%m%d}.xlsx" in unquote(disposition)
    header, *rows = xlsx_rows(response)
    fields = ["code", "basic_code", "name", "list_kind", "category", "jurisdiction"]
    assert list(header[:6]) == [field_label(name) for name in fields]
    # Every field of the power list, once each.
    for name in FIELDS_BY_KIND[ListKind.POWER]:
        assert header.count(field_label(name)) == 1, name
    # All 30, not the page of 25; none of the district's.
    assert len(rows) == 30
    assert [row[2] for row in rows] == [f"盐业许可{n:03d}" for n in range(1, 31)]
    by_label = dict(zip(header, rows[0], strict=True))
    assert by_label[field_label("basis")] == "《中华人民共和国残疾人保障法》第八条"
    assert by_label[field_label("department")] == "市盐业管理局"
    assert by_label[field_label("list_kind")] == str(ListKind.POWER.label)
    assert by_label[field_label("promised_limit_days")] == "10"
    assert by_label[field_label("flow")].splitlines()[1] == "审核（审核岗）"


def test_excel_export_freezes_the_header_and_keeps_formulas_as_text(client, salt):
    rb.publish(salt, name='=HYPERLINK("http://example.invalid")')
    response = client.get(XLSX)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet["C2"].data_type == "s"
    assert sheet["C2"].value == '=HYPERLINK("http://example.invalid")'


def test_csv_export_is_utf8_with_bom_and_the_common_fields_of_several_lists(client, salt):
    rb.publish(salt)
    publish_many(salt, 2, start=20, prefix="审批事项", list_kind=ListKind.APPROVAL)
    response = client.get(CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        "filename*=" in response["Content-Disposition"]
        or "filename=" in response["Content-Disposition"]
    )
    header, *rows = csv_rows(response)
    assert header[:3] == [field_label("code"), field_label("basic_code"), field_label("name")]
    assert field_label("basis_note") in header
    # Fields only some lists use are left out when several lists are exported together.
    assert field_label("flow") not in header
    assert sorted(row[2] for row in rows) == ["审批事项020", "审批事项021", "残疾人证核发"]


def test_csv_export_of_a_search_holds_only_the_matches(client, salt):
    rb.publish(salt)
    publish_many(salt, 3, start=20)
    header, *rows = csv_rows(client.get(f"{CSV}?q=残疾人证&list=power"))
    assert [row[2] for row in rows] == ["残疾人证核发"]
    assert field_label("responsibilities") in header


def test_csv_export_neutralises_formulas(client, salt):
    rb.publish(salt, name="=1+1")
    _header, row = csv_rows(client.get(CSV))
    assert row[2] == "'=1+1"


def test_export_of_a_past_date_gives_the_past_values(client, salt):
    with time_machine.travel(noon(2024, 1, 10), tick=False):
        entry = rb.publish(salt, name="旧名称", promised_limit_days=15)
    with time_machine.travel(noon(2024, 6, 1), tick=False):
        rb.republish(entry, name="新名称", promised_limit_days=5)
    header, *rows = csv_rows(client.get(f"{CSV}?as_of=2024-03-01&list=power"))
    by_label = dict(zip(header, rows[0], strict=True))
    assert len(rows) == 1
    assert by_label[field_label("name")] == "旧名称"
    assert by_label[field_label("promised_limit_days")] == "15"
    response = client.get(f"{XLSX}?as_of=2024-03-01")
    assert "-20240301.xlsx" in unquote(response["Content-Disposition"])
    header, *rows = xlsx_rows(response)
    assert [row[2] for row in rows] == ["旧名称"]
    _header, *today = csv_rows(client.get(f"{CSV}?list=power"))
    assert today[0][2] == "新名称"


# --- /browse/ and the front page ------------------------------------------------------------


def test_browse_drills_down_to_the_filtered_list(client, org, salt):
    publish_many(salt, 3)
    publish_many(salt, 1, start=30, prefix="审批", list_kind=ListKind.APPROVAL)
    publish_many(org.district_departments["salt"], 2, prefix="区盐业许可")

    top = client.get(BROWSE)
    assert [(j.code, j.entry_count) for j, _depth in top.context["jurisdictions"]] == [
        ("410100", 4),
        ("410106", 2),
    ]
    assert 'href="?jurisdiction=410100"' in top.content.decode()

    city = client.get(f"{BROWSE}?jurisdiction=410100")
    assert [(d.name, d.entry_count) for d, _url in city.context["departments"]] == [
        ("市盐业管理局", 4)
    ]
    html = city.content.decode()
    assert f"?jurisdiction=410100&amp;department={salt.pk}" in html
    assert '<span aria-current="page">郑州市</span>' in html

    department = client.get(f"{BROWSE}?jurisdiction=410100&department={salt.pk}")
    groups = department.context["category_groups"]
    assert [
        (str(label), [(c.name, c.entry_count) for c, _url in members]) for label, members in groups
    ] == [
        (str(ListKind.POWER.label), [("行政许可", 3)]),
        (str(ListKind.APPROVAL.label), [("行政许可", 1)]),
    ]
    ((_category, url),) = groups[0][1]
    listed = client.get(url)
    assert len(names_on_page(listed)) == 3
    assert '<span aria-current="page">市盐业管理局</span>' in department.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "jurisdiction=999999",
        "jurisdiction=410100&department=abc",
        "jurisdiction=410100&department=0",
    ],
)
def test_browse_unknown_places_are_not_found(client, salt, query):
    rb.publish(salt)
    assert client.get(f"{BROWSE}?{query}").status_code == 404


def test_browse_queries_do_not_grow_with_the_data(client, org, salt):
    urls = [
        BROWSE,
        f"{BROWSE}?jurisdiction=410106",
        f"{BROWSE}?jurisdiction=410100&department={salt.pk}",
    ]
    _grow(org, salt, 1)
    first = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        first.append(len(captured))
    _grow(org, salt, 2)
    for url, expected in zip(urls, first, strict=True):
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        assert len(captured) == expected, url


def test_front_page_shows_the_five_lists_with_counts_in_force(client, salt):
    publish_many(salt, 3)
    (cancelled,) = publish_many(salt, 1, start=40)
    rb.republish(cancelled, status=EntryStatus.CANCELLED)
    publish_many(salt, 2, start=20, list_kind=ListKind.FEE)
    response = client.get(reverse("core:home"))
    html = response.content.decode()
    for kind in ListKind.values:
        assert f'href="{LISTS}?list={kind}"' in html
    assert dict((k, n) for k, _label, n in response.context["lists"]) == {
        "power": 3,
        "approval": 0,
        "negative": 0,
        "fee": 2,
        "fund": 0,
    }
    assert f'action="{LISTS}"' in html and 'name="q"' in html
    assert f'href="{BROWSE}"' in html
    # The navigation leads to the lists too.
    assert f'<a href="{LISTS}">' in html


def test_non_ascii_digits_in_filters_are_no_server_error(client, db):
    for query in ({"department": "²"}, {"list": "power", "category": "²"}):
        assert client.get("/lists/", query).status_code == 200
    assert client.get("/browse/", {"jurisdiction": "410100", "department": "²"}).status_code in (
        200,
        404,
    )
