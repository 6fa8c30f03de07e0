"""What stands between the review site and another web page or machine (an ASGI middleware):

* a Host allow-list (a DNS-rebinding page reaching 127.0.0.1 under its own name is refused);
* an access token when the operator set any (required for any --host but loopback): a bearer header
  or the cookie the /login form sets; the reviewer's name comes from the token, never from a form;
* CSRF: every state-changing request needs an Origin naming this site (a missing or `null` Origin,
  as a sandboxed iframe sends, is refused) and a form token equal to this browser's CSRF cookie;
* request bodies bounded whatever their declared length (negative, missing, huge, chunked);
* X-Frame-Options DENY, CSP frame-ancestors 'none', nosniff, same-origin referrers.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CSRF_COOKIE = "sohoa_csrf"
TOKEN_COOKIE = "sohoa_token"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
OPEN_PATHS = ("/login", "/static/")


@dataclass
class Policy:
    allowed_hosts: set[str] = field(default_factory=lambda: set(LOOPBACK_NAMES))
    tokens: dict[str, str] = field(default_factory=dict)  # secret → reviewer name
    reviewer: str | None = None  # the reviewer without tokens (one person on this machine)
    max_body: int = 256 * 1024

    def reviewer_for(self, secret: str | None) -> str | None:
        """The reviewer a secret belongs to (None: not a token of this site)."""
        if not secret:
            return None
        for known, name in self.tokens.items():
            if hmac.compare_digest(known.encode(), secret.encode()):
                return name
        return None


def parse_tokens(spec: str, default_name: str | None) -> dict[str, str]:
    """`name:secret` entries separated by commas or new lines (a bare secret is `default_name`'s)."""
    out: dict[str, str] = {}
    for raw in spec.replace(",", "\n").splitlines():
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        name, sep, secret = item.partition(":")
        if not sep:
            name, secret = default_name or "reviewer", item
        if len(secret.strip()) < 12:
            raise ValueError("an access token must be at least 12 characters long")
        out[secret.strip()] = name.strip() or (default_name or "reviewer")
    return out


def host_name(host_header: str) -> str:
    """`example.org:8765` → `example.org`, `[::1]:80` → `::1`."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class BodyTooLarge(Exception):
    pass


class SecurityMiddleware:
    def __init__(self, app: Callable, policy: Policy):
        self.app, self.policy = app, policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        cookies = _cookies(headers.get("cookie", ""))
        new_csrf = None if cookies.get(CSRF_COOKIE) else secrets.token_urlsafe(24)
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
                         (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                         (b"cross-origin-opener-policy", b"same-origin")]
                if new_csrf:
                    extra.append((b"set-cookie", f"{CSRF_COOKIE}={new_csrf}; Path=/; HttpOnly; SameSite=Strict".encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        refusal = self.refusal(scope, headers, cookies)
        if refusal is not None:
            await _plain(guarded_send, *refusal)
            return
        scope.setdefault("state", {})
        scope["state"]["csrf"] = cookies.get(CSRF_COOKIE) or new_csrf
        scope["state"]["csrf_cookie"] = cookies.get(CSRF_COOKIE)
        scope["state"]["reviewer"] = self.identity(headers, cookies)
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.policy.max_body:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, bounded_receive, guarded_send)
        except BodyTooLarge:
            if not started:
                await _plain(guarded_send, 413, "request body too large")

    def identity(self, headers: dict[str, str], cookies: dict[str, str]) -> str | None:
        if not self.policy.tokens:
            return self.policy.reviewer
        return self.policy.reviewer_for(_bearer(headers) or cookies.get(TOKEN_COOKIE))

    def refusal(self, scope: Scope, headers: dict[str, str], cookies: dict[str, str]) -> tuple[int, str] | None:
        """(status, reason) when the request must not reach the site, else None."""
        host = headers.get("host", "")
        if host_name(host) not in self.policy.allowed_hosts:
            return 421, "this server does not answer for that Host name (see --allow-host)"
        length = headers.get("content-length")
        if length is not None and not length.strip().isdigit():
            return 400, "invalid Content-Length"
        if length is not None and int(length) > self.policy.max_body:
            return 413, "request body too large"
        method, path = scope["method"], scope["path"]
        if method in UNSAFE_METHODS:
            origin = headers.get("origin")
            if not origin or origin == "null":
                return 403, "a state-changing request needs an Origin header naming this site"
            parts = urlsplit(origin)
            if parts.netloc.lower() != host.lower() or parts.scheme != scope.get("scheme", "http"):
                return 403, "requests from another site are refused"
        if self.policy.tokens and not path.startswith(OPEN_PATHS) and self.identity(headers, cookies) is None:
            if method in ("GET", "HEAD"):
                return 303, "/login"
            return 401, "an access token is needed: open /login"
        return None


def csrf_ok(state: dict[str, Any], form_token: str | None) -> bool:
    """The form's token equals this browser's CSRF cookie (set by an earlier response)."""
    cookie = state.get("csrf_cookie")
    return bool(cookie and form_token) and hmac.compare_digest(str(cookie).encode(), str(form_token).encode())


def _bearer(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header: as if there were none
        return {}
    return {k: m.value for k, m in jar.items()}


async def _plain(send: Send, status: int, text: str) -> None:
    """A short plain-text answer; for a 303, `text` is where to go."""
    body = f"{status}: {text}\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if status == 303:
        headers.append((b"location", text.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
