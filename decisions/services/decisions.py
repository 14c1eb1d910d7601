"""Recording, handling, correcting, publishing and revoking decisions (SPEC §11).

A decision comes in three ways — recorded on this site, pushed or imported from a department's
case system (decisions.services.intake), or handled here as a penalty case from filing — and
every way ends in `decision_record`'s checks: the party (GB 32100-2015 for organisations),
the dates, the penalty or licence facts, the major-penalty review (seed 002 监督检查办法
第十六条), the officers (持证上岗, 第十一条) and the item's version in force on the decision date.
What is wrong but is a fact (an expired certificate, an unpublished body, an item not in force
or of another body) is recorded and flagged, never hidden: each is an accountability ground of
第二十条(四)(六)(七).
"""

import datetime
import decimal
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import calendar
from core.checkers import credit_code_normalise, credit_code_problem, resident_id_problem
from core.choices import DeadlineUnit, Role
from core.models import DEADLINE_FIELDS, Department, EnforcementCertificate, Person, User
from core.permissions import Action
from core.search import vector_literal
from core.services import DomainError, optional_text, permission_require, require_text
from registry.choices import EntryStatus, ListKind
from registry.models import Entry

from ..choices import (
    BEFORE_DECISION,
    LICENCE_CATEGORY,
    PENALTY_CATEGORY,
    DecisionState,
    PartyKind,
    PenaltyKind,
    RedactionReason,
    Source,
    StepKind,
    Transition,
)
from ..models import CaseRecord, Decision, DecisionOfficer, EnforcementBody, Redaction, Step
from .procedure import CASE_STAGES, PROCEDURE, event_write, now, policy_for, today

# 行政处罚法 (2021) 第五十八条: the penalties that need legal review before the decision
# whatever the amount (吊销许可证件, 责令停产停业, 责令关闭, 限制从业); a fine is major from the
# jurisdiction's threshold on (DecisionPolicy.major_penalty_amount).
MAJOR_KINDS = frozenset(
    {
        PenaltyKind.REVOKE_PERMIT,
        PenaltyKind.SUSPEND_BUSINESS,
        PenaltyKind.CLOSE,
        PenaltyKind.RESTRICT_PRACTICE,
        PenaltyKind.DETENTION,
    }
)
# 行政处罚法 第四十二条: 执法人员不得少于两人.
PENALTY_OFFICERS = 2
# The fields a clerk may redact, and what the public reads for each (Decision.public_*).
REDACTABLE = {
    "title": "public_title",
    "party_name": "public_party_name",
    "content": "public_content",
    "basis": "public_basis",
}
TEXT_FIELDS = (
    "title",
    "number",
    "party_name",
    "legal_representative",
    "party_contact",
    "content",
    "basis",
    "licence_name",
    "licence_number",
    "legal_reviewer",
    "legal_review_opinion",
    "collective_note",
    "external_id",
)
MULTILINE = {"content", "basis", "legal_review_opinion", "collective_note"}
DATE_FIELDS = (
    "filed_on",
    "decided_on",
    "served_on",
    "valid_from",
    "valid_until",
    "legal_review_on",
    "collective_on",
)
AMOUNT_FIELDS = ("fine_amount", "confiscated_amount")
# Every value a decision is recorded or corrected with (besides body, item and officers).
VALUE_FIELDS = (
    *TEXT_FIELDS,
    *DATE_FIELDS,
    *AMOUNT_FIELDS,
    "party_kind",
    "party_credit_code",
    "party_id_number",
    "penalty_kinds",
    "major",
)


@dataclass
class DecisionValues:
    """What a decision is recorded with, as every intake gives it (form, API, Excel row)."""

    body: EnforcementBody
    item: Entry
    officers: Sequence[Person]
    values: dict = field(default_factory=dict)


class RowProblems(DomainError):
    """Several problems of one decision, by field (a form shows each at its field; an import
    each in its row)."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__(
            "; ".join(message for messages in problems.values() for message in messages)
        )


def is_penalty(item: Entry) -> bool:
    return item.category.code == PENALTY_CATEGORY and item.list_kind == ListKind.POWER


def is_licence(item: Entry) -> bool:
    return item.category.code == LICENCE_CATEGORY


def masked_person_name(name: str) -> str:
    """A natural person's name as published: the surname and 某 (personal privacy, seed 002
    监督检查办法 第十三条); a two-character surname keeps both."""
    name = name.strip()
    if not name:
        return ""
    from .surnames import COMPOUND_SURNAMES

    surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]
    return surname + "某" * max(1, min(2, len(name) - len(surname)))


# --- checking ---------------------------------------------------------------------------------


def _clean_values(raw: dict, problems: dict[str, list[str]]) -> dict:
    values: dict = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    for name in TEXT_FIELDS:
        text = str(raw.get(name) or "").strip()
        problem = text and text_problem_of(text, name)
        if problem:
            add(name, problem)
        values[name] = text
    for name in DATE_FIELDS:
        value = raw.get(name)
        if value in (None, ""):
            values[name] = None
        elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            values[name] = value
        else:
            try:
                values[name] = datetime.date.fromisoformat(str(value))
            except ValueError:
                add(name, _("Give a date as YYYY-MM-DD."))
                values[name] = None
    for name in AMOUNT_FIELDS:
        value = raw.get(name)
        if value in (None, ""):
            values[name] = None
            continue
        try:
            amount = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            add(name, _("Give an amount in yuan, e.g. 5000 or 5000.50."))
            values[name] = None
            continue
        if not amount.is_finite() or amount < 0 or amount >= 10**12:
            add(name, _("Give an amount in yuan, e.g. 5000 or 5000.50."))
            amount = None
        elif amount != amount.quantize(decimal.Decimal("0.01")):
            add(name, _("An amount has at most two decimal places (fen)."))
            amount = None
        values[name] = amount
    kind = str(raw.get("party_kind") or "")
    if kind not in PartyKind.values:
        add("party_kind", _("Choose the kind of party."))
    values["party_kind"] = kind
    code = credit_code_normalise(str(raw.get("party_credit_code") or ""))
    values["party_credit_code"] = code
    identity = str(raw.get("party_id_number") or "").strip().upper()
    values["party_id_number"] = identity
    kinds = raw.get("penalty_kinds") or []
    if isinstance(kinds, str):
        kinds = [kinds]
    unknown = [str(k) for k in kinds if str(k) not in PenaltyKind.values]
    if unknown:
        add(
            "penalty_kinds",
            _("Unknown kinds of penalty: %(kinds)s") % {"kinds": "、".join(unknown)},
        )
    values["penalty_kinds"] = list(
        dict.fromkeys(str(k) for k in kinds if str(k) in PenaltyKind.values)
    )
    values["major"] = bool(raw.get("major"))
    return values


def text_problem_of(text: str, name: str) -> str | None:
    from core.checkers import text_problem

    return text_problem(text, multiline=name in MULTILINE)


def _check(
    department: Department,
    given: DecisionValues,
    values: dict,
    state: str,
    problems: dict[str, list[str]],
) -> None:
    """The rules every decision keeps, whatever its intake; problems by field."""

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    body, item = given.body, given.item
    if body.department_id != department.pk:
        add(
            "body",
            _("The enforcement body must be one of %(department)s's.") % {"department": department},
        )
    if item.list_kind not in (ListKind.POWER, ListKind.APPROVAL):
        add("item", _("A decision is made under an item of the power or approval list."))
    if not values["title"]:
        add("title", _("Give the case or matter."))
    if not values["party_name"]:
        add("party_name", _("Give the party's name."))
    if state not in BEFORE_DECISION:
        for name, message in (
            ("content", _("Give the facts and content of the decision.")),
            ("basis", _("Give the legal basis of the decision.")),
            ("number", _("Give the decision number.")),
        ):
            if not values[name]:
                add(name, message)
    kind, code = values["party_kind"], values["party_credit_code"]
    if kind == PartyKind.ORGANISATION and not code:
        add(
            "party_credit_code",
            _("An organisation is identified by its unified social credit code (18 characters)."),
        )
    if code:
        if kind == PartyKind.PERSON:
            add("party_credit_code", _("A natural person has no unified social credit code."))
        elif problem := credit_code_problem(code):
            add("party_credit_code", problem)
    if values["party_id_number"]:
        if kind != PartyKind.PERSON:
            add("party_id_number", _("An identity number is given for a natural person only."))
        elif problem := resident_id_problem(values["party_id_number"]):
            add("party_id_number", problem)
    if kind == PartyKind.PERSON and values["legal_representative"]:
        add("legal_representative", _("A natural person has no legal representative."))

    # Dates: in order, none in the future, those the state needs present.
    day = today()
    needed = {
        "filed_on": True,
        "decided_on": state not in BEFORE_DECISION,
        "served_on": state in (DecisionState.SERVED, DecisionState.EXECUTED),
    }
    for name, required in needed.items():
        if required and values[name] is None and name not in problems:
            add(name, _("Give the date."))
    for name in ("filed_on", "decided_on", "served_on", "legal_review_on", "collective_on"):
        if values[name] and values[name] > day:
            add(name, _("This date is in the future."))
    order = [(n, values[n]) for n in ("filed_on", "decided_on", "served_on") if values[n]]
    for (_first, early), (second, late) in itertools.pairwise(order):
        if late < early:
            add(second, _("This date comes before an earlier step of the case."))

    penalty = is_penalty(item)
    if penalty:
        kinds = values["penalty_kinds"]
        if state not in BEFORE_DECISION and not kinds:
            add("penalty_kinds", _("Choose the kinds of penalty."))
        if PenaltyKind.FINE in kinds and not values["fine_amount"]:
            add("fine_amount", _("A fine needs its amount."))
        if values["fine_amount"] and PenaltyKind.FINE not in kinds:
            add("fine_amount", _("An amount of fine is given but the penalty has no fine."))
        confiscation = {PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY}
        if values["confiscated_amount"] and not confiscation & set(kinds):
            add(
                "confiscated_amount",
                _("An amount confiscated is given but the penalty confiscates nothing."),
            )
        if len(given.officers) < PENALTY_OFFICERS:
            add(
                "officers",
                _(
                    "A penalty is handled by at least two enforcement officers "
                    "(行政处罚法 第四十二条)."
                ),
            )
    else:
        for name in ("penalty_kinds", "fine_amount", "confiscated_amount"):
            if values[name]:
                add(name, _("Only a penalty has kinds of penalty and amounts."))
        if not given.officers:
            add("officers", _("Name the officers who handled the decision."))
    if (
        values["valid_from"]
        and values["valid_until"]
        and values["valid_until"] < values["valid_from"]
    ):
        add("valid_until", _("A licence cannot expire before it starts."))

    people = list(given.officers)
    if len({person.pk for person in people}) != len(people):
        add("officers", _("An officer is named twice."))
    for person in people:
        if person.department_id != department.pk:
            add(
                "officers",
                _("%(person)s is not an officer of %(department)s.")
                % {"person": person, "department": department},
            )


def _is_major(item: Entry, values: dict, department: Department) -> bool:
    if not is_penalty(item):
        return False
    if values["major"] or MAJOR_KINDS & set(values["penalty_kinds"]):
        return True
    threshold = policy_for(department.jurisdiction).major_penalty_amount
    return bool(values["fine_amount"] and values["fine_amount"] >= threshold)


def _check_major(values: dict, state: str, problems: dict[str, list[str]]) -> None:
    """Seed 002 监督检查办法 第十六条: 严格执行重大行政处罚法制审核及集体讨论制度 — a major
    penalty cannot be recorded as decided without both, dated no later than the decision."""
    if state in BEFORE_DECISION:
        return
    decided = values["decided_on"]
    for day, who, what, message in (
        (
            "legal_review_on",
            "legal_reviewer",
            "legal_review_opinion",
            _("A major penalty cannot be decided without its legal review (法制审核)."),
        ),
        (
            "collective_on",
            None,
            "collective_note",
            _("A major penalty cannot be decided without its collective discussion (集体讨论)."),
        ),
    ):
        if not values[day] or not values[what] or (who and not values[who]):
            problems.setdefault(day, []).append(message)
        elif decided and values[day] > decided:
            problems.setdefault(day, []).append(
                _("The review must come before the decision (on or before %(day)s).")
                % {"day": decided.isoformat()}
            )


def _item_version(item: Entry, day: datetime.date):
    """The item's published version in force at the end of `day` (registry history), or None."""
    moment = calendar.end_of_day(day)
    return (
        Entry.history.filter(id=item.pk, history_date__lte=moment)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=moment))
        .order_by("-history_date", "-history_id")
        .first()
    )


def _certificates_on(
    people: Iterable[Person], day: datetime.date
) -> dict[int, EnforcementCertificate]:
    found: dict[int, EnforcementCertificate] = {}
    for certificate in EnforcementCertificate.objects.filter(
        person__in=list(people), valid_from__lte=day, valid_until__gte=day
    ).order_by("-valid_until"):
        found.setdefault(certificate.person_id, certificate)
    return found


def _refuse_uncertified(people: Sequence[Person], problems: dict[str, list[str]]) -> None:
    """Only enforcement officers (people holding a certificate, valid or not) may be named: a
    handler without any certificate is refused outright (持证上岗); an expired one is recorded
    and flagged (the fact is an accountability ground and must not be hidden)."""
    holders = set(
        EnforcementCertificate.objects.filter(person__in=list(people)).values_list(
            "person_id", flat=True
        )
    )
    for person in people:
        if person.pk not in holders:
            problems.setdefault("officers", []).append(
                _("%(person)s holds no enforcement certificate and may not enforce (持证上岗).")
                % {"person": person}
            )


def _apply(decision: Decision, department: Department, given: DecisionValues, values: dict) -> None:
    """Sets the checked values and everything derived from them: the item's version, the kind,
    the flags."""
    for name in VALUE_FIELDS:
        setattr(decision, name, values[name])
    decision.department = department
    decision.jurisdiction_id = department.jurisdiction_id
    decision.body = given.body
    decision.item = given.item
    decision.category_id = given.item.category_id
    decision.major = _is_major(given.item, values, department)
    day = values["decided_on"] or values["filed_on"]
    version = _item_version(given.item, day) if day else None
    decision.item_version = version.version if version else None
    decision.item_history_id = version.history_id if version else None
    decision.item_not_in_force = version is None or version.status != EntryStatus.IN_FORCE
    decision.body_mismatch = given.item.department_id != department.pk
    # The body as it stands now: the caller's instance may predate its confirmation.
    body = EnforcementBody.objects.get(pk=given.body.pk)
    decision.body_unpublished = not body.may_act_on(day) if day else True


def _officers_check(decision: Decision, people: Sequence[Person]) -> dict:
    """The certificate of each officer valid on the decision date (the filing date before it is
    decided); sets the flag when one has none (持证上岗, seed 002 监督检查办法 第十一条)."""
    valid = _certificates_on(people, decision.decided_on or decision.filed_on)
    decision.officer_uncertified = any(person.pk not in valid for person in people)
    return valid


def _officers_write(decision: Decision, people: Sequence[Person], valid: dict) -> None:
    DecisionOfficer.objects.filter(decision=decision).delete()
    DecisionOfficer.objects.bulk_create(
        [
            DecisionOfficer(
                decision=decision,
                person=person,
                certificate=valid.get(person.pk),
                certificate_number=valid[person.pk].number if person.pk in valid else "",
            )
            for person in people
        ]
    )


def _publish_step(decision: Decision, at: datetime.datetime) -> Step:
    """Seed 002 监督检查办法 第十三条: 决定书送达后10日内 — calendar days from the service date (the
    day of service not counted, a last day off rolls over to the next working day: SPEC §9),
    held by the department's clerks."""
    step = Step(
        decision=decision,
        kind=StepKind.PUBLISH,
        department_id=decision.department_id,
        role=Role.CLERK,
        started_at=at,
        period_from=_served_moment(decision.served_on),
        deadline_days=policy_for(decision.jurisdiction).publish_days,
        deadline_unit=DeadlineUnit.CALENDAR_DAYS,
    )
    calendar.apply_deadline(step)
    step.save()
    return step


def _served_moment(day: datetime.date) -> datetime.datetime:
    """The moment a period from service counts from: its Shanghai day (the day itself is not
    counted)."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=calendar.SHANGHAI)


def _publish_step_move(decision: Decision) -> None:
    """A corrected service date moves the publication period it started (the reminder and the
    overdue notice go out again for the new due moment); a publication already made is late
    or not by the new due moment."""
    step = (
        Step.objects.select_for_update()
        .filter(decision=decision, kind=StepKind.PUBLISH)
        .order_by("-pk")
        .first()
    )
    if step is None:
        return
    step.period_from = _served_moment(decision.served_on)
    calendar.apply_deadline(step)
    step.save(update_fields=["period_from", *DEADLINE_FIELDS])
    if decision.published_at:
        decision.published_late = decision.published_at > step.due_at


def _validate(department: Department, given: DecisionValues, raw: dict, state: str) -> dict:
    problems: dict[str, list[str]] = {}
    values = _clean_values(raw, problems)
    _check(department, given, values, state, problems)
    if _is_major(given.item, values, department):
        _check_major(values, state, problems)
    _refuse_uncertified(list(given.officers), problems)
    if problems:
        raise RowProblems(problems)
    return values


# What a correction, a stage or a publication may change (saved with update_fields).
CHANGED_FIELDS = (
    *VALUE_FIELDS,
    "body",
    "item",
    "category",
    "item_version",
    "item_history_id",
    "item_not_in_force",
    "body_mismatch",
    "body_unpublished",
    "officer_uncertified",
    "state",
    "version",
    "updated_at",
    *REDACTABLE.values(),
    "redacted",
    "search_vector",
    "published_late",
)


def _saved(decision: Decision, *, new: bool = False) -> None:
    """Saves a new decision, or a changed one with update_fields; a number or case reference
    the department already used is a problem of the number field, not an error page."""
    try:
        with transaction.atomic():
            if new:
                decision.save()
            else:
                decision.save(update_fields=CHANGED_FIELDS)
    except IntegrityError as error:
        raise RowProblems(
            {"number": [_("This decision number or case reference is already recorded.")]}
        ) from error


@transaction.atomic
def decision_record(
    *,
    actor: User | None,
    department: Department,
    given: DecisionValues,
    source: str = Source.SITE,
    key: str = "",
) -> Decision:
    """Records a decision already made (seed 002 管理办法 第十二条; issue 14 §2): decided, or
    served when its service date is given — then its publication step starts (10 日 from
    service, seed 002 监督检查办法 第十三条). `actor` None: a case system pushed it with the key
    `key` (decisions.services.intake), which the event and audit rows name."""
    if actor is not None:
        permission_require(actor, Action.ADD, Decision)
        if not actor.is_superuser and actor.department_id != department.pk:
            raise DomainError(_("You record the decisions of your own department only."))
    raw = dict(given.values)
    state = DecisionState.SERVED if raw.get("served_on") else DecisionState.DECIDED
    values = _validate(department, given, raw, state)
    decision = Decision(state=state, source=source, created_by=actor if actor else None)
    _apply(decision, department, given, values)
    decision.created_at = decision.updated_at = now()
    valid = _officers_check(decision, list(given.officers))
    _saved(decision, new=True)
    _officers_write(decision, list(given.officers), valid)
    if decision.state == DecisionState.SERVED:
        _publish_step(decision, decision.created_at)
    event_write(
        decision=decision,
        transition=Transition.RECORD,
        actor=actor,
        to_state=decision.state,
        detail={"source": source} | ({"key": key} if key else {}),
        at=decision.created_at,
    )
    return decision


@transaction.atomic
def decision_correct(
    *,
    actor: User | None,
    decision: Decision,
    given: DecisionValues,
    reason: str,
    key: str = "",
) -> Decision:
    """Corrects a decision's facts (a new version: the history keeps every one, and the credit
    feed sends it again as changed). The same checks as recording; the flags are recomputed;
    a published decision's public text is refreshed except where a redaction stands."""
    reason = require_text(reason, _("reason for the correction"))
    with PROCEDURE.transition(decision, "correct", actor=actor) as move:
        locked = move.record
        raw = dict(given.values)
        values = _validate(locked.department, given, raw, locked.state)
        if (
            raw.get("served_on")
            and locked.served_on is None
            and locked.state == DecisionState.DECIDED
        ):
            raise DomainError(_("Record the service through “Served”, not by a correction."))
        served_before = locked.served_on
        _apply(locked, locked.department, given, values)
        if locked.served_on and locked.served_on != served_before:
            _publish_step_move(locked)
        _officers_write(locked, list(given.officers), _officers_check(locked, given.officers))
        locked.version += 1
        locked.updated_at = move.at
        if locked.published_at:
            _refresh_public(locked)
        _saved(locked)
        move.event_with(
            opinion=reason, detail={"version": locked.version} | ({"key": key} if key else {})
        )
    return move.record


# --- a penalty case handled here (seed 003 三(二)2) -------------------------------------------


@transaction.atomic
def case_file(*, actor: User, department: Department, given: DecisionValues) -> Decision:
    """立案: a penalty case opened on this site; its records are then uploaded stage by stage
    (case_record_upload) and it moves on with case_advance to execution."""
    permission_require(actor, Action.ADD, Decision)
    if not actor.is_superuser and actor.department_id != department.pk:
        raise DomainError(_("You record the decisions of your own department only."))
    if not is_penalty(given.item):
        raise DomainError(_("A case is handled here for a penalty item only."))
    values = _validate(department, given, dict(given.values), DecisionState.FILED)
    decision = Decision(state=DecisionState.FILED, source=Source.CASE, created_by=actor)
    _apply(decision, department, given, values)
    decision.created_at = decision.updated_at = now()
    valid = _officers_check(decision, list(given.officers))
    _saved(decision, new=True)
    _officers_write(decision, list(given.officers), valid)
    event_write(decision=decision, transition=Transition.FILE, actor=actor, at=decision.created_at)
    return decision


@transaction.atomic
def case_advance(
    *, actor: User, decision: Decision, to: str, values: dict | None = None
) -> Decision:
    """One stage of a case (调查, 告知, 决定, 送达, 执行); the decision stage takes the decision's
    facts (number, content, basis, penalty, date, and for a major penalty its legal review and
    collective discussion: without them it cannot be decided, seed 002 监督检查办法 第十六条);
    service takes its date and starts the publication step."""
    name = {target: name for name, (_source, target) in CASE_STAGES.items()}.get(to)
    if name is None:
        raise DomainError(_("Unknown stage."))
    with PROCEDURE.transition(decision, name, actor=actor) as move:
        locked = move.record
        if values:
            people = [o.person for o in locked.officers.select_related("person")]
            given = DecisionValues(
                body=locked.body,
                item=locked.item,
                officers=people,
                values={name: getattr(locked, name) for name in VALUE_FIELDS} | values,
            )
            checked = _validate(locked.department, given, dict(given.values), to)
            _apply(locked, locked.department, given, checked)
            _officers_write(locked, people, _officers_check(locked, people))
            locked.version += 1
        elif to in (DecisionState.DECIDED, DecisionState.SERVED):
            raise DomainError(_("Give the facts of this stage."))
        locked.state = to
        locked.updated_at = move.at
        _saved(locked)
        if to == DecisionState.SERVED:
            _publish_step(locked, move.at)
    return move.record


@transaction.atomic
def decision_serve(*, actor: User | None, decision: Decision, served_on: datetime.date) -> Decision:
    """送达 of a decision recorded as decided: its date, and the publication step starts."""
    return case_advance(
        actor=actor, decision=decision, to=DecisionState.SERVED, values={"served_on": served_on}
    )


@transaction.atomic
def case_record_upload(
    *,
    actor: User,
    decision: Decision,
    title: str,
    made_at: datetime.datetime,
    upload=None,
) -> CaseRecord:
    """A record of the case (询问笔录, 现场检查笔录, …) made at `made_at`: seed 003 三(二)2 wants it
    in the system within 24 hours (形成纸质笔录后24小时内拍照上传). Given with its file it is
    uploaded now; without, an upload step starts, due 24 hours after it was made, and the
    sweep tells the clerks when it is late; case_record_attach uploads its file later."""
    permission_require(actor, Action.CHANGE, decision)
    title = require_text(title, _("record"), multiline=False)
    if made_at > now():
        raise DomainError(_("A record cannot be made in the future."))
    record = CaseRecord(decision=decision, stage=decision.state, title=title, made_at=made_at)
    if upload is not None:
        _record_file(record, upload, actor)
    record.save()
    step = Step(
        decision=decision,
        record=record,
        kind=StepKind.UPLOAD,
        department_id=decision.department_id,
        role=Role.CLERK,
        started_at=made_at,
        deadline_days=policy_for(decision.jurisdiction).upload_hours,
        deadline_unit=DeadlineUnit.HOURS,
    )
    calendar.apply_deadline(step)
    if record.uploaded_at:
        step.finished_at = record.uploaded_at
        step.finished_by = actor
    step.save()
    event_write(
        decision=decision,
        transition=Transition.UPLOAD if record.uploaded_at else Transition.RECORD_NOTED,
        actor=actor,
        step=step,
        detail={
            "record": record.pk,
            "late": bool(record.uploaded_at and record.uploaded_at > step.due_at),
        },
    )
    return record


def _record_file(record: CaseRecord, upload, actor: User) -> None:
    """The record's file, checked by its content (core.checkers), uploaded now."""
    from core.checkers import upload_problem, upload_sha256

    from .files import RECORD_SUFFIXES

    problem = upload_problem(upload, suffixes=RECORD_SUFFIXES)
    if problem:
        raise DomainError(problem)
    record.sha256 = upload_sha256(upload)
    record.file = upload
    record.file_name = upload.name[:200]
    record.uploaded_at = now()
    record.uploaded_by = actor


@transaction.atomic
def case_record_attach(*, actor: User, record: CaseRecord, upload) -> CaseRecord:
    """The file of a record noted without it (case_record_upload): its upload step finishes
    now, late when more than 24 hours after the record was made (seed 003 三(二)2:
    形成纸质笔录后24小时内拍照上传)."""
    record = CaseRecord.objects.select_for_update().select_related("decision").get(pk=record.pk)
    permission_require(actor, Action.CHANGE, record.decision)
    if record.uploaded_at is not None:
        raise DomainError(_("This record's file is uploaded already."))
    _record_file(record, upload, actor)
    record.save(update_fields=["sha256", "file", "file_name", "uploaded_at", "uploaded_by"])
    step = Step.objects.select_for_update().filter(record=record, finished_at=None).first()
    if step is not None:
        step.finished_at = record.uploaded_at
        step.finished_by = actor
        step.save(update_fields=["finished_at", "finished_by"])
    event_write(
        decision=record.decision,
        transition=Transition.UPLOAD,
        actor=actor,
        step=step,
        detail={
            "record": record.pk,
            "late": bool(step and step.due_at and record.uploaded_at > step.due_at),
        },
    )
    return record


# --- publication ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedactionInput:
    field: str
    reason: str
    explanation: str
    public_text: str


def _refresh_public(decision: Decision) -> None:
    """The public columns from the decision's values and the redactions that stand (the latest
    of each field wins): a person's name is always masked; an identity number, address or
    phone is never public (no public column holds them)."""
    latest = {}
    for redaction in decision.redactions.order_by("at", "pk"):
        latest[redaction.field] = redaction.public_text
    party = decision.party_name
    if decision.party_kind == PartyKind.PERSON:
        party = masked_person_name(party)
    public = {
        "title": decision.title,
        "party_name": party,
        "content": decision.content,
        "basis": decision.basis,
    }
    for name, column in REDACTABLE.items():
        setattr(decision, column, latest.get(name, public[name]))
    decision.redacted = bool(latest)
    decision.search_vector = vector_literal(
        f"{decision.public_title} {decision.public_party_name} {decision.number}",
        f"{decision.body.name} {decision.item.name} {decision.department.name}",
    )


def _redactions_add(
    decision: Decision, redactions: Sequence[RedactionInput], actor: User, at: datetime.datetime
) -> list[Redaction]:
    made = []
    for given in redactions:
        if given.field not in REDACTABLE:
            raise DomainError(_("This part of a decision cannot be redacted."))
        if given.reason not in RedactionReason.values:
            raise DomainError(_("Choose why the part is not published."))
        explanation = require_text(given.explanation, _("explanation of the redaction"))
        public_text = optional_text(given.public_text, multiline=given.field in MULTILINE)
        if given.field == "party_name" and not public_text:
            raise DomainError(_("Give the party's name as published, e.g. 某公司."))
        original = getattr(decision, given.field)
        if public_text and public_text == original:
            raise DomainError(
                _("The public text is the same as the full text: nothing is redacted.")
            )
        made.append(
            Redaction.objects.create(
                decision=decision,
                field=given.field,
                reason=given.reason,
                explanation=explanation,
                public_text=public_text or _("(withheld)"),
                at=at,
                actor=actor,
            )
        )
    return made


def decision_publish(
    *, actor: User, decision: Decision, redactions: Sequence[RedactionInput] = ()
) -> Decision:
    """公开 (seed 002 监督检查办法 第十三条: 除涉及国家秘密、商业秘密和个人隐私外 … 送达后10日内,
    应在政务服务网公开): the public text is fixed from the decision and the redactions given here
    (each with its reason, staff keep the full text); the publication step finishes; a
    publication after its due moment is flagged late."""
    with PROCEDURE.transition(decision, "publish", actor=actor) as move:
        locked = move.record
        _redactions_add(locked, redactions, actor, move.at)
        _refresh_public(locked)
        late = move.step.due_at is not None and move.at > move.step.due_at
        move.finish(finished_by=actor)
        move.set(
            published_at=move.at,
            published_late=late,
            updated_at=move.at,
            **{column: getattr(locked, column) for column in REDACTABLE.values()},
            redacted=locked.redacted,
            search_vector=locked.search_vector,
        )
        move.event_with(detail={"late": late, "redactions": len(redactions)})
    return move.record


def decision_redact(
    *, actor: User, decision: Decision, redactions: Sequence[RedactionInput]
) -> Decision:
    """A redaction after publication (a secret noticed late): the public text changes at once."""
    if not redactions:
        raise DomainError(_("Say what to redact."))
    with PROCEDURE.transition(decision, "redact", actor=actor) as move:
        locked = move.record
        _redactions_add(locked, redactions, actor, move.at)
        _refresh_public(locked)
        locked.version += 1
        move.set(
            updated_at=move.at,
            version=locked.version,
            **{column: getattr(locked, column) for column in REDACTABLE.values()},
            redacted=locked.redacted,
            search_vector=locked.search_vector,
        )
    return move.record


def decision_revoke(
    *, actor: User | None, decision: Decision, reason: str, key: str = ""
) -> Decision:
    """撤销: the decision stays on record (and, if published, on the site, marked revoked; the
    credit feed sends its new state); its open steps close."""
    reason = require_text(reason, _("reason for the revocation"))
    with PROCEDURE.transition(decision, "revoke", actor=actor) as move:
        locked = move.record
        for step in Step.objects.select_for_update().filter(decision=locked, finished_at=None):
            move.finish(step)
        locked.version += 1
        move.set(DecisionState.REVOKED, updated_at=move.at, version=locked.version)
        move.event_with(opinion=reason, detail={"key": key} if key else {})
    return move.record
