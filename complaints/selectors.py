"""Reads of complaints, each through the user's permissions (core.permissions.restrict), and
the two public reads that take no user: the tracking page (code and secret) and the
statistics (aggregates, no personal data)."""

import datetime
from dataclasses import dataclass, field
from itertools import pairwise

from django.db.models import Count, F, Max, Min, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.calendar import start_of_day
from core.models import Department
from core.permissions import Action, restrict, role_of
from core.workqueue import WorkItem
from registry import selectors as registry_selectors
from registry.choices import EntryStatus, ListKind
from registry.models import Entry

from . import services
from .choices import (
    PUBLIC_TRANSITIONS,
    Channel,
    ComplaintState,
    Ground,
    Outcome,
    Rating,
    StepKind,
    Transition,
)
from .models import (
    Complaint,
    ComplaintEvent,
    ComplaintItem,
    ComplaintStep,
    Evidence,
    Representative,
    StandAside,
)
from .permissions import ACT

_RELATED = ("jurisdiction", "department", "responsible")


def _open_steps() -> Prefetch:
    return Prefetch(
        "steps",
        queryset=ComplaintStep.objects.filter(finished_at=None)
        .select_related("department")
        .order_by("pk"),
        to_attr="open_steps",
    )


def complaints(*, user) -> QuerySet[Complaint]:
    """The complaints `user` may see (staff only), newest first, with their open steps."""
    return (
        Complaint.objects.restrict(user, Action.VIEW)
        .select_related(*_RELATED)
        .prefetch_related(_open_steps())
        .order_by("-received_at", "-pk")
    )


def complaint_by_code(*, user, code: str) -> Complaint | None:
    return complaints(user=user).filter(code=code).first()


def waiting_steps(*, user) -> QuerySet[ComplaintStep]:
    """The open steps `user` holds (their department and role, not stood aside), soonest
    due first."""
    return (
        restrict(ComplaintStep.objects.filter(finished_at=None), user, ACT)
        .select_related("complaint__department", "department")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )


def work_items(user) -> list[WorkItem]:
    """The work-queue provider (core.workqueue, registered in ComplaintsConfig.ready)."""
    if role_of(user) is None:
        return []
    items = []
    for step in waiting_steps(user=user)[:200]:
        complaint = step.complaint
        items.append(
            WorkItem(
                action=str(StepKind(step.kind).label),
                subject=str(Ground(complaint.ground).label)[:60],
                reference=complaint.code,
                url=reverse("complaints:detail", args=[complaint.code]),
                started_at=step.started_at,
                due_at=step.due_at,
                due_confirmed=step.due_confirmed,
                deadline_days=step.deadline_days or 0,
                deadline_unit=step.deadline_unit,
                department=str(complaint.department),
            )
        )
    return items


def timeline(*, user, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return (
        restrict(ComplaintEvent.objects.filter(complaint=complaint), user, Action.VIEW)
        .select_related("actor", "step")
        .order_by("at", "pk")
    )


def steps_of(*, user, complaint: Complaint) -> QuerySet[ComplaintStep]:
    return (
        restrict(ComplaintStep.objects.filter(complaint=complaint), user, Action.VIEW)
        .select_related("department", "finished_by")
        .order_by("started_at", "pk")
    )


def items_of(*, user, complaint: Complaint) -> QuerySet[ComplaintItem]:
    return restrict(ComplaintItem.objects.filter(complaint=complaint), user, Action.VIEW)


def evidence_of(*, user, complaint: Complaint) -> QuerySet[Evidence]:
    return restrict(Evidence.objects.filter(complaint=complaint), user, Action.VIEW)


def evidence_by_id(*, user, pk: int) -> Evidence | None:
    return restrict(Evidence.objects.filter(pk=pk), user, Action.VIEW).first()


def representatives_of(*, user, complaint: Complaint) -> QuerySet[Representative]:
    return restrict(Representative.objects.filter(complaint=complaint), user, Action.VIEW)


def stand_asides_of(*, user, complaint: Complaint) -> QuerySet[StandAside]:
    return restrict(
        StandAside.objects.filter(complaint=complaint), user, Action.VIEW
    ).select_related("user")


def available(*, user, complaint: Complaint) -> list[str]:
    """What `user` may do on the complaint now (the action panel and the API)."""
    return services.TRANSITIONS.available(
        user, complaint, open_steps=getattr(complaint, "open_steps", None)
    )


def repeats(*, user, complaint: Complaint) -> list[services.Repeat]:
    """Earlier complaints of the same matter (services.repeats_of), those the user may see."""
    found = services.repeats_of(complaint)
    visible = set(
        Complaint.objects.restrict(user, Action.VIEW)
        .filter(pk__in=[repeat.complaint.pk for repeat in found])
        .values_list("pk", flat=True)
    )
    return [repeat for repeat in found if repeat.complaint.pk in visible]


def findings(*, user) -> QuerySet[Complaint]:
    """Issue 12 §11: substantiated and partly substantiated complaints with their finding
    (department, items, failure), for the inspections' problem ledger and accountability."""
    return (
        complaints(user=user)
        .filter(outcome__in=[Outcome.SUBSTANTIATED, Outcome.PARTLY])
        .select_related("finding_department")
        .prefetch_related(
            Prefetch(
                "items", queryset=ComplaintItem.objects.filter(found=True), to_attr="found_items"
            )
        )
    )


def finding_for_ledger(*, user, code: str) -> dict | None:
    """Issue 13 §4: a substantiated (or partly substantiated) complaint the user may see, as
    the inspections' problem ledger takes it with one click: where and about whom, the finding,
    when it was closed and the items of the finding. Nothing of the complainant: `facts_summary`
    is for the staff member's eye on the confirmation page, never copied into the ledger. The
    code as typed (services.code_as_issued). None when there is no such complaint for this
    user."""
    complaint = findings(user=user).filter(code=services.code_as_issued(code)).first()
    if complaint is None:
        return None
    found = [item.entry_id for item in complaint.found_items]
    entries = Entry.objects.select_related("department").in_bulk(found)
    return {
        "code": complaint.code,
        "jurisdiction": complaint.jurisdiction,
        "department": complaint.finding_department or complaint.department,
        "finding": complaint.finding,
        "facts_summary": complaint.facts[:200],
        "closed_at": complaint.closed_at,
        "items": [entries[pk] for pk in found if pk in entries],
    }


# --- the public form ------------------------------------------------------------------------


def suggested_grounds(entry: Entry) -> list[str]:
    """Issue 12 §1: the grounds an item's standing suggests: a cancelled, delegated or merged
    item → grounds (2) and (3) (still exercised after it was cancelled or adjusted); a fee or
    fund item → ground (9) (charging beyond the list)."""
    if entry.status in (EntryStatus.CANCELLED, EntryStatus.DELEGATED, EntryStatus.MERGED):
        return [Ground.CANCELLED_VIA_SUBORDINATE, Ground.CANCELLED_CONTINUED]
    if entry.list_kind in (ListKind.FEE, ListKind.FUND):
        return [Ground.FEE_BEYOND_LIST]
    return []


def entries_for_picker(*, query: str, limit: int = 10) -> list[Entry]:
    """The published items a complainant can name, by keyword (the search-as-you-type
    picker), as the public sees them."""
    if not query.strip():
        return []
    found = registry_selectors.search(
        registry_selectors.published_entries(user=None), query
    ).select_related("department")
    return list(found.order_by("sort_key", "pk")[:limit])


def public_entry(*, code: str) -> Entry | None:
    return registry_selectors.entry_by_code(user=None, code=code)


def departments_for_form() -> QuerySet[Department]:
    return Department.objects.select_related("jurisdiction").order_by("jurisdiction__path", "pk")


# --- the tracking page (issue 12 §3) -------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """A public stage of the complaint: what happened, when, and what the complainant is told;
    never who did it."""

    transition: str
    label: str
    at: datetime.datetime
    note: str


@dataclass
class Tracked:
    """What the tracking page shows: no name, contact, identity document, evidence, staff
    name or staff opinion."""

    complaint: Complaint
    stages: list[Stage]
    open_steps: list[ComplaintStep]
    merged_into: "Tracked | None" = None
    review_due: datetime.datetime | None = None
    items: list[ComplaintItem] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(ComplaintState(self.complaint.state).label)


def _tracked(complaint: Complaint, *, follow: bool = True) -> Tracked:
    events = ComplaintEvent.objects.filter(
        complaint=complaint, transition__in=PUBLIC_TRANSITIONS
    ).order_by("at", "pk")
    stages = [
        Stage(
            event.transition,
            str(Transition(event.transition).label),
            event.at,
            # The earlier complaint of a merged one is another person's: its complainant's
            # own words (their reasons for a review) are not shown to this one.
            ""
            if not follow and event.transition == Transition.REVIEW_REQUEST
            else event.public_note,
        )
        for event in events
    ]
    steps = list(ComplaintStep.objects.filter(complaint=complaint, finished_at=None).order_by("pk"))
    merged = None
    if follow and complaint.state == ComplaintState.MERGED and complaint.repeat_of_id:
        merged = _tracked(complaint.repeat_of, follow=False)
    review_due = None
    if complaint.state == ComplaintState.CLOSED and complaint.review_round < 2:
        review_due = services.review_request_due(complaint)
    return Tracked(
        complaint=complaint,
        stages=stages,
        open_steps=steps,
        merged_into=merged,
        review_due=review_due,
        items=list(complaint.items.order_by("pk")),
    )


def complaint_track(*, code: str, secret: str) -> Tracked | None:
    """The complaint with this code, if the secret is its own; None otherwise (the caller
    throttles failures)."""
    complaint = (
        Complaint.objects.filter(code=services.code_as_issued(code))
        .select_related("jurisdiction", "department", "repeat_of")
        .first()
    )
    if complaint is None or not services.secret_matches(complaint, secret):
        return None
    return _tracked(complaint)


# --- statistics (issue 12 §12) -------------------------------------------------------------------


@dataclass
class Statistics:
    total: int
    by_ground: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_outcome: list[tuple[str, int]]
    by_state: list[tuple[str, int]]
    by_month: list[tuple[datetime.date, int]]
    top_departments: list[tuple[str, str, int]]
    acceptance_on_time: tuple[int, int]
    answer_on_time: tuple[int, int]
    ratings: list[tuple[str, int]]

    @staticmethod
    def rate(pair: tuple[int, int]) -> float | None:
        on_time, done = pair
        return round(100 * on_time / done, 1) if done else None


# The fields counted by value: one GROUP BY over all five gives every combination found (a
# number bounded by their choices, not by the complaints), added up here field by field.
_COUNTED = (
    ("ground", Ground.choices),
    ("channel", Channel.choices),
    ("outcome", Outcome.choices),
    ("state", ComplaintState.choices),
    ("rating", Rating.choices),
)


def _counts(found: dict[str, dict[str, int]], field_name: str, choices) -> list[tuple[str, int]]:
    by_value = found[field_name]
    return [(str(label), by_value[value]) for value, label in choices if by_value.get(value)]


def _months(first: datetime.datetime | None, last: datetime.datetime | None) -> list:
    """The first moments of the months from `first`'s to `last`'s, and of the month after."""
    if first is None or last is None:
        return []
    first, last = timezone.localtime(first).date(), timezone.localtime(last).date()
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(start_of_day(datetime.date(year, month, 1)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [*months, start_of_day(datetime.date(year, month, 1))]


def statistics(
    *, since: datetime.date | None = None, until: datetime.date | None = None, top: int = 10
) -> Statistics:
    """Public statistics (issue 12 §12, 信访工作条例 art. 41's annual report): counts by ground,
    channel, outcome, state and month, the departments with the most complaints, the on-time
    rates of acceptance and answers, and the ratings. Six queries whatever the number of
    departments or complaints (none casts a row's date: a period is a range of the indexed
    receipt moment): the first and last moments received and the counts by month (each read
    from the receipt index alone), the counts by value (one GROUP BY), the counts by
    department (from their index) and the names of the leading ones, and the steps' on-time
    rates (one scan of the finished steps)."""
    received = Complaint.objects.all()
    steps = ComplaintStep.objects.filter(
        finished_at__isnull=False, kind__in=[StepKind.ACCEPT, StepKind.HANDLE]
    )
    if since:
        received = received.filter(received_at__gte=start_of_day(since))
    if until:
        received = received.filter(received_at__lt=start_of_day(until + datetime.timedelta(days=1)))
    if since or until:
        steps = steps.filter(complaint__in=received.values("pk"))
    span = received.aggregate(first=Min("received_at"), last=Max("received_at"))
    months = _months(span["first"], span["last"])
    # Counting the receipt moment (not the id) lets its index answer alone.
    by_month = received.aggregate(
        **{
            f"month:{number}": Count(
                "received_at", filter=Q(received_at__gte=start, received_at__lt=end)
            )
            for number, (start, end) in enumerate(pairwise(months))
        }
    )
    fields = [field_name for field_name, _choices in _COUNTED]
    found: dict[str, dict[str, int]] = {field_name: {} for field_name in fields}
    total = 0
    for row in received.values(*fields).annotate(n=Count("received_at")).order_by():
        total += row["n"]
        for field_name in fields:
            counts = found[field_name]
            counts[row[field_name]] = counts.get(row[field_name], 0) + row["n"]
    on_time = Q(finished_at__lte=F("due_at"))
    timed = steps.aggregate(
        **{
            f"{kind}:{what}": Count("kind", filter=Q(kind=kind) & extra)
            for kind in (StepKind.ACCEPT, StepKind.HANDLE)
            for what, extra in (("done", Q()), ("on_time", on_time))
        }
    )
    # Counted by the department's id from its index alone (no row read, no name joined to
    # every complaint), then the names of the leading ones: ties at the cut by name.
    per_department = sorted(
        received.values_list("department").annotate(n=Count("department")).order_by(),
        key=lambda row: -row[1],
    )
    cut = per_department[top - 1][1] if len(per_department) >= top else 0
    leading = {department: n for department, n in per_department if n >= cut}
    top_departments = sorted(
        (
            (place, name, leading[pk])
            for pk, name, place in Department.objects.filter(pk__in=leading).values_list(
                "pk", "name", "jurisdiction__name"
            )
        ),
        key=lambda row: (-row[2], row[1], row[0]),
    )[:top]
    return Statistics(
        total=total,
        by_ground=_counts(found, "ground", Ground.choices),
        by_channel=_counts(found, "channel", Channel.choices),
        by_outcome=_counts(found, "outcome", Outcome.choices),
        by_state=_counts(found, "state", ComplaintState.choices),
        by_month=[
            (start, by_month[f"month:{number}"])
            for number, start in enumerate(months[:-1])
            if by_month[f"month:{number}"]
        ],
        top_departments=top_departments,
        acceptance_on_time=(timed["accept:on_time"], timed["accept:done"]),
        answer_on_time=(timed["handle:on_time"], timed["handle:done"]),
        ratings=_counts(found, "rating", Rating.choices),
    )


def received_by_department(
    *, department_ids: list[int], since: datetime.datetime, until: datetime.datetime
) -> dict[int, int]:
    """Complaints received about each department in [since, until): the inspections' draw gives
    departments with many complaints a higher ratio (国办发〔2015〕58号). Counts only, one query."""
    rows = (
        Complaint.objects.filter(
            department_id__in=department_ids, received_at__gte=since, received_at__lt=until
        )
        .values("department_id")
        .annotate(count=Count("pk"))
    )
    return {row["department_id"]: row["count"] for row in rows}
