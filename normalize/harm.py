"""Harm / benefit of restoration on OCR output that has a ground truth: of the tokens the restorer
changed, how many it fixed (wrong → right) and how many it broke (right → wrong).

OCR tokens are aligned to the ground truth first (syllables compared without marks, so `lạp` still
lines up with `lập`; the rest of a mismatched stretch by letter similarity), then each OCR token's
restored form is compared with its ground-truth token. Tokens are compared case-folded, NFC, with
the old tone placement and surrounding punctuation removed (as the shared scorers do); tokens with
no ground-truth partner (text the ground truth leaves out, reading-order moves) are counted apart.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from sohoa.normalize.vnsyl import nfc, old_style_text, strip_marks

_EDGE = re.compile(r"^[^\w]+|[^\w]+$")
MIN_SIMILARITY = 0.5  # normalised letter similarity for two tokens of a mismatched stretch to pair


def norm_token(tok: str) -> str:
    """The form tokens are compared in: NFC, old tone placement, lower case, no edge punctuation."""
    return _EDGE.sub("", old_style_text(nfc(tok)).lower())


def _keys(tokens: list[str]) -> list[str]:
    return [norm_token(t) for t in tokens]


def align(observed: list[str], truth: list[str]) -> list[tuple[int, int]]:
    """Monotone pairs (i, j): observed[i] stands for truth[j]. Inputs are normalised tokens."""
    obs_sk = [strip_marks(t).replace("đ", "d") for t in observed]
    gold_sk = [strip_marks(t).replace("đ", "d") for t in truth]
    pairs: list[tuple[int, int]] = []
    for op in Levenshtein.opcodes(obs_sk, gold_sk):
        if op.tag == "equal":
            pairs.extend(zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end), strict=True))
        elif op.tag == "replace":
            pairs.extend(_align_block(observed, truth, op.src_start, op.src_end, op.dest_start, op.dest_end))
    return pairs


def _align_block(obs: list[str], gold: list[str], i0: int, i1: int, j0: int, j1: int) -> list[tuple[int, int]]:
    """Best monotone pairing of obs[i0:i1] with gold[j0:j1] by letter similarity (pairs below
    MIN_SIMILARITY are not made)."""
    n, m = i1 - i0, j1 - j0
    sim = [[Levenshtein.normalized_similarity(obs[i0 + a], gold[j0 + b]) for b in range(m)] for a in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            take = sim[a][b] + best[a + 1][b + 1] if sim[a][b] >= MIN_SIMILARITY else -1.0
            best[a][b] = max(take, best[a + 1][b], best[a][b + 1])
    out: list[tuple[int, int]] = []
    a = b = 0
    while a < n and b < m:
        if sim[a][b] >= MIN_SIMILARITY and best[a][b] == sim[a][b] + best[a + 1][b + 1]:
            out.append((i0 + a, j0 + b))
            a, b = a + 1, b + 1
        elif best[a][b] == best[a + 1][b]:
            a += 1
        else:
            b += 1
    return out


@dataclass
class HarmReport:
    tokens: int = 0  # OCR word tokens
    aligned: int = 0  # of them, with a ground-truth partner
    fixed: int = 0  # changed, wrong → right
    broken: int = 0  # changed, right → wrong
    still_wrong: int = 0  # changed, wrong → another wrong
    missed: int = 0  # wrong and left as it was
    changed_unaligned: int = 0  # changed, with no ground-truth partner
    broken_examples: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (ocr, restored, truth)
    fixed_examples: Counter[tuple[str, str]] = field(default_factory=Counter)  # (ocr, truth)

    @property
    def broken_per_fixed(self) -> float:
        return self.broken / self.fixed if self.fixed else float("inf") if self.broken else 0.0

    def add(self, other: HarmReport) -> None:
        for name in ("tokens", "aligned", "fixed", "broken", "still_wrong", "missed", "changed_unaligned"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.broken_examples.update(other.broken_examples)
        self.fixed_examples.update(other.fixed_examples)


def _line_pairs(raw: list[str], restored: list[str]) -> list[tuple[int, int]]:
    """Which restored token stands for which raw token of one line (the restorer keeps the token count;
    should it not, the two are aligned by letters)."""
    if len(raw) == len(restored):
        return [(k, k) for k in range(len(raw))]
    return align(_keys(raw), _keys(restored))


def harm_benefit(raw_lines: list[str], restored_lines: list[str], truth_text: str) -> HarmReport:
    """Fixed / broken counts of `restored_lines` (the restorer's output for `raw_lines`) against the
    ground truth of the same page (any line breaks)."""
    if len(raw_lines) != len(restored_lines):
        raise ValueError(f"{len(raw_lines)} OCR lines but {len(restored_lines)} restored lines")
    raw_tok: list[str] = []
    restored_of: list[str | None] = []
    for raw, rest in zip(raw_lines, restored_lines, strict=True):
        r_toks, s_toks = raw.split(), rest.split()
        mapping = dict(_line_pairs(r_toks, s_toks))
        for k, t in enumerate(r_toks):
            raw_tok.append(t)
            restored_of.append(s_toks[mapping[k]] if k in mapping else None)
    raw_keys = _keys(raw_tok)
    keep = [k for k, key in enumerate(raw_keys) if key]  # punctuation-only tokens are not words
    obs = [raw_keys[k] for k in keep]
    gold = [g for g in _keys(truth_text.split()) if g]
    partner = {keep[i]: gold[j] for i, j in align(obs, gold)}
    rep = HarmReport()
    for k in keep:
        rep.tokens += 1
        before = raw_keys[k]
        after = norm_token(restored_of[k]) if restored_of[k] is not None else ""
        changed = after != before
        truth = partner.get(k)
        if truth is None:
            rep.changed_unaligned += changed
            continue
        rep.aligned += 1
        if not changed:
            rep.missed += before != truth
        elif before == truth:
            rep.broken += 1
            rep.broken_examples[(before, after, truth)] += 1
        elif after == truth:
            rep.fixed += 1
            rep.fixed_examples[(before, truth)] += 1
        else:
            rep.still_wrong += 1
    return rep
