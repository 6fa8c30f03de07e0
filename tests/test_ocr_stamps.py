"""Framed reception stamps become `stamp` blocks, out of the page text (ocr/stamps.py)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from sohoa.document import Block, Document, Line, Page, Word
from sohoa.ocr.layout import fold
from sohoa.ocr.stamps import find_frames, split_stamps

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "dev" / "real"


def _page(h: int = 2200, w: int = 1700) -> np.ndarray:
    img = np.full((h, w), 255, np.uint8)
    for y in range(400, 1800, 60):  # body text stand-in: rows of short dark dashes
        for x in range(150, 1550, 70):
            cv2.rectangle(img, (x, y), (x + 50, y + 20), 0, -1)
    return img


def test_a_stamp_sized_frame_with_a_divider_is_found():
    img = _page()
    cv2.rectangle(img, (100, 150), (450, 300), 0, 2)
    cv2.line(img, (100, 190), (450, 190), 0, 2)  # `CÔNG THÔNG TIN ĐIỆN TỬ` above `ĐẾN`
    cv2.putText(img, "DEN  Gio: ....", (115, 250), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    frames = find_frames(img)
    assert len(frames) == 1
    x0, y0, x1, y1 = frames[0]
    assert abs(x0 - 100) <= 6 and abs(y0 - 150) <= 6 and abs(x1 - 450) <= 6 and abs(y1 - 300) <= 6


@pytest.mark.parametrize("what", ["table", "page_border", "open_bracket", "rows"])
def test_tables_borders_and_open_shapes_are_not_stamps(what):
    img = _page()
    if what == "table":  # a small table: three columns
        cv2.rectangle(img, (100, 150), (500, 300), 0, 2)
        for x in (230, 370):
            cv2.line(img, (x, 150), (x, 300), 0, 2)
    elif what == "page_border":
        cv2.rectangle(img, (40, 40), (1660, 2160), 0, 3)
    elif what == "open_bracket":  # three sides only
        cv2.line(img, (100, 150), (450, 150), 0, 2)
        cv2.line(img, (100, 150), (100, 300), 0, 2)
        cv2.line(img, (100, 300), (450, 300), 0, 2)
    else:  # a ruled list: many rows across the box
        cv2.rectangle(img, (100, 150), (500, 330), 0, 2)
        for y in (180, 210, 240, 270, 300):
            cv2.line(img, (100, y), (500, y), 0, 2)
    assert find_frames(img) == []


def _w(text: str, x: int, y: int, conf: float = 90.0) -> Word:
    return Word(text, (x, y, x + 20 * len(text), y + 30), conf)


def test_words_inside_a_frame_with_stamp_words_go_to_a_stamp_block():
    title = Line([_w("ĐẾN", 110, 220, 40), _w("Số:...", 200, 220, 30), _w("NGHỊ", 700, 220), _w("ĐỊNH", 800, 220)])
    date = Line([_w("Ngày:04/01/2021", 110, 260, 35)])
    body = Line([_w("Căn", 150, 500), _w("cứ", 230, 500)])
    kept, stamps = split_stamps([title, date, body], [(100, 200, 450, 300)])
    assert [ln.text for ln in kept] == ["NGHỊ ĐỊNH", "Căn cứ"]
    assert len(stamps) == 1 and stamps[0].kind == "stamp"
    assert [ln.text for ln in stamps[0].lines] == ["ĐẾN Số:...", "Ngày:04/01/2021"]
    assert kept[0].box == (700, 220, 880, 250)  # the title line's box no longer spans the stamp


def test_a_framed_line_of_sure_printed_text_stays_text():
    boxed = Line([_w("DỰ", 120, 220), _w("THẢO", 200, 220)])
    kept, stamps = split_stamps([boxed], [(100, 200, 450, 300)])
    assert stamps == [] and [ln.text for ln in kept] == ["DỰ THẢO"]


def test_stamp_blocks_are_kept_in_the_model_but_not_in_the_text():
    stamp = Block([Line.from_text("ĐẾN Số: 12")], (0, 0, 10, 10), "stamp")
    page = Page(1, [Block([Line.from_text("NGHỊ ĐỊNH")], None, "body"), stamp])
    doc = Document("x.png", [page])
    assert doc.text() == "NGHỊ ĐỊNH"
    assert len(doc.char_index()) == 2  # the two words of the text, none of the stamp
    again = Document.from_dict(doc.export())
    assert [b.kind for b in again.pages[0].blocks] == ["body", "stamp"]
    assert again.text() == "NGHỊ ĐỊNH"


@pytest.mark.slow
@pytest.mark.skipif(not (REAL / "nd155_2020_p1.jpg").exists(), reason="../shared/dev/real is not beside the checkout")
def test_real_arrival_stamp_is_its_own_block_and_out_of_the_title():
    from sohoa.ocr.engine import ocr_image

    page = ocr_image(cv2.imread(str(REAL / "nd155_2020_p1.jpg")))
    stamps = [b for b in page.blocks if b.kind == "stamp"]
    assert len(stamps) == 1
    assert "den" in fold(" ".join(ln.text for ln in stamps[0].lines)).split()
    title = next(ln.text for ln in page.lines if "ĐỊNH" in ln.text and "NGHỊ" in ln.text)
    assert fold(title).split() == ["nghi", "dinh"]
    assert "den" not in fold(page.text()).split()[:30]
