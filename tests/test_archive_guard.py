"""The archive defends itself: only new/empty files or sohoa archives are opened, foreign files are
left untouched, queries cannot write (not even another file), damaged archives are not written,
read-only archives can still be queried."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import sohoa.pipeline.archive_guard as guard
from sohoa.errors import DatabaseError, ExitCode
from sohoa.pipeline.archive import SCHEMA_VERSION, Archive, schema_sql
from sohoa.pipeline.cli import main
from tests.test_archive import result, state_for
from tests.test_run import make_docs


def _archive(tmp_path: Path) -> Path:
    db = tmp_path / "a.sqlite"
    with Archive(db, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
    return db


def test_a_new_archive_is_marked(tmp_path):
    db = _archive(tmp_path)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA application_id").fetchone()[0] == guard.APPLICATION_ID
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_missing_archive_is_created_only_when_asked(tmp_path, capsys):
    missing = tmp_path / "none.sqlite"
    with pytest.raises(DatabaseError, match="not found"):
        Archive(missing)
    for argv in (["query", "--db", str(missing), "SELECT 1"], ["search", "--db", str(missing), "x"],
                 ["export", "--db", str(missing), str(tmp_path / "out")]):
        assert main(argv) == ExitCode.database
        assert "not found" in capsys.readouterr().err
    assert not missing.exists()
    Archive(missing, create=True).close()
    assert missing.exists()


def test_an_empty_file_is_accepted(tmp_path):
    db = tmp_path / "empty.sqlite"
    db.write_bytes(b"")
    with Archive(db) as a:
        assert a.schema_version() == SCHEMA_VERSION


@pytest.mark.parametrize("what", ["other_program", "text", "pdf"])
def test_anything_else_is_refused_untouched(tmp_path, capsys, what):
    db = tmp_path / "target.db"
    if what == "other_program":
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        con.execute("INSERT INTO contacts VALUES ('An', '0123')")
        con.commit()
        con.close()
    else:
        db.write_bytes(b"%PDF-1.4 not an archive" if what == "pdf" else "ghi chú, không phải cơ sở dữ liệu".encode())
    before = db.read_bytes()
    with pytest.raises(DatabaseError, match="not a sohoa archive"):
        Archive(db, create=True)
    make_docs(tmp_path / "in", 1)
    assert main(["run", str(tmp_path / "in"), "--db", str(db), "-q", "--jobs", "1"]) == ExitCode.database
    assert "not a sohoa archive" in capsys.readouterr().err
    assert main(["query", "--db", str(db), "SELECT 1"]) == ExitCode.database
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("target")) == ["target.db"]


def test_a_v1_archive_is_migrated_and_marked(tmp_path):
    db = tmp_path / "v1.sqlite"
    v1 = schema_sql().replace("CHECK (status IN ('ok', 'failed', 'skipped'))", "CHECK (status IN ('ok', 'failed'))")
    assert v1 != schema_sql()
    con = sqlite3.connect(db)
    con.executescript(v1 + "INSERT INTO meta VALUES ('schema_version', '1');")
    con.execute("INSERT INTO files(file_id, path, sha256, status) VALUES (7, 'a.txt', 'ab', 'ok')")
    con.execute("INSERT INTO pages(file_id, page, text) VALUES (7, 1, 'x')")
    con.execute("INSERT INTO documents(file_id, seq, record_json) VALUES (7, 0, '{}')")
    con.commit()
    con.close()
    with Archive(db) as a:
        assert a.schema_version() == SCHEMA_VERSION
        a.conn.execute("INSERT INTO files(path, sha256, status) VALUES ('b.txt', 'cd', 'skipped')")
        assert a.conn.execute("SELECT count(*) FROM pages WHERE file_id = 7").fetchone()[0] == 1
        a.conn.execute("DELETE FROM files WHERE file_id = 7")  # foreign keys still cascade
        assert a.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
        assert a.conn.execute("PRAGMA application_id").fetchone()[0] == guard.APPLICATION_ID


def test_an_unmarked_archive_without_its_meta_row_is_still_ours(tmp_path):
    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    con.executescript(schema_sql().replace("CHECK (status IN ('ok', 'failed', 'skipped'))",
                                           "CHECK (status IN ('ok', 'failed'))"))  # v1, no meta row, no mark
    con.close()
    with Archive(db) as a:
        assert a.schema_version() == SCHEMA_VERSION
        a.conn.execute("INSERT INTO files(path, sha256, status) VALUES ('b.txt', 'cd', 'skipped')")
    assert guard.classify(sqlite3.connect(db)) == "sohoa"


@pytest.mark.parametrize("sql", [
    "ATTACH DATABASE '{out}' AS x",
    "VACUUM INTO '{out}'",
    "PRAGMA query_only = OFF",
    "DELETE FROM documents",
    "UPDATE documents SET code = 'x'",
])
def test_query_cannot_write_anything(tmp_path, capsys, sql):
    db = _archive(tmp_path)
    out = tmp_path / "copy.sqlite"
    assert main(["query", "--db", str(db), sql.format(out=out)]) == ExitCode.database
    err = capsys.readouterr().err
    assert "a.sqlite" in err and ("refused" in err or "read-only" in err or "readonly" in err)
    assert not out.exists()
    with Archive(db, readonly=True) as ro:
        assert ro.query("SELECT code FROM documents").code.tolist() == ["46-KH/BTGTU"]


def test_a_damaged_archive_is_not_written(tmp_path):
    db = tmp_path / "a.sqlite"
    with Archive(db, create=True) as a:
        for i in range(40):
            r = result()
            r.sha256 = f"{i:064d}"
            a.store_file(r, state_for(f"Số {i}-KH/BTGTU " + "nội dung dài " * 200))
    data = bytearray(db.read_bytes())
    page = 4096
    for off in range(3 * page, min(len(data), 9 * page), page):  # garbage over a few b-tree pages
        data[off:off + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))
    before = db.read_bytes()
    with pytest.raises(DatabaseError, match="damaged") as e:
        Archive(db)
    assert e.value.exit_code == ExitCode.database and ".recover" in e.value.report()
    assert db.read_bytes() == before


def test_a_read_only_archive_can_be_queried(tmp_path, monkeypatch):
    """Tests run as root, so a read-only disk is simulated: the plain mode=ro open fails the way
    it does when SQLite cannot create the -shm file, and the folder reports no write access."""
    db = _archive(tmp_path)
    real_connect = sqlite3.connect
    uris = []

    def connect(target, *a, **k):
        uris.append(str(target))
        if str(target).startswith("file:") and "immutable=1" not in str(target):
            raise sqlite3.OperationalError("unable to open database file")
        return real_connect(target, *a, **k)

    monkeypatch.setattr(guard.sqlite3, "connect", connect)
    monkeypatch.setattr(guard, "_writable", lambda p: False)
    with Archive(db, readonly=True) as ro:
        assert ro.query("SELECT count(*) AS n FROM documents").n[0] == 1
        with pytest.raises(DatabaseError):
            ro.query("DELETE FROM documents")
    assert any("immutable=1" in u for u in uris)


def test_serve_refuses_a_foreign_database_untouched(tmp_path, capsys):
    from sohoa.pipeline import serve

    db = tmp_path / "other.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE documents (x)")
    con.execute("CREATE TABLE corrections (y)")
    con.commit()
    con.close()
    before = db.read_bytes()
    assert serve.main(["--db", str(db)]) == ExitCode.database
    assert "not a sohoa archive" in capsys.readouterr().err
    assert db.read_bytes() == before


def test_a_failed_creation_leaves_no_file(tmp_path, monkeypatch):
    import sohoa.pipeline.archive as archive_mod

    def broken_schema():
        raise FileNotFoundError("schema.sql")

    monkeypatch.setattr(archive_mod, "schema_sql", broken_schema)
    db = tmp_path / "new.sqlite"
    with pytest.raises(DatabaseError, match="schema.sql"):
        Archive(db, create=True)
    assert list(tmp_path.iterdir()) == []

