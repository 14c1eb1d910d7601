"""Periodic reports (通报, seed 002 联合督查办法 第七条 "定期通报联合督查结果"; 监督检查办法
第十八条 "定期通报监督检查中发现的违法或不当的执法行为及责任追究情况"; issue 13 §7): a supervisor
publishes what was inspected in a jurisdiction over a period, the problems by content and
department, how rectification went and the accountability started, on the public site and as
an official document (SPEC §6), without personal data."""

import datetime
import functools

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import calendar
from core.choices import DepartmentFunction
from core.models import Jurisdiction, User
from core.permissions import Action, can
from core.services import DomainError, function_department, require_text

from .. import selectors
from ..choices import NoticeState, PlanMode, ProblemState, Transition
from ..models import Report
from .procedure import event_write, now

__all__ = ["report_pdf_render", "report_publish", "reports_pdf_pending"]

_NUMERALS = "一二三四五六七八九十"


def _in_scope(actor: User, jurisdiction: Jurisdiction) -> bool:
    """The rule of ADD on reports (a supervisor, for their jurisdiction and those below it),
    asked of a report not yet written."""
    if not can(actor, Action.ADD, Report):
        return False
    if actor.is_superuser:
        return True
    return actor.jurisdiction_id is not None and jurisdiction.path.startswith(
        actor.jurisdiction.path
    )


@transaction.atomic
def report_publish(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    summary: str,
) -> Report:
    """A supervisor of `jurisdiction` publishes its report for the period (both days
    included). Its content is the snapshot selectors.report_content takes now, public facts
    only; it is not recomputed later. The PDF is rendered by a task after the commit
    (report_pdf_render); a lost task is made up by reports_pdf_pending."""
    if not _in_scope(actor, jurisdiction):
        raise DomainError(
            _("Only a supervisor of %(jurisdiction)s publishes its reports.")
            % {"jurisdiction": jurisdiction}
        )
    title = require_text(title, _("report title"), multiline=False)
    if len(title) > Report._meta.get_field("title").max_length:
        raise DomainError(_("The title is at most 200 characters."))
    summary = require_text(summary, _("summary"))
    if period_start > period_end:
        raise DomainError(_("The period ends before it starts."))
    at = now()
    if period_end > timezone.localdate(at, timezone=calendar.SHANGHAI):
        raise DomainError(_("A report covers a period that has ended."))
    report = Report.objects.create(
        jurisdiction=jurisdiction,
        title=title,
        period_start=period_start,
        period_end=period_end,
        summary=summary,
        content=selectors.report_content(jurisdiction, period_start, period_end),
        published_at=at,
        published_by=actor,
    )
    event_write(
        transition=Transition.REPORT_PUBLISH,
        actor=actor,
        detail={"report": report.pk},
        at=at,
        jurisdiction=jurisdiction,
        obj=report,
    )
    # A partial, not a lambda: a test that captures the on-commit callbacks reads what is sent.
    transaction.on_commit(functools.partial(_pdf_task_send, report.pk), robust=True)
    return report


def _pdf_task_send(report_id: int) -> None:
    from .. import tasks

    tasks.report_pdf_render.delay(report_id)


def issuer_of(jurisdiction: Jurisdiction) -> str:
    """Who issues a report: the jurisdiction's discipline and supervision department, else its
    joint inspection team (联合督查组, seed 002 联合督查办法 第二条)."""
    department = function_department(jurisdiction, DepartmentFunction.SUPERVISION)
    if department is not None:
        return department.name
    return _("%(jurisdiction)s joint inspection team") % {"jurisdiction": jurisdiction.name}


def _heading(number: int, text: str):
    from core.documents import Heading

    return Heading(f"{_NUMERALS[number - 1]}、{text}")


def report_blocks(report: Report) -> list:
    """The body of the report's official document: the summary, then one numbered section per
    part of `content`, each a table or a sentence saying there was nothing."""
    from core.documents import Table

    content = report.content
    blocks: list = [report.summary]

    blocks.append(_heading(1, _("Inspections")))
    inspections = content.get("inspections", [])
    if inspections:
        blocks.append(
            Table(
                head=[_("Unit inspected"), _("Plan"), _("Mode"), _("Findings told on")],
                rows=[
                    [
                        row["unit"],
                        row["plan"],
                        str(PlanMode(row["mode"]).label),
                        row["finished_on"],
                    ]
                    for row in inspections
                ],
            )
        )
    else:
        blocks.append(_("No inspection ended in this period."))

    blocks.append(_heading(2, _("Problems found")))
    total = content.get("problems_total", 0)
    blocks.append(_("%(count)s problems were found in this period.") % {"count": total})
    if total:
        blocks.append(
            Table(
                head=[_("Inspection content"), _("Problems")],
                rows=[
                    [row["content"] or _("Not classified"), str(row["count"])]
                    for row in content.get("problems_by_content", [])
                ],
            )
        )
        blocks.append(
            Table(
                head=[_("Department"), _("Problems")],
                rows=[
                    [row["department"], str(row["count"])]
                    for row in content.get("problems_by_department", [])
                ],
            )
        )

    blocks.append(_heading(3, _("Rectification")))
    rectification = content.get("rectification", [])
    if rectification:
        blocks.append(
            Table(
                head=[_("Rectification notices"), _("Number of notices")],
                rows=[
                    [str(NoticeState(row["state"]).label), str(row["count"])]
                    for row in rectification
                ],
            )
        )
    else:
        blocks.append(_("No rectification notice was issued in this period."))
    closed = content.get("closed", [])
    if closed:
        blocks.append(_("Problems closed in this period:"))
        blocks.append(
            Table(
                head=[_("Problem"), _("Department"), _("Outcome"), _("Closed on")],
                rows=[
                    [
                        row["title"],
                        row["department"],
                        str(ProblemState(row["state"]).label),
                        row["closed_on"],
                    ]
                    for row in closed
                ],
            )
        )

    blocks.append(_heading(4, _("Accountability")))
    accountability = content.get("accountability", [])
    blocks.append(
        _("%(count)s accountability cases were started in this period.")
        % {"count": len(accountability)}
    )
    return blocks


def report_pdf_render(*, report_id: int) -> Report:
    """The report as an official document (GB/T 9704-2012, core.documents) in the site's
    language, saved once at inspections/reports/<pk>.pdf: a report that has its PDF keeps it.
    A 通报 carries no document number here (no numbering rule applies to it)."""
    from core.documents import official_document_pdf

    report = Report.objects.select_related("jurisdiction").get(pk=report_id)
    if report.pdf:
        return report
    with translation.override(settings.LANGUAGE_CODE):
        issuer = issuer_of(report.jurisdiction)
        data = official_document_pdf(
            issuer=issuer,
            number="",
            title=report.title,
            addressee=_("All departments and units concerned"),
            blocks=report_blocks(report),
            signer=issuer,
            date=timezone.localdate(report.published_at, timezone=calendar.SHANGHAI),
        )
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        # Rendered twice at once (a task sent again): the first one saved is the one kept.
        if not report.pdf:
            report.pdf.save(f"inspections/reports/{report.pk}.pdf", ContentFile(data), save=False)
            report.save(update_fields=["pdf"])
    return report


def reports_pdf_pending() -> int:
    """The reports whose PDF is missing (the task was lost with the broker down) rendered now;
    returns how many."""
    pending = list(Report.objects.filter(pdf="").values_list("pk", flat=True))
    for report_id in pending:
        report_pdf_render(report_id=report_id)
    return len(pending)
