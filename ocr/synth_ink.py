"""Ink that is not text on the synthetic scans: the signature scribble and the round red stamp."""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from sohoa.ocr.synth_fonts import _Fonts, _load_font, _upper

STAMP_INK = (214, 34, 40)

SIGN_INK = (28, 52, 160)


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
