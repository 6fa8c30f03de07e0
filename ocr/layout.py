"""Group OCR lines into blocks in reading order, for the ND30 / HD36 page layout.

The first page of a Vietnamese directive has a two-column header (issuer, number and
subject on the left; national or Party motto and place/date on the right), a body, and a
footer with the `Nơi nhận` list on the left and the signature on the right. Engines read
such pages line by line across both columns; here each column becomes its own block:
header_left, header_right, body paragraphs, recipients, signature.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Callable
from itertools import pairwise

from sohoa.document import Block, Box, Line

_KINH_GUI = re.compile(r"^\W*k\w{0,2}nh\s*g\w{0,2}i\b")
_NOI_NHAN = re.compile(r"^\W*(?:\w{0,3}i\s*)?nh[a-z]{0,2}n\s*:")


def fold(text: str) -> str:
    """Lower case without marks (đ → d), for keyword tests that survive OCR mark errors."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def union_box(boxes: list[Box | None]) -> Box | None:
    real = [b for b in boxes if b is not None]
    if not real:
        return None
    return (min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real), max(b[3] for b in real))


def arrange_blocks(
    lines: list[Line], width: int, height: int, is_noise: Callable[[Line], bool] | None = None
) -> list[Block]:
    """Blocks in reading order. Lines without boxes keep their order in one body block.

    `is_noise` drops pieces of lines (after cutting them at column gaps), e.g. stamp rims."""
    boxed = [ln for ln in lines if ln.words and ln.box is not None]
    if not boxed or not width:
        return [Block(list(lines), union_box([ln.box for ln in lines]))] if lines else []
    line_h = statistics.median(ln.box[3] - ln.box[1] for ln in boxed) or 1
    segments = [seg for ln in boxed for seg in _split_at_gaps(ln, line_h, width)]
    if is_noise is not None:
        segments = [s for s in segments if not is_noise(s)]
    if not segments:
        return []
    segments.sort(key=lambda s: (s.box[1] + s.box[3]) / 2)
    segments = _split_at_gutter(segments, width, height, line_h)

    header, rest = _take_header(segments, width, height, line_h)
    body, footer = _take_footer(rest, width, line_h)
    blocks: list[Block] = []
    if header:
        left, right = _split_columns(header, width)
        blocks += [_block(left, "header_left"), _block(right, "header_right")]
    blocks += _paragraphs(body, width, line_h)
    if footer:
        left, right = _split_columns(footer, width, default_split=0.45)
        blocks += [_block(left, "recipients"), _block(right, "signature")]
    return [b for b in blocks if b.lines]


def _split_at_gaps(line: Line, line_h: float, width: int) -> list[Line]:
    """Cut a line where its words are further apart than any word or sentence gap."""
    words = [w for w in line.words if w.box is not None]
    if len(words) != len(line.words) or len(words) < 2:
        return [line]
    limit = max(2.5 * line_h, 0.05 * width)
    parts, cur = [], [words[0]]
    for prev, w in pairwise(words):
        if w.box[0] - prev.box[2] > limit:
            parts.append(cur)
            cur = []
        cur.append(w)
    parts.append(cur)
    if len(parts) == 1:
        return [line]
    return [Line(p, union_box([w.box for w in p])) for p in parts]


def _split_at_gutter(segments: list[Line], width: int, height: int, line_h: float) -> list[Line]:
    """Header lines whose two halves are close (or bridged by a speck read as "_") are cut
    where other header lines show the gutter between the two columns."""
    top = [s for s in segments if s.box[1] < 0.4 * height]
    mids = [
        (a.box[2] + b.box[0]) / 2
        for a, b in pairwise(top)
        if _overlap_y(a.box, b.box) > 0.3 * line_h and a.box[2] < b.box[0]
        and 0.25 * width < (a.box[2] + b.box[0]) / 2 < 0.7 * width
    ]
    if not mids:
        return segments
    gutter = statistics.median(mids)
    out: list[Line] = []
    for seg in segments:
        if seg.box[1] >= 0.4 * height or not seg.box[0] < gutter < seg.box[2]:
            out.append(seg)
            continue
        words = [
            w for w in seg.words
            if any(ch.isalnum() for ch in w.text) or abs((w.box[0] + w.box[2]) / 2 - gutter) > 3 * line_h
        ]
        cut = next((i for i, w in enumerate(words) if (w.box[0] + w.box[2]) / 2 >= gutter), None)
        if cut and words[cut].box[0] - words[cut - 1].box[2] >= 0.5 * line_h:
            parts = [words[:cut], words[cut:]]
            out += [Line(p, union_box([w.box for w in p])) for p in parts]
        else:
            out.append(seg)
    return out


def _overlap_y(a: Box, b: Box) -> float:
    return min(a[3], b[3]) - max(a[1], b[1])


def _take_header(segments: list[Line], width: int, height: int, line_h: float) -> tuple[list[Line], list[Line]]:
    """The header runs from the top to the first full-width, centred or `Kính gửi` line,
    and exists only if some left-column segment sits beside a right-column one."""
    end = len(segments)
    for i, seg in enumerate(segments):
        x0, y0, x1, _ = seg.box
        cx = (x0 + x1) / 2
        wide = x1 - x0 > 0.55 * width
        centred = abs(cx - width / 2) < 0.07 * width and x0 > 0.2 * width
        if wide or centred or _KINH_GUI.match(fold(seg.text)) or y0 > 0.45 * height:
            end = i
            break
    head = segments[:end]
    has_pair = any(
        a.box[2] < b.box[0] and _overlap_y(a.box, b.box) > 0.3 * line_h
        and (a.box[0] + a.box[2]) / 2 < width / 2 < (b.box[0] + b.box[2]) / 2
        for a in head
        for b in head
    )
    if not has_pair:
        return [], segments
    return head, segments[end:]


def _take_footer(segments: list[Line], width: int, line_h: float) -> tuple[list[Line], list[Line]]:
    """Footer = from `Nơi nhận` (or the signature lines after the last body line) to the end."""
    start = next((i for i, s in enumerate(segments) if _NOI_NHAN.match(fold(s.text))), None)
    if start is not None:
        y_top = segments[start].box[1] - 1.5 * line_h
        # a signature title may start a little above `Nơi nhận` on the right
        body = [s for s in segments[:start] if not (s.box[1] >= y_top and s.box[0] > 0.4 * width)]
        footer = [s for s in segments[start:]] + [s for s in segments[:start] if s not in body]
        return body, footer
    last_wide = max((i for i, s in enumerate(segments) if s.box[2] - s.box[0] > 0.55 * width), default=-1)
    tail = segments[last_wide + 1 :]
    if tail and all(s.box[0] > 0.4 * width for s in tail) and last_wide >= 0:
        return segments[: last_wide + 1], tail
    return segments, []


def _split_columns(segments: list[Line], width: int, default_split: float = 0.5) -> tuple[list[Line], list[Line]]:
    """Left/right by the widest empty vertical strip near the middle of the page."""
    split = _gap_split(segments, width) or default_split * width
    left = [s for s in segments if (s.box[0] + s.box[2]) / 2 < split]
    right = [s for s in segments if (s.box[0] + s.box[2]) / 2 >= split]
    return left, right


def _gap_split(segments: list[Line], width: int) -> float | None:
    lo, hi = int(0.25 * width), int(0.7 * width)
    covered = [0] * (hi - lo)
    for s in segments:
        for x in range(max(lo, s.box[0]), min(hi, s.box[2])):
            covered[x - lo] += 1
    best, best_len, run_start = None, 0, None
    for i, c in enumerate(covered + [1]):
        if c == 0 and run_start is None:
            run_start = i
        elif c != 0 and run_start is not None:
            if i - run_start > best_len:
                best, best_len = lo + (run_start + i) / 2, i - run_start
            run_start = None
    return best if best_len >= 0.01 * width else None


def _block(segments: list[Line], kind: str) -> Block:
    segments = sorted(segments, key=lambda s: (s.box[1], s.box[0]))
    return Block(_merge_rows(segments), union_box([s.box for s in segments]), kind)


def _merge_rows(segments: list[Line]) -> list[Line]:
    """Segments of one column that sit on the same row become one line again."""
    rows: list[Line] = []
    for s in segments:
        if rows and _overlap_y(rows[-1].box, s.box) > 0.5 * min(s.box[3] - s.box[1], rows[-1].box[3] - rows[-1].box[1]):
            prev = rows[-1]
            words = sorted(prev.words + s.words, key=lambda w: w.box[0] if w.box else 0)
            rows[-1] = Line(words, union_box([prev.box, s.box]))
        else:
            rows.append(s)
    return rows


def _paragraphs(segments: list[Line], width: int, line_h: float) -> list[Block]:
    """Body lines in reading order, cut into paragraphs at vertical gaps, first-line indents
    and short last lines."""
    if not segments:
        return []
    rows = _merge_rows(sorted(segments, key=lambda s: ((s.box[1] + s.box[3]) / 2, s.box[0])))
    left = min(r.box[0] for r in rows)
    right = max(r.box[2] for r in rows)
    pitch = _median_pitch(rows, line_h)
    blocks: list[list[Line]] = [[rows[0]]]
    for prev, row in pairwise(rows):
        gap = row.box[1] - prev.box[3]
        indented = row.box[0] - left > 1.2 * line_h and row.box[0] - prev.box[0] > 1.2 * line_h
        prev_short = prev.box[2] < right - 4 * line_h
        new_para = gap > max(0.9 * line_h, pitch - line_h + 0.6 * line_h) or (indented and prev_short)
        if new_para or (prev_short and row.box[0] - left > 1.2 * line_h):
            blocks.append([row])
        else:
            blocks[-1].append(row)
    return [Block(b, union_box([r.box for r in b]), "body") for b in blocks]


def _median_pitch(rows: list[Line], line_h: float) -> float:
    pitches = [b.box[1] - a.box[1] for a, b in pairwise(rows) if 0 < b.box[1] - a.box[1] < 3 * line_h]
    return statistics.median(pitches) if pitches else 1.5 * line_h
