"""The rows of one document in the archive: the `documents` row, its child tables, and the
canonical agency names beside the written ones (extract.canonical). The FTS index follows the
`documents` rows by triggers (schema.sql)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sohoa.extract.canonical import Canonical, canonical_agency, province_of
from sohoa.record import HEADER_FIELDS, Record


def _pair(c: Canonical | None) -> tuple[str | None, str | None]:
    return (c.name, c.id) if c is not None else (None, None)


def insert_document(conn: sqlite3.Connection, file_id: int, seq: int, record: Record, text: str,
                    source: dict[str, Any], page_range: tuple[int | None, int | None],
                    doc_id: int | None = None) -> int:
    province = province_of(record.issuer, record.place)
    issuer = _pair(canonical_agency(record.issuer, province))
    cur = conn.execute(
        "INSERT INTO documents(doc_id, file_id, seq, doc_type, number, symbol, code, issuer, place, date,"
        " subject, page_from, page_to, text, record_json, source_json, issuer_canonical, issuer_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (doc_id, file_id, seq, *(getattr(record, k) for k in HEADER_FIELDS), *page_range, text,
         json.dumps(record.to_dict(), ensure_ascii=False), json.dumps(source, ensure_ascii=False), *issuer))
    doc_id = int(cur.lastrowid)
    conn.executemany("INSERT INTO signers(doc_id, seq, authority, position, name) VALUES (?,?,?,?,?)",
                     [(doc_id, i, s.authority, s.position, s.name) for i, s in enumerate(record.signers)])
    conn.executemany(
        "INSERT INTO recipients(doc_id, seq, recipient, recipient_canonical, recipient_id) VALUES (?,?,?,?,?)",
        [(doc_id, i, r, *_pair(canonical_agency(r, province))) for i, r in enumerate(record.recipients)])
    conn.executemany("INSERT INTO refs(doc_id, seq, doc_type, code, date, issuer) VALUES (?,?,?,?,?,?)",
                     [(doc_id, i, r.doc_type, r.code, r.date, r.issuer) for i, r in enumerate(record.references)])
    conn.executemany(
        "INSERT INTO tasks(doc_id, seq, assignee, role, partners_json, action, deadline, assignee_canonical,"
        " assignee_id) VALUES (?,?,?,?,?,?,?,?,?)",
        [(doc_id, i, t.assignee, t.role, json.dumps(t.partners, ensure_ascii=False), t.action, t.deadline,
          *_pair(canonical_agency(t.assignee, province))) for i, t in enumerate(record.tasks)])
    conn.executemany(
        "INSERT INTO task_partners(doc_id, task_seq, seq, partner, partner_canonical, partner_id) VALUES (?,?,?,?,?,?)",
        [(doc_id, i, j, p, *_pair(canonical_agency(p, province)))
         for i, t in enumerate(record.tasks) for j, p in enumerate(t.partners)])
    conn.executemany("INSERT INTO deadlines(doc_id, seq, text, date) VALUES (?,?,?,?)",
                     [(doc_id, i, d.text, d.date) for i, d in enumerate(record.deadlines)])
    return doc_id


def backfill_canonical(conn: sqlite3.Connection) -> None:
    """Canonical names for the rows of an archive written before they existed (migration to v3)."""
    provinces: dict[int, str | None] = {}
    for doc_id, issuer, place in conn.execute("SELECT doc_id, issuer, place FROM documents").fetchall():
        provinces[doc_id] = province_of(issuer, place)
        conn.execute("UPDATE documents SET issuer_canonical = ?, issuer_id = ? WHERE doc_id = ?",
                     (*_pair(canonical_agency(issuer, provinces[doc_id])), doc_id))
    for rowid, doc_id, name in conn.execute("SELECT rowid, doc_id, recipient FROM recipients").fetchall():
        conn.execute("UPDATE recipients SET recipient_canonical = ?, recipient_id = ? WHERE rowid = ?",
                     (*_pair(canonical_agency(name, provinces.get(doc_id))), rowid))
    for rowid, doc_id, seq, name, partners in conn.execute(
            "SELECT rowid, doc_id, seq, assignee, partners_json FROM tasks").fetchall():
        province = provinces.get(doc_id)
        conn.execute("UPDATE tasks SET assignee_canonical = ?, assignee_id = ? WHERE rowid = ?",
                     (*_pair(canonical_agency(name, province)), rowid))
        try:
            names = json.loads(partners or "[]")
        except ValueError:
            names = []
        conn.executemany(
            "INSERT INTO task_partners(doc_id, task_seq, seq, partner, partner_canonical, partner_id) VALUES (?,?,?,?,?,?)",
            [(doc_id, seq, j, p, *_pair(canonical_agency(p, province))) for j, p in enumerate(names) if isinstance(p, str)])
