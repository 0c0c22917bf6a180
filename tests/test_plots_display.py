"""nn.plots figures in a real notebook kernel: each shows exactly once, however the cell ends
(last expression, ``;``, ``plt.show()``, the call on an earlier line), as tests/test_lessons.py
runs the lessons (nbclient)."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow  # starts a kernel

SETUP = """
import matplotlib.pyplot as plt
import nn
from nn.plots import plot_decision_boundary, plot_history
X, y = nn.data.make_moons(40, seed=0)
model = nn.MLP(2, [4, 1], seed=0)
history = nn.fit(model, X, y, loss="bce_with_logits", epochs=2, progress=False, seed=0)
def decide(out):
    return int(out.data >= 0)
"""

# (cell, how many figures it must show)
CASES = [
    ("plot_history(history)", 1),  # the last expression
    ("plot_history(history);", 1),  # ; hides the result
    ("plot_history(history)\nplt.show()", 1),
    ("plot_history(history); plt.show()", 1),
    ("plot_history(history)\nprint('trained')", 1),  # not the last line
    ("curve = plot_history(history)", 1),  # assigned
    ("fig = plot_history(history); plt.show(); fig", 1),  # shown, then the last expression
    ("fig", 1),  # asked for again in a later cell
    ("plot_history(history)\nplot_decision_boundary(model, X, y, decide, resolution=8)", 2),
    ("plot_decision_boundary(model, X, y, decide, resolution=8)\n1 + 1", 1),
    ("fig, axes = plt.subplots(1, 2)\n"
     "plot_decision_boundary(model, X, y, decide, resolution=8, ax=axes[0])\n"
     "plot_decision_boundary(model, X, y, decide, resolution=8, ax=axes[1])", 1),
    ("fig, axes = plt.subplots(1, 2)\n"
     "plot_decision_boundary(model, X, y, decide, resolution=8, ax=axes[0]);", 1),
    ("print('no figure here')", 0),  # nothing left over from earlier cells
]


def images(cell) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.outputs)


def test_every_way_a_cell_can_end_shows_each_figure_once(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SETUP)]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source, _ in CASES]
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = {cell.source: images(cell) for cell in notebook.cells[1:]}
    assert shown == {source: count for source, count in CASES}
    for cell in notebook.cells:
        for o in cell.outputs:  # no "<Figure size …>" text standing in for a picture
            text = o.get("data", {}).get("text/plain", "") if "image/png" not in o.get(
                "data", {}) else ""
            assert "<Figure" not in text and "NotebookFigure" not in text


def test_outside_a_notebook_a_plot_is_a_bare_figure_with_no_pyplot_state():
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    import nn
    from nn.plots import plot_history

    X, y = nn.data.make_moons(20, seed=0)
    model = nn.MLP(2, [2, 1], seed=0)
    history = nn.fit(model, X, y, loss="bce_with_logits", epochs=1, progress=False, seed=0)
    before = plt.get_fignums()
    fig = plot_history(history)
    assert type(fig) is Figure and plt.get_fignums() == before
