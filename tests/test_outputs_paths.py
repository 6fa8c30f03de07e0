"""Output files mirror the inputs' relative paths: no two inputs of a batch write the same file."""

from __future__ import annotations

from pathlib import Path

from sohoa.pipeline.output_paths import output_rels
from sohoa.pipeline.run import run
from sohoa.pipeline.walk import discover
from tests.test_run import DOC, settings


def _write(path: Path, prov: str, n: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DOC.format(prov=prov, n=n), encoding="utf-8")
    return path


def test_two_folders_with_the_same_file_name_write_two_outputs(tmp_path):
    a = _write(tmp_path / "in" / "a" / "scan.txt", "Bình Phước", 101)
    b = _write(tmp_path / "in" / "b" / "scan.txt", "Sơn La", 202)
    out = tmp_path / "text"
    rep = run([str(a.parent), str(b.parent)], db=str(tmp_path / "x.sqlite"),
              config=settings(**{"output.text_dir": str(out)}))
    assert rep.files_ok == 2
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt"))
    assert written == ["a/scan.txt", "b/scan.txt"]
    assert "101-KH" in (out / "a" / "scan.txt").read_text(encoding="utf-8")
    assert "202-KH" in (out / "b" / "scan.txt").read_text(encoding="utf-8")


def test_files_named_directly_from_two_folders_are_kept_apart(tmp_path):
    a = _write(tmp_path / "x" / "a" / "scan.txt", "Bình Phước", 1)
    b = _write(tmp_path / "x" / "b" / "scan.txt", "Sơn La", 2)
    rels = output_rels(discover([str(a), str(b)]))
    assert rels == {str(a): Path("a/scan"), str(b): Path("b/scan")}


def test_one_folder_keeps_the_paths_inside_it(tmp_path):
    a = _write(tmp_path / "in" / "sub" / "doc.txt", "Bình Phước", 1)
    b = _write(tmp_path / "in" / "top.txt", "Sơn La", 2)
    rels = output_rels(discover([str(tmp_path / "in")]))
    assert rels == {str(a): Path("sub/doc"), str(b): Path("top")}


def test_same_stem_different_extension_keeps_the_extension(tmp_path):
    a = _write(tmp_path / "in" / "cv.txt", "Bình Phước", 1)
    b = tmp_path / "in" / "cv.pdf"
    b.write_bytes(b"%PDF-1.4\n")
    rels = output_rels(discover([str(tmp_path / "in")]))
    assert rels[str(a)] == Path("cv.txt") and rels[str(b)] == Path("cv.pdf")
    assert len(set(rels.values())) == 2


def test_an_output_is_replaced_only_when_its_input_is_reprocessed(tmp_path):
    a = _write(tmp_path / "in" / "a" / "scan.txt", "Bình Phước", 101)
    b = _write(tmp_path / "in" / "b" / "scan.txt", "Sơn La", 202)
    out, db = tmp_path / "text", str(tmp_path / "x.sqlite")
    cfg = settings(**{"output.text_dir": str(out)})
    run([str(a.parent), str(b.parent)], db=db, config=cfg)
    (out / "a" / "scan.txt").write_text("kept\n", encoding="utf-8")
    _write(b, "Lai Châu", 303)  # b changed: processed again, a is skipped (same content)
    rep = run([str(a.parent), str(b.parent)], db=db, config=cfg)
    assert sorted(f.status for f in rep.files) == ["ok", "skipped"]
    assert (out / "a" / "scan.txt").read_text(encoding="utf-8") == "kept\n"
    assert "303-KH" in (out / "b" / "scan.txt").read_text(encoding="utf-8")
