"""Fonts for the synthetic scans: serif TrueType files found with fontconfig or in the font folders."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from sohoa.document import nfc
from sohoa.errors import MissingDependencyError

FONT_FAMILIES = ("Liberation Serif", "FreeSerif", "DejaVu Serif", "Times New Roman")
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))


# --------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class FontFiles:
    family: str
    regular: str
    bold: str
    italic: str
    bold_italic: str


def _fc_list() -> list[tuple[str, str, str]]:
    """(file, family, style) of every installed font, via fontconfig or a scan of font dirs."""
    out: list[tuple[str, str, str]] = []
    if shutil.which("fc-list"):
        res = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{family[0]}\t%{style[0]}\n"],
            capture_output=True, text=True, check=False,
        )
        for row in res.stdout.splitlines():
            parts = row.split("\t")
            if len(parts) == 3:
                out.append((parts[0], parts[1], parts[2]))
    if not out:  # no fontconfig: guess family and style from file names
        for d in _FONT_DIRS:
            for f in Path(d).rglob("*.ttf") if Path(d).is_dir() else []:
                stem = f.stem
                fam, _, sty = stem.partition("-")
                out.append((str(f), fam, sty or "Regular"))
    return out


def _style_key(style: str) -> str:
    s = style.lower().replace(" ", "")
    bold = "bold" in s
    italic = "italic" in s or "oblique" in s
    if "condensed" in s or "light" in s:
        return "other"
    return {(False, False): "regular", (True, False): "bold", (False, True): "italic",
            (True, True): "bold_italic"}[(bold, italic)]


@lru_cache(maxsize=8)
def find_fonts(family: str | None = None) -> FontFiles:
    """The four faces of a Times-like serif family; `family` may also be a path to a regular .ttf.

    Raises MissingDependencyError when no usable family is installed."""
    if family and Path(family).is_file():
        base = Path(family)
        faces = {"regular": str(base)}
        for key, suffixes in {"bold": ("-Bold", "Bold", "bd"), "italic": ("-Italic", "Italic", "i"),
                              "bold_italic": ("-BoldItalic", "BoldItalic", "bi")}.items():
            stem = base.stem.removesuffix("-Regular").removesuffix("Regular")
            for suf in suffixes:
                cand = base.with_name(stem + suf + base.suffix)
                if cand.is_file():
                    faces[key] = str(cand)
                    break
            faces.setdefault(key, str(base))
        return FontFiles(base.stem, faces["regular"], faces["bold"], faces["italic"], faces["bold_italic"])
    installed = _fc_list()
    wanted = [family] if family else list(FONT_FAMILIES)
    for fam in wanted:
        faces: dict[str, str] = {}
        for path, fam_name, style in installed:
            if fam_name.lower().replace(" ", "") == fam.lower().replace(" ", "") and path.endswith(".ttf"):
                faces.setdefault(_style_key(style), path)
        if {"regular", "bold", "italic", "bold_italic"} <= faces.keys():
            return FontFiles(fam, faces["regular"], faces["bold"], faces["italic"], faces["bold_italic"])
    raise MissingDependencyError(
        f"no serif font found (looked for {', '.join(wanted)})",
        remedy="install one: `apt-get install fonts-liberation2` (or fonts-freefont-ttf, fonts-dejavu-core)",
    )


class _Fonts:
    def __init__(self, files: FontFiles, dpi: int):
        self.files = files
        self.dpi = dpi

    def get(self, face: str, pt: float) -> ImageFont.FreeTypeFont:
        return _load_font(getattr(self.files, face), max(6, round(pt * self.dpi / 72)))


@lru_cache(maxsize=128)
def _load_font(path: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px)


# --------------------------------------------------------------------------- text formats


def _upper(text: str) -> str:
    return nfc(nfc(text).upper())
