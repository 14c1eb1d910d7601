"""The demo of complaints (issue 12 §14; `seed_complaints`, called by `seed_demo`): a dozen
complaints across the demo departments at every stage, walked through the services at dates in
the past; every office and clerk of the demo finds work; the people are invented; a second run
(a second `make run`) creates nothing."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints import selectors, services
from complaints.choices import (
    Channel,
    ComplaintState,
    Outcome,
    Rating,
    RefusalGround,
    StepKind,
    Transition,
)
from complaints.demo import COMPLAINTS
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintItem,
    ComplaintStep,
    Evidence,
    Representative,
)
from core import calendar as work_calendar
from core.checkers import resident_id_problem
from core.models import AuditEvent, Notification, User
from tests.test_seed_demo import REAL_PERSONS, REAL_PHONES

MODELS = (
    Complaint,
    ComplaintStep,
    ComplaintEvent,
    ComplaintItem,
    Evidence,
    Representative,
    Notification,
    AuditEvent,
)
S = ComplaintState


@pytest.fixture
def output(db, demo_output) -> str:
    return demo_output


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _by_key() -> dict[str, Complaint]:
    found = {c.facts: c for c in Complaint.objects.select_related("department", "responsible")}
    return {demo.key: found[demo.facts] for demo in COMPLAINTS}


def test_a_second_run_creates_nothing(output):
    assert Complaint.objects.count() == len(COMPLAINTS) >= 12
    before = _counts()
    states = list(Complaint.objects.values_list("code", "state", "review_round").order_by("code"))
    out = io.StringIO()
    call_command("seed_demo", verbosity=1, stdout=out)
    assert _counts() == before
    assert (
        list(Complaint.objects.values_list("code", "state", "review_round").order_by("code"))
        == states
    )
    assert "Demo complaints ready (0 new)." in out.getvalue()


def test_the_first_run_prints_each_code_with_its_secret_once(output):
    pairs = re.findall(r"track (TS-[0-9A-Z-]+) with secret ([0-9A-Z-]+)", output)
    assert len(pairs) == len(COMPLAINTS)
    for code, secret in pairs:
        tracked = selectors.complaint_track(code=code, secret=secret)
        assert tracked is not None and tracked.complaint.code == code


def test_each_demo_complaint_is_left_at_its_stage(output):
    complaints = _by_key()
    for demo in COMPLAINTS:
        assert complaints[demo.key].state == demo.state, demo.key
    states = {c.state for c in complaints.values()}
    assert states == {
        S.RECEIVED,
        S.HANDLING,
        S.ANSWERED,
        S.CLOSED,
        S.REVIEWING,
        S.REFUSED,
        S.MERGED,
    }
    assert {c.outcome for c in complaints.values()} >= {
        Outcome.SUBSTANTIATED,
        Outcome.PARTLY,
        Outcome.NOT_SUBSTANTIATED,
    }
    assert {c.refusal_ground for c in complaints.values()} >= {
        RefusalGround.REPEAT,
        RefusalGround.IN_LEGAL_PROCEDURE,
    }
    assert all(c.refusal_reason for c in complaints.values() if c.state == S.REFUSED)
    assert {c.channel for c in complaints.values()} >= {
        Channel.ONLINE,
        Channel.PHONE,
        Channel.LETTER,
        Channel.EMAIL,
        Channel.IN_PERSON,
    }
    # Every transition of the procedure a complainant or an office sees happened somewhere.
    done = set(ComplaintEvent.objects.values_list("transition", flat=True))
    assert done >= {
        Transition.FILE,
        Transition.ACCEPT,
        Transition.REFUSE,
        Transition.TRANSFER,
        Transition.MERGE,
        Transition.ANSWER,
        Transition.DECLINE,
        Transition.REASSIGN,
        Transition.EXTEND,
        Transition.CLOSE,
        Transition.RATE,
        Transition.REVIEW_REQUEST,
        Transition.REVIEW,
    }


def test_the_repeats_transfer_reassignment_extension_and_reviews(output):
    complaints = _by_key()
    office = User.objects.get(username="office")
    # The repeats are those the detection offers.
    again = complaints["inspection-card-again"]
    assert again.repeat_of == complaints["inspection-card"]
    assert complaints["inspection-card"] in [r.complaint for r in services.repeats_of(again)]
    merged = complaints["tree-certificates-again"]
    assert merged.repeat_of == complaints["tree-certificates"]
    assert complaints["tree-certificates"] in [r.complaint for r in services.repeats_of(merged)]
    assert [r.complaint for r in selectors.repeats(user=office, complaint=merged)] == [
        complaints["tree-certificates"]
    ]
    # Transferred to 上街区 before acceptance: its office decides now.
    grain = complaints["grain-district"]
    assert (grain.jurisdiction.code, grain.department.name) == ("410106", "上街区粮食局")
    shangjie_office = User.objects.get(username="shangjie-office")
    assert grain in [s.complaint for s in selectors.waiting_steps(user=shangjie_office)]
    # "Not ours" from 市民政局, passed to 上街区民政局, whose clerk answers.
    relief = complaints["relief-district"]
    assert relief.responsible.name == "上街区民政局"
    shangjie_clerk = User.objects.get(username="shangjie-clerk")
    assert relief in [s.complaint for s in selectors.waiting_steps(user=shangjie_clerk)]
    # The extension: 60 + 30 日 from acceptance, the reason told.
    extended = complaints["supplier-proofs"]
    assert extended.extension_days == 30
    handle = ComplaintStep.objects.get(complaint=extended, kind=StepKind.HANDLE)
    assert (handle.deadline_days, handle.finished_at) == (90, None)
    assert handle.due_at == work_calendar.add(extended.accepted_at, 90, "calendar").due
    # Reviews: one asked and waiting on the city office, one answered and changed.
    assert ComplaintStep.objects.get(
        complaint=complaints["green-space-late"], kind=StepKind.REVIEW, finished_at=None
    ).department.name == ("市改革办")
    reviewed = complaints["subsistence-proof"]
    assert (reviewed.review_round, reviewed.outcome) == (1, Outcome.PARTLY)
    assert complaints["review-fee"].rating == Rating.SATISFIED
    # The substantiated finding names its item.
    (finding,) = selectors.findings(user=office).filter(outcome=Outcome.SUBSTANTIATED)
    assert [item.entry.basic_code for item in finding.found_items] == ["0100004000"]
    assert finding.evidence.count() == 1


def test_every_office_and_clerk_of_the_demo_finds_work(output):
    for username in ("office", "clerk", "yuanlin-clerk", "shangjie-office", "shangjie-clerk"):
        user = User.objects.get(username=username)
        assert selectors.waiting_steps(user=user).exists(), username


def test_the_history_is_dated_in_the_past_and_every_open_step_is_live(output):
    today = timezone.localdate(timezone=work_calendar.SHANGHAI)
    complaints = _by_key()
    for demo in COMPLAINTS:
        complaint = complaints[demo.key]
        received = work_calendar.local_date(complaint.received_at)
        assert received == today - datetime.timedelta(days=demo.received_days_ago), demo.key
        moments = list(
            ComplaintEvent.objects.filter(complaint=complaint)
            .order_by("pk")
            .values_list("at", flat=True)
        )
        assert moments == sorted(moments), demo.key
    for step in ComplaintStep.objects.filter(finished_at=None):
        assert step.due_at > timezone.now(), step
        assert step.started_at < timezone.now(), step


def test_the_people_are_invented(output):
    complaints = Complaint.objects.all()
    names = {c.name for c in complaints} | set(
        Representative.objects.values_list("name", flat=True)
    )
    assert not names & set(REAL_PERSONS)
    phones = [c.phone for c in complaints if c.phone]
    phones += [p for p in Representative.objects.values_list("phone", flat=True) if p]
    assert phones and all(re.sub(r"\D", "", p).startswith("03710") for p in phones)
    assert not any(real in phone for phone in phones for real in REAL_PHONES)
    assert all(c.email.endswith("@example.invalid") for c in complaints if c.email)
    numbers = [c.id_number for c in complaints if c.id_number]
    numbers += list(Representative.objects.values_list("id_number", flat=True))
    assert numbers and all(n.startswith("410199") for n in numbers)
    assert all(resident_id_problem(n) is None for n in numbers)
