"""Benchmark of the archive back ends: files stored per second by one and by two concurrent writers,
and search latency over a few thousand synthetic documents, SQLite beside PostgreSQL.

usage: .venv/bin/python bench/archive.py [--files 400] [--docs 3000] [--pg postgresql://…]
Without --pg a throw-away PostgreSQL cluster is started (tests/pg_server.py: initdb + pg_ctl) and
removed at the end; the PostgreSQL column is left out when no server binaries are found.

Writers store what `sohoa run` stores for a two-page text file (files, pages, tokens, one document
with its signers, recipients, references, tasks and deadlines), one transaction per file with the
run's per-file claim, so the figures are the archive's share of a run, not OCR's.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sohoa.document import Document  # noqa: E402
from sohoa.pipeline.archive import Archive  # noqa: E402
from sohoa.pipeline.components import DocState  # noqa: E402
from sohoa.pipeline.locks import file_claim  # noqa: E402
from sohoa.pipeline.report import FileResult  # noqa: E402
from sohoa.record import Record  # noqa: E402

PROVINCES = ["Kiên Giang", "Bình Phước", "Lâm Đồng", "Đồng Tháp", "An Giang", "Cà Mau", "Nghệ An", "Thái Bình"]
PHRASES = ["Đảng ủy khối cơ quan", "Ủy ban nhân dân tỉnh", "phòng chống thiên tai", "chuyển đổi số",
           "cải cách hành chính", "Sở Y tế chủ trì", "phối hợp với Sở Tài chính", "báo cáo kết quả thực hiện",
           "Chỉ thị số 07-CT/TU", "kế hoạch triển khai", "tuyên truyền pháp luật", "an toàn giao thông",
           "giáo dục và đào tạo", "xây dựng nông thôn mới", "phát triển kinh tế", "bảo vệ môi trường"]
QUERIES = ["dang uy", "Ủy ban nhân dân", "phong chong thien tai", '"chuyen doi so"', "07-CT/TU", "so y te chu tri",
           "Lâm Đồng", "bao ve moi truong nong thon", "kinh te", "hanh chinh tuyen truyen"]


def synthetic(i: int) -> tuple[FileResult, DocState]:
    rnd = random.Random(i)
    prov = PROVINCES[i % len(PROVINCES)]
    body = ". ".join(rnd.choice(PHRASES) for _ in range(40))
    text = f"ỦY BAN NHÂN DÂN TỈNH {prov.upper()}\nSố: {i}/KH-UBND\n\nKẾ HOẠCH\n{body}.\f{body[::-1][:400]}"
    record = {"doc_type": "Kế hoạch", "number": str(i), "symbol": "KH-UBND", "code": f"{i}/KH-UBND",
              "issuer": f"Ủy ban nhân dân tỉnh {prov}", "place": prov, "date": f"20{20 + i % 5}-0{1 + i % 9}-1{i % 9}",
              "subject": rnd.choice(PHRASES), "recipients": ["Các sở, ban, ngành tỉnh", "Lưu VT"],
              "signers": [{"authority": "TM. UBND", "position": "Chủ tịch", "name": "Nguyễn Văn A"}],
              "references": [{"doc_type": "Chỉ thị", "code": "07-CT/TU", "date": None, "issuer": "Tỉnh ủy"}],
              "tasks": [{"assignee": "Sở Y tế", "role": "chủ trì", "partners": ["Sở Tài chính"], "action": "tổ chức",
                         "deadline": None}], "deadlines": [], "source": {"pages": [1, 2]}}
    doc = Document.from_text(f"doc{i:05d}.txt", text)
    sha = f"{i:064x}"
    result = FileResult(path=f"doc{i:05d}.txt", status="ok", sha256=sha, size=len(text), kind="text")
    return result, DocState(doc, records=[Record.from_dict(record)], timings={})


def _writer(db: str, ids: list[int], barrier: mp.Barrier, out: mp.Queue) -> None:
    items = [synthetic(i) for i in ids]
    with Archive(db, create=True) as a:
        locks = a.locks()
        run_id = a.start_run(["bench"])
        barrier.wait()
        t0 = time.perf_counter()
        stored = 0
        for r, state in items:
            if not locks.acquire(file_claim(r.sha256)):
                continue
            try:
                if not a.is_done(r.sha256):
                    a.store_file(r, state, run_id=run_id)
                    stored += 1
            finally:
                locks.release(file_claim(r.sha256))
        out.put((stored, time.perf_counter() - t0))
        locks.release_all()


def files_per_second(db: str, n: int, writers: int) -> float:
    """Wall-clock files/s of `writers` processes storing n different files between them."""
    Archive(db, create=True).close()
    barrier = mp.Barrier(writers)
    out: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_writer, args=(db, list(range(w, n, writers)), barrier, out)) for w in range(writers)]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    stored = sum(r[0] for r in results)
    assert stored == n, (stored, n)
    return n / max(r[1] for r in results)


def fill(db: str, n: int) -> None:
    with Archive(db, create=True) as a:
        for i in range(n):
            a.store_file(*synthetic(100_000 + i))


def search_latency(db: str, repeat: int = 5) -> tuple[float, float, int]:
    """(median ms, p95 ms, hits of the first query) over QUERIES × repeat."""
    times = []
    with Archive(db, readonly=True) as a:
        hits = len(a.search(QUERIES[0], limit=20))
        for _ in range(repeat):
            for q in QUERIES:
                t0 = time.perf_counter()
                a.search(q, limit=20)
                times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], hits


def bench(label: str, make_db, files: int, docs: int) -> dict[str, str]:
    one = files_per_second(make_db("w1"), files, 1)
    two = files_per_second(make_db("w2"), files, 2)
    db = make_db("search")
    t0 = time.perf_counter()
    fill(db, docs)
    fill_s = time.perf_counter() - t0
    med, p95, hits = search_latency(db)
    return {"back end": label, "1 writer (files/s)": f"{one:.0f}", "2 writers (files/s)": f"{two:.0f}",
            f"store {docs} docs (s)": f"{fill_s:.1f}", "search median (ms)": f"{med:.1f}",
            "search p95 (ms)": f"{p95:.1f}", "hits": str(hits)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=400, help="files stored by the writers")
    ap.add_argument("--docs", type=int, default=3000, help="documents searched")
    ap.add_argument("--pg", help="a PostgreSQL server URL whose role may create databases (default: a throw-away one)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    rows = [bench("SQLite", lambda name: str(tmp / f"{name}.sqlite"), args.files, args.docs)]
    server = None
    try:
        if args.pg:
            base = args.pg
        else:
            from tests.pg_server import PgServer, missing_reason

            if missing_reason():
                print(f"PostgreSQL left out: {missing_reason()}", file=sys.stderr)
                base = None
            else:
                server = PgServer().start()
                base = server.url()
        if base:
            import psycopg

            def make_pg(name: str) -> str:
                dbname = f"sohoa_bench_{name}"
                with psycopg.connect(base, autocommit=True) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
                    c.execute(f'CREATE DATABASE "{dbname}"')
                head, _, rest = base.partition("?")
                return head.rsplit("/", 1)[0] + f"/{dbname}" + (f"?{rest}" if rest else "")

            rows.append(bench("PostgreSQL", make_pg, args.files, args.docs))
    finally:
        if server is not None:
            server.stop()
    cols = list(rows[0])
    width = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
    print(" | ".join(c.ljust(width[c]) for c in cols))
    print("-|-".join("-" * width[c] for c in cols))
    for r in rows:
        print(" | ".join(r[c].ljust(width[c]) for c in cols))
    print(f"({args.files} files per writer test, {args.docs} documents searched, {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
