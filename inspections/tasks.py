"""Celery tasks of inspections: thin triggers, JSON in and out. What they work on lives in the
database; a lost or repeated task changes nothing (the register check proposes each finding
once, a report's PDF is written once)."""

from celery import shared_task

from inspections import services
from inspections.services import ledger, reports


@shared_task
def deadlines_sweep() -> dict[str, int]:
    """Beat (config/celery.py), every five minutes: reminders one working day before due,
    overdue notices of inspection steps and the escalation of overdue rectification (seed 002
    管理办法 第十九条)."""
    result = services.inspection_deadlines_sweep()
    return {
        "reminders": result.reminders,
        "overdue": result.overdue,
        "notifications": result.notifications,
    }


@shared_task
def register_check() -> dict[str, int]:
    """Daily (config/celery.py): the register's own findings proposed to the problem ledger
    (issue 13 §4: an item in force on a repealed basis, an adjustment not applied for after a
    change of law)."""
    return {"proposed": ledger.problems_propose_from_register()}


@shared_task
def report_pdf_render(report_id: int) -> dict[str, object]:
    """Sent after a report is published: its official-document PDF."""
    report = reports.report_pdf_render(report_id=report_id)
    return {"report": report.pk, "pdf": report.pdf.name}


@shared_task
def reports_pdf_pending() -> dict[str, int]:
    """Every five minutes (config/celery.py): the PDFs of reports whose task was lost."""
    return {"rendered": reports.reports_pdf_pending()}
