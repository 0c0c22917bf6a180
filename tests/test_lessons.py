"""Every lesson and every solutions notebook runs top to bottom, headless, as a learner would
see it: no error, no warning, and every cell that makes a figure shows it (an image output, not
"<Figure size …>"). In a lesson every exercise check says "not answered yet" (the lesson holds
stubs, not solutions); in a solutions notebook every check passes (✓)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("*.ipynb"))
SOLUTIONS = sorted((NOTEBOOKS / "solutions").glob("*.ipynb"))
CHECK = re.compile(r"\bcheck\(")
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


def check_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """The text each exercise check shows, one per cell that calls ``check(``."""
    return ["".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            for cell in notebook.cells
            if cell.cell_type == "code" and CHECK.search(cell.source)]


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_the_lesson_runs_and_shows_its_figures(path):
    notebook = run(path)  # raises on an error, naming the cell
    assert problems(notebook, path.name) == []
    assert all("not answered yet" in text for text in check_outputs(notebook)), \
        check_outputs(notebook)


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_the_solutions_run_and_every_check_passes(path):
    notebook = run(path)
    assert problems(notebook, path.name) == []
    texts = check_outputs(notebook)
    assert texts and all(text.startswith("✓") and ": correct" in text for text in texts), texts


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
