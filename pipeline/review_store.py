"""The archive side of the review workflow (schema version 3): review states, corrections with their
audit trail, reviewed values in full-text search, and absolute file paths.

Machine output (`documents`, `tokens`, …) is never changed. What a reviewer does is appended:
a `corrections` row per change (who, when, old and new value) and a `reviews` row per state change
of a document (`to_review` / `reviewed`, who, when). Reviews are keyed by the file's content hash and
the document's position in it, which a re-run keeps. Views put the two together:

* `corrections_latest`: the newest correction of each field of a document and of each token;
* `review_status`: the newest state of each document (file_sha256, seq);
* `documents_reviewed`: `documents` with the machine values overlaid by the newest corrections,
  `record_json` patched the same way, `corrected_fields` (comma-separated names), `review_status`,
  `reviewed_by`, `reviewed_at`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timezone
from typing import Any

from sohoa.pipeline.review.text import apply_token_fixes, place_tokens, text_offset

STATUSES = ("to_review", "reviewed")
SECTION_START = "-- BEGIN v3"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


VIEWS = ("documents_reviewed", "review_status", "corrections_latest")


def drop_views(conn: sqlite3.Connection) -> None:
    for name in VIEWS:
        conn.execute(f"DROP VIEW IF EXISTS {name}")


def record_file_paths(conn: sqlite3.Connection) -> None:
    """For an archive made before `file_paths` (the v3 migration, which creates the table from
    schema.sql): the absolute path of each file still found (relative paths are tried against the
    archive's directory, then the current one)."""
    db_file = conn.execute("PRAGMA database_list").fetchone()[2] or ""
    archive_dir = os.path.dirname(os.path.abspath(db_file)) if db_file else os.getcwd()
    for file_id, path in conn.execute("SELECT file_id, path FROM files WHERE path IS NOT NULL").fetchall():
        for base in (archive_dir, os.getcwd()):
            candidate = path if os.path.isabs(path) else os.path.join(base, path)
            if os.path.exists(candidate):
                conn.execute("INSERT OR REPLACE INTO file_paths(file_id, abs_path, run_dir) VALUES (?,?,?)",
                             (file_id, os.path.abspath(candidate), base))
                break


def remember_path(conn: sqlite3.Connection, file_id: int, path: str) -> None:
    """Called by the archive writer: the file's absolute path and the directory the run ran in."""
    conn.execute("INSERT OR REPLACE INTO file_paths(file_id, abs_path, run_dir) VALUES (?,?,?)",
                 (file_id, os.path.abspath(path), os.getcwd()))


def insert_correction(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    """Append one correction (the caller has checked it) and refresh the document's search row."""
    row = {**row, "created_at": row.get("created_at") or now_iso()}
    cols = ", ".join(row)
    cur = conn.execute(f"INSERT INTO corrections ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    if row.get("target") == "token":
        for (doc_id,) in conn.execute("SELECT d.doc_id FROM documents d JOIN files f USING (file_id)"
                                      " WHERE f.sha256 = ?", (row["file_sha256"],)).fetchall():
            refresh_fts(conn, doc_id)
    elif row.get("doc_id") is not None:
        refresh_fts(conn, row["doc_id"])
    return int(cur.lastrowid)


def set_status(conn: sqlite3.Connection, doc_id: int, status: str, reviewer: str | None) -> None:
    if status not in STATUSES:
        raise ValueError(f"review status must be one of {', '.join(STATUSES)}, not {status!r}")
    row = conn.execute("SELECT f.sha256, d.seq FROM documents d JOIN files f USING (file_id) WHERE d.doc_id = ?",
                       (doc_id,)).fetchone()
    if row is None:
        raise KeyError(doc_id)
    conn.execute("INSERT INTO reviews(doc_id, file_sha256, seq, status, reviewer, created_at) VALUES (?,?,?,?,?,?)",
                 (doc_id, row[0], row[1], status, reviewer, now_iso()))


def status_of(conn: sqlite3.Connection, doc_id: int) -> dict[str, Any]:
    row = conn.execute("SELECT review_status, reviewed_by, reviewed_at FROM documents_reviewed WHERE doc_id = ?",
                       (doc_id,)).fetchone()
    if row is None:
        return {"status": "to_review", "reviewer": None, "at": None}
    return {"status": row[0], "reviewer": row[1], "at": row[2]}


def reviewed_text(conn: sqlite3.Connection, doc_id: int) -> str | None:
    """The document's text with its corrected tokens, then its corrected field values (one a line),
    so that search finds what the reviewer wrote."""
    doc = conn.execute("SELECT d.file_id, d.page_from, d.text, f.sha256 FROM documents d JOIN files f"
                       " USING (file_id) WHERE d.doc_id = ?", (doc_id,)).fetchone()
    if doc is None:
        return None
    file_id, page_from, text, sha = doc
    text = text or ""
    fixes = {(p, ln, i): v for p, ln, i, v in conn.execute(
        "SELECT page, line, idx, new_value FROM corrections_latest WHERE target = 'token' AND file_sha256 = ?",
        (sha,)) if v}
    if fixes:
        pages = [(p, t or "") for p, t in conn.execute("SELECT page, text FROM pages WHERE file_id = ? ORDER BY page",
                                                       (file_id,))]
        toks = [dict(zip(("page", "line", "idx", "text"), r, strict=True)) for r in conn.execute(
            "SELECT page, line, idx, text FROM tokens WHERE file_id = ? ORDER BY page, line, idx", (file_id,))]
        text = apply_token_fixes(text, place_tokens(text, text_offset(pages, page_from, text), pages, toks), fixes)
    values = []
    for _field, value in conn.execute("SELECT field, new_value FROM corrections_latest WHERE target = 'field'"
                                      " AND doc_id = ? ORDER BY field", (doc_id,)):
        if value:
            values.append(_plain(value))
    return text + ("\n\n" + "\n".join(values) if values else "")


def _plain(value: str) -> str:
    """A list field's JSON as its words (for search), other values as they are."""
    try:
        parsed = json.loads(value)
    except (json.JSONDecodeError, ValueError):
        return value
    if isinstance(parsed, (list, dict)):
        out: list[str] = []

        def walk(v: Any) -> None:
            if isinstance(v, dict):
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)
            elif v is not None:
                out.append(str(v))

        walk(parsed)
        return " ".join(out)
    return value


def refresh_fts(conn: sqlite3.Connection, doc_id: int) -> None:
    """The document's search text becomes its reviewed text (a trigger re-indexes it); the machine's
    `documents.text` is left as it is."""
    text = reviewed_text(conn, doc_id)
    if text is not None:
        conn.execute("UPDATE documents SET search_text = ? WHERE doc_id = ?", (text, doc_id))


def reapply(conn: sqlite3.Connection, file_id: int) -> None:
    """After the writer re-stored a file: search rows of its documents show their corrections again."""
    rows = conn.execute("SELECT DISTINCT d.doc_id FROM documents d JOIN files f USING (file_id)"
                        " JOIN corrections c ON c.doc_id = d.doc_id OR (c.target = 'token' AND c.file_sha256 = f.sha256)"
                        " WHERE d.file_id = ?", (file_id,)).fetchall()
    for (doc_id,) in rows:
        refresh_fts(conn, doc_id)
