"""Syllable trigram language model (interpolated Kneser-Ney, stored ARPA-style in numpy arrays).

Keys are exact integer encodings of id tuples (ids < 2**21), so lookups are a binary search in a
sorted int64 array: no hashing collisions, no Python dicts to build at load time.
"""

from __future__ import annotations

import json
import os
import re

import numpy as np

from sohoa.normalize.vnsyl import old_style

ID_BITS = 21
FOUR_BITS = 15  # bits per id in 4-gram keys (the vocabulary must stay below 2**15)
_PACK_BITS = 21  # bits of a query's index packed under its key when sorting a batch of lookups
QUANT_STEP = 0.05  # log10 units per quantisation step of stored log-probabilities
BOS, NUM, OTHER, UNK = "<s>", "<n>", "<o>", "<unk>"
SPECIALS = (BOS, NUM, OTHER, UNK)
_WORD = re.compile(r"^[^\W\d_]+$")
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")


def token_core(raw: str) -> str:
    """The token without leading/trailing punctuation."""
    return _EDGE_PUNCT.sub("", raw)


def lm_token(raw: str) -> str | None:
    """Map one whitespace token of running text to its LM unit (None = pure punctuation)."""
    core = token_core(raw)
    if not core:
        return None
    if _WORD.match(core):
        return old_style(core.lower())
    if any(c.isdigit() for c in core) and not any(c.isalpha() for c in core):
        return NUM
    return OTHER


def text_units(text: str) -> list[str]:
    return [u for u in (lm_token(t) for t in text.split()) if u is not None]


def quantise(logp: np.ndarray) -> np.ndarray:
    q = np.round(-logp / QUANT_STEP)
    return np.clip(q, 0, 65535).astype(np.uint16)


def dequantise(q: np.ndarray) -> np.ndarray:
    return -q.astype(np.float32) * QUANT_STEP


class TrigramLM:
    """Back-off lookups: log10 P(w | u v) with KN-interpolated probabilities and back-off weights."""

    def __init__(self, model_dir: str):
        with open(os.path.join(model_dir, "restore_vocab.json"), encoding="utf-8") as f:
            self.vocab: list[str] = json.load(f)
        self.index = {w: i for i, w in enumerate(self.vocab)}
        arr = np.load(os.path.join(model_dir, "restore_lm.npz"))
        self.p1 = dequantise(arr["p1"])
        self.b1 = dequantise(arr["b1"])
        self.k2 = arr["k2"]
        self.p2 = dequantise(arr["p2"])
        self.b2 = dequantise(arr["b2"])
        self.k3 = arr["k3"]
        self.p3 = dequantise(arr["p3"])
        # optional 4-gram level: keys, log-probs, and back-off weights of the 4-grams' contexts
        self.k4 = arr["k4"] if "k4" in arr else None
        if self.k4 is not None:
            self.p4 = dequantise(arr["p4"])
            self.kc3 = arr["kc3"]
            self.b3 = dequantise(arr["b3"])
        self.unk = self.index[UNK]
        counts = arr["c1"]
        self.count = counts

    def id(self, word: str) -> int:
        return self.index.get(word, self.unk)

    @staticmethod
    def _find(keys: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position, found) of each query key in the sorted `keys`."""
        n = len(q)
        if n <= 64:
            pos = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
            return pos, keys[pos] == q
        # Batches repeat their keys a lot, and numpy's binary search is several times faster on sorted
        # queries: search each distinct key once, in order.
        if n < 1 << _PACK_BITS and int(q.max()) < 1 << (63 - _PACK_BITS):
            packed = np.sort((q << _PACK_BITS) | np.arange(n))  # a plain sort beats argsort ×3
            order, sorted_q = packed & ((1 << _PACK_BITS) - 1), packed >> _PACK_BITS
        else:
            order = np.argsort(q)
            sorted_q = q[order]
        first = np.empty(n, dtype=bool)
        first[0] = True
        np.not_equal(sorted_q[1:], sorted_q[:-1], out=first[1:])
        distinct = sorted_q[first]
        dpos = np.minimum(np.searchsorted(keys, distinct), len(keys) - 1)
        dhit = keys[dpos] == distinct
        group = np.cumsum(first) - 1
        pos = np.empty(n, dtype=np.int64)
        hit = np.empty(n, dtype=bool)
        pos[order] = dpos[group]
        hit[order] = dhit[group]
        return pos, hit

    def bigram_logp(self, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        v = v.astype(np.int64)
        w = w.astype(np.int64)
        pos, hit = self._find(self.k2, (v << ID_BITS) | w)
        return np.where(hit, self.p2[pos], self.b1[v] + self.p1[w])

    def trigram_logp(self, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Vectorised log10 P(w | u v) for arrays of ids of equal shape."""
        u = u.astype(np.int64)
        v = v.astype(np.int64)
        w = w.astype(np.int64)
        pos3, hit3 = self._find(self.k3, (u << (2 * ID_BITS)) | (v << ID_BITS) | w)
        out = self.p3[pos3]
        miss = ~hit3
        if miss.any():  # back off only where the trigram is unknown
            um, vm, wm = u[miss], v[miss], w[miss]
            pos_c, hit_c = self._find(self.k2, (um << ID_BITS) | vm)
            out[miss] = np.where(hit_c, self.b2[pos_c], 0.0) + self.bigram_logp(vm, wm)
        return out

    def fourgram_logp(self, t: np.ndarray, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Vectorised log10 P(w | t u v); the trigram's when the model has no 4-grams."""
        if self.k4 is None:
            return self.trigram_logp(u, v, w)
        t, u, v, w = (x.astype(np.int64) for x in (t, u, v, w))
        pos4, hit4 = self._find(self.k4, (t << (3 * FOUR_BITS)) | (u << (2 * FOUR_BITS)) | (v << FOUR_BITS) | w)
        out = self.p4[pos4]
        miss = ~hit4
        if miss.any():
            tm, um, vm, wm = t[miss], u[miss], v[miss], w[miss]
            pos_c, hit_c = self._find(self.kc3, (tm << (2 * ID_BITS)) | (um << ID_BITS) | vm)
            out[miss] = np.where(hit_c, self.b3[pos_c], 0.0) + self.trigram_logp(um, vm, wm)
        return out
