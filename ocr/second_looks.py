"""Second looks at parts of a page: crops read again by the engine, in other modes.

Every second look only ever adds evidence. Tesseract refusing a sliver (`Line cannot be
recognized`, SIGFPE), a crop too small to hold a letter or a look that takes too long reads as
nothing instead of failing the page the first pass read. The engine's time is summed in
`seconds`, so a page's timings can tell it from the steps that asked for the looks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from sohoa.document import Line
from sohoa.errors import OcrEngineError
from sohoa.ocr.config import OcrConfig
from sohoa.ocr.numerals import parse_choices

CROP_TIMEOUT_S = 30.0  # a second look at a crop; the page pass has its own limit
DIGITS_ONLY = {"tessedit_char_whitelist": "0123456789"}


@dataclass
class SecondLooks:
    config: OcrConfig
    dpi: int  # of the crops' pixels
    where: str  # the page, for messages
    seconds: float = 0.0

    def _run(self, crop: np.ndarray, fmt: str, psm: int, variables: dict[str, str] | None) -> str | None:
        from sohoa.ocr import engine  # engine imports this module; its runner is looked up at call time

        if min(crop.shape[:2]) < 6:
            return None
        t = time.perf_counter()
        c = self.config
        try:
            runner = engine.run_tesseract_tsv if fmt == "tsv" else engine.run_tesseract
            args = () if fmt == "tsv" else (fmt,)
            return runner(crop, *args, lang=c.lang, psm=psm, dpi=self.dpi, where=self.where,
                          timeout=min(c.tesseract_timeout, CROP_TIMEOUT_S), cmd=c.tesseract_cmd,
                          tessdata=engine.tessdata_dir(c.model, c.lang), variables=variables)
        except OcrEngineError:
            return None
        finally:
            self.seconds += time.perf_counter() - t

    def lines(self, crop: np.ndarray, psm: int = 6, variables: dict[str, str] | None = None) -> list[Line]:
        """The crop's lines, boxes in the crop's pixels."""
        from sohoa.ocr.engine import parse_engine_tsv

        tsv = self._run(crop, "tsv", psm, variables)
        if tsv is None:
            return []
        try:
            return parse_engine_tsv(tsv, self.where)
        except OcrEngineError:
            return []

    def text(self, crop: np.ndarray, psm: int = 7) -> str:
        return " ".join(w.text for ln in self.lines(crop, psm) for w in ln.words)

    def digits(self, crop: np.ndarray, psm: int = 8) -> str:
        return "".join(w.text for ln in self.lines(crop, psm, DIGITS_ONLY) for w in ln.words)

    def choices(self, crop: np.ndarray, psm: int = 8) -> list[tuple[str, list[list[tuple[str, float]]]]]:
        """Each word the engine reads in the crop, with the LSTM's alternatives for its characters."""
        hocr = self._run(crop, "hocr", psm, {"lstm_choice_mode": "2"})
        return parse_choices(hocr) if hocr else []
