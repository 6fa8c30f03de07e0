"""Scores of `sohoa eval`: field matching as the project's dev scorer does it, counts and F1 of
list fields, CER / SER of text, the pairing of gold and predicted records, and the stable keys of
what a prediction gets right (for regression baselines)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from sohoa.normalize.tones import normalize_tones
from sohoa.record import Record, Signer

HEADER_FIELDS = ("doc_type", "code", "issuer", "place", "date", "subject")
SIGNER_FIELDS = ("authority", "position", "name")
LIST_FIELDS = ("recipients", "signers", "references", "tasks", "deadlines")
# a list correction written as plain lines: the sub-field each line fills
LINE_ITEM_FIELD = {"signers": "name", "references": "code", "tasks": "assignee", "deadlines": "text"}
# Long free-text fields: a near match (ratio ≥ 90) counts, as the project's dev scorer does.
FUZZY_FIELDS = {"issuer", "subject", "position", "authority"}


# ---------------------------------------------------------------- normalisation


def old_style_tones(text: str) -> str:
    """NFC, with the tone of open `oa`, `oe`, `uy` syllables on the first vowel: hoà → hòa, thuỷ → thủy."""
    return normalize_tones(unicodedata.normalize("NFC", text), "old")


def norm_value(value: Any) -> str | None:
    if value is None:
        return None
    text = old_style_tones(str(value)).casefold()
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .,;:-–*")


def code_key(code: Any) -> str:
    if not code:
        return ""
    text = unicodedata.normalize("NFC", str(code)).upper().replace("Đ", "D")
    return re.sub(r"\s+", "", text)


def field_matches(name: str, gold: Any, pred: Any) -> bool:
    g, p = norm_value(gold), norm_value(pred)
    if p is None or g is None:
        return g is None and p is None
    if name == "code":
        return code_key(gold) == code_key(pred)
    if name in FUZZY_FIELDS:
        return fuzz.ratio(g, p) >= 90
    return g == p


def text_for_cer(text: str) -> str:
    return re.sub(r"\s+", " ", old_style_tones(text)).strip()


def syllables(text: str) -> list[str]:
    return old_style_tones(text).casefold().split()


# ---------------------------------------------------------------- score accumulation


@dataclass
class Counts:
    tp: int = 0
    gold: int = 0
    pred: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.gold += other.gold
        self.pred += other.pred

    @property
    def f1(self) -> float | None:
        if not self.gold and not self.pred:
            return None
        precision = self.tp / self.pred if self.pred else 0.0
        recall = self.tp / self.gold if self.gold else 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def greedy_matches(gold: list[Any], pred: list[Any], match: Callable[[Any, Any], bool]) -> Counts:
    used: set[int] = set()
    tp = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and match(g, p):
                used.add(i)
                tp += 1
                break
    return Counts(tp, len(gold), len(pred))


@dataclass
class TextScore:
    char_edits: int = 0
    chars: int = 0
    syl_edits: int = 0
    syls: int = 0

    def add(self, other: TextScore) -> None:
        self.char_edits += other.char_edits
        self.chars += other.chars
        self.syl_edits += other.syl_edits
        self.syls += other.syls

    @property
    def cer(self) -> float | None:
        return self.char_edits / self.chars if self.chars else None

    @property
    def ser(self) -> float | None:
        return self.syl_edits / self.syls if self.syls else None


def score_text(gold: str, pred: str) -> TextScore:
    g, p = text_for_cer(gold), text_for_cer(pred)
    gs, ps = syllables(gold), syllables(pred)
    return TextScore(Levenshtein.distance(g, p), len(g), Levenshtein.distance(gs, ps), len(gs))


@dataclass
class RecordScore:
    fields: dict[str, list[int]] = field(default_factory=dict)  # name → [ok, total]
    refs: Counts = field(default_factory=Counts)
    tasks: Counts = field(default_factory=Counts)
    recipients: Counts = field(default_factory=Counts)
    misses: list[str] = field(default_factory=list)

    def add(self, other: RecordScore) -> None:
        for name, (ok, total) in other.fields.items():
            cur = self.fields.setdefault(name, [0, 0])
            cur[0] += ok
            cur[1] += total
        self.refs.add(other.refs)
        self.tasks.add(other.tasks)
        self.recipients.add(other.recipients)
        self.misses.extend(other.misses)

    @property
    def field_accuracy(self) -> float | None:
        ok = sum(v[0] for v in self.fields.values())
        total = sum(v[1] for v in self.fields.values())
        return ok / total if total else None


def _count(score: RecordScore, name: str, ok: bool) -> None:
    cur = score.fields.setdefault(name, [0, 0])
    cur[0] += int(ok)
    cur[1] += 1


def _first_signer(record: Record) -> Signer:
    return record.signers[0] if record.signers else Signer()


def score_record(gold: Record, pred: Record, label: str = "") -> RecordScore:
    """Fields the gold leaves null (unreadable or not applicable) are not scored."""
    score = RecordScore()
    for name in HEADER_FIELDS:
        want, got = getattr(gold, name), getattr(pred, name)
        if want is None:
            continue
        ok = field_matches(name, want, got)
        _count(score, name, ok)
        if not ok:
            score.misses.append(f"{label} {name}: gold={want!r} got={got!r}")
    gold_signer, pred_signer = _first_signer(gold), _first_signer(pred)
    for name in SIGNER_FIELDS:
        want, got = getattr(gold_signer, name), getattr(pred_signer, name)
        if want is None:
            continue
        ok = field_matches(name, want, got)
        _count(score, "signer." + name, ok)
        if not ok:
            score.misses.append(f"{label} signer.{name}: gold={want!r} got={got!r}")
    score.refs = greedy_matches(
        [r.code for r in gold.references],
        [r.code for r in pred.references],
        lambda a, b: bool(a) and code_key(a) == code_key(b),
    )
    score.tasks = greedy_matches(
        [t.assignee for t in gold.tasks],
        [t.assignee for t in pred.tasks],
        lambda a, b: a is not None and b is not None and fuzz.token_set_ratio(norm_value(a), norm_value(b)) >= 85,
    )
    score.recipients = greedy_matches(
        list(gold.recipients),
        list(pred.recipients),
        lambda a, b: a is not None and b is not None and fuzz.ratio(norm_value(a), norm_value(b)) >= 85,
    )
    return score


def pair_records(gold: list[Record], pred: list[Record]) -> list[tuple[Record, Record]]:
    """Each gold document with the predicted one of the same code, else the one at the same position."""
    pairs = []
    for i, g in enumerate(gold):
        same_code = [p for p in pred if g.code and code_key(p.code) == code_key(g.code)]
        p = same_code[0] if same_code else (pred[i] if i < len(pred) else Record())
        pairs.append((g, p))
    return pairs


# ---------------------------------------------------------------- the evaluation run


# ---------------------------------------------------------------- regression keys


def correct_keys(label: str, gold: list[Record], pred: list[Record]) -> set[str]:
    """Every scored thing the prediction gets right, as a stable key: `label#i:field`,
    `label#i:ref:CODE`, `label#i:task:ASSIGNEE`, `label#i:recipient:TEXT`. A regression check
    compares these sets between a baseline and a new run: a key that disappears is a field
    that was right and became wrong."""
    keys: set[str] = set()
    for i, (g, p) in enumerate(pair_records(gold, pred)):
        base = f"{label}#{i}:"
        for name in HEADER_FIELDS:
            if getattr(g, name) is not None and field_matches(name, getattr(g, name), getattr(p, name)):
                keys.add(base + name)
        gs, ps = _first_signer(g), _first_signer(p)
        for name in SIGNER_FIELDS:
            if getattr(gs, name) is not None and field_matches(name, getattr(gs, name), getattr(ps, name)):
                keys.add(base + "signer." + name)
        pred_codes = {code_key(r.code) for r in p.references}
        for r in g.references:
            if r.code and code_key(r.code) in pred_codes:
                keys.add(base + "ref:" + code_key(r.code))
        for kind, gold_items, pred_items, threshold, scorer in (
            ("task", [t.assignee for t in g.tasks], [t.assignee for t in p.tasks], 85, fuzz.token_set_ratio),
            ("recipient", list(g.recipients), list(p.recipients), 85, fuzz.ratio),
        ):
            for item in gold_items:
                if item is None:
                    continue
                if any(q is not None and scorer(norm_value(item), norm_value(q)) >= threshold for q in pred_items):
                    keys.add(f"{base}{kind}:{norm_value(item)}")
    return keys
