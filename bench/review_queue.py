"""How long the review queue and a document page take on an archive (copied: the original is not
touched), with its documents optionally multiplied to see how the queue scales.

    .venv/bin/python bench/review_queue.py --db archive.sqlite --copies 100
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from starlette.testclient import TestClient

from sohoa.pipeline.archive import Archive
from sohoa.pipeline.review.app import create_app


def multiply(db: Path, copies: int) -> None:
    """Each document `copies` times more (same file and text, new seq), as a bigger archive would be."""
    conn = sqlite3.connect(db)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(documents)") if r[1] not in ("doc_id", "seq")]
    top = conn.execute("SELECT max(seq) FROM documents").fetchone()[0] or 0
    for k in range(1, copies):
        conn.execute(f"INSERT INTO documents ({', '.join(cols)}, seq) SELECT {', '.join(cols)}, seq + ? FROM documents"
                     " WHERE seq <= ?", (k * (top + 1), top))
    conn.commit()
    conn.close()


def timed(c: TestClient, url: str, n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        assert c.get(url).status_code == 200, url
        times.append(time.perf_counter() - t)
    return times[0], statistics.median(times[1:] or times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp()) / "archive.sqlite"
    shutil.copy(args.db, work)
    Archive(work).close()  # migrated to the current schema
    if args.copies > 1:
        multiply(work, args.copies)
    n_docs = sqlite3.connect(work).execute("SELECT count(*) FROM documents").fetchone()[0]
    c = TestClient(create_app(work), base_url="http://127.0.0.1:8765")
    first, median = timed(c, "/", args.repeat)
    print(f"{n_docs} documents: queue first {first:.3f} s, then median {median:.3f} s")
    doc_id = sqlite3.connect(work).execute("SELECT doc_id FROM documents ORDER BY doc_id LIMIT 1").fetchone()[0]
    first, median = timed(c, f"/doc/{doc_id}", args.repeat)
    print(f"document page first {first:.3f} s, then median {median:.3f} s")


if __name__ == "__main__":
    main()
