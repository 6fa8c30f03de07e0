"""The archive side of the review workflow (schema v3, pipeline/review_store.py): the v2 → v3
migration, review states keyed by content hash and position, the reviewed-values views, search over
reviewed values, and absolute file paths."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sohoa.pipeline import review_store
from sohoa.pipeline.archive import SCHEMA_VERSION, Archive, schema_sql
from tests.test_serve_helpers import build_archive


def _connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn


def _correct(conn: sqlite3.Connection, doc_id: int, field: str, value: str | None, who: str = "lan") -> None:
    old = json.loads(conn.execute("SELECT record_json FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0]).get(field)
    sha = conn.execute("SELECT f.sha256 FROM documents d JOIN files f USING (file_id) WHERE doc_id = ?",
                       (doc_id,)).fetchone()[0]
    review_store.insert_correction(conn, {"doc_id": doc_id, "file_sha256": sha, "target": "field", "field": field,
                                          "old_value": old if isinstance(old, str) else json.dumps(old),
                                          "new_value": value, "reviewer": who})


def test_a_v2_archive_gets_the_review_tables_and_views(tmp_path: Path) -> None:
    db = tmp_path / "v2.sqlite"
    v2 = schema_sql()[:schema_sql().index(review_store.SECTION_START)]
    (tmp_path / "doc.txt").write_text("x", encoding="utf-8")
    conn = sqlite3.connect(db)
    conn.executescript(v2 + "INSERT INTO meta VALUES ('schema_version', '2');")
    conn.execute("INSERT INTO files(file_id, path, sha256, status) VALUES (1, 'doc.txt', 'ab', 'ok')")
    conn.execute("INSERT INTO documents(file_id, seq, code, record_json) VALUES (1, 0, '1/KH', '{}')")
    conn.commit()
    conn.close()
    with Archive(db) as a:
        assert a.schema_version() == SCHEMA_VERSION == 3
        names = {r[0] for r in a.conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        assert {"reviews", "file_paths", "corrections_latest", "documents_reviewed", "review_status"} <= names
        row = a.conn.execute("SELECT code, review_status, corrected_fields FROM documents_reviewed").fetchone()
        assert tuple(row) == ("1/KH", "to_review", "")
        # the file sits beside the archive: its absolute path is recorded, files.path is untouched
        abs_path, path = a.conn.execute("SELECT abs_path, path FROM file_paths JOIN files USING (file_id)").fetchone()
        assert abs_path == str((tmp_path / "doc.txt").resolve()) and path == "doc.txt"


def test_documents_reviewed_overlays_the_newest_corrections(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    ids = build_archive(db)
    conn = _connect(db)
    _correct(conn, ids["plan"], "issuer", "Tỉnh ủy Kiên Giang (sai)")
    _correct(conn, ids["plan"], "issuer", "Tỉnh ủy Kiên Giang")
    _correct(conn, ids["plan"], "date", None)  # a wrong date removed
    _correct(conn, ids["letter"], "recipients", json.dumps(["Sở Tài chính"], ensure_ascii=False))
    conn.commit()
    row = conn.execute("SELECT * FROM documents_reviewed WHERE doc_id = ?", (ids["plan"],)).fetchone()
    assert row["issuer"] == "Tỉnh ủy Kiên Giang" and row["date"] is None and row["code"] == "46-KH/BTGTU"
    assert row["corrected_fields"] == "date,issuer"
    assert json.loads(row["record_json"])["issuer"] == "Tỉnh ủy Kiên Giang"
    letter = conn.execute("SELECT record_json, corrected_fields FROM documents_reviewed WHERE doc_id = ?",
                          (ids["letter"],)).fetchone()
    assert json.loads(letter[0])["recipients"] == ["Sở Tài chính"] and letter[1] == "recipients"
    # machine output is untouched, the audit trail keeps both corrections with old and new values
    assert conn.execute("SELECT issuer FROM documents WHERE doc_id = ?", (ids["plan"],)).fetchone()[0] == (
        "Ban Tuyên giáo Tỉnh ủy Kiên Giang")
    trail = conn.execute("SELECT old_value, new_value, reviewer, created_at FROM corrections WHERE field = 'issuer'"
                         " ORDER BY correction_id").fetchall()
    assert [t[1] for t in trail] == ["Tỉnh ủy Kiên Giang (sai)", "Tỉnh ủy Kiên Giang"]
    assert all(t[0] == "Ban Tuyên giáo Tỉnh ủy Kiên Giang" and t[2] == "lan" and t[3] for t in trail)
    latest = conn.execute("SELECT new_value FROM corrections_latest WHERE field = 'issuer'").fetchall()
    assert [r[0] for r in latest] == ["Tỉnh ủy Kiên Giang"]


def test_search_sees_reviewed_values_and_corrected_tokens(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    ids = build_archive(db)
    conn = _connect(db)
    _correct(conn, ids["letter"], "subject", "Về việc tăng cường phòng chống dịch bệnh")
    review_store.insert_correction(conn, {"doc_id": ids["plan"], "file_sha256": "a" * 64, "target": "token",
                                          "page": 1, "line": 4, "idx": 10, "old_value": "Thường",
                                          "new_value": "Thườngtrực", "reviewer": "lan"})
    conn.commit()
    conn.close()
    with Archive(db) as a:  # the analyst API's search (FTS5, diacritics folded)
        assert a.search("tang cuong phong chong")["doc_id"].tolist() == [ids["letter"]]
        assert a.search("thuongtruc")["doc_id"].tolist() == [ids["plan"]]
        assert a.search("ke hoach")["doc_id"].tolist() == [ids["plan"]]  # the machine text still found
        reviewed = a.query("SELECT subject FROM documents_reviewed WHERE doc_id = ?", (ids["letter"],))
        assert reviewed["subject"].tolist() == ["Về việc tăng cường phòng chống dịch bệnh"]


def test_review_states_are_appended_and_keyed_by_content(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    ids = build_archive(db)
    conn = _connect(db)
    review_store.set_status(conn, ids["plan"], "reviewed", "lan")
    assert review_store.status_of(conn, ids["plan"])["status"] == "reviewed"
    assert review_store.status_of(conn, ids["plan"])["reviewer"] == "lan"
    review_store.set_status(conn, ids["plan"], "to_review", "minh")
    assert review_store.status_of(conn, ids["plan"])["status"] == "to_review"
    assert review_store.status_of(conn, ids["letter"])["status"] == "to_review"
    rows = conn.execute("SELECT file_sha256, seq, status, reviewer FROM reviews ORDER BY review_id").fetchall()
    assert [tuple(r) for r in rows] == [("a" * 64, 0, "reviewed", "lan"), ("a" * 64, 0, "to_review", "minh")]
    # a re-run renumbers nothing it needs: the state follows (sha256, seq) even under a new doc_id
    conn.execute("UPDATE documents SET doc_id = 99 WHERE doc_id = ?", (ids["plan"],))
    review_store.set_status(conn, 99, "reviewed", "lan")
    assert conn.execute("SELECT review_status FROM documents_reviewed WHERE doc_id = 99").fetchone()[0] == "reviewed"


def test_sohoa_query_and_search_see_the_reviewed_values(tmp_path: Path, capsys) -> None:
    from sohoa.pipeline.cli import main

    db = tmp_path / "a.sqlite"
    ids = build_archive(db)
    with Archive(db):  # migrated and marked, as `sohoa serve` leaves it
        pass
    conn = _connect(db)
    _correct(conn, ids["letter"], "code", "4212/VP-KGVX")
    _correct(conn, ids["letter"], "issuer", "Văn phòng Ủy ban nhân dân tỉnh An Giang")
    conn.commit()
    conn.close()
    sql = f"SELECT code, issuer, corrected_fields FROM documents_reviewed WHERE doc_id = {ids['letter']}"
    assert main(["query", "--db", str(db), sql, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{"code": "4212/VP-KGVX", "issuer": "Văn phòng Ủy ban nhân dân tỉnh An Giang",
                     "corrected_fields": "code,issuer"}]
    assert main(["search", "--db", str(db), "uy ban nhan dan tinh an giang", "--format", "json"]) == 0
    assert [r["doc_id"] for r in json.loads(capsys.readouterr().out)] == [ids["letter"]]


def test_a_correction_made_on_the_site_is_in_the_export(tmp_path: Path, capsys) -> None:
    import pandas as pd

    from sohoa.pipeline.cli import main
    from tests.test_serve_helpers import client, post_form

    db = tmp_path / "a.sqlite"
    ids = build_archive(db)
    with Archive(db):
        pass
    c = client(db, reviewer="lan")
    assert post_form(c, f"/doc/{ids['plan']}/correct", {"target": "field", "field": "issuer",
                                                        "new_value": "Tỉnh ủy Kiên Giang"}).status_code == 303
    assert post_form(c, f"/doc/{ids['plan']}/review", {"set_status": "reviewed"}).status_code == 303
    out = tmp_path / "out"
    assert main(["export", "--db", str(db), "--format", "csv", str(out), "--tables", "documents_reviewed",
                 "documents"]) == 0
    reviewed = pd.read_csv(out / "documents_reviewed.csv").set_index("doc_id")
    machine = pd.read_csv(out / "documents.csv").set_index("doc_id")
    assert reviewed.loc[ids["plan"], "issuer"] == "Tỉnh ủy Kiên Giang"
    assert reviewed.loc[ids["plan"], "corrected_fields"] == "issuer"
    assert (reviewed.loc[ids["plan"], "review_status"], reviewed.loc[ids["plan"], "reviewed_by"]) == ("reviewed", "lan")
    assert machine.loc[ids["plan"], "issuer"] == "Ban Tuyên giáo Tỉnh ủy Kiên Giang"
    assert reviewed.loc[ids["letter"], "review_status"] == "to_review"
