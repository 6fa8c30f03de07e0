"""Matching keys for garbled OCR text.

`key(text)` folds text to lower-case ASCII-ish letters *with the same length* as the input, so a
match found in the key is a match at the same offsets in the original text. It strips Vietnamese
marks (`Đảng` → `dang`) and undoes the commonest OCR confusions of the seeds (`Pang` → `dang`,
`s6` → `so`, `thj` → `thi`, `hi€u` → `hieu`, `tw` → `tu`, `1an` → `lan`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CONFUSED = {"¢": "e", "€": "e", "&": "e", "j": "i", "w": "u", "|": "l", "©": "c", "®": "e", "ơ": "o"}
_DIGIT_AS_LETTER = {"0": "o", "1": "l", "3": "a", "4": "a", "5": "a", "6": "o", "8": "o"}
_DIGIT_IN_WORD = re.compile(r"(?<=[a-z])[0134568]|[0134568](?=[a-z])")
_P_AS_D = re.compile(r"(?<![a-z])p(?!h)(?=[a-z])")
_TOKEN = re.compile(r"\S+")


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in _CONFUSED:
        return _CONFUSED[c]
    if c in "đĐ":
        return "d"
    if c.isascii():
        return c.lower()
    base = unicodedata.normalize("NFD", c)[0]
    low = base.lower()
    if len(low) != 1:
        return c
    return _CONFUSED.get(low, low)


def _build_table() -> dict[int, str]:
    table = {}
    for cp in list(range(0x20FF)) + [ord(c) for c in _CONFUSED]:
        c = chr(cp)
        f = _fold_char(c)
        if f != c and len(f) == 1:
            table[cp] = f
    return table


_TABLE = _build_table()


def fold_same_length(text: str) -> str:
    """Lower-case, marks stripped, đ → d; one output char per input char."""
    out = text.translate(_TABLE)
    if len(out) != len(text):  # never expected: the table maps one char to one char
        return "".join(_fold_char(c) for c in text)
    return out


def key(text: str) -> str:
    """`fold_same_length` plus OCR-confusion folding; same length as `text`."""
    k = fold_same_length(text)
    k = _P_AS_D.sub("d", k)
    for _ in range(2):  # `16p` needs two passes: `1` only touches a letter once `6` became one
        k = _DIGIT_IN_WORD.sub(lambda m: _DIGIT_AS_LETTER[m.group(0)], k)
    return k


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Key with runs of non-letters collapsed to one space: the form used for fuzzy comparison."""
    return " ".join(re.findall(r"[a-z0-9]+", key(text)))


def tokens_with_spans(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start() + offset, m.end() + offset) for m in _TOKEN.finditer(text)]


def upper_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if c.isupper()) / len(letters)
