"""The OCR engine's settings (a light module: the CLI and the settings loader import it without cv2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass
class OcrConfig:
    lang: str = "vie"
    dpi: int = 300  # PDF rasterisation
    orientation: bool = True  # fix pages scanned sideways or upside down (Tesseract OSD)
    deskew: bool = True
    remove_borders: bool = True
    remove_rules: bool = True  # long horizontal lines (under the motto, table borders)
    denoise: Literal["auto", "always", "never"] = "auto"
    binarize: Literal["auto", "sauvola", "otsu", "none"] = "auto"
    upscale_below_dpi: int = 250  # text smaller than this resolution is enlarged to 300 dpi
    suppress_colour: bool = True  # red stamps and blue-ink signatures
    psm: int = 3  # page segmentation of the full-page run
    header_psm: int | None = None  # re-read header crops with this psm (6) — costs a 2nd run
    low_conf_threshold: float = 60.0  # page mean below this → "low_confidence"
    drop_noise_lines: bool = True  # lines that are all low-confidence short fragments (stamps, scribbles)
    find_stamps: bool = True  # framed reception stamps become `stamp` blocks, out of the page text (ocr/stamps.py)
    reread_unsure_lines: bool = True  # lines under 75 % mean confidence read again from the original image (ocr/reread.py)
    check_fill_ins: bool = True  # re-read the header's số / ngày lines in variants; disagreeing digits are marked unsure (ocr/fillins.py)
    check_numerals: bool = True  # numbers read with look-alikes (`I1`, `§`) re-read: LSTM alternatives + digits-only (ocr/numerals.py)
    recover_signature_titles: bool = True  # re-read the titles above a signer's name lost under a seal (ocr/sigblock.py)
    max_deskew_deg: float = 5.0
    tesseract_timeout: float = 300.0  # seconds one Tesseract run on a page may take; past it the page fails
    model: Literal["fast", "best"] = "fast"  # fast: the system's vie; best: tessdata_best (scripts/get_tessdata.sh), fast if absent
    tesseract_cmd: str = ""  # the Tesseract executable; "" = TESSERACT_CMD ("tesseract" on PATH)
