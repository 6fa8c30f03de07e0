"""Document records per NĐ 30/2020 and HD 36-HD/VPTW (schema: ../shared/dev/schema.md).

Pipeline for one text: restore (normalize/) → split into documents → header → recipients,
signers, references, tasks, deadlines → provenance (spans into `Document.text(restored=True)`,
mapped to pages and word boxes with `Document.char_index`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from sohoa.document import Document, Line, token_words
from sohoa.extract.canonical import canonical_agency
from sohoa.extract.dates import find_dates, find_deadlines
from sohoa.extract.header import Header, issuer_from_symbol, parse_header
from sohoa.extract.lines import Span, TextLine, split_lines
from sohoa.extract.recipients import _KINH_GUI, _NOI_NHAN, kinh_gui, noi_nhan
from sohoa.extract.references import code_key, extract_references
from sohoa.extract.review import assess
from sohoa.extract.segment import is_closing, segment
from sohoa.extract.signers import find_signers, implied_authority
from sohoa.extract.tasks import assignee_key, extract_tasks
from sohoa.extract.textkey import key
from sohoa.record import HEADER_FIELDS, Deadline, FieldSource, Record, Source


def extract_text(text: str, path: str | None = None, restore: bool = True) -> list[Record]:
    return extract_document(Document.from_text(path or "<text>", text), restore)


def extract_document(doc: Document, restore: bool = True) -> list[Record]:
    """Records of `doc`. Restores the text first (normalize/) unless it already was, or `restore`
    is False (then the extractor reads the OCR text as it is)."""
    if restore and any(ln.restored is None for p in doc.pages for ln in p.lines):
        from sohoa.normalize import restore_document

        restore_document(doc)
    text = _case_restored_text(doc)
    locator = _Locator(doc)
    ocr = doc.text(restored=False)
    return [_finish(r, locator, doc.path) for r in extract_records(text, ocr if ocr != text else None)]


def _case_restored_text(doc: Document) -> str:
    """`doc.text(restored=True)` with words the scan printed in capitals put back in capitals.

    Header, signature and title blocks are recognised partly by their capitals; a restorer that
    title-cases them would hide that. Same length as the restored text, so spans still fit it."""
    text = doc.text(restored=True)
    pages = []
    for page in doc.pages:
        blocks = []
        for b in page.text_blocks:
            lines = []
            for ln in b.lines:
                lines.append(_recase_tokens(ln) or _recase_line(ln.text, ln.final_text))
            blocks.append("\n".join(lines))
        pages.append("\n\n".join(blocks))
    fixed = "\f".join(pages)
    return fixed if len(fixed) == len(text) else text


_TWO_CAPS = re.compile(r"[A-ZĐ]\S*[A-ZĐ]")  # a word in capitals has two of these (`ỦY` has Y)


def _recase_tokens(line: Line) -> str | None:
    """`_recase_line` token by token through `Token.sources` when a merge or split changed the count
    (a token whose OCR words were all in capitals is put in capitals); None when it does not apply."""
    toks = line.tokens
    if len(toks) == len(line.words) or not toks or not all(t.sources for t in toks) \
            or " ".join(t.text for t in toks) != line.final_text or not _TWO_CAPS.search(line.text):
        return None
    out = []
    for t, words in zip(toks, token_words(line), strict=True):
        letters = [c for w in words for c in w.text if c.isalpha()]
        r = t.text
        if len(letters) >= 2 and all(c.isupper() for c in letters) and len(r.upper()) == len(r):
            r = r.upper()
        out.append(r)
    return " ".join(out)


def _recase_line(ocr: str, restored: str) -> str:
    if ocr == restored or not _TWO_CAPS.search(ocr):
        return restored
    a, b = ocr.split(" "), restored.split(" ")
    if len(a) != len(b):
        letters = [c for c in ocr if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) / len(letters) >= 0.8 and len(restored.upper()) == len(restored):
            return restored.upper()
        return restored
    out = []
    for o, r in zip(a, b, strict=True):
        letters = [c for c in o if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters) and len(r.upper()) == len(r):
            r = r.upper()
        out.append(r)
    return " ".join(out)


@dataclass
class Draft:
    """A record before provenance is located: raw spans are offsets into the document text."""

    record: Record
    spans: dict[str, Any]  # field → (start, end), or a list of them for list fields
    range: tuple[int, int]
    derived: dict[str, Any] | None = None


def extract_records(text: str, ocr_text: str | None = None) -> list[Draft]:
    """Records with raw provenance (`Draft.spans`: field → (start, end) offsets into `text`)."""
    lines = split_lines(text)
    ocr_lines = [ln.text for ln in split_lines(ocr_text)] if ocr_text is not None else None
    if ocr_lines is not None and len(ocr_lines) != len(lines):
        ocr_lines = None  # restoration changed the line structure: names come from the restored text
    drafts: list[Draft] = []
    for seg in segment(lines):
        seg_lines = lines[seg.start_line:seg.end_line]
        if not any(not ln.blank for ln in seg_lines):
            continue
        drafts.append(_record(seg_lines, text, drafts[0] if drafts else None, ocr_lines))
    return drafts


def _record(seg_lines: list[TextLine], text: str, cover: Draft | None, ocr_lines: list[str] | None) -> Draft:
    h = parse_header(seg_lines)
    spans: dict[str, Any] = {}
    derived = None
    if not h.has_own_header and cover is not None:
        derived = _from_cover(h, cover, text)
    _signature_date(seg_lines, h)
    for f in HEADER_FIELDS:
        sp: Span = getattr(h, f)
        if sp.start is not None:
            spans[f] = (sp.start, sp.end)
    seg_start, seg_end = seg_lines[0].start, seg_lines[-1].end

    closing_idx = _closing_index(seg_lines)
    kg = kinh_gui(seg_lines)
    nn = noi_nhan(seg_lines)
    recipients = kg + nn
    signers = find_signers(seg_lines[closing_idx:] if closing_idx is not None else seg_lines[-40:], ocr_lines)
    if signers and signers[0].authority is None:
        signers[0].authority = implied_authority(signers[0].position, h.style)
    if h.issuer.value is None and signers:
        signed_for = issuer_from_authority(signers[0].authority)
        if signed_for:
            h.issuer = Span(signed_for, signers[0].start, signers[0].end)
            spans["issuer"] = (signers[0].start, signers[0].end)

    own = {code_key(h.code.value)} if h.code.value else set()
    seg_text = text[seg_start:seg_end]
    refs = extract_references(seg_text, seg_start, own)

    body = _body_lines(seg_lines, h.body_start, closing_idx)
    exclude = set()
    if h.issuer.value:
        exclude.add(assignee_key(str(h.issuer.value)))
    tasks = extract_tasks(body, text, 0, _issuer_prefixes(exclude))
    body_text_start = body[0].start if body else seg_start
    body_text_end = body[-1].end if body else seg_start
    dls = find_deadlines(text[body_text_start:body_text_end])

    rec = Record(
        **{f: getattr(h, f).value for f in HEADER_FIELDS},
        recipients=[r[0] for r in recipients],
        signers=[s.as_record() for s in signers],
        references=[r[0] for r in refs],
        tasks=[t.as_record() for t in tasks],
        deadlines=[Deadline(d.text, d.date) for d in dls],
    )
    spans["recipients"] = [(s, e) for _, s, e in recipients]
    spans["signers"] = [(s.start, s.end) for s in signers]
    spans["references"] = [(s, e) for _, s, e in refs]
    spans["tasks"] = [(t.start, t.end) for t in tasks]
    spans["deadlines"] = [(body_text_start + d.start, body_text_start + d.end) for d in dls]
    return Draft(rec, spans, (seg_start, seg_end), derived or None)


_ON_BEHALF = re.compile(r"^\s*T\s*/?\s*M\s*\.?\s+", re.IGNORECASE)


def issuer_from_authority(authority: str | None) -> str | None:
    """The issuer a page without a header signs for: `TM. Chính phủ` → `Chính phủ`. Only a body
    that names one agency by itself (a central one, or one with its locality: `TM. Ủy ban nhân dân
    tỉnh Kiên Giang`); `TM. Ban Thường vụ` alone does not say whose."""
    m = _ON_BEHALF.match(authority or "")
    if not m:
        return None
    body = authority[m.end():].strip()  # type: ignore[index]
    canon = canonical_agency(body)
    if canon is None or not (canon.kind == "central" or canon.has_locality):
        return None
    return canon.name


_SIGNED_AT = re.compile(r"(?:th[a-z]{0,2}i\s+[a-z]{3,5}n\s+k[a-z]|ng[a-z]y\s+k[a-z]|signed|date)\s*:")


def _signature_date(lines: list[TextLine], h: Header) -> None:
    """A digital signature's `Thời gian ký: 21.06.2021 17:55` completes a date whose day the scan lost."""
    cur = h.date.value
    if isinstance(cur, str) and len(cur) == 10:
        return
    for ln in lines:
        m = _SIGNED_AT.search(ln.key)
        if not m:
            continue
        hits = find_dates(ln.text[m.end():])
        if not hits or len(hits[0].iso) != 10:
            continue
        if cur is None or hits[0].iso.startswith(str(cur)):
            s = ln.start + m.end() + hits[0].start
            h.date = Span(hits[0].iso, s, s + hits[0].end - hits[0].start)
        return


def _issuer_prefixes(keys: set[str]) -> set[str]:
    """An issuer `ban can su dang … tinh kien giang` also excludes `ban can su dang … tinh`."""
    out = set()
    for k in keys:
        toks = k.split()
        for n in range(2, len(toks) + 1):
            out.add(" ".join(toks[:n]))
    return {k for k in out if len(k.split()) >= 3 or k in keys}


def _closing_index(lines: list[TextLine]) -> int | None:
    for i in range(len(lines) - 1, -1, -1):
        if _NOI_NHAN.search(lines[i].key):
            return max(0, i - 3)
    for i in range(len(lines) - 1, max(-1, len(lines) - 60), -1):
        if is_closing(lines[i]):
            return max(0, i - 3)
    return None


def _body_lines(lines: list[TextLine], start: int, closing: int | None) -> list[TextLine]:
    end = closing + 3 if closing is not None else len(lines)
    body = lines[start:end]
    # drop the Kính gửi block
    out: list[TextLine] = []
    skipping = False
    for ln in body:
        if _KINH_GUI.search(ln.key):
            skipping = True
            continue
        if skipping:
            if ln.blank or ln.text.lstrip().startswith(("-", "+")):
                continue
            skipping = False
        out.append(ln)
    return out


_ATTACHED = re.compile(r"d[a-z]nh k[a-z]m|k[a-z]m theo|sao g[a-z]{1,3}i|g[a-z]{1,3}i k[a-z]m")


def _from_cover(h: Header, cover: Draft, text: str) -> dict | None:
    """An attached document without its own header takes number, date and issuer from the cover
    letter's mention of it: a cited document of its type, preferably one said to be attached
    (`… (đính kèm)`, `sao gửi …`), else the first."""
    want = h.doc_type.value
    cover_refs = cover.record.references
    cands = [i for i, ref in enumerate(cover_refs) if not want or ref.doc_type == want]
    if not cands:
        return None
    spans = cover.spans["references"]

    starts = sorted(sp[0] for sp in spans)

    def attached(i: int) -> bool:
        s, e = spans[i]
        nxt = next((x for x in starts if x > s), len(text))
        return bool(_ATTACHED.search(key(text[max(0, s - 40):min(e + 120, nxt)])))

    i = next((c for c in cands if attached(c)), cands[0])
    ref = cover_refs[i]
    code = ref.code or ""
    if "-" in code.split("/")[0]:
        number, symbol = code.split("-", 1)
    else:
        number, symbol = code.split("/", 1)
    place = cover.record.place
    h.number, h.symbol, h.code = Span(number), Span(symbol), Span(code)
    if ref.date:
        h.date = Span(ref.date)
    h.issuer = Span(issuer_from_symbol(symbol, place) or ref.issuer)
    h.place = Span(place)
    return {"record": 0, "code": cover.record.code, "mention": {"start": spans[i][0], "end": spans[i][1]},
            "fields": ["number", "symbol", "code", "date", "issuer", "place"]}


class _Locator:
    """Character offsets → (page, box) via Document.char_index."""

    def __init__(self, doc: Document):
        has_boxes = any(ln.box is not None or any(w.box is not None for w in ln.words)
                        for p in doc.pages for ln in p.lines)
        # text input has no boxes: page numbers come from page offsets alone
        self.index = doc.char_index(restored=True) if has_boxes else []
        self.starts = [s for s, _, _, _ in self.index]
        self.page_starts: list[tuple[int, int]] = []
        pos = 0
        for i, p in enumerate(doc.pages):
            if i:
                pos += 1
            self.page_starts.append((pos, p.number))
            pos += len(p.text(True))
        self.page_offsets = [s for s, _ in self.page_starts]

    def page_of(self, offset: int) -> int:
        i = bisect.bisect_right(self.page_offsets, offset) - 1
        return self.page_starts[max(0, i)][1] if self.page_starts else 1

    def locate(self, start: int, end: int) -> FieldSource:
        i = bisect.bisect_left(self.starts, start)
        if i > 0 and self.index[i - 1][1] > start:
            i -= 1
        boxes = []
        confs: list[float] = []
        while i < len(self.index) and self.index[i][0] < end:
            w = self.index[i][3]
            boxes.append(w.box if w is not None else None)
            if w is not None and w.conf is not None:
                confs.append(w.conf)
            i += 1
        box = None
        if boxes and all(b is not None for b in boxes):
            box = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                   max(b[3] for b in boxes)]
        conf = round(min(confs) / 100, 3) if confs else None
        return FieldSource(start, end, self.page_of(start), box, conf)


def _finish(draft: Draft, loc: _Locator, path: str) -> Record:
    start, end = draft.range
    fields: dict[str, FieldSource | list[FieldSource]] = {}
    for f, sp in draft.spans.items():
        if isinstance(sp, list):
            fields[f] = [loc.locate(s, e) for s, e in sp]
        else:
            fields[f] = loc.locate(*sp)
    draft.record.source = Source(file=path, pages=[loc.page_of(start), loc.page_of(max(start, end - 1))],
                                 span={"start": start, "end": end}, fields=fields, derived_from=draft.derived)
    draft.record.review = assess(draft.record)
    return draft.record
