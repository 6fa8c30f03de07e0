"""Which Tesseract model a page is read with: Debian's `fast` vie (the default) or `best`.

`best` is tessdata_best's integer vie model, installed by scripts/get_tessdata.sh into the
tessdata folder sohoa owns, `<sys.prefix>/share/sohoa/tessdata` (or `SOHOA_TESSDATA_DIR`).
When it is asked for and missing, pages are read with the system model and a warning is
printed once: the fast model is the fallback, never an error.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

MODELS = ("fast", "best")
ENV_DIR = "SOHOA_TESSDATA_DIR"
log = logging.getLogger(__name__)
_warned: set[str] = set()


def owned_dir() -> Path:
    """The tessdata folder sohoa owns (where set-up puts the `best` model)."""
    env = os.environ.get(ENV_DIR)
    return Path(env) if env else Path(sys.prefix) / "share" / "sohoa" / "tessdata"


def tessdata_dir(model: str, lang: str = "vie") -> str | None:
    """The --tessdata-dir for `model`, or None for the system's tessdata."""
    if model not in MODELS:
        raise ValueError(f"ocr.model must be one of {', '.join(MODELS)}, not {model!r}")
    if model == "fast":
        return None
    folder = owned_dir()
    missing = [code for code in lang.split("+") if not (folder / f"{code}.traineddata").is_file()]
    if not missing:
        return str(folder)
    key = f"{folder}:{lang}"
    if key not in _warned:
        _warned.add(key)
        print(f"sohoa: ocr.model = best, but {folder} has no {', '.join(missing)}.traineddata "
              "(run scripts/get_tessdata.sh); reading with the system's fast model", file=sys.stderr)
    return None
