"""Official documents (公文) as PDF, in the layout of GB/T 9704-2012 《党政机关公文格式》.

Used for rectification notices (整改通知书), inspection notices and periodic reports (通报) of the
inspections app (SPEC §6: "A rectification notice is an official document").
`official_document_pdf` renders the Django template ``core/official_document.html`` with WeasyPrint;
every input comes from users and is escaped by the template engine, and the renderer fetches
nothing (no file, no network), so a document can only show the text it was given.

Followed (clause numbers of GB/T 9704-2012):

- 5.2.1 A4 paper (210 × 297 mm); 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm.
- 5.2.2 3号 body text, 28 characters a line and 22 lines a page: the 3号 (16 pt) glyphs are set
  on a 15.79 pt character grid (156 mm / 28, as a word processor's 文档网格 does) with a line
  pitch of 28.9 pt (225 mm / 22).
- 7.2.3 发文机关标志: red, centred, its top 35 mm below the top of the 版心, one line; a long
  name is narrowed (as 小标宋 marks are) and then made smaller so that it never wraps.
- 7.2.4 发文字号 two lines under the mark, centred: 机关代字 + 〔full year〕 + serial without
  leading zeros + 号 (`document_number`).
- 7.2.5 the red rule 4 mm under the number, as wide as the 版心.
- 7.3.1 title in 2号 two lines under the rule, centred, wrapping onto several centred lines; a
  newline in the title is a line break the drafter chose (7.3.1 asks for breaks that keep words
  whole, which a renderer cannot judge).
- 7.3.2 主送机关 one line under the title, flush left, ending with a full-width colon.
- 7.3.3 body paragraphs indented two characters, wrapped lines flush left; first-level headings
  (一、…) in a 黑体-like sans.
- 7.3.4 附件说明 one line under the body, indented two characters: "附件：" and, for several,
  "1.××××" numbered, no punctuation after a name, wrapped lines aligned with the name.
- 7.3.5.2 (no seal: the PDF is the electronic original, it carries no 印章 image) the issuing body
  one line under the body, two characters from the right; the date on the next line starting two
  characters right of the body's first character, or ending two characters from the right when it
  is the longer; 7.3.5.1 the date in Arabic numerals, full year, no leading zeros (2026年12月7日).
- 7.4 版记 at the foot of the last page: 抄送 (when given) and 印发机关/印发日期 in 4号, one
  character in from each side, between a thick (0.35 mm) first and last rule with a thin
  (0.25 mm) rule between them.
- 7.5 page numbers in 4号 half-width digits between em dashes, "— 1 —", 7 mm under the 版心,
  odd pages one character in from the right, even pages one character in from the left.
- 8 tables: thin black rules, header row in bold and repeated on every page the table spans.

Deviations:

- Fonts: 方正小标宋 and 仿宋_GB2312 (the fonts 7.2.3, 7.3.1 and 7.3.3 name) are proprietary and not
  packaged; the mark and the title use Noto Serif CJK SC Bold, the body Noto Serif CJK SC (a 宋
  design, not a 仿宋), headings Noto Sans CJK SC Bold, all from Debian's fonts-noto-cjk and
  embedded as subsets. The 二级标题 楷体 of 7.3.3 has no free counterpart either: any level below
  the first is given as an ordinary paragraph.
- Lines are justified only at spaces (WeasyPrint 70 does not spread CJK text): a line of full-width
  characters fills the grid exactly, a line with half-width digits ends a little short.
- Tables are set in 4号 (14 pt) on a smaller line pitch: 8 leaves a table's font to the drafter.
- The 版记 sits at the foot of the page the document ends on, even when that page is odd: 7.5's
  blank pages that push it to an even page are for printed, bound copies.
- The PDF metadata carry the title, the issuing body and the document's date (no time): nothing
  of when or where the file was made.
"""

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

# GB/T 9704-2012 5.2.1: the 版心 is 156 mm wide; a point is 25.4/72 mm.
_TEXT_WIDTH_PT = 156 / 25.4 * 72
# Font size of the issuing body's mark before it has to shrink: 初号 (42 pt) is the size marks
# are commonly set in (this product's default; 7.2.3 leaves the size to "醒目、美观、庄重").
_MARK_SIZE_PT = 42
# How far a long mark may be narrowed before its size is reduced instead (this product's
# default: narrower than 60 % the strokes of a bold serif run together).
_MARK_MIN_SCALE = 0.6
# C0 and C1 control characters other than the line feed: an XML-based renderer rejects some of
# them, and none of them can be printed.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Table:
    """A table in the body: `head` is the header row (bold, repeated on every page), `rows` the
    data rows; each cell is plain text."""

    head: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Heading:
    """A first-level heading (一级标题, GB/T 9704-2012 7.3.3: 黑体), such as
    "一、检查发现的问题"."""

    text: str


def document_number(*, prefix: str, year: int, number: int) -> str:
    """The 发文字号 of GB/T 9704-2012 7.2.4: 机关代字, the full year in 六角括号 〔〕, the serial
    without leading zeros and 号, e.g. ``document_number(prefix="密督", year=2026, number=3)``
    is "密督〔2026〕3号"."""
    if number < 1:
        raise ValueError(f"a document's serial number starts at 1, not {number}")
    if not 1000 <= year <= 9999:
        raise ValueError(f"the year of a document number has four digits, not {year}")
    return f"{prefix}〔{year}〕{number}号"


def chinese_date(date: datetime.date) -> str:
    """A date as GB/T 9704-2012 7.3.5.1 writes the 成文日期: Arabic numerals, the full year, no
    leading zeros ("2026年12月7日")."""
    return f"{date.year}年{date.month}月{date.day}日"


def official_document_pdf(
    *,
    issuer: str,
    number: str,
    title: str,
    addressee: str,
    blocks: Sequence[str | Heading | Table],
    signer: str,
    date: datetime.date,
    copy_to: str = "",
    attachments: Sequence[str] = (),
) -> bytes:
    """The PDF of an official document issued by `issuer` (the red mark, e.g.
    "新密市刘寨镇纪律检查委员会") with 发文字号 `number` (see `document_number`), `title`, the
    主送机关 `addressee`, the body `blocks` (a string is one paragraph per line; a `Heading`; a
    `Table`), the attachments' names, the signing body `signer`, the 成文日期 `date` and the
    抄送机关 `copy_to`. The same arguments give the same bytes."""
    # Imported here: WeasyPrint loads Pango when imported, which no other part of the site needs.
    import weasyprint

    if not blocks:
        raise ValueError("an official document needs a body")
    issuer = _clean(issuer).strip()
    html = render_to_string(
        "core/official_document.html",
        {
            "issuer": issuer,
            "mark_style": _mark_style(issuer),
            "number": _clean(number).strip(),
            "title": _clean(title).strip(),
            "addressee": _clean(addressee).strip(),
            "blocks": [_block(block) for block in blocks],
            "attachments": [_one_line(name) for name in attachments if _one_line(name)],
            "signer": _clean(signer).strip(),
            "date": chinese_date(date),
            "created": date.isoformat(),
            "copy_to": _clean(copy_to).strip(),
        },
    )
    # Nothing to fetch: the styles are inline and the fonts come from fontconfig. Refusing every
    # URL keeps a document from ever reading a file or calling a server.
    fetcher = weasyprint.URLFetcher(allowed_protocols=())
    return weasyprint.HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher
    ).write_pdf()


def _clean(text: str) -> str:
    return _CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def _one_line(text: str) -> str:
    return " ".join(_clean(text).split())


def _block(block: str | Heading | Table) -> dict:
    if isinstance(block, Heading):
        return {"kind": "heading", "text": _one_line(block.text)}
    if isinstance(block, Table):
        return {
            "kind": "table",
            "head": [_clean(cell).strip() for cell in block.head],
            "rows": [[_clean(cell).strip() for cell in row] for row in block.rows],
        }
    if isinstance(block, str):
        lines = [line.strip() for line in _clean(block).split("\n")]
        return {"kind": "paragraphs", "lines": [line for line in lines if line]}
    raise TypeError(f"a block is a str, a Heading or a Table, not {type(block).__name__}")


def _mark_style(issuer: str) -> str:
    """Size, width and narrowing of the mark so that it stays on one line of the 版心 (7.2.3): a
    name wider than the 版心 is set in a box of its own width, centred over the 版心 and narrowed
    about its centre to fit."""
    # Full-width characters take an em; Latin letters and digits about half of one.
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in issuer) or 1.0
    size = _MARK_SIZE_PT
    if ems * size <= _TEXT_WIDTH_PT:
        return f"font-size: {size}pt"
    scale = _TEXT_WIDTH_PT / (ems * size)
    if scale < _MARK_MIN_SCALE:
        size = _TEXT_WIDTH_PT / (ems * _MARK_MIN_SCALE)
        scale = _MARK_MIN_SCALE
    # One em of slack so that a slightly wider font than estimated does not wrap.
    width = (ems + 1) * size
    return (
        f"font-size: {size:.2f}pt; width: {width:.2f}pt; "
        f"margin-left: {(_TEXT_WIDTH_PT - width) / 2:.2f}pt; transform: scaleX({scale:.4f})"
    )
