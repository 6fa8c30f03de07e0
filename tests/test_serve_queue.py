"""The review queue and the review loop without a browser: order by need, counts and filters,
engine-confidence highlights, the crop of a flagged field, marking reviewed, next / previous."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.test_serve_helpers import NUMBER_BOX, add_flagged_scan, build_archive, client, post_form


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    db = tmp_path / "archive.sqlite"
    ids = build_archive(db, image_dir=tmp_path)
    ids["scan"] = add_flagged_scan(db, tmp_path)
    return db, ids


def queue_ids(body: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-doc="(\d+)"', body)]


def test_queue_puts_the_neediest_document_first_with_its_reasons(archive) -> None:
    db, ids = archive
    body = client(db).get("/").text
    order = queue_ids(body)
    assert order[0] == ids["scan"] and set(order) == {ids["plan"], ids["letter"], ids["scan"]}
    first_row = body[body.index(f'<tr data-doc="{ids["scan"]}"'):]
    first_row = first_row[:first_row.index("</tr>")]
    assert "cần kiểm tra: number" in first_row  # the extractor's flag
    assert "thiếu: code, date" in first_row  # required by a công văn, empty
    assert "1/23 từ không chắc" in first_row  # COVID-I9, by the engine's confidence
    assert "độ tin cậy thấp: subject, symbol" in first_row  # field confidences below 0.6
    assert re.search(r'data-status="to_review">Cần duyệt <span class="n">3</span>', body)


def test_queue_filters_by_status_type_issuer_year(archive) -> None:
    db, ids = archive
    c = client(db)
    assert queue_ids(c.get("/?type=C%C3%B4ng+v%C4%83n").text) == [ids["scan"], ids["letter"]]
    assert queue_ids(c.get("/?year=2021").text) == [ids["plan"]]
    assert queue_ids(c.get("/?issuer=UBND+t%E1%BB%89nh+C%C3%A0+Mau").text) == [ids["scan"]]
    assert queue_ids(c.get("/?code=kh%2Fbtg").text) == [ids["plan"]]  # part of the code, any case
    assert queue_ids(c.get("/?code=4211%2F+VP").text) == [ids["letter"]]  # spaces ignored
    assert post_form(c, f"/doc/{ids['scan']}/review", {"set_status": "reviewed"}).status_code == 303
    assert ids["scan"] not in queue_ids(c.get("/").text)
    reviewed = c.get("/?status=reviewed").text
    assert queue_ids(reviewed) == [ids["scan"]] and 'data-status="reviewed">Đã duyệt <span class="n">1</span>' in reviewed
    assert len(queue_ids(c.get("/?status=all").text)) == 3


def test_engine_confidence_is_highlighted_in_text_and_boxes(archive) -> None:
    db, ids = archive
    body = client(db).get(f"/doc/{ids['scan']}").text
    low = re.findall(r'<span class="[^"]*\blow-eng\b[^"]*"[^>]* data-tok="[\d,]+" data-word="([^"]+)" title="([^"]+)"', body)
    assert low == [("COVID-I9", "OCR: COVID-I9 · restorer 0.99 · engine 0.02")]
    assert body.count('<rect class="box low low-eng"') == 1
    assert "1 máy đọc không chắc" in body and "0 khôi phục không chắc" in body


def test_a_flagged_field_shows_the_crop_of_its_box(archive) -> None:
    db, ids = archive
    c = client(db)
    body = c.get(f"/doc/{ids['scan']}").text
    row = body[body.index('id="field-number"'):]
    row = row[:row.index("</tr>")]
    crop = re.search(r'<img class="crop" src="([^"]+)"', row).group(1)
    assert crop == "/page/3/1.png?box=" + ",".join(str(v) for v in NUMBER_BOX)
    assert 'data-flagged="1"' in row and "unreadable" in row
    r = c.get(crop)
    assert r.status_code == 200
    img = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_UNCHANGED)
    x0, y0, x1, y1 = NUMBER_BOX
    assert img.shape[:2] == (y1 - y0 + 48, x1 - x0 + 48)  # the box and a 24 px margin
    assert '<img class="crop"' not in body[body.index('id="field-issuer"'):body.index('id="field-place"')]


def test_mark_reviewed_records_who_and_when_then_opens_the_next(archive) -> None:
    db, ids = archive
    c = client(db, reviewer="lan")
    body = c.get(f"/doc/{ids['scan']}").text
    nxt = re.search(r'data-next="/doc/(\d+)"', body).group(1)
    r = post_form(c, f"/doc/{ids['scan']}/review", {"set_status": "reviewed", "reviewer": "mallory"})
    assert r.status_code == 303 and r.headers["location"] == f"/doc/{nxt}"
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT doc_id, file_sha256, seq, status, reviewer, created_at FROM reviews").fetchone()
    assert row[:5] == (ids["scan"], "c" * 64, 0, "reviewed", "lan") and row[5]
    page = c.get(f"/doc/{ids['scan']}").text
    assert "đã duyệt bởi lan" in page and "Mở lại để duyệt" in page
    assert post_form(c, f"/doc/{ids['scan']}/review", {"set_status": "to_review"}).headers["location"] == f"/doc/{ids['scan']}"
    assert post_form(c, f"/doc/{ids['scan']}/review", {"set_status": "bogus"}).status_code == 400


def test_next_and_previous_follow_the_filtered_queue(archive) -> None:
    db, ids = archive
    c = client(db)
    order = queue_ids(c.get("/?type=C%C3%B4ng+v%C4%83n").text)
    body = c.get(f"/doc/{order[0]}?type=C%C3%B4ng+v%C4%83n").text
    assert f'data-next="/doc/{order[1]}?type=C%C3%B4ng+v%C4%83n"' in body and 'data-prev=""' in body
    assert '<span class="pos">1 / 2</span>' in body
    body = c.get(f"/doc/{order[1]}?type=C%C3%B4ng+v%C4%83n").text
    assert f'data-prev="/doc/{order[0]}?type=C%C3%B4ng+v%C4%83n"' in body and 'data-next=""' in body
