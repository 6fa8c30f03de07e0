"""Settings: built-in defaults < `sohoa.toml` (or `--config FILE`) < command-line flags.

Settings are dotted keys (`ocr.dpi`, `restore.enabled`); in TOML they are written as tables:

    [ocr]
    dpi = 300

Every key is documented in docs/configuration.md (a test fails when one is missing there).
The `ocr.*` keys also include every field of `ocr.engine.OcrConfig`, so a preprocessing switch
added there becomes a setting here without code changes (and must be documented).
"""

from __future__ import annotations

import copy
import dataclasses
import os
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from sohoa.errors import BadArgumentsError

DEFAULT_CONFIG_NAME = "sohoa.toml"


class ConfigError(BadArgumentsError):
    kind = "config"
    remedy = "see docs/configuration.md for the settings and their types"


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers, taskset)
    except AttributeError:
        return os.cpu_count() or 1


def _base_defaults() -> dict[str, Any]:
    return {
        "db": "archive.sqlite",
        "jobs": available_cores(),
        "stages": ["ocr", "restore", "extract"],
        "executor": "local",
        "scheduler": None,
        "ocr": {
            "dpi": 300,
            "lang": "vie",
            "max_pixels": 200_000_000,
            "force_ocr": False,
            "low_conf_threshold": 60.0,
        },
        "restore": {"enabled": True},
        "extract": {"enabled": True},
        "gate": {"accept_any": False, "min_valid_share": 0.4, "min_markers": 2},
        "walk": {"include": [], "exclude": []},
        "output": {"pdf_dir": None, "alto_dir": None, "hocr_dir": None, "text_dir": None},
    }


def ocr_config_fields() -> dict[str, Any]:
    """Defaults of `ocr.engine.OcrConfig` (empty until the OCR engine module exists)."""
    try:
        from sohoa.ocr.engine import OcrConfig
    except ImportError:
        return {}
    out: dict[str, Any] = {}
    for f in dataclasses.fields(OcrConfig):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


def defaults() -> dict[str, Any]:
    d = _base_defaults()
    for key, value in ocr_config_fields().items():
        d["ocr"].setdefault(key, value)
    return d


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


def get_dotted(settings: dict[str, Any], key: str) -> Any:
    node: Any = settings
    for p in key.split("."):
        node = node[p]
    return node


def load_settings(config_file: str | None = None, overrides: dict[str, Any] | None = None,
                  cwd: str | None = None) -> dict[str, Any]:
    """Defaults, then the TOML file (explicit, or ./sohoa.toml when present), then `overrides`
    (dotted keys; None values mean "flag not given" and are ignored)."""
    settings = copy.deepcopy(defaults())
    path: Path | None = None
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError("configuration file not found", path=str(path))
    else:
        candidate = Path(cwd or ".") / DEFAULT_CONFIG_NAME
        path = candidate if candidate.is_file() else None
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"not valid TOML: {e}", path=str(path)) from e
        _merge(settings, data, str(path))
    flat = flatten(settings)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in flat:
            raise ConfigError(f"unknown setting `{key}`")
        set_dotted(settings, key, value)
    validate(settings)
    return settings


def validate(settings: dict[str, Any]) -> None:
    from sohoa.pipeline.components import resolve

    if int(settings["jobs"]) < 1:
        raise ConfigError("`jobs` must be at least 1")
    if int(settings["ocr"]["dpi"]) < 50:
        raise ConfigError("`ocr.dpi` must be at least 50")
    if settings["executor"] not in ("local", "dask"):
        raise ConfigError("`executor` must be local or dask")
    for name in settings["stages"]:
        try:
            resolve(name)
        except KeyError as e:
            raise ConfigError(str(e.args[0])) from e


def make_ocr_config(settings: dict[str, Any]) -> Any:
    """An `ocr.engine.OcrConfig` from the `ocr.*` settings (only the fields it has)."""
    from sohoa.ocr.engine import OcrConfig

    names = {f.name for f in dataclasses.fields(OcrConfig)}
    return OcrConfig(**{k: v for k, v in settings["ocr"].items() if k in names})
