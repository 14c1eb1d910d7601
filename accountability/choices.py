"""Choices of accountability (责任追究, SPEC §7; seed 002 监督检查办法 第二十条–第二十二条)."""

from django.db import models
from django.utils.translation import pgettext_lazy


class Liable(models.TextChoices):
    """Who a ground holds liable: seed 002 监督检查办法 第二十条 有关部门和责任人, 第二十一条
    部门负责人和责任人, 第二十二条 责任人."""

    DEPARTMENT_AND_PERSON = (
        "department_person",
        pgettext_lazy("accountability", "The department and the person responsible"),
    )
    HEAD_AND_PERSON = (
        "head_person",
        pgettext_lazy("accountability", "The head of the department and the person responsible"),
    )
    PERSON = "person", pgettext_lazy("accountability", "The person responsible")
    UNIT = "unit", pgettext_lazy("accountability", "The unit and its leaders")


class FactKind(models.TextChoices):
    """The facts the other apps record that may call for accountability (issue 15 §1): each is
    evidence a case links to, found through that app's selectors."""

    ADJUSTMENT_OVERDUE = (
        "adjustment_overdue",
        pgettext_lazy("accountability", "Adjustment step overdue"),
    )
    ADJUSTMENT_MISSING = (
        "adjustment_missing",
        pgettext_lazy("accountability", "No adjustment applied for after a change of law"),
    )
    COMPLAINT = "complaint", pgettext_lazy("accountability", "Substantiated complaint")
    PROBLEM = "problem", pgettext_lazy("accountability", "Problem in the ledger")
    RECTIFICATION_OVERDUE = (
        "rectification_overdue",
        pgettext_lazy("accountability", "Rectification overdue"),
    )
    RECTIFICATION_NOT_FIXED = (
        "rectification_not_fixed",
        pgettext_lazy("accountability", "Rectification closed as not fixed"),
    )
    DECISION_LATE = (
        "decision_late",
        pgettext_lazy("accountability", "Decision published late or not at all"),
    )
    DECISION_FLAGGED = (
        "decision_flagged",
        pgettext_lazy(
            "accountability", "Decision by an unpublished body or an uncertified officer"
        ),
    )
    OTHER = "other", pgettext_lazy("accountability", "Other evidence")


class CaseState(models.TextChoices):
    """Issue 15 §1: opened → investigated → decided → closed."""

    OPENED = "opened", pgettext_lazy("accountability", "Opened, under investigation")
    INVESTIGATED = "investigated", pgettext_lazy("accountability", "Investigated")
    DECIDED = "decided", pgettext_lazy("accountability", "Decided")
    CLOSED = "closed", pgettext_lazy("accountability", "Closed")


class Measure(models.TextChoices):
    """行政机关公务员处分条例 (2007) 第六条 sanctions, and the lighter measures (SPEC §7)."""

    WARNING = "warning", pgettext_lazy("accountability", "Warning (警告)")
    DEMERIT = "demerit", pgettext_lazy("accountability", "Demerit (记过)")
    MAJOR_DEMERIT = "major_demerit", pgettext_lazy("accountability", "Major demerit (记大过)")
    DEMOTION = "demotion", pgettext_lazy("accountability", "Demotion (降级)")
    DISMISSAL = "dismissal", pgettext_lazy("accountability", "Removal from post (撤职)")
    EXPULSION = "expulsion", pgettext_lazy("accountability", "Expulsion (开除)")
    CRITICISM = "criticism", pgettext_lazy("accountability", "Circulated criticism (通报批评)")
    ADMONITION = "admonition", pgettext_lazy("accountability", "Admonishing talk (诫勉谈话)")
    SELF_EXAMINATION = (
        "self_examination",
        pgettext_lazy("accountability", "Order to examine oneself (责令检查)"),
    )


# 处分条例 第七条: the term of each sanction, in months; 开除 has none (it ends the service).
SANCTION_MONTHS: dict[str, int] = {
    Measure.WARNING: 6,
    Measure.DEMERIT: 12,
    Measure.MAJOR_DEMERIT: 18,
    Measure.DEMOTION: 24,
    Measure.DISMISSAL: 24,
}
# The sanctions from the lightest to the heaviest (第六条's order).
SANCTION_ORDER = (
    Measure.WARNING,
    Measure.DEMERIT,
    Measure.MAJOR_DEMERIT,
    Measure.DEMOTION,
    Measure.DISMISSAL,
    Measure.EXPULSION,
)
LIGHTER_MEASURES = (Measure.CRITICISM, Measure.ADMONITION, Measure.SELF_EXAMINATION)
# 处分条例 第十条: several sanctions of one kind (撤职 or lighter) run at most 48 months.
MAX_COMBINED_MONTHS = 48


class FileKind(models.TextChoices):
    """Seed 000 四(三): 记入个人人事档案和廉政档案."""

    PERSONNEL = "personnel", pgettext_lazy("accountability", "Personnel file (人事档案)")
    INTEGRITY = "integrity", pgettext_lazy("accountability", "Integrity file (廉政档案)")


class StepKind(models.TextChoices):
    DECIDE = "decide", pgettext_lazy("accountability", "Decide the case")


class Transition(models.TextChoices):
    OPEN = "open", pgettext_lazy("accountability", "Case opened")
    INVESTIGATOR = "investigator", pgettext_lazy("accountability", "Investigator named")
    RECUSE = "recuse", pgettext_lazy("accountability", "Investigator stood aside")
    INVESTIGATE = "investigate", pgettext_lazy("accountability", "Investigation finished")
    EXTEND = "extend", pgettext_lazy("accountability", "Period extended")
    DECIDE = "decide", pgettext_lazy("accountability", "Decided")
    CLOSE = "close", pgettext_lazy("accountability", "Closed")
    DEADLINE_REMINDER = (
        "deadline_reminder",
        pgettext_lazy("accountability", "Reminded of the deadline"),
    )
    DEADLINE_OVERDUE = "deadline_overdue", pgettext_lazy("accountability", "Deadline passed")
