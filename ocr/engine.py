"""OCR of one page: rasterise, clean up, one Tesseract run, lines → blocks.

`ocr_page` is a top-level function so a process pool can run it; it touches only the
page it is given (pdftoppm renders just that page; TIFF frames are read by index).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from sohoa.document import Box, Line, Page, Word, nfc
from sohoa.errors import (
    TESSERACT_INSTALL,
    MissingDependencyError,
    OcrEngineError,
)
from sohoa.ocr import preprocess as pp
from sohoa.ocr.blank import blank_page, is_blank_image
from sohoa.ocr.config import OcrConfig
from sohoa.ocr.fillins import check_fill_ins
from sohoa.ocr.inputs import PageJob
from sohoa.ocr.layout import arrange_blocks, union_box
from sohoa.ocr.numerals import check_numerals

# the page-image API stays importable from here (pipeline, outputs and review use it)
from sohoa.ocr.page_images import image_dpi, load_page, load_page_image  # noqa: F401
from sohoa.ocr.reread import reread_unsure_lines
from sohoa.ocr.second_looks import CROP_TIMEOUT_S, SecondLooks  # noqa: F401
from sohoa.ocr.sigblock import recover_titles
from sohoa.ocr.stamps import find_frames, split_stamps
from sohoa.ocr.tessdata import tessdata_dir

TESSERACT_CMD = "tesseract"  # module attribute so tests can point it at a broken binary
TESSERACT_TIMEOUT_S = 300  # run_tesseract_tsv when no timeout is given
UPSIDE_DOWN_BELOW = 50.0  # page mean confidence under which OSD is asked whether the page is upside down
OSD_TIMEOUT_S = 120.0  # orientation detection: a failure there only means "not turned"
UPSCALE_INTERPOLATION = cv2.INTER_LINEAR  # measured: better than cubic or Lanczos on 200 dpi scans


def check_tesseract(lang: str = "vie", cmd: str | None = None) -> None:
    """Raise MissingDependencyError unless Tesseract (`cmd`, default TESSERACT_CMD) runs and has
    every language in `lang`."""
    exe = shutil.which(cmd or TESSERACT_CMD)
    if exe is None:
        raise MissingDependencyError("tesseract is not installed", remedy=TESSERACT_INSTALL)
    try:
        proc = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MissingDependencyError(f"tesseract cannot run ({exc})", remedy=TESSERACT_INSTALL) from exc
    have = {ln.strip() for ln in proc.stdout.splitlines()[1:]}
    missing = [code for code in lang.split("+") if code not in have]
    if missing:
        raise MissingDependencyError(
            f"tesseract has no language data for {', '.join(missing)}", remedy=TESSERACT_INSTALL
        )


# --------------------------------------------------------------------------- clean-up


@dataclass
class Prepared:
    image: np.ndarray  # what Tesseract reads (grey or 0/255)
    geometry: pp.Geometry
    dpi: int  # resolution of `image` as told to Tesseract
    flags: list[str]
    timings: dict[str, float]
    frames: list[Box] = field(default_factory=list)  # stamp frames, in `image`'s pixels


def prepare(img: np.ndarray, config: OcrConfig, source_dpi: int | None, quarter_turns: int = 0) -> Prepared:
    """Run the enabled clean-up steps, timing each. `quarter_turns` is a known rotation."""
    timings: dict[str, float] = {}
    flags: list[str] = []
    raw_size = (img.shape[1], img.shape[0])

    def timed(name: str, fn, *args):
        t = time.perf_counter()
        out = fn(*args)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t
        return out

    if config.suppress_colour and img.ndim == 3:
        img, share = timed("suppress_colour", pp.suppress_colour, img)
        if share > 0.001:
            flags.append("colour_suppressed")
    gray = timed("grey", pp.to_gray, img)
    if config.remove_borders:
        gray, share = timed("borders", pp.remove_borders, gray)
        if share > 0:
            flags.append("borders_removed")
    if config.orientation and quarter_turns == 0 and timed("orientation", pp.looks_sideways, gray):
        t_osd = time.perf_counter()
        quarter_turns = _sideways_turns(gray, timings, _osd_timeout(config), config.tesseract_cmd)
        timings["orientation"] += time.perf_counter() - t_osd - timings.get("tesseract_osd", 0.0)
    if quarter_turns:
        gray = np.ascontiguousarray(np.rot90(gray, quarter_turns))
        flags.append(f"rotated_{(quarter_turns * 90) % 360}")
    matrix = None
    if config.deskew:
        angle = timed("deskew", pp.estimate_skew, gray, config.max_deskew_deg)
        if abs(angle) >= 0.2:  # Tesseract copes with less; a warp costs ~0.05 s
            gray, matrix = timed("deskew", pp.rotate, gray, -angle)
            flags.append("deskewed")
    frames = timed("stamps", find_frames, gray) if config.find_stamps else []
    if config.remove_rules:
        gray, n_rules = timed("rules", pp.remove_rules, gray)
        if n_rules:
            flags.append("rules_removed")
    scale = 1.0
    dpi = source_dpi or 300
    if config.upscale_below_dpi:
        text_dpi = timed("upscale", pp.estimate_text_dpi, gray)
        if source_dpi is None:
            # no resolution in the file: a whole page is at least A4, so its resolution is at
            # most long side / 11.69 in (blur inflates the letter-height estimate)
            a4_dpi = max(gray.shape) / 11.69
            text_dpi = min(text_dpi, a4_dpi) if text_dpi else a4_dpi
        if text_dpi and text_dpi < config.upscale_below_dpi:
            scale = min(4.0, 300.0 / text_dpi)
            gray = timed("upscale", cv2.resize, gray, None, None, scale, scale, UPSCALE_INTERPOLATION)
            dpi = 300
            flags.append("upscaled")
        elif text_dpi:
            dpi = int(round(source_dpi or text_dpi))
    if config.denoise == "always" or (config.denoise == "auto" and timed("denoise", pp.noise_level, gray) > 2.4):
        gray = timed("denoise", pp.denoise, gray)
        flags.append("denoised")
    if config.binarize != "none":
        uneven = config.binarize == "auto" and timed("binarize", pp.background_unevenness, gray) > 20
        if config.binarize == "sauvola" or uneven:
            flat = timed("binarize", pp.flatten_background, gray)
            gray = timed("binarize", pp.sauvola, flat, max(15, int(dpi / 10)))
            flags.append("binarized")
        elif config.binarize == "otsu":
            gray = timed("binarize", lambda g: 255 - 255 * pp.otsu_ink(g).astype(np.uint8), gray)
            flags.append("binarized")
    geometry = pp.Geometry(raw_size, quarter_turns, matrix, scale)
    if scale != 1.0:
        frames = [tuple(int(round(v * scale)) for v in fr) for fr in frames]
    return Prepared(gray, geometry, dpi, flags, timings, frames)


def _osd_timeout(config: OcrConfig) -> float:
    return min(OSD_TIMEOUT_S, float(config.tesseract_timeout))


def _sideways_turns(gray: np.ndarray, timings: dict[str, float] | None = None,
                    timeout: float = 120.0, cmd: str | None = None) -> int:
    """Quarter turns (np.rot90 k) that make a page that looks sideways upright, decided by
    OSD on the turned page; 0 when OSD does not confirm the page was sideways."""
    turned = np.ascontiguousarray(np.rot90(gray, 1))
    osd = run_osd(turned, timings, timeout, cmd)
    if osd is None or osd[1] < 1.0 or osd[0] in (90, 270):
        return 0
    return 3 if osd[0] == 180 else 1


def run_osd(gray: np.ndarray, timings: dict[str, float] | None = None,
            timeout: float = 120.0, cmd: str | None = None) -> tuple[int, float] | None:
    """(degrees to rotate clockwise, confidence) from Tesseract OSD on a reduced copy.
    The Tesseract process's own time is added to timings["tesseract_osd"]."""
    small, _ = pp._small(gray, 1800)
    ok, buf = cv2.imencode(".pgm", small)
    t = time.perf_counter()
    try:
        proc = subprocess.run(
            [cmd or TESSERACT_CMD, "stdin", "stdout", "--psm", "0", "-l", "osd"],
            input=buf.tobytes(), capture_output=True, timeout=timeout, env=_tess_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    finally:
        if timings is not None:
            timings["tesseract_osd"] = timings.get("tesseract_osd", 0.0) + time.perf_counter() - t
    rotate, conf = None, 0.0
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Rotate:"):
            rotate = int(line.split(":")[1])
        elif line.startswith("Orientation confidence:"):
            conf = float(line.split(":")[1])
    return (rotate, conf) if rotate is not None else None


# --------------------------------------------------------------------------- Tesseract


def _tess_env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def run_tesseract_tsv(image: np.ndarray, *, lang: str, psm: int, dpi: int, where: str = "",
                      timeout: float = TESSERACT_TIMEOUT_S, cmd: str | None = None,
                      tessdata: str | None = None, variables: dict[str, str] | None = None) -> str:
    """One Tesseract process: the image goes in on stdin as PNM, TSV comes out on stdout.
    `variables` are Tesseract `-c` settings (a character whitelist for a digits-only pass).
    A crash, a non-zero exit, a run longer than `timeout` seconds (the process is killed) or
    output that is not Tesseract's TSV is an OcrEngineError: the page fails, the batch goes on."""
    out = run_tesseract(image, "tsv", lang=lang, psm=psm, dpi=dpi, where=where, timeout=timeout, cmd=cmd,
                        tessdata=tessdata, variables=variables)
    if not out.startswith("level\t"):
        shown = " ".join(out[:60].split()) or "nothing"
        raise OcrEngineError(f"Tesseract's output is not its TSV (it printed {shown!r})", where or None)
    return out


def run_tesseract(image: np.ndarray, fmt: str, *, lang: str, psm: int, dpi: int, where: str = "",
                  timeout: float = TESSERACT_TIMEOUT_S, cmd: str | None = None,
                  tessdata: str | None = None, variables: dict[str, str] | None = None) -> str:
    """What Tesseract prints in output format `fmt` (`tsv`, `hocr`) for one image; the failures
    of run_tesseract_tsv, except the check of the output's format."""
    ok, buf = cv2.imencode(".pgm" if image.ndim == 2 else ".ppm", image)
    if not ok:
        raise OcrEngineError("could not encode the page image for Tesseract", where or None)
    argv = [
        cmd or TESSERACT_CMD, "stdin", "stdout", "-l", lang, "--psm", str(psm), "--dpi", str(dpi),
        "-c", "tessedit_do_invert=0", *(a for k, v in (variables or {}).items() for a in ("-c", f"{k}={v}")), fmt,
    ]
    if tessdata:
        argv[1:1] = ["--tessdata-dir", tessdata]
    try:
        proc = subprocess.run(argv, input=buf.tobytes(), capture_output=True, timeout=timeout, env=_tess_env())
    except FileNotFoundError as exc:
        raise MissingDependencyError("tesseract is not installed", where or None, TESSERACT_INSTALL) from exc
    except subprocess.TimeoutExpired as exc:
        raise OcrEngineError(f"Tesseract took longer than {timeout:g} s and was stopped (ocr.tesseract_timeout)",
                             where or None) from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        how = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
        detail = f": {err[-1]}" if err else ""
        raise OcrEngineError(f"Tesseract failed ({how}){detail}", where or None)
    return proc.stdout.decode("utf-8", "replace")


def parse_engine_tsv(tsv: str, where: str) -> list[Line]:
    """parse_tsv of what Tesseract printed: a malformed row is the engine's fault (OcrEngineError)."""
    try:
        return parse_tsv(tsv)
    except (ValueError, IndexError, csv.Error) as exc:  # csv.Error: a bare carriage return in a field
        raise OcrEngineError(f"Tesseract printed a malformed TSV row ({exc})", where or None) from exc


def parse_tsv(tsv: str, geometry: pp.Geometry | None = None) -> list[Line]:
    """Word rows (level 5) grouped into lines; boxes mapped back to the rendered page."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    reader = csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if not header or header[0] != "level":
        return []
    for row in reader:
        if len(row) < 12 or row[0] != "5":
            continue
        text = nfc(row[11].strip())
        if not text:
            continue
        left, top, w, h = (int(v) for v in row[6:10])
        box = (left, top, left + w, top + h)
        if geometry is not None:
            box = geometry.to_raw(box)
        key = (int(row[2]), int(row[3]), int(row[4]))
        lines.setdefault(key, []).append(Word(text, box, round(float(row[10]), 1)))
    return [Line(words, union_box([w.box for w in words])) for words in lines.values()]


_JUNK_CHARS = set("_~`ˆ¬|‹›„¦^°•·")


def _drop_junk_words(line: Line) -> Line:
    """Specks read as "_", "~", "ˆ"… with low confidence, which no directive prints."""
    words = [w for w in line.words if not (set(w.text) <= _JUNK_CHARS and (w.conf or 0) < 60)]
    if len(words) == len(line.words):
        return line
    return Line(words, union_box([w.box for w in words]))


def _is_noise_line(line: Line) -> bool:
    """Stamp rims, scribbles and specks: every word unsure, and no real word in it."""
    confs = [w.conf or 0.0 for w in line.words]
    letters = sum(ch.isalpha() for ch in line.text)
    if statistics.mean(confs) >= 45:
        return False
    solid = any((w.conf or 0) >= 70 and sum(ch.isalpha() for ch in w.text) >= 2 for w in line.words)
    return not solid or letters < 3


# --------------------------------------------------------------------------- one page


def ocr_page(job: PageJob, config: OcrConfig | None = None) -> Page:
    """OCR one page; runs in a worker process. Raises SohoaError subclasses."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    config = config or OcrConfig()
    where = f"{job.path} page {job.page_number}"
    t0 = time.perf_counter()
    if job.blank:
        return blank_page(job.page_number, t0)
    raw, source_dpi = load_page(job, config)
    if is_blank_image(raw):
        return blank_page(job.page_number, t0, width=raw.shape[1], height=raw.shape[0], dpi=source_dpi)
    t_render = time.perf_counter() - t0
    page = _ocr_image(raw, config, source_dpi, where, job.page_number)
    if config.orientation and (page.mean_conf or 0) < UPSIDE_DOWN_BELOW and raw.size:
        page = _retry_upside_down(raw, config, source_dpi, where, job.page_number, page)
    page.timings = {"render": round(t_render, 4), **page.timings}
    page.timings["total"] = round(time.perf_counter() - t0, 4)
    return page


def ocr_image(img: np.ndarray, config: OcrConfig | None = None, *, dpi: int | None = None,
              number: int = 1) -> Page:
    """OCR an in-memory page image (BGR or grey) — for tests, benchmarks and notebooks."""
    config = config or OcrConfig()
    page = _ocr_image(img, config, dpi, "<image>", number)
    if config.orientation and (page.mean_conf or 0) < UPSIDE_DOWN_BELOW:
        page = _retry_upside_down(img, config, dpi, "<image>", number, page)
    return page


def _retry_upside_down(raw, config, source_dpi, where, number, page: Page) -> Page:
    """Pages read badly may be upside down: ask OSD, and re-read turned if it says so.
    The timings of the page returned include both reads (both were paid for)."""
    t = time.perf_counter()
    osd_time: dict[str, float] = {}
    osd = run_osd(pp.to_gray(raw), osd_time, _osd_timeout(config), config.tesseract_cmd)
    spent = {"orientation": time.perf_counter() - t - osd_time.get("tesseract_osd", 0.0), **osd_time}
    if osd is None or osd[0] != 180 or osd[1] < 2:
        return _add_timings(page, spent)
    turned = _ocr_image(raw, config, source_dpi, where, number, quarter_turns=2)
    for key, value in page.timings.items():  # the first, upright read
        spent[key] = spent.get(key, 0.0) + value
    better = turned if (turned.mean_conf or 0) > (page.mean_conf or 0) else page
    better.timings = dict(turned.timings)
    return _add_timings(better, spent)


def _add_timings(page: Page, extra: dict[str, float]) -> Page:
    for key, value in extra.items():
        page.timings[key] = round(page.timings.get(key, 0.0) + value, 4)
    return page


def _ocr_image(raw: np.ndarray, config: OcrConfig, source_dpi: int | None, where: str, number: int,
               quarter_turns: int = 0) -> Page:
    prep = prepare(raw, config, source_dpi, quarter_turns)
    timings = dict(prep.timings)
    t = time.perf_counter()
    tsv = run_tesseract_tsv(prep.image, lang=config.lang, psm=config.psm, dpi=prep.dpi, where=where,
                            timeout=config.tesseract_timeout, cmd=config.tesseract_cmd,
                            tessdata=tessdata_dir(config.model, config.lang))
    timings["tesseract"] = time.perf_counter() - t
    t = time.perf_counter()
    # lay out in the upright frame of the OCR image, then map boxes back to the rendered page
    lines = parse_engine_tsv(tsv, where)
    all_words = [w for ln in lines for w in ln.words]
    if config.drop_noise_lines:
        lines = [ln for ln in map(_drop_junk_words, lines) if ln.words]
    h, w = prep.image.shape[:2]
    lines, stamps = split_stamps(lines, prep.frames)
    blocks = arrange_blocks(lines, w, h, _is_noise_line if config.drop_noise_lines else None)
    if config.header_psm is not None:
        timings_h = _reread_headers(blocks, prep, config, where)
        timings["tesseract_header"] = timings_h
    blocks += stamps
    placed = [wd for block in blocks for line in block.lines for wd in line.words]
    for word, box in zip(placed, prep.geometry.to_raw_many([wd.box for wd in placed]), strict=True):
        word.box = box
    for block in blocks:
        for line in block.lines:
            line.box = union_box([wd.box for wd in line.words])
        block.box = union_box([ln.box for ln in block.lines])
    # second looks at parts of the page, in the rendered page's pixels
    looks = SecondLooks(config, source_dpi or prep.dpi, where)
    raw_gray = pp.to_gray(raw)
    first = [wd.conf for b in blocks for ln in b.lines for wd in ln.words if wd.conf is not None]
    # a page read this badly is turned or hopeless: the orientation retry judges the page pass
    if config.reread_unsure_lines and first and statistics.mean(first) >= UPSIDE_DOWN_BELOW:
        t_re = time.perf_counter()
        if reread_unsure_lines(blocks, raw_gray, lambda crop: looks.lines(crop, psm=7)):
            prep.flags.append("lines_reread")
        timings["reread"] = time.perf_counter() - t_re
    if config.recover_signature_titles:
        t_sig = time.perf_counter()
        recover_titles(blocks, raw, looks.lines)
        timings["signature_titles"] = time.perf_counter() - t_sig
    if config.check_fill_ins:
        t_fill = time.perf_counter()
        if check_fill_ins(blocks, raw_gray, looks.text, looks.digits):
            prep.flags.append("unsure_fill_in")
        timings["fill_ins"] = time.perf_counter() - t_fill
    if config.check_numerals:
        t_num = time.perf_counter()
        if check_numerals(blocks, raw_gray, looks.choices, looks.digits):
            prep.flags.append("numerals_reread")
        timings["numerals"] = time.perf_counter() - t_num
    timings["tesseract_second_looks"] = looks.seconds
    confs = [wd.conf for wd in all_words if wd.conf is not None]
    kept = [wd.conf for b in blocks for ln in b.lines for wd in ln.words if wd.conf is not None]
    mean_conf = round(statistics.mean(kept), 1) if kept else (round(statistics.mean(confs), 1) if confs else 0.0)
    flags = list(prep.flags)
    if not kept:
        flags.append("no_text")
    if mean_conf < config.low_conf_threshold:
        flags.append("low_confidence")
    timings["layout"] = time.perf_counter() - t
    raw_w, raw_h = prep.geometry.raw_size
    return Page(
        number=number, blocks=blocks, width=raw_w, height=raw_h, dpi=source_dpi or prep.dpi, source="ocr",
        mean_conf=mean_conf, flags=flags, timings={k: round(v, 4) for k, v in timings.items()},
    )


def _read_crop(crop: np.ndarray, config: OcrConfig, dpi: int, where: str, psm: int = 6,
               variables: dict[str, str] | None = None) -> list[Line]:
    """One second look at part of a page (ocr/second_looks.py): nothing when the engine refuses it."""
    return SecondLooks(config, dpi, where).lines(crop, psm, variables)


def _reread_headers(blocks, prep: Prepared, config: OcrConfig, where: str) -> float:
    """Re-read each header column as one uniform block of text (psm 6) and keep the
    result when Tesseract is more confident about it."""
    t = time.perf_counter()
    h, w = prep.image.shape[:2]
    for block in blocks:
        if block.kind not in ("header_left", "header_right") or block.box is None:
            continue
        pad = 10
        x0, y0, x1, y1 = block.box
        x0, y0, x1, y1 = max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)
        crop = np.ascontiguousarray(prep.image[y0:y1, x0:x1])
        lines = _read_crop(crop, config, prep.dpi, where, psm=config.header_psm)
        for ln in lines:
            for wd in ln.words:
                wd.box = (wd.box[0] + x0, wd.box[1] + y0, wd.box[2] + x0, wd.box[3] + y0)
            ln.box = union_box([wd.box for wd in ln.words])
        old = [wd.conf or 0 for ln in block.lines for wd in ln.words]
        new = [wd.conf or 0 for ln in lines for wd in ln.words]
        if new and statistics.mean(new) > statistics.mean(old or [0]):
            block.lines = lines
    return time.perf_counter() - t
