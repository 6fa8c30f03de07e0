"""Shared by tests/test_regression_samples.py and scripts/update_regression_baseline.py:
run the whole pipeline on data/samples into an archive and list what it gets right."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sohoa.pipeline.evaluate import correct_keys, load_gold_dir, prediction_from_archive
from sohoa.pipeline.run import run

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
GOLD = SAMPLES / "gold"
BASELINE = ROOT / "tests" / "regression" / "samples_baseline.json"
DEGRADED_BASELINE = ROOT / "tests" / "regression" / "degraded_baseline.json"
REAL_BASELINE = ROOT / "tests" / "regression" / "real_baseline.json"
# real scans with gold records (../shared/dev/real): the pages that carry a record of their own
REAL = ROOT.parent / "shared" / "dev" / "real"
# the image samples that get real-looking damage (ocr.degrade): a Party and two state documents
DEGRADED_SOURCES = ("kh_huyenuy_duclinh.png", "qd_ubnd_thaibinh.jpg", "tb_vp_ubnd_camlam.jpg")
PAGED_SOURCES = ("ct_tinhuy_nghean.tif",)  # multi-page scans split into one image file per page


def run_samples(db: Path, jobs: int = 2, inputs: Path = SAMPLES, gold: Path = GOLD) -> tuple[set[str], dict]:
    report = run([str(inputs)], db=str(db), jobs=jobs)
    keys: set[str] = set()
    conn = sqlite3.connect(db)
    try:
        for item in load_gold_dir(gold, [inputs]):
            if item.records is None or item.input_path is None:
                continue
            pred = prediction_from_archive(conn, item.input_path)
            keys |= correct_keys(item.stem, item.records, pred.records if pred else [])
    finally:
        conn.close()
    return keys, {"files_ok": report.files_ok, "files_failed": report.files_failed}


def load_baseline(path: Path = BASELINE) -> set[str]:
    return set(json.loads(path.read_text(encoding="utf-8"))["right"])


def run_degraded(work: Path, jobs: int = 2) -> tuple[set[str], dict]:
    """Damage the image samples (ocr.degrade), split a multi-page sample into one image per page,
    give each damaged file its source's gold, run the pipeline on them and list what it gets right."""
    from sohoa.ocr.degrade import split_pages, write_degraded

    inputs, gold = work / "degraded", work / "gold"
    gold.mkdir(parents=True, exist_ok=True)

    def give_gold(name: str, stem: str) -> None:
        for ext in (".json", ".txt"):
            src = GOLD / (Path(name).stem + ext)
            if src.exists():
                (gold / (stem + ext)).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")

    for name in DEGRADED_SOURCES:
        for path in write_degraded(SAMPLES / name, inputs):
            give_gold(name, path.stem)
    for name in PAGED_SOURCES:
        split_pages(SAMPLES / name, inputs)
        give_gold(name, Path(name).stem + "_pages")  # the page set is found by its stem
    return run_samples(work / "archive.sqlite", jobs, inputs, gold)


def run_real(work: Path, jobs: int = 2) -> tuple[set[str], dict]:
    """The real scanned pages of ../shared/dev/real that have gold records, each run as its own
    file (so the two pages of one decree are not joined into an image set), scored like the samples."""
    inputs = work / "real"
    inputs.mkdir(parents=True, exist_ok=True)
    for gold in sorted(REAL.glob("*.json")):
        image = gold.with_suffix(".jpg")
        if image.exists():
            (inputs / image.name).write_bytes(image.read_bytes())
            (inputs / gold.name).write_text(gold.read_text(encoding="utf-8"), encoding="utf-8")
    return run_samples(work / "archive.sqlite", jobs, inputs, inputs)
