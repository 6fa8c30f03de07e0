"""`sohoa eval`: score the pipeline against gold records and gold text, or against reviewers' corrections.

Two sources of gold, usable together:

* a folder of gold files: `<stem>.json` (a list of records, see the record contract) and/or
  `<stem>.txt` (the document's correct text) for each input file `<stem>.*` (or `<stem>_*`) found in
  `--inputs` (default: the gold folder, then its parent). Predictions come from the archive given
  with `--db` when it holds the file (matched by content hash), else from running the pipeline.
* `--db ARCHIVE` with reviewer corrections: a document's record with its reviewed fields applied is
  the gold for that document, and a page's tokens with their corrections applied are its gold text.

Scores: CER (characters) and SER (syllables, case-folded) of the restored text; header + first
signer field accuracy; F1 of references (by code), tasks (by assignee) and recipients.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from sohoa.errors import ExitCode
from sohoa.normalize.tones import normalize_tones
from sohoa.pipeline.db_pg import connect_any, db_location, is_pg_url, redact
from sohoa.record import Record, Signer

HEADER_FIELDS = ("doc_type", "code", "issuer", "place", "date", "subject")
SIGNER_FIELDS = ("authority", "position", "name")
LIST_FIELDS = ("recipients", "signers", "references", "tasks", "deadlines")
# a list correction written as plain lines: the sub-field each line fills
LINE_ITEM_FIELD = {"signers": "name", "references": "code", "tasks": "assignee", "deadlines": "text"}
# Long free-text fields: a near match (ratio ≥ 90) counts, as the project's dev scorer does.
FUZZY_FIELDS = {"issuer", "subject", "position", "authority"}
INPUT_SUFFIXES = {".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".txt"}


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


@dataclass
class Evaluation:
    records: RecordScore = field(default_factory=RecordScore)
    text: TextScore = field(default_factory=TextScore)
    items: list[dict[str, Any]] = field(default_factory=list)  # one row per scored file / document
    problems: list[str] = field(default_factory=list)

    def add_records(self, item: str, source: str, gold: list[dict], pred: list[dict]) -> RecordScore:
        total = RecordScore()
        for i, (g, p) in enumerate(pair_records(gold, pred)):
            total.add(score_record(g, p, f"{item}#{i}"))
        self.records.add(total)
        self._item(item, source).update(
            documents=len(gold),
            fields=total.field_accuracy,
            refs_f1=total.refs.f1,
            tasks_f1=total.tasks.f1,
            recipients_f1=total.recipients.f1,
        )
        return total

    def add_text(self, item: str, source: str, gold: str, pred: str) -> TextScore:
        score = score_text(gold, pred)
        self.text.add(score)
        self._item(item, source).update(cer=score.cer, ser=score.ser)
        return score

    def _item(self, item: str, source: str) -> dict[str, Any]:
        """The row of one scored file or document: its record scores and text scores together."""
        for row in self.items:
            if row["item"] == item and row["source"] == source:
                return row
        row = {"item": item, "source": source}
        self.items.append(row)
        return row

    def summary(self) -> dict[str, Any]:
        r = self.records
        return {
            "fields": r.field_accuracy,
            "refs_f1": r.refs.f1,
            "tasks_f1": r.tasks.f1,
            "recipients_f1": r.recipients.f1,
            "cer": self.text.cer,
            "ser": self.text.ser,
            "per_field": {k: {"ok": v[0], "total": v[1]} for k, v in sorted(r.fields.items())},
            "counts": {
                "refs": vars(r.refs),
                "tasks": vars(r.tasks),
                "recipients": vars(r.recipients),
                "chars": self.text.chars,
                "syllables": self.text.syls,
            },
            "items": self.items,
            "misses": r.misses,
            "problems": self.problems,
        }


@dataclass
class GoldItem:
    stem: str
    records: list[Record] | None
    text: str | None
    input_path: Path | None


def load_gold_dir(gold_dir: Path, inputs: list[Path]) -> list[GoldItem]:
    stems = sorted({p.stem for p in gold_dir.iterdir() if p.suffix in (".json", ".txt")})
    items = []
    for stem in stems:
        records = None
        jpath = gold_dir / f"{stem}.json"
        if jpath.exists():
            data = json.loads(jpath.read_text(encoding="utf-8"))
            records = [Record.from_dict(d) for d in ([data] if isinstance(data, dict) else data)
                       if isinstance(d, dict)]
        tpath = gold_dir / f"{stem}.txt"
        text = unicodedata.normalize("NFC", tpath.read_text(encoding="utf-8")) if tpath.exists() else None
        gold_files = {jpath.resolve(), tpath.resolve()}
        items.append(GoldItem(stem, records, text, find_input(stem, inputs, gold_files)))
    return items


def find_input(stem: str, folders: Iterable[Path], exclude: set[Path]) -> Path | None:
    for folder in folders:
        if not folder.is_dir():
            continue
        hits = sorted(
            p
            for p in folder.iterdir()
            if p.is_file()
            and p.suffix.lower() in INPUT_SUFFIXES
            and p.resolve() not in exclude
            and (p.stem == stem or p.name.startswith(stem + "_"))
        )
        if hits:
            return hits[0]
    return None


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Prediction:
    records: list[Record]
    text: str
    source: str  # "archive" or "run"


def page_set_of(path: Path) -> list[str] | None:
    """The files of the image set (one image per page) that `path` starts, as `sohoa run` groups
    its folder, or None when `path` is a file of its own."""
    from sohoa.pipeline.walk import InputPath, group_page_images

    siblings = [InputPath(str(p), Path(p.name)) for p in sorted(path.parent.iterdir()) if p.is_file()]
    for inp in group_page_images(siblings):
        if inp.members and Path(inp.path) == path:
            return inp.members
    return None


def prediction_from_archive(conn: sqlite3.Connection, path: Path) -> Prediction | None:
    from sohoa.pipeline.run import set_sha256

    members = page_set_of(path)
    sha = set_sha256(members) if members else sha256_of(path)
    row = conn.execute("SELECT file_id FROM files WHERE sha256 = ? AND status = 'ok'", (sha,)).fetchone()
    if row is None:
        return None
    file_id = row[0]
    records = [
        Record.from_dict(json.loads(r[0]))
        for r in conn.execute("SELECT record_json FROM documents WHERE file_id = ? ORDER BY seq", (file_id,))
    ]
    pages = [r[0] or "" for r in conn.execute("SELECT text FROM pages WHERE file_id = ? ORDER BY page", (file_id,))]
    return Prediction(records, "\f".join(pages), "archive")


def prediction_from_pipeline(path: Path, config_file: str | None = None) -> Prediction:
    """Run the configured stages (OCR → restoration → extraction) on one file, writing nothing."""
    from sohoa.pipeline.config import load_settings
    from sohoa.pipeline.single import process_file

    state = process_file(page_set_of(path) or str(path), load_settings(config_file), jobs=1)
    return Prediction(state.records, state.doc.text(restored=True), "run")


def evaluate_gold_dir(
    ev: Evaluation,
    gold_dir: Path,
    inputs: list[Path],
    conn: sqlite3.Connection | None,
    predict: Callable[[Path], Prediction] = prediction_from_pipeline,
) -> None:
    items = load_gold_dir(gold_dir, inputs)
    if not items:
        ev.problems.append(f"{gold_dir}: no gold files (<stem>.json / <stem>.txt)")
    for item in items:
        if item.input_path is None:
            ev.problems.append(f"{item.stem}: no input file {item.stem}.* found in " + ", ".join(map(str, inputs)))
            continue
        pred = prediction_from_archive(conn, item.input_path) if conn is not None else None
        if pred is None:
            try:
                pred = predict(item.input_path)
            except Exception as err:  # one bad file must not stop the evaluation
                ev.problems.append(f"{item.input_path}: could not be processed: {err}")
                pred = Prediction([], "", "failed")
        if item.records is not None:
            ev.add_records(item.stem, pred.source, item.records, pred.records)
        if item.text is not None:
            ev.add_text(item.stem, pred.source, item.text, pred.text)


# ---------------------------------------------------------------- reviewer corrections as gold


def apply_field_corrections(record: Record, corrections: dict[str, str | None]) -> Record:
    """A copy of `record` with reviewed values; list fields hold JSON, other fields plain text."""
    out = record.to_dict()
    for name, value in corrections.items():
        if name in LIST_FIELDS and value is not None:
            try:
                out[name] = json.loads(value)
            except json.JSONDecodeError:  # one item a line: the item's main sub-field
                lines = [x.strip() for x in value.splitlines() if x.strip()]
                sub = LINE_ITEM_FIELD.get(name)
                out[name] = [{sub: x} for x in lines] if sub else lines
        elif "." in name:  # signer.name etc.: the first signer's sub-field
            head, sub = name.split(".", 1)
            if head in ("signer", "signers"):
                signers = out.setdefault("signers", []) or []
                if not signers:
                    signers.append({})
                signers[0][sub] = value or None
                out["signers"] = signers
        else:
            out[name] = value if value not in ("",) else None
    return Record.from_dict(out)


def latest_field_corrections(conn: sqlite3.Connection) -> dict[int, dict[str, str | None]]:
    """doc_id → {field: newest value}; corrections whose document was renumbered by a re-run are
    matched again through the file's hash (the file's only document, or the one whose field still
    holds the corrected old value)."""
    out: dict[int, dict[str, str | None]] = {}
    rows = conn.execute(
        "SELECT doc_id, file_sha256, field, old_value, new_value FROM corrections "
        "WHERE target = 'field' AND field IS NOT NULL ORDER BY correction_id"
    ).fetchall()
    for doc_id, sha, name, old, new in rows:
        if doc_id is None or conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is None:
            doc_id = _rematch_document(conn, sha, name, old)
            if doc_id is None:
                continue
        out.setdefault(doc_id, {})[name] = new
    return out


def _rematch_document(conn: sqlite3.Connection, sha: str | None, name: str, old: str | None) -> int | None:
    if not sha:
        return None
    docs = conn.execute(
        "SELECT d.doc_id, d.record_json FROM documents d JOIN files f USING (file_id) WHERE f.sha256 = ? ORDER BY seq",
        (sha,),
    ).fetchall()
    if len(docs) == 1:
        return docs[0][0]
    for doc_id, rec in docs:
        value = json.loads(rec).get(name)
        if value is not None and str(value) == (old or ""):
            return doc_id
    return None


def evaluate_corrections(ev: Evaluation, conn: sqlite3.Connection) -> int:
    """Score machine output against what reviewers corrected; returns how many items were scored."""
    scored = 0
    for doc_id, corrections in sorted(latest_field_corrections(conn).items()):
        row = conn.execute("SELECT record_json, code FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        machine = Record.from_dict(json.loads(row[0]))
        gold = apply_field_corrections(machine, corrections)
        ev.add_records(f"doc {doc_id} {row[1] or ''}".strip(), "corrections", [gold], [machine])
        scored += 1
    pages = conn.execute(
        "SELECT DISTINCT t.file_id, t.page FROM corrections c JOIN files f ON f.sha256 = c.file_sha256 "
        "JOIN tokens t ON t.file_id = f.file_id AND t.page = c.page AND t.line = c.line AND t.idx = c.idx "
        "WHERE c.target = 'token' ORDER BY 1, 2"
    ).fetchall()
    for file_id, page in pages:
        gold, pred = page_texts_with_token_corrections(conn, file_id, page)
        ev.add_text(f"file {file_id} page {page}", "corrections", gold, pred)
        scored += 1
    return scored


def page_texts_with_token_corrections(conn: sqlite3.Connection, file_id: int, page: int) -> tuple[str, str]:
    fixes: dict[tuple[int, int], str] = {}
    for line, idx, new in conn.execute(
        "SELECT c.line, c.idx, c.new_value FROM corrections c JOIN files f ON f.sha256 = c.file_sha256 "
        "WHERE f.file_id = ? AND c.target = 'token' AND c.page = ? ORDER BY c.correction_id",
        (file_id, page),
    ):
        fixes[(line, idx)] = new or ""
    gold_lines: dict[int, list[str]] = {}
    pred_lines: dict[int, list[str]] = {}
    for line, idx, text in conn.execute(
        "SELECT line, idx, text FROM tokens WHERE file_id = ? AND page = ? ORDER BY line, idx", (file_id, page)
    ):
        pred_lines.setdefault(line, []).append(text or "")
        gold_lines.setdefault(line, []).append(fixes.get((line, idx), text or ""))

    def join(lines: dict[int, list[str]]) -> str:
        return "\n".join(" ".join(t for t in toks if t) for _, toks in sorted(lines.items()))

    return join(gold_lines), join(pred_lines)


# ---------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "gold_dir",
        nargs="?",
        type=Path,
        help="folder of gold files: <stem>.json (list of records) and/or <stem>.txt (correct text)",
    )
    parser.add_argument("--db", type=db_location,
                        help="archive (a file or a postgresql:// URL): predictions for files it holds, and reviewer corrections")
    parser.add_argument(
        "--inputs",
        type=Path,
        action="append",
        help="folder holding the input files <stem>.* (default: the gold folder, then its parent); repeatable",
    )
    parser.add_argument("--no-corrections", action="store_true", help="with --db: ignore reviewer corrections")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every field the pipeline got wrong")
    parser.add_argument("--min-fields", type=float, help="exit 1 when field accuracy is below this (0..1)")
    parser.add_argument("--max-cer", type=float, help="exit 1 when the character error rate is above this")
    parser.add_argument("--max-ser", type=float, help="exit 1 when the syllable error rate is above this")


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def render_table(summary: dict[str, Any], verbose: bool = False) -> str:
    lines = []
    items = summary["items"]
    if items:
        lines.append(f"{'item':<28} {'source':<11} {'fields':>6} {'refs':>6} {'tasks':>6} {'recip':>6} {'CER':>6} {'SER':>6}")
        for it in items:
            lines.append(
                f"{str(it['item'])[:28]:<28} {it['source']:<11} {_fmt(it.get('fields')):>6} {_fmt(it.get('refs_f1')):>6} "
                f"{_fmt(it.get('tasks_f1')):>6} {_fmt(it.get('recipients_f1')):>6} {_fmt(it.get('cer')):>6} "
                f"{_fmt(it.get('ser')):>6}"
            )
        lines.append("")
    for name, v in summary["per_field"].items():
        lines.append(f"field {name:<18} {v['ok']}/{v['total']}")
    if verbose:
        lines.extend("  " + m for m in summary["misses"])
    for p in summary["problems"]:
        lines.append(f"problem: {p}")
    lines.append(
        f"FIELDS={_fmt(summary['fields'])} REFS={_fmt(summary['refs_f1'])} TASKS={_fmt(summary['tasks_f1'])} "
        f"RECIPIENTS={_fmt(summary['recipients_f1'])} CER={_fmt(summary['cer'])} SER={_fmt(summary['ser'])}"
    )
    return "\n".join(lines)


def threshold_failures(summary: dict[str, Any], args: argparse.Namespace) -> list[str]:
    fails = []
    checks = (
        ("fields", args.min_fields, lambda v, t: v >= t, "below"),
        ("cer", args.max_cer, lambda v, t: v <= t, "above"),
        ("ser", args.max_ser, lambda v, t: v <= t, "above"),
    )
    for key, limit, ok, word in checks:
        if limit is None:
            continue
        value = summary[key]
        if value is None:
            fails.append(f"{key}: nothing was scored, so the threshold {limit} cannot be met")
        elif not ok(value, limit):
            fails.append(f"{key} {value:.3f} is {word} the threshold {limit}")
    return fails


def run_evaluation(args: argparse.Namespace) -> dict[str, Any]:
    ev = Evaluation()
    conn = None
    if args.db is not None:
        conn = connect_any(args.db, readonly=True)
    try:
        if args.gold_dir is not None:
            inputs = args.inputs or [args.gold_dir, args.gold_dir.parent]
            config_file = getattr(args, "config", None)  # the CLI's global --config, when it has one
            evaluate_gold_dir(ev, args.gold_dir, inputs, conn, lambda p: prediction_from_pipeline(p, config_file))
        if conn is not None and not args.no_corrections:
            if evaluate_corrections(ev, conn) == 0 and args.gold_dir is None:
                ev.problems.append(f"{redact(str(args.db))}: the archive holds no reviewer corrections")
    finally:
        if conn is not None:
            conn.close()
    return ev.summary()


def main(args: argparse.Namespace | list[str] | None = None) -> int:
    if not isinstance(args, argparse.Namespace):
        parser = argparse.ArgumentParser(prog="sohoa eval", description=__doc__.split("\n\n")[0])
        add_arguments(parser)
        args = parser.parse_args(args)
    if args.gold_dir is None and args.db is None:
        print("sohoa eval: give a gold folder, --db ARCHIVE (reviewer corrections), or both", file=sys.stderr)
        return ExitCode.bad_args
    if args.gold_dir is not None and not args.gold_dir.is_dir():
        print(f"sohoa eval: {args.gold_dir}: not a folder", file=sys.stderr)
        return ExitCode.bad_args
    if args.db is not None and not is_pg_url(str(args.db)) and not Path(args.db).exists():
        print(f"sohoa eval: {args.db}: no such archive — run `sohoa run` first", file=sys.stderr)
        return ExitCode.database
    try:
        summary = run_evaluation(args)
    except sqlite3.Error as err:
        print(f"sohoa eval: {redact(str(args.db))}: {err} — is it a sohoa archive?", file=sys.stderr)
        return ExitCode.database
    if args.format == "json":
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print(render_table(summary, args.verbose))
    fails = threshold_failures(summary, args)
    for f in fails:
        print(f"sohoa eval: {f}", file=sys.stderr)
    return ExitCode.some_files_failed if fails else ExitCode.ok


if __name__ == "__main__":
    sys.exit(main())


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
