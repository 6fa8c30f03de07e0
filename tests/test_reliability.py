"""Bounded resources: size and page limits, blank pages, the pixel limit both ways, restoration in
chunks; and the archive under faults: disk full (injected and on a real full tmpfs), stale runs."""

from __future__ import annotations

import sqlite3
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from sohoa.document import Document
from sohoa.errors import DatabaseError, ExitCode, ImageTooLargeError, TooLargeError
from sohoa.ocr.blank import is_blank_image
from sohoa.ocr.engine import ocr_page
from sohoa.ocr.inputs import open_input
from sohoa.pipeline.archive import Archive
from sohoa.pipeline.config import load_settings
from sohoa.pipeline.locks import Locks, run_lock
from sohoa.pipeline.run import run
from tests.test_run import DOC, counts, make_docs, settings


def _pdf(path: Path, pages: int, blank: set[int] = frozenset()) -> Path:
    import pikepdf

    pdf = pikepdf.new()
    for n in range(1, pages + 1):
        pdf.add_blank_page(page_size=(595, 842))
        if n not in blank:
            pdf.pages[-1].Contents = pdf.make_stream(b"0 0 0 rg 100 400 300 40 re f")
    pdf.save(path)
    return path


def _png_header_only(path: Path, width: int, height: int) -> Path:
    """A valid 1-bit PNG of width × height, all black: a few kB on disk, huge once decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


# -- limits -------------------------------------------------------------------------------------

def test_a_text_over_the_size_limit_fails_early_as_too_large_and_the_batch_goes_on(tmp_path):
    make_docs(tmp_path / "in", 2)
    big = tmp_path / "in" / "big.txt"
    big.write_text(DOC.format(prov="Sơn La", n=1) * 2000, encoding="utf-8")  # ~170 kB
    rep = run([str(tmp_path / "in")], db=str(tmp_path / "a.sqlite"),
              config=settings("ocr", "code_records", **{"limits.max_text_mb": 0.1}))
    by_name = {Path(f.path).name: f for f in rep.files}
    assert by_name["big.txt"].status == "failed" and by_name["big.txt"].error_kind == "too_large"
    assert "limits.max_text_mb" in by_name["big.txt"].error and "big.txt" in by_name["big.txt"].error
    assert rep.files_ok == 2 and rep.exit_code == ExitCode.some_files_failed


def test_the_page_cap_refuses_a_longer_pdf_when_it_is_opened(tmp_path):
    pdf = _pdf(tmp_path / "long.pdf", 5)
    with pytest.raises(TooLargeError, match="5 pages, over the cap of 4"):
        open_input(str(pdf), max_pages=4)
    assert open_input(str(pdf), max_pages=5).page_count == 5


def test_limits_are_checked_settings():
    from sohoa.pipeline.config import ConfigError

    assert load_settings().limits.max_pages >= 100
    with pytest.raises(ConfigError):
        load_settings(overrides={"limits.max_pages": 0})


# -- blank pages ----------------------------------------------------------------------------------

def test_pdf_pages_that_draw_nothing_become_blank_pages_without_tesseract(tmp_path):
    pdf = _pdf(tmp_path / "mixed.pdf", 4, blank={2, 3})
    jobs = open_input(str(pdf)).page_jobs()
    assert [j.blank for j in jobs] == [False, True, True, False]
    from sohoa.ocr.config import OcrConfig

    # a Tesseract that does not exist: a blank page must not need it
    page = ocr_page(jobs[1], OcrConfig(tesseract_cmd=str(tmp_path / "no-tesseract")))
    assert page.number == 2 and "blank" in page.flags and page.lines == []


def test_blank_image_test_tells_paper_and_specks_from_a_line_of_text():
    import cv2

    paper = np.full((3508, 2480), 235, np.uint8)
    rng = np.random.default_rng(0)
    ys, xs = rng.integers(0, 3508, 40), rng.integers(0, 2480, 40)
    paper[ys, xs] = 20  # dust
    assert is_blank_image(paper)
    assert is_blank_image(np.dstack([paper] * 3))
    text = paper.copy()
    cv2.putText(text, "So: 12/KH-UBND", (300, 500), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 5)
    assert not is_blank_image(text)


def test_a_rendered_blank_page_is_flagged_blank(tmp_path):
    from PIL import Image

    from sohoa.ocr.config import OcrConfig

    Image.new("L", (2480, 3508), 240).save(tmp_path / "white.png", dpi=(300, 300))
    job = open_input(str(tmp_path / "white.png")).page_jobs()[0]
    page = ocr_page(job, OcrConfig(tesseract_cmd=str(tmp_path / "no-tesseract")))
    assert "blank" in page.flags and page.width == 2480


# -- the pixel limit ---------------------------------------------------------------------------------

def test_max_pixels_raises_the_limit_past_the_image_librarys_own(tmp_path):
    png = _png_header_only(tmp_path / "huge.png", 15000, 13000)  # 195 Mpx: over PIL's 179 Mpx
    with pytest.raises(ImageTooLargeError):
        open_input(str(png), max_pixels=150_000_000)
    assert open_input(str(png), max_pixels=250_000_000).kind == "image"


def test_max_pixels_lowers_the_limit(tmp_path):
    png = _png_header_only(tmp_path / "small.png", 2000, 1000)
    assert open_input(str(png)).kind == "image"
    with pytest.raises(ImageTooLargeError, match="limit"):
        open_input(str(png), max_pixels=1_000_000)


# -- restoration in chunks --------------------------------------------------------------------------

def test_restoration_in_chunks_keeps_every_line_and_decodes_a_short_document_whole():
    from sohoa.normalize import restore_document

    text = "\n".join(f"Uy ban nhan dan tinh so {i} ve viec trien khai ke hoach" for i in range(300))
    small, whole = Document.from_text("a.txt", text), Document.from_text("b.txt", text)
    rep = restore_document(small, max_words=100)
    assert rep["chunks"] > 10 and rep["lines"] == 300
    assert all(ln.restored is not None for ln in small.pages[0].lines)
    assert restore_document(whole)["chunks"] == 1
    lines = whole.pages[0].lines
    assert lines[0].restored.startswith("Ủy ban nhân dân tỉnh")


# -- the archive under faults ------------------------------------------------------------------------

def test_disk_full_mid_run_names_the_archive_marks_the_run_failed_and_keeps_what_was_stored(tmp_path, monkeypatch):
    make_docs(tmp_path / "in", 6)
    db = tmp_path / "a.sqlite"
    calls = {"n": 0}
    real = Archive._insert_pages

    def fill_up(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Archive, "_insert_pages", fill_up)
    with pytest.raises(DatabaseError) as err:
        run([str(tmp_path / "in")], db=str(db), config=settings(jobs=1))
    assert str(db) in str(err.value) and "disk holding the archive is full" in str(err.value)
    assert err.value.exit_code == ExitCode.database
    con = sqlite3.connect(db)
    assert con.execute("SELECT status FROM runs").fetchall() == [("failed",)]
    assert con.execute("SELECT count(*) FROM files WHERE status = 'ok'").fetchone()[0] == 2
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert counts(db)["documents"] == 2  # no partial rows of the third file
    monkeypatch.setattr(Archive, "_insert_pages", real)
    rep = run([str(tmp_path / "in")], db=str(db), config=settings(jobs=1))
    assert rep.files_ok == 4 and rep.files_skipped == 2


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    try:
        return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                              capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.slow
def test_a_really_full_disk_ends_the_run_with_exit_5_and_the_stored_files_kept(tmp_path):
    mnt = tmp_path / "small"
    if not _mount_tmpfs(mnt, "600k"):
        pytest.skip("cannot mount a tmpfs here (not root, or no mount permission); the injected test covers it")
    try:
        make_docs(tmp_path / "in", 200)
        db = mnt / "a.sqlite"
        proc = subprocess.run([sys.executable, "-m", "sohoa.pipeline.cli", "run", str(tmp_path / "in"), "--db", str(db),
                               "-j", "1", "--no-restore"], capture_output=True, text=True, timeout=600)
        assert proc.returncode == ExitCode.database, proc.stderr
        assert str(db) in proc.stderr and "full" in proc.stderr and "Traceback" not in proc.stderr
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        stored = con.execute("SELECT count(*) FROM files WHERE status = 'ok'").fetchone()[0]
        assert 0 < stored < 200
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == stored
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)


def test_a_stale_running_run_is_marked_interrupted_by_the_next_run_and_a_live_one_is_not(tmp_path):
    make_docs(tmp_path / "in", 2)
    db = tmp_path / "a.sqlite"
    with Archive(db, create=True) as a:
        dead = a.start_run(["killed"])  # its process is gone: no lock held
        live = a.start_run(["alive"])
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from sohoa.pipeline.locks import Locks; "
         f"assert Locks(sys.argv[1]).acquire('{run_lock(live)}'); print('held', flush=True); time.sleep(60)", str(db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert Locks(str(db)).is_held_elsewhere(run_lock(live))
        run([str(tmp_path / "in")], db=str(db), config=settings())
    finally:
        holder.kill()
        holder.wait()
    con = sqlite3.connect(db)
    status = dict(con.execute("SELECT run_id, status FROM runs").fetchall())
    assert status[dead] == "interrupted" and status[live] == "running" and status[max(status)] == "done"
