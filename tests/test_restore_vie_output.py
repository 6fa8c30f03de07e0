"""Restoring what Tesseract `vie` read (marks mostly right): names, English words and accentless
lines of such a document are left alone; the harm measure of bench/restore.py counts these."""

from __future__ import annotations

from sohoa.normalize.restore import restore_lines

CONTRACT = [
    "Hôm nay, ngày 12 tháng 3 năm 2021, tại Đà Nẵng, chúng tôi gồm có:",
    "Bên bán: CÔNG TY CỔ PHẦN MOON STAR VIỆT NAM",
    "Đại diện là Ông Tanaka Hiroshi và Bà Suzuki Kenko",
    "Hai bên thống nhất ký hợp đồng với các điều khoản sau đây:",
    "Căn cứ vào nhu câu và khả năng của hai bên.",
]


def test_a_line_of_foreign_names_is_judged_on_its_vietnamese_words():
    out = restore_lines(CONTRACT)
    assert out[2] == CONTRACT[2]  # `Bà` is not turned into `Bộ` by the names around it
    assert out[1] == CONTRACT[1]
    assert out[4] == "Căn cứ vào nhu cầu và khả năng của hai bên."  # a misread mark is still fixed


def test_accentless_lines_of_a_document_read_with_its_marks_keep_their_letters():
    doc = [*CONTRACT[:4], "Speed up to 5 times", "ban giao tai kho"]
    out = restore_lines(doc)
    assert out[4] == "Speed up to 5 times"
    # marks change as dearly as in a proofread line: where the context is clear they still change
    assert out[5] == "bàn giao tại kho"


def test_an_unknown_name_in_a_proofread_line_stays_but_ocr_mixed_case_does_not():
    doc = [*CONTRACT[:4], "Đại diện CÔNG TY TNHH SUN PHARMA VIỆT NAM ký tên"]
    assert restore_lines(doc)[4] == doc[4]
