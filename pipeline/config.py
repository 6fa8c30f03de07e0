"""Settings: built-in defaults < `sohoa.toml` (or `--config FILE`) < command-line flags.

Settings are dotted keys (`ocr.dpi`, `restore.enabled`); in TOML they are written as tables:

    [ocr]
    dpi = 300

Every key is documented in docs/configuration.md (a test fails when one is missing there).
The result is typed: a `Settings` dataclass tree (`settings.ocr.dpi`, `settings.restore.enabled`).
`OcrSettings` extends the engine's `OcrConfig`, so a preprocessing switch added there becomes a
setting here without code changes (and must be documented).
"""

from __future__ import annotations

import copy
import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from sohoa.errors import BadArgumentsError
from sohoa.ocr.config import OcrConfig

DEFAULT_CONFIG_NAME = "sohoa.toml"


class ConfigError(BadArgumentsError):
    kind = "config"
    remedy = "see docs/configuration.md for the settings and their types"


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers, taskset)
    except AttributeError:
        return os.cpu_count() or 1


@dataclass
class OcrSettings(OcrConfig):
    """`[ocr]`: every field of the engine's OcrConfig, plus what the input reader needs."""

    max_pixels: int = 200_000_000
    force_ocr: bool = False

    def engine_config(self) -> OcrConfig:
        names = {f.name for f in dataclasses.fields(OcrConfig)}
        return OcrConfig(**{k: v for k, v in dataclasses.asdict(self).items() if k in names})


@dataclass
class StageSwitch:
    enabled: bool = True


@dataclass
class GateSettings:
    """The document gate (pipeline.gate): what a file must show to become records."""

    accept_any: bool = False
    min_valid_share: float = 0.4
    min_markers: int = 2


@dataclass
class LimitsSettings:
    """Bounds on one file, checked when it is opened, before any work (docs/reliability.md)."""

    max_text_mb: float = 3.0  # a text file past this fails as too_large (worker memory grows with it)
    max_pages: int = 1000  # a PDF, TIFF or image set with more pages fails as too_large


@dataclass
class WalkSettings:
    """Folder walks: glob patterns added to / removed from the supported extensions."""

    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    group_pages: bool = True  # `4_1.jpg`, `4_2.jpg` in one folder: one input of two pages


@dataclass
class OutputSettings:
    pdf_dir: str | None = None
    alto_dir: str | None = None
    hocr_dir: str | None = None
    text_dir: str | None = None
    invalidate_signatures: bool = False  # write searchable copies of digitally signed PDFs anyway


@dataclass
class Settings:
    """All settings; `load_settings` builds it from defaults, the TOML file and the flags."""

    db: str = "archive.sqlite"
    jobs: int = field(default_factory=available_cores)
    stages: list[str] = field(default_factory=lambda: ["ocr", "restore", "extract"])
    executor: str = "local"
    scheduler: str | None = None
    ocr: OcrSettings = field(default_factory=OcrSettings)
    restore: StageSwitch = field(default_factory=StageSwitch)
    extract: StageSwitch = field(default_factory=StageSwitch)
    gate: GateSettings = field(default_factory=GateSettings)
    walk: WalkSettings = field(default_factory=WalkSettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    output: OutputSettings = field(default_factory=OutputSettings)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Settings:
        """From a dict of the same shape (already checked by `load_settings`)."""
        return cls(
            db=d["db"], jobs=int(d["jobs"]), stages=list(d["stages"]), executor=d["executor"],
            scheduler=d["scheduler"], ocr=OcrSettings(**d["ocr"]), restore=StageSwitch(**d["restore"]),
            extract=StageSwitch(**d["extract"]), gate=GateSettings(**d["gate"]),
            walk=WalkSettings(**{**d["walk"], "include": list(d["walk"]["include"]),
                                 "exclude": list(d["walk"]["exclude"])}),
            output=OutputSettings(**d["output"]), limits=LimitsSettings(**d["limits"]),
        )

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def defaults() -> dict[str, Any]:
    """The default settings as a nested dict (the shape of sohoa.toml)."""
    return Settings().to_dict()


def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _compatible(default: Any, value: Any) -> bool:
    if default is None or value is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def _merge(base: dict[str, Any], overlay: dict[str, Any], origin: str, prefix: str = "") -> None:
    for k, v in overlay.items():
        key = f"{prefix}{k}"
        if k not in base:
            raise ConfigError(f"unknown setting `{key}`", path=origin)
        if isinstance(base[k], dict):
            if not isinstance(v, dict):
                raise ConfigError(f"`{key}` must be a table", path=origin)
            _merge(base[k], v, origin, key + ".")
        elif not _compatible(base[k], v):
            raise ConfigError(
                f"`{key}` must be {type(base[k]).__name__}, got {type(v).__name__} {v!r}", path=origin
            )
        else:
            base[k] = list(v) if isinstance(v, tuple) else v


def set_dotted(settings: dict[str, Any], key: str, value: Any) -> None:
    node = settings
    parts = key.split(".")
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value


def _settings_file(config_file: str | None, cwd: str | None) -> Path | None:
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError("configuration file not found", path=str(path))
        return path
    candidate = Path(cwd or ".") / DEFAULT_CONFIG_NAME
    return candidate if candidate.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"not valid TOML: {e}", path=str(path)) from e


def file_setting(key: str, config_file: str | None = None, cwd: str | None = None) -> Any:
    """The value a settings file (explicit, or ./sohoa.toml) gives `key` (dotted), or None."""
    path = _settings_file(config_file, cwd)
    if path is None:
        return None
    return flatten(_read_toml(path)).get(key)


def load_settings(config_file: str | None = None, overrides: dict[str, Any] | None = None,
                  cwd: str | None = None) -> Settings:
    """Defaults, then the TOML file (explicit, or ./sohoa.toml when present), then `overrides`
    (dotted keys; None values mean "flag not given" and are ignored)."""
    settings = copy.deepcopy(defaults())
    path = _settings_file(config_file, cwd)
    if path is not None:
        _merge(settings, _read_toml(path), str(path))
    flat = flatten(settings)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in flat:
            raise ConfigError(f"unknown setting `{key}`")
        set_dotted(settings, key, value)
    validate(settings)
    return Settings.from_dict(settings)


def validate(settings: dict[str, Any]) -> None:
    from sohoa.pipeline.components import resolve

    if int(settings["jobs"]) < 1:
        raise ConfigError("`jobs` must be at least 1")
    if int(settings["ocr"]["dpi"]) < 50:
        raise ConfigError("`ocr.dpi` must be at least 50")
    if float(settings["limits"]["max_text_mb"]) <= 0 or int(settings["limits"]["max_pages"]) < 1:
        raise ConfigError("`limits.max_text_mb` must be positive and `limits.max_pages` at least 1")
    if settings["executor"] not in ("local", "dask"):
        raise ConfigError("`executor` must be local or dask")
    for name in settings["stages"]:
        try:
            resolve(name)
        except KeyError as e:
            raise ConfigError(str(e.args[0])) from e


def make_ocr_config(settings: Settings) -> OcrConfig:
    """The engine's OcrConfig from the `ocr.*` settings."""
    return settings.ocr.engine_config()
