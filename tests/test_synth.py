"""ocr/synth.py: deterministic A4 renders, measured skew, truthful text and boxes, readable by Tesseract."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sohoa.errors import MissingDependencyError
from sohoa.ocr.synth import (
    date_line,
    find_fonts,
    render_document,
    squeeze,
    write_page_texts,
    write_pdf,
    write_tiff,
)

STATE = {
    "doc_type": "Công văn",
    "number": "4211",
    "symbol": "VP-KGVX",
    "issuer": "Văn phòng UBND tỉnh Kiên Giang",
    "place": "Kiên Giang",
    "date": "2021-06-08",
    "subject": "Triển khai thực hiện Chỉ thị số 07-CT/TU của Ban Thường vụ Tỉnh ủy",
    "recipients": ["Sở Thông tin và Truyền thông", "Công an tỉnh", "Như trên", "Lưu: VT, KGVX"],
    "signers": [{"authority": "TL. Chủ tịch", "position": "Chánh Văn phòng", "name": "Trần Thị Thủy"}],
    "layout": {"issuer_lines": ["UBND TỈNH KIÊN GIANG", "VĂN PHÒNG"],
               "kinh_gui": ["Sở Thông tin và Truyền thông", "Công an tỉnh"]},
}
PARTY = {
    "doc_type": "Kế hoạch",
    "number": "46",
    "symbol": "KH/BTGTU",
    "issuer": "Ban Tuyên giáo Tỉnh ủy Bình Phước",
    "place": "Bình Phước",
    "date": "2022-02-15",
    "subject": "Tuyên truyền kỷ niệm 92 năm Ngày thành lập Đảng Cộng sản Việt Nam",
    "recipients": ["Thường trực Tỉnh ủy", "Lưu Văn phòng"],
    "signers": [{"authority": "K/T Trưởng ban", "position": "Phó Trưởng ban", "name": "Lê Văn Hưởng"}],
    "layout": {"issuer_lines": ["TỈNH ỦY BÌNH PHƯỚC", "BAN TUYÊN GIÁO"]},
}
BODY = [
    "Thực hiện Chỉ thị số 07-CT/TU ngày 04-6-2021 của Ban Thường vụ Tỉnh ủy về đẩy mạnh công tác "
    "tuyên truyền, giáo dục nền tảng tư tưởng của Đảng, đề nghị các cơ quan, đơn vị thực hiện như sau:",
    "# 1. Nhiệm vụ trọng tâm",
    "Giao Sở Thông tin và Truyền thông chủ trì, phối hợp với Công an tỉnh tăng cường quản lý thông tin "
    "trên không gian mạng, hoàn thành trong tháng 8/2021./.",
]


def _render(record=STATE, style="state", **kw):
    kw.setdefault("dpi", 100)
    kw.setdefault("degrade", "clean")
    return render_document(record, BODY, style=style, **kw)


def _ink(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L")) < 128


def test_render_is_deterministic_for_a_seed():
    a = _render(degrade="heavy", seed=7)
    b = _render(degrade="heavy", seed=7)
    c = _render(degrade="heavy", seed=8)
    assert len(a) == len(b)
    for ia, ib in zip(a, b, strict=True):
        assert ia.tobytes() == ib.tobytes()
    assert a.page_texts == b.page_texts
    assert a.images[0].tobytes() != c.images[0].tobytes()


@pytest.mark.parametrize("dpi", [100, 200])
def test_pages_are_a4_at_the_requested_dpi(dpi):
    doc = _render(dpi=dpi, degrade="light")
    w, h = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    for img in doc:
        assert img.size == (w, h)
        assert img.mode == "RGB"
    assert doc.truth.pages[0].dpi == dpi


def _estimate_skew(img: Image.Image) -> float:
    """Projection-profile deskew: the angle whose undoing makes text rows sharpest."""
    ink = Image.fromarray((_ink(img) * 255).astype(np.uint8))
    best, best_score = 0.0, -1.0
    for a in np.arange(-4.0, 4.01, 0.1):
        rows = np.asarray(ink.rotate(-a, resample=Image.Resampling.NEAREST)).sum(axis=1, dtype=np.float64)
        score = float(np.var(rows))
        if score > best_score:
            best, best_score = float(a), score
    return best


@pytest.mark.parametrize("angle", [2.0, -1.5])
def test_skew_is_applied_as_requested(angle):
    doc = _render(skew_deg=angle, stamp=False)
    assert doc.skew_deg[0] == angle
    assert abs(_estimate_skew(doc.images[0]) - angle) <= 0.25
    assert abs(_estimate_skew(_render(skew_deg=0.0, stamp=False).images[0])) <= 0.15


def test_truth_boxes_sit_on_ink_after_skew():
    doc = _render(dpi=150, skew_deg=2.5, stamp=False)
    ink = _ink(doc.images[0])
    words = [w for ln in doc.truth.pages[0].lines for w in ln.words if w.box and len(w.text) >= 4]
    assert len(words) > 30
    hits = sum(ink[w.box[1]:w.box[3], w.box[0]:w.box[2]].mean() > 0.05 for w in words)
    assert hits / len(words) > 0.95
    blank = sum(ink[w.box[1] + 400:w.box[3] + 400, w.box[0]:w.box[2]].mean() > 0.05 for w in words
                if w.box[3] + 400 < ink.shape[0])
    assert blank < hits  # boxes shifted off the text find much less ink


def test_gold_text_holds_the_state_header():
    text = _render().page_texts[0]
    for s in ["UBND TỈNH KIÊN GIANG", "VĂN PHÒNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
              "Độc lập - Tự do - Hạnh phúc", "Số: 4211/VP-KGVX", "Kiên Giang, ngày 08 tháng 6 năm 2021",
              "Kính gửi:", "- Công an tỉnh.", "Nơi nhận:", "- Lưu: VT, KGVX.", "TL. CHỦ TỊCH",
              "CHÁNH VĂN PHÒNG", "Trần Thị Thủy"]:
        assert s in text, s
    assert "V/v triển khai thực hiện" in squeeze(text)
    # reading order: left header column, then the national header, then the body
    assert text.index("VĂN PHÒNG") < text.index("Số: 4211") < text.index("CỘNG HÒA") < text.index("Thực hiện")


def test_gold_text_holds_the_party_header_and_the_body():
    doc = _render(PARTY, "party")
    text = doc.text
    for s in ["TỈNH ỦY BÌNH PHƯỚC", "BAN TUYÊN GIÁO", "*", "ĐẢNG CỘNG SẢN VIỆT NAM", "Số 46-KH/BTGTU",
              "Bình Phước, ngày 15 tháng 02 năm 2022", "KẾ HOẠCH", "K/T TRƯỞNG BAN", "Lê Văn Hưởng"]:
        assert s in text, s
    assert "CỘNG HÒA" not in text
    body = squeeze(" ".join(b.lstrip("# ") for b in BODY))
    assert body in squeeze(text)
    assert doc.truth.text(restored=False) == text


def test_long_body_flows_onto_numbered_pages():
    body = [BODY[0]] * 40
    doc = render_document(PARTY, body, style="party", dpi=72, degrade="clean")
    assert len(doc) >= 3
    assert doc.page_texts[1].split("\n")[0] == "2"
    body_lines = [ln.text for p in doc.truth.pages for b in p.blocks if b.kind == "body" for ln in b.lines]
    assert squeeze(" ".join([BODY[0]] * 40)) == squeeze(" ".join(body_lines))
    assert "Lê Văn Hưởng" in doc.page_texts[-1] and "Lê Văn Hưởng" not in doc.page_texts[0]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_tesseract_reads_the_number_line_of_a_clean_render():
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    if "vie" not in langs:
        pytest.skip("tesseract has no 'vie' language data")
    doc = _render(dpi=300)
    line = next(ln for ln in doc.truth.pages[0].lines if ln.text.startswith("Số:"))
    x0, y0, x1, y1 = line.box
    crop = doc.images[0].crop((x0 - 20, y0 - 20, x1 + 20, y1 + 20)).convert("L")
    out = subprocess.run(["tesseract", "stdin", "stdout", "-l", "vie", "--psm", "7"],
                         input=_png(crop), capture_output=True, check=True).stdout.decode()
    assert "4211/VP-KGVX" in out.replace(" ", "")


def _png(img: Image.Image) -> bytes:
    import io

    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_pdf_and_tiff_writers_round_trip(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    doc = render_document(PARTY, [BODY[0]] * 30, style="party", dpi=72, degrade="light")
    assert len(doc) >= 2
    pdf = write_pdf(doc.images, tmp_path / "x.pdf", dpi=72)
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) == len(doc)
    assert not reader.pages[0].extract_text().strip()  # image only
    assert abs(float(reader.pages[0].mediabox.width) - 595.3) < 2  # A4 in points
    tif = write_tiff(doc.images, tmp_path / "x.tif", dpi=72)
    with Image.open(tif) as im:
        assert im.n_frames == len(doc)
    txt = write_page_texts(doc.page_texts, tmp_path / "x.txt")
    assert txt.read_text(encoding="utf-8").rstrip("\n").split("\f") == doc.page_texts


def test_date_line_pads_like_the_decree():
    assert date_line("Kiên Giang", "2021-06-08") == "Kiên Giang, ngày 08 tháng 6 năm 2021"
    assert date_line("Hà Nội", "2024-02-20") == "Hà Nội, ngày 20 tháng 02 năm 2024"
    assert date_line("Huế", "2023-12-31") == "Huế, ngày 31 tháng 12 năm 2023"


def test_missing_font_fails_clearly():
    with pytest.raises(MissingDependencyError) as err:
        find_fonts("No Such Serif Family")
    assert "apt-get install" in err.value.report()


def test_bad_style_is_rejected():
    with pytest.raises(ValueError):
        render_document(STATE, BODY, style="royal")  # type: ignore[arg-type]


SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
SCHEMA_FIELDS = {"doc_type", "number", "symbol", "code", "issuer", "place", "date", "subject", "recipients",
                 "signers", "references", "tasks", "deadlines", "source"}


def _page_count(path: Path) -> int:
    if path.suffix == ".pdf":
        import pypdf

        return len(pypdf.PdfReader(str(path)).pages)
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


@pytest.mark.skipif(not (SAMPLES / "src").is_dir(), reason="no bundled samples (run scripts/make_samples.py)")
def test_bundled_samples_match_their_gold():
    sources = sorted((SAMPLES / "src").glob("*.json"))
    assert 6 <= len(sources) <= 8
    total = 0
    styles = set()
    for src in sources:
        spec = json.loads(src.read_text(encoding="utf-8"))
        path = SAMPLES / spec["file"]
        assert path.is_file(), f"{path.name} missing: run scripts/make_samples.py"
        total += path.stat().st_size
        gold = json.loads((SAMPLES / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
        pages = (SAMPLES / "gold" / f"{path.stem}.txt").read_text(encoding="utf-8").rstrip("\n").split("\f")
        assert len(pages) == _page_count(path)
        assert len(gold) == len(spec["documents"])
        for rec, doc in zip(gold, spec["documents"], strict=True):
            styles.add(doc["style"])
            assert set(rec) == SCHEMA_FIELDS and "layout" not in rec
            first, last = rec["source"]["pages"]
            text = "\n".join(pages[first - 1:last])
            assert rec["signers"][0]["name"] in text
            for ref in rec["references"]:
                assert ref["code"] in text
        with Image.open(path) if path.suffix != ".pdf" else _null() as im:
            if im is not None:
                assert 199 <= round(im.info["dpi"][0]) <= 300
    assert styles == {"state", "party"}
    assert total <= 8_000_000


def _null():
    import contextlib

    return contextlib.nullcontext(None)
