"""notebooks/analyst_walkthrough.ipynb runs headless from a clean state and answers its questions."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install nbformat)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install nbclient ipykernel)")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "analyst_walkthrough.ipynb"


def _outputs(nb) -> list[dict]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def _kernel_name() -> str:
    """The kernel of this interpreter (ipykernel's native spec), so the notebook sees this venv."""
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME

    return NATIVE_KERNEL_NAME


def _run(tmp_path: Path, monkeypatch, env: dict[str, str]) -> tuple[object, dict]:
    """Run the notebook with its kernel in a folder outside the checkout and the caller's
    directory ($PWD) elsewhere again, as `cd caller && jupyter lab /path/to/notebook` would."""
    for var in ("SOHOA_ARCHIVE", "SOHOA_MONTH", "SOHOA_NOTEBOOK_OUT"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebook draws inline
    kernel_dir = tmp_path / "kernel"
    kernel_dir.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:  # run from a clean state, whatever was saved in the file
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = nbclient.NotebookClient(
        nb, timeout=240, kernel_name=_kernel_name(), resources={"metadata": {"path": str(kernel_dir)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    outs = _outputs(nb)
    assert not [o for o in outs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outs if o.get("output_type") == "stream")
    line = next(ln for ln in text.splitlines() if ln.startswith("SUMMARY "))
    return nb, json.loads(line[len("SUMMARY "):])


def _check_answers(summary: dict, db: Path) -> None:
    conn = sqlite3.connect(db)
    n_docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert summary["documents"] == n_docs >= 3
    # the three bundled directives mention Chỉ thị 07-CT/TU: full-text search must find them
    assert len(summary["citing_by_text"]) >= 3
    cited = {r[0] for r in conn.execute("SELECT DISTINCT doc_id FROM refs WHERE upper(replace(code, ' ', '')) = '07-CT/TU'")}
    assert set(summary["citing_by_refs"]) == cited
    n_tasks = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
    assert summary["tasks"] == n_tasks > 0
    top = conn.execute("SELECT coalesce(assignee_canonical, assignee) a, count(*) n FROM tasks"
                       " WHERE a IS NOT NULL GROUP BY a ORDER BY n DESC").fetchone()
    assert conn.execute("SELECT count(*) FROM tasks WHERE coalesce(assignee_canonical, assignee) = ?",
                        (summary["top_agency"],)).fetchone()[0] == top[1]
    month = summary["month"]
    # each deadline once: a milestone with the date of a task of its document is that task's
    expected = conn.execute(
        "SELECT (SELECT count(*) FROM tasks WHERE substr(deadline, 1, 7) = :m AND length(deadline) >= 7)"
        " + (SELECT count(*) FROM deadlines dl WHERE substr(dl.date, 1, 7) = :m AND length(dl.date) >= 7"
        "    AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.doc_id = dl.doc_id AND t.deadline = dl.date))",
        {"m": month},
    ).fetchone()[0]
    assert summary["deadlines_in_month"] == expected
    doubled = conn.execute(
        "SELECT count(*) FROM deadlines dl JOIN tasks t ON t.doc_id = dl.doc_id AND t.deadline = dl.date"
        " WHERE substr(dl.date, 1, 7) = ?", (month,)).fetchone()[0]
    assert doubled > 0, "the demo should hold a deadline that is both a task's and a milestone"
    conn.close()


@pytest.mark.slow
def test_walkthrough_builds_its_demo_archive_and_answers(tmp_path: Path, monkeypatch) -> None:
    caller = tmp_path / "caller"
    caller.mkdir()
    nb, summary = _run(tmp_path, monkeypatch, {"PWD": str(caller), "SOHOA_NOTEBOOK_OUT": "out"})
    out = caller / "out"  # relative to the caller's directory, not the kernel's
    db = out / "archive.sqlite"
    assert summary["archive"] == str(db) and db.is_file() and summary["out"] == str(out)
    images = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "the task and deadline plots were not drawn"
    assert {"tasks_by_agency.png", "deadlines_per_month.png"} <= set(summary["figures"])
    assert {p.name for p in out.glob("*.png")} == set(summary["figures"])
    _check_answers(summary, db)


@pytest.mark.slow
def test_walkthrough_reads_the_callers_archive_and_writes_figures_elsewhere(tmp_path: Path, monkeypatch) -> None:
    caller = tmp_path / "caller"
    (caller / "data").mkdir(parents=True)
    _nb, first = _run(tmp_path / "demo", monkeypatch, {"PWD": str(tmp_path), "SOHOA_NOTEBOOK_OUT": "demo-out"})
    shutil.copy(first["archive"], caller / "data" / "mine.sqlite")
    _nb, summary = _run(tmp_path, monkeypatch, {"PWD": str(caller), "SOHOA_ARCHIVE": "data/mine.sqlite"})
    assert summary["archive"] == str(caller / "data" / "mine.sqlite")
    assert not list((caller / "data").glob("*.png"))  # nothing written next to the archive
    assert Path(summary["out"]).is_dir() and summary["figures"]
    _check_answers(summary, caller / "data" / "mine.sqlite")


@pytest.mark.slow
def test_walkthrough_refuses_a_missing_archive(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="no archive at"):
        _run(tmp_path, monkeypatch, {"PWD": str(tmp_path), "SOHOA_ARCHIVE": "nope.sqlite"})


def test_notebook_is_saved_without_outputs() -> None:
    """Outputs belong to a run, not to the repository: a saved notebook with outputs goes stale."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not _outputs(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert sys.version_info >= (3, 10)
