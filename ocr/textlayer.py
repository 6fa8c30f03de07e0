"""Read a PDF's own text layer with word boxes (poppler `pdftotext -bbox-layout`) and judge it."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

from sohoa.document import Line, Page, Word, nfc
from sohoa.errors import CorruptFileError
from sohoa.ocr.layout import arrange_blocks
from sohoa.ocr.vnsyllable import is_usable_vietnamese, text_quality

_MIN_WORDS_FOR_TEXT_PAGE = 5


def read_text_layer(path: str, *, dpi: int = 300) -> list[Page]:
    """One Page per PDF page, word boxes converted from points to pixels at `dpi`."""
    proc = subprocess.run(
        ["pdftotext", "-bbox-layout", "-enc", "UTF-8", path, "-"], capture_output=True, timeout=300
    )
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CorruptFileError(f"cannot read the PDF text layer ({msg[-1] if msg else 'pdftotext failed'})", path)
    return parse_bbox_layout(proc.stdout, dpi=dpi, path=path)


def parse_bbox_layout(xhtml: bytes, *, dpi: int = 300, path: str | None = None) -> list[Page]:
    """Pages of `pdftotext -bbox-layout` output; what cannot be parsed (not XML, a box that is
    not a number) is a CorruptFileError, never a bare parser exception."""
    try:
        return _parse_bbox_layout(xhtml, dpi)
    except (ET.ParseError, ValueError, OverflowError) as exc:
        raise CorruptFileError(f"the PDF text layer cannot be read ({type(exc).__name__}: {exc})", path) from exc


def _parse_bbox_layout(xhtml: bytes, dpi: int) -> list[Page]:
    root = ET.fromstring(xhtml)
    scale = dpi / 72.0
    pages: list[Page] = []
    for number, page_el in enumerate(_iter(root, "page"), 1):
        width = round(float(page_el.get("width", 0)) * scale)
        height = round(float(page_el.get("height", 0)) * scale)
        lines: list[Line] = []
        for line_el in _iter(page_el, "line"):
            words = []
            for w in _iter(line_el, "word"):
                text = nfc((w.text or "").strip())
                if text:
                    words.append(Word(text, _box(w, scale), None))
            if words:
                lines.append(Line(words, _union([w.box for w in words])))
        blocks = arrange_blocks(lines, width, height) if lines else []
        pages.append(Page(number, blocks, width, height, dpi, source="text_layer"))
    return pages


def layer_quality(pages: list[Page], page_has_images: list[bool]) -> tuple[bool, float | None]:
    """(usable, share of valid syllables). Unusable when the Vietnamese is garbled or when a
    scanned page (one with images) carries next to no text — that page needs OCR anyway."""
    texts = [p.text(restored=False) for p in pages]
    all_text = "\n".join(texts)
    valid, _, n_words = text_quality(all_text)
    if n_words == 0:
        return False, None
    for i, text in enumerate(texts):
        n = text_quality(text)[2]
        has_images = page_has_images[i] if i < len(page_has_images) else True
        if has_images and n < _MIN_WORDS_FOR_TEXT_PAGE:
            return False, valid
        if n >= 20 and not is_usable_vietnamese(text):
            return False, valid
    return is_usable_vietnamese(all_text), valid


def _iter(el: ET.Element, tag: str):
    return (e for e in el.iter() if e.tag == tag or e.tag.endswith("}" + tag))


def _box(el: ET.Element, scale: float) -> tuple[int, int, int, int]:
    return (
        round(float(el.get("xMin", 0)) * scale),
        round(float(el.get("yMin", 0)) * scale),
        round(float(el.get("xMax", 0)) * scale),
        round(float(el.get("yMax", 0)) * scale),
    )


def _union(boxes) -> tuple[int, int, int, int] | None:
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
