"""A worker killed mid-page (its Tesseract kills it): that file fails as worker_crash naming the
page, the other files of the batch are stored."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sohoa.pipeline.config import load_settings
from sohoa.pipeline.run import run
from tests.gate_fixtures import POSTER_VI, text_image
from tests.test_run import counts, make_docs

KILLER = """#!{python}
import os, signal, sys
args = sys.argv[1:]
if "--list-langs" in args:
    print("List of available languages in \\"/fake\\" (3):")
    print("eng\\nosd\\nvie")
    sys.exit(0)
if "--version" in args:
    print("tesseract 5.3.0 (fake)")
    sys.exit(0)
os.kill(os.getppid(), signal.SIGKILL)  # the worker process that runs this page
"""


@pytest.mark.slow
def test_a_worker_killed_mid_page_fails_its_file_and_the_batch_goes_on(tmp_path):
    exe = tmp_path / "tesseract"
    exe.write_text(KILLER.format(python=sys.executable), encoding="utf-8")
    exe.chmod(0o755)
    folder = tmp_path / "in"
    make_docs(folder, 4)
    text_image(POSTER_VI).save(folder / "scan.png", dpi=(300, 300))
    cfg = load_settings(overrides={"jobs": 2, "ocr.orientation": False, "restore.enabled": False,
                                   "ocr.tesseract_cmd": str(exe)})
    rep = run([str(folder)], db=str(tmp_path / "a.sqlite"), config=cfg)
    by_name = {Path(f.path).name: f for f in rep.files}
    scan = by_name["scan.png"]
    assert (scan.status, scan.error_kind) == ("failed", "worker_crash")
    assert "page 1" in scan.error and "scan.png" in scan.error
    assert rep.files_ok == 4 and counts(tmp_path / "a.sqlite")["documents"] == 4
