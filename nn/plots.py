"""Pictures of training: loss curves and decision boundaries (matplotlib, no screen needed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .module import Module
from .training import History, predict


def _figure(width: float = 6.0, height: float = 4.0):
    from matplotlib.figure import Figure  # a Figure without pyplot: works headless

    _show_figures_in_notebooks(Figure)
    return Figure(figsize=(width, height), layout="constrained")


def _show_figures_in_notebooks(figure_type: type) -> None:
    """In IPython/Jupyter, make a returned ``Figure`` display as a PNG on its own.

    Without pyplot, IPython shows ``<Figure size 900x400 with 2 Axes>`` until something
    activates matplotlib's inline support; registering the PNG formatter here (as that
    support does) makes a figure from ``nn.plots`` show the first time, exactly once.
    """
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import print_figure
    except ImportError:  # not in IPython: nothing to display
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        formatter.lookup_by_type(figure_type)
    except KeyError:
        formatter.for_type(figure_type, lambda fig: print_figure(fig, "png", dpi=100))


def plot_history(history: History, path: str | Path | None = None):
    """Loss (and accuracy, when recorded) per epoch, training and validation.

    Args:
        history: what ``nn.fit`` returned.
        path: where to save the picture (``.png``, ``.svg``, ``.pdf``); optional.
    Returns:
        The matplotlib ``Figure``.
    """
    fig = _figure(9 if history.train_accuracy else 6, 4)
    axes = fig.subplots(1, 2 if history.train_accuracy else 1, squeeze=False)[0]
    epochs = range(1, history.epochs + 1)
    axes[0].plot(epochs, history.train_loss, label="training")
    if history.val_loss:
        axes[0].plot(epochs, history.val_loss, label="validation")
    axes[0].set(xlabel="epoch", ylabel="loss", title="Loss")
    axes[0].legend()
    if history.train_accuracy:
        axes[1].plot(epochs, history.train_accuracy, label="training")
        if history.val_accuracy:
            axes[1].plot(epochs, history.val_accuracy, label="validation")
        axes[1].set(xlabel="epoch", ylabel="accuracy", title="Accuracy", ylim=(0, 1.05))
        axes[1].legend()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def plot_decision_boundary(model: Module, X: Sequence[Sequence[float]], y: Sequence,
                           decision: Callable[[Any], Any], path: str | Path | None = None, *,
                           resolution: int = 60, title: str = "Decision boundary",
                           ax: Any = None):
    """The model's predicted class over the plane, with the samples on top (2 features).

    Args:
        model: a trained model with two inputs.
        X, y: samples to draw.
        decision: output → class (e.g. ``lambda out: int(out.data >= 0)`` for logits).
        path: where to save the picture; optional.
        resolution: grid points per axis.
        ax: a matplotlib ``Axes`` to draw into (e.g. one of several side by side);
            default: a new figure.
    Returns:
        The matplotlib ``Figure`` (the one holding ``ax`` when given).
    """
    if any(len(row) != 2 for row in X):
        raise ValueError("plot_decision_boundary draws two features; project the data first")
    xs = [row[0] for row in X]
    ys = [row[1] for row in X]
    pad_x = (max(xs) - min(xs)) * 0.1 or 1.0
    pad_y = (max(ys) - min(ys)) * 0.1 or 1.0
    gx = [min(xs) - pad_x + i * (max(xs) - min(xs) + 2 * pad_x) / (resolution - 1)
          for i in range(resolution)]
    gy = [min(ys) - pad_y + j * (max(ys) - min(ys) + 2 * pad_y) / (resolution - 1)
          for j in range(resolution)]
    grid = [[a, b] for b in gy for a in gx]
    labels = predict(model, grid, decision)
    classes = sorted(set(labels) | set(y))
    index = {c: i for i, c in enumerate(classes)}
    zz = [[index[labels[j * resolution + i]] for i in range(resolution)]
          for j in range(resolution)]
    if ax is None:
        fig = _figure(5.5, 4.5)
        ax = fig.subplots()
    else:
        fig = ax.figure
    ax.contourf(gx, gy, zz, levels=len(classes) - 1 or 1, cmap="coolwarm", alpha=0.35)
    ax.scatter(xs, ys, c=[index[t] for t in y], cmap="coolwarm", edgecolors="black", s=25)
    ax.set(xlabel="x₁", ylabel="x₂", title=title)  # the course's 1-based inputs
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
