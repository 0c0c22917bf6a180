"""An ipywidgets slider over a backward pass: drag it to replay backprop step by step.

Optional: needs ``ipywidgets`` (``pip install ipywidgets``). Without it, step through with a
display handle instead (lesson 1 shows how).
"""

from __future__ import annotations

from html import escape
from typing import Any

from .backward import StepRecord, backward_steps, start_of_pass
from .drawing import draw
from .value import Value


def grads_after(start: dict, steps: list[StepRecord], k: int) -> dict:
    """Every node's gradient after the first ``k`` steps, from ``start_of_pass``'s dict."""
    grads = dict(start)
    for s in steps[:k]:
        grads[s.parent] = s.parent_grad
    return grads


def step_slider(root: Value, grad: float = 1.0, **draw_options: Any):
    """Run ``root``'s backward pass and return a widget replaying it one product at a time.

    The slider picks the step; the picture shows every gradient as it was after that step,
    with the step's edge in red, and the step's chain-rule product written out.

    Args:
        root: the output to backpropagate from (its graph's gradients are filled in).
        grad: the seed.
        draw_options: passed to :func:`autograd.draw` (``show_local_grads``, ``rankdir``...).
    Returns:
        An ``ipywidgets.VBox`` holding the slider, the step's text and the picture.
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        raise ImportError(
            "step_slider needs ipywidgets: pip install ipywidgets (or use backward_steps with "
            "a display handle, as in lesson 1)"
        ) from None
    start = start_of_pass(root, grad)
    steps = list(backward_steps(root, grad))
    slider = widgets.IntSlider(value=0, min=0, max=len(steps), description="step")
    text = widgets.HTML()
    picture = widgets.HTML()

    def show(k: int) -> None:
        step = steps[k - 1] if k else None
        text.value = f"<code>{escape(str(step))}</code>" if step else \
            "<code>before the pass</code>"
        picture.value = draw(root, highlight=step, grads=grads_after(start, steps, k),
                             **draw_options).svg()

    slider.observe(lambda change: show(change["new"]), names="value")
    show(0)
    return widgets.VBox([slider, text, picture])
