"""The archive's cases on both back ends (`archive_url`: a SQLite file, a PostgreSQL database of the
session's throw-away cluster): the writer, the analyst API, read-only queries, export, copies."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlsplit

import pandas as pd
import pytest

from sohoa.errors import DatabaseError
from sohoa.pipeline.archive import SCHEMA_VERSION, Archive
from sohoa.pipeline.db_pg import is_pg_url, redact, translate
from tests.test_archive import result, state_for

CHILD_TABLES = ("files", "pages", "documents", "signers", "recipients", "refs", "tasks", "task_partners",
                "deadlines", "tokens")


def _counts(a: Archive) -> dict[str, int]:
    return {t: a.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in CHILD_TABLES}


def test_translation_of_sqlite_statements():
    assert translate("SELECT * FROM files WHERE sha256 = ? AND path LIKE '%?%'")[0] == \
        "SELECT * FROM files WHERE sha256 = %s AND path ILIKE '%%?%%'"
    sql, returning = translate("INSERT INTO runs(started_at) VALUES (?)")
    assert returning == "run_id" and sql.endswith("RETURNING run_id")
    sql, _ = translate("INSERT OR REPLACE INTO file_paths(file_id, abs_path, run_dir) VALUES (?,?,?)")
    assert "ON CONFLICT (file_id) DO UPDATE SET abs_path = excluded.abs_path, run_dir = excluded.run_dir" in sql
    assert translate("BEGIN IMMEDIATE")[0] == "BEGIN"
    assert redact("postgresql://bob:s3cret@db.local:5433/sohoa") == "postgresql://bob:***@db.local:5433/sohoa"
    assert is_pg_url("postgres://x/y") and not is_pg_url("archive.sqlite")


def test_new_archive_has_the_same_tables_and_views(archive_url, tmp_path):
    with Archive(archive_url, create=True) as a:
        assert a.schema_version() == SCHEMA_VERSION
        tables = set(a.table_names())
        views = set(a.view_names())
    with Archive(tmp_path / "ref.sqlite", create=True) as ref:
        assert tables == set(ref.table_names()) and views == set(ref.view_names())


def test_store_file_writes_all_tables_and_replaces_on_restore(archive_url):
    with Archive(archive_url, create=True) as a:
        run_id = a.start_run(["run", "x"])
        a.store_file(result(), state_for("Số 46-KH/BTGTU\fTrang hai"), run_id=run_id)
        a.store_file(result(), state_for("Số 46-KH/BTGTU\fTrang hai"), run_id=run_id)  # same hash: replaced
        counts = _counts(a)
        assert {k: v for k, v in counts.items() if k != "tokens"} == {
            "files": 1, "pages": 2, "documents": 1, "signers": 1, "recipients": 2, "refs": 1, "tasks": 1,
            "task_partners": 2, "deadlines": 1}
        assert counts["tokens"] > 0
        assert a.is_done("f" * 64) and not a.is_done("0" * 64)
        doc = a.documents().iloc[0]
        assert (doc.code, doc.page_from, doc.page_to) == ("46-KH/BTGTU", 1, 2)
        assert json.loads(doc.record_json)["references"][0]["code"] == "07-CT/TU"
        assert a.tasks().iloc[0].partners == ["Công an tỉnh", "Sở Tài chính"]
        assert a.signers().iloc[0]["name"] == "Huỳnh Thị Hằng"
        assert a.files().iloc[0].seconds_restore == pytest.approx(0.1)
        assert list(a.pages().raw_text) == ["Số 46-KH/BTGTU", "Trang hai"]
        assert a.runs().run_id.tolist() == [run_id]
        assert a.query("SELECT count(*) AS n FROM run_files").n[0] == 2


def test_a_failure_never_replaces_good_rows(archive_url):
    with Archive(archive_url, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
        a.store_file(result(status="failed", error_kind="ocr_engine", error="a.txt: engine died"))
        assert a.files().status.tolist() == ["ok"]
        assert len(a.documents()) == 1


def test_failed_write_rolls_back_the_whole_file(archive_url, monkeypatch):
    with Archive(archive_url, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
        before = _counts(a)

        def broken(*args, **kwargs):
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(a, "_insert_document", broken)
        with pytest.raises(DatabaseError, match="disk I/O error"):
            a.store_file(result(), state_for("Số 46-KH/BTGTU\fnew page"))
        assert _counts(a) == before  # the earlier version of the file is intact


def test_corrections_survive_a_forced_restore(archive_url):
    with Archive(archive_url, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
        doc_id = int(a.documents().doc_id[0])
        with a._write():
            a.conn.execute("INSERT INTO corrections(doc_id, file_sha256, target, field, old_value, new_value)"
                           " VALUES (?, ?, 'field', 'date', '2021-06-08', '2021-06-09')", (doc_id, "f" * 64))
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
        c = a.corrections()
        assert len(c) == 1 and int(c.doc_id[0]) == doc_id == int(a.documents().doc_id[0])
        reviewed = a.documents_reviewed().iloc[0]
        assert reviewed.date == "2021-06-09" and reviewed.corrected_fields == "date"
        assert json.loads(reviewed.record_json)["date"] == "2021-06-09"
        a.store_file(result(), state_for("Số 46-KH/BTGTU", records=[]))  # the document is gone now
        c = a.corrections()
        assert len(c) == 1 and c.doc_id.isna().all() and c.file_sha256[0] == "f" * 64


def test_query_is_read_only_and_returns_dataframes(archive_url):
    with Archive(archive_url, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
    with Archive(archive_url, readonly=True) as ro:
        df = ro.query("SELECT code, issuer FROM documents WHERE date >= ?", ("2021-01-01",))
        assert isinstance(df, pd.DataFrame) and df.code.tolist() == ["46-KH/BTGTU"]
        for sql in ("DELETE FROM documents", "UPDATE files SET path = 'x'"):
            with pytest.raises(DatabaseError, match="readonly|read-only"):
                ro.query(sql)
    with Archive(archive_url) as a:
        assert len(a.documents()) == 1 and a.files().path.tolist() == ["a.txt"]


def test_percent_signs_and_question_marks_in_literals(archive_url):
    with Archive(archive_url, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
    with Archive(archive_url, readonly=True) as a:
        assert a.query("SELECT count(*) AS n FROM documents WHERE date LIKE '2021-06%'").n[0] == 1
        assert a.query("SELECT count(*) AS n FROM documents WHERE date LIKE '2021%' AND code LIKE ?",
                       ("46-%",)).n[0] == 1
        assert a.query("SELECT count(*) AS n FROM documents WHERE subject LIKE '%?%'").n[0] == 0
        assert a.query("SELECT count(*) AS n FROM documents WHERE code LIKE :c", {"c": "46%"}).n[0] == 1
        assert a.query("SELECT '50%' AS x, 7 % 4 AS m").to_dict("records") == [{"x": "50%", "m": 3}]


def test_pg_query_runs_one_statement_in_a_read_only_transaction(pg_url):
    with Archive(pg_url, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
    with Archive(pg_url, readonly=True) as ro:
        with pytest.raises(DatabaseError):  # a second statement cannot ride along
            ro.query("SELECT 1; DELETE FROM documents")
        with pytest.raises(DatabaseError, match="read-only"):
            ro.query("WITH gone AS (DELETE FROM documents RETURNING doc_id) SELECT count(*) FROM gone")
        assert ro.query("SELECT current_setting('transaction_read_only') AS ro").ro[0] == "on"
        assert ro.query("SELECT record_json::jsonb ->> 'code' AS c FROM documents").c[0] == "46-KH/BTGTU"
        assert len(ro.documents()) == 1


def test_empty_or_foreign_database_is_refused(pg_url, pg_server):
    with pytest.raises(DatabaseError, match="no sohoa archive"):
        Archive(pg_url, readonly=True)
    with pytest.raises(DatabaseError, match="no sohoa archive"):
        Archive(pg_url)  # only `sohoa run` (create=True) makes one
    pg_server.admin("CREATE TABLE invoices (id int)", dbname=urlsplit(pg_url).path.lstrip("/"))
    with pytest.raises(DatabaseError, match="another program"):
        Archive(pg_url, create=True)


def test_unreachable_server_is_a_database_error(tmp_path):
    with pytest.raises(DatabaseError, match="cannot connect") as e:
        Archive(f"postgresql://nobody:pw@/nodb?host={tmp_path}", readonly=True, timeout=2)
    assert "pw" not in str(e.value)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_every_table(archive_url, tmp_path, fmt):
    with Archive(archive_url, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
        with a._write():
            a.conn.execute("INSERT INTO corrections(target, field, new_value) VALUES ('field', 'date', '2021-06-09')")
        paths = a.export(tmp_path / "out", fmt)
        names = {p.stem for p in paths}
        assert names == set(a.table_names()) | set(a.view_names())
    read = {"parquet": pd.read_parquet, "csv": pd.read_csv, "jsonl": lambda p: pd.read_json(p, lines=True)}[fmt]
    docs = read(tmp_path / "out" / f"documents.{fmt}")
    assert docs.code.tolist() == ["46-KH/BTGTU"] and "search_vector" not in docs.columns
    assert read(tmp_path / "out" / f"corrections.{fmt}").new_value.tolist() == ["2021-06-09"]


def test_export_has_the_same_columns_and_types_on_both(pg_url, tmp_path):
    schemas = []
    for i, url in enumerate((str(tmp_path / "a.sqlite"), pg_url)):
        with Archive(url, create=True) as a:
            a.store_file(result(), state_for("Số 46-KH/BTGTU"))
            out = tmp_path / f"out{i}"
            a.export(out, "parquet")
        schemas.append({p.stem: pd.read_parquet(p).dtypes.astype(str).to_dict() for p in out.glob("*.parquet")})
    assert schemas[0] == schemas[1]


def test_backup_moves_an_archive_between_the_back_ends(pg_url, tmp_path):
    src = tmp_path / "a.sqlite"
    with Archive(src, create=True) as a:
        a.store_file(result(), state_for("Đảng ủy khối cơ quan\fTrang hai"))
        a.store_file(result(path="b.txt", sha="b" * 64), state_for("Ủy ban nhân dân tỉnh Kiên Giang"))
        with a._write():
            a.conn.execute("INSERT INTO corrections(doc_id, file_sha256, target, field, new_value)"
                           " VALUES (1, ?, 'field', 'date', '2021-06-09')", ("f" * 64,))
        want = _counts(a)
    with Archive(src, readonly=True) as a:
        a.backup(pg_url)  # SQLite → PostgreSQL
    with Archive(pg_url) as pg:
        assert _counts(pg) == want
        assert pg.search("dang uy").path.tolist() == ["a.txt"]
        assert pg.documents_reviewed().date.tolist()[0] == "2021-06-09"
        pg.store_file(result(path="c.txt", sha="c" * 64), state_for("Sở Y tế"))  # ids go on after the copy
        assert sorted(pg.documents().doc_id) == [1, 2, 3]
        with pytest.raises(DatabaseError, match="itself"):
            pg.backup(pg_url)
    with Archive(src, readonly=True) as a, pytest.raises(DatabaseError, match="not empty"):
        a.backup(pg_url)
    back = tmp_path / "back.sqlite"
    with Archive(pg_url, readonly=True) as pg:
        pg.backup(back)  # PostgreSQL → SQLite
    with Archive(back, readonly=True) as a:
        assert _counts(a)["documents"] == 3 and a.search("kien giang").path.tolist() == ["b.txt"]
        assert a.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_both_back_ends_know_every_schema_version():
    from sohoa.pipeline import archive_migrations, schema_pg

    assert schema_pg.SCHEMA_VERSION == archive_migrations.SCHEMA_VERSION
    assert set(archive_migrations.MIGRATIONS) == set(range(1, SCHEMA_VERSION))
    # PostgreSQL archives start at FIRST_PG_VERSION: every later SQLite migration needs its PostgreSQL twin
    assert set(schema_pg.MIGRATIONS) == set(range(schema_pg.FIRST_PG_VERSION, SCHEMA_VERSION))


def test_pg_schema_is_derived_from_schema_sql():
    from sohoa.pipeline.archive_migrations import schema_statements
    from sohoa.pipeline.schema_pg import id_columns, schema_statements_pg

    pg = "\n".join(schema_statements_pg())
    tables = [s.split("(")[0].split()[-1] for s in schema_statements() if s.upper().startswith("CREATE TABLE")]
    for table in tables:
        assert f"CREATE TABLE IF NOT EXISTS {table}" in pg, table
    from sohoa.pipeline.db_pg import ID_COLUMNS

    assert id_columns() == ID_COLUMNS  # the ids whose INSERT returns them: the generated ones
    assert " INTEGER" not in pg.replace("BIGINT", "") and " REAL" not in pg and "fts5" not in pg


def test_passwords_are_not_stored_in_runs(pg_url):
    with Archive(pg_url, create=True) as a:
        a.start_run(["run", "in/", "--db", "postgresql://bob:s3cret@dbhost/archive"])
        assert a.runs().args[0] == '["run", "in/", "--db", "postgresql://bob:***@dbhost/archive"]'


def test_a_query_inside_the_writers_transaction_keeps_its_work(archive_url):
    with Archive(archive_url, create=True) as a:
        with a._write():
            a.conn.execute("INSERT INTO corrections(target, field, new_value) VALUES ('field', 'date', 'x')")
            assert len(a.corrections()) == 1  # sees its own uncommitted row …
        assert len(a.corrections()) == 1  # … and the commit keeps it
