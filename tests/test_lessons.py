"""Every lesson runs top to bottom, headless, as a learner would see it: no error, no warning,
and every cell that makes a figure shows it (an image output, not "<Figure size …>")."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

LESSONS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
# A cell that draws a matplotlib figure: nn.plots, pyplot, or a Figure of its own.
MAKES_FIGURE = re.compile(r"\bplot_\w+\(|\bplt\.|\.subplots\(|\bplots\.\w+\(")
WARNING = re.compile(r"Warning\b|warnings\.warn|Traceback", re.IGNORECASE)


def run(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def problems(notebook: nbformat.NotebookNode, name: str) -> list[str]:
    """What a learner would see go wrong in an executed notebook."""
    found = []
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type != "code":
            continue
        texts = [o.get("text", "") for o in cell.outputs if o.output_type == "stream"]
        texts += [o.get("data", {}).get("text/plain", "") for o in cell.outputs]
        found += [f"{name} cell {number} warns: {t[:300]}" for t in texts if WARNING.search(t)]
        if MAKES_FIGURE.search(cell.source) and not any(
                {"image/png", "image/svg+xml"} & set(o.get("data", {})) for o in cell.outputs):
            found.append(f"{name} cell {number} makes a figure but shows none: "
                         f"{cell.source[:200]}")
    return found


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_the_lesson_runs_and_shows_its_figures(path):
    assert problems(run(path), path.name) == []  # run() raises on an error, naming the cell


def test_the_checker_sees_a_figure_that_does_not_show_and_a_warning(tmp_path):
    bad = nbformat.v4.new_notebook()
    bad.cells = [
        nbformat.v4.new_code_cell("from matplotlib.figure import Figure\n"
                                  "fig = Figure(); ax = fig.subplots(); fig"),
        nbformat.v4.new_code_cell("import warnings; warnings.warn('careful')"),
    ]
    path = tmp_path / "bad.ipynb"
    nbformat.write(bad, path)
    found = problems(run(path), "bad")
    assert len(found) == 2 and "shows none" in found[0] and "warns" in found[1]
