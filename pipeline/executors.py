"""Process pools for a batch: local (concurrent.futures) or Dask (pipeline.dask_executor, lazily)."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
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
    return ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=_mp_context(),
                               initializer=die_with, initargs=(os.getpid(),))


PR_SET_PDEATHSIG = 1


def die_with(main_pid: int) -> None:
    """Worker initializer: the worker ends when the main process does, even after `kill -9` of it.
    Its parent is the fork server, which exits when the main process goes: the kernel then kills
    the worker (PR_SET_PDEATHSIG, Linux). A watchdog thread polling the main process covers the
    other systems and a fork server that lingers."""
    signal.signal(signal.SIGTERM, _end_with_children)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch, args=(main_pid,), name="sohoa-watchdog", daemon=True).start()


def _watch(main_pid: int, every: float = 1.0) -> None:
    while _alive(main_pid):
        time.sleep(every)
    _end_with_children()


def _end_with_children(*_: Any) -> None:
    """End this worker and what it started (a Tesseract run would otherwise go on alone, even
    hang: its timeout is kept by the worker)."""
    me = str(os.getpid())
    try:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", "rb") as fh:
                        if fh.read().rsplit(b")", 1)[1].split()[1].decode() == me:
                            os.kill(int(entry), signal.SIGKILL)
                except (OSError, IndexError):
                    continue
    except OSError:  # no /proc (not Linux)
        pass
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed main process not yet reaped by its parent is a zombie: gone all the same
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def stop_workers(executor: Executor, grace: float = 2.0) -> None:
    """End a local pool's worker processes now (Ctrl-C, SIGTERM, a fatal archive error): SIGTERM,
    then SIGKILL past `grace` seconds. Their jobs are lost; what was stored stays."""
    procs = list((getattr(executor, "_processes", None) or {}).values())
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + grace
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)


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
            if cancel:
                stop_workers(self.executor)
            self.executor.shutdown(wait=not cancel, cancel_futures=cancel)
        self._stack.close()
