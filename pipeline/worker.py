"""What runs in the worker processes of a batch: OCR of one page, and the stages after OCR for one
file (restoration, extraction, the optional output files). Top-level functions: they are pickled by
name, for process pools and Dask alike."""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sohoa.document import Document, Page
from sohoa.pipeline.components import DocState, process_document
from sohoa.pipeline.config import Settings
from sohoa.pipeline.gate import judge_state


@dataclass
class OutputPlan:
    """Where to write the optional per-file outputs (None: not asked for)."""

    stem: str = "page"
    pdf: str | None = None
    alto_dir: str | None = None
    hocr_dir: str | None = None
    text: str | None = None
    invalidate_signatures: bool = False  # a signed PDF input's searchable copy: write it anyway
    warnings: list[str] = field(default_factory=list)


def ocr_one_page(job: Any, ocr_config: Any) -> Page:
    from sohoa.ocr.engine import ocr_page

    return ocr_page(job, ocr_config)


def finish_file(doc: Document, page_jobs: list[Any], settings: Settings, plan: OutputPlan,
                ocr_config: Any = None) -> bytes:
    """The file's DocState, packed (`unpack_state`)."""
    state = process_document(doc, settings)
    state.reports["gate"] = judge_state(state, settings).as_dict()
    active = pdf_active_content(page_jobs)
    if active:
        state.reports["active_content"] = {"found": active, "removed_from_searchable_pdf": bool(plan.pdf)}
        if plan.pdf:
            plan.warnings.append(f"active content removed from the searchable PDF: {', '.join(active)}")
    write_outputs(state.doc, page_jobs, plan, ocr_config, state.records[0] if state.records else None)
    state.reports.setdefault("output_warnings", []).extend(plan.warnings)
    if not state.reports["output_warnings"]:
        del state.reports["output_warnings"]
    return pack_state(state)


def pdf_active_content(page_jobs: list[Any]) -> list[str]:
    """What active content (ocr.pdf_sanitize) a scanned PDF input carries, for the file's report."""
    if not page_jobs or not page_jobs[0].kind.startswith("pdf"):
        return []
    try:
        import pikepdf

        from sohoa.ocr.pdf_sanitize import find_active_content

        with pikepdf.open(page_jobs[0].path) as pdf:
            return find_active_content(pdf)
    except Exception:  # noqa: BLE001 — the file was read already; the report just lacks this line
        return []


def pack_state(state: DocState) -> bytes:
    """Pickled without the memo (the document tree shares no objects): the plain pickle the pool
    would use keeps a memo entry per object — for a 10 MB text, millions of words and tokens, it
    took the worker from 0.8 to 2.3 GB; this way, +0.1 GB."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(state)
    return buf.getvalue()


def unpack_state(blob: bytes | DocState) -> DocState:
    return blob if isinstance(blob, DocState) else pickle.loads(blob)


def write_outputs(doc: Document, page_jobs: list[Any], plan: OutputPlan, ocr_config: Any,
                  record: Any = None) -> None:
    """Output files are a by-product: a failure here is a warning on the file, not a failed file."""
    if plan.text:
        Path(plan.text).parent.mkdir(parents=True, exist_ok=True)
        Path(plan.text).write_text(doc.text(restored=True) + "\n", encoding="utf-8")
    ocr_pages = [p for p in doc.pages if p.source == "ocr"]
    if not ocr_pages:
        return
    try:
        from sohoa.ocr import outputs
    except ImportError as e:
        plan.warnings.append(f"output files not written: {e}")
        return
    stem = plan.stem
    try:
        if plan.pdf and page_jobs:
            Path(plan.pdf).parent.mkdir(parents=True, exist_ok=True)
            from sohoa.ocr.pdf_a import PdfInfo, producer_name

            info = PdfInfo.from_record(record, producer_name())
            plan.warnings.extend(outputs.write_searchable_pdf(
                ocr_pages, page_jobs, plan.pdf, ocr_config, info=info,
                invalidate_signatures=plan.invalidate_signatures))
        for folder, writer, ext in ((plan.alto_dir, "write_alto", "xml"), (plan.hocr_dir, "write_hocr", "hocr")):
            if not folder:
                continue
            Path(folder).mkdir(parents=True, exist_ok=True)
            for page in ocr_pages:
                getattr(outputs, writer)(page, str(Path(folder) / f"{stem}.p{page.number:03d}.{ext}"))
    except Exception as e:  # noqa: BLE001 — any writer failure is reported, the records are still stored
        plan.warnings.append(f"output files not written: {type(e).__name__}: {e}")
