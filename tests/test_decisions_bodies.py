"""Issue 14 §1: enforcement bodies and officers (执法主体公示, 持证上岗). A department's clerk
proposes its bodies — its own, or an organisation it entrusts with the entrustment's number,
validity and papers (seed 004 一(二)6: 按照程序履行委托执法手续) — and the government of its
level confirms and publishes them (seed 002 监督检查办法 第十一条: 审核、确认、公布本部门行政执法
主体), through its reform office or its legal-affairs reviewers; a changed body is confirmed
again. Officers and their certificates are kept by the department's clerk."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core import services as core_services
from core.choices import PersonDuty, Role
from core.models import AuditEvent, EnforcementCertificate, Person
from decisions import services
from decisions.choices import BodyKind, BodyState
from decisions.models import EnforcementBody
from tests.adjustment_builders import at
from tests.complaint_builders import travel
from tests.decision_builders import CREDIT_CODES

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64

OWN = {"name": "市盐业管理局", "kind": BodyKind.OWN, "basis": "《食盐专营办法》第四条"}
ENTRUSTED = {
    "name": "郑州市盐业稽查服务中心",
    "kind": BodyKind.ENTRUSTED,
    "credit_code": CREDIT_CODES[1],
    "basis": "《中华人民共和国行政处罚法》第二十条；《食盐专营办法》第四条",
    "entrustment_number": "郑盐委〔2026〕1号",
    "entrusted_from": datetime.date(2026, 1, 1),
    "entrusted_until": datetime.date(2028, 12, 31),
}


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def clerk(org):
    return org.users["clerk"]


@pytest.fixture
def salt(org):
    return org.departments["salt"]


def _papers(name: str = "委托书.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")


def _own(clerk, salt, **values) -> EnforcementBody:
    return services.body_save(actor=clerk, department=salt, values=OWN | values)


# --- proposing ------------------------------------------------------------------------------


def test_a_clerk_proposes_an_own_body(clerk, salt):
    body = _own(clerk, salt, credit_code=f" {CREDIT_CODES[0].lower()}")
    assert (body.state, body.kind, body.department) == (BodyState.PROPOSED, BodyKind.OWN, salt)
    assert body.credit_code == CREDIT_CODES[0]
    assert body.confirmed_at is None
    assert AuditEvent.objects.filter(object_id=str(body.pk)).exists()


def test_an_own_body_carries_no_entrustment(clerk, salt):
    body = _own(
        clerk,
        salt,
        entrustment_number="郑盐委〔2026〕1号",
        entrusted_from=datetime.date(2026, 1, 1),
        entrusted_until=datetime.date(2027, 1, 1),
    )
    assert (body.entrustment_number, body.entrusted_from, body.entrusted_until) == ("", None, None)


def test_a_bad_credit_code_is_refused(clerk, salt):
    with pytest.raises(services.DomainError, match="check character"):
        _own(clerk, salt, credit_code=CREDIT_CODES[0][:17] + "1")
    with pytest.raises(services.DomainError, match="18 characters"):
        _own(clerk, salt, credit_code=CREDIT_CODES[0][:17])
    assert not EnforcementBody.objects.exists()


def test_a_body_needs_its_name_and_basis(clerk, salt):
    with pytest.raises(services.DomainError):
        _own(clerk, salt, name=" ")
    with pytest.raises(services.DomainError):
        _own(clerk, salt, basis="")
    with pytest.raises(services.DomainError):
        _own(clerk, salt, name="市盐业\x07管理局")
    assert not EnforcementBody.objects.exists()


def test_an_entrusted_organisation_with_its_papers_is_proposed(clerk, salt):
    body = services.body_save(
        actor=clerk, department=salt, values=ENTRUSTED, entrustment_file=_papers()
    )
    assert body.kind == BodyKind.ENTRUSTED and body.entrustment_number == "郑盐委〔2026〕1号"
    assert body.entrustment_file.name.endswith(".pdf")
    with body.entrustment_file.open("rb") as papers:
        assert papers.read() == PDF


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"entrustment_number": ""}, "entrustment document's number"),
        ({"entrusted_from": None}, "validity"),
        ({"entrusted_until": None}, "validity"),
        ({"entrusted_until": datetime.date(2025, 12, 31)}, "cannot end before it starts"),
    ],
)
def test_an_entrustment_needs_its_number_and_validity(clerk, salt, missing, message):
    with pytest.raises(services.DomainError, match=message):
        services.body_save(
            actor=clerk, department=salt, values=ENTRUSTED | missing, entrustment_file=_papers()
        )
    assert not EnforcementBody.objects.exists()


def test_an_entrustment_needs_its_papers_checked_by_content(clerk, salt):
    with pytest.raises(services.DomainError, match="Attach the entrustment papers"):
        services.body_save(actor=clerk, department=salt, values=ENTRUSTED)
    with pytest.raises(services.DomainError, match="PDF"):
        services.body_save(
            actor=clerk, department=salt, values=ENTRUSTED, entrustment_file=_papers(content=ELF)
        )
    with pytest.raises(services.DomainError, match="cannot be attached"):
        services.body_save(
            actor=clerk,
            department=salt,
            values=ENTRUSTED,
            entrustment_file=SimpleUploadedFile("委托书.exe", PDF),
        )
    assert not EnforcementBody.objects.exists()


def test_a_changed_entrustment_keeps_its_papers(clerk, salt):
    body = services.body_save(
        actor=clerk, department=salt, values=ENTRUSTED, entrustment_file=_papers()
    )
    kept = body.entrustment_file.name
    changed = services.body_save(
        actor=clerk,
        department=salt,
        body=body,
        values=ENTRUSTED | {"entrusted_until": datetime.date(2029, 12, 31)},
    )
    assert changed.entrustment_file.name == kept
    assert changed.entrusted_until == datetime.date(2029, 12, 31)


def test_an_entrusted_body_made_own_drops_its_entrustment(clerk, salt):
    body = services.body_save(
        actor=clerk, department=salt, values=ENTRUSTED, entrustment_file=_papers()
    )
    own = services.body_save(
        actor=clerk, department=salt, body=body, values=ENTRUSTED | {"kind": BodyKind.OWN}
    )
    own.refresh_from_db()
    assert own.kind == BodyKind.OWN and not own.entrustment_file
    assert (own.entrustment_number, own.entrusted_from, own.entrusted_until) == ("", None, None)
    # Papers given with an own body are not attached either.
    other = _own(clerk, salt, name="市盐业稽查支队")
    assert not services.body_save(
        actor=clerk,
        department=salt,
        body=other,
        values=OWN | {"name": "市盐业稽查支队"},
        entrustment_file=_papers(),
    ).entrustment_file


def test_a_body_of_an_unknown_kind_is_refused(clerk, salt):
    with pytest.raises(services.DomainError):
        _own(clerk, salt, kind="delegated")
    assert not EnforcementBody.objects.exists()


def test_a_clerk_keeps_the_bodies_of_their_own_department_only(org, clerk, salt):
    district_clerk = org.district_users["clerk"]
    with pytest.raises(services.DomainError):
        services.body_save(actor=district_clerk, department=salt, values=OWN)
    body = _own(clerk, salt)
    with pytest.raises(services.DomainError):
        services.body_save(
            actor=district_clerk,
            department=org.district_departments["salt"],
            body=body,
            values=OWN | {"name": "改名"},
        )
    with pytest.raises(services.DomainError):
        services.body_save(actor=org.users["office"], department=salt, values=OWN)
    assert list(EnforcementBody.objects.values_list("name", flat=True)) == ["市盐业管理局"]


# --- confirming and withdrawing (第十一条) -----------------------------------------------------


def test_the_office_confirms_and_publishes_a_body(org, clerk, salt):
    body = _own(clerk, salt)
    with travel(at(2026, 9, 1, 10)):
        confirmed = services.body_confirm(actor=org.users["office"], body=body)
    assert confirmed.state == BodyState.CONFIRMED
    assert confirmed.confirmed_at == at(2026, 9, 1, 10)
    assert confirmed.confirmed_by == org.users["office"]
    assert confirmed.may_act_on(datetime.date(2026, 9, 1))
    assert not confirmed.may_act_on(datetime.date(2026, 8, 31))
    with pytest.raises(services.DomainError, match="confirmed already"):
        services.body_confirm(actor=org.users["office"], body=body)


def test_a_legal_affairs_reviewer_confirms_a_body(org, clerk, salt):
    body = _own(clerk, salt)
    confirmed = services.body_confirm(actor=org.users["reviewer"], body=body)
    assert confirmed.state == BodyState.CONFIRMED


def test_no_one_else_confirms_a_body(org, clerk, salt):
    body = _own(clerk, salt)
    establishment = core_services.user_create(
        actor=None,
        username="city-establishment",
        password="pw-reviewer",
        role=Role.REVIEWER,
        jurisdiction=org.city,
        department=org.departments["establishment"],
    )
    others = [
        clerk,
        org.users["supervisor"],
        org.users["digital"],
        establishment,
        org.district_users["office"],
    ]
    for actor in others:
        with pytest.raises(services.DomainError):
            services.body_confirm(actor=actor, body=body)
    body.refresh_from_db()
    assert body.state == BodyState.PROPOSED and body.confirmed_at is None


def test_a_changed_confirmed_body_goes_back_to_be_confirmed(org, clerk, salt):
    body = services.body_confirm(actor=org.users["office"], body=_own(clerk, salt))
    changed = services.body_save(
        actor=clerk, department=salt, body=body, values=OWN | {"basis": "《食盐专营办法》第五条"}
    )
    assert changed.state == BodyState.PROPOSED
    assert changed.confirmed_at is None and changed.confirmed_by is None
    assert not changed.may_act_on(datetime.date(2030, 1, 1))
    assert EnforcementBody.objects.get(pk=body.pk).basis == "《食盐专营办法》第五条"


def test_a_body_is_withdrawn_with_a_reason(org, clerk, salt):
    with travel(at(2026, 9, 1, 10)):
        body = services.body_confirm(actor=org.users["office"], body=_own(clerk, salt))
    with pytest.raises(services.DomainError):
        services.body_withdraw(actor=org.users["office"], body=body, reason="")
    with pytest.raises(services.DomainError):
        services.body_withdraw(actor=clerk, body=body, reason="机构撤并")
    with travel(at(2026, 10, 12, 10)):
        withdrawn = services.body_withdraw(actor=org.users["office"], body=body, reason="机构撤并")
    assert withdrawn.state == BodyState.WITHDRAWN
    assert withdrawn.withdrawn_at == at(2026, 10, 12, 10)
    assert withdrawn.may_act_on(datetime.date(2026, 10, 11))
    assert not withdrawn.may_act_on(datetime.date(2026, 10, 12))
    with pytest.raises(services.DomainError, match="withdrawn already"):
        services.body_withdraw(actor=org.users["office"], body=body, reason="再次撤销")
    audit = AuditEvent.objects.filter(object_id=str(body.pk)).order_by("pk").last()
    assert audit.detail == {"transition": "withdraw", "reason": "机构撤并"}


def test_an_entrusted_body_acts_within_its_entrustment_only(org, clerk, salt):
    with travel(at(2026, 1, 5, 10)):
        body = services.body_save(
            actor=clerk, department=salt, values=ENTRUSTED, entrustment_file=_papers()
        )
        body = services.body_confirm(actor=org.users["office"], body=body)
    assert body.may_act_on(datetime.date(2028, 12, 31))
    assert not body.may_act_on(datetime.date(2029, 1, 1))


# --- officers and certificates ------------------------------------------------------------------


def test_a_clerk_keeps_the_departments_officers_and_their_certificates(clerk, salt):
    person = services.officer_save(actor=clerk, department=salt, name="王执法", phone="0371-0")
    assert (person.department, person.duty) == (salt, PersonDuty.OFFICER)
    certificate = services.certificate_save(
        actor=clerk,
        person=person,
        number="豫a01000",
        issuing_authority="郑州市人民政府",
        enforcement_field="盐业",
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2029, 12, 31),
    )
    assert certificate.number == "豫A01000" and certificate.person == person
    renamed = services.officer_save(actor=clerk, department=salt, name="王明", person=person)
    assert Person.objects.get(pk=renamed.pk).name == "王明"
    renewed = services.certificate_save(
        actor=clerk,
        person=person,
        number="豫A01000",
        issuing_authority="郑州市人民政府",
        enforcement_field="盐业",
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2031, 12, 31),
        certificate=certificate,
    )
    assert EnforcementCertificate.objects.get(pk=renewed.pk).valid_until == datetime.date(
        2031, 12, 31
    )


def test_another_departments_clerk_keeps_no_officer_here(org, clerk, salt):
    district_clerk = org.district_users["clerk"]
    with pytest.raises(services.DomainError):
        services.officer_save(actor=district_clerk, department=salt, name="吴越权")
    assert not Person.objects.filter(name="吴越权").exists()
    person = services.officer_save(actor=clerk, department=salt, name="王执法")
    with pytest.raises(services.DomainError):
        services.officer_save(actor=district_clerk, department=salt, name="改名", person=person)
    with pytest.raises(services.DomainError):
        services.certificate_save(
            actor=district_clerk,
            person=person,
            number="豫A09000",
            issuing_authority="郑州市人民政府",
            enforcement_field="盐业",
            valid_from=datetime.date(2024, 1, 1),
            valid_until=datetime.date(2029, 12, 31),
        )
    assert Person.objects.get(pk=person.pk).name == "王执法"
    assert not EnforcementCertificate.objects.filter(person=person).exists()


def test_a_certificate_cannot_end_before_it_starts(clerk, salt):
    person = services.officer_save(actor=clerk, department=salt, name="王执法")
    with pytest.raises(services.DomainError, match="cannot expire before it starts"):
        services.certificate_save(
            actor=clerk,
            person=person,
            number="豫A01000",
            issuing_authority="郑州市人民政府",
            enforcement_field="盐业",
            valid_from=datetime.date(2026, 1, 1),
            valid_until=datetime.date(2025, 12, 31),
        )
    assert not EnforcementCertificate.objects.exists()


def test_a_certificate_needs_its_number_and_authority(clerk, salt):
    person = services.officer_save(actor=clerk, department=salt, name="王执法")
    for number, authority in (("", "郑州市人民政府"), ("豫A01000", " ")):
        with pytest.raises(services.DomainError):
            services.certificate_save(
                actor=clerk,
                person=person,
                number=number,
                issuing_authority=authority,
                enforcement_field="盐业",
                valid_from=datetime.date(2024, 1, 1),
                valid_until=datetime.date(2029, 12, 31),
            )
    assert not EnforcementCertificate.objects.exists()
