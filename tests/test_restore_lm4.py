"""The optional 4-gram level of the LM (lm_build.build_lm fourgram_min) and the 4-gram rescoring of
the trigram path (normalize.rescore4), on a tiny corpus."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from sohoa.normalize.lm import TrigramLM
from sohoa.normalize.lm_build import build_lm
from sohoa.normalize.rescore4 import rescore_fourgram

TEXT = (["ban chỉ đạo tỉnh họp"] * 6 + ["sở chỉ đạo tỉnh làm"] * 6 + ["ban chỉ huy quân sự"] * 3
        + ["ban chỉ đạo huyện họp"] * 2)


def build(tmp_path, fourgram_min):
    out = tmp_path / ("m4" if fourgram_min else "m3")
    build_lm(((t, 1) for t in TEXT), str(out), min_count=1, trigram_min=1, fourgram_min=fourgram_min)
    return TrigramLM(str(out))


def ids(lm, words):
    return [np.array([lm.id(w)]) for w in words]


def test_fourgrams_use_the_longer_context_and_stay_a_distribution(tmp_path):
    lm3, lm4 = build(tmp_path, None), build(tmp_path, 1)
    assert lm3.k4 is None and lm4.k4 is not None and len(lm4.k4) > 0
    # after "ban chỉ đạo" the corpus says "tỉnh … họp"; after "sở chỉ đạo" too, but P(tỉnh | ban chỉ đạo)
    # differs from the trigram's P(tỉnh | chỉ đạo) once the first word is seen
    p4 = lm4.fourgram_logp(*ids(lm4, ["ban", "chỉ", "đạo", "huyện"]))[0]
    p3 = lm4.trigram_logp(*ids(lm4, ["chỉ", "đạo", "huyện"]))[0]
    assert p4 > p3  # "huyện" followed only "ban chỉ đạo"
    # without 4-grams the call is the trigram's
    assert lm3.fourgram_logp(*ids(lm3, ["ban", "chỉ", "đạo", "huyện"]))[0] == lm3.trigram_logp(
        *ids(lm3, ["chỉ", "đạo", "huyện"]))[0]
    # P(· | ban chỉ đạo) sums to about one over the vocabulary
    V = len(lm4.vocab)
    ctx = [np.full(V, lm4.id(w)) for w in ("ban", "chỉ", "đạo")]
    total = (10.0 ** lm4.fourgram_logp(*ctx, np.arange(V))).sum()
    assert total == pytest.approx(1.0, abs=0.08)  # quantised log-probabilities


@dataclass
class S:
    ids: tuple[int, ...]
    costs: tuple[float, ...]
    choice: int = 0


def test_rescoring_changes_a_slot_only_where_the_4_grams_prefer_another_candidate(tmp_path):
    lm = build(tmp_path, 1)
    bos = lm.id("<s>")
    w = lm.id
    # "sở chỉ đạo [tỉnh|huyện] họp": both candidates free; the 4-gram context has seen only "tỉnh" after sở
    seq = [S((w("sở"),), (0.0,)), S((w("chỉ"),), (0.0,)), S((w("đạo"),), (0.0,)),
           S((w("huyện"), w("tỉnh")), (0.0, 0.0)), S((w("họp"),), (0.0,))]
    assert rescore_fourgram(lm, seq, bos, np.log(10)) == 1 and seq[3].choice == 1
    # a dear channel cost keeps the choice
    seq[3] = S((w("huyện"), w("tỉnh")), (0.0, 50.0))
    assert rescore_fourgram(lm, seq, bos, np.log(10)) == 0 and seq[3].choice == 0
    assert rescore_fourgram(build(tmp_path, None), seq, bos, np.log(10)) == 0  # a trigram LM: nothing to do
