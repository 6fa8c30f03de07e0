"""The archive on PostgreSQL: `Archive("postgresql://user@host/dbname")` gives a `PgArchive`.

The writer and the analyst API are pipeline.archive's own code, run through a sqlite3-like
connection (pipeline.db_pg); what differs is here:

- opening: connect (psycopg 3), recognise a sohoa archive (`meta.application = 'sohoa'`), refuse a
  database of another program, create the schema in an empty database (only `sohoa run`, under a
  transaction-level advisory lock so that two runs starting at once create it once), migrate;
- read-only use (`sohoa query`, `search`, `export`, `backup`): the session's transactions are
  read-only (`default_transaction_read_only`), and `query` runs the SQL as one prepared statement
  (a single statement) inside `BEGIN READ ONLY … ROLLBACK`;
- several writers: file claims and run locks are session advisory locks (`PgLocks`), released by
  the server when the writer's connection ends, however it ends; each file is one transaction and
  `files.sha256` is unique, so a second writer skips a file another holds or has stored;
- search (pipeline.search_pg), table and view names, copies between back ends (pipeline.archive_copy).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from sohoa.errors import DatabaseError
from sohoa.pipeline.archive import Archive
from sohoa.pipeline.db_pg import INSTALL_HINT, PgConnection, as_sqlite_error, is_pg_url, redact
from sohoa.pipeline.schema_pg import FIRST_PG_VERSION, MIGRATIONS, SCHEMA_VERSION, schema_statements_pg

CONNECT_REMEDY = ("check the URL (postgresql://USER@HOST/DBNAME), that the server runs and that the role may log"
                  " in; see docs/scale.md")
FOREIGN_REMEDY = "give an empty database, or one that `sohoa run` wrote; nothing was changed"
NOT_FOUND_REMEDY = "only `sohoa run` creates an archive: run it with this --db first"
EXTENSION_REMEDY = ("the `unaccent` extension is needed for search: a superuser runs `CREATE EXTENSION unaccent`"
                    " in this database once (or grants CREATE on it to the archive's owner)")
READ_ONLY_SQLSTATES = {"25006", "42501"}  # read_only_sql_transaction, insufficient_privilege
_SCHEMA_LOCK = 0x736F6861  # "soha": serialises schema creation and migration


def advisory_key(name: str) -> int:
    """A signed 64-bit advisory-lock key for a lock name (sohoa's own key space)."""
    return int.from_bytes(hashlib.sha256(f"sohoa:{name}".encode()).digest()[:8], "big", signed=True)


class PgLocks:
    """pipeline.locks.Locks for a PostgreSQL archive: session advisory locks on the writer's connection."""

    def __init__(self, conn: PgConnection):
        self.conn = conn
        self._held: set[str] = set()

    def acquire(self, name: str) -> bool:
        if name in self._held:
            return True
        got = bool(self.conn.execute("SELECT pg_try_advisory_lock(?)", (advisory_key(name),)).fetchone()[0])
        if got:
            self._held.add(name)
        return got

    def release(self, name: str) -> None:
        if name in self._held:
            self._held.discard(name)
            self.conn.execute("SELECT pg_advisory_unlock(?)", (advisory_key(name),))

    def is_held_elsewhere(self, name: str) -> bool:
        if name in self._held:
            return False
        if self.acquire(name):
            self.release(name)
            return False
        return True

    def release_all(self) -> None:
        for name in list(self._held):
            try:
                self.release(name)
            except sqlite3.Error:
                self._held.discard(name)  # the connection is gone: the server released them


class PgArchive(Archive):
    """A sohoa archive in a PostgreSQL database (see the module's docstring)."""

    dialect = "postgresql"

    def __init__(self, path: str | Path, *, readonly: bool = False, create: bool = False, timeout: float = 30.0):
        self.url = str(path)
        self.path = redact(self.url)
        self.readonly = readonly
        self._created = False
        try:
            self.conn = PgConnection(self.url, readonly=readonly, connect_timeout=timeout)
        except ImportError as e:
            raise DatabaseError("PostgreSQL archives need psycopg 3", path=self.path, remedy=INSTALL_HINT) from e
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot connect to the PostgreSQL archive: {e}", path=self.path,
                                remedy=CONNECT_REMEDY) from e
        try:
            if not readonly:
                self.conn.execute(f"SET lock_timeout = '{int(timeout * 1000)}ms'")
            kind = self._classify()
            if kind == "foreign":
                raise DatabaseError("is a PostgreSQL database of another program (tables, but no sohoa meta)",
                                    path=self.path, remedy=FOREIGN_REMEDY)
            if kind == "empty" and (readonly or not create):
                raise DatabaseError("the database holds no sohoa archive", path=self.path, remedy=NOT_FOUND_REMEDY)
            if readonly:
                self._check_version()
            else:
                self._migrate()
        except DatabaseError:
            self._close_quietly()
            raise
        except sqlite3.Error as e:
            self._close_quietly()
            raise DatabaseError(f"cannot open the archive: {e}", path=self.path) from e
        except BaseException:
            self._close_quietly()
            raise

    def _close_quietly(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()

    # -- schema -----------------------------------------------------------------------------

    def _tables(self, kind: str = "BASE TABLE") -> list[str]:
        rows = self.conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema ="
                                 " current_schema() AND table_type = ? ORDER BY table_name", (kind,)).fetchall()
        return [r[0] for r in rows]

    def _classify(self) -> str:
        tables = set(self._tables())
        if not tables:
            return "empty"
        if "meta" in tables:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()
            if row and row[0] == "sohoa":
                return "sohoa"
        return "foreign"

    def schema_version(self) -> int:
        if not self.conn.execute("SELECT to_regclass('meta')").fetchone()[0]:
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _ddl(self, statement: str) -> None:
        try:
            self.conn.raw.execute(statement)
        except Exception as e:  # noqa: BLE001 — psycopg.Error, as the sqlite3-style error the writer expects
            raise as_sqlite_error(e) from e

    def _migrate(self) -> None:
        """Create the schema in an empty database, or upgrade it; one transaction, one process at a time."""
        with self._write():
            self.conn.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
            kind = self._classify()  # again: another run may have created it meanwhile
            if kind == "empty":
                self._create_schema()
                return
            v = self.schema_version()
            self._check_version()
            if v < FIRST_PG_VERSION:
                raise DatabaseError(f"archive schema version {v} is older than PostgreSQL archives can be",
                                    path=self.path, remedy=NOT_FOUND_REMEDY)
            while v < SCHEMA_VERSION:
                if v not in MIGRATIONS:
                    raise DatabaseError(f"no PostgreSQL migration from schema version {v}", path=self.path,
                                        remedy="upgrade sohoa")
                MIGRATIONS[v](self.conn)
                v += 1
                self.conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(v),))

    def _create_schema(self) -> None:
        try:
            self._ddl("CREATE EXTENSION IF NOT EXISTS unaccent")
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot create the unaccent extension: {e}", path=self.path,
                                remedy=EXTENSION_REMEDY) from e
        schema = self.conn.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON"
                                   " n.oid = e.extnamespace WHERE e.extname = 'unaccent'").fetchone()[0]
        for statement in schema_statements_pg(schema):
            self._ddl(statement)
        self.conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                              [("schema_version", str(SCHEMA_VERSION)), ("application", "sohoa")])

    def start_run(self, args: Sequence[str] | str | None = None, **kwargs: Any) -> int:
        """As Archive.start_run; a password in the command line's URLs is not stored in `runs.args`."""
        if args is not None and not isinstance(args, str):
            args = [redact(a) if is_pg_url(a) else a for a in map(str, args)]
        return super().start_run(args, **kwargs)

    def table_names(self) -> list[str]:
        return self._tables()

    def view_names(self) -> list[str]:
        return self._tables("VIEW")

    # -- the writer's locks, copies ---------------------------------------------------------

    def locks(self) -> PgLocks:  # type: ignore[override]
        return PgLocks(self.conn)

    def backup(self, out: str | Path, *, force: bool = False) -> Any:
        """A copy of this archive: a SQLite file, or another (empty) PostgreSQL database."""
        from sohoa.pipeline.archive_copy import copy_archive

        return copy_archive(self, str(out), force=force)

    # -- the analyst API ----------------------------------------------------------------------

    @contextmanager
    def _read_transaction(self) -> Any:
        """BEGIN [READ ONLY] … ROLLBACK around a query; inside the caller's own transaction (an
        analyst reading within `_write()`), the query just runs in it."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN READ ONLY" if self.readonly else "BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> pd.DataFrame:
        try:
            with self._read_transaction():
                cur = self.conn.execute(sql, params, prepare=True)  # prepared: one statement only
                rows = cur.fetchall()
                names = [d[0] for d in cur.description or ()]
        except sqlite3.Error as e:
            if self.readonly and getattr(e, "sqlstate", None) in READ_ONLY_SQLSTATES:
                raise DatabaseError(f"the query was refused: the archive is read-only here ({e})", path=self.path,
                                    remedy="`sohoa query` runs in a read-only transaction: SELECT statements"
                                           " only") from e
            raise DatabaseError(f"query failed: {e}", path=self.path,
                                remedy="check the SQL against docs/archive.md (PostgreSQL dialect)") from e
        return pd.DataFrame.from_records([tuple(r) for r in rows], columns=names, coerce_float=True)
