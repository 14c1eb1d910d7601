"""The public item pages (issue 3 §3, §4): an item with its basis, flow chart and history, the
item as it stood on a past date, its versions and their diff, and the law register. Data is
built through registry.services; query counts must not grow with the data."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import flowchart, services
from registry.choices import ChangeSource, EntryStatus, ListKind
from tests import registry_builders as rb

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def salt(org):
    return org.departments["salt"]


@pytest.fixture
def item(salt):
    """An item published on 2024-01-10 and corrected on 2024-03-05 (promised time limit
    10 → 5 working days)."""
    with time_machine.travel(at(2024, 1, 10), tick=False):
        entry = rb.publish(salt)
    with time_machine.travel(at(2024, 3, 5), tick=False):
        return rb.republish(entry, promised_limit_days=5, reason="压缩承诺时限")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _text(response) -> str:
    return response.content.decode()


# --- the item page ---------------------------------------------------------------------


def test_item_page_shows_basis_flow_chart_and_history(client, item):
    response = client.get(reverse("registry:entry", args=[item.code]))
    assert response.status_code == 200
    html = _text(response)
    law = rb.law()
    provision = law.provisions.first()
    # The legal basis: the law (linked), the article and the provision's full text.
    assert reverse("registry:law", args=[law.pk]) in html
    assert law.name in html and provision.article in html and provision.text in html
    # The flow as an inline SVG, with the post of each step and the risk in a table.
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "viewBox=" in svg and 'width="100%"' in svg
    assert "受理" in svg and "窗口受理岗" in svg and "发证岗" in svg
    assert "flow-risk-low" in svg
    risk_table = re.search(r'<table class="flow-risks[^>]*>.*?</table>', html, re.S).group(0)
    assert "不一次性告知" in risk_table and "一次性告知单" in risk_table
    # Responsibilities with their accountability circumstances, and the star level.
    assert "依法受理申请" in html and "不予受理不说明理由" in html
    stars = re.search(
        r'<span class="entry-stars" role="img" aria-label="[^"]+">.*?</span></span>', html
    )
    assert re.sub(r"<[^>]+>", "", stars.group(0)) == "★★★☆☆"
    # The history: both versions, the cause and the reason, and links to view and diff.
    assert [v.version for v in response.context["versions"]] == [2, 1]
    assert "压缩承诺时限" in html
    assert "?as_of=2024-01-10" in html
    assert f"{reverse('registry:entry-diff', args=[item.code])}?a=1&amp;b=2" in html
    assert reverse("registry:entry-history", args=[item.code]) in html
    assert response.context["entry"].promised_limit_days == 5


def test_as_of_shows_the_version_public_at_the_end_of_that_day(client, item):
    url = reverse("registry:entry", args=[item.code])
    before = client.get(url, {"as_of": "2024-03-04"})
    assert before.status_code == 200
    assert (before.context["entry"].version, before.context["entry"].promised_limit_days) == (
        1,
        10,
    )
    promised = next(f for f in before.context["details"] if f["name"] == "promised_limit_days")
    assert promised["lines"] == ["10"]
    # Published at noon on 2024-03-05: that day's list already has it.
    same_day = client.get(url, {"as_of": "2024-03-05"})
    assert same_day.context["entry"].version == 2
    assert "?a=1&amp;b=2" in _text(before)  # "compare with the current version"


def test_as_of_before_the_item_existed_is_a_friendly_404(client, item):
    response = client.get(reverse("registry:entry", args=[item.code]), {"as_of": "2023-12-31"})
    assert response.status_code == 404
    assert response.context["current"].code == item.code
    assert f'href="{reverse("registry:entry", args=[item.code])}"' in _text(response)


@pytest.mark.parametrize("value", ["2024-13-45", "yesterday", "2999-01-01"])
def test_invalid_as_of_shows_a_message_and_today_s_version(client, item, value):
    response = client.get(reverse("registry:entry", args=[item.code]), {"as_of": value})
    assert response.status_code == 200
    assert response.context["as_of"] is None
    assert response.context["as_of_form"].errors["as_of"]
    assert response.context["entry"].version == 2
    assert 'role="alert"' in _text(response)


def test_unknown_code_is_not_found(client, db):
    response = client.get(reverse("registry:entry", args=["0700001000-000000-X"]))
    assert response.status_code == 404
    assert "0700001000-000000-X" in _text(response)
    for name in ("registry:entry-history", "registry:entry-diff"):
        assert client.get(reverse(name, args=["nope"])).status_code == 404


def test_a_draft_does_not_change_the_public_page(client, org, item):
    clerk = org.users["clerk"]
    url = reverse("registry:entry", args=[item.code])
    draft = services.draft_create(actor=clerk, entry=item)
    services.draft_save(
        actor=clerk,
        draft=draft,
        payload={**draft.payload, "name": "草稿中的新名称", "promised_limit_days": 3},
    )
    for viewer in (None, clerk):
        if viewer:
            client.force_login(viewer)
        response = client.get(url)
        html = _text(response)
        assert "草稿中的新名称" not in html
        assert response.context["entry"].name == "残疾人证核发"
        assert response.context["entry"].promised_limit_days == 5
        assert [v.version for v in response.context["versions"]] == [2, 1]


def test_status_delegated_and_merged_are_explained(client, salt, item):
    other = rb.publish(salt, name="残疾人证换领", basic_code="0700002000")
    merged = rb.republish(item, status=EntryStatus.MERGED, merged_into=other.pk)
    html = _text(client.get(reverse("registry:entry", args=[merged.code])))
    assert f'href="{reverse("registry:entry", args=[other.code])}"' in html
    assert "残疾人证换领" in html
    delegated = rb.republish(other, status=EntryStatus.DELEGATED, delegated_to_level="district")
    response = client.get(reverse("registry:entry", args=[delegated.code]))
    assert delegated.get_delegated_to_level_display() in _text(response)


def test_sub_items_are_listed_with_links(client, salt, item):
    sub = rb.publish(salt, name="残疾人证补领", basic_code="0700001001", parent=item.pk)
    html = _text(client.get(reverse("registry:entry", args=[item.code])))
    assert f'href="{reverse("registry:entry", args=[sub.code])}"' in html
    sub_html = _text(client.get(reverse("registry:entry", args=[sub.code])))
    assert f'href="{reverse("registry:entry", args=[item.code])}"' in sub_html


def test_a_list_without_a_flow_shows_its_own_fields(client, salt):
    category = rb.category(ListKind.FEE, "行政管理类")
    # Built directly: rb.publish fills in the power list's flow and time limits.
    (fee,) = services.entries_publish(
        actor=None,
        changes=[
            services.EntryChange(
                payload={
                    "category": category.pk,
                    "name": "证照工本费",
                    "basic_code": f"{category.code}00001000",
                    "basis": [rb.law().provisions.first().pk],
                    "standard": "每证10元",
                    "payers": "申请人",
                },
                list_kind=ListKind.FEE,
                jurisdiction=salt.jurisdiction,
                department=salt,
            )
        ],
        source=ChangeSource.IMPORT,
        reason="测试导入",
    )
    response = client.get(reverse("registry:entry", args=[fee.code]))
    html = _text(response)
    assert response.status_code == 200
    assert "每证10元" in html and "申请人" in html
    assert "<svg" not in html
    assert [d["name"] for d in response.context["details"]][:2] == ["standard", "payers"]


# --- query counts ----------------------------------------------------------------------


def _grow(salt, entry, *, versions: int):
    """More versions, more cited provisions, responsibilities, flow steps and sub-items."""
    law = rb.law(
        "郑州市残疾人保障条例",
        articles=[(f"第{n}条", f"条文{n}") for n in range(1, 13)],
    )
    provisions = [p.pk for p in law.provisions.all()]
    for number in range(versions):
        entry = rb.republish(
            entry,
            reason=f"第{number}次调整",
            basis=[*entry.basis, provisions[number % len(provisions)]],
            responsibilities=[
                *entry.responsibilities,
                {"stage": "examine", "duty": f"审查{number}", "circumstances": "", "basis": ""},
            ],
            flow=[*entry.flow, {"step": f"环节{number}", "post": "岗位", "risk_point": "风险"}],
            discretion=[{"circumstance": f"情形{number}", "range": "警告"}],
        )
    for number in range(1, 5):
        rb.publish(salt, name=f"子项{number}", basic_code=f"0700001{number:03d}", parent=entry.pk)
    return entry


def test_item_page_queries_do_not_grow_with_the_data(client, salt, item):
    url = reverse("registry:entry", args=[item.code])
    small = _queries(client, url)
    small_past = _queries(client, f"{url}?as_of=2024-03-04")
    _grow(salt, item, versions=14)
    response = client.get(url)
    assert len(response.context["versions"]) == 10  # the compact history is capped
    assert len(response.context["sub_items"]) == 4
    assert len(response.context["basis"]) > 5
    assert _queries(client, url) == small
    assert _queries(client, f"{url}?as_of=2024-03-04") == small_past


def test_history_and_diff_queries_do_not_grow_with_the_data(client, salt, item):
    history = reverse("registry:entry-history", args=[item.code])
    diff = reverse("registry:entry-diff", args=[item.code])
    small = (_queries(client, history), _queries(client, diff), _queries(client, f"{diff}?all=1"))
    _grow(salt, item, versions=22)
    response = client.get(history)
    assert response.context["paginator"].count == 24
    assert [v.version for v in response.context["versions"]][:2] == [24, 23]
    big = (_queries(client, history), _queries(client, diff), _queries(client, f"{diff}?all=1"))
    assert big == small
    assert _queries(client, f"{history}?page=2") == small[0]


def test_law_pages_queries_do_not_grow_with_the_data(client, salt, item):
    law = rb.law()
    laws_url = reverse("registry:laws")
    law_url = reverse("registry:law", args=[law.pk])
    small = (_queries(client, laws_url), _queries(client, law_url))
    provision = law.provisions.first().pk
    for number in range(2, 8):
        rb.publish(salt, name=f"事项{number}", basic_code=f"07{number:05d}000", basis=[provision])
        rb.law(f"测试法规{number}")
    assert _queries(client, laws_url) == small[0]
    assert _queries(client, law_url) == small[1]


# --- history and diff --------------------------------------------------------------------


def test_history_lists_every_version_newest_first(client, item):
    response = client.get(reverse("registry:entry-history", args=[item.code]))
    assert response.status_code == 200
    rows = response.context["versions"]
    assert [(v.version, v.change_source) for v in rows] == [
        (2, ChangeSource.CORRECTION),
        (1, ChangeSource.IMPORT),
    ]
    html = _text(response)
    # Beijing time: published at 12:00 Asia/Shanghai.
    assert "2024-03-05 12:00" in html and "2024-01-10 12:00" in html
    assert "压缩承诺时限" in html and "测试导入" in html and "test" in html


def test_diff_defaults_to_the_latest_two_versions_and_shows_the_change(client, item):
    response = client.get(reverse("registry:entry-diff", args=[item.code]))
    assert response.status_code == 200
    assert (response.context["old"].version, response.context["new"].version) == (1, 2)
    (changed,) = response.context["diff"]
    assert (changed.name, changed.old, changed.new) == ("promised_limit_days", ["10"], ["5"])
    html = _text(response)
    assert re.search(r"<del[^>]*>.*10</del>", html) and re.search(r"<ins[^>]*>.*5</ins>", html)
    assert 'class="tag diff-tag"' in html  # "changed" in words, not colour only
    assert "残疾人证核发" not in re.search(r"<tbody>.*</tbody>", html, re.S).group(0)


def test_diff_can_show_every_field(client, item):
    response = client.get(reverse("registry:entry-diff", args=[item.code]), {"all": "1"})
    names = [row.name for row in response.context["diff"]]
    assert names[:2] == ["category", "name"] and "promised_limit_days" in names
    assert sum(row.changed for row in response.context["diff"]) == 1
    assert "diff-same" in _text(response)


def test_diff_validates_the_versions(client, item):
    url = reverse("registry:entry-diff", args=[item.code])
    swapped = client.get(url, {"a": "2", "b": "1"})
    assert (swapped.context["old"].version, swapped.context["new"].version) == (1, 2)
    for bad in ({"a": "99", "b": "1"}, {"a": "x"}, {"b": "-3"}):
        response = client.get(url, bad)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert 'role="alert"' in _text(response)
        assert (response.context["old"].version, response.context["new"].version) == (1, 2)
    same = client.get(url, {"a": "2", "b": "2"})
    assert same.context["same"] and same.context["diff"] == []


def test_diff_of_an_item_with_one_version(client, salt):
    entry = rb.publish(salt)
    response = client.get(reverse("registry:entry-diff", args=[entry.code]), {"all": "1"})
    assert response.status_code == 200
    assert response.context["old"] is None and response.context["new"].version == 1
    assert all(row.changed for row in response.context["diff"] if row.new)


# --- the law register ----------------------------------------------------------------------


def test_law_page_lists_its_provisions_and_the_items_citing_it(client, salt, item):
    other = rb.publish(salt, name="残疾人辅助器具补贴", basic_code="0700003000")
    uncited = rb.law(
        "中华人民共和国行政许可法", articles=[("第十二条", "下列事项可以设定行政许可")]
    )
    law = rb.law()
    response = client.get(reverse("registry:law", args=[law.pk]))
    assert response.status_code == 200
    html = _text(response)
    assert {e.code for e in response.context["citing"]} == {item.code, other.code}
    assert f'href="{reverse("registry:entry", args=[item.code])}"' in html
    assert "第九条" in html and "残疾人的扶养人必须对残疾人履行扶养义务。" in html
    empty = client.get(reverse("registry:law", args=[uncited.pk]))
    assert list(empty.context["citing"]) == []
    assert client.get(reverse("registry:law", args=[999999])).status_code == 404


def test_law_list_counts_citing_items_and_filters(client, salt, item):
    rb.law("中华人民共和国行政许可法")
    repealed = rb.law("已废止的办法")
    services.law_status_set(
        actor=None, law=repealed, status="repealed", on=datetime.date(2020, 5, 1)
    )
    url = reverse("registry:laws")
    response = client.get(url)
    counts = {law.name: law.entry_count for law in response.context["laws"]}
    assert counts == {
        "中华人民共和国残疾人保障法": 1,
        "中华人民共和国行政许可法": 0,
        "已废止的办法": 0,
    }
    assert "2020-05-01" in _text(response)
    assert [law.name for law in client.get(url, {"q": "行政许可"}).context["laws"]] == [
        "中华人民共和国行政许可法"
    ]
    assert [law.name for law in client.get(url, {"status": "repealed"}).context["laws"]] == [
        "已废止的办法"
    ]
    bad = client.get(url, {"level": "nonsense"})
    assert bad.status_code == 200
    assert bad.context["filter_form"].errors["level"]
    assert list(bad.context["laws"]) == []


# --- the flow chart ------------------------------------------------------------------------


def test_wrap_counts_chinese_characters_and_keeps_punctuation():
    assert flowchart.wrap("一二三四五六", 3) == ["一二三", "四五六"]
    # Latin letters count about half a character.
    assert flowchart.wrap("abcdef", 3) == ["abcde", "f"]
    # A full stop never starts a line.
    assert flowchart.wrap("一二三。四", 3) == ["一二三。", "四"]
    assert flowchart.wrap("", 5) == [""]


def test_flow_chart_escapes_text_and_marks_risk_points():
    steps = flowchart.flow_steps(
        [
            {"step": "<受理>", "post": "窗口&岗"},
            {"step": "审核", "risk_point": "吃拿卡要", "risk_level": "high"},
        ]
    )
    svg = str(flowchart.flow_chart(steps, title="流程图 <x>"))
    assert "<受理>" not in svg and "&lt;受理&gt;" in svg and "窗口&amp;岗" in svg
    assert "<title" in svg and "流程图 &lt;x&gt;" in svg
    assert svg.count('class="flow-box"') == 2 and svg.count("<line") == 1
    assert svg.count('class="flow-badge"') == 1 and "flow-risk-high" in svg
    assert flowchart.flow_chart([], title="x") == ""
