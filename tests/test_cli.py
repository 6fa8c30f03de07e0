"""Every `sohoa` command, in-process through pipeline.cli.main and once through the console script."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import sohoa.ocr.engine
from sohoa.errors import ExitCode
from sohoa.pipeline.cli import COMMANDS_HELP, main
from tests.test_run import make_docs
from tests.test_run_components import stages

ROOT = Path(__file__).resolve().parent.parent
SOHOA = Path(sys.executable).parent / "sohoa"
PARTY_DOC = (
    "TỈNH ỦY NGHỆ AN\nBAN TUYÊN GIÁO\nSố 12-KH/BTGTU\n\nĐẢNG CỘNG SẢN VIỆT NAM\n"
    "Nghệ An, ngày 15 tháng 3 năm 2022\n\nKẾ HOẠCH\ntriển khai Chỉ thị số 05-CT/TU\n"
)


def toml_with_stages(tmp_path: Path, *names: str) -> str:
    cfg = tmp_path / "test.toml"
    items = ", ".join(f'"{s}"' for s in stages(*names))
    cfg.write_text(f"stages = [{items}]\njobs = 2\n", encoding="utf-8")
    return str(cfg)


@pytest.fixture
def archive(tmp_path):
    make_docs(tmp_path / "in", 3)
    (tmp_path / "in" / "party.txt").write_text(PARTY_DOC, encoding="utf-8")
    db = tmp_path / "a.sqlite"
    rc = main(["run", str(tmp_path / "in"), "--db", str(db), "--quiet",
               "--config", toml_with_stages(tmp_path, "ocr", "code_records")])
    assert rc == 0
    return db


def test_version_and_help_of_every_command(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("sohoa ")
    for cmd in COMMANDS_HELP:
        assert main([cmd, "--help"]) == 0, cmd
        assert "usage: sohoa " + cmd in capsys.readouterr().out


def test_bad_arguments_are_exit_code_2(tmp_path, capsys):
    assert main([]) == ExitCode.bad_args
    assert main(["run"]) == ExitCode.bad_args
    assert main(["run", str(tmp_path), "--jobs", "many"]) == ExitCode.bad_args
    assert main(["nonsense"]) == ExitCode.bad_args
    capsys.readouterr()
    assert main(["run", str(tmp_path / "missing"), "--db", str(tmp_path / "a.db")]) == ExitCode.bad_args
    err = capsys.readouterr().err
    assert "missing" in err and "no such file" in err


def test_run_exit_codes_summary_and_report(tmp_path, capsys):
    make_docs(tmp_path / "in", 2)
    cfg = toml_with_stages(tmp_path, "ocr", "code_records")
    db, report = tmp_path / "a.sqlite", tmp_path / "report.json"
    assert main(["run", str(tmp_path / "in"), "--db", str(db), "--config", cfg, "--report", str(report)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""  # progress and summary are for people: stderr
    err = captured.err
    assert "files ok" in err and "pages/s" in err and "doc000.txt: ok" in err  # plain lines: not a TTY
    assert json.loads(report.read_text(encoding="utf-8"))["files_ok"] == 2

    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    assert main(["run", str(tmp_path / "in"), "--db", str(db), "--config", cfg]) == ExitCode.some_files_failed
    captured = capsys.readouterr()
    assert "empty.txt" in captured.err and "zero bytes" in captured.err
    assert "failed files" in captured.err and "empty_file" in captured.err and captured.out == ""


def test_report_to_stdout_quiet_and_verbose(tmp_path, capsys):
    make_docs(tmp_path / "in", 2)
    cfg = toml_with_stages(tmp_path, "ocr", "code_records")
    db = tmp_path / "a.sqlite"
    assert main(["-q", "run", str(tmp_path / "in"), "--db", str(db), "--config", cfg, "--report", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["files_ok"] == 2  # stdout is the report and nothing else
    assert captured.err == ""  # -q before the command: no progress, no summary
    assert main(["run", "-v", str(tmp_path / "in"), "--db", str(db), "--config", cfg, "--force"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "doc001.txt: ok" in captured.err


def test_db_of_sohoa_toml_is_used_by_commands_that_take_db(tmp_path, capsys, monkeypatch):
    make_docs(tmp_path / "in", 2)
    cfg = toml_with_stages(tmp_path, "ocr", "code_records")
    with open(cfg, "a", encoding="utf-8") as fh:
        fh.write(f'db = "{tmp_path / "from_toml.sqlite"}"\n')
    assert main(["-q", "run", str(tmp_path / "in"), "--config", cfg]) == 0
    assert (tmp_path / "from_toml.sqlite").is_file()
    capsys.readouterr()
    assert main(["query", "--config", cfg, "SELECT count(*) AS n FROM files", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"n": 2}]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sohoa.toml").write_text(Path(cfg).read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["search", "KH", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_database_error_is_exit_code_5(tmp_path, capsys):
    make_docs(tmp_path / "in", 1)
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 50)
    assert main(["run", str(tmp_path / "in"), "--db", str(tmp_path / "junk.sqlite")]) == ExitCode.database
    assert "junk.sqlite" in capsys.readouterr().err
    assert main(["query", "--db", str(tmp_path / "absent.sqlite"), "SELECT 1"]) == ExitCode.database


def test_missing_tesseract_is_exit_code_3_only_when_a_scan_needs_it(tmp_path, capsys, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(sohoa.ocr.engine, "TESSERACT_CMD", "tesseract-not-installed-here")
    make_docs(tmp_path / "in", 1)
    cfg = toml_with_stages(tmp_path, "ocr", "code_records")
    db = tmp_path / "a.sqlite"
    assert main(["run", str(tmp_path / "in"), "--db", str(db), "--config", cfg]) == 0  # text needs no OCR
    Image.new("L", (400, 300), 255).save(tmp_path / "in" / "scan.png")
    capsys.readouterr()
    assert main(["run", str(tmp_path / "in"), "--db", str(db), "--config", cfg]) == ExitCode.missing_dependency
    captured = capsys.readouterr()
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in captured.out + captured.err
    assert "scan.png" in captured.err


def test_ocr_prints_pages_separated_by_form_feeds(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text("Trang một\fTrang hai\n", encoding="utf-8")
    assert main(["ocr", str(f), "--raw"]) == 0
    assert capsys.readouterr().out == "Trang một\fTrang hai\n"
    assert main(["ocr", str(f)]) == 0
    assert capsys.readouterr().out.count("\f") == 1
    assert main(["ocr", str(tmp_path / "absent.txt")]) == ExitCode.input_file


def test_single_file_commands_report_unreadable_input(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["ocr", str(tmp_path / "empty.txt")]) == ExitCode.input_file
    assert main(["extract", str(tmp_path / "empty.txt")]) == ExitCode.input_file
    assert "empty.txt" in capsys.readouterr().err


def test_extract_prints_a_json_list_of_schema_records(tmp_path, capsys):
    f = tmp_path / "party.txt"
    f.write_text(PARTY_DOC, encoding="utf-8")
    assert main(["extract", str(f), "--no-restore"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert isinstance(records, list) and records
    assert {"doc_type", "code", "issuer", "date", "references", "tasks", "recipients", "signers"} <= set(records[0])
    assert records[0]["code"] == "12-KH/BTGTU"
    assert main(["extract", str(f), "--no-restore", "--format", "table"]) == 0
    assert "12-KH/BTGTU" in capsys.readouterr().out


def test_query_formats_and_read_only(archive, capsys):
    sql = "SELECT code FROM documents ORDER BY code"
    assert main(["query", "--db", str(archive), sql, "--format", "json"]) == 0
    codes = [r["code"] for r in json.loads(capsys.readouterr().out)]
    assert codes == ["100-KH/UBND", "101-KH/UBND", "102-KH/UBND", "12-KH/BTGTU"]
    assert main(["query", "--db", str(archive), sql, "--format", "csv"]) == 0
    assert list(csv.DictReader(io.StringIO(capsys.readouterr().out)))[3]["code"] == "12-KH/BTGTU"
    assert main(["query", "--db", str(archive), sql]) == 0
    assert "102-KH/UBND" in capsys.readouterr().out
    assert main(["query", "--db", str(archive), "DELETE FROM documents"]) == ExitCode.database
    assert main(["query", "--db", str(archive), "SELECT count(*) AS n FROM documents", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"n": 4}]


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export(archive, tmp_path, capsys, fmt):
    out = tmp_path / "export"
    assert main(["export", "--db", str(archive), "--format", fmt, str(out)]) == 0
    names = {p.stem for p in out.iterdir()}
    assert {"documents", "refs", "tasks", "corrections", "files", "pages", "tokens", "runs"} <= names
    assert main(["export", "--db", str(archive), "--format", fmt, str(tmp_path / "two"),
                 "--tables", "documents", "refs"]) == 0
    assert {p.name for p in (tmp_path / "two").iterdir()} == {f"documents.{fmt}", f"refs.{fmt}"}


def test_search(archive, capsys):
    assert main(["search", "--db", str(archive), "tinh", "uy", "nghe", "an"]) == 0
    out = capsys.readouterr().out
    assert "12-KH/BTGTU" in out and "party.txt" in out and "[Nghệ] [An]" in out
    assert main(["search", "--db", str(archive), "Bình Phước", "--format", "json", "--limit", "2"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_restore_keeps_the_line_count(tmp_path):
    text = "Chi thi so 07-CT/TU\n\nDang uy tinh\r\nKE HOACH\n"
    proc = subprocess.run([sys.executable, "-m", "sohoa.pipeline.cli", "restore"], input=text.encode("utf-8"),
                          capture_output=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode("utf-8")
    assert out.count("\n") == 4 and out.split("\n")[1] == ""
    assert proc.stdout.decode("utf-8").split("\n")[0].startswith("Ch")


def test_lazy_commands_do_not_import_heavy_modules_at_start_up():
    code = ("import sys; from sohoa.pipeline.cli import main; rc = main(['query', '--help']);"
            "print(sorted(m for m in ('dask', 'distributed', 'flask', 'pandas', 'cv2', 'sohoa.pipeline.serve')"
            " if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.slow
def test_console_script_runs_a_batch(tmp_path):
    assert SOHOA.exists(), "install the package: .venv/bin/pip install -e ."
    make_docs(tmp_path / "in", 2)
    db = tmp_path / "a.sqlite"
    cfg = toml_with_stages(tmp_path, "ocr", "code_records")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([str(SOHOA), "run", str(tmp_path / "in"), "--db", str(db), "--config", cfg],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "files ok" in proc.stderr and proc.stdout == ""
    proc = subprocess.run([str(SOHOA), "query", "--db", str(db), "SELECT count(*) AS n FROM files", "--format",
                           "csv"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert proc.stdout.split() == ["n", "2"]


def test_train_passes_its_arguments_and_prints_json(tmp_path, capsys, monkeypatch):
    import sohoa.normalize.train

    calls = []

    def fake_train(corpus_dir, out_dir, seed=0, log=print):
        log("training…")  # progress must not pollute stdout's JSON
        calls.append((corpus_dir, out_dir, seed))
        return {"lm": {"unigrams": 3}}

    monkeypatch.setattr(sohoa.normalize.train, "train", fake_train)
    (tmp_path / "corpus").mkdir()
    assert main(["train", "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "m"), "--seed", "7"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"lm": {"unigrams": 3}} and "training…" in captured.err
    assert calls == [(str(tmp_path / "corpus"), str(tmp_path / "m"), 7)]
    assert main(["train", "--corpus", str(tmp_path / "absent")]) == ExitCode.bad_args


def test_train_passes_real_pages_and_their_holdout(tmp_path, capsys, monkeypatch):
    import sohoa.normalize.train

    calls = []

    def fake_train(corpus_dir, out_dir, seed=0, real_dir=None, real_holdout=(), log=print):
        calls.append((real_dir, real_holdout))
        return {}

    monkeypatch.setattr(sohoa.normalize.train, "train", fake_train)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "real").mkdir()
    args = ["train", "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "m")]
    assert main([*args, "--real", str(tmp_path / "real"), "--real-holdout", "p2,p5"]) == 0
    assert calls == [(str(tmp_path / "real"), ("p2", "p5"))]
    assert main([*args, "--real", str(tmp_path / "absent")]) == ExitCode.bad_args
    capsys.readouterr()
