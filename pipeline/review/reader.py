"""Read-side queries of the review site over the archive schema (pipeline/schema.sql, version 3):
one short sqlite3 connection per request."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sohoa.pipeline.db_pg import PgConnection, db_location
from sohoa.pipeline.fold import fold
from sohoa.pipeline.review.images import resolve_path
from sohoa.pipeline.search import matching_doc_ids


class ArchiveReader:
    def __init__(self, db: Path | str):
        self.db = db_location(db)
        # relative paths of stored files resolve against the archive's folder (the current one on PostgreSQL)
        self.archive_dir = os.getcwd() if isinstance(self.db, str) else str(self.db.resolve().parent)
        self._engine_cache: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and is always closed."""
        if isinstance(self.db, str):
            conn: Any = PgConnection(self.db, autocommit=False)  # rows by name, `with conn` commits
        else:
            conn = sqlite3.connect(self.db, timeout=10)
            conn.row_factory = sqlite3.Row
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def filter_choices(self, conn: sqlite3.Connection) -> dict[str, list[str]]:
        def col(sql: str) -> list[str]:
            return [r[0] for r in conn.execute(sql) if r[0]]

        return {
            "type": col("SELECT DISTINCT doc_type FROM documents_reviewed ORDER BY 1"),
            "issuer": col("SELECT DISTINCT issuer FROM documents_reviewed ORDER BY 1"),
            "year": col("SELECT DISTINCT substr(date, 1, 4) FROM documents_reviewed WHERE date IS NOT NULL"
                        " ORDER BY 1 DESC"),
        }

    def matching_ids(self, conn: sqlite3.Connection, q: str) -> list[int]:
        """Documents whose folded (reviewed) text holds every word of `q` (FTS5), or whose code matches."""
        words = [w for w in re.split(r"\s+", fold(q)) if w]
        ids: set[int] = set()
        try:
            ids.update(matching_doc_ids(conn, q))
        except sqlite3.Error:  # no FTS table (an older archive): fall back to a scan
            pass
        if not ids:
            rows = conn.execute("SELECT doc_id, coalesce(search_text, text) FROM documents").fetchall()
            ids.update(r[0] for r in rows if all(w in fold(r[1] or "") for w in words))
        like = "%" + q.strip().replace("%", "") + "%"
        ids.update(r[0] for r in conn.execute("SELECT doc_id FROM documents_reviewed WHERE code LIKE ?", (like,)))
        return sorted(int(i) for i in ids)

    def candidates(self, conn: sqlite3.Connection, q: str, doc_type: str, issuer: str, year: str,
                   code: str = "") -> list[sqlite3.Row]:
        """The reviewed rows (documents_reviewed) that the search words and filters let through."""
        where, params = [], []
        if q.strip():
            ids = self.matching_ids(conn, q)
            where.append(f"d.doc_id IN ({','.join('?' * len(ids))})" if ids else "1 = 0")
            params.extend(ids)
        for col, value in (("d.doc_type", doc_type), ("d.issuer", issuer), ("substr(d.date, 1, 4)", year)):
            if value:
                where.append(f"{col} = ?")
                params.append(value)
        if code.strip():  # part of the code, spaces and case ignored (`07-ct/tu`, `KH-UBND`)
            where.append("replace(upper(d.code), ' ', '') LIKE ?")
            params.append("%" + "".join(code.upper().split()).replace("%", "") + "%")
        sql = ("SELECT d.doc_id, d.file_id, d.sha256, d.seq, d.doc_type, d.number, d.symbol, d.code, d.issuer,"
               " d.place, d.date, d.subject, d.page_from, d.page_to, d.path, d.record_json, d.corrected_fields,"
               " d.review_status, d.reviewed_by, d.reviewed_at,"
               " (SELECT count(*) FROM corrections c WHERE c.doc_id = d.doc_id) AS n_corrections"
               " FROM documents_reviewed d" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY d.doc_id")
        return conn.execute(sql, params).fetchall()

    def document(self, conn: sqlite3.Connection, doc_id: int) -> sqlite3.Row | None:
        return conn.execute(
            "SELECT d.*, f.path, f.sha256, f.kind, f.pages AS file_pages, fp.abs_path, fp.run_dir,"
            " r.review_status, r.reviewed_by, r.reviewed_at FROM documents d JOIN files f USING (file_id)"
            " LEFT JOIN file_paths fp USING (file_id) JOIN documents_reviewed r ON r.doc_id = d.doc_id"
            " WHERE d.doc_id = ?", (doc_id,)).fetchone()

    def local_path(self, path: str, abs_path: str | None, run_dir: str | None) -> str:
        """Where the stored file is now (see images.resolve_path)."""
        import os

        if abs_path and os.path.isfile(abs_path):
            return abs_path
        return resolve_path(path, run_dir, self.archive_dir)

    def corrections(self, conn: sqlite3.Connection, doc: sqlite3.Row) -> list[sqlite3.Row]:
        return conn.execute(
            "SELECT * FROM corrections WHERE doc_id = ? OR (target = 'token' AND file_sha256 = ?) ORDER BY correction_id",
            (doc["doc_id"], doc["sha256"])).fetchall()

    def reviews(self, conn: sqlite3.Connection, doc: sqlite3.Row) -> list[sqlite3.Row]:
        return conn.execute("SELECT * FROM reviews WHERE file_sha256 = ? AND seq = ? ORDER BY review_id",
                            (doc["sha256"], doc["seq"])).fetchall()

    def pages(self, conn: sqlite3.Connection, doc: sqlite3.Row) -> list[sqlite3.Row]:
        lo, hi = doc["page_from"] or 1, doc["page_to"] or doc["page_from"] or 10**6
        return conn.execute("SELECT * FROM pages WHERE file_id = ? AND page BETWEEN ? AND ? ORDER BY page",
                            (doc["file_id"], lo, hi)).fetchall()

    def page_texts(self, conn: sqlite3.Connection, file_id: int) -> list[tuple[int, str]]:
        return [(r[0], r[1] or "") for r in conn.execute("SELECT page, text FROM pages WHERE file_id = ? ORDER BY page",
                                                         (file_id,))]

    def tokens(self, conn: sqlite3.Connection, file_id: int, sha256: str, pages: list[int] | None = None) -> list[dict]:
        """The file's tokens (of `pages`), each with `engine_conf`: the engine's confidence (0..1) in the
        word the token came from, from the stored document JSON (None for text input)."""
        sql = "SELECT * FROM tokens WHERE file_id = ?"
        params: list[Any] = [file_id]
        if pages is not None:
            if not pages:
                return []
            sql += f" AND page IN ({','.join('?' * len(pages))})"
            params += pages
        rows = [dict(r) for r in conn.execute(sql + " ORDER BY page, line, idx", params)]
        engine = self.engine_confs(conn, file_id, sha256)
        per_line: dict[tuple[int, int], int] = {}
        for t in rows:
            per_line[(t["page"], t["line"])] = per_line.get((t["page"], t["line"]), 0) + 1
        for t in rows:
            words = engine.get((t["page"], t["line"]))
            if not words:
                t["engine_conf"] = None
            elif len(words) == per_line[(t["page"], t["line"])] and words[t["idx"]] is not None:
                t["engine_conf"] = words[t["idx"]]
            else:  # tokens not one-to-one with the words: the line's lowest word
                known = [w for w in words if w is not None]
                t["engine_conf"] = min(known) if known else None
        return rows

    def engine_confs(self, conn: sqlite3.Connection, file_id: int, sha256: str) -> dict[tuple[int, int], list]:
        """(page, line) → the engine's confidences (0..1) of that line's words, cached per file content;
        one per restored token (the lowest of the OCR words it came from) when the tokens know their
        words (a merge or split may have changed their count)."""
        with self._lock:
            if sha256 in self._engine_cache:
                self._engine_cache.move_to_end(sha256)
                return self._engine_cache[sha256]
        row = conn.execute("SELECT document_json FROM files WHERE file_id = ?", (file_id,)).fetchone()
        out: dict[tuple[int, int], list] = {}
        try:
            doc = json.loads(row[0]) if row and row[0] else {}
        except json.JSONDecodeError:
            doc = {}
        for page in doc.get("pages") or []:
            lines = [ln for b in page.get("blocks") or [] for ln in b.get("lines") or []]
            for li, ln in enumerate(lines):
                confs = [w.get("conf") for w in ln.get("words") or []]
                if any(c is not None for c in confs):
                    out[(page.get("number"), li)] = _per_token(ln.get("tokens") or [], confs)
        with self._lock:
            self._engine_cache[sha256] = out
            while len(self._engine_cache) > 256:
                self._engine_cache.popitem(last=False)
        return out

    def word_stats(self, conn: sqlite3.Connection, file_id: int, sha256: str, low_conf: float,
                   engine_low: float) -> dict[int, tuple[int, int]]:
        """page → (words, words that the engine or the restorer was unsure of)."""
        out: dict[int, tuple[int, int]] = {}
        for t in self.tokens(conn, file_id, sha256):
            low = (t["conf"] is not None and t["conf"] < low_conf) or (
                t["engine_conf"] is not None and t["engine_conf"] < engine_low)
            n, k = out.get(t["page"], (0, 0))
            out[t["page"]] = (n + 1, k + int(low))
        return out


def _per_token(tokens: list[dict], confs: list) -> list:
    """One confidence (0..1) per token by its `sources` (the lowest of its words); the word
    confidences as they are for tokens stored without sources."""
    scaled = [None if c is None else float(c) / 100 for c in confs]
    if not tokens or not all(t.get("sources") for t in tokens):
        return scaled
    out = []
    for t in tokens:
        known = [scaled[k] for k in t["sources"] if 0 <= k < len(scaled) and scaled[k] is not None]
        out.append(min(known) if known else None)
    return out
