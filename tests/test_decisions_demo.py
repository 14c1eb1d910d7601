"""The demo of decisions (issue 14 §10; `seed_decisions`, called by `seed_demo`): the demo
departments' enforcement bodies (one entrusted, with its papers) and certified officers, a
hundred decisions of both kinds under in-force items, most published within 10 日 of service,
some late, the latest awaiting publication and one overdue, one by an officer whose certificate
had expired, one redacted, one major penalty reviewed and discussed, natural persons masked, one
case handled here with its records; all dated in the past through the services; a second run
creates nothing; the public finds the decisions on /decisions/."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.checkers import credit_code_problem
from core.choices import NotificationKind
from core.models import AuditEvent, EnforcementCertificate, Notification, Person
from decisions import services
from decisions.choices import (
    LICENCE_CATEGORY,
    PENALTY_CATEGORY,
    BodyKind,
    BodyState,
    DecisionState,
    PartyKind,
    RedactionReason,
    Source,
    StepKind,
)
from decisions.demo import COMPOUND_SURNAMED, EXPIRED_OFFICER, PEOPLE, SECRET
from decisions.models import (
    CaseRecord,
    Decision,
    DecisionOfficer,
    EnforcementBody,
    Event,
    Redaction,
    Step,
)
from tests.test_seed_demo import REAL_PERSONS

MODELS = (
    Decision,
    DecisionOfficer,
    EnforcementBody,
    Redaction,
    CaseRecord,
    Step,
    Event,
    Person,
    EnforcementCertificate,
    Notification,
    AuditEvent,
)


@pytest.fixture
def output(db, demo_output) -> str:
    return demo_output


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_a_second_run_creates_nothing(output):
    assert "Demo decisions ready (4 new bodies, 6 new officers, 100 new decisions)." in output
    before = _counts()
    out = io.StringIO()
    call_command("seed_decisions", verbosity=1, stdout=out)
    assert _counts() == before
    assert "Demo decisions ready (0 new bodies, 0 new officers, 0 new decisions)." in out.getvalue()


def test_a_hundred_decisions_of_both_kinds_under_in_force_items(output):
    decisions = Decision.objects.select_related("category", "item", "body")
    assert decisions.count() == 100
    kinds = {code: decisions.filter(category__code=code).count() for code in ("01", "02")}
    assert kinds == {LICENCE_CATEGORY: 40, PENALTY_CATEGORY: 60}
    assert len({d.department_id for d in decisions}) == 3
    for decision in decisions:
        assert decision.item_version and decision.item.department_id == decision.department_id
        assert not (decision.item_not_in_force or decision.body_mismatch)
        assert not decision.body_unpublished
        assert decision.decided_on <= decision.served_on < timezone.localdate()
    # Over the past months.
    first = decisions.order_by("decided_on").first().decided_on
    assert (timezone.localdate() - first).days >= 150


def test_the_bodies_are_confirmed_one_entrusted_with_its_papers(output):
    bodies = EnforcementBody.objects.all()
    assert bodies.count() == 4 and {b.state for b in bodies} == {BodyState.CONFIRMED}
    (entrusted,) = bodies.filter(kind=BodyKind.ENTRUSTED)
    assert entrusted.entrustment_number and entrusted.entrusted_from < entrusted.entrusted_until
    assert credit_code_problem(entrusted.credit_code) is None
    with entrusted.entrustment_file.open("rb") as papers:
        assert papers.read(5) == b"%PDF-"
    assert Decision.objects.filter(body=entrusted).exists()


def test_one_decision_by_an_officer_whose_certificate_had_expired(output):
    (flagged,) = Decision.objects.filter(officer_uncertified=True)
    (uncertified,) = flagged.officers.filter(certificate=None).select_related("person")
    assert uncertified.person.name == EXPIRED_OFFICER
    ended = EnforcementCertificate.objects.get(person=uncertified.person).valid_until
    assert ended < flagged.decided_on
    assert flagged.officers.exclude(certificate=None).count() == 1


def test_one_decision_redacted_the_staff_keep_the_full_text(output):
    (redacted,) = Decision.objects.filter(redacted=True)
    (redaction,) = redacted.redactions.all()
    assert (redaction.field, redaction.reason) == ("content", RedactionReason.TRADE_SECRET)
    assert SECRET in redacted.content and SECRET not in redacted.public_content
    assert redacted.public_content == redaction.public_text


def test_most_published_on_time_some_late_some_awaiting_one_overdue(output):
    now = timezone.now()
    published = Decision.objects.filter(published_at__isnull=False)
    assert published.count() >= 85
    late = list(published.filter(published_late=True))
    assert len(late) >= 3
    for decision in published:
        step = decision.steps.get(kind=StepKind.PUBLISH)
        assert step.finished_at == decision.published_at < now
        assert decision.published_late == (decision.published_at > step.due_at)
        if decision.published_late:
            # The sweep reminded the clerks and told the office when it ran.
            assert step.overdue_at and step.overdue_at < decision.published_at
    open_steps = Step.objects.filter(kind=StepKind.PUBLISH, finished_at=None)
    awaiting = [step for step in open_steps if step.due_at > now]
    overdue = [step for step in open_steps if step.due_at < now]
    assert len(awaiting) >= 2 and all(not step.overdue_at for step in awaiting)
    (step,) = overdue
    assert step.reminded_at and step.overdue_at
    told = Notification.objects.filter(
        kind=NotificationKind.DEADLINE_OVERDUE, dedupe_key__startswith=f"decision-step:{step.pk}:"
    )
    assert {"office", "supervisor"} <= set(told.values_list("recipient__username", flat=True))


def test_one_major_penalty_with_its_review_and_discussion(output):
    (major,) = Decision.objects.filter(major=True)
    assert major.fine_amount >= services.policy_for(major.jurisdiction).major_penalty_amount
    assert major.legal_review_on <= major.decided_on and major.legal_reviewer
    assert major.collective_on <= major.decided_on and major.collective_note


def test_natural_persons_are_masked_when_published(output):
    people = Decision.objects.filter(party_kind=PartyKind.PERSON, published_at__isnull=False)
    assert people.count() >= 3
    for decision in people:
        assert decision.party_name in PEOPLE
        assert decision.public_party_name == services.masked_person_name(decision.party_name)
        assert decision.public_party_name != decision.party_name
        assert not decision.party_credit_code and not decision.party_id_number
    assert people.filter(party_name=COMPOUND_SURNAMED, public_party_name="欧阳某某").exists()


def test_one_case_handled_here_with_its_records(output):
    (case,) = Decision.objects.filter(source=Source.CASE)
    assert case.state == DecisionState.EXECUTED and case.published_at
    records = list(case.records.all())
    assert len(records) >= 5
    assert {record.stage for record in records} >= {
        DecisionState.FILED,
        DecisionState.INVESTIGATING,
        DecisionState.DECIDED,
        DecisionState.EXECUTED,
    }
    for record in records:
        assert record.file and len(record.sha256) == 64
        assert record.made_at < record.uploaded_at <= record.made_at + datetime.timedelta(hours=24)
    uploads = Step.objects.filter(decision=case, kind=StepKind.UPLOAD)
    assert uploads.count() == len(records) and not uploads.filter(finished_at=None).exists()


def test_the_parties_and_people_are_invented(output):
    for decision in Decision.objects.all():
        if decision.party_kind == PartyKind.PERSON:
            continue
        assert "示例" in decision.party_name
        assert credit_code_problem(decision.party_credit_code) is None
    names = set(Decision.objects.values_list("party_name", flat=True))
    names |= set(Decision.objects.values_list("legal_representative", flat=True))
    names |= set(Person.objects.values_list("name", flat=True))
    assert not names & set(REAL_PERSONS)
    phones = [p for p in Person.objects.values_list("phone", flat=True) if p]
    assert all(phone.startswith("0371-0") for phone in phones)
    # A company's legal representative is published: never one of the masked persons.
    representatives = set(Decision.objects.values_list("legal_representative", flat=True))
    assert not representatives & set(PEOPLE)


def test_the_history_is_dated_in_the_past_in_order(output):
    now = timezone.now()
    assert max(Event.objects.values_list("at", flat=True)) < now
    for decision in Decision.objects.all():
        timeline = list(decision.events.order_by("pk").values_list("at", flat=True))
        assert timeline == sorted(timeline), decision


def test_a_certificate_near_its_end_reminds_its_department(output):
    assert services.certificates_expiring_remind() >= 1
    told = Notification.objects.filter(dedupe_key__startswith="certificate-expiry:")
    assert "yuanlin-clerk" in set(told.values_list("recipient__username", flat=True))
    assert services.certificates_expiring_remind() == 0


def test_the_public_finds_the_demo_decisions(output, client):
    newest = Decision.objects.filter(published_at__isnull=False).order_by("-decided_on").first()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("decisions:public-index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert newest.number in page and newest.public_title in page
    assert SECRET not in page
    # A fixed number of queries for a page of a hundred decisions, whichever page.
    assert len(queries) <= 10
    with CaptureQueriesContext(connection) as later:
        assert client.get(reverse("decisions:public-index"), {"page": 3}).status_code == 200
    assert len(later) == len(queries)
    person = Decision.objects.filter(
        party_kind=PartyKind.PERSON, published_at__isnull=False
    ).first()
    found = client.get(reverse("decisions:public-index"), {"q": person.public_party_name})
    assert found.status_code == 200
    assert person.number in found.content.decode()
    assert person.party_name not in found.content.decode()
