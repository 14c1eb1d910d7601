"""Choices of decisions and enforcement disclosure (执法公示, SPEC §11)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The categories of seed 002 第二条 whose decisions go to the credit information system (seed
# 002 管理办法 第十二条: 涉及行政许可、行政处罚的信息还要导入信用信息系统); registry migration 0003
# gives them these codes in the power and approval lists.
LICENCE_CATEGORY = "01"
PENALTY_CATEGORY = "02"


class BodyKind(models.TextChoices):
    """Seed 004 一(二)6: a department's own enforcement body, or an organisation it entrusts
    (依照法律、法规或者规章的规定…委托符合法定条件的组织实施行政权力)."""

    OWN = "own", _("Own enforcement body")
    ENTRUSTED = "entrusted", _("Entrusted organisation")


class BodyState(models.TextChoices):
    """Seed 002 监督检查办法 第十一条: 审核、确认、公布本部门行政执法主体; 未经确认、公布的,
    不得开展执法活动."""

    PROPOSED = "proposed", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed and published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PartyKind(models.TextChoices):
    """The kinds of party (行政相对人类别) of the 双公示 exchange."""

    ORGANISATION = "organisation", _("Legal person or other organisation")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    PERSON = "person", _("Natural person")


class PenaltyKind(models.TextChoices):
    """The kinds of administrative penalty (行政处罚法 2021 第九条)."""

    WARNING = "warning", _("Warning")
    CRITICISM = "criticism", _("Circulated criticism")
    FINE = "fine", _("Fine")
    CONFISCATE_GAINS = "confiscate_gains", _("Confiscation of illegal gains")
    CONFISCATE_PROPERTY = "confiscate_property", _("Confiscation of illegal property")
    SUSPEND_PERMIT = "suspend_permit", _("Temporary withholding of a permit")
    LOWER_QUALIFICATION = "lower_qualification", _("Lowering of a qualification grade")
    REVOKE_PERMIT = "revoke_permit", _("Revocation of a permit")
    RESTRICT_BUSINESS = "restrict_business", _("Restriction of business activities")
    SUSPEND_BUSINESS = "suspend_business", _("Order to suspend production or business")
    CLOSE = "close", _("Order to close")
    RESTRICT_PRACTICE = "restrict_practice", _("Restriction of practice")
    DETENTION = "detention", _("Administrative detention")
    OTHER = "other", _("Other penalty")


class DecisionState(models.TextChoices):
    """Where a decision stands. A case handled here walks 立案→调查→告知→决定→送达→执行 (seed
    003 三(二)2); one pushed or imported from a department's case system arrives decided or
    served. Publication is not a state but a fact of its own (published_at)."""

    FILED = "filed", _("Filed")
    INVESTIGATING = "investigating", _("Under investigation")
    NOTIFIED = "notified", _("Party notified")
    DECIDED = "decided", _("Decided")
    SERVED = "served", _("Served")
    EXECUTED = "executed", _("Executed and closed")
    REVOKED = "revoked", _("Revoked")


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

    SITE = "site", _("Recorded on this site")
    CASE = "case", _("Case handled on this site")
    API = "api", _("Pushed by the department's case system")
    IMPORT = "import", _("Imported from Excel")


class RedactionReason(models.TextChoices):
    """Seed 002 监督检查办法 第十三条: 除涉及国家秘密、商业秘密和个人隐私外 … 应主动公开."""

    STATE_SECRET = "state_secret", _("State secret")
    TRADE_SECRET = "trade_secret", _("Trade secret")
    PRIVACY = "privacy", _("Personal privacy")


class StepKind(models.TextChoices):
    PUBLISH = "publish", _("Publish the decision")
    UPLOAD = "upload", _("Upload the case record")


class Transition(models.TextChoices):
    RECORD = "record", _("Recorded")
    FILE = "file", _("Case filed")
    INVESTIGATE = "investigate", _("Investigation started")
    NOTIFY = "notify", _("Party notified")
    DECIDE = "decide", _("Decided")
    SERVE = "serve", _("Served")
    EXECUTE = "execute", _("Executed and closed")
    CORRECT = "correct", _("Corrected")
    REDACT = "redact", _("Redaction recorded")
    PUBLISH = "publish", _("Published")
    REVOKE = "revoke", _("Revoked")
    UPLOAD = "upload", _("Case record uploaded")
    LEGAL_REVIEW = "legal_review", _("Legal review recorded")
    COLLECTIVE = "collective", _("Collective discussion recorded")
    DEADLINE_REMINDER = "deadline_reminder", _("Reminded of the deadline")
    DEADLINE_OVERDUE = "deadline_overdue", _("Deadline passed")


class Flag(models.TextChoices):
    """What is wrong with a decision: each is an accountability ground of seed 002 监督检查办法
    第二十条 (the ground is named in the label)."""

    ITEM_NOT_IN_FORCE = (
        "item_not_in_force",
        _("Item not in force on the decision date (第二十条(四))"),
    )
    BODY_MISMATCH = "body_mismatch", _("Body does not implement the item (第二十条(六))")
    BODY_UNPUBLISHED = "body_unpublished", _("Body not confirmed and published (第二十条(六))")
    OFFICER_UNCERTIFIED = (
        "officer_uncertified",
        _("Officer without a valid certificate (第二十条(七))"),
    )
    PUBLISHED_LATE = "published_late", _("Published later than 10 days after service (第十三条)")


class ReviewState(models.TextChoices):
    """A case-file review (卷宗评查, seed 002 监督检查办法 第十五条)."""

    DRAFT = "draft", _("Being prepared")
    COMMITTED = "committed", _("Draw committed")
    DRAWN = "drawn", _("Files drawn")
    FINISHED = "finished", _("Finished")


class ImportState(models.TextChoices):
    CHECKING = "checking", _("Being checked")
    CHECKED = "checked", _("Checked")
    REFUSED = "refused", _("Has errors")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
