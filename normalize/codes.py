"""Marks inside document codes and acronyms: `ND-CP` → `NĐ-CP`, `OH` → `QH`, `HPND` → `HĐND`.

An engine without Vietnamese reads `Đ` as `D` (sometimes `P`) and `Q` as `O`, so references and
codes come out wrong for analysts. The restorer's syllable decoder cannot help (a code is not a
syllable), so codes are restored segment by segment — the letter runs between `/`, `-` and digits —
from a table of the segments the corpus writes in codes and as capitalised acronyms
(`restore_codes.json`, built by `sohoa train`). Digits and separators never change; a segment is
replaced only by a form the corpus uses far more often than the observed one.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable

CODES_FILE = "restore_codes.json"
# a document code: digits, then letter/digit groups joined by / or - (46-KH/BTGTU, 01/2021/NĐ-CP)
CODE_IN_TEXT = re.compile(r"(?<![\w/-])\d{1,5}(?:/\d{4})?[/-][0-9A-Za-zĐđ&.-]*[A-ZĐ][0-9A-Za-zĐđ&/.-]*")
ACRONYM_IN_TEXT = re.compile(r"(?<![\w/-])[A-ZĐ]{2,8}(?![\w/-])")
SEGMENT = re.compile(r"[A-Za-zĐđ]+")
# what an engine without Vietnamese wrote → what was printed (one of these per segment at most)
CONFUSIONS = {"O": "Q", "Q": "O", "P": "Đ", "0": "O"}
MIN_COUNT = 20  # a replacement the corpus has seen at least this often
RATIO = 20.0  # … and this many times more often than the observed form
CONFUSION_RATIO = 200.0  # … and this many times for a replacement that undoes a confusion


def fold(segment: str) -> str:
    return segment.replace("Đ", "D").replace("đ", "d")


def segments_of(text: str) -> Iterable[str]:
    """The letter segments of the codes and capitalised acronyms of a text."""
    for m in CODE_IN_TEXT.finditer(text):
        for seg in SEGMENT.findall(m.group(0)):
            if any(c.isupper() for c in seg):
                yield seg
    for m in ACRONYM_IN_TEXT.finditer(text):
        yield m.group(0)


def build_table(paragraphs: Iterable[str], min_count: int = 3) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for p in paragraphs:
        counts.update(segments_of(p))
    return {s: c for s, c in sorted(counts.items()) if c >= min_count}


def save_table(table: dict[str, int], out_dir: str) -> None:
    with open(os.path.join(out_dir, CODES_FILE), "w", encoding="utf-8") as f:
        json.dump(table, f, ensure_ascii=False, separators=(",", ":"))


class CodeRestorer:
    def __init__(self, table: dict[str, int]):
        self.count = table
        self.by_fold: dict[str, list[str]] = {}
        for seg in table:
            self.by_fold.setdefault(fold(seg), []).append(seg)
        self._memo: dict[str, str] = {}

    @classmethod
    def load(cls, model_dir: str) -> CodeRestorer:
        path = os.path.join(model_dir, CODES_FILE)
        if not os.path.exists(path):
            return cls({})
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def known(self, segment: str) -> bool:
        return self.count.get(segment, 0) >= MIN_COUNT

    def segment(self, seg: str) -> str:
        got = self._memo.get(seg)
        if got is None:
            got = self._memo[seg] = self._best(seg)
        return got

    def _best(self, seg: str) -> str:
        if not seg.isupper() and not seg.istitle():
            return seg
        upper = seg.upper()
        seen = max(1, self.count.get(seg, 0))
        best, best_score = seg, float(seen) * RATIO
        for variant, ratio in self._variants(upper):
            for form in self.by_fold.get(fold(variant), ()):
                if form == seg or not form.isupper():
                    continue
                c = self.count[form]
                if c >= MIN_COUNT and c >= seen * ratio and c > best_score:
                    best, best_score = form, c
        if best != seg and not seg.isupper():
            return seg  # Title-case words (`Dong`) are names, not codes
        return best

    @staticmethod
    def _variants(seg: str) -> Iterable[tuple[str, float]]:
        yield seg, RATIO
        for i, ch in enumerate(seg):
            rep = CONFUSIONS.get(ch)
            if rep is not None:
                yield seg[:i] + rep + seg[i + 1:], CONFUSION_RATIO

    def code(self, token: str) -> str:
        """A code with its letter segments restored; digits and separators as they were."""
        return SEGMENT.sub(lambda m: self.segment(m.group(0)), token)
