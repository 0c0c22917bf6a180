"""nn.plots: figures of training, drawn headless."""

from __future__ import annotations

from matplotlib.figure import Figure

import nn
from nn.plots import plot_decision_boundary, plot_history


def trained():
    X, y = nn.data.make_moons(40, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(model, X, y, loss="bce_with_logits", epochs=2, progress=False, seed=0)
    return model, X, y, history


def test_history_and_boundary_are_figures_saved_on_request(tmp_path):
    model, X, y, history = trained()
    fig = plot_history(history, tmp_path / "curve.png")
    assert isinstance(fig, Figure) and (tmp_path / "curve.png").stat().st_size > 1000
    fig = plot_decision_boundary(model, X, y, lambda out: int(out.data >= 0), resolution=12)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x₁", "x₂")  # the course's notation


def test_a_boundary_drawn_into_given_axes_side_by_side():
    model, X, y, _ = trained()
    fig = Figure()
    left, right = fig.subplots(1, 2)
    out = plot_decision_boundary(model, X, y, lambda o: int(o.data >= 0), resolution=10,
                                 ax=right, title="right")
    assert out is fig and right.get_title() == "right" and left.get_title() == ""
    assert len(right.collections) >= 2  # the filled regions and the samples
