"""The review loop in headless Chromium (Debian's `chromium`, driven by Playwright), by keyboard only:
queue → first document → edit a field → accept → mark reviewed → the next document; screenshots at
1366×768 and 900 px checked for horizontal overflow; a cross-origin page cannot post a correction
nor frame the site."""

from __future__ import annotations

import http.server
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

from sohoa.pipeline.serve import make_server  # noqa: E402
from tests.test_serve_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.test_serve_helpers import add_flagged_scan, build_archive  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (apt-get install chromium)"),
]
WIDTHS = [(1366, 768), (900, 900), (390, 844)]


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, int]]]:
    db = tmp_path / "archive.sqlite"
    ids = build_archive(db, image_dir=tmp_path)
    ids["scan"] = add_flagged_scan(db, tmp_path)
    server = make_server(db, "127.0.0.1", 0, reviewer="tester", quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", db, ids
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def new_page(browser, width: int, height: int):
    # CSP bypassed only so that Playwright's wait_for_function may evaluate (the site's CSP forbids eval)
    return browser.new_context(bypass_csp=True, viewport={"width": width, "height": height}).new_page()


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_whole_loop_by_keyboard(site, browser, tmp_path: Path) -> None:
    base, db, ids = site
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(base + "/")
    assert page.locator("table.docs tbody tr").first.get_attribute("data-doc") == str(ids["scan"])
    page.keyboard.press("Enter")  # the selected (first) row
    page.wait_for_url(f"**/doc/{ids['scan']}")
    nxt = page.locator("#docbar").get_attribute("data-next")
    page.keyboard.press("e")  # the first flagged field: number
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "number"
    page.keyboard.type("155")
    page.keyboard.press("Enter")  # accept the edit
    page.wait_for_url("**saved=1**")
    assert page.locator("tr[data-field=number] .reviewed").inner_text() == "155"
    page.keyboard.press("r")  # mark reviewed: the next document of the queue opens
    page.wait_for_url(f"**{nxt}")
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT field, old_value, new_value, reviewer FROM corrections").fetchall() == [
        ("number", None, "155", "tester")]
    assert conn.execute("SELECT doc_id, status, reviewer FROM reviews").fetchall() == [(ids["scan"], "reviewed", "tester")]
    following = page.locator("#docbar").get_attribute("data-next")
    assert page.locator("#docbar").get_attribute("data-prev") == ""  # the reviewed one has left the queue
    page.keyboard.press("j")
    page.wait_for_url(f"**{following}")
    page.keyboard.press("k")
    page.wait_for_url(f"**{nxt}")
    page.goto(base + "/")
    assert page.locator("a.tab.on .n").inner_text() == "2"
    assert str(ids["scan"]) not in page.locator("table.docs tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.doc)")


def test_layout_has_no_horizontal_overflow(site, browser, tmp_path: Path) -> None:
    base, _, ids = site
    for width, height in WIDTHS:
        page = new_page(browser, width, height)
        for name, url in (("queue", "/"), ("document", f"/doc/{ids['scan']}")):
            page.goto(base + url)
            if name == "document":
                page.wait_for_function("document.querySelector('figure.pageimg img').naturalWidth > 0")
            shot = tmp_path / f"review-{name}-{width}.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 5_000
            assert no_horizontal_overflow(page), (name, width)
        page.close()


def test_zoom_and_toggles(site, browser) -> None:
    base, _, ids = site
    page = new_page(browser, 1366, 768)
    page.goto(f"{base}/doc/{ids['scan']}")
    page.wait_for_function("document.querySelector('figure.pageimg img').naturalWidth > 0")
    before = page.evaluate("document.querySelector('#viewport .imgwrap').getBoundingClientRect().width")
    page.keyboard.press("+")
    page.keyboard.press("+")
    after = page.evaluate("document.querySelector('#viewport .imgwrap').getBoundingClientRect().width")
    assert after > before * 1.5
    assert page.evaluate("document.getElementById('viewport').scrollWidth > document.getElementById('viewport').clientWidth")
    assert no_horizontal_overflow(page)  # the image scrolls inside its frame, not the page
    page.keyboard.press("0")
    assert abs(page.evaluate("document.querySelector('#viewport .imgwrap').getBoundingClientRect().width") - before) < 2
    stroke = "getComputedStyle(document.querySelector('rect.box.low-eng')).stroke"
    assert page.evaluate(stroke) != "none"
    page.keyboard.press("b")
    assert page.evaluate(stroke) == "none"
    assert page.locator("#doctext .tok.low-eng").count() == 1
    page.keyboard.press("h")
    assert page.evaluate("getComputedStyle(document.querySelector('#doctext .tok.low-eng')).backgroundColor") in (
        "rgba(0, 0, 0, 0)", "transparent")
    assert page.locator("img.crop").count() == 1
    page.wait_for_function("document.querySelector('img.crop').naturalWidth > 0")


def test_another_origin_can_neither_post_nor_frame(site, browser, tmp_path: Path) -> None:
    base, db, ids = site
    attack = tmp_path / "attack"
    attack.mkdir()
    form = (f"<form method=post action='{base}/doc/{ids['plan']}/correct'><input name=target value=field>"
            "<input name=field value=code><input name=new_value value=PWNED><input name=csrf value=guess></form>"
            "<script>addEventListener('load', () => document.forms[0].submit())</script>")
    (attack / "index.html").write_text(
        "<!doctype html><html><body>"
        "<iframe id=sandboxed sandbox='allow-forms allow-scripts' src='/form.html'></iframe>"
        "<iframe id=plain src='/form.html'></iframe>"
        f"<iframe id=framed src='{base}/doc/{ids['plan']}'></iframe></body></html>", encoding="utf-8")
    (attack / "form.html").write_text(form, encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(attack), **kw)

        def log_message(self, *args) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        answers: list[int] = []
        page.on("response", lambda r: answers.append(r.status) if r.url.endswith("/correct") else None)
        origins: list[str | None] = []
        page.on("request", lambda r: origins.append(r.headers.get("origin")) if r.url.endswith("/correct") else None)
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/index.html")
        for _ in range(100):  # both forms submit themselves on load
            if len(answers) >= 2:
                break
            page.wait_for_timeout(100)
        assert len(answers) == 2 and all(s == 403 for s in answers)  # both posts arrived and were refused
        assert sorted(origins, key=str) == sorted(["null", f"http://127.0.0.1:{other.server_address[1]}"], key=str)
        # the framed review page (and the refused posts' answers) were not rendered in a frame
        for _ in range(50):  # Chromium replaces each refused frame with its error page, in its own time
            if sum("chrome-error" in f.url for f in page.frames) == 3:
                break
            page.wait_for_timeout(100)
        assert not [f.url for f in page.frames if f.url.startswith(base)]
        assert sum("chrome-error" in f.url for f in page.frames) == 3
    finally:
        other.shutdown()
    assert sqlite3.connect(db).execute("SELECT count(*) FROM corrections").fetchone()[0] == 0


def test_accept_key_checks_flagged_fields_one_by_one(site, browser) -> None:
    base, db, ids = site
    page = new_page(browser, 1366, 768)
    page.goto(f"{base}/doc/{ids['scan']}")
    flagged = page.locator('input.fieldinput[data-flagged="1"]').evaluate_all("xs => xs.map(x => x.ariaLabel)")
    assert flagged[0] == "number" and len(flagged) >= 2
    page.keyboard.press("a")
    page.wait_for_url("**saved=1**")
    page.keyboard.press("a")
    page.wait_for_function(f"document.querySelectorAll('input.fieldinput[data-flagged=\"1\"]').length == {len(flagged) - 2}")
    rows = sqlite3.connect(db).execute("SELECT field, new_value FROM corrections ORDER BY correction_id").fetchall()
    assert rows == [(flagged[0], None), (flagged[1], None)]  # confirmed empty, as shown
    assert page.locator('input.fieldinput[data-flagged="1"]').evaluate_all("xs => xs.map(x => x.ariaLabel)") == flagged[2:]
