"""Diacritic folding for search: `Đảng ủy` → `dang uy`. `đ` is a letter of its own in
Unicode, not d + a combining mark, so NFD alone does not fold it."""

from __future__ import annotations

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


def fold_aligned(text: str) -> str:
    """`fold` character by character, keeping the length: position i of the result is the
    folded character i of `text`, so a match found in the folded text maps back to the original
    (used for search snippets). A character whose fold is not one character is kept lower-cased."""
    out = []
    for c in text:
        f = fold(c)
        out.append(f if len(f) == 1 else c.lower()[:1] or c)
    return "".join(out)
