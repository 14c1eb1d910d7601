"""Writes of the adjustment procedure (SPEC §4; seed 004 三(三): 申请、转办、审核、确认、公布).

Every transition is one service with the same recipe: lock the request (select_for_update),
check its state and path against TRANSITIONS and find the open step the actor holds (core
permissions' "act" rule) or refuse with a TransitionRefused that says why, finish that step and
start the next ones (each a Step row with its due moment from the working-day calendar), save
with update_fields, write the RequestEvent (actor, from, to, opinion, attachments) and the
audit row, and notify the people of the new steps (rows now, e-mail on commit). Two people
acting at once: the second waits for the lock and then finds the state changed.

Deadlines are data: each request keeps a snapshot of its jurisdiction's AdjustmentPolicy (seed
004 by default) from its creation. The sweep (`deadlines_sweep`) sends reminders and overdue
notices from the due moments stored on the steps.
"""

import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import calendar
from core.checkers import upload_problem
from core.choices import AuditAction, DeadlineUnit, DepartmentFunction, NotificationKind, Role
from core.models import DEADLINE_FIELDS, Department, Jurisdiction, User
from core.permissions import Action, restrict
from core.services import DomainError, audit_record, notification_send, permission_require
from registry import services as registry
from registry.choices import ChangeSource, DraftState, EntryStatus, LawStatus
from registry.models import Draft, Entry, Law

from .choices import (
    FINAL_STATES,
    LAW_TRIGGERS,
    REVIEW_STEPS,
    STEP_ROLE,
    TALK_STATES,
    AdjustmentPath,
    ChangeKind,
    NoticeKind,
    RequestOrigin,
    RequestState,
    ReviewConclusion,
    SiteUpdateStart,
    StepKind,
    StepOutcome,
    Transition,
    TriggerKind,
)
from .models import (
    STEP_PERIOD,
    AdjustmentPolicy,
    AdjustmentRequest,
    Attachment,
    ClockStop,
    DeadlineNotice,
    RequestEvent,
    RequestItem,
    RequestSequence,
    Step,
)
from .permissions import ACT, EXTEND, TALK, WITHDRAW

S = RequestState
K = StepKind
ALL_PATHS = frozenset(AdjustmentPath.values)
STANDARD = frozenset({AdjustmentPath.STANDARD})


class TransitionRefused(DomainError):
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


@dataclass(frozen=True)
class Rule:
    """A transition's declaration: the states it starts from, the paths it exists on, and
    the kinds of open step its actor must hold (empty: it acts on the request itself)."""

    sources: frozenset[str]
    steps: frozenset[str] = frozenset()
    paths: frozenset[str] = ALL_PATHS


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

TRANSITIONS: dict[str, Rule] = {
    Transition.UPDATE: Rule(frozenset({S.DRAFTING, S.SUPPLEMENT})),
    Transition.SUBMIT: Rule(frozenset({S.DRAFTING}), frozenset({K.APPLY})),
    Transition.RESUBMIT: Rule(frozenset({S.SUPPLEMENT}), frozenset({K.SUPPLEMENT})),
    Transition.WITHDRAW: Rule(WITHDRAWABLE),
    Transition.EXTENSION_REQUEST: Rule(frozenset({S.DRAFTING}), frozenset({K.APPLY})),
    Transition.EXTEND: Rule(frozenset({S.DRAFTING})),
    Transition.FORWARD: Rule(frozenset({S.SUBMITTED}), frozenset({K.FORWARD}), STANDARD),
    Transition.RETURN: Rule(frozenset({S.SUBMITTED, S.APPROVING}), OFFICE_DECISION_STEPS),
    Transition.REJECT: Rule(frozenset({S.SUBMITTED, S.APPROVING}), OFFICE_DECISION_STEPS),
    Transition.REVIEW: Rule(frozenset({S.REVIEWING}), frozenset({K.REVIEW}), STANDARD),
    Transition.JOINT_REQUEST: Rule(frozenset({S.REVIEWING}), frozenset({K.REVIEW}), STANDARD),
    Transition.JOINT_DECLINE: Rule(frozenset({S.REVIEWING}), frozenset({K.JOINT_NOTICE}), STANDARD),
    Transition.JOINT_CONVENE: Rule(
        frozenset({S.JOINT_REVIEW}), frozenset({K.JOINT_REVIEW}), STANDARD
    ),
    Transition.JOINT_CONCLUDE: Rule(
        frozenset({S.JOINT_REVIEW}), frozenset({K.JOINT_REVIEW}), STANDARD
    ),
    Transition.APPROVE: Rule(
        frozenset({S.APPROVING}),
        frozenset({K.APPROVE}),
        frozenset({AdjustmentPath.STANDARD, AdjustmentPath.FILING}),
    ),
    Transition.CONFIRM: Rule(frozenset({S.CONFIRMING}), frozenset({K.CONFIRM}), STANDARD),
    Transition.OBJECT: Rule(frozenset({S.CONFIRMING}), frozenset({K.CONFIRM}), STANDARD),
    Transition.OBJECTION_FORWARD: Rule(frozenset({S.OBJECTED}), frozenset({K.OBJECTION}), STANDARD),
    Transition.REREVIEW: Rule(frozenset({S.REREVIEW}), frozenset({K.REREVIEW}), STANDARD),
    Transition.PARENT_FORWARD: Rule(
        frozenset({S.SUBMITTED}),
        frozenset({K.PARENT_FORWARD}),
        frozenset({AdjustmentPath.PARENT_REVIEW}),
    ),
    Transition.PARENT_REVIEW: Rule(
        frozenset({S.PARENT_REVIEW}),
        frozenset({K.PARENT_REVIEW}),
        frozenset({AdjustmentPath.PARENT_REVIEW}),
    ),
    Transition.MEETING: Rule(
        frozenset({S.MEETING}), frozenset({K.MEETING}), frozenset({AdjustmentPath.PARENT_REVIEW})
    ),
    Transition.DIGITAL_FORWARD: Rule(
        frozenset({S.DIGITAL_FORWARD}), frozenset({K.DIGITAL_FORWARD})
    ),
    Transition.PUBLISH: Rule(frozenset({S.PUBLISHING}), frozenset({K.PUBLISH})),
    # Seed 004 三(三)5 "同时": the site update may be done before publication.
    Transition.SITE_UPDATE: Rule(
        frozenset({S.DIGITAL_FORWARD, S.PUBLISHING, S.PUBLISHED}), frozenset({K.SITE_UPDATE})
    ),
    Transition.FILE: Rule(
        frozenset({S.PUBLISHED}), frozenset({K.FILING}), frozenset({AdjustmentPath.FILING})
    ),
}


# --- policies ----------------------------------------------------------------------------------


def policy_for(jurisdiction: Jurisdiction) -> AdjustmentPolicy:
    """The policy a jurisdiction follows: its own, else the nearest one above it, else the
    model's defaults, unsaved (seed 004's numbers, and this product's where no seed sets a
    period)."""
    codes = [code for code in jurisdiction.path.strip("/").split("/") if code]
    prefixes = ["/" + "/".join(codes[: depth + 1]) + "/" for depth in range(len(codes))]
    found = (
        AdjustmentPolicy.objects.filter(jurisdiction__path__in=prefixes)
        .select_related("jurisdiction")
        .order_by("-jurisdiction__path")
        .first()
    )
    return found or AdjustmentPolicy()


POLICY_FIELDS = tuple(
    field.name
    for field in AdjustmentPolicy._meta.concrete_fields
    if field.name not in ("id", "jurisdiction", "updated_at")
)


@transaction.atomic
def policy_save(
    *, actor: User | None, jurisdiction: Jurisdiction, values: dict
) -> AdjustmentPolicy:
    """SPEC §4 ("variants that must be expressible as policy per jurisdiction") and §1 (the
    office sets its policies): a jurisdiction's deadlines (seed 004 三(三) by default, seed
    002 第十条's "7日内" as seven calendar days) and its paths (seed 003 三(二)5: a change of
    institutions adjusted by the district office and filed with the city office; a change of
    law reviewed by the city office and decided by the executive meeting). Requests already
    under way keep the numbers they started with."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    policy = AdjustmentPolicy.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
    created = policy is None
    if created:
        permission_require(actor, Action.ADD, AdjustmentPolicy)
        policy = AdjustmentPolicy(jurisdiction=jurisdiction)
    for name, value in values.items():
        setattr(policy, name, value)
    try:
        policy.full_clean(exclude=["jurisdiction"])
    except ValidationError as error:
        raise DomainError("; ".join(error.messages)) from error
    policy.save()
    # After the save, so that a new row of another jurisdiction is refused too.
    permission_require(actor, Action.CHANGE, policy)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=policy,
        jurisdiction=jurisdiction,
        detail={"values": {name: str(value) for name, value in values.items()}},
    )
    return policy


# --- who acts ----------------------------------------------------------------------------------


def _function_department(jurisdiction: Jurisdiction, function: str) -> Department | None:
    return (
        Department.objects.filter(jurisdiction=jurisdiction, function=function)
        .order_by("pk")
        .first()
    )


def office_of(jurisdiction: Jurisdiction) -> Department:
    office = _function_department(jurisdiction, DepartmentFunction.REFORM_OFFICE)
    if office is None:
        raise DomainError(
            _("%(jurisdiction)s has no reform office: an administrator must add it first.")
            % {"jurisdiction": jurisdiction}
        )
    return office


def parent_office_of(jurisdiction: Jurisdiction) -> Department:
    if jurisdiction.parent_id is None:
        raise DomainError(
            _("%(jurisdiction)s has no office above it.") % {"jurisdiction": jurisdiction}
        )
    return office_of(jurisdiction.parent)


def _ancestors(jurisdiction: Jurisdiction) -> list[str]:
    """The paths of the jurisdiction and those above it, nearest first."""
    codes = [code for code in jurisdiction.path.strip("/").split("/") if code]
    return ["/" + "/".join(codes[:depth]) + "/" for depth in range(len(codes), 0, -1)]


def digital_office_of(jurisdiction: Jurisdiction) -> Department:
    """The digital office of the jurisdiction, or of the nearest jurisdiction above it that has
    one (a district may publish through the city's network)."""
    paths = _ancestors(jurisdiction)
    candidates = Department.objects.filter(
        function=DepartmentFunction.DIGITAL_OFFICE, jurisdiction__path__in=paths
    ).select_related("jurisdiction")
    nearest = sorted(candidates, key=lambda d: (-len(d.jurisdiction.path), d.pk))
    if not nearest:
        raise DomainError(
            _("No digital office serves %(jurisdiction)s: an administrator must add one.")
            % {"jurisdiction": jurisdiction}
        )
    return nearest[0]


def reviewer_departments(jurisdiction: Jurisdiction):
    """The lead review departments (seed 004 三(三)2: 编办, 法制办, 政务服务中心, 财政局, 发改委) a
    request of `jurisdiction` may be forwarded to: those of its own jurisdiction and above."""
    return (
        Department.objects.filter(
            function=DepartmentFunction.LEAD_REVIEWER,
            jurisdiction__path__in=_ancestors(jurisdiction),
        )
        .select_related("jurisdiction")
        .order_by("-jurisdiction__path", "review_field", "name")
    )


def _users_of(department: Department, role: Role):
    return User.objects.filter(department=department, role=role, is_active=True).order_by("pk")


def _supervisors_of(jurisdiction: Jurisdiction) -> list[User]:
    """The supervisors nearest to the jurisdiction: its own, else those of the nearest
    jurisdiction above that has any."""
    found = list(
        User.objects.filter(
            role=Role.SUPERVISOR, is_active=True, jurisdiction__path__in=_ancestors(jurisdiction)
        ).select_related("jurisdiction")
    )
    if not found:
        return []
    nearest = max(len(user.jurisdiction.path) for user in found)
    return [user for user in found if len(user.jurisdiction.path) == nearest]


# --- the recipe's parts -------------------------------------------------------------------------


def _now() -> datetime.datetime:
    return timezone.now()


def _event_moment(day: datetime.date) -> datetime.datetime:
    """A triggering event's date as a moment: its Shanghai midnight (the day is not counted)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=calendar.SHANGHAI)


def _lock(request: AdjustmentRequest) -> AdjustmentRequest:
    return (
        AdjustmentRequest.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "department", "law")
        .get(pk=request.pk)
    )


def _refuse_state(request: AdjustmentRequest, transition: str) -> TransitionRefused:
    return TransitionRefused(
        _("“%(action)s” is not possible: request %(number)s is %(state)s.")
        % {
            "action": Transition(transition).label,
            "number": request.number,
            "state": RequestState(request.state).label,
        }
    )


def _begin(
    request: AdjustmentRequest, transition: str, actor: User | None
) -> tuple[AdjustmentRequest, Step | None]:
    """Lock, check the declared transition, find the actor's open step (locked too)."""
    locked = _lock(request)
    rule = TRANSITIONS[transition]
    if locked.state not in rule.sources or locked.path not in rule.paths:
        raise _refuse_state(locked, transition)
    if not rule.steps:
        return locked, None
    steps = Step.objects.select_for_update().filter(
        request=locked, kind__in=rule.steps, finished_at=None
    )
    if actor is not None:
        steps = restrict(steps, actor, ACT)
    step = steps.order_by("pk").first()
    if step is None:
        waiting = (
            Step.objects.filter(request=locked, finished_at=None)
            .select_related("department")
            .order_by("pk")
        )
        names = "、".join(dict.fromkeys(str(s.department) for s in waiting)) or "-"
        raise TransitionRefused(
            _("“%(action)s” is not yours to do: request %(number)s is waiting on %(departments)s.")
            % {
                "action": Transition(transition).label,
                "number": locked.number,
                "departments": names,
            }
        )
    return locked, step


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


MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10
# Office documents, scans and archives of them; OFD and WPS are the Chinese formats.
ATTACHMENT_SUFFIXES = frozenset(
    {
        "pdf",
        "ofd",
        "doc",
        "docx",
        "wps",
        "xls",
        "xlsx",
        "et",
        "txt",
        "jpg",
        "jpeg",
        "png",
        "tif",
        "tiff",
        "zip",
    }
)


def attachment_problems(files: Sequence[UploadedFile]) -> list[str]:
    """Why these files cannot be attached (forms show the same messages before saving). The
    type is decided by the content, by the one upload checker of the product
    (core.checkers.upload_problem): an ELF or HTML file named .pdf is refused."""
    problems = []
    if len(files) > MAX_ATTACHMENTS:
        problems.append(_("Attach at most %(count)s files at a time.") % {"count": MAX_ATTACHMENTS})
    for upload in files:
        name = upload.name or ""
        problem = upload_problem(upload, suffixes=ATTACHMENT_SUFFIXES)
        if problem:
            problems.append(problem)
        elif upload.size > MAX_ATTACHMENT_BYTES:
            problems.append(
                _("“%(name)s” is larger than %(size)s MB.")
                % {"name": name, "size": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
            )
    return problems


def _attachments_save(
    request: AdjustmentRequest,
    event: RequestEvent,
    files: Sequence[UploadedFile],
    actor: User | None,
) -> list[Attachment]:
    saved = []
    for upload in files:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = Attachment(
            request=request,
            event=event,
            name=(upload.name or "file")[:200],
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        )
        attachment.file.save(upload.name or "file", upload, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


# An upload younger than this may belong to a transaction still under way.
ORPHAN_AGE = datetime.timedelta(days=1)


def attachment_orphans_remove(*, now: datetime.datetime | None = None) -> int:
    """Housekeeping (daily, config/celery.py): a document is stored when its transaction
    saves it, so a transaction that is then rolled back (a refused submit, say) leaves its
    file behind with no Attachment row. Files under the attachments' folder that no row names
    and that are older than ORPHAN_AGE are deleted. Returns how many."""
    now = now or _now()
    storage = Attachment._meta.get_field("file").storage
    known = set(Attachment.objects.values_list("file", flat=True))
    removed = 0
    folders = ["adjustments"]
    while folders:
        folder = folders.pop()
        if not storage.exists(folder):
            continue
        subfolders, files = storage.listdir(folder)
        folders += [f"{folder}/{name}" for name in subfolders]
        for name in files:
            path = f"{folder}/{name}"
            if path not in known and storage.get_modified_time(path) < now - ORPHAN_AGE:
                storage.delete(path)
                removed += 1
    return removed


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
    request: AdjustmentRequest,
    step: Step,
    transition: str,
    *,
    actor: User | None,
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
    now = _now()
    before = request.state
    _finish(step, actor=actor, outcome=outcome, opinion=opinion, at=now)
    _set_state(request, state)
    if kind is not None:
        _start(request, kind, department, at=now)
    return _event(
        request,
        transition,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
        opinion=opinion,
        detail=detail,
        files=files,
    )


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
        recipients=_users_of(step.department, STEP_ROLE[step.kind]),
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
        recipients=_users_of(request.department, Role.CLERK),
        kind=NotificationKind.PROGRESS,
        subject=_("Adjustment request %(number)s: %(what)s")
        % {"number": request.number, "what": Transition(event.transition).label},
        body=event.opinion,
        url=request_url(request),
        dedupe_key=f"adjustment-event:{event.pk}:applicant",
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
    request, _step = _begin(request, Transition.UPDATE, actor)
    _check_request_fields(trigger, event_date, law, summary)
    _check_files(files)
    chosen = _drafts_check(actor, request.department, drafts, request=request)
    moved = _moves_check(request.department, chosen, moves)
    before = request.state
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
            _("The trigger and the date of the event cannot change once the request was submitted.")
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
    _event(
        request,
        Transition.UPDATE,
        actor=actor,
        from_state=before,
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
    request, step = _begin(request, Transition.SUBMIT, actor)
    _check_files(files)
    items = _proposals_check(request)
    now = _now()
    before = request.state
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
    _event(
        request,
        Transition.SUBMIT,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
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
    request, step = _begin(request, Transition.RESUBMIT, actor)
    _check_files(files)
    items = _proposals_check(request)
    now = _now()
    before = request.state
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
    _event(
        request,
        Transition.RESUBMIT,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
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
    request, _step = _begin(request, Transition.WITHDRAW, actor)
    now = _now()
    # Withdrawn while returned for supplement: the stopped clock ends with its step (issue 9
    # §20), it does not stand still for ever.
    ended = _clock_stops_end(request, now)
    before = _close(request, actor=actor, state=S.WITHDRAWN, outcome=StepOutcome.CANCELLED, at=now)
    detail = {"clock_stop_ended": ended} if ended else None
    return _closed_event(request, Transition.WITHDRAW, actor, reason, before, detail=detail)


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


def _closed_event(
    request, transition, actor, reason, before, files=(), detail=None
) -> AdjustmentRequest:
    event = _event(
        request,
        transition,
        actor=actor,
        from_state=before,
        opinion=reason,
        detail=detail,
        files=files,
        at=request.closed_at,
    )
    _notify_applicant(request, event)
    office = _function_department(request.jurisdiction, DepartmentFunction.REFORM_OFFICE)
    if office is not None and transition == Transition.WITHDRAW:
        notification_send(
            recipients=[*_users_of(office, Role.OFFICE), *_supervisors_of(request.jurisdiction)],
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
    request, step = _begin(request, Transition.EXTENSION_REQUEST, actor)
    _extension_days_check(request, step, days)
    step.detail = {**step.detail, "extension_requested": {"days": days, "reason": reason}}
    step.save(update_fields=["detail"])
    event = _event(
        request,
        Transition.EXTENSION_REQUEST,
        actor=actor,
        from_state=request.state,
        step=step,
        opinion=reason,
        detail={"days": days},
    )
    notification_send(
        recipients=_users_of(office_of(request.jurisdiction), Role.OFFICE),
        kind=NotificationKind.TASK_ASSIGNED,
        subject=_("Extension asked for adjustment request %(number)s") % {"number": request.number},
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
    request, _none = _begin(request, Transition.EXTEND, actor)
    step = Step.objects.select_for_update().get(request=request, kind=K.APPLY, finished_at=None)
    _extension_days_check(request, step, days)
    before_days, before_due = step.deadline_days, step.due_at
    step.deadline_days = days
    # The department's request is decided: it leaves the office's work queue (the events
    # keep it).
    step.detail = {k: v for k, v in step.detail.items() if k != "extension_requested"}
    calendar.apply_deadline(step)
    step.save(update_fields=["deadline_days", "detail", *DEADLINE_FIELDS])
    event = _event(
        request,
        Transition.EXTEND,
        actor=actor,
        from_state=request.state,
        step=step,
        opinion=reason,
        detail={
            "days": [before_days, days],
            "due": [before_due.isoformat() if before_due else None, step.due_at.isoformat()],
        },
    )
    _notify_applicant(request, event)
    return request


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
    request, step = _begin(request, Transition.FORWARD, actor)
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
    now = _now()
    before = request.state
    _finish(step, actor=actor, outcome=StepOutcome.DONE, opinion=opinion.strip(), at=now)
    _set_state(request, S.REVIEWING)
    for department in chosen:
        _start(request, K.REVIEW, department, at=now, primary=department == primary)
    _start(request, K.JOINT_NOTICE, primary, at=now, primary=True)
    _event(
        request,
        Transition.FORWARD,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
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
    request, step = _begin(request, Transition.RETURN, actor)
    _check_files(files)
    now = _now()
    before = request.state
    ClockStop.objects.create(step=step, stopped_at=now, reason=reason)
    calendar.apply_deadline(step)
    step.save(update_fields=DEADLINE_FIELDS)
    drafts = [
        item.draft for item in RequestItem.objects.filter(request=request).select_related("draft")
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
    event = _event(
        request,
        Transition.RETURN,
        actor=actor,
        from_state=before,
        at=now,
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
    request, step = _begin(request, Transition.REJECT, actor)
    _check_files(files)
    _finish(step, actor=actor, outcome=StepOutcome.REJECTED, opinion=reason)
    before = _close(request, actor=actor, state=S.REJECTED, outcome=StepOutcome.CANCELLED)
    return _closed_event(request, Transition.REJECT, actor, reason, before, files)


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
    request, step = _begin(request, transition, actor)
    _check_files(files)
    now = _now()
    before = request.state
    _finish(step, actor=actor, outcome=conclusion, opinion=opinion, at=now)
    # The primary reviewer who gives its opinion alone has decided that no joint review is
    # needed.
    _joint_notice_finish(
        request, step.department, actor=actor, outcome=StepOutcome.NO_JOINT, at=now
    )
    _review_round_done(request, kind, now)
    _event(
        request,
        transition,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
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
    request, step = _begin(request, Transition.JOINT_DECLINE, actor)
    now = _now()
    _finish(step, actor=actor, outcome=StepOutcome.NO_JOINT, opinion=note.strip(), at=now)
    _event(
        request,
        Transition.JOINT_DECLINE,
        actor=actor,
        from_state=request.state,
        at=now,
        step=step,
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
    request, step = _begin(request, Transition.JOINT_REQUEST, actor)
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
    now = _now()
    before = request.state
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
    _event(
        request,
        Transition.JOINT_REQUEST,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
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
    request, step = _begin(request, Transition.JOINT_CONVENE, actor)
    place = _require_text(place, _("place of the meeting"))
    chosen = list(dict.fromkeys(participants))
    needed = set(step.detail.get("reviewers", [])) | {request.department_id}
    missing = needed - {d.pk for d in chosen}
    if missing:
        names = "、".join(str(d) for d in Department.objects.filter(pk__in=missing).order_by("pk"))
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
    _event(
        request,
        Transition.JOINT_CONVENE,
        actor=actor,
        from_state=request.state,
        step=step,
        opinion=note.strip(),
        detail=step.detail["meeting"],
    )
    for department in chosen:
        notification_send(
            recipients=User.objects.filter(department=department, is_active=True),
            kind=NotificationKind.TASK_ASSIGNED,
            subject=_("Joint review of adjustment request %(number)s") % {"number": request.number},
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
    request, step = _begin(request, Transition.JOINT_CONCLUDE, actor)
    if "meeting" not in step.detail:
        raise TransitionRefused(_("Record the joint review meeting before its opinion."))
    _check_files(files)
    _hand_on(
        request,
        step,
        Transition.JOINT_CONCLUDE,
        actor=actor,
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
    request, step = _begin(request, Transition.APPROVE, actor)
    _check_files(files)
    if request.path == AdjustmentPath.FILING:
        now = _now()
        before = request.state
        _finish(step, actor=actor, outcome=StepOutcome.APPROVED, opinion=opinion, at=now)
        _to_digital_forward(request, now)
        event = _event(
            request,
            Transition.APPROVE,
            actor=actor,
            from_state=before,
            at=now,
            step=step,
            opinion=opinion,
            files=files,
        )
    else:
        event = _hand_on(
            request,
            step,
            Transition.APPROVE,
            actor=actor,
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
    request, step = _begin(request, Transition.CONFIRM, actor)
    now = _now()
    before = request.state
    _finish(step, actor=actor, outcome=StepOutcome.CONFIRMED, opinion=note.strip(), at=now)
    _to_digital_forward(request, now)
    _event(
        request,
        Transition.CONFIRM,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
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
    request, step = _begin(request, Transition.OBJECT, actor)
    _check_files(files)
    reviewers, _round = last_reviewers(request)
    if not reviewers:
        raise TransitionRefused(_("Nobody reviewed this request, so nobody can re-review it."))
    event = _hand_on(
        request,
        step,
        Transition.OBJECT,
        actor=actor,
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
    request, step = _begin(request, Transition.OBJECTION_FORWARD, actor)
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
    now = _now()
    before = request.state
    _finish(step, actor=actor, outcome=StepOutcome.DONE, opinion=opinion.strip(), at=now)
    _set_state(request, S.REREVIEW)
    for department in chosen:
        _start(request, K.REREVIEW, department, at=now, round=last_round + 1)
    _event(
        request,
        Transition.OBJECTION_FORWARD,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
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


@transaction.atomic
def adjustment_message_send(
    *,
    actor: User,
    request: AdjustmentRequest,
    text: str,
    files: Sequence[UploadedFile] = (),
) -> RequestEvent:
    """Seed 004 三(三)3 审核: the lead review departments "主动与申请单位沟通对接": during review
    (and joint review and re-review) a lead reviewer and the applying department exchange
    messages on the request, with documents. Each is an event of the request's append-only
    log, so the timeline shows it, the office (and everyone who sees the request) reads it and
    nobody else does; the other side is notified. The state and the steps do not change."""
    text = _require_text(text, _("message"))
    request = _lock(request)
    if request.state not in TALK_STATES:
        raise TransitionRefused(
            _("Messages are exchanged during review; request %(number)s is %(state)s.")
            % {"number": request.number, "state": RequestState(request.state).label}
        )
    permission_require(actor, TALK, request)
    _check_files(files)
    event = _event(
        request,
        Transition.MESSAGE,
        actor=actor,
        from_state=request.state,
        opinion=text,
        detail={"from_department": actor.department_id},
        files=files,
    )
    if actor.department_id == request.department_id:
        reviewers = Step.objects.filter(request=request, kind__in=REVIEW_STEPS).values(
            "department_id"
        )
        recipients = User.objects.filter(
            department_id__in=reviewers, role=Role.REVIEWER, is_active=True
        ).order_by("pk")
    else:
        recipients = _users_of(request.department, Role.CLERK)
    notification_send(
        recipients=recipients,
        kind=NotificationKind.PROGRESS,
        subject=_("Message on adjustment request %(number)s from %(department)s")
        % {"number": request.number, "department": actor.department},
        body=text,
        url=request_url(request) + "#messages",
        dedupe_key=f"adjustment-event:{event.pk}:message",
    )
    return event


# --- seed 003: review by the office above and the executive meeting; filing (备案) ------------


@transaction.atomic
def adjustment_parent_forward(
    *, actor: User | None, request: AdjustmentRequest, opinion: str = ""
) -> AdjustmentRequest:
    """Seed 003 三(二)5: "凡是由于法律法规规章的立、改、废情况导致清单内容需要调整的，由责任
    单位向区政务服务改革管理办公室提出申请，经市政务服务改革管理办公室审核后…": the district
    office forwards the request to the city office for review."""
    request, step = _begin(request, Transition.PARENT_FORWARD, actor)
    _hand_on(
        request,
        step,
        Transition.PARENT_FORWARD,
        actor=actor,
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
    request, step = _begin(request, Transition.PARENT_REVIEW, actor)
    _check_files(files)
    now = _now()
    before = request.state
    _finish(step, actor=actor, outcome=conclusion, opinion=opinion, at=now)
    if conclusion == ReviewConclusion.DISAGREE:
        _close(request, actor=actor, state=S.REJECTED, outcome=StepOutcome.CANCELLED)
        return _closed_event(request, Transition.PARENT_REVIEW, actor, opinion, before, files)
    _set_state(request, S.MEETING)
    _start(request, K.MEETING, office_of(request.jurisdiction), at=now)
    _event(
        request,
        Transition.PARENT_REVIEW,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
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
    request, step = _begin(request, Transition.MEETING, actor)
    _check_files(files)
    if meeting_date > timezone.localdate(timezone=calendar.SHANGHAI):
        raise DomainError(_("Record a meeting that has taken place."))
    now = _now()
    before = request.state
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
        reason = opinion.strip() or _("Not approved by the executive meeting (%(session)s).") % {
            "session": session
        }
        return _closed_event(request, Transition.MEETING, actor, reason, before, files)
    _to_digital_forward(request, now)
    event = _event(
        request,
        Transition.MEETING,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
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


# --- publication (公布) -----------------------------------------------------------------------


@transaction.atomic
def adjustment_digital_forward(
    *, actor: User | None, request: AdjustmentRequest, opinion: str = ""
) -> AdjustmentRequest:
    """Seed 004 三(三)5: "市政务服务改革管理办公室即在2个工作日内将调整意见转告市数字办": the office
    sends the approved change to the digital office, which publishes within 1 working day."""
    request, step = _begin(request, Transition.DIGITAL_FORWARD, actor)
    _hand_on(
        request,
        step,
        Transition.DIGITAL_FORWARD,
        actor=actor,
        outcome=StepOutcome.DONE,
        opinion=opinion.strip(),
        state=S.PUBLISHING,
        kind=K.PUBLISH,
        department=digital_office_of(request.jurisdiction),
    )
    return request


def _publish_reason(request: AdjustmentRequest) -> str:
    return _("Adjustment request %(number)s: %(summary)s") % {
        "number": request.number,
        "summary": request.summary,
    }


@transaction.atomic
def adjustment_publish(
    *, actor: User | None, request: AdjustmentRequest, note: str = ""
) -> AdjustmentRequest:
    """Seed 004 三(三)5: "由市数字办在1个工作日内将拟调整内容配入本级政务服务网更新公布"; SPEC §4
    "publishing is atomic": every entry of the request gets its new version at the same
    moment, its history row naming this request (change_source adjustment, reference the
    request number), or nothing changes. The department's 3 working days to update its own
    website and premises started with the sending to the digital office (同时), unless the
    policy starts them now; on the filing path the office above is asked to file it. The
    request is completed when no step is left open."""
    request, step = _begin(request, Transition.PUBLISH, actor)
    items = list(
        RequestItem.objects.filter(request=request)
        .select_related("draft", "draft__jurisdiction", "draft__department", "to_department")
        .order_by("order", "pk")
    )
    # Locked before the staleness check, so no correction can slip in between the check and
    # entries_publish (which locks them again, in the same transaction).
    locked = Entry.objects.select_for_update().in_bulk(
        [item.draft.entry_id for item in items if item.draft.entry_id]
    )
    for item in items:
        draft = item.draft
        if draft.entry_id:
            draft.entry = locked[draft.entry_id]
        if draft.entry_id and draft.entry.version != draft.base_version:
            raise DomainError(
                _(
                    "“%(draft)s” has been changed outside this request since it was approved "
                    "(version %(current)s); nothing was published. Ask the office to return "
                    "the request."
                )
                % {"draft": draft, "current": draft.entry.version}
            )
    now = _now()
    moves = [item for item in items if item.change == ChangeKind.MOVE]

    def published(changes: list, positions: list[RequestItem]) -> list[Entry]:
        try:
            return registry.entries_publish(
                actor=actor,
                changes=changes,
                source=ChangeSource.ADJUSTMENT,
                reference=request.number,
                reason=_publish_reason(request),
                at=now,
            )
        except registry.PublishErrors as failed:
            names = "、".join(str(positions[position].draft) for position in failed.errors)
            raise DomainError(
                _("Nothing was published: %(names)s cannot be published as proposed.")
                % {"names": names}
            ) from failed

    # Seed 004 三(二)3 (三定): a moved entry becomes a new entry of the receiving department
    # (the implementation code names the implementing body, docs/architecture.md "Codes"),
    # published first so that the entry it replaces can name it; then every other change and
    # the closing of each moved entry ("merged into" its successor) publish together. One
    # transaction and one moment: all of it becomes public at once, or nothing does.
    successors = (
        published(
            [
                registry.EntryChange(
                    payload=_moved_payload(item.draft.payload),
                    list_kind=item.draft.list_kind,
                    jurisdiction=item.draft.jurisdiction,
                    department=item.to_department,
                )
                for item in moves
            ],
            moves,
        )
        if moves
        else []
    )
    successor_of = {item.pk: entry for item, entry in zip(moves, successors, strict=True)}
    changes = []
    for item in items:
        payload = item.draft.payload
        if item.pk in successor_of:
            payload = {
                **payload,
                "status": EntryStatus.MERGED,
                "merged_into": successor_of[item.pk].pk,
            }
        changes.append(
            registry.EntryChange(
                payload=payload,
                list_kind=item.draft.list_kind,
                jurisdiction=item.draft.jurisdiction,
                department=item.draft.department,
                entry=item.draft.entry,
            )
        )
    entries = published(changes, items)
    for item in moves:
        item.moved_entry = successor_of[item.pk]
        item.save(update_fields=["moved_entry"])
    for item, entry in zip(items, entries, strict=True):
        item.entry = entry
        item.version = entry.version
        item.save(update_fields=["entry", "version"])
    registry.drafts_workflow_set(
        actor=actor,
        drafts=[item.draft for item in items],
        state=DraftState.PUBLISHED,
        reference=request.number,
        entries={item.draft_id: entry for item, entry in zip(items, entries, strict=True)},
    )
    before = request.state
    _finish(step, actor=actor, outcome=StepOutcome.DONE, opinion=note.strip(), at=now)
    request.published_at = now
    _set_state(request, S.PUBLISHED, "published_at")
    if not Step.objects.filter(request=request, kind=K.SITE_UPDATE).exists():
        # The policy starts the department's period from publication.
        _start(request, K.SITE_UPDATE, request.department, at=now)
    if request.path == AdjustmentPath.FILING:
        _start(request, K.FILING, parent_office_of(request.jurisdiction), at=now)
    # The department may have updated its own site already (seed 004 三(三)5: 同时).
    _complete_if_done(request, now)
    event = _event(
        request,
        Transition.PUBLISH,
        actor=actor,
        from_state=before,
        at=now,
        step=step,
        opinion=note.strip(),
        detail={
            "entries": [[e.pk, e.version] for e in entries],
            **(
                {"moved": [[item.entry_id, item.moved_entry_id] for item in moves]} if moves else {}
            ),
        },
    )
    _notify_applicant(request, event)
    _notify_receiving(request, "published")
    return request


def _complete_if_done(request: AdjustmentRequest, at: datetime.datetime) -> None:
    """Completed once published and no step is left open (a site update done before
    publication does not complete a request whose change is not public yet)."""
    if request.state != S.PUBLISHED:
        return
    if Step.objects.filter(request=request, finished_at=None).exists():
        return
    request.closed_at = at
    RequestItem.objects.filter(request=request).update(live=False)
    _set_state(request, S.COMPLETED, "closed_at")


@transaction.atomic
def adjustment_site_update(
    *, actor: User | None, request: AdjustmentRequest, note: str = ""
) -> AdjustmentRequest:
    """Seed 004 三(三)5: "同时，申请单位须在3个工作日内对部门网站及办公场所对有关内容进行调整更新":
    the department confirms it has updated its own website and premises with the approved
    content, within 3 working days of the moment the office's 2 days to send it to the digital
    office start (or of publication, if the policy says so). Done before publication, it is
    recorded, and the request completes when the change is published."""
    return _follow_up_done(request, Transition.SITE_UPDATE, actor=actor, note=note)


def _follow_up_done(
    request: AdjustmentRequest, transition: str, *, actor: User | None, note: str
) -> AdjustmentRequest:
    """A step that follows publication (site update, filing) is done; the request is completed
    when no step is left open."""
    request, step = _begin(request, transition, actor)
    now = _now()
    before = request.state
    _finish(step, actor=actor, outcome=StepOutcome.DONE, opinion=note.strip(), at=now)
    _complete_if_done(request, now)
    _event(
        request,
        transition,
        actor=actor,
        from_state=before,
        step=step,
        opinion=note.strip(),
        at=now,
    )
    return request


# --- changes of law start clocks (issue 4 §6) ----------------------------------------------------


@transaction.atomic
def obligations_open(
    *, actor: User | None, law: Law, on: datetime.date, entries: list[Entry] | None = None
) -> list[AdjustmentRequest]:
    """Seed 004 三(二)2 ("所依据的法律、法规、规章等修改或者废止的") and 三(三)1: when a law is
    amended or repealed, every department whose in-force entries cite it must apply for an
    adjustment within the application period from that date. Each such department gets a
    request opened by the system (origin law_change) listing the entries concerned, with its
    apply step running: it shows in the department's work queue and the deadline sweep
    escalates it if nobody applies. A department that already has an open one for this law
    and date gets the entries added to it instead.

    `entries` (issue 9 §9): entries found resting on the law after it was repealed (loaded
    later, or found by obligations_sweep). `on` is then the day they were found, from which the
    period runs; entries some law-change request of this law already lists (open, or closed:
    the department adjusted them or said why not) are left alone, and an open request of this
    law of any date takes the others."""
    cited = (
        Entry.objects.filter(citations__law=law, status=EntryStatus.IN_FORCE)
        .select_related("department", "department__jurisdiction")
        .distinct()
        .order_by("department_id", "pk")
    )
    if entries is not None:
        cited = cited.filter(pk__in=[entry.pk for entry in entries]).exclude(
            adjustment_obligations__law=law,
            adjustment_obligations__origin=RequestOrigin.LAW_CHANGE,
        )
    by_department: dict[int, list[Entry]] = {}
    departments: dict[int, Department] = {}
    for entry in cited:
        by_department.setdefault(entry.department_id, []).append(entry)
        departments[entry.department_id] = entry.department
    status_label = LawStatus(law.status).label
    changed_on = (law.status_date or on).isoformat()
    opened = []
    for department_id, entries in by_department.items():
        existing = (
            AdjustmentRequest.objects.select_for_update()
            .filter(department_id=department_id, law=law, origin=RequestOrigin.LAW_CHANGE)
            .filter(Q() if entries is not None else Q(event_date=on))
            .exclude(state__in=FINAL_STATES)
            .order_by("pk")
            .first()
        )
        if existing is not None:
            existing.affected_entries.add(*entries)
            continue
        request = adjustment_create(
            actor=None,
            department=departments[department_id],
            trigger=TriggerKind.LAW_CHANGED,
            event_date=on,
            summary=_("《%(law)s》 %(status)s on %(date)s: check the entries citing it")
            % {"law": law.name, "status": status_label, "date": changed_on},
            reason=_(
                "The law register records 《%(law)s》 as %(status)s on %(date)s. Review the "
                "entries below and apply for their adjustment, or withdraw this request "
                "stating why none is needed."
            )
            % {"law": law.name, "status": status_label, "date": changed_on},
            law=law,
            origin=RequestOrigin.LAW_CHANGE,
        )
        request.affected_entries.add(*entries)
        opened.append(request)
    if opened or by_department:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=law,
            detail={"obligations": [r.number for r in opened], "departments": list(by_department)},
        )
    return opened


def obligations_sweep(*, actor: User | None = None) -> list[AdjustmentRequest]:
    """Issue 9 §9: a repealed basis is never silent. Finds the entries in force resting on a
    repealed law that no law-change request of that law lists (loaded with a past date, or
    before this sweep existed) and opens their obligations from today, law by law (each
    obligations_open is its own transaction). Daily (config/celery.py); a second run opens
    nothing."""
    today = timezone.localdate(_now(), timezone=calendar.SHANGHAI)
    opened = []
    for law in Law.objects.filter(status=LawStatus.REPEALED).order_by("pk"):
        uncovered = list(
            Entry.objects.filter(citations__law=law, status=EntryStatus.IN_FORCE)
            .exclude(
                adjustment_obligations__law=law,
                adjustment_obligations__origin=RequestOrigin.LAW_CHANGE,
            )
            .distinct()
        )
        if uncovered:
            opened += obligations_open(actor=actor, law=law, on=today, entries=uncovered)
    return opened


# --- the deadline sweep (issue 4 §5) -------------------------------------------------------------


@dataclass
class SweepResult:
    reminders: int = 0
    overdue: int = 0
    notifications: int = 0


_NOTICE_CONDITION = {
    NoticeKind.REMINDER: lambda now: Q(
        finished_at=None, reminded_at=None, remind_at__isnull=False, remind_at__lte=now
    ),
    NoticeKind.OVERDUE: lambda now: Q(
        finished_at=None, overdue_at=None, due_at__isnull=False, due_at__lt=now
    ),
}
_NOTICE_ORDER = {NoticeKind.REMINDER: "remind_at", NoticeKind.OVERDUE: "due_at"}
_NOTICE_MARK = {NoticeKind.REMINDER: "reminded_at", NoticeKind.OVERDUE: "overdue_at"}


def _notice_recipients(step: Step, kind: str) -> list[User]:
    people = list(_users_of(step.department, STEP_ROLE[step.kind]))
    if kind == NoticeKind.OVERDUE:
        # Escalation: the office whose request is held up, and the office and supervisors of
        # the late department's own jurisdiction (a city reviewer late on a district request
        # answers to the city).
        late = step.department.jurisdiction
        for jurisdiction in dict.fromkeys([step.request.jurisdiction, late]):
            office = _function_department(jurisdiction, DepartmentFunction.REFORM_OFFICE)
            if office is not None:
                people += list(_users_of(office, Role.OFFICE))
        people += _supervisors_of(late)
    return list({user.pk: user for user in people}.values())


@transaction.atomic
def deadline_notice_send(*, step_id: int, kind: str, now: datetime.datetime | None = None) -> int:
    """One step's reminder (seed 004's deadlines: one working day before due) or overdue
    notice (to the step's people, the office and the supervisors). The step is locked with
    skip_locked (another worker has it: skipped), its guard row (step, kind, due moment) is
    inserted first (present: already sent, nothing goes out again), then the notifications,
    the mark on the step and the event row commit together. Returns the recipients notified."""
    kind = NoticeKind(kind)
    now = now or _now()
    step = (
        Step.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("request", "request__jurisdiction", "department__jurisdiction")
        .filter(_NOTICE_CONDITION[kind](now), pk=step_id)
        .first()
    )
    if step is None:
        return 0
    mark = _NOTICE_MARK[kind]
    setattr(step, mark, now)
    step.save(update_fields=[mark])
    if kind == NoticeKind.REMINDER and step.due_at <= now:
        # The sweep did not run before the due moment: the overdue notice says it all.
        return 0
    try:
        with transaction.atomic():
            notice = DeadlineNotice.objects.create(step=step, kind=kind, due_at=step.due_at)
    except IntegrityError:
        return 0
    request = step.request
    due = date_format(step.due_at.astimezone(calendar.SHANGHAI), "Y-m-d")
    facts = {
        "step": StepKind(step.kind).label,
        "number": request.number,
        "summary": request.summary,
        "department": step.department,
        "due": due,
    }
    if kind == NoticeKind.REMINDER:
        subject = _("Due tomorrow: %(step)s of adjustment request %(number)s") % facts
        body = _("%(department)s: “%(step)s” of %(summary)s is due by the end of %(due)s.") % facts
        if step.kind == K.CONFIRM:
            # Seed 004 三(三)4–5: two moments, the confirmation's and the objection's.
            facts["confirm"] = date_format(
                step.confirm_due_at.astimezone(calendar.SHANGHAI), "Y-m-d"
            )
            body = (
                _(
                    "%(department)s: confirm the approval opinion of %(summary)s by the end of "
                    "%(confirm)s; an objection to it is on time until the end of %(due)s."
                )
                % facts
            )
        notification_kind = NotificationKind.DEADLINE_REMINDER
    else:
        subject = _("Overdue: %(step)s of adjustment request %(number)s") % facts
        body = (
            _("%(department)s did not finish “%(step)s” of %(summary)s by the end of %(due)s.")
            % facts
        )
        notification_kind = NotificationKind.DEADLINE_OVERDUE
    sent = notification_send(
        recipients=_notice_recipients(step, kind),
        kind=notification_kind,
        subject=subject,
        body=body,
        url=request_url(request),
        dedupe_key=f"adjustment-step:{step.pk}:{kind}:{step.due_at.isoformat()}",
    )
    notice.recipients = len(sent)
    notice.save(update_fields=["recipients"])
    RequestEvent.objects.create(
        request=request,
        step=step,
        at=now,
        transition=Transition.DEADLINE_REMINDER
        if kind == NoticeKind.REMINDER
        else Transition.DEADLINE_OVERDUE,
        from_state=request.state,
        to_state=request.state,
        detail={"due": step.due_at.isoformat(), "recipients": [n.recipient_id for n in sent]},
    )
    return len(sent)


def deadlines_sweep(*, now: datetime.datetime | None = None, batch: int = 200) -> SweepResult:
    """Issue 4 §5: the periodic sweep (Celery beat, config/celery.py). It reads only the steps
    whose reminder or due moment has come (partial indexes step_reminder_due and
    step_overdue_due), so its cost grows with the steps that change state, not with all open
    steps. Each step is its own transaction (deadline_notice_send): a crash halfway leaves the
    rest for the next run, and a second run or a second worker sends nothing twice."""
    now = now or _now()
    result = SweepResult()
    for kind in (NoticeKind.REMINDER, NoticeKind.OVERDUE):
        moment = _NOTICE_ORDER[kind]
        # A cursor on (moment, pk): a step skipped because another worker holds it is not
        # read again, and each batch's query stays the same size.
        after = Q()
        while True:
            rows = list(
                Step.objects.filter(_NOTICE_CONDITION[kind](now))
                .filter(after)
                .order_by(moment, "pk")
                .values_list(moment, "pk")[:batch]
            )
            if not rows:
                break
            last_moment, last_pk = rows[-1]
            after = Q(**{f"{moment}__gt": last_moment}) | Q(
                **{moment: last_moment, "pk__gt": last_pk}
            )
            for _moment, step_id in rows:
                sent = deadline_notice_send(step_id=step_id, kind=kind, now=now)
                result.notifications += sent
                if kind == NoticeKind.REMINDER:
                    result.reminders += 1 if sent else 0
                else:
                    result.overdue += 1 if sent else 0
    return result


# Which service performs each transition a person takes (the deadline events are the sweep's):
# the pages' action panel and the API's transitions endpoint both perform them through this.
PERFORM: dict[str, object] = {
    Transition.UPDATE: adjustment_update,
    Transition.SUBMIT: adjustment_submit,
    Transition.RESUBMIT: adjustment_resubmit,
    Transition.WITHDRAW: adjustment_withdraw,
    Transition.EXTENSION_REQUEST: adjustment_extension_request,
    Transition.EXTEND: adjustment_extend,
    Transition.FORWARD: adjustment_forward,
    Transition.RETURN: adjustment_return,
    Transition.REJECT: adjustment_reject,
    Transition.REVIEW: adjustment_review,
    Transition.JOINT_REQUEST: adjustment_joint_request,
    Transition.JOINT_DECLINE: adjustment_joint_decline,
    Transition.JOINT_CONVENE: adjustment_joint_convene,
    Transition.JOINT_CONCLUDE: adjustment_joint_conclude,
    Transition.APPROVE: adjustment_approve,
    Transition.CONFIRM: adjustment_confirm,
    Transition.OBJECT: adjustment_object,
    Transition.OBJECTION_FORWARD: adjustment_objection_forward,
    Transition.REREVIEW: adjustment_rereview,
    Transition.PARENT_FORWARD: adjustment_parent_forward,
    Transition.PARENT_REVIEW: adjustment_parent_review,
    Transition.MEETING: adjustment_meeting_record,
    Transition.DIGITAL_FORWARD: adjustment_digital_forward,
    Transition.PUBLISH: adjustment_publish,
    Transition.SITE_UPDATE: adjustment_site_update,
    Transition.FILE: adjustment_file,
}
