"""The typed schema of `sohoa export`: one column set and one type per column, whatever the format.

Types come from the archive's declared SQLite types (TEXT → string, INTEGER → int, REAL → float),
with the overrides below for what SQLite stores as text: dates (ISO text, `2021-08` when only the
month is known) become a `date` column (a real date where the date is complete, else null) with
the ISO text beside it as `<name>_iso`; JSON lists become lists of strings; 0/1 flags booleans.
Codes and numbers (`number`, `code`, `symbol`) stay text everywhere, so `07` keeps its zero.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["string", "int", "float", "bool", "date", "list"]

# Columns whose stored text means something else; (table, column) → (kind, exported name).
OVERRIDES: dict[tuple[str, str], tuple[Kind, str]] = {
    ("documents", "date"): ("date", "date"),
    ("documents_reviewed", "date"): ("date", "date"),
    ("refs", "date"): ("date", "date"),
    ("deadlines", "date"): ("date", "date"),
    ("tasks", "deadline"): ("date", "deadline"),
    ("tasks", "partners_json"): ("list", "partners"),
    ("pages", "flags"): ("list", "flags"),
    ("pages", "low_confidence"): ("bool", "low_confidence"),
    ("tokens", "changed"): ("bool", "changed"),
}
_DECLARED: dict[str, Kind] = {"INTEGER": "int", "REAL": "float", "TEXT": "string"}
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Column:
    source: str  # the archive's column
    name: str  # the exported column
    kind: Kind


def table_columns(conn: sqlite3.Connection, table: str) -> list[Column]:
    """The exported columns of a table or view, in order (a date column adds its `_iso` text)."""
    cols: list[Column] = []
    for name, declared in declared_columns(conn, table):
        kind, out = OVERRIDES.get((table, name), (_DECLARED.get(str(declared).upper(), "string"), name))
        cols.append(Column(name, out, kind))
        if kind == "date":
            cols.append(Column(name, f"{out}_iso", "string"))
    return cols


_PG_TYPES = {"bigint": "INTEGER", "integer": "INTEGER", "smallint": "INTEGER", "double precision": "REAL",
             "real": "REAL", "boolean": "INTEGER"}


def declared_columns(conn: Any, table: str) -> list[tuple[str, str]]:
    """(name, declared SQLite type) of a table's or view's columns, on either back end; on
    PostgreSQL without the columns it generates (pipeline.schema_pg.GENERATED)."""
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        from sohoa.pipeline.schema_pg import GENERATED

        rows = conn.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema ="
                            " current_schema() AND table_name = ? ORDER BY ordinal_position", (table,)).fetchall()
        return [(n, _PG_TYPES.get(t, "TEXT")) for n, t in rows if (table, n) not in GENERATED]
    return [(r[1], r[2]) for r in conn.execute(f'PRAGMA table_info("{table}")')]


def as_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not _FULL_DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def as_list(value: Any) -> list[str] | None:
    if value is None or value == "":
        return None
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return [str(value)]
    if not isinstance(items, list):
        return [str(items)]
    return [str(x) for x in items]


def convert(col: Column, value: Any) -> Any:
    """The value of a column in its type (None for null)."""
    if value is None:
        return None
    if col.kind == "date":
        return as_date(value)
    if col.kind == "list":
        return as_list(value)
    if col.kind == "bool":
        return bool(int(value))
    if col.kind == "int":
        return int(value) if not isinstance(value, str) or value.strip().lstrip("-").isdigit() else None
    if col.kind == "float":
        return float(value)
    return str(value)


def rows_typed(conn: sqlite3.Connection, table: str, columns: list[Column]) -> Iterator[list[Any]]:
    """Every row of the table, each value converted to its column's type (streamed)."""
    sources = list(dict.fromkeys(c.source for c in columns))
    sql = "SELECT " + ", ".join(f'"{s}"' for s in sources) + f' FROM "{table}"'
    index = {s: i for i, s in enumerate(sources)}
    for row in (conn.stream(sql) if hasattr(conn, "stream") else conn.execute(sql)):
        yield [convert(c, row[index[c.source]]) for c in columns]


def as_text(value: Any) -> str:
    """The textual form shared by CSV and JSON lines' strings (null → empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def as_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
