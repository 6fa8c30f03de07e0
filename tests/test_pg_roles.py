"""The README's PostgreSQL roles, run against the test cluster: scripts/pg_roles.sql and the README's
`CREATE ROLE … IN ROLE …` block, then what an analyst and a reviewer can and cannot do."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sohoa.errors import DatabaseError
from sohoa.pipeline.archive import Archive
from tests.test_archive import result, state_for
from tests.test_serve_helpers import client, post_form

ROOT = Path(__file__).resolve().parent.parent
ROLES_SQL = ROOT / "scripts" / "pg_roles.sql"


def readme_roles_block() -> str:
    """The ```sql block of the README's PostgreSQL section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## PostgreSQL"):]
    return re.search(r"```sql\n(.*?)```", section, re.S).group(1)


def _as(url: str, user: str) -> str:
    parts = urlsplit(url)
    return url.replace(f"{parts.username}@", f"{user}@", 1)


@pytest.fixture
def roles(pg_server, pg_url):
    with Archive(pg_url, create=True) as a:
        a.store_file(result(), state_for("Đảng ủy khối cơ quan tỉnh"))
    dbname = urlsplit(pg_url).path.lstrip("/")
    psql = pg_server.bin / "psql"
    r = subprocess.run([str(psql), pg_url, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(ROLES_SQL)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(psql), pg_url, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(ROLES_SQL)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr  # idempotent
    for stmt in readme_roles_block().split(";"):
        body = "\n".join(ln for ln in stmt.splitlines() if not ln.strip().startswith("--")).strip()
        if body:
            pg_server.admin(f"DO $$ BEGIN {body}; EXCEPTION WHEN duplicate_object THEN NULL; END $$", dbname)
    return pg_url


def test_readme_and_script_agree():
    block = readme_roles_block()
    script = ROLES_SQL.read_text(encoding="utf-8")
    for role in re.findall(r"IN ROLE (\w+)", block):
        assert f"CREATE ROLE {role} NOLOGIN" in script
    assert "scripts/pg_roles.sql" in block


def test_analyst_reads_but_cannot_write(roles):
    ana = _as(roles, "ana")
    with Archive(ana, readonly=True) as a:
        assert a.search("dang uy").path.tolist() == ["a.txt"]
        assert len(a.documents_reviewed()) == 1
    with Archive(ana) as a:  # even outside `sohoa query`'s read-only transaction
        for sql in ("INSERT INTO corrections(target, field, new_value) VALUES ('field', 'date', 'x')",
                    "DELETE FROM documents", "UPDATE files SET path = 'x'"):
            with pytest.raises(DatabaseError, match="permission denied"), a._write():
                a.conn.execute(sql)


def test_reviewer_appends_corrections_and_changes_nothing_else(roles):
    lan = _as(roles, "lan")
    with Archive(lan) as a:  # what `sohoa serve` does first: open to write (no migration needed)
        doc_id = int(a.documents().doc_id[0])
    c = client(lan, reviewer="lan")
    r = post_form(c, f"/doc/{doc_id}/correct", {"target": "field", "field": "subject", "new_value": "Về thi đua"})
    assert r.status_code == 303
    assert post_form(c, f"/doc/{doc_id}/review", {"set_status": "reviewed"}).status_code == 303
    with Archive(lan) as a:
        assert a.corrections().new_value.tolist() == ["Về thi đua"]
        assert a.documents_reviewed().review_status.tolist() == ["reviewed"]
        assert a.search("thi dua").doc_id.tolist() == [doc_id]  # search_text was refreshed
        for sql in ("DELETE FROM corrections", "UPDATE corrections SET new_value = 'x'", "DELETE FROM documents",
                    "UPDATE documents SET issuer = 'x'", "INSERT INTO files(path, status) VALUES ('x', 'ok')"):
            with pytest.raises(DatabaseError, match="permission denied"), a._write():
                a.conn.execute(sql)
