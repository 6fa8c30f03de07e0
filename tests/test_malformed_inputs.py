"""Malformed input is a data error (corrupt, truncated, encrypted …) with remediation text, never
`internal` and never a traceback: truncations and byte flips of every bundled sample kind
(deterministic, a handful per kind), read the way a batch reads them — open, then decode each
page (no Tesseract: decoding is where a damaged file is interpreted)."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

import sohoa.ocr.inputs as inputs_mod
from sohoa.errors import CorruptFileError, ExitCode, SohoaError
from sohoa.ocr.engine import load_page
from sohoa.ocr.inputs import open_input
from sohoa.pipeline.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
KINDS = {
    "pdf": SAMPLES / "cv_sotttt_quangnam.pdf",
    "tiff": SAMPLES / "ct_tinhuy_nghean.tif",
    "png": SAMPLES / "kh_huyenuy_duclinh.png",
    "jpeg": SAMPLES / "qd_ubnd_thaibinh.jpg",
    "text": SAMPLES / "gold" / "tb_vp_ubnd_camlam.txt",
}
DATA_KINDS = {"empty_file", "unreadable", "corrupt", "encrypted_pdf", "unsupported", "image_too_large"}


def variants(data: bytes) -> dict[str, bytes]:
    n = len(data)
    out = {f"trunc{int(f * 100)}": data[: int(n * f)] for f in (0.01, 0.5, 0.9)}
    for pos in (0.002, 0.3, 0.7):
        b = bytearray(data)
        start = int(n * pos)
        for i in range(start, min(n, start + 24)):
            b[i] ^= 0xA5
        out[f"flip{int(pos * 1000)}"] = bytes(b)
    return out


CASES = [(kind, name) for kind, path in KINDS.items() for name in variants(path.read_bytes())]


def read_like_a_batch(path: str) -> None:
    inp = open_input(path, dpi=100)
    for job in inp.page_jobs():
        load_page(job)
    inp.text_pages()


@pytest.mark.parametrize("kind,name", CASES, ids=[f"{k}-{n}" for k, n in CASES])
def test_damaged_samples_are_data_errors(tmp_path, kind, name):
    src = KINDS[kind]
    path = tmp_path / f"{name}{src.suffix}"
    path.write_bytes(variants(src.read_bytes())[name])
    try:
        read_like_a_batch(str(path))
    except SohoaError as e:
        assert e.kind in DATA_KINDS, e.report()
        assert e.remedy and path.name in str(e)
    # reading it (a flip inside pixel data is just noise) is fine too; anything else fails the test


class _BrokenPdf:
    """A pikepdf.Pdf whose page tree is damaged the way a repaired half file can be."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @property
    def pages(self):
        raise AttributeError("'NoneType' object has no attribute 'get'")


def test_a_parser_crash_on_a_damaged_pdf_is_corrupt(tmp_path, monkeypatch):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buf = io.BytesIO()
    pdf.save(buf)
    path = tmp_path / "half.pdf"
    path.write_bytes(buf.getvalue())
    monkeypatch.setattr(pikepdf, "open", lambda *a, **k: _BrokenPdf())
    with pytest.raises(CorruptFileError, match="AttributeError") as e:
        open_input(str(path))
    assert "half.pdf" in str(e.value) and e.value.kind == "corrupt"


def test_a_decoder_crash_on_a_damaged_page_is_corrupt(tmp_path, monkeypatch):
    import sohoa.ocr.page_images as page_images

    def boom(*a, **k):
        raise TypeError("Missing dimensions")

    monkeypatch.setattr(page_images, "_read_image_frame", boom)
    job = inputs_mod.PageJob(str(KINDS["png"]), "image", 1)
    with pytest.raises(CorruptFileError, match="page 1 cannot be decoded"):
        load_page(job)


@pytest.mark.parametrize("command", ["ocr", "extract"])
def test_ocr_and_extract_on_a_truncated_pdf_exit_4_without_traceback(tmp_path, capsys, command):
    data = KINDS["pdf"].read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert main([command, str(path)]) == ExitCode.input_file
    err = capsys.readouterr().err
    assert "truncated.pdf" in err and "re-export or re-scan" in err and "Traceback" not in err


def test_an_unexpected_exception_is_internal_with_a_pointer_to_report_it(tmp_path, capsys, monkeypatch):
    import sohoa.pipeline.single as single

    def bug(*a, **k):
        raise KeyError("oops")

    monkeypatch.setattr(single, "load_document", bug)
    path = tmp_path / "a.txt"
    path.write_text("Số: 1-KH/TU\n", encoding="utf-8")
    code = main(["extract", str(path)])
    err = capsys.readouterr().err
    assert code == ExitCode.some_files_failed
    assert "internal error" in err and "please report" in err and "Traceback" not in err
