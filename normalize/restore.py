"""Restore Vietnamese marks in garbled or accentless OCR text (noisy-channel model + trigram LM).

Public API: `restore_lines` (plain lines in, restored lines out, same count) and `restore_document`
(fills `Line.restored` and `Line.tokens` of a Document in place). Models live in data/models/
(`sohoa train` rebuilds them); without them the text passes through unchanged.
"""

from __future__ import annotations

import functools
import importlib
import os

from normalize.restorer import DEFAULT_MODEL_DIR, get_restorer
from ocr.document import Document, Token, nfc


def models_present(model_dir: str = DEFAULT_MODEL_DIR) -> bool:
    return os.path.exists(os.path.join(model_dir, "restore_lm.npz"))


def restore_lines(lines: list[str]) -> list[str]:
    """One restored line per input line; each line is prepared as in `restore_document` first."""
    texts = prepare_lines(lines)
    if not models_present():
        return texts
    return get_restorer().restore_lines(texts)


def _optional(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


@functools.cache
def _preparers() -> tuple:
    return _optional("normalize.legacy", "convert_legacy"), _optional("normalize.tones", "normalize_tones")


def _prepare(text: str) -> str:
    """Legacy-encoding conversion and tone-placement normalisation, when those modules exist."""
    convert_legacy, normalize_tones = _preparers()
    if convert_legacy is not None:
        text, _encoding = convert_legacy(text)
    if normalize_tones is not None:
        # word by word (tone placement never looks across a space), each distinct word once
        words = text.split(" ")
        for k, word in enumerate(words):
            styled = _TONED.get(word)
            if styled is None:
                if len(_TONED) > _TONED_LIMIT:
                    _TONED.clear()
                styled = _TONED[word] = normalize_tones(word, style="old")
            words[k] = styled
        text = " ".join(words)
    return nfc(text)


_TONED: dict[str, str] = {}  # word → old-style tone placement
_TONED_LIMIT = 200_000


def prepare_lines(lines: list[str]) -> list[str]:
    """NFC, legacy encodings (TCVN3, VNI, VISCII read as cp1252) converted, tone marks placed in the
    old style: line by line, the same for `restore_lines` (both CLIs) and `restore_document`."""
    return [_prepare(x) for x in lines]


def restore_document(doc: Document) -> dict:
    lines = [ln for page in doc.pages for ln in page.lines]
    texts = prepare_lines([ln.text for ln in lines])
    if not models_present():
        for ln, text in zip(lines, texts, strict=True):
            ln.restored = text
            ln.tokens = [Token(w, w, 1.0, False) for w in text.split()]
        return {"lines": len(lines), "changed_tokens": 0, "restorer": "pass-through (no model in data/models)"}
    token_lists = get_restorer().restore_tokens(texts)
    changed = 0
    for ln, toks in zip(lines, token_lists, strict=True):
        ln.tokens = toks
        ln.restored = " ".join(t.text for t in toks)
        changed += sum(t.changed for t in toks)
    return {"lines": len(lines), "changed_tokens": changed, "restorer": "noisy-channel + trigram LM"}
