"""ocr/preprocess.py: each clean-up step does its one job on pages we draw ourselves."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.ocr import preprocess as pp
from sohoa.ocr.synth import find_fonts

LINES = [
    "Thực hiện Kế hoạch số 15-KH/TU ngày 03 tháng 3 năm 2023 của Tỉnh ủy Lạng Sơn",
    "về tăng cường công tác phòng cháy, chữa cháy trong mùa khô, Ủy ban nhân dân",
    "huyện yêu cầu các cơ quan, đơn vị, Ủy ban nhân dân các xã, thị trấn thực hiện",
    "tốt các nội dung sau đây và báo cáo kết quả trước ngày 30 tháng 4 năm 2023.",
] * 3


def text_page(dpi: int = 200, pt: float = 13, width_in: float = 6.5, lines=LINES) -> np.ndarray:
    """Grey page of justified-looking text lines at `dpi`."""
    font = ImageFont.truetype(find_fonts().regular, int(round(pt / 72 * dpi)))
    w = int(width_in * dpi)
    h = int((len(lines) * 1.5 * pt / 72 + 1.0) * dpi)
    im = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(im)
    y = int(0.5 * dpi)
    for ln in lines:
        d.text((int(0.4 * dpi), y), ln, font=font, fill=0)
        y += int(1.5 * pt / 72 * dpi)
    return np.asarray(im).copy()


@pytest.mark.parametrize("angle", [0.0, 0.8, -1.7, 2.9])
def test_deskew_recovers_known_angle(angle):
    page = text_page()
    turned, _ = pp.rotate(page, angle)
    assert abs(pp.estimate_skew(turned) - angle) <= 0.3


def test_red_stamp_removed_black_text_kept():
    gray = text_page(dpi=150)
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    stamped = bgr.copy()
    h, w = gray.shape
    centre, radius = (w // 3, h // 2), h // 3
    cv2.circle(stamped, centre, radius, (40, 30, 210), thickness=9)  # red ring over the text
    cv2.circle(stamped, centre, radius // 2, (40, 30, 210), thickness=-1, lineType=cv2.LINE_AA)
    # the stamp's ink multiplies with the text below it: black stays black
    stamped = np.minimum(stamped, bgr)
    cleaned, share = pp.suppress_colour(stamped)
    assert share > 0.01
    out = pp.to_gray(cleaned)
    ring = np.zeros_like(gray, bool)
    cv2.circle(ring.view(np.uint8), centre, radius, 1, thickness=9)
    ring &= gray > 200  # where there is no text, the ring must be gone
    assert (out[ring] > 200).mean() > 0.98
    text = gray < 100
    assert (out[text] < 128).mean() > 0.97  # text pixels, also those under the stamp, survive


def test_blue_signature_removed():
    bgr = np.full((200, 400, 3), 255, np.uint8)
    cv2.putText(bgr, "OK 123", (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 2.5, (20, 20, 20), 6)
    dark_text = pp.to_gray(bgr) < 128
    cv2.line(bgr, (10, 60), (390, 160), (170, 60, 30), 5)  # blue pen stroke (BGR)
    cleaned, _ = pp.suppress_colour(bgr)
    assert pp.otsu_ink(pp.to_gray(cleaned)).sum() < pp.otsu_ink(pp.to_gray(bgr)).sum()
    stroke = np.zeros((200, 400), np.uint8)
    cv2.line(stroke, (10, 60), (390, 160), 1, 3)
    assert (pp.to_gray(cleaned)[(stroke > 0) & ~dark_text] > 200).mean() > 0.95


def test_scanner_edges_whitened():
    page = text_page(dpi=100)
    framed = page.copy()
    framed[:, :25] = 20  # dark left edge of the scanner lid
    framed[-18:, :] = 30
    cleaned, share = pp.remove_borders(framed)
    assert share > 0.02
    assert cleaned[:, :20].min() > 200 and cleaned[-15:, :].min() > 200
    assert (cleaned[page < 100] < 100).mean() > 0.99  # the text is untouched


def test_text_resolution_estimate_drives_upscaling():
    low = pp.estimate_text_dpi(text_page(dpi=120))
    high = pp.estimate_text_dpi(text_page(dpi=300))
    assert low is not None and high is not None
    assert 90 <= low <= 160 and 240 <= high <= 360


def test_sideways_page_detected():
    page = text_page(dpi=100)
    assert not pp.looks_sideways(page)
    assert pp.looks_sideways(np.ascontiguousarray(np.rot90(page)))


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_geometry_maps_boxes_back(k):
    raw = np.full((300, 200), 255, np.uint8)
    raw[40:60, 30:90] = 0  # a "word"
    turned = np.ascontiguousarray(np.rot90(raw, k))
    straight, m = pp.rotate(turned, 1.5)
    scaled = cv2.resize(straight, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    ys, xs = np.nonzero(scaled < 128)
    box = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    back = pp.Geometry((200, 300), k, m, 2.0).to_raw(box)
    assert all(abs(a - b) <= 4 for a, b in zip(back, (30, 40, 90, 60), strict=True))


def test_sauvola_handles_a_shadow():
    page = text_page(dpi=100).astype(np.float32)
    shadow = np.linspace(0.35, 1.0, page.shape[1])[None, :]
    dark = (page * shadow).astype(np.uint8)
    binar = pp.sauvola(pp.flatten_background(dark), 25)
    text = page < 100
    assert (binar[text] == 0).mean() > 0.9
    assert (binar[~text] == 255).mean() > 0.95
    otsu_paper = ~pp.otsu_ink(dark)[~text]
    assert (binar[~text] == 255).mean() > otsu_paper.mean() + 0.02


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_geometry_maps_many_boxes_like_one_at_a_time(k):
    rng = np.random.default_rng(k)
    _, m = pp.rotate(np.zeros((300, 200), np.uint8), 1.37)
    geometry = pp.Geometry((200, 300), k, m, 1.3)
    corners = rng.integers(0, 300, size=(500, 2))
    boxes = [(int(x), int(y), int(x + w), int(y + h))
             for (x, y), (w, h) in zip(corners, rng.integers(1, 120, size=(500, 2)), strict=True)]
    assert geometry.to_raw_many(boxes) == [geometry.to_raw(b) for b in boxes]
    assert geometry.to_raw_many([]) == []


def test_shrink_is_a_whole_factor_area_mean():
    img = np.random.default_rng(0).integers(0, 256, size=(103, 77), dtype=np.uint8)
    small = pp.shrink(img, 4)
    assert small.shape == (25, 19)
    block = img[8:12, 4:8].astype(np.float64).mean()
    assert abs(int(small[2, 1]) - block) <= 0.5 + 1e-9


def test_colour_mask_matches_its_definition():
    """The uint8 version must flag exactly what the signed-integer formula does."""
    bgr = np.random.default_rng(1).integers(0, 256, size=(120, 90, 3), dtype=np.uint8)
    b, g, r = (bgr[:, :, i].astype(np.int16) for i in range(3))
    hi, lo = np.maximum(np.maximum(b, g), r), np.minimum(np.minimum(b, g), r)
    coloured = (hi - lo >= 30) & (((r == hi) & (r - g >= 30)) | ((b == hi) & (b - r >= 30))) & (hi >= 120)
    rim = cv2.dilate(coloured.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & (lo > 110)
    assert np.array_equal(pp._colour_mask(bgr), coloured | rim)
    assert coloured.any()


def test_sauvola_equals_its_float_formula_on_a_small_page():
    page = np.ascontiguousarray(text_page(dpi=100)[40:200, :300])  # < 8 windows high: no reduction
    out = pp.sauvola(page, 31)
    g = page.astype(np.float32)
    mean = cv2.boxFilter(g, cv2.CV_32F, (31, 31), borderType=cv2.BORDER_REPLICATE)
    sq = cv2.boxFilter(g * g, cv2.CV_32F, (31, 31), borderType=cv2.BORDER_REPLICATE)
    thresh = mean * (1 + 0.2 * (np.sqrt(np.maximum(sq - mean * mean, 0)) / 128.0 - 1))
    assert np.array_equal(out, np.where(g > thresh, 255, 0).astype(np.uint8))
    assert (out == 0).any() and (out == 255).any()
