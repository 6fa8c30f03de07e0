"""Channel data from real scans: pages with a proof-read ground truth, read by Tesseract's English-only
model (`eng`, which garbles Vietnamese the way archive OCR does) at several resolutions, OCR lines
matched to ground-truth lines and tokens aligned (channel_data.token_pairs).

Part of `sohoa train --real DIR` (DIR holds NAME.jpg / NAME.png with NAME.gt.txt, as
../shared/dev/real does). Cost: about 5–15 s of Tesseract per page and resolution, one process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from PIL import Image

from sohoa.normalize.channel_data import token_pairs

READ_DPIS = (150, 200, 300)  # resolutions each page is rescaled to before reading
A4_WIDTH_INCHES = 8.27
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")


def page_dpi(img: Image.Image) -> float:
    """The scan's resolution: its DPI tag, else its width taken as an A4 page's (portrait)."""
    tag = img.info.get("dpi")
    if tag and tag[0] and float(tag[0]) > 30:
        return float(tag[0])
    return min(img.size) / A4_WIDTH_INCHES


def read_page(img: Image.Image, dpi: int, lang: str = "eng", psm: int = 4) -> str:
    """Tesseract's text of the page rescaled to `dpi`."""
    import pytesseract

    gray = img.convert("L")
    scale = dpi / page_dpi(img)
    if abs(scale - 1) > 0.02:
        gray = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))),
                           Image.Resampling.LANCZOS)
    return pytesseract.image_to_string(gray, lang=lang, config=f"--psm {psm} --dpi {dpi}")


def real_pages(real_dir: str | os.PathLike) -> dict[str, Path]:
    """name → image of every page of the folder that has a ground truth (NAME.gt.txt)."""
    folder = Path(real_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"real pages folder not found: {folder}")
    out = {}
    for gt in sorted(folder.glob("*.gt.txt")):
        name = gt.name[: -len(".gt.txt")]
        image = next((folder / (name + s) for s in IMAGE_SUFFIXES if (folder / (name + s)).exists()), None)
        if image is not None:
            out[name] = image
    return out


def real_pairs(real_dir: str | os.PathLike, names: Iterable[str], dpis: Iterable[int] = READ_DPIS,
               log: Callable[[str], None] | None = None) -> list[tuple[str, str]]:
    """(intended, observed) token pairs of the named pages, each read at every resolution of `dpis`."""
    pages = real_pages(real_dir)
    pairs: list[tuple[str, str]] = []
    for name in names:
        if name not in pages:
            raise FileNotFoundError(f"no image with ground truth for page {name!r} in {real_dir}")
        truth = [x for x in (Path(real_dir) / f"{name}.gt.txt").read_text(encoding="utf-8").split("\n") if x.strip()]
        with Image.open(pages[name]) as img:
            img.load()
            for dpi in dpis:
                new = token_pairs(truth, read_page(img, dpi))
                pairs.extend(new)
                if log:
                    log(f"real page {name} at {dpi} dpi: {len(new)} token pairs")
    return pairs
