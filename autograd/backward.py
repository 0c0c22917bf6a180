"""The backward pass — where the chain rule lives — and its step-by-step form.

For each node in reverse topological order, for each (parent, local derivative) pair::

    ∂root/∂parent  +=  ∂node/∂parent  ×  ∂root/∂node
                       (local)           (upstream)

``backward`` runs that loop as fast as plain Python allows; ``backward_steps`` runs the same
loop in the same order and yields one :class:`StepRecord` per product, for learners.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from . import value as _value
from .errors import AnomalyError, DerivativeRuleError, GraphTooLargeError
from .graph import topological_order
from .value import Value, creation_site_of, describe, op_text

Number = int | float


def backward(root: Value, grad: Number = 1.0, *, create_graph: bool = False) -> None:
    """Backpropagate from ``root``: see :meth:`Value.backward`, which calls this.

    Leaves (parameters, inputs) accumulate ``∂root/∂leaf`` into ``.grad``; every intermediate
    node's ``.grad`` is set to ``∂root/∂node`` of this pass — so repeated calls add up
    exactly on the leaves, and an intermediate gradient is always the upstream gradient the
    pass actually used.
    """
    seed = _seed(root, grad)
    if create_graph:
        for node, g in gradients(root, seed, create_graph=True).items():
            node.grad = _accumulate(node.grad, g) if not node.parents else g
        return
    if _value.is_anomaly_enabled():
        for _ in backward_steps(root, seed):
            pass
        return
    order = topological_order(root)
    _start_pass(order, root, seed)
    # The chain rule, for every edge: ∂root/∂parent += ∂node/∂parent × ∂root/∂node.
    for node in reversed(order):
        parents = node.parents
        if parents:
            g = node.grad
            for p, local in zip(parents, node.local_grads):
                p.grad += local * g


def _start_pass(order: list[Value], root: Value, seed) -> None:
    """Zero the intermediate nodes' gradients (leaves keep theirs: they accumulate) and
    seed the root."""
    for node in order:
        if node.parents:
            node.grad = 0.0
    root.grad = _accumulate(root.grad, seed)


def gradients(root: Value, grad: Number = 1.0, *, create_graph: bool = False) -> dict:
    """∂root/∂node for every node of ``root``'s graph, without touching any ``.grad``.

    Args:
        root: the output.
        grad: the seed ∂L/∂root.
        create_graph: return Values (differentiable again) instead of floats.
    Returns:
        A dict mapping each node to its gradient in this pass.
    """
    grads = {root: _seed(root, grad)}
    check = _value.is_anomaly_enabled()
    for node in reversed(topological_order(root)):
        parents = node.parents
        if not parents:
            continue
        upstream = grads[node]
        locals_ = _symbolic_locals(node) if create_graph else node.local_grads
        for p, local in zip(parents, locals_):
            contribution = _times(local, upstream)
            if check:
                _check_finite(contribution, node, p, local, upstream)
            grads[p] = _accumulate(grads[p], contribution) if p in grads else contribution
    return grads


def _symbolic_locals(node: Value) -> tuple:
    """The node's local derivatives as Values, from its op's derivative rule."""
    if getattr(node.op, "rule", None) is None:
        raise DerivativeRuleError(
            f"backward(create_graph=True): node {describe(node)} was made by op "
            f"'{op_text(node.op)}', which has no derivative rule, so its derivative cannot be "
            "differentiated again. Build the node with op=autograd.Op(name, rule), where "
            "rule(out, *inputs) returns the local derivatives using Value operations."
        )
    return node.op.local_grads(node, node.parents)


def _times(local, upstream):
    if local.__class__ is float and local == 1.0:
        return upstream  # saves a node per edge of + and sum when recording the backward pass
    return local * upstream


def _accumulate(total, extra):
    if total.__class__ is float and total == 0.0:
        return extra
    return total + extra


def _check_finite(contribution, node: Value, parent: Value, local, upstream) -> None:
    number = contribution.data if isinstance(contribution, Value) else contribution
    if math.isfinite(number):
        return
    raise AnomalyError(
        f"detect_anomaly: backward produced {number!r} in the gradient flowing from node "
        f"{describe(node)} (op '{op_text(node.op)}', created at {creation_site_of(node)}) to "
        f"its parent {describe(parent)}: upstream {_fmt(upstream)} × local {_fmt(local)}. "
        "Look at that op's inputs: its derivative is infinite or undefined there."
    )


def _seed(root: Value, grad: object) -> float:
    if not isinstance(root, Value):
        raise TypeError(f"backward: the root must be a Value, got {type(root).__name__}")
    if isinstance(grad, Value):
        return grad
    return _value._as_float(grad, "backward(grad)")


# --- stepping through backprop -------------------------------------------------------------
class StepRecord(NamedTuple):
    """One chain-rule product of the backward pass.

    Fields:
        node: the node whose gradient is being passed back.
        parent: the input of ``node`` that receives it.
        local_grad: ∂node/∂parent.
        upstream_grad: ∂root/∂node (complete by the time the node is processed).
        contribution: ``local_grad × upstream_grad``, added to the parent's gradient.
        parent_grad: ``parent.grad`` after this step.
        root: the output the pass started from.
    """

    node: Value
    parent: Value
    local_grad: float
    upstream_grad: float
    contribution: float
    parent_grad: float
    root: Value

    def __str__(self) -> str:
        r, n, p = describe(self.root), describe(self.node), describe(self.parent)
        return (
            f"∂{r}/∂{p} += ∂{r}/∂{n} × ∂{n}/∂{p} = {_fmt(self.upstream_grad)} × "
            f"{_fmt(self.local_grad)} = {_fmt(self.contribution)}"
            f"   (∂{r}/∂{p} is now {_fmt(self.parent_grad)})"
        )


def backward_steps(root: Value, grad: Number = 1.0) -> Iterator[StepRecord]:
    """Run ``root.backward(grad)`` one chain-rule product at a time.

    Yields a :class:`StepRecord` per (node, parent) edge, in the order backprop performs
    them; each step has already been added to ``parent.grad``, and ``upstream_grad`` is
    ``node.grad``, complete by then. Exhausting the generator leaves exactly the gradients
    ``root.backward(grad)`` would.

    Example::

        >>> from autograd import Value
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> for step in backward_steps(c): print(step)
        ∂c/∂a += ∂c/∂c × ∂c/∂a = 1 × -3 = -3   (∂c/∂a is now -3)
        ∂c/∂b += ∂c/∂c × ∂c/∂b = 1 × 2 = 2   (∂c/∂b is now 2)
    """
    seed = _seed(root, grad)
    order = topological_order(root)
    _start_pass(order, root, seed)
    check = _value.is_anomaly_enabled()
    for node in reversed(order):
        parents = node.parents
        if not parents:
            continue
        upstream = node.grad
        for parent, local in zip(parents, node.local_grads):
            contribution = local * upstream
            if check:
                _check_finite(contribution, node, parent, local, upstream)
            parent.grad = _accumulate(parent.grad, contribution)
            yield StepRecord(node, parent, local, upstream, contribution, parent.grad, root)


def steps_table(steps: Iterable[StepRecord], *, max_rows: int = 10_000) -> str:
    """A whole backward pass as a text table, one row per chain-rule product.

    Args:
        steps: step records, e.g. ``backward_steps(loss)`` (consumed, so it runs the pass).
        max_rows: refuse passes with more steps than this (a table that long is unreadable);
            the steps are counted as they arrive and the rest are never taken.
    Returns:
        The table as a string.
    Raises:
        GraphTooLargeError: more than ``max_rows`` steps (those already taken from
            ``backward_steps`` have been added to the gradients).
    """
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 0:
        raise ValueError(f"steps_table: max_rows must be a non-negative int, got {max_rows!r}")
    header = ("#", "node", "parent", "local ∂node/∂parent", "upstream ∂root/∂node",
              "contribution", "parent grad after")
    rows = []
    for i, s in enumerate(steps, 1):
        if i > max_rows:
            raise GraphTooLargeError(
                f"steps_table: this backward pass has more than max_rows={max_rows} steps, "
                "too many to read as a table. Step through a smaller graph (one sample's "
                "loss, one neuron), or pass a larger max_rows to print it anyway."
            )
        rows.append((str(i), describe(s.node), describe(s.parent), _fmt(s.local_grad),
                     _fmt(s.upstream_grad), _fmt(s.contribution), _fmt(s.parent_grad)))
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]

    def line(cells):
        return "  ".join(cell.rjust(w) if k == 0 or k > 2 else cell.ljust(w)
                         for k, (cell, w) in enumerate(zip(cells, widths))).rstrip()

    rule = "  ".join("─" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def _fmt(x) -> str:
    if isinstance(x, Value):
        x = x.data
    return f"{x:.6g}"


def zero_grad(values: Value | Iterable[Value]) -> None:
    """Set ``.grad`` to 0.0: for every node of a graph (pass its root) or for given Values.

    Example::

        >>> from autograd import Value
        >>> x = Value(2.0); y = x * x; y.backward(); zero_grad(y); x.grad
        0.0
    """
    nodes = topological_order(values) if isinstance(values, Value) else values
    for v in nodes:
        v.grad = 0.0
