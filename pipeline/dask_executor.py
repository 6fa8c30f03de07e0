"""`sohoa run --executor dask [--scheduler ADDR]`: the run's pages and files on a Dask cluster.

`make_executor(scheduler, jobs)` is a context manager giving a `concurrent.futures.Executor` whose
futures are ordinary `concurrent.futures.Future`s, so the run loop (pipeline/run.py) is the same for
local processes and Dask. Only the work is distributed: results come back to the run's main process,
which alone writes the archive — no row is lost or written twice, whatever the workers do.

Without a scheduler address a LocalCluster of `jobs` single-threaded worker processes is started
(and stopped at the end). With one, the cluster must already run (`dask scheduler`, `dask worker`)
and every worker needs the same sohoa and Tesseract installed; see docs/scale.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

from sohoa.errors import ExitCode, MissingDependencyError, SohoaError

DASK_INSTALL = 'Dask is required for --executor dask: pip install "dask[distributed]"'
CONNECT_TIMEOUT_S = 30


class SchedulerUnreachableError(SohoaError):
    exit_code = ExitCode.bad_args
    kind = "dask_scheduler"
    remedy = "check the address (tcp://HOST:8786) and that `dask scheduler` runs there and the port is open"


class WorkerSetupError(SohoaError):
    exit_code = ExitCode.missing_dependency
    kind = "dask_worker"
    remedy = "install the same sohoa version (and Tesseract with `vie`) on every worker, then restart them"


def worker_info() -> dict[str, Any]:
    """Runs on each worker: can it import the pipeline, and does it have Tesseract?"""
    import shutil

    info: dict[str, Any] = {"python": sys.version.split()[0], "tesseract": shutil.which("tesseract") is not None}
    try:
        from importlib.metadata import PackageNotFoundError, version

        import sohoa.pipeline.worker  # noqa: F401

        try:
            info["sohoa"] = version("sohoa")
        except PackageNotFoundError:
            info["sohoa"] = "source tree"
    except Exception as err:  # noqa: BLE001 — reported back to the client, which names the worker
        info["error"] = f"{type(err).__name__}: {err}"
    return info


def check_workers(client: Any, need_tesseract: bool = False) -> dict[str, dict[str, Any]]:
    """Ask every connected worker for `worker_info`; raise WorkerSetupError naming the bad ones."""
    infos: dict[str, dict[str, Any]] = client.run(worker_info)
    bad = {addr: i["error"] for addr, i in infos.items() if "error" in i}
    if need_tesseract:
        bad.update({addr: "tesseract not found" for addr, i in infos.items() if not i.get("tesseract")})
    if bad:
        raise WorkerSetupError("Dask workers cannot run sohoa: " + "; ".join(f"{a}: {e}" for a, e in sorted(bad.items())))
    return infos


@contextmanager
def make_executor(scheduler: str | None, jobs: int) -> Iterator[Executor]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise MissingDependencyError("dask.distributed is not installed", remedy=DASK_INSTALL) from err
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        else:
            cluster = LocalCluster(n_workers=max(1, int(jobs)), threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster, set_as_default=False)
    except (OSError, TimeoutError) as err:
        if cluster is not None:
            cluster.close()
        where = scheduler or "a local cluster"
        raise SchedulerUnreachableError(f"cannot connect to the Dask scheduler at {where}: {err}") from err
    try:
        if scheduler:
            try:
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
            except TimeoutError as err:
                raise SchedulerUnreachableError(
                    f"the Dask scheduler at {scheduler} has no workers",
                    remedy="start workers with `dask worker " + scheduler + "` on machines that have sohoa",
                ) from err
        check_workers(client)
        # pure=False: two identical tasks (the same page twice) must both run, never be merged.
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `sohoa run` this executor reads (the run command declares them itself)."""
    parser.add_argument("--executor", choices=["local", "dask"], help="where pages run (default local)")
    parser.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
