"""The restorer's token slots: how a whitespace token is cut (prefix, core, suffix) and classed
(word, fixed, punct, junk), the words a number follows, and how a restored word takes the observed case."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from sohoa.normalize.digits import fix_digit_confusions
from sohoa.normalize.vnsyl import strip_marks

_PREFIX = "([{\"“‘'«<•*"
_SUFFIX = ".,;:!?)]}\"”’'»>…-–"
_CODE_CHARS = re.compile(r"[/_=+#\\]|\w[.:\-]\w|://|@\w+\.")  # codes, dates, URLs, e-mails
_CLOSING_QUOTES = "’'"
_LETTER = re.compile(r"[^\W\d_]")
# lower-case letters with one mark inside and 1-3 letters after it: OCR's reading of a hook or a dot
# below (nuo.c for nước); classed `junk`, which the restorer reads as a word only in garbled lines
_JUNK_WORD = re.compile(r"[^\W\d_]{2,}[.,'`][^\W\d_]{1,3}")


@dataclass
class Slot:
    """One whitespace token of the input."""

    line: int
    prefix: str
    core: str
    suffix: str
    kind: str  # word | fixed | punct | junk (a word only in garbled lines)
    upper: bool = False
    words: tuple[str, ...] = ()  # lower-case candidate words
    keep: str = ""  # the candidate meaning "leave the token as OCR wrote it"
    ids: tuple[int, ...] = ()
    costs: tuple[float, ...] = ()
    choice: int = 0
    conf: float = 1.0
    protected: bool = False  # an acronym or label: its letters and case are kept (marks of codes aside)
    mode: str = ""  # the line mode it is decoded in (garbled, accentless, plain, proofread …)

    @property
    def original(self) -> str:
        return self.prefix + self.core + self.suffix


def split_token(tok: str) -> tuple[str, str, str]:
    i, j = 0, len(tok)
    while i < j and tok[i] in _PREFIX:
        i += 1
    while j > i and tok[j - 1] in _SUFFIX:
        j -= 1
    # a closing quote with no opening one is OCR's rendering of a hook or horn (sử → sir’): keep it in
    # the core, where the channel can read it as noise
    while j < len(tok) and tok[j] in _CLOSING_QUOTES and not any(q in tok[:i] for q in "‘'"):
        j += 1
    return tok[:i], tok[i:j], tok[j:]


def classify_core(core: str, suffix: str = "") -> str:
    if len(core) == 1 and core.isalpha() and suffix[:1] in (")", "."):
        return "fixed"  # list marker or initial: a) b. T.
    if not core:
        return "punct"
    letters = len(_LETTER.findall(core))
    digits = sum(c.isdigit() for c in core)
    if letters == 0:
        return "fixed" if digits or core.isalnum() else "punct"
    if _JUNK_WORD.fullmatch(core) and core == core.lower():
        return "junk"
    if _CODE_CHARS.search(core):
        return "fixed"
    if digits and (digits > 2 or len(core) > 5 or (letters >= 2 and core.isupper())):
        return "fixed"
    return "word"


# words a number follows (Điều 14, khoản 4, tháng 11, năm 2013): after them `l4` / `l1` is a number
# with a misread digit, not a garbled syllable (`lệ`, `là`)
_COUNTERS = frozenset({"dieu", "khoan", "diem", "thang", "ngay", "nam", "so", "chuong", "muc", "phu luc"})


def _numbers_after_counters(slots: list[Slot]) -> None:
    for prev, s in pairwise(slots):
        counter = strip_marks(prev.core.lower()).replace("đ", "d") in _COUNTERS
        if s.kind == "word" and fix_digit_confusions(s.core).isdigit():
            if counter:
                s.kind = "fixed"
        elif counter and s.core.isdigit() and s.suffix.startswith("]") and "[" not in s.prefix:
            # `tháng 1]`: the last `1` read as a bracket (a note mark `[1]` opens with one)
            s.core, s.suffix = s.core + "1", s.suffix[1:]


_ROMAN = re.compile(r"(?=[IVX])X{0,3}(IX|IV|V?I{0,3})")  # I … XXXIX
# a Roman numeral follows these (lần thứ XIII, khóa XV, Đại hội XIII, Chương II, Phần I, Mục IV)
_ROMAN_BEFORE = frozenset({"thu", "khoa", "hoi", "chuong", "phan", "muc"})
_ROMAN_MISREAD = str.maketrans({"1": "I", "l": "I", "|": "I"})
_ROMAN_FIRST = frozenset("IVX|")  # what a numeral or OCR's reading of one starts with


def is_roman(core: str) -> bool:
    return core[:1] in ("I", "V", "X") and _ROMAN.fullmatch(core) is not None


def _skeleton(core: str) -> str:
    return strip_marks(core.lower()).replace("đ", "d")


def roman_expected(slots: list[Slot], k: int) -> bool:
    """Whether slot k stands where a Roman numeral is usual: a line's first token, or after thứ, khóa,
    Đại hội, Chương … (the word before may be garbled: `lần thir` is still `lần thứ`)."""
    if k == 0:
        return True
    return _skeleton(slots[k - 1].core) in _ROMAN_BEFORE or (k >= 2 and _skeleton(slots[k - 2].core) == "lan")


def read_list_number(slots: list[Slot]) -> None:
    """A line opening with `2, Bãi bỏ …`: a list number whose dot OCR read as a comma."""
    if len(slots) > 2 and slots[0].kind == "fixed" and slots[0].core.isdigit() and len(slots[0].core) <= 2 \
            and slots[0].suffix == "," and not slots[0].prefix and slots[1].core[:1].isupper():
        slots[0].suffix = "."


def read_roman_numerals(slots: list[Slot]) -> None:
    """OCR's misreadings of Roman numerals where one is expected: `X1`, `Xl`, `I1` for XI, XI, II, `|.`
    for `I.`, and a heading's `IL` for `II.` (the dot run into the last I)."""
    for k, s in enumerate(slots):
        core, suffix = s.core, s.suffix
        if core[:1] not in _ROMAN_FIRST or s.prefix or not roman_expected(slots, k):
            continue
        if k == 0 and core == "|" and suffix.startswith(".") and len(slots) > 1:
            s.core, s.kind = "I", "fixed"
            continue
        if len(core) < 2 or is_roman(core) or not any(c in "IVX" for c in core):
            continue
        fixed = core.translate(_ROMAN_MISREAD)
        if k == 0 and fixed.endswith("L") and not suffix.startswith(".") and is_roman(fixed[:-1] + "I"):
            fixed, suffix = fixed[:-1] + "I", "." + suffix
        if is_roman(fixed):
            s.core, s.suffix, s.kind = fixed, suffix, "word"


def _with_case(word: str, observed: str, line_upper: bool) -> str:
    """`word` (lower case) in the case pattern of the observed token: capitals, Title or lower; a
    one-letter token takes its line's (a line in capitals writes its words in capitals)."""
    letters = [c for c in observed if c.isalpha()]
    if len(letters) >= 2:
        upper = sum(c.isupper() for c in letters)
        # in a line in capitals a short token's small letters are as often OCR's (`Bi` for `BÍ`)
        if upper == len(letters) or (line_upper and (upper >= 0.7 * len(letters) or len(letters) <= 2)):
            return word.upper()
        if letters[0].isupper():
            return word[:1].upper() + word[1:]
        return word
    if letters and letters[0].isupper():
        return word.upper() if line_upper and len(word) > 1 else word[:1].upper() + word[1:]
    return word
