"""Issue 10 §3 in a browser: a large Excel export shows the "being prepared" page, which shows
the progress and downloads the file by itself once a worker has built it; over the export
limit the 429 page says when to try again. Screenshots at desktop and phone widths."""

import pytest

from registry import exports
from tests import registry_builders as rb

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def published(transactional_db, org, settings, tmp_path):
    """Committed, so the live server's thread sees it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return rb.publish(org.departments["salt"])


def test_a_large_excel_export_is_prepared_then_downloads_by_itself(
    page, live_server, published, settings, screenshot
):
    settings.EXPORT_INLINE_ROWS = 0
    url = f"{live_server.url}/lists/export.xlsx?list=power"
    response = page.goto(url)
    assert response.status == 202
    assert page.locator("h1").inner_text() == "正在生成 Excel 文件"
    assert "正在排队" in page.locator("[role=status]").inner_text()
    export = exports.cached_export({"list": "power"})
    export.mark(state="building", rows=500, total=2000)
    page.reload()
    assert "已写入 500 / 2000 行" in page.locator("[role=status]").inner_text()
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, f"export-preparing-{name}")
    # The worker finishes (the progress above stood for its marker, which it replaces); the
    # page's own reload (every 5 s) downloads the file.
    export.marker.unlink()
    assert exports.file_build(state=export.state, params={"list": "power"}) == export.path
    with page.expect_download(timeout=12_000) as download:
        pass
    assert download.value.suggested_filename.endswith(".xlsx")


def test_over_the_limit_the_page_says_when_to_try_again(
    page, live_server, published, settings, screenshot
):
    settings.EXPORT_THROTTLE_COUNT = 0
    response = page.goto(f"{live_server.url}/lists/export.csv")
    assert response.status == 429
    assert int(response.headers["retry-after"]) > 0
    text = page.locator("main").inner_text()
    assert "请求过于频繁" in text
    assert "之后）再试" in text
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, f"export-throttled-{name}")
