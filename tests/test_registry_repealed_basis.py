"""A repealed basis is never silent (issue 9 §9): an item in force resting on a repealed law is
flagged by one selector (wholly: no other basis; partly: another basis holds) on the item page
for staff, the draft form, the adjustment request page of the lead reviewer and the
consistency report, and the law-change obligation covers items loaded after the repeal."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from adjustments import services as adjustment_services
from adjustments.choices import RequestOrigin
from adjustments.models import AdjustmentRequest
from core.choices import Role
from registry import selectors, services
from registry.choices import ChangeSource, LawStatus
from registry.models import Entry
from tests import registry_builders as rb
from tests.adjustment_builders import at, draft_of, walk_to_review

REPEALED_ON = datetime.date(2017, 3, 1)
WHOLLY = "The legal basis is repealed: nothing else holds this item up."
PARTLY = "Part of the legal basis is repealed."


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def salt(org):
    return org.departments["salt"]


@pytest.fixture
def repealed():
    law = rb.law("盐业管理条例", [("第二条", "……"), ("第四条", "……")])
    services.law_status_set(actor=None, law=law, status=LawStatus.REPEALED, on=REPEALED_ON)
    return law


def on(law, *articles) -> list[int]:
    return [law.provisions.get(article=article).pk for article in articles]


def obligations(law):
    return AdjustmentRequest.objects.filter(law=law, origin=RequestOrigin.LAW_CHANGE)


def test_wholly_or_partly_on_a_repealed_law(salt, repealed):
    kept = rb.law()
    wholly = rb.publish(salt, name="盐业市场监督检查", basis=on(repealed, "第二条", "第四条"))
    partly = rb.publish(
        salt, basic_code="0700002000", basis=[*on(repealed, "第四条"), kept.provisions.first().pk]
    )
    noted = rb.publish(
        salt, basic_code="0700003000", basis=on(repealed, "第二条"), basis_note="某省政府规章"
    )
    fine = rb.publish(salt, basic_code="0700004000")

    found = {entry.pk: selectors.repealed_basis_of(entry) for entry in (wholly, partly, noted)}
    assert [w.wholly for w in found.values()] == [True, False, False]
    assert [p.article for p in found[wholly.pk].provisions] == ["第二条", "第四条"]
    assert [law.name for law in found[partly.pk].laws] == ["盐业管理条例"]
    assert selectors.repealed_basis_of(fine) is None
    # A version shown as it stood before the repeal rested on a law in force then.
    assert selectors.repealed_basis_of(wholly, on=datetime.date(2016, 1, 1)) is None


def test_the_item_page_warns_staff_and_shows_the_public_the_laws_status(org, salt, repealed):
    entry = rb.publish(salt, name="盐业市场监督检查", basis=on(repealed, "第二条"))
    url = reverse("registry:entry", args=[entry.code])

    staff = client_for(org.users[Role.CLERK]).get(url).content.decode()
    public = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()

    assert WHOLLY in staff
    assert WHOLLY not in public and PARTLY not in public
    assert "Repealed 2017-03-01" in public


def test_the_draft_form_warns_while_the_draft_keeps_the_item_on_the_repealed_law(
    org, salt, repealed
):
    entry = rb.publish(salt, name="盐业市场监督检查", basis=on(repealed, "第二条"))
    clerk = org.users[Role.CLERK]
    draft = draft_of(entry, clerk, promised_limit_days=5)
    page = client_for(clerk).get(reverse("registry:draft-edit", args=[draft.pk]))
    assert WHOLLY in page.content.decode()

    services.draft_save(
        actor=clerk,
        draft=draft,
        payload={**draft.payload, "basis": [rb.law().provisions.first().pk]},
    )
    page = client_for(clerk).get(reverse("registry:draft-edit", args=[draft.pk]))
    assert WHOLLY not in page.content.decode() and PARTLY not in page.content.decode()


def test_the_lead_reviewer_sees_a_proposal_resting_on_a_repealed_law(org, salt, calendar):
    kept = rb.law()
    law = rb.law("盐业管理条例", [("第二条", "……")])
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        entry = rb.publish(salt, basis=[kept.provisions.first().pk, *on(law, "第二条")])
        services.law_status_set(actor=None, law=law, status=LawStatus.REPEALED, on=REPEALED_ON)
        request = adjustment_services.adjustment_create(
            actor=org.users[Role.CLERK],
            trigger="internal",
            event_date=datetime.date(2026, 11, 2),
            summary="压缩承诺时限",
            reason="流程优化。",
            drafts=[draft_of(entry, org.users[Role.CLERK], promised_limit_days=5)],
        )
        request = walk_to_review(org, request)
    page = client_for(org.users[Role.REVIEWER]).get(
        reverse("adjustments:detail", args=[request.number])
    )
    assert page.status_code == 200
    assert PARTLY in page.content.decode()


def test_the_consistency_report_lists_it(org, salt, repealed):
    rb.publish(salt, name="盐业市场监督检查", basis=on(repealed, "第二条"))
    page = client_for(org.users[Role.OFFICE]).get(reverse("registry:consistency"))
    (found,) = page.context["report"].repealed_basis
    assert found.repealed_basis.wholly
    assert "No other basis" in page.content.decode()


def test_an_item_loaded_after_its_law_was_repealed_gets_the_obligation(
    org, salt, repealed, calendar
):
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        entry = rb.publish(salt, name="盐业市场监督检查", basis=on(repealed, "第二条"))
        (request,) = obligations(repealed)
        assert list(request.affected_entries.all()) == [entry]
        # The period runs from the day the item was loaded, not from 2017.
        assert request.event_date == datetime.date(2026, 11, 3)
        assert "2017-03-01" in request.summary
        # Published again (a correction): it is covered already.
        rb.republish(entry, actor=org.users[Role.ADMINISTRATOR], promised_limit_days=9)
    assert obligations(repealed).count() == 1


def test_the_sweep_covers_items_whose_version_predates_the_repeal(org, salt, repealed, calendar):
    """A register loaded with its past: the version is dated before the repeal, so its
    publication announces nothing; the daily sweep opens the obligation, once."""
    (entry,) = services.entries_publish(
        actor=None,
        changes=[
            services.EntryChange(
                payload=rb.entry_payload(name="盐业市场监督检查", basis=on(repealed, "第二条")),
                list_kind="power",
                jurisdiction=salt.jurisdiction,
                department=salt,
            )
        ],
        source=ChangeSource.INITIAL,
        at=at(2015, 6, 1, 9),
    )
    assert not obligations(repealed).exists()

    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        (request,) = adjustment_services.obligations_sweep()
        assert adjustment_services.obligations_sweep() == []
        adjustment_services.adjustment_withdraw(
            actor=org.users[Role.CLERK], request=request, reason="已按新法另行办理。"
        )
        # Withdrawn with its reasons: the department answered for the entry.
        assert adjustment_services.obligations_sweep() == []
    assert list(request.affected_entries.all()) == [Entry.objects.get(pk=entry.pk)]
