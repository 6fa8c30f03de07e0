"""Candidate syllables for an observed OCR token: skeleton look-ups through the channel's reverse
confusions, then a one-deletion fuzzy neighbourhood, ranked by channel cost and unigram frequency."""

from __future__ import annotations

import heapq
import math
from functools import lru_cache

import numpy as np

from sohoa.normalize.channel import Channel
from sohoa.normalize.lm import TrigramLM
from sohoa.normalize.vnsyl import is_skeleton_shape, is_syllable_shape, strip_marks

MAX_REWRITES = 3  # OCR confusions undone per token
MAX_VARIANTS = 60  # skeletons collected per token
MAX_POPS = 300  # bound on the reverse-confusion search per token
MAX_REWRITE_COST = 6.0  # −log P of the rarest single confusion the search will undo
NOISE_DROP_COST = 3.0  # dropping a non-letter OCR character (¢, |, ")
# Channel settings per line mode. Proofread = text OCR already read with marks (Tesseract `vie`, or
# clean text): only the marks may change and each change is dear, so clean text stays as it is.
MODES: dict[str, dict] = {
    "accentless": {"drop_marks": 0.05},
    "plain": {"drop_marks": 0.05},  # accentless text with no sign of OCR garbling in the document
    "garbled": {"drop_marks": 0.6},
    "proofread": {"drop_marks": 4.0, "wrong_marks": 4.0, "extra_marks": 4.0, "learned": {}},
}
RANK_MARGIN = 6.0  # candidates ranked this far below the best one are not worth decoding
FUZZY_TRIGGER = 3.0  # search the fuzzy neighbourhood when no candidate is cheaper than this …
FUZZY_MISSHAPEN = True  # … and, in a garbled or accentless line, for letters that spell no syllable (lugt)
FUZZY_VARIANTS = 60  # skeletons whose one-deletion neighbourhood is searched when nothing close is found
BOUND_SLACK = 1e-6  # rounding allowance when candidates are ruled out by a bound
MAX_SCORED = 40  # candidates whose full channel cost is computed, taken from the cheapest skeletons


class Lexicon:
    """The LM's syllable vocabulary indexed by skeleton (marks stripped) and by one-deletion keys."""

    def __init__(self, lm: TrigramLM, min_count: int = 3):
        self.lm = lm
        self.by_skeleton: dict[str, list[int]] = {}
        self.by_deletion: dict[str, set[str]] = {}
        total = float(lm.count.sum())
        self.log_unigram = np.log(np.maximum(lm.count, 1) / total)
        for i, w in enumerate(lm.vocab):
            if lm.count[i] < min_count or not w.isalpha() or not is_syllable_shape(w):
                continue
            skel = strip_marks(w)
            self.by_skeleton.setdefault(skel, []).append(i)
        for skel in self.by_skeleton:
            for d in _deletions(skel):
                self.by_deletion.setdefault(d, set()).add(skel)

    def is_known(self, word: str) -> bool:
        i = self.lm.index.get(word)
        return i is not None and self.lm.count[i] >= 3


def _deletions(s: str) -> set[str]:
    return {s[:i] + s[i + 1:] for i in range(len(s))} | {s}


class CandidateGenerator:
    def __init__(self, lexicon: Lexicon, channel: Channel, max_candidates: int = 8, unigram_weight: float = 0.3,
                 max_candidates_garbled: int = 12):
        self.lex = lexicon
        self.channel = channel
        self.max_candidates = max_candidates
        # garbled OCR reaches the intended syllable through costlier confusions (`dén` → `dân`), so more
        # cheap look-alikes crowd it; accentless text has the right skeleton and needs fewer
        self.max_candidates_garbled = max_candidates_garbled
        self.unigram_weight = unigram_weight
        rev = channel.reverse_segments()
        self.rev = {k: v for k, v in rev.items() if k}
        self.rev_insert = rev.get("", {})
        self._insert_moves = sorted(((letter, c) for letter, c in self.rev_insert.items() if c <= MAX_REWRITE_COST),
                                    key=lambda m: (m[1], m[0]))
        self._channels: dict[str, Channel] = {}
        self.generate = lru_cache(maxsize=200_000)(self._generate)

    def channel_for(self, mode: str) -> Channel:
        if mode not in self._channels:
            self._channels[mode] = self.channel.with_overrides(**MODES[mode])
        return self._channels[mode]

    def _variants(self, obs: str) -> dict[str, float]:
        """Skeletons reachable from `obs` by reverse confusions → search cost, cheapest first
        (uniform-cost search, so the dict's order is by cost)."""
        # every move depends only on the position in `obs`: list them once per position
        moves = [self._moves(obs, j) for j in range(len(obs))]
        inserts = self._insert_moves  # sorted by cost
        n_inserts = len(inserts)
        out: dict[str, float] = {}
        # heap items: (cost, position, skeleton so far, rewrites, parent cost, parent skeleton, next insert).
        # A state's insertions (a letter OCR dropped) are pushed lazily, cheapest first: the next, dearer
        # group only when an item of the group before is popped. Pops happen in exactly the order of
        # pushing them all at once, since a later group is strictly dearer than the popped item.
        heap: list[tuple[float, int, str, int, float, str, int]] = [(0.0, 0, "", 0, 0.0, "", -1)]
        seen: set[tuple[int, str]] = set()
        pops = 0
        n = len(obs)
        push, pop = heapq.heappush, heapq.heappop

        def push_inserts(cost: float, j: int, acc: str, rewrites: int, start: int) -> None:
            value = cost + inserts[start][1]
            k = start
            while k < n_inserts and cost + inserts[k][1] == value:
                k += 1
            for x in range(start, k):
                letter = inserts[x][0]
                push(heap, (value, j, acc + letter, rewrites + 1, cost, acc, k if x == k - 1 and k < n_inserts else -1))

        while heap and len(out) < MAX_VARIANTS and pops < MAX_POPS:
            pops += 1
            cost, j, acc, rewrites, parent_cost, parent_acc, next_insert = pop(heap)
            if next_insert >= 0:
                push_inserts(parent_cost, j, parent_acc, rewrites - 1, next_insert)
            if (j, acc) in seen:
                continue
            seen.add((j, acc))
            if j == n:
                if acc and acc not in out:
                    out[acc] = cost
                continue
            step, rewrite_moves = moves[j]
            push(heap, (cost + step[0], j + 1, acc + step[1], rewrites + step[2], 0.0, "", -1))
            if rewrites >= MAX_REWRITES:
                continue
            for c, k, letter in rewrite_moves:
                push(heap, (cost + c, j + k, acc + letter, rewrites + 1, 0.0, "", -1))
            if n_inserts:
                push_inserts(cost, j, acc, rewrites, 0)
        return out

    def _moves(
        self, obs: str, j: int
    ) -> tuple[tuple[float, str, int], list[tuple[float, int, str]]]:
        """At position j of `obs`: the plain step (cost, letter, rewrites used) and the reverse
        confusions (cost, observed characters consumed, intended letter)."""
        base = strip_marks(obs[j])
        step = (0.0, base, 0) if base.isalpha() else (NOISE_DROP_COST, "", 1)  # drop an OCR noise character
        rewrites = []
        for k in (1, 2):
            seg = obs[j:j + k]
            if len(seg) < k:
                break
            for key in {seg, strip_marks(seg)}:
                for letter, c in self.rev.get(key, {}).items():
                    if c <= MAX_REWRITE_COST and (letter != base or k == 2):
                        rewrites.append((c, k, letter))
        return step, rewrites

    def _generate(self, obs: str, mode: str) -> tuple[tuple[int, ...], tuple[float, ...]]:
        """(candidate ids, channel costs) for a lower-case observed token, best first.
        mode: accentless | garbled (OCR confusions allowed) | plain (accentless, confusions only when the
        letters spell no syllable) | proofread (marks only, changes dear)."""
        channel = self.channel_for(mode)
        ids: dict[int, None] = {}  # ordered: candidates of cheaper skeletons first
        skeleton = strip_marks(obs)
        if mode == "proofread" or (mode == "plain" and skeleton in self.lex.by_skeleton):
            variants = [skeleton]  # marks are all that is missing: no OCR confusion search needed
        else:
            variants = list(self._variants(obs))
        for v in variants:
            for i in self.lex.by_skeleton.get(v, ()):
                ids[i] = None
            if len(ids) >= MAX_SCORED:
                break
        vocab = self.lex.lm.vocab
        costs = dict(zip(ids, channel.costs([vocab[i] for i in ids], obs), strict=True))
        if mode != "proofread" and (not costs or min(costs.values()) > FUZZY_TRIGGER or (
                FUZZY_MISSHAPEN and mode in ("garbled", "accentless") and obs.isalpha() and not is_skeleton_shape(obs))):
            extra: dict[int, None] = {}
            for v in variants[:FUZZY_VARIANTS]:
                for d in _deletions(v):
                    for skel in self.lex.by_deletion.get(d, ()):
                        for i in self.lex.by_skeleton[skel]:
                            if i not in costs:
                                extra[i] = None
            limits = None
            finite = [c - self.unigram_weight * self.lex.log_unigram[i] for i, c in costs.items() if math.isfinite(c)]
            if finite:  # a candidate whose rank is sure to miss RANK_MARGIN is not costed exactly
                best = min(finite) + RANK_MARGIN + BOUND_SLACK
                limits = [best + self.unigram_weight * self.lex.log_unigram[i] for i in extra]
            costs.update(zip(extra, channel.costs([vocab[i] for i in extra], obs, limits), strict=True))
        def rank(i: int) -> float:
            return costs[i] - self.unigram_weight * self.lex.log_unigram[i]

        ranked = sorted((i for i in costs if math.isfinite(costs[i])), key=rank)
        if ranked:
            limit = rank(ranked[0]) + RANK_MARGIN
            ranked = [i for i in ranked if rank(i) <= limit]
        ranked = ranked[: self.max_candidates_garbled if mode == "garbled" else self.max_candidates]
        return tuple(ranked), tuple(costs[i] for i in ranked)
