"""Lines the page pass was unsure of, read again from the original image.

Clean-up helps most pages and hurts some lines: a grey photocopy binarised too hard loses marks
and commas (`Bằng` → `Băng`, `1999` → `1990`) that plain Tesseract reads on the untouched image.
So each text line whose mean word confidence is under REREAD_BELOW is cut out of the original
page (no clean-up) and read as one line (psm 7), as it is and — for small text — enlarged; the
reading with the best mean confidence is kept when it beats the page pass's by MIN_GAIN points,
has about as many words and spells no fewer Vietnamese syllables and no more non-syllables (the
restorer's notion of a well-formed syllable, normalize/vnsyl.py). The clean-up is thereby decided per line, by the engine's own
confidence, and never leaves a line worse than the original image would read by that measure.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

import cv2
import numpy as np

from sohoa.document import Block, Line, Word
from sohoa.normalize.vnsyl import is_syllable_shape
from sohoa.ocr.fillins import fill_in_lines
from sohoa.ocr.layout import union_box

REREAD_BELOW = 75.0
MIN_GAIN = 6.0
MAX_LINES = 40  # a page of nothing but unsure lines is a bad scan: re-reading all of it costs more than it gives
SMALL_TEXT_PX = 28  # line height under which the crop is also read at twice its size

_PUNCT = ".,;:!?()[]{}\"'“”‘’«»-–—…/"

CropReader = Callable[[np.ndarray], list[Line]]  # psm 7 reading, boxes in the crop's pixels


def _mean_conf(words: list[Word]) -> float:
    confs = [w.conf for w in words if w.conf is not None]
    return statistics.mean(confs) if confs else 0.0


def _syllables(words: list[Word]) -> tuple[int, int]:
    """(Vietnamese-shaped, other) words of two letters or more, punctuation around them stripped."""
    ok = bad = 0
    for w in words:
        core = w.text.strip(_PUNCT)
        if len(core) < 2 or not core.isalpha():
            continue
        if is_syllable_shape(core):
            ok += 1
        else:
            bad += 1
    return ok, bad


def _no_worse(new: list[Word], old: list[Word]) -> bool:
    """The new reading spells at least as many syllables and no more non-syllables (`PHÓ` read
    `PRÓ` under a signature gains confidence and loses a word)."""
    (ok_new, bad_new), (ok_old, bad_old) = _syllables(new), _syllables(old)
    return ok_new >= ok_old and bad_new <= bad_old


def unsure_lines(blocks: list[Block]) -> list[Line]:
    """Unsure text lines, the least sure first; the header's số / ngày lines are left to
    ocr/fillins.py, whose vote must see the page pass's own reading of a handwritten fill-in."""
    skip = {id(ln) for ln in fill_in_lines(blocks)}
    lines = [ln for b in blocks if b.is_text for ln in b.lines
             if ln.box is not None and len(ln.words) >= 2 and _mean_conf(ln.words) < REREAD_BELOW
             and id(ln) not in skip]
    return sorted(lines, key=lambda ln: _mean_conf(ln.words))[:MAX_LINES]


def reread_unsure_lines(blocks: list[Block], gray: np.ndarray, read: CropReader) -> int:
    """Re-read the unsure lines of `blocks` in place (boxes in the pixels of `gray`, the page in
    grey); returns how many were replaced."""
    replaced = 0
    for line in unsure_lines(blocks):
        x0, y0, x1, y1 = line.box  # type: ignore[misc]
        pad = max(3, (y1 - y0) // 4)
        ox, oy = max(0, x0 - pad), max(0, y0 - pad)
        crop = np.ascontiguousarray(gray[oy : y1 + pad, ox : x1 + pad])
        if crop.size == 0:
            continue
        scales = [1.0, 2.0] if y1 - y0 < SMALL_TEXT_PX else [1.0]
        best = line.words
        best_conf = _mean_conf(line.words) + MIN_GAIN
        for scale in scales:
            img = crop if scale == 1.0 else cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            words = [w for ln in read(img) for w in ln.words]
            if not words or not 0.6 * len(line.words) <= len(words) <= 1.5 * len(line.words):
                continue
            conf = _mean_conf(words)
            if conf > best_conf and _no_worse(words, line.words):
                best, best_conf = [_to_page(w, scale, ox, oy) for w in words], conf
        if best is not line.words:
            line.words = best
            line.box = union_box([w.box for w in best])
            replaced += 1
    return replaced


def _to_page(word: Word, scale: float, ox: int, oy: int) -> Word:
    bx = word.box
    if bx is None:
        return word
    return Word(word.text, (int(bx[0] / scale) + ox, int(bx[1] / scale) + oy, int(bx[2] / scale) + ox,
                            int(bx[3] / scale) + oy), word.conf)
