"""Record what the pipeline gets right on data/samples as the regression baseline.

Run after an improvement: `.venv/bin/python scripts/update_regression_baseline.py` (`--degraded`: the
damaged copies of the image samples, ocr.degrade; `--real`: the real scans of ../shared/dev/real).
It refuses to drop keys that were right before unless given --allow-loss."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.regression_samples import (  # noqa: E402
    BASELINE,
    DEGRADED_BASELINE,
    REAL_BASELINE,
    load_baseline,
    run_degraded,
    run_real,
    run_samples,
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--allow-loss", action="store_true", help="write even if some keys were lost")
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--degraded", action="store_true", help="the damaged copies of the image samples")
    which.add_argument("--real", action="store_true", help="the real scans with gold records in ../shared/dev/real")
    args = ap.parse_args()
    baseline = DEGRADED_BASELINE if args.degraded else REAL_BASELINE if args.real else BASELINE
    with tempfile.TemporaryDirectory() as tmp:
        if args.degraded:
            right, counts = run_degraded(Path(tmp))
        elif args.real:
            right, counts = run_real(Path(tmp))
        else:
            right, counts = run_samples(Path(tmp) / "archive.sqlite")
    old = load_baseline(baseline) if baseline.exists() else set()
    lost = sorted(old - right)
    if lost and not args.allow_loss:
        print("not written: these were right before and are wrong now:\n" + "\n".join(lost))
        return 1
    baseline.write_text(json.dumps({"right": sorted(right)}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{baseline}: {len(right)} right ({len(right - old)} new, {len(lost)} lost); {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
