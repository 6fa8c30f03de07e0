"""Text helpers of the archive: which part of a file's text is each document's, query words folded
like the FTS5 index, and search snippets."""

from __future__ import annotations

import re

from sohoa.pipeline.fold import fold, fold_aligned
from sohoa.record import Record


def _own_start(record: Record) -> int | None:
    """Where a record's own text starts: its earliest field span, not counting fields it took
    from another document (source.derived_from.fields)."""
    if record.source is None:
        return None
    derived = record.source.derived_from
    inherited = set(derived.get("fields", [])) if isinstance(derived, dict) else set()
    starts = [v.start for k, v in record.source.fields.items() if k not in inherited and not isinstance(v, list)]
    return min(starts) if starts else None


def document_spans(records: list[Record], text_len: int) -> list[tuple[int, int] | None]:
    """The part of the file's text that belongs to each record, for files holding several documents:
    from a record's own first field to the next record's. None where it cannot be told (one record:
    the whole text; a record without spans: its pages)."""
    if len(records) == 1:
        return [(0, text_len)]
    starts = [_own_start(r) for r in records]
    known = sorted({s for s in starts if s is not None})
    spans: list[tuple[int, int] | None] = []
    for s in starts:
        if s is None:
            spans.append(None)
            continue
        begin = 0 if s == known[0] else s
        later = [k for k in known if k > s]
        spans.append((begin, later[0] if later else text_len))
    return spans


_WORD = re.compile(r"\w+", re.UNICODE)


def fts_terms(words: str) -> list[str]:
    """Query words folded like the index (`Đảng ủy` and `dang uy` give the same terms)."""
    return _WORD.findall(fold(words))


def fts_phrases(query: str) -> list[list[str]]:
    """The query as FTS5 phrases, each a list of folded terms, all of which must match:
    `"..."` quoted words form one phrase, and so does a word that folding splits
    (`07-CT/TU` → `07 ct tu`, consecutive); other words stand alone."""
    phrases = [fts_terms(q) for q in re.findall(r'"([^"]*)"', query)]
    rest = re.sub(r'"[^"]*"', " ", query)
    phrases += [fts_terms(w) for w in rest.split()]
    return [p for p in phrases if p]


def make_snippet(text: str, terms: list[str], width: int = 160) -> str:
    """A window of the original text where most query words occur close together, matches in [brackets]."""
    folded = fold_aligned(text)
    spans = []
    for t in set(terms):
        for m in re.finditer(rf"(?<!\w){re.escape(t)}(?!\w)", folded):
            spans.append((m.start(), m.end(), t))
    if not spans:
        return " ".join(text[:width].split())
    spans.sort()
    reach = width * 2 // 3
    best = max(spans, key=lambda sp: (len({t for s, _, t in spans if sp[0] <= s < sp[0] + reach}), -sp[0]))
    start = max(0, best[0] - width // 3)
    end = min(len(text), start + width)
    parts, pos = [], start
    for s, e, _ in spans:
        if s < pos or e > end:
            continue
        parts.append(text[pos:s])
        parts.append(f"[{text[s:e]}]")
        pos = e
    parts.append(text[pos:end])
    snippet = " ".join("".join(parts).split())
    return ("…" if start > 0 else "") + snippet + ("…" if end < len(text) else "")
