"""A document's own OCR confusions, learned from its first decoding (unsupervised adaptation).

One scan read by one engine garbles the same letters the same way throughout (`fly` for `ủy`, `dOng`
for `động`). Where the first pass restored a garbled token confidently, the pair (restored word,
OCR token) is evidence of that document's channel: its character alignments are counted, a confusion
seen often enough becomes as likely as its share of the evidence says (never less likely than the trained
table says, and at most ADAPT_MAX_GAIN nats cheaper), and the text is decoded again with that channel.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sohoa.normalize.channel import Channel, ChannelParams
from sohoa.normalize.vnsyl import nfc, strip_marks

if TYPE_CHECKING:
    from sohoa.normalize.slots import Slot

ADAPT_MIN_PAIRS = 40  # confident changes a text needs before its own confusions are learned
ADAPT_MIN_CONF = 0.95  # confidence of a restored token to count as evidence
ADAPT_PRIOR = 30.0  # pseudo-count of the trained table per intended character
ADAPT_MIN_COUNT = 2  # a confusion seen fewer times in the document is not learned from it
ADAPT_MAX_GAIN = 2.0  # nats a confusion may become cheaper than the trained channel says


def adapted_params(base: ChannelParams, pairs: Iterable[tuple[str, str]]) -> ChannelParams | None:
    """The trained channel with the (intended, observed) pairs' alignments mixed in; None when too few."""
    pairs = list(pairs)
    if len(pairs) < ADAPT_MIN_PAIRS:
        return None
    channel = Channel(base)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for intended, observed in pairs:
        for c, o in channel.align(intended, observed):
            if c:
                counts[c][o] += 1
    learned = {c: dict(t) for c, t in base.learned.items()}
    changed = False
    for c, outs in counts.items():
        total = sum(outs.values())
        seen = {o: n for o, n in outs.items() if o != c and n >= ADAPT_MIN_COUNT}
        if not seen:
            continue
        # the evidence is a biased sample (only what the first pass dared to change): it only ever makes
        # a confusion cheaper, by at most ADAPT_MAX_GAIN nats; the trained table's other entries stay
        mixed = dict(learned.get(c, {}))
        for o, n in seen.items():
            trained = math.exp(-channel._seg_cost(c, o))
            mixed[o] = max(mixed.get(o, 0.0), min(n / (total + ADAPT_PRIOR), trained * math.exp(ADAPT_MAX_GAIN)))
        learned[c] = mixed
        changed = True
    return ChannelParams(**{**base.__dict__, "learned": learned}) if changed else None


def evidence(all_slots: list[list[Slot]], segment_base: int | None) -> list[tuple[str, str]]:
    """(restored word, OCR token) of a decoding's confident changes by a token's own reading: in garbled
    lines all of them, in accentless lines those whose letters changed (there every mark is missing)."""
    out = []
    for slots in all_slots:
        for s in slots:
            if s.kind != "word" or s.mode not in ("garbled", "accentless") or s.protected \
                    or s.conf < ADAPT_MIN_CONF or not s.ids:
                continue
            word = s.words[s.choice]
            if (segment_base is not None and s.ids[s.choice] >= segment_base) or word == s.keep:
                continue
            observed = nfc(s.core.lower())
            if s.mode == "garbled" or strip_marks(word) != strip_marks(observed):
                out.append((word, observed))
    return out


def first_readings(all_slots: list[list[Slot]], segment_base: int | None) -> dict[tuple[int, int], str]:
    """(line, token index) → the word a decoding chose by the token's own reading (no segments)."""
    return {(s.line, k): s.words[s.choice] for slots in all_slots for k, s in enumerate(slots)
            if s.kind == "word" and s.ids and (segment_base is None or s.ids[s.choice] < segment_base)}
