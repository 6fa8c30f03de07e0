"""Fields a person should check before a record is trusted: the số and ngày of a document.

Số and ngày are often filled in by hand or by a numbering stamp after printing, and OCR reads
such fill-ins badly (`Só:4°95` for a handwritten 155, a day read as `ä{`). A value read from
words the engine was unsure of is kept but flagged, a blank that could not be read leaves the
field null and flagged, and a date whose year contradicts the code's year is flagged: nothing
uncertain is stored as if it were certain. Each flag carries the page and box of the fill-in.
"""

from __future__ import annotations

import re

from sohoa.record import FieldReview, FieldSource, Record

LOW_CONFIDENCE = 0.6  # engine word confidence (0..1) below which a số / ngày read is not trusted
_CODE_YEAR = re.compile(r"/((?:19|20)\d\d)/")


def _source(record: Record, *names: str) -> FieldSource | None:
    fields = record.source.fields if record.source is not None else {}
    for name in names:
        fs = fields.get(name)
        if isinstance(fs, FieldSource):
            return fs
    return None


def _flag(name: str, reason: str, detail: str, fs: FieldSource | None, read: str | None) -> FieldReview:
    return FieldReview(name, reason, detail, fs.conf if fs else None, read,
                       fs.page if fs else None, list(fs.box) if fs and fs.box else None)


def _unsure(fs: FieldSource | None) -> bool:
    return fs is not None and fs.conf is not None and fs.conf < LOW_CONFIDENCE


def assess(record: Record) -> list[FieldReview]:
    """The review flags of one record (empty when its số and ngày look certain)."""
    out: list[FieldReview] = []
    has_header = record.symbol is not None or record.doc_type is not None
    fs = _source(record, "number", "code")
    if record.number is not None and _unsure(fs):
        detail = f"engine confidence {fs.conf:.2f} on the number: a handwritten or stamped fill-in?"
        out.append(_flag("number", "low_confidence", detail, fs, record.number))
        if record.code is not None:
            out.append(_flag("code", "low_confidence", "the code holds the unsure number", fs, record.code))
    elif record.number is None and record.symbol is not None:
        fs = _source(record, "symbol", "code")
        out.append(_flag("number", "unreadable", "no number could be read before the ký hiệu", fs, None))
    fs = _source(record, "date")
    if record.date is not None:
        if len(record.date) < 10:
            out.append(_flag("date", "unreadable", "the day or month of the date could not be read", fs, record.date))
        elif _unsure(fs):
            detail = f"engine confidence {fs.conf:.2f} on the date: a handwritten or stamped fill-in?"
            out.append(_flag("date", "low_confidence", detail, fs, record.date))
        year = _CODE_YEAR.search(record.code or "")
        if year and record.date[:4] != year.group(1):
            out.append(_flag("date", "inconsistent", f"the date's year is not the code's ({year.group(1)})",
                             fs, record.date))
    elif has_header and record.number is not None:
        # the place is read from the date's line (`Thái Bình, ngày …`): its box shows the reviewer where
        out.append(_flag("date", "unreadable", "the document's date could not be read", _source(record, "place"), None))
    return out
