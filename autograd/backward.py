"""The backward pass — where the chain rule lives — and its step-by-step form.

For each node in reverse topological order, for each (parent, local derivative) pair::

    ∂root/∂parent  +=  ∂node/∂parent  ×  ∂root/∂node
                       (local)           (upstream)

:func:`backward_steps` is the reference loop: read it to see backprop, one product per step.
``Value.backward()`` runs the same loop as fast as plain Python allows (:func:`run_backward`);
:func:`gradients` runs it into a dict (and records it as Values for higher derivatives). All
three compute each product and add it up by one contract, :mod:`autograd.chain_rule`
(``contribution``: local × upstream, masked; ``accumulate``), and share the pass's starting
gradients.

Data gets no gradient, as in PyTorch where data tensors do not require grad: no edge goes
into a constant (a number that entered an expression, ``autograd.constant``, data given to
``dot``), so constants have no step record and their ``.grad`` stays 0. To see ∂L/∂x for an
input, make x a ``Value``.

This module works on the nodes' attributes only (``parents``, ``local_grads``, ``grad``,
``op``): it never imports ``Value``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from typing import TYPE_CHECKING, NamedTuple, cast

from . import modes
from .chain_rule import accumulate, contribution
from .errors import AnomalyError, DerivativeRuleError, GraphTooLargeError
from .graph import topological_order
from .naming import (
    Namer,
    describe,
    displaying,
    formula,
    needs_parentheses,
    op_text,
    rule_text,
    showing,
)
from .ops import CONST, Op

if TYPE_CHECKING:
    from .value import Number, Value


def _start_pass(order: list[Value], root: Value, seed) -> None:
    """Zero the intermediate nodes' gradients (leaves keep theirs: they accumulate) and
    seed the root."""
    for node in order:
        if node._parents:  # the slot: once per node of every backward
            node.grad = 0.0
    root.grad = accumulate(root.grad, seed)


def start_of_pass(root: Value, seed: Number = 1.0) -> dict:
    """The gradients a backward pass from ``root`` starts from, without touching any
    ``.grad``: leaves keep theirs, intermediate nodes are 0, the root adds the seed."""
    grads = {v: (0.0 if v.parents else v.grad) for v in topological_order(root)}
    grads[root] = accumulate(grads[root], seed)
    return grads


def run_backward(root: Value, seed, *, create_graph: bool = False) -> None:
    """Backpropagate from ``root`` (``Value.backward`` checks its arguments and calls this).

    Leaves (parameters, inputs) accumulate ``∂root/∂leaf`` into ``.grad``; every intermediate
    node's ``.grad`` is set to ``∂root/∂node`` of this pass — so repeated calls add up
    exactly on the leaves, and an intermediate gradient is always the upstream gradient the
    pass actually used.
    """
    if create_graph:
        for node, g in gradients(root, seed, create_graph=True).items():
            node.grad = accumulate(node.grad, g) if not node.parents else g
        return
    if modes.current.anomaly:
        for _ in backward_steps(root, seed):
            pass
        return
    order = topological_order(root)
    _start_pass(order, root, seed)
    data = CONST
    # backward_steps' loop without the records: ∂root/∂parent += ∂node/∂parent × ∂root/∂node.
    # The product is chain_rule.contribution() inlined for a finite upstream, where its two
    # refinements change nothing (1·u is u; a mask's 0·u is ±0.0, which adds nothing to a
    # gradient summed from 0.0); `p.grad +=` is chain_rule.accumulate() from 0.0.
    # tests/test_chain_rule.py compares this copy bit for bit with the other loops.
    for node in reversed(order):
        parents = node._parents  # the slot: the hot loop
        if parents:
            g = node.grad
            if g - g:  # upstream is ±inf or NaN: the mask matters, the contract's own function
                op = node.op
                for p, local in zip(parents, node.local_grads):
                    if p.op is not data:
                        p.grad += contribution(local, g, op)
                continue
            for p, local in zip(parents, node.local_grads):
                if p.op is not data:  # no edge into a constant (measured: ~3 % of backward)
                    p.grad += local * g


def gradients(root: Value, grad: Value | Number = 1.0, *, create_graph: bool = False) -> dict:
    """∂root/∂node for every node of ``root``'s graph, without touching any ``.grad``.

    Args:
        root: the output.
        grad: the seed ∂L/∂root.
        create_graph: return Values (differentiable again) instead of floats; derivative
            rules then run in IEEE arithmetic, so a derivative at a singularity is ±inf or
            NaN, as in PyTorch, rather than an error.
    Returns:
        A dict mapping each node that receives a gradient to its gradient in this pass.
    """
    grads = {root: _checked_seed(root, grad, "gradients", values_allowed=True)}
    check = modes.current.anomaly
    with modes.ieee_arithmetic() if create_graph else nullcontext():
        for node in reversed(topological_order(root)):
            parents = node._parents
            upstream = grads.get(node)
            if not parents or upstream is None:
                continue
            op = node.op
            locals_ = _symbolic_locals(node) if create_graph else node.local_grads
            for p, local in zip(parents, locals_):
                if p.op is CONST:
                    continue
                c = contribution(local, upstream, op)
                if check:
                    _check_finite(c, node, p, local, upstream)
                grads[p] = accumulate(grads.get(p, 0.0), c)
    return grads


def _checked_seed(root, grad, where: str, *, values_allowed: bool):
    """The seed ∂L/∂root as a float (or a Value, for a recorded pass), after checking that
    ``root`` is a Value; a clear TypeError naming ``where`` otherwise."""
    if not hasattr(root, "local_grads"):
        raise TypeError(f"{where}: the root must be a Value, got {type(root).__name__}")
    if values_allowed and hasattr(grad, "local_grads"):
        return grad
    if isinstance(grad, bool) or not isinstance(grad, numbers.Real):
        kind = "a number or a Value" if values_allowed else "a number"
        raise TypeError(f"{where}(grad): the seed must be {kind}, got "
                        f"{type(grad).__name__} {grad!r}")
    return float(grad)


def _symbolic_locals(node: Value) -> tuple:
    """The node's local derivatives as Values, from its op's derivative rule."""
    op = node.op
    if not isinstance(op, Op) or op.rule is None:
        raise DerivativeRuleError(
            f"backward(create_graph=True): node {describe(node)} was made by op "
            f"'{op_text(op)}', which has no derivative rule, so its derivative cannot be "
            "differentiated again. Build the node with op=autograd.Op(name, rule), where "
            "rule(out, *inputs) returns the local derivatives using Value operations."
        )
    return op.local_grads(node, node.parents)


def _check_finite(contribution, node: Value, parent: Value, local, upstream) -> None:
    number = contribution.data if hasattr(contribution, "data") else contribution
    if math.isfinite(number):
        return
    raise AnomalyError(
        f"detect_anomaly: backward produced {number!r} in the gradient flowing from node "
        f"{describe(node)} (op '{op_text(node.op)}', created at "
        f"{modes.creation_site_of(node)}) to its parent {describe(parent)}: upstream "
        f"{_fmt(upstream)} × local {_fmt(local)}. Look at that op's inputs: its derivative is "
        "infinite or undefined there."
    )


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
    upstream_grad: float | Value  # floats, but a leaf's .grad may still be a Value from a
    contribution: float | Value  # backward(create_graph=True) before: it accumulates
    parent_grad: float | Value
    root: Value

    @property
    def rule(self) -> str | None:
        """The local derivative ∂node/∂parent as its op's math, the operands named
        (``a₁⁽¹⁾(1 − a₁⁽¹⁾)``, ``1/ŷ``, ``x₁``); ``None`` for an op without a derivative
        text (``Op(..., derivative=...)``)."""
        with showing(self.root, getattr(self, "namer", None)) if _no_display() \
                else nullcontext():
            return rule_text(self.node, self._index())

    def _index(self) -> int:
        """Which input of ``node`` the parent is (a node may take it twice: ``x·x``)."""
        parents, locals_ = self.node.parents, self.node.local_grads
        matches = [i for i, p in enumerate(parents) if p is self.parent]
        for i in matches:
            if locals_[i] is self.local_grad or locals_[i] == self.local_grad:
                return i
        return matches[0]

    def text(self, digits: int = 6, *, namer: Namer | None = None) -> str:
        """The step as a sentence, its local derivative as the op's rule and its value::

            ∂L/∂z₁⁽¹⁾ += ∂L/∂a₁⁽¹⁾ × ∂a₁⁽¹⁾/∂z₁⁽¹⁾ = -0.0172 × a₁⁽¹⁾(1 − a₁⁽¹⁾)
                                                    = -0.0172 × 0.2473 = -0.004243

        (one line) — and, when the parent already had a gradient from other paths, what it
        is now (``; now -0.03432``). Names as :mod:`autograd.naming` gives them (``namer``
        asked first).

        Args:
            digits: significant digits of the numbers.
            namer: a function ``v -> str | None`` naming nodes, before the registered ones.
        Raises:
            ValueError: ``digits`` is not an int in [1, 17] (as every view's ``digits``).
        """
        if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
            raise ValueError(f"StepRecord.text: digits must be an int in [1, 17], got "
                             f"{digits!r}; for example digits=4")
        namer = namer if namer is not None else getattr(self, "namer", None)
        with showing(self.root, namer) if namer is not None or _no_display() \
                else nullcontext():
            r, n, p = (_after_partial(formula(v)) for v in (self.root, self.node, self.parent))
            up, local = _fmt(self.upstream_grad, digits), _fmt(self.local_grad, digits)
            rule = rule_text(self.node, self._index())
        shown = f"{up} × {local}"
        if rule is not None and not _says(rule, local):
            shown = f"{up} × {_factor(rule)} = {shown}"
        text = f"∂{r}/∂{p} += ∂{r}/∂{n} × ∂{n}/∂{p} = {shown} = " \
               f"{_fmt(self.contribution, digits)}"
        total = _fmt(self.parent_grad, digits)
        if total != _fmt(self.contribution, digits):  # added to what other paths brought
            text += f"; now {total}"
        return text

    def __str__(self) -> str:
        return self.text()


class _NamedStepRecord(StepRecord):
    """A step record that names its nodes with the namer ``backward_steps`` was given."""

    namer: Namer | None = None


def _no_display() -> bool:
    return not displaying()


def _says(rule: str, number: str) -> bool:
    """Whether a rule's text is just the number (``−1``, ``(-0.5)``): then it is not shown."""
    return rule.strip("()").replace("−", "-") == number


def _factor(rule: str) -> str:
    """A rule as a factor of a product: parenthesised when it is a sum or a condition; a
    case's reason in parentheses after it (``1 (z > 0)``) stays outside."""
    depth = 0
    body = rule[:rule.index(" (")] if rule.endswith(")") and " (" in rule else rule
    for ch in body:
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch == " ":
            return f"({rule})"
    return rule


def backward_steps(root: Value, grad: Number = 1.0, *,
                   namer: Namer | None = None) -> Iterator[StepRecord]:
    """Run ``root.backward(grad)`` one chain-rule product at a time — the reference loop.

    Yields a :class:`StepRecord` per (node, parent) edge, in the order backprop performs
    them; each step has already been added to ``parent.grad``, and ``upstream_grad`` is
    ``node.grad``, complete by then. Exhausting the generator leaves exactly the gradients
    ``root.backward(grad)`` would (``backward`` is this loop without the records).

    Args:
        root: the output.
        grad: the seed ∂L/∂root.
        namer: a function ``v -> str | None`` that names nodes in the records' text, asked
            before the registered namers (see :mod:`autograd.naming`).

    Example::

        >>> from autograd import Value
        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> for step in backward_steps(c): print(step)
        ∂c/∂a += ∂c/∂c × ∂c/∂a = 1 × b = 1 × -3 = -3
        ∂c/∂b += ∂c/∂c × ∂c/∂b = 1 × a = 1 × 2 = 2
    """
    seed = _checked_seed(root, grad, "backward_steps", values_allowed=False)
    if namer is not None and not callable(namer):
        raise TypeError(f"backward_steps: namer must be a function v -> str | None, got "
                        f"{type(namer).__name__} {namer!r}")
    if root.op is CONST:
        raise RuntimeError(
            f"backward_steps: {describe(root)} = {root.data!r} is a constant (data, a result "
            "computed from constants only, or one computed inside no_grad()), so it has no "
            "graph to step back through. Compute it from Values, outside no_grad()."
        )
    order = topological_order(root)
    _start_pass(order, root, seed)
    check = modes.current.anomaly
    for node in reversed(order):
        parents = node.parents
        if not parents:
            continue
        upstream = node.grad
        op = node.op
        for parent, local in zip(parents, node.local_grads):
            if parent.op is CONST:
                continue
            product = contribution(local, upstream, op)
            if check:
                _check_finite(product, node, parent, local, upstream)
            parent.grad = accumulate(parent.grad, product)
            if namer is None:
                yield StepRecord(node, parent, local, upstream, product, parent.grad, root)
            else:
                record = _NamedStepRecord(node, parent, local, upstream, product, parent.grad,
                                          root)
                record.namer = namer
                yield record


def steps_table(steps: Iterable[StepRecord], *, max_rows: int = 10_000,
                namer: Namer | None = None) -> str:
    """A whole backward pass as a text table, one row per chain-rule product; the local
    derivative as its op's rule and its value (``1/ŷ = 2.16494``).

    Args:
        steps: step records, e.g. ``backward_steps(loss)`` (consumed, so it runs the pass).
        max_rows: refuse passes with more steps than this (a table that long is unreadable);
            the steps are counted as they arrive and the rest are never taken.
        namer: a function ``v -> str | None`` naming the nodes, asked before the registered
            namers (see :mod:`autograd.naming`).
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
    if isinstance(steps, StepRecord) or not isinstance(steps, Iterable):
        raise TypeError(f"steps_table: steps must be an iterable of StepRecords, e.g. "
                        f"backward_steps(loss), got {type(steps).__name__}")
    if namer is not None and not callable(namer):
        raise TypeError(f"steps_table: namer must be a function v -> str | None, got "
                        f"{type(namer).__name__} {namer!r}")
    records = []
    for i, s in enumerate(steps, 1):
        if not isinstance(s, StepRecord):
            raise TypeError(f"steps_table: step {i} is a {type(s).__name__}, not a StepRecord; "
                            "pass backward_steps(loss) (or a list of its records)")
        if i > max_rows:
            raise GraphTooLargeError(
                f"steps_table: this backward pass has more than max_rows={max_rows} steps, "
                "too many to read as a table. Step through a smaller graph (one sample's "
                "loss, one neuron), or pass a larger max_rows to print it anyway."
            )
        records.append(s)
    rows = []
    if records:
        namer = namer if namer is not None else getattr(records[0], "namer", None)
        with showing(records[0].root, namer):
            for i, s in enumerate(records, 1):
                local = _fmt(s.local_grad)
                rule = rule_text(s.node, s._index())
                if rule is not None and not _says(rule, local):
                    local = f"{rule} = {local}"
                rows.append((str(i), formula(s.node), formula(s.parent), local,
                             _fmt(s.upstream_grad), _fmt(s.contribution), _fmt(s.parent_grad)))
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]

    def line(cells):
        return "  ".join(cell.rjust(w) if k == 0 or k > 2 else cell.ljust(w)
                         for k, (cell, w) in enumerate(zip(cells, widths))).rstrip()

    rule = "  ".join("─" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def _after_partial(name: str) -> str:
    return f"({name})" if needs_parentheses(name) else name


def _fmt(x, digits: int = 6) -> str:
    if hasattr(x, "data"):
        x = x.data
    return f"{x + 0.0:.{digits}g}"  # + 0.0: −0.0 shows as 0


def zero_grad(values: Value | Iterable[Value]) -> None:
    """Set ``.grad`` to 0.0: for every node of a graph (pass its root) or for given Values.

    Example::

        >>> from autograd import Value
        >>> x = Value(2.0); y = x * x; y.backward(); zero_grad(y); x.grad
        0.0
    """
    nodes = topological_order(cast("Value", values)) if hasattr(values, "parents") \
        else values  # a graph's root (a Value, duck-typed: no import of value.py), or Values
    if not hasattr(nodes, "__iter__"):
        raise TypeError(f"zero_grad: expected a Value (a graph's root) or Values, got "
                        f"{type(values).__name__} {values!r}")
    for v in nodes:
        if not hasattr(v, "parents"):
            raise TypeError(f"zero_grad: every item must be a Value, got "
                            f"{type(v).__name__} {v!r}")
        v.grad = 0.0
