"""Exports of a filtered list (issue 3 §4) to Excel (.xlsx) and CSV: every row the filters
select, not one page. Columns come from FIELDS_BY_KIND and values from registry.display, so a
cell reads as the item page does. Rows are read in chunks, each with one query for the
provisions it cites, so the number of queries grows with the chunks, never with the rows.

An export never holds a web worker longer than a page does (issue 10 §3). A file of a whole
list has to be written in full before it is worth anything (a workbook cannot be read before its
end, and a streamed CSV of 50,000 rows kept a web worker busy for 11–26 s), so both formats take
the same way: a large file is built once per published state of the register, filter and format,
by a worker (registry.tasks.export_build), into MEDIA_ROOT/exports/<state>/<filters>.<format>;
every later request for the same list serves that file. While it is built a marker file next to
it (<filters>.<format>.json) holds its progress; the request answers 202 with a page that reloads
itself. The files are the truth, Celery only the trigger: a marker that has not moved for
BUILD_STALE_SECONDS is a lost build, and the next request or the sweep
(registry.tasks.exports_sweep) asks again. Folders of older states are removed by the sweep. A
small export (settings.EXPORT_INLINE_ROWS) is built in the request, as fast as a page, and kept
the same way."""

import csv
import datetime
import hashlib
import io
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.checkers import writer_text

from . import selectors
from .display import display_lines, field_label
from .models import COMMON_FIELDS, FIELDS_BY_KIND, PublicationState

CHUNK_SIZE = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

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


def row_chunks(queryset: QuerySet, fields: tuple[str, ...]) -> Iterator[list[list[str]]]:
    """The entries (or history rows) of `queryset` as the text of `fields`, CHUNK_SIZE rows at
    a time: two queries per chunk, whatever is in it."""
    # The main item and the item merged into are shown by name: fetched with the rows.
    queryset = queryset.select_related("parent", "merged_into")
    for chunk in _chunks(queryset, CHUNK_SIZE):
        provisions = selectors.provisions_of(chunk)
        yield [[_value(entry, name, provisions) for name in fields] for entry in chunk]


def rows(queryset: QuerySet, fields: tuple[str, ...]) -> Iterator[list[str]]:
    for chunk in row_chunks(queryset, fields):
        yield from chunk


def _attachment(response, name: str):
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def workbook_write(
    queryset: QuerySet,
    fields: tuple[str, ...],
    output,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Writes a write-only workbook (rows go to a temporary file as they come, not into
    memory) to `output`; `progress` is told the number of rows written after each chunk.
    Returns the number of rows."""
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
    written = 0
    for values in rows(queryset, fields):
        sheet.append([_xlsx_cell(sheet, value, wrap) for value in values])
        written += 1
        if progress is not None and written % CHUNK_SIZE == 0:
            progress(written)
    workbook.save(output)
    return written


def file_response(file, name: str, fmt: str = "xlsx") -> FileResponse:
    return _attachment(FileResponse(file, content_type=FORMATS[fmt].content_type), name)


def _xlsx_cell(sheet, value: str, wrap: Alignment) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=writer_text(value))
    # openpyxl takes a string starting with "=" for a formula: published text stays text.
    cell.data_type = "s"
    if "\n" in value:
        cell.alignment = wrap
    return cell


def _csv_safe(value: str) -> str:
    # Control characters stored before the free-text check are dropped, as in the workbook.
    value = writer_text(value)
    return f"'{value}" if value.startswith(FORMULA_START) else value


def csv_write(
    queryset: QuerySet,
    fields: tuple[str, ...],
    output,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Writes the CSV to the binary `output`: UTF-8 with a byte order mark, so Excel opens the
    Chinese text correctly; `progress` is told the rows written after each chunk. Returns the
    number of rows."""
    text = io.TextIOWrapper(output, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([writer_text(label) for label in headers(fields)])
    written = 0
    for chunk in row_chunks(queryset, fields):
        writer.writerows([_csv_safe(value) for value in row] for row in chunk)
        written += len(chunk)
        if progress is not None:
            progress(written)
    text.flush()
    text.detach()
    return written


@dataclass(frozen=True)
class Format:
    write: Callable[..., int]
    content_type: str


FORMATS = {"xlsx": Format(workbook_write, XLSX_TYPE), "csv": Format(csv_write, CSV_TYPE)}


# --- files built once per published state (issue 10 §3) -------------------------------------

# A marker whose file has not been touched for this long belongs to a lost build (a worker
# that died, a message the broker lost): the next request or the sweep asks for it again. A
# build touches its marker after every chunk (CHUNK_SIZE rows, well under a second), a queued
# one waits for a free worker. This product's default.
BUILD_STALE_SECONDS = 300


def exports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def current_state() -> str:
    """The register's published state as a folder name: one read by primary key."""
    row = (
        PublicationState.objects.filter(pk=PublicationState.SINGLETON)
        .values_list("sequence", "token")
        .first()
    )
    return f"{row[0]}-{row[1]}" if row else "0"


@dataclass(frozen=True)
class CachedExport:
    """The file of one filtered list in one format and published state of the register."""

    state: str
    params: dict[str, str]
    fmt: str = "xlsx"

    @property
    def digest(self) -> str:
        text = json.dumps(self.params, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    @property
    def folder(self) -> Path:
        return exports_root() / self.state

    @property
    def path(self) -> Path:
        return self.folder / f"{self.digest}.{self.fmt}"

    @property
    def marker(self) -> Path:
        return self.folder / f"{self.digest}.{self.fmt}.json"

    def ready(self) -> bool:
        return self.path.is_file()

    def progress(self) -> dict | None:
        """What the marker says of a build that is queued or running; None when there is none,
        or when it has not moved for BUILD_STALE_SECONDS (a lost build)."""
        try:
            if time.time() - self.marker.stat().st_mtime > BUILD_STALE_SECONDS:
                return None
            progress = json.loads(self.marker.read_text())
        except (OSError, ValueError):
            return None
        total = progress.get("total") or 0
        progress["percent"] = int(100 * progress.get("rows", 0) / total) if total else 0
        return progress

    def mark(self, **progress) -> None:
        """Writes the marker whole (a reader never sees half of it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.marker.with_suffix(f".{os.getpid()}.json-part")
        marked = {"params": self.params, "fmt": self.fmt, **progress}
        part.write_text(json.dumps(marked, ensure_ascii=False))
        part.replace(self.marker)


def cached_export(params: dict[str, str], fmt: str = "xlsx") -> CachedExport:
    return CachedExport(state=current_state(), params=params, fmt=fmt)


def build_request(export: CachedExport) -> None:
    """Marks the build as queued and sends the task once the request's transaction commits.
    A second request while it is queued or running sends nothing (the view checks progress())."""
    from .tasks import export_build  # the tasks module imports this one

    export.mark(state="queued", rows=0, total=0)
    transaction.on_commit(
        lambda: export_build.delay(state=export.state, params=export.params, fmt=export.fmt)
    )


def file_build(*, state: str, params: dict[str, str], fmt: str = "xlsx") -> Path | None:
    """Builds the `fmt` file of `params` for published state `state`, unless it exists, the
    register has moved on (the next request asks for the new state), or another worker is
    building it. Written under a temporary name and renamed, so a request serves a whole file
    or none. Returns the file, or None when there was nothing to do."""
    from .list_query import entry_query  # reads the filters as the list page does

    export = CachedExport(state=state, params=params, fmt=fmt)
    if export.ready():
        return export.path
    if current_state() != state:
        export.marker.unlink(missing_ok=True)
        return None
    progress = export.progress()
    if progress and progress.get("state") == "building":
        return None
    query = entry_query(params, AnonymousUser())
    if not query.valid:
        # An as_of that was today when asked is still valid; anything else never reaches here.
        export.marker.unlink(missing_ok=True)
        return None
    total = query.entries.count()
    started = time.time()

    def report(rows: int) -> None:
        export.mark(state="building", rows=rows, total=total, started=started)

    report(0)
    part = export.path.with_suffix(f".{os.getpid()}.{fmt}-part")
    try:
        with part.open("wb") as output:
            FORMATS[fmt].write(
                query.entries, export_fields(query.list_kind), output, progress=report
            )
        part.replace(export.path)
    except FileNotFoundError:
        # The sweep removed the folder of a state that was superseded meanwhile.
        return None
    finally:
        part.unlink(missing_ok=True)
    export.marker.unlink(missing_ok=True)
    return export.path


def file_inline(export: CachedExport, queryset: QuerySet, fields: tuple[str, ...]) -> Path:
    """A small list's file, built in the request and kept like a worker's."""
    export.folder.mkdir(parents=True, exist_ok=True)
    part = export.path.with_suffix(f".{os.getpid()}.{export.fmt}-part")
    try:
        with part.open("wb") as output:
            FORMATS[export.fmt].write(queryset, fields, output)
        part.replace(export.path)
    finally:
        part.unlink(missing_ok=True)
    return export.path


def exports_sweep() -> tuple[int, int]:
    """Removes the folders of older published states and asks again for the lost builds of
    the current one. Returns (folders removed, builds asked for)."""
    root = exports_root()
    if not root.is_dir():
        return 0, 0
    state = current_state()
    removed = 0
    for folder in root.iterdir():
        if folder.name != state:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    retried = 0
    folder = root / state
    if folder.is_dir():
        for part in folder.glob("*-part"):
            # Left by a build that died; a live one renames its file within seconds of a chunk.
            if time.time() - part.stat().st_mtime > BUILD_STALE_SECONDS:
                part.unlink(missing_ok=True)
        for marker in folder.glob("*.json"):
            try:
                marked = json.loads(marker.read_text())
                params, fmt = marked["params"], marked.get("fmt", "xlsx")
            except (OSError, ValueError, KeyError):
                marker.unlink(missing_ok=True)
                continue
            export = CachedExport(state=state, params=params, fmt=fmt)
            if not export.ready() and export.progress() is None:
                build_request(export)
                retried += 1
    return removed, retried
