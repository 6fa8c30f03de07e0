"""`sohoa backup`: a consistent single-file copy while the archive's recent writes sit in its -wal
file, and the checkpoint at the end of a run."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from sohoa.errors import DatabaseError, ExitCode
from sohoa.pipeline.archive import Archive
from sohoa.pipeline.cli import main
from sohoa.pipeline.report import RunReport
from tests.test_archive import result, state_for


def _count(path: Path) -> int:
    """Documents in the file alone (0 when even the schema has not reached it)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            return 0
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture()
def busy_archive(tmp_path: Path):
    """An archive with one stored file whose pages are still only in the -wal file (a writer
    holds it open with automatic checkpoints off, as during a long run)."""
    db = tmp_path / "a.sqlite"
    writer = Archive(db, create=True)
    writer.conn.execute("PRAGMA wal_autocheckpoint = 0")
    writer.store_file(result(), state_for("Kế hoạch số 46-KH/BTGTU"))
    yield db, writer
    writer.close()


def test_backup_copies_what_only_the_wal_holds(busy_archive, tmp_path):
    db, _writer = busy_archive
    assert Path(str(db) + "-wal").stat().st_size > 0
    naive = tmp_path / "naive.sqlite"
    shutil.copy(db, naive)  # the archive file alone, without its -wal: the stored file is not in it
    assert _count(naive) == 0
    out = tmp_path / "copy" / "backup.sqlite"
    with Archive(db, readonly=True) as a:
        assert a.backup(out) == out
    assert not Path(str(out) + "-wal").exists() and not out.with_name(out.name + ".tmp").exists()
    assert _count(out) == 1
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with Archive(out, readonly=True) as b:  # still a sohoa archive
        assert len(b.documents()) == 1


def test_backup_refuses_existing_file_and_itself(busy_archive, tmp_path):
    db, _writer = busy_archive
    out = tmp_path / "b.sqlite"
    out.write_bytes(b"keep me")
    with Archive(db, readonly=True) as a:
        with pytest.raises(DatabaseError, match="exists"):
            a.backup(out)
        assert out.read_bytes() == b"keep me"
        with pytest.raises(DatabaseError, match="itself"):
            a.backup(db, force=True)
        a.backup(out, force=True)
    assert _count(out) == 1


def test_cli_backup(busy_archive, tmp_path, capsys):
    db, _writer = busy_archive
    out = tmp_path / "cli.sqlite"
    assert main(["backup", "--db", str(db), str(out)]) == ExitCode.ok
    assert capsys.readouterr().out.strip() == str(out)
    assert _count(out) == 1
    assert main(["backup", "--db", str(db), str(out)]) == ExitCode.database
    assert "exists" in capsys.readouterr().err


def test_finish_run_checkpoints_the_wal(tmp_path):
    db = tmp_path / "a.sqlite"
    with Archive(db, create=True) as a:
        a.conn.execute("PRAGMA wal_autocheckpoint = 0")
        run = a.start_run(["run"])
        a.store_file(result(), state_for("Kế hoạch số 46-KH/BTGTU"), run_id=run)
        assert Path(str(db) + "-wal").stat().st_size > 0
        a.finish_run(RunReport(run_id=run))
        assert Path(str(db) + "-wal").stat().st_size == 0
        assert _count(db) == 1  # the archive file alone is complete
