"""A small registry of named pipeline stages, run in the order the `stages` setting lists.

    @register("restore")
    def restore(state: DocState, settings: Settings) -> None: ...

A stage reads and updates a `DocState` (the document, its records, per-stage reports and
timings). The built-in stages are `ocr` (fills the pages when the document has none — in a batch
the pages were already made in the process pool, so it does nothing there), `restore` and `extract`.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sohoa.document import Document
from sohoa.pipeline.config import Settings
from sohoa.record import Record

Stage = Callable[["DocState", Settings], None]

_REGISTRY: dict[str, Stage] = {}


@dataclass
class DocState:
    doc: Document
    records: list[Record] = field(default_factory=list)
    reports: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def register(name: str) -> Callable[[Stage], Stage]:
    def deco(fn: Stage) -> Stage:
        _REGISTRY[name] = fn
        return fn

    return deco


def registered() -> dict[str, Stage]:
    return dict(_REGISTRY)


def resolve(name: str) -> Stage:
    """A registered stage, or `package.module:function` for a stage in the user's own code
    (imported by name so that worker processes find it too)."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as e:
            raise KeyError(f"cannot import stage {name!r}: {e}") from e
    raise KeyError(f"unknown stage {name!r}; known: {sorted(_REGISTRY)}")


def run_stages(state: DocState, settings: Settings) -> DocState:
    for name in settings.stages:
        stage = resolve(name)
        t0 = time.perf_counter()
        stage(state, settings)
        state.timings[name] = state.timings.get(name, 0.0) + time.perf_counter() - t0
    return state


def process_document(doc: Document, settings: Settings) -> DocState:
    """Top-level (picklable) entry point: run the configured stages on one document."""
    return run_stages(DocState(doc), settings)


@register("ocr")
def ocr_stage(state: DocState, settings: Settings) -> None:
    if state.doc.pages:
        return
    from sohoa.pipeline.single import load_document

    state.doc.pages = load_document(state.doc.path, settings, jobs=1).pages


@register("restore")
def restore_stage(state: DocState, settings: Settings) -> None:
    if not settings.restore.enabled:
        return
    from sohoa.normalize import restore_document

    state.reports["restore"] = restore_document(state.doc)


@register("extract")
def extract_stage(state: DocState, settings: Settings) -> None:
    if not settings.extract.enabled:
        return
    from sohoa.extract import extract_document

    state.records = extract_document(state.doc, restore=bool(settings.restore.enabled))
