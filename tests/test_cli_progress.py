"""Progress output: the rich bar on a terminal, plain lines otherwise; failures always on stderr."""

from __future__ import annotations

import io

from rich.console import Console

from sohoa.pipeline.progress import PlainProgress, RichProgress
from sohoa.pipeline.report import FileResult, RunReport, print_summary

OK = FileResult(path="in/a.pdf", status="ok", pages=3, documents=1)
BAD = FileResult(path="in/b.pdf", status="failed", error_kind="encrypted_pdf",
                 error="in/b.pdf: the PDF is encrypted — remove the password")


def test_plain_progress_prints_one_line_per_file_and_errors_to_stderr():
    out, err = io.StringIO(), io.StringIO()
    p = PlainProgress(out, err)
    p.start(2, 0)
    p.add_pages(3)
    p.pages_done(3)
    p.file_done(OK)
    p.file_done(BAD)
    lines = out.getvalue().splitlines()
    assert lines[0] == "sohoa: 2 file(s)"
    assert lines[1].startswith("[1/2] in/a.pdf: ok, 3 page(s), 1 document(s)") and "pages/s" in lines[1]
    assert lines[2].startswith("[2/2] in/b.pdf: FAILED [encrypted_pdf]")
    assert err.getvalue() == "sohoa: in/b.pdf: the PDF is encrypted — remove the password\n"


def test_rich_progress_shows_files_pages_rate_and_eta():
    buf, err = io.StringIO(), io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120)
    p = RichProgress(console, err)
    p.start(2, 0)
    p.add_pages(4)
    p.pages_done(3)
    p.file_done(OK)
    p.file_done(BAD)
    p.close()
    text = buf.getvalue()
    assert "files" in text and "pages" in text and "pages/s" in text and "ETA" in text
    assert "2/2" in text and "3/4" in text
    assert "in/b.pdf" in err.getvalue()


def test_summary_lists_totals_and_failed_files():
    report = RunReport(files=[OK, BAD, FileResult(path="in/c.txt", status="skipped")], seconds=2.0)
    buf = io.StringIO()
    print_summary(report, Console(file=buf, width=160))
    text = buf.getvalue()
    assert "files ok" in text and "1.50" in text  # 3 pages in 2 s
    assert "in/b.pdf" in text and "encrypted_pdf" in text
    assert report.exit_code == 1 and (report.files_ok, report.files_failed, report.files_skipped) == (1, 1, 1)
