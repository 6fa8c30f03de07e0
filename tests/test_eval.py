"""`sohoa eval`: scoring rules, gold folders, archive predictions, reviewer corrections as gold."""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

import pytest

from sohoa.pipeline import evaluate
from sohoa.pipeline.evaluate import (
    Evaluation,
    Prediction,
    apply_field_corrections,
    evaluate_corrections,
    evaluate_gold_dir,
    field_matches,
    old_style_tones,
    score_record,
    score_text,
)
from sohoa.record import Record
from tests.test_serve_helpers import PLAN_LINES, build_archive

GOLD = {
    "doc_type": "Kế hoạch", "number": "46", "symbol": "KH/BTGTU", "code": "46-KH/BTGTU",
    "issuer": "Ban Tuyên giáo Tỉnh ủy Kiên Giang", "place": "Kiên Giang", "date": "2021-06-08",
    "subject": "Triển khai thực hiện Chỉ thị số 07-CT/TU",
    "recipients": ["Các sở, ban, ngành tỉnh", "Lưu VT"],
    "signers": [{"authority": "T/M Ban Thường vụ", "position": "Phó Bí thư", "name": "Huỳnh Thị Hằng"}],
    "references": [{"code": "07-CT/TU"}, {"code": "05-CT/TW"}],
    "tasks": [{"assignee": "Sở Thông tin và Truyền thông"}, {"assignee": "Công an tỉnh"}],
}


def test_old_style_tone_placement() -> None:
    assert old_style_tones("hoà thuỷ khoẻ Hoà") == "hòa thủy khỏe Hòa"
    assert old_style_tones("hoàn thuyền quý") == "hoàn thuyền quý"  # closed syllables, qu-


def test_field_matching_rules() -> None:
    assert field_matches("code", "46-KH/BTGTU", "46 - KH/BTGTU")
    assert field_matches("code", "119/QĐ-UBND", "119/QD-UBND")
    assert not field_matches("code", "46-KH/BTGTU", "47-KH/BTGTU")
    assert field_matches("issuer", "Ban Tuyên giáo Tỉnh ủy Kiên Giang", "Ban Tuyên giáo Tỉnh uỷ Kiên Giang.")
    assert not field_matches("date", "2021-06-08", "2021-06-09")
    assert not field_matches("place", "Kiên Giang", None)


def test_score_record_counts_fields_and_list_f1() -> None:
    pred = json.loads(json.dumps(GOLD))
    pred["date"] = "2021-06-09"
    pred["signers"][0]["name"] = None
    pred["references"] = [{"code": "07-CT/TU"}, {"code": "99-CT/TW"}, {"code": "05-CT/TW"}]
    pred["tasks"] = [{"assignee": "Sở Thông tin và Truyền thông"}]
    s = score_record(Record.from_dict(GOLD), Record.from_dict(pred))
    assert s.fields["date"] == [0, 1] and s.fields["signer.name"] == [0, 1]
    assert s.field_accuracy == pytest.approx(7 / 9)  # 6 header + 3 signer fields, 2 wrong
    assert (s.refs.tp, s.refs.gold, s.refs.pred) == (2, 2, 3)
    assert s.refs.f1 == pytest.approx(2 * (2 / 3) * 1 / (2 / 3 + 1))
    assert s.tasks.f1 == pytest.approx(2 * 1 * 0.5 / 1.5)
    assert s.recipients.f1 == 1.0
    assert any("date" in m for m in s.misses)


def test_null_gold_fields_are_not_scored() -> None:
    s = score_record(Record(code=None, date="2021-06"), Record(code="X", date="2021-06"))
    assert s.fields == {"date": [1, 1]}


def test_score_text_cer_and_ser() -> None:
    s = score_text("Ủy ban nhân dân tỉnh", "Uy ban nhan dân tinh")
    assert (s.char_edits, s.chars, s.syl_edits, s.syls) == (3, 20, 3, 5)
    assert score_text("hoà  thuận\nnhân dân", "hòa thuận nhân dân").cer == 0.0  # tone style, spacing


def _gold_dir(tmp_path: Path) -> Path:
    samples = tmp_path / "samples"
    gold = samples / "gold"
    gold.mkdir(parents=True)
    (samples / "kh46.txt").write_text("input text of the plan", encoding="utf-8")
    (gold / "kh46.json").write_text(json.dumps([GOLD], ensure_ascii=False), encoding="utf-8")
    (gold / "kh46.txt").write_text("Kế hoạch số 46", encoding="utf-8")
    (samples / "cv12_scan.pdf").write_bytes(b"%PDF-1.4 fake")
    (gold / "cv12.txt").write_text("Công văn", encoding="utf-8")
    (gold / "orphan.json").write_text("[]", encoding="utf-8")
    return gold


def test_gold_dir_pairs_inputs_and_scores_predictions(tmp_path: Path) -> None:
    gold = _gold_dir(tmp_path)
    seen = []

    def predict(path: Path) -> Prediction:
        seen.append(path.name)
        if path.name == "kh46.txt":
            return Prediction([Record.from_dict({**GOLD, "issuer": "Tỉnh ủy Kiên Giang"})], "Kế hoạch số 46", "run")
        return Prediction([], "Công vǎn", "run")

    ev = Evaluation()
    evaluate_gold_dir(ev, gold, [gold, gold.parent], None, predict)
    assert sorted(seen) == ["cv12_scan.pdf", "kh46.txt"]  # the gold .txt is never taken for an input
    summary = ev.summary()
    assert summary["fields"] == pytest.approx(8 / 9)
    assert summary["per_field"]["issuer"] == {"ok": 0, "total": 1}
    assert summary["cer"] == pytest.approx(1 / (len("Kế hoạch số 46") + len("Công văn")))
    assert any("orphan" in p for p in summary["problems"])


def test_main_json_output_and_threshold_exit(tmp_path: Path, monkeypatch, capsys) -> None:
    gold = _gold_dir(tmp_path)
    monkeypatch.setattr(evaluate, "prediction_from_pipeline",
                        lambda path, config=None: Prediction([Record.from_dict(GOLD)], "Kế hoạch số 46", "run"))
    assert evaluate.main([str(gold), "--format", "json", "--min-fields", "0.99"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fields"] == 1.0 and out["refs_f1"] == 1.0
    monkeypatch.setattr(evaluate, "prediction_from_pipeline",
                        lambda path, config=None: Prediction([Record.from_dict({**GOLD, "code": "1/XX"})], "", "run"))
    assert evaluate.main([str(gold), "--min-fields", "0.99"]) == 1
    captured = capsys.readouterr()
    assert "FIELDS=0.889" in captured.out and "below the threshold" in captured.err
    assert evaluate.main([]) == 2
    assert evaluate.main([str(tmp_path / "nope")]) == 2


def test_predictions_come_from_the_archive_when_it_holds_the_file(tmp_path: Path, monkeypatch) -> None:
    from sohoa.pipeline.config import load_settings
    from sohoa.pipeline.run import run

    samples = tmp_path / "samples"
    gold = samples / "gold"
    gold.mkdir(parents=True)
    text = "ỦY BAN NHÂN DÂN TỈNH AN GIANG\nSố: 4211/UBND-VP\n\nV/v thực hiện Chỉ thị 07-CT/TU\n"
    (samples / "cv.txt").write_text(text, encoding="utf-8")
    (gold / "cv.txt").write_text(text.replace("4211", "4212"), encoding="utf-8")
    db = tmp_path / "a.sqlite"
    report = run([str(samples / "cv.txt")], db=str(db), jobs=1, config=load_settings(None, cwd=str(tmp_path)))
    assert report.files_ok == 1

    def no_pipeline(path, config=None):
        raise AssertionError("the archive holds this file: the pipeline must not run")

    monkeypatch.setattr(evaluate, "prediction_from_pipeline", no_pipeline)
    args = argparse.Namespace(gold_dir=gold, db=db, inputs=None, no_corrections=False, format="json",
                              verbose=False, min_fields=None, max_cer=None, max_ser=None)
    summary = evaluate.run_evaluation(args)
    stored = sqlite3.connect(db).execute("SELECT text FROM pages ORDER BY page").fetchall()
    expected = score_text(text.replace("4211", "4212"), "\f".join(r[0] for r in stored))
    assert summary["items"][0]["source"] == "archive"
    assert summary["cer"] == pytest.approx(expected.cer) and summary["cer"] > 0


def _add_correction(db: Path, **row) -> None:
    conn = sqlite3.connect(db)
    cols = ", ".join(row)
    conn.execute(f"INSERT INTO corrections ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    conn.commit()
    conn.close()


def test_reviewer_corrections_become_gold(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    ids = build_archive(db)
    _add_correction(db, doc_id=ids["plan"], file_sha256="a" * 64, target="field", field="issuer",
                    old_value="x", new_value="Wrong first")
    _add_correction(db, doc_id=ids["plan"], file_sha256="a" * 64, target="field", field="issuer",
                    old_value="x", new_value="Tỉnh ủy Kiên Giang")  # the newest correction wins
    _add_correction(db, doc_id=ids["plan"], file_sha256="a" * 64, target="token", page=1, line=4, idx=10,
                    old_value="Thường", new_value="Thường trực")
    ev = Evaluation()
    conn = sqlite3.connect(db)
    assert evaluate_corrections(ev, conn) == 2
    s = ev.summary()
    # 6 header fields + signer.position: only the corrected issuer disagrees with the machine
    assert s["per_field"]["issuer"] == {"ok": 0, "total": 1}
    assert s["fields"] == pytest.approx(6 / 7)
    assert any("Tỉnh ủy Kiên Giang" in m for m in s["misses"])
    syllables = sum(len(line.split()) for block in PLAN_LINES for line in block)
    assert s["ser"] == pytest.approx(1 / (syllables + 1))  # one syllable missing from the machine text


def test_corrections_survive_a_rerun_that_renumbers_documents(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    ids = build_archive(db)
    _add_correction(db, doc_id=None, file_sha256="b" * 64, target="field", field="place",
                    old_value="An Giang", new_value="Châu Đốc")
    ev = Evaluation()
    assert evaluate_corrections(ev, sqlite3.connect(db)) == 1
    assert ev.items[0]["item"].startswith(f"doc {ids['letter']}")
    assert ev.summary()["per_field"]["place"] == {"ok": 0, "total": 1}


def test_apply_field_corrections_handles_lists_and_signers() -> None:
    out = apply_field_corrections(Record.from_dict(GOLD), {
        "recipients": '["Sở Nội vụ"]', "tasks": "not json\nSở Y tế", "signer.name": "Lê Văn A", "place": "",
    })
    assert out.recipients == ["Sở Nội vụ"] and [t.assignee for t in out.tasks] == ["not json", "Sở Y tế"]
    assert out.signers[0].name == "Lê Văn A" and out.place is None
    assert GOLD["signers"][0]["name"] == "Huỳnh Thị Hằng"  # the input record is not changed


def test_eval_through_the_sohoa_command(tmp_path: Path, capsys) -> None:
    from sohoa.pipeline.cli import main

    db = tmp_path / "a.sqlite"
    ids = build_archive(db)
    _add_correction(db, doc_id=ids["letter"], file_sha256="b" * 64, target="field", field="code",
                    old_value="4211/VP-KGVX", new_value="4212/VP-KGVX")
    assert main(["eval", "--db", str(db), "--min-fields", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "FIELDS=0.833" in out  # 5 of 6 header fields of the letter kept
    assert main(["eval", "--db", str(db), "--min-fields", "0.9"]) == 1
