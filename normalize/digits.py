"""Letters that OCR reads for digits inside numbers: `l4` → `14`, `tháng l1` → `tháng 11`,
`COVID-I9` → `COVID-19`, `2O20` → `2020`.

Only a part of a token (between `/ - . , :`) that already holds a digit and otherwise only
`l`, `I`, `|` or `O` changes: Roman numerals (`II`, `IV`), labels (`E6`, `D2`) and words are
never touched, and a digit never becomes a letter here.
"""

from __future__ import annotations

import re

# the other way round: letters (with their marks) OCR reads as digits inside words (S6 = Số, 13 = là)
DIGIT_AS_LETTER = {"6": ("ô", "ố", "ó", "ê", "ế"), "0": ("o", "ơ"), "1": ("l", "i"), "3": ("à",), "8": ("ô",)}


def letter_readings(text: str) -> list[str]:
    """Every reading of the digits of `text` as the letters OCR takes them for (`k6` → kô, kố, kó, kê, kế);
    its letters are kept, a digit with no such letter gives no reading."""
    readings = [""]
    for c in text:
        readings = [x + v for x in readings for v in (DIGIT_AS_LETTER.get(c, ()) if c.isdigit() else (c,))]
    return readings


_AS_DIGIT = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0"})
_SEPARATORS = re.compile(r"([/\-.,:])")
_CONFUSABLE = set("lI|O")


def _fix_part(part: str) -> str:
    if part.isdigit() or not any(c.isdigit() for c in part):
        return part
    if all(c.isdigit() or c in _CONFUSABLE for c in part):
        return part.translate(_AS_DIGIT)
    return part


def fix_digit_confusions(core: str) -> str:
    if not any(c in _CONFUSABLE for c in core):
        return core
    return "".join(_fix_part(p) for p in _SEPARATORS.split(core))
