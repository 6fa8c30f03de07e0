"""Digitally signed PDFs: writing a searchable copy rewrites the file and breaks the signature, so
it is refused unless asked (`--invalidate-signatures`, setting output.invalidate_signatures)."""

from __future__ import annotations

from typing import Any

from sohoa.errors import SignedPdfError


def signature_fields(pdf: Any) -> list[str]:
    """Names of the AcroForm signature fields (/FT /Sig) that hold a signature value (/V)."""
    acro = pdf.Root.get("/AcroForm")
    if acro is None:
        return []
    names: list[str] = []
    todo = list(acro.get("/Fields") or [])
    seen: set[tuple[int, int]] = set()
    while todo:
        field = todo.pop()
        key = field.objgen
        if key != (0, 0):
            if key in seen:
                continue
            seen.add(key)
        if field.get("/FT") == "/Sig" and field.get("/V") is not None:
            names.append(str(field.get("/T", "signature")))
        todo.extend(field.get("/Kids") or [])
    return names


def is_signed(path: str) -> list[str]:
    """The signature fields of the PDF at `path` holding a signature ([] when unsigned)."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        return signature_fields(pdf)


def check_not_signed(path: str, invalidate: bool) -> None:
    """Raise SignedPdfError for a signed PDF unless `invalidate`."""
    if invalidate:
        return
    names = is_signed(path)
    if names:
        raise SignedPdfError(f"digitally signed PDF ({', '.join(names)}): a searchable copy would "
                             "invalidate the signature", path)


def drop_signatures(pdf: Any) -> int:
    """Remove the signature values (and the document's signature permissions) of an opened PDF, keeping
    the fields and what the page shows; the number of signatures removed."""
    acro = pdf.Root.get("/AcroForm")
    if acro is None:
        return 0
    dropped = 0
    todo = list(acro.get("/Fields") or [])
    while todo:
        field = todo.pop()
        if field.get("/FT") == "/Sig" and "/V" in field:
            del field["/V"]
            dropped += 1
        todo.extend(field.get("/Kids") or [])
    if "/SigFlags" in acro:
        del acro["/SigFlags"]
    if "/Perms" in pdf.Root:
        del pdf.Root["/Perms"]
    return dropped
