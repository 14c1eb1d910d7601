"""The credit-system exchange (双公示; issue 14 §4): seed 002 管理办法 第十二条 and seed 001
第十二条 — 涉及行政许可、行政处罚的信息还要导入信用信息系统. Licence (行政许可) and penalty
(行政处罚) decisions go out in the national exchange form's fields
(docs/decisions-credit-exchange.md names the field lists found and maps each field to our
columns), as CSV and XLSX files and as
an API feed of what changed since a moment.

What goes out: published decisions only, and only what the public may read of them
(selectors.PUBLIC_COLUMNS: the public, redacted text; a natural person's name masked; never the
identity number, address or phone) — the credit system publishes what it receives. Every
record carries our trace columns: the decision's id and version and the item's implementation
code and version, so that each exported record can be traced to the decision and the version
it was made from.

The exchange form's field names and code values (行政相对人类别, 处罚类别) are the national
standard's Chinese words, not texts of our pages: they are written as the standard spells them
whatever the reader's language.

Files: a CSV streams row by row (UTF-8 with a byte order mark, so Excel reads the Chinese). A
workbook is written whole before it is worth anything, so a large one (more rows than
settings.EXPORT_INLINE_ROWS) is built by a worker (decisions.tasks.credit_export_build) with
its progress in a marker file, as the register's exports are (registry.exports.CachedExport),
and kept until a decision it holds changes.
"""

import csv
import decimal
import io
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.checkers import credit_code_problem, writer_text
from registry.exports import FORMULA_START, CachedExport

from ..choices import DecisionState, PartyKind, PenaltyKind
from ..models import Decision

LICENCE, PENALTY = "licence", "penalty"
KINDS = (LICENCE, PENALTY)
FORMATS = ("csv", "xlsx")
CHUNK_SIZE = 500
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The exchange form states amounts in 万元 (ten thousand yuan), to six decimal places (one fen).
TEN_THOUSAND = decimal.Decimal(10000)
SIX_PLACES = decimal.Decimal("0.000001")

# 行政相对人类别 of the 2021 form: 法人及非法人组织, 自然人, 个体工商户.
PARTY_KINDS = {
    PartyKind.ORGANISATION: "法人及非法人组织",
    PartyKind.INDIVIDUAL_BUSINESS: "个体工商户",
    PartyKind.PERSON: "自然人",
}
# 处罚类别: the kinds of penalty in the words of 行政处罚法 (2021) 第九条.
PENALTY_KINDS = {
    PenaltyKind.WARNING: "警告",
    PenaltyKind.CRITICISM: "通报批评",
    PenaltyKind.FINE: "罚款",
    PenaltyKind.CONFISCATE_GAINS: "没收违法所得",
    PenaltyKind.CONFISCATE_PROPERTY: "没收非法财物",
    PenaltyKind.SUSPEND_PERMIT: "暂扣许可证件",
    PenaltyKind.LOWER_QUALIFICATION: "降低资质等级",
    PenaltyKind.REVOKE_PERMIT: "吊销许可证件",
    PenaltyKind.RESTRICT_BUSINESS: "限制开展生产经营活动",
    PenaltyKind.SUSPEND_BUSINESS: "责令停产停业",
    PenaltyKind.CLOSE: "责令关闭",
    PenaltyKind.RESTRICT_PRACTICE: "限制从业",
    PenaltyKind.DETENTION: "行政拘留",
    PenaltyKind.OTHER: "其他行政处罚",
}
PERMIT_KINDS = {PenaltyKind.SUSPEND_PERMIT, PenaltyKind.REVOKE_PERMIT}
REVOKED_REMARK = "该决定已撤销"
REDACTED_REMARK = "部分内容涉及国家秘密、商业秘密或个人隐私，依法不予公开"
LICENCE_VALID = "有效"
LICENCE_REVOKED = "撤销"


def _day(value) -> str:
    return value.isoformat() if value else ""


def _ten_thousands(amount) -> str:
    if amount is None:
        return ""
    return str((amount / TEN_THOUSAND).quantize(SIX_PLACES))


def _credit_code(code: str) -> str:
    """An organisation code that is a valid unified social credit code, else nothing (our
    departments may carry a short local code instead)."""
    return code if code and credit_code_problem(code) is None else ""


def _party_code(decision: Decision) -> str:
    return "" if decision.party_kind == PartyKind.PERSON else decision.party_credit_code


def _kinds(decision: Decision) -> list[str]:
    return [PENALTY_KINDS.get(kind, kind) for kind in decision.penalty_kinds or []]


def _penalty_content(decision: Decision) -> str:
    """处罚内容: the kinds of penalty with their amounts, e.g. 罚款20000.00元、警告."""
    parts = []
    for kind in decision.penalty_kinds or []:
        label = PENALTY_KINDS.get(kind, kind)
        if kind == PenaltyKind.FINE and decision.fine_amount is not None:
            label += f"{decision.fine_amount}元"
        elif (
            kind in (PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY)
            and decision.confiscated_amount is not None
        ):
            label += f"{decision.confiscated_amount}元"
        parts.append(label)
    return "、".join(parts)


def _permit(decision: Decision) -> str:
    if not PERMIT_KINDS & set(decision.penalty_kinds or []):
        return ""
    return " ".join(part for part in (decision.licence_name, decision.licence_number) if part)


def _remarks(decision: Decision) -> str:
    parts = []
    if decision.state == DecisionState.REVOKED:
        parts.append(REVOKED_REMARK)
    if decision.redacted:
        parts.append(REDACTED_REMARK)
    return "；".join(parts)


@dataclass(frozen=True)
class Column:
    """One field of the exchange form: its key in the API feed, its name in the national form
    (the header of the files) and how it is read from a published decision."""

    key: str
    header: str
    value: Callable[[Decision], object]


PARTY = (
    Column("party_name", "行政相对人名称", lambda d: d.public_party_name),
    Column("party_kind", "行政相对人类别", lambda d: PARTY_KINDS.get(d.party_kind, "")),
    Column("party_credit_code", "统一社会信用代码", _party_code),
    Column("legal_representative", "法定代表人", lambda d: d.legal_representative),
)
SOURCE = (
    Column("source_unit", "数据来源单位", lambda d: d.department.name),
    Column(
        "source_unit_credit_code",
        "数据来源单位统一社会信用代码",
        lambda d: _credit_code(d.department.code),
    ),
    Column("remarks", "备注", _remarks),
)
# Ours, not the form's: every record traced to its decision and version (issue 14 §4).
TRACE = (
    Column("decision_id", "决定记录号", lambda d: d.pk),
    Column("decision_version", "决定版本", lambda d: d.version),
    Column("item_code", "事项实施编码", lambda d: d.item.code),
    Column("item_version", "事项版本", lambda d: d.item_version),
    Column("changed_at", "变更时间", lambda d: timezone.localtime(d.updated_at).isoformat()),
)
PENALTY_COLUMNS = (
    *PARTY,
    Column("number", "行政处罚决定书文号", lambda d: d.number),
    # The listed item is the power exercised ("对…的处罚"): it names the kind of violation.
    Column("violation_type", "违法行为类型", lambda d: d.item.name),
    Column("violation_facts", "违法事实", lambda d: d.public_content),
    Column("penalty_basis", "处罚依据", lambda d: d.public_basis),
    Column("penalty_kinds", "处罚类别", lambda d: "、".join(_kinds(d))),
    Column("penalty_content", "处罚内容", _penalty_content),
    Column("fine", "罚款金额（万元）", lambda d: _ten_thousands(d.fine_amount)),
    Column(
        "confiscated",
        "没收违法所得、没收非法财物的金额（万元）",
        lambda d: _ten_thousands(d.confiscated_amount),
    ),
    Column("permit", "暂扣或吊销证照名称及编号", _permit),
    Column("decided_on", "处罚决定日期", lambda d: _day(d.decided_on)),
    Column("valid_until", "处罚有效期", lambda d: _day(d.valid_until)),
    # Set by the credit platform under its own rules on publicity periods; no seed gives one.
    Column("publicity_until", "公示截止期", lambda d: ""),
    Column("authority", "处罚机关", lambda d: d.body.name),
    Column("authority_credit_code", "处罚机关统一社会信用代码", lambda d: d.body.credit_code),
    *SOURCE,
    *TRACE,
)
LICENCE_COLUMNS = (
    *PARTY,
    Column("document_name", "行政许可决定文书名称", lambda d: d.public_title),
    Column("number", "行政许可决定文书号", lambda d: d.number),
    # 普通、特许、认可、核准、登记 (行政许可法 第十二条): our items do not record the class.
    Column("licence_class", "许可类别", lambda d: ""),
    Column("licence_name", "许可证书名称", lambda d: d.licence_name),
    Column("licence_number", "许可编号", lambda d: d.licence_number),
    Column("licence_content", "许可内容", lambda d: d.public_content),
    Column("decided_on", "许可决定日期", lambda d: _day(d.decided_on)),
    Column("valid_from", "有效期自", lambda d: _day(d.valid_from)),
    Column("valid_until", "有效期至", lambda d: _day(d.valid_until)),
    Column("authority", "许可机关", lambda d: d.body.name),
    Column("authority_credit_code", "许可机关统一社会信用代码", lambda d: d.body.credit_code),
    Column(
        "status",
        "当前状态",
        lambda d: LICENCE_REVOKED if d.state == DecisionState.REVOKED else LICENCE_VALID,
    ),
    *SOURCE,
    *TRACE,
)
COLUMNS = {LICENCE: LICENCE_COLUMNS, PENALTY: PENALTY_COLUMNS}


def headers(kind: str) -> list[str]:
    return [column.header for column in COLUMNS[kind]]


def record(decision: Decision, kind: str) -> dict:
    """A published decision as one record of the exchange, by the feed's keys."""
    return {column.key: column.value(decision) for column in COLUMNS[kind]}


def row(decision: Decision, kind: str) -> list:
    return [column.value(decision) for column in COLUMNS[kind]]


def _chunks(queryset: QuerySet[Decision]) -> Iterator[list[Decision]]:
    chunk = []
    for decision in queryset.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(decision)
        if len(chunk) == CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def filename(kind: str, fmt: str) -> str:
    label = "行政许可" if kind == LICENCE else "行政处罚"
    return f"双公示-{label}-{timezone.localdate():%Y%m%d}.{fmt}"


def _csv_cell(value) -> str:
    if value is None:
        return ""
    text = writer_text(str(value))
    # A cell starting like a formula would run in a spreadsheet (CSV injection).
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_stream(queryset: QuerySet[Decision], kind: str) -> Iterator[bytes]:
    """The CSV, a chunk of rows at a time: UTF-8 with a byte order mark (so Excel reads the
    Chinese), one query per CHUNK_SIZE rows (the queryset selects what a row reads)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(kind))
    yield ("\ufeff" + buffer.getvalue()).encode()
    for chunk in _chunks(queryset):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_cell(value) for value in row(decision, kind)] for decision in chunk)
        yield buffer.getvalue().encode()


def workbook_write(
    queryset: QuerySet[Decision],
    kind: str,
    output,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """A write-only workbook (rows go to a temporary file as they come) to `output`; text
    stays text. Returns the number of rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="行政许可" if kind == LICENCE else "行政处罚")
    sheet.freeze_panes = "A2"
    for index in range(1, len(COLUMNS[kind]) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 20
    bold = Font(bold=True)
    header = []
    for text in headers(kind):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    for chunk in _chunks(queryset):
        for decision in chunk:
            cells = []
            for value in row(decision, kind):
                cell = WriteOnlyCell(sheet, value="" if value is None else writer_text(str(value)))
                # A text starting with "=" stays text, never a formula.
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
        written += len(chunk)
        if progress is not None:
            progress(written)
    book.save(output)
    return written


# --- workbooks built once per state of the data (as registry.exports) -------------------------


def credit_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "credit-exports"


def data_state(queryset: QuerySet[Decision]) -> tuple[str, int]:
    """What the records of `queryset` are now, as a folder name, and how many there are: one
    aggregate query. A decision that changes (published, corrected, redacted, revoked) moves
    its updated_at, so the state changes with it."""
    found = queryset.order_by().aggregate(
        count=Count("id"), changed=Max("updated_at"), last=Max("id")
    )
    if not found["count"]:
        return "0", 0
    changed = found["changed"]
    return f"{found['count']}-{changed:%Y%m%d%H%M%S%f}-{found['last']}", found["count"]


@dataclass(frozen=True)
class CreditExport(CachedExport):
    """The workbook of one reader's records of one kind in one state of the data: kept under
    MEDIA_ROOT/credit-exports/<reader and kind>/<state>/ (the register's exports folder is
    swept by the register's own state)."""

    @property
    def folder(self) -> Path:
        return credit_root() / self.digest / self.state

    def older_states_remove(self) -> None:
        for folder in (credit_root() / self.digest).glob("*"):
            if folder.name != self.state and folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)


def credit_export(user, kind: str, fmt: str, state: str) -> CreditExport:
    return CreditExport(state=state, params={"kind": kind, "user": str(user.pk)}, fmt=fmt)


def build_request(export: CreditExport) -> None:
    """Marks the build as queued and sends the task once the request's transaction commits;
    a request while it is queued or building sends nothing (the view reads progress())."""
    from ..tasks import credit_export_build

    export.mark(state="queued", rows=0, total=0)
    transaction.on_commit(
        lambda: credit_export_build.delay(
            user_id=int(export.params["user"]),
            kind=export.params["kind"],
            fmt=export.fmt,
            state=export.state,
        )
    )


def file_write(export: CreditExport, queryset: QuerySet[Decision], kind: str, total: int) -> Path:
    """Writes the workbook under a temporary name and renames it, so a request serves a whole
    file or none; the marker tells how far it has come. Older states' files are removed."""
    started = time.time()

    def report(rows: int) -> None:
        export.mark(state="building", rows=rows, total=total, started=started)

    export.folder.mkdir(parents=True, exist_ok=True)
    report(0)
    part = export.path.with_suffix(f".{os.getpid()}.{export.fmt}-part")
    try:
        with part.open("wb") as output:
            workbook_write(queryset, kind, output, progress=report)
        part.replace(export.path)
    finally:
        part.unlink(missing_ok=True)
        export.marker.unlink(missing_ok=True)
    export.older_states_remove()
    return export.path


def file_build(*, user, kind: str, fmt: str, state: str, queryset: QuerySet[Decision]):
    """A worker's build (decisions.tasks.credit_export_build) of the workbook of `state`,
    unless it exists, the data has moved on since it was asked for (the next request asks for
    the new state), or another worker is building it. Returns the file or None."""
    export = credit_export(user, kind, fmt, state)
    if export.ready():
        return export.path
    now_state, total = data_state(queryset)
    if now_state != state:
        export.marker.unlink(missing_ok=True)
        return None
    progress = export.progress()
    if progress and progress.get("state") == "building":
        return None
    return file_write(export, queryset, kind, total)
