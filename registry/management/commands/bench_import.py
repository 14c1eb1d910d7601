"""`make bench`: how long the Excel import of 10,000 rows takes (issue 10 §2: within 60 s on
PostgreSQL).

Builds a throw-away database (the test database of the configured one: SQLite by default,
PostgreSQL with DATABASE_URL), generates a workbook of N valid rows (half in the power list,
half in the approval list: a sheet holds at most importer.MAX_SHEET_ROWS rows), and times the
import job's services as the worker runs them: the dry run, then the import. Figures, not
pass/fail: compare runs on the same machine."""

import datetime
import io
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import connection
from openpyxl import Workbook

from core import services as core_services
from core.benchmarks import broker_isolated
from core.choices import JurisdictionLevel, Role
from registry import import_jobs, importer, services
from registry.choices import LawLevel, ListKind
from registry.models import Entry

LAW = "中华人民共和国行政许可法"


class Command(BaseCommand):
    help = "Times the Excel import (dry run and import) of a generated workbook."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)

    def handle(self, *args, **options):
        creation = connection.creation
        # The job's tasks must reach no worker: this database is thrown away.
        with broker_isolated():
            name = creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                self.stdout.write(f"database: {connection.vendor} {name}")
                self._run(options["rows"])
            finally:
                creation.destroy_test_db(name, verbosity=0)

    def _run(self, rows: int) -> None:
        city = core_services.jurisdiction_create(
            actor=None, code="410100", name="郑州市", level=JurisdictionLevel.CITY
        )
        department = core_services.department_create(
            actor=None, jurisdiction=city, name="郑州市盐业管理局"
        )
        admin = core_services.user_create(
            actor=None,
            username="bench-admin",
            password=None,
            role=Role.ADMINISTRATOR,
            jurisdiction=city,
        )
        law = services.law_save(
            actor=None,
            name=LAW,
            level=LawLevel.LAW,
            issuing_body="全国人民代表大会常务委员会",
            effective_date=datetime.date(2004, 7, 1),
        )
        services.provisions_save(
            actor=None, law=law, provisions=[("第十二条", "……"), ("第十三条", "……")]
        )
        content = workbook(rows, department)
        self.stdout.write(f"workbook: {rows} rows, {len(content) // 1024} KB")
        job = import_jobs.import_job_create(
            actor=admin, upload=SimpleUploadedFile("bench.xlsx", content), language="zh-hans"
        )
        started = time.perf_counter()
        job = import_jobs.import_job_check(job_id=job.pk)
        checked = time.perf_counter()
        assert job.state == "checked", job.problems[:5]
        import_jobs.import_job_confirm(actor=admin, job=job)
        confirmed = time.perf_counter()
        job = import_jobs.import_job_run(job_id=job.pk)
        done = time.perf_counter()
        assert job.state == "done", job.problems[:5]
        assert Entry.objects.count() == rows
        self.stdout.write(f"dry run      {checked - started:7.1f} s")
        self.stdout.write(f"import       {done - confirmed:7.1f} s")
        self.stdout.write(f"total        {done - started:7.1f} s  ({rows} rows)")


def workbook(rows: int, department) -> bytes:
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
                "basis": f"《{LAW}》第十二条；《{LAW}》第十三条",
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
