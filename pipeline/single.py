"""One file, start to finish, without the archive: what `sohoa ocr` and `sohoa extract` use."""

from __future__ import annotations

from typing import Any

from sohoa.document import Document
from sohoa.pipeline.components import DocState, run_stages
from sohoa.pipeline.config import Settings


def open_file(path: str | list[str], settings: Settings) -> Any:
    """`ocr.inputs.open_input` (a list: `open_image_set`) with the `ocr.*` settings; raises the
    classes of sohoa/errors.py."""
    from sohoa.ocr.inputs import open_image_set, open_input

    o, lim = settings.ocr, settings.limits
    if isinstance(path, list):
        return open_image_set(path, dpi=o.dpi, max_pixels=o.max_pixels, max_pages=lim.max_pages)
    return open_input(path, dpi=o.dpi, max_pixels=o.max_pixels, force_ocr=o.force_ocr,
                      max_text_mb=lim.max_text_mb, max_pages=lim.max_pages)


def check_engine(settings: Settings) -> None:
    from sohoa.ocr.engine import check_tesseract

    check_tesseract(settings.ocr.lang, settings.ocr.tesseract_cmd or None)


def load_document(path: str | list[str], settings: Settings, jobs: int = 1) -> Document:
    """Pages from the text itself, the text layer or OCR (as ocr.outputs.ocr_file does), with the
    `ocr.*` and `limits.*` settings; a list of paths is an image set, named after its first page."""
    from sohoa.ocr.outputs import ocr_pages

    opened = open_file(path, settings)
    page_jobs = opened.page_jobs()
    config = settings.ocr.engine_config()
    meta: dict[str, Any] = {"kind": opened.kind, "page_count": opened.page_count, "size": opened.size}
    if opened.text_quality is not None:
        meta["text_layer_quality"] = round(opened.text_quality, 3)
    if page_jobs:
        check_engine(settings)
        pages = ocr_pages(page_jobs, config, jobs)
        meta["ocr"] = {"lang": config.lang, "dpi": config.dpi, "jobs": jobs}
        meta["page_jobs"] = [job.__dict__ for job in page_jobs]
    else:
        pages = opened.text_pages()
    return Document(path=str(path[0] if isinstance(path, list) else path), pages=pages,
                    sha256=opened.sha256, meta=meta)


def process_file(path: str | list[str], settings: Settings, jobs: int = 1) -> DocState:
    """Pages (text layer or OCR), then the configured stages after `ocr`."""
    return run_stages(DocState(load_document(path, settings, jobs)), settings)
