"""The review site without a browser: views, escaping, corrections, HTTP plumbing."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from sohoa.pipeline import serve
from sohoa.pipeline.serve import ReviewApp, make_server
from tests.test_serve_helpers import build_archive


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    db = tmp_path / "archive.sqlite"
    ids = build_archive(db, image_dir=tmp_path)
    return db, ids


def get(app: ReviewApp, target: str) -> tuple[int, str]:
    r = app.handle("GET", target, b"", {"host": "127.0.0.1:1"})
    return r.status, r.body.decode("utf-8", "replace")


def post(app: ReviewApp, target: str, form: dict[str, str], origin: str | None = "http://127.0.0.1:1"):
    headers = {"host": "127.0.0.1:1"}
    if origin:
        headers["origin"] = origin
    return app.handle("POST", target, urllib.parse.urlencode(form).encode(), headers)


def corrections(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM corrections ORDER BY correction_id")]
    conn.close()
    return rows


def test_list_shows_documents_and_filters(archive) -> None:
    db, ids = archive
    app = ReviewApp(db)
    status, body = get(app, "/")
    assert status == 200
    assert "46-KH/BTGTU" in body and "4211/VP-KGVX" in body
    _, body = get(app, "/?type=C%C3%B4ng+v%C4%83n")
    assert "4211/VP-KGVX" in body and "46-KH/BTGTU" not in body
    _, body = get(app, "/?year=2021")
    assert "46-KH/BTGTU" in body and "4211/VP-KGVX" not in body
    _, body = get(app, "/?issuer=" + urllib.parse.quote("Văn phòng UBND tỉnh An Giang"))
    assert "4211/VP-KGVX" in body and "46-KH/BTGTU" not in body


def test_search_ignores_diacritics_and_finds_codes(archive) -> None:
    db, _ = archive
    app = ReviewApp(db)
    _, body = get(app, "/?q=" + urllib.parse.quote("ke hoach trien khai"))
    assert "46-KH/BTGTU" in body and "4211/VP-KGVX" not in body
    _, body = get(app, "/?q=" + urllib.parse.quote("Chỉ thị 07-CT/TU"))
    assert "46-KH/BTGTU" in body and "4211/VP-KGVX" in body
    _, body = get(app, "/?q=4211")
    assert "4211/VP-KGVX" in body and "46-KH/BTGTU" not in body
    _, body = get(app, "/?q=" + urllib.parse.quote("khongcotu"))
    assert "doclink" not in body


def test_document_text_is_escaped(archive) -> None:
    db, ids = archive
    status, body = get(ReviewApp(db), f"/doc/{ids['plan']}")
    assert status == 200
    assert "<script>window.__xss" not in body
    assert body.count("<script") == 1  # only the page's own static script tag
    shown = re.search(r"<pre class=doctext id=doctext>(.*?)</pre>", body, re.S).group(1)
    assert "&lt;script&gt;" in shown
    conn = sqlite3.connect(db)
    text = conn.execute("SELECT text FROM documents WHERE doc_id = ?", (ids["plan"],)).fetchone()[0]
    assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == text  # every character shown, none as markup


def test_document_view_marks_fields_tokens_and_boxes(archive) -> None:
    db, ids = archive
    _, body = get(ReviewApp(db, low_conf=0.5), f"/doc/{ids['plan']}")
    assert "id='span-code'" in body and "id='span-subject'" in body
    assert "href='#span-code'" in body
    assert "class='tok low'" in body or "tok low" in body  # the 0.35-confidence token
    assert "chg" in body  # the restored token
    assert f"/page/{ids['plan']}/1.png" in body or "/page/1/1.png" in body
    assert "<rect class='box low'" in body


def test_text_only_document_has_no_image(archive) -> None:
    db, ids = archive
    _, body = get(ReviewApp(db), f"/doc/{ids['letter']}")
    assert "<img" not in body and "noimage" in body


def test_field_correction_is_stored_and_shown_machine_output_kept(archive) -> None:
    db, ids = archive
    app = ReviewApp(db, reviewer="lan")
    r = post(app, f"/doc/{ids['plan']}/correct", {"target": "field", "field": "issuer", "new_value": "Tỉnh ủy Kiên Giang"})
    assert r.status == 303 and r.headers["Location"].startswith(f"/doc/{ids['plan']}?saved=1")
    rows = corrections(db)
    assert len(rows) == 1
    c = rows[0]
    assert (c["target"], c["field"], c["new_value"]) == ("field", "issuer", "Tỉnh ủy Kiên Giang")
    assert c["old_value"] == "Ban Tuyên giáo Tỉnh ủy Kiên Giang" and c["reviewer"] == "lan"
    assert c["file_sha256"] == "a" * 64 and c["doc_id"] == ids["plan"] and c["created_at"]
    conn = sqlite3.connect(db)
    issuer, record = conn.execute("SELECT issuer, record_json FROM documents WHERE doc_id = ?", (ids["plan"],)).fetchone()
    assert issuer == "Ban Tuyên giáo Tỉnh ủy Kiên Giang"
    assert json.loads(record)["issuer"] == "Ban Tuyên giáo Tỉnh ủy Kiên Giang"
    _, body = get(app, f"/doc/{ids['plan']}?saved=1")
    assert "class='reviewed has' title='đã duyệt'>Tỉnh ủy Kiên Giang" in body
    _, listing = get(app, "/")
    assert "Tỉnh ủy Kiên Giang</td>" in listing


def test_list_field_corrections_are_stored_as_json(archive) -> None:
    db, ids = archive
    app = ReviewApp(db)
    r = post(app, f"/doc/{ids['letter']}/correct",
             {"target": "field", "field": "recipients", "new_value": "Sở Tài chính\r\nSở Nội vụ\r\n"})
    assert r.status == 303
    assert json.loads(corrections(db)[-1]["new_value"]) == ["Sở Tài chính", "Sở Nội vụ"]
    r = post(app, f"/doc/{ids['letter']}/correct", {"target": "field", "field": "tasks", "new_value": "[{oops"})
    assert r.status == 400 and len(corrections(db)) == 1


def test_token_correction_round_trip(archive) -> None:
    db, ids = archive
    app = ReviewApp(db)
    r = post(app, f"/doc/{ids['plan']}/correct", {"target": "token", "page": "1", "line": "4", "idx": "10",
                                                   "new_value": "Thường"})
    assert r.status == 303
    c = corrections(db)[-1]
    assert (c["target"], c["page"], c["line"], c["idx"], c["old_value"]) == ("token", 1, 4, 10, "Thường")
    _, body = get(app, f"/doc/{ids['plan']}")
    assert "fixed" in body and "<ins class=tokfix>Thường</ins>" in body
    bad = post(app, f"/doc/{ids['plan']}/correct", {"target": "token", "page": "9", "line": "0", "idx": "0",
                                                     "new_value": "x"})
    assert bad.status == 400


def test_rejects_bad_corrections(archive) -> None:
    db, ids = archive
    app = ReviewApp(db)
    assert post(app, f"/doc/{ids['plan']}/correct", {"target": "field", "field": "sha256", "new_value": "x"}).status == 400
    assert post(app, f"/doc/{ids['plan']}/correct", {"target": "nope"}).status == 400
    assert post(app, "/doc/9999/correct", {"target": "field", "field": "code", "new_value": "x"}).status == 404
    cross = post(app, f"/doc/{ids['plan']}/correct", {"target": "field", "field": "code", "new_value": "x"},
                 origin="http://evil.example")
    assert cross.status == 403
    assert corrections(db) == []


def test_page_image_is_rerasterised_when_the_file_exists(archive, monkeypatch) -> None:
    db, ids = archive
    from PIL import Image

    calls = []

    def fake_render(path: str, kind: str | None, page: int, dpi: int | None) -> bytes:
        calls.append((path, kind, page, dpi))
        import io

        buf = io.BytesIO()
        Image.open(path).save(buf, format="PNG")
        return buf.getvalue()

    monkeypatch.setattr(serve, "render_page_png", fake_render)
    app = ReviewApp(db)
    conn = sqlite3.connect(db)
    file_id = conn.execute("SELECT file_id FROM documents WHERE doc_id = ?", (ids["plan"],)).fetchone()[0]
    r = app.handle("GET", f"/page/{file_id}/1.png", b"", {})
    assert r.status == 200 and r.content_type == "image/png" and r.body.startswith(b"\x89PNG")
    app.handle("GET", f"/page/{file_id}/1.png", b"", {})
    assert len(calls) == 1  # cached
    assert app.handle("GET", f"/page/{file_id}/7.png", b"", {}).status == 404


def test_render_page_png_uses_the_ocr_engine_loader(tmp_path: Path) -> None:
    import cv2
    import numpy as np

    from tests.test_serve_helpers import write_page_image

    img = tmp_path / "p.png"
    write_page_image(img, size=(2000, 1000))
    data = serve.render_page_png(str(img), "image", 1, 300)
    assert data is not None and data.startswith(b"\x89PNG")
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert decoded.shape[1] == 1600 and decoded.shape[0] == 800  # scaled down, aspect kept
    assert serve.render_page_png(str(tmp_path / "missing.png"), "image", 1, 300) is None
    assert serve.render_page_png(str(img), "text", 1, 300) is None


def test_http_server_sends_security_headers(archive) -> None:
    db, ids = archive
    server = make_server(db, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/doc/{ids['plan']}") as resp:
            assert resp.status == 200
            assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
            assert "46-KH/BTGTU" in resp.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/review.js") as resp:
            assert resp.headers["Content-Type"].startswith("text/javascript") or "javascript" in resp.headers["Content-Type"]
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/../serve.py")
        assert err.value.code == 404
    finally:
        server.shutdown()
        server.server_close()


def test_main_refuses_a_missing_archive(tmp_path: Path, capsys) -> None:
    assert serve.main(["--db", str(tmp_path / "none.sqlite")]) == 5
    assert "no such archive" in capsys.readouterr().err
