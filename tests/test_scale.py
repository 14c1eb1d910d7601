"""`manage.py generate_scale` (issue 11 §1): the city preset on PostgreSQL, checked against what
the services would have written: one open version per entry, validities that chain, counts in
force equal to counting, search and the past readable as on any register."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max, Min

from adjustments.models import AdjustmentRequest, Step
from complaints import scale, services
from complaints import selectors as complaint_selectors
from complaints.choices import Channel, Ground, Outcome, Rating
from complaints.models import Complaint, ComplaintEvent, ComplaintItem, ComplaintStep, RepeatKey
from complaints.services import SLOTS
from core import calendar
from core.choices import DeadlineUnit
from core.models import Department, Jurisdiction, User
from core.scale import PRESETS
from registry import selectors
from registry.models import Entry, InForceTotal
from tests.conftest import need
from tests.test_register_as_of import as_of_by_anti_join, rows

HistoricalEntry = Entry.history.model


SEED = 7


@pytest.fixture(scope="module")
def city_register(django_db_setup, django_db_blocker):
    """The city preset, generated once for the module (its tests only read it); emptied
    afterwards, as a transactional test leaves the database."""
    with django_db_blocker.unblock():
        need(connection.vendor == "postgresql", "the generator loads with PostgreSQL's COPY")
        call_command("generate_scale", preset="city", seed=SEED, verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def city(city_register, db):
    """Each test in a transaction of its own over the module's register."""


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


# --- complaints (issue 12: the figures of make bench at 200,000 on the province) ---------------

CODE = re.compile(r"TS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def test_the_city_preset_has_its_complaints_on_every_channel_ground_and_step(city):
    assert Complaint.objects.count() == PRESETS["city"].complaints == 20_000
    codes = list(Complaint.objects.values_list("code", flat=True))
    assert len(set(codes)) == len(codes)
    assert all(CODE.fullmatch(code) for code in codes)
    for field, values in (("channel", Channel.values), ("ground", Ground.values)):
        assert set(Complaint.objects.values_list(field, flat=True).distinct()) == set(values)
    states = set(Complaint.objects.values_list("state", flat=True).distinct())
    assert {"received", "handling", "answered", "closed", "refused", "merged"} <= states
    assert set(Complaint.objects.values_list("outcome", flat=True).distinct()) >= {*Outcome.values}
    assert set(Complaint.objects.values_list("rating", flat=True).distinct()) >= {*Rating.values}
    # Most are closed; a few are open at each step.
    assert Complaint.objects.filter(state="closed").count() > 15_000
    open_kinds = ComplaintStep.objects.filter(finished_at=None).values_list("kind", flat=True)
    assert {"accept", "handle", "check"} <= set(open_kinds.distinct())
    assert ComplaintEvent.objects.filter(transition="file").count() == 20_000
    assert ComplaintItem.objects.exists()
    assert RepeatKey.objects.count() == 20_000 * SLOTS
    # Some departments draw many more complaints than others.
    counts = sorted(
        Complaint.objects.values("department").annotate(n=Count("id")).values_list("n", flat=True)
    )
    assert counts[-1] > 4 * counts[len(counts) // 2]
    # Invented complainants only.
    for name, phone, email in Complaint.objects.values_list("name", "phone", "email")[:2000]:
        assert re.fullmatch(r"|投诉人\d{6}|示例企业\d{6}有限公司|示例协会\d{6}", name)
        assert re.fullmatch(r"|139\d{8}", phone)
        assert email == "" or email.endswith("@example.invalid")


def test_a_generated_complaint_is_tracked_with_its_recomputed_secret(city):
    complaint = Complaint.objects.filter(state="closed").order_by("pk").first()
    tracked = complaint_selectors.complaint_track(
        code=complaint.code, secret=scale.scale_secret(SEED, complaint.code)
    )
    assert tracked is not None
    stages = [stage.transition for stage in tracked.stages]
    assert stages[0] == "file" and "close" in stages
    wrong = scale.scale_secret(SEED + 1, complaint.code)
    assert complaint_selectors.complaint_track(code=complaint.code, secret=wrong) is None
    assert complaint_selectors.statistics().total == 20_000


def test_open_steps_are_due_as_the_calendar_counts_and_a_sweep_finds_nothing(city):
    """Due moments in calendar days with the roll-over (SPEC §9), as the services compute
    them; the sweep's marks are set on what came due before now."""
    steps = ComplaintStep.objects.filter(finished_at=None).order_by("pk")
    assert steps.count() > 300
    for step in steps:
        deadline = calendar.add(
            step.deadline_start(), step.deadline_days, DeadlineUnit.CALENDAR_DAYS
        )
        assert step.deadline_unit == DeadlineUnit.CALENDAR_DAYS
        assert (step.due_at, step.due_confirmed) == (deadline.due, deadline.confirmed)
        assert step.remind_at == calendar.reminder_moment(deadline.due)
    result = services.complaint_deadlines_sweep()
    assert (result.reminders, result.overdue) == (0, 0)


def test_repeat_keys_are_the_texts_signatures_and_most_texts_are_distinct(city):
    for complaint in Complaint.objects.order_by("pk")[:100]:
        keys = RepeatKey.objects.filter(complaint=complaint).order_by("slot")
        text = f"{complaint.facts}\n{complaint.reasons}"
        assert list(keys.values_list("value", flat=True)) == services.signature(text)
    repeats = Complaint.objects.exclude(repeat_of=None).order_by("pk")
    assert repeats.filter(state="merged").exists() and repeats.filter(state="refused").exists()
    for repeat in repeats[:20]:
        assert repeat.repeat_of_id in [found.complaint.pk for found in services.repeats_of(repeat)]
    alone = Complaint.objects.filter(repeat_of=None).order_by("-pk")[:100]
    assert sum(1 for complaint in alone if services.repeats_of(complaint)) <= 5
