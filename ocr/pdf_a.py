"""PDF/A-2b marking of sohoa's searchable PDFs, and the checks sohoa can make without veraPDF.

`mark_pdfa` gives a PDF (a new one built from images, or a PDF input with its text overlay) an
sRGB output intent, `/Lang`, the XMP identification (pdfaid part 2, conformance B) and metadata
from the document's record, embeds a metric-compatible substitute (URW base35) for the
standard-14 fonts a source PDF left unembedded, and removes what PDF/A forbids (JavaScript,
embedded files). `pdfa_problems` lists every requirement of that list a written file fails.
It is NOT a full PDF/A validation (veraPDF checks hundreds of clauses): see docs/ocr.md.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

URW_DIRS = ["/usr/share/fonts/opentype/urw-base35", "/usr/share/fonts/truetype/urw-base35"]
# standard-14 PostScript names → the URW base35 font that has their metrics
_STANDARD_14 = {
    "Times-Roman": "NimbusRoman-Regular", "Times-Bold": "NimbusRoman-Bold",
    "Times-Italic": "NimbusRoman-Italic", "Times-BoldItalic": "NimbusRoman-BoldItalic",
    "Helvetica": "NimbusSans-Regular", "Helvetica-Bold": "NimbusSans-Bold",
    "Helvetica-Oblique": "NimbusSans-Italic", "Helvetica-BoldOblique": "NimbusSans-BoldItalic",
    "Courier": "NimbusMonoPS-Regular", "Courier-Bold": "NimbusMonoPS-Bold",
    "Courier-Oblique": "NimbusMonoPS-Italic", "Courier-BoldOblique": "NimbusMonoPS-BoldItalic",
    "Symbol": "StandardSymbolsPS", "ZapfDingbats": "D050000L",
    # common aliases of the same faces
    "TimesNewRoman": "NimbusRoman-Regular", "TimesNewRomanPSMT": "NimbusRoman-Regular",
    "TimesNewRoman,Bold": "NimbusRoman-Bold", "TimesNewRomanPS-BoldMT": "NimbusRoman-Bold",
    "Arial": "NimbusSans-Regular", "ArialMT": "NimbusSans-Regular", "Arial,Bold": "NimbusSans-Bold",
    "Arial-BoldMT": "NimbusSans-Bold",
}


@dataclass
class PdfInfo:
    """What goes into the XMP and the document information dictionary."""

    title: str | None = None
    code: str | None = None
    issuer: str | None = None
    date: str | None = None
    lang: str = "vi"
    producer: str = "sohoa"

    @classmethod
    def from_record(cls, record: Any, producer: str) -> PdfInfo:
        """From a sohoa.record.Record (or None): title = subject, else the document type and code."""
        if record is None:
            return cls(producer=producer)
        title = record.subject or " ".join(x for x in (record.doc_type, record.code) if x) or None
        return cls(title=title, code=record.code, issuer=record.issuer, date=record.date, producer=producer)


def producer_name() -> str:
    from sohoa import __version__

    return f"sohoa {__version__}"


def mark_pdfa(pdf: Any, info: PdfInfo) -> list[str]:
    """Make `pdf` (pikepdf, open for writing) claim PDF/A-2b and carry `info`; returns warnings for
    what could not be made conformant (a non-standard font the source left unembedded)."""
    import pikepdf
    from PIL import ImageCms

    warnings = embed_standard_fonts(pdf)
    _drop_forbidden(pdf)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    icc_stream = pdf.make_stream(icc)
    icc_stream.N = 3
    pdf.Root.OutputIntents = pdf.make_indirect(pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1, OutputConditionIdentifier="sRGB",
        Info="sRGB IEC61966-2.1", DestOutputProfile=pdf.make_indirect(icc_stream),
    )]))
    pdf.Root.Lang = pikepdf.String(info.lang)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["xmp:CreatorTool"] = info.producer
        meta["pdf:Producer"] = info.producer
        meta["xmp:CreateDate"] = meta.get("xmp:CreateDate") or now
        meta["xmp:ModifyDate"] = now
        meta["xmp:MetadataDate"] = now
        if info.title:
            meta["dc:title"] = info.title
        if info.issuer:
            meta["dc:creator"] = [info.issuer]
        if info.code:
            meta["dc:identifier"] = info.code
        if info.date:
            meta["dc:date"] = [info.date]
        meta["dc:language"] = {info.lang}
    return warnings


def _drop_forbidden(pdf: Any) -> None:
    """JavaScript, embedded files, additional actions and non-printing annotations: not in PDF/A-2b."""
    import pikepdf

    names = pdf.Root.get("/Names")
    if names is not None:
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]
    for key in ("/OpenAction", "/AA"):
        if key in pdf.Root:
            del pdf.Root[key]
    if "/NeedsRendering" in pdf.Root.get("/AcroForm", {}):
        del pdf.Root.AcroForm["/NeedsRendering"]
    for page in pdf.pages:
        if "/AA" in page.obj:
            del page.obj["/AA"]
        for annot in page.obj.get("/Annots") or []:
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            for key in ("/A", "/AA"):
                action = annot.get(key)
                if key == "/AA" or (action is not None and action.get("/S") in ("/JavaScript", "/Launch")):
                    if key in annot:
                        del annot[key]
            if annot.get("/Subtype") != "/Popup":
                flags = int(annot.get("/F", 0))
                annot.F = (flags | 4) & ~(1 | 2 | 32)  # Print on; Invisible, Hidden, NoView off


def _fonts(pdf: Any):
    """Every font dictionary reachable from the pages (resources, form XObjects, annotation appearances)."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    todo = []
    for page in pdf.pages:
        todo.append(page.obj.get("/Resources"))
        for annot in page.obj.get("/Annots") or []:
            ap = annot.get("/AP") if isinstance(annot, pikepdf.Dictionary) else None
            for state in (ap or {}).values():
                todo.extend(state.values() if isinstance(state, pikepdf.Dictionary) and "/Type" not in state
                            and not isinstance(state, pikepdf.Stream) else [state])
    while todo:
        res = todo.pop()
        if isinstance(res, pikepdf.Stream):
            key = res.objgen
            if key in seen:
                continue
            seen.add(key)
            res = res.get("/Resources")
        if not isinstance(res, pikepdf.Dictionary):
            continue
        for font in (res.get("/Font") or {}).values():
            if isinstance(font, pikepdf.Dictionary) and font.objgen not in seen:
                if font.objgen != (0, 0):
                    seen.add(font.objgen)
                yield font
                yield from font.get("/DescendantFonts") or []
        for xobj in (res.get("/XObject") or {}).values():
            if isinstance(xobj, pikepdf.Stream) and xobj.get("/Subtype") == "/Form":
                todo.append(xobj)


def _embedded(font: Any) -> bool:
    if font.get("/Subtype") in ("/Type0", "/Type3"):
        return True  # Type0: its descendant is checked; Type3: glyphs are content streams
    desc = font.get("/FontDescriptor")
    return desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def embed_standard_fonts(pdf: Any) -> list[str]:
    """Embed a URW base35 substitute (same metrics) for each unembedded standard-14 simple font;
    warnings for fonts that cannot be substituted."""
    warnings = []
    for font in list(_fonts(pdf)):
        if _embedded(font):
            continue
        base = str(font.get("/BaseFont", "/?"))[1:].split("+")[-1]
        otf = _urw_file(_STANDARD_14.get(base))
        if font.get("/Subtype") not in ("/Type1", "/TrueType") or otf is None:
            warnings.append(f"font {base} is not embedded in the source PDF and has no substitute")
            continue
        _embed_otf(pdf, font, otf)
    return warnings


def _urw_file(name: str | None) -> Path | None:
    if not name:
        return None
    for folder in URW_DIRS:
        for ext in (".otf", ".t1"):
            p = Path(folder) / f"{name}{ext}"
            if p.is_file() and ext == ".otf":
                return p
    return None


def _embed_otf(pdf: Any, font: Any, otf: Path) -> None:
    """FontFile3 /OpenType with a descriptor and the widths of the codes the font's encoding maps."""
    import pikepdf
    from fontTools.ttLib import TTFont

    tt = TTFont(str(otf))
    upm = tt["head"].unitsPerEm
    hmtx, cmap = tt["hmtx"], tt.getBestCmap() or {}
    glyph_set = set(tt.getGlyphOrder())
    codes = _code_glyphs(font, cmap, glyph_set)
    first, last = 0, 255
    widths = [int(round(hmtx[codes[c]][0] * 1000 / upm)) if c in codes else 0 for c in range(first, last + 1)]
    bbox = [int(round(v * 1000 / upm)) for v in (tt["head"].xMin, tt["head"].yMin, tt["head"].xMax, tt["head"].yMax)]
    os2 = tt["OS/2"] if "OS/2" in tt else None
    symbolic = str(font.get("/BaseFont", "")) in ("/Symbol", "/ZapfDingbats")
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=font.get("/BaseFont", pikepdf.Name("/Font")),
        Flags=4 if symbolic else 32, FontBBox=bbox, ItalicAngle=int(tt["post"].italicAngle),
        Ascent=int(round((os2.sTypoAscender if os2 else bbox[3]) * 1000 / upm)),
        Descent=int(round((os2.sTypoDescender if os2 else bbox[1]) * 1000 / upm)),
        CapHeight=int(round(getattr(os2, "sCapHeight", 0) * 1000 / upm)) or bbox[3], StemV=80,
    )
    stream = pdf.make_stream(otf.read_bytes())
    stream.Subtype = pikepdf.Name.OpenType
    descriptor.FontFile3 = stream
    font.FontDescriptor = pdf.make_indirect(descriptor)
    font.FirstChar, font.LastChar, font.Widths = first, last, pikepdf.Array(widths)


def _code_glyphs(font: Any, cmap: dict[int, str], glyph_set: set[str]) -> dict[int, str]:
    """code → glyph name of the embedded font, through the PDF font's /Encoding (WinAnsi default)."""
    enc = font.get("/Encoding")
    base = enc.get("/BaseEncoding") if hasattr(enc, "get") else enc
    codec = "mac_roman" if base == "/MacRomanEncoding" else "cp1252"
    out: dict[int, str] = {}
    for code in range(32, 256):
        try:
            ch = bytes([code]).decode(codec)
        except UnicodeDecodeError:
            continue
        if ord(ch) in cmap:
            out[code] = cmap[ord(ch)]
    diffs = enc.get("/Differences") if hasattr(enc, "get") else None
    if diffs is not None:
        code = 0
        for item in diffs:
            if isinstance(item, int):
                code = int(item)
            else:
                name = str(item)[1:]
                if name in glyph_set:
                    out[code] = name
                code += 1
    return out


# --------------------------------------------------------------------------- checks


def pdfa_problems(path: str | Path) -> list[str]:
    """The PDF/A-2b requirements sohoa checks that the file at `path` fails ([] = all pass): qpdf
    --check clean, not encrypted, trailer /ID, sRGB output intent (GTS_PDFA1, 3-channel ICC),
    every font embedded, XMP pdfaid part 2 / conformance B with a producer, /Lang, no JavaScript,
    no embedded files."""
    import pikepdf

    problems = []
    if shutil.which("qpdf") is None:
        problems.append("qpdf not installed: structure not checked")
        proc = None
    else:
        proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    if proc is not None and proc.returncode != 0:
        problems.append("qpdf --check: " + (proc.stdout + proc.stderr).strip().splitlines()[-1])
    with pikepdf.open(path) as pdf:
        if pdf.is_encrypted:
            problems.append("encrypted")
        if "/ID" not in pdf.trailer:
            problems.append("no trailer /ID")
        intents = [oi for oi in pdf.Root.get("/OutputIntents") or [] if oi.get("/S") == "/GTS_PDFA1"]
        if not intents or intents[0].get("/DestOutputProfile") is None \
                or int(intents[0].DestOutputProfile.get("/N", 0)) != 3:
            problems.append("no sRGB (3-channel) GTS_PDFA1 output intent")
        for font in _fonts(pdf):
            if not _embedded(font):
                problems.append(f"font not embedded: {font.get('/BaseFont')}")
        meta = pdf.open_metadata()
        if meta.get("pdfaid:part") != "2" or meta.get("pdfaid:conformance") not in ("B", "U"):
            problems.append("XMP has no pdfaid part 2 conformance B/U")
        if not meta.get("pdf:Producer"):
            problems.append("XMP has no pdf:Producer")
        if not str(pdf.Root.get("/Lang", "")):
            problems.append("no /Lang")
        names = pdf.Root.get("/Names") or {}
        if "/JavaScript" in names or _has_javascript(pdf):
            problems.append("JavaScript")
        if "/EmbeddedFiles" in names:
            problems.append("embedded files")
        problems += _stream_problems(pdf)
        for key, xmp_key in (("/Title", "dc:title"), ("/Producer", "pdf:Producer")):
            if key in pdf.docinfo and str(pdf.docinfo[key]) != str(meta.get(xmp_key, "")):
                problems.append(f"info dictionary {key} differs from XMP {xmp_key}")
    return problems


def _stream_problems(pdf: Any) -> list[str]:
    """LZW streams, a filtered XMP stream, interpolated images, CMYK beside the RGB output intent."""
    import pikepdf

    found: set[str] = set()
    meta = pdf.Root.get("/Metadata")
    if meta is not None and "/Filter" in meta:
        found.add("the XMP metadata stream is compressed")
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        filters = obj.get("/Filter")
        names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
        if "/LZWDecode" in names:
            found.add("LZW-compressed stream")
        if obj.get("/Subtype") == "/Image":
            if bool(obj.get("/Interpolate", False)):
                found.add("image with /Interpolate true")
            if str(obj.get("/ColorSpace", "")) == "/DeviceCMYK":
                found.add("DeviceCMYK image with an RGB output intent")
    return sorted(found)


def _has_javascript(pdf: Any) -> bool:
    import pikepdf

    def js(action: Any) -> bool:
        return isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/JavaScript"

    if js(pdf.Root.get("/OpenAction")) or any(js(a) for a in (pdf.Root.get("/AA") or {}).values()):
        return True
    for page in pdf.pages:
        for annot in page.obj.get("/Annots") or []:
            if isinstance(annot, pikepdf.Dictionary) and (
                    js(annot.get("/A")) or any(js(a) for a in (annot.get("/AA") or {}).values())):
                return True
    return any(js(obj) for obj in pdf.objects)
