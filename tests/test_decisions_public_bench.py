"""The decisions' part of `make bench` (issue 14: the public decision search at 1,000,000
decisions): decisions.scale's generator, run at a tiny size on PostgreSQL, writes what the
services would have written — the item's version on the decision date, the public columns with
a person's name masked, valid credit codes, the search vector, the late flag, a history row —
and the public search finds what it wrote; the bench tops a register up to a number of
decisions and captures the decision pages' SQL. No timing is asserted."""

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from bench import decisions as bench_decisions
from bench import pages
from bench.figures import DECISIONS, decision_pages
from core import calendar as core_calendar
from core.checkers import credit_code_problem
from core.choices import DeadlineUnit
from core.scale import PRESETS, Run
from core.search import vector_literal
from decisions import scale
from decisions.choices import PartyKind
from decisions.models import Decision, EnforcementBody
from decisions.services.decisions import _item_version, masked_person_name
from tests import registry_builders
from tests.conftest import need
from tests.decision_builders import build_decision_org

HistoricalDecision = Decision.history.model


@pytest.fixture
def register(calendar):
    """The salt bureau's items of build_decision_org and a district bureau's penalty item (no
    enforcement body yet), published three years ago."""
    need(connection.vendor == "postgresql", "the generator loads with PostgreSQL's COPY")
    with time_machine.travel(timezone.now() - datetime.timedelta(days=1100), tick=False):
        built = build_decision_org()
        district = built.org.district_departments["salt"]
        registry_builders.publish(
            district,
            name="对违反食盐管理规定的处罚",
            basic_code="0200002000",
            category=registry_builders.category(name="行政处罚").pk,
        )
    return built, district


def _run() -> Run:
    return Run(preset=PRESETS["city"], seed=7, now=timezone.now(), say=lambda line: None)


def test_the_generator_writes_what_the_services_would(register):
    built, district = register
    assert scale.decisions_add(_run(), 60) == 60
    decisions = list(Decision.objects.select_related("item", "body", "department"))
    assert len(decisions) == 60
    assert {d.department_id for d in decisions} == {built.department.pk, district.pk}
    # The district bureau had no body: one was made for it, confirmed.
    made = EnforcementBody.objects.get(department=district)
    assert made.state == "confirmed" and made.history.count() == 1
    assert {d.body_id for d in decisions if d.department_id == district.pk} == {made.pk}
    for decision in decisions:
        assert decision.published_at is not None and decision.published_at <= timezone.now()
        assert decision.filed_on < decision.decided_on <= decision.served_on
        version = _item_version(decision.item, decision.decided_on)
        assert (decision.item_version, decision.item_history_id) == (
            version.version,
            version.history_id,
        )
        assert not decision.item_not_in_force
        if decision.party_kind == PartyKind.PERSON:
            assert decision.public_party_name == masked_person_name(decision.party_name)
            assert decision.party_name not in decision.public_title
            assert not decision.party_credit_code
        else:
            assert credit_code_problem(decision.party_credit_code) is None
            assert decision.public_party_name == decision.party_name
        expected = vector_literal(
            f"{decision.public_title} {decision.public_party_name} {decision.number}",
            f"{decision.body.name} {decision.item.name} {decision.department.name}",
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::tsvector::text", [expected])
            assert decision.search_vector == cursor.fetchone()[0]
        due = core_calendar.add(decision.served_on, 10, DeadlineUnit.CALENDAR_DAYS).due
        assert decision.published_late == (decision.published_at > due)
    assert HistoricalDecision.objects.count() == 60
    numbers = [(d.department_id, d.number) for d in decisions]
    assert len(set(numbers)) == len(numbers)


def test_the_public_search_finds_generated_decisions(register, client):
    scale.decisions_add(_run(), 40)
    decision = Decision.objects.exclude(party_kind=PartyKind.PERSON).order_by("pk").first()
    response = client.get("/decisions/", {"q": decision.public_party_name})
    assert response.status_code == 200
    assert decision.pk in [row.pk for row, _penalties in response.context["rows"]]
    assert client.get(f"/decisions/{decision.pk}/").status_code == 200


def test_the_bench_tops_a_register_up_and_captures_the_decision_pages(register, tmp_path):
    scale.decisions_add(_run(), 10)
    figures = bench_decisions.top_up(25)
    assert figures["measured"]["rows"] == 15
    assert figures["note"] == "10 before, 25 after"
    assert Decision.objects.count() == 25
    # Without history rows: the scratch copy is read by the search only.
    assert HistoricalDecision.objects.count() == 10
    assert bench_decisions.top_up(20)["measured"]["rows"] == 0
    output = tmp_path / "pages.json"
    pages.main([str(output), "decisions"])
    captured = json.loads(output.read_text())["pages"]
    assert set(captured) == {page.key for page in decision_pages()}
    for key, page in captured.items():
        assert page["status"] == 200, key
        assert page["statements"], key


def test_the_decision_figures_say_how_many_decisions_they_are_timed_at():
    assert DECISIONS == 1_000_000
    labels = [page.label for page in decision_pages()]
    assert all(label.startswith("1,000,000 decisions:") for label in labels)
    assert decision_pages(50_000)[0].label == ("50,000 decisions: search, 2 characters")
