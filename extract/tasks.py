"""Assignments: who must do what, in which role, with whom, by when.

Sources: items (bullets, numbered or lettered headings, paragraphs) that open with an agency —
optionally after `Giao`, `Chỉ đạo`, `Đề nghị`, `Yêu cầu` — and `giao …`/`đề nghị …`/`yêu cầu …`
phrases anywhere in the body. One task per assignee: the first mention's action, with the role,
partners and deadline of a later mention where the first has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.agencies import AgencyMatch, canonical_list, match_agency
from extract.dates import find_deadlines
from extract.lines import TextLine
from extract.textkey import compact, key, upper_ratio

_MARKER = re.compile(r"^\s*(?:(?:Điều|Dieu|Pieu|ĐIỀU)\s+\d{1,3}\s*[.:]\s*|[-–+•*_]+\s*|\(?\d{1,2}(?:\.\d{1,2})*\s*[.)/]\s*|\(?[a-zđ]\)\s*|[IVX]{1,4}\s*[-.]\s*)+")
_NUMBERED = re.compile(r"^\s*(?:\(?\d{1,2}(?:\.\d{1,2})*\s*[.)/]|[IVX]{1,4}\s*[-.]|[a-zđ]\))\s")
_LEAD = re.compile(r"^\W{0,3}(?:giao(?: cho)?|chi dao|de nghi|yeu cau|phan cong)\s+")
_INLINE = re.compile(r"(?<![a-z])(?<!tuyen )(?:giao(?: cho)?|de nghi|yeu cau)\s+(?=[a-z])")
_NOT_INLINE_BEFORE = re.compile(r"(?:duoc|nhiem vu|theo|da|nhu|cac)\s*$")
_ROLE_CHU_TRI = re.compile(r"^\W{0,3}(?:lam dau moi\s+)?ch[a-z]{0,2}\s+tri\b")
_ROLE_PHOI_HOP = re.compile(r"^\W{0,3}ph[a-z]{0,2}i\s+h[a-z]{0,2}p\b")
_PHOI_HOP_VOI = re.compile(r"ph[a-z]{0,2}i\s+h[a-z]{0,2}p\s+v[a-z]{0,2}i\s+")
_SENT_END = re.compile(r"(?<=[^\d\s])[.;](?=\s|$)|\n\s*\n")

_ABBR_EXPAND = (("ubnd", "uy ban nhan dan"), ("hdnd", "hoi dong nhan dan"), ("mttq", "mat tran to quoc"),
                ("ubmttq", "uy ban mat tran to quoc"), ("bcsd", "ban can su dang"))


@dataclass
class Task:
    assignee: str
    role: str | None
    partners: list[str]
    action: str
    deadline: str | None
    start: int
    end: int
    heading: bool = False  # named by a heading of the plan (the issuer may assign itself there)

    def as_dict(self) -> dict:
        return {"assignee": self.assignee, "role": self.role, "partners": self.partners,
                "action": self.action, "deadline": self.deadline}


def assignee_key(text: str) -> str:
    k = compact(text)
    for a, b in _ABBR_EXPAND:
        k = re.sub(rf"\b{a}\b", b, k)
    return k.replace(" viet nam", "")


def extract_tasks(lines: list[TextLine], text: str, base: int, exclude: set[str]) -> list[Task]:
    """`lines` are the body lines of one document; `text` is the document text starting at `base`."""
    found: list[Task] = []
    tcth = _tcth_index(lines)
    in_section = False  # inside the items of a heading that names an assignee (`8. Các cơ quan báo chí`)
    for i, ln in enumerate(lines):
        if ln.blank:
            continue
        prev_blank = i == 0 or lines[i - 1].blank
        mk = _MARKER.match(ln.text)
        numbered = bool(_NUMBERED.match(ln.text))
        if numbered:
            in_section = False
        if not mk and not prev_blank and not _starts_sentence(lines, i):
            continue
        off = mk.end() if mk else len(ln.text) - len(ln.text.lstrip())
        bullet = bool(mk) and not numbered
        tasks, heading = _item_tasks(lines, i, off, text, base, skip_plain=in_section and bullet,
                                     in_tcth=tcth is not None and i > tcth)
        if heading:
            in_section = True
        found.extend(tasks)
    found.extend(_inline_tasks(lines, text, base))
    return _merge(found, exclude)


_TCTH = re.compile(r"t[o0]\s*ch[a-z]{1,3}c\s+th[a-z]{1,3}c\s+hi[a-z]{1,3}n")


def _tcth_index(lines: list[TextLine]) -> int | None:
    """The `TỔ CHỨC THỰC HIỆN` heading (capitals or a Roman numeral before it)."""
    for i, ln in enumerate(lines):
        if len(ln.text.split()) > 9 or not _TCTH.search(ln.key):
            continue
        if upper_ratio(ln.text) >= 0.6 or re.match(r"^\s*[IVX1l]{1,4}\s*[-.]", ln.text):
            return i
    return None


def _starts_sentence(lines: list[TextLine], i: int) -> bool:
    prev = lines[i - 1].text.rstrip()
    return prev.endswith((".", ":", ";")) and len(lines[i].text) > 0 and lines[i].text.lstrip()[:1].isupper()


# head nouns of a body's name: a heading under TỔ CHỨC THỰC HIỆN that starts with one names an assignee
_HEAD_NOUNS = {"ban", "so", "cac", "uy", "ubnd", "hdnd", "dang", "hoi", "dai", "bao", "truong", "cong", "phong",
               "van", "trung", "co", "chi", "huyen", "thanh", "tinh", "lien", "bo", "cuc", "kho", "mat", "doan",
               "thuong", "mttq", "ubmttq", "vien", "hoc", "quan"}
_VERB_START = re.compile(r"^(?:lanh dao|chi dao|chu tri|phoi hop|thuc hien|tham muu|xay dung|to chuc|trien khai|"
                         r"huong dan|theo doi|can cu|co trach nhiem|chiu trach nhiem)")
_NOT_TASK = re.compile(r"^\W{0,3}(?:nh[a-z]{1,2}n d[a-z]{2,4}\b|da |dang |ban hanh|la |co y kien|nhan thay|gom )")


def _item_tasks(lines: list[TextLine], i: int, off: int, text: str, base: int,
                skip_plain: bool = False, in_tcth: bool = False) -> tuple[list[Task], bool]:
    """Tasks of the item starting on line i, and whether the item is an assignee heading."""
    ln = lines[i]
    rest_key = ln.key[off:]
    lead = _LEAD.match(rest_key.lstrip("*_ "))
    shift = len(rest_key) - len(rest_key.lstrip("*_ "))
    if lead:
        shift += lead.end()
    elif skip_plain:
        return [], False
    abs_start = ln.start + off + shift
    para_end = _paragraph_end(lines, i)
    para = text[abs_start - base:para_end - base]
    all_toks = para.replace("*", " ").split()
    m = match_agency(all_toks)
    # `2. Ban Dân vận Tỉnh ủy` alone, or `2. Đề nghị Ban Tổ chức Tỉnh ủy` alone: the next paragraph is the action
    heading_para = _heading_paragraph(ln, para, all_toks) and (not lead or (m is not None and m.n_tokens == len(all_toks)))
    if m is None:
        if not (heading_para and in_tcth and all_toks and compact(all_toks[0]) in _HEAD_NOUNS
                and all_toks[0][:1].isupper()):
            return [], False
        m = AgencyMatch(canonical_list(_heading_text(para)), "", "heading", len(all_toks), 0.0)
    assignees = [m]
    pos = m.n_tokens
    if heading_para and len(all_toks) > pos and not _VERB_START.match(compact(" ".join(all_toks[pos:pos + 2]))):
        assignees = [AgencyMatch(canonical_list(_heading_text(para)), m.name, m.kind, len(all_toks), m.score)]
        pos = len(all_toks)
    elif not heading_para:
        for _ in range(4):
            if pos >= len(all_toks):
                break
            nxt_toks = all_toks[pos:]
            step = 0
            if compact(nxt_toks[0]) == "va":
                nxt_toks, step = nxt_toks[1:], 1
            elif not all_toks[pos - 1].endswith(","):
                break
            if not nxt_toks or not nxt_toks[0][:1].isupper():
                break  # `…, trung tâm chính trị cấp huyện`: a lower-case class of bodies, not an agency
            nm = match_agency(nxt_toks)
            if nm is None:
                break
            assignees.append(nm)
            pos += step + nm.n_tokens
    # action: for a heading, the next paragraph; else the rest of the sentence
    if heading_para:
        j = i + 1
        while j < len(lines) and (lines[j].blank or lines[j].end <= para_end):
            j += 1
        if j < len(lines):
            mk = _MARKER.match(lines[j].text)
            act_start = lines[j].start + (len(mk.group(0)) if mk else 0)
            act_end = _paragraph_end(lines, j)
        else:
            act_start = act_end = para_end
    else:
        act_start = abs_start + _offset_after_tokens(para, pos)
        act_end = para_end
    action_full = text[act_start - base:act_end - base]
    se = _SENT_END.search(action_full)
    action = action_full[:se.start()] if se else action_full
    action = " ".join(action.replace("*", " ").split()).strip(" :,")
    if not heading_para and _NOT_TASK.match(compact(action) + " "):
        return [], False
    made = [_make(a.text, action, text, act_start - base, act_end - base, abs_start, act_end, heading_para)
            for a in assignees]
    return made, heading_para


def _heading_paragraph(ln: TextLine, para: str, toks: list[str]) -> bool:
    """A numbered item whose paragraph only names who acts (`4. Đảng đoàn MTTQ …, các tổ chức … và Ban …`)."""
    if not _NUMBERED.match(ln.text):
        return False
    body = para.strip().rstrip("*: ")
    if not body or body.endswith((".", ";")) or len(toks) > 40:
        return False
    return True


def _heading_text(para: str) -> str:
    text = " ".join(para.replace("*", " ").split())
    return text.split(";")[0].rstrip(":.; ")


def _offset_after_tokens(text: str, n: int) -> int:
    ms = list(re.finditer(r"\S+", text.replace("*", " ")))
    if n <= 0 or not ms:
        return 0
    if n > len(ms):
        return len(text)
    return ms[n - 1].end()


def _paragraph_end(lines: list[TextLine], i: int) -> int:
    end = lines[i].end
    for j in range(i + 1, min(len(lines), i + 25)):
        ln = lines[j]
        if ln.blank or _MARKER.match(ln.text):
            break
        end = ln.end
    return end


def _make(assignee: str, action: str, text: str, a0: int, a1: int, start: int, end: int,
          heading: bool = False) -> Task:
    role = None
    k = compact(action)
    if _ROLE_CHU_TRI.match(k):
        role = "chủ trì"
    elif _ROLE_PHOI_HOP.match(k):
        role = "phối hợp"
    partners = []
    seg = text[a0:a1]
    segk = key(seg)
    pm = _PHOI_HOP_VOI.search(segk)
    if pm and (role == "chủ trì" or pm.start() < 60):
        # `phối hợp với Sở Tài chính, Công an tỉnh và …`: the agencies listed right after
        toks = seg[pm.end():].replace("*", " ").split()
        for _ in range(6):
            ag = match_agency(toks)
            if ag is None:
                break
            partners.append(ag.text)
            toks = toks[ag.n_tokens:]
            if toks and compact(toks[0]) == "va":
                toks = toks[1:]
            if not toks:
                break
    dls = find_deadlines(seg, segk)
    deadline = next((d.date for d in dls if d.date), None)
    return Task(assignee, role, partners, action, deadline, start, end, heading=heading)


def _inline_tasks(lines: list[TextLine], text: str, base: int) -> list[Task]:
    out: list[Task] = []
    for ln in lines:
        for m in _INLINE.finditer(ln.key):
            if m.start() < 4 and not ln.key[:m.start()].strip(" -*+"):
                continue  # line-initial: handled as an item
            if _NOT_INLINE_BEFORE.search(ln.key[:m.start()]):
                continue
            word = ln.text[m.start():m.start() + 4].lower()
            if word == "giáo" or (word.startswith("gi") and ln.key[m.start():m.start() + 4] == "giao" and word != "giao"):
                continue  # `Tuyên giáo`, `giáo dục`: not the verb `giao`
            tail = text[ln.start - base + m.end():ln.start - base + m.end() + 400]
            toks = tail.split()
            ag = match_agency(toks)
            if ag is None:
                continue
            a0 = ln.start - base + m.end() + _offset_after_tokens(tail, ag.n_tokens)
            rest = text[a0:a0 + 600]
            se = _SENT_END.search(rest)
            action = " ".join((rest[:se.start()] if se else rest).split()).strip(" :,")
            out.append(_make(ag.text, action, text, a0, a0 + (se.start() if se else len(rest)),
                             ln.start + m.end(), base + a0))
    return out


def _merge(tasks: list[Task], exclude: set[str]) -> list[Task]:
    by_key: dict[str, Task] = {}
    order: list[str] = []
    for t in sorted(tasks, key=lambda t: t.start):
        k = assignee_key(t.assignee)
        if not k or (not t.heading and any(k == e or k.startswith(e + " ") for e in exclude)):
            continue
        if k in by_key:
            first = by_key[k]
            if first.role is None and t.role:
                first.role = t.role
            if not first.partners and t.partners:
                first.partners = t.partners
            if first.deadline is None and t.deadline:
                first.deadline = t.deadline
            continue
        by_key[k] = t
        order.append(k)
    return [by_key[k] for k in order]
