"""Full-text search on PostgreSQL: the candidates that pipeline.search ranks.

`documents.search_vector` (pipeline.schema_pg) is `to_tsvector('simple', sohoa_words(text))`:
unaccent, `đ` → `d`, lower case, punctuation as spaces; the reviewed `search_text` where set, like
the SQLite index. A query is split into phrases as on SQLite (pipeline.archive_text.fts_phrases:
quoted words, and a code like `07-CT/TU`, are one phrase), each folded by the same SQL function and
made a `phraseto_tsquery`; all phrases must match. Diacritics and `đ` are folded on both sides, so
`dang uy` finds `Đảng ủy`. The GIN index finds the matches; `ts_rank_cd` (normalised by the
document's length, like bm25) picks the best CANDIDATES, which pipeline.search re-ranks by phrase
and proximity exactly as on SQLite. `score` is `-ts_rank_cd`: lower is better, as with bm25.
"""

from __future__ import annotations

from typing import Any

from sohoa.pipeline.archive_text import fts_phrases

CANDIDATES = 500


def _tsquery(query: str) -> tuple[str, list[str]] | None:
    phrases = fts_phrases(query)
    if not phrases:
        return None
    sql = " && ".join("phraseto_tsquery('simple', sohoa_words(?))" for _ in phrases)
    return sql, [" ".join(p) for p in phrases]


def matching_doc_ids_pg(conn: Any, query: str) -> list[int]:
    q = _tsquery(query)
    if q is None:
        return []
    rows = conn.execute(f"SELECT doc_id FROM documents WHERE search_vector @@ ({q[0]}) ORDER BY doc_id", q[1])
    return [int(r[0]) for r in rows]


def candidates_pg(conn: Any, query: str, *, limit: int, filters: Any) -> list[Any]:
    """Rows (doc_id, score, code, doc_type, date, issuer, subject, path, text) of the documents
    matching every phrase and the filters, best ts_rank_cd first."""
    q = _tsquery(query)
    if q is None:
        return []
    where, params = filters.sql()
    sql = (f"WITH q AS (SELECT ({q[0]}) AS q) SELECT d.doc_id, -ts_rank_cd(d.search_vector, q.q, 1) AS score,"
           " d.code, d.doc_type, d.date, d.issuer, d.subject, f.path, coalesce(d.search_text, d.text)"
           " FROM q, documents d JOIN files f ON f.file_id = d.file_id WHERE d.search_vector @@ q.q"
           + "".join(f" AND {w}" for w in where) + " ORDER BY score, d.doc_id LIMIT ?")
    return conn.execute(sql, (*q[1], *params, max(CANDIDATES, int(limit)))).fetchall()
