"""The adjustment procedure declared with `core.workflow` (seed 004 三(三)): its transitions'
table and the parts of the recipe every transition shares (start and finish steps, the event
row, the notifications).

Every transition is one service performing it inside `TRANSITIONS.transition(...)`, the
mechanism's recipe: lock the request (select_for_update), check its state and path against
the table and find the open step the actor holds (core permissions' "act" rule) or refuse with
a TransitionRefused that says why; the service finishes that step and starts the next ones
(each a Step row with its due moment from the working-day calendar), saves with update_fields,
writes the RequestEvent (actor, from, to, opinion, attachments) and the audit row, and
notifies the people of the new steps (rows now, e-mail on commit). Two people acting at once:
the second waits for the lock and then finds the state changed.
"""

import datetime
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import calendar
from core.choices import AuditAction, DeadlineUnit, NotificationKind, Role
from core.models import Department, User
from core.permissions import can
from core.services import DomainError, audit_record, notification_send, users_of
from core.workflow import Move, Procedure, Rule
from core.workflow import TransitionRefused as WorkflowRefused
from registry.models import Draft

from ..choices import (
    STEP_ROLE,
    AdjustmentPath,
    RequestState,
    StepKind,
    Transition,
)
from ..models import (
    STEP_PERIOD,
    AdjustmentRequest,
    RequestEvent,
    Step,
)
from ..permissions import ACT, EXTEND, WITHDRAW
from .attachments import _attachments_save, attachment_problems

S = RequestState
K = StepKind


class TransitionRefused(WorkflowRefused):
    """The action is not possible now (wrong state, wrong path, not the actor's turn)."""


class DraftTaken(DomainError):
    """A draft is already proposed by another request under way (issue 9 §10). `field` names
    the form field and API parameter the message belongs to."""

    field = "drafts"

    def __init__(self, draft: Draft, number: str):
        self.draft, self.number = draft, number
        super().__init__(
            _("The draft “%(draft)s” is already part of request %(number)s.")
            % {"draft": draft, "number": number}
        )


def _on(*paths: str):
    """The rule exists on these paths only."""
    allowed = frozenset(paths)
    return lambda request: request.path in allowed


def _own(user, request: AdjustmentRequest) -> bool:
    """The applying department's people (the "withdraw" rule of adjustments/permissions.py)."""
    return can(user, WITHDRAW, request)


def _extends(user, request: AdjustmentRequest) -> bool:
    """The office of the request's jurisdiction (the "extend" rule)."""
    return can(user, EXTEND, request)


def _primary(step: Step) -> bool:
    return step.primary


STANDARD_ONLY = _on(AdjustmentPath.STANDARD)
PARENT_REVIEW_ONLY = _on(AdjustmentPath.PARENT_REVIEW)

# Before the department confirmed the approval opinion, it may still withdraw.
WITHDRAWABLE = frozenset(
    {
        S.DRAFTING,
        S.SUBMITTED,
        S.SUPPLEMENT,
        S.REVIEWING,
        S.JOINT_REVIEW,
        S.APPROVING,
        S.CONFIRMING,
        S.OBJECTED,
        S.REREVIEW,
        S.PARENT_REVIEW,
        S.MEETING,
    }
)
OFFICE_DECISION_STEPS = frozenset({K.FORWARD, K.PARENT_FORWARD, K.APPROVE})


class AdjustmentProcedure(Procedure):
    """The refusals name the request by its number and say whom it waits on (the departments
    of its open steps)."""

    def refuse_state(self, record: AdjustmentRequest, name: str) -> TransitionRefused:
        return TransitionRefused(
            _("“%(action)s” is not possible: request %(number)s is %(state)s.")
            % {
                "action": Transition(name).label,
                "number": record.number,
                "state": RequestState(record.state).label,
            }
        )

    def refuse_turn(self, record: AdjustmentRequest, name: str) -> TransitionRefused:
        waiting = (
            Step.objects.filter(request=record, finished_at=None)
            .select_related("department")
            .order_by("pk")
        )
        names = "、".join(dict.fromkeys(str(s.department) for s in waiting)) or "-"
        return TransitionRefused(
            _("“%(action)s” is not yours to do: request %(number)s is waiting on %(departments)s.")
            % {"action": Transition(name).label, "number": record.number, "departments": names}
        )


def _period_of(request: AdjustmentRequest, name: str) -> int:
    return int(request.policy_value(name))


def _record_event(request: AdjustmentRequest, transition: str, **kwargs) -> RequestEvent:
    """The procedure's event factory (the table is declared before `_event`)."""
    return _event(request, transition, **kwargs)


# The table (docs/architecture.md, "Transitions"): the states each transition starts from, the
# state it leads to when only one is possible (None: the service decides by the facts, or the
# state stays), the kinds of open step its actor must hold, the paths it exists on, who else
# may (the applying department, the office) and the period of the step it starts (the policy
# field; the request's snapshot of it).
TRANSITIONS = AdjustmentProcedure(
    model=AdjustmentRequest,
    steps=Step,
    record_field="request",
    event=_record_event,
    refusal=TransitionRefused,
    act=ACT,
    related=("jurisdiction", "department", "law"),
    label=lambda name: Transition(name).label,
    state_label=lambda state: RequestState(state).label,
    holder_label=lambda step: str(step.department),
    period_of=_period_of,
    now=lambda: _now(),
    rules={
        Transition.UPDATE: Rule({S.DRAFTING, S.SUPPLEMENT}, may=_own),
        Transition.SUBMIT: Rule({S.DRAFTING}, steps={K.APPLY}, may=_own),
        Transition.RESUBMIT: Rule({S.SUPPLEMENT}, steps={K.SUPPLEMENT}, may=_own),
        Transition.WITHDRAW: Rule(WITHDRAWABLE, S.WITHDRAWN, may=_own),
        Transition.EXTENSION_REQUEST: Rule({S.DRAFTING}, steps={K.APPLY}),
        Transition.EXTEND: Rule({S.DRAFTING}, may=_extends),
        Transition.FORWARD: Rule(
            {S.SUBMITTED},
            S.REVIEWING,
            steps={K.FORWARD},
            when=STANDARD_ONLY,
            period=STEP_PERIOD[K.REVIEW],
        ),
        Transition.RETURN: Rule({S.SUBMITTED, S.APPROVING}, S.SUPPLEMENT, OFFICE_DECISION_STEPS),
        Transition.REJECT: Rule({S.SUBMITTED, S.APPROVING}, S.REJECTED, OFFICE_DECISION_STEPS),
        Transition.REVIEW: Rule({S.REVIEWING}, steps={K.REVIEW}, when=STANDARD_ONLY),
        Transition.JOINT_REQUEST: Rule(
            {S.REVIEWING},
            S.JOINT_REVIEW,
            steps={K.REVIEW},
            when=STANDARD_ONLY,
            holds=_primary,
            period=STEP_PERIOD[K.JOINT_REVIEW],
        ),
        Transition.JOINT_DECLINE: Rule({S.REVIEWING}, steps={K.JOINT_NOTICE}, when=STANDARD_ONLY),
        Transition.JOINT_CONVENE: Rule(
            {S.JOINT_REVIEW}, steps={K.JOINT_REVIEW}, when=STANDARD_ONLY
        ),
        Transition.JOINT_CONCLUDE: Rule(
            {S.JOINT_REVIEW},
            S.APPROVING,
            steps={K.JOINT_REVIEW},
            when=STANDARD_ONLY,
            period=STEP_PERIOD[K.APPROVE],
        ),
        Transition.APPROVE: Rule(
            {S.APPROVING},
            steps={K.APPROVE},
            when=_on(AdjustmentPath.STANDARD, AdjustmentPath.FILING),
        ),
        Transition.CONFIRM: Rule(
            {S.CONFIRMING},
            S.DIGITAL_FORWARD,
            steps={K.CONFIRM},
            when=STANDARD_ONLY,
            period=STEP_PERIOD[K.DIGITAL_FORWARD],
        ),
        Transition.OBJECT: Rule(
            {S.CONFIRMING},
            S.OBJECTED,
            steps={K.CONFIRM},
            when=STANDARD_ONLY,
            period=STEP_PERIOD[K.OBJECTION],
        ),
        Transition.OBJECTION_FORWARD: Rule(
            {S.OBJECTED},
            S.REREVIEW,
            steps={K.OBJECTION},
            when=STANDARD_ONLY,
            period=STEP_PERIOD[K.REREVIEW],
        ),
        Transition.REREVIEW: Rule({S.REREVIEW}, steps={K.REREVIEW}, when=STANDARD_ONLY),
        Transition.PARENT_FORWARD: Rule(
            {S.SUBMITTED},
            S.PARENT_REVIEW,
            steps={K.PARENT_FORWARD},
            when=PARENT_REVIEW_ONLY,
            period=STEP_PERIOD[K.PARENT_REVIEW],
        ),
        Transition.PARENT_REVIEW: Rule(
            {S.PARENT_REVIEW}, steps={K.PARENT_REVIEW}, when=PARENT_REVIEW_ONLY
        ),
        Transition.MEETING: Rule({S.MEETING}, steps={K.MEETING}, when=PARENT_REVIEW_ONLY),
        Transition.DIGITAL_FORWARD: Rule(
            {S.DIGITAL_FORWARD},
            S.PUBLISHING,
            steps={K.DIGITAL_FORWARD},
            period=STEP_PERIOD[K.PUBLISH],
        ),
        Transition.PUBLISH: Rule({S.PUBLISHING}, steps={K.PUBLISH}),
        # Seed 004 三(三)5 "同时": the site update may be done before publication.
        Transition.SITE_UPDATE: Rule(
            {S.DIGITAL_FORWARD, S.PUBLISHING, S.PUBLISHED}, steps={K.SITE_UPDATE}
        ),
        Transition.FILE: Rule({S.PUBLISHED}, steps={K.FILING}, when=_on(AdjustmentPath.FILING)),
    },
)


# --- the recipe's parts -------------------------------------------------------------------------


def _now() -> datetime.datetime:
    return timezone.now()


def _event_moment(day: datetime.date) -> datetime.datetime:
    """A triggering event's date as a moment: its Shanghai midnight (the day is not counted)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=calendar.SHANGHAI)


def _lock(request: AdjustmentRequest) -> AdjustmentRequest:
    return TRANSITIONS.lock(request)


def _period(request: AdjustmentRequest, kind: str) -> int | None:
    name = STEP_PERIOD.get(kind)
    if name is None:
        return None
    return int(request.policy_value(name))


def _start(
    request: AdjustmentRequest,
    kind: str,
    department: Department,
    *,
    at: datetime.datetime,
    round: int = 1,
    primary: bool = False,
    notify: bool = True,
) -> Step:
    """A new open step with its due moment (its period from the request's policy)."""
    step = Step(
        request=request,
        kind=kind,
        department=department,
        started_at=at,
        deadline_days=_period(request, kind),
        deadline_unit=request.policy_value("apply_unit")
        if kind == K.APPLY
        else DeadlineUnit.WORKING_DAYS,
        round=round,
        primary=primary,
    )
    calendar.apply_deadline(step)
    step.save()
    if notify:
        _notify_step(step)
    return step


def _finish(
    step: Step,
    *,
    actor: User | None,
    outcome: str,
    opinion: str = "",
    at: datetime.datetime | None = None,
) -> Step:
    step.finished_at = at or _now()
    step.finished_by = actor if actor is not None and actor.is_authenticated else None
    step.outcome = outcome
    step.opinion = opinion
    step.save(update_fields=["finished_at", "finished_by", "outcome", "opinion"])
    return step


def _finish_open(
    request: AdjustmentRequest, *, actor: User | None, outcome: str, kinds=None, at=None
) -> int:
    """Ends every open step of the request (of `kinds`), e.g. when it is withdrawn."""
    steps = Step.objects.select_for_update().filter(request=request, finished_at=None)
    if kinds is not None:
        steps = steps.filter(kind__in=kinds)
    count = 0
    for step in steps:
        _finish(step, actor=actor, outcome=outcome, at=at)
        count += 1
    return count


def _set_state(request: AdjustmentRequest, state: str, *fields: str) -> None:
    request.state = state
    request.save(update_fields=["state", *fields])


def _event(
    request: AdjustmentRequest,
    transition: str,
    *,
    actor: User | None,
    from_state: str,
    step: Step | None = None,
    opinion: str = "",
    detail: dict | None = None,
    files: Sequence[UploadedFile] = (),
    at: datetime.datetime | None = None,
) -> RequestEvent:
    """The request's event row and the audit row of the transition. `at` is the transition's
    moment, the one its steps finished and started at, so the log sorts in the order things
    happened."""
    event = RequestEvent.objects.create(
        request=request,
        at=at or _now(),
        step=step,
        actor=actor if actor is not None and actor.is_authenticated else None,
        transition=transition,
        from_state=from_state,
        to_state=request.state,
        opinion=opinion,
        detail=detail or {},
    )
    attachments = _attachments_save(request, event, files, actor) if files else []
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=request,
        jurisdiction=request.jurisdiction,
        detail={
            "transition": str(transition),
            "from": from_state,
            "to": request.state,
            "step": step.pk if step else None,
            "attachments": [a.name for a in attachments],
        },
    )
    return event


def _hand_on(
    move: Move,
    *,
    outcome: str,
    opinion: str = "",
    state: str,
    kind: str | None = None,
    department: Department | None = None,
    detail: dict | None = None,
    files: Sequence[UploadedFile] = (),
) -> RequestEvent:
    """The middle of most transitions: the actor's step ends with its outcome, the request
    moves to `state`, the next step (`kind`, for `department`) starts, and the event records
    it all."""
    _finish(move.step, actor=move.actor, outcome=outcome, opinion=opinion, at=move.at)
    _set_state(move.record, state)
    if kind is not None:
        _start(move.record, kind, department, at=move.at)
    return move.write_event(opinion=opinion, detail=detail, files=files)


def _require_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Give the %(what)s.") % {"what": what})
    return text


def _check_files(files: Sequence[UploadedFile]) -> None:
    problems = attachment_problems(files)
    if problems:
        raise DomainError(" ".join(problems))


def request_url(request: AdjustmentRequest) -> str:
    return reverse("adjustments:detail", args=[request.number])


def _due_text(step: Step) -> str:
    if step.due_at is None:
        return _("no deadline")
    return date_format(step.due_at.astimezone(calendar.SHANGHAI), "Y-m-d")


def _notify_step(step: Step, occasion: str = "assigned") -> None:
    """The people who must act on a new (or restarted) step are told; their work queue shows
    it too."""
    request = step.request
    notification_send(
        recipients=users_of(step.department, STEP_ROLE[step.kind]),
        kind=NotificationKind.TASK_ASSIGNED,
        subject=_("%(step)s: adjustment request %(number)s")
        % {"step": StepKind(step.kind).label, "number": request.number},
        body=_("%(summary)s (%(department)s). Due: %(due)s.")
        % {"summary": request.summary, "department": request.department, "due": _due_text(step)},
        url=request_url(request),
        dedupe_key=f"adjustment-step:{step.pk}:{occasion}",
    )


def _notify_applicant(request: AdjustmentRequest, event: RequestEvent) -> None:
    """The applying department hears of every decision on its request."""
    notification_send(
        recipients=users_of(request.department, Role.CLERK),
        kind=NotificationKind.PROGRESS,
        subject=_("Adjustment request %(number)s: %(what)s")
        % {"number": request.number, "what": Transition(event.transition).label},
        body=event.opinion,
        url=request_url(request),
        dedupe_key=f"adjustment-event:{event.pk}:applicant",
    )
