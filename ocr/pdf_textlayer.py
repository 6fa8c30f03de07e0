"""The invisible text layer of a searchable PDF: the final (restored) text, each word at the OCR
box it came from, line by line in the document's reading order.

Restoration can merge, split or rewrite OCR words (`khân` → `khẩn`, `l4` → `14`, `SƠ GIAO` →
`SỞ GIÁO`). `final_words` aligns a line's final text with its OCR reading character by character
and gives every final word the stretch of the line the aligned OCR characters cover, so a word
that merged two OCR words spans both boxes and words split from one OCR word share its box.
Each line is drawn at one size on one baseline, so text extractors (pdftotext, pdf.js) keep it
one line instead of breaking it where OCR boxes differ in height.
"""

from __future__ import annotations

import statistics
import zlib
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from sohoa.document import Box, Line, Page, Word

FONT_NAME = "/SohoaGlyphLess"
_GLYPH_WIDTH = 0.5  # of the font size: every code of the glyphless font has this advance
_LINE_SPACING = 1.4  # baseline distance / font size kept under poppler's 1.5 (maxLineSpacingDelta)


def line_box(line: Line) -> Box | None:
    boxes = [w.box for w in line.words if w.box]
    if line.box:
        return line.box
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def final_words(line: Line) -> list[Word]:
    """The line's final text as words, each with the box of the OCR characters it was restored
    from (x interpolated along the line's OCR words) and the lowest engine confidence among them."""
    final = line.final_text.split()
    words = [w for w in line.words if w.text]
    if not final:
        return []
    if line.restored is None or [w.text for w in words] == final:
        return [Word(w.text, w.box or line.box, w.conf) for w in words]
    if not words or not all(w.box for w in words):
        lb = line_box(line)
        return _spread_on_box(final, lb, None) if lb else [Word(t) for t in final]
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
        out.append(Word(tok, (int(round(x0)), y0, int(round(x1)), y1), min(confs) if confs else None))
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


# --------------------------------------------------------------------------- drawing


def text_ops(page: Page, scale: float, disp_h: float) -> list[str]:
    """Content-stream operators (inside BT … ET, render mode 3) drawing the page's final text:
    `scale` points per page-image pixel, `disp_h` the displayed page height in points.

    Text extractors rebuild blocks from geometry: poppler joins two lines into one block only when
    their font sizes agree within 5 % and their baselines are at most 1.5 font sizes apart. So every
    line of a layout block gets one size, large enough for the block's line spacing (up to twice
    its line height): the block stays one block and is read whole, left header column before the
    right one, instead of row by row across the columns."""
    ops = []
    for block in page.blocks:
        lines = []
        for line in block.lines:
            words = [w for w in final_words(line) if w.box and w.text]
            if words:
                # the baseline: where most words end (descenders and commas reach below it)
                baseline = statistics.median_low([w.box[3] for w in words])  # type: ignore[index]
                top = min(w.box[1] for w in words)  # type: ignore[index]
                lines.append((words, baseline, max(1, baseline - top)))
        if not lines:
            continue
        height = statistics.median([h for _, _, h in lines])
        gaps = [b[1] - a[1] for a, b in zip(lines, lines[1:], strict=False) if b[1] > a[1]]
        size_px = min(2 * height, max(height, max(gaps, default=0) / _LINE_SPACING))
        size = max(1.0, size_px * scale)
        for words, baseline, _ in lines:
            y = disp_h - baseline * scale
            for word in words:
                x0, _, x1, _ = word.box  # type: ignore[misc]
                natural = _GLYPH_WIDTH * size * len(word.text)
                tz = 100.0 * max(0.5, (x1 - x0) * scale) / natural
                hexs = "".join(f"{cu:04X}" for cu in _utf16_units(word.text + " "))
                ops.append(f"/OCR {size:.2f} Tf {tz:.2f} Tz 1 0 0 1 {x0 * scale:.2f} {y:.2f} Tm <{hexs}> Tj")
    return ops


def _utf16_units(text: str) -> list[int]:
    data = text.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


def glyphless_font(pdf):
    """A Type0 font whose every code draws one invisible glyph of width 500; ToUnicode maps codes to
    Unicode (UTF-16 code units), so copying and searching give the text. The glyph program is
    embedded (PDF/A): Tesseract's one-glyph pdf.ttf."""
    import pikepdf

    cmap_lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
                  "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
                  "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
                  "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for start in range(0, 256, 100):
        chunk = range(start, min(256, start + 100))
        cmap_lines.append(f"{len(chunk)} beginbfrange")
        cmap_lines += [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in chunk]
        cmap_lines.append("endbfrange")
    cmap_lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    to_unicode = pdf.make_stream("\n".join(cmap_lines).encode("ascii"))
    cid_to_gid = pikepdf.Stream(pdf, zlib.compress(b"\x00\x01" * 65536), Filter=pikepdf.Name.FlateDecode)
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name(FONT_NAME), Flags=5,
        FontBBox=[0, 0, 500, 1000], ItalicAngle=0, Ascent=1000, Descent=0, CapHeight=1000, StemV=80,
    )
    ttf = glyphless_ttf()
    if ttf is not None:
        descriptor.FontFile2 = pdf.make_stream(ttf)
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2, BaseFont=pikepdf.Name(FONT_NAME),
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor), DW=500, CIDToGIDMap=pdf.make_indirect(cid_to_gid),
    )
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name(FONT_NAME),
        Encoding=pikepdf.Name("/Identity-H"), DescendantFonts=[pdf.make_indirect(cid_font)],
        ToUnicode=pdf.make_indirect(to_unicode),
    )
    return pdf.make_indirect(font)


def glyphless_ttf() -> bytes | None:
    """Tesseract ships a one-glyph font (tessdata/pdf.ttf) for exactly this purpose."""
    import os

    candidates = [os.environ.get("TESSDATA_PREFIX", "")]
    candidates += [f"/usr/share/tesseract-ocr/{v}/tessdata" for v in ("5", "4.00")]
    candidates += ["/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata"]
    for folder in candidates:
        f = Path(folder) / "pdf.ttf"
        if folder and f.is_file():
            return f.read_bytes()
    return None
