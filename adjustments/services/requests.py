"""The request itself: create, update, submit, resubmit, withdraw, the application period's
extension (seed 004 三(三)1 申请).
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.choices import DepartmentFunction, NotificationKind, Role
from core.models import DEADLINE_FIELDS, Department, Jurisdiction, User
from core.permissions import Action
from core.services import (
    DomainError,
    function_department,
    nearest_supervisors,
    notification_send,
    office_of,
    parent_office_of,
    permission_require,
    users_of,
)
from core.workflow import Move
from registry import services as registry
from registry.choices import DraftState, EntryStatus
from registry.models import Draft, Entry, Law

from ..choices import (
    LAW_TRIGGERS,
    AdjustmentPath,
    ChangeKind,
    RequestOrigin,
    StepOutcome,
    Transition,
    TriggerKind,
)
from ..models import (
    AdjustmentRequest,
    ClockStop,
    RequestItem,
    RequestSequence,
    Step,
)
from ..permissions import EXTEND, WITHDRAW
from .policy import policy_for
from .procedure import (
    TRANSITIONS,
    DraftTaken,
    K,
    S,
    _check_files,
    _event,
    _event_moment,
    _finish,
    _finish_open,
    _notify_applicant,
    _notify_step,
    _now,
    _require_text,
    _set_state,
    _start,
    request_url,
)

# --- the request: apply (申请) -----------------------------------------------------------------


def change_kind_of(draft: Draft) -> str:
    """What a draft does to the register: a new entry, or a change of status, or otherwise a
    modification (SPEC §4: add, modify, cancel, delegate down, merge)."""
    if draft.entry_id is None:
        return ChangeKind.ADD
    status = draft.payload.get("status")
    if status != draft.entry.status:
        if status == EntryStatus.CANCELLED:
            return ChangeKind.CANCEL
        if status == EntryStatus.DELEGATED:
            return ChangeKind.DELEGATE
        if status == EntryStatus.MERGED:
            return ChangeKind.MERGE
    return ChangeKind.MODIFY


def _drafts_check(
    actor: User | None, department: Department, drafts: Iterable[Draft], request=None
) -> list[Draft]:
    wanted = list(dict.fromkeys(d.pk for d in drafts))
    # Locked (in id order, so two requests naming the same drafts cannot deadlock): a second
    # request filed at the same moment waits here, then finds the first one's items below.
    locked = (
        Draft.objects.select_for_update(of=("self",))
        .filter(pk__in=wanted)
        .select_related("entry")
        .order_by("pk")
    )
    # In the order given (the items' order), not the drafts' default ordering.
    chosen = sorted(locked, key=lambda draft: wanted.index(draft.pk))
    for draft in chosen:
        if draft.department_id != department.pk:
            raise DomainError(
                _("The draft “%(draft)s” belongs to another department.") % {"draft": draft}
            )
        if draft.state not in (DraftState.OPEN, DraftState.SUBMITTED):
            raise DomainError(
                _("The draft “%(draft)s” is %(state)s and cannot be part of a request.")
                % {"draft": draft, "state": DraftState(draft.state).label}
            )
    elsewhere = RequestItem.objects.filter(draft__in=chosen, live=True).select_related(
        "request", "draft"
    )
    if request is not None:
        elsewhere = elsewhere.exclude(request=request)
    for item in elsewhere:
        raise DraftTaken(item.draft, item.request.number)
    return chosen


def _moves_check(
    department: Department, chosen: list[Draft], moves: Mapping[Draft, Department] | None
) -> dict[int, Department]:
    """Seed 004 三(二)3 "执法主体或执法职能随部门'三定'方案调整、机构撤并…而发生变化的": a draft
    of the request may move its entry to another department of the same jurisdiction (an
    ordinary department, not the office or a reviewer). Returns the receiving department by
    draft id."""
    found: dict[int, Department] = {}
    proposed = {draft.pk: draft for draft in chosen}
    for draft, receiving in (moves or {}).items():
        draft = proposed.get(draft.pk)
        if draft is None:
            raise DomainError(_("Only a draft of the request can move to another department."))
        if draft.entry_id is None:
            raise DomainError(
                _("“%(draft)s” is a new entry: add it at the department that will hold it.")
                % {"draft": draft}
            )
        if draft.payload.get("status", draft.entry.status) != EntryStatus.IN_FORCE:
            raise DomainError(
                _("“%(draft)s” moves to another department: it stays in force there.")
                % {"draft": draft}
            )
        if (
            receiving.pk == department.pk
            or receiving.jurisdiction_id != department.jurisdiction_id
            or receiving.function != DepartmentFunction.GENERAL
        ):
            raise DomainError(
                _(
                    "%(department)s cannot receive “%(draft)s”: choose another department of "
                    "%(jurisdiction)s."
                )
                % {
                    "department": receiving,
                    "draft": draft,
                    "jurisdiction": department.jurisdiction,
                }
            )
        found[draft.pk] = receiving
    return found


def _merge_target(draft: Draft) -> Entry | None:
    target = draft.payload.get("merged_into")
    if draft.payload.get("status") != EntryStatus.MERGED or not isinstance(target, int):
        return None
    return Entry.objects.select_related("department").filter(pk=target).first()


def _items_set(
    request: AdjustmentRequest, drafts: list[Draft], moves: dict[int, Department] | None = None
) -> None:
    """The request's items in order. A moved draft's item names its receiving department; so
    does a merge into another department's entry (issue 9 §5), which then sees the request."""
    moves = moves or {}
    keep = {draft.pk for draft in drafts}
    RequestItem.objects.filter(request=request).exclude(draft_id__in=keep).delete()
    present = set(RequestItem.objects.filter(request=request).values_list("draft_id", flat=True))
    for order, draft in enumerate(drafts):
        receiving = moves.get(draft.pk)
        change = ChangeKind.MOVE if receiving is not None else change_kind_of(draft)
        if change == ChangeKind.MERGE:
            target = _merge_target(draft)
            if target is not None and target.department_id != request.department_id:
                receiving = target.department
        if draft.pk in present:
            RequestItem.objects.filter(request=request, draft=draft).update(
                order=order, change=change, to_department=receiving
            )
            continue
        try:
            with transaction.atomic():
                RequestItem.objects.create(
                    request=request,
                    draft=draft,
                    change=change,
                    entry=draft.entry,
                    order=order,
                    to_department=receiving,
                )
        except IntegrityError:
            # request_item_one_live_per_draft: the lock in _drafts_check makes this rare (a
            # draft locked by nobody, e.g. a caller that skipped the check), never silent.
            holder = (
                RequestItem.objects.filter(draft=draft, live=True).select_related("request").first()
            )
            raise DraftTaken(draft, holder.request.number if holder else "-") from None


def event_date_problem(event_date: datetime.date, *, future: bool = False) -> str | None:
    """Why a triggering event's date cannot be taken (the request form shows the same
    message next to the field), or None."""
    if event_date > timezone.localdate(timezone=calendar.SHANGHAI) and not future:
        return _("The triggering event cannot be in the future.")
    if not calendar.FIRST_YEAR <= event_date.year <= calendar.LAST_YEAR:
        return _("The calendar counts from %(first)s to %(last)s.") % {
            "first": calendar.FIRST_YEAR,
            "last": calendar.LAST_YEAR,
        }
    return None


def _check_request_fields(
    trigger: str,
    event_date: datetime.date,
    law: Law | None,
    summary: str,
    *,
    future: bool = False,
) -> None:
    TriggerKind(trigger)
    problem = event_date_problem(event_date, future=future)
    if problem:
        raise DomainError(problem)
    if trigger in LAW_TRIGGERS and law is None:
        raise DomainError(
            _(
                "A change of law names the law: choose it from the law register (an "
                "administrator adds a new law to the register first)."
            )
        )
    _require_text(summary, _("subject"))


def _next_number(jurisdiction: Jurisdiction, year: int) -> str:
    sequence, _created = RequestSequence.objects.select_for_update().get_or_create(
        jurisdiction=jurisdiction, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"TZ{year}-{jurisdiction.code}-{sequence.last:04d}"


@transaction.atomic
def adjustment_create(
    *,
    actor: User | None,
    department: Department | None = None,
    trigger: str,
    event_date: datetime.date,
    summary: str,
    reason: str = "",
    law: Law | None = None,
    drafts: Iterable[Draft] = (),
    moves: Mapping[Draft, Department] | None = None,
    files: Sequence[UploadedFile] = (),
    origin: str = RequestOrigin.DEPARTMENT,
) -> AdjustmentRequest:
    """Seed 004 三(三)1 申请: a department applies "within 10 working days after the triggering
    event" (seed 002 第十条: within 7 days; the jurisdiction's policy says which). The request
    names its trigger (seed 004 三(二), five kinds), the event's date, the law for a change of
    law, its documents and its proposed versions (registry drafts of the department). The
    application period runs from the event, so the apply step starts on that date. `moves`
    gives the drafts whose entries pass to another department (seed 004 三(二)3, 三定)."""
    if actor is not None:
        permission_require(actor, Action.ADD, AdjustmentRequest)
        department = actor.department
    if department is None:
        raise DomainError(_("Only a member of a department files adjustment requests."))
    # A law amended with effect from a later date obliges from that date.
    _check_request_fields(
        trigger, event_date, law, summary, future=origin == RequestOrigin.LAW_CHANGE
    )
    _check_files(files)
    chosen = _drafts_check(actor, department, drafts)
    moved = _moves_check(department, chosen, moves)
    jurisdiction = department.jurisdiction
    policy = policy_for(jurisdiction)
    request = AdjustmentRequest.objects.create(
        number=_next_number(jurisdiction, timezone.localdate(timezone=calendar.SHANGHAI).year),
        jurisdiction=jurisdiction,
        department=department,
        origin=origin,
        trigger=trigger,
        event_date=event_date,
        law=law,
        summary=summary.strip(),
        reason=(reason or "").strip(),
        path=policy.path_for(trigger),
        policy=policy.snapshot(),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _items_set(request, chosen, moved)
    step = _start(request, K.APPLY, department, at=_event_moment(event_date), notify=False)
    _event(
        request,
        Transition.CREATE,
        actor=actor,
        from_state="",
        step=step,
        detail={"items": [d.pk for d in chosen]},
        files=files,
    )
    if actor is None:
        # Opened by the system (a change of law): the department is told to act.
        _notify_step(step)
    return request


@transaction.atomic
def adjustment_update(
    *,
    actor: User,
    request: AdjustmentRequest,
    trigger: str,
    event_date: datetime.date,
    summary: str,
    reason: str = "",
    law: Law | None = None,
    drafts: Iterable[Draft] = (),
    moves: Mapping[Draft, Department] | None = None,
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """Seed 004 三(三)1: the department prepares its request, and supplements it when the
    office returns it (退回补正). While it is being prepared, a new trigger or event date moves
    the application deadline; once submitted, the date stays what it was."""
    permission_require(actor, WITHDRAW, request)
    with TRANSITIONS.transition(request, Transition.UPDATE, actor=actor) as move:
        request = move.record
        _check_request_fields(trigger, event_date, law, summary)
        _check_files(files)
        chosen = _drafts_check(actor, request.department, drafts, request=request)
        moved = _moves_check(request.department, chosen, moves)
        changed = {
            name: value
            for name, value in {
                "trigger": trigger,
                "event_date": event_date,
                "law": law,
                "summary": summary.strip(),
                "reason": (reason or "").strip(),
            }.items()
            if getattr(request, name) != value
        }
        if request.state != S.DRAFTING and {"trigger", "event_date"} & set(changed):
            raise DomainError(
                _(
                    "The trigger and the date of the event cannot change once the request was "
                    "submitted."
                )
            )
        for name, value in changed.items():
            setattr(request, name, value)
        fields = [name for name in changed]
        if "trigger" in changed:
            request.path = policy_for(request.jurisdiction).path_for(trigger)
            fields.append("path")
        if fields:
            request.save(update_fields=fields)
        if "event_date" in changed:
            apply = Step.objects.select_for_update().get(request=request, kind=K.APPLY)
            apply.started_at = _event_moment(event_date)
            calendar.apply_deadline(apply)
            apply.save(update_fields=["started_at", *DEADLINE_FIELDS])
        _items_set(request, chosen, moved)
        move.write_event(
            detail={"fields": sorted(changed), "items": [d.pk for d in chosen]},
            files=files,
        )
    return request


def _proposals_check(request: AdjustmentRequest) -> list[RequestItem]:
    """Before a request leaves the department: it proposes something, every proposal is still
    valid, and none is based on a version of its entry that has been replaced since."""
    items = list(
        RequestItem.objects.filter(request=request)
        .select_related(
            "draft", "draft__entry", "draft__jurisdiction", "draft__department", "to_department"
        )
        .order_by("order", "pk")
    )
    if not items:
        raise DomainError(_("Add at least one proposed change (a draft) to the request."))
    problems = []
    for item in items:
        draft = item.draft
        if draft.state == DraftState.DISCARDED:
            problems.append(
                _("The draft “%(draft)s” was discarded; remove it from the request.")
                % {"draft": draft}
            )
            continue
        if draft.entry_id and draft.entry.version != draft.base_version:
            problems.append(
                _(
                    "“%(draft)s” was drafted on version %(base)s, but version %(current)s has "
                    "been published since: start the draft again from the current version."
                )
                % {"draft": draft, "base": draft.base_version, "current": draft.entry.version}
            )
            continue
        moving = item.change == ChangeKind.MOVE
        if moving and draft.payload.get("status", EntryStatus.IN_FORCE) != EntryStatus.IN_FORCE:
            # The draft was edited after it was marked as moving.
            problems.append(
                _("“%(draft)s” moves to another department: it stays in force there.")
                % {"draft": draft}
            )
            continue
        target = _merge_target(draft) if item.change == ChangeKind.MERGE else None
        if target is not None and target.jurisdiction_id != draft.jurisdiction_id:
            problems.append(
                _("“%(draft)s” can only merge into an entry of %(jurisdiction)s.")
                % {"draft": draft, "jurisdiction": draft.jurisdiction}
            )
            continue
        try:
            # A moved entry is checked as the new entry it becomes at the receiving department.
            registry.entry_build(
                list_kind=draft.list_kind,
                jurisdiction=draft.jurisdiction,
                department=item.to_department if moving else draft.department,
                payload=_moved_payload(draft.payload) if moving else draft.payload,
                entry=None if moving else draft.entry,
            )
        except registry.EntryInvalid as invalid:
            problems.append(
                _("“%(draft)s” has errors: %(fields)s")
                % {"draft": draft, "fields": ", ".join(invalid.errors)}
            )
    if problems:
        raise DomainError(" ".join(problems))
    for item in items:
        kind = item.change if item.change == ChangeKind.MOVE else change_kind_of(item.draft)
        if item.change != kind:
            item.change = kind
            item.save(update_fields=["change"])
    return items


def _moved_payload(payload: dict) -> dict:
    """What a moved entry becomes at the receiving department: its proposed values, in force,
    with no main item (a main item belongs to the department that gave it up)."""
    return {**payload, "status": EntryStatus.IN_FORCE, "parent": None, "merged_into": None}


def _notify_receiving(request: AdjustmentRequest, occasion: str) -> None:
    """Seed 004 三(二)3: a department that receives entries (a move, or a merge into its
    entry) is told of the request when it is submitted and when it is published."""
    receiving = (
        RequestItem.objects.filter(request=request, to_department__isnull=False)
        .values_list("to_department_id", flat=True)
        .distinct()
    )
    subjects = {
        "submitted": _("Adjustment request %(number)s moves entries to your department"),
        "published": _("Adjustment request %(number)s is published: its entries are yours now"),
    }
    notification_send(
        recipients=User.objects.filter(
            department_id__in=receiving, role=Role.CLERK, is_active=True
        ).order_by("pk"),
        kind=NotificationKind.PROGRESS,
        subject=subjects[occasion] % {"number": request.number},
        body=_("%(summary)s (%(department)s).")
        % {"summary": request.summary, "department": request.department},
        url=request_url(request),
        dedupe_key=f"adjustment-receiving:{request.pk}:{occasion}",
    )


def _first_office_step(request: AdjustmentRequest, at: datetime.datetime) -> tuple[str, Step]:
    """Where a submitted request goes first, by its path."""
    office = office_of(request.jurisdiction)
    if request.path == AdjustmentPath.FILING:
        parent_office_of(request.jurisdiction)  # refuses now if there is nobody to file with
        return S.APPROVING, _start(request, K.APPROVE, office, at=at)
    if request.path == AdjustmentPath.PARENT_REVIEW:
        parent_office_of(request.jurisdiction)
        return S.SUBMITTED, _start(request, K.PARENT_FORWARD, office, at=at)
    return S.SUBMITTED, _start(request, K.FORWARD, office, at=at)


@transaction.atomic
def adjustment_submit(
    *, actor: User | None, request: AdjustmentRequest, files: Sequence[UploadedFile] = ()
) -> AdjustmentRequest:
    """Seed 004 三(三)1 申请 → 2 转办: the department submits its request to the office, which
    then has 2 working days to forward it (seed 003's paths: the district office decides
    itself, or forwards it to the city office). The apply step ends now: late if the
    application period had passed."""
    if actor is not None:
        permission_require(actor, WITHDRAW, request)
    with TRANSITIONS.transition(request, Transition.SUBMIT, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _check_files(files)
        items = _proposals_check(request)
        _finish(step, actor=actor, outcome=StepOutcome.DONE, at=now)
        registry.drafts_workflow_set(
            actor=actor,
            drafts=[item.draft for item in items],
            state=DraftState.SUBMITTED,
            reference=request.number,
        )
        state, _office_step = _first_office_step(request, now)
        request.submitted_at = now
        _set_state(request, state, "submitted_at")
        move.write_event(
            detail={"late": step.is_overdue},
            files=files,
        )
        _notify_receiving(request, "submitted")
    return request


@transaction.atomic
def adjustment_resubmit(
    *,
    actor: User | None,
    request: AdjustmentRequest,
    note: str = "",
    files: Sequence[UploadedFile] = (),
) -> AdjustmentRequest:
    """退回补正 (issue 4 §2): the department sends the supplemented request back; the clock of
    the step it was returned from restarts where it stopped."""
    if actor is not None:
        permission_require(actor, WITHDRAW, request)
    with TRANSITIONS.transition(request, Transition.RESUBMIT, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _check_files(files)
        items = _proposals_check(request)
        _finish(step, actor=actor, outcome=StepOutcome.DONE, opinion=note.strip(), at=now)
        registry.drafts_workflow_set(
            actor=actor,
            drafts=[item.draft for item in items],
            state=DraftState.SUBMITTED,
            reference=request.number,
        )
        stop = (
            ClockStop.objects.select_for_update()
            .filter(step__request=request, restarted_at=None, step__finished_at=None)
            .select_related("step")
            .first()
        )
        if stop is not None:
            stop.restarted_at = now
            stop.save(update_fields=["restarted_at"])
            paused = Step.objects.select_for_update().get(pk=stop.step_id)
            calendar.apply_deadline(paused)
            paused.save(update_fields=DEADLINE_FIELDS)
        resume = request.resume_state or S.SUBMITTED
        request.resume_state = ""
        _set_state(request, resume, "resume_state")
        move.write_event(
            opinion=note.strip(),
            # The log shows the restart as the return's event shows the stop.
            detail={"clock_restarted": stop.step_id} if stop is not None else {},
            files=files,
        )
        if stop is not None:
            _notify_step(paused, occasion=f"restarted:{stop.pk}")
    return request


@transaction.atomic
def adjustment_withdraw(
    *, actor: User | None, request: AdjustmentRequest, reason: str
) -> AdjustmentRequest:
    """SPEC §4: "a withdrawn one ends without change". The department may withdraw until it
    has confirmed the approval opinion; for a request opened by a change of law, the reasons
    say why no adjustment is needed (the office and the supervisors read them)."""
    if actor is not None:
        permission_require(actor, WITHDRAW, request)
    reason = _require_text(reason, _("reasons"))
    with TRANSITIONS.transition(request, Transition.WITHDRAW, actor=actor) as move:
        request, now = move.record, move.at
        # Withdrawn while returned for supplement: the stopped clock ends with its step (issue 9
        # §20), it does not stand still for ever.
        ended = _clock_stops_end(request, now)
        _close(request, actor=actor, state=S.WITHDRAWN, outcome=StepOutcome.CANCELLED, at=now)
        detail = {"clock_stop_ended": ended} if ended else None
        return _closed_event(move, reason, detail=detail)


def _clock_stops_end(request: AdjustmentRequest, at: datetime.datetime) -> list[int]:
    """Ends the open clock stops of the request's open steps at `at`, the moment those steps
    end too; returns the steps' ids."""
    ended = []
    for stop in ClockStop.objects.select_for_update().filter(
        step__request=request, restarted_at=None, step__finished_at=None
    ):
        stop.restarted_at = at
        stop.save(update_fields=["restarted_at"])
        ended.append(stop.step_id)
    return ended


def _close(request: AdjustmentRequest, *, actor, state: str, outcome: str, at=None) -> str:
    """Ends the request: open steps end, its drafts are open again. Returns the state it was
    in."""
    now = at or _now()
    before = request.state
    _finish_open(request, actor=actor, outcome=outcome, at=now)
    drafts = [
        item.draft
        for item in RequestItem.objects.filter(request=request).select_related("draft")
        if item.draft.state == DraftState.SUBMITTED
    ]
    registry.drafts_workflow_set(
        actor=actor, drafts=drafts, state=DraftState.OPEN, reference=request.number
    )
    # The drafts are free for another request now.
    RequestItem.objects.filter(request=request).update(live=False)
    request.closed_at = now
    request.resume_state = ""
    _set_state(request, state, "closed_at", "resume_state")
    return before


def _closed_event(move: Move, reason: str, files=(), detail=None) -> AdjustmentRequest:
    """The event of a request that ends (at the moment it closed), and who hears of it."""
    request, transition = move.record, move.name
    event = move.write_event(
        step=None, opinion=reason, detail=detail, files=files, at=request.closed_at
    )
    _notify_applicant(request, event)
    office = function_department(request.jurisdiction, DepartmentFunction.REFORM_OFFICE)
    if office is not None and transition == Transition.WITHDRAW:
        notification_send(
            recipients=[*users_of(office, Role.OFFICE), *nearest_supervisors(request.jurisdiction)],
            kind=NotificationKind.PROGRESS,
            subject=_("Adjustment request %(number)s withdrawn") % {"number": request.number},
            body=reason,
            url=request_url(request),
            dedupe_key=f"adjustment-event:{event.pk}:office",
        )
    return request


@transaction.atomic
def adjustment_extension_request(
    *, actor: User, request: AdjustmentRequest, days: int, reason: str
) -> AdjustmentRequest:
    """Seed 004 三(三)1 "如遇特殊情况…可延长至30个工作日": the department asks the office for a
    longer application period, with its reasons."""
    permission_require(actor, WITHDRAW, request)
    reason = _require_text(reason, _("reasons"))
    with TRANSITIONS.transition(request, Transition.EXTENSION_REQUEST, actor=actor) as move:
        request, step = move.record, move.step
        _extension_days_check(request, step, days)
        step.detail = {**step.detail, "extension_requested": {"days": days, "reason": reason}}
        step.save(update_fields=["detail"])
        event = move.write_event(
            opinion=reason,
            detail={"days": days},
        )
        notification_send(
            recipients=users_of(office_of(request.jurisdiction), Role.OFFICE),
            kind=NotificationKind.TASK_ASSIGNED,
            subject=_("Extension asked for adjustment request %(number)s")
            % {"number": request.number},
            body=_("%(department)s asks for %(days)s days: %(reason)s")
            % {"department": request.department, "days": days, "reason": reason},
            url=request_url(request),
            dedupe_key=f"adjustment-event:{event.pk}:office",
        )
    return request


def _extension_days_check(request: AdjustmentRequest, step: Step, days: int) -> None:
    limit = int(request.policy_value("apply_extension_max_days"))
    if not isinstance(days, int) or days <= (step.deadline_days or 0) or days > limit:
        raise DomainError(
            _("The extended period must be longer than %(now)s and at most %(limit)s days.")
            % {"now": step.deadline_days, "limit": limit}
        )


@transaction.atomic
def adjustment_extend(
    *, actor: User | None, request: AdjustmentRequest, days: int, reason: str
) -> AdjustmentRequest:
    """Seed 004 三(三)1: "经市政务服务改革管理办公室批准可延长至30个工作日": the office extends the
    application period (counted from the event as before) to `days`, at most the policy's
    limit; the new due moment gets its own reminder."""
    if actor is not None:
        permission_require(actor, EXTEND, request)
    reason = _require_text(reason, _("reasons"))
    with TRANSITIONS.transition(request, Transition.EXTEND, actor=actor) as move:
        request = move.record
        step = Step.objects.select_for_update().get(request=request, kind=K.APPLY, finished_at=None)
        _extension_days_check(request, step, days)
        before_days, before_due = step.deadline_days, step.due_at
        step.deadline_days = days
        # The department's request is decided: it leaves the office's work queue (the events
        # keep it).
        step.detail = {k: v for k, v in step.detail.items() if k != "extension_requested"}
        calendar.apply_deadline(step)
        step.save(update_fields=["deadline_days", "detail", *DEADLINE_FIELDS])
        event = move.write_event(
            step=step,
            opinion=reason,
            detail={
                "days": [before_days, days],
                "due": [before_due.isoformat() if before_due else None, step.due_at.isoformat()],
            },
        )
        _notify_applicant(request, event)
    return request
