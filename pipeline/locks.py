"""Advisory locks beside the archive, so that runs sharing one archive cooperate.

- A run holds `run-<id>.lock` while it lasts: a `running` row whose lock is free belongs to a
  process that is gone (kill -9, a crash, power loss), and the next run marks it `interrupted`.
- A run claims each file (by content hash) before working on it and keeps the claim until the
  file is stored: a second run on the same archive never does a file the first one holds.

They are `flock` locks on files in `.<archive name>.locks/` next to the archive: the kernel releases
them when the process dies, however it dies, so a claim can never outlive its holder.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def lock_dir(db_path: str) -> Path:
    db = Path(db_path)
    return db.parent / f".{db.name}.locks"


class Locks:
    def __init__(self, db_path: str):
        self.dir = lock_dir(db_path)
        self._held: dict[str, int] = {}

    def _path(self, name: str) -> Path:
        return self.dir / f"{name}.lock"

    def acquire(self, name: str) -> bool:
        """Take the lock `name` without waiting; False when another process holds it."""
        if name in self._held:
            return True
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self._path(name)
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError:  # the folder was just removed by a run that ended
                self.dir.mkdir(parents=True, exist_ok=True)
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            try:  # the holder before us may have removed the file after we opened it: start over
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._held[name] = fd
                return True
            os.close(fd)

    def release(self, name: str) -> None:
        fd = self._held.pop(name, None)
        if fd is None:
            return
        try:
            self._path(name).unlink(missing_ok=True)  # removed while still held (see `acquire`)
        finally:
            os.close(fd)

    def is_held_elsewhere(self, name: str) -> bool:
        """Another live process holds `name` (False when nobody does, or the file is gone)."""
        if name in self._held or not self._path(name).exists():
            return False
        if self.acquire(name):
            self.release(name)
            return False
        return True

    def release_all(self) -> None:
        for name in list(self._held):
            self.release(name)
        try:
            self.dir.rmdir()  # only when empty: another run's locks keep it
        except OSError:
            pass


def run_lock(run_id: int) -> str:
    return f"run-{run_id}"


def file_claim(sha256: str) -> str:
    return f"file-{sha256}"
