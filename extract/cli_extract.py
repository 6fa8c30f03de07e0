"""`python -m extract.cli_extract [--no-restore] FILE`: print the JSON list of records found in a text file."""

from __future__ import annotations

import json
import os
import sys

from extract.records import extract_text
from pipeline.errors import EmptyFileError, SohoaError, UnreadableFileError


def read_text(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise UnreadableFileError(str(e.strerror or e), path) from e
    if not data:
        raise EmptyFileError("empty file", path)
    for enc in ("utf-8", "utf-16", "cp1258"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    restore = os.environ.get("SOHOA_EXTRACT_RESTORE", "1") != "0"
    if "--no-restore" in args:
        args.remove("--no-restore")
        restore = False
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m extract.cli_extract [--no-restore] FILE.txt", file=sys.stderr)
        return 2
    try:
        text = read_text(args[0])
    except SohoaError as e:
        print(e.report(), file=sys.stderr)
        return int(e.exit_code)
    # --no-restore / SOHOA_EXTRACT_RESTORE=0: read the OCR text as it is (robustness checks, bench)
    records = extract_text(text, args[0], restore=restore)
    json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
