"""Extractor benchmark: dev-gold scores beside the targets, throughput, and underthesea NER beside
the gazetteer matcher for finding task assignees.

usage: .venv/bin/python bench/extract.py [--shared ../shared] [--repeat 5] [--no-underthesea] [--samples] [--real]

`--real` also runs `../shared/dev/real/score_records.py` (real scans, gold records) beside the
figures measured when issue #10 was filed and its targets.
`--samples` also scores the bundled scans (data/samples, whole pipeline: OCR → restoration →
extraction, about 1-2 minutes) with `sohoa eval`, beside the figures before the scan-layout fixes.

Needs the shared dev material (seeds, gold records, scorer); prints a skip message without it.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"FIELDS": 0.95, "REFS": 0.95, "TASKS": 0.80, "RECIPIENTS": 0.80}
PAGE_TARGET = 50.0
CHARS_PER_PAGE = 2500  # a typed A4 page of a directive holds about 2,000-3,000 characters


def run_scorer(shared: Path, restore: bool) -> dict[str, float]:
    sohoa = [sys.executable, "-m", "sohoa.pipeline.cli", "extract", "--format", "json"] + ([] if restore else ["--no-restore"])
    cmd = [sys.executable, str(shared / "dev" / "score_extract.py"), str(shared / "dev" / "records"),
           str(shared / "seeds"), "--", *sohoa]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout
    last = [ln for ln in out.splitlines() if ln.startswith("FIELDS=")]
    if not last:
        print(out)
        raise SystemExit("scorer printed no summary line")
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", last[-1])}


def print_scores(title: str, scores: dict[str, float]) -> None:
    print(f"\n{title}")
    print(f"  {'metric':<11}{'sohoa':>8}{'target':>8}")
    for k, target in TARGETS.items():
        v = scores.get(k, 0.0)
        print(f"  {k:<11}{v:>8.3f}{target:>8.2f}  {'ok' if v >= target else 'BELOW TARGET'}")


def restored_docs(shared: Path):
    from sohoa.document import Document
    from sohoa.normalize import restore_document

    docs = []
    for f in sorted(glob.glob(str(shared / "seeds" / "*.txt"))):
        doc = Document.from_text(f, open(f, encoding="utf-8").read())
        restore_document(doc)
        docs.append(doc)
    return docs


def throughput(docs, repeat: int) -> None:
    from sohoa.extract import extract_document

    chars = sum(len(d.text(restored=True)) for d in docs)
    extract_document(docs[0])  # warm caches and imports
    t = time.perf_counter()
    for _ in range(repeat):
        for d in docs:
            extract_document(d)
    dt = time.perf_counter() - t
    pages = chars / CHARS_PER_PAGE * repeat
    print("\nThroughput (extraction after restoration; seeds have no page breaks, so a page is "
          f"{CHARS_PER_PAGE} characters)")
    print(f"  {'':<11}{'sohoa':>10}{'target':>8}")
    print(f"  {'pages/s':<11}{pages / dt:>10.1f}{PAGE_TARGET:>8.0f}  {'ok' if pages / dt >= PAGE_TARGET else 'BELOW'}")
    print(f"  {'chars/s':<11}{chars * repeat / dt:>10.0f}")


def _f1(gold: list[str], pred: list[str]) -> tuple[float, float, float]:
    from rapidfuzz import fuzz

    sys.path.insert(0, str(SHARED / "dev"))
    from vnorm import norm_text

    def n(s: str) -> str:
        return norm_text(s).casefold().strip(" .,;:-–*")

    used: set[int] = set()
    tp = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and fuzz.token_set_ratio(n(g), n(p)) >= 85:
                used.add(i)
                tp += 1
                break
    prec = tp / len(pred) if pred else 0.0
    rec = tp / len(gold) if gold else 0.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def underthesea_compare(shared: Path, docs) -> None:
    print("\nTask assignees on the dev gold: sohoa (gazetteer + task rules) vs underthesea NER")
    try:
        import underthesea
    except ImportError:
        print("  underthesea is not installed (pip install underthesea): comparison skipped")
        return
    from sohoa.extract import extract_document

    by_stem = {Path(d.path).name[:3]: d for d in docs}
    gold_all: list[str] = []
    ours: list[str] = []
    theirs: list[str] = []
    t_ours = t_theirs = 0.0
    for gf in sorted(glob.glob(str(shared / "dev" / "records" / "*.json"))):
        stem = Path(gf).name[:3]
        doc = by_stem.get(stem)
        if doc is None:
            continue
        gold = json.load(open(gf, encoding="utf-8"))
        t = time.perf_counter()
        recs = extract_document(doc)
        t_ours += time.perf_counter() - t
        for g, r in zip(gold, recs, strict=False):
            gold_all += [x["assignee"] for x in g.get("tasks", [])]
            ours += [t.assignee for t in r.tasks]
        t = time.perf_counter()
        try:
            ents = _ner_entities(underthesea, doc.text(restored=True))
        except Exception as e:  # a model that would have to come from a hub
            print(f"  underthesea.ner unavailable offline ({type(e).__name__}: {e}); comparing word_tokenize chunks")
            ents = _chunk_entities(underthesea, doc.text(restored=True))
        t_theirs += time.perf_counter() - t
        theirs += ents
    po, ro, fo = _f1(gold_all, ours)
    pt, rt, ft = _f1(gold_all, theirs)
    print(f"  {'system':<34}{'precision':>10}{'recall':>8}{'F1':>7}{'seconds':>9}")
    print(f"  {'sohoa tasks':<34}{po:>10.3f}{ro:>8.3f}{fo:>7.3f}{t_ours:>9.2f}")
    print(f"  {'underthesea ner ORG/LOC spans':<34}{pt:>10.3f}{rt:>8.3f}{ft:>7.3f}{t_theirs:>9.2f}")
    print("  (underthesea tags every organisation/location mention and is not a task extractor: its")
    print("   recall is the fair figure; its spans also split names like `Ban Tuyên giáo Tỉnh ủy`)")


def _ner_entities(underthesea, text: str) -> list[str]:
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\f", text):
        para = " ".join(para.split())
        if not para:
            continue
        cur: list[str] = []
        for tok in underthesea.ner(para):
            word, tag = tok[0], tok[-1]
            if tag.startswith("B-") and tag[2:] in ("ORG", "LOC"):
                if cur:
                    out.append(" ".join(cur))
                cur = [word]
            elif tag.startswith("I-") and tag[2:] in ("ORG", "LOC") and cur:
                cur.append(word)
            else:
                if cur:
                    out.append(" ".join(cur))
                cur = []
        if cur:
            out.append(" ".join(cur))
    return list(dict.fromkeys(out))


def _chunk_entities(underthesea, text: str) -> list[str]:
    out = []
    for para in re.split(r"\n\s*\n|\f", text):
        for word, _pos, chunk in underthesea.chunk(" ".join(para.split())):
            if chunk == "B-NP" and word[:1].isupper():
                out.append(word)
    return list(dict.fromkeys(out))


# `sohoa eval data/samples/gold` before the extractor learnt the OCR block layout (subjects over several
# blocks, lost `KT.` lines, `Đối với …` sections, …)
SAMPLES_BEFORE = {"FIELDS": 0.847, "REFS": 0.968, "TASKS": 0.714, "RECIPIENTS": 0.881}


def samples_scores() -> None:
    cmd = [sys.executable, "-m", "sohoa.pipeline.cli", "eval", str(ROOT / "data" / "samples" / "gold"), "--format", "json"]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout
    try:
        summary = json.loads(out)
    except json.JSONDecodeError:
        print(out[-2000:])
        raise SystemExit("sohoa eval printed no JSON") from None
    got = {"FIELDS": summary.get("fields"), "REFS": summary.get("refs_f1"), "TASKS": summary.get("tasks_f1"),
           "RECIPIENTS": summary.get("recipients_f1")}
    print("\nScanned samples (data/samples/gold, whole pipeline)")
    print(f"  {'metric':<11}{'sohoa':>8}{'before':>8}")
    for k, v in got.items():
        shown = f"{v:>8.3f}" if isinstance(v, (int, float)) else f"{str(v):>8}"
        print(f"  {k:<11}{shown}{SAMPLES_BEFORE[k]:>8.3f}")


# Issue #10's figures when it was filed (2026-12-02, real provincial scans; lower bounds), and its targets
REAL_BEFORE = {"FIELDS": 0.70, "FIELDS_HW": None, "HW": 1 / 12, "REFS": 0.85, "TASKS": 0.57, "RECIPIENTS": 0.80}
REAL_TARGETS = {"FIELDS": 0.95, "FIELDS_HW": None, "HW": 1.0, "REFS": 0.95, "TASKS": 0.85, "RECIPIENTS": 0.95}


def real_scores(shared: Path) -> None:
    """The shared real-page record scorer (OCR → restoration → extraction on real scans)."""
    scorer = shared / "dev" / "real" / "score_records.py"
    if not scorer.exists():
        print(f"\nReal pages: skipped ({scorer} not found)")
        return
    cmd = [sys.executable, str(scorer), "--", sys.executable, "-m", "sohoa.pipeline.cli", "extract",
           "--format", "json", "--jobs", "1"]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout
    last = [ln for ln in out.splitlines() if ln.startswith("FIELDS=")]
    if not last:
        print(out[-2000:])
        raise SystemExit("score_records.py printed no summary line")
    got = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", last[-1])}
    print("\nReal pages (../shared/dev/real, score_records.py; handwritten fields read wrong are flagged for review)")
    print(f"  {'metric':<11}{'sohoa':>8}{'#10 then':>9}{'target':>8}")
    for k in REAL_TARGETS:
        before, target = REAL_BEFORE[k], REAL_TARGETS[k]
        b = f"{before:>9.2f}" if before is not None else f"{'-':>9}"
        t = f"{target:>8.2f}" if target is not None else f"{'-':>8}"
        print(f"  {k:<11}{got.get(k, 0.0):>8.3f}{b}{t}")


def main() -> int:
    global SHARED
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.environ.get("SOHOA_SHARED", str(ROOT.parent / "shared")))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-underthesea", action="store_true")
    ap.add_argument("--samples", action="store_true", help="also score the bundled scans (slow)")
    ap.add_argument("--real", action="store_true", help="also score the real dev pages (../shared/dev/real)")
    args = ap.parse_args()
    if args.real:
        real_scores(Path(args.shared))
    if args.samples:
        samples_scores()
    SHARED = Path(args.shared)
    if not (SHARED / "dev" / "score_extract.py").exists():
        print(f"skipped: shared dev material not found at {SHARED} (set --shared or SOHOA_SHARED)")
        return 0
    print_scores("Dev gold (shared scorer on the raw seed files, restoration on)", run_scorer(SHARED, True))
    print_scores("Same, restoration off (extractor reads the garbled OCR text itself)", run_scorer(SHARED, False))
    docs = restored_docs(SHARED)
    throughput(docs, args.repeat)
    if not args.no_underthesea:
        underthesea_compare(SHARED, docs)
    return 0


SHARED = ROOT.parent / "shared"

if __name__ == "__main__":
    sys.exit(main())
