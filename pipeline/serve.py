"""`sohoa serve --db ARCHIVE`: a small review site over an archive (stdlib http.server, no JS framework).

* `/` — the documents, with full-text search (diacritics folded) and filters by type, issuer, year.
* `/doc/<id>` — one document: its fields (machine value, reviewed value, a form to correct each),
  the restored text with field spans and low-confidence / changed tokens highlighted (click a token
  to correct it), and the page images with the OCR word boxes when the scanned file is still there.
* `POST /doc/<id>/correct` — stores a correction in the `corrections` table. Machine output is never
  changed; corrections are exported with the data and `sohoa eval --db` uses them as gold.

Every piece of document text is HTML-escaped, pages send a Content-Security-Policy without inline
scripts, and POSTs from another origin are refused. It listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import argparse
import html
import json
import mimetypes
import os
import re
import sqlite3
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from sohoa.errors import ExitCode
from sohoa.pipeline.evaluate import LIST_FIELDS, apply_field_corrections
from sohoa.pipeline.fold import fold
from sohoa.record import HEADER_FIELDS, Record

STATIC_DIR = Path(str(files("sohoa.pipeline").joinpath("static")))
SCALAR_FIELDS = HEADER_FIELDS
EDITABLE_FIELDS = SCALAR_FIELDS + LIST_FIELDS
MAX_VALUE_CHARS = 20_000
PAGE_SIZE = 100
CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'"


def h(value: Any) -> str:
    """Escape anything for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def page_html(title: str, body: str) -> Response:
    doc = (
        "<!doctype html><html lang=vi><head><meta charset=utf-8>"
        f"<title>{h(title)} — sohoa</title>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<link rel=stylesheet href='/static/review.css'>"
        "<script src='/static/review.js' defer></script></head>"
        f"<body><header class=top><a href='/'>sohoa review</a></header><main>{body}</main></body></html>"
    )
    return Response(200, doc.encode("utf-8"))


def error_page(status: int, message: str) -> Response:
    r = page_html(f"{status}", f"<h1>{status}</h1><p class=error>{h(message)}</p><p><a href='/'>All documents</a></p>")
    r.status = status
    return r


# ---------------------------------------------------------------- data access


class ArchiveReader:
    """Plain sqlite3 over the archive schema (pipeline/schema.sql); one connection per request."""

    def __init__(self, db: Path):
        self.db = db

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and is always closed."""
        conn = sqlite3.connect(self.db, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def filter_choices(self, conn: sqlite3.Connection) -> dict[str, list[str]]:
        def col(sql: str) -> list[str]:
            return [r[0] for r in conn.execute(sql) if r[0]]

        return {
            "type": col("SELECT DISTINCT doc_type FROM documents ORDER BY 1"),
            "issuer": col("SELECT DISTINCT issuer FROM documents ORDER BY 1"),
            "year": col("SELECT DISTINCT substr(date, 1, 4) FROM documents WHERE date IS NOT NULL ORDER BY 1 DESC"),
        }

    def search(self, conn: sqlite3.Connection, q: str, doc_type: str, issuer: str, year: str, offset: int):
        where, params = [], []
        if q.strip():
            ids = self._text_matches(conn, q)
            where.append(f"d.doc_id IN ({','.join('?' * len(ids))})" if ids else "0")
            params.extend(ids)
        if doc_type:
            where.append("d.doc_type = ?")
            params.append(doc_type)
        if issuer:
            where.append("d.issuer = ?")
            params.append(issuer)
        if year:
            where.append("substr(d.date, 1, 4) = ?")
            params.append(year)
        sql = (
            "SELECT d.doc_id, d.doc_type, d.code, d.issuer, d.date, d.subject, f.path, "
            "(SELECT count(*) FROM corrections c WHERE c.doc_id = d.doc_id) AS n_corrections "
            "FROM documents d JOIN files f USING (file_id)"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY d.date IS NULL, d.date DESC, d.doc_id LIMIT ? OFFSET ?"
        )
        rows = conn.execute(sql, [*params, PAGE_SIZE + 1, offset]).fetchall()
        return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE

    def _text_matches(self, conn: sqlite3.Connection, q: str) -> list[int]:
        """Documents whose folded text holds every word of `q` (FTS5), or whose code matches."""
        words = [w for w in re.split(r"\s+", fold(q)) if w]
        ids: set[int] = set()
        fts_query = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        try:
            ids.update(r[0] for r in conn.execute("SELECT doc_id FROM documents_fts WHERE documents_fts MATCH ?", (fts_query,)))
        except sqlite3.Error:  # no FTS table (an older archive): fall back to a scan
            pass
        if not ids:
            rows = conn.execute("SELECT doc_id, text FROM documents").fetchall()
            ids.update(r[0] for r in rows if all(w in fold(r[1] or "") for w in words))
        like = "%" + q.strip().replace("%", "") + "%"
        ids.update(r[0] for r in conn.execute("SELECT doc_id FROM documents WHERE code LIKE ?", (like,)))
        return sorted(int(i) for i in ids)

    def document(self, conn: sqlite3.Connection, doc_id: int) -> sqlite3.Row | None:
        return conn.execute(
            "SELECT d.*, f.path, f.sha256, f.kind, f.pages AS file_pages FROM documents d "
            "JOIN files f USING (file_id) WHERE d.doc_id = ?",
            (doc_id,),
        ).fetchone()

    def corrections(self, conn: sqlite3.Connection, doc: sqlite3.Row) -> list[sqlite3.Row]:
        return conn.execute(
            "SELECT * FROM corrections WHERE doc_id = ? OR (target = 'token' AND file_sha256 = ?) "
            "ORDER BY correction_id",
            (doc["doc_id"], doc["sha256"]),
        ).fetchall()

    def pages(self, conn: sqlite3.Connection, doc: sqlite3.Row) -> list[sqlite3.Row]:
        lo, hi = doc["page_from"] or 1, doc["page_to"] or doc["page_from"] or 10**6
        return conn.execute(
            "SELECT * FROM pages WHERE file_id = ? AND page BETWEEN ? AND ? ORDER BY page", (doc["file_id"], lo, hi)
        ).fetchall()

    def text_offset(self, conn: sqlite3.Connection, doc: sqlite3.Row) -> int:
        """Where the document's stored text starts in its file's text (pages joined by form feeds),
        which is what the extractor's spans count from. The stored text is a slice of the file's
        text (the whole file, its pages, or the part from this document's header on)."""
        pages = conn.execute("SELECT page, text FROM pages WHERE file_id = ? ORDER BY page", (doc["file_id"],)).fetchall()
        file_text = "\f".join(r["text"] or "" for r in pages)
        first = doc["page_from"] or 1
        page_start = sum(len(r["text"] or "") + 1 for r in pages if r["page"] < first)
        text = doc["text"] or ""
        if not text:
            return page_start
        # the slice starts on its first page (or before it, for a document that starts mid-page)
        hits = _find_all(file_text, text[:200])
        if not hits:
            return page_start
        return min(hits, key=lambda i: (i > page_start + len(text), abs(i - page_start)))

    def tokens(self, conn: sqlite3.Connection, file_id: int, pages: list[int]) -> list[sqlite3.Row]:
        if not pages:
            return []
        marks = ",".join("?" * len(pages))
        return conn.execute(
            f"SELECT * FROM tokens WHERE file_id = ? AND page IN ({marks}) ORDER BY page, line, idx", (file_id, *pages)
        ).fetchall()


def _find_all(haystack: str, needle: str) -> list[int]:
    out, i = [], haystack.find(needle)
    while i >= 0 and needle:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


def latest_field_values(corrections: list[sqlite3.Row]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for c in corrections:
        if c["target"] == "field" and c["field"]:
            out[c["field"]] = c["new_value"]
    return out


def latest_token_values(corrections: list[sqlite3.Row]) -> dict[tuple[int, int, int], str]:
    out: dict[tuple[int, int, int], str] = {}
    for c in corrections:
        if c["target"] == "token" and c["page"] is not None:
            out[(c["page"], c["line"], c["idx"])] = c["new_value"] or ""
    return out


# ---------------------------------------------------------------- spans in the document text


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
    text: str, offset: int, page_texts: list[tuple[int, str]], tokens: list[sqlite3.Row]
) -> list[tuple[int, int, sqlite3.Row]]:
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


def align_tokens(text: str, tokens: list[sqlite3.Row], window: int = 60) -> list[tuple[int, int, sqlite3.Row]]:
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


def render_text(
    text: str,
    spans: list[tuple[str, int, int]],
    tokens: list[tuple[int, int, sqlite3.Row]],
    token_fixes: dict[tuple[int, int, int], str],
    low_conf: float,
) -> str:
    """The text cut at every span boundary; each piece is escaped and tagged with its fields and token."""
    cuts = {0, len(text)}
    for _, s, e in spans:
        cuts.update((s, e))
    for s, e, _ in tokens:
        cuts.update((s, e))
    points = sorted(cuts)
    token_at = {s: (e, t) for s, e, t in tokens}
    first_of_field: set[str] = set()
    out = []
    current: tuple[int, sqlite3.Row] | None = None
    for a, b in zip(points, points[1:], strict=False):
        if a in token_at:
            current = token_at[a]
        elif current is not None and a >= current[0]:
            current = None
        fields = sorted({f for f, s, e in spans if s <= a and b <= e})
        classes, attrs = [], []
        if fields:
            classes.append("fld")
            attrs.append(f"data-fields='{h(' '.join(fields))}'")
            new = [f for f in fields if f not in first_of_field]
            if new:
                attrs.append(f"id='span-{h(new[0])}'")
                first_of_field.update(new)
        fix = None
        if current is not None:
            t = current[1]
            key = (t["page"], t["line"], t["idx"])
            classes.append("tok")
            if t["changed"]:
                classes.append("chg")
            if t["conf"] is not None and t["conf"] < low_conf:
                classes.append("low")
            title = f"OCR: {t['source']}" + (f" · confidence {t['conf']:.2f}" if t["conf"] is not None else "")
            if key in token_fixes:
                classes.append("fixed")
                title += f" · corrected to: {token_fixes[key]}"
                fix = token_fixes[key] if b == current[0] else None
            attrs += [f"data-tok='{key[0]},{key[1]},{key[2]}'", f"data-word='{h(t['text'])}'", f"title='{h(title)}'"]
        piece = _escape_text(text[a:b])
        out.append(f"<span class='{' '.join(classes)}' {' '.join(attrs)}>{piece}</span>" if classes else piece)
        if fix is not None:
            out.append(f"<ins class=tokfix>{h(fix)}</ins>")
    return "".join(out)


def _escape_text(piece: str) -> str:
    return h(piece).replace("\f", "<hr class=pagebreak>")


# ---------------------------------------------------------------- page images


class PageImages:
    """PNG renderings of a stored file's pages, re-rasterised on demand and kept in a small cache."""

    def __init__(self, size: int = 8):
        self.size = size
        self.cache: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self.lock = threading.Lock()

    def png(self, path: str, kind: str | None, page: int, dpi: int | None) -> bytes | None:
        key = (path, page)
        with self.lock:
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key]
        data = render_page_png(path, kind, page, dpi)
        if data is not None:
            with self.lock:
                self.cache[key] = data
                while len(self.cache) > self.size:
                    self.cache.popitem(last=False)
        return data


def render_page_png(path: str, kind: str | None, page: int, dpi: int | None, max_width: int = 1600) -> bytes | None:
    """The page re-rasterised as OCR saw it (the frame of the word boxes), as PNG; None when the file
    is gone, is text, or cannot be read any more."""
    if not kind or kind == "text" or not os.path.isfile(path):
        return None
    try:
        import cv2

        from sohoa.ocr.engine import load_page_image
        from sohoa.ocr.inputs import PageJob
    except ImportError:
        return None
    try:
        image = load_page_image(PageJob(path, kind, page, dpi or 300))
    except Exception:  # a file changed or damaged since the run: show the text only
        return None
    if image.shape[1] > max_width:
        scale = max_width / image.shape[1]
        image = cv2.resize(image, (max_width, max(1, round(image.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", image)
    return buf.tobytes() if ok else None


# ---------------------------------------------------------------- views


@dataclass
class ReviewApp:
    db: Path
    reviewer: str | None = None
    low_conf: float = 0.6
    images: PageImages = field(default_factory=PageImages)

    def __post_init__(self) -> None:
        self.archive = ArchiveReader(self.db)

    def handle(self, method: str, target: str, body: bytes, headers: dict[str, str]) -> Response:
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        try:
            if method == "GET" and path == "/":
                return self.list_view(query)
            if method == "GET" and path.startswith("/static/"):
                return self.static(path[len("/static/") :])
            m = re.fullmatch(r"/doc/(\d+)(\.json)?", path)
            if method == "GET" and m:
                return self.doc_json(int(m.group(1))) if m.group(2) else self.doc_view(int(m.group(1)), query)
            m = re.fullmatch(r"/page/(\d+)/(\d+)\.png", path)
            if method == "GET" and m:
                return self.page_image(int(m.group(1)), int(m.group(2)))
            m = re.fullmatch(r"/doc/(\d+)/correct", path)
            if method == "POST" and m:
                if not same_origin(headers):
                    return error_page(403, "corrections are accepted from this review site only")
                form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
                return self.correct(int(m.group(1)), form)
            return error_page(404, f"no page here: {path}")
        except sqlite3.Error as err:
            return error_page(500, f"{self.db}: {err}")

    # -- list

    def list_view(self, query: dict[str, str]) -> Response:
        q, doc_type, issuer, year = (query.get(k, "") for k in ("q", "type", "issuer", "year"))
        try:
            offset = max(0, int(query.get("offset", "0")))
        except ValueError:
            offset = 0
        with self.archive.connect() as conn:
            choices = self.archive.filter_choices(conn)
            rows, more = self.archive.search(conn, q, doc_type, issuer, year, offset)
            reviewed = self._reviewed_values(conn, [r["doc_id"] for r in rows])
        form = [
            "<form class=filters method=get action='/'>",
            f"<input type=search name=q value='{h(q)}' placeholder='Tìm trong văn bản (không dấu cũng được)'>",
            _select("type", "Loại", choices["type"], doc_type),
            _select("issuer", "Cơ quan ban hành", choices["issuer"], issuer),
            _select("year", "Năm", choices["year"], year),
            "<button type=submit>Tìm</button></form>",
        ]
        table = ["<table class=docs><thead><tr><th>Loại</th><th>Số, ký hiệu</th><th>Ngày</th><th>Cơ quan</th>"
                 "<th>Trích yếu</th><th>Sửa</th></tr></thead><tbody>"]
        for r in rows:
            vals = {**dict(r), **reviewed.get(r["doc_id"], {})}
            table.append(
                f"<tr><td>{h(vals['doc_type'])}</td><td><a class=doclink href='/doc/{r['doc_id']}'>"
                f"{h(vals['code'] or '(không số)')}</a></td><td>{h(vals['date'])}</td><td>{h(vals['issuer'])}</td>"
                f"<td>{h(vals['subject'])}</td><td>{r['n_corrections'] or ''}</td></tr>"
            )
        table.append("</tbody></table>")
        summary = f"<p class=count>{len(rows)}{'+' if more else ''} văn bản</p>"
        nav = ""
        if more or offset:
            base = "&".join(f"{k}={quote(v)}" for k, v in query.items() if k != "offset" and v)
            if offset:
                nav += f"<a href='/?{h(base)}&offset={max(0, offset - PAGE_SIZE)}'>← trước</a> "
            if more:
                nav += f"<a href='/?{h(base)}&offset={offset + PAGE_SIZE}'>sau →</a>"
        return page_html("Văn bản", "<h1>Văn bản</h1>" + "".join(form) + summary + "".join(table) + f"<nav>{nav}</nav>")

    def _reviewed_values(self, conn: sqlite3.Connection, ids: list[int]) -> dict[int, dict[str, str | None]]:
        if not ids:
            return {}
        out: dict[int, dict[str, str | None]] = {}
        marks = ",".join("?" * len(ids))
        for r in conn.execute(
            f"SELECT doc_id, field, new_value FROM corrections WHERE target = 'field' AND doc_id IN ({marks}) "
            "ORDER BY correction_id",
            ids,
        ):
            if r["field"] in SCALAR_FIELDS:
                out.setdefault(r["doc_id"], {})[r["field"]] = r["new_value"]
        return out

    # -- one document

    def doc_view(self, doc_id: int, query: dict[str, str]) -> Response:
        with self.archive.connect() as conn:
            doc = self.archive.document(conn, doc_id)
            if doc is None:
                return error_page(404, f"no document {doc_id} in {self.db}")
            corrections = self.archive.corrections(conn, doc)
            pages = self.archive.pages(conn, doc)
            tokens = self.archive.tokens(conn, doc["file_id"], [p["page"] for p in pages])
            offset = self.archive.text_offset(conn, doc)
            page_texts = [(r["page"], r["text"] or "") for r in conn.execute(
                "SELECT page, text FROM pages WHERE file_id = ? ORDER BY page", (doc["file_id"],))]
        record = Record.from_dict(json.loads(doc["record_json"]))
        reviewed = latest_field_values([c for c in corrections if c["doc_id"] == doc_id])
        effective = apply_field_corrections(record, reviewed).to_dict()
        text = doc["text"] or ""
        source = json.loads(doc["source_json"]) if doc["source_json"] else effective.get("source")
        # spans count from the start of the file's text; the stored document text starts at page_from
        spans = [(f, a - offset, b - offset) for f, a, b in field_spans(source, offset + len(text)) if a >= offset]
        aligned = place_tokens(text, offset, page_texts, tokens)
        token_fixes = latest_token_values(corrections)
        title = f"{effective.get('doc_type') or 'Văn bản'} {effective.get('code') or ''}".strip()
        parts = [
            f"<h1>{h(title)}</h1>",
            f"<p class=meta>Tệp: <code>{h(doc['path'])}</code> · trang {h(doc['page_from'])}–{h(doc['page_to'])}"
            f" · <a href='/doc/{doc_id}.json'>JSON</a></p>",
        ]
        if query.get("saved"):
            parts.append("<p class=saved role=status>Đã lưu sửa đổi.</p>")
        images_html, has_images = self._page_images(doc, pages, tokens, field_boxes(source))
        parts.append(f"<div class='cols{' three' if has_images else ''}'><section class=fields>")
        parts.append(self._fields_table(doc_id, record, reviewed, {f for f, _, _ in spans}))
        parts.append(self._lists(doc_id, record, effective, reviewed))
        parts.append(self._history(corrections))
        parts.append("</section><section class=textcol>")
        parts.append(
            "<h2>Văn bản</h2><p class=legend><span class='tok low'>độ tin cậy thấp</span> "
            "<span class='tok chg'>đã khôi phục</span> <span class='fld'>trường trích xuất</span> "
            "<span class='tok fixed'>đã sửa</span> — bấm vào một từ để sửa.</p>"
        )
        parts.append(f"<pre class=doctext id=doctext>{render_text(text, spans, aligned, token_fixes, self.low_conf)}</pre>")
        parts.append(self._token_form(doc_id))
        if has_images:
            parts.append(f"</section><section class=imagecol>{images_html}</section></div>")
        else:
            parts.append(f"{images_html}</section></div>")
        return page_html(title, "".join(parts))

    def _fields_table(self, doc_id: int, record: Record, reviewed: dict[str, str | None], with_span: set[str]) -> str:
        rows = ["<h2>Trường</h2><table class=fieldtab><thead><tr><th>Trường</th><th>Giá trị</th>"
                "<th>Sửa</th></tr></thead><tbody>"]
        for name in SCALAR_FIELDS:
            machine = getattr(record, name)
            label = f"<a href='#span-{h(name)}' class=fieldlink data-field='{h(name)}'>{h(name)}</a>" if name in with_span else h(name)
            has_review = name in reviewed
            current = reviewed[name] if has_review else machine
            value = (f"<span class='machine{' overruled' if has_review else ''}' title='máy đọc'>{h(machine)}</span>"
                     f"<span class='reviewed{' has' if has_review else ''}' title='đã duyệt'>"
                     f"{h(reviewed.get(name)) if has_review else ''}</span>")
            rows.append(
                f"<tr data-field='{h(name)}'><th>{label}</th><td class=value>{value}</td>"
                f"<td><form method=post action='/doc/{doc_id}/correct' class=fixform>"
                f"<input type=hidden name=target value=field><input type=hidden name=field value='{h(name)}'>"
                f"<input name=new_value value='{h(current)}' aria-label='{h(name)}'>"
                "<button type=submit>Lưu</button></form></td></tr>"
            )
        rows.append("</tbody></table>")
        return "".join(rows)

    def _lists(self, doc_id: int, record: Record, effective: dict, reviewed: dict[str, str | None]) -> str:
        out = []
        for name in LIST_FIELDS:
            items = effective.get(name) or []
            mark = " <span class=badge>đã duyệt</span>" if name in reviewed else ""
            out.append(f"<details class=listfield data-field='{h(name)}'><summary>{h(name)} ({len(items)}){mark}</summary>")
            out.append("<ul>" + "".join(f"<li>{h(_item_text(x))}</li>" for x in items) + "</ul>")
            if name == "recipients":
                value, hint = "\n".join(str(x) for x in items), "một dòng một nơi nhận"
            else:
                value, hint = json.dumps(items, ensure_ascii=False, indent=1), "JSON"
            out.append(
                f"<form method=post action='/doc/{doc_id}/correct' class=fixform>"
                f"<input type=hidden name=target value=field><input type=hidden name=field value='{h(name)}'>"
                f"<textarea name=new_value rows=6 aria-label='{h(name)}'>{h(value)}</textarea>"
                f"<button type=submit>Lưu ({h(hint)})</button></form></details>"
            )
        return "<h2>Danh sách</h2>" + "".join(out)

    def _history(self, corrections: list[sqlite3.Row]) -> str:
        if not corrections:
            return ""
        rows = ["<h2>Lịch sử sửa</h2><table class=history><tbody>"]
        for c in corrections:
            what = c["field"] if c["target"] == "field" else f"từ {c['page']}/{c['line']}/{c['idx']}"
            rows.append(
                f"<tr><td>{h(c['created_at'])}</td><td>{h(c['reviewer'])}</td><td>{h(what)}</td>"
                f"<td><del>{h(_short(c['old_value']))}</del> → <ins>{h(_short(c['new_value']))}</ins></td></tr>"
            )
        rows.append("</tbody></table>")
        return "".join(rows)

    def _token_form(self, doc_id: int) -> str:
        return (
            f"<form method=post action='/doc/{doc_id}/correct' id=tokenform class='fixform hidden'>"
            "<input type=hidden name=target value=token><input type=hidden name=page><input type=hidden name=line>"
            "<input type=hidden name=idx><label>Từ <code id=tokenold></code> → "
            "<input name=new_value aria-label=token></label><button type=submit>Lưu từ</button>"
            "<button type=button id=tokencancel>Bỏ</button></form>"
        )

    def _page_images(self, doc: sqlite3.Row, pages: list[sqlite3.Row], tokens: list[sqlite3.Row],
                     boxes: list[tuple[str, int, tuple[int, int, int, int]]]) -> tuple[str, bool]:
        """The page images with their boxes, and whether there are any (else a note why not)."""
        if doc["kind"] == "text" or str(doc["path"]).lower().endswith(".txt"):
            return "<p class=noimage>Tệp văn bản: không có ảnh trang.</p>", False
        if not os.path.isfile(doc["path"]):
            return f"<p class=noimage>Không tìm thấy tệp gốc <code>{h(doc['path'])}</code>: chỉ hiển thị văn bản.</p>", False
        out = ["<h2>Ảnh trang</h2>"]
        for p in pages:
            img = f"<img src='/page/{doc['file_id']}/{p['page']}.png' alt='trang {p['page']}' loading=lazy>"
            svg = ""
            if p["width"] and p["height"]:
                rects = []
                for t in tokens:
                    if t["page"] != p["page"] or t["x0"] is None:
                        continue
                    cls = "box low" if t["conf"] is not None and t["conf"] < self.low_conf else "box"
                    rects.append(
                        f"<rect class='{cls}' x='{t['x0']}' y='{t['y0']}' width='{t['x1'] - t['x0']}' "
                        f"height='{t['y1'] - t['y0']}' data-tok='{t['page']},{t['line']},{t['idx']}'>"
                        f"<title>{h(t['text'])}</title></rect>"
                    )
                for name, page_no, (x0, y0, x1, y1) in boxes:
                    if page_no == p["page"] and name in SCALAR_FIELDS:  # list fields would cover the page
                        rects.append(
                            f"<rect class=fieldbox x='{x0}' y='{y0}' width='{x1 - x0}' height='{y1 - y0}' "
                            f"data-field='{h(name)}'><title>{h(name)}</title></rect>"
                        )
                svg = (f"<svg class=boxes viewBox='0 0 {p['width']} {p['height']}' preserveAspectRatio='none'>"
                       + "".join(rects) + "</svg>")
            conf = f" · độ tin cậy OCR {p['mean_conf']:.0f}" if p["mean_conf"] is not None else ""
            out.append(f"<figure class=pageimg><div class=imgwrap>{img}{svg}</div>"
                       f"<figcaption>trang {p['page']}{h(conf)}</figcaption></figure>")
        return "".join(out), bool(pages)

    def doc_json(self, doc_id: int) -> Response:
        with self.archive.connect() as conn:
            doc = self.archive.document(conn, doc_id)
            if doc is None:
                return error_page(404, f"no document {doc_id}")
            corrections = [dict(c) for c in self.archive.corrections(conn, doc)]
        record = Record.from_dict(json.loads(doc["record_json"]))
        reviewed = latest_field_values([c for c in corrections if c["doc_id"] == doc_id])  # type: ignore[misc]
        body = {"doc_id": doc_id, "record": record.to_dict(),
                "reviewed": apply_field_corrections(record, reviewed).to_dict(),
                "corrections": corrections}
        return Response(200, json.dumps(body, ensure_ascii=False, indent=1).encode(), "application/json; charset=utf-8")

    # -- corrections

    def correct(self, doc_id: int, form: dict[str, str]) -> Response:
        target = form.get("target", "")
        new_value = form.get("new_value", "").replace("\r\n", "\n").strip()
        if len(new_value) > MAX_VALUE_CHARS:
            return error_page(400, "the corrected value is too long")
        with self.archive.connect() as conn:
            doc = self.archive.document(conn, doc_id)
            if doc is None:
                return error_page(404, f"no document {doc_id}")
            row: dict[str, Any] = {"doc_id": doc_id, "file_sha256": doc["sha256"], "target": target}
            if target == "field":
                name = form.get("field", "")
                if name not in EDITABLE_FIELDS:
                    return error_page(400, f"not a field that can be corrected: {name}")
                stored = normalise_field_value(name, new_value)
                if isinstance(stored, Response):
                    return stored
                old = json.loads(doc["record_json"]).get(name)
                row.update(field=name, old_value=_as_text(old), new_value=stored)
            elif target == "token":
                try:
                    page, line, idx = (int(form[k]) for k in ("page", "line", "idx"))
                except (KeyError, ValueError):
                    return error_page(400, "a token correction needs page, line and idx")
                tok = conn.execute(
                    "SELECT text FROM tokens WHERE file_id = ? AND page = ? AND line = ? AND idx = ?",
                    (doc["file_id"], page, line, idx),
                ).fetchone()
                if tok is None:
                    return error_page(400, f"no token {page}/{line}/{idx} in this file")
                if not new_value or len(new_value.split()) > 8:
                    return error_page(400, "a token correction is one word (or a few)")
                row.update(page=page, line=line, idx=idx, old_value=tok["text"], new_value=new_value)
            else:
                return error_page(400, "target must be field or token")
            row["reviewer"] = (form.get("reviewer") or self.reviewer or "").strip()[:100] or None
            row["created_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
            cols = ", ".join(row)
            conn.execute(f"INSERT INTO corrections ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
        anchor = "#doctext" if target == "token" else "#fields"
        return Response(303, b"", headers={"Location": f"/doc/{doc_id}?saved=1{anchor}"})

    # -- files

    def page_image(self, file_id: int, page: int) -> Response:
        with self.archive.connect() as conn:
            f = conn.execute("SELECT path, kind, json_extract(document_json, '$.meta.page_files') AS page_files "
                             "FROM files WHERE file_id = ?", (file_id,)).fetchone()
            p = conn.execute("SELECT dpi FROM pages WHERE file_id = ? AND page = ?", (file_id, page)).fetchone()
        if f is None or p is None:
            return error_page(404, "no such page")
        path, frame_page = f["path"], page
        members = json.loads(f["page_files"]) if f["page_files"] else []
        if 0 < page <= len(members):  # an image set (4_1.jpg, 4_2.jpg): the page's own file
            path, frame_page = members[page - 1], 1
        data = self.images.png(path, f["kind"], frame_page, p["dpi"])
        if data is None:
            return error_page(404, f"{f['path']}: the page image cannot be made (file moved or unreadable)")
        return Response(200, data, "image/png", {"Cache-Control": "max-age=300"})

    def static(self, name: str) -> Response:
        path = (STATIC_DIR / name).resolve()
        if STATIC_DIR.resolve() not in path.parents or not path.is_file():
            return error_page(404, "no such file")
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript"):
            ctype += "; charset=utf-8"
        return Response(200, path.read_bytes(), ctype)


def normalise_field_value(name: str, value: str) -> str | None | Response:
    """List fields are stored as JSON (recipients may be given one per line); others as text."""
    if name not in LIST_FIELDS:
        return value or None
    if name == "recipients" and not value.startswith("["):
        return json.dumps([x.strip() for x in value.splitlines() if x.strip()], ensure_ascii=False)
    try:
        parsed = json.loads(value or "[]")
    except json.JSONDecodeError as err:
        return error_page(400, f"{name}: not valid JSON ({err})")
    if not isinstance(parsed, list):
        return error_page(400, f"{name}: a JSON list is expected")
    return json.dumps(parsed, ensure_ascii=False)


def same_origin(headers: dict[str, str]) -> bool:
    """Refuse cross-site form posts: Origin (or Referer) must name this host when the browser sends it."""
    host = headers.get("host", "")
    for key in ("origin", "referer"):
        value = headers.get(key)
        if value and value != "null":
            return urlsplit(value).netloc == host
    return True


def _select(name: str, label: str, options: list[str], chosen: str) -> str:
    opts = [f"<option value=''>{h(label)}: tất cả</option>"]
    opts += [f"<option value='{h(o)}'{' selected' if o == chosen else ''}>{h(o)}</option>" for o in options]
    return f"<select name={name} aria-label='{h(label)}'>{''.join(opts)}</select>"


def _item_text(x: Any) -> str:
    if isinstance(x, dict):
        return " · ".join(f"{k}: {v}" for k, v in x.items() if v not in (None, "", []))
    return str(x)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _short(value: str | None, n: int = 80) -> str:
    value = value or ""
    return value if len(value) <= n else value[: n - 1] + "…"


# ---------------------------------------------------------------- HTTP plumbing


class ReviewHandler(BaseHTTPRequestHandler):
    app: ReviewApp  # set on the subclass made by make_server
    server_version = "sohoa-review"

    def _respond(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 4 * MAX_VALUE_CHARS:
            resp = error_page(413, "request too large")
        else:
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            resp = self.app.handle(method, self.path, body, headers)
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(resp.body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._respond("POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if not getattr(self.server, "quiet", False):
            super().log_message(format, *args)


def make_server(db: Path, host: str = "127.0.0.1", port: int = 8765, reviewer: str | None = None,
                low_conf: float = 0.6, quiet: bool = False) -> ThreadingHTTPServer:
    app = ReviewApp(Path(db), reviewer=reviewer, low_conf=low_conf)
    handler = type("BoundReviewHandler", (ReviewHandler,), {"app": app})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    server.quiet = quiet  # type: ignore[attr-defined]
    return server


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="the archive to review (default: `db` of sohoa.toml, else archive.sqlite)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 exposes it)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reviewer", default=os.environ.get("USER"), help="name stored with each correction")
    parser.add_argument("--low-conf", type=float, default=0.6,
                        help="tokens whose restoration confidence is below this are highlighted (0..1)")


def main(args: argparse.Namespace | list[str] | None = None) -> int:
    if not isinstance(args, argparse.Namespace):
        parser = argparse.ArgumentParser(prog="sohoa serve", description=__doc__.split("\n\n")[0])
        add_arguments(parser)
        args = parser.parse_args(args)
    db = Path(args.db or "archive.sqlite")
    if not db.is_file():
        print(f"sohoa serve: {db}: no such archive — run `sohoa run` first", file=sys.stderr)
        return ExitCode.database
    from sohoa.errors import DatabaseError
    from sohoa.pipeline.archive import Archive

    try:  # a sohoa archive (anything else is refused untouched), migrated, quick_check ok: corrections go in
        Archive(db).close()
    except DatabaseError as err:
        print(f"sohoa serve: {err.report()}", file=sys.stderr)
        return ExitCode.database
    server = make_server(db, args.host, args.port, args.reviewer, args.low_conf)
    host, port = server.server_address[:2]
    print(f"sohoa review: http://{host}:{port}/  (archive {db}; Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        return ExitCode.interrupted
    finally:
        server.server_close()
    return ExitCode.ok


if __name__ == "__main__":
    sys.exit(main())
