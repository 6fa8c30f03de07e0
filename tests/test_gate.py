"""The document gate: only Vietnamese administrative documents become records.

Non-documents (tests/gate_fixtures.py) are `skipped` with reason `not_a_document` (a `files` row,
no document row); the directives of data/samples (gold text), the seeds (badly garbled real OCR,
as they are, without restoration) and the real dev pages' ground truth all pass."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from sohoa.pipeline.config import load_settings
from sohoa.pipeline.gate import judge, structure_markers
from sohoa.pipeline.run import run
from tests.gate_fixtures import TEXTS, build_non_documents
from tests.test_run import make_docs

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
POSITIVE_TEXTS = (sorted((ROOT / "data" / "samples" / "gold").glob("*.txt"))
                  + sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "dev" / "real").glob("*.gt.txt")))


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_non_documents_do_not_pass(name):
    v = judge([TEXTS[name]])
    assert not v.is_document, v
    assert v.reason


@pytest.mark.parametrize("path", POSITIVE_TEXTS, ids=lambda p: p.name)
def test_directives_pass_even_badly_garbled(path):
    v = judge([path.read_text(encoding="utf-8")])
    assert v.is_document, v


def test_positive_sets_are_present():
    assert len(list((ROOT / "data" / "samples" / "gold").glob("*.txt"))) >= 7


def test_markers_tolerate_ocr_garble():
    garbled = ("UBND TINH KIEN GIANG CONG HOA XA HOQI CHU NGHIA VIET NAM\nVAN PHONG Djc 14p - Tw do - Hanh phic\n"
               "Sé: AL /VP-KGVX Kién Giang, ngay ot{ thang 6 ndm 2021\nKinh giri:\n")
    assert {"quoc_hieu", "so_ky_hieu", "date_line", "issuer", "kinh_gui"} <= structure_markers(garbled)
    # the same words in running prose are not header markers
    prose = ("Hôm qua ủy ban nhân dân tỉnh đã họp về số liệu 46-KH/BTGTU, kính gửi lời cảm ơn tới "
             "người dân, nơi nhận quà là nhà văn hóa xã.")
    assert structure_markers(prose) <= {"so_ky_hieu"}


def test_thresholds_are_settings():
    doc = (ROOT / "data" / "samples" / "gold" / "tb_vp_ubnd_camlam.txt").read_text(encoding="utf-8")
    assert judge([doc]).is_document
    assert not judge([doc], min_markers=99).is_document
    assert not judge([doc], min_valid_share=1.01).is_document


def _cfg(**over):
    return load_settings(overrides={"jobs": 2, "walk.include": ["*"], **over})  # the gate sees every file


def test_run_skips_non_documents_and_keeps_directives(tmp_path):
    folder = tmp_path / "in"
    junk = build_non_documents(folder / "junk")
    good = make_docs(folder / "docs", 2)
    db = tmp_path / "a.sqlite"
    report_path = tmp_path / "run.json"
    rep = run([str(folder)], db=str(db), config=_cfg())
    rep.write_json(str(report_path))

    by_name = {Path(f.path).name: f for f in rep.files}
    assert {n for n, f in by_name.items() if f.status == "ok"} == {p.name for p in good}
    for name in junk:
        f = by_name[name]
        assert (f.status, f.error_kind) == ("skipped", "not_a_document"), (name, f)
        assert name in f.error and "--accept-any" in f.error
    con = sqlite3.connect(db)
    rows = dict(con.execute("SELECT path, status || ':' || coalesce(error_kind, '') FROM files").fetchall())
    assert {Path(p).name for p, s in rows.items() if s == "skipped:not_a_document"} == set(junk)
    junk_docs = con.execute("SELECT count(*) FROM documents d JOIN files f USING (file_id)"
                            " WHERE f.status != 'ok'").fetchone()[0]
    assert junk_docs == 0
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == len(good)
    assert con.execute("SELECT count(*) FROM pages p JOIN files f USING (file_id)"
                       " WHERE f.status = 'skipped'").fetchone()[0] == 0
    gate = json.loads(con.execute("SELECT reports_json FROM files WHERE path LIKE '%english_news.txt'").fetchone()[0])
    assert gate["gate"]["is_document"] is False and gate["gate"]["valid_share"] < 0.4
    reported = json.loads(report_path.read_text(encoding="utf-8"))
    assert sum(f["error_kind"] == "not_a_document" for f in reported["files"]) == len(junk)
    assert reported["exit_code"] == 0

    # A re-run does not read them again; --accept-any (gate.accept_any) stores them after all.
    rep2 = run([str(folder)], db=str(db), config=_cfg())
    assert rep2.files_skipped == len(junk) + len(good) and rep2.files_ok == 0
    again = [f for f in rep2.files if f.error_kind == "not_a_document"]
    assert len(again) == len(junk) and all("earlier run" in f.error for f in again)
    rep3 = run([str(folder / "junk")], db=str(db), config=_cfg(**{"gate.accept_any": True}))
    assert rep3.files_ok == len(junk)
    assert con.execute("SELECT count(*) FROM files WHERE status = 'skipped'").fetchone()[0] == 0
    # …and without it, --force judges them again and removes the rows accepted before.
    rep4 = run([str(folder / "junk" / "english_news.txt")], db=str(db), config=_cfg(), force=True)
    assert rep4.files[0].error_kind == "not_a_document"
    assert con.execute("SELECT count(*) FROM documents d JOIN files f USING (file_id)"
                       " WHERE f.path LIKE '%english_news.txt'").fetchone()[0] == 0
