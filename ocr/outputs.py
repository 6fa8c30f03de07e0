"""What OCR hands to people and other tools: searchable PDF, hOCR, ALTO, plain text —
and `ocr_file`, the whole OCR stage for one file."""

from __future__ import annotations

import io
import os
import zlib
from concurrent.futures import ProcessPoolExecutor
from html import escape
from pathlib import Path

from sohoa.document import Document, Page
from sohoa.ocr.engine import OcrConfig, check_tesseract, load_page_image, ocr_page
from sohoa.ocr.final_text import aligned_words
from sohoa.ocr.inputs import InputFile, PageJob, open_input
from sohoa.ocr.pdf_a import PdfInfo, mark_pdfa, producer_name
from sohoa.ocr.pdf_signature import check_not_signed, drop_signatures, signature_fields
from sohoa.ocr.pdf_textlayer import glyphless_font, text_ops

# --------------------------------------------------------------------------- the OCR stage


def ocr_file(path: str, config: OcrConfig | None = None, jobs: int = 1, *, force_ocr: bool = False,
             max_pixels: int = 200_000_000) -> Document:
    """Read one file into a Document: text files and good PDF text layers as they are,
    everything else through OCR (pages spread over `jobs` worker processes)."""
    config = config or OcrConfig()
    inp = open_input(path, dpi=config.dpi, max_pixels=max_pixels, force_ocr=force_ocr)
    page_jobs = inp.page_jobs()
    if page_jobs:
        check_tesseract(config.lang, config.tesseract_cmd)
        pages = ocr_pages(page_jobs, config, jobs)
    else:
        pages = inp.text_pages()
    meta = {"kind": inp.kind, "page_count": inp.page_count, "size": inp.size}
    if inp.text_quality is not None:
        meta["text_layer_quality"] = round(inp.text_quality, 3)
    if page_jobs:
        meta["ocr"] = {"lang": config.lang, "dpi": config.dpi, "jobs": jobs}
        meta["page_jobs"] = [job.__dict__ for job in page_jobs]
    return Document(path=str(path), pages=pages, sha256=inp.sha256, meta=meta)


def ocr_pages(page_jobs: list[PageJob], config: OcrConfig, jobs: int = 1) -> list[Page]:
    if jobs <= 1 or len(page_jobs) == 1:
        return [ocr_page(job, config) for job in page_jobs]
    with ProcessPoolExecutor(max_workers=min(jobs, len(page_jobs))) as pool:
        return list(pool.map(ocr_page, page_jobs, [config] * len(page_jobs)))


def jobs_of(doc: Document) -> list[PageJob]:
    """The page jobs `ocr_file` recorded in a Document's meta (for write_searchable_pdf)."""
    return [PageJob(**j) for j in doc.meta.get("page_jobs", [])]


# --------------------------------------------------------------------------- text, hOCR, ALTO


def write_text(doc: Document, path: str | os.PathLike) -> None:
    Path(path).write_text(doc.text() + "\n", encoding="utf-8")


def _bbox(box) -> str:
    return "bbox {} {} {} {}".format(*box) if box else "bbox 0 0 0 0"


def hocr_page(page: Page) -> str:
    """The page as an hOCR 1.2 `ocr_page` element: the final (restored) words on their OCR boxes,
    `x_wconf` the engine's confidence (ocr.final_text)."""
    w, h = page.width or 0, page.height or 0
    out = [f'<div class="ocr_page" id="page_{page.number}" title="bbox 0 0 {w} {h}; ppageno {page.number - 1}'
           f'{"; scan_res " + str(page.dpi) + " " + str(page.dpi) if page.dpi else ""}">']
    wid = 0
    for bi, block in enumerate(page.blocks, 1):
        out.append(f' <div class="ocr_carea" id="block_{page.number}_{bi}" data-kind="{block.kind}" '
                   f'title="{_bbox(block.box)}">')
        out.append(f'  <p class="ocr_par" id="par_{page.number}_{bi}" lang="vi" title="{_bbox(block.box)}">')
        for li, line in enumerate(block.lines, 1):
            out.append(f'   <span class="ocr_line" id="line_{page.number}_{bi}_{li}" title="{_bbox(line.box)}">')
            for word, _reading in aligned_words(line):
                wid += 1
                conf = f"; x_wconf {int(round(word.conf))}" if word.conf is not None else ""
                out.append(f'    <span class="ocrx_word" id="word_{page.number}_{wid}" '
                           f'title="{_bbox(word.box)}{conf}">{escape(word.text)}</span>')
            out.append("   </span>")
        out.append("  </p>\n </div>")
    out.append("</div>")
    return "\n".join(out)


def write_hocr(page: Page | list[Page], path: str | os.PathLike) -> None:
    pages = page if isinstance(page, list) else [page]
    body = "\n".join(hocr_page(p) for p in pages)
    Path(path).write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="vi" lang="vi">\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n'
        '<meta name="ocr-system" content="sohoa (tesseract)"/>\n'
        '<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_lang ocrp_wconf"/>\n'
        '<meta name="ocr-langs" content="vi"/>\n'
        f'<meta name="ocr-number-of-pages" content="{len(pages)}"/>\n'
        f"<title>sohoa</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        encoding="utf-8",
    )


def alto_page(page: Page) -> str:
    """The page as an ALTO 4 `Page`: CONTENT the final (restored) word, WC the engine's confidence
    (0–1), and where restoration changed the word the engine's reading as its ALTERNATIVE."""
    def geo(box) -> str:
        x0, y0, x1, y1 = box or (0, 0, 0, 0)
        return f'HPOS="{x0}" VPOS="{y0}" WIDTH="{x1 - x0}" HEIGHT="{y1 - y0}"'

    w, h = page.width or 0, page.height or 0
    out = [f'  <Page ID="page_{page.number}" PHYSICAL_IMG_NR="{page.number}" WIDTH="{w}" HEIGHT="{h}"'
           + (f' PC="{page.mean_conf / 100:.2f}"' if page.mean_conf is not None else "") + ">",
           f'   <PrintSpace HPOS="0" VPOS="0" WIDTH="{w}" HEIGHT="{h}">']
    for bi, block in enumerate(page.blocks, 1):
        out.append(f'    <TextBlock ID="block_{page.number}_{bi}" TAGREFS="kind_{block.kind}" {geo(block.box)}>')
        for li, line in enumerate(block.lines, 1):
            out.append(f'     <TextLine ID="line_{page.number}_{bi}_{li}" {geo(line.box)}>')
            for wi, (word, reading) in enumerate(aligned_words(line)):
                if wi:
                    out.append("      <SP/>")
                wc = f' WC="{min(1.0, max(0.0, word.conf / 100)):.2f}"' if word.conf is not None else ""
                attrs = f'CONTENT="{escape(word.text, quote=True)}" {geo(word.box)}{wc}'
                if reading != word.text:
                    out.append(f'      <String {attrs}><ALTERNATIVE PURPOSE="ocr">{escape(reading)}</ALTERNATIVE></String>')
                else:
                    out.append(f"      <String {attrs}/>")
            out.append("     </TextLine>")
        out.append("    </TextBlock>")
    out.append("   </PrintSpace>\n  </Page>")
    return "\n".join(out)


def write_alto(page: Page | list[Page], path: str | os.PathLike) -> None:
    pages = page if isinstance(page, list) else [page]
    kinds = sorted({b.kind for p in pages for b in p.blocks})
    tags = "\n".join(f'  <OtherTag ID="kind_{k}" LABEL="{k}"/>' for k in kinds)
    Path(path).write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.loc.gov/standards/alto/ns-v4# '
        'http://www.loc.gov/alto/v4/alto-4-2.xsd">\n'
        ' <Description>\n  <MeasurementUnit>pixel</MeasurementUnit>\n'
        '  <OCRProcessing ID="ocr"><ocrProcessingStep><processingSoftware>'
        '<softwareName>sohoa (tesseract)</softwareName></processingSoftware></ocrProcessingStep>'
        '</OCRProcessing>\n </Description>\n'
        f" <Tags>\n{tags}\n </Tags>\n <Layout>\n"
        + "\n".join(alto_page(p) for p in pages)
        + "\n </Layout>\n</alto>\n",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- searchable PDF


def write_searchable_pdf(pages: list[Page], jobs: list[PageJob], out_path: str | os.PathLike,
                         config: OcrConfig | None = None, *, info: PdfInfo | None = None,
                         invalidate_signatures: bool = False) -> list[str]:
    """Original page images with an invisible text layer of the final text (ocr.pdf_textlayer),
    marked PDF/A-2b (ocr.pdf_a); returns warnings (a source font that could not be embedded).

    PDF input: the original pages are kept byte for byte and only a text overlay is added; a
    signed PDF raises SignedPdfError unless `invalidate_signatures` (its signatures are then removed).
    Image input: each page embeds the image (JPEG files as they are, without re-encoding)."""
    import pikepdf

    from sohoa.ocr.pdf_sanitize import remove_active_content

    config = config or OcrConfig()
    info = info or PdfInfo(producer=producer_name())
    if len(pages) != len(jobs):
        raise ValueError(f"{len(pages)} pages but {len(jobs)} jobs")
    if not jobs:
        raise ValueError("nothing to write: no OCR'd pages")
    source = jobs[0].path
    if jobs[0].kind.startswith("pdf"):
        pdf = pikepdf.open(source)
        if signature_fields(pdf):
            if not invalidate_signatures:
                pdf.close()
                check_not_signed(source, invalidate=False)
            drop_signatures(pdf)
        keep = [j.page_number for j in jobs]
        font = glyphless_font(pdf)
        for page, job in zip(pages, jobs, strict=True):
            _drop_invisible_text(pdf, pdf.pages[job.page_number - 1])
            _overlay_text(pdf, pdf.pages[job.page_number - 1], page, font)
        for idx in sorted(set(range(1, len(pdf.pages) + 1)) - set(keep), reverse=True):
            del pdf.pages[idx - 1]
        remove_active_content(pdf)  # JavaScript, launch/URI actions, embedded files, forms: never carried over
    else:
        pdf = pikepdf.new()
        font = glyphless_font(pdf)
        for page, job in zip(pages, jobs, strict=True):
            pdf_page = _image_page(pdf, job, page, config)
            _overlay_text(pdf, pdf_page, page, font)
    warnings = mark_pdfa(pdf, info)
    pdf.save(out_path, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    pdf.close()
    return warnings


def _display_matrix(pdf_page) -> tuple[list[float], float, float]:
    """cm matrix from 'display' points (origin bottom-left of the page as shown) to user space,
    and the displayed width/height in points."""
    box = [float(v) for v in (pdf_page.obj.get("/CropBox") or pdf_page.mediabox)]
    x0, y0, x1, y1 = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])
    rot = int(pdf_page.obj.get("/Rotate", 0)) % 360
    w, h = x1 - x0, y1 - y0
    if rot == 90:
        return [0, 1, -1, 0, x0 + w, y0], h, w
    if rot == 180:
        return [-1, 0, 0, -1, x1, y1], w, h
    if rot == 270:
        return [0, -1, 1, 0, x0, y1], h, w
    return [1, 0, 0, 1, x0, y0], w, h


def _overlay_text(pdf, pdf_page, page: Page, font) -> None:
    import pikepdf

    matrix, disp_w, disp_h = _display_matrix(pdf_page)
    scale = disp_w / (page.width or 1)  # points per pixel of the page image the boxes refer to
    ops = ["q", " ".join(f"{v:.4f}" for v in matrix) + " cm", "BT", "3 Tr", *text_ops(page, scale, disp_h),
           "ET", "Q"]
    resources = pdf_page.obj.get("/Resources")
    if resources is None:
        pdf_page.obj.Resources = resources = pikepdf.Dictionary()
    if "/Font" not in resources:
        resources.Font = pikepdf.Dictionary()
    resources.Font.OCR = font
    pdf_page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    pdf_page.contents_add(pdf.make_stream(("Q\n" + "\n".join(ops) + "\n").encode("ascii")), prepend=False)


_SHOW_TEXT = {"Tj", "TJ", "'", '"'}


def _drop_invisible_text(pdf, pdf_page) -> None:
    """Remove a scanner's own invisible (render mode 3) text so the new layer is the only one.
    Visible text — e.g. a digital-signature note drawn on the page — is kept."""
    import pikepdf

    try:
        ops = pikepdf.parse_content_stream(pdf_page)
    except pikepdf.PdfError:
        return
    mode, stack, kept, dropped = 0, [], [], 0
    for operands, op in ops:
        name = str(op)
        if name == "q":
            stack.append(mode)
        elif name == "Q" and stack:
            mode = stack.pop()
        elif name == "Tr" and operands:
            mode = int(operands[0])
        elif name in _SHOW_TEXT and mode == 3:
            dropped += 1
            continue
        kept.append((operands, op))
    if dropped:
        pdf_page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))


def _image_page(pdf, job: PageJob, page: Page, config: OcrConfig):
    import pikepdf
    from PIL import Image

    with Image.open(job.path) as im:
        fmt, mode = im.format, im.mode
        exif_turn = im.getexif().get(0x0112, 1) if fmt == "JPEG" else 1
        meta_dpi = im.info.get("dpi")
    w, h = page.width or 1, page.height or 1
    dpi = float(meta_dpi[0]) if meta_dpi and 100 <= float(meta_dpi[0]) <= 2400 else max(72.0, w / 8.27)
    if fmt == "JPEG" and exif_turn == 1 and job.frame_index == 0 and mode in ("L", "RGB"):
        data = Path(job.path).read_bytes()
        cs = pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB
        image = pikepdf.Stream(pdf, data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=w,
                               Height=h, ColorSpace=cs, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
    else:
        image = _encode_array(pdf, load_page_image(job, config))
    page_w, page_h = w * 72 / dpi, h * 72 / dpi
    content = pdf.make_stream(f"q {page_w:.3f} 0 0 {page_h:.3f} 0 0 cm /Im0 Do Q\n".encode("ascii"))
    pdf_page = pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, page_w, page_h], Contents=content,
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
    ))
    pdf.pages.append(pdf_page)
    return pdf.pages[-1]


def _encode_array(pdf, arr):
    """Bilevel pages as 1-bit Flate, everything else as JPEG (quality 85)."""
    import numpy as np
    import pikepdf
    from PIL import Image

    h, w = arr.shape[:2]
    if arr.ndim == 2 and np.isin(arr[:: max(1, h // 200), :: max(1, w // 200)], (0, 255)).all() \
            and np.isin(arr, (0, 255)).all():
        bits = np.packbits(arr > 127, axis=1).tobytes()
        return pikepdf.Stream(pdf, zlib.compress(bits), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                              Width=w, Height=h, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=1,
                              Filter=pikepdf.Name.FlateDecode)
    rgb = arr if arr.ndim == 2 else arr[:, :, ::-1]
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=85)
    cs = pikepdf.Name.DeviceGray if arr.ndim == 2 else pikepdf.Name.DeviceRGB
    return pikepdf.Stream(pdf, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=w,
                          Height=h, ColorSpace=cs, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)


def ocr_input_file(inp: InputFile, config: OcrConfig, jobs: int = 1) -> list[Page]:
    """Pages of an already opened input (what `ocr_file` does after `open_input`)."""
    page_jobs = inp.page_jobs()
    if not page_jobs:
        return inp.text_pages()
    check_tesseract(config.lang, config.tesseract_cmd)
    return ocr_pages(page_jobs, config, jobs)
