"""Numbers read with look-alike letters, re-read with the LSTM's alternatives and digits-only (ocr/numerals.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sohoa.document import Block, Line, Word
from sohoa.ocr.fillins import UNSURE_CONF
from sohoa.ocr.numerals import check_numerals, from_choices, parse_choices, suspect


@pytest.mark.parametrize(("word", "before", "expected"), [
    ("I1", None, True), ("l4,", "Điều", True), ("11]", None, True), ("2O21", None, True),
    ("§", "khoản", True), ("II", "Điều", True),
    ("II", "Chương", False),    # a Roman numeral where one belongs
    ("QH11", None, False), ("E6", None, False), ("T13", None, False),  # letters that are no look-alike
    ("14", "Điều", False), ("Sở", None, False), ("l", None, False),
])
def test_what_counts_as_a_misread_number(word, before, expected):
    assert suspect(word, before) is expected


def _alts(*chars: str) -> list[list[tuple[str, float]]]:
    return [[(c, 90.0 - 10 * i) for i, c in enumerate(group)] for group in chars]


def test_look_alikes_take_the_best_digit_among_the_alternatives():
    assert from_choices("l4", [("14,", _alts("1l", "43", ",."))]) == "14"
    assert from_choices("I1", [("l1", _alts("lT1", "1I"))]) == "11"
    assert from_choices("I1", [("l1", _alts("lT", "1I"))]) is None          # no digit among the choices
    assert from_choices("I1", [("l1", _alts("1I"))]) is None                # groups do not line up with letters
    assert from_choices("§", [("5S", _alts("S5", "S5"))]) is None           # read as two characters


HOCR = """<span class='ocr_line' id='line_1_1'>
      <span class='ocrx_word' id='word_1_1' title='bbox 1 1 9 9; x_wconf 90'>l1
       <span class='ocrx_cinfo' id='lstm_choices_1_1_1'>
        <span class='ocrx_cinfo' id='choice_1_1_1' title='x_confs 84.4'>l</span>
        <span class='ocrx_cinfo' id='choice_1_1_2' title='x_confs 60.1'>1</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_1_2'>
        <span class='ocrx_cinfo' id='choice_1_1_3' title='x_confs 0'> </span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_1_3'>
        <span class='ocrx_cinfo' id='choice_1_1_4' title='x_confs 89.9'>1</span></span>
      </span>
      <span class='ocrx_word' id='word_1_2' title='bbox 11 1 19 9; x_wconf 96'>Đi&quot;
      </span>
     </span>
    </p>"""


def test_hocr_choices_are_read_per_word_blank_groups_left_out():
    words = parse_choices(HOCR)
    assert [w for w, _ in words] == ["l1", 'Đi"']
    assert words[0][1] == [[("l", 84.4), ("1", 60.1)], [("1", 89.9)]]
    assert words[1][1] == []


def _page(*texts: str) -> list[Block]:
    words = [Word(t, (20 + 60 * i, 20, 70 + 60 * i, 50), 91.0) for i, t in enumerate(texts)]
    return [Block([Line(words, (20, 20, 70 + 60 * len(texts), 50))], None, "body")]


IMAGE = np.full((100, 600), 255, np.uint8)


def test_a_number_is_replaced_only_when_both_looks_agree():
    blocks = _page("Điều", "l4,", "khoản", "3")
    n = check_numerals(blocks, IMAGE, lambda _c: [("14,", _alts("1l", "4", ","))], lambda _c: "14")
    word = blocks[0].lines[0].words[1]
    assert n == 1 and word.text == "14," and word.conf == UNSURE_CONF
    blocks = _page("Điều", "l4,")
    assert check_numerals(blocks, IMAGE, lambda _c: [("14,", _alts("1l", "4", ","))], lambda _c: "4") == 0
    assert blocks[0].lines[0].words[1].text == "l4," and blocks[0].lines[0].words[1].conf == 91.0


def test_stamps_and_the_header_fill_in_lines_are_left_alone():
    stamp = _page("Số:", "l1")
    stamp[0].kind = "stamp"
    header = _page("Số:", "l1/UBND")
    header[0].kind = "header_left"
    calls = []
    assert check_numerals([*stamp, *header], IMAGE, lambda c: calls.append(c) or [], lambda _c: "11") == 0
    assert calls == []


def test_a_leading_group_for_the_space_before_the_word_is_skipped():
    assert from_choices("l1", [("l1", _alts("_.", "l1", "1"))]) == "11"
