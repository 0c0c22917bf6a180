"""The network diagram: a model drawn as the course draws it, with every number of one pass.

Inputs on the left, one column per layer, one circle per neuron named ``aⱼ⁽ˡ⁾``, the loss at
the end. Given a sample, each neuron shows ``z`` and ``a``; given a target and a loss too,
``∂L/∂a``, ``δ = ∂L/∂z`` and its bias ``b`` with ``∂L/∂b``; each edge carries its weight and
``∂L/∂w``. All numbers are the engine's, read from one forward and backward pass
(``nn.network_pass``). Wide layers keep the picture readable as TensorFlow Playground does: no
numbers on their edges, colour for the weight's sign and width for its size, the numbers in
the tooltip (hover in the SVG).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import graphviz

from autograd import Drawing, GraphTooLargeError, Stepper, Value

from . import checks
from .network_pass import (
    LossArg,
    NetworkPass,
    NeuronRecord,
    SampleRecord,
    layers_of,
    nin_of,
    run_pass,
)
from .network_stepper import network_stepper
from .notation import (
    input_symbol,
    neuron_symbol,
    output_symbol,
    parameter_symbol,
    subscript,
    superscript,
)

POSITIVE = "#1c7ed6"  # blue: w > 0
NEGATIVE = "#e8590c"  # orange-red: w < 0
ZERO = "#adb5bd"
GRADIENT = "#862e9c"  # purple: every number that comes from the backward pass
VALUE = "#212529"  # near black: the numbers a forward step computes (a stepper hides them)
FILLS = {"input": "#e9ecef", "hidden": "#ffffff", "output": "#ffd8a8", "loss": "#fff3bf"}
MIN_PEN, MAX_PEN = 0.6, 3.5
# Font sizes in points (4/3 px at natural size). A text with a name's sub/superscripts
# (a₁⁽¹⁾, w₁,₂⁽²⁾ = 0.4) is 11 pt, 14.7 px: its scripts, drawn at ~0.6 of it, stay >= 8 px;
# headers and the legend, without any, 10 pt (13.3 px). A picture wider than the column is
# not scaled down in the DOT: the notebook's viewport pans it (autograd.viewport).
NAME_PT = "11"
PLAIN_PT = "10"
COMPACT_WIDTH = "0.85"  # the diameter of a wide layer's neurons, in inches (all alike)
DETAILED_NEURONS = 6  # layers up to this wide show every number on each neuron
MAX_EDGES = 10_000  # weights draw_network lays out by default (about 2 s with dot)


def draw_network(model: object, x: object = None, *, target: object = None,
                 loss: LossArg = None, max_edge_labels: int = 8,
                 digits: int = 4, max_edges: int = MAX_EDGES) -> Drawing:
    """Draw ``model`` as the course does: inputs ``x₁ x₂ …`` on the left, one column per
    layer, one circle per neuron ``aⱼ⁽ˡ⁾`` (1-based), the loss node at the end.

    With a sample ``x`` each neuron shows its pre-activation and activation::

        zⱼ⁽ˡ⁾ = Σₖ wⱼₖ⁽ˡ⁾ aₖ⁽ˡ⁻¹⁾ + bⱼ⁽ˡ⁾,     aⱼ⁽ˡ⁾ = f(zⱼ⁽ˡ⁾),     a⁽⁰⁾ = x

    and with ``target`` and ``loss`` the backward pass's numbers too (in purple)::

        ∂L/∂aⱼ⁽ˡ⁾,   δⱼ⁽ˡ⁾ = ∂L/∂zⱼ⁽ˡ⁾,   ∂L/∂bⱼ⁽ˡ⁾ = δⱼ⁽ˡ⁾   on the neuron,
        wⱼₖ⁽ˡ⁾ and ∂L/∂wⱼₖ⁽ˡ⁾ = δⱼ⁽ˡ⁾ aₖ⁽ˡ⁻¹⁾                  on the edge k → j.

    Every number is read from the engine's Values of one pass — this function runs the
    forward pass on ``x`` layer by layer, builds the loss and calls ``loss.backward()`` on it
    — never recomputed. The model is left as it was: its weights, and its parameters'
    ``.grad`` (saved, zeroed for the pass, restored), so drawing never disturbs training.
    Dropout is not applied (the network is drawn as in ``eval()``).

    Edges are coloured by the weight's sign (blue > 0, orange < 0) with a width growing with
    ``|w|`` (relative to the network's largest). A layer with at most ``max_edge_labels``
    edges has its numbers written on the edges, a wider one only in the tooltips; the neurons
    of a layer wider than six show only ``a`` and ``δ``. Hover over any neuron or edge in the
    SVG to read every number at full precision and the parameter's dotted name
    (``layers.0.neurons.1.w.0``).

    Args:
        model: an ``nn.MLP``, ``nn.Layer`` or ``nn.Neuron``.
        x: one sample (a list of ``nin`` numbers); ``None`` draws the architecture (names,
            and the weights on the edges of narrow layers).
        target: the sample's target (with ``loss``).
        loss: a name ``nn.fit`` accepts (``"mse"``, ``"bce"``, ``"bce_with_logits"``,
            ``"cross_entropy"``, …) or a function ``(outputs, targets) -> Value`` (called
            with lists of one, as ``nn.fit`` calls a loss: :mod:`nn.losses`).
        max_edge_labels: label the edges of layers with at most this many edges.
        digits: significant digits of the numbers shown (tooltips show all of them).
        max_edges: refuse a network with more weights (edges) than this: the layout time
            grows with them (``MLP(784, [128, 10])``'s 101,632 would take minutes).
    Returns:
        An ``autograd.Drawing``: SVG in Jupyter, ``.save("net.svg" | "net.png" | "net.dot")``,
        ``.source`` (the DOT text).
    Raises:
        TypeError: a model other than an MLP, Layer or Neuron; a loss that returns no Value.
        autograd.GraphTooLargeError: more than ``max_edges`` weights (the message names the
            count, the limit and what to draw instead).
        ValueError: a bad ``x`` (length, NaN), a target without a loss (or the reverse), a
            target or loss without ``x``, an unknown loss name.

    Example::

        >>> from nn.examples import mazur_network
        >>> model, x, target = mazur_network()
        >>> picture = draw_network(model, x, target=target, loss="mse")
        >>> "0.08217" in picture.source   # ∂L/∂w₁,₁⁽²⁾ (Mazur's ∂E/∂w₅)
        True
    """
    who = "draw_network"
    layers = layers_of(model, who)
    max_edge_labels = checks.integer(max_edge_labels, "max_edge_labels", who, low=0,
                                     example=16)
    digits = checks.digits(digits, who)
    max_edges = checks.integer(max_edges, "max_edges", who, low=1, example=MAX_EDGES)
    edges = sum(len(n.w) for layer in layers for n in layer)
    if edges > max_edges:
        widths = " → ".join(str(n) for n in [nin_of(layers), *map(len, layers)])
        raise GraphTooLargeError(
            f"{who}: this network ({widths}) has {edges:,} weights, more than "
            f"max_edges={max_edges:,} to lay out in one picture (the renderer would take "
            "minutes, and no one can read that many edges). Draw a part: one layer, e.g. "
            "draw_network(model.layers[-1]) with that layer's inputs as x, or a smaller "
            "model; autograd.draw(loss, focus=w) shows the paths from one weight; or pass "
            "a larger max_edges to draw it all anyway"
        )
    recorded = None
    if x is None:
        if target is not None or loss is not None:
            raise ValueError(f"{who}: a target or loss needs a sample to compute it on; pass "
                             "x=[...] too (or neither, to draw the architecture)")
    else:
        targets = None if target is None else [target]
        recorded = run_pass(model, [x], targets, loss, who, batch=False)
    source = _Diagram(model, layers, recorded, max_edge_labels, digits).source()

    def step_through(lr: float | None = None) -> Stepper:
        if recorded is None:
            raise ValueError("draw_network: this diagram has no sample, so there is no pass to "
                             "step through; draw it with x (and target and loss) first")
        return network_stepper(drawing, recorded, GRADIENT, value_fill=VALUE, lr=lr,
                               digits=digits)

    drawing = Drawing(source, stepper=step_through)
    return drawing


class _Diagram:
    """Builds the DOT text of one diagram (see :func:`draw_network`)."""

    def __init__(self, model: object, layers: list, recorded: NetworkPass | None,
                 max_edge_labels: int, digits: int) -> None:
        self.layers = layers
        self.pass_ = recorded
        self.sample = recorded.samples[0] if recorded else None
        self.layered = recorded.layered if recorded else type(model).__name__ == "MLP"
        self.max_edge_labels = max_edge_labels
        # edge widths grow with |w| relative to the network's largest weight
        self.biggest = max((abs(w.data) for neurons in layers for n in neurons for w in n.w),
                           default=0.0) or 1.0
        self.fmt: Callable[[float], str] = lambda v: _short(v, digits)
        self.g = graphviz.Digraph("network", graph_attr={
            "rankdir": "LR", "nodesep": "0.12", "ranksep": f"{self._ranksep():.2f}",
            "fontname": "Helvetica", "fontsize": PLAIN_PT, "labelloc": "b", "labeljust": "l",
            "pad": "0.15",
        })
        self.g.attr("node", fontname="Helvetica", fontsize=NAME_PT, margin="0.02")
        self.g.attr("edge", fontname="Helvetica", fontsize=NAME_PT, arrowsize="0.5")

    def _ranksep(self) -> float:
        """The gap between columns, in inches: 0.5 (labelled edges widen their gap by their
        labels), growing with √(edges) of the densest unlabelled layer (16×16: 1.3)."""
        dense = [sum(len(n.w) for n in neurons) for neurons in self.layers]
        dense = [e for e in dense if e > self.max_edge_labels]
        return 0.5 + 0.05 * max(dense, default=0) ** 0.5

    # --- the picture -------------------------------------------------------------------------
    def source(self) -> str:
        self._inputs()
        for li, neurons in enumerate(self.layers):
            self._layer(li, neurons)
        if self.pass_ is not None and self.pass_.loss is not None:
            self._loss(self.pass_, self.pass_.loss, self.pass_.samples[0])
        self.g.attr(label=self._legend())
        return self.g.source

    def _column(self, header: str, names: list[str], tooltip: str) -> None:
        """One column: a header on top, then ``names`` top to bottom (invisible edges fix
        the order; without them dot may shuffle neurons to reduce crossings)."""
        head = f"head_{names[0]}"
        with self.g.subgraph() as column:
            column.attr(rank="same")
            column.node(head, header, shape="plaintext", fontsize=PLAIN_PT,
                        tooltip=tooltip)
            for upper, lower in zip([head, *names], names):
                column.edge(upper, lower, style="invis")

    def _inputs(self) -> None:
        nin = nin_of(self.layers)
        names = [f"x{k}" for k in range(nin)]
        self._column("inputs", names, "the sample: data, so it gets no gradient")
        for k, name in enumerate(names):
            symbol = input_symbol(k + 1)
            if self.sample is None:
                label, tip = symbol, f"input {symbol}"
            else:
                value = self.sample.x[k]
                label = (f'<{html.escape(symbol)}<BR/><FONT COLOR="{VALUE}">'
                         f"{html.escape(self.fmt(value))}</FONT>>")
                tip = f"input {symbol} = {value!r} (data: a constant, no gradient)"
            self.g.node(name, label, shape="circle", style="filled", fillcolor=FILLS["input"],
                        tooltip=tip, width="0.45", fixedsize="false", **_classed(name))

    def _layer(self, li: int, neurons: list) -> None:
        last = li == len(self.layers) - 1
        lnum = li + 1 if self.layered else None
        n_edges = sum(len(n.w) for n in neurons)
        labelled = n_edges <= self.max_edge_labels
        detailed = len(neurons) <= DETAILED_NEURONS
        acts = [_activation_name(n) for n in neurons]  # what each neuron computes
        act = acts[0] if len(set(acts)) == 1 else "/".join(dict.fromkeys(acts))
        header = f"layer {li + 1}" if self.layered else "layer"
        header += f"\\n{act}" + (" · output" if last else "")
        names = [_node(li, j) for j in range(len(neurons))]
        self._column(header, names, f"{len(neurons)} neurons, activation {act}, "
                                    f"{n_edges} weights")
        for j, neuron in enumerate(neurons):
            rec = self.sample.layers[li][j] if self.sample else None
            symbol = neuron_symbol("a", lnum, j + 1)
            label = self._neuron_label(symbol, neuron, rec, lnum, j, detailed)
            size = {} if detailed else {"width": COMPACT_WIDTH}
            self.g.node(names[j], label, shape="circle", style="filled", **size,
                        fillcolor=FILLS["output" if last else "hidden"],
                        tooltip=self._neuron_tooltip(symbol, neuron, rec, lnum, j, acts[j]),
                        **_classed(names[j]))
            for k, w in enumerate(neuron.w):
                self._edge(li, j, k, w, rec, labelled)

    def _edge(self, li: int, j: int, k: int, w: Value, rec: NeuronRecord | None,
              labelled: bool) -> None:
        source = f"x{k}" if li == 0 else _node(li - 1, k)
        colour = POSITIVE if w.data > 0 else NEGATIVE if w.data < 0 else ZERO
        width = MIN_PEN + (MAX_PEN - MIN_PEN) * min(abs(w.data) / self.biggest, 1.0)
        symbol = parameter_symbol(w)
        tip = [f"{symbol} = {w.label} = {w.data!r}"]
        lines = [(f"{symbol} = {self.fmt(w.data)}", colour)]
        if self.pass_ is not None and self.pass_.has_grads and rec is not None:
            grad = self.pass_.grad(w)
            lnum = li + 1 if self.layered else None
            a_prev = input_symbol(k + 1) if li == 0 else \
                neuron_symbol("a", lnum - 1 if lnum else None, k + 1)
            tip.append(f"∂L/∂{symbol} = {grad!r} = {neuron_symbol('δ', lnum, j + 1)} · "
                       f"{a_prev} = {rec.delta!r} × {rec.inputs[k].data!r}")
            lines.append((f"∂L/∂w = {self.fmt(grad)}", GRADIENT))
        attrs = {"color": colour, "penwidth": f"{width:.2f}", "tooltip": _tooltip(tip),
                 "arrowhead": "normal", **_classed(f"{source}-{_node(li, j)}")}
        if labelled:
            attrs["label"] = _html_lines(lines)

        self.g.edge(source, _node(li, j), **attrs)

    def _neuron_label(self, symbol: str, neuron, rec: NeuronRecord | None,
                      lnum: int | None, j: int, detailed: bool) -> str:
        rows: list[tuple[str, str, str]] = []  # (name, value, colour)
        fmt = self.fmt
        graded = self.pass_ if self.pass_ is not None and self.pass_.has_grads else None
        if rec is None:
            if detailed:
                rows.append(("b", fmt(neuron.b.data), "black"))
        elif detailed:
            rows += [("z", fmt(rec.z.data), VALUE), ("a", fmt(rec.a.data), VALUE),
                     ("b", fmt(neuron.b.data), "black")]
            if graded is not None:
                rows += [("∂L/∂a", fmt(rec.a_grad), GRADIENT),
                         ("δ = ∂L/∂z", fmt(rec.delta), GRADIENT),
                         ("∂L/∂b", fmt(graded.grad(neuron.b)), GRADIENT)]
        else:
            rows.append(("a", fmt(rec.a.data), VALUE))
            if graded is not None:
                rows.append(("δ", fmt(rec.delta), GRADIENT))
        cells = [f'<TR><TD COLSPAN="2"><B>{html.escape(symbol)}</B></TD></TR>']
        for name, value, colour in rows:
            if name == "b":  # one text "b = 0.35", which an update step rewrites
                cells.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT">b = {html.escape(value)}'
                             '</TD></TR>')
                continue
            label_colour = "black" if colour == VALUE else colour  # hidden: the number only
            cells.append(f'<TR><TD ALIGN="LEFT"><FONT COLOR="{label_colour}">'
                         f'{html.escape(name)}&#160;</FONT></TD><TD ALIGN="RIGHT">'
                         f'<FONT COLOR="{colour}">{html.escape(value)}</FONT></TD></TR>')
        return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
                + "".join(cells) + "</TABLE>>")

    def _neuron_tooltip(self, symbol: str, neuron, rec: NeuronRecord | None,
                        lnum: int | None, j: int, act: str) -> str:
        z, delta = neuron_symbol("z", lnum, j + 1), neuron_symbol("δ", lnum, j + 1)
        b = neuron.b
        b = neuron.b
        inputs = "xₖ" if lnum in (None, 1) else f"aₖ{superscript(lnum - 1)}"
        weights = f"w{subscript(j + 1)},ₖ{superscript(lnum)}"
        lines = [f"{symbol}: neuron {j + 1}" + (f" of layer {lnum}" if lnum else "")
                 + f"; {symbol} = {act}({z}), {z} = Σₖ {weights} {inputs} + "
                 f"{parameter_symbol(b)}",
                 f"{parameter_symbol(b)} = {b.label} = {b.data!r}"]
        if rec is not None:
            lines += [f"{z} = {rec.z.data!r}", f"{symbol} = {rec.a.data!r}",
                      f"f′({z}) = {rec.fprime!r}"]
            if self.pass_ is not None and self.pass_.has_grads:
                lines += [f"∂L/∂{symbol} = {rec.a_grad!r}",
                          f"{delta} = ∂L/∂{z} = ∂L/∂{symbol} · f′({z}) = {rec.delta!r}",
                          f"∂L/∂{parameter_symbol(b)} = {self.pass_.grad(b)!r}"]
        return _tooltip(lines)

    def _loss(self, p: NetworkPass, loss: Value, sample: SampleRecord) -> None:
        target = sample.target
        target_text = ", ".join(self.fmt(t) for t in target) \
            if isinstance(target, (list, tuple)) else str(target)
        label = _html_lines([("L", "black"), (p.loss_name, "black"),
                             (self.fmt(loss.data), VALUE),
                             (f"target {target_text}", "black")], bold_first=True)
        self._column("loss", ["loss"], f"the loss {p.loss_name}, where backprop starts")
        self.g.node("loss", label, shape="box", style="rounded,filled", margin="0.12,0.06",
                    fillcolor=FILLS["loss"], **_classed("loss"),
                    tooltip=_tooltip([f"L = {p.loss_name}(ŷ, y) = {loss.data!r}",
                                      f"y = {target!r}"]))
        last = len(self.layers) - 1
        lnum = last + 1 if self.layered else None
        for j, rec in enumerate(sample.layers[last]):
            symbol = neuron_symbol("a", lnum, j + 1)
            self.g.edge(_node(last, j), "loss", color="#868e96", penwidth="1",
                        **_classed(f"{_node(last, j)}-loss"),
                        tooltip=_tooltip([f"{output_symbol(j + 1, len(sample.layers[last]))}"
                                          f" = {symbol} = {rec.a.data!r}",
                                          f"∂L/∂{symbol} = {rec.a_grad!r}"]))

    def _legend(self) -> str:
        parts = ["edges: blue w > 0, orange w < 0, thicker = larger |w|"]
        if self.pass_ is not None and self.pass_.has_grads:
            parts.append("purple: gradients of one loss.backward()")
        parts.append("hover for exact values and names")
        return "\\n".join(parts)  # one line each (DOT's line break): narrow enough for a column


def _tooltip(lines: list[str]) -> str:
    """Lines joined by DOT's ``\\n`` escape (a line break in the SVG's hover text), so each
    node and edge stays on one line of the DOT source."""
    return "\\n".join(line.replace("\\", "\\\\").replace('"', "'") for line in lines)


def _node(li: int, j: int) -> str:
    return f"n{li}_{j}"


def _classed(name: str) -> dict[str, str]:
    """The SVG class naming a node or edge (``tg-n0_1``, ``tg-x0-n0_1``), for the stepper."""
    return {"class": f"tg-{name}"}


def _activation_name(neuron) -> str:
    """The name of the activation the neuron computes (``Neuron.activation`` drives its
    forward, so the picture cannot go stale)."""
    act = neuron.activation
    return act if isinstance(act, str) else getattr(act, "__name__", "f")


def _short(v: float, digits: int) -> str:
    return "0" if v == 0 else f"{v:.{digits}g}"


def _html_lines(lines: list[tuple[str, str]], bold_first: bool = False) -> str:
    """An HTML-like label: one line per ``(text, colour)``."""
    cells = []
    for i, (text, colour) in enumerate(lines):
        text = html.escape(text)
        if bold_first and i == 0:
            text = f"<B>{text}</B>"
        if colour != "black":
            text = f'<FONT COLOR="{colour}">{text}</FONT>'
        cells.append(f"<TR><TD>{text}</TD></TR>")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
            + "".join(cells) + "</TABLE>>")
