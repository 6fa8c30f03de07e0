"""`sohoa export`: one typed schema in Parquet, CSV and JSON lines (compared column by column),
the Excel CSV and the xlsx workbook."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sohoa.errors import ExitCode
from sohoa.pipeline.archive import Archive
from sohoa.pipeline.cli import main
from sohoa.pipeline.export import EXCEL_CELL_LIMIT
from sohoa.pipeline.export_schema import as_text
from tests.test_archive import RECORD, result, state_for

csv.field_size_limit(1 << 26)
LONG = "Điều 1. " + "Tăng cường công tác phòng cháy, chữa cháy. " * 900  # past Excel's cell limit


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    db = tmp_path / "a.sqlite"
    partial = {**RECORD, "number": "07", "code": "07-CT/TU", "date": "2021-06",
               "tasks": [{"assignee": "Sở Y tế", "role": "chủ trì", "partners": [], "action": "báo cáo",
                          "deadline": None}]}
    with Archive(db, create=True) as a:
        a.store_file(result(), state_for("Kế hoạch số 46-KH/BTGTU\n" + LONG))
        a.store_file(result(path="b.txt", sha="e" * 64), state_for("Chỉ thị số 07-CT/TU", [partial]))
    return db


def _export(db: Path, out: Path, fmt: str, **kw) -> None:
    with Archive(db, readonly=True) as a:
        a.export(out, fmt, **kw)


def _csv(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[list[str]]]:
    with open(path, encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("table", ["documents", "tasks", "pages", "tokens", "refs", "files", "corrections"])
def test_three_formats_have_the_same_columns_and_values(archive, tmp_path, table):
    for fmt in ("parquet", "csv", "jsonl"):
        _export(archive, tmp_path / fmt, fmt, tables=[table])
    parquet = pq.read_table(tmp_path / "parquet" / f"{table}.parquet")
    header, csv_rows = _csv(tmp_path / "csv" / f"{table}.csv")
    jsonl = _jsonl(tmp_path / "jsonl" / f"{table}.jsonl")
    assert parquet.column_names == header
    assert all(list(obj) == header for obj in jsonl)
    assert parquet.num_rows == len(csv_rows) == len(jsonl)
    for i, name in enumerate(header):
        from_parquet = [as_text(v) for v in parquet.column(name).to_pylist()]
        from_csv = [row[i] for row in csv_rows]
        from_jsonl = [as_text(obj[name]) for obj in jsonl]
        assert from_parquet == from_csv == from_jsonl, name


def test_parquet_types(archive, tmp_path):
    _export(archive, tmp_path, "parquet")
    docs = pq.read_table(tmp_path / "documents.parquet")
    schema = docs.schema
    assert schema.field("number").type == pa.string() and schema.field("code").type == pa.string()
    assert schema.field("date").type == pa.date32() and schema.field("date_iso").type == pa.string()
    assert schema.field("doc_id").type == pa.int64()
    rows = docs.to_pylist()
    assert [r["number"] for r in rows] == ["46", "07"]  # the leading zero is kept
    assert [r["date"] for r in rows] == [dt.date(2021, 6, 8), None]  # a month alone is no date …
    assert [r["date_iso"] for r in rows] == ["2021-06-08", "2021-06"]  # … but its ISO text is kept
    tasks = pq.read_table(tmp_path / "tasks.parquet")
    assert tasks.schema.field("partners").type == pa.list_(pa.string())
    assert tasks.column("partners").to_pylist() == [["Công an tỉnh", "Sở Tài chính"], []]
    assert tasks.schema.field("deadline").type == pa.date32()
    pages = pq.read_table(tmp_path / "pages.parquet")
    assert pages.schema.field("low_confidence").type == pa.bool_()
    assert pages.schema.field("mean_conf").type == pa.float64()


def test_reviewed_values_are_exported_with_what_was_corrected(archive, tmp_path):
    conn = __import__("sqlite3").connect(archive)
    conn.execute("INSERT INTO corrections(doc_id, target, field, old_value, new_value, reviewer, created_at)"
                 " VALUES (2, 'field', 'number', '07', '70', 'an', '2026-12-07T00:00:00+00:00')")
    conn.commit()
    conn.close()
    _export(archive, tmp_path, "parquet")
    reviewed = pq.read_table(tmp_path / "documents_reviewed.parquet").to_pylist()
    machine = pq.read_table(tmp_path / "documents.parquet").to_pylist()
    assert [r["number"] for r in reviewed] == ["46", "70"] and [r["number"] for r in machine] == ["46", "07"]
    assert [r["corrected_fields"] for r in reviewed] == ["", "number"]
    assert reviewed[0]["date"] == dt.date(2021, 6, 8)


def test_empty_table_is_typed(archive, tmp_path):
    _export(archive, tmp_path, "parquet", tables=["corrections"])
    t = pq.read_table(tmp_path / "corrections.parquet")
    assert t.num_rows == 0
    assert t.schema.field("correction_id").type == pa.int64() and t.schema.field("new_value").type == pa.string()


def test_csv_integers_are_integers_and_null_is_empty(archive, tmp_path):
    _export(archive, tmp_path, "csv", tables=["documents"])
    header, rows = _csv(tmp_path / "documents.csv")
    col = dict(zip(header, zip(*rows, strict=True), strict=True))
    assert col["page_from"] == ("1", "1") and col["number"] == ("46", "07")
    assert col["date"] == ("2021-06-08", "")
    assert not (tmp_path / "documents.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_excel_csv_has_bom_crlf_and_cut_cells(archive, tmp_path):
    assert main(["export", "--db", str(archive), "--format", "csv", "--excel-csv", str(tmp_path),
                 "--tables", "documents"]) == ExitCode.ok
    raw = (tmp_path / "documents.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    header, rows = _csv(tmp_path / "documents.csv", "utf-8-sig")
    text = rows[0][header.index("text")]
    assert len(text) <= EXCEL_CELL_LIMIT and "long_texts/documents.text.1.txt" in text
    full = (tmp_path / "long_texts" / "documents.text.1.txt").read_text(encoding="utf-8")
    assert len(full) > EXCEL_CELL_LIMIT and LONG.strip() in full


def test_excel_csv_only_with_csv(archive, tmp_path, capsys):
    assert main(["export", "--db", str(archive), "--format", "xlsx", "--excel-csv", str(tmp_path)]) == ExitCode.bad_args


def test_xlsx_sheets_frozen_header_dates_and_cut_texts(archive, tmp_path):
    assert main(["export", "--db", str(archive), "--format", "xlsx", str(tmp_path)]) == ExitCode.ok
    wb = openpyxl.load_workbook(tmp_path / "archive.xlsx")
    with Archive(archive, readonly=True) as a:
        assert set(wb.sheetnames) == set(a.table_names()) | set(a.view_names())
        assert "documents_reviewed" in wb.sheetnames
    ws = wb["documents"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(header, ws[2], strict=True)}
    assert row["date"].is_date and row["date"].value.date() == dt.date(2021, 6, 8)
    assert row["number"].value == "46" and row["doc_id"].value == 1
    assert len(row["text"].value) <= EXCEL_CELL_LIMIT and "long_texts/documents.text.1.txt" in row["text"].value
    assert (tmp_path / "long_texts" / "documents.text.1.txt").exists()
    second = {h: c.value for h, c in zip(header, ws[3], strict=True)}
    assert second["number"] == "07" and second["date"] is None and second["date_iso"] == "2021-06"
    empty = wb["corrections"]
    assert [c.value for c in empty[1]][:2] == ["correction_id", "doc_id"] and empty.max_row == 1
