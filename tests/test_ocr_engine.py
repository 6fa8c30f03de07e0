"""ocr/engine.py and ocr/outputs.py on pages we render ourselves (ocr/synth.py), plus fault injection."""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from sohoa.errors import MissingDependencyError, OcrEngineError
from sohoa.ocr import engine
from sohoa.ocr.engine import OcrConfig, check_tesseract, ocr_image, ocr_page
from sohoa.ocr.inputs import PageJob, open_input
from sohoa.ocr.outputs import jobs_of, ocr_file, write_alto, write_hocr, write_searchable_pdf, write_text
from sohoa.ocr.synth import render_document, write_pdf

RECORD = {
    "doc_type": "Công văn",
    "number": "512",
    "symbol": "SNN-TL",
    "issuer": "Sở Nông nghiệp và Phát triển nông thôn tỉnh Nghệ An",
    "place": "Nghệ An",
    "date": "2023-09-14",
    "subject": "Chủ động phòng, chống lũ bão cuối năm",
    "recipients": ["Ủy ban nhân dân các huyện", "Như trên", "Lưu: VT, TL"],
    "signers": [{"authority": "KT. Giám đốc", "position": "Phó Giám đốc", "name": "Phan Đình Hùng"}],
    "layout": {"issuer_lines": ["UBND TỈNH NGHỆ AN", "SỞ NÔNG NGHIỆP VÀ PTNT"],
               "kinh_gui": ["Ủy ban nhân dân các huyện"]},
}
BODY = [
    "Trước diễn biến phức tạp của thời tiết, Sở Nông nghiệp và Phát triển nông thôn đề nghị "
    "các địa phương rà soát phương án bảo đảm an toàn hồ đập, hoàn thành trước ngày 30/9/2023.",
]


def cer(got: str, truth: str) -> float:
    a, b = " ".join(got.split()), " ".join(truth.split())
    return Levenshtein.distance(a, b) / max(1, len(b))


@pytest.fixture(scope="module")
def rendered():
    return render_document(RECORD, BODY, dpi=200, degrade="clean", stamp=True, seed=3)


@pytest.mark.slow
def test_rendered_page_reads_well_and_in_blocks(rendered):
    img = np.asarray(rendered.images[0].convert("RGB"))[:, :, ::-1]
    page = ocr_image(np.ascontiguousarray(img), OcrConfig(), dpi=200)
    kinds = [b.kind for b in page.blocks]
    assert kinds[:2] == ["header_left", "header_right"]
    assert "body" in kinds and "recipients" in kinds and "signature" in kinds
    left = " ".join(ln.text for ln in page.blocks[0].lines)
    assert "NGHỆ AN" in left and "CỘNG" not in left
    assert cer(page.text(restored=False), rendered.page_texts[0]) < 0.08
    assert page.mean_conf > 70 and "low_confidence" not in page.flags
    assert all(w.conf is not None and w.box is not None for ln in page.lines for w in ln.words)
    assert set(page.timings) >= {"tesseract", "layout", "deskew"}


@pytest.fixture(scope="module")
def small_pdf(tmp_path_factory, rendered):
    """Top third of the rendered page as a one-page image PDF (keeps the OCR test short)."""
    from PIL import Image

    im = rendered.images[0]
    crop = im.crop((0, 0, im.width, im.height // 3))
    path = tmp_path_factory.mktemp("pdf") / "crop.pdf"
    write_pdf([crop], path, dpi=200)
    crop_png = path.with_suffix(".png")
    crop.save(crop_png, dpi=(200, 200))
    assert isinstance(crop, Image.Image)
    return path, crop_png


@pytest.mark.slow
def test_ocr_file_pdf_and_searchable_outputs(small_pdf, tmp_path):
    path, _ = small_pdf
    doc = ocr_file(str(path), OcrConfig(dpi=200))
    assert doc.meta["kind"] == "pdf_image" and len(doc.pages) == 1
    text = doc.text(restored=False)
    assert "NGHỆ AN" in text and "512" in text
    out = tmp_path / "out.pdf"
    write_searchable_pdf(doc.pages, jobs_of(doc), out, OcrConfig(dpi=200))
    layer = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "NGHỆ" in layer and "CỘNG" in layer
    # the text sits on the word: pdftotext's box for a word matches the OCR box
    again = open_input(str(out), dpi=200)
    assert again.kind == "pdf_text"
    ocr_words = {w.text: w.box for ln in doc.pages[0].lines for w in ln.words}
    layer_words = {w.text: w.box for ln in again.text_pages()[0].lines for w in ln.words}
    common = [t for t in ocr_words if t in layer_words and len(t) > 3]
    assert common
    for t in common[:10]:
        a, b = ocr_words[t], layer_words[t]
        assert abs(a[0] - b[0]) < 15 and abs(a[2] - b[2]) < 25 and abs(a[3] - b[3]) < 15
    hocr, alto, txt = tmp_path / "p.hocr", tmp_path / "p.xml", tmp_path / "p.txt"
    write_hocr(doc.pages[0], hocr)
    write_alto(doc.pages[0], alto)
    write_text(doc, txt)
    n_words = sum(len(ln.words) for ln in doc.pages[0].lines)
    assert len([e for e in ET.parse(hocr).iter() if e.get("class") == "ocrx_word"]) == n_words
    assert len([e for e in ET.parse(alto).iter() if e.tag.endswith("String")]) == n_words
    assert txt.read_text(encoding="utf-8").strip() == text.strip()


@pytest.mark.slow
def test_image_input_makes_pdfa_with_jpeg_passthrough(small_pdf, tmp_path):
    import pikepdf
    from PIL import Image

    _, png = small_pdf
    jpg = tmp_path / "scan.jpg"
    Image.open(png).convert("RGB").save(jpg, quality=90, dpi=(200, 200))
    doc = ocr_file(str(jpg))
    out = tmp_path / "scan.pdf"
    write_searchable_pdf(doc.pages, jobs_of(doc), out)
    with pikepdf.open(out) as pdf:
        page0 = pdf.pages[0]
        images = list((page0.get_images() if hasattr(page0, "get_images") else page0.images).values())
        assert images[0].read_raw_bytes() == jpg.read_bytes()  # embedded as is
        assert "pdfaid" in str(pdf.open_metadata())
        assert float(pdf.pages[0].mediabox[2]) == pytest.approx(doc.pages[0].width * 72 / 200, rel=0.01)
    layer = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "NGHỆ" in layer


def _fake_tesseract(tmp_path, body: str) -> str:
    exe = tmp_path / "tesseract"
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return str(exe)


@pytest.mark.parametrize("body, says", [("echo 'Error: bad image' >&2; exit 1", "exit code 1"),
                                        ("kill -SEGV $$", "signal")])
def test_tesseract_crash_raises_ocr_engine_error(tmp_path, monkeypatch, small_pdf, body, says):
    _, png = small_pdf
    monkeypatch.setattr(engine, "TESSERACT_CMD", _fake_tesseract(tmp_path, body))
    with pytest.raises(OcrEngineError, match=says) as err:
        ocr_page(PageJob(str(png), "image", 1, 200), OcrConfig(orientation=False))
    assert "crop.png page 1" in str(err.value)


def test_missing_tesseract_or_language(monkeypatch, tmp_path):
    with pytest.raises(MissingDependencyError, match="xyz"):
        check_tesseract("vie+xyz")
    monkeypatch.setattr(engine, "TESSERACT_CMD", str(tmp_path / "no-such-tesseract"))
    with pytest.raises(MissingDependencyError) as err:
        check_tesseract()
    assert "apt-get install tesseract-ocr" in err.value.report()


def test_config_and_jobs_pickle():
    cfg = OcrConfig(binarize="sauvola", header_psm=6)
    assert pickle.loads(pickle.dumps(cfg)) == cfg
    assert pickle.loads(pickle.dumps(ocr_page)) is ocr_page


def test_worker_thread_limit_is_set(monkeypatch, tmp_path, small_pdf):
    _, png = small_pdf
    seen = tmp_path / "env.txt"
    monkeypatch.setattr(engine, "TESSERACT_CMD", _fake_tesseract(
        tmp_path, f'echo "$OMP_THREAD_LIMIT" > {seen}; printf "level\\tx\\n"'))
    page = ocr_page(PageJob(str(png), "image", 1, 200), OcrConfig(orientation=False))
    assert seen.read_text().strip() == "1"
    assert page.blocks == [] and "no_text" in page.flags
    assert os.environ.get("OMP_THREAD_LIMIT") == "1"


@pytest.mark.slow
@pytest.mark.parametrize("quarter_turns", [1, 2])
def test_sideways_and_upside_down_pages_are_turned_back(rendered, quarter_turns):
    im = rendered.images[0]
    top = np.asarray(im.convert("L").crop((0, 0, im.width, im.height // 2)))
    turned = np.ascontiguousarray(np.rot90(top, quarter_turns))
    page = ocr_image(turned, OcrConfig(), dpi=200)
    assert any(f.startswith("rotated_") for f in page.flags)
    assert "NGHỆ AN" in page.text(restored=False)
    # boxes are in the frame of the image as given (turned), inside it
    h, w = turned.shape
    assert all(0 <= wd.box[0] <= wd.box[2] <= w and 0 <= wd.box[1] <= wd.box[3] <= h
               for ln in page.lines for wd in ln.words)
