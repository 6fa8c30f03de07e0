"""A psycopg 3 connection that looks like sqlite3's, so that the archive's code (pipeline.archive,
archive_rows, review_store, search filters, the review site) runs unchanged on PostgreSQL.

What it translates, statement by statement (cached):

- `?` placeholders become `%s` (and `:name` ones `%(name)s`); a literal `%` is doubled;
- `LIKE` becomes `ILIKE` (SQLite's LIKE ignores ASCII case);
- `BEGIN IMMEDIATE` becomes `BEGIN`;
- `INSERT OR REPLACE INTO t(…)` becomes `INSERT … ON CONFLICT (key) DO UPDATE` (UPSERT_KEYS);
- an `INSERT INTO` a table with a generated id gets `RETURNING id`, which fills `cursor.lastrowid`.

Rows are `Row`s: tuples that can also be read by column name, like sqlite3.Row. psycopg's errors
are raised as `PgError`, a subclass of sqlite3.DatabaseError (IntegrityError for constraint
violations), so code written against sqlite3 catches them; the original is `__cause__` and its
SQLSTATE `sqlstate`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PG_SCHEMES = ("postgresql://", "postgres://")
# The tables whose integer id PostgreSQL generates (SQLite's INTEGER PRIMARY KEY): INSERTs return it.
ID_COLUMNS = {"files": "file_id", "documents": "doc_id", "corrections": "correction_id", "runs": "run_id",
              "reviews": "review_id"}
UPSERT_KEYS = {"meta": ("key",), "file_paths": ("file_id",)}
INSTALL_HINT = "install the PostgreSQL driver: pip install 'sohoa[postgres]' (psycopg 3)"


def is_pg_url(path: object) -> bool:
    return isinstance(path, str) and path.startswith(PG_SCHEMES)


def db_location(value: str | Path) -> str | Path:
    """An archive given on the command line: a postgresql:// URL stays text, anything else is a path."""
    return str(value) if is_pg_url(str(value)) else Path(value)


def connect_any(db: str | Path, *, readonly: bool = True, timeout: float = 10.0) -> Any:
    """A plain connection to either back end (for sohoa eval / outputs, which read the schema
    directly): sqlite3 (`mode=ro` when `readonly`), or a PgConnection with read-only transactions."""
    if is_pg_url(str(db)):
        return PgConnection(str(db), readonly=readonly, connect_timeout=timeout)
    if readonly:
        return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=timeout)
    return sqlite3.connect(db, timeout=timeout)


def redact(url: str) -> str:
    """The URL without its password (for messages, reports and the runs table)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class PgError(sqlite3.DatabaseError):
    """A PostgreSQL error, seen by sqlite3-style code as a database error."""

    sqlstate: str | None = None


class PgIntegrityError(sqlite3.IntegrityError, PgError):
    """A constraint violation (SQLSTATE class 23)."""


def as_sqlite_error(err: Exception) -> PgError:
    sqlstate = getattr(err, "sqlstate", None)
    cls = PgIntegrityError if (sqlstate or "").startswith("23") else PgError
    text = " ".join(str(err).split()) or type(err).__name__
    out = cls(text)
    out.sqlstate = sqlstate
    return out


class Row(tuple):
    """A result row: a tuple, also indexed by column name (`row["doc_id"]`, `dict(row)`)."""

    _names: tuple[str, ...] = ()

    def __new__(cls, values: Iterable[Any], names: tuple[str, ...]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._names.index(key))
            except ValueError:
                raise IndexError(f"no such column: {key}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


_QUOTED = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")
_INSERT = re.compile(r"^\s*INSERT\s+(OR\s+REPLACE\s+)?INTO\s+\"?(\w+)\"?\s*(\(([^)]*)\))?", re.IGNORECASE)


def _outside_quotes(sql: str, fix: Any) -> str:
    """`fix` applied outside quoted strings and names; inside them only `%` is doubled (psycopg
    reads placeholders everywhere)."""
    parts = _QUOTED.split(sql)
    return "".join(p.replace("%", "%%") if i % 2 else fix(p) for i, p in enumerate(parts))


def _placeholders(chunk: str) -> str:
    chunk = chunk.replace("%", "%%").replace("?", "%s")
    chunk = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", chunk)
    return re.sub(r"\bLIKE\b", "ILIKE", chunk, flags=re.IGNORECASE)


@lru_cache(maxsize=512)
def translate(sql: str, many: bool = False) -> tuple[str, str | None]:
    """(PostgreSQL statement, the id column its INSERT returns or None)."""
    text = sql.strip().rstrip(";")
    if re.fullmatch(r"BEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED)", text, re.IGNORECASE):
        return "BEGIN", None
    returning = None
    m = _INSERT.match(text)
    if m and m.group(1):
        table, cols = m.group(2), [c.strip().strip('"') for c in (m.group(4) or "").split(",") if c.strip()]
        keys = UPSERT_KEYS.get(table)
        if keys is None or not cols:
            raise PgError(f"INSERT OR REPLACE into {table} has no PostgreSQL translation")
        text = re.sub(r"^\s*INSERT\s+OR\s+REPLACE", "INSERT", text, flags=re.IGNORECASE)
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys)
        text += f" ON CONFLICT ({', '.join(keys)}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
    elif m and not many and m.group(2) in ID_COLUMNS and "RETURNING" not in text.upper():
        returning = ID_COLUMNS[m.group(2)]
        text += f" RETURNING {returning}"
    return _outside_quotes(text, _placeholders), returning


def _params(params: Sequence[Any] | Mapping[str, Any] | None) -> Any:
    if params is None:
        return ()
    return dict(params) if isinstance(params, Mapping) else tuple(params)


class Cursor:
    """What sqlite3's cursor offers that the archive uses: fetchone/fetchall/iteration,
    description, rowcount, lastrowid."""

    def __init__(self, cur: Any, returning: str | None = None):
        self._cur = cur
        self.lastrowid: int | None = None
        names = tuple(d.name for d in cur.description) if cur.description else ()
        self._names = names
        self.description = tuple((n, None, None, None, None, None, None) for n in names) if names else None
        if returning is not None and cur.description:
            row = cur.fetchone()
            self.lastrowid = int(row[0]) if row else None

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)

    def _wrap(self, row: Any) -> Row | None:
        return None if row is None else Row(row, self._names)

    def fetchone(self) -> Row | None:
        if not self._names:
            return None
        try:
            return self._wrap(self._cur.fetchone())
        except Exception as e:  # noqa: BLE001 — psycopg.Error, as a sqlite3-style error
            raise as_sqlite_error(e) from e

    def fetchall(self) -> list[Row]:
        if not self._names:
            return []
        try:
            return [Row(r, self._names) for r in self._cur.fetchall()]
        except Exception as e:  # noqa: BLE001
            raise as_sqlite_error(e) from e

    def __iter__(self) -> Iterator[Row]:
        while (row := self.fetchone()) is not None:
            yield row

    def close(self) -> None:
        self._cur.close()


class PgConnection:
    """One PostgreSQL session. `autocommit=True` (the archive's writer: explicit BEGIN … COMMIT) or
    False (a transaction opens at the first statement; `with conn:` commits or rolls back, like sqlite3)."""

    dialect = "postgresql"

    def __init__(self, url: str, *, autocommit: bool = True, readonly: bool = False,
                 connect_timeout: float = 10.0):
        try:
            import psycopg
        except ImportError as e:
            raise ImportError(INSTALL_HINT) from e
        self._psycopg = psycopg
        options = "-c default_transaction_read_only=on" if readonly else None
        kwargs: dict[str, Any] = {"autocommit": autocommit, "connect_timeout": max(1, int(connect_timeout)),
                                  "application_name": "sohoa"}
        if options:
            kwargs["options"] = options
        try:
            self.raw = psycopg.connect(url, **kwargs)
        except psycopg.Error as e:
            raise as_sqlite_error(e) from e
        self.url = url
        self.row_factory: Any = None  # accepted for sqlite3 compatibility: rows are always Row

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None, *,
                prepare: bool | None = None) -> Cursor:
        text, returning = translate(sql)
        try:
            cur = self.raw.execute(text, _params(params), prepare=prepare)
            return Cursor(cur, returning)
        except self._psycopg.Error as e:
            raise as_sqlite_error(e) from e

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> None:
        text, _ = translate(sql, many=True)
        try:
            with self.raw.cursor() as cur:
                batch: list[tuple[Any, ...]] = []
                for params in seq:
                    batch.append(tuple(params))
                    if len(batch) >= 1000:
                        cur.executemany(text, batch)
                        batch = []
                if batch:
                    cur.executemany(text, batch)
        except self._psycopg.Error as e:
            raise as_sqlite_error(e) from e

    def stream(self, sql: str, params: Sequence[Any] | None = None, size: int = 5000) -> Iterator[tuple[Any, ...]]:
        """Rows of a large result a batch at a time (a server-side cursor in its own read transaction;
        the connection must not be inside another transaction)."""
        text, _ = translate(sql)
        try:
            with self.raw.transaction(), self.raw.cursor(name="sohoa_stream") as cur:
                cur.execute(text, _params(params))
                while batch := cur.fetchmany(size):
                    yield from batch
        except self._psycopg.Error as e:
            raise as_sqlite_error(e) from e

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR)

    def commit(self) -> None:
        try:
            self.raw.commit()
        except self._psycopg.Error as e:
            raise as_sqlite_error(e) from e

    def rollback(self) -> None:
        try:
            self.raw.rollback()
        except self._psycopg.Error as e:
            raise as_sqlite_error(e) from e

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self.raw.autocommit:
            return
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
