"""The Excel import of decisions (issue 14 §5: "upload them by Excel with the same dry-run and
row errors as the register's import"), for departments without a case system of their own.

Upload → the job is CHECKING and a task checks every row (the dry run) → CHECKED when no row
has a problem, REFUSED with every problem by row and column otherwise → the uploader confirms
→ IMPORTING and a task imports every row in one transaction, or none → DONE.

A row is checked by the very rules a decision is recorded with: each row is recorded through
decisions.services.decision_record inside a savepoint, all of them inside one transaction
that is rolled back at the end of the check. So the dry run also finds what only the database
knows (a decision number used twice, in the file or before). The import runs the same rows
again in one transaction that is kept only when every row passes: what changed between the
check and the import (a body withdrawn, a number recorded meanwhile) refuses the whole file.

Shared with the register's import (registry.importer, registry.import_jobs): the archive's
check before anything is parsed (zip bombs: archive_problem), the size limit, the template's
language, the progress written in short transactions of its own (on a second connection while
the import's transaction is open on PostgreSQL) and the sweep that re-sends a job whose task
was lost. Celery is a trigger only; the job's row is the truth.
"""

import datetime
import functools
import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from core.checkers import writer_text
from core.choices import AuditAction
from core.models import AuditEvent, User
from core.permissions import Action, can
from core.services import DomainError, audit_record, permission_require
from registry.importer import LANGUAGES, TEMPLATE_LANGUAGE, archive_problem

from ..choices import ImportState, PartyKind, PenaltyKind, Source
from ..models import Decision, ImportJob
from . import credit
from .decisions import RowProblems, decision_record
from .intake import DepartmentLookups, decision_values, printable

logger = logging.getLogger(__name__)

# A file holds at most this many decisions (this product's default): every row is recorded
# once in the dry run and once in the import, about 30 queries each, well within a minute.
MAX_ROWS = 2_000
# Progress is written at most this often; a job that has not moved for LOST_AFTER lost its
# task and is sent again by the sweep (as registry.import_jobs).
PROGRESS_SECONDS = 1.0
LOST_AFTER = datetime.timedelta(minutes=10)
PENDING = (ImportState.CHECKING, ImportState.IMPORTING)

SHEET = gettext_lazy("Decisions to import")
INSTRUCTIONS = gettext_lazy("Instructions")
CHOICES = gettext_lazy("Choices")

# The columns, in the template's order: (key, label, required). The key is a value of
# decision_record (or body, item, officers, resolved in the uploader's department).
COLUMNS = (
    ("external_id", gettext_lazy("Case reference (optional)"), False),
    ("body", gettext_lazy("Enforcement body (its name)"), True),
    ("item", gettext_lazy("Item (implementation code)"), True),
    ("officers", gettext_lazy("Officers (certificate numbers)"), True),
    ("title", gettext_lazy("Case or matter"), True),
    ("number", gettext_lazy("Decision number"), True),
    ("party_kind", gettext_lazy("Kind of party"), True),
    ("party_name", gettext_lazy("Name of the party"), True),
    ("party_credit_code", gettext_lazy("Party's unified social credit code"), False),
    ("legal_representative", gettext_lazy("Legal representative"), False),
    ("party_id_number", gettext_lazy("Party's identity number (never published)"), False),
    ("party_contact", gettext_lazy("Party's address and phone (never published)"), False),
    ("content", gettext_lazy("Facts and content of the decision"), True),
    ("basis", gettext_lazy("Legal basis of the decision"), True),
    ("penalty_kinds", gettext_lazy("Kinds of penalty"), False),
    ("fine_amount", gettext_lazy("Fine (yuan)"), False),
    ("confiscated_amount", gettext_lazy("Confiscated (yuan)"), False),
    ("licence_name", gettext_lazy("Name of the licence certificate"), False),
    ("licence_number", gettext_lazy("Licence number"), False),
    ("valid_from", gettext_lazy("Valid from"), False),
    ("valid_until", gettext_lazy("Valid until"), False),
    ("filed_on", gettext_lazy("Filed on"), True),
    ("decided_on", gettext_lazy("Decided on"), True),
    ("served_on", gettext_lazy("Served on"), False),
    ("major", gettext_lazy("Major penalty (yes/no)"), False),
    ("legal_review_on", gettext_lazy("Legal review on"), False),
    ("legal_reviewer", gettext_lazy("Legal review by"), False),
    ("legal_review_opinion", gettext_lazy("Legal review opinion"), False),
    ("collective_on", gettext_lazy("Collective discussion on"), False),
    ("collective_note", gettext_lazy("Collective discussion record"), False),
)
KEYS = tuple(key for key, _label, _required in COLUMNS)
REQUIRED = frozenset(key for key, _label, required in COLUMNS if required)
DATE_KEYS = frozenset(
    {
        "valid_from",
        "valid_until",
        "filed_on",
        "decided_on",
        "served_on",
        "legal_review_on",
        "collective_on",
    }
)
WIDE = {"title": 30, "party_name": 30, "content": 50, "basis": 40, "item": 34, "body": 24}
_YES = ("是", "yes", "y", "true", "1", "✓", "√")
_NO = ("否", "no", "n", "false", "0", "")
_LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")
_CONTROL_ESCAPE = re.compile(r"_x(00[01][0-9A-Fa-f])_")
_HEADER_FILL = PatternFill("solid", fgColor="F0ECE6")
_REQUIRED_FONT = Font(bold=True, color="9F1D20")


def _in(language: str, text) -> str:
    with translation.override(language):
        return capfirst(str(text))


def column_label(key: str, language: str = "") -> str:
    """A column's header as the template writes it (in `language`, else the current one)."""
    label = dict((k, label) for k, label, _r in COLUMNS).get(key)
    if label is None:
        return ""
    return _in(language, label) if language else capfirst(str(label))


def _norm(value) -> str:
    return re.sub(r"\s+", "", str(value)).lower()


def _text(value) -> str:
    """A cell as text: whole numbers without ".0", dates as dates, Excel's escapes of control
    characters decoded (so that the free-text check sees them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return _CONTROL_ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), str(value)).strip()


@functools.cache
def _choice_tables() -> tuple[dict[str, str], dict[str, str]]:
    """The kinds of party and of penalty by value and by label in either language (the
    labels are fixed for the process's life), and by the words of the national exchange form
    and of 行政处罚法 第九条 (法人及非法人组织, 罚款, …), which clerks type whatever the site's
    translation says."""
    party, penalty = _choices(PartyKind), _choices(PenaltyKind)
    party.update({_norm(word): value for value, word in credit.PARTY_KINDS.items()})
    penalty.update({_norm(word): value for value, word in credit.PENALTY_KINDS.items()})
    return party, penalty


def _choices(choices) -> dict[str, str]:
    table = {}
    for value, label in choices.choices:
        table[_norm(value)] = value
        for language in LANGUAGES:
            table[_norm(_in(language, label))] = value
    return table


# --- the template ---------------------------------------------------------------------------


def workbook_template(*, user: User) -> bytes:
    """The template for `user`'s department: the columns (required ones in red), an
    instructions sheet with an example, and the choices — kinds of party and of penalty, and
    the department's own enforcement bodies, items and officers' certificate numbers."""
    with translation.override(TEMPLATE_LANGUAGE):
        return _template(user)


def _template(user: User) -> bytes:
    lookups = DepartmentLookups(user.department) if user.department_id else None
    book = Workbook()
    sheet = book.active
    sheet.title = str(SHEET)[:31]
    sheet.append([column_label(key) for key in KEYS])
    for index, key in enumerate(KEYS, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.fill = _HEADER_FILL
        header.font = _REQUIRED_FONT if key in REQUIRED else Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = WIDE.get(key, 16)
        if key in DATE_KEYS or key in {"item", "party_credit_code", "party_id_number"}:
            # Text, so that Excel keeps codes and dates as they are typed.
            sheet.column_dimensions[letter].number_format = "@"
    for key, options in (
        ("party_kind", [str(label) for label in PartyKind.labels]),
        ("major", [_("Yes"), _("No")]),
    ):
        letter = get_column_letter(KEYS.index(key) + 1)
        validation = DataValidation(
            type="list", formula1='"' + ",".join(options) + '"', allow_blank=True
        )
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.freeze_panes = "B2"
    _instructions(book.create_sheet(str(INSTRUCTIONS)[:31]), lookups)
    _choice_sheet(book.create_sheet(str(CHOICES)[:31]), lookups)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _column_notes() -> dict[str, str]:
    return {
        "external_id": _(
            "Your own reference of the decision, if you keep one; unique in your department."
        ),
        "body": _("The name of one of your department's enforcement bodies (see Choices)."),
        "item": _(
            "The implementation code of the item of your department the decision is "
            "made under (see Choices)."
        ),
        "officers": _(
            "The certificate numbers of the officers who handled it, separated by "
            "、 or commas; a penalty needs at least two."
        ),
        "party_kind": _("One of the kinds listed under Choices."),
        "party_credit_code": _("18 characters (GB 32100-2015); required for an organisation."),
        "party_id_number": _(
            "A natural person's identity number: kept for the staff, never published."
        ),
        "penalty_kinds": _("For a penalty: the kinds listed under Choices, separated by 、."),
        "fine_amount": _("In yuan, e.g. 20000 or 20000.50."),
        "confiscated_amount": _("In yuan, e.g. 20000 or 20000.50."),
        "served_on": _("When given, the publication within 10 days of service starts."),
        "major": _(
            "Yes for a major penalty: it then needs its legal review and collective discussion."
        ),
    }


def _instructions(sheet, lookups: DepartmentLookups | None) -> None:
    bold = Font(bold=True)
    lines = [
        _("How to fill in this template"),
        _("One row per decision on the first sheet; keep its name and the header row unchanged."),
        _("Columns in red are required; dates are written YYYY-MM-DD."),
        _("At most %(rows)s rows per file.") % {"rows": MAX_ROWS},
        _(
            "Upload the file: every row is checked first by the same rules as a decision "
            "recorded on the site, and every bad row is reported with its row number, column "
            "and reason; nothing is imported while any row is bad. A file with no problem is "
            "imported once you confirm it, all rows together."
        ),
        _(
            "The decisions are your department's: bodies, items and officers are looked up "
            "in your department only."
        ),
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append([_("Column"), _("Required"), _("How to write it")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
        cell.fill = _HEADER_FILL
    notes = _column_notes()
    for key in KEYS:
        sheet.append(
            [column_label(key), _("Yes") if key in REQUIRED else _("No"), notes.get(key, "")]
        )
    sheet.append([])
    sheet.append([_("Example of a row")])
    sheet[f"A{sheet.max_row}"].font = bold
    example = {
        # The department's own names where it has them, so that the example reads true.
        "body": next(iter(lookups.bodies()), "") if lookups else "",
        "item": min(lookups.items(), default="") if lookups else "",
        "officers": "、".join(sorted(lookups.certificates())[:2]) if lookups else "",
        "title": "某盐业公司违规经营食盐案",
        "number": "郑盐罚〔2026〕1号",
        "party_kind": str(PartyKind.ORGANISATION.label),
        "party_name": "郑州某盐业有限公司",
        "party_credit_code": "91410100MA44X6Y2X0",
        "content": "当事人未取得食盐定点批发许可从事食盐批发。",
        "basis": "《食盐专营办法》第二十六条",
        "penalty_kinds": str(PenaltyKind.FINE.label),
        "fine_amount": "20000",
        "filed_on": "2026-09-01",
        "decided_on": "2026-09-20",
        "major": _("No"),
    }
    for key in KEYS:
        sheet.append([column_label(key), example.get(key, "")])
    for letter, width in zip("ABC", (34, 30, 90), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _choice_sheet(sheet, lookups: DepartmentLookups | None) -> None:
    bold = Font(bold=True)

    def heading(*titles: str) -> None:
        sheet.append(list(titles))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.fill = _HEADER_FILL

    heading(column_label("party_kind"))
    for label in PartyKind.labels:
        sheet.append([str(label)])
    sheet.append([])
    heading(column_label("penalty_kinds"))
    for label in PenaltyKind.labels:
        sheet.append([str(label)])
    if lookups is not None:
        sheet.append([])
        heading(column_label("body"))
        for body in lookups.bodies().values():
            sheet.append([writer_text(body.name), body.get_state_display()])
        sheet.append([])
        heading(column_label("item"), _("Item"))
        for entry in sorted(lookups.items().values(), key=lambda e: e.code):
            sheet.append([entry.code, writer_text(entry.name)])
        sheet.append([])
        heading(column_label("officers"), _("Officer"))
        for number, person in sorted(lookups.certificates().items()):
            sheet.append([number, writer_text(person.name)])
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 40


# --- reading a file ---------------------------------------------------------------------------


@dataclass
class Problem:
    row: int | None
    column: str
    message: str
    position: int = 0

    def as_json(self) -> dict:
        # What a cell held may be quoted: control characters dropped (PostgreSQL's JSON
        # refuses NUL).
        return {
            "row": self.row,
            "column": printable(self.column, 100),
            "message": printable(self.message, 1000),
        }


@dataclass
class Row:
    number: int
    raw: dict


def _header_keys() -> dict[str, str]:
    keys = {}
    for key in KEYS:
        keys[_norm(key)] = key
        for language in LANGUAGES:
            keys[_norm(column_label(key, language))] = key
    return keys


def _sheet_names(text) -> set[str]:
    return {_norm(_in(language, text)) for language in LANGUAGES}


def _read(upload) -> tuple[list[Row], list[Problem]]:
    """The rows of the decisions sheet, as raw values by column key; or the problems that
    stop the whole file (not a workbook, a missing column, too many rows)."""
    problem = archive_problem(upload)
    if problem:
        return [], [Problem(None, "", problem)]
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return [], [Problem(None, "", _("The file is not an Excel workbook (.xlsx)."))]
    try:
        return _read_book(book)
    finally:
        book.close()


def _read_book(book) -> tuple[list[Row], list[Problem]]:
    wanted = _sheet_names(SHEET)
    skipped = _sheet_names(INSTRUCTIONS) | _sheet_names(CHOICES)
    sheet = next((s for s in book.worksheets if _norm(s.title) in wanted), None)
    if sheet is None:
        sheet = next((s for s in book.worksheets if _norm(s.title) not in skipped), None)
    if sheet is None:
        return [], [Problem(None, "", _("The file has no sheet of decisions."))]
    sheet.reset_dimensions()
    cells = sheet.iter_rows(values_only=True)
    header = next(cells, None) or ()
    known = _header_keys()
    columns: dict[int, str] = {}
    problems = []
    for index, cell in enumerate(header):
        text = _text(cell)
        if not text:
            continue
        key = known.get(_norm(text))
        if key is None:
            problems.append(
                Problem(1, text[:50], _("Unknown column “%(column)s”.") % {"column": text[:50]})
            )
        elif key in columns.values():
            problems.append(
                Problem(1, text[:50], _("Column “%(column)s” appears twice.") % {"column": text})
            )
        else:
            columns[index] = key
    missing = [column_label(key) for key in KEYS if key in REQUIRED and key not in columns.values()]
    if missing:
        problems.append(
            Problem(
                1,
                "",
                _("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)},
            )
        )
    if problems:
        return [], problems
    rows = []
    for number, values in enumerate(cells, start=2):
        raw = {key: values[index] for index, key in columns.items() if index < len(values)}
        if all(_text(value) == "" for value in raw.values()):
            continue
        if len(rows) == MAX_ROWS:
            return [], [
                Problem(
                    None,
                    "",
                    _("The file has more than %(max)s rows; split it into several files.")
                    % {"max": MAX_ROWS},
                )
            ]
        rows.append(Row(number, raw))
    if not rows:
        return [], [Problem(None, "", _("The file has no rows to import."))]
    return rows, []


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _date(cell, text: str):
    """A date cell, or a date typed as text (2026-09-20, 2026/9/20, 2026年9月20日); anything
    else is left as typed for decision_record to refuse."""
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    found = _DATE.match(text)
    if found:
        try:
            return datetime.date(*(int(part) for part in found.groups()))
        except ValueError:
            return text
    return text or None


def _raw_values(row: Row) -> tuple[dict, list[Problem]]:
    """A row's cells as the values decision_record takes: dates as dates, choices by their
    labels (either language) or values, lists split; what cannot be read is a problem of its
    column, the rest is left to decision_record's own checks."""
    party_kinds, penalty_kinds = _choice_tables()
    values: dict = {}
    problems = []
    for key, cell in row.raw.items():
        text = _text(cell)
        if key in DATE_KEYS:
            values[key] = _date(cell, text)
        elif key == "party_kind":
            values[key] = party_kinds.get(_norm(text), text)
        elif key == "penalty_kinds":
            values[key] = [
                penalty_kinds.get(_norm(part), part.strip())
                for part in _LIST_SEPARATORS.split(text)
                if part.strip()
            ]
        elif key == "major":
            word = text.lower()
            if word not in _YES and word not in _NO:
                problems.append(_problem(row, key, _("Write yes or no (是 or 否).")))
            values[key] = word in _YES
        elif key in ("fine_amount", "confiscated_amount"):
            values[key] = text.replace(",", "").replace("，", "") if text else None
        else:
            values[key] = text
    return values, problems


def _problem(row: Row | None, key: str, message: str) -> Problem:
    position = KEYS.index(key) if key in KEYS else len(KEYS)
    return Problem(row.number if row else None, column_label(key), message, position)


def _record_rows(job: ImportJob, rows: list[Row], progress) -> list[Problem]:
    """Records every row through decision_record (each in a savepoint, so a bad row leaves
    nothing and the next is still checked); returns the problems by row and column. The
    caller's transaction decides whether anything stays."""
    lookups = DepartmentLookups(job.department)
    references = {_text(row.raw.get("item")) for row in rows}
    elsewhere = lookups.item_departments(
        [code for code in references if code and lookups.item(code) is None]
    )
    problems: list[Problem] = []
    for done, row in enumerate(rows, start=1):
        values, found = _raw_values(row)
        problems.extend(found)
        # Recorded even when a cell could not be read, so that the row's other problems are
        # reported too (the transaction keeps nothing of a file with a problem).
        try:
            with transaction.atomic():
                given = decision_values(lookups, values, item_departments=elsewhere)
                decision_record(
                    actor=job.created_by,
                    department=job.department,
                    given=given,
                    source=Source.IMPORT,
                )
        except RowProblems as refused:
            for key, messages in refused.problems.items():
                problems.extend(_problem(row, key, str(message)) for message in messages)
        except DomainError as refused:
            problems.append(_problem(row, "", str(refused)))
        progress(done, len(rows))
    return sorted(problems, key=lambda p: (p.row or 0, p.position))


# --- the job ---------------------------------------------------------------------------------


def _enqueue(job: ImportJob) -> None:
    from .. import tasks

    task = tasks.import_job_run if job.state == ImportState.IMPORTING else tasks.import_job_check
    transaction.on_commit(lambda: task.delay(job.pk))


@transaction.atomic
def import_job_create(*, actor: User, upload, language: str = "") -> ImportJob:
    """Keeps an uploaded workbook (already checked by content, core.checkers.upload_problem)
    of the uploader's department for its dry run, and sends the check."""
    permission_require(actor, Action.ADD, ImportJob)
    if not actor.department_id:
        raise DomainError(_("You import the decisions of your own department only."))
    job = ImportJob(
        department=actor.department,
        created_by=actor,
        file_name=upload.name[:200],
        language=language or translation.get_language() or TEMPLATE_LANGUAGE,
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=job)
    _enqueue(job)
    return job


def _progress_writer(job_id: int):
    """Writes rows done and total at most every PROGRESS_SECONDS in its own transaction: on a
    second connection while a transaction is open on the first (PostgreSQL; SQLite has one
    writer, so there it is seen at the commit)."""
    state = {"at": 0.0, "side": None}

    def write(done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - state["at"] < PROGRESS_SECONDS:
            return
        state["at"] = now
        if connection.in_atomic_block and connection.vendor == "postgresql":
            if state["side"] is None:
                state["side"] = connections.create_connection("default")
            with state["side"].cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s, rows_total = %s "
                    "WHERE id = %s",
                    [done, total, job_id],
                )
        else:
            ImportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=total)

    def close() -> None:
        if state["side"] is not None:
            state["side"].close()

    write.close = close
    return write


class _DryRun(Exception):
    """Rolls the dry run's transaction back."""


def import_job_check(*, job_id: int) -> ImportJob | None:
    """The dry run: every row recorded as the import would, in one transaction rolled back at
    the end; the job is CHECKED when no row has a problem, REFUSED with them all by row and
    column otherwise. Runs in the uploader's language. A job not waiting for its check is
    left alone (a second message changes nothing)."""
    job = (
        ImportJob.objects.filter(pk=job_id, state=ImportState.CHECKING)
        .select_related("department__jurisdiction", "created_by")
        .first()
    )
    if job is None:
        return None
    progress = _progress_writer(job.pk)
    try:
        with translation.override(job.language):
            problems, total = _check(job, progress)
    except Exception:
        logger.exception("decision import %s: the check failed", job.pk)
        with translation.override(job.language):
            problems = [Problem(None, "", _("The file could not be read."))]
        total = 0
    finally:
        progress.close()
    return _finish(
        job.pk,
        ImportState.CHECKING,
        ImportState.REFUSED if problems else ImportState.CHECKED,
        problems=[problem.as_json() for problem in problems],
        rows_total=total,
        rows_done=total if not problems else 0,
    )


def _check(job: ImportJob, progress) -> tuple[list[Problem], int]:
    with job.file.open("rb") as upload:
        rows, problems = _read(upload)
    if problems:
        return problems, 0
    progress(0, len(rows), force=True)
    try:
        with transaction.atomic():
            problems = _record_rows(job, rows, progress)
            raise _DryRun
    except _DryRun:
        pass
    return problems, len(rows)


@transaction.atomic
def import_job_confirm(*, actor: User, job: ImportJob) -> ImportJob:
    """The uploader confirms a checked file: the import is queued. Irreversible (the page asks
    first): every row becomes a recorded decision of the department."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    permission_require(actor, Action.VIEW, locked)
    if locked.created_by_id != actor.pk:
        raise DomainError(_("Only the person who uploaded the file may import it."))
    if not can(actor, Action.ADD, Decision):
        raise DomainError(_("You may not record decisions."))
    if locked.state != ImportState.CHECKED:
        raise DomainError(_("Only a checked file with no problem can be imported."))
    locked.state = ImportState.IMPORTING
    locked.rows_done = 0
    locked.save(update_fields=["state", "rows_done"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, detail={"confirmed": True})
    _enqueue(locked)
    return locked


def import_job_run(*, job_id: int) -> ImportJob | None:
    """The import of a confirmed file: every row recorded in one transaction, kept only when
    every row passes (what changed since the check refuses the whole file, nothing written).
    A job not waiting for its import is left alone; a second run racing the first finds the
    numbers taken, rolls its own work back and leaves the first's result."""
    job = (
        ImportJob.objects.filter(pk=job_id, state=ImportState.IMPORTING)
        .select_related("department__jurisdiction", "created_by")
        .first()
    )
    if job is None:
        return None
    progress = _progress_writer(job.pk)
    problems: list[Problem] = []
    total = 0
    try:
        with translation.override(job.language):
            with job.file.open("rb") as upload:
                rows, problems = _read(upload)
            total = len(rows)
            if not problems:
                progress(0, total, force=True)
                with transaction.atomic():
                    problems = _record_rows(job, rows, progress)
                    if problems:
                        transaction.set_rollback(True)
    except Exception:
        logger.exception("decision import %s: the import failed", job.pk)
        with translation.override(job.language):
            problems = [Problem(None, "", _("The import failed unexpectedly; nothing was saved."))]
    finally:
        progress.close()
    if problems:
        return _finish(
            job.pk,
            ImportState.IMPORTING,
            ImportState.REFUSED,
            problems=[problem.as_json() for problem in problems],
            rows_done=0,
        )
    return _finish(job.pk, ImportState.IMPORTING, ImportState.DONE, imported=total, rows_done=total)


@transaction.atomic
def _finish(job_id: int, expected: str, state: str, **values) -> ImportJob | None:
    """Ends a step of the job unless another run ended it first."""
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    if job.state != expected:
        return job
    job.state = state
    for name, value in values.items():
        setattr(job, name, value)
    fields = ["state", *values]
    if state in (ImportState.REFUSED, ImportState.DONE):
        job.finished_at = timezone.now()
        fields.append("finished_at")
    job.save(update_fields=fields)
    return job


def import_jobs_resume(*, now: datetime.datetime | None = None) -> int:
    """The beat sweep (config/celery.py): a job waiting for its check or import whose last
    move (its upload, or its confirmation in the audit trail) is older than LOST_AFTER lost
    its task (broker down, worker stopped) and is sent again; the services leave a job alone
    that is no longer waiting. Returns how many were sent."""
    from .. import tasks

    now = now or timezone.now()
    waiting = list(
        ImportJob.objects.filter(state__in=PENDING, created_at__lte=now - LOST_AFTER).order_by("pk")
    )
    if not waiting:
        return 0
    confirmed = dict(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(ImportJob),
            object_id__in=[str(job.pk) for job in waiting],
            action=AuditAction.UPDATE,
        )
        .values("object_id")
        .annotate(last=Max("at"))
        .values_list("object_id", "last")
    )
    sent = 0
    for job in waiting:
        moved = confirmed.get(str(job.pk), job.created_at)
        if job.state == ImportState.IMPORTING and moved > now - LOST_AFTER:
            continue
        importing = job.state == ImportState.IMPORTING
        (tasks.import_job_run if importing else tasks.import_job_check).delay(job.pk)
        sent += 1
    return sent


def job_percent(job: ImportJob) -> int:
    if not job.rows_total:
        return 0
    return min(100, int(100 * job.rows_done / job.rows_total))
