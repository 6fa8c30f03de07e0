"""Header fields of one document: type, number/symbol, issuer, place, date, subject (NĐ 30 Điều 8,
HD 36-HD/VPTW). Handles the two-column header that OCR interleaves on one line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sohoa.extract import gazetteer as gz
from sohoa.extract.agencies import match_agency, match_province, restore_words
from sohoa.extract.codes import Code, parse_header_number, type_name
from sohoa.extract.dates import find_dates
from sohoa.extract.lines import Span, TextLine
from sohoa.extract.segment import motto_span, title_type
from sohoa.extract.textkey import compact, key, upper_ratio

# `Thái Bình, ngày 1 thung Ñ năm 23023`: a place-and-date line whose date could not be read
_PLACE_UNREAD_DATE = re.compile(r"^\W*(?P<place>[^\W\d_][^,\d]{1,40}?),\s*ng[a-z]?y\b.{0,30}\bn[a-z]?m\b")
_VV = re.compile(r"^\W{0,3}(?:v\s?/\s?v\b|ve viec\b)")
_KINH_GUI = re.compile(r"^\W{0,3}k[a-z]{1,2}nh\s+g[a-z]{1,3}i\b")
_OF_LINE = re.compile(r"^\W{0,3}cu[a-z]{0,2}\s")  # `CỦA BAN THƯỜNG VỤ TỈNH ỦY` under a Party title


@dataclass
class Header:
    doc_type: Span = field(default_factory=lambda: Span(None))
    number: Span = field(default_factory=lambda: Span(None))
    symbol: Span = field(default_factory=lambda: Span(None))
    code: Span = field(default_factory=lambda: Span(None))
    issuer: Span = field(default_factory=lambda: Span(None))
    place: Span = field(default_factory=lambda: Span(None))
    date: Span = field(default_factory=lambda: Span(None))
    subject: Span = field(default_factory=lambda: Span(None))
    style: str | None = None  # party | state
    province: str | None = None
    has_own_header: bool = False
    title_line: int | None = None  # index of the title line in the segment's lines
    body_start: int = 0  # index of the first body line in the segment's lines
    code_obj: Code | None = None


def parse_header(lines: list[TextLine]) -> Header:
    h = Header()
    title_idx = None
    for i, ln in enumerate(lines[:40]):
        t = title_type(ln)
        if t:
            title_idx = i
            break
    zone_end = min(len(lines), (title_idx + 1) if title_idx is not None else 25)
    kinh = next((i for i, ln in enumerate(lines[:40]) if _KINH_GUI.search(ln.key)), None)
    if title_idx is None and kinh is not None:
        zone_end = kinh
    zone = lines[:zone_end]

    issuer_parts: list[tuple[str, int, int]] = []
    for ln in zone:
        mot = motto_span(ln)
        if mot:
            h.style = h.style or ("party" if mot[0] == "party" else "state")
            h.has_own_header = True
        if h.number.value is None and h.code.value is None and h.code_obj is None:
            c = parse_header_number(ln.text)
            if c is not None:
                h.code_obj = c
                h.has_own_header = True
                s, e = ln.start + c.start, ln.start + c.end
                h.number = Span(c.number, s, e)
                h.symbol = Span(c.symbol, s, e)
                h.code = Span(c.code, s, e)
        if h.date.value is None:
            _place_date(ln, h)
        left = _left_column(ln)
        if left:
            issuer_parts.append(left)
    if h.code_obj is not None and h.style is None:
        h.style = h.code_obj.style
    _issuer(issuer_parts, h)
    _doc_type(lines, title_idx, h)
    _subject(lines, title_idx, zone_end, h)
    h.title_line = title_idx
    return h


_CITED = re.compile(r"\d.*[/-]|[/-].*\d")  # a document code right before the date
_CITING = re.compile(r"^\W*(?:can cu|theo|thuc hien|\d+[.)]\s)")


def _place_date(ln: TextLine, h: Header) -> None:
    dates = find_dates(ln.text, ln.key)
    if not dates:
        m = _PLACE_UNREAD_DATE.match(ln.key)
        if m and h.place.value is None and not _CITING.match(ln.key):
            _place(ln, ln.text[: m.end("place")].rstrip(" ,"), h)
        return
    d = dates[0]
    before = ln.text[:d.start].rstrip(" ,")
    toks = before.split()
    if toks and _CITED.search(toks[-1]) or _CITING.match(ln.key):
        return  # `… số 151/2013/NĐ-CP ngày 01 tháng 11 năm 2013`, `Căn cứ Luật … ngày`: a cited document's date
    h.date = Span(d.iso, ln.start + d.start, ln.start + d.end)
    _place(ln, before, h)


def _place(ln: TextLine, before: str, h: Header) -> None:
    """The địa danh at the end of `before` (the text of `ln` up to its date)."""
    toks = before.split()
    for k in range(min(4, len(toks)), 0, -1):
        cand = toks[-k:]
        prov = match_province(cand, 70.0)
        if prov and prov[1] == k:
            s = ln.start + before.rfind(cand[0])
            name = prov[0]
            prev = compact(" ".join(toks[max(0, len(toks) - k - 2):len(toks) - k]))
            if prev.endswith(("thanh pho", "tp")):
                name = f"Thành phố {name}"
                s = ln.start + before.rfind(toks[len(toks) - k - (2 if prev.endswith("thanh pho") else 1)])
            h.place = Span(name, s, ln.start + len(before))
            return
        pk = compact(" ".join(cand))
        for place in gz.places():
            if compact(place) == pk:
                s = ln.start + before.rfind(cand[0])
                h.place = Span(place, s, ln.start + len(before))
                return
    words = [t for t in toks[-3:] if re.search(r"[^\W\d_]", t) and not re.search(r"[/:]", t)]
    if words:
        txt = restore_words(" ".join(words).strip("*)( "))
        h.place = Span(txt, ln.start + before.rfind(words[0]), ln.start + len(before))


def _left_column(ln: TextLine) -> tuple[str, int, int] | None:
    """Upper-case issuer text of a header line, with the motto / number / date columns cut off."""
    text = ln.text
    cut = len(text)
    mot = motto_span(ln)
    if mot:
        cut = min(cut, mot[1])
    m = re.search(r"(?:^|\s)(S\S{0,2}\s?[:.]|\d{1,5}\s*-|ng[a-z]?y\s)", ln.key)
    if m:
        cut = min(cut, m.start())
    m = re.search(r",\s*ng[a-z]?y", ln.key)
    if m:
        cut = min(cut, m.start())
    left = text[:cut].strip(" *")
    kept = []
    for tok in left.split():
        letters = [c for c in tok if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) / len(letters) < 0.6:
            break
        kept.append(tok)
    left = " ".join(kept) if kept and text.find(" ".join(kept)) >= 0 else ""
    if len(left) < 2 or upper_ratio(left) < 0.7 or title_type(TextLine(0, 0, left, ln.key[:len(left)])):
        return None
    if left.startswith(("-", "+")) or re.match(r"^[\W\d]+$", left):
        return None
    off = ln.start + text.find(left)
    return left, off, off + len(left)


def _issuer(parts: list[tuple[str, int, int]], h: Header) -> None:
    matched: list[tuple[str, str, int, int]] = []  # text, gazetteer name, start, end
    if len(parts) >= 2:
        # one name wrapped over two lines: `ỦY BAN NHÂN DÂN` / `TỈNH NGHỆ AN`
        joined = (parts[0][0] + " " + parts[1][0]).split()
        m = match_agency(joined, allow_generic=True)
        if m is not None and m.n_tokens == len(joined):
            parts = [(m.text, parts[0][1], parts[1][2])] + parts[2:]
    for k, (text, s, e) in enumerate(parts[:3]):
        m = match_agency(text.split(), allow_generic=True)
        if m is not None:
            matched.append((m.text, m.name, s, e))
            continue
        toks = text.split()
        for i in range(len(toks)):
            prov = match_province(toks[i:], 80.0)
            if prov:
                h.province = h.province or prov[0]
                if k == 0:
                    # an unreadable parent line that still names the province (`TINH ICA"- SON LA`)
                    parent = "Tỉnh ủy" if h.style == "party" else "UBND tỉnh"
                    matched.append((f"{parent} {prov[0]}", parent, s, e))
                break
    for text, _, _, _ in matched:
        toks = text.split()
        for i in range(len(toks)):
            prov = match_province(toks[i:], 90.0)
            if prov and prov[1] == len(toks) - i:
                h.province = h.province or prov[0]
                break
    if h.province and h.place.value and h.place.value != h.province and _near_province(str(h.place.value), h.province):
        h.place = Span(h.province, h.place.start, h.place.end)  # a garbled địa danh of the issuer's province
    if h.province is None and h.place.value:
        prov = match_province(str(h.place.value).split(), 90.0)
        if prov:
            h.province = prov[0]
    if not matched:
        derived = issuer_from_symbol(h.symbol.value, h.province)
        if derived:
            h.issuer = Span(derived, None, None)
        return
    if len(matched) == 1:
        text, _, s, e = matched[0]
        if h.province and h.province not in text and _is_bare(text):
            text = f"{text} {h.province}"
        h.issuer = Span(text, s, e)
        return
    parent, child = matched[0], matched[1]
    h.issuer = Span(compose_issuer(parent[0], child[0], h.province), parent[2], child[3])


def _near_province(place: str, province: str) -> bool:
    from rapidfuzz import fuzz

    return fuzz.ratio(compact(place), compact(province)) >= 65


def _is_bare(text: str) -> bool:
    return compact(text).split()[-1] in ("tinh", "uy", "ubnd", "dan") or len(text.split()) <= 3


_SELF_STANDING = ("huyen uy", "thanh uy", "thi uy", "quan uy", "dang uy", "ubnd huyen", "uy ban nhan dan huyen",
                  "ubnd xa", "uy ban nhan dan xa", "ubnd phuong", "uy ban nhan dan phuong")


def compose_issuer(parent: str, child: str, province: str | None) -> str:
    """`UBND tỉnh Kiên Giang` + `Văn phòng` → `Văn phòng UBND tỉnh Kiên Giang`."""
    ck = compact(child).split()
    if " ".join(ck).startswith(_SELF_STANDING) and len(ck) > 2:
        return child  # `ĐẢNG BỘ TỈNH X` / `HUYỆN ỦY Y`: the district committee issues
    if ck and ck[0] == "phong":
        pk = compact(parent).split()
        loc = parent.split(" ", 2)[-1] if pk[:1] == ["ubnd"] else parent
        for word in ("huyện", "thị xã", "thành phố", "quận", "xã", "phường"):
            i = parent.find(word)
            if i >= 0:
                loc = parent[i:]
                break
        return f"{child} {loc}"
    if ck and ck[-1] in ("tinh", "pho", "huyen") and province:
        return f"{child} {province}"
    if ck and ck[0] == "so" and province:
        pk = compact(parent).split()
        return f"{child} {'thành phố' if 'pho' in pk[:4] else 'tỉnh'} {province}"
    pw, cw = parent.split(), child.split()
    for n in range(min(len(pw), len(cw)) - 1, 0, -1):
        # `Văn phòng HĐND và UBND` under `UBND huyện Cam Lâm`: the child ends with the parent's head
        if compact(" ".join(cw[-n:])) == compact(" ".join(pw[:n])):
            return " ".join(cw + pw[n:])
    return f"{child} {parent}"


_SYMBOL_ORGS = {
    "TW": "Trung ương", "TU": "Tỉnh ủy", "ThU": "Thành ủy", "HU": "Huyện ủy", "ĐU": "Đảng ủy",
    "BTGTU": "Ban Tuyên giáo Tỉnh ủy", "BTGTW": "Ban Tuyên giáo Trung ương", "BTCTU": "Ban Tổ chức Tỉnh ủy",
    "BDVTU": "Ban Dân vận Tỉnh ủy", "UBKTTU": "Ủy ban Kiểm tra Tỉnh ủy", "VPTU": "Văn phòng Tỉnh ủy",
    "BCSĐ": "Ban cán sự đảng UBND tỉnh", "BNCTU": "Ban Nội chính Tỉnh ủy", "VPTW": "Văn phòng Trung ương Đảng",
    "BTGDVTU": "Ban Tuyên giáo và Dân vận Tỉnh ủy", "UBND": "Ủy ban nhân dân tỉnh", "VP": "Văn phòng UBND tỉnh",
}
# central state bodies: the ký hiệu names them whole, never with a province
_NATIONAL_ORGS = {
    "CP": "Chính phủ", "TTg": "Thủ tướng Chính phủ", "QH": "Quốc hội", "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "CTN": "Chủ tịch nước", "VPCP": "Văn phòng Chính phủ", "NHNN": "Ngân hàng Nhà nước Việt Nam",
    "KTNN": "Kiểm toán nhà nước", "TANDTC": "Tòa án nhân dân tối cao", "VKSNDTC": "Viện kiểm sát nhân dân tối cao",
    "BTC": "Bộ Tài chính", "BNV": "Bộ Nội vụ", "BCA": "Bộ Công an", "BQP": "Bộ Quốc phòng", "BYT": "Bộ Y tế",
    "BTP": "Bộ Tư pháp", "BCT": "Bộ Công Thương", "BXD": "Bộ Xây dựng", "BGTVT": "Bộ Giao thông vận tải",
    "BGDĐT": "Bộ Giáo dục và Đào tạo", "BKHĐT": "Bộ Kế hoạch và Đầu tư", "BTNMT": "Bộ Tài nguyên và Môi trường",
    "BTTTT": "Bộ Thông tin và Truyền thông", "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội", "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "BKHCN": "Bộ Khoa học và Công nghệ", "BNG": "Bộ Ngoại giao",
}


def issuer_from_symbol(symbol: object, province: str | None) -> str | None:
    """Issuer implied by the ký hiệu: `KH/TU` → `Tỉnh ủy <province>`."""
    if not isinstance(symbol, str) or not symbol:
        return None
    if "/" in symbol:
        org = symbol.split("/", 1)[1]
    else:
        parts = symbol.split("-")
        org = parts[1] if len(parts) > 1 else parts[0]
    for table in (_NATIONAL_ORGS, _SYMBOL_ORGS):
        name = table.get(org) or table.get(org.upper().replace("D", "Đ"))
        if name is not None:
            break
    if name in _NATIONAL_ORGS.values():
        return name
    if name is None:
        return None
    if province and name != "Trung ương" and not name.endswith("Đảng"):
        return f"{name} {province}"
    return name


def _doc_type(lines: list[TextLine], title_idx: int | None, h: Header) -> None:
    title = title_type(lines[title_idx]) if title_idx is not None else None
    tc = h.code_obj.type_code if h.code_obj else None
    name = type_name(tc, title)
    if name is None and title:
        name = title
    if title and name and compact(title).startswith(compact(name)) and len(title) > len(name):
        name = title  # `Chương trình hành động` over `Chương trình`
    if title_idx is not None and title:
        ln = lines[title_idx]
        span = (ln.start, ln.end)
    else:
        span = (h.code.start, h.code.end)
    if name is None:
        has_vv = any(_VV.search(ln.key) for ln in lines[:30])
        if has_vv or h.code_obj is not None:
            name = "Công văn"
    h.doc_type = Span(name, *span)


_BODY_START = re.compile(
    r"^\W{0,3}(?:can cu|thuc hien|kinh gui|theo de nghi|xet de nghi|so\W|ngay \d|dieu \d|"
    r"(?:[ivx]{1,4}|\d{1,2})\s*[.\-)]\s|[-+•]\s)")
_MAX_SUBJECT_LINES = 5


def _subject(lines: list[TextLine], title_idx: int | None, zone_end: int, h: Header) -> None:
    collected: list[TextLine] = []
    if title_idx is not None:
        i = _skip_blank(lines, title_idx + 1, title_idx + 3)
        if i < len(lines) and _OF_LINE.search(lines[i].key) and upper_ratio(lines[i].text) > 0.7:
            i = _skip_blank(lines, i + 1, i + 3)  # `CỦA BAN THƯỜNG VỤ TỈNH ỦY` under a Party title
        width = _body_width(lines)
        while i < len(lines) and len(collected) < _MAX_SUBJECT_LINES:
            ln = lines[i]
            if ln.blank:
                # OCR gives each centred line of a wrapped subject as its own block
                j = _skip_blank(lines, i, i + 2)
                if not collected or j >= len(lines) or not _continues_subject(collected, lines[j], width):
                    break
                i = j
                continue
            if re.match(r"^\W{0,3}(?:can cu|thuc hien|kinh gui|so\W)", ln.key) and collected:
                break
            if not re.search(r"[^\W\d_]", ln.text):
                break  # a rule `-----` or a stray `*` under the title
            collected.append(ln)
            i += 1
            if ln.text.rstrip().endswith(".") and not ln.text.rstrip().endswith("./."):
                break
        h.body_start = i
    else:
        start = next((i for i, ln in enumerate(lines[:40]) if _VV.search(ln.key)), None)
        if start is not None:
            i = start
            while i < len(lines) and not lines[i].blank and not _KINH_GUI.search(lines[i].key) and len(collected) < 6:
                ln = lines[i]
                if i > start and (re.match(r"^\W{0,3}s\S{0,2}\s?[:.]?\s{0,2}[\w]{0,5}\s?[-/]", ln.key)
                                  or motto_span(ln)):
                    break
                collected.append(ln)
                i += 1
        h.body_start = zone_end
    if not collected:
        return
    text = " ".join(_drop_stamp_junk(ln.stripped) for ln in collected)
    text = re.sub(r"^\W{0,3}[Vv]\s?/\s?[vV]\.?\s*:?\s*", "", text)
    text = " ".join(text.split()).strip(" .,;*")
    if text:
        text = text[0].upper() + text[1:]
    h.subject = Span(text, collected[0].start, collected[-1].end)


def _skip_blank(lines: list[TextLine], i: int, limit: int) -> int:
    while i < len(lines) and lines[i].blank and i < limit:
        i += 1
    return i


def _body_width(lines: list[TextLine]) -> int:
    """Length of a full body line: the subject's centred lines are clearly shorter."""
    lengths = sorted(len(ln.stripped) for ln in lines if not ln.blank)
    return lengths[int(len(lengths) * 0.9)] if lengths else 80


def _continues_subject(collected: list[TextLine], nxt: TextLine, width: int) -> bool:
    """Whether the line after a blank goes on with the subject rather than starting the body."""
    last = collected[-1].text.rstrip()
    if last.endswith((".", ":", ";")) or _BODY_START.match(nxt.key) or motto_span(nxt):
        return False
    text = nxt.stripped
    if not re.search(r"[^\W\d_]", text) or len(text) > 0.8 * width or len(text) < 3:
        return False
    caps = upper_ratio(text) >= 0.7
    if caps != (upper_ratio(" ".join(c.text for c in collected)) >= 0.7):
        return False  # `CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …` under a subject in lower case, or the reverse
    return not title_type(nxt)


_JUNK_CHARS = set("@%[]{}|\\^~=<>ﬁﬂ")


# a reception stamp's fill-in fields (`ĐẾN Giờ: … Ngày: 04/01/2021 Số: … Chuyển: …`): a label, a colon,
# a value written by hand (digits, dots, dashes)
_STAMP_FIELD = re.compile(r"^(?:ng[a-z]{0,2}y|gi[a-z]{0,2}|s[a-z]{0,2}|chuy[a-z]{0,3}n)\s?[:;.]\S*[\d.][\S]*$")
_STAMP_WORD = re.compile(r"^(?:den|cong van den)$")


def _drop_stamp_junk(text: str) -> str:
    """Tokens of a reception stamp OCR mixed into the title block (`Ngay;[,m[.(at",@:ﬁﬁ`,
    `ĐẾN`, `Ngày:04/01/2021.`)."""
    out = []
    for tok in text.split():
        k = key(tok)
        if _STAMP_FIELD.match(k) or (tok.isupper() and _STAMP_WORD.match(k)):
            continue
        junk = sum(1 for c in tok if c in _JUNK_CHARS or (not c.isalnum() and c not in ",.;:-–()/\"'“”"))
        if junk >= 2 or (junk and len(tok) > 3) or any(c in "ﬁﬂ" for c in tok):
            continue
        out.append(tok)
    return " ".join(out)
