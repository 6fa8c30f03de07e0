"""Active PDF content (JavaScript, launch/URI actions, embedded files, forms) is found and removed
from the searchable PDFs sohoa writes from a PDF, harmless links and the page content are kept."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from sohoa.document import Block, Line, Page, Word
from sohoa.ocr.inputs import PageJob
from sohoa.ocr.outputs import write_searchable_pdf
from sohoa.ocr.pdf_sanitize import find_active_content, remove_active_content

CONTENT = b"0 0 0 rg 100 400 300 40 re f"


def _armed_pdf(path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.add_blank_page(page_size=(595, 842))
    for page in pdf.pages:
        page.Contents = pdf.make_stream(CONTENT)
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    pdf.Root.OpenAction = js
    embedded = pdf.make_stream(b"MZ not really a program")
    spec = pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("run.exe"),
                              EF=pikepdf.Dictionary(F=embedded))
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("x"), js])),
        EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("run.exe"), spec])))
    rect = pikepdf.Array([100, 100, 200, 120])
    launch = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect,
                                A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")))
    uri = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect,
                             A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("http://evil.example")))
    goto = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=rect,
                              A=pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([pdf.pages[1].obj,
                                                                                         pikepdf.Name.Fit])))
    widget = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, Rect=rect,
                                                  FT=pikepdf.Name.Tx, T=pikepdf.String("name")))
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([launch, uri, goto, widget]))
    pdf.pages[1].AA = pikepdf.Dictionary(O=js)
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([widget]))
    pdf.save(path)
    return path


def test_everything_active_is_found_and_removed_and_the_rest_kept(tmp_path):
    src = _armed_pdf(tmp_path / "armed.pdf")
    with pikepdf.open(src) as pdf:
        found = find_active_content(pdf)
        assert {"open action", "JavaScript", "embedded files", "form", "launch action", "URI action",
                "page actions"} <= set(found)
        assert remove_active_content(pdf) == found
        pdf.save(tmp_path / "clean.pdf")
    with pikepdf.open(tmp_path / "clean.pdf") as pdf:
        assert find_active_content(pdf) == []
        assert "/OpenAction" not in pdf.Root and "/AcroForm" not in pdf.Root
        annots = list(pdf.pages[0].Annots)
        assert len(annots) == 1 and annots[0].A.S == pikepdf.Name.GoTo  # the harmless link stays
        assert pdf.pages[0].Contents.read_bytes() == CONTENT
    raw = (tmp_path / "clean.pdf").read_bytes()
    assert b"app.alert" not in raw and b"cmd.exe" not in raw and b"evil.example" not in raw


def test_a_plain_pdf_has_nothing_to_remove(tmp_path):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    assert find_active_content(pdf) == [] and remove_active_content(pdf) == []


@pytest.mark.parametrize("loop", [True, False])
def test_bookmarks_lose_active_actions_even_in_a_loop(tmp_path, loop):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    item = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String("a"),
                                                A=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("1"))))
    if loop:
        item.Next = item
    pdf.Root.Outlines = pikepdf.Dictionary(First=item, Last=item)
    assert remove_active_content(pdf) == ["bookmark action"]
    assert "/A" not in item


def test_the_searchable_pdf_of_an_armed_scan_carries_none_of_it(tmp_path):
    src = _armed_pdf(tmp_path / "armed.pdf")
    pages, jobs = [], []
    for n in (1, 2):
        word = Word("Số", (100, 100, 200, 140), 95.0)
        pages.append(Page(number=n, blocks=[Block([Line([word], (100, 100, 200, 140))])], width=2480, height=3508,
                          dpi=300, source="ocr"))
        jobs.append(PageJob(str(src), "pdf_image", n))
    out = tmp_path / "out.pdf"
    write_searchable_pdf(pages, jobs, out)
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2 and find_active_content(pdf) == []
    assert b"app.alert" not in out.read_bytes()
