"""Restore Vietnamese marks in garbled or accentless OCR text (noisy-channel model + trigram LM).

Public API: `restore_lines` (plain lines in, restored lines out, same count) and `restore_document`
(fills `Line.restored` and `Line.tokens` of a Document in place). Models are package data
(`sohoa.resources`; `sohoa train` rebuilds them); without them both raise MissingResourceError
(exit 3) rather than pass unrestored text through.
"""

from __future__ import annotations

from collections.abc import Iterator

from sohoa.document import Document, Line, Token, nfc
from sohoa.normalize.legacy import convert_legacy
from sohoa.normalize.restorer import get_restorer
from sohoa.normalize.tones import normalize_tones


def restore_lines(lines: list[str]) -> list[str]:
    """One restored line per input line; each line is prepared as in `restore_document` first."""
    texts = prepare_lines(lines)
    return get_restorer().restore_lines(texts)


def _prepare(text: str) -> str:
    """Legacy-encoding conversion and tone-placement normalisation."""
    text, _encoding = convert_legacy(text)
    # word by word (tone placement never looks across a space), each distinct word once
    words = text.split(" ")
    for k, word in enumerate(words):
        styled = _TONED.get(word)
        if styled is None:
            if len(_TONED) > _TONED_LIMIT:
                _TONED.clear()
            styled = _TONED[word] = normalize_tones(word, style="old")
        words[k] = styled
    return nfc(" ".join(words))


_TONED: dict[str, str] = {}  # word → old-style tone placement
_TONED_LIMIT = 200_000


def prepare_lines(lines: list[str]) -> list[str]:
    """NFC, legacy encodings (TCVN3, VNI, VISCII read as cp1252) converted, tone marks placed in the
    old style: line by line, the same for `restore_lines` (both CLIs) and `restore_document`."""
    return [_prepare(x) for x in lines]


CHUNK_WORDS = 20_000  # words decoded at once: the decoder's memory grows with it, not with the file


def line_chunks(lines: list[Line], max_words: int = CHUNK_WORDS) -> Iterator[list[Line]]:
    """Consecutive runs of whole lines of at most `max_words` words (a longer line alone). A
    directive (a few thousand words) is one chunk, so it is decoded exactly as before; a long
    text file is decoded chunk by chunk, its memory bounded by the chunk, not by the file."""
    chunk: list[Line] = []
    words = 0
    for ln in lines:
        n = len(ln.words)
        if chunk and words + n > max_words:
            yield chunk
            chunk, words = [], 0
        chunk.append(ln)
        words += n
    if chunk:
        yield chunk


def _word_sources(line: Line, toks: list[Token]) -> None:
    """Token.sources count the line's whitespace tokens; make them indices of `line.words` (the
    same unless a word is empty or holds a space)."""
    words = line.words
    if all(w.text and " " not in w.text for w in words):
        return
    index = [wi for wi, w in enumerate(words) for _ in w.text.split()]
    for t in toks:
        t.sources = tuple(dict.fromkeys(index[k] for k in t.sources if k < len(index)))


def restore_document(doc: Document, max_words: int = CHUNK_WORDS) -> dict:
    lines = [ln for page in doc.pages for ln in page.lines]
    restorer = get_restorer()
    changed = chunks = 0
    for chunk in line_chunks(lines, max_words):
        chunks += 1
        token_lists = restorer.restore_tokens(prepare_lines([ln.text for ln in chunk]))
        for ln, toks in zip(chunk, token_lists, strict=True):
            _word_sources(ln, toks)
            ln.tokens = toks
            ln.restored = " ".join(t.text for t in toks)
            changed += sum(t.changed for t in toks)
    return {"lines": len(lines), "changed_tokens": changed, "chunks": chunks,
            "restorer": "noisy-channel + trigram LM"}
