from django.db import models
from django.utils.translation import gettext_lazy as _


class JurisdictionLevel(models.TextChoices):
    """SPEC §2: city → district/county → town/subdistrict → community (seed 003 四级联动). A
    province above its cities is for a register kept at province scale (issue 11)."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District or county")
    TOWN = "town", _("Town or subdistrict")
    COMMUNITY = "community", _("Community")


# The level a child may have, given its parent's level.
CHILD_LEVEL = {
    JurisdictionLevel.PROVINCE: JurisdictionLevel.CITY,
    JurisdictionLevel.CITY: JurisdictionLevel.DISTRICT,
    JurisdictionLevel.DISTRICT: JurisdictionLevel.TOWN,
    JurisdictionLevel.TOWN: JurisdictionLevel.COMMUNITY,
}


class DepartmentFunction(models.TextChoices):
    GENERAL = "general", _("Department")
    REFORM_OFFICE = "reform_office", _("Reform office")
    LEAD_REVIEWER = "lead_reviewer", _("Lead review department")
    DIGITAL_OFFICE = "digital_office", _("Digital office")
    SUPERVISION = "supervision", _("Discipline and supervision")


class ReviewField(models.TextChoices):
    """The five fields of seed 004 三(一)2 in which requests are forwarded for review."""

    ESTABLISHMENT = "establishment", _("Institutional establishment")
    LEGAL = "legal", _("Legal affairs")
    SERVICE = "service", _("Government services")
    FINANCE = "finance", _("Finance")
    DEVELOPMENT = "development", _("Development and reform")


class PersonDuty(models.TextChoices):
    HEAD = "head", _("Person in charge")
    HANDLER = "handler", _("Handler")
    OFFICER = "officer", _("Enforcement officer")


class Role(models.TextChoices):
    """SPEC §1. The public has no account: anonymous visitors are the public."""

    CLERK = "clerk", _("Department clerk")
    OFFICE = "office", _("Reform office")
    REVIEWER = "reviewer", _("Lead reviewer")
    DIGITAL = "digital", _("Digital office")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


# The department function a role's department must carry (None: any department).
ROLE_DEPARTMENT_FUNCTION = {
    Role.CLERK: None,
    Role.OFFICE: DepartmentFunction.REFORM_OFFICE,
    Role.REVIEWER: DepartmentFunction.LEAD_REVIEWER,
    Role.DIGITAL: DepartmentFunction.DIGITAL_OFFICE,
    Role.SUPERVISOR: DepartmentFunction.SUPERVISION,
    Role.ADMINISTRATOR: None,
}


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Make-up working day")
    # An administrator's override back to the Monday–Friday rule, e.g. for a day the bundled
    # schedule or the statutory rule marks off; re-seeding from the package never undoes it.
    ORDINARY = "ordinary", _("Ordinary day")


class CalendarSource(models.TextChoices):
    PACKAGE = "package", _("Official schedule bundled with the software")
    ADMINISTRATOR = "administrator", _("Entered by an administrator")


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working", _("Working days")
    CALENDAR_DAYS = "calendar", _("Calendar days")
    # Seed 003 三(二)2: a case record made on paper is uploaded "within 24 hours".
    HOURS = "hours", _("Hours")
    # 行政机关公务员处分条例 第四十四条: a case is decided "within 6 months" (Civil Code art. 202).
    MONTHS = "months", _("Months")


# The units a period of days may be set in (policies, the deadline calculator): hours are for
# the one rule that counts them.
DAY_UNITS = [
    (DeadlineUnit.WORKING_DAYS.value, DeadlineUnit.WORKING_DAYS.label),
    (DeadlineUnit.CALENDAR_DAYS.value, DeadlineUnit.CALENDAR_DAYS.label),
]


class SkipReason(models.TextChoices):
    WEEKEND = "weekend", _("Weekend")
    HOLIDAY = "holiday", _("Holiday")
    STATUTORY_HOLIDAY = "statutory_holiday", _("Statutory holiday (schedule not yet published)")
    # The period did not run: e.g. a request returned to the department for supplement.
    CLOCK_STOPPED = "clock_stopped", _("Clock stopped")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    CALENDAR_CHANGE = "calendar_change", _("Calendar changed")
    CALENDAR_CONFIRM = "calendar_confirm", _("Calendar year confirmed")
    TRANSITION = "transition", _("Workflow step")


class NoticeKind(models.TextChoices):
    """The deadline sweep's notices of a timed step (core.services.deadline_notices_send)."""

    REMINDER = "reminder", _("Reminder one working day before due")
    OVERDUE = "overdue", _("Overdue")


class NotificationKind(models.TextChoices):
    CALENDAR_NEXT_YEAR = "calendar_next_year", _("Next year's schedule missing")
    DEADLINE_REMINDER = "deadline_reminder", _("Deadline tomorrow")
    DEADLINE_OVERDUE = "deadline_overdue", _("Deadline passed")
    DEADLINE_MOVED = "deadline_moved", _("Deadline moved by a calendar change")
    TASK_ASSIGNED = "task_assigned", _("New task")
    PROGRESS = "progress", _("Progress of a procedure")
