"""The `best` Tesseract model: where it is looked for, the fallback to `fast`, and a real read."""

from __future__ import annotations

import shutil

import pytest

from sohoa.ocr import tessdata
from sohoa.ocr.config import OcrConfig


def test_fast_is_the_system_model():
    assert tessdata.tessdata_dir("fast") is None


def test_unknown_model_is_refused():
    with pytest.raises(ValueError, match="ocr.model"):
        tessdata.tessdata_dir("medium")


def test_best_missing_falls_back_with_a_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(tessdata.ENV_DIR, str(tmp_path))
    monkeypatch.setattr(tessdata, "_warned", set())
    assert tessdata.tessdata_dir("best") is None
    assert "vie.traineddata" in capsys.readouterr().err
    assert tessdata.tessdata_dir("best") is None
    assert capsys.readouterr().err == ""  # once per folder


def test_best_found_in_the_owned_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(tessdata.ENV_DIR, str(tmp_path))
    (tmp_path / "vie.traineddata").write_bytes(b"x")
    assert tessdata.tessdata_dir("best") == str(tmp_path)
    assert tessdata.tessdata_dir("best", "vie+eng") is None  # eng missing there


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
def test_best_model_reads_a_page_when_installed():
    """Set-up installs the model (scripts/get_tessdata.sh); this fails if it did not."""
    import numpy as np

    from sohoa.ocr.engine import ocr_image
    from sohoa.ocr.synth import render_document

    folder = tessdata.owned_dir()
    assert (folder / "vie.traineddata").is_file(), f"set-up did not install the best model in {folder}"
    record = {"doc_type": "Công văn", "number": "15", "symbol": "UBND-VP", "issuer": "Ủy ban nhân dân tỉnh Kiên Giang",
              "place": "Kiên Giang", "date": "2024-03-05", "subject": "Về việc triển khai kế hoạch",
              "signers": [{"authority": "TM. Ủy ban nhân dân", "position": "Chủ tịch", "name": "Lâm Minh Thành"}]}
    img = np.asarray(render_document(record, ["Đề nghị các sở, ngành khẩn trương triển khai."], dpi=200,
                                     degrade="clean", stamp=False, seed=1).images[0].convert("L"))
    page = ocr_image(img, OcrConfig(model="best", orientation=False), dpi=200)
    assert "khẩn trương" in " ".join(ln.text for ln in page.lines)
