"""One name per agency: the canonical form and id of an issuer, assignee, partner or recipient.

`canonical_agency("UBND thành phố Đà Nẵng")` and `canonical_agency("Ủy ban nhân dân thành phố Đà
Nẵng")` give the same `Canonical("Ủy ban nhân dân thành phố Đà Nẵng", "uy-ban-nhan-dan-thanh-pho-da-nang")`:
the gazetteer's entry name (abbreviations expanded: UBND, HĐND, BTG …) followed by the locality
the text gives. The canonical form normalises, it never substitutes: the whole written name must
be the gazetteer name (folded, after expansion) up to OCR slack, else the agency is unknown and
gets None (`Ngân hàng Phát triển Việt Nam` is not `Ngân hàng Nhà nước Việt Nam`). A bare `tỉnh`
(`Công an tỉnh`) and a bare department (`Sở Y tế`) take the province of the document when it is
known, so that the police or health departments of two provinces do not group together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from sohoa.extract import gazetteer as gz
from sohoa.extract.agencies import match_agency, match_province
from sohoa.extract.textkey import compact

MIN_SIMILARITY = 90.0  # folded written name (abbreviations expanded) against the canonical form
_BARE_PROVINCE = ("tỉnh", "Tỉnh ủy")
_PUNCT = "*_•-–+.,;:()[]\"'“”‘’ "


@dataclass(frozen=True)
class Canonical:
    name: str
    id: str
    kind: str = ""  # the gazetteer entry's kind: central, state, party …
    has_locality: bool = False  # the written name carried its locality (`… tỉnh Kiên Giang`)


def agency_id(name: str) -> str:
    """A stable, readable id: the folded name in lower case, words joined by `-`."""
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")


@lru_cache(maxsize=8192)
def _canonical(written: str, province: str | None) -> Canonical | None:
    text = " ".join(unicodedata.normalize("NFC", written).split()).strip(_PUNCT)
    tokens = text.split()
    if not tokens:
        return None
    m = match_agency(tokens, allow_generic=True)
    if m is None or not m.name or m.n_tokens != len(tokens):
        return None
    name = f"{m.name} {m.locality}".strip()
    head = m.text[: len(m.text) - len(m.locality)].strip() if m.locality else m.text
    expanded = compact(name)
    # the written text with the matched head replaced by the entry name (an abbreviation expanded)
    written_key = compact(text)
    head_key = compact(head)
    if head_key and written_key.startswith(head_key):
        written_key = compact(m.name) + written_key[len(head_key):]
    elif len(tokens[0]) <= 12 and tokens[0].isupper():  # `UBND …`: the head was an abbreviation
        written_key = compact(m.name) + compact(" ".join(tokens[1:]))
    if fuzz.ratio(written_key, expanded) < MIN_SIMILARITY:
        return None
    if province and name.endswith(_BARE_PROVINCE) and not name.endswith(province):
        name = f"{name} {province}"
    elif province and not m.locality and name.startswith("Sở "):  # a department of the document's province
        name = f"{name} {_province_kind(province)} {province}"
    return Canonical(name, agency_id(name), m.kind, bool(m.locality))


@lru_cache(maxsize=128)
def _province_kind(province: str) -> str:
    return next((p.kind for p in gz.provinces() if p.name == province and p.kind), "tỉnh")


def canonical_agency(written: str | None, province: str | None = None) -> Canonical | None:
    """The canonical name and id of an agency as written, or None when the gazetteer does not know it."""
    if not written or not written.strip():
        return None
    return _canonical(written, province)


def province_of(*texts: str | None) -> str | None:
    """The province a document belongs to: the first province named after a locality word in its
    issuer (or place)."""
    for text in texts:
        if not text:
            continue
        tokens = text.split()
        for i in range(len(tokens)):
            hit = match_province(tokens[i:], 88.0)
            if hit is not None and hit[1] == len(tokens) - i:
                return hit[0]
    return None
