"""Loads the gazetteer (`sohoa.resources`, data/gazetteer/*.tsv): agencies, provinces, places, doc types, positions, authorities, names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sohoa.extract.textkey import compact
from sohoa.resources import resource_path


@dataclass(frozen=True)
class Agency:
    name: str
    variants: tuple[str, ...]
    kind: str
    note: str


@dataclass(frozen=True)
class Province:
    name: str
    current: bool
    merged_into: str | None
    kind: str  # tỉnh | thành phố
    abbreviations: tuple[str, ...]


def _rows(filename: str) -> list[list[str]]:
    path = resource_path("gazetteer", filename)
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        rows.append([c.strip() for c in raw.split("\t")])
    return rows


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split("|") if x.strip())


@lru_cache(maxsize=1)
def agencies() -> tuple[Agency, ...]:
    out = []
    for r in _rows("agencies.tsv"):
        r += [""] * (4 - len(r))
        out.append(Agency(r[0], _split(r[1]), r[2], r[3]))
    return tuple(out)


@lru_cache(maxsize=1)
def provinces() -> tuple[Province, ...]:
    out = []
    for r in _rows("provinces.tsv"):
        r += [""] * (5 - len(r))
        out.append(Province(r[0], r[1] == "current", r[2] or None, r[3], _split(r[4])))
    return tuple(out)


@lru_cache(maxsize=1)
def places() -> dict[str, str]:
    return {r[0]: r[1] for r in _rows("places.tsv")}


@lru_cache(maxsize=1)
def doc_types() -> dict[str, str]:
    """Type code → type name (`KH` → `Kế hoạch`)."""
    return {r[0]: r[1] for r in _rows("doctypes.tsv")}


@lru_cache(maxsize=1)
def doc_type_names() -> tuple[str, ...]:
    names = set(doc_types().values()) | {"Công văn", "Chương trình hành động", "Quy định", "Thông tri"}
    return tuple(sorted(names, key=lambda s: -len(s)))


@lru_cache(maxsize=1)
def positions() -> tuple[str, ...]:
    return tuple(sorted((r[0] for r in _rows("titles.tsv")), key=lambda s: -len(s)))


@lru_cache(maxsize=1)
def authorities() -> tuple[str, ...]:
    return tuple(sorted((r[0] for r in _rows("authorities.tsv")), key=lambda s: -len(s)))


@lru_cache(maxsize=1)
def name_syllables() -> dict[str, dict[str, str]]:
    """part → {folded key: syllable}, first (most common) syllable wins."""
    out: dict[str, dict[str, str]] = {}
    for r in _rows("names.tsv"):
        table = out.setdefault(r[0], {})
        for syl in _split(r[1]):
            table.setdefault(compact(syl), syl)
    return out


# Words that occur in agency names and recipient lists besides the agencies' own words; used to put
# marks back on unaccented tokens of those phrases (restoring only where the fold is unambiguous
# enough in this domain).
_ADMIN_WORDS = (
    "các của và với cấp tỉnh huyện xã phường thị thành phố quận ủy viên đảng đoàn thể ban ngành sở "
    "trực thuộc lưu như trên liên quan cơ quan đơn vị đồng chí đ/c thường vụ trực tỉnh ủy "
    "thành viên chính trị xã hội nghề nghiệp báo chí đài trường chính trị nhân dân hội phòng văn "
    "xây dựng lãnh đạo chuyên môn công thông tin điện tử cổng địa bàn các ủy ban mặt trận tổ quốc "
    "cán sự bộ trung ương thủ trưởng giám đốc chủ tịch phó bí thư hằng kính gửi để báo cáo biết "
    "thực hiện nhà nghệ thuật văn học truyền hình phát thanh hội nhà báo khối tuyên giáo dân vận"
)


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, str]:
    """Folded key → marked word, from the gazetteer's names and a list of administrative words."""
    return {k: max(forms, key=forms.__getitem__) for k, forms in _word_forms().items()}


@lru_cache(maxsize=1)
def ambiguous_keys() -> frozenset[str]:
    """Folded keys that two words fold to with neither 5× as frequent in the names as the other
    (`quan`: quan, quận, quân, quản; `thanh`: thanh, thành)."""
    out = set()
    for k, forms in _word_forms().items():
        counts = sorted(forms.values(), reverse=True)
        if len(counts) > 1 and counts[0] < 5 * counts[1]:
            out.add(k)
    return frozenset(out)


@lru_cache(maxsize=1)
def _word_forms() -> dict[str, dict[str, int]]:
    """Folded key → each marked word with that fold → how often the names use it."""
    words: list[str] = []
    for a in agencies():
        for v in (a.name, *a.variants):
            words.extend(v.split())
    for p in provinces():
        words.extend(p.name.split())
    for t in (*positions(), *authorities(), *doc_type_names()):
        words.extend(t.split())
    words.extend(_ADMIN_WORDS.split())
    forms: dict[str, dict[str, int]] = {}
    for w in words:
        w = w.strip(",.;:()")
        if not w or w.isupper() and len(w) > 1:
            continue
        k, low = compact(w), w.lower()
        if k:
            seen = forms.setdefault(k, {})
            seen[low] = seen.get(low, 0) + 1
    return forms
