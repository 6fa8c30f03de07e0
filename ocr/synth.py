"""Synthetic scans of Vietnamese directives, with their exact ground truth.

`render_document(record, body, style=…)` lays a document out on A4 pages the way
Nghị định 30/2020/NĐ-CP (state, ``style="state"``) or Hướng dẫn 36-HD/VPTW (Party,
``style="party"``) prescribes — two-column header, số/ký hiệu and place/date, trích yếu,
justified body, ``Nơi nhận`` and a signature block with a blue scribble under a red round
stamp — and then degrades the pages like a scanner would (skew, noise, blur, JPEG, tint,
dark edges), all drawn from `seed` so the same call gives the same pixels.

It returns a `RenderedDocument`: iterate it (or use ``.images``) for the PIL pages;
``.page_texts`` is the ground-truth text of each page in reading order (left header column,
right header column, title, body paragraphs, Nơi nhận, signature), lines separated by
newlines and blocks by blank lines, exactly as `Document.text()` formats it; ``.truth`` is
the same text as an `sohoa.document.Document` whose lines and words carry their boxes in the
pixels of the returned (skewed) images.

`record` is a record in the shape of the record schema (doc_type, number, symbol, date,
place, issuer, subject, recipients, signers); an optional ``record["layout"]`` dict holds what
the schema does not say about the page (see `render_document`). Needs a serif TrueType font:
Liberation Serif, FreeSerif or DejaVu Serif (Debian: fonts-liberation2, fonts-freefont-ttf,
fonts-dejavu-core).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageDraw

from sohoa.document import Block, Document, Line, Page, Word, nfc
from sohoa.ocr.synth_fonts import FONT_FAMILIES, FontFiles, _Fonts, _load_font, _upper, find_fonts  # noqa: F401
from sohoa.ocr.synth_ink import _scribble, _stamp
from sohoa.ocr.synth_output import (  # noqa: F401  (the writers are importable from here)
    Degrade,
    _pick_skew,
    _rotate_truth,
    _union,
    degrade_page,
    squeeze,
    write_page_texts,
    write_pdf,
    write_tiff,
)

Style = Literal["state", "party"]

A4_MM = (210.0, 297.0)
# Nghị định 30/2020 Phụ lục I: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGIN_MM = {"top": 20.0, "bottom": 20.0, "left": 30.0, "right": 15.0}
LEFT_COL_MM = 72.0  # width of the issuer column of the header; the rest is the national column
INK = (22, 20, 24)
def date_line(place: str, iso_date: str | None) -> str:
    """`Kiên Giang, ngày 08 tháng 6 năm 2021`: days below 10 and months 1–2 get a leading zero."""
    if not iso_date:
        return f"{place}, ngày     tháng     năm"
    parts = iso_date.split("-")
    year = parts[0]
    month = int(parts[1]) if len(parts) > 1 else None
    day = int(parts[2]) if len(parts) > 2 else None
    d = f"{day:02d}" if day else "    "
    m = (f"{month:02d}" if month <= 2 else str(month)) if month else "    "
    return f"{place}, ngày {d} tháng {m} năm {year}"


def number_line(record: dict[str, Any], style: Style) -> str:
    number = record.get("number") or "     "
    symbol = record.get("symbol") or ""
    if style == "party":
        return f"Số {number}-{symbol}"
    return f"Số: {number}/{symbol}"


# --------------------------------------------------------------------------- page painter


@dataclass
class _TextLine:
    words: list[str]
    face: str
    pt: float
    align: str = "left"  # left | center | justify
    x0: float = 0.0  # mm from the page's left edge: start (left/justify) or centre (center)
    width: float = 0.0  # mm available (justify)
    indent: float = 0.0  # mm, added to x0
    fill: tuple[int, int, int] = INK
    faces: list[str] | None = None  # per word, overriding `face` (inline bold/italic)


class _Painter:
    """One A4 page: draws word by word and keeps the truth (blocks, lines, word boxes)."""

    def __init__(self, number: int, dpi: int, fonts: _Fonts):
        self.dpi = dpi
        self.fonts = fonts
        self.w = round(A4_MM[0] / 25.4 * dpi)
        self.h = round(A4_MM[1] / 25.4 * dpi)
        self.img = Image.new("RGB", (self.w, self.h), (255, 255, 255))
        self.draw = ImageDraw.Draw(self.img)
        self.page = Page(number=number, width=self.w, height=self.h, dpi=dpi, source="synthetic")
        self._block: Block | None = None

    def px(self, mm: float) -> float:
        return mm / 25.4 * self.dpi

    def mm(self, px: float) -> float:
        return px * 25.4 / self.dpi

    def block(self, kind: str) -> None:
        self._block = Block(kind=kind)
        self.page.blocks.append(self._block)

    def resume(self, kind: str) -> None:
        """Add the next lines to the first block of `kind` again (header columns share a row)."""
        self._block = next(b for b in self.page.blocks if b.kind == kind)

    def text_width(self, text: str, face: str, pt: float) -> float:
        """Width in mm."""
        return self.mm(self.fonts.get(face, pt).getlength(text))

    def line(self, tl: _TextLine, baseline_mm: float, last_of_para: bool = True) -> Line:
        font = self.fonts.get(tl.face, tl.pt)
        word_fonts = [self.fonts.get(f, tl.pt) for f in tl.faces] if tl.faces else [font] * len(tl.words)
        widths = [f.getlength(w) for f, w in zip(word_fonts, tl.words, strict=True)]
        space = font.getlength(" ")
        total = sum(widths) + space * (len(widths) - 1)
        if tl.align == "center":
            x = self.px(tl.x0) - total / 2
        else:
            x = self.px(tl.x0 + tl.indent)
        if tl.align == "justify" and not last_of_para and len(widths) > 1:
            space = (self.px(tl.width - tl.indent) - sum(widths)) / (len(widths) - 1)
        y = self.px(baseline_mm)
        words: list[Word] = []
        for word, wpx, wfont in zip(tl.words, widths, word_fonts, strict=True):
            self.draw.text((x, y), word, font=wfont, fill=tl.fill, anchor="ls")
            bl, bt, br, bb = wfont.getbbox(word, anchor="ls")
            words.append(Word(word, (round(x + bl), round(y + bt), round(x + br), round(y + bb))))
            x += wpx + space
        box = _union([w.box for w in words if w.box])
        ln = Line(words=words, box=box)
        if self._block is None:
            self.block("body")
        assert self._block is not None
        self._block.lines.append(ln)
        return ln

    def hline(self, x0_mm: float, x1_mm: float, y_mm: float, width_mm: float = 0.25) -> None:
        y = self.px(y_mm)
        self.draw.line([(self.px(x0_mm), y), (self.px(x1_mm), y)], fill=INK,
                       width=max(1, round(self.px(width_mm))))


def _wrap(words: list, first_width: float, width: float, measure) -> list[list]:
    """Greedy line breaking; `measure(list_of_words)` gives the natural width in mm."""
    lines: list[list[str]] = []
    cur: list[str] = []
    limit = first_width
    for w in words:
        if cur and measure([*cur, w]) > limit:
            lines.append(cur)
            cur = [w]
            limit = width
        else:
            cur.append(w)
    if cur:
        lines.append(cur)
    return lines


def _balanced_wrap(text: str | list, max_width: float, measure) -> list[list]:
    """Centred titles: break into the fewest lines, then make them about equally long."""
    words = nfc(text).split() if isinstance(text, str) else list(text)
    n = len(_wrap(words, max_width, max_width, measure))
    if n <= 1:
        return [words]
    lo, hi = max_width * 0.5, max_width
    best = _wrap(words, max_width, max_width, measure)
    for _ in range(12):  # binary search for the narrowest width giving n lines
        mid = (lo + hi) / 2
        trial = _wrap(words, mid, mid, measure)
        if len(trial) <= n:
            best, hi = trial, mid
        else:
            lo = mid
    return best


# --------------------------------------------------------------------------- body markup


@dataclass
class _Para:
    text: str  # as it reads on the page: markers removed
    face: str = "regular"
    align: str = "justify"  # justify | center | left
    indent: float = 10.0  # first-line indent in mm
    faces: list[str] = field(default_factory=list)  # one per word of `text`


_FACE_WITH = {("regular", "bold"): "bold", ("regular", "italic"): "italic", ("bold", "italic"): "bold_italic",
              ("italic", "bold"): "bold_italic", ("bold", "bold"): "bold", ("italic", "italic"): "italic",
              ("bold_italic", "bold"): "bold_italic", ("bold_italic", "italic"): "bold_italic"}


def _inline(text: str, base: str) -> tuple[str, list[str]]:
    """Strip ``**bold**`` and ``*italic*`` spans; return the plain text and each word's face."""
    words, faces = [], []
    bold = italic = False
    for raw in text.split():
        w = raw
        while w.startswith("*") and len(w) > 1:
            if w.startswith("**") and not bold:
                w, bold = w[2:], True
            elif not italic and not w.startswith("**"):
                w, italic = w[1:], True
            else:
                break
        core = w.rstrip(".,;:)!?")
        tail = w[len(core):]
        close_b = close_i = False
        while core.endswith("*"):
            if core.endswith("**") and bold and not close_b:
                core, close_b = core[:-2], True
            elif italic and not close_i:
                core, close_i = core[:-1], True
            else:
                break
        w = core + tail
        face = base
        if bold:
            face = _FACE_WITH[(face, "bold")]
        if italic:
            face = _FACE_WITH[(face, "italic")]
        if w:
            words.append(w)
            faces.append(face)
        bold = bold and not close_b
        italic = italic and not close_i
    return " ".join(words), faces


def parse_body(body: Sequence[str]) -> list[_Para]:
    """Body paragraphs; a leading marker sets the look (the marker is not part of the text):
    ``# `` bold heading, ``## `` bold italic heading, ``^ `` centred bold line,
    ``_ `` italic paragraph, ``- `` or plain: justified paragraph with first-line indent.
    Inside a paragraph ``**…**`` sets words in bold and ``*…*`` in italics (``**Điều 1.** Thành lập …``)."""
    paras = []
    for raw in body:
        text = nfc(raw.strip())
        if not text:
            continue
        if text.startswith("## "):
            para = _Para(text[3:].strip(), "bold_italic")
        elif text.startswith("# "):
            para = _Para(text[2:].strip(), "bold")
        elif text.startswith("^ "):
            para = _Para(text[2:].strip(), "bold", "center", 0.0)
        elif text.startswith("_ "):
            para = _Para(text[2:].strip(), "italic")
        else:
            para = _Para(text)
        para.text, para.faces = _inline(para.text, para.face)
        if para.text:
            paras.append(para)
    return paras


def body_text(body: Sequence[str]) -> list[str]:
    """The body paragraphs as they read on the page (markers removed)."""
    return [p.text for p in parse_body(body)]


# --------------------------------------------------------------------------- stamp and signature


@dataclass
class RenderedDocument:
    """Pages of one rendered document and their ground truth; iterates like a list of images."""

    images: list[Image.Image]
    truth: Document
    dpi: int
    skew_deg: list[float] = field(default_factory=list)  # applied per page, counter-clockwise positive

    @property
    def page_texts(self) -> list[str]:
        return [p.text(restored=False) for p in self.truth.pages]

    @property
    def text(self) -> str:
        """All pages, separated by form feeds."""
        return "\f".join(self.page_texts)

    def __iter__(self) -> Iterator[Image.Image]:
        return iter(self.images)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> Image.Image:
        return self.images[i]


class _Layout:
    """Places the parts of one document on as many pages as it takes."""

    def __init__(self, record: dict[str, Any], style: Style, dpi: int, fonts: _Fonts, rng: random.Random,
                 stamp: bool):
        self.rec = record
        self.lay: dict[str, Any] = dict(record.get("layout") or {})
        self.style = style
        self.dpi = dpi
        self.fonts = fonts
        self.rng = rng
        self.stamp = stamp
        self.pages: list[_Painter] = []
        self.left = MARGIN_MM["left"]
        self.right = A4_MM[0] - MARGIN_MM["right"]
        self.bottom = A4_MM[1] - MARGIN_MM["bottom"]
        self.y = 0.0  # baseline cursor in mm of the current page
        # typists differ: body size 13–14 pt and line spacing vary unless the layout fixes them
        self.body_pt = float(self.lay.get("body_pt") or rng.choice([13.0, 13.5, 14.0]))
        self.spacing = float(self.lay.get("line_spacing") or rng.choice([1.15, 1.2, 1.25, 1.3]))
        self.new_page()

    @property
    def p(self) -> _Painter:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(_Painter(len(self.pages) + 1, self.dpi, self.fonts))
        self.y = MARGIN_MM["top"]
        if len(self.pages) > 1:  # Nghị định 30: page numbers from page 2, centred in the top margin
            self.p.block("page_number")
            self.p.line(_TextLine([str(len(self.pages))], "regular", 13, "center", (self.left + self.right) / 2),
                        MARGIN_MM["top"] - 6)
        self.y += self.pt_mm(self.body_pt)

    def pt_mm(self, pt: float) -> float:
        return pt * 25.4 / 72

    def measure(self, face: str, pt: float):
        return lambda words: self.p.text_width(" ".join(words), face, pt)

    # ---- header
    def header(self) -> None:
        lay, rec = self.lay, self.rec
        left_c = self.left + LEFT_COL_MM / 2 - 8  # the issuer column sits a little into the left margin
        right_c = (self.left + LEFT_COL_MM + self.right) / 2
        col_w = LEFT_COL_MM + 10
        top = MARGIN_MM["top"] - 3 + self.pt_mm(13)
        default_issuer = [_upper(rec.get("issuer") or "")]
        issuer_lines = [nfc(s) for s in lay.get("issuer_lines", default_issuer)]
        # left column: parent body regular, the issuing body bold (its last line)
        self.p.block("header_left")
        y = top
        pt = 13
        for i, raw in enumerate(issuer_lines):
            face = "bold" if i == len(issuer_lines) - 1 and len(issuer_lines) > 1 else "regular"
            if len(issuer_lines) == 1:
                face = "bold"
            for words in _balanced_wrap(raw, col_w, self.measure(face, pt)):
                ln = self.p.line(_TextLine(words, face, pt, "center", left_c), y)
                y += self.pt_mm(pt) * 1.18
        last_w = self.p.mm(ln.box[2] - ln.box[0]) if ln.box else 30
        if self.style == "party":
            y += self.pt_mm(pt) * 0.05
            self.p.line(_TextLine(["*"], "regular", 13, "center", left_c), y)
            y += self.pt_mm(pt) * 1.1
        else:
            under = max(15.0, last_w / 3)
            self.p.hline(left_c - under / 2, left_c + under / 2, y - self.pt_mm(pt) * 0.7)
            y += self.pt_mm(pt) * 0.35
        left_y = y
        # right column
        right_y = top
        right_lines: list[tuple[str, str, float]]
        if self.style == "party":
            right_lines = [("ĐẢNG CỘNG SẢN VIỆT NAM", "bold", 15)]
        else:
            right_lines = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", 12.5),
                           ("Độc lập - Tự do - Hạnh phúc", "bold", 13.5)]
        self.p.block("header_right")
        for text, face, rpt in lay.get("national_lines", right_lines):
            wmax = self.right - self.left - LEFT_COL_MM + 6
            while self.p.text_width(text, face, rpt) > wmax and rpt > 9:
                rpt -= 0.5
            ln = self.p.line(_TextLine(nfc(text).split(), face, rpt, "center", right_c), right_y)
            right_y += self.pt_mm(rpt) * 1.2
        tw = self.p.mm(ln.box[2] - ln.box[0]) if ln.box else 60
        self.p.hline(right_c - tw / 2, right_c + tw / 2, right_y - self.pt_mm(13) * 0.85)
        right_y += self.pt_mm(13) * 0.5
        # số / ký hiệu under the issuer, place and date under the national header, one row
        row = max(left_y, right_y) + self.pt_mm(13) * 0.4
        num = nfc(lay.get("number_line") or number_line(rec, self.style))
        self.p.resume("header_left")
        self.p.line(_TextLine(num.split(), "regular", 13, "center", left_c), row)
        left_y = row + self.pt_mm(13) * 1.3
        subject = nfc(rec.get("subject") or "")
        if rec.get("doc_type") == "Công văn" and subject:
            vv = nfc(lay.get("subject_prefix", "V/v")) + " " + subject[0].lower() + subject[1:]
            if subject.lower().startswith("về việc"):
                vv = subject
            for words in _balanced_wrap(vv, col_w - 4, self.measure("regular", 12)):
                self.p.line(_TextLine(words, "regular", 12, "center", left_c), left_y)
                left_y += self.pt_mm(12) * 1.15
        self.p.resume("header_right")
        dl = nfc(lay.get("date_line") or date_line(rec.get("place") or "", rec.get("date")))
        self.p.line(_TextLine(dl.split(), "italic", 13.5, "center", right_c), row)
        self.y = max(left_y, row + self.pt_mm(13) * 1.3) + 4

    def kinh_gui(self, names: list[str]) -> None:
        self.p.block("recipients")
        pt = self.body_pt
        self.y += 2
        if len(names) == 1:
            words = ["Kính", "gửi:", *nfc(names[0]).split()]
            words[-1] += "."
            self.p.line(_TextLine(words, "regular", pt, "center", (self.left + self.right) / 2), self.y)
            self.y += self.pt_mm(pt) * 1.35
        else:
            x = self.left + 25
            label = self.p.text_width("Kính gửi: ", "regular", pt)
            for i, name in enumerate(names):
                punct = ";" if i < len(names) - 1 else "."
                words = ["-", *nfc(name).split()]
                words[-1] += punct
                if i == 0:
                    self.p.line(_TextLine(["Kính", "gửi:", *words], "regular", pt, "left", x), self.y)
                else:
                    self.p.line(_TextLine(words, "regular", pt, "left", x + label), self.y)
                self.y += self.pt_mm(pt) * 1.3
        self.y += 3

    def title(self) -> None:
        rec, lay = self.rec, self.lay
        cx = (self.left + self.right) / 2
        self.p.block("title")
        self.y += 4
        name = nfc(lay.get("type_name") or _upper(rec.get("doc_type") or ""))
        self.p.line(_TextLine(name.split(), "bold", 15, "center", cx), self.y)
        self.y += self.pt_mm(15) * 1.25
        for extra in lay.get("title_extra", []):
            self.p.line(_TextLine(nfc(extra).split(), "bold", 14, "center", cx), self.y)
            self.y += self.pt_mm(14) * 1.2
        subject = nfc(rec.get("subject") or "")
        lines = lay.get("subject_lines") or [" ".join(w) for w in
                                             _balanced_wrap(subject, 140, self.measure("bold", 14))]
        for text in lines:
            self.p.line(_TextLine(nfc(text).split(), "bold", 14, "center", cx), self.y)
            self.y += self.pt_mm(14) * 1.2
        if self.style == "state":
            self.p.hline(cx - 17, cx + 17, self.y - self.pt_mm(14) * 0.6)
        else:
            self.p.line(_TextLine(["-----"], "regular", 12, "center", cx), self.y - self.pt_mm(14) * 0.35)
            self.y += self.pt_mm(12) * 0.6
        self.y += 4

    # ---- body
    def body(self, paras: list[_Para]) -> None:
        pt = self.body_pt
        pitch = self.pt_mm(pt) * self.spacing
        width = self.right - self.left
        space = self.p.text_width(" ", "regular", pt)

        def measure(items: list[tuple[str, str]]) -> float:
            return sum(self.p.text_width(w, f, pt) for w, f in items) + space * (len(items) - 1)

        for para in paras:
            items = list(zip(para.text.split(), para.faces, strict=True))
            if para.align == "center":
                lines = _balanced_wrap(items, width - 20, measure)
            else:
                lines = _wrap(items, width - para.indent, width, measure)
            self.y += self.pt_mm(6) if para is not paras[0] else 0
            if self.y + pitch * min(2, len(lines)) > self.bottom:  # no lone first line at a page foot
                self.new_page()
            self.p.block("body")
            for i, line_items in enumerate(lines):
                if self.y > self.bottom:
                    self.new_page()
                    self.p.block("body")
                words_i = [w for w, _ in line_items]
                faces_i = [f for _, f in line_items]
                if para.align == "center":
                    tl = _TextLine(words_i, para.face, pt, "center", (self.left + self.right) / 2, faces=faces_i)
                else:
                    tl = _TextLine(words_i, para.face, pt, "justify", self.left, width,
                                   para.indent if i == 0 else 0.0, faces=faces_i)
                self.p.line(tl, self.y, last_of_para=i == len(lines) - 1)
                self.y += pitch

    # ---- closing: Nơi nhận (left) beside the signature block (right)
    def closing(self, noi_nhan: list[str]) -> None:
        signer = (self.rec.get("signers") or [{}])[0] or {}
        authority = signer.get("authority")
        position = signer.get("position")
        name = signer.get("name")
        sig_lines = [_upper(s) for s in (authority, position) if s]
        recip_h = 8 + len(noi_nhan) * self.pt_mm(11) * 1.25
        sig_h = len(sig_lines) * self.pt_mm(14) * 1.2 + 40
        if self.y + max(recip_h, sig_h) > self.bottom + 4:
            self.new_page()
        top = self.y + 3
        sig_c = (self.left + LEFT_COL_MM + self.right) / 2 + 4
        # reading order: the Nơi nhận column (left) before the signature block (right)
        if noi_nhan:
            self.p.block("recipients_footer")
            y = top + self.pt_mm(12)
            self.p.line(_TextLine(["Nơi", "nhận:"], "bold_italic", 12, "left", self.left), y)
            y += self.pt_mm(12) * 1.2
            sep = "," if self.style == "party" else ";"
            for i, item in enumerate(noi_nhan):
                end = "." if i == len(noi_nhan) - 1 else sep
                words = ["-", *nfc(item).split()]
                words[-1] += end
                self.p.line(_TextLine(words, "regular", 11, "left", self.left), y)
                y += self.pt_mm(11) * 1.25
        self.p.block("signature")
        y = top + self.pt_mm(13)
        for text in sig_lines:
            for words in _balanced_wrap(text, 85, self.measure("bold", 13.5)):
                self.p.line(_TextLine(words, "bold", 13.5, "center", sig_c), y)
                y += self.pt_mm(13.5) * 1.2
        sign_mid = y + 9
        name_y = y + 30
        if name:
            self.p.line(_TextLine(nfc(name).split(), "bold", 14, "center", sig_c), name_y)
        img = self.p.img
        px = self.p.px
        _scribble(img, px(sig_c + self.rng.uniform(-6, 6)), px(sign_mid), px(32), px(11), self.rng, self.dpi)
        if self.stamp:
            ring = self.lay.get("stamp_text") or self.rec.get("issuer") or ""
            _stamp(img, px(sig_c - 19 + self.rng.uniform(-3, 3)), px(sign_mid - 3 + self.rng.uniform(-2, 2)),
                   f"{ring} *", self.fonts, self.rng)
        self.y = max(y, name_y) + 8


def _split_recipients(rec: dict[str, Any], lay: dict[str, Any]) -> tuple[list[str], list[str]]:
    recips = [nfc(r) for r in rec.get("recipients") or []]
    kinh = [nfc(r) for r in lay.get("kinh_gui", [])]
    noi = [nfc(r) for r in lay["noi_nhan"]] if "noi_nhan" in lay else [r for r in recips if r not in kinh]
    return kinh, noi


def render_document(
    record: dict[str, Any],
    body: list[str],
    *,
    style: Style = "state",
    dpi: int = 300,
    seed: int = 0,
    degrade: Degrade = "light",
    stamp: bool = True,
    skew_deg: float | None = None,
    font: str | None = None,
) -> RenderedDocument:
    """Render one document as scanned A4 pages; see the module docstring for what comes back.

    `body` is a list of paragraphs (markers: see `parse_body`). `record["layout"]`, all optional:
    ``issuer_lines`` (header left column, top to bottom, e.g. ``["TỈNH ỦY BÌNH PHƯỚC", "BAN TUYÊN
    GIÁO"]``; default: the issuer upper-cased), ``header`` (False: no header at all, as for a plan
    attached to a cover letter), ``kinh_gui`` (the recipients addressed under the trích yếu),
    ``noi_nhan`` (default: recipients not in kinh_gui), ``title_extra`` (lines under the type name),
    ``subject_lines``, ``number_line``, ``date_line``, ``type_name``, ``stamp_text``, ``body_pt``.
    `skew_deg` (counter-clockwise, degrees) overrides the seeded skew of `degrade`; `font` is a
    family name or a .ttf path. Deterministic: the same arguments give the same pixels."""
    if style not in ("state", "party"):
        raise ValueError(f"style must be 'state' or 'party', not {style!r}")
    if degrade not in ("clean", "light", "heavy"):
        raise ValueError(f"degrade must be 'clean', 'light' or 'heavy', not {degrade!r}")
    rng = random.Random(seed)
    fonts = _Fonts(find_fonts(font), dpi)
    lay = _Layout(record, style, dpi, fonts, rng, stamp)
    kinh, noi = _split_recipients(record, lay.lay)
    if lay.lay.get("header", True):
        lay.header()
    else:
        lay.y = MARGIN_MM["top"] + 2
    if record.get("doc_type") == "Công văn" and lay.lay.get("header", True):
        if kinh:
            lay.kinh_gui(kinh)
    else:
        lay.title()
    lay.body(parse_body(body))
    lay.closing(noi)

    images: list[Image.Image] = []
    angles: list[float] = []
    pages: list[Page] = []
    for i, painter in enumerate(lay.pages):
        prng = np.random.default_rng([seed, i])
        angle = _pick_skew(degrade, skew_deg, prng)
        img = degrade_page(painter.img, degrade, prng, angle, dpi)
        _rotate_truth(painter.page, angle, painter.w, painter.h)
        images.append(img)
        angles.append(angle)
        pages.append(painter.page)
    truth = Document(path="<synthetic>", pages=pages,
                     meta={"style": style, "seed": seed, "degrade": degrade, "dpi": dpi,
                           "font": fonts.files.family})
    return RenderedDocument(images, truth, dpi, angles)


# --------------------------------------------------------------------------- degradation

