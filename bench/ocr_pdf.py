"""Searchable PDFs: sohoa's text layer against its own text and against OCRmyPDF (issue #12).

Inputs: the scans of data/samples (images and PDFs, gold text in data/samples/gold) and the
real pages of ../shared/dev/real. sohoa runs once as `sohoa run --pdf-out --text-out` (the
text-out file is the text `sohoa ocr` prints: the same Document); OCRmyPDF runs as in
bench/ocr_real.py. For each file it prints

* CER against the ground truth (shared scorer, ../shared/dev/real/score_ocr.py) of sohoa's text,
  of `pdftotext` of sohoa's PDF and of `pdftotext` of OCRmyPDF's PDF;
* the acceptance of issue #12: pdftotext CER − text CER ≤ 0.005 for every file;
* word recall for search: the share of ground-truth words (NFC, case kept, punctuation
  stripped) found by searching the PDF's text, with repeats counted;
* file size and time of each system; the PDF/A checks of ocr/pdf_a.py on sohoa's PDFs; and how
  other readers see sohoa's layer (pypdf in drawing order; pdf.js when `npm install --prefix
  bench/pdfjs` has installed pdfjs-dist; pdftotext -layout, order-free).

    .venv/bin/python bench/ocr_pdf.py     # or: bench/ocr.py --pdf (~6 min on 2 cores)
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT / "data" / "samples"
DEV_REAL = ROOT.parent / "shared" / "dev" / "real"
SCORER = DEV_REAL / "score_ocr.py"
SOHOA = [sys.executable, "-m", "sohoa"]
ACCEPT = 0.005


def inputs() -> list[tuple[str, Path, Path]]:
    """(name, input file, ground truth) of every page or file with a ground truth."""
    out = []
    for f in sorted(SAMPLES.iterdir()):
        gt = SAMPLES / "gold" / f"{f.stem}.txt"
        if f.is_file() and gt.is_file() and f.suffix.lower() != ".txt":
            out.append((f.stem, f, gt))
    for gt in sorted(DEV_REAL.glob("*.gt.txt")):
        name = gt.name[: -len(".gt.txt")]
        out.append((name, DEV_REAL / f"{name}.jpg", gt))
    return out


def scorer():
    spec = importlib.util.spec_from_file_location("score_ocr", SCORER)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def pdftotext(pdf: Path, *flags: str) -> str:
    if not pdf.is_file():
        return ""
    return subprocess.run(["pdftotext", *flags, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True).stdout


PDFJS = ROOT / "bench" / "pdfjs"


def pdfjs_text(pdf: Path) -> str | None:
    """The text pdf.js gives (bench/pdfjs/pdf_text.mjs); None without node or pdfjs-dist
    (`npm install --prefix bench/pdfjs`)."""
    if not (PDFJS / "node_modules" / "pdfjs-dist").is_dir() or shutil.which("node") is None or not pdf.is_file():
        return None
    proc = subprocess.run(["node", str(PDFJS / "pdf_text.mjs"), str(pdf)], capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def pypdf_text(pdf: Path) -> str:
    """The text in drawing order (pypdf), as a search indexer that does not rebuild the layout reads it."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return ""
    return "\n".join(p.extract_text() or "" for p in PdfReader(str(pdf)).pages) if pdf.is_file() else ""


_WORD = re.compile(r"[^\W_]+(?:[./-][^\W_]+)*")


def word_recall(truth: str, text: str) -> float:
    """Share of the ground truth's words a search of `text` finds (a word found k times covers k of its repeats)."""
    want = Counter(_WORD.findall(unicodedata.normalize("NFC", truth)))
    have = Counter(_WORD.findall(unicodedata.normalize("NFC", text)))
    return sum(min(n, have[w]) for w, n in want.items()) / max(1, sum(want.values()))


def run_sohoa(files: list[Path], tmp: Path) -> float:
    """One batch run of all inputs (each in its own folder, so output names stay apart)."""
    src = tmp / "in"
    for f in files:
        (src / f.parent.name).mkdir(parents=True, exist_ok=True)
        link = src / f.parent.name / f.name
        if not link.exists():
            link.symlink_to(f)
    t0 = time.perf_counter()
    subprocess.run([*SOHOA, "run", "-q", "--jobs", "2", "--db", str(tmp / "a.sqlite"), "--no-group-pages",
                    "--accept-any", "--pdf-out", str(tmp / "pdf"), "--text-out", str(tmp / "txt"), str(src)],
                   cwd=ROOT, check=False)
    return time.perf_counter() - t0


def run_ocrmypdf(f: Path, out: Path) -> float | None:
    exe = shutil.which("ocrmypdf") or str(Path(sys.executable).parent / "ocrmypdf")
    if not Path(exe).exists():
        return None
    t0 = time.perf_counter()
    args = [exe, "-q", "-l", "vie", "--jobs", "2", "--deskew", "--clean", "--output-type", "pdfa"]
    if f.suffix.lower() != ".pdf":
        args += ["--image-dpi", "200"]
    else:
        args += ["--force-ocr"]
    proc = subprocess.run([*args, str(f), str(out)], capture_output=True, text=True)
    return time.perf_counter() - t0 if proc.returncode == 0 else None


def main() -> None:
    from sohoa.ocr.pdf_a import pdfa_problems

    if not SCORER.exists():
        print(f"{SCORER} not found: the real pages are not beside the checkout")
        return
    score = scorer()
    todo = inputs()
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-pdf-") as tmpdir:
        tmp = Path(tmpdir)
        sohoa_s = run_sohoa([f for _, f, _ in todo], tmp)
        rows, omp_s, failures, pdfa_fail, others = [], 0.0, [], [], []
        for name, f, gt in todo:
            truth = gt.read_text(encoding="utf-8")
            ours_pdf = tmp / "pdf" / f.parent.name / f"{f.stem}.pdf"
            ours_txt = tmp / "txt" / f.parent.name / f"{f.stem}.txt"
            text = ours_txt.read_text(encoding="utf-8") if ours_txt.is_file() else ""
            layer = pdftotext(ours_pdf)
            omp_pdf = tmp / "omp" / f"{name}.pdf"
            omp_pdf.parent.mkdir(exist_ok=True)
            t = run_ocrmypdf(f, omp_pdf)
            omp_s += t or 0.0
            omp_layer = pdftotext(omp_pdf) if t is not None else ""
            c_text = score.score_texts(truth, text)["cer"]
            c_layer = score.score_texts(truth, layer)["cer"]
            c_omp = score.score_texts(truth, omp_layer)["cer"] if t is not None else float("nan")
            if c_layer - c_text > ACCEPT:
                failures.append(name)
            problems = pdfa_problems(ours_pdf) if ours_pdf.is_file() else ["not written"]
            if problems:
                pdfa_fail.append(f"{name}: {'; '.join(problems)}")
            rows.append((name, c_text, c_layer, c_omp, word_recall(truth, layer), word_recall(truth, omp_layer),
                         ours_pdf.stat().st_size if ours_pdf.is_file() else 0,
                         omp_pdf.stat().st_size if omp_pdf.is_file() else 0))
            js = pdfjs_text(ours_pdf)
            others.append((name, score.score_texts(truth, pypdf_text(ours_pdf))["cer"] - c_text,
                           score.score_texts(truth, pdftotext(ours_pdf, "-layout"))["bag_cer"]
                           - score.score_texts(truth, text)["bag_cer"],
                           None if js is None else score.score_texts(truth, js)["cer"] - c_text))
    print(f"CER against the ground truth on {len(rows)} files (lower is better); recall = words found by search")
    head = ("file", "sohoa text", "sohoa pdf", "ocrmypdf pdf", "Δ pdf−text", "recall sohoa", "recall omp",
            "KB sohoa", "KB omp")
    print(f"{head[0]:<24}" + "".join(f"{h:>14}" for h in head[1:]))
    for name, ct, cl, co, rs, ro, ss, so in rows:
        print(f"{name:<24}{ct:>14.3f}{cl:>14.3f}{co:>14.3f}{cl - ct:>+14.3f}{rs:>14.3f}{ro:>14.3f}"
              f"{ss / 1024:>14.0f}{so / 1024:>14.0f}")
    n = max(1, len(rows))
    means = [sum(r[i] for r in rows) / n for i in range(1, 8)]
    print(f"{'MEAN':<24}{means[0]:>14.3f}{means[1]:>14.3f}{means[2]:>14.3f}{means[1] - means[0]:>+14.3f}"
          f"{means[3]:>14.3f}{means[4]:>14.3f}{means[5] / 1024:>14.0f}{means[6] / 1024:>14.0f}")
    print("other readers of sohoa's PDF, CER − text CER: pypdf (drawing order) / pdf.js / pdftotext -layout "
          "bag CER (columns side by side by design, so order-free): "
          + ", ".join(f"{n} {a:+.3f}/{'n/a' if j is None else format(j, '+.3f')}/{b:+.3f}" for n, a, b, j in others))
    print(f"seconds: sohoa (one batch, 2 jobs, OCR + restore + extract + PDF) {sohoa_s:.1f}; "
          f"OCRmyPDF (2 jobs, PDF/A) {omp_s:.1f}")
    print(f"acceptance (pdftotext CER ≤ text CER + {ACCEPT} on every file): "
          + ("PASS" if not failures else f"FAIL on {', '.join(failures)}"))
    print("PDF/A checks of ocr/pdf_a.py (not veraPDF): "
          + ("all pass" if not pdfa_fail else "\n  " + "\n  ".join(pdfa_fail)))


if __name__ == "__main__":
    main()
