"""One name per agency: canonical names and ids for issuers, assignees, partners and recipients,
in the archive and after migrating an archive that had none."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from sohoa.extract.canonical import agency_id, canonical_agency, province_of
from sohoa.pipeline.archive import SCHEMA_VERSION, Archive
from tests.test_archive import RECORD, result, state_for

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("written", [
    "UBND thành phố Đà Nẵng", "Ủy ban nhân dân thành phố Đà Nẵng", "ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG",
    "Uỷ ban nhân dân thành phố Đà Nẵng", "Uy ban nhan dan thanh pho Da Nang",
])
def test_spellings_of_one_agency_share_name_and_id(written):
    c = canonical_agency(written)
    assert c is not None
    assert (c.name, c.id) == ("Ủy ban nhân dân thành phố Đà Nẵng", "uy-ban-nhan-dan-thanh-pho-da-nang")


@pytest.mark.parametrize(("written", "name"), [
    ("HĐND tỉnh Nghệ An", "Hội đồng nhân dân tỉnh Nghệ An"),
    ("BTG Tỉnh ủy Kiên Giang", "Ban Tuyên giáo Tỉnh ủy Kiên Giang"),
    ("Sở Tài chính tỉnh Lâm Đồng", "Sở Tài chính tỉnh Lâm Đồng"),
    ("Bộ Y tế", "Bộ Y tế"),
])
def test_abbreviations_expand(written, name):
    assert canonical_agency(written).name == name


@pytest.mark.parametrize("written", ["Ngân hàng Phát triển Việt Nam", "cơ quận", "Lưu VT",
                                     "Sở Y tế và các đơn vị liên quan", "", None])
def test_unknown_or_different_agency_gets_none_never_a_substitute(written):
    assert canonical_agency(written) is None


def test_a_bare_province_word_takes_the_documents_province():
    assert province_of("Ban Tuyên giáo Tỉnh ủy Kiên Giang") == "Kiên Giang"
    assert canonical_agency("Công an tỉnh", "Kiên Giang").name == "Công an tỉnh Kiên Giang"
    assert canonical_agency("Công an tỉnh", "Lâm Đồng").id != canonical_agency("Công an tỉnh", "Kiên Giang").id
    assert canonical_agency("Sở Y tế", "Đà Nẵng").name == "Sở Y tế thành phố Đà Nẵng"
    assert canonical_agency("Sở Y tế").name == "Sở Y tế"


def test_agency_id_is_folded_and_stable():
    assert agency_id("Đảng ủy Khối cơ quan tỉnh") == "dang-uy-khoi-co-quan-tinh"


def _two_spellings(a: Archive) -> None:
    short = {**RECORD, "issuer": "UBND thành phố Đà Nẵng", "code": "1/KH-UBND",
             "recipients": ["Công an thành phố Đà Nẵng", "Lưu VT"],
             "tasks": [{"assignee": "Sở Y tế thành phố Đà Nẵng", "role": "chủ trì",
                        "partners": ["UBND thành phố Đà Nẵng", "các đơn vị"], "action": "tổ chức", "deadline": None}]}
    full = {**short, "issuer": "Ủy ban nhân dân thành phố Đà Nẵng", "code": "2/KH-UBND"}
    a.store_file(result(), state_for("Kế hoạch 1", [short]))
    a.store_file(result(path="b.txt", sha="e" * 64), state_for("Kế hoạch 2", [full]))


def test_archive_groups_by_canonical_issuer(tmp_path):
    with Archive(tmp_path / "a.sqlite", create=True) as a:
        _two_spellings(a)
        by_written = a.query("SELECT issuer, count(*) AS n FROM documents GROUP BY issuer")
        by_id = a.query("SELECT issuer_id, issuer_canonical, count(*) AS n FROM documents GROUP BY issuer_id")
        assert len(by_written) == 2
        assert by_id.to_dict("records") == [{"issuer_id": "uy-ban-nhan-dan-thanh-pho-da-nang",
                                            "issuer_canonical": "Ủy ban nhân dân thành phố Đà Nẵng", "n": 2}]
        assert a.documents().issuer.tolist() == ["UBND thành phố Đà Nẵng", "Ủy ban nhân dân thành phố Đà Nẵng"]
        rec = a.conn.execute("SELECT recipient_id FROM recipients WHERE doc_id = 1 ORDER BY seq").fetchall()
        assert rec == [("cong-an-thanh-pho-da-nang",), (None,)]
        partners = a.conn.execute("SELECT partner, partner_id FROM task_partners WHERE doc_id = 1 ORDER BY seq").fetchall()
        assert partners == [("UBND thành phố Đà Nẵng", "uy-ban-nhan-dan-thanh-pho-da-nang"), ("các đơn vị", None)]
        assert a.query("SELECT DISTINCT assignee_id FROM tasks").assignee_id.tolist() == ["so-y-te-thanh-pho-da-nang"]


def test_version_2_archive_is_migrated_with_canonical_names_and_new_index(tmp_path):
    db = tmp_path / "old.sqlite"
    conn = sqlite3.connect(db)
    conn.executescript((FIXTURES / "schema_v2.sql").read_text(encoding="utf-8"))
    conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    conn.execute("PRAGMA application_id = 1936681057")  # b"soha"
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO files(file_id, path, sha256, status) VALUES (1, 'a.txt', 'abc', 'ok')")
    text = "Đảng ủy Khối cơ quan tỉnh Lâm Đồng triển khai kế hoạch."
    conn.execute("INSERT INTO documents(doc_id, file_id, seq, issuer, place, text, record_json) VALUES"
                 " (1, 1, 0, 'UBND tỉnh Lâm Đồng', 'Lâm Đồng', ?, '{}')", (text,))
    conn.execute("INSERT INTO recipients VALUES (1, 0, 'Sở Tài chính')")
    conn.execute("INSERT INTO tasks VALUES (1, 0, 'Công an tỉnh', 'chủ trì', ?, 'báo cáo', NULL)",
                 (json.dumps(["Sở Y tế", "Báo chí"], ensure_ascii=False),))
    conn.execute("INSERT INTO documents_fts(folded, text, doc_id) VALUES ('dang uy', ?, 1)", (text,))
    conn.commit()
    conn.close()
    with Archive(db) as a:
        assert a.schema_version() == SCHEMA_VERSION
        assert a.query("SELECT issuer_canonical FROM documents").issuer_canonical[0] == "Ủy ban nhân dân tỉnh Lâm Đồng"
        assert a.query("SELECT assignee_canonical FROM tasks").assignee_canonical[0] == "Công an tỉnh Lâm Đồng"
        assert a.conn.execute("SELECT partner_id FROM task_partners ORDER BY seq").fetchall() == [("so-y-te-tinh-lam-dong",), (None,)]
        assert a.search("dang uy khoi").doc_id.tolist() == [1]
        a.conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")
