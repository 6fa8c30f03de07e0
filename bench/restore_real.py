"""Restoration measured on the real scanned pages of ../shared/dev/real (part of bench/restore.py).

- harm / benefit: the pages read by Tesseract `vie` (`tesseract IMG - -l vie --psm 4`), restored, and
  every changed token judged against the proof-read ground truth (normalize.harm): fixed vs broken;
- real garble: `restore_pairs.tsv` (the pages read by the English-only engine) through the shared
  scorer, sohoa beside raw OCR and pyvi.

Tesseract's readings are cached (key: image bytes, arguments, Tesseract version), so a second run
costs only the restoration.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sohoa.normalize.harm import HarmReport, harm_benefit

PAGES = ("nd28_2021_p1", "nd28_2021_p8", "nd155_2020_p1", "hd_muaban_2020_p1", "hd_muaban_2020_p2")
HARM_TARGET = 1 / 20  # at most one token broken per 20 fixed
# pyvi puts marks on text stripped of them; the filter command the shared scorers run
PYVI_FILTER = (
    "import sys\nfrom pyvi import ViUtils\nfrom sohoa.normalize.vnsyl import strip_marks\n"
    "lines = sys.stdin.read().split('\\n')\nif lines[-1] == '':\n    lines.pop()\n"
    "for x in lines:\n"
    "    try:\n        print(ViUtils.add_accents(strip_marks(x)))\n"
    "    except KeyError:\n        print(strip_marks(x))\n"
)


def tesseract_version() -> str:
    p = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    return (p.stdout or p.stderr).split("\n")[0].strip()


def read_page(image: Path, args: list[str], cache_dir: Path) -> str:
    """`tesseract IMAGE - ARGS…` text, cached on disk."""
    key = hashlib.sha1(image.read_bytes() + repr((args, tesseract_version())).encode()).hexdigest()[:20]
    cached = cache_dir / f"{image.stem}.{key}.txt"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    p = subprocess.run(["tesseract", str(image), "-", *args], capture_output=True, text=True,
                       env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    if p.returncode:
        raise RuntimeError(f"tesseract failed on {image}: {p.stderr.strip()[-300:]}")
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached.write_text(p.stdout, encoding="utf-8")
    return p.stdout


def harm_on_pages(real_dir: Path, restore: Callable[[list[str]], list[str]], cache_dir: Path,
                  lang: str = "vie") -> dict[str, HarmReport]:
    """Per page: the harm / benefit report of `restore` on Tesseract's reading of the page."""
    out = {}
    for name in PAGES:
        raw = read_page(real_dir / f"{name}.jpg", ["-l", lang, "--psm", "4"], cache_dir).split("\n")
        truth = (real_dir / f"{name}.gt.txt").read_text(encoding="utf-8")
        out[name] = harm_benefit(raw, restore(raw), truth)
    return out


def print_harm(title: str, reports: dict[str, HarmReport], previous: str = "", examples: int = 12) -> None:
    total = HarmReport()
    print(title)
    print(f"  {'page':20s} {'tokens':>6s} {'aligned':>7s} {'fixed':>5s} {'broken':>6s} {'other':>5s} "
          f"{'missed':>6s} {'unaligned changed':>17s}")
    for name, r in reports.items():
        total.add(r)
        print(f"  {name:20s} {r.tokens:6d} {r.aligned:7d} {r.fixed:5d} {r.broken:6d} {r.still_wrong:5d} "
              f"{r.missed:6d} {r.changed_unaligned:17d}")
    print(f"  {'all':20s} {total.tokens:6d} {total.aligned:7d} {total.fixed:5d} {total.broken:6d} "
          f"{total.still_wrong:5d} {total.missed:6d} {total.changed_unaligned:17d}")
    verdict = "met" if total.broken_per_fixed <= HARM_TARGET else "NOT met"
    print(f"  broken per fixed: {total.broken_per_fixed:.3f} ({_per(total)})   target <= {HARM_TARGET:.3f}"
          f" (1 per 20): {verdict}{previous}")
    if examples and total.broken_examples:
        shown = ", ".join(f"{o}→{r} (truth {t})" + (f" ×{n}" if n > 1 else "")
                          for (o, r, t), n in total.broken_examples.most_common(examples))
        print(f"  broken: {shown}")


def _per(r: HarmReport) -> str:
    return f"1 broken per {r.fixed / r.broken:.1f} fixed" if r.broken else "none broken"


def pairs_ser(shared: Path, cmd: list[str], root: str) -> str:
    """SER of a restoring command on restore_pairs.tsv (the shared scorer's last line)."""
    real = shared / "dev" / "real"
    p = subprocess.run([sys.executable, str(real / "score_restore.py"), str(real / "restore_pairs.tsv"), "--", *cmd],
                       capture_output=True, text=True, cwd=root, env={**os.environ, "PYTHONPATH": root})
    lines = p.stdout.strip().split("\n")
    return lines[-1].replace("SER=", "") if lines and lines[-1].startswith("SER=") else "failed"
