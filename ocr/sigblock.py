"""Signature titles under a seal: re-read the lines above a signer's name.

The seal is stamped over the left half of the authority and position lines (`TM. CHÍNH PHỦ` /
`THỦ TƯỚNG`), so the page's Tesseract pass often drops them and a signature block holds the name
alone. When it does, the area above the name (up to the block or text above it, not across the
recipients column) is read again in a few variants — the grey image, two thresholds that cut the
seal's lighter ink, and for colour scans the red channel, where a red seal fades — and each line
read is matched against what such a line can say: an authority (`TM.`, `KT.`, `TL.` … and a body
of the gazetteer) or a position (titles.tsv). Only a close match is kept (MIN_SCORE on folded
text); the line is written in the printed form of the match, in capitals as titles are printed,
and its words carry a low engine confidence, so review flags what came from this pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from sohoa.document import Block, Line, Word
from sohoa.extract import gazetteer as gz
from sohoa.extract.textkey import compact

MIN_SCORE = 80.0
RECOVERED_CONF = 30.0  # engine confidence given to recovered words: below the review threshold
MAX_LINES_ABOVE = 14  # the search area reaches this many name-line heights above the name
PREFIXES = ("TM.", "KT.", "TL.", "TUQ.", "Q.")
# How much more often a prefix is printed, in points of score: a garbled reading whose body is sure
# but whose first letters are junk from the seal takes the usual prefix (`TM.`), not `Q.`.
PREFIX_PRIOR = {"TM.": 3.0, "KT.": 2.0, "TL.": 1.0, "TUQ.": 0.0, "Q.": 0.0}
# The head an authority's body signs for: a position read after `TM. CHÍNH PHỦ` that could be either
# is `THỦ TƯỚNG`, not `THỦ TRƯỞNG`.
HEADS = {"Chính phủ": ("Thủ tướng", "Phó Thủ tướng"), "Ủy ban nhân dân": ("Chủ tịch", "Phó Chủ tịch"),
         "Hội đồng nhân dân": ("Chủ tịch", "Phó Chủ tịch"), "Ban Thường vụ": ("Bí thư", "Phó Bí thư"),
         "Ban Chấp hành": ("Bí thư", "Phó Bí thư"), "Đảng ủy": ("Bí thư", "Phó Bí thư"),
         "Chủ tịch": ("Phó Chủ tịch",), "Bộ trưởng": ("Thứ trưởng",), "Giám đốc": ("Phó Giám đốc",),
         "Trưởng ban": ("Phó Trưởng ban",), "Chánh Văn phòng": ("Phó Chánh Văn phòng",)}
CONSISTENT_BONUS = 6.0
_NAME_WORD = re.compile(r"^[^\W\d_]+$")

Reader = Callable[[np.ndarray], list[Line]]  # OCR of a crop (psm 6), boxes in the crop's frame


@dataclass(frozen=True)
class _Entry:
    text: str  # printed form, capitals
    key: str  # compact folded key
    kind: str  # authority | position
    body: str  # the gazetteer's body or position
    prior: float = 0.0


@lru_cache(maxsize=1)
def vocabulary() -> tuple[_Entry, ...]:
    entries = []
    bodies = {*gz.authorities(), *gz.positions()}
    for prefix in PREFIXES:
        for body in bodies:
            text = f"{prefix} {body}".upper()
            entries.append(_Entry(text, compact(text), "authority", body, PREFIX_PRIOR[prefix]))
    for pos in gz.positions():
        entries.append(_Entry(pos.upper(), compact(pos), "position", pos))
    return tuple(entries)


def snap(text: str, after: str | None = None) -> tuple[str, str, float] | None:
    """The signature line `text` most likely is: (printed form, kind, score), or None. `after`: the
    body of the authority line above, if one was read (its head positions are preferred)."""
    heads = set(HEADS.get(after, ())) if after else set()
    key = compact(text)
    if len(key) < 5:
        return None
    best: tuple[float, _Entry, float] | None = None
    for e in vocabulary():
        n = len(e.key)
        if len(key) < n - 3 or len(key) > n + 8:
            continue
        # the seal covers the left of the line: junk may come before the title, so the end of the
        # reading is compared (a suffix as long as the title, or up to two letters longer)
        sc = max(fuzz.ratio(key[-m:], e.key) for m in range(min(len(key), n), min(len(key), n + 2) + 1))
        if sc < MIN_SCORE:
            continue
        rank = sc + e.prior + (CONSISTENT_BONUS if e.body in heads else 0.0)
        if best is None or rank > best[0] or (rank == best[0] and n > len(best[1].key)):
            best = (rank, e, sc)
    if best is None:
        return None
    return best[1].text, best[1].kind, best[2]


def _is_name_only(block: Block) -> bool:
    if not block.lines or len(block.lines) > 2:
        return False
    for line in block.lines:
        words = [w.text for w in line.words if _NAME_WORD.match(w.text)]
        if snap(line.text) is not None:
            return False  # a title is already there
        if not 2 <= len(words) <= 5 or not all(w[:1].isupper() for w in words):
            return False
    return True


def _area(block: Block, others: list[Block], width: int) -> tuple[int, int, int, int] | None:
    assert block.box is not None
    x0, y0, x1, y1 = block.box
    lh = max(8, (block.lines[0].box[3] - block.lines[0].box[1]) if block.lines[0].box else y1 - y0)
    bw = x1 - x0
    ax0, ax1 = max(0, x0 - bw // 2), min(width, x1 + bw // 2)
    ay0, ay1 = max(0, y0 - MAX_LINES_ABOVE * lh), y0 - lh // 4
    for o in others:
        if o is block or o.box is None:
            continue
        ox0, oy0, ox1, oy1 = o.box
        if oy1 <= ay0 or oy0 >= ay1:
            continue
        if ox1 <= x0 and ox1 < ax1:  # a column to the left (Nơi nhận): keep clear of it
            ax0 = max(ax0, ox1 + lh // 2)
        elif oy1 <= y0:  # text above across the name's column: the area starts below it
            ay0 = max(ay0, oy1 + lh // 4)
    if ay1 - ay0 < 2 * lh or ax1 - ax0 < bw:
        return None
    return ax0, ay0, ax1, ay1


def variants(crop: np.ndarray) -> list[np.ndarray]:
    """The crop as read by the page pass, and forms where a seal's lighter or red ink fades."""
    grey = crop if crop.ndim == 2 else crop.mean(axis=2).astype(np.uint8)
    out = [grey]
    for t in (80, 140):
        out.append(np.where(grey > t, 255, 0).astype(np.uint8))
    if crop.ndim == 3 and crop.shape[2] >= 3:
        # the brightest channel: a red seal (red in RGB or BGR order alike) nearly vanishes in it
        brightest = int(np.argmax(crop[:, :, :3].reshape(-1, 3).mean(axis=0)))
        out.append(np.ascontiguousarray(crop[:, :, brightest]))
    return out


def _line_from(text: str, box: tuple[int, int, int, int]) -> Line:
    words = text.split()
    x0, y0, x1, y1 = box
    total = sum(len(w) for w in words) + len(words) - 1
    out, pos = [], 0
    for w in words:
        a = x0 + (x1 - x0) * pos // max(1, total)
        pos += len(w)
        b = x0 + (x1 - x0) * pos // max(1, total)
        pos += 1
        out.append(Word(w, (a, y0, max(a + 1, b), y1), RECOVERED_CONF))
    return Line(words=out, box=box)


def _consistent(ordered: list[tuple[float, str, tuple[int, int, int, int]]],
                readings: list[tuple[float, str, tuple[int, int, int, int], str]]) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each kept line, a position re-chosen in the light of the authority line above it."""
    out: list[tuple[str, tuple[int, int, int, int]]] = []
    body: str | None = None
    for _, text, box in ordered:
        if body is not None:
            alts = [snap(raw, after=body) for _, _, b, raw in readings if _same_line(b, box)]
            alts = [a for a in alts if a is not None]
            if alts:
                heads = {h.upper() for h in HEADS.get(body, ())}
                text = max(alts, key=lambda a: a[2] + (CONSISTENT_BONUS if a[0] in heads else 0.0))[0]
        entry = next((e for e in vocabulary() if e.text == text and e.kind == "authority"), None)
        body = entry.body if entry is not None else None
        out.append((text, box))
    return out


def _same_line(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return abs((a[1] + a[3]) - (b[1] + b[3])) / 2 < 0.5 * min(a[3] - a[1], b[3] - b[1])


def recover_titles(blocks: list[Block], image: np.ndarray, read: Reader) -> int:
    """Put the authority / position lines back above a name-only signature block; returns how
    many lines were recovered. `image` is the page in the frame of the blocks' boxes."""
    height, width = image.shape[:2]
    found = 0
    for block in blocks:
        if block.kind != "signature" or block.box is None or not _is_name_only(block):
            continue
        area = _area(block, blocks, width)
        if area is None:
            continue
        ax0, ay0, ax1, ay1 = area
        crop = np.ascontiguousarray(image[ay0:ay1, ax0:ax1])
        readings: list[tuple[float, str, tuple[int, int, int, int], str]] = []
        for variant in variants(crop):
            for line in read(variant):
                if line.box is None:
                    continue
                hit = snap(line.text)
                if hit is None:
                    continue
                box = (line.box[0] + ax0, line.box[1] + ay0, line.box[2] + ax0, line.box[3] + ay0)
                readings.append((hit[2], hit[0], box, line.text))
        kept: list[tuple[float, str, tuple[int, int, int, int]]] = []
        for r in sorted(readings, key=lambda r: -r[0]):  # the best reading of each printed line
            if not any(_same_line(r[2], k[2]) for k in kept):
                kept.append(r[:3])
        ordered = sorted(kept, key=lambda r: r[2][1])[-3:]
        recovered = [_line_from(text, box) for text, box in _consistent(ordered, readings)]
        if recovered:
            block.lines = recovered + block.lines
            boxes = [ln.box for ln in block.lines if ln.box]
            block.box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                         max(b[2] for b in boxes), max(b[3] for b in boxes))
            found += len(recovered)
    return found
