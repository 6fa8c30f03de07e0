"""ocr/inputs.py: kind detection by content, and one clear error per broken input."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pikepdf
import pytest
from PIL import Image

from sohoa.document import Block, Line, Page, Word
from sohoa.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    ImageTooLargeError,
    MissingDependencyError,
    UnreadableFileError,
    UnsupportedFileError,
)
from sohoa.ocr import inputs
from sohoa.ocr.inputs import PageJob, open_input

GOOD_VI = "Ủy ban nhân dân tỉnh Quảng Trị yêu cầu các sở, ban, ngành khẩn trương triển khai thực hiện"
GARBLED = "CONG Hcok xA HQI CHiJ NGHiA VIVT NAM Dc 1p Ty do Hph phtic SO GIAO DVC vA DA TAO Throng phong"


def _png(path, size=(64, 48)):
    Image.fromarray(np.full((size[1], size[0]), 255, np.uint8)).save(path, format="PNG")
    return path


def _pdf_with_layer(tmp_path, text: str, name: str):
    """An image PDF whose invisible text layer says `text` (written by our own PDF writer)."""
    from sohoa.ocr.outputs import write_searchable_pdf

    img = _png(tmp_path / f"{name}.png", (1240, 1754))
    lines, x, y = [Line()], 100, 200
    for w in text.split():
        if x + 20 * len(w) > 1150:
            lines.append(Line())
            x, y = 100, y + 60
        lines[-1].words.append(Word(w, (x, y, x + 20 * len(w), y + 40), 90.0))
        x += 20 * len(w) + 15
    page = Page(1, [Block(lines)], 1240, 1754, 150, source="ocr")
    out = tmp_path / f"{name}.pdf"
    write_searchable_pdf([page], [PageJob(str(img), "image", 1, 150)], out)
    return out


def test_empty_file(tmp_path):
    f = tmp_path / "empty.pdf"
    f.write_bytes(b"")
    with pytest.raises(EmptyFileError, match="empty.pdf"):
        open_input(str(f))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(UnreadableFileError, match="no such file"):
        open_input(str(tmp_path / "nope.pdf"))
    with pytest.raises(UnreadableFileError, match="directory"):
        open_input(str(tmp_path))


def test_permission_denied(tmp_path, monkeypatch):
    f = tmp_path / "secret.txt"
    f.write_text("xin chào")
    real_open = open

    def denying_open(path, *args, **kwargs):  # tests run as root, where chmod 000 denies nothing
        if str(path) == str(f):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", denying_open)
    with pytest.raises(UnreadableFileError, match="permission"):
        open_input(str(f))


@pytest.mark.parametrize(
    "data, what",
    [(b"PK\x03\x04" + b"\x00" * 40, "ZIP"), (b"MZ\x90\x00" + b"\x00" * 60, "executable"),
     (bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8)), "binary")],
)
def test_unsupported(tmp_path, data, what):
    f = tmp_path / "thing.pdf"  # the extension lies: detection is by content
    f.write_bytes(data)
    with pytest.raises(UnsupportedFileError, match=what):
        open_input(str(f))


def test_text_encodings(tmp_path):
    text = "Kính gửi: Sở Giáo dục và Đào tạo\fTrang hai"
    for enc, raw in [("utf8", text.encode("utf-8")), ("utf16", text.encode("utf-16")),
                     ("cp1258", "Tư pháp Đà".encode("cp1258"))]:
        f = tmp_path / f"{enc}.dat"
        f.write_bytes(raw)
        inp = open_input(str(f))
        assert inp.kind == "text" and inp.page_jobs() == []
        got = "\f".join(p.text() for p in inp.text_pages())
        assert got == ("Tư pháp Đà" if enc == "cp1258" else text)
    assert open_input(str(tmp_path / "utf8.dat")).page_count == 2


def test_png_jpeg_tiff(tmp_path):
    png = open_input(str(_png(tmp_path / "a.bin")))
    assert png.kind == "image" and png.page_count == 1
    frames = [Image.new("L", (40, 30), 255) for _ in range(3)]
    frames[0].save(tmp_path / "m.tif", save_all=True, append_images=frames[1:])
    tif = open_input(str(tmp_path / "m.tif"))
    assert tif.page_count == 3 and [j.page_number for j in tif.page_jobs()] == [1, 2, 3]
    Image.new("RGB", (40, 30), "white").save(tmp_path / "x.jpg")
    assert open_input(str(tmp_path / "x.jpg")).kind == "image"


def test_truncated_jpeg_and_png(tmp_path):
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8)).save(
        tmp_path / "full.jpg")
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match="cut.jpg"):
        open_input(str(tmp_path / "cut.jpg"))
    png = _png(tmp_path / "p.png", (300, 300)).read_bytes()
    (tmp_path / "bad.png").write_bytes(png[:30] + b"\x00" * 20 + png[50:])
    with pytest.raises(CorruptFileError):
        open_input(str(tmp_path / "bad.png"))


def _png_header_only(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def test_decompression_bomb_checked_from_header(tmp_path):
    f = tmp_path / "bomb.png"
    f.write_bytes(_png_header_only(60_000, 60_000))  # 3.6 Gpx declared, 60 bytes on disk
    with pytest.raises(ImageTooLargeError, match="bomb.png"):
        open_input(str(f))
    small = tmp_path / "ok.png"
    _png(small, (100, 100))
    with pytest.raises(ImageTooLargeError):
        open_input(str(small), max_pixels=5_000)


def test_corrupt_and_truncated_pdf(tmp_path):
    f = tmp_path / "junk.pdf"
    f.write_bytes(b"%PDF-1.7\n" + b"this is not a pdf body\n" * 20)
    with pytest.raises(CorruptFileError, match="junk.pdf"):
        open_input(str(f))
    good = _pdf_with_layer(tmp_path, GOOD_VI, "good").read_bytes()
    (tmp_path / "cut.pdf").write_bytes(good[: len(good) // 3])
    with pytest.raises(CorruptFileError):
        open_input(str(tmp_path / "cut.pdf"))


def test_encrypted_pdf(tmp_path):
    src = _pdf_with_layer(tmp_path, GOOD_VI, "plain")
    with pikepdf.open(src) as pdf:
        pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(user="secret", owner="owner"))
    with pytest.raises(EncryptedPdfError, match="password"):
        open_input(str(tmp_path / "locked.pdf"))


def test_pdf_text_layer_judged_by_quality(tmp_path):
    good = open_input(str(_pdf_with_layer(tmp_path, GOOD_VI, "good")), dpi=150)
    assert good.kind == "pdf_text" and good.page_jobs() == []
    pages = good.text_pages()
    assert pages[0].text(restored=False).split() == GOOD_VI.split()
    assert all(w.box is not None for ln in pages[0].lines for w in ln.words)
    assert good.text_quality > 0.9
    forced = open_input(str(tmp_path / "good.pdf"), force_ocr=True)
    assert [j.page_number for j in forced.page_jobs()] == [1]
    bad = open_input(str(_pdf_with_layer(tmp_path, GARBLED, "bad")))
    assert bad.kind == "pdf_image" and len(bad.page_jobs()) == 1 and bad.text_pages() == []


def test_pdf_without_poppler(tmp_path, monkeypatch):
    pdf = _pdf_with_layer(tmp_path, GOOD_VI, "p")
    monkeypatch.setattr(inputs.shutil, "which", lambda name: None)
    with pytest.raises(MissingDependencyError) as err:
        open_input(str(pdf))
    assert "poppler" in err.value.report()


def test_page_job_is_picklable():
    import pickle

    job = PageJob("/x.pdf", "pdf_image", 3, 300)
    assert pickle.loads(pickle.dumps(job)) == job
