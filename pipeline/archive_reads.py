"""The analyst's side of an archive: its tables as pandas DataFrames, SQL, search and export.
Mixed into `pipeline.archive.Archive` (and so into the PostgreSQL one), which holds `conn`,
`path` and `readonly`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sohoa.errors import DatabaseError
from sohoa.pipeline import archive_guard as guard
from sohoa.pipeline.export import export_tables
from sohoa.pipeline.search import Filters, search_documents


class ArchiveReads:
    conn: Any
    path: Any
    readonly: bool

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> pd.DataFrame:
        try:
            return pd.read_sql_query(sql, self.conn, params=params)
        except (sqlite3.Error, pd.errors.DatabaseError) as e:
            cause = e.__cause__ if isinstance(e.__cause__, sqlite3.Error) else e
            if self.readonly and (guard.is_denied(e) or guard.is_denied(cause) or "readonly" in str(e)):
                raise DatabaseError(f"the query was refused: the archive is read-only here ({cause})",
                                    path=self.path, remedy="`sohoa query` runs SELECT statements only; "
                                    "ATTACH, VACUUM INTO, PRAGMA settings and writes are refused") from e
            raise DatabaseError(f"query failed: {e}", path=self.path,
                                remedy="check the SQL against docs/archive.md") from e

    def files(self) -> pd.DataFrame:
        return self.query("SELECT file_id, path, sha256, size, kind, pages, status, error_kind, error,"
                          " started_at, finished_at, seconds_ocr, seconds_restore, seconds_extract,"
                          " seconds_total FROM files ORDER BY file_id")

    def pages(self) -> pd.DataFrame:
        return self.query("SELECT f.path, p.* FROM pages p JOIN files f USING (file_id)"
                          " ORDER BY p.file_id, p.page")

    def documents(self) -> pd.DataFrame:
        return self.query("SELECT d.doc_id, d.file_id, f.path, f.sha256, d.seq, d.doc_type, d.number, d.symbol,"
                          " d.code, d.issuer, d.place, d.date, d.subject, d.page_from, d.page_to, d.text,"
                          " d.record_json, d.source_json FROM documents d JOIN files f USING (file_id)"
                          " ORDER BY d.doc_id")

    def _child(self, table: str, columns: str) -> pd.DataFrame:
        return self.query(f"SELECT t.doc_id, d.code AS doc_code, t.seq, {columns} FROM {table} t"
                          " JOIN documents d USING (doc_id) ORDER BY t.doc_id, t.seq")

    def signers(self) -> pd.DataFrame:
        return self._child("signers", "t.authority, t.position, t.name")

    def recipients(self) -> pd.DataFrame:
        return self._child("recipients", "t.recipient, t.recipient_canonical, t.recipient_id")

    def refs(self) -> pd.DataFrame:
        return self._child("refs", "t.doc_type, t.code, t.date, t.issuer")

    def tasks(self) -> pd.DataFrame:
        df = self._child("tasks", "t.assignee, t.assignee_canonical, t.assignee_id, t.role, t.partners_json,"
                                  " t.action, t.deadline")
        df["partners"] = [json.loads(x) if x else [] for x in df["partners_json"]]
        return df

    def task_partners(self) -> pd.DataFrame:
        return self._child("task_partners", "t.task_seq, t.partner, t.partner_canonical, t.partner_id")

    def deadlines(self) -> pd.DataFrame:
        return self._child("deadlines", "t.text, t.date")

    def corrections(self) -> pd.DataFrame:
        return self.query("SELECT * FROM corrections ORDER BY correction_id")

    def runs(self) -> pd.DataFrame:
        return self.query("SELECT * FROM runs ORDER BY run_id")

    def search(self, words: str, limit: int = 20, *, doc_type: str | None = None, issuer: str | None = None,
               year: str | int | None = None, code: str | None = None) -> pd.DataFrame:
        """Documents matching every word (diacritics and case ignored; `"…"` a phrase), the typed
        phrase first, then closest words, then bm25; with snippets and field filters (pipeline.search)."""
        try:
            return search_documents(self.conn, words, limit=limit,
                                    filters=Filters(doc_type=doc_type, issuer=issuer, year=year, code=code))
        except sqlite3.Error as e:
            raise DatabaseError(f"search failed: {e}", path=self.path) from e

    def export(self, outdir: str | Path, fmt: str = "parquet", tables: Iterable[str] | None = None,
               *, excel_csv: bool = False) -> list[Path]:
        """Write each table to OUTDIR/<table>.<parquet|csv|jsonl>, or all to OUTDIR/archive.xlsx, in
        one typed schema (pipeline.export); returns the paths written."""
        known = self.table_names() + self.view_names()
        names = list(tables) if tables else known
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise DatabaseError(f"no such table(s): {', '.join(unknown)}", path=self.path,
                                remedy=f"tables are: {', '.join(known)}")
        return export_tables(self.conn, outdir, fmt, names, excel_csv=excel_csv)

    def view_names(self) -> list[str]:
        """The views exported beside the tables: reviewed values (documents_reviewed …)."""
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type='view' ORDER BY name").fetchall()
        return [r[0] for r in rows]

    def documents_reviewed(self) -> pd.DataFrame:
        """documents with the reviewers' corrections applied, `corrected_fields` and the review state."""
        return self.query("SELECT * FROM documents_reviewed ORDER BY doc_id")

    def table_names(self) -> list[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                                 " AND name NOT LIKE 'documents_fts%' ORDER BY name").fetchall()
        return [r[0] for r in rows]
