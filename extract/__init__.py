"""Stage 3: document records per NĐ 30/2020 and HD 36-HD/VPTW (see ../shared/dev/schema.md).

Public API (stable):
- extract_document(doc) -> list[dict]: one record per document found in an sohoa.document.Document,
  schema field names, each with `source` provenance (file, pages, per-field spans/boxes).
- extract_text(text, path=None) -> list[dict]: the same for plain text.
"""

from sohoa.extract.records import extract_document, extract_text

__all__ = ["extract_document", "extract_text"]
