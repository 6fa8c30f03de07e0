"""Restorer tests on constructed inputs: a tiny LM is built from sentences written here."""

from __future__ import annotations

import os

import pytest

from sohoa.document import Document
from sohoa.normalize.channel import Channel
from sohoa.normalize.lm_build import build_lm
from sohoa.normalize.restorer import Restorer, classify_core, split_token
from sohoa.normalize.vnsyl import is_syllable_shape, old_style, old_style_text, strip_marks

CORPUS = [
    "Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành thực hiện nghiêm túc kế hoạch này.",
    "Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy đảng quán triệt và triển khai thực hiện.",
    "Cán bộ, đảng viên phải gương mẫu trong việc học tập và làm theo tư tưởng của Đảng.",
    "Các cơ quan, đơn vị báo cáo kết quả thực hiện về Văn phòng Ủy ban nhân dân tỉnh.",
    "Sở Nội vụ chủ trì, phối hợp với các cơ quan có liên quan tổ chức thực hiện.",
    "Kế hoạch số của Ban Tuyên giáo về công tác tuyên truyền, giáo dục chính trị.",
    "Nâng cao chất lượng, hiệu quả công tác tuyên truyền trong cán bộ và nhân dân.",
    "Thực hiện Chỉ thị của Ban Thường vụ Tỉnh ủy về đẩy mạnh công tác dân vận.",
    "Nhân dân được tuyên truyền, giáo dục các nội dung bằng nhiều hình thức phù hợp.",
    "Đảng bộ tỉnh lãnh đạo thực hiện thắng lợi nhiệm vụ phát triển kinh tế - xã hội.",
    "Số lượng hồ sơ được giải quyết đúng hạn tăng so với năm trước.",
    "Ông ấy là người có trách nhiệm lớn trong việc tổ chức thực hiện kế hoạch.",
]


@pytest.fixture(scope="module")
def restorer(tmp_path_factory) -> Restorer:
    out = tmp_path_factory.mktemp("models")
    build_lm(((s, 5) for s in CORPUS), str(out), min_count=1, trigram_min=1)
    return Restorer(str(out))


def test_old_style_tone_placement():
    assert old_style("hoà") == "hòa"
    assert old_style("thuỷ") == "thủy"
    assert old_style("khoẻ") == "khỏe"
    assert old_style("hoàn") == "hoàn"
    assert old_style("quốc") == "quốc"
    assert old_style_text("Uỷ ban, hoá đơn") == "Ủy ban, hóa đơn"


def test_syllable_shape():
    assert is_syllable_shape("nghiêng") and is_syllable_shape("hiện") and is_syllable_shape("được")
    assert not is_syllable_shape("hién")  # acute on a bare e after i: no Vietnamese syllable
    assert not is_syllable_shape("ctia") and not is_syllable_shape("s6")
    assert strip_marks("Đường") == "Duong"


def test_channel_alignment_on_constructed_pairs():
    ch = Channel()
    assert ch.align("của", "ctia") == [("c", "c"), ("ủ", "ti"), ("a", "a")]
    assert ch.align("số", "s6") == [("s", "s"), ("ố", "6")]
    assert ch.align("lớn", "16n")[0] == ("l", "1")
    assert ch.align("đảng", "pang")[0] == ("đ", "p")
    # a plausible OCR confusion is cheaper than an arbitrary substitution
    assert ch.cost("số", "s6") < ch.cost("số", "sx")
    assert ch.cost("việc", "viec") < ch.cost("việc", "viéc") < ch.cost("việc", "vxyz")
    assert ch.cost("a", "a") == 0.0


def test_token_split_and_classes():
    assert split_token("(gọi") == ("(", "gọi", "")
    assert split_token("viên,") == ("", "viên", ",")
    assert split_token("sir’,") == ("", "sir’", ",")  # an unpaired closing quote is OCR debris of a mark
    assert split_token("‘tự’") == ("‘", "tự", "’")
    assert classify_core("ngu@i") == "word"  # @ for ơ, not an e-mail
    assert classify_core("46-KH/BTGTU") == "fixed"
    assert classify_core("04-6-2021") == "fixed"
    assert classify_core("vanthu@kiengiang.gov.vn") == "fixed"
    assert classify_core("s6") == "word"
    assert classify_core("2021") == "fixed"
    assert classify_core("b", ")") == "fixed" and classify_core("T", ".") == "fixed"  # list marker, initial


def test_accentless_line_restored(restorer):
    out = restorer.restore_lines(["Uy ban nhan dan tinh de nghi cac so, ban, nganh thuc hien"])
    assert out == ["Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành thực hiện"]


def test_garbled_tokens_restored(restorer):
    out = restorer.restore_lines(["Ke hoach s6 cia Ban Tuyén gido vé cong tac tuyén truyén"])[0]
    assert out.split()[:6] == ["Kế", "hoạch", "số", "của", "Ban", "Tuyên"]
    assert "tuyên truyền" in out


def test_codes_numbers_and_dates_untouched(restorer):
    line = "Ke hoach so 46-KH/BTGTU ngay 04-6-2021 cua Ban Tuyen giao, email vp@tinh.gov.vn, 25%"
    out = restorer.restore_lines([line])[0].split()
    assert "46-KH/BTGTU" in out and "04-6-2021" in out and "vp@tinh.gov.vn," in out and "25%" in out
    assert out[0] == "Kế" and out[1] == "hoạch"


def test_degenerate_inputs(restorer):
    assert restorer.restore_lines([]) == []
    assert restorer.restore_lines(["", "...", "- -", "2021"]) == ["", "...", "- -", "2021"]
    english = "Hello world, this is English text only."
    assert restorer.restore_lines([english]) == [english]


def test_list_markers_kept(restorer):
    out = restorer.restore_lines(["b) Ke hoach cua Ban Tuyen giao", "c. Uy ban nhan dan tinh"])
    assert out == ["b) Kế hoạch của Ban Tuyên giáo", "c. Ủy ban nhân dân tỉnh"]


def test_clean_text_passes_through(restorer):
    lines = CORPUS[:4] + ["Số lượng hồ sơ tăng."]
    assert restorer.restore_lines(lines) == lines


def test_case_and_line_count_kept(restorer):
    lines = ["BAN THUONG VU TINH UY", "", "Ban Thuong vu Tinh uy yeu cau", "- - -", "thuc hien."]
    out = restorer.restore_lines(lines)
    assert len(out) == len(lines)
    assert out[0] == "BAN THƯỜNG VỤ TỈNH ỦY"
    assert out[1] == "" and out[3] == "- - -"
    assert out[2].startswith("Ban Thường vụ Tỉnh ủy")
    assert out[4] == "thực hiện."


def test_tokens_carry_confidence_and_change_flag(restorer):
    toks = restorer.restore_tokens(["Ban Thuong vu Tinh uy"])[0]
    assert [t.source for t in toks] == ["Ban", "Thuong", "vu", "Tinh", "uy"]
    assert toks[0].changed is False and toks[1].changed is True
    assert all(0.0 <= t.conf <= 1.0 for t in toks)
    assert toks[1].text == "Thường"


def test_restore_document_fills_lines(restorer, monkeypatch):
    import sohoa.normalize.restore as restore_mod

    monkeypatch.setattr(restore_mod, "get_restorer", lambda: restorer)
    doc = Document.from_text("x.txt", "Ban Thuong vu Tinh uy\n\nKe hoach s6 46-KH/BTGTU")
    info = restore_mod.restore_document(doc)
    lines = [ln for p in doc.pages for ln in p.lines]
    assert info["lines"] == 2 and info["changed_tokens"] >= 5
    assert lines[0].restored == "Ban Thường vụ Tỉnh ủy"
    assert lines[1].restored == "Kế hoạch số 46-KH/BTGTU"
    assert len(lines[1].tokens) == 4


@pytest.mark.skipif(not os.path.exists(os.path.join(os.path.dirname(__file__), "..", "data", "models",
                                                    "restore_lm.npz")), reason="no trained model in data/models")
def test_committed_model_restores_constructed_sentence():
    from sohoa.normalize.restore import restore_lines

    out = restore_lines(["Uy ban nhan dan tinh yeu cau cac co quan bao cao ket qua thuc hien", "Điều 5. Hiệu lực"])
    assert out == ["Ủy ban nhân dân tỉnh yêu cầu các cơ quan báo cáo kết quả thực hiện", "Điều 5. Hiệu lực"]


def test_case_stats_favour_names(tmp_path):
    import numpy as np

    from sohoa.normalize.lm_build import build_case_stats

    texts = ["Cán bộ của Đảng và Nhân dân thực hiện các nhiệm vụ của Đảng."] * 3 + ["đảng viên thực hiện các việc"]
    build_lm(((t, 1) for t in texts), str(tmp_path), min_count=1)
    build_case_stats(texts, str(tmp_path))
    restorer = Restorer(str(tmp_path))
    log_cap = np.load(tmp_path / "restore_case.npy")
    assert log_cap[restorer.lm.id("đảng")] > log_cap[restorer.lm.id("các")]
    assert restorer.log_cap is not None


def test_cli_keeps_line_count_and_blank_lines():
    import subprocess
    import sys

    root = os.path.join(os.path.dirname(__file__), "..")
    text = "Ke hoach s6 12-KH/UBND\n\n   \nHà Nội, ngày 5 tháng 3 năm 2021\n"
    p = subprocess.run([sys.executable, "-m", "sohoa.normalize.cli_restore"], input=text, capture_output=True,
                       text=True, cwd=root, timeout=120)
    assert p.returncode == 0, p.stderr
    out = p.stdout.split("\n")
    assert len(out) == len(text.split("\n"))
    assert out[1] == "" and out[3] == "Hà Nội, ngày 5 tháng 3 năm 2021"
    assert out[0].endswith("12-KH/UBND")
