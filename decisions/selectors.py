"""Reads of decisions, each through core.permissions (`restrict(user, action)`), the one
chokepoint. Public reads ask for PUBLIC (published decisions) and load only the public
columns; staff reads ask for VIEW (the department's clerks, the overseers of its
jurisdiction).

Sections: the register (below), then one per concern: the public search, the staff queue,
intake and the credit exchange, reviews and statistics, flow-step times.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone

from core.calendar import start_of_day
from core.choices import PersonDuty, Role
from core.models import Department, EnforcementCertificate, Jurisdiction, Person
from core.permissions import Action, jurisdiction_scope, restrict, role_of
from core.workqueue import WorkItem
from registry import selectors as registry_selectors
from registry.choices import ListKind

from .choices import (
    LICENCE_CATEGORY,
    PENALTY_CATEGORY,
    BodyState,
    DecisionState,
    StepKind,
)
from .models import (
    ApiToken,
    CaseReview,
    Decision,
    EnforcementBody,
    FlowStepTime,
    ImportJob,
    Redaction,
    ReviewedFile,
    Step,
)
from .permissions import ACT, PUBLIC

# What a public page, the public API, feed and the credit export may read of a decision: never
# party_name, content, basis, title (their public_* versions instead), nor the party's identity
# number, address or phone, nor the officers' people.
PUBLIC_COLUMNS = (
    "id",
    "department_id",
    "jurisdiction_id",
    "body_id",
    "item_id",
    "item_version",
    "item_history_id",
    "category_id",
    "number",
    "party_kind",
    "party_credit_code",
    "legal_representative",
    "penalty_kinds",
    "fine_amount",
    "confiscated_amount",
    "licence_name",
    "licence_number",
    "valid_from",
    "valid_until",
    "decided_on",
    "served_on",
    "state",
    "public_title",
    "public_party_name",
    "public_content",
    "public_basis",
    "redacted",
    "published_at",
    "published_late",
    "version",
    "updated_at",
)


def decisions(*, user, action: str = Action.VIEW) -> QuerySet[Decision]:
    """Decisions in full, as `user` may `action` them."""
    return restrict(Decision.objects.all(), user, action)


def public_decisions(*, user) -> QuerySet[Decision]:
    """Published decisions, public columns only (with what a list shows of their relations)."""
    return (
        restrict(Decision.objects.all(), user, PUBLIC)
        .select_related("department", "body", "item", "category", "jurisdiction")
        .only(
            *PUBLIC_COLUMNS,
            "department__name",
            "body__name",
            "item__name",
            "item__code",
            "category__name",
            "category__code",
            "jurisdiction__name",
            "jurisdiction__path",
            "jurisdiction__code",
        )
    )


def enforcement_bodies(*, user, action: str = Action.VIEW) -> QuerySet[EnforcementBody]:
    return restrict(EnforcementBody.objects.all(), user, action).select_related(
        "department__jurisdiction"
    )


def public_bodies(*, user) -> QuerySet[EnforcementBody]:
    """Confirmed bodies (执法主体公示): what the public sees of every department."""
    return enforcement_bodies(user=user).filter(state=BodyState.CONFIRMED)


def officers(*, user, action: str = Action.VIEW) -> QuerySet[Person]:
    """Enforcement officers (people with the duty 执法人员) with their certificates, newest
    first."""
    return (
        restrict(Person.objects.filter(duty=PersonDuty.OFFICER), user, action)
        .select_related("department__jurisdiction")
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=restrict(EnforcementCertificate.objects.all(), user).order_by(
                    "-valid_until"
                ),
            )
        )
    )


# --- the staff's pages: the queue, a decision's page, bodies and officers -----------------------


def staff_decisions(*, user, officers: bool = False) -> QuerySet[Decision]:
    """Decisions in full as the user may see them, with what a list shows of each: the
    department, body, item and kind, and its open steps (`open_steps`, soonest due first);
    with `officers`, the officers and their certificates too. A fixed number of queries for
    any number of rows."""
    from .models import DecisionOfficer, Step

    open_steps = restrict(Step.objects.filter(finished_at=None), user).order_by("due_at", "pk")
    found = (
        decisions(user=user)
        .select_related("department", "body", "item", "category", "jurisdiction")
        .prefetch_related(Prefetch("steps", queryset=open_steps, to_attr="open_steps"))
    )
    if officers:
        found = found.prefetch_related(
            Prefetch(
                "officers",
                queryset=restrict(DecisionOfficer.objects.all(), user).select_related(
                    "person", "certificate"
                ),
                to_attr="officer_list",
            )
        )
    return found


def staff_decision(*, user, pk: int) -> Decision | None:
    return staff_decisions(user=user, officers=True).filter(pk=pk).first()


def decision_departments(*, user):
    """The departments of the decisions the user sees (the queue's department filter)."""
    from core.models import Department

    return Department.objects.filter(
        pk__in=decisions(user=user).values("department_id")
    ).select_related("jurisdiction")


def decision_redactions(*, user, decision: Decision):
    from .models import Redaction

    return restrict(Redaction.objects.filter(decision=decision), user).select_related("actor")


def decision_records(*, user, decision: Decision):
    """The case's records, each with its upload step (`upload_steps`)."""
    from .models import CaseRecord, Step

    return (
        restrict(CaseRecord.objects.filter(decision=decision), user)
        .select_related("uploaded_by")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=restrict(Step.objects.all(), user).order_by("pk"),
                to_attr="upload_steps",
            )
        )
    )


def decision_record(*, user, decision: Decision, pk: int):
    from .models import CaseRecord

    return restrict(CaseRecord.objects.filter(decision=decision, pk=pk), user).first()


def decision_step_times(*, user, decision: Decision):
    from .models import FlowStepTime

    return restrict(FlowStepTime.objects.filter(decision=decision), user).order_by("order")


def decision_events(*, user, decision: Decision):
    from .models import Event

    return restrict(Event.objects.filter(decision=decision), user).select_related("actor", "step")


def decision_items(*, user, department, penalty_only: bool = False):
    """The department's items in force a decision is made under (its power and approval
    items); a case handled here is a penalty's. The register is public."""
    from registry.choices import EntryStatus, ListKind
    from registry.models import Entry

    from .choices import PENALTY_CATEGORY

    found = restrict(
        Entry.objects.filter(
            department=department,
            status=EntryStatus.IN_FORCE,
            list_kind__in=[ListKind.POWER, ListKind.APPROVAL],
        ),
        user,
    ).select_related("category")
    if penalty_only:
        found = found.filter(list_kind=ListKind.POWER, category__code=PENALTY_CATEGORY)
    return found.order_by("list_kind", "category__order", "category__code", "code")


def decision_bodies(*, user, department) -> QuerySet[EnforcementBody]:
    """The department's bodies a decision may name (not withdrawn ones)."""
    return (
        enforcement_bodies(user=user)
        .filter(department=department)
        .exclude(state=BodyState.WITHDRAWN)
        .order_by("name")
    )


def bodies_at_work(*, user) -> QuerySet[EnforcementBody]:
    """The bodies the user keeps (a department's clerks) or confirms (the reform office and
    legal-affairs reviewers of the jurisdiction and below), with their department."""
    from .permissions import CONFIRM

    kept = restrict(EnforcementBody.objects.all(), user, Action.CHANGE).values("pk")
    confirmed = restrict(EnforcementBody.objects.all(), user, CONFIRM).values("pk")
    return EnforcementBody.objects.filter(Q(pk__in=kept) | Q(pk__in=confirmed)).select_related(
        "department__jurisdiction", "confirmed_by"
    )


def body_at_work(*, user, pk: int) -> EnforcementBody | None:
    return bodies_at_work(user=user).filter(pk=pk).first()


def body_history(*, user, body: EnforcementBody):
    """The body's versions, newest first, for those who keep or confirm it."""
    if not bodies_at_work(user=user).filter(pk=body.pk).exists():
        return EnforcementBody.history.none()
    return body.history.select_related("history_user").order_by("-history_date", "-history_id")


def department_officers(*, user) -> QuerySet[Person]:
    """The officers the user keeps (a department's clerks their own; administrators those of
    their scope), with their certificates, by department and name."""
    return officers(user=user, action=Action.CHANGE).order_by("department__name", "name", "pk")


def department_officer(*, user, pk: int) -> Person | None:
    return department_officers(user=user).filter(pk=pk).first()


def decision_officer_choices(*, user, department) -> QuerySet[Person]:
    """The department's officers a decision may name, with their certificates."""
    return officers(user=user).filter(department=department).order_by("name", "pk")


# --- the public search and pages (issue 14 §1, §3) ------------------------------------------

# The public list's order, newest decision first: the decision_public_order index.
PUBLIC_ORDER = ("-decided_on", "-id")
# What the public reads of an enforcement body: never its papers (a file), who confirmed it.
PUBLIC_BODY_COLUMNS = (
    "id",
    "department_id",
    "name",
    "kind",
    "credit_code",
    "basis",
    "entrustment_number",
    "entrusted_from",
    "entrusted_until",
    "state",
    "confirmed_at",
    "department__name",
    "department__jurisdiction__name",
    "department__jurisdiction__path",
)


def public_decision(*, user, pk: int) -> Decision | None:
    """One published decision, public columns only; None when unpublished or unknown."""
    return public_decisions(user=user).filter(pk=pk).first()


def public_redactions(*, user, ids) -> dict[int, list[tuple[str, str]]]:
    """The (field, reason) of each standing redaction of the published decisions `ids`, in
    the order they were made: what the public is told is withheld, and why. Never the
    explanation nor the text withheld (seed 002 监督检查办法 第十三条)."""
    published = restrict(Decision.objects.all(), user, PUBLIC).filter(pk__in=list(ids))
    found: dict[int, list[tuple[str, str]]] = {}
    rows = (
        Redaction.objects.filter(decision_id__in=published.values("pk"))
        .order_by("at", "pk")
        .values_list("decision_id", "field", "reason")
    )
    for decision_id, field, reason in rows:
        if (field, reason) not in found.setdefault(decision_id, []):
            found[decision_id].append((field, reason))
    return found


def public_item(*, user, code: str):
    """The published item with implementation code `code` (its page links to the decisions
    made under it), or None."""
    if not code:
        return None
    return registry_selectors.entry_by_code(user=user, code=code)


def category_ids(*, user, code: str) -> list[int]:
    """The categories of the power and approval lists with `code` (the kinds of decision:
    seed 002 第二条; the two lists share their codes)."""
    return list(
        registry_selectors.categories(user=user)
        .filter(code=code, list_kind__in=(ListKind.POWER, ListKind.APPROVAL))
        .values_list("pk", flat=True)
    )


def decision_kinds(*, user):
    """The kinds a decision may be of, as the public filter offers them: the power list's
    categories, by code."""
    return registry_selectors.categories(user=user, list_kind=ListKind.POWER).order_by("code")


def with_penalty_kind(queryset: QuerySet[Decision], kind: str) -> QuerySet[Decision]:
    """Decisions whose penalty includes `kind` (a JSON list): PostgreSQL's containment;
    SQLite has none, so its JSON text is searched for the quoted value."""
    if connection.vendor == "postgresql":
        return queryset.filter(penalty_kinds__contains=[kind])
    return queryset.alias(penalty_text=Cast("penalty_kinds", TextField())).filter(
        penalty_text__contains=f'"{kind}"'
    )


def public_jurisdictions(*, user, code: str = ""):
    """The choices of the public filter's jurisdiction: the register's (a level at a time)."""
    return registry_selectors.jurisdictions_for_filter(user=user, code=code)


def public_jurisdiction_id(*, user, code: str) -> int | None:
    return (
        restrict(Jurisdiction.objects.all(), user)
        .filter(code=code)
        .values_list("pk", flat=True)
        .first()
    )


def public_departments(
    *, user, jurisdiction_code: str = "", department_id: int | None = None
) -> QuerySet[Department]:
    """The choices of the public filter's department: those of the chosen jurisdiction (else
    of the top one) with a confirmed enforcement body, and the one already chosen."""
    where = (
        Q(jurisdiction__code=jurisdiction_code)
        if jurisdiction_code
        else Q(jurisdiction__parent__isnull=True)
    )
    acting = Q(pk__in=public_bodies(user=user).values("department_id"))
    keep = (where & acting) | Q(pk=department_id) if department_id else where & acting
    return (
        restrict(Department.objects.all(), user)
        .filter(keep)
        .select_related("jurisdiction")
        .only("id", "name", "jurisdiction__name", "jurisdiction__path")
        .order_by("jurisdiction__path", "name")
    )


def public_body_list(*, user, department_id: int | None = None) -> QuerySet[EnforcementBody]:
    """Confirmed enforcement bodies (执法主体公示, seed 004 一(二)6), by jurisdiction and
    department: what the public reads of each (PUBLIC_BODY_COLUMNS)."""
    rows = public_bodies(user=user).only(*PUBLIC_BODY_COLUMNS)
    if department_id:
        rows = rows.filter(department_id=department_id)
    return rows.order_by("department__jurisdiction__path", "department__name", "name", "pk")


def public_officers(*, user, department_id: int | None = None) -> QuerySet[Person]:
    """Enforcement officers holding a certificate, by jurisdiction, department and name, as
    the public form lists them (seed 002 监督检查办法 第十一条): name, certificate number,
    field and validity; never a phone or an e-mail."""
    certificates = restrict(EnforcementCertificate.objects.all(), user)
    rows = (
        restrict(Person.objects.filter(duty=PersonDuty.OFFICER), user)
        .filter(Exists(certificates.filter(person_id=OuterRef("pk"))))
        .select_related("department__jurisdiction")
        .only(
            "id",
            "name",
            "department_id",
            "department__name",
            "department__jurisdiction__name",
            "department__jurisdiction__path",
        )
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=certificates.only(
                    "id", "person_id", "number", "enforcement_field", "valid_from", "valid_until"
                ).order_by("-valid_until", "pk"),
            )
        )
    )
    if department_id:
        rows = rows.filter(department_id=department_id)
    return rows.order_by("department__jurisdiction__path", "department__name", "name", "pk")


# --- case-file reviews, statistics and flow-step times (issue 14 §7–§9) ------------------------

# Who reads the statistics of a jurisdiction and those below it (issue 14 §9): those who
# oversee its departments and rank them.
STATISTICS_ROLES = (Role.OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR)


def case_reviews(*, user) -> QuerySet[CaseReview]:
    """Case-file reviews (卷宗评查) the user may see, with how many files are drawn and scored."""
    return (
        restrict(CaseReview.objects.all(), user)
        .select_related("jurisdiction", "created_by")
        .annotate(
            file_count=Count("files"),
            scored_count=Count("files", filter=Q(files__scored_at__isnull=False)),
        )
        .order_by("-created_at", "-pk")
    )


def case_review(*, user, pk: int) -> CaseReview | None:
    return (
        restrict(CaseReview.objects.filter(pk=pk), user)
        .select_related("jurisdiction", "created_by")
        .first()
    )


def reviewed_files(*, user, review: CaseReview) -> QuerySet[ReviewedFile]:
    """The drawn files of a review in draw order, with what the page shows of each decision."""
    return (
        restrict(ReviewedFile.objects.filter(review=review), user)
        .select_related("decision__department", "decision__item", "scored_by")
        .order_by("pk")
    )


def reviewed_file(*, user, review: CaseReview, pk: int) -> ReviewedFile | None:
    return (
        reviewed_files(user=user, review=review)
        .select_related("decision__body", "decision__jurisdiction", "decision__category")
        .filter(pk=pk)
        .first()
    )


def review_jurisdictions(*, user) -> QuerySet[Jurisdiction]:
    """Where the user may run a case-file review: a supervisor's jurisdiction and those below
    it (decisions.permissions, MANAGE)."""
    if user.is_superuser:
        return Jurisdiction.objects.order_by("path")
    if role_of(user) != Role.SUPERVISOR:
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(jurisdiction_scope(user, "")).order_by("path")


def statistics_jurisdictions(*, user) -> QuerySet[Jurisdiction]:
    """The jurisdictions whose statistics the user reads: the office, supervisors and
    administrators read their own and those below it — the decisions they may see in full
    (decisions.permissions: the overseers of a jurisdiction)."""
    if user.is_superuser:
        return Jurisdiction.objects.order_by("path")
    if role_of(user) not in STATISTICS_ROLES:
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(jurisdiction_scope(user, "")).order_by("path")


@dataclass(frozen=True)
class DepartmentStatistics:
    """One department's figures for a period (issue 14 §9), each a count of decisions decided
    in the period unless said otherwise. A publication still open after its due moment is late
    (`overdue`): `late` counts it with the late publications, never leaving it out."""

    department: Department
    decisions: int
    served: int
    published_on_time: int
    published_late: int
    # Served, unpublished, the publication step past its due moment (seed 002 第十三条).
    overdue: int
    # Served, unpublished, still within the 10 days.
    awaiting: int
    officer_uncertified: int
    body_unpublished: int
    item_not_in_force: int
    body_mismatch: int
    # Case records made in the period uploaded after 24 hours, or not yet and past due.
    records_late: int
    # Flow steps with a time limit (measured) and those that missed it.
    steps_measured: int
    steps_missed: int

    @property
    def late(self) -> int:
        return self.published_late + self.overdue

    @property
    def on_time_share(self) -> int | None:
        """Published on time, in percent of the publications due (on time, late, overdue)."""
        due = self.published_on_time + self.late
        return round(self.published_on_time * 100 / due) if due else None


def decision_statistics(
    *,
    user,
    jurisdiction: Jurisdiction,
    start: datetime.date,
    end: datetime.date,
    at: datetime.datetime | None = None,
) -> list[DepartmentStatistics]:
    """Issue 14 §9, for the rankings (SPEC §8): per department of `jurisdiction` and those below
    it that has an enforcement body or a decision, the figures of the decisions decided from
    `start` to `end` (inclusive), as they stand at `at` (now). One aggregate query however
    many departments and decisions; empty when the user may not read the jurisdiction's
    statistics (statistics_jurisdictions)."""
    if not statistics_jurisdictions(user=user).filter(pk=jurisdiction.pk).exists():
        return []
    at = at or timezone.now()

    def count(condition: Q | None = None) -> Count:
        return Count("in_period", filter=condition)

    open_publication = Step.objects.filter(kind=StepKind.PUBLISH, finished_at=None)
    overdue = open_publication.filter(due_at__lt=at).values("decision_id")
    awaiting = open_publication.filter(due_at__gte=at).values("decision_id")
    unpublished = Q(in_period__published_at__isnull=True) & ~Q(
        in_period__state=DecisionState.REVOKED
    )
    records_late = (
        Step.objects.filter(
            kind=StepKind.UPLOAD,
            department_id=OuterRef("pk"),
            started_at__gte=start_of_day(start),
            started_at__lt=start_of_day(end + datetime.timedelta(days=1)),
        )
        .filter(Q(finished_at__gt=F("due_at")) | Q(finished_at=None, due_at__lt=at))
        .order_by()
        .values("department_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    step_times = (
        FlowStepTime.objects.filter(
            decision__department_id=OuterRef("pk"),
            decision__decided_on__gte=start,
            decision__decided_on__lte=end,
            kept__isnull=False,
        )
        .order_by()
        .values("decision__department_id")
    )
    rows = (
        Department.objects.filter(jurisdiction__path__startswith=jurisdiction.path)
        .filter(
            Exists(EnforcementBody.objects.filter(department_id=OuterRef("pk")))
            | Exists(Decision.objects.filter(department_id=OuterRef("pk")))
        )
        .select_related("jurisdiction")
        # The decisions of the period only are joined (the index on department and date).
        .alias(
            in_period=FilteredRelation(
                "decisions",
                condition=Q(decisions__decided_on__gte=start, decisions__decided_on__lte=end),
            )
        )
        .annotate(
            n_decisions=count(),
            n_served=count(Q(in_period__served_on__isnull=False)),
            n_on_time=count(
                Q(in_period__published_at__isnull=False, in_period__published_late=False)
            ),
            n_late=count(Q(in_period__published_at__isnull=False, in_period__published_late=True)),
            n_overdue=count(unpublished & Q(in_period__pk__in=overdue)),
            n_awaiting=count(unpublished & Q(in_period__pk__in=awaiting)),
            n_uncertified=count(Q(in_period__officer_uncertified=True)),
            n_body_unpublished=count(Q(in_period__body_unpublished=True)),
            n_not_in_force=count(Q(in_period__item_not_in_force=True)),
            n_body_mismatch=count(Q(in_period__body_mismatch=True)),
            n_records_late=Coalesce(Subquery(records_late), 0),
            n_steps_measured=Coalesce(
                Subquery(step_times.annotate(count=Count("pk")).values("count")), 0
            ),
            n_steps_missed=Coalesce(
                Subquery(step_times.filter(kept=False).annotate(count=Count("pk")).values("count")),
                0,
            ),
        )
        .order_by("jurisdiction__path", "name")
    )
    return [
        DepartmentStatistics(
            department=row,
            decisions=row.n_decisions,
            served=row.n_served,
            published_on_time=row.n_on_time,
            published_late=row.n_late,
            overdue=row.n_overdue,
            awaiting=row.n_awaiting,
            officer_uncertified=row.n_uncertified,
            body_unpublished=row.n_body_unpublished,
            item_not_in_force=row.n_not_in_force,
            body_mismatch=row.n_body_mismatch,
            records_late=row.n_records_late,
            steps_measured=row.n_steps_measured,
            steps_missed=row.n_steps_missed,
        )
        for row in rows
    ]


def step_time_decision(*, user, pk: int) -> Decision | None:
    """A decision whose flow-step dates the user records (its department's clerks)."""
    return (
        restrict(Decision.objects.filter(pk=pk), user, Action.CHANGE)
        .select_related("department", "item", "jurisdiction")
        .first()
    )


def flow_step_record(*, user, entry_id: int) -> list[dict]:
    """Seed 004 一(二)3 on the item page: per flow step (order, name and time limit as the
    decisions' item versions stated them), how many published decisions under the item have
    its dates recorded, how many of those with a limit kept it, and the share. Counts only, of
    published decisions only (the PUBLIC rule): nothing of a decision itself. One query."""
    published = restrict(Decision.objects.filter(item_id=entry_id), user, PUBLIC)
    rows = (
        FlowStepTime.objects.filter(decision__in=published.values("pk"))
        .values("order", "step", "limit_days")
        .annotate(
            decisions=Count("pk"),
            measured=Count("pk", filter=Q(kept__isnull=False)),
            kept_count=Count("pk", filter=Q(kept=True)),
        )
        .order_by("order", "step", "limit_days")
    )
    return [
        {
            **row,
            "share": round(row["kept_count"] * 100 / row["measured"]) if row["measured"] else None,
        }
        for row in rows
    ]


# --- intake and the credit exchange (issue 14 §4, §5) ------------------------------------------


def api_tokens(*, user) -> QuerySet[ApiToken]:
    """Case systems' keys of the departments `user` keeps them for (a clerk's department, an
    administrator's jurisdiction), newest first."""
    return restrict(ApiToken.objects.all(), user).select_related(
        "department", "created_by", "revoked_by"
    )


def api_token(*, user, pk: int) -> ApiToken | None:
    return api_tokens(user=user).filter(pk=pk).first()


def token_departments(*, user) -> QuerySet[Department]:
    """The departments `user` may make keys for, as the key rule (decisions.permissions)
    scopes them: a clerk's own department, the departments of an administrator's
    jurisdiction and those below."""
    found = Department.objects.restrict(user, Action.VIEW).select_related("jurisdiction")
    if user.is_superuser:
        return found
    role = role_of(user)
    if role == Role.ADMINISTRATOR:
        return found.filter(jurisdiction_scope(user))
    if role == Role.CLERK and user.department_id:
        return found.filter(pk=user.department_id)
    return found.none()


def intake_decision(*, token: ApiToken, external_id: str) -> Decision | None:
    """The decision a case system knows by `external_id`, of the key's department only (a key
    never reads another department's decisions), with what the intake API shows of it."""
    return (
        Decision.objects.filter(department_id=token.department_id, external_id=external_id)
        .select_related("body", "item")
        .prefetch_related("officers")
        .first()
    )


def import_jobs(*, user) -> QuerySet[ImportJob]:
    """Excel imports of decisions of the departments whose clerk `user` is, newest first."""
    return restrict(ImportJob.objects.all(), user).select_related("created_by", "department")


def import_job(*, user, pk: int) -> ImportJob | None:
    return import_jobs(user=user).filter(pk=pk).first()


def credit_decisions(*, user, kind: str) -> QuerySet[Decision]:
    """The records of the credit exchange (双公示, seed 002 管理办法 第十二条) that `user` may
    export: published decisions (PUBLIC) among those they may see (VIEW: a clerk's department,
    an overseer's jurisdiction), licences (category 01) or penalties (category 02 of the power
    list), public columns only, with what a record reads of its body, item and department."""
    found = restrict(restrict(Decision.objects.all(), user, PUBLIC), user, Action.VIEW)
    if kind == "licence":
        found = found.filter(category__code=LICENCE_CATEGORY)
    else:
        found = found.filter(category__code=PENALTY_CATEGORY, category__list_kind=ListKind.POWER)
    return found.select_related("department", "body", "item").only(
        *PUBLIC_COLUMNS,
        "department__name",
        "department__code",
        "body__name",
        "body__credit_code",
        "item__code",
        "item__name",
    )


def credit_changed(
    *, user, kind: str, since=None, after: tuple | None = None
) -> QuerySet[Decision]:
    """The feed's records changed at or after `since`, continuing after the (updated_at, id)
    cursor `after`, in the order of the index decision_changed: a stable order, so that a
    record is never skipped or sent twice between pages of one walk."""
    found = credit_decisions(user=user, kind=kind)
    if since is not None:
        found = found.filter(updated_at__gte=since)
    if after is not None:
        moment, pk = after
        found = found.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, id__gt=pk))
    return found.order_by("updated_at", "id")


# --- the work queue (core.workqueue) ----------------------------------------------------------


def work_items(user) -> list[WorkItem]:
    """The work-queue provider (core.workqueue, registered in DecisionsConfig.ready): the open
    steps the user holds — decisions to publish within 10 日 of service, case records to upload
    within 24 hours — soonest due first."""
    if role_of(user) is None:
        return []
    steps = (
        restrict(Step.objects.all(), user, ACT)
        .select_related("decision__department", "record")
        .order_by(F("due_at").asc(nulls_last=True), "pk")[:200]
    )
    return [
        WorkItem(
            action=str(StepKind(step.kind).label),
            subject=(step.record.title if step.record_id else step.decision.title)[:60],
            reference=str(step.decision),
            url=reverse("decisions:staff-detail", args=[step.decision_id]),
            started_at=step.started_at,
            due_at=step.due_at,
            due_confirmed=step.due_confirmed,
            deadline_days=step.deadline_days or 0,
            deadline_unit=step.deadline_unit,
            department=str(step.decision.department),
        )
        for step in steps
    ]
