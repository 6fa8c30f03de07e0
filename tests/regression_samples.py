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


def run_samples(db: Path, jobs: int = 2) -> tuple[set[str], dict]:
    report = run([str(SAMPLES)], db=str(db), jobs=jobs)
    keys: set[str] = set()
    conn = sqlite3.connect(db)
    try:
        for item in load_gold_dir(GOLD, [SAMPLES]):
            if item.records is None or item.input_path is None:
                continue
            pred = prediction_from_archive(conn, item.input_path)
            keys |= correct_keys(item.stem, item.records, pred.records if pred else [])
    finally:
        conn.close()
    return keys, {"files_ok": report.files_ok, "files_failed": report.files_failed}


def load_baseline() -> set[str]:
    return set(json.loads(BASELINE.read_text(encoding="utf-8"))["right"])
