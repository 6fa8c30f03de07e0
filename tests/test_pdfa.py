"""Searchable PDFs for archives: PDF/A-2b marking and metadata for every input kind (checked by
ocr/pdf_a.py's checks and qpdf, veraPDF being unavailable), and signed PDFs refused unless told."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from sohoa.document import Block, Line, Page, Word
from sohoa.errors import SignedPdfError
from sohoa.ocr.inputs import PageJob, open_input
from sohoa.ocr.outputs import write_searchable_pdf
from sohoa.ocr.pdf_a import PdfInfo, pdfa_problems
from sohoa.ocr.pdf_signature import signature_fields
from sohoa.pipeline.run import run
from sohoa.record import Record
from tests.test_run import make_docs, settings

TEXT = ("Ủy ban nhân dân tỉnh Lạng Sơn yêu cầu các sở, ban, ngành khẩn trương triển khai kế hoạch "
        "chuyển đổi số và báo cáo kết quả trước ngày 15 tháng 10 năm 2024")


def _page(text: str = TEXT) -> Page:
    lines, x, y = [Line()], 100, 200
    for w in text.split():
        if x + 20 * len(w) > 1150:
            lines.append(Line())
            x, y = 100, y + 60
        lines[-1].words.append(Word(w, (x, y, x + 20 * len(w), y + 40), 91.0))
        x += 20 * len(w) + 15
    return Page(1, [Block(lines)], 1240, 1754, 150, source="ocr")


def _image_pdf(tmp_path: Path, name: str, text: str | None = TEXT, *, helvetica: bool = False) -> Path:
    """A one-page scan PDF (150 dpi), with an invisible text layer when `text`, and with a visible
    unembedded Helvetica note when `helvetica` (as a signing tool draws one)."""
    img = tmp_path.parent / f"{tmp_path.name}_{name}.png"  # beside the folder, not in it
    Image.new("L", (1240, 1754), 255).save(img)
    page = _page(text) if text else Page(1, [], 1240, 1754, 150, source="ocr")
    out = tmp_path / f"{name}.pdf"
    write_searchable_pdf([page], [PageJob(str(img), "image", 1, 150)], out)
    if helvetica:
        with pikepdf.open(out, allow_overwriting_input=True) as pdf:
            helv = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                        BaseFont=pikepdf.Name.Helvetica))
            p = pdf.pages[0]
            p.obj.Resources.Font.Helv = helv
            p.contents_add(pdf.make_stream(b"BT /Helv 9 Tf 20 20 Td (Signed by VT) Tj ET"), prepend=False)
            pdf.save(out)
    return out


def _sign(path: Path) -> Path:
    """Add a signature field holding a (dummy) signature value, as a signing tool leaves it."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        value = pikepdf.Dictionary(Type=pikepdf.Name.Sig, Filter=pikepdf.Name("/Adobe.PPKLite"),
                                   SubFilter=pikepdf.Name("/adbe.pkcs7.detached"),
                                   Contents=pikepdf.String(b"\x00" * 64), ByteRange=[0, 10, 20, 30])
        field = pdf.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Sig, T="Signature1", V=pdf.make_indirect(value),
                                                     Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget,
                                                     Rect=[0, 0, 0, 0], F=132, P=pdf.pages[0].obj))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field], SigFlags=3)
        pdf.pages[0].obj.Annots = pdf.make_indirect([field])
        pdf.save(path)
    return path


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_image_input_pdf_passes_the_pdfa_checks_and_carries_the_record(tmp_path):
    rec = Record(doc_type="Công văn", number="215", symbol="UBND-KT", code="215/UBND-KT",
                 issuer="Ủy ban nhân dân tỉnh Lạng Sơn", date="2024-08-19",
                 subject="Về việc triển khai kế hoạch chuyển đổi số")
    img = tmp_path / "scan.png"
    Image.new("RGB", (1240, 1754), "white").save(img)
    out = tmp_path / "scan.pdf"
    write_searchable_pdf([_page()], [PageJob(str(img), "image", 1, 150)], out,
                         info=PdfInfo.from_record(rec, "sohoa 9.9"))
    assert pdfa_problems(out) == []
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert meta["dc:title"] == rec.subject
        assert meta["dc:identifier"] == "215/UBND-KT"
        assert "Ủy ban nhân dân tỉnh Lạng Sơn" in str(meta["dc:creator"])
        assert "2024-08-19" in str(meta["dc:date"])
        assert meta["pdf:Producer"] == "sohoa 9.9"
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert str(pdf.Root.Lang) == "vi"
        assert str(pdf.docinfo.get("/Title")) == rec.subject  # the info dictionary agrees with the XMP
        font = pdf.pages[0].Resources.Font.OCR.DescendantFonts[0].FontDescriptor
        assert "/FontFile2" in font  # the invisible-text font is embedded


def test_pdf_input_becomes_pdfa_with_its_fonts_embedded(tmp_path):
    src = _image_pdf(tmp_path, "src", text=None, helvetica=True)
    problems = pdfa_problems(src)
    assert any("Helvetica" in p for p in problems) and any("output intent" not in p for p in problems)
    out = tmp_path / "out.pdf"
    warnings = write_searchable_pdf([_page()], [PageJob(str(src), "pdf_image", 1, 150)], out)
    assert warnings == []
    assert pdfa_problems(out) == []
    with pikepdf.open(out) as pdf:
        helv = pdf.pages[0].Resources.Font.Helv
        assert helv.FontDescriptor.FontFile3.Subtype == "/OpenType"
        assert len(helv.Widths) == 256 and int(helv.Widths[ord("S")]) > 0
        assert str(pdf.Root.Lang) == "vi"
    text = _pdftotext(out)
    assert "khẩn trương" in text and "Signed by VT" in text  # the visible note is kept


def test_pdfa_checks_catch_what_they_claim(tmp_path):
    """Each check fails on a file that breaks its rule (the checks are not a rubber stamp)."""
    src = _image_pdf(tmp_path, "good")
    assert pdfa_problems(src) == []
    bad = tmp_path / "bad.pdf"
    with pikepdf.open(src) as pdf:
        del pdf.Root["/OutputIntents"]
        del pdf.Root["/Lang"]
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
        with pdf.open_metadata() as meta:
            meta["pdfaid:part"] = "1"
        pdf.docinfo["/Title"] = "not the XMP title"
        image = next(iter(pdf.pages[0].Resources.XObject.values()))
        image.Interpolate = True
        pdf.save(bad)
    problems = " | ".join(pdfa_problems(bad))
    for expected in ("output intent", "/Lang", "JavaScript", "pdfaid", "/Title differs", "Interpolate"):
        assert expected in problems


def test_signed_pdf_is_refused_unless_signatures_may_be_invalidated(tmp_path):
    src = _sign(_image_pdf(tmp_path, "signed", text=None))
    assert signature_fields(pikepdf.open(src)) == ["Signature1"]
    job = [PageJob(str(src), "pdf_image", 1, 150)]
    with pytest.raises(SignedPdfError, match="signed.pdf") as err:
        write_searchable_pdf([_page()], job, tmp_path / "out.pdf")
    assert err.value.kind == "signed_pdf" and "--invalidate-signatures" in err.value.report()
    assert not (tmp_path / "out.pdf").exists()
    out = tmp_path / "out2.pdf"
    write_searchable_pdf([_page()], job, out, invalidate_signatures=True)
    with pikepdf.open(out) as pdf:
        assert signature_fields(pdf) == []
        assert "/AcroForm" not in pdf.Root or "/SigFlags" not in pdf.Root.AcroForm  # forms go (pdf_sanitize)
    assert pdfa_problems(out) == []
    assert "khẩn trương" in _pdftotext(out)


def test_batch_fails_a_signed_scan_with_its_own_kind_and_goes_on(tmp_path):
    folder = tmp_path / "in"
    make_docs(folder, 1)
    _sign(_image_pdf(folder, "signed", text=None))
    rep = run([str(folder)], db=str(tmp_path / "a.sqlite"),
              config=settings(**{"output.pdf_dir": str(tmp_path / "pdf")}))
    by_name = {Path(f.path).name: f for f in rep.files}
    assert by_name["signed.pdf"].status == "failed" and by_name["signed.pdf"].error_kind == "signed_pdf"
    assert "signed.pdf" in by_name["signed.pdf"].error and "--invalidate-signatures" in by_name["signed.pdf"].error
    assert by_name["doc000.txt"].status == "ok"
    assert not (tmp_path / "pdf" / "signed.pdf").exists()


def test_signed_pdf_with_a_good_text_layer_is_read_not_refused_nor_reocred(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    src = _sign(_image_pdf(folder, "signed_text"))
    assert open_input(str(src)).kind == "pdf_text"
    rep = run([str(folder)], db=str(tmp_path / "a.sqlite"),
              config=settings(**{"output.pdf_dir": str(tmp_path / "pdf"), "gate.accept_any": True}))
    assert [f.status for f in rep.files] == ["ok"]
    assert rep.files[0].kind == "pdf_text"
    assert not (tmp_path / "pdf").exists()  # nothing rewritten: the signed original stays the copy to keep


def test_invalidate_signatures_flag_reaches_the_setting():
    from sohoa.pipeline.cli import _settings, build_parser

    ns = build_parser().parse_args(["run", "x", "--pdf-out", "o", "--invalidate-signatures"])
    assert _settings(ns).output.invalidate_signatures is True
    ns = build_parser().parse_args(["run", "x", "--pdf-out", "o"])
    assert _settings(ns).output.invalidate_signatures is False
