"""The ``Value`` node: one scalar, the ops that build graphs from it, and their local derivatives.

Each op reads as three steps — forward value, local derivative(s), node — and stores the local
derivatives *on the node*, next to its parents, as plain data. There is no closure per node,
so a graph holds no reference cycles and is freed by reference counting alone the moment the
last name for its output goes away.
"""

from __future__ import annotations

import math
import numbers
import sys
import weakref
from collections.abc import Iterable
from itertools import count
from pathlib import Path

from .errors import AnomalyError
from .ops import (
    ABS,
    ADD,
    CONST,
    DIV,
    EXP,
    IDENTITY,
    LOG,
    MUL,
    NEG,
    POW_VALUE,
    RELU,
    SIGMOID,
    SQRT,
    STEP,
    SUB,
    TANH,
    Op,
    abs_rule,
    add_rule,
    div_rule,
    elu_rule,
    exp_rule,
    identity_rule,
    leaky_relu_rule,
    log_rule,
    mul_rule,
    neg_rule,
    parametrised,
    pow_rule,
    pow_value_rule,
    relu_rule,
    sigmoid_rule,
    sqrt_rule,
    step_rule,
    sub_rule,
    tanh_rule,
)

Number = int | float  # what a plain number may be, wherever a Value is accepted

# --- modes (switched by autograd.no_grad / autograd.detect_anomaly) -----------------------
_plain = True  # recording a graph and not checking for anomalies: the fast path
_recording = True
_anomaly = False
_creation_sites: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def _set_modes(*, recording: bool, anomaly: bool) -> None:
    global _plain, _recording, _anomaly
    _recording, _anomaly = recording, anomaly
    _plain = recording and not anomaly


def is_grad_enabled() -> bool:
    """``True`` unless inside ``autograd.no_grad()``: ops record their parents."""
    return _recording


def is_anomaly_enabled() -> bool:
    """``True`` inside ``autograd.detect_anomaly()``."""
    return _anomaly


_ids = count()
_new = object.__new__


class Value:
    """A scalar in a computation graph: its data, its gradient and how it was computed.

    Attributes:
        data: the number (a float).
        grad: ∂root/∂self, accumulated by ``backward()`` (0.0 until then).
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

    __slots__ = ("__weakref__", "_id", "data", "grad", "label", "local_grads", "op", "parents")

    def __init__(
        self,
        data: Number,
        parents: Iterable[Value] = (),
        local_grads: Iterable[Number] = (),
        op: str = "",
        label: str = "",
    ) -> None:
        self.data = _as_float(data, "Value(data)")
        self.parents = tuple(parents)
        self.local_grads = tuple(_as_float(g, "Value(local_grads)") for g in local_grads)
        for p in self.parents:
            if not isinstance(p, Value):
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
        """``True`` for a number that entered an expression (``x * 2`` makes the 2 one)."""
        return self.op is CONST

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        grad = self.grad
        return f"Value(data={self.data!r}, grad={grad!r}{label})"

    def __float__(self) -> float:
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

    # --- arithmetic ----------------------------------------------------------------------
    def __add__(self, other: Value | Number) -> Value:
        if other.__class__ is not Value:
            other = _constant(other, "+")
        out = self.data + other.data
        return _result(out, (self, other), add_rule(out, self.data, other.data), ADD)

    def __radd__(self, other: Number) -> Value:
        return _constant(other, "+").__add__(self)

    def __sub__(self, other: Value | Number) -> Value:
        if other.__class__ is not Value:
            other = _constant(other, "-")
        out = self.data - other.data
        return _result(out, (self, other), sub_rule(out, self.data, other.data), SUB)

    def __rsub__(self, other: Number) -> Value:
        return _constant(other, "-").__sub__(self)

    def __mul__(self, other: Value | Number) -> Value:
        if other.__class__ is not Value:
            other = _constant(other, "*")
        a = self.data
        b = other.data
        out = a * b
        return _result(out, (self, other), mul_rule(out, a, b), MUL)

    def __rmul__(self, other: Number) -> Value:
        return _constant(other, "*").__mul__(self)

    def __truediv__(self, other: Value | Number) -> Value:
        if other.__class__ is not Value:
            other = _constant(other, "/")
        a = self.data
        b = other.data
        if b == 0:
            raise ZeroDivisionError(
                f"division by zero: {a!r} / {b!r} (the divisor{_named(other)} is 0). "
                "Guard the zero case or add a small epsilon to the divisor: a / (b + 1e-12)."
            )
        out = a / b
        return _result(out, (self, other), div_rule(out, a, b), DIV)

    def __rtruediv__(self, other: Number) -> Value:
        return _constant(other, "/").__truediv__(self)

    def __neg__(self) -> Value:
        out = -self.data
        return _result(out, (self,), neg_rule(out, self.data), NEG)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        a = self.data
        out = a if a >= 0 else -a
        return _result(out, (self,), abs_rule(out, a), ABS)

    def __pow__(self, exponent: Value | Number) -> Value:
        if exponent.__class__ is Value:
            return self._pow_value(exponent)
        n = exponent
        if n.__class__ is not int:
            n = _as_float(exponent, "** (exponent)")
            if n.is_integer():
                n = int(n)  # (-2) ** 3.0 stays real, and drawings say "** 3", not "** 3.0"
        a = self.data
        if a < 0 and not isinstance(n, int):
            raise ValueError(
                f"power: negative base {a!r}{_named(self)} with non-integer exponent {n!r} has "
                "no real result. Use an integer exponent, or make the base positive first, "
                "e.g. abs(x) ** p or (x * x + 1e-12) ** (p / 2)."
            )
        out = _checked_pow(a, n, self)
        try:
            local = pow_rule(out, a, n)
        except ZeroDivisionError:  # d/dx xⁿ at x = 0 for 0 < n < 1 is +∞
            local = (math.inf,)
        return _result(out, (self,), local, parametrised("**", pow_rule, n))

    def _pow_value(self, exponent: Value) -> Value:
        a = self.data
        b = exponent.data
        if a < 0:
            raise ValueError(
                f"power: negative base {a!r}{_named(self)} with a Value exponent: the exponent's "
                "gradient a**b·ln(a) needs a > 0. Use a number exponent if it is not learned "
                "(x ** 2), or make the base positive."
            )
        out = _checked_pow(a, b, self)
        try:
            local = pow_value_rule(out, a, b)
        except ZeroDivisionError:  # at a = 0 with b < 1: ∂/∂a is +∞
            local = (math.inf, 0.0)
        return _result(out, (self, exponent), local, POW_VALUE)

    def __rpow__(self, base: Number) -> Value:
        return _constant(base, "**").__pow__(self)

    # --- elementary functions --------------------------------------------------------------
    def exp(self) -> Value:
        """``e ** self``. Raises ``OverflowError`` past x ≈ 709.78 (the float limit)."""
        a = self.data
        try:
            out = math.exp(a)
        except OverflowError:
            raise OverflowError(
                f"exp overflow: exp({a!r}){_named(self, ' of ')} is larger than the largest "
                "float (about 1.8e308, reached at x ≈ 709.78). Scale the input down, or use a "
                "stable form: sigmoid(), tanh(), or a log-sum-exp / from_logits loss."
            ) from None
        return _result(out, (self,), exp_rule(out, a), EXP)

    def log(self) -> Value:
        """Natural logarithm. Raises ``ValueError`` for x ≤ 0."""
        a = self.data
        if a <= 0:
            raise ValueError(
                f"log of {a!r}{_named(self)}: the logarithm is defined only for positive "
                "numbers. Clamp the input first, e.g. (p + 1e-12).log(), or use a loss that "
                "works on logits (from_logits=True)."
            )
        out = math.log(a)
        return _result(out, (self,), log_rule(out, a), LOG)

    def sqrt(self) -> Value:
        """Square root. Raises ``ValueError`` for x < 0 (its derivative at 0 is +inf)."""
        a = self.data
        if a < 0:
            raise ValueError(
                f"sqrt of {a!r}{_named(self)}: the square root is defined only for numbers ≥ 0. "
                "Use abs(x).sqrt() or (x * x + 1e-12).sqrt() if the sign does not matter."
            )
        out = math.sqrt(a)
        local = sqrt_rule(out, a) if out else (math.inf,)
        return _result(out, (self,), local, SQRT)

    def tanh(self) -> Value:
        """Hyperbolic tangent; finite for every finite input (tanh(±1000) = ±1)."""
        a = self.data
        out = math.tanh(a)
        return _result(out, (self,), tanh_rule(out, a), TANH)

    def sigmoid(self) -> Value:
        """The logistic function 1 / (1 + e⁻ˣ), computed without overflow for any input."""
        a = self.data
        if a >= 0:
            out = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            out = e / (1.0 + e)
        return _result(out, (self,), sigmoid_rule(out, a), SIGMOID)

    def relu(self) -> Value:
        """max(0, x); its derivative at exactly 0 is taken as 0 (as PyTorch does)."""
        a = self.data
        out = a if a > 0 else 0.0
        return _result(out, (self,), relu_rule(out, a), RELU)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else ``slope * x`` (PyTorch's ``negative_slope``, default 0.01)."""
        a = self.data
        out = a if a > 0 else slope * a
        op = parametrised("leaky_relu", leaky_relu_rule, slope)
        return _result(out, (self,), leaky_relu_rule(out, a, slope), op)

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0, else ``alpha * (eˣ − 1)`` (Clevert et al. 2015; PyTorch's default)."""
        a = self.data
        out = a if a > 0 else alpha * math.expm1(a)
        op = parametrised("elu", elu_rule, alpha)
        return _result(out, (self,), elu_rule(out, a, alpha), op)

    def step(self) -> Value:
        """Heaviside step: 1.0 for x ≥ 0, else 0.0. Its derivative is 0 everywhere (so no
        gradient flows through it: the perceptron learns by its own rule, not by backprop)."""
        a = self.data
        out = 1.0 if a >= 0 else 0.0
        return _result(out, (self,), step_rule(out, a), STEP)

    def identity(self) -> Value:
        """A new node equal to this one (derivative 1): a fresh name for the same number."""
        out = self.data
        return _result(out, (self,), identity_rule(out, out), IDENTITY)

    # --- the backward pass -----------------------------------------------------------------
    def backward(self, grad: Number = 1.0, *, create_graph: bool = False) -> None:
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

        Example::

            >>> x = Value(3.0); y = x * x
            >>> y.backward(); x.grad
            6.0
        """
        from .backward import backward

        backward(self, grad, create_graph=create_graph)


# --- node construction -------------------------------------------------------------------
def _result(data: float, parents: tuple, local_grads: tuple, op: Op) -> Value:
    """Make the output node of an op (the single place every op goes through)."""
    if _plain:  # inlined rather than calling _node: this is the hottest line of the engine
        v = _new(Value)
        v.data = data
        v.grad = 0.0
        v.parents = parents
        v.local_grads = local_grads
        v.op = op
        v.label = ""
        v._id = None
        return v
    return _result_in_mode(data, parents, local_grads, op)


def _result_in_mode(data: float, parents: tuple, local_grads: tuple, op: Op) -> Value:
    v = _node(data, parents, local_grads, op) if _recording else _node(data, (), (), CONST)
    if _anomaly:
        site = creation_site()
        _creation_sites[v] = site
        if not math.isfinite(data):
            inputs = ", ".join(f"{describe(p)} = {p.data!r}" for p in parents) or "none"
            raise AnomalyError(
                f"detect_anomaly: forward op '{op_text(op)}' produced {data!r} (inputs: "
                f"{inputs}), created at {site}. Check that op's inputs: scale them, or use a "
                "numerically stable form."
            )
    return v


def _node(data: float, parents: tuple, local_grads: tuple, op: str) -> Value:
    """A node exactly as given: no validation, no mode checks."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.parents = parents
    v.local_grads = local_grads
    v.op = op
    v.label = ""
    v._id = None
    return v


def _constant(x: object, where: str) -> Value:
    """A number that takes part in an expression, as a constant node."""
    return _node(_as_float(x, f"'{where}'"), (), (), CONST)


def constant(x: Number, label: str = "") -> Value:
    """A Value marked as data, not a parameter: drawn as an input; ``x * 2`` makes one for 2.

    Args:
        x: the number.
        label: an optional name, e.g. ``"x0"``.
    Returns:
        A leaf Value whose ``op`` is ``"const"``.
    """
    v = _constant(x, "constant")
    v.label = label
    return v


def _as_float(x: object, where: str) -> float:
    cls = x.__class__
    if cls is float:
        return x
    if cls is int:
        return float(x)
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(
        f"{where}: expected a number (int or float) or a Value, got {type(x).__name__} {x!r}. "
        "Convert it first, e.g. float(text)."
    )


def _data_of(x: object) -> float:
    return x.data if isinstance(x, Value) else _as_float(x, "comparison")


def _checked_pow(a: float, b: float, base: Value) -> float:
    """``a ** b`` with the two ways it fails reported in words."""
    if a == 0 and b < 0:
        raise ZeroDivisionError(
            f"power: 0.0 ** {b!r}{_named(base, ' for ')} is a division by zero (a negative "
            "power of zero). Keep the base away from zero, e.g. (x + 1e-12) ** n."
        )
    try:
        return a**b
    except OverflowError:
        raise OverflowError(
            f"power overflow: {a!r} ** {b!r}{_named(base, ' for ')} is larger than the largest "
            "float (about 1.8e308). Scale the base or the exponent down."
        ) from None


def _named(v: Value, prefix: str = " of ") -> str:
    return f"{prefix}'{v.label}'" if v.label else ""


def op_text(op: str) -> str:
    """An op as shown to people: ``"leaky_relu(0.01)"``, ``"** 2"``, ``"*"``."""
    return op.describe() if isinstance(op, Op) else str(op)


def describe(v: Value) -> str:
    """A short name for a node: its label, else its op and id (``"*#4"``), else its data."""
    if v.label:
        return v.label
    if v.op is CONST:
        return f"{v.data:g}"
    if not v.parents:
        return f"v#{v.id}"
    return f"{op_text(v.op)}#{v.id}"


def creation_site() -> str:
    """``file:line in function`` of the first caller outside the autograd package."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def creation_site_of(v: Value) -> str:
    """Where ``v`` was created, if it was created inside ``detect_anomaly()``."""
    return _creation_sites.get(v, "an unknown place (build the graph inside detect_anomaly() "
                                  "to record where each node is created)")
