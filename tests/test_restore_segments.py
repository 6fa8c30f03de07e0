"""Segmental decoding: merges, splits, marks inside words, and provenance through changed token counts."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from sohoa.document import Block, Document, Line, Page, Word
from sohoa.normalize.lm_build import build_lm
from sohoa.normalize.restore import restore_document, restore_lines
from sohoa.normalize.restorer import LM_WEIGHT, Restorer, Slot, get_restorer
from sohoa.normalize.segments import Segment, SegmentTable
from tests.test_restore import CORPUS

# a garbled line of the seeds' kind first: the lines after it are decoded in a garbled document
CONTEXT = "céc bién phap phong chdng. Cén bd, déng vién phai tiéu bidu, gwong mu trong tiép thu,"


def _restore(line: str) -> tuple[str, list]:
    out = restore_lines([CONTEXT, line])[1]
    toks = get_restorer().restore_tokens([CONTEXT, line])[1]
    assert " ".join(t.text for t in toks) == out
    return out, toks


@pytest.mark.parametrize(("garbled", "want", "merged"), [
    ("nang cao y thi c trach nhiem cua can bo", "nâng cao ý thức trách nhiệm của cán bộ", ("thi c", "thức")),
    ("chuan bi to chu c hoi nghi", "chuẩn bị tổ chức hội nghị", ("chu c", "chức")),
    ("CONG TAC TO CHU C THUC HIEN", "CÔNG TÁC TỔ CHỨC THỰC HIỆN", ("CHU C", "CHỨC")),
])
def test_a_syllable_split_by_ocr_is_merged_and_knows_both_words(garbled: str, want: str, merged: tuple) -> None:
    out, toks = _restore(garbled)
    assert out == want
    n_in = len(garbled.split())
    assert len(toks) == n_in - 1
    tok = next(t for t in toks if t.source == merged[0])
    assert tok.text == merged[1] and tok.changed and len(tok.sources) == 2
    assert tok.sources[1] == tok.sources[0] + 1
    # every input token is accounted for, in order
    assert [k for t in toks for k in t.sources] == list(range(n_in))


def test_no_merge_across_a_capital_or_with_a_label() -> None:
    out, toks = _restore("Ban chi huy Khu E6 va tai Ha NGi")
    assert [t.sources for t in toks] == [(k,) for k in range(9)]  # (E6 → Cổ is the word reading, as before)
    out, toks = _restore("Bén A va Bén B thong nhat")
    assert out == "Bên A và Bên B thống nhất" and len(toks) == 7


def test_two_words_run_together_at_punctuation_are_split() -> None:
    out, toks = _restore("quyet,,ket qua cong tac")
    assert out == "quyết, kết quả công tác"
    assert [t.sources for t in toks[:3]] == [(0,), (0,), (1,)]
    assert toks[0].source == "quyet,," and toks[1].source == "ket"


def test_a_capital_inside_a_token_is_where_the_space_was() -> None:
    out, toks = _restore("Bén A va BénB thong nhat")
    assert out == "Bên A và Bên B thống nhất"
    assert [t.sources for t in toks] == [(0,), (1,), (2,), (3,), (3,), (4,), (5,)]
    out, _ = _restore("cong tac tuyentruyen giao duc")
    assert out == "công tác tuyên truyền giáo dục"


def test_a_mark_inside_a_word_is_not_a_code() -> None:
    out, _ = _restore("cac nuo.c ngoai")
    assert out == "các nước ngoài"
    # codes, dates and abbreviations with a dot stay as they are
    assert restore_lines(["Theo Quyet dinh so 12/QD-UBND ngay 1.2.2020 cua TP.HCM"])[0].split()[-1] == "TP.HCM"


@pytest.mark.parametrize(("garbled", "want"), [
    ("quan trong nhét 13 nhimg thong tin sai trai", "quan trọng nhất là những thông tin sai trái"),
    ("dac biét 13 cdc dia ban trong diém", "đặc biệt là các địa bàn trọng điểm"),
    # numbers that count stay numbers
    ("c6 13 don vi da hoan thanh", "có 13 đơn vị đã hoàn thành"),
    ("theo Diéu 13 cua Luat", "theo Điều 13 của Luật"),
    ("t6ng s6 13 ngudi", "tổng số 13 người"),
])
def test_a_short_number_between_words_may_be_a_syllable_read_as_digits(garbled: str, want: str) -> None:
    out, toks = _restore(garbled)
    assert out == want
    assert [t.sources for t in toks] == [(k,) for k in range(len(garbled.split()))]


def test_clean_text_and_accentless_prose_keep_their_token_count() -> None:
    for text in ["Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành thực hiện nghiêm túc kế hoạch này.",
                 "Cac dong chi bi thu chi bo co trach nhiem pho bien den dang vien"]:
        assert len(restore_lines([text])[0].split()) == len(text.split())


# ---- the lattice ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Restorer:
    out = tmp_path_factory.mktemp("models")
    build_lm(((s, 5) for s in CORPUS), str(out), min_count=1, trigram_min=1)
    return Restorer(str(out))


def test_the_lm_adapter_scores_segments_as_the_syllables_they_stand_for(tiny: Restorer) -> None:
    lm = tiny.lm
    t = SegmentTable(lm)
    a, b, c = (lm.id(w) for w in ("cán", "bộ", "đảng"))
    m = t.base
    t.add(Segment("merge", (b,), ("bộ",), partner=m + 1))
    t.add(Segment("cont", (), (), partner=m))
    s = t.add(Segment("split", (b, c), ("bộ", "đảng")))
    arr = np.array
    # a merge before its cont: the cont adds nothing, and what follows sees the merged word
    got = t.trigram_logp(arr([a, a, m, m + 1]), arr([a, m, m + 1, c]), arr([m, m + 1, c, a]))
    assert got[0] == pytest.approx(lm.trigram_logp(arr([a]), arr([a]), arr([b]))[0])
    assert got[1] == 0.0
    assert got[2] == pytest.approx(lm.bigram_logp(arr([b]), arr([c]))[0])
    assert got[3] == pytest.approx(lm.trigram_logp(arr([b]), arr([c]), arr([a]))[0])
    # a merge not followed by its cont, or a cont without its merge, is no path
    bad = t.trigram_logp(arr([a, a]), arr([m, a]), arr([a, m + 1]))
    assert np.isneginf(bad).all()
    assert np.isneginf(t.bigram_logp(arr([m]), arr([a])))[0]
    # a split is its two syllables in turn
    two = t.trigram_logp(arr([a]), arr([a]), arr([s]))[0]
    want = lm.trigram_logp(arr([a]), arr([a]), arr([b]))[0] + lm.trigram_logp(arr([a]), arr([b]), arr([c]))[0]
    assert two == pytest.approx(want)
    # plain ids are scored by the LM itself
    assert t.trigram_logp(arr([a]), arr([b]), arr([c]))[0] == lm.trigram_logp(arr([a]), arr([b]), arr([c]))[0]


def test_viterbi_with_merges_finds_the_best_consistent_path(tiny: Restorer) -> None:
    """Brute force over every path of small lattices holding merge/cont pairs and splits."""
    rng = random.Random(5)
    lm = tiny.lm
    words = [w for w in lm.vocab if w.isalpha()]
    scale = LM_WEIGHT * math.log(10)
    bos = tiny.bos_id
    for _ in range(40):
        table = SegmentTable(lm)
        seq = []
        for _k in range(rng.randint(2, 6)):
            cands = rng.sample(words, rng.choice([1, 2, 3]))
            slot = Slot(0, "", cands[0], "", "word")
            slot.words, slot.ids = tuple(cands), tuple(lm.id(c) for c in cands)
            slot.costs = tuple(round(rng.uniform(0, 3), 2) for _ in cands)
            seq.append(slot)
        for k in range(len(seq) - 1):
            if rng.random() < 0.5:
                m = table.base + len(table.segs)
                w = rng.choice(words)
                table.add(Segment("merge", (lm.id(w),), (w,), partner=m + 1))
                table.add(Segment("cont", (), (), partner=m))
                s, t = seq[k], seq[k + 1]
                s.words, s.ids, s.costs = (*s.words, w), (*s.ids, m), (*s.costs, round(rng.uniform(0, 3), 2))
                t.words, t.ids, t.costs = (*t.words, ""), (*t.ids, m + 1), (*t.costs, 0.0)
            if rng.random() < 0.3:
                w1, w2 = rng.sample(words, 2)
                sid = table.add(Segment("split", (lm.id(w1), lm.id(w2)), (w1, w2)))
                s = seq[k]
                s.words, s.ids, s.costs = (*s.words, f"{w1} {w2}"), (*s.ids, sid), (*s.costs, 0.5)
        tiny._lmx = table
        try:
            tiny._viterbi(seq)
        finally:
            tiny._lmx = tiny.lm
        got = tuple(s.choice for s in seq)

        def score(path: tuple[int, ...], seq: list[Slot] = seq, table: SegmentTable = table) -> float:
            ids = [bos, bos] + [s.ids[c] for s, c in zip(seq, path, strict=True)]
            lp = table.trigram_logp(np.array(ids[:-2]), np.array(ids[1:-1]), np.array(ids[2:]))
            return float((lp * scale).sum()) - sum(s.costs[c] for s, c in zip(seq, path, strict=True))

        best = max(score(p) for p in itertools.product(*(range(len(s.ids)) for s in seq)))
        assert math.isfinite(best)
        assert score(got) == pytest.approx(best, abs=1e-6)
        # the chosen path is consistent: every merge is followed by its cont
        for s, t in zip(seq, seq[1:], strict=False):
            seg = table.get(s.ids[s.choice])
            if seg is not None and seg.kind == "merge":
                assert t.ids[t.choice] == seg.partner


# ---- provenance downstream -----------------------------------------------------------------------
def _doc() -> Document:
    """A garbled page whose second line has `thi c` (→ `thức`) and `quyet,,ket` (→ `quyết, kết`)."""
    lines = [CONTEXT, "nang cao y thi c trach nhiem, quyet,,ket qua cong tac"]
    out = []
    y = 10
    for text in lines:
        words, x = [], 10
        for w in text.split():
            words.append(Word(w, (x, y, x + 10 * len(w), y + 20), 90.0))
            x += 10 * len(w) + 10
        out.append(Line(words, (10, y, x, y + 20)))
        y += 30
    return Document("t.png", [Page(1, [Block(out)], width=2000, height=200, dpi=300, source="ocr")])


def test_provenance_through_the_archive_the_review_page_and_the_text_layer(tmp_path) -> None:
    from sohoa.ocr.final_text import final_words
    from sohoa.pipeline.archive import _token_rows
    from sohoa.pipeline.review.text import place_tokens

    doc = _doc()
    restore_document(doc)
    line = doc.pages[0].lines[1]
    assert line.restored == "nâng cao ý thức trách nhiệm, quyết, kết quả công tác"
    assert len(line.tokens) == len(line.words)  # one merge, one split
    merged = next(t for t in line.tokens if t.text == "thức")
    assert [line.words[k].text for k in merged.sources] == ["thi", "c"]
    # the archive's tokens table: the merged token has the box of both words, the split halves the
    # box of their one word, and the rows' (line, idx) place the tokens in the stored page text
    rows = [r for r in _token_rows(1, doc) if r[2] == 1]
    by_text = {r[4]: r for r in rows}
    thi, c = line.words[3].box, line.words[4].box
    assert by_text["thức"][8:] == (thi[0], thi[1], c[2], c[3])
    assert by_text["quyết,"][8:] == by_text["kết"][8:] == line.words[7].box
    assert [r[3] for r in rows] == list(range(len(line.tokens)))
    page_text = doc.pages[0].text(restored=True)
    toks = [{"page": r[1], "line": r[2], "idx": r[3], "text": r[4]} for r in _token_rows(1, doc)]
    placed = place_tokens(page_text, 0, [(1, page_text)], toks)
    assert len(placed) == len(toks) and all(page_text[s:e] == t["text"] for s, e, t in placed)
    # the PDF text layer: every final word has a box inside its line, the merged one over both words
    fw = {w.text: w for w in final_words(line)}
    assert fw["thức"].box[0] <= thi[0] + 10 and fw["thức"].box[2] >= c[2] - 10
    # character offsets of the restored text map to the words' boxes
    index = doc.char_index()
    start = page_text.index("thức")
    hit = next(w for s, e, _p, w in index if s == start)
    assert hit.box == (thi[0], thi[1], c[2], c[3])
    # the document JSON keeps the sources
    again = Document.from_dict(doc.export())
    assert again.pages[0].lines[1].tokens == line.tokens


def test_review_engine_confidence_follows_the_sources() -> None:
    from sohoa.pipeline.review.reader import _per_token

    tokens = [{"sources": [0]}, {"sources": [1, 2]}, {"sources": [3]}, {"sources": [3]}]
    assert _per_token(tokens, [90, 40, 80, 70]) == [0.9, 0.4, 0.7, 0.7]
    assert _per_token([{"sources": []}] * 2, [90, 40]) == [0.9, 0.4]


def test_extraction_recases_merged_tokens_from_their_words() -> None:
    from sohoa.document import Token
    from sohoa.extract.records import _recase_tokens

    line = Line([Word("BAN"), Word("CHAP"), Word("HA"), Word("NH"), Word("Trung"), Word("uong")])
    line.tokens = [Token("Ban", "BAN", 1, True, (0,)), Token("Chấp", "CHAP", 1, True, (1,)),
                   Token("Hành", "HA NH", 1, True, (2, 3)), Token("Trung", "Trung", 1, False, (4,)),
                   Token("ương", "uong", 1, True, (5,))]
    line.restored = "Ban Chấp Hành Trung ương"
    assert _recase_tokens(line) == "BAN CHẤP HÀNH Trung ương"


@pytest.mark.parametrize(("garbled", "want"), [
    ("e Bảo hanh 12 thang", "Bảo hành 12 tháng"),
    ("° Các bộ, cơ quan ngang bộ;", "Các bộ, cơ quan ngang bộ;"),
])
def test_a_bullet_misread_at_the_start_of_a_line_is_dropped_and_kept_as_a_source(garbled: str, want: str) -> None:
    out, toks = _restore(garbled)
    assert out == want
    assert toks[0].sources == (0, 1) and toks[0].source.startswith(garbled.split()[0] + " ")
    assert [k for t in toks for k in t.sources] == list(range(len(garbled.split())))


@pytest.mark.parametrize("line", ["e rằng không kịp", "chữ e Thường", "e Bảo"])
def test_a_letter_e_that_is_no_bullet_stays(line: str) -> None:
    assert restore_lines([line]) == [line]


def test_a_dropped_bullet_keeps_its_box_in_the_document() -> None:
    words = [Word(t, (10 + 50 * i, 10, 50 + 50 * i, 30), 90.0) for i, t in enumerate("e Bảo hành 12 tháng".split())]
    doc = Document("x.png", [Page(1, [Block([Line(words, (10, 10, 300, 30))])])])
    restore_document(doc)
    line = doc.pages[0].blocks[0].lines[0]
    assert line.restored == "Bảo hành 12 tháng"
    assert line.tokens[0].sources == (0, 1)


def test_a_slot_whose_best_reading_is_a_merge_continuation_keeps_a_reading_of_its_own() -> None:
    # pruning keeps no cont; here it was the slot's only reading near the best (an empty pick crashed)
    assert restore_lines(["thu c hien theo K6 hoach s6 12"]) == ["thực hiện theo Kế hoạch số 12"]


@pytest.mark.parametrize(("garbled", "want", "sources"), [
    ("Tong cong | 28.500.000", "Tổng cộng 28.500.000", [(0,), (1, 2), (3,)]),
    ("—_—_ Doc lap - Tu do - Hanh phuc", "Độc lập - Tự do - Hạnh phúc", [(0, 1), (2,), (3,), (4,), (5,), (6,), (7,), (8,)]),
    ("- Van phong Chu tich nuoc; |", "- Văn phòng Chủ tịch nước;", [(0,), (1,), (2,), (3,), (4,), (5, 6)]),
])
def test_table_rules_and_underlines_read_as_tokens_are_dropped_and_kept_as_sources(
        garbled: str, want: str, sources: list[tuple[int, ...]]) -> None:
    out, toks = _restore(garbled)
    assert out == want
    assert [t.sources for t in toks] == sources


@pytest.mark.parametrize("line", ["Độc lập - Tự do - Hạnh phúc", "______", "| |", "Hà Nội — Huế"])
def test_dashes_in_text_and_lines_of_rules_alone_stay(line: str) -> None:
    assert restore_lines([line]) == [line]
