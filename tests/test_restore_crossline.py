"""Cross-line context: wrapped prose is decoded as one sequence, then split back into its lines."""

from __future__ import annotations

import pytest

from sohoa.normalize.restore import restore_lines

# accentless sentences of the directive style, each wrapped in two lines
WRAPPED = [
    ("Cac dong chi bi thu chi bo co trach nhiem pho bien", "den dang vien trong sinh hoat chi bo hang thang"),
    ("Cac xa, thi tran xay dung ke", "hoach cu the de trien khai"),
    ("Cac don vi bao cao ket qua ve Van phong Uy ban nhan", "dan tinh truoc ngay 15 hang thang"),
]


@pytest.mark.parametrize(("first", "second"), WRAPPED)
def test_wrapped_sentence_decodes_as_its_one_line_form(first: str, second: str) -> None:
    wrapped = restore_lines([first, second])
    one_line = restore_lines([f"{first} {second}"])[0].split()
    assert len(wrapped) == 2
    n_first = len(first.split())
    assert wrapped[0].split() == one_line[:n_first]
    assert wrapped[1].split() == one_line[n_first:]


def test_left_context_comes_from_the_previous_line() -> None:
    # "den" alone at a line start reads as "đen" (black); after "phổ biến" it is "đến" (to)
    first, second = WRAPPED[0]
    assert restore_lines([second])[0].split()[0] == "đen"
    assert restore_lines([first, second])[1].split()[0] == "đến"


def test_line_and_token_counts_kept_across_blank_lines_and_sentence_ends() -> None:
    lines = ["Uy ban nhan dan huyen yeu cau:", "", "- Cac phong, ban chuyen mon tham muu", "to chuc thuc hien.", ""]
    out = restore_lines(lines)
    assert len(out) == len(lines)
    assert [len(x.split()) for x in out] == [len(x.split()) for x in lines]
    assert out[1] == "" and out[4] == ""


@pytest.mark.parametrize(
    ("garbled", "code"),
    [("Thuc hien Cong van sb", "123/UBND-VX ngay 05/3/2024 cua Uy ban nhan dan tinh"),
     ("can cu Ke hoach sb", "15-KH/HU ngay 02/4/2022 cua Ban Thuong vu Huyen uy")],
)
def test_a_document_code_is_the_context_the_lm_was_trained_with(garbled: str, code: str) -> None:
    # a code has letters, so the LM saw it as OTHER: `số` (number) before it, not `sơ` (as in `sơ kết`)
    assert restore_lines([garbled, code])[0].split()[-1] == "số"
