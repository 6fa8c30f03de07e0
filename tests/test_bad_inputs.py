"""Bad files mixed with good ones: each fails alone with a clear message, the batch goes on.

Tests run as root, so chmod 000 cannot make a file unreadable here; an IO error is simulated two
ways instead: a dangling symlink (the target vanished, as on a disconnected share) and an `open`
that raises EIO for one path (monkeypatched into pipeline.run, where files are first read)."""

from __future__ import annotations

import errno
import io
import sqlite3
import struct
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

import sohoa.pipeline.run
from sohoa.errors import ExitCode
from sohoa.pipeline.config import load_settings
from sohoa.pipeline.run import run
from tests.test_run import DOC, make_docs
from tests.test_run_components import stages


def _pdf_bytes() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims a huge size (a decompression bomb's header), with a valid CRC."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)  # a few bytes of pixels: the file stays tiny
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def build_bad_folder(folder: Path) -> dict[str, str]:
    """Bad files in `folder`; returns file name → expected error_kind."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "truncated.pdf").write_bytes(_pdf_bytes()[:300])
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(folder / "encrypted.pdf", encryption=pikepdf.Encryption(user="secret", owner="secret"))
    (folder / "random.pdf").write_bytes(bytes((i * 7919 + 13) % 251 for i in range(5000)))
    with zipfile.ZipFile(folder / "archive.pdf", "w") as zf:
        zf.writestr("a.txt", "not a document")
    (folder / "bomb.png").write_bytes(_png_header_only(100_000, 100_000))
    Image.new("L", (1200, 1200), 255).save(folder / "large.png")  # over the lowered --max-pixels
    (folder / "gone.tif").symlink_to(folder / "no-such-target.tif")
    (folder / "eio.txt").write_text(DOC.format(prov="Sơn La", n=3), encoding="utf-8")
    return {
        "empty.pdf": "empty_file", "truncated.pdf": "corrupt", "encrypted.pdf": "encrypted_pdf",
        "random.pdf": "unsupported", "archive.pdf": "unsupported", "bomb.png": "image_too_large",
        "large.png": "image_too_large", "gone.tif": "unreadable", "eio.txt": "unreadable",
    }


@pytest.fixture
def eio_open(monkeypatch):
    real_open = open

    def fake_open(path, *args, **kwargs):
        if str(path).endswith("eio.txt"):
            raise OSError(errno.EIO, "Input/output error")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(sohoa.pipeline.run, "open", fake_open, raising=False)


def test_bad_inputs_fail_alone_with_clear_messages(tmp_path, eio_open):
    good = make_docs(tmp_path / "in", 3)
    expected = build_bad_folder(tmp_path / "in" / "bad")
    db = tmp_path / "a.sqlite"
    cfg = load_settings(overrides={"stages": stages("ocr", "code_records"), "jobs": 2,
                                   "ocr.max_pixels": 1_000_000})
    rep = run([str(tmp_path / "in")], db=str(db), config=cfg)

    assert rep.files_ok == len(good)
    assert rep.exit_code == ExitCode.some_files_failed
    failed = {Path(f.path).name: f for f in rep.files if f.status == "failed"}
    assert {name: f.error_kind for name, f in failed.items()} == expected
    for name, f in failed.items():
        assert name in f.error and len(f.error) > len(str(f.path)) + 10  # names the file and a cause
    assert "password" in failed["encrypted.pdf"].error or "encrypt" in failed["encrypted.pdf"].error
    assert "Mpx" in failed["large.png"].error or "pixel" in failed["large.png"].error

    con = sqlite3.connect(db)
    rows = dict(con.execute("SELECT path, error_kind FROM files WHERE status = 'failed'").fetchall())
    assert {Path(p).name: k for p, k in rows.items()} == expected
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == len(good)
    before = con.execute("SELECT count(*) FROM files").fetchone()[0]

    # Next run: the failures are tried again (and fail again), nothing is lost or duplicated.
    rep2 = run([str(tmp_path / "in")], db=str(db), config=cfg)
    assert rep2.files_skipped == len(good) and rep2.files_failed == len(expected)
    assert con.execute("SELECT count(*) FROM files").fetchone()[0] == before
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == len(good)


def test_unreadable_file_is_stored_without_hash_then_superseded(tmp_path, eio_open, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "eio.txt").write_text(DOC.format(prov="Sơn La", n=3), encoding="utf-8")
    db = tmp_path / "a.sqlite"
    cfg = load_settings(overrides={"stages": stages("ocr", "code_records"), "jobs": 1})
    for _ in range(2):
        rep = run([str(tmp_path / "in")], db=str(db), config=cfg)
        assert rep.files[0].error_kind == "unreadable" and "Input/output error" in rep.files[0].error
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), max(sha256) FROM files").fetchone() == (1, None)
    monkeypatch.delattr(sohoa.pipeline.run, "open")  # the disk is readable again
    assert run([str(tmp_path / "in")], db=str(db), config=cfg).files_ok == 1
    assert con.execute("SELECT status FROM files").fetchall() == [("ok",)]
