import datetime
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    CHILD_LEVEL,
    ROLE_DEPARTMENT_FUNCTION,
    AuditAction,
    CalendarSource,
    DayKind,
    DeadlineUnit,
    DepartmentFunction,
    JurisdictionLevel,
    NoticeKind,
    NotificationKind,
    PersonDuty,
    ReviewField,
    Role,
)
from .querysets import AppendOnlyQuerySet, RestrictedQuerySet

# --- organisation (SPEC §2) -------------------------------------------------------------


class Jurisdiction(models.Model):
    """A node of the administrative tree. `path` holds the codes from the root down
    ("/410100/410106/"), so a jurisdiction and everything below it is one indexed prefix."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=JurisdictionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Derived, never edited: the path follows code and parent, which are fixed (clean()).
        prefix = self.parent.path if self.parent_id else "/"
        self.path = f"{prefix}{self.code}/"
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.parent_id is None:
            if self.level not in (JurisdictionLevel.PROVINCE, JurisdictionLevel.CITY):
                raise ValidationError(
                    {"parent": _("Only a province or a city may have no parent.")}
                )
        elif CHILD_LEVEL.get(self.parent.level) != self.level:
            raise ValidationError(
                {
                    "level": _("A %(parent)s can only contain a %(child)s.")
                    % {
                        "parent": self.parent.get_level_display(),
                        "child": JurisdictionLevel(CHILD_LEVEL[self.parent.level]).label
                        if self.parent.level in CHILD_LEVEL
                        else "-",
                    }
                }
            )
        if self.pk:
            old = Jurisdiction.objects.filter(pk=self.pk).values("parent_id", "code").first()
            if old and (old["parent_id"] != self.parent_id or old["code"] != self.code):
                raise ValidationError(
                    _("A jurisdiction's code and parent cannot change once it exists.")
                )

    def is_within(self, other: "Jurisdiction") -> bool:
        return self.path.startswith(other.path)


class Department(models.Model):
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    # The implementing-body part of an item's implementation code (registry.models.Entry):
    # the unified social credit code in the national scheme, a short local code in ours.
    code = models.CharField(
        _("organisation code"),
        max_length=18,
        blank=True,
        validators=[RegexValidator(r"^[0-9A-Z]+$", _("Digits and capital letters only."))],
    )
    function = models.CharField(
        _("function"),
        max_length=20,
        choices=DepartmentFunction.choices,
        default=DepartmentFunction.GENERAL,
    )
    review_field = models.CharField(
        _("review field"), max_length=20, choices=ReviewField.choices, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction__path", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="department_unique_name"),
            models.CheckConstraint(
                condition=(
                    models.Q(function=DepartmentFunction.LEAD_REVIEWER) & ~models.Q(review_field="")
                )
                | (
                    ~models.Q(function=DepartmentFunction.LEAD_REVIEWER) & models.Q(review_field="")
                ),
                name="department_review_field_iff_reviewer",
                violation_error_message=_(
                    "A lead review department needs a review field; other departments have none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An internal unit (处室/科室) of a department."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="units"
    )
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["department", "name"]
        verbose_name = _("internal unit")
        verbose_name_plural = _("internal units")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="unit_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.name}"


class Person(models.Model):
    """Someone named on items: person in charge, handler, enforcement officer (seed 004)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="people"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("internal unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    name = models.CharField(_("name"), max_length=50)
    duty = models.CharField(
        _("duty"), max_length=16, choices=PersonDuty.choices, default=PersonDuty.HANDLER
    )
    title = models.CharField(_("title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["department", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.unit_id and self.unit.department_id != self.department_id:
            raise ValidationError({"unit": _("The unit must belong to the person's department.")})


class EnforcementCertificate(models.Model):
    """执法证: only a certified officer may enforce (seed 002 第十一条 持证上岗)."""

    person = models.ForeignKey(
        Person, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    issuing_authority = models.CharField(_("issuing authority"), max_length=100)
    enforcement_field = models.CharField(_("field of enforcement"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-valid_until"]
        verbose_name = _("enforcement certificate")
        verbose_name_plural = _("enforcement certificates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="certificate_valid_range",
                violation_error_message=_("A certificate cannot expire before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day <= self.valid_until


# --- users and roles (SPEC §1) ----------------------------------------------------------


class User(AbstractUser):
    """A staff account. Every staff user has one role and belongs to one jurisdiction and
    usually one department; core.permissions scopes what they see and do to it."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}"
        return full or self.username

    def clean(self) -> None:
        super().clean()
        if not self.role:
            return
        if self.jurisdiction_id is None:
            raise ValidationError(
                {"jurisdiction": _("A staff user must belong to a jurisdiction.")}
            )
        needed = ROLE_DEPARTMENT_FUNCTION[Role(self.role)]
        if needed is not None and self.department_id is None:
            raise ValidationError({"department": _("This role needs a department.")})
        if self.department_id is not None:
            if self.department.jurisdiction_id != self.jurisdiction_id:
                raise ValidationError(
                    {"department": _("The department must belong to the user's jurisdiction.")}
                )
            if needed is not None and self.department.function != needed:
                raise ValidationError(
                    {
                        "department": _("The role %(role)s needs a department of kind %(kind)s.")
                        % {"role": Role(self.role).label, "kind": DepartmentFunction(needed).label}
                    }
                )
        if self.role == Role.CLERK and self.department_id is None:
            raise ValidationError({"department": _("A department clerk needs a department.")})

    @property
    def role_enum(self) -> Role | None:
        return Role(self.role) if self.role else None


# --- working-day calendar (SPEC §9) -----------------------------------------------------


class CalendarDay(models.Model):
    """A day that differs from the Monday–Friday rule: a holiday on a weekday or in a holiday
    block, or a make-up working day (调休) on a weekend."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=CalendarSource.choices)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """Whether a year's official schedule is known. An unconfirmed year is computed from the
    national holiday regulation and every deadline resting on it is flagged."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    confirmed = models.BooleanField(_("schedule confirmed"), default=False)
    source = models.CharField(_("source"), max_length=16, choices=CalendarSource.choices)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarRevision(models.Model):
    """One administrator's change of the calendar; its id is the calendar version a deadline
    was computed from. Open deadlines touching [first_date, last_date] are recomputed once
    (`applied_at`, set when the last batch is done), by the task on commit or, if that was
    lost or its worker died halfway, by the periodic sweep."""

    created_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("summary"))
    first_date = models.DateField(_("first changed day"))
    last_date = models.DateField(_("last changed day"))
    applied_at = models.DateTimeField(_("deadlines recomputed at"), null=True, blank=True)
    deadlines_changed = models.PositiveIntegerField(_("deadlines moved"), default=0)
    # The recomputation commits batch by batch: how far it got ({"model": label, "after": id}),
    # so that a run after a crash goes on from there, and the first deadlines it changed, for
    # the audit row written when it is done.
    applied_through = models.JSONField(_("recomputed up to"), default=dict, blank=True)
    changed_sample = models.JSONField(_("first deadlines changed"), default=list, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("calendar revision")
        verbose_name_plural = _("calendar revisions")
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(applied_at=None), name="calendar_rev_pending"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.summary}"


class TimedStep(models.Model):
    """A step of a workflow with a deadline. Every concrete subclass is found by
    core.services.calendar_revision_apply when the calendar changes; the due moment is stored
    with the calendar revision it was computed from and whether it rests on a confirmed
    schedule. The class methods below let core handle many steps at once (a calendar change, a
    sweep) without importing the workflow apps.

    The deadline sweep's state lives here too (the database is the truth, Celery only the
    trigger): `remind_at` is when the "due tomorrow" reminder is due, `reminded_at` and
    `overdue_at` say the reminder and the overdue notice of the current due moment went out.
    core.calendar.apply_deadline clears both whenever the due moment moves."""

    started_at = models.DateTimeField(_("started at"))
    deadline_days = models.PositiveSmallIntegerField(_("period"), null=True, blank=True)
    deadline_unit = models.CharField(
        _("counted in"),
        max_length=10,
        choices=DeadlineUnit.choices,
        default=DeadlineUnit.WORKING_DAYS,
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    due_confirmed = models.BooleanField(_("due moment confirmed"), default=True)
    calendar_revision = models.PositiveIntegerField(_("calendar version"), default=0)
    remind_at = models.DateTimeField(_("reminder due"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    # Fields whose values name who holds a step (holders() reads only them, and pk breaks
    # ties): a calendar change walks the open steps in this order, so that one holder's moved
    # steps come together and make one notice, not one each, and loads only these fields and
    # the deadline's (with what with_holder_relations adds). A workflow indexes them on its
    # open steps. Empty: in id order, whole rows.
    holder_order: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def deadline_start(self) -> datetime.datetime:
        """The moment the period counts from."""
        return self.started_at

    @classmethod
    def period_start(cls) -> models.Expression:
        """deadline_start() in SQL: a calendar change recomputes the steps whose period started
        by its last changed day (core.services.calendar)."""
        return models.F("started_at")

    def clock_stops(self) -> list[tuple[datetime.datetime, datetime.datetime | None]]:
        """(stopped, restarted) pairs during which the period did not run; a workflow that
        stops its clocks (退回补正) overrides this."""
        return []

    def holders(self) -> list["User"]:
        """The people who must act on the step, told when a calendar change moves its due
        moment (core.services.calendar_revision_apply); each workflow overrides this, so core
        never imports the workflow apps."""
        return []

    @classmethod
    def holders_bulk(cls, steps: Sequence["TimedStep"]) -> dict[int, list["User"]]:
        """holders() of many steps at once, by step id: a calendar change tells the holders of
        thousands of steps. This default asks each step; a workflow overrides it with a fixed
        number of queries however many steps."""
        return {step.pk: step.holders() for step in steps}

    def holder_url(self) -> str:
        """Where the holders act on the step (the link of that notice)."""
        return ""

    @classmethod
    def holders_list_url(cls) -> str:
        """Where the holders find their open steps (the link of a notice about several)."""
        return ""

    @classmethod
    def holder_urls_bulk(cls, steps: Sequence["TimedStep"]) -> dict[int, str]:
        """holder_url() of many steps at once, by step id. This default asks each step; a
        workflow may override it to reverse its URL once (reverse() costs tens of
        microseconds, and a calendar change may link a hundred thousand steps)."""
        return {step.pk: step.holder_url() for step in steps}

    @classmethod
    def with_deadline_relations(cls, queryset: models.QuerySet) -> models.QuerySet:
        """The steps as a calendar change recomputes them one at a time, with what
        deadline_start() and clock_stops() read: no query per step. A workflow whose steps read
        other rows for them overrides it."""
        return queryset

    @classmethod
    def with_holder_relations(cls, queryset: models.QuerySet) -> models.QuerySet:
        """The steps as a calendar change tells their holders, with what str(), holder_url()
        and holders_bulk() read beyond the step's own holder_order fields (a calendar change
        loads only those and the deadline's): no query per step. A workflow whose steps read
        other rows for them overrides it with annotations or select_related, never only()."""
        return queryset

    @classmethod
    def clock_stops_exist(cls) -> models.Expression | None:
        """An expression true for the steps whose clock ever stopped: a calendar change counts
        their periods one at a time, with their stops (the others in groups of identical
        inputs). None: this workflow never stops a clock."""
        return None

    @staticmethod
    def soonest_due(steps: Iterable["TimedStep"]) -> "TimedStep | None":
        """The step due first among those with a due moment (a list's "next due")."""
        dated = [step for step in steps if step.due_at is not None]
        return min(dated, key=lambda step: step.due_at) if dated else None

    @property
    def is_open(self) -> bool:
        return self.finished_at is None

    @property
    def is_overdue(self) -> bool:
        """Past its due moment: unfinished and due before now, or finished late."""
        if self.due_at is None:
            return False
        return (self.finished_at or timezone.now()) > self.due_at


def sweep_indexes(prefix: str) -> list[models.Index]:
    """The partial indexes the deadline sweep reads on a TimedStep model (core.services.
    deadline_notices_sweep): only the steps whose reminder or due moment may have come, so its
    cost grows with the steps that change state, not with every open step."""
    return [
        models.Index(
            fields=["remind_at"],
            condition=Q(finished_at=None, reminded_at=None, remind_at__isnull=False),
            name=f"{prefix}_reminder_due",
        ),
        models.Index(
            fields=["due_at"],
            condition=Q(finished_at=None, overdue_at=None, due_at__isnull=False),
            name=f"{prefix}_overdue_due",
        ),
    ]


class HeldStep(TimedStep):
    """A step held by the active users of `department` in `role` (a complaint's, an inspection's
    or a notice's): who acts is the "act" rule of the workflow's permissions on these two
    fields. `period_from`: the moment the period counts from when it is not the step's start
    (a step passed on or returned keeps the period that ran from the earlier moment)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20)
    period_from = models.DateTimeField(_("period counts from"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    holder_order = ("department", "role")

    class Meta:
        abstract = True

    def deadline_start(self) -> datetime.datetime:
        return self.period_from or self.started_at

    @classmethod
    def period_start(cls) -> models.Expression:
        return Coalesce("period_from", "started_at")

    def holders(self) -> list["User"]:
        return self.holders_bulk([self])[self.pk]

    @classmethod
    def holders_bulk(cls, steps: Sequence["HeldStep"]) -> dict[int, list["User"]]:
        """The active users of each step's department in its role, in one query."""
        wanted = {(step.department_id, step.role) for step in steps}
        people: dict[tuple[int, str], list[User]] = {pair: [] for pair in wanted}
        for user in User.objects.filter(
            department__in={department for department, _role in wanted},
            role__in={role for _department, role in wanted},
            is_active=True,
        ).order_by("pk"):
            people.get((user.department_id, user.role), []).append(user)
        return {step.pk: list(people[(step.department_id, step.role)]) for step in steps}


class DeadlineNoticeBase(models.Model):
    """The sweep's guard row (core.services.deadline_notices_send): inserted before a reminder or
    overdue notice goes out, unique per (step, kind, due moment) in each concrete model, so a
    second sweep, a sweep after a crash or on another worker sends nothing again; a step whose
    due moment moved gets notices for the new moment. The concrete model adds `step` and the
    unique constraint."""

    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    due_at = models.DateTimeField(_("due"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        abstract = True
        ordering = ["sent_at", "pk"]
        verbose_name = _("deadline notice")
        verbose_name_plural = _("deadline notices")

    def __str__(self) -> str:
        return f"{self.step_id} {self.kind} {self.due_at:%Y-%m-%d}"


# What core.calendar.apply_deadline sets, for `save(update_fields=...)`.
DEADLINE_FIELDS = (
    "due_at",
    "due_confirmed",
    "calendar_revision",
    "remind_at",
    "reminded_at",
    "overdue_at",
)


# --- audit trail (痕迹化管理) and notifications -----------------------------------------------


class AppendOnlyModel(models.Model):
    """An append-only table (the audit trail, each workflow's event log): a row is written once
    and never changed nor deleted, here and in bulk (AppendOnlyQuerySet), and on PostgreSQL by a
    trigger too (core.db_triggers)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is append-only")


class AuditEvent(AppendOnlyModel):
    """Append-only: who did what to which object, when and from where."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("user"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(_("user name"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["jurisdiction", "-at"], name="audit_jurisdiction_at"),
            # The trail's rule matches rows to the objects the reader may see (core.permissions).
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.get_action_display()}"


class Notification(models.Model):
    """An in-site message. (recipient, dedupe_key) is unique: inserting the row is the guard
    that makes a notification go out exactly once, however often a sweep runs."""

    # No index of its own: the unique (recipient, dedupe_key) and the unread index begin with
    # the recipient and serve every lookup by it, and each index costs every insert (a calendar
    # change may notify a hundred thousand people at once).
    recipient = models.ForeignKey(
        User,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("key"), max_length=200)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(read_at=None),
                name="notification_unread",
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at=None),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.subject
