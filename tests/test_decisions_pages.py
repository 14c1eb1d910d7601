"""The staff's pages of decisions (issue 14 §1–§3, §5, §6): recording a decision through the
form (good and bad input, each problem at its field, nothing typed lost), the decision's page and
its action panel (serve, publish with redactions, the case stages, records, correction,
revocation), enforcement bodies and officers; who may see and act (a clerk of another department
finds nothing); the lists cost the same queries for one row or many."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from decisions import services
from decisions.choices import BodyState, DecisionState, Flag
from decisions.models import CaseRecord, Decision, EnforcementBody, Redaction
from tests.decision_builders import (
    CREDIT_CODES,
    build_decision_org,
    penalty_values,
    record_penalty,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BUILT_AT = datetime.datetime(2026, 8, 1, 10, tzinfo=datetime.UTC)
# 2026-09-22 18:00 in Shanghai: the day after the decisions' service date.
NOW = datetime.datetime(2026, 9, 22, 10, tzinfo=datetime.UTC)
SECRET = "配方比例为甲三乙七"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def built(calendar, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(BUILT_AT, tick=False):
        return build_decision_org()


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _as(client, user, language: str = "en"):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def form_data(built, **overrides) -> dict:
    """What the clerk types in the form for a served fine."""
    data = {
        "item": built.penalty_item.pk,
        "body": built.body.pk,
        "officers": [person.pk for person in built.officers],
        "party_kind": "organisation",
        "party_name": "郑州某盐业有限公司",
        "party_credit_code": CREDIT_CODES[0].lower(),
        "legal_representative": "孙某",
        "number": "郑盐罚〔2026〕7号",
        "title": "某盐业公司违规经营食盐案",
        "content": f"当事人未取得食盐定点批发许可从事食盐批发。{SECRET}。",
        "basis": "《食盐专营办法》第二十六条",
        "penalty_kinds": ["fine"],
        "fine_amount": "20000",
        "filed_on": "2026-09-01",
        "decided_on": "2026-09-20",
        "served_on": "2026-09-21",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def _served(built, **overrides) -> Decision:
    overrides.setdefault("content", f"当事人未取得食盐定点批发许可从事食盐批发。{SECRET}。")
    with time_machine.travel(NOW, tick=False):
        return record_penalty(built, served_on=datetime.date(2026, 9, 21), **overrides)


def _redactions(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "4",
    }
    for number in range(2):
        row = rows[number] if number < len(rows) else {}
        for name in ("field", "reason", "explanation", "public_text"):
            data[f"{prefix}-{number}-{name}"] = row.get(name, "")
    return data


def _act(client, decision, action: str, data: dict | None = None):
    return client.post(reverse("decisions:staff-act", args=[decision.pk, action]), data or {})


# --- recording through the form ----------------------------------------------------------------


def test_the_clerk_records_a_served_penalty_through_the_form(client, built, now):
    _as(client, built.clerk)
    response = client.post(reverse("decisions:staff-new"), form_data(built))
    decision = Decision.objects.get(number="郑盐罚〔2026〕7号")
    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:staff-detail", args=[decision.pk])
    assert decision.state == DecisionState.SERVED
    # The code typed in small letters is the same code (GB 32100-2015).
    assert decision.party_credit_code == CREDIT_CODES[0]
    assert sorted(decision.officers.values_list("person_id", flat=True)) == sorted(
        person.pk for person in built.officers
    )
    assert decision.flags == []
    page = client.get(response["Location"]).content.decode()
    assert "working days left" in page
    assert SECRET in page  # staff read the full text


def test_bad_input_is_shown_at_its_field_and_nothing_typed_is_lost(client, built, now):
    _as(client, built.clerk)
    wrong = CREDIT_CODES[0][:-1] + ("1" if CREDIT_CODES[0][-1] != "1" else "2")
    response = client.post(
        reverse("decisions:staff-new"),
        form_data(built, party_credit_code=wrong, fine_amount="12.345", decided_on="2026-13-01"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"party_credit_code", "fine_amount", "decided_on"}
    assert "check character" in str(form.errors["party_credit_code"]).lower()
    page = response.content.decode()
    assert "郑州某盐业有限公司" in page and SECRET in page
    assert not Decision.objects.exists()


def test_a_field_message_is_in_chinese_by_default(client, built, now):
    _as(client, built.clerk, "zh-hans")
    response = client.post(
        reverse("decisions:staff-new"),
        form_data(
            built,
            party_kind="person",
            party_name="张三丰",
            party_credit_code="",
            legal_representative="",
            party_id_number="110105194912310021",
        ),
    )
    assert "居民身份证号码校验码不正确" in str(response.context["form"].errors["party_id_number"])
    assert "张三丰" in response.content.decode()
    assert not Decision.objects.exists()


def test_the_services_problems_come_back_at_their_fields(client, built, now):
    _as(client, built.clerk)
    response = client.post(
        reverse("decisions:staff-new"),
        form_data(
            built,
            officers=[built.officers[0].pk],
            penalty_kinds=["warning"],
            fine_amount="500",
            served_on="2026-09-30",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "at least two enforcement officers" in str(errors["officers"])
    assert "no fine" in str(errors["fine_amount"])
    assert "in the future" in str(errors["served_on"])
    # Each message is shown at its field on the page.
    assert "adj-choices has-error field-officers" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_major_penalty_without_its_legal_review_is_refused_at_the_field(client, built, now):
    _as(client, built.clerk)
    response = client.post(reverse("decisions:staff-new"), form_data(built, fine_amount="80000"))
    errors = response.context["form"].errors
    assert "legal review" in str(errors["legal_review_on"])
    assert "collective discussion" in str(errors["collective_on"])
    assert not Decision.objects.exists()
    reviewed = form_data(
        built,
        fine_amount="80000",
        legal_review_on="2026-09-18",
        legal_reviewer="市盐业管理局法制科",
        legal_review_opinion="事实清楚，证据确凿，同意。",
        collective_on="2026-09-19",
        collective_note="局务会集体讨论同意。",
    )
    assert client.post(reverse("decisions:staff-new"), reviewed).status_code == 302
    assert Decision.objects.get().major


def test_an_officer_without_any_certificate_cannot_be_named(client, built, now):
    newcomer = services.officer_save(actor=built.clerk, department=built.department, name="钱新人")
    _as(client, built.clerk)
    response = client.post(
        reverse("decisions:staff-new"),
        form_data(built, officers=[built.officers[0].pk, newcomer.pk]),
    )
    assert "holds no enforcement certificate" in str(response.context["form"].errors["officers"])
    assert not Decision.objects.exists()


def test_the_form_offers_the_departments_items_bodies_and_officers_with_their_certificates(
    client, built, now
):
    _as(client, built.clerk)
    page = client.get(reverse("decisions:staff-new")).content.decode()
    assert built.penalty_item.name in page and built.licence_item.name in page
    assert "市盐业管理局" in page
    assert "豫A01000, valid until 2030-12-31" in page
    assert "豫A09999, expired on 2025-12-31" in page
    case_page = client.get(reverse("decisions:case-new")).content.decode()
    assert built.penalty_item.name in case_page
    assert built.licence_item.name not in case_page


def test_a_decision_by_an_officer_with_an_expired_certificate_is_flagged_on_its_page(client, built):
    decision = _served(built, officers=[built.officers[0], built.expired])
    assert decision.flags == [Flag.OFFICER_UNCERTIFIED]
    _as(client, built.clerk)
    page = client.get(reverse("decisions:staff-detail", args=[decision.pk])).content.decode()
    assert str(Flag.OFFICER_UNCERTIFIED.label) in page
    assert "持证上岗" in page
    assert "none valid" in page


# --- the action panel --------------------------------------------------------------------------


def test_the_clerk_serves_and_the_publication_becomes_due(client, built):
    with time_machine.travel(NOW, tick=False):
        decision = record_penalty(built)
        _as(client, built.clerk)
        page = client.get(reverse("decisions:staff-detail", args=[decision.pk]))
        assert [entry.name for entry in page.context["panel"]] == ["serve", "revoke"]
        refused = _act(client, decision, "serve", {"serve-served_on": "2026-09-30"})
        assert "in the future" in str(refused.context["failed"].form.errors["served_on"])
        done = _act(client, decision, "serve", {"serve-served_on": "2026-09-21"})
        assert done.status_code == 302
        page = client.get(done["Location"]).content.decode()
    decision.refresh_from_db()
    assert decision.state == DecisionState.SERVED
    assert "Publish by" in page and "working days left" in page


def test_publishing_redacted_asks_first_and_keeps_the_reason(client, built):
    decision = _served(built)
    public = "当事人未取得食盐定点批发许可从事食盐批发。（配方涉及商业秘密，不予公开）"
    rows = [
        {
            "field": "content",
            "reason": "trade_secret",
            "explanation": "配方比例属当事人商业秘密。",
            "public_text": public,
        }
    ]
    data = _redactions("publish-redactions", rows)
    with time_machine.travel(NOW, tick=False):
        _as(client, built.clerk)
        page = client.get(reverse("decisions:staff-detail", args=[decision.pk]))
        form = page.context["panel"][0]
        assert form.name == "publish" and form.form.confirmation
        assert 'data-confirm="' in page.content.decode()
        unconfirmed = _act(client, decision, "publish", data)
        assert "tick “I confirm”" in unconfirmed.content.decode()
        decision.refresh_from_db()
        assert decision.published_at is None
        done = _act(client, decision, "publish", data | {"publish-confirm": "on"})
        assert done.status_code == 302
        page = client.get(done["Location"]).content.decode()
    decision.refresh_from_db()
    assert decision.published_at is not None and decision.redacted
    assert decision.public_content == public
    redaction = Redaction.objects.get(decision=decision)
    assert (redaction.field, redaction.reason) == ("content", "trade_secret")
    assert "Public text as published" in page and "Trade secret" in page
    assert SECRET in page  # the staff still read the full text


def test_a_redaction_without_its_explanation_publishes_nothing_and_keeps_what_was_typed(
    client, built
):
    decision = _served(built)
    rows = [{"field": "content", "reason": "trade_secret", "public_text": "删去秘密后的文本"}]
    data = _redactions("publish-redactions", rows) | {"publish-confirm": "on"}
    with time_machine.travel(NOW, tick=False):
        _as(client, built.clerk)
        response = _act(client, decision, "publish", data)
    assert response.status_code == 200
    failed = response.context["failed"].form
    assert failed.redactions.forms[0].errors["explanation"]
    assert "删去秘密后的文本" in response.content.decode()
    decision.refresh_from_db()
    assert decision.published_at is None


def test_a_penalty_case_walks_its_stages_with_its_records(client, built):
    _as(client, built.clerk)
    with time_machine.travel(datetime.datetime(2026, 9, 1, 2, tzinfo=datetime.UTC), tick=False):
        response = client.post(
            reverse("decisions:case-new"),
            {
                "item": built.penalty_item.pk,
                "body": built.body.pk,
                "officers": [person.pk for person in built.officers],
                "party_kind": "person",
                "party_name": "张三丰",
                "party_id_number": "11010519491231002x",
                "title": "张某无证销售食盐案",
                "filed_on": "2026-09-01",
            },
        )
        case = Decision.objects.get(title="张某无证销售食盐案")
        assert response.status_code == 302 and case.state == DecisionState.FILED
        assert case.party_id_number == "11010519491231002X"
        upload = SimpleUploadedFile("询问笔录.pdf", PDF, content_type="application/pdf")
        uploaded = _act(
            client,
            case,
            "upload",
            {
                "upload-title": "询问笔录",
                "upload-made_at": "2026-09-01T09:00",
                "upload-upload": upload,
            },
        )
        assert uploaded.status_code == 302
        for stage in ("investigate", "notify"):
            assert _act(client, case, stage).status_code == 302
    record = CaseRecord.objects.get(decision=case)
    download = client.get(reverse("decisions:record-file", args=[case.pk, record.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    with time_machine.travel(NOW, tick=False):
        decide = {
            "decide-number": "郑盐罚〔2026〕9号",
            "decide-content": "当事人无证销售食盐。",
            "decide-basis": "《食盐专营办法》第二十六条",
            "decide-penalty_kinds": ["fine"],
            "decide-fine_amount": "3000",
            "decide-decided_on": "2026-09-20",
        }
        assert _act(client, case, "decide", decide).status_code == 302
        assert _act(client, case, "serve", {"serve-served_on": "2026-09-21"}).status_code == 302
        assert _act(client, case, "execute").status_code == 302
        page = client.get(reverse("decisions:staff-detail", args=[case.pk])).content.decode()
    case.refresh_from_db()
    assert case.state == DecisionState.EXECUTED
    assert case.number == "郑盐罚〔2026〕9号"
    assert "张某某" in page  # the public reads a person's surname and 某
    assert "done in time" in page  # the record was uploaded within 24 hours


def test_a_major_penalty_cannot_be_decided_in_a_case_without_its_review(client, built):
    _as(client, built.clerk)
    with time_machine.travel(NOW, tick=False):
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
        services.case_advance(actor=built.clerk, decision=case, to=DecisionState.INVESTIGATING)
        services.case_advance(actor=built.clerk, decision=case, to=DecisionState.NOTIFIED)
        response = _act(
            client,
            case,
            "decide",
            {
                "decide-number": "郑盐罚〔2026〕10号",
                "decide-content": "责令停产停业。",
                "decide-basis": "《食盐专营办法》第二十六条",
                "decide-penalty_kinds": ["suspend_business"],
                "decide-decided_on": "2026-09-20",
            },
        )
    assert response.status_code == 200
    assert "legal review" in str(response.context["failed"].form.errors["legal_review_on"])
    case.refresh_from_db()
    assert case.state == DecisionState.NOTIFIED


def test_the_clerk_corrects_a_decision_with_a_reason(client, built):
    decision = _served(built)
    url = reverse("decisions:staff-act", args=[decision.pk, "correct"])
    with time_machine.travel(NOW, tick=False):
        _as(client, built.clerk)
        form = client.get(url).context["form"]
        assert form.initial["party_name"] == "郑州某盐业有限公司"
        data = form_data(built, fine_amount="25000", number=decision.number)
        data.pop("served_on")
        data["served_on"] = "2026-09-21"
        missing = client.post(url, data)
        assert "reason" in missing.context["form"].errors
        assert "25000" in missing.content.decode()
        done = client.post(url, data | {"reason": "罚款金额笔误"})
    assert done.status_code == 302
    decision.refresh_from_db()
    assert decision.version == 2 and str(decision.fine_amount) == "25000.00"


def test_revoking_asks_first(client, built):
    decision = _served(built)
    with time_machine.travel(NOW, tick=False):
        _as(client, built.clerk)
        unconfirmed = _act(client, decision, "revoke", {"revoke-reason": "复议撤销"})
        assert unconfirmed.status_code == 200
        done = _act(
            client, decision, "revoke", {"revoke-reason": "复议撤销", "revoke-confirm": "on"}
        )
    assert done.status_code == 302
    decision.refresh_from_db()
    assert decision.state == DecisionState.REVOKED


# --- who may see and act -----------------------------------------------------------------------


def test_a_clerk_of_another_department_neither_sees_nor_acts(client, built):
    decision = _served(built)
    other = built.org.district_users["clerk"]
    _as(client, other)
    with time_machine.travel(NOW, tick=False):
        assert client.get(reverse("decisions:staff-detail", args=[decision.pk])).status_code == 404
        assert _act(client, decision, "revoke", {"revoke-confirm": "on"}).status_code == 404
        assert (
            client.get(reverse("decisions:staff-act", args=[decision.pk, "correct"])).status_code
            == 404
        )
        queue = client.get(reverse("decisions:staff-list"))
    assert decision.number not in queue.content.decode()
    assert client.get(reverse("decisions:body-edit", args=[built.body.pk])).status_code == 404
    assert client.get(reverse("decisions:officer", args=[built.officers[0].pk])).status_code == 404
    decision.refresh_from_db()
    assert decision.state == DecisionState.SERVED


def test_an_overseer_reads_in_full_but_the_panel_offers_nothing(client, built):
    decision = _served(built)
    supervisor = built.org.users["supervisor"]
    _as(client, supervisor)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("decisions:staff-detail", args=[decision.pk]))
        assert page.status_code == 200 and SECRET in page.content.decode()
        assert page.context["panel"] == [] and not page.context["may_correct"]
        refused = _act(
            client, decision, "revoke", {"revoke-reason": "越权", "revoke-confirm": "on"}
        )
    assert refused.status_code == 200
    assert "is not yours to do" in refused.content.decode()
    assert client.get(reverse("decisions:staff-new")).status_code == 403
    decision.refresh_from_db()
    assert decision.state == DecisionState.SERVED


def test_anonymous_visitors_are_sent_to_the_login(client, built):
    for path in (
        reverse("decisions:staff-list"),
        reverse("decisions:staff-new"),
        reverse("decisions:officers"),
        reverse("decisions:body-papers", args=[built.body.pk]),
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_filters_by_flag_publication_kind_and_overdue(client, built):
    flagged = _served(
        built, number="郑盐罚〔2026〕21号", officers=[built.officers[0], built.expired]
    )
    waiting = _served(built, number="郑盐罚〔2026〕22号")
    with time_machine.travel(NOW, tick=False):
        decided = record_penalty(built, number="郑盐罚〔2026〕23号")
    _as(client, built.clerk)
    url = reverse("decisions:staff-list")

    def numbers(query: dict) -> set[str]:
        response = client.get(url, query)
        assert response.status_code == 200
        return {decision.number for decision in response.context["rows"]}

    with time_machine.travel(NOW, tick=False):
        assert numbers({"flagged": "officer_uncertified"}) == {flagged.number}
        assert numbers({"flagged": "any"}) == {flagged.number}
        assert numbers({"awaiting": "on"}) == {flagged.number, waiting.number}
        assert numbers({"state": "decided"}) == {decided.number}
        assert numbers({"kind": "licence"}) == set()
        assert numbers({"overdue": "on"}) == set()
        assert numbers({"q": "22号"}) == {waiting.number}
        invalid = client.get(url, {"department": "99999999999999999999"})
        assert invalid.context["rows"] == [] and invalid.context["filter_form"].errors
    with time_machine.travel(datetime.datetime(2026, 10, 20, 10, tzinfo=datetime.UTC), tick=False):
        assert numbers({"overdue": "on"}) == {flagged.number, waiting.number}
        page = client.get(url).content.decode()
    assert "overdue by" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_queue_costs_the_same_for_one_decision_or_five(client, built):
    _served(built, number="郑盐罚〔2026〕30号", officers=[built.officers[0], built.expired])
    _as(client, built.clerk)
    url = reverse("decisions:staff-list")
    with time_machine.travel(NOW, tick=False):
        one = _queries(client, url)
    for number in range(31, 35):
        _served(built, number=f"郑盐罚〔2026〕{number}号")
    with time_machine.travel(NOW, tick=False):
        five = _queries(client, url)
        assert len(client.get(url).context["rows"]) == 5
    assert one == five


def test_the_officer_and_body_lists_cost_the_same_for_few_rows_or_many(client, built):
    _as(client, built.clerk)
    officers, bodies = reverse("decisions:officers"), reverse("decisions:bodies")
    before = (_queries(client, officers), _queries(client, bodies))
    for index in range(3):
        person = services.officer_save(
            actor=built.clerk, department=built.department, name=f"孙执法{index}"
        )
        services.certificate_save(
            actor=built.clerk,
            person=person,
            number=f"豫A0200{index}",
            issuing_authority="郑州市人民政府",
            enforcement_field="盐业",
            valid_from=datetime.date(2024, 1, 1),
            valid_until=datetime.date(2030, 12, 31),
        )
        services.body_save(
            actor=built.clerk,
            department=built.department,
            values={"name": f"盐业稽查支队{index}", "kind": "own", "basis": "《食盐专营办法》"},
        )
    assert (_queries(client, officers), _queries(client, bodies)) == before


# --- bodies ------------------------------------------------------------------------------------


def test_an_entrusted_body_needs_its_papers_then_the_office_confirms_it(client, built):
    _as(client, built.clerk)
    values = {
        "name": "市盐业稽查大队",
        "kind": "entrusted",
        "credit_code": CREDIT_CODES[1],
        "basis": "《食盐专营办法》第四条；委托书",
        "entrustment_number": "郑盐委〔2026〕1号",
        "entrusted_from": "2026-01-01",
        "entrusted_until": "2027-12-31",
    }
    missing = client.post(reverse("decisions:body-new"), values)
    assert "Attach the entrustment papers" in str(
        missing.context["form"].errors["entrustment_file"]
    )
    assert "郑盐委〔2026〕1号" in missing.content.decode()
    fake = SimpleUploadedFile(
        "委托书.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
    )
    refused = client.post(reverse("decisions:body-new"), values | {"entrustment_file": fake})
    assert refused.context["form"].errors["entrustment_file"]
    papers = SimpleUploadedFile("委托书.pdf", PDF, content_type="application/pdf")
    done = client.post(reverse("decisions:body-new"), values | {"entrustment_file": papers})
    body = EnforcementBody.objects.get(name="市盐业稽查大队")
    assert done.status_code == 302 and body.state == BodyState.PROPOSED

    # The clerk may not confirm their own body; the reform office does, after asking.
    page = client.get(reverse("decisions:body", args=[body.pk]))
    assert page.context["panel"] == []
    client.post(reverse("decisions:body-act", args=[body.pk, "confirm"]), {"confirm-confirm": "on"})
    body.refresh_from_db()
    assert body.state == BodyState.PROPOSED
    _as(client, built.org.users["office"])
    assert [
        entry.name
        for entry in client.get(reverse("decisions:body", args=[body.pk])).context["panel"]
    ] == ["confirm", "withdraw"]
    confirmed = client.post(
        reverse("decisions:body-act", args=[body.pk, "confirm"]), {"confirm-confirm": "on"}
    )
    assert confirmed.status_code == 302
    body.refresh_from_db()
    assert body.state == BodyState.CONFIRMED
    papers_file = client.get(reverse("decisions:body-papers", args=[body.pk]))
    assert papers_file["Content-Disposition"].startswith("attachment")
    history = client.get(reverse("decisions:body", args=[body.pk])).context["history"]
    assert [version.state for version in history][:2] == ["confirmed", "proposed"]


def test_the_legal_reviewers_withdraw_a_body_with_a_reason(client, built):
    _as(client, built.org.users["reviewer"])
    url = reverse("decisions:body-act", args=[built.body.pk, "withdraw"])
    missing = client.post(url, {"withdraw-confirm": "on"})
    assert missing.context["failed"].form.errors["reason"]
    done = client.post(url, {"withdraw-reason": "机构撤并", "withdraw-confirm": "on"})
    assert done.status_code == 302
    built.body.refresh_from_db()
    assert built.body.state == BodyState.WITHDRAWN


# --- officers ----------------------------------------------------------------------------------


def test_the_officer_list_highlights_certificates_ending_soon_and_flags_expired_ones(client, built):
    soon = services.officer_save(actor=built.clerk, department=built.department, name="周将满")
    services.certificate_save(
        actor=built.clerk,
        person=soon,
        number="豫A03000",
        issuing_authority="郑州市人民政府",
        enforcement_field="盐业",
        valid_from=datetime.date(2022, 1, 1),
        valid_until=datetime.date(2026, 12, 31),
    )
    _as(client, built.clerk)
    with time_machine.travel(datetime.datetime(2026, 12, 10, 2, tzinfo=datetime.UTC), tick=False):
        response = client.get(reverse("decisions:officers"))
    rows = {person.name: person for person in response.context["rows"]}
    assert [row.standing for row in rows["周将满"].certificate_rows] == ["expiring"]
    assert [row.standing for row in rows["赵过期"].certificate_rows] == ["expired"]
    assert not rows["赵过期"].certified and rows["王执法"].certified
    page = response.content.decode()
    assert "ends 2026-12-31" in page and "expired 2025-12-31" in page
    assert "dec-row-expiring" in page and "dec-row-expired" in page


def test_the_clerk_adds_an_officer_and_their_certificate(client, built):
    _as(client, built.clerk)
    response = client.post(
        reverse("decisions:officer-new"), {"which": "officer", "officer-name": "吴新"}
    )
    person = built.department.people.get(name="吴新")
    assert response["Location"] == reverse("decisions:officer", args=[person.pk])
    url = reverse("decisions:officer", args=[person.pk])
    certificate = {
        "which": "certificate-new",
        "certificate-new-number": "豫a04000",
        "certificate-new-issuing_authority": "郑州市人民政府",
        "certificate-new-enforcement_field": "盐业",
        "certificate-new-valid_from": "2026-01-01",
        "certificate-new-valid_until": "2025-01-01",
    }
    wrong = client.post(url, certificate)
    assert "cannot expire before it starts" in str(
        wrong.context["new_certificate"].errors["valid_until"]
    )
    assert "豫a04000" in wrong.content.decode()
    done = client.post(url, certificate | {"certificate-new-valid_until": "2029-12-31"})
    assert done.status_code == 302
    saved = person.certificates.get()
    assert saved.number == "豫A04000"
    changed = client.post(
        url,
        {
            "which": f"certificate-{saved.pk}",
            f"certificate-{saved.pk}-number": "豫A04000",
            f"certificate-{saved.pk}-issuing_authority": "郑州市人民政府",
            f"certificate-{saved.pk}-enforcement_field": "盐业、市场监管",
            f"certificate-{saved.pk}-valid_from": "2026-01-01",
            f"certificate-{saved.pk}-valid_until": "2029-12-31",
        },
    )
    assert changed.status_code == 302
    saved.refresh_from_db()
    assert saved.enforcement_field == "盐业、市场监管"


# --- the admin ---------------------------------------------------------------------------------


def test_the_admin_reads_decisions_and_keeps_policies_through_the_service(client, built):
    decision = _served(built)
    _as(client, built.org.users["administrator"])
    for name in ("decision", "enforcementbody", "event", "decisionpolicy", "apitoken"):
        assert client.get(reverse(f"admin:decisions_{name}_changelist")).status_code == 200
    page = client.get(reverse("admin:decisions_decision_change", args=[decision.pk]))
    assert page.status_code == 200 and decision.number in page.content.decode()
    assert client.get(reverse("admin:decisions_decision_add")).status_code == 403
    client.post(reverse("admin:decisions_decision_delete", args=[decision.pk]), {"post": "yes"})
    assert Decision.objects.filter(pk=decision.pk).exists()
    response = client.post(
        reverse("admin:decisions_decisionpolicy_add"),
        {
            "jurisdiction": built.org.city.pk,
            "publish_days": "10",
            "upload_hours": "24",
            "major_penalty_amount": "30000",
            "certificate_warning_days": "45",
        },
    )
    assert response.status_code == 302
    assert services.policy_for(built.org.city).certificate_warning_days == 45
