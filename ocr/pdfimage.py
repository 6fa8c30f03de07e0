"""Take a scanned PDF page's image as it is stored, instead of rasterising the page.

Most scanned PDFs hold one image per page drawn over the whole page. Decoding that image at
its own resolution is several times cheaper than `pdftoppm` resampling it, and loses
nothing. Anything else — several images, a page rotation, visible text or drawings on top,
an image not covering the page, unusual colour spaces or masks — returns None and the
caller rasterises the page with poppler.
"""

from __future__ import annotations

import cv2
import numpy as np

# imported here, not per call: a worker process pays the ~70 ms once, not inside its first page
import pikepdf

_TEXT_OPS = {"BT", "ET", "Tf", "Td", "TD", "Tm", "T*", "Tj", "TJ", "'", '"', "Tc", "Tw", "Tz", "TL", "Ts", "Tr"}
_ALLOWED_OPS = {"q", "Q", "cm", "Do", "gs", "w", "J", "j", "M", "d", "ri", "i"} | _TEXT_OPS


def native_page_image(path: str, number: int) -> tuple[np.ndarray, float] | None:
    """(BGR or grey image, its resolution in dpi) of page `number` (1-based), or None."""
    try:
        with pikepdf.open(path) as pdf:
            return _page_image(pdf.pages[number - 1])
    except Exception:  # noqa: BLE001 — only a fast path: a damaged page is rendered by poppler, which says why
        return None


def _page_image(page) -> tuple[np.ndarray, float] | None:
    if int(page.obj.get("/Rotate", 0)) % 360:
        return None
    xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
    images = {k: v for k, v in xobjects.items() if v.get("/Subtype") == "/Image"}
    if len(images) != 1 or len(xobjects) != 1:
        return None
    matrix = _only_full_page_draw(page)
    if matrix is None:
        return None
    box = [float(v) for v in page.mediabox]
    page_w, page_h = abs(box[2] - box[0]), abs(box[3] - box[1])
    a, b, c, d, e, f = matrix
    if abs(b) > 1e-3 or abs(c) > 1e-3 or a <= 0 or d <= 0:
        return None
    if abs(a - page_w) > 0.01 * page_w or abs(d - page_h) > 0.01 * page_h:
        return None
    if abs(e - min(box[0], box[2])) > 0.01 * page_w or abs(f - min(box[1], box[3])) > 0.01 * page_h:
        return None
    obj = next(iter(images.values()))
    if "/SMask" in obj or "/Mask" in obj or "/Decode" in obj or obj.get("/ImageMask", False):
        return None
    img = _decode(pikepdf.PdfImage(obj))
    if img is None:
        return None
    dpi = img.shape[1] / (page_w / 72.0)
    return img, dpi


def _only_full_page_draw(page) -> list[float] | None:
    """The cm matrix in force when the one image is drawn, if the page does nothing else
    visible (text is allowed only in invisible render mode 3)."""
    ops = pikepdf.parse_content_stream(page)
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[list[float]] = []
    drawn: list[float] | None = None
    render_mode = 0
    for operands, op in ops:
        name = str(op)
        if name not in _ALLOWED_OPS:
            return None
        if name == "q":
            stack.append(ctm)
        elif name == "Q":
            ctm = stack.pop() if stack else ctm
        elif name == "cm":
            ctm = _concat([float(v) for v in operands], ctm)
        elif name == "Tr":
            render_mode = int(operands[0])
        elif name in ("Tj", "TJ", "'", '"') and render_mode != 3:
            return None
        elif name == "Do":
            if drawn is not None:
                return None
            drawn = ctm
    return drawn


def _concat(m: list[float], ctm: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = ctm
    return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]


def _decode(pim) -> np.ndarray | None:
    filters = [str(x) for x in pim.filters]
    cs = str(pim.colorspace) if pim.colorspace else ""
    if filters == ["/DCTDecode"] and cs in ("/DeviceRGB", "/DeviceGray") and pim.bits_per_component == 8:
        data = np.frombuffer(pim.obj.read_raw_bytes(), np.uint8)
        img = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE if cs == "/DeviceGray" else cv2.IMREAD_COLOR)
        return img
    if cs not in ("/DeviceRGB", "/DeviceGray") and not (pim.bits_per_component == 1 and not cs):
        return None
    pil = pim.as_pil_image()
    if pil.mode in ("1", "L"):
        return np.asarray(pil.convert("L"))
    if pil.mode == "RGB":
        return np.ascontiguousarray(np.asarray(pil)[:, :, ::-1])
    return None
