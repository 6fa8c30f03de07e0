"""Character-level OCR channel model: cost (−log P) of reading an intended syllable as what OCR wrote.

The cost of one intended character c becoming an observed string o (0–2 characters) is factorised:
a learned table of segment confusions (from rendered-and-OCRed text, see channel_data.py) when it
knows the pair, else a back-off = cost of the base-letter confusion + cost of the mark change
(marks dropped, marks changed). Whole-token cost is a weighted edit distance over these operations.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from sohoa.normalize.vnsyl import strip_marks

# Base-letter confusions of Latin-trained OCR on Vietnamese glyphs and of scans in general
# (intended base letter → observed string → probability). Used as a prior; learned counts override.
PRIOR_BASE: dict[str, dict[str, float]] = {
    "a": {"e": 0.06, "o": 0.03, "d": 0.03, "i": 0.02, "é": 0.04, "á": 0.02, "4": 0.01, "": 0.02},
    "e": {"c": 0.04, "a": 0.03, "é": 0.02, "&": 0.03, "€": 0.02, "é)": 0.01, "o": 0.02, "": 0.01},
    "o": {"0": 0.03, "6": 0.04, "b": 0.02, "é": 0.03, "d": 0.02, "e": 0.03, "a": 0.02, "c": 0.02, "8": 0.01,
          "": 0.01},
    "u": {"w": 0.05, "tr": 0.03, "ti": 0.03, "ii": 0.03, "i": 0.03, "ir": 0.02, "it": 0.02, "y": 0.03,
          "ix": 0.02, "v": 0.02, "u": 0.0, "ur": 0.02, "ru": 0.01, "": 0.01},
    "i": {"1": 0.03, "l": 0.03, "j": 0.02, "t": 0.01, "": 0.02},
    "y": {"v": 0.03, "u": 0.02, "j": 0.01, "": 0.01},
    "d": {"p": 0.08, "cl": 0.04, "d": 0.0, "b": 0.01, "o": 0.01, "2": 0.02},
    "l": {"1": 0.08, "i": 0.03, "t": 0.02, "|": 0.02, "I": 0.02},
    "c": {"e": 0.04, "o": 0.02, "¢": 0.01, "": 0.01},
    "n": {"ri": 0.01, "h": 0.01, "u": 0.01},
    "m": {"rn": 0.02, "n": 0.01, "in": 0.01},
    "h": {"b": 0.01, "n": 0.01, "li": 0.01},
    "g": {"q": 0.01, "y": 0.01},
    "t": {"l": 0.01, "f": 0.01, "i": 0.01},
}

# what OCR writes after a letter for its dot below or hook (nuo.c for nước, huye.n for huyện); symbols
# such as & @ * ¢ stand for letters instead and are costed as substitutions
MARK_AFTER = frozenset(".,")
MAX_OBS_SEG = 2
BATCH_MIN = 20  # strings of one length from which `Channel.costs` switches to numpy


@dataclass
class ChannelParams:
    drop_marks: float = 0.6  # intended marked letter read without marks
    wrong_marks: float = 1.6  # read with other marks on the same base letter
    extra_marks: float = 2.0  # plain letter read with marks
    unknown_sub: float = 7.0
    insert: float = 5.0
    # a marked letter read as its bare letter with a MARK_AFTER character after it (ớ → o., ệ → e.)
    mark_beside: float = 2.0
    delete: float = 5.0
    learned: dict[str, dict[str, float]] = field(default_factory=dict)  # char → obs → prob

    @classmethod
    def load(cls, path: str) -> ChannelParams:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return cls(**data)

    def save(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.__dict__, f, ensure_ascii=False, indent=0, sort_keys=True)


class Channel:
    def __init__(self, params: ChannelParams | None = None):
        self.p = params or ChannelParams()
        self._seg_cost = lru_cache(maxsize=500_000)(self._seg_cost_uncached)
        self.cost = lru_cache(maxsize=500_000)(self._cost_uncached)
        self._emission_costs = lru_cache(maxsize=100_000)(self._emission_costs_uncached)
        self._segment_costs = lru_cache(maxsize=100_000)(self._segment_costs_uncached)

    def with_overrides(self, **overrides) -> Channel:
        return Channel(ChannelParams(**{**self.p.__dict__, **overrides}))

    def _seg_cost_uncached(self, c: str, o: str) -> float:
        """−log P(observed segment o | intended character c)."""
        if c == o:
            return 0.0
        best = math.inf
        learned = self.p.learned.get(c)
        if learned and o in learned:
            best = -math.log(learned[o])
        cb = strip_marks(c)
        ob = strip_marks(o) if o else ""
        if o and cb == ob:
            if o == cb:
                best = min(best, self.p.drop_marks if c != cb else 0.0)
            elif c == cb:
                best = min(best, self.p.extra_marks)
            else:
                best = min(best, self.p.wrong_marks)
        prior = PRIOR_BASE.get(cb, {})
        for form in {o, ob}:
            if form in prior and prior[form] > 0:
                mark_cost = 0.0 if c == cb else self.p.drop_marks
                best = min(best, -math.log(prior[form]) + mark_cost)
        if len(o) == 2 and c != cb:
            letter = o[0] if o[1] in MARK_AFTER else ""
            if letter and strip_marks(letter) == cb:
                best = min(best, self.p.mark_beside + (0.0 if letter == cb else self.p.wrong_marks))
        if not o:
            best = min(best, self.p.delete)
        elif len(o) == 1:
            best = min(best, self.p.unknown_sub + (0.0 if c == cb else self.p.drop_marks))
        return best

    def _edit_table(self, intended: str, observed: str) -> tuple[list[list[float]], list[list[tuple[int, int] | None]]]:
        """Weighted edit distance table: each intended char emits 0..2 observed chars; an extra
        observed char costs `insert`. Returns the cost table and back-pointers."""
        n, m = len(intended), len(observed)
        inf = math.inf
        dp = [[inf] * (m + 1) for _ in range(n + 1)]
        back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
        dp[0][0] = 0.0
        for i in range(n + 1):
            row = dp[i]
            for j in range(m + 1):
                cur = row[j]
                if cur == inf:
                    continue
                if j < m and row[j + 1] > cur + self.p.insert:
                    row[j + 1] = cur + self.p.insert
                    back[i][j + 1] = (i, j)
                if i == n:
                    continue
                c = intended[i]
                nxt = dp[i + 1]
                for k in range(0, min(MAX_OBS_SEG, m - j) + 1):
                    v = cur + self._seg_cost(c, observed[j:j + k])
                    if v < nxt[j + k]:
                        nxt[j + k] = v
                        back[i + 1][j + k] = (i, j)
        return dp, back

    def _cost_uncached(self, intended: str, observed: str) -> float:
        """−log P(observed | intended) for lower-case NFC strings: the last cell of `_edit_table`,
        computed row by row without back-pointers (the hot path of candidate generation)."""
        m = len(observed)
        insert = self.p.insert
        inf = math.inf
        row = [inf] * (m + 1)
        row[0] = 0.0
        for c in intended:
            for j in range(m):  # extra observed characters within the row
                v = row[j] + insert
                if v < row[j + 1]:
                    row[j + 1] = v
            emit = self._emission_costs(c, observed)
            nxt = [inf] * (m + 1)
            for j in range(m + 1):
                cur = row[j]
                if cur == inf:
                    continue
                for k, seg in enumerate(emit[j]):
                    v = cur + seg
                    if v < nxt[j + k]:
                        nxt[j + k] = v
            row = nxt
        for j in range(m):
            v = row[j] + insert
            if v < row[j + 1]:
                row[j + 1] = v
        return row[m]

    def costs(self, intendeds: list[str], observed: str, limits: list[float] | None = None) -> list[float]:
        """`cost(w, observed)` for every w of `intendeds` (the same values), strings of one length computed
        together with numpy when there are enough of them. With `limits`, a string whose cost is sure to
        exceed its limit may get inf instead (its cost is not needed)."""
        out = [0.0] * len(intendeds)
        by_length: dict[int, list[int]] = {}
        for x, w in enumerate(intendeds):
            by_length.setdefault(len(w), []).append(x)
        for members in by_length.values():
            if len(members) < BATCH_MIN:
                for x in members:
                    out[x] = self.cost(intendeds[x], observed)
                continue
            lims = None if limits is None else np.array([limits[x] for x in members])
            values = self._batch_cost([intendeds[x] for x in members], observed, lims)
            for x, v in zip(members, values, strict=True):
                out[x] = v
        return out

    def _batch_cost(self, words: list[str], observed: str, limits: np.ndarray | None = None) -> list[float]:
        """`_cost_uncached` for words of equal length, one numpy row per word: a minimum over the same
        sums, so the values are identical. Every cost is ≥ 0, so a row's minimum is a lower bound of the
        final cost: words whose bound passes their limit are dropped early (inf)."""
        m = len(observed)
        insert = self.p.insert
        # emission costs as a (distinct intended char × observed segment) table, the last column inf;
        # `grid[j, k]` is the column of observed[j:j+k]
        segments, grid = _segment_grid(observed)
        # the words as rows of code points, and each distinct code point's row of the table
        codes = np.array(words).view(np.uint32).reshape(len(words), -1)
        distinct, char_idx = np.unique(codes, return_inverse=True)
        char_idx = char_idx.reshape(codes.shape)
        table = np.full((len(distinct), len(segments) + 1), np.inf)
        for x, code in enumerate(distinct.tolist()):
            table[x, :-1] = self._segment_costs(chr(code), observed)
        result = np.full(len(words), np.inf)
        alive = np.arange(len(words))
        row = np.full((len(words), m + 1), np.inf)
        row[:, 0] = 0.0
        for i in range(char_idx.shape[1]):
            for j in range(m):
                np.minimum(row[:, j + 1], row[:, j] + insert, out=row[:, j + 1])
            if limits is not None and i:
                keep = row.min(axis=1) <= limits[alive]
                if not keep.all():
                    alive, row = alive[keep], row[keep]
                    if not len(alive):
                        return result.tolist()
            emit = table[char_idx[alive, i][:, None, None], grid[None, :, :]]
            nxt = row + emit[:, :, 0]
            for k in range(1, min(MAX_OBS_SEG, m) + 1):
                np.minimum(nxt[:, k:], row[:, :m + 1 - k] + emit[:, :m + 1 - k, k], out=nxt[:, k:])
            row = nxt
        for j in range(m):
            np.minimum(row[:, j + 1], row[:, j] + insert, out=row[:, j + 1])
        result[alive] = row[:, m]
        return result.tolist()

    def _segment_costs_uncached(self, c: str, observed: str) -> tuple[float, ...]:
        """Costs of `c` emitting each distinct segment of `observed`, in `_segment_grid` order."""
        return tuple(self._seg_cost(c, seg) for seg in _segment_grid(observed)[0])

    def _emission_costs_uncached(self, c: str, observed: str) -> tuple[tuple[float, ...], ...]:
        """For each start j of `observed`: costs of `c` emitting observed[j:j+k], k = 0..MAX_OBS_SEG."""
        m = len(observed)
        return tuple(
            tuple(self._seg_cost(c, observed[j:j + k]) for k in range(min(MAX_OBS_SEG, m - j) + 1))
            for j in range(m + 1)
        )

    def align(self, intended: str, observed: str) -> list[tuple[str, str]]:
        """Cheapest edit path as (intended char or '' for an insertion, observed segment) pairs."""
        _, back = self._edit_table(intended, observed)
        pairs: list[tuple[str, str]] = []
        i, j = len(intended), len(observed)
        while (i, j) != (0, 0):
            prev = back[i][j]
            if prev is None:
                return []
            pi, pj = prev
            pairs.append((intended[pi] if pi < i else "", observed[pj:j]))
            i, j = pi, pj
        return pairs[::-1]

    def reverse_segments(self) -> dict[str, dict[str, float]]:
        """Observed segment → {intended base letter: cost} (for candidate generation)."""
        rev: dict[str, dict[str, float]] = {}

        def add(o: str, c: str, prob: float) -> None:
            cost = -math.log(prob)
            slot = rev.setdefault(o, {})
            slot[c] = min(slot.get(c, math.inf), cost)

        for c, outs in PRIOR_BASE.items():
            for o, prob in outs.items():
                if prob > 0:
                    add(o, c, prob)
        for c, outs in self.p.learned.items():
            for o, prob in outs.items():
                base_c, base_o = strip_marks(c), strip_marks(o).lower() if o else ""
                if prob >= 0.003 and base_c != base_o:
                    add(base_o, base_c, prob)
        return rev


@lru_cache(maxsize=10_000)
def _segment_grid(observed: str) -> tuple[tuple[str, ...], np.ndarray]:
    """The distinct segments observed[j:j+k] (k = 0..MAX_OBS_SEG) and the (len + 1) × (MAX_OBS_SEG + 1)
    grid of their indices; -1 (the table's inf column) where a segment would run past the end."""
    m = len(observed)
    segments: dict[str, int] = {}
    grid = np.full((m + 1, MAX_OBS_SEG + 1), -1, dtype=np.int64)
    for j in range(m + 1):
        for k in range(min(MAX_OBS_SEG, m - j) + 1):
            grid[j, k] = segments.setdefault(observed[j:j + k], len(segments))
    grid.flags.writeable = False
    return tuple(segments), grid


def load_channel(model_dir: str) -> Channel:
    path = os.path.join(model_dir, "restore_channel.json")
    return Channel(ChannelParams.load(path)) if os.path.exists(path) else Channel()
