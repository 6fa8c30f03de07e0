"""Detect and convert legacy 8-bit Vietnamese encodings (TCVN3/ABC, VNI, VISCII) to Unicode.

Text typed in a legacy font (.VnTime, VNI-Times…) comes out of PDF text layers and old Word
files as mojibake: the font's bytes read as cp1252/Latin-1, e.g. "Céng hoµ x· héi" (TCVN3) or
"Coäng hoøa xaõ hoäi" (VNI) for "Cộng hoà xã hội". The tables below are built from the
published definitions: TCVN 5712:1993 (the VN3 repertoire the ABC fonts use, with capitals
through the all-caps "H" fonts), the VNI Windows two-byte scheme (base letter followed by a mark
character) and VISCII 1.1 (RFC 1456).

Detection is per word: a word counts for an encoding when its Unicode reading is not a
Vietnamese syllable but its decoded reading is (`normalize.tones.is_valid_syllable`), and against
it when the decoding yields a non-syllable. A text is declared legacy when enough words agree;
then each line with its own evidence is converted, so a legacy paragraph inside Unicode text is
handled and the Unicode lines are left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from sohoa.normalize.tones import is_valid_syllable

ENCODINGS = ("tcvn3", "vni", "viscii")

# Tone marks in the order TCVN3 lays out each vowel's five toned forms.
_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
_TCVN3_TONE_ORDER = (_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT)


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# --- byte <-> mojibake character ------------------------------------------------------------------
# How a legacy byte shows up once a document's text is read as cp1252 (Latin-1 for the five
# bytes cp1252 leaves undefined, which extractors pass through as C1 controls).

def _byte_char(b: int) -> str:
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(b)


_BYTE_CHAR = [_byte_char(b) for b in range(256)]
_CHAR_BYTE = {c: b for b, c in enumerate(_BYTE_CHAR)}
_CHAR_BYTE.update({chr(b): b for b in range(0x80, 0xA0)})  # C1 controls from a Latin-1 reading


# --- TCVN3 (TCVN 5712:1993, VN3 / ABC fonts) --------------------------------------------------------
# Lowercase letters with tones: for each vowel, the bytes of grave, hook, tilde, acute, dot below.
_TCVN3_TONED_BYTES = {
    "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_BASE_START = 0xA1  # ĂÂÊÔƠƯĐ then ăâêôơưđ
_TCVN3_COMBINING_START = 0xB0  # grave, hook, tilde, acute, dot below as combining marks


def _build_tcvn3() -> dict[int, str]:
    table = {_TCVN3_BASE_START + i: ch for i, ch in enumerate("ĂÂÊÔƠƯĐăâêôơưđ")}
    for vowel, codes in _TCVN3_TONED_BYTES.items():
        for mark, code in zip(_TCVN3_TONE_ORDER, codes, strict=True):
            table[code] = _nfc(vowel + mark)
    return table


TCVN3_TABLE = _build_tcvn3()
_TCVN3_COMBINING = {_TCVN3_COMBINING_START + i: m for i, m in enumerate(_TCVN3_TONE_ORDER)}


# --- VISCII 1.1 (RFC 1456) -------------------------------------------------------------------------
# Bytes that differ from Latin-1, listed as runs: (first byte, the letters from there on).
_VISCII_RUNS = (
    (0x02, "Ẳ"), (0x05, "ẴẪ"), (0x14, "Ỷ"), (0x19, "Ỹ"), (0x1E, "Ỵ"),
    (0x80, "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"),
    (0xA0, "Õắằặấầẩậẽẹếềểễệốồổỗ"),
    (0xB3, "ỠƠộờởịỰỨỪỬơớƯ"),
    (0xC4, "ẢĂẳẵ"), (0xCB, "Ẻ"), (0xCE, "Ĩỳ"), (0xD0, "Đứ"), (0xD5, "ạỷừửÙ"),
    (0xDB, "ỹỵ"), (0xDE, "ỡư"), (0xE4, "ảăữẫ"), (0xEB, "ẻ"), (0xEE, "ĩỉđự"),
    (0xF5, "õỏọụ"), (0xFB, "ũủ"), (0xFE, "ợỮ"),
)


def _build_viscii() -> dict[int, str]:
    table = {}
    for start, letters in _VISCII_RUNS:
        for i, ch in enumerate(letters):
            table[start + i] = ch
    return table


VISCII_TABLE = _build_viscii()


# --- VNI (VNI Windows fonts): base letter + mark character ------------------------------------------
# Marks as the byte each one has in the lowercase and in the uppercase font positions.
_VNI_TONES = {_GRAVE: (0xF8, 0xD8), _ACUTE: (0xF9, 0xD9), _HOOK: (0xFB, 0xDB), _TILDE: (0xF5, 0xD5),
              _DOT: (0xEF, 0xCF)}
_VNI_CIRCUMFLEX = {"": (0xE2, 0xC2), _ACUTE: (0xE1, 0xC1), _GRAVE: (0xE0, 0xC0), _HOOK: (0xE5, 0xC5),
                   _TILDE: (0xE3, 0xC3), _DOT: (0xE4, 0xC4)}
_VNI_BREVE = {"": (0xEA, 0xCA), _ACUTE: (0xE9, 0xC9), _GRAVE: (0xE8, 0xC8), _HOOK: (0xFA, 0xDA),
              _TILDE: (0xFC, 0xDC), _DOT: (0xEB, 0xCB)}
# Letters that are a single byte of their own: ơ ư đ, and i/ỵ with tones.
_VNI_SINGLE = {0xF4: "ơ", 0xD4: "Ơ", 0xF6: "ư", 0xD6: "Ư", 0xF1: "đ", 0xD1: "Đ",
               0xEC: "ì", 0xCC: "Ì", 0xED: "í", 0xCD: "Í", 0xE6: "ỉ", 0xC6: "Ỉ",
               0xF3: "ĩ", 0xD3: "Ĩ", 0xF2: "ị", 0xD2: "Ị", 0xEE: "ỵ", 0xCE: "Ỵ"}


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    """(mojibake pair/char -> Unicode letter, Unicode letter -> canonical mojibake)."""
    decode: dict[str, str] = {}
    encode: dict[str, str] = {}

    def add(base: str, mark_codes: tuple[int, int], combining: str) -> None:
        letter = _nfc(base + combining)
        for code in mark_codes:
            decode[base + _BYTE_CHAR[code]] = letter
        encode.setdefault(letter, base + _BYTE_CHAR[mark_codes[base.isupper()]])

    for code, letter in _VNI_SINGLE.items():
        decode[_BYTE_CHAR[code]] = letter
        encode[letter] = _BYTE_CHAR[code]
    for low in "aeouy":
        for base in (low, low.upper()):
            for mark, codes in _VNI_TONES.items():
                add(base, codes, mark)
    for base in ("ơ", "Ơ", "ư", "Ư"):
        mojibake = encode[base]
        for mark, codes in _VNI_TONES.items():
            letter = _nfc(base + mark)
            for code in codes:
                decode[mojibake + _BYTE_CHAR[code]] = letter
            encode[letter] = mojibake + _BYTE_CHAR[codes[base.isupper()]]
    for low in "aeo":
        for base in (low, low.upper()):
            for mark, codes in _VNI_CIRCUMFLEX.items():
                add(base, codes, "\u0302" + mark)
    for base in ("a", "A"):
        for mark, codes in _VNI_BREVE.items():
            add(base, codes, "\u0306" + mark)
    return decode, encode


VNI_DECODE, VNI_ENCODE = _build_vni()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, VNI_DECODE), key=len, reverse=True)))


# --- decoding of one stretch of text ---------------------------------------------------------------

def _decode_single_byte(text: str, table: dict[int, str]) -> str:
    out = []
    for ch in text:
        b = _CHAR_BYTE.get(ch)
        out.append(table.get(b, ch) if b is not None else ch)
    return "".join(out)


def _decode_tcvn3_raw(text: str) -> str:
    out: list[str] = []
    for ch in text:
        b = _CHAR_BYTE.get(ch)
        if b in _TCVN3_COMBINING and out and out[-1].isalpha():
            out[-1] = _nfc(out[-1] + _TCVN3_COMBINING[b])
        else:
            out.append(TCVN3_TABLE.get(b, ch) if b is not None else ch)
    return "".join(out)


def _decode_vni(text: str) -> str:
    return _VNI_PATTERN.sub(lambda m: VNI_DECODE[m.group(0)], text)


def _decode_viscii(text: str) -> str:
    return _decode_single_byte(text, VISCII_TABLE)


_LEGACY_CHARS = {
    "tcvn3": frozenset(_BYTE_CHAR[b] for b in (*TCVN3_TABLE, *_TCVN3_COMBINING)),
    "vni": frozenset(c for key in VNI_DECODE for c in key if not c.isascii()),
    "viscii": frozenset(_BYTE_CHAR[b] for b in VISCII_TABLE if b >= 0x80),
}
_DECODERS: dict[str, Callable[[str], str]] = {"tcvn3": _decode_tcvn3_raw, "vni": _decode_vni,
                                              "viscii": _decode_viscii}


def _word_pattern(encoding: str) -> re.Pattern[str]:
    # cp1252 punctuation (“ ” – …) and the no-break space are left out of words: in Unicode text
    # they separate words, and VISCII only puts capitals there, which lowercase words outnumber.
    extra = "".join(sorted(c for c in _LEGACY_CHARS[encoding] if c != "\u00a0"
                           and (unicodedata.category(c)[0] in "LM" or _CHAR_BYTE[c] >= 0xA0)))
    return re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff" + re.escape(extra) + "]+")


_WORDS = {enc: _word_pattern(enc) for enc in ENCODINGS}
# Letters only Unicode text has (â ê ô are Latin-1, so legacy text has them too).
_UNICODE_VIET = re.compile(r"[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")


# --- TCVN3 capitals ----------------------------------------------------------------------------------
# .VnTime has no capital letters with tones: they are typed in the all-caps .VnTimeH font, which
# draws the lowercase byte as a capital. A decoded word is upper-cased when its ASCII letters are
# all capitals (CéNG → CỘNG), or capitalised when it starts a sentence (Ën ®Þnh → Ổn định).
_TCVN3_TONED_CHARS = frozenset(_BYTE_CHAR[b] for codes in _TCVN3_TONED_BYTES.values() for b in codes)
_SENTENCE_END = re.compile(r"[.!?…]\W*$")
_LIST_MARKER = re.compile(r"^\W*((\d+(\.\d+)*|[a-zđ]|[IVXLC]+)[.)])?\W*$")  # "1.", "a)", "-", "II."


def _case_tcvn3_word(raw: str, decoded: str, sentence_start: bool, caps_line: bool) -> str:
    upper = sum(c.isascii() and c.isupper() for c in raw)
    lower = sum(c.isascii() and c.islower() for c in raw)
    if lower == 0 and (caps_line or upper >= 2):
        return decoded.upper()
    if sentence_start and raw[0] in _TCVN3_TONED_CHARS:
        return decoded[0].upper() + decoded[1:]
    return decoded


def _mostly_caps(words: list[re.Match[str]]) -> bool:
    """True for a heading typed in .VnTimeH: its ASCII letters are all capitals."""
    upper = sum(c.isupper() for m in words for c in m.group(0) if c.isascii())
    lower = sum(c.islower() for m in words for c in m.group(0) if c.isascii())
    return upper >= 3 and lower == 0


def _decode_tcvn3(line: str, after_sentence_end: bool = False, capitalize_sentences: bool = True) -> str:
    """Decode one line, restoring the capitals the H fonts and sentence starts imply."""
    words = list(_WORDS["tcvn3"].finditer(line))
    caps_line = _mostly_caps(words)
    out: list[str] = []
    pos = 0
    for m in words:
        out.append(line[pos:m.start()])
        before = line[: m.start()].strip()
        if not capitalize_sentences:
            start = False
        elif before:
            start = _SENTENCE_END.search(before) is not None or _LIST_MARKER.match(before) is not None
        else:
            start = after_sentence_end
        raw = m.group(0)
        decoded = _decode_tcvn3_raw(raw)
        if decoded != raw or raw[0] in _TCVN3_TONED_CHARS:  # ý is the one letter that reads as itself
            decoded = _case_tcvn3_word(raw, decoded, start, caps_line)
        out.append(decoded)
        pos = m.end()
    out.append(line[pos:])
    return "".join(out)


# --- detection ---------------------------------------------------------------------------------------

@dataclass
class Evidence:
    good: int = 0  # words that are Vietnamese syllables only once decoded
    strong: int = 0  # good words holding a character Unicode Vietnamese never uses (µ, ©, ø, û…)
    bad: int = 0  # words the decoding turns into non-syllables
    unicode: int = 0  # words already written with Unicode Vietnamese letters
    changed: int = 0  # words the decoding changes at all (good, bad or read both ways: cã → có)

    def add(self, other: Evidence) -> None:
        self.changed += other.changed
        self.good += other.good
        self.strong += other.strong
        self.bad += other.bad
        self.unicode += other.unicode

    @property
    def precision(self) -> float:
        return self.good / (self.good + self.bad) if self.good + self.bad else 0.0


MIN_GOOD_WORDS = 2  # a text (or, in mixed text, a line) needs this many decoded syllables
MIN_STRONG_WORDS = 2  # … this many of them with a character foreign to Unicode Vietnamese
MIN_PRECISION = 0.8  # … and this share of the changed words must become syllables

# Latin-1 letters that OCR garble of Unicode Vietnamese is full of: the ones Vietnamese itself
# uses (é for ế/ộ…) and the look-alikes a Latin OCR engine reads for marked letters (cüa for
# của, Näng for Nẵng, trçng for trọng). VISCII put ủ, ả, ỏ… on exactly those look-alikes. A word
# decoded through these alone is weak evidence.
_VIETNAMESE_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_OCR_LOOKALIKES = frozenset("äëïöüÿåçñøðÄËÏÖÜÅÇÑØÐ")
_WEAK_CHARS = _VIETNAMESE_LATIN1 | _OCR_LOOKALIKES


def _is_strong(raw: str, encoding: str) -> bool:
    if any(c in _LEGACY_CHARS[encoding] and c not in _WEAK_CHARS for c in raw):
        return True
    # A vowel followed by a VNI mark (quaù, khoâng) is not how Unicode text spells anything.
    return encoding == "vni" and any(len(m.group(0)) == 2 for m in _VNI_PATTERN.finditer(raw))


@lru_cache(maxsize=1 << 16)
def _syllable_ok(word: str) -> bool:
    return is_valid_syllable(word.lower())


def line_evidence(line: str, encoding: str) -> Evidence:
    """How much one line looks like `encoding` mojibake."""
    ev = Evidence()
    ev.unicode = sum(1 for w in line.split() if _UNICODE_VIET.search(w))
    legacy = _LEGACY_CHARS[encoding]
    decode = _DECODERS[encoding]
    for m in _WORDS[encoding].finditer(line):
        raw = m.group(0)
        if not any(c in legacy for c in raw):
            continue
        decoded = decode(raw)
        if decoded == raw:
            continue
        ev.changed += 1
        if _syllable_ok(decoded):
            if len(decoded) > 1 and not _syllable_ok(raw):
                ev.good += 1
                ev.strong += _is_strong(raw, encoding)
        else:
            ev.bad += 1
    return ev


def _text_confident(ev: Evidence) -> bool:
    return (ev.good >= MIN_GOOD_WORDS and ev.strong >= MIN_STRONG_WORDS
            and ev.precision >= MIN_PRECISION and ev.good > ev.unicode)


def _line_confident(ev: Evidence) -> bool:
    return ev.good >= MIN_GOOD_WORDS and ev.strong >= 1 and ev.precision >= MIN_PRECISION and ev.good > ev.unicode


@dataclass
class _Verdict:
    encoding: str | None = None
    convert: list[bool] | None = None  # per line


def _with_sandwiched_lines(evs: list[Evidence], convert: list[bool]) -> list[bool]:
    """Also convert lines with only weak evidence (no strong word, nothing against) when the
    nearest lines with content on both sides are converted: legacy text comes in paragraphs,
    while OCR-garbled Unicode produces such weak lines on its own."""
    content = [i for i, ev in enumerate(evs) if ev.changed or ev.unicode]
    out = list(convert)
    for k, i in enumerate(content):
        ev = evs[i]
        if convert[i] or ev.strong or ev.bad or ev.unicode:
            continue
        if 0 < k < len(content) - 1 and convert[content[k - 1]] and convert[content[k + 1]]:
            out[i] = True
    return out


def _judge(lines: list[str]) -> _Verdict:
    """Pick the encoding and the lines to convert.

    Whole text confident: convert every line with a strong word and more for than against.
    Otherwise (a legacy paragraph inside Unicode or OCR-garbled text) only lines that are
    confident by themselves. Then weak lines inside converted paragraphs follow."""
    best, best_score, tied = _Verdict(), 0, False
    for enc in ENCODINGS:
        evs = [line_evidence(ln, enc) for ln in lines]
        total = Evidence()
        for ev in evs:
            total.add(ev)
        if _text_confident(total):
            convert = [ev.strong >= 1 and ev.good >= ev.bad and ev.good >= ev.unicode for ev in evs]
            score = total.good - total.bad
        else:
            convert = [_line_confident(ev) for ev in evs]
            chosen = Evidence()
            for ev, yes in zip(evs, convert, strict=True):
                if yes:
                    chosen.add(ev)
            score = chosen.good - chosen.bad if _text_confident(chosen) else 0
        if score > best_score:
            best, best_score, tied = _Verdict(enc, _with_sandwiched_lines(evs, convert)), score, False
        elif score == best_score and score > 0:
            tied = True
    return _Verdict() if tied else best  # e.g. "Nhö" is VNI "Như" as much as TCVN3 "Nhử"


# Text extractors give the glyphs of a font flagged "symbolic" as U+F000 + byte.
_SYMBOL_FONT_CHARS = {0xF000 + b: _BYTE_CHAR[b] for b in range(0x20, 0x100)}


def _prepare(text: str) -> str:
    return _nfc(text.translate(_SYMBOL_FONT_CHARS))


def detect_legacy(text: str) -> str | None:
    """"tcvn3", "vni" or "viscii" if `text` holds that legacy encoding read as cp1252, else None."""
    if text.isascii():
        return None
    return _judge(_prepare(text).split("\n")).encoding


def decode_as(text: str, encoding: str, capitalize_sentences: bool = True) -> str:
    """Decode all of `text` as `encoding` mojibake, without detection. NFC result.

    For TCVN3, `capitalize_sentences` gives a toned vowel that starts a sentence its capital
    (the H-font letter the typist must have used)."""
    if encoding == "tcvn3":
        lines = text.split("\n")
        return _nfc("\n".join(_decode_tcvn3(ln, capitalize_sentences, capitalize_sentences) for ln in lines))
    return _nfc(_DECODERS[encoding](text))


def convert_legacy(text: str) -> tuple[str, str | None]:
    """(NFC Unicode text, detected encoding or None). Only lines showing the encoding change."""
    original = _nfc(text)
    if original.isascii():
        return original, None
    lines = _prepare(original).split("\n")
    verdict = _judge(lines)
    if verdict.encoding is None or verdict.convert is None:
        return original, None
    enc = verdict.encoding
    out = []
    prev_end = True
    for line, yes in zip(lines, verdict.convert, strict=True):
        if yes:
            line = _decode_tcvn3(line, prev_end) if enc == "tcvn3" else _DECODERS[enc](line)
        out.append(line)
        if line.strip():
            prev_end = _SENTENCE_END.search(line.strip()) is not None
    return _nfc("\n".join(out)), enc


# --- encoding (for tests and benchmarks) --------------------------------------------------------------

def _invert_single(table: dict[int, str]) -> dict[str, str]:
    return {letter: _BYTE_CHAR[b] for b, letter in table.items()}


_TCVN3_ENCODE = _invert_single(TCVN3_TABLE)
_VISCII_ENCODE = _invert_single(VISCII_TABLE)


def _encoder(encoding: str) -> dict[str, str]:
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}")
    return {"tcvn3": _TCVN3_ENCODE, "vni": VNI_ENCODE, "viscii": _VISCII_ENCODE}[encoding]


def _encode_char(c: str, table: dict[str, str], encoding: str) -> str:
    if c in table:
        return table[c]
    if encoding == "tcvn3" and not c.isascii() and c.lower() in table:
        return table[c.lower()]  # the .VnTimeH byte of a capital with a tone
    return c


def encode_legacy(text: str, encoding: str) -> str:
    """Unicode → how a document in `encoding` looks when its text is read as cp1252.

    For tests and benchmarks. TCVN3 capitals with tones, which .VnTime lacks, are written the
    way the H fonts give them: the lowercase byte. Characters the encoding cannot hold are kept
    (see `can_encode`)."""
    table = _encoder(encoding)
    return "".join(_encode_char(c, table, encoding) for c in _nfc(text))


def can_encode(text: str, encoding: str) -> bool:
    """True if every character of `text` has a place in `encoding` (ASCII, a Vietnamese letter,
    or a cp1252 character whose byte the encoding leaves alone)."""
    table = _encoder(encoding)
    return all(
        c.isascii() or c in table or (encoding == "tcvn3" and c.lower() in table)
        or (c in _CHAR_BYTE and c not in _LEGACY_CHARS[encoding]
            and (encoding != "viscii" or _CHAR_BYTE[c] not in VISCII_TABLE))
        for c in _nfc(text)
    )
