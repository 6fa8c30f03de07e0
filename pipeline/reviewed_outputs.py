"""`sohoa outputs`: write the searchable PDFs, ALTO, hOCR and text of stored files again, with the
reviewers' corrections applied — the final text an archive keeps is the reviewed one.

`sohoa run` writes its outputs before anyone reviews. Here each stored file's Document (the
archive's `document_json`, restored tokens included) gets its token corrections (the newest per
position wins), the first record its field corrections (subject, code, issuer, date: the PDF's
XMP), and the outputs are written as `sohoa run` writes them, under the same mirrored paths. A
file that is missing or whose content changed since it was stored is not written (its stored
boxes would not fit it); the others go on.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.document import Document, Line, Token
from sohoa.errors import DatabaseError, SohoaError
from sohoa.pipeline.config import Settings, make_ocr_config
from sohoa.pipeline.db_pg import connect_any, is_pg_url, redact
from sohoa.pipeline.output_paths import output_plan, output_rels
from sohoa.pipeline.single import open_file
from sohoa.pipeline.walk import InputPath
from sohoa.pipeline.worker import write_outputs
from sohoa.record import Record

_XMP_FIELDS = ("subject", "code", "issuer", "date", "doc_type")


@dataclass
class OutputsReport:
    written: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "path: why"
    corrections: int = 0  # token corrections applied


def write_reviewed_outputs(settings: Settings, paths: list[str] | None = None) -> OutputsReport:
    """Outputs of every stored ok file (or of `paths`) into the dirs of `settings.output`."""
    db = settings.db
    if not is_pg_url(db) and not os.path.isfile(db):
        raise DatabaseError("no such archive", db)
    try:
        conn = connect_any(db, readonly=True)
    except sqlite3.Error as e:
        raise DatabaseError(f"cannot open the archive ({e})", redact(db)) from e
    try:
        rows = conn.execute("SELECT file_id, path, sha256, document_json FROM files WHERE status = 'ok' "
                            "AND document_json IS NOT NULL ORDER BY path").fetchall()
        if paths is not None:
            wanted = {os.path.abspath(p) for p in paths}
            rows = [r for r in rows if os.path.abspath(r[1]) in wanted]
        docs = {r[0]: Document.from_dict(json.loads(r[3])) for r in rows}
        inputs = [InputPath(r[1], Path(Path(r[1]).name), list(docs[r[0]].meta.get("page_files", [])))
                  for r in rows]
        rels = output_rels(inputs)
        report = OutputsReport()
        for (file_id, path, sha256, _), inp in zip(rows, inputs, strict=True):
            doc = docs[file_id]
            try:
                report.corrections += apply_token_corrections(doc, _token_corrections(conn, sha256))
                record = _reviewed_record(conn, file_id)
                _write_one(doc, inp, sha256, rels[path], record, settings)
                report.written.append(path)
            except SohoaError as e:
                report.failed.append(e.report())
            except Exception as e:  # noqa: BLE001 — one file's failure does not stop the others
                report.failed.append(f"{path}: {type(e).__name__}: {e}")
        return report
    except sqlite3.Error as e:
        raise DatabaseError(f"cannot read the archive ({e})", db) from e
    finally:
        conn.close()


def _write_one(doc: Document, inp: InputPath, sha256: str, rel: Path, record: Record | None,
               settings: Settings) -> None:
    from sohoa.pipeline.run import file_sha256, set_sha256

    members = inp.members or [inp.path]
    if not all(os.path.isfile(p) for p in members):
        raise SohoaError("the file is no longer there: outputs not written", inp.path)
    if (set_sha256(members) if inp.members else file_sha256(inp.path)) != sha256:
        raise SohoaError("the file changed since it was stored: run `sohoa run` on it again", inp.path)
    ocr_pages = [p for p in doc.pages if p.source == "ocr"]
    page_jobs = []
    if ocr_pages and settings.output.pdf_dir:
        opened = open_file(inp.members or inp.path, settings)
        by_number = {j.page_number: j for j in opened.page_jobs()}
        page_jobs = [by_number[p.number] for p in ocr_pages if p.number in by_number]
        if len(page_jobs) != len(ocr_pages):
            raise SohoaError("the file's pages no longer match the stored OCR pages", inp.path)
    plan = output_plan(rel, settings.output, bool(page_jobs))
    write_outputs(doc, page_jobs, plan, make_ocr_config(settings) if page_jobs else None, record)
    if plan.warnings:
        raise SohoaError("; ".join(plan.warnings), inp.path)


def _token_corrections(conn: sqlite3.Connection, sha256: str) -> dict[tuple[int, int, int], str]:
    out: dict[tuple[int, int, int], str] = {}
    for page, line, idx, value in conn.execute(
            "SELECT page, line, idx, new_value FROM corrections WHERE target = 'token' AND file_sha256 = ? "
            "AND page IS NOT NULL ORDER BY correction_id", (sha256,)):
        out[(int(page), int(line), int(idx))] = value or ""
    return out


def apply_token_corrections(doc: Document, corrections: dict[tuple[int, int, int], str]) -> int:
    """Put reviewed tokens into the lines' restored text ((page, line index in the page, token index)
    as in the archive's `tokens` table); the number applied."""
    applied = 0
    for page in doc.pages:
        for li, line in enumerate(page.lines):
            fixes = {idx: v for (p, ln, idx), v in corrections.items() if p == page.number and ln == li}
            if not fixes:
                continue
            toks = _tokens(line)
            for idx, value in fixes.items():
                if 0 <= idx < len(toks):
                    toks[idx] = Token(value, toks[idx].source, 1.0, value != toks[idx].source, toks[idx].sources)
                    applied += 1
            line.tokens = toks
            line.restored = " ".join(t.text for t in toks if t.text)
    return applied


def _tokens(line: Line) -> list[Token]:
    """The line's tokens as the archive numbers them (the OCR words when it was not restored)."""
    return list(line.tokens) or [Token(w.text, w.text, 1.0, False) for w in line.words]


def _reviewed_record(conn: sqlite3.Connection, file_id: int) -> Record | None:
    """The file's first record with the newest field corrections of the fields the PDF carries."""
    row = conn.execute("SELECT doc_id, record_json FROM documents WHERE file_id = ? ORDER BY seq LIMIT 1",
                       (file_id,)).fetchone()
    if row is None:
        return None
    record = Record.from_dict(json.loads(row[1]))
    for name, value in conn.execute("SELECT field, new_value FROM corrections WHERE target = 'field' AND "
                                    "doc_id = ? ORDER BY correction_id", (row[0],)):
        if name in _XMP_FIELDS:
            setattr(record, name, value or None)
    return record
