from django.db import models
from django.utils.translation import gettext_lazy as _

# The sweep's notices are core's (core.services.deadlines); DeadlineNotice.kind stores them.
from core.choices import NoticeKind as NoticeKind
from core.choices import Role


class TriggerKind(models.TextChoices):
    """调整情形, seed 004 三(二): what obliges a department to adjust its lists."""

    NEW_LAW = "new_law", _("A new law, regulation or rule")
    LAW_CHANGED = "law_changed", _("A law, regulation or rule amended or repealed")
    INSTITUTIONAL = "institutional", _("A change of functions or institutions")
    SIMPLIFICATION = "simplification", _("Cancelled, delegated or adjusted under the reform")
    INTERNAL = "internal", _("An internal change of functions or process")


# Triggers that are a change of law: the request names the law (issue 4 §1).
LAW_TRIGGERS = frozenset({TriggerKind.NEW_LAW, TriggerKind.LAW_CHANGED})


class ChangeKind(models.TextChoices):
    """SPEC §4: the kinds of change one request may make to each entry."""

    ADD = "add", _("Add")
    MODIFY = "modify", _("Modify")
    CANCEL = "cancel", _("Cancel")
    DELEGATE = "delegate", _("Delegate down")
    MERGE = "merge", _("Merge")
    # 三定 (seed 004 三(二)3): the entry passes to another department of the jurisdiction.
    MOVE = "move", _("Move to another department")


class AdjustmentPath(models.TextChoices):
    """The procedure a request follows; which one is a jurisdiction's policy (SPEC §4)."""

    STANDARD = "standard", _("Five steps with lead review (seed 004)")
    FILING = "filing", _("Office adjusts directly and files with the office above (seed 003)")
    PARENT_REVIEW = (
        "parent_review",
        _("Review by the office above, then the executive meeting (seed 003)"),
    )


def path_field(trigger: str) -> str:
    """The policy field that maps a trigger to its path (AdjustmentPolicy.<trigger>_path)."""
    return f"{TriggerKind(trigger).value}_path"


class SiteUpdateStart(models.TextChoices):
    """When the department's period to update its own website and premises starts."""

    DIGITAL_FORWARD = (
        "digital_forward",
        _("With the office's sending to the digital office (seed 004 三(三)5: 同时)"),
    )
    PUBLICATION = "publication", _("From publication")


class RequestOrigin(models.TextChoices):
    DEPARTMENT = "department", _("Filed by the department")
    LAW_CHANGE = "law_change", _("Opened by a change of law")


class RequestState(models.TextChoices):
    DRAFTING = "drafting", _("Being prepared by the department")
    SUBMITTED = "submitted", _("Waiting to be forwarded")
    SUPPLEMENT = "supplement", _("Returned for supplement")
    REVIEWING = "reviewing", _("Under review")
    JOINT_REVIEW = "joint_review", _("Joint review")
    APPROVING = "approving", _("Waiting for the approval opinion")
    CONFIRMING = "confirming", _("Waiting for the department's confirmation")
    OBJECTED = "objected", _("Objection with the reform office")
    REREVIEW = "rereview", _("Under re-review")
    PARENT_REVIEW = "parent_review", _("Under review by the office above")
    MEETING = "meeting", _("Waiting for the executive meeting")
    DIGITAL_FORWARD = "digital_forward", _("Waiting to be sent to the digital office")
    PUBLISHING = "publishing", _("Waiting to be published")
    PUBLISHED = "published", _("Published, follow-up open")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINAL_STATES = frozenset({RequestState.COMPLETED, RequestState.REJECTED, RequestState.WITHDRAWN})
# The states in which the public register already shows the request's changes.
PUBLIC_STATES = frozenset({RequestState.PUBLISHED, RequestState.COMPLETED})


class StepKind(models.TextChoices):
    """The steps of seed 004 三(三) and the two paths of seed 003 三(二)5."""

    APPLY = "apply", _("Apply")
    FORWARD = "forward", _("Forward to lead review")
    REVIEW = "review", _("Review")
    JOINT_NOTICE = "joint_notice", _("Decide on a joint review")
    JOINT_REVIEW = "joint_review", _("Joint review")
    APPROVE = "approve", _("Approval opinion")
    CONFIRM = "confirm", _("Confirm the approval opinion")
    OBJECTION = "objection", _("Forward the objection to re-review")
    REREVIEW = "rereview", _("Re-review")
    SUPPLEMENT = "supplement", _("Supplement the request")
    PARENT_FORWARD = "parent_forward", _("Forward to the office above")
    PARENT_REVIEW = "parent_review", _("Review by the office above")
    MEETING = "meeting", _("Executive meeting")
    DIGITAL_FORWARD = "digital_forward", _("Send to the digital office")
    PUBLISH = "publish", _("Publish on the network")
    SITE_UPDATE = "site_update", _("Update own website and premises")
    FILING = "filing", _("File for the record")


# Who acts on each kind of step: the role of the users of the step's department.
STEP_ROLE: dict[str, Role] = {
    StepKind.APPLY: Role.CLERK,
    StepKind.FORWARD: Role.OFFICE,
    StepKind.REVIEW: Role.REVIEWER,
    StepKind.JOINT_NOTICE: Role.REVIEWER,
    StepKind.JOINT_REVIEW: Role.OFFICE,
    StepKind.APPROVE: Role.OFFICE,
    StepKind.CONFIRM: Role.CLERK,
    StepKind.OBJECTION: Role.OFFICE,
    StepKind.REREVIEW: Role.REVIEWER,
    StepKind.SUPPLEMENT: Role.CLERK,
    StepKind.PARENT_FORWARD: Role.OFFICE,
    StepKind.PARENT_REVIEW: Role.OFFICE,
    StepKind.MEETING: Role.OFFICE,
    StepKind.DIGITAL_FORWARD: Role.OFFICE,
    StepKind.PUBLISH: Role.DIGITAL,
    StepKind.SITE_UPDATE: Role.CLERK,
    StepKind.FILING: Role.OFFICE,
}


def step_kinds_of(role: Role | str | None) -> list[str]:
    return [kind for kind, step_role in STEP_ROLE.items() if step_role == role]


class StepOutcome(models.TextChoices):
    DONE = "done", _("Done")
    AGREED = "agreed", _("Agreed")
    AGREED_WITH_CHANGES = "agreed_with_changes", _("Agreed with changes")
    DISAGREED = "disagreed", _("Disagreed")
    JOINT = "joint", _("Passed to a joint review")
    NO_JOINT = "no_joint", _("No joint review needed")
    APPROVED = "approved", _("Approved")
    CONFIRMED = "confirmed", _("Confirmed")
    OBJECTED = "objected", _("Objected")
    RETURNED = "returned", _("Returned for supplement")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Ended without action")


class ReviewConclusion(models.TextChoices):
    """A lead reviewer's (and the joint review's) conclusion (seed 004 三(三)3)."""

    AGREE = "agreed", _("Agree")
    AGREE_WITH_CHANGES = "agreed_with_changes", _("Agree with changes")
    DISAGREE = "disagreed", _("Disagree")


class Transition(models.TextChoices):
    """Every action on a request; each is one service in adjustments.services."""

    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    SUBMIT = "submit", _("Submitted")
    RESUBMIT = "resubmit", _("Resubmitted after supplement")
    WITHDRAW = "withdraw", _("Withdrawn")
    EXTENSION_REQUEST = "extension_request", _("Extension requested")
    EXTEND = "extend", _("Application period extended")
    FORWARD = "forward", _("Forwarded to lead review")
    RETURN = "return", _("Returned for supplement")
    REJECT = "reject", _("Rejected")
    REVIEW = "review", _("Review opinion given")
    JOINT_REQUEST = "joint_request", _("Joint review requested")
    JOINT_DECLINE = "joint_decline", _("No joint review needed")
    JOINT_CONVENE = "joint_convene", _("Joint review convened")
    JOINT_CONCLUDE = "joint_conclude", _("Joint review opinion given")
    APPROVE = "approve", _("Approval opinion issued")
    CONFIRM = "confirm", _("Approval opinion confirmed")
    OBJECT = "object", _("Objection raised")
    OBJECTION_FORWARD = "objection_forward", _("Objection forwarded to re-review")
    REREVIEW = "rereview", _("Re-review opinion given")
    PARENT_FORWARD = "parent_forward", _("Forwarded to the office above")
    PARENT_REVIEW = "parent_review", _("Reviewed by the office above")
    MEETING = "meeting", _("Executive meeting decision recorded")
    DIGITAL_FORWARD = "digital_forward", _("Sent to the digital office")
    PUBLISH = "publish", _("Published")
    SITE_UPDATE = "site_update", _("Own website and premises updated")
    FILE = "file", _("Filed for the record")
    MESSAGE = "message", _("Message")
    DEADLINE_REMINDER = "deadline_reminder", _("Reminder sent")
    DEADLINE_OVERDUE = "deadline_overdue", _("Marked overdue")


# Seed 004 三(三)3 审核 "主动与申请单位沟通对接": while these last, the lead reviewers and the
# applying department exchange messages on the request.
TALK_STATES = frozenset({RequestState.REVIEWING, RequestState.JOINT_REVIEW, RequestState.REREVIEW})
# The steps that make a department one of a request's lead reviewers.
REVIEW_STEPS = frozenset({StepKind.REVIEW, StepKind.REREVIEW})
