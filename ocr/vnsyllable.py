"""Is a PDF text layer real Vietnamese? Scanner layers made without Vietnamese support lose the
marks ("CONG HOA XA HOI") and mangle letters ("Hcok", "HQI", "CHiJ"); both make the layer worse
than OCR. The syllable check itself is normalize.tones.is_valid_syllable (structural, no dictionary)."""

from __future__ import annotations

import re

from sohoa.normalize.tones import is_valid_syllable, strip_tone

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def has_vietnamese_mark(word: str) -> bool:
    """True when the word carries a tone mark or a Vietnamese letter (ă â đ ê ô ơ ư)."""
    base, tone, _ = strip_tone(word.lower())
    return tone != "ngang" or any(ch in "ăâđêôơư" for ch in base)


def text_quality(text: str) -> tuple[float, float, int]:
    """(share of valid syllables, share of syllables with Vietnamese marks, number of words)."""
    words = _WORD.findall(text)
    if not words:
        return 0.0, 0.0, 0
    valid = [w for w in words if is_valid_syllable(w)]
    marked = sum(1 for w in valid if has_vietnamese_mark(w))
    return len(valid) / len(words), marked / len(words), len(words)


def is_usable_vietnamese(text: str, *, min_valid: float = 0.8, min_marked: float = 0.25) -> bool:
    """A text layer is usable when nearly all words are syllables and marks were kept."""
    valid, marked, n = text_quality(text)
    if n == 0:
        return False
    return valid >= min_valid and marked >= min_marked
