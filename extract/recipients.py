"""Recipients: the `Kính gửi` lines and the `Nơi nhận` list, one entry each."""

from __future__ import annotations

import re

from sohoa.extract.agencies import canonical_phrase
from sohoa.extract.lines import TextLine
from sohoa.extract.signers import FILED, _upper_tail, is_signature_text, restore_name
from sohoa.extract.textkey import key

_KINH_GUI = re.compile(r"^\W{0,3}k[a-z]{1,2}nh\s+g[a-z]{1,3}i\s*[:.;]?")
_NOI_NHAN = re.compile(r"^\W{0,3}(?:n[a-z]{1,2}i\W{0,2}nh[a-z]{0,2}n\s*[:.;]?|n\S{0,4}\s{0,2}nh[a-z]{0,3}\s*:)")
_BULLET = re.compile(r"^\s*[-–~_+•*]+\s*")
_NOTE = re.compile(r"\s*\((?:\S{1,3}\s*)?b\s*/\s*c\)\s*$", re.IGNORECASE)


_NHU_TREN = re.compile(r"^\W*(?:nh[a-z]{0,2}|[a-z]{1,2})\W{0,2}\s+tr[a-z]n(?:\W+[a-z]?)*\W*$")
_META = re.compile(r"^\W*(?:ng[a-z]{1,3}i k[a-z]|email|c[a-z] qu[a-z]n|th[a-z]{1,2}i\s+[a-z]{3,5}n\s+k[a-z])\s*:")


# `…, © - MÀ tôn`, `… trung ương |`, `… (2b).KN 4$`: stamp or signature ink read as text, to the end
_INK = r"[^\w\s(),.;:/&'\"“”+%–—-]"  # a character no recipient line prints
_SYMBOL_JUNK = re.compile(rf"\s(?:{_INK}|\d*{_INK}+\d*)(?:\s.*)?$")
# `Các tập ‹ đoàn kinh tế`: a stray mark inside an item that goes on in lower case is dropped alone
_STRAY_MARK = re.compile(rf"\s{_INK}(?=\s+([^\W\d_]))")


def clean_item(text: str) -> str:
    t = _BULLET.sub("", text)
    t = " ".join(t.split())
    t = _STRAY_MARK.sub(lambda m: "" if m.group(1).islower() else m.group(0), " " + t)
    t = _SYMBOL_JUNK.sub("", t).strip()
    t = re.sub(r"^[^\w]+", "", t)
    t = _NOTE.sub("", t)
    t = t.strip(" ,;:.*'’\"")
    t = _NOTE.sub("", t).strip(" ,;:.")
    return t


def _items(chunks: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Join continuation lines to the bullet they continue."""
    items: list[list] = []
    for text, s, e in chunks:
        starts_bullet = bool(_BULLET.match(text)) or bool(FILED.match(key(text)))
        if starts_bullet or not items:
            items.append([text, s, e])
        else:
            items[-1][0] += " " + text.strip()
            items[-1][2] = e
    out = []
    for text, s, e in items:
        c = clean_item(text)
        if _NHU_TREN.match(key(c)):
            c = "Như trên"
        if c and re.search(r"[^\W\d_]{2}", c):
            out.append((canonical_phrase(c), s, e))
    return out


def kinh_gui(lines: list[TextLine]) -> list[tuple[str, int, int]]:
    for i, ln in enumerate(lines[:60]):
        m = _KINH_GUI.search(ln.key)
        if not m:
            continue
        chunks = []
        first = ln.text[m.end():].strip()
        if first:
            chunks.append((first, ln.start + m.end(), ln.end))
        for nxt in lines[i + 1:i + 15]:
            if nxt.blank:
                if chunks:
                    # a blank line ends the list unless the next line is another bullet
                    continue
                continue
            if not _BULLET.match(nxt.text) and chunks and (chunks[-1][0].rstrip().endswith((".", ";")) or len(nxt.text) > 90):
                break
            if not _BULLET.match(nxt.text) and len(nxt.text.split()) > 12:
                break
            chunks.append((nxt.text, nxt.start, nxt.end))
            if nxt.text.rstrip().endswith("."):
                break
        if first and not _BULLET.match(first) and len(chunks) == 1:
            # `Kính gửi: Sở Y tế; Sở Tài chính.` — one line, items split by semicolons
            parts = [p for p in (clean_item(x) for x in first.split(";")) if p]
            return [(canonical_phrase(p), chunks[0][1], chunks[0][2]) for p in parts]
        return _items([(t if _BULLET.match(t) or k else "- " + t, s, e) for k, (t, s, e) in enumerate(chunks)])
    return []


def noi_nhan(lines: list[TextLine]) -> list[tuple[str, int, int]]:
    start = None
    for i in range(len(lines) - 1, -1, -1):
        if _NOI_NHAN.search(lines[i].key):
            start = i
            break
    if start is None:
        return []
    chunks: list[tuple[str, int, int]] = []
    ln = lines[start]
    m = _NOI_NHAN.search(ln.key)
    first = ln.text[m.end():] if m else ""
    if first.strip() and not is_signature_text(first.strip()):
        chunks.append((first.strip(), ln.start + m.end(), ln.end))
    blank_run = 0
    for nxt in lines[start + 1:start + 40]:
        if nxt.blank:
            blank_run += 1
            if blank_run >= 3 and chunks:
                break
            continue
        after_blank = blank_run > 0
        blank_run = 0
        text = nxt.text
        if chunks and not _BULLET.match(text) and len(text.split()) > 14:
            tail = _upper_tail(text)
            if not (tail and is_signature_text(tail[0])):
                break  # a footnote or body text after the list
        if after_blank and chunks and not _BULLET.match(text):
            if restore_name(text) or _META.match(key(text)):
                break  # the signer's name, a digital-signature block
            if text.strip()[:1].isupper():
                text = "- " + text.strip()  # an item whose bullet OCR lost, after a blank line
        tail = None if FILED.match(key(text)) else _upper_tail(text)  # `Lưu: VT, KT.`: KT is a unit
        if tail and is_signature_text(tail[0]):
            if tail[1] == 0 or not text[:tail[1]].strip():
                if chunks and not _BULLET.match(text):
                    break
                continue
            text = text[:tail[1]]
        if not _BULLET.match(text) and chunks and chunks[-1][0].rstrip().endswith("."):
            break
        chunks.append((text, nxt.start, nxt.start + len(text)))
        if text.rstrip().endswith("./.") :
            break
    return _items(chunks)
