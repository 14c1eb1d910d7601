"""Issue 13 §5, Done when: a rectification notice (整改通知书) issued through the services is an
official document (GB/T 9704-2012, core.documents) whose text poppler extracts — the number, the
addressee, the deadline and the title — and whose first page, rendered to PNG, carries the red
issuing-body mark and rule at the top. test-artifacts/inspections-notice-p1.png is the page for a
person to look at. Under CI poppler-utils and fonts-noto-cjk are installed by .ci/run and these
tests must run."""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from inspections import services
from inspections.models import RectificationNotice
from tests.adjustment_builders import at
from tests.complaint_builders import travel
from tests.conftest import ARTIFACTS, need
from tests.inspection_builders import build_inspection_org, problem_open

TITLE = "关于责任清单公开问题的整改通知书"
DPI = 70


def _mm(millimetres: float) -> int:
    return round(millimetres / 25.4 * DPI)


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _red(pixel) -> bool:
    red, green, blue = pixel[:3]
    return red > 170 and green < 90 and blue < 90


@pytest.fixture(params=["zh-hans", "en"])
def notice(request, db, calendar) -> RectificationNotice:
    """Two problems of the salt bureau, ten working days from Monday 2026-11-16: due with
    Monday 11-30; issued from a page in Chinese, and from one in English (the document is
    Chinese all the same)."""
    with travel(at(2026, 11, 16, 10)), translation.override(request.param):
        built = build_inspection_org()
        problems = [
            problem_open(built),
            problem_open(
                built,
                title="要求申请人提交清单以外的材料",
                description="窗口要求申请人额外提供无犯罪记录证明，清单中没有此项材料。",
            ),
        ]
        draft = services.notice_draft(
            actor=built.supervisor,
            problems=problems,
            title=TITLE,
            requirements="一是在门户网站公开最新版责任清单；二是停止要求提交清单以外的材料。",
            deadline_days=10,
            milestones=[("完成清单公开", datetime.date(2026, 11, 23))],
        )
        return services.notice_issue(actor=built.supervisor, notice=draft)


@pytest.fixture
def pdf(notice, tmp_path) -> Path:
    need(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext) is not installed")
    path = tmp_path / "notice.pdf"
    with notice.pdf.open("rb") as stored:
        path.write_bytes(stored.read())
    return path


def test_the_text_carries_the_number_the_addressee_the_deadline_and_the_title(notice, pdf):
    text = _run("pdftotext", "-layout", str(pdf), "-")
    assert notice.number == "督改〔2026〕1号"
    assert notice.issuer.name in text
    assert "督改〔2026〕1号" in text
    assert "市盐业管理局：" in text
    assert "2026年11月30日" in text
    assert "2026年11月16日" in text  # the date of issue, signed by the issuing body
    assert "2026年11月23日" in text  # the milestone
    assert "— 1 —" in text
    flat = "".join(text.split())
    assert "请于2026年11月30日前" in flat
    assert "整改要求" in flat
    assert "Rectif" not in flat
    assert TITLE in flat
    assert "要求申请人提交清单以外的材料" in flat
    assert "停止要求提交清单以外的材料" in flat


def test_the_first_page_has_the_red_mark_and_rule_at_the_top(pdf):
    need(shutil.which("pdftoppm") is not None, "poppler-utils (pdftoppm) is not installed")
    _run("pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", str(pdf), str(pdf.parent / "p"))
    (png,) = pdf.parent.glob("p-*.png")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(png, ARTIFACTS / "inspections-notice-p1.png")
    page = Image.open(png).convert("RGB")
    assert (page.width, page.height) == (_mm(210) + 1, _mm(297) + 1) or abs(
        page.height - _mm(297)
    ) <= 1
    pixels = page.load()
    red_rows = sorted(
        {y for y in range(page.height) for x in range(0, page.width, 2) if _red(pixels[x, y])}
    )
    assert red_rows, "no red on the first page"
    # The mark begins 35 mm below the top of the 版心 (37 mm from the paper's top, 7.2.3) and
    # the rule follows under the number (7.2.5): all red lies in the upper half of the page.
    assert _mm(37 + 25) <= red_rows[0] <= _mm(37 + 45)
    assert red_rows[-1] < page.height // 2
    # The rule: one row red across most of the 版心's 156 mm.
    widest = max(sum(1 for x in range(page.width) if _red(pixels[x, y])) for y in red_rows[-6:])
    assert widest >= _mm(156) * 0.9
