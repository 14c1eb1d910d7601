"""Reads of the adjustment procedure. Every function takes the user and goes through
`.restrict(user, action)` (adjustments.permissions); pages, the API and the work queue share
these. Lists prefetch what they show, so their query count does not grow with the data."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.choices import DepartmentFunction
from core.models import Department
from core.permissions import Action, restrict, role_of
from core.workqueue import WorkItem
from registry import selectors as registry_selectors
from registry import services as registry_services
from registry.choices import DraftState, EntryStatus, LawStatus
from registry.display import FieldDiff, version_diff
from registry.models import Citation, Entry, Law

from . import routing, services
from .choices import ChangeKind, RequestOrigin, RequestState, StepKind, Transition
from .models import (
    AdjustmentPolicy,
    AdjustmentRequest,
    Attachment,
    ClockStop,
    RequestEvent,
    RequestItem,
    Step,
)
from .permissions import ACT, ANNOUNCE, EXTEND

HistoricalEntry = Entry.history.model


def _open_steps_prefetch() -> Prefetch:
    return Prefetch(
        "steps",
        queryset=Step.objects.filter(finished_at=None)
        .select_related("department")
        .prefetch_related(Prefetch("stops", to_attr="clock_stop_list"))
        .order_by("pk"),
        to_attr="open_steps",
    )


def requests(*, user) -> QuerySet[AdjustmentRequest]:
    """The requests the user may see, each with its open steps (who it waits on)."""
    return (
        AdjustmentRequest.objects.restrict(user, Action.VIEW)
        .select_related("jurisdiction", "department", "law")
        .prefetch_related(_open_steps_prefetch())
    )


def overdue(queryset: QuerySet[AdjustmentRequest], now=None) -> QuerySet[AdjustmentRequest]:
    """The requests with an open step past its due moment."""
    now = now or timezone.now()
    late = Step.objects.filter(
        request_id=OuterRef("pk"), finished_at=None, due_at__isnull=False, due_at__lt=now
    )
    return queryset.filter(Exists(late))


def request_by_number(*, user, number: str) -> AdjustmentRequest | None:
    return requests(user=user).filter(number=number).first()


def request_steps(*, user, request: AdjustmentRequest) -> list[Step]:
    """Every step of the request in order, with its clock stops (the timeline)."""
    return list(
        restrict(Step.objects.all(), user, Action.VIEW)
        .filter(request=request)
        .select_related("department", "finished_by")
        .prefetch_related(Prefetch("stops", to_attr="clock_stop_list"))
        .order_by("started_at", "pk")
    )


def request_events(*, user, request: AdjustmentRequest) -> list[RequestEvent]:
    return list(
        RequestEvent.objects.restrict(user, Action.VIEW)
        .filter(request=request)
        .select_related("actor", "step", "step__department")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("at", "pk")
    )


def request_messages(*, user, request: AdjustmentRequest) -> list[RequestEvent]:
    """The messages between the lead reviewers and the applying department (seed 004 三(三)3),
    oldest first, for those who see the request."""
    return list(
        RequestEvent.objects.restrict(user, Action.VIEW)
        .filter(request=request, transition=Transition.MESSAGE)
        .select_related("actor", "actor__department")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("at", "pk")
    )


def request_attachments(*, user, request: AdjustmentRequest) -> QuerySet[Attachment]:
    return restrict(Attachment.objects.all(), user, Action.VIEW).filter(request=request)


def attachment(*, user, request: AdjustmentRequest, pk: int) -> Attachment | None:
    return request_attachments(user=user, request=request).filter(pk=pk).first()


def clock_stops(*, user, request: AdjustmentRequest) -> list[ClockStop]:
    steps = restrict(Step.objects.all(), user, Action.VIEW).filter(request=request)
    return list(
        ClockStop.objects.filter(step__in=steps).select_related("step").order_by("stopped_at")
    )


@dataclass(frozen=True)
class ItemView:
    """A proposed change, with the field-by-field difference from the published version."""

    item: RequestItem
    current: Entry | None
    proposed: Entry
    diff: list[FieldDiff]

    @property
    def changed(self) -> list[FieldDiff]:
        return [row for row in self.diff if row.changed]


def _related_for_display(entries: list[Entry]) -> None:
    """Sets the category, main item and merge target of unsaved entries from two queries, so
    the diff's labels do not cost a query each."""
    from registry.models import Category

    categories = Category.objects.in_bulk({e.category_id for e in entries if e.category_id})
    related = Entry.objects.in_bulk(
        {pk for e in entries for pk in (e.parent_id, e.merged_into_id) if pk}
    )
    for entry in entries:
        if entry.category_id in categories:
            entry.category = categories[entry.category_id]
        if entry.parent_id in related:
            entry.parent = related[entry.parent_id]
        if entry.merged_into_id in related:
            entry.merged_into = related[entry.merged_into_id]


def request_items(*, user, request: AdjustmentRequest) -> list[ItemView]:
    """The request's proposals against the register as published now (before publication)
    or against the version they replaced (after it)."""
    items = list(
        restrict(RequestItem.objects.all(), user, Action.VIEW)
        .filter(request=request)
        .select_related(
            "draft", "draft__entry", "entry", "entry__category", "to_department", "moved_entry"
        )
        .order_by("order", "pk")
    )
    if request.published_at is not None:
        return _published_items(items)
    proposed = [registry_services.entry_preview(item.draft) for item in items]
    currents = [item.draft.entry for item in items]
    _related_for_display(proposed + [e for e in currents if e is not None])
    provisions = registry_selectors.provisions_of([*proposed, *(e for e in currents if e)])
    return [
        ItemView(item, current, new, version_diff(current, new, provisions))
        for item, current, new in zip(items, currents, proposed, strict=True)
    ]


def _published_items(items: list[RequestItem]) -> list[ItemView]:
    """Each item's published version and the one before it, from the history table."""
    wanted = Q(pk__in=[])
    for item in items:
        if item.entry_id and item.version:
            wanted |= Q(id=item.entry_id, version__in=[item.version - 1, item.version])
    rows = {
        (row.id, row.version): row
        for row in HistoricalEntry.objects.filter(wanted)
        .exclude(history_type="-")
        .select_related("category", "jurisdiction", "department", "parent", "merged_into")
    }
    provisions = registry_selectors.provisions_of(rows.values())
    views = []
    for item in items:
        new = rows.get((item.entry_id, item.version))
        if new is None:
            continue
        old = rows.get((item.entry_id, item.version - 1))
        views.append(ItemView(item, old, new, version_diff(old, new, provisions)))
    return views


# --- what a user may do now ------------------------------------------------------------------


def available_transitions(*, user, request: AdjustmentRequest) -> list[str]:
    """The transitions `user` may perform on `request` in its present state: what the request
    page offers (the services check again when it is done). Read from the procedure's table
    (core.workflow), the one the services perform."""
    return services.TRANSITIONS.available(
        user, request, open_steps=getattr(request, "open_steps", None)
    )


def reviewer_choices(*, user, request: AdjustmentRequest) -> QuerySet[Department]:
    allowed = services.reviewer_departments(request.jurisdiction)
    return Department.objects.restrict(user, Action.VIEW).filter(pk__in=allowed.values("pk"))


@dataclass(frozen=True)
class ReviewerProposal:
    """A lead review department the forward form proposes, and the need it answers."""

    department: Department
    need: routing.Need

    @property
    def note(self) -> str:
        return "、".join(self.need.reasons)


def proposed_reviewers(*, user, request: AdjustmentRequest) -> list[ReviewerProposal]:
    """分类转交 (seed 004 三(三)2): for each review field the request's changes call for
    (adjustments.routing), the nearest lead review department of that field the request may
    be forwarded to. The office may choose otherwise."""
    items = (
        restrict(RequestItem.objects.all(), user, Action.VIEW)
        .filter(request=request)
        .select_related("draft", "draft__entry")
        .order_by("order", "pk")
    )
    changes = [
        (
            item.draft.list_kind,
            item.draft.payload,
            registry_services.entry_payload(item.draft.entry) if item.draft.entry_id else None,
            item.change == ChangeKind.MOVE,
        )
        for item in items
    ]
    departments = list(
        reviewer_choices(user=user, request=request)
        .select_related("jurisdiction")
        .order_by("-jurisdiction__path", "name", "pk")
    )
    proposals = []
    for need in routing.review_needs(changes):
        found = next((d for d in departments if d.review_field == need.field), None)
        if found is not None:
            proposals.append(ReviewerProposal(found, need))
    return proposals


def joint_participant_choices(*, user, request: AdjustmentRequest) -> QuerySet[Department]:
    allowed = services.reviewer_departments(request.jurisdiction).values("pk")
    return (
        Department.objects.restrict(user, Action.VIEW)
        .filter(Q(pk__in=allowed) | Q(pk=request.department_id))
        .select_related("jurisdiction")
        .order_by("-jurisdiction__path", "function", "name")
    )


def open_drafts(*, user, request: AdjustmentRequest | None = None):
    """The drafts of the user's department that a request may propose: open ones that no
    other open request proposes (the services refuse those), and the request's own."""
    drafts = registry_selectors.drafts(user=user).filter(department_id=user.department_id)
    elsewhere = RequestItem.objects.filter(live=True)
    if request is not None:
        elsewhere = elsewhere.exclude(request=request)
    keep = Q(state=DraftState.OPEN) & ~Q(pk__in=elsewhere.values("draft_id"))
    if request is not None:
        keep |= Q(pk__in=request.items.values("draft_id"))
    return drafts.filter(keep).order_by("-updated_at", "-pk")


def receiving_choices(*, user) -> QuerySet[Department]:
    """The departments a clerk's request may move entries to (seed 004 三(二)3): the other
    ordinary departments of the clerk's jurisdiction."""
    if not user.department_id:
        return Department.objects.none()
    return (
        Department.objects.restrict(user, Action.VIEW)
        .filter(
            jurisdiction_id=user.department.jurisdiction_id, function=DepartmentFunction.GENERAL
        )
        .exclude(pk=user.department_id)
        .order_by("name")
    )


def draft_holders(*, department_id: int, drafts) -> list[tuple[object, str]]:
    """Of a department's drafts, those a request under way proposes, with its number (the
    request form names it next to the field)."""
    items = (
        RequestItem.objects.filter(
            live=True, draft_id__in=drafts, draft__department_id=department_id
        )
        .select_related("draft", "request")
        .order_by("draft_id")
    )
    return [(item.draft, item.request.number) for item in items]


# --- the work queue and the office's overview ---------------------------------------------------


def waiting_steps(*, user) -> QuerySet[Step]:
    """The open steps the user acts on (core.permissions' "act" rule), soonest due first."""
    return (
        restrict(Step.objects.all(), user, ACT)
        .filter(finished_at=None)
        .select_related("request", "request__department", "department")
        .prefetch_related(Prefetch("stops", to_attr="clock_stop_list"))
        .order_by("due_at", "started_at", "pk")
    )


def extension_requests(*, user) -> QuerySet[Step]:
    """Open application steps whose department asked this office for more time."""
    visible = restrict(AdjustmentRequest.objects.all(), user, EXTEND)
    return (
        Step.objects.filter(request__in=visible, kind=StepKind.APPLY, finished_at=None)
        .filter(detail__has_key="extension_requested")
        .select_related("request", "request__department", "department")
        .order_by("due_at", "pk")
    )


def work_items(user) -> list[WorkItem]:
    """The work-queue provider (core.workqueue, registered in AdjustmentsConfig.ready)."""
    if role_of(user) is None:
        return []
    items = []
    for step in waiting_steps(user=user)[:200]:
        request = step.request
        items.append(
            WorkItem(
                action=str(StepKind(step.kind).label),
                subject=request.summary,
                reference=request.number,
                url=reverse("adjustments:detail", args=[request.number]),
                started_at=step.started_at,
                due_at=step.due_at,
                due_confirmed=step.due_confirmed,
                deadline_days=step.deadline_days or 0,
                deadline_unit=step.deadline_unit,
                clock_stopped=step.clock_stopped,
                department=str(request.department),
            )
        )
    for step in extension_requests(user=user)[:100]:
        request = step.request
        items.append(
            WorkItem(
                action=str(Transition.EXTENSION_REQUEST.label),
                subject=request.summary,
                reference=request.number,
                url=reverse("adjustments:detail", args=[request.number]),
                started_at=step.started_at,
                due_at=step.due_at,
                due_confirmed=step.due_confirmed,
                department=str(request.department),
            )
        )
    return items


def policy_of(*, user, jurisdiction) -> AdjustmentPolicy:
    """The policy the jurisdiction follows (its own, inherited, or seed 004's defaults)."""
    return services.policy_for(jurisdiction)


# --- the public announcements (SPEC §10) ----------------------------------------------------


def announcements(*, user) -> QuerySet[AdjustmentRequest]:
    """Published adjustments, newest first, with their changed entries (two queries)."""
    return (
        restrict(AdjustmentRequest.objects.all(), user, ANNOUNCE)
        .filter(published_at__isnull=False)
        .select_related("jurisdiction", "department", "law")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=RequestItem.objects.select_related("entry").order_by("order", "pk"),
            )
        )
        .order_by("-published_at", "-pk")
    )


def announcement(*, user, number: str) -> AdjustmentRequest | None:
    return announcements(user=user).filter(number=number).first()


def announcement_items(*, user, request: AdjustmentRequest) -> list[ItemView]:
    """What an announcement shows: each published version beside the one it replaced."""
    items = [item for item in request.items.all() if item.entry_id and item.version]
    return _published_items(items)


def announcements_items(*, user, requests) -> dict[int, list[ItemView]]:
    """announcement_items of several announcements at once (the feed), by request id: two
    queries however many announcements and items there are."""
    items = [
        item
        for request in requests
        for item in request.items.all()
        if item.entry_id and item.version
    ]
    grouped: dict[int, list[ItemView]] = {request.pk: [] for request in requests}
    for view in _published_items(items):
        grouped[view.item.request_id].append(view)
    return grouped


# --- the register's own check (issue 13 §4) ---------------------------------------------------

# Seed 002 管理办法 第十条: "法律规范及机构职能等变化时,行政权责事项职能单位在7日内,提出调整申请"
# (calendar days).
LAW_CHANGE_APPLY_DAYS = 7


def entries_awaiting_adjustment_after_law_change(
    *, as_of: datetime.date, days: int = LAW_CHANGE_APPLY_DAYS
) -> list[tuple[Entry, Law]]:
    """The entries in force citing a law amended or repealed more than `days` days before
    `as_of` (seed 002 管理办法 第十条) for which no adjustment was applied for since the
    change: no request listing the entry (among the entries it concerns or those it changes)
    with its triggering event on or after the law's change that the department submitted, nor
    a law-change obligation it withdrew stating why none is needed. The system's own
    obligation (obligations_open) is not an application until the department submits it.

    A system read for the inspections' register check (it proposes each pair to the problem
    ledger): it takes no user, as the register it reads is public. One query for the pairs,
    two for the entries and laws."""
    applied = AdjustmentRequest.objects.filter(
        Q(affected_entries=OuterRef("entry_id")) | Q(items__entry=OuterRef("entry_id")),
        Q(submitted_at__isnull=False)
        | Q(origin=RequestOrigin.LAW_CHANGE, state=RequestState.WITHDRAWN),
        event_date__gte=OuterRef("law__status_date"),
    )
    pairs = list(
        Citation.objects.filter(
            entry__status=EntryStatus.IN_FORCE,
            law__status__in=[LawStatus.AMENDED, LawStatus.REPEALED],
            law__status_date__lt=as_of - datetime.timedelta(days=days),
        )
        .exclude(Exists(applied))
        .values_list("entry_id", "law_id")
        .distinct()
        .order_by("entry_id", "law_id")
    )
    entries = Entry.objects.select_related("department", "jurisdiction").in_bulk(
        {entry for entry, _law in pairs}
    )
    laws = Law.objects.in_bulk({law for _entry, law in pairs})
    return [(entries[entry], laws[law]) for entry, law in pairs]
