"""The folder walk of `sohoa run`: which files of the inputs are taken, and why the others are not.

A file named on the command line is always taken. Folders are walked recursively in sorted order
(symlinked folders followed, each folder once) and give the files with a supported extension, or
with `--include` globs those matching one; hidden entries, `.sohoaignore` patterns and `--exclude`
globs are passed over. Everything passed over — and folders that cannot be read or loop — is
returned with its reason, for the run report.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.errors import BadArgumentsError


@dataclass
class InputPath:
    path: str
    rel: Path  # relative to the folder it was found in (the file name for a file given directly)
    members: list[str] = field(default_factory=list)  # an image set (group_page_images): its files in order


# `4_1.jpg`, `scan-02.png`, `cv 3.tif`, `hs12_p1.jpg`, `page1.png`: a stem ending in a page number
_NUMBERED = re.compile(r"^(?P<stem>.*?)(?P<sep>[ _.-](?:p|page|trang)?|p|page|trang)(?P<n>\d{1,3})$", re.IGNORECASE)
# a longer numbered run is a scanner batch of separate documents (scan_001 … scan_250), not one document
MAX_SET_PAGES = 12
_IMAGE_EXTENSIONS = (".tif", ".tiff", ".png", ".jpg", ".jpeg")


IGNORE_FILE = ".sohoaignore"


SUPPORTED_EXTENSIONS = (".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".txt")


@dataclass
class PassedOver:
    """Something a folder walk did not take, and why (listed in the run report)."""

    path: str
    reason: str


def discover(inputs: Iterable[str], exclude: Iterable[str] = (), *, include_globs: Sequence[str] = (),
             exclude_globs: Sequence[str] = (), passed: list[PassedOver] | None = None) -> list[InputPath]:
    """Files of `inputs`: a file named directly is always taken; folders are walked recursively in
    sorted order (symlinked folders followed once), taking the files with a supported extension —
    or, with `include_globs`, those matching one of them — minus hidden files/folders, what a
    folder's `.sohoaignore` lists (glob patterns, one a line, relative to that folder; `name/`
    matches a folder) and what matches `exclude_globs`. Paths in `exclude` (e.g. the archive
    itself) are left out silently. What was passed over, and unreadable or looping folders, go to
    `passed`. Raises BadArgumentsError for an input that does not exist."""
    found: list[InputPath] = []
    seen: set[str] = {os.path.realpath(x) for x in exclude}
    skip = passed if passed is not None else []
    for raw in inputs:
        p = Path(raw)
        if not p.exists() and not p.is_symlink():
            raise BadArgumentsError("no such file or folder", path=str(raw))
        if not p.is_dir():
            _add(found, seen, p, Path(p.name))
            continue
        _walk(p, found, seen, skip, include_globs, exclude_globs)
    return found


def _walk(top: Path, found: list[InputPath], seen: set[str], skip: list[PassedOver],
          include_globs: Sequence[str], exclude_globs: Sequence[str]) -> None:
    walked: set[str] = set()
    rules_at: dict[Path, list[tuple[Path, str]]] = {}

    def onerror(err: OSError) -> None:
        skip.append(PassedOver(str(err.filename or top), f"folder cannot be read ({err.strerror or err})"))

    for root, dirs, files in os.walk(top, onerror=onerror, followlinks=True):
        here = Path(root)
        real = os.path.realpath(here)
        if real in walked:
            skip.append(PassedOver(str(here), "symlink loop, or a second link to a folder already walked"))
            dirs[:] = []
            continue
        walked.add(real)
        rules = rules_at.get(here.parent, []) if here != top else []
        rules = [r for r in rules if _is_within(here, r[0])] + _read_ignore(here)
        rules_at[here] = rules
        kept = []
        for d in sorted(dirs):
            why = _why_not(here / d, top, True, rules, (), exclude_globs)
            if why:
                skip.append(PassedOver(str(here / d), why))
            elif os.path.realpath(here / d) in walked:
                skip.append(PassedOver(str(here / d), "symlink loop, or a second link to a folder already walked"))
            else:
                kept.append(d)
        dirs[:] = kept
        for name in sorted(files):
            fp = here / name
            if name == IGNORE_FILE:
                continue
            why = _why_not(fp, top, False, rules, include_globs, exclude_globs)
            if why:
                skip.append(PassedOver(str(fp), why))
            else:
                _add(found, seen, fp, fp.relative_to(top))


def _why_not(path: Path, top: Path, is_dir: bool, rules: list[tuple[Path, str]], include_globs: Sequence[str],
             exclude_globs: Sequence[str]) -> str | None:
    rel = path.relative_to(top).as_posix()
    if path.name.startswith("."):
        return "hidden"
    if _ignored(path, is_dir, rules):
        return f"listed in {IGNORE_FILE}"
    for pat in exclude_globs:
        if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(path.name, pat):
            return f"excluded by --exclude {pat}"
    if is_dir:
        return None
    if include_globs:
        if not any(fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(path.name, pat) for pat in include_globs):
            return f"not matched by --include {' '.join(include_globs)}"
        return None
    if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        return f"unsupported extension ({path.suffix or 'none'}; use --include to take it)"
    return None


def _read_ignore(folder: Path) -> list[tuple[Path, str]]:
    f = folder / IGNORE_FILE
    if not f.is_file():
        return []
    lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
    return [(folder, ln.strip()) for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _ignored(path: Path, is_dir: bool, rules: list[tuple[Path, str]]) -> bool:
    for folder, pattern in rules:
        dir_only = pattern.endswith("/")
        pat = pattern.rstrip("/")
        if dir_only and not is_dir:
            continue
        rel = path.relative_to(folder).as_posix()
        if fnmatch.fnmatchcase(rel, pat) or ("/" not in pat and fnmatch.fnmatchcase(path.name, pat)):
            return True
    return False


def _add(found: list[InputPath], seen: set[str], path: Path, rel: Path) -> None:
    key = os.path.realpath(path)
    if key not in seen:
        seen.add(key)
        found.append(InputPath(str(path), rel))


def group_page_images(found: list[InputPath]) -> list[InputPath]:
    """Consecutive image files of one document, one image per page, become one input: in one
    folder, same extension, names that differ only in a page number after a separator or `p` /
    `page` / `trang`, counted from 0 or 1 with no gap (`4_1.jpg`, `4_2.jpg`, `cv-p1.png`), at
    most MAX_SET_PAGES of them (a longer run is a scanner batch of separate documents). The set takes the first file's place; lone numbered files stay
    as they are. Whether a later page really continues the document is decided after OCR: a page
    with its own header starts a new record (extract/segment.py), in the same stored input."""
    groups: dict[tuple[str, str, str, str], list[tuple[int, InputPath]]] = {}
    for inp in found:
        p = Path(inp.path)
        m = _NUMBERED.match(p.stem)
        if m and p.suffix.lower() in _IMAGE_EXTENSIONS:
            key = (str(p.parent), m["stem"].lower(), m["sep"].lower(), p.suffix.lower())
            groups.setdefault(key, []).append((int(m["n"]), inp))
    sets: dict[int, InputPath] = {}
    taken: set[int] = set()
    for items in groups.values():
        items.sort(key=lambda t: t[0])
        numbers = [n for n, _ in items]
        if not 2 <= len(items) <= MAX_SET_PAGES or numbers[0] not in (0, 1) or numbers != list(range(numbers[0], numbers[0] + len(items))):
            continue
        first = items[0][1]
        sets[id(first)] = InputPath(first.path, first.rel, [i.path for _, i in items])
        taken.update(id(i) for _, i in items[1:])
    return [sets.get(id(inp), inp) for inp in found if id(inp) not in taken]
