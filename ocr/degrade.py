"""Real-looking damage for regression samples: what archives' scans suffer, applied to a clean scan.

- `1bit100`: 1-bit at 100 dpi (a fax-era or bulk-scanner setting);
- `photocopy`: a grey photocopy — lower contrast, blur, speckle, a slight tilt, JPEG at quality 70;
- `stamped`: a red reception stamp (`ĐẾN / Số / Ngày / Chuyển`) over the right header and date
  line, and a red seal ring over the left header; the ink multiplies as on paper (black text under
  a red stroke stays black);
- `pages` (`split_pages`): a multi-page scan kept as one image file per page (`<stem>_pages_1.jpg`,
  `<stem>_pages_2.jpg`, …), as phone and camera captures arrive.

Deterministic (a fixed random seed), so the samples it makes are the same on every machine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

KINDS = ("1bit100", "photocopy", "stamped")
_RED = (205, 35, 45)
_FONTS = ("/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
          "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf")


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for path in _FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def one_bit(im: Image.Image, dpi: float, target_dpi: int = 100) -> Image.Image:
    grey = im.convert("L")
    w, h = grey.size
    small = grey.resize((max(1, int(w * target_dpi / dpi)), max(1, int(h * target_dpi / dpi))), Image.BILINEAR)
    return small.point(lambda v: 255 if v > 150 else 0).convert("1")


def photocopy(im: Image.Image, seed: int = 7) -> Image.Image:
    rng = np.random.default_rng(seed)
    g = np.asarray(im.convert("L").filter(ImageFilter.GaussianBlur(1.1)), dtype=float)
    g = 60 + g * 0.62 + rng.normal(0, 14, g.shape)
    g[rng.random(g.shape) < 0.003] = 30
    return Image.fromarray(np.clip(g, 0, 255).astype(np.uint8)).rotate(0.8, fillcolor=200)


def stamped(im: Image.Image) -> Image.Image:
    rgb = im.convert("RGB")
    w, h = rgb.size
    layer = Image.new("RGB", rgb.size, (255, 255, 255))
    d = ImageDraw.Draw(layer)
    font = _font(max(18, w // 45))
    x0, y0 = int(w * 0.55), int(h * 0.12)
    d.rectangle([x0, y0, x0 + w // 3, y0 + h // 10], outline=_RED, width=max(3, w // 400))
    for i, text in enumerate(("ĐẾN", "Số: 1234", "Ngày: 12/3", "Chuyển: VP")):
        d.text((x0 + 15, y0 + 10 + i * (h // 45)), text, fill=_RED, font=font)
    cx, cy, r = int(w * 0.22), int(h * 0.09), w // 10
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=_RED, width=max(4, w // 300))
    d.ellipse([cx - r * 0.7, cy - r * 0.7, cx + r * 0.7, cy + r * 0.7], outline=_RED, width=max(3, w // 400))
    ink = np.asarray(rgb, dtype=float) * np.asarray(layer, dtype=float) / 255
    return Image.fromarray(ink.astype(np.uint8))


def split_pages(src: Path, out_dir: Path, quality: int = 80) -> list[Path]:
    """Each page of a multi-page image file as its own grey JPEG, numbered from 1; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with Image.open(src) as im:
        dpi = float((im.info.get("dpi") or (300, 300))[0]) or 300.0
        for n in range(getattr(im, "n_frames", 1)):
            im.seek(n)
            path = out_dir / f"{src.stem}_pages_{n + 1}.jpg"
            im.convert("L").save(path, quality=quality, dpi=(dpi, dpi))
            written.append(path)
    return written


def write_degraded(src: Path, out_dir: Path, kinds: tuple[str, ...] = KINDS) -> list[Path]:
    """`<stem>_<kind>.<ext>` in `out_dir` for each kind; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with Image.open(src) as im:
        im.load()
        dpi = float((im.info.get("dpi") or (300, 300))[0]) or 300.0
        written = []
        for kind in kinds:
            if kind == "1bit100":
                path = out_dir / f"{src.stem}_{kind}.png"
                one_bit(im, dpi).save(path, dpi=(100, 100))
            elif kind == "photocopy":
                path = out_dir / f"{src.stem}_{kind}.jpg"
                photocopy(im).save(path, quality=70, dpi=(dpi, dpi))
            elif kind == "stamped":
                path = out_dir / f"{src.stem}_{kind}.jpg"
                stamped(im).save(path, quality=85, dpi=(dpi, dpi))
            else:
                raise ValueError(f"unknown damage {kind!r}; one of {', '.join(KINDS)}")
            written.append(path)
    return written
