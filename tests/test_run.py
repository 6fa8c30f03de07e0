"""Batch runs: idempotency, failure isolation, one pool for all files, outputs, the run report."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from sohoa.errors import BadArgumentsError, ExitCode
from sohoa.pipeline.config import load_settings
from sohoa.pipeline.run import discover, run
from tests.test_run_components import stages

DOC = "ỦY BAN NHÂN DÂN TỈNH {prov}\nSố: {n}-KH/UBND\n\nKẾ HOẠCH\nTriển khai Chỉ thị số 07-CT/TU\n"


def make_docs(folder: Path, n: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + n):
        p = folder / f"doc{i:03d}.txt"
        p.write_text(DOC.format(prov="Bình Phước", n=100 + i), encoding="utf-8")
        out.append(p)
    return out


def settings(*stage_names: str, jobs: int = 2, **over):
    names = stage_names or ("ocr", "code_records")
    return load_settings(overrides={"stages": stages(*names), "jobs": jobs, **over})


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("files", "pages", "tokens", "documents", "refs", "tasks", "signers", "recipients",
                          "deadlines", "documents_fts")}
    finally:
        con.close()


def test_discover_walks_folders_and_skips_hidden(tmp_path):
    make_docs(tmp_path / "in" / "a" / "b", 2)
    (tmp_path / "in" / ".hidden.txt").write_text("x")
    (tmp_path / "in" / ".git").mkdir()
    (tmp_path / "in" / ".git" / "c.txt").write_text("x")
    found = discover([str(tmp_path / "in")])
    assert [str(f.rel) for f in found] == ["a/b/doc000.txt", "a/b/doc001.txt"]
    with pytest.raises(BadArgumentsError) as e:
        discover([str(tmp_path / "missing")])
    assert e.value.exit_code == ExitCode.bad_args


def test_run_stores_every_table_and_is_idempotent(tmp_path):
    make_docs(tmp_path / "in", 4)
    db = tmp_path / "a.sqlite"
    rep = run([str(tmp_path / "in")], db=str(db), config=settings())
    assert (rep.files_ok, rep.files_failed, rep.files_skipped) == (4, 0, 0)
    assert rep.exit_code == ExitCode.ok and rep.documents == 4 and rep.pages == 4
    first = counts(db)
    assert first["files"] == 4 and first["documents"] == 4 and first["documents_fts"] == 4
    assert first["tokens"] > 0 and first["refs"] == 4 and first["tasks"] == 4

    again = run([str(tmp_path / "in")], db=str(db), config=settings())
    assert (again.files_ok, again.files_skipped) == (0, 4)
    assert again.exit_code == ExitCode.ok
    assert counts(db) == first

    forced = run([str(tmp_path / "in")], db=str(db), config=settings(), force=True)
    assert forced.files_ok == 4
    assert counts(db) == first  # old rows replaced, not duplicated

    con = sqlite3.connect(db)
    runs = con.execute("SELECT run_id, files_ok, files_skipped, status FROM runs ORDER BY run_id").fetchall()
    assert runs == [(1, 4, 0, "done"), (2, 0, 4, "done"), (3, 4, 0, "done")]
    assert con.execute("SELECT count(*) FROM run_files").fetchone()[0] == 12


def test_changed_content_is_a_new_file_and_replaces_the_paths_failure(tmp_path):
    docs = make_docs(tmp_path / "in", 2)
    db = tmp_path / "a.sqlite"
    docs[0].write_text("")  # empty: fails
    rep = run([str(tmp_path / "in")], db=str(db), config=settings())
    assert (rep.files_ok, rep.files_failed) == (1, 1)
    assert rep.exit_code == ExitCode.some_files_failed
    docs[0].write_text(DOC.format(prov="Nghệ An", n=7), encoding="utf-8")
    rep = run([str(tmp_path / "in")], db=str(db), config=settings())
    assert (rep.files_ok, rep.files_skipped, rep.files_failed) == (1, 1, 0)
    con = sqlite3.connect(db)
    assert con.execute("SELECT status, count(*) FROM files GROUP BY status").fetchall() == [("ok", 2)]


def test_failed_file_is_retried_next_run(tmp_path):
    make_docs(tmp_path / "in", 2)
    (tmp_path / "in" / "bad.txt").write_text(DOC.format(prov="Sơn La", n=5) + "BOOM\n", encoding="utf-8")
    db = tmp_path / "a.sqlite"
    rep = run([str(tmp_path / "in")], db=str(db), config=settings("ocr", "raise_on_marker", "code_records"))
    bad = [f for f in rep.files if f.status == "failed"]
    assert [Path(f.path).name for f in bad] == ["bad.txt"]
    assert bad[0].error_kind == "internal" and "boom marker" in bad[0].error and "bad.txt" in bad[0].error
    rep = run([str(tmp_path / "in")], db=str(db), config=settings())
    assert (rep.files_ok, rep.files_skipped) == (1, 2)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM files WHERE status='ok'").fetchone()[0] == 3
    assert counts(db)["documents"] == 3


def test_duplicate_content_in_one_batch_is_processed_once(tmp_path):
    docs = make_docs(tmp_path / "in", 1)
    (tmp_path / "in" / "copy.txt").write_bytes(docs[0].read_bytes())
    rep = run([str(tmp_path / "in")], db=str(tmp_path / "a.sqlite"), config=settings())
    assert (rep.files_ok, rep.files_skipped) == (1, 1)
    assert "same content as" in [f for f in rep.files if f.status == "skipped"][0].error


def test_files_run_in_worker_processes_of_one_pool(tmp_path):
    make_docs(tmp_path / "in", 6)
    db = tmp_path / "a.sqlite"
    run([str(tmp_path / "in")], db=str(db), config=settings("ocr", "record_pid"))
    con = sqlite3.connect(db)
    pids = {json.loads(r[0])["pid"] for r in con.execute("SELECT reports_json FROM files")}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2  # jobs=2: one pool for the whole batch, not a pool per file


@pytest.mark.slow
def test_a_worker_that_dies_fails_only_its_file(tmp_path):
    make_docs(tmp_path / "in", 8)
    for name in ("a_crash.txt", "crash.txt"):  # one first in the batch (more submits follow the crash)
        (tmp_path / "in" / name).write_text(DOC.format(prov="Sơn La", n=9) + f"CRASH {name}\n", encoding="utf-8")
    db = tmp_path / "a.sqlite"
    rep = run([str(tmp_path / "in")], db=str(db), config=settings("ocr", "crash_on_marker", "code_records"))
    failed = {Path(f.path).name: f for f in rep.files if f.status == "failed"}
    assert sorted(failed) == ["a_crash.txt", "crash.txt"]
    assert {f.error_kind for f in failed.values()} == {"worker_crash"}
    assert "restore/extract" in failed["crash.txt"].error
    assert rep.files_ok == 8
    assert counts(db)["documents"] == 8


def test_text_out_and_report_json(tmp_path):
    make_docs(tmp_path / "in" / "sub", 2)
    out = tmp_path / "text"
    rep = run([str(tmp_path / "in")], db=str(tmp_path / "a.sqlite"),
              config=settings(**{"output.text_dir": str(out)}))
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt")) == ["sub/doc000.txt", "sub/doc001.txt"]
    assert "Số: 100-KH/UBND" in (out / "sub" / "doc000.txt").read_text(encoding="utf-8")
    rep.write_json(str(tmp_path / "r.json"))
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["files_ok"] == 2 and len(data["files"]) == 2 and data["exit_code"] == 0


def test_pages_keep_raw_and_restored_text(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Trang một\fTrang hai\n", encoding="utf-8")
    db = tmp_path / "a.sqlite"
    run([str(tmp_path / "in")], db=str(db), config=settings("ocr", "restore", jobs=1, **{"gate.accept_any": True}))
    con = sqlite3.connect(db)
    rows = con.execute("SELECT page, source, raw_text, text FROM pages ORDER BY page").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, "text", "Trang một"), (2, "text", "Trang hai")]
    assert all(r[3] for r in rows)
    n_words = len("Trang một".split()) + len("Trang hai".split())
    assert con.execute("SELECT count(*) FROM tokens").fetchone()[0] == n_words


def test_sohoaignore_and_the_archive_itself_are_left_out(tmp_path):
    make_docs(tmp_path / "in" / "gold", 2)
    make_docs(tmp_path / "in" / "scans" / "gold", 1)
    make_docs(tmp_path / "in" / "scans", 2, start=5)
    (tmp_path / "in" / "notes.md").write_text("# notes")
    (tmp_path / "in" / ".sohoaignore").write_text("# not documents\ngold/\n*.md\nscans/doc006.txt\n")
    found = [f.rel.as_posix() for f in discover([str(tmp_path / "in")])]
    assert found == ["scans/doc005.txt"]
    db = tmp_path / "in" / "a.sqlite"  # the archive inside the input folder: never an input
    (tmp_path / "in" / ".sohoaignore").unlink()
    rep = run([str(tmp_path / "in" / "scans")], db=str(db), config=settings())
    rep = run([str(tmp_path / "in")], db=str(db), config=settings())
    assert rep.files_failed == 0 and not any(f.path.endswith((".sqlite", "-wal", "-shm")) for f in rep.files)
