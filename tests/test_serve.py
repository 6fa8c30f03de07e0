"""The review site without a browser (Starlette's TestClient): views, escaping, corrections, review
states, images, the CLI entry."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import urllib.parse
from pathlib import Path

import pytest

from sohoa.pipeline import serve
from sohoa.pipeline.review import images
from tests.test_serve_helpers import build_archive, client, post_form


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    db = tmp_path / "archive.sqlite"
    ids = build_archive(db, image_dir=tmp_path)
    return db, ids


def corrections(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM corrections ORDER BY correction_id")]
    conn.close()
    return rows


def test_list_shows_documents_and_filters(archive) -> None:
    db, ids = archive
    c = client(db)
    r = c.get("/")
    assert r.status_code == 200
    assert "46-KH/BTGTU" in r.text and "4211/VP-KGVX" in r.text
    body = c.get("/?type=C%C3%B4ng+v%C4%83n").text
    assert "4211/VP-KGVX" in body and "46-KH/BTGTU" not in body
    body = c.get("/?year=2021").text
    assert "46-KH/BTGTU" in body and "4211/VP-KGVX" not in body
    body = c.get("/?issuer=" + urllib.parse.quote("Văn phòng UBND tỉnh An Giang")).text
    assert "4211/VP-KGVX" in body and "46-KH/BTGTU" not in body


def test_search_ignores_diacritics_and_finds_codes(archive) -> None:
    db, _ = archive
    c = client(db)
    body = c.get("/?q=" + urllib.parse.quote("ke hoach trien khai")).text
    assert "46-KH/BTGTU" in body and "4211/VP-KGVX" not in body
    body = c.get("/?q=" + urllib.parse.quote("Chỉ thị 07-CT/TU")).text
    assert "46-KH/BTGTU" in body and "4211/VP-KGVX" in body
    body = c.get("/?q=4211").text
    assert "4211/VP-KGVX" in body and "46-KH/BTGTU" not in body
    assert "doclink" not in c.get("/?q=" + urllib.parse.quote("khongcotu")).text


def test_document_text_is_escaped(archive) -> None:
    db, ids = archive
    r = client(db).get(f"/doc/{ids['plan']}")
    assert r.status_code == 200
    body = r.text
    assert "<script>window.__xss" not in body
    assert body.count("<script") == 1  # only the page's own static script tag
    shown = re.search(r'<pre class="doctext" id="doctext">(.*?)</pre>', body, re.S).group(1)
    assert "&lt;script&gt;" in shown
    conn = sqlite3.connect(db)
    text = conn.execute("SELECT text FROM documents WHERE doc_id = ?", (ids["plan"],)).fetchone()[0]
    assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == text  # every character shown, none as markup


def test_field_values_are_escaped_everywhere(archive) -> None:
    db, ids = archive
    c = client(db)
    evil = "<img src=x onerror=alert(1)>\"'"
    assert post_form(c, f"/doc/{ids['plan']}/correct", {"target": "field", "field": "subject",
                                                        "new_value": evil}).status_code == 303
    for url in ("/", f"/doc/{ids['plan']}"):
        body = c.get(url).text
        assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


def test_document_view_marks_fields_tokens_and_boxes(archive) -> None:
    db, ids = archive
    body = client(db, low_conf=0.5).get(f"/doc/{ids['plan']}").text
    assert 'id="span-code"' in body and 'id="span-subject"' in body
    assert 'href="#span-code"' in body
    assert "tok low low-rst" in body  # the 0.35-confidence token
    assert "chg" in body  # the restored token
    assert "/page/1/1.png" in body
    assert '<rect class="box low low-rst"' in body
    assert "Phím tắt" in body and "<kbd>r</kbd>" in body  # shortcuts listed on the page


def test_text_only_document_has_no_image(archive) -> None:
    db, ids = archive
    body = client(db).get(f"/doc/{ids['letter']}").text
    assert "<img" not in body and "noimage" in body


def test_field_correction_is_stored_and_shown_machine_output_kept(archive) -> None:
    db, ids = archive
    c = client(db, reviewer="lan")
    r = post_form(c, f"/doc/{ids['plan']}/correct", {"target": "field", "field": "issuer",
                                                     "new_value": "Tỉnh ủy Kiên Giang", "reviewer": "mallory"})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/doc/{ids['plan']}?saved=1")
    rows = corrections(db)
    assert len(rows) == 1
    row = rows[0]
    assert (row["target"], row["field"], row["new_value"]) == ("field", "issuer", "Tỉnh ủy Kiên Giang")
    assert row["old_value"] == "Ban Tuyên giáo Tỉnh ủy Kiên Giang"
    assert row["reviewer"] == "lan"  # the server's reviewer, not the form's
    assert row["file_sha256"] == "a" * 64 and row["doc_id"] == ids["plan"] and row["created_at"]
    conn = sqlite3.connect(db)
    issuer, record = conn.execute("SELECT issuer, record_json FROM documents WHERE doc_id = ?", (ids["plan"],)).fetchone()
    assert issuer == "Ban Tuyên giáo Tỉnh ủy Kiên Giang"
    assert json.loads(record)["issuer"] == "Ban Tuyên giáo Tỉnh ủy Kiên Giang"
    body = c.get(f"/doc/{ids['plan']}?saved=1").text
    assert '<span class="reviewed has" title="đã duyệt">Tỉnh ủy Kiên Giang</span>' in body
    assert "<td>Tỉnh ủy Kiên Giang</td>" in c.get("/").text


def test_list_field_corrections_are_stored_as_json(archive) -> None:
    db, ids = archive
    c = client(db)
    r = post_form(c, f"/doc/{ids['letter']}/correct",
                  {"target": "field", "field": "recipients", "new_value": "Sở Tài chính\r\nSở Nội vụ\r\n"})
    assert r.status_code == 303
    assert json.loads(corrections(db)[-1]["new_value"]) == ["Sở Tài chính", "Sở Nội vụ"]
    r = post_form(c, f"/doc/{ids['letter']}/correct", {"target": "field", "field": "tasks", "new_value": "[{oops"})
    assert r.status_code == 400 and len(corrections(db)) == 1


def test_token_correction_round_trip(archive) -> None:
    db, ids = archive
    c = client(db)
    r = post_form(c, f"/doc/{ids['plan']}/correct", {"target": "token", "page": "1", "line": "4", "idx": "10",
                                                     "new_value": "Thường"})
    assert r.status_code == 303
    row = corrections(db)[-1]
    assert (row["target"], row["page"], row["line"], row["idx"], row["old_value"]) == ("token", 1, 4, 10, "Thường")
    body = c.get(f"/doc/{ids['plan']}").text
    assert "fixed" in body and '<ins class="tokfix">Thường</ins>' in body
    bad = post_form(c, f"/doc/{ids['plan']}/correct", {"target": "token", "page": "9", "line": "0", "idx": "0",
                                                       "new_value": "x"})
    assert bad.status_code == 400


def test_rejects_bad_corrections(archive) -> None:
    db, ids = archive
    c = client(db)
    assert post_form(c, f"/doc/{ids['plan']}/correct", {"target": "field", "field": "sha256",
                                                        "new_value": "x"}).status_code == 400
    assert post_form(c, f"/doc/{ids['plan']}/correct", {"target": "nope"}).status_code == 400
    assert post_form(c, "/doc/9999/correct", {"target": "field", "field": "code", "new_value": "x"}).status_code == 404
    cross = post_form(c, f"/doc/{ids['plan']}/correct", {"target": "field", "field": "code", "new_value": "x"},
                      origin="http://evil.example")
    assert cross.status_code == 403
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

    monkeypatch.setattr(images, "render_page_png", fake_render)
    c = client(db)
    conn = sqlite3.connect(db)
    file_id = conn.execute("SELECT file_id FROM documents WHERE doc_id = ?", (ids["plan"],)).fetchone()[0]
    r = c.get(f"/page/{file_id}/1.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content.startswith(b"\x89PNG")
    c.get(f"/page/{file_id}/1.png")
    assert len(calls) == 1  # cached
    assert c.get(f"/page/{file_id}/7.png").status_code == 404


def test_render_page_png_uses_the_ocr_engine_loader(tmp_path: Path) -> None:
    import cv2
    import numpy as np

    from tests.test_serve_helpers import write_page_image

    img = tmp_path / "p.png"
    write_page_image(img, size=(2000, 1000))
    data = images.render_page_png(str(img), "image", 1, 300)
    assert data is not None and data.startswith(b"\x89PNG")
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert decoded.shape[1] == 1600 and decoded.shape[0] == 800  # scaled down, aspect kept
    assert images.render_page_png(str(tmp_path / "missing.png"), "image", 1, 300) is None
    assert images.render_page_png(str(img), "text", 1, 300) is None
    crop = images.render_crop_png(str(img), "image", 1, 300, (60, 60, 500, 100), pad=10)
    decoded = cv2.imdecode(np.frombuffer(crop, np.uint8), cv2.IMREAD_UNCHANGED)
    assert decoded.shape[:2] == (60, 460)  # the box and its margin, at full resolution


def test_static_assets_are_served_and_traversal_refused(archive) -> None:
    db, _ = archive
    c = client(db)
    r = c.get("/static/review.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert c.get("/static/review.css").status_code == 200
    assert c.get("/static/../serve.py").status_code == 404
    assert c.get("/static/%2e%2e/serve.py").status_code == 404


def test_main_refuses_a_missing_archive(tmp_path: Path, capsys) -> None:
    assert serve.main(["--db", str(tmp_path / "none.sqlite")]) == 5
    assert "no such archive" in capsys.readouterr().err


def test_page_images_are_found_from_any_directory(archive, tmp_path: Path, monkeypatch) -> None:
    """files.path as the run was given it (relative); file_paths says where the run ran."""
    db, ids = archive
    conn = sqlite3.connect(db)
    file_id = conn.execute("SELECT file_id FROM documents WHERE doc_id = ?", (ids["plan"],)).fetchone()[0]
    conn.execute("UPDATE files SET path = 'plan.png' WHERE file_id = ?", (file_id,))
    conn.execute("INSERT INTO file_paths(file_id, abs_path, run_dir) VALUES (?, ?, ?)",
                 (file_id, "/moved/away/plan.png", str(tmp_path)))
    conn.commit()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    c = client(db)
    assert '<img src="/page/1/1.png"' in c.get(f"/doc/{ids['plan']}").text
    r = c.get(f"/page/{file_id}/1.png")
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
