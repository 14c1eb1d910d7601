"""Issue 12 §1–3, §5, §9: receiving complaints through the services (seed 004 五(二)4–5, SPEC §5).

Online from anyone and by staff for the other channels; in person an identity document is
shown and a group sends at most five representatives; an anonymous complaint keeps nothing that
identifies its complainant; evidence is checked by its content and size, and a refused complaint
saves nothing; the items named route it to their implementing body; the tracking code cannot be
guessed and its secret is stored only as a hash."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from complaints import selectors, services
from complaints.choices import Channel, ComplainantKind, ComplaintState, Ground, IdType, StepKind
from complaints.models import Complaint, ComplaintItem, Evidence, Representative
from core.checkers import resident_id_problem
from core.choices import Role
from core.services import DomainError
from registry.models import Entry
from tests import complaint_builders as build
from tests.adjustment_builders import at, numbered_entry, published_entry
from tests.complaint_builders import travel

RESIDENT_ID = "11010519491231002X"
WRONG_CHECK = "110105194912310021"


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals are matched in English; the Chinese catalogue is filled in later."""
    with translation.override("en"):
        yield


def pdf(name: str = "收费凭证.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
    return SimpleUploadedFile(name, body + b"\n" * max(0, size - len(body)), "application/pdf")


def saved() -> tuple[int, int, int, int]:
    return (
        Complaint.objects.count(),
        Evidence.objects.count(),
        Representative.objects.count(),
        ComplaintItem.objects.count(),
    )


def in_person(org, **kwargs) -> services.Filed:
    values = {"id_type": IdType.RESIDENT_ID, "id_number": RESIDENT_ID, **kwargs}
    return build.record(org, channel=Channel.IN_PERSON, received_at=at(2026, 11, 2, 9), **values)


# --- in person: an identity document and at most five representatives (seed 004 五(二)4) ----------


def test_the_test_identity_number_is_valid():
    assert resident_id_problem(RESIDENT_ID) is None
    assert resident_id_problem(WRONG_CHECK) is not None


def test_in_person_without_an_identity_document_is_refused(org, calendar):
    before = saved()
    with travel(at(2026, 11, 2, 10)):
        with pytest.raises(DomainError, match="In person, an identity document is shown"):
            in_person(org, id_type="", id_number="")
        with pytest.raises(DomainError, match="Give the number of the identity document"):
            in_person(org, id_number=" ")
        with pytest.raises(DomainError, match="check character is wrong"):
            in_person(org, id_number=WRONG_CHECK)
        with pytest.raises(DomainError, match="18 characters"):
            in_person(org, id_number="1101051949")
        with pytest.raises(DomainError, match="not anonymous"):
            in_person(org, anonymous=True)
    assert saved() == before

    with travel(at(2026, 11, 2, 10)):
        filed = in_person(org, id_number=RESIDENT_ID.lower())
    complaint = filed.complaint
    assert (complaint.channel, complaint.id_type, complaint.id_number) == (
        Channel.IN_PERSON,
        IdType.RESIDENT_ID,
        RESIDENT_ID,
    )
    assert complaint.recorded_by == org.users[Role.OFFICE]
    # Staff see it masked: the first and last characters only.
    assert complaint.id_number_masked == "110*************2X"
    # Another document than the resident card is taken as typed.
    with travel(at(2026, 11, 2, 10)):
        passport = in_person(org, id_type=IdType.PASSPORT, id_number="E12345678")
    assert passport.complaint.id_number == "E12345678"


def _representative(number: int, **kwargs) -> dict:
    return {
        "name": f"代表{number}",
        "id_type": IdType.PASSPORT,
        "id_number": f"E0000000{number}",
        "phone": f"0371-0999000{number}",
        **kwargs,
    }


def test_a_group_sends_at_most_five_representatives(org, calendar):
    five = [_representative(n) for n in range(1, 6)]
    with travel(at(2026, 11, 2, 10)):
        filed = in_person(org, representatives=five)
    people = list(Representative.objects.filter(complaint=filed.complaint))
    assert [p.name for p in people] == [f"代表{n}" for n in range(1, 6)]
    assert people[0].id_number_masked == "E******01"

    before = saved()
    with travel(at(2026, 11, 2, 10)):
        with pytest.raises(DomainError, match="A group sends at most 5 representatives"):
            in_person(org, representatives=[*five, _representative(6)])
        with pytest.raises(DomainError, match=r"Representative 2: .*check character is wrong"):
            in_person(
                org,
                representatives=[
                    _representative(1),
                    _representative(2, id_type=IdType.RESIDENT_ID, id_number=WRONG_CHECK),
                ],
            )
        with pytest.raises(DomainError, match="representative's name"):
            in_person(org, representatives=[_representative(1, name="")])
    assert saved() == before


def test_staff_record_only_what_reached_them_and_not_in_the_future(org, calendar):
    before = saved()
    with travel(at(2026, 11, 2, 10)):
        with pytest.raises(DomainError, match="cannot be in the future"):
            build.record(org, received_at=at(2026, 11, 3, 9))
        with pytest.raises(DomainError, match="Choose how the complaint was received"):
            build.record(org, channel=Channel.ONLINE, received_at=at(2026, 11, 2, 9))
        with pytest.raises(DomainError):
            services.complaint_record(
                actor=org.users[Role.SUPERVISOR],
                channel=Channel.PHONE,
                received_at=at(2026, 11, 2, 9),
                ground=Ground.NOT_AS_LISTED,
                facts="电话投诉。",
                complainant_kind=ComplainantKind.CITIZEN,
                department=org.departments["salt"],
                name="李四",
                phone="0371-09990001",
            )
    assert saved() == before
    with travel(at(2026, 11, 2, 10)):
        letter = build.record(org, channel=Channel.LETTER, received_at=at(2026, 10, 30, 9))
    assert (letter.complaint.channel, letter.complaint.received_at) == (
        Channel.LETTER,
        at(2026, 10, 30, 9),
    )


# --- what a complaint must say (seed 004 五(二)5) -------------------------------------------------


def test_the_complainant_confirms_the_statement_is_true(org, calendar):
    before = saved()
    with pytest.raises(DomainError, match="malicious and false complaints are not allowed"):
        services.complaint_file(
            actor=None,
            department=org.departments["salt"],
            ground=Ground.NOT_AS_LISTED,
            facts="要求提交无依据的证明材料。",
            complainant_kind=ComplainantKind.CITIZEN,
            name="王小明",
            phone="0371-09990001",
            truthful=False,
        )
    assert saved() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"facts": "  "}, "Give the facts"),
        ({"ground": "g10"}, "Choose the ground"),
        ({"name": ""}, "Give the name"),
        ({"phone": ""}, "Give a contact"),
        ({"phone": "call me"}, "A phone number has digits"),
        ({"phone": "", "email": "not-an-address"}, "The e-mail address is not valid"),
        ({"department": None}, "Choose the department"),
        ({"facts": "事实\x00说明"}, r"^facts: "),
    ],
)
def test_what_is_missing_or_malformed_is_said(org, calendar, changes, message):
    values = {
        "actor": None,
        "department": org.departments["salt"],
        "ground": Ground.NOT_AS_LISTED,
        "facts": "要求提交无依据的证明材料。",
        "complainant_kind": ComplainantKind.CITIZEN,
        "name": "王小明",
        "phone": "0371-09990001",
        "truthful": True,
        **changes,
    }
    with pytest.raises(DomainError, match=message):
        services.complaint_file(**values)
    assert saved() == (0, 0, 0, 0)


def test_an_anonymous_complaint_keeps_no_name_or_contact_and_is_tracked_by_its_code(org, calendar):
    filed = build.file(
        org, anonymous=True, name="王小明", phone="0371-09990001", email="wang@example.invalid"
    )
    complaint = Complaint.objects.get(pk=filed.complaint.pk)
    assert complaint.anonymous
    assert (complaint.name, complaint.phone, complaint.email, complaint.address) == ("", "", "", "")
    assert complaint.contact_key == ""
    assert mail.outbox == []
    tracked = selectors.complaint_track(code=complaint.code, secret=filed.secret)
    assert tracked.state_label == "Received, awaiting acceptance"
    assert [stage.transition for stage in tracked.stages] == ["file"]
    assert selectors.complaint_track(code=complaint.code, secret="") is None


def test_the_code_and_secret_are_mailed_once_when_an_address_is_given(
    org, calendar, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        filed = build.file(org, email="wang@example.invalid")
    (message,) = mail.outbox
    assert message.to == ["wang@example.invalid"]
    assert filed.complaint.code in message.body
    assert filed.secret in message.body


# --- evidence (issue 12 §9) -----------------------------------------------------------------------


def test_a_program_renamed_pdf_is_refused_and_nothing_is_saved(org, calendar):
    program = SimpleUploadedFile("证据.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)
    problems = services.evidence_problems([program])
    assert len(problems) == 1
    assert "the content is not a PDF file" in problems[0]
    before = saved()
    with pytest.raises(DomainError, match="the content is not a PDF file"):
        build.file(org, files=[pdf(), program])
    assert saved() == before


def test_too_many_or_too_large_evidence_files_are_refused(org, calendar):
    too_many = [pdf(f"证据{n}.pdf") for n in range(services.MAX_EVIDENCE_FILES + 1)]
    assert services.evidence_problems(too_many) == ["Attach at most 5 files."]
    large = pdf("大文件.pdf", size=services.MAX_EVIDENCE_BYTES + 1)
    assert services.evidence_problems([large]) == ["“大文件.pdf” is larger than 10 MB."]
    together = [pdf(f"证据{n}.pdf", size=9 * 1024 * 1024) for n in range(3)]
    assert services.evidence_problems(together) == ["The files together are larger than 25 MB."]
    assert services.evidence_problems([SimpleUploadedFile("空.pdf", b"")]) == ["“空.pdf” is empty."]
    assert (
        "cannot be attached" in services.evidence_problems([SimpleUploadedFile("a.exe", b"MZ")])[0]
    )
    before = saved()
    for files in (too_many, [large], together):
        with pytest.raises(DomainError):
            build.file(org, files=files)
    assert saved() == before


def test_evidence_is_kept_with_its_name_size_and_digest_under_a_random_name(org, calendar):
    filed = build.file(org, files=[pdf("收费凭证.pdf"), pdf("告知书.pdf")])
    stored = list(Evidence.objects.filter(complaint=filed.complaint))
    assert [e.name for e in stored] == ["收费凭证.pdf", "告知书.pdf"]
    assert all(len(e.sha256) == 64 and e.size > 0 for e in stored)
    assert all("收费" not in e.file.name and e.file.name.endswith(".pdf") for e in stored)
    assert not any(e.file.name.startswith("static") for e in stored)


# --- items route the complaint (issue 12 §5) ------------------------------------------------------


def test_an_item_routes_the_complaint_to_its_implementing_body(org, calendar):
    """An item of 上街区盐业管理局: the district office accepts, the district bureau answers."""
    entry = published_entry(org, district=True)
    filed = build.file(org, entries=[entry])
    complaint = filed.complaint
    assert (complaint.jurisdiction, complaint.department) == (
        org.district,
        org.district_departments["salt"],
    )
    (item,) = ComplaintItem.objects.filter(complaint=complaint)
    assert (item.entry, item.version, item.code, item.name) == (
        entry,
        entry.version,
        entry.code,
        entry.name,
    )
    accept = build.open_step(complaint)
    assert accept.department == org.district_departments["office"]
    assert [s.complaint for s in selectors.waiting_steps(user=org.district_users[Role.OFFICE])] == [
        complaint
    ]
    assert list(selectors.waiting_steps(user=org.users[Role.OFFICE])) == []
    complaint = services.complaint_accept(
        actor=org.district_users[Role.OFFICE], complaint=complaint
    )
    assert (
        build.open_step(complaint, StepKind.HANDLE).department == org.district_departments["salt"]
    )
    assert [s.complaint for s in selectors.waiting_steps(user=org.district_users[Role.CLERK])] == [
        complaint
    ]
    # The city's clerk of the salt bureau has nothing to do with it.
    assert complaint not in selectors.complaints(user=org.users[Role.CLERK])


def test_the_item_wins_over_the_department_chosen(org, calendar):
    entry = published_entry(org, district=True)
    filed = build.file(org, department=org.departments["salt"], entries=[entry])
    assert filed.complaint.department == org.district_departments["salt"]


def test_the_acceptance_may_be_the_departments_by_policy(org, calendar):
    services.complaint_policy_save(
        actor=org.users[Role.OFFICE], jurisdiction=org.city, values={"acceptance_by": "department"}
    )
    filed = build.file(org)
    accept = build.open_step(filed.complaint)
    assert (accept.department, accept.role) == (org.departments["salt"], Role.CLERK)
    complaint = services.complaint_accept(actor=org.users[Role.CLERK], complaint=filed.complaint)
    assert complaint.state == ComplaintState.HANDLING


def test_only_published_items_can_be_named(org, calendar):
    entry = numbered_entry(org, 1)
    # A draft of a new item has no published entry: what a form could post is an id the public
    # register does not show.
    unpublished = Entry(pk=entry.pk + 1000, name="未公布的事项")
    before = saved()
    with pytest.raises(DomainError, match="not on the published lists"):
        build.file(org, entries=[entry, unpublished])
    too_many = [numbered_entry(org, n) for n in range(2, 2 + services.MAX_ITEMS + 1)]
    with pytest.raises(DomainError, match="Name at most 10 items"):
        build.file(org, entries=too_many)
    assert saved() == before
    # The same item twice is named once.
    filed = build.file(org, entries=[entry, entry])
    assert ComplaintItem.objects.filter(complaint=filed.complaint).count() == 1


# --- the tracking code (issue 12 §3) --------------------------------------------------------------

CODE = re.compile(r"^TS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
SECRET = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


def test_codes_are_random_and_the_secret_is_kept_only_as_a_hash(org, calendar):
    first = build.file(org)
    second = build.file(org)
    for filed in (first, second):
        assert CODE.match(filed.complaint.code), filed.complaint.code
        assert SECRET.match(filed.secret), filed.secret
    assert first.complaint.code != second.complaint.code
    assert first.secret != second.secret
    row = Complaint.objects.values().get(pk=first.complaint.pk)
    secret_bare = first.secret.replace("-", "")
    assert not any(
        isinstance(value, str) and (first.secret in value or secret_bare in value)
        for value in row.values()
    )
    assert row["secret_hash"] == services.secret_hash(first.complaint.code, first.secret)
    assert len(row["secret_hash"]) == 64
    # One complaint's secret does not open another.
    assert selectors.complaint_track(code=second.complaint.code, secret=first.secret) is None
    # Codes issued over a moment are not consecutive: nothing to enumerate.
    assert first.complaint.code[3:] != second.complaint.code[3:]


def test_a_code_and_secret_typed_loosely_are_found(org, calendar):
    filed = build.file(org)
    code, secret = filed.complaint.code, filed.secret
    typed_code = " " + code.lower().replace("-", " ") + " "
    typed_secret = secret.lower().replace("-", "  ")
    tracked = selectors.complaint_track(code=typed_code, secret=typed_secret)
    assert tracked is not None and tracked.complaint == filed.complaint
    # 0 read as O, 1 as I or L: the alphabet has none of those letters.
    misread = code.replace("0", "O").replace("1", "l")
    assert selectors.complaint_track(code=misread, secret=secret).complaint == filed.complaint
    assert selectors.complaint_track(code=code[:-1], secret=secret) is None
    assert selectors.complaint_track(code="", secret="") is None


def test_a_complaint_received_now_starts_the_acceptance_at_once(org, calendar):
    with travel(at(2026, 11, 2, 10)):
        filed = build.file(org)
    complaint = filed.complaint
    assert complaint.received_at == at(2026, 11, 2, 10)
    assert complaint.channel == Channel.ONLINE and complaint.recorded_by is None
    accept = build.open_step(complaint)
    assert accept.started_at == accept.period_from == at(2026, 11, 2, 10)
