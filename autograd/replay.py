"""Replay: record one sample's graph with scalars, then evaluate it over a batch with numpy.

For a given model every sample's graph has the same shape; only the numbers differ. So
:func:`trace` runs ``f`` once on an example sample — with ordinary ``Value``s, giving a graph
you can draw and step through — and compiles that graph into a program of array operations
(:mod:`autograd.array_program`). The returned :class:`Replay` then evaluates the same graph for a
whole batch at once, each node an array over the samples, with the ops' own forward
functions and derivative rules::

    ℓᵢ = f(θ, xᵢ) for every sample i,  L = (1/N) Σᵢ ℓᵢ  (or Σᵢ ℓᵢ),  ∇_θ L = (1/N) Σᵢ ∇_θ ℓᵢ

The loss and every gradient are those of the scalar engine (up to the order of floating-point
additions).

*Inputs* are the numbers of the example sample: during the trace each becomes a leaf
``Value`` labelled ``x0, x1, …`` (in the order of the arguments, nested sequences flattened),
and a batch gives one column of numbers per sample for each. *Parameters* are the other
leaves the graph reaches (``Value``s you made, e.g. ``model.parameters()``). *Constants* —
numbers that entered the graph — are the same for every sample.

**Graphs that depend on the data.** The trace records what ``f`` did for the example sample.
Ops such as relu, abs and step compute their branch inside the op, so an MLP's graph is the
same for every sample. But Python code that branches on ``.data`` (``if x.data > 0: …``),
reads a number out of a Value (``float(x)``, ``max(v.data for v in xs)``) or indexes by a
label records only the example's choice. :meth:`Replay.verify` re-traces a few samples and
raises :class:`DataDependentGraphError` if any graph differs (ops, wiring or constants).

**Threads.** A call keeps everything it computes to itself (no arrays are left on the
``Replay`` between calls), so any number of threads may call one replay at once and each
gets the bits one thread would. ``backward`` adds to ``.grad`` under a lock.

**Bad inputs fail as in the scalar engine.** Where the scalar engine raises a named error
(``log(0)``, ``sqrt(-1)``, ``x / 0``, ``exp(1000)``, ``(-2) ** 0.5``, ``0 ** -1``), replay
raises the same exception class with the same explanation, naming the sample (the first one
that fails), the node and the op. NaN in the *data* propagates, as in the scalar engine
(``replay(batch)`` gives NaN for that sample); ``backward`` refuses to add a NaN or infinite
gradient to ``.grad`` (a ``FloatingPointError`` naming the parameter). The check costs one
finiteness test per op group (none for ops whose float forward never raises,
:data:`TOTAL_OPS`); only when a group gives ±inf or NaN are its elements re-run with the op's
float forward, to see which would have raised. Inside the engine's IEEE mode
(``autograd.modes.ieee_arithmetic()``, where the scalar engine gives ±inf and NaN too)
replay gives them as well.

Example::

    >>> import numpy as np
    >>> from autograd import Value, trace
    >>> w = Value(2.0, label="w")
    >>> replay = trace(lambda x, y: (w * x - y) ** 2, 1.0, 0.0)
    >>> replay(np.array([1.0, 2.0]), np.array([0.0, 1.0])).tolist()
    [4.0, 9.0]
    >>> replay.backward(np.array([1.0, 2.0]), np.array([0.0, 1.0]))
    6.5
    >>> w.grad  # mean of 2·(w·x − y)·x over the two samples: (4 + 12) / 2
    8.0
"""

from __future__ import annotations

import math
import numbers
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from . import modes
from .array_program import (
    LITERAL,
    NODE,
    PARAM,
    Elementwise,
    Generic,
    MatVec,
    Operand,
    ParamDot,
    Sum,
    first_failure,
)
from .errors import DataDependentGraphError
from .graph import topological_order
from .modes import enable_grad, ieee_arithmetic
from .naming import describe
from .ops import (
    ABS,
    ADD,
    CONST,
    DOT,
    ELU,
    IDENTITY,
    LEAKY_RELU,
    MUL,
    NEG,
    RELU,
    SIGMOID,
    SOFTPLUS,
    STEP,
    SUB,
    SUM,
    TANH,
    Op,
)
from .value import Value, forward_error

REDUCTIONS = ("mean", "sum")

# Ops whose float forward never raises, for any float (±inf and NaN included): their groups
# skip the domain check, the hot path's only cost for it (tests/test_replay_policy.py tries
# each on every special value). Any other op — log, /, **, exp, sin, a custom op — is checked.
TOTAL_OPS = frozenset({ABS, ADD, ELU, IDENTITY, LEAKY_RELU, MUL, NEG, RELU, SIGMOID, SOFTPLUS,
                       STEP, SUB, TANH})

# Replay.backward's write-back into .grad: one at a time, from any replay in any thread (a
# read-add-write of p.grad from two threads could lose one of the two additions)
_GRAD_LOCK = threading.Lock()


class ReplayRun(NamedTuple):
    """One evaluation of a replay (:meth:`Replay.run`), all of it the caller's own.

    Fields:
        outputs: f's output per sample, ``(N,)`` (or ``(N, k)`` for k Values).
        values: every node's value per sample, ``(rows, N)``: a node's row is
            ``replay.where[id(node)][1]`` (inputs first, then the op nodes).
        loss: ``L``, the mean (or sum) of the outputs, when a gradient was asked for.
        gradient: ``∇_θ L`` when asked for, else ``None``.
    """

    outputs: np.ndarray
    values: np.ndarray
    loss: float | None
    gradient: np.ndarray | None


def trace(f: Callable[..., Value | Sequence[Value]], *example: object,
          params: Sequence[Value] | None = None) -> Replay:
    """Record ``f``'s graph for one sample and compile it for replay over batches.

    Args:
        f: a function of one sample returning a Value (e.g. that sample's loss) or a list
            of Values (e.g. a model's outputs).
        *example: one sample: each argument a number or a (nested) sequence of numbers. The
            numbers become the graph's inputs; a batch later gives one row per sample.
        params: the parameters in the order of the gradient vector (default: the leaves
            ``f`` reaches, in the order the graph meets them). Leaves ``f`` does not reach
            get a zero gradient.
    Returns:
        A :class:`Replay`.
    Raises:
        TypeError: an example argument is not a number or a sequence of numbers, ``f``
            returns something other than Values, or the graph has a node made by an op
            without a derivative rule (build it with ``autograd.Op``).
        ValueError: ``f`` returns a leaf, or reaches a leaf that is not in ``params``.
    """
    if not callable(f):
        raise TypeError(f"trace: f must be a function of one sample, got {type(f).__name__}")
    if not example:
        raise TypeError("trace: give an example sample after f, e.g. trace(loss, x, y)")
    shapes = [_shape(a, f"example argument {i}") for i, a in enumerate(example)]
    inputs, arguments = _input_leaves(example)
    with enable_grad(), ieee_arithmetic():  # the example's numbers may overflow: ±inf, NaN
        out = f(*arguments)
    return Replay(f, out, inputs, shapes, params)


class Replay:
    """One sample's recorded graph, compiled to run over batches (made by :func:`trace`).

    Attributes:
        graph: the traced output — a Value (or list of Values) for the example sample, to
            draw, explain or step through like any scalar graph.
        inputs: the leaf Values that stood for the example's numbers (``x0, x1, …``).
        params: the parameters, in the order of :meth:`gradient` 's vector.
    """

    def __init__(self, f: Callable, out, inputs: list[Value], shapes: list[tuple],
                 params: Sequence[Value] | None) -> None:
        self.f = f
        self.graph = out
        self.inputs = inputs
        self.shapes = shapes
        outputs = [out] if isinstance(out, Value) else list(out) \
            if isinstance(out, (list, tuple)) else None
        if not outputs or not all(isinstance(v, Value) for v in outputs):
            raise TypeError(f"trace: f must return a Value or a list of Values, got "
                            f"{type(out).__name__}")
        self.outputs = outputs
        self.order = _order(outputs)
        self.params = self._parameters(params)
        self._compile()

    # --- building the array program -------------------------------------------------------
    def _parameters(self, params: Sequence[Value] | None) -> list[Value]:
        input_ids = {id(v) for v in self.inputs}
        found = [v for v in self.order
                 if not v.parents and v.op is not CONST
                 and id(v) not in input_ids]
        if params is None:
            return found
        params = list(params)
        known = {id(p) for p in params}
        for v in found:
            if id(v) not in known:
                raise ValueError(f"trace: the graph reaches the leaf {_name(v)} = {v.data!r}, "
                                 "which is not in params; add it to params (or make it a "
                                 "constant with autograd.constant)")
        return params

    def _compile(self) -> None:
        order, inputs = self.order, self.inputs
        # id(node) -> (kind, ref): a row of V (NODE), an index into θ (PARAM) or the number
        # itself (LITERAL)
        where: dict[int, tuple[str, Any]] = {}
        for row, v in enumerate(inputs):
            where[id(v)] = (NODE, row)
        for k, p in enumerate(self.params):
            where.setdefault(id(p), (PARAM, k))
        needs: dict[int, bool] = {id(p): True for p in self.params}
        level: dict[int, int] = {}
        groups: dict[tuple, list[Value]] = {}
        for v in order:
            if id(v) in where:
                continue
            if not v.parents:
                where[id(v)] = (LITERAL, v.data)
                continue
            op = _rule_op(v)
            depth = 1 + max(level.get(id(p), 0) for p in v.parents)
            level[id(v)] = depth
            needs[id(v)] = any(needs.get(id(p), False) for p in v.parents)
            kinds = tuple(where[id(p)][0] if id(p) in where else NODE for p in v.parents)
            key = self._group_key(v, op, depth, kinds)
            groups.setdefault(key, []).append(v)
        self.needs_grad = needs
        self._members: list[list[Value]] = []
        self.rows = len(inputs)
        self.groups = []
        for key in sorted(groups, key=lambda k: k[0]):
            members = groups[key]
            # in the order of their first operands: a layer's weights then lie in rows of θ
            # (a view, not a copy) and its nodes' rows follow one another (slices)
            members.sort(key=lambda v: where[id(v.parents[0])][1])
            start = self.rows
            for i, v in enumerate(members):
                where[id(v)] = (NODE, start + i)
            self.rows += len(members)
            self.groups.append(self._group(key, members, start, where))
        self.where = where
        self.root_rows: list[int] = []
        for v in self.outputs:
            kind, ref = where[id(v)]
            if kind != NODE or ref < len(inputs):
                raise ValueError(f"trace: f returned {_name(v)}, a leaf; return a result "
                                 "computed from the inputs and parameters")
            self.root_rows.append(ref)
        # the groups backward runs, last first, by index (each call's saved state is a list
        # in the order of self.groups)
        self.backward_order = [k for k, members in enumerate(self._members)
                               if any(needs[id(v)] for v in members)][::-1]

    def _group_key(self, v: Value, op: Op, depth: int, kinds: tuple) -> tuple:
        if op is SUM:  # the built-in n-ary sum: its parents' rows add up
            return (depth, "sum")
        if op is DOT:  # the built-in dot: parents w…, x…; local derivatives x…, w…
            n = len(v.parents) // 2
            xs = v.parents[n:]
            if all(k == PARAM for k in kinds[:n]) and all(k == NODE for k in kinds[n:]):
                return (depth, "matvec", tuple(map(id, xs)))
            if all(k == PARAM for k in kinds):
                return (depth, "paramdot", id(v))
            return (depth, "generic", id(v))
        if op.inputs != "each":
            return (depth, "generic", id(v))
        return (depth, "each", _op_key(op), kinds)

    def _group(self, key: tuple, members: list[Value], start: int, where: dict):
        self._members.append(members)
        stop = start + len(members)
        needs = self.needs_grad

        def operand(parents: list[Value]) -> Operand:
            kind = where[id(parents[0])][0]
            refs = [where[id(p)][1] for p in parents]
            return Operand(kind, refs, any(needs.get(id(p), False) for p in parents))

        kind = key[1]
        if kind == "sum":
            return Sum(start, stop, [[(*where[id(p)], needs.get(id(p), False))
                                      for p in v.parents] for v in members])
        if kind == "matvec":
            n = len(members[0].parents) // 2
            weights = np.array([[where[id(p)][1] for p in v.parents[:n]] for v in members],
                               dtype=np.intp)
            return MatVec(start, stop, weights, operand(list(members[0].parents[n:])))
        if kind == "paramdot":
            (v,) = members
            n = len(v.parents) // 2
            refs = np.array([where[id(p)][1] for p in v.parents], dtype=np.intp)
            return ParamDot(start, refs[:n], refs[n:])
        names = _NodeNames(members)
        if kind == "generic":
            group: Generic | Elementwise = Generic(
                [(_rule_op(v), start + i, [operand([p]) for p in v.parents])
                 for i, v in enumerate(members)], names)
        else:
            arity = len(members[0].parents)
            group = Elementwise(_rule_op(members[0]), start, stop,
                                [operand([v.parents[k] for v in members])
                                 for k in range(arity)], names)
        group.checked = any(_rule_op(v).base not in TOTAL_OPS for v in members)
        return group

    # --- running ----------------------------------------------------------------------------
    def parameter_vector(self) -> np.ndarray:
        """θ: the parameters' current ``.data`` as one float64 vector."""
        return np.array([p.data for p in self.params], dtype=float)

    def _forward(self, theta: np.ndarray, batch: tuple) -> tuple[np.ndarray, list]:
        """This call's value store ``V`` and each group's saved operands (for backward).

        Raises:
            ArithmeticError, ValueError: the scalar engine's error where a node's op fails
                for a sample (:meth:`_domain_error`).
        """
        columns = self._columns(batch)
        V = np.empty((self.rows, columns.shape[1]))
        V[:len(self.inputs)] = columns
        saved: list = [None] * len(self.groups)
        failing = []
        total, isfinite = np.add.reduce, math.isfinite
        with np.errstate(all="ignore"):
            for k, group in enumerate(self.groups):
                saved[k] = group.forward(V, theta)
                # the scalar engine raises only where an op's result is ±inf or NaN: one
                # check per group, on the sum of its rows (one numpy call: a sum is finite
                # unless an element is not, or it overflows — then the elements tell)
                if group.checked and not isfinite(total(V[group.start:group.stop], None)):
                    failing.append(k)
        if failing and not modes.current.ieee:  # inside ieee_arithmetic(): ±inf and NaN,
            self._domain_error(V, saved, failing)  # as the scalar engine gives there
        return V, saved

    def _domain_error(self, V: np.ndarray, saved: list, failing: list[int]) -> None:
        """Raise the scalar engine's error for the first sample (then node) whose op's float
        forward raises, among the groups ``failing`` that gave ±inf or NaN; return when
        none does (NaN or ±inf data propagating, or an overflow the scalar engine allows)."""
        best = None
        for k in failing:
            group = self.groups[k]
            bad = ~np.isfinite(V[group.start:group.stop])
            found = first_failure(group.candidates(saved[k], bad))
            if found is not None and (best is None or (found[0], k) < best[:2]):
                best = (found[0], k, *found[1:])
        if best is None:
            return
        sample, k, i, op, data, exc = best
        node = self._members[k][i]
        scalar = forward_error(op, node.parents, data, exc)
        message = (f"replay: sample {sample} of the batch, node {describe(node)} (op "
                   f"'{op.describe()}'): {scalar}")
        try:
            error = type(scalar)(message)
        except Exception:  # an exception class with another constructor: the scalar one,
            error = scalar  # with the sample in a note (Python ≥ 3.11)
            note = getattr(error, "add_note", None)
            if note is not None:
                note(message)
        raise error from None

    def run(self, theta: np.ndarray, *batch: object, gradient: bool = False,
            reduction: str = "mean") -> ReplayRun:
        """Evaluate the batch with parameters θ: every node's value for every sample, and
        with ``gradient`` the loss ``L = (1/N) Σᵢ ℓᵢ`` (or ``Σᵢ ℓᵢ``) and ``∇_θ L``. All the
        arrays are this call's own (threads may call one replay at once).

        Returns:
            A :class:`ReplayRun` ``(outputs, values, loss, gradient)``.
        Raises:
            ValueError: ``gradient`` with f returning several Values, or an unknown
                reduction; also the scalar engine's errors for bad inputs (see the module
                docs), as ArithmeticError or ValueError.
        """
        if gradient:
            if reduction not in REDUCTIONS:
                raise ValueError(f"replay: reduction must be 'mean' or 'sum', got "
                                 f"{reduction!r}")
            if len(self.root_rows) != 1:
                raise ValueError(f"replay: f returns {len(self.root_rows)} Values per sample; "
                                 "a gradient needs one number per sample (a loss): trace a "
                                 "function that returns one Value")
        theta = np.asarray(theta, dtype=float)
        V, saved = self._forward(theta, batch)
        # views into this call's own V (no copy)
        outputs = V[self.root_rows[0]] if isinstance(self.graph, Value) else \
            V[self.root_rows].T
        if not gradient:
            return ReplayRun(outputs, V, None, None)
        n = V.shape[1]
        root = self.root_rows[0]
        total = float(V[root].sum())
        G = np.zeros_like(V)
        G[root] = 1.0 / n if reduction == "mean" else 1.0
        grad = np.zeros_like(theta)
        groups = self.groups
        with np.errstate(all="ignore"):
            for k in self.backward_order:
                groups[k].backward(V, G, theta, grad, saved[k])
        return ReplayRun(outputs, V, total / n if reduction == "mean" else total, grad)

    def outputs_of(self, theta: np.ndarray, *batch: object) -> np.ndarray:
        """f's output for every sample with parameters θ: shape ``(N,)`` for a Value,
        ``(N, k)`` for a list of k Values."""
        return self.run(theta, *batch).outputs

    def __call__(self, *batch: object) -> np.ndarray:
        """f's output for every sample of the batch, with the parameters' current ``.data``:
        ``f(θ, xᵢ)`` for each i (shape ``(N,)``, or ``(N, k)`` when f returns k Values).

        Each argument is an array (or nested list) with one row per sample, shaped like
        the corresponding example argument: ``(N,)`` for a number, ``(N, d)`` for d numbers.
        """
        return self.outputs_of(self.parameter_vector(), *batch)

    def value_and_gradient(self, theta: np.ndarray, *batch: object,
                           reduction: str = "mean") -> tuple[float, np.ndarray]:
        """``L = (1/N) Σᵢ ℓᵢ`` (or ``Σᵢ ℓᵢ``) and ``∇_θ L`` for parameters θ, as arrays;
        no ``.data`` or ``.grad`` is read or written (the optimizers' fast path).

        NaN data gives a NaN loss and gradient here (arrays, for the caller to check);
        :meth:`backward` refuses them.

        Raises:
            ValueError: f returns several Values (a loss is one number per sample), or an
                unknown reduction; also the scalar engine's errors for bad inputs (see the
                module docs), as ArithmeticError or ValueError.
        """
        result = self.run(theta, *batch, gradient=True, reduction=reduction)
        return result.loss, result.gradient  # type: ignore[return-value]  # gradient=True

    def backward(self, *batch: object, reduction: str = "mean") -> float:
        """Evaluate the batch and add ``∂L/∂p`` to every parameter's ``.grad``, where
        ``L = (1/N) Σᵢ ℓᵢ`` (``reduction="mean"``) or ``Σᵢ ℓᵢ`` (``"sum"``): exactly what
        ``L.backward()`` on the scalar graph of the whole batch would add. Returns L.

        Safe from several threads: the additions to ``.grad`` are made under a lock, so
        every call's gradient is added in full (in the order the calls finish).

        Raises:
            FloatingPointError: a gradient is NaN or ±inf (NaN data, or a derivative
                infinite at the inputs, as ``sqrt`` at 0); no ``.grad`` is changed.
            ArithmeticError, ValueError: the scalar engine's error for a bad input (see the
                module docs).
        """
        value, grad = self.value_and_gradient(self.parameter_vector(), *batch,
                                              reduction=reduction)
        if not np.isfinite(grad).all():
            k = int(np.argmin(np.isfinite(grad)))
            raise FloatingPointError(
                f"replay.backward: the gradient of parameter {k} ({describe(self.params[k])}) "
                f"is {float(grad[k])!r} (the loss is {value!r}); no .grad was changed. NaN in the "
                "batch, or an op whose derivative is infinite at these inputs (sqrt or log "
                "at 0), gives it: clean the data, or keep the inputs inside the ops' domains")
        with _GRAD_LOCK:
            for p, g in zip(self.params, grad.tolist()):
                p.grad += g
        return value

    # --- checking the trace ---------------------------------------------------------------
    def verify(self, *batch: object, samples: int = 3) -> None:
        """Re-trace ``f`` on the first ``samples`` samples of the batch and check each graph
        has the example's structure: the same ops with the same parameters, the same wiring,
        the same parameters and the same constants.

        Raises:
            DataDependentGraphError: a graph differs; the message names the first node that
                does (Python code in f chose something from the data: see the module docs).
        """
        columns = self._columns(batch)
        expected = _signature(self.order, self.inputs)
        for i in range(min(samples, columns.shape[1])):
            sample = _unflatten(columns[:, i].tolist(), self.shapes)
            inputs, arguments = _input_leaves(sample)
            with enable_grad(), ieee_arithmetic():
                out = self.f(*arguments)
            outputs = [out] if isinstance(out, Value) else list(out)
            got = _signature(_order(outputs), inputs)
            if got != expected:
                k = next((j for j, (a, b) in enumerate(zip(got, expected)) if a != b),
                         min(len(got), len(expected)))
                what = expected[k] if k < len(expected) else "nothing"
                instead = got[k] if k < len(got) else "nothing"
                raise DataDependentGraphError(
                    f"replay.verify: sample {i} records a different graph than the example: "
                    f"node {k} is {instead} where the example has {what}. f's graph depends "
                    "on the data (Python code branching on .data, float(x), max(v.data ...), "
                    "indexing by a label, or random numbers), so one trace cannot stand for "
                    "every sample. Write that step with ops (relu, abs, step, where in a "
                    "custom Op) or train with the scalar engine.")

    def _columns(self, batch: tuple) -> np.ndarray:
        """The batch as one array of input rows: ``(inputs, N)``."""
        if len(batch) != len(self.shapes):
            raise TypeError(f"replay: f was traced with {len(self.shapes)} argument(s), got "
                            f"{len(batch)}; pass one array per argument, one row per sample")
        blocks = []
        n = None
        for i, (arg, shape) in enumerate(zip(batch, self.shapes)):
            a = np.asarray(arg, dtype=float)
            size = math.prod(shape)
            if a.ndim == 0 or a.size != len(a) * size:
                raise ValueError(
                    f"replay: argument {i} has shape {a.shape}, but the example was "
                    f"{shape or 'a number'}; give one row per sample, shape (N, "
                    f"{', '.join(map(str, shape))})" if shape else
                    f"replay: argument {i} has shape {a.shape}; give one number per sample, "
                    "shape (N,)")
            if n is not None and len(a) != n:
                raise ValueError(f"replay: argument {i} has {len(a)} samples, argument 0 "
                                 f"has {n}; give the same number of samples for each")
            n = len(a)
            blocks.append(a.reshape(n, size))
        if n == 0:
            raise ValueError("replay: the batch is empty; give at least one sample")
        return np.concatenate(blocks, axis=1).T


# --- helpers -------------------------------------------------------------------------------
class _NodeNames(Sequence[str]):
    """A group's node names for its error messages, made only when one is read (naming
    every node of a large graph at trace time would cost more than the trace)."""

    def __init__(self, members: list[Value]) -> None:
        self.members = members

    def __len__(self) -> int:
        return len(self.members)

    def __getitem__(self, i):  # an int is all the groups ask
        return describe(self.members[i])


def _order(outputs: list[Value]) -> list[Value]:
    """The nodes of all outputs' graphs, each after its parents."""
    order, seen = [], set()
    for out in outputs:
        for v in topological_order(out):
            if v not in seen:
                seen.add(v)
                order.append(v)
    return order


def _shape(arg: object, what: str) -> tuple:
    if isinstance(arg, Value):
        raise TypeError(f"trace: {what} is a Value; give the sample's numbers (its .data): "
                        "trace makes its own input Values")
    if isinstance(arg, numbers.Real) and not isinstance(arg, bool):
        return ()
    if hasattr(arg, "shape") and hasattr(arg, "dtype"):
        return tuple(np.shape(arg))
    if isinstance(arg, (str, bytes)) or not hasattr(arg, "__len__") or \
            not hasattr(arg, "__iter__") or len(arg) == 0:
        raise TypeError(f"trace: {what} must be a number or a non-empty sequence of numbers, "
                        f"got {type(arg).__name__} {arg!r}")
    inner = {_shape(a, what) for a in arg}
    if len(inner) != 1:
        raise ValueError(f"trace: {what} is ragged; every item must have the same shape")
    return (len(arg), *inner.pop())


def _input_leaves(example: Sequence) -> tuple[list[Value], list]:
    """Leaf Values for every number of the sample (``x0, x1, …``), and the arguments
    rebuilt from them with the sample's nesting."""
    leaves: list[Value] = []

    def build(a):
        if isinstance(a, numbers.Real) or (hasattr(a, "ndim") and a.ndim == 0):
            v = Value(float(a), label=f"x{len(leaves)}")
            leaves.append(v)
            return v
        return [build(item) for item in a]

    return leaves, [build(a) for a in example]


def _unflatten(numbers_: list[float], shapes: list[tuple]) -> list:
    out, k = [], 0
    for shape in shapes:
        size = math.prod(shape)
        flat = numbers_[k:k + size]
        k += size
        out.append(np.array(flat).reshape(shape).tolist() if shape else flat[0])
    return out


def _signature(order: list[Value], inputs: list[Value]) -> list[tuple]:
    """What must match between two traces: per node, its op, the op's parameters, where
    its parents are, and the number of a constant (an input's or parameter's identity)."""
    index = {id(v): i for i, v in enumerate(order)}
    input_ids = {id(v): i for i, v in enumerate(inputs)}
    signature: list[tuple] = []
    for v in order:
        if id(v) in input_ids:
            signature.append(("input", input_ids[id(v)]))
        elif not v.parents:
            signature.append(("const", v.data) if v.op is CONST else ("param", id(v)))
        else:
            signature.append((_op_key(v.op), tuple(index[id(p)] for p in v.parents)))
    return signature


def _rule_op(v: Value) -> Op:
    """The op that made ``v``, if it has a derivative rule to run over a batch."""
    op = v.op
    if not isinstance(op, Op) or op.rule is None:
        raise TypeError(
            f"trace: node {_name(v)} was made by op {str(op)!r}, which has no "
            "derivative rule to run over a batch; build it with autograd.Op(name, "
            "rule, forward=...) and autograd.apply")
    return op


def _op_key(op: Op | str) -> tuple:
    """What makes two nodes' ops the same computation: the same op — by identity, as ops
    compare: two custom ops with one name and one rule but different forward functions are
    two ops — with the same parameters (variants ``leaky_relu(0.2)`` made apart from one
    base op are one op here: ``with_params`` copies the base's functions)."""
    if isinstance(op, Op):
        return (id(op.base), op.params, op.inputs)
    return (op, (), "")


def _name(v: Value) -> str:
    return repr(v.label) if v.label else f"'{v.op or 'leaf'}'"


__all__ = ["REDUCTIONS", "TOTAL_OPS", "DataDependentGraphError", "Replay", "ReplayRun", "trace"]
