"""Exports of a filtered list (issue 3 §4) to Excel (.xlsx) and CSV: every row the filters
select, not one page. Columns come from FIELDS_BY_KIND and values from registry.display, so a
cell reads as the item page does. Rows are read in chunks, each with one query for the
provisions it cites, so the number of queries grows with the chunks, never with the rows."""

import csv
import datetime
import tempfile
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.checkers import writer_text

from . import selectors
from .display import display_lines, field_label
from .models import COMMON_FIELDS, FIELDS_BY_KIND

CHUNK_SIZE = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Every export starts with what identifies an entry and where it belongs.
LEADING_FIELDS = (
    "code",
    "basic_code",
    "name",
    "list_kind",
    "category",
    "jurisdiction",
    "department",
    "status",
)
# Column widths in characters (a Chinese character counts about two); others get DEFAULT_WIDTH.
WIDTHS = {
    "code": 30,
    "basic_code": 13,
    "name": 36,
    "list_kind": 20,
    "category": 14,
    "jurisdiction": 12,
    "department": 24,
    "status": 10,
    "basis": 48,
    "flow": 60,
    "responsibilities": 60,
    "discretion": 48,
    "guide": 48,
    "materials": 40,
}
DEFAULT_WIDTH = 18
# A CSV cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_fields(list_kind: str) -> tuple[str, ...]:
    """The columns: the leading ones, then the fields of the chosen list in its own order
    (the fields all lists share when several lists are exported together)."""
    fields = FIELDS_BY_KIND[list_kind] if list_kind else COMMON_FIELDS
    return LEADING_FIELDS + tuple(name for name in fields if name not in LEADING_FIELDS)


def headers(fields: tuple[str, ...]) -> list[str]:
    return [field_label(name) for name in fields]


def filename(day: datetime.date, extension: str) -> str:
    return f"{_('Lists')}-{day:%Y%m%d}.{extension}"


def _chunks(queryset: QuerySet, size: int) -> Iterator[list]:
    chunk = []
    for row in queryset.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _value(entry, name: str, provisions) -> str:
    if name == "list_kind":
        return str(entry.get_list_kind_display())
    return "\n".join(display_lines(entry, name, provisions))


def rows(queryset: QuerySet, fields: tuple[str, ...]) -> Iterator[list[str]]:
    """Each entry (or history row) of `queryset` as the text of `fields`."""
    # The main item and the item merged into are shown by name: fetched with the rows.
    queryset = queryset.select_related("parent", "merged_into")
    for chunk in _chunks(queryset, CHUNK_SIZE):
        provisions = selectors.provisions_of(chunk)
        for entry in chunk:
            yield [_value(entry, name, provisions) for name in fields]


def _attachment(response, name: str):
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def xlsx_response(queryset: QuerySet, fields: tuple[str, ...], name: str) -> FileResponse:
    """A write-only workbook (rows go to a temporary file as they come, not into memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Lists"))
    sheet.freeze_panes = "A2"
    for column, field_name in enumerate(fields, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS.get(
            field_name, DEFAULT_WIDTH
        )
    bold = Font(bold=True)
    header = []
    for label in headers(fields):
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in rows(queryset, fields):
        sheet.append([_xlsx_cell(sheet, value, wrap) for value in values])
    # FileResponse streams the file and closes it (and so deletes it) when it is sent.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    response = FileResponse(output, content_type=XLSX_TYPE)
    return _attachment(response, name)


def _xlsx_cell(sheet, value: str, wrap: Alignment) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=writer_text(value))
    # openpyxl takes a string starting with "=" for a formula: published text stays text.
    cell.data_type = "s"
    if "\n" in value:
        cell.alignment = wrap
    return cell


class _Echo:
    """csv.writer writes into this and gets the line back, to stream it."""

    def write(self, value: str) -> str:
        return value


def _csv_safe(value: str) -> str:
    # Control characters stored before the free-text check are dropped, as in the workbook.
    value = writer_text(value)
    return f"'{value}" if value.startswith(FORMULA_START) else value


def csv_response(queryset: QuerySet, fields: tuple[str, ...], name: str) -> StreamingHttpResponse:
    """UTF-8 with a byte order mark, so Excel opens the Chinese text correctly."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow([writer_text(label) for label in headers(fields)])
        for values in rows(queryset, fields):
            yield writer.writerow([_csv_safe(value) for value in values])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    return _attachment(response, name)
