"""`sohoa run --executor dask`: a LocalCluster of two worker processes gives the same archive as a
local run, and cluster problems are reported as sohoa errors."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason='dask.distributed is not installed (pip install "dask[distributed]")')

from sohoa.pipeline import dask_executor  # noqa: E402
from sohoa.pipeline.dask_executor import SchedulerUnreachableError, WorkerSetupError, check_workers  # noqa: E402

LETTER = """ỦY BAN NHÂN DÂN
TỈNH {province}
Số: {n}/UBND-VP

{province}, ngày {d} tháng 3 năm 2023

V/v thực hiện Chỉ thị số 07-CT/TU của Ban Thường vụ Tỉnh ủy

Kính gửi: Sở Giáo dục và Đào tạo

Giao Sở Nội vụ chủ trì, phối hợp với Sở Tài chính tham mưu, hoàn thành trước ngày 30/6/2023.
"""


def make_inputs(folder: Path, with_scan: bool) -> int:
    folder.mkdir()
    provinces = ["AN GIANG", "KIÊN GIANG", "BÌNH PHƯỚC", "ĐÀ NẴNG"]
    for i, province in enumerate(provinces):
        (folder / f"cv_{i}.txt").write_text(LETTER.format(province=province, n=400 + i, d=10 + i), encoding="utf-8")
    if with_scan:
        from PIL import Image, ImageDraw, ImageFont

        from sohoa.ocr.synth import find_fonts

        font = ImageFont.truetype(find_fonts().regular, 44)
        img = Image.new("L", (1400, 260), 255)
        draw = ImageDraw.Draw(img)
        draw.text((40, 40), "ỦY BAN NHÂN DÂN TỈNH AN GIANG", font=font, fill=0)
        draw.text((40, 140), "Kế hoạch thực hiện Chỉ thị 07-CT/TU", font=font, fill=0)
        img.save(folder / "scan.png", dpi=(300, 300))
    return len(provinces) + int(with_scan)


def archive_rows(db: Path) -> dict[str, list[tuple]]:
    """Every stored result, keyed by content hash instead of row ids, without timings."""
    conn = sqlite3.connect(db)
    q = {
        "files": "SELECT sha256, kind, pages, status, error_kind FROM files",
        "pages": "SELECT f.sha256, p.page, p.source, p.raw_text, p.text, p.mean_conf, p.low_confidence "
                 "FROM pages p JOIN files f USING (file_id)",
        "tokens": "SELECT f.sha256, t.page, t.line, t.idx, t.text, t.source, t.conf, t.changed, t.x0, t.y0, t.x1, t.y1 "
                  "FROM tokens t JOIN files f USING (file_id)",
        "documents": "SELECT f.sha256, d.seq, d.code, d.date, d.text, d.record_json FROM documents d JOIN files f USING (file_id)",
        "refs": "SELECT f.sha256, d.seq, r.seq, r.code FROM refs r JOIN documents d USING (doc_id) JOIN files f USING (file_id)",
    }
    out = {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in q.items()}
    conn.close()
    return out


@pytest.mark.slow
def test_local_cluster_run_matches_local_run(tmp_path: Path) -> None:
    from sohoa.pipeline.config import load_settings
    from sohoa.pipeline.run import run

    with_scan = shutil.which("tesseract") is not None
    n_files = make_inputs(tmp_path / "in", with_scan)
    settings = load_settings(None, cwd=str(tmp_path))
    local = run([str(tmp_path / "in")], db=str(tmp_path / "local.sqlite"), jobs=2, config=settings)
    dask = run([str(tmp_path / "in")], db=str(tmp_path / "dask.sqlite"), jobs=2,
               config=settings.replace(executor="dask", scheduler=None))
    assert local.files_ok == dask.files_ok == n_files, (local.files, dask.files)
    a, b = archive_rows(tmp_path / "local.sqlite"), archive_rows(tmp_path / "dask.sqlite")
    assert len(b["files"]) == n_files  # one row per file: nothing lost, nothing twice
    assert len(b["pages"]) == n_files
    assert b["tokens"], "the run stored no tokens"
    for table in a:
        assert a[table] == b[table], f"{table} differs between the local and the Dask run"
    if with_scan:
        assert any(row[2] == "ocr" for row in b["pages"]), "the scan was not OCR'd through the cluster"


def test_unreachable_scheduler_is_a_sohoa_error(monkeypatch) -> None:
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT_S", 1)
    with pytest.raises(SchedulerUnreachableError) as err:
        with dask_executor.make_executor("tcp://127.0.0.1:9", 1):
            pass
    assert "tcp://127.0.0.1:9" in str(err.value) and "dask scheduler" in err.value.remedy
    assert err.value.exit_code == 2


class _FakeClient:
    def __init__(self, infos: dict):
        self.infos = infos

    def run(self, fn):
        return self.infos


def test_check_workers_names_the_broken_worker() -> None:
    good = {"tcp://a:1": {"sohoa": "0.1.0", "tesseract": True}}
    assert check_workers(_FakeClient(good)) == good
    bad = {**good, "tcp://b:2": {"error": "ModuleNotFoundError: No module named 'pipeline'", "tesseract": False}}
    with pytest.raises(WorkerSetupError) as err:
        check_workers(_FakeClient(bad))
    assert "tcp://b:2" in str(err.value) and "tcp://a:1" not in str(err.value)
    with pytest.raises(WorkerSetupError, match="tesseract not found"):
        check_workers(_FakeClient({"tcp://c:3": {"sohoa": "0.1.0", "tesseract": False}}), need_tesseract=True)


def test_worker_info_reports_this_installation() -> None:
    info = dask_executor.worker_info()
    assert "error" not in info and info["sohoa"]
