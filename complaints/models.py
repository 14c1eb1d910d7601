"""Complaints (投诉处理, SPEC §5, seed 004 五, seed 002 第十三条).

- `ComplaintPolicy`: a jurisdiction's periods (信访工作条例 2022 by default, calendar days) and
  who accepts.
- `Complaint`: what the complainant said, about which department and list items, their
  personal data (staff only), its state, the answer and the finding; a tracking code and the
  hash of its secret.
- `ComplaintItem`: a list item complained about, with the version published when it was filed.
- `Representative`: up to five for a group (seed 004 五(二)4).
- `ComplaintStep`: one row per step (a core TimedStep), held by a department in a role.
- `ComplaintEvent`: who did what when, with the staff opinion and what the complainant is told.
- `Evidence`: files of the complaint, never public, stored under MEDIA_ROOT (not served).
- `StandAside`: 回避 (信访工作条例 art. 28): a person with a direct interest in a complaint.
- `RepeatKey`: the text's MinHash signature, indexed, to find repeats of one matter in SQL.
- `DeadlineNotice`: the sweep's guard row, unique per (step, kind, due moment).
"""

import uuid
from collections.abc import Sequence
from urllib.parse import quote

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import (
    AppendOnlyModel,
    DeadlineNoticeBase,
    Department,
    HeldStep,
    Jurisdiction,
    User,
    sweep_indexes,
)
from core.querysets import RestrictedQuerySet

from .choices import (
    STEP_ROLE,
    AcceptanceBy,
    Channel,
    ComplainantKind,
    ComplaintState,
    Ground,
    IdType,
    Outcome,
    Rating,
    RefusalGround,
    StepKind,
    StepOutcome,
    Transition,
)


def _days(label, default: int, source, maximum: int = 180):
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        help_text=source,
        validators=[MinValueValidator(1), MaxValueValidator(maximum)],
    )


PRODUCT_DEFAULT = _("This product's default; no seed or regulation sets it.")


class ComplaintPolicy(models.Model):
    """A jurisdiction's complaint periods, in calendar days (日): the day of the event is not
    counted and a period ending on a day off ends on the next working day (SPEC §9, Civil Code
    art. 201, 203). The seeds give none; the petition regulation (信访工作条例 2022) is the
    national reference and gives the defaults."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.CASCADE,
        related_name="complaint_policy",
    )
    acceptance_by = models.CharField(
        _("who accepts complaints"),
        max_length=12,
        choices=AcceptanceBy.choices,
        default=AcceptanceBy.OFFICE,
    )
    accept_days = _days(_("acceptance, days after receipt"), 15, _("信访工作条例 art. 23: 15 日"))
    handle_days = _days(_("answer, days after acceptance"), 60, _("信访工作条例 art. 34: 60 日"))
    extension_days = _days(
        _("longest extension of the answer"), 30, _("信访工作条例 art. 34: at most 30 日, once")
    )
    check_days = _days(_("the office's review of an answer"), 10, PRODUCT_DEFAULT)
    reassign_days = _days(_("passing to the responsible body"), 5, PRODUCT_DEFAULT)
    review_request_days = _days(
        _("asking for a review, days after the answer"),
        30,
        _("信访工作条例 art. 35–36: 30 日"),
    )
    review_days = _days(_("answering a review"), 30, _("信访工作条例 art. 35–36: 30 日"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("complaint policy")
        verbose_name_plural = _("complaint policies")

    def __str__(self) -> str:
        return str(self.jurisdiction)


class Complaint(models.Model):
    """One complaint, from receipt to its final answer. What identifies the complainant (name,
    contact, identity document, representatives) is shown to staff who may see the complaint
    and never on a public page; the tracking page shows states, dates and the answers."""

    code = models.CharField(_("tracking code"), max_length=20, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department complained about"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    responsible = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_handled",
    )
    ground = models.CharField(_("ground"), max_length=8, choices=Ground.choices)
    facts = models.TextField(_("facts"))
    reasons = models.TextField(_("reasons"), blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    received_at = models.DateTimeField(_("received"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The complainant (personal data: staff only).
    complainant_kind = models.CharField(
        _("complainant"), max_length=16, choices=ComplainantKind.choices
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    id_type = models.CharField(
        _("identity document"), max_length=20, choices=IdType.choices, blank=True
    )
    id_number = models.CharField(_("document number"), max_length=40, blank=True)
    # The contact as compared for repeats: the phone's digits, else the e-mail in lower case.
    contact_key = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    truthful = models.BooleanField(_("the complainant confirmed the statement is true"))

    state = models.CharField(
        _("state"), max_length=12, choices=ComplaintState.choices, default=ComplaintState.RECEIVED
    )
    refusal_ground = models.CharField(
        _("ground for not accepting"), max_length=10, choices=RefusalGround.choices, blank=True
    )
    refusal_reason = models.TextField(_("reason for not accepting"), blank=True)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    finding_department = models.ForeignKey(
        Department,
        verbose_name=_("department at fault"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaint_findings",
    )
    finding = models.TextField(_("finding: which failure"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    # 0: no review asked; 1: 复查; 2: 复核 (信访工作条例 art. 35–36).
    review_round = models.PositiveSmallIntegerField(_("reviews"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["jurisdiction", "state"], name="complaint_by_place_state"),
            models.Index(fields=["department", "received_at"], name="complaint_by_department"),
            models.Index(fields=["received_at"], name="complaint_by_received"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def id_number_masked(self) -> str:
        """The document number as staff see it: the first and last characters only."""
        number = self.id_number
        if len(number) <= 4:
            return "*" * len(number)
        keep = 3 if len(number) > 10 else 1
        return number[:keep] + "*" * (len(number) - keep - 2) + number[-2:]


class ComplaintItem(models.Model):
    """A list item named by the complaint, with the published version it saw (the item's
    version number and the moment of filing); `found` marks those of a substantiated finding."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey(
        "registry.Entry", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"))
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    found = models.BooleanField(_("in the finding"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("item complained about")
        verbose_name_plural = _("items complained about")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "entry"], name="complaint_item_once")
        ]

    def __str__(self) -> str:
        return self.name


class Representative(models.Model):
    """A group complaining in person sends at most five representatives (seed 004 五(二)4)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="representatives"
    )
    name = models.CharField(_("name"), max_length=100)
    id_type = models.CharField(_("identity document"), max_length=20, choices=IdType.choices)
    id_number = models.CharField(_("document number"), max_length=40)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")

    def __str__(self) -> str:
        return self.name

    id_number_masked = Complaint.id_number_masked


class ComplaintStep(HeldStep):
    """A step of a complaint, held by the users of `department` in the kind's role
    (choices.STEP_ROLE; an acceptance by the department itself is its clerks'). `period_from`:
    the moment the period counts from when it is not the step's start (a handling step passed
    on to the responsible body keeps the period that ran from acceptance)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    outcome = models.CharField(_("outcome"), max_length=16, choices=StepOutcome.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        indexes = [
            *sweep_indexes("complaint_step"),
            models.Index(
                fields=["department", "role"],
                condition=Q(finished_at=None),
                name="complaint_step_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._code()} {StepKind(self.kind).label}"

    def _code(self) -> str:
        return getattr(self, "holder_complaint_code", None) or self.complaint.code

    @classmethod
    def holders_bulk(cls, steps: Sequence["ComplaintStep"]) -> dict[int, list[User]]:
        """The holders (core.HeldStep) less those who stood aside from its complaint (回避)."""
        people = super().holders_bulk(steps)
        aside = set(
            StandAside.objects.filter(
                complaint_id__in={step.complaint_id for step in steps}
            ).values_list("complaint_id", "user_id")
        )
        return {
            step.pk: [user for user in people[step.pk] if (step.complaint_id, user.pk) not in aside]
            for step in steps
        }

    def holder_url(self) -> str:
        return reverse("complaints:detail", args=[self._code()])

    @classmethod
    def holders_list_url(cls) -> str:
        return reverse("complaints:queue")

    @classmethod
    def holder_urls_bulk(cls, steps: Sequence["ComplaintStep"]) -> dict[int, str]:
        placeholder = "0code0"
        path = reverse("complaints:detail", args=[placeholder])
        return {step.pk: path.replace(placeholder, quote(step._code())) for step in steps}

    @classmethod
    def with_holder_relations(cls, queryset: models.QuerySet) -> models.QuerySet:
        code = Complaint.objects.filter(pk=models.OuterRef("complaint_id"))
        return queryset.annotate(holder_complaint_code=models.Subquery(code.values("code")))


def step_role(kind: str, acceptance_by: str) -> str:
    if kind == StepKind.ACCEPT and acceptance_by == AcceptanceBy.DEPARTMENT:
        return "clerk"
    return str(STEP_ROLE[kind])


class ComplaintEvent(AppendOnlyModel):
    """Append-only: every action on a complaint. `opinion` is the staff's (shown to staff);
    `public_note` is what the complainant is told (a refusal's reason, an extension's reason,
    the answer); the tracking page never shows `actor`."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    step = models.ForeignKey(
        ComplaintStep, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
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
    transition = models.CharField(_("action"), max_length=16, choices=Transition.choices)
    from_state = models.CharField(
        _("from"), max_length=12, choices=ComplaintState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=12, choices=ComplaintState.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    public_note = models.TextField(_("told to the complainant"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.get_transition_display()}"


def _evidence_path(instance: "Evidence", filename: str) -> str:
    # A random stored name: what the complainant called the file is kept in `name` only.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"complaints/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    """证明材料 (seed 004 五(二)5): checked by content, never public, served only through a view
    that asks core.permissions."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name


class StandAside(models.Model):
    """回避 (信访工作条例 art. 28): the person does not see the complaint in their queue and may
    not act on it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="stand_asides")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("interest"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["declared_at", "pk"]
        verbose_name = _("stand-aside")
        verbose_name_plural = _("stand-asides")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "user"], name="stand_aside_once")
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.user_id}"


class RepeatKey(models.Model):
    """One slot of a complaint's MinHash signature (services.repeats): two complaints about
    one department whose texts share most character pairs share most slots, found by an
    indexed GROUP BY, never by comparing texts in Python."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveSmallIntegerField()
    value = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["department", "slot", "value"], name="complaint_repeat_key"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.slot}"


class DeadlineNotice(DeadlineNoticeBase):
    """The sweep's guard (core.DeadlineNoticeBase)."""

    step = models.ForeignKey(ComplaintStep, on_delete=models.CASCADE, related_name="notices")

    class Meta(DeadlineNoticeBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["step", "kind", "due_at"], name="complaint_deadline_notice_once"
            )
        ]
