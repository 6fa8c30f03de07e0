"""The review queue: which documents need a person first, and why.

A document's need adds up, from its reviewed values (documents_reviewed):
* each field the extractor flagged (`review` in the record: a number or date read from words the
  engine was unsure of, a blank, a date contradicting the code) — 3 points;
* each field its type requires that is empty — 3 points;
* each header field whose engine confidence is below the threshold — 1 point;
* the share of its words that the engine (word confidence) or the restorer (token confidence) was
  unsure of — up to 4 points (a page with no unsure word adds nothing).
Documents marked reviewed come after those to review, whatever their need.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field

from sohoa.pipeline.review.reader import ArchiveReader

# Fields a document of each type must have; other types need the general set.
REQUIRED_DEFAULT = ("doc_type", "number", "code", "issuer", "date", "subject")
REQUIRED_BY_TYPE: dict[str, tuple[str, ...]] = {
    "Nghị quyết": REQUIRED_DEFAULT, "Quyết định": REQUIRED_DEFAULT, "Chỉ thị": REQUIRED_DEFAULT,
    "Kế hoạch": REQUIRED_DEFAULT, "Thông báo": REQUIRED_DEFAULT, "Báo cáo": REQUIRED_DEFAULT,
    "Công văn": REQUIRED_DEFAULT, "Tờ trình": REQUIRED_DEFAULT, "Hướng dẫn": REQUIRED_DEFAULT,
    # a công điện or giấy mời often has no trích yếu line
    "Công điện": ("doc_type", "number", "code", "issuer", "date"),
    "Giấy mời": ("doc_type", "number", "code", "issuer", "date"),
}
STATUS_FILTERS = ("to_review", "reviewed", "all")


@dataclass
class Need:
    doc_id: int
    score: float
    flagged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    low_fields: list[str] = field(default_factory=list)
    words: int = 0
    low_words: int = 0

    @property
    def low_share(self) -> float:
        return self.low_words / self.words if self.words else 0.0

    def reasons(self) -> list[str]:
        out = [f"cần kiểm tra: {', '.join(self.flagged)}"] if self.flagged else []
        if self.missing:
            out.append(f"thiếu: {', '.join(self.missing)}")
        if self.low_fields:
            out.append(f"độ tin cậy thấp: {', '.join(self.low_fields)}")
        if self.low_words:
            out.append(f"{self.low_words}/{self.words} từ không chắc")
        return out


def required_fields(doc_type: str | None) -> tuple[str, ...]:
    return REQUIRED_BY_TYPE.get(doc_type or "", REQUIRED_DEFAULT)


def assess(row: sqlite3.Row, stats: dict[int, tuple[int, int]], low_conf: float) -> Need:
    record = json.loads(row["record_json"] or "{}")
    corrected = set(filter(None, (row["corrected_fields"] or "").split(",")))
    flagged = sorted({r.get("field") for r in record.get("review") or [] if isinstance(r, dict)
                      and r.get("field") and r.get("field") not in corrected})
    missing = [f for f in required_fields(row["doc_type"]) if row[f] in (None, "") and f not in flagged]
    confidence = record.get("confidence") or {}
    low_fields = sorted(f for f, c in confidence.items() if isinstance(c, (int, float)) and c < low_conf
                        and f not in corrected and f not in flagged)
    lo, hi = row["page_from"] or 1, row["page_to"] or row["page_from"] or 10**6
    words = sum(n for p, (n, _) in stats.items() if lo <= p <= hi)
    low_words = sum(k for p, (_, k) in stats.items() if lo <= p <= hi)
    share = low_words / words if words else 0.0
    score = 3 * len(flagged) + 3 * len(missing) + len(low_fields) + 4 * min(1.0, share * 4)
    return Need(row["doc_id"], round(score, 3), flagged, missing, low_fields, words, low_words)


class Queue:
    """The ordered queue for a set of filters, with word statistics cached per file content."""

    def __init__(self, reader: ArchiveReader, low_conf: float, engine_low: float):
        self.reader, self.low_conf, self.engine_low = reader, low_conf, engine_low
        self._stats: dict[str, dict[int, tuple[int, int]]] = {}
        self._lock = threading.Lock()

    def stats(self, conn: sqlite3.Connection, file_id: int, sha256: str) -> dict[int, tuple[int, int]]:
        with self._lock:
            if sha256 in self._stats:
                return self._stats[sha256]
        got = self.reader.word_stats(conn, file_id, sha256, self.low_conf, self.engine_low)
        with self._lock:
            self._stats[sha256] = got
        return got

    def build(self, conn: sqlite3.Connection, filters: dict[str, str]) -> tuple[list[tuple[sqlite3.Row, Need]], dict]:
        """(row, need) in queue order for the filters, and the counts (to review / reviewed / all)."""
        rows = self.reader.candidates(conn, filters.get("q", ""), filters.get("type", ""),
                                      filters.get("issuer", ""), filters.get("year", ""), filters.get("code", ""))
        status = filters.get("status") or "to_review"
        counts = {"to_review": 0, "reviewed": 0, "all": len(rows)}
        items = []
        for r in rows:
            counts[r["review_status"]] = counts.get(r["review_status"], 0) + 1
            if status != "all" and r["review_status"] != status:
                continue
            items.append((r, assess(r, self.stats(conn, r["file_id"], r["sha256"]), self.low_conf)))
        items.sort(key=lambda x: (x[0]["review_status"] == "reviewed", -x[1].score, x[0]["doc_id"]))
        return items, counts

    def neighbours(self, conn: sqlite3.Connection, filters: dict[str, str], doc_id: int) -> tuple[int | None, int | None, int, int]:
        """(previous, next, position, length) of the document in the filtered queue; a document not in
        it (just marked reviewed, say) gets the queue's first as next."""
        ids = [r["doc_id"] for r, _ in self.build(conn, filters)[0]]
        if doc_id not in ids:
            return None, (ids[0] if ids else None), 0, len(ids)
        i = ids.index(doc_id)
        return (ids[i - 1] if i else None), (ids[i + 1] if i + 1 < len(ids) else None), i + 1, len(ids)
