"""Build the syllable trigram LM (interpolated Kneser-Ney) from corpus text into numpy arrays."""

from __future__ import annotations

import json
import lzma
import os
from collections import Counter
from collections.abc import Iterable, Iterator

import numpy as np

from sohoa.normalize.lm import (
    BOS,
    FOUR_BITS,
    ID_BITS,
    SPECIALS,
    UNK,
    lm_token,
    quantise,
    text_units,
    token_core,
)
from sohoa.normalize.vnsyl import nfc

MASK = (1 << ID_BITS) - 1


def read_lines(path: str) -> Iterator[str]:
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                yield nfc(line)


def _kn_discount(counts: np.ndarray) -> float:
    n1 = int((counts == 1).sum())
    n2 = int((counts == 2).sum())
    return n1 / (n1 + 2 * n2) if n1 + n2 else 0.7


def _group_sums(sorted_keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For keys already sorted: unique keys, sum of values per key, number of rows per key."""
    uniq, start, n = np.unique(sorted_keys, return_index=True, return_counts=True)
    return uniq, np.add.reduceat(values, start), n


def build_lm(paragraphs: Iterable[tuple[str, int]], out_dir: str, min_count: int = 2,
             trigram_min: int = 2, bigram_min: int = 1, fourgram_min: int | None = None) -> dict:
    """paragraphs: (text, weight) pairs. Writes lm_vocab.json and lm.npz into out_dir.
    fourgram_min: also store 4-grams seen at least this often (None: a trigram LM)."""
    unit_lists: list[list[str]] = []
    freq: Counter[str] = Counter()
    for text, weight in paragraphs:
        units = text_units(text)
        if not units:
            continue
        for _ in range(weight):
            unit_lists.append(units)
        for u in units:
            freq[u] += weight
    vocab = list(SPECIALS) + sorted(w for w, c in freq.items() if c >= min_count and w not in SPECIALS)
    if len(vocab) >= 1 << ID_BITS:
        raise ValueError("vocabulary too large for the key encoding")
    index = {w: i for i, w in enumerate(vocab)}
    bos, unk = index[BOS], index[UNK]
    seq: list[int] = []
    for units in unit_lists:
        seq.append(bos)
        seq.append(bos)
        seq.extend(index.get(u, unk) for u in units)
    ids = np.array(seq, dtype=np.int64)
    del seq, unit_lists
    n_tokens = int((ids != bos).sum())

    u, v, w = ids[:-2], ids[1:-1], ids[2:]
    keep = w != bos
    k3_all = (u[keep] << (2 * ID_BITS)) | (v[keep] << ID_BITS) | w[keep]
    k3, c3 = np.unique(k3_all, return_counts=True)
    del k3_all, u, v, w
    d3 = _kn_discount(c3)

    # Bigram continuation counts N1+(. v w) = number of distinct left neighbours.
    vw = k3 & ((1 << (2 * ID_BITS)) - 1)
    order = np.argsort(vw, kind="stable")
    k2, n2_cont, _ = _group_sums(vw[order], np.ones(len(vw), dtype=np.int64))
    d2 = _kn_discount(n2_cont)

    # Unigram continuation N1+(. w): distinct bigram types ending in w.
    w2 = k2 & MASK
    v2 = k2 >> ID_BITS
    V = len(vocab)
    n1_cont = np.bincount(w2, minlength=V).astype(np.float64)
    p1 = (n1_cont + 0.01) / (n1_cont.sum() + 0.01 * V)
    p1[bos] = 1e-12

    # P2(w | v) and back-off weight of v.
    den_v = np.bincount(v2, weights=n2_cont, minlength=V).astype(np.float64)
    types_v = np.bincount(v2, minlength=V).astype(np.float64)
    safe_den = np.where(den_v > 0, den_v, 1.0)
    bow1 = np.where(den_v > 0, d2 * types_v / safe_den, 1.0)
    p2 = np.maximum(n2_cont - d2, 0) / safe_den[v2] + bow1[v2] * p1[w2]

    # P3(w | u v) and back-off weight of the context (u v).
    ctx = k3 >> ID_BITS
    ctx_keys, ctx_sum, ctx_types = _group_sums(ctx, c3.astype(np.float64))
    ctx_pos = np.searchsorted(ctx_keys, ctx)
    bow_ctx = d3 * ctx_types / ctx_sum
    p2_of_vw = p2[np.searchsorted(k2, k3 & ((1 << (2 * ID_BITS)) - 1))]
    p3 = np.maximum(c3 - d3, 0) / ctx_sum[ctx_pos] + bow_ctx[ctx_pos] * p2_of_vw

    # Back-off weights of bigram contexts, aligned with k2 (1.0 where the bigram is never a context).
    b2 = np.ones(len(k2))
    pos = np.searchsorted(k2, ctx_keys)
    found = (pos < len(k2)) & (k2[np.minimum(pos, len(k2) - 1)] == ctx_keys)
    b2[pos[found]] = bow_ctx[found]

    keep3 = c3 >= trigram_min
    keep2 = (n2_cont >= bigram_min) | (b2 < 1.0)
    extra: dict[str, np.ndarray] = {}
    stats4: dict = {}
    if fourgram_min is not None:
        extra, stats4 = _fourgrams(ids, bos, k3, p3, V, fourgram_min)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "restore_vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    counts1 = np.bincount(ids, minlength=V)
    np.savez_compressed(
        os.path.join(out_dir, "restore_lm.npz"),
        p1=quantise(np.log10(p1)), b1=quantise(np.log10(bow1)), c1=np.minimum(counts1, 2**31 - 1).astype(np.int32),
        k2=k2[keep2], p2=quantise(np.log10(p2[keep2])), b2=quantise(np.log10(b2[keep2])),
        k3=k3[keep3], p3=quantise(np.log10(p3[keep3])), **extra,
    )
    return {"tokens": n_tokens, "vocab": V, "bigrams": int(keep2.sum()), "trigrams": int(keep3.sum()),
            "trigram_types": len(k3), "d2": d2, "d3": d3, **stats4}


def _fourgrams(ids: np.ndarray, bos: int, k3: np.ndarray, p3: np.ndarray, V: int,
               fourgram_min: int) -> tuple[dict[str, np.ndarray], dict]:
    """The 4-gram level over the trigram one: P4(w | t u v) = max(c − d4, 0) / c(t u v ·) +
    bow(t u v) · P3(w | u v), stored for 4-grams seen ≥ fourgram_min times (keys of FOUR_BITS per id),
    with the back-off weights of their contexts (keys as trigram keys)."""
    if V >= 1 << FOUR_BITS:
        raise ValueError(f"vocabulary of {V} too large for 4-gram keys ({FOUR_BITS} bits per id)")
    t, u, v, w = ids[:-3], ids[1:-2], ids[2:-1], ids[3:]
    keep = w != bos
    k4_all = (t[keep] << (3 * FOUR_BITS)) | (u[keep] << (2 * FOUR_BITS)) | (v[keep] << FOUR_BITS) | w[keep]
    del t, u, v, w
    k4, c4 = np.unique(k4_all, return_counts=True)
    del k4_all
    d4 = _kn_discount(c4)
    m4 = (1 << FOUR_BITS) - 1
    b, c, d = (k4 >> (2 * FOUR_BITS)) & m4, (k4 >> FOUR_BITS) & m4, k4 & m4
    ctx = k4 >> FOUR_BITS  # sorted, as k4 is
    ctx_keys, ctx_sum, ctx_types = _group_sums(ctx, c4.astype(np.float64))
    ctx_pos = np.searchsorted(ctx_keys, ctx)
    bow_ctx = d4 * ctx_types / ctx_sum
    p3_of = p3[np.searchsorted(k3, (b << (2 * ID_BITS)) | (c << ID_BITS) | d)]
    p4 = np.maximum(c4 - d4, 0) / ctx_sum[ctx_pos] + bow_ctx[ctx_pos] * p3_of
    keep4 = c4 >= fourgram_min
    # contexts as trigram keys (ID_BITS per id), sorted for look-ups
    ca, cb, cc = ctx_keys >> (2 * FOUR_BITS), (ctx_keys >> FOUR_BITS) & m4, ctx_keys & m4
    c_keys = (ca << (2 * ID_BITS)) | (cb << ID_BITS) | cc
    order = np.argsort(c_keys)
    return ({"k4": k4[keep4], "p4": quantise(np.log10(p4[keep4])), "kc3": c_keys[order],
             "b3": quantise(np.log10(bow_ctx[order]))},
            {"fourgrams": int(keep4.sum()), "fourgram_types": len(k4), "d4": d4})


_SENTENCE_END = (".", ":", ";", "!", "?", "…")


def build_case_stats(paragraphs: Iterable[str], out_dir: str) -> dict:
    """log P(capitalised | syllable) in mid-sentence positions, for the LM vocabulary.

    The LM is lower-cased; this keeps the one thing case tells: a capitalised syllable inside a
    sentence is part of a name (Đảng, Nhân dân, Sơn La), which helps choose among candidates."""
    with open(os.path.join(out_dir, "restore_vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    index = {w: i for i, w in enumerate(vocab)}
    caps = np.zeros(len(vocab), dtype=np.int64)
    total = np.zeros(len(vocab), dtype=np.int64)
    for para in paragraphs:
        prev = ""
        for raw in para.split():
            unit = lm_token(raw)
            core = token_core(raw)
            if prev and not prev.endswith(_SENTENCE_END) and unit and not (len(core) > 1 and core.isupper()):
                i = index.get(unit)
                if i is not None:
                    total[i] += 1
                    caps[i] += core[0].isupper()
            prev = raw
    log_cap = np.log((caps + 0.5) / (total + 1.0)).astype(np.float16)
    np.save(os.path.join(out_dir, "restore_case.npy"), log_cap)
    return {"case_tokens": int(total.sum()), "capitalised": int(caps.sum())}
