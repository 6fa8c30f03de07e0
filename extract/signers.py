"""Signature blocks: authority (T/M, KT., TL., TUQ., Q.), position and name.

OCR often interleaves the signature column with the `Nơi nhận` list on the same lines
(`Noi nhan: T/M BAN THUONG VU`, `- Ban Tuyên giáo Trung ương (b/c), PHÓ BÍ THƯ`), so the
signature parts are taken from the upper-case run at the end of a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from sohoa import record
from sohoa.extract import gazetteer as gz
from sohoa.extract.agencies import restore_words
from sohoa.extract.lines import TextLine
from sohoa.extract.textkey import compact, key

_AUTH = re.compile(
    r"(?:^|[\s:;,*])(?P<p>t\s?/\s?m|tm\.|tm(?=\s+[a-z])|thay mat|k\s?/\s?t|kt\.|ky thay|tl\.|tuq\.|q\.)\s*"
    r"(?P<body>[a-z].*)?$"
)
_PREFIX_OUT = {"t/m": "T/M", "tm.": "TM.", "thaymat": "T/M", "k/t": "K/T", "kt.": "KT.", "kt": "KT.",
               "kythay": "KT.", "tl.": "TL.", "tuq.": "TUQ.", "q.": "Q."}


NAME_ONLY_LINES = 3  # how far from the end of a closing a lone name is looked for
FILED = re.compile(r"^\W{0,3}l[a-z]u\s*[:.]?\s")  # `Lưu: VT, KT`: the filing line, a recipient item of its own
_PARTY_BODY = re.compile(r"\b(?:dang|uy|thuong vu|chap hanh|bi thu)\b")


@dataclass
class Signer:
    authority: str | None
    position: str | None
    name: str | None
    start: int
    end: int

    def as_record(self) -> record.Signer:
        return record.Signer(self.authority, self.position, self.name)


def _upper_tail(text: str) -> tuple[str, int] | None:
    """The run of upper-case words that ends the line, and its offset."""
    toks = list(re.finditer(r"\S+", text))
    i = len(toks)
    while i > 0:
        t = toks[i - 1].group(0)
        letters = [c for c in t if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) / len(letters) >= 0.6:
            i -= 1
        elif not letters and len(t) <= 2 and i < len(toks):
            i -= 1
        else:
            break
    if i == len(toks):
        return None
    s = toks[i].start()
    return text[s:].strip(), s


def canonical_position(text: str) -> str | None:
    ck = compact(text)
    if not ck:
        return None
    best = None
    for p in gz.positions():
        sc = fuzz.ratio(ck, compact(p))
        if sc >= 72 and (best is None or sc > best[0]):
            best = (sc, p)
    return best[1] if best else None


def canonical_authority(prefix: str, body: str) -> str:
    ck = compact(body)
    out = body
    best = None
    for a in gz.authorities():
        sc = fuzz.ratio(ck, compact(a))
        if sc >= 75 and (best is None or sc > best[0]):
            best = (sc, a)
    if best:
        out = best[1]
    else:
        out = restore_words(body.title() if body.isupper() else body)
    return f"{prefix} {out}".strip()


def restore_name(text: str) -> str | None:
    """`HUYNH THI HIANG` → `Huỳnh Thị Hằng` using the name-syllable lists; None if not a name."""
    toks = [t for t in re.findall(r"[^\W\d_]+", text)]
    if not 2 <= len(toks) <= 5:
        return None
    tables = gz.name_syllables()
    sur = tables.get("surname", {})
    if compact(toks[0]) not in sur:
        return None
    out = []
    for i, t in enumerate(toks):
        part = "surname" if i == 0 else ("given" if i == len(toks) - 1 else "middle")
        table = tables.get(part, {})
        k = compact(t)
        rep = table.get(k)
        if rep is None and part != "surname":
            rep = tables.get("given", {}).get(k) or tables.get("middle", {}).get(k)
        if rep is None and not _has_marks(t) and len(k) >= 4:
            rep = _near(k, table)
        if rep is None:
            rep = t if _has_marks(t) else restore_words(t)
        out.append(rep[:1].upper() + rep[1:].lower())
    return " ".join(out)


def _has_marks(t: str) -> bool:
    return not t.isascii()


def _near(k: str, table: dict[str, str]) -> str | None:
    best = None
    for cand_k, syl in table.items():
        if abs(len(cand_k) - len(k)) <= 1 and cand_k[0] == k[0]:
            sc = fuzz.ratio(cand_k, k)
            if sc >= 85 and (best is None or sc > best[0]):
                best = (sc, syl)
    return best[1] if best else None


def _name_in(text: str) -> tuple[str, int] | None:
    """A personal name at the end of a line (`… thành phố), . Nguyễn Thanh Phong`)."""
    toks = list(re.finditer(r"[^\W\d_]+", text))
    for n in (3, 4, 2):
        if len(toks) < n:
            continue
        cand = toks[-n:]
        if not all(t.group(0)[0].isupper() for t in cand):
            continue
        tail = text[cand[-1].end():].strip()
        if tail:
            continue
        name = restore_name(" ".join(t.group(0) for t in cand))
        if name:
            return name, cand[0].start()
    return None


def _name_at(line: TextLine, ocr_lines: list[str] | None) -> tuple[str, int] | None:
    """A name on this line; its syllables restored from what OCR read when that is available, since
    a general restorer may turn a name syllable into a common word (`Thi` → `Thu`)."""
    got = _name_in(line.text)
    if got is None:
        return None
    if ocr_lines is not None and line.idx < len(ocr_lines):
        raw = _name_in(ocr_lines[line.idx])
        if raw is not None and compact(raw[0]).split()[0] == compact(got[0]).split()[0]:
            return raw[0], got[1]
    return got


def _stacked(authority: str, after: list[TextLine]) -> str:
    """The authority with the lines stacked under it (`TL. Chủ tịch` / `KT. Chánh Văn phòng`: the
    chief of office signs for the chairman through a deputy), joined by a space. A second `TM.`
    line is another signing body, not a stacked one."""
    for ln in after:
        m = _AUTH.search(ln.key)
        if m is None or m.start() > 3 or not m.group("body"):
            break
        prefix_raw = re.sub(r"[^a-z/.]", "", m.group("p"))
        if prefix_raw in ("tm", "tm.", "t/m"):
            break
        body = ln.text[m.start("body"):].strip()
        tail = _upper_tail(body)
        authority += " " + canonical_authority(_PREFIX_OUT.get(prefix_raw, m.group("p").upper()), tail[0] if tail else body)
    return authority


def find_signers(lines: list[TextLine], ocr_lines: list[str] | None = None) -> list[Signer]:
    """Signature blocks in the closing part of one document (usually one)."""
    out: list[Signer] = []
    n = len(lines)
    i = 0
    while i < n:
        ln = lines[i]
        m = None if FILED.match(ln.key) else _AUTH.search(ln.key)
        if m is None or (m.group("body") is None and i + 1 >= n):
            i += 1
            continue
        prefix_raw = re.sub(r"[^a-z/.]", "", m.group("p"))
        prefix = _PREFIX_OUT.get(prefix_raw, m.group("p").upper())
        body_text = ln.text[m.start("body"):].strip() if m.group("body") else ""
        tail = _upper_tail(body_text) if body_text else None
        body = tail[0] if tail else body_text
        if body and upper_ratio_ok(body) is False or (prefix_raw == "tm" and not body):
            i += 1
            continue
        if prefix_raw == "tm":  # `TM BAN CÁN SỰ ĐẢNG`: the dot lost; Party documents write `T/M`
            prefix = "T/M" if _PARTY_BODY.search(compact(body)) else "TM."
        authority = canonical_authority(prefix, body)
        authority = _stacked(authority, lines[i + 1:i + 3])
        position, name = None, None
        pos_end = i
        for j in range(i + 1, min(n, i + 6)):
            if _AUTH.search(lines[j].key):
                continue  # a second authority line (`TM. ỦY BAN NHÂN DÂN` / `KT. CHỦ TỊCH`)
            t = _upper_tail(lines[j].text)
            if t and canonical_position(t[0]):
                position = canonical_position(t[0])
                pos_end = j
                break
        end = lines[pos_end].end
        for j in range(pos_end + 1, min(n, pos_end + 25)):
            got = _name_at(lines[j], ocr_lines)
            if got:
                name = got[0]
                end = lines[j].start + len(lines[j].text.rstrip())
                break
        out.append(Signer(authority, position, name, ln.start + m.start("p"), end))
        i = pos_end + 1
        break
    if not out:
        sig = _position_only(lines, ocr_lines) or _name_only(lines, ocr_lines)
        if sig:
            out.append(sig)
    return out


def _name_only(lines: list[TextLine], ocr_lines: list[str] | None) -> Signer | None:
    """The signer's name closing the page, its authority and position lost under a seal: the name
    alone (a short line of its own among the last lines)."""
    tail = [ln for ln in lines if not ln.blank][-NAME_ONLY_LINES:]
    for ln in reversed(tail):
        if len(ln.text.split()) > 5 or ln.text.lstrip().startswith(("-", "+", "•")):
            continue
        got = _name_at(ln, ocr_lines)
        if got and got[1] <= 2:  # the line is the name, not a sentence ending in one
            return Signer(None, None, got[0], ln.start + got[1], ln.end)
    return None


def implied_authority(position: str | None, style: str | None) -> str | None:
    """A deputy of a state body signs on behalf of its head (NĐ 30, Phụ lục I): with the `KT.` line
    lost, `Phó Chủ tịch` implies `KT. Chủ tịch`. Party deputies sign `T/M` the committee, so no guess."""
    if style != "state" or not position or not position.startswith("Phó "):
        return None
    head = position[4:].strip()
    return f"KT. {head[:1].upper()}{head[1:]}" if head else None


def upper_ratio_ok(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) >= 0.6


def _position_only(lines: list[TextLine], ocr_lines: list[str] | None) -> Signer | None:
    """No authority line: a lone position in capitals near the end (`TRƯỞNG BAN`), then a name."""
    for i in range(len(lines) - 1, -1, -1):
        t = _upper_tail(lines[i].text)
        if not t or len(t[0]) < 4:
            continue
        pos = canonical_position(t[0])
        if pos is None:
            continue
        name = None
        for j in range(i + 1, min(len(lines), i + 25)):
            got = _name_at(lines[j], ocr_lines)
            if got:
                name = got[0]
                break
        return Signer(None, pos, name, lines[i].start, lines[i].end)
    return None


def is_signature_text(text: str) -> bool:
    """Upper-case text that is a position or an authority line (to drop it from recipient lines)."""
    k = key(text).strip()
    if _AUTH.search(k):
        return True
    return canonical_position(text) is not None
