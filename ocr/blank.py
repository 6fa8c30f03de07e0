"""Blank pages, recognised before Tesseract: a PDF page that draws nothing (ocr.inputs marks its
job) or a page image with next to no ink. Such a page becomes an empty page flagged `blank`."""

from __future__ import annotations

import time

import numpy as np

from sohoa.document import Page

INK_LEVEL = 128  # grey levels below this are ink
MAX_INK_SHARE = 2e-4  # a page number or a speck of dust; one short line of text is well above it


def is_blank_image(img: np.ndarray) -> bool:
    """Next to no dark pixels (a few milliseconds on a 300 dpi A4 page). A page with dark scanner
    borders is not blank here: it goes to OCR, which never loses a page that has text."""
    if img.size == 0:
        return True
    grey = img if img.ndim == 2 else img.min(axis=2)
    step = 2  # every other row and column: a stroke is several pixels wide at scanning resolutions
    sample = grey[::step, ::step]
    return int(np.count_nonzero(sample < INK_LEVEL)) <= MAX_INK_SHARE * sample.size


def blank_page(number: int, t0: float, **geometry: int | None) -> Page:
    return Page(number=number, source="ocr", mean_conf=None, flags=["blank", "no_text"],
                timings={"total": round(time.perf_counter() - t0, 4)}, **geometry)
