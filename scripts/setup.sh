#!/usr/bin/env bash
# One-time set-up on a fresh Debian/Ubuntu machine: system packages (when missing),
# a virtual environment in .venv and sohoa installed into it. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"   # "dev" for tests, benchmarks, notebook, browser and Dask

need=()
command -v tesseract >/dev/null || need+=(tesseract-ocr)
command -v fc-list >/dev/null || need+=(fontconfig)
if command -v tesseract >/dev/null && ! tesseract --list-langs 2>/dev/null | grep -qx vie; then need+=(tesseract-ocr-vie); fi
command -v tesseract >/dev/null || need+=(tesseract-ocr-vie tesseract-ocr-eng)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
# read the font list once: `fc-list | grep -q` would die of SIGPIPE under pipefail
fonts="$(fc-list : family 2>/dev/null || true)"
grep -qi "Liberation Serif" <<<"$fonts" || need+=(fonts-liberation2)
grep -qi "DejaVu Serif" <<<"$fonts" || need+=(fonts-dejavu-core)
grep -qi "FreeSerif" <<<"$fonts" || need+=(fonts-freefont-ttf)
# metric-compatible stand-ins embedded for a source PDF's unembedded Times/Helvetica/Courier (PDF/A)
[ -d /usr/share/fonts/opentype/urw-base35 ] || need+=(fonts-urw-base35)
if [ "$extras" = dev ]; then
    command -v chromium >/dev/null || need+=(chromium)
    command -v qpdf >/dev/null || need+=(qpdf)
    command -v gs >/dev/null || need+=(ghostscript)
    command -v unpaper >/dev/null || need+=(unpaper)
    command -v pngquant >/dev/null || need+=(pngquant)
    # the PostgreSQL archive tests start a throw-away server (tests/pg_server.py): initdb, pg_ctl, unaccent
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
    echo "sohoa setup: installing Debian packages: ${need[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=".venv/.installed-${extras:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "sohoa setup: installing Python packages into .venv (log: .venv/pip.log)"
    spec="."; [ "$extras" = dev ] && spec=".[dev]"
    if ! { .venv/bin/pip install -q --upgrade pip && .venv/bin/pip install -q -e "$spec"; } > .venv/pip.log 2>&1; then
        tail -n 40 .venv/pip.log; echo "sohoa setup: pip install failed (see .venv/pip.log)" >&2; exit 1
    fi
    touch "$stamp"
fi
scripts/get_tessdata.sh .venv
