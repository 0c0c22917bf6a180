"""Drawing computation graphs with Graphviz — no system install needed.

``draw(root)`` writes DOT text and renders it with the system ``dot`` when one is on PATH,
else with the ``graphviz-pure`` binary that ``pip install tracegrad`` puts next to Python.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import graphviz

from .backward import StepRecord
from .errors import GraphTooLargeError, RenderTimeoutError
from .graph import count_nodes, reading_order
from .naming import (
    Namer,
    describe,
    formula,
    full_formula,
    given_name,
    needs_parentheses,
    op_text,
    rule_text,
    showing,
)
from .ops import CONST
from .value import Value
from .viewport import asset, framed

# Fill colors by role (color-blind friendly pairs, readable in print).
COLORS = {
    "parameter": "#a5d8ff",  # a leaf you made: a weight, a bias, a variable
    "input": "#e9ecef",  # a constant: data or a number in an expression
    "intermediate": "#ffffff",
    "output": "#ffd8a8",
}
HIGHLIGHT = "#e03131"
LOCAL_GRAD_FILL = "#1971c2"  # an edge's local derivative (the stepper hides it until computed)
FORMATS = {".svg": "svg", ".png": "png", ".dot": None, ".gv": None}
RENDER_TIMEOUT = 120.0  # seconds Graphviz may take for one picture


class RendererNotFoundError(RuntimeError):
    """Neither a system ``dot`` nor ``graphviz-pure`` could be found."""


def find_renderer() -> str:
    """The Graphviz program to render with: ``$TRACEGRAD_DOT``, else ``dot`` on PATH, else the
    ``graphviz-pure`` binary installed with this Python.

    Raises:
        RendererNotFoundError: none of them exists.
    """
    chosen = os.environ.get("TRACEGRAD_DOT") or shutil.which("dot")
    if chosen:
        return chosen
    exe = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / exe
        if candidate.exists():
            return str(candidate)
    on_path = shutil.which("graphviz-pure")
    if on_path:
        return on_path
    raise RendererNotFoundError(
        "no Graphviz renderer found: install the pure-Python one with "
        "'pip install graphviz-pure==0.2.2' (a tracegrad dependency) or a system Graphviz "
        "(the 'dot' program). The DOT text is still available as drawing.source."
    )


_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
_PX_PER_PT = 96 / 72


# What ``draw(root).stepper()`` runs: :func:`autograd.stepper.stepper`. The stepper draws with
# this module, so this module does not import it back (no import cycle): stepper.py registers
# its function here when it is imported, which ``import autograd`` always does.
_graph_stepper: Callable[..., Any] | None = None


def register_graph_stepper(function: Callable[..., Any]) -> None:
    """Set the function ``draw(root).stepper(lr=...)`` calls, as
    ``function(root, focus=..., show_local_grads=..., max_nodes=..., namer=..., lr=...)``
    (:func:`autograd.stepper`, which registers itself)."""
    global _graph_stepper
    _graph_stepper = function


class Drawing:
    """A rendered-on-demand graph picture: shows as SVG in Jupyter.

    Attributes:
        source: the DOT text (deterministic for the same graph).
    """

    def __init__(self, source: str, stepper: Callable[[], Any] | None = None) -> None:
        self.source = source
        self._stepper = stepper

    def stepper(self, **options: Any) -> Any:
        """The same picture as a page to step through the pass it shows, one step at a time
        (an :class:`autograd.Stepper`; see :func:`autograd.stepper`). ``options`` go to the
        stepper: ``lr=0.1`` adds the update phase ``w ← w − η·∂L/∂w``.

        Raises:
            ValueError: this drawing was made from DOT text, not from a graph or a network.
        """
        if self._stepper is None:
            raise ValueError("this Drawing was built from DOT text alone, so it has no pass to "
                             "step through; use autograd.draw(root).stepper() or "
                             "nn.draw_network(model, x, target=..., loss=...).stepper()")
        return self._stepper(**options)

    timeout: float = RENDER_TIMEOUT
    """Seconds the renderer may take before :class:`RenderTimeoutError`."""

    def pipe(self, format: str = "svg") -> bytes:
        """Render to ``format`` (``"svg"`` or ``"png"``) and return the bytes.

        Raises:
            RendererNotFoundError: Graphviz's ``dot`` cannot be run.
            RenderTimeoutError: it took more than :attr:`timeout` seconds (the renderer is
                stopped; the message says how large the picture is and what to draw).
            RuntimeError: it failed (its message is included).
        """
        renderer = find_renderer()
        try:
            done = subprocess.run(
                [renderer, f"-T{format}"],
                input=self.source.encode(),
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            lines = self.source.count("\n")
            raise RenderTimeoutError(
                f"the renderer {renderer} did not finish this picture ({lines:,} lines of DOT) "
                f"within {self.timeout:g} s and was stopped. Draw a smaller part: "
                "draw(root, focus=w) for the paths from one node, "
                "nn.draw_network(model.layers[i]) for one layer; or set a longer "
                "drawing.timeout (seconds)"
            ) from None
        except OSError as exc:
            raise RendererNotFoundError(f"could not run the renderer {renderer}: {exc}") from exc
        if done.returncode != 0:
            raise RuntimeError(
                f"{renderer} failed (exit {done.returncode}) rendering {format}: "
                f"{done.stderr.decode(errors='replace').strip()}"
            )
        return done.stdout

    def svg(self) -> str:
        """The picture as SVG text."""
        return self.pipe("svg").decode()

    def _repr_html_(self) -> str:
        """Jupyter's display: the SVG inline, so hovering shows every tooltip (full names,
        exact numbers). It is shown at its natural size, or smaller to fit the column but
        never below the scale where its smallest text is 11 px on screen; a wider picture
        pans (scrollbars, drag) and zooms (−, +, fit, 1:1, ctrl+wheel) — see
        :mod:`autograd.viewport`. Without JavaScript it scrolls at its natural size."""
        uid = f"tg-drawing-{uuid.uuid4().hex[:10]}"
        return (f'<div class="tracegrad-drawing" id="{uid}">'
                f'<style>{asset("viewport.css")}</style>{framed(self.svg())}'
                f'<script>{asset("viewport.js")}\nwindow.tracegradViewport.setup('
                f'document.querySelector("#{uid} .tg-view"));</script></div>')

    def _repr_svg_(self) -> str:
        """The SVG at its natural size, for front ends that show SVG as an image (JupyterLab
        does, scaling it down to the column; tooltips need the inline HTML form)."""
        return self.svg()

    @property
    def size(self) -> tuple[int, int]:
        """The picture's natural size in CSS pixels (width, height), as rendered."""
        match = _SIZE.search(self.svg())
        if match is None:
            raise RuntimeError("the renderer's SVG has no width and height")
        width, height = (round(float(x) * _PX_PER_PT) for x in match.groups())
        return width, height

    def save(self, path: str | os.PathLike) -> Path:
        """Write the picture; the extension picks the format: ``.svg``, ``.png`` or ``.dot``.

        Returns:
            The path written.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise ValueError(
                f"save: cannot tell the format from '{path.name}'; use one of "
                f"{', '.join(FORMATS)}"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        fmt = FORMATS[suffix]
        if fmt is None:
            path.write_text(self.source, encoding="utf-8")
        else:
            path.write_bytes(self.pipe(fmt))
        return path

    def __repr__(self) -> str:
        return f"<Drawing: {self.source.count(' [label=')} graphviz nodes>"


def draw(
    root: Value,
    *,
    focus: Value | Iterable[Value] | None = None,
    show_data: bool = True,
    show_grad: bool = True,
    highlight: Value | StepRecord | None = None,
    rankdir: str = "auto",
    max_nodes: int = 250,
    show_local_grads: bool = False,
    grads: Mapping[Value, float] | None = None,
    namer: Namer | None = None,
    data: Mapping[Value, float] | None = None,
) -> Drawing:
    """Draw ``root``'s computation graph: one box per Value, its op written in it.

    Colours: blue for leaves you made (parameters, variables), grey for constants and data
    (no gradient: data gets none), white for intermediate results, orange for the output.
    Nodes are named by :mod:`autograd.naming` (a registered namer — ``nn`` writes a
    network's ``x₁, w₂,₁⁽¹⁾, z₁⁽¹⁾, a₁⁽¹⁾, ŷ`` — else the label); hover over a box for its
    formula and numbers, over an edge for its local derivative, rule and value. Boxes are
    placed in reading order (:func:`autograd.graph.reading_order`: a network's inputs, then
    layer by layer, neuron by neuron, the loss last).

    Args:
        root: the output node.
        focus: draw only the nodes on the paths from these node(s) to ``root`` — e.g. one
            weight of a network, to see every way its gradient arrives. Their other inputs
            are drawn as small stubs (several grouped into one "+ k inputs" stub).
        show_data: print each node's data.
        show_grad: print each node's grad (run ``backward()`` first, or all show 0).
        highlight: a Value to outline in red, or a :class:`StepRecord` whose edge (parent →
            node) is drawn in red with its product ``upstream × local``.
        rankdir: ``"LR"`` (left to right), ``"TB"`` (top to bottom), or ``"auto"``: left to
            right when that fits a notebook column, else whichever is narrower.
        max_nodes: refuse larger graphs (layout gets slow and unreadable).
        show_local_grads: label each edge parent → node with the local derivative
            ∂node/∂parent (stored at forward time, so visible before ``backward()``).
        grads: gradients to show instead of the nodes' ``.grad`` (e.g. part-way through a
            backward pass); nodes missing from it show their ``.grad``.
        namer: a function ``v -> str | None`` naming nodes, asked before the registered
            namers (see :mod:`autograd.naming`).
        data: numbers to show instead of the nodes' ``.data`` (e.g. after an update);
            nodes missing from it show their ``.data``.
    Returns:
        A :class:`Drawing` (``.source``, ``.save(path)``, SVG in Jupyter scaled to the column).
    Raises:
        GraphTooLargeError: more than ``max_nodes`` Values would be drawn.
        ValueError: a focus node is not in ``root``'s graph.

    Example::

        >>> from autograd import Value, draw
        >>> a = Value(2.0, label="a"); b = a * 3; b.label = "b"
        >>> "b" in draw(b).source
        True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw: expected a Value, got {type(root).__name__}")
    if rankdir not in ("auto", "LR", "TB", "RL", "BT"):
        raise ValueError(f"draw: rankdir must be 'auto', 'LR', 'TB', 'RL' or 'BT', got "
                         f"{rankdir!r}")
    focus = _focus_nodes(focus) or None  # a list: the stepper reads it again
    with showing(root, namer):
        source = _source(root, focus, show_data, show_grad, highlight, rankdir, max_nodes,
                         show_local_grads, grads, data)

    def step_through(lr: float | None = None):
        if _graph_stepper is None:  # only while autograd itself is being imported
            raise RuntimeError("draw(...).stepper(): autograd.stepper is not loaded yet; "
                               "import autograd first")
        return _graph_stepper(root, focus=focus, show_local_grads=show_local_grads,
                              max_nodes=max_nodes, namer=namer, lr=lr)

    return Drawing(source, stepper=step_through)


def _source(root: Value, focus, show_data: bool, show_grad: bool, highlight, rankdir: str,
            max_nodes: int, show_local_grads: bool, grads, data) -> str:
    """The DOT text of :func:`draw` (its nodes named within one :func:`naming.showing`)."""
    order = nodes_to_draw(root, focus=focus, max_nodes=max_nodes)
    kept = set(order)
    stubs = {} if focus is None else \
        {v: [p for p in dict.fromkeys(v.parents) if p not in kept] for v in order}
    if rankdir == "auto":
        rankdir = _orientation(order)
    names = {v: f"n{i}" for i, v in enumerate(order)}
    g = graphviz.Digraph("computation_graph", graph_attr={"rankdir": rankdir, "ranksep": "0.3",
                                                          "nodesep": "0.15"})
    # 11 pt is 14.7 px at natural size: a name's sub/superscripts (drawn at ~0.6 of it) stay
    # >= 8 px. Edge numbers, without any, are 9 pt (12 px). See autograd.viewport.
    g.attr("node", fontname="Helvetica", fontsize="11", margin="0.05,0.02", height="0.3")
    g.attr("edge", color="#495057", arrowsize="0.6", fontname="Helvetica")
    step = highlight if isinstance(highlight, StepRecord) else None
    marked = highlight if isinstance(highlight, Value) else None
    stacked = "{{ {0} }}" if rankdir in ("TB", "BT") else "{0}"

    for v in order:
        name = names[v]
        role = _role(v, root)
        if role == "input":
            given = given_name(v)
            text = f"{given} = {_number(v.data)}" if given else _number(v.data)
            g.node(name, _escape(text), shape="box", style="filled,rounded",
                   fillcolor=COLORS["input"], tooltip=_tooltip(v, None),
                   **{"class": f"tg-{name} tg-constant"})
            continue
        fields = [_escape(_title(v))]
        grad = _grad_number(grads.get(v, v.grad) if grads is not None else v.grad)
        if show_data:
            fields.append(f"data {_number(data.get(v, v.data) if data else v.data)}")
        if show_grad:
            fields.append(f"grad {_number(grad)}")
        attrs = {"shape": "record", "style": "filled", "fillcolor": COLORS[role],
                 "tooltip": _tooltip(v, grad), "class": f"tg-{name}"}  # for the stepper
        if v is marked or (step is not None and v in (step.node, step.parent)):
            attrs.update(color=HIGHLIGHT, penwidth="2.5")
        g.node(name, stacked.format(" | ".join(fields)), **attrs)
        locals_by_parent: dict[Value, list] = {}
        for p, derivative in zip(v.parents, v.local_grads):
            locals_by_parent.setdefault(p, []).append(derivative)  # a reused parent: one edge
        for p, local in locals_by_parent.items():
            if p not in names:
                continue
            rules = [rule_text(v, i) for i, q in enumerate(v.parents) if q is p]
            rule = " + ".join(r for r in rules if r) + " = " if all(rules) else ""
            edge = {"tooltip": f"∂{_wrapped(v)}/∂{_wrapped(p)} = {rule}"
                               + " + ".join(_number(x) for x in local),
                    "class": f"tg-{names[p]}-{name}"}
            if p.op is CONST:
                edge.update(color="#adb5bd", style="dashed")  # data: no gradient flows back
            elif show_local_grads:
                edge.update(label=" + ".join(_number(x) for x in local), fontsize="9",
                            fontcolor=LOCAL_GRAD_FILL)
            if step is not None and v is step.node and p is step.parent:
                edge.update(color=HIGHLIGHT, penwidth="3", fontcolor=HIGHLIGHT,
                            label=_escape(_step_text(step)), fontsize="10")
            g.edge(names[p], name, **edge)
        _draw_stubs(g, name, stubs.get(v, []))
    return g.source


def nodes_to_draw(root: Value, *, focus: Value | Iterable[Value] | None = None,
                  max_nodes: int = 250) -> list[Value]:
    """The Values ``draw(root, focus=focus)`` draws, in reading order (each after its
    inputs: :func:`autograd.graph.reading_order`): every node of the graph, or with ``focus``
    those on a path from a focus node to ``root``.

    Raises:
        GraphTooLargeError: more than ``max_nodes`` of them (the message says what to do).
        ValueError: a focus node is not in ``root``'s graph.
    """
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw: max_nodes must be a positive int, got {max_nodes!r}")
    focus_nodes = _focus_nodes(focus)
    if not focus_nodes and count_nodes(root, max_nodes) > max_nodes:
        raise GraphTooLargeError(
            f"draw: this graph has more than max_nodes={max_nodes} Values, too many to read in "
            "one picture. Draw the part you are asking about: draw(root, focus=w) shows only "
            "the paths from w (a weight, an input) to the root; for a network, "
            "nn.draw_network(model, x, target=..., loss=...) draws one circle per neuron. Or "
            "pass a larger max_nodes to draw it all anyway (layout may take minutes)."
        )
    order = reading_order(root)
    if not focus_nodes:
        return order
    order = _focused(order, root, focus_nodes)
    if len(order) > max_nodes:
        raise GraphTooLargeError(
            f"draw: the paths from the focus to the root hold {len(order)} Values, more "
            f"than max_nodes={max_nodes}. Focus on a node nearer the root, or pass a "
            "larger max_nodes."
        )
    return order


def _focus_nodes(focus: object) -> list[Value]:
    if focus is None:
        return []
    nodes = [focus] if isinstance(focus, Value) else focus
    if isinstance(nodes, (str, bytes)) or not hasattr(nodes, "__iter__"):
        raise TypeError(f"draw: focus must be a Value or a list of Values, got "
                        f"{type(focus).__name__} {focus!r}")
    nodes = list(nodes)
    for v in nodes:
        if not isinstance(v, Value):
            raise TypeError(f"draw: every focus item must be a Value, got {type(v).__name__} "
                            f"{v!r}")
    return nodes


def _focused(order: list[Value], root: Value, focus: list[Value]) -> list[Value]:
    """The nodes on a path from a focus node to the root, in order."""
    in_graph = set(order)
    for v in focus:
        if v not in in_graph:
            raise ValueError(f"draw: the focus node {describe(v)} is not in the graph of "
                             f"{describe(root)}: the root does not depend on it")
    reached = set(focus)
    for node in order:
        if node not in reached and any(p in reached for p in node.parents):
            reached.add(node)
    return [v for v in order if v in reached]


def _draw_stubs(g: graphviz.Digraph, name: str, others: list[Value]) -> None:
    """The inputs of a drawn node that lie off the focused paths: small, in grey."""
    style = {"shape": "plaintext", "fontcolor": "#868e96", "height": "0.2",
             "margin": "0.02"}
    edge = {"color": "#ced4da", "arrowsize": "0.4"}
    if len(others) > 2:
        tip = ", ".join(f"{_plain_name(p)} = {_number(p.data)}" for p in others[:40])
        g.node(f"{name}_others", f"+ {len(others)} inputs", tooltip=tip, **style)
        g.edge(f"{name}_others", name, **edge)
        return
    for k, p in enumerate(others):
        text = f"{_display_name(p)} = {_number(p.data)}" if given_name(p) or p.parents \
            else _number(p.data)
        g.node(f"{name}_in{k}", _escape(text),
               tooltip=_tooltip(p, None if p.op is CONST else _grad_number(p.grad)), **style)
        g.edge(f"{name}_in{k}", name, **edge)


def _orientation(order: list[Value]) -> str:
    """Left to right when that fits a narrow notebook column (700 px), else whichever way
    is narrower: top to bottom for a small network's graph (inputs on top, the loss at the
    bottom), left to right for a wide one.

    The width is estimated from the ranks dot will use: a computed node one rank after its
    deepest input, a leaf one rank before its first reader."""
    rank: dict[Value, int] = {}
    for v in order:  # reading order: inputs first
        if v.parents:
            rank[v] = 1 + max((rank.get(p, 0) for p in v.parents), default=0)
    for v in order:
        for p in v.parents:
            if not p.parents:
                rank[p] = min(rank.get(p, rank[v] - 1), rank[v] - 1)
    for v in order:
        rank.setdefault(v, 0)  # a lone leaf
    counts: dict[int, int] = {}
    for r in rank.values():
        counts[r] = counts.get(r, 0) + 1
    across = len(counts) * _COLUMN_PX  # left to right: one column per rank
    down = max(counts.values()) * _ROW_PX  # top to bottom: the most crowded rank
    if across <= NARROW_PX or across <= down:
        return "LR"
    return "TB"


NARROW_PX = 700  # a notebook column with JupyterLab's file browser open
_COLUMN_PX = 110  # about one box and one edge, in a left-to-right drawing
_ROW_PX = 105  # about one box and the gap beside it, in a top-to-bottom drawing


def _title(v: Value) -> str:
    """A box's first line: its name and op (``ŷ · sigmoid``), or either alone (a name that
    shows its operation, ``w₁⁽²⁾ᵀa⁽¹⁾``, alone)."""
    op = op_text(v.op) if v.parents else ""
    name = given_name(v) or ""
    if name and op and not needs_parentheses(name):
        return f"{name} · {op}"
    return name or op or _plain_name(v)


def _display_name(v: Value) -> str:
    return given_name(v) or _plain_name(v)


def _wrapped(v: Value) -> str:
    """The name after a ∂: ``∂(ŷ − 1)``, ``∂ŷ``."""
    name = _plain_name(v)
    return f"({name})" if needs_parentheses(name) else name


def _plain_name(v: Value) -> str:
    """A node's name (a namer's, its label, its formula) without the global ids
    ``describe`` adds, so drawings are the same for the same graph."""
    given = given_name(v)
    if given:
        return given
    if not v.parents:
        return _number(v.data)
    name = formula(v)  # how it was computed, as step tables and explain name it
    return name if "#" not in name else op_text(v.op)


def _grad_number(grad: float | Value) -> float:
    """A gradient's number (a Value after ``backward(create_graph=True)``)."""
    return grad.data if isinstance(grad, Value) else grad


def _tooltip(v: Value, grad: float | None) -> str:
    parts = [_plain_name(v)]
    if v.label and v.label != parts[0]:  # a namer's name: the label in full on hover
        parts[0] += f" = {v.label}"
    if v.parents:
        how = full_formula(v)
        if how != parts[0]:
            parts[0] += f" = {how}"
        parts.append(f"op {op_text(v.op)}")
    parts.append(f"data {v.data!r}")
    if grad is not None:
        parts.append(f"grad {grad!r}")
    elif v.op is CONST:
        parts.append("a constant: gets no gradient")
    return "; ".join(parts)


def _role(v: Value, root: Value) -> str:
    if v is root:
        return "output"
    if v.parents:
        return "intermediate"
    return "input" if v.op is CONST else "parameter"


def _step_text(step: StepRecord) -> str:
    return (f"{_number(step.upstream_grad)} × {_number(step.local_grad)} = "
            f"{_number(step.contribution)}")


def _number(x) -> str:
    return f"{(x.data if isinstance(x, Value) else x) + 0.0:.4g}"  # + 0.0: −0.0 shows as 0


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a record label."""
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text
