"""Active content in a PDF: JavaScript, actions that launch programs, open URIs or submit data,
embedded files and forms. The searchable PDFs sohoa writes from a PDF keep the original pages, so
whatever the source carried would be carried over: `remove_active_content` strips it before the
file is saved, and `find_active_content` says what a PDF holds (for the run report)."""

from __future__ import annotations

from typing import Any

# Action types that run code, leave the document or send data; plain GoTo (a page of the same
# file) and named navigation are harmless and kept.
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE",
                  "/ResetForm", "/Rendition", "/Movie", "/Sound", "/Hide", "/SetOCGState", "/Trans", "/GoTo3DView",
                  "/RichMediaExecute"}
ACTIVE_ANNOTS = {"/Widget", "/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"}
ACTIVE_NAME_TREES = ("/JavaScript", "/EmbeddedFiles")


def find_active_content(pdf: Any) -> list[str]:
    """What `remove_active_content` would remove, without changing `pdf` (a pikepdf.Pdf)."""
    return _sweep(pdf, remove=False)


def remove_active_content(pdf: Any) -> list[str]:
    """Remove the active content of `pdf` in place; returns what was removed (sorted, distinct)."""
    return _sweep(pdf, remove=True)


def _is_active_action(action: Any) -> bool:
    import pikepdf

    seen = 0
    while isinstance(action, pikepdf.Dictionary) and seen < 64:  # an action chain through /Next
        if str(action.get("/S", "")) in ACTIVE_ACTIONS:
            return True
        nxt = action.get("/Next")
        if isinstance(nxt, pikepdf.Array):
            return any(_is_active_action(a) for a in nxt)
        action, seen = nxt, seen + 1
    return False


def _sweep(pdf: Any, remove: bool) -> list[str]:
    import pikepdf

    found: set[str] = set()
    root = pdf.Root

    def drop(holder: Any, key: str, what: str) -> None:
        found.add(what)
        if remove:
            del holder[key]

    if "/OpenAction" in root and isinstance(root.OpenAction, pikepdf.Dictionary) and _is_active_action(root.OpenAction):
        drop(root, "/OpenAction", "open action")
    if "/AA" in root:
        drop(root, "/AA", "document actions")
    if "/AcroForm" in root:
        drop(root, "/AcroForm", "form")
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in ACTIVE_NAME_TREES:
            if key in names:
                drop(names, key, "JavaScript" if key == "/JavaScript" else "embedded files")
    for page in pdf.pages:
        obj = page.obj
        if "/AA" in obj:
            drop(obj, "/AA", "page actions")
        annots = obj.get("/Annots")
        if not isinstance(annots, pikepdf.Array):
            continue
        kept = pikepdf.Array()
        for annot in annots:
            what = _active_annotation(annot)
            if what:
                found.add(what)
            else:
                kept.append(annot)
        if remove and len(kept) != len(annots):
            obj.Annots = kept
    _sweep_outline(root.get("/Outlines"), found, remove)
    return sorted(found)


def _active_annotation(annot: Any) -> str | None:
    import pikepdf

    if not isinstance(annot, pikepdf.Dictionary):
        return None
    subtype = str(annot.get("/Subtype", ""))
    if subtype in ACTIVE_ANNOTS:
        return {"/Widget": "form", "/FileAttachment": "embedded files"}.get(subtype, "media annotation")
    if "/AA" in annot:
        return "annotation actions"
    if _is_active_action(annot.get("/A")):
        action = str(annot.A.get("/S", ""))
        return {"/JavaScript": "JavaScript", "/Launch": "launch action", "/URI": "URI action"}.get(action, "link action")
    return None


def _sweep_outline(outlines: Any, found: set[str], remove: bool) -> None:
    """Bookmarks whose action is active lose the action (the bookmark stays)."""
    import pikepdf

    if not isinstance(outlines, pikepdf.Dictionary):
        return
    stack, seen = [outlines.get("/First")], set()
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Dictionary) or item.objgen in seen:  # a loop of bookmarks
            continue
        if item.objgen != (0, 0):
            seen.add(item.objgen)
        if _is_active_action(item.get("/A")):
            found.add("bookmark action")
            if remove:
                del item["/A"]
        stack.extend(x for x in (item.get("/Next"), item.get("/First")) if x is not None)
