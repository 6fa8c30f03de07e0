"""The review page end to end in headless Chromium (Debian's `chromium`, driven by Playwright):
list, search, filters, a document with its image and boxes, escaping of OCR text, and a field and
a token correction round trip through the page."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

from sohoa.pipeline.serve import make_server  # noqa: E402
from tests.test_serve_helpers import build_archive  # noqa: E402

CHROMIUM = os.environ.get("SOHOA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, int]]]:
    db = tmp_path / "archive.sqlite"
    ids = build_archive(db, image_dir=tmp_path)
    server = make_server(db, "127.0.0.1", 0, reviewer="tester", quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", db, ids
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def page():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # CSP bypassed: escaping alone must keep OCR text inert (the CSP is a second line, tested in
            # test_serve.py), and Playwright's own evaluation needs it.
            pg = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 1000}).new_page()
            pg.dialogs = []  # type: ignore[attr-defined]
            pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
            yield pg
        finally:
            browser.close()


def test_list_search_and_filters(site, page) -> None:
    base, _, _ = site
    page.goto(base + "/")
    assert page.locator("a.doclink").count() == 2
    page.fill("input[name=q]", "ke hoach")  # no diacritics
    page.click("form.filters button")
    assert page.locator("a.doclink").all_inner_texts() == ["46-KH/BTGTU"]
    page.goto(base + "/")
    page.select_option("select[name=year]", "2023")
    page.click("form.filters button")
    assert page.locator("a.doclink").all_inner_texts() == ["4211/VP-KGVX"]
    page.select_option("select[name=year]", "")
    page.select_option("select[name=type]", "Kế hoạch")
    page.click("form.filters button")
    assert page.locator("a.doclink").all_inner_texts() == ["46-KH/BTGTU"]


def test_document_page_escapes_text_and_shows_boxes(site, page, tmp_path: Path) -> None:
    base, _, ids = site
    page.goto(f"{base}/doc/{ids['plan']}")
    assert "<script>window.__xss = 1</script>" in page.inner_text("#doctext")  # shown as text
    assert page.evaluate("window.__xss === undefined")
    assert page.dialogs == []
    img = page.locator("figure.pageimg img")
    img.wait_for()
    page.wait_for_function("document.querySelector('figure.pageimg img').naturalWidth > 0")
    assert page.locator("svg.boxes rect.box").count() > 10
    assert page.locator("svg.boxes rect.box.low").count() == 1
    assert page.locator("#doctext .tok.low").count() == 1
    # hovering a field name highlights its span in the text
    page.hover("a.fieldlink[data-field=code]")
    assert page.locator("#span-code.hl").count() == 1
    # clicking a word box on the image opens the correction form for that word
    page.locator("svg.boxes rect.box.low").dispatch_event("click")
    assert page.locator("#tokenform").is_visible() and page.inner_text("#tokenold") == "Thường"
    assert page.locator("svg.boxes rect.box.low.hl").count() == 1
    shot = tmp_path / "review-document.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_field_correction_round_trip(site, page, tmp_path: Path) -> None:
    base, db, ids = site
    page.goto(f"{base}/doc/{ids['plan']}")
    row = page.locator("tr[data-field=issuer]")
    row.locator("input[name=new_value]").fill("Tỉnh ủy Kiên Giang")
    row.locator("button").click()
    page.wait_for_url("**saved=1**")
    assert page.locator("p.saved").count() == 1
    assert page.locator("tr[data-field=issuer] .reviewed").inner_text() == "Tỉnh ủy Kiên Giang"
    assert page.locator("tr[data-field=issuer] .machine").inner_text() == "Ban Tuyên giáo Tỉnh ủy Kiên Giang"
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT doc_id, target, field, old_value, new_value, reviewer FROM corrections").fetchall()
    assert rows == [(ids["plan"], "field", "issuer", "Ban Tuyên giáo Tỉnh ủy Kiên Giang", "Tỉnh ủy Kiên Giang", "tester")]
    assert conn.execute("SELECT issuer FROM documents WHERE doc_id = ?", (ids["plan"],)).fetchone()[0] == (
        "Ban Tuyên giáo Tỉnh ủy Kiên Giang")  # machine output untouched
    page.goto(base + "/")
    assert "Tỉnh ủy Kiên Giang" in page.locator("table.docs").inner_text()
    page.goto(f"{base}/doc/{ids['plan']}")
    page.screenshot(path=str(tmp_path / "review-after-correction.png"), full_page=True)


def test_token_correction_round_trip(site, page) -> None:
    base, db, ids = site
    page.goto(f"{base}/doc/{ids['plan']}")
    page.locator("#doctext .tok.low").first.click()
    form = page.locator("#tokenform")
    assert form.is_visible()
    assert page.inner_text("#tokenold") == "Thường"
    form.locator("input[name=new_value]").fill("Thường trực")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**saved=1**")
    assert page.locator("#doctext ins.tokfix").inner_text() == "Thường trực"
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT target, page, line, idx, old_value, new_value FROM corrections").fetchone()
    assert row == ("token", 1, 4, 10, "Thường", "Thường trực")
