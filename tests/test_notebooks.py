"""The three notebooks, executed top to bottom (nbclient, python3 kernel) against the
sandbox they start themselves when BEEBOLE_TOKEN is unset."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ["01-explore.ipynb", "02-timesheet-report.ipynb", "03-bulk-edit.ipynb"]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_saved_without_outputs(name: str) -> None:
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(book)
    assert book.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in book.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(name: str, tmp_path: Path, demo_server: Any) -> None:
    from nbclient import NotebookClient

    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert "BEEBOLE_TOKEN" not in os.environ  # conftest removes it: the sandbox path
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    NotebookClient(
        book, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = nbformat.writes(book)
    # The notebook's sandbox uses the demo seed, whose tokens are the fixture's: none may show.
    for token in demo_server.tokens.values():
        assert token not in text
    if name == "02-timesheet-report.ipynb":
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        assert len(images) >= 6  # one chart per report
        assert (tmp_path / "timesheet-report" / "report.html").exists()
    if name == "03-bulk-edit.ipynb":
        assert "pushes are real" in text
        assert "1 invalid" in text


@pytest.mark.slow
@pytest.mark.parametrize("name", ["01-explore.ipynb", "03-bulk-edit.ipynb"])
def test_notebook_against_an_account(
    name: str, tmp_path: Path, demo_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With BEEBOLE_TOKEN set, the notebooks use that account (here the shared sandbox,
    standing in for a real one); the bulk edit then only does dry runs."""
    from nbclient import NotebookClient

    monkeypatch.setenv("BEEBOLE_TOKEN", demo_server.token)
    monkeypatch.setenv("BEEBOLE_URL", demo_server.url)
    writes_before = _writes(demo_server)
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(
        book, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = nbformat.writes(book)
    assert "real account:" in text and demo_server.token not in text
    if name == "03-bulk-edit.ipynb":
        assert "pushes are dry runs" in text and "dry run, nothing sent" in text
    assert _writes(demo_server) == writes_before


def _writes(server: Any) -> dict[str, int]:
    writes = ("create", "update", "delete", "activate", "deactivate")
    return {
        service: count
        for service, count in server.stats()["by_service"].items()
        if service.rsplit(".", 1)[-1] in writes
    }
