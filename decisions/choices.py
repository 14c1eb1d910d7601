"""Choices of decisions and enforcement disclosure (执法公示, SPEC §11)."""

from django.db import models
from django.utils.translation import pgettext_lazy

# The categories of seed 002 第二条 whose decisions go to the credit information system (seed
# 002 管理办法 第十二条: 涉及行政许可、行政处罚的信息还要导入信用信息系统); registry migration 0003
# gives them these codes in the power and approval lists.
LICENCE_CATEGORY = "01"
PENALTY_CATEGORY = "02"


class BodyKind(models.TextChoices):
    """Seed 004 一(二)6: a department's own enforcement body, or an organisation it entrusts
    (依照法律、法规或者规章的规定…委托符合法定条件的组织实施行政权力)."""

    OWN = "own", pgettext_lazy("decisions", "Own enforcement body")
    ENTRUSTED = "entrusted", pgettext_lazy("decisions", "Entrusted organisation")


class BodyState(models.TextChoices):
    """Seed 002 监督检查办法 第十一条: 审核、确认、公布本部门行政执法主体; 未经确认、公布的,
    不得开展执法活动."""

    PROPOSED = "proposed", pgettext_lazy("decisions", "Awaiting confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("decisions", "Confirmed and published")
    WITHDRAWN = "withdrawn", pgettext_lazy("decisions", "Withdrawn")


class PartyKind(models.TextChoices):
    """The kinds of party (行政相对人类别) of the 双公示 exchange."""

    ORGANISATION = "organisation", pgettext_lazy("decisions", "Legal person or other organisation")
    INDIVIDUAL_BUSINESS = "individual_business", pgettext_lazy("decisions", "Individual business")
    PERSON = "person", pgettext_lazy("decisions", "Natural person")


class PenaltyKind(models.TextChoices):
    """The kinds of administrative penalty (行政处罚法 2021 第九条)."""

    WARNING = "warning", pgettext_lazy("decisions", "Warning")
    CRITICISM = "criticism", pgettext_lazy("decisions", "Circulated criticism")
    FINE = "fine", pgettext_lazy("decisions", "Fine")
    CONFISCATE_GAINS = (
        "confiscate_gains",
        pgettext_lazy("decisions", "Confiscation of illegal gains"),
    )
    CONFISCATE_PROPERTY = (
        "confiscate_property",
        pgettext_lazy("decisions", "Confiscation of illegal property"),
    )
    SUSPEND_PERMIT = (
        "suspend_permit",
        pgettext_lazy("decisions", "Temporary withholding of a permit"),
    )
    LOWER_QUALIFICATION = (
        "lower_qualification",
        pgettext_lazy("decisions", "Lowering of a qualification grade"),
    )
    REVOKE_PERMIT = "revoke_permit", pgettext_lazy("decisions", "Revocation of a permit")
    RESTRICT_BUSINESS = (
        "restrict_business",
        pgettext_lazy("decisions", "Restriction of business activities"),
    )
    SUSPEND_BUSINESS = (
        "suspend_business",
        pgettext_lazy("decisions", "Order to suspend production or business"),
    )
    CLOSE = "close", pgettext_lazy("decisions", "Order to close")
    RESTRICT_PRACTICE = "restrict_practice", pgettext_lazy("decisions", "Restriction of practice")
    DETENTION = "detention", pgettext_lazy("decisions", "Administrative detention")
    OTHER = "other", pgettext_lazy("decisions", "Other penalty")


class DecisionState(models.TextChoices):
    """Where a decision stands. A case handled here walks 立案→调查→告知→决定→送达→执行 (seed
    003 三(二)2); one pushed or imported from a department's case system arrives decided or
    served. Publication is not a state but a fact of its own (published_at)."""

    FILED = "filed", pgettext_lazy("decisions", "Filed")
    INVESTIGATING = "investigating", pgettext_lazy("decisions", "Under investigation")
    NOTIFIED = "notified", pgettext_lazy("decisions", "Party notified")
    DECIDED = "decided", pgettext_lazy("decisions", "Decided")
    SERVED = "served", pgettext_lazy("decisions", "Served")
    EXECUTED = "executed", pgettext_lazy("decisions", "Executed and closed")
    REVOKED = "revoked", pgettext_lazy("decisions", "Revoked")


# The case stages in order, and the stage each state's record belongs to (seed 003 三(二)2:
# 从立案登记始至执行全过程实现网上传入).
CASE_ORDER = (
    DecisionState.FILED,
    DecisionState.INVESTIGATING,
    DecisionState.NOTIFIED,
    DecisionState.DECIDED,
    DecisionState.SERVED,
    DecisionState.EXECUTED,
)
BEFORE_DECISION = (DecisionState.FILED, DecisionState.INVESTIGATING, DecisionState.NOTIFIED)


class Source(models.TextChoices):
    """How a decision came in."""

    SITE = "site", pgettext_lazy("decisions", "Recorded on this site")
    CASE = "case", pgettext_lazy("decisions", "Case handled on this site")
    API = "api", pgettext_lazy("decisions", "Pushed by the department's case system")
    IMPORT = "import", pgettext_lazy("decisions", "Imported from Excel")


class RedactionReason(models.TextChoices):
    """Seed 002 监督检查办法 第十三条: 除涉及国家秘密、商业秘密和个人隐私外 … 应主动公开."""

    STATE_SECRET = "state_secret", pgettext_lazy("decisions", "State secret")
    TRADE_SECRET = "trade_secret", pgettext_lazy("decisions", "Trade secret")
    PRIVACY = "privacy", pgettext_lazy("decisions", "Personal privacy")


class StepKind(models.TextChoices):
    PUBLISH = "publish", pgettext_lazy("decisions", "Publish the decision")
    UPLOAD = "upload", pgettext_lazy("decisions", "Upload the case record")


class Transition(models.TextChoices):
    RECORD = "record", pgettext_lazy("decisions", "Recorded")
    FILE = "file", pgettext_lazy("decisions", "Case filed")
    INVESTIGATE = "investigate", pgettext_lazy("decisions", "Investigation started")
    NOTIFY = "notify", pgettext_lazy("decisions", "Party notified")
    DECIDE = "decide", pgettext_lazy("decisions", "Decided")
    SERVE = "serve", pgettext_lazy("decisions", "Served")
    EXECUTE = "execute", pgettext_lazy("decisions", "Executed and closed")
    CORRECT = "correct", pgettext_lazy("decisions", "Corrected")
    REDACT = "redact", pgettext_lazy("decisions", "Redaction recorded")
    PUBLISH = "publish", pgettext_lazy("decisions", "Published")
    REVOKE = "revoke", pgettext_lazy("decisions", "Revoked")
    UPLOAD = "upload", pgettext_lazy("decisions", "Case record uploaded")
    RECORD_NOTED = "record_noted", pgettext_lazy("decisions", "Case record noted, file to follow")
    LEGAL_REVIEW = "legal_review", pgettext_lazy("decisions", "Legal review recorded")
    COLLECTIVE = "collective", pgettext_lazy("decisions", "Collective discussion recorded")
    DEADLINE_REMINDER = "deadline_reminder", pgettext_lazy("decisions", "Reminded of the deadline")
    DEADLINE_OVERDUE = "deadline_overdue", pgettext_lazy("decisions", "Deadline passed")


class Flag(models.TextChoices):
    """What is wrong with a decision: each is an accountability ground of seed 002 监督检查办法
    第二十条 (the ground is named in the label)."""

    ITEM_NOT_IN_FORCE = (
        "item_not_in_force",
        pgettext_lazy("decisions", "Item not in force on the decision date (第二十条(四))"),
    )
    BODY_MISMATCH = (
        "body_mismatch",
        pgettext_lazy("decisions", "Body does not implement the item (第二十条(六))"),
    )
    BODY_UNPUBLISHED = (
        "body_unpublished",
        pgettext_lazy("decisions", "Body not confirmed and published (第二十条(六))"),
    )
    OFFICER_UNCERTIFIED = (
        "officer_uncertified",
        pgettext_lazy("decisions", "Officer without a valid certificate (第二十条(七))"),
    )
    PUBLISHED_LATE = (
        "published_late",
        pgettext_lazy("decisions", "Published later than 10 days after service (第十三条)"),
    )


class ReviewState(models.TextChoices):
    """A case-file review (卷宗评查, seed 002 监督检查办法 第十五条)."""

    DRAFT = "draft", pgettext_lazy("decisions", "Being prepared")
    COMMITTED = "committed", pgettext_lazy("decisions", "Draw committed")
    DRAWN = "drawn", pgettext_lazy("decisions", "Files drawn")
    FINISHED = "finished", pgettext_lazy("decisions", "Finished")


class ImportState(models.TextChoices):
    CHECKING = "checking", pgettext_lazy("decisions", "Being checked")
    CHECKED = "checked", pgettext_lazy("decisions", "Checked")
    REFUSED = "refused", pgettext_lazy("decisions", "Has errors")
    IMPORTING = "importing", pgettext_lazy("decisions", "Importing")
    DONE = "done", pgettext_lazy("decisions", "Imported")
