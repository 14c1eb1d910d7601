"""Writes of the core app. Every function is keyword-only, names its actor and runs in one
transaction; views, the API, admin, commands and tasks call these and never save models."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import calendar as working_days
from . import request_context
from .choices import AuditAction, CalendarSource, DayKind, NotificationKind, Role
from .models import (
    DEADLINE_FIELDS,
    AuditEvent,
    CalendarDay,
    CalendarRevision,
    CalendarYear,
    Department,
    EnforcementCertificate,
    Jurisdiction,
    Notification,
    Person,
    TimedStep,
    Unit,
    User,
)
from .permissions import Action, can


def _jurisdiction_of(obj) -> Jurisdiction | None:
    if obj is None:
        return None
    if isinstance(obj, Jurisdiction):
        return obj
    for attribute in ("jurisdiction", "department"):
        related = getattr(obj, attribute, None)
        if isinstance(related, Jurisdiction):
            return related
        if related is not None and hasattr(related, "jurisdiction"):
            return related.jurisdiction
    return None


@transaction.atomic
def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    obj: models.Model | None = None,
    jurisdiction: Jurisdiction | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """痕迹化管理 (seed 004 preamble: 履职尽责实行痕迹化管理): every state-changing action by a
    logged-in user leaves an append-only row with who, what, when and from which address."""
    event = _audit_event(actor, action, obj, jurisdiction, detail)
    event.save()
    return event


def audit_records(
    *,
    actor: User | None,
    action: AuditAction,
    objects: list[models.Model],
    detail: dict | None = None,
) -> list[AuditEvent]:
    """audit_record for many objects of one action at once (an import of thousands of
    entries): the same rows, inserted together."""
    return AuditEvent.objects.bulk_create(
        [_audit_event(actor, action, obj, None, detail) for obj in objects], batch_size=1000
    )


def _audit_event(actor, action, obj, jurisdiction, detail) -> AuditEvent:
    actor = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        actor=actor,
        actor_repr=(actor.get_username() if actor else (detail or {}).get("username", ""))[:150],
        action=action,
        jurisdiction=jurisdiction or _jurisdiction_of(obj) or _jurisdiction_of(actor),
        ip_address=request_context.current().ip_address,
        detail=detail or {},
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
    return event


class DomainError(Exception):
    """A refused action; the message is user-facing (translated) and says why."""


def _validated_save(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise DomainError("; ".join(error.messages)) from error
    obj.save()


@transaction.atomic
def jurisdiction_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    level: str,
    parent: Jurisdiction | None = None,
) -> Jurisdiction:
    """SPEC §2 (seed 003 四级联动): city → district/county → town/subdistrict → community."""
    jurisdiction = Jurisdiction(code=code, name=name, level=level, parent=parent)
    _validated_save(jurisdiction)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=jurisdiction)
    return jurisdiction


@transaction.atomic
def department_create(
    *,
    actor: User | None,
    jurisdiction: Jurisdiction,
    name: str,
    function: str = "general",
    review_field: str = "",
    short_name: str = "",
    phone: str = "",
    address: str = "",
    code: str = "",
) -> Department:
    """SPEC §2: departments carry functions (reform office, the five review fields of seed 004
    三(一)2, digital office, supervision)."""
    department = Department(
        jurisdiction=jurisdiction,
        name=name,
        function=function,
        review_field=review_field,
        short_name=short_name,
        phone=phone,
        address=address,
        code=code,
    )
    _validated_save(department)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=department)
    return department


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    role: str,
    jurisdiction: Jurisdiction,
    department: Department | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
) -> User:
    """SPEC §1: every staff user has one role, one jurisdiction and usually one department;
    administrators alone reach the Django admin."""
    user = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        department=department,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        is_staff=role == Role.ADMINISTRATOR,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _validated_save(user)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user)
    return user


# --- administration of the organisation and users, the inbox (issue 2 §5, §6, §8) ------------

ORGANISATION_MODELS = (Jurisdiction, Department, Unit, Person, EnforcementCertificate)
# Never copied into the audit trail, even hashed.
_SECRET_FIELDS = frozenset({"password"})


def permission_require(
    actor: User | None, action: str, obj: models.Model | type[models.Model]
) -> None:
    """System work (seed data, migrations: actor None) is trusted; a person must be allowed by
    core.permissions for this very object (or, given a model class, for some row of it)."""
    if actor is None:
        return
    if not can(actor, action, obj):
        name = obj._meta.verbose_name if isinstance(obj, type) else obj
        raise DomainError(
            _("You may not change “%(object)s”: it is outside your responsibility.")
            % {"object": name}
        )


def _as_text(value) -> str | None:
    return None if value is None else str(value)


def _changes(obj: models.Model, fields: Iterable[str]) -> dict[str, list[str | None]]:
    """Old and new value of each changed field, as text, for the audit row's detail."""
    concrete = {field.name: field for field in obj._meta.concrete_fields}
    names = [name for name in fields if name in concrete and name not in _SECRET_FIELDS]
    if not names or obj.pk is None:
        return {}
    attnames = [concrete[name].attname for name in names]
    old = type(obj)._default_manager.filter(pk=obj.pk).values(*attnames).first() or {}
    changes = {}
    for name, attname in zip(names, attnames, strict=True):
        before, after = old.get(attname), getattr(obj, attname)
        if before != after:
            changes[name] = [_as_text(before), _as_text(after)]
    return changes


def _organisation_jurisdiction(obj: models.Model) -> Jurisdiction | None:
    if isinstance(obj, EnforcementCertificate):
        return obj.person.department.jurisdiction
    return _jurisdiction_of(obj)


@transaction.atomic
def organisation_object_save(
    *, actor: User | None, obj: models.Model, changed_fields: Iterable[str] = ()
) -> models.Model:
    """SPEC §2 and §1 ("a district clerk never edits another district's list"): administrators
    keep the jurisdictions, departments, units, people and enforcement certificates of their own
    scope. The object is validated, must be in the actor's scope before and after the change
    (nothing can be moved out of or into someone else's scope), and the save leaves an audit
    row naming the changed fields with old and new values (issue 2 §8, 痕迹化管理)."""
    if not isinstance(obj, ORGANISATION_MODELS):
        raise TypeError(f"{type(obj).__name__} is not an organisation object")
    adding = obj._state.adding
    changes = {}
    if not adding:
        permission_require(actor, Action.CHANGE, type(obj)._default_manager.get(pk=obj.pk))
        changes = _changes(obj, changed_fields)
    _validated_save(obj)
    permission_require(actor, Action.ADD if adding else Action.CHANGE, obj)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if adding else AuditAction.UPDATE,
        obj=obj,
        jurisdiction=_organisation_jurisdiction(obj),
        detail={"changes": changes} if changes else None,
    )
    return obj


@transaction.atomic
def user_save(
    *,
    actor: User | None,
    user: User,
    changed_fields: Iterable[str] = (),
    password: str | None = None,
) -> User:
    """SPEC §1: an administrator keeps the accounts of their own jurisdiction (role,
    jurisdiction, department, active). Only the administrator role reaches the Django admin
    (is_staff follows the role); nobody becomes a superuser here. A new account without a
    password cannot log in with one until it is set."""
    adding = user._state.adding
    changes = {}
    if not adding:
        permission_require(actor, Action.CHANGE, User.objects.get(pk=user.pk))
        changes = _changes(user, changed_fields)
    user.is_staff = user.role == Role.ADMINISTRATOR
    if password:
        _validate_password(password, user)
        user.set_password(password)
    elif adding:
        user.set_unusable_password()
    _validated_save(user)
    permission_require(actor, Action.ADD if adding else Action.CHANGE, user)
    detail = {"changes": changes} if changes else {}
    if password and not adding:
        detail["password"] = "changed"
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if adding else AuditAction.UPDATE,
        obj=user,
        detail=detail or None,
    )
    return user


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str | None) -> User:
    """SPEC §1: users change their own password; administrators set the password of accounts
    in their scope. None disables password login. The new password is checked against the
    site's password rules; the audit row records that it changed, never the value."""
    if actor is None or actor.pk != user.pk:
        permission_require(actor, Action.CHANGE, user)
    if password:
        _validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        detail={"password": "changed" if password else "disabled"},
    )
    return user


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """The inbox (issue 2 §7: reminders reach people as notifications): only the recipient
    marks a message read; the first reading time is kept."""
    if not can(actor, Action.CHANGE, notification):
        raise DomainError(_("This message is not yours."))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    """Marks every unread message of the actor read at once; returns how many changed."""
    unread = Notification.objects.restrict(actor, Action.CHANGE).filter(read_at=None)
    return unread.update(read_at=timezone.now())


# --- working-day calendar (SPEC §9) -----------------------------------------------------------


def _enqueue_on_commit(task_name: str, *args) -> None:
    """Tasks are triggers only (docs/architecture.md): sent after the commit; if the broker is
    down the error is logged and the periodic sweep finds the pending work in the database."""

    def send() -> None:
        from . import tasks

        getattr(tasks, task_name).delay(*args)

    transaction.on_commit(send, robust=True)


def _calendar_require(actor: User | None, model: type[models.Model]) -> None:
    """System work (seeding: actor None) is trusted; a person must be allowed by
    core.permissions (administrators only)."""
    if actor is not None and not can(actor, Action.CHANGE, model):
        raise DomainError(_("Only an administrator may change the working-day calendar."))


def _calendar_revision_record(
    *,
    actor: User | None,
    summary: str,
    first_date: datetime.date,
    last_date: datetime.date,
    detail: dict,
    action: AuditAction = AuditAction.CALENDAR_CHANGE,
) -> CalendarRevision:
    """Every calendar change is one revision (its id is the calendar version deadlines record)
    and one audit row; its deadlines are recomputed after the commit."""
    revision = CalendarRevision.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        summary=summary,
        first_date=first_date,
        last_date=last_date,
    )
    audit_record(actor=actor, action=action, obj=revision, detail=detail)
    _enqueue_on_commit("calendar_revision_apply", revision.pk)
    return revision


@lru_cache(maxsize=1)
def _package_schedule() -> tuple[dict[datetime.date, tuple[str, str]], tuple[int, ...]]:
    """The official schedules bundled in the installed `chinese_calendar` package: each day
    off or make-up working day with the Chinese name of its holiday, and the years covered."""
    from chinese_calendar import constants

    def name(english: str) -> str:
        try:
            return constants.Holiday(english).chinese
        except ValueError:
            return english

    days = {day: (DayKind.HOLIDAY.value, name(h)) for day, h in constants.holidays.items()}
    days.update({day: (DayKind.WORKDAY.value, name(h)) for day, h in constants.workdays.items()})
    # A year is known when it has a day off in it; a make-up Saturday in the December before
    # belongs to the next year's schedule and does not make that December's year known.
    years = tuple(sorted({day.year for day in constants.holidays}))
    return days, years


@dataclass(frozen=True)
class CalendarSeedResult:
    created: int
    updated: int
    deleted: int
    years_confirmed: tuple[int, ...]
    revision: CalendarRevision | None


@transaction.atomic
def calendar_seed_from_package(*, actor: User | None) -> CalendarSeedResult:
    """SPEC §9 / issue 2 §7: the calendar is seeded from the `chinese-calendar` package for
    every year it knows: holidays (with names) and make-up working days become
    CalendarDay(source=package) and the year is confirmed. Idempotent: a second run changes
    nothing; rows an administrator entered, and years an administrator confirmed, are never
    overwritten. A run that changes anything (e.g. after the package learned next year's
    schedule) is a revision, so deadlines resting on the changed days are recomputed."""
    _calendar_require(actor, CalendarDay)
    desired, years = _package_schedule()
    if not years:
        return CalendarSeedResult(0, 0, 0, (), None)
    year_rows = {row.year: row for row in CalendarYear.objects.filter(year__in=years)}
    # A year an administrator confirmed is theirs: the package adds nothing to it.
    kept_years = {
        row.year
        for row in year_rows.values()
        if row.confirmed and row.source == CalendarSource.ADMINISTRATOR
    }
    desired = {day: value for day, value in desired.items() if day.year not in kept_years}
    first = min(min(desired, default=datetime.date.max), datetime.date(years[0], 1, 1))
    last = max(max(desired, default=datetime.date.min), datetime.date(years[-1], 12, 31))
    existing = {
        row.date: row
        for row in CalendarDay.objects.filter(date__range=(first, last))
        if row.date.year not in kept_years
    }
    to_create, to_update, to_delete = [], [], []
    for day, (kind, name) in sorted(desired.items()):
        row = existing.get(day)
        if row is None:
            to_create.append(
                CalendarDay(date=day, kind=kind, name=name, source=CalendarSource.PACKAGE)
            )
        elif row.source == CalendarSource.PACKAGE and (row.kind, row.name) != (kind, name):
            row.kind, row.name = kind, name
            to_update.append(row)
    for day, row in existing.items():
        if row.source == CalendarSource.PACKAGE and day not in desired:
            to_delete.append(row)
    # ignore_conflicts: a concurrent seed inserting the same day is harmless.
    CalendarDay.objects.bulk_create(to_create, ignore_conflicts=True)
    CalendarDay.objects.bulk_update(to_update, ["kind", "name"])
    CalendarDay.objects.filter(pk__in=[row.pk for row in to_delete]).delete()

    now = timezone.now()
    new_years = [
        CalendarYear(year=year, confirmed=True, source=CalendarSource.PACKAGE, confirmed_at=now)
        for year in years
        if year not in year_rows
    ]
    CalendarYear.objects.bulk_create(new_years, ignore_conflicts=True)
    # A year an administrator started editing but never confirmed is confirmed by the
    # package's official schedule; their day rows stay on top of it.
    newly_confirmed = [row for row in year_rows.values() if not row.confirmed]
    for row in newly_confirmed:
        row.confirmed, row.source, row.confirmed_at = True, CalendarSource.PACKAGE, now
    CalendarYear.objects.bulk_update(newly_confirmed, ["confirmed", "source", "confirmed_at"])
    confirmed_years = tuple(sorted([row.year for row in new_years + newly_confirmed]))

    changed_days = [row.date for row in to_create + to_update + to_delete]
    if not changed_days and not confirmed_years:
        return CalendarSeedResult(0, 0, 0, (), None)
    bounds = changed_days + [datetime.date(year, 1, 1) for year in confirmed_years]
    bounds += [datetime.date(year, 12, 31) for year in confirmed_years]
    summary = _(
        "Official schedules of %(first)s–%(last)s loaded from the bundled package: "
        "%(created)s days added, %(updated)s changed, %(deleted)s removed."
    ) % {
        "first": years[0],
        "last": years[-1],
        "created": len(to_create),
        "updated": len(to_update),
        "deleted": len(to_delete),
    }
    revision = _calendar_revision_record(
        actor=actor,
        summary=summary,
        first_date=min(bounds),
        last_date=max(bounds),
        detail={
            "source": CalendarSource.PACKAGE.value,
            "created": len(to_create),
            "updated": len(to_update),
            "deleted": len(to_delete),
            "years_confirmed": list(confirmed_years),
        },
    )
    return CalendarSeedResult(
        len(to_create), len(to_update), len(to_delete), confirmed_years, revision
    )


def _day_state(row: CalendarDay | None) -> dict:
    if row is None:
        return {}
    return {"kind": row.kind, "name": row.name, "source": row.source}


def _check_calendar_year(year: int) -> None:
    if not working_days.FIRST_YEAR <= year <= working_days.LAST_YEAR:
        raise DomainError(
            _("The calendar covers the years %(first)s to %(last)s.")
            % {"first": working_days.FIRST_YEAR, "last": working_days.LAST_YEAR}
        )


def _differs_without_row(day: datetime.date) -> bool:
    """Would this day differ from the Monday–Friday rule if it had no stored row? (The package
    re-seeds a missing row; an unconfirmed year applies the statutory holidays.)"""
    if day in _package_schedule()[0]:
        return True
    confirmed = CalendarYear.objects.filter(year=day.year, confirmed=True).exists()
    return not confirmed and day in working_days.statutory_holidays(day.year)


@transaction.atomic
def calendar_day_set(
    *, actor: User | None, date: datetime.date, kind: str | None, name: str = ""
) -> CalendarRevision | None:
    """SPEC §9: administrators keep the calendar in the browser: one day becomes a holiday
    (with its name), a make-up working day (调休, a Saturday or Sunday) or an ordinary day (the
    Monday–Friday rule, overriding the bundled schedule and the statutory rule). Returns the
    revision, or None when nothing changed."""
    _calendar_require(actor, CalendarDay)
    _check_calendar_year(date.year)
    kind = DayKind(kind) if kind else DayKind.ORDINARY
    name = (name or "").strip()
    if kind == DayKind.HOLIDAY and not name:
        raise DomainError(_("Give the holiday its name, for example 国庆节."))
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        raise DomainError(
            _("A make-up working day is a Saturday or Sunday; %(date)s is a %(weekday)s.")
            % {"date": date.isoformat(), "weekday": date_format(date, "l")}
        )
    if len(name) > CalendarDay._meta.get_field("name").max_length:
        raise DomainError(_("The name is too long (at most 50 characters)."))
    if kind == DayKind.ORDINARY:
        name = ""
    row = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = _day_state(row)
    if kind == DayKind.ORDINARY and not _differs_without_row(date):
        if row is None:
            return None
        row.delete()
        after = {}
    else:
        if row is None:
            row = CalendarDay(date=date)
        row.kind, row.name, row.source = kind, name, CalendarSource.ADMINISTRATOR
        if before == _day_state(row):
            return None
        row.save()
        after = _day_state(row)
    label = f"{kind.label} {name}".strip()
    summary = _("%(date)s set to: %(what)s.") % {"date": date.isoformat(), "what": label}
    return _calendar_revision_record(
        actor=actor,
        summary=summary,
        first_date=date,
        last_date=date,
        detail={"date": date.isoformat(), "before": before, "after": after},
    )


@dataclass(frozen=True)
class HolidayRange:
    first: datetime.date
    last: datetime.date
    name: str


@dataclass(frozen=True)
class MakeUpDay:
    date: datetime.date
    name: str = ""


class ScheduleError(DomainError):
    """A schedule that cannot be entered; `messages` says every reason at once."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def _schedule_problems(
    year: int, holidays: list[HolidayRange], workdays: list[MakeUpDay]
) -> list[str]:
    problems = []
    earliest = datetime.date(year - 1, 12, 1)
    latest = datetime.date(year, 12, 31)
    max_name = CalendarDay._meta.get_field("name").max_length
    if not holidays:
        problems.append(_("Enter at least one holiday of %(year)s.") % {"year": year})
    taken: dict[datetime.date, str] = {}
    for holiday in holidays:
        facts = {
            "name": holiday.name or "?",
            "first": holiday.first.isoformat(),
            "last": holiday.last.isoformat(),
            "year": year,
        }
        if not holiday.name:
            problems.append(
                _("The holiday %(first)s – %(last)s needs a name, for example 国庆节.") % facts
            )
        elif len(holiday.name) > max_name:
            problems.append(_("The name “%(name)s” is too long (at most 50 characters).") % facts)
        if holiday.first > holiday.last:
            problems.append(
                _("%(name)s: the first day %(first)s is after the last day %(last)s.") % facts
            )
            continue
        if holiday.first < earliest or holiday.last > latest:
            problems.append(
                _(
                    "%(name)s: %(first)s – %(last)s is not in %(year)s (only the days around "
                    "New Year's Day may fall in the December before)."
                )
                % facts
            )
            continue
        if (holiday.last - holiday.first).days > 31:
            problems.append(_("%(name)s: a holiday of more than a month is not plausible.") % facts)
            continue
        day = holiday.first
        while day <= holiday.last:
            if day in taken:
                problems.append(
                    _("%(date)s is in two holidays: %(first)s and %(second)s.")
                    % {"date": day.isoformat(), "first": taken[day], "second": holiday.name}
                )
                break
            taken[day] = holiday.name
            day += datetime.timedelta(days=1)
    seen: set[datetime.date] = set()
    for workday in workdays:
        facts = {"date": workday.date.isoformat(), "year": year}
        if workday.date in seen:
            problems.append(_("%(date)s is listed twice as a make-up working day.") % facts)
            continue
        seen.add(workday.date)
        if workday.date < earliest or workday.date > latest:
            problems.append(
                _(
                    "The make-up working day %(date)s is not in %(year)s (only the days around "
                    "New Year's Day may fall in the December before)."
                )
                % facts
            )
        elif workday.date.weekday() < 5:
            problems.append(
                _("%(date)s is a %(weekday)s: a make-up working day is a Saturday or Sunday.")
                % {**facts, "weekday": date_format(workday.date, "l")}
            )
        if workday.date in taken:
            problems.append(
                _("%(date)s is both a holiday (%(name)s) and a make-up working day.")
                % {**facts, "name": taken[workday.date]}
            )
        if len(workday.name) > max_name:
            problems.append(
                _("The name “%(name)s” is too long (at most 50 characters).")
                % {"name": workday.name}
            )
    return problems


def _year_confirm(*, actor: User | None, year: int) -> CalendarYear:
    row, _created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source": CalendarSource.ADMINISTRATOR}
    )
    row.confirmed = True
    row.source = CalendarSource.ADMINISTRATOR
    row.confirmed_at = timezone.now()
    row.confirmed_by = actor if actor is not None and actor.is_authenticated else None
    row.save()
    return row


@transaction.atomic
def calendar_schedule_enter(
    *,
    actor: User | None,
    year: int,
    holidays: list[HolidayRange],
    workdays: list[MakeUpDay],
    confirm: bool = True,
) -> CalendarRevision:
    """SPEC §9: "the official schedule for a year is published late in the year before, so the
    calendar must be editable by administrators". The published schedule (holiday ranges with
    names and make-up working days) replaces every stored row of that year at once; with
    `confirm`, the year is confirmed in the same change, and deadlines computed on the
    statutory rule are recomputed and lose their unconfirmed flag."""
    _calendar_require(actor, CalendarDay)
    _check_calendar_year(year)
    holidays = [
        HolidayRange(h.first, h.last, (h.name or "").strip())
        for h in sorted(holidays, key=lambda h: h.first)
    ]
    workdays = [
        MakeUpDay(w.date, (w.name or "").strip()) for w in sorted(workdays, key=lambda w: w.date)
    ]
    problems = _schedule_problems(year, holidays, workdays)
    if problems:
        raise ScheduleError(problems)
    if confirm:
        _calendar_require(actor, CalendarYear)
    rows = []
    for holiday in holidays:
        day = holiday.first
        while day <= holiday.last:
            rows.append(
                CalendarDay(
                    date=day,
                    kind=DayKind.HOLIDAY,
                    name=holiday.name,
                    source=CalendarSource.ADMINISTRATOR,
                )
            )
            day += datetime.timedelta(days=1)
    rows += [
        CalendarDay(
            date=w.date, kind=DayKind.WORKDAY, name=w.name, source=CalendarSource.ADMINISTRATOR
        )
        for w in workdays
    ]
    year_first, year_last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    CalendarDay.objects.filter(date__range=(year_first, year_last)).delete()
    CalendarDay.objects.filter(date__in=[row.date for row in rows]).delete()
    CalendarDay.objects.bulk_create(rows)
    if confirm:
        _year_confirm(actor=actor, year=year)
    holiday_days = sum(1 for row in rows if row.kind == DayKind.HOLIDAY)
    summary = _(
        "Schedule of %(year)s entered: %(holidays)s holidays (%(days)s days off), "
        "%(workdays)s make-up working days."
    ) % {
        "year": year,
        "holidays": len(holidays),
        "days": holiday_days,
        "workdays": len(workdays),
    }
    if confirm:
        confirmed_note = _("The year is confirmed.")
        summary = f"{summary} {confirmed_note}"
    detail = {
        "year": year,
        "holidays": [[h.first.isoformat(), h.last.isoformat(), h.name] for h in holidays],
        "workdays": [[w.date.isoformat(), w.name] for w in workdays],
        "confirmed": confirm,
    }
    revision = _calendar_revision_record(
        actor=actor,
        summary=summary,
        first_date=min([year_first, *(row.date for row in rows)]),
        last_date=year_last,
        detail=detail,
    )
    if confirm:
        audit_record(
            actor=actor, action=AuditAction.CALENDAR_CONFIRM, obj=revision, detail={"year": year}
        )
    return revision


@transaction.atomic
def calendar_year_confirm(*, actor: User | None, year: int) -> CalendarRevision:
    """SPEC §9: a deadline resting on a year with no confirmed schedule stays flagged "until
    the schedule is entered". Confirming says the stored days of the year are the official
    schedule; from then on the statutory rule no longer applies to it, so a year with no
    holiday entered cannot be confirmed."""
    _calendar_require(actor, CalendarYear)
    _check_calendar_year(year)
    if CalendarYear.objects.filter(year=year, confirmed=True).exists():
        raise DomainError(_("The schedule of %(year)s is already confirmed.") % {"year": year})
    year_first, year_last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if not CalendarDay.objects.filter(
        date__range=(year_first, year_last), kind=DayKind.HOLIDAY
    ).exists():
        raise DomainError(
            _(
                "Enter the published schedule of %(year)s before confirming it: no holiday "
                "of %(year)s has been entered yet."
            )
            % {"year": year}
        )
    _year_confirm(actor=actor, year=year)
    return _calendar_revision_record(
        actor=actor,
        summary=_("The schedule of %(year)s is confirmed.") % {"year": year},
        first_date=year_first,
        last_date=year_last,
        detail={"year": year},
        action=AuditAction.CALENDAR_CONFIRM,
    )


def timed_step_models() -> list[type[TimedStep]]:
    """Every concrete model with a deadline (subclasses of core.models.TimedStep)."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, TimedStep) and not model._meta.abstract and not model._meta.proxy
    ]


@transaction.atomic
def calendar_revision_apply(*, revision_id: int, actor: User | None = None) -> int:
    """SPEC §9 / issue 2 §7: "when an administrator changes the calendar, every open deadline
    that depends on the changed days is recomputed and the change is recorded". Recomputes the
    open steps (finished_at null) of every TimedStep model whose period touches the changed
    days, or whose due moment is unconfirmed or not yet computed, from the calendar as it now
    stands, and tells the holders of every step whose due moment moved (issue 9 §21). Runs
    once per revision: the row lock (skip_locked) keeps two workers apart, and applied_at
    makes a second run a no-op. Returns how many deadlines changed."""
    revision = (
        CalendarRevision.objects.select_for_update(skip_locked=True)
        .filter(pk=revision_id, applied_at=None)
        .first()
    )
    if revision is None:
        return 0
    changed_from = working_days.end_of_day(revision.first_date) - datetime.timedelta(days=1)
    changed_until = working_days.end_of_day(revision.last_date)
    window = working_days.CalendarWindow(revision.first_date, revision.last_date)
    moved = []
    changed = 0
    for model in timed_step_models():
        touched = models.Q(due_at__gt=changed_from, started_at__lte=changed_until)
        steps = model._default_manager.filter(
            touched | models.Q(due_confirmed=False) | models.Q(due_at=None),
            finished_at=None,
            deadline_days__isnull=False,
        ).order_by("pk")
        for step in steps:
            before = (step.due_at, step.due_confirmed, step.remind_at)
            working_days.apply_deadline(step, window=window)
            if (step.due_at, step.due_confirmed, step.remind_at) == before:
                continue
            step.save(update_fields=DEADLINE_FIELDS)
            changed += 1
            _deadline_moved_notify(revision=revision, step=step, before=before[0])
            moved.append(
                {
                    "model": model._meta.label_lower,
                    "id": step.pk,
                    "from": before[0].isoformat() if before[0] else None,
                    "to": step.due_at.isoformat() if step.due_at else None,
                    "confirmed": step.due_confirmed,
                }
            )
    revision.applied_at = timezone.now()
    revision.deadlines_changed = changed
    revision.save(update_fields=["applied_at", "deadlines_changed"])
    # The trail says which deadlines moved (the first thousand).
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=revision,
        detail={"deadlines_changed": changed, "moved": moved[:1000]},
    )
    return changed


def _deadline_moved_notify(
    *, revision: CalendarRevision, step: TimedStep, before: datetime.datetime | None
) -> None:
    """Issue 9 §21: the holders of a step whose due moment a calendar change moved are told
    from when to when and why (the revision's summary). Only a moved moment: a due moment that
    was not computed (a stopped clock) or only became confirmed is not news. Once per step and
    revision (the dedupe key), e-mailed after the commit (notification_send)."""
    after = step.due_at
    if before is None or after is None or before == after:
        return

    def moment(value: datetime.datetime) -> str:
        return date_format(timezone.localtime(value, working_days.SHANGHAI), "Y-m-d H:i")

    values = {
        "step": str(step),
        "before": moment(before),
        "after": moment(after),
        "reason": revision.summary,
    }
    notification_send(
        recipients=step.holders(),
        kind=NotificationKind.DEADLINE_MOVED,
        subject=_("Deadline moved: %(step)s") % values,
        body=_(
            "The deadline of %(step)s moved from %(before)s to %(after)s, because the "
            "working-day calendar changed: %(reason)s"
        )
        % values,
        url=step.holder_url(),
        dedupe_key=f"deadline-moved:{step._meta.label_lower}:{step.pk}:{revision.pk}",
    )


def calendar_revisions_apply_pending(*, actor: User | None = None) -> int:
    """The periodic sweep behind the on-commit trigger: applies every revision not applied yet,
    so a lost message is harmless. Each revision is its own transaction (calendar_revision_apply),
    so one failure does not hold back the others. Returns how many deadlines changed."""
    pending = CalendarRevision.objects.filter(applied_at=None).order_by("id")
    return sum(
        calendar_revision_apply(revision_id=revision_id, actor=actor)
        for revision_id in pending.values_list("id", flat=True)
    )


def calendar_next_year_remind(
    *, actor: User | None = None, today: datetime.date | None = None
) -> list[Notification]:
    """Issue 2 §7: "from 1 November each year, administrators are reminded until next year's
    schedule is entered" (and while the current year's is still missing). One notification per
    administrator per day: the dedupe key carries the date, so a second run sends nothing."""
    today = today or timezone.localdate(timezone=working_days.SHANGHAI)
    years = working_days.unconfirmed_years_due(today)
    if not years:
        return []
    listed = "、".join(str(year) for year in years)
    administrators = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk")
    return notification_send(
        actor=actor,
        recipients=administrators,
        kind=NotificationKind.CALENDAR_NEXT_YEAR,
        subject=_("Enter the official working-day schedule of %(years)s") % {"years": listed},
        body=_(
            "The working-day calendar has no confirmed schedule for %(years)s. Deadlines "
            "reaching it are computed from the statutory holidays only and marked unconfirmed. "
            "Enter the schedule published by the State Council and confirm the year."
        )
        % {"years": listed},
        url=reverse("core:calendar-year", args=[years[0]]),
        dedupe_key=f"calendar-schedule-missing:{listed}:{today.isoformat()}",
    )


# --- notifications ----------------------------------------------------------------------------


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str = "",
    url: str = "",
    dedupe_key: str,
    actor: User | None = None,
) -> list[Notification]:
    """Reminders reach people as notifications, exactly once: one row per active recipient,
    guarded by the unique (recipient, dedupe_key) constraint. A second call with the same key,
    even concurrent, creates nothing and sends nothing. Each new notification is e-mailed by a
    task after the commit. Returns the notifications created by this call."""
    max_key = Notification._meta.get_field("dedupe_key").max_length
    if not dedupe_key or len(dedupe_key) > max_key:
        raise ValueError(f"dedupe_key must have 1..{max_key} characters")
    kind = NotificationKind(kind)
    people = {user.pk: user for user in recipients if user.is_active}
    already = set(
        Notification.objects.filter(recipient_id__in=people, dedupe_key=dedupe_key).values_list(
            "recipient_id", flat=True
        )
    )
    created = []
    for pk, user in people.items():
        if pk in already:
            continue
        try:
            # A savepoint per row: a concurrent sender's row makes only this insert fail.
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    subject=subject[:200],
                    body=body,
                    url=url[:300],
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            continue
        created.append(notification)
        _enqueue_on_commit("notification_email_send", notification.pk)
    return created


@transaction.atomic
def notification_email_send(*, notification_id: int, actor: User | None = None) -> bool:
    """Sends a notification's e-mail at most once (emailed_at, under a row lock); a recipient
    with no e-mail address or an inactive account gets none. Returns whether it was sent."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if not recipient.email or not recipient.is_active:
        return False
    link = notification.url
    if link and not link.startswith(("http://", "https://")):
        link = f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{link}"
    body = f"{notification.body}\n\n{link}".strip() if link else notification.body
    send_mail(
        subject="[{}] {}".format(_("Qingdan"), notification.subject),
        message=body,
        from_email=None,
        recipient_list=[recipient.email],
    )
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


# Messages older than this are not e-mailed late: a reminder e-mailed days after the fact is
# noise; the inbox still holds it.
EMAIL_RETRY_WINDOW = datetime.timedelta(days=2)
# The on-commit task normally sends within seconds; the sweep waits this long before it
# steps in, so the two seldom race (and if they do, emailed_at under a row lock decides).
EMAIL_RETRY_AFTER = datetime.timedelta(minutes=5)


def notifications_email_pending(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """The periodic sweep behind notification_send's on-commit e-mail task: a message whose
    task was lost (broker down, worker stopped between the commit and the send) is e-mailed
    now, at most once (notification_email_send). Reads only recent unsent messages (partial
    index notification_email_pending). Returns how many went out."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(
            emailed_at=None,
            created_at__gte=now - EMAIL_RETRY_WINDOW,
            created_at__lte=now - EMAIL_RETRY_AFTER,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(
        1
        for notification_id in list(pending)
        if notification_email_send(notification_id=notification_id)
    )
