"""Page clean-up before Tesseract, one function per step (OpenCV, numpy arrays).

Every step returns a new array; geometric steps also return what is needed to map word
boxes back to the rendered page (see `Geometry`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Geometry:
    """Maps boxes from the image Tesseract saw back to the rendered page.

    rendered page --rot90(k)--> oriented --deskew(angle)--> straight --scale--> OCR image"""

    raw_size: tuple[int, int]  # (width, height) of the rendered page
    quarter_turns: int = 0  # np.rot90 k (counter-clockwise)
    deskew_matrix: np.ndarray | None = None  # 2x3 affine applied to the oriented image
    scale: float = 1.0

    def to_raw(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x0, y0, x1, y1 = (v / self.scale for v in box)
        pts = np.array([[x0, y0], [x1, y0], [x0, y1], [x1, y1]], dtype=np.float64)
        if self.deskew_matrix is not None:
            inv = self._inverse()
            pts = pts @ inv[:, :2].T + inv[:, 2]
        pts = _unrotate_points(pts, self.quarter_turns, self.raw_size)
        w, h = self.raw_size
        xs = np.clip(pts[:, 0], 0, w)
        ys = np.clip(pts[:, 1], 0, h)
        return int(round(xs.min())), int(round(ys.min())), int(round(xs.max())), int(round(ys.max()))

    def to_raw_many(self, boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
        """`to_raw` for many boxes at once (one numpy pass instead of one per word)."""
        if not boxes:
            return []
        b = np.asarray(boxes, dtype=np.float64) / self.scale
        x0, y0, x1, y1 = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
        pts = np.stack([np.stack([x0, y0], 1), np.stack([x1, y0], 1), np.stack([x0, y1], 1),
                        np.stack([x1, y1], 1)], 1).reshape(-1, 2)  # 4 corners per box
        if self.deskew_matrix is not None:
            inv = self._inverse()
            pts = pts @ inv[:, :2].T + inv[:, 2]
        pts = _unrotate_points(pts, self.quarter_turns, self.raw_size)
        w, h = self.raw_size
        xs = np.clip(pts[:, 0], 0, w).reshape(-1, 4)
        ys = np.clip(pts[:, 1], 0, h).reshape(-1, 4)
        out = np.rint(np.stack([xs.min(1), ys.min(1), xs.max(1), ys.max(1)], 1)).astype(np.int64)
        return [tuple(row) for row in out.tolist()]

    def _inverse(self) -> np.ndarray:
        inv = self.__dict__.get("_inv")
        if inv is None:  # computed once per page, not once per word
            inv = self.__dict__["_inv"] = cv2.invertAffineTransform(self.deskew_matrix)
        return inv


def _unrotate_points(pts: np.ndarray, k: int, raw_size: tuple[int, int]) -> np.ndarray:
    """Inverse of np.rot90(img, k) for point coordinates (x, y)."""
    w, h = raw_size
    k %= 4
    x, y = pts[:, 0], pts[:, 1]
    if k == 0:
        return pts
    if k == 1:  # oriented (x', y') = (y, w - x)
        return np.stack([w - y, x], axis=1)
    if k == 2:
        return np.stack([w - x, h - y], axis=1)
    return np.stack([y, h - x], axis=1)  # k == 3: (x', y') = (h - y, x)


def to_gray(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        return img
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def shrink(img: np.ndarray, k: int) -> np.ndarray:
    """Area-average reduction by the whole factor k. The last (size mod k) rows and columns
    are dropped: OpenCV's INTER_AREA is 3-4x faster when the ratio is exactly whole."""
    if k <= 1:
        return img
    h, w = img.shape[:2]
    hk, wk = max(1, h // k), max(1, w // k)
    if hk * k <= h and wk * k <= w:
        img = img[: hk * k, : wk * k]
    return cv2.resize(img, (wk, hk), interpolation=cv2.INTER_AREA)


def whiten(gray: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A copy of `gray` with the pixels where the 0/1 uint8 `mask` is set painted white."""
    return cv2.bitwise_or(gray, mask * np.uint8(255))


def _colour_mask(bgr: np.ndarray) -> np.ndarray:
    b, g, r = cv2.split(bgr)
    hi = cv2.max(cv2.max(b, g), r)
    lo = cv2.min(cv2.min(b, g), r)
    # red/pink/magenta stamps: red channel on top; blue/violet ink: blue channel on top.
    # Black ink under a stamp stays: it is dark in every channel, so its chroma is small.
    # (uint8 throughout: saturating subtraction gives 0 where the difference would be negative)
    red = (r == hi) & (cv2.subtract(r, g) >= 30)
    blue = (b == hi) & (cv2.subtract(b, r) >= 30)
    coloured = (cv2.subtract(hi, lo) >= 30) & (red | blue) & (hi >= 120)
    # also take the pale anti-aliased rim of stamp strokes, never dark pixels
    rim = cv2.dilate(coloured.view(np.uint8), np.ones((3, 3), np.uint8)).view(bool) & (lo > 110)
    return coloured | rim


def suppress_colour(bgr: np.ndarray) -> tuple[np.ndarray, float]:
    """Paint saturated red (stamps) and blue (ink signatures) pixels white.

    Dark pixels are kept whatever their hue, so black text under a stamp survives.
    The colour is looked for on a reduced copy first; full resolution is used only in the
    tiles where some was found. Returns the image and the share of pixels removed."""
    if bgr.ndim == 2:
        return bgr, 0.0
    f = 8
    small = cv2.resize(bgr, (max(1, bgr.shape[1] // f), max(1, bgr.shape[0] // f)), interpolation=cv2.INTER_AREA)
    coarse = _colour_mask(small).astype(np.uint8)
    if not coarse.any():
        return bgr, 0.0
    coarse = cv2.dilate(coarse, np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(coarse, connectivity=8)
    out = bgr.copy()
    removed = 0
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        y0, y1, x0, x1 = y * f, min(bgr.shape[0], (y + h) * f), x * f, min(bgr.shape[1], (x + w) * f)
        mask = _colour_mask(bgr[y0:y1, x0:x1])
        out[y0:y1, x0:x1][mask] = 255
        removed += int(mask.sum())
    return out, removed / (bgr.shape[0] * bgr.shape[1])


def otsu_ink(gray: np.ndarray) -> np.ndarray:
    """Boolean ink mask (True = dark) by Otsu's threshold."""
    _, th = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return th > 0


def _small(img: np.ndarray, long_side: int = 1200, exact: bool = True) -> tuple[np.ndarray, float]:
    """A copy whose long side is at most about `long_side`, reduced by a whole factor
    (OpenCV's area averaging is several times faster for whole factors). `exact` keeps every
    row and column (slower when the size is not a multiple of the factor): steps whose result shapes the
    OCR image (masks, skew angle, background) keep it, so their output stays as validated;
    yes/no detectors use the fast whole-factor copy."""
    k = int(np.ceil(max(img.shape[:2]) / long_side))
    if k <= 1:
        return img, 1.0
    if exact:
        h, w = img.shape[:2]
        return cv2.resize(img, (w // k, h // k), interpolation=cv2.INTER_AREA), 1.0 / k
    return shrink(img, k), 1.0 / k


def looks_sideways(gray: np.ndarray) -> bool:
    """Upright text leaves empty rows between its lines but hardly any empty columns (letters
    of different lines fill each other's gaps); a page turned 90° shows the opposite."""
    small, _ = _small(gray, 1000, exact=False)
    ink = otsu_ink(small)
    if ink.mean() < 0.002:
        return False
    ys, xs = np.nonzero(ink)
    y0, y1 = np.percentile(ys, [2, 98]).astype(int)
    x0, x1 = np.percentile(xs, [2, 98]).astype(int)
    inner = ink[y0 : y1 + 1, x0 : x1 + 1]
    inner = cv2.morphologyEx(inner.astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # specks
    rows, cols = inner.sum(axis=1), inner.sum(axis=0)
    empty_rows = float((rows <= 0.05 * max(1.0, np.percentile(rows, 90))).mean())
    empty_cols = float((cols <= 0.05 * max(1.0, np.percentile(cols, 90))).mean())
    return empty_cols > empty_rows + 0.1


def remove_borders(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Whiten dark scanner edges: large dark regions touching the image border."""
    small, f = _small(gray, 1000)
    dark = (small < min(100, int(cv2.threshold(small, 0, 255, cv2.THRESH_OTSU)[0]))).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    h, w = small.shape
    kill = np.zeros(n, dtype=bool)
    for i in range(1, n):
        x, y, bw, bh, _area = stats[i]
        touches = x == 0 or y == 0 or x + bw >= w or y + bh >= h
        if touches and (bw > 0.25 * w or bh > 0.25 * h):
            kill[i] = True
    if not kill.any():
        return gray, 0.0
    mask = kill[labels].astype(np.uint8)
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    share = float(mask.mean())
    if f != 1.0:
        mask = cv2.resize(mask, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST)
    return whiten(gray, mask), share


def remove_rules(gray: np.ndarray) -> tuple[np.ndarray, int]:
    """Erase long horizontal rules (the lines under the motto and the issuer, table borders):
    Tesseract otherwise glues them and the lines next to them into one tall line.
    Found on a half-size copy. Returns the image and the number of rules removed."""
    f = 2 if gray.shape[1] >= 1200 else 1
    small = cv2.resize(gray, (gray.shape[1] // f, gray.shape[0] // f), interpolation=cv2.INTER_AREA) \
        if f > 1 else gray
    ink = otsu_ink(small).astype(np.uint8)
    length = max(30, int(0.06 * small.shape[1]))
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    if not rules.any():
        return gray, 0
    # only thin strokes are rules; blurred text can also leave long runs, but as thick as a line of text
    n_all, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    thin = stats[:, cv2.CC_STAT_HEIGHT] <= max(4, int(0.006 * small.shape[1]))
    thin[0] = False
    for i in np.nonzero(thin)[0]:
        # a rule has paper right above or right below it; a sliver of blurred text has ink on both sides
        x, y, w, h, _ = stats[i]
        d = h + 2
        above = ink[max(0, y - d) : y, x : x + w]
        below = ink[y + h : y + h + d, x : x + w]
        sides = [band.mean() for band in (above, below) if band.size]
        if sides and min(sides) > 0.12:
            thin[i] = False
    n = int(thin.sum())
    if n == 0:
        return gray, 0
    rules = thin[labels].astype(np.uint8)
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    if f > 1:
        rules = cv2.resize(rules, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST)
    return whiten(gray, rules), n


def estimate_skew(gray: np.ndarray, max_angle: float = 5.0) -> float:
    """Skew in degrees: the counter-clockwise turn the page has had (rotate by minus it to fix),
    found by projection profiles:
    the angle at which rows of ink are most sharply separated."""
    small, _ = _small(gray, 1200)
    ink = otsu_ink(small)
    ys, xs = np.nonzero(ink)
    if len(xs) < 200:
        return 0.0
    if len(xs) > 120_000:
        pick = np.random.default_rng(0).choice(len(xs), 120_000, replace=False)
        xs, ys = xs[pick], ys[pick]
    xs = xs.astype(np.float64) - small.shape[1] / 2
    ys = ys.astype(np.float64)
    n_bins = small.shape[0] + small.shape[1]

    buf = np.empty_like(ys)
    part = np.empty_like(xs)

    def sharpness(angle: float) -> float:
        # same arithmetic as ys*cos + xs*sin, in two reused buffers instead of fresh arrays
        t = math.radians(angle)
        np.multiply(ys, math.cos(t), out=buf)
        np.multiply(xs, math.sin(t), out=part)
        np.add(buf, part, out=buf)
        np.subtract(buf, buf.min(), out=buf)
        hist = np.bincount(buf.astype(np.int64), minlength=n_bins)
        return float(np.dot(hist, hist))  # integer sum of squares: exact

    best = max(np.arange(-max_angle, max_angle + 1e-9, 0.5), key=sharpness)
    for step in (0.1, 0.02):
        grid = np.arange(best - 5 * step, best + 5 * step + 1e-9, step)
        best = max(grid, key=sharpness)
    return float(best)


def rotate(img: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate by `angle` degrees (counter-clockwise) about the centre, white fill, same size."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    fill = 255 if img.ndim == 2 else (255, 255, 255)
    out = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)
    return out, m


def estimate_text_dpi(gray: np.ndarray) -> float | None:
    """Resolution at which the body text would be 13 pt, from the height of letters.

    Median height of letter-sized ink components is ~0.485 em for Vietnamese text set in a
    Times-like face (measured on renders); None when there is too little text."""
    small, f = _small(gray, 1800)
    ink = otsu_ink(small).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n < 30:
        return None
    hts = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    wds = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64)
    keep = (hts >= 4) & (hts <= 0.1 * small.shape[0]) & (wds <= 3 * hts) & (wds >= 0.15 * hts)
    if keep.sum() < 30:
        return None
    med = float(np.median(hts[keep])) / f
    em_px = med / 0.485
    return em_px / (13 / 72)


def noise_level(gray: np.ndarray) -> float:
    """Mean absolute change a 3×3 median filter makes: high for speckled or grainy scans."""
    small, _ = _small(gray, 1400, exact=False)
    return float(cv2.mean(cv2.absdiff(small, cv2.medianBlur(small, 3)))[0])


def denoise(gray: np.ndarray) -> np.ndarray:
    return cv2.medianBlur(gray, 3)


def background_unevenness(gray: np.ndarray) -> float:
    """Spread of the paper's brightness across the page (0 = flat)."""
    small, _ = _small(gray, 400, exact=False)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    bg = cv2.GaussianBlur(bg, (0, 0), 5)
    return float(np.percentile(bg, 95) - np.percentile(bg, 5))


def sauvola(gray: np.ndarray, window: int = 31, k: float = 0.2, r: float = 128.0) -> np.ndarray:
    """Sauvola local threshold. Returns 0 (ink) / 255 (paper).

    The local mean and deviation vary slowly, so they are computed on a copy reduced 4×
    and the threshold surface is enlarged back: same result, a fraction of the time."""
    f = 4 if min(gray.shape) >= 8 * window else 1
    g_small = cv2.resize(gray, (gray.shape[1] // f, gray.shape[0] // f), interpolation=cv2.INTER_AREA) \
        if f > 1 else gray
    win = max(3, (window // f) | 1)
    g = g_small.astype(np.float32)
    mean = cv2.boxFilter(g, cv2.CV_32F, (win, win), borderType=cv2.BORDER_REPLICATE)
    sq = cv2.boxFilter(g * g, cv2.CV_32F, (win, win), borderType=cv2.BORDER_REPLICATE)
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    thresh = mean * (1 + k * (std / r - 1))
    if f > 1:
        thresh = cv2.resize(thresh, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.compare(gray.astype(np.float32), thresh, cv2.CMP_GT)  # 255 where paper, else 0


def flatten_background(gray: np.ndarray) -> np.ndarray:
    """Divide by a smooth estimate of the paper so shadows and dark scans become white."""
    small, f = _small(gray, 600)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    bg = cv2.GaussianBlur(bg, (0, 0), 3)
    bg = cv2.resize(np.maximum(bg, 1), (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, bg, scale=255)
