"""The review site's defences: access tokens for any non-loopback binding (identity from the token),
the Host allow-list, CSRF (Origin and form token), framing headers, bounded request bodies, and a
real server answering 200 concurrent requests."""

from __future__ import annotations

import socket
import sqlite3
import threading
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sohoa.pipeline import serve
from sohoa.pipeline.review.security import CSRF_COOKIE, TOKEN_COOKIE, parse_tokens
from tests.test_serve_helpers import BASE_URL, build_archive, client, post_form

SECRET = "s3cret-token-for-lan"


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    db = tmp_path / "archive.sqlite"
    return db, build_archive(db, image_dir=tmp_path)


def n_corrections(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT count(*) FROM corrections").fetchone()[0]


def correction_form(c) -> dict[str, str]:
    return {"target": "field", "field": "code", "new_value": "X-1", "csrf": c.cookies[CSRF_COOKIE]}


# -- access tokens and identity


def test_a_non_loopback_host_needs_tokens(archive, capsys, monkeypatch) -> None:
    db, _ = archive
    with pytest.raises(ValueError, match="access tokens"):
        serve.make_server(db, "0.0.0.0", 0, quiet=True)
    monkeypatch.delenv("SOHOA_REVIEW_TOKENS", raising=False)
    assert serve.main(["--db", str(db), "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "SOHOA_REVIEW_TOKENS" in capsys.readouterr().err
    with pytest.raises(ValueError, match="12 characters"):
        parse_tokens("lan:short", None)
    assert parse_tokens("lan:" + SECRET + ", minh:another-secret-1", None) == {SECRET: "lan", "another-secret-1": "minh"}


def test_with_tokens_every_page_needs_one_and_the_reviewer_is_the_tokens(archive) -> None:
    db, ids = archive
    c = client(db, tokens={SECRET: "lan"})
    r = c.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert c.get(f"/doc/{ids['plan']}.json").status_code == 303
    assert c.get("/login").status_code == 200
    assert post_form(c, "/login", {"token": "wrong-token-value"}).status_code == 401
    assert TOKEN_COOKIE not in c.cookies
    r = post_form(c, "/login", {"token": SECRET})
    assert r.status_code == 303 and TOKEN_COOKIE in c.cookies
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    assert c.get("/").status_code == 200
    r = post_form(c, f"/doc/{ids['plan']}/correct", {"target": "field", "field": "code", "new_value": "46-KH/TU",
                                                     "reviewer": "mallory"})
    assert r.status_code == 303
    assert sqlite3.connect(db).execute("SELECT reviewer FROM corrections").fetchall() == [("lan",)]


def test_a_bearer_token_works_without_the_login_form(archive) -> None:
    db, ids = archive
    c = client(db, tokens={SECRET: "lan"})
    assert c.get("/", headers={"authorization": f"Bearer {SECRET}"}).status_code == 200
    assert c.get("/", headers={"authorization": "Bearer nope-nope-nope"}).status_code == 303
    c.get("/login")  # the CSRF cookie
    r = c.post(f"/doc/{ids['plan']}/correct", data=correction_form(c), headers={"origin": BASE_URL})
    assert r.status_code == 401 and n_corrections(db) == 0


# -- Host, CSRF, framing


def test_a_foreign_host_is_refused(archive) -> None:
    db, _ = archive
    c = client(db)
    assert c.get("/", headers={"host": "attacker.example:8765"}).status_code == 421
    assert c.get("/", headers={"host": "localhost:8765"}).status_code == 200
    assert client(db, allowed_hosts={"review.lan"}).get("/", headers={"host": "review.lan"}).status_code == 200


@pytest.mark.parametrize("origin", [None, "null", "http://evil.example", "http://127.0.0.1:9999", "https://127.0.0.1:8765"])
def test_posts_without_this_sites_origin_are_refused(archive, origin) -> None:
    db, ids = archive
    c = client(db)
    c.get("/")
    headers = {"origin": origin} if origin else {}
    r = c.post(f"/doc/{ids['plan']}/correct", data=correction_form(c), headers=headers)
    assert r.status_code == 403 and n_corrections(db) == 0


def test_posts_without_the_csrf_token_are_refused(archive) -> None:
    db, ids = archive
    c = client(db)
    c.get("/")
    form = correction_form(c)
    for token in (None, "", "forged-token"):
        data = {k: v for k, v in form.items() if k != "csrf"} | ({"csrf": token} if token is not None else {})
        r = c.post(f"/doc/{ids['plan']}/correct", data=data, headers={"origin": BASE_URL})
        assert r.status_code == 403
    fresh = client(db)  # a browser that never loaded a page of the site has no CSRF cookie
    r = fresh.post(f"/doc/{ids['plan']}/correct", data=form, headers={"origin": BASE_URL})
    assert r.status_code == 403 and n_corrections(db) == 0
    assert c.post(f"/doc/{ids['plan']}/correct", data=form, headers={"origin": BASE_URL}).status_code == 303


def test_every_answer_forbids_framing(archive) -> None:
    db, ids = archive
    c = client(db)
    for url in ("/", f"/doc/{ids['plan']}", "/static/review.css", "/nowhere", f"/doc/{ids['plan']}.json"):
        r = c.get(url)
        assert r.headers["x-frame-options"] == "DENY", url
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], url
        assert r.headers["x-content-type-options"] == "nosniff"
    assert c.get("/", headers={"host": "evil.example"}).headers["x-frame-options"] == "DENY"


def test_declared_body_lengths_are_checked(archive) -> None:
    db, ids = archive
    c = client(db, max_body=1000)
    c.get("/")
    url = f"/doc/{ids['plan']}/correct"
    big = {**correction_form(c), "new_value": "x" * 5000}
    assert c.post(url, data=big, headers={"origin": BASE_URL}).status_code == 413
    r = c.post(url, content=b"target=field", headers={"origin": BASE_URL, "content-length": "-1"})
    assert r.status_code == 400
    assert n_corrections(db) == 0


# -- the real server


@pytest.fixture()
def live(archive) -> Iterator[tuple[str, int, Path, dict[str, int]]]:
    db, ids = archive
    server = serve.make_server(db, "127.0.0.1", 0, reviewer="tester", quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_address[1], db, ids
    finally:
        server.shutdown()
        server.server_close()


def raw(port: int, request: bytes, body_chunks: Iterable[bytes] = (), timeout: float = 10) -> bytes:
    """Send a hand-made HTTP request (and body chunks while the server takes them); the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        try:
            for chunk in body_chunks:
                s.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):  # the server stopped reading: it has answered
            pass
        out = b""
        try:
            while data := s.recv(65536):
                out += data
        except (ConnectionResetError, TimeoutError):
            pass
    return out


def test_the_real_server_bounds_bodies_however_declared(live) -> None:
    host, port, db, ids = live
    head = f"POST /doc/{ids['plan']}/correct HTTP/1.1\r\nHost: {host}:{port}\r\nOrigin: http://{host}:{port}\r\n"
    head += "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
    assert raw(port, (head + "Content-Length: -1\r\n\r\n").encode()).startswith(b"HTTP/1.1 400")
    huge = raw(port, (head + "Content-Length: 300000000\r\n\r\n").encode(), iter([b"x" * 65536] * 4))
    assert huge.startswith(b"HTTP/1.1 413")
    chunks = (b"10000\r\n" + b"x" * 65536 + b"\r\n" for _ in range(4096))  # 256 MB offered, chunked
    chunked = raw(port, (head + "Transfer-Encoding: chunked\r\n\r\n").encode(), chunks)
    assert chunked.startswith(b"HTTP/1.1 413")
    assert n_corrections(db) == 0


def test_the_real_server_answers_200_concurrent_requests(live) -> None:
    host, port, _, ids = live
    urls = [f"http://{host}:{port}/" if i % 2 else f"http://{host}:{port}/doc/{ids['plan']}" for i in range(200)]
    barrier = threading.Barrier(200)

    def fetch(url: str) -> int:
        barrier.wait(timeout=30)
        with urllib.request.urlopen(url, timeout=60) as r:
            r.read()
            return r.status

    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(fetch, urls))
    assert statuses == [200] * 200


def test_a_slow_request_head_is_cut_off(archive) -> None:
    import time

    db, _ = archive
    server = serve.make_server(db, "127.0.0.1", 0, quiet=True, head_timeout=1.0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
            start = time.monotonic()
            assert s.recv(100) == b""  # closed by the server
            assert time.monotonic() - start < 5
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:  # keep-alive then silence
            s.sendall(f"GET /static/review.css HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            first = s.recv(65536)
            assert first.startswith(b"HTTP/1.1 200")
            s.sendall(b"GET / HTTP/1.1\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
            assert b"HTTP/1.1 200" not in data  # nothing more was answered, the connection was closed
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).status == 200
    finally:
        server.shutdown()
        server.server_close()
