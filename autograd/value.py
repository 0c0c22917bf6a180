"""The ``Value`` node: one scalar, and the methods that build graphs from it.

Every op is one entry of :mod:`autograd.ops`; a ``Value`` method applies it in three steps —
forward value, local derivative(s), node — and stores the local derivatives *on the node*,
next to its parents, as plain data. There is no closure per node,
so a graph holds no reference cycles and is freed by reference counting alone the moment the
last name for its output goes away.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from itertools import count
from typing import TYPE_CHECKING, Any

from . import modes
from .backward import run_backward
from .errors import AnomalyError, GraphCycleError
from .graph import describe, op_text
from .modes import open_blocks
from .ops import (
    ADD,
    CONST,
    DIV,
    ELU,
    LEAKY_RELU,
    MUL,
    POW,
    POW_VALUE,
    SUB,
    Op,
    all_ops,
    check_parameter,
    ieee_forward,
    ieee_locals,
)

Number = int | float  # what a plain number may be, wherever a Value is accepted

_ids = count()
_new = object.__new__


# --- applying an op: forward value, local derivatives, node -------------------------------
# _OPTIONAL_CALLS: ``Op.forward`` and ``Op.rule`` are Optional (a leaf's op has neither), and
# the helpers below call them unchecked: they apply the built-in ops, which have both, and
# ops apply() checked. A check per node here would cost the engine's hottest path, so these
# calls carry ``# type: ignore[misc]`` instead.
# Every op goes through these plain functions (built-in and custom alike): the forward value,
# the op's rule for the local derivatives, then one node. ``+ − × ÷`` compute their value in
# place (no forward call: the engine's hottest path) and then share ``_binary``.
def _binary(op: Op, x: Value, y: Value, out: float) -> Value:
    """The node ``out = x <op> y``: its local derivatives from ``op.rule``, then the node
    (a constant when both inputs are constants)."""
    if x.op is CONST and y.op is CONST:  # data only: the result is data too
        return record(out, (), (), CONST)
    a = x.data
    b = y.data
    try:
        local = op.rule(out, a, b)  # type: ignore[misc]  # (see _OPTIONAL_CALLS)
    except (ArithmeticError, ValueError):  # a singularity: IEEE values, as PyTorch
        local = ieee_locals(op, out, (a, b))
    if open_blocks[0]:  # a mode block (no_grad, detect_anomaly) is open somewhere
        return _record_in_mode(out, (x, y), local, op)
    v = _new(Value)  # record() inlined: one call less per node
    v.data = out
    v.grad = 0.0
    v._parents = (x, y)
    v.local_grads = local
    v.op = op
    v.label = ""
    v._id = None
    return v


def _apply_binary(op: Op, x: Value, y: Value) -> Value:
    """A two-input op through its forward function (``/``, ``**`` with a Value exponent)."""
    try:
        out = op.forward(x.data, y.data)  # type: ignore[misc]  # (see _OPTIONAL_CALLS)
    except (ArithmeticError, ValueError) as exc:
        return _failed(op, (x, y), (x.data, y.data), exc)
    return _binary(op, x, y, out)


def _unary(op: Op, x: Value) -> Value:
    """The node ``out = op(x)`` (with the op's parameters: a slope, an exponent)."""
    a = x.data
    params = op.params
    try:
        out = op.forward(a, *params) if params else op.forward(a)  # type: ignore[misc]
    except (ArithmeticError, ValueError) as exc:
        return _failed(op, (x,), (a,), exc)
    if x.op is CONST:
        return record(out, (), (), CONST)
    try:
        local = op.rule(out, a, *params) if params else op.rule(out, a)  # type: ignore[misc]
    except (ArithmeticError, ValueError):
        local = ieee_locals(op, out, (a,))
    if open_blocks[0]:
        return _record_in_mode(out, (x,), local, op)
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    v._parents = (x,)
    v.local_grads = local
    v.op = op
    v.label = ""
    v._id = None
    return v


def _as_value(x: object, op: Op) -> Value:
    """The other operand of a binary op: a Value as it is, a number as a constant."""
    return x if isinstance(x, Value) else _constant(x, op)


def _unary_method(op: Op, name: str) -> Callable[[Value], Value]:
    """The ``Value`` method ``name`` applying the one-input ``op`` (attached in a loop over
    the registry, below the class)."""
    def method(self: Value) -> Value:
        return _unary(op, self)

    method.__name__ = method.__qualname__ = name
    method.__dict__["op"] = op  # made for this op (unregister_op takes it away again)
    method.__doc__ = op.doc or f"The op {op.name!r}: {op.math}."
    return method


def _refuse_cycle(node: Value, parents: tuple[Value, ...]) -> None:
    """Raise :class:`GraphCycleError` when ``node`` is among ``parents`` or their ancestors
    (``node.parents = parents`` would close a cycle); walks the parents' graph once."""
    seen: set[int] = set()
    stack = list(parents)
    while stack:
        v = stack.pop()
        if v is node:
            raise GraphCycleError(
                f"Value.parents: {describe(node)!r} cannot take these parents: "
                f"{describe(node)!r} is among them or their ancestors, so the graph would "
                "have a cycle (a node computed from itself); build a new node instead")
        if id(v) not in seen:
            seen.add(id(v))
            stack.extend(v._parents)


class Value:
    """A scalar in a computation graph: its data, its gradient and how it was computed.

    Attributes:
        data: the number (a float).
        grad: ∂root/∂self, accumulated by ``backward()`` (0.0 until then; always 0.0 for a
            constant: data gets no gradient).
        parents: the Values this one was computed from (a tuple; empty for leaves).
        local_grads: ∂self/∂parent for each parent, same order (a tuple of floats).
        op: the op that produced it (``""`` for a leaf you made, ``"const"`` for a number
            that entered an expression, else the op's name, e.g. ``"*"``).
        label: a name for drawings and step tables (optional).

    Args:
        data: an int or a float (anything ``numbers.Real``); stored as float.
        parents: the low-level interface for a custom op: the inputs of this node...
        local_grads: ...and ∂(this node)/∂(each input), evaluated at the inputs' data.
        op: the op's name, or an :class:`autograd.Op` carrying a derivative rule if the custom
            op must be differentiated twice (``backward(create_graph=True)``).
        label: a name to show.

    Raises:
        TypeError: ``data`` is not a real number, or a parent is not a Value.
        ValueError: ``parents`` and ``local_grads`` differ in length.

    Example — ordinary use, then a custom op given by its local derivative::

        >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
        >>> c = a * b + 10
        >>> c.backward(); (a.grad, b.grad)
        (-3.0, 2.0)
        >>> x = Value(0.5, label="x")
        >>> cube = Value(x.data ** 3, parents=(x,), local_grads=(3 * x.data ** 2,), op="cube")
        >>> cube.backward(); x.grad
        0.75
    """

    __slots__ = ("__weakref__", "_id", "_parents", "data", "grad", "label", "local_grads", "op")

    data: float
    grad: float | Value  # a Value after backward(create_graph=True)
    _parents: tuple[Value, ...]  # read through the property ``parents``; hot loops read it directly
    local_grads: tuple[float, ...]
    op: Op | str  # an Op; a custom node's name when Value(...) was given one
    label: str
    _id: int | None

    def __init__(
        self,
        data: Number,
        parents: Iterable[Value] = (),
        local_grads: Iterable[Number] = (),
        op: str = "",
        label: str = "",
    ) -> None:
        self.data = as_float(data, "Value(data)")
        if isinstance(parents, str):
            raise TypeError(
                f"Value(parents): got the string {parents!r} where the parents go; to name "
                f"the value, pass it as label: Value({self.data!r}, label={parents!r})"
            )
        self._parents = tuple(parents)
        self.local_grads = tuple(as_float(g, "Value(local_grads)") for g in local_grads)
        for p in self.parents:
            if not isinstance(p, Value):
                if hasattr(p, "data"):
                    as_float(p, "Value(parents)")  # names the foreign type
                raise TypeError(
                    f"Value(parents): every parent must be a Value, got {type(p).__name__} "
                    f"{p!r}; wrap numbers first: Value({p!r})"
                )
        if len(self.parents) != len(self.local_grads):
            raise ValueError(
                f"Value: got {len(self.parents)} parents but {len(self.local_grads)} local "
                "gradients; give one ∂out/∂parent per parent, in the same order"
            )
        self.grad = 0.0
        self.op = op
        self.label = label
        self._id = None

    # --- the graph ---------------------------------------------------------------------------
    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in the order of ``local_grads``."""
        return self._parents

    @parents.setter
    def parents(self, parents: Iterable[Value]) -> None:
        """Reassign the parents — refused when it would make this node its own ancestor, so
        every walk of a graph (``backward``, ``draw``, ``explain``…) stays a walk of a DAG."""
        parents = tuple(parents)
        for p in parents:
            if not isinstance(p, Value):
                raise TypeError(f"Value.parents: every parent must be a Value, got "
                                f"{type(p).__name__} {p!r}")
        _refuse_cycle(self, parents)
        self._parents = parents

    # --- identity and display ------------------------------------------------------------
    @property
    def id(self) -> int:
        """A small deterministic number naming this node (given on first use, in order)."""
        if self._id is None:
            self._id = next(_ids)
        return self._id

    @property
    def is_leaf(self) -> bool:
        """``True`` for a node with no parents (a leaf you made, or a constant)."""
        return not self.parents

    @property
    def is_constant(self) -> bool:
        """``True`` for data: a number that entered an expression (``x * 2`` makes the 2
        one), ``autograd.constant(x)``, a result computed only from constants or inside
        ``no_grad()``. Constants get no gradient (see :attr:`requires_grad`)."""
        return self.op is CONST

    @property
    def requires_grad(self) -> bool:
        """``True`` when backward computes a gradient for this node: everything but constants
        (as PyTorch, where data tensors do not require grad). For ∂L/∂x, make x a Value."""
        return self.op is not CONST

    @requires_grad.setter
    def requires_grad(self, flag: object) -> None:
        raise AttributeError(
            f"requires_grad is read-only: it says whether {describe(self)} is a constant. Make "
            "data with autograd.constant(x) (or a plain number), a parameter with Value(x); "
            "to use this number as data, take autograd.constant(v.data)."
        )

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        grad = self.grad
        return f"Value(data={self.data!r}, grad={grad!r}{label})"

    def __float__(self) -> float:
        if modes.current.ieee:  # a derivative rule is being recorded (create_graph)
            raise TypeError(
                f"a derivative rule turned the Value {describe(self)} into a float (math.cos(x)"
                ", float(x)...) while backward(create_graph=True) records it, so the "
                "derivative of that derivative would silently be 0. Write the rule with Value "
                "operations and autograd.ops' helpers (x.exp(), ops.exp(x), ops.where(...)), "
                "which work on floats and on Values alike."
            )
        return self.data

    def item(self) -> float:
        """The data as a Python float (as ``torch.Tensor.item``)."""
        return self.data

    # --- comparisons: on data, returning bool; == stays identity so nodes stay hashable ----
    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _data_of(other)

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _data_of(other)

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _data_of(other)

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _data_of(other)

    # --- arithmetic: each method applies one op of autograd.ops --------------------------
    __array_ufunc__ = None  # numpy scalars on the left defer to our reflected ops

    def __add__(self, other: Value | Number) -> Value:
        """``self + other``: ∂/∂self = 1, ∂/∂other = 1 (:data:`autograd.ops.ADD`)."""
        if other.__class__ is not Value:
            other = _as_value(other, ADD)
        return _binary(ADD, self, other, self.data + other.data)

    def __radd__(self, other: Number) -> Value:
        """``other + self`` for a number ``other`` (it becomes a constant)."""
        c = _constant(other, ADD)
        return _binary(ADD, c, self, c.data + self.data)

    def __sub__(self, other: Value | Number) -> Value:
        """``self − other``: ∂/∂self = 1, ∂/∂other = −1 (:data:`autograd.ops.SUB`)."""
        if other.__class__ is not Value:
            other = _as_value(other, SUB)
        return _binary(SUB, self, other, self.data - other.data)

    def __rsub__(self, other: Number) -> Value:
        """``other − self`` for a number ``other``."""
        c = _constant(other, SUB)
        return _binary(SUB, c, self, c.data - self.data)

    def __mul__(self, other: Value | Number) -> Value:
        """``self · other``: ∂/∂self = other, ∂/∂other = self (:data:`autograd.ops.MUL`)."""
        if other.__class__ is not Value:
            other = _as_value(other, MUL)
        return _binary(MUL, self, other, self.data * other.data)

    def __rmul__(self, other: Number) -> Value:
        """``other · self`` for a number ``other``."""
        c = _constant(other, MUL)
        return _binary(MUL, c, self, c.data * self.data)

    def __truediv__(self, other: Value | Number) -> Value:
        """``self / other``: ∂/∂self = 1/other, ∂/∂other = −self/other²
        (:data:`autograd.ops.DIV`); a zero divisor raises a ``ZeroDivisionError``."""
        if other.__class__ is not Value:
            other = _as_value(other, DIV)
        return _apply_binary(DIV, self, other)

    def __rtruediv__(self, other: Number) -> Value:
        """``other / self`` for a number ``other``."""
        return _apply_binary(DIV, _constant(other, DIV), self)

    def __pos__(self) -> Value:
        return self

    def __pow__(self, exponent: Value | Number) -> Value:
        """``self ** exponent``: a number exponent is part of the op (``** 2``); a Value
        exponent is an input that gets a gradient too (``∂(aᵇ)/∂b = aᵇ·ln a``).

        A negative base takes integral exponents only, a number or a Value: ``Value(-2.0) **
        Value(3.0)`` is −8 and its base's gradient b·aᵇ⁻¹ is 12, as in PyTorch. The
        exponent's gradient aᵇ·ln a has no real value there (PyTorch gives NaN): a backward
        pass that needs it raises a ``ValueError`` saying so, and a constant exponent
        (``autograd.constant(3.0)``, or ``grad`` by the base only) needs none. A fractional
        exponent of a negative base raises at once (no real result). An int exponent too
        large for a float still gives the exact limit: ``Value(1.0) ** 10**400`` is 1.0.

        Example::

            >>> from autograd import Value, constant
            >>> x = Value(-2.0); y = x ** constant(3.0)
            >>> y.backward(); (y.data, x.grad)
            (-8.0, 12.0)
        """
        if isinstance(exponent, Value):
            return _apply_binary(POW_VALUE, self, exponent)
        n = exponent
        if n.__class__ is not int:
            n = as_float(exponent, "** (exponent)")
            if n.is_integer():
                n = int(n)  # (-2) ** 3.0 stays real, and drawings say "** 3", not "** 3.0"
        op = _POWERS.get(n)
        if op is None:
            if len(_POWERS) > _MAX_VARIANTS:
                _POWERS.clear()
            op = _POWERS[n] = POW.with_params(n)
        return _unary(op, self)

    def __rpow__(self, base: Number) -> Value:
        """``base ** self`` for a number ``base``: ∂/∂self = baseˢᵉˡᶠ·ln base."""
        return _apply_binary(POW_VALUE, _constant(base, POW_VALUE), self)

    # --- elementary functions: exp, log, tanh, relu… are attached below the class, one per
    # registered op with a ``method`` name (see autograd.ops), by attach_methods(). Declared
    # here for type checkers and editors, which do not run that loop; a new op's method is
    # added to this list too (tests/test_typing.py checks that every one is).
    if TYPE_CHECKING:
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        def identity(self) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def softplus(self) -> Value: ...
        def relu(self) -> Value: ...
        def step(self) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...


    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else ``slope * x`` (PyTorch's ``negative_slope``, default 0.01)."""
        return _unary(_variant(LEAKY_RELU, slope, "slope"), self)

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0, else ``alpha * (eˣ − 1)`` (Clevert et al. 2015; PyTorch's default)."""
        return _unary(_variant(ELU, alpha, "alpha"), self)

    # --- the backward pass -----------------------------------------------------------------
    def backward(self, grad: Value | Number = 1.0, *, create_graph: bool = False) -> None:
        """Backpropagate: add ∂self/∂node to ``node.grad`` for every node in this graph.

        Gradients of leaves (your parameters and inputs) **accumulate**, as in PyTorch: a
        second call adds the same amounts again, so zero them between training steps
        (``autograd.zero_grad(root)`` or your optimiser's ``zero_grad()``). An intermediate
        node's ``.grad`` is ∂self/∂node of the latest pass — the upstream gradient that pass
        used — so the accumulation on leaves is exact: two calls give twice the gradients.

        Args:
            grad: the seed ∂L/∂self (1.0 when self is the loss).
            create_graph: also record the backward pass as Values, so each ``.grad`` becomes a
                Value that can itself be differentiated (second derivatives, Hessian entries).

        Raises:
            RuntimeError: ``self`` is a constant — a number that entered an expression, a
                result computed from constants only or under ``no_grad()`` — so there is no
                graph to go back through.

        Example::

            >>> x = Value(3.0); y = x * x
            >>> y.backward(); x.grad
            6.0
        """
        if not isinstance(self, Value):  # Value.backward([y1, y2]), as torch.autograd.backward
            raise TypeError(_several_roots("Value.backward(...)", self))
        if self.op is CONST:
            raise RuntimeError(
                f"backward: {describe(self)} = {self.data!r} has no graph: it is a constant (a "
                "number that entered an expression, a result computed from constants only, or "
                "one computed inside no_grad()), so no gradient can flow from it. Make the "
                "numbers you differentiate by Values (Value(x), not constant(x)) and compute "
                "outside no_grad() before calling backward()."
            )
        if create_graph is not True and create_graph is not False:
            raise TypeError(f"backward: create_graph must be True or False, got "
                            f"{create_graph!r}")
        if isinstance(grad, (list, tuple)):
            raise TypeError(_several_roots("backward(grad)", grad))
        run_backward(self, seed(grad, "backward(grad)"), create_graph=create_graph)


def attach_methods() -> None:
    """Give ``Value`` a method for every registered one-input op that names one
    (``op.method``, e.g. ``"tanh"``): ``Value(0.5).tanh()`` applies :data:`ops.TANH`. Run at
    import for the built-in ops; :func:`autograd.register_op` runs it again for new ones."""
    for op in all_ops():
        if op.method and op.method not in Value.__dict__:
            setattr(Value, op.method, _unary_method(op, op.method))


def _several_roots(where: str, got: object) -> str:
    return (f"{where}: got a {type(got).__name__} {_short_repr(got)}; backward takes one "
            "number, the seed gradient ∂L/∂self (1.0 by default), and runs from the Value it "
            "is called on: y.backward(). To backpropagate several outputs, sum them first "
            "(autograd.sum([y1, y2]).backward()) or call backward on each (y1.backward(); "
            "y2.backward(): gradients add up).")


def _short_repr(x: object, limit: int = 80) -> str:
    text = repr(x)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --- applying an op ----------------------------------------------------------------------
def _failed(op: Op, inputs: tuple, data: tuple, exc: Exception) -> Value:
    """A forward function raised: IEEE values inside derivative rules, else a clear error."""
    if modes.current.ieee:
        out = ieee_forward(op, data)
        return record(out, inputs, ieee_locals(op, out, data), op)
    error = forward_error(op, inputs, data, exc)
    raise error from (exc if op.error is None else None)


def forward_error(op: Op, inputs: tuple, data: tuple, exc: Exception) -> Exception:
    """The clear error user code gets when ``op``'s forward function raised ``exc`` on
    ``data`` (the numbers of ``inputs``, the Values, whose labels it names): the op's own
    ``error`` (``log of 0.0 of 'x'…``), else ``exc``'s class with the op and the numbers.
    Replay raises the same (:mod:`autograd.replay`), so both engines fail alike."""
    if op.error is None:
        message = f"op '{op_text(op)}' failed on {list(data)}: {exc}"
        try:
            return type(exc)(message)
        except Exception:  # an exception type with another constructor
            return ValueError(message)
    names = tuple(_named(v) for v in inputs)
    return op.error(exc, (*data, *op.params), names)


_MAX_VARIANTS = 1024
_POWERS: dict = {}  # ** with a number exponent: one Op per exponent, looked up per call
_CHECKED_VARIANTS: dict = {}  # (op, slope or alpha) -> the op with that parameter


def _variant(op: Op, param: object, name: str) -> Op:
    """``op`` with its parameter set to ``param`` (checked once to be a finite number)."""
    key = (op, param.__class__, param)  # by type too: True is not accepted as 1.0
    try:
        variant = _CHECKED_VARIANTS.get(key)
    except TypeError:  # unhashable: not a number, as check_parameter will say
        variant = None
    if variant is None:
        value = check_parameter(param, name, f"{op}({name}={param!r})")
        if len(_CHECKED_VARIANTS) > _MAX_VARIANTS:
            _CHECKED_VARIANTS.clear()
        variant = _CHECKED_VARIANTS[key] = op.with_params(value)
    return variant


def apply(op: Op, *inputs: Value | Number) -> Value:
    """Apply ``op`` (an :class:`autograd.Op` with a ``forward`` function) to ``inputs``.

    The result's data is ``op.forward(*inputs)``, its local derivatives ``op.rule(out,
    *inputs)``; numbers among the inputs become constants. This is how the built-in ops are
    applied, so a custom op behaves exactly like them (modes, anomaly checks, create_graph).

    Raises:
        TypeError: ``op`` has no forward function.
        DerivativeRuleError: the rule returns a different number of derivatives than inputs.

    Example::

        >>> from autograd import Op, Value, apply
        >>> SQUARE = Op("square", lambda out, x: (2 * x,), forward=lambda x: x * x)
        >>> y = apply(SQUARE, Value(3.0)); y.backward(); y.data
        9.0
    """
    n = len(inputs)
    if 0 < n <= 2 and (op.__class__ is Op or _plain(op)) and op._arity == n:  # op.arity()
        # one or two inputs, as the built-in ops: forward, rule, node, with the checks a
        # custom op needs (a float result, one float derivative per input) costing a few tests
        x = inputs[0] if inputs[0].__class__ is Value else _as_value(inputs[0], op)
        if n == 1:
            v = _unary(op, x)
            local = v.local_grads
            if v.data.__class__ is float and (not v.parents or (
                    local.__class__ is tuple and len(local) == 1 and local[0].__class__ is float)):
                return v
            return _checked(op, v)
        if not op.params:
            y = inputs[1] if inputs[1].__class__ is Value else _as_value(inputs[1], op)
            a, b = x.data, y.data
            try:
                out = op.forward(a, b)  # type: ignore[misc]  # (see _OPTIONAL_CALLS)
            except (ArithmeticError, ValueError) as exc:
                return _failed(op, (x, y), (a, b), exc)
            try:
                local = op.rule(out, a, b)  # type: ignore[misc]  # (see _OPTIONAL_CALLS)
            except (ArithmeticError, ValueError):  # a singularity: IEEE values, as PyTorch
                local = ieee_locals(op, out, (a, b))
            if out.__class__ is float and local.__class__ is tuple and len(local) == 2 and \
                    local[0].__class__ is float and local[1].__class__ is float:
                return record(out, (x, y), local, op)
            return _checked(op, record(out, (x, y), local, op))
    if not isinstance(op, Op) or op.forward is None:
        raise TypeError(f"apply: op must be an autograd.Op with a forward function, got "
                        f"{op!r}; build it as Op(name, rule, forward=...)")
    arity = op.arity()
    values = tuple(x if isinstance(x, Value) else _constant(x, op) for x in inputs)
    if arity is not None and arity != len(values):
        raise TypeError(f"apply: op '{op_text(op)}' takes {arity} input(s), got {len(values)}")
    data = tuple(v.data for v in values)
    arguments = op.arguments(data)
    try:
        out = as_float(op.forward(*arguments), f"op '{op}' forward result")
    except (ArithmeticError, ValueError) as exc:
        return _failed(op, values, data, exc)
    try:
        local = op.local_grads(out, data)
    except (ArithmeticError, ValueError):
        local = ieee_locals(op, out, data)
    return record(out, values, tuple(as_float(g, f"op '{op}' rule") for g in local), op)


def _plain(op: Op) -> bool:
    """Whether ``op`` arranges its inputs and checks its rule as :class:`Op` does (a subclass
    that overrides ``arguments`` or ``local_grads`` takes the general path of :func:`apply`)."""
    cls = op.__class__
    return isinstance(op, Op) and cls.arguments is Op.arguments and \
        cls.local_grads is Op.local_grads


def _checked(op: Op, v: Value) -> Value:
    """``v``, made by a built-in path from a custom op whose forward or rule did not give
    floats: its data made a float, its local derivatives checked to be one number per input
    and made floats (another count is a :class:`DerivativeRuleError`)."""
    v.data = as_float(v.data, f"op '{op}' forward result")
    if v.parents:
        data = tuple(p.data for p in v.parents)
        v.local_grads = tuple(as_float(g, f"op '{op}' rule")
                              for g in op.local_grads(v.data, data))
    return v


# --- node construction -------------------------------------------------------------------
def record(data: float, parents: tuple, local_grads: tuple, op: Op) -> Value:
    """The output node of an op, as the modes of this thread say: with its parents when
    recording, a constant inside ``no_grad()``, checked inside ``detect_anomaly()``.

    An op whose inputs are all constants gives a constant: data stays data (PyTorch's
    ``requires_grad`` is False for it), so the backward pass never goes into it.

    Every op goes through here; it trusts its arguments (no validation)."""
    if parents and parents[0].op is CONST and all(p.op is CONST for p in parents):
        parents, local_grads, op = (), (), CONST
    if not open_blocks[0]:  # no mode block open in any thread: the engine's hottest path
        v = _new(Value)
        v.data = data
        v.grad = 0.0
        v._parents = parents
        v.local_grads = local_grads
        v.op = op
        v.label = ""
        v._id = None
        return v
    return _record_in_mode(data, parents, local_grads, op)


def _record_in_mode(data: float, parents: tuple, local_grads: tuple, op: Op) -> Value:
    state = modes.current
    v = _node(data, parents, local_grads, op) if state.recording else \
        _node(data, (), (), CONST)
    if state.anomaly:
        site = modes.creation_site()
        modes.remember_creation_site(v, site)
        if not math.isfinite(data):
            inputs = ", ".join(f"{describe(p)} = {p.data!r}" for p in parents) or "none"
            raise AnomalyError(
                f"detect_anomaly: forward op '{op_text(op)}' produced {data!r} (inputs: "
                f"{inputs}), created at {site}. Check that op's inputs: scale them, or use a "
                "numerically stable form."
            )
    return v


def _node(data: float, parents: tuple, local_grads: tuple, op: Op | str) -> Value:
    """A node exactly as given: no validation, no mode checks."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._parents = parents
    v.local_grads = local_grads
    v.op = op
    v.label = ""
    v._id = None
    return v


def _constant(x: Any, where: Op | str) -> Value:
    """A number that takes part in an expression, as a constant node."""
    cls = x.__class__
    if cls is float:
        data = x
    elif cls is int:
        data = float(x)
    else:  # the message is built only here: this runs for every number in an expression
        data = as_float(x, f"'{op_text(where)}'")
    return _node(data, (), (), CONST)


def constant(x: Number, label: str = "") -> Value:
    """A Value marked as data, not a parameter: drawn as an input; ``x * 2`` makes one for 2.

    Args:
        x: the number.
        label: an optional name, e.g. ``"x0"``.
    Returns:
        A leaf Value whose ``op`` is ``"const"``.
    """
    if isinstance(x, Value):
        raise TypeError(
            f"constant: x is already a Value ({describe(x)} = {x.data!r}); autograd.constant("
            "v.data) makes data of its number (cut from the graph), or use the Value itself"
        )
    v = _constant(x, "constant")
    v.label = label
    return v


def as_float(x: Any, where: str) -> float:
    """``x`` as a float if it is a real number (int, float, numpy scalar...), else a
    ``TypeError`` naming ``where``, the type and the fix."""
    cls = x.__class__
    if cls is float:
        return x
    if cls is int:
        return float(x)
    if isinstance(x, numbers.Real):
        return float(x)
    kind = f"{cls.__module__}.{cls.__qualname__}" if cls.__module__ != "builtins" \
        else cls.__name__
    if hasattr(x, "shape") and hasattr(x, "dtype"):  # a numpy array
        raise TypeError(
            f"{where}: got a numpy array of shape {x.shape}; a Value holds one number: pass "
            "float(a) or a.item() for a single element, or one Value per element."
        )
    if isinstance(x, Value):
        raise TypeError(
            f"{where}: got the Value {describe(x)} = {x.data!r} where a plain number goes. "
            "Pass its number, v.data (Value(v.data) is a new leaf, cut from v's graph), or "
            "use the Value itself (v.identity() makes a new node still connected to it)."
        )
    if hasattr(x, "data"):
        raise TypeError(
            f"{where}: got a {kind} ({x!r}), which is not tracegrad's autograd.Value: values "
            "from another library cannot join a tracegrad graph. Use autograd.Value "
            "throughout, or convert the number first: Value(float(other.data))."
        )
    raise TypeError(
        f"{where}: expected a number (int or float) or a Value, got {kind} {x!r}. "
        "Convert it first, e.g. float(text)."
    )


def seed(grad: object, where: str) -> Value | float:
    """A backward seed: a Value (to differentiate the pass again) or a float."""
    return grad if isinstance(grad, Value) else as_float(grad, where)


def _data_of(x: object) -> float:
    return x.data if isinstance(x, Value) else as_float(x, "comparison")


def _named(v: Value, prefix: str = " of ") -> str:
    return f"{prefix}'{v.label}'" if v.label else ""



attach_methods()
