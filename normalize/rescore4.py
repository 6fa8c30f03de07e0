"""4-gram rescoring of the trigram Viterbi path (iterated conditional modes).

With a 4-gram LM the restorer still decodes with trigrams (normalize.restorer), then improves the
path slot by slot: each slot with a choice takes the candidate that maximises the 4-gram log-probability
of the four 4-grams it is part of, minus its channel cost, with its neighbours fixed. Slots four or
more positions apart share no 4-gram, so every fourth slot is updated at once, in one batched LM call.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Protocol

import numpy as np

from sohoa.normalize.lm import TrigramLM

PASSES = 2  # rounds over all slots
KEEP_BONUS = 1e-6  # ties keep the trigram path's choice


class _Slot(Protocol):
    ids: tuple[int, ...]
    costs: tuple[float, ...]
    choice: int


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total) - np.repeat(offsets - starts, lengths)


def rescore_fourgram(lm: TrigramLM, seq: Sequence[_Slot], bos_id: int, scale: float, passes: int = PASSES) -> int:
    """Update `choice` of the slots of `seq` (decoded as one sequence after three BOS) under the 4-gram
    LM; `scale` turns log10 probabilities into the channel costs' units. Returns the choices changed."""
    if lm.k4 is None or not seq:
        return 0
    sizes = np.array([len(s.ids) for s in seq], dtype=np.int64)
    amb = np.flatnonzero(sizes > 1)
    if not len(amb):
        return 0
    T = len(seq)
    flat_ids = np.fromiter(chain.from_iterable(s.ids for s in seq), dtype=np.int64, count=int(sizes.sum()))
    flat_costs = np.fromiter(chain.from_iterable(s.costs for s in seq), dtype=np.float64, count=int(sizes.sum()))
    first = np.cumsum(sizes) - sizes
    choice = np.array([s.choice for s in seq], dtype=np.int64)
    ext = np.concatenate([[bos_id] * 3, flat_ids[first + choice], [bos_id] * 3])  # seq position t is t + 3
    changed = 0
    for _ in range(passes):
        moved = 0
        for r in range(4):
            group = amb[amb % 4 == r]
            if not len(group):
                continue
            n_cand = sizes[group]
            slot_rep = np.repeat(group, n_cand)
            x = _ranges(first[group], n_cand)
            cand = flat_ids[x]
            score = np.zeros(len(x))
            for k in range(4):  # the 4-gram ending k positions after the slot
                cols = []
                for j in range(4):
                    p = slot_rep + 3 + k - 3 + j  # ext index of the 4-gram's j-th unit
                    cols.append(np.where(p == slot_rep + 3, cand, ext[p]))
                valid = slot_rep + k < T
                score += np.where(valid, lm.fourgram_logp(*cols), 0.0)
            local = _ranges(np.zeros_like(n_cand), n_cand)
            total = score * scale - flat_costs[x] + KEEP_BONUS * (local == np.repeat(choice[group], n_cand))
            starts = np.cumsum(n_cand) - n_cand
            best = np.maximum.reduceat(total, starts)
            is_best = total >= np.repeat(best, n_cand)
            # first best candidate of each slot
            pick = np.full(len(group), -1)
            idx = np.flatnonzero(is_best)
            owner = np.searchsorted(starts, idx, side="right") - 1
            pick[owner[::-1]] = local[idx][::-1]
            diff = pick != choice[group]
            if diff.any():
                moved += int(diff.sum())
                choice[group] = pick
                ext[group + 3] = flat_ids[first[group] + pick]
        changed += moved
        if not moved:
            break
    for t in amb.tolist():
        seq[t].choice = int(choice[t])
    return changed
