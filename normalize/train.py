"""`sohoa train`: rebuild every restorer model file from a corpus folder, reproducibly.

Writes into out_dir: restore_vocab.json + restore_lm.npz (syllable trigram LM), restore_case.npy
(how often each syllable is capitalised inside a sentence) and restore_channel.json (OCR confusion table learned from rendered + Tesseract-read text).
"""

from __future__ import annotations

import glob
import itertools
import json
import os
import time
from collections.abc import Iterator

from sohoa.normalize.channel_data import estimate_channel, generate_pairs, sample_texts
from sohoa.normalize.channel_real import READ_DPIS, real_pages, real_pairs
from sohoa.normalize.codes import build_table, save_table
from sohoa.normalize.lm_build import build_case_stats, build_lm, read_lines
from sohoa.resources import resource_path

SUPPLEMENT_WEIGHT = 20  # the in-domain phrases are few; count each as if seen this many times
# The directive / công văn genre is what sohoa reads, but its corpus is 60 times smaller than the
# national legal text: each of its paragraphs counts as if seen this many times.
CORPUS_WEIGHTS = {"admin_vn": int(os.environ.get("SOHOA_ADMIN_WEIGHT", "10"))}
REFERENCE_WEIGHT = 40  # an abbreviation of the gazetteer counts as if the corpus had it this often
CHANNEL_PAGES = 128
CHANNEL_SAMPLE_LINES = 4000
FOURGRAM_MIN: int | None = None  # store 4-grams seen this often (None: a trigram LM; see docs/restore.md)
# the seed of the committed channel: of the two trained on 2026-12-08 (seeds 0 and 1; the renders,
# fonts and degradations it picks), seed 1 measured better (docs/restore.md)
DEFAULT_SEED = 1
REAL_WEIGHT = 1  # each token pair of a real page read by Tesseract `eng` counts this many times


def corpus_files(corpus_dir: str) -> list[str]:
    """Training text files of the corpus folder; held-out test files are never used."""
    files = sorted(glob.glob(os.path.join(corpus_dir, "*.train.txt*")))
    if not files:
        files = sorted(f for f in glob.glob(os.path.join(corpus_dir, "*.txt*")) if ".test." not in f)
    if not files:
        raise FileNotFoundError(f"no training text (*.train.txt[.xz]) in {corpus_dir}")
    return files


def _paragraphs(files: list[str]) -> Iterator[str]:
    for f in files:
        yield from read_lines(f)


def file_weight(path: str) -> int:
    name = os.path.basename(path)
    return next((w for prefix, w in CORPUS_WEIGHTS.items() if name.startswith(prefix)), 1)


def _weighted_paragraphs(files: list[str]) -> Iterator[tuple[str, int]]:
    for f in files:
        w = file_weight(f)
        for p in read_lines(f):
            yield p, w


def train(corpus_dir: str, out_dir: str, seed: int = DEFAULT_SEED, channel_pages: int = CHANNEL_PAGES,
          max_paragraphs: int | None = None, pairs_path: str | None = None,
          parts: tuple[str, ...] = ("lm", "codes", "channel"), real_dir: str | None = None,
          real_holdout: tuple[str, ...] = (), fourgram_min: int | None = FOURGRAM_MIN, log=print) -> dict:
    """Rebuild the model files. parts: "lm" (LM + case statistics), "codes" (code segments and
    acronyms, normalize.codes) and/or "channel".
    pairs_path: also save the channel's (intended, observed) token pairs there (JSON).
    real_dir: a folder of real scans with ground truth (NAME.jpg + NAME.gt.txt); its pages, except
    those named in real_holdout (kept for measuring), are read by Tesseract `eng` at READ_DPIS and
    their token pairs added to the channel's (normalize.channel_real)."""
    t0 = time.time()
    files = corpus_files(corpus_dir)
    os.makedirs(out_dir, exist_ok=True)
    supplement = list(read_lines(str(resource_path("lexicon", "admin_phrases_vi.txt"))))

    lm_stats: dict = {}
    if "lm" in parts:
        paragraphs = itertools.islice(_weighted_paragraphs(files), max_paragraphs)
        weighted = itertools.chain(paragraphs, ((p, SUPPLEMENT_WEIGHT) for p in supplement))
        lm_stats = build_lm(weighted, out_dir, trigram_min=1, fourgram_min=fourgram_min)
        lm_stats.update(build_case_stats(
            itertools.chain(itertools.islice(_paragraphs(files), max_paragraphs), supplement), out_dir))
        log(f"LM: {lm_stats} in {time.time() - t0:.0f}s")
    t_lm = time.time() - t0

    if "codes" in parts:
        table = build_table(itertools.islice(_paragraphs(files), max_paragraphs))
        # the agencies' and types' abbreviations of the gazetteer and lexicon (BCSĐ, TGĐ, HĐND) count
        # as common: national legal text seldom writes the Party's and provinces' codes
        for name in ("agencies.tsv", "doctypes.tsv"):
            reference_text = [resource_path("gazetteer", name).read_text(encoding="utf-8"), *supplement]
            for seg, c in build_table(reference_text, min_count=1).items():
                table[seg] = table.get(seg, 0) + c * REFERENCE_WEIGHT
        save_table(dict(sorted(table.items())), out_dir)
        log(f"codes: {len(table)} code segments and acronyms")

    pairs: list[tuple[str, str]] = []
    real_trained: list[str] = []
    if "channel" in parts:
        texts = sample_texts(itertools.islice(_paragraphs(files), max_paragraphs), CHANNEL_SAMPLE_LINES, seed)
        texts += supplement
        pairs = generate_pairs(texts, channel_pages, seed, log=log) if channel_pages else []
        if real_dir:
            names = [n for n in real_pages(real_dir) if n not in real_holdout]
            if not names:
                raise FileNotFoundError(f"no real page with ground truth left to train on in {real_dir}")
            real = real_pairs(real_dir, names, READ_DPIS, log=log)
            pairs += real * REAL_WEIGHT
            real_trained = names
        if pairs_path:
            with open(pairs_path, "w", encoding="utf-8") as f:
                json.dump(pairs, f, ensure_ascii=False)
        params = estimate_channel(pairs)
        params.save(os.path.join(out_dir, "restore_channel.json"))
        log(f"channel: {len(pairs)} token pairs from {channel_pages} pages, {len(params.learned)} characters")
    t_total = time.time() - t0
    log(f"total {t_total:.0f}s")
    return {"lm": lm_stats, "channel_pairs": len(pairs), "channel_pages": channel_pages,
            "real_pages": real_trained, "seconds_lm": round(t_lm, 1), "seconds_total": round(t_total, 1),
            "files": [os.path.basename(f) for f in files]}


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Rebuild the restorer models from a corpus folder")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", default=os.path.join("data", "models"))
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--pages", type=int, default=CHANNEL_PAGES)
    ap.add_argument("--pairs", help="also save the channel token pairs (JSON) here")
    ap.add_argument("--parts", default="lm,codes,channel", help="comma-separated: lm, codes, channel")
    ap.add_argument("--real", help="folder of real scans with ground truth (NAME.jpg + NAME.gt.txt) for the channel")
    ap.add_argument("--real-holdout", default="", help="comma-separated page names of --real not trained on")
    ap.add_argument("--fourgram-min", type=int, default=FOURGRAM_MIN,
                    help="also store 4-grams seen at least this often (default: a trigram LM)")
    args = ap.parse_args()
    print(train(args.corpus, args.out, args.seed, channel_pages=args.pages, pairs_path=args.pairs,
                parts=tuple(args.parts.split(",")), real_dir=args.real,
                real_holdout=tuple(x for x in args.real_holdout.split(",") if x), fourgram_min=args.fourgram_min))
