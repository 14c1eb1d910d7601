"""Receiving complaints (issue 12 §1–3, §9): online from anyone, and recorded by staff when
they come by phone, fax, letter, e-mail or in person; the tracking code and its secret; the
evidence files.

Seed 004 五(二)5 (投诉要素): "应当有明确的投诉对象、投诉的事实和理由及相应证明材料，并附投诉人的
名称（姓名）、联系方式等有效身份信息。投诉内容应当真实、客观。投诉人不得恶意投诉、虚假投诉。"
Seed 004 五(二)4: in person an identity document is shown and a group sends at most five
representatives. SPEC §5: real names are encouraged, an anonymous complaint is allowed.
"""

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.checkers import resident_id_problem, text_problem, upload_sha256, uploads_problems
from core.models import Department, User
from core.permissions import Action, restrict
from core.services import DomainError, office_of, permission_require
from registry.models import Entry

from ..choices import (
    STAFF_CHANNELS,
    AcceptanceBy,
    Channel,
    ComplainantKind,
    Ground,
    IdType,
    StepKind,
    Transition,
)
from ..models import Complaint, ComplaintItem, Evidence, Representative
from ..permissions import RECORD
from .procedure import _event, _now, _start, policy_for
from .repeats import contact_key, repeat_keys_save

# This product's defaults: evidence files per complaint and their sizes.
MAX_EVIDENCE_FILES = 5
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_TOTAL = 25 * 1024 * 1024
EVIDENCE_SUFFIXES = frozenset(
    {"pdf", "ofd", "jpg", "jpeg", "png", "tif", "tiff", "doc", "docx", "wps", "xls", "xlsx", "txt"}
)
# Seed 004 五(二)4: 群体投诉的，应推选代表，代表人数不超过5人.
MAX_REPRESENTATIVES = 5
MAX_ITEMS = 10

# Tracking codes and secrets: letters and digits that cannot be misread (no I, L, O, U).
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits: not guessable, not enumerable
SECRET_LENGTH = 10  # 50 more bits, never stored in clear


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _new_code() -> str:
    raw = _random(CODE_LENGTH)
    return f"TS-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _new_secret() -> str:
    raw = _random(SECRET_LENGTH)
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(text: str) -> str:
    """A code or secret as typed (lower case, spaces, O for 0, I or L for 1) as issued."""
    cleaned = "".join(c for c in (text or "").upper() if c.isalnum())
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def code_as_issued(text: str) -> str:
    """A tracking code as typed, in the form it was issued (TS-XXXX-XXXX-XXXX)."""
    raw = normalise_code(text)
    if raw.startswith("TS"):
        raw = raw[2:]
    return f"TS-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def secret_hash(code: str, secret: str) -> str:
    """The secret is high-entropy, so one SHA-256 over code and secret suffices to store it."""
    return hashlib.sha256(f"{normalise_code(code)}:{normalise_code(secret)}".encode()).hexdigest()


def secret_matches(complaint: Complaint, secret: str) -> bool:
    return hmac.compare_digest(complaint.secret_hash, secret_hash(complaint.code, secret))


@dataclass(frozen=True)
class Filed:
    """A complaint just received and its secret, shown once to whoever filed it."""

    complaint: Complaint
    secret: str


def evidence_problems(files: Sequence[UploadedFile]) -> list[str]:
    """Why these files cannot be attached: at most MAX_EVIDENCE_FILES, each checked by its
    content (core.checkers.upload_problem: a program named .pdf is refused), each within
    MAX_EVIDENCE_BYTES and together within MAX_EVIDENCE_TOTAL (this product's defaults)."""
    return uploads_problems(
        files,
        suffixes=EVIDENCE_SUFFIXES,
        max_files=MAX_EVIDENCE_FILES,
        max_bytes=MAX_EVIDENCE_BYTES,
        max_total=MAX_EVIDENCE_TOTAL,
    )


def _evidence_save(complaint: Complaint, files: Sequence[UploadedFile]) -> None:
    for upload in files:
        Evidence.objects.create(
            complaint=complaint,
            file=upload,
            name=(upload.name or "")[:200],
            size=upload.size,
            sha256=upload_sha256(upload),
        )


def _text(value: str, what: str, *, required: bool, multiline: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("Give the %(what)s.") % {"what": what})
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise DomainError(f"{what}: {problem}")
    return value


def _id_problem(id_type: str, id_number: str) -> str | None:
    if id_type not in IdType.values:
        return _("Choose the identity document shown.")
    if not id_number.strip():
        return _("Give the number of the identity document shown.")
    if id_type == IdType.RESIDENT_ID:
        return resident_id_problem(id_number)
    return text_problem(id_number, multiline=False)


def _published_entries(entries: Sequence[Entry]) -> list[Entry]:
    """The items named, as the public sees them (drafts and unpublished items cannot be
    named)."""
    if len(entries) > MAX_ITEMS:
        raise DomainError(_("Name at most %(count)s items.") % {"count": MAX_ITEMS})
    ids = [entry.pk for entry in entries]
    visible = {
        entry.pk: entry
        for entry in restrict(Entry.objects.filter(pk__in=ids), None, Action.VIEW).select_related(
            "department__jurisdiction"
        )
    }
    missing = [pk for pk in ids if pk not in visible]
    if missing:
        raise DomainError(_("An item named is not on the published lists."))
    return [visible[pk] for pk in dict.fromkeys(ids)]


def _create(
    *,
    actor: User | None,
    channel: str,
    received_at: datetime.datetime,
    department: Department | None,
    entries: Sequence[Entry],
    ground: str,
    facts: str,
    reasons: str,
    complainant_kind: str,
    anonymous: bool,
    name: str,
    phone: str,
    email: str,
    address: str,
    truthful: bool,
    files: Sequence[UploadedFile],
    id_type: str = "",
    id_number: str = "",
    representatives: Sequence[dict] = (),
) -> Filed:
    if not truthful:
        raise DomainError(
            _(
                "Confirm that what you state is true: malicious and false complaints are not "
                "allowed (seed 004 五(二)5)."
            )
        )
    if ground not in Ground.values:
        raise DomainError(_("Choose the ground of the complaint."))
    if complainant_kind not in ComplainantKind.values:
        raise DomainError(
            _("Say whether you complain as a citizen, a legal person or another organisation.")
        )
    facts = _text(facts, _("facts"), required=True, multiline=True)
    reasons = _text(reasons, _("reasons"), required=False, multiline=True)
    named = _published_entries(entries)
    if named:
        # Issue 12 §5: a complaint naming items goes to their implementing body.
        department = named[0].department
    if department is None:
        raise DomainError(_("Choose the department the complaint is about."))
    if anonymous:
        name = phone = email = address = ""
    else:
        name = _text(name, _("name"), required=True)
        phone = _text(phone, _("phone"), required=False)
        email = _text(email, _("e-mail"), required=False)
        address = _text(address, _("address"), required=False)
        if not phone and not email and not address:
            raise DomainError(
                _("Give a contact (phone, e-mail or address), or complain anonymously.")
            )
        if phone and not all(c.isdigit() or c in "+-() " for c in phone):
            raise DomainError(_("A phone number has digits, spaces, +, - and brackets only."))
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                raise DomainError(_("The e-mail address is not valid.")) from error
    problems = evidence_problems(files)
    if problems:
        raise DomainError(" ".join(problems))

    jurisdiction = department.jurisdiction
    policy = policy_for(jurisdiction)
    if policy.acceptance_by == AcceptanceBy.DEPARTMENT:
        holder = department
    else:
        holder = office_of(jurisdiction)
    secret = _new_secret()
    for _attempt in range(5):
        code = _new_code()
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(
                    code=code,
                    secret_hash=secret_hash(code, secret),
                    jurisdiction=jurisdiction,
                    department=department,
                    ground=ground,
                    facts=facts,
                    reasons=reasons,
                    channel=channel,
                    received_at=received_at,
                    recorded_by=actor if actor is not None and actor.is_authenticated else None,
                    complainant_kind=complainant_kind,
                    anonymous=anonymous,
                    name=name,
                    phone=phone,
                    email=email,
                    address=address,
                    id_type=id_type,
                    id_number=id_number.strip().upper()
                    if id_type == IdType.RESIDENT_ID
                    else id_number.strip(),
                    contact_key=contact_key(phone, email),
                    truthful=True,
                )
            break
        except IntegrityError:
            # Two codes of 60 random bits collided: draw again.
            continue
    else:
        raise DomainError(_("No tracking code could be issued; try again."))
    ComplaintItem.objects.bulk_create(
        [
            ComplaintItem(
                complaint=complaint,
                entry=entry,
                version=entry.version,
                code=entry.code,
                name=entry.name,
            )
            for entry in named
        ]
    )
    Representative.objects.bulk_create(
        [
            Representative(
                complaint=complaint,
                name=person["name"],
                id_type=person["id_type"],
                id_number=person["id_number"],
                phone=person.get("phone", ""),
            )
            for person in representatives
        ]
    )
    _evidence_save(complaint, files)
    repeat_keys_save(complaint)
    now = _now()
    _start(
        complaint,
        StepKind.ACCEPT,
        holder,
        at=now,
        period_from=received_at,
        days=policy.accept_days,
        acceptance_by=policy.acceptance_by,
    )
    _event(
        complaint,
        Transition.FILE,
        actor=actor,
        from_state="",
        at=now,
        detail={"channel": channel, "items": [entry.code for entry in named]},
    )
    if email:
        transaction.on_commit(lambda: _receipt_send(complaint, secret), robust=True)
    return Filed(complaint, secret)


def _receipt_send(complaint: Complaint, secret: str) -> None:
    """The code and secret by e-mail (issue 12 §3); the secret is not kept, so this is the only
    copy besides the page that showed it."""
    send_mail(
        subject=_("Your complaint %(code)s was received") % {"code": complaint.code},
        message=_(
            "Your complaint was received on %(day)s.\n\nTracking code: %(code)s\nSecret: "
            "%(secret)s\n\nFollow it on the complaints tracking page with both. Keep the secret "
            "to yourself: it is not kept by us and cannot be shown again."
        )
        % {
            "day": timezone.localdate(complaint.received_at).isoformat(),
            "code": complaint.code,
            "secret": secret,
        },
        from_email=None,
        recipient_list=[complaint.email],
        fail_silently=True,
    )


@transaction.atomic
def complaint_file(
    *,
    actor: User | None,
    ground: str,
    facts: str,
    complainant_kind: str,
    truthful: bool,
    department: Department | None = None,
    entries: Sequence[Entry] = (),
    reasons: str = "",
    anonymous: bool = False,
    name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    files: Sequence[UploadedFile] = (),
) -> Filed:
    """Issue 12 §1: anyone files a complaint online (seed 002 第十三条: 畅通投诉举报渠道,
    "无障碍"投诉). It is received now; the acceptance step starts at once for the office of the
    department's jurisdiction (or the department, by policy), due 15 日 after receipt by
    default (信访工作条例 art. 23). Returns the complaint and its secret (shown once)."""
    return _create(
        actor=actor,
        channel=Channel.ONLINE,
        received_at=_now(),
        department=department,
        entries=entries,
        ground=ground,
        facts=facts,
        reasons=reasons,
        complainant_kind=complainant_kind,
        anonymous=anonymous,
        name=name,
        phone=phone,
        email=email,
        address=address,
        truthful=truthful,
        files=files,
    )


@transaction.atomic
def complaint_record(
    *,
    actor: User,
    channel: str,
    received_at: datetime.datetime,
    ground: str,
    facts: str,
    complainant_kind: str,
    department: Department | None = None,
    entries: Sequence[Entry] = (),
    reasons: str = "",
    anonymous: bool = False,
    name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    id_type: str = "",
    id_number: str = "",
    representatives: Sequence[dict] = (),
    files: Sequence[UploadedFile] = (),
) -> Filed:
    """Issue 12 §2: staff record a complaint received by phone, fax, letter, e-mail or in
    person, with the channel and the day it was received (the acceptance period counts from
    it). In person (seed 004 五(二)4) the identity document is required, and a group records at
    most five representatives, each with their document. The complainant's statement that it
    is true is the staff's record of it (seed 004 五(二)5)."""
    permission_require(actor, RECORD, Complaint)
    if channel not in STAFF_CHANNELS:
        raise DomainError(_("Choose how the complaint was received."))
    if received_at > _now():
        raise DomainError(_("The day of receipt cannot be in the future."))
    people = []
    if len(representatives) > MAX_REPRESENTATIVES:
        raise DomainError(
            _("A group sends at most %(count)s representatives (seed 004 五(二)4).")
            % {"count": MAX_REPRESENTATIVES}
        )
    for number, person in enumerate(representatives, start=1):
        person_name = _text(person.get("name", ""), _("representative's name"), required=True)
        problem = _id_problem(person.get("id_type", ""), person.get("id_number", ""))
        if problem:
            raise DomainError(
                _("Representative %(number)s: %(problem)s") % {"number": number, "problem": problem}
            )
        people.append({**person, "name": person_name, "id_number": person["id_number"].strip()})
    if channel == Channel.IN_PERSON:
        if anonymous:
            raise DomainError(
                _(
                    "A complaint made in person is not anonymous: record the identity "
                    "document shown."
                )
            )
        problem = _id_problem(id_type, id_number)
        if problem:
            raise DomainError(
                _("In person, an identity document is shown (seed 004 五(二)4): %(problem)s")
                % {"problem": problem}
            )
    elif id_type or id_number:
        problem = _id_problem(id_type, id_number)
        if problem:
            raise DomainError(problem)
    return _create(
        actor=actor,
        channel=channel,
        received_at=received_at,
        department=department,
        entries=entries,
        ground=ground,
        facts=facts,
        reasons=reasons,
        complainant_kind=complainant_kind,
        anonymous=anonymous,
        name=name,
        phone=phone,
        email=email,
        address=address,
        truthful=True,
        files=files,
        id_type=id_type,
        id_number=id_number,
        representatives=people,
    )
