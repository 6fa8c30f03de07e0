#!/usr/bin/env bash
# Install Tesseract's `best` (integer) Vietnamese model into the tessdata folder sohoa owns,
# $PREFIX/share/sohoa/tessdata (PREFIX: the venv). Its source is the npm registry's
# @tesseract.js-data/vie package (4.0.0_best_int = tessdata_best, integer-quantised), fetched
# from the registry ($NPM_CONFIG_REGISTRY, default registry.npmjs.org) without needing npm; the
# checksum is pinned. eng, osd and Tesseract's configs are linked from the system tessdata,
# so the folder is a complete --tessdata-dir. When the registry cannot be reached nothing is
# installed and sohoa keeps Debian's `fast` model (ocr.model = "fast" is the default anyway).
set -euo pipefail
prefix="${1:-.venv}"
dest="$prefix/share/sohoa/tessdata"
pkg="@tesseract.js-data/vie@1.0.0"
registry="${NPM_CONFIG_REGISTRY:-${npm_config_registry:-https://registry.npmjs.org}}"
url="${registry%/}/@tesseract.js-data/vie/-/vie-1.0.0.tgz"
sha="112f6fd1d04ab4cb0208cad9cada8de214ae33a1e4db3750ffcda69262aef0a8"  # vie.traineddata, unpacked
if [ -f "$dest/vie.traineddata" ] && echo "$sha  $dest/vie.traineddata" | sha256sum -c --status; then
    exit 0
fi
sys_td="$(tesseract --list-langs 2>/dev/null | sed -n '1s/.*"\(.*\)".*/\1/p')"
sys_td="${sys_td%/}"
[ -n "$sys_td" ] || sys_td=/usr/share/tesseract-ocr/5/tessdata
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
if ! python3 -c 'import sys, urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=60).read())' \
        "$url" "$tmp/vie.tgz" 2>/dev/null; then
    echo "sohoa setup: could not fetch $pkg from $registry; the 'best' model is not installed (ocr.model=fast works)" >&2
    exit 0
fi
tar -xzf "$tmp/vie.tgz" -C "$tmp" package/4.0.0_best_int/vie.traineddata.gz
gunzip -c "$tmp/package/4.0.0_best_int/vie.traineddata.gz" > "$tmp/vie.traineddata"
if ! echo "$sha  $tmp/vie.traineddata" | sha256sum -c --status; then
    echo "sohoa setup: $pkg's vie.traineddata does not have the pinned checksum; not installed" >&2
    exit 1
fi
mkdir -p "$dest"
mv "$tmp/vie.traineddata" "$dest/vie.traineddata"
for item in eng.traineddata osd.traineddata configs tessconfigs pdf.ttf; do
    [ -e "$sys_td/$item" ] && ln -sfn "$sys_td/$item" "$dest/$item"
done
echo "sohoa setup: Tesseract 'best' vie model installed in $dest"
