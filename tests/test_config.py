"""Settings: defaults < sohoa.toml / --config < flags; typos are errors; every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sohoa.errors import ExitCode
from sohoa.pipeline.cli import main
from sohoa.pipeline.config import (
    ConfigError,
    OcrSettings,
    Settings,
    defaults,
    flatten,
    load_settings,
    make_ocr_config,
)

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def documented_settings() -> set[str]:
    return set(re.findall(r"^\| `([a-z_.]+)` \|", DOC.read_text(encoding="utf-8"), flags=re.M))


def test_every_setting_in_code_is_documented():
    missing = sorted(set(flatten(defaults())) - documented_settings())
    assert not missing, f"settings missing from docs/configuration.md: {missing}"


def test_every_documented_setting_exists():
    stale = sorted(documented_settings() - set(flatten(defaults())))
    assert not stale, f"docs/configuration.md documents settings the code does not have: {stale}"


def test_precedence_defaults_then_file_then_flags(tmp_path):
    assert load_settings(cwd=str(tmp_path)).ocr.dpi == 300
    (tmp_path / "sohoa.toml").write_text("jobs = 3\n[ocr]\ndpi = 200\ndeskew = false\n", encoding="utf-8")
    s = load_settings(cwd=str(tmp_path))
    assert (s.jobs, s.ocr.dpi, s.ocr.deskew, s.ocr.lang) == (3, 200, False, "vie")
    s = load_settings(cwd=str(tmp_path), overrides={"ocr.dpi": 400, "jobs": None})
    assert (s.jobs, s.ocr.dpi) == (3, 400)  # None = flag not given


def test_explicit_config_file_wins_over_sohoa_toml(tmp_path):
    (tmp_path / "sohoa.toml").write_text("jobs = 3\n", encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text("jobs = 1\n", encoding="utf-8")
    assert load_settings(str(other), cwd=str(tmp_path)).jobs == 1


@pytest.mark.parametrize("text, message", [
    ("[ocr]\ndpii = 300\n", "unknown setting `ocr.dpii`"),
    ("[ocr]\ndpi = \"high\"\n", "`ocr.dpi` must be int"),
    ("ocr = 5\n", "`ocr` must be a table"),
    ("jobs = 0\n", "`jobs` must be at least 1"),
    ("executor = \"spark\"\n", "local or dask"),
    ("jobs = [\n", "not valid TOML"),
])
def test_bad_config_files_are_errors_naming_file_and_key(tmp_path, text, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_settings(str(cfg))
    assert message in str(e.value)
    assert e.value.exit_code == ExitCode.bad_args


def test_bad_config_is_exit_code_2_from_the_cli(tmp_path, capsys):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[restore]\nenable = true\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    assert main(["run", str(tmp_path / "a.txt"), "--config", str(cfg), "--db", str(tmp_path / "a.db")]) == 2
    assert "restore.enable" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "a.txt"), "--config", str(tmp_path / "none.toml")]) == 2


def test_ocr_settings_build_the_engine_config():
    s = load_settings(overrides={"ocr.dpi": 200, "ocr.deskew": False})
    cfg = make_ocr_config(s)
    assert cfg.dpi == 200 and cfg.deskew is False and cfg.lang == "vie"


def test_settings_are_typed_and_round_trip(tmp_path):
    (tmp_path / "sohoa.toml").write_text('[output]\npdf_dir = "out"\n[restore]\nenabled = false\n', encoding="utf-8")
    s = load_settings(cwd=str(tmp_path))
    assert isinstance(s, Settings) and isinstance(s.ocr, OcrSettings)
    assert s.output.pdf_dir == "out" and s.restore.enabled is False and s.extract.enabled is True
    assert Settings.from_dict(s.to_dict()) == s
    assert set(flatten(s.to_dict())) == set(flatten(defaults()))
