"""Numbers read with letters or symbols in them (`I1`, `l1`, `11]`, `Ø7`, a lone `§`), read again.

Tesseract's `vie` model reads a `1` as `I`, `l` or `]`, an `8` as `§`, a `5` as `Š` often enough
on real scans; the restorer cannot repair them (it never turns letters into digits: `Tin` may be
a word). Here a word that is a number spelled with such look-alikes — or a look-alike alone
where the text needs a number (after `Điều`, `khoản`, `số`, `ngày`, `tháng`, `năm`) — is cut out
of the original page and read again twice:

- with Tesseract's LSTM alternatives (`lstm_choice_mode=2`, hOCR): the word's own reading with
  each look-alike character replaced by the best digit among the engine's alternatives for it;
- digits-only (a character whitelist), the word as one word (psm 8).

Only when both give the same number, of the same length as the word's digits and look-alikes,
does it replace the word, marked unsure (UNSURE_CONF): the engine's own second choice confirmed
by a reading that could only be digits. Letters that are no look-alike (`QH11`, `E6`, `T13`)
keep a word out; Roman numerals (`Chương II`, `Mục IV`) are not after a word that takes a number.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

import numpy as np

from sohoa.document import Block, Line, Word
from sohoa.ocr.fillins import UNSURE_CONF, fill_in_lines
from sohoa.ocr.layout import fold

LOOKALIKES = "IlOoSsBZ|][§ŠØ"  # characters Tesseract writes for a digit
_EDGE = ".,;:()\"'“”"
_NUMBER_WORDS = {"dieu", "khoan", "so", "ngay", "thang", "nam", "lan", "tiet"}  # words a number follows
MAX_WORDS = 8  # a page with more such words is a table of codes, not misread numbers (and each costs two looks)

Choices = list[list[tuple[str, float]]]  # per character: (choice, conf), best first
CropChoices = Callable[[np.ndarray], list[tuple[str, Choices]]]  # each word read in a crop, with its choices
CropDigits = Callable[[np.ndarray], str]  # what a digits-only pass reads


def suspect(word: str, before: str | None) -> bool:
    """A number spelled with look-alikes: digits and look-alikes only, at least one of each; or
    look-alikes alone right after a word that takes a number."""
    core = word.strip(_EDGE)
    if not core or any(not (c.isdigit() or c in LOOKALIKES) for c in core):
        return False
    has_digit = any(c.isdigit() for c in core)
    if has_digit:
        return any(c in LOOKALIKES for c in core)
    return before is not None and fold(before).strip(_EDGE) in _NUMBER_WORDS and (len(core) == 1 or core.isupper())


def from_choices(core: str, read: list[tuple[str, Choices]], min_conf: float = 5.0) -> str | None:
    """`core` with each look-alike replaced by the best digit among the engine's alternatives for
    it, from the crop's reading of the same word (same characters where they are digits); None
    when no reading lines up with the word or a look-alike has no digit among its alternatives."""
    for text, choices in read:
        if len(choices) == len(text) + 1 and text and choices[1][0][0] == text[0]:
            choices = choices[1:]  # a group for the space before the word (Tesseract's shift)
        core_read = text.strip(_EDGE)
        if len(choices) != len(text) or len(core_read) != len(core) or not core_read:
            continue
        start = text.find(core_read)
        out = []
        for c, seen, alts in zip(core, core_read, choices[start:start + len(core)], strict=True):
            if c.isdigit() or seen.isdigit():
                out.append(c if c.isdigit() else seen)
                continue
            digit = next((a for a, p in alts if a.isdigit() and len(a) == 1 and p >= min_conf), None)
            if digit is None:
                break
            out.append(digit)
        else:
            return "".join(out)
    return None


def check_numerals(blocks: list[Block], gray: np.ndarray, read_choices: CropChoices,
                   read_digits: CropDigits) -> int:
    """Re-read the suspect words of `blocks` (boxes in the pixels of `gray`); returns how many
    were replaced. The header's số / ngày lines are left to the fill-in check."""
    skip = {id(ln) for ln in fill_in_lines(blocks)}
    todo: list[tuple[Word, str]] = []
    for block in blocks:
        if not block.is_text:
            continue
        for line in block.lines:
            if id(line) in skip:
                continue
            todo.extend(_suspects(line))
    if len(todo) > MAX_WORDS:
        return 0
    fixed = 0
    for word, core in todo:
        crop = _crop(word, gray)
        if crop is None:
            continue
        guess = from_choices(core, read_choices(crop))
        if guess is None or read_digits(crop) != guess:
            continue
        start = word.text.find(core)
        word.text = word.text[:start] + guess + word.text[start + len(core):]
        word.conf = min(word.conf if word.conf is not None else UNSURE_CONF, UNSURE_CONF)
        fixed += 1
    return fixed


def _suspects(line: Line) -> list[tuple[Word, str]]:
    out = []
    for i, w in enumerate(line.words):
        before = line.words[i - 1].text if i else None
        if w.box is not None and suspect(w.text, before):
            out.append((w, w.text.strip(_EDGE)))
    return out


def _crop(word: Word, gray: np.ndarray) -> np.ndarray | None:
    x0, y0, x1, y1 = word.box  # type: ignore[misc]
    pad = max(3, (y1 - y0) // 4)
    crop = np.ascontiguousarray(gray[max(0, y0 - pad): y1 + pad, max(0, x0 - pad): x1 + pad])
    return crop if crop.size and min(crop.shape[:2]) >= 6 else None


_WORD = re.compile(r"<span class='ocrx_word'[^>]*>([^<]*)(.*?)(?=<span class='ocrx_word'|</span>\s*</span>\s*</p>|\Z)", re.S)
_GROUP = re.compile(r"<span class='ocrx_cinfo' id='lstm_choices_[^']*'>(.*?)</span></span>", re.S)
_CHOICE = re.compile(r"title='x_confs ([\d.]+)'>([^<]*)")


def parse_choices(hocr: str) -> list[tuple[str, Choices]]:
    """Each word of an hOCR page (`lstm_choice_mode=2`) with the LSTM alternatives of its
    characters, best first; a character group whose alternatives are all blank (Tesseract emits
    some) is left out, so a word whose groups do not match its letters one to one can be told."""
    out: list[tuple[str, Choices]] = []
    for text, body in _WORD.findall(hocr):
        groups: Choices = []
        for group in _GROUP.findall(body):
            alts = [(unicodedata.normalize("NFC", html.unescape(c)), float(p)) for p, c in _CHOICE.findall(group)]
            alts = [(c, p) for c, p in alts if c.strip()]
            if alts:
                groups.append(sorted(alts, key=lambda a: -a[1]))
        out.append((unicodedata.normalize("NFC", html.unescape(text.strip())), groups))
    return out
