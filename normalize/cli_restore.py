"""`python -m normalize.cli_restore`: garbled OCR lines on stdin → restored lines on stdout (same count)."""

from __future__ import annotations

import sys

from normalize.restore import restore_lines


def main() -> int:
    text = sys.stdin.read()
    lines = text.split("\n")
    trailing_newline = text.endswith("\n")
    if trailing_newline:
        lines = lines[:-1]
    out = restore_lines(lines)
    sys.stdout.write("\n".join(out) + ("\n" if trailing_newline else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
