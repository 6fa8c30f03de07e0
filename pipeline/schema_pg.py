"""The archive schema on PostgreSQL, derived from pipeline/schema.sql (the one definition of the
tables, columns, constraints and indexes):

- `CREATE TABLE` and `CREATE INDEX` statements are taken from schema.sql with SQLite's types
  mapped: `INTEGER` → `bigint`, `REAL` → `double precision`, `TEXT` as is; a table id that SQLite
  generates (`INTEGER PRIMARY KEY` without REFERENCES) gets a sequence, and a trigger gives the next
  value to a row inserted with a NULL id (as SQLite does), so the writer's SQL is the same.
- What SQLite does with FTS5, triggers and its JSON functions is written here for PostgreSQL:
  `documents.search_vector`, a generated `tsvector` over the folded words of the (reviewed) text
  (`sohoa_words`: unaccent, `đ` → `d`, lower case, punctuation as spaces) with a GIN index; the
  three review views; `json_extract(text, '$.a.b')` for the review site's queries.
- JSON columns stay `text` (the same strings on both back ends; cast to `jsonb` in queries).

MIGRATIONS[v] upgrades a PostgreSQL archive from version v to v + 1 (one transaction). PostgreSQL
archives start at version 3, so the dict is empty until the next schema change, which adds one
here and one in archive_migrations (a test checks that both back ends know every version).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sohoa.pipeline.archive_migrations import SCHEMA_VERSION, schema_statements

FIRST_PG_VERSION = 3
MIGRATIONS: dict[int, Callable[[Any], None]] = {}
GENERATED = {("documents", "search_vector")}  # columns PostgreSQL computes: not copied, not exported
_TYPES = [(re.compile(r"\bINTEGER\b", re.IGNORECASE), "BIGINT"),
          (re.compile(r"\bREAL\b", re.IGNORECASE), "DOUBLE PRECISION")]
_ID = re.compile(r"^\s*(\w+)\s+INTEGER\s+PRIMARY\s+KEY\b(?![^,\n]*REFERENCES)", re.IGNORECASE | re.MULTILINE)
_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)\"?", re.IGNORECASE)


def id_columns() -> dict[str, str]:
    """table → its generated id column (SQLite's rowid alias)."""
    out = {}
    for stmt in schema_statements():
        m = _TABLE.match(stmt)
        if m:
            idm = _ID.search(stmt)
            if idm:
                out[m.group(1)] = idm.group(1)
    return out


def _table_sql(stmt: str) -> list[str]:
    table = _TABLE.match(stmt).group(1)  # type: ignore[union-attr]
    before: list[str] = []
    after: list[str] = []
    idm = _ID.search(stmt)
    if idm:
        col = idm.group(1)
        seq = f"{table}_{col}_seq"
        before.append(f"CREATE SEQUENCE IF NOT EXISTS {seq}")
        stmt = stmt[:idm.start()] + stmt[idm.start():idm.end()].replace(
            idm.group(0).strip(), f"{col} BIGINT PRIMARY KEY DEFAULT nextval('{seq}')") + stmt[idm.end():]
        after.append(f"ALTER SEQUENCE {seq} OWNED BY {table}.{col}")
        after.append(f"CREATE OR REPLACE TRIGGER {table}_fill_id BEFORE INSERT ON {table} FOR EACH ROW"
                     f" EXECUTE FUNCTION sohoa_fill_id('{col}', '{seq}')")
    for pattern, pg_type in _TYPES:
        stmt = pattern.sub(pg_type, stmt)
    return [*before, stmt, *after]


def _functions(unaccent_schema: str) -> list[str]:
    ua = f"{unaccent_schema}.unaccent('{unaccent_schema}.unaccent'::regdictionary, $1)"
    return [
        # IMMUTABLE so that a generated column and an index can use it (the unaccent rules are fixed).
        f"CREATE OR REPLACE FUNCTION sohoa_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE"
        f" AS $$ SELECT lower({ua}) $$",
        "CREATE OR REPLACE FUNCTION sohoa_words(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE"
        " AS $$ SELECT btrim(regexp_replace(sohoa_fold($1), '[^[:alnum:]]+', ' ', 'g')) $$",
        "CREATE OR REPLACE FUNCTION json_extract(text, text) RETURNS text LANGUAGE sql IMMUTABLE"
        " AS $$ SELECT ($1::jsonb) #>> string_to_array(regexp_replace($2, '^\\$\\.?', ''), '.') $$",
        """CREATE OR REPLACE FUNCTION sohoa_fill_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF to_jsonb(NEW) ->> TG_ARGV[0] IS NULL THEN
        NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], nextval(TG_ARGV[1]::regclass)));
    END IF;
    RETURN NEW;
END $$""",
    ]


SEARCH_SQL = [
    "ALTER TABLE documents ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS"
    " (to_tsvector('simple'::regconfig, sohoa_words(coalesce(search_text, text)))) STORED",
    "CREATE INDEX IF NOT EXISTS documents_search ON documents USING gin (search_vector)",
]

VIEWS_SQL = [
    """CREATE OR REPLACE VIEW corrections_latest AS
SELECT correction_id, doc_id, file_sha256, target, field, page, line, idx, old_value, new_value, reviewer, created_at
FROM (
    SELECT c.*, row_number() OVER (PARTITION BY c.doc_id, c.field ORDER BY c.correction_id DESC) AS rn
    FROM corrections c WHERE c.target = 'field' AND c.doc_id IS NOT NULL
    UNION ALL
    SELECT c.*, row_number() OVER (PARTITION BY c.file_sha256, c.page, c.line, c.idx ORDER BY c.correction_id DESC)
    FROM corrections c WHERE c.target = 'token'
) AS x WHERE rn = 1""",
    """CREATE OR REPLACE VIEW review_status AS
SELECT review_id, doc_id, file_sha256, seq, status, reviewer, created_at FROM (
    SELECT r.*, row_number() OVER (PARTITION BY r.file_sha256, r.seq ORDER BY r.review_id DESC) AS rn FROM reviews r
) AS x WHERE rn = 1""",
    # json_patch (RFC 7386) of SQLite: a field corrected to null is removed, the others replaced.
    "CREATE OR REPLACE VIEW documents_reviewed AS\nWITH fix AS (\n    SELECT doc_id,"
    " string_agg(field, ',' ORDER BY field) AS corrected_fields,\n"
    + "".join(f"        bool_or(field = '{f}') AS c_{f}, max(CASE WHEN field = '{f}' THEN new_value END) AS v_{f},\n"
              for f in ("doc_type", "number", "symbol", "code", "issuer", "place", "date", "subject"))
    + """        jsonb_object_agg(field, CASE WHEN field IN ('recipients', 'signers', 'references', 'tasks', 'deadlines')
            THEN new_value::jsonb ELSE to_jsonb(new_value) END) FILTER (WHERE new_value IS NOT NULL) AS patch,
        array_agg(field) FILTER (WHERE new_value IS NULL) AS removed
    FROM corrections_latest WHERE target = 'field' GROUP BY doc_id
)
SELECT d.doc_id, d.file_id, f.path, f.sha256, d.seq,
""" + "".join(f"    CASE WHEN fix.c_{f} THEN fix.v_{f} ELSE d.{f} END AS {f},\n"
              for f in ("doc_type", "number", "symbol", "code", "issuer", "place", "date", "subject"))
    + """    d.page_from, d.page_to, d.text,
    CASE WHEN fix.doc_id IS NULL THEN d.record_json
         ELSE ((d.record_json::jsonb - coalesce(fix.removed, '{}'::text[])) || coalesce(fix.patch, '{}'::jsonb))::text
    END AS record_json,
    d.source_json,
    COALESCE(fix.corrected_fields, '') AS corrected_fields,
    COALESCE(s.status, 'to_review') AS review_status, s.reviewer AS reviewed_by, s.created_at AS reviewed_at
FROM documents d JOIN files f ON f.file_id = d.file_id
LEFT JOIN fix ON fix.doc_id = d.doc_id
LEFT JOIN review_status s ON s.file_sha256 = f.sha256 AND s.seq = d.seq""",
]


def schema_statements_pg(unaccent_schema: str = "public") -> list[str]:
    """Every statement that creates the newest schema in an empty PostgreSQL database."""
    out = _functions(unaccent_schema)
    for stmt in schema_statements():
        head = stmt.lstrip().upper()
        if head.startswith("CREATE TABLE"):
            out.extend(_table_sql(stmt))
        elif head.startswith("CREATE INDEX"):
            out.append(stmt)
        # the FTS5 table, its triggers and the SQLite views are replaced by SEARCH_SQL and VIEWS_SQL
    out.extend(SEARCH_SQL)
    out.extend(VIEWS_SQL)
    return out


__all__ = ["FIRST_PG_VERSION", "GENERATED", "MIGRATIONS", "SCHEMA_VERSION", "id_columns", "schema_statements_pg"]
