"""Roman numerals (headings, `lần thứ XIII`), labels with digits, and short numbers read for words."""

from __future__ import annotations

import pytest

from sohoa.normalize.restore import restore_lines
from sohoa.normalize.slots import Slot, classify_core, is_roman, read_roman_numerals, split_token
from sohoa.normalize.vnsyl import is_syllable_shape


def _slots(line: str) -> list[Slot]:
    out = []
    for tok in line.split():
        prefix, core, suffix = split_token(tok)
        out.append(Slot(0, prefix, core, suffix, classify_core(core, suffix)))
    return out


@pytest.mark.parametrize("word,expected", [("XIII", True), ("IV", True), ("XI", True), ("IL", False),
                                           ("IIII", False), ("X1", False), ("", False), ("Xi", False)])
def test_roman_numerals_are_recognised(word: str, expected: bool) -> None:
    assert is_roman(word) is expected


def test_misread_numerals_are_read_where_a_numeral_is_expected() -> None:
    slots = _slots("IL NQI DUNG")
    read_roman_numerals(slots)
    assert (slots[0].core, slots[0].suffix) == ("II", ".")
    slots = _slots("lan thir X1 va")
    read_roman_numerals(slots)
    assert slots[2].core == "XI"
    slots = _slots("Dai hoi XIIl cua")
    read_roman_numerals(slots)
    assert slots[2].core == "XIII"
    # not where no numeral is expected: a label, a code
    slots = _slots("Khu X1 va")
    read_roman_numerals(slots)
    assert slots[1].core == "X1"


def test_roman_numerals_are_kept_and_give_context() -> None:
    out = restore_lines(["Pai hoi Pang bo tinh 1an thir XI di vao cudc séng; dam bao",
                         "I1. THOI GIAN, NOI DUNG, HINH THUC TUYEN TRUYEN"])
    assert out[0].split()[5:8] == ["lần", "thứ", "XI"]
    assert out[1].startswith("II. THỜI GIAN")
    # in a line in capitals a Roman-looking word mid-line is a word (ĐƠN VỊ)
    assert restore_lines(["CAC DON VI TRUC THUOC"])[0] == "CÁC ĐƠN VỊ TRỰC THUỘC"


def test_a_label_keeps_its_digits_unless_they_spell_a_known_syllable() -> None:
    out = restore_lines(["Dia chi : T13 Keangnam Hanoi Landmark Tower, Khu E6 khu dé thi"])[0]
    assert "T13" in out and "E6" in out
    assert restore_lines(["Ban Thuong vu ban hanh K6 hoach s6 46-KH/BTGTU"])[0].split()[5:7] == ["Kế", "hoạch"]


def test_ai_ao_eo_take_no_modifier() -> None:
    assert is_syllable_shape("kẹo") and is_syllable_shape("hài") and is_syllable_shape("sao")
    assert not is_syllable_shape("eô") and not is_syllable_shape("hâi") and not is_syllable_shape("săo")


def test_a_short_number_between_words_of_a_garbled_line_reads_as_a_word() -> None:
    out = restore_lines(["nhat 13 trén khong gian mang. Tich cuc phong, chong suy thoai vé tu tudng chinh"])[0]
    assert out.startswith("nhất là trên không gian mạng")
    # a number after a word numbers follow stays a number
    assert "Điều 13" in restore_lines(["quy dinh tai Diéu 13 cia Luat nay"])[0]


def test_a_list_number_whose_dot_was_read_as_a_comma_gets_its_dot() -> None:
    assert restore_lines(["2, Bai bé cdc quy dinh tai khoan 8 Diéu 4"])[0].startswith("2. Bãi bỏ các quy định")
    # a number in a list of numbers, or a line of two tokens, is no list number
    assert restore_lines(["3, 4 va 5 khoan"])[0].startswith("3, 4")
    assert restore_lines(["2, Hà"]) == ["2, Hà"]
