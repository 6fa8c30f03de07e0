"""The document gate: does a file read as a Vietnamese administrative document?

Only such files become records; anything else (a README, a CSV, a build log, code, English or
French text, a news article, a photo of a poster) is `skipped` with reason `not_a_document`.
Two kinds of signal, both measured on the text (restored and as read, whichever reads better):

- language: the share of words spelled as Vietnamese syllables (structural check, so garbled OCR
  that lost its diacritics — "Uy ban nhan dan tinh" — still counts) and the share carrying
  Vietnamese marks (reported, not required: badly garbled OCR may have none);
- structure: markers of an administrative document's header, body and closing — quốc hiệu or the
  Party motto, a số/ký hiệu code, the place-and-date line, an issuing body, a doc-type heading, a
  `V/v` subject, `Kính gửi`, `Căn cứ`, `Điều N.` articles, `Nơi nhận`, a signature block — and
  the extractor's record (a doc type with a code or issuer). Markers are matched on folded text
  (no diacritics, lower case) with some OCR slack.

A file passes when it is Vietnamese (enough words, valid share at least `gate.min_valid_share`)
and shows at least `gate.min_markers` distinct markers. docs/reliability.md has the measurements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sohoa.normalize.tones import is_valid_syllable, strip_tone
from sohoa.pipeline.config import Settings
from sohoa.pipeline.fold import fold
from sohoa.record import Record

MIN_WORDS = 8
HEADER_LINES = 30  # non-empty lines of a page searched for header markers

STRONG = {"articles": 2, "sections": 2}  # enough alone: a decree's or plan's continuation page

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_MOTTOS = {
    "quoc_hieu": ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc"),
    "dang_motto": ("dang cong san viet nam",),
}
_DOC_TYPES = (
    "ke hoach", "cong van", "chi thi", "nghi quyet", "quyet dinh", "thong bao", "bao cao", "to trinh",
    "huong dan", "chuong trinh", "nghi dinh", "thong tu", "quy dinh", "quy che", "ket luan", "cong dien",
    "giay moi", "bien ban", "hop dong", "de an", "phuong an", "luat", "phap lenh", "thong tri", "quy trinh",
)
_ISSUERS = (
    "uy ban nhan dan", "ubnd", "tinh uy", "huyen uy", "thanh uy", "thi uy", "quan uy", "dang uy",
    "dang bo", "ban ", "so ", "bo ", "chinh phu", "van phong", "hoi dong nhan dan", "hdnd", "cong an",
    "mat tran", "quoc hoi", "chu tich nuoc", "toa an", "vien kiem sat", "kiem toan", "cuc ", "tong cuc",
    "doan ", "hoi ", "lien doan", "bch ", "ban chap hanh", "ban thuong vu",
)
_SIGNER_TITLES = (
    "chu tich", "pho chu tich", "bi thu", "pho bi thu", "giam doc", "pho giam doc", "truong ban",
    "pho truong ban", "chanh van phong", "pho chanh van phong", "bo truong", "thu truong", "thu tuong",
    "pho thu tuong", "truong phong", "tong giam doc", "dai dien ben a", "dai dien ben b",
)
# A số / ký hiệu code: 46-KH/BTGTU, 4890 -CV/BCSD, 28/2021/NĐ-CP, 121-KH/BTGTU, /VP-KGVX.
_CODE = re.compile(r"\d{1,5}\s*[-/]\s*[A-ZĐ]{1,8}(?:\s*[-/]\s*[A-ZĐ0-9]{1,12})+"
                   r"|\d{1,5}/(?:19|20)\d\d/[A-ZĐ]{1,6}-[A-ZĐ]{1,10}|/[A-ZĐ]{1,6}-[A-ZĐ]{2,10}\b")
_SO_LINE = re.compile(r"^s[o06e]\b\s*[:.]?\s*(?:\d|[\w.]{0,6}\s*[-/])")  # "Số: 12", "S6 64", "Sé: AL /VP"
_DATE_LINE = re.compile(r"ng\w{1,3}\s*\S{0,4}\s*th\w{2,4}\s*\S{0,4}\s*n\w{1,3}\s*(?:19|20)\d\d")
_SECTION = re.compile(r"^(?:[IVX]{1,4}|[A-Z])\s*[.-]\s+\S")  # "I. MỤC ĐÍCH, YÊU CẦU", "II- NHIỆM VỤ"
_BULLET = re.compile(r"^[-–•*+]+\s*")
_SIGN_PREFIX = re.compile(r"^(?:t/?m|tm|kt|tl|tuq|q)\s*[./]\s*\w")


@dataclass
class GateVerdict:
    is_document: bool
    reason: str
    words: int = 0
    valid_share: float = 0.0
    marked_share: float = 0.0
    markers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["valid_share"] = round(self.valid_share, 3)
        d["marked_share"] = round(self.marked_share, 3)
        return d


def language_signals(text: str) -> tuple[int, float, float]:
    """(words, share of words that are Vietnamese syllables, share with Vietnamese marks)."""
    words = _WORD.findall(text)
    if not words:
        return 0, 0.0, 0.0
    valid = [w for w in words if is_valid_syllable(w)]
    marked = 0
    for w in valid:
        base, tone, _ = strip_tone(w.lower())
        if tone != "ngang" or any(ch in "ăâđêôơư" for ch in base):
            marked += 1
    return len(words), len(valid) / len(words), marked / len(words)


def _mostly_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _fuzzy_contains(line: str, phrase: str) -> bool:
    from rapidfuzz import fuzz

    if len(line) < 0.7 * len(phrase):
        return False
    return fuzz.partial_ratio(phrase, line) >= 85


def _pages(text: str) -> list[list[str]]:
    return [[ln.strip() for ln in page.split("\n") if ln.strip()] for page in text.split("\f")]


def structure_markers(text: str) -> set[str]:
    """The names of the administrative-document markers found in `text` (pages split by \\f)."""
    found: set[str] = set()
    articles = sections = 0
    for lines in _pages(text):
        for i, line in enumerate(lines):
            line = _BULLET.sub("", line)
            low = fold(line)
            if i < HEADER_LINES:
                _header_markers(line, low, found)
            if low.startswith("kinh g"):
                found.add("kinh_gui")
            elif low.startswith("noi nhan"):
                found.add("noi_nhan")
            elif low.startswith("can cu "):
                found.add("can_cu")
            elif re.match(r"dieu \d+\s*[.:]", low):
                articles += 1
            elif _SECTION.match(line) and _mostly_upper(line):
                sections += 1
            elif _SIGN_PREFIX.match(low) or (_mostly_upper(line) and low.rstrip(" .:") in _SIGNER_TITLES):
                found.add("signature")
    if articles >= 2:
        found.add("articles")
    if sections >= 2:
        found.add("sections")
    return found


def _header_markers(line: str, low: str, found: set[str]) -> None:
    for name, phrases in _MOTTOS.items():
        if name not in found and any(_fuzzy_contains(low, p) for p in phrases):
            found.add(name)
    so_line = bool(_SO_LINE.match(low))
    if so_line or (len(line) <= 40 and _CODE.search(line)):
        found.add("so_ky_hieu")
    if "," in line and _DATE_LINE.search(low):
        found.add("date_line")
    if _mostly_upper(line) and len(line) <= 80:
        if not so_line and any(low.startswith(p) for p in _ISSUERS):  # "SỞ …" folds like "SỐ: 12"
            found.add("issuer")
        if any(low.startswith(t) and len(low) <= len(t) + 60 for t in _DOC_TYPES):
            found.add("doc_type")
    if low.startswith(("v/v", "ve viec ")):
        found.add("subject_vv")


def record_marker(records: Iterable[Record]) -> bool:
    """The extractor recognised a document: a record with a doc type and a code or an issuer."""
    return any(r.doc_type and (r.code or r.issuer) for r in records)


def marker_score(markers: Iterable[str]) -> int:
    """Distinct markers; the body structures of a later page (articles, sections) count twice."""
    return sum(STRONG.get(m, 1) for m in set(markers))


def judge(texts: Iterable[str], records: Iterable[Record] = (), *, min_valid_share: float = 0.4,
          min_markers: int = 2) -> GateVerdict:
    """The verdict on a file from its text(s) — e.g. restored and as read — and its records."""
    best: tuple[int, float, float] | None = None
    markers: set[str] = set()
    for text in texts:
        if not text:
            continue
        sig = language_signals(text)
        if best is None or (sig[1], sig[2]) > (best[1], best[2]):
            best = sig
        markers |= structure_markers(text)
    if record_marker(records):
        markers.add("record")
    words, valid, marked = best or (0, 0.0, 0.0)
    score = marker_score(markers)
    v = GateVerdict(False, "", words, valid, marked, sorted(markers))
    if words < MIN_WORDS:
        v.reason = f"too little text to be a document ({words} words)"
    elif valid < min_valid_share:
        v.reason = (f"does not read as Vietnamese ({valid:.0%} of {words} words are Vietnamese syllables,"
                    f" {min_valid_share:.0%} needed)")
    elif score < min_markers:
        v.reason = (f"Vietnamese text without the marks of an administrative document (found: "
                    f"{', '.join(sorted(markers)) or 'none'}; {min_markers} needed)")
    else:
        v.is_document = True
        v.reason = f"Vietnamese administrative document ({', '.join(sorted(markers))})"
    return v


def judge_state(state: Any, settings: Settings) -> GateVerdict:
    """The verdict on a components.DocState with the `gate.*` settings."""
    g = settings.gate
    doc = state.doc
    texts = [doc.text(restored=True)]
    raw = doc.text(restored=False)
    if raw != texts[0]:
        texts.append(raw)
    return judge(texts, state.records, min_valid_share=g.min_valid_share, min_markers=g.min_markers)
