"""`sohoa serve`: the review site on uvicorn, with its options and its access rules.

It listens on 127.0.0.1 unless told otherwise; any other --host needs access tokens set by the
operator (SOHOA_REVIEW_TOKENS or --token-file), and the reviewer's name comes from the token."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
import threading
from pathlib import Path

from sohoa.errors import ExitCode
from sohoa.pipeline.db_pg import db_location, is_pg_url, redact

TOKENS_ENV = "SOHOA_REVIEW_TOKENS"
TIMEOUT_KEEP_ALIVE = 5  # seconds an idle keep-alive connection is kept
MAX_CONCURRENCY = 1000  # connections + tasks at once before uvicorn answers 503
GRACEFUL_SHUTDOWN = 5
HEAD_TIMEOUT = 10.0  # seconds a connection may take to send a complete request head


def head_timeout_protocol(seconds: float) -> type:
    """uvicorn's h11 protocol, closing a connection that has not sent a complete request head within
    `seconds` of connecting or of its last answer (uvicorn itself waits forever: slow-header clients
    would hold connections until the concurrency limit)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeadTimeoutH11(H11Protocol):
        def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
            super().connection_made(transport)
            self._arm_head_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm_head_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            timer = getattr(self, "_head_timer", None)
            if timer is not None:
                timer.cancel()
            super().connection_lost(exc)

        def _arm_head_timer(self) -> None:
            old = getattr(self, "_head_timer", None)
            if old is not None:
                old.cancel()
            self._head_timer = self.loop.call_later(seconds, self._head_expired, self.cycle)

        def _head_expired(self, cycle_when_armed: object) -> None:
            # no new request began since the timer was set: the head is still incomplete
            if self.cycle is cycle_when_armed and not self.transport.is_closing():
                self.transport.close()

    return HeadTimeoutH11


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ReviewServer:
    """uvicorn serving the site on a socket bound at construction (so `port=0` has its port at once);
    `serve_forever()` blocks, `shutdown()` stops it from another thread, `server_close()` frees it."""

    def __init__(self, app, host: str, port: int, quiet: bool = False, head_timeout: float = HEAD_TIMEOUT):
        import uvicorn

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.socket.listen(2048)
        self.server_address = self.socket.getsockname()[:2]
        config = uvicorn.Config(app, log_level="warning" if quiet else "info", access_log=not quiet,
                                timeout_keep_alive=TIMEOUT_KEEP_ALIVE, limit_concurrency=MAX_CONCURRENCY,
                                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN, h11_max_incomplete_event_size=16 * 1024,
                                server_header=False, lifespan="off", http=head_timeout_protocol(head_timeout), ws="none")
        self.server = uvicorn.Server(config)
        self._stopped = threading.Event()

    def serve_forever(self) -> None:
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        self.server.should_exit = True
        self._stopped.wait(10)

    def server_close(self) -> None:
        self.socket.close()


def make_server(db: Path, host: str = "127.0.0.1", port: int = 8765, reviewer: str | None = None,
                low_conf: float = 0.6, quiet: bool = False, tokens: dict[str, str] | None = None,
                allowed_hosts: list[str] | None = None, engine_low: float = 0.6,
                head_timeout: float = HEAD_TIMEOUT) -> ReviewServer:
    """The review server for `db`; a non-loopback `host` without `tokens` is refused (ValueError)."""
    from sohoa.pipeline.review.app import create_app

    if not is_loopback(host) and not tokens:
        raise ValueError(f"--host {host} exposes the archive beyond this machine: set access tokens "
                         f"({TOKENS_ENV}=name:secret or --token-file FILE)")
    hosts = set(allowed_hosts or ())
    if not is_loopback(host) and host not in ("0.0.0.0", "::"):
        hosts.add(host)
    app = create_app(db, reviewer=reviewer, low_conf=low_conf, engine_low=engine_low, tokens=tokens,
                     allowed_hosts=hosts)
    return ReviewServer(app, host, port, quiet=quiet, head_timeout=head_timeout)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=db_location, default=None,
                        help="the archive to review (default: `db` of sohoa.toml, else archive.sqlite)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; any other needs tokens)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reviewer", default=os.environ.get("USER"),
                        help="name stored with each correction when no tokens are set")
    parser.add_argument("--low-conf", type=float, default=0.6,
                        help="tokens whose restoration confidence is below this are highlighted (0..1)")
    parser.add_argument("--engine-low-conf", type=float, default=0.6,
                        help="words the OCR engine read with a confidence below this are highlighted (0..1)")
    parser.add_argument("--token-file", type=Path, default=None,
                        help=f"access tokens, one `name:secret` a line (or set {TOKENS_ENV})")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="a Host name the site answers to besides 127.0.0.1/localhost (repeatable)")


def load_tokens(args: argparse.Namespace) -> dict[str, str]:
    from sohoa.pipeline.review.security import parse_tokens

    spec = os.environ.get(TOKENS_ENV, "")
    if getattr(args, "token_file", None):
        spec += "\n" + Path(args.token_file).read_text(encoding="utf-8")
    return parse_tokens(spec, getattr(args, "reviewer", None))


def main(args: argparse.Namespace | list[str] | None = None) -> int:
    if not isinstance(args, argparse.Namespace):
        parser = argparse.ArgumentParser(prog="sohoa serve", description=(__doc__ or "").split("\n\n")[0])
        add_arguments(parser)
        args = parser.parse_args(args)
    db = db_location(args.db or "archive.sqlite")
    if not is_pg_url(str(db)) and not Path(db).is_file():
        print(f"sohoa serve: {db}: no such archive — run `sohoa run` first", file=sys.stderr)
        return ExitCode.database
    from sohoa.errors import DatabaseError
    from sohoa.pipeline.archive import Archive

    try:  # a sohoa archive (anything else is refused untouched), migrated, quick_check ok: corrections go in
        Archive(db).close()
    except DatabaseError as err:
        print(f"sohoa serve: {err.report()}", file=sys.stderr)
        return ExitCode.database
    try:
        tokens = load_tokens(args)
        server = make_server(db, args.host, args.port, None if tokens else args.reviewer, args.low_conf,
                             tokens=tokens, allowed_hosts=getattr(args, "allow_host", None),
                             engine_low=getattr(args, "engine_low_conf", 0.6))
    except (ValueError, OSError) as err:
        print(f"sohoa serve: {err}", file=sys.stderr)
        return ExitCode.bad_args  # a bad --host/token set-up, or a --port taken
    host, port = server.server_address[:2]
    print(f"sohoa review: http://{host}:{port}/  (archive {redact(str(db))}; Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        return ExitCode.interrupted
    finally:
        server.server_close()
    return ExitCode.ok
