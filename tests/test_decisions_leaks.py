"""Issue 14, done when: public responses leak nothing redacted. Canaries are planted in what
must never be public — a redacted part of a decision's content, a redacted party name, a
natural person's full name and identity number, a party's address and phone, a redaction's
explanation, an unpublished decision's title, an officer's phone and an entrustment's papers —
and every public page, API answer and feed, the registry item page included, is searched for
them, also when the search asks for them by name."""

import datetime
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from core.checkers import resident_id_problem
from decisions import services
from decisions.choices import RedactionReason
from tests.decision_builders import build_decision_org_in_august, published, record_penalty

CONTENT_SECRET = "甲乙丙配方金丝雀"
PARTY_SECRET = "金丝雀秘密贸易有限公司"
PERSON = "张翠花"
CONTACT_PLACE = "郑州市金水路九号"
CONTACT_PHONE = "13912345678"
EXPLANATION = "解释金丝雀：配方属于商业秘密"
UNPUBLISHED = "未公开金丝雀案"
OFFICER_PHONE = "0371-66661234"
PAPERS = "decisions/entrustments/"


def identity_number() -> str:
    """A resident identity number with its right check character (GB 11643-1999)."""
    first = "41010519900307123"
    for last in "0123456789X":
        if resident_id_problem(first + last) is None:
            return first + last
    raise AssertionError("no check character fits")


IDENTITY = identity_number()
CANARIES = (
    CONTENT_SECRET,
    PARTY_SECRET,
    PERSON,
    "翠花",
    IDENTITY,
    CONTACT_PLACE,
    CONTACT_PHONE,
    EXPLANATION,
    UNPUBLISHED,
    OFFICER_PHONE,
    PAPERS,
)


def _redaction(field: str, reason: str, public_text: str) -> services.RedactionInput:
    return services.RedactionInput(
        field=field, reason=reason, explanation=EXPLANATION, public_text=public_text
    )


@pytest.fixture
def planted(calendar, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    built = build_decision_org_in_august()
    with time_machine.travel(datetime.datetime(2026, 8, 3, 2, tzinfo=datetime.UTC), tick=False):
        entrusted = services.body_save(
            actor=built.clerk,
            department=built.department,
            values={
                "name": "市盐业稽查支队",
                "kind": "entrusted",
                "basis": "《食盐专营办法》第四条",
                "entrustment_number": "郑盐委〔2026〕1号",
                "entrusted_from": datetime.date(2026, 8, 1),
                "entrusted_until": datetime.date(2028, 7, 31),
            },
            entrustment_file=SimpleUploadedFile(
                "委托书.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
            ),
        )
        services.body_confirm(actor=built.org.users["office"], body=entrusted)
        services.officer_save(
            actor=built.clerk, department=built.department, name="周执法", phone=OFFICER_PHONE
        )
    secret_content = published(
        built,
        published_on=datetime.date(2026, 9, 23),
        content=f"当事人使用{CONTENT_SECRET}生产食盐。",
        party_contact=f"{CONTACT_PLACE} {CONTACT_PHONE}",
        redactions=[
            _redaction("content", RedactionReason.TRADE_SECRET, "当事人违规生产食盐。"),
        ],
    )
    secret_party = published(
        built,
        published_on=datetime.date(2026, 9, 24),
        number="郑盐罚〔2026〕2号",
        title="某公司违规经营食盐案",
        party_name=PARTY_SECRET,
        redactions=[_redaction("party_name", RedactionReason.STATE_SECRET, "某公司")],
    )
    person = published(
        built,
        published_on=datetime.date(2026, 9, 25),
        number="郑盐罚〔2026〕3号",
        title=f"{PERSON}违规销售食盐案",
        party_kind="person",
        party_name=PERSON,
        party_credit_code="",
        legal_representative="",
        party_id_number=IDENTITY,
        party_contact=f"{CONTACT_PLACE} {CONTACT_PHONE}",
        penalty_kinds=["warning"],
        fine_amount=None,
        redactions=[_redaction("title", RedactionReason.PRIVACY, "个人违规销售食盐案")],
    )
    with time_machine.travel(datetime.datetime(2026, 10, 2, 2, tzinfo=datetime.UTC), tick=False):
        hidden = record_penalty(
            built,
            number="郑盐罚〔2026〕4号",
            title=UNPUBLISHED,
            served_on=datetime.date(2026, 10, 1),
        )
    return {
        "built": built,
        "published": [secret_content, secret_party, person],
        "hidden": hidden,
        "person": person,
    }


def _public_urls(planted) -> list[str]:
    built = planted["built"]
    urls = [
        "/decisions/",
        "/decisions/?kind=02",
        f"/decisions/?item={built.penalty_item.code}",
        "/decisions/feed/",
        "/decisions/bodies/",
        "/decisions/officers/",
        "/api/v1/decisions/",
        "/api/v1/decisions/bodies/",
        f"/items/{built.penalty_item.code}/",
    ]
    for decision in planted["published"]:
        urls += [f"/decisions/{decision.pk}/", f"/api/v1/decisions/{decision.pk}/"]
    for canary in CANARIES:
        urls += [f"/decisions/?q={canary}", f"/api/v1/decisions/?q={canary}"]
        urls.append(f"/decisions/feed/?q={canary}")
    return urls


def _text(response) -> str:
    text = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        text += json.dumps(response.json(), ensure_ascii=False)
    return text


def test_no_public_response_leaks_a_canary(client, planted):
    checked = 0
    for url in _public_urls(planted):
        response = client.get(url)
        assert response.status_code == 200, url
        # A search form (and the language switch's return address) shows what was searched
        # for: that is the visitor's own text.
        asked = url.partition("?q=")[2]
        text = _text(response)
        if asked:
            text = text.replace(f'value="{asked}"', "").replace(f"q={asked}", "q=")
        for canary in CANARIES:
            assert canary not in text, (canary, url)
        checked += 1
    assert checked > 40
    # What is public is there: the published text, the masked name, the reason.
    person = client.get(f"/decisions/{planted['person'].pk}/").content.decode()
    assert "张某某" in person and "个人违规销售食盐案" in person
    assert str(RedactionReason.PRIVACY.label) in person
    bodies = client.get("/decisions/bodies/").content.decode()
    assert "市盐业稽查支队" in bodies and "郑盐委〔2026〕1号" in bodies


def test_the_search_does_not_find_a_decision_by_what_is_withheld(client, planted):
    for canary in (PARTY_SECRET, PERSON, "翠花", CONTENT_SECRET, UNPUBLISHED):
        assert client.get("/decisions/", {"q": canary}).context["rows"] == [], canary
        assert client.get("/api/v1/decisions/", {"q": canary}).json()["count"] == 0, canary


def test_an_unpublished_decision_is_not_found_and_its_404_names_nothing(client, planted):
    hidden = planted["hidden"]
    for url in (f"/decisions/{hidden.pk}/", f"/api/v1/decisions/{hidden.pk}/"):
        response = client.get(url)
        assert response.status_code == 404
        assert UNPUBLISHED not in _text(response)


def test_the_withheld_partys_code_and_representative_are_withheld_too(client, planted):
    secret_party = planted["published"][1]
    data = client.get(f"/api/v1/decisions/{secret_party.pk}/").json()
    assert data["party"] == {
        "kind": "organisation",
        "kind_label": data["party"]["kind_label"],
        "name": "某公司",
        "credit_code": "",
        "legal_representative": "",
    }
    page = client.get(f"/decisions/{secret_party.pk}/").content.decode()
    assert secret_party.party_credit_code not in page
    assert "孙某" not in page
