"""A throw-away PostgreSQL cluster for the tests: initdb + pg_ctl in a temporary folder, the socket
in that folder (no TCP port), trust authentication for its one local superuser, stopped and removed
at the end of the test session.

As root (CI containers) the server runs as an unprivileged user (`postgres` when the Debian package
made one, else `nobody`), the folder chowned to it; PostgreSQL refuses to run as root. The binaries
are found in $SOHOA_PG_BIN, on the PATH, or in Debian's /usr/lib/postgresql/*/bin. When they or
psycopg are missing the PostgreSQL tests skip — except under CI=true, where they fail: CI must
test both back ends (scripts/setup.sh dev installs `postgresql`).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "sohoa_admin"


def find_bin() -> Path | None:
    candidates = [os.environ.get("SOHOA_PG_BIN", "")]
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def missing_reason() -> str | None:
    """Why the PostgreSQL tests cannot run here (None: they can)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[dev]')"
    if find_bin() is None:
        return "PostgreSQL server binaries not found (apt-get install postgresql, or set SOHOA_PG_BIN)"
    return None


class PgServer:
    def __init__(self) -> None:
        bindir = find_bin()
        if bindir is None:
            raise RuntimeError(missing_reason() or "no PostgreSQL")
        self.bin = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="sohoa-pg-"))
        self.user: int | None = None
        if os.geteuid() == 0:
            name = "postgres"
            try:
                pwd.getpwnam(name)
            except KeyError:
                name = "nobody"
            entry = pwd.getpwnam(name)
            self.user = entry.pw_uid
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self.data = self.dir / "data"
        self.started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(a) for a in args], user=self.user, cwd=self.dir, capture_output=True,
                              text=True, timeout=120, check=False)

    def start(self) -> PgServer:
        for locale in ("C.UTF-8", "C"):
            r = self._run(self.bin / "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                          "-E", "UTF8", f"--locale={locale}")
            if r.returncode == 0:
                break
            shutil.rmtree(self.data, ignore_errors=True)
        else:
            raise RuntimeError(f"initdb failed: {r.stderr.strip()[-500:]}")
        opts = f"-k {self.dir} -c listen_addresses='' -F -c max_connections=60 -c shared_buffers=32MB"
        r = self._run(self.bin / "pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w",
                      "-t", "60", "-o", opts, "start")
        if r.returncode != 0:
            log = (self.dir / "server.log").read_text(errors="replace")[-800:] if (self.dir / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {r.stderr.strip()[-500:]} {log}")
        self.started = True
        return self

    def url(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@/{dbname}?host={self.dir}"

    def admin(self, sql: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(sql)

    def create_db(self, name: str) -> str:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.started:
            self._run(self.bin / "pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)
