"""Fault injection: a Tesseract that crashes, prints garbage or hangs past `ocr.tesseract_timeout`
fails its page (so its file, as `ocr_engine`, with a message); the batch goes on.

A fake `tesseract` script is given as `ocr.tesseract_cmd` (the setting travels with each page job;
an environment variable set now would not reach workers forked from a fork server started by an
earlier test); it answers `--list-langs` like the real one and misbehaves on OCR as the `mode`
file next to it says."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from sohoa.errors import ExitCode
from sohoa.pipeline.config import load_settings
from sohoa.pipeline.run import run
from tests.gate_fixtures import POSTER_VI, text_image
from tests.test_run import make_docs

FAKE = """#!{python}
import os, signal, sys, time
args = sys.argv[1:]
if "--list-langs" in args:
    print("List of available languages in \\"/fake\\" (3):")
    print("eng\\nosd\\nvie")
    sys.exit(0)
if "--version" in args:
    print("tesseract 5.3.0 (fake)")
    sys.exit(0)
sys.stdin.buffer.read()
mode = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mode")).read().strip()
if mode == "crash":
    os.kill(os.getpid(), signal.SIGSEGV)
elif mode == "exit":
    sys.stderr.write("Error in pixReadMem: unknown format\\n")
    sys.exit(1)
elif mode == "garbage":
    sys.stdout.buffer.write(bytes(range(256)) * 4)
elif mode == "badrow":
    print("level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext")
    print("5\\t1\\t1\\t1\\t1\\t1\\tten\\t10\\t50\\t20\\t96.0\\tSố")
elif mode == "hang":
    time.sleep(120)
"""


@pytest.fixture
def fake_tesseract(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "tesseract"
    exe.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    exe.chmod(0o755)

    def use(mode: str) -> str:
        (bin_dir / "mode").write_text(mode, encoding="utf-8")
        return str(exe)

    return use


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    make_docs(folder, 2)
    for i in range(2):
        text_image(POSTER_VI[i:]).save(folder / f"scan{i}.png", dpi=(300, 300))  # different content
    return folder


@pytest.mark.parametrize("mode,message", [
    ("crash", "killed by signal 11"),
    ("exit", "exit code 1"),
    ("garbage", "not its TSV"),
    ("badrow", "malformed TSV row"),
    ("hang", "longer than 3 s"),
])
def test_a_misbehaving_tesseract_fails_the_page_and_the_batch_goes_on(tmp_path, fake_tesseract, mode, message):
    exe = fake_tesseract(mode)
    folder = _inputs(tmp_path)
    cfg = load_settings(overrides={"jobs": 2, "ocr.tesseract_timeout": 3.0, "ocr.orientation": False,
                                   "restore.enabled": False, "ocr.tesseract_cmd": exe})
    t0 = time.monotonic()
    rep = run([str(folder)], db=str(tmp_path / "a.sqlite"), config=cfg)
    assert time.monotonic() - t0 < 60
    by_name = {Path(f.path).name: f for f in rep.files}
    assert by_name["doc000.txt"].status == by_name["doc001.txt"].status == "ok"
    for name in ("scan0.png", "scan1.png"):
        f = by_name[name]
        assert (f.status, f.error_kind) == ("failed", "ocr_engine"), f
        assert message in f.error and name in f.error and "page 1" in f.error
    assert rep.exit_code == ExitCode.some_files_failed
