"""`manage.py generate_scale` (issue 11 §1): the city preset on PostgreSQL, checked against what
the services would have written: one open version per entry, validities that chain, counts in
force equal to counting, search and the past readable as on any register."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max, Min

from adjustments.models import AdjustmentRequest, Step
from core.models import Department, Jurisdiction, User
from registry import selectors
from registry.models import Entry, InForceTotal
from tests.conftest import need
from tests.test_register_as_of import as_of_by_anti_join, rows

HistoricalEntry = Entry.history.model


@pytest.fixture
def city(transactional_db):
    need(connection.vendor == "postgresql", "the generator loads with PostgreSQL's COPY")
    call_command("generate_scale", preset="city", seed=7, verbosity=0)


def test_the_city_preset_has_its_sizes(city):
    assert Entry.objects.count() == 10_000
    assert Jurisdiction.objects.count() == 1 + 6 + 6 * 5
    assert Department.objects.count() == 40 + 6 * 5 + 30
    assert User.objects.filter(department__isnull=False).count() == Department.objects.count()
    assert AdjustmentRequest.objects.count() == 500
    assert Step.objects.filter(finished_at=None).count() == 1_000
    versions = HistoricalEntry.objects.count() / Entry.objects.count()
    assert 2.5 < versions < 3.5
    assert set(Entry.objects.values_list("list_kind", flat=True).distinct()) == {
        "power",
        "approval",
        "negative",
        "fee",
        "fund",
    }


def test_every_entry_has_one_open_version_and_validities_that_chain(city):
    per_entry = (
        HistoricalEntry.objects.filter(valid_until=None).values("id").annotate(n=Count("id"))
    )
    assert {row["n"] for row in per_entry} == {1}
    assert per_entry.count() == Entry.objects.count()
    latest = HistoricalEntry.objects.values("id").annotate(
        first=Min("history_date"), last=Max("history_date")
    )
    entry = Entry.objects.get(pk=latest[0]["id"])
    assert entry.published_at == latest[0]["last"]
    assert entry.version == HistoricalEntry.objects.filter(id=entry.pk).count()
    for day in (datetime.date(2016, 6, 30), datetime.date(2020, 6, 30), datetime.date(2025, 1, 1)):
        found = selectors.published_entries(user=AnonymousUser(), as_of=day)
        assert rows(selectors.order_by_path(found)) == rows(as_of_by_anti_join(day))


def test_counts_in_force_and_search_work_on_the_generated_register(city, client):
    in_force = Entry.objects.filter(status="in_force").count()
    assert sum(InForceTotal.objects.values_list("count", flat=True)) == in_force
    body = client.get("/api/v1/items/", {"q": "许可"}).json()
    assert body["count"] > 500
    assert all("许可" in row["name"] for row in body["results"][:10])
    assert client.get("/lists/", {"q": "残疾人证"}).status_code == 200


def test_a_second_generation_into_the_same_database_is_refused(city):
    with pytest.raises(CommandError, match="already holds an organisation"):
        call_command("generate_scale", preset="city", verbosity=0)
