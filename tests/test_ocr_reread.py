"""Unsure lines read again from the original image (ocr/reread.py), and second looks that can
never fail a page (engine._read_crop)."""

from __future__ import annotations

import os
import stat

import numpy as np

from sohoa.document import Block, Line, Word
from sohoa.ocr.config import OcrConfig
from sohoa.ocr.engine import _read_crop
from sohoa.ocr.reread import reread_unsure_lines, unsure_lines

IMAGE = np.full((600, 1200), 255, np.uint8)


def _line(text: str, conf: float, y: int = 100) -> Line:
    words = [Word(t, (100 + 90 * i, y, 180 + 90 * i, y + 30), conf) for i, t in enumerate(text.split())]
    return Line(words, (100, y, 180 + 90 * (len(words) - 1), y + 30))


def _reader(text: str, conf: float):
    def read(crop: np.ndarray) -> list[Line]:
        return [_line(text, conf, y=5)]
    return read


def test_only_unsure_text_lines_are_read_again():
    sure, unsure = _line("Căn cứ Luật", 95), _line("Băng văn bán", 60, 200)
    date = _line("Hà Nội, ngày 3 tháng 5 năm 2021", 50, 300)
    stamp = Block([_line("ĐẾN Số: 12", 30, 400)], None, "stamp")
    blocks = [Block([date], None, "header_right"), Block([sure, unsure], None, "body"), stamp]
    assert unsure_lines(blocks) == [unsure]


def test_a_surer_reading_that_spells_as_many_syllables_replaces_the_line():
    line = _line("Băng văn bán nảy", 62)
    n = reread_unsure_lines([Block([line])], IMAGE, _reader("Bằng văn bản này", 91))
    assert n == 1 and line.text == "Bằng văn bản này"
    # boxes are page boxes: the crop's origin (line box minus padding) added back
    assert line.words[0].box[0] >= 90 and line.words[0].box[1] >= 90


def test_a_surer_reading_that_breaks_a_syllable_is_refused():
    line = _line("PHÓ CHỦ TICH", 50)
    assert reread_unsure_lines([Block([line])], IMAGE, _reader("PRÓ CHỦ TỊCH", 80)) == 0
    assert line.text == "PHÓ CHỦ TICH"


def test_a_reading_not_surer_by_the_margin_or_of_another_length_is_refused():
    line = _line("Băng văn bán nảy", 62)
    assert reread_unsure_lines([Block([line])], IMAGE, _reader("Bằng văn bản này", 66)) == 0
    assert reread_unsure_lines([Block([line])], IMAGE, _reader("Bằng", 95)) == 0
    assert line.text == "Băng văn bán nảy"


def test_a_crashing_engine_on_a_crop_reads_as_nothing(tmp_path):
    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\ncat > /dev/null\nkill -FPE $$\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    assert os.access(fake, os.X_OK)
    config = OcrConfig(tesseract_cmd=str(fake))
    assert _read_crop(np.full((40, 200), 255, np.uint8), config, 300, "page 1") == []
    assert _read_crop(np.full((3, 200), 255, np.uint8), OcrConfig(), 300, "page 1") == []
