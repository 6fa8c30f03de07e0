"""The synthetic pages degraded like a scanner would, their ground truth turned with them, and written as PDF, TIFF and text."""

from __future__ import annotations

import io
import math
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageChops

from sohoa.document import Box, Page, nfc

Degrade = Literal["clean", "light", "heavy"]


def _union(boxes: Sequence[Box]) -> Box | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


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
