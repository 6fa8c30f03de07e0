"""Is a token a well-formed Vietnamese syllable? Used to judge PDF text layers.

A syllable is onset + rhyme with at most one tone mark. The check is structural
(no dictionary), so it accepts rare but valid syllables and rejects scanner garbage
such as "Hcok", "HQI", "CHiJ" (mixed case inside a word counts as garbage too).
"""

from __future__ import annotations

import re
import unicodedata

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng

_ONSETS = (
    "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|"
    "b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
)
# Vowel nuclei (with their glides) after tone marks are removed; circumflex/breve/horn kept.
_NUCLEI = (
    "uyê|uya|uyu|oai|oay|oeo|uây|uôi|ươi|ươu|iêu|yêu|"
    "oa|oă|oe|oo|uâ|uê|uy|uơ|ưa|ươ|iê|ia|yê|ai|ao|au|ay|âu|ây|eo|êu|iu|oi|ôi|ơi|ui|ưi|ưu|ua|uô|uo|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_CODAS = "ng|nh|ch|c|m|n|p|t|i|y|o|u"
_SYLLABLE = re.compile(rf"^(?:{_ONSETS})?(?:{_NUCLEI})(?:{_CODAS})?$")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def strip_tone(word: str) -> tuple[str, int]:
    """Lower-case NFC word without its tone mark, and how many tone marks it had."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for ch in decomposed if ch in _TONES)
    base = "".join(ch for ch in decomposed if ch not in _TONES)
    return unicodedata.normalize("NFC", base), tones


def has_vietnamese_mark(word: str) -> bool:
    """True when the word carries a tone mark or a Vietnamese letter (ă â đ ê ô ơ ư)."""
    base, tones = strip_tone(word)
    return tones > 0 or any(ch in "ăâđêôơư" for ch in base)


def is_syllable(word: str) -> bool:
    """Structural validity of one alphabetic token (case pattern included)."""
    if not word or not (word.islower() or word.isupper() or word.istitle()):
        return False
    base, tones = strip_tone(word)
    if tones > 1:
        return False
    return bool(_SYLLABLE.match(base))


def text_quality(text: str) -> tuple[float, float, int]:
    """(share of valid syllables, share of syllables with Vietnamese marks, number of words)."""
    words = _WORD.findall(text)
    if not words:
        return 0.0, 0.0, 0
    valid = [w for w in words if is_syllable(w)]
    marked = sum(1 for w in valid if has_vietnamese_mark(w))
    return len(valid) / len(words), marked / len(words), len(words)


def is_usable_vietnamese(text: str, *, min_valid: float = 0.8, min_marked: float = 0.25) -> bool:
    """A text layer is usable when nearly all words are syllables and marks were kept.

    Scanner layers made without Vietnamese support lose the marks ("CONG HOA XA HOI")
    and mangle letters ("Hcok", "HQI"); both make the layer worse than OCR."""
    valid, marked, n = text_quality(text)
    if n == 0:
        return False
    return valid >= min_valid and marked >= min_marked
