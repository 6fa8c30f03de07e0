"""Every command that takes `--db`, given a postgresql:// URL (and `db = "postgresql://…"` in
sohoa.toml): run, query, search, export, backup, serve (the review site), eval."""

from __future__ import annotations

import json
import urllib.parse

import pandas as pd
import pytest

from sohoa.errors import ExitCode
from sohoa.pipeline.archive import Archive
from sohoa.pipeline.cli import main
from tests.test_run import make_docs
from tests.test_serve_helpers import build_archive, client, post_form


@pytest.fixture
def stored(pg_url, tmp_path) -> str:
    make_docs(tmp_path / "in", 3)
    assert main(["-q", "run", str(tmp_path / "in"), "--db", pg_url, "--jobs", "1"]) == ExitCode.ok
    return pg_url


def test_run_then_run_again_skips_everything(stored, tmp_path, capsys):
    assert main(["run", str(tmp_path / "in"), "--db", stored, "--jobs", "1", "--report", "-"]) == ExitCode.ok
    report = json.loads(capsys.readouterr().out)
    assert report["files_ok"] == 0 and report["files_skipped"] == 3
    with Archive(stored, readonly=True) as a:
        assert len(a.files()) == 3 and a.runs().status.tolist() == ["done", "done"]


def test_query_search_export_on_a_url(stored, tmp_path, capsys):
    capsys.readouterr()
    assert main(["query", "--db", stored, "SELECT code FROM documents ORDER BY code", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["code", "100-KH/UBND", "101-KH/UBND", "102-KH/UBND"]
    assert main(["query", "--db", stored, "DELETE FROM documents"]) == ExitCode.database
    assert "read-only" in capsys.readouterr().err
    assert main(["search", "--db", stored, "binh phuoc", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
    assert main(["search", "--db", stored, "Chỉ thị 07-CT/TU"]) == 0
    assert "[Chỉ] [thị]" in capsys.readouterr().out
    assert main(["-q", "export", "--db", stored, "--format", "parquet", str(tmp_path / "out")]) == 0
    assert len(pd.read_parquet(tmp_path / "out" / "documents.parquet")) == 3


def test_db_url_in_sohoa_toml(stored, tmp_path, capsys, monkeypatch):
    cfg = tmp_path / "sohoa.toml"
    cfg.write_text(f'db = "{stored}"\n', encoding="utf-8")
    assert main(["query", "--config", str(cfg), "SELECT count(*) AS n FROM files", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"n": 3}]
    monkeypatch.chdir(tmp_path)  # ./sohoa.toml is read without --config
    assert main(["search", "ke hoach", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_backup_both_ways_through_the_command(stored, pg_server, tmp_path, capsys):
    copy = tmp_path / "copy.sqlite"
    assert main(["backup", "--db", stored, str(copy)]) == 0
    assert main(["backup", "--db", stored, str(copy)]) == ExitCode.database  # exists: --force to replace
    assert "exists" in capsys.readouterr().err
    second = pg_server.create_db("second_copy")
    assert main(["backup", "--db", str(copy), second]) == 0
    with Archive(second, readonly=True) as a, Archive(stored, readonly=True) as b:
        assert a.documents().drop(columns=["doc_id", "file_id"]).equals(b.documents().drop(columns=["doc_id", "file_id"]))
        assert a.search("binh phuoc").path.tolist() == b.search("binh phuoc").path.tolist()


@pytest.fixture
def review_url(pg_server, tmp_path) -> tuple[str, dict[str, int]]:
    """The review tests' archive (tests/test_serve_helpers), moved into PostgreSQL by `sohoa backup`."""
    db = tmp_path / "archive.sqlite"
    ids = build_archive(db, image_dir=tmp_path)
    url = pg_server.create_db(f"review_{tmp_path.name}"[:60])
    assert main(["backup", "--db", str(db), url]) == 0
    return url, ids


def test_review_site_on_postgresql(review_url):
    url, ids = review_url
    c = client(url, reviewer="lan")
    r = c.get("/")
    assert r.status_code == 200 and "46-KH/BTGTU" in r.text and "4211/VP-KGVX" in r.text
    body = c.get("/?q=" + urllib.parse.quote("ke hoach trien khai")).text
    assert "46-KH/BTGTU" in body and "4211/VP-KGVX" not in body
    assert "4211/VP-KGVX" in c.get("/?q=4211").text
    assert "doclink" not in c.get("/?q=khongcotu").text
    assert c.get(f"/doc/{ids['plan']}").status_code == 200
    r = post_form(c, f"/doc/{ids['plan']}/correct", {"target": "field", "field": "issuer",
                                                     "new_value": "Tỉnh ủy Kiên Giang"})
    assert r.status_code == 303
    r = post_form(c, f"/doc/{ids['plan']}/correct", {"target": "token", "page": "1", "line": "4", "idx": "10",
                                                     "new_value": "Thường"})
    assert r.status_code == 303
    with Archive(url, readonly=True) as a:
        rows = a.corrections()
        assert rows.target.tolist() == ["field", "token"] and rows.reviewer.tolist() == ["lan", "lan"]
        reviewed = a.documents_reviewed().set_index("doc_id").loc[ids["plan"]]
        assert reviewed.issuer == "Tỉnh ủy Kiên Giang" and reviewed.corrected_fields == "issuer"
        assert a.documents().set_index("doc_id").loc[ids["plan"]].issuer == "Ban Tuyên giáo Tỉnh ủy Kiên Giang"
    assert "<td>Tỉnh ủy Kiên Giang</td>" in c.get("/").text


def test_eval_reads_corrections_from_postgresql(review_url, capsys):
    url, ids = review_url
    with Archive(url) as a, a._write():
        a.conn.execute("INSERT INTO corrections(doc_id, file_sha256, target, field, old_value, new_value)"
                       " VALUES (?, ?, 'field', 'code', '4211/VP-KGVX', '4212/VP-KGVX')", (ids["letter"], "b" * 64))
    assert main(["eval", "--db", url, "--min-fields", "0.5"]) == 0
    assert "FIELDS=0.833" in capsys.readouterr().out


def test_serve_main_refuses_an_unreachable_url(tmp_path, capsys):
    from sohoa.pipeline import serve

    assert serve.main(["--db", f"postgresql://x@/nodb?host={tmp_path}"]) == ExitCode.database
    assert "cannot connect" in capsys.readouterr().err



def test_outputs_from_a_url(stored, tmp_path):
    assert main(["-q", "outputs", "--db", stored, "--text-out", str(tmp_path / "txt")]) == ExitCode.ok
    texts = sorted(p.name for p in (tmp_path / "txt").rglob("*.txt"))
    assert len(texts) == 3 and all("doc" in t for t in texts)


def test_serve_takes_the_url_of_sohoa_toml(stored, tmp_path, monkeypatch):
    from sohoa.pipeline.review import server

    seen = {}

    class Stopped:
        server_address = ("127.0.0.1", 8765)

        def serve_forever(self) -> None:
            raise KeyboardInterrupt

        def server_close(self) -> None:
            pass

    def fake_server(db, *args, **kwargs):
        seen["db"] = db
        return Stopped()

    monkeypatch.setattr(server, "make_server", fake_server)
    cfg = tmp_path / "sohoa.toml"
    cfg.write_text(f'db = "{stored}"\n', encoding="utf-8")
    assert main(["serve", "--config", str(cfg)]) == ExitCode.interrupted
    assert seen["db"] == stored  # the URL as given, not mangled into a path
