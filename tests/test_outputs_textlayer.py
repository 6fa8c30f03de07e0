"""The searchable PDF's text layer: the final (restored) text, each word on the OCR box it came
from, in the document's reading order (pdftotext must give what `sohoa ocr` prints)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from sohoa.document import Block, Line, Page, Word
from sohoa.ocr.final_text import aligned_words, final_words
from sohoa.ocr.inputs import PageJob
from sohoa.ocr.outputs import write_searchable_pdf


def _line(words: list[tuple[str, int, int]], y: int, restored: str | None = None, h: int = 30) -> Line:
    """Words (text, x0, x1) on one line at height y; `restored` the restorer's text of it."""
    ws = [Word(t, (x0, y, x1, y + h), 90.0) for t, x0, x1 in words]
    return Line(ws, (ws[0].box[0], y, ws[-1].box[2], y + h), restored)


def test_same_count_keeps_every_box_and_takes_the_restored_text():
    line = _line([("khân", 100, 180), ("trương", 200, 320)], 50, "khẩn trương")
    got = final_words(line)
    assert [w.text for w in got] == ["khẩn", "trương"]
    assert [w.box for w in got] == [ln.box for ln in line.words]


def test_merged_words_span_both_boxes():
    line = _line([("Đ", 100, 120), ("ấy", 130, 170), ("mạnh", 190, 280)], 50, "Đẩy mạnh")
    got = final_words(line)
    assert [w.text for w in got] == ["Đẩy", "mạnh"]
    assert got[0].box[0] == 100 and got[0].box[2] == 170
    assert got[1].box[0] >= 185 and got[1].box[2] == 280
    assert [r for _, r in aligned_words(line)] == ["Đ ấy", "mạnh"]  # the engine's reading of each


def test_split_word_shares_its_box_in_order():
    line = _line([("Điều", 100, 180), ("l4.Giao", 200, 340)], 50, "Điều 14. Giao")
    got = final_words(line)
    assert [w.text for w in got] == ["Điều", "14.", "Giao"]
    a, b = got[1].box, got[2].box
    assert 200 <= a[0] < a[2] <= b[0] < b[2] <= 340


def test_unrestored_line_is_the_ocr_words():
    line = _line([("Số:", 100, 150), ("215/UBND", 160, 300)], 50)
    assert [(w.text, w.box) for w in final_words(line)] == [(w.text, w.box) for w in line.words]


def _page() -> Page:
    """An official header in two columns (left block, then right block), a title and body lines."""
    left = Block([_line([("UỶ", 100, 150), ("BAN", 160, 230), ("NHÂN", 240, 330), ("DÂN", 340, 410)], 100,
                        "ỦY BAN NHÂN DÂN"),
                  _line([("TINH", 150, 230), ("LẠNG", 240, 330), ("SƠN", 340, 400)], 140, "TỈNH LẠNG SƠN"),
                  _line([("Số:", 150, 200), ("215/UBND-KT", 210, 390)], 200)],
                 (100, 100, 410, 230), "header_left")
    right = Block([_line([("CỘNG", 800, 900), ("HÒA", 910, 980), ("XÃ", 990, 1040), ("HỘI", 1050, 1110)], 100),
                   _line([("Độc", 850, 910), ("lập", 920, 970), ("-", 980, 990), ("Tự", 1000, 1040),
                          ("do", 1050, 1090)], 140),
                   _line([("Lạng", 820, 900), ("Sơn,", 910, 980), ("ngày", 990, 1070), ("5", 1080, 1100)], 200)],
                  (800, 100, 1110, 230), "header_right")
    body = Block([_line([("Đấy", 100, 170), ("mạnh", 180, 270), ("triến", 280, 370), ("khai", 380, 450),
                         ("khân", 460, 540), ("trương", 550, 680)], 400, "Đẩy mạnh triển khai khẩn trương"),
                  _line([("SƠ", 100, 150), ("GIAO", 160, 250), ("DỤC", 260, 340), ("và", 350, 390),
                         ("Đào", 400, 470), ("tạo", 480, 540), ("tỉnh", 550, 620), ("Lạng", 630, 710),
                         ("Sơn", 720, 790), ("có", 800, 840), ("trách", 850, 930), ("nhiệm", 940, 1040),
                         ("chủ", 1050, 1100), ("trì", 1110, 1150)], 440,
                        "SỞ GIÁO DỤC và Đào tạo tỉnh Lạng Sơn có trách nhiệm chủ trì")],
                 (100, 400, 1150, 470), "body")
    return Page(1, [left, right, body], width=1240, height=1754, dpi=150, source="ocr")


@pytest.fixture
def searchable(tmp_path) -> tuple[Page, Path]:
    img = tmp_path / "scan.jpg"
    Image.new("L", (1240, 1754), 255).save(img, dpi=(150, 150))
    page = _page()
    out = tmp_path / "scan.pdf"
    write_searchable_pdf([page], [PageJob(str(img), "image", 1, 150)], out)
    return page, out


def _pdftotext(pdf: Path, *flags: str) -> str:
    return subprocess.run(["pdftotext", *flags, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_pdftotext_gives_the_restored_text_in_reading_order(searchable):
    page, pdf = searchable
    got = " ".join(_pdftotext(pdf).split())
    assert got == " ".join(page.text(restored=True).split())
    assert "khẩn trương" in got and "khân" not in got and "SỞ GIÁO DỤC" in got


def test_words_sit_on_their_ocr_boxes(searchable):
    import re

    page, pdf = searchable
    html = _pdftotext(pdf, "-bbox")
    boxes = {m[4]: tuple(float(v) for v in m[:4]) for m in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>', html)}
    pt = 72 / 150  # points per pixel
    for word in ("trương", "215/UBND-KT", "CỘNG"):
        ocr = next(w.box for ln in page.lines for w in final_words(ln) if w.text == word)
        x0, y0, x1, y1 = boxes[word]
        assert abs(x0 - ocr[0] * pt) < 2 and abs(x1 - ocr[2] * pt) < 4
        assert abs(y1 - ocr[3] * pt) < 1  # on the OCR baseline (the font has no descent)
        assert y0 <= ocr[1] * pt + 0.5  # and its height covers the word


def _write(tmp_path: Path, page: Page) -> Path:
    img = tmp_path / "p.jpg"
    Image.new("L", (page.width, page.height), 255).save(img, dpi=(150, 150))
    out = tmp_path / "p.pdf"
    write_searchable_pdf([page], [PageJob(str(img), "image", 1, 150)], out)
    return out


def test_skewed_lines_stay_apart_and_in_order(tmp_path):
    """A 3° skew: the end of each line is lower than the start of the next one."""
    def skewed(texts: list[str], y: int) -> Line:
        words, x = [], 100
        for t in texts:
            w = 22 * len(t)
            top = y + int(0.055 * (x - 100))
            words.append(Word(t, (x, top, x + w, top + 30), 90.0))
            x += w + 16
        return Line(words, (100, y, x, words[-1].box[3]))

    first = "Ủy ban nhân dân tỉnh yêu cầu các sở ngành khẩn trương triển khai".split()
    second = "kế hoạch này".split()
    page = Page(1, [Block([skewed(first, 300), skewed(second, 338)])], 1700, 2200, 150, source="ocr")
    lines = [ln for ln in _pdftotext(_write(tmp_path, page)).splitlines() if ln.strip()]
    assert lines == [" ".join(first), " ".join(second)]


def test_a_table_row_stays_one_line(tmp_path):
    row = _line([("STT", 100, 160), ("Hàng", 400, 480), ("hóa", 490, 550), ("Thành", 1000, 1100),
                 ("tiền", 1110, 1180)], 300)
    below = _line([("01", 100, 140), ("Máy", 400, 470), ("tính", 480, 550), ("28.500.000", 1000, 1180)], 360)
    page = Page(1, [Block([row, below])], 1240, 1754, 150, source="ocr")
    lines = [" ".join(ln.split()) for ln in _pdftotext(_write(tmp_path, page)).splitlines() if ln.strip()]
    assert lines == ["STT Hàng hóa Thành tiền", "01 Máy tính 28.500.000"]
