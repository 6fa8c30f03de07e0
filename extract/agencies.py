"""Agency recognition on garbled text: fuzzy prefix matching against the gazetteer.

`match_agency(tokens)` looks at the start of a token list (e.g. the words after a bullet, `Giao`
or `phối hợp với`) and returns the gazetteer name written out with the locality that follows it
in the text (`Ban Tuyén gido Tinh ty` → `Ban Tuyên giáo Tỉnh ủy`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from sohoa.extract import gazetteer as gz
from sohoa.extract.textkey import compact

MAX_WINDOW = 14  # tokens looked at for one agency name

# Names too generic to stand alone: they need a locality after them (`Công an tỉnh`, `Báo Bình Phước`).
_NEEDS_PLACE = {"Báo", "Thuế", "Thanh tra", "Công an", "Thường trực", "Trung ương", "Đảng ủy", "Tỉnh ủy",
                "Thành ủy", "Huyện ủy", "Thị ủy", "Quận ủy", "Ban Thường vụ", "Ban Chấp hành Đảng bộ",
                "Trường Chính trị", "Bảo hiểm xã hội", "Kho bạc Nhà nước", "Hội đồng nhân dân",
                "Ủy ban nhân dân", "Ban Kinh tế", "Liên đoàn Lao động", "Hội Nông dân", "Hội Cựu chiến binh",
                "Hội Liên hiệp Phụ nữ", "Hội Nhà báo", "Tỉnh đoàn", "Văn phòng", "Đảng bộ", "Chi bộ"}

# Localities that may follow a name
_SUFFIXES = (
    "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Trung ương", "Việt Nam", "tỉnh", "thành phố", "huyện", "thị xã",
    "xã", "phường", "đặc khu", "thị trấn",
    "cấp tỉnh", "cấp huyện", "các cấp", "của tỉnh", "Ủy ban nhân dân tỉnh", "UBND tỉnh", "Tỉnh đoàn",
)


@dataclass(frozen=True)
class _Variant:
    surface: str
    name: str
    kind: str
    ckey: str
    abbr: bool


@dataclass
class AgencyMatch:
    text: str  # written out, with locality
    name: str  # gazetteer entry name
    kind: str
    n_tokens: int  # tokens of the input consumed
    score: float
    locality: str = ""  # what follows the name (`tỉnh Kiên Giang`), as written out in `text`


def _is_abbr(s: str) -> bool:
    return " " not in s and sum(1 for c in s if c.isupper()) >= 2 and len(s) <= 12


@lru_cache(maxsize=1)
def _variants() -> tuple[list[_Variant], list[str], dict[str, _Variant]]:
    full: list[_Variant] = []
    abbrs: dict[str, _Variant] = {}
    for a in gz.agencies():
        for s in (a.name, *a.variants):
            v = _Variant(s, a.name, a.kind, compact(s), _is_abbr(s))
            if v.abbr:
                abbrs.setdefault(_abbr_key(s), v)
            elif v.ckey:
                full.append(v)
    return full, [v.ckey for v in full], abbrs


def _abbr_key(s: str) -> str:
    return re.sub(r"[^A-Z0-9&]", "", s.upper().replace("Đ", "D"))


@lru_cache(maxsize=1)
def _province_keys() -> tuple[list[str], list[str]]:
    names, keys = [], []
    for p in gz.provinces():
        for s in (p.name, *p.abbreviations):
            if _is_abbr(s):
                continue
            names.append(p.name)
            keys.append(compact(s))
    return names, keys


def _threshold(n_chars: int) -> float:
    if n_chars <= 5:
        return 100.0
    if n_chars <= 9:
        return 86.0
    if n_chars <= 14:
        return 84.0
    if n_chars <= 20:
        return 82.0
    return 80.0


def _windows(tokens: list[str], limit: int) -> list[str]:
    """Compact keys of the first 1..limit tokens (token by token, so the cache serves repeats)."""
    out = []
    acc = ""
    for t in tokens[:limit]:
        k = compact(t)
        if k:
            acc = f"{acc} {k}" if acc else k
        out.append(acc)
    return out


def match_province(tokens: list[str], min_score: float = 80.0) -> tuple[str, int, float] | None:
    """Province name at the start of `tokens`: (name, tokens consumed, score)."""
    if not tokens:
        return None
    names, keys = _province_keys()
    wins = _windows(tokens, 4)
    if not wins:
        return None
    m = process.cdist(wins, keys, scorer=fuzz.ratio, score_cutoff=min_score)
    best = None
    for i, row in enumerate(m):
        for j, sc in enumerate(row):
            if not sc:
                continue
            # two-word names differ by one letter (`Hải Châu` is not `Lai Châu`): short ones need more
            need = max(min_score, _threshold(len(keys[j])) - 4, 88.0 if len(keys[j]) <= 10 else 0.0)
            if sc >= need and _same_start(wins[i], keys[j]) and i + 1 == _n_tokens(keys[j]):
                cand = (float(sc) + i * 0.01, names[j], i + 1)
                if best is None or cand[0] > best[0]:
                    best = cand
    if best is None:
        return None
    return best[1], best[2], best[0]


_START_EQUIV = {"p": "d"}


def _same_start(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return _START_EQUIV.get(a[0], a[0]) == _START_EQUIV.get(b[0], b[0])


@lru_cache(maxsize=4096)
def _digits(ckey: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\d+", ckey))


@lru_cache(maxsize=4096)
def _n_tokens(ckey: str) -> int:
    return len(ckey.split())


def _clean(tok: str) -> str:
    return tok.strip("*_•-–+.,;:()[]\"'“”‘’")


def match_agency(tokens: list[str], allow_generic: bool = False) -> AgencyMatch | None:
    """Agency name at the start of `tokens`, or None."""
    tokens = tokens[:MAX_WINDOW]
    if not tokens:
        return None
    full, keys, abbrs = _variants()
    base: tuple[str, str, str, int, float] | None = None  # surface, name, kind, n, score
    first = _clean(tokens[0])
    ak = _abbr_key(first)
    if first and ak in abbrs and first.replace("Đ", "D").upper() == first.replace("Đ", "D") and len(ak) >= 2:
        v = abbrs[ak]
        base = (first, v.name, v.kind, 1, 100.0)  # `UBND tỉnh`: the locality is added below
    wins = _windows(tokens, MAX_WINDOW)
    if wins:
        m = process.cdist(wins, keys, scorer=fuzz.ratio, score_cutoff=70)
        best = None
        for i, row in enumerate(m):
            nz = row.nonzero()[0]
            for j in nz:
                sc = float(row[j])
                need = _threshold(len(keys[j]))
                if i + 1 != _n_tokens(keys[j]):
                    need += 6  # a word more or less than the name: ask for a closer match
                if full[j].kind == "collective":
                    need += 4
                if sc < need or abs(i + 1 - _n_tokens(keys[j])) > 1:
                    continue
                if _digits(wins[i]) != _digits(keys[j]):
                    continue  # `Ban Chỉ đạo 389` is not `Ban Chỉ đạo 35`: numbers in names never change
                if not _same_start(wins[i], keys[j]):
                    # a garbled first letter (`8¢ Thông tin và Truyền thông`): only for long provincial names
                    if sc < 90 or i < 2 or full[j].kind == "central" or tokens[0].isalpha():
                        continue
                    sc -= 3
                # best score, with a small bonus for longer names (`Ban Tuyên giáo Tỉnh ủy` over `Ban`)
                rank = (sc + 0.2 * len(keys[j]), len(keys[j]))
                if best is None or rank > best[0]:
                    best = (rank, i, j, sc)
        if best is not None:
            _, i, j, sc = best
            v = full[j]
            if base is None or len(v.ckey) > 4:
                base = (v.surface, v.name, v.kind, i + 1, sc)
    if base is None:
        return None
    surface, name, kind, n, score = base
    parts = [surface]
    rest = tokens[n:]
    consumed = n
    has_place = False
    for _ in range(3):
        if consumed and tokens[consumed - 1].endswith((",", ";", ":", ".")):
            break
        suf = _match_suffix(rest)
        if suf is None:
            break
        text, k = suf
        parts.append(text)
        rest = rest[k:]
        consumed += k
        has_place = True
    if name in _PARTY_ORGANS and not has_place and consumed < len(tokens) and compact(tokens[consumed]) == "cac":
        # `Ban Tuyên giáo các huyện ủy, thành ủy …`: the organs of the committees named next
        coll = match_agency(tokens[consumed:], allow_generic=True)
        if coll is not None and coll.kind == "collective":
            parts.append(coll.text[:1].lower() + coll.text[1:])
            consumed += coll.n_tokens
            has_place = True
    tail = _proper_tail(tokens[consumed:]) if _takes_place_name(name, parts) else None
    if tail:
        parts.append(tail[0])
        consumed += tail[1]
        has_place = True
    if name in _PARTY_ORGANS and len(parts) >= 2 and parts[1] == "tỉnh":
        parts[1] = "Tỉnh ủy"
    if name in _NEEDS_PLACE and not has_place and not allow_generic:
        return None
    return AgencyMatch(" ".join(parts), name, kind, consumed, score, " ".join(parts[1:]))


def _match_suffix(tokens: list[str]) -> tuple[str, int] | None:
    if not tokens:
        return None
    if tokens[0][:1] in ",;:(" or not _clean(tokens[0]):
        return None
    prov = match_province(tokens, 84.0)
    best: tuple[float, str, int] | None = None
    if prov is not None:
        best = (prov[2] + 20 * prov[1], prov[0], prov[1])
    for s in _SUFFIXES:
        n = len(s.split())
        if len(tokens) < n:
            continue
        if any(t.endswith((",", ";", ":", ".")) for t in tokens[:n - 1]):
            continue
        win = compact(" ".join(tokens[:n]))
        sk = compact(s)
        sc = fuzz.ratio(win, sk)
        need = _threshold(len(sk)) - (2 if n > 1 else 0)
        tok_ok = all(_token_close(a, b) for a, b in zip(tokens[:n], s.split(), strict=False))
        if s == "xã" and len(tokens) > 1 and compact(tokens[1]) == "hoi":
            continue  # `xã hội`
        if sc >= need and tok_ok and _same_start(win, sk):
            rank = sc + 20 * n
            if best is None or rank > best[0]:
                best = (rank, s, n)
    if best is None:
        return None
    # the suffix token must end the name: `tỉnh` glued to punctuation ends it too
    return best[1], best[2]


_COMMITTEES = {"Huyện ủy", "Thành ủy", "Thị ủy", "Quận ủy", "Đảng ủy", "Đảng bộ", "Chi bộ"}
_LOCALITY_WORDS = {"huyện", "xã", "phường", "quận", "thị xã", "thành phố", "thị trấn", "đặc khu"}


def _takes_place_name(name: str, parts: list[str]) -> bool:
    if name in _COMMITTEES and len(parts) == 1:
        return True
    return parts[-1].lower() in _LOCALITY_WORDS


def _proper_tail(tokens: list[str]) -> tuple[str, int] | None:
    """A place name in capitals or Title Case after `huyện` / `Huyện ủy` (`CHÂU THÀNH`, `Kiến Xương`)."""
    out: list[str] = []
    for t in tokens[:4]:
        w = t.rstrip(",.;:")
        if not w or not w[0].isupper() or not w.isalpha() or compact(w) in _STOP_CAPS:
            break
        out.append(w.title() if w.isupper() else w)
        if w != t:
            break
    if not out or len(out) > 3:
        return None
    return restore_words(" ".join(out)), len(out)


_STOP_CAPS = {"chu", "tri", "phoi", "hop", "giao", "co", "va", "ve", "de", "theo", "thuc", "xay", "to", "tham"}


def _token_close(a: str, b: str) -> bool:
    ka, kb = compact(a), compact(b)
    if len(kb) <= 2:  # `ủy` read as `ty`, `Gy`, `iy`, `0y`
        return len(ka) <= 3 and ka.endswith(kb[-1:])
    return fuzz.ratio(ka, kb) >= 70


# Party committee organs: `Ban Tuyên giáo tỉnh` is the Ban Tuyên giáo of the Tỉnh ủy
_PARTY_ORGANS = {"Ban Tuyên giáo", "Ban Tổ chức", "Ban Dân vận", "Ban Nội chính", "Ban Tuyên giáo và Dân vận",
                 "Ủy ban Kiểm tra", "Ban Chính sách, chiến lược"}


def restore_words(text: str) -> str:
    """Put marks back on unaccented administrative words using the gazetteer vocabulary: only
    where the fold is unambiguous (`quan` may be quan, quận or quân: left alone). The written case is kept letter by letter (`TTg` stays `TTg`)."""
    vocab = gz.vocabulary()
    ambiguous = gz.ambiguous_keys()
    out = []
    for tok in text.split(" "):
        m = re.match(r"^([^\w]*)([\w/&¢€|@]+)([^\w]*)$", tok)
        if not m or not _looks_unaccented(m.group(2)):
            out.append(tok)
            continue
        word = m.group(2)
        k = compact(word)
        rep = vocab.get(k)
        if rep is None or k in ambiguous:
            out.append(tok)
            continue
        if word.isupper() and sum(c.isalpha() for c in word) > 1:
            rep = rep.upper()
        elif len(word) == len(rep):
            rep = "".join(r.upper() if c.isupper() else r for c, r in zip(word, rep, strict=True))
        elif word[0].isupper():
            rep = rep[0].upper() + rep[1:]
        out.append(m.group(1) + rep + m.group(3))
    return " ".join(out)


def _looks_unaccented(word: str) -> bool:
    if any(c in "¢€&|@" for c in word) or re.search(r"[a-zA-Z][0-9]|[0-9][a-zA-Z]", word):
        return True
    if sum(c.isalpha() for c in word) > 1 and word.isupper() and len(word) <= 6:
        return False  # an abbreviation: VPTU, UBND
    if word.isascii():
        return True
    if word.lower() in _marked_words():
        return False
    return not _valid_syllable(word)


def _valid_syllable(word: str) -> bool:
    try:
        from sohoa.normalize.vnsyl import is_syllable_shape
    except ImportError:  # restorer helpers absent: leave marked words alone
        return True
    return is_syllable_shape(word)


@lru_cache(maxsize=1)
def _marked_words() -> frozenset[str]:
    return frozenset(gz.vocabulary().values())


def canonical_phrase(text: str) -> str:
    """A recipient/assignee phrase with gazetteer names put in and marks restored where unambiguous.
    The gazetteer normalises what is written, never replaces it: a name that differs from a
    well-read phrase by whole words (`Ngân hàng Phát triển` is not `Ngân hàng Nhà nước`) is not
    taken, and well-read words keep their case (`Ủy ban trung ương …` as the document writes it)."""
    text = " ".join(text.split())
    if not text:
        return text
    note = re.search(r"\s*\([^()]*\)$", text)
    if note and note.start() > 0:
        # `Công an tỉnh (PA05)`: the name is matched without the note, which is kept as written
        return canonical_phrase(text[:note.start()]) + " " + note.group(0).strip()
    toks = text.split(" ")
    m = match_agency(toks, allow_generic=True)
    if m is not None and m.n_tokens == len(toks):
        named = normalised_as(toks, m.text)
        if named is not None:
            return named
    return restore_words(text)


def normalised_as(tokens: list[str], name: str) -> str | None:
    """`name` written with the case of the well-read words of `tokens`, or None when taking it would
    replace, drop or add a well-read word (a marked, well-formed syllable) rather than repair it."""
    a = [compact(t) for t in tokens]
    b = name.split(" ")
    kb = [compact(t) for t in b]
    out: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, kb, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(_case_of(tokens[i], b[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        if any(_well_read(t) for t in tokens[i1:i2]) and not _repairs(a[i1:i2], kb[j1:j2]):
            return None
        out.extend(b[j1:j2])
    return " ".join(out)


def _repairs(seen: list[str], named: list[str]) -> bool:
    """The named words can be a misreading of the seen ones: one letter off per word at most (OCR
    splits and joins allowed), or the seen span an abbreviation of the named one (`UBND`)."""
    s, n = "".join(seen), "".join(named)
    if not s or not n:
        return not s  # a word the text lacks may be added (a dropped word); a written one not dropped
    if n.startswith(s[:1]) and "".join(w[:1] for w in named) == s:
        return True
    return Levenshtein.distance(s, n) <= max(1, len(named))


_AROUND = ",.;:()[]\"'“”‘’-"  # punctuation around a written word


def _well_read(tok: str) -> bool:
    w = tok.strip(_AROUND)
    return bool(w) and w.isalpha() and _valid_syllable(w)


def _case_of(written: str, named: str) -> str:
    """The gazetteer's word with the written word's case, letter by letter (`trung ương` stays lower
    where the document writes it so); a word in capitals takes the gazetteer's case."""
    w = written.strip(_AROUND)
    if len(w) != len(named) or len(w) > 1 and w.isupper():
        return named
    return "".join(n.upper() if c.isupper() else n.lower() for c, n in zip(w, named, strict=True))


def canonical_list(text: str) -> str:
    """A list of bodies (`Ban Dân vận, UBMTTQ và các đoàn thể …`) with each known name in gazetteer
    form and the other words restored where unambiguous; separators kept."""
    toks = " ".join(text.split()).split(" ")
    out: list[str] = []
    i = 0
    while i < len(toks):
        m = match_agency(toks[i:], allow_generic=True) if toks[i][:1].isalpha() else None
        if m is not None and m.n_tokens > 0:
            last = toks[i + m.n_tokens - 1]
            trail = last[len(last.rstrip(",;:.")):]
            name = m.text
            if out and (m.kind == "collective" or toks[i][:1].islower()):
                # `Ban Tuyên giáo các huyện, thành ủy …`, `Các chi bộ, đảng bộ cơ sở`: written in lower case
                name = name[:1].lower() + name[1:]
            out.append(name + trail)
            i += m.n_tokens
        else:
            out.append(restore_words(toks[i]))
            i += 1
    return " ".join(out)
