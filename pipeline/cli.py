"""The `sohoa` command line: a thin layer over pipeline.run, pipeline.single and pipeline.archive.

Heavy or optional modules (OCR, pandas, dask, the review server) are imported only by the
command that needs them, so `sohoa --help` starts fast and works without them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sohoa.errors import BadArgumentsError, ExitCode, SohoaError

if TYPE_CHECKING:
    from sohoa.pipeline.config import Settings

COMMANDS_HELP = {
    "run": "process files and folders into the SQLite archive (batch, idempotent, parallel)",
    "ocr": "print the text of one file, pages separated by form feeds",
    "restore": "restore garbled Vietnamese: lines on stdin, the same number of lines on stdout",
    "extract": "print the records of one file as JSON (the scorer's contract) or a table",
    "outputs": "write searchable PDFs / ALTO / hOCR / text of stored files again, with the reviewers' corrections",
    "query": "run read-only SQL on the archive",
    "export": "write archive tables as Parquet, CSV, JSON lines or an Excel workbook",
    "search": "full-text search of the archive, with or without diacritics",
    "backup": "write a consistent single-file copy of the archive (safe while a run writes)",
    "train": "train the restoration models from a corpus folder",
    "serve": "the review web page for an archive (127.0.0.1 by default)",
    "eval": "score the pipeline against a folder of gold records",
}
# Subcommands owned by modules that may pull optional dependencies: their arguments are parsed by
# the module's own `add_arguments` only when the command is used.
LAZY_COMMANDS = {"serve": "sohoa.pipeline.serve", "eval": "sohoa.pipeline.evaluate"}


def version() -> str:
    from sohoa import __version__

    return __version__


def _common_flags(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    """-q / -v / --config, accepted before or after the command name (`sohoa -q run …`, `sohoa run -q …`)."""
    default: Any = argparse.SUPPRESS if not top else None
    flags = (
        (("--quiet", "-q"), {"action": "store_true", "default": default if not top else False,
                             "help": "no progress and no summary: only errors on stderr"}),
        (("--verbose", "-v"), {"action": "store_true", "default": default if not top else False,
                               "help": "a line per file on stderr"}),
        (("--config",), {"metavar": "FILE", "default": default,
                         "help": "TOML settings file (default: ./sohoa.toml if present)"}),
    )
    for names, kw in flags:
        if not any(n in p._option_string_actions for n in names):  # a command's own flag of that name wins
            p.add_argument(*names, **kw)


def _db_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="archive: a file, or a postgresql://USER@HOST/DBNAME URL"
                                " (default: `db` of sohoa.toml, else archive.sqlite)")


def _settings_flags(p: argparse.ArgumentParser, *, batch: bool) -> None:
    p.add_argument("--dpi", type=int, help="rasterisation resolution for scans (default 300)")
    p.add_argument("--jobs", "-j", type=int, help="worker processes (default: number of cores)")
    p.add_argument("--lang", help="Tesseract language(s), e.g. vie or vie+eng (default vie)")
    p.add_argument("--ocr-model", choices=("fast", "best"),
                   help="Tesseract vie model: fast (system, default) or best (scripts/get_tessdata.sh)")
    p.add_argument("--force-ocr", action="store_true", default=None,
                   help="OCR PDFs even when they have a usable text layer")
    p.add_argument("--max-pixels", type=int, help="refuse images with more pixels (default 200000000)")
    p.add_argument("--no-restore", dest="restore", action="store_false", default=None,
                   help="skip the restoration of garbled Vietnamese")
    if batch:
        _db_flag(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sohoa", description="OCR + NLP for scanned Vietnamese government directives.",
        epilog="Exit codes: 0 ok, 1 some files failed, 2 bad arguments, 3 missing dependency, "
               "4 unreadable input (single-file commands), 5 database error. See docs/cli.md.")
    parser.add_argument("--version", action="version", version=f"sohoa {version()}")
    _common_flags(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = argparse.ArgumentParser(add_help=False)
    _common_flags(common)

    def command(name: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=COMMANDS_HELP[name], description=COMMANDS_HELP[name], parents=[common])

    p = command("run")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders (walked recursively)")
    _settings_flags(p, batch=True)
    p.add_argument("--force", action="store_true", help="process files again even if already stored")
    p.add_argument("--include", action="append", metavar="GLOB",
                   help="in folders, take the files matching GLOB (repeatable; default: the supported extensions)")
    p.add_argument("--exclude", action="append", metavar="GLOB", help="in folders, pass over what matches GLOB")
    p.add_argument("--no-group-pages", dest="group_pages", action="store_false", default=None,
                   help="each image file alone, even when numbered like the pages of one document (4_1.jpg, 4_2.jpg)")
    p.add_argument("--accept-any", action="store_true", default=None,
                   help="store every readable file, also those that do not read as a document")
    p.add_argument("--pdf-out", metavar="DIR", help="write searchable PDFs of scans here")
    p.add_argument("--invalidate-signatures", action="store_true", default=None,
                   help="write searchable PDFs of digitally signed PDFs too (their signatures are removed)")
    p.add_argument("--alto", metavar="DIR", help="write ALTO XML per OCR'd page here")
    p.add_argument("--hocr", metavar="DIR", help="write hOCR per OCR'd page here")
    p.add_argument("--text-out", metavar="DIR", help="write the restored text of each file here")
    p.add_argument("--executor", choices=["local", "dask"], help="where pages run (default local)")
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address (with --executor dask)")
    p.add_argument("--report", metavar="FILE", help="also write the run report as JSON (`-` = stdout)")

    p = command("ocr")
    p.add_argument("file")
    p.add_argument("--raw", action="store_true", help="the text as read, before restoration")
    _settings_flags(p, batch=False)

    command("restore")

    p = command("extract")
    p.add_argument("file")
    p.add_argument("--format", choices=["json", "table"], default="json")
    _settings_flags(p, batch=False)

    p = command("outputs")
    _db_flag(p)
    p.add_argument("files", nargs="*", metavar="FILE", help="only these stored files (default: all)")
    p.add_argument("--pdf-out", metavar="DIR", help="write searchable PDFs of scans here")
    p.add_argument("--invalidate-signatures", action="store_true", default=None,
                   help="write searchable PDFs of digitally signed PDFs too (their signatures are removed)")
    p.add_argument("--alto", metavar="DIR", help="write ALTO XML per OCR'd page here")
    p.add_argument("--hocr", metavar="DIR", help="write hOCR per OCR'd page here")
    p.add_argument("--text-out", metavar="DIR", help="write the reviewed text of each file here")

    p = command("query")
    _db_flag(p)
    p.add_argument("sql")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")

    p = command("export")
    _db_flag(p)
    p.add_argument("--format", choices=["parquet", "csv", "jsonl", "xlsx"], default="parquet")
    p.add_argument("--excel-csv", action="store_true",
                   help="CSV for Excel: byte-order mark, CRLF, cells cut at 32,767 characters (full text in long_texts/)")
    p.add_argument("outdir")
    p.add_argument("--tables", nargs="+", metavar="TABLE", help="only these tables (default: all)")

    p = command("search")
    _db_flag(p)
    p.add_argument("words", nargs="+", help='words (all must match, with or without marks); "…" for a phrase')
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--type", dest="doc_type", metavar="TYPE", help="only this document type (Kế hoạch, ke hoach …)")
    p.add_argument("--issuer", help="only this issuer, in any spelling the gazetteer knows (UBND = Ủy ban nhân dân)")
    p.add_argument("--year", help="only documents dated in this year")
    p.add_argument("--code", help="only codes containing this (07-CT/TU, KH-UBND …)")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = command("backup")
    _db_flag(p)
    p.add_argument("out", metavar="OUT", help="the copy's file name")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")

    p = command("train")
    p.add_argument("--corpus", required=True, metavar="DIR")
    p.add_argument("--out", default="data/models", metavar="DIR")
    p.add_argument("--seed", type=int, default=None,
                   help="seed of the channel's renders (default: that of the committed models)")
    p.add_argument("--real", metavar="DIR", help="real scans with ground truth (NAME.jpg + NAME.gt.txt) read "
                   "by Tesseract eng for the channel model")
    p.add_argument("--real-holdout", default="", metavar="NAMES", help="comma-separated pages of --real kept out")

    for name in LAZY_COMMANDS:
        p = sub.add_parser(name, help=COMMANDS_HELP[name], description=COMMANDS_HELP[name], add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    _utf8_stdio()
    if args_list and args_list[0] in LAZY_COMMANDS:  # their own parser handles all their arguments
        return _guarded(cmd_lazy, argparse.Namespace(command=args_list[0], rest=args_list[1:]), args_list)
    try:
        ns = build_parser().parse_args(args_list)
    except SystemExit as e:  # argparse: --help/--version (0) or bad arguments (2)
        return int(e.code) if isinstance(e.code, int) else ExitCode.bad_args
    return _guarded(COMMANDS[ns.command], ns, args_list)


def _guarded(command: Any, ns: argparse.Namespace, args_list: list[str]) -> int:
    try:
        return int(command(ns, args_list))
    except SohoaError as e:
        print(f"sohoa: {e.report()}", file=sys.stderr)
        return int(e.exit_code)
    except KeyboardInterrupt:
        print("sohoa: interrupted", file=sys.stderr)
        return int(ExitCode.interrupted)
    except sqlite3.Error as e:  # one not already wrapped as DatabaseError by pipeline.archive
        print(f"sohoa: archive error: {e}", file=sys.stderr)
        return int(ExitCode.database)
    except BrokenPipeError:  # e.g. `sohoa query … | head`: stop quietly
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitCode.ok)
    except Exception as e:  # noqa: BLE001 — a bug: one line naming it and where to report it, no traceback
        from sohoa.errors import InternalError

        err = InternalError(f"{type(e).__name__}: {e}", path=getattr(ns, "file", None))
        print(f"sohoa: internal error: {err.report()}", file=sys.stderr)
        if os.environ.get("SOHOA_DEBUG"):
            raise
        return int(err.exit_code)


def _utf8_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def _overrides(ns: argparse.Namespace) -> dict[str, Any]:
    get = lambda name: getattr(ns, name, None)  # noqa: E731
    return {
        "db": get("db"), "jobs": get("jobs"), "executor": get("executor"), "scheduler": get("scheduler"),
        "ocr.dpi": get("dpi"), "ocr.lang": get("lang"), "ocr.model": get("ocr_model"), "ocr.force_ocr": get("force_ocr"),
        "ocr.max_pixels": get("max_pixels"), "restore.enabled": get("restore"),
        "output.pdf_dir": get("pdf_out"), "output.alto_dir": get("alto"), "output.hocr_dir": get("hocr"),
        "output.text_dir": get("text_out"), "output.invalidate_signatures": get("invalidate_signatures"),
        "gate.accept_any": get("accept_any"),
        "walk.include": get("include"), "walk.exclude": get("exclude"),
        "walk.group_pages": get("group_pages"),
    }


def _settings(ns: argparse.Namespace) -> Settings:
    from sohoa.pipeline.config import load_settings

    return load_settings(getattr(ns, "config", None), _overrides(ns))


def archive_path(ns: argparse.Namespace) -> str:
    """`--db`, else the `db` of the settings (sohoa.toml / --config), else archive.sqlite."""
    if getattr(ns, "db", None):
        return str(ns.db)
    from sohoa.pipeline.config import load_settings

    return load_settings(getattr(ns, "config", None)).db


# -- commands -------------------------------------------------------------------------------------

def cmd_run(ns: argparse.Namespace, argv: list[str]) -> int:
    from rich.console import Console

    from sohoa.pipeline import progress as progress_mod
    from sohoa.pipeline.report import print_summary
    from sohoa.pipeline.run import run

    settings = _settings(ns)
    if settings.executor != "dask" and settings.scheduler:
        settings.executor = "dask"
    progress = progress_mod.for_terminal(ns.quiet, ns.verbose)
    with _terminate_as_interrupt():
        report = run(ns.inputs, config=settings, force=ns.force, progress=progress, argv=argv)
    if not ns.quiet:  # the summary is for the person watching: stderr, so stdout stays data
        tty = sys.stderr.isatty()
        console = Console(stderr=True) if tty else Console(stderr=True, width=120, no_color=True, highlight=False)
        print_summary(report, console)
    if ns.report == "-":
        sys.stdout.write(report.to_json())
    elif ns.report:
        report.write_json(ns.report)
    return int(report.exit_code)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Any:
    """While a run lasts, SIGTERM (docker stop, systemd, kill) ends it like Ctrl-C: stored files
    are kept and the run is recorded as interrupted."""
    import signal
    import threading

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_ocr(ns: argparse.Namespace, argv: list[str]) -> int:
    from sohoa.pipeline.single import process_file

    settings = _settings(ns)
    if ns.raw:
        settings.stages = [s for s in settings.stages if s == "ocr"]
    else:
        settings.stages = [s for s in settings.stages if s != "extract"]
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the text
        state = process_file(ns.file, settings, jobs=settings.jobs)
    sys.stdout.write(state.doc.text(restored=not ns.raw) + "\n")
    return ExitCode.ok


def cmd_restore(ns: argparse.Namespace, argv: list[str]) -> int:
    from sohoa.normalize.cli_restore import restore_text

    try:
        sys.stdout.write(restore_text(sys.stdin.buffer.read().decode("utf-8", errors="replace")))
    except RuntimeError as err:
        raise SohoaError(str(err), path="<stdin>") from err
    return ExitCode.ok


def cmd_extract(ns: argparse.Namespace, argv: list[str]) -> int:
    from sohoa.pipeline.single import process_file

    settings = _settings(ns)
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the records (the scorers read it)
        state = process_file(ns.file, settings, jobs=settings.jobs)
    if ns.format == "json":
        sys.stdout.write(json.dumps([r.to_dict() for r in state.records], ensure_ascii=False, indent=2) + "\n")
        return ExitCode.ok
    from rich.console import Console
    from rich.table import Table

    table = Table(title=ns.file, show_lines=True)
    for col in ("code", "doc_type", "date", "issuer", "subject", "refs", "tasks", "recipients"):
        table.add_column(col, overflow="fold")
    for r in state.records:
        table.add_row(*(str(getattr(r, k) or "") for k in ("code", "doc_type", "date", "issuer", "subject")),
                      str(len(r.references)), str(len(r.tasks)), str(len(r.recipients)))
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    return ExitCode.ok


def cmd_outputs(ns: argparse.Namespace, argv: list[str]) -> int:
    from sohoa.pipeline.reviewed_outputs import write_reviewed_outputs

    settings = _settings(ns)
    out = settings.output
    if not any((out.pdf_dir, out.alto_dir, out.hocr_dir, out.text_dir)):
        raise BadArgumentsError("nothing to write: give --pdf-out, --alto, --hocr or --text-out")
    report = write_reviewed_outputs(settings, ns.files or None)
    for line in report.failed:
        print(line, file=sys.stderr)
    if not ns.quiet:
        print(f"{len(report.written)} files written ({report.corrections} reviewed tokens applied), "
              f"{len(report.failed)} failed", file=sys.stderr)
    return int(ExitCode.some_files_failed if report.failed else ExitCode.ok)


def cmd_query(ns: argparse.Namespace, argv: list[str]) -> int:
    from sohoa.pipeline.archive import Archive

    with Archive(archive_path(ns), readonly=True) as archive:
        df = archive.query(ns.sql)
    _print_frame(df, ns.format)
    return ExitCode.ok


def cmd_export(ns: argparse.Namespace, argv: list[str]) -> int:
    from sohoa.pipeline.archive import Archive

    with Archive(archive_path(ns), readonly=True) as archive:
        if ns.excel_csv and ns.format != "csv":
            raise BadArgumentsError("--excel-csv goes with --format csv")
        paths = archive.export(ns.outdir, ns.format, ns.tables, excel_csv=ns.excel_csv)
    for p in paths:
        print(p)
    return ExitCode.ok


def cmd_search(ns: argparse.Namespace, argv: list[str]) -> int:
    from sohoa.pipeline.archive import Archive

    with Archive(archive_path(ns), readonly=True) as archive:
        df = archive.search(" ".join(ns.words), limit=ns.limit, doc_type=ns.doc_type, issuer=ns.issuer,
                            year=ns.year, code=ns.code)
    if ns.format == "json":
        _print_frame(df, "json")
        return ExitCode.ok
    if df.empty:
        print("no match", file=sys.stderr)
        return ExitCode.ok
    for i, row in enumerate(df.itertuples(index=False), 1):
        head = " · ".join(str(x) for x in (row.code, row.doc_type, row.date, row.issuer) if isinstance(x, str) and x)
        rank = "phrase, " if row.phrase else ""
        print(f"{i}. [{row.doc_id}] {head or '(no code)'}  ({row.path}, {rank}bm25 {row.score:.3g})")
        print(f"   {row.snippet}")
    return ExitCode.ok


def cmd_backup(ns: argparse.Namespace, argv: list[str]) -> int:
    from sohoa.pipeline.archive import Archive

    with Archive(archive_path(ns), readonly=True) as archive:
        out = archive.backup(ns.out, force=ns.force)
    print(out)
    return ExitCode.ok


def cmd_train(ns: argparse.Namespace, argv: list[str]) -> int:
    import inspect

    from sohoa.normalize.train import train

    if not Path(ns.corpus).is_dir():
        raise BadArgumentsError("corpus folder not found", path=ns.corpus)
    kwargs: dict[str, Any] = {} if ns.seed is None else {"seed": ns.seed}
    if ns.real:
        if not Path(ns.real).is_dir():
            raise BadArgumentsError("real pages folder not found", path=ns.real)
        kwargs["real_dir"] = ns.real
        kwargs["real_holdout"] = tuple(x for x in ns.real_holdout.split(",") if x)
    if "log" in inspect.signature(train).parameters:
        kwargs["log"] = lambda msg: print(msg, file=sys.stderr, flush=True)
    with contextlib.redirect_stdout(sys.stderr):
        result = train(ns.corpus, ns.out, **kwargs)
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return ExitCode.ok


def cmd_lazy(ns: argparse.Namespace, argv: list[str]) -> int:
    module = importlib.import_module(LAZY_COMMANDS[ns.command])
    rest = list(ns.rest)
    if hasattr(module, "add_arguments"):
        sub = argparse.ArgumentParser(prog=f"sohoa {ns.command}", description=COMMANDS_HELP[ns.command])
        module.add_arguments(sub)
        _common_flags(sub, top=True)
        try:
            sub_ns = sub.parse_args(rest)
        except SystemExit as e:
            return int(e.code) if isinstance(e.code, int) else ExitCode.bad_args
        for flag in ("quiet", "verbose", "config"):  # given before the command name
            if getattr(ns, flag, None) and not getattr(sub_ns, flag, None):
                setattr(sub_ns, flag, getattr(ns, flag))
        if hasattr(sub_ns, "db") and sub_ns.db is None:
            from sohoa.pipeline.config import file_setting
            from sohoa.pipeline.db_pg import db_location

            # serve needs an archive (default archive.sqlite); eval uses one only when asked to
            db = file_setting("db", sub_ns.config)
            sub_ns.db = db_location(db) if db else (db_location(archive_path(sub_ns)) if ns.command == "serve" else None)
        result = module.main(sub_ns)
    else:
        result = module.main(rest)
    return int(result or 0)


def _print_frame(df: Any, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, indent=2) + "\n")
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 80):
            print(df.to_string(index=False) if not df.empty else "(no rows)")


COMMANDS = {
    "run": cmd_run, "ocr": cmd_ocr, "restore": cmd_restore, "extract": cmd_extract, "query": cmd_query,
    "outputs": cmd_outputs,
    "export": cmd_export, "search": cmd_search, "backup": cmd_backup, "train": cmd_train, "serve": cmd_lazy, "eval": cmd_lazy,
}


if __name__ == "__main__":
    sys.exit(main())
