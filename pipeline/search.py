"""Full-text search of the archive: the FTS5 match, phrase and proximity ranking, field filters.

The index (`documents_fts`, external content of `documents`) drops tone and vowel marks but keeps
`đ`. A query is folded (`Đảng ủy` → `dang uy`) and each term that starts with `d` asks for `d` or
`đ` (Vietnamese writes d/đ only at a word's start), so queries with or without marks find the
same documents. Every word must match; quoted words must match as a phrase.

Ranking: documents holding the query's words as the phrase typed come first, then those where
the words stand closest together, then bm25 (`sohoa search "Lâm Đồng"` ranks `tỉnh Lâm Đồng`
above a text with `Cam Lâm` and `đồng` far apart).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from dataclasses import dataclass

import pandas as pd

from sohoa.extract.canonical import agency_id, canonical_agency
from sohoa.pipeline.archive_text import fts_phrases, make_snippet
from sohoa.pipeline.fold import fold

MAX_VARIANTS = 32  # d/đ spellings of one phrase asked of the index
CANDIDATES = 500  # bm25-best matches that are re-ranked by phrase and proximity
COLUMNS = ["doc_id", "score", "phrase", "span", "code", "doc_type", "date", "issuer", "subject", "path", "snippet"]
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Filters:
    doc_type: str | None = None
    issuer: str | None = None  # written, canonical name or issuer_id
    year: str | int | None = None
    code: str | None = None

    def sql(self) -> tuple[list[str], list[object]]:
        where: list[str] = []
        params: list[object] = []
        if self.doc_type:
            where.append("sohoa_fold(d.doc_type) = ?")
            params.append(fold(self.doc_type).strip())
        if self.issuer:
            canon = canonical_agency(self.issuer)
            ids = {agency_id(self.issuer)} | ({canon.id} if canon else set())
            where.append(f"(d.issuer_id IN ({','.join('?' * len(ids))}) OR sohoa_fold(d.issuer) LIKE ?)")
            params.extend([*sorted(ids), "%" + fold(self.issuer).strip() + "%"])
        if self.year:
            where.append("substr(d.date, 1, 4) = ?")
            params.append(str(self.year))
        if self.code:
            where.append("replace(upper(d.code), ' ', '') LIKE ?")
            params.append("%" + "".join(self.code.upper().split()) + "%")
        return where, params


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _spellings(term: str) -> list[str]:
    return [term, "đ" + term[1:]] if term.startswith("d") else [term]


def match_expression(query: str) -> str | None:
    """The FTS5 MATCH expression of a query (None when it has no word)."""
    parts = []
    for phrase in fts_phrases(query):
        variants = list(itertools.islice(itertools.product(*(_spellings(t) for t in phrase)), MAX_VARIANTS))
        alts = ['"' + " ".join(_quote(t)[1:-1] for t in v) + '"' for v in variants]
        parts.append(alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
    return " AND ".join(parts) if parts else None


def _prepare(conn: sqlite3.Connection) -> None:
    conn.create_function("sohoa_fold", 1, lambda s: fold(s) if isinstance(s, str) else None, deterministic=True)


def _phrase_and_span(text: str, terms: list[str]) -> tuple[bool, int]:
    """Whether the terms occur as one run of words, and the fewest extra words in a window holding
    them all."""
    words = _WORD.findall(fold(text or ""))
    n = len(terms)
    phrase = any(words[i:i + n] == terms for i in range(len(words) - n + 1)) if n else False
    wanted = set(terms)
    best = len(words)
    last: dict[str, int] = {}
    for i, w in enumerate(words):
        if w in wanted:
            last[w] = i
            if len(last) == len(wanted):
                best = min(best, i - min(last.values()) + 1 - len(wanted))
    return phrase, best


def matching_doc_ids(conn: sqlite3.Connection, query: str) -> list[int]:
    """The doc_ids whose text holds every word of the query (unranked)."""
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        from sohoa.pipeline.search_pg import matching_doc_ids_pg

        return matching_doc_ids_pg(conn, query)
    match = match_expression(query)
    if match is None:
        return []
    return [int(r[0]) for r in conn.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", (match,))]


def search_documents(conn: sqlite3.Connection, query: str, *, limit: int = 20,
                     filters: Filters | None = None) -> pd.DataFrame:
    """Documents matching every word of `query`, ranked (the module's docstring); on PostgreSQL the
    candidates come from pipeline.search_pg, and are ranked here the same way."""
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        from sohoa.pipeline.search_pg import candidates_pg

        return rank(candidates_pg(conn, query, limit=limit, filters=filters or Filters()), query, limit)
    match = match_expression(query)
    if match is None:
        return pd.DataFrame(columns=COLUMNS)
    _prepare(conn)
    where, params = (filters or Filters()).sql()
    sql = ("SELECT d.doc_id, bm25(documents_fts) AS score, d.code, d.doc_type, d.date, d.issuer, d.subject,"
           " f.path, coalesce(d.search_text, d.text) FROM documents_fts JOIN documents d ON d.doc_id = documents_fts.rowid"
           " JOIN files f ON f.file_id = d.file_id WHERE documents_fts MATCH ?"
           + "".join(f" AND {w}" for w in where) + " ORDER BY bm25(documents_fts) LIMIT ?")
    rows = conn.execute(sql, (match, *params, max(CANDIDATES, int(limit)))).fetchall()
    return rank(rows, query, limit)


def rank(rows: list, query: str, limit: int) -> pd.DataFrame:
    """Candidate rows (doc_id, score, code, doc_type, date, issuer, subject, path, text), best score
    first, re-ranked: the typed phrase first, then the closest words, then the score."""
    phrases = fts_phrases(query)
    terms = [t for p in phrases for t in p]
    ranked = []
    for row in rows:
        phrase, span = _phrase_and_span(row[8], terms)
        ranked.append((not phrase, span, row[1], row, phrase))
    ranked.sort(key=lambda x: (x[0], x[1], x[2]))
    out = [{"doc_id": r[0], "score": r[1], "phrase": phrase, "span": span, "code": r[2], "doc_type": r[3],
            "date": r[4], "issuer": r[5], "subject": r[6], "path": r[7], "snippet": make_snippet(r[8] or "", terms)}
           for _, span, _, r, phrase in ranked[: int(limit)]]
    return pd.DataFrame(out, columns=COLUMNS)
