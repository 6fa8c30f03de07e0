"""`sohoa export`: archive tables as Parquet, CSV, JSON lines or an Excel workbook, all from one
typed schema (pipeline.export_schema), so that a column has the same name, type and textual
values in every format.

- Parquet: real types (string, int64, double, bool, date32, list<string>); an empty table keeps
  its typed columns.
- CSV: UTF-8, a header row, null as an empty cell; `excel=True` (`--excel-csv`) adds a byte-order
  mark and CRLF line ends, and cuts cells past Excel's limit like the workbook does.
- JSON lines: one object per row, lists as arrays, dates as ISO text.
- xlsx: a sheet per table, frozen header, dates as dates; cells past Excel's 32,767 characters are
  cut, ending with a pointer to the full text written under `long_texts/`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sohoa.pipeline.export_schema import Column, as_json, as_text, rows_typed, table_columns

FORMATS = ("parquet", "csv", "jsonl", "xlsx")
EXCEL_CELL_LIMIT = 32_767
EXCEL_MAX_ROWS = 1_048_576
_ARROW = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
          "date": pa.date32(), "list": pa.list_(pa.string())}
_BATCH = 5_000
# Characters that XML 1.0 (so xlsx) cannot hold: C0 controls other than tab, newline and return.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def arrow_schema(columns: list[Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW[c.kind]) for c in columns])


def _batches(rows: Iterator[list[Any]]) -> Iterator[list[list[Any]]]:
    while batch := list(islice(rows, _BATCH)):
        yield batch


class LongTexts:
    """Cells cut to Excel's limit; the full text goes to OUT/long_texts/<table>.<column>.<row>.txt."""

    def __init__(self, out: Path):
        self.dir = out / "long_texts"
        self.written = 0

    def cut(self, text: str, table: str, column: str, row: int) -> str:
        if len(text) <= EXCEL_CELL_LIMIT:
            return text
        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"{table}.{column}.{row}.txt"
        (self.dir / name).write_text(text, encoding="utf-8")
        self.written += 1
        pointer = f" […cut at {EXCEL_CELL_LIMIT:,} characters; full text: long_texts/{name}]"
        return text[: EXCEL_CELL_LIMIT - len(pointer)] + pointer


def write_parquet(path: Path, columns: list[Column], rows: Iterator[list[Any]]) -> None:
    schema = arrow_schema(columns)
    with pq.ParquetWriter(path, schema) as writer:
        wrote = False
        for batch in _batches(rows):
            arrays = [pa.array([r[i] for r in batch], type=schema.field(i).type) for i in range(len(columns))]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            wrote = True
        if not wrote:
            writer.write_table(schema.empty_table())


def write_csv(path: Path, table: str, columns: list[Column], rows: Iterator[list[Any]],
              long_texts: LongTexts | None = None) -> None:
    excel = long_texts is not None
    with open(path, "w", encoding="utf-8-sig" if excel else "utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n" if excel else "\n")
        w.writerow([c.name for c in columns])
        for n, row in enumerate(rows, 1):
            cells = [as_text(v) for v in row]
            if long_texts is not None:
                cells = [long_texts.cut(v, table, c.name, n) for c, v in zip(columns, cells, strict=True)]
            w.writerow(cells)


def write_jsonl(path: Path, columns: list[Column], rows: Iterator[list[Any]]) -> None:
    names = [c.name for c in columns]
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(dict(zip(names, (as_json(v) for v in row), strict=True)), ensure_ascii=False))
            fh.write("\n")


def _sheet_title(table: str, part: int) -> str:
    base = table[:25]
    return base if part == 1 else f"{base} ({part})"


def write_xlsx(path: Path, tables: list[tuple[str, list[Column], Iterator[list[Any]]]], long_texts: LongTexts) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for table, columns, rows in tables:
        part, ws, count = 0, None, EXCEL_MAX_ROWS
        for n, row in enumerate(rows, 1):
            if count >= EXCEL_MAX_ROWS:  # a table past Excel's row limit goes on in "<table> (2)"
                part += 1
                ws = _new_sheet(wb, _sheet_title(table, part), columns)
                count = 1
            cells = []
            for c, v in zip(columns, row, strict=True):
                cell = WriteOnlyCell(ws, value=_excel_value(c, v, table, n, long_texts))
                if isinstance(v, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            ws.append(cells)
            count += 1
        if ws is None:  # an empty table: its header only
            _new_sheet(wb, _sheet_title(table, 1), columns)
    wb.save(path)


def _new_sheet(wb: Any, title: str, columns: list[Column]) -> Any:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    ws.append([c.name for c in columns])
    return ws


def _excel_value(col: Column, value: Any, table: str, row: int, long_texts: LongTexts) -> Any:
    if value is None or isinstance(value, (bool, int, float, dt.date)):
        return value
    text = _XML_ILLEGAL.sub("", as_text(value))
    return long_texts.cut(text, table, col.name, row)


def export_tables(conn: sqlite3.Connection, outdir: str | Path, fmt: str, tables: Iterable[str],
                  *, excel_csv: bool = False) -> list[Path]:
    """Write each table to OUTDIR/<table>.<ext> (xlsx: one workbook OUTDIR/archive.xlsx); returns
    the paths written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    long_texts = LongTexts(out)
    names = list(tables)
    if fmt == "xlsx":
        path = out / "archive.xlsx"
        specs = []
        for name in names:
            cols = table_columns(conn, name)
            specs.append((name, cols, rows_typed(conn, name, cols)))
        write_xlsx(path, specs, long_texts)
        return [path]
    written = []
    for name in names:
        cols = table_columns(conn, name)
        rows = rows_typed(conn, name, cols)
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            write_parquet(path, cols, rows)
        elif fmt == "csv":
            write_csv(path, name, cols, rows, long_texts if excel_csv else None)
        else:
            write_jsonl(path, cols, rows)
        written.append(path)
    return written
