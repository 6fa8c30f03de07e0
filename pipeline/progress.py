"""Progress of a batch: a rich bar (files and pages, pages/s, ETA) on a terminal, plain lines
otherwise. Failures always go to stderr, one line naming the file, the cause and the remedy."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from sohoa.pipeline.report import FileResult


class Progress:
    """No output (library use); the base of the two printing variants."""

    def start(self, files: int, pages: int) -> None: ...

    def add_pages(self, n: int) -> None: ...

    def pages_done(self, n: int) -> None: ...

    def file_done(self, result: FileResult) -> None: ...

    def close(self) -> None: ...


class FailuresOnly(Progress):
    """`-q`: nothing but the failure lines."""

    def __init__(self, err: TextIO | None = None):
        self.err = err or sys.stderr

    def file_done(self, result: FileResult) -> None:
        report_failure(result, self.err)


class PlainProgress(Progress):
    def __init__(self, out: TextIO | None = None, err: TextIO | None = None):
        self.out = out or sys.stderr
        self.err = err or sys.stderr
        self.files_total = 0
        self.files_done = 0
        self.pages_total = 0
        self.pages = 0
        self.t0 = time.perf_counter()

    def start(self, files: int, pages: int) -> None:
        self.files_total, self.pages_total = files, pages
        self.t0 = time.perf_counter()
        print(f"sohoa: {files} file(s)", file=self.out, flush=True)

    def add_pages(self, n: int) -> None:
        self.pages_total += n

    def pages_done(self, n: int) -> None:
        self.pages += n

    def file_done(self, result: FileResult) -> None:
        self.files_done += 1
        elapsed = time.perf_counter() - self.t0
        rate = self.pages / elapsed if elapsed > 0 else 0.0
        detail = {
            "ok": f"ok, {result.pages} page(s), {result.documents} document(s)",
            "skipped": "skipped (already in the archive)" if not result.error else f"skipped ({result.error})",
            "failed": f"FAILED [{result.error_kind}]",
        }[result.status]
        print(f"[{self.files_done}/{self.files_total}] {result.path}: {detail} ({rate:.1f} pages/s)",
              file=self.out, flush=True)
        report_failure(result, self.err)


class RichProgress(Progress):
    def __init__(self, console: Any = None, err: TextIO | None = None):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichBar

        self.console = console or Console(stderr=True)
        self.err = err or sys.stderr
        self.bar = RichBar(
            TextColumn("{task.description:<6}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=self.console, transient=False,
        )
        self.files_task = self.bar.add_task("files", total=None, rate="")
        self.pages_task = self.bar.add_task("pages", total=None, rate="")
        self.t0 = time.perf_counter()
        self.pages = 0

    def start(self, files: int, pages: int) -> None:
        self.t0 = time.perf_counter()
        self.bar.update(self.files_task, total=files)
        self.bar.update(self.pages_task, total=pages or None)
        self.bar.start()

    def add_pages(self, n: int) -> None:
        total = self.bar.tasks[self.pages_task].total or 0
        self.bar.update(self.pages_task, total=total + n)

    def pages_done(self, n: int) -> None:
        self.pages += n
        elapsed = time.perf_counter() - self.t0
        rate = f"{self.pages / elapsed:.1f} pages/s" if elapsed > 0 else ""
        self.bar.update(self.pages_task, advance=n, rate=rate)

    def file_done(self, result: FileResult) -> None:
        self.bar.update(self.files_task, advance=1)
        if result.status == "failed":
            self.bar.console.print(f"[red]failed[/red] {result.path}: {result.error_kind}", markup=True,
                                   highlight=False)
            report_failure(result, self.err)

    def close(self) -> None:
        self.bar.stop()


def report_failure(result: FileResult, err: TextIO) -> None:
    if result.status == "failed":
        print(f"sohoa: {result.error}", file=err, flush=True)


def for_terminal(quiet: bool = False, verbose: bool = False) -> Progress:
    """Progress on stderr (stdout carries only data): a bar on a terminal, a line per file otherwise
    or with `verbose`; nothing but failures when `quiet`."""
    if quiet:
        return FailuresOnly()
    return RichProgress() if sys.stderr.isatty() and not verbose else PlainProgress()
