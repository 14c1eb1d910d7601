"""Rectification notices (整改通知书) and rectification (seed 002 管理办法 第十九条:
由发现问题的监督部门下发整改通知书，提出整改要求，责令限期整改到位; seed 001 第十六条).

A notice covers one or more open problems of one unit. Issuing it gives it the issuing body's
next number of the year (〔2026〕N号, no gaps, never reused), renders its PDF in the official
layout (core.documents) and keeps it as issued, and starts the unit's rectification step (the
deadline in working days). The unit reports (with evidence, milestones for long work); the
supervisor accepts, returns with reasons, or closes it as not fixed (整改不到位). Overdue or
not-fixed rectification is escalated once: reported to the office (抄报政务服务改革管理办公室),
recorded in the unit's assessment ledger (记入单位绩效考核台账), told to the departments
concerned; and where the policy says so (seed 001 第十六条) it vetoes the unit's year.
"""

import datetime
import hashlib
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import calendar
from core.choices import DepartmentFunction, NotificationKind, Role
from core.documents import Heading, chinese_date, official_document_pdf
from core.models import User
from core.permissions import Action, can
from core.services import DomainError, notification_send, require_text
from core.services.offices import users_of

from ..choices import (
    OPEN_NOTICE_STATES,
    AssessmentKind,
    NoticeState,
    ProblemState,
    StepKind,
    Transition,
)
from ..models import (
    AssessmentRecord,
    Milestone,
    Problem,
    RectificationNotice,
    RectificationReport,
)
from .files import files_save
from .plans import supervision_department
from .procedure import (
    NOTICES,
    document_number_next,
    event_write,
    now,
    policy_for,
    problem_move,
    step_finish,
    step_start,
    steps_finish_open,
)


@transaction.atomic
def notice_draft(
    *,
    actor: User,
    problems: Sequence[Problem],
    title: str,
    requirements: str,
    deadline_days: int | None = None,
    milestones: Sequence[tuple[str, datetime.date]] = (),
    corrects: RectificationNotice | None = None,
) -> RectificationNotice:
    """A draft notice for open problems of one unit, by a supervisor of their jurisdiction. The
    deadline is in working days (the policy's default: this product's 15). `corrects`: the
    issued notice this one replaces (a notice never changes after issue)."""
    problems = list(
        Problem.objects.select_for_update()
        .filter(pk__in=[p.pk for p in problems])
        .select_related("jurisdiction", "department")
        .order_by("pk")
    )
    if not problems:
        raise DomainError(_("Choose the problems the notice is about."))
    units = {p.department_id for p in problems}
    if len(units) > 1:
        raise DomainError(
            _("A notice is addressed to one unit: choose problems of one department.")
        )
    jurisdiction = problems[0].jurisdiction
    if not can(actor, Action.ADD, RectificationNotice) or not (
        actor.jurisdiction_id and jurisdiction.path.startswith(actor.jurisdiction.path)
    ):
        raise DomainError(_("Only a supervisor of %(j)s issues its notices.") % {"j": jurisdiction})
    allowed = {ProblemState.OPEN}
    if corrects is not None:
        allowed.add(ProblemState.NOTIFIED)
        if corrects.state not in OPEN_NOTICE_STATES:
            raise DomainError(_("Only a notice in force can be corrected."))
    closed = [str(p) for p in problems if p.state not in allowed]
    if closed:
        raise DomainError(_("Not open: %(problems)s.") % {"problems": "、".join(closed)})
    policy = policy_for(jurisdiction)
    days = deadline_days if deadline_days is not None else policy.rectify_days
    if not 1 <= days <= 250:
        raise DomainError(_("The deadline is from 1 to 250 working days."))
    issuer = supervision_department(jurisdiction) or actor.department
    notice = RectificationNotice.objects.create(
        jurisdiction=jurisdiction,
        issuer=issuer,
        addressee=problems[0].department,
        title=require_text(title, _("notice title"), multiline=False),
        requirements=require_text(requirements, _("requirements")),
        deadline_days=days,
        corrects=corrects,
        created_by=actor,
        created_at=now(),
    )
    notice.problems.set(problems)
    for title_text, due_on in milestones:
        Milestone.objects.create(
            notice=notice,
            title=require_text(title_text, _("milestone"), multiline=False),
            due_on=due_on,
        )
    event_write(
        transition=Transition.NOTICE_DRAFT,
        actor=actor,
        notice=notice,
        to_state=notice.state,
        jurisdiction=jurisdiction,
        detail={"problems": [p.pk for p in problems]},
    )
    return notice


def notice_pdf_bytes(
    notice: RectificationNotice, *, number: str, day: datetime.date, due: datetime.date
) -> bytes:
    """The notice as an official document (GB/T 9704-2012, core.documents), in Chinese
    whatever language the issuer's page is in."""
    with translation.override("zh-hans"):
        return _notice_pdf(notice, number=number, day=day, due=due)


def _notice_pdf(
    notice: RectificationNotice, *, number: str, day: datetime.date, due: datetime.date
) -> bytes:
    problems = list(notice.problems.order_by("pk"))
    blocks = [
        _(
            "In the inspection of the operation of the lists, the following problems of your unit "
            "were found:"
        ),
        Heading(_("I. Problems found")),
        # GB/T 9704 numbering: a full-width stop and no space keep the 28-character grid.
        *[
            f"{index}．{problem.title}：{problem.description}"
            for index, problem in enumerate(problems, 1)
        ],
        Heading(_("II. Rectification requirements")),
        notice.requirements,
        *[
            _("Milestone: %(title)s, by %(due)s.")
            % {"title": milestone.title, "due": chinese_date(milestone.due_on)}
            for milestone in notice.milestones.all()
        ],
        _(
            "Rectify them by %(due)s (%(days)s working days) and report the rectification in "
            "writing, with evidence, through the Qingdan site. Rectification overdue or not "
            "fixed is reported to the reform office and recorded in the unit's assessment "
            "ledger."
        )
        % {"due": chinese_date(due), "days": notice.deadline_days},
    ]
    if notice.corrects_id:
        blocks.insert(
            0, _("This notice replaces notice %(number)s.") % {"number": notice.corrects.number}
        )
    return official_document_pdf(
        issuer=notice.issuer.name,
        number=number,
        title=notice.title,
        addressee=notice.addressee.name,
        blocks=blocks,
        signer=notice.issuer.name,
        date=day,
    )


def notice_issue(*, actor: User, notice: RectificationNotice) -> RectificationNotice:
    """Issues a draft: its number (the issuing body's next of the year, GB/T 9704-2012 7.2.4),
    its PDF (kept as issued, with its hash), the problems marked notified, and the unit's
    rectification step due in the notice's working days; the unit's clerks are told in the
    site and by e-mail. A correction withdraws the notice it replaces."""
    with NOTICES.transition(notice, Transition.NOTICE_ISSUE, actor=actor) as move:
        notice = move.record
        policy = policy_for(notice.jurisdiction)
        day = timezone.localtime(move.at, calendar.SHANGHAI).date()
        serial, number = document_number_next(
            issuer=notice.issuer, prefix=policy.document_prefix, year=day.year
        )
        step = step_start(
            department=notice.addressee,
            role=Role.CLERK,
            kind=StepKind.RECTIFY,
            at=move.at,
            days=notice.deadline_days,
            notice=notice,
        )
        due = timezone.localtime(step.due_at, calendar.SHANGHAI).date()
        pdf = notice_pdf_bytes(notice, number=number, day=day, due=due)
        notice.pdf.save(f"inspections/notices/notice-{notice.pk}.pdf", ContentFile(pdf), save=False)
        move.set(
            state=NoticeState.ISSUED,
            year=day.year,
            serial=serial,
            number=number,
            pdf=notice.pdf.name,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            issued_at=move.at,
        )
        move.save()
        for problem in notice.problems.select_for_update().exclude(state=ProblemState.NOTIFIED):
            problem_move(
                problem,
                ProblemState.NOTIFIED,
                transition=Transition.NOTICE_ISSUE,
                actor=actor,
                notice=notice,
                at=move.at,
            )
        if notice.corrects_id:
            _withdraw(
                notice.corrects,
                actor=actor,
                reason=_("Replaced by notice %(number)s.") % {"number": number},
                at=move.at,
                keep_problems=True,
            )
        move.event_with(
            detail={"number": number, "due": step.due_at.isoformat(), "sha256": notice.pdf_sha256}
        )
        return notice


def _withdraw(notice: RectificationNotice, *, actor, reason: str, at, keep_problems: bool) -> None:
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    before = notice.state
    steps_finish_open(actor=actor, outcome="withdrawn", at=at, notice=notice)
    notice.state = NoticeState.WITHDRAWN
    notice.closed_at = at
    notice.save(update_fields=["state", "closed_at"])
    if not keep_problems:
        for problem in notice.problems.select_for_update().filter(state=ProblemState.NOTIFIED):
            others = problem.notices.exclude(pk=notice.pk).filter(state__in=OPEN_NOTICE_STATES)
            if not others.exists():
                problem_move(
                    problem,
                    ProblemState.OPEN,
                    transition=Transition.NOTICE_WITHDRAW,
                    actor=actor,
                    notice=notice,
                    at=at,
                )
    event_write(
        transition=Transition.NOTICE_WITHDRAW,
        actor=actor,
        notice=notice,
        from_state=before,
        to_state=notice.state,
        opinion=reason,
        jurisdiction=notice.jurisdiction,
        at=at,
    )


def notice_withdraw(
    *, actor: User, notice: RectificationNotice, reason: str
) -> RectificationNotice:
    """Withdraws a notice (its number stays taken, GB/T 9704: never reused); its problems are
    open again unless another notice in force covers them."""
    reason = require_text(reason, _("reason"))
    with NOTICES.transition(notice, Transition.NOTICE_WITHDRAW, actor=actor) as move:
        move.record_event = False
        _withdraw(move.record, actor=actor, reason=reason, at=move.at, keep_problems=False)
        move.record.refresh_from_db()
        return move.record


def milestone_add(
    *, actor: User, notice: RectificationNotice, title: str, due_on: datetime.date
) -> Milestone:
    """The unit plans a long rectification in milestones (its rectify step's holders)."""
    title = require_text(title, _("milestone"), multiline=False)
    with NOTICES.transition(notice, Transition.MILESTONE, actor=actor) as move:
        if (
            move.step.due_at
            and due_on > timezone.localtime(move.step.due_at, calendar.SHANGHAI).date()
        ):
            raise DomainError(_("A milestone falls within the notice's deadline."))
        milestone = Milestone.objects.create(notice=move.record, title=title, due_on=due_on)
        move.event_with(detail={"milestone": milestone.pk, "added": True})
        return milestone


def milestone_progress(
    *, actor: User, milestone: Milestone, progress: int, note: str, files: Sequence = ()
) -> Milestone:
    """Progress on a milestone, with its evidence."""
    if not 0 <= progress <= 100:
        raise DomainError(_("Progress is a percentage from 0 to 100."))
    note = require_text(note, _("progress note"))
    with NOTICES.transition(milestone.notice, Transition.MILESTONE, actor=actor) as move:
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk, notice=move.record)
        milestone.progress = progress
        milestone.note = note
        milestone.updated_at = move.at
        milestone.save(update_fields=["progress", "note", "updated_at"])
        files_save(files, actor=actor, milestone=milestone)
        move.event_with(detail={"milestone": milestone.pk, "progress": progress})
        return milestone


def rectification_report(
    *, actor: User, notice: RectificationNotice, text: str, files: Sequence = ()
) -> RectificationReport:
    """The unit reports its rectification with evidence (files checked by content); the
    issuing body's supervisors then verify it within the policy's period (this product's
    default: 5 working days)."""
    text = require_text(text, _("rectification done"))
    with NOTICES.transition(notice, Transition.NOTICE_REPORT, actor=actor) as move:
        notice = move.record
        report = RectificationReport.objects.create(
            notice=notice, text=text, submitted_by=actor, submitted_at=move.at
        )
        files_save(files, actor=actor, report=report)
        step_finish(move.step, actor=actor, outcome="reported", at=move.at)
        step_start(
            department=notice.issuer,
            role=Role.SUPERVISOR,
            kind=StepKind.VERIFY,
            at=move.at,
            days=move.period(),
            notice=notice,
        )
        move.set(state=NoticeState.REPORTED)
        move.event_with(detail={"report": report.pk})
        return report


def _problems_to(notice: RectificationNotice, state: str, *, actor, at) -> None:
    transition = (
        Transition.NOTICE_ACCEPT if state == ProblemState.RECTIFIED else Transition.NOTICE_NOT_FIXED
    )
    for problem in notice.problems.select_for_update().filter(state=ProblemState.NOTIFIED):
        problem_move(problem, state, transition=transition, actor=actor, notice=notice, at=at)


def notice_accept(*, actor: User, notice: RectificationNotice, opinion: str) -> RectificationNotice:
    """The supervisor verifies the rectification and accepts it: the problems are rectified."""
    opinion = require_text(opinion, _("verification"))
    with NOTICES.transition(notice, Transition.NOTICE_ACCEPT, actor=actor) as move:
        step_finish(move.step, actor=actor, outcome="accepted", at=move.at)
        move.set(state=NoticeState.ACCEPTED, verdict=opinion, closed_at=move.at)
        move.save()
        _problems_to(move.record, ProblemState.RECTIFIED, actor=actor, at=move.at)
        move.event_with(opinion=opinion)
        return move.record


def notice_return(*, actor: User, notice: RectificationNotice, reasons: str) -> RectificationNotice:
    """Returned with reasons: the unit rectifies again, by the notice's original deadline (the
    period runs from the issue; a return does not extend it)."""
    reasons = require_text(reasons, _("reasons"))
    with NOTICES.transition(notice, Transition.NOTICE_RETURN, actor=actor) as move:
        notice = move.record
        step_finish(move.step, actor=actor, outcome="returned", at=move.at)
        step_start(
            department=notice.addressee,
            role=Role.CLERK,
            kind=StepKind.RECTIFY,
            at=move.at,
            days=notice.deadline_days,
            notice=notice,
            period_from=notice.issued_at,
        )
        move.set(state=NoticeState.ISSUED, verdict=reasons)
        move.event_with(opinion=reasons)
        return notice


def notice_close_not_fixed(
    *, actor: User, notice: RectificationNotice, reasons: str
) -> RectificationNotice:
    """整改不到位 (seed 002 管理办法 第十九条): closed with reasons, the problems closed not fixed,
    and the escalation (escalate) of a not-fixed rectification."""
    reasons = require_text(reasons, _("reasons"))
    with NOTICES.transition(notice, Transition.NOTICE_NOT_FIXED, actor=actor) as move:
        steps_finish_open(actor=actor, outcome="not_fixed", at=move.at, notice=move.record)
        move.set(state=NoticeState.NOT_FIXED, verdict=reasons, closed_at=move.at)
        move.save()
        _problems_to(move.record, ProblemState.NOT_FIXED, actor=actor, at=move.at)
        move.event_with(opinion=reasons)
        escalate(notice=move.record, kind=AssessmentKind.NOT_FIXED, at=move.at, actor=actor)
        return move.record


def escalate(
    *, notice: RectificationNotice, kind: str, at: datetime.datetime, actor: User | None = None
) -> AssessmentRecord | None:
    """Seed 002 管理办法 第十九条: 对于逾期未整改或整改不到位的，抄报政务服务改革管理办公室，
    记入单位绩效考核台账，并告知相关部门和单位. Once per notice and kind (the ledger entry's
    unique constraint); with the one-vote veto on the unit's year where the jurisdiction's
    policy follows seed 001 第十六条 (逾期未整改或整改不到位的，记入考核台账，实行一票否决). Runs
    inside the
    caller's transaction (a verification, or the sweep's batch); people are told after it
    commits. Returns the new ledger entry, or None when it was recorded before."""
    policy = policy_for(notice.jurisdiction)
    day = timezone.localtime(at, calendar.SHANGHAI).date()
    record, created = AssessmentRecord.objects.get_or_create(
        notice=notice,
        kind=kind,
        defaults={
            "department": notice.addressee,
            "year": day.year,
            "veto": policy.veto,
            "recorded_at": at,
        },
    )
    if not created:
        return None
    event_write(
        transition=Transition.ESCALATE,
        actor=actor,
        notice=notice,
        from_state=notice.state,
        to_state=notice.state,
        jurisdiction=notice.jurisdiction,
        at=at,
        detail={"kind": kind, "veto": record.veto, "assessment": record.pk},
    )
    from core.services.offices import function_department

    office = function_department(notice.jurisdiction, DepartmentFunction.REFORM_OFFICE)
    people = [
        *(users_of(office, Role.OFFICE) if office else []),
        *users_of(notice.addressee, Role.CLERK),
        *users_of(notice.issuer, Role.SUPERVISOR),
    ]
    facts = {
        "number": notice.number,
        "unit": notice.addressee,
        "kind": AssessmentKind(kind).label,
    }
    body = _("%(unit)s: %(kind)s. Recorded in the unit's assessment ledger.") % facts
    if record.veto:
        body += " " + _(
            "Under the jurisdiction's policy this is a one-vote veto on the unit's year."
        )
    transaction.on_commit(
        lambda: notification_send(
            recipients=list({user.pk: user for user in people}.values()),
            kind=NotificationKind.PROGRESS,
            subject=_("Rectification %(number)s: %(kind)s") % facts,
            body=body,
            url=notice.get_absolute_url(),
            dedupe_key=f"inspection-notice:{notice.pk}:escalated:{kind}",
        )
    )
    return record
