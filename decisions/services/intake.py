"""Intake from the departments' case systems (issue 14 §5): departments keep their own
case-handling systems and push their decisions here with a key of their department.

- A key (`ApiToken`) belongs to one department: what it pushes is recorded as that department's,
  it names only that department's enforcement bodies, items (by implementation code) and
  officers (by certificate number), and it reads only that department's decisions. Only the
  key's SHA-256 is kept; the secret is shown once, when the key is made. A revoked key is
  refused.
- A push names the decision by the case system's reference (`external_id`): a new reference is
  recorded (decision_record), a known one corrected (decision_correct, a new version the credit
  feed sends again), one pushed with `revoked: true` revoked (decision_revoke). Every decision
  keeps the checks of decision_record, whatever its intake.
- Every call is audited (全过程"痕迹"管理, seed 002 监督检查办法 第十二条): what a push changes
  leaves the decision's event and audit rows with the key's prefix; a refused call leaves an
  audit row of its own, written in a transaction of its own after the refused work was rolled
  back, so the refusal stays on record; a read leaves a row too.

The same resolution of names (`DepartmentLookups`, `decision_values`) serves the Excel import
(decisions.services.imports).
"""

import datetime
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.checkers import text_problem
from core.choices import AuditAction
from core.models import Department, EnforcementCertificate, Person, User
from core.permissions import Action
from core.services import DomainError, audit_record, permission_require, require_text
from registry.models import Entry

from ..choices import Source
from ..models import ApiToken, Decision, EnforcementBody, token_digest
from .decisions import (
    DecisionValues,
    RowProblems,
    decision_correct,
    decision_record,
    decision_revoke,
    decision_serve,
)

# The length of the key's beginning that is kept in clear to name it on pages and in the
# audit trail (the rest is known only to the case system).
PREFIX_LENGTH = 8
# A key's secret: 32 random bytes, URL-safe (43 characters).
SECRET_BYTES = 32
# A longer "secret" is not one of ours: refused before it is hashed.
MAX_SECRET_LENGTH = 200
# last_used_at is written at most this often per key (this product's default): a busy case
# system must not turn every call into a write of its key's row.
LAST_USED_EVERY = datetime.timedelta(minutes=1)
# Decision.external_id's length.
MAX_REFERENCE_LENGTH = 100
# The most decisions one call may push (this product's default): a batch is one transaction.
MAX_BATCH = 100

# The values a decision is pushed with, besides the references resolved here.
PUSH_FIELDS = (
    "external_id",
    "title",
    "number",
    "party_kind",
    "party_name",
    "party_credit_code",
    "legal_representative",
    "party_id_number",
    "party_contact",
    "content",
    "basis",
    "penalty_kinds",
    "fine_amount",
    "confiscated_amount",
    "licence_name",
    "licence_number",
    "valid_from",
    "valid_until",
    "filed_on",
    "decided_on",
    "served_on",
    "major",
    "legal_review_on",
    "legal_reviewer",
    "legal_review_opinion",
    "collective_on",
    "collective_note",
)
_SEPARATORS = re.compile(r"[\s,，、;；]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text, length: int = MAX_REFERENCE_LENGTH) -> str:
    """What a caller sent, as an audit row may hold it: control characters dropped (a JSON
    column of PostgreSQL refuses NUL), cut to `length`."""
    return _CONTROL.sub("", str(text))[:length]


def _key_detail(token: ApiToken, **detail) -> dict:
    """What an audit row of a key's call says: the key by its prefix (never the secret)."""
    return {"key": token.prefix, "username": f"key:{token.prefix}", **detail}


# --- keys ------------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, actor: User, department: Department, name: str) -> tuple[ApiToken, str]:
    """A key for a department's case system (issue 14 §5), made by a clerk of the department or
    an administrator of its jurisdiction. Returns the key and its secret: the secret is shown
    this once and never kept (only its SHA-256 is)."""
    permission_require(actor, Action.ADD, ApiToken)
    name = require_text(name, _("name of the case system"), multiline=False)
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise DomainError(_("The name is too long (at most 100 characters)."))
    secret = secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken.objects.create(
        department=department,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        digest=token_digest(secret),
        created_by=actor,
    )
    # Checked on the saved key, through the one rule (a clerk's own department, an
    # administrator's jurisdiction): a refusal rolls the key back.
    permission_require(actor, Action.ADD, token)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=token,
        jurisdiction=department.jurisdiction,
        detail={"key": token.prefix},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revokes a key at once: every later call with it is refused (401). Irreversible: the
    case system needs a new key."""
    locked = ApiToken.objects.select_for_update().select_related("department").get(pk=token.pk)
    permission_require(actor, Action.CHANGE, locked)
    if locked.revoked_at is not None:
        raise DomainError(_("This key is revoked already."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        jurisdiction=locked.department.jurisdiction,
        detail={"key": locked.prefix, "revoked": True},
    )
    return locked


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The live key whose secret this is, or None. The lookup is by the secret's SHA-256 (an
    index of digests: its time says nothing about how much of a secret was right), then the
    digests are compared in constant time. A refused secret that names a key (revoked) leaves
    an audit row; an unknown one too, under the beginning it was given with."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    digest = token_digest(secret)
    token = (
        ApiToken.objects.select_related("department__jurisdiction").filter(digest=digest).first()
    )
    if token is None or not hmac.compare_digest(token.digest, digest):
        _refusal_audit(
            token=None,
            action=AuditAction.LOGIN_FAILED,
            detail={
                "key": printable(secret, PREFIX_LENGTH),
                "username": f"key:{printable(secret, PREFIX_LENGTH)}",
                "reason": "unknown key",
            },
        )
        return None
    if token.revoked_at is not None:
        _refusal_audit(
            token=token,
            action=AuditAction.LOGIN_FAILED,
            detail=_key_detail(token, reason="revoked key"),
        )
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        # One UPDATE by primary key, outside any transaction of the call.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _refusal_audit(*, token: ApiToken | None, action: str, detail: dict, obj=None) -> None:
    """The audit row of a refused call, in its own transaction: when the call's work is
    rolled back (or there is none) the row stays. Called after the refused transaction ended."""
    with transaction.atomic():
        audit_record(
            actor=None,
            action=action,
            obj=obj if obj is not None else token,
            jurisdiction=token.department.jurisdiction if token else None,
            detail=detail,
        )


def intake_refused(*, token: ApiToken, call: str, external_ids: Sequence[str], reason: str) -> None:
    """The audit row of a call refused before any decision was touched (a body that is not a
    decision, a reference the department does not have): in its own transaction."""
    _refusal_audit(
        token=token,
        action=AuditAction.UPDATE if call == "update" else AuditAction.CREATE,
        detail=_key_detail(
            token,
            call=call,
            refused=True,
            reason=reason,
            external_ids=[printable(reference) for reference in external_ids[:MAX_BATCH]],
        ),
    )


def intake_read_record(*, token: ApiToken, external_id: str, decision: Decision | None) -> None:
    """The audit row of a read: which key asked for which reference, and whether its
    department has it (a key never reads another department's decisions)."""
    audit_record(
        actor=None,
        action=AuditAction.LOGIN,
        obj=decision if decision is not None else token,
        jurisdiction=token.department.jurisdiction,
        detail=_key_detail(
            token, call="read", external_id=printable(external_id), found=decision is not None
        ),
    )


# --- resolving what a row or a push names ---------------------------------------------------


@dataclass
class DepartmentLookups:
    """The department's enforcement bodies, items and officers' certificates, loaded once
    (three queries), so an import of thousands of rows resolves its names without a query per
    row. Only the department's own are found: another department's never are."""

    department: Department
    _bodies: dict[str, EnforcementBody] | None = None
    _body_ids: dict[int, EnforcementBody] = field(default_factory=dict)
    _items: dict[str, Entry] | None = None
    _certificates: dict[str, Person] | None = None

    def bodies(self) -> dict[str, EnforcementBody]:
        if self._bodies is None:
            found = list(EnforcementBody.objects.filter(department=self.department))
            self._bodies = {body.name: body for body in found}
            self._body_ids = {body.pk: body for body in found}
        return self._bodies

    def body(self, reference) -> EnforcementBody | None:
        self.bodies()
        text = str(reference).strip()
        if text in self._bodies:
            return self._bodies[text]
        if text.isascii() and text.isdigit() and len(text) < 12:
            return self._body_ids.get(int(text))
        return None

    def items(self) -> dict[str, Entry]:
        if self._items is None:
            self._items = {
                entry.code: entry
                for entry in Entry.objects.filter(department=self.department).select_related(
                    "category"
                )
            }
        return self._items

    def item(self, code: str) -> Entry | None:
        return self.items().get(code)

    def certificates(self) -> dict[str, Person]:
        if self._certificates is None:
            self._certificates = {
                certificate.number: certificate.person
                for certificate in EnforcementCertificate.objects.filter(
                    person__department=self.department
                ).select_related("person")
            }
        return self._certificates

    def item_departments(self, codes: Iterable[str]) -> dict[str, str]:
        """Codes of items of other departments → the department's name (to say why the item
        is refused): one query for the codes not found here."""
        # A code with a control character is no code (and PostgreSQL refuses NUL): not asked.
        asked = [code for code in codes if printable(code, len(code)) == code]
        return dict(
            Entry.objects.filter(code__in=asked)
            .exclude(department=self.department)
            .values_list("code", "department__name")
        )


def officer_numbers(value) -> list[str]:
    """Certificate numbers from a list or from one cell (separated by spaces, commas, 、 or
    semicolons)."""
    if value in (None, ""):
        return []
    parts = value if isinstance(value, list | tuple) else _SEPARATORS.split(str(value))
    return [str(part).strip() for part in parts if str(part).strip()]


def decision_values(
    lookups: DepartmentLookups, raw: dict, *, item_departments: dict[str, str] | None = None
) -> DecisionValues:
    """The body, item and officers `raw` names, resolved in the lookups' department, with the
    other values as given; every name that is not the department's is a problem of its field
    (RowProblems), so a key or an upload can never reach another department's records."""
    problems: dict[str, list[str]] = {}
    department = lookups.department
    body = None
    if raw.get("body") in (None, ""):
        problems["body"] = [_("Name the enforcement body.")]
    else:
        body = lookups.body(raw["body"])
        if body is None:
            problems["body"] = [
                _("%(department)s has no enforcement body “%(body)s”.")
                % {"department": department, "body": str(raw["body"])[:100]}
            ]
    item = None
    code = str(raw.get("item") or "").strip()
    if not code:
        problems["item"] = [_("Give the item's implementation code.")]
    else:
        item = lookups.item(code)
        if item is None:
            others = (
                item_departments
                if item_departments is not None
                else lookups.item_departments([code])
            )
            if code in others:
                problems["item"] = [
                    _("Item %(code)s is an item of %(other)s, not of %(department)s.")
                    % {"code": code, "other": others[code], "department": department}
                ]
            else:
                problems["item"] = [
                    _("There is no item with the implementation code %(code)s.")
                    % {"code": code[:64]}
                ]
    people = []
    unknown = []
    certificates = lookups.certificates()
    for number in officer_numbers(raw.get("officers")):
        if number in certificates:
            people.append(certificates[number])
        else:
            unknown.append(number[:40])
    if unknown:
        problems["officers"] = [
            _("No officer of %(department)s holds the certificate %(numbers)s.")
            % {"department": department, "numbers": "、".join(unknown)}
        ]
    if problems:
        raise RowProblems(problems)
    values = {name: raw[name] for name in PUSH_FIELDS if name in raw}
    return DecisionValues(body=body, item=item, officers=people, values=values)


# --- pushes ----------------------------------------------------------------------------------


def _push_one(token: ApiToken, raw: dict, lookups: DepartmentLookups) -> tuple[Decision, bool]:
    external_id = str(raw.get("external_id") or "").strip()
    if not external_id:
        raise RowProblems({"external_id": [_("Give the case system's reference of the decision.")]})
    # Checked before it reaches a query (PostgreSQL refuses a NUL in a text parameter).
    problem = text_problem(external_id, multiline=False)
    if problem or len(external_id) > MAX_REFERENCE_LENGTH:
        raise RowProblems(
            {"external_id": [problem or _("A reference has at most 100 characters.")]}
        )
    existing = (
        Decision.objects.filter(department=token.department, external_id=external_id)
        .select_related("department__jurisdiction", "jurisdiction", "body", "item")
        .first()
    )
    if raw.get("revoked"):
        if existing is None:
            raise RowProblems(
                {"external_id": [_("There is no decision with this reference to revoke.")]}
            )
        reason = str(raw.get("revocation_reason") or "").strip() or _(
            "Revoked by the department's case system"
        )
        return (
            decision_revoke(actor=None, decision=existing, reason=reason, key=token.prefix),
            False,
        )
    given = decision_values(lookups, {**raw, "external_id": external_id})
    if existing is None:
        decision = decision_record(
            actor=None,
            department=token.department,
            given=given,
            source=Source.API,
            key=token.prefix,
        )
        return decision, True
    values = dict(given.values)
    # A decision recorded as decided is served through its own step (which starts the
    # publication's 10 日, seed 002 监督检查办法 第十三条), not by a correction.
    serve_on = None
    if existing.served_on is None and values.get("served_on"):
        serve_on = values.pop("served_on")
    corrected = decision_correct(
        actor=None,
        decision=existing,
        given=DecisionValues(
            body=given.body, item=given.item, officers=given.officers, values=values
        ),
        reason=_("Case system update"),
        key=token.prefix,
    )
    if serve_on is not None:
        corrected = decision_serve(actor=None, decision=corrected, served_on=serve_on)
    return corrected, False


def _as_problems(refused: DomainError) -> dict[str, list[str]]:
    if isinstance(refused, RowProblems):
        return refused.problems
    # A refusal of the procedure (a revoked decision cannot change) concerns the decision the
    # reference names.
    return {"external_id": [str(refused)]}


def decisions_push(*, token: ApiToken, batch: Sequence[dict]) -> list[tuple[Decision, bool]]:
    """Pushes up to MAX_BATCH decisions of the key's department in one transaction: every one
    or none. Returns (decision, created) for each; refuses with RowProblems whose fields are
    named "<position>.<field>" (each decision's problems at once). A refusal is audited after
    the rollback, in a transaction of its own."""
    if not batch:
        raise RowProblems({"non_field_errors": [_("Send at least one decision.")]})
    if len(batch) > MAX_BATCH:
        raise RowProblems(
            {
                "non_field_errors": [
                    _("Send at most %(count)s decisions in one call.") % {"count": MAX_BATCH}
                ]
            }
        )
    lookups = DepartmentLookups(token.department)
    problems: dict[str, list[str]] = {}
    try:
        with transaction.atomic():
            results = []
            for position, raw in enumerate(batch):
                try:
                    # A savepoint each: a refused decision leaves nothing, the others are
                    # still checked so that every problem is reported at once.
                    with transaction.atomic():
                        results.append(_push_one(token, raw, lookups))
                except DomainError as refused:
                    for name, messages in _as_problems(refused).items():
                        problems[f"{position}.{name}"] = list(messages)
            if problems:
                raise RowProblems(problems)
    except RowProblems as refused:
        _push_refusal_audit(token, batch, refused.problems)
        raise
    return results


def decision_push(*, token: ApiToken, values: dict) -> tuple[Decision, bool]:
    """One decision pushed by a department's case system (issue 14 §5): recorded when its
    reference (`external_id`) is new, corrected when it is known (reason "Case system update"),
    revoked when pushed with `revoked: true`. The key's department is the decision's; bodies,
    items and officers are found in that department only. Refused with RowProblems by field;
    the refusal is audited in a transaction of its own, so it stays on record."""
    lookups = DepartmentLookups(token.department)
    try:
        with transaction.atomic():
            return _push_one(token, values, lookups)
    except DomainError as refused:
        problems = _as_problems(refused)
        _push_refusal_audit(token, [values], problems)
        if isinstance(refused, RowProblems):
            raise
        raise RowProblems(problems) from refused


def _push_refusal_audit(token: ApiToken, batch: Sequence[dict], problems: dict) -> None:
    references = [printable(raw.get("external_id") or "") for raw in batch[:MAX_BATCH]]
    _refusal_audit(
        token=token,
        action=AuditAction.CREATE,
        detail=_key_detail(
            token,
            call="push",
            refused=True,
            external_ids=references,
            problems={
                printable(name): [printable(message, 1000) for message in messages]
                for name, messages in problems.items()
            },
        ),
    )
