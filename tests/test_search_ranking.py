"""Search that ranks phrases: the typed phrase first, then the closest words; field filters; and
datasette's own search on `documents` (its query keeps `Đ`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sohoa.errors import ExitCode
from sohoa.pipeline.archive import Archive
from sohoa.pipeline.cli import main
from sohoa.pipeline.search import match_expression
from tests.test_archive import RECORD, result, state_for

DOCS = [  # path, text, record overrides
    ("cam_lam.txt", "Huyện Cam Lâm tổ chức hội nghị. Hội đồng nhân dân huyện Cam Lâm. Lâm nghiệp và đồng ruộng. "
                    "Cam Lâm, Cam Lâm, Cam Lâm.", {"doc_type": "Công văn", "code": "12/UBND-VX", "date": "2020-03-02",
                                                  "issuer": "UBND huyện Cam Lâm"}),
    ("lam_dong.txt", "Ủy ban nhân dân tỉnh Lâm Đồng ban hành kế hoạch.", {
        "doc_type": "Kế hoạch", "code": "07/KH-UBND", "date": "2021-05-04", "issuer": "UBND tỉnh Lâm Đồng"}),
    ("near.txt", "Kế hoạch của tỉnh về lâm sản; hội đồng thẩm định.", {
        "doc_type": "Kế hoạch", "code": "9/KH-UBND", "date": "2021-07-01", "issuer": "Ủy ban nhân dân tỉnh Lâm Đồng"}),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.sqlite"
    with Archive(path, create=True) as a:
        for i, (name, text, rec) in enumerate(DOCS):
            a.store_file(result(path=name, sha=str(i) * 64), state_for(text, [{**RECORD, **rec, "source": {}}]))
    return path


def test_phrase_ranks_first_even_against_more_matches(db):
    with Archive(db, readonly=True) as a:
        df = a.search("Lâm Đồng")
    assert df.path.tolist()[0] == "lam_dong.txt" and bool(df.phrase[0])
    assert set(df.path) == {"lam_dong.txt", "cam_lam.txt", "near.txt"}
    assert not df.phrase[1:].any()


def test_proximity_orders_the_rest(db):
    with Archive(db, readonly=True) as a:
        df = a.search("hội đồng tỉnh")
    assert df.path.tolist()[0] == "near.txt"  # `tỉnh … hội đồng` closer than in the other texts


def test_quoted_phrase_must_match_as_phrase(db):
    with Archive(db, readonly=True) as a:
        assert a.search('"lam dong"').path.tolist() == ["lam_dong.txt"]
        assert a.search('"dong lam"').empty


def test_d_and_d_bar_in_queries(db):
    with Archive(db, readonly=True) as a:
        for q in ("lam dong", "Lâm Đồng", "LÂM ĐỒNG", "lam đong"):
            assert a.search(q).path.tolist()[0] == "lam_dong.txt", q
    assert match_expression("dang") == '("dang" OR "đang")'


def test_field_filters(db):
    with Archive(db, readonly=True) as a:
        assert set(a.search("lam", doc_type="ke hoach").path) == {"lam_dong.txt", "near.txt"}
        assert a.search("lam", year=2020).path.tolist() == ["cam_lam.txt"]
        assert a.search("lam", code="07/KH").path.tolist() == ["lam_dong.txt"]
        # the issuer filter takes any spelling of the agency: both Lâm Đồng documents, not Cam Lâm
        assert set(a.search("lam", issuer="Ủy ban nhân dân tỉnh Lâm Đồng").path) == {"lam_dong.txt", "near.txt"}
        assert set(a.search("lam", issuer="UBND tỉnh Lâm Đồng").path) == {"lam_dong.txt", "near.txt"}


def test_cli_search_filters(db, capsys):
    assert main(["search", "--db", str(db), "lam", "--year", "2021", "--type", "Kế hoạch", "--format", "json"]) == ExitCode.ok
    out = capsys.readouterr().out
    assert "lam_dong.txt" in out and "cam_lam.txt" not in out


def _datasette_search(db: Path, q: str) -> list[str]:
    datasette = pytest.importorskip("datasette.app")
    ds = datasette.Datasette([str(db)], immutables=[])

    async def go() -> list[str]:
        r = await ds.client.get(f"/{db.stem}/documents.json", params={"_search": q, "_shape": "array", "_col": "code"})
        assert r.status_code == 200, r.text
        return sorted(row["code"] for row in r.json())

    return asyncio.run(go())


def test_datasette_searches_documents_with_d_bar(db):
    # datasette matches every word, marks folded; `Đ` is kept on both sides
    assert _datasette_search(db, "Lâm Đồng") == ["07/KH-UBND", "12/UBND-VX", "9/KH-UBND"]
    assert _datasette_search(db, "ĐỒNG ban") == ["07/KH-UBND"]
    assert _datasette_search(db, "đong ban") == ["07/KH-UBND"]
    assert _datasette_search(db, "Cam lam") == ["12/UBND-VX"]
