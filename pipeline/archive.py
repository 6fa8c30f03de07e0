"""The archive: schema and migrations, the writer of a run, and the analyst API. SQLite by default;
`Archive("postgresql://user@host/dbname")` gives the PostgreSQL archive (pipeline.archive_pg).

    from sohoa.pipeline.archive import Archive
    with Archive("archive.sqlite", readonly=True) as a:
        a.documents()          # pandas DataFrame
        a.search("dang uy")    # FTS5, bm25-ranked, with or without diacritics

Each file is stored in ONE transaction that first deletes the rows the same content hash had,
so an interrupted run (even kill -9) leaves either the old rows or the new ones, never a mix.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sohoa.document import Token, token_words, union_box
from sohoa.errors import DatabaseError
from sohoa.pipeline import archive_guard as guard
from sohoa.pipeline import review_store
from sohoa.pipeline.archive_migrations import MIGRATIONS, SCHEMA_VERSION, schema_sql
from sohoa.pipeline.archive_reads import ArchiveReads
from sohoa.pipeline.archive_rows import insert_document
from sohoa.pipeline.archive_text import document_spans, fts_phrases, fts_terms, make_snippet
from sohoa.pipeline.backup import backup_archive, checkpoint
from sohoa.pipeline.db_pg import is_pg_url
from sohoa.pipeline.locks import Locks
from sohoa.pipeline.report import FileResult, RunReport
from sohoa.record import HEADER_FIELDS, Record

__all__ = ["Archive", "fts_phrases", "fts_terms", "make_snippet", "document_spans"]

RECORD_COLUMNS = HEADER_FIELDS
ANALYST_TABLES = ("files", "pages", "tokens", "documents", "signers", "recipients", "refs", "tasks",
                  "task_partners", "deadlines", "corrections", "runs", "run_files", "meta")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _page_range(source: dict[str, Any]) -> tuple[int | None, int | None]:
    pages = source.get("pages") if isinstance(source, dict) else None
    nums = [p for p in pages if isinstance(p, int)] if isinstance(pages, list) else []
    return (min(nums), max(nums)) if nums else (None, None)


class Archive(ArchiveReads):
    """`Archive(path)` opens an existing archive to write (`create=True` also makes a new one: only
    `sohoa run` does); `readonly=True` opens it for queries (pipeline.archive_guard). A file that is
    not an empty file or a sohoa archive is refused untouched (DatabaseError, exit 5). A
    `postgresql://` URL opens a PgArchive, the same API on PostgreSQL."""

    dialect = "sqlite"

    def __new__(cls, path: str | Path, *args: Any, **kwargs: Any) -> Archive:
        if cls is Archive and is_pg_url(path):
            from sohoa.pipeline.archive_pg import PgArchive

            return super().__new__(PgArchive)
        return super().__new__(cls)

    def __init__(self, path: str | Path, *, readonly: bool = False, create: bool = False, timeout: float = 30.0):
        self.path = str(path)
        self.readonly = readonly
        self._created = not readonly and not Path(self.path).exists()
        try:
            has_data = guard.check_file(self.path, create=create and not readonly)
            if readonly:
                self.conn = guard.connect_readonly(self.path, timeout)
                guard.refuse_foreign(self.conn, self.path)
                self._check_version()
                return
            if not has_data:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if guard.refuse_foreign(self.conn, self.path) != "empty":
                guard.quick_check(self.conn, self.path)
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
            self.conn.execute("PRAGMA foreign_keys = ON")
        except DatabaseError:
            self._close_quietly()
            raise
        except sqlite3.Error as e:
            self._close_quietly()
            raise DatabaseError(f"cannot open the archive: {e}", path=self.path) from e
        except OSError as e:
            self._close_quietly()
            raise DatabaseError(f"cannot create the archive: {e}", path=self.path) from e
        except BaseException:
            self._close_quietly()
            raise

    def _close_quietly(self) -> None:
        """Close after a failed open; a file this call created is removed (no empty archive is left)."""
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
        if self._created:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(self.path + suffix).unlink(missing_ok=True)

    # -- connection and schema ------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        has_meta = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if not has_meta:
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _check_version(self) -> None:
        v = self.schema_version()
        if v > SCHEMA_VERSION:
            raise DatabaseError(f"archive schema version {v} is newer than this sohoa ({SCHEMA_VERSION})",
                                path=self.path, remedy="upgrade sohoa to read this archive")

    def _migrate(self) -> None:
        """Create or upgrade the schema (foreign keys off meanwhile: a migration may rebuild a table)."""
        self._check_version()
        self.conn.execute("PRAGMA foreign_keys = OFF")
        is_empty = not self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='files'").fetchone()
        if is_empty:
            self.conn.executescript(
                "BEGIN IMMEDIATE;" + schema_sql()
                + f"INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');"
                + f"PRAGMA application_id = {guard.APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};COMMIT;")
            return
        v = max(self.schema_version(), 1)  # a v1 archive made from schema.sql without its meta row
        while v < SCHEMA_VERSION:
            with self._write():
                MIGRATIONS[v](self.conn)
                if self.conn.execute("PRAGMA foreign_key_check").fetchone():  # rolled back: nothing changes
                    raise DatabaseError(f"migrating the archive to version {v + 1} would break its links"
                                        " (foreign key check failed)", path=self.path, remedy=guard.DAMAGED_REMEDY)
                self._set_version(v + 1)
            v += 1
        if self.schema_version() != v or guard.classify(self.conn) != "sohoa":
            with self._write():
                self._set_version(v)

    def _set_version(self, v: int) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(v),))
        guard.mark(self.conn, v)

    # -- the writer -----------------------------------------------------------------------

    def is_done(self, sha256: str, *, skipped: bool = False) -> bool:
        """Content already stored ok (or, with `skipped`, already judged not a document)."""
        row = self.conn.execute("SELECT status FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        return bool(row) and (row[0] == "ok" or (skipped and row[0] == "skipped"))

    def start_run(self, args: Sequence[str] | str | None = None, *,
                  is_live: Callable[[int], bool] | None = None, on_start: Callable[[int], None] | None = None) -> int:
        """A new `running` run. With `is_live`, earlier `running` runs it says are gone (their process
        was killed) are marked `interrupted` first; `on_start(run_id)` runs before the commit (it
        takes the run's lock, so no other run sees the row without it)."""
        text = args if isinstance(args, str) or args is None else json.dumps(list(args), ensure_ascii=False, default=str)
        with self._write():
            if is_live is not None:
                stale = [r for (r,) in self.conn.execute("SELECT run_id FROM runs WHERE status = 'running'")
                         if not is_live(r)]
                self.conn.executemany("UPDATE runs SET status = 'interrupted' WHERE run_id = ?", [(r,) for r in stale])
            cur = self.conn.execute("INSERT INTO runs(started_at, args, status) VALUES (?, ?, 'running')",
                                    (now_iso(), text))
            if on_start is not None:
                on_start(int(cur.lastrowid))
        return int(cur.lastrowid)

    def finish_run(self, report: RunReport, status: str = "done") -> None:
        with self._write():
            self.conn.execute(
                "UPDATE runs SET finished_at=?, files_ok=?, files_failed=?, files_skipped=?, pages=?,"
                " documents=?, seconds=?, status=? WHERE run_id=?",
                (report.finished_at or now_iso(), report.files_ok, report.files_failed, report.files_skipped,
                 report.pages, report.documents, report.seconds, status, report.run_id))
        checkpoint(self.conn)

    def backup(self, out: str | Path, *, force: bool = False) -> Any:
        """A consistent single-file copy at `out` (pipeline.backup); into PostgreSQL for a URL (archive_copy)."""
        if is_pg_url(out):
            from sohoa.pipeline.archive_copy import copy_archive

            return copy_archive(self, str(out), force=force)
        return backup_archive(self.conn, self.path, out, force=force)

    def locks(self) -> Locks:  # the claims of the writers sharing this archive (pipeline.locks)
        return Locks(self.path)

    def record_skip(self, run_id: int | None, result: FileResult) -> None:
        with self._write():
            self._insert_run_file(run_id, result)

    def store_file(self, result: FileResult, state: Any = None, run_id: int | None = None,
                   low_conf_threshold: float | None = None) -> None:
        """Write one file's outcome in one transaction. `state` is a components.DocState for ok files;
        a page is marked low_confidence when its flags say so or its mean confidence is under the threshold.

        A failure never replaces stored good rows of the same content (it is only logged in run_files)."""
        with self._write():
            if result.status == "ok":
                self._store_ok(result, state, low_conf_threshold)
            elif result.status == "failed":
                self._store_failed(result)
            elif result.status == "skipped" and result.error_kind == "not_a_document":
                self._store_skipped(result, state)
            self._insert_run_file(run_id, result)

    def _write(self) -> _Transaction:
        if self.readonly:
            raise DatabaseError("the archive was opened read-only", path=self.path)
        return _Transaction(self)

    def _insert_run_file(self, run_id: int | None, r: FileResult) -> None:
        if run_id is None:
            return
        self.conn.execute(
            "INSERT INTO run_files(run_id, path, sha256, status, error_kind, error, seconds, pages, documents)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (run_id, r.path, r.sha256, r.status, r.error_kind, r.error, r.seconds, r.pages, r.documents))

    def _store_failed(self, r: FileResult) -> None:
        c = self.conn
        if r.sha256 is None:
            c.execute("DELETE FROM files WHERE path = ? AND sha256 IS NULL", (r.path,))
        elif self.is_done(r.sha256):
            return
        c.execute(
            "INSERT INTO files(path, sha256, size, kind, pages, status, error_kind, error, started_at,"
            " finished_at, seconds_total) VALUES (?,?,?,?,?,'failed',?,?,?,?,?)"
            " ON CONFLICT(sha256) DO UPDATE SET path=excluded.path, size=excluded.size, kind=excluded.kind,"
            " pages=excluded.pages, status='failed', error_kind=excluded.error_kind, error=excluded.error,"
            " started_at=excluded.started_at, finished_at=excluded.finished_at,"
            " seconds_total=excluded.seconds_total",
            (r.path, r.sha256, r.size, r.kind, r.pages or None, r.error_kind, r.error, r.started_at,
             r.finished_at, r.seconds))

    def _store_skipped(self, r: FileResult, state: Any) -> None:
        """A file that is not a document: one `files` row (status skipped, the gate's signals in
        reports_json), no pages, tokens or documents — rows an earlier run stored for it go."""
        c = self.conn
        c.execute("DELETE FROM files WHERE path = ? AND status = 'failed' AND (sha256 IS NULL OR sha256 != ?)",
                  (r.path, r.sha256))
        old = c.execute("SELECT file_id FROM files WHERE sha256 = ?", (r.sha256,)).fetchone()
        if old:
            for table in ("documents", "pages", "tokens"):
                c.execute(f"DELETE FROM {table} WHERE file_id = ?", old)
        reports = json.dumps(getattr(state, "reports", None) or {}, ensure_ascii=False, default=str)
        c.execute(
            "INSERT INTO files(path, sha256, size, kind, pages, status, error_kind, error, started_at,"
            " finished_at, seconds_total, document_json, reports_json) VALUES (?,?,?,?,?,'skipped',?,?,?,?,?,NULL,?)"
            " ON CONFLICT(sha256) DO UPDATE SET path=excluded.path, size=excluded.size, kind=excluded.kind,"
            " pages=excluded.pages, status='skipped', error_kind=excluded.error_kind, error=excluded.error,"
            " started_at=excluded.started_at, finished_at=excluded.finished_at,"
            " seconds_total=excluded.seconds_total, document_json=NULL, reports_json=excluded.reports_json",
            (r.path, r.sha256, r.size, r.kind, r.pages or None, r.error_kind, r.error, r.started_at,
             r.finished_at, r.seconds, reports))

    def _store_ok(self, r: FileResult, state: Any, low_conf_threshold: float | None) -> None:
        c = self.conn
        doc = state.doc
        t = state.timings
        # A failure recorded earlier for this path (unreadable, or older content) is superseded.
        c.execute("DELETE FROM files WHERE path = ? AND status = 'failed' AND (sha256 IS NULL OR sha256 != ?)",
                  (r.path, r.sha256))
        c.execute(
            "INSERT INTO files(path, sha256, size, kind, pages, status, error_kind, error, started_at,"
            " finished_at, seconds_ocr, seconds_restore, seconds_extract, seconds_total, document_json,"
            " reports_json) VALUES (?,?,?,?,?,'ok',NULL,NULL,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(sha256) DO UPDATE SET path=excluded.path, size=excluded.size, kind=excluded.kind,"
            " pages=excluded.pages, status='ok', error_kind=NULL, error=NULL, started_at=excluded.started_at,"
            " finished_at=excluded.finished_at, seconds_ocr=excluded.seconds_ocr,"
            " seconds_restore=excluded.seconds_restore, seconds_extract=excluded.seconds_extract,"
            " seconds_total=excluded.seconds_total, document_json=excluded.document_json,"
            " reports_json=excluded.reports_json",
            (r.path, r.sha256, r.size, r.kind, len(doc.pages), r.started_at, r.finished_at,
             t.get("ocr"), t.get("restore"), t.get("extract"), r.seconds,
             json.dumps(doc.export(), ensure_ascii=False, default=str), json.dumps(state.reports, ensure_ascii=False, default=str)))
        file_id = c.execute("SELECT file_id FROM files WHERE sha256 = ?", (r.sha256,)).fetchone()[0]
        # Re-processing keeps each document's doc_id (by its position in the file), so reviewer
        # corrections stay linked to it; the delete below sets them NULL, they are re-linked after.
        old_ids = dict(c.execute("SELECT seq, doc_id FROM documents WHERE file_id = ?", (file_id,)).fetchall())
        linked = c.execute("SELECT correction_id, doc_id FROM corrections WHERE doc_id IN"
                           " (SELECT doc_id FROM documents WHERE file_id = ?)", (file_id,)).fetchall()
        for table in ("documents", "pages", "tokens"):  # documents cascade to signers, refs, tasks …
            c.execute(f"DELETE FROM {table} WHERE file_id = ?", (file_id,))
        self._insert_pages(file_id, doc, low_conf_threshold)
        full_text = doc.text(restored=True)
        spans = document_spans(state.records, len(full_text))
        for seq, record in enumerate(state.records):
            span = spans[seq]
            self._insert_document(file_id, seq, record, doc, full_text[span[0]:span[1]] if span else None,
                                  doc_id=old_ids.get(seq))
        kept = set(old_ids.values()) & {old_ids.get(seq) for seq in range(len(state.records))}
        c.executemany("UPDATE corrections SET doc_id = ? WHERE correction_id = ?",
                      [(doc_id, cid) for cid, doc_id in linked if doc_id in kept])
        review_store.remember_path(c, file_id, r.path)
        review_store.reapply(c, file_id)  # search rows carry the reviewed values again

    def _insert_pages(self, file_id: int, doc: Any, threshold: float | None) -> None:
        page_rows = []
        for page in doc.pages:
            low = "low_confidence" in page.flags or (
                threshold is not None and page.mean_conf is not None and page.mean_conf < threshold)
            page_rows.append((file_id, page.number, page.source, page.text(restored=False),
                              page.text(restored=True), page.mean_conf, int(low), page.width, page.height,
                              page.dpi, json.dumps(page.flags)))
        self.conn.executemany("INSERT INTO pages(file_id, page, source, raw_text, text, mean_conf,"
                              " low_confidence, width, height, dpi, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                              page_rows)
        # a generator, not a list: a long text has millions of tokens
        self.conn.executemany("INSERT INTO tokens(file_id, page, line, idx, text, source, conf, changed,"
                              " x0, y0, x1, y1) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", _token_rows(file_id, doc))

    def _insert_document(self, file_id: int, seq: int, record: Record, doc: Any,
                         text: str | None, doc_id: int | None = None) -> None:
        source = record.source.to_dict() if record.source is not None else {}
        page_from, page_to = _page_range(source)
        if text is None and page_from is not None:
            text = "\f".join(p.text(restored=True) for p in doc.pages if page_from <= p.number <= page_to)
        elif text is None:
            text = doc.text(restored=True)
        insert_document(self.conn, file_id, seq, record, text, source, (page_from, page_to), doc_id)


def _token_rows(file_id: int, doc: Any) -> Iterator[tuple[Any, ...]]:
    for page in doc.pages:
        for li, line in enumerate(page.lines):
            # Without restoration the OCR words are the tokens (unchanged, restorer confidence unknown).
            toks = line.tokens or [Token(w.text, w.text, None, False) for w in line.words]  # type: ignore[arg-type]
            aligned = len(toks) == len(line.words)
            # restored tokens know their OCR words (a merge or split may have changed the count): a
            # token's box is that of the words it came from
            sources = token_words(line) if toks and toks[0].sources else None
            for ti, tok in enumerate(toks):
                if sources is not None:
                    box = union_box([w.box for w in sources[ti] if w.box]) or line.box
                else:
                    box = line.words[ti].box if aligned and line.words[ti].box else line.box
                x0, y0, x1, y1 = box if box else (None, None, None, None)
                yield (file_id, page.number, li, ti, tok.text, tok.source, tok.conf, int(tok.changed), x0, y0, x1, y1)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error; sqlite errors become DatabaseError."""

    def __init__(self, archive: Archive):
        self.archive = archive

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.archive.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot write to the archive: {e}", path=self.archive.path) from e
        return self.archive.conn

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        conn = self.archive.conn
        if exc_type is None:
            try:
                conn.execute("COMMIT")
                return
            except sqlite3.Error as e:
                self._rollback()
                raise write_error(e, self.archive.path) from e
        self._rollback()
        if isinstance(exc, sqlite3.Error):
            raise write_error(exc, self.archive.path) from exc

    def _rollback(self) -> None:
        """SQLite has already rolled back after some errors (disk full): ROLLBACK would then fail
        with "no transaction is active" and hide the real cause."""
        conn = self.archive.conn
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass


def write_error(exc: sqlite3.Error, path: str) -> DatabaseError:
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc):
        return DatabaseError(f"the disk holding the archive is full ({exc}); the files stored before this one "
                             "are kept", path=path, remedy="free some space (or move the archive) and run again: "
                             "the files already stored are skipped")
    return DatabaseError(f"cannot write to the archive: {exc}", path=path)


