"""Legacy-encoding detection and conversion on a constructed mix of texts.

Builds snippets of 1, 3 and 10 lines from correctly accented Vietnamese (../shared/corpus if
present, else built-in sentences), renders each as Unicode, TCVN3, VNI or VISCII mojibake,
adds OCR-garbled Unicode lines from ../shared/seeds and the scanners' text layers of the
../shared/ocr_eval PDFs (if present) and foreign text as further negatives, and reports per-encoding precision / recall of `detect_legacy`, exact conversion
rate, the per-line accuracy on mixed documents, and a naive baseline (most frequent
encoding-specific character wins) for comparison.

    .venv/bin/python bench/legacy.py [--snippets 600] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sohoa.normalize.legacy import (  # noqa: E402
    _LEGACY_CHARS,
    _WEAK_CHARS,
    ENCODINGS,
    can_encode,
    convert_legacy,
    detect_legacy,
    encode_legacy,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
FALLBACK = [
    "Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành triển khai thực hiện nghiêm túc.",
    "Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy, tổ chức đảng lãnh đạo, chỉ đạo quán triệt.",
    "Thủ tướng Chính phủ chỉ thị tăng cường công tác phòng, chống thiên tai năm 2024.",
    "Giao Sở Tài nguyên và Môi trường chủ trì, phối hợp với Công an tỉnh kiểm tra.",
    "Văn phòng Thành ủy thông báo ý kiến kết luận của đồng chí Bí thư về việc khắc phục hậu quả bão.",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
]
FOREIGN = [
    "The quick brown fox jumps over the lazy dog.",
    "Le café où nous étions était très agréable, à côté de la gare.",
    "Müller und Söhne GmbH, Größe: groß, Straße 5 — Zürich.",
    "El niño está en España con el señor Muñoz.",
]

# Characters a naive detector treats as the mark of each encoding.
_NAIVE = {enc: _LEGACY_CHARS[enc] - _WEAK_CHARS for enc in ENCODINGS}


def naive_detect(text: str) -> str | None:
    if any(ord(c) > 0xFF and not c.isspace() for c in text if c not in "“”‘’–—…•€™"):
        return None
    counts = {enc: sum(c in chars for c in text) for enc, chars in _NAIVE.items()}
    best = max(counts, key=lambda e: counts[e])
    return best if counts[best] >= 1 else None


def load_sentences() -> tuple[list[str], str]:
    corpus = SHARED / "corpus" / "legal_vn.test.txt"
    if corpus.exists():
        lines = [ln.strip() for ln in corpus.read_text(encoding="utf-8").splitlines() if ln.strip()]
        return [ln[:200] for ln in lines], str(corpus)
    return FALLBACK, "built-in sentences"


def load_garble() -> list[str]:
    seeds = SHARED / "seeds"
    out: list[str] = []
    for path in sorted(seeds.glob("*.txt")) if seeds.exists() else []:
        if path.name.startswith("003"):
            continue  # the clean seed
        out += [ln for ln in path.read_text(encoding="utf-8").splitlines() if len(ln.split()) >= 3]
    pdfs = sorted((SHARED / "ocr_eval" / "vietadmin_scans").glob("*.pdf")) if SHARED.exists() else []
    for pdf in pdfs if shutil.which("pdftotext") else []:  # scanners' own garbled text layers
        done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True)
        text = done.stdout.decode("utf-8", errors="replace")
        out += [ln.strip() for ln in text.splitlines() if len(ln.split()) >= 3]
    return out


def build(rng: random.Random, sentences: list[str], garble: list[str], n: int) -> list[tuple[str, str, str]]:
    """(label, input text, expected Unicode text or '' for negatives)."""
    items = []
    labels = ["unicode", *ENCODINGS, "garble", "foreign"]
    for _ in range(n):
        label = rng.choice(labels if garble else [x for x in labels if x != "garble"])
        size = rng.choice((1, 3, 10))
        if label == "garble":
            start = rng.randrange(max(1, len(garble) - size))
            items.append((label, "\n".join(garble[start:start + size]), ""))
            continue
        if label == "foreign":
            items.append((label, "\n".join(rng.choices(FOREIGN, k=size)), ""))
            continue
        pool = [s for s in rng.sample(sentences, min(len(sentences), size * 3))
                if label == "unicode" or can_encode(s, label)][:size]
        text = "\n".join(pool)
        items.append((label, text if label == "unicode" else encode_legacy(text, label), text))
    return items


def score(items: list[tuple[str, str, str]], detect) -> dict[str, tuple[float, float, int]]:
    confusion: Counter[tuple[str, str]] = Counter()
    for label, text, _ in items:
        truth = label if label in ENCODINGS else "none"
        confusion[(truth, detect(text) or "none")] += 1
    out = {}
    for enc in ENCODINGS:
        tp = confusion[(enc, enc)]
        predicted = sum(v for (_, p), v in confusion.items() if p == enc)
        actual = sum(v for (t, _), v in confusion.items() if t == enc)
        out[enc] = (tp / predicted if predicted else 1.0, tp / actual if actual else 1.0, actual)
    negatives = sum(v for (t, _), v in confusion.items() if t == "none")
    false_alarms = sum(v for (t, p), v in confusion.items() if t == "none" and p != "none")
    out["none"] = (false_alarms / negatives if negatives else 0.0, 0.0, negatives)
    return out


def mixed_documents(rng: random.Random, sentences: list[str], garble: list[str], n: int) -> tuple[int, int, int]:
    """Unicode (or garbled) documents with one legacy paragraph: lines right / lines total / docs."""
    right = total = 0
    for _ in range(n):
        enc = rng.choice(ENCODINGS)
        body = rng.sample(garble, 6) if garble and rng.random() < 0.5 else rng.sample(sentences, 6)
        para = [s for s in rng.sample(sentences, 12) if can_encode(s, enc)][:4]
        lines = body[:3] + [encode_legacy(s, enc) for s in para] + body[3:]
        expected = body[:3] + para + body[3:]
        out, _ = convert_legacy("\n".join(lines))
        for got, want in zip(out.split("\n"), expected, strict=True):
            total += 1
            right += got == want if enc != "tcvn3" else got.lower() == want.lower()
    return right, total, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--snippets", type=int, default=600)
    ap.add_argument("--mixed", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sentences, source = load_sentences()
    garble = load_garble()
    items = build(rng, sentences, garble, args.snippets)
    print(f"source: {source}; {len(garble)} garbled OCR lines; {len(items)} snippets of 1/3/10 lines")

    t0 = time.perf_counter()
    ours = score(items, detect_legacy)
    elapsed = time.perf_counter() - t0
    base = score(items, naive_detect)
    n_lines = sum(t.count("\n") + 1 for _, t, _ in items)
    print(f"\n{'encoding':<9} {'n':>5}  {'precision':>9} {'recall':>7}   baseline P / R")
    for enc in ENCODINGS:
        p, r, n = ours[enc]
        bp, br, _ = base[enc]
        print(f"{enc:<9} {n:>5}  {p:>9.3f} {r:>7.3f}   {bp:.3f} / {br:.3f}")
    print(f"negatives {ours['none'][2]:>4}  false alarms {ours['none'][0]:.3f}   baseline {base['none'][0]:.3f}")
    print(f"detection speed: {n_lines / elapsed:,.0f} lines/s")

    exact = Counter()
    count = Counter()
    for label, text, expected in items:
        if label in ENCODINGS:
            out, _ = convert_legacy(text)
            count[label] += 1
            exact[label] += out == expected
            exact[label + "/ci"] += out.lower() == expected.lower()
    print("\nexact conversion (convert_legacy output == original Unicode):")
    for enc in ENCODINGS:
        print(f"  {enc:<7} {exact[enc] / count[enc]:.3f}   ignoring case {exact[enc + '/ci'] / count[enc]:.3f}")
    right, total, docs = mixed_documents(rng, sentences, garble, args.mixed)
    print(f"\nmixed documents ({docs}, legacy paragraph inside Unicode or garbled text): "
          f"{right / total:.3f} of {total} lines come out right")
    short = [t for label, t, _ in items if label in ENCODINGS and "\n" not in t]
    missed = [t for t in short if detect_legacy(t) is None]
    print(f"single-line snippets left undetected: {len(missed)}/{len(short)}"
          + (f", e.g. {re.sub(chr(10), ' ', missed[0])[:70]!r}" if missed else ""))


if __name__ == "__main__":
    main()
