"""Search that finds what people type, ranked, on pages that cost the same at any size (issue 11
§3): words in any order, the closer match first, matched words marked, no exact count over a
broad match, and the same rows on every page whether the list is counted exactly (a narrow
list, sorted whole) or read tier by tier from the index (a broad one, PostgreSQL)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from core import search as core_search
from core.templatetags.search_tags import highlight
from registry import services
from registry.choices import ChangeSource
from tests import registry_builders as rb
from tests.conftest import need
from tests.test_registry_public import names_on_page, payload_for

LISTS = reverse("registry:entries")
ITEMS = "/api/v1/items/"


@pytest.fixture
def salt(org):
    return org.departments["salt"]


def publish_names(department, names: list[str], *, start: int = 1) -> None:
    """Entries named `names`, in this register order (their basic codes ascend)."""
    services.entries_publish(
        actor=None,
        changes=[
            services.EntryChange(
                payload=payload_for("power", start + number, name),
                list_kind="power",
                jurisdiction=department.jurisdiction,
                department=department,
            )
            for number, name in enumerate(names)
        ],
        source=ChangeSource.IMPORT,
        reference="test",
    )


def test_words_in_any_order_find_the_entry_and_the_closer_match_ranks_first(client, salt):
    publish_names(salt, ["城市树木砍伐审批", "公民民族成份确认", "砍伐树木许可"])
    # The register's order puts 城市树木砍伐审批 first; the words as typed rank 砍伐树木许可 first.
    assert names_on_page(client.get(LISTS, {"q": "砍伐树木"})) == [
        "砍伐树木许可",
        "城市树木砍伐审批",
    ]
    assert names_on_page(client.get(LISTS, {"q": "树木砍伐"})) == [
        "城市树木砍伐审批",
        "砍伐树木许可",
    ]
    assert names_on_page(client.get(LISTS, {"q": "树木 砍伐"})) == [
        "城市树木砍伐审批",
        "砍伐树木许可",
    ]
    assert names_on_page(client.get(LISTS, {"q": "审批 砍伐树木"})) == ["城市树木砍伐审批"]
    assert names_on_page(client.get(LISTS, {"q": "砍伐，树木"})) == [
        "城市树木砍伐审批",
        "砍伐树木许可",
    ]
    body = client.get(ITEMS, {"q": "砍伐树木"}).json()
    assert [row["name"] for row in body["results"]] == ["砍伐树木许可", "城市树木砍伐审批"]
    assert body["count"] == 2 and body["count_exact"] is True


def test_a_match_in_the_name_ranks_before_one_in_the_basis_only(client, salt):
    law = rb.law("中华人民共和国城市绿化条例", articles=[("第二十条", "砍伐城市树木……")])
    publish_names(salt, ["盐业许可001"])
    services.entries_publish(
        actor=None,
        changes=[
            services.EntryChange(
                payload={
                    **payload_for("power", 5, "古树名木迁移审批"),
                    "basis": [law.provisions.get().pk],
                },
                list_kind="power",
                jurisdiction=salt.jurisdiction,
                department=salt,
            )
        ],
        source=ChangeSource.IMPORT,
    )
    publish_names(salt, ["城市绿化工程验收"], start=9)
    assert names_on_page(client.get(LISTS, {"q": "城市绿化"})) == [
        "城市绿化工程验收",
        "古树名木迁移审批",
    ]


def test_matched_words_are_marked(client, salt):
    publish_names(salt, ["城市树木砍伐审批", "砍伐树木许可"])
    html = client.get(LISTS, {"q": "砍伐树木"}).content.decode()
    assert "<mark>砍伐树木</mark>许可" in html
    # Adjacent matches are one mark.
    assert "城市<mark>树木砍伐</mark>审批" in html


def test_highlight_escapes_what_it_does_not_mark():
    keywords = core_search.parse("树木 <b>")
    assert (
        str(highlight("<b>城市树木</b>", keywords))
        == "<mark>&lt;b&gt;</mark>城市<mark>树木</mark>&lt;/b&gt;"
    )
    assert str(highlight("a<b", core_search.parse(""))) == "a&lt;b"


@pytest.mark.parametrize(
    ("query", "han", "other"),
    [
        ("砍伐树木", ("砍伐树木",), ()),
        ("  树木\t砍伐 ", ("树木", "砍伐"), ()),
        ("残疾，核发%", ("残疾", "核发"), ()),
        ("0700012000-QL 许可", ("许可",), ("0700012000-ql",)),
        ("%", (), ()),
        ("", (), ()),
    ],
)
def test_a_query_is_split_into_terms(query, han, other):
    parsed = core_search.parse(query)
    assert (parsed.han, parsed.other) == (han, other)


def test_cover_pairs_of_a_term_need_not_be_adjacent():
    assert core_search.cover_pairs("砍伐树木") == ["砍伐", "树木"]
    assert core_search.cover_pairs("残疾人证核发") == ["残疾", "人证", "核发"]
    # An odd length: the last pair overlaps the one before it.
    assert core_search.cover_pairs("许可证") == ["许可", "可证"]
    assert core_search.cover_pairs("证") == ["证"]


def test_the_vector_keeps_positions_and_weights():
    literal = core_search.vector_literal("砍伐树木 市局", "城市绿化条例")
    assert literal.startswith("'砍伐':1A '伐树':2A '树木':3A '木':4A")
    # The support part starts after a gap and has the default weight.
    assert literal.endswith("'局':6A '城市':8 '市绿':9 '绿化':10 '化条':11 '条例':12 '例':13")


# --- the same rows, narrow or broad (PostgreSQL) --------------------------------------------


def _all_pages(client, params: dict, per_page: int) -> tuple[list[str], list[dict]]:
    names, bodies, page = [], [], 1
    while True:
        body = client.get(ITEMS, {**params, "page_size": per_page, "page": page}).json()
        bodies.append(body)
        names += [row["name"] for row in body["results"]]
        if not body["next"]:
            return names, bodies
        page += 1


NAMES = [
    "城市树木砍伐审批",
    "砍伐树木许可",
    "城市树木砍伐核准",
    "树木砍伐许可证核发",
    "林木采伐许可",
    "砍伐树木备案",
    "食品经营许可",
    "古树砍伐及树木移植审批",
    "树木修剪登记",
    "砍伐树木许可（变更）",
    "城市绿地树木砍伐处罚",
    "砍伐树木许可（延续）",
]


@pytest.mark.parametrize("query", ["砍伐树木", "许可", "树木", "砍伐 许可", "许可证"])
@pytest.mark.parametrize("per_page", [1, 2, 5])
def test_broad_lists_page_through_the_same_rows_as_narrow_ones(client, salt, query, per_page):
    need(connection.vendor == "postgresql", "the broad path reads PostgreSQL's index and estimate")
    publish_names(salt, NAMES)
    with override_settings(LIST_EXACT_COUNT_LIMIT=1000):
        narrow, bodies = _all_pages(client, {"q": query}, per_page)
    assert all(body["count_exact"] for body in bodies)
    with override_settings(LIST_EXACT_COUNT_LIMIT=2, LIST_WINDOW_ROWS=3, LIST_SCAN_ROWS=0):
        broad, bodies = _all_pages(client, {"q": query}, per_page)
    assert broad == narrow
    assert len(set(broad)) == len(broad)
    if len(narrow) > 2:
        # Counted up to 2: the count is PostgreSQL's estimate, never below what was seen.
        assert not bodies[0]["count_exact"]
        assert bodies[0]["count"] >= 3


def test_a_broad_list_says_about_how_many_and_keeps_paging(client, salt):
    need(connection.vendor == "postgresql", "the broad path reads PostgreSQL's estimate")
    publish_names(salt, [f"盐业许可{n:03d}" for n in range(30)])
    with override_settings(LIST_EXACT_COUNT_LIMIT=5, LIST_WINDOW_ROWS=3, LIST_SCAN_ROWS=0):
        response = client.get(LISTS, {"q": "许可", "page": 2})
    html = response.content.decode()
    assert "约找到" in html and "（第2页）" in html
    assert names_on_page(response) == [f"盐业许可{n:03d}" for n in range(25, 30)]
    # A page past the end (the estimate may promise more) shows the last page there is.
    with override_settings(LIST_EXACT_COUNT_LIMIT=5, LIST_WINDOW_ROWS=3, LIST_SCAN_ROWS=0):
        beyond = client.get(LISTS, {"q": "许可", "page": 9})
    assert names_on_page(beyond) == [f"盐业许可{n:03d}" for n in range(25, 30)]


@pytest.mark.parametrize("query", ["", "q=许可", "q=砍伐树木", "q=树木 审批&list=power", "q=0100"])
def test_broad_page_queries_do_not_grow_with_the_data(client, salt, query):
    need(connection.vendor == "postgresql", "the broad path reads PostgreSQL's index and estimate")

    def count() -> int:
        # Counted up to 1: every list here is broad.
        with (
            override_settings(LIST_EXACT_COUNT_LIMIT=1, LIST_WINDOW_ROWS=2, LIST_SCAN_ROWS=0),
            CaptureQueriesContext(connection) as run,
        ):
            response = client.get(f"{LISTS}?{query}")
        assert response.status_code == 200
        assert not response.context["paginator"].exact
        return len(run)

    publish_names(salt, NAMES)
    small = count()
    publish_names(salt, [f"{name}{n}" for n in range(3) for name in NAMES], start=100)
    # A tier that fills the page spares the reads of the tiers after it: never more.
    assert count() <= small
