"""Test-wide settings: property tests are time-insensitive (CI machines are shared and slow) and,
under CI, derandomised so that a red run can be reproduced."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("sohoa", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "sohoa")


# -- PostgreSQL: one throw-away cluster per session (tests/pg_server.py), a fresh database per test --

import itertools  # noqa: E402

import pytest  # noqa: E402

_DB_NAMES = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    from tests.pg_server import PgServer, missing_reason

    reason = missing_reason()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"PostgreSQL tests cannot run under CI: {reason}")
        pytest.skip(reason)
    server = PgServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a new, empty database."""
    return pg_server.create_db(f"t{os.getpid()}_{next(_DB_NAMES)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def archive_url(request, tmp_path) -> str:
    """An archive location on each back end: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "a.sqlite")
    return request.getfixturevalue("pg_url")
