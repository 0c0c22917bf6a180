"""Replay's array program: a recorded graph as array operations, evaluated over a batch.

One sample's graph is turned into *groups*: nodes of the same op (and parameters) at the
same depth whose operands come from the same kinds of places. Each group runs as one numpy
call on a block of rows, one row per node and one column per sample:

* the value store ``V`` has one row per input and per op node (``rows × batch``);
* parameters live in one vector ``θ`` (the same for every sample), constants in the groups;
* a layer's ``dot`` nodes whose weights are parameters and whose inputs are the same rows
  run as one matrix product ``Z = W X`` (backward: ``∂W = U Xᵀ``, ``∂X = Wᵀ U``);
* ``sum`` nodes add their parents' rows with ``np.add.reduceat``;
* every other op runs through its own array forward (``Op.array_forward``) and derivative
  rule (``Op.rule``), the same rule the scalar engine evaluates on floats.

Backward walks the groups in reverse: ``∂L/∂parent += local × upstream`` for a whole block
at once, by the scalar engine's contract (:func:`autograd.chain_rule.array_contribution`: a
zero local derivative of relu, step, ``x ** 0`` passes 0 even from an infinite or NaN
upstream gradient). Parameter gradients are summed over the samples.

This module knows the graph only through the nodes' ``op``, ``parents`` and ``data``, and
imports no other engine module but :mod:`autograd.chain_rule` (``registering`` imports it:
its ``validate_op`` runs an op on arrays as replay does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .chain_rule import array_contribution

if TYPE_CHECKING:  # (ops is read only for hints: replay checks op identity itself)
    from .ops import Op

NODE, PARAM, LITERAL = "node", "param", "const"  # where an operand comes from
# (a): ``Op.rule`` and ``Op.forward`` are Optional (a leaf's op has neither); replay groups
# only ops that have both (autograd.replay checks), so these calls are not checked again.
_EMPTY_INDEX = np.zeros(0, dtype=np.intp)
_EMPTY_NUMBERS = np.zeros((0, 1))


def forward_on_arrays(op: Op) -> Callable:
    """The op's forward function on numpy arrays: its ``array_forward`` (a numpy name or a
    function), else its ``forward`` (an expression such as ``a * b`` works on arrays)."""
    if callable(op.array_forward):
        return op.array_forward
    if isinstance(op.array_forward, str):
        return getattr(np, op.array_forward)
    return op.forward  # type: ignore[return-value]  # (a): a replayed op has one


def not_for_arrays(op: Op, part: str, exc: Exception) -> TypeError:
    """The error replay gives when an op's forward function or rule fails on numpy arrays."""
    how = ("give the op an array forward function, Op(..., array_forward=numpy_function)"
           if part == "forward" else "write the rule with + − × ÷ ** and autograd.ops' "
           "helpers (where, exp, log, sigmoid, sign), which work on arrays too")
    return TypeError(f"replay: op '{op.describe()}' cannot run on numpy arrays (its {part} "
                     f"raised {type(exc).__name__}: {exc}); {how}, or train this model "
                     "with the scalar engine (engine='scalar')")


class Operand:
    """One operand position of a group: ``V[rows]`` (one row per node, from the store),
    ``θ[index]`` (a parameter per node, the same for all samples) or fixed numbers."""

    __slots__ = ("index", "kind", "needs_grad", "numbers", "rows", "unique")

    def __init__(self, kind: str, refs: list, needs_grad: bool = False) -> None:
        self.kind = kind
        self.needs_grad = needs_grad
        # numbers for LITERAL; index (rows of V for NODE, of θ for PARAM), and for NODE the
        # same rows as a slice when they are contiguous; empty where they do not apply
        self.numbers: np.ndarray = _EMPTY_NUMBERS
        self.index: np.ndarray = _EMPTY_INDEX
        self.rows: slice | np.ndarray = _EMPTY_INDEX
        self.unique = True
        if kind == LITERAL:
            self.numbers = np.array(refs, dtype=float)[:, None]
        else:
            self.index = index = np.array(refs, dtype=np.intp)
            self.unique = len(set(refs)) == len(refs)
            contiguous = len(refs) > 0 and bool(np.all(np.diff(index) == 1))
            if kind == NODE:
                self.rows = slice(refs[0], refs[-1] + 1) if contiguous else index

    def take(self, V: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """The operand's values: ``(nodes, batch)`` for rows, ``(nodes, 1)`` otherwise."""
        if self.kind == NODE:
            return V[self.rows]
        if self.kind == PARAM:
            return theta[self.index][:, None]
        return self.numbers

    def add_grad(self, G: np.ndarray, grad: np.ndarray, contribution) -> None:
        """Accumulate ``contribution`` (per node and sample) into its sources' gradients."""
        if self.kind == NODE:
            if self.unique:
                G[self.rows] += contribution
            else:
                np.add.at(G, self.index, np.broadcast_to(contribution, (len(self.index),
                                                                         G.shape[1])))
        elif self.kind == PARAM:
            per_param = contribution.sum(axis=1) if contribution.shape[1] > 1 \
                else contribution[:, 0]
            if self.unique:
                grad[self.index] += per_param
            else:
                np.add.at(grad, self.index, per_param)


class Elementwise:
    """Nodes of one ``each``-input op: ``V[out] = forward(a, b, *params)``."""

    def __init__(self, op: Op, start: int, stop: int, operands: list[Operand]) -> None:
        self.op, self.start, self.stop, self.operands = op, start, stop, operands
        self.forward_fn = forward_on_arrays(op)
        self.rule, self.params, self.masks = op.rule, op.params, op.masks
        self.saved: list = []  # the operands of the last forward, for backward

    def forward(self, V, theta) -> None:
        args = [o.take(V, theta) for o in self.operands]
        self.saved = args
        try:
            V[self.start:self.stop] = self.forward_fn(*args, *self.params)
        except TypeError as exc:
            raise not_for_arrays(self.op, "forward", exc) from exc

    def backward(self, V, G, theta, grad) -> None:
        up = G[self.start:self.stop]
        try:
            locals_ = self.rule(V[self.start:self.stop],  # type: ignore[misc]  # (a)
                                *self.saved, *self.params)
        except TypeError as exc:
            raise not_for_arrays(self.op, "rule", exc) from exc
        for operand, local in zip(self.operands, locals_):
            if operand.needs_grad:
                operand.add_grad(G, grad, array_contribution(local, up, self.masks))


class MatVec:
    """A layer's dot nodes over the same input rows, weights from θ: ``Z = W X``."""

    def __init__(self, start: int, stop: int, weights: np.ndarray, x: Operand) -> None:
        self.start, self.stop, self.x = start, stop, x
        self.weights = weights  # (nodes, inputs) indices into θ
        g, n = weights.shape
        base, stride = int(weights[0, 0]), int(weights[1, 0] - weights[0, 0]) if g > 1 else n
        layout = base + stride * np.arange(g)[:, None] + np.arange(n)[None, :]
        self.strided = (stride >= n and bool(np.array_equal(layout, weights)))
        self.base, self.stride, self.shape = base, stride, (g, n)
        self.saved: tuple[np.ndarray, np.ndarray] = (_EMPTY_NUMBERS, _EMPTY_NUMBERS)  # W, X

    def matrix(self, theta: np.ndarray) -> np.ndarray:
        """W as a view into θ when the weights lie in rows (a layer's parameters), else a
        copy. Backward adds ∂W through the view of ∇θ: no scatter."""
        g, n = self.shape
        if self.strided and self.base + g * self.stride <= len(theta):
            return theta[self.base:self.base + g * self.stride].reshape(g, self.stride)[:, :n]
        return theta[self.weights]

    def forward(self, V, theta) -> None:
        # contiguous for BLAS (numpy multiplies a strided view without it, ~100× slower)
        W, X = np.ascontiguousarray(self.matrix(theta)), self.x.take(V, theta)
        self.saved = (W, X)
        np.matmul(W, X, out=V[self.start:self.stop])

    def backward(self, V, G, theta, grad) -> None:
        W, X = self.saved
        U = G[self.start:self.stop]
        gW = U @ X.T
        if self.strided and self.base + self.shape[0] * self.stride <= len(grad):
            self.matrix(grad)[...] += gW
        else:
            np.add.at(grad, self.weights, gW)
        if self.x.needs_grad:
            self.x.add_grad(G, grad, W.T @ U)


class Sum:
    """``sum`` nodes: each row is the sum of its parents' rows (plus parameters, numbers)."""

    def __init__(self, start: int, stop: int, members: list[list[tuple[str, float, bool]]]
                 ) -> None:
        self.start, self.stop = start, stop
        rows, owners, params, param_owners, offsets = [], [], [], [], []
        for i, parents in enumerate(members):
            offset = 0.0
            for kind, ref, _ in parents:
                if kind == NODE:
                    rows.append(ref)
                    owners.append(i)
                elif kind == PARAM:
                    params.append(ref)
                    param_owners.append(i)
                else:
                    offset += ref
            offsets.append(offset)
        self.rows = np.array(rows, dtype=np.intp)
        self.owners = np.array(owners, dtype=np.intp)
        self.has_rows = np.unique(self.owners)
        self.starts = np.searchsorted(self.owners, self.has_rows)
        self.params = np.array(params, dtype=np.intp)
        self.param_owners = np.array(param_owners, dtype=np.intp)
        self.offsets = np.array(offsets)[:, None]
        self.constant_offsets = any(offsets)
        self.rows_need_grad = np.array([needs for parents in members
                                        for kind, _, needs in parents if kind == NODE], bool)
        self.unique_rows = len(set(rows)) == len(rows)

    def forward(self, V, theta) -> None:
        out = V[self.start:self.stop]
        out[...] = 0.0
        if len(self.rows):
            out[self.has_rows] = np.add.reduceat(V[self.rows], self.starts, axis=0)
        if self.constant_offsets:
            out += self.offsets
        if len(self.params):
            extra = np.bincount(self.param_owners, theta[self.params], len(out))
            out += extra[:, None]

    def backward(self, V, G, theta, grad) -> None:
        up = G[self.start:self.stop]
        if len(self.rows) and self.rows_need_grad.any():
            if self.unique_rows:
                G[self.rows] += up[self.owners]
            else:
                np.add.at(G, self.rows, up[self.owners])
        if len(self.params):
            np.add.at(grad, self.params, up.sum(axis=1)[self.param_owners])


class ParamDot:
    """A ``dot`` of parameters only (an L2 penalty ``Σ w·w``): one row, ``Σ θ[a]·θ[b]``,
    the same for every sample; backward adds ``θ[b]·u`` to ``∂θ[a]`` and ``θ[a]·u`` to
    ``∂θ[b]`` in two vectorised calls (node by node it took a Python call per weight)."""

    def __init__(self, row: int, a: np.ndarray, b: np.ndarray) -> None:
        self.row, self.a, self.b = row, a, b

    def forward(self, V, theta) -> None:
        V[self.row] = float(np.dot(theta[self.a], theta[self.b]))

    def backward(self, V, G, theta, grad) -> None:
        u = float(G[self.row].sum())  # θ is shared by the samples: their upstreams add up
        np.add.at(grad, self.a, theta[self.b] * u)
        np.add.at(grad, self.b, theta[self.a] * u)


class Generic:
    """Any other op (``dot`` over other operands, custom n-ary ops), node by node: the
    op's forward and rule on whole rows."""

    def __init__(self, nodes: list[tuple[Op, int, list[Operand]]]) -> None:
        self.nodes = nodes
        self.saved: list = []  # each node's operand values in the last forward

    def forward(self, V, theta) -> None:
        self.saved = []
        for op, row, operands in self.nodes:
            values = [o.take(V, theta)[0] for o in operands]
            self.saved.append(values)
            try:
                V[row] = forward_on_arrays(op)(*op.arguments(values))
            except TypeError as exc:
                raise not_for_arrays(op, "forward", exc) from exc

    def backward(self, V, G, theta, grad) -> None:
        for (op, row, operands), values in zip(self.nodes, self.saved):
            up = G[row:row + 1]
            try:
                locals_ = op.rule(V[row], *op.arguments(values))  # type: ignore[misc]  # (a)
            except TypeError as exc:
                raise not_for_arrays(op, "rule", exc) from exc
            for operand, local in zip(operands, locals_):
                if operand.needs_grad:
                    local = local if isinstance(local, float) else np.asarray(local)[None]
                    operand.add_grad(G, grad, array_contribution(local, up, op.masks))


__all__ = ["LITERAL", "NODE", "PARAM", "Elementwise", "Generic", "MatVec", "Operand",
           "ParamDot", "Sum", "forward_on_arrays", "not_for_arrays"]
