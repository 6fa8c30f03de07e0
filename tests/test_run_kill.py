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

from tests.test_run import DOC, make_docs
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


def _session_pids(sid: int) -> set[int]:
    """Live processes of the session `sid` (a run started with start_new_session: its workers,
    the fork server, Tesseract)."""
    out = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != b"Z":
            out.add(int(entry.name))
    return out


def _sohoa(*args: str) -> list[str]:
    return [sys.executable, "-m", "sohoa.pipeline.cli", *args]


@pytest.mark.slow
def test_kill_9_of_the_main_process_alone_leaves_no_worker_behind(tmp_path):
    make_docs(tmp_path / "in", 40)
    db = tmp_path / "a.sqlite"
    cfg = _toml(tmp_path / "slow.toml", stages("ocr", "slow", "code_records"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(_sohoa("run", str(tmp_path / "in"), "--db", str(db), "--config", str(cfg)),
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 60
    while _stored(db) < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert len(_session_pids(proc.pid) - {proc.pid}) >= 2  # the fork server and the workers
    proc.send_signal(signal.SIGKILL)  # the main process only, as the OOM killer would
    proc.wait(timeout=10)
    t0 = time.time()
    while _session_pids(proc.pid) and time.time() - t0 < 10:
        time.sleep(0.1)
    left = _session_pids(proc.pid)
    for pid in left:  # clean up before failing
        os.kill(pid, signal.SIGKILL)
    assert not left, f"orphans after kill -9 of the main process: {left}"


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_a_stop_does_not_wait_for_long_jobs_and_keeps_the_finished_files(tmp_path, how):
    make_docs(tmp_path / "in", 6)
    for i in range(2):  # two files that would keep both workers busy for a minute
        (tmp_path / "in" / f"z_long{i}.txt").write_text(DOC.format(prov="Sơn La", n=900 + i) + "SLEEP\n",
                                                      encoding="utf-8")
    db = tmp_path / "a.sqlite"
    cfg = _toml(tmp_path / "c.toml", stages("ocr", "sleep_on_marker", "code_records"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(_sohoa("run", str(tmp_path / "in"), "--db", str(db), "--config", str(cfg)),
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.time() + 60
    while _stored(db) < 6 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)  # both long jobs are running now
    t0 = time.time()
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    stopped_in = time.time() - t0
    assert proc.returncode == 130, err.decode()
    assert stopped_in < 15, f"took {stopped_in:.1f} s to stop"  # the long jobs sleep 60 s
    con = sqlite3.connect(db)
    assert con.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"
    assert con.execute("SELECT count(*) FROM files WHERE status = 'ok'").fetchone()[0] == 6
    t1 = time.time()  # the workers end with the main process: give them a moment to notice
    while _session_pids(proc.pid) and time.time() - t1 < 5:
        time.sleep(0.1)
    assert not _session_pids(proc.pid)


@pytest.mark.slow
def test_two_runs_on_one_archive_never_both_do_the_same_file(tmp_path):
    n = 60
    make_docs(tmp_path / "in", n)
    db = tmp_path / "a.sqlite"
    cfg = _toml(tmp_path / "slow.toml", stages("ocr", "slow", "code_records"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = _sohoa("run", str(tmp_path / "in"), "--db", str(db), "--config", str(cfg))
    first = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while _stored(db) < 1 and time.time() < deadline:
        time.sleep(0.02)
    second = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for proc in (first, second):
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    con = sqlite3.connect(db)
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    assert one("SELECT count(*) FROM files WHERE status = 'ok'") == n
    # each file was done (ok) by exactly one of the two runs; the other skipped it
    assert one("SELECT count(*) FROM run_files WHERE status = 'ok'") == n
    per_run = dict(con.execute("SELECT run_id, sum(status = 'ok') FROM run_files GROUP BY run_id").fetchall())
    assert len(per_run) == 2 and all(v > 0 for v in per_run.values()), per_run  # both worked, in parallel
    assert one("SELECT count(*) FROM documents") == n
    assert con.execute("SELECT DISTINCT status FROM runs").fetchall() == [("done",)]


HANGING_TESSERACT = """#!{python}
import sys, time
if "--list-langs" in sys.argv:
    print("List of available languages in \\"/fake\\" (3):\\neng\\nosd\\nvie")
    sys.exit(0)
time.sleep(300)
"""


@pytest.mark.slow
def test_kill_9_of_the_main_process_ends_the_workers_tesseract_too(tmp_path):
    from tests.gate_fixtures import POSTER_VI, text_image

    exe = tmp_path / "tesseract"
    exe.write_text(HANGING_TESSERACT.format(python=sys.executable), encoding="utf-8")
    exe.chmod(0o755)
    (tmp_path / "in").mkdir()
    for i in range(2):
        text_image(POSTER_VI[i:]).save(tmp_path / "in" / f"scan{i}.png", dpi=(300, 300))
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'jobs = 2\n[ocr]\norientation = false\ntesseract_cmd = "{exe}"\n', encoding="utf-8")
    proc = subprocess.Popen(_sohoa("run", str(tmp_path / "in"), "--db", str(tmp_path / "a.sqlite"), "--config", str(cfg)),
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)

    deadline = time.time() + 60
    while time.time() < deadline and _count_cmd(proc.pid, b"/tesseract\0") < 2:
        time.sleep(0.1)
    assert _count_cmd(proc.pid, b"/tesseract\0") == 2  # both pages are in a (hanging) Tesseract
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    t0 = time.time()
    while _session_pids(proc.pid) and time.time() - t0 < 10:
        time.sleep(0.1)
    left = _session_pids(proc.pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"left running after kill -9 of the main process: {left}"


def _count_cmd(sid: int, word: bytes) -> int:
    n = 0
    for pid in _session_pids(sid):
        try:
            if word in Path(f"/proc/{pid}/cmdline").read_bytes():
                n += 1
        except OSError:
            continue
    return n
