"""Inspections and rectification (监督检查, 联合督查; SPEC §6, seeds 002, 004 二, 001 第十六条).

- `InspectionContent`: the published list of what is inspected (basis, body, content, method).
- `InspectionPolicy`: a jurisdiction's periods, ratios, document prefix and veto rule.
- `Plan`: a special inspection, random check, quarterly evaluation or self-inspection: its
  period, scope, checklist, joint inspection team (`TeamMember`) and declared conflicts
  (`Conflict`, 回避).
- `Draw`: one double-random draw (双随机) of a plan: the commitment (the hash of a secret seed)
  and the pools as they stood, published first; then the seed and the result. A re-draw is a
  new row with its reason; the earlier one stays public, marked superseded.
- `Inspection`: one unit inspected under a plan, its inspectors (`InspectionMember`) and the
  procedure's records (`InspectionRecord`, seed 004 二(三)).
- `Problem`: the one ledger (台账) of problems from every source, with the list items it
  concerns (`ProblemItem`).
- `RectificationNotice`: 整改通知书, numbered per issuing body and year without gaps
  (`DocumentCounter`), its PDF kept as issued; `RectificationReport` and `Milestone` are the
  unit's answer.
- `Step`: the timed steps (rectify, verify, publish) under the core's calendar and sweep;
  `DeadlineNotice` is the sweep's guard.
- `Event`: append-only, every action of the app; `AssessmentRecord`: the unit's assessment
  ledger (记入单位绩效考核台账, seed 002 管理办法 第十九条), with the one-vote veto
  (一票否决, seed 001 第十六条).
- `Report`: the periodic report (通报, seed 002 联合督查办法 第七条, 监督检查办法 第十八条).
- `Attachment`: files of records, reports and milestones, checked by content, never public.
"""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import (
    AppendOnlyModel,
    DeadlineNoticeBase,
    Department,
    HeldStep,
    Jurisdiction,
    sweep_indexes,
)
from core.querysets import RestrictedQuerySet

from .choices import (
    AssessmentKind,
    ContentSource,
    DrawState,
    Frequency,
    InspectionState,
    NoticeState,
    Occasion,
    PlanMode,
    PlanState,
    ProblemSource,
    ProblemState,
    RecordKind,
    Reporter,
    Severity,
    StepKind,
    Transition,
)

PRODUCT_DEFAULT = _("This product's default; no seed sets it.")


def _percent(label, default: int):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )


class InspectionContent(models.Model):
    """One thing an inspection checks (the “inspection items” of 国办发〔2015〕58号: basis, body,
    content, method), seeded from seed 002 and seed 004 and published at /inspections/items/."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    basis = models.CharField(_("basis"), max_length=200)
    body = models.CharField(_("inspecting body"), max_length=100)
    content = models.TextField(_("content"))
    method = models.CharField(_("method"), max_length=200)
    source = models.CharField(_("source"), max_length=16, choices=ContentSource.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("inspection content")
        verbose_name_plural = _("inspection contents")

    def __str__(self) -> str:
        return self.name


class InspectionPolicy(models.Model):
    """A jurisdiction's inspection settings; the nearest one above applies where it has none."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.CASCADE,
        related_name="inspection_policy",
    )
    rectify_days = models.PositiveSmallIntegerField(
        _("rectification period, working days"),
        default=15,
        help_text=PRODUCT_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
    )
    verify_days = models.PositiveSmallIntegerField(
        _("verification period, working days"),
        default=5,
        help_text=PRODUCT_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    publish_days = models.PositiveSmallIntegerField(
        _("publication of results, working days after the inspection"),
        default=20,
        help_text=_("National practice of 双随机、一公开 (国办发〔2015〕58号): 20 working days."),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    complaint_threshold = models.PositiveSmallIntegerField(
        _("complaints in the period that raise a department's ratio"),
        default=3,
        help_text=PRODUCT_DEFAULT,
    )
    problem_threshold = models.PositiveSmallIntegerField(
        _("open problems that raise a department's ratio"), default=2, help_text=PRODUCT_DEFAULT
    )
    veto = models.BooleanField(
        _("overdue or not-fixed rectification vetoes the unit's year"),
        default=False,
        help_text=_(
            "Seed 001 第十六条: 一票否决. Seed 002 第十九条 only records it in the assessment "
            "ledger."
        ),
    )
    document_prefix = models.CharField(
        _("document prefix"),
        max_length=20,
        default="督改",
        help_text=_("机关代字 of the issuing body's notices (GB/T 9704-2012 7.2.4)."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("inspection policy")
        verbose_name_plural = _("inspection policies")

    def __str__(self) -> str:
        return str(self.jurisdiction)


class Plan(models.Model):
    """An inspection plan (拟定方案, seed 004 二(三)1) by a supervisor of its jurisdiction."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("plan title"), max_length=200)
    mode = models.CharField(_("mode"), max_length=12, choices=PlanMode.choices)
    occasion = models.CharField(_("occasion"), max_length=12, choices=Occasion.choices, blank=True)
    basis = models.TextField(_("basis"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    frequency = models.CharField(
        _("frequency"), max_length=12, choices=Frequency.choices, blank=True
    )
    ratio = _percent(_("ratio drawn, %"), 30)
    raised_ratio = _percent(
        _("ratio drawn for departments with many complaints or problems, %"), 60
    )
    per_target = models.PositiveSmallIntegerField(
        _("inspectors per unit"),
        default=2,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
    )
    scope = models.ManyToManyField(
        Department, verbose_name=_("departments in scope"), related_name="+"
    )
    contents = models.ManyToManyField(
        InspectionContent, verbose_name=_("checklist"), related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=PlanState.choices, default=PlanState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inspections:plan", args=[self.pk])


class TeamMember(models.Model):
    """A member of the joint inspection team (联合督查组, seed 002 联合督查办法 第二条): people
    from several departments; the pool of inspectors a draw picks from."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["plan", "user"], name="team_member_once")]

    def __str__(self) -> str:
        return str(self.user)


class Conflict(models.Model):
    """回避: a team member declared an interest in a department of the scope; the draw never
    gives them that department."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="conflicts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("interest"))
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [
            models.UniqueConstraint(fields=["plan", "user", "department"], name="conflict_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.department}"


class Draw(models.Model):
    """One draw of a plan. At commitment: `commitment` = sha256 of the secret `seed`, and
    `pool` (the canonical text of the pools and rules, inspections.draw) with its hash, all
    public; the seed stays secret. At the draw: the seed is revealed and `result` is
    inspections.draw.run(seed, pool), which anyone can re-run."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="draws")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    state = models.CharField(
        _("state"), max_length=12, choices=DrawState.choices, default=DrawState.COMMITTED
    )
    algorithm = models.CharField(_("algorithm"), max_length=20)
    commitment = models.CharField(_("commitment"), max_length=64)
    seed = models.CharField(max_length=64, editable=False)
    pool = models.TextField(_("pools and rules"))
    pool_hash = models.CharField(_("hash of the pools"), max_length=64)
    result = models.JSONField(_("result"), null=True, blank=True)
    reason = models.TextField(_("reason for the re-draw"), blank=True)
    committed_at = models.DateTimeField(_("committed at"), default=timezone.now)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "round"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        constraints = [models.UniqueConstraint(fields=["plan", "round"], name="draw_round_once")]

    def __str__(self) -> str:
        return f"{self.plan} #{self.round}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:public-draw", args=[self.pk])

    @property
    def revealed_seed(self) -> str:
        """The seed as the public sees it: only once drawn."""
        return self.seed if self.state != DrawState.COMMITTED else ""


class Inspection(models.Model):
    """One unit inspected under a plan (seed 004 二(三)): drawn, or chosen for a special
    inspection, quarterly evaluation or self-inspection."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="inspections")
    draw = models.ForeignKey(
        Draw, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("unit inspected"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=InspectionState.choices, default=InspectionState.PLANNED
    )
    notice_number = models.CharField(_("notice number"), max_length=40, blank=True)
    notice_pdf = models.FileField(_("written notice"), max_length=200, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("findings told at"), null=True, blank=True)
    feedback = models.TextField(_("preliminary rectification requirements"), blank=True)
    result = models.TextField(_("published result"), blank=True)
    published_at = models.DateTimeField(_("result published at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["department", "state"], name="inspection_by_unit")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.department}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection", args=[self.pk])


class InspectionMember(models.Model):
    """An inspector of one inspection (drawn, or named for a special inspection)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead = models.BooleanField(_("leads"), default=False)

    class Meta:
        ordering = ["-lead", "pk"]
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "user"], name="inspection_member_once")
        ]

    def __str__(self) -> str:
        return str(self.user)


class InspectionRecord(models.Model):
    """One step of the procedure (seed 004 二(三)2–6), with its date, who recorded it and files."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(_("step"), max_length=12, choices=RecordKind.choices)
    held_on = models.DateField(_("date"))
    text = models.TextField(_("record"))
    materials = models.JSONField(_("materials reviewed"), default=list, blank=True)
    people_served = models.PositiveSmallIntegerField(_("people served interviewed"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("inspection record")
        verbose_name_plural = _("inspection records")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class Problem(models.Model):
    """One problem of the ledger (台账, seed 002 联合督查办法 第六条), whatever its source. Who
    reported it (`reporter_name`, `reported_how`) is for staff only."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("description"))
    content = models.ForeignKey(
        InspectionContent,
        verbose_name=_("inspection content breached"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.ORDINARY
    )
    source = models.CharField(_("source"), max_length=12, choices=ProblemSource.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=ProblemState.choices, default=ProblemState.OPEN
    )
    hot = models.BooleanField(_("hot"), default=False)
    hard = models.BooleanField(_("hard"), default=False)
    sensitive = models.BooleanField(_("sensitive"), default=False)
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    # A substantiated complaint, by its tracking code (the complaints app's selectors resolve it).
    complaint_code = models.CharField(_("complaint"), max_length=20, blank=True, db_index=True)
    reporter = models.CharField(
        _("reported by"), max_length=12, choices=Reporter.choices, blank=True
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=100, blank=True)
    reported_how = models.CharField(_("how it was reported"), max_length=200, blank=True)
    # What the register's check found (an entry on a repealed basis, ...): proposed once.
    register_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    found_on = models.DateField(_("found on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-found_on", "-pk"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [
            models.Index(fields=["jurisdiction", "state"], name="problem_by_place_state"),
            models.Index(fields=["department", "state"], name="problem_by_department"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint_code"],
                condition=~Q(complaint_code=""),
                name="problem_from_complaint_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inspections:problem", args=[self.pk])

    @property
    def flags(self) -> list[str]:
        return [name for name in ("hot", "hard", "sensitive") if getattr(self, name)]


class ProblemItem(models.Model):
    """A list item a problem concerns, with the version in force when it was recorded."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey(
        "registry.Entry", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"))
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("item concerned")
        verbose_name_plural = _("items concerned")
        constraints = [
            models.UniqueConstraint(fields=["problem", "entry"], name="problem_item_once")
        ]

    def __str__(self) -> str:
        return self.name


class DocumentCounter(models.Model):
    """The last serial an issuing body gave in a year (发文字号, GB/T 9704-2012 7.2.4): locked
    and raised by one when a document is issued, so numbers have no gaps and are never reused
    (a withdrawn notice keeps its number)."""

    issuer = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year"], name="document_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id} {self.year}: {self.last}"


class RectificationNotice(models.Model):
    """整改通知书 (seed 002 管理办法 第十九条; seed 001 第十六条) for one or more problems of one
    unit. Its number and PDF are fixed at issue; a correction is a new notice (`corrects`)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.ForeignKey(
        Department, verbose_name=_("issuing office"), on_delete=models.PROTECT, related_name="+"
    )
    addressee = models.ForeignKey(
        Department, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    problems = models.ManyToManyField(Problem, verbose_name=_("problems"), related_name="notices")
    title = models.CharField(_("notice title"), max_length=200)
    requirements = models.TextField(_("requirements"))
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline, working days"), validators=[MinValueValidator(1), MaxValueValidator(250)]
    )
    state = models.CharField(
        _("state"), max_length=12, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    serial = models.PositiveIntegerField(_("serial"), null=True, blank=True)
    number = models.CharField(_("document number"), max_length=40, blank=True)
    pdf = models.FileField(_("PDF"), max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    verdict = models.TextField(_("verification"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "serial"],
                condition=Q(serial__isnull=False),
                name="notice_number_once",
            )
        ]
        indexes = [models.Index(fields=["addressee", "state"], name="notice_by_unit")]

    def __str__(self) -> str:
        return self.number or self.title

    def get_absolute_url(self) -> str:
        return reverse("inspections:notice", args=[self.pk])

    @property
    def due_at(self) -> datetime.datetime | None:
        """When the rectification is due: the latest rectify step's due moment (a return keeps
        the original moment; a calendar change moves the step, and so this), read from the
        list selectors' annotation `rectify_due_at` where they made one."""
        if hasattr(self, "rectify_due_at"):
            return self.rectify_due_at
        step = (
            self.steps.filter(kind=StepKind.RECTIFY).order_by("-started_at", "-pk").first()
            if self.pk
            else None
        )
        return step.due_at if step else None


class RectificationReport(models.Model):
    """The unit's report of its rectification (with evidence, as `Attachment`s)."""

    notice = models.ForeignKey(
        RectificationNotice, on_delete=models.PROTECT, related_name="reports"
    )
    text = models.TextField(_("rectification done"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("rectification report")
        verbose_name_plural = _("rectification reports")

    def __str__(self) -> str:
        return f"{self.notice} {self.submitted_at:%Y-%m-%d}"


class Milestone(models.Model):
    """A milestone of a long rectification: what by when, its progress and evidence."""

    notice = models.ForeignKey(
        RectificationNotice, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    progress = models.PositiveSmallIntegerField(
        _("progress, %"), default=0, validators=[MaxValueValidator(100)]
    )
    note = models.TextField(_("progress note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


def _attachment_path(instance: "Attachment", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"inspections/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Attachment(models.Model):
    """A file of an inspection record, a rectification report or a milestone (checked by
    content with core.checkers.upload_problem); served only through a view that asks
    core.permissions."""

    record = models.ForeignKey(
        InspectionRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    report = models.ForeignKey(
        RectificationReport, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(record__isnull=False, report=None, milestone=None)
                | Q(record=None, report__isnull=False, milestone=None)
                | Q(record=None, report=None, milestone__isnull=False),
                name="inspection_attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Step(HeldStep):
    """A timed step, held by the users of `department` in `role`: rectify (the unit's clerks,
    the notice's deadline in working days), verify (the issuing body's supervisors) and publish
    (the supervisors of the plan's jurisdiction, 20 working days after the inspection)."""

    notice = models.ForeignKey(
        RectificationNotice, null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("inspection step")
        verbose_name_plural = _("inspection steps")
        indexes = [
            *sweep_indexes("inspection_step"),
            models.Index(
                fields=["department", "role"],
                condition=Q(finished_at=None),
                name="inspection_step_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(notice__isnull=False, inspection=None)
                | Q(notice=None, inspection__isnull=False),
                name="inspection_step_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_label()} {StepKind(self.kind).label}"

    def record_label(self) -> str:
        label = getattr(self, "holder_label_text", None)
        if label is not None:
            return label
        if self.notice_id:
            return str(self.notice)
        return str(self.inspection)

    def holder_url(self) -> str:
        notice_id, inspection_id = self._record_ids()
        if notice_id:
            return reverse("inspections:notice", args=[notice_id])
        return reverse("inspections:inspection", args=[inspection_id])

    def _record_ids(self) -> tuple[int | None, int | None]:
        # A calendar change loads only the deadline's and holder_order's fields: the ids come
        # annotated (with_holder_relations), not as deferred fields read one step at a time.
        if hasattr(self, "holder_notice"):
            return self.holder_notice, self.holder_inspection
        return self.notice_id, self.inspection_id

    @classmethod
    def holders_list_url(cls) -> str:
        return reverse("inspections:queue")

    @classmethod
    def with_holder_relations(cls, queryset: models.QuerySet) -> models.QuerySet:
        """str() and holder_url() read the record's label and id, annotated (core.services.
        calendar loads a step's own fields with only(), which select_related cannot join)."""
        notice = RectificationNotice.objects.filter(pk=models.OuterRef("notice_id")).annotate(
            label=Coalesce(NullIf("number", Value("")), "title")
        )
        inspection = Inspection.objects.filter(pk=models.OuterRef("inspection_id")).annotate(
            label=Concat(
                "plan__title", Value(" · "), "department__name", output_field=models.CharField()
            )
        )
        return queryset.annotate(
            holder_label_text=Coalesce(
                models.Subquery(notice.values("label")), models.Subquery(inspection.values("label"))
            ),
            holder_notice=F("notice_id"),
            holder_inspection=F("inspection_id"),
        )


class DeadlineNotice(DeadlineNoticeBase):
    """The sweep's guard (core.DeadlineNoticeBase)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="notices")

    class Meta(DeadlineNoticeBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["step", "kind", "due_at"], name="inspection_deadline_notice_once"
            )
        ]


class Event(AppendOnlyModel):
    """Append-only: every action of the app, on the plan, draw, inspection, problem or notice
    it concerns (痕迹化管理, seed 002 监督检查办法 第十二条)."""

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
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    notice = models.ForeignKey(
        RectificationNotice, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_transition_display()}"


class AssessmentRecord(models.Model):
    """An entry of the unit's assessment ledger (记入单位绩效考核台账, seed 002 管理办法 第十九条):
    a rectification overdue or not fixed, once per notice and kind; `veto` where the
    jurisdiction's policy makes it a one-vote veto on the unit's year (seed 001 第十六条)."""

    department = models.ForeignKey(
        Department, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=AssessmentKind.choices)
    notice = models.ForeignKey(
        RectificationNotice, on_delete=models.PROTECT, related_name="assessment_records"
    )
    veto = models.BooleanField(_("one-vote veto"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("assessment ledger entry")
        verbose_name_plural = _("assessment ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["notice", "kind"], name="assessment_record_once")
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year} {self.get_kind_display()}"


class Report(models.Model):
    """A periodic report (通报) of a jurisdiction: what the inspections found and how
    rectification went. `content` is the snapshot published (no personal data); `pdf` its
    official-document rendering."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("report title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    summary = models.TextField(_("summary"))
    content = models.JSONField(_("content"), default=dict)
    pdf = models.FileField(_("PDF"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("inspection report")
        verbose_name_plural = _("inspection reports")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inspections:public-report", args=[self.pk])
