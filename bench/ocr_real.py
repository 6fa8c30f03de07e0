"""Recognition on real scans: plain Tesseract, OCRmyPDF and sohoa (fast and best vie models),
bag-of-lines CER and page CER side by side, scored by ../shared/dev/real/score_ocr.py.

Pages: the five proof-read pages of ../shared/dev/real and the two of ../shared/ocr_eval
(ground truth written by a model; see its README). Usage (~3 min on 2 cores):
    .venv/bin/python bench/ocr_real.py           # or: bench/ocr.py --real
The target of issue #10: sohoa's bag CER at most half of OCRmyPDF's on the same pages.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV_REAL = SHARED / "dev" / "real"
OCR_EVAL = SHARED / "ocr_eval" / "vietadmin_scans"
SCORER = DEV_REAL / "score_ocr.py"
SOHOA = [sys.executable, "-m", "sohoa"]


def pages(gt_dir: Path) -> list[tuple[str, Path]]:
    """(name, image) for every page with ground truth; the truths are linked into gt_dir as NAME.gt.txt."""
    out = []
    for gt in sorted(DEV_REAL.glob("*.gt.txt")):
        name = gt.name[: -len(".gt.txt")]
        (gt_dir / gt.name).symlink_to(gt)
        out.append((name, DEV_REAL / f"{name}.jpg"))
    for gt in sorted(OCR_EVAL.glob("*_gt.txt")):
        name = gt.name[: -len("_gt.txt")]
        (gt_dir / f"eval_{name}.gt.txt").symlink_to(gt)
        out.append((f"eval_{name}", OCR_EVAL / f"{name}.jpg"))
    return out


def plain_tesseract(image: Path, out: Path) -> None:
    proc = subprocess.run(["tesseract", str(image), "-", "-l", "vie"], capture_output=True, text=True)
    out.write_text(proc.stdout, encoding="utf-8")


def ocrmypdf(image: Path, out: Path, tmp: Path) -> bool:
    exe = shutil.which("ocrmypdf") or str(Path(sys.executable).parent / "ocrmypdf")
    if not Path(exe).exists():
        return False
    proc = subprocess.run([exe, "-q", "-l", "vie", "--image-dpi", "200", "--deskew", "--clean", "--sidecar",
                           str(out), str(image), str(tmp / f"{image.stem}.pdf")], capture_output=True, text=True)
    return proc.returncode == 0


def sohoa(image: Path, out: Path, model: str) -> None:
    proc = subprocess.run([*SOHOA, "ocr", "-q", "--jobs", "1", "--ocr-model", model, str(image)],
                          capture_output=True, text=True, cwd=ROOT)
    out.write_text(proc.stdout, encoding="utf-8")


def score(gt_dir: Path, hyp_dir: Path) -> dict[str, tuple[float, float]]:
    """name → (page CER, bag CER) from the shared scorer's table."""
    proc = subprocess.run([sys.executable, str(SCORER), "--batch", str(gt_dir), str(hyp_dir)],
                          capture_output=True, text=True, check=True)
    rows = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"^(\S+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$", line)
        if m:
            rows[m.group(1)] = (float(m.group(2)), float(m.group(4)))
    return rows


def main() -> None:
    if not SCORER.exists():
        print(f"{SCORER} not found: the real pages are not beside the checkout")
        return
    systems = ["tesseract", "ocrmypdf", "sohoa fast", "sohoa best"]
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-real-") as tmpdir:
        tmp = Path(tmpdir)
        gt_dir = tmp / "gt"
        gt_dir.mkdir()
        todo = pages(gt_dir)
        seconds: dict[str, float] = {}
        for system in systems:
            hyp = tmp / system.replace(" ", "_")
            hyp.mkdir()
            t0 = time.perf_counter()
            for name, image in todo:
                out = hyp / f"{name}.txt"
                if system == "tesseract":
                    plain_tesseract(image, out)
                elif system == "ocrmypdf":
                    if not ocrmypdf(image, out, tmp):
                        out.unlink(missing_ok=True)
                else:
                    sohoa(image, out, system.split()[1])
            seconds[system] = time.perf_counter() - t0
        scores = {s: score(gt_dir, tmp / s.replace(" ", "_")) for s in systems}
    names = [n for n, _ in todo]
    print(f"bag CER (page CER) on {len(names)} real pages; lower is better")
    print(f"{'page':<24}" + "".join(f"{s:>18}" for s in systems))
    for name in [*names, "MEAN"]:
        cells = []
        for s in systems:
            c = scores[s].get(name)
            cells.append(f"{c[1]:.3f} ({c[0]:.3f})" if c else "n/a")
        print(f"{name:<24}" + "".join(f"{c:>18}" for c in cells))
    print(f"{'seconds':<24}" + "".join(f"{seconds[s]:>18.1f}" for s in systems))
    omp = scores["ocrmypdf"].get("MEAN")
    ours = scores["sohoa fast"].get("MEAN")
    if omp and ours:
        print(f"sohoa (fast) bag CER / OCRmyPDF's: {ours[1] / max(omp[1], 1e-9):.2f} (target ≤ 0.50)")


if __name__ == "__main__":
    main()
