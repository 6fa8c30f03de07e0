"""Tokens whose letters and case the restorer keeps unless the context is strong: acronyms (UBND, BCĐ,
LAB), labels (E6, D2, the B of `Bên B`) and Roman numerals where one stands (lần thứ XI, khóa XV)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sohoa.normalize.digits import letter_readings
from sohoa.normalize.slots import Slot, is_roman, roman_expected
from sohoa.normalize.vnsyl import is_skeleton_shape, is_syllable_shape, old_style, strip_marks

if TYPE_CHECKING:
    from sohoa.normalize.candidates import Lexicon
    from sohoa.normalize.codes import CodeRestorer

_LABEL = re.compile(r"[A-ZĐ]{1,3}\d{1,4}")  # E6, D2, B52
PROTECT_COST = 6.0  # nats added to every change of an acronym or label (UBND, LAB, E6)
MEMO_LIMIT = 200_000


def protect(slot: Slot) -> None:
    """Keeping the token costs nothing and every change PROTECT_COST: only strong context changes it."""
    slot.protected = True
    slot.costs = tuple(0.0 if w == slot.keep else c + PROTECT_COST for w, c in zip(slot.words, slot.costs, strict=True))


class Protection:
    def __init__(self, lex: Lexicon, codes: CodeRestorer):
        self.lex = lex
        self.codes = codes
        self._memo: dict[tuple[str, bool], bool] = {}

    def applies(self, slots: list[Slot], k: int, line_upper: bool) -> bool:
        """Whether word slot k of a line is kept: its shape, or a Roman numeral where one is expected (in a
        line in capitals a Roman-looking word elsewhere is a word: ĐƠN VỊ)."""
        core = slots[k].core
        if self.shape(core, line_upper):
            return True
        return len(core) > 1 and is_roman(core) and (not line_upper or roman_expected(slots, k))

    def shape(self, core: str, line_upper: bool) -> bool:
        """Acronyms and labels are not syllables to restore. In a line in capitals an unknown non-syllable
        may be a garbled word (CQNG), so there only acronyms the LM or the codes know are kept. Memoised."""
        got = self._memo.get((core, line_upper))
        if got is None:
            if len(self._memo) > MEMO_LIMIT:
                self._memo.clear()
            got = self._memo[(core, line_upper)] = self._shape(core, line_upper)
        return got

    def _shape(self, core: str, line_upper: bool) -> bool:
        if _LABEL.fullmatch(core):
            # a digit stands for a letter only where the letters make a known syllable (S6 = Số; E6, T13 labels)
            return not any(is_syllable_shape(w) and self.lex.is_known(old_style(w)) for w in letter_readings(core.lower()))
        if len(core) == 1:
            return core.isupper()  # Bên A, Phụ lục B: a label unless the context is strong
        letters = [c for c in core if c.isalpha()]
        if len(letters) < 2 or not all(c.isupper() for c in letters) or not core.isalpha():
            return False
        low = old_style(core.lower())
        if is_syllable_shape(low) or is_skeleton_shape(strip_marks(low)):
            return False
        return not line_upper or self.lex.is_known(low) or self.codes.known(core)
