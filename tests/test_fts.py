"""Full-text search: diacritics (and đ) folded on both sides, bm25 ranking, snippets of the original text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sohoa.pipeline.archive import Archive, fts_terms, make_snippet
from sohoa.pipeline.fold import fold, fold_aligned
from tests.test_archive import RECORD, result, state_for

TEXTS = {
    "a": "Đảng ủy khối cơ quan tỉnh Bình Phước ban hành kế hoạch phòng chống dịch.",
    "b": "Ủy ban nhân dân tỉnh Kiên Giang giao Sở Y tế chủ trì. Đảng ủy, Đảng ủy, Đảng ủy các cấp phối hợp.",
    "c": "Sở Giáo dục và Đào tạo hướng dẫn tổ chức năm học mới.",
}


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "a.sqlite", create=True) as a:
        for i, (key, text) in enumerate(TEXTS.items()):
            rec = {**RECORD, "code": f"{i}-KH/TU", "source": {"pages": [1, 1]}}
            a.store_file(result(path=f"{key}.txt", sha=str(i) * 64), state_for(text, [rec]))
        yield a


def test_fold_handles_d_bar_and_case():
    assert fold("Đảng ủy ĐỒNG THÁP") == "dang uy dong thap"
    assert fts_terms("Đảng-ủy!") == ["dang", "uy"]


@given(st.text(alphabet=st.sampled_from("aăâđeêioôơuưyAĂÂĐEÊIOÔƠUƯY ,.-àáảãạằắẳẵặầấẩẫậèéẻẽẹđ\u0301\u0300"),
               max_size=60))
def test_fold_aligned_keeps_length_and_agrees_with_fold(text):
    text = unicodedata.normalize("NFC", text)
    folded = fold_aligned(text)
    assert len(folded) == len(text)
    assert fold(folded) == fold(text)


@pytest.mark.parametrize("query", ["dang uy", "Đảng ủy", "ĐẢNG ỦY", "đang uy"])
def test_search_with_or_without_diacritics(archive, query):
    df = archive.search(query)
    assert set(df.path) == {"a.txt", "b.txt"}


def test_bm25_ranks_more_matches_first_and_snippet_shows_original_text(archive):
    df = archive.search("dang uy")
    assert df.path.tolist()[0] == "b.txt"
    assert df.score.is_monotonic_increasing  # bm25: lower is better
    assert "[Đảng] [ủy]" in df.snippet[0]


def test_every_word_must_match_and_limit(archive):
    assert archive.search("so y te").path.tolist() == ["b.txt"]
    assert archive.search("dang uy giao duc").empty
    assert len(archive.search("tinh", limit=1)) == 1
    assert archive.search("   ").empty


def test_search_syntax_characters_are_plain_words(archive):
    assert archive.search('dang" OR uy*').empty  # OR is a word to match here, not an operator
    assert set(archive.search('"uy*"').path) == {"a.txt", "b.txt"}
    assert archive.search("NOT AND (").empty  # no FTS5 syntax error


def test_forced_restore_keeps_one_fts_row(archive):
    archive.store_file(result(path="a.txt", sha="0" * 64), state_for(TEXTS["a"], [{**RECORD, "source": {}}]))
    assert archive.conn.execute("SELECT count(*) FROM documents_fts").fetchone()[0] == 3
    assert archive.search("binh phuoc").path.tolist() == ["a.txt"]


def test_make_snippet_windows_long_text():
    text = "mở đầu " * 50 + "Chỉ thị số 07-CT/TU" + " kết thúc" * 50
    s = make_snippet(text, fts_terms("chi thi"))
    assert "[Chỉ] [thị]" in s and s.startswith("…") and s.endswith("…") and len(s) < 200


def test_codes_and_quoted_words_match_as_phrases(tmp_path):
    with Archive(tmp_path / "a.sqlite", create=True) as a:
        texts = ["Thực hiện Chỉ thị số 07-CT/TU của Tỉnh ủy", "Số 07 về CT khác, TU ở cuối"]
        for i, text in enumerate(texts):
            a.store_file(result(path=f"{i}.txt", sha=str(i) * 64), state_for(text, [{**RECORD, "source": {}}]))
        assert set(a.search("07 CT TU").path) == {"0.txt", "1.txt"}  # separate words: anywhere
        assert a.search("07-CT/TU").path.tolist() == ["0.txt"]      # a code: consecutive
        assert a.search('"chi thi so 07"').path.tolist() == ["0.txt"]
        assert a.search('"so 07 ve"').path.tolist() == ["1.txt"]
