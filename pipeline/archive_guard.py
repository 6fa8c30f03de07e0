"""How the archive defends itself: which files may be opened as an archive, and how.

- A sohoa archive is marked: `PRAGMA application_id` = APPLICATION_ID ("soha") and
  `PRAGMA user_version` = its schema version. Archives written before the mark (no application
  id, and sohoa's tables: LEGACY_TABLES) are recognised and marked when next opened to write.
- Only a missing file (with `create=True`), an empty file or database, or a sohoa archive is
  accepted; anything else (a SQLite database of another program, a text file, a PDF) is refused
  before anything is written to it.
- Before writing into an existing archive, `PRAGMA quick_check` must say ok.
- Read-only access (`sohoa query`, `search`, `export`): a `mode=ro` connection with
  `PRAGMA query_only`, and an authorizer that refuses ATTACH (which `VACUUM INTO` also needs),
  DETACH and setting any PRAGMA, so a query can neither change the archive nor write another
  file. When the archive or its folder cannot be written (a read-only share), it is opened
  `immutable=1` so that SQLite does not need to create its `-shm` file.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sohoa.errors import DatabaseError

APPLICATION_ID = 0x736F6861  # b"soha"
SQLITE_MAGIC = b"SQLite format 3\x00"

NOT_FOUND_REMEDY = "give the --db path that `sohoa run` wrote (only `sohoa run` creates an archive)"
FOREIGN_REMEDY = "give a new file name, or the path of an archive that `sohoa run` wrote; the file was not changed"
DAMAGED_REMEDY = ("restore the archive from a backup, or salvage it with `sqlite3 OLD .recover | sqlite3 NEW`"
                  " and run again; nothing was written")

LEGACY_TABLES = {"meta", "files", "pages", "documents", "runs", "run_files"}  # a sohoa archive before the mark
# Pragmas whose argument names what to describe; they read the schema and change nothing.
_INTROSPECTION = {"table_info", "table_xinfo", "index_info", "index_xinfo", "index_list", "foreign_key_list"}
_DENIED = {sqlite3.SQLITE_ATTACH: "ATTACH", sqlite3.SQLITE_DETACH: "DETACH"}


def check_file(path: str, *, create: bool) -> bool:
    """Before connecting: True when the file exists and holds data. Raises DatabaseError for a
    missing file without `create`, a folder, or a non-empty file that is not SQLite."""
    p = Path(path)
    if not p.exists():
        if not create:
            raise DatabaseError("archive not found", path=path, remedy=NOT_FOUND_REMEDY)
        return False
    if not p.is_file():
        raise DatabaseError("is not a file", path=path, remedy=FOREIGN_REMEDY)
    try:
        with open(p, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise DatabaseError(f"cannot read the archive ({e.strerror or e})", path=path) from e
    if not head:
        return False
    if head != SQLITE_MAGIC:
        raise DatabaseError("is not a sohoa archive (not a SQLite database)", path=path, remedy=FOREIGN_REMEDY)
    return True


def classify(conn: sqlite3.Connection) -> str:
    """`empty`, `sohoa` (marked), `legacy` (a sohoa archive made before the mark) or `foreign`."""
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    if app == APPLICATION_ID:
        return "sohoa"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if app == 0 and not tables:
        return "empty"
    if app == 0 and LEGACY_TABLES <= tables:
        return "legacy"
    return "foreign"


def refuse_foreign(conn: sqlite3.Connection, path: str) -> str:
    kind = classify(conn)
    if kind == "foreign":
        raise DatabaseError("is a SQLite database of another program, not a sohoa archive", path=path,
                            remedy=FOREIGN_REMEDY)
    return kind


def quick_check(conn: sqlite3.Connection, path: str) -> None:
    rows = [" ".join(str(r[0]).split()) for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    if rows != ["ok"]:
        raise DatabaseError(f"the archive is damaged (quick_check: {'; '.join(rows)[:300]})", path=path,
                            remedy=DAMAGED_REMEDY)


def mark(conn: sqlite3.Connection, version: int) -> None:
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {int(version)}")


def _authorize(action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None) -> int:
    if action in _DENIED:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and (arg1 or "").lower() not in _INTROSPECTION:
        return sqlite3.SQLITE_DENY  # setting a pragma (query_only = OFF …)
    return sqlite3.SQLITE_OK


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def connect_readonly(path: str, timeout: float) -> sqlite3.Connection:
    """A read-only connection that cannot write the archive nor any other file."""
    p = Path(path).resolve()
    base = f"file:{quote(str(p))}?mode=ro"
    conn = None
    try:
        conn = sqlite3.connect(base, uri=True, timeout=timeout, isolation_level=None)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        if conn is not None:
            conn.close()
        if _writable(p):
            raise
        # A WAL archive on a read-only disk: SQLite cannot create the -shm file; read it as immutable.
        conn = sqlite3.connect(base + "&immutable=1", uri=True, timeout=timeout, isolation_level=None)
    conn.execute("PRAGMA query_only = ON")
    conn.set_authorizer(_authorize)
    return conn


def is_denied(err: BaseException) -> bool:
    """The authorizer refused the statement (sqlite3's or pandas' wrapping of it)."""
    return ("not authorized" in str(err) or "authorization denied" in str(err))
