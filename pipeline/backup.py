"""`sohoa backup OUT`: a consistent single-file copy of the archive, by SQLite's online backup API.

Copying `archive.sqlite` alone can miss what the `-wal` file still holds; the backup API copies
the database as one snapshot (a run may go on writing meanwhile) into OUT.tmp, which is then
switched to the rollback journal (no `-wal` beside the copy), checked and renamed to OUT, so a
failed or interrupted backup never leaves a half-written OUT.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sohoa.errors import DatabaseError


def backup_archive(source: sqlite3.Connection, source_path: str, out: str | Path, *, force: bool = False) -> Path:
    """Copy the archive open on `source` to `out`; returns the path written."""
    dest = Path(out)
    if dest.resolve() == Path(source_path).resolve():
        raise DatabaseError("the backup would overwrite the archive itself", path=str(dest),
                            remedy="give another file name")
    if dest.exists() and not force:
        raise DatabaseError("the backup file exists", path=str(dest), remedy="give a new file name, or --force to replace it")
    if dest.is_dir():
        raise DatabaseError("is a folder", path=str(dest), remedy="give a file name for the backup")
    tmp = dest.with_name(dest.name + ".tmp")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        copy = sqlite3.connect(tmp, isolation_level=None)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            rows = [r[0] for r in copy.execute("PRAGMA quick_check(5)").fetchall()]
            if rows != ["ok"]:
                raise DatabaseError(f"the copy failed its check ({'; '.join(rows)[:200]})", path=str(dest),
                                    remedy="check the archive with `sqlite3 ARCHIVE 'PRAGMA integrity_check'`")
        finally:
            copy.close()
        os.replace(tmp, dest)
    except sqlite3.Error as e:
        tmp.unlink(missing_ok=True)
        raise DatabaseError(f"the backup failed: {e}", path=str(dest)) from e
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise DatabaseError(f"cannot write the backup ({e.strerror or e})", path=str(dest)) from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def checkpoint(conn: sqlite3.Connection) -> None:
    """Move the `-wal` file's pages into the archive and truncate it (at the end of a run), so that
    the archive file alone is complete while no run is writing. Nothing to do on PostgreSQL."""
    if getattr(conn, "dialect", "sqlite") != "sqlite":
        return
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error:
        pass  # a reader holding a snapshot blocks the truncation; the next run's end retries
