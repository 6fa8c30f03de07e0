"""Stage 2: NFC, legacy encodings, tone placement and restoration of garbled Vietnamese.

Public API (stable; other stages call only these):
- restore_lines(lines) -> list[str]: one output line per input line.
- restore_document(doc) -> dict: fills Line.restored / Line.tokens of an sohoa.document.Document
  in place and returns a small report ({"lines": n, "changed_tokens": k, "mode_counts": {...}}).
"""

from sohoa.normalize.restore import restore_document, restore_lines

__all__ = ["restore_document", "restore_lines"]
