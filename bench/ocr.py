"""OCR benchmark: accuracy and speed of sohoa's OCR against the baselines, on synthetic scans.

Pages come from ocr/synth.py (ND30 / HD36 layout, stamps, skew, noise) with body text from
held-out corpus paragraphs (../shared/corpus/legal_vn.test.txt, else built-in text), so
nothing here was used to tune the OCR. For each condition (clean / light / heavy degradation,
200 and 300 dpi) it prints

* CER of plain `tesseract img - -l vie`, of sohoa's OCR, and of sohoa + normalize.restore_document
  (reading order counts; "bag" CER compares sorted words and ignores order);
* pages/minute of sohoa (2 worker processes, OCR + searchable PDF) against
  `ocrmypdf -l vie --jobs 2 --deskew --clean --sidecar` on the same PDFs, as a ratio;
* share of wall time outside Tesseract, and peak RSS of a worker (with its Tesseract child).

    .venv/bin/python bench/ocr.py            # full run (~6 min on 2 cores)
    .venv/bin/python bench/ocr.py --quick    # 2 pages
    .venv/bin/python bench/ocr.py --real     # also the real scans in ../shared/ocr_eval
    .venv/bin/python bench/ocr.py --samples  # also the non-OCR share on data/samples (12 pages, ~1 min)
    .venv/bin/python bench/ocr.py --pdf      # also searchable PDFs vs text and OCRmyPDF (bench/ocr_pdf.py)
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from sohoa.document import Document, Page  # noqa: E402
from sohoa.ocr.engine import OcrConfig, ocr_page  # noqa: E402
from sohoa.ocr.inputs import PageJob, open_input  # noqa: E402
from sohoa.ocr.outputs import write_searchable_pdf  # noqa: E402
from sohoa.ocr.synth import render_document, write_pdf  # noqa: E402

HELD_OUT = ROOT.parent / "shared" / "corpus" / "legal_vn.test.txt"
SAMPLES = ROOT / "data" / "samples"
REAL_SCANS = ROOT.parent / "shared" / "ocr_eval" / "vietadmin_scans"
FALLBACK_BODY = [
    "Để chủ động ứng phó với mưa lớn, lũ quét và sạt lở đất, Ủy ban nhân dân tỉnh yêu cầu các sở, "
    "ban, ngành và Ủy ban nhân dân các huyện, thị xã, thành phố tổ chức trực ban nghiêm túc 24/24 giờ.",
    "Giao Sở Tài nguyên và Môi trường chủ trì, phối hợp với các địa phương rà soát các khu vực có nguy "
    "cơ cao, báo cáo kết quả về Ủy ban nhân dân tỉnh trước ngày 15 tháng 10 năm 2024.",
]
RECORDS = [
    ("state", {
        "doc_type": "Công văn", "number": "2187", "symbol": "UBND-NC", "issuer": "Ủy ban nhân dân tỉnh Yên Bái",
        "place": "Yên Bái", "date": "2024-08-19", "subject": "Tăng cường công tác bảo đảm trật tự an toàn giao thông",
        "recipients": ["Các sở, ban, ngành tỉnh", "Như trên", "Lưu: VT, NC"],
        "signers": [{"authority": "KT. Chủ tịch", "position": "Phó Chủ tịch", "name": "Vũ Thị Hiền Hạnh"}],
        "layout": {"issuer_lines": ["ỦY BAN NHÂN DÂN", "TỈNH YÊN BÁI"], "kinh_gui": ["Các sở, ban, ngành tỉnh"]},
    }),
    ("party", {
        "doc_type": "Chỉ thị", "number": "09", "symbol": "CT/TU", "issuer": "Tỉnh ủy Sóc Trăng",
        "place": "Sóc Trăng", "date": "2023-03-02", "subject": "Về tăng cường sự lãnh đạo của Đảng đối với công tác dân vận",
        "recipients": ["Các huyện ủy, thị ủy, thành ủy", "Lưu Văn phòng Tỉnh ủy"],
        "signers": [{"authority": "T/M Ban Thường vụ", "position": "Bí thư", "name": "Lâm Văn Mẫn"}],
        "layout": {"issuer_lines": ["TỈNH ỦY SÓC TRĂNG"]},
    }),
]
CONDITIONS = [("clean", 300), ("light", 300), ("heavy", 300), ("clean", 200), ("light", 200), ("heavy", 200)]
QUICK = [("clean", 300), ("heavy", 200)]


def norm(text: str) -> str:
    return " ".join(text.split())


def cer(got: str, truth: str) -> float:
    return Levenshtein.distance(norm(got), norm(truth)) / max(1, len(norm(truth)))


def bag_cer(got: str, truth: str) -> float:
    return cer(" ".join(sorted(got.split())), " ".join(sorted(truth.split())))


def body_paragraphs(rng: random.Random, n: int) -> list[str]:
    if HELD_OUT.is_file():
        paras = [p.strip() for p in HELD_OUT.read_text(encoding="utf-8").splitlines() if 120 < len(p) < 600]
        return rng.sample(paras, n)
    return FALLBACK_BODY[:n]


def raw_tesseract(png: Path) -> str:
    proc = subprocess.run(["tesseract", str(png), "-", "-l", "vie"], capture_output=True, text=True,
                          env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    return proc.stdout


def bench_worker(job: PageJob, config: OcrConfig) -> tuple[Page, float]:
    """ocr_page plus the peak RSS (MB) of this worker and of its largest Tesseract child."""
    page = ocr_page(job, config)
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return page, self_mb + child_mb


def make_corpus(tmp: Path, conditions, pages_per_doc: int) -> list[dict]:
    docs = []
    for i, (degrade, dpi) in enumerate(conditions):
        rng = random.Random(100 + i)
        style, record = RECORDS[i % len(RECORDS)]
        body = body_paragraphs(rng, 3 if pages_per_doc == 1 else 9)
        rendered = render_document(record, body, style=style, dpi=dpi, seed=100 + i, degrade=degrade, stamp=True)
        images = rendered.images[:pages_per_doc]
        pdf = write_pdf(images, tmp / f"doc{i}_{degrade}_{dpi}.pdf", dpi=dpi)
        pngs = []
        for n, im in enumerate(images, 1):
            png = tmp / f"doc{i}_p{n}.png"
            im.save(png, dpi=(dpi, dpi))
            pngs.append(png)
        docs.append({"degrade": degrade, "dpi": dpi, "pdf": pdf, "pngs": pngs,
                     "truth": rendered.page_texts[:pages_per_doc], "skew": rendered.skew_deg[:pages_per_doc]})
    return docs


def run_sohoa(docs: list[dict], config: OcrConfig, workers: int, out_dir: Path) -> tuple[float, list, float]:
    jobs_by_doc = [open_input(str(d["pdf"]), dpi=config.dpi).page_jobs() for d in docs]
    flat = [(di, job) for di, jobs in enumerate(jobs_by_doc) for job in jobs]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(bench_worker, [j for _, j in flat], [config] * len(flat)))
    for di, jobs in enumerate(jobs_by_doc):
        pages = [results[k][0] for k, (dj, _) in enumerate(flat) if dj == di]
        write_searchable_pdf(pages, jobs, out_dir / f"sohoa{di}.pdf", config)
    wall = time.perf_counter() - t0
    peak = max(r[1] for r in results)
    pages_by_doc = [[results[k][0] for k, (dj, _) in enumerate(flat) if dj == di] for di in range(len(docs))]
    return wall, pages_by_doc, peak


def run_ocrmypdf(docs: list[dict], out_dir: Path) -> float | None:
    exe = shutil.which("ocrmypdf") or str(Path(sys.executable).parent / "ocrmypdf")
    if not Path(exe).exists():
        return None
    t0 = time.perf_counter()
    for i, d in enumerate(docs):
        cmd = [exe, "-q", "-l", "vie", "--jobs", "2", "--deskew", "--clean", "--sidecar",
               str(out_dir / f"omp{i}.txt"), str(d["pdf"]), str(out_dir / f"omp{i}.pdf")]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"  ocrmypdf failed on {d['pdf'].name}: {proc.stderr.strip().splitlines()[-1:]}")
            return None
    return time.perf_counter() - t0


def print_non_ocr_share(pages: list[Page], what: str) -> None:
    """Share of worker page time spent outside Tesseract processes (page read, header re-reads,
    orientation detection), beside the 10 % target, and the time of each step."""
    tess = sum(v for p in pages for k, v in p.timings.items() if k.startswith("tesseract"))
    total = sum(p.timings.get("total", 0) for p in pages)
    steps: dict[str, float] = {}
    for p in pages:
        for k, v in p.timings.items():
            if k != "total":
                steps[k] = steps.get(k, 0) + v
    share = (total - tess) / max(total, 1e-9)
    print(f"non-OCR share of page time ({what}, {len(pages)} pages): {share:.1%}   target ≤ 10.0%   "
          f"{'MET' if share <= 0.10 else 'NOT MET'}   (Tesseract {tess:.2f} s of {total:.2f} s)")
    print("  per step (s, all pages): " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(steps.items(),
                                                                                      key=lambda kv: -kv[1])))


def run_samples_share(config: OcrConfig, workers: int) -> None:
    """The non-OCR share on the bundled scans (data/samples), OCR'd by `workers` processes."""
    files = sorted(f for f in SAMPLES.glob("*") if f.suffix.lower() in (".pdf", ".png", ".jpg", ".jpeg", ".tif"))
    jobs = [job for f in files for job in open_input(str(f), dpi=config.dpi).page_jobs()]
    if not jobs:
        print(f"\nsamples: nothing to OCR in {SAMPLES}")
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pages = list(pool.map(ocr_page, jobs, [config] * len(jobs)))
    print()
    print_non_ocr_share(pages, "data/samples")


def run_real_scans(config: OcrConfig) -> None:
    """The two real pages with ground truth and their noisy/blurred/dark/rotated copies."""
    if not REAL_SCANS.is_dir():
        print(f"\nreal scans: {REAL_SCANS} not found, skipped")
        return
    files = [REAL_SCANS / "4_1.jpg", REAL_SCANS / "4_2.jpg", *sorted((REAL_SCANS / "augmented").glob("*.jpg"))]
    print("\nreal scans (ground truth written by a model; logical reading order)")
    print(f"{'file':<22}{'raw tess':>10}{'sohoa':>8}{'raw bag':>9}{'sohoa bag':>10}")
    sums = [0.0, 0.0]
    for f in files:
        truth = (REAL_SCANS / f"{f.name[:3]}_gt.txt").read_text(encoding="utf-8")
        raw = raw_tesseract(f)
        ours = ocr_page(open_input(str(f)).page_jobs()[0], config).text(restored=False)
        sums[0] += cer(raw, truth)
        sums[1] += cer(ours, truth)
        print(f"{f.name:<22}{cer(raw, truth):>10.3f}{cer(ours, truth):>8.3f}{bag_cer(raw, truth):>9.3f}"
              f"{bag_cer(ours, truth):>10.3f}")
    print(f"{'mean':<22}{sums[0] / len(files):>10.3f}{sums[1] / len(files):>8.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 pages only")
    ap.add_argument("--pages", type=int, default=1, help="pages per document (default 1)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--real", action="store_true", help="also the real scans of ../shared/ocr_eval (~1.5 min)")
    ap.add_argument("--samples", action="store_true", help="also the non-OCR share on data/samples (~1 min)")
    ap.add_argument("--pdf", action="store_true",
                    help="also the searchable PDFs against sohoa's text and OCRmyPDF (bench/ocr_pdf.py, ~8 min)")
    args = ap.parse_args()
    conditions = QUICK if args.quick else CONDITIONS
    config = OcrConfig()
    try:
        from sohoa.normalize.restore import restore_document
    except ImportError:
        restore_document = None

    with tempfile.TemporaryDirectory(prefix="sohoa-bench-ocr-") as tmpdir:
        tmp = Path(tmpdir)
        print(f"rendering {len(conditions)} documents …", flush=True)
        docs = make_corpus(tmp, conditions, args.pages)
        n_pages = sum(len(d["pngs"]) for d in docs)

        wall, pages_by_doc, peak = run_sohoa(docs, config, args.workers, tmp)
        omp = run_ocrmypdf(docs, tmp)

        print(f"\nCER per condition (lower is better; bag = word order ignored), {n_pages} pages")
        print(f"{'condition':<14}{'skew°':>6}{'raw tess':>10}{'sohoa':>8}{'+restore':>10}"
              f"{'raw bag':>9}{'sohoa bag':>10}{'conf':>6}")
        by_degrade: dict[str, list[tuple[float, float]]] = {}
        for d, pages in zip(docs, pages_by_doc, strict=True):
            for n, (page, truth, png) in enumerate(zip(pages, d["truth"], d["pngs"], strict=True)):
                raw = raw_tesseract(png)
                ours = page.text(restored=False)
                restored = ""
                if restore_document is not None:
                    doc = Document(str(d["pdf"]), [page])
                    restore_document(doc)
                    restored = f"{cer(doc.text(), truth):>10.3f}"
                c_raw, c_ours = cer(raw, truth), cer(ours, truth)
                by_degrade.setdefault(d["degrade"], []).append((c_raw, c_ours))
                print(f"{d['degrade'] + ' ' + str(d['dpi']) + 'dpi':<14}{d['skew'][n]:>6.1f}{c_raw:>10.3f}"
                      f"{c_ours:>8.3f}{restored or '       n/a':>10}{bag_cer(raw, truth):>9.3f}"
                      f"{bag_cer(ours, truth):>10.3f}{page.mean_conf:>6.0f}")
        print("\nmean CER by degradation (target: heavy ≤ 0.5 × raw, clean never worse)")
        for degrade, vals in by_degrade.items():
            r = sum(v[0] for v in vals) / len(vals)
            o = sum(v[1] for v in vals) / len(vals)
            print(f"  {degrade:<6} raw {r:.3f}  sohoa {o:.3f}  ratio {o / max(r, 1e-9):.2f}")

        all_pages = [p for ps in pages_by_doc for p in ps]
        print(f"\nthroughput ({args.workers} workers, OCR + searchable PDF): {n_pages / wall * 60:.1f} pages/min "
              f"({wall:.1f} s)")
        if omp is not None:
            print(f"ocrmypdf -l vie --jobs 2 --deskew --clean --sidecar: {n_pages / omp * 60:.1f} pages/min "
                  f"({omp:.1f} s)")
            print(f"throughput ratio sohoa / ocrmypdf: {omp / wall:.2f} (target ≥ 1.0)")
        else:
            print("ocrmypdf not available: pip install ocrmypdf (and apt-get install unpaper) to compare")
        print_non_ocr_share(all_pages, "bench pages")
        print(f"peak RSS of a worker incl. its Tesseract child: {peak:.0f} MB (target ≤ 1536 MB)")
    if args.real:
        run_real_scans(config)
        import ocr_real  # bench/ocr_real.py: dev/real + ocr_eval against Tesseract and OCRmyPDF

        ocr_real.main()
    if args.samples:
        run_samples_share(config, args.workers)
    if args.pdf:
        import ocr_pdf  # bench/ocr_pdf.py: text-layer CER, word recall, size and time beside OCRmyPDF

        ocr_pdf.main()


if __name__ == "__main__":
    main()
