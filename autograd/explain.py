"""Why a gradient has its value: ∂root/∂w as a sum over paths of products of local derivatives.

The chain rule on a graph says::

    ∂L/∂w  =  Σ over every path w → … → L   Π over the path's edges  ∂(child)/∂(parent)

For one sample through a network, the paths from a weight share a chain near the weight
(w → its neuron's z → a), part where the next layer reads a, and meet again near the loss;
:func:`explain` writes this out factor by factor::

    ∂L/∂w  =  ∂L/∂m · [Σ_c ∂m/∂c · ∂c/∂s] · ∂s/∂w

(s the node where the paths part, c the nodes reading it, m where they meet again), with the
local derivatives the forward pass stored — one path is one chain, every node between w and L
a factor. For a loss that is a mean over N > 1 samples it gives the per-sample terms
(1/N) Σᵢ ∂ℓᵢ/∂w, each term's own chain a method call away.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from . import explain_view as view
from .backward import gradients
from .chain_rule import contribution
from .explain_view import Code, D, Line, Nm, Num, Op, Row, Table
from .graph import check_acyclic, formula, topological_order
from .naming import Namer, showing
from .ops import CONST, DIV, DOT, MUL, SUM
from .value import Value


class Factor(NamedTuple):
    """One edge of a path: ∂node/∂parent, the local derivative stored by the forward pass."""

    node: Value
    parent: Value
    local: float

    def __str__(self) -> str:
        return f"∂{view.wrapped(_reading(self.node, self.parent))}/∂{_wrap(self.parent)} = " \
               f"{view.fmt(self.local)}"


class Path(NamedTuple):
    """A path (or a stretch of one) from a node up to another, with its local derivatives.

    Fields:
        nodes: the nodes along it, the lower end (``wrt``) first, the upper end (the root)
            last.
        factors: its local derivatives, the upper end first (as the chain rule is written:
            ∂L/∂ŷ · ∂ŷ/∂z · ∂z/∂w).
        product: their product, the path's share of the gradient (1 for a path of one node).
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
        chain: the stretch of path from the node c reads (the split) through c up to the
            node where the paths meet again (:attr:`Explanation.meet`), when it is one path;
            ``None`` when c reaches the meeting node by several.
        branch: ∂meet/∂c · ∂c/∂split, this group's term in the sum between the split and
            the meeting node (``chain.product`` when there is a chain).
        above: the stretch of path from c up to the meeting node when it is one path, also
            when c reads the split more than once (``w·w``: then ``chain`` is ``None`` and
            ∂c/∂split is the sum over c's uses of it).
    """

    node: Value
    upstream: float
    local: float
    product: float
    paths: int
    via: tuple[Value, ...] = ()
    chain: Path | None = None
    branch: float | None = None
    above: Path | None = None


class SampleTerm(NamedTuple):
    """For a mean loss J = (1/N) Σᵢ ℓᵢ: sample i's gradient ∂ℓᵢ/∂wrt, by the node after wrt.

    Fields:
        index: i, from 1 as printed.
        loss: ℓᵢ.
        groups: ∂ℓᵢ/∂c · ∂c/∂wrt for each node c that reads ``wrt`` in ℓᵢ's graph.
        gradient: ∂ℓᵢ/∂wrt.
        wrt: the node differentiated by.
    """

    index: int  # type: ignore[assignment]  # shadows tuple.index: i is the name in the math
    loss: Value
    groups: tuple[Group, ...]
    gradient: float
    wrt: Value
    namer: Namer | None = None

    def explain(self, *, max_paths: int = 12) -> Explanation:
        """This term's whole chain: ``explain(ℓᵢ, wrt)``, every node between ``wrt`` and ℓᵢ a
        factor (∂ℓᵢ/∂ŷᵢ · ∂ŷᵢ/∂zᵢ · ∂zᵢ/∂w for a neuron)."""
        return explain(self.loss, self.wrt, max_paths=max_paths, namer=self.namer)


class Explanation:
    """∂root/∂wrt taken apart: see :func:`explain`.

    Attributes:
        root, wrt: the output and the node differentiated by.
        total: the sum of the paths' products (= of the groups' products).
        engine: ∂root/∂wrt as the backward pass computes it, for comparison.
        path_count: how many paths lead from ``wrt`` to ``root``.
        groups: one :class:`Group` per node c reading the node where the paths part
            (the gradient arriving from the next layer), always computed.
        split: the node where the paths from ``wrt`` part (``wrt`` itself when it is read
            more than once; the node before the root for a single path).
        meet: the node where they all meet again (the root, or the first node of the chain
            that leads to it).
        lower: the chain ``wrt`` → … → ``split`` every path shares (a :class:`Path`);
            its product is ∂split/∂wrt.
        upper: the chain ``meet`` → … → ``root`` every path shares; its product is
            ∂root/∂meet. So ``total = upper.product · Σ_g g.branch · lower.product``.
        samples: per-sample terms when ``root`` is a mean ``(Σᵢ ℓᵢ) / N`` over N > 1
            terms, else ``None``.
        scale: the mean's factor 1/N (``None`` when there is no per-sample view).
    """

    def __init__(self, root: Value, wrt: Value, paths: tuple[Path, ...] | None,
                 path_count: int, groups: tuple[Group, ...], total: float, engine: float,
                 samples: tuple[SampleTerm, ...] | None, scale: float | None,
                 max_paths: int, *, split: Value | None = None, meet: Value | None = None,
                 lower: Path | None = None, upper: Path | None = None,
                 single: Path | None = None) -> None:
        self.root, self.wrt = root, wrt
        self._paths = paths
        self.path_count = path_count
        self.groups = groups
        self.total = total
        self.engine = engine
        self.samples = samples
        self.scale = scale
        self._max_paths = max_paths
        self.split = split if split is not None else wrt
        self.meet = meet if meet is not None else root
        self.lower = lower if lower is not None else Path((wrt,), (), 1.0)
        self.upper = upper if upper is not None else Path((root,), (), 1.0)
        self._single = single
        self.namer: Namer | None = None  # explain's namer=, used again when shown

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every path with its factors and product (only when there are at most
        ``max_paths``; otherwise read :attr:`groups`)."""
        if self._paths is None:
            raise ValueError(
                f"explain: {self.path_count:,} paths lead from {_name(self.wrt)} to "
                f"{_name(self.root)}, more than max_paths={self._max_paths}, so they were not "
                "listed. Read .groups (the gradient arriving from each next node), or call "
                f"explain(root, wrt, max_paths=...) with a larger limit (explain lists up to "
                f"{MAX_LISTED_FACTORS:,} factors in all)."
            )
        return self._paths

    @property
    def chain(self) -> Path:
        """The one path from ``wrt`` to ``root``, every node on it a factor:
        ∂L/∂ŷ · ∂ŷ/∂z⁽²⁾ · ∂z⁽²⁾/∂a⁽¹⁾ · ∂a⁽¹⁾/∂z⁽¹⁾ · ∂z⁽¹⁾/∂w for a first-layer weight of
        a network with one output neuron.

        Raises:
            ValueError: there are several paths (read :attr:`upper`, :attr:`groups`' chains
                and :attr:`lower`), or none.
        """
        if self._single is None:
            raise ValueError(
                f"explain: {self.path_count:,} paths lead from {_name(self.wrt)} to "
                f"{_name(self.root)}, not one, so there is no single chain. Read .upper (the "
                "chain they share near the root), .groups[k].chain (each branch) and .lower "
                "(the chain they share near wrt), or .paths."
            )
        return self._single

    # --- display -------------------------------------------------------------------------
    def layout(self) -> list[view.Block]:
        """The explanation as lines and tables (see :mod:`autograd.explain_view`), from which
        the text, LaTeX and HTML forms are written."""
        with showing(self.root, self.namer):
            return _layout(self)

    def __str__(self) -> str:
        return view.text(self.layout())

    def __repr__(self) -> str:
        return (f"<Explanation ∂{_wrap(self.root)}/∂{_wrap(self.wrt)} = "
                f"{view.fmt(self.total)}: {self.path_count:,} paths>")

    def _repr_latex_(self) -> str:
        """Rendered math (LaTeX, for MathJax and PDF export), one line or factor per row."""
        return view.latex(self.layout())

    def _repr_html_(self) -> str:
        """Rendered math as HTML with MathML: drawn by the browser itself, offline too, and
        wrapping between factors in a narrow column."""
        return view.html(self.layout())


def explain(root: Value, wrt: Value, *, max_paths: int = 12,
            namer: Namer | None = None) -> Explanation:
    """∂root/∂wrt as the sum over every path from ``wrt`` to ``root`` of the product of the
    local derivatives along it — the chain rule written out.

    .. math::

        \\frac{\\partial L}{\\partial w} = \\sum_{\\text{paths } w \\to L}
        \\prod_{(p \\to c) \\in \\text{path}} \\frac{\\partial c}{\\partial p}
        = \\frac{\\partial L}{\\partial m} \\Big(\\sum_{c}
        \\frac{\\partial m}{\\partial c}\\,\\frac{\\partial c}{\\partial s}\\Big)
        \\frac{\\partial s}{\\partial w}

    One path (one sample through a network whose later layers have one neuron each) is one
    chain: :attr:`Explanation.chain` lists every node between ``wrt`` and ``root`` as a
    factor. Several paths share a chain near ``wrt`` (``.lower``, up to the node s where
    they part) and one near the root (``.upper``, from the node m where they meet again);
    between them each node c reading s is a group (``.groups``, with its own ``.chain`` when
    c reaches m by one path). Every path is listed (``.paths``) when there are at most
    ``max_paths``. When ``root`` is a mean ``(Σᵢ ℓᵢ) / N`` over N > 1 terms (as
    ``nn.losses`` compute a batch loss), ``.samples`` gives the per-sample terms
    ∂ℓᵢ/∂w = Σ_c ∂ℓᵢ/∂c · ∂c/∂w — for a sigmoid neuron with cross-entropy
    (1/N) Σᵢ (ŷᵢ − yᵢ)·xᵢ — and ``.samples[i].explain()`` each term's own chain.
    ``.total`` equals what ``backward`` computes (``.engine``).

    Prints as text of at most 80 columns; shows as rendered math (MathML) in Jupyter.
    Touches no ``.grad``.

    Args:
        root: the output (usually a loss).
        wrt: the node to differentiate by (a parameter, or any node of the graph).
        max_paths: list the paths only up to this many (their number can grow
            exponentially with depth).
        namer: a function ``v -> str | None`` naming nodes before the registered namers
            (:mod:`autograd.naming`), as for ``draw`` and ``stepper``.
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
        >>> z = (x * 2.0).sigmoid(); z.label = "z"
        >>> factors = explain(z, x).chain.factors
        >>> [(f.node.label or str(f.node.op), round(f.local, 4)) for f in factors]
        [('z', 0.0025), ('*', 2.0)]
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
    with showing(root, namer):
        explanation = _explain(root, wrt, max_paths)
    explanation.namer = namer
    if namer is not None and explanation.samples:
        explanation.samples = tuple(t._replace(namer=namer) for t in explanation.samples)
    return explanation


def _explain(root: Value, wrt: Value, max_paths: int) -> Explanation:
    check_acyclic(root, "explain")
    order = topological_order(root)
    through = _paths_from(wrt, order)  # paths from wrt to each node (0: not reached)
    grads = gradients(root)
    engine = grads.get(wrt, 0.0) if wrt is not root else grads[root]
    count = through.get(root, 0)
    down = _paths_to(root, order)
    readers = _readers(order, through, down)
    groups = _groups(root, wrt, readers, down, grads, at_split=True)
    paths = None
    if count <= max_paths:
        _refuse_too_many_factors(root, wrt, order, through, count, max_paths)
        paths = tuple(_enumerate_paths(root, wrt, through))
        total = _sum(p.product for p in paths)
    else:
        total = _sum(g.product for g in groups)
    single = meet = upper = None
    split = groups[0].via[-1] if groups and groups[0].via else wrt
    if count == 1:
        single = paths[0] if paths else next(_enumerate_paths(root, wrt, through))
    elif count > 1:
        meet, upper = _upper(root, wrt, through)
        groups = _with_branches(groups, split, meet, readers, root)
    lower = _lower(wrt, split, groups)
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
                       max_paths, split=split, meet=meet, lower=lower, upper=upper,
                       single=single)


# --- the graph between wrt and root ---------------------------------------------------------
MAX_LISTED_FACTORS = 1_000_000
"""The most factors (edges, summed over the paths) ``explain`` lists: about 100 MB."""


def _refuse_too_many_factors(root: Value, wrt: Value, order: list[Value],
                             through: dict[Value, int], count: int, max_paths: int) -> None:
    """Raise ``ValueError`` before listing ``count`` paths whose factors number more than
    :data:`MAX_LISTED_FACTORS`, counted by dynamic programming over the graph (no path is
    built): with P(v) the paths from wrt to v and F(v) the factors on them,

    .. math:: F(v) = \\sum_{p \\in \\text{parents}(v)} \\big(F(p) + P(p)\\big),
              \\quad F(\\text{wrt}) = 0

    (each path into p, extended by the edge p → v, gains one factor)."""
    factors: dict[Value, int] = {wrt: 0}
    for node in order:
        if node is wrt or node not in through:
            continue
        factors[node] = sum(factors.get(p, 0) + through.get(p, 0) for p in node.parents
                            if p in through)
    total = factors.get(root, 0)
    if total > MAX_LISTED_FACTORS:
        raise ValueError(
            f"explain: {count:,} paths lead from {_name(wrt)} to {_name(root)} "
            f"({total:,} factors in all), more than the {MAX_LISTED_FACTORS:,} factors explain "
            f"lists (about 100 bytes each); max_paths={max_paths:,} asks for all of them. "
            f"Pass a max_paths below {count:,} to get .total and .groups (the gradient "
            "arriving from each next node) without the list, or explain a smaller part of "
            "the graph (one sample's loss, or a node nearer wrt)"
        )


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


def _readers(order: list[Value], through: dict, down: dict) -> dict[Value, list]:
    """For each node on a path from ``wrt`` to the root, the edges out of it along such
    paths: ``[(reader, local derivative), …]``, one entry per edge (a node read twice by
    the same reader has two)."""
    readers: dict[Value, list] = {}
    for c in order:
        if c in down and c in through:
            for p, local in zip(c.parents, c.local_grads):
                if p in through:
                    readers.setdefault(p, []).append((c, local))
    return readers


def _chain_product(factors) -> float:
    """A chain's product, multiplied from the upper end as backward does."""
    partial = 1.0
    for f in factors:
        partial = contribution(f.local, partial, f.node.op)
    return partial


def _groups(root: Value, wrt: Value, readers: dict, down: dict, grads: dict, *,
            at_split: bool) -> tuple[Group, ...]:
    """The paths grouped by the node after ``wrt`` — or, ``at_split``, after the single
    chain ``wrt`` feeds, where the paths part."""
    if wrt is root or wrt not in grads:
        return ()
    via: list[Value] = []
    start, chain_local = wrt, 1.0
    while at_split:
        edges = readers.get(start, [])
        if len(edges) != 1 or edges[0][0] is root:
            break
        node, local = edges[0]
        chain_local = contribution(local, chain_local, node.op)
        via.append(node)
        start = node
    groups = []
    for c in _in_reading_order(root, dict.fromkeys(c for c, _ in readers.get(start, []))):
        local = contribution(_sum(g for p, g in zip(c.parents, c.local_grads) if p is start),
                             chain_local, c.op)
        upstream = grads[c]
        groups.append(Group(c, upstream, local, contribution(local, upstream, c.op),
                            down[c] * c.parents.count(start), tuple(via)))
    return tuple(groups)


def _in_reading_order(root: Value, nodes: dict) -> list[Value]:
    """``nodes`` in the order the root reads them, first parent first (a layer's neurons
    1, 2, …): a depth-first walk from the root, stopped once every node is found."""
    if len(nodes) < 2:
        return list(nodes)
    found: list[Value] = []
    seen = {root}
    stack = [root]
    while stack and len(found) < len(nodes):
        node = stack.pop()
        if node in nodes:
            found.append(node)
        for p in reversed(node.parents):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return found + [c for c in nodes if c not in set(found)]


def _upper(root: Value, wrt: Value, through: dict) -> tuple[Value, Path]:
    """The chain every path from ``wrt`` ends with: down from the root while a node has one
    edge from ``wrt``'s side; where that stops the paths meet."""
    node, nodes, factors = root, [root], []
    while node is not wrt:
        edges = [(p, g) for p, g in zip(node.parents, node.local_grads) if p in through]
        if len(edges) != 1:
            break
        parent, local = edges[0]
        factors.append(Factor(node, parent, local))
        nodes.append(parent)
        node = parent
    return node, Path(tuple(reversed(nodes)), tuple(factors), _chain_product(factors))


def _lower(wrt: Value, split: Value, groups: tuple[Group, ...]) -> Path:
    """The chain every path starts with, ``wrt`` → … → the split (the groups' ``via``)."""
    nodes = (wrt, *(groups[0].via if groups else ()))
    factors = tuple(Factor(child, parent, child.local_grads[child.parents.index(parent)])
                    for parent, child in zip(reversed(nodes[:-1]), reversed(nodes[1:])))
    assert nodes[-1] is split
    return Path(nodes, factors, _chain_product(factors))


def _with_branches(groups: tuple[Group, ...], split: Value, meet: Value, readers: dict,
                   root: Value) -> tuple[Group, ...]:
    """Each group with its stretch of path from the split through c to the meeting node
    (when it is one path) and its term ∂meet/∂c · ∂c/∂split."""
    out = []
    from_meet = None
    for g in groups:
        c = g.node
        into = [(c, local) for p, local in zip(c.parents, c.local_grads) if p is split]
        upward: list[Factor] = []
        node = c
        while node is not meet:
            edges = readers.get(node, [])
            if len(edges) != 1:
                break
            reader, local = edges[0]
            upward.append(Factor(reader, node, local))
            node = reader
        above = None
        if node is meet:
            factors = tuple(reversed(upward))
            above = Path((c, *(f.node for f in upward)), factors, _chain_product(factors))
            g = g._replace(above=above)
        if above is not None and len(into) == 1:
            factors = (*above.factors, Factor(c, split, into[0][1]))
            chain = Path((split, *above.nodes), factors, _chain_product(factors))
            out.append(g._replace(chain=chain, branch=chain.product))
            continue
        if above is not None:  # one path up, several edges in: Π(above) · Σ uses
            local_in = _sum(local for _, local in into)
            out.append(g._replace(branch=contribution(local_in, above.product, c.op)))
            continue
        if from_meet is None:
            from_meet = gradients(meet) if meet is not root else None
        upstream = g.upstream if from_meet is None else from_meet.get(c, 0.0)
        local_in = _sum(local for _, local in into)
        out.append(g._replace(branch=contribution(local_in, upstream, c.op)))
    return tuple(out)


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
            product = contribution(local, partial, node.op)
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
    """``(terms, 1/N)`` when root is ``sum(terms) / N`` or ``sum(terms) * (1/N)`` with
    N > 1 (a mean of one term is that term's own chain, shown whole)."""
    if len(root.parents) != 2 or root.op not in (DIV, MUL):
        return None
    a, b = root.parents
    if root.op is MUL and a.op is CONST:
        a, b = b, a
    if a.op is not SUM or b.op is not CONST or len(a.parents) < 2:
        return None
    scale = 1.0 / b.data if root.op is DIV else b.data
    if not math.isclose(scale * len(a.parents), 1.0, rel_tol=1e-12):
        return None  # a weighted sum, not a mean over the terms
    return a.parents, scale


def _sample_term(index: int, term: Value, wrt: Value) -> SampleTerm:
    if term.op is CONST:
        return SampleTerm(index, term, (), 0.0, wrt)
    order = topological_order(term)
    through = _paths_from(wrt, order)
    down = _paths_to(term, order)
    groups = _groups(term, wrt, _readers(order, through, down), down, gradients(term),
                     at_split=False)
    return SampleTerm(index, term, groups, _sum(g.product for g in groups), wrt)


def _sum(values) -> float:
    total = 0.0
    for v in values:
        total += v
    return total


# --- names ----------------------------------------------------------------------------------
def _name(v: Value) -> str:
    """A node's name, as the graph module names it (its label, else how it was computed)."""
    return formula(v)


def _wrap(v: Value) -> str:
    """The name after a ∂: ``∂(w0·x0 + b)``, ``∂ŷ``."""
    return view.wrapped(_name(v))


def _term(node: Value, parent: Value) -> str | None:
    """The term of a sum or dot ``node`` that carries ``parent`` (``w₁,₄⁽²⁾·a₄⁽¹⁾``), or
    ``None`` for a node that is not a sum of terms."""
    if node.op not in (DOT, SUM) or parent not in node.parents:
        return None
    k = node.parents.index(parent)
    if node.op is SUM:
        return _name(parent)
    half = len(node.parents) // 2
    j = k % half
    return f"{_factor_name(node.parents[j])}·{_factor_name(node.parents[half + j])}"


def _reading(node: Value, parent: Value) -> str:
    """``node``'s name where it is differentiated by ``parent``: a long weighted sum whose
    name is cut short (``w₁,₁⁽²⁾·a₁⁽¹⁾ + …``) is named by the term that carries
    ``parent`` (``… + w₁,₄⁽²⁾·a₄⁽¹⁾ + …``), not by a term that does not."""
    name = _name(node)
    term = _term(node, parent)
    if term is None or term in name or "…" not in name:
        return name
    k = node.parents.index(parent)
    terms = len(node.parents) // 2 if node.op is DOT else len(node.parents)
    j = k % terms
    return f"{'' if j == 0 else '… + '}{term}{'' if j == terms - 1 else ' + …'}"


def _factor_name(v: Value) -> str:
    name = _name(v)
    return f"({name})" if view.needs_parentheses(name) or name.startswith("-") else name


# --- the layout -----------------------------------------------------------------------------
def _product(items: list, op: str = "×") -> list:
    """Pieces ``a × b × c``; a negative number after the first in parentheses."""
    out: list = []
    for k, item in enumerate(items):
        if k:
            out.append(Op(op))
            if isinstance(item, Num):
                item = item._replace(paren=True)
        out.append(item)
    return out


def _factor_rows(factors: tuple[Factor, ...], product: float) -> tuple[Row, ...]:
    rows = [Row("" if k == 0 else "×",
                (D(_reading(f.node, f.parent), _name(f.parent)),), f.local)
            for k, f in enumerate(factors)]
    rows.append(Row("=", (Num(product),)))
    return tuple(rows)


def _layout(e: Explanation) -> list[view.Block]:
    r, w = _name(e.root), _name(e.wrt)
    head = (D(r, w), Op("="), Num(e.total))
    if e.path_count == 0:
        return [Line((*head, ": ", Nm(r), " does not depend on ", Nm(w), " (no path leads "
                      "from ", Nm(w), " to ", Nm(r), ")."))]
    if e.wrt is e.root:
        return [Line((*head, ": the derivative of a node by itself (the seed of the backward "
                      "pass)"))]
    blocks: list[view.Block] = [Line((*head, "   (backward computes ", Num(e.engine), ")"))]
    if e.samples is not None:
        return blocks + _samples_layout(e, e.samples, r, w)
    if e._single is not None:
        blocks.append(Line(("One path leads from ", Nm(w), " to ", Nm(r), ", so ", D(r, w),
                            " is the product of the local derivatives along it, from ", Nm(r),
                            " down to ", Nm(w), ":"), hanging=0))
        blocks.append(Table(_factor_rows(e.chain.factors, e.chain.product), 2))
        return blocks
    return blocks + _parted_layout(e, r, w)


def _parted_layout(e: Explanation, r: str, w: str) -> list[view.Block]:
    """Several paths: the chain shared near the root, the groups where they part, the chain
    shared near ``wrt``."""
    s = _name(e.split)
    m = "m" if e.meet is not e.root else r
    n = len(e.groups)
    sentence: list = [f"{e.path_count:,} paths lead from ", Nm(w), " to ", Nm(r),
                      ". They part ",
                      *(("after ", Nm(s)) if e.split is not e.wrt else ("at ", Nm(w))),
                      f" into {n} node{'s' if n != 1 else ''} ", Nm("c"),
                      f" that read{'s' if n == 1 else ''} it, and meet "]
    if e.meet is not e.root:
        sentence += ["again at ", Nm("m"), Op("="), Nm(_name(e.meet)), ":"]
    else:
        sentence += ["at ", Nm(r), ":"]
    blocks: list[view.Block] = [Line(tuple(sentence), hanging=0)]
    pieces: list = [D(r, w), Op("=")]
    if e.upper.factors:
        pieces += [D(r, m), Op("·")]
    pieces += [Op("Σc"), D(m, "c"), Op("·"), D("c", s)]
    if e.lower.factors:
        pieces += [Op("·"), D(s, w)]
    blocks.append(Line(tuple(pieces), 2))
    if e.upper.factors:
        blocks.append(Line((D(r, m), ", the chain they share from ", Nm(r), " down to ", Nm(m),
                            ":"), 2))
        blocks.append(Table(_factor_rows(e.upper.factors, e.upper.product), 4))
    blocks.append(Line((Op("Σc"), D(m, "c"), Op("·"), D("c", s),
                        ", one term per node ", Nm("c"), " that reads ", Nm(s), ":"), 2))
    branches: list[float] = []
    for g in e.groups:
        assert g.branch is not None  # several paths: explain gave every group its branch
        branches.append(g.branch)
        label: tuple = (Nm(_reading(g.node, e.split)),)
        term = _term(g.node, e.split)
        if term is not None and term not in label[0].s:  # name the term that carries s
            label += (", its term ", Nm(term))
        times = g.node.parents.count(e.split)
        if g.chain is None and g.above is not None:  # c reads s several times
            blocks.append(Line((Nm("c"), Op("="), *label, f":   reads it {times} times"), 4))
            uses = [f for f in _uses(g.node, e.split)]
            names = _product([D(_reading(f.node, f.parent), _name(f.parent))
                              for f in g.above.factors])
            sums = _product([D(_reading(f.node, f.parent), s) for f in uses], "+")
            numbers = _product([Num(f.local) for f in uses], "+")
            blocks.append(Line((*names, *([Op("×"), " ("] if names else ["("]), *sums, ")"),
                               6))
            up = _product([Num(f.local) for f in g.above.factors])
            blocks.append(Line((Op("="), *up, *([Op("×")] if up else []), " (", *numbers,
                                ") ", Op("="), Num(g.branch)), 6))
            continue
        if g.chain is None:
            blocks.append(Line((Nm("c"), Op("="), *label, f":   {g.paths:,} paths lead from it "
                                "to ", Nm(m)), 4))
            blocks.append(Line((D(m, "c"), Op("·"), D("c", s), Op("="), Num(g.branch)), 6))
            continue
        blocks.append(Line((Nm("c"), Op("="), *label, ":"), 4))
        factors = g.chain.factors
        names = _product([D(_reading(f.node, f.parent), _name(f.parent)) for f in factors])
        if len(factors) == 1:
            blocks.append(Line((*names, Op("="), Num(g.branch)), 6))
            continue
        blocks.append(Line(tuple(names), 6))
        blocks.append(Line((Op("="), *_product([Num(f.local) for f in factors]), Op("="),
                            Num(g.branch)), 6))
    between = _sum(branches)
    blocks.append(Line((Op("Σc"), Op("="), Num(between)), 4))
    if e.lower.factors:
        blocks.append(Line((D(s, w), ", the chain they share from ", Nm(s), " down to ", Nm(w),
                            ":"), 2))
        blocks.append(Table(_factor_rows(e.lower.factors, e.lower.product), 4))
    numbers = [x for x, shown in ((e.upper.product, bool(e.upper.factors)), (between, True),
                                  (e.lower.product, bool(e.lower.factors))) if shown]
    if len(numbers) > 1:
        blocks.append(Line((D(r, w), Op("="), *_product([Num(x) for x in numbers]), Op("="),
                            Num(e.total)), 2))
    return blocks


def _uses(node: Value, parent: Value) -> list[Factor]:
    """One factor per time ``node`` reads ``parent`` (``w·w`` reads w twice)."""
    return [Factor(node, p, g) for p, g in zip(node.parents, node.local_grads) if p is parent]


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _samples_layout(e: Explanation, samples: tuple[SampleTerm, ...], r: str,
                    w: str) -> list[view.Block]:
    """A mean over N > 1 terms (``e.samples``): each term's ∂ℓᵢ/∂c · ∂c/∂w, then the
    mean."""
    n = len(samples)
    blocks: list[view.Block] = [Line((
        Nm(r), f" is a mean of N = {n} terms ℓᵢ (one per sample, or per output): ", D(r, w),
        Op("="), Nm("(1/N)"), Op("Σi"), D("ℓᵢ", w), ", each term through the nodes ", Nm("c"),
        " that read ", Nm(w), ":"), hanging=0)]
    for term in samples:
        ell = f"ℓ{str(term.index).translate(_SUBSCRIPT)}"
        names: list = []
        numbers: list = []
        for g in term.groups:
            c = _reading(g.node, e.wrt)
            names.append([D(ell, c), Op("·"), D(c, w)])
            numbers.append(_product([Num(g.upstream), Num(g.local)]))
        pieces: list = [f"i = {term.index}: "]
        for k, part in enumerate(names):
            pieces += [Op("+")] if k else []
            pieces += part
        pieces.append(Op("="))
        for k, part in enumerate(numbers):
            pieces += [Op("+")] if k else []
            pieces += part
        pieces += [Op("="), Num(term.gradient)]
        blocks.append(Line(tuple(pieces), 2))
    total = _product([Num(t.gradient) for t in samples], "+")
    blocks.append(Line((D(r, w), Op("="), Nm(f"(1/{n})"), Op("×"), " [", *total, "] ",
                        Op("="), Num(e.total)), 2))
    blocks.append(Line(("Each term's whole chain, every node a factor: ",
                        Code(".samples[i].explain()")), hanging=0))
    return blocks
