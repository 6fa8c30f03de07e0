"""Vietnamese syllable structure and tone-mark placement.

Two spelling conventions exist for where the tone mark sits in the open rhymes oa, oe, uy:
old style (hòa, khỏe, thủy — what administrative documents use) and new style (hoà, khoẻ,
thuỷ). Every other syllable is spelled the same way in both (hoàn, tuyển, quý, già, của).

- `normalize_tones(text, style)` rewrites every affected syllable of a text to one style.
- `syllable_parts(s)` splits one syllable into onset, medial, nucleus, coda and tone.
- `is_valid_syllable(s)` is an orthographic check (onset/rhyme inventory, spelling rules such
  as c/k/q and g/gh, ng/ngh, stop codas only with sắc or nặng, tone mark on the right vowel).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Combining tone marks, in the traditional order of the tones that carry a mark.
TONE_MARKS = {"\u0300": "huyen", "\u0309": "hoi", "\u0303": "nga", "\u0301": "sac", "\u0323": "nang"}
_MARK_OF_TONE = {v: k for k, v in TONE_MARKS.items()}

ONSETS = (
    "ngh ng gh gi kh nh ph th tr ch qu b c d đ g h k l m n p r s t v x"
).split()

# Rhymes written without a medial; "y…" rhymes are the ones spelled with y after no onset.
_PLAIN_RHYMES = frozenset("""
a ac ach ai am an ang anh ao ap at au ay
ăc ăm ăn ăng ăp ăt
âc âm ân âng âp ât âu ây
e ec em en eng ep et eo
ê êch êm ên ênh êp êt êu
i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
o oc oi om on ong op ot oong ooc
ô ôc ôi ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
ư ưa ưc ưi ưm ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
y
""".split())
_Y_RHYMES_NO_ONSET = frozenset("yêm yên yêng yêt yêu".split())
# After medial o (written o) and medial u (written u) when the onset is not qu.
_O_MEDIAL_RHYMES = frozenset("a ac ach ai am an ang anh ao ap at ay ăc ăm ăn ăng ăp ăt e em en eo et".split())
_U_MEDIAL_RHYMES = frozenset("ân âng ât ây ê êch ên ênh êt y ych yn ynh yp yt ya yêt yên yêu yu ơ".split())
# After qu the u is part of the onset; these are the rhymes that can follow it.
_QU_RHYMES = frozenset({r for r in _PLAIN_RHYMES if r[0] not in "ouư"} - {"ia"}
                       | {"ôc", "y", "ych", "yn", "ynh", "yt", "yêt", "yên", "yêu", "ya"})

_STOP_CODAS = ("ch", "c", "p", "t")
_CONSONANT_CODAS = ("ng", "nh", "ch", "c", "m", "n", "p", "t")
_DIPHTHONGS = ("iê", "yê", "uô", "ươ", "ia", "ya", "ua", "ưa", "oo")
_FRONT = ("e", "ê", "i", "y")  # letters after which c→k, g→gh, ng→ngh


@dataclass(frozen=True)
class SyllableParts:
    onset: str
    medial: str
    nucleus: str
    coda: str
    tone: str  # ngang, huyen, sac, hoi, nga, nang

    @property
    def rhyme(self) -> str:
        return self.medial + self.nucleus + self.coda


def strip_tone(syllable: str) -> tuple[str, str, int]:
    """(syllable without tone mark, tone name, index of the marked letter or -1). NFC in and out.

    Several tone marks in one syllable give tone "multiple"."""
    out: list[str] = []
    tone, pos = "ngang", -1
    for i, ch in enumerate(unicodedata.normalize("NFC", syllable)):
        decomposed = unicodedata.normalize("NFD", ch)
        marks = [c for c in decomposed if c in TONE_MARKS]
        if marks:
            tone = "multiple" if pos >= 0 or len(marks) > 1 else TONE_MARKS[marks[0]]
            pos = i
            decomposed = "".join(c for c in decomposed if c not in TONE_MARKS)
        out.append(unicodedata.normalize("NFC", decomposed))
    return "".join(out), tone, pos


def add_tone(letter: str, tone: str) -> str:
    if tone == "ngang":
        return letter
    return unicodedata.normalize("NFC", letter + _MARK_OF_TONE[tone])


def _split_rhyme(rhyme: str) -> tuple[str, str, str]:
    """medial, nucleus, coda of a rhyme from the inventory (spelling kept as written)."""
    medial = ""
    if rhyme not in _PLAIN_RHYMES and rhyme not in _Y_RHYMES_NO_ONSET and len(rhyme) > 1 and rhyme[0] in "ou":
        medial, rhyme = rhyme[0], rhyme[1:]
    coda = next((c for c in _CONSONANT_CODAS if rhyme.endswith(c) and len(rhyme) > len(c)), "")
    vowels = rhyme[: len(rhyme) - len(coda)]
    if not coda and len(vowels) > 1 and vowels not in _DIPHTHONGS:
        vowels, coda = vowels[:-1], vowels[-1]  # semivowel coda: ai, ao, êu, ươi…
    return medial, vowels, coda


def _rhyme_ok_after(onset: str, rhyme: str) -> bool:
    if onset == "qu":
        return rhyme in _QU_RHYMES
    if rhyme in _PLAIN_RHYMES:
        first = rhyme[0]
        if rhyme == "y" and onset in ("g", "gi", "gh", "ng", "ngh", "c", "nh", "ch", "tr", "đ", "d", "r"):
            return False
        if rhyme.startswith("i") and onset == "gi":
            return False  # spelled with a single i: gì, gìn
        if onset in ("c", "ng") and first in _FRONT:
            return False
        if onset == "g" and first in ("e", "ê"):
            return False
        if onset in ("k", "gh", "ngh") and first not in _FRONT:
            return False
        return True
    if rhyme[0] == "o" and rhyme[1:] in _O_MEDIAL_RHYMES:
        return onset not in ("k", "gh", "ngh", "gi", "q")
    if rhyme[0] == "u" and rhyme[1:] in _U_MEDIAL_RHYMES:
        return onset not in ("k", "gh", "ngh", "gi", "c", "g")
    if rhyme in _Y_RHYMES_NO_ONSET:
        return onset == ""
    return False


def _parse_toneless(word: str) -> tuple[str, str] | None:
    """(onset, rhyme) of a lowercase toneless syllable, or None."""
    candidates = [o for o in ONSETS if word.startswith(o)] + [""]
    for onset in candidates:  # longest first, as listed
        rhyme = word[len(onset):]
        if rhyme and _rhyme_ok_after(onset, rhyme):
            return onset, rhyme
    return None


def _allowed_tone_positions(onset: str, rhyme: str) -> set[int]:
    """Indices into the rhyme where the tone mark may sit (both conventions)."""
    medial, nucleus, coda = _split_rhyme(rhyme)
    start = len(medial)
    marked = [i for i, c in enumerate(nucleus) if c in "ăâêôơư"]
    if marked:
        return {start + marked[-1]}
    if coda:
        return {start + len(nucleus) - 1}
    if len(nucleus) == 2:  # ia, ua, ya: the first vowel carries the mark
        return {start}
    if medial:  # open oa, oe, uy: old style on the medial, new style on the nucleus
        return {0, start}
    return {start}


def syllable_parts(syllable: str) -> SyllableParts | None:
    """Onset, medial, nucleus, coda and tone of one Vietnamese syllable, or None if not valid."""
    if not syllable or not syllable.isalpha():
        return None
    bare, tone, pos = strip_tone(syllable.lower())
    if tone == "multiple":
        return None
    parsed = _parse_toneless(bare)
    if parsed is None:
        return None
    onset, rhyme = parsed
    medial, nucleus, coda = _split_rhyme(rhyme)
    if coda in _STOP_CODAS and tone not in ("sac", "nang"):
        return None
    if tone != "ngang" and pos - len(onset) not in _allowed_tone_positions(onset, rhyme):
        return None
    return SyllableParts(onset, medial, nucleus, coda, tone)


@lru_cache(maxsize=1 << 17)
def is_valid_syllable(syllable: str) -> bool:
    """True if `syllable` is spelled as a Vietnamese syllable (lower, UPPER or Title case)."""
    if not syllable:
        return False
    cased = syllable.islower() or syllable.isupper() or (syllable[0].isupper() and syllable[1:].islower())
    return cased and syllable_parts(syllable) is not None


# --- tone placement -------------------------------------------------------------------------------

_LETTERS = re.compile(r"[^\W\d_]+")
_OPEN_PAIRS = ("oa", "oe", "uy")
_PLAIN_ONSETS = frozenset(ONSETS) - {"qu"}


def _restyle_word(word: str, style: str) -> str:
    if len(word) < 2:
        return word
    bare, tone, pos = strip_tone(word)
    low = bare.lower()
    if tone in ("ngang", "multiple") or low[-2:] not in _OPEN_PAIRS:
        return word
    onset = low[:-2]
    if onset and onset not in _PLAIN_ONSETS:
        return word  # quy, gia… or not a syllable at all
    if pos not in (len(word) - 2, len(word) - 1):
        return word
    target = len(word) - 2 if style == "old" else len(word) - 1
    if pos == target:
        return word
    chars = list(bare)
    chars[target] = add_tone(chars[target], tone)
    return "".join(chars)


def normalize_tones(text: str, style: str = "old") -> str:
    """Put the tone mark of every open oa/oe/uy syllable where `style` ("old" or "new") wants it.

    Case is kept letter by letter; other syllables are left alone; the result is NFC."""
    if style not in ("old", "new"):
        raise ValueError(f"style must be 'old' or 'new', not {style!r}")
    text = unicodedata.normalize("NFC", text)
    return _LETTERS.sub(lambda m: _restyle_word(m.group(0), style), text)
