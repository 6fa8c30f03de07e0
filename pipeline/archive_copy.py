"""`sohoa backup` across back ends: an archive copied row by row into a new SQLite file or an empty
PostgreSQL database (SQLite to SQLite keeps the online backup API of pipeline.backup).

Every table is copied in an order that keeps foreign keys satisfied, ids included (corrections stay
linked to their documents, reviews to their files), the columns both sides have (not the ones
PostgreSQL generates: the search vector is computed again, and the SQLite FTS index is filled by its
triggers). The copy is one transaction on PostgreSQL and a `.tmp` file renamed at the end on
SQLite, so an interrupted copy leaves nothing half-written. PostgreSQL's id sequences are moved past
the copied ids, so new rows go on from there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sohoa.errors import DatabaseError
from sohoa.pipeline.db_pg import is_pg_url, redact
from sohoa.pipeline.export_schema import declared_columns

COPY_ORDER = ("meta", "files", "file_paths", "pages", "tokens", "documents", "signers", "recipients", "refs",
              "tasks", "task_partners", "deadlines", "corrections", "reviews", "runs", "run_files")
KEEP_META = {"schema_version", "application"}  # the target's own rows


def _rows(conn: Any, sql: str) -> Any:
    return conn.stream(sql) if hasattr(conn, "stream") else conn.execute(sql)


def copy_rows(src: Any, dest: Any) -> dict[str, int]:
    """Copy every table of the archive `src` into the empty archive `dest` (inside dest's
    transaction); returns rows copied per table."""
    counts = {}
    for table in COPY_ORDER:
        theirs = {n for n, _ in declared_columns(dest.conn, table)}
        cols = [n for n, _ in declared_columns(src.conn, table) if n in theirs]
        if not cols:
            continue
        names = ", ".join(f'"{c}"' for c in cols)
        sql = f'SELECT {names} FROM "{table}"'
        if table == "meta":
            sql += " WHERE key NOT IN ('schema_version', 'application')"
        rows = [0]

        def counted(it: Any, box: list[int] = rows) -> Any:
            for r in it:
                box[0] += 1
                yield tuple(r)

        dest.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})',
                              counted(_rows(src.conn, sql)))
        counts[table] = rows[0]
    return counts


def _is_empty(a: Any) -> bool:
    return not any(a.conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in ("files", "runs", "corrections"))


def _to_pg(src: Any, url: str, force: bool) -> str:
    from sohoa.pipeline.archive import Archive
    from sohoa.pipeline.schema_pg import id_columns

    if getattr(src, "url", None) == url:
        raise DatabaseError("the copy would overwrite the archive itself", path=redact(url),
                            remedy="give another database")
    with Archive(url, create=True) as dest:
        if not _is_empty(dest) and not force:
            raise DatabaseError("the target archive is not empty", path=dest.path,
                                remedy="give an empty database, or --force to replace its content")
        with dest._write():
            if force:
                dest.conn.execute("TRUNCATE " + ", ".join(t for t in COPY_ORDER if t != "meta") + " CASCADE")
            copy_rows(src, dest)
            for table, col in id_columns().items():
                dest.conn.execute(f"SELECT setval('{table}_{col}_seq', coalesce((SELECT max({col}) FROM {table}),"
                                  f" 0) + 1, false)")
        return dest.path


def _to_sqlite(src: Any, out: str, force: bool) -> Path:
    from sohoa.pipeline.archive import Archive

    dest_path = Path(out)
    if dest_path.exists() and not force:
        raise DatabaseError("the backup file exists", path=out, remedy="give a new file name, or --force to replace it")
    if dest_path.is_dir():
        raise DatabaseError("is a folder", path=out, remedy="give a file name for the backup")
    tmp = dest_path.with_name(dest_path.name + ".tmp")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    try:
        dest_path.parent.mkdir(parents=True, exist_ok=True)
        with Archive(tmp, create=True) as dest:
            with dest._write():
                copy_rows(src, dest)
            dest.conn.execute("PRAGMA journal_mode = DELETE")
        os.replace(tmp, dest_path)
    except BaseException:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        raise
    return dest_path


def copy_archive(src: Any, out: str, *, force: bool = False) -> Any:
    """Copy the open archive `src` to `out` (a file name or a postgresql:// URL); returns where."""
    if is_pg_url(out):
        return _to_pg(src, out, force)
    return _to_sqlite(src, out, force)
