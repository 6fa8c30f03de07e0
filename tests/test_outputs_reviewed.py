"""`sohoa outputs`: the archived outputs carry the reviewed text (token corrections applied)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from sohoa.document import Block, Line, Page, Token, Word
from sohoa.pipeline.cli import main
from sohoa.pipeline.config import load_settings
from sohoa.pipeline.reviewed_outputs import apply_token_corrections, write_reviewed_outputs
from sohoa.pipeline.run import run
from tests.test_run_ocr import LINES, _font, render, tesseract  # noqa: F401 — the fixture


def test_token_corrections_replace_the_restored_tokens():
    from sohoa.document import Document

    line = Line([Word("khân", (0, 0, 10, 10)), Word("trương", (12, 0, 30, 10))], (0, 0, 30, 10),
                "khán trương", [Token("khán", "khân", 0.4, True), Token("trương", "trương", 0.9, False)])
    plain = Line([Word("Số:", (0, 20, 10, 30)), Word("2l5", (12, 20, 30, 30))], (0, 20, 30, 30))
    doc = Document("x", [Page(1, [Block([line, plain])], 100, 100, source="ocr")])
    n = apply_token_corrections(doc, {(1, 0, 0): "khẩn", (1, 1, 1): "215", (2, 0, 0): "nowhere"})
    assert n == 2
    assert doc.pages[0].text() == "khẩn trương\nSố: 215"
    assert doc.pages[0].text(restored=False) == "khân trương\nSố: 2l5"  # the reading is kept


@pytest.mark.slow
def test_outputs_carry_the_reviewed_text(tmp_path, tesseract, capsys):  # noqa: F811
    folder = tmp_path / "in"
    folder.mkdir()
    render(LINES, _font(48)).save(folder / "scan.png", dpi=(300, 300))
    db = tmp_path / "a.sqlite"
    rep = run([str(folder)], db=str(db), config=load_settings(overrides={"jobs": 1, "gate.accept_any": True}))
    assert rep.files_ok == 1, [f.error for f in rep.files]
    con = sqlite3.connect(db)
    page, line, idx, text = con.execute("SELECT page, line, idx, text FROM tokens WHERE text LIKE '215%'").fetchone()
    sha = con.execute("SELECT sha256 FROM files").fetchone()[0]
    con.execute("INSERT INTO corrections(file_sha256, target, page, line, idx, old_value, new_value, reviewer) "
                "VALUES (?, 'token', ?, ?, ?, ?, ?, 'test')", (sha, page, line, idx, text, "216/UBND-KT"))
    con.commit()
    con.close()
    assert main(["outputs", "--db", str(db), "--pdf-out", str(tmp_path / "pdf"), "--alto", str(tmp_path / "alto"),
                 "--text-out", str(tmp_path / "txt")]) == 0
    assert "1 reviewed tokens applied" in capsys.readouterr().err
    layer = subprocess.run(["pdftotext", str(tmp_path / "pdf" / "scan.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert "216/UBND-KT" in layer and "215/UBND" not in layer
    assert "216/UBND-KT" in (tmp_path / "txt" / "scan.txt").read_text(encoding="utf-8")
    alto = (tmp_path / "alto" / "scan.p001.xml").read_text(encoding="utf-8")
    assert 'CONTENT="216/UBND-KT"' in alto and "<ALTERNATIVE" in alto  # the engine's reading kept beside it

    (folder / "scan.png").write_bytes(b"changed")
    report = write_reviewed_outputs(load_settings(overrides={"db": str(db), "output.text_dir": str(tmp_path / "t2")}))
    assert report.written == [] and "changed since it was stored" in report.failed[0]
    assert not Path(tmp_path / "t2" / "scan.txt").exists()


def test_outputs_needs_a_target_dir(tmp_path, capsys):
    assert main(["outputs", "--db", str(tmp_path / "a.sqlite")]) == 2
    assert "nothing to write" in capsys.readouterr().err
