"""registry.services and selectors: published versions, atomic publication, drafts, the law
register and the Chinese keyword search (SPEC §3, issue 3 §2, §3, §5)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.services import DomainError
from registry import selectors, services
from registry.choices import ChangeSource, DraftState, EntryStatus, LawStatus, ListKind
from registry.models import Citation, Entry
from tests import registry_builders as rb

SHANGHAI_NOON = datetime.timezone(datetime.timedelta(hours=8))
ANONYMOUS = AnonymousUser()


def at(year, month, day):
    return datetime.datetime(year, month, day, 12, tzinfo=SHANGHAI_NOON)


@pytest.fixture
def salt(org):
    return org.departments["salt"]


def test_first_publication_is_version_one_with_its_cause(salt):
    entry = rb.publish(salt)
    (row,) = entry.history.all()
    assert entry.version == 1
    assert entry.code == f"0700001000-QL-410100-D{salt.pk:05d}"
    assert (row.version, row.change_source, row.change_reference) == (1, "import", "test")
    assert row.history_change_reason == "测试导入"
    assert list(Citation.objects.filter(entry=entry).values_list("law__name", flat=True)) == [
        "中华人民共和国残疾人保障法"
    ]


def test_department_code_makes_the_implementation_code(org):
    from core import services as core_services

    department = core_services.department_create(
        actor=None, jurisdiction=org.district, name="上街区残联", code="DL031"
    )
    entry = rb.publish(department)
    assert entry.code == "0700001000-QL-410106-DL031"


def test_each_publication_adds_a_version_and_keeps_the_code(salt):
    entry = rb.publish(salt)
    updated = rb.republish(entry, promised_limit_days=5, reason="压缩时限")
    assert updated.version == 2
    assert updated.code == entry.code
    versions = list(selectors.entry_versions(user=ANONYMOUS, entry_id=entry.pk))
    assert [(v.version, v.promised_limit_days, v.change_source) for v in versions] == [
        (2, 5, "correction"),
        (1, 10, "import"),
    ]


def test_publication_is_atomic(salt):
    first = rb.publish(salt)
    good = services.EntryChange(
        payload={**services.entry_payload(first), "name": "新名称"}, entry=first
    )
    bad = services.EntryChange(
        payload=rb.entry_payload(basic_code="0200002000"),  # category 07, code says 02
        list_kind=ListKind.POWER,
        jurisdiction=salt.jurisdiction,
        department=salt,
    )
    with pytest.raises(services.PublishErrors) as raised:
        services.entries_publish(
            actor=None, changes=[good, bad], source=ChangeSource.IMPORT, reason="x"
        )
    assert set(raised.value.errors) == {1}
    assert "basic_code" in raised.value.errors[1]
    first.refresh_from_db()
    assert (first.name, first.version, first.history.count()) == ("残疾人证核发", 1, 1)
    assert Entry.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"approving_body": "市发改委"}, "approving_body"),  # a negative-list field
        ({"promised_limit_days": 30}, "promised_limit_days"),  # beyond the statutory 20
        ({"status": EntryStatus.DELEGATED}, "delegated_to_level"),
        ({"basis": [999999]}, "basis"),
        ({"basis": []}, "basis"),  # a power item needs its legal basis
        ({"flow": [{"step": ""}]}, "flow"),
        ({"responsibilities": [{"stage": "nonsense", "duty": "x"}]}, "responsibilities"),
        ({"star_level": 6}, "star_level"),
        ({"name": ""}, "name"),
    ],
)
def test_entry_rules(salt, overrides, field):
    with pytest.raises(services.EntryInvalid) as raised:
        services.entry_build(
            list_kind=ListKind.POWER,
            jurisdiction=salt.jurisdiction,
            department=salt,
            payload=rb.entry_payload(**overrides),
        )
    assert field in raised.value.errors


def test_same_basic_code_twice_in_one_department_is_refused(salt):
    rb.publish(salt)
    with pytest.raises(services.PublishErrors) as raised:
        rb.publish(salt, name="重复")
    assert "basic_code" in raised.value.errors[0]


def test_only_administrators_publish_outside_the_workflow(org, salt):
    entry = rb.publish(salt)
    with pytest.raises(DomainError):
        rb.republish(entry, actor=org.users["clerk"], name="篡改")
    with pytest.raises(DomainError):
        rb.republish(entry, actor=org.district_users["administrator"], name="越权")
    assert rb.republish(entry, actor=org.users["administrator"], name="更正").version == 2


def test_a_version_cannot_be_backdated_before_the_current_one(salt):
    with time_machine.travel(at(2026, 3, 1)):
        entry = rb.publish(salt)
    payload = services.entry_payload(entry)
    with pytest.raises(DomainError):
        services.entries_publish(
            actor=None,
            changes=[services.EntryChange(payload=payload, entry=entry)],
            source=ChangeSource.CORRECTION,
            at=at(2026, 1, 1),
        )


def test_as_of_reads_the_list_as_it_stood(salt):
    with time_machine.travel(at(2025, 6, 1)):
        entry = rb.publish(salt)
    with time_machine.travel(at(2026, 2, 1)):
        rb.republish(entry, name="残疾人证核发（第二版）")
    with time_machine.travel(at(2026, 2, 10)):
        rb.publish(salt, name="残疾人证换领", basic_code="0700002000")

    def names(day):
        rows = selectors.published_entries(user=ANONYMOUS, as_of=day)
        return sorted(row.name for row in rows)

    assert names(datetime.date(2025, 5, 31)) == []
    assert names(datetime.date(2025, 6, 1)) == ["残疾人证核发"]
    assert names(datetime.date(2026, 1, 31)) == ["残疾人证核发"]
    assert names(datetime.date(2026, 2, 1)) == ["残疾人证核发（第二版）"]
    assert names(datetime.date(2026, 2, 10)) == ["残疾人证换领", "残疾人证核发（第二版）"]
    old = selectors.entry_by_code(user=ANONYMOUS, code=entry.code, as_of=datetime.date(2026, 1, 1))
    assert (old.name, old.version) == ("残疾人证核发", 1)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("残疾", True),  # two characters: the bigram index on PostgreSQL
        ("人证", True),
        ("残疾人证核发", True),  # longer: the trigram index
        ("证核", True),
        ("0700001000", True),  # the basic code
        ("盐业", True),  # the department's name
        ("残疾人保障法", True),  # the law of its basis
        ("残疾 核发", True),  # every term must match
        ("残疾 烟草", False),
        ("烟草", False),
        ("0700%", False),  # LIKE wildcards are literal
        ("残疾%", True),  # punctuation between Chinese characters separates words
        ("残疾，核发", True),
        ("   ", True),  # nothing to search for: everything
        ("残疾\x00", True),  # control characters are spaces (PostgreSQL refuses NUL)
    ],
)
def test_keyword_search(salt, query, found):
    rb.publish(salt)
    rows = selectors.search(selectors.published_entries(user=ANONYMOUS), query)
    assert rows.exists() is found


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.text(alphabet="残疾人证核发烟草专卖零售许可粮食收购资格ab1 ", min_size=2, max_size=20),
    data=st.data(),
)
def test_any_piece_of_a_name_finds_it(salt, name, data):
    """Any substring of two or more characters of the name finds the entry; any text at all
    is a valid query."""
    if not name.strip() or len(name.strip()) < 2:
        return
    entry = Entry.objects.filter(department=salt).first()
    if entry is None:
        entry = rb.publish(salt, name=name.strip())
    else:
        entry = rb.republish(entry, name=name.strip())
    start = data.draw(st.integers(0, len(entry.name) - 2))
    end = data.draw(st.integers(start + 2, len(entry.name)))
    piece = entry.name[start:end]
    rows = selectors.search(selectors.published_entries(user=ANONYMOUS), piece)
    if piece.strip():
        assert entry in rows
    noise = data.draw(st.text(max_size=30))
    list(selectors.search(selectors.published_entries(user=ANONYMOUS), noise))


def test_drafts_do_not_touch_the_published_entry(org, salt):
    entry = rb.publish(salt)
    clerk = org.users["clerk"]
    draft = services.draft_create(actor=clerk, entry=entry)
    services.draft_save(actor=clerk, draft=draft, payload={**draft.payload, "name": "草稿名称"})
    entry.refresh_from_db()
    assert (entry.name, entry.version, entry.history.count()) == ("残疾人证核发", 1, 1)
    assert draft.base_version == 1
    with pytest.raises(DomainError):
        services.draft_create(actor=clerk, entry=entry)  # one open draft per entry
    services.draft_discard(actor=clerk, draft=draft)
    draft.refresh_from_db()
    assert draft.state == DraftState.DISCARDED
    with pytest.raises(DomainError):
        services.draft_save(actor=clerk, draft=draft, payload=draft.payload)
    assert services.draft_create(actor=clerk, entry=entry).state == DraftState.OPEN


def test_drafts_belong_to_the_clerks_own_department(org):
    other = rb.publish(org.departments["legal"])
    with pytest.raises(DomainError):
        services.draft_create(actor=org.users["clerk"], entry=other)
    with pytest.raises(DomainError):
        services.draft_create(actor=org.users["office"], list_kind=ListKind.POWER)
    with pytest.raises(DomainError):
        services.draft_create(actor=org.district_users["clerk"], entry=other)


def test_an_invalid_draft_is_refused_with_field_messages(org):
    with pytest.raises(services.EntryInvalid) as raised:
        services.draft_create(
            actor=org.users["clerk"],
            list_kind=ListKind.FEE,
            payload={"name": "证照工本费", "category": rb.category().pk},
        )
    assert {"category", "basic_code", "standard", "payers"} <= set(raised.value.errors)


def test_law_status_needs_a_date_and_is_versioned(org):
    law = rb.law()
    with pytest.raises(Exception):  # noqa: B017 - ValidationError from full_clean
        services.law_status_set(
            actor=org.users["administrator"], law=law, status=LawStatus.REPEALED, on=None
        )
    services.law_status_set(
        actor=org.users["administrator"],
        law=law,
        status=LawStatus.AMENDED,
        on=datetime.date(2018, 10, 26),
        reason="修正",
    )
    law.refresh_from_db()
    assert (law.status, law.status_date) == (LawStatus.AMENDED, datetime.date(2018, 10, 26))
    assert law.history.count() == 2
    with pytest.raises(DomainError):
        services.law_status_set(
            actor=org.users["clerk"],
            law=law,
            status=LawStatus.REPEALED,
            on=datetime.date(2020, 1, 1),
        )


def test_entries_citing_a_law(salt, org):
    cited = rb.publish(salt)
    rb.publish(
        org.departments["legal"], basis=[rb.law("中华人民共和国行政许可法").provisions.first().pk]
    )
    assert list(selectors.entries_citing(user=ANONYMOUS, law=rb.law())) == [cited]


def test_categories_seed_is_idempotent(db):
    assert services.categories_seed(actor=None) == 0  # migration 0003 made them
    assert selectors.categories(user=ANONYMOUS, list_kind=ListKind.POWER).count() == 11


def test_a_nul_character_in_a_query_is_refused_politely(client, salt):
    rb.publish(salt)
    # The query guard (core.middleware) refuses it on the page too, saying why (issue 9 §12).
    page = client.get("/lists/", {"q": "残疾\x00"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 400
    assert "U+0000" in page.content.decode()
    response = client.get("/api/v1/items/", {"q": "残疾\x00"})
    assert response.status_code == 400
    assert "q" in response.json()["error"]["fields"]


def test_two_versions_at_the_same_moment_read_as_one_entry(salt):
    """A register loaded with its dates may publish twice at one moment: the later row is the
    version in force, and the entry is listed once."""
    moment = at(2020, 5, 1)
    (entry,) = services.entries_publish(
        actor=None,
        changes=[
            services.EntryChange(
                payload=rb.entry_payload(),
                list_kind=ListKind.POWER,
                jurisdiction=salt.jurisdiction,
                department=salt,
            )
        ],
        source=ChangeSource.INITIAL,
        at=moment,
    )
    payload = {**services.entry_payload(entry), "name": "同一时刻的第二版"}
    services.entries_publish(
        actor=None,
        changes=[services.EntryChange(payload=payload, entry=entry)],
        source=ChangeSource.CORRECTION,
        at=moment,
    )
    assert entry.history.filter(history_date=moment).count() == 2
    rows = list(selectors.published_entries(user=ANONYMOUS, as_of=datetime.date(2020, 5, 1)))
    assert [(row.name, row.version) for row in rows] == [("同一时刻的第二版", 2)]
