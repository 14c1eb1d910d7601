"""Issue 14 §1, §2, §3, §5 and §6, Done when: the rules every decision keeps (SPEC §11) and its
procedure, with a frozen clock. An officer whose certificate expired is recorded and flagged
(seed 002 监督检查办法 第十一条 持证上岗, an accountability ground of 第二十条(七)); one without
any certificate is refused; a penalty has at least two officers (行政处罚法 第四十二条); the
party is checked (GB 32100-2015, GB 11643-1999); an item not in force, of another department or
a body not confirmed is flagged (第二十条(四)(六)); a major penalty needs its legal review and
collective discussion before the decision (第十六条); a case walks 立案→…→执行 (seed 003
三(二)2); publication redacts what 第十三条 allows and masks a person's name."""

import datetime
import decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core import services as core_services
from core.choices import Role
from decisions import services
from decisions.choices import (
    DecisionState,
    Flag,
    RedactionReason,
    StepKind,
    Transition,
)
from decisions.models import (
    Decision,
    DecisionOfficer,
    DecisionPolicy,
    Event,
    Redaction,
    Step,
)
from tests import registry_builders
from tests.adjustment_builders import at
from tests.complaint_builders import travel
from tests.decision_builders import (
    CREDIT_CODES,
    build_decision_org,
    penalty_values,
    record_penalty,
)

RECORDED = at(2026, 9, 22, 10)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# GB 11643-1999's example of a valid citizen identity number (check character X).
IDENTITY = "11010519491231002X"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def built(db, calendar):
    """The organisation, body, officers and items as of 2026-08-03."""
    with travel(at(2026, 8, 3, 10)):
        return build_decision_org()


def _given(built, *, item=None, body=None, officers=None, **values) -> services.DecisionValues:
    return services.DecisionValues(
        body=body or built.body,
        item=item or built.penalty_item,
        officers=built.officers if officers is None else officers,
        values=penalty_values(**values),
    )


def _record(built, moment=RECORDED, **kwargs) -> Decision:
    """A penalty recorded by the department's clerk at `moment` (item, body, officers and
    values as _given takes them)."""
    with travel(moment):
        return services.decision_record(
            actor=built.clerk, department=built.department, given=_given(built, **kwargs)
        )


def _refused(built, moment=RECORDED, **kwargs) -> dict[str, list[str]]:
    """The problems, by field, of a decision that must not be recorded; nothing is saved."""
    with pytest.raises(services.RowProblems) as refused:
        _record(built, moment, **kwargs)
    assert not Decision.objects.exists()
    return refused.value.problems


def _licence_values(**overrides) -> dict:
    values = {
        "title": "某食盐批发企业定点批发许可",
        "number": "郑盐许〔2026〕3号",
        "party_kind": "organisation",
        "party_name": "郑州某食盐批发有限公司",
        "party_credit_code": CREDIT_CODES[1],
        "content": "准予从事食盐批发。",
        "basis": "《食盐专营办法》第十条",
        "licence_name": "食盐定点批发证",
        "licence_number": "YP-2026-0003",
        "valid_from": datetime.date(2026, 9, 15),
        "valid_until": datetime.date(2031, 9, 14),
        "filed_on": datetime.date(2026, 9, 1),
        "decided_on": datetime.date(2026, 9, 14),
    }
    values.update(overrides)
    return values


def _served(built, **overrides) -> Decision:
    return _record(built, served_on=datetime.date(2026, 9, 21), **overrides)


# --- officers (持证上岗) ------------------------------------------------------------------------


def test_an_officer_whose_certificate_expired_is_recorded_and_flagged(built):
    """Seed 002 第十一条: the fact is recorded, not hidden — the decision exists, flagged, and the
    officer's row names no certificate."""
    valid, expired = built.officers[0], built.expired
    decision = _record(built, officers=[valid, expired])
    assert decision.pk and decision.officer_uncertified
    assert Flag.OFFICER_UNCERTIFIED in decision.flags
    rows = {row.person_id: row for row in DecisionOfficer.objects.filter(decision=decision)}
    assert rows[expired.pk].certificate is None and rows[expired.pk].certificate_number == ""
    assert rows[valid.pk].certificate.number == "豫A01000"
    assert rows[valid.pk].certificate_number == "豫A01000"


def test_officers_with_valid_certificates_raise_no_flag(built):
    decision = _record(built)
    assert not decision.officer_uncertified
    assert decision.flags == []
    assert decision.officers.filter(certificate__isnull=False).count() == 2


def test_a_certificate_counts_through_its_last_day(built):
    """A certificate valid until the decision date itself was valid that day."""
    with travel(at(2026, 8, 3, 11)):
        person = services.officer_save(
            actor=built.clerk, department=built.department, name="钱到期"
        )
        services.certificate_save(
            actor=built.clerk,
            person=person,
            number="豫A05555",
            issuing_authority="郑州市人民政府",
            enforcement_field="盐业",
            valid_from=datetime.date(2021, 9, 21),
            valid_until=datetime.date(2026, 9, 20),
        )
    on_last_day = _record(built, officers=[built.officers[0], person])
    day_after = _record(
        built,
        officers=[built.officers[0], person],
        number="郑盐罚〔2026〕2号",
        decided_on=datetime.date(2026, 9, 21),
    )
    assert not on_last_day.officer_uncertified
    assert day_after.officer_uncertified


def test_an_officer_without_any_certificate_is_refused(built):
    with travel(at(2026, 8, 3, 11)):
        newcomer = services.officer_save(
            actor=built.clerk, department=built.department, name="周无证"
        )
    problems = _refused(built, officers=[built.officers[0], newcomer])
    (message,) = problems["officers"]
    assert "周无证" in message and "no enforcement certificate" in message


def test_a_penalty_with_fewer_than_two_officers_is_refused(built):
    problems = _refused(built, officers=built.officers[:1])
    assert any("at least two" in message for message in problems["officers"])


def test_an_officer_of_another_department_and_one_named_twice_are_refused(built):
    with travel(at(2026, 8, 3, 11)):
        stranger = services.officer_save(
            actor=built.org.district_users["clerk"],
            department=built.org.district_departments["salt"],
            name="吴外局",
        )
    problems = _refused(built, officers=[built.officers[0], stranger])
    assert any("吴外局" in message for message in problems["officers"])
    problems = _refused(built, officers=[built.officers[0], built.officers[0]])
    assert any("twice" in message for message in problems["officers"])


def test_a_licence_needs_one_officer(built):
    with travel(RECORDED):
        services.decision_record(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body,
                item=built.licence_item,
                officers=built.officers[:1],
                values=_licence_values(),
            ),
        )
        with pytest.raises(services.RowProblems) as refused:
            services.decision_record(
                actor=built.clerk,
                department=built.department,
                given=services.DecisionValues(
                    body=built.body,
                    item=built.licence_item,
                    officers=[],
                    values=_licence_values(number="郑盐许〔2026〕4号"),
                ),
            )
    assert "officers" in refused.value.problems
    assert Decision.objects.count() == 1


# --- the party --------------------------------------------------------------------------------


def test_an_organisation_without_a_credit_code_is_refused(built):
    problems = _refused(built, party_credit_code="")
    (message,) = problems["party_credit_code"]
    assert "unified social credit code" in message


def test_an_organisation_with_a_bad_credit_code_is_refused_and_told_why(built):
    wrong_check = CREDIT_CODES[0][:17] + ("1" if CREDIT_CODES[0][17] != "1" else "2")
    (message,) = _refused(built, party_credit_code=wrong_check)["party_credit_code"]
    assert "check character" in message
    (message,) = _refused(built, party_credit_code=CREDIT_CODES[0][:17])["party_credit_code"]
    assert "18 characters" in message and "17" in message
    with_o = CREDIT_CODES[0][:9] + "O" + CREDIT_CODES[0][10:]
    (message,) = _refused(built, party_credit_code=with_o)["party_credit_code"]
    assert "except I, O, Z, S" in message


def test_a_credit_code_in_small_letters_is_stored_in_capitals(built):
    decision = _record(built, party_credit_code=f"  {CREDIT_CODES[0].lower()} ")
    assert decision.party_credit_code == CREDIT_CODES[0]


def test_a_persons_identity_number_is_checked(built):
    person = {
        "party_kind": "person",
        "party_name": "张明",
        "party_credit_code": "",
        "legal_representative": "",
    }
    (message,) = _refused(built, party_id_number=IDENTITY[:17] + "1", **person)["party_id_number"]
    assert "check character" in message
    problems = _refused(built, party_id_number="4101", **person)
    assert "18 characters" in problems["party_id_number"][0]
    problems = _refused(built, party_id_number=IDENTITY)
    assert "natural person only" in problems["party_id_number"][0]
    problems = _refused(built, **person | {"party_credit_code": CREDIT_CODES[0]})
    assert "no unified social credit code" in problems["party_credit_code"][0]
    problems = _refused(built, **person | {"legal_representative": "孙某"})
    assert "legal_representative" in problems
    decision = _record(built, party_id_number=IDENTITY.lower(), **person)
    assert decision.party_id_number == IDENTITY


# --- dates ------------------------------------------------------------------------------------


def test_a_date_in_the_future_is_refused(built):
    problems = _refused(built, decided_on=datetime.date(2026, 9, 23))
    assert problems["decided_on"] == ["This date is in the future."]
    problems = _refused(built, served_on=datetime.date(2026, 9, 23))
    assert problems["served_on"] == ["This date is in the future."]


def test_dates_out_of_order_are_refused(built):
    problems = _refused(built, filed_on=datetime.date(2026, 9, 21))
    assert problems["decided_on"] == ["This date comes before an earlier step of the case."]
    problems = _refused(built, served_on=datetime.date(2026, 9, 19))
    assert problems["served_on"] == ["This date comes before an earlier step of the case."]
    problems = _refused(built, decided_on=None)
    assert problems["decided_on"] == ["Give the date."]
    problems = _refused(built, decided_on="20.09.2026")
    assert problems["decided_on"] == ["Give a date as YYYY-MM-DD."]


def test_a_licence_cannot_expire_before_it_starts(built):
    with travel(RECORDED), pytest.raises(services.RowProblems) as refused:
        services.decision_record(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body,
                item=built.licence_item,
                officers=built.officers[:1],
                values=_licence_values(valid_until=datetime.date(2026, 9, 1)),
            ),
        )
    assert "valid_until" in refused.value.problems


def test_a_decision_number_is_recorded_once_per_department(built):
    _record(built)
    with travel(RECORDED), pytest.raises(services.RowProblems) as refused:
        record_penalty(built)
    assert "already recorded" in refused.value.problems["number"][0]
    assert Decision.objects.count() == 1


# --- the item and the body (第二十条(四)(六)) -------------------------------------------------


def test_an_item_published_after_the_decision_date_is_flagged(built):
    with travel(at(2026, 9, 10, 10)):
        later = registry_builders.publish(
            built.department,
            name="对违反食盐储备规定的处罚",
            basic_code="0200002000",
            category=registry_builders.category(name="行政处罚").pk,
            star_level=None,
        )
    decided_before = _record(built, item=later, decided_on=datetime.date(2026, 9, 9))
    assert decided_before.item_not_in_force and decided_before.item_version is None
    assert Flag.ITEM_NOT_IN_FORCE in decided_before.flags
    decided_after = _record(
        built, item=later, number="郑盐罚〔2026〕2号", decided_on=datetime.date(2026, 9, 10)
    )
    assert not decided_after.item_not_in_force and decided_after.item_version == 1


def test_an_item_cancelled_before_the_decision_date_is_flagged(built):
    with travel(at(2026, 9, 10, 10)):
        registry_builders.republish(built.penalty_item, status="cancelled", reason="取消")
    before = _record(built, decided_on=datetime.date(2026, 9, 9))
    after = _record(built, number="郑盐罚〔2026〕2号", decided_on=datetime.date(2026, 9, 11))
    assert not before.item_not_in_force and before.item_version == 1
    assert after.item_not_in_force and after.item_version == 2


def test_the_decision_cites_the_items_version_of_its_date(built):
    with travel(at(2026, 9, 10, 10)):
        registry_builders.republish(built.penalty_item, name="对违反食盐专营规定行为的处罚")
    before = _record(built, decided_on=datetime.date(2026, 9, 9))
    after = _record(built, number="郑盐罚〔2026〕2号", decided_on=datetime.date(2026, 9, 10))
    assert (before.item_version, after.item_version) == (1, 2)
    assert not before.item_not_in_force and not after.item_not_in_force
    assert before.item_history_id != after.item_history_id


def test_an_item_of_another_department_is_flagged_body_mismatch(built):
    with travel(at(2026, 8, 3, 11)):
        foreign = registry_builders.publish(
            built.org.departments["digital"],
            name="对违反政务数据管理规定的处罚",
            basic_code="0200009000",
            category=registry_builders.category(name="行政处罚").pk,
            star_level=None,
        )
    decision = _record(built, item=foreign)
    assert decision.body_mismatch and not decision.item_not_in_force
    assert Flag.BODY_MISMATCH in decision.flags


def _second_body(built, name: str = "市盐业稽查支队"):
    return services.body_save(
        actor=built.clerk,
        department=built.department,
        values={"name": name, "kind": "own", "basis": "《食盐专营办法》第四条"},
    )


def test_a_body_not_confirmed_is_flagged_unpublished(built):
    with travel(at(2026, 8, 3, 11)):
        proposed = _second_body(built)
    decision = _record(built, body=proposed)
    assert decision.body_unpublished
    assert Flag.BODY_UNPUBLISHED in decision.flags


def test_a_body_confirmed_after_the_decision_date_is_flagged_unpublished(built):
    with travel(at(2026, 8, 3, 11)):
        body = _second_body(built)
    with travel(at(2026, 9, 10, 10)):
        services.body_confirm(actor=built.org.users["office"], body=body)
    before = _record(built, body=body, decided_on=datetime.date(2026, 9, 9))
    on_the_day = _record(
        built, body=body, number="郑盐罚〔2026〕2号", decided_on=datetime.date(2026, 9, 10)
    )
    assert before.body_unpublished and not on_the_day.body_unpublished


def test_a_withdrawn_body_is_flagged_from_its_withdrawal_on(built):
    with travel(at(2026, 9, 10, 10)):
        services.body_withdraw(actor=built.org.users["office"], body=built.body, reason="机构撤并")
    after = _record(built)
    before = _record(built, number="郑盐罚〔2026〕2号", decided_on=datetime.date(2026, 9, 9))
    assert after.body_unpublished
    # A decision dated while the body stood confirmed (recorded after its withdrawal) is not.
    assert not before.body_unpublished


def test_an_entrusted_body_outside_its_entrustment_is_flagged_unpublished(built):
    with travel(at(2026, 8, 3, 11)):
        entrusted = services.body_save(
            actor=built.clerk,
            department=built.department,
            values={
                "name": "郑州市盐业稽查服务中心",
                "kind": "entrusted",
                "basis": "《中华人民共和国行政处罚法》第二十条",
                "entrustment_number": "郑盐委〔2026〕1号",
                "entrusted_from": datetime.date(2026, 1, 1),
                "entrusted_until": datetime.date(2026, 9, 15),
            },
            entrustment_file=SimpleUploadedFile("委托书.pdf", PDF, "application/pdf"),
        )
        services.body_confirm(actor=built.org.users["office"], body=entrusted)
    within = _record(built, body=entrusted, decided_on=datetime.date(2026, 9, 15))
    after = _record(built, body=entrusted, number="郑盐罚〔2026〕2号")
    assert not within.body_unpublished and after.body_unpublished


def test_a_body_of_another_department_is_refused(built):
    with travel(at(2026, 8, 3, 11)):
        foreign = services.body_save(
            actor=built.org.district_users["clerk"],
            department=built.org.district_departments["salt"],
            values={"name": "上街区盐业管理局", "kind": "own", "basis": "《食盐专营办法》第四条"},
        )
    assert "body" in _refused(built, body=foreign)


def test_a_clerk_records_for_their_own_department_only(built):
    with travel(RECORDED), pytest.raises(services.DomainError):
        services.decision_record(
            actor=built.org.district_users["clerk"],
            department=built.department,
            given=_given(built),
        )
    assert not Decision.objects.exists()


# --- major penalties (第十六条) ---------------------------------------------------------------

REVIEWED = {
    "legal_review_on": datetime.date(2026, 9, 15),
    "legal_reviewer": "市盐业管理局法制室",
    "legal_review_opinion": "事实清楚，证据确凿，程序合法，裁量适当。",
    "collective_on": datetime.date(2026, 9, 18),
    "collective_note": "局长办公会集体讨论，同意处罚。",
}


def _without(*names: str) -> dict:
    return {name: ("" if isinstance(value, str) else None) for name, value in REVIEWED.items()} | {
        name: value for name, value in REVIEWED.items() if name not in names
    }


def test_a_major_penalty_without_legal_review_is_refused(built):
    """Done when: a major penalty without legal review refused."""
    no_review = _without("legal_review_on", "legal_reviewer", "legal_review_opinion")
    problems = _refused(built, fine_amount="50000", **no_review)
    assert problems == {
        "legal_review_on": [
            "A major penalty cannot be decided without its legal review (法制审核)."
        ]
    }
    # A date alone, without the reviewer and the opinion, is no review.
    problems = _refused(
        built, fine_amount="80000", **REVIEWED | {"legal_reviewer": "", "legal_review_opinion": ""}
    )
    assert list(problems) == ["legal_review_on"]


def test_a_major_kind_of_penalty_without_legal_review_is_refused(built):
    """行政处罚法 第五十八条: revoking a permit is major whatever the amount."""
    problems = _refused(built, penalty_kinds=["revoke_permit"], fine_amount=None)
    assert "legal_review_on" in problems and "collective_on" in problems


def test_a_major_penalty_without_collective_discussion_is_refused(built):
    problems = _refused(built, fine_amount="60000", **_without("collective_on", "collective_note"))
    assert problems == {
        "collective_on": [
            "A major penalty cannot be decided without its collective discussion (集体讨论)."
        ]
    }


def test_a_major_penalty_reviewed_after_the_decision_is_refused(built):
    late = REVIEWED | {
        "legal_review_on": datetime.date(2026, 9, 21),
        "collective_on": datetime.date(2026, 9, 21),
    }
    problems = _refused(built, fine_amount="60000", **late)
    assert set(problems) == {"legal_review_on", "collective_on"}
    assert all("before the decision" in messages[0] for messages in problems.values())


def test_a_major_penalty_with_both_is_recorded(built):
    decision = _record(built, fine_amount="60000", **REVIEWED)
    assert decision.major
    assert decision.legal_review_on == datetime.date(2026, 9, 15)
    assert decision.collective_note == REVIEWED["collective_note"]
    revoked = _record(
        built,
        number="郑盐罚〔2026〕2号",
        penalty_kinds=["revoke_permit"],
        fine_amount=None,
        **REVIEWED,
    )
    assert revoked.major


def test_the_threshold_is_the_jurisdictions(built):
    """From the threshold on (≥): 50,000 yuan by this product's default, lowered by the city."""
    below = _record(built, fine_amount="49999.99")
    assert not below.major
    with travel(RECORDED):
        core_services.jurisdiction_policy_save(
            actor=built.org.users[Role.ADMINISTRATOR],
            model=DecisionPolicy,
            jurisdiction=built.org.city,
            values={"major_penalty_amount": decimal.Decimal("10000")},
        )
    problems = _refused_more(built, number="郑盐罚〔2026〕2号", fine_amount="10000")
    assert "legal_review_on" in problems


def _refused_more(built, **kwargs) -> dict[str, list[str]]:
    before = Decision.objects.count()
    with pytest.raises(services.RowProblems) as refused:
        _record(built, **kwargs)
    assert Decision.objects.count() == before
    return refused.value.problems


def test_a_penalty_is_checked_for_kinds_and_amounts(built):
    assert "fine_amount" in _refused(built, fine_amount=None)
    assert "fine_amount" in _refused(built, penalty_kinds=["warning"])
    assert "fine_amount" in _refused(built, fine_amount="12.345")
    assert "fine_amount" in _refused(built, fine_amount="-5")
    assert "penalty_kinds" in _refused(built, penalty_kinds=["flogging"])
    assert "penalty_kinds" in _refused(built, penalty_kinds=[])
    assert "confiscated_amount" in _refused(built, confiscated_amount="300")


# --- a case handled here (seed 003 三(二)2) ---------------------------------------------------


def _filed(built) -> Decision:
    values = penalty_values(number="", content="", basis="", penalty_kinds=[], fine_amount=None)
    values.pop("decided_on")
    with travel(at(2026, 9, 1, 10)):
        return services.case_file(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body, item=built.penalty_item, officers=built.officers, values=values
            ),
        )


DECIDED = {
    "number": "郑盐罚〔2026〕9号",
    "content": "当事人未取得食盐定点批发许可从事食盐批发。",
    "basis": "《食盐专营办法》第二十六条",
    "penalty_kinds": ["fine", "confiscate_gains"],
    "fine_amount": "20000",
    "confiscated_amount": "3500",
    "decided_on": datetime.date(2026, 9, 14),
}


def test_a_case_walks_from_filing_to_execution(built):
    case = _filed(built)
    assert (case.state, case.number, case.decided_on) == (DecisionState.FILED, "", None)
    with travel(at(2026, 9, 2, 10)):
        case = services.case_advance(actor=built.clerk, decision=case, to="investigating")
    with travel(at(2026, 9, 8, 10)):
        case = services.case_advance(actor=built.clerk, decision=case, to="notified")
    with travel(at(2026, 9, 14, 10)):
        with pytest.raises(services.DomainError, match="facts of this stage"):
            services.case_advance(actor=built.clerk, decision=case, to="decided")
        with pytest.raises(services.RowProblems) as refused:
            services.case_advance(
                actor=built.clerk, decision=case, to="decided", values={"decided_on": None}
            )
        assert {"number", "content", "basis", "decided_on"} <= set(refused.value.problems)
        case = services.case_advance(actor=built.clerk, decision=case, to="decided", values=DECIDED)
    assert case.state == DecisionState.DECIDED and case.version == 2
    assert case.confiscated_amount == decimal.Decimal("3500")
    assert not case.steps.exists()
    with travel(at(2026, 9, 16, 10)):
        case = services.decision_serve(
            actor=built.clerk, decision=case, served_on=datetime.date(2026, 9, 15)
        )
    (publish,) = case.steps.all()
    assert publish.kind == StepKind.PUBLISH and publish.finished_at is None
    with travel(at(2026, 9, 22, 10)):
        case = services.case_advance(actor=built.clerk, decision=case, to="executed")
    assert case.state == DecisionState.EXECUTED
    transitions = list(case.events.order_by("pk").values_list("transition", flat=True))
    assert transitions == [
        Transition.FILE,
        Transition.INVESTIGATE,
        Transition.NOTIFY,
        Transition.DECIDE,
        Transition.SERVE,
        Transition.EXECUTE,
    ]
    # Executed and still to publish: publication is a fact of its own.
    with travel(at(2026, 9, 22, 11)):
        published = services.decision_publish(actor=built.clerk, decision=case)
    assert published.published_at and not published.published_late


def test_a_case_skips_no_stage_and_files_penalties_only(built):
    case = _filed(built)
    with travel(at(2026, 9, 2, 10)), pytest.raises(services.TransitionRefused):
        services.case_advance(actor=built.clerk, decision=case, to="decided", values=DECIDED)
    with travel(at(2026, 9, 2, 10)), pytest.raises(services.DomainError, match="Unknown stage"):
        services.case_advance(actor=built.clerk, decision=case, to="revoked")
    with travel(at(2026, 9, 2, 10)), pytest.raises(services.DomainError, match="penalty item"):
        services.case_file(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body,
                item=built.licence_item,
                officers=built.officers[:1],
                values=_licence_values(),
            ),
        )
    case.refresh_from_db()
    assert case.state == DecisionState.FILED


def test_a_major_case_cannot_be_decided_without_its_review(built):
    case = _filed(built)
    for stage, day in (("investigating", 2), ("notified", 8)):
        with travel(at(2026, 9, day, 10)):
            case = services.case_advance(actor=built.clerk, decision=case, to=stage)
    with travel(at(2026, 9, 14, 10)):
        with pytest.raises(services.RowProblems) as refused:
            services.case_advance(
                actor=built.clerk,
                decision=case,
                to="decided",
                values=DECIDED | {"fine_amount": "90000"},
            )
        assert "legal_review_on" in refused.value.problems
        reviewed = REVIEWED | {
            "legal_review_on": datetime.date(2026, 9, 11),
            "collective_on": datetime.date(2026, 9, 12),
        }
        case = services.case_advance(
            actor=built.clerk,
            decision=case,
            to="decided",
            values=DECIDED | {"fine_amount": "90000"} | reviewed,
        )
    assert case.major and case.state == DecisionState.DECIDED


def test_a_case_is_advanced_by_its_departments_clerk_only(built):
    case = _filed(built)
    with travel(at(2026, 9, 2, 10)), pytest.raises(services.TransitionRefused):
        services.case_advance(
            actor=built.org.district_users["clerk"], decision=case, to="investigating"
        )


# --- correcting and revoking ----------------------------------------------------------------


def test_a_correction_bumps_the_version_and_keeps_the_history(built):
    decision = _record(built)
    with travel(at(2026, 9, 23, 10)):
        corrected = services.decision_correct(
            actor=built.clerk,
            decision=decision,
            given=_given(built, fine_amount="25000"),
            reason="罚款金额笔误",
        )
    assert corrected.version == 2 and corrected.fine_amount == decimal.Decimal("25000")
    amounts = [h.fine_amount for h in corrected.history.order_by("history_date", "history_id")]
    assert amounts[0] == decimal.Decimal("20000") and amounts[-1] == decimal.Decimal("25000")
    event = corrected.events.get(transition=Transition.CORRECT)
    assert event.opinion == "罚款金额笔误" and event.detail["version"] == 2
    with travel(at(2026, 9, 23, 11)), pytest.raises(services.DomainError):
        services.decision_correct(
            actor=built.clerk, decision=decision, given=_given(built), reason=""
        )
    with travel(at(2026, 9, 23, 11)), pytest.raises(services.RowProblems):
        services.decision_correct(
            actor=built.clerk,
            decision=decision,
            given=_given(built, officers=built.officers[:1]),
            reason="更正",
        )
    assert Decision.objects.get(pk=decision.pk).version == 2


def test_a_correction_to_a_number_already_used_is_refused(built):
    _record(built)
    second = _record(built, number="郑盐罚〔2026〕2号")
    with travel(at(2026, 9, 23, 10)), pytest.raises(services.RowProblems) as refused:
        services.decision_correct(
            actor=built.clerk, decision=second, given=_given(built), reason="编号更正"
        )
    assert "already recorded" in refused.value.problems["number"][0]
    second.refresh_from_db()
    assert (second.number, second.version) == ("郑盐罚〔2026〕2号", 1)
    assert not second.events.filter(transition=Transition.CORRECT).exists()


def test_a_correction_recomputes_the_flags(built):
    decision = _record(built, officers=[built.officers[0], built.expired])
    assert decision.officer_uncertified
    with travel(at(2026, 9, 23, 10)):
        corrected = services.decision_correct(
            actor=built.clerk, decision=decision, given=_given(built), reason="执法人员录入有误"
        )
    assert not corrected.officer_uncertified
    assert set(corrected.officers.values_list("person_id", flat=True)) == {
        p.pk for p in built.officers
    }


def test_a_decided_decision_is_served_through_serve_not_a_correction(built):
    decision = _record(built)
    with travel(at(2026, 9, 23, 10)), pytest.raises(services.DomainError, match="Served"):
        services.decision_correct(
            actor=built.clerk,
            decision=decision,
            given=_given(built, served_on=datetime.date(2026, 9, 22)),
            reason="补录送达",
        )


def test_revoking_closes_the_open_steps(built):
    decision = _served(built)
    (step,) = decision.steps.all()
    assert step.finished_at is None
    with travel(at(2026, 9, 24, 10)):
        revoked = services.decision_revoke(
            actor=built.clerk, decision=decision, reason="经行政复议撤销"
        )
    assert revoked.state == DecisionState.REVOKED and revoked.version == 2
    step.refresh_from_db()
    assert step.finished_at == at(2026, 9, 24, 10)
    assert revoked.events.get(transition=Transition.REVOKE).opinion == "经行政复议撤销"
    with travel(at(2026, 9, 24, 11)):
        with pytest.raises(services.TransitionRefused):
            services.decision_revoke(actor=built.clerk, decision=revoked, reason="再次撤销")
        with pytest.raises(services.TransitionRefused):
            services.decision_publish(actor=built.clerk, decision=revoked)


# --- publication (第十三条) -------------------------------------------------------------------

SECRET = "当事人自有的配方比例为氯化钠百分之九十八点五，碘酸钾添加量每千克三十毫克。"


def test_publishing_redacted_keeps_the_full_text_for_staff(built):
    decision = _served(built, content=f"当事人未取得食盐定点批发许可从事食盐批发。{SECRET}")
    public_text = "当事人未取得食盐定点批发许可从事食盐批发。（涉及商业秘密的内容不予公开）"
    with travel(at(2026, 9, 23, 10)):
        published = services.decision_publish(
            actor=built.clerk,
            decision=decision,
            redactions=[
                services.RedactionInput(
                    field="content",
                    reason=RedactionReason.TRADE_SECRET,
                    explanation="配方比例属于当事人的商业秘密。",
                    public_text=public_text,
                )
            ],
        )
    published = Decision.objects.get(pk=decision.pk)
    assert published.public_content == public_text and SECRET not in published.public_content
    assert SECRET in published.content
    assert published.redacted and published.published_at == at(2026, 9, 23, 10)
    assert (published.public_title, published.public_basis) == (
        published.title,
        published.basis,
    )
    assert published.public_party_name == "郑州某盐业有限公司"
    (redaction,) = Redaction.objects.filter(decision=decision)
    assert (redaction.field, redaction.reason, redaction.actor) == (
        "content",
        RedactionReason.TRADE_SECRET,
        built.clerk,
    )
    assert redaction.explanation == "配方比例属于当事人的商业秘密。"
    publish = Step.objects.get(decision=decision, kind=StepKind.PUBLISH)
    assert publish.finished_at == at(2026, 9, 23, 10) and publish.finished_by == built.clerk
    event = Event.objects.get(decision=decision, transition=Transition.PUBLISH)
    assert event.detail == {"late": False, "redactions": 1}


def test_a_redaction_must_say_why_and_what(built):
    decision = _served(built)
    for bad in (
        services.RedactionInput("number", RedactionReason.PRIVACY, "编号", "某号"),
        services.RedactionInput("content", "dislike", "不想公开", "某"),
        services.RedactionInput("content", RedactionReason.TRADE_SECRET, "", "某"),
        services.RedactionInput("party_name", RedactionReason.PRIVACY, "个人隐私", ""),
        services.RedactionInput(
            "party_name", RedactionReason.PRIVACY, "个人隐私", "郑州某盐业有限公司"
        ),
    ):
        with travel(at(2026, 9, 23, 10)), pytest.raises(services.DomainError):
            services.decision_publish(actor=built.clerk, decision=decision, redactions=[bad])
    decision.refresh_from_db()
    assert decision.published_at is None and not Redaction.objects.exists()


@pytest.mark.parametrize(
    ("name", "published"),
    [("张明", "张某"), ("李建国", "李某某"), ("欧阳明华", "欧阳某某"), ("司马光", "司马某")],
)
def test_a_persons_name_is_masked_when_published(built, name, published):
    decision = _served(
        built,
        party_kind="person",
        party_name=name,
        party_credit_code="",
        legal_representative="",
        party_id_number=IDENTITY,
    )
    with travel(at(2026, 9, 23, 10)):
        services.decision_publish(actor=built.clerk, decision=decision)
    decision.refresh_from_db()
    assert decision.public_party_name == published
    assert decision.party_name == name
    assert services.masked_person_name(name) == published


def test_publishing_is_refused_to_another_department_and_twice(built):
    decision = _served(built)
    with travel(at(2026, 9, 23, 10)):
        for stranger in (built.org.district_users["clerk"], built.org.users["office"]):
            with pytest.raises(services.TransitionRefused):
                services.decision_publish(actor=stranger, decision=decision)
        assert Decision.objects.get(pk=decision.pk).published_at is None
        services.decision_publish(actor=built.clerk, decision=decision)
        with pytest.raises(services.TransitionRefused):
            services.decision_publish(actor=built.clerk, decision=decision)
    assert Event.objects.filter(decision=decision, transition=Transition.PUBLISH).count() == 1


def test_a_decided_decision_is_published_only_once_served(built):
    decision = _record(built)
    with travel(at(2026, 9, 23, 10)), pytest.raises(services.TransitionRefused):
        services.decision_publish(actor=built.clerk, decision=decision)


def test_a_redaction_after_publication_changes_the_public_text_at_once(built):
    decision = _served(built)
    with travel(at(2026, 9, 23, 10)):
        services.decision_publish(actor=built.clerk, decision=decision)
    with travel(at(2026, 9, 24, 10)):
        redacted = services.decision_redact(
            actor=built.clerk,
            decision=decision,
            redactions=[
                services.RedactionInput(
                    "party_name", RedactionReason.PRIVACY, "当事人为个体经营者", "郑州某公司"
                )
            ],
        )
    assert redacted.public_party_name == "郑州某公司" and redacted.redacted
    assert redacted.party_name == "郑州某盐业有限公司" and redacted.version == 2
    # A later correction keeps the redaction standing.
    with travel(at(2026, 9, 25, 10)):
        corrected = services.decision_correct(
            actor=built.clerk,
            decision=decision,
            given=_given(built, served_on=datetime.date(2026, 9, 21), title="某盐业公司无证批发案"),
            reason="案由更正",
        )
    assert corrected.public_party_name == "郑州某公司"
    assert corrected.public_title == "某盐业公司无证批发案"
