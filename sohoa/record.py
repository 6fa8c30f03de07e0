"""The document record (the schema of docs/extract.md): typed, with `to_dict()` / `from_dict()`.

`to_dict()` gives the JSON contract — the schema's field names in the schema's order — and
`from_dict()` reads it back (gold files, the archive's `record_json`, `sohoa extract` output),
tolerating absent keys. Every stage after extraction (archive, eval, exports, review) reads these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HEADER_FIELDS = ("doc_type", "number", "symbol", "code", "issuer", "place", "date", "subject")
LIST_FIELDS = ("recipients", "signers", "references", "tasks", "deadlines")


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


@dataclass
class Signer:
    authority: str | None = None  # TM. / KT. / TL. / TUQ. / Q. line
    position: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"authority": self.authority, "position": self.position, "name": self.name}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Signer:
        return cls(_str(d.get("authority")), _str(d.get("position")), _str(d.get("name")))


@dataclass
class Reference:
    doc_type: str | None = None
    code: str | None = None
    date: str | None = None
    issuer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"doc_type": self.doc_type, "code": self.code, "date": self.date, "issuer": self.issuer}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reference:
        return cls(_str(d.get("doc_type")), _str(d.get("code")), _str(d.get("date")), _str(d.get("issuer")))


@dataclass
class Task:
    assignee: str | None = None
    role: str | None = None  # chủ trì | phối hợp | None
    partners: list[str] = field(default_factory=list)
    action: str | None = None
    deadline: str | None = None  # ISO date or month

    def to_dict(self) -> dict[str, Any]:
        return {"assignee": self.assignee, "role": self.role, "partners": list(self.partners),
                "action": self.action, "deadline": self.deadline}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Task:
        partners = d.get("partners") or []
        return cls(_str(d.get("assignee")), _str(d.get("role")),
                   [str(p) for p in partners] if isinstance(partners, list) else [str(partners)],
                   _str(d.get("action")), _str(d.get("deadline")))


@dataclass
class Deadline:
    text: str | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "date": self.date}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Deadline:
        return cls(_str(d.get("text")), _str(d.get("date")))


@dataclass
class FieldSource:
    """Where one field's value is: a character span of the document text, its page and word box."""

    start: int
    end: int
    page: int | None = None
    box: list[int] | None = None  # x0, y0, x1, y1 in page pixels; None for text input
    conf: float | None = None  # the engine's lowest word confidence in the span, 0..1; None for text

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "page": self.page, "box": self.box, "conf": self.conf}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FieldSource:
        box = d.get("box")
        conf = d.get("conf")
        return cls(int(d.get("start") or 0), int(d.get("end") or 0),
                   None if d.get("page") is None else int(d["page"]),
                   [int(v) for v in box] if isinstance(box, list) else None,
                   float(conf) if isinstance(conf, int | float) else None)


@dataclass
class Source:
    """Provenance of a record: the file, its page range, its span, and each field's source.

    `fields` maps a header field to one FieldSource and a list field to one per item.
    `derived_from` says which fields came from a cover letter's mention (an attached document)."""

    file: str | None = None
    pages: list[int] = field(default_factory=list)
    span: dict[str, int] | None = None
    fields: dict[str, FieldSource | list[FieldSource]] = field(default_factory=dict)
    derived_from: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for name, value in self.fields.items():
            fields[name] = [v.to_dict() for v in value] if isinstance(value, list) else value.to_dict()
        out: dict[str, Any] = {"file": self.file, "pages": list(self.pages), "span": self.span, "fields": fields}
        if self.derived_from:
            out["derived_from"] = self.derived_from
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Source:
        fields: dict[str, FieldSource | list[FieldSource]] = {}
        for name, value in (d.get("fields") or {}).items():
            if isinstance(value, list):
                fields[name] = [FieldSource.from_dict(v) for v in _dicts(value)]
            elif isinstance(value, dict):
                fields[name] = FieldSource.from_dict(value)
        span = d.get("span")
        return cls(_str(d.get("file")), [int(p) for p in d.get("pages") or []],
                   dict(span) if isinstance(span, dict) else None, fields, d.get("derived_from") or None)

    def field(self, name: str) -> FieldSource | list[FieldSource] | None:
        return self.fields.get(name)


REVIEW_REASONS = ("low_confidence", "unreadable", "inconsistent")


@dataclass
class FieldReview:
    """A field a person should check: why, how sure the engine was, and where it is on the page.

    `read` is what was read there (the field keeps it unless it was unreadable, then the field is
    null); `page` / `box` locate the fill-in so a review page can show its crop."""

    field: str
    reason: str  # one of REVIEW_REASONS
    detail: str = ""
    confidence: float | None = None
    read: str | None = None
    page: int | None = None
    box: list[int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "reason": self.reason, "detail": self.detail, "confidence": self.confidence,
                "read": self.read, "page": self.page, "box": self.box}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FieldReview:
        box, conf = d.get("box"), d.get("confidence")
        return cls(str(d.get("field") or ""), str(d.get("reason") or ""), str(d.get("detail") or ""),
                   float(conf) if isinstance(conf, int | float) else None, _str(d.get("read")),
                   None if d.get("page") is None else int(d["page"]),
                   [int(v) for v in box] if isinstance(box, list) else None)


@dataclass
class Record:
    """One document: the header fields of NĐ 30/2020 / HD 36-HD/VPTW, its lists, and provenance."""

    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = None
    code: str | None = None
    issuer: str | None = None
    place: str | None = None
    date: str | None = None
    subject: str | None = None
    recipients: list[str] = field(default_factory=list)
    signers: list[Signer] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    review: list[FieldReview] = field(default_factory=list)
    source: Source | None = None

    @property
    def needs_review(self) -> bool:
        return bool(self.review)

    def confidence(self) -> dict[str, float]:
        """Header field → the engine's confidence in it (0..1), where the page had engine words."""
        if self.source is None:
            return {}
        out: dict[str, float] = {}
        for name in HEADER_FIELDS:
            fs = self.source.fields.get(name)
            if isinstance(fs, FieldSource) and fs.conf is not None and getattr(self, name) is not None:
                out[name] = fs.conf
        return out

    def to_dict(self, *, with_source: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {f: getattr(self, f) for f in HEADER_FIELDS}
        out["recipients"] = list(self.recipients)
        out["signers"] = [s.to_dict() for s in self.signers]
        out["references"] = [r.to_dict() for r in self.references]
        out["tasks"] = [t.to_dict() for t in self.tasks]
        out["deadlines"] = [d.to_dict() for d in self.deadlines]
        out["needs_review"] = self.needs_review
        out["review"] = [r.to_dict() for r in self.review]
        out["confidence"] = self.confidence()
        if with_source and self.source is not None:
            out["source"] = self.source.to_dict()
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        """Read the JSON contract; missing keys become None / empty lists, wrong-typed items are dropped."""
        recipients = d.get("recipients") or []
        source = d.get("source")
        return cls(
            **{f: _str(d.get(f)) for f in HEADER_FIELDS},
            recipients=[str(r) for r in recipients if r is not None] if isinstance(recipients, list) else [],
            signers=[Signer.from_dict(s) for s in _dicts(d.get("signers"))],
            references=[Reference.from_dict(r) for r in _dicts(d.get("references"))],
            tasks=[Task.from_dict(t) for t in _dicts(d.get("tasks"))],
            deadlines=[Deadline.from_dict(x) for x in _dicts(d.get("deadlines"))],
            review=[FieldReview.from_dict(x) for x in _dicts(d.get("review"))],
            source=Source.from_dict(source) if isinstance(source, dict) else None,
        )

    def header(self) -> dict[str, str | None]:
        return {f: getattr(self, f) for f in HEADER_FIELDS}
