"""Channel learning on constructed data: pairing OCR lines with sources and counting confusions."""

from __future__ import annotations

import random
import shutil

import pytest

from normalize.channel import Channel
from normalize.channel_data import (
    RenderSpec,
    available_fonts,
    estimate_channel,
    render_page,
    sample_texts,
    token_pairs,
)


def test_token_pairs_match_lines_and_tokens():
    sources = ["Ủy ban nhân dân tỉnh đề nghị", "các cơ quan báo cáo kết quả thực hiện."]
    ocr = "cdc co quan béo céo két qua thuc hién.\n\nUy ban nhin dan tinh dé nghi\n"
    pairs = token_pairs(sources, ocr)
    assert ("các", "cdc") in pairs and ("hiện", "hién") in pairs
    assert ("ủy", "uy") in pairs and ("nhân", "nhin") in pairs
    assert len(pairs) == 16


def test_estimate_channel_learns_repeated_confusions():
    pairs = [("của", "ctia")] * 6 + [("số", "s6")] * 5 + [("số", "so")] * 5 + [("các", "cdc")] * 4
    params = estimate_channel(pairs, iterations=2, min_count=2)
    assert params.learned["ủ"]["ti"] == pytest.approx(1.0)
    assert params.learned["ố"]["6"] == pytest.approx(0.5)
    assert "c" not in params.learned  # identities are not stored
    learned = Channel(params)
    assert learned.cost("của", "ctia") < Channel().cost("của", "ctia")


def test_sample_texts_is_reproducible_and_bounded():
    paras = [f"Điều {i}. Phạm vi điều chỉnh của văn bản này gồm các nội dung sau đây" for i in range(200)]
    a = sample_texts(paras, 20, seed=3)
    assert a == sample_texts(paras, 20, seed=3)
    assert len(a) == 20 and all(30 <= len(x) <= 95 for x in a)


@pytest.mark.skipif(not available_fonts(), reason="no serif font installed")
def test_render_page_makes_a_degraded_image():
    spec = RenderSpec(available_fonts()[0][0], 12.0, 150, 0.8, 18.0, 140, 50, "eng")
    img = render_page(["Ủy ban nhân dân tỉnh", "Kế hoạch số 46-KH/BTGTU"], spec, random.Random(1))
    assert img.mode == "L" and img.width > 200 and img.height > 50
    assert img.getextrema() == (0, 255)  # binarised


@pytest.mark.skipif(shutil.which("tesseract") is None or not available_fonts(), reason="tesseract not installed")
def test_rendered_line_read_back_by_tesseract():
    from normalize.channel_data import ocr_image

    spec = RenderSpec(available_fonts()[0][0], 14.0, 300, 0.0, 0.0, None, None, "eng")
    lines = ["Ban Thường vụ Tỉnh ủy quán triệt kế hoạch"]
    text = ocr_image(render_page(lines, spec, random.Random(0)), "eng", 300)
    pairs = token_pairs(lines, text)
    assert len(pairs) >= 5 and ("ban", "ban") in pairs
