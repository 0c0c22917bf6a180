"""Alt text for every figure a notebook shows, so an exported lesson describes its pictures.

nbconvert's HTML export (JupyterLab's look) writes a figure's PNG as ``<img>`` with no ``alt``
and warns "Alternative text is missing". After :func:`describe_figures`, every matplotlib
figure a cell shows carries, beside its PNG, an HTML rendering ``<img alt="…" src="data:…">``
of the same PNG (rendered once), which the export prefers; the alt text is the figure's own
(:func:`set_alt`) or one read from it (:func:`describe`: titles, axes, curves' labels).
"""

from __future__ import annotations

import base64
import html
from typing import Any

_ALT = "tracegrad_alt"  # the attribute set_alt stores the text in


def set_alt(fig: Any, text: str) -> Any:
    """Give ``fig`` (a matplotlib ``Figure``) the alt text ``text``; returns ``fig``.

    Say what the figure shows, not how it is drawn: the property a reader should see
    ("the dead neuron's activation is 0 on every sample; the other two are not").
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"set_alt: text={text!r} is empty; describe what the figure shows")
    setattr(fig, _ALT, text.strip())
    return fig


def describe(fig: Any) -> str:
    """The figure's alt text: the one given with :func:`set_alt`, else one read from the
    figure — its title, then per panel its title, axis labels and curves' labels.

    Example: ``'Figure "Loss". Panel 1 "Loss": epoch (x) against loss (y); curves:
    training, validation.'``
    """
    given = getattr(fig, _ALT, None)
    if given:
        return given
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]
    head = f'Figure "{suptitle.get_text()}"' if suptitle is not None and suptitle.get_text() \
        else "Figure"
    parts.append(f"{head} with {len(axes)} panel{'s' * (len(axes) != 1)}.")
    for number, ax in enumerate(axes, 1):
        title = ax.get_title() or ax.get_title(loc="left") or ax.get_title(loc="right")
        piece = f'Panel {number}' + (f' "{title}"' if title else "")
        xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
        if xlabel or ylabel:
            piece += f": {ylabel or 'y'} (y) against {xlabel or 'x'} (x)"
        labels = [label for label in ax.get_legend_handles_labels()[1]
                  if label and not label.startswith("_")]
        if labels:
            piece += "; curves: " + ", ".join(labels)
        elif ax.lines:
            piece += f"; {len(ax.lines)} line{'s' * (len(ax.lines) != 1)}"
        parts.append(piece + ".")
    return " ".join(parts)


def describe_figures(shell: Any = None) -> None:
    """From now on, every matplotlib figure the running IPython shell shows (as PNG) also
    shows as ``<img alt="describe(fig)" src="data:image/png;base64,…">`` in ``text/html``,
    the same PNG rendered once; outside IPython, does nothing. Call it after
    ``import matplotlib.pyplot`` (which sets the notebook's figure formats). Idempotent.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        if shell is None:
            return
    import matplotlib.pyplot as plt

    # pyplot loads its backend at the first figure, and the inline backend then picks the
    # figure formats, dropping other formatters: load it now (no figure is closed)
    plt._get_backend_mod()
    _install(shell)
    if not getattr(shell, "tracegrad_alt_hook", False):
        # the inline backend may choose its formats after this cell (and %matplotlib inline
        # again), which drops ours: put them back after every cell
        shell.events.register("post_run_cell", lambda *_: _install(shell))
        shell.tracegrad_alt_hook = True


def _install(shell: Any) -> None:
    """Register the PNG and ``<img alt>`` formatters for ``Figure`` on ``shell`` unless
    they are there already (or figures are not shown as PNG)."""
    from matplotlib.figure import Figure

    formatters = shell.display_formatter.formatters
    png_formatter, html_formatter = formatters["image/png"], formatters["text/html"]
    try:
        render = png_formatter.lookup_by_type(Figure)
    except KeyError:
        return  # figures are not shown as PNG here (svg, a widget backend): nothing to do
    if getattr(render, "tracegrad_alt", False):
        return  # installed already
    last: list[tuple[Any, Any]] = []  # (figure, its PNG): one rendering for both formats

    def png(fig: Any) -> Any:
        if last and last[0][0] is fig:
            return last.pop()[1]
        return render(fig)

    def img(fig: Any) -> str | None:
        data = render(fig)
        if data is None:
            return None
        last[:] = [(fig, data)]
        text = base64.b64encode(data).decode("ascii") if isinstance(data, bytes) else data
        return (f'<img alt="{html.escape(describe(fig))}" '
                f'src="data:image/png;base64,{text}"/>')

    png.tracegrad_alt = True  # type: ignore[attr-defined]
    png_formatter.for_type(Figure, png)
    html_formatter.for_type(Figure, img)
