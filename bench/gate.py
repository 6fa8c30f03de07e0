"""The document gate's confusion table: directives vs non-documents.

    python bench/gate.py            # texts: samples' gold text, seeds (raw garbled OCR), real pages' ground truth,
                                    # and the non-documents of tests/gate_fixtures.py
    python bench/gate.py --scans    # also the whole pipeline (OCR, restoration, extraction) on data/samples,
                                    # the real dev pages, the seeds and the fixture files (slow: OCR)

Positives are documents that must pass; negatives must be skipped as not_a_document.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sohoa.pipeline.gate import judge  # noqa: E402
from tests.gate_fixtures import TEXTS, build_non_documents  # noqa: E402

SHARED = ROOT.parent / "shared"


def text_cases() -> list[tuple[str, str, bool, str]]:
    """(set, name, is a document, text)."""
    cases = []
    for set_name, folder, pattern in (("samples gold", ROOT / "data/samples/gold", "*.txt"),
                                      ("seeds (raw OCR)", SHARED / "seeds", "*.txt"),
                                      ("real dev gt", SHARED / "dev/real", "*.gt.txt")):
        for p in sorted(folder.glob(pattern)):
            cases.append((set_name, p.name, True, p.read_text(encoding="utf-8")))
    for name, text in TEXTS.items():
        cases.append(("non-documents", name, False, text))
    return cases


def scan_cases(jobs: int) -> list[tuple[str, str, bool, bool, str]]:
    """(set, name, is a document, passed, reason) through `sohoa run`."""
    from sohoa.pipeline.config import load_settings
    from sohoa.pipeline.run import run

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        junk = Path(tmp) / "junk"
        build_non_documents(junk)
        sets = [("samples scans", [str(p) for p in sorted((ROOT / "data/samples").iterdir()) if p.is_file() and not p.name.startswith(".")], True),
                ("real dev scans", [str(p) for p in sorted((SHARED / "dev/real").glob("*.jpg"))], True),
                ("seeds (pipeline)", [str(p) for p in sorted((SHARED / "seeds").glob("*.txt"))], True),
                ("non-document files", [str(junk)], False)]
        for set_name, inputs, positive in sets:
            if not inputs:
                continue
            cfg = load_settings(overrides={"jobs": jobs, "walk.include": ["*"]})  # the gate sees every file
            rep = run(inputs, db=str(Path(tmp) / f"{len(out)}.sqlite"), config=cfg)
            signals = _signals(rep.db)
            for f in rep.files:
                passed = f.status == "ok"
                g = signals.get(f.path, {})
                why = (f"valid {g.get('valid_share', 0):.2f} marked {g.get('marked_share', 0):.2f} "
                       f"markers {','.join(g.get('markers', []))}")
                out.append((set_name, Path(f.path).name, positive, passed, why))
    return out


def _signals(db: str | None) -> dict[str, dict]:
    """path → the gate's signals stored in files.reports_json."""
    import json
    import sqlite3

    con = sqlite3.connect(db or "")
    try:
        rows = con.execute("SELECT path, reports_json FROM files").fetchall()
    finally:
        con.close()
    return {p: json.loads(r or "{}").get("gate", {}) for p, r in rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scans", action="store_true", help="also run the whole pipeline on the scans (slow)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verbose", "-v", action="store_true", help="one line per file")
    args = ap.parse_args(argv)

    rows: list[tuple[str, str, bool, bool, str]] = []
    for set_name, name, positive, text in text_cases():
        v = judge([text])
        rows.append((set_name, name, positive, v.is_document,
                     f"valid {v.valid_share:.2f} marked {v.marked_share:.2f} markers {','.join(v.markers)}"))
    if args.scans:
        rows += scan_cases(args.jobs)

    print(f"{'set':22} {'files':>5} {'passed':>6} {'skipped':>7}")
    for set_name in dict.fromkeys(r[0] for r in rows):
        sel = [r for r in rows if r[0] == set_name]
        passed = sum(r[3] for r in sel)
        print(f"{set_name:22} {len(sel):5} {passed:6} {len(sel) - passed:7}")
    tp = sum(r[2] and r[3] for r in rows)
    fn = sum(r[2] and not r[3] for r in rows)
    fp = sum(not r[2] and r[3] for r in rows)
    tn = sum(not r[2] and not r[3] for r in rows)
    print("\nconfusion (rows: truth, columns: gate)")
    print(f"{'':16} {'document':>9} {'not_a_document':>15}")
    print(f"{'document':16} {tp:9} {fn:15}")
    print(f"{'not a document':16} {fp:9} {tn:15}")
    wrong = [r for r in rows if r[2] != r[3]]
    for r in (rows if args.verbose else wrong):
        mark = "ok " if r[2] == r[3] else "ERR"
        print(f"{mark} {r[0]:20} {r[1]:32} {'pass' if r[3] else 'skip'}  {r[4]}")
    return 0 if not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
