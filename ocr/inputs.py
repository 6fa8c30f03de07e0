"""Open one input file: detect its kind by content and say how to read each page.

Kinds: "text" (.txt), "pdf_text" (PDF whose text layer is good Vietnamese: used as is),
"pdf_image" (PDF to OCR: image-only, or a text layer too garbled to trust), "image"
(PNG, JPEG, TIFF — multi-page TIFF gives one job per frame).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

from sohoa.document import Document, Page
from sohoa.errors import (
    POPPLER_INSTALL,
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    ImageTooLargeError,
    MissingDependencyError,
    SohoaError,
    TooLargeError,
    UnreadableFileError,
    UnsupportedFileError,
)

_IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpeg",
    b"II*\x00": "tiff",
    b"MM\x00*": "tiff",
}
_KNOWN_UNSUPPORTED = {
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"MZ": "a Windows executable",
    b"\x7fELF": "an ELF executable",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"GIF8": "a GIF image",
    b"BM": "a BMP image",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
}


@dataclass(frozen=True)
class PageJob:
    """One page to OCR. Cheap and picklable: the worker rasterises the page itself."""

    path: str
    kind: str  # pdf_image | pdf_text | image
    page_number: int  # 1-based page of the document (TIFF frame index + 1 unless `frame` is set)
    dpi: int = 300
    max_pixels: int = 200_000_000
    frame: int | None = None  # the image frame in `path`, for a page of a set of image files
    blank: bool = False  # a PDF page that draws nothing: the worker returns an empty page at once

    @property
    def frame_index(self) -> int:
        return self.frame if self.frame is not None else self.page_number - 1


@dataclass
class InputFile:
    path: str
    sha256: str
    size: int
    kind: str  # text | pdf_text | pdf_image | image
    page_count: int
    dpi: int = 300
    max_pixels: int = 200_000_000
    force_ocr: bool = False
    text_quality: float | None = None  # share of valid syllables in a PDF text layer
    members: list[str] = field(default_factory=list)  # an image set: the files, in page order
    frames: list[int] = field(default_factory=list)  # frames per member
    blank_pages: frozenset[int] = frozenset()  # PDF pages (1-based) that draw nothing
    _text: str | None = field(default=None, repr=False)
    _layer_pages: list[Page] | None = field(default=None, repr=False)

    def text_pages(self) -> list[Page]:
        """Pages read from the text itself (text files, PDF text layers with word boxes)."""
        if self.kind == "text":
            return Document.from_text(self.path, self._text or "").pages
        if self.kind == "pdf_text" and not self.force_ocr:
            if self._layer_pages is None:
                from sohoa.ocr.textlayer import read_text_layer

                self._layer_pages = read_text_layer(self.path, dpi=self.dpi)
            return self._layer_pages
        return []

    def page_jobs(self) -> list[PageJob]:
        """One job per page to OCR (none for text inputs or PDFs with a usable text layer)."""
        if self.kind == "text" or (self.kind == "pdf_text" and not self.force_ocr):
            return []
        if self.members:
            jobs, n = [], 0
            for member, count in zip(self.members, self.frames, strict=True):
                for frame in range(count):
                    n += 1
                    jobs.append(PageJob(member, "image", n, self.dpi, self.max_pixels, frame))
            return jobs
        return [
            PageJob(self.path, self.kind, n, self.dpi, self.max_pixels, blank=n in self.blank_pages)
            for n in range(1, self.page_count + 1)
        ]

    @property
    def needs_ocr(self) -> bool:
        return bool(self.page_jobs())


MAX_TEXT_MB = 3.0  # defaults of the `limits.*` settings (pipeline.config.LimitsSettings)
MAX_PAGES = 1000


def open_input(
    path: str, *, dpi: int = 300, max_pixels: int = 200_000_000, force_ocr: bool = False,
    max_text_mb: float = MAX_TEXT_MB, max_pages: int = MAX_PAGES,
) -> InputFile:
    """Detect the kind of `path` by its content and check it can be read. Raises SohoaError subclasses;
    a text file over `max_text_mb` or a file of more than `max_pages` pages is a TooLargeError,
    raised before its content is decoded."""
    path = os.fspath(path)
    head, size, sha = _read_head_and_hash(path)
    if size == 0:
        raise EmptyFileError("the file is empty (0 bytes)", path)
    common = {"path": path, "sha256": sha, "size": size, "dpi": dpi, "max_pixels": max_pixels}
    if b"%PDF-" in head[:1024]:
        opened = _as_data_error(_open_pdf, common, force_ocr, what="PDF")
    elif fmt := next((f for magic, f in _IMAGE_MAGIC.items() if head.startswith(magic)), None):
        opened = _as_data_error(_open_image, common, fmt, what=f"{fmt.upper()} image")
    else:
        for magic, what in _KNOWN_UNSUPPORTED.items():
            if head.startswith(magic):
                raise UnsupportedFileError(f"unsupported file type: {what}", path)
        if size > max_text_mb * 1e6:
            raise TooLargeError(f"the text file is {size / 1e6:.1f} MB, over the limit of {max_text_mb:g} MB "
                                "(limits.max_text_mb)", path)
        text = _decode_text(path)
        if text is None:
            raise UnsupportedFileError("unsupported file type: binary data that is not PDF, TIFF, PNG or JPEG", path)
        opened = InputFile(kind="text", page_count=text.count("\f") + 1, _text=text, **common)
    check_page_cap(opened, max_pages)
    return opened


def check_page_cap(opened: InputFile, max_pages: int) -> None:
    """Pages to render and OCR (a text file's form feeds cost nothing: its size limit bounds it)."""
    if opened.kind != "text" and opened.page_count > max_pages:
        raise TooLargeError(f"the file has {opened.page_count} pages, over the cap of {max_pages} "
                            "(limits.max_pages)", opened.path)


def open_image_set(paths: list[str], *, dpi: int = 300, max_pixels: int = 200_000_000,
                   max_pages: int = MAX_PAGES) -> InputFile:
    """Consecutive image files of one document (`4_1.jpg`, `4_2.jpg`) as one input whose pages
    are their frames in order. Its sha256 is that of the members' hashes, so the set is stored
    once; a member that is not an image is a data error naming it."""
    opened = [open_input(p, dpi=dpi, max_pixels=max_pixels) for p in paths]
    for inp in opened:
        if inp.kind != "image":
            raise UnsupportedFileError("a page of an image set is not an image", inp.path)
    digest = hashlib.sha256(("image-set\n" + "\n".join(i.sha256 for i in opened)).encode())
    image_set = InputFile(path=paths[0], sha256=digest.hexdigest(), size=sum(i.size for i in opened), kind="image",
                     page_count=sum(i.page_count for i in opened), dpi=dpi, max_pixels=max_pixels,
                     members=list(paths), frames=[i.page_count for i in opened])
    check_page_cap(image_set, max_pages)
    return image_set


def _as_data_error(reader, *args, what: str) -> InputFile:
    """Run a reader; whatever a malformed file makes the parsing libraries raise (pikepdf, PIL,
    poppler: AttributeError on a missing object, TypeError on a missing TIFF tag …) is a
    CorruptFileError naming the cause, never an unexplained crash."""
    try:
        return reader(*args)
    except (SohoaError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 — see the docstring
        raise CorruptFileError(f"the {what} cannot be read ({type(exc).__name__}: {_short(exc)})",
                               args[0]["path"]) from exc


def _read_head_and_hash(path: str) -> tuple[bytes, int, str]:
    digest = hashlib.sha256()
    try:
        if os.path.isdir(path):
            raise UnreadableFileError("is a directory, not a file", path)
        with open(path, "rb") as fh:
            head = fh.read(4096)
            digest.update(head)
            size = len(head)
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError as exc:
        raise UnreadableFileError("no such file", path) from exc
    except PermissionError as exc:
        raise UnreadableFileError("permission denied", path) from exc
    except OSError as exc:
        raise UnreadableFileError(f"cannot read the file ({exc.strerror or exc})", path) from exc
    return head, size, digest.hexdigest()


def _decode_text(path: str) -> str | None:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else cp1258; None for binary data."""
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        if b"\x00" in raw:
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1258")
            except UnicodeDecodeError:
                return None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(2, len(text) // 200):
        return None
    from sohoa.document import nfc

    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


def require_poppler(path: str | None = None) -> None:
    for tool in ("pdftoppm", "pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            raise MissingDependencyError(f"{tool} (poppler-utils) is not installed", path, POPPLER_INSTALL)


def _open_pdf(common: dict, force_ocr: bool) -> InputFile:
    import pikepdf

    path = common["path"]
    require_poppler(path)
    try:
        with pikepdf.open(path) as pdf:
            pages = list(pdf.pages)
            page_count = len(pages)
            sizes = [_page_size_pt(p) for p in pages]
            has_images = [_page_has_images(p) for p in pages]
            blank = frozenset(n for n, (p, img) in enumerate(zip(pages, has_images, strict=True), 1)
                              if not img and _draws_nothing(p))
    except pikepdf.PasswordError as exc:
        raise EncryptedPdfError("the PDF is password-protected", path) from exc
    except (pikepdf.PdfError, ValueError, RecursionError) as exc:
        raise CorruptFileError(f"the PDF cannot be parsed ({_short(exc)})", path) from exc
    if page_count == 0:
        raise CorruptFileError("the PDF has no pages", path)
    _check_pdf_renders(path)
    dpi, max_pixels = common["dpi"], common["max_pixels"]
    for i, (w_pt, h_pt) in enumerate(sizes, 1):
        pixels = (w_pt / 72 * dpi) * (h_pt / 72 * dpi)
        if pixels > max_pixels:
            raise ImageTooLargeError(
                f"page {i} would be {pixels / 1e6:.0f} Mpx at {dpi} dpi, over the limit of "
                f"{max_pixels / 1e6:.0f} Mpx",
                path,
            )
    from sohoa.ocr.textlayer import layer_quality, read_text_layer

    layer_pages = read_text_layer(path, dpi=dpi)
    usable, quality = layer_quality(layer_pages, has_images)
    kind = "pdf_text" if usable else "pdf_image"
    return InputFile(
        kind=kind,
        page_count=page_count,
        force_ocr=force_ocr,
        text_quality=quality,
        _layer_pages=layer_pages if usable else None,
        blank_pages=blank,
        **common,
    )


def _check_pdf_renders(path: str) -> None:
    """pdfinfo fails on PDFs poppler cannot use even when pikepdf managed to repair them."""
    import subprocess

    proc = subprocess.run(["pdfinfo", path], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        msg = (proc.stderr.strip().splitlines() or ["pdfinfo failed"])[-1]
        if "Incorrect password" in msg:
            raise EncryptedPdfError("the PDF is password-protected", path)
        raise CorruptFileError(f"the PDF is damaged ({msg})", path)


def _page_size_pt(page) -> tuple[float, float]:
    box = [float(v) for v in page.mediabox]
    w, h = abs(box[2] - box[0]), abs(box[3] - box[1])
    if int(page.obj.get("/Rotate", 0)) % 180 == 90:
        w, h = h, w
    return w, h


def _page_has_images(page) -> bool:
    try:
        getter = getattr(page, "get_images", None)
        return len(getter() if getter else page.images) > 0
    except Exception:  # unusual resource trees: assume a scan so the page is OCR'd
        return True


def _draws_nothing(page) -> bool:
    """A page with no content stream, or one holding only whitespace: blank, no need to render it."""
    import pikepdf

    try:
        contents = page.obj.get("/Contents")
        if contents is None:
            return True
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        return all(not s.read_bytes().strip() for s in streams)
    except Exception:  # noqa: BLE001 — an odd content tree: render and look at the page
        return False


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


def _open_image(common: dict, fmt: str) -> InputFile:
    from PIL import Image

    path, max_pixels = common["path"], common["max_pixels"]
    try:
        with pil_pixel_limit(max_pixels), Image.open(path) as im:
            frames = getattr(im, "n_frames", 1)
            for i in range(frames):
                if i:
                    im.seek(i)
                w, h = im.size
                if w * h > max_pixels:
                    raise ImageTooLargeError(
                        f"image{' frame ' + str(i + 1) if frames > 1 else ''} is {w}×{h} = "
                        f"{w * h / 1e6:.0f} Mpx, over the limit of {max_pixels / 1e6:.0f} Mpx",
                        path,
                    )
                if w < 8 or h < 8:
                    raise CorruptFileError(f"image is only {w}×{h} pixels", path)
            if fmt == "png":
                im.verify()
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"image is over the pixel limit ({_short(exc)})", path) from exc
    except (ImageTooLargeError, CorruptFileError):
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptFileError(f"the {fmt.upper()} image cannot be decoded ({_short(exc)})", path) from exc
    if fmt == "jpeg" and not _jpeg_complete(path):
        raise CorruptFileError("the JPEG image is truncated (no end-of-image marker)", path)
    return InputFile(kind="image", page_count=frames, **common)


@contextmanager
def pil_pixel_limit(max_pixels: int):
    """PIL's decompression-bomb guard set to our limit (PIL raises at twice its limit), for
    the duration of one decode; the global is restored so other callers keep theirs."""
    from PIL import Image

    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max(1, max_pixels // 2)
    try:
        with warnings.catch_warnings():  # PIL warns past half the limit: our limit is the error
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = old


def _jpeg_complete(path: str) -> bool:
    with open(path, "rb") as fh:
        fh.seek(max(0, os.path.getsize(path) - 4096))
        tail = fh.read()
    return b"\xff\xd9" in tail
