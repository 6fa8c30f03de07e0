"""notebooks/analyst_walkthrough.ipynb runs headless from a clean state and answers its questions."""

from __future__ import annotations

import json
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


@pytest.mark.slow
def test_walkthrough_builds_its_archive_and_answers(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOHOA_ARCHIVE", raising=False)
    monkeypatch.delenv("SOHOA_MONTH", raising=False)
    monkeypatch.setenv("SOHOA_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebook draws inline
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:  # run from a clean state, whatever was saved in the file
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = nbclient.NotebookClient(
        nb, timeout=240, kernel_name=_kernel_name(), resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error

    outs = _outputs(nb)
    errors = [o for o in outs if o.get("output_type") == "error"]
    assert not errors
    images = [o for o in outs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "the task and deadline plots were not drawn"
    text = "".join(o.get("text", "") for o in outs if o.get("output_type") == "stream")
    line = next(ln for ln in text.splitlines() if ln.startswith("SUMMARY "))
    summary = json.loads(line[len("SUMMARY "):])

    db = tmp_path / "archive.sqlite"
    assert summary["archive"] == str(db) and db.is_file()
    conn = sqlite3.connect(db)
    n_docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert summary["documents"] == n_docs >= 3
    # the three bundled directives mention Chỉ thị 07-CT/TU: full-text search must find them
    assert len(summary["citing_by_text"]) >= 3
    cited = {r[0] for r in conn.execute("SELECT DISTINCT doc_id FROM refs WHERE upper(replace(code, ' ', '')) = '07-CT/TU'")}
    assert set(summary["citing_by_refs"]) == cited
    n_tasks = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
    assert summary["tasks"] == n_tasks
    if n_tasks:
        top = conn.execute("SELECT assignee, count(*) n FROM tasks GROUP BY assignee ORDER BY n DESC").fetchone()
        assert summary["top_agency"] is not None
        assert conn.execute("SELECT count(*) FROM tasks WHERE assignee = ?", (summary["top_agency"],)).fetchone()[0] == top[1]
    month = summary["month"]
    expected = conn.execute(
        "SELECT (SELECT count(*) FROM deadlines WHERE substr(date, 1, 7) = ? AND length(date) >= 7)"
        " + (SELECT count(*) FROM tasks WHERE substr(deadline, 1, 7) = ? AND length(deadline) >= 7)",
        (month, month),
    ).fetchone()[0]
    assert summary["deadlines_in_month"] == expected
    assert {"tasks_by_agency.png", "deadlines_per_month.png"} <= set(summary["figures"])


def test_notebook_is_saved_without_outputs() -> None:
    """Outputs belong to a run, not to the repository: a saved notebook with outputs goes stale."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not _outputs(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert sys.version_info >= (3, 10)
