"""Where things are in a document's text: field spans, field boxes, token positions, and the text cut
into segments (each tagged with its fields and token) for the document template to render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Row = Mapping[str, Any]  # a sqlite3.Row or a dict with the tokens table's columns


def field_spans(source: Any, text_len: int) -> list[tuple[str, int, int]]:
    """(field, start, end) for every character span found in a record's `source` object.

    Accepted shapes, at any depth: `field: [start, end]`, `field: {"span": [s, e], …}`,
    `field: {"start": s, "end": e}`, and lists of those (one per recipient, task …)."""
    out: list[tuple[str, int, int]] = []

    def pair(v: Any) -> tuple[int, int] | None:
        if isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in v):
            return int(v[0]), int(v[1])
        if isinstance(v, dict):
            if isinstance(v.get("start"), int) and isinstance(v.get("end"), int):
                return v["start"], v["end"]
            if "span" in v:
                return pair(v["span"])
        return None

    skip = {"span", "start", "end", "box", "boxes", "bbox", "page", "pages", "page_from", "page_to", "file", "path",
            "derived_from"}

    def walk(v: Any, name: str | None) -> None:
        if isinstance(v, dict) and isinstance(v.get("field"), str):  # [{"field": "issuer", "start": …}, …]
            name = v["field"]
        p = pair(v)
        if p is not None:
            s, e = p
            if name is not None and 0 <= s < e <= text_len:
                out.append((name, s, e))
            return
        if isinstance(v, dict):
            for k, sub in v.items():
                if k not in skip:
                    walk(sub, f"{name}.{k}" if name else k)
        elif isinstance(v, list):
            for sub in v:
                walk(sub, name)

    if isinstance(source, dict):
        for k, v in source.items():
            if k in ("spans", "fields") and isinstance(v, dict):
                walk(v, None)
            elif k not in skip:
                walk(v, k)
    seen: set[tuple[str, int, int]] = set()
    return [x for x in out if not (x in seen or seen.add(x))]


def field_boxes(source: Any) -> list[tuple[str, int, tuple[int, int, int, int]]]:
    """(field, page, box) for every `{"page": n, "box": [x0, y0, x1, y1]}` under `source["fields"]`."""
    out: list[tuple[str, int, tuple[int, int, int, int]]] = []

    def walk(v: Any, name: str) -> None:
        if isinstance(v, dict):
            box, page = v.get("box"), v.get("page")
            if isinstance(page, int) and isinstance(box, (list, tuple)) and len(box) == 4:
                out.append((name, page, tuple(int(x) for x in box)))  # type: ignore[arg-type]
            for k, sub in v.items():
                if isinstance(sub, (dict, list)) and k != "box":
                    walk(sub, f"{name}.{k}")
        elif isinstance(v, list):
            for sub in v:
                walk(sub, name)

    fields = source.get("fields") if isinstance(source, dict) else None
    if isinstance(fields, dict):
        for k, v in fields.items():
            walk(v, k)
    return out


def token_positions(page_texts: list[tuple[int, str]]) -> dict[tuple[int, int, int], tuple[int, int]]:
    """(page, line, idx) → (start, end) in the file's text, the way the archive lays it out: pages
    joined by form feeds, blank lines between blocks, `line` counting the non-blank lines of a page
    and `idx` the space-separated tokens of a line."""
    out: dict[tuple[int, int, int], tuple[int, int]] = {}
    pos = 0
    for i, (page, text) in enumerate(page_texts):
        if i:
            pos += 1
        line_no, line_start = 0, pos
        for raw in text.split("\n"):
            if raw.strip():
                tok_start = line_start
                for idx, tok in enumerate(raw.split(" ")):
                    out[(page, line_no, idx)] = (tok_start, tok_start + len(tok))
                    tok_start += len(tok) + 1
                line_no += 1
            line_start += len(raw) + 1
        pos += len(text)
    return out


def place_tokens(
    text: str, offset: int, page_texts: list[tuple[int, str]], tokens: list[Row]
) -> list[tuple[int, int, Row]]:
    """(start, end, token) in the document's text: exact positions where the stored page text and the
    tokens agree, else a search in reading order."""
    where = token_positions(page_texts)
    exact = []
    for t in tokens:
        span = where.get((t["page"], t["line"], t["idx"]))
        if span is None or not t["text"]:
            continue
        s, e = span[0] - offset, span[1] - offset
        if 0 <= s and e <= len(text) and text[s:e] == t["text"]:
            exact.append((s, e, t))
    return exact if exact else align_tokens(text, tokens)


def align_tokens(text: str, tokens: list[Row], window: int = 60) -> list[tuple[int, int, Row]]:
    """(start, end, token) for the tokens found, in order, in the document text. Tokens of another
    document sharing the page are not found near the cursor and are skipped."""
    out = []
    cursor = 0
    for t in tokens:
        word = t["text"] or ""
        if not word:
            continue
        pos = text.find(word, cursor, cursor + window + len(word))
        if pos < 0:
            continue
        out.append((pos, pos + len(word), t))
        cursor = pos + len(word)
    return out


@dataclass
class Segment:
    """A piece of the text between two span or token boundaries; `parts` are its pages' pieces
    (a form feed in the text is a page break)."""

    parts: list[str]
    classes: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    span_id: str | None = None
    tok: str | None = None
    word: str | None = None
    title: str | None = None
    fix: str | None = None


def token_title(t: Row) -> str:
    title = f"OCR: {t['source']}"
    if t["conf"] is not None:
        title += f" · restorer {t['conf']:.2f}"
    engine = t.get("engine_conf") if isinstance(t, dict) else None
    if engine is not None:
        title += f" · engine {engine:.2f}"
    return title


def low_classes(t: Row, low_conf: float, engine_low: float) -> list[str]:
    """`low` and which confidence made it low: the restorer's (`low-rst`) or the engine's (`low-eng`)."""
    out = []
    if t["conf"] is not None and t["conf"] < low_conf:
        out.append("low-rst")
    engine = t.get("engine_conf") if isinstance(t, dict) else None
    if engine is not None and engine < engine_low:
        out.append("low-eng")
    return ["low", *out] if out else []


def text_segments(
    text: str,
    spans: list[tuple[str, int, int]],
    tokens: list[tuple[int, int, Row]],
    token_fixes: dict[tuple[int, int, int], str],
    low_conf: float,
    engine_low: float = 0.6,
) -> list[Segment]:
    """The text cut at every span and token boundary, each piece tagged with its fields and token."""
    cuts = {0, len(text)}
    for _, s, e in spans:
        cuts.update((s, e))
    for s, e, _ in tokens:
        cuts.update((s, e))
    points = sorted(cuts)
    token_at = {s: (e, t) for s, e, t in tokens}
    first_of_field: set[str] = set()
    out: list[Segment] = []
    current: tuple[int, Row] | None = None
    for a, b in zip(points, points[1:], strict=False):
        if a in token_at:
            current = token_at[a]
        elif current is not None and a >= current[0]:
            current = None
        seg = Segment(parts=text[a:b].split("\f"))
        seg.fields = sorted({f for f, s, e in spans if s <= a and b <= e})
        if seg.fields:
            seg.classes.append("fld")
            new = [f for f in seg.fields if f not in first_of_field]
            if new:
                seg.span_id = new[0]
                first_of_field.update(new)
        if current is not None:
            t = current[1]
            key = (t["page"], t["line"], t["idx"])
            seg.classes.append("tok")
            if t["changed"]:
                seg.classes.append("chg")
            seg.classes += low_classes(t, low_conf, engine_low)
            seg.title = token_title(t)
            if key in token_fixes:
                seg.classes.append("fixed")
                seg.title += f" · corrected to: {token_fixes[key]}"
                seg.fix = token_fixes[key] if b == current[0] else None
            seg.tok, seg.word = f"{key[0]},{key[1]},{key[2]}", t["text"]
        out.append(seg)
    return out


def text_offset(page_texts: list[tuple[int, str]], page_from: int | None, text: str) -> int:
    """Where a document's stored text starts in its file's text (pages joined by form feeds), which is
    what the extractor's spans count from. The stored text is a slice of the file's text (the whole
    file, its pages, or the part from this document's header on)."""
    file_text = "\f".join(t for _, t in page_texts)
    first = page_from or 1
    page_start = sum(len(t) + 1 for p, t in page_texts if p < first)
    if not text:
        return page_start
    # the slice starts on its first page (or before it, for a document that starts mid-page)
    hits = _find_all(file_text, text[:200])
    if not hits:
        return page_start
    return min(hits, key=lambda i: (i > page_start + len(text), abs(i - page_start)))


def _find_all(haystack: str, needle: str) -> list[int]:
    out, i = [], haystack.find(needle)
    while i >= 0 and needle:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


def apply_token_fixes(text: str, placed: list[tuple[int, int, Row]], fixes: dict[tuple[int, int, int], str]) -> str:
    """The text with each corrected token replaced by its correction."""
    out, pos = [], 0
    for s, e, t in sorted(placed, key=lambda x: x[0]):
        fix = fixes.get((t["page"], t["line"], t["idx"]))
        if fix is None or s < pos:
            continue
        out += [text[pos:s], fix]
        pos = e
    out.append(text[pos:])
    return "".join(out)
