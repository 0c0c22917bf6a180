"""Hypothesis strategies for property-testing gradients: safe inputs and random expressions.

Needs the ``hypothesis`` package (``pip install "tracegrad[testing]"``).

Example — a property test of your own function::

    from hypothesis import given
    from autograd import gradcheck
    from autograd.testing import safe_floats

    @given(safe_floats("log"))
    def test_my_log1p(x):
        assert gradcheck(lambda v: (v + 1).log(), [x])

and of random graphs over every op::

    from autograd.testing import expressions_with_inputs

    @given(expressions_with_inputs())
    def test_backprop(case):
        expr, xs = case
        assume(expr.well_conditioned(xs))
        assert gradcheck(expr, xs)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import methodcaller

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "autograd.testing needs hypothesis: pip install 'tracegrad[testing]' "
        "(or pip install hypothesis)"
    ) from exc

from . import reductions
from .ops import all_ops
from .value import Value, constant

KINK_MARGIN = 1e-2  # how far from a kink (relu/abs/step at 0) a checked point must stay
MAGNITUDE_LIMIT = 1e4  # intermediate results beyond this make finite differences unreliable

# Input domains per op: away from singularities, overflow and kinks.
_DOMAINS = {
    "log": (1e-2, 1e3),
    "sqrt": (1e-2, 1e3),
    "exp": (-50.0, 50.0),
    "pow_value_base": (0.1, 10.0),
    "pow_fractional_base": (1e-2, 100.0),
    "divisor": (0.1, 100.0),
}
_KINKED = {"relu", "leaky_relu", "abs", "step", "elu"}


def safe_floats(op: str = "any", *, low: float = -10.0, high: float = 10.0) -> st.SearchStrategy:
    """Floats where ``op`` and its derivative are defined, finite and well away from trouble.

    Args:
        op: ``"log"``, ``"sqrt"``, ``"exp"``, ``"divisor"``, ``"pow_value_base"``,
            ``"pow_fractional_base"``; a kinked op (``"relu"``, ``"leaky_relu"``, ``"abs"``,
            ``"step"``, ``"elu"``) gives values at least ``KINK_MARGIN`` from 0 (either sign);
            anything else gives ``[low, high]``.
        low, high: the range for ops without a special domain.
    Returns:
        A hypothesis strategy of floats.
    """
    if op in _DOMAINS:
        lo, hi = _DOMAINS[op]
        return st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    values = st.floats(low, high, allow_nan=False, allow_infinity=False)
    if op in _KINKED:
        return values.filter(lambda x: abs(x) > KINK_MARGIN)
    return values


# Each form is an op in a domain-safe setting: (name, arity, function of Values).
_FORMS: dict[str, tuple[int, Callable[..., Value]]] = {
    "add": (2, lambda a, b: a + b),
    "sub": (2, lambda a, b: a - b),
    "mul": (2, lambda a, b: a * b),
    "div": (2, lambda a, b: a / (b * b + 0.5)),
    "rsub": (1, lambda a: 1.5 - a),
    "rdiv": (1, lambda a: 2.0 / (a * a + 1.0)),
    "neg": (1, lambda a: -a),
    "pow_int": (1, lambda a: a**3),
    "pow_fractional": (1, lambda a: (a * a + 0.5) ** 1.5),
    "pow_negative": (1, lambda a: (a * a + 0.5) ** -0.5),
    "pow_value": (2, lambda a, b: (a.sigmoid() + 0.5) ** b.tanh()),
    "rpow": (1, lambda a: 2.0 ** a.tanh()),
    "exp": (1, lambda a: (a.tanh() * 2).exp()),
    "log": (1, lambda a: (a * a + 0.5).log()),
    "sqrt": (1, lambda a: (a * a + 0.5).sqrt()),
    "tanh": (1, lambda a: a.tanh()),
    "sigmoid": (1, lambda a: a.sigmoid()),
    "softplus": (1, lambda a: a.softplus()),
    "relu": (1, lambda a: a.relu()),
    "leaky_relu": (1, lambda a: a.leaky_relu(0.1)),
    "elu": (1, lambda a: a.elu()),
    "abs": (1, lambda a: abs(a)),
    "step": (1, lambda a: a.step() + a),
    "sum": (3, lambda a, b, c: reductions.sum([a, b, c])),
    "dot": (4, lambda a, b, c, d: reductions.dot([a, b], [c, d])),
    "matvec": (3, lambda a, b, c: reductions.sum(reductions.matvec([[a, b], [c, 0.5]], [b, c]))),
}
_COVERS = {"pow_int": "pow"}  # forms named apart from the registry key of the op they test


def _registered_forms() -> dict[str, tuple[int, Callable[..., Value]]]:
    """A plain form ``a.method()`` for every registered op with a ``Value`` method and no
    hand-written form above: a new op is covered as soon as it is registered."""
    covered = set(_FORMS) | set(_COVERS.values())
    return {op.key: (1, methodcaller(op.method)) for op in all_ops()
            if op.method and op.key is not None and op.key not in covered}


_FORMS.update(_registered_forms())
OPS: tuple[str, ...] = tuple(_FORMS)

# Where each kinked form has its kink: the value that must stay away from 0.
_KINK_ARGUMENT = {"relu": 0, "leaky_relu": 0, "elu": 0, "abs": 0, "step": 0}


@dataclass(frozen=True)
class Expression:
    """A random straight-line program over Values: callable as ``expr(*inputs)``.

    ``program`` lists ``(form, argument slots)``; slots ``0..n_inputs-1`` are the inputs and
    each instruction appends one more slot. The last slot is the result. Every input is
    added in at the end so each one reaches the output.
    """

    n_inputs: int
    program: tuple[tuple[str, tuple[int, ...]], ...]

    def __call__(self, *inputs: Value | float) -> Value:
        values = [x if isinstance(x, Value) else constant(x) for x in inputs]
        return self._run(values, record=None)

    def _run(self, inputs: Sequence, record: list | None) -> Value:
        slots = list(inputs)
        for form, args in self.program:
            operands = [slots[i] for i in args]
            if record is not None:
                record.append((form, [_data(v) for v in operands]))
            slots.append(_FORMS[form][1](*operands))
        return reductions.sum([slots[-1], *slots[: self.n_inputs]])

    def well_conditioned(self, xs: Sequence[float]) -> bool:
        """``True`` when every kink is at least ``KINK_MARGIN`` away and every intermediate
        stays below ``MAGNITUDE_LIMIT``: where finite differences are trustworthy."""
        trace: list = []
        try:
            out = self._run([Value(x) for x in xs], record=trace)
        except (ValueError, ZeroDivisionError, OverflowError):
            return False
        for form, operands in trace:
            if any(not math.isfinite(v) or abs(v) > MAGNITUDE_LIMIT for v in operands):
                return False
            if form in _KINK_ARGUMENT and abs(operands[_KINK_ARGUMENT[form]]) < KINK_MARGIN:
                return False
        return math.isfinite(out.data) and abs(out.data) < MAGNITUDE_LIMIT

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(self.n_inputs)]
        for form, args in self.program:
            names.append(f"{form}({', '.join(names[i] for i in args)})")
        return f"Expression({names[-1]} + {' + '.join(names[: self.n_inputs])})"


def _data(v) -> float:
    return v.data if isinstance(v, Value) else float(v)


@st.composite
def expressions(
    draw, *, n_inputs: int | None = None, max_ops: int = 8, ops: Sequence[str] = OPS
) -> Expression:
    """A strategy of random :class:`Expression` graphs (reused nodes and diamonds included).

    Args:
        n_inputs: how many inputs (default: 1 to 3, drawn).
        max_ops: the most instructions in the program.
        ops: which forms to use (default: all of ``OPS``, covering every op).
    """
    n = n_inputs if n_inputs is not None else draw(st.integers(1, 3))
    length = draw(st.integers(1, max_ops))
    program = []
    for k in range(length):
        form = draw(st.sampled_from(list(ops)))
        arity = _FORMS[form][0]
        slots = n + k
        args = tuple(draw(st.integers(0, slots - 1)) for _ in range(arity))
        program.append((form, args))
    return Expression(n, tuple(program))


@st.composite
def expressions_with_inputs(draw, **kwargs) -> tuple[Expression, list[float]]:
    """A strategy of ``(expression, inputs)`` pairs, inputs in ``[-3, 3]``.

    Combine with ``assume(expr.well_conditioned(xs))`` before checking gradients.
    """
    expr = draw(expressions(**kwargs))
    xs = draw(st.lists(safe_floats(low=-3.0, high=3.0), min_size=expr.n_inputs,
                       max_size=expr.n_inputs))
    return expr, xs
