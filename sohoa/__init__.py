"""sohoa — OCR + NLP for scanned Vietnamese government directives.

One import namespace for the stages, each in its own top-level folder of the source tree:
`sohoa.ocr`, `sohoa.normalize`, `sohoa.extract`, `sohoa.pipeline`; the shared data model is
`sohoa.document` (pages, words, boxes) and `sohoa.record` (the extracted records); package data
(models, gazetteer, lexicon) is found through `sohoa.resources`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

try:
    __version__ = _dist_version("sohoa")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
