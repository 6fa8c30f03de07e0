"""The run report: one `FileResult` per input file, totals, and its summary table."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sohoa.errors import ExitCode


@dataclass
class FileResult:
    path: str
    status: str  # ok | failed | skipped
    sha256: str | None = None
    size: int | None = None
    kind: str | None = None
    pages: int = 0
    documents: int = 0
    error_kind: str | None = None
    error: str | None = None
    seconds: float = 0.0
    started_at: str | None = None
    finished_at: str | None = None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class RunReport:
    run_id: int | None = None
    started_at: str | None = None
    finished_at: str | None = None
    seconds: float = 0.0
    db: str | None = None
    files: list[FileResult] = field(default_factory=list)
    missing_dependency: str | None = None  # set when scans could not be OCR'd at all
    passed_over: list[dict[str, str]] = field(default_factory=list)  # folder walk: path, reason

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def files_ok(self) -> int:
        return self.count("ok")

    @property
    def files_failed(self) -> int:
        return self.count("failed")

    @property
    def files_skipped(self) -> int:
        return self.count("skipped")

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files if f.status == "ok")

    @property
    def documents(self) -> int:
        return sum(f.documents for f in self.files if f.status == "ok")

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    @property
    def exit_code(self) -> ExitCode:
        if self.missing_dependency:
            return ExitCode.missing_dependency
        return ExitCode.some_files_failed if self.files_failed else ExitCode.ok

    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "db": self.db,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": round(self.seconds, 3),
            "files_ok": self.files_ok,
            "files_failed": self.files_failed,
            "files_skipped": self.files_skipped,
            "pages": self.pages,
            "documents": self.documents,
            "pages_per_second": round(self.pages_per_second, 3),
            "exit_code": int(self.exit_code),
            "missing_dependency": self.missing_dependency,
            "passed_over": self.passed_over,
            "files": [asdict(f) for f in self.files],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def write_json(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.to_json())


def print_summary(report: RunReport, console: Any) -> None:
    """The end-of-run table on a rich Console (plain text when it is not a terminal)."""
    from rich.table import Table

    table = Table(title="sohoa run", show_header=True)
    for col in ("files ok", "failed", "skipped", "pages", "documents", "seconds", "pages/s"):
        table.add_column(col, justify="right")
    table.add_row(
        str(report.files_ok), str(report.files_failed), str(report.files_skipped), str(report.pages),
        str(report.documents), f"{report.seconds:.1f}", f"{report.pages_per_second:.2f}",
    )
    console.print(table)
    failed = report.failed()
    if failed:
        ft = Table(title="failed files", show_header=True)
        ft.add_column("file", overflow="fold")
        ft.add_column("kind")
        ft.add_column("error", overflow="fold")
        for f in failed:
            ft.add_row(f.path, f.error_kind or "", f.error or "")
        console.print(ft)
    skipped = [f for f in report.files if f.error_kind == "not_a_document"]
    if skipped:
        console.print(f"{len(skipped)} file(s) skipped as not a document (--accept-any stores them):")
        for f in skipped[:20]:
            console.print(f"  {f.path}", highlight=False)
    if report.passed_over:
        console.print(f"passed over {len(report.passed_over)} path(s) in the folders (see the run report):")
        for p in report.passed_over[:20]:
            console.print(f"  {p['path']}: {p['reason']}", highlight=False)
        if len(report.passed_over) > 20:
            console.print(f"  … and {len(report.passed_over) - 20} more (--report FILE lists them all)")
    if report.missing_dependency:
        console.print(report.missing_dependency)
