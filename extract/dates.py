"""Dates in Vietnamese documents, including OCR-damaged ones, as ISO strings.

Regexes run on the matching key (same length as the text); the digits are read from the
original text at the same offsets, because the key turns digits inside words into letters.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sohoa.extract.textkey import key as make_key

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# `ngày 08 tháng 6 năm 2021`, `ngay ot{ thang 6 ndm 2021`, `ngay 15 thang0d2nam 2022`
_WORDY = re.compile(
    r"ng[a-z]?y\W{0,2}(?P<d>\S{0,4}?)\s*th[a-z]?ng\s*(?P<m>\S{0,5}?)\s*n[a-z]?m\s*(?P<y>(?:19|20)\d{2})\b"
)
# `08/6/2021`, `04-6-2021`, `21.06.2021`
_NUMERIC = re.compile(r"(?<![\d/.-])(?P<d>\d{1,2})\s?(?P<s>[/.-])\s?(?P<m>\d{1,2})\s?(?P=s)\s?(?P<y>(?:19|20)\d{2})(?!\d)")
# `tháng 11/2021`, `tháng 11-2021`, `tháng 6 năm 2021`
_MONTH = re.compile(r"th[a-z]?ng\s*(?P<m>\d{1,2})\s*(?:[/.-]|\s*n[a-z]?m)\s*(?P<y>(?:19|20)\d{2})\b")
_YEAR = re.compile(r"n[a-z]?m\s*(?P<y>(?:19|20)\d{2})\b")
_QUARTER = re.compile(r"qu[a-z]\s+(?P<q>iv|iii|ii|i|[1-4])\s*(?:[/.-]\s*|\s*n[a-z]?m\s*)(?P<y>(?:19|20)\d{2})\b")


def iso(year: int, month: int | None, day: int | None) -> str | None:
    """ISO date, or `YYYY-MM` when the day is unknown or impossible; None when the month is bad."""
    if not 1900 <= year <= 2100:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            pass
    return f"{year:04d}-{month:02d}"


_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "S": "5", "s": "5", "l": "1", "I": "1", "|": "1",
                                   "B": "8", "Z": "2", "z": "2"})


def _digits(s: str) -> int | None:
    if any(c.isdigit() for c in s):
        s = s.translate(_DIGIT_LOOKALIKES)
    d = re.sub(r"\D", "", s)
    if not d or len(d) > 2:
        return None
    return int(d)


_ONE_STROKES = set("IÌÍỈĨỊlTt|!1ìíỉ")


def _ones(s: str) -> int | None:
    """A month OCR read as strokes only (`TÌ` for `11`, `I` for `1`): every stroke is a `1`."""
    s = s.strip()
    if not 1 <= len(s) <= 2 or not set(s) <= _ONE_STROKES:
        return None
    return int("1" * len(s))


@dataclass
class DateHit:
    iso: str
    start: int
    end: int


def find_dates(text: str, key: str | None = None) -> list[DateHit]:
    """Full dates (wordy and numeric) in order of position; partial ones come out as `YYYY-MM`."""
    k = key if key is not None else make_key(text)
    hits: list[DateHit] = []
    for m in _WORDY.finditer(k):
        day = _digits(text[m.start("d"):m.end("d")])
        month = _digits(text[m.start("m"):m.end("m")]) or _ones(text[m.start("m"):m.end("m")])
        year = int(text[m.start("y"):m.end("y")])
        if month is None:
            continue
        v = iso(year, month, day)
        if v:
            hits.append(DateHit(v, m.start(), m.end()))
    for m in _NUMERIC.finditer(text):
        if any(h.start <= m.start() < h.end for h in hits):
            continue
        v = iso(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if v and len(v) == 10:
            hits.append(DateHit(v, m.start(), m.end()))
    hits.sort(key=lambda h: h.start)
    return hits


def first_date(text: str, key: str | None = None) -> DateHit | None:
    hits = find_dates(text, key)
    return hits[0] if hits else None


def month_or_date_at(text: str, key: str | None = None) -> DateHit | None:
    """The first full date, month (`tháng 11-2021`), quarter or year in `text`."""
    k = key if key is not None else make_key(text)
    cands: list[DateHit] = list(find_dates(text, k))
    for m in _MONTH.finditer(k):
        v = iso(int(text[m.start("y"):m.end("y")]), _digits(text[m.start("m"):m.end("m")]) or 0, None)
        if v:
            cands.append(DateHit(v, m.start(), m.end()))
    for m in _QUARTER.finditer(k):
        q = _ROMAN[m.group("q")]
        cands.append(DateHit(f"{int(m.group('y')):04d}-{q * 3:02d}", m.start(), m.end()))
    for m in _YEAR.finditer(k):
        cands.append(DateHit(m.group("y"), m.start(), m.end()))
    if not cands:
        return None
    cands.sort(key=lambda h: (h.start, -len(h.iso)))
    return cands[0]


_DL = (
    r"(?:(?:hoan thanh|xong|hoan tat|bao cao(?: ket qua)?|gui)\s+)?"
    r"(?:truoc|trong|cu[a-z]?i|dau|giua|cham nhat(?: la| vao)?|den het|den|tu nay den|han chot)\s+"
    r"(?:NGAY\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
    r"|NGAY\s+\d{1,2}\s+THANG\s+\d{1,2}\s+NAM\s+\d{4}"
    r"|THANG\s+\d{1,2}\s*(?:[/.-]|NAM)\s*\d{4}"
    r"|qu[a-z]\s+(?:iv|iii|ii|i|[1-4])\s*(?:[/.-]|NAM)\s*\d{4}"
    r"|NAM\s+\d{4})"
    r"|dinh ky\s+(?:hang|h[a-z]ng|moi)\s+(?:NGAY|tuan|THANG|qu[a-z]|NAM|6 THANG)"
    r"|(?:hang|moi)\s+(?:qu[a-z]|THANG|NAM)\s+(?:bao cao|gui)"
)
_DEADLINE = re.compile(
    _DL.replace("NGAY", "ng[a-z]?y").replace("THANG", "th[a-z]?ng").replace("NAM", "n[a-z]?m")
)


@dataclass
class Deadline:
    text: str
    date: str | None
    start: int
    end: int


def find_deadlines(text: str, key: str | None = None) -> list[Deadline]:
    k = key if key is not None else make_key(text)
    out = []
    for m in _DEADLINE.finditer(k):
        frag = text[m.start():m.end()]
        hit = month_or_date_at(frag, k[m.start():m.end()])
        out.append(Deadline(" ".join(frag.split()), hit.iso if hit else None, m.start(), m.end()))
    return out
