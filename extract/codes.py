"""Số và ký hiệu: Party style `46-KH/BTGTU`, state style `4211/VP-KGVX`, `30/2020/NĐ-CP`.

OCR splits codes over lines (`26-\\nKH/BTGTW`) and misreads Đ (`780-OB/TU` → `780-QĐ/TU`);
`normalize_type_code` maps a damaged type code back to the list of NĐ 30 / HD 36.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sohoa.extract import gazetteer as gz

_UP = "A-ZĐÀ-ÃÈ-ÊÌÍÒ-ÕÙÚÝĂĨŨƠƯẠ-Ỹ"  # capitals, with the marked ones OCR puts in (`KH/TƯ`)
_NUM = r"(?:\d[\dOo]{0,4}|[Oo]\d{1,4})"  # `O7-CT/TU`: a letter O for a zero
PARTY_CODE = re.compile(
    rf"(?<![\w/-])(?P<num>{_NUM})\s{{0,2}}[-–]\s{{0,2}}\n?\s{{0,3}}(?P<type>[{_UP}0][{_UP}a-zđ]{{0,3}})\s{{0,2}}/\s{{0,2}}"
    rf"(?P<org>[{_UP}][{_UP}a-zđ0-9]{{0,11}}(?:-[{_UP}][{_UP}a-zđ0-9]{{0,8}})?)(?![\w])"
)
STATE_CODE = re.compile(
    rf"(?<![\w/-])(?P<num>{_NUM})\s{{0,2}}/\s{{0,2}}(?:(?P<year>(?:19|20)\d{{2}})\s{{0,2}}/\s{{0,2}})?"
    rf"(?P<sym>[{_UP}][{_UP}a-zđ0-9]{{0,6}}(?:\s{{0,1}}-\s{{0,1}}[{_UP}][{_UP}a-zđ0-9]{{0,10}}){{1,3}})(?![\w])"
)
# `số 06AQĐ-TTg`: the slash of a state code read as a letter; only trusted before a known type code
SLASH_MISREAD = re.compile(
    rf"(?<=[Ss][ốoô6] )(?P<num>\d{{1,5}})[AIlJf|\\](?P<type>[{_UP}]{{1,3}})\s?-\s?(?P<org>[{_UP}][{_UP}a-zđ0-9]{{0,10}})(?![\w])"
)
# the header's number line: `Số: 4890 -CV/BCSD`, `S6 64 -KH/TU`, `Sé: AL /VP-KGVX` (number unreadable)
HEADER_NUMBER = re.compile(
    rf"(?:^|\s)S\S{{0,2}}\s{{0,2}}[:.;]?\s{{0,3}}(?P<num>[\w]{{1,5}})?\s{{0,3}}(?P<sep>[-–/])\s{{0,2}}"
    rf"(?P<sym>[{_UP}][{_UP}a-zđ0-9]{{0,6}}(?:\s?[/-]\s?[{_UP}][{_UP}a-zđ0-9]{{0,10}}){{0,3}})"
)

# Đ read as O/B/D/P, Q read as O: type codes after these substitutions
_CONFUSABLE = str.maketrans({"O": "Q", "0": "Q", "B": "Đ", "P": "Đ", "D": "Đ"})
_ORG_FIX = {"BCSD": "BCSĐ", "DU": "ĐU", "DUTT": "ĐUTT", "DUK": "ĐUK", "DDBQH": "ĐĐBQH", "DTN": "ĐTN",
            "DUQS": "ĐUQS"}


MAX_WORDS_BEFORE_NUMBER = 2  # `Số:`, `Số` + a stray mark of the scan


@dataclass
class Code:
    number: str | None
    type_code: str | None  # the part that names the document type (KH, QĐ, …) or None
    symbol: str  # ký hiệu after the number
    code: str | None
    style: str  # party | state
    start: int
    end: int


def type_name(type_code: str | None, context_word: str | None = None) -> str | None:
    """`KH` → `Kế hoạch`; `QĐ` is Quyết định unless the text says Quy định."""
    if not type_code:
        return None
    if type_code in ("QĐ", "QĐi") and context_word:
        return context_word if context_word in ("Quy định", "Quyết định") else "Quyết định"
    return gz.doc_types().get(type_code)


def normalize_type_code(tc: str) -> str | None:
    types = gz.doc_types()
    if tc in types:
        return tc
    up = tc.replace("đ", "Đ")
    for cand in (up, up.upper(), up.upper().replace("D", "Đ")):
        for k in types:
            if k.upper() == cand.upper():
                return k
    fixed = up.upper().translate(_CONFUSABLE)
    for k in types:
        if k.upper().translate(_CONFUSABLE) == fixed:
            return k
    return None


def normalize_org(org: str) -> str:
    """Issuer part of a symbol; Đ misread as P/D put back where that gives a known abbreviation."""
    base = org.replace(" ", "")
    if base.upper() in _ORG_FIX:
        return _ORG_FIX[base.upper()]
    known = _known_orgs()
    if base in known.values():
        return base
    k = base.upper().replace("Đ", "D")
    if k in known:
        return known[k]
    for k2 in (k[:1] + k[1:].replace("P", "D"), k.replace("P", "D")):
        if k2 in known:
            return known[k2]
    return base


@lru_cache(maxsize=1)
def _known_orgs() -> dict[str, str]:
    """Abbreviations of the gazetteer, keyed with Đ folded to D."""
    out = {}
    for a in gz.agencies():
        for v in a.variants:
            if " " not in v and sum(c.isupper() for c in v) >= 2:
                out.setdefault(v.upper().replace("Đ", "D"), v)
    for v in ("UBND", "HĐND", "VP", "BCSĐ", "ĐU", "ĐUK", "BTGTU", "BTGTW", "BTGDVTU", "BTGDVTW", "VPTU",
              "VPTW", "BDVTU", "BTCTU", "UBKTTU", "SGDĐT", "SNNPTNT", "SLĐTBXH", "BQP", "BTC"):
        out.setdefault(v.upper().replace("Đ", "D"), v)
    return out


def _fix_state_symbol(sym: str) -> str:
    parts = sym.split("-")
    first = normalize_type_code(parts[0]) if len(parts[0]) <= 3 else None
    if first and first in gz.doc_types():
        parts[0] = first
    else:
        parts[0] = normalize_org(parts[0])
    return "-".join([parts[0]] + [normalize_org(p) for p in parts[1:]])


def _upper_ascii(s: str) -> str:
    """`TƯ` → `TU`: marks OCR put on capitals of a code (Đ stays)."""
    out = []
    for c in s:
        if c in "Đđ" or c.isascii():
            out.append(c)
        else:
            base = unicodedata.normalize("NFD", c)[0]
            out.append(base if base.isascii() else c)
    return "".join(out)


def _num(s: str) -> str:
    return s.replace("O", "0").replace("o", "0")


def find_codes(text: str) -> list[Code]:
    out: list[Code] = []
    for m in PARTY_CODE.finditer(text):
        tc = normalize_type_code(_upper_ascii(m.group("type")))
        if tc is None:
            continue
        org = normalize_org(_upper_ascii(m.group("org")))
        sym = f"{tc}/{org}"
        num = _num(m.group("num"))
        out.append(Code(num, tc, sym, f"{num}-{sym}", "party", m.start(), m.end()))
    for m in STATE_CODE.finditer(text):
        if any(c.start <= m.start() < c.end for c in out):
            continue
        sym = _fix_state_symbol(_upper_ascii(re.sub(r"\s", "", m.group("sym"))))
        first = sym.split("-")[0]
        tc = first if first in gz.doc_types() else None
        year = m.group("year")
        num = _num(m.group("num"))
        code = f"{num}/{year + '/' if year else ''}{sym}"
        out.append(Code(num, tc, sym, code, "state", m.start(), m.end()))
    for m in SLASH_MISREAD.finditer(text):
        tc = normalize_type_code(_upper_ascii(m.group("type")))
        if tc is None or any(c.start <= m.start() < c.end for c in out):
            continue
        sym = f"{tc}-{normalize_org(_upper_ascii(m.group('org')))}"
        out.append(Code(m.group("num"), tc, sym, f"{m.group('num')}/{sym}", "state", m.start(), m.end()))
    out.sort(key=lambda c: c.start)
    return out


def parse_header_number(line: str) -> Code | None:
    """The header's `Số …` line, tolerating a garbled `Số` and an unreadable number.

    A code a sentence cites (`… Điều 28 Nghị định số 151/2013/NĐ-CP ngày …`) is not the number of
    the document: the header's stands at the start of its line, after at most a `Số:`."""
    for c in find_codes(line):
        if len(line[:c.start].split()) <= MAX_WORDS_BEFORE_NUMBER:
            return c
        return None
    m = HEADER_NUMBER.search(line)
    if not m:
        return None
    num = m.group("num")
    num = num if num and num.isdigit() else None
    sym = re.sub(r"\s", "", m.group("sym"))
    if m.group("sep") == "/":
        sym = _fix_state_symbol(sym)
        first = sym.split("-")[0]
        tc = first if first in gz.doc_types() else None
        return Code(num, tc, sym, f"{num}/{sym}" if num else None, "state", m.start(), m.end())
    parts = sym.split("/", 1)
    tc = normalize_type_code(parts[0])
    if tc and len(parts) == 2:
        sym = f"{tc}/{normalize_org(parts[1])}"
    return Code(num, tc, sym, f"{num}-{sym}" if num else None, "party", m.start(), m.end())
