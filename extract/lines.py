"""Text split into lines that remember their character offsets, with matching keys alongside."""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.extract.textkey import key


@dataclass
class TextLine:
    idx: int  # line number in the whole text, 0-based
    start: int  # offset of the first character in the whole text
    text: str
    key: str  # extract.textkey.key(text), same length

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def split_lines(text: str) -> list[TextLine]:
    """Lines of `text` (form feeds count as line breaks), offsets into `text`."""
    out: list[TextLine] = []
    pos = 0
    for pi, page in enumerate(text.split("\f")):
        if pi:
            out.append(TextLine(len(out), pos - 1, "", ""))  # a page break ends paragraphs like a blank line
        for raw in page.split("\n"):
            out.append(TextLine(len(out), pos, raw, key(raw)))
            pos += len(raw) + 1
    return out


@dataclass
class Span:
    """A field value and where it came from (offsets into the document text)."""

    value: object
    start: int | None = None
    end: int | None = None
