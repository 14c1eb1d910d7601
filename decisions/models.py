"""Decisions and enforcement disclosure (执法公示; SPEC §11, seed 002 监督检查办法
第十一条–第十三条, 第十五条–第十六条, 管理办法 第十二条, seed 001 第十二条, seed 004 一(二)3,
6–8, seed 003 三(二)2).

- `DecisionPolicy`: a jurisdiction's periods and the major-penalty threshold.
- `EnforcementBody`: a department's enforcement body (执法主体), its own or an entrusted
  organisation with the entrustment papers; confirmed and published before it may act.
  Officers and their certificates are the organisation's (core.Person, core.EnforcementCertificate).
- `Decision`: an administrative decision (行政决定) made under a listed item, with the item's
  version in force on the decision date, its body, officers (`DecisionOfficer`), party, dates,
  penalty or licence facts, major-penalty review, flags, and the public (redacted) text
  (`Redaction` records why); a penalty case handled here from filing to execution keeps its
  records (`CaseRecord`) and the flow steps' dates (`FlowStepTime`).
- `Step`: timed steps (publish within 10 日 of service; upload a case record within 24 hours)
  under the core's calendar and sweep; `DeadlineNotice` is the sweep's guard; `Event` is
  append-only.
- `ApiToken`: a department's case system's key to push decisions; `ImportJob`: an Excel upload.
- `CaseReview`: a case-file review (卷宗评查), its auditable draw and scores (`ReviewedFile`).
"""

import datetime
import hashlib
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.checkers import CreditCodeValidator
from core.models import (
    AppendOnlyModel,
    DeadlineNoticeBase,
    Department,
    EnforcementCertificate,
    HeldStep,
    Jurisdiction,
    Person,
    sweep_indexes,
)
from core.querysets import RestrictedQuerySet
from core.search import SearchVectorField
from registry.models import Category, Entry

from .choices import (
    BodyKind,
    BodyState,
    DecisionState,
    ImportState,
    PartyKind,
    RedactionReason,
    ReviewState,
    Source,
    StepKind,
    Transition,
)

PRODUCT_DEFAULT = _("This product's default; no seed sets it.")


class DecisionPolicy(models.Model):
    """A jurisdiction's settings for decisions; the nearest one above applies where it has none
    (core.services.jurisdiction_policy)."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.CASCADE,
        related_name="decision_policy",
    )
    publish_days = models.PositiveSmallIntegerField(
        _("publication after service, days"),
        default=10,
        help_text=_("Seed 002 监督检查办法 第十三条: 决定书送达后10日内 (calendar days)."),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    upload_hours = models.PositiveSmallIntegerField(
        _("upload of a case record, hours"),
        default=24,
        help_text=_("Seed 003 三(二)2: 形成纸质笔录后24小时内拍照上传."),
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    major_penalty_amount = models.DecimalField(
        _("major penalty: fines from (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=50000,
        help_text=PRODUCT_DEFAULT,
        validators=[MinValueValidator(0)],
    )
    certificate_warning_days = models.PositiveSmallIntegerField(
        _("remind of a certificate's expiry, days before"),
        default=30,
        help_text=PRODUCT_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("decision policy")
        verbose_name_plural = _("decision policies")

    def __str__(self) -> str:
        return str(self.jurisdiction)


def _entrustment_path(instance: "EnforcementBody", filename: str) -> str:
    return f"decisions/entrustments/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class EnforcementBody(models.Model):
    """执法主体 (seed 004 一(二)6; seed 002 监督检查办法 第十一条). An entrusted organisation
    carries the entrusting department (`department`), the basis and the entrustment papers with
    their validity."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="enforcement_bodies",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=BodyKind.choices)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[CreditCodeValidator()],
    )
    basis = models.TextField(_("legal basis of its power"))
    entrustment_number = models.CharField(
        _("entrustment document number"), max_length=100, blank=True
    )
    entrustment_file = models.FileField(
        _("entrustment papers"), upload_to=_entrustment_path, max_length=200, blank=True
    )
    entrusted_from = models.DateField(_("entrusted from"), null=True, blank=True)
    entrusted_until = models.DateField(_("entrusted until"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=BodyState.choices, default=BodyState.PROPOSED
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["department", "name"]
        verbose_name = _("enforcement body")
        verbose_name_plural = _("enforcement bodies")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="body_unique_name"),
            models.CheckConstraint(
                condition=Q(kind=BodyKind.OWN)
                | (Q(entrusted_from__isnull=False) & Q(entrusted_until__isnull=False)),
                name="body_entrustment_validity",
                violation_error_message=_(
                    "An entrusted organisation needs its entrustment's validity."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("decisions:body", args=[self.pk])

    def may_act_on(self, day: datetime.date) -> bool:
        """Confirmed, published and not withdrawn by `day`, and within its entrustment. A body
        withdrawn since could act on the days it stood confirmed (a decision of those days,
        recorded later, is not flagged)."""
        if self.state == BodyState.PROPOSED or self.confirmed_at is None:
            return False
        if timezone.localdate(self.confirmed_at) > day:
            return False
        if self.state == BodyState.WITHDRAWN and (
            self.withdrawn_at is None or timezone.localdate(self.withdrawn_at) <= day
        ):
            return False
        if self.kind == BodyKind.ENTRUSTED:
            return self.entrusted_from <= day <= self.entrusted_until
        return True


class Decision(models.Model):
    """行政决定: a decision made under a listed item (seed 002 管理办法 第十二条). The staff see
    every column; the public only the `public_*` columns and the facts the 双公示 exchange
    publishes, filled when the decision is published (redacted where `Redaction` rows say)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="decisions"
    )
    # The department's jurisdiction, kept on the row for the scope rules and statistics.
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        EnforcementBody,
        verbose_name=_("enforcement body"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    item = models.ForeignKey(
        Entry, verbose_name=_("item"), on_delete=models.PROTECT, related_name="decisions"
    )
    # The item's published version in force on the decision date (its history row), so the
    # decision keeps citing what it was made under when the item changes later.
    item_version = models.PositiveIntegerField(_("item version"), null=True, blank=True)
    item_history_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    category = models.ForeignKey(
        Category, verbose_name=_("kind of decision"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("decision number"), max_length=100, blank=True)
    title = models.CharField(_("case or matter"), max_length=200)
    party_kind = models.CharField(_("kind of party"), max_length=20, choices=PartyKind.choices)
    party_name = models.CharField(_("party"), max_length=200)
    party_credit_code = models.CharField(
        _("party's unified social credit code"),
        max_length=18,
        blank=True,
        validators=[CreditCodeValidator()],
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    # Never published: a natural person's identity number is personal privacy.
    party_id_number = models.CharField(_("party's identity number"), max_length=18, blank=True)
    party_contact = models.CharField(_("party's address and phone"), max_length=200, blank=True)
    content = models.TextField(_("facts and content"))
    basis = models.TextField(_("legal basis"))
    penalty_kinds = models.JSONField(_("kinds of penalty"), default=list, blank=True)
    fine_amount = models.DecimalField(
        _("fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    confiscated_amount = models.DecimalField(
        _("confiscated (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    licence_name = models.CharField(_("licence certificate"), max_length=100, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    served_on = models.DateField(_("served on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=14, choices=DecisionState.choices, default=DecisionState.DECIDED
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    external_id = models.CharField(_("case system reference"), max_length=100, blank=True)

    # Seed 002 监督检查办法 第十六条: 重大行政处罚法制审核及集体讨论.
    major = models.BooleanField(_("major penalty"), default=False)
    legal_review_on = models.DateField(_("legal review on"), null=True, blank=True)
    legal_reviewer = models.CharField(_("legal review by"), max_length=100, blank=True)
    legal_review_opinion = models.TextField(_("legal review opinion"), blank=True)
    collective_on = models.DateField(_("collective discussion on"), null=True, blank=True)
    collective_note = models.TextField(_("collective discussion record"), blank=True)

    # Flags (choices.Flag), set by the service from the facts: each an accountability ground.
    item_not_in_force = models.BooleanField(default=False, editable=False)
    body_mismatch = models.BooleanField(default=False, editable=False)
    body_unpublished = models.BooleanField(default=False, editable=False)
    officer_uncertified = models.BooleanField(default=False, editable=False)

    # What the public sees, filled at publication (redacted where Redaction rows say).
    public_title = models.CharField(max_length=200, blank=True, editable=False)
    public_party_name = models.CharField(max_length=200, blank=True, editable=False)
    public_content = models.TextField(blank=True, editable=False)
    public_basis = models.TextField(blank=True, editable=False)
    redacted = models.BooleanField(_("redacted"), default=False, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_late = models.BooleanField(default=False, editable=False)
    # Public search (core.search): bigrams of the public title, party, body and item.
    search_vector = SearchVectorField(editable=False, default="")

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(fields=["jurisdiction", "decided_on"]),
            models.Index(fields=["department", "decided_on"]),
            models.Index(fields=["item", "decided_on"]),
            models.Index(fields=["updated_at", "id"], name="decision_changed"),
            models.Index(
                fields=["-decided_on", "-id"],
                condition=Q(published_at__isnull=False),
                name="decision_public_order",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "number"],
                condition=~Q(number=""),
                name="decision_unique_number",
            ),
            models.UniqueConstraint(
                fields=["department", "external_id"],
                condition=~Q(external_id=""),
                name="decision_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    def get_absolute_url(self) -> str:
        return reverse("decisions:staff-detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def flags(self) -> list[str]:
        from .choices import Flag

        found = [
            flag
            for flag, set_ in (
                (Flag.ITEM_NOT_IN_FORCE, self.item_not_in_force),
                (Flag.BODY_MISMATCH, self.body_mismatch),
                (Flag.BODY_UNPUBLISHED, self.body_unpublished),
                (Flag.OFFICER_UNCERTIFIED, self.officer_uncertified),
                (Flag.PUBLISHED_LATE, self.published_late),
            )
            if set_
        ]
        return found


class DecisionOfficer(models.Model):
    """An officer who handled a decision, with the certificate that was valid on the decision
    date (None: none was: the decision is flagged, seed 002 第十一条 持证上岗)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="officers")
    person = models.ForeignKey(
        Person, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(
        EnforcementCertificate,
        verbose_name=_("certificate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["decision", "pk"]
        verbose_name = _("officer of a decision")
        verbose_name_plural = _("officers of decisions")
        constraints = [
            models.UniqueConstraint(fields=["decision", "person"], name="decision_officer_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.certificate_number}"


class Redaction(AppendOnlyModel):
    """Why part of a decision is not published (seed 002 监督检查办法 第十三条): which field, the
    reason and who decided; the public text replaces the field."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="redactions")
    field = models.CharField(_("field"), max_length=20)
    reason = models.CharField(_("reason"), max_length=14, choices=RedactionReason.choices)
    explanation = models.TextField(_("explanation"))
    # What the public reads instead of the field (e.g. the text with the secret part cut out).
    public_text = models.TextField(_("public text"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("redaction")
        verbose_name_plural = _("redactions")

    def __str__(self) -> str:
        return f"{self.decision} {self.field}"


class FlowStepTime(models.Model):
    """Seed 004 一(二)3 (各环节的办理时限和人员): the dates of one flow step of the item for one
    decision, against the step's time limit as the item stated it on the decision date."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="step_times")
    order = models.PositiveSmallIntegerField(_("order"))
    step = models.CharField(_("step"), max_length=200)
    post = models.CharField(_("post"), max_length=100, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("time limit, working days"), null=True)
    started_on = models.DateField(_("started on"))
    finished_on = models.DateField(_("finished on"))
    days_used = models.PositiveSmallIntegerField(_("working days used"))
    kept = models.BooleanField(_("kept its limit"), null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["decision", "order"]
        verbose_name = _("time of a flow step")
        verbose_name_plural = _("times of flow steps")
        constraints = [
            models.UniqueConstraint(fields=["decision", "order"], name="flow_step_time_once")
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.step}"


def _record_path(instance: "CaseRecord", filename: str) -> str:
    return f"decisions/records/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class CaseRecord(models.Model):
    """A record of a penalty case handled here (询问笔录, 现场检查笔录, …), made on paper at
    `made_at` and uploaded within 24 hours (seed 003 三(二)2). Never public."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="records")
    stage = models.CharField(_("stage"), max_length=14, choices=DecisionState.choices)
    title = models.CharField(_("record"), max_length=200)
    made_at = models.DateTimeField(_("made at"))
    file = models.FileField(_("file"), upload_to=_record_path, max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["made_at", "pk"]
        verbose_name = _("case record")
        verbose_name_plural = _("case records")

    def __str__(self) -> str:
        return self.title


class Step(HeldStep):
    """A timed step held by the clerks of the decision's department: publish the decision
    within 10 日 of service (calendar days with the roll-over of SPEC §9), upload a case
    record within 24 hours of making it."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="steps")
    record = models.ForeignKey(
        CaseRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("decision step")
        verbose_name_plural = _("decision steps")
        indexes = [
            *sweep_indexes("decision_step"),
            models.Index(
                fields=["department", "role"],
                condition=Q(finished_at=None),
                name="decision_step_open",
            ),
        ]

    def __str__(self) -> str:
        label = getattr(self, "holder_label_text", None)
        return f"{label if label is not None else self.decision} {StepKind(self.kind).label}"

    def holder_url(self) -> str:
        # A calendar change loads only the deadline's and holder_order's fields: the decision's
        # id comes annotated (with_holder_relations), not as a deferred field read per step.
        decision_id = getattr(self, "holder_decision", None) or self.decision_id
        return reverse("decisions:staff-detail", args=[decision_id])

    @classmethod
    def holders_list_url(cls) -> str:
        return reverse("decisions:staff-list")

    @classmethod
    def with_holder_relations(cls, queryset: models.QuerySet) -> models.QuerySet:
        """str() and holder_url() read the decision's label and id, annotated (core.services.
        calendar loads a step's own fields with only(), which select_related cannot join)."""
        return queryset.annotate(
            holder_label_text=Coalesce(NullIf("decision__number", Value("")), "decision__title"),
            holder_decision=F("decision_id"),
        )


class DeadlineNotice(DeadlineNoticeBase):
    """The sweep's guard (core.DeadlineNoticeBase)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="notices")

    class Meta(DeadlineNoticeBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["step", "kind", "due_at"], name="decision_deadline_notice_once"
            )
        ]


class Event(AppendOnlyModel):
    """Append-only: every action on a decision (全过程"痕迹"管理, seed 002 监督检查办法
    第十二条)."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transition = models.CharField(_("action"), max_length=20, choices=Transition.choices)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="events")
    step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    from_state = models.CharField(_("from"), max_length=14, blank=True)
    to_state = models.CharField(_("to"), max_length=14, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("decision event")
        verbose_name_plural = _("decision events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_transition_display()}"


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A department's case system's key to push decisions (issue 14 §5): scoped to the
    department, revocable; only its SHA-256 is stored (the secret is shown once)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key begins"), max_length=8)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["department", "-created_at"]
        verbose_name = _("case system key")
        verbose_name_plural = _("case system keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def _import_path(instance: "ImportJob", filename: str) -> str:
    return f"decisions/imports/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    """An Excel upload of decisions (issue 14 §5): checked in full first (a dry run with row
    errors), imported only when every row is right and the clerk confirms, all or nothing."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=_import_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    language = models.CharField(max_length=16, default=settings.LANGUAGE_CODE)
    state = models.CharField(
        _("state"), max_length=10, choices=ImportState.choices, default=ImportState.CHECKING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    imported = models.PositiveIntegerField(_("decisions imported"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("decision import")
        verbose_name_plural = _("decision imports")

    def __str__(self) -> str:
        return self.file_name


class CaseReview(models.Model):
    """A case-file review (卷宗评查, seed 002 监督检查办法 第十五条): a supervisor samples decisions
    of a jurisdiction and period with the inspections app's auditable draw (commitment first,
    then the seed), and scores each file against the checklist."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("decided from"))
    period_end = models.DateField(_("decided until"))
    sample_size = models.PositiveSmallIntegerField(
        _("files to draw"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    checklist = models.JSONField(_("checklist"), default=list)
    state = models.CharField(
        _("state"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    seed = models.CharField(max_length=64, blank=True, editable=False)
    commitment = models.CharField(_("commitment"), max_length=64, blank=True, editable=False)
    pool = models.TextField(_("pool"), blank=True, editable=False)
    result = models.JSONField(_("result"), default=list, blank=True, editable=False)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case-file review")
        verbose_name_plural = _("case-file reviews")

    def __str__(self) -> str:
        return self.title


class ReviewedFile(models.Model):
    """One drawn decision's file in a review: the score per checklist point and the findings
    (each finding goes to the problem ledger)."""

    review = models.ForeignKey(CaseReview, on_delete=models.PROTECT, related_name="files")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    total = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    problem_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scored by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["review", "pk"]
        verbose_name = _("reviewed file")
        verbose_name_plural = _("reviewed files")
        constraints = [
            models.UniqueConstraint(fields=["review", "decision"], name="reviewed_file_once")
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.decision}"
