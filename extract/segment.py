"""Splitting one text into documents: a cover công văn and the kế hoạch it forwards, etc.

A new document starts at a national/Party motto line or at a type title line (`KẾ HOẠCH`)
once the current document has closed (its `Nơi nhận` list or signature block was seen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from sohoa.extract import gazetteer as gz
from sohoa.extract.lines import TextLine
from sohoa.extract.textkey import compact, upper_ratio

MOTTO_STATE = "cong hoa xa hoi chu nghia viet nam"
MOTTO_STATE_2 = "doc lap tu do hanh phuc"
MOTTO_PARTY = "dang cong san viet nam"

_CLOSING = re.compile(r"^\W{0,3}(?:n[a-z]{1,2}i\W{0,2}nh[a-z]{0,2}n\b|t\s?/\s?m\b|tm\.|k\s?/?\s?t\.?\s|q\.\s)")
_AUTHORITY_LINE = re.compile(r"(?:^|\s)(?:t\s?/\s?m|tm\.|k\s?/\s?t|kt\.|tl\.|tuq\.)\s+[a-z]")


@dataclass
class Segment:
    start_line: int  # index into the lines list
    end_line: int  # exclusive


def motto_span(line: TextLine) -> tuple[str, int, int] | None:
    """('state'|'party'|'state2', start, end) of a motto written in capitals on this line."""
    ck = line.key
    if len(ck.strip()) < 8:
        return None
    for kind, motto, cutoff in (("state", MOTTO_STATE, 80), ("party", MOTTO_PARTY, 84), ("state2", MOTTO_STATE_2, 80)):
        al = fuzz.partial_ratio_alignment(motto, ck, score_cutoff=cutoff)
        if al is None:
            continue
        s, e = al.dest_start, al.dest_end
        if upper_ratio(line.text[s:e]) >= 0.6 or kind == "state2":
            return kind, s, e
    return None


def title_type(line: TextLine) -> str | None:
    """The doc type named by a title line in capitals (`KẾ HOẠCH`, `KE HOACH`), or None."""
    text = line.stripped.strip("*#_ ")
    if not text or len(text) > 60 or upper_ratio(text) < 0.7:
        return None
    ck = compact(text)
    for name in gz.doc_type_names():
        nk = compact(name)
        if ck == nk or (ck.endswith(" " + nk) and len(ck.split()) <= len(nk.split()) + 4):
            return name
        if abs(len(ck) - len(nk)) <= 2 and fuzz.ratio(ck, nk) >= 85:
            return name
    return None


def is_closing(line: TextLine) -> bool:
    k = line.key.strip()
    return bool(_CLOSING.search(k) or _AUTHORITY_LINE.search(k))


def segment(lines: list[TextLine]) -> list[Segment]:
    if not lines:
        return [Segment(0, 0)]
    starts = [0]
    closed = False
    body_seen = 0
    for i, ln in enumerate(lines):
        if ln.blank:
            continue
        if closed and (motto_span(ln) or title_type(ln)):
            j = i
            while j - 1 > starts[-1] and _header_like(lines[j - 1]):
                j -= 1
            starts.append(j)
            closed = False
            body_seen = 0
            continue
        body_seen += 1
        if body_seen > 5 and is_closing(ln):
            closed = True
    bounds = starts + [len(lines)]
    return [Segment(bounds[k], bounds[k + 1]) for k in range(len(starts))]


def _header_like(line: TextLine) -> bool:
    t = line.stripped
    if not t:
        return True
    if t.startswith(("-", "+", "•")):
        return False
    return upper_ratio(t) >= 0.7 or set(t) <= set("* ")
