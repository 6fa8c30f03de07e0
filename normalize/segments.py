"""Segmental decoding: lattice candidates that cover another stretch of the OCR text than one token.

OCR loses spaces (`quyet,,ket` for `quyết, kết`, `BénB` for `Bên B`), adds them inside a syllable
(`thi c` for `thức`) and reads digits for letters (`13` for `là`). The restorer's lattice has one slot
per input token; these candidates live in it as pseudo LM ids (≥ the vocabulary size), each standing
for 0–2 real syllables:

- `merge`: a word for two neighbouring tokens, put in the first slot; the second slot gets its
  `cont` partner, which stands for nothing. A merge must be followed by its `cont`, and a `cont`
  preceded by its merge: every other pair scores −inf in the LM adapter (`SegmentTable`), so the
  second-order Viterbi, whose states are neighbouring pairs, never takes one without the other.
- `split`: two syllables for one token (the punctuation inside it, if any, stays after the first).
- `alt`: a word for a token otherwise fixed (a one- or two-digit number read for a syllable).

Their channel cost is the candidate generator's cost of the joined or cut observed text plus the cost
of the segmentation error itself (MERGE_COST, SPLIT_COST, PUNCT_SPLIT_COST, DIGIT_WORD_COST).
`line_tokens` turns the decoded slots back into tokens, each with the indices of the OCR tokens it
came from (`Token.sources`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sohoa.document import Token
from sohoa.normalize.digits import letter_readings
from sohoa.normalize.slots import _COUNTERS, Slot, _with_case
from sohoa.normalize.vnsyl import is_syllable_shape, nfc, old_style, strip_marks

if TYPE_CHECKING:
    from sohoa.normalize.restorer import Restorer

SEGMENT_MODES = ("garbled", "accentless")  # line modes whose tokens get segment candidates
# A path through a merge has one LM factor fewer than the path through its two tokens, one through a
# split one more: TOKEN_LM_COST, the LM's mean cost of a syllable of the genre (3.5 nats on the dev gold
# lines), is added to each merge and taken off each split, so that neither is favoured for its length.
TOKEN_LM_COST = 3.5
MERGE_COST = 3.0  # nats: OCR put a space inside a syllable (`thi c`); the cont carries TOKEN_LM_COST
SPLIT_COST = 3.5 - TOKEN_LM_COST  # OCR ran two syllables together without a space (`BénB`)
PUNCT_SPLIT_COST = 1.0 - TOKEN_LM_COST  # OCR lost the space after punctuation (`quyet,,ket`); +1 a mark more
DIGIT_WORD_COST = 1.0  # a short number read for a syllable (`13` for `là`) …
DIGIT_LETTER_COST = 2.0  # … plus this for each of its digits read for a letter
MAX_MERGE_CHANNEL = 4.0  # channel cost of the joined text above which a merge is not proposed
MAX_MERGE_CHARS = 8  # joined observed text longer than this is not one syllable
MAX_PIECE = 2  # a merge joins a piece of at most this many characters to its neighbour
MERGE_CANDIDATES = 3  # words proposed per neighbouring pair
MAX_SEGMENT_COST = 9.0  # channel cost above which a joined or cut reading is not proposed
LABEL_DROP_COST = 3.0  # added to the whole-word readings of a word run into a label (`BénB`: bên, not Bên B)
SPLIT_TRIGGER = 3.0  # a token is cut only when no whole-token candidate is cheaper than this
SPLIT_CUTS = 2  # cut points tried per token (the cheapest), each with its 2 × 2 best pieces
PART_CANDIDATES = 4
SEGMENT_K = 2  # segment candidates per slot left for the Viterbi, beside the slot's own PRUNE_K
# punctuation between letters, where OCR lost the space after it: `quyet,,ket`, `nghi,Ser` (other marks
# inside a word, `cu(ic`, `lu'On`, stand for a letter's marks and are the channel's business)
_JUNK_RUN = re.compile(r"(?<=[^\W\d_])[,.;:]+(?=[^\W\d_])")
_KEPT_PUNCT = ",.;:"
_MERGE, _CONT, _SPLIT, _ALT = 1, 2, 3, 4


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str  # merge | cont | split | alt
    ids: tuple[int, ...]  # the real LM ids it stands for (none for cont)
    words: tuple[str, ...]  # the output words, lower case
    partner: int = -1  # merge ↔ cont: the other half's pseudo id
    joint: str = ""  # split: punctuation written after the first word
    cut: tuple[int, int] = (0, 0)  # split: the first piece is core[:cut[0]], the second core[cut[1]:]


class SegmentTable:
    """The segment candidates of one decoding call, and an LM with the same `bigram_logp` /
    `trigram_logp` as TrigramLM that also scores their pseudo ids."""

    def __init__(self, lm: object):
        self.lm = lm
        self.base = len(lm.vocab)  # type: ignore[attr-defined]
        self.segs: list[Segment] = []
        self.merges: list[tuple[Slot, Slot, int, int, str, float]] = []  # left, right, merge id, cont id, word, cost
        self.regular: dict[int, tuple[Slot, tuple[str, int, float]]] = {}  # a cont's slot: its best own reading
        self._arrays: tuple[np.ndarray, ...] | None = None

    def __bool__(self) -> bool:
        return bool(self.segs)

    def add(self, seg: Segment) -> int:
        self.segs.append(seg)
        return self.base + len(self.segs) - 1

    def get(self, i: int) -> Segment | None:
        return self.segs[i - self.base] if i >= self.base else None

    # ---- LM adapter ---------------------------------------------------------------------------
    def _look(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per id: (kind, number of syllables, first, second, partner, last syllable of its context);
        a plain id is one syllable, itself."""
        if self._arrays is None or len(self._arrays[0]) != len(self.segs):
            kinds = {"merge": _MERGE, "cont": _CONT, "split": _SPLIT, "alt": _ALT}
            rows = []
            for seg in self.segs:
                last = self.segs[seg.partner - self.base].ids[-1] if seg.kind == "cont" else seg.ids[-1]
                rows.append((kinds[seg.kind], len(seg.ids), seg.ids[0] if seg.ids else 0,
                             seg.ids[1] if len(seg.ids) > 1 else 0, seg.partner, last))
            self._arrays = tuple(np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
        special = x >= self.base
        j = np.where(special, x - self.base, 0)
        kind, n, first, second, partner, last = self._arrays
        return (np.where(special, kind[j], 0), np.where(special, n[j], 1), np.where(special, first[j], x),
                np.where(special, second[j], 0), np.where(special, partner[j], -1), np.where(special, last[j], x))

    @staticmethod
    def _ok(x: np.ndarray, kx: np.ndarray, px: np.ndarray, y: np.ndarray, ky: np.ndarray, py: np.ndarray) -> np.ndarray:
        """x may stand right before y: a merge only before its cont, a cont only after its merge."""
        return ~((kx == _MERGE) & (y != px)) & ~((ky == _CONT) & (x != py))

    def bigram_logp(self, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        special = (v >= self.base) | (w >= self.base)
        if not special.any():
            return self.lm.bigram_logp(v, w)  # type: ignore[attr-defined]
        out = np.zeros(len(v))
        plain = ~special
        out[plain] = self.lm.bigram_logp(v[plain], w[plain])  # type: ignore[attr-defined]
        v, w = v[special], w[special]
        kv, _nv, _fv, _sv, pv, lv = self._look(v)
        kw, nw, fw, sw, pw, _lw = self._look(w)
        lm = self.lm
        score = np.where(nw >= 1, lm.bigram_logp(lv, fw), 0.0)  # type: ignore[attr-defined]
        two = nw == 2
        if two.any():
            score[two] += lm.bigram_logp(fw[two], sw[two])  # type: ignore[attr-defined]
        out[special] = np.where(self._ok(v, kv, pv, w, kw, pw), score, -math.inf)
        return out

    def trigram_logp(self, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        special = (u >= self.base) | (v >= self.base) | (w >= self.base)
        if not special.any():
            return self.lm.trigram_logp(u, v, w)  # type: ignore[attr-defined]
        out = np.zeros(len(u))
        plain = ~special
        out[plain] = self.lm.trigram_logp(u[plain], v[plain], w[plain])  # type: ignore[attr-defined]
        u, v, w = u[special], v[special], w[special]
        ku, _nu, _fu, _su, pu, lu = self._look(u)
        kv, nv, fv, _sv, pv, lv = self._look(v)
        kw, nw, fw, sw, pw, _lw = self._look(w)
        lm = self.lm
        # the two syllables before w's first: v's last two, or u's last and v's one; a cont in the
        # middle leaves only its merge's word (the merge is u, whose own left is out of reach)
        h1 = lv
        h2 = np.where(nv == 2, fv, lu)
        after_cont = kv == _CONT
        score = np.zeros(len(u))
        tri = (nw >= 1) & ~after_cont
        if tri.any():
            score[tri] = lm.trigram_logp(h2[tri], h1[tri], fw[tri])  # type: ignore[attr-defined]
        bi = (nw >= 1) & after_cont
        if bi.any():
            score[bi] = lm.bigram_logp(h1[bi], fw[bi])  # type: ignore[attr-defined]
        two = nw == 2
        if two.any():
            score[two] += lm.trigram_logp(h1[two], fw[two], sw[two])  # type: ignore[attr-defined]
        ok = self._ok(u, ku, pu, v, kv, pv) & self._ok(v, kv, pv, w, kw, pw)
        out[special] = np.where(ok, score, -math.inf)
        return out


# ---- proposing segments -------------------------------------------------------------------------
def propose(r: Restorer, all_slots: list[list[Slot]], modes: list[str]) -> SegmentTable:
    """Add merge, split and digit-word candidates to the slots of lines in SEGMENT_MODES."""
    table = SegmentTable(r.lm)
    for slots, mode in zip(all_slots, modes, strict=True):
        if mode not in SEGMENT_MODES:
            continue
        for k, s in enumerate(slots):
            if s.kind == "word" and not s.protected:
                if k + 1 < len(slots):
                    _merge(r, table, s, slots[k + 1], mode)
                _split(r, table, s, mode)
            elif s.kind == "fixed" and mode == "garbled" and 0 < k < len(slots) - 1:
                _digit_word(r, table, s, slots[k - 1], slots[k + 1])
    return table


def _suspicious(r: Restorer, s: Slot) -> bool:
    """Not a well-formed known syllable: OCR debris, a stray letter, an unknown word."""
    low = s.keep
    return len(s.core) == 1 or not (s.core.isalpha() and r.lex.is_known(low) and is_syllable_shape(low))


def _append(s: Slot, word: str, pid: int, cost: float) -> None:
    s.words, s.ids, s.costs = (*s.words, word), (*s.ids, pid), (*s.costs, cost)


def _merge(r: Restorer, table: SegmentTable, s: Slot, t: Slot, mode: str) -> None:
    """Words for s and t read as one: OCR cut a syllable into a short piece and the rest (thi c,
    tr uong, dun g, i y)."""
    # a single capital is a label (Bên A) except as a piece of a word in a line in capitals (TO CHU C)
    if t.protected and not (s.upper and len(t.core) == 1):
        return
    # the short piece is no well-formed syllable of its own, and both are letters
    if t.kind != "word" or s.suffix or t.prefix or not (s.core.isalpha() and t.core.isalpha()) \
            or not any(len(p.core) <= MAX_PIECE and _suspicious(r, p) for p in (s, t)):
        return
    obs = nfc((s.core + t.core).lower())
    # a capital after the space starts a word, unless the line is in capitals (Ha NGi, Khu E6)
    if len(obs) > MAX_MERGE_CHARS or (t.core[:1].isupper() and not s.core.isupper()):
        return
    ids, costs = r.gen.generate(obs, mode)
    for i, c in list(zip(ids, costs, strict=True))[:MERGE_CANDIDATES]:
        if c > MAX_MERGE_CHANNEL:
            break
        word = r.lm.vocab[i]
        pm = table.base + len(table.segs)
        table.add(Segment("merge", (i,), (word,), partner=pm + 1))
        table.add(Segment("cont", (), (), partner=pm))
        # the merge's slot carries the channel and error costs, the cont's the LM factor it saves: each
        # slot's pruning then weighs its own part (a free cont would crowd out the token's readings)
        _append(s, word, pm, c + MERGE_COST)
        _append(t, "", pm + 1, TOKEN_LM_COST)
        table.merges.append((s, t, pm, pm + 1, word, c + MERGE_COST))
        table.regular.setdefault(id(t), (t, _best_regular(table, t)))


def _part_candidates(r: Restorer, part: str, mode: str) -> list[tuple[int, float]]:
    """(LM id, cost) of the best readings of one piece of a cut token; a known word as it is."""
    low = old_style(nfc(part.lower()))
    out: list[tuple[int, float]] = []
    if len(part) == 1 and part.isupper():  # a label (the B of `Bên B`), as the restorer protects it
        return [(r.lm.id(low), 0.0)]
    if part.isalpha() and r.lex.is_known(low):
        out.append((r.lm.id(low), 0.0 if is_syllable_shape(low) else 1.5))
    ids, costs = r.gen.generate(nfc(part.lower()), mode)
    for i, c in zip(ids, costs, strict=True):
        if len(out) >= PART_CANDIDATES or c > MAX_SEGMENT_COST:
            break
        if all(i != j for j, _ in out):
            out.append((i, c))
    return out


def _split(r: Restorer, table: SegmentTable, s: Slot, mode: str) -> None:
    """Two syllables for one token that OCR ran together (quyet,,ket, BénB, tuyentruyen)."""
    core = s.core
    if len(core) < 3 or not _suspicious(r, s):
        return
    # only when none of the token's own readings (the keep aside; no segments) is cheap
    if min((c for i, c in zip(s.ids[1:], s.costs[1:], strict=True) if i < table.base), default=math.inf) \
            <= SPLIT_TRIGGER:
        return
    junk = _JUNK_RUN.search(core)
    if junk is not None:
        mark = junk.group(0)
        joint = mark[0] if mark[0] in _KEPT_PUNCT else ""
        cuts = [(junk.start(), junk.end(), joint, PUNCT_SPLIT_COST + len(mark) - 1)]
    elif core.isalpha():
        # a capital inside the token marks where the space was (BénB); a Title-case token is a name or
        # a sentence's first word (Lénin) and is not cut; a lower-case one may be cut anywhere
        inner = [p for p in range(1, len(core)) if core[p].isupper()]
        if inner:
            cuts = [(p, p, "", SPLIT_COST) for p in inner]
            if inner == [len(core) - 1] and core[0].isupper() and core[-2].islower():
                # a Title-case word and a label run together (BénB): a whole-word reading would drop the
                # label's letter (a capital after small letters is more often a garbled letter: nhiL, dOng)
                s.costs = tuple(c if w == s.keep else c + LABEL_DROP_COST
                                for w, c in zip(s.words, s.costs, strict=True))
        elif core[0].isupper():
            return
        else:  # syllables of one letter (a, ý, ở) seldom run into a neighbour: pieces of two or more
            cuts = [(p, p, "", SPLIT_COST) for p in range(2, len(core) - 1)]
    else:
        return
    scored = []
    for a, b, joint, cost in cuts:
        left, right = _part_candidates(r, core[:a], mode), _part_candidates(r, core[b:], mode)
        if left and right:
            scored.append((left[0][1] + right[0][1] + cost, a, b, joint, cost, left, right))
    scored.sort(key=lambda x: x[0])
    vocab = r.lm.vocab
    for _, a, b, joint, cost, left, right in scored[:SPLIT_CUTS]:
        for i, ci in left:
            for j, cj in right:
                total = ci + cj + cost
                if ci + cj <= MAX_SEGMENT_COST:
                    pid = table.add(Segment("split", (i, j), (vocab[i], vocab[j]), joint=joint, cut=(a, b)))
                    _append(s, vocab[i] + " " + vocab[j], pid, total)


def _digit_word(r: Restorer, table: SegmentTable, s: Slot, prev: Slot, nxt: Slot) -> None:
    """A one- or two-digit number between words, not after a word numbers follow (Điều, tháng)."""
    if not (s.core.isdigit() and len(s.core) <= 2 and not s.prefix and prev.kind == "word" and nxt.kind == "word"):
        return
    if prev.suffix or strip_marks(prev.core.lower()).replace("đ", "d") in _COUNTERS:
        return
    # every reading of its digits as the letters they are taken for (DIGIT_AS_LETTER) that is a syllable
    # and the channel's best readings
    found = {w: DIGIT_LETTER_COST * len(s.core) for w in letter_readings(s.core)
             if is_syllable_shape(w) and r.lex.is_known(w)}
    ids, costs = r.gen.generate(s.core, "garbled")
    for i, c in list(zip(ids, costs, strict=True))[:MERGE_CANDIDATES]:
        word = r.lm.vocab[i]
        if c <= MAX_SEGMENT_COST + DIGIT_WORD_COST and is_syllable_shape(word):
            found[word] = min(c, found.get(word, math.inf))
    for word, c in found.items():
        pid = table.add(Segment("alt", (r.lm.id(word),), (word,)))
        _append(s, word, pid, c + DIGIT_WORD_COST)


def prune_ranks(table: SegmentTable, ids: np.ndarray, order: np.ndarray, starts: np.ndarray, k: np.ndarray,
                regular_k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the restorer's pruning: each candidate's rank among its slot's own readings or among its
    segment candidates (`order` sorts the candidates by slot, then score; slot i holds sorted positions
    starts[i] … starts[i] + k[i] - 1), and the quota of its kind, so that segments never crowd out a
    token's own readings."""
    seg_sorted = ids[order] >= table.base
    c_seg = np.cumsum(seg_sorted)
    c_reg = np.cumsum(~seg_sorted)
    block = np.repeat(starts, k)
    before_seg = np.concatenate([[0], c_seg])[block]
    before_reg = np.concatenate([[0], c_reg])[block]
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.where(seg_sorted, c_seg - 1 - before_seg, c_reg - 1 - before_reg)
    # a cont is no reading of its own: it stays exactly when its merge does (`repair` puts it back)
    kind = table._look(ids)[0]
    return rank, np.where(kind == _CONT, 0, np.where(ids >= table.base, SEGMENT_K, regular_k))


def _best_regular(table: SegmentTable, s: Slot) -> tuple[str, int, float]:
    """The slot's cheapest candidate that is no segment (word, id, cost)."""
    return min(((w, i, c) for w, i, c in zip(s.words, s.ids, s.costs, strict=True) if i < table.base),
               key=lambda x: x[2])


def repair(table: SegmentTable) -> None:
    """After pruning (which keeps no cont): every merge kept gets its cont back, and a slot left with
    conts only gets its best own reading back (the merge is a choice, not a must)."""
    for s, t, pm, pc, word, cost in table.merges:
        has_m, has_c = pm in s.ids, pc in t.ids
        if has_m and not has_c:
            _append(t, "", pc, TOKEN_LM_COST)
        elif has_c and not has_m:
            _append(s, word, pm, cost)
    for t, (word, i, cost) in table.regular.values():
        if all(x >= table.base for x in t.ids):
            _append(t, word, i, cost)


# ---- output -------------------------------------------------------------------------------------
_ONE = [(i,) for i in range(256)]


def _one(k: int) -> tuple[int, ...]:
    return _ONE[k] if k < len(_ONE) else (k,)


def line_tokens(r: Restorer, slots: list[Slot], table: SegmentTable | None) -> list[Token]:
    """The restored tokens of one decoded line, each with the OCR tokens it came from."""
    out: list[Token] = []
    for k, s in enumerate(slots):
        seg = table.get(s.ids[s.choice]) if table and s.ids else None
        if seg is None:
            tok = r._token(s)
            tok.sources = _one(k)
            out.append(tok)
        elif seg.kind == "merge":
            t = slots[k + 1]
            text = s.prefix + _with_case(seg.words[0], s.core + t.core, s.upper) + t.suffix
            out.append(Token(text, s.original + " " + t.original, s.conf, True, (k, k + 1)))
        elif seg.kind == "split":
            a, b = seg.cut
            first = s.prefix + _with_case(seg.words[0], s.core[:a], s.upper) + seg.joint
            second = _with_case(seg.words[1], s.core[b:], s.upper) + s.suffix
            out.append(Token(first, s.prefix + s.core[:b], s.conf, True, _one(k)))
            out.append(Token(second, s.core[b:] + s.suffix, s.conf, True, _one(k)))
        elif seg.kind == "alt":
            text = s.prefix + _with_case(seg.words[0], s.core, s.upper) + s.suffix
            out.append(Token(text, s.original, s.conf, True, _one(k)))
        # a cont: its text went into the merge before it
    return drop_page_furniture(drop_stray_bullet(out))


# what an engine makes of a list bullet (•, ●, ▪) at the start of a line
STRAY_BULLETS = frozenset({"e", "°", "«", "¢", "©", "®", "•", "●", "▪", "", "·"})


def starts_with_stray_bullet(originals: list[str]) -> bool:
    """A line that opens with a lone bullet misread (`e Bảo hành 12 tháng`): one such character
    before a capitalised word, with more of the line after it."""
    return len(originals) >= 3 and originals[0] in STRAY_BULLETS and originals[1][:1].isupper()


def drop_stray_bullet(tokens: list[Token]) -> list[Token]:
    """The misread bullet is dropped from the text: the next token takes its OCR word as a source
    too (as a merge does), so boxes and review highlights keep covering it."""
    if not starts_with_stray_bullet([t.source for t in tokens]):
        return tokens
    _absorb(tokens[1], tokens[0], after=False)
    return tokens[1:]


# table rules and heading underlines read as text: `|` (a column rule), `—_—_` or `___` (a rule under a heading)
_FURNITURE = re.compile(r"\|+|[_—–-]*_[_—–-]*")
_FURNITURE_FIRST = frozenset("|_—–-")


def is_page_furniture(original: str) -> bool:
    return original[:1] in _FURNITURE_FIRST and _FURNITURE.fullmatch(original) is not None \
        and original not in ("-", "—", "–")


def _drops_furniture(originals: list[str]) -> bool:
    """Some tokens of the line are page rules and some are not (a line of rules alone stays)."""
    rules = [is_page_furniture(o) for o in originals]
    return any(rules) and not all(rules)


def has_dropped_marks(originals: list[str]) -> bool:
    """Whether line_tokens drops a token of this line (a misread bullet, a table rule)."""
    return starts_with_stray_bullet(originals) or _drops_furniture(originals)


def drop_page_furniture(tokens: list[Token]) -> list[Token]:
    """Rules of the page read as tokens are dropped from the text of a line that has words: the token
    before (or, at the line's start, after) takes the rule's OCR word as a source too."""
    if not _drops_furniture([t.source for t in tokens]):
        return tokens
    out: list[Token] = []
    pending: list[Token] = []  # rules at the start of the line, before any kept token
    for t in tokens:
        if is_page_furniture(t.source):
            if out:
                _absorb(out[-1], t, after=True)
            else:
                pending.append(t)
            continue
        for p in reversed(pending):
            _absorb(t, p, after=False)
        pending = []
        out.append(t)
    return out


def _absorb(keep: Token, dropped: Token, after: bool) -> None:
    """`keep` takes the OCR word of a token dropped beside it as a source too (boxes and highlights
    keep covering it)."""
    keep.sources = tuple(sorted(set(keep.sources) | set(dropped.sources)))
    keep.source = keep.source + " " + dropped.source if after else dropped.source + " " + keep.source
    keep.changed = True
