"""Page images for the review site: a stored file's page re-rasterised the way OCR saw it (the frame
of the word boxes), as PNG, and crops of a field's box; both kept in a small in-memory cache."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

Box = tuple[int, int, int, int]


class PageImages:
    """PNG renderings of a stored file's pages, re-rasterised on demand and kept in a small cache."""

    def __init__(self, size: int = 8):
        self.size = size
        self.cache: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def png(self, path: str, kind: str | None, page: int, dpi: int | None, crop: Box | None = None) -> bytes | None:
        key = (path, page, crop)
        with self.lock:
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key]
        # looked up through the module so that tests can replace the renderer
        from sohoa.pipeline.review import images

        data = images.render_page_png(path, kind, page, dpi) if crop is None else images.render_crop_png(
            path, kind, page, dpi, crop)
        if data is not None:
            with self.lock:
                self.cache[key] = data
                while len(self.cache) > self.size:
                    self.cache.popitem(last=False)
        return data


def render_page_png(path: str, kind: str | None, page: int, dpi: int | None, max_width: int = 1600) -> bytes | None:
    """The page re-rasterised as OCR saw it (the frame of the word boxes), as PNG; None when the file
    is gone, is text, or cannot be read any more."""
    if not kind or kind == "text" or not os.path.isfile(path):
        return None
    import cv2

    image = _load(path, kind, page, dpi)
    if image is None:
        return None
    if image.shape[1] > max_width:
        scale = max_width / image.shape[1]
        image = cv2.resize(image, (max_width, max(1, round(image.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", image)
    return buf.tobytes() if ok else None


def _load(path: str, kind: str | None, page: int, dpi: int | None):  # -> numpy array | None
    if not kind or kind == "text" or not os.path.isfile(path):
        return None
    from sohoa.ocr.engine import load_page_image
    from sohoa.ocr.inputs import PageJob

    try:
        return load_page_image(PageJob(path, kind, page, dpi or 300))
    except Exception:  # a file changed or damaged since the run: show the text only
        return None


def render_crop_png(path: str, kind: str | None, page: int, dpi: int | None, box: Box, pad: int = 24,
                    max_width: int = 900) -> bytes | None:
    """The box (in the page's OCR pixel frame) with a margin, at full resolution (capped width)."""
    import cv2

    image = _load(path, kind, page, dpi)
    if image is None:
        return None
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    x0, y0 = max(0, min(x0, x1) - pad), max(0, min(y0, y1) - pad)
    x1, y1 = min(w, max(box[0], box[2]) + pad), min(h, max(box[1], box[3]) + pad)
    if x1 <= x0 or y1 <= y0:
        return None
    crop = image[y0:y1, x0:x1]
    if crop.shape[1] > max_width:
        scale = max_width / crop.shape[1]
        crop = cv2.resize(crop, (max_width, max(1, round(crop.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", crop)
    return buf.tobytes() if ok else None


def resolve_path(stored: str, run_dir: str | None, archive_dir: str) -> str:
    """Where a stored file path is now: absolute as stored; else relative to the directory the run
    ran in (file_paths.run_dir), else to the archive's directory, else to this process's."""
    if os.path.isabs(stored):
        return stored
    for base in (run_dir, archive_dir):
        if base and os.path.isfile(os.path.join(base, stored)):
            return os.path.join(base, stored)
    return os.path.abspath(stored)

