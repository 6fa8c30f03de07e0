"""One file, start to finish, without the archive: what `sohoa ocr` and `sohoa extract` use."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from typing import Any

from ocr.document import Document, Page
from pipeline.components import DocState, run_stages
from pipeline.config import make_ocr_config

TEXT_KINDS = ("text", "pdf_text")


def open_file(path: str, settings: dict[str, Any]) -> Any:
    """`ocr.inputs.open_input` with the `ocr.*` settings; raises the classes of pipeline/errors.py."""
    from ocr.inputs import open_input

    o = settings["ocr"]
    return open_input(path, dpi=int(o["dpi"]), max_pixels=int(o["max_pixels"]), force_ocr=bool(o["force_ocr"]))


def needs_ocr(inp: Any, settings: dict[str, Any]) -> bool:
    if inp.kind == "text":
        return False
    return inp.kind not in TEXT_KINDS or bool(settings["ocr"]["force_ocr"])


def check_engine(settings: dict[str, Any]) -> None:
    from ocr.engine import check_tesseract

    check_tesseract(settings["ocr"]["lang"])


def load_pages(path: str, settings: dict[str, Any], jobs: int = 1) -> list[Page]:
    inp = open_file(path, settings)
    if not needs_ocr(inp, settings):
        return inp.text_pages()
    check_engine(settings)
    from ocr.engine import ocr_page

    page_jobs = inp.page_jobs()
    config = make_ocr_config(settings)
    if jobs <= 1 or len(page_jobs) <= 1:
        return [ocr_page(j, config) for j in page_jobs]
    with ProcessPoolExecutor(max_workers=min(jobs, len(page_jobs))) as ex:
        return list(ex.map(ocr_page, page_jobs, repeat(config)))


def process_file(path: str, settings: dict[str, Any], jobs: int = 1) -> DocState:
    """Pages (text layer or OCR), then the configured stages after `ocr`."""
    doc = Document(path=path, pages=load_pages(path, settings, jobs))
    return run_stages(DocState(doc), settings)
