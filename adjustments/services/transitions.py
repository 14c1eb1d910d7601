"""The decisions after submission: forward, return, reject, review, joint review, approve,
confirm, object, re-review and the parent-review path (seed 004 三(三)2–4, seed 003 三(二)5).
"""

import datetime
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import calendar
from core.choices import NotificationKind
from core.models import DEADLINE_FIELDS, Department, User
from core.services import DomainError, notification_send, office_of, parent_office_of
from registry import services as registry
from registry.choices import DraftState

from ..choices import (
    AdjustmentPath,
    ReviewConclusion,
    SiteUpdateStart,
    StepOutcome,
    Transition,
)
from ..models import (
    AdjustmentRequest,
    ClockStop,
    RequestItem,
    Step,
)
from .policy import reviewer_departments
from .procedure import (
    TRANSITIONS,
    K,
    S,
    TransitionRefused,
    _check_files,
    _finish,
    _finish_open,
    _hand_on,
    _notify_applicant,
    _require_text,
    _set_state,
    _start,
    request_url,
)
from .publication import _follow_up_done
from .requests import _close, _closed_event

# --- the office: forward (转办), return, reject ----------------------------------------------


@transaction.atomic
def adjustment_forward(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    reviewers: Sequence[Department],
    primary: Department | None = None,
    opinion: str = "",
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """Seed 004 三(三)2 转办: within 2 working days of receipt the office forwards the request by
    field to the lead review departments (编办, 法制办, 政务服务中心, 财政局, 发改委), each of which
    reviews within 5 working days; the first named (or `primary`) leads (主办) and tells the
    office within 1 working day if a joint review is needed (its own timed step, JOINT_NOTICE,
    under the sweep like every other)."""
    with TRANSITIONS.transition(request, Transition.FORWARD, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _check_files(files)
        chosen = list(dict.fromkeys(reviewers))
        if not chosen:
            raise DomainError(_("Choose at least one lead review department."))
        allowed = set(reviewer_departments(request.jurisdiction).values_list("pk", flat=True))
        for department in chosen:
            if department.pk not in allowed:
                raise DomainError(
                    _("%(department)s is not a lead review department for this request.")
                    % {"department": department}
                )
        primary = primary or chosen[0]
        if primary not in chosen:
            raise DomainError(_("The primary reviewer must be one of the chosen departments."))
        _finish(step, actor=actor, outcome=StepOutcome.DONE, opinion=opinion.strip(), at=now)
        _set_state(request, S.REVIEWING)
        for department in chosen:
            _start(request, K.REVIEW, department, at=now, primary=department == primary)
        _start(request, K.JOINT_NOTICE, primary, at=now, primary=True)
        move.write_event(
            opinion=opinion.strip(),
            detail={"reviewers": [d.pk for d in chosen], "primary": primary.pk},
            files=files,
        )
    return request


@transaction.atomic
def adjustment_return(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    reason: str,
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """退回补正 (issue 4 §2): the office returns the request to the department with its reasons.
    The clock of the office's step stops while the request is with the department (a
    ClockStop) and restarts when it is resubmitted; the department's proposals become
    editable again."""
    reason = _require_text(reason, _("reasons"))
    with TRANSITIONS.transition(request, Transition.RETURN, actor=actor) as move:
        request, step, now, before = move.record, move.step, move.at, move.before
        _check_files(files)
        ClockStop.objects.create(step=step, stopped_at=now, reason=reason)
        calendar.apply_deadline(step)
        step.save(update_fields=DEADLINE_FIELDS)
        drafts = [
            item.draft
            for item in RequestItem.objects.filter(request=request).select_related("draft")
        ]
        registry.drafts_workflow_set(
            actor=actor,
            drafts=[d for d in drafts if d.state == DraftState.SUBMITTED],
            state=DraftState.OPEN,
            reference=request.number,
        )
        request.resume_state = before
        _set_state(request, S.SUPPLEMENT, "resume_state")
        supplement = _start(request, K.SUPPLEMENT, request.department, at=now)
        event = move.write_event(
            step=supplement,
            opinion=reason,
            detail={"clock_stopped": step.pk},
            files=files,
        )
        _notify_applicant(request, event)
    return request


@transaction.atomic
def adjustment_reject(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    reason: str,
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """SPEC §4: "a rejected request ends with reasons": the office refuses the adjustment
    (on receipt, or instead of approving it after review); nothing is published and the
    department's drafts are open again."""
    reason = _require_text(reason, _("reasons"))
    with TRANSITIONS.transition(request, Transition.REJECT, actor=actor) as move:
        request, step = move.record, move.step
        _check_files(files)
        _finish(step, actor=actor, outcome=StepOutcome.REJECTED, opinion=reason)
        _close(request, actor=actor, state=S.REJECTED, outcome=StepOutcome.CANCELLED)
        return _closed_event(move, reason, files)


# --- lead review (审核), joint review (联合会审), re-review (复审) -------------------------


def _review_round_done(request: AdjustmentRequest, kind: str, at: datetime.datetime) -> bool:
    if Step.objects.filter(request=request, kind=kind, finished_at=None).exists():
        return False
    _set_state(request, S.APPROVING)
    _start(request, K.APPROVE, office_of(request.jurisdiction), at=at)
    return True


@transaction.atomic
def adjustment_review(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    conclusion: str,
    opinion: str,
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """Seed 004 三(三)3 审核: each lead review department gives its review opinion within 5
    working days of the forwarding; when the last one has, the office has 2 working days
    for its approval opinion."""
    return _reviewed(
        request,
        Transition.REVIEW,
        K.REVIEW,
        actor=actor,
        conclusion=conclusion,
        opinion=_require_text(opinion, _("review opinion")),
        files=files,
    )


def _reviewed(
    request: AdjustmentRequest,
    transition: str,
    kind: str,
    *,
    actor: User | None,
    conclusion: str,
    opinion: str,
    files: Sequence[UploadedFile],
) -> AdjustmentRequest:
    """A review or re-review opinion: the reviewer's step ends; the last one of the round
    moves the request on to the office's approval opinion."""
    conclusion = ReviewConclusion(conclusion)
    with TRANSITIONS.transition(request, transition, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _check_files(files)
        _finish(step, actor=actor, outcome=conclusion, opinion=opinion, at=now)
        # The primary reviewer who gives its opinion alone has decided that no joint review is
        # needed.
        _joint_notice_finish(
            request, step.department, actor=actor, outcome=StepOutcome.NO_JOINT, at=now
        )
        _review_round_done(request, kind, now)
        move.write_event(
            opinion=opinion,
            detail={"conclusion": str(conclusion)},
            files=files,
        )
    return request


def _joint_notice_finish(
    request: AdjustmentRequest, department: Department, *, actor, outcome: str, at, opinion=""
) -> Step | None:
    """Ends the primary reviewer's open joint-review notice step, if any; returns it."""
    notice = (
        Step.objects.select_for_update()
        .filter(request=request, kind=K.JOINT_NOTICE, department=department, finished_at=None)
        .first()
    )
    if notice is not None:
        _finish(notice, actor=actor, outcome=outcome, opinion=opinion, at=at)
    return notice


@transaction.atomic
def adjustment_joint_decline(
    *, actor: User | None, request: AdjustmentRequest, note: str = ""
) -> AdjustmentRequest:
    """Seed 004 三(三)3 "主办牵头部门应在收到转办意见后 1 个工作日内告知": the primary reviewer
    tells the office within 1 working day that the item needs no joint review; the reviews go
    on. (Asking for one is adjustment_joint_request; giving its opinion alone says the same.)"""
    with TRANSITIONS.transition(request, Transition.JOINT_DECLINE, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _finish(step, actor=actor, outcome=StepOutcome.NO_JOINT, opinion=note.strip(), at=now)
        move.write_event(
            opinion=note.strip(),
            detail={"late": step.is_overdue},
        )
    return request


@transaction.atomic
def adjustment_joint_request(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    departments: Sequence[Department],
    reason: str,
) -> AdjustmentRequest:
    """Seed 004 三(三)3: "对于需要多个牵头部门共同审核的交叉事项，主办牵头部门应在收到转办
    意见后 1 个工作日内告知…由市政务服务改革管理办公室组织相关牵头部门及申请单位联合会审".
    The primary reviewer tells the office which other fields must review with it (its
    JOINT_NOTICE step, 1 working day; a notice after it is accepted and recorded as late); the
    separate reviews end and the office convenes."""
    reason = _require_text(reason, _("reasons"))
    with TRANSITIONS.transition(request, Transition.JOINT_REQUEST, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        if not step.primary:
            raise TransitionRefused(
                _("Only the primary lead reviewer asks for a joint review; tell it your view.")
            )
        allowed = set(reviewer_departments(request.jurisdiction).values_list("pk", flat=True))
        others = [d for d in dict.fromkeys(departments) if d.pk != step.department_id]
        if not others:
            raise DomainError(_("Name the other lead review departments the joint review needs."))
        for department in others:
            if department.pk not in allowed:
                raise DomainError(
                    _("%(department)s is not a lead review department for this request.")
                    % {"department": department}
                )
        _joint_notice_finish(
            request, step.department, actor=actor, outcome=StepOutcome.JOINT, opinion=reason, at=now
        )
        # The notice is late after its 1 working day, whether it was still open or declined.
        notice = (
            Step.objects.filter(request=request, kind=K.JOINT_NOTICE, department=step.department)
            .order_by("pk")
            .last()
        )
        late = notice is not None and notice.due_at is not None and now > notice.due_at
        _finish(step, actor=actor, outcome=StepOutcome.JOINT, opinion=reason, at=now)
        _finish_open(request, actor=None, outcome=StepOutcome.JOINT, kinds=[K.REVIEW], at=now)
        _set_state(request, S.JOINT_REVIEW)
        joint = _start(request, K.JOINT_REVIEW, office_of(request.jurisdiction), at=now)
        participants = [step.department_id, *(d.pk for d in others)]
        joint.detail = {"reviewers": participants, "requested_by": step.department_id}
        joint.save(update_fields=["detail"])
        move.write_event(
            opinion=reason,
            detail={"reviewers": participants, "late": late},
        )
    return request


@transaction.atomic
def adjustment_joint_convene(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    meeting_at: datetime.datetime,
    place: str,
    participants: Sequence[Department],
    note: str = "",
) -> AdjustmentRequest:
    """Seed 004 三(三)3 联合会审: the office convenes the lead review departments concerned and
    the applying department; the meeting's time, place and participants are recorded."""
    with TRANSITIONS.transition(request, Transition.JOINT_CONVENE, actor=actor) as move:
        request, step = move.record, move.step
        place = _require_text(place, _("place of the meeting"))
        chosen = list(dict.fromkeys(participants))
        needed = set(step.detail.get("reviewers", [])) | {request.department_id}
        missing = needed - {d.pk for d in chosen}
        if missing:
            names = "、".join(
                str(d) for d in Department.objects.filter(pk__in=missing).order_by("pk")
            )
            raise DomainError(
                _(
                    "The joint review needs the applying department and the reviewers concerned: "
                    "add %(names)s."
                )
                % {"names": names}
            )
        step.detail = {
            **step.detail,
            "meeting": {
                "at": meeting_at.isoformat(),
                "place": place,
                "participants": [d.pk for d in chosen],
            },
        }
        step.save(update_fields=["detail"])
        move.write_event(
            opinion=note.strip(),
            detail=step.detail["meeting"],
        )
        for department in chosen:
            notification_send(
                recipients=User.objects.filter(department=department, is_active=True),
                kind=NotificationKind.TASK_ASSIGNED,
                subject=_("Joint review of adjustment request %(number)s")
                % {"number": request.number},
                body=_("%(when)s, %(place)s.")
                % {
                    "when": date_format(meeting_at.astimezone(calendar.SHANGHAI), "Y-m-d H:i"),
                    "place": place,
                },
                url=request_url(request),
                dedupe_key=f"adjustment-step:{step.pk}:convened:{meeting_at.isoformat()}",
            )
    return request


@transaction.atomic
def adjustment_joint_conclude(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    conclusion: str,
    opinion: str,
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """Seed 004 三(三)3: the joint review gives one joint opinion (共同出具审核意见); the office
    then has 2 working days for its approval opinion."""
    conclusion = ReviewConclusion(conclusion)
    opinion = _require_text(opinion, _("joint opinion"))
    with TRANSITIONS.transition(request, Transition.JOINT_CONCLUDE, actor=actor) as move:
        request, step = move.record, move.step
        if "meeting" not in step.detail:
            raise TransitionRefused(_("Record the joint review meeting before its opinion."))
        _check_files(files)
        _hand_on(
            move,
            outcome=conclusion,
            opinion=opinion,
            state=S.APPROVING,
            kind=K.APPROVE,
            department=office_of(request.jurisdiction),
            detail={"conclusion": str(conclusion)},
            files=files,
        )
    return request


@transaction.atomic
def adjustment_approve(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    opinion: str,
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """Seed 004 三(三)4 确认: within 2 working days of the review opinion the office issues its
    approval opinion (核准意见) to the department, which confirms it within 1 working day or
    objects within 2 (one CONFIRM step, due at the end of the objection period). On the filing
    path (seed 003: 区政务服务改革管理办公室在清单中调整) this is the office's own decision and
    the change goes to the digital office."""
    opinion = _require_text(opinion, _("approval opinion"))
    with TRANSITIONS.transition(request, Transition.APPROVE, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _check_files(files)
        if request.path == AdjustmentPath.FILING:
            _finish(step, actor=actor, outcome=StepOutcome.APPROVED, opinion=opinion, at=now)
            _to_digital_forward(request, now)
            event = move.write_event(
                opinion=opinion,
                files=files,
            )
        else:
            event = _hand_on(
                move,
                outcome=StepOutcome.APPROVED,
                opinion=opinion,
                state=S.CONFIRMING,
                kind=K.CONFIRM,
                department=request.department,
                files=files,
            )
        _notify_applicant(request, event)
    return request


def _to_digital_forward(request: AdjustmentRequest, at: datetime.datetime) -> None:
    """The change is decided: the office has 2 working days to send it to the digital office
    (seed 004 三(三)5), and "同时" the department has 3 working days to update its own website
    and premises, unless the policy starts that period from publication."""
    _set_state(request, S.DIGITAL_FORWARD)
    _start(request, K.DIGITAL_FORWARD, office_of(request.jurisdiction), at=at)
    if request.policy_value("site_update_start") == SiteUpdateStart.DIGITAL_FORWARD:
        _start(request, K.SITE_UPDATE, request.department, at=at)


@transaction.atomic
def adjustment_confirm(
    *, actor: User | None, request: AdjustmentRequest, note: str = ""
) -> AdjustmentRequest:
    """Seed 004 三(三)4–5: the department confirms the approval opinion within 1 working day
    ("申请单位无异议的"; later is accepted and recorded as late); the office then has 2 working
    days to send it to the digital office and, at the same moment, the department 3 working
    days to update its own website and premises."""
    with TRANSITIONS.transition(request, Transition.CONFIRM, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _finish(step, actor=actor, outcome=StepOutcome.CONFIRMED, opinion=note.strip(), at=now)
        _to_digital_forward(request, now)
        move.write_event(
            opinion=note.strip(),
            detail={"late": now > step.confirm_due_at},
        )
    return request


def last_reviewers(request: AdjustmentRequest) -> tuple[list[int], int]:
    """The lead review departments of the latest review (or joint review) and its round."""
    reviews = Step.objects.filter(
        request=request, kind__in=[K.REVIEW, K.REREVIEW, K.JOINT_REVIEW]
    ).order_by("-round", "-pk")
    latest = reviews.first()
    if latest is None:
        return [], 0
    departments = []
    for step in reviews.filter(round=latest.round):
        if step.kind == K.JOINT_REVIEW:
            departments += step.detail.get("reviewers", [])
        else:
            departments.append(step.department_id)
    return list(dict.fromkeys(departments)), latest.round


@transaction.atomic
def adjustment_object(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    reason: str,
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """Seed 004 三(三)5: "有异议的申请单位须于2个工作日内将相关意见提交市政务服务改革管理办公室申请
    复审": the department submits its objection to the office, on time until the end of the
    objection period (2 working days from the approval opinion, the CONFIRM step's due
    moment; later is accepted and recorded as late). The office then sends it to re-review
    (its OBJECTION step, this product's default period)."""
    reason = _require_text(reason, _("reasons of the objection"))
    with TRANSITIONS.transition(request, Transition.OBJECT, actor=actor) as move:
        request, step = move.record, move.step
        _check_files(files)
        reviewers, _round = last_reviewers(request)
        if not reviewers:
            raise TransitionRefused(_("Nobody reviewed this request, so nobody can re-review it."))
        event = _hand_on(
            move,
            outcome=StepOutcome.OBJECTED,
            opinion=reason,
            state=S.OBJECTED,
            kind=K.OBJECTION,
            department=office_of(request.jurisdiction),
            detail={"late": step.is_overdue},
            files=files,
        )
        _notify_applicant(request, event)
    return request


@transaction.atomic
def adjustment_objection_forward(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    reviewers: Sequence[Department] = (),
    opinion: str = "",
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """Seed 004 三(三)5 "…提交市政务服务改革管理办公室申请复审": the office sends the department's
    objection to the lead reviewers for re-review (复审): those of the last review unless it
    names others. The re-review period is this product's default (the seed sets none)."""
    with TRANSITIONS.transition(request, Transition.OBJECTION_FORWARD, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _check_files(files)
        last, last_round = last_reviewers(request)
        chosen = list(dict.fromkeys(reviewers)) or list(
            Department.objects.filter(pk__in=last).order_by("pk")
        )
        if not chosen:
            raise DomainError(_("Choose at least one lead review department."))
        allowed = set(reviewer_departments(request.jurisdiction).values_list("pk", flat=True))
        for department in chosen:
            if department.pk not in allowed:
                raise DomainError(
                    _("%(department)s is not a lead review department for this request.")
                    % {"department": department}
                )
        _finish(step, actor=actor, outcome=StepOutcome.DONE, opinion=opinion.strip(), at=now)
        _set_state(request, S.REREVIEW)
        for department in chosen:
            _start(request, K.REREVIEW, department, at=now, round=last_round + 1)
        move.write_event(
            opinion=opinion.strip(),
            detail={"reviewers": [d.pk for d in chosen]},
            files=files,
        )
    return request


@transaction.atomic
def adjustment_rereview(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    conclusion: str,
    opinion: str,
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """Seed 004 三(三)5 复审: each lead reviewer answers the objection within the re-review
    period (this product's default: the seed sets none); when the last has, the office gives
    its approval opinion again (2 working days, seed 004 三(三)4)."""
    return _reviewed(
        request,
        Transition.REREVIEW,
        K.REREVIEW,
        actor=actor,
        conclusion=conclusion,
        opinion=_require_text(opinion, _("re-review opinion")),
        files=files,
    )


# --- seed 003: review by the office above and the executive meeting; filing (备案) ------------


@transaction.atomic
def adjustment_parent_forward(
    *, actor: User | None, request: AdjustmentRequest, opinion: str = ""
) -> AdjustmentRequest:
    """Seed 003 三(二)5: "凡是由于法律法规规章的立、改、废情况导致清单内容需要调整的，由责任
    单位向区政务服务改革管理办公室提出申请，经市政务服务改革管理办公室审核后…": the district
    office forwards the request to the city office for review."""
    with TRANSITIONS.transition(request, Transition.PARENT_FORWARD, actor=actor) as move:
        request = move.record
        _hand_on(
            move,
            outcome=StepOutcome.DONE,
            opinion=opinion.strip(),
            state=S.PARENT_REVIEW,
            kind=K.PARENT_REVIEW,
            department=parent_office_of(request.jurisdiction),
        )
    return request


@transaction.atomic
def adjustment_parent_review(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    conclusion: str,
    opinion: str,
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """Seed 003 三(二)5: the city office reviews; if it agrees, the district office puts the
    change to the district government's executive meeting (常务会议); if not, the request ends
    with its reasons."""
    conclusion = ReviewConclusion(conclusion)
    opinion = _require_text(opinion, _("review opinion"))
    with TRANSITIONS.transition(request, Transition.PARENT_REVIEW, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _check_files(files)
        _finish(step, actor=actor, outcome=conclusion, opinion=opinion, at=now)
        if conclusion == ReviewConclusion.DISAGREE:
            _close(request, actor=actor, state=S.REJECTED, outcome=StepOutcome.CANCELLED)
            return _closed_event(move, opinion, files)
        _set_state(request, S.MEETING)
        _start(request, K.MEETING, office_of(request.jurisdiction), at=now)
        move.write_event(
            opinion=opinion,
            detail={"conclusion": str(conclusion)},
            files=files,
        )
    return request


@transaction.atomic
def adjustment_meeting_record(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    approved: bool,
    meeting_date: datetime.date,
    session: str,
    opinion: str = "",
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """Seed 003 三(二)5 "区政务服务改革管理办公室提交区政府常务会议审定": the district office
    records
    the executive meeting's decision (date, session, approved or not)."""
    session = _require_text(session, _("session of the executive meeting"))
    with TRANSITIONS.transition(request, Transition.MEETING, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _check_files(files)
        if meeting_date > timezone.localdate(timezone=calendar.SHANGHAI):
            raise DomainError(_("Record a meeting that has taken place."))
        meeting = {"date": meeting_date.isoformat(), "session": session, "approved": approved}
        step.detail = {**step.detail, "meeting": meeting}
        step.save(update_fields=["detail"])
        _finish(
            step,
            actor=actor,
            outcome=StepOutcome.APPROVED if approved else StepOutcome.REJECTED,
            opinion=opinion.strip(),
            at=now,
        )
        if not approved:
            _close(request, actor=actor, state=S.REJECTED, outcome=StepOutcome.CANCELLED)
            reason = opinion.strip() or _(
                "Not approved by the executive meeting (%(session)s)."
            ) % {"session": session}
            return _closed_event(move, reason, files)
        _to_digital_forward(request, now)
        event = move.write_event(
            opinion=opinion.strip(),
            detail=meeting,
            files=files,
        )
        _notify_applicant(request, event)
    return request


@transaction.atomic
def adjustment_file(
    *, actor: User | None, request: AdjustmentRequest, opinion: str = ""
) -> AdjustmentRequest:
    """Seed 003 三(二)5 "报市政务服务改革管理办公室备案": the office above records the district's
    adjustment as filed (its remarks, if any, go with it)."""
    return _follow_up_done(request, Transition.FILE, actor=actor, note=opinion)
