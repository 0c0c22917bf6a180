"""Step through backprop in any browser: one self-contained HTML page (SVG + JavaScript).

``stepper(root)`` records the forward pass node by node and the backward pass one chain-rule
product at a time, and returns a :class:`Stepper`: inline in Jupyter (no kernel needed once
displayed: it works in JupyterLab, VS Code, Colab and nbconvert's HTML export), or written to
one file with ``.save("backprop.html")`` — no network access, every script and style inline.

The page is the picture ``draw`` makes plus *frames*: frame k is the picture after k steps.
Each frame says what changed (a node's value revealed, a gradient updated), which elements to
light, and the sentence announced for it. The JavaScript engine (``assets/stepper.js``) knows
nothing about autograd, so the network diagram steps with the same engine.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Iterable, Iterator
from html import escape
from pathlib import Path
from typing import Any

from .backward import backward_steps, start_of_pass
from .drawing import (
    LOCAL_GRAD_FILL,
    Drawing,
    draw,
    nodes_to_draw,
    register_graph_stepper,
)
from .graph import topological_order
from .naming import Namer, formula, needs_parentheses, op_text, showing
from .ops import CONST
from .value import Number, Value
from .viewport import asset, framed

HOW_LENGTH = 48  # a forward step says how a node is computed in at most this many characters

SPEEDS = (("0.5×", 1600), ("1×", 800), ("2×", 400), ("4×", 150))  # milliseconds per step
BUTTONS = (("first", "First step", "Home", "«"), ("prev", "Previous step", "←", "‹"),
           ("play", "Play", "space", "▶"), ("next", "Next step", "→", "›"),
           ("last", "Last step", "End", "»"))  # glyphs every font has


class Stepper:
    """A picture with frames to step through: ``_repr_html_`` in Jupyter, ``.save(path)``.

    Attributes:
        frames: one dict per frame — ``phase`` ("start", "forward", "backward",
            "update"), ``say``
            (the sentence announced), ``set`` (texts changed: ``{element: {field: text}}``),
            ``reveal`` (elements shown from this frame on), ``show`` (elements whose hidden
            texts appear from this frame on), ``lit`` (elements highlighted in this frame
            only).
        title: a name for the page.
    """

    def __init__(self, drawing: Drawing, frames: list[dict], *, title: str,
                 initial: dict[str, dict] | None = None, pending: Iterable[str] = (),
                 keys: Iterable[str] = (), hidden: Iterable[str] = (),
                 hide_fill: str | None = None, value_fill: str | None = None) -> None:
        """Args:
            drawing: the picture; its SVG elements carry the classes the frames name.
            frames: see the class docs; frame 0 is the start.
            title: a name for the page.
            initial: texts at the start, ``{element: {field: text}}`` (a field is a
                ``<text>`` starting with that word, e.g. ``"grad"``).
            pending: elements faded until a frame reveals them.
            keys: other elements frames light.
            hidden: elements whose ``hide_fill``-coloured texts stay hidden until a frame
                lists them in ``show`` (the network diagram's gradients).
            value_fill: texts of this colour stay hidden while their element is pending
                (the network diagram's forward values, until their forward step).
        """
        self.drawing = drawing
        self.frames = frames
        self.title = title
        self.initial = dict(initial or {})
        self.pending = list(pending)
        self.keys = list(keys)
        self.hidden = list(hidden)
        self.hide_fill = hide_fill
        self.value_fill = value_fill

    @property
    def steps(self) -> int:
        """How many steps there are (frames after the first)."""
        return len(self.frames) - 1

    def html(self, *, page: bool = False) -> str:
        """The stepper as an HTML fragment: a ``<div>`` with its style, picture, data and
        script (what Jupyter shows).

        The picture sits in a viewport (:mod:`autograd.viewport`): never shrunk below the
        scale where its smallest text is 11 px, panned and zoomed when wider than the column,
        and scrolled to keep each step's lit elements in view. Keys go to the stepper that
        has the focus; until it has it, a hint says to click it first.

        Args:
            page: the stepper is a whole page's (``save``): it takes the focus on load, and
                keys pressed while nothing else has the focus step it too.
        """
        uid = f"tg-stepper-{uuid.uuid4().hex[:10]}"
        data = json.dumps({"frames": self.frames, "initial": self.initial,
                           "pending": self.pending, "keys": self.keys, "hidden": self.hidden,
                           "hideFill": self.hide_fill, "valueFill": self.value_fill},
                          ensure_ascii=False, separators=(",", ":"))
        # <, > and & as JSON escapes: no label can close the <script> block or open a
        # "<!--<script>" escape in it (which hides everything after it on the page)
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        hint = '<span class="tg-hint" hidden>click the picture, then use ← →</span>'
        picture = framed(self.drawing.svg(), controls="always", centered=True, note=hint)
        speeds = "".join(f'<option value="{ms}"{" selected" if label == "1×" else ""}>'
                         f"{label}</option>" for label, ms in SPEEDS)
        buttons = "\n".join(f'<button type="button" data-act="{act}" aria-label="{label}" '
                            f'title="{label} ({key})">{icon}</button>'
                            for act, label, key, icon in BUTTONS)
        last = self.steps
        # data-lm-suppress-shortcuts: JupyterLab leaves the keys to the stepper while it has
        # the focus (its command mode would take ↑ ↓ space).
        return f"""<div class="tg-stepper" id="{uid}" tabindex="0" data-step="0" \
data-playing="false"{' data-page="1"' if page else ""} data-lm-suppress-shortcuts="true" \
role="group" aria-label="Backpropagation stepper: {escape(self.title)}">
<style>{asset("viewport.css")}{asset("stepper.css")}</style>
<div class="tg-bar">
{buttons}
<select class="tg-speed" aria-label="Speed" title="Speed">{speeds}</select>
<input class="tg-slider" type="range" min="0" max="{last}" value="0" step="1" aria-label="Step">
<span class="tg-counter">step 0 / {last}</span>
</div>
<div class="tg-status" role="status" aria-live="polite">{escape(self.frames[0]["say"])}</div>
<noscript>This stepper needs JavaScript; the picture shows the graph before the pass.</noscript>
<div class="tg-picture">{picture}</div>
<details class="tg-panel" open><summary>All {last} steps — click one to go there</summary>
<div class="tg-panel-body"><table class="tg-steps"><tbody></tbody></table></div></details>
<script type="application/json" class="tg-data">{data}</script>
<script>{asset("viewport.js")}
{asset("stepper.js")}
window.tracegradStepper.setup(document.getElementById("{uid}"));</script>
</div>"""

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: str | os.PathLike) -> Path:
        """Write one self-contained page (``.html``): no network access needed to open it.
        The page's stepper has the keyboard on load: → steps at once, without a click.

        Returns:
            The path written.
        """
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"Stepper.save: the page is HTML; give a path ending in .html, "
                             f"got '{path.name}'")
        path.parent.mkdir(parents=True, exist_ok=True)
        page = (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{escape(self.title)}</title>\n</head>\n<body>\n"
                f"{self.html(page=True)}\n</body>\n</html>\n")
        path.write_text(page, encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return f"<Stepper {self.title!r}: {self.steps} steps>"


def stepper(root: Value, *, focus: Value | Iterable[Value] | None = None,
            show_local_grads: bool = True, grad: Number = 1.0,
            max_nodes: int = 250, lr: Number | None = None,
            namer: Namer | None = None) -> Stepper:
    """Step through ``root``'s forward and backward passes in a browser, one node, then one
    chain-rule product, at a time — and, given a learning rate, the update of every
    parameter.

    The forward pass reveals each node's value in reading order (a network's inputs, then
    layer by layer, neuron by neuron, the loss last: :func:`autograd.graph.reading_order`);
    the backward pass then lights one edge per step and announces its product, the local
    derivative as its op's rule and its value, as ``backward_steps`` records it::

        ∂L/∂z₁⁽²⁾ += ∂L/∂ŷ × ∂ŷ/∂z₁⁽²⁾ = -2.165 × ŷ(1 − ŷ) = -2.165 × 0.2485 = -0.5381

    With ``lr`` an update phase follows, one step per parameter (each leaf that gets a
    gradient, in reading order)::

        w ← w − η·∂L/∂w:   w₁,₁⁽¹⁾ ← 0.8437 − 0.1 × (-0.002121) = 0.8439

    shown on the picture; the parameters themselves are not changed. Controls: first,
    previous, next, last, play/pause with a speed, a slider, the keyboard (←, →, Home, End,
    space) and a list of every step (click one to jump). Each step is announced in an
    ``aria-live`` region; the stepper's root element carries the current step in
    ``data-step``.

    The pass shown is this root's alone, from zero gradients (as after ``zero_grad()``); it
    runs on the side: every ``.grad`` is as it was afterwards.

    Args:
        root: the output (usually a loss).
        focus: as in :func:`autograd.draw`: only the paths from these node(s) to ``root``
            (the backward steps shown are those between drawn nodes).
        show_local_grads: write each edge's local derivative on it.
        grad: the seed ∂L/∂root.
        max_nodes: refuse pictures with more Values (see :func:`autograd.draw`).
        lr: the learning rate η of an update phase ``w ← w − η·∂L/∂w`` (``None``: none).
        namer: a function ``v -> str | None`` naming nodes, asked before the registered
            namers (see :mod:`autograd.naming`).
    Returns:
        A :class:`Stepper` (shows in Jupyter; ``.save("backprop.html")``).
    Raises:
        TypeError: ``root`` is not a Value, ``namer`` not a function.
        ValueError: ``lr`` is not a finite number > 0.

    Example::

        >>> from autograd import Value, stepper
        >>> w = Value(0.5, label="w"); L = (w * 3.0).tanh(); L.label = "L"
        >>> s = stepper(L); s.steps  # 4 nodes revealed, the seed, 2 products
        7
        >>> stepper(L, lr=0.1).steps  # and the update of w
        8
        >>> w.grad, w.data  # untouched
        (0.0, 0.5)
    """
    if not isinstance(root, Value):
        raise TypeError(f"stepper: root must be a Value, got {type(root).__name__} {root!r}")
    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, (int, float))
                           or not math.isfinite(lr) or lr <= 0):
        raise ValueError(f"stepper: lr must be a finite number > 0 (the learning rate η of "
                         f"w ← w − η·∂L/∂w), got {lr!r}; e.g. lr=0.1, or None for no update")
    if isinstance(focus, Iterator):  # nodes_to_draw and draw both read it: a list
        focus = list(focus)
    with showing(root, namer):
        return _stepper(root, focus, show_local_grads, grad, max_nodes, lr, namer)


def _stepper(root: Value, focus, show_local_grads: bool, grad: Number, max_nodes: int,
             lr: Number | None, namer: Namer | None) -> Stepper:
    order = nodes_to_draw(root, focus=focus, max_nodes=max_nodes)
    keys = {v: f"tg-n{i}" for i, v in enumerate(order)}
    records, start = _run_backward(root, grad)
    after = {**start, **{r.parent: r.parent_grad for r in records}}
    updated = {} if lr is None else _updated(order, after, lr)
    shown = {v: new for v, new in updated.items() if len(_fmt(new)) > len(_fmt(v.data))}
    drawing = draw(root, focus=focus, show_local_grads=show_local_grads, max_nodes=max_nodes,
                   grads=after, namer=namer, data=shown)  # boxes wide enough for either

    initial = {keys[v]: ({} if v.op is CONST else {"data": "?", "grad": "·"}) for v in order}
    frames: list[dict[str, Any]] = [
        {"phase": "start", "say": "Before the forward pass: press → (or ▶) to compute "
                                  "the values node by node, then backpropagate"
                                  + (", then update." if lr else ".")}]
    # an edge's local derivative is computed with its node: it appears at that node's step
    into = {v: [f"{keys[p]}-{keys[v][3:]}" for p in v.parents if p in keys] for v in order}
    for v in order:
        frames.append({"phase": "forward", "say": _forward_text(v), "lit": [keys[v]],
                       "reveal": [keys[v], *into[v]],
                       "set": {} if v.op is CONST else {keys[v]: {"data": _fmt(v.data)}}})
    name = _after_partial(formula(root))
    frames.append({"phase": "backward", "lit": [keys[root]],
                   "say": f"Backward pass: start at {formula(root)} with ∂{name}/∂{name} = "
                          f"{_fmt(start[root])}; every other gradient starts at 0",
                   "set": {keys[v]: {"grad": _fmt(start[v])}
                           for v in order if v.op is not CONST}})
    edges: dict[str, None] = {}
    for r in records:
        if r.node not in keys or r.parent not in keys:
            continue  # an edge into a stub, off the focused paths
        edge = f"{keys[r.parent]}-{keys[r.node][3:]}"  # draw's class for parent → node
        edges[edge] = None
        frames.append({"phase": "backward", "say": r.text(4),
                       "lit": [edge, keys[r.node], keys[r.parent]],
                       "set": {keys[r.parent]: {"grad": _fmt(r.parent_grad)}}})
    if lr is not None:
        frames += _update_frames(updated, keys, after, lr)
    return Stepper(drawing, frames, title=f"backprop of {formula(root)}", initial=initial,
                   pending=[*keys.values(), *(e for v in order for e in into[v])],
                   keys=list(edges), value_fill=LOCAL_GRAD_FILL)


def _updated(order: list[Value], grads: dict, lr: Number) -> dict[Value, float]:
    """Each parameter's (a leaf that is not data) value after ``w ← w − η·∂L/∂w``, in
    reading order; no Value is changed."""
    found = {}
    for v in order:
        if not v.parents and v.op is not CONST:
            g = grads.get(v, 0.0)
            found[v] = v.data - lr * (g.data if isinstance(g, Value) else g)
    return found


def _update_frames(updated: dict[Value, float], keys: dict, grads: dict,
                   lr: Number) -> list[dict]:
    """One frame per parameter: ``w ← w − η·∂L/∂w``, the new value written in its box."""
    frames = []
    for v, new in updated.items():
        g = grads.get(v, 0.0)
        g = g.data if isinstance(g, Value) else g
        frames.append({"phase": "update", "lit": [keys[v]],
                       "say": f"update: {formula(v)} ← {_fmt(v.data)} − {lr:g} × "
                              f"{_signed(g)} = {_fmt(new)}   (w ← w − η·∂L/∂w)",
                       "set": {keys[v]: {"data": _fmt(new)}}})
    return frames


def _run_backward(root: Value, grad: Number) -> tuple[list, dict]:
    """``backward_steps``' records of one pass from zeroed gradients, and its starting
    gradients, leaving every ``.grad`` of the graph as it was."""
    saved = [(v, v.grad) for v in topological_order(root)]
    try:
        for v, _ in saved:
            v.grad = 0.0  # this pass alone, as after zero_grad(): what a learner steps through
        start = start_of_pass(root, grad)
        records = list(backward_steps(root, grad))
    finally:
        for v, g in saved:
            v.grad = g
    return records, start


def _forward_text(v: Value) -> str:
    name = formula(v)
    if v.op is CONST:
        number = _fmt(v.data)
        what = f"{name} = {number}" if name.strip("()") != number else f"the number {number}"
        return f"forward: {what} enters (data: it gets no gradient)"
    if not v.parents:
        return f"forward: {name} = {_fmt(v.data)} (a parameter)"
    how = formula(v, HOW_LENGTH, own_label=False)
    if "#" in how:  # too long for a formula: the op and its inputs' names
        how = f"{op_text(v.op)}({', '.join(formula(p) for p in v.parents[:4])}"
        how += ", …)" if len(v.parents) > 4 else ")"
    return f"forward: {name} = {how} = {_fmt(v.data)}" if how != name else \
        f"forward: {name} = {_fmt(v.data)}"


def _fmt(x: float) -> str:
    return f"{x + 0.0:.4g}"  # as draw shows numbers (−0.0 as 0)


def _signed(x: float) -> str:
    """A number as a factor: ``(-0.002121)`` for a negative one."""
    text = _fmt(x)
    return f"({text})" if text.startswith("-") else text


def _after_partial(name: str) -> str:
    return f"({name})" if needs_parentheses(name) else name


register_graph_stepper(stepper)  # draw(root).stepper() steps through with this module
