"""Case-file review (卷宗评查; issue 14 §7; seed 002 监督检查办法 第十五条:
监督检查可采取…卷宗评查和社会评议相结合等方式).

A supervisor of a jurisdiction samples the decisions decided there (and below) in a period,
scores each drawn file against a checklist and sends the findings to the problem ledger
(台账, seed 002 联合督查办法 第六条):

1. `case_review_create`: the title, jurisdiction, period, how many files, the checklist.
2. `case_review_commit`: the pool is frozen — the decisions of the period as a canonical JSON
   text of ids and numbers — and the SHA-256 commitment of a secret seed is published, before
   anyone can know which files will be drawn (the inspections app's auditable draw,
   inspections.draw).
3. `case_review_draw`: the seed is revealed and the files drawn. `review_draw_run(seed, pool)`
   is the whole draw: anyone holding the revealed seed and the published pool re-runs it and
   gets the same files (inspections.draw.sample: SHA-256 of the seed and the pool's hash, no
   platform randomness).
4. `reviewed_file_score`: each checklist point scored from 0 to its highest score; findings
   enter the problem ledger (source "case-file review") and the file keeps the problem's id.
5. `case_review_finish`: once every file is scored.
"""

import datetime
import json
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.choices import AuditAction
from core.models import Jurisdiction, User
from core.permissions import Action, can
from core.services import DomainError, audit_record, optional_text, permission_require, require_text
from inspections import draw as drawing
from inspections.choices import ProblemSource
from inspections.services import problem_record
from registry.choices import EntryStatus

from ..choices import ReviewState
from ..models import CaseReview, Decision, ReviewedFile
from ..permissions import MANAGE
from .procedure import now, today

# The name of what `review_draw_run` computes: a change to it is a new name, never an edit,
# so that published reviews keep re-running to the same files.
SAMPLE_ALGORITHM = "qd-sample-1"
MAX_SAMPLE = 500
MAX_POINTS = 30
MAX_POINT_SCORE = 100
TITLE_LENGTH = 200
LABEL_LENGTH = 200

# This product's default checklist, 100 points in all: seed 002 第十五条 names 卷宗评查 without
# a standard, so the points follow the usual 行政处罚案卷评查标准 (主体合法, 事实清楚, 证据确凿,
# 程序合法, 适用依据正确, 裁量适当, 文书规范, 送达及时, 公开及时); the weights are ours. A review
# may change them when it is created.
DEFAULT_CHECKLIST = (
    (gettext_lazy("Lawful body and certified officers (主体合法)"), 10),
    (gettext_lazy("Facts clear (事实清楚)"), 15),
    (gettext_lazy("Evidence conclusive and sufficient (证据确凿)"), 15),
    (gettext_lazy("Lawful procedure: filing, investigation, notice, hearing (程序合法)"), 15),
    (gettext_lazy("Correct legal basis (适用依据正确)"), 10),
    (gettext_lazy("Appropriate discretion within the standard (裁量适当)"), 10),
    (gettext_lazy("Documents complete and in the standard form (文书规范)"), 10),
    (gettext_lazy("Served in time and lawfully (送达及时)"), 5),
    (gettext_lazy("Published within 10 days of service (公开及时, 第十三条)"), 10),
)


def default_checklist() -> list[dict]:
    """The default checklist in the current language, as `case_review_create` takes it."""
    return [{"label": str(label), "max": points} for label, points in DEFAULT_CHECKLIST]


def _checklist(given: Sequence[Mapping]) -> list[dict]:
    """The checklist as stored: points "1", "2", … in order, each with its label and highest
    score."""
    if not isinstance(given, Sequence) or not 1 <= len(given) <= MAX_POINTS:
        raise DomainError(_("A checklist has from 1 to %(max)s points.") % {"max": MAX_POINTS})
    points = []
    for number, row in enumerate(given, start=1):
        if not isinstance(row, Mapping):
            raise DomainError(_("Point %(n)s of the checklist is not valid.") % {"n": number})
        label = require_text(str(row.get("label") or ""), _("point checked"), multiline=False)
        if len(label) > LABEL_LENGTH:
            raise DomainError(
                _("Point %(n)s of the checklist is longer than %(max)s characters.")
                % {"n": number, "max": LABEL_LENGTH}
            )
        highest = row.get("max")
        if (
            isinstance(highest, bool)
            or not isinstance(highest, int)
            or not 1 <= highest <= MAX_POINT_SCORE
        ):
            raise DomainError(
                _("Point %(n)s: the highest score is a whole number from 1 to %(max)s.")
                % {"n": number, "max": MAX_POINT_SCORE}
            )
        points.append({"point": str(number), "label": label, "max": highest})
    return points


def _in_scope(actor: User, jurisdiction: Jurisdiction) -> bool:
    if actor.is_superuser:
        return True
    return actor.jurisdiction_id is not None and jurisdiction.path.startswith(
        actor.jurisdiction.path
    )


def _audit(actor: User, review: CaseReview, transition: str, **detail) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=review,
        jurisdiction=review.jurisdiction,
        detail={"transition": transition, **detail},
    )


def _locked(actor: User, review: CaseReview, state: str) -> CaseReview:
    """The review locked for the action, which a supervisor of its jurisdiction takes, in
    `state`."""
    review = CaseReview.objects.select_for_update().select_related("jurisdiction").get(pk=review.pk)
    permission_require(actor, MANAGE, review)
    if review.state != state:
        raise DomainError(
            _("This is not possible now: the review is %(state)s.")
            % {"state": ReviewState(review.state).label}
        )
    return review


@transaction.atomic
def case_review_create(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    sample_size: int,
    checklist: Sequence[Mapping] | None = None,
) -> CaseReview:
    """A case-file review (卷宗评查, seed 002 监督检查办法 第十五条) of the decisions decided in
    `jurisdiction` and below from `period_start` to `period_end`, drawing `sample_size` files
    and scoring them against `checklist` ([{"label", "max"}, ...]; the default's when None). A
    supervisor of the jurisdiction (or one above it) creates it."""
    if not can(actor, Action.ADD, CaseReview) or not _in_scope(actor, jurisdiction):
        raise DomainError(
            _("Only the supervisors of %(jurisdiction)s review its case files.")
            % {"jurisdiction": jurisdiction}
        )
    title = require_text(title, _("title"), multiline=False)
    if len(title) > TITLE_LENGTH:
        raise DomainError(_("The title is at most %(limit)s characters.") % {"limit": TITLE_LENGTH})
    if period_end < period_start:
        raise DomainError(_("The period ends before it starts."))
    if isinstance(sample_size, bool) or not isinstance(sample_size, int):
        raise DomainError(_("Give how many files to draw."))
    if not 1 <= sample_size <= MAX_SAMPLE:
        raise DomainError(_("Draw from 1 to %(max)s files.") % {"max": MAX_SAMPLE})
    review = CaseReview.objects.create(
        jurisdiction=jurisdiction,
        title=title,
        period_start=period_start,
        period_end=period_end,
        sample_size=sample_size,
        checklist=_checklist(default_checklist() if checklist is None else checklist),
        state=ReviewState.DRAFT,
        created_by=actor,
        created_at=now(),
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=review, jurisdiction=jurisdiction)
    return review


def review_pool(review: CaseReview) -> dict:
    """What the draw is made from: the decisions decided in the review's jurisdiction and below
    in its period, by id, with their numbers so that anyone can tell which file is which."""
    found = (
        Decision.objects.filter(
            jurisdiction__path__startswith=review.jurisdiction.path,
            decided_on__range=(review.period_start, review.period_end),
        )
        .order_by("pk")
        .values_list("pk", "number")
    )
    return {
        "algorithm": SAMPLE_ALGORITHM,
        "jurisdiction": review.jurisdiction.code,
        "period": [review.period_start.isoformat(), review.period_end.isoformat()],
        "sample_size": review.sample_size,
        "decisions": [{"id": pk, "number": number} for pk, number in found],
    }


def review_draw_run(seed_hex: str, pool_text: str) -> list[int]:
    """The draw of a review: the ids of the decisions drawn, in draw order, from the revealed
    seed and the published pool text alone (inspections.draw.sample). ValueError when either
    is malformed."""
    try:
        pool = json.loads(pool_text)
    except (TypeError, json.JSONDecodeError) as error:
        raise ValueError("the pool is not JSON") from error
    if not isinstance(pool, dict) or pool.get("algorithm") != SAMPLE_ALGORITHM:
        raise ValueError(f"the pool is not one of algorithm {SAMPLE_ALGORITHM!r}")
    decisions, size = pool.get("decisions"), pool.get("sample_size")
    if not isinstance(decisions, list) or not all(
        isinstance(row, dict) and isinstance(row.get("id"), int) for row in decisions
    ):
        raise ValueError("the pool's decisions must be objects with an id")
    positions = drawing.sample(seed_hex, pool_text, len(decisions), size)
    return [decisions[position]["id"] for position in positions]


@transaction.atomic
def case_review_commit(*, actor: User, review: CaseReview) -> CaseReview:
    """Freezes the pool (the decisions of the period, as canonical JSON) and publishes the
    commitment, the SHA-256 of a secret seed, before the draw (inspections.draw: nobody can
    choose the seed after seeing what it draws). The period must be over, so the pool is
    whole."""
    review = _locked(actor, review, ReviewState.DRAFT)
    if review.period_end >= today():
        raise DomainError(
            _("The period ends on %(day)s: commit the draw after it is over.")
            % {"day": review.period_end.isoformat()}
        )
    pool = review_pool(review)
    if not pool["decisions"]:
        raise DomainError(
            _("No decision was decided in %(jurisdiction)s from %(start)s to %(end)s.")
            % {
                "jurisdiction": review.jurisdiction,
                "start": review.period_start.isoformat(),
                "end": review.period_end.isoformat(),
            }
        )
    seed = drawing.new_seed()
    review.seed = seed
    review.commitment = drawing.commitment(seed)
    review.pool = drawing.canonical(pool)
    review.state = ReviewState.COMMITTED
    review.committed_at = now()
    review.save(update_fields=["seed", "commitment", "pool", "state", "committed_at"])
    _audit(
        actor,
        review,
        "commit",
        commitment=review.commitment,
        pool_hash=drawing.pool_hash(review.pool),
        pool_size=len(pool["decisions"]),
    )
    return review


@transaction.atomic
def case_review_draw(*, actor: User, review: CaseReview) -> CaseReview:
    """Reveals the seed and draws the files (review_draw_run over the frozen pool); each drawn
    decision becomes a file to score."""
    review = _locked(actor, review, ReviewState.COMMITTED)
    result = review_draw_run(review.seed, review.pool)
    ReviewedFile.objects.bulk_create([ReviewedFile(review=review, decision_id=pk) for pk in result])
    review.result = result
    review.state = ReviewState.DRAWN
    review.drawn_at = now()
    review.save(update_fields=["result", "state", "drawn_at"])
    _audit(actor, review, "draw", seed=review.seed, result=result)
    return review


def _scores(checklist: list[dict], given: Mapping) -> dict[str, int]:
    if not isinstance(given, Mapping):
        raise DomainError(_("Score every point of the checklist."))
    known = {row["point"] for row in checklist}
    unknown = [str(point) for point in given if str(point) not in known]
    if unknown:
        raise DomainError(
            _("The checklist has no point %(points)s.") % {"points": "、".join(unknown)}
        )
    scores = {}
    for row in checklist:
        value = given.get(row["point"])
        if value is None:
            raise DomainError(
                _("Score “%(point)s” (0 to %(max)s).") % {"point": row["label"], "max": row["max"]}
            )
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= row["max"]:
            raise DomainError(
                _("“%(point)s” is scored from 0 to %(max)s.")
                % {"point": row["label"], "max": row["max"]}
            )
        scores[row["point"]] = value
    return scores


def _cut(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _finding_record(actor: User, file: ReviewedFile, findings: str) -> int:
    """The findings as a problem of the review's jurisdiction's ledger, about the decision's
    department and its item (when the item is the department's and in force)."""
    review, decision = file.review, file.decision
    item = decision.item
    entries = (
        [item]
        if item.department_id == decision.department_id and item.status == EntryStatus.IN_FORCE
        else []
    )
    reference = _("Case-file review “%(review)s”, decision %(decision)s (%(matter)s).") % {
        "review": review.title,
        "decision": decision.number or decision.pk,
        "matter": decision.title,
    }
    problem = problem_record(
        actor=actor,
        jurisdiction=review.jurisdiction,
        department=decision.department,
        title=_cut(
            _("Case file %(decision)s: %(findings)s")
            % {"decision": decision.number or decision.pk, "findings": findings},
            100,
        ),
        description=f"{findings}\n\n{reference}",
        source=ProblemSource.CASE_REVIEW,
        found_on=today(),
        entries=entries,
    )
    return problem.pk


@transaction.atomic
def reviewed_file_score(
    *, actor: User, file: ReviewedFile, scores: Mapping[str, int], findings: str = ""
) -> ReviewedFile:
    """Scores a drawn file: every checklist point from 0 to its highest score, and the total.
    Findings (what is wrong with the file) go to the problem ledger as one problem (seed 002
    联合督查办法 第六条: 发现的问题及时收集、登记), whose id the file keeps; once there they are
    followed up in the ledger and no longer changed here. Scores may be corrected until the
    review is finished."""
    file = (
        ReviewedFile.objects.select_for_update()
        .select_related("decision__department", "decision__item", "decision__jurisdiction")
        .get(pk=file.pk)
    )
    review = _locked(actor, file.review, ReviewState.DRAWN)
    file.review = review
    checked = _scores(review.checklist, scores)
    findings = optional_text(findings)
    if file.problem_id is not None and findings != file.findings:
        raise DomainError(
            _(
                "The findings are in the problem ledger already (problem %(id)s): follow them "
                "up there."
            )
            % {"id": file.problem_id}
        )
    if findings and file.problem_id is None:
        file.problem_id = _finding_record(actor, file, findings)
    file.scores = checked
    file.total = sum(checked.values())
    file.findings = findings
    file.scored_at = now()
    file.scored_by = actor
    file.save(update_fields=["scores", "total", "findings", "problem_id", "scored_at", "scored_by"])
    _audit(
        actor,
        review,
        "score",
        file=file.pk,
        decision=file.decision_id,
        total=file.total,
        problem=file.problem_id,
    )
    return file


@transaction.atomic
def case_review_finish(*, actor: User, review: CaseReview) -> CaseReview:
    """Closes the review once every drawn file is scored; the scores are final."""
    review = _locked(actor, review, ReviewState.DRAWN)
    left = review.files.filter(scored_at__isnull=True).count()
    if left:
        raise DomainError(
            ngettext(
                "%(count)s drawn file is not scored yet.",
                "%(count)s drawn files are not scored yet.",
                left,
            )
            % {"count": left}
        )
    review.state = ReviewState.FINISHED
    review.save(update_fields=["state"])
    _audit(actor, review, "finish")
    return review
