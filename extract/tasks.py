"""Assignments: who must do what, in which role, with whom, by when.

Sources: items (bullets, numbered or lettered headings, paragraphs) that open with an agency —
optionally after `Giao`, `Chỉ đạo`, `Đề nghị`, `Yêu cầu` — and `giao …`/`đề nghị …`/`yêu cầu …`
phrases anywhere in the body. One task per assignee: the first mention's action, with the role,
partners and deadline of a later mention where the first has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa import record
from sohoa.extract.agencies import AgencyMatch, canonical_list, match_agency, restore_words
from sohoa.extract.dates import find_deadlines
from sohoa.extract.lines import TextLine
from sohoa.extract.textkey import compact, key, upper_ratio

_MARKER = re.compile(r"^\s*(?:(?:Điều|Dieu|Pieu|ĐIỀU)\s+\d{1,3}\s*[.:]\s*|[-–+•*_]+\s*|\(?\d{1,2}(?:\.\d{1,2})*\s*[.)/]\s*|\(?[a-zđ]\)\s*|[IVX]{1,4}\s*[-.]\s*)+")
_NUMBERED = re.compile(r"^\s*(?:\(?\d{1,2}(?:\.\d{1,2})*\s*[.)/]|[IVX]{1,4}\s*[-.]|[a-zđ]\))\s")
_LEAD = re.compile(r"^\W{0,3}(?:giao(?: cho)?|chi dao|de nghi|yeu cau|phan cong)\s+")
_INLINE = re.compile(r"(?<![a-z])(?<!tuyen )(?:giao(?: cho)?|de nghi|yeu cau|chi dao)\s+(?=[a-z])")
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

    def as_record(self) -> record.Task:
        return record.Task(self.assignee, self.role, list(self.partners), self.action, self.deadline)


def assignee_key(text: str) -> str:
    k = compact(text)
    for a, b in _ABBR_EXPAND:
        k = re.sub(rf"\b{a}\b", b, k)
    return k.replace(" viet nam", "")


def extract_tasks(lines: list[TextLine], text: str, base: int, exclude: set[str]) -> list[Task]:
    """`lines` are the body lines of one document; `text` is the document text starting at `base`."""
    found: list[Task] = []
    tcth = _tcth_index(lines)
    # `Ban Thường vụ Tỉnh ủy yêu cầu:`: the numbered headings after it name who must act, as under TCTH
    asks = next((i for i, ln in enumerate(lines) if _ASKS.search(ln.key.rstrip())), None)
    in_section = False  # inside the items of a heading that names an assignee (`8. Các cơ quan báo chí`)
    addressed: str | None = None  # `1. Đối với Ủy ban nhân dân các huyện`: who the bullets under it are for
    for i, ln in enumerate(lines):
        if ln.blank:
            continue
        prev_blank = i == 0 or lines[i - 1].blank
        mk = _MARKER.match(ln.text)
        numbered = bool(_NUMBERED.match(ln.text))
        if numbered:
            in_section = False
            addressed = _addressed(ln)
            if addressed:
                continue
        if addressed and mk and not numbered:
            # `- Chỉ đạo Phòng Văn hóa …` under `Đối với UBND các huyện`: the addressed body acts
            found.append(_bullet_task(addressed, lines, i, mk.end(), text, base))
            continue
        if not mk and not prev_blank and not _starts_sentence(lines, i):
            continue
        off = mk.end() if mk else len(ln.text) - len(ln.text.lstrip())
        bullet = bool(mk) and not numbered
        tasks, heading = _item_tasks(lines, i, off, text, base, skip_plain=in_section and bullet,
                                     in_tcth=(tcth is not None and i > tcth) or (asks is not None and i > asks))
        if heading:
            in_section = True
        found.extend(tasks)
    found.extend(_inline_tasks(lines, text, base))
    return _merge(found, exclude)


_ASKS = re.compile(r"(?:yeu cau|de nghi|chi dao)\s*:$")
_DOI_VOI = re.compile(r"^\W{0,3}(?:doi voi|giao cho)\s+(?=[a-z])")


def _addressed(ln: TextLine) -> str | None:
    """The body a numbered heading `2. Đối với các sở, ban, ngành` addresses (its bullets are its tasks)."""
    mk = _NUMBERED.match(ln.text)
    if mk is None:
        return None
    rest_key = ln.key[mk.end():]
    m = _DOI_VOI.match(rest_key)
    if m is None:
        return None
    name = ln.text[mk.end() + m.end():].strip().rstrip(":.;")
    if not name[:1].isalpha() or len(name.split()) > 14 or name.endswith(",") or not _names_a_body(name.split()):
        return None
    return canonical_list(name[:1].upper() + name[1:])


def _bullet_task(assignee: str, lines: list[TextLine], i: int, off: int, text: str, base: int) -> Task:
    a0 = lines[i].start + off
    a1 = _paragraph_end(lines, i)
    seg = text[a0 - base:a1 - base]
    se = _SENT_END.search(seg)
    action = " ".join((seg[:se.start()] if se else seg).replace("*", " ").split()).strip(" :,")
    action = action[:1].lower() + action[1:]
    return _make(assignee, action, text, a0 - base, a1 - base, a0, a1)


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
# after a generic head noun, the word that makes it a body: `Các sở`, `Công an`, `Đài Phát thanh`
# (not `Các hoạt động`, `Công tác`, `Đối với tài liệu`)
_SECOND_WORD = {
    "cac": {"so", "ban", "huyen", "dang", "co", "don", "xa", "phong", "truong", "hoi", "doan", "to", "chi", "uy",
            "nganh", "dia", "d", "dong", "bo", "cap", "tinh", "thanh", "quan", "phuong", "thi", "chu", "dai", "bao",
            "trung", "vien", "tong", "cuc", "lien", "hiep", "mat", "ubnd", "hdnd", "bcs", "hoc", "ngan",
            "doanh", "lanh", "thu", "pho", "thuong", "ddbqh", "chuyen", "ca", "nha", "tap"},
    "cong": {"an", "ty", "doan"},
    "dai": {"phat", "truyen"},
}


def _names_a_body(toks: list[str]) -> bool:
    """Whether the tokens open with the name of an agency or group of agencies."""
    if not toks:
        return False
    head = compact(toks[0])
    if head not in _HEAD_NOUNS:
        return False
    need = _SECOND_WORD.get(head)
    if need is None:
        return True
    second = compact(toks[1]).split(" ")[0] if len(toks) > 1 else ""
    return second in need


_VERB_START = re.compile(r"^(?:lanh dao|chi dao|chu tri|phoi hop|thuc hien|tham muu|xay dung|to chuc|trien khai|"
                         r"huong dan|theo doi|can cu|co trach nhiem|chiu trach nhiem)")
_NOT_TASK = re.compile(r"^\W{0,3}(?:nh[a-z]{1,2}n d[a-z]{2,4}\b|da |dang |ban hanh|la |co y kien|nhan thay|gom |"
                       r"thong bao (?:de|cho|den)\b)")


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
    if m is None and (lead or _NUMBERED.match(ln.text)):
        m = _named_before_role(all_toks, any_action=bool(_NUMBERED.match(ln.text)))
    # `2. Ban Dân vận Tỉnh ủy` alone, or `2. Đề nghị Ban Tổ chức Tỉnh ủy` alone: the next paragraph is the action
    heading_para = _heading_paragraph(ln, para, all_toks) and (not lead or (m is not None and m.n_tokens == len(all_toks)))
    if m is None:
        if not (heading_para and in_tcth and _names_a_body(all_toks) and all_toks[0][:1].isupper()):
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


# what an item asks a body to do, as its first words: the name of an unknown body ends before one of these
_ACTION_WORDS = re.compile(
    r"^(?:chu tri|phoi hop|thuc hien|tham muu|co trach nhiem|chiu trach nhiem|lam dau moi|lap|xay dung|to chuc|"
    r"trien khai|ra soat|huong dan|tuyen truyen|kien toan|theo doi|kiem tra|chi dao|don doc|bo tri|nghien cuu|"
    r"de xuat|tang cuong|day manh|van dong|chuan bi|bao cao|cap nhat|hoan thanh|tiep tuc|giam sat|quan triet)$"
)
_ROLE_ONLY = re.compile(r"^(?:chu tri|phoi hop|thuc hien|tham muu|co trach nhiem|chiu trach nhiem|lam dau moi)$")


def _named_before_role(toks: list[str], any_action: bool = False) -> AgencyMatch | None:
    """`Giao Phòng Thông tin - Báo chí - Xuất bản chủ trì …`, `3. Trung tâm Phát triển quỹ đất huyện lập …`:
    a body the gazetteer does not know, named before the role or action it is given (written in lower
    case, unlike the words of a name such as `Ban Chỉ đạo`)."""
    if not toks or not toks[0][:1].isupper() or not _names_a_body(toks):
        return None
    words = _ACTION_WORDS if any_action else _ROLE_ONLY
    for n in range(2, min(len(toks) - 1, 14)):
        if any(t.endswith((".", ";", ":")) for t in toks[:n]):
            return None
        if not toks[n][:1].islower() or toks[n - 1].endswith(","):
            continue
        if words.match(compact(" ".join(toks[n:n + 2]))) or words.match(compact(toks[n])):
            name = " ".join(toks[:n]).rstrip(",;:")
            return AgencyMatch(restore_words(name), "", "named", n, 0.0)
    return None


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
            if m.group(0).startswith("chi") and not _ROLE_ONLY.match(compact(" ".join(toks[ag.n_tokens:ag.n_tokens + 2]))):
                continue  # `chỉ đạo` names an assignee only when a role follows: `chỉ đạo Sở Y tế chủ trì …`
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
    # `exclude` holds the issuer's key and its prefixes: an assignee equal to one of them is the issuer,
    # but only one that extends the whole key is, not `Ủy ban nhân dân các xã` under `Ủy ban nhân dân huyện X`
    whole = {e for e in exclude if not any(o != e and o.startswith(e + " ") for o in exclude)}
    for t in sorted(tasks, key=lambda t: t.start):
        k = assignee_key(t.assignee)
        if not k or (not t.heading and (k in exclude or any(k.startswith(e + " ") for e in whole))):
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
