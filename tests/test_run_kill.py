"""kill -9 in the middle of `sohoa run`, then run again: no duplicate and no partial rows."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_run import make_docs
from tests.test_run_components import stages

ROOT = Path(__file__).resolve().parent.parent
SOHOA = Path(sys.executable).parent / "sohoa"


def _toml(path: Path, stage_names: list[str]) -> Path:
    items = ", ".join(f'"{s}"' for s in stage_names)
    path.write_text(f"jobs = 2\nstages = [{items}]\n[restore]\nenabled = false\n", encoding="utf-8")
    return path


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(db, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM files WHERE status = 'ok'").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:  # schema not created yet
        return 0


@pytest.mark.slow
def test_kill_9_mid_run_then_rerun_leaves_no_duplicates(tmp_path):
    n = 60
    make_docs(tmp_path / "in", n)
    db = tmp_path / "a.sqlite"
    slow_cfg = _toml(tmp_path / "slow.toml", stages("ocr", "slow", "code_records"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [str(SOHOA) if SOHOA.exists() else sys.executable, *([] if SOHOA.exists() else ["-m", "sohoa.pipeline.cli"])]
    proc = subprocess.Popen([*cmd, "run", str(tmp_path / "in"), "--db", str(db), "--config", str(slow_cfg)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.time() + 60
    while _stored(db) < 5 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, f"run ended before it could be killed: {proc.stderr.read().decode()}"
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes, mid-way
    proc.wait(timeout=30)
    partial = _stored(db)
    assert 5 <= partial < n

    fast_cfg = _toml(tmp_path / "fast.toml", stages("ocr", "code_records"))
    done = subprocess.run([*cmd, "run", str(tmp_path / "in"), "--db", str(db), "--config", str(fast_cfg)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr

    con = sqlite3.connect(db)
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    assert one("SELECT count(*) FROM files") == n
    assert one("SELECT count(*) FROM files WHERE status = 'ok'") == n
    assert one("SELECT count(*) FROM documents") == n
    assert one("SELECT count(*) FROM documents_fts") == n
    assert one("SELECT count(*) FROM pages") == n
    assert one("SELECT count(*) FROM (SELECT file_id FROM documents GROUP BY file_id HAVING count(*) > 1)") == 0
    assert one("SELECT count(*) FROM refs") == n and one("SELECT count(*) FROM tasks") == n
    assert one("SELECT count(*) FROM documents d LEFT JOIN pages p USING (file_id) WHERE p.file_id IS NULL") == 0
    # The second run skipped exactly what the first one had committed before it was killed.
    skipped, ok = con.execute(
        "SELECT sum(status = 'skipped'), sum(status = 'ok') FROM run_files WHERE run_id = 2").fetchone()
    assert skipped >= partial and skipped + ok == n
    # never finished; its lock was released with its process, so the second run marked it
    assert one("SELECT status FROM runs WHERE run_id = 1") == "interrupted"
    assert one("SELECT status FROM runs WHERE run_id = 2") == "done"
    assert one("PRAGMA integrity_check") == "ok"


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_stops_the_run_keeps_what_is_stored_and_exits_130(tmp_path, how):
    make_docs(tmp_path / "in", 40)
    db = tmp_path / "a.sqlite"
    cfg = _toml(tmp_path / "slow.toml", stages("ocr", "slow", "code_records"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "sohoa.pipeline.cli", "run", str(tmp_path / "in"), "--db", str(db), "--config", str(cfg)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.time() + 60
    while _stored(db) < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
    else:
        proc.send_signal(signal.SIGTERM)  # docker stop / systemd: the main process only
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "interrupted" in err.decode()
    con = sqlite3.connect(db)
    status, files_ok = con.execute("SELECT status, files_ok FROM runs").fetchone()
    stored = con.execute("SELECT count(*) FROM files WHERE status = 'ok'").fetchone()[0]
    assert status == "interrupted" and 3 <= stored < 40
    assert stored - 1 <= files_ok <= stored  # Ctrl-C may land between a commit and the report's count
