"""Page images for OCR: a PDF page's own scan image or its rendering, an image file's frame.

Everything a damaged file makes the decoders raise becomes a CorruptFileError naming the page.
"""

from __future__ import annotations

import subprocess

import cv2
import numpy as np

from sohoa.errors import CorruptFileError, ImageTooLargeError, SohoaError
from sohoa.ocr.config import OcrConfig
from sohoa.ocr.inputs import PageJob, pil_pixel_limit, require_poppler
from sohoa.ocr.pdfimage import native_page_image

RENDER_TIMEOUT_S = 300  # pdftoppm on one page


def load_page_image(job: PageJob, config: OcrConfig | None = None) -> np.ndarray:
    """The page as rendered for OCR (BGR or grey uint8), in the frame of the word boxes."""
    return load_page(job, config)[0]


def load_page(job: PageJob, config: OcrConfig | None = None) -> tuple[np.ndarray, int | None]:
    """(page image, its resolution or None when unknown). A scanned PDF page that is just one
    image is taken at the image's own resolution; other PDF pages are rasterised at config.dpi.
    Whatever a damaged file makes the decoders raise becomes a CorruptFileError."""
    try:
        return _load_page(job, config)
    except (SohoaError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 — a malformed page, not a bug of ours: the file fails as corrupt
        first = (str(exc).strip().splitlines() or [""])[0][:160]
        raise CorruptFileError(f"page {job.page_number} cannot be decoded ({type(exc).__name__}: {first})",
                               job.path) from exc


def _load_page(job: PageJob, config: OcrConfig | None = None) -> tuple[np.ndarray, int | None]:
    dpi = config.dpi if config else job.dpi
    if job.kind.startswith("pdf"):
        native = native_page_image(job.path, job.page_number)
        if native is not None and native[0].shape[0] * native[0].shape[1] <= job.max_pixels \
                and 0.5 * dpi <= native[1] <= 2 * dpi:
            return _drop_colour_if_grey(native[0]), int(round(native[1]))
        return _render_pdf_page(job.path, job.page_number, dpi, job.max_pixels), dpi
    return _read_image_frame(job.path, job.frame_index, job.max_pixels), image_dpi(job, config)


def _render_pdf_page(path: str, number: int, dpi: int, max_pixels: int) -> np.ndarray:
    require_poppler(path)
    cmd = ["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number)]
    proc = subprocess.run([*cmd, path], capture_output=True, timeout=RENDER_TIMEOUT_S)
    if proc.returncode != 0 or not proc.stdout:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CorruptFileError(f"page {number} cannot be rendered ({msg[-1] if msg else 'no output'})", path)
    img = cv2.imdecode(np.frombuffer(proc.stdout, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise CorruptFileError(f"page {number} rendered to an unreadable image", path)
    if img.shape[0] * img.shape[1] > max_pixels:
        raise ImageTooLargeError(f"page {number} is {img.shape[1]}×{img.shape[0]} pixels", path)
    return _drop_colour_if_grey(img)


def _read_image_frame(path: str, index: int, max_pixels: int) -> np.ndarray:
    from PIL import Image, ImageOps

    try:
        with pil_pixel_limit(max_pixels), Image.open(path) as im:
            if index:
                im.seek(index)
            if im.size[0] * im.size[1] > max_pixels:
                raise ImageTooLargeError(f"image is {im.size[0]}×{im.size[1]} pixels", path)
            fast = _decode_with_opencv(im, path) if index == 0 else None
            if fast is not None:
                return _drop_colour_if_grey(fast)
            im = ImageOps.exif_transpose(im) if index == 0 else im
            if im.mode in ("1", "L", "I;16", "I", "F"):
                arr = np.asarray(im.convert("L"))
            else:
                arr = cv2.cvtColor(np.asarray(im.convert("RGB")), cv2.COLOR_RGB2BGR)
    except ImageTooLargeError:
        raise
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
        raise CorruptFileError(f"image frame {index + 1} cannot be decoded ({exc})", path) from exc
    return _drop_colour_if_grey(arr)


def _decode_with_opencv(im, path: str) -> np.ndarray | None:
    """Plain 8-bit single-frame PNG/JPEG, upright (no EXIF turn): OpenCV decodes it straight
    into the array we need, about twice as fast as PIL plus a conversion. None otherwise."""
    if im.format not in ("PNG", "JPEG") or im.mode not in ("L", "RGB") or getattr(im, "n_frames", 1) != 1:
        return None
    if im.getexif().get(0x0112, 1) != 1:  # orientation tag: leave turning to PIL's exif_transpose
        return None
    flags = (cv2.IMREAD_GRAYSCALE if im.mode == "L" else cv2.IMREAD_COLOR) | cv2.IMREAD_IGNORE_ORIENTATION
    img = cv2.imdecode(np.fromfile(path, np.uint8), flags)
    if img is None or (img.shape[1], img.shape[0]) != im.size:
        return None  # let PIL decode it and report what is wrong
    return img


def _drop_colour_if_grey(img: np.ndarray) -> np.ndarray:
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if img.ndim == 3:
        small = img[::8, ::8].astype(np.int16)
        if int(np.abs(small - small.mean(axis=2, keepdims=True)).max()) <= 12:
            return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return img


def image_dpi(job: PageJob, config: OcrConfig | None = None) -> int | None:
    """Resolution written in an image file (None when absent or implausible)."""
    if job.kind.startswith("pdf"):
        return load_page(job, config)[1]
    from PIL import Image

    with Image.open(job.path) as im:
        dpi = im.info.get("dpi")
    if dpi and 100 <= float(dpi[0]) <= 2400:
        return int(round(float(dpi[0])))
    return None
