"""Everything the document page shows, gathered from the archive into plain values for its template."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from sohoa.pipeline.evaluate import LIST_FIELDS, apply_field_corrections
from sohoa.pipeline.review.reader import ArchiveReader
from sohoa.pipeline.review.text import (
    Segment,
    field_boxes,
    field_spans,
    low_classes,
    place_tokens,
    text_offset,
    text_segments,
)
from sohoa.record import HEADER_FIELDS, Record

SCALAR_FIELDS = HEADER_FIELDS
EDITABLE_FIELDS = SCALAR_FIELDS + LIST_FIELDS


@dataclass
class FieldView:
    name: str
    machine: str | None
    reviewed: str | None
    has_review: bool
    has_span: bool
    flags: list[dict] = field(default_factory=list)
    conf: float | None = None
    crop: str | None = None  # URL of the crop of the field's box on its page

    @property
    def current(self) -> str | None:
        return self.reviewed if self.has_review else self.machine


@dataclass
class PageView:
    page: int
    image: str | None
    width: int | None
    height: int | None
    mean_conf: float | None
    boxes: list[dict] = field(default_factory=list)
    field_boxes: list[dict] = field(default_factory=list)


@dataclass
class DocumentView:
    doc: sqlite3.Row
    title: str
    effective: dict[str, Any]
    fields: list[FieldView]
    lists: list[dict]
    corrections: list[sqlite3.Row]
    reviews: list[sqlite3.Row]
    segments: list[Segment]
    pages: list[PageView]
    image_note: str | None
    low_words: dict[str, int]


def latest_field_values(corrections: list[Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for c in corrections:
        if c["target"] == "field" and c["field"]:
            out[c["field"]] = c["new_value"]
    return out


def latest_token_values(corrections: list[Any]) -> dict[tuple[int, int, int], str]:
    out: dict[tuple[int, int, int], str] = {}
    for c in corrections:
        if c["target"] == "token" and c["page"] is not None:
            out[(c["page"], c["line"], c["idx"])] = c["new_value"] or ""
    return out


def item_text(x: Any) -> str:
    if isinstance(x, dict):
        return " · ".join(f"{k}: {v}" for k, v in x.items() if v not in (None, "", []))
    return str(x)


def build(reader: ArchiveReader, conn: sqlite3.Connection, doc_id: int, low_conf: float,
          engine_low: float) -> DocumentView | None:
    doc = reader.document(conn, doc_id)
    if doc is None:
        return None
    corrections = reader.corrections(conn, doc)
    pages = reader.pages(conn, doc)
    tokens = reader.tokens(conn, doc["file_id"], doc["sha256"], [p["page"] for p in pages])
    page_texts = reader.page_texts(conn, doc["file_id"])
    record = Record.from_dict(json.loads(doc["record_json"]))
    reviewed = latest_field_values([c for c in corrections if c["doc_id"] == doc_id])
    effective = apply_field_corrections(record, reviewed).to_dict()
    text = doc["text"] or ""
    offset = text_offset(page_texts, doc["page_from"], text)
    source = json.loads(doc["source_json"]) if doc["source_json"] else effective.get("source")
    # spans count from the start of the file's text; the stored document text starts at `offset`
    spans = [(f, a - offset, b - offset) for f, a, b in field_spans(source, offset + len(text)) if a >= offset]
    segments = text_segments(text, spans, place_tokens(text, offset, page_texts, tokens),
                             latest_token_values(corrections), low_conf, engine_low)
    boxes = field_boxes(source)
    local = reader.local_path(doc["path"], doc["abs_path"], doc["run_dir"])
    has_images = doc["kind"] not in (None, "text") and not str(doc["path"]).lower().endswith(".txt") and (
        os.path.isfile(local) or _has_page_files(conn, doc["file_id"]))
    note = None
    if doc["kind"] == "text" or str(doc["path"]).lower().endswith(".txt"):
        note = "Tệp văn bản: không có ảnh trang."
    elif not has_images:
        note = f"Không tìm thấy tệp gốc {doc['path']}: chỉ hiển thị văn bản."
    page_views = [_page_view(doc, p, tokens, boxes, low_conf, engine_low, has_images) for p in pages] if has_images else []
    flags_by_field: dict[str, list[dict]] = {}
    for r in record.review:
        flags_by_field.setdefault(r.field, []).append(r.to_dict())
    confidence = record.confidence()
    with_span = {f for f, _, _ in spans}
    box_of = {name: (page, box) for name, page, box in boxes}
    fields = []
    for name in SCALAR_FIELDS:
        fv = FieldView(name, getattr(record, name), reviewed.get(name), name in reviewed, name in with_span,
                       flags_by_field.get(name, []), confidence.get(name))
        where = next(((f["page"], f["box"]) for f in fv.flags if f.get("page") and f.get("box")), None)
        if where is None and fv.flags:
            where = box_of.get(name)
        if where is not None and has_images:
            (page, (x0, y0, x1, y1)) = where
            fv.crop = f"/page/{doc['file_id']}/{page}.png?box={int(x0)},{int(y0)},{int(x1)},{int(y1)}"
        fields.append(fv)
    lists = []
    for name in LIST_FIELDS:
        items = effective.get(name) or []
        if name == "recipients":
            value, hint = "\n".join(str(x) for x in items), "một dòng một nơi nhận"
        else:
            value, hint = json.dumps(items, ensure_ascii=False, indent=1), "JSON"
        lists.append({"name": name, "items": [item_text(x) for x in items], "reviewed": name in reviewed,
                      "value": value, "hint": hint})
    low = {"engine": sum(1 for t in tokens if "low-eng" in low_classes(t, low_conf, engine_low)),
           "restorer": sum(1 for t in tokens if "low-rst" in low_classes(t, low_conf, engine_low)),
           "words": len(tokens)}
    title = f"{effective.get('doc_type') or 'Văn bản'} {effective.get('code') or ''}".strip()
    return DocumentView(doc, title, effective, fields, lists, corrections, reader.reviews(conn, doc), segments,
                        page_views, note, low)


def _has_page_files(conn: sqlite3.Connection, file_id: int) -> bool:
    row = conn.execute("SELECT json_extract(document_json, '$.meta.page_files') FROM files WHERE file_id = ?",
                       (file_id,)).fetchone()
    return bool(row and row[0] and json.loads(row[0]))


def _page_view(doc: sqlite3.Row, p: sqlite3.Row, tokens: list[dict], boxes: list, low_conf: float,
               engine_low: float, has_images: bool) -> PageView:
    view = PageView(p["page"], f"/page/{doc['file_id']}/{p['page']}.png" if has_images else None,
                    p["width"], p["height"], p["mean_conf"])
    if not (p["width"] and p["height"]):
        return view
    for t in tokens:
        if t["page"] != p["page"] or t["x0"] is None:
            continue
        view.boxes.append({"x": t["x0"], "y": t["y0"], "w": t["x1"] - t["x0"], "h": t["y1"] - t["y0"],
                           "cls": " ".join(["box", *low_classes(t, low_conf, engine_low)]),
                           "tok": f"{t['page']},{t['line']},{t['idx']}", "text": t["text"]})
    for name, page_no, (x0, y0, x1, y1) in boxes:
        if page_no == p["page"] and name in SCALAR_FIELDS:  # list fields would cover the page
            view.field_boxes.append({"x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0, "field": name})
    return view
