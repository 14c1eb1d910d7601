"""The official-document PDF (core/documents.py, GB/T 9704-2012 layout), checked the way a reader
sees it: the text poppler extracts, the fonts it finds embedded and the pixels it renders. Under CI
poppler-utils and fonts-noto-cjk are installed by .ci/run and these tests must run."""

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from core.documents import (
    Heading,
    Table,
    chinese_date,
    document_number,
    official_document_pdf,
)
from tests.conftest import ARTIFACTS, need

ISSUER = "新密市刘寨镇纪律检查委员会"
ADDRESSEE = "新密市刘寨镇市场监督管理所"
TITLE = "关于权责清单执行问题的整改通知书"
# A paragraph of full-width characters only, so that every full line holds exactly the 28
# characters of the grid (GB/T 9704-2012 5.2.2).
GRID_TEXT = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥" * 40
TABLE_HEAD = ["序号", "问题", "依据", "整改期限"]
# 60 dpi: A4 is 496 × 702 pixels, the 版心 156 mm wide (368 pixels) from 28 mm (66 pixels).
DPI = 60


def _mm(millimetres: float) -> int:
    return round(millimetres / 25.4 * DPI)


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _notice(**overrides) -> bytes:
    arguments = {
        "issuer": ISSUER,
        "number": document_number(prefix="密督", year=2026, number=3),
        "title": TITLE,
        "addressee": ADDRESSEE,
        "blocks": [
            "根据《监督检查办法》第十四条和本年度随机抽查计划，对你单位进行了检查。\n"
            "现将有关问题通知如下。<b>x</b>",
            Heading("一、检查发现的问题"),
            GRID_TEXT,
            Table(
                head=TABLE_HEAD,
                rows=[
                    [str(row), f"要求申请人提交清单以外的材料第{row}项", "第十四条", "15个工作日"]
                    for row in range(1, 41)
                ],
            ),
            Heading("二、整改要求"),
            "请于收到本通知之日起15个工作日内完成整改，并书面报告整改情况。",
        ],
        "signer": ISSUER,
        "date": datetime.date(2026, 12, 7),
        "copy_to": "新密市政务服务改革管理办公室",
        "attachments": ["问题清单", "整改情况报告"],
    }
    return official_document_pdf(**(arguments | overrides))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The notice as PDF, its pages as 60 dpi PNG, and every page at 100 dpi in test-artifacts/
    (official-document-p1.png, …) for a person to look at."""
    need(shutil.which("pdftoppm") is not None, "poppler-utils (pdftoppm) is not installed")
    folder = tmp_path_factory.mktemp("official-document")
    pdf = folder / "notice.pdf"
    pdf.write_bytes(_notice())
    _run("pdftoppm", "-png", "-r", str(DPI), str(pdf), str(folder / "page"))
    ARTIFACTS.mkdir(exist_ok=True)
    _run("pdftoppm", "-png", "-r", "100", str(pdf), str(folder / "big"))
    for page in range(1, len(list(folder.glob("big-*.png"))) + 1):
        shutil.copy(_page_png(folder, "big", page), ARTIFACTS / f"official-document-p{page}.png")
    return folder


def _page_png(folder: Path, stem: str, page: int) -> Path:
    # pdftoppm pads the page number to the width of the page count.
    pngs = folder.glob(f"{stem}-*.png")
    return next(path for path in pngs if int(path.stem.split("-")[1]) == page)


def _pages_text(folder: Path) -> list[str]:
    return _run("pdftotext", "-layout", str(folder / "notice.pdf"), "-").split("\f")[:-1]


def _red(pixel) -> bool:
    red, green, blue = pixel[:3]
    return red > 170 and green < 90 and blue < 90


def test_document_number_follows_gb_t_9704_7_2_4():
    assert document_number(prefix="密督", year=2026, number=3) == "密督〔2026〕3号"
    assert document_number(prefix="清单办", year=2027, number=120) == "清单办〔2027〕120号"
    with pytest.raises(ValueError):
        document_number(prefix="密督", year=2026, number=0)
    with pytest.raises(ValueError):
        document_number(prefix="密督", year=26, number=3)


def test_dates_have_no_leading_zeros():
    assert chinese_date(datetime.date(2026, 1, 5)) == "2026年1月5日"
    assert chinese_date(datetime.date(2026, 12, 7)) == "2026年12月7日"


def test_the_text_carries_every_element(rendered):
    text = "\f".join(_pages_text(rendered))
    for expected in (
        ISSUER,
        "密督〔2026〕3号",
        TITLE,
        f"{ADDRESSEE}：",
        "一、检查发现的问题",
        "要求申请人提交清单以外的材料第40项",
        "附件：1.问题清单",
        "2.整改情况报告",
        "2026年12月7日",
        "抄送：新密市政务服务改革管理办公室",
        "2026年12月7日印发",
        "— 1 —",
        "— 2 —",
    ):
        assert expected in text, expected


def test_user_text_is_escaped_not_interpreted(rendered):
    assert "现将有关问题通知如下。<b>x</b>" in "".join(_pages_text(rendered))


def test_a_page_holds_22_lines_of_28_characters(rendered):
    """GB/T 9704-2012 5.2.2; page 2 is all grid text."""
    lines = [line.strip() for line in _pages_text(rendered)[1].splitlines()]
    body = [line for line in lines if line and not line.startswith("—")]
    assert len(body) == 22
    assert {len(line) for line in body} == {28}


def test_the_table_header_repeats_on_every_page_it_spans(rendered):
    pages = [page for page in _pages_text(rendered) if "要求申请人提交清单以外的材料" in page]
    assert len(pages) >= 2
    for page in pages:
        assert re.search(r"序号\s+问题\s+依据\s+整改期限", page)


def test_page_numbers_odd_right_even_left(rendered):
    """GB/T 9704-2012 7.5: odd page numbers one character in from the right, even ones from the
    left, under the 版心."""
    words = _run("pdftotext", "-bbox", str(rendered / "notice.pdf"), "-")
    pages = words.split("<page ")[1:]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        marks = re.findall(
            rf'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">{number}</word>',
            page,
        )
        # Below the 版心: 37 + 225 mm from the top of the page (742.7 pt).
        x_min, y_min, x_max = (float(value) for value in marks[-1])
        assert y_min > 742.7
        if number % 2:
            assert x_min > 595.28 / 2
        else:
            assert x_max < 595.28 / 2


def test_fonts_are_noto_cjk_and_embedded(rendered):
    rows = _run("pdffonts", str(rendered / "notice.pdf")).splitlines()[2:]
    assert rows
    names = set()
    for row in rows:
        name, *_, emb, sub, uni, _object, _generation = row.split()
        # Embedded subsets with a ToUnicode map, so that the text can be searched and copied.
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        names.add(name.split("+", 1)[1])
    assert names == {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold", "Noto-Sans-CJK-SC-Bold"}


def test_a4_and_metadata_without_a_time(rendered):
    info = _run("pdfinfo", "-isodates", str(rendered / "notice.pdf"))
    width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    assert abs(float(width) - 595.28) < 0.1 and abs(float(height) - 841.89) < 0.1
    assert re.search(rf"^Title:\s+{TITLE}$", info, re.MULTILINE)
    assert re.search(rf"^Author:\s+{ISSUER}$", info, re.MULTILINE)
    assert re.search(r"^CreationDate:\s+2026-12-07T00:00:00", info, re.MULTILINE)
    assert "ModDate" not in info


def test_first_page_has_the_red_mark_and_rule(rendered):
    page = Image.open(_page_png(rendered, "page", 1)).convert("RGB")
    # pdftoppm rounds a page's size in pixels up.
    assert abs(page.width - _mm(210)) <= 1 and abs(page.height - _mm(297)) <= 1
    pixels = page.load()
    red_rows = [
        y for y in range(page.height) if sum(_red(pixels[x, y]) for x in range(page.width)) > 0
    ]
    # The mark's top 35 mm under the 版心's top (GB/T 9704-2012 7.2.3), the rule under it; nothing
    # red below the upper half of the page.
    assert red_rows and _mm(37 + 35) - 3 <= red_rows[0] < _mm(37 + 35) + 10
    assert red_rows[-1] < page.height // 2
    # The rule: a red row as wide as the 版心, from the 订口 to the right margin.
    rule = [
        y
        for y in red_rows
        if sum(_red(pixels[x, y]) for x in range(_mm(28), _mm(28 + 156))) >= _mm(156) - 4
    ]
    assert rule
    assert not _red(pixels[_mm(28) - 3, rule[0]]) and not _red(pixels[_mm(28 + 156) + 3, rule[0]])
    # The mark above it stands in the middle of the 版心.
    mark = [
        x for y in red_rows if y < rule[0] - 10 for x in range(page.width) if _red(pixels[x, y])
    ]
    assert abs((min(mark) + max(mark)) / 2 - _mm(28 + 78)) <= 3


def test_later_pages_have_no_red(rendered):
    page = Image.open(_page_png(rendered, "page", 2)).convert("RGB")
    assert not any(_red(color) for _count, color in page.getcolors(page.width * page.height))


def test_lines_of_a_block_are_paragraphs_and_the_same_input_gives_the_same_bytes(tmp_path):
    need(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext) is not installed")
    short = {"blocks": ["第一段。\r\n\n第二段。\x00"], "copy_to": "", "attachments": ()}
    pdf = _notice(**short)
    assert _notice(**short) == pdf
    (tmp_path / "short.pdf").write_bytes(pdf)
    lines = _run("pdftotext", "-layout", str(tmp_path / "short.pdf"), "-").splitlines()
    indent = {line.strip(): len(line) - len(line.lstrip()) for line in lines if line.strip()}
    # Each paragraph is indented (7.3.3), the addressee flush left (7.3.2).
    assert indent["第一段。"] == indent["第二段。"] > indent[f"{ADDRESSEE}："]
    assert "抄送" not in "\n".join(lines)


def test_a_block_of_another_kind_is_refused():
    with pytest.raises(TypeError):
        _notice(blocks=[123])
    with pytest.raises(ValueError):
        _notice(blocks=[])
