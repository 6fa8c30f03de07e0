"""ocr/pdfimage.py: a scanned page's own image is used when that is all the page shows."""

from __future__ import annotations

import numpy as np
import pikepdf
from PIL import Image

from sohoa.ocr.engine import OcrConfig, load_page
from sohoa.ocr.inputs import PageJob
from sohoa.ocr.pdfimage import native_page_image


def _scan_pdf(tmp_path, dpi=200, mode="RGB"):
    arr = np.full((int(11.69 * dpi), int(8.27 * dpi), 3), 250, np.uint8)
    arr[100:140, 100:700] = (20, 20, 20)
    im = Image.fromarray(arr).convert(mode)
    path = tmp_path / f"scan_{mode}.pdf"
    im.save(path, "PDF", resolution=float(dpi))
    return path, arr


def test_full_page_jpeg_taken_as_is(tmp_path):
    path, arr = _scan_pdf(tmp_path)
    img, dpi = native_page_image(str(path), 1)
    assert img.shape[:2] == arr.shape[:2]
    assert abs(dpi - 200) < 1
    assert img[120, 400].max() < 60 and img[500, 500].min() > 200


def test_bilevel_page_decoded(tmp_path):
    path, arr = _scan_pdf(tmp_path, mode="1")
    img, _ = native_page_image(str(path), 1)
    assert img.ndim == 2 and img[120, 400] == 0 and img[500, 500] == 255


def test_visible_text_or_rotation_falls_back_to_rendering(tmp_path):
    path, _ = _scan_pdf(tmp_path)
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(b"BT /F1 12 Tf 10 10 Td (SAO Y) Tj ET"), prepend=False)
        pdf.save(tmp_path / "text.pdf")
        page.obj.Rotate = 90
        pdf.save(tmp_path / "rot.pdf")
    assert native_page_image(str(tmp_path / "text.pdf"), 1) is None
    assert native_page_image(str(tmp_path / "rot.pdf"), 1) is None
    img, dpi = load_page(PageJob(str(tmp_path / "rot.pdf"), "pdf_image", 1, 100), OcrConfig(dpi=100))
    assert dpi == 100 and img.shape[1] > img.shape[0]  # rasterised by poppler, turned
