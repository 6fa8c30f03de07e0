"""Several writers on one PostgreSQL archive: two `sohoa run` processes over the same folder and over
overlapping folders, a Dask run beside a local one, and kill -9 of a writer — every file ends up
stored once, whole, with nothing partial or duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sohoa.pipeline.archive import Archive
from tests.test_run import make_docs
from tests.test_run_components import stages

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _toml(path: Path, *stage_names: str, jobs: int = 2, extra: str = "") -> Path:
    items = ", ".join(f'"{s}"' for s in stages(*stage_names))
    path.write_text(f"jobs = {jobs}\nstages = [{items}]\n{extra}[restore]\nenabled = false\n", encoding="utf-8")
    return path


def _run(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sohoa.pipeline.cli", "run", *args], cwd=ROOT, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _stored(url: str) -> int:
    try:
        with Archive(url, readonly=True, timeout=5) as a:
            return int(a.query("SELECT count(*) AS n FROM files WHERE status = 'ok'").n[0])
    except Exception:  # noqa: BLE001 — not created yet
        return 0


def _wait_stored(url: str, n: int, proc: subprocess.Popen, limit: float = 90) -> None:
    deadline = time.time() + limit
    while _stored(url) < n and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)


def _one(a: Archive, sql: str) -> int:
    return int(a.query(sql).iloc[0, 0])


def _check_every_file_once(url: str, n: int) -> Archive:
    a = Archive(url, readonly=True)
    assert _one(a, "SELECT count(*) FROM files") == n
    assert _one(a, "SELECT count(*) FROM files WHERE status = 'ok'") == n
    assert _one(a, "SELECT count(DISTINCT sha256) FROM files") == n
    assert _one(a, "SELECT count(*) FROM documents") == n
    assert _one(a, "SELECT count(*) FROM pages") == n
    assert _one(a, "SELECT count(*) FROM (SELECT file_id FROM documents GROUP BY file_id HAVING count(*) > 1) x") == 0
    assert _one(a, "SELECT count(*) FROM refs") == n and _one(a, "SELECT count(*) FROM tasks") == n
    assert _one(a, "SELECT count(*) FROM documents d LEFT JOIN pages p USING (file_id) WHERE p.file_id IS NULL") == 0
    assert len(a.search("chi thi 07-CT/TU", limit=1000)) == n
    return a


@pytest.mark.slow
def test_two_runs_on_the_same_folder_share_the_work(pg_url, tmp_path):
    n = 100  # enough work (0.15 s a file) that the second run, started later, gets a share under load
    make_docs(tmp_path / "in", n)
    cfg = _toml(tmp_path / "slow.toml", "ocr", "slow", "code_records")
    first = _run(str(tmp_path / "in"), "--db", pg_url, "--config", str(cfg))
    _wait_stored(pg_url, 1, first)
    second = _run(str(tmp_path / "in"), "--db", pg_url, "--config", str(cfg))
    for proc in (first, second):
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    with _check_every_file_once(pg_url, n) as a:
        assert _one(a, "SELECT count(*) FROM run_files WHERE status = 'ok'") == n  # each file done by one run
        per_run = a.query("SELECT run_id, count(*) FILTER (WHERE status = 'ok') AS ok FROM run_files GROUP BY run_id")
        assert len(per_run) == 2 and (per_run.ok > 0).all(), per_run  # both worked, in parallel
        assert a.runs().status.unique().tolist() == ["done"]


@pytest.mark.slow
def test_two_runs_on_overlapping_folders_store_each_content_once(pg_url, tmp_path):
    make_docs(tmp_path / "a", 20)                 # doc000 … doc019
    make_docs(tmp_path / "b", 20, start=10)       # doc010 … doc029: ten of them the same content as in a/
    cfg = _toml(tmp_path / "slow.toml", "ocr", "slow", "code_records")
    runs = [_run(str(tmp_path / d), "--db", pg_url, "--config", str(cfg)) for d in ("a", "b")]
    for proc in runs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    with _check_every_file_once(pg_url, 30) as a:
        skipped = a.query("SELECT error FROM run_files WHERE status = 'skipped'").error.tolist()
        assert len(skipped) == 10  # the shared ten: done by one run, skipped by the other
        assert all(e in (None, "stored meanwhile by another run on this archive") for e in skipped), skipped


@pytest.mark.slow
def test_a_dask_run_and_a_local_run_write_one_archive(pg_url, tmp_path):
    pytest.importorskip("distributed")
    make_docs(tmp_path / "in", 16)
    local = _toml(tmp_path / "local.toml", "ocr", "slow", "code_records")
    dask = _toml(tmp_path / "dask.toml", "ocr", "slow", "code_records", extra='executor = "dask"\n')
    runs = [_run(str(tmp_path / "in"), "--db", pg_url, "--config", str(c)) for c in (dask, local)]
    for proc in runs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    with _check_every_file_once(pg_url, 16) as a:
        assert _one(a, "SELECT count(*) FROM run_files WHERE status = 'ok'") == 16


@pytest.mark.slow
def test_kill_9_of_a_writer_leaves_nothing_partial_and_the_next_run_completes(pg_url, tmp_path):
    n = 40
    make_docs(tmp_path / "in", n)
    slow = _toml(tmp_path / "slow.toml", "ocr", "slow", "code_records")
    proc = _run(str(tmp_path / "in"), "--db", pg_url, "--config", str(slow))
    _wait_stored(pg_url, 4, proc)
    assert proc.poll() is None, proc.stderr.read().decode()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    with Archive(pg_url, readonly=True) as a:
        partial = _one(a, "SELECT count(*) FROM files")
        assert 4 <= partial < n
        # whatever was committed is whole: every stored file has its page, document and references
        assert _one(a, "SELECT count(*) FROM documents") == partial == _one(a, "SELECT count(*) FROM pages")
    fast = _toml(tmp_path / "fast.toml", "ocr", "code_records")
    done = subprocess.run([sys.executable, "-m", "sohoa.pipeline.cli", "run", str(tmp_path / "in"), "--db", pg_url,
                           "--config", str(fast)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with _check_every_file_once(pg_url, n) as a:
        assert a.runs().status.tolist() == ["interrupted", "done"]  # the killed run's lock went with it


def test_a_claim_held_by_another_session_is_seen_and_released_when_it_ends(pg_url):
    from sohoa.pipeline.locks import file_claim

    with Archive(pg_url, create=True) as first, Archive(pg_url) as second:
        mine, theirs = first.locks(), second.locks()
        assert mine.acquire(file_claim("a" * 64))
        assert not theirs.acquire(file_claim("a" * 64)) and theirs.is_held_elsewhere(file_claim("a" * 64))
        assert theirs.acquire(file_claim("b" * 64))  # another file: free
        first.close()  # the session ends (as when its process is killed): its claims go with it
        # the server ends the closed session's backend a moment after the client has gone
        deadline = time.monotonic() + 10
        while not theirs.acquire(file_claim("a" * 64)):
            assert time.monotonic() < deadline, "the closed session's claim was never released"
            time.sleep(0.05)
        theirs.release_all()


def test_two_writers_creating_the_schema_at_once(pg_url):
    from concurrent.futures import ThreadPoolExecutor

    def open_close(_: int) -> int:
        with Archive(pg_url, create=True) as a:
            return a.schema_version()

    with ThreadPoolExecutor(4) as pool:
        assert len(set(pool.map(open_close, range(4)))) == 1



HALF_WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from sohoa.pipeline.archive import Archive
from sohoa.pipeline.locks import file_claim
from tests.test_archive import result, state_for

a = Archive({url!r})
locks = a.locks()
assert locks.acquire(file_claim("f" * 64))

def stuck(*args, **kwargs):
    print("pages written, document next", flush=True)
    time.sleep(600)

a._insert_document = stuck
a.store_file(result(), state_for("Số 46-KH/BTGTU\\fTrang hai"))
"""


def test_a_writer_killed_inside_its_transaction_leaves_nothing(pg_url):
    from sohoa.pipeline.locks import file_claim

    claim = file_claim("f" * 64)
    with Archive(pg_url, create=True):
        pass
    proc = subprocess.Popen([sys.executable, "-c", HALF_WRITER.format(root=str(ROOT), url=pg_url)], cwd=ROOT,
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "pages written" in line, proc.stderr.read()
    with Archive(pg_url) as a:
        assert a.locks().is_held_elsewhere(claim)  # the claim is held meanwhile
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.time() + 10  # the server notices the closed connection and rolls back
        while a.locks().is_held_elsewhere(claim) and time.time() < deadline:
            time.sleep(0.1)
        assert not a.locks().is_held_elsewhere(claim)
        assert _counts_all(a) == {"files": 0, "pages": 0, "tokens": 0, "documents": 0, "file_paths": 0}


def _counts_all(a: Archive) -> dict[str, int]:
    return {t: _one(a, f"SELECT count(*) FROM {t}") for t in ("files", "pages", "tokens", "documents", "file_paths")}
