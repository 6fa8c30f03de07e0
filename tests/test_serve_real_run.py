"""The review page over what `sohoa run` really writes: field spans land on the right characters
even for a document that starts on page 2 of its file, and corrections feed `sohoa eval`."""

from __future__ import annotations

import json
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.test_serve_helpers import client, post_form

COVER = """ỦY BAN NHÂN DÂN
TỈNH HẬU GIANG
Số: 1520/UBND-VX

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hậu Giang, ngày 12 tháng 4 năm 2022

V/v triển khai Kế hoạch thực hiện Chỉ thị số 07-CT/TU

Kính gửi: Các sở, ban, ngành tỉnh

Ủy ban nhân dân tỉnh gửi kèm Kế hoạch số 88/KH-UBND ngày 12/4/2022 để các cơ quan, đơn vị triển khai.

Nơi nhận:
- Như trên;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Trần Văn Huyến
"""
PLAN = """ỦY BAN NHÂN DÂN
TỈNH HẬU GIANG
Số: 88/KH-UBND

Hậu Giang, ngày 12 tháng 4 năm 2022

KẾ HOẠCH
Thực hiện Chỉ thị số 07-CT/TU ngày 04/6/2021 của Ban Thường vụ Tỉnh ủy

1. Sở Thông tin và Truyền thông chủ trì, phối hợp với Công an tỉnh triển khai, hoàn thành trong tháng 6/2022.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An
"""


class FieldText(HTMLParser):
    """Collects, per field name, the text of the elements tagged data-fields inside #doctext."""

    def __init__(self) -> None:
        super().__init__()
        self.in_text = False
        self.stack: list[tuple[list[str], str | None, str | None]] = []
        self.fields: dict[str, str] = {}
        self.tokens: dict[str, list[str]] = {}  # data-tok → [data-word, text shown]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "pre" and a.get("id") == "doctext":
            self.in_text = True
        if self.in_text and tag == "span":
            self.stack.append(((a.get("data-fields") or "").split(), a.get("data-tok"), a.get("data-word")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.in_text = False
        if self.in_text and tag == "span" and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_text and self.stack:
            fields, tok, word = self.stack[-1]
            for f in fields:
                self.fields[f] = self.fields.get(f, "") + data
            if tok:
                self.tokens.setdefault(tok, [word or "", ""])[1] += data


@pytest.fixture(scope="module")
def real_archive(tmp_path_factory) -> Path:
    from sohoa.pipeline.config import load_settings
    from sohoa.pipeline.run import run

    folder = tmp_path_factory.mktemp("realrun")
    (folder / "cover_and_plan.txt").write_text(COVER + "\f" + PLAN, encoding="utf-8")
    db = folder / "archive.sqlite"
    report = run([str(folder / "cover_and_plan.txt")], db=str(db), jobs=1, config=load_settings(None, cwd=str(folder)))
    assert report.files_ok == 1
    conn = sqlite3.connect(db)  # the run stored where the file is, whatever directory it ran in
    assert conn.execute("SELECT abs_path FROM file_paths").fetchall() == [(str(folder / "cover_and_plan.txt"),)]
    return db


def test_spans_highlight_the_right_text_on_every_page(real_archive: Path) -> None:
    conn = sqlite3.connect(real_archive)
    file_text = "\f".join(r[0] for r in conn.execute("SELECT text FROM pages ORDER BY page"))
    docs = conn.execute("SELECT doc_id, page_from, source_json FROM documents ORDER BY seq").fetchall()
    assert docs, "the extractor found no document"
    checked, checked_later_page = 0, 0
    c = client(real_archive)
    for doc_id, page_from, source_json in docs:
        body = c.get(f"/doc/{doc_id}").text
        parser = FieldText()
        parser.feed(body)
        for name, loc in (json.loads(source_json).get("fields") or {}).items():
            if not isinstance(loc, dict) or loc.get("start") is None:
                continue
            expected = file_text[loc["start"]:loc["end"]]
            # the first contiguous run of the field's text starts with what the span covers
            assert parser.fields.get(name, "").startswith(expected.replace("\f", "")), (doc_id, name, expected)
            checked += 1
            checked_later_page += int((page_from or 1) > 1)
        assert parser.tokens, f"no token of document {doc_id} was placed in its text"
        assert all(word == shown for word, shown in parser.tokens.values())
    assert checked >= 3
    if any((p or 1) > 1 for _, p, _ in docs):  # the plan on page 2: its spans were shifted correctly
        assert checked_later_page >= 1


def test_review_then_eval_uses_the_correction(real_archive: Path, capsys, tmp_path: Path) -> None:
    import pandas as pd

    from sohoa.pipeline import evaluate
    from sohoa.pipeline.archive import Archive

    conn = sqlite3.connect(real_archive)
    doc_id, subject = conn.execute("SELECT doc_id, subject FROM documents ORDER BY seq LIMIT 1").fetchone()
    c = client(real_archive, reviewer="qa")
    form = {"target": "field", "field": "subject", "new_value": "Một trích yếu khác hẳn"}
    assert post_form(c, f"/doc/{doc_id}/correct", form).status_code == 303
    assert evaluate.main(["--db", str(real_archive), "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["per_field"]["subject"] == {"ok": 0, "total": 1}
    assert conn.execute("SELECT subject FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0] == subject
    with Archive(real_archive, readonly=True) as a:  # corrections travel with the exported data
        a.export(tmp_path / "out", "csv", ["corrections"])
    exported = pd.read_csv(tmp_path / "out" / "corrections.csv")
    assert exported["new_value"].tolist() == ["Một trích yếu khác hẳn"] and exported["reviewer"].tolist() == ["qa"]


def test_a_forced_re_run_keeps_reviewed_values_and_state(tmp_path: Path) -> None:
    from sohoa.pipeline.archive import Archive
    from sohoa.pipeline.config import load_settings
    from sohoa.pipeline.run import run

    src = tmp_path / "plan.txt"
    src.write_text(PLAN, encoding="utf-8")
    db = tmp_path / "archive.sqlite"
    settings = load_settings(None, cwd=str(tmp_path))
    assert run([str(src)], db=str(db), jobs=1, config=settings).files_ok == 1
    doc_id = sqlite3.connect(db).execute("SELECT doc_id FROM documents").fetchone()[0]
    c = client(db, reviewer="qa")
    assert post_form(c, f"/doc/{doc_id}/correct", {"target": "field", "field": "subject",
                                                   "new_value": "Kế hoạch phòng chống xâm nhập mặn"}).status_code == 303
    assert post_form(c, f"/doc/{doc_id}/review", {"set_status": "reviewed"}).status_code == 303
    assert run([str(src)], db=str(db), jobs=1, force=True, config=settings).files_ok == 1
    with Archive(db, readonly=True) as a:
        assert a.search("xam nhap man")["doc_id"].tolist() == [doc_id]
        row = a.query("SELECT subject, review_status, reviewed_by FROM documents_reviewed")
        assert row.to_dict("records") == [{"subject": "Kế hoạch phòng chống xâm nhập mặn",
                                           "review_status": "reviewed", "reviewed_by": "qa"}]
