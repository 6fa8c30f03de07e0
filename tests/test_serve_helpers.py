"""A small archive built straight from pipeline/schema.sql, for the review-page and eval tests, plus
unit tests of the span and token helpers the review page uses."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from PIL import Image, ImageDraw

from sohoa.pipeline.review.app import render_segments
from sohoa.pipeline.review.text import align_tokens, field_spans, place_tokens, text_segments, token_positions

SCHEMA = Path(__file__).resolve().parents[1] / "pipeline" / "schema.sql"
XSS = "<script>window.__xss = 1</script>"

PLAN_LINES = [
    ["TỈNH ỦY KIÊN GIANG", "BAN TUYÊN GIÁO", "Số 46-KH/BTGTU"],
    ["KẾ HOẠCH", "Triển khai thực hiện Chỉ thị số 07-CT/TU của Ban Thường vụ Tỉnh ủy", XSS],
    ["Giao Sở Thông tin và Truyền thông chủ trì, hoàn thành trong tháng 11-2021."],
]
LETTER_LINES = [
    ["ỦY BAN NHÂN DÂN TỈNH AN GIANG", "Số: 4211/VP-KGVX"],
    ["V/v thực hiện Chỉ thị 07-CT/TU về công tác tuyên truyền"],
    ["Kính gửi: Sở Giáo dục và Đào tạo"],
]


def _text(blocks: list[list[str]]) -> str:
    return "\n\n".join("\n".join(b) for b in blocks)


def _span(text: str, part: str) -> list[int]:
    start = text.index(part)
    return [start, start + len(part)]


def write_page_image(path: Path, size: tuple[int, int] = (800, 1000)) -> None:
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((60, 60, 500, 100), outline="black", width=3)
    img.save(path)


def build_archive(path: Path, image_dir: Path | None = None) -> dict[str, int]:
    """Two documents: a Kế hoạch from a scanned image (tokens with boxes, one low-confidence and one
    restored token, and a `<script>` line) and a text-only công văn. Returns their doc ids."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA.read_text(encoding="utf-8"))
    ids: dict[str, int] = {}
    image_path = None
    if image_dir is not None:
        image_path = image_dir / "plan.png"
        write_page_image(image_path)
    specs = [
        ("plan", str(image_path or "/nonexistent/plan.png"), "a" * 64, "image", PLAN_LINES,
         {"doc_type": "Kế hoạch", "number": "46", "symbol": "KH/BTGTU", "code": "46-KH/BTGTU",
          "issuer": "Ban Tuyên giáo Tỉnh ủy Kiên Giang", "place": "Kiên Giang", "date": "2021-06-08",
          "subject": "Triển khai thực hiện Chỉ thị số 07-CT/TU của Ban Thường vụ Tỉnh ủy",
          "recipients": [], "signers": [{"authority": None, "position": "Phó Trưởng ban", "name": None}],
          "references": [{"doc_type": "Chỉ thị", "code": "07-CT/TU", "date": None, "issuer": "Ban Thường vụ Tỉnh ủy"}],
          "tasks": [{"assignee": "Sở Thông tin và Truyền thông", "role": "chủ trì", "partners": [],
                     "action": "triển khai", "deadline": "2021-11"}],
          "deadlines": [{"text": "hoàn thành trong tháng 11-2021", "date": "2021-11"}]}),
        ("letter", "/nonexistent/letter.txt", "b" * 64, "text", LETTER_LINES,
         {"doc_type": "Công văn", "number": "4211", "symbol": "VP-KGVX", "code": "4211/VP-KGVX",
          "issuer": "Văn phòng UBND tỉnh An Giang", "place": "An Giang", "date": "2023-03-10",
          "subject": "thực hiện Chỉ thị 07-CT/TU về công tác tuyên truyền",
          "recipients": ["Sở Giáo dục và Đào tạo"], "signers": [], "references": [
              {"doc_type": "Chỉ thị", "code": "07-CT/TU", "date": None, "issuer": None}],
          "tasks": [], "deadlines": []}),
    ]
    for name, fpath, sha, kind, blocks, record in specs:
        text = _text(blocks)
        cur = conn.execute(
            "INSERT INTO files(path, sha256, size, kind, pages, status) VALUES (?,?,?,?,1,'ok')",
            (fpath, sha, len(text.encode()), kind),
        )
        file_id = cur.lastrowid
        width, height = (800, 1000) if kind == "image" else (None, None)
        conn.execute(
            "INSERT INTO pages(file_id, page, source, raw_text, text, mean_conf, width, height, dpi) "
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (file_id, 1, "ocr" if kind == "image" else "text", text, text, 88.0 if kind == "image" else None,
             width, height, 300 if kind == "image" else None),
        )
        lines = [ln for b in blocks for ln in b]
        for li, line in enumerate(lines):
            for ti, word in enumerate(line.split(" ")):
                conf = 0.35 if word == "Thường" else 0.95
                changed = int(word == "Truyền")
                box = (60 + 40 * ti, 60 + 45 * li, 95 + 40 * ti, 95 + 45 * li) if kind == "image" else (None,) * 4
                conn.execute(
                    "INSERT INTO tokens(file_id, page, line, idx, text, source, conf, changed, x0, y0, x1, y1) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (file_id, 1, li, ti, word, "Truyen" if changed else word, conf, changed, *box),
                )
        source = {"file": fpath, "pages": [1], "spans": {
            "code": _span(text, record["code"]),
            "subject": {"span": _span(text, record["subject"]), "page": 1},
        }}
        cur = conn.execute(
            "INSERT INTO documents(file_id, seq, doc_type, number, symbol, code, issuer, place, date, subject, "
            "page_from, page_to, text, record_json, source_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (file_id, 0, record["doc_type"], record["number"], record["symbol"], record["code"], record["issuer"],
             record["place"], record["date"], record["subject"], 1, 1, text,
             json.dumps({**record, "source": source}, ensure_ascii=False), json.dumps(source, ensure_ascii=False)),
        )
        doc_id = cur.lastrowid
        ids[name] = doc_id
        for i, ref in enumerate(record["references"]):
            conn.execute("INSERT INTO refs(doc_id, seq, doc_type, code, date, issuer) VALUES (?,?,?,?,?,?)",
                         (doc_id, i, ref["doc_type"], ref["code"], ref["date"], ref["issuer"]))
        for i, t in enumerate(record["tasks"]):
            conn.execute("INSERT INTO tasks(doc_id, seq, assignee, role, partners_json, action, deadline) "
                         "VALUES (?,?,?,?,?,?,?)", (doc_id, i, t["assignee"], t["role"], "[]", t["action"], t["deadline"]))
        for i, r in enumerate(record["recipients"]):
            conn.execute("INSERT INTO recipients(doc_id, seq, recipient) VALUES (?,?,?)", (doc_id, i, r))
    conn.commit()
    conn.close()
    return ids


def test_build_archive_makes_two_searchable_documents(tmp_path: Path) -> None:
    ids = build_archive(tmp_path / "a.sqlite")
    conn = sqlite3.connect(tmp_path / "a.sqlite")
    hits = conn.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH '\"ke hoach\"'").fetchall()
    assert [h[0] for h in hits] == [ids["plan"]]
    assert conn.execute("SELECT count(*) FROM tokens WHERE conf < 0.5").fetchone()[0] == 1


def test_field_spans_reads_the_accepted_shapes() -> None:
    source = {
        "file": "x.pdf", "pages": [1, 2],
        "spans": {"code": [3, 9], "issuer": {"span": [10, 20], "page": 1, "box": [1, 2, 3, 4]}},
        "subject": {"start": 21, "end": 30},
        "recipients": [[31, 35], [36, 40]],
        "tasks": [{"assignee": {"span": [41, 45]}}],
        "date": [0, 999],  # beyond the text: ignored
    }
    got = field_spans(source, text_len=50)
    assert ("code", 3, 9) in got and ("issuer", 10, 20) in got and ("subject", 21, 30) in got
    assert ("recipients", 31, 35) in got and ("recipients", 36, 40) in got
    assert ("tasks.assignee", 41, 45) in got
    assert not [s for s in got if s[0] == "date"]
    assert not [s for s in got if s[0] in ("pages", "file")]


def test_align_tokens_follows_the_text_and_skips_strangers() -> None:
    text = "Sở Thông tin\nvà Truyền thông"
    rows = [{"text": w, "page": 1, "line": 0, "idx": i} for i, w in enumerate(["Sở", "XYZ", "Thông", "tin", "và"])]
    got = [(s, e, r["text"]) for s, e, r in align_tokens(text, rows)]
    assert got == [(0, 2, "Sở"), (3, 8, "Thông"), (9, 12, "tin"), (13, 15, "và")]


def test_text_segments_render_escaped_and_tagged() -> None:
    text = "Số 46 <b>x</b>"
    tok = {"text": "46", "source": "4б", "conf": 0.2, "changed": 1, "page": 1, "line": 0, "idx": 1, "engine_conf": None}
    out = render_segments(text_segments(text, [("code", 3, 5)], [(3, 5, tok)], {(1, 0, 1): "47"}, low_conf=0.5))
    assert "<b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out
    assert 'data-fields="code"' in out and 'id="span-code"' in out
    assert "tok" in out and "low" in out and "chg" in out and "fixed" in out
    assert '<ins class="tokfix">47</ins>' in out


def test_engine_confidence_marks_a_token_the_restorer_trusted() -> None:
    """COVID-I9 read by the engine at 0.02: low even though the restorer is sure of it."""
    text = "Phòng chống dịch COVID-I9 ngay"
    toks = [{"text": w, "source": w, "conf": 0.99, "changed": 0, "page": 1, "line": 0, "idx": i,
             "engine_conf": 0.02 if w == "COVID-I9" else 0.93} for i, w in enumerate(text.split())]
    placed = align_tokens(text, toks)
    segs = text_segments(text, [], placed, {}, low_conf=0.6, engine_low=0.6)
    low = [s for s in segs if "low" in s.classes]
    assert [s.word for s in low] == ["COVID-I9"] and "low-eng" in low[0].classes and "low-rst" not in low[0].classes
    assert "engine 0.02" in low[0].title
    assert 'class="tok low low-eng"' in render_segments(segs)


def test_text_keeps_page_breaks() -> None:
    out = render_segments(text_segments("một\fhai", [], [], {}, low_conf=0.5))
    assert out == 'một<hr class="pagebreak">hai'


def test_token_positions_follow_the_archive_layout() -> None:
    pages = [(1, "ỦY BAN\nSố 12\n\nKẾ HOẠCH"), (2, "Nơi nhận:\n- Như trên")]
    where = token_positions(pages)
    file_text = "\f".join(t for _, t in pages)
    assert file_text[slice(*where[(1, 1, 1)])] == "12"
    assert file_text[slice(*where[(1, 2, 1)])] == "HOẠCH"  # line 2: the blank line is not a line
    assert file_text[slice(*where[(2, 1, 0)])] == "-"
    assert file_text[slice(*where[(2, 1, 2)])] == "trên"


def test_place_tokens_uses_exact_positions_inside_a_later_document() -> None:
    pages = [(1, "Công văn một\n\nKẾ HOẠCH hai"), (2, "Giao Sở Y tế")]
    file_text = "\f".join(t for _, t in pages)
    offset = file_text.index("KẾ")
    text = file_text[offset:]
    rows = [{"text": w, "page": p, "line": li, "idx": i}
            for p, li, words in ((1, 0, ["Công", "văn", "một"]), (1, 1, ["KẾ", "HOẠCH", "hai"]), (2, 0, ["Giao", "Sở", "Y", "tế"]))
            for i, w in enumerate(words)]
    placed = [(s, e, r["text"]) for s, e, r in place_tokens(text, offset, pages, rows)]
    assert [w for _, _, w in placed] == ["KẾ", "HOẠCH", "hai", "Giao", "Sở", "Y", "tế"]
    assert all(text[s:e] == w for s, e, w in placed)


BASE_URL = "http://127.0.0.1:8765"


def client(db: Path, **kwargs):  # -> starlette.testclient.TestClient
    """A test client of the review site over `db` (kwargs go to create_app), as from 127.0.0.1."""
    from starlette.testclient import TestClient

    from sohoa.pipeline.review.app import create_app

    return TestClient(create_app(db, **kwargs), base_url=BASE_URL, follow_redirects=False)


def post_form(c, url: str, form: dict[str, str], origin: str | None = BASE_URL, csrf: bool = True):
    """POST a form the way the site's own page does: its Origin and the CSRF token of its cookie."""
    from sohoa.pipeline.review.security import CSRF_COOKIE

    if CSRF_COOKIE not in c.cookies:
        c.get("/")
    data = {**form, **({"csrf": c.cookies[CSRF_COOKIE]} if csrf else {})}
    headers = {"origin": origin} if origin else {}
    return c.post(url, data=data, headers=headers)


SCAN_LINES = [["ỦY BAN NHÂN DÂN TỈNH CÀ MAU", "Số: /UBND-VX"],
              ["V/v phòng chống dịch COVID-I9 trên địa bàn tỉnh"],
              ["Kính gửi: Sở Y tế"]]
NUMBER_BOX = [120, 105, 260, 140]


def add_flagged_scan(db: Path, image_dir: Path) -> int:
    """A third document, scanned, that needs a person: its number could not be read (null, flagged
    with its page box), its date is missing, and the engine read `COVID-I9` with confidence 0.02
    (the restorer kept it at 0.99). The stored document JSON carries the engine's word confidences
    (0..100), as `sohoa run` stores them. Returns its doc id."""
    from sohoa.record import FieldReview, FieldSource, Record, Source

    image = image_dir / "scan.png"
    write_page_image(image)
    conn = sqlite3.connect(db)
    text = _text(SCAN_LINES)
    lines = [ln for b in SCAN_LINES for ln in b]
    pages_json = {"number": 1, "width": 800, "height": 1000, "dpi": 300, "source": "ocr", "mean_conf": 71.0,
                  "flags": [], "timings": {}, "blocks": [{"kind": "body", "box": None, "lines": [
                      {"box": None, "restored": ln, "tokens": [], "words": [
                          {"text": w, "box": None, "conf": 2.0 if w == "COVID-I9" else 93.0} for w in ln.split(" ")]}
                      for ln in lines]}]}
    document_json = {"path": str(image), "sha256": "c" * 64, "meta": {}, "pages": [pages_json]}
    file_id = conn.execute(
        "INSERT INTO files(path, sha256, size, kind, pages, status, document_json) VALUES (?,?,?,?,1,'ok',?)",
        (str(image), "c" * 64, 1000, "image", json.dumps(document_json, ensure_ascii=False))).lastrowid
    conn.execute("INSERT INTO pages(file_id, page, source, raw_text, text, mean_conf, width, height, dpi)"
                 " VALUES (?,1,'ocr',?,?,71.0,800,1000,300)", (file_id, text, text))
    for li, line in enumerate(lines):
        for ti, word in enumerate(line.split(" ")):
            box = (60 + 40 * ti, 60 + 45 * li, 95 + 40 * ti, 95 + 45 * li)
            conn.execute("INSERT INTO tokens(file_id, page, line, idx, text, source, conf, changed, x0, y0, x1, y1)"
                         " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (file_id, 1, li, ti, word, word, 0.99, 0, *box))
    subject = "phòng chống dịch COVID-I9 trên địa bàn tỉnh"
    record = Record(doc_type="Công văn", number=None, symbol="UBND-VX", code=None, issuer="UBND tỉnh Cà Mau",
                    subject=subject,
                    review=[FieldReview("number", "unreadable", "no number could be read before the ký hiệu", 0.21,
                                        None, 1, NUMBER_BOX)],
                    source=Source(file=str(image), pages=[1], fields={
                        "symbol": FieldSource(*_span(text, "UBND-VX"), page=1, box=NUMBER_BOX, conf=0.4),
                        "subject": FieldSource(*_span(text, subject), page=1, box=[60, 150, 700, 190], conf=0.02)}))
    rec = record.to_dict()
    doc_id = conn.execute(
        "INSERT INTO documents(file_id, seq, doc_type, number, symbol, code, issuer, place, date, subject, page_from,"
        " page_to, text, record_json, source_json) VALUES (?,0,?,?,?,?,?,?,?,?,1,1,?,?,?)",
        (file_id, rec["doc_type"], None, rec["symbol"], None, rec["issuer"], None, None, subject, text,
         json.dumps(rec, ensure_ascii=False), json.dumps(rec["source"], ensure_ascii=False))).lastrowid
    conn.commit()
    conn.close()
    return int(doc_id)
