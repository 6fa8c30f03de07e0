"""`python -m normalize.cli_restore` (the same as `sohoa restore`): garbled OCR lines on stdin → restored
lines on stdout, one output line per input line."""

from __future__ import annotations

import sys

from sohoa.normalize.restore import restore_lines


def restore_text(data: str) -> str:
    """The whole stdin text → the whole stdout text: a leading BOM dropped, CRLF read as LF, blank lines
    and the final newline (or its absence) kept."""
    if data.startswith("\ufeff"):
        data = data[1:]
    if not data:
        return ""
    ends_with_newline = data.endswith("\n")
    lines = [ln.rstrip("\r") for ln in (data[:-1] if ends_with_newline else data).split("\n")]
    out = restore_lines(lines)
    if len(out) != len(lines):
        raise RuntimeError(f"the restorer returned {len(out)} lines for {len(lines)}")
    return "\n".join(out) + ("\n" if ends_with_newline else "")


def main() -> int:
    sys.stdout.write(restore_text(sys.stdin.buffer.read().decode("utf-8", errors="replace")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
