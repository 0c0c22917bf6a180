"""Op descriptors and derivative rules: the chain rule's *local* factors, written once.

Every op has a rule ``rule(out, *inputs, *params) -> tuple of local derivatives``
(∂out/∂input, one per input); the n-ary ops take their inputs as sequences instead
(``sum_rule(out, xs)``, ``dot_rule(out, ws, xs)``) so a wide node costs no argument
unpacking. The same rule runs in two places:

* at forward time with plain floats, to store the local derivatives on the new node;
* in ``backward(create_graph=True)`` with Values (the node itself as ``out``, its parents as
  ``inputs``), so the derivative is itself a graph that can be differentiated again.

A rule therefore uses only operations that work on floats *and* on Values: ``+ - * / **``,
comparisons, and the helper :func:`log` below.
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
        inputs: how the rule receives the node's parents: ``"each"`` (one argument per
            parent), ``"all"`` (one sequence) or ``"halves"`` (two sequences, as ``dot``).

    Example — a custom op that is differentiable to any order::

        >>> from autograd import Value, Op
        >>> CUBE = Op("cube", lambda out, x: (3 * x * x,))
        >>> x = Value(2.0)
        >>> y = Value(x.data ** 3, parents=(x,), local_grads=(12.0,), op=CUBE)
    """

    rule: Rule | None
    params: tuple
    inputs: str

    def __new__(cls, name: str, rule: Rule | None = None, params: tuple = (),
                inputs: str = "each") -> Op:
        if inputs not in ("each", "all", "halves"):
            raise ValueError(f"Op: inputs must be 'each', 'all' or 'halves', got {inputs!r}")
        self = super().__new__(cls, name)
        self.rule = rule
        self.params = params
        self.inputs = inputs
        return self

    def local_grads(self, out, parents: tuple) -> tuple:
        """The rule applied to ``parents`` as this op receives them (create_graph uses it)."""
        if self.inputs == "each":
            return self.rule(out, *parents, *self.params)
        if self.inputs == "all":
            return self.rule(out, parents)
        n = len(parents) // 2
        return self.rule(out, parents[:n], parents[n:])

    def describe(self) -> str:
        """The op with its parameters, for display: ``"leaky_relu(0.01)"``, ``"** 2"``."""
        if not self.params:
            return str(self)
        if self == "**":
            return f"** {_short(self.params[0])}"
        return f"{self}({', '.join(_short(p) for p in self.params)})"

    def __reduce__(self):  # an Op pickles/copies as itself, not as a bare str
        return (Op, (str(self), self.rule, self.params, self.inputs))


def _short(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def log(x):
    """Natural log of a float (``math.log``) or a Value (``Value.log``)."""
    return math.log(x) if isinstance(x, (int, float)) else x.log()


# --- derivative rules: ∂out/∂input for each input ---------------------------------------
ONE = (1.0,)
ONE_ONE = (1.0, 1.0)
ONE_MINUS_ONE = (1.0, -1.0)
MINUS_ONE = (-1.0,)
ZERO = (0.0,)


def add_rule(out, a, b):
    """∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1."""
    return ONE_ONE


def sub_rule(out, a, b):
    """∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1."""
    return ONE_MINUS_ONE


def mul_rule(out, a, b):
    """∂(ab)/∂a = b, ∂(ab)/∂b = a (at forward time: the parents' own floats)."""
    return (b, a)


def div_rule(out, a, b):
    """∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b² = −out/b."""
    return (1.0 / b, -out / b)


def neg_rule(out, x):
    """∂(−x)/∂x = −1."""
    return MINUS_ONE


def identity_rule(out, x):
    """∂x/∂x = 1."""
    return ONE


def pow_rule(out, x, n):
    """∂(xⁿ)/∂x = n·xⁿ⁻¹ for a constant exponent n."""
    if n == 1:
        return ONE
    if n == 2:
        return (2 * x,)
    return (n * x ** (n - 1),)


def pow_value_rule(out, a, b):
    """∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·ln a (0 at a = 0, its limit for b > 0)."""
    return (b * a ** (b - 1), out * log(a) if a > 0 else 0.0)


def abs_rule(out, x):
    """∂|x|/∂x = sign(x), taken as 0 at x = 0."""
    return (1.0,) if x > 0 else ((-1.0,) if x < 0 else ZERO)


def exp_rule(out, x):
    """∂eˣ/∂x = eˣ = out."""
    return (out,)


def log_rule(out, x):
    """∂ln x/∂x = 1/x."""
    return (1.0 / x,)


def sqrt_rule(out, x):
    """∂√x/∂x = 1/(2√x) = 0.5/out."""
    return (0.5 / out,)


def tanh_rule(out, x):
    """∂tanh x/∂x = 1 − tanh² x = 1 − out²."""
    return (1 - out * out,)


def sigmoid_rule(out, x):
    """∂σ(x)/∂x = σ(x)(1 − σ(x)) = out·(1 − out)."""
    return (out * (1 - out),)


def relu_rule(out, x):
    """∂relu(x)/∂x = 1 for x > 0, else 0 (0 at x = 0, as PyTorch)."""
    return ONE if x > 0 else ZERO


def leaky_relu_rule(out, x, slope):
    """∂/∂x = 1 for x > 0, else the slope."""
    return ONE if x > 0 else (slope,)


def elu_rule(out, x, alpha):
    """∂/∂x = 1 for x > 0, else α·eˣ = out + α."""
    return ONE if x > 0 else (out + alpha,)


def step_rule(out, x):
    """The Heaviside step is flat wherever it is differentiable: 0."""
    return ZERO


def sum_rule(out, xs):
    """∂(Σxᵢ)/∂xᵢ = 1 for every input."""
    return (1.0,) * len(xs)


def dot_rule(out, ws, xs):
    """∂(w·x)/∂wᵢ = xᵢ and ∂(w·x)/∂xᵢ = wᵢ (the node's parents are w₀…wₙ₋₁, x₀…xₙ₋₁)."""
    return (*xs, *ws)


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
SUM = Op("sum", sum_rule, inputs="all")
DOT = Op("dot", dot_rule, inputs="halves")
CONST = Op("const")  # a number that entered the graph: no inputs, never a parameter

_parametrised: dict[tuple, Op] = {}


def parametrised(name: str, rule: Rule, param: float) -> Op:
    """The shared :class:`Op` for ``name`` with parameter ``param`` (one object per value)."""
    key = (name, param)
    op = _parametrised.get(key)
    if op is None:
        op = _parametrised[key] = Op(name, rule, (param,))
    return op
