"""One image per page: numbered image files of one folder are one input (one stored file, one
document over its pages), switchable off; the grouping rules themselves."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from sohoa.pipeline.cli import main
from sohoa.pipeline.walk import InputPath, group_page_images

SCANS = Path(__file__).resolve().parent.parent.parent / "shared" / "ocr_eval" / "vietadmin_scans"


def _inputs(*names: str) -> list[InputPath]:
    return [InputPath(f"/in/{n}", Path(n)) for n in names]


def _shape(found: list[InputPath]) -> list[tuple[str, list[str]]]:
    return [(Path(f.path).name, [Path(m).name for m in f.members]) for f in found]


def test_numbered_pages_are_grouped_in_order():
    found = group_page_images(_inputs("4_2.jpg", "4_1.jpg", "notes.txt", "scan-00.png", "scan-01.png", "x.pdf"))
    assert _shape(found) == [("4_1.jpg", ["4_1.jpg", "4_2.jpg"]), ("notes.txt", []),
                             ("scan-00.png", ["scan-00.png", "scan-01.png"]), ("x.pdf", [])]
    assert found[0].path == "/in/4_1.jpg"  # the set is named after its first page


def test_a_long_numbered_run_is_a_batch_not_a_document():
    batch = [f"scan_{n:03d}.jpg" for n in range(1, 40)]
    assert all(not f.members for f in group_page_images(_inputs(*batch)))


def test_what_is_not_a_page_series_stays_alone():
    alone = ["a_1.jpg", "a_3.jpg",          # a gap
             "b_2.png", "b_3.png",          # does not start at 0 or 1
             "c_1.jpg", "c_2.png",          # different extensions
             "d_1.pdf", "d_2.pdf",          # PDFs have their own pages
             "e_1.jpg",                     # a single file
             "scan0.png", "scan1.png"]      # no separator before the number
    assert _shape(group_page_images(_inputs(*alone))) == [(n, []) for n in alone]
    other_folder = [InputPath("/in/x/f_1.jpg", Path("x/f_1.jpg")), InputPath("/in/y/f_2.jpg", Path("y/f_2.jpg"))]
    assert all(not f.members for f in group_page_images(other_folder))


@pytest.fixture()
def two_page_scan(tmp_path):
    if not (SCANS / "4_1.jpg").exists():
        pytest.skip("../shared/ocr_eval is not beside the checkout")
    folder = tmp_path / "in" / "cv1906"
    folder.mkdir(parents=True)
    for n in ("4_1.jpg", "4_2.jpg"):
        shutil.copy(SCANS / n, folder / n)
    return folder.parent


def _docs(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT f.path, f.pages, d.page_from, d.page_to, d.issuer FROM documents d "
                         "JOIN files f USING (file_id) ORDER BY f.path").fetchall()


def test_a_two_image_document_is_one_document(two_page_scan, tmp_path):
    db = tmp_path / "a.sqlite"
    assert main(["-q", "run", str(two_page_scan), "--db", str(db), "-j", "1"]) == 0
    docs = _docs(db)
    assert len(docs) == 1, docs
    path, pages, first, last, issuer = docs[0]
    assert path.endswith("4_1.jpg") and pages == 2 and (first, last) == (1, 2)
    assert issuer and "Giáo dục" in issuer
    with sqlite3.connect(db) as c:
        files = c.execute("SELECT json_extract(document_json, '$.meta.page_files') FROM files").fetchone()[0]
    assert [Path(p).name for p in json.loads(files)] == ["4_1.jpg", "4_2.jpg"]  # each page's own image
    # a second run finds the set stored; --no-group-pages reads each file alone
    assert main(["-q", "run", str(two_page_scan), "--db", str(db), "-j", "1"]) == 0
    assert len(_docs(db)) == 1
    db2 = tmp_path / "b.sqlite"
    assert main(["-q", "run", str(two_page_scan), "--db", str(db2), "-j", "1", "--no-group-pages"]) == 0
    with sqlite3.connect(db2) as c:
        files = c.execute("SELECT path, pages FROM files ORDER BY path").fetchall()
    assert [(Path(p).name, n) for p, n in files] == [("4_1.jpg", 1), ("4_2.jpg", 1)]


def test_eval_finds_the_page_set_a_gold_file_names(tmp_path):
    from sohoa.pipeline.evaluate import find_input, page_set_of

    for name in ("cv_pages_1.jpg", "cv_pages_2.jpg", "other.jpg"):
        (tmp_path / name).write_bytes(b"x")
    first = find_input("cv_pages", [tmp_path], set())
    assert first == tmp_path / "cv_pages_1.jpg"
    assert page_set_of(first) == [str(tmp_path / "cv_pages_1.jpg"), str(tmp_path / "cv_pages_2.jpg")]
    assert page_set_of(tmp_path / "other.jpg") is None
