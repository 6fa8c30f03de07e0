"""Diacritic folding for search: `Đảng ủy` → `dang uy`. `đ` is a letter of its own in
Unicode, not d + a combining mark, so NFD alone does not fold it."""

from __future__ import annotations

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()
