"""Số and ngày a person must check: flagged with the reason, the engine's confidence and the box."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sohoa.extract.records import extract_text
from sohoa.extract.review import LOW_CONFIDENCE, assess
from sohoa.record import FieldSource, Record, Source

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "dev" / "real"


def _record(conf: float | None, *, number: str | None = "155", date: str | None = "2020-12-31",
            code: str | None = "155/2020/NĐ-CP") -> Record:
    fields = {"number": FieldSource(0, 3, 1, [10, 10, 60, 30], conf),
              "code": FieldSource(0, 14, 1, [10, 10, 200, 30], conf),
              "symbol": FieldSource(9, 14, 1, [120, 10, 200, 30], 0.97),
              "date": FieldSource(30, 50, 1, [300, 10, 500, 30], conf)}
    return Record(doc_type="Nghị định", number=number, symbol="NĐ-CP", code=code, date=date,
                  source=Source(file="x.jpg", pages=[1], fields=fields))


def test_certain_reads_are_not_flagged():
    assert assess(_record(0.95)) == []
    assert assess(_record(None)) == []  # text input: no engine confidence


def test_unsure_number_and_date_are_flagged_with_their_box():
    flags = assess(_record(LOW_CONFIDENCE - 0.3))
    by = {(f.field, f.reason) for f in flags}
    assert by == {("number", "low_confidence"), ("code", "low_confidence"), ("date", "low_confidence")}
    number = next(f for f in flags if f.field == "number")
    assert number.read == "155" and number.page == 1 and number.box == [10, 10, 60, 30]


def test_unreadable_blanks_and_contradictions():
    partial = assess(_record(0.95, date="2020-12"))
    assert [(f.field, f.reason) for f in partial] == [("date", "unreadable")]
    no_number = assess(_record(0.95, number=None, code=None))
    assert ("number", "unreadable") in {(f.field, f.reason) for f in no_number}
    assert next(f for f in no_number if f.field == "number").box == [120, 10, 200, 30]
    wrong_year = assess(_record(0.95, date="2019-12-31"))
    assert [(f.field, f.reason) for f in wrong_year] == [("date", "inconsistent")]


def test_flags_and_confidence_survive_the_json_contract():
    rec = _record(0.2)
    rec.review = assess(rec)
    d = rec.to_dict()
    assert d["needs_review"] is True and d["confidence"]["number"] == 0.2
    back = Record.from_dict(json.loads(json.dumps(d, ensure_ascii=False)))
    assert back.review == rec.review and back.needs_review
    assert back.source.fields["date"].conf == 0.2


@pytest.mark.skipif(not (REAL / "nd155_2020_p1.jpg").exists(), reason="../shared/dev/real is not beside the checkout")
def test_real_handwritten_fill_ins_are_never_unflagged():
    """Every handwritten số / ngày of the real dev pages is either read right or flagged."""
    for gold_path in sorted(REAL.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        gold = gold[0] if isinstance(gold, list) else gold
        hand = gold.get("handwritten") or []
        if not hand:
            continue
        out = subprocess.run([sys.executable, "-m", "sohoa", "extract", "--format", "json", "--jobs", "1",
                              str(gold_path.with_suffix(".jpg"))], capture_output=True, text=True, check=True)
        rec = json.loads(out.stdout)[0]
        flagged = {f["field"] for f in rec["review"]}
        for name in hand:
            field = "code" if name == "number" else name
            assert rec[field] == gold[field] or name in flagged, (gold_path.name, name, rec[field])


def test_a_place_and_date_line_with_an_unreadable_date_still_gives_the_place():
    text = ("ỦY BAN NHÂN DÂN\nTỈNH THÁI BÌNH\nSố: 1876/QĐ-UBND\nThái Bình, ngày 1 thung Ñ năm 23023\n\n"
            "QUYẾT ĐỊNH\nVề việc thành lập Tổ công tác\n")
    rec = extract_text(text)[0]
    assert rec.place == "Thái Bình" and rec.date is None
    assert [(f.field, f.reason) for f in rec.review] == [("date", "unreadable")]
