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

    o = settings.ocr
    if isinstance(path, list):
        return open_image_set(path, dpi=o.dpi, max_pixels=o.max_pixels)
    return open_input(path, dpi=o.dpi, max_pixels=o.max_pixels, force_ocr=o.force_ocr)


def check_engine(settings: Settings) -> None:
    from sohoa.ocr.engine import check_tesseract

    check_tesseract(settings.ocr.lang, settings.ocr.tesseract_cmd or None)


def load_document(path: str, settings: Settings, jobs: int = 1) -> Document:
    """Pages from the text layer or OCR (ocr.outputs.ocr_file with the `ocr.*` settings)."""
    from sohoa.ocr.outputs import ocr_file

    o = settings.ocr
    return ocr_file(path, o.engine_config(), jobs, force_ocr=o.force_ocr, max_pixels=o.max_pixels)


def process_file(path: str, settings: Settings, jobs: int = 1) -> DocState:
    """Pages (text layer or OCR), then the configured stages after `ocr`."""
    return run_stages(DocState(load_document(path, settings, jobs)), settings)
