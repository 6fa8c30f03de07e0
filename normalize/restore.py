"""Placeholder pass-through until the noisy-channel restorer lands (issue 3)."""

from __future__ import annotations

from ocr.document import Document, Token, nfc


def restore_lines(lines: list[str]) -> list[str]:
    return [nfc(x) for x in lines]


def restore_document(doc: Document) -> dict:
    n = 0
    for page in doc.pages:
        for line in page.lines:
            line.restored = nfc(line.text)
            line.tokens = [Token(w.text, w.text, 1.0, False) for w in line.words]
            n += 1
    return {"lines": n, "changed_tokens": 0, "restorer": "pass-through (no model): nothing restored"}
