"""The số and ngày lines of a header, read again: a misread digit must not pass as certain.

Tesseract can misread a digit of the number or date with high confidence (`345/TB-VP` for
`245/TB-VP` at 84 on a 1-bit 100 dpi scan): a word-level confidence cannot catch it. Here each
header line that holds the number (`Số: …`) or the date (`…, ngày … tháng … năm …`) is cut out of
the page and read again as one line (psm 7) in a few variants — its own size, enlarged with
smooth interpolation, enlarged and blurred — and the digit groups of every reading compared:

- all readings but at most one agree with the page's: nothing changes;
- else the line's digit words get an unsure confidence (UNSURE_CONF, under the review
  threshold), so extraction keeps the value but review flags it with its box;
- a majority of all readings agrees on other digits with the same shape (as many groups, same
  lengths): those digits replace the page's, still marked unsure.

Digits are the only thing changed; letters, punctuation and the code's symbol stay as read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator

import cv2
import numpy as np

from sohoa.document import Block, Line
from sohoa.ocr.layout import fold

UNSURE_CONF = 40.0
_DIGITS = re.compile(r"\d+")
_NUMBER_LINE = re.compile(r"^\W*s\w?\s*[:;.,]")  # `Số:`, `Só:`, `So;` — the line that carries the number
_DATE_LINE = re.compile(r"\bngay\b.*\bn\w{1,2}m\b")  # `ngày … tháng … năm`

LineReader = Callable[[np.ndarray], str]  # one line's text from a crop (psm 7)
DigitReader = Callable[[np.ndarray, int], str]  # the digits Tesseract finds in a crop, digits-only, given psm
DIGIT_PSMS = (8, 13)  # one word; one raw line (no layout analysis): both at 1× and 2×
_SLOT_RANGE = {"day": (1, 31), "month": (1, 12), "number": (1, 99999)}


def fill_in_lines(blocks: list[Block]) -> list[Line]:
    """Header lines with the number or the date and at least one digit."""
    out = []
    for block in blocks:
        if block.kind not in ("header_left", "header_right"):
            continue
        for line in block.lines:
            text = fold(line.text)
            if line.box is not None and _DIGITS.search(line.text) and (_NUMBER_LINE.search(text) or _DATE_LINE.search(text)):
                out.append(line)
    return out


N_VARIANTS = 3  # what variants() yields


def variants(crop: np.ndarray) -> Iterator[np.ndarray]:
    """The crop as it is, twice its size (cubic), three times (linear) with a light blur; made
    only as they are asked for."""
    yield crop
    yield cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    yield cv2.GaussianBlur(cv2.resize(crop, None, fx=3, fy=3, interpolation=cv2.INTER_LINEAR), (3, 3), 0)


def check_fill_ins(blocks: list[Block], gray: np.ndarray, read: LineReader,
                   read_digits: DigitReader | None = None) -> int:
    """Re-read the số / ngày lines of `blocks` (boxes in the pixels of `gray`, the page in grey);
    returns how many were found unsure. Changes the lines' words in place."""
    unsure = 0
    for line in fill_in_lines(blocks):
        if read_digits is not None:
            unsure += read_slots(line, gray, read_digits)
        x0, y0, x1, y1 = line.box  # type: ignore[misc]
        pad = max(4, (y1 - y0) // 3)
        crop = np.ascontiguousarray(gray[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad])
        if crop.size == 0:
            continue
        if _settle(line, _readings(line, crop, read), N_VARIANTS):
            unsure += 1
    return unsure


def _readings(line: Line, crop: np.ndarray, read: LineReader) -> list[list[str]]:
    """The digit groups of each variant's reading, the cheapest first. When the first two agree
    with the page the vote is decided (the page stands with all but one reading), so the largest
    variant — most of the engine's time here — is read only when there is doubt."""
    page = _page_digits(line)
    out: list[list[str]] = []
    for v in variants(crop):
        if out == [page, page]:
            break  # the same vote whatever the third says
        out.append(_DIGITS.findall(read(v)))
    return out


def _page_digits(line: Line) -> list[str]:
    return [g for w in line.words for g in _DIGITS.findall(w.text)]


def _settle(line: Line, readings: list[list[str]], n_variants: int) -> bool:
    """Vote among the page's digit groups and the re-readings of `n_variants` variants (the
    ones not read agreed with nobody); True when the line is unsure. The page's reading stands
    when all but one reading agree with it (one variant misreading a blurred `2021` as `202` is
    noise, not doubt)."""
    page = _page_digits(line)
    votes = Counter(tuple(r) for r in [page, *readings])
    if votes[tuple(page)] >= n_variants:
        return False
    shape = [len(g) for g in page]
    best = next((r for r, _ in votes.most_common() if [len(g) for g in r] == shape), None)
    if best is not None and list(best) != page and votes[best] * 2 > n_variants + 1:
        _replace_digits(line, list(best))
    for w in line.words:
        if _DIGITS.search(w.text) or not any(ch.isalpha() for ch in w.text):
            w.conf = min(w.conf if w.conf is not None else UNSURE_CONF, UNSURE_CONF)
    return True


def _replace_digits(line: Line, groups: list[str]) -> None:
    it = iter(groups)
    for w in line.words:
        if _DIGITS.search(w.text):
            w.text = _DIGITS.sub(lambda _m: next(it), w.text)


def slots(line: Line) -> list[tuple[int, str]]:
    """(word index, slot) of the words that must be numbers: the word after `ngày` (day), after
    `tháng` (month), after a separate `Số:` (the number)."""
    out = []
    folded = [fold(w.text).strip(",.;:") for w in line.words]
    for i, f in enumerate(folded[:-1]):
        if re.fullmatch(r"ng[a-z]?y", f):
            out.append((i + 1, "day"))
        elif re.fullmatch(r"th[a-z]{1,3}g", f):
            out.append((i + 1, "month"))
        elif i == 0 and re.fullmatch(r"s\w?", f) and line.words[0].text.rstrip().endswith((":", ";", ".")):
            out.append((1, "number"))
    return out


def read_slots(line: Line, gray: np.ndarray, read_digits: DigitReader) -> int:
    """A number slot read as something else than digits (`ä{`` for a handwritten 31) is read
    again digits-only, at two sizes and two segmentations; a value at least three of the four
    readings agree on, in the slot's range, takes the word's place, marked unsure. Returns how
    many slots were filled."""
    filled = 0
    for i, slot in slots(line):
        word = line.words[i]
        head = word.text.split("/")[0] if slot == "number" else word.text
        if word.box is None or _DIGITS.fullmatch(head.strip(",.;:")):
            continue
        if slot == "number" and "/" not in word.text:
            continue  # the number of a code (`4°95/2020/NĐ-CP`): the symbol after it is kept
        x0, y0, x1, y1 = word.box
        cut = x1 if slot != "number" else x0 + _digits_width(word.text, x1 - x0)
        pad = max(4, (y1 - y0) // 4)
        crop = np.ascontiguousarray(gray[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad // 2) : cut + pad // 2])
        if crop.size == 0 or min(crop.shape[:2]) < 6:
            continue
        big = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        votes = Counter(read_digits(img, psm) for img in (crop, big) for psm in DIGIT_PSMS)
        value, n = votes.most_common(1)[0]
        lo, hi = _SLOT_RANGE[slot]
        if n >= 3 and value.isdigit() and lo <= int(value) <= hi:
            word.text = value if slot != "number" else value + word.text[word.text.find("/"):]
            word.conf = min(word.conf if word.conf is not None else UNSURE_CONF, UNSURE_CONF)
            filled += 1
    return filled


def _digits_width(text: str, width: int) -> int:
    """Pixels of a code word up to its first `/` (the number), by share of characters."""
    cut = text.find("/")
    return width if cut <= 0 else max(1, round(width * cut / len(text)))
