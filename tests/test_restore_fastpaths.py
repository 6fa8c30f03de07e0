"""The restorer's fast paths give the same answers as their plain versions (constructed inputs only)."""

from __future__ import annotations

import itertools
import math
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from sohoa.normalize import channel as channel_mod
from sohoa.normalize.channel import Channel, ChannelParams
from sohoa.normalize.lm import TrigramLM
from sohoa.normalize.lm_build import build_lm
from sohoa.normalize.restorer import LM_WEIGHT, Restorer, Slot
from tests.test_restore import CORPUS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def restorer(tmp_path_factory) -> Restorer:
    out = tmp_path_factory.mktemp("models")
    build_lm(((s, 5) for s in CORPUS), str(out), min_count=1, trigram_min=1)
    return Restorer(str(out))


def _slow_cost(ch: Channel, intended: str, observed: str) -> float:
    return ch._edit_table(intended, observed)[0][len(intended)][len(observed)]


def test_channel_costs_equal_the_edit_table(monkeypatch):
    monkeypatch.setattr(channel_mod, "BATCH_MIN", 1)  # force the numpy path for every length
    ch = Channel(ChannelParams(learned={"ủ": {"ti": 0.2, "u": 0.3}, "ơ": {"@": 0.1}, "đ": {"cl": 0.1}}))
    rng = random.Random(0)
    letters = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạủứờ@16&"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 6))) for _ in range(300)]
    for observed in ["ctia", "ngu@i", "s6", "", "a", "tinh", "cl@ng", "quyet,,ket"]:
        fast = ch.costs(words, observed)
        assert fast == [_slow_cost(ch, w, observed) for w in words]
        assert [ch._cost_uncached(w, observed) for w in words[:50]] == fast[:50]
        # with limits, a cost may only be replaced by inf when it is above its limit
        limits = [rng.uniform(0.0, 15.0) for _ in words]
        bounded = ch.costs(words, observed, limits)
        for got, exact, limit in zip(bounded, fast, limits, strict=True):
            assert got == exact or (got == math.inf and exact > limit)
        assert any(got == math.inf and exact < math.inf for got, exact in zip(bounded, fast, strict=True))
        assert ch.costs(words, observed, fast) == fast  # nothing within its limit is dropped


def test_lm_batched_lookup_equals_plain_search(restorer):
    lm: TrigramLM = restorer.lm
    rng = np.random.default_rng(1)
    n = len(lm.vocab)
    u, v, w = (rng.integers(0, n, 3000) for _ in range(3))
    for keys, random_q in ((lm.k2, (v << 21) | w), (lm.k3, (u << 42) | (v << 21) | w)):
        known = keys[rng.integers(0, len(keys), 3000)]  # known keys, many of them repeated
        q = rng.permutation(np.concatenate([random_q, known, known[:500]]))
        pos, hit = lm._find(keys, q)
        plain = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
        assert np.array_equal(hit, keys[plain] == q)
        assert np.array_equal(pos[hit], plain[hit])
        assert hit.sum() >= 3500 and not hit.all()


def test_viterbi_finds_the_best_path(restorer):
    """The run-splitting batched Viterbi against brute force over every path of small lattices."""
    rng = random.Random(3)
    words = [w for w in restorer.lm.vocab if w.isalpha()]
    scale = LM_WEIGHT * math.log(10)
    bos = restorer.bos_id
    for _ in range(40):
        seq = []
        for _k in range(rng.randint(1, 7)):
            cands = rng.sample(words, rng.choice([1, 1, 2, 3]))
            slot = Slot(0, "", cands[0], "", "word")
            slot.words = tuple(cands)
            slot.ids = tuple(restorer.lm.id(c) for c in cands)
            slot.costs = tuple(round(rng.uniform(0, 3), 2) for _ in cands)
            seq.append(slot)
        restorer._viterbi(seq)
        got = tuple(s.choice for s in seq)

        def score(path: tuple[int, ...], seq: list[Slot] = seq) -> float:
            ids = [bos, bos] + [s.ids[c] for s, c in zip(seq, path, strict=True)]
            lp = restorer.lm.trigram_logp(np.array(ids[:-2]), np.array(ids[1:-1]), np.array(ids[2:]))
            return float((lp * scale).astype(np.float64).sum()) - sum(s.costs[c] for s, c in zip(seq, path, strict=True))

        best = max(score(p) for p in itertools.product(*(range(len(s.ids)) for s in seq)))
        assert score(got) == pytest.approx(best, abs=1e-9)
        assert all(0.0 <= s.conf <= 1.0 for s in seq)


def test_memos_do_not_leak_between_modes(restorer):
    """The same token in a proofread line and in an accentless line gets each mode's candidates."""
    clean = restorer.restore_lines(["Các cơ quan, đơn vị báo cáo kết quả thực hiện về Văn phòng"])[0]
    plain = restorer.restore_lines(["Cac co quan, don vi bao cao ket qua thuc hien ve Van phong"])[0]
    assert clean == "Các cơ quan, đơn vị báo cáo kết quả thực hiện về Văn phòng"
    assert plain.startswith("Các cơ quan, đơn vị báo cáo kết quả thực hiện")
    assert restorer.restore_lines(["Các cơ quan"]) == ["Các cơ quan"]


def _run(cmd: list[str], data: bytes) -> bytes:
    p = subprocess.run(cmd, input=data, capture_output=True, cwd=ROOT, timeout=180,
                       env={**os.environ, "PYTHONPATH": ROOT})
    assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
    return p.stdout


def test_both_restore_commands_agree():
    """`python -m normalize.cli_restore` and `sohoa restore`: BOM, CRLF, new-style tones, blank lines."""
    sohoa = os.path.join(os.path.dirname(sys.executable), "sohoa")
    if not os.path.exists(sohoa):
        pytest.skip("the sohoa entry point is not installed in this environment")
    data = "\ufeffKe hoach so 12-KH/UBND\r\n\r\nThuỷ lợi và hoà bình\r\nCông văn số 5".encode()
    a = _run([sys.executable, "-m", "sohoa.normalize.cli_restore"], data)
    b = _run([sohoa, "restore"], data)
    assert a == b
    lines = a.decode("utf-8").split("\n")
    assert len(lines) == 4 and lines[1] == ""
    assert "\r" not in a.decode("utf-8") and not a.startswith("\ufeff".encode())


def test_restore_lines_prepares_like_restore_document(monkeypatch, restorer):
    import sohoa.normalize.restore as restore_mod
    from sohoa.document import Document

    text = "Thuỷ lợi và hoà bình của Ủy ban nhân dân tỉnh"
    assert restore_mod.prepare_lines([text]) == ["Thủy lợi và hòa bình của Ủy ban nhân dân tỉnh"]
    monkeypatch.setattr(restore_mod, "get_restorer", lambda: restorer)
    for line in (text, "Ke hoach so 5 cua Uy ban nhan dan tinh"):
        doc = Document.from_text("x.txt", line)
        restore_mod.restore_document(doc)
        assert restore_mod.restore_lines([line]) == [ln.restored for p in doc.pages for ln in p.lines]
