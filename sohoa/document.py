"""The one document model every stage reads: Document → Page → Block → Line → Word.

`ocr/` produces it (from scans, PDF text layers or plain text files), `normalize/` fills
the restored text of each line, `extract/` reads it and maps field spans back to pages and
word boxes. All text is NFC.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(slots=True)  # millions of them in a long text: no per-object dict
class Token:
    """One restored token: what it became, what OCR read, how sure the restorer is, and which OCR
    words of its line it came from (`sources`: indices into `Line.words`; two for a merge such as
    `thi c` → `thức`, one shared by both halves of a split such as `quyet,,ket` → `quyết,` `kết`;
    empty in documents stored before provenance was kept, where token i came from word i)."""

    text: str
    source: str
    conf: float = 1.0
    changed: bool = False
    sources: tuple[int, ...] = ()


@dataclass(slots=True)  # millions of them in a long text: no per-object dict
class Word:
    text: str
    box: Box | None = None
    conf: float | None = None  # engine confidence 0..100, None for text input


@dataclass
class Line:
    words: list[Word] = field(default_factory=list)
    box: Box | None = None
    restored: str | None = None  # filled by normalize/
    tokens: list[Token] = field(default_factory=list)  # restored tokens, filled by normalize/

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def final_text(self) -> str:
        return self.restored if self.restored is not None else self.text

    @classmethod
    def from_text(cls, text: str) -> Line:
        return cls(words=[Word(w) for w in nfc(text).split()])


NON_TEXT_KINDS = frozenset({"stamp"})


@dataclass
class Block:
    lines: list[Line] = field(default_factory=list)
    box: Box | None = None
    kind: str = "body"  # header_left, header_right, body, signature, recipients, stamp …

    @property
    def is_text(self) -> bool:
        """Part of the document's own text; a stamp put on the paper later is not (its words stay
        in the model, ALTO and hOCR)."""
        return self.kind not in NON_TEXT_KINDS


@dataclass
class Page:
    number: int  # 1-based
    blocks: list[Block] = field(default_factory=list)
    width: int | None = None
    height: int | None = None
    dpi: int | None = None
    source: str = "text"  # text | text_layer | ocr
    mean_conf: float | None = None
    flags: list[str] = field(default_factory=list)  # e.g. low_confidence, rotated_90
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def lines(self) -> list[Line]:
        return [ln for b in self.blocks for ln in b.lines]

    @property
    def text_blocks(self) -> list[Block]:
        """The blocks whose words are the document's text (stamps left out)."""
        return [b for b in self.blocks if b.is_text]

    def text(self, restored: bool = True) -> str:
        """Text blocks separated by blank lines, lines by newlines."""
        parts = []
        for b in self.text_blocks:
            parts.append("\n".join(ln.final_text if restored else ln.text for ln in b.lines))
        return "\n\n".join(parts)


@dataclass
class Document:
    path: str
    pages: list[Page] = field(default_factory=list)
    sha256: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def text(self, restored: bool = True) -> str:
        """Pages separated by form feeds."""
        return "\f".join(p.text(restored) for p in self.pages)

    def export(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        pages = []
        for p in d.get("pages", []):
            blocks = []
            for b in p.get("blocks", []):
                lines = []
                for ln in b.get("lines", []):
                    words = [
                        Word(w["text"], tuple(w["box"]) if w.get("box") else None, w.get("conf"))
                        for w in ln.get("words", [])
                    ]
                    toks = [_token(t) for t in ln.get("tokens", [])]
                    box = tuple(ln["box"]) if ln.get("box") else None
                    lines.append(Line(words, box, ln.get("restored"), toks))
                bbox = tuple(b["box"]) if b.get("box") else None
                blocks.append(Block(lines, bbox, b.get("kind", "body")))
            rest = {k: v for k, v in p.items() if k != "blocks"}
            pages.append(Page(blocks=blocks, **rest))
        return cls(d["path"], pages, d.get("sha256"), d.get("meta", {}))

    @classmethod
    def from_text(cls, path: str, text: str) -> Document:
        """Plain OCR text: form feeds split pages, blank lines split blocks."""
        text = nfc(text.replace("\r\n", "\n"))
        pages = []
        for i, ptext in enumerate(text.split("\f"), 1):
            blocks = []
            for chunk in _split_blocks(ptext):
                blocks.append(Block([Line.from_text(x) for x in chunk]))
            pages.append(Page(number=i, blocks=blocks, source="text"))
        return cls(path, pages)

    def char_index(self, restored: bool = True) -> list[tuple[int, int, int, Word | None]]:
        """(start, end, page_number, word) for every word of `text(restored)`, in order.

        With restored text the word is the OCR word of the same position in the line when
        the restorer kept the token count; else a stand-in with the line's box and the line's
        lowest engine confidence (None where the line has neither)."""
        out: list[tuple[int, int, int, Word | None]] = []
        pos = 0
        for pi, page in enumerate(self.pages):
            if pi:
                pos += 1  # form feed
            for bi, block in enumerate(page.text_blocks):
                if bi:
                    pos += 2
                for li, line in enumerate(block.lines):
                    if li:
                        pos += 1
                    s = line.final_text if restored else line.text
                    toks = s.split(" ") if s else []
                    aligned = len(toks) == len(line.words)
                    stand_in = None if aligned else _line_word(line)
                    # restored tokens know their OCR words (a merge or split may change the count)
                    by_token = _source_words(line) if restored and len(toks) == len(line.tokens) else None
                    for ti, t in enumerate(toks):
                        w = line.words[ti] if aligned else stand_in
                        if by_token is not None and by_token[ti] is not None:
                            w = by_token[ti]
                        if w is not None and w.box is None and line.box is not None:
                            w = Word(w.text, line.box, w.conf)
                        out.append((pos, pos + len(t), page.number, w))
                        pos += len(t) + 1
                    if toks:
                        pos -= 1
        return out


def _token(d: dict[str, Any]) -> Token:
    d = dict(d)
    d["sources"] = tuple(d.get("sources") or ())
    return Token(**d)


def token_words(line: Line) -> list[list[Word]]:
    """For each of the line's restored tokens the OCR words it came from (by `Token.sources`; for
    tokens stored without provenance, word i for token i when the counts agree, else no words)."""
    words = line.words
    out: list[list[Word]] = []
    aligned = len(line.tokens) == len(words)
    for i, t in enumerate(line.tokens):
        if t.sources:
            out.append([words[k] for k in t.sources if 0 <= k < len(words)])
        else:
            out.append([words[i]] if aligned else [])
    return out


def union_box(boxes: list[Box]) -> Box | None:
    """The smallest box holding all of `boxes` (None for none)."""
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _source_words(line: Line) -> list[Word | None] | None:
    """One Word per restored token standing for the OCR words it came from (their text, the union of
    their boxes, their lowest confidence); None without provenance."""
    if not any(t.sources for t in line.tokens):
        return None
    out: list[Word | None] = []
    for ws in token_words(line):
        if not ws:
            out.append(None)
            continue
        if len(ws) == 1:
            out.append(ws[0])
            continue
        boxes = [w.box for w in ws if w.box is not None]
        confs = [w.conf for w in ws if w.conf is not None]
        out.append(Word(" ".join(w.text for w in ws), union_box(boxes), min(confs) if confs else None))
    return out


def _line_word(line: Line) -> Word | None:
    confs = [w.conf for w in line.words if w.conf is not None]
    if line.box is None and not confs:
        return None
    return Word(line.text, line.box, min(confs) if confs else None)


def _split_blocks(page_text: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    cur: list[str] = []
    for raw in page_text.split("\n"):
        if raw.strip():
            cur.append(raw)
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks
