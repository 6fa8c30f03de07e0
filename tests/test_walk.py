"""The folder walk: supported extensions by default, --include / --exclude globs, and a reason for
everything passed over (listed in the run report), unreadable and looping folders included."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

from sohoa.pipeline.cli import main
from sohoa.pipeline.run import PassedOver, discover
from tests.test_run import make_docs


def _tree(tmp_path: Path) -> Path:
    top = tmp_path / "in"
    make_docs(top / "a", 2)
    (top / "a" / "README.md").write_text("# notes\n", encoding="utf-8")
    (top / "a" / "scan.PDF").write_bytes(b"%PDF-1.4\n")
    (top / "a" / "photo.jpeg").write_bytes(b"\xff\xd8\xff")
    (top / "a" / "draft_plan.txt").write_text("x", encoding="utf-8")
    (top / "b").mkdir()
    (top / "b" / "build.log").write_text("log", encoding="utf-8")
    (top / ".git").mkdir()
    return top


def _names(found) -> list[str]:
    return [f.rel.as_posix() for f in found]


def test_default_takes_supported_extensions_and_says_why_not_the_rest(tmp_path):
    top = _tree(tmp_path)
    passed: list[PassedOver] = []
    found = discover([str(top)], passed=passed)
    assert _names(found) == ["a/doc000.txt", "a/doc001.txt", "a/draft_plan.txt", "a/photo.jpeg", "a/scan.PDF"]
    why = {Path(p.path).name: p.reason for p in passed}
    assert why["README.md"].startswith("unsupported extension (.md") and "--include" in why["README.md"]
    assert why["build.log"].startswith("unsupported extension (.log")
    assert why[".git"] == "hidden"


def test_include_and_exclude_globs(tmp_path):
    top = _tree(tmp_path)
    passed: list[PassedOver] = []
    found = discover([str(top)], include_globs=["*.md", "b/*"], exclude_globs=["draft*"], passed=passed)
    assert _names(found) == ["a/README.md", "b/build.log"]
    why = {Path(p.path).name: p.reason for p in passed}
    assert why["draft_plan.txt"] == "excluded by --exclude draft*"
    assert why["doc000.txt"].startswith("not matched by --include")
    # a file named on the command line is always taken
    assert _names(discover([str(top / "b" / "build.log")], exclude_globs=["*.log"])) == ["build.log"]


def test_symlinked_folders_are_walked_once_and_loops_reported(tmp_path):
    top = _tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    make_docs(elsewhere, 1, start=7)
    (top / "linked").symlink_to(elsewhere, target_is_directory=True)
    (top / "a" / "loop").symlink_to(top, target_is_directory=True)
    passed: list[PassedOver] = []
    found = discover([str(top)], passed=passed)
    assert "linked/doc007.txt" in _names(found)
    assert len(_names(found)) == len(set(_names(found))) == 6
    loops = [p for p in passed if "symlink loop" in p.reason]
    assert [Path(p.path).name for p in loops] == ["loop"]


def test_an_unreadable_folder_is_a_row_not_silence(tmp_path, monkeypatch):
    """Tests run as root (chmod cannot lock root out): the folder's listing raises EACCES."""
    top = _tree(tmp_path)
    real_scandir = os.scandir

    def scandir(path=None):
        if path is not None and Path(os.fspath(path)).name == "b":
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path) if path is not None else real_scandir()

    monkeypatch.setattr(os, "scandir", scandir)
    passed: list[PassedOver] = []
    discover([str(top)], passed=passed)
    rows = [p for p in passed if Path(p.path).name == "b"]
    assert rows and "cannot be read" in rows[0].reason and "Permission denied" in rows[0].reason


def test_run_report_lists_what_was_passed_over(tmp_path, capsys):
    top = _tree(tmp_path)
    report = tmp_path / "run.json"
    code = main(["run", str(top), "--db", str(tmp_path / "a.sqlite"), "--jobs", "1", "--no-restore",
                 "--exclude", "*.PDF", "--exclude", "*.jpeg", "--report", str(report)])
    assert code == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    reasons = {Path(p["path"]).name: p["reason"] for p in data["passed_over"]}
    assert reasons["scan.PDF"] == "excluded by --exclude *.PDF" and "README.md" in reasons
    assert "passed over" in capsys.readouterr().err  # the summary is on stderr
