"""Cited documents: one entry per distinct code with its type, first mention's date and issuer."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from sohoa.extract.agencies import match_agency
from sohoa.extract.codes import find_codes, type_name
from sohoa.extract.dates import first_date
from sohoa.extract.textkey import compact, key
from sohoa.record import Reference

_TYPE_WORDS = (
    ("chuong trinh hanh dong", "Chương trình hành động"), ("chuong trinh", "Chương trình"),
    ("nghi quyet", "Nghị quyết"), ("quyet dinh", "Quyết định"), ("quy dinh", "Quy định"),
    ("chi thi", "Chỉ thị"), ("ket luan", "Kết luận"), ("ke hoach", "Kế hoạch"), ("huong dan", "Hướng dẫn"),
    ("cong van", "Công văn"), ("thong bao", "Thông báo"), ("bao cao", "Báo cáo"), ("de an", "Đề án"),
    ("quy che", "Quy chế"), ("thong tri", "Thông tri"), ("nghi dinh", "Nghị định"), ("thong tu", "Thông tư"),
    ("to trinh", "Tờ trình"), ("cong dien", "Công điện"), ("phuong an", "Phương án"),
)


def code_key(code: str | None) -> str:
    return re.sub(r"\s+", "", (code or "").upper().replace("Đ", "D"))


def type_word_before(text: str, pos: int) -> str | None:
    """The type word written just before a code (`Quy định số 213-QĐ/TW` → `Quy định`)."""
    window = compact(text[max(0, pos - 45):pos])
    window = re.sub(r"\b(so|se|sb|s)\s*$", "", window).strip()
    tail = " ".join(window.split()[-4:])
    best = None
    for wk, name in _TYPE_WORDS:
        n = len(wk.split())
        cand = " ".join(tail.split()[-n:])
        sc = fuzz.ratio(cand, wk)
        if sc >= 80 and (best is None or sc > best[0]):
            best = (sc, name)
    return best[1] if best else None


def extract_references(text: str, base: int, own_codes: set[str]) -> list[tuple[Reference, int, int]]:
    """(reference, start, end) for each distinct code cited in `text` (offsets relative to `base`)."""
    out: list[tuple[Reference, int, int]] = []
    seen: set[str] = set()
    for c in find_codes(text):
        if not c.code or not c.number:
            continue
        k = code_key(c.code)
        if k in own_codes:
            continue
        if k in seen:
            _fill_missing(next(r for r, _, _ in out if code_key(r.code or "") == k), text, c)
            continue
        seen.add(k)
        word = type_word_before(text, c.start)
        name = type_name(c.type_code, word) if c.type_code else word
        if c.type_code and word and word.startswith("Chương trình") and c.type_code == "CTr":
            name = word
        if name is None and c.style == "state":
            name = word or "Công văn"
        date, issuer = _date_and_issuer(text, c.end)
        ref = Reference(doc_type=name, code=c.code, date=date, issuer=issuer)
        out.append((ref, base + c.start, base + c.end))
    return out


def _date_and_issuer(text: str, end: int) -> tuple[str | None, str | None]:
    """`…, ngày 04-6-2021 của Ban Thường vụ Tỉnh ủy` right after a code."""
    after = text[end:end + 160]
    stop = re.search(r"[;)]|\.\s", after[:70])
    scope = after[:stop.start()] if stop else after[:70]
    d = first_date(scope, key(scope))
    date = d.iso if d else None
    issuer = None
    rest = after[d.end:] if d else after
    toks = rest.split()
    for i, t in enumerate(toks[:3]):
        if re.fullmatch(r"c[a-z]{0,3}a", key(t).strip(",;")):
            ag = match_agency(toks[i + 1:], allow_generic=True)
            issuer = ag.text if ag else None
            break
    return date, issuer


def _fill_missing(ref: Reference, text: str, c) -> None:
    if ref.date is not None and ref.issuer is not None:
        return
    date, issuer = _date_and_issuer(text, c.end)
    if ref.date is None:
        ref.date = date
    if ref.issuer is None:
        ref.issuer = issuer
