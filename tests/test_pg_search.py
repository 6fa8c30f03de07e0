"""The search cases of test_fts and test_search_ranking on both back ends: diacritics and `đ` folded,
every word must match, phrases, ranking by phrase then proximity then the index's score, filters,
reviewed text, the review site's matching."""

from __future__ import annotations

import pytest

from sohoa.pipeline import review_store
from sohoa.pipeline.archive import Archive
from sohoa.pipeline.search import matching_doc_ids
from tests.test_archive import RECORD, result, state_for
from tests.test_fts import TEXTS
from tests.test_search_ranking import DOCS


@pytest.fixture
def fts(archive_url):
    with Archive(archive_url, create=True) as a:
        for i, (key, text) in enumerate(TEXTS.items()):
            rec = {**RECORD, "code": f"{i}-KH/TU", "source": {"pages": [1, 1]}}
            a.store_file(result(path=f"{key}.txt", sha=str(i) * 64), state_for(text, [rec]))
        yield a


@pytest.fixture
def ranked(archive_url):
    with Archive(archive_url, create=True) as a:
        for i, (name, text, rec) in enumerate(DOCS):
            a.store_file(result(path=name, sha=str(i) * 64), state_for(text, [{**RECORD, **rec, "source": {}}]))
    with Archive(archive_url, readonly=True) as a:
        yield a


@pytest.mark.parametrize("query", ["dang uy", "Đảng ủy", "ĐẢNG ỦY", "đang uy", "Dang Uy"])
def test_search_with_or_without_diacritics(fts, query):
    assert set(fts.search(query).path) == {"a.txt", "b.txt"}


def test_more_matches_rank_first_and_snippet_shows_original_text(fts):
    df = fts.search("dang uy")
    assert df.path.tolist()[0] == "b.txt"
    assert df.score.is_monotonic_increasing  # lower is better on both back ends
    assert "[Đảng] [ủy]" in df.snippet[0]


def test_every_word_must_match_and_limit(fts):
    assert fts.search("so y te").path.tolist() == ["b.txt"]
    assert fts.search("dang uy giao duc").empty
    assert len(fts.search("tinh", limit=1)) == 1
    assert fts.search("   ").empty


def test_search_syntax_characters_are_plain_words(fts):
    assert fts.search('dang" OR uy*').empty
    assert set(fts.search('"uy*"').path) == {"a.txt", "b.txt"}
    assert fts.search("NOT AND (").empty
    assert fts.search("dang & !uy | (x)").empty  # tsquery operators are words too
    assert fts.search("50% ? :x").empty


def test_forced_restore_keeps_one_search_row(fts):
    fts.store_file(result(path="a.txt", sha="0" * 64), state_for(TEXTS["a"], [{**RECORD, "source": {}}]))
    assert fts.search("binh phuoc").path.tolist() == ["a.txt"]
    assert len(fts.documents()) == 3


def test_codes_and_quoted_words_match_as_phrases(archive_url):
    with Archive(archive_url, create=True) as a:
        texts = ["Thực hiện Chỉ thị số 07-CT/TU của Tỉnh ủy", "Số 07 về CT khác, TU ở cuối"]
        for i, text in enumerate(texts):
            a.store_file(result(path=f"{i}.txt", sha=str(i) * 64), state_for(text, [{**RECORD, "source": {}}]))
        assert set(a.search("07 CT TU").path) == {"0.txt", "1.txt"}
        assert a.search("07-CT/TU").path.tolist() == ["0.txt"]
        assert a.search('"chi thi so 07"').path.tolist() == ["0.txt"]
        assert a.search('"so 07 ve"').path.tolist() == ["1.txt"]


def test_phrase_ranks_first_even_against_more_matches(ranked):
    df = ranked.search("Lâm Đồng")
    assert df.path.tolist()[0] == "lam_dong.txt" and bool(df.phrase[0])
    assert set(df.path) == {"lam_dong.txt", "cam_lam.txt", "near.txt"}
    assert not df.phrase[1:].any()


def test_proximity_orders_the_rest(ranked):
    assert ranked.search("hội đồng tỉnh").path.tolist()[0] == "near.txt"


def test_quoted_phrase_must_match_as_phrase(ranked):
    assert ranked.search('"lam dong"').path.tolist() == ["lam_dong.txt"]
    assert ranked.search('"dong lam"').empty


def test_d_and_d_bar_in_queries(ranked):
    for q in ("lam dong", "Lâm Đồng", "LÂM ĐỒNG", "lam đong"):
        assert ranked.search(q).path.tolist()[0] == "lam_dong.txt", q


def test_field_filters(ranked):
    assert set(ranked.search("lam", doc_type="ke hoach").path) == {"lam_dong.txt", "near.txt"}
    assert ranked.search("lam", year=2020).path.tolist() == ["cam_lam.txt"]
    assert ranked.search("lam", code="07/kh").path.tolist() == ["lam_dong.txt"]
    assert set(ranked.search("lam", issuer="Ủy ban nhân dân tỉnh Lâm Đồng").path) == {"lam_dong.txt", "near.txt"}
    assert set(ranked.search("lam", issuer="UBND tỉnh Lâm Đồng").path) == {"lam_dong.txt", "near.txt"}


def test_same_results_in_the_same_order_on_both(pg_url, tmp_path):
    results = []
    for url in (str(tmp_path / "a.sqlite"), pg_url):
        with Archive(url, create=True) as a:
            for i, (name, text, rec) in enumerate(DOCS):
                a.store_file(result(path=name, sha=str(i) * 64), state_for(text, [{**RECORD, **rec, "source": {}}]))
            results.append([a.search(q)[["path", "phrase", "span", "snippet"]].to_dict("records")
                            for q in ("lam dong", "hội đồng tỉnh", "cam lam", '"ke hoach"', "tinh")])
    assert results[0] == results[1]


def test_reviewed_text_is_searched(archive_url):
    with Archive(archive_url, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU về phòng chống dịch"))
        doc_id = int(a.documents().doc_id[0])
        with a._write():
            review_store.insert_correction(a.conn, {"doc_id": doc_id, "file_sha256": "f" * 64, "target": "field",
                                                    "field": "subject", "old_value": None,
                                                    "new_value": "Về công tác thi đua khen thưởng"})
        assert a.search("thi dua khen thuong").doc_id.tolist() == [doc_id]
        assert matching_doc_ids(a.conn, "phong chong dich") == [doc_id]
        assert a.documents().text[0] == "Số 46-KH/BTGTU về phòng chống dịch"  # machine text kept
