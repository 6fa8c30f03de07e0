"""`sohoa serve --db ARCHIVE`: the review workflow over an archive (docs/review.md).

* `/` — the review queue: documents ordered by need (flagged or missing fields, low field
  confidence, the share of words the engine or the restorer was unsure of), with counts and
  filters by status, type, issuer and year, and full-text search over the reviewed text.
* `/doc/<id>` — one document: fields (machine value, reviewed value, the crop of a flagged field's
  box beside its input), the text with field spans and low-confidence words highlighted, the page
  images (zoomable, pannable, word boxes), next / previous in the queue, keyboard shortcuts.
* `POST /doc/<id>/correct`, `POST /doc/<id>/review` — a correction, a review state; both appended
  (pipeline.review_store), machine output is never changed.

Built on Starlette + Jinja2 (autoescaped) served by uvicorn: pipeline/review/.
"""

from __future__ import annotations

import sys

from sohoa.pipeline.review.server import ReviewServer, add_arguments, main, make_server

__all__ = ["ReviewServer", "add_arguments", "main", "make_server"]

if __name__ == "__main__":
    sys.exit(main())
