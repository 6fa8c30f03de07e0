"""`sohoa run`: a batch of files into the archive.

- Inputs are files or folders (pipeline.walk: supported extensions, --include/--exclude, what is passed over and why).
- Idempotent by content hash: a file whose sha256 is stored with status ok is skipped unless
  `force`; a failed file is tried again on the next run.
- The pages of ALL files go into one process pool (OCR of scans page by page; then one job per
  file for restoration + extraction); the main process is the only writer and stores each file in
  one transaction.
- A file that fails (bad input, engine error, a worker that dies) fails alone; the batch goes on.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sohoa.document import Document, Page
from sohoa.errors import (
    InternalError,
    MissingDependencyError,
    SohoaError,
    UnreadableFileError,
    WorkerCrashError,
)
from sohoa.pipeline.archive import Archive, now_iso
from sohoa.pipeline.components import DocState
from sohoa.pipeline.config import Settings, load_settings, make_ocr_config
from sohoa.pipeline.executors import BatchExecutor
from sohoa.pipeline.locks import file_claim, lock_dir, run_lock
from sohoa.pipeline.output_paths import output_plan, output_rels
from sohoa.pipeline.progress import Progress
from sohoa.pipeline.report import FileResult, RunReport
from sohoa.pipeline.single import check_engine, open_file
from sohoa.pipeline.walk import (
    IGNORE_FILE,
    SUPPORTED_EXTENSIONS,
    InputPath,
    PassedOver,
    discover,
    group_page_images,
)
from sohoa.pipeline.worker import OutputPlan, finish_file, ocr_one_page, unpack_state

__all__ = ["IGNORE_FILE", "SUPPORTED_EXTENSIONS", "InputPath", "PassedOver", "discover", "file_sha256", "run"]


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    try:
        if os.path.isdir(path):
            raise UnreadableFileError("is a directory, not a file", path)
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except PermissionError as e:
        raise UnreadableFileError("permission denied", path) from e
    except OSError as e:
        raise UnreadableFileError(f"cannot read the file ({e.strerror or e})", path) from e
    return digest.hexdigest()


def set_sha256(paths: list[str]) -> str:
    """The content key of an image set: the hash of its members' hashes, in page order (as
    ocr.inputs.open_image_set computes it)."""
    joined = "\n".join(file_sha256(p) for p in paths)
    return hashlib.sha256(("image-set\n" + joined).encode()).hexdigest()


@dataclass
class _File:
    """One file in flight."""

    inp: InputPath
    result: FileResult
    t0: float
    opened: Any = None  # ocr.inputs.InputFile
    page_jobs: list[Any] = field(default_factory=list)
    pages: dict[int, Page] = field(default_factory=dict)
    failed: bool = False


@dataclass
class _Unit:
    """One job for the pool: a page to OCR (job set) or the after-OCR stages of a file."""

    file: _File
    page_job: Any = None
    crashes: int = 0


def run(inputs: Sequence[str], *, db: str | None = None, jobs: int | None = None, force: bool = False,
        config: dict[str, Any] | str | None = None, progress: Progress | None = None,
        argv: Sequence[str] | None = None) -> RunReport:
    """Process `inputs` into the archive at `db` and return the run report.

    `config` is a Settings (pipeline.config.load_settings) or a TOML file path; `db` and
    `jobs` override it. Raises BadArgumentsError (exit 2), MissingResourceError (exit 3) and DatabaseError (exit 5); per-file
    problems are in the report, never raised."""
    settings = config if isinstance(config, Settings) else load_settings(config)
    settings = settings.replace(db=db or settings.db, jobs=int(jobs or settings.jobs))
    check_resources(settings)
    db_path = settings.db
    passed: list[PassedOver] = []
    files = discover(inputs, exclude=[db_path, db_path + "-wal", db_path + "-shm", db_path + "-journal",
                                      str(lock_dir(db_path))],
                     include_globs=settings.walk.include, exclude_globs=settings.walk.exclude, passed=passed)
    if settings.walk.group_pages:
        files = group_page_images(files)
    with Archive(db_path, create=True) as archive:
        batch = _Batch(archive, settings, force, progress or Progress(), argv)
        batch.out_rels = output_rels(files)
        batch.report.passed_over = [{"path": p.path, "reason": p.reason} for p in passed]
        return batch.run(files)


def check_resources(settings: Settings) -> None:
    """Fail the run before any file (exit 3) when a stage's data files are missing or unreadable,
    rather than failing every file, or storing unrestored text as if it were restored."""
    from sohoa.resources import check

    if "restore" in settings.stages and settings.restore.enabled:
        check("models")
    if "extract" in settings.stages and settings.extract.enabled:
        check("gazetteer")


class _Batch:
    def __init__(self, archive: Archive, settings: Settings, force: bool, progress: Progress,
                 argv: Sequence[str] | None):
        self.archive = archive
        self.settings = settings
        self.force = force
        self.progress = progress
        self.argv = list(argv) if argv is not None else None
        self.report = RunReport(db=archive.path)
        self.queue: deque[_Unit] = deque()
        self.inflight: dict[Future, _Unit] = {}
        self.engine_checked = False
        self.ocr_config: Any = None
        self.max_inflight = max(2, 2 * settings.jobs)
        self.accept_any = settings.gate.accept_any
        self.locks = archive.locks()
        self.out_rels: dict[str, Path] = {}  # input path → output path stem (pipeline.output_paths)

    # -- the batch ----------------------------------------------------------------------------

    def run(self, inputs: list[InputPath]) -> RunReport:
        """The run is `done`, `interrupted` (Ctrl-C, SIGTERM) or `failed` (the archive cannot be
        written, a missing dependency, a bug) — never left `running`, except by kill -9 or a power
        cut, which the next run on the archive detects (its lock is free) and marks `interrupted`."""
        t0 = time.perf_counter()
        self.report.started_at = now_iso()
        self.report.run_id = self.archive.start_run(
            self.argv, is_live=lambda r: self.locks.is_held_elsewhere(run_lock(r)),
            on_start=lambda r: self.locks.acquire(run_lock(r)))
        status = "failed"
        try:
            self.progress.start(len(inputs), 0)  # pages are added as files are opened
            self._process(self._prepare(inputs))
            status = "done"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            self.progress.close()
            try:
                self._finish(t0, status)
            except SohoaError:
                if status == "done":
                    raise  # else the error that ended the run is the one to report
            finally:
                self.locks.release_all()
        return self.report

    def _finish(self, t0: float, status: str) -> None:
        self.report.seconds = time.perf_counter() - t0
        self.report.finished_at = now_iso()
        self.archive.finish_run(self.report, status)

    def _prepare(self, inputs: list[InputPath]) -> list[_File]:
        """Hash every file and skip what is already stored (cheap); files are opened later, just
        before their pages are queued, so work starts at once even for a large batch."""
        batch_hashes: dict[str, str] = {}
        out = []
        for inp in inputs:
            f = _File(inp, FileResult(path=inp.path, status="ok", started_at=now_iso()), time.perf_counter())
            try:
                f.result.sha256 = set_sha256(inp.members) if inp.members else file_sha256(inp.path)
            except SohoaError as e:
                self._fail(f, e)
                continue
            if f.result.sha256 in batch_hashes:
                self._skip(f, f"same content as {batch_hashes[f.result.sha256]}")
            elif not self.force and self.archive.is_done(f.result.sha256, skipped=not self.accept_any):
                batch_hashes[f.result.sha256] = inp.path
                if self.archive.is_done(f.result.sha256):
                    self._skip(f)
                else:
                    f.result.error_kind = "not_a_document"
                    self._skip(f, "judged not a document on an earlier run (--accept-any stores it)")
            else:
                batch_hashes[f.result.sha256] = inp.path
                out.append(f)
        return out

    def _claim(self, f: _File) -> str:
        """"ok" when this run may work on the file; "later" when another run on the archive holds it;
        "stored" when that other run stored it meanwhile."""
        if not self.locks.acquire(file_claim(f.result.sha256 or f.inp.path)):
            return "later"
        if not self.force and f.result.sha256 and self.archive.is_done(f.result.sha256, skipped=not self.accept_any):
            self.locks.release(file_claim(f.result.sha256))
            return "stored"
        return "ok"

    def _open(self, f: _File) -> bool:
        """Open a file (kind, pages, page jobs); False when it failed."""
        f.t0 = time.perf_counter()
        try:
            f.opened = open_file(f.inp.members or f.inp.path, self.settings)
            f.result.size, f.result.kind = f.opened.size, f.opened.kind
            f.result.pages = f.opened.page_count
            f.page_jobs = f.opened.page_jobs()
            if self.settings.output.pdf_dir and f.page_jobs and f.opened.kind.startswith("pdf"):
                from sohoa.ocr.pdf_signature import check_not_signed

                check_not_signed(f.inp.path, self.settings.output.invalidate_signatures)
            if f.page_jobs:
                self._check_engine()
            elif not self._worker_reads(f):
                f.pages = {p.number: p for p in f.opened.text_pages()}
        except Exception as e:  # noqa: BLE001 — SohoaError, or an unexpected reader bug: the file fails alone
            self._fail(f, e)
            return False
        self.progress.add_pages(len(f.page_jobs) or len(f.pages) or f.opened.page_count)
        return True

    def _worker_reads(self, f: _File) -> bool:
        """A text file is read by the worker (the `ocr` stage), not here: sent as pages it would be
        pickled, and held, by both processes."""
        return f.opened.kind == "text" and "ocr" in self.settings.stages

    def _check_engine(self) -> None:
        if self.engine_checked:
            if self.report.missing_dependency:
                raise MissingDependencyError(self.report.missing_dependency)
            return
        self.engine_checked = True
        try:
            check_engine(self.settings)
            self.ocr_config = make_ocr_config(self.settings)
        except MissingDependencyError as e:
            self.report.missing_dependency = e.report()
            raise

    # -- scheduling ---------------------------------------------------------------------------

    def _process(self, files: list[_File]) -> None:
        if not files:
            return
        pending = deque(files)
        executor = BatchExecutor(self.settings.executor, self.settings.jobs, self.settings.scheduler)
        try:
            while pending or self.queue or self.inflight:
                held_elsewhere = 0
                while len(self.inflight) < self.max_inflight and (self.queue or pending):
                    if not self.queue:
                        f = pending.popleft()
                        claim = self._claim(f)
                        if claim == "later":  # another run is on it: come back to it after the others
                            pending.append(f)
                            held_elsewhere += 1
                            if held_elsewhere >= len(pending):
                                break
                            continue
                        if claim == "stored":
                            self._skip(f, "stored meanwhile by another run on this archive")
                            continue
                        self._enqueue_file(f)
                        continue
                    unit = self.queue.popleft()
                    if unit.file.failed:
                        continue
                    try:
                        self.inflight[self._submit(executor, unit)] = unit
                    except BrokenProcessPool:  # a worker died before we saw it: recover, then resubmit
                        self.queue.appendleft(unit)
                        self._recover(executor, [])
                if not self.inflight:
                    if held_elsewhere:
                        time.sleep(0.5)  # only files another run holds are left: wait for it
                    continue
                done, _ = wait(list(self.inflight), timeout=0.5, return_when=FIRST_COMPLETED)
                broken = []
                for fut in done:
                    unit = self.inflight.pop(fut)
                    exc = fut.exception()
                    if isinstance(exc, BrokenProcessPool):
                        broken.append(unit)
                    else:
                        self._handle(unit, fut)
                if broken:
                    self._recover(executor, broken)
        except KeyboardInterrupt:
            try:
                self._keep_finished()
            finally:
                executor.close(cancel=True)
            raise
        except BaseException:
            executor.close(cancel=True)
            raise
        executor.close()

    def _keep_finished(self) -> None:
        """Interrupted: store the files whose last job had already finished; the rest is dropped
        (a re-run does it)."""
        for fut, unit in list(self.inflight.items()):
            if unit.page_job is None and fut.done() and not fut.cancelled() and fut.exception() is None:
                try:
                    self._handle(unit, fut)
                except SohoaError:
                    break  # the archive cannot be written: nothing more to keep
        self.inflight.clear()

    def _enqueue_file(self, f: _File) -> None:
        if not self._open(f):
            return
        if f.page_jobs:
            self.queue.extend(_Unit(f, job) for job in f.page_jobs)
        else:
            self.queue.append(_Unit(f))

    def _submit(self, executor: BatchExecutor, unit: _Unit) -> Future:
        if unit.page_job is not None:
            return executor.submit(ocr_one_page, unit.page_job, self.ocr_config)
        f = unit.file
        doc = Document(path=f.inp.path, pages=[f.pages[n] for n in sorted(f.pages)], sha256=f.result.sha256)
        if f.inp.members:
            doc.meta["page_files"] = [job.path for job in f.page_jobs]
        return executor.submit(finish_file, doc, f.page_jobs, self.settings, self._output_plan(f),
                               self.ocr_config)

    def _output_plan(self, f: _File) -> OutputPlan:
        stem = self.out_rels.get(f.inp.path) or f.inp.rel.with_suffix("")
        return output_plan(stem, self.settings.output, bool(f.page_jobs))

    def _handle(self, unit: _Unit, fut: Future) -> None:
        f = unit.file
        exc = fut.exception()
        if f.failed:
            return
        if exc is not None:
            if not isinstance(exc, SohoaError):
                where = f"page {unit.page_job.page_number}" if unit.page_job is not None else "restore/extract"
                exc = InternalError(f"{where}: {type(exc).__name__}: {exc}", f.inp.path)
            self._fail(f, exc)
            return
        if unit.page_job is not None:
            page = fut.result()
            f.pages[unit.page_job.page_number] = page
            self.progress.pages_done(1)
            if len(f.pages) == len(f.page_jobs):
                self.queue.appendleft(_Unit(f))  # finish this file before starting others
            return
        state: DocState = unpack_state(fut.result())
        if not f.page_jobs:
            self.progress.pages_done(len(state.doc.pages))
        self._store(f, state)

    def _recover(self, executor: BatchExecutor, broken: list[_Unit]) -> None:
        """A worker process died: every job in flight was lost. Run the jobs that were in flight
        twice alone, one per fresh one-worker pool, so only the job that kills its worker fails its file."""
        broken += list(self.inflight.values())
        self.inflight.clear()
        if not executor.restartable:
            for unit in broken:
                self._fail(unit.file, WorkerCrashError("a worker process died", unit.file.inp.path))
            return
        executor.restart()
        for unit in broken:
            unit.crashes += 1
            if unit.file.failed:
                continue
            if unit.crashes < 2:
                self.queue.appendleft(unit)
                continue
            pool = executor.isolated()
            try:
                fut = self._submit(_Wrap(pool), unit)
                wait([fut])
                if isinstance(fut.exception(), BrokenProcessPool):
                    where = f"page {unit.page_job.page_number}" if unit.page_job is not None else "restore/extract"
                    self._fail(unit.file, WorkerCrashError(f"a worker process died on {where}", unit.file.inp.path))
                else:
                    self._handle(unit, fut)
            finally:
                pool.shutdown(wait=False, cancel_futures=True)

    # -- outcomes -------------------------------------------------------------------------------

    def _skip(self, f: _File, why: str | None = None) -> None:
        f.result.status = "skipped"
        f.result.error = why
        f.result.finished_at = now_iso()
        self.archive.record_skip(self.report.run_id, f.result)
        self.report.files.append(f.result)
        self.progress.file_done(f.result)

    def _fail(self, f: _File, err: BaseException) -> None:
        if f.failed:
            return
        f.failed = True
        r = f.result
        r.status = "failed"
        if not isinstance(err, SohoaError):
            err = InternalError(f"{type(err).__name__}: {err}", f.inp.path)
        r.error_kind, r.error = err.kind, err.report()
        if not r.error.startswith(f.inp.path):
            r.error = f"{f.inp.path}: {r.error}"
        r.finished_at = now_iso()
        r.seconds = time.perf_counter() - f.t0
        self.queue = deque(u for u in self.queue if u.file is not f)
        try:
            self.archive.store_file(r, run_id=self.report.run_id)
        finally:
            self.locks.release(file_claim(r.sha256 or f.inp.path))
        self.report.files.append(r)
        self.progress.file_done(r)

    def _store(self, f: _File, state: DocState) -> None:
        r = f.result
        r.pages = len(state.doc.pages)
        r.documents = len(state.records)
        verdict = state.reports.get("gate") or {}
        if verdict.get("is_document") is False and not self.accept_any:
            r.status, r.error_kind, r.documents = "skipped", "not_a_document", 0
            r.error = (f"{f.inp.path}: not a document: {verdict.get('reason')} — if it is one, run again "
                       "with --accept-any (setting gate.accept_any)")
        r.timings = dict(state.timings)
        r.timings["ocr"] = sum(p.timings.get("total", sum(p.timings.values())) for p in state.doc.pages
                               if p.source == "ocr")
        r.finished_at = now_iso()
        r.seconds = time.perf_counter() - f.t0
        state.timings["ocr"] = r.timings["ocr"]
        try:
            self.archive.store_file(r, state, run_id=self.report.run_id,
                                    low_conf_threshold=self.settings.ocr.low_conf_threshold)
        finally:
            self.locks.release(file_claim(r.sha256 or f.inp.path))
        self.report.files.append(r)
        self.progress.file_done(r)
        f.pages.clear()  # free the memory of a finished file


class _Wrap:
    """A bare executor seen through the BatchExecutor interface `_submit` uses."""

    def __init__(self, pool: Any):
        self.pool = pool

    def submit(self, fn: Any, *args: Any) -> Any:
        return self.pool.submit(fn, *args)
