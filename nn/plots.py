"""Pictures of training: loss curves and decision boundaries (matplotlib, no screen needed).

In a notebook a figure shows exactly once, however the cell ends: as its last expression,
with ``;``, with ``plt.show()``, or with the call on an earlier line (see :func:`_figure`).
After :func:`describe_figures` every figure a notebook shows carries alt text
(:mod:`nn.alt_text`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .alt_text import describe, describe_figures, set_alt
from .module import Module
from .training import History, predict

__all__ = ["describe", "describe_figures", "plot_decision_boundary", "plot_history", "set_alt"]


def _figure(width: float = 6.0, height: float = 4.0):
    """A new figure for ``nn.plots``.

    Inside IPython/Jupyter it is made through pyplot, as a :class:`NotebookFigure`: the
    notebook's backend shows it when the cell ends, however the cell ends (``;``,
    ``plt.show()``, the call not on the last line), and it does not show a second time when it
    is the cell's last expression. Elsewhere (scripts, the CLI, tests) it is a bare
    ``Figure``: no pyplot state, no screen needed.
    """
    shell = _ipython()
    if shell is None:
        from matplotlib.figure import Figure

        return Figure(figsize=(width, height), layout="constrained")
    import matplotlib.pyplot as plt

    # a NotebookFigure, a class made at first use (so typed Any: pyplot says Figure)
    fig: Any = plt.figure(figsize=(width, height), layout="constrained",
                          FigureClass=_notebook_figure_class())
    fig.made_in_cell = shell.execution_count
    return fig


def _ipython():
    """The running IPython shell, or ``None`` (not in IPython, or IPython not installed)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


_NOTEBOOK_FIGURE: list[type] = []  # the class, made once matplotlib is imported


def _notebook_figure_class() -> type:
    """:class:`NotebookFigure`, defined on first use so that importing ``nn`` does not
    import matplotlib."""
    if _NOTEBOOK_FIGURE:
        return _NOTEBOOK_FIGURE[0]
    from matplotlib.figure import Figure

    class NotebookFigure(Figure):
        """A pyplot figure that IPython shows once, however its cell ends.

        matplotlib-inline shows every open figure when a cell ends (and on ``plt.show()``)
        by displaying it, then closes it; a cell's last expression is displayed too, so a
        plain Figure returned there shows twice. This one, whenever it is displayed, shows
        itself and leaves pyplot at once (closed), so the backend does not show it again; a
        figure already shown and closed in the running cell is not shown a second time. Asked
        for in a later cell (``fig`` on its own), it shows again.
        """

        made_in_cell: int | None = None

        def _ipython_display_(self) -> None:
            from matplotlib._pylab_helpers import Gcf

            shell = _ipython()
            cell = shell.execution_count if shell is not None else None
            is_open = any(m.canvas.figure is self for m in Gcf.get_all_fig_managers())
            if is_open and "inline" not in _backend():
                return  # a window or widget backend shows its own figures
            if not is_open and cell == self.made_in_cell:
                return  # shown and closed in this cell already (plt.show(), cell end)
            _display_figure(self)
            if is_open:
                import matplotlib.pyplot as plt

                plt.close(self)  # shown now: not again when the cell ends

    _NOTEBOOK_FIGURE.append(NotebookFigure)
    return NotebookFigure


def _backend() -> str:
    import matplotlib

    return matplotlib.get_backend()


def _display_figure(fig) -> None:
    """Show ``fig`` as the notebook's backend would: in the formats its figure formatters
    produce (PNG by default), else as a PNG."""
    import base64

    from IPython.core.pylabtools import print_figure
    from IPython.display import display
    from matplotlib.figure import Figure

    bundle = {}
    for mime, formatter in _ipython().display_formatter.formatters.items():
        if mime == "text/plain":
            continue
        try:
            formatter.lookup_by_type(Figure)
        except KeyError:
            continue
        data = formatter(fig)
        if data is not None:
            bundle[mime] = data
    if not bundle:
        png = print_figure(fig, "png", bbox_inches="tight")
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
    bundle["text/plain"] = repr(fig)
    display(bundle, raw=True)


def _shown_once(fig):
    """A figure ``nn.plots`` drew into (the caller's ``ax``): inside IPython, a plain pyplot
    Figure becomes a :class:`NotebookFigure`, so returning it as a cell's last expression
    does not show it twice. The class only adds that display rule."""
    from matplotlib.figure import Figure

    shell = _ipython()
    if shell is not None and type(fig) is Figure:
        fig.__class__ = _notebook_figure_class()
        fig.made_in_cell = shell.execution_count
    return fig


def plot_history(history: History, path: str | Path | None = None):
    """Loss (and accuracy, when recorded) per epoch, training and validation.

    Args:
        history: what ``nn.fit`` returned.
        path: where to save the picture (``.png``, ``.svg``, ``.pdf``); optional.
    Returns:
        The matplotlib ``Figure``.
    """
    fig = _figure(7 if history.train_accuracy else 6, 3.6)  # ≤ 700 px: 10 pt text ≥ 11 px
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
        fig = _shown_once(ax.figure)
    ax.contourf(gx, gy, zz, levels=len(classes) - 1 or 1, cmap="coolwarm", alpha=0.35)
    ax.scatter(xs, ys, c=[index[t] for t in y], cmap="coolwarm", edgecolors="black", s=25)
    ax.set(xlabel="x₁", ylabel="x₂", title=title)  # the course's 1-based inputs
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
