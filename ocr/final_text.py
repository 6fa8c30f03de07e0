"""A line's final (restored) text as words placed on the OCR boxes they came from.

Restoration can merge, split or rewrite OCR words (`khân` → `khẩn`, `l4` → `14`, `Đ ấy` → `Đẩy`).
`aligned_words` aligns a line's final text with its OCR reading character by character and gives
every final word the stretch of the line the aligned OCR characters cover (x interpolated along
the OCR words), so a word that merged two OCR words spans both boxes and words split from one OCR
word share its box; with it comes the engine's reading of that stretch (ALTO's ALTERNATIVE).
"""

from __future__ import annotations

import math

from rapidfuzz.distance import Levenshtein

from sohoa.document import Box, Line, Word


def line_box(line: Line) -> Box | None:
    boxes = [w.box for w in line.words if w.box]
    if line.box:
        return line.box
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def final_words(line: Line) -> list[Word]:
    """The line's final text as words, each with the box of the OCR characters it was restored
    from and the lowest engine confidence among them."""
    return [w for w, _ in aligned_words(line)]


def aligned_words(line: Line) -> list[tuple[Word, str]]:
    """(final word with its box and engine confidence, the engine's reading of that stretch)."""
    final = line.final_text.split()
    words = [w for w in line.words if w.text]
    if not final:
        return []
    if line.restored is None or [w.text for w in words] == final:
        return [(Word(w.text, w.box or line.box, w.conf), w.text) for w in words]
    if not words or not all(w.box for w in words):
        lb = line_box(line)
        spread = _spread_on_box(final, lb, None) if lb else [Word(t) for t in final]
        return [(w, line.text) for w in spread]
    raw = " ".join(w.text for w in words)
    text = " ".join(final)
    to_raw = _position_map(raw, text)
    spans, pos = [], 0
    for w in words:
        spans.append((pos, pos + len(w.text)))
        pos += len(w.text) + 1
    out, pos = [], 0
    for tok in final:
        a, b = to_raw[pos], to_raw[pos + len(tok)]
        pos += len(tok) + 1
        covered = [w for w, (s, e) in zip(words, spans, strict=True) if s < max(b, a + 1e-9) and e > a] or \
            [_nearest(words, spans, a)]
        x0, x1 = _x_at(words, spans, a), _x_at(words, spans, b)
        if x1 <= x0:
            x1 = x0 + 1
        y0 = min(w.box[1] for w in covered)  # type: ignore[index]
        y1 = max(w.box[3] for w in covered)  # type: ignore[index]
        confs = [w.conf for w in covered if w.conf is not None]
        reading = raw[math.floor(a):math.ceil(b)].strip() or " ".join(w.text for w in covered)
        out.append((Word(tok, (int(round(x0)), y0, int(round(x1)), y1), min(confs) if confs else None), reading))
    return out


def _position_map(raw: str, text: str) -> list[float]:
    """For each character boundary 0..len(text) of `text`, the aligned boundary in `raw` (fractional
    inside a replaced stretch of different length)."""
    out = [0.0] * (len(text) + 1)
    for op in Levenshtein.opcodes(raw, text):
        n_src, n_dst = op.src_end - op.src_start, op.dest_end - op.dest_start
        for d in range(op.dest_start, op.dest_end + 1):
            out[d] = op.src_start + (n_src * (d - op.dest_start) / n_dst if n_dst else 0)
    out[len(text)] = float(len(raw))
    return out


def _x_at(words: list[Word], spans: list[tuple[int, int]], c: float) -> float:
    """x of raw-text boundary `c`: inside a word, interpolated over its box; in a space, across the gap."""
    for i, (w, (s, e)) in enumerate(zip(words, spans, strict=True)):
        x0, x1 = w.box[0], w.box[2]  # type: ignore[index]
        if s <= c <= e:
            return x0 + (x1 - x0) * (c - s) / max(1, e - s)
        if i + 1 < len(spans) and e < c < spans[i + 1][0]:
            nx = words[i + 1].box[0]  # type: ignore[index]
            return x1 + (nx - x1) * (c - e) / max(1, spans[i + 1][0] - e)
    return float(words[-1].box[2])  # type: ignore[index]


def _nearest(words: list[Word], spans: list[tuple[int, int]], c: float) -> Word:
    return min(zip(words, spans, strict=True), key=lambda ws: abs((ws[1][0] + ws[1][1]) / 2 - c))[0]


def _spread_on_box(tokens: list[str], box: Box, conf: float | None) -> list[Word]:
    x0, y0, x1, y1 = box
    total = sum(len(t) for t in tokens) + len(tokens) - 1
    out, pos = [], 0
    for t in tokens:
        a = x0 + (x1 - x0) * pos / max(1, total)
        b = x0 + (x1 - x0) * (pos + len(t)) / max(1, total)
        out.append(Word(t, (int(a), y0, max(int(a) + 1, int(b)), y1), conf))
        pos += len(t) + 1
    return out
