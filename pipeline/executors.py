"""Process pools for a batch: local (concurrent.futures) or Dask (pipeline.dask_executor, lazily)."""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AbstractContextManager, ExitStack
from typing import Any

# Modules the fork server imports once, so that each worker starts warm.
_PRELOAD = ["sohoa.pipeline.worker", "sohoa.pipeline.components", "sohoa.normalize", "sohoa.extract"]


def _mp_context() -> Any:
    # The fork server: workers are forked from a clean single-threaded process, which is safe even
    # while the main process runs the progress-bar thread (plain fork is not).
    if sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def local_pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=_mp_context())


class BatchExecutor:
    """The executor of a run, restartable when a local worker process dies."""

    def __init__(self, kind: str, jobs: int, scheduler: str | None = None):
        self.kind = kind
        self.jobs = jobs
        self.scheduler = scheduler
        self._stack = ExitStack()
        self.executor: Executor = self._open()

    def _open(self) -> Executor:
        if self.kind == "dask":
            from sohoa.pipeline.dask_executor import make_executor

            cm: AbstractContextManager[Executor] = make_executor(self.scheduler, self.jobs)
            return self._stack.enter_context(cm)
        return local_pool(self.jobs)

    @property
    def restartable(self) -> bool:
        return self.kind == "local"

    def submit(self, fn: Any, *args: Any) -> Any:
        return self.executor.submit(fn, *args)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._open()

    def isolated(self) -> ProcessPoolExecutor:
        """A one-worker pool, to find which job kills its worker."""
        return local_pool(1)

    def close(self, cancel: bool = False) -> None:
        if self.kind == "local":
            self.executor.shutdown(wait=not cancel, cancel_futures=cancel)
        self._stack.close()
