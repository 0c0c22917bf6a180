"""Op descriptors and derivative rules: the chain rule's *local* factors, written once.

Every op has a rule ``rule(out, *inputs, *params) -> tuple of local derivatives``
(∂out/∂input, one per input). The same rule runs in two places:

* at forward time with plain floats, to store the local derivatives on the new node;
* in ``backward(create_graph=True)`` with Values (the node itself as ``out``, its parents as
  ``inputs``), so the derivative is itself a graph that can be differentiated again.

A rule therefore uses only operations that work on floats *and* on Values: ``+ - * / **``,
comparisons, and the helpers :func:`log` and :func:`exp` below.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Rule = Callable[..., tuple]


class Op(str):
    """The name of an op (a ``str``, so ``node.op == "*"`` works) plus its derivative rule.

    Args:
        name: what the op is called in drawings and step tables, e.g. ``"tanh"``.
        rule: ``rule(out, *inputs, *params)`` returning the local derivatives, or ``None`` for
            nodes that have no inputs (leaves and constants).
        params: fixed arguments of the op, e.g. ``(0.01,)`` for ``leaky_relu(slope=0.01)``.

    Example — a custom op that is differentiable to any order::

        >>> from autograd import Value, Op
        >>> CUBE = Op("cube", lambda out, x: (3 * x * x,))
        >>> x = Value(2.0)
        >>> y = Value(x.data ** 3, parents=(x,), local_grads=(12.0,), op=CUBE)
    """

    rule: Rule | None
    params: tuple

    def __new__(cls, name: str, rule: Rule | None = None, params: tuple = ()) -> Op:
        self = super().__new__(cls, name)
        self.rule = rule
        self.params = params
        return self

    def describe(self) -> str:
        """The op with its parameters, for display: ``"leaky_relu(0.01)"``, ``"** 2"``."""
        if not self.params:
            return str(self)
        if self == "**":
            return f"** {_short(self.params[0])}"
        return f"{self}({', '.join(_short(p) for p in self.params)})"

    def __reduce__(self):  # an Op pickles/copies as itself, not as a bare str
        return (Op, (str(self), self.rule, self.params))


def _short(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def log(x):
    """Natural log of a float (``math.log``) or a Value (``Value.log``)."""
    return math.log(x) if isinstance(x, (int, float)) else x.log()


def exp(x):
    """``e**x`` of a float (``math.exp``) or a Value (``Value.exp``)."""
    return math.exp(x) if isinstance(x, (int, float)) else x.exp()


# --- derivative rules: ∂out/∂input for each input ---------------------------------------
ONE = (1.0,)
ONE_ONE = (1.0, 1.0)
ONE_MINUS_ONE = (1.0, -1.0)
MINUS_ONE = (-1.0,)
ZERO = (0.0,)


def add_rule(out, a, b):
    return ONE_ONE


def sub_rule(out, a, b):
    return ONE_MINUS_ONE


def mul_rule(out, a, b):
    return (b, a)


def div_rule(out, a, b):
    # ∂(a/b)/∂a = 1/b,  ∂(a/b)/∂b = -a/b² = -out/b
    return (1.0 / b, -out / b)


def neg_rule(out, x):
    return MINUS_ONE


def identity_rule(out, x):
    return ONE


def pow_rule(out, x, n):
    # d(xⁿ)/dx = n·xⁿ⁻¹ (n a constant)
    if n == 1:
        return ONE
    if n == 2:
        return (2 * x,)
    return (n * x ** (n - 1),)


def pow_value_rule(out, a, b):
    # ∂(aᵇ)/∂a = b·aᵇ⁻¹,  ∂(aᵇ)/∂b = aᵇ·ln a (taken as 0 when a = 0, its limit for b > 0)
    return (b * a ** (b - 1), out * log(a) if a > 0 else 0.0)


def abs_rule(out, x):
    return (1.0,) if x > 0 else ((-1.0,) if x < 0 else ZERO)


def exp_rule(out, x):
    return (out,)


def log_rule(out, x):
    return (1.0 / x,)


def sqrt_rule(out, x):
    return (0.5 / out,)


def tanh_rule(out, x):
    return (1 - out * out,)


def sigmoid_rule(out, x):
    return (out * (1 - out),)


def relu_rule(out, x):
    return ONE if x > 0 else ZERO


def leaky_relu_rule(out, x, slope):
    return ONE if x > 0 else (slope,)


def elu_rule(out, x, alpha):
    # for x ≤ 0: d(α(eˣ−1))/dx = α·eˣ = out + α
    return ONE if x > 0 else (out + alpha,)


def step_rule(out, x):
    return ZERO


def sum_rule(out, *xs):
    return (1.0,) * len(xs)


def dot_rule(out, *ws_then_xs):
    # parents are (w0..wn-1, x0..xn-1): ∂/∂wᵢ = xᵢ and ∂/∂xᵢ = wᵢ
    n = len(ws_then_xs) // 2
    return ws_then_xs[n:] + ws_then_xs[:n]


ADD = Op("+", add_rule)
SUB = Op("-", sub_rule)
MUL = Op("*", mul_rule)
DIV = Op("/", div_rule)
NEG = Op("neg", neg_rule)
IDENTITY = Op("id", identity_rule)
POW_VALUE = Op("**", pow_value_rule)
ABS = Op("abs", abs_rule)
EXP = Op("exp", exp_rule)
LOG = Op("log", log_rule)
SQRT = Op("sqrt", sqrt_rule)
TANH = Op("tanh", tanh_rule)
SIGMOID = Op("sigmoid", sigmoid_rule)
RELU = Op("relu", relu_rule)
STEP = Op("step", step_rule)
SUM = Op("sum", sum_rule)
DOT = Op("dot", dot_rule)
CONST = Op("const")  # a number that entered the graph: no inputs, never a parameter
LEAF = ""  # a Value the user created

_parametrised: dict[tuple, Op] = {}


def parametrised(name: str, rule: Rule, param: float) -> Op:
    """The shared :class:`Op` for ``name`` with parameter ``param`` (one object per value)."""
    key = (name, param)
    op = _parametrised.get(key)
    if op is None:
        op = _parametrised[key] = Op(name, rule, (param,))
    return op
