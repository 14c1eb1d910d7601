"""The operations of `make bench` (issue 11 §2), timed once each on a scratch copy of the
generated register (they change it), each in a process of its own with a time limit
(`python -m bench.child operation NAME OUTPUT`; bench.child sends its tasks to an in-memory
broker):

- `sweep-N`: the adjustment deadline sweep with N steps due among 100,000 open ones;
- `calendar`: a calendar edit moving 100,000 due moments (both through bench.deadlines);
- `publish`: the publication of a 50-entry adjustment: 50 drafts of the department the pages
  name (bench.pages.pick) in one request, walked through its steps by the people of the
  generated organisation, through the services; only the publish transition is timed;
- `import`: the Excel import of 10,000 rows (issue 10 §2), the import job's dry run and import
  as the worker runs them, into a department of its own;
- `complaints-F-T-S`: the complaint calls timed one by one (bench.complaints): F filings, T
  trackings, S rounds of statistics; its figures are samples, not one Measured;
- `decisions-N`: the scratch copy topped up to N published decisions (bench.decisions), on
  which the public decision search is then timed."""

import dataclasses
import datetime
import io
import json
import secrets
from dataclasses import asdict
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from adjustments import services
from adjustments.choices import ReviewConclusion, TriggerKind
from adjustments.models import RequestItem
from core import services as core_services
from core.choices import DepartmentFunction, ReviewField, Role
from core.models import Department, Jurisdiction, User
from registry import import_jobs, importer
from registry import services as registry_services
from registry.choices import EntryStatus, LawLevel, ListKind
from registry.models import Entry, Law

from . import complaints, deadlines, decisions
from .figures import CALENDAR_MOVED, IMPORT_ROWS, PUBLISHED_ENTRIES, SWEEP_OPEN
from .measured import Measured, measure
from .pages import pick

LAW = "中华人民共和国行政许可法"
ARTICLES = ("第一条", "第二条")  # every generated law has them (core.scale: 7 to 29 articles)


def _person(jurisdiction: Jurisdiction, role: str, **department) -> User:
    """The generated user of `role` in the department of `jurisdiction` matching `department`
    (core.scale: one user per department)."""
    return (
        User.objects.filter(
            role=role,
            is_active=True,
            department__jurisdiction=jurisdiction,
            **{f"department__{name}": value for name, value in department.items()},
        )
        .order_by("pk")
        .first()
    )


def publication(entries: int = PUBLISHED_ENTRIES) -> Measured:
    """A request of the department the pages name, with drafts of its first `entries` power
    items in force (each promising one day more or less), walked to the publish step; the
    publication is timed."""
    department = Department.objects.select_related("jurisdiction").get(pk=pick()["department"])
    jurisdiction = department.jurisdiction
    clerk = _person(jurisdiction, Role.CLERK, pk=department.pk)
    office = _person(jurisdiction, Role.OFFICE, function=DepartmentFunction.REFORM_OFFICE)
    reviewer = _person(
        jurisdiction,
        Role.REVIEWER,
        function=DepartmentFunction.LEAD_REVIEWER,
        review_field=ReviewField.LEGAL,
    )
    digital = _person(jurisdiction, Role.DIGITAL, function=DepartmentFunction.DIGITAL_OFFICE)
    drafts = []
    chosen = Entry.objects.filter(
        department=department, status=EntryStatus.IN_FORCE, list_kind=ListKind.POWER
    ).order_by("sort_key", "pk")[:entries]
    for entry in chosen:
        draft = registry_services.draft_create(actor=clerk, entry=entry)
        days = draft.payload["promised_limit_days"]
        payload = {**draft.payload, "promised_limit_days": days - 1 if days > 1 else days + 1}
        drafts.append(registry_services.draft_save(actor=clerk, draft=draft, payload=payload))
    request = services.adjustment_create(
        actor=clerk,
        trigger=TriggerKind.INTERNAL,
        event_date=timezone.localdate(),
        summary=f"{department.name}承诺时限调整（基准测试）",
        reason="基准测试：一次发布50个事项。",
        drafts=drafts,
    )
    request = services.adjustment_submit(actor=clerk, request=request)
    request = services.adjustment_forward(
        actor=office, request=request, reviewers=[reviewer.department], opinion="请审核。"
    )
    request = services.adjustment_review(
        actor=reviewer, request=request, conclusion=ReviewConclusion.AGREE, opinion="同意。"
    )
    request = services.adjustment_approve(actor=office, request=request, opinion="同意调整。")
    request = services.adjustment_confirm(actor=clerk, request=request)
    request = services.adjustment_digital_forward(actor=office, request=request)
    _published, figures = measure(
        lambda: services.adjustment_publish(actor=digital, request=request)
    )
    published = RequestItem.objects.filter(request=request, version__isnull=False).count()
    return dataclasses.replace(figures, rows=published)


def workbook(rows: int, department: Department, basis: str) -> bytes:
    """An import workbook of `rows` valid rows of `department`, half in the power list and
    half in the approval list (a sheet holds at most importer.MAX_SHEET_ROWS rows)."""
    book = Workbook()
    book.remove(book.active)
    kinds = (ListKind.POWER, ListKind.APPROVAL)
    for index, kind in enumerate(kinds):
        sheet = book.create_sheet(importer.sheet_title(kind))
        keys = importer.columns(kind)
        sheet.append([importer.column_label(key) for key in keys])
        share = rows // len(kinds) + (1 if index < rows % len(kinds) else 0)
        for n in range(1, share + 1):
            values = {
                importer.JURISDICTION: department.jurisdiction.code,
                importer.DEPARTMENT: department.name,
                "category": "01",
                "name": f"示例许可事项{n}",
                "basic_code": f"01{n:05d}000",
                "basis": basis,
                "flow": "受理|窗口受理岗|接收材料|不一次性告知|低|一次性告知单\n审核|审核岗\n决定",
                "responsibilities": "受理|依法受理申请|不予受理不说明理由|",
                "statutory_limit_days": 20,
                "promised_limit_days": 10,
                "star_level": 3,
                "four_level_linked": "是",
                "materials": "申请表\n身份证明",
            }
            sheet.append([values.get(key) for key in keys])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _law() -> Law:
    law = Law.objects.filter(name=LAW).first()
    if law is None:
        law = registry_services.law_save(
            actor=None,
            name=LAW,
            level=LawLevel.LAW,
            issuing_body="全国人民代表大会常务委员会",
            effective_date=datetime.date(2004, 7, 1),
        )
        registry_services.provisions_save(
            actor=None, law=law, provisions=[(article, "……") for article in ARTICLES]
        )
    return law


def excel_import(rows: int = IMPORT_ROWS) -> tuple[Measured, Measured]:
    """The dry run and the import of a workbook of `rows` rows by an administrator, into a
    new department of the pages' jurisdiction."""
    jurisdiction = Jurisdiction.objects.get(code=pick()["jurisdiction"])
    token = secrets.token_hex(3)
    department = core_services.department_create(
        actor=None, jurisdiction=jurisdiction, name=f"{jurisdiction.name}基准导入局{token}"
    )
    admin = core_services.user_create(
        actor=None,
        username=f"bench-import-{token}",
        password=None,
        role=Role.ADMINISTRATOR,
        jurisdiction=jurisdiction,
    )
    basis = "；".join(f"《{_law().name}》{article}" for article in ARTICLES)
    content = workbook(rows, department, basis)
    job = import_jobs.import_job_create(
        actor=admin, upload=SimpleUploadedFile("bench.xlsx", content), language="zh-hans"
    )
    checked, dry_run = measure(lambda: import_jobs.import_job_check(job_id=job.pk))
    if checked.state != "checked":
        raise RuntimeError(f"the dry run found problems: {checked.problems[:3]}")
    import_jobs.import_job_confirm(actor=admin, job=checked)
    done, imported = measure(lambda: import_jobs.import_job_run(job_id=job.pk))
    if done.state != "done":
        raise RuntimeError(f"the import did not finish: {done.problems[:3]}")
    count = Entry.objects.filter(department=department).count()
    return dataclasses.replace(dry_run, rows=rows), dataclasses.replace(imported, rows=count)


def _open_note() -> str:
    return f"{deadlines.open_steps():,} open steps after it"


def run(name: str) -> dict:
    """Runs the operation `name`; returns its figures (the import's: its dry run and its
    import together, issue 10 §2's goal being for both) and a note."""
    if name.startswith("complaints-"):
        filings, trackings, rounds = (int(n) for n in name.split("-")[1:])
        return complaints.figures(filings=filings, trackings=trackings, rounds=rounds)
    if name.startswith("decisions-"):
        return decisions.top_up(int(name.removeprefix("decisions-")))
    if name.startswith("sweep-"):
        measured = deadlines.sweep(due=int(name.removeprefix("sweep-")), open_total=SWEEP_OPEN)
        return {"measured": asdict(measured), "note": ""}
    if name == "calendar":
        measured = deadlines.calendar_edit(moved=CALENDAR_MOVED)
        return {"measured": asdict(measured), "note": _open_note()}
    if name == "publish":
        return {"measured": asdict(publication()), "note": ""}
    if name == "import":
        dry_run, imported = excel_import()
        both = Measured(
            milliseconds=dry_run.milliseconds + imported.milliseconds,
            statements=dry_run.statements + imported.statements,
            rows=imported.rows,
            peak_rss_mb=max(dry_run.peak_rss_mb, imported.peak_rss_mb),
            rss_growth_mb=max(dry_run.rss_growth_mb, imported.rss_growth_mb),
        )
        seconds = (dry_run.milliseconds / 1000, imported.milliseconds / 1000)
        return {
            "measured": asdict(both),
            "note": f"dry run {seconds[0]:.1f} s, import {seconds[1]:.1f} s",
        }
    raise ValueError(f"unknown operation {name}")


def main(argv: list[str]) -> None:
    name, output = argv
    Path(output).write_text(json.dumps(run(name)))
