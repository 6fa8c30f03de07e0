"""Learn the OCR channel: render in-domain text into degraded page images, OCR them with Tesseract,
align OCR tokens to the source and count character-sequence confusions.

Part of `sohoa train`. Cost is bounded by `pages` (about 1–3 s of Tesseract per page, one process).
"""

from __future__ import annotations

import io
import os
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from sohoa.normalize.channel import Channel, ChannelParams
from sohoa.normalize.vnsyl import nfc, strip_marks

FONT_CANDIDATES = (  # Times-like serif faces first: the seeds are scans of Times New Roman documents
    ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 4),
    ("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf", 4),
    ("/usr/share/fonts/truetype/freefont/FreeSerif.ttf", 2),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 1),
    ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf", 1),
    ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf", 1),
)
_EDGE = re.compile(r"^[^\w&€¢]+|[^\w&€¢]+$")


@dataclass
class RenderSpec:
    font: str
    point_size: float
    dpi: int
    blur: float
    noise: float
    threshold: int | None
    jpeg_quality: int | None
    lang: str


def available_fonts() -> list[tuple[str, int]]:
    return [(p, w) for p, w in FONT_CANDIDATES if os.path.exists(p)]


def random_spec(rng: random.Random, fonts: list[tuple[str, int]], vie_share: float) -> RenderSpec:
    font = rng.choices([f for f, _ in fonts], weights=[w for _, w in fonts])[0]
    dpi = rng.choice([150, 200, 200, 300])
    return RenderSpec(
        font=font,
        point_size=rng.uniform(11.5, 14.0),
        dpi=dpi,
        blur=rng.uniform(0.0, 1.2) * dpi / 200,
        noise=rng.choice([0.0, 8.0, 18.0, 30.0]),
        threshold=rng.choice([None, rng.randint(110, 175)]),
        jpeg_quality=rng.choice([None, 35, 60]),
        lang="vie" if rng.random() < vie_share else "eng",
    )


def render_page(lines: list[str], spec: RenderSpec, rng: random.Random) -> Image.Image:
    px = int(spec.point_size * spec.dpi / 72)
    font = ImageFont.truetype(spec.font, px)
    widths = [font.getlength(t) for t in lines]
    margin = px * 2
    step = int(px * 1.45)
    img = Image.new("L", (int(max(widths)) + 2 * margin, step * len(lines) + 2 * margin), 255)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((margin, margin + i * step), text, font=font, fill=0)
    if spec.blur > 0.05:
        img = img.filter(ImageFilter.GaussianBlur(spec.blur))
    arr = np.asarray(img, dtype=np.float32)
    if spec.noise:
        nrng = np.random.default_rng(rng.randrange(1 << 30))
        arr = arr + nrng.normal(0, spec.noise, arr.shape)
    arr = np.clip(arr, 0, 255)
    if spec.threshold is not None:
        arr = np.where(arr < spec.threshold, 0, 255)
    img = Image.fromarray(arr.astype(np.uint8))
    if spec.jpeg_quality:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=spec.jpeg_quality)
        img = Image.open(io.BytesIO(buf.getvalue()))
    return img


def ocr_image(img: Image.Image, lang: str, dpi: int) -> str:
    import pytesseract

    return pytesseract.image_to_string(img, lang=lang, config=f"--psm 6 --dpi {dpi}")


def _core(tok: str) -> str:
    return _EDGE.sub("", tok)


def token_pairs(source_lines: list[str], ocr_text: str) -> list[tuple[str, str]]:
    """(intended, observed) token pairs: OCR lines matched to source lines, tokens aligned 1:1."""
    pairs: list[tuple[str, str]] = []
    keys = [strip_marks(s.lower()) for s in source_lines]
    for ocr_line in ocr_text.split("\n"):
        ocr_line = nfc(ocr_line.strip())
        if len(ocr_line) < 5:
            continue
        probe = strip_marks(ocr_line.lower())
        scores = [fuzz.ratio(probe, k) for k in keys]
        best = int(np.argmax(scores))
        if scores[best] < 55:
            continue
        src = [_core(t).lower() for t in source_lines[best].split()]
        obs = [_core(t).lower() for t in ocr_line.split()]
        src_keys = [strip_marks(t) for t in src]
        obs_keys = [strip_marks(t) for t in obs]
        for op in Levenshtein.opcodes(src_keys, obs_keys):
            if op.tag == "equal" or (op.tag == "replace" and op.src_end - op.src_start == op.dest_end - op.dest_start):
                for a, b in zip(src[op.src_start:op.src_end], obs[op.dest_start:op.dest_end], strict=True):
                    if a.isalpha() and b and len(b) <= len(a) + 3:
                        pairs.append((a, b))
    return pairs


def generate_pairs(texts: list[str], pages: int, seed: int, lines_per_page: int = 22,
                   vie_share: float = 0.3, log=None) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    fonts = available_fonts()
    if not fonts:
        raise RuntimeError("no serif TrueType font found for rendering (install fonts-liberation2)")
    pairs: list[tuple[str, str]] = []
    for p in range(pages):
        lines = rng.sample(texts, lines_per_page)
        spec = random_spec(rng, fonts, vie_share)
        img = render_page(lines, spec, rng)
        text = ocr_image(img, spec.lang, spec.dpi)
        new = token_pairs(lines, text)
        pairs.extend(new)
        if log:
            log(f"page {p + 1}/{pages} {os.path.basename(spec.font)} {spec.point_size:.1f}pt {spec.dpi}dpi "
                f"{spec.lang}: {len(new)} token pairs")
    return pairs


def estimate_channel(pairs: Iterable[tuple[str, str]], iterations: int = 2, min_count: int = 2) -> ChannelParams:
    """Hard-EM: align each pair with the current channel, count (char → observed segment), re-estimate."""
    pairs = list(pairs)
    params = ChannelParams()
    for _ in range(iterations):
        channel = Channel(params)
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        cache: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for a, b in pairs:
            key = (a, b)
            if key not in cache:
                cache[key] = channel.align(a, b)
            for c, o in cache[key]:
                counts[c][o] += 1
        learned: dict[str, dict[str, float]] = {}
        for c, outs in counts.items():
            total = sum(outs.values())
            table = {o: n / total for o, n in outs.items() if o != c and n >= min_count}
            if table:
                learned[c] = table
        params = ChannelParams(**{**params.__dict__, "learned": learned})
    return params


def sample_texts(paragraphs: Iterable[str], n: int, seed: int, min_len: int = 30, max_len: int = 95) -> list[str]:
    """Reservoir-sample n text lines of printable length from paragraphs (long ones cut at words)."""
    rng = random.Random(seed)
    chosen: list[str] = []
    seen = 0
    for para in paragraphs:
        words = para.split()
        line = ""
        for w in words:
            if len(line) + len(w) + 1 > max_len:
                break
            line = f"{line} {w}".strip()
        if len(line) < min_len:
            continue
        seen += 1
        if len(chosen) < n:
            chosen.append(line)
        else:
            k = rng.randrange(seen)
            if k < n:
                chosen[k] = line
    return chosen
