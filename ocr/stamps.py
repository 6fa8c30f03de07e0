"""Framed stamps (the `ĐẾN / Giờ / Ngày / Số / Chuyển` reception stamp an office puts on what
it receives, a portal's `CÔNG THÔNG TIN ĐIỆN TỬ` box) found as their own layout block.

Their words are not the document's: read into the header they glue onto the title line
(`ĐẾN 6È:--.2--… NGHỊ ĐỊNH`), into the subject or the body. A stamp is found in two steps:

1. the image: a closed rectangular frame of thin lines, stamp-sized (a few percent of the page
   in each direction), with no ruling inside — a table has cells, a stamp has none;
2. the words inside it: stamp vocabulary (`đến`, `giờ`, `ngày`, `số`, `chuyển`, `lưu hồ sơ`,
   `công văn đến`) or a reading the engine is unsure of. A framed line of printed text that is
   neither stays text, so a boxed `DỰ THẢO` or a one-cell table is not lost.

The stamp's words go to a `stamp` block: kept in the document model, ALTO and hOCR, left out of
the page text that restoration, extraction and the searchable PDF's text layer read.
"""

from __future__ import annotations

import re
import statistics

import cv2
import numpy as np

from sohoa.document import Block, Box, Line, Word
from sohoa.ocr.layout import fold, union_box

STAMP_KIND = "stamp"
_VOCAB = re.compile(r"\b(den|gio|ngay|so|chuyen|luu ho so|cong van den|thong tin dien tu)\b")
_UNSURE_CONF = 60.0


def find_frames(gray: np.ndarray) -> list[Box]:
    """Stamp-sized closed rectangles of thin lines with no ruling inside, in `gray`'s pixels."""
    h, w = gray.shape[:2]
    f = 2 if w >= 1200 else 1
    small = cv2.resize(gray, (w // f, h // f), interpolation=cv2.INTER_AREA) if f > 1 else gray
    sh, sw = small.shape[:2]
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    hor = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, sw // 25), 1)))
    ver = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(10, sh // 50))))
    frame = cv2.dilate(hor | ver, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(frame, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for c in contours:
        x, y, bw, bh = cv2.boundingRect(c)
        if not (0.08 * sw <= bw <= 0.45 * sw and 0.02 * sh <= bh <= 0.15 * sh and 1.2 <= bw / bh <= 8):
            continue
        if _closed(hor[y : y + bh, x : x + bw], ver[y : y + bh, x : x + bw]):
            out.append((x * f, y * f, (x + bw) * f, (y + bh) * f))
    return out


def _closed(hor: np.ndarray, ver: np.ndarray) -> bool:
    """Four sides drawn, no column rule inside."""
    bh, bw = hor.shape
    band_h, band_w = max(2, bh // 8), max(2, bw // 12)
    top = hor[:band_h].any(axis=0).mean()
    bottom = hor[-band_h:].any(axis=0).mean()
    left = ver[:, :band_w].any(axis=1).mean()
    right = ver[:, -band_w:].any(axis=1).mean()
    if min(top, bottom) < 0.8 or min(left, right) < 0.7:
        return False
    inner_h = hor[band_h:-band_h, band_w:-band_w]
    inner_v = ver[band_h:-band_h, band_w:-band_w]
    # a stamp may have one or two dividers across it (`CÔNG THÔNG TIN ĐIỆN TỬ` above `ĐẾN …`); a
    # table has columns, or many rows; the dotted fill-in lines are too short to survive the opening
    if inner_v.size == 0 or inner_v.any(axis=1).mean() > 0.6:
        return False
    across = inner_h.mean(axis=1) > 0.6
    dividers = int(np.count_nonzero(across[1:] & ~across[:-1]) + across[0])
    return dividers <= 2


def _centre_in(word: Word, box: Box) -> bool:
    if word.box is None:
        return False
    cx, cy = (word.box[0] + word.box[2]) / 2, (word.box[1] + word.box[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _is_stamp_text(words: list[Word]) -> bool:
    text = fold(" ".join(w.text for w in words))
    if _VOCAB.search(text):
        return True
    confs = [w.conf for w in words if w.conf is not None]
    return bool(confs) and statistics.mean(confs) < _UNSURE_CONF


def split_stamps(lines: list[Line], frames: list[Box]) -> tuple[list[Line], list[Block]]:
    """The lines with every stamp's words taken out, and one `stamp` block per stamp."""
    if not frames:
        return lines, []
    blocks: list[Block] = []
    taken: set[int] = set()
    for fr in frames:
        inside = [w for ln in lines for w in ln.words if id(w) not in taken and _centre_in(w, fr)]
        if not inside or not _is_stamp_text(inside):
            continue
        taken.update(id(w) for w in inside)
        ids = {id(w) for w in inside}
        rows = [Line([w for w in ln.words if id(w) in ids]) for ln in lines]
        rows = [_boxed(r) for r in rows if r.words]
        blocks.append(Block(rows, fr, STAMP_KIND))
    if not taken:
        return lines, []
    kept = [_boxed(Line([w for w in ln.words if id(w) not in taken])) for ln in lines]
    return [ln for ln in kept if ln.words], blocks


def _boxed(line: Line) -> Line:
    line.box = union_box([w.box for w in line.words])
    return line
