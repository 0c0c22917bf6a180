"""Drawing computation graphs with Graphviz — no system install needed.

``draw(root)`` writes DOT text and renders it with the system ``dot`` when one is on PATH,
else with the ``graphviz-pure`` binary that ``pip install tracegrad`` puts next to Python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path

import graphviz

from .backward import StepRecord
from .errors import GraphTooLargeError
from .graph import count_nodes, op_text, topological_order
from .ops import CONST
from .value import Value

# Fill colors by role (color-blind friendly pairs, readable in print).
COLORS = {
    "parameter": "#a5d8ff",  # a leaf you made: a weight, a bias, a variable
    "input": "#e9ecef",  # a constant: data or a number in an expression
    "intermediate": "#ffffff",
    "output": "#ffd8a8",
}
HIGHLIGHT = "#e03131"
FORMATS = {".svg": "svg", ".png": "png", ".dot": None, ".gv": None}


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


class Drawing:
    """A rendered-on-demand graph picture: shows as SVG in Jupyter.

    Attributes:
        source: the DOT text (deterministic for the same graph).
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def pipe(self, format: str = "svg") -> bytes:
        """Render to ``format`` (``"svg"`` or ``"png"``) and return the bytes."""
        renderer = find_renderer()
        try:
            done = subprocess.run(
                [renderer, f"-T{format}"],
                input=self.source.encode(),
                capture_output=True,
                timeout=120,
                check=False,
            )
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

    def _repr_svg_(self) -> str:
        return self.svg()

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
    show_data: bool = True,
    show_grad: bool = True,
    highlight: Value | StepRecord | None = None,
    rankdir: str = "LR",
    max_nodes: int = 250,
    show_local_grads: bool = False,
    grads: Mapping[Value, float] | None = None,
) -> Drawing:
    """Draw ``root``'s computation graph: one box per Value, one ellipse per op.

    Colours: blue for leaves you made (parameters, variables), grey for constants and data,
    white for intermediate results, orange for the output.

    Args:
        root: the output node.
        show_data: print each node's data.
        show_grad: print each node's grad (run ``backward()`` first, or all show 0).
        highlight: a Value to outline in red, or a :class:`StepRecord` whose edge (parent →
            node) is drawn in red with its product ``upstream × local``.
        rankdir: ``"LR"`` (left to right) or ``"TB"`` (top to bottom).
        max_nodes: refuse larger graphs (layout gets slow and unreadable).
        show_local_grads: label each edge parent → op with the local derivative
            ∂node/∂parent (stored at forward time, so visible before ``backward()``).
        grads: gradients to show instead of the nodes' ``.grad`` (e.g. part-way through a
            backward pass); nodes missing from it show their ``.grad``.
    Returns:
        A :class:`Drawing` (``.source``, ``.save(path)``, SVG in Jupyter).
    Raises:
        GraphTooLargeError: the graph has more than ``max_nodes`` Values.

    Example::

        >>> from autograd import Value, draw
        >>> a = Value(2.0, label="a"); b = a * 3; b.label = "b"
        >>> "b" in draw(b).source
        True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw: expected a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw: max_nodes must be a positive int, got {max_nodes!r}")
    if count_nodes(root, max_nodes) > max_nodes:
        raise GraphTooLargeError(
            f"draw: this graph has more than max_nodes={max_nodes} Values, too many to lay out "
            "readably. Draw a smaller part (one sample's loss, one neuron's output), or pass "
            "a larger max_nodes to draw it anyway (layout may take minutes)."
        )
    order = topological_order(root)
    names = {v: f"n{i}" for i, v in enumerate(order)}
    g = graphviz.Digraph("computation_graph", graph_attr={"rankdir": rankdir})
    g.attr("node", fontname="Helvetica", fontsize="11")
    g.attr("edge", color="#495057")
    step = highlight if isinstance(highlight, StepRecord) else None
    marked = highlight if isinstance(highlight, Value) else None

    for v in order:
        name = names[v]
        fields = [_escape(v.label)] if v.label else []
        if show_data:
            fields.append(f"data {v.data:.4f}")
        if show_grad:
            grad = grads.get(v, v.grad) if grads is not None else v.grad
            grad = grad.data if isinstance(grad, Value) else grad
            fields.append(f"grad {grad:.4f}")
        attrs = {"shape": "record", "style": "filled", "fillcolor": COLORS[_role(v, root)]}
        if v is marked or (step is not None and v in (step.node, step.parent)):
            attrs.update(color=HIGHLIGHT, penwidth="2.5")
        g.node(name, "{ " + " | ".join(fields or [" "]) + " }", **attrs)
        if v.parents:
            op_name = name + "_op"
            g.node(op_name, _escape(op_text(v.op)), shape="ellipse", style="filled",
                   fillcolor="#f8f9fa")
            g.edge(op_name, name)
            locals_by_parent: dict[Value, list] = {}
            for p, local in zip(v.parents, v.local_grads):
                locals_by_parent.setdefault(p, []).append(local)  # a reused parent: one edge
            for p, local in locals_by_parent.items():
                edge = {}
                if show_local_grads:
                    edge = {"label": " + ".join(_number(x) for x in local), "fontsize": "9",
                            "fontcolor": "#1971c2"}
                if step is not None and v is step.node and p is step.parent:
                    edge = {"color": HIGHLIGHT, "penwidth": "3", "fontcolor": HIGHLIGHT,
                            "label": _escape(_step_text(step))}
                g.edge(names[p], op_name, **edge)
    return Drawing(g.source)


_SUBSCRIPTS = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
_SUPERSCRIPTS = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def short_label(label: str) -> str:
    """A parameter's dotted name as the course writes it, 1-based: the symbol, the layer as
    a superscript and the other indices as subscripts.

    ``layers.0.neurons.1.w.0`` (layer 1, neuron 2, input 1) becomes ``w₂,₁⁽¹⁾``, i.e.
    w₂₁⁽¹⁾ in the course's notation; ``layers.1.neurons.0.b`` becomes ``b₁⁽²⁾``;
    ``neurons.1.w.0`` becomes ``w₂,₁``. A label without dots is returned unchanged.

    Example::

        >>> short_label("layers.0.neurons.1.w.0"), short_label("w.2"), short_label("x0")
        ('w₂,₁⁽¹⁾', 'w₃', 'x0')
    """
    parts = label.split(".")
    if len(parts) == 1 or not all(parts):
        return label
    symbols = [p for p in parts if not p.isdigit()]
    if not symbols:
        return label
    layer = ""
    indices = []
    for previous, part in zip(["", *parts], parts):
        if part.isdigit():
            if previous == "layers" and not layer:
                layer = f"({int(part) + 1})".translate(_SUPERSCRIPTS)
            else:
                indices.append(str(int(part) + 1))
    return symbols[-1] + ",".join(indices).translate(_SUBSCRIPTS) + layer


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
    return f"{(x.data if isinstance(x, Value) else x):.4g}"


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a record label."""
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text
