"""Vietnamese orthography helpers: marks, tones, old-style tone placement, syllable shape."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining marks in NFD: five tones and three letter modifiers (circumflex, breve, horn).
TONE_MARKS = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
TONE_CHARS = {v: k for k, v in TONE_MARKS.items()}
MODIFIERS = {"\u0302", "\u0306", "\u031b"}

VOWELS = "aăâeêioôơuưy"
ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
_SKELETON_RE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(a|e|i|o|u|y|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oai|oao|oay|oe|oeo|oi|oo|ua|uay|ue|ui|uo|uoi|uou|"
    r"uu|uy|uya|uye|uyu|ye|yeu|ieu|uoc|oai)"
    r"(c|ch|m|n|ng|nh|p|t)?$"
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=200_000)
def strip_marks(text: str) -> str:
    """Remove every diacritic (tones and modifiers); đ → d."""
    decomposed = unicodedata.normalize("NFD", text)
    out = "".join(c for c in decomposed if not unicodedata.combining(c))
    return out.replace("đ", "d").replace("Đ", "D")


@lru_cache(maxsize=200_000)
def split_tone(syl: str) -> tuple[str, int]:
    """(syllable without its tone mark, tone number 0..5); modifiers are kept."""
    decomposed = unicodedata.normalize("NFD", syl)
    tone = 0
    kept = []
    for c in decomposed:
        if c in TONE_MARKS:
            tone = TONE_MARKS[c]
        else:
            kept.append(c)
    return nfc("".join(kept)), tone


def has_marks(text: str) -> bool:
    return strip_marks(text) != text


def _vowel_positions(word: str) -> list[int]:
    return [i for i, c in enumerate(word) if strip_marks(c).lower() in "aeiouy"]


def _place_tone_old(untoned: str, tone: int) -> str:
    """Put `tone` on the vowel the old (traditional) convention uses: hòa, thủy, khỏe, quốc, giữa."""
    if tone == 0:
        return untoned
    low = untoned.lower()
    vpos = _vowel_positions(untoned)
    if not vpos:
        return untoned
    # 'qu' and 'gi' onsets: the u / i belongs to the onset when another vowel follows.
    if (low.startswith("qu") or (low.startswith("gi") and len(vpos) > 1)) and vpos[0] == 1 and len(vpos) > 1:
        vpos = vpos[1:]
    target = None
    for i in vpos:  # a modified vowel (ă â ê ô ơ ư) takes the tone; for ươ the second one
        if strip_marks(untoned[i]) != untoned[i]:
            target = i
    if target is None:
        ends_in_vowel = vpos[-1] == len(untoned) - 1
        if len(vpos) == 1:
            target = vpos[0]
        elif len(vpos) >= 3:
            target = vpos[1]
        elif ends_in_vowel:
            target = vpos[0]  # open syllable: hòa, thủy, mía, múa
        else:
            target = vpos[1]  # closed: hoàn, thuyết
    c = untoned[target]
    marked = nfc(unicodedata.normalize("NFD", c) + TONE_CHARS[tone])
    return untoned[:target] + marked + untoned[target + 1:]


@lru_cache(maxsize=200_000)
def old_style(word: str) -> str:
    """Normalise the tone placement of one syllable to the old style; non-syllables are returned as is."""
    if not word or not word.isalpha():
        return word
    untoned, tone = split_tone(word)
    if tone == 0 or not is_syllable_shape(word):
        return word
    return _place_tone_old(untoned, tone)


def old_style_text(text: str) -> str:
    return " ".join(_old_style_token(t) for t in nfc(text).split(" "))


_TOKEN_CORE = re.compile(r"^(\W*)(\w+)(\W*)$")


def _old_style_token(tok: str) -> str:
    m = _TOKEN_CORE.match(tok)
    if not m:
        return tok
    return m.group(1) + old_style(m.group(2)) + m.group(3)


_PLAIN_NUCLEI = frozenset({"ai", "ao", "eo"})


def is_skeleton_shape(word: str) -> bool:
    """True when the word with marks stripped has the letters of a Vietnamese syllable (accentless text)."""
    return bool(_SKELETON_RE.match(strip_marks(word.lower())))


@lru_cache(maxsize=200_000)
def is_syllable_shape(word: str) -> bool:
    """True when the word, marks stripped, has the onset-vowels-coda shape of a Vietnamese syllable,
    carries at most one tone and its modifiers sit on letters that take them."""
    low = word.lower()
    decomposed = unicodedata.normalize("NFD", low)
    if sum(1 for c in decomposed if c in TONE_MARKS) > 1:
        return False
    base = ""
    for c in decomposed:
        if not unicodedata.combining(c):
            base = c
        if c in MODIFIERS:
            if c == "\u0302" and base not in "aeo":
                return False
            if c == "\u0306" and base != "a":
                return False
            if c == "\u031b" and base not in "ou":
                return False
    skel = strip_marks(low)
    if "đ" in low and not low.startswith("đ"):
        return False
    m = _SKELETON_RE.match(skel)
    if not m:
        return False
    # the diphthongs iê / yê / uô / ươ always carry their modifier (hiện, yêu, muốn, được)
    onset_len = len(m.group(1) or "")
    nucleus = skel[onset_len:m.end(2)]
    plain_nucleus = split_tone(word.lower())[0][onset_len:m.end(2)]
    if ("ie" in nucleus or "ye" in nucleus) and "ê" not in plain_nucleus:
        return False
    if nucleus.startswith("uo") and (m.group(3) or len(nucleus) > 2) and not ({"ô", "ơ"} & set(plain_nucleus)):
        return False
    # ai, ao, eo take no modifier (hai, sao, kẹo): `eô` is no syllable, so `E6` is no garbled word
    if nucleus in _PLAIN_NUCLEI and plain_nucleus != nucleus:
        return False
    return True
