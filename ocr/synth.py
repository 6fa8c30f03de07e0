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

import io
import math
import random
import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from sohoa.document import Block, Box, Document, Line, Page, Word, nfc
from sohoa.errors import MissingDependencyError

Style = Literal["state", "party"]
Degrade = Literal["clean", "light", "heavy"]

A4_MM = (210.0, 297.0)
# Nghị định 30/2020 Phụ lục I: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGIN_MM = {"top": 20.0, "bottom": 20.0, "left": 30.0, "right": 15.0}
LEFT_COL_MM = 72.0  # width of the issuer column of the header; the rest is the national column
INK = (22, 20, 24)
SIGN_INK = (28, 52, 160)
STAMP_INK = (214, 34, 40)
FONT_FAMILIES = ("Liberation Serif", "FreeSerif", "DejaVu Serif", "Times New Roman")
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))


# --------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class FontFiles:
    family: str
    regular: str
    bold: str
    italic: str
    bold_italic: str


def _fc_list() -> list[tuple[str, str, str]]:
    """(file, family, style) of every installed font, via fontconfig or a scan of font dirs."""
    out: list[tuple[str, str, str]] = []
    if shutil.which("fc-list"):
        res = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{family[0]}\t%{style[0]}\n"],
            capture_output=True, text=True, check=False,
        )
        for row in res.stdout.splitlines():
            parts = row.split("\t")
            if len(parts) == 3:
                out.append((parts[0], parts[1], parts[2]))
    if not out:  # no fontconfig: guess family and style from file names
        for d in _FONT_DIRS:
            for f in Path(d).rglob("*.ttf") if Path(d).is_dir() else []:
                stem = f.stem
                fam, _, sty = stem.partition("-")
                out.append((str(f), fam, sty or "Regular"))
    return out


def _style_key(style: str) -> str:
    s = style.lower().replace(" ", "")
    bold = "bold" in s
    italic = "italic" in s or "oblique" in s
    if "condensed" in s or "light" in s:
        return "other"
    return {(False, False): "regular", (True, False): "bold", (False, True): "italic",
            (True, True): "bold_italic"}[(bold, italic)]


@lru_cache(maxsize=8)
def find_fonts(family: str | None = None) -> FontFiles:
    """The four faces of a Times-like serif family; `family` may also be a path to a regular .ttf.

    Raises MissingDependencyError when no usable family is installed."""
    if family and Path(family).is_file():
        base = Path(family)
        faces = {"regular": str(base)}
        for key, suffixes in {"bold": ("-Bold", "Bold", "bd"), "italic": ("-Italic", "Italic", "i"),
                              "bold_italic": ("-BoldItalic", "BoldItalic", "bi")}.items():
            stem = base.stem.removesuffix("-Regular").removesuffix("Regular")
            for suf in suffixes:
                cand = base.with_name(stem + suf + base.suffix)
                if cand.is_file():
                    faces[key] = str(cand)
                    break
            faces.setdefault(key, str(base))
        return FontFiles(base.stem, faces["regular"], faces["bold"], faces["italic"], faces["bold_italic"])
    installed = _fc_list()
    wanted = [family] if family else list(FONT_FAMILIES)
    for fam in wanted:
        faces: dict[str, str] = {}
        for path, fam_name, style in installed:
            if fam_name.lower().replace(" ", "") == fam.lower().replace(" ", "") and path.endswith(".ttf"):
                faces.setdefault(_style_key(style), path)
        if {"regular", "bold", "italic", "bold_italic"} <= faces.keys():
            return FontFiles(fam, faces["regular"], faces["bold"], faces["italic"], faces["bold_italic"])
    raise MissingDependencyError(
        f"no serif font found (looked for {', '.join(wanted)})",
        remedy="install one: `apt-get install fonts-liberation2` (or fonts-freefont-ttf, fonts-dejavu-core)",
    )


class _Fonts:
    def __init__(self, files: FontFiles, dpi: int):
        self.files = files
        self.dpi = dpi

    def get(self, face: str, pt: float) -> ImageFont.FreeTypeFont:
        return _load_font(getattr(self.files, face), max(6, round(pt * self.dpi / 72)))


@lru_cache(maxsize=128)
def _load_font(path: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px)


# --------------------------------------------------------------------------- text formats


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


def _upper(text: str) -> str:
    return nfc(nfc(text).upper())


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


def _union(boxes: Sequence[Box]) -> Box | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


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


def _scribble(img: Image.Image, cx: float, cy: float, w: float, h: float, rng: random.Random, dpi: int) -> None:
    """A blue-ink signature: a run of cursive loops (a trochoid with wobble) and an underline flourish."""
    loops = rng.randint(3, 6)
    loop_r = w / loops * rng.uniform(0.35, 0.6)
    tilt = rng.uniform(-0.25, 0.1)
    heights = [rng.uniform(0.25, 1.0) for _ in range(loops + 1)]  # each stroke its own size, like letters
    widths = [rng.uniform(0.2, 1.0) for _ in range(loops + 1)]
    curve = []
    steps = 40 * loops
    for i in range(steps + 1):
        t = i / steps
        phase = 2 * math.pi * loops * t
        k = min(loops - 1, int(t * loops))
        frac = t * loops - k
        env = heights[k] * (1 - frac) + heights[k + 1] * frac
        wid = widths[k] * (1 - frac) + widths[k + 1] * frac
        x = cx - w / 2 + w * t - loop_r * wid * math.sin(phase)
        y = cy + h / 2 * (0.4 - env * (1 + math.cos(phase)) * 0.8) + tilt * (x - cx)
        curve.append((x, y))
    end = curve[-1]
    tail = [end, (cx + w * rng.uniform(0.05, 0.25), cy + h * 0.7), (cx - w * rng.uniform(0.3, 0.5), cy + h * 0.55),
            (cx + w * rng.uniform(0.45, 0.6), cy + h * rng.uniform(0.3, 0.5))]
    ox, oy = int(cx - w), int(cy - 1.5 * h)
    shift = [(x - ox, y - oy) for x, y in curve]
    shift_tail = [(x - ox, y - oy) for x, y in _catmull_rom(tail, 14)]
    layer = Image.new("L", (int(2 * w), int(3 * h)), 0)
    d = ImageDraw.Draw(layer)
    width = max(2, round(0.4 / 25.4 * dpi))
    d.line(shift, fill=235, width=width, joint="curve")
    d.line(shift_tail, fill=210, width=max(1, width - 1), joint="curve")
    layer = layer.filter(ImageFilter.GaussianBlur(0.6 * dpi / 300))
    _multiply(img, layer, SIGN_INK, (ox, oy))


def _catmull_rom(pts: list[tuple[float, float]], steps: int) -> list[tuple[float, float]]:
    if len(pts) < 2:
        return pts
    ext = [pts[0], *pts, pts[-1]]
    out = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            out.append(tuple(
                0.5 * (2 * p1[k] + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                       + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3)
                for k in (0, 1)
            ))
    out.append(pts[-1])
    return out  # type: ignore[return-value]


def _stamp(img: Image.Image, cx: float, cy: float, ring_text: str, fonts: _Fonts, rng: random.Random) -> None:
    """A red round seal: two rings, the issuer's name around, a star in the middle, uneven ink."""
    dpi = fonts.dpi
    r = 18.0 / 25.4 * dpi
    size = int(2 * r + 8)
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    c = size / 2
    ring = max(2, round(0.7 / 25.4 * dpi))
    d.ellipse([c - r, c - r, c + r, c + r], outline=255, width=ring)
    r_in = r * 0.66
    d.ellipse([c - r_in, c - r_in, c + r_in, c + r_in], outline=255, width=max(1, ring // 2))
    star_r = r_in * 0.42
    star = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = star_r if k % 2 == 0 else star_r * 0.4
        star.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(star, fill=255)
    text = _upper(ring_text)
    font = fonts.get("bold", 7.5)
    r_text = (r + r_in) / 2 - font.size * 0.35
    span_max = math.radians(300)
    total = sum(font.getlength(ch) for ch in text) * 1.08
    if total / r_text > span_max:  # shrink to fit the ring
        font = _load_font(fonts.files.bold, max(6, int(font.size * span_max * r_text / total)))
        total = sum(font.getlength(ch) for ch in text) * 1.08
    # a short name is spaced out to run most of the way round, as seal engravers do
    track = min(2.2, max(1.08, 1.08 * span_max * r_text / total))
    total = total / 1.08 * track
    angle = -total / r_text / 2
    for ch in text:
        cw = font.getlength(ch) * track
        phi = angle + cw / 2 / r_text
        angle += cw / r_text
        if ch == " ":
            continue
        glyph = Image.new("L", (font.size * 2, font.size * 2), 0)
        ImageDraw.Draw(glyph).text((font.size, font.size), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(phi), resample=Image.Resampling.BICUBIC)
        gx = c + r_text * math.sin(phi) - glyph.width / 2
        gy = c - r_text * math.cos(phi) - glyph.height / 2
        layer.paste(255, (round(gx), round(gy)), glyph)
    # ink that is heavier on one side and speckled, as a hand-pressed seal prints
    nrng = np.random.default_rng(rng.randrange(2**32))
    speck = Image.fromarray((nrng.random((size // 6 + 1, size // 6 + 1)) * 255).astype(np.uint8))
    speck = speck.resize((size, size), Image.Resampling.BICUBIC)
    yy, xx = np.mgrid[0:size, 0:size] / size
    tilt = rng.uniform(0, 2 * math.pi)
    side = 0.75 + 0.25 * np.cos(tilt) * (xx - 0.5) * 2 + 0.25 * np.sin(tilt) * (yy - 0.5) * 2
    alpha = np.asarray(layer, np.float32) / 255 * np.clip(side, 0.45, 1.0)
    alpha *= 0.7 + 0.3 * np.asarray(speck, np.float32) / 255
    layer = Image.fromarray(np.clip(alpha * 235, 0, 255).astype(np.uint8)).rotate(
        rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
    _multiply(img, layer, STAMP_INK, (round(cx - c), round(cy - c)))


def _multiply(img: Image.Image, alpha: Image.Image, color: tuple[int, int, int], at: tuple[int, int] = (0, 0)) -> None:
    """Ink over paper: darken `img` towards `color` where `alpha` (placed at `at`) is high, in place."""
    x0, y0 = max(0, at[0]), max(0, at[1])
    x1, y1 = min(img.width, at[0] + alpha.width), min(img.height, at[1] + alpha.height)
    if x1 <= x0 or y1 <= y0:
        return
    a = np.asarray(alpha.crop((x0 - at[0], y0 - at[1], x1 - at[0], y1 - at[1])), np.float32)[..., None] / 255
    base = np.asarray(img.crop((x0, y0, x1, y1)), np.float32)
    tint = np.array(color, np.float32) / 255
    out = base * (1 - a + a * tint)
    img.paste(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)), (x0, y0))


# --------------------------------------------------------------------------- document layout


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


def _pick_skew(degrade: Degrade, skew_deg: float | None, rng: np.random.Generator) -> float:
    if skew_deg is not None:
        return float(skew_deg)
    limit = {"clean": 0.0, "light": 0.8, "heavy": 3.0}[degrade]
    return float(rng.uniform(-limit, limit)) if limit else 0.0


def degrade_page(img: Image.Image, degrade: Degrade, rng: np.random.Generator, angle: float = 0.0,
                 dpi: int = 300) -> Image.Image:
    """Scanner look: paper tint, skew, dark bed edges, uneven light, blur, noise, JPEG round trip."""
    scale = dpi / 300
    heavy = degrade == "heavy"
    if degrade != "clean":
        paper = np.array([rng.uniform(242, 252), rng.uniform(238, 250), rng.uniform(225, 245)]) if heavy \
            else np.array([rng.uniform(248, 255), rng.uniform(246, 254), rng.uniform(240, 252)])
        img = ImageChops.multiply(img, Image.new("RGB", img.size, tuple(int(v) for v in paper)))
    if angle:
        bed = (40, 40, 42) if heavy else (250, 250, 250)
        img = img.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=bed)
    if degrade == "clean":
        return img
    arr = np.asarray(img, np.float32)
    h, w = arr.shape[:2]
    if heavy:
        # the scanner bed shows along one or two edges, with a ragged border
        for edge in rng.choice(4, size=int(rng.integers(1, 3)), replace=False):
            depth = int(rng.uniform(0.006, 0.025) * (w if edge in (0, 1) else h))
            jag = np.cumsum(rng.normal(0, 1.2 * scale, size=h if edge in (0, 1) else w)).clip(-depth / 2, depth / 2)
            lim = (depth + jag).astype(int).clip(1, None)
            n_along = h if edge in (0, 1) else w
            idx = np.arange(w if edge in (0, 1) else h)
            mask = idx[None, :] < lim[:, None]  # (along, across)
            if edge == 1 or edge == 3:
                mask = mask[:, ::-1]
            mask = mask if edge in (0, 1) else mask.T
            assert mask.shape == (h, w) and n_along
            arr[mask] = arr[mask] * 0.15 + 20
        # uneven lighting: a soft gradient plus a darker corner
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        gx, gy = rng.uniform(-1, 1, size=2)
        field = 1 - 0.07 * (gx * (xx / w - 0.5) + gy * (yy / h - 0.5)) * 2
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        field -= 0.08 * np.exp(-(((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2) * 3)
        arr *= field[..., None]
        arr = 28 + arr * 0.88  # faded toner: blacks are never black
    sigma_blur = (1.0 if heavy else 0.55) * scale
    u8 = cv2.GaussianBlur(arr.clip(0, 255).astype(np.uint8), (0, 0), sigma_blur)
    if heavy:  # a cheap sensor: optics resolve less than the file's dpi claims
        f = float(rng.uniform(0.5, 0.7))
        small = cv2.resize(u8, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
        u8 = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    arr = u8.astype(np.int16)
    sigma = 9.0 if heavy else 3.0
    noise = rng.standard_normal(size=arr.shape[:2], dtype=np.float32) * sigma
    arr = arr + noise.astype(np.int16)[..., None]
    if heavy:
        sp = rng.random(arr.shape[:2])
        arr[sp < 0.0008] = 10
        arr[sp > 1 - 0.0008] = 250
    img = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(rng.integers(35, 55)) if heavy else int(rng.integers(80, 92)))
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def _rotate_point(x: float, y: float, angle: float, w: int, h: int) -> tuple[float, float]:
    a = math.radians(angle)
    dx, dy = x - w / 2, y - h / 2
    return (w / 2 + dx * math.cos(a) + dy * math.sin(a), h / 2 - dx * math.sin(a) + dy * math.cos(a))


def _rotate_box(box: Box, angle: float, w: int, h: int) -> Box:
    pts = [_rotate_point(x, y, angle, w, h) for x in (box[0], box[2]) for y in (box[1], box[3])]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys)))


def _rotate_truth(page: Page, angle: float, w: int, h: int) -> None:
    """Move the truth boxes to where PIL's counter-clockwise rotation put the ink."""
    for block in page.blocks:
        for line in block.lines:
            if angle:
                for word in line.words:
                    if word.box:
                        word.box = _rotate_box(word.box, angle, w, h)
                line.box = _union([wd.box for wd in line.words if wd.box])
        block.box = _union([ln.box for ln in block.lines if ln.box])
    if angle:
        page.flags.append(f"skew={angle:.2f}")


# --------------------------------------------------------------------------- files


def write_pdf(images: Sequence[Image.Image], path: str | Path, dpi: int, quality: int = 80,
              created: str | None = None) -> Path:
    """An image-only PDF (no text layer), one page per image, at `dpi`.

    `created` (ISO date) fixes the PDF's creation date, which otherwise is now: with it the
    bytes are reproducible."""
    imgs = [im.copy() for im in images]  # PIL leaves encoder settings on the images it saves
    if not imgs:
        raise ValueError("no pages to write")
    path = Path(path)
    first, rest = imgs[0], imgs[1:]
    dates = {}
    if created:
        stamp = time.strptime(created[:10], "%Y-%m-%d")
        dates = {"creationDate": stamp, "modDate": stamp}
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=float(dpi), quality=quality, **dates)
    return path


def write_tiff(images: Sequence[Image.Image], path: str | Path, dpi: int = 300,
               compression: str = "tiff_deflate") -> Path:
    """A multi-page TIFF (lossless by default)."""
    imgs = [im.copy() for im in images]
    if not imgs:
        raise ValueError("no pages to write")
    path = Path(path)
    imgs[0].save(path, "TIFF", save_all=True, append_images=imgs[1:], dpi=(dpi, dpi), compression=compression)
    return path


def write_page_texts(page_texts: Sequence[str], path: str | Path) -> Path:
    """Ground truth as one text file, pages separated by form feeds (as `Document.text()` does)."""
    path = Path(path)
    path.write_text("\f".join(page_texts) + "\n", encoding="utf-8")
    return path


_CODE_RE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Whitespace-insensitive form of a text, handy for CER against OCR output."""
    return _CODE_RE.sub(" ", nfc(text)).strip()
