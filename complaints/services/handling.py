"""The transitions of a complaint after receipt (issue 12 §4–7, §11): acceptance, refusal,
transfer and merge; handling, "not ours" and passing on; extension; the office's review of the
answer and closing with the outcome; the complainant's rating and reviews; standing aside.
Each is one service performing one row of procedure.TRANSITIONS."""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from core import calendar
from core.choices import AuditAction, DeadlineUnit, Role
from core.models import Department, Jurisdiction, User
from core.permissions import Action, can
from core.services import DomainError, audit_record, office_of
from registry.models import Entry

from ..choices import (
    FOUND_OUTCOMES,
    AcceptanceBy,
    ComplaintState,
    Outcome,
    Rating,
    RefusalGround,
    ReviewDecision,
    StepKind,
    StepOutcome,
    Transition,
)
from ..models import Complaint, ComplaintItem, StandAside
from .intake import secret_matches
from .procedure import (
    TRANSITIONS,
    TransitionRefused,
    _finish,
    _finish_open,
    _open_step,
    _require_text,
    _start,
    policy_for,
)

S = ComplaintState
K = StepKind


def _visible(actor: User, complaint: Complaint, what: str) -> Complaint:
    found = Complaint.objects.restrict(actor, Action.VIEW).filter(pk=complaint.pk).first()
    if found is None:
        raise DomainError(_("%(what)s is not a complaint you may see.") % {"what": what})
    return found


def _handling_days(complaint: Complaint) -> int:
    """信访工作条例 art. 34: 60 日 from acceptance, plus the one extension granted."""
    return int(policy_for(complaint.jurisdiction).handle_days) + complaint.extension_days


@transaction.atomic
def complaint_accept(
    *,
    actor: User,
    complaint: Complaint,
    responsible: Department | None = None,
    opinion: str = "",
) -> Complaint:
    """Issue 12 §4–5: the complaint is accepted (信访工作条例 art. 23: within 15 日 of receipt)
    and goes to the department that must answer: by default the one complained about (the
    implementing body of the items it names). The handling period, 60 日 by default (art. 34),
    counts from acceptance."""
    with TRANSITIONS.transition(complaint, Transition.ACCEPT, actor=actor) as move:
        target = responsible or move.record.department
        _finish(move.step, actor=actor, outcome=StepOutcome.ACCEPTED, opinion=opinion, at=move.at)
        move.set(S.HANDLING, responsible=target, accepted_at=move.at)
        move.save()
        _start(move.record, K.HANDLE, target, at=move.at, days=_handling_days(move.record))
        move.event_with(opinion=opinion, detail={"responsible": target.pk})
    return move.record


@transaction.atomic
def complaint_refuse(
    *,
    actor: User,
    complaint: Complaint,
    ground: str,
    reason: str,
    repeat_of: Complaint | None = None,
) -> Complaint:
    """Seed 004 五(二)2: not accepted on one of its five grounds (or, 信访工作条例 art. 36, after
    two reviews of the same matter), "但应当向投诉人说明理由": the reason is told to the
    complainant on the tracking page. A repeat names the earlier complaint it repeats."""
    if ground not in RefusalGround.values:
        raise DomainError(_("Choose the ground for not accepting the complaint."))
    reason = _require_text(reason, _("reason the complainant is told"))
    earlier = None
    if ground in (RefusalGround.REPEAT, RefusalGround.REVIEWS_EXHAUSTED):
        if repeat_of is None:
            raise DomainError(_("Name the earlier complaint this one repeats."))
        earlier = _visible(actor, repeat_of, repeat_of.code)
        if earlier.pk == complaint.pk:
            raise DomainError(_("A complaint cannot repeat itself."))
        if ground == RefusalGround.REPEAT and earlier.state != S.CLOSED:
            raise DomainError(
                _("Complaint %(code)s has not been answered yet: merge this one with it instead.")
                % {"code": earlier.code}
            )
        if ground == RefusalGround.REVIEWS_EXHAUSTED and earlier.review_round < 2:
            raise DomainError(
                _("Complaint %(code)s was not reviewed twice.") % {"code": earlier.code}
            )
    with TRANSITIONS.transition(complaint, Transition.REFUSE, actor=actor) as move:
        _finish_open(move, outcome=StepOutcome.REFUSED)
        move.set(
            S.REFUSED,
            refusal_ground=ground,
            refusal_reason=reason,
            repeat_of=earlier,
            closed_at=move.at,
        )
        move.event_with(
            public_note=reason,
            detail={"ground": ground, "repeat_of": earlier.code if earlier else None},
        )
    return move.record


@transaction.atomic
def complaint_transfer(
    *,
    actor: User,
    complaint: Complaint,
    jurisdiction: Jurisdiction,
    reason: str,
    department: Department | None = None,
) -> Complaint:
    """Issue 12 §5: a complaint about another jurisdiction goes to its office, which decides
    on acceptance within its own policy's period, counted from the transfer (its receipt). The
    department complained about may be corrected to one of that jurisdiction."""
    reason = _require_text(reason, _("reason for the transfer"))
    if jurisdiction.pk == complaint.jurisdiction_id:
        raise DomainError(_("Choose another jurisdiction than the complaint's own."))
    if department is not None and department.jurisdiction_id != jurisdiction.pk:
        raise DomainError(_("The department must belong to the jurisdiction it goes to."))
    office = office_of(jurisdiction)
    policy = policy_for(jurisdiction)
    with TRANSITIONS.transition(complaint, Transition.TRANSFER, actor=actor) as move:
        _finish(move.step, actor=actor, outcome=StepOutcome.TRANSFERRED, opinion=reason, at=move.at)
        before = move.record.jurisdiction
        move.set(jurisdiction=jurisdiction, department=department or move.record.department)
        move.save()
        holder = office
        if policy.acceptance_by == AcceptanceBy.DEPARTMENT:
            holder = move.record.department
        _start(
            move.record,
            K.ACCEPT,
            holder,
            at=move.at,
            days=policy.accept_days,
            acceptance_by=policy.acceptance_by,
        )
        move.event_with(
            opinion=reason,
            public_note=_("Transferred to %(place)s.") % {"place": jurisdiction},
            detail={"from": before.pk, "to": jurisdiction.pk},
        )
    return move.record


@transaction.atomic
def complaint_merge(
    *, actor: User, complaint: Complaint, into: Complaint, opinion: str = ""
) -> Complaint:
    """SPEC §5: repeats of one matter are merged rather than handled twice: this complaint ends
    and its complainant follows the earlier one's handling and answer (issue 12 §4)."""
    earlier = _visible(actor, into, into.code)
    if earlier.pk == complaint.pk:
        raise DomainError(_("A complaint cannot be merged with itself."))
    if earlier.state in (S.MERGED, S.REFUSED):
        raise DomainError(
            _("Complaint %(code)s is %(state)s: it cannot take another in.")
            % {"code": earlier.code, "state": ComplaintState(earlier.state).label}
        )
    if earlier.department_id != complaint.department_id:
        raise DomainError(_("Only complaints about the same department are merged."))
    with TRANSITIONS.transition(complaint, Transition.MERGE, actor=actor) as move:
        _finish_open(move, outcome=StepOutcome.MERGED)
        move.set(S.MERGED, repeat_of=earlier, closed_at=move.at)
        move.event_with(
            opinion=opinion,
            public_note=_("Handled together with an earlier complaint about the same matter."),
            detail={"into": earlier.code},
        )
    return move.record


@transaction.atomic
def complaint_answer(*, actor: User, complaint: Complaint, answer: str) -> Complaint:
    """Issue 12 §6: the responsible department investigates and answers; the answer goes to the
    office, which reviews it (this product's default period, policy `check_days`)."""
    answer = _require_text(answer, _("answer"))
    with TRANSITIONS.transition(complaint, Transition.ANSWER, actor=actor) as move:
        _finish(move.step, actor=actor, outcome=StepOutcome.ANSWERED, opinion=answer, at=move.at)
        move.set(S.ANSWERED, answer=answer)
        move.save()
        _start(
            move.record,
            K.CHECK,
            office_of(move.record.jurisdiction),
            at=move.at,
            days=move.period(),
        )
        move.event_with(opinion=answer)
    return move.record


@transaction.atomic
def complaint_decline(
    *, actor: User, complaint: Complaint, responsible: Department | None, reason: str
) -> Complaint:
    """Issue 12 §5: a department that answers "not ours" names the body that is responsible
    (refused without it); the office passes it on."""
    if responsible is None:
        raise DomainError(
            _("Name the body that is responsible: a complaint cannot be declined without it.")
        )
    reason = _require_text(reason, _("reason"))
    with TRANSITIONS.transition(complaint, Transition.DECLINE, actor=actor) as move:
        if responsible.pk == move.step.department_id:
            raise DomainError(_("Name another body than your own department."))
        _finish(move.step, actor=actor, outcome=StepOutcome.DECLINED, opinion=reason, at=move.at)
        move.set(S.REASSIGNING)
        move.save()
        _start(
            move.record,
            K.REASSIGN,
            office_of(move.record.jurisdiction),
            at=move.at,
            days=move.period(),
        )
        move.event_with(opinion=reason, detail={"named": responsible.pk})
    return move.record


@transaction.atomic
def complaint_reassign(
    *, actor: User, complaint: Complaint, responsible: Department, reason: str
) -> Complaint:
    """Issue 12 §5: the office passes the complaint to the responsible body, the transfer and
    its reason in the timeline; the handling period still runs from acceptance (信访工作条例
    art. 34), with its extension if one was granted."""
    reason = _require_text(reason, _("reason for the transfer"))
    with TRANSITIONS.transition(complaint, Transition.REASSIGN, actor=actor) as move:
        _finish(move.step, actor=actor, outcome=StepOutcome.REASSIGNED, opinion=reason, at=move.at)
        move.set(S.HANDLING, responsible=responsible)
        move.save()
        _start(
            move.record,
            K.HANDLE,
            responsible,
            at=move.at,
            period_from=move.record.accepted_at,
            days=_handling_days(move.record),
        )
        move.event_with(
            opinion=reason,
            public_note=_("Passed to %(department)s, the body responsible.")
            % {"department": responsible},
            detail={"responsible": responsible.pk},
        )
    return move.record


@transaction.atomic
def complaint_extend(*, actor: User, complaint: Complaint, days: int, reason: str) -> Complaint:
    """信访工作条例 art. 34: the handling period may be extended once, by at most 30 日 (the
    policy's `extension_days`), by the office, with a reason the complainant is told."""
    reason = _require_text(reason, _("reason for the extension"))
    limit = int(policy_for(complaint.jurisdiction).extension_days)
    if not 1 <= int(days) <= limit:
        raise DomainError(_("Extend by 1 to %(limit)s days.") % {"limit": limit})
    with TRANSITIONS.transition(complaint, Transition.EXTEND, actor=actor) as move:
        move.set(extension_days=int(days), extension_reason=reason)
        step = _open_step(move.record, [K.HANDLE])
        if step is not None:
            step.deadline_days = _handling_days(move.record)
            calendar.apply_deadline(step)
            step.save()
        move.event_with(opinion=reason, public_note=reason, detail={"days": int(days)})
    return move.record


@transaction.atomic
def complaint_return(*, actor: User, complaint: Complaint, reasons: str) -> Complaint:
    """Issue 12 §6: the office returns the answer to the department with reasons; its new
    handling step keeps the period that runs from acceptance."""
    reasons = _require_text(reasons, _("reasons for returning the answer"))
    with TRANSITIONS.transition(complaint, Transition.RETURN, actor=actor) as move:
        _finish(move.step, actor=actor, outcome=StepOutcome.RETURNED, opinion=reasons, at=move.at)
        move.set(S.HANDLING)
        move.save()
        _start(
            move.record,
            K.HANDLE,
            move.record.responsible,
            at=move.at,
            period_from=move.record.accepted_at,
            days=_handling_days(move.record),
            round=move.step.round + 1,
        )
        move.event_with(opinion=reasons)
    return move.record


def _finding(
    complaint: Complaint,
    outcome: str,
    finding: str,
    finding_department: Department | None,
    found_entries: Sequence[Entry],
) -> dict:
    """Issue 12 §11: a substantiated finding says which department failed, in which items, and
    how, so that inspections take it into the problem ledger and accountability cites it."""
    if outcome not in Outcome.values:
        raise DomainError(_("Choose the outcome."))
    if outcome not in FOUND_OUTCOMES:
        return {"outcome": outcome, "finding": "", "finding_department": None, "items": []}
    finding = _require_text(finding, _("finding: which failure"))
    named = {item.entry_id for item in ComplaintItem.objects.filter(complaint=complaint)}
    items = [entry.pk for entry in found_entries]
    if any(pk not in named for pk in items):
        raise DomainError(_("The finding can name only the items the complaint is about."))
    return {
        "outcome": outcome,
        "finding": finding,
        "finding_department": finding_department or complaint.responsible or complaint.department,
        "items": items,
    }


def _record_finding(move, facts: dict) -> None:
    move.set(
        outcome=facts["outcome"],
        finding=facts["finding"],
        finding_department=facts["finding_department"],
    )
    ComplaintItem.objects.filter(complaint=move.record).exclude(entry_id__in=facts["items"]).update(
        found=False
    )
    ComplaintItem.objects.filter(complaint=move.record, entry_id__in=facts["items"]).update(
        found=True
    )


@transaction.atomic
def complaint_close(
    *,
    actor: User,
    complaint: Complaint,
    outcome: str,
    finding: str = "",
    finding_department: Department | None = None,
    found_entries: Sequence[Entry] = (),
    answer: str = "",
) -> Complaint:
    """Issue 12 §6: the office accepts the answer and closes the complaint with its outcome
    (substantiated with the finding, partly substantiated, not substantiated); the answer, as
    the office may have edited it, is told to the complainant now."""
    facts = _finding(complaint, outcome, finding, finding_department, found_entries)
    with TRANSITIONS.transition(complaint, Transition.CLOSE, actor=actor) as move:
        text = _require_text(answer, _("answer")) if answer else move.record.answer
        _finish(move.step, actor=actor, outcome=StepOutcome.CLOSED, opinion=text, at=move.at)
        move.set(S.CLOSED, answer=text, answered_at=move.at, closed_at=move.at)
        _record_finding(move, facts)
        move.event_with(
            public_note=text,
            detail={
                "outcome": outcome,
                "finding_department": getattr(facts["finding_department"], "pk", None),
            },
        )
    return move.record


def review_request_due(complaint: Complaint) -> datetime.datetime | None:
    """信访工作条例 art. 35–36: a review is asked within 30 日 (the policy's) of the answer."""
    if complaint.answered_at is None:
        return None
    days = int(policy_for(complaint.jurisdiction).review_request_days)
    return calendar.add(complaint.answered_at, days, unit=DeadlineUnit.CALENDAR_DAYS).due


def _check_secret(complaint: Complaint, secret: str) -> None:
    if not secret_matches(complaint, secret):
        raise DomainError(_("The tracking code and secret do not match."))


@transaction.atomic
def complaint_rate(
    *, actor: User | None, complaint: Complaint, secret: str, rating: str
) -> Complaint:
    """信访工作条例 art. 21 (SPEC §5): the complainant rates the handling of the answer given;
    a later rating replaces the earlier, each kept in the timeline."""
    _check_secret(complaint, secret)
    if rating not in Rating.values:
        raise DomainError(_("Choose satisfied, basically satisfied or not satisfied."))
    with TRANSITIONS.transition(complaint, Transition.RATE, actor=actor) as move:
        move.set(rating=rating, rated_at=move.at)
        move.event_with(detail={"rating": rating})
    return move.record


@transaction.atomic
def complaint_review_request(
    *, actor: User | None, complaint: Complaint, secret: str, reasons: str
) -> Complaint:
    """信访工作条例 art. 35–36 (SPEC §5): within 30 日 of the answer, the complainant may ask once
    for a review (复查) and, after it, once for a second review (复核), each answered within
    30 日 by the office above the department that handled it (at the top of the tree, the
    jurisdiction's own office). After the second, the same matter is not accepted again."""
    _check_secret(complaint, secret)
    reasons = _require_text(reasons, _("reasons for the review"))
    with TRANSITIONS.transition(complaint, Transition.REVIEW_REQUEST, actor=actor) as move:
        record = move.record
        if record.review_round >= 2:
            raise TransitionRefused(
                _(
                    "This matter was reviewed twice; it cannot be reviewed again "
                    "(信访工作条例 art. 36)."
                )
            )
        due = review_request_due(record)
        if due is not None and move.at > due:
            raise TransitionRefused(
                _("A review had to be asked for by the end of %(day)s.")
                % {"day": calendar.local_date(due).isoformat()}
            )
        handler = record.responsible or record.department
        place = handler.jurisdiction
        reviewer = office_of(place.parent) if place.parent_id else office_of(place)
        move.set(S.REVIEWING)
        move.save()
        _start(
            record,
            K.REVIEW,
            reviewer,
            at=move.at,
            days=move.period(),
            round=record.review_round + 1,
        )
        move.event_with(public_note=reasons, detail={"round": record.review_round + 1})
    return move.record


@transaction.atomic
def complaint_review(
    *,
    actor: User,
    complaint: Complaint,
    decision: str,
    answer: str,
    outcome: str = "",
    finding: str = "",
    finding_department: Department | None = None,
    found_entries: Sequence[Entry] = (),
) -> Complaint:
    """信访工作条例 art. 35–36: the office above answers the review: the answer is upheld, or
    changed with a new outcome (and finding). The complainant's next 30 日 run from this
    answer."""
    if decision not in ReviewDecision.values:
        raise DomainError(_("Choose whether the answer is upheld or changed."))
    answer = _require_text(answer, _("answer to the review"))
    facts = None
    if decision == ReviewDecision.CHANGED:
        facts = _finding(complaint, outcome, finding, finding_department, found_entries)
    with TRANSITIONS.transition(complaint, Transition.REVIEW, actor=actor) as move:
        _finish(move.step, actor=actor, outcome=StepOutcome.REVIEWED, opinion=answer, at=move.at)
        move.set(
            S.CLOSED,
            answer=answer,
            answered_at=move.at,
            closed_at=move.at,
            review_round=move.record.review_round + 1,
        )
        if facts is not None:
            _record_finding(move, facts)
        move.event_with(
            public_note=answer,
            detail={
                "decision": decision,
                "round": move.record.review_round,
                "outcome": move.record.outcome,
            },
        )
    return move.record


@transaction.atomic
def complaint_stand_aside(
    *, actor: User, complaint: Complaint, reason: str, person: User | None = None
) -> StandAside:
    """信访工作条例 art. 28 (回避): a person with a direct interest steps aside: from now the
    complaint leaves their queue and they may not act on it. They declare it themselves, or the
    office records it for one of its jurisdiction's staff."""
    reason = _require_text(reason, _("interest"))
    person = person or actor
    if person.pk != actor.pk and not (
        can(actor, Action.VIEW, complaint)
        and actor.role == Role.OFFICE
        and person.jurisdiction_id == actor.jurisdiction_id
    ):
        raise DomainError(_("Only the office records a stand-aside for someone else."))
    with TRANSITIONS.transition(complaint, Transition.STAND_ASIDE, actor=actor) as move:
        if StandAside.objects.filter(complaint=move.record, user=person).exists():
            raise DomainError(_("%(person)s already stood aside.") % {"person": person})
        aside = StandAside.objects.create(
            complaint=move.record,
            user=person,
            reason=reason,
            declared_by=actor,
            declared_at=move.at,
        )
        move.event_with(opinion=reason, detail={"person": person.pk})
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=aside,
        jurisdiction=complaint.jurisdiction,
        detail={"person": person.pk},
    )
    return aside
