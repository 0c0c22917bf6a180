"""Why a gradient has its value: ∂root/∂w as a sum over paths of products of local derivatives.

The chain rule on a graph says::

    ∂L/∂w  =  Σ over every path w → … → L   Π over the path's edges  ∂(child)/∂(parent)

and, grouping the paths by the node c right after w (the "gradient arriving from the next
layer")::

    ∂L/∂w  =  Σ_c  ∂L/∂c · ∂c/∂w

:func:`explain` computes both from the local derivatives the forward pass stored, lists the
paths when they are few (and the groups always), and, for a loss that is a mean over N
samples, the per-sample terms (1/N) Σᵢ ∂ℓᵢ/∂w.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .backward import contribution, gradients
from .graph import formula, needs_parentheses, short_label, topological_order
from .ops import CONST, DIV, MUL, SUM
from .value import Value


class Factor(NamedTuple):
    """One edge of a path: ∂node/∂parent, the local derivative stored by the forward pass."""

    node: Value
    parent: Value
    local: float

    def __str__(self) -> str:
        return f"∂{_wrap(self.node)}/∂{_wrap(self.parent)} = {_fmt(self.local)}"


class Path(NamedTuple):
    """One path from ``wrt`` to the root.

    Fields:
        nodes: the nodes along it, ``wrt`` first, the root last.
        factors: its local derivatives, the root's end first (as the chain rule is written:
            ∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂w).
        product: their product, the path's share of the gradient.
    """

    nodes: tuple[Value, ...]
    factors: tuple[Factor, ...]
    product: float


class Group(NamedTuple):
    """The paths through one node c where the paths from ``wrt`` part: ∂root/∂c · ∂c/∂wrt.

    Fields:
        node: c. Paths are grouped where they first part ways: if ``wrt`` feeds a single
            chain of nodes (a weight → its neuron's z → a), c are the nodes that chain's
            last node feeds (the next layer), else the nodes ``wrt`` feeds directly.
        upstream: ∂root/∂c, the gradient arriving from c's side (the engine's number).
        local: ∂c/∂wrt: the product of the local derivatives along ``via``, then into c
            (summed if a node enters c more than once).
        product: ``upstream × local``.
        paths: how many paths from ``wrt`` to the root go through c this way.
        via: the chain from ``wrt`` to the node c reads (``wrt`` excluded; empty when c
            reads ``wrt`` itself).
    """

    node: Value
    upstream: float
    local: float
    product: float
    paths: int
    via: tuple[Value, ...] = ()


class SampleTerm(NamedTuple):
    """For a mean loss J = (1/N) Σᵢ ℓᵢ: sample i's gradient ∂ℓᵢ/∂wrt, by the node after wrt."""

    index: int
    loss: Value
    groups: tuple[Group, ...]
    gradient: float


class Explanation:
    """∂root/∂wrt taken apart: see :func:`explain`.

    Attributes:
        root, wrt: the output and the node differentiated by.
        total: the sum of the paths' products (= of the groups' products).
        engine: ∂root/∂wrt as the backward pass computes it, for comparison.
        path_count: how many paths lead from ``wrt`` to ``root``.
        groups: one :class:`Group` per edge out of ``wrt`` (the gradient arriving from
            the next node), always computed.
        samples: per-sample terms when ``root`` is a mean ``(Σᵢ ℓᵢ) / N``, else ``None``.
        scale: the mean's factor 1/N (``None`` when ``root`` is not a mean).
    """

    def __init__(self, root: Value, wrt: Value, paths: tuple[Path, ...] | None,
                 path_count: int, groups: tuple[Group, ...], total: float, engine: float,
                 samples: tuple[SampleTerm, ...] | None, scale: float | None,
                 max_paths: int) -> None:
        self.root, self.wrt = root, wrt
        self._paths = paths
        self.path_count = path_count
        self.groups = groups
        self.total = total
        self.engine = engine
        self.samples = samples
        self.scale = scale
        self._max_paths = max_paths

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every path with its factors and product (only when there are at most
        ``max_paths``; otherwise read :attr:`groups`)."""
        if self._paths is None:
            raise ValueError(
                f"explain: {self.path_count:,} paths lead from {_name(self.wrt)} to "
                f"{_name(self.root)}, more than max_paths={self._max_paths}, so they were not "
                "listed. Read .groups (the gradient arriving from each next node), or call "
                "explain(root, wrt, max_paths=...) with a larger limit."
            )
        return self._paths

    # --- display -------------------------------------------------------------------------
    def __str__(self) -> str:
        r, w = _name(self.root), _name(self.wrt)
        dr, dw = _wrap(self.root), _wrap(self.wrt)  # names after a ∂, parenthesised if needed
        head = f"∂{dr}/∂{dw} = {_fmt(self.total)}"
        if self.path_count == 0:
            return f"{head}: {r} does not depend on {w} (no path leads from {w} to {r})."
        if self.wrt is self.root:
            return f"{head}: the derivative of a node by itself (the seed of the backward pass)"
        lines = [f"{head}   (backward computes {_fmt(self.engine)})"]
        if self.samples is not None:
            lines.append(f"{r} is a mean of N = {len(self.samples)} terms ℓᵢ (one per sample, "
                         f"or per output): ∂{dr}/∂{dw} = (1/N) Σᵢ ∂ℓᵢ/∂{dw}, each by the "
                         f"node after {w}:")
            for s in self.samples:
                parts = " + ".join(f"∂ℓ{s.index}/∂{_wrap(g.node)} · ∂{_wrap(g.node)}/∂{dw} = "
                                   f"{_fmt(g.upstream)} × {_fmt(g.local)}" for g in s.groups)
                lines.append(f"  i = {s.index}: {parts or '0'} = {_fmt(s.gradient)}")
            terms = " + ".join(f"({_fmt(s.gradient)})" for s in self.samples)
            lines.append(f"  (1/{len(self.samples)}) × [{terms}] = {_fmt(self.total)}")
            return "\n".join(lines)
        if self._paths is not None:
            plural = "path" if self.path_count == 1 else "paths"
            lines.append(f"Sum over the {self.path_count} {plural} from {w} to {r} of the "
                         "product of the local derivatives along it:")
            for k, p in enumerate(self._paths, 1):
                chain = " ← ".join(_name(v) for v in reversed(p.nodes))
                factors = " × ".join(_fmt(f.local) for f in p.factors)
                names = " · ".join(f"∂{_wrap(f.node)}/∂{_wrap(f.parent)}" for f in p.factors)
                lines.append(f"  path {k}: {chain}\n      {names} = {factors} = "
                             f"{_fmt(p.product)}")
            return "\n".join(lines)
        via = self.groups[0].via if self.groups else ()
        where = f"after {w} → {' → '.join(_name(v) for v in via)}" if via else f"after {w}"
        lines.append(f"{self.path_count:,} paths lead from {w} to {r}; grouped where they "
                     f"part, by the nodes c read {where} (the gradient arriving from the next "
                     f"layer): ∂{dr}/∂{dw} = Σ_c ∂{dr}/∂c · ∂c/∂{dw}:")
        for g in self.groups:
            c, dc = _name(g.node), _wrap(g.node)
            lines.append(f"  c = {c}: ∂{dr}/∂{dc} × ∂{dc}/∂{dw} = {_fmt(g.upstream)} × "
                         f"{_fmt(g.local)} = {_fmt(g.product)}   ({_paths(g.paths)})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<Explanation ∂{_wrap(self.root)}/∂{_wrap(self.wrt)} = {_fmt(self.total)}: "
                f"{self.path_count:,} paths>")

    def _repr_latex_(self) -> str:
        """Rendered math: the decomposition with its numbers, one line per path (or group,
        or sample); the nodes' names are in the text form (``print(explanation)``)."""
        r, w = _tex(self.root), _tex(self.wrt)
        d = _partial(r, w)
        if self.path_count == 0:
            return f"$${d} = 0 \\quad\\text{{(no path from {_text(self.wrt)} to " \
                   f"{_text(self.root)})}}$$"
        if self.wrt is self.root:
            return f"$${d} = {_num(self.total)}$$"
        rows = []
        if self.samples is not None:
            n = len(self.samples)
            rows.append(f"{d} &= \\frac{{1}}{{N}}\\sum_{{i=1}}^{{N}} "
                        f"\\frac{{\\partial \\ell_i}}{{\\partial c_i}}\\,"
                        f"\\frac{{\\partial c_i}}{{\\partial {w}}}"
                        f"\\qquad N = {n}\\text{{ terms}},\\ c_i = "
                        f"\\text{{the node after {_text(self.wrt)}}}")
            for s in self.samples:
                terms = " + ".join(f"({_num(g.upstream)})({_num(g.local)})"
                                   for g in s.groups) or "0"
                rows.append(f"&\\quad i = {s.index}:\\ {terms} = {_num(s.gradient)}")
            inner = " + ".join(f"({_num(s.gradient)})" for s in self.samples)
            rows.append(f"&= \\tfrac{{1}}{{{n}}}\\left[{inner}\\right] = {_num(self.total)}")
        elif self._paths is not None:
            rows.append(f"{d} &= \\sum_{{\\text{{paths}}}}\\ \\prod_{{\\text{{edges}}}} "
                        "\\frac{\\partial\\,\\text{child}}{\\partial\\,\\text{parent}}")
            for k, p in enumerate(self._paths, 1):
                nums = "".join(f"({_num(f.local)})" for f in p.factors)
                rows.append(f"&\\quad \\text{{path {k}:}}\\ {nums} = {_num(p.product)}")
            rows.append(f"&= {_num(self.total)}")
        else:
            rows.append(f"{d} &= \\sum_c {_partial(r, 'c')}\\,{_partial('c', w)}"
                        f"\\qquad \\text{{({self.path_count:,} paths)}}")
            for g in self.groups:
                rows.append(f"&\\quad ({_num(g.upstream)})({_num(g.local)}) = {_num(g.product)}"
                            f" \\quad \\text{{(c = {_text(g.node)}: {_paths(g.paths)})}}")
            rows.append(f"&= {_num(self.total)}")
        return "$$\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$$"


def explain(root: Value, wrt: Value, *, max_paths: int = 12) -> Explanation:
    """∂root/∂wrt as the sum over every path from ``wrt`` to ``root`` of the product of the
    local derivatives along it — the chain rule written out.

    .. math::

        \\frac{\\partial L}{\\partial w} = \\sum_{\\text{paths } w \\to L}
        \\prod_{(p \\to c) \\in \\text{path}} \\frac{\\partial c}{\\partial p}
        = \\sum_{c} \\frac{\\partial L}{\\partial c}\\,\\frac{\\partial c}{\\partial w}

    The paths are listed (``.paths``) when there are at most ``max_paths``; the groups by the
    node c right after ``wrt`` (``.groups``, the gradient arriving from the next layer) are
    always given, with how many paths each holds. When ``root`` is a mean ``(Σᵢ ℓᵢ) / N``
    (as ``nn.losses`` compute a batch loss), ``.samples`` gives the per-sample terms
    ∂ℓᵢ/∂w = Σ_c ∂ℓᵢ/∂c · ∂c/∂w: for a sigmoid neuron with cross-entropy this reads
    (1/N) Σᵢ (ŷᵢ − yᵢ)·xᵢ. ``.total`` equals what ``backward`` computes (``.engine``).

    Prints as text; shows as rendered math in Jupyter. Touches no ``.grad``.

    Args:
        root: the output (usually a loss).
        wrt: the node to differentiate by (a parameter, or any node of the graph).
        max_paths: list the paths only up to this many (their number can grow
            exponentially with depth).
    Returns:
        An :class:`Explanation`.
    Raises:
        TypeError: ``root`` or ``wrt`` is not a Value.
        ValueError: ``wrt`` is a constant (data gets no gradient), or ``max_paths`` is not a
            non-negative int.

    Example::

        >>> from autograd import Value, explain
        >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"
        >>> e = explain(y, x); e.total, len(e.paths), [p.product for p in e.paths]
        (6.0, 2, [3.0, 3.0])
    """
    for name, v in (("root", root), ("wrt", wrt)):
        if not isinstance(v, Value):
            raise TypeError(f"explain: {name} must be a Value, got {type(v).__name__} {v!r}")
    if root.op is CONST:
        raise ValueError(
            f"explain: root = {_name(root)} is a constant — computed inside no_grad(), or from "
            "constants only — so it has no graph to explain. Compute it with gradients "
            "enabled, from Values."
        )
    if wrt.op is CONST:
        raise ValueError(
            f"explain: wrt = {_name(wrt)} is a constant (data, or a result computed inside "
            "no_grad()), and constants get no gradient. To see ∂root/∂x for an input x, make "
            "x a Value (Value(x), not constant(x) or a plain number) before building the graph."
        )
    if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 0:
        raise ValueError(f"explain: max_paths must be a non-negative int, got {max_paths!r}")
    order = topological_order(root)
    through = _paths_from(wrt, order)  # paths from wrt to each node (0: not reached)
    grads = gradients(root)
    engine = grads.get(wrt, 0.0) if wrt is not root else grads[root]
    count = through.get(root, 0)
    groups = _groups(root, wrt, order, grads, at_split=True)
    paths = None
    if count <= max_paths:
        paths = tuple(_enumerate_paths(root, wrt, through))
        total = _sum(p.product for p in paths)
    else:
        total = _sum(g.product for g in groups)
    samples, scale = None, None
    mean = _mean_terms(root)
    if mean is not None and count and wrt is not root and wrt not in root.parents \
            and wrt not in mean[0]:
        terms, scale = mean
        samples = tuple(_sample_term(i, term, wrt) for i, term in enumerate(terms, 1))
        if not math.isclose(scale * _sum(t.gradient for t in samples), total,
                            rel_tol=1e-9, abs_tol=1e-300):
            samples, scale = None, None  # not a plain mean of independent terms
    return Explanation(root, wrt, paths, count, groups, total, engine, samples, scale,
                       max_paths)


def _paths_from(wrt: Value, order: list[Value]) -> dict[Value, int]:
    """How many paths lead from ``wrt`` to each node reachable from it (by edge, so an
    input used twice counts twice), through nodes that get gradients."""
    through: dict[Value, int] = {wrt: 1}
    for node in order:
        if node is wrt:
            continue
        n = 0
        for p in node.parents:
            n += through.get(p, 0)
        if n:
            through[node] = n
    return through


def _paths_to(root: Value, order: list[Value]) -> dict[Value, int]:
    """How many paths lead from each node to ``root``."""
    down: dict[Value, int] = {root: 1}
    for node in reversed(order):
        k = down.get(node, 0)
        if k:
            for p in node.parents:
                if p.op is not CONST:
                    down[p] = down.get(p, 0) + k
    return down


def _groups(root: Value, wrt: Value, order: list[Value], grads: dict, *,
            at_split: bool) -> tuple[Group, ...]:
    """The paths grouped by the node after ``wrt`` — or, ``at_split``, after the single
    chain ``wrt`` feeds, where the paths part."""
    if wrt is root or wrt not in grads:
        return ()
    down = _paths_to(root, order)
    readers: dict[Value, list[Value]] = {}
    for c in order:
        if c in down:
            for p in dict.fromkeys(c.parents):
                readers.setdefault(p, []).append(c)
    via: list[Value] = []
    start, chain_local = wrt, 1.0
    while at_split:
        nxt = readers.get(start, [])
        if len(nxt) != 1 or nxt[0] is root or nxt[0].parents.count(start) != 1:
            break
        node = nxt[0]
        chain_local *= node.local_grads[node.parents.index(start)]
        via.append(node)
        start = node
    groups = []
    for c in readers.get(start, []):
        local = _sum(g for p, g in zip(c.parents, c.local_grads) if p is start) * chain_local
        upstream = grads[c]
        groups.append(Group(c, upstream, local, contribution(c.op, local, upstream),
                            down[c] * c.parents.count(start), tuple(via)))
    return tuple(groups)


def _enumerate_paths(root: Value, wrt: Value, through: dict[Value, int]):
    """Every path, found from the root backwards along edges whose parent ``wrt`` reaches;
    each product accumulated from the root's end exactly as backward multiplies."""
    if root is wrt:
        yield Path((wrt,), (), 1.0)
        return
    stack: list = [(root, None, 1.0)]  # (node, the factors so far as a linked list, product)
    while stack:
        node, link, partial = stack.pop()
        edges = [(p, local) for p, local in zip(node.parents, node.local_grads)
                 if p in through]
        for parent, local in reversed(edges):
            step = (Factor(node, parent, local), link)
            product = contribution(node.op, local, partial)
            if parent is wrt:
                factors = []
                while step is not None:
                    factors.append(step[0])
                    step = step[1]
                factors.reverse()  # the root's end first
                nodes = (wrt, *(f.node for f in reversed(factors)))
                yield Path(nodes, tuple(factors), product)
            else:
                stack.append((parent, step, product))


def _mean_terms(root: Value) -> tuple[tuple[Value, ...], float] | None:
    """``(terms, 1/N)`` when root is ``sum(terms) / N`` or ``sum(terms) * (1/N)``."""
    if len(root.parents) != 2 or root.op not in (DIV, MUL):
        return None
    a, b = root.parents
    if root.op is MUL and a.op is CONST:
        a, b = b, a
    if a.op is not SUM or b.op is not CONST or not a.parents:
        return None
    scale = 1.0 / b.data if root.op is DIV else b.data
    if not math.isclose(scale * len(a.parents), 1.0, rel_tol=1e-12):
        return None  # a weighted sum, not a mean over the terms
    return a.parents, scale


def _sample_term(index: int, term: Value, wrt: Value) -> SampleTerm:
    if term.op is CONST:
        return SampleTerm(index, term, (), 0.0)
    groups = _groups(term, wrt, topological_order(term), gradients(term), at_split=False)
    return SampleTerm(index, term, groups, _sum(g.product for g in groups))


def _paths(n: int) -> str:
    return f"{n:,} path" if n == 1 else f"{n:,} paths"


def _sum(values) -> float:
    total = 0.0
    for v in values:
        total += v
    return total


def _name(v: Value) -> str:
    return short_label(v.label) if v.label else formula(v)


def _wrap(v: Value) -> str:
    """The name after a ∂: ``∂(w0·x0 + b)``, ``∂ŷ``."""
    name = _name(v)
    return f"({name})" if needs_parentheses(name) else name


def _fmt(x: float) -> str:
    return f"{x + 0.0:.6g}"  # + 0.0: −0.0 shows as 0


def _num(x: float) -> str:
    """A number for LaTeX: 1.5e-07 as 1.5 × 10⁻⁷, inf as ∞."""
    if not math.isfinite(x):
        return "\\text{NaN}" if math.isnan(x) else ("-" if x < 0 else "") + "\\infty"
    text = f"{x + 0.0:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}\\times 10^{{{int(exponent)}}}"
    return text


def _text(v: Value) -> str:
    name = _name(v).replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
    return name.replace("$", "\\$")


def _tex(v: Value) -> str:
    return f"\\text{{{_text(v)}}}"


def _partial(top: str, bottom: str) -> str:
    return f"\\frac{{\\partial {top}}}{{\\partial {bottom}}}"
