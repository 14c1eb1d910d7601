"""The staff's API of decisions (issue 14 §2, §3): decisions in full through the selectors (a
clerk of another department finds nothing), what the user may do now from the same table as
the page's action panel, actions through the services with refusals in the API's error format;
the list costs the same queries for one decision or five."""

import datetime

import pytest
import time_machine
from django.utils import translation

from decisions import services
from decisions.choices import DecisionState
from decisions.models import Redaction
from tests.api_helpers import as_user, count_queries, error_of
from tests.decision_builders import build_decision_org, penalty_values, record_penalty

BUILT_AT = datetime.datetime(2026, 8, 1, 10, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 9, 22, 10, tzinfo=datetime.UTC)
LIST = "/api/v1/decisions/work/"
SECRET = "配方比例为甲三乙七"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def built(calendar):
    with time_machine.travel(BUILT_AT, tick=False):
        return build_decision_org()


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _served(built, **overrides):
    overrides.setdefault("content", f"当事人无证批发食盐。{SECRET}。")
    return record_penalty(built, served_on=datetime.date(2026, 9, 21), **overrides)


def _client(user):
    client = as_user(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _post(client, decision, body: dict):
    return client.post(f"{LIST}{decision.pk}/transitions/", body, content_type="application/json")


def test_the_clerk_lists_their_decisions_in_full(built, now):
    decision = _served(built, officers=[built.officers[0], built.expired])
    response = _client(built.clerk).get(LIST)
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == decision.pk and row["number"] == decision.number
    assert SECRET in row["content"]
    assert row["party_credit_code"] == decision.party_credit_code
    assert row["state"] == "served" and row["fine_amount"] == "20000.00"
    assert [flag["flag"] for flag in row["flags"]] == ["officer_uncertified"]
    assert {officer["name"] for officer in row["officers"]} == {"王执法", "赵过期"}
    assert [step["kind"] for step in row["open_steps"]] == ["publish"]
    assert row["public"]["content"] == ""  # nothing is public before publication


def test_the_list_filters_as_the_page_does(built, now):
    flagged = _served(
        built, number="郑盐罚〔2026〕2号", officers=[built.officers[0], built.expired]
    )
    _served(built, number="郑盐罚〔2026〕3号")
    client = _client(built.clerk)
    found = client.get(LIST, {"flagged": "officer_uncertified"}).json()["results"]
    assert [row["id"] for row in found] == [flagged.pk]
    assert len(client.get(LIST, {"awaiting": "true"}).json()["results"]) == 2
    error = error_of(client.get(LIST, {"state": "nonsense"}), 400)
    assert "state" in error["fields"]


def test_a_clerk_of_another_department_finds_nothing_and_anonymous_is_refused(built, now):
    decision = _served(built)
    other = _client(built.org.district_users["clerk"])
    assert other.get(LIST).json()["results"] == []
    error_of(other.get(f"{LIST}{decision.pk}/"), 404)
    error_of(other.get(f"{LIST}{decision.pk}/transitions/"), 404)
    error_of(_post(other, decision, {"action": "revoke", "reason": "越权"}), 404)
    error_of(_client(None).get(LIST), 403)
    decision.refresh_from_db()
    assert decision.state == DecisionState.SERVED


def test_what_the_user_may_do_is_the_panels_table(built, now):
    decision = _served(built)
    clerk = _client(built.clerk)
    answer = clerk.get(f"{LIST}{decision.pk}/transitions/").json()
    assert answer["state"] == "served"
    assert [action["action"] for action in answer["actions"]] == ["publish", "execute", "revoke"]
    detail = clerk.get(f"{LIST}{decision.pk}/").json()
    assert detail["actions"] == answer["actions"]
    overseer = _client(built.org.users["supervisor"])
    assert overseer.get(f"{LIST}{decision.pk}/transitions/").json()["actions"] == []


def test_the_clerk_publishes_redacted_through_the_api(built, now):
    decision = _served(built)
    clerk = _client(built.clerk)
    public = "当事人无证批发食盐。（涉及商业秘密的内容不予公开）"
    response = _post(
        clerk,
        decision,
        {
            "action": "publish",
            "redactions": [
                {
                    "field": "content",
                    "reason": "trade_secret",
                    "explanation": "配方比例属商业秘密。",
                    "public_text": public,
                }
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["published_at"] and body["redacted"]
    assert body["public"]["content"] == public
    assert [r["reason"] for r in body["redactions"]] == ["trade_secret"]
    assert Redaction.objects.filter(decision=decision).count() == 1
    again = error_of(_post(clerk, decision, {"action": "publish"}), 409)
    assert again["code"] == "conflict"


def test_refusals_answer_in_the_error_format(built, now):
    decision = _served(built)
    clerk = _client(built.clerk)
    missing = error_of(_post(clerk, decision, {"action": "revoke"}), 400)
    assert "reason" in missing["fields"]
    unknown = error_of(
        _post(
            clerk,
            decision,
            {"action": "publish", "redactions": [{"field": "number", "reason": "privacy"}]},
        ),
        400,
    )
    assert "redactions.0.field" in unknown["fields"]
    overseer = _client(built.org.users["supervisor"])
    refused = error_of(_post(overseer, decision, {"action": "revoke", "reason": "越权"}), 409)
    assert "is not yours to do" in refused["message"]
    decision.refresh_from_db()
    assert decision.state == DecisionState.SERVED and decision.published_at is None


def test_a_case_is_decided_and_served_through_the_api(built, now):
    case = services.case_file(
        actor=built.clerk,
        department=built.department,
        given=services.DecisionValues(
            body=built.body,
            item=built.penalty_item,
            officers=built.officers,
            values=penalty_values(
                number="", content="", decided_on=None, fine_amount=None, penalty_kinds=[]
            ),
        ),
    )
    clerk = _client(built.clerk)
    for action in ("investigate", "notify"):
        assert _post(clerk, case, {"action": action}).status_code == 200
    facts = {
        "number": "郑盐罚〔2026〕5号",
        "content": "当事人无证批发食盐。",
        "basis": "《食盐专营办法》第二十六条",
        "penalty_kinds": ["fine"],
        "fine_amount": "80000",
        "decided_on": "2026-09-20",
    }
    major = error_of(_post(clerk, case, {"action": "decide", "values": facts}), 400)
    assert "values.legal_review_on" in major["fields"]
    facts |= {"fine_amount": "3000"}
    assert _post(clerk, case, {"action": "decide", "values": facts}).status_code == 200
    future = error_of(_post(clerk, case, {"action": "serve", "served_on": "2026-09-30"}), 400)
    assert "served_on" in future["fields"]
    served = _post(clerk, case, {"action": "serve", "served_on": "2026-09-21"}).json()
    assert served["state"] == "served" and served["open_steps"][0]["kind"] == "publish"


def test_the_list_costs_the_same_for_one_decision_or_five(built):
    with time_machine.travel(NOW, tick=False):
        _served(built, number="郑盐罚〔2026〕40号", officers=[built.officers[0], built.expired])
        clerk = _client(built.clerk)
        one = count_queries(clerk, LIST)
        for number in range(41, 45):
            _served(built, number=f"郑盐罚〔2026〕{number}号")
        five = count_queries(clerk, LIST)
        assert len(clerk.get(LIST).json()["results"]) == 5
    assert one == five
