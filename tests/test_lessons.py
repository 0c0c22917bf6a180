"""Every lesson and every solutions notebook runs top to bottom, headless, as a learner would
see it: no error, no warning, and every cell that makes a figure shows it (an image output, not
"<Figure size …>"), and every image of the lesson exported to HTML by nbconvert has alt
text. In a lesson every exercise check says "not answered yet" (the lesson holds
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
# (nn.plots' alt-text helpers draw nothing.)
MAKES_FIGURE = re.compile(
    r"\bplot_\w+\(|\bplt\.|\.subplots\(|\bplots\.(?!describe|set_alt)\w+\(")
WARNING = re.compile(r"Warning\b|warnings\.warn|Traceback", re.IGNORECASE)
NO_ALT = "No description has been provided for this image"  # what nbconvert puts in its place


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
    missing = images_without_alt(notebook)
    if missing:
        found.append(f"{name}: {missing} image(s) without alt text in the HTML export "
                     "(call nn.plots.describe_figures() in the setup cell)")
    return found


def images_without_alt(notebook: nbformat.NotebookNode) -> int:
    """How many ``<img>`` of the notebook's HTML export (``jupyter nbconvert --to html``)
    have no alt text of their own."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    page, _ = HTMLExporter().from_notebook_node(notebook)
    images = BeautifulSoup(page, "html.parser").find_all("img")
    return sum(1 for img in images if not img.get("alt") or img["alt"] == NO_ALT)


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


def test_the_checker_sees_a_figure_without_alt_text_and_describe_figures_gives_it(tmp_path):
    draw = ("fig, ax = plt.subplots(); ax.plot([1, 2], label='training')\n"
            "ax.set(title='Loss', xlabel='epoch', ylabel='loss'); ax.legend(); plt.show()")
    cells = {"bare": ["import matplotlib.pyplot as plt", draw],
             "described": ["import matplotlib.pyplot as plt\nimport nn\n"
                           "nn.plots.describe_figures()", draw]}
    executed = {}
    for name, sources in cells.items():
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
        nbformat.write(notebook, tmp_path / f"{name}.ipynb")
        executed[name] = run(tmp_path / f"{name}.ipynb")
    assert images_without_alt(executed["bare"]) == 1
    assert images_without_alt(executed["described"]) == 0
    html = executed["described"].cells[1].outputs[0].data["text/html"]
    assert 'Panel 1 &quot;Loss&quot;: loss (y) against epoch (x); curves: training' in html
