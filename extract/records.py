"""Placeholder until the extractor lands (issue 4)."""

from __future__ import annotations

from ocr.document import Document


def extract_text(text: str, path: str | None = None) -> list[dict]:
    return []


def extract_document(doc: Document) -> list[dict]:
    return extract_text(doc.text(restored=True), doc.path)
