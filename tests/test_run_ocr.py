"""A batch with real OCR: scans made here (PNG, two-page PDF) next to a text file, one pool."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.errors import MissingDependencyError
from sohoa.pipeline.config import load_settings
from sohoa.pipeline.run import run
from tests.test_run import make_docs

LINES = ["ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN", "Số: 215/UBND-KT", "Về việc triển khai kế hoạch năm 2023"]


def _font(px: int) -> ImageFont.FreeTypeFont:
    from sohoa.ocr.synth import find_fonts

    try:
        return ImageFont.truetype(find_fonts().regular, px)
    except MissingDependencyError as e:
        pytest.skip(f"no serif font to render test scans: {e}")


def render(lines: list[str], font: ImageFont.FreeTypeFont) -> Image.Image:
    img = Image.new("L", (1500, 140 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((80, 80 + 90 * i), text, font=font, fill=0)
    return img


@pytest.fixture(scope="module")
def tesseract():
    from sohoa.ocr.engine import check_tesseract

    try:
        check_tesseract("vie")
    except MissingDependencyError as e:
        pytest.skip(str(e))


@pytest.mark.slow
def test_scans_and_text_in_one_batch_with_outputs(tmp_path, tesseract):
    font = _font(48)
    folder = tmp_path / "in"
    make_docs(folder, 1)
    render(LINES, font).save(folder / "scan.png", dpi=(300, 300))
    pages = [render(LINES[:2], font), render([*LINES[1:], "Trang hai của công văn"], font)]
    pages[0].save(folder / "two.pdf", save_all=True, append_images=pages[1:], resolution=300)
    db = tmp_path / "a.sqlite"
    cfg = load_settings(overrides={"jobs": 2, "restore.enabled": False, "output.pdf_dir": str(tmp_path / "pdf"),
                                   "output.alto_dir": str(tmp_path / "alto")})
    rep = run([str(folder)], db=str(db), config=cfg)
    assert rep.files_failed == 0, [f.error for f in rep.files]
    assert rep.files_ok == 3 and rep.pages == 4

    con = sqlite3.connect(db)
    rows = con.execute("SELECT f.path, p.page, p.source, p.mean_conf, p.raw_text FROM pages p"
                       " JOIN files f USING (file_id) WHERE p.source = 'ocr' ORDER BY f.path, p.page").fetchall()
    assert [(Path(r[0]).name, r[1]) for r in rows] == [("scan.png", 1), ("two.pdf", 1), ("two.pdf", 2)]
    assert all(r[3] is not None and r[3] > 50 for r in rows)
    assert "215" in rows[0][4] and "hai" in rows[2][4]
    boxed = con.execute("SELECT count(*) FROM tokens WHERE x0 IS NOT NULL AND file_id IN"
                        " (SELECT file_id FROM files WHERE kind != 'text')").fetchone()[0]
    assert boxed >= 10
    assert (tmp_path / "pdf" / "two.pdf").stat().st_size > 1000
    assert sorted(p.name for p in (tmp_path / "alto").iterdir()) == [
        "scan.p001.xml", "two.p001.xml", "two.p002.xml"]


@pytest.mark.slow
def test_ocr_command_prints_the_text_of_a_scan(tmp_path, tesseract, capsys):
    from sohoa.pipeline.cli import main

    render(LINES, _font(48)).save(tmp_path / "scan.png", dpi=(300, 300))
    assert main(["ocr", str(tmp_path / "scan.png"), "--raw"]) == 0
    out = capsys.readouterr().out
    assert "215/UBND" in out and "LẠNG SƠN" in out


@pytest.mark.slow
def test_extract_command_reads_a_scan(tmp_path, tesseract, capsys):
    import json

    from sohoa.pipeline.cli import main

    render(LINES, _font(48)).save(tmp_path / "scan.png", dpi=(300, 300))
    assert main(["extract", str(tmp_path / "scan.png"), "--no-restore"]) == 0
    records = json.loads(capsys.readouterr().out)  # stdout holds the JSON and nothing else
    assert isinstance(records, list)
    assert all(r["source"]["file"].endswith("scan.png") for r in records)
