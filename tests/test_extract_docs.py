"""Extractor on constructed documents of other provinces and agencies, both layouts, clean and
garbled. The texts are written for these tests (not taken from the seeds)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from sohoa.extract import extract_text

STATE_DECISION = """ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH NGHỆ AN Độc lập - Tự do - Hạnh phúc

Số: 1234/QĐ-UBND Nghệ An, ngày 12 tháng 9 năm 2024

QUYẾT ĐỊNH
Về việc ban hành Kế hoạch phòng, chống dịch bệnh mùa mưa bão năm 2024

ỦY BAN NHÂN DÂN TỈNH NGHỆ AN

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư;
Theo đề nghị của Giám đốc Sở Y tế tại Tờ trình số 88/TTr-SYT ngày 03/9/2024.

QUYẾT ĐỊNH:

Điều 1. Ban hành kèm theo Quyết định này Kế hoạch phòng, chống dịch bệnh mùa mưa bão năm 2024.

Điều 2. Giao Sở Y tế chủ trì, phối hợp với Sở Tài chính, Công an tỉnh tổ chức triển khai thực hiện, hoàn thành trước ngày 30/11/2024.

Điều 3. Sở Nông nghiệp và Phát triển nông thôn phối hợp với Ủy ban nhân dân các huyện, thành phố theo dõi tình hình, báo cáo định kỳ hằng quý.

Nơi nhận:
- Như Điều 3;
- Bộ Y tế (b/c);
- Chủ tịch, các PCT UBND tỉnh;
- Lưu: VT, KGVX.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH



Bùi Đình Long
"""

STATE_LETTER = """UBND TỈNH QUẢNG NINH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ GIÁO DỤC VÀ ĐÀO TẠO Độc lập - Tự do - Hạnh phúc

Số: 215/SGDĐT-VP Quảng Ninh, ngày 05 tháng 3 năm 2024
V/v triển khai Chỉ thị số 07-CT/TU
của Ban Thường vụ Tỉnh ủy

Kính gửi:
- Phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố;
- Các trường trung học phổ thông.

Thực hiện Chỉ thị số 07-CT/TU ngày 20/02/2024 của Ban Thường vụ Tỉnh ủy Quảng Ninh, Sở Giáo dục và Đào tạo đề nghị các đơn vị triển khai các nội dung sau:

1. Tổ chức quán triệt Chỉ thị đến toàn thể cán bộ, giáo viên, hoàn thành trong tháng 4/2024.

2. Báo cáo kết quả về Sở (qua Văn phòng) trước ngày 15/5/2024.

Nơi nhận:
- Như trên;
- Giám đốc, các PGĐ Sở;
- Lưu: VT, VP.

KT. GIÁM ĐỐC
PHÓ GIÁM ĐỐC



Lê Văn Hùng
"""

PARTY_DIRECTIVE = """THÀNH ỦY CẦN THƠ ĐẢNG CỘNG SẢN VIỆT NAM
*
Cần Thơ, ngày 9 tháng 10 năm 2025
Số 05-CT/TU

CHỈ THỊ
CỦA BAN THƯỜNG VỤ THÀNH ỦY
về tăng cường công tác bảo vệ nền tảng tư tưởng của Đảng trong tình hình mới

Thực hiện Quy định số 213-QĐ/TW, ngày 02/01/2020 của Bộ Chính trị và Kế hoạch số 26-
KH/BTGTW, ngày 05/5/2021 của Ban Tuyên giáo Trung ương, Ban Thường vụ Thành ủy yêu cầu:

1. Các cấp ủy, tổ chức đảng nâng cao nhận thức về công tác bảo vệ nền tảng tư tưởng.

2. Ban Tuyên giáo và Dân vận Thành ủy chủ trì, phối hợp với Sở Văn hóa, Thể thao và Du lịch, Công an thành phố tham mưu tổ chức thực hiện; hoàn thành trong tháng 12-2025.

3. Đảng ủy Ủy ban nhân dân thành phố lãnh đạo các sở, ngành triển khai thực hiện Chỉ thị này.

Nơi nhận:
- Ban Tuyên giáo và Dân vận Trung ương,
- Các đảng ủy trực thuộc Thành ủy,
- Lưu Văn phòng Thành ủy.

T/M BAN THƯỜNG VỤ
BÍ THƯ



Đỗ Thanh Bình
"""

PARTY_PLAN_NEW_PROVINCE = """TỈNH ỦY AN GIANG
BAN TUYÊN GIÁO VÀ DÂN VẬN ĐẢNG CỘNG SẢN VIỆT NAM
* An Giang, ngày 10 tháng 8 năm 2025
Số 12-HD/BTGDVTU

HƯỚNG DẪN
tuyên truyền kỷ niệm 80 năm Cách mạng tháng Tám và Quốc khánh 2/9

Căn cứ Hướng dẫn số 176-HD/BTGTW, ngày 10/12/2024 của Ban Tuyên giáo Trung ương, Ban Tuyên giáo và Dân vận Tỉnh ủy hướng dẫn như sau:

I- TỔ CHỨC THỰC HIỆN

1. Đảng ủy các xã, phường, đặc khu

Xây dựng kế hoạch tuyên truyền phù hợp với địa phương, hoàn thành trước ngày 20/8/2025.

2. Sở Văn hóa, Thể thao và Du lịch

Chủ trì, phối hợp với Báo và Phát thanh, Truyền hình An Giang tổ chức các hoạt động văn hóa, văn nghệ.

Nơi nhận:
- Ban Tuyên giáo và Dân vận Trung ương (b/c),
- Thường trực Tỉnh ủy (b/c),
- Lưu BTGDVTU.

K/T TRƯỞNG BAN
PHÓ TRƯỞNG BAN THƯỜNG TRỰC



Nguyễn Thị Hồng Nhung
"""

DISTRICT_PARTY_REPORT = """ĐẢNG BỘ TỈNH THÁI BÌNH ĐẢNG CỘNG SẢN VIỆT NAM
HUYỆN ỦY KIẾN XƯƠNG
* Kiến Xương, ngày 14 tháng 3 năm 2023
Số 88-BC/HU

BÁO CÁO
kết quả thực hiện Nghị quyết số 05-NQ/TU của Ban Chấp hành Đảng bộ tỉnh

Thực hiện Hướng dẫn số 12-HD/BTCTU ngày 2/2/2023 của Ban Tổ chức Tỉnh ủy, Ban Thường vụ Huyện ủy báo cáo như sau:

I. KẾT QUẢ

Ủy ban nhân dân huyện chủ trì, phối hợp với Ủy ban Mặt trận Tổ quốc Việt Nam huyện tổ chức thực hiện.

II. ĐỀ XUẤT

Đề nghị Ban Tổ chức Tỉnh ủy quan tâm hướng dẫn; đề nghị Sở Tài chính bố trí kinh phí trước ngày 30/6/2023.

Nơi nhận:
- Thường trực Tỉnh ủy (b/c),
- Ban Tổ chức Tỉnh ủy,
- Lưu VPHU.

T/M BAN THƯỜNG VỤ
BÍ THƯ



Phạm Văn Tuấn
"""

CITY_COUNCIL_RESOLUTION = """HỘI ĐỒNG NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
THÀNH PHỐ HỒ CHÍ MINH Độc lập - Tự do - Hạnh phúc

Số: 15/2025/NQ-HĐND Thành phố Hồ Chí Minh, ngày 20 tháng 7 năm 2025

NGHỊ QUYẾT
Quy định mức chi hỗ trợ cho lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở

HỘI ĐỒNG NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH
KHÓA X, KỲ HỌP THỨ HAI

Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;
Xét Tờ trình số 2233/TTr-UBND ngày 01 tháng 7 năm 2025 của Ủy ban nhân dân Thành phố;

QUYẾT NGHỊ:

Điều 1. Quy định mức chi hỗ trợ.

Điều 2. Giao Ủy ban nhân dân Thành phố tổ chức triển khai thực hiện Nghị quyết này.

Nơi nhận:
- Ủy ban Thường vụ Quốc hội;
- Chính phủ;
- Lưu: VT.

CHỦ TỊCH



Nguyễn Thị Lệ
"""

DISTRICT_OFFICE_LETTER = """UBND HUYỆN CHÂU THÀNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
PHÒNG GIÁO DỤC VÀ ĐÀO TẠO Độc lập - Tự do - Hạnh phúc

Số: 45/PGDĐT Châu Thành, ngày 3 tháng 10 năm 2022
V/v tổ chức Hội khỏe Phù Đổng cấp huyện

Kính gửi: Hiệu trưởng các trường trung học cơ sở trên địa bàn huyện.

Căn cứ Kế hoạch số 120/KH-UBND ngày 20/9/2022 của Ủy ban nhân dân huyện, Phòng Giáo dục và Đào tạo đề nghị các trường đăng ký danh sách trước ngày 15/10/2022.

Nơi nhận:
- Như trên;
- Lưu: VT.

TRƯỞNG PHÒNG



Võ Minh Triết
"""

COMMUNE_PARTY_PROGRAMME = """ĐẢNG BỘ TỈNH AN GIANG ĐẢNG CỘNG SẢN VIỆT NAM
ĐẢNG ỦY XÃ MỸ HÒA HƯNG
* Mỹ Hòa Hưng, ngày 15 tháng 9 năm 2025
Số 21-CTr/ĐU

CHƯƠNG TRÌNH HÀNH ĐỘNG
thực hiện Nghị quyết Đại hội đại biểu Đảng bộ xã lần thứ I, nhiệm kỳ 2025 - 2030

Thực hiện Quy định số 08-QĐi/TW ngày 25/10/2021 của Ban Chấp hành Trung ương, Ban Chấp hành Đảng bộ xã ban hành Chương trình hành động như sau:

III. TỔ CHỨC THỰC HIỆN

1. Đảng ủy Ủy ban nhân dân xã lãnh đạo xây dựng kế hoạch thực hiện, hoàn thành trước ngày 30/10/2025.

2. Ủy ban Mặt trận Tổ quốc Việt Nam xã chủ trì, phối hợp với các đoàn thể chính trị - xã hội xã tuyên truyền.

3. Văn phòng Đảng ủy theo dõi, báo cáo định kỳ 6 tháng.

Nơi nhận:
- Ban Thường vụ Tỉnh ủy (b/c),
- Các chi bộ trực thuộc,
- Lưu VPĐU.

T/M ĐẢNG ỦY
BÍ THƯ



Trương Văn Sáu
"""

WARD_LETTER_2025 = """ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
PHƯỜNG HẢI CHÂU Độc lập - Tự do - Hạnh phúc

Số: 312/UBND-VP Hải Châu, ngày 02 tháng 12 năm 2025
V/v tăng cường công tác phòng cháy, chữa cháy dịp cuối năm

Kính gửi: Công an phường.

Thực hiện Chỉ thị số 19/CT-TTg ngày 24/6/2024 của Thủ tướng Chính phủ, Ủy ban nhân dân phường yêu cầu Công an phường chủ trì, phối hợp với Phòng Văn hóa - Xã hội kiểm tra các cơ sở kinh doanh, hoàn thành trong tháng 12/2025.

Nơi nhận:
- Như trên;
- TT Đảng ủy phường (b/c);
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH



Lê Thị Thu Hà
"""


def _garble(text: str) -> str:
    """Strip marks and mimic the seeds' OCR confusions: Đ → P, số → s6, ủy → uy."""
    out = text.replace("Đ", "P").replace("đ", "d").replace("số", "s6").replace("Số", "S6")
    out = unicodedata.normalize("NFD", out)
    out = "".join(c for c in out if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", out)


def _one(text: str, restore: bool = False) -> dict:
    recs = [r.to_dict() for r in extract_text(text, "t.txt", restore=restore)]
    assert len(recs) == 1, [r["code"] for r in recs]
    return recs[0]


def _assignees(rec: dict) -> list[str]:
    return [t["assignee"] for t in rec["tasks"]]


def test_state_decision_header_and_signer():
    r = _one(STATE_DECISION)
    assert r["doc_type"] == "Quyết định"
    assert (r["number"], r["symbol"], r["code"]) == ("1234", "QĐ-UBND", "1234/QĐ-UBND")
    assert r["issuer"] == "Ủy ban nhân dân tỉnh Nghệ An"
    assert r["place"] == "Nghệ An"
    assert r["date"] == "2024-09-12"
    assert r["subject"].startswith("Về việc ban hành Kế hoạch phòng, chống dịch bệnh")
    s = r["signers"][0]
    assert s["authority"].startswith("TM.") and "Ủy ban nhân dân" in s["authority"]
    assert s["position"] == "Phó Chủ tịch"
    assert s["name"] == "Bùi Đình Long"


def test_state_decision_tasks_references_deadlines():
    r = _one(STATE_DECISION)
    tasks = {t["assignee"]: t for t in r["tasks"]}
    assert "Sở Y tế" in tasks
    assert tasks["Sở Y tế"]["role"] == "chủ trì"
    assert tasks["Sở Y tế"]["partners"] == ["Sở Tài chính", "Công an tỉnh"]
    assert tasks["Sở Y tế"]["deadline"] == "2024-11-30"
    nn = tasks["Sở Nông nghiệp và Phát triển nông thôn"]
    assert nn["role"] == "phối hợp"
    codes = {x["code"]: x for x in r["references"]}
    assert codes["30/2020/NĐ-CP"]["doc_type"] == "Nghị định"
    assert codes["30/2020/NĐ-CP"]["date"] == "2020-03-05"
    assert codes["88/TTr-SYT"]["doc_type"] == "Tờ trình"
    assert "1234/QĐ-UBND" not in codes  # its own code is not a reference
    assert {"text": "định kỳ hằng quý", "date": None} in r["deadlines"]
    assert "Bộ Y tế" in r["recipients"] and "Lưu: VT, KGVX" in r["recipients"]


def test_state_letter_stacked_issuer_and_recipients():
    r = _one(STATE_LETTER)
    assert r["doc_type"] == "Công văn"
    assert r["code"] == "215/SGDĐT-VP"
    assert r["issuer"] == "Sở Giáo dục và Đào tạo tỉnh Quảng Ninh"
    assert r["subject"] == "Triển khai Chỉ thị số 07-CT/TU của Ban Thường vụ Tỉnh ủy"
    assert r["recipients"][:2] == ["Phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố",
                                   "Các trường trung học phổ thông"]
    assert r["signers"][0] == {"authority": "KT. Giám đốc", "position": "Phó Giám đốc", "name": "Lê Văn Hùng"}
    ref = r["references"][0]
    assert (ref["code"], ref["doc_type"], ref["date"]) == ("07-CT/TU", "Chỉ thị", "2024-02-20")
    dates = {d["date"] for d in r["deadlines"]}
    assert {"2024-04", "2024-05-15"} <= dates


def test_party_directive_interleaved_header_city():
    r = _one(PARTY_DIRECTIVE)
    assert r["doc_type"] == "Chỉ thị"
    assert r["code"] == "05-CT/TU"
    assert r["issuer"] == "Thành ủy Cần Thơ"
    assert r["place"] == "Cần Thơ"
    assert r["date"] == "2025-10-09"
    assert r["subject"].startswith("Về tăng cường công tác bảo vệ nền tảng tư tưởng")
    refs = {x["code"]: x for x in r["references"]}
    assert refs["213-QĐ/TW"]["doc_type"] == "Quy định"
    assert refs["213-QĐ/TW"]["issuer"] == "Bộ Chính trị"
    assert refs["26-KH/BTGTW"]["date"] == "2021-05-05"  # code split over a line break
    tasks = {t["assignee"]: t for t in r["tasks"]}
    t = tasks["Ban Tuyên giáo và Dân vận Thành ủy"]
    assert t["role"] == "chủ trì"
    assert t["partners"] == ["Sở Văn hóa, Thể thao và Du lịch", "Công an thành phố"]
    assert t["deadline"] == "2025-12"
    assert "Đảng ủy Ủy ban nhân dân thành phố" in tasks
    assert r["signers"][0] == {"authority": "T/M Ban Thường vụ", "position": "Bí thư", "name": "Đỗ Thanh Bình"}


def test_party_guidance_after_2025_merger():
    r = _one(PARTY_PLAN_NEW_PROVINCE)
    assert r["doc_type"] == "Hướng dẫn"
    assert r["code"] == "12-HD/BTGDVTU"
    assert r["issuer"] == "Ban Tuyên giáo và Dân vận Tỉnh ủy An Giang"
    assert r["date"] == "2025-08-10"
    assert _assignees(r)[:2] == ["Đảng ủy các xã, phường, đặc khu", "Sở Văn hóa, Thể thao và Du lịch"]
    assert r["tasks"][0]["deadline"] == "2025-08-20"
    assert r["tasks"][1]["role"] == "chủ trì"
    assert r["signers"][0]["authority"] == "K/T Trưởng ban"
    assert r["signers"][0]["position"] == "Phó Trưởng ban Thường trực"
    assert r["signers"][0]["name"] == "Nguyễn Thị Hồng Nhung"
    assert "Ban Tuyên giáo và Dân vận Trung ương" in r["recipients"]


@pytest.mark.parametrize("doc", [STATE_DECISION, STATE_LETTER, PARTY_DIRECTIVE, PARTY_PLAN_NEW_PROVINCE])
def test_garbled_keeps_key_fields(doc):
    """Without marks and with Đ read as P, the header fields still come out in gazetteer form."""
    clean = _one(doc)
    bad = _one(_garble(doc))
    for f in ("doc_type", "code", "issuer", "place", "date"):
        assert bad[f] == clean[f], f
    assert bad["signers"][0]["position"] == clean["signers"][0]["position"]
    assert {x["code"] for x in bad["references"]} == {x["code"] for x in clean["references"]}
    assert set(_assignees(bad)) == set(_assignees(clean))


def test_cover_letter_and_attached_plan_without_header():
    cover = STATE_LETTER.replace(
        "Thực hiện Chỉ thị",
        "Căn cứ Kế hoạch số 12-KH/TU ngày 02/01/2024, Sở nhận được Kế hoạch số 31-KH/TU ngày 01/3/2024 "
        "của Ban Thường vụ Tỉnh ủy (đính kèm). Thực hiện Chỉ thị",
    )
    attached = "KẾ HOẠCH\n\nthực hiện Chỉ thị số 07-CT/TU\n\nI- MỤC ĐÍCH, YÊU CẦU\n\n1. Sở Y tế chủ trì tổ chức.\n"
    recs = [r.to_dict() for r in extract_text(cover + "\n" + attached, "cover.txt", restore=False)]
    assert [r["doc_type"] for r in recs] == ["Công văn", "Kế hoạch"]
    plan = recs[1]
    assert plan["code"] == "31-KH/TU"
    assert plan["date"] == "2024-03-01"
    assert plan["issuer"] == "Tỉnh ủy Quảng Ninh"
    assert plan["source"]["derived_from"]["code"] == "215/SGDĐT-VP"
    assert plan["subject"] == "Thực hiện Chỉ thị số 07-CT/TU"


def test_provenance_spans_point_at_the_values():
    text = PARTY_DIRECTIVE
    r = _one(text)
    f = r["source"]["fields"]
    assert text[f["code"]["start"]:f["code"]["end"]].replace(" ", "").endswith("05-CT/TU")
    d = text[f["date"]["start"]:f["date"]["end"]]
    assert re.search(r"9 tháng 10 năm 2025", d)
    assert f["code"]["page"] == 1 and r["source"]["pages"] == [1, 1]
    ref_span = f["references"][0]
    assert "213" in text[ref_span["start"]:ref_span["end"]]


def test_district_party_report():
    r = _one(DISTRICT_PARTY_REPORT)
    assert (r["doc_type"], r["code"], r["issuer"]) == ("Báo cáo", "88-BC/HU", "Huyện ủy Kiến Xương")
    assert r["place"] == "Kiến Xương" and r["date"] == "2023-03-14"
    tasks = {t["assignee"]: t for t in r["tasks"]}
    assert tasks["Ủy ban nhân dân huyện"]["role"] == "chủ trì"
    assert tasks["Ủy ban nhân dân huyện"]["partners"] == ["Ủy ban Mặt trận Tổ quốc Việt Nam huyện"]
    assert tasks["Sở Tài chính"]["deadline"] == "2023-06-30"  # `đề nghị …` in the middle of a sentence
    assert "Ban Tổ chức Tỉnh ủy" in tasks
    refs = {x["code"]: x for x in r["references"]}
    assert refs["12-HD/BTCTU"] == {"doc_type": "Hướng dẫn", "code": "12-HD/BTCTU", "date": "2023-02-02",
                                   "issuer": "Ban Tổ chức Tỉnh ủy"}


def test_city_council_resolution_signed_without_authority_line():
    r = _one(CITY_COUNCIL_RESOLUTION)
    assert (r["doc_type"], r["code"]) == ("Nghị quyết", "15/2025/NQ-HĐND")
    assert r["issuer"] == "Hội đồng nhân dân thành phố Hồ Chí Minh"
    assert r["signers"] == [{"authority": None, "position": "Chủ tịch", "name": "Nguyễn Thị Lệ"}]
    assert [t["assignee"] for t in r["tasks"]] == ["Ủy ban nhân dân thành phố"]
    assert r["references"][0]["code"] == "2233/TTr-UBND"


def test_district_office_letter_without_type_in_symbol():
    r = _one(DISTRICT_OFFICE_LETTER)
    assert (r["doc_type"], r["number"], r["code"]) == ("Công văn", "45", "45/PGDĐT")
    assert r["issuer"] == "Phòng Giáo dục và Đào tạo huyện Châu Thành"
    assert r["place"] == "Châu Thành"
    assert r["recipients"][0] == "Hiệu trưởng các trường trung học cơ sở trên địa bàn huyện"
    assert r["signers"][0]["position"] == "Trưởng phòng" and r["signers"][0]["name"] == "Võ Minh Triết"


def test_commune_party_programme_after_2025():
    r = _one(COMMUNE_PARTY_PROGRAMME)
    assert (r["doc_type"], r["code"]) == ("Chương trình hành động", "21-CTr/ĐU")
    assert r["issuer"] == "Đảng ủy xã Mỹ Hòa Hưng"
    assert r["references"][0]["code"] == "08-QĐi/TW" and r["references"][0]["doc_type"] == "Quy định"
    tasks = {t["assignee"]: t for t in r["tasks"]}
    assert tasks["Đảng ủy Ủy ban nhân dân xã"]["deadline"] == "2025-10-30"
    assert tasks["Ủy ban Mặt trận Tổ quốc Việt Nam xã"]["role"] == "chủ trì"
    assert r["signers"][0] == {"authority": "T/M Đảng ủy", "position": "Bí thư", "name": "Trương Văn Sáu"}


def test_ward_letter_does_not_confuse_a_ward_with_a_province():
    r = _one(WARD_LETTER_2025)
    assert r["issuer"] == "Ủy ban nhân dân phường Hải Châu"  # not the province Lai Châu
    assert r["place"] == "Hải Châu"
    assert r["references"][0]["issuer"] == "Thủ tướng Chính phủ"
    assert r["tasks"][0]["assignee"] == "Công an phường"
    assert r["tasks"][0]["partners"] == ["Phòng Văn hóa - Xã hội"]
    assert r["tasks"][0]["deadline"] == "2025-12"


NON_BODY_HEADINGS = """HUYỆN ỦY CHÂU THÀNH
*
Số 27-KH/HU
ĐẢNG CỘNG SẢN VIỆT NAM
Châu Thành, ngày 12 tháng 4 năm 2024

KẾ HOẠCH
tổ chức các hoạt động hưởng ứng Ngày Sách và Văn hóa đọc Việt Nam

I. MỤC ĐÍCH, YÊU CẦU
- Lan tỏa văn hóa đọc trong cán bộ, đảng viên và Nhân dân.

II. NỘI DUNG
1. Đối với tài liệu tuyên truyền
- In ấn, phát hành tài liệu đến các chi bộ.
2. Các hoạt động hưởng ứng
- Tổ chức trưng bày sách tại trung tâm huyện.

III. TỔ CHỨC THỰC HIỆN
1. Công tác chuẩn bị
- Hoàn thành trước ngày 15/4/2024.
2. Ban Tuyên giáo Huyện ủy
Chủ trì, phối hợp với Phòng Văn hóa và Thông tin huyện triển khai kế hoạch này.
3. Các chi bộ, đảng bộ cơ sở
Tổ chức quán triệt đến đảng viên.
"""


def test_headings_that_name_no_body_are_not_assignees():
    rec = extract_text(NON_BODY_HEADINGS)[0].to_dict()
    assignees = [t["assignee"] for t in rec["tasks"]]
    assert not any(a.startswith(("Đối với", "Các hoạt động", "Công tác")) for a in assignees), assignees
    assert any(a.startswith("Ban Tuyên giáo") for a in assignees), assignees


def test_filing_line_units_are_not_signature_authorities():
    """`Lưu: VT, KT.` names the filing units (KT = Kinh tế), not a `KT.` (ký thay) authority."""
    text = ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ CẦN THƠ\nSố: 12/KH-UBND\n\nKẾ HOẠCH\nphòng, chống thiên tai\n\n"
            "Các sở thực hiện.\n\nNơi nhận:\n- Các sở, ban, ngành thành phố;\n- UBND quận, huyện;\n"
            "- Lưu: VT, KT.\n\nPHÓ CHỦ TỊCH\n\nTrần Văn Nam\n")
    rec = _one(text)
    assert rec["recipients"][-1] == "Lưu: VT, KT"
    assert rec["signers"][0]["authority"] != "KT." and rec["signers"][0]["name"] == "Trần Văn Nam"
