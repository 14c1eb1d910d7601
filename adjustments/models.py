"""Dynamic adjustment (动态调整, SPEC §4, seed 004 三): a department's request to change entries of
the five lists, the steps it passes with their deadlines, and its append-only event log.

- `AdjustmentPolicy`: a jurisdiction's deadlines and paths (seed 004 by default; seed 002's
  seven days and seed 003's two paths are rows of this table, not code).
- `AdjustmentRequest` with its `RequestItem`s (each a registry Draft: the proposed version).
- `Step`: one row per step (a core TimedStep: started, due, finished), assigned to the
  department that must act; `ClockStop`s record a return for supplement stopping its clock.
- `RequestEvent`: who did what when, from which state to which, with the opinion (append-only).
- `Attachment`: documents of the request and of each transition.
- `DeadlineNotice`: the guard row inserted before a reminder or overdue notice goes out, unique
  per (step, kind, due moment), so a notice goes out once however often the sweep runs.
"""

import datetime
import uuid
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import calendar
from core.choices import DAY_UNITS, DeadlineUnit
from core.models import AppendOnlyModel, DeadlineNoticeBase, TimedStep, User, sweep_indexes
from core.querysets import RestrictedQuerySet

from .choices import (
    FINAL_STATES,
    STEP_ROLE,
    AdjustmentPath,
    ChangeKind,
    RequestOrigin,
    RequestState,
    SiteUpdateStart,
    StepKind,
    StepOutcome,
    Transition,
    TriggerKind,
    path_field,
)


def _days(label, default: int, source, maximum: int = 60):
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        help_text=source,
        validators=[MinValueValidator(1), MaxValueValidator(maximum)],
    )


# SPEC §4: a period no seed fixes is this product's own default, and says so.
PRODUCT_DEFAULT = _("This product's default: no seed fixes this period.")


def _path(label):
    return models.CharField(
        label, max_length=16, choices=AdjustmentPath.choices, default=AdjustmentPath.STANDARD
    )


class AdjustmentPolicy(models.Model):
    """A jurisdiction's procedure for adjustments. A jurisdiction without a row of its own
    follows the nearest one above it, and the top one without a row follows seed 004 (the
    defaults below; the periods no seed fixes are this product's defaults, PRODUCT_DEFAULT).
    Periods are working days unless `apply_unit` says calendar days (seed 002 第十条: "在7日内").
    Each trigger of seed 004 三(二) has its own path field (`<trigger>_path`, see
    choices.path_field): which path a kind of change follows is data, not code."""

    jurisdiction = models.OneToOneField(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="adjustment_policy",
    )
    basis = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("The document that sets this procedure, e.g. 郑盐局〔2016〕5号."),
    )
    apply_days = _days(
        _("application period"), 10, _("Seed 004 三(三)1: 10 working days; seed 002: 7 days.")
    )
    apply_unit = models.CharField(
        _("application period counted in"),
        max_length=10,
        choices=DAY_UNITS,
        default=DeadlineUnit.WORKING_DAYS,
    )
    apply_extension_max_days = _days(
        _("longest extended application period"), 30, _("Seed 004 三(三)1: 30 working days."), 90
    )
    forward_days = _days(_("forwarding to lead review"), 2, _("Seed 004 三(三)2: 2 working days."))
    review_days = _days(_("lead review"), 5, _("Seed 004 三(三)3: 5 working days."))
    joint_notice_days = _days(
        _("primary reviewer's notice of a joint review"),
        1,
        _("Seed 004 三(三)3: 1 working day."),
    )
    joint_review_days = _days(_("joint review"), 5, PRODUCT_DEFAULT)
    approve_days = _days(_("approval opinion"), 2, _("Seed 004 三(三)4: 2 working days."))
    confirm_days = _days(_("department's confirmation"), 1, _("Seed 004 三(三)4: 1 working day."))
    objection_days = _days(
        _("department's objection to the office"),
        2,
        _(
            "Seed 004 三(三)5: 2 working days from the approval opinion; no shorter than the "
            "confirmation."
        ),
    )
    objection_forward_days = _days(_("forwarding an objection to re-review"), 2, PRODUCT_DEFAULT)
    rereview_days = _days(_("re-review after an objection"), 5, PRODUCT_DEFAULT)
    digital_forward_days = _days(
        _("sending to the digital office"), 2, _("Seed 004 三(三)5: 2 working days.")
    )
    publish_days = _days(
        _("publication by the digital office"), 1, _("Seed 004 三(三)5: 1 working day.")
    )
    site_update_days = _days(
        _("update of own website and premises"), 3, _("Seed 004 三(三)5: 3 working days.")
    )
    site_update_start = models.CharField(
        _("update of own website and premises starts"),
        max_length=16,
        choices=SiteUpdateStart.choices,
        default=SiteUpdateStart.DIGITAL_FORWARD,
        help_text=_(
            "Seed 004 三(三)5 (“同时”): when the department has confirmed, at the same moment "
            "as the office's period to send the change to the digital office."
        ),
    )
    parent_forward_days = _days(_("forwarding to the office above"), 2, PRODUCT_DEFAULT)
    parent_review_days = _days(_("review by the office above"), 5, PRODUCT_DEFAULT)
    meeting_days = _days(_("decision of the executive meeting"), 20, PRODUCT_DEFAULT)
    filing_days = _days(_("filing with the office above"), 5, PRODUCT_DEFAULT)
    new_law_path = _path(_("path of a new law, regulation or rule"))
    law_changed_path = _path(_("path of a law amended or repealed"))
    institutional_path = _path(_("path of a change of functions or institutions"))
    simplification_path = _path(_("path of a change under the simplification reform"))
    internal_path = _path(_("path of an internal change of functions or process"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction__path"]
        verbose_name = _("adjustment policy")
        verbose_name_plural = _("adjustment policies")

    def __str__(self) -> str:
        return str(_("Adjustment policy of %(jurisdiction)s") % {"jurisdiction": self.jurisdiction})

    def clean(self) -> None:
        if self.apply_extension_max_days < self.apply_days and (
            self.apply_unit == DeadlineUnit.WORKING_DAYS
        ):
            raise ValidationError(
                {
                    "apply_extension_max_days": _(
                        "The extended period cannot be shorter than the application period."
                    )
                }
            )
        if self.objection_days < self.confirm_days:
            raise ValidationError(
                {
                    "objection_days": _(
                        "The objection period cannot be shorter than the confirmation period."
                    )
                }
            )
        needs_parent = {AdjustmentPath.FILING, AdjustmentPath.PARENT_REVIEW}
        paths = {self.path_for(trigger) for trigger in TriggerKind.values}
        if paths & needs_parent and self.jurisdiction_id and not self.jurisdiction.parent_id:
            raise ValidationError(
                _("A jurisdiction with no office above it can only follow the five steps.")
            )

    def path_for(self, trigger: str) -> str:
        return getattr(self, path_field(trigger))

    def snapshot(self) -> dict:
        """The numbers a request keeps for its whole life: a policy changed later does not
        move the deadlines of requests already under way."""
        return {
            field.name: getattr(self, field.name)
            for field in self._meta.concrete_fields
            if field.name.endswith(("_days", "_unit", "_path", "_start"))
        }


# The periods a request's steps take from its policy snapshot.
STEP_PERIOD: dict[str, str] = {
    StepKind.APPLY: "apply_days",
    StepKind.FORWARD: "forward_days",
    StepKind.REVIEW: "review_days",
    StepKind.JOINT_NOTICE: "joint_notice_days",
    StepKind.JOINT_REVIEW: "joint_review_days",
    StepKind.APPROVE: "approve_days",
    # The department's answer is on time until the objection period ends (a confirmation
    # after `confirm_days` is late: Step.confirm_due_at).
    StepKind.CONFIRM: "objection_days",
    StepKind.OBJECTION: "objection_forward_days",
    StepKind.REREVIEW: "rereview_days",
    StepKind.PARENT_FORWARD: "parent_forward_days",
    StepKind.PARENT_REVIEW: "parent_review_days",
    StepKind.MEETING: "meeting_days",
    StepKind.DIGITAL_FORWARD: "digital_forward_days",
    StepKind.PUBLISH: "publish_days",
    StepKind.SITE_UPDATE: "site_update_days",
    StepKind.FILING: "filing_days",
}


class RequestSequence(models.Model):
    """The last request number given out in a jurisdiction and year (row-locked to count)."""

    jurisdiction = models.ForeignKey(
        "core.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="request_sequence_once")
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.year}: {self.last}"


class AdjustmentRequest(models.Model):
    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="adjustment_requests",
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("applying department"),
        on_delete=models.PROTECT,
        related_name="adjustment_requests",
    )
    origin = models.CharField(
        _("origin"), max_length=16, choices=RequestOrigin.choices, default=RequestOrigin.DEPARTMENT
    )
    trigger = models.CharField(_("trigger"), max_length=20, choices=TriggerKind.choices)
    event_date = models.DateField(_("date of the triggering event"))
    law = models.ForeignKey(
        "registry.Law",
        verbose_name=_("law"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustment_requests",
    )
    summary = models.CharField(_("subject"), max_length=200)
    reason = models.TextField(_("reasons and proposed adjustment"), blank=True)
    # The entries a change of law concerns (issue 4 §6): what the department must look at.
    affected_entries = models.ManyToManyField(
        "registry.Entry",
        verbose_name=_("entries concerned"),
        blank=True,
        related_name="adjustment_obligations",
    )
    path = models.CharField(_("path"), max_length=16, choices=AdjustmentPath.choices)
    policy = models.JSONField(_("deadlines applied"), default=dict)
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.DRAFTING
    )
    # The state a request returned for supplement goes back to when it is resubmitted.
    resume_state = models.CharField(max_length=20, choices=RequestState.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("adjustment request")
        verbose_name_plural = _("adjustment requests")
        indexes = [
            models.Index(fields=["jurisdiction", "state"], name="adjustment_jurisdiction_state"),
            models.Index(fields=["department", "state"], name="adjustment_department_state"),
            models.Index(
                fields=["-published_at"],
                condition=Q(published_at__isnull=False),
                name="adjustment_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES

    def policy_value(self, name: str):
        """A number (or unit, or path) of the policy the request started with; a snapshot
        taken before the field existed gives the field's default."""
        value = self.policy.get(name)
        if value in (None, ""):
            return AdjustmentPolicy._meta.get_field(name).default
        return value


class RequestItem(models.Model):
    """One entry the request changes: the proposed version is a registry Draft (never public);
    after publication `version` is the entry's version it produced."""

    request = models.ForeignKey(
        AdjustmentRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="items"
    )
    draft = models.ForeignKey(
        "registry.Draft", verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="+"
    )
    change = models.CharField(_("change"), max_length=10, choices=ChangeKind.choices)
    # The published entry changed (None for a new one until it is published).
    entry = models.ForeignKey(
        "registry.Entry",
        verbose_name=_("entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("published version"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Seed 004 三(二)3 (三定, 机构撤并): the department the entry moves to (a move), or whose
    # entry it is merged into (a merge across departments). That department sees the request.
    to_department = models.ForeignKey(
        "core.Department",
        verbose_name=_("receiving department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A published move: the new entry at the receiving department (`entry` is the closed one).
    moved_entry = models.ForeignKey(
        "registry.Entry",
        verbose_name=_("entry at the receiving department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # True while the request is under way (not completed, rejected or withdrawn): a draft is
    # proposed by at most one live request (issue 9 §10), which the constraint below holds
    # even when two requests are filed at the same moment.
    live = models.BooleanField(_("in a request under way"), default=True)

    class Meta:
        ordering = ["request", "order", "pk"]
        verbose_name = _("changed entry")
        verbose_name_plural = _("changed entries")
        constraints = [
            models.UniqueConstraint(fields=["request", "draft"], name="request_item_once"),
            models.UniqueConstraint(
                fields=["draft"], condition=Q(live=True), name="request_item_one_live_per_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_change_display()} {self.draft}"


# What reverse() leaves unquoted in a path (django.urls.resolvers).
URL_SAFE = RFC3986_SUBDELIMS + "/~:@"


@lru_cache(maxsize=64)
def _kind_label(kind: str, language: str | None) -> str:
    """A step kind's label in a language, translated once: a calendar change names a hundred
    thousand steps, and get_kind_display() hashes every lazy label of the choices each time."""
    return str(StepKind(kind).label)


class Step(TimedStep):
    """One step of one request, assigned to the department that must act (its users of the
    role in choices.STEP_ROLE). Open while finished_at is null."""

    request = models.ForeignKey(
        AdjustmentRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("department acting"),
        on_delete=models.PROTECT,
        related_name="adjustment_steps",
    )
    # Review rounds: 1 for the first review, 2 for the re-review after an objection, ...
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    primary = models.BooleanField(_("primary lead reviewer"), default=False)
    outcome = models.CharField(_("outcome"), max_length=24, choices=StepOutcome.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Facts of the step: a joint review's participants and meeting, an executive meeting's
    # session, a request for extension.
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    # holders() reads the department and the role of the kind; step_open_by_department below
    # gives a calendar change its order.
    holder_order = ("department", "kind")

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        indexes = [
            *sweep_indexes("step"),
            models.Index(
                fields=["department", "kind"],
                condition=Q(finished_at=None),
                name="step_open_by_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._request_number()} {_kind_label(self.kind, get_language())}"

    def _request_number(self) -> str:
        # with_holder_relations reads the number alone: no request is built for it.
        return getattr(self, "holder_request_number", None) or self.request.number

    def clock_stops(self) -> list[tuple[datetime.datetime, datetime.datetime | None]]:
        # Prefetched as `clock_stop_list` by the readers that show many steps.
        stops = getattr(self, "clock_stop_list", None)
        if stops is None:
            stops = list(self.stops.all()) if self.pk else []
        return [(stop.stopped_at, stop.restarted_at) for stop in stops]

    @cached_property
    def confirm_due_at(self) -> datetime.datetime | None:
        """Seed 004 三(三)4–5: the department confirms the approval opinion within 1 working
        day; an objection is on time until the step's due moment (2 working days). Computed
        from the calendar as it stands, so a calendar revision moves it with the step."""
        return self.confirm_due(window=None)

    def confirm_due(self, *, window: calendar.CalendarWindow | None) -> datetime.datetime | None:
        """confirm_due_at, counted on a calendar window shared by many steps (the sweep)."""
        if self.kind != StepKind.CONFIRM:
            return None
        days = int(self.request.policy_value("confirm_days"))
        return calendar.add(self.started_at, days, window=window).due

    @property
    def is_overdue(self) -> bool:
        """A confirmation after the confirmation period is late, though an objection at that
        moment would have been on time."""
        if self.kind == StepKind.CONFIRM and self.outcome == StepOutcome.CONFIRMED:
            return self.finished_at > self.confirm_due_at
        return super().is_overdue

    @property
    def clock_stopped(self) -> bool:
        return any(restarted is None for _stopped, restarted in self.clock_stops())

    def holders(self) -> list[User]:
        """The users of the step's department with the role of its kind (the "act" rule of
        adjustments/permissions.py)."""
        return self.holders_bulk([self])[self.pk]

    @classmethod
    def holders_bulk(cls, steps: Sequence["Step"]) -> dict[int, list[User]]:
        """holders() of many steps in one query (a calendar change, the deadline sweep)."""
        wanted = {(step.department_id, STEP_ROLE[step.kind]) for step in steps}
        people: dict[tuple[int, str], list[User]] = {pair: [] for pair in wanted}
        users = User.objects.filter(
            department__in={department for department, _role in wanted},
            role__in={role for _department, role in wanted},
            is_active=True,
        ).order_by("pk")
        for user in users:
            # The query's departments × roles may find a pair no step asked for: left out.
            people.get((user.department_id, user.role), []).append(user)
        return {step.pk: people[(step.department_id, STEP_ROLE[step.kind])] for step in steps}

    def holder_url(self) -> str:
        return reverse("adjustments:detail", args=[self._request_number()])

    @classmethod
    def holders_list_url(cls) -> str:
        return reverse("adjustments:list")

    @classmethod
    def holder_urls_bulk(cls, steps: Sequence["Step"]) -> dict[int, str]:
        """The request pages of many steps from one reverse(): the path of a placeholder
        number, with each request's number put in its place, quoted as reverse() quotes it."""
        placeholder = "0number0"
        path = reverse("adjustments:detail", args=[placeholder])
        return {
            step.pk: path.replace(placeholder, quote(step._request_number(), safe=URL_SAFE))
            for step in steps
        }

    @classmethod
    def with_deadline_relations(cls, queryset: models.QuerySet) -> models.QuerySet:
        """clock_stops() reads the stops."""
        return queryset.prefetch_related(models.Prefetch("stops", to_attr="clock_stop_list"))

    @classmethod
    def with_holder_relations(cls, queryset: models.QuerySet) -> models.QuerySet:
        """str() and holder_url() read the request's number: only the number, by a subquery
        (a join makes the planner hash the whole request table; a calendar change reads a
        hundred thousand steps)."""
        number = AdjustmentRequest.objects.filter(pk=models.OuterRef("request_id"))
        return queryset.annotate(holder_request_number=models.Subquery(number.values("number")))

    @classmethod
    def clock_stops_exist(cls) -> models.Expression:
        return models.Exists(ClockStop.objects.filter(step=models.OuterRef("pk")))


class ClockStop(models.Model):
    """退回补正: while a request is with its department for supplement, the clock of the step it
    was returned from stands still (issue 4 §2); every stop and restart is kept."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="stops")
    stopped_at = models.DateTimeField(_("clock stopped"))
    restarted_at = models.DateTimeField(_("clock restarted"), null=True, blank=True)
    reason = models.TextField(_("reasons"))

    class Meta:
        ordering = ["stopped_at", "pk"]
        verbose_name = _("clock stop")
        verbose_name_plural = _("clock stops")
        constraints = [
            models.UniqueConstraint(
                fields=["step"], condition=Q(restarted_at=None), name="clock_stop_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.step_id} {self.stopped_at:%Y-%m-%d}"


class RequestEvent(AppendOnlyModel):
    """Append-only: every transition of every request, with who, when, from which state to
    which and the opinion given (seed 004 preamble: 痕迹化管理)."""

    request = models.ForeignKey(AdjustmentRequest, on_delete=models.PROTECT, related_name="events")
    step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transition = models.CharField(_("action"), max_length=24, choices=Transition.choices)
    from_state = models.CharField(
        _("from"), max_length=20, choices=RequestState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=20, choices=RequestState.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_transition_display()}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is random: what the user called the file is kept in `name` only, so no
    # name can reach outside the folder or collide with another.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"adjustments/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Attachment(models.Model):
    """A document of a request (the trigger's documents) or of one transition (an opinion's
    annex). Never public: served only through a view that asks core.permissions."""

    request = models.ForeignKey(
        AdjustmentRequest, on_delete=models.PROTECT, related_name="attachments"
    )
    event = models.ForeignKey(
        RequestEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class DeadlineNotice(DeadlineNoticeBase):
    """The sweep's guard (core.DeadlineNoticeBase)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="notices")

    class Meta(DeadlineNoticeBase.Meta):
        constraints = [
            models.UniqueConstraint(fields=["step", "kind", "due_at"], name="deadline_notice_once")
        ]
