"""The invisible text layer of a searchable PDF: the final (restored) text, each word at the OCR
box it came from (ocr.final_text), line by line in the document's reading order. Each line is drawn
on one baseline and each layout block at one size, so text extractors (pdftotext, pdf.js) keep a
line one line and a block one block instead of breaking them where OCR boxes differ in height.
"""

from __future__ import annotations

import math
import statistics
import zlib
from pathlib import Path
from typing import Any

from sohoa.document import Block, Page, Word
from sohoa.ocr.final_text import final_words

FONT_NAME = "/SohoaGlyphLess"
_GLYPH_WIDTH = 0.5  # of the font size: every code of the glyphless font has this advance
_LINE_SPACING = 1.45  # baseline distance / font size kept under poppler's 1.5 (maxLineSpacingDelta)
_COLUMN_GAP = 0.72  # gap to a block beside / font size kept over poppler's 0.7 (minColSpacing1)
_MAX_SIZE = 3.0  # largest font size / text height of a block (its selection box grows with it)
_MAX_GAP = 0.25  # widest gap between the words of a line / font size (poppler may split a line at 0.3)
_BESIDE_RATIO = 1.3  # sizes of blocks side by side kept further apart than poppler's 20 % (delta3)


# --------------------------------------------------------------------------- drawing


def text_ops(page: Page, scale: float, disp_h: float) -> list[str]:
    """Content-stream operators (inside BT … ET, render mode 3) drawing the page's final text:
    `scale` points per page-image pixel, `disp_h` the displayed page height in points.

    Text extractors rebuild blocks from geometry, not from the drawing order. poppler (pdftotext)
    puts two lines in one block only when their font sizes agree within 5 % and their baselines
    are at most 1.5 sizes apart; it pulls the text of a block beside into a block when the gap
    between them is under 0.7 sizes, or under 1 size with font sizes within 20 %. So every line of
    a layout block gets one size, large enough for the block's line spacing (up to three times its
    text height), small enough for the gap to a block beside it (the two header columns, Nơi nhận and
    the signature) and 30 % apart from that block's size: each block is read whole, the left header
    column before the right one, not row by row across the columns."""
    blocks = [lines for lines in (_block_lines(block) for block in page.text_blocks) if lines]
    sizes = _block_sizes(blocks)
    ops = []
    for lines, size_px in zip(blocks, sizes, strict=True):
        size = max(1.0, size_px * scale)
        for words, baseline, _ in lines:
            y = disp_h - baseline * scale
            for k, word in enumerate(words):
                x0, _, x1, _ = word.box  # type: ignore[misc]
                if k + 1 < len(words):
                    # a line across table cells stays one line: a gap wider than poppler's word
                    # spacing (1.5 sizes) is narrowed to one size by stretching the word before it
                    x1 = max(x1, words[k + 1].box[0] - _MAX_GAP * size_px)  # type: ignore[index]
                natural = _GLYPH_WIDTH * size * len(word.text)
                tz = 100.0 * max(0.5, (x1 - x0) * scale) / natural
                hexs = "".join(f"{cu:04X}" for cu in _utf16_units(word.text + " "))
                ops.append(f"/OCR {size:.2f} Tf {tz:.2f} Tz 1 0 0 1 {x0 * scale:.2f} {y:.2f} Tm <{hexs}> Tj")
    return ops


_Lines = list[tuple[list[Word], float, int]]  # (words, baseline, height) of each line of a block


def _block_lines(block: Block) -> _Lines:
    """The block's lines as (final words, baseline, text height) in page pixels.

    The baseline is where most words end (descenders and commas reach below it); on a skewed scan
    it is taken at the block's middle (the words' bottoms corrected by the block's slope), so
    consecutive lines stay a line apart instead of meeting where their ends overlap."""
    rows = [[w for w in final_words(line) if w.box and w.text] for line in block.lines]
    rows = [r for r in rows if r]
    if not rows:
        return []
    slopes = []
    for words in rows:
        if len(words) >= 3:
            (ax, ay), (bx, by) = _ends(words)
            if bx > ax:
                slopes.append((by - ay) / (bx - ax))
    slope = statistics.median(slopes) if slopes else 0.0
    mid = statistics.median([(w.box[0] + w.box[2]) / 2 for ws in rows for w in ws])  # type: ignore[index]
    out: _Lines = []
    for words in rows:
        level = [w.box[3] - slope * ((w.box[0] + w.box[2]) / 2 - mid) for w in words]  # type: ignore[index]
        height = statistics.median([w.box[3] - w.box[1] for w in words])  # type: ignore[index]
        out.append((words, statistics.median_low(level), max(1, int(height))))
    return out


def _ends(words: list[Word]) -> tuple[tuple[float, float], tuple[float, float]]:
    """(x, bottom) at the left and the right third of a line: medians, so a comma's tail does not tilt it."""
    third = max(1, len(words) // 3)

    def point(ws: list[Word]) -> tuple[float, float]:
        return (statistics.median([(w.box[0] + w.box[2]) / 2 for w in ws]),  # type: ignore[index]
                statistics.median([w.box[3] for w in ws]))  # type: ignore[index]

    return point(words[:third]), point(words[-third:])


def _block_sizes(blocks: list[_Lines]) -> list[float]:
    """The font size (pixels) of each block: see text_ops."""
    extents = []
    for lines in blocks:
        extents.append((min(b - h for _, b, h in lines), max(b for _, b, _ in lines),
                        min(w.box[0] for ws, _, _ in lines for w in ws),  # type: ignore[index]
                        max(w.box[2] for ws, _, _ in lines for w in ws)))  # type: ignore[index]

    def beside(i: int) -> list[tuple[int, int]]:
        """(block, horizontal gap) of the blocks level with block i and clear of it."""
        top, bottom, x0, x1 = extents[i]
        return [(j, max(a0 - x1, x0 - a1)) for j, (t, b, a0, a1) in enumerate(extents)
                if j != i and t < bottom and top < b and (a1 <= x0 or x1 <= a0)]

    sizes: list[float] = []
    for i, lines in enumerate(blocks):
        height = statistics.median([h for _, _, h in lines])
        gaps = [b[1] - a[1] for a, b in zip(lines, lines[1:], strict=False) if b[1] > a[1]]
        upper = _MAX_SIZE * height
        near = beside(i)
        if near:
            upper = min(upper, min(g for _, g in near) / _COLUMN_GAP)
        wanted = max(height, max(gaps, default=0) / _LINE_SPACING)
        size = min(upper, wanted)
        for j, _ in near:
            if j < i and max(size, sizes[j]) / min(size, sizes[j]) < _BESIDE_RATIO:
                options = [sizes[j] / _BESIDE_RATIO] + ([sizes[j] * _BESIDE_RATIO] if sizes[j] * _BESIDE_RATIO <= upper else [])
                size = min(options, key=lambda c: abs(math.log(c / wanted)))
        sizes.append(max(1.0, size))
    return sizes


def _utf16_units(text: str) -> list[int]:
    data = text.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


def glyphless_font(pdf: Any) -> Any:
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
    # Descent -1, not 0: readers take a zero descent for "unknown" and put the word's box 0.35
    # sizes below the baseline
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name(FONT_NAME), Flags=5,
        FontBBox=[0, 0, 500, 1000], ItalicAngle=0, Ascent=1000, Descent=-1, CapHeight=1000, StemV=80,
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
