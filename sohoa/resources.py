"""Where sohoa's data files are: the installed package data, or a folder named by an environment variable.

The models, the gazetteer and the lexicon ship inside the package (`sohoa.data`, the source tree's
`data/` folder) and are found with `importlib.resources`, so a wheel, `pipx` or an editable install
all find them from any working directory. Each kind can be pointed elsewhere:

| kind        | variable                | files checked                                      |
|-------------|-------------------------|----------------------------------------------------|
| `models`    | `SOHOA_RESTORE_MODELS`  | restore_lm.npz, restore_vocab.json, restore_channel.json |
| `gazetteer` | `SOHOA_GAZETTEER_DIR`   | agencies.tsv, provinces.tsv, …                     |
| `lexicon`   | `SOHOA_LEXICON_DIR`     | admin_phrases_vi.txt                               |

A missing or unreadable file is a `MissingResourceError` (exit 3) naming the file and how to get it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from sohoa.errors import MissingDependencyError


@dataclass(frozen=True)
class ResourceKind:
    name: str
    env: str
    required: tuple[str, ...]
    remedy: str


_REINSTALL = "reinstall sohoa (`pip install --force-reinstall sohoa`) or unset {env}"
KINDS: dict[str, ResourceKind] = {
    "models": ResourceKind(
        "models", "SOHOA_RESTORE_MODELS", ("restore_lm.npz", "restore_vocab.json", "restore_channel.json"),
        "rebuild them with `sohoa train --corpus DIR --out DIR`, point SOHOA_RESTORE_MODELS at a folder "
        "that has them, or " + _REINSTALL.format(env="SOHOA_RESTORE_MODELS")
        + "; `--no-restore` skips restoration",
    ),
    "gazetteer": ResourceKind(
        "gazetteer", "SOHOA_GAZETTEER_DIR",
        ("agencies.tsv", "authorities.tsv", "doctypes.tsv", "names.tsv", "places.tsv", "provinces.tsv",
         "titles.tsv"),
        "point SOHOA_GAZETTEER_DIR at a folder with the gazetteer's .tsv files, or "
        + _REINSTALL.format(env="SOHOA_GAZETTEER_DIR"),
    ),
    "lexicon": ResourceKind(
        "lexicon", "SOHOA_LEXICON_DIR", ("admin_phrases_vi.txt",),
        "point SOHOA_LEXICON_DIR at a folder with admin_phrases_vi.txt, or "
        + _REINSTALL.format(env="SOHOA_LEXICON_DIR"),
    ),
}


class MissingResourceError(MissingDependencyError):
    kind = "missing_resource"


def resource_dir(kind: str) -> Path:
    """The folder of one kind of data: the environment override, else the package's own copy."""
    spec = KINDS[kind]
    override = os.environ.get(spec.env)
    if override:
        return Path(override)
    return Path(str(files("sohoa.data").joinpath(kind)))


def resource_path(kind: str, filename: str) -> Path:
    """One data file, checked to exist and be readable."""
    spec = KINDS[kind]
    path = resource_dir(kind) / filename
    if not path.is_file():
        raise MissingResourceError(f"{kind} file not found", path=str(path), remedy=spec.remedy)
    if not os.access(path, os.R_OK):
        raise MissingResourceError(f"{kind} file is not readable", path=str(path), remedy=spec.remedy)
    return path


def check(kind: str) -> Path:
    """The folder of `kind` after checking every file it must hold."""
    for name in KINDS[kind].required:
        resource_path(kind, name)
    return resource_dir(kind)
