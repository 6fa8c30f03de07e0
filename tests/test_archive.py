"""pipeline.archive: schema and migrations, the transactional writer, the analyst DataFrames, export."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

import sohoa.pipeline.archive as archive_mod
from sohoa.document import Document
from sohoa.errors import DatabaseError, ExitCode
from sohoa.pipeline.archive import SCHEMA_VERSION, Archive
from sohoa.pipeline.components import DocState
from sohoa.pipeline.report import FileResult
from sohoa.record import Record

RECORD = {
    "doc_type": "Kế hoạch", "number": "46", "symbol": "KH/BTGTU", "code": "46-KH/BTGTU",
    "issuer": "Ban Tuyên giáo Tỉnh ủy Kiên Giang", "place": "Kiên Giang", "date": "2021-06-08",
    "subject": "Triển khai Chỉ thị số 07-CT/TU",
    "recipients": ["Các sở, ban, ngành tỉnh", "Lưu VT"],
    "signers": [{"authority": "T/M Ban Thường vụ", "position": "Phó Bí thư", "name": "Huỳnh Thị Hằng"}],
    "references": [{"doc_type": "Chỉ thị", "code": "07-CT/TU", "date": "2021-06-04", "issuer": "Tỉnh ủy"}],
    "tasks": [{"assignee": "Sở Y tế", "role": "chủ trì", "partners": ["Công an tỉnh", "Sở Tài chính"],
               "action": "tổ chức", "deadline": "2021-08"}],
    "deadlines": [{"text": "trong tháng 8-2021", "date": "2021-08"}],
    "source": {"file": "a.txt", "pages": [1, 2], "fields": {"code": {"start": 0, "end": 5, "page": 1, "box": None}}},
}


def state_for(text: str, records: list[dict] | None = None) -> DocState:
    doc = Document.from_text("a.txt", text)
    dicts = [RECORD] if records is None else records
    return DocState(doc, records=[Record.from_dict(r) for r in dicts], timings={"restore": 0.1})


def result(path: str = "a.txt", sha: str = "f" * 64, status: str = "ok", **kw) -> FileResult:
    return FileResult(path=path, status=status, sha256=sha, size=10, kind="text", **kw)


def test_new_archive_has_schema_version_wal_and_foreign_keys(tmp_path):
    with Archive(tmp_path / "a.sqlite", create=True) as a:
        assert a.schema_version() == SCHEMA_VERSION
        assert a.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert a.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert {"files", "pages", "tokens", "documents", "corrections", "runs", "run_files"} <= set(a.table_names())


def test_migration_functions_run_in_order(tmp_path, monkeypatch):
    db = tmp_path / "a.sqlite"
    Archive(db, create=True).close()
    applied = []

    def to_next(conn):
        applied.append(f"v{SCHEMA_VERSION}")
        conn.execute("ALTER TABLE files ADD COLUMN note TEXT")

    monkeypatch.setattr(archive_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(archive_mod.MIGRATIONS, SCHEMA_VERSION, to_next)
    with Archive(db, create=True) as a:
        assert a.schema_version() == SCHEMA_VERSION + 1
        assert "note" in [r[1] for r in a.conn.execute("PRAGMA table_info(files)")]
    with Archive(db) as a:  # already migrated: not applied twice
        pass
    assert applied == [f"v{SCHEMA_VERSION}"]


def test_archive_newer_than_the_code_is_refused(tmp_path):
    db = tmp_path / "a.sqlite"
    with Archive(db, create=True) as a:
        a.conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(DatabaseError, match="newer"):
        Archive(db)


def test_not_a_database_is_a_database_error(tmp_path):
    bad = tmp_path / "junk.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError) as e:
        Archive(bad)
    assert e.value.exit_code == ExitCode.database and "junk.sqlite" in str(e.value)
    with pytest.raises(DatabaseError, match="not found"):
        Archive(tmp_path / "missing.sqlite", readonly=True)


def test_store_file_writes_all_tables_and_replaces_on_restore(tmp_path):
    with Archive(tmp_path / "a.sqlite", create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU\fTrang hai"))
        a.store_file(result(), state_for("Số 46-KH/BTGTU\fTrang hai"))  # same hash again: replaced
        counts = {t: a.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("files", "pages", "documents", "signers", "recipients", "refs", "tasks", "deadlines",
                            "documents_fts")}
        assert counts == {"files": 1, "pages": 2, "documents": 1, "signers": 1, "recipients": 2, "refs": 1,
                          "tasks": 1, "deadlines": 1, "documents_fts": 1}
        assert a.is_done("f" * 64) and not a.is_done("0" * 64)
        doc = a.documents().iloc[0]
        assert (doc.code, doc.page_from, doc.page_to) == ("46-KH/BTGTU", 1, 2)
        assert json.loads(doc.record_json)["references"][0]["code"] == "07-CT/TU"
        assert json.loads(doc.source_json)["fields"]["code"]["end"] == 5
        assert a.tasks().iloc[0].partners == ["Công an tỉnh", "Sở Tài chính"]
        assert list(a.recipients().recipient) == ["Các sở, ban, ngành tỉnh", "Lưu VT"]
        assert a.signers().iloc[0]["name"] == "Huỳnh Thị Hằng"
        assert a.refs().iloc[0].doc_code == "46-KH/BTGTU"
        assert a.deadlines().iloc[0].date == "2021-08"
        assert a.files().iloc[0].seconds_restore == pytest.approx(0.1)
        assert list(a.pages().raw_text) == ["Số 46-KH/BTGTU", "Trang hai"]


def test_a_failure_never_replaces_good_rows(tmp_path):
    with Archive(tmp_path / "a.sqlite", create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
        a.store_file(result(status="failed", error_kind="ocr_engine", error="a.txt: engine died"))
        assert a.files().status.tolist() == ["ok"]
        assert len(a.documents()) == 1


def test_failed_write_rolls_back_the_whole_file(tmp_path, monkeypatch):
    with Archive(tmp_path / "a.sqlite", create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))

        def broken(*args, **kwargs):
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(a, "_insert_document", broken)
        with pytest.raises(DatabaseError, match="disk I/O error"):
            a.store_file(result(), state_for("Số 46-KH/BTGTU\fnew page"))
        # the earlier version of the file is intact: no half-deleted rows
        assert len(a.documents()) == 1 and len(a.pages()) == 1


def test_corrections_survive_a_forced_restore(tmp_path):
    with Archive(tmp_path / "a.sqlite", create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
        doc_id = int(a.documents().doc_id[0])
        a.conn.execute("INSERT INTO corrections(doc_id, file_sha256, target, field, old_value, new_value)"
                       " VALUES (?, ?, 'field', 'date', '2021-06-08', '2021-06-09')", (doc_id, "f" * 64))
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
        c = a.corrections()
        assert len(c) == 1 and c.file_sha256[0] == "f" * 64 and c.new_value[0] == "2021-06-09"
        assert int(c.doc_id[0]) == doc_id == int(a.documents().doc_id[0])  # still linked after re-processing
        a.store_file(result(), state_for("Số 46-KH/BTGTU", records=[]))  # the document is gone now
        c = a.corrections()
        assert len(c) == 1 and c.doc_id.isna().all() and c.file_sha256[0] == "f" * 64


def test_query_is_read_only_and_returns_dataframes(tmp_path):
    db = tmp_path / "a.sqlite"
    with Archive(db, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
    with Archive(db, readonly=True) as ro:
        df = ro.query("SELECT code, issuer FROM documents WHERE date >= ?", ("2021-01-01",))
        assert isinstance(df, pd.DataFrame) and df.code.tolist() == ["46-KH/BTGTU"]
        with pytest.raises(DatabaseError, match="readonly|read-only"):
            ro.query("DELETE FROM documents")
    with Archive(db, create=True) as a:
        assert len(a.documents()) == 1


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_every_table(tmp_path, fmt):
    db = tmp_path / "a.sqlite"
    with Archive(db, create=True) as a:
        a.store_file(result(), state_for("Số 46-KH/BTGTU"))
        a.conn.execute("INSERT INTO corrections(target, field, new_value) VALUES ('field', 'date', '2021-06-09')")
        paths = a.export(tmp_path / "out", fmt)
        names = {p.stem for p in paths}
        assert names == set(a.table_names()) | set(a.view_names()) and {"corrections", "documents_reviewed"} <= names
    read = {"parquet": pd.read_parquet, "csv": pd.read_csv,
            "jsonl": lambda p: pd.read_json(p, lines=True)}[fmt]
    docs = read(tmp_path / "out" / f"documents.{fmt}")
    assert docs.code.tolist() == ["46-KH/BTGTU"] and docs.issuer[0] == "Ban Tuyên giáo Tỉnh ủy Kiên Giang"
    assert read(tmp_path / "out" / f"corrections.{fmt}").new_value.tolist() == ["2021-06-09"]


def test_export_unknown_table_is_refused(tmp_path):
    with Archive(tmp_path / "a.sqlite", create=True) as a, pytest.raises(DatabaseError, match="no such table"):
        a.export(tmp_path / "out", "csv", ["documents", "nope"])


def test_two_documents_in_one_file_get_their_own_text(tmp_path):
    cover = "CÔNG VĂN Số 5/UBND-VX\nKính gửi các sở"
    plan = "KẾ HOẠCH\nthực hiện chuyển đổi số"
    text = cover + "\n\n" + plan
    start = text.index("KẾ HOẠCH")
    records = [
        {**RECORD, "code": "5/UBND-VX", "source": {"pages": [1, 1], "fields": {"code": {"start": 11, "end": 20}}}},
        {**RECORD, "code": "7-KH/UBND", "source": {
            "pages": [1, 1], "derived_from": {"record": 0, "fields": ["code"]},
            "fields": {"code": {"start": 11, "end": 20}, "doc_type": {"start": start, "end": start + 8}}}},
    ]
    with Archive(tmp_path / "a.sqlite", create=True) as a:
        a.store_file(result(), state_for(text, records))
        texts = a.documents().text.tolist()
    assert texts[0].startswith("CÔNG VĂN") and "KẾ HOẠCH" not in texts[0]
    assert texts[1] == plan
