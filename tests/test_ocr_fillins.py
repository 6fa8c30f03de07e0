"""The header's số / ngày lines re-read in variants (ocr/fillins.py)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from sohoa.document import Block, Line, Word
from sohoa.extract.review import assess
from sohoa.ocr.fillins import UNSURE_CONF, check_fill_ins, fill_in_lines, read_slots, slots
from sohoa.record import FieldSource, Record, Source

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def _line(*texts: str, conf: float = 92.0) -> Line:
    words = [Word(t, (100 + 80 * i, 100, 170 + 80 * i, 130), conf) for i, t in enumerate(texts)]
    return Line(words, (100, 100, 170 + 80 * (len(texts) - 1), 130))


def _blocks(*lines: Line) -> list[Block]:
    return [Block(list(lines), None, "header_left"), Block([_line("Căn", "cứ", "12")], None, "body")]


def _reader(*answers: str):
    it = iter(answers)
    return lambda _crop: next(it)


IMAGE = np.full((400, 1200), 255, np.uint8)


def test_only_header_lines_with_the_number_or_the_date_are_checked():
    number, date, other = _line("Số:", "12/KH-UBND"), _line("Hà", "Nội,", "ngày", "3", "tháng", "5", "năm", "2021"), \
        _line("Điều", "12")
    assert fill_in_lines(_blocks(number, date, other)) == [number, date]


def test_agreeing_readings_change_nothing():
    line = _line("Số:", "245/TB-VP")
    # one variant of three may misread: that is noise, not doubt
    assert check_fill_ins(_blocks(line), IMAGE, _reader("Số: 245/TB-VP", "Số: 245/TB-VP", "Số: 24/TB-VP")) == 0
    assert [(w.text, w.conf) for w in line.words] == [("Số:", 92.0), ("245/TB-VP", 92.0)]


def test_a_confident_misread_outvoted_by_the_variants_is_corrected_and_marked_unsure():
    line = _line("Số:", "345/TB-VP")
    assert check_fill_ins(_blocks(line), IMAGE, _reader("Số: 245/TB-VP", "So: 245/TB-VP", "Số: 245/TB-VF")) == 1
    assert [(w.text, w.conf) for w in line.words] == [("Số:", 92.0), ("245/TB-VP", UNSURE_CONF)]


def test_disagreement_without_a_majority_only_marks_the_digits_unsure():
    line = _line("Hà", "Nội,", "ngày", "1]", "tháng", "11", "năm", "2023")
    assert check_fill_ins(_blocks(line), IMAGE, _reader("ngày 17 tháng 11 năm 2023", "ngày 11 tháng 1 năm 2023",
                                                        "ngày tháng năm 2028")) == 1
    assert [w.text for w in line.words] == ["Hà", "Nội,", "ngày", "1]", "tháng", "11", "năm", "2023"]
    unsure = [w.text for w in line.words if w.conf == UNSURE_CONF]
    assert unsure == ["1]", "11", "2023"]


def test_an_unsure_number_reaches_review_with_its_box():
    fs = FieldSource(0, 9, page=1, box=[10, 10, 90, 30], conf=UNSURE_CONF / 100)
    record = Record(number="245", symbol="TB-VP", code="245/TB-VP", source=Source(fields={"number": fs}))
    flags = assess(record)
    assert [(f.field, f.reason) for f in flags][:1] == [("number", "low_confidence")]
    assert flags[0].box == [10, 10, 90, 30]


@pytest.mark.slow
def test_a_1_bit_100_dpi_scan_number_misread_by_the_page_pass_is_read_again(tmp_path):
    from sohoa.ocr.degrade import write_degraded
    from sohoa.ocr.engine import ocr_image

    path = next(p for p in write_degraded(SAMPLES / "tb_vp_ubnd_camlam.jpg", tmp_path) if "1bit100" in p.name)
    page = ocr_image(cv2.imread(str(path)))
    number = next(ln for ln in fill_in_lines(page.blocks) if ln.words[0].text.startswith("Số"))
    code = next(w for w in number.words if "/" in w.text)
    # the page pass reads 345/TB-VP at ~84 % here; whatever it reads, a wrong number is never sure
    assert code.text == "245/TB-VP" or code.conf < 60


def _digits(*answers: str):
    it = iter(answers)
    return lambda _crop, _psm: next(it)


def test_number_slots_are_the_words_after_ngay_thang_and_so():
    line = _line("Hà", "Nội,", "ngày", "ä{`", "tháng", "12", "năm", "2020")
    assert slots(line) == [(3, "day"), (5, "month")]
    assert slots(_line("Số:", "4°5/2020/NĐ-CP")) == [(1, "number")]


def test_a_garbled_day_read_alike_by_most_digit_passes_is_filled_and_unsure():
    line = _line("Hà", "Nội,", "ngày", "ä{`", "tháng", "12", "năm", "2020")
    assert read_slots(line, IMAGE, _digits("31", "31", "3", "31")) == 1
    assert line.words[3].text == "31" and line.words[3].conf == UNSURE_CONF


@pytest.mark.parametrize("answers", [("31", "3", "", "13"), ("41", "41", "41", "41")])
def test_no_majority_or_a_value_out_of_range_leaves_the_slot_alone(answers):
    line = _line("Hà", "Nội,", "ngày", "ä{`", "tháng", "12", "năm", "2020")
    read_slots(line, IMAGE, _digits(*answers))
    assert line.words[3].text == "ä{`"


def test_the_number_of_a_code_is_filled_and_its_symbol_kept():
    line = _line("Số:", "4°5/2020/NĐ-CP")
    assert read_slots(line, IMAGE, _digits("155", "155", "155", "45")) == 1
    assert line.words[1].text == "155/2020/NĐ-CP"
    clean = _line("Số:", "245/TB-VP")
    assert read_slots(clean, IMAGE, _digits()) == 0  # digits already: never read again


def test_the_largest_variant_is_read_only_when_the_first_two_disagree():
    shapes: list[tuple[int, ...]] = []

    def reader(*answers: str):
        it = iter(answers)

        def read(crop):
            shapes.append(crop.shape)
            return next(it)
        return read

    sure = _line("Số:", "245/TB-VP")
    assert check_fill_ins(_blocks(sure), IMAGE, reader("Số: 245/TB-VP", "Số: 245/TB-VP")) == 0
    assert len(shapes) == 2 and sure.words[1].conf == 92.0
    shapes.clear()
    doubt = _line("Số:", "345/TB-VP")
    assert check_fill_ins(_blocks(doubt), IMAGE, reader("Số: 245/TB-VP", "Số: 245/TB-VP", "Số: 245/TB-VP")) == 1
    assert len(shapes) == 3 and shapes[2][0] == 3 * shapes[0][0]  # the 3x variant was read
    assert doubt.words[1].text == "245/TB-VP" and doubt.words[1].conf == UNSURE_CONF
