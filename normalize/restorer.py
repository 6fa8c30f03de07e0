"""Noisy-channel restorer: candidates from the OCR channel model, Viterbi decoding with the trigram LM.

All lines of one call are decoded as one token sequence, so the LM context runs across line
breaks; tokens that must not change (numbers, document codes, e-mails, punctuation) stay fixed.
"""

from __future__ import annotations

import gc
import math
import os
import re
from itertools import chain
from operator import itemgetter

import numpy as np

from sohoa.document import Token
from sohoa.normalize.adapt import adapted_params, evidence, first_readings
from sohoa.normalize.candidates import CandidateGenerator, Lexicon
from sohoa.normalize.channel import Channel, load_channel
from sohoa.normalize.codes import CodeRestorer
from sohoa.normalize.digits import fix_digit_confusions
from sohoa.normalize.lm import BOS, NUM, OTHER, TrigramLM
from sohoa.normalize.protect import Protection, protect
from sohoa.normalize.rescore4 import rescore_fourgram
from sohoa.normalize.segments import (
    SEGMENT_MODES,
    SegmentTable,
    has_dropped_marks,
    line_tokens,
    propose,
    prune_ranks,
    repair,
)
from sohoa.normalize.slots import (
    Slot,
    _numbers_after_counters,
    _with_case,
    classify_core,
    read_list_number,
    read_roman_numerals,
    split_token,
)
from sohoa.normalize.vnsyl import has_marks, is_skeleton_shape, is_syllable_shape, nfc, old_style
from sohoa.resources import KINDS, MissingResourceError
from sohoa.resources import check as check_resources

_HAS_LETTER_AND_SEP = re.compile(r"[A-Za-zĐđ].*[/-]|[/-].*[A-Za-zĐđ]")

LM_WEIGHT = 1.0
ADAPT_ROUNDS = 1  # learn each input's own OCR confusions from a first pass and decode it again (normalize.adapt)
OOV_PENALTY = 9.0  # keeping a token that is not a known word, in a line being restored
# in a line read with its marks an unknown word is more often a name than OCR debris (SUN, Nishi)
OOV_PENALTY_PROOFREAD = 6.0
NON_SYLLABLE_KEEP = 3.0  # keeping a known word that is not a Vietnamese syllable
PRUNE_K = 4  # candidates per token left for the trigram Viterbi
PRUNE_K_GARBLED = 6  # … in a garbled line (`déng`: động, đồng, đông, dông, đóng are cheaper than đảng)
PRUNE_MARGIN = 7.0  # candidates this far (nats) below the best in the bigram pre-pass are dropped
CASE_WEIGHT = 0.5  # weight of log P(capitalised | syllable) for capitalised tokens inside a sentence
_STOPS = (".", ":", ";", "!", "?", "…")
MEMO_LIMIT = 200_000  # entries per memo before it is cleared (bounds memory on endless input)
NEAR_SYLLABLE_COST = 4.0  # channel cost (nats) within which a word of a marks-less line is garbled Vietnamese
PROOFREAD_DOC_SHARE = 0.5  # input with this share of proofread lines: its accentless lines are proofread
PLAIN_DEBRIS_SHARE = 0.01  # at most this share of garbled-looking words for accentless text to be "plain"


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + n) for each (s, n)."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total) - np.repeat(offsets - starts, lengths)


class Restorer:
    def __init__(self, model_dir: str | None = None):
        """`model_dir` None: the installed models (`sohoa.resources`, SOHOA_RESTORE_MODELS overrides).
        Raises MissingResourceError naming the file when a model file is missing or unreadable."""
        if model_dir is None:
            model_dir = str(check_resources("models"))
        else:
            for name in ("restore_lm.npz", "restore_vocab.json"):  # a hand-made folder may lack the channel
                if not os.access(os.path.join(model_dir, name), os.R_OK):
                    raise MissingResourceError("model file not found or not readable",
                                               path=os.path.join(model_dir, name), remedy=KINDS["models"].remedy)
        self.lm = TrigramLM(model_dir)
        self.lex = Lexicon(self.lm)
        self.channel = load_channel(model_dir)
        self.codes = CodeRestorer.load(model_dir)
        self.gen = CandidateGenerator(self.lex, self.channel)
        self.protection = Protection(self.lex, self.codes)
        self.bos_id = self.lm.id(BOS)
        self._lmx: TrigramLM | SegmentTable = self.lm  # the LM of the current call, with its segment candidates
        self._table: SegmentTable | None = None
        case_path = os.path.join(model_dir, "restore_case.npy")
        self.log_cap = np.load(case_path).astype(np.float64) if os.path.exists(case_path) else None
        # per-string memos: running text repeats its tokens, so most of the Python work is done once
        self._token_memo: dict[str, tuple[str, str, str, str]] = {}
        self._word_memo: dict[str, tuple[bool, bool, bool, bool, bool]] = {}
        self._case_memo: dict[str, tuple[int, int]] = {}
        self._carry: dict[tuple[int, int], str] = {}  # (line, token) → reading of the first pass (adaptation)
        self._cand_memo: dict[tuple[str, str, str], tuple[str, tuple[str, ...], tuple[int, ...], tuple[float, ...]]] = {}

    def _split(self, tok: str) -> tuple[str, str, str, str]:
        """(prefix, core, suffix, kind) of one whitespace token, memoised."""
        got = self._token_memo.get(tok)
        if got is None:
            if len(self._token_memo) > MEMO_LIMIT:
                self._token_memo.clear()
            prefix, core, suffix = split_token(tok)
            got = self._token_memo[tok] = (prefix, core, suffix, classify_core(core, suffix))
        return got

    def _letter_counts(self, word: str) -> tuple[int, int]:
        """(letters, upper-case letters) of a word token, memoised."""
        got = self._case_memo.get(word)
        if got is None:
            if len(self._case_memo) > MEMO_LIMIT:
                self._case_memo.clear()
            letters = [c for c in word if c.isalpha()]
            got = self._case_memo[word] = (len(letters), sum(c.isupper() for c in letters))
        return got

    def _word_features(self, word: str) -> tuple[bool, bool, bool, bool, bool]:
        """(known, marked, skeleton-shaped, has a digit, looks like OCR debris) of a word token, memoised."""
        got = self._word_memo.get(word)
        if got is None:
            if len(self._word_memo) > MEMO_LIMIT:
                self._word_memo.clear()
            low = old_style(word.lower())
            got = self._word_memo[word] = (
                self.lex.is_known(low),
                has_marks(low),
                word.isalpha() and is_skeleton_shape(low),
                any(c.isdigit() for c in word),
                not word.isalpha() or (has_marks(word) and not is_syllable_shape(word)),
            )
        return got

    # ---- line modes -------------------------------------------------------------------------
    def line_mode(self, slots: list[Slot]) -> str:
        """proofread | accentless | garbled | foreign | empty, from the line's word tokens
        (restore_tokens may then turn accentless into plain, proofread into garbled, from the whole input)."""
        feats = [self._word_features(s.core) for s in slots if s.kind == "word"]
        if not feats:
            return "empty"
        marked = sum(f[1] for f in feats)
        shaped = sum(f[2] for f in feats)
        n = len(feats)
        garbled = sum(f[3] for f in feats)  # s6, 16n, 1am: digit-for-letter OCR
        if marked == 0 and shaped + garbled < 0.5 * n:
            # letters an engine without Vietnamese garbled (Ludt, ndm, ct) are close to syllables;
            # English or French words are not
            near = sum(self._near_syllable(s.core) for s in slots if s.kind == "word")
            if near < 0.5 * n:
                return "foreign"
            return "garbled"
        # whether OCR read the marks is judged on the words that look Vietnamese: names and English
        # words of the line (Kobayashi, Landmark, T13) have no marks to read
        viet = [f for f in feats if f[0] or f[1] or f[2]]
        if viet and sum(f[0] for f in viet) >= 0.75 * len(viet) and marked >= 0.35 * len(viet):
            return "proofread"
        return "accentless" if marked <= 0.1 * n else "garbled"

    def _near_syllable(self, word: str) -> bool:
        ids, costs = self.gen.generate(nfc(word.lower()), "garbled")
        return bool(costs) and min(costs) <= NEAR_SYLLABLE_COST

    # ---- candidates -------------------------------------------------------------------------
    def _fill_candidates(self, slot: Slot, mode: str) -> None:
        key = (slot.kind, slot.core, mode)
        got = self._cand_memo.get(key)
        if got is None:
            if len(self._cand_memo) > MEMO_LIMIT:
                self._cand_memo.clear()
            got = self._cand_memo[key] = self._candidates(slot.kind, slot.core, mode)
        slot.keep, slot.words, slot.ids, slot.costs = got

    def _candidates(
        self, kind: str, core: str, mode: str
    ) -> tuple[str, tuple[str, ...], tuple[int, ...], tuple[float, ...]]:
        """(keep, candidate words, their LM ids, their channel costs) of one token core in a line mode."""
        if kind != "word" or mode in ("foreign", "empty"):
            # a document code (46-KH/BTGTU, 4211/VP-KGVX) has letters: the LM was trained with it as
            # OTHER (normalize.lm.lm_token), and `số` before OTHER is what the corpus says
            is_num = core[:1].isdigit() and not any(c.isalpha() for c in core)
            unit = core.lower() if kind == "word" else (NUM if is_num else OTHER)
            return unit, (unit,), (self.lm.id(old_style(unit)),), (0.0,)
        obs = nfc(core.lower())
        keep = old_style(obs)
        ids, costs = self.gen.generate(obs, mode)
        if not (obs.isalpha() and self.lex.is_known(keep)):
            name_like = core.islower() or core.isupper() or core.istitle()  # not OCR's `phUC`
            keep_cost = OOV_PENALTY_PROOFREAD if mode == "proofread" and name_like else OOV_PENALTY
        elif is_syllable_shape(keep):
            keep_cost = 0.0
        else:  # known but not a Vietnamese syllable (b, coa, ubnd): OCR debris as often as an acronym
            keep_cost = NON_SYLLABLE_KEEP
        words = [keep]
        id_list = [self.lm.id(keep)]
        cost_list = [keep_cost]
        for i, c in zip(ids, costs, strict=True):
            w = self.lm.vocab[i]
            if w != keep:
                words.append(w)
                id_list.append(i)
                cost_list.append(c)
        return keep, tuple(words), tuple(id_list), tuple(cost_list)

    # ---- decoding ---------------------------------------------------------------------------
    def _prune(self, seq: list[Slot]) -> None:
        """Keep at most PRUNE_K candidates per slot, and only those near the best, scored with their best
        left and right bigram neighbours: cheap (K² look-ups) and the trigram lattice gets much smaller."""
        sizes = np.array([len(s.ids) for s in seq], dtype=np.int64)
        if not len(sizes) or sizes.max() <= 1:
            return
        # flat candidate arrays with a BOS slot in front: position t of seq is t + 1 here
        flat_ids = np.fromiter(chain.from_iterable(s.ids for s in seq), dtype=np.int64, count=int(sizes.sum()))
        flat_ids = np.concatenate([[self.bos_id], flat_ids])
        ext_sizes = np.concatenate([[1], sizes])
        first = np.concatenate([[0], np.cumsum(ext_sizes)[:-1]])
        costs = np.fromiter(chain.from_iterable(s.costs for s in seq), dtype=np.float64, count=int(sizes.sum()))
        costs = np.concatenate([[0.0], costs])
        crowded = np.flatnonzero(sizes > 1) + 1
        score = np.zeros(len(flat_ids))

        # every bigram between neighbouring slots one of which is crowded, looked up once, in a padded
        # (boundary, left candidate, right candidate) grid
        is_crowded = ext_sizes > 1
        bnd = np.flatnonzero(is_crowded[:-1] | is_crowded[1:])  # boundary b: between slots b and b + 1
        kl, kr = ext_sizes[bnd], ext_sizes[bnd + 1]
        n_pairs = kl * kr
        r = np.arange(int(n_pairs.sum())) - np.repeat(np.cumsum(n_pairs) - n_pairs, n_pairs)
        kr_p = np.repeat(kr, n_pairs)
        li, ri = r // kr_p, r % kr_p
        lp = self._lmx.bigram_logp(flat_ids[np.repeat(first[bnd], n_pairs) + li],
                                 flat_ids[np.repeat(first[bnd + 1], n_pairs) + ri])
        M = int(ext_sizes.max())
        grid = np.full((len(bnd), M, M), -np.inf, dtype=lp.dtype)
        grid[np.repeat(np.arange(len(bnd)), n_pairs), li, ri] = lp
        best_right = grid.max(axis=2)  # per left candidate: its best right neighbour
        best_left = grid.max(axis=1)  # per right candidate: its best left neighbour
        boundary_of = np.full(len(ext_sizes), -1, dtype=np.int64)
        boundary_of[bnd] = np.arange(len(bnd))
        k = ext_sizes[crowded]
        x = _ranges(first[crowded], k)
        cand = _ranges(np.zeros_like(k), k)  # index of each candidate within its slot
        left = best_left[np.repeat(boundary_of[crowded - 1], k), cand]
        score[x] += np.where(np.isfinite(left), left, 0.0)
        has_right = np.repeat(crowded < len(ext_sizes) - 1, k)
        right = best_right[np.repeat(boundary_of[np.minimum(crowded, len(ext_sizes) - 2)], k), cand]
        score[x] += np.where(has_right & np.isfinite(right), right, 0.0)
        total = score * math.log(10) - costs
        # per crowded slot: rank candidates by score (ties: earlier first), keep the top PRUNE_K within
        # PRUNE_MARGIN of the best
        k = ext_sizes[crowded]
        x = _ranges(first[crowded], k)
        slot_of = np.repeat(np.arange(len(crowded)), k)
        local = total[x]
        order = np.lexsort((x, -local, slot_of))
        starts = np.cumsum(k) - k
        rank = np.empty(len(x), dtype=np.int64)
        rank[order] = np.arange(len(x)) - np.repeat(starts, k)
        # a garbled token's channel is unsure of its letters: more of its readings go on to the trigrams
        limit: np.ndarray = np.repeat(np.array([PRUNE_K_GARBLED if seq[c - 1].mode == "garbled" else PRUNE_K
                                                for c in crowded.tolist()], dtype=np.int64), k)
        if self._table is not None:  # segment candidates have their own, smaller quota
            rank, limit = prune_ranks(self._table, flat_ids[x], order, starts, k, limit)
        best = np.maximum.reduceat(local, starts)
        kept = (rank < limit) & (local >= np.repeat(best, k) - PRUNE_MARGIN)
        n_kept = np.add.reduceat(kept.astype(np.int64), starts)
        kept_list, starts_list, k_list, crowded_list = kept.tolist(), starts.tolist(), k.tolist(), crowded.tolist()
        for c in np.flatnonzero(n_kept < k).tolist():
            o = starts_list[c]
            slot = seq[crowded_list[c] - 1]
            if n_kept[c] == 0:  # its best was a merge's cont (never kept here): segments.repair refills it
                slot.words, slot.ids, slot.costs = (), (), ()
                continue
            pick = itemgetter(*[i for i in range(k_list[c]) if kept_list[o + i]])
            if n_kept[c] == 1:  # itemgetter of one index returns the item, not a tuple
                slot.words, slot.ids, slot.costs = (pick(slot.words),), (pick(slot.ids),), (pick(slot.costs),)
            else:
                slot.words, slot.ids, slot.costs = pick(slot.words), pick(slot.ids), pick(slot.costs)

    def _viterbi(self, seq: list[Slot]) -> None:
        """Second-order Viterbi; every trigram of the lattice is scored in one batched LM call.

        Where two neighbouring tokens both have a single candidate the best path is cut in two, so the
        runs of positions between such cuts are decoded independently: all runs at once, one numpy step
        per position within a run, their lattices padded to the largest candidate count."""
        if not seq:
            return
        ids = [(self.bos_id,), (self.bos_id,)] + [s.ids for s in seq]
        sizes = np.array([len(x) for x in ids], dtype=np.int64)
        flat_ids = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(sizes.sum()))
        flat_costs = np.array([0.0, 0.0] + [c for s in seq for c in s.costs])
        first = np.concatenate([[0], np.cumsum(sizes)[:-1]])  # offset of each position in flat_ids
        scale = LM_WEIGHT * math.log(10)
        choice = np.zeros(len(ids), dtype=np.int64)
        A, B, C = sizes[:-2], sizes[1:-1], sizes[2:]
        act = np.flatnonzero(A * B * C > 1) + 2  # positions whose trigram has a choice in it
        if len(act):
            self._decode_runs(act, sizes, flat_ids, flat_costs, first, scale, choice)
        path = choice.tolist()
        for k, s in enumerate(seq):
            s.choice = path[k + 2]
        # a 4-gram LM (not with segment candidates: their pseudo ids are no 4-gram units)
        if self.lm.k4 is not None and self._table is None and rescore_fourgram(self.lm, seq, self.bos_id, scale):
            path = [0, 0] + [s.choice for s in seq]
        self._confidences(seq, flat_ids, first, sizes, path, flat_costs, scale)

    def _decode_runs(
        self, act: np.ndarray, sizes: np.ndarray, flat_ids: np.ndarray, flat_costs: np.ndarray, first: np.ndarray,
        scale: float, choice: np.ndarray,
    ) -> None:
        """Best candidate of every position in `act` (sorted positions ≥ 2), written into `choice`."""
        brk = np.flatnonzero(np.diff(act) != 1) + 1
        run_start = act[np.concatenate([[0], brk])]
        run_len = np.diff(np.concatenate([[0], brk, [len(act)]]))
        by_len = np.argsort(-run_len, kind="stable")  # longest first: the runs alive at a step are a prefix
        rank = np.empty_like(by_len)
        rank[by_len] = np.arange(len(by_len))
        n_steps = int(run_len.max())
        alive = np.bincount(run_len - 1, minlength=n_steps)[::-1].cumsum()[::-1]  # runs alive at each step
        step_off = np.cumsum(alive) - alive
        run_of = np.repeat(np.arange(len(run_len)), run_len)
        row = step_off[act - run_start[run_of]] + rank[run_of]  # step-major row of each active position
        M = int(sizes.max())
        tA, tB, tC = sizes[act - 2], sizes[act - 1], sizes[act]
        n_tri = tA * tB * tC
        r = np.arange(int(n_tri.sum())) - np.repeat(np.cumsum(n_tri) - n_tri, n_tri)
        pos = np.repeat(act, n_tri)
        Bp, Cp = np.repeat(tB, n_tri), np.repeat(tC, n_tri)
        a, b, c = r // (Bp * Cp), (r // Cp) % Bp, r % Cp
        lp = self._lmx.trigram_logp(flat_ids[first[pos - 2] + a], flat_ids[first[pos - 1] + b], flat_ids[first[pos] + c])
        lp = lp * scale
        lm_score = np.full((len(act), M, M, M), -np.inf, dtype=lp.dtype)
        lm_score[np.repeat(row, n_tri), a, b, c] = lp
        cost = np.zeros((len(act), M))
        cost[np.repeat(row, tC), _ranges(np.zeros_like(tC), tC)] = flat_costs[_ranges(first[act], tC)]
        # a run starts after two single-candidate positions: one state, score 0
        delta = np.full((int(alive[0]), M, M), -np.inf)
        delta[:, 0, 0] = 0.0
        backs = []
        last_i = np.zeros(len(run_len), dtype=np.int64)  # best final state of each run (by rank)
        last_j = np.zeros(len(run_len), dtype=np.int64)
        for step in range(n_steps):
            n, o = int(alive[step]), int(step_off[step])
            cand = delta[:n, :, :, None] + lm_score[o:o + n] - cost[o:o + n, None, None, :]
            back = cand.argmax(axis=1)
            delta = np.take_along_axis(cand, back[:, None], axis=1)[:, 0]
            backs.append(back)
            n_next = int(alive[step + 1]) if step + 1 < n_steps else 0
            if n_next < n:  # runs ending here: their best final state
                best = delta[n_next:n].reshape(n - n_next, -1).argmax(axis=1)
                last_i[n_next:n], last_j[n_next:n] = best // M, best % M
        starts_by_rank = run_start[by_len]
        for step in range(n_steps - 1, -1, -1):
            n = int(alive[step])
            i, j = last_i[:n], last_j[:n]
            choice[starts_by_rank[:n] + step] = j
            h = backs[step][np.arange(n), i, j]
            last_i[:n], last_j[:n] = h, i.copy()

    def _confidences(
        self, seq: list[Slot], flat_ids: np.ndarray, first: np.ndarray, sizes: np.ndarray, path: list[int],
        flat_costs: np.ndarray, scale: float,
    ) -> None:
        """Posterior-like confidence of each choice, its neighbours fixed to the best path."""
        T = len(sizes)
        amb = np.flatnonzero(sizes > 1)
        if not len(amb):
            return
        end = self.bos_id  # stands in for the positions after the last token
        chosen = np.concatenate([flat_ids[first + np.array(path)], [end, end]])
        n_cand = sizes[amb]
        x = _ranges(first[amb], n_cand)
        amb_rep = np.repeat(amb, n_cand)
        cand = flat_ids[x]
        p2, p1, n1, n2 = chosen[amb_rep - 2], chosen[amb_rep - 1], chosen[amb_rep + 1], chosen[amb_rep + 2]
        logp = self._lmx.trigram_logp(np.concatenate([p2, p1, cand]), np.concatenate([p1, cand, n1]),
                                    np.concatenate([cand, n1, n2])).reshape(3, -1)
        logp = logp.astype(np.float64)
        scores = (logp[0] + np.where(amb_rep + 1 < T, logp[1], 0.0)) + np.where(amb_rep + 2 < T, logp[2], 0.0)
        scores = scores * scale - flat_costs[x]
        starts = np.cumsum(n_cand) - n_cand
        best = np.maximum.reduceat(scores, starts)
        e = np.exp(scores - np.repeat(best, n_cand))
        conf = e[starts + np.array(path)[amb]] / np.add.reduceat(e, starts)
        for t, value in zip(amb.tolist(), conf.tolist(), strict=True):
            seq[t - 2].conf = round(value, 4)

    # ---- public -----------------------------------------------------------------------------
    def restore_tokens(self, lines: list[str]) -> list[list[Token]]:
        """The restored tokens of every line, each with the indices of the line's tokens it came from."""
        all_slots = self._decode(lines)
        return [line_tokens(self, slots, self._table) for slots in all_slots]

    def _decode(self, lines: list[str]) -> list[list[Slot]]:
        """The slots of every line, each with its candidates and the decoded choice."""
        # Decoding makes no reference cycles, while the memos and caches hold many objects: the cyclic
        # garbage collector would scan them all again and again (≈ 10 % of the time) for nothing.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            all_slots = self._decode_lines(lines)
            for _ in range(ADAPT_ROUNDS):
                params = adapted_params(self.channel.p, evidence(all_slots, self._table.base if self._table else None))
                if params is None:
                    break
                all_slots = self._decode_adapted(lines, Channel(params), all_slots)
            return all_slots
        finally:
            if was_enabled:
                gc.enable()

    def _decode_adapted(self, lines: list[str], channel: Channel, first: list[list[Slot]]) -> list[list[Slot]]:
        """Decode again with a document's own channel; the trained one and its memos come back after.
        Each token keeps its first reading as a candidate: cheaper look-alikes must not crowd it out."""
        saved = self.channel, self.gen, self._cand_memo
        self.channel, self.gen, self._cand_memo = channel, CandidateGenerator(self.lex, channel), {}
        self._carry = first_readings(first, self._table.base if self._table is not None else None)
        try:
            return self._decode_lines(lines)
        finally:
            self.channel, self.gen, self._cand_memo = saved
            self._carry = {}

    def _carry_reading(self, s: Slot, word: str | None, mode: str) -> None:
        if word is None or word in s.words:
            return
        cost = self.gen.channel_for(mode).costs([word], nfc(s.core.lower()))[0]
        if math.isfinite(cost):
            s.words, s.ids, s.costs = (*s.words, word), (*s.ids, self.lm.id(word)), (*s.costs, cost)

    def _decode_lines(self, lines: list[str]) -> list[list[Slot]]:
        all_slots: list[list[Slot]] = []
        split = self._split
        for li, line in enumerate(lines):
            slots = [Slot(li, *split(tok)) for tok in nfc(line).split()]
            _numbers_after_counters(slots)
            read_roman_numerals(slots)
            read_list_number(slots)
            all_slots.append(slots)
        modes = [self.line_mode(slots) for slots in all_slots]
        # In a document OCR mostly garbled, its well-formed-looking lines are garbled too (vé, hién…).
        sizable = [m for m, sl in zip(modes, all_slots, strict=True) if sum(x.kind == "word" for x in sl) >= 3]
        if sizable and sum(m in ("garbled", "accentless") for m in sizable) >= 0.5 * len(sizable):
            modes = ["garbled" if m == "proofread" else m for m in modes]
        elif sizable and sum(m == "proofread" for m in sizable) >= PROOFREAD_DOC_SHARE * len(sizable):
            # and in one OCR read with its marks (Tesseract `vie`), a line without marks has none to restore
            # (English, names: `up to 3.40GHz`): its marks change as dearly as a proofread line's
            modes = ["proofread" if m == "accentless" else m for m in modes]
        # Accentless input with no OCR debris anywhere (digits for letters, impossible marks) is plain
        # mark-stripped text: its letters can be trusted, which makes candidate search much cheaper.
        words = [s.core for sl in all_slots for s in sl if s.kind == "word"]
        debris = sum(self._word_features(w)[4] for w in words)
        if debris <= PLAIN_DEBRIS_SHARE * len(words):
            modes = ["plain" if m == "accentless" else m for m in modes]
        seq: list[Slot] = []
        for slots, mode in zip(all_slots, modes, strict=True):
            n_letters = n_upper = 0
            for s in slots:
                if s.kind == "word":
                    n, up = self._letter_counts(s.core)
                    n_letters += n
                    n_upper += up
            line_upper = n_letters >= 4 and n_upper >= 0.7 * n_letters
            for k, s in enumerate(slots):
                s.upper = line_upper
                s.mode = mode
                if s.kind == "junk":  # letters with a mark inside (nuo.c): a word only in garbled or accentless lines
                    s.kind = "word" if mode in SEGMENT_MODES else "fixed"
                if s.kind != "punct":
                    self._fill_candidates(s, mode)
                    if self._carry and s.kind == "word":
                        self._carry_reading(s, self._carry.get((s.line, k)), mode)
                    if s.kind == "word" and self.protection.applies(slots, k, line_upper):
                        protect(s)
                    if not line_upper and k and s.core[:1].isupper() and not slots[k - 1].original.endswith(_STOPS):
                        self._add_case_cost(s)
                    seq.append(s)
        table = propose(self, all_slots, modes)
        self._table = table if table else None
        self._lmx = table if table else self.lm
        self._prune(seq)
        if table:
            repair(table)
        self._viterbi(seq)
        return all_slots

    def _add_case_cost(self, slot: Slot) -> None:
        """A capitalised token inside a sentence is likely a name: favour syllables often capitalised."""
        if self.log_cap is None or len(slot.ids) < 2 or (len(slot.core) > 1 and slot.core.isupper()):
            return
        extra = -CASE_WEIGHT * self.log_cap[np.asarray(slot.ids)]
        slot.costs = tuple((np.asarray(slot.costs) + extra - extra.min()).tolist())

    def _token(self, s: Slot) -> Token:
        text = self._text(s)
        original = s.original
        same = text == original
        # one string for both when the token is unchanged: a long text holds millions of tokens
        return Token(original if same else text, original, s.conf if s.kind == "word" else 1.0, not same)

    def _text(self, s: Slot) -> str:
        if s.kind == "fixed":
            core = fix_digit_confusions(s.core)
            if _HAS_LETTER_AND_SEP.search(core):
                return s.prefix + self.codes.code(core) + s.suffix
            if core != s.core:
                return s.prefix + core + s.suffix
        if s.protected and s.words[s.choice] == s.keep:
            return s.prefix + self.codes.segment(s.core) + s.suffix
        if s.kind != "word" or s.words[s.choice] == s.keep:
            return s.prefix + s.core + s.suffix
        if s.protected and not s.upper:  # context overruled the acronym reading: it was a garbled word
            word = s.words[s.choice]
            return s.prefix + word[:1].upper() + word[1:] + s.suffix
        return s.prefix + _with_case(s.words[s.choice], s.core, s.upper) + s.suffix

    def restore_lines(self, lines: list[str]) -> list[str]:
        text = self._text
        all_slots = self._decode(lines)
        out = []
        for slots in all_slots:
            if self._table is not None or has_dropped_marks([s.original for s in slots]):
                # merges, splits, a dropped bullet or rule: the tokens say which text each slot gives
                out.append(" ".join([t.text for t in line_tokens(self, slots, self._table)]))
            else:
                out.append(" ".join([text(s) for s in slots]))
        return out


_INSTANCE: Restorer | None = None


def get_restorer(model_dir: str | None = None) -> Restorer:
    """Shared instance (model files are loaded once per process)."""
    global _INSTANCE
    if _INSTANCE is None or model_dir is not None:
        _INSTANCE = Restorer(model_dir)
    return _INSTANCE
