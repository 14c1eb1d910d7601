"""Complaints (投诉处理, SPEC §5, seed 004 五, seed 002 第十三条): the grounds, refusals, channels
and states, worded as the seeds word them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The sweep's notices are core's (core.services.deadlines); DeadlineNotice.kind stores them.
from core.choices import NoticeKind as NoticeKind
from core.choices import Role


class Ground(models.TextChoices):
    """受理范围, seed 004 五(二)1 (1)–(9), and "other" for what the complainant cannot place."""

    UNLISTED_POWER = "g1", _("(1) Exercising, openly or in disguise, a power not on the lists")
    CANCELLED_VIA_SUBORDINATE = (
        "g2",
        _("(2) Having a subordinate unit or another body keep exercising a cancelled matter"),
    )
    CANCELLED_CONTINUED = (
        "g3",
        _("(3) Continuing in any form a power that was cancelled, adjusted or delegated down"),
    )
    DISGUISED_APPROVAL = (
        "g4",
        _("(4) Turning a filing or a public service into an approval in disguise"),
    )
    UNLAWFUL_BODY = (
        "g5",
        _(
            "(5) Handing licensing or penalties, without a basis in law, to a public institution "
            "or another body not entitled to them"
        ),
    )
    NEEDLESS_FORMALITIES = (
        "g6",
        _("(6) Keeping, without a basis in law, needless formalities and certificates"),
    )
    NOT_AS_LISTED = (
        "g7",
        _(
            "(7) Not exercising a listed power, or not as the list registers it (name, basis, "
            "body, flow, time limit) and its rules require"
        ),
    )
    RESPONSIBILITY_NOT_PERFORMED = (
        "g8",
        _(
            "(8) Not performing, or not performing correctly, the responsibility of a listed "
            "power, or not providing a public service as the list says"
        ),
    )
    FEE_BEYOND_LIST = (
        "g9",
        _("(9) Collecting beyond the fee and fund lists (kind, period, amount, payers or scope)"),
    )
    OTHER = "other", _("Other")


class RefusalGround(models.TextChoices):
    """不予受理情形, seed 004 五(二)2 (1)–(5), told to the complainant with the reason; and the
    petition regulation's end of the road (信访工作条例 art. 36: after the second review the same
    matter is not accepted again)."""

    IN_LEGAL_PROCEDURE = (
        "r1",
        _(
            "(1) The matter is in administrative reconsideration, litigation or another legal "
            "procedure, or was dealt with there"
        ),
    )
    HIGHER_GOVERNMENT = (
        "r2",
        _("(2) A higher government or its department accepted or dealt with the matter"),
    )
    OTHER_BODY = (
        "r3",
        _("(3) Supervision, petition or another body accepted or dealt with the matter"),
    )
    REPEAT = (
        "r4",
        _("(4) A repeat complaint with no new facts or reasons after an answer was given"),
    )
    OTHER_LAWFUL = "r5", _("(5) Another lawful ground for not accepting it")
    REVIEWS_EXHAUSTED = (
        "exhausted",
        _("The same matter was reviewed twice and is not accepted again (信访工作条例 art. 36)"),
    )


class Channel(models.TextChoices):
    """Seed 004 五(二)3–4 and SPEC §5: how a complaint reached the jurisdiction."""

    ONLINE = "online", _("Online")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")


STAFF_CHANNELS = tuple(channel for channel in Channel if channel != Channel.ONLINE)


class ComplainantKind(models.TextChoices):
    """Seed 004 五(二)1: 公民、法人或者其他组织."""

    CITIZEN = "citizen", _("Citizen")
    LEGAL_PERSON = "legal_person", _("Legal person")
    ORGANISATION = "organisation", _("Other organisation")


class IdType(models.TextChoices):
    """The identity document shown in person (SPEC §5: 在现场出示身份证件)."""

    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreign permanent resident ID card")
    OTHER = "other", _("Other identity document")


class AcceptanceBy(models.TextChoices):
    """Who accepts a complaint: the office of the jurisdiction (the default), or the department
    the complaint is about (a jurisdiction's policy, issue 12 §4)."""

    OFFICE = "office", _("The reform office of the jurisdiction")
    DEPARTMENT = "department", _("The department complained about")


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("Received, awaiting acceptance")
    HANDLING = "handling", _("Accepted, being handled")
    REASSIGNING = "reassigning", _("Being passed to the responsible body")
    ANSWERED = "answered", _("Answered, answer under review by the office")
    CLOSED = "closed", _("Closed with an answer")
    REVIEWING = "reviewing", _("Under review")
    REFUSED = "refused", _("Not accepted")
    MERGED = "merged", _("Merged with an earlier complaint")


FINAL_STATES = frozenset({ComplaintState.REFUSED, ComplaintState.MERGED})
# States in which the complaint waits on staff (the open ones).
OPEN_STATES = frozenset(
    {
        ComplaintState.RECEIVED,
        ComplaintState.HANDLING,
        ComplaintState.REASSIGNING,
        ComplaintState.ANSWERED,
        ComplaintState.REVIEWING,
    }
)


class Outcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")
    PARTLY = "partly", _("Partly substantiated")
    NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")


FOUND_OUTCOMES = frozenset({Outcome.SUBSTANTIATED, Outcome.PARTLY})


class Rating(models.TextChoices):
    """信访工作条例 art. 21 (SPEC §5): the complainant rates the handling."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class ReviewDecision(models.TextChoices):
    UPHELD = "upheld", _("The answer is upheld")
    CHANGED = "changed", _("The answer is changed")


class StepKind(models.TextChoices):
    ACCEPT = "accept", _("Decide on acceptance")
    HANDLE = "handle", _("Investigate and answer")
    REASSIGN = "reassign", _("Pass to the responsible body")
    CHECK = "check", _("Review the answer")
    REVIEW = "review", _("Review (复查/复核)")


# Who holds each kind of step: the users of the step's department in this role. An acceptance
# held by the department complained about (AcceptanceBy.DEPARTMENT) is a clerk's.
STEP_ROLE = {
    StepKind.ACCEPT: Role.OFFICE,
    StepKind.HANDLE: Role.CLERK,
    StepKind.REASSIGN: Role.OFFICE,
    StepKind.CHECK: Role.OFFICE,
    StepKind.REVIEW: Role.OFFICE,
}


class StepOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Not accepted")
    TRANSFERRED = "transferred", _("Transferred")
    MERGED = "merged", _("Merged")
    ANSWERED = "answered", _("Answered")
    DECLINED = "declined", _("Not ours")
    REASSIGNED = "reassigned", _("Passed on")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Answer accepted, closed")
    REVIEWED = "reviewed", _("Reviewed")
    STOOD_ASIDE = "stood_aside", _("Stood aside")


class Transition(models.TextChoices):
    """Every action on a complaint; each is one service in complaints.services."""

    FILE = "file", _("Filed")
    ACCEPT = "accept", _("Accept")
    REFUSE = "refuse", _("Refuse")
    TRANSFER = "transfer", _("Transfer to another jurisdiction")
    MERGE = "merge", _("Merge with an earlier complaint")
    ANSWER = "answer", _("Answer")
    DECLINE = "decline", _("Not ours: name the responsible body")
    REASSIGN = "reassign", _("Pass to the responsible body")
    EXTEND = "extend", _("Extend the handling period")
    RETURN = "return", _("Return the answer to the department")
    CLOSE = "close", _("Close with the outcome")
    RATE = "rate", _("Rate the handling")
    REVIEW_REQUEST = "review_request", _("Ask for a review")
    REVIEW = "review", _("Answer the review")
    STAND_ASIDE = "stand_aside", _("Step aside (回避)")
    DEADLINE_REMINDER = "reminder", _("Reminder: due tomorrow")
    DEADLINE_OVERDUE = "overdue", _("Overdue notice")


# What the complainant's tracking page names each event by (never who did it).
PUBLIC_TRANSITIONS = frozenset(
    {
        Transition.FILE,
        Transition.ACCEPT,
        Transition.REFUSE,
        Transition.TRANSFER,
        Transition.MERGE,
        Transition.REASSIGN,
        Transition.EXTEND,
        Transition.CLOSE,
        Transition.RATE,
        Transition.REVIEW_REQUEST,
        Transition.REVIEW,
    }
)
