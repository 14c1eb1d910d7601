"""The one problem ledger (台账, seed 002 联合督查办法 第六条; issue 13 §4): problems from every
source recorded by staff, taken from a substantiated complaint with one click, or found by the
register's own check and proposed; confirmed, dismissed, and marked hot, hard or sensitive for
the quarterly review (seed 002 管理办法 第十六条)."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from adjustments import selectors as adjustment_selectors
from complaints import selectors as complaint_selectors
from core import calendar
from core.models import Department, Jurisdiction, User
from core.permissions import can
from core.services import DomainError, optional_text, require_text
from registry import selectors as registry_selectors
from registry.choices import EntryStatus, LawStatus
from registry.models import Entry

from ..choices import (
    InspectionState,
    ProblemSource,
    ProblemState,
    Reporter,
    Severity,
    Transition,
)
from ..models import Inspection, InspectionContent, Problem, ProblemItem
from ..permissions import INSPECT, MANAGE, RECORD
from .procedure import event_write, now, problem_move

__all__ = [
    "DYNAMIC_ADJUSTMENT_CONTENT",
    "RECORDED_SOURCES",
    "problem_confirm",
    "problem_dismiss",
    "problem_flag",
    "problem_from_complaint",
    "problem_record",
    "problems_propose_from_register",
]

# The sources staff record by hand (a case-file review's findings through
# decisions.services.reviews); a complaint comes through problem_from_complaint and the
# register's findings through problems_propose_from_register, each linked to what found it.
RECORDED_SOURCES = (
    ProblemSource.INSPECTION,
    ProblemSource.SOCIAL,
    ProblemSource.MEDIA,
    ProblemSource.SELF,
    ProblemSource.CASE_REVIEW,
)
# Seed 002 监督检查办法 第十四条(一): the inspection content a register finding breaches
# (设定依据的及时申请调整), by the code the contents are seeded with.
DYNAMIC_ADJUSTMENT_CONTENT = "S1"
# A title taken from a longer text is cut here (this product's default: a ledger line).
TITLE_LENGTH = 100


def _today() -> datetime.date:
    return timezone.localdate(now(), timezone=calendar.SHANGHAI)


def _line(text: str, what: str, *, limit: int, required: bool = True) -> str:
    text = (
        require_text(text, what, multiline=False)
        if required
        else optional_text(text, multiline=False)
    )
    if len(text) > limit:
        raise DomainError(
            _("The %(what)s is at most %(limit)s characters.") % {"what": what, "limit": limit}
        )
    return text


def _cut(text: str, limit: int = TITLE_LENGTH) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _keeps_ledger_of(actor: User, jurisdiction: Jurisdiction) -> bool:
    """The rule of RECORD (inspections.permissions: supervisors and the office, their
    jurisdiction and those below it), asked of a problem not yet written."""
    if not can(actor, RECORD, Problem):
        return False
    if actor.is_superuser:
        return True
    return actor.jurisdiction_id is not None and jurisdiction.path.startswith(
        actor.jurisdiction.path
    )


def _refuse_recording(jurisdiction: Jurisdiction) -> DomainError:
    return DomainError(
        _("Only the supervisors and the reform office of %(jurisdiction)s keep its ledger.")
        % {"jurisdiction": jurisdiction}
    )


def _items(entries: Sequence[Entry], department: Department) -> list[Entry]:
    """The items a problem concerns: in force (the register as it stands), of the department
    the problem is about; each once."""
    found = list({entry.pk: entry for entry in entries}.values())
    for entry in found:
        if entry.department_id != department.pk:
            raise DomainError(
                _("“%(item)s” is not an item of %(department)s.")
                % {"item": entry.name, "department": department}
            )
        if entry.status != EntryStatus.IN_FORCE:
            raise DomainError(_("“%(item)s” is not in force.") % {"item": entry.name})
    return found


def _items_add(problem: Problem, entries: Sequence[Entry]) -> None:
    ProblemItem.objects.bulk_create(
        [
            ProblemItem(
                problem=problem,
                entry=entry,
                version=entry.version,
                code=entry.code,
                name=entry.name,
            )
            for entry in entries
        ]
    )


def _reported(source: str, reporter: str, reporter_name: str, reported_how: str) -> tuple:
    """Seed 002 管理办法 第十七条 (六位一体): a problem from social supervision names which of
    the six reported it and how; one from the media may name the outlet. Other sources have no
    reporter."""
    if source == ProblemSource.SOCIAL:
        if reporter not in Reporter.values:
            raise DomainError(
                _(
                    "Choose who reported it: a people's congress deputy, a CPPCC member, a grid "
                    "head, a residents' representative, a volunteer or the news media."
                )
            )
        how = _line(reported_how, _("means of reporting"), limit=200)
    elif source == ProblemSource.MEDIA:
        if reporter and reporter != Reporter.PRESS:
            raise DomainError(_("A problem from the media is reported by the news media."))
        reporter = Reporter.PRESS
        how = _line(reported_how, _("outlet"), limit=200, required=False)
    else:
        if reporter or reporter_name.strip() or reported_how.strip():
            raise DomainError(
                _("Who reported a problem is recorded for social supervision and the media only.")
            )
        return "", "", ""
    name = _line(reporter_name, _("reporter's name"), limit=100, required=False)
    return reporter, name, how


def _inspection_checked(
    actor: User,
    inspection: Inspection,
    jurisdiction: Jurisdiction,
    department: Department,
    *,
    by_ledger_keeper: bool,
) -> Inspection:
    """A finding goes into the ledger of the jurisdiction whose plan found it, about the unit
    inspected, while the inspection is under way or after."""
    inspection = Inspection.objects.select_related("plan__jurisdiction", "department").get(
        pk=inspection.pk
    )
    if not by_ledger_keeper and not can(actor, INSPECT, inspection):
        raise DomainError(
            _("Only the inspectors of %(inspection)s record its findings.")
            % {"inspection": inspection}
        )
    if inspection.plan.jurisdiction_id != jurisdiction.pk:
        raise DomainError(
            _("A finding of %(inspection)s goes into the ledger of %(jurisdiction)s.")
            % {"inspection": inspection, "jurisdiction": inspection.plan.jurisdiction}
        )
    if inspection.department_id != department.pk:
        raise DomainError(
            _("A finding of %(inspection)s concerns %(department)s, the unit inspected.")
            % {"inspection": inspection, "department": inspection.department}
        )
    if inspection.state in (InspectionState.PLANNED, InspectionState.REPLACED):
        raise DomainError(
            _("%(inspection)s is %(state)s: it has no findings.")
            % {"inspection": inspection, "state": InspectionState(inspection.state).label}
        )
    return inspection


@transaction.atomic
def problem_record(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    department: Department,
    title: str,
    description: str,
    source: str,
    found_on: datetime.date,
    severity: str = Severity.ORDINARY,
    content: InspectionContent | None = None,
    entries: Sequence[Entry] = (),
    inspection: Inspection | None = None,
    reporter: str = "",
    reporter_name: str = "",
    reported_how: str = "",
    hot: bool = False,
    hard: bool = False,
    sensitive: bool = False,
) -> Problem:
    """Seed 002 联合督查办法 第六条: "对各部门清单运行情况和发现的问题及时收集、登记". A problem
    enters the ledger of `jurisdiction` about `department` (of it or below it), from an
    inspection (its finding: recorded by its inspectors, or by the ledger's keepers), social
    supervision (六位一体, 管理办法 第十七条: who reported it and how), the media, or a
    self-inspection. The supervisors and the office of the jurisdiction keep the ledger
    (inspections.permissions, RECORD); an inspection's members record its findings only."""
    if source not in RECORDED_SOURCES:
        if source == ProblemSource.COMPLAINT:
            raise DomainError(_("Take the problem from the substantiated complaint instead."))
        raise DomainError(_("Choose where the problem comes from."))
    keeper = _keeps_ledger_of(actor, jurisdiction)
    if inspection is None:
        if source == ProblemSource.INSPECTION:
            raise DomainError(_("Name the inspection that found the problem."))
        if not keeper:
            raise _refuse_recording(jurisdiction)
    else:
        if source not in (ProblemSource.INSPECTION, ProblemSource.SELF):
            raise DomainError(_("Only an inspection's findings are recorded on the inspection."))
        inspection = _inspection_checked(
            actor, inspection, jurisdiction, department, by_ledger_keeper=keeper
        )
    if not department.jurisdiction.path.startswith(jurisdiction.path):
        raise DomainError(
            _("%(department)s is not a department of %(jurisdiction)s.")
            % {"department": department, "jurisdiction": jurisdiction}
        )
    title = _line(title, _("problem"), limit=200)
    description = require_text(description, _("description"))
    if severity not in Severity.values:
        raise DomainError(_("Choose the severity."))
    if found_on > _today():
        raise DomainError(_("A problem cannot be found in the future."))
    if content is not None and not content.active:
        raise DomainError(_("“%(content)s” is no longer inspected.") % {"content": content})
    items = _items(entries, department)
    reporter, reporter_name, reported_how = _reported(source, reporter, reporter_name, reported_how)
    problem = Problem.objects.create(
        jurisdiction=jurisdiction,
        department=department,
        title=title,
        description=description,
        content=content,
        severity=severity,
        source=source,
        state=ProblemState.OPEN,
        hot=bool(hot),
        hard=bool(hard),
        sensitive=bool(sensitive),
        inspection=inspection,
        reporter=reporter,
        reporter_name=reporter_name,
        reported_how=reported_how,
        found_on=found_on,
        recorded_by=actor,
        recorded_at=now(),
    )
    _items_add(problem, items)
    event_write(
        transition=Transition.PROBLEM_RECORD,
        actor=actor,
        problem=problem,
        inspection=inspection,
        plan=inspection.plan if inspection else None,
        to_state=problem.state,
        detail={"source": source, "items": [entry.pk for entry in items]},
        jurisdiction=jurisdiction,
    )
    return problem


@transaction.atomic
def problem_from_complaint(*, actor: User, code: str) -> Problem:
    """Issue 13 §4: a substantiated (or partly substantiated) complaint enters the ledger with
    one click, linked by its tracking code, once. What goes in is the office's finding (which
    department, which failure, which items) and the day it was closed: nothing of the
    complainant or of the facts as they told them. The complaint is read through
    complaints.selectors, so only one the actor may see."""
    finding = complaint_selectors.finding_for_ledger(user=actor, code=code)
    if finding is None:
        raise DomainError(
            _("%(code)s is not a substantiated complaint you may see.")
            % {"code": (code or "").strip()[:40]}
        )
    jurisdiction = finding["jurisdiction"]
    if not _keeps_ledger_of(actor, jurisdiction):
        raise _refuse_recording(jurisdiction)
    existing = Problem.objects.filter(complaint_code=finding["code"]).first()
    if existing is not None:
        raise _already_in_ledger(finding["code"], existing)
    with translation.override(settings.LANGUAGE_CODE):
        text = finding["finding"].strip() or _("The complaint was found substantiated.")
    closed_at = finding["closed_at"] or now()
    try:
        with transaction.atomic():
            problem = Problem.objects.create(
                jurisdiction=jurisdiction,
                department=finding["department"],
                title=_cut(text),
                description=text,
                source=ProblemSource.COMPLAINT,
                state=ProblemState.OPEN,
                complaint_code=finding["code"],
                found_on=timezone.localdate(closed_at, timezone=calendar.SHANGHAI),
                recorded_by=actor,
                recorded_at=now(),
            )
    except IntegrityError:
        # Taken by someone else in the same moment: the unique constraint kept it once.
        raise _already_in_ledger(
            finding["code"], Problem.objects.get(complaint_code=finding["code"])
        ) from None
    _items_add(problem, finding["items"])
    event_write(
        transition=Transition.PROBLEM_RECORD,
        actor=actor,
        problem=problem,
        to_state=problem.state,
        detail={"source": ProblemSource.COMPLAINT, "complaint": finding["code"]},
        jurisdiction=jurisdiction,
    )
    return problem


def _already_in_ledger(code: str, problem: Problem) -> DomainError:
    return DomainError(
        _("Complaint %(code)s is already in the ledger: “%(problem)s” (no. %(number)s).")
        % {"code": code, "problem": problem.title, "number": problem.pk}
    )


def _locked(actor: User, problem: Problem) -> Problem:
    locked = (
        Problem.objects.select_for_update()
        .select_related("jurisdiction", "department")
        .get(pk=problem.pk)
    )
    if not can(actor, MANAGE, locked):
        raise _refuse_recording(locked.jurisdiction)
    return locked


def _state_refused(problem: Problem) -> DomainError:
    return DomainError(
        _("The problem is %(state)s: this is not possible now.")
        % {"state": ProblemState(problem.state).label}
    )


@transaction.atomic
def problem_confirm(*, actor: User, problem: Problem) -> Problem:
    """A problem the register's check proposed is confirmed by the ledger's keepers and is
    open from then on (seed 002 联合督查办法 第六条)."""
    problem = _locked(actor, problem)
    if problem.state != ProblemState.PROPOSED:
        raise _state_refused(problem)
    problem_move(problem, ProblemState.OPEN, transition=Transition.PROBLEM_CONFIRM, actor=actor)
    return problem


@transaction.atomic
def problem_dismiss(*, actor: User, problem: Problem, reason: str) -> Problem:
    """A proposal or an open problem found to be none is dismissed with the reason, which
    stays in its history; a problem a notice was issued for is settled by the notice."""
    reason = require_text(reason, _("reason for dismissing it"))
    problem = _locked(actor, problem)
    if problem.state not in (ProblemState.PROPOSED, ProblemState.OPEN):
        raise _state_refused(problem)
    problem_move(
        problem,
        ProblemState.DISMISSED,
        transition=Transition.PROBLEM_DISMISS,
        actor=actor,
        opinion=reason,
    )
    return problem


@transaction.atomic
def problem_flag(
    *, actor: User, problem: Problem, hot: bool, hard: bool, sensitive: bool
) -> Problem:
    """Seed 002 联合督查办法 第六条: "对热点、难点和敏感点问题进行深入调查研究"; marked problems
    go to the quarterly review of outstanding problems (管理办法 第十六条)."""
    problem = _locked(actor, problem)
    before = {"hot": problem.hot, "hard": problem.hard, "sensitive": problem.sensitive}
    after = {"hot": bool(hot), "hard": bool(hard), "sensitive": bool(sensitive)}
    if before == after:
        return problem
    for name, value in after.items():
        setattr(problem, name, value)
    problem.save(update_fields=list(after))
    event_write(
        transition=Transition.PROBLEM_FLAG,
        actor=actor,
        problem=problem,
        from_state=problem.state,
        to_state=problem.state,
        detail={"from": before, "to": after},
        jurisdiction=problem.jurisdiction,
    )
    return problem


# --- the register's own check --------------------------------------------------------------


def _repealed_findings(today: datetime.date) -> list[dict]:
    """Items in force resting on a law repealed on or before `today` (issue 9 §9's one rule,
    registry.selectors.repealed_basis_of). The register is public: read as the public."""
    found = []
    for entry in registry_selectors.entries_on_repealed_basis(user=None):
        for law in entry.repealed_basis.laws:
            if law.status_date is not None and law.status_date > today:
                continue
            if entry.repealed_basis.wholly:
                extent = _("Nothing else holds the item up: it has no legal basis left.")
            else:
                extent = _("Part of its basis is still in force.")
            found.append(
                {
                    "key": f"repealed:{entry.pk}:{law.pk}",
                    "entry": entry,
                    "title": _("“%(item)s” rests on the repealed 《%(law)s》")
                    % {"item": entry.name, "law": law.name},
                    "description": _(
                        "The item %(code)s “%(item)s” of %(department)s is in force, but "
                        "《%(law)s》, which it cites, was repealed on %(date)s. %(extent)s"
                    )
                    % {
                        "code": entry.code,
                        "item": entry.name,
                        "department": entry.department,
                        "law": law.name,
                        "date": law.status_date.isoformat() if law.status_date else "-",
                        "extent": extent,
                    },
                    # An item exercised with no legal basis at all is the graver case (this
                    # product's default).
                    "severity": Severity.SERIOUS
                    if entry.repealed_basis.wholly
                    else (Severity.ORDINARY),
                }
            )
    return found


def _unadjusted_findings(today: datetime.date) -> list[dict]:
    """Seed 002 管理办法 第十条: an adjustment is applied for within 7 days of a change of law;
    the items still waiting after that (adjustments.selectors)."""
    found = []
    pairs = adjustment_selectors.entries_awaiting_adjustment_after_law_change(as_of=today)
    for entry, law in pairs:
        values = {
            "code": entry.code,
            "item": entry.name,
            "department": entry.department,
            "law": law.name,
            "status": LawStatus(law.status).label,
            "date": law.status_date.isoformat(),
            "days": adjustment_selectors.LAW_CHANGE_APPLY_DAYS,
        }
        found.append(
            {
                "key": f"adjust:{entry.pk}:{law.pk}",
                "entry": entry,
                "title": _("No adjustment of “%(item)s” applied for after 《%(law)s》 changed")
                % values,
                "description": _(
                    "《%(law)s》 was %(status)s on %(date)s. The item %(code)s “%(item)s” of "
                    "%(department)s cites it, and no adjustment of the item was applied for "
                    "within %(days)s days (seed 002, management rules, art. 10)."
                )
                % values,
                "severity": Severity.ORDINARY,
            }
        )
    return found


def problems_propose_from_register(
    *, actor: User | None = None, today: datetime.date | None = None
) -> int:
    """Issue 13 §4: the register itself is a source of the ledger. Found automatically and
    proposed (to be confirmed or dismissed by the ledger's keepers): an item in force on a
    repealed basis, and an item whose adjustment was not applied for within seed 002 管理办法
    第十条's 7 days after a law it cites was amended or repealed. Each finding is proposed once
    (`register_key`: kind, item, law), even after it was dismissed; a second run proposes
    nothing new. Daily (inspections.tasks.register_check, actor None); a ledger keeper may run
    it for their own jurisdiction. Each proposal is its own transaction. Returns how many were
    proposed."""
    today = today or _today()
    if actor is not None and not can(actor, RECORD, Problem):
        raise DomainError(_("Only the supervisors and the reform office keep the ledger."))
    # Stored text: in the site's language, whoever runs the check.
    with translation.override(settings.LANGUAGE_CODE):
        findings = _repealed_findings(today) + _unadjusted_findings(today)
    if actor is not None and not actor.is_superuser:
        findings = [
            finding
            for finding in findings
            if _keeps_ledger_of(actor, finding["entry"].jurisdiction)
        ]
    # Every key proposed so far (one row per register finding ever made: a few thousand at
    # most), rather than an IN list of as many parameters as findings.
    known = set(
        Problem.objects.filter(register_key__isnull=False).values_list("register_key", flat=True)
    )
    content = InspectionContent.objects.filter(code=DYNAMIC_ADJUSTMENT_CONTENT).first()
    proposed = 0
    for finding in findings:
        if finding["key"] in known:
            continue
        if _propose(actor, finding, content, today):
            proposed += 1
    return proposed


def _propose(
    actor: User | None, finding: dict, content: InspectionContent | None, today: datetime.date
) -> bool:
    entry = finding["entry"]
    try:
        with transaction.atomic():
            problem = Problem.objects.create(
                jurisdiction=entry.jurisdiction,
                department=entry.department,
                title=_cut(finding["title"], 200),
                description=finding["description"],
                content=content,
                severity=finding["severity"],
                source=ProblemSource.REGISTER,
                state=ProblemState.PROPOSED,
                register_key=finding["key"],
                found_on=today,
                recorded_by=actor,
                recorded_at=now(),
            )
            _items_add(problem, [entry])
            event_write(
                transition=Transition.PROBLEM_PROPOSE,
                actor=actor,
                problem=problem,
                to_state=problem.state,
                detail={"register_key": finding["key"]},
                jurisdiction=entry.jurisdiction,
            )
    except IntegrityError:
        # A concurrent run proposed it first: the unique key keeps it once.
        return False
    return True
