from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentSource(models.TextChoices):
    """Where an inspection content (检查内容) is written down."""

    JOINT = "joint", _("Seed 002, joint inspection rules, art. 4")
    SUPERVISION = "supervision", _("Seed 002, supervision and inspection rules, art. 14")
    RESPONSIBILITY = "responsibility", _("Seed 004, part 2 (2)")
    LOCAL = "local", _("Added by the jurisdiction")


class PlanMode(models.TextChoices):
    """Seed 002 联合督查办法 第五条 and 监督检查办法 第十五条: the ways of inspecting."""

    SPECIAL = "special", _("Special inspection")
    RANDOM = "random", _("Random spot check")
    QUARTERLY = "quarterly", _("Quarterly evaluation")
    SELF = "self", _("Self-inspection")


class Occasion(models.TextChoices):
    """What a special inspection is about (seed 002 联合督查办法 第五条(一))."""

    HOT_SPOT = "hot_spot", _("Hot spots people report")
    COMPLAINTS = "complaints", _("Complaints")
    HOLIDAYS = "holidays", _("Before and after holidays")
    MEDIA = "media", _("Media reports")
    SUPERIOR = "superior", _("Areas the authorities above watch")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMMITTED = "committed", _("Commitment published")
    DRAWN = "drawn", _("Drawn")
    UNDER_WAY = "under_way", _("Under way")
    FINISHED = "finished", _("Plan finished")
    CANCELLED = "cancelled", _("Cancelled")


class DrawState(models.TextChoices):
    COMMITTED = "committed", _("Committed, not yet drawn")
    DRAWN = "drawn", _("Drawn")
    SUPERSEDED = "superseded", _("Replaced by a re-draw")


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NOTIFIED = "notified", _("Unit notified")
    UNDER_WAY = "under_way", _("Under way")
    FINISHED = "finished", _("Findings told")
    PUBLISHED = "published", _("Result published")
    REPLACED = "replaced", _("Replaced by a re-draw")


class RecordKind(models.TextChoices):
    """Seed 004 二(三): the procedure's steps, each recorded with its date, actor and files."""

    NOTICE = "notice", _("Written notice to the unit")
    REPORT = "report", _("The unit's report")
    MEETING = "meeting", _("Meeting")
    INTERVIEW = "interview", _("Interview")
    MATERIALS = "materials", _("Materials reviewed")
    FEEDBACK = "feedback", _("Oral feedback and preliminary requirements")


class Material(models.TextChoices):
    """Seed 004 二(三)5: the materials an inspection reviews."""

    STUDY = "study", _("Study records of the lists")
    DOCUMENTS = "documents", _("Documents implementing the lists")
    PUBLICITY = "publicity", _("Publicity of the lists")
    SUPERVISION = "supervision", _("Documents on in-process and after-the-fact supervision")
    EVALUATION = "evaluation", _("Public evaluation of service commitments")
    COMPLAINTS = "complaints", _("Complaint handling")


class ProblemSource(models.TextChoices):
    INSPECTION = "inspection", _("Inspection finding")
    COMPLAINT = "complaint", _("Substantiated complaint")
    SOCIAL = "social", _("Social supervision")
    MEDIA = "media", _("Media")
    SELF = "self", _("Self-inspection")
    REGISTER = "register", _("Found in the register")
    # Seed 002 监督检查办法 第十五条: 卷宗评查 (decisions.services.reviews).
    CASE_REVIEW = "case_review", _("Case-file review")


class Reporter(models.TextChoices):
    """Seed 002 管理办法 第十七条: the six-party social supervision (六位一体)."""

    DEPUTY = "deputy", _("People's congress deputy")
    CPPCC = "cppcc", _("CPPCC member")
    GRID = "grid", _("Grid head")
    RESIDENT = "resident", _("Residents' representative")
    VOLUNTEER = "volunteer", _("Volunteer")
    PRESS = "press", _("News media")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    ORDINARY = "ordinary", _("Ordinary")
    SERIOUS = "serious", _("Serious")


class ProblemState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by the register")
    OPEN = "open", _("Open, to rectify")
    NOTIFIED = "notified", _("Rectification notice issued")
    RECTIFIED = "rectified", _("Rectified")
    NOT_FIXED = "not_fixed", _("Closed, not fixed")
    DISMISSED = "dismissed", _("Dismissed")


class Flag(models.TextChoices):
    """Seed 002 联合督查办法 第六条: hot, hard and sensitive problems (热点、难点、敏感点) go to
    the quarterly review (管理办法 第十六条)."""

    HOT = "hot", _("Hot")
    HARD = "hard", _("Hard")
    SENSITIVE = "sensitive", _("Sensitive")


class NoticeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued, rectifying")
    REPORTED = "reported", _("Rectification reported")
    ACCEPTED = "accepted", _("Rectification accepted")
    NOT_FIXED = "not_fixed", _("Closed, not fixed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class StepKind(models.TextChoices):
    RECTIFY = "rectify", _("Rectify and report")
    VERIFY = "verify", _("Verify the rectification")
    PUBLISH = "publish", _("Publish the result")


class Transition(models.TextChoices):
    # Plans and draws.
    PLAN_CREATE = "plan_create", _("Create the plan")
    PLAN_START = "plan_start", _("Name a unit to inspect")
    COMMIT = "commit", _("Publish the commitment")
    DRAW = "draw", _("Draw")
    REDRAW = "redraw", _("Re-draw")
    CANCEL = "cancel", _("Cancel the plan")
    CONFLICT = "conflict", _("Declare a conflict")
    # Inspections.
    INSPECTION_NOTIFY = "notify", _("Send the written notice")
    INSPECTION_RECORD = "record", _("Record a step")
    INSPECTION_FINISH = "finish", _("Tell the findings")
    INSPECTION_PUBLISH = "publish", _("Publish the result")
    # Problems.
    PROBLEM_RECORD = "problem_record", _("Record the problem")
    PROBLEM_PROPOSE = "problem_propose", _("Propose from the register")
    PROBLEM_CONFIRM = "problem_confirm", _("Confirm the problem")
    PROBLEM_DISMISS = "problem_dismiss", _("Dismiss the problem")
    PROBLEM_FLAG = "problem_flag", _("Mark for the quarterly review")
    # Rectification notices.
    NOTICE_DRAFT = "notice_draft", _("Draft the notice")
    NOTICE_ISSUE = "notice_issue", _("Issue the notice")
    NOTICE_WITHDRAW = "notice_withdraw", _("Withdraw the notice")
    NOTICE_REPORT = "notice_report", _("Report the rectification")
    MILESTONE = "milestone", _("Report progress on a milestone")
    NOTICE_ACCEPT = "notice_accept", _("Accept the rectification")
    NOTICE_RETURN = "notice_return", _("Return with reasons")
    NOTICE_NOT_FIXED = "notice_not_fixed", _("Close as not fixed")
    ESCALATE = "escalate", _("Report to the office")
    DEADLINE_REMINDER = "deadline_reminder", _("Reminder sent")
    DEADLINE_OVERDUE = "deadline_overdue", _("Overdue notice sent")
    # Reports.
    REPORT_PUBLISH = "report_publish", _("Publish the report")


class AssessmentKind(models.TextChoices):
    """Seed 002 管理办法 第十九条: what goes into the unit's assessment ledger."""

    OVERDUE = "overdue", _("Rectification overdue")
    NOT_FIXED = "not_fixed", _("Rectification not fixed")


OPEN_PROBLEM_STATES = frozenset({ProblemState.OPEN, ProblemState.NOTIFIED})
OPEN_NOTICE_STATES = frozenset({NoticeState.ISSUED, NoticeState.REPORTED})
