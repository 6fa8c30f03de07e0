"""Restoration v2, first steps: marks inside codes, protected acronyms and labels, the token's own
case, and garbled accentless lines told from foreign ones — on the committed models."""

from __future__ import annotations

from sohoa.normalize.codes import CodeRestorer, build_table
from sohoa.normalize.restore import restore_lines


def one(line: str) -> str:
    return restore_lines([line])[0]


def test_code_segments_get_their_marks_and_digits_never_change():
    out = one("Căn cứ Nghị định số 01/2021/ND-CP và Luật số 91/2015/OH13 của Quốc hội")
    assert "01/2021/NĐ-CP" in out and "91/2015/QH13" in out
    assert one("Quyết định số 1876/QD-UBND ngày 21/8/2023").startswith("Quyết định số 1876/QĐ-UBND")
    assert one("Nghị quyết của HDND tỉnh") == "Nghị quyết của HĐND tỉnh"


def test_code_restorer_changes_a_segment_only_for_a_far_commoner_form():
    table = build_table(["Nghị định 12/2020/NĐ-CP; 13/2020/NĐ-CP"] * 30 + ["Công văn 5/DT-VP"] * 3)
    codes = CodeRestorer(table)
    assert codes.code("99/2019/ND-CP") == "99/2019/NĐ-CP"
    assert codes.code("7/DT-VP") == "7/DT-VP"  # DT is seen as written: no evidence for ĐT
    assert codes.code("2019/ND-CP2") == "2019/NĐ-CP2"
    assert codes.segment("Nd") == "Nd"  # a Title-case word is a name, not a code


def test_acronyms_and_labels_keep_their_letters():
    assert one("Kết quả thí nghiệm của phòng LAB được gửi về").split()[6] == "LAB"
    out = one("Căn hộ tầng E6 khu D2 thuộc dự án")
    assert "E6" in out.split() and "D2" in out.split()
    assert one("Ban Chỉ đạo BCD tỉnh").split()[-2] == "BCĐ"


def test_a_garbled_acronym_lookalike_still_yields_to_strong_context():
    assert one("tu tuong HS Chi Minh, gop phan nang cao") == "tư tưởng Hồ Chí Minh, góp phần nâng cao"


def test_title_case_stays_title_in_a_line_in_capitals():
    out = one("HOP DONG GIUA Bén A VA Bén B")
    assert out.split()[3:5] == ["Bên", "A"] and out.split()[6:8] == ["Bên", "B"]
    assert out.split()[0] == "HỢP"


def test_garbled_accentless_line_is_restored_and_a_foreign_line_is_not():
    out = one("Can ct Ludt Gid ngay thang ndm 2012")
    assert out.split()[4:7] == ["ngày", "tháng", "năm"]
    assert out.split()[0] == "Căn"
    english = "Operating System: Windows 10 Pro; Keyboard: Backlit - US English"
    assert one(english) == english
