"""Issue 14 §4: the credit-system exchange (双公示, seed 002 管理办法 第十二条): licence and
penalty records in the national form's fields, as CSV and XLSX files and as a feed of what
changed since a moment; published decisions only, their public (redacted) text only, every
record traceable to its decision and version."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.choices import Role
from decisions import selectors, services, tasks
from decisions.services import credit
from tests.decision_builders import CREDIT_CODES, build_decision_org, penalty_values

BUILT_AT = datetime.datetime(2026, 8, 3, 2, tzinfo=datetime.UTC)
SECRET = "机密线索CANARY"
IDENTITY = "410102199003071230"


def at(day: int, hour: int = 2):
    return time_machine.travel(
        datetime.datetime(2026, 9, day, hour, tzinfo=datetime.UTC), tick=False
    )


def penalty(built, number: str, *, served=True, **values):
    with at(22):
        return services.decision_record(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body,
                item=built.penalty_item,
                officers=built.officers,
                values=penalty_values(
                    number=number,
                    served_on=datetime.date(2026, 9, 21) if served else None,
                    **values,
                ),
            ),
        )


def licence(built):
    with at(22):
        return services.decision_record(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body,
                item=built.licence_item,
                officers=built.officers[:1],
                values={
                    "title": "准予行政许可决定书",
                    "number": "郑盐许〔2026〕1号",
                    "party_kind": "organisation",
                    "party_name": "郑州某食盐批发有限公司",
                    "party_credit_code": CREDIT_CODES[1],
                    "legal_representative": "钱某",
                    "content": "准予从事食盐批发。",
                    "basis": "《食盐专营办法》第十一条",
                    "licence_name": "食盐定点批发企业证书",
                    "licence_number": "豫盐批〔2026〕001",
                    "valid_from": datetime.date(2026, 9, 20),
                    "valid_until": datetime.date(2029, 9, 19),
                    "filed_on": datetime.date(2026, 9, 1),
                    "decided_on": datetime.date(2026, 9, 20),
                    "served_on": datetime.date(2026, 9, 21),
                },
            ),
        )


def publish(built, decision, day: int, hour: int = 2, redactions=()):
    with at(day, hour):
        return services.decision_publish(
            actor=built.clerk, decision=decision, redactions=redactions
        )


@pytest.fixture
def built(calendar, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(BUILT_AT, tick=False):
        return build_decision_org()


@pytest.fixture
def world(built):
    published = publish(built, penalty(built, "郑盐罚〔2026〕1号"), 23)
    unpublished = penalty(built, "郑盐罚〔2026〕2号")
    person = penalty(
        built,
        "郑盐罚〔2026〕3号",
        party_kind="person",
        party_name="张三丰",
        party_credit_code="",
        legal_representative="",
        party_id_number=IDENTITY,
        party_contact="郑州市某路1号 13800000000",
        content=f"当事人张三丰违规批发食盐，{SECRET}。",
    )
    redacted = publish(
        built,
        person,
        24,
        redactions=[
            services.RedactionInput(
                field="content",
                reason="privacy",
                explanation="涉及个人隐私",
                public_text="当事人违规批发食盐。",
            )
        ],
    )
    granted = publish(built, licence(built), 25)
    return {
        "published": published,
        "unpublished": unpublished,
        "redacted": redacted,
        "licence": granted,
    }


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def by_header(rows: list[list[str]]) -> list[dict]:
    header, *data = rows
    return [dict(zip(header, row, strict=True)) for row in data]


def test_the_penalty_csv_holds_the_published_ones_in_the_national_fields(built, world):
    client = logged_in(built.clerk)
    response = client.get(reverse("decisions:credit-export", args=["penalty", "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0] == credit.headers("penalty")
    records = {record["行政处罚决定书文号"]: record for record in by_header(rows)}
    assert set(records) == {"郑盐罚〔2026〕1号", "郑盐罚〔2026〕3号"}  # not the unpublished one
    record = records["郑盐罚〔2026〕1号"]
    decision = world["published"]
    assert record["行政相对人名称"] == "郑州某盐业有限公司"
    assert record["行政相对人类别"] == "法人及非法人组织"
    assert record["统一社会信用代码"] == CREDIT_CODES[0]
    assert record["法定代表人"] == "孙某"
    assert record["处罚类别"] == "罚款"
    assert record["罚款金额（万元）"] == "2.000000"
    assert record["处罚内容"] == "罚款20000.00元"
    assert record["处罚决定日期"] == "2026-09-20"
    assert record["违法行为类型"] == built.penalty_item.name
    assert record["处罚机关"] == built.body.name
    assert record["数据来源单位"] == built.department.name
    assert record["公示截止期"] == ""
    # Traceable to its decision and version, and to the item and its version.
    assert record["决定记录号"] == str(decision.pk)
    assert record["决定版本"] == str(decision.version)
    assert record["事项实施编码"] == built.penalty_item.code
    assert record["事项版本"] == str(decision.item_version)


def test_a_redacted_decision_goes_out_redacted_and_a_person_masked(built, world):
    client = logged_in(built.clerk)
    text = b"".join(
        client.get(reverse("decisions:credit-export", args=["penalty", "csv"])).streaming_content
    ).decode("utf-8-sig")
    xlsx = client.get(reverse("decisions:credit-export", args=["penalty", "xlsx"]))
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    cells = " ".join(str(c.value) for row in book.active.iter_rows() for c in row)
    feed = client.get(reverse("decisions-api:credit-feed", args=["penalty"])).content.decode()
    for exported in (text, cells, feed):
        assert SECRET not in exported
        assert "张三丰" not in exported and IDENTITY not in exported
        assert "13800000000" not in exported
        assert "当事人违规批发食盐。" in exported
        assert "张某某" in exported
        assert "部分内容" in exported  # the remark that something was redacted


def test_the_licence_export(built, world):
    client = logged_in(built.clerk)
    rows = csv_rows(client.get(reverse("decisions:credit-export", args=["licence", "csv"])))
    (record,) = by_header(rows)
    assert record["行政许可决定文书号"] == "郑盐许〔2026〕1号"
    assert record["许可证书名称"] == "食盐定点批发企业证书"
    assert record["许可编号"] == "豫盐批〔2026〕001"
    assert (record["有效期自"], record["有效期至"]) == ("2026-09-20", "2029-09-19")
    assert record["当前状态"] == "有效"
    assert record["许可机关"] == built.body.name
    assert record["决定记录号"] == str(world["licence"].pk)
    with at(26):
        services.decision_revoke(actor=built.clerk, decision=world["licence"], reason="依法撤销")
    rows = csv_rows(client.get(reverse("decisions:credit-export", args=["licence", "csv"])))
    (record,) = by_header(rows)
    assert (record["当前状态"], record["决定版本"]) == ("撤销", "2")
    assert "撤销" in record["备注"]


def test_a_large_workbook_is_built_by_a_worker(built, world, settings):
    settings.EXPORT_INLINE_ROWS = 1
    client = logged_in(built.clerk)
    url = reverse("decisions:credit-export", args=["penalty", "xlsx"])
    response = client.get(url)
    assert response.status_code == 202 and "refresh" in response.content.decode()
    # Asking again while it is queued sends nothing new and still waits.
    assert client.get(url).status_code == 202
    state, total = credit.data_state(selectors.credit_decisions(user=built.clerk, kind="penalty"))
    assert total == 2
    tasks.credit_export_build(user_id=built.clerk.pk, kind="penalty", fmt="xlsx", state=state)
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == credit.headers("penalty") and len(rows) == 3
    # A change makes a new state: the kept file is not served for it.
    with at(27):
        services.decision_revoke(actor=built.clerk, decision=world["published"], reason="撤销")
    assert client.get(url).status_code == 202


def test_the_feed_pages_are_stable_while_the_data_changes(built, world):
    client = logged_in(built.clerk)
    url = reverse("decisions-api:credit-feed", args=["penalty"])
    first = client.get(url, {"since": "2026-09-01", "page_size": 1}).json()
    assert first["kind"] == "penalty"
    (record,) = first["results"]
    assert record["decision_id"] == world["published"].pk and record["decision_version"] == 1
    # The first record changes between two pages: it is sent again later, none is skipped.
    with at(28):
        services.decision_redact(
            actor=built.clerk,
            decision=world["published"],
            redactions=[
                services.RedactionInput(
                    field="party_name",
                    reason="trade_secret",
                    explanation="商业秘密",
                    public_text="某盐业公司",
                )
            ],
        )
    seen = [(record["decision_id"], record["decision_version"])]
    page = first
    while page["next_after"]:
        assert page["next"].startswith("http")
        page = client.get(
            url, {"after": page["next_after"], "page_size": 1, "since": "2026-09-01"}
        ).json()
        seen += [(r["decision_id"], r["decision_version"]) for r in page["results"]]
    assert seen == [
        (world["published"].pk, 1),
        (world["redacted"].pk, 1),
        (world["published"].pk, 2),
    ]
    changed = [r["changed_at"] for r in client.get(url).json()["results"]]
    assert changed == sorted(changed)
    later = client.get(url, {"since": "2026-09-28T00:00:00+08:00"}).json()["results"]
    assert [(r["decision_id"], r["party_name"]) for r in later] == [
        (world["published"].pk, "某盐业公司")
    ]


def test_the_feed_refuses_bad_parameters_and_strangers(built, world):
    url = reverse("decisions-api:credit-feed", args=["penalty"])
    client = logged_in(built.clerk)
    for bad in ({"since": "yesterday"}, {"after": "nonsense"}, {"page_size": 0}):
        response = client.get(url, bad)
        assert response.status_code == 400, bad
        assert set(response.json()["error"]["fields"]) == set(bad)
    assert client.get(reverse("decisions-api:credit-feed", args=["grant"])).status_code == 404
    assert Client().get(url).status_code == 403
    # Another department's clerk sees none of these; the city's office sees them all.
    district = logged_in(built.org.district_users[Role.CLERK])
    assert district.get(url).json()["results"] == []
    office = logged_in(built.org.users[Role.OFFICE])
    assert len(office.get(url).json()["results"]) == 2


def test_reads_cost_the_same_for_one_record_or_many(built):
    client = logged_in(built.clerk)
    publish(built, penalty(built, "郑盐罚〔2026〕1号"), 23)
    url = reverse("decisions-api:credit-feed", args=["penalty"])
    pages = (
        url,
        reverse("decisions:credit"),
    )
    for page in pages:
        client.get(page)
    counts = {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        counts[page] = len(queries)
    for n in range(2, 6):
        publish(built, penalty(built, f"郑盐罚〔2026〕{n}号"), 23, hour=n)
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert len(queries) == counts[page], page
    assert len(client.get(url).json()["results"]) == 5
    with CaptureQueriesContext(connection) as queries:
        rows = csv_rows(client.get(reverse("decisions:credit-export", args=["penalty", "csv"])))
    assert len(rows) == 6 and len(queries) <= counts[url] + 2
    assert "5" in response.content.decode()


def test_the_credit_page(built, world):
    page = logged_in(built.clerk).get(reverse("decisions:credit")).content.decode()
    assert reverse("decisions:credit-export", args=["penalty", "csv"]) in page
    assert reverse("decisions-api:credit-feed", args=["licence"]) in page
    assert "行政相对人名称" in page
    assert Client().get(reverse("decisions:credit")).status_code == 302
    unknown = logged_in(built.clerk).get("/decisions/work/credit/penalty.pdf")
    assert unknown.status_code == 404
