"""Channel data from real scans with ground truth (normalize.channel_real), on a constructed page."""

from __future__ import annotations

import random
import shutil

import pytest
from PIL import Image

from sohoa.normalize.channel_data import RenderSpec, available_fonts, render_page
from sohoa.normalize.channel_real import page_dpi, real_pages, real_pairs

LINES = ["Ủy ban nhân dân tỉnh đề nghị các sở báo cáo", "kết quả thực hiện kế hoạch trước ngày 15 tháng 6"]


def test_page_dpi_from_the_tag_or_an_a4_width():
    img = Image.new("L", (1654, 2339), 255)
    assert page_dpi(img) == pytest.approx(200, abs=1)
    img.info["dpi"] = (300, 300)
    assert page_dpi(img) == 300


def test_real_pages_lists_images_with_a_ground_truth(tmp_path):
    Image.new("L", (100, 100), 255).save(tmp_path / "a.png")
    (tmp_path / "a.gt.txt").write_text("x", encoding="utf-8")
    Image.new("L", (100, 100), 255).save(tmp_path / "b.jpg")  # no ground truth
    (tmp_path / "c.gt.txt").write_text("x", encoding="utf-8")  # no image
    assert list(real_pages(tmp_path)) == ["a"]
    with pytest.raises(FileNotFoundError, match="real pages folder not found"):
        real_pages(tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="no image with ground truth for page 'c'"):
        real_pairs(tmp_path, ["c"])


@pytest.mark.skipif(shutil.which("tesseract") is None or not available_fonts(), reason="tesseract not installed")
def test_a_page_read_by_tesseract_eng_gives_garbled_pairs(tmp_path):
    spec = RenderSpec(available_fonts()[0][0], 13.0, 250, 0.0, 0.0, None, None, "eng")
    page = render_page(LINES, spec, random.Random(0))
    page.save(tmp_path / "p1.png", dpi=(250, 250))
    (tmp_path / "p1.gt.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    logged: list[str] = []
    pairs = real_pairs(tmp_path, ["p1"], dpis=(150, 300), log=logged.append)
    assert len(logged) == 2 and "p1 at 150 dpi" in logged[0]
    intended = {a for a, _ in pairs}
    assert {"ban", "tháng"} <= intended  # tokens of the ground truth, each with what eng read
    assert any(a != b for a, b in pairs)  # eng drops or misreads the marks
    assert len(pairs) >= 20


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None or not available_fonts(), reason="tesseract not installed")
def test_train_adds_the_real_pages_but_not_the_held_out_ones(tmp_path):
    from sohoa.normalize.train import train

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tiny.train.txt").write_text("\n".join([" ".join(LINES)] * 40), encoding="utf-8")
    real = tmp_path / "real"
    real.mkdir()
    spec = RenderSpec(available_fonts()[0][0], 13.0, 250, 0.0, 0.0, None, None, "eng")
    for name in ("p1", "p2"):
        render_page(LINES, spec, random.Random(0)).save(real / f"{name}.png", dpi=(250, 250))
        (real / f"{name}.gt.txt").write_text("\n".join(LINES), encoding="utf-8")
    base = train(str(corpus), str(tmp_path / "a"), seed=1, channel_pages=1, parts=("channel",), log=lambda *_: None)
    info = train(str(corpus), str(tmp_path / "b"), seed=1, channel_pages=1, parts=("channel",), real_dir=str(real),
                 real_holdout=("p2",), log=lambda *_: None)
    assert base["real_pages"] == [] and info["real_pages"] == ["p1"]
    assert info["channel_pairs"] > base["channel_pairs"] + 20  # p1 read at three resolutions
    with pytest.raises(FileNotFoundError, match="no real page with ground truth left"):
        train(str(corpus), str(tmp_path / "c"), channel_pages=0, parts=("channel",), real_dir=str(real),
              real_holdout=("p1", "p2"), log=lambda *_: None)
