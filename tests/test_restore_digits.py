"""Letters read for digits inside numbers are put back; labels, Roman numerals and words are not."""

from __future__ import annotations

import pytest

from sohoa.normalize.digits import fix_digit_confusions
from sohoa.normalize.restore import restore_lines


@pytest.mark.parametrize(("core", "fixed"), [
    ("l4", "14"), ("I9", "19"), ("2O20", "2020"), ("COVID-I9", "COVID-19"), ("l5/2O21/NĐ-CP", "15/2021/NĐ-CP"),
    ("II", "II"), ("IV", "IV"), ("E6", "E6"), ("CO2", "CO2"), ("l", "l"), ("2020", "2020"), ("Il", "Il"),
])
def test_fix_digit_confusions(core, fixed):
    assert fix_digit_confusions(core) == fixed


def test_numbers_after_counters_in_restored_text():
    out = restore_lines(["Bãi bỏ khoản 8 Điều l4, Điều 23 ngày 01 tháng l1 năm 2013 của Chính phủ",
                                  "phòng, chống dịch COVID-I9 theo Phần II"])
    assert "Điều 14," in out[0] and "tháng 11 năm" in out[0]
    assert "COVID-19" in out[1] and "Phần II" in out[1]


def test_a_last_one_read_as_a_bracket_after_a_counter_is_a_one():
    from sohoa.normalize.restore import restore_lines

    assert restore_lines(["ngay 22 thang 1] nam 2019;"]) == ["ngày 22 tháng 11 năm 2019;"]
    assert restore_lines(["xem chu thich [1] o cuoi", "thang [1] nam"]) == ["xem chú thích [1] ở cuối", "tháng [1] năm"]
