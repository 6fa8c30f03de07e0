"""Where `sohoa run` writes each input's output files: the input's path relative to the inputs'
common folder, mirrored under --pdf-out / --alto / --hocr / --text-out, so no two inputs of a
batch write the same file (`in/a/scan.jpg` → `out/a/scan.pdf`, `in/b/scan.jpg` → `out/b/scan.pdf`)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from sohoa.pipeline.config import OutputSettings
from sohoa.pipeline.walk import InputPath
from sohoa.pipeline.worker import OutputPlan


def _top(inp: InputPath) -> str:
    """The folder `inp.rel` is relative to: the walked folder, or a named file's own folder."""
    path = Path(os.path.abspath(inp.path))
    for _ in inp.rel.parts:
        path = path.parent
    return str(path)


def output_rels(inputs: list[InputPath]) -> dict[str, Path]:
    """input path → its output path stem (relative, no extension) for every input of a batch.

    One input folder (or files of one folder): the paths relative to it, as found. Several: the
    paths relative to the folders' common parent, so the folder names keep them apart. Two inputs
    of one folder with the same stem (`a.pdf`, `a.jpg`) keep their extension in the name
    (`a.pdf.pdf`, `a.jpg.pdf`)."""
    if not inputs:
        return {}
    tops = sorted({_top(i) for i in inputs})
    base = tops[0] if len(tops) == 1 else os.path.commonpath(tops)
    rels = {i.path: Path(os.path.relpath(os.path.abspath(i.path), base)) for i in inputs}
    stems = Counter(r.with_suffix("") for r in rels.values())
    return {path: (r if stems[r.with_suffix("")] > 1 else r.with_suffix("")) for path, r in rels.items()}


def output_plan(stem: Path, out: OutputSettings, has_pages: bool) -> OutputPlan:
    """Where one input's outputs go, `stem` from `output_rels`; a searchable PDF only for OCR'd pages."""
    plan = OutputPlan(stem=stem.name, invalidate_signatures=out.invalidate_signatures)
    if out.pdf_dir and has_pages:
        plan.pdf = str(Path(out.pdf_dir) / stem.parent / f"{stem.name}.pdf")
    if out.text_dir:
        plan.text = str(Path(out.text_dir) / stem.parent / f"{stem.name}.txt")
    if out.alto_dir:
        plan.alto_dir = str(Path(out.alto_dir) / stem.parent)
    if out.hocr_dir:
        plan.hocr_dir = str(Path(out.hocr_dir) / stem.parent)
    return plan
