"""The review site as an ASGI application: Starlette routes, Jinja2 templates (autoescaped), the
static assets, and the security middleware in front of it all."""

from __future__ import annotations

import sqlite3
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from sohoa.pipeline.db_pg import db_location
from sohoa.pipeline.review.security import LOOPBACK_NAMES, Policy, SecurityMiddleware
from sohoa.pipeline.review.views import ReviewSite

PACKAGE_DIR = Path(str(files("sohoa.pipeline")))
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATE_DIR = PACKAGE_DIR / "templates"


def templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["qs_status"] = lambda filters, status: urlencode(
        {**{k: v for k, v in filters.items() if v}, "status": status})
    return Jinja2Templates(env=env)


def create_app(db: str | Path, *, reviewer: str | None = None, low_conf: float = 0.6, engine_low: float = 0.6,
               tokens: dict[str, str] | None = None, allowed_hosts: set[str] | None = None,
               max_body: int = 256 * 1024) -> Starlette:
    """The site over the archive `db`. With `tokens` (secret → reviewer) every page needs one; without,
    corrections are `reviewer`'s. Host names answered: the loopback names plus `allowed_hosts`."""
    policy = Policy(allowed_hosts=set(LOOPBACK_NAMES) | {h.lower() for h in allowed_hosts or ()},
                    tokens=dict(tokens or {}), reviewer=reviewer, max_body=max_body)
    site = ReviewSite(db_location(db), policy, templates(), low_conf=low_conf, engine_low=engine_low)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if "csrf" not in request.scope.get("state", {}):
            return PlainTextResponse(f"{status}", status)
        return site.error(request, status, str(getattr(exc, "detail", "")) or f"no page here: {request.url.path}")

    async def db_error(request: Request, exc: Exception) -> Response:
        return site.error(request, 500, f"{site.db}: {exc}")

    routes = [
        Route("/", site.queue_view),
        Route("/doc/{doc_id:int}", site.doc_view),
        Route("/doc/{doc_id:int}.json", site.doc_json),
        Route("/doc/{doc_id:int}/correct", site.correct, methods=["POST"]),
        Route("/doc/{doc_id:int}/review", site.review, methods=["POST"]),
        Route("/page/{file_id:int}/{page:int}.png", site.page_image),
        Route("/login", site.login_form, methods=["GET"]),
        Route("/login", site.login, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityMiddleware, policy=policy)],
                    exception_handlers={HTTPException: http_error, sqlite3.Error: db_error})
    app.state.site = site
    return app


def render_segments(segments: list) -> str:
    """The document text's segments as the page shows them (the template's `segment` macro)."""
    macro = templates().env.get_template("_forms.html").module.segment  # type: ignore[attr-defined]
    return "".join(str(macro(s)) for s in segments)
