"""Schema migrations of the archive: MIGRATIONS[v] upgrades version v to v + 1 inside one
transaction (foreign keys off meanwhile; pipeline.archive checks them before committing)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from importlib import resources

from sohoa.pipeline import review_store
from sohoa.pipeline.archive_rows import backfill_canonical

SCHEMA_VERSION = 3


def schema_sql() -> str:
    return resources.files("sohoa.pipeline").joinpath("schema.sql").read_text(encoding="utf-8")


def schema_statements() -> Iterator[str]:
    """schema.sql one statement at a time (a trigger's body holds `;` too)."""
    buf = ""
    for line in schema_sql().splitlines(keepends=True):
        if not buf and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            yield buf.strip()
            buf = ""


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """files.status may be `skipped` (not_a_document): SQLite cannot change a CHECK constraint, so
    the table is rebuilt (foreign keys are off during migrations; file_ids are kept)."""
    review_store.drop_views(conn)  # views over `files` would block its rebuild; v3 makes them again
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'files'").fetchone()[0]
    new = re.sub(r"CHECK\s*\(\s*status\s+IN\s*\(\s*'ok'\s*,\s*'failed'\s*\)\s*\)",
                 "CHECK (status IN ('ok', 'failed', 'skipped'))", sql)
    if "'skipped'" not in new:
        raise sqlite3.DatabaseError("the files table's status CHECK is not sohoa's version 1")
    new = re.sub(r"^CREATE TABLE\s+(IF NOT EXISTS\s+)?\"?files\"?", "CREATE TABLE files_v2", new)
    conn.execute(new)
    conn.execute("INSERT INTO files_v2 SELECT * FROM files")
    conn.execute("DROP TABLE files")
    conn.execute("ALTER TABLE files_v2 RENAME TO files")
    conn.execute("CREATE INDEX IF NOT EXISTS files_path ON files(path)")


_V3_COLUMNS = {"documents": ("issuer_canonical", "issuer_id", "search_text"), "recipients": ("recipient_canonical", "recipient_id"),
               "tasks": ("assignee_canonical", "assignee_id")}


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    """Canonical agency names and ids beside the written ones (filled in for the stored rows), the
    task_partners table, the FTS index as external content of `documents` (datasette's search), and
    the review workflow's tables and views (pipeline.review_store)."""
    for table, columns in _V3_COLUMNS.items():
        have = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
        for col in columns:
            if col not in have:
                conn.execute(f'ALTER TABLE "{table}" ADD COLUMN {col} TEXT')
    conn.execute("DROP TABLE IF EXISTS documents_fts")
    for statement in schema_statements():  # every statement is CREATE … IF NOT EXISTS
        conn.execute(statement)
    backfill_canonical(conn)
    conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
    review_store.record_file_paths(conn)
    for (doc_id,) in conn.execute("SELECT DISTINCT doc_id FROM corrections WHERE doc_id IS NOT NULL").fetchall():
        review_store.refresh_fts(conn, doc_id)  # search sees what reviewers corrected


# Add one per schema change and bump SCHEMA_VERSION; schema.sql always holds the newest schema.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3}
