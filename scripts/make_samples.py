"""Build the bundled scanned-looking samples and their gold from data/samples/src/*.json.

    .venv/bin/python scripts/make_samples.py [--out data/samples] [--only STEM ...]

Each source file describes one output file: its format (pdf, png, jpg, tif), dpi, degradation,
seed, and the documents it holds (record + layout + body paragraphs, see ocr/synth.py). The run is
deterministic: the same sources give byte-identical files. For every sample it writes
`<out>/<file>`, `<out>/gold/<stem>.json` (the records, schema of /work/shared/dev/schema.md, without
the layout keys) and `<out>/gold/<stem>.txt` (page texts, form-feed separated). Before writing, it
checks that what the gold claims (codes, references, assignees, deadlines, recipients, signers) is
really on the rendered pages, so gold and pixels cannot drift apart.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from sohoa.document import nfc  # noqa: E402
from sohoa.ocr.synth import render_document, write_page_texts, write_pdf, write_tiff  # noqa: E402

RECORD_FIELDS = ["doc_type", "number", "symbol", "code", "issuer", "place", "date", "subject", "recipients",
                 "signers", "references", "tasks", "deadlines"]


def code_of(rec: dict[str, Any], style: str) -> str | None:
    number, symbol = rec.get("number"), rec.get("symbol")
    if not number and not symbol:
        return None
    sep = "-" if style == "party" else "/"
    return f"{number or ''}{sep}{symbol or ''}"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", nfc(text)).strip()


def check_gold(rec: dict[str, Any], text: str, where: str) -> None:
    """Everything the gold record says must be readable in the document's own page text."""
    flat = _flat(text)
    problems = []
    wants: list[str] = []
    if rec.get("layout", {}).get("header", True):
        wants += [rec["number"], rec["symbol"]]
    wants += [r["code"] for r in rec.get("references", [])]
    wants += [t["assignee"] for t in rec.get("tasks", [])]
    wants += [p for t in rec.get("tasks", []) for p in t.get("partners") or []]
    wants += [d["text"] for d in rec.get("deadlines", [])]
    wants += [t["deadline_text"] for t in rec.get("tasks", []) if t.get("deadline_text")]
    wants += rec.get("recipients", [])
    wants += [s["name"] for s in rec.get("signers", []) if s.get("name")]
    for w in wants:
        if _flat(w) not in flat:
            problems.append(w)
    if problems:
        raise SystemExit(f"{where}: gold not found on the page: {problems}")


def gold_record(rec: dict[str, Any], style: str, file: str, pages: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    full = {**rec, "code": rec.get("code") or code_of(rec, style)}
    for key in RECORD_FIELDS:
        val = full.get(key)
        if key in ("recipients", "signers", "references", "tasks", "deadlines") and val is None:
            val = []
        if key == "tasks":
            val = [{k: v for k, v in t.items() if k != "deadline_text"} for t in val]
        out[key] = val
    source: dict[str, Any] = {"file": file, "pages": [pages[0], pages[-1]]}
    if not rec.get("layout", {}).get("header", True):
        source["inherited"] = rec.get("layout", {}).get("inherited", ["number", "symbol", "code", "date", "issuer", "place"])
        source["note"] = "no header of its own: number, date and issuer come from the cover letter"
    out["source"] = source
    return out


def build(src: Path, out_dir: Path) -> tuple[Path, int]:
    spec = json.loads(src.read_text(encoding="utf-8"))
    name = spec["file"]
    stem = Path(name).stem
    fmt = Path(name).suffix.lower().lstrip(".")
    dpi = int(spec.get("dpi", 300))
    images, texts, records = [], [], []
    for i, doc in enumerate(spec["documents"]):
        rendered = render_document(
            doc["record"], doc["body"], style=doc["style"], dpi=dpi, seed=int(spec["seed"]) * 10 + i,
            degrade=spec.get("degrade", "light"), stamp=doc.get("stamp", True), skew_deg=doc.get("skew_deg"),
            font=spec.get("font"),
        )
        check_gold(doc["record"], rendered.text, f"{src.name} document {i + 1}")
        first = len(images) + 1
        images += rendered.images
        texts += rendered.page_texts
        records.append(gold_record(doc["record"], doc["style"], name, list(range(first, len(images) + 1))))
    if spec.get("gray"):
        images = [im.convert("L") for im in images]
    if spec.get("bilevel"):  # black-and-white office scan: fixed threshold, no dithering
        images = [im.convert("L").point(lambda v: 255 if v > 150 else 0).convert("1", dither=Image.Dither.NONE)
                  for im in images]
    if fmt in ("png", "jpg", "jpeg") and len(images) != 1:
        raise SystemExit(f"{src.name}: a {fmt} sample must be one page, the documents made {len(images)}")
    path = out_dir / name
    if fmt == "pdf":
        write_pdf(images, path, dpi, quality=int(spec.get("quality", 70)), created=records[0].get("date"))
    elif fmt in ("tif", "tiff"):
        write_tiff(images, path, dpi, compression=spec.get("compression", "tiff_deflate"))
    elif fmt == "png":
        images[0].save(path, "PNG", dpi=(dpi, dpi), optimize=True)
    elif fmt in ("jpg", "jpeg"):
        images[0].save(path, "JPEG", dpi=(dpi, dpi), quality=int(spec.get("quality", 80)))
    else:
        raise SystemExit(f"{src.name}: unknown output format {fmt!r}")
    gold = out_dir / "gold"
    gold.mkdir(parents=True, exist_ok=True)
    (gold / f"{stem}.json").write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_page_texts(texts, gold / f"{stem}.txt")
    return path, len(images)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", type=Path, default=ROOT / "data" / "samples" / "src")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "samples")
    ap.add_argument("--only", nargs="*", help="source stems to build (default: all)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    sources = sorted(args.src.glob("*.json"))
    if args.only:
        sources = [s for s in sources if s.stem in args.only]
    if not sources:
        print(f"no sources in {args.src}", file=sys.stderr)
        return 2
    total = 0
    for src in sources:
        path, pages = build(src, args.out)
        size = path.stat().st_size
        total += size
        print(f"{path.name:40s} {pages} page(s) {size / 1e6:6.2f} MB")
    print(f"total {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
