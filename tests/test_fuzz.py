"""Fuzzing, bounded and derandomised (each test a fixed number of examples, the whole file well
under two minutes): restoration, extraction, legacy-encoding detection, input sniffing, the
Tesseract TSV and poppler bbox-layout (hOCR-like) parsers, the review page's query parsing. No
exception may escape but the documented ones; restoration keeps the line count."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from sohoa.document import Document
from sohoa.errors import CorruptFileError, OcrEngineError, SohoaError

FUZZ = hyp_settings(derandomize=True, deadline=None, max_examples=60, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

VI = "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐƯƠ"
# line breaks Python's str.splitlines knows, besides \n: a restorer that split on them would change the count
ODD_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
EMOJI = "😀🇻🇳👍🏽‍♀️"
ALPHABET = st.sampled_from(string.ascii_letters + string.digits + string.punctuation + " \t" + VI + ODD_BREAKS + EMOJI)
LINE = st.text(ALPHABET, max_size=80)
TEXT = st.lists(LINE, max_size=12).map("\n".join)

EDGE_LINES = [
    ["a\rb", "c\x0bd", "e\x0cf", "g\u2028h"],
    ["ủy ban " * 15_000],  # a 105 k-character line
    ["😀😀 👍🏽 🇻🇳", "Số: 12/KH-UBND 😀"],
    ["...", "!!! ??? ,,, ;;;", "---", "“” «» … – —"],
    ["", "", ""],
]


@pytest.fixture(scope="module")
def restore_lines():
    from sohoa.normalize import restore_lines

    return restore_lines


@pytest.mark.parametrize("lines", EDGE_LINES, ids=["odd-breaks", "long-line", "emoji", "punctuation", "blank"])
def test_restore_keeps_the_line_count_on_edge_cases(restore_lines, lines):
    out = restore_lines(lines)
    assert len(out) == len(lines)
    assert all(len(o.splitlines()) <= 1 for o in out)


@FUZZ
@given(st.lists(LINE, max_size=10))
def test_restore_lines_keeps_the_line_count(restore_lines, lines):
    out = restore_lines(lines)
    assert len(out) == len(lines)
    assert all(isinstance(o, str) and len(o.splitlines()) <= 1 for o in out)


@FUZZ
@given(TEXT)
@example("dòng một\r\ndòng hai\rba\u2028bốn\n")
def test_sohoa_restore_text_keeps_the_newlines(text):
    from sohoa.normalize.cli_restore import restore_text

    out = restore_text(text)
    body = text[1:] if text.startswith("\ufeff") else text
    assert out.count("\n") == body.count("\n")


@FUZZ
@given(TEXT)
def test_restore_document_fills_every_line(text):
    from sohoa.normalize import restore_document

    doc = Document.from_text("f.txt", text)
    rep = restore_document(doc)
    lines = [ln for p in doc.pages for ln in p.lines]
    assert rep["lines"] == len(lines) and all(ln.restored is not None for ln in lines)


HEADERS = st.sampled_from(["ỦY BAN NHÂN DÂN TỈNH SƠN LA", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 12/KH-UBND",
                           "Sơn La, ngày 3 tháng 4 năm 2021", "KẾ HOẠCH", "V/v triển khai", "Kính gửi:", "Nơi nhận:",
                           "Điều 1.", "Điều 2.", "I. MỤC ĐÍCH", "T/M ỦY BAN NHÂN DÂN", "Căn cứ Luật", "ngày 32 tháng 13"])


@FUZZ
@given(st.lists(st.one_of(HEADERS, LINE), max_size=20).map("\n".join))
def test_extract_never_raises(text):
    from sohoa.extract import extract_document

    records = extract_document(Document.from_text("f.txt", text), restore=False)
    assert isinstance(records, list)


@FUZZ
@given(st.one_of(TEXT, st.binary(max_size=200).map(lambda b: b.decode("cp1252", "replace"))))
def test_legacy_detection_and_conversion_never_raise(text):
    from sohoa.normalize.legacy import convert_legacy, detect_legacy

    found = detect_legacy(text)
    converted, encoding = convert_legacy(text)
    assert isinstance(converted, str) and (found is None or isinstance(found, str))
    assert encoding is None or isinstance(encoding, str)


MAGIC = st.sampled_from([b"", b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"PK\x03\x04",
                         b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"GIF89a"])
DATA_KINDS = {"empty_file", "unreadable", "corrupt", "encrypted_pdf", "unsupported", "image_too_large", "too_large"}


@FUZZ
@given(MAGIC, st.binary(max_size=600))
def test_input_sniffing_gives_a_kind_or_a_data_error(magic, body):
    from sohoa.ocr.inputs import open_input

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.bin"
        path.write_bytes(magic + body)
        try:
            opened = open_input(str(path))
        except SohoaError as err:
            assert err.kind in DATA_KINDS, err
        else:
            assert opened.kind in {"text", "pdf_text", "pdf_image", "image"}


TSV_HEAD = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
CELL = st.one_of(st.integers(-5, 5000).map(str), st.sampled_from(["", "-1", "96.5", "nan", "x", "1e9"]),
                 st.text(ALPHABET, max_size=6))


@FUZZ
@given(st.lists(st.lists(CELL, min_size=0, max_size=13).map("\t".join), max_size=8))
@example(["\r0"])  # found by this test: csv.Error escaped
def test_the_tsv_parser_gives_lines_or_an_engine_error(rows):
    from sohoa.ocr.engine import parse_engine_tsv

    try:
        lines = parse_engine_tsv("\n".join([TSV_HEAD, *rows]), "f.png page 1")
    except OcrEngineError as err:
        assert "f.png page 1" in str(err)
    else:
        assert all(ln.words for ln in lines)


NUM = st.one_of(st.floats(-1e6, 1e6, allow_nan=False).map(str), st.sampled_from(["", "nan", "inf", "abc", "-0"]))
WORD_XML = st.builds(lambda a, b, c, d, t: f'<word xMin="{a}" yMin="{b}" xMax="{c}" yMax="{d}">{t}</word>',
                     NUM, NUM, NUM, NUM, st.text(st.sampled_from(string.ascii_letters + VI + " &<"), max_size=8)
                     .map(lambda s: s.replace("&", "&amp;").replace("<", "&lt;")))
PAGE_XML = st.builds(lambda w, h, words: f'<page width="{w}" height="{h}"><flow><block><line>{"".join(words)}'
                     "</line></block></flow></page>", NUM, NUM, st.lists(WORD_XML, max_size=5))


@FUZZ
@given(st.one_of(st.lists(PAGE_XML, max_size=3).map(lambda ps: f"<html><body><doc>{''.join(ps)}</doc></body></html>"),
                 st.binary(max_size=120).map(lambda b: b.decode("latin-1"))))
def test_the_bbox_layout_parser_gives_pages_or_a_corrupt_file_error(xhtml):
    from sohoa.ocr.textlayer import parse_bbox_layout

    try:
        pages = parse_bbox_layout(xhtml.encode("utf-8"))
    except CorruptFileError:
        return
    assert all(p.source == "text_layer" for p in pages)


@pytest.fixture(scope="module")
def review_app(tmp_path_factory):
    from sohoa.pipeline.run import run
    from tests.test_run import make_docs, settings
    from tests.test_serve_helpers import client

    tmp = tmp_path_factory.mktemp("review")
    make_docs(tmp / "in", 3)
    run([str(tmp / "in")], db=str(tmp / "a.sqlite"), config=settings())
    return client(tmp / "a.sqlite")


QUERY_VALUE = st.one_of(st.text(ALPHABET, max_size=20), st.sampled_from(['"', "'", "*", "NEAR(", "a OR", "-1", "1e99",
                                                                          "' OR 1=1 --", "%", "\x00", "🇻🇳"]))


@FUZZ
@given(st.dictionaries(st.sampled_from(["q", "type", "issuer", "year", "offset", "x"]), QUERY_VALUE, max_size=5),
       st.sampled_from(["/", "/doc/1", "/doc/999999", "/doc/1.json", "/nope"]))
def test_the_review_page_answers_any_query(review_app, params, path):
    resp = review_app.get(path + "?" + urlencode(params))
    assert resp.status_code in (200, 400, 404)
