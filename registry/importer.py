"""The Excel import of the register (issue 3 §5).

The template (`workbook_template`) has one sheet per list, named by the list's Chinese label,
with a header row of Chinese column names: the division code and the implementing body, then
the list's fields (models.FIELDS_BY_KIND) by their Chinese labels. Structured values are
text: the basis as 《law》article, the flow and the responsibility items one per line with
parts separated by "|". A second sheet explains every column.

`workbook_check` reads an uploaded file (openpyxl read-only: large files stream), validates
every row completely (services.entry_build, plus duplicates inside the file and against the
register) and reports every problem with sheet, row and column. It writes nothing.
`checked_rows` turns a valid report into JSON rows (what an import job keeps between its dry
run and its confirmation) and `rows_import` writes them, all in one transaction, without
checking each row again: an administrator publishes into the register of their jurisdiction
(source "import"), a department clerk gets drafts of new entries of their own department.
registry.import_jobs runs both as Celery tasks behind a progress page (issue 10 §2).
"""

import datetime
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.parsers import expat

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from core.checkers import text_problem, writer_text
from core.choices import JurisdictionLevel
from core.models import Department, Jurisdiction
from core.permissions import Action, can
from core.selectors import departments_of_own_jurisdiction
from core.services import DomainError

from . import selectors, services
from .choices import DraftState, EntryStatus, ListKind, ResponsibilityStage, RiskLevel, StarLevel
from .display import field_label, provision_label
from .models import (
    DISCRETION_KEYS,
    FIELDS_BY_KIND,
    MAX_STEP_LIMIT_DAYS,
    REQUIRED_BY_KIND,
    RESPONSIBILITY_KEYS,
    Draft,
    Entry,
)

# A register is loaded in parts of at most this many rows (this product's default): the file
# is checked and written by a background job (registry.import_jobs), measured at 10,000 rows
# well within a minute (`make bench`).
MAX_ROWS = 10_000
MAX_BYTES = 20 * 1024 * 1024
# Limits checked on the archive before openpyxl parses it (issue 9 §13: 114 KB of zip held 3
# million empty rows, 231 KB one 200 MB cell). This product's defaults, generous for a
# register: the members' unpacked sizes together, rows of a sheet as stored (empty rows too),
# columns, and characters in one cell (Excel's own limit).
MAX_INFLATED_BYTES = 50 * 1024 * 1024
MAX_SHEET_ROWS = 10_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 32_767
_SCAN_CHUNK = 64 * 1024
TEMPLATE_LANGUAGE = "zh-hans"
# The languages whose labels a header or a choice may be written in.
LANGUAGES = (TEMPLATE_LANGUAGE, "en")

PUBLISH, DRAFTS = "publish", "drafts"

JURISDICTION, DEPARTMENT = "jurisdiction", "department"
_FIXED_COLUMNS = {
    JURISDICTION: gettext_lazy("Administrative division code"),
    DEPARTMENT: gettext_lazy("Implementing body"),
}
_CODE_COLUMNS = (JURISDICTION, "basic_code", "parent", "merged_into")
_LINES_COLUMNS = ("basis", "flow", "discretion", "responsibilities", "materials")
_PART = re.compile(r"[|｜]")
_CITATION = re.compile(r"《\s*(?P<law>[^》]+?)\s*》\s*(?P<articles>.*)")
_SEPARATORS = re.compile(r"[\n；;]")
# File-format words accepted besides the translated labels (the template's documented forms).
_YES = ("是", "yes", "y", "true", "1", "✓", "√")
_NO = ("否", "no", "n", "false", "0")
_RISK_WORDS = {"高": RiskLevel.HIGH, "中": RiskLevel.MEDIUM, "低": RiskLevel.LOW}
# The parts of a flow line in the workbook, in order. The time limit (seed 004 一(二)3) comes
# last, so that workbooks written before it had a column still read the same.
_FLOW_LINE_KEYS = (
    "step",
    "post",
    "description",
    "risk_point",
    "risk_level",
    "control_measure",
    "limit_days",
)


def import_mode(user) -> str | None:
    """What an import by `user` does: publish (administrators: the initial load of their
    register) or make drafts (department clerks); None when they may not import."""
    if can(user, Action.ADD, Entry):
        return PUBLISH
    if can(user, Action.ADD, Draft):
        return DRAFTS
    return None


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def column_label(key: str, language: str = TEMPLATE_LANGUAGE) -> str:
    with translation.override(language):
        return capfirst(str(_FIXED_COLUMNS[key]) if key in _FIXED_COLUMNS else field_label(key))


def columns(list_kind: str) -> list[str]:
    return [JURISDICTION, DEPARTMENT, *FIELDS_BY_KIND[list_kind]]


def sheet_title(list_kind: str, language: str = TEMPLATE_LANGUAGE) -> str:
    # Excel allows 31 characters in a sheet name.
    return _in(language, ListKind(list_kind).label)[:31].strip()


def instructions_title(language: str = TEMPLATE_LANGUAGE) -> str:
    return _in(language, gettext_lazy("Instructions"))


def _norm(value) -> str:
    return re.sub(r"\s+", "", str(value)).lower()


def _choice_table(choices) -> dict[str, str]:
    table = {}
    for value, label in choices.choices:
        table[_norm(value)] = value
        for language in LANGUAGES:
            table[_norm(_in(language, label))] = value
    return table


# --- the template -------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="F0ECE6")
_EXAMPLE_FILL = PatternFill("solid", fgColor="FFF6D5")
_REQUIRED_FONT = Font(bold=True, color="9F1D20")
_WIDE = {"name": 30, "basis": 40, "flow": 60, "responsibilities": 50, "materials": 30}


def example_marker(language: str = TEMPLATE_LANGUAGE) -> str:
    """Starts the name of each example row; the import refuses a row still marked with it."""
    return _in(language, gettext_lazy("Example: "))


def _required(list_kind: str) -> set[str]:
    return {JURISDICTION, DEPARTMENT, "category", "name", "basic_code"} | set(
        REQUIRED_BY_KIND[list_kind]
    )


def _example_row(list_kind: str, place: dict) -> dict[str, object]:
    """One row that imports once its marker is removed (with a provision in the register).
    Each list's example has its own main item number: power and approval lists share
    category codes, and a department holds a basic code once."""
    category = place["categories"].get(list_kind)
    item = ListKind.values.index(list_kind) + 1
    risk = RiskLevel.LOW.label
    values: dict[str, object] = {
        JURISDICTION: place["jurisdiction"],
        DEPARTMENT: place["department"],
        "category": category.name if category else "",
        "name": example_marker() + _("licence for an example activity"),
        "basic_code": f"{category.code}{item:05d}000" if category else "",
        "status": str(EntryStatus.IN_FORCE.label),
        "basis": place["basis"],
        "handling_unit": place["department"],
        "responsible_unit": _("Licensing section"),
        "responsible_person": _("Zhang San"),
        "responsible_phone": "0371-12345678",
        "flow": "\n".join(
            [
                "|".join(
                    [
                        _("Acceptance"),
                        _("Service window"),
                        _("Receive and check the application"),
                        _("Not telling the applicant at once what is missing"),
                        str(risk),
                        _("One written list of what is missing"),
                        "1",
                    ]
                ),
                "|".join(
                    [
                        _("Decision"),
                        _("Head of section"),
                        _("Decide within the limit"),
                        "",
                        "",
                        "",
                        "5",
                    ]
                ),
            ]
        ),
        "discretion": "|".join([_("First offence, minor"), _("Warning")]),
        "statutory_limit_days": 20,
        "promised_limit_days": 10,
        "star_level": 3,
        "four_level_linked": _("No"),
        "materials": "\n".join([_("Application form"), _("Identity document")]),
        "window": _("Window 3, government service centre"),
        "fee_note": _("Free of charge"),
        "responsibilities": "|".join(
            [
                str(ResponsibilityStage.ACCEPT.label),
                _("Accept applications according to law"),
                _("Refusing an application without giving reasons"),
                "",
            ]
        ),
        "approving_body": place["department"],
        "standard": _("As set by the provincial price office"),
        "payers": _("Applicants"),
        "scope": _("The whole city"),
        "period": _("Until further notice"),
        "use": _("Public infrastructure"),
    }
    return {key: values.get(key, "") for key in columns(list_kind)}


def _column_notes() -> dict[str, str]:
    levels = "/".join(str(label) for label in RiskLevel.labels)
    stages = "/".join(str(label) for label in ResponsibilityStage.labels)
    return {
        JURISDICTION: _("The division code of the jurisdiction, e.g. 410100."),
        DEPARTMENT: _("The department's full name as registered in the system."),
        "category": _("The category's name or its two-digit code (see below)."),
        "name": _("The item's name."),
        "parent": _("Only for a sub-item: the basic code of its main item (same department)."),
        "basic_code": _(
            "Ten digits: category code (2) + main item (5) + sub-item (3, 000 for a main item)."
        ),
        "status": _("%(choices)s; empty means in force.")
        % {"choices": "/".join(str(label) for label in EntryStatus.labels)},
        "delegated_to_level": _("Only for a delegated item: %(choices)s.")
        % {"choices": "/".join(str(label) for label in JurisdictionLevel.labels)},
        "merged_into": _("Only for a merged item: the implementation code of the other item."),
        "basis": _(
            "One provision per line (or separated by ；), written 《name of the law》article, "
            "e.g. 《中华人民共和国行政许可法》第十二条; the law and article must be in the law "
            "register."
        ),
        "flow": _(
            "One step per line: step|post|what happens|integrity risk point|risk level "
            "(%(levels)s)|control measure|time limit of the step in working days (1 to "
            "%(max)s). Leave a part empty between two bars when the step has none."
        )
        % {"levels": levels, "max": MAX_STEP_LIMIT_DAYS},
        "discretion": _("One line per circumstance: circumstance|range of discretion."),
        "responsibilities": _(
            "One item per line: stage (%(stages)s)|duty|circumstances for accountability|basis."
        )
        % {"stages": stages},
        "materials": _("One material per line."),
        "statutory_limit_days": _("Working days, a whole number."),
        "promised_limit_days": _("Working days, a whole number, not more than the statutory."),
        "star_level": _("1 to 5."),
        "four_level_linked": _("%(yes)s or %(no)s.") % {"yes": _("Yes"), "no": _("No")},
    }


def workbook_template(*, user) -> bytes:
    """The import template for `user`: their jurisdiction and department in the example rows."""
    with translation.override(TEMPLATE_LANGUAGE):
        return _template(user)


def _template_place(user) -> dict:
    department = user.department or departments_of_own_jurisdiction(user=user).first()
    first = selectors.provisions(user=user).first()
    every = list(selectors.categories(user=user))
    categories: dict[str, object] = {}
    for category in every:
        categories.setdefault(category.list_kind, category)
    return {
        "all_categories": every,
        "jurisdiction": user.jurisdiction.code if user.jurisdiction_id else "",
        "department": writer_text(department.name) if department else "",
        "categories": categories,
        "basis": writer_text(provision_label(first))
        if first
        else "《中华人民共和国行政许可法》第十二条",
    }


def _template(user) -> bytes:
    book = Workbook()
    book.remove(book.active)
    place = _template_place(user)
    notes = _column_notes()
    for kind in ListKind.values:
        sheet = book.create_sheet(sheet_title(kind))
        keys = columns(kind)
        required = _required(kind)
        sheet.append([column_label(key) for key in keys])
        example = _example_row(kind, place)
        # Names stored before the free-text check must not break the template (core.checkers).
        sheet.append([writer_text(example[key]) for key in keys])
        for index, key in enumerate(keys, start=1):
            letter = get_column_letter(index)
            header = sheet.cell(row=1, column=index)
            header.fill = _HEADER_FILL
            header.font = _REQUIRED_FONT if key in required else Font(bold=True)
            header.alignment = Alignment(wrap_text=True, vertical="top")
            if key in notes:
                header.comment = Comment(notes[key], "Qingdan", width=320, height=120)
            cell = sheet.cell(row=2, column=index)
            cell.fill = _EXAMPLE_FILL
            cell.alignment = Alignment(wrap_text=key in _LINES_COLUMNS, vertical="top")
            if key in _CODE_COLUMNS:
                # Text, so that leading zeros of codes survive typing in Excel.
                cell.number_format = "@"
                sheet.column_dimensions[letter].number_format = "@"
            sheet.column_dimensions[letter].width = _WIDE.get(key, 16)
        _choice_validations(sheet, keys)
        sheet.freeze_panes = "C2"
    _instructions(book.create_sheet(instructions_title()), notes, place["all_categories"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _choice_validations(sheet, keys: list[str]) -> None:
    lists = {
        "status": [str(label) for label in EntryStatus.labels],
        "star_level": [str(value) for value in StarLevel.values],
        "four_level_linked": [_("Yes"), _("No")],
    }
    for key, options in lists.items():
        if key not in keys:
            continue
        letter = get_column_letter(keys.index(key) + 1)
        validation = DataValidation(
            type="list", formula1='"' + ",".join(options) + '"', allow_blank=True
        )
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")


def _instructions(sheet, notes: dict[str, str], categories: list) -> None:
    bold = Font(bold=True)
    lines = [
        _("How to fill in this template"),
        _("Each list has its own sheet; keep the sheet names and the header row unchanged."),
        _("One row per entry. Columns in red are required."),
        _(
            "Row 2 of each sheet is an example: replace it with a real entry or delete it. "
            "A row whose name still starts with “%(marker)s” is refused."
        )
        % {"marker": example_marker().strip()},
        _("At most %(rows)s rows per file.") % {"rows": MAX_ROWS},
        _(
            "Upload the file: every row is checked first and every bad row is reported with "
            "its sheet, row number and reason; nothing is imported while any row is bad. A "
            "file with no problem is imported once you confirm it on the check's page."
        ),
        _(
            "An administrator's import publishes the entries in the register; a department "
            "clerk's import makes drafts of their own department's new entries, which reach "
            "the public list only through an adjustment request."
        ),
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append([_("Column"), _("Lists"), _("Required"), _("How to write it")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
        cell.fill = _HEADER_FILL
    keys = list(dict.fromkeys(key for kind in ListKind.values for key in columns(kind)))
    for key in keys:
        kinds = [kind for kind in ListKind.values if key in columns(kind)]
        required = [kind for kind in kinds if key in _required(kind)]
        if required == kinds:
            required_in = _("Yes")
        else:
            required_in = "、".join(sheet_title(kind) for kind in required)
        sheet.append(
            [
                column_label(key),
                _("All lists")
                if len(kinds) == len(ListKind.values)
                else "、".join(sheet_title(kind) for kind in kinds),
                required_in,
                notes.get(key, ""),
            ]
        )
    sheet.append([])
    sheet.append([_("Categories"), _("Lists"), _("Code")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
        cell.fill = _HEADER_FILL
    for category in sorted(categories, key=lambda c: ListKind.values.index(c.list_kind)):
        sheet.append([writer_text(category.name), sheet_title(category.list_kind), category.code])
    for letter, width in zip("ABCD", (24, 30, 20, 90), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


# --- reading a file -----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str
    # Where the column is in the sheet: a row's problems are listed left to right.
    position: int = 0


@dataclass(eq=False)
class ParsedRow:
    sheet: str
    number: int
    list_kind: str
    values: dict[str, object]
    jurisdiction: Jurisdiction | None = None
    department: Department | None = None
    payload: dict = field(default_factory=dict)
    parent_code: str = ""
    parent_row: "ParsedRow | None" = None
    bad_columns: set[str] = field(default_factory=set)


@dataclass
class ImportReport:
    mode: str
    problems: list[Problem] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)

    @property
    def ok_count(self) -> int:
        bad = {(p.sheet, p.row) for p in self.problems}
        return sum(1 for row in self.rows if (row.sheet, row.number) not in bad)

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.problems

    def add(self, row: ParsedRow | None, column: str, message: str, sheet: str = "") -> None:
        if row is not None:
            row.bad_columns.add(column)
        label = column_label(column) if column in _FIXED_COLUMNS or _is_field(column) else column
        keys = columns(row.list_kind) if row else []
        self.problems.append(
            Problem(
                sheet=row.sheet if row else sheet,
                row=row.number if row else None,
                column=label,
                message=message,
                position=keys.index(column) if column in keys else len(keys),
            )
        )


def _is_field(name: str) -> bool:
    try:
        Entry._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


# Excel writes a control character of a cell as _xHHHH_ (OOXML's escape, since XML cannot
# hold it) and openpyxl leaves the escape as it is: decoded here, so the free-text check sees
# the character Excel meant.
_CONTROL_ESCAPE = re.compile(r"_x(00[01][0-9A-Fa-f])_")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return _CONTROL_ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), str(value)).strip()


def _multiline(name: str) -> bool:
    """A column whose cell may hold several lines: the structured ones and the long texts
    (as the draft form's textareas)."""
    if name in _LINES_COLUMNS:
        return True
    try:
        return isinstance(Entry._meta.get_field(name), models.TextField)
    except FieldDoesNotExist:
        return False


def _code(value, width: int = 0) -> str:
    """A code cell: Excel turns 0700001000 typed into a number cell into 700001000."""
    if isinstance(value, int | float) and not isinstance(value, bool) and width:
        return _text(value).zfill(width)
    return _text(value)


def _lines(value) -> list[str]:
    return [line.strip() for line in _text(value).splitlines() if line.strip()]


Progress = Callable[[int, int], None]


class _Refused(Exception):
    pass


class _PartScan:
    """Counts rows, columns and characters per cell while expat streams one part of the
    archive, and stops at the first limit passed: memory stays bounded by one chunk."""

    def __init__(self):
        self.rows = 0
        self.column = 0
        self.chars = 0

    def start(self, tag: str, attributes: dict) -> None:
        name = tag.rsplit(":", 1)[-1]
        if name == "row":
            self.rows += 1
            self.column = 0
            if self.rows > MAX_SHEET_ROWS:
                raise _Refused(
                    _(
                        "A sheet has more than %(max)s rows (empty rows count too): delete the "
                        "empty rows below the data or split the file."
                    )
                    % {"max": MAX_SHEET_ROWS}
                )
        elif name == "c":
            reference = re.match(r"[A-Za-z]+", attributes.get("r", ""))
            self.column = (
                column_index_from_string(reference.group().upper())
                if reference and len(reference.group()) <= 3
                else self.column + 1
            )
            if self.column > MAX_COLUMNS:
                raise _Refused(
                    _("A sheet has more than %(max)s columns: keep the template's columns.")
                    % {"max": MAX_COLUMNS}
                )
        if name in ("c", "si"):
            self.chars = 0

    def text(self, data: str) -> None:
        self.chars += len(data)
        if self.chars > MAX_CELL_CHARS:
            raise _Refused(
                _("A cell holds more than %(max)s characters (Excel's own limit): shorten it.")
                % {"max": MAX_CELL_CHARS}
            )


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    scan = _PartScan()
    parser = expat.ParserCreate()
    parser.StartElementHandler = scan.start
    parser.CharacterDataHandler = scan.text
    with archive.open(info) as part:
        while chunk := part.read(_SCAN_CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def archive_problem(upload) -> str | None:
    """Why the workbook must not be parsed at all (a translated message), or None: checked
    on the zip's own directory (unpacked sizes), then by streaming the sheets and the shared
    strings, before openpyxl reads anything."""
    not_excel = _("The file is not an Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            # zipfile never unpacks more than a member's declared size, so the sum bounds
            # what openpyxl can read.
            if sum(info.file_size for info in infos) > MAX_INFLATED_BYTES:
                return _(
                    "The workbook holds more than %(size)s MB once unpacked; split it into "
                    "several files."
                ) % {"size": MAX_INFLATED_BYTES // (1024 * 1024)}
            for info in infos:
                name = info.filename
                if name == "xl/sharedStrings.xml" or (
                    name.startswith("xl/worksheets/") and name.endswith(".xml")
                ):
                    _scan(archive, info)
    except _Refused as refused:
        return str(refused)
    except (zipfile.BadZipFile, expat.ExpatError, OSError, ValueError, NotImplementedError):
        return not_excel
    finally:
        upload.seek(0)
    return None


def workbook_check(*, user, upload, progress: Progress | None = None) -> ImportReport:
    """Reads and validates every row of an uploaded workbook once; writes nothing.
    `progress(done, total)` is told how far the check of the rows has come."""
    report = ImportReport(mode=import_mode(user) or "")
    problem = archive_problem(upload)
    if problem:
        report.add(None, "", problem)
        return report
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        report.add(None, "", _("The file is not an Excel workbook (.xlsx)."))
        return report
    try:
        _read(book, report)
    finally:
        book.close()
    if report.problems:
        return report
    if not report.rows:
        report.add(None, "", _("The file has no rows to import."))
        return report
    _Validator(user, report, progress).run()
    return report


def _sheet_kinds() -> dict[str, str | None]:
    """Sheet name → list (None: the instructions sheet, skipped)."""
    kinds: dict[str, str | None] = {}
    for language in LANGUAGES:
        kinds[_norm(instructions_title(language))] = None
        for kind in ListKind.values:
            kinds[_norm(sheet_title(kind, language))] = kind
            kinds[_norm(kind)] = kind
    return kinds


def _header_keys(list_kind: str) -> dict[str, str]:
    keys = {}
    for key in columns(list_kind):
        keys[_norm(key)] = key
        for language in LANGUAGES:
            keys[_norm(column_label(key, language))] = key
    return keys


def _read(book, report: ImportReport) -> None:
    kinds = _sheet_kinds()
    count = 0
    for sheet in book.worksheets:
        title = sheet.title
        if _norm(title) not in kinds:
            report.add(
                None,
                "",
                _("Unknown sheet: keep the template's sheet names (one sheet per list)."),
                sheet=title,
            )
            continue
        kind = kinds[_norm(title)]
        if kind is None:
            continue
        # Some programs write wrong dimensions; read what the sheet really holds.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or all(_text(cell) == "" for cell in header):
            continue
        keys = _header(title, kind, header, report)
        if keys is None:
            continue
        for number, cells in enumerate(rows, start=2):
            values = {key: cells[index] for index, key in keys.items() if index < len(cells)}
            if all(_text(value) == "" for value in values.values()):
                continue
            count += 1
            if count > MAX_ROWS:
                report.rows = []
                report.problems = []
                report.add(
                    None,
                    "",
                    _("The file has more than %(max)s rows; split it into several files.")
                    % {"max": MAX_ROWS},
                )
                return
            report.rows.append(ParsedRow(sheet=title, number=number, list_kind=kind, values=values))


def _header(title: str, kind: str, header, report: ImportReport) -> dict[int, str] | None:
    known = _header_keys(kind)
    keys: dict[int, str] = {}
    problems = []
    for index, cell in enumerate(header):
        text = _text(cell)
        if not text:
            continue
        key = known.get(_norm(text))
        if key is None:
            problems.append(_("Unknown column “%(column)s”.") % {"column": text})
        elif key in keys.values():
            problems.append(_("Column “%(column)s” appears twice.") % {"column": text})
        else:
            keys[index] = key
    missing = [
        column_label(key)
        for key in columns(kind)
        if key in _required(kind) and key not in keys.values()
    ]
    if missing:
        problems.append(
            _("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)}
        )
    for message in problems:
        report.problems.append(Problem(sheet=title, row=1, column="", message=message))
    return None if problems else keys


class _Validator:
    """Parses and checks the rows of a file with a bounded number of queries for the lookups
    (jurisdictions, departments, categories, provisions, existing entries), then
    services.entry_build per row."""

    def __init__(self, user, report: ImportReport, progress: "Progress | None" = None):
        self.user = user
        self.progress = progress
        self.report = report
        self.mode = report.mode
        self.statuses = _choice_table(EntryStatus)
        self.levels = _choice_table(JurisdictionLevel)
        self.stages = _choice_table(ResponsibilityStage)
        self.risks = {**_choice_table(RiskLevel), **{_norm(k): v for k, v in _RISK_WORDS.items()}}
        self.yes = {_norm(word) for word in _YES} | {
            _norm(_in(language, gettext_lazy("Yes"))) for language in LANGUAGES
        }
        self.no = {_norm(word) for word in _NO} | {
            _norm(_in(language, gettext_lazy("No"))) for language in LANGUAGES
        }
        self.markers = {_norm(example_marker(language)) for language in LANGUAGES}

    def run(self) -> None:
        rows = self.report.rows
        self._load(rows)
        for row in rows:
            self._place(row)
            self._parse(row)
        in_file: dict[tuple[int, str, str], ParsedRow] = {}
        for row in rows:
            key = self._key(row)
            if key is None:
                continue
            first = in_file.setdefault(key, row)
            if first is not row:
                self.report.add(
                    row,
                    "basic_code",
                    _(
                        "The same department already has this basic code in row %(row)s of "
                        "sheet “%(sheet)s”."
                    )
                    % {"row": first.number, "sheet": first.sheet},
                )
        for done, row in enumerate(rows, start=1):
            self._existing(row)
            self._parent(row, in_file)
            self._build(row)
            if self.progress is not None:
                self.progress(done, len(rows))
        order = {title: index for index, title in enumerate(dict.fromkeys(r.sheet for r in rows))}
        self.report.problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row or 0, p.position))

    # lookups, each one query ---------------------------------------------------------------

    def _load(self, rows: list[ParsedRow]) -> None:
        codes = {_code(row.values.get(JURISDICTION)) for row in rows}
        self.jurisdictions = {
            j.code: j
            for j in Jurisdiction.objects.restrict(self.user, Action.VIEW).filter(code__in=codes)
        }
        names = {_text(row.values.get(DEPARTMENT)) for row in rows}
        self.departments = {
            (d.jurisdiction_id, d.name): d
            for d in Department.objects.restrict(self.user, Action.VIEW).filter(
                jurisdiction__code__in=codes, name__in=names
            )
        }
        self.categories: dict[tuple[str, str], object] = {}
        for category in selectors.categories(user=self.user):
            self.categories[(category.list_kind, _norm(category.name))] = category
            self.categories[(category.list_kind, category.code)] = category
        laws = set()
        for row in rows:
            for part in _SEPARATORS.split(_text(row.values.get("basis"))):
                match = _CITATION.match(part.strip())
                if match:
                    laws.add(match["law"])
        self.provisions = {
            (p.law.name, _norm(p.article)): p.pk
            for p in selectors.provisions(user=self.user).filter(law__name__in=laws)
        }
        self.laws = {name for name, _article in self.provisions}
        basic_codes = set()
        for row in rows:
            basic_codes.add(_code(row.values.get("basic_code"), 10))
            basic_codes.add(_code(row.values.get("parent"), 10))
        basic_codes.discard("")
        existing = (
            selectors.published_entries(user=self.user)
            .filter(basic_code__in=basic_codes)
            .values_list("pk", "list_kind", "basic_code", "department_id", "parent_id")
        )
        # (department, list, basic code) → (pk, parent); a department holds a basic code once
        # in each list.
        self.published: dict[tuple[int, str, str], tuple[int, int | None]] = {}
        for pk, kind, basic_code, department_id, parent_id in existing:
            self.published[(department_id, kind, basic_code)] = (pk, parent_id)
        references = {_code(row.values.get("merged_into"), 10) for row in rows} - {""}
        self.merge_targets = list(
            selectors.published_entries(user=self.user)
            .filter(Q(code__in=references) | Q(basic_code__in=references))
            .values_list("pk", "code", "basic_code", "list_kind", "jurisdiction_id")
        )
        self.lookups = services.Lookups(
            categories={category.pk: category for category in self.categories.values()},
            entries={pk for pk, _parent in self.published.values()}
            | {target[0] for target in self.merge_targets},
            provisions=set(self.provisions.values()),
        )
        self.drafted = set()
        if self.mode == DRAFTS:
            self.drafted = {
                (draft.department_id, draft.list_kind, draft.payload.get("basic_code"))
                for draft in selectors.drafts(user=self.user).filter(
                    entry__isnull=True,
                    state__in=[DraftState.OPEN, DraftState.SUBMITTED],
                    payload__basic_code__in=basic_codes,
                )
            }

    # per row -------------------------------------------------------------------------------

    def _place(self, row: ParsedRow) -> None:
        code = _code(row.values.get(JURISDICTION))
        name = _text(row.values.get(DEPARTMENT))
        jurisdiction = self.jurisdictions.get(code)
        if not code:
            self.report.add(row, JURISDICTION, _("Give the division code."))
            return
        if jurisdiction is None:
            self.report.add(
                row, JURISDICTION, _("No jurisdiction has the code %(code)s.") % {"code": code}
            )
            return
        user = self.user
        if (
            self.mode == PUBLISH
            and not user.is_superuser
            and not (user.jurisdiction_id and jurisdiction.is_within(user.jurisdiction))
        ):
            self.report.add(
                row,
                JURISDICTION,
                _("%(jurisdiction)s is outside your jurisdiction.")
                % {"jurisdiction": jurisdiction.name},
            )
            return
        department = self.departments.get((jurisdiction.pk, name))
        if department is None:
            self.report.add(
                row,
                DEPARTMENT,
                _("%(jurisdiction)s has no department named “%(name)s”.")
                % {"jurisdiction": jurisdiction.name, "name": name},
            )
            return
        if self.mode == DRAFTS and department.pk != user.department_id:
            self.report.add(
                row,
                DEPARTMENT,
                _("You may import only your own department's entries (%(department)s).")
                % {"department": user.department.name if user.department_id else "-"},
            )
            return
        row.jurisdiction, row.department = jurisdiction, department

    def _parse(self, row: ParsedRow) -> None:
        payload: dict[str, object] = {}
        for name in FIELDS_BY_KIND[row.list_kind]:
            raw = row.values.get(name)
            try:
                payload[name] = self._value(row, name, raw)
            except ValueError as problem:
                self.report.add(row, name, str(problem))
        entry_name = _norm(payload.get("name") or "")
        if any(entry_name.startswith(marker) for marker in self.markers):
            self.report.add(
                row,
                "name",
                _("This is the template's example row: replace it with a real entry or delete it."),
            )
        row.payload = payload

    def _value(self, row: ParsedRow, name: str, raw):
        text = _text(raw)
        problem = text_problem(text, multiline=_multiline(name))
        if problem:
            raise ValueError(problem)
        kind = row.list_kind
        if name == "category":
            if not text:
                return None
            category = self.categories.get((kind, _norm(text))) or self.categories.get(
                (kind, _code(raw, 2))
            )
            if category is None:
                raise ValueError(_("The list has no category “%(category)s”.") % {"category": text})
            return category.pk
        if name == "basic_code":
            return _code(raw, 10)
        if name == "parent":
            row.parent_code = _code(raw, 10)
            return None
        if name == "status":
            if not text:
                return EntryStatus.IN_FORCE
            return self._choice(self.statuses, text)
        if name == "delegated_to_level":
            return self._choice(self.levels, text) if text else ""
        if name == "merged_into":
            return self._merge_target(row, _code(raw, 10)) if text else None
        if name == "basis":
            return self._basis(text)
        if name == "flow":
            return [self._flow_row(line) for line in _lines(raw)]
        if name == "discretion":
            return [self._parts(line, DISCRETION_KEYS, 2) for line in _lines(raw)]
        if name == "responsibilities":
            return [self._responsibility_row(line) for line in _lines(raw)]
        if name == "materials":
            return _lines(raw)
        if name in ("statutory_limit_days", "promised_limit_days", "star_level"):
            number = _whole(raw)
            if name == "star_level" and number is not None and not 1 <= number <= 5:
                raise ValueError(_("A star level is 1 to 5."))
            return number
        if name == "four_level_linked":
            if _norm(text) in self.yes:
                return True
            if not text or _norm(text) in self.no:
                return False
            raise ValueError(_("Write %(yes)s or %(no)s.") % {"yes": _("Yes"), "no": _("No")})
        return text

    @staticmethod
    def _choice(table: dict[str, str], text: str) -> str:
        value = table.get(_norm(text))
        if value is None:
            raise ValueError(_("Unknown value “%(value)s”.") % {"value": text})
        return value

    def _merge_target(self, row: ParsedRow, text: str) -> int:
        targets = [t for t in self.merge_targets if t[1] == text and t[3] == row.list_kind]
        if not targets and row.jurisdiction is not None:
            targets = [
                t
                for t in self.merge_targets
                if t[2] == text and t[3] == row.list_kind and t[4] == row.jurisdiction.pk
            ]
        if len(targets) != 1:
            raise ValueError(
                _("No single item of this list has the code %(code)s.") % {"code": text}
            )
        return targets[0][0]

    def _basis(self, text: str) -> list[int]:
        found: list[int] = []
        unknown: list[str] = []
        for part in _SEPARATORS.split(text):
            part = part.strip()
            if not part:
                continue
            match = _CITATION.match(part)
            articles = [a.strip() for a in re.split(r"[、,，]", match["articles"])] if match else []
            if not match or not any(articles):
                unknown.append(
                    _("“%(text)s” is not written as 《name of the law》article.") % {"text": part}
                )
                continue
            law = match["law"]
            if law not in self.laws:
                unknown.append(_("The law register has no law named 《%(law)s》.") % {"law": law})
                continue
            for article in filter(None, articles):
                pk = self.provisions.get((law, _norm(article)))
                if pk is None:
                    unknown.append(
                        _("《%(law)s》 has no article %(article)s in the law register.")
                        % {"law": law, "article": article}
                    )
                elif pk not in found:
                    found.append(pk)
        if unknown:
            raise ValueError(" ".join(unknown))
        return found

    @staticmethod
    def _parts(line: str, keys: tuple[str, ...], count: int) -> dict:
        parts = [part.strip() for part in _PART.split(line)]
        if len(parts) > count:
            raise ValueError(
                _("“%(line)s” has more than %(count)s parts separated by |.")
                % {"line": line, "count": count}
            )
        return {key: value for key, value in zip(keys, parts, strict=False) if value}

    def _flow_row(self, line: str) -> dict:
        keys = _FLOW_LINE_KEYS
        row = self._parts(line, keys, len(keys))
        if "limit_days" in row:
            limit = row["limit_days"]
            if not limit.isdecimal() or not 1 <= int(limit) <= MAX_STEP_LIMIT_DAYS:
                raise ValueError(
                    _(
                        "“%(line)s”: the time limit is a whole number of working days from 1 "
                        "to %(max)s."
                    )
                    % {"line": line, "max": MAX_STEP_LIMIT_DAYS}
                )
            row["limit_days"] = int(limit)
        if "risk_level" in row:
            level = self.risks.get(_norm(row["risk_level"]))
            if level is None:
                raise ValueError(
                    _("Unknown risk level “%(value)s”.") % {"value": row["risk_level"]}
                )
            row["risk_level"] = level
        if not row.get("step"):
            raise ValueError(_("“%(line)s”: the step is missing.") % {"line": line})
        return row

    def _responsibility_row(self, line: str) -> dict:
        row = self._parts(line, RESPONSIBILITY_KEYS, 4)
        stage = self.stages.get(_norm(row.get("stage", "")))
        if stage is None:
            raise ValueError(
                _("“%(line)s”: unknown stage; use one of %(stages)s.")
                % {
                    "line": line,
                    "stages": "/".join(str(label) for label in ResponsibilityStage.labels),
                }
            )
        row["stage"] = stage
        return row

    def _key(self, row: ParsedRow) -> tuple[int, str, str] | None:
        code = row.payload.get("basic_code")
        if row.department is None or not code:
            return None
        return (row.department.pk, row.list_kind, code)

    def _existing(self, row: ParsedRow) -> None:
        key = self._key(row)
        if key is None:
            return
        if key in self.published:
            self.report.add(
                row,
                "basic_code",
                _("This department already has a published entry with the basic code %(code)s.")
                % {"code": key[2]},
            )
        elif key in self.drafted:
            self.report.add(
                row,
                "basic_code",
                _("Your department already has a draft of a new entry with this basic code."),
            )

    def _parent(self, row: ParsedRow, in_file: dict[tuple[int, str, str], ParsedRow]) -> None:
        code = row.parent_code
        if not code or row.department is None:
            return
        published = self.published.get((row.department.pk, row.list_kind, code))
        if published is not None:
            pk, parent_id = published
            if parent_id is not None:
                self.report.add(row, "parent", _("A sub-item cannot have sub-items."))
            else:
                row.payload["parent"] = pk
            return
        main = in_file.get((row.department.pk, row.list_kind, code))
        if main is None:
            self.report.add(
                row,
                "parent",
                _(
                    "The department has no main item with the basic code %(code)s in this list, "
                    "published or in this file."
                )
                % {"code": code},
            )
        elif self.mode == DRAFTS:
            self.report.add(
                row,
                "parent",
                _("The main item %(code)s must be published before drafts of its sub-items.")
                % {"code": code},
            )
        elif main.parent_code:
            self.report.add(row, "parent", _("A sub-item cannot have sub-items."))
        elif str(row.payload.get("basic_code") or "")[:7] != code[:7]:
            self.report.add(
                row,
                "basic_code",
                _("A sub-item's basic code starts with its main item's %(prefix)s.")
                % {"prefix": code[:7]},
            )
        else:
            row.parent_row = main

    def _build(self, row: ParsedRow) -> None:
        if row.department is None:
            return
        # A cell that could not be read is reported once, not again by the rules.
        unread = set(row.bad_columns)
        payload = {key: value for key, value in row.payload.items() if key not in unread}
        try:
            services.entry_build(
                list_kind=row.list_kind,
                jurisdiction=row.jurisdiction,
                department=row.department,
                payload=payload,
                lookups=self.lookups,
            )
        except services.EntryInvalid as invalid:
            for name, messages in invalid.errors.items():
                if name in unread:
                    continue
                for message in messages:
                    self.report.add(row, name if name != "__all__" else "", message)


def _whole(raw) -> int | None:
    if raw is None or _text(raw) == "":
        return None
    if isinstance(raw, bool):
        raise ValueError(_("Write a whole number."))
    if isinstance(raw, int | float):
        if float(raw).is_integer() and raw >= 0:
            return int(raw)
        raise ValueError(_("Write a whole number."))
    text = _text(raw)
    if not text.isdecimal():
        raise ValueError(_("Write a whole number."))
    return int(text)


# --- writing ------------------------------------------------------------------------------


def checked_rows(report: ImportReport) -> list[dict]:
    """The rows of a valid report as JSON, in the file's order: what is written once the
    user confirms, without checking each row again. A sub-item new in the same file names
    its main item by position."""
    position = {id(row): index for index, row in enumerate(report.rows)}
    return [
        {
            "sheet": row.sheet,
            "row": row.number,
            "list_kind": row.list_kind,
            "jurisdiction": row.jurisdiction.pk,
            "department": row.department.pk,
            "payload": row.payload,
            "parent_row": position[id(row.parent_row)] if row.parent_row is not None else None,
        }
        for row in report.rows
    ]


@dataclass
class Written:
    count: int = 0
    reference: str = ""
    problems: list[Problem] = field(default_factory=list)


def rows_import(
    *,
    user,
    mode: str,
    rows: list[dict],
    file_name: str,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Writes checked rows: all or none (one transaction, registry.services). What may have
    changed since the check (a code taken, a referenced row deleted) is checked again there,
    in bulk, and reported by sheet and row."""
    try:
        if mode == PUBLISH:
            places = Jurisdiction.objects.in_bulk({row["jurisdiction"] for row in rows})
            departments = Department.objects.in_bulk({row["department"] for row in rows})
            entries = services.entries_import(
                actor=user,
                changes=[
                    services.EntryChange(
                        payload=row["payload"],
                        list_kind=row["list_kind"],
                        jurisdiction=places[row["jurisdiction"]],
                        department=departments[row["department"]],
                        checked=True,
                    )
                    for row in rows
                ],
                parents={
                    index: row["parent_row"]
                    for index, row in enumerate(rows)
                    if row["parent_row"] is not None
                },
                file_name=file_name,
                progress=progress,
            )
            reference = entries[0].history.latest().change_reference if entries else ""
            return Written(count=len(entries), reference=reference)
        drafts = services.drafts_import(
            actor=user, rows=[(row["list_kind"], row["payload"]) for row in rows], checked=True
        )
        return Written(count=len(drafts))
    except services.PublishErrors as failed:
        written = Written()
        for index, errors in failed.errors.items():
            row = rows[index]
            keys = columns(row["list_kind"])
            for name, messages in errors.items():
                label = column_label(name) if name in keys and _is_field(name) else ""
                for message in messages:
                    written.problems.append(
                        Problem(sheet=row["sheet"], row=row["row"], column=label, message=message)
                    )
        return written
    except DomainError as refused:
        return Written(problems=[Problem(sheet="", row=None, column="", message=str(refused))])
