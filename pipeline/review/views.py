"""The review site's pages and actions (Starlette endpoints rendering Jinja2 templates)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from sohoa.pipeline import review_store
from sohoa.pipeline.evaluate import LIST_FIELDS, apply_field_corrections
from sohoa.pipeline.review import document
from sohoa.pipeline.review.document import EDITABLE_FIELDS, SCALAR_FIELDS, latest_field_values
from sohoa.pipeline.review.images import PageImages
from sohoa.pipeline.review.queue import STATUS_FILTERS, Queue
from sohoa.pipeline.review.reader import ArchiveReader
from sohoa.pipeline.review.security import TOKEN_COOKIE, Policy, csrf_ok
from sohoa.record import Record

MAX_VALUE_CHARS = 20_000
PAGE_SIZE = 100
FILTER_KEYS = ("q", "status", "type", "issuer", "year", "code")
SHORTCUTS = [("j / n", "văn bản tiếp theo"), ("k / p", "văn bản trước"), ("e", "sửa trường tiếp theo (trường cần kiểm tra trước)"),
             ("Enter", "chấp nhận (lưu) giá trị đang sửa"), ("Esc", "thôi sửa"),
             ("a", "chấp nhận giá trị của trường cần kiểm tra tiếp theo như đang hiển thị"),
             ("r", "đánh dấu đã duyệt và mở văn bản tiếp theo"), ("+ / − / 0", "phóng to / thu nhỏ / vừa khung ảnh"),
             ("b", "bật/tắt khung chữ"), ("h", "bật/tắt tô sáng"), ("?", "danh sách phím tắt")]


class ReviewError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class ReviewSite:
    db: Path | str  # a file, or a postgresql:// URL
    policy: Policy
    templates: Jinja2Templates
    low_conf: float = 0.6
    engine_low: float = 0.6

    def __post_init__(self) -> None:
        self.reader = ArchiveReader(self.db)
        self.queue = Queue(self.reader, self.low_conf, self.engine_low)
        self.images = PageImages()

    # -- helpers

    def render(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.update(csrf=request.state.csrf, reviewer=request.state.reviewer, shortcuts=SHORTCUTS)
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    def error(self, request: Request, status: int, message: str) -> HTMLResponse:
        return self.render(request, "error.html", status, status=status, message=message, title=str(status))

    @staticmethod
    def filters(params: Any) -> dict[str, str]:
        out = {k: str(params.get(k, "") or "") for k in FILTER_KEYS}
        if out["status"] not in STATUS_FILTERS:
            out["status"] = "to_review"
        return out

    @staticmethod
    def query_string(filters: dict[str, str]) -> str:
        return urlencode({k: v for k, v in filters.items() if v and not (k == "status" and v == "to_review")})

    # -- the queue

    def queue_view(self, request: Request) -> Response:
        filters = self.filters(request.query_params)
        try:
            offset = max(0, int(request.query_params.get("offset", "0")))
        except ValueError:
            offset = 0
        with self.reader.connect() as conn:
            choices = self.reader.filter_choices(conn)
            items, counts = self.queue.build(conn, filters)
        qs = self.query_string(filters)
        page = items[offset:offset + PAGE_SIZE]
        return self.render(request, "queue.html", title="Hàng đợi duyệt", items=page, counts=counts,
                           filters=filters, choices=choices, qs=qs, offset=offset, page_size=PAGE_SIZE,
                           total=len(items))

    # -- one document

    def doc_view(self, request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        filters = self.filters(request.query_params)
        with self.reader.connect() as conn:
            view = document.build(self.reader, conn, doc_id, self.low_conf, self.engine_low)
            if view is None:
                return self.error(request, 404, f"no document {doc_id} in {self.db}")
            prev_id, next_id, position, length = self.queue.neighbours(conn, filters, doc_id)
        qs = self.query_string(filters)

        def url(i: int | None) -> str | None:
            return None if i is None else f"/doc/{i}" + (f"?{qs}" if qs else "")

        return self.render(request, "document.html", title=view.title, v=view, doc_id=doc_id, filters=filters,
                           qs=qs, prev_url=url(prev_id), next_url=url(next_id), position=position,
                           length=length, saved=request.query_params.get("saved"), low_conf=self.low_conf,
                           engine_low=self.engine_low)

    def doc_json(self, request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        with self.reader.connect() as conn:
            doc = self.reader.document(conn, doc_id)
            if doc is None:
                return JSONResponse({"error": f"no document {doc_id}"}, 404)
            corrections = [dict(c) for c in self.reader.corrections(conn, doc)]
            reviews = [dict(r) for r in self.reader.reviews(conn, doc)]
        record = Record.from_dict(json.loads(doc["record_json"]))
        reviewed = latest_field_values([c for c in corrections if c["doc_id"] == doc_id])
        body = {"doc_id": doc_id, "record": record.to_dict(), "reviewed": apply_field_corrections(record, reviewed).to_dict(),
                "status": doc["review_status"], "reviewed_by": doc["reviewed_by"], "reviewed_at": doc["reviewed_at"],
                "corrections": corrections, "reviews": reviews}
        return Response(json.dumps(body, ensure_ascii=False, indent=1), media_type="application/json; charset=utf-8")

    # -- actions

    async def form(self, request: Request) -> dict[str, str]:
        """The url-encoded form, after its CSRF token is checked (the body is bounded by the middleware)."""
        body = await request.body()
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        if not csrf_ok(request.scope["state"], form.get("csrf")):
            raise ReviewError(403, "the form's CSRF token is missing or wrong: reload the page and try again")
        return form

    async def correct(self, request: Request) -> Response:
        try:
            form = await self.form(request)
            doc_id = request.path_params["doc_id"]
            anchor = await run_in_threadpool(self.store_correction, doc_id, form, request.state.reviewer)
        except ReviewError as err:
            return self.error(request, err.status, err.message)
        qs = self.query_string(self.filters(form))
        return RedirectResponse(f"/doc/{doc_id}?saved=1{'&' + qs if qs else ''}{anchor}", 303)

    def store_correction(self, doc_id: int, form: dict[str, str], reviewer: str | None) -> str:
        target = form.get("target", "")
        new_value = form.get("new_value", "").replace("\r\n", "\n").strip()
        if len(new_value) > MAX_VALUE_CHARS:
            raise ReviewError(400, "the corrected value is too long")
        with self.reader.connect() as conn:
            doc = self.reader.document(conn, doc_id)
            if doc is None:
                raise ReviewError(404, f"no document {doc_id}")
            row: dict[str, Any] = {"doc_id": doc_id, "file_sha256": doc["sha256"], "target": target}
            if target == "field":
                name = form.get("field", "")
                if name not in EDITABLE_FIELDS:
                    raise ReviewError(400, f"not a field that can be corrected: {name}")
                old = json.loads(doc["record_json"]).get(name)
                row.update(field=name, old_value=_as_text(old), new_value=normalise_field_value(name, new_value))
            elif target == "token":
                row.update(self._token_row(conn, doc, form, new_value))
            else:
                raise ReviewError(400, "target must be field or token")
            row["reviewer"] = reviewer
            review_store.insert_correction(conn, row)
        return "#doctext" if target == "token" else f"#field-{form.get('field', '')}"

    def _token_row(self, conn: sqlite3.Connection, doc: sqlite3.Row, form: dict[str, str], new_value: str) -> dict:
        try:
            page, line, idx = (int(form[k]) for k in ("page", "line", "idx"))
        except (KeyError, ValueError):
            raise ReviewError(400, "a token correction needs page, line and idx") from None
        tok = conn.execute("SELECT text FROM tokens WHERE file_id = ? AND page = ? AND line = ? AND idx = ?",
                           (doc["file_id"], page, line, idx)).fetchone()
        if tok is None:
            raise ReviewError(400, f"no token {page}/{line}/{idx} in this file")
        if not new_value or len(new_value.split()) > 8:
            raise ReviewError(400, "a token correction is one word (or a few)")
        return {"page": page, "line": line, "idx": idx, "old_value": tok["text"], "new_value": new_value}

    async def review(self, request: Request) -> Response:
        """Mark the document reviewed (or back to review); a reviewed one opens the queue's next."""
        try:
            form = await self.form(request)
            doc_id = request.path_params["doc_id"]
            status = form.get("set_status", "reviewed")
            filters = self.filters(form)
            next_id = await run_in_threadpool(self.store_status, doc_id, status, request.state.reviewer, filters)
        except ReviewError as err:
            return self.error(request, err.status, err.message)
        qs = self.query_string(filters)
        target = f"/doc/{next_id}" if next_id is not None and status == "reviewed" else (
            "/" if status == "reviewed" else f"/doc/{doc_id}")
        return RedirectResponse(target + (f"?{qs}" if qs else ""), 303)

    def store_status(self, doc_id: int, status: str, reviewer: str | None, filters: dict[str, str]) -> int | None:
        if status not in review_store.STATUSES:
            raise ReviewError(400, f"status must be one of {', '.join(review_store.STATUSES)}")
        with self.reader.connect() as conn:
            _, next_id, _, _ = self.queue.neighbours(conn, filters, doc_id)
            try:
                review_store.set_status(conn, doc_id, status, reviewer)
            except KeyError:
                raise ReviewError(404, f"no document {doc_id}") from None
        return next_id if next_id != doc_id else None

    # -- files

    def page_image(self, request: Request) -> Response:
        file_id, page = request.path_params["file_id"], request.path_params["page"]
        box = _box(request.query_params.get("box"))
        with self.reader.connect() as conn:
            f = conn.execute("SELECT f.path, f.kind, fp.abs_path, fp.run_dir, json_extract(f.document_json,"
                             " '$.meta.page_files') AS page_files FROM files f LEFT JOIN file_paths fp USING (file_id)"
                             " WHERE f.file_id = ?", (file_id,)).fetchone()
            p = conn.execute("SELECT dpi FROM pages WHERE file_id = ? AND page = ?", (file_id, page)).fetchone()
        if f is None or p is None:
            return self.error(request, 404, "no such page")
        path, frame_page = self.reader.local_path(f["path"], f["abs_path"], f["run_dir"]), page
        members = json.loads(f["page_files"]) if f["page_files"] else []
        if 0 < page <= len(members):  # an image set (4_1.jpg, 4_2.jpg): the page's own file
            path, frame_page = self.reader.local_path(members[page - 1], None, f["run_dir"]), 1
        data = self.images.png(path, f["kind"], frame_page, p["dpi"], box)
        if data is None:
            return self.error(request, 404, f"{f['path']}: the page image cannot be made (file moved or unreadable)")
        return Response(data, media_type="image/png", headers={"Cache-Control": "max-age=300"})

    # -- access

    def login_form(self, request: Request) -> Response:
        return self.render(request, "login.html", title="Đăng nhập", failed=False)

    async def login(self, request: Request) -> Response:
        try:
            form = await self.form(request)
        except ReviewError as err:
            return self.error(request, err.status, err.message)
        secret = form.get("token", "").strip()
        if self.policy.reviewer_for(secret) is None:
            return self.render(request, "login.html", 401, title="Đăng nhập", failed=True)
        resp = RedirectResponse("/", 303)
        resp.set_cookie(TOKEN_COOKIE, secret, httponly=True, samesite="strict", path="/")
        return resp


def normalise_field_value(name: str, value: str) -> str | None:
    """List fields are stored as JSON (recipients may be given one per line); others as text."""
    if name not in LIST_FIELDS:
        return value or None
    if name == "recipients" and not value.startswith("["):
        return json.dumps([x.strip() for x in value.splitlines() if x.strip()], ensure_ascii=False)
    try:
        parsed = json.loads(value or "[]")
    except json.JSONDecodeError as err:
        raise ReviewError(400, f"{name}: not valid JSON ({err})") from None
    if not isinstance(parsed, list):
        raise ReviewError(400, f"{name}: a JSON list is expected")
    return json.dumps(parsed, ensure_ascii=False)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _box(spec: str | None) -> tuple[int, int, int, int] | None:
    if not spec:
        return None
    try:
        x0, y0, x1, y1 = (int(v) for v in spec.split(","))
    except ValueError:
        return None
    return (x0, y0, x1, y1) if min(x0, y0, x1, y1) >= 0 else None


__all__ = ["ReviewSite", "SCALAR_FIELDS", "normalise_field_value"]
