"""Units of the extractor (dates, codes, agencies, names, segmentation, provenance) and
hypothesis tests that no input text crashes it."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sohoa.document import Block, Document, Line, Page, Word
from sohoa.extract import extract_document, extract_text
from sohoa.extract.agencies import canonical_phrase, match_agency, match_province
from sohoa.extract.codes import find_codes, parse_header_number
from sohoa.extract.dates import find_dates, find_deadlines, iso
from sohoa.extract.signers import canonical_position, restore_name
from sohoa.extract.textkey import key


@pytest.mark.parametrize("text,expected", [
    ("Hà Nội, ngày 08 tháng 6 năm 2021", "2021-06-08"),
    ("ngay 15 thang0d2nam 2022", "2022-02-15"),
    ("Kién Giang, ngay ot{ thang 6 ndm 2021", "2021-06"),  # day unreadable
    ("ban hành ngày 9/3/2021", "2021-03-09"),
    ("ký ngày 04-6-2021", "2021-06-04"),
    ("Thời gian ký: 21.06.2021 17:55", "2021-06-21"),
])
def test_dates(text, expected):
    assert find_dates(text)[0].iso == expected


def test_impossible_dates_are_rejected_or_partial():
    assert find_dates("ngày 31/02/2021") == []
    assert find_dates("ngày 31 tháng 2 năm 2021")[0].iso == "2021-02"
    assert iso(2021, 13, 1) is None


@pytest.mark.parametrize("text,expected", [
    ("hoàn thành trong tháng 11-2021.", ("hoàn thành trong tháng 11-2021", "2021-11")),
    ("báo cáo trước ngày 15/7/2021", ("báo cáo trước ngày 15/7/2021", "2021-07-15")),
    ("thực hiện định kỳ hằng quý", ("định kỳ hằng quý", None)),
    ("xong trong quý III/2024", ("xong trong quý III/2024", "2024-09")),
    ("Cubi thang 8/2021, dbi", ("Cubi thang 8/2021", "2021-08")),
])
def test_deadlines(text, expected):
    d = find_deadlines(text)[0]
    assert (d.text, d.date) == expected


def test_codes_party_state_split_and_damaged():
    text = ("Kế hoạch số 26-\nKH/BTGTW; Quyết định số 780-OB/TU; Quy định 11-QB/TW; "
            "Nghị định 30/2020/NĐ-CP; Quyết định 119/QĐ-UBND; Công văn 4211/VP-KGVX")
    assert [c.code for c in find_codes(text)] == [
        "26-KH/BTGTW", "780-QĐ/TU", "11-QĐ/TW", "30/2020/NĐ-CP", "119/QĐ-UBND", "4211/VP-KGVX"]


def test_codes_with_ocr_letters_and_marks():
    text = "Chỉ thị số O7-CT/TƯ, Kế hoạch 46-KH/BTGTƯ; Công văn 45/PGDPT-VP"
    assert [c.code for c in find_codes(text)] == ["07-CT/TU", "46-KH/BTGTU", "45/PGDĐT-VP"]


def test_day_with_letter_lookalikes():
    assert find_dates("ngay 1S thang 7 nam 2023")[0].iso == "2023-07-15"


def test_header_number_unreadable_number_and_garbled_so():
    c = parse_header_number("Sé: AL /VP-KGVX Kién Giang, ngay")
    assert (c.number, c.symbol, c.code) == (None, "VP-KGVX", None)
    c = parse_header_number("S6 64 -KH/TU")
    assert (c.number, c.symbol, c.code) == ("64", "KH/TU", "64-KH/TU")
    assert parse_header_number("Số: 1993") is None  # an arrival stamp, no symbol


def test_key_keeps_length_and_folds_confusions():
    for s in ["Chi thj s6 07-CT/TU", "Pang bo tinh 16p", "hi€u qu& Đảng"]:
        assert len(key(s)) == len(s)
    assert key("Chi thj s6 07-CT/TU") == "chi thi so 07-ct/tu"
    assert key("Pang") == "dang" and key("Phó") == "pho"


@pytest.mark.parametrize("text,expected", [
    ("Ban Tuyén gido Tinh ty tiép tuc", "Ban Tuyên giáo Tỉnh ủy"),
    ("S& Gido duc va Pao tao tiép tuc", "Sở Giáo dục và Đào tạo"),
    ("Sở Y tế tỉnh Thái Bình chủ trì", "Sở Y tế tỉnh Thái Bình"),
    ("UBND tỉnh Gia Lai chỉ đạo", "UBND tỉnh Gia Lai"),
    ("Ban Tuyên giáo và Dân vận Thành ủy Hải Phòng", "Ban Tuyên giáo và Dân vận Thành ủy Hải Phòng"),
    ("Bộ Chỉ huy Quân sự tỉnh phối hợp", "Bộ Chỉ huy Quân sự tỉnh"),
    ("Hội Liên hiệp Phụ nữ tỉnh tuyên truyền", "Hội Liên hiệp Phụ nữ tỉnh"),
    ("Ban Tuyên giáo các huyện ủy, thành ủy chủ trì", "Ban Tuyên giáo các huyện ủy, thành ủy"),
    ("Ủy ban nhân dân phường Hải Châu chủ trì", "Ủy ban nhân dân phường Hải Châu"),
    ("Ban Tổ chức Tỉnh ủy quan tâm", "Ban Tổ chức Tỉnh ủy"),
])
def test_match_agency(text, expected):
    m = match_agency(text.split())
    assert m is not None and m.text == expected


@pytest.mark.parametrize("text", ["Bảo đảm an ninh", "Báo cáo kết quả", "Công tác tuyên truyền", "Tập trung tuyên truyền"])
def test_match_agency_rejects_ordinary_words(text):
    assert match_agency(text.split()) is None


def test_provinces_old_and_new():
    assert match_province("BINH PHUOC".split())[0] == "Bình Phước"
    assert match_province("Đắk Lắk".split())[0] == "Đắk Lắk"
    assert match_province("Kién Giang".split())[0] == "Kiên Giang"


def test_canonical_phrase_and_names_and_positions():
    assert canonical_phrase("Cac d/c Tinh uy vién") == "Các đ/c Tỉnh ủy viên"
    assert canonical_phrase("Các trường trung học phổ thông") == "Các trường trung học phổ thông"
    assert restore_name("HUYNH THI HIANG") == "Huỳnh Thị Hằng"
    assert restore_name("Ban Tuyên giáo") is None
    assert canonical_position("PHO Bi THU THUONG TRUC") == "Phó Bí thư Thường trực"
    assert canonical_position("PHO C/ MU VAN PHONG") == "Phó Chánh Văn phòng"


def test_document_with_boxes_gives_page_and_box():
    def line(ws, y):
        return Line([Word(w, (10 + 60 * i, y, 60 + 60 * i, y + 20)) for i, w in enumerate(ws.split())])

    p1 = Page(1, [Block([line("TỈNH ỦY HÀ TĨNH ĐẢNG CỘNG SẢN VIỆT NAM", 10),
                         line("Số 12-KH/TU Hà Tĩnh, ngày 3 tháng 4 năm 2023", 40)]),
                  Block([line("KẾ HOẠCH", 80), line("về công tác dân vận", 110)])])
    p2 = Page(2, [Block([line("Ban Dân vận Tỉnh ủy chủ trì thực hiện.", 10)]),
                  Block([line("T/M BAN THƯỜNG VỤ", 50), line("BÍ THƯ", 80), line("Trần Văn Nam", 150)])])
    doc = Document("scan.pdf", [p1, p2])
    rec = extract_document(doc)[0].to_dict()
    assert rec["code"] == "12-KH/TU" and rec["issuer"] == "Tỉnh ủy Hà Tĩnh"
    f = rec["source"]["fields"]
    assert f["code"]["page"] == 1 and f["code"]["box"] == [70, 40, 120, 60]
    assert rec["source"]["pages"] == [1, 2]
    assert f["tasks"][0]["page"] == 2
    assert rec["tasks"][0]["assignee"] == "Ban Dân vận Tỉnh ủy" and rec["tasks"][0]["role"] == "chủ trì"
    assert rec["signers"][0]["name"] == "Trần Văn Nam"
    json.dumps(rec, ensure_ascii=False)


_VI_CHARS = "aăâeêioôơuưyđAĂÂĐEÊIOÔƠUƯYàáảãạầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_WORDS = ["Số", "S6", "Kế hoạch", "KH/TU", "-", "/", "Nơi nhận:", "Kính gửi:", "T/M", "BAN THƯỜNG VỤ", "Giao",
          "Sở Y tế", "chủ trì", "phối hợp với", "ngày", "tháng", "năm", "2021", "12", "\n", "\n\n", "\f",
          "ĐẢNG CỘNG SẢN VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "KẾ HOẠCH", "V/v", "Điều 1.",
          "- ", "1.", "a)", ",", ".", ";", "(", ")", "Tỉnh ủy", "UBND", "trước ngày 31/2/2021"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_no_crash_on_any_text(text):
    recs = [r.to_dict() for r in extract_text(text, "x.txt", restore=False)]
    assert isinstance(recs, list)
    json.dumps(recs, ensure_ascii=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(alphabet=_VI_CHARS + " 0123456789", max_size=12)),
                max_size=120))
def test_no_crash_on_document_like_text(parts):
    text = " ".join(parts)
    for rec in (r.to_dict() for r in extract_text(text, "x.txt", restore=False)):
        assert set(rec) >= {"doc_type", "code", "issuer", "date", "recipients", "signers", "references",
                            "tasks", "deadlines", "source"}
        for sp in rec["source"]["fields"].values():
            for s in (sp if isinstance(sp, list) else [sp]):
                assert 0 <= s["start"] <= s["end"] <= len(text)


def test_cli_prints_json_and_reports_bad_files(tmp_path, capsys):
    from sohoa.pipeline.cli import main as sohoa

    def main(args: list[str]) -> int:
        try:
            return sohoa(["extract", "--format", "json", *args])
        except SystemExit as exit_:  # argparse's own exit for bad arguments
            return int(exit_.code)

    good = tmp_path / "doc.txt"
    good.write_text("TỈNH ỦY LONG AN ĐẢNG CỘNG SẢN VIỆT NAM\nSố 7-TB/TU Long An, ngày 2 tháng 1 năm 2024\n\n"
                    "THÔNG BÁO\nkết luận của Thường trực Tỉnh ủy\n", encoding="utf-8")
    assert main([str(good), "--no-restore"]) == 0
    recs = json.loads(capsys.readouterr().out)
    assert recs[0]["doc_type"] == "Thông báo" and recs[0]["code"] == "7-TB/TU" and recs[0]["date"] == "2024-01-02"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main([str(empty)]) == 4
    assert main([str(tmp_path / "missing.txt")]) == 4
    assert "empty" in capsys.readouterr().err
    assert main([]) == 2


def test_signer_name_is_restored_from_what_ocr_read():
    ocr = ("TINH UY BINH DINH PANG CONG SAN VIET NAM\nS6 3-KH/TU Binh Dinh, ngay 2 thang 3 nam 2022\n\nKE HOACH\n"
           "ve cong tac tuyen truyen\n\nT/M BAN THUONG VU\nPHO Bi THU THUONG TRUC\nHuynh Thi Hiang\n")
    doc = Document.from_text("x.txt", ocr)
    for page in doc.pages:
        for ln in page.lines:
            ln.restored = ln.text.replace("Huynh Thi Hiang", "Huỳnh Thu Hằng")  # a restorer's slip
    rec = extract_document(doc)[0].to_dict()
    assert rec["issuer"] == "Tỉnh ủy Bình Định"
    assert rec["signers"][0] == {"authority": "T/M Ban Thường vụ", "position": "Phó Bí thư Thường trực",
                                 "name": "Huỳnh Thị Hằng"}


def test_the_gazetteer_normalises_a_recipient_but_never_replaces_it():
    # a well-read name one or two words away from a gazetteer entry stays as written
    assert canonical_phrase("Ngân hàng Phát triển Việt Nam") == "Ngân hàng Phát triển Việt Nam"
    assert canonical_phrase("Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ") == \
        "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"
    # the document's case is kept where the gazetteer writes the same word otherwise
    assert canonical_phrase("Ủy ban trung ương Mặt trận Tổ quốc Việt Nam") == \
        "Ủy ban trung ương Mặt trận Tổ quốc Việt Nam"
    assert canonical_phrase("Trợ lý TTg") == "Trợ lý TTg"
    # garbled names are still repaired
    assert canonical_phrase("Ban Tuyén gido Tinh ty") == "Ban Tuyên giáo Tỉnh ủy"
    assert canonical_phrase("Cac bo, co quan ngang bo") == "Các bộ, cơ quan ngang bộ"


def test_marks_are_put_back_only_where_the_fold_is_unambiguous():
    from sohoa.extract.agencies import restore_words
    from sohoa.extract.gazetteer import ambiguous_keys

    assert {"quan", "thanh"} <= ambiguous_keys() and "tinh" not in ambiguous_keys()
    assert restore_words("co quan thuoc tinh") == "cơ quan thuộc tỉnh"
    assert restore_words("Cac so, Tinh uy") == "Các sở, Tỉnh ủy"


def test_ink_read_as_symbols_is_cut_from_a_recipient():
    from sohoa.extract.recipients import clean_item

    assert clean_item("- Các tập ‹ đoàn kinh tế, tổng công ty nhà nước;") == "Các tập đoàn kinh tế, tổng công ty nhà nước"
    assert clean_item("- HĐND, UBND các tỉnh, thành phố trực thuộc trung ương |") == \
        "HĐND, UBND các tỉnh, thành phố trực thuộc trung ương"
    assert clean_item("- Lưu: VT, ĐMDN (2b).KN 4$") == "Lưu: VT, ĐMDN (2b).KN"
    assert clean_item("- Như trên, © - MÀ tôn") == "Như trên"


def test_a_number_in_an_agency_name_is_never_snapped_to_another():
    assert match_agency("Ban Chỉ đạo 389 tỉnh".split(), allow_generic=True) is None
    assert canonical_phrase("Ban Chỉ đạo 36 Trung ương") == "Ban Chỉ đạo 36 Trung ương"
    assert canonical_phrase("Ban Chi dao 35 Trung uong") == "Ban Chỉ đạo 35 Trung ương"


@pytest.mark.parametrize(("lines", "authority"), [
    (["TL. CHỦ TỊCH", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"], "TL. Chủ tịch KT. Chánh Văn phòng"),
    (["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], "TM. Ủy ban nhân dân KT. Chủ tịch"),
    (["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], "KT. Chủ tịch"),
])
def test_stacked_authorities_are_kept_whole(lines, authority):
    from sohoa.extract.records import extract_records

    text = "\n".join(["ỦY BAN NHÂN DÂN", "TỈNH BÌNH ĐỊNH", "Số: 12/TB-UBND", "", "THÔNG BÁO",
                      "Kết luận của Chủ tịch", "", "Nơi nhận:", "- Lưu: VT.", "", *lines, "", "Nguyễn Văn An"])
    signer = extract_records(text)[0].record.signers[0]
    assert (signer.authority, signer.name) == (authority, "Nguyễn Văn An")
