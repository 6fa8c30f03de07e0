"""Channel learning on constructed data: pairing OCR lines with sources and counting confusions."""

from __future__ import annotations

import random
import shutil

import pytest

from sohoa.normalize.channel import Channel
from sohoa.normalize.channel_data import (
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
    from sohoa.normalize.channel_data import ocr_image

    spec = RenderSpec(available_fonts()[0][0], 14.0, 300, 0.0, 0.0, None, None, "eng")
    lines = ["Ban Thường vụ Tỉnh ủy quán triệt kế hoạch"]
    text = ocr_image(render_page(lines, spec, random.Random(0)), "eng", 300)
    pairs = token_pairs(lines, text)
    assert len(pairs) >= 5 and ("ban", "ban") in pairs


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None or not available_fonts(), reason="tesseract not installed")
def test_train_rebuilds_all_model_files_reproducibly(tmp_path):
    from sohoa.normalize.restorer import Restorer
    from sohoa.normalize.train import train

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [f"Điều {i}. Ủy ban nhân dân tỉnh có trách nhiệm tổ chức thực hiện các nhiệm vụ được giao" for i in range(60)]
    (corpus / "tiny.train.txt").write_text("\n".join(lines), encoding="utf-8")
    (corpus / "tiny.test.txt").write_text("\n".join(["không được dùng để huấn luyện"] * 20), encoding="utf-8")
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    info = train(str(corpus), str(out_a), seed=1, channel_pages=1, log=lambda *_: None)
    train(str(corpus), str(out_b), seed=1, channel_pages=1, log=lambda *_: None)
    names = sorted(p.name for p in out_a.iterdir())
    assert names == ["restore_case.npy", "restore_channel.json", "restore_codes.json", "restore_lm.npz",
                     "restore_vocab.json"]
    assert info["files"] == ["tiny.train.txt"] and info["channel_pairs"] > 0
    for name in names:
        if name.endswith(".json") or name.endswith(".npy"):
            assert (out_a / name).read_bytes() == (out_b / name).read_bytes(), name
    assert "huấn" not in (out_a / "restore_vocab.json").read_text(encoding="utf-8")
    restorer = Restorer(str(out_a))
    assert restorer.restore_lines(["Uy ban nhan dan tinh"]) == ["Ủy ban nhân dân tỉnh"]
