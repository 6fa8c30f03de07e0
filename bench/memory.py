"""Peak memory of `sohoa run` against input size: 1, 10 and 50 MB of text and a 100-page scanned PDF.

    python bench/memory.py                 # all cases, -j 1 for texts (one worker), -j 2 for the PDF
    python bench/memory.py --cases 1 10    # only these text sizes (MB); `pdf` for the 100-page PDF
    python bench/memory.py --max-text-mb 60   # raise limits.max_text_mb to see what a 50 MB text costs

Each case is a fresh `sohoa run` in a subprocess; its processes (the main process, the fork server,
the workers) are polled every 0.1 s for their peak resident size (VmHWM in /proc). The text is the
samples' gold text repeated (directives, form feeds between pages). With the default limits a 50 MB
text fails at once as `too_large` (limits.max_text_mb = 10), which is what the table shows.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "data/samples/gold"
SCAN = ROOT / "data/samples/kh_huyenuy_duclinh.png"


def make_text(path: Path, mb: float) -> Path:
    blob = "\f".join(p.read_text(encoding="utf-8") for p in sorted(GOLD.glob("*.txt")))
    size = len(blob.encode())
    reps = max(1, round(mb * 1e6 / size))
    path.write_text("\f".join([blob] * reps), encoding="utf-8")
    return path


def make_scan_pdf(path: Path, pages: int) -> Path:
    """A scanned PDF: one sample page image repeated, each copy shifted by a few pixels."""
    from PIL import Image, ImageChops

    base = Image.open(SCAN).convert("L")
    frames = [ImageChops.offset(base, i % 7, i % 5) for i in range(pages)]
    frames[0].save(path, "PDF", resolution=300, save_all=True, append_images=frames[1:])
    return path


def _children(root: int, parents: dict[int, int]) -> set[int]:
    parents.clear()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p and c not in found]
        found.update(kids)
        frontier.extend(kids)
    return found


def _hwm_mb(pid: int) -> tuple[str, float] | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return cmd, int(line.split()[1]) / 1024
    return None


def measure(inp: Path, db: Path, extra: list[str], jobs: int = 1) -> dict:
    cmd = [sys.executable, "-m", "sohoa.pipeline.cli", "run", str(inp), "--db", str(db), "-j", str(jobs),
           "--report", str(db) + ".json", *extra]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, tuple[str, float]] = {}
    parents: dict[int, int] = {}
    seen_parents: dict[int, int] = {}
    while proc.poll() is None:
        for pid in _children(proc.pid, seen_parents):
            parents.setdefault(pid, seen_parents[pid])
            got = _hwm_mb(pid)
            if got and got[1] > peaks.get(pid, ("", 0.0))[1]:
                peaks[pid] = got
        time.sleep(0.1)
    seconds = time.perf_counter() - t0
    err = proc.stderr.read() if proc.stderr else ""
    main = peaks.get(proc.pid, ("", 0.0))[1]
    # the workers are the fork server's children (the fork server is a child of the main process)
    workers = [mb for pid, (c, mb) in peaks.items() if parents.get(pid) not in (None, proc.pid)
               and parents.get(pid) in peaks and "tesseract" not in c]
    import json

    try:
        rep = json.loads(Path(str(db) + ".json").read_text())
        f = rep["files"][0]
        outcome = f["status"] + (f" ({f['error_kind']})" if f.get("error_kind") else "")
    except (OSError, ValueError, KeyError, IndexError):
        outcome = f"exit {proc.returncode}: {err.strip().splitlines()[-1] if err.strip() else ''}"
    return {"main": main, "worker": max(workers, default=0.0), "seconds": seconds, "outcome": outcome,
            "exit": proc.returncode}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", nargs="*", default=["1", "10", "50", "pdf"])
    ap.add_argument("--max-text-mb", type=float, help="limits.max_text_mb for the runs (default: the setting's)")
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--pdf-jobs", type=int, default=2, help="workers for the PDF case (its pages are OCR'd in parallel)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        extra: list[str] = []
        if args.max_text_mb:
            cfg = t / "sohoa.toml"
            cfg.write_text(f"[limits]\nmax_text_mb = {args.max_text_mb}\n", encoding="utf-8")
            extra = ["--config", str(cfg)]
        for case in args.cases:
            if case == "pdf":
                inp, label = make_scan_pdf(t / f"scan{args.pages}.pdf", args.pages), f"{args.pages}-page scanned PDF"
            else:
                inp, label = make_text(t / f"text{case}mb.txt", float(case)), f"{case} MB text"
            size = inp.stat().st_size / 1e6
            r = measure(inp, t / f"{case}.sqlite", extra, args.pdf_jobs if case == "pdf" else 1)
            rows.append((label, size, r))
            print(f"{label}: {r}", file=sys.stderr, flush=True)
    print("| input | size (MB) | peak RSS worker (MB) | peak RSS main (MB) | seconds | outcome |")
    print("|---|---:|---:|---:|---:|---|")
    for label, size, r in rows:
        worker = f"{r['worker']:.0f}" if r['worker'] else "—"
        print(f"| {label} | {size:.1f} | {worker} | {r['main']:.0f} | {r['seconds']:.1f} | {r['outcome']} |")


if __name__ == "__main__":
    main()
