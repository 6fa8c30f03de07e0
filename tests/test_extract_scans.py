"""Extractor on text laid out the way the OCR stage gives scans: each header column, each centred
subject line, the `Kính gửi` lines, the signature and the `Nơi nhận` list as separate blocks, with
OCR noise (`*`, stamp ink read as symbols, a month read as strokes, a lost `KT.` line).
The documents are written for these tests (other provinces and agencies than the samples)."""

from __future__ import annotations

from sohoa.extract import extract_text
from sohoa.extract.agencies import canonical_phrase
from sohoa.extract.dates import find_dates
from sohoa.extract.recipients import clean_item
from sohoa.extract.signers import implied_authority

DISTRICT_NOTICE = """ỦY BAN NHÂN DÂN
HUYỆN HƯƠNG KHÊ
Số: 318/TB-UBND

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hương Khê, ngày 09 tháng Il năm 2024

THÔNG BÁO

Ý kiến chỉ đạo của Chủ tịch Ủy ban nhân dân huyện

về việc đẩy nhanh tiến độ giải ngân vốn đầu tư công

năm 2024 trên địa bàn huyện

Ngày 05/11/2024, Chủ tịch Ủy ban nhân dân huyện chủ trì buổi làm việc với các cơ quan,
đơn vị về tiến độ giải ngân vốn đầu tư công năm 2024. Sau khi nghe báo cáo, Chủ tịch Ủy
ban nhân dân huyện chỉ đạo như sau:

1. Đối với Ủy ban nhân dân các xã, thị trấn

- Chỉ đạo cán bộ địa chính phối hợp với chủ đầu tư hoàn thành hồ sơ thu hồi đất của các
dự án, hoàn thành trước ngày 30/11/2024.

- Tuyên truyền, vận động người dân bàn giao mặt bằng đúng thời hạn đã cam kết với chủ
đầu tư các dự án trên địa bàn.

2. Phân công thực hiện

- Giao Trung tâm Dịch vụ hạ tầng đô thị huyện chủ trì, phối hợp với các xã lập danh mục
công trình chậm tiến độ, báo cáo trong tháng 12/2024.

Văn phòng HĐND và UBND huyện thông báo để các cơ quan, đơn vị biết, thực hiện./.

Nơi nhận:
- Chủ tịch, các PCT UBND huyện;
- Công an huyện (Đội CSGT);

- Các phòng, ban, ngành cấp huyện; © ~ MÀ tôn
Lưu: VT, TH.

PHÓ CHỦ TỊCH

Lê Văn Thắng
"""

PARTY_DIRECTIVE = """THÀNH ỦY VINH
*
Số 07-CT/ThU

ĐẢNG CỘNG SẢN VIỆT NAM
Vinh, ngày 14 tháng 3 năm 2025

CHỈ THỊ

CỦA BAN THƯỜNG VỤ THÀNH ỦY

về tăng cường công tác bảo vệ môi trường

và xây dựng đô thị văn minh, sạch đẹp

Thời gian qua, các cấp ủy, tổ chức đảng và chính quyền thành phố đã lãnh đạo, chỉ đạo
thực hiện tốt công tác bảo vệ môi trường; tuy nhiên, tình trạng xả rác nơi công cộng vẫn còn
diễn ra ở nhiều khu dân cư. Ban Thường vụ Thành ủy yêu cầu:

1. Ban Tuyên giáo Thành ủy chủ trì, phối hợp với các cơ quan báo chí tuyên truyền sâu rộng
Chỉ thị này trong cán bộ, đảng viên và Nhân dân, hoàn thành trong quý II/2025.

2. Các chi bộ, đảng bộ cơ sở

Đưa nội dung bảo vệ môi trường vào sinh hoạt chi bộ định kỳ; phân công đảng viên phụ trách
từng tổ dân phố, khối phố.

Chỉ thị này được phổ biến đến chi bộ.

Nơi nhận:
- Ban Thường vụ Tỉnh ủy (b/c),
- Các đảng bộ trực thuộc,
- Lưu Văn phòng Thành ủy.

TM BAN THƯỜNG VỤ
PHÓ BÍ THƯ THƯỜNG TRỰC

Nguyễn Văn Hùng
"""


PROVINCE_PLAN = """ỦY BAN NHÂN DÂN
TỈNH LẠNG SƠN
Số: 77/KH-UBND

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Lạng Sơn, ngày 02 tháng 4 năm 2024

KẾ HOẠCH

Số hóa tài liệu lưu trữ của các cơ quan, tổ chức

trên địa bàn tỉnh năm 2024

Thực hiện Quyết định số 15AQĐ-TTg ngày 03/02/2024 của Thủ tướng Chính phủ về chuyển đổi
số trong công tác văn thư, lưu trữ, Ủy ban nhân dân tỉnh yêu cầu:

1. Văn phòng Ủy ban nhân dân tỉnh chỉ đạo Sở Tài chính chủ trì, phối hợp với các đơn vị
bố trí kinh phí số hóa tài liệu, hoàn thành trong tháng 6/2024.

2. Trung tâm Lưu trữ lịch sử tỉnh rà soát, phân loại tài liệu có giá trị lưu trữ vĩnh viễn
trước khi số hóa, báo cáo trong tháng 9/2024.

3. Ủy ban nhân dân các xã Tân Thanh, Tân Mỹ tuyên truyền, hướng dẫn người dân tra cứu hồ
sơ địa chính trên môi trường điện tử.

Nơi nhận:
- Văn phòng Chính phủ (b/c);
- Lưu: VT, NC.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Đoàn Thu Hà
"""


def _one(text: str) -> dict:
    recs = [r.to_dict() for r in extract_text(text, "scan.txt", restore=False)]
    assert len(recs) == 1
    return recs[0]


def test_subject_wrapped_over_separate_blocks_is_joined_and_stops_at_the_body() -> None:
    rec = _one(DISTRICT_NOTICE)
    assert rec["subject"] == ("Ý kiến chỉ đạo của Chủ tịch Ủy ban nhân dân huyện về việc đẩy nhanh tiến độ "
                              "giải ngân vốn đầu tư công năm 2024 trên địa bàn huyện")


def test_party_subject_after_the_of_line_and_blank_blocks() -> None:
    rec = _one(PARTY_DIRECTIVE)
    assert rec["subject"] == "Về tăng cường công tác bảo vệ môi trường và xây dựng đô thị văn minh, sạch đẹp"
    assert rec["doc_type"] == "Chỉ thị"


def test_month_read_as_strokes_still_gives_place_and_date() -> None:
    rec = _one(DISTRICT_NOTICE)
    assert rec["date"] == "2024-11-09"
    assert rec["place"] == "Hương Khê"


def test_lost_kt_line_is_implied_for_a_state_deputy_only() -> None:
    sig = _one(DISTRICT_NOTICE)["signers"][0]
    assert sig["authority"] == "KT. Chủ tịch"
    assert sig["position"] == "Phó Chủ tịch"
    assert implied_authority("Phó Bí thư", "party") is None
    assert implied_authority("Chủ tịch", "state") is None
    assert implied_authority("Phó Giám đốc", "state") == "KT. Giám đốc"


def test_tm_without_dot_on_a_party_signature() -> None:
    sig = _one(PARTY_DIRECTIVE)["signers"][0]
    assert sig["authority"] == "T/M Ban Thường vụ"
    assert sig["position"] == "Phó Bí thư Thường trực"


def test_recipients_drop_stamp_ink_and_split_the_filing_line() -> None:
    recs = _one(DISTRICT_NOTICE)["recipients"]
    assert "Các phòng, ban, ngành cấp huyện" in recs
    assert "Công an huyện (Đội CSGT)" in recs
    assert recs[-1] == "Lưu: VT, TH"
    assert not any("©" in r or "MÀ" in r for r in recs)


def test_bullets_under_doi_voi_heading_belong_to_the_addressed_body() -> None:
    tasks = {t["assignee"]: t for t in _one(DISTRICT_NOTICE)["tasks"]}
    assert "Ủy ban nhân dân các xã, thị trấn" in tasks
    first = tasks["Ủy ban nhân dân các xã, thị trấn"]
    assert first["action"].startswith("chỉ đạo cán bộ địa chính")
    assert first["deadline"] == "2024-11-30"
    assert not any(a.startswith("Cán bộ") for a in tasks)


def test_body_unknown_to_gazetteer_named_between_giao_and_its_role() -> None:
    tasks = {t["assignee"]: t for t in _one(DISTRICT_NOTICE)["tasks"]}
    name = "Trung tâm Dịch vụ hạ tầng đô thị huyện"
    assert name in tasks
    assert tasks[name]["role"] == "chủ trì"
    assert tasks[name]["deadline"] == "2024-12"


def test_stroke_month_needs_strokes_only() -> None:
    assert find_dates("ngày 3 tháng I năm 2024")[0].iso == "2024-01-03"
    assert find_dates("ngày 3 tháng Tư năm 2024") == []


def test_clean_item_and_note_in_parentheses() -> None:
    assert clean_item("- Sở Xây dựng; :") == "Sở Xây dựng"
    assert clean_item("- Đài Phát thanh – Truyền hình tỉnh;") == "Đài Phát thanh – Truyền hình tỉnh"
    assert canonical_phrase("Công an tỉnh (PA05)") == "Công an tỉnh (PA05)"


def test_numbered_item_naming_an_unknown_body_before_its_action() -> None:
    tasks = {t["assignee"]: t for t in _one(PROVINCE_PLAN)["tasks"]}
    assert "Trung tâm Lưu trữ lịch sử tỉnh" in tasks
    assert tasks["Trung tâm Lưu trữ lịch sử tỉnh"]["deadline"] == "2024-09"


def test_lower_level_people_committees_are_not_taken_for_the_issuer() -> None:
    tasks = [t["assignee"] for t in _one(PROVINCE_PLAN)["tasks"]]
    assert "Ủy ban nhân dân các xã Tân Thanh, Tân Mỹ" in tasks
    assert not any(a.startswith("Ủy ban nhân dân tỉnh") for a in tasks)


def test_chi_dao_names_an_assignee_when_a_role_follows() -> None:
    tasks = {t["assignee"]: t for t in _one(PROVINCE_PLAN)["tasks"]}
    assert tasks["Sở Tài chính"]["role"] == "chủ trì"
    assert tasks["Sở Tài chính"]["deadline"] == "2024-06"


def test_reference_whose_slash_ocr_read_as_a_letter() -> None:
    codes = [r["code"] for r in _one(PROVINCE_PLAN)["references"]]
    assert "15/QĐ-TTg" in codes


def test_numbered_headings_after_yeu_cau_name_assignees() -> None:
    tasks = {t["assignee"]: t for t in _one(PARTY_DIRECTIVE)["tasks"]}
    assert "Các chi bộ, đảng bộ cơ sở" in tasks
    assert tasks["Các chi bộ, đảng bộ cơ sở"]["action"].startswith("Đưa nội dung bảo vệ môi trường")
