"""ocr/layout.py: ND30/HD36 pages come out as header columns, body paragraphs, recipients, signature."""

from __future__ import annotations

import pytest

from sohoa.document import Line, Word
from sohoa.ocr.layout import arrange_blocks

W, H = 2480, 3508


def line(text: str, x0: int, y0: int, char_w: int = 22, h: int = 45) -> Line:
    words, x = [], x0
    for t in text.split():
        words.append(Word(t, (x, y0, x + char_w * len(t), y0 + h), 95.0))
        x += char_w * len(t) + char_w
    return Line(words, (x0, y0, x - char_w, y0 + h))


def merged(a: Line, b: Line) -> Line:
    """What an engine does with a header row: both columns read as one line."""
    return Line(a.words + b.words, (a.box[0], min(a.box[1], b.box[1]), b.box[2], max(a.box[3], b.box[3])))


def nd30_page(style: str = "state") -> list[Line]:
    left = (["HUYỆN ỦY ĐẠI LỘC", "*", "Số 12-CT/HU"] if style == "party"
            else ["ỦY BAN NHÂN DÂN", "TỈNH HÀ GIANG", "Số: 345/UBND-KT", "V/v phòng chống rét đậm"])
    right = (["ĐẢNG CỘNG SẢN VIỆT NAM", "Đại Lộc, ngày 2 tháng 3 năm 2022"] if style == "party"
             else ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "Hà Giang, ngày 5 tháng 1 năm 2024"])
    lines = []
    for i in range(max(len(left), len(right))):
        y = 250 + 60 * i
        a = line(left[i], 300, y) if i < len(left) else None
        b = line(right[i], 1250, y) if i < len(right) else None
        # the first two rows come merged across the gutter, as Tesseract often returns them
        if a and b and i < 2:
            lines.append(merged(a, b))
        else:
            lines += [x for x in (a, b) if x]
    y = 600
    lines.append(line("Kính gửi: Các phòng, ban chuyên môn huyện", 700, y))
    body = ["Thực hiện chỉ đạo của cấp trên về việc tăng cường công tác chỉ đạo, điều hành", "cần đạt",
            "Các cơ quan, đơn vị khẩn trương triển khai các biện pháp bảo đảm an toàn cho", "người dân."]
    y = 720
    for i, t in enumerate(body):
        x0 = 420 if i % 2 == 0 else 300  # first lines indented
        ln = line(t, x0, y)
        if i % 2 == 0:  # stretch justified lines to the right margin
            ln.box = (ln.box[0], ln.box[1], 2250, ln.box[3])
            ln.words[-1].box = (ln.words[-1].box[0], ln.words[-1].box[1], 2250, ln.words[-1].box[3])
        lines.append(ln)
        y += 60 + (40 if i % 2 else 0)
    y += 80
    footer_left = ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]
    footer_right = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "Nguyễn Văn An"]
    for i in range(4):
        a = line(footer_left[i], 300, y + 60 * i) if i < len(footer_left) else None
        b = line(footer_right[i], 1450, y + 60 * i) if footer_right[i] else None
        lines += [x for x in (a, b) if x]
    return lines


@pytest.mark.parametrize("style", ["state", "party"])
def test_header_columns_then_body_then_footer(style):
    blocks = arrange_blocks(nd30_page(style), W, H)
    kinds = [b.kind for b in blocks]
    assert kinds[:2] == ["header_left", "header_right"]
    assert kinds[-2:] == ["recipients", "signature"]
    assert set(kinds[2:-2]) == {"body"}
    left = blocks[0].lines
    right = blocks[1].lines
    assert left[0].text == ("HUYỆN ỦY ĐẠI LỘC" if style == "party" else "ỦY BAN NHÂN DÂN")
    assert "CỘNG" not in " ".join(ln.text for ln in left)  # not interleaved with the motto
    assert right[0].text.startswith(("CỘNG HÒA", "ĐẢNG CỘNG SẢN"))
    assert blocks[-2].lines[0].text == "Nơi nhận:"
    assert blocks[-1].lines[-1].text == "Nguyễn Văn An"


def test_body_paragraphs_are_joined():
    blocks = [b for b in arrange_blocks(nd30_page(), W, H) if b.kind == "body"]
    texts = [" ".join(ln.text for ln in b.lines) for b in blocks]
    assert any(t.startswith("Thực hiện chỉ đạo") and t.endswith("cần đạt") for t in texts)
    assert any(t.startswith("Các cơ quan") and t.endswith("người dân.") for t in texts)


def test_continuation_page_has_no_header():
    lines = [line("tiếp tục triển khai thực hiện các nhiệm vụ được giao trong năm", 300, 200 + 60 * i)
             for i in range(5)]
    blocks = arrange_blocks(lines, W, H)
    assert {b.kind for b in blocks} == {"body"}
    assert sum(len(b.lines) for b in blocks) == 5


def test_lines_without_boxes_kept_in_order():
    lines = [Line.from_text("một"), Line.from_text("hai")]
    blocks = arrange_blocks(lines, W, H)
    assert [ln.text for b in blocks for ln in b.lines] == ["một", "hai"]
