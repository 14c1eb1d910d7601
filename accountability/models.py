"""Accountability (责任追究; SPEC §7, seed 002 监督检查办法 第二十条–第二十二条, seed 003 四(三)1,
seed 000 四(三), seed 004 六).

- `Ground`: the grounds of accountability as data (seeded by migration 0002 with every ground
  of seed 002 第二十条(一)–(十二), 第二十一条(一)–(三), 第二十二条 and seed 003's
  组织不力、未按时限完成任务).
- `Case`: opened by a supervisor against a department and, where known, named persons
  (`Subject`), on grounds, with the facts that led to it (`Evidence`); its investigators
  (`Investigator`, with 回避: 行政机关公务员处分条例 第四十二条); the decide step (`Step`: 6
  months, extendable to 12, 第四十四条) under the core's calendar and sweep; `Event` is
  append-only.
- `Outcome`: what the case decided for a subject: sanctions with their term (第七条, 第十条), a
  lighter measure, or none with reasons; recorded into the person's files (`FileRecord`,
  seed 000 四(三): 人事档案, 廉政档案).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import (
    AppendOnlyModel,
    DeadlineNoticeBase,
    Department,
    HeldStep,
    Jurisdiction,
    Person,
    sweep_indexes,
)
from core.querysets import RestrictedQuerySet

from .choices import CaseState, FactKind, FileKind, Liable, StepKind, Transition


class Ground(models.Model):
    """A ground of accountability, with the rule it comes from and whom it holds liable."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=100)
    text = models.TextField(_("ground"))
    liable = models.CharField(_("liable"), max_length=20, choices=Liable.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("ground of accountability")
        verbose_name_plural = _("grounds of accountability")

    def __str__(self) -> str:
        return f"{self.source} {self.text}"


class Case(models.Model):
    """An accountability case (问责案件) against a department of `jurisdiction`."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="accountability_cases",
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("facts as opened"))
    grounds = models.ManyToManyField(Ground, verbose_name=_("grounds"), related_name="cases")
    state = models.CharField(
        _("state"), max_length=14, choices=CaseState.choices, default=CaseState.OPENED
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    findings = models.TextField(_("findings of the investigation"), blank=True)
    extended = models.BooleanField(_("period extended"), default=False)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("accountability case")
        verbose_name_plural = _("accountability cases")

    def __str__(self) -> str:
        return self.title


class Subject(models.Model):
    """A named person the case is against (where known), by their place in the organisation."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="subjects")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.CharField(_("post"), max_length=100, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("person concerned")
        verbose_name_plural = _("people concerned")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="accountability_subject_once")
        ]

    def __str__(self) -> str:
        return str(self.person)


class Evidence(models.Model):
    """A fact that led to the case, as the app that records it names it (an adjustment
    request's number, a complaint's code, a problem's or a decision's id) with its label and
    link; read through that app's selectors, never its models."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("kind of fact"), max_length=24, choices=FactKind.choices)
    reference = models.CharField(_("reference"), max_length=100)
    label = models.CharField(_("fact"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "reference"], name="accountability_evidence_once"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Investigator(models.Model):
    """An investigator of the case; one with an interest stands aside (回避, 行政机关公务员处分
    条例 第四十二条) and the row keeps when and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("investigator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    named_at = models.DateTimeField(_("named at"), default=timezone.now)
    recused_at = models.DateTimeField(_("stood aside at"), null=True, blank=True)
    recusal_reason = models.TextField(_("reason for standing aside"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("investigator")
        verbose_name_plural = _("investigators")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], name="accountability_investigator_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class Outcome(models.Model):
    """What the case decided for one person concerned (or, with no person, the department):
    sanctions (`measures`, 处分条例 第六条) with the term in months (第七条; several of one kind
    between one term and their sum, at most 48, 第十条; 开除 none), a lighter measure, or none
    with the reasons."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="outcomes")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="outcomes"
    )
    measures = models.JSONField(_("measures"), default=list, blank=True)
    term_months = models.PositiveSmallIntegerField(_("term, months"), null=True, blank=True)
    starts_on = models.DateField(_("takes effect on"), null=True, blank=True)
    ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    reasons = models.TextField(_("reasons"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.case} {self.subject or ''}".strip()

    def in_term_on(self, day: datetime.date) -> bool:
        return bool(self.starts_on and self.ends_on and self.starts_on <= day < self.ends_on)


class FileRecord(AppendOnlyModel):
    """An entry of a person's personnel or integrity file (seed 000 四(三)): read by staff
    whose role keeps such files; never public."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("file"), max_length=10, choices=FileKind.choices)
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="file_records")
    text = models.TextField(_("entry"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["person", "recorded_at", "pk"]
        verbose_name = _("file record")
        verbose_name_plural = _("file records")

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}"


class Step(HeldStep):
    """The decide step of a case, held by the supervisors of its jurisdiction's supervision
    department: 6 months from the opening (行政机关公务员处分条例 第四十四条), extendable once to
    12."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("accountability step")
        verbose_name_plural = _("accountability steps")
        indexes = [
            *sweep_indexes("acc_step"),
            models.Index(
                fields=["department", "role"],
                condition=Q(finished_at=None),
                name="acc_step_open",
            ),
        ]

    def __str__(self) -> str:
        label = getattr(self, "holder_label_text", None)
        return f"{label if label is not None else self.case} {StepKind(self.kind).label}"

    @classmethod
    def with_holder_relations(cls, queryset: models.QuerySet) -> models.QuerySet:
        """str() reads the case's title, annotated (core.services.calendar loads a step's own
        fields with only(), which select_related cannot join)."""
        return queryset.annotate(holder_label_text=F("case__title"))


class DeadlineNotice(DeadlineNoticeBase):
    """The sweep's guard (core.DeadlineNoticeBase)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="notices")

    class Meta(DeadlineNoticeBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["step", "kind", "due_at"], name="accountability_deadline_notice_once"
            )
        ]


class Event(AppendOnlyModel):
    """Append-only: every action on a case."""

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
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    from_state = models.CharField(_("from"), max_length=14, blank=True)
    to_state = models.CharField(_("to"), max_length=14, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("accountability event")
        verbose_name_plural = _("accountability events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_transition_display()}"
