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

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "autograd.testing needs hypothesis: pip install 'tracegrad[testing]' "
        "(or pip install hypothesis)"
    ) from exc

from . import reductions
from .ops import REGISTRY, Domain, Op, all_ops
from .value import Value, apply, constant

KINK_MARGIN = 1e-2  # how far from a kink (relu/abs/step at 0) a checked point must stay
MAGNITUDE_LIMIT = 1e4  # intermediate results beyond this make finite differences unreliable

# Ranges named before ops declared their domains, kept for callers that use the names.
_LEGACY_RANGES = {
    "divisor": (0.1, 100.0),
    "pow_value_base": (0.1, 10.0),
    "pow_fractional_base": (1e-2, 100.0),
}


def safe_floats(op: Op | str = "any", *, low: float = -10.0, high: float = 10.0,
                input: int = 0) -> st.SearchStrategy:
    """Floats where ``op`` and its derivative are defined, finite and well away from trouble:
    inside the op's declared domain (:meth:`Op.domain_of`) intersected with ``[low, high]``,
    at least ``KINK_MARGIN`` from an open end and from every kink (:meth:`Op.kinks_of`).

    Args:
        op: an :class:`Op`, the registry key of one (``"log"``, ``"relu"``…), ``"any"``
            (``[low, high]``), or one of the older range names ``"divisor"``,
            ``"pow_value_base"``, ``"pow_fractional_base"``.
        low, high: the range to stay inside.
        input: which input of the op (a divisor is input 1 of ``"div"``).
    Returns:
        A hypothesis strategy of floats.
    Raises:
        ValueError: ``op`` is no registered key, or its domain misses ``[low, high]``.
    """
    if isinstance(op, str) and op in _LEGACY_RANGES:
        lo, hi = _LEGACY_RANGES[op]
        return st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if isinstance(op, str) and op == "any":
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    resolved = REGISTRY.get(op) if isinstance(op, str) else op
    if not isinstance(resolved, Op):
        raise ValueError(f"safe_floats: op must be an Op, a registry key or 'any', got {op!r}; "
                         f"the keys are {', '.join(sorted(REGISTRY))}")
    ranges = _inside(resolved.domain_of(input), low, high)
    if not ranges:
        raise ValueError(f"safe_floats: {resolved.describe()!r} input {input} has no valid "
                         f"float in [{low}, {high}] (its domain is {resolved.domain_of(input)}); "
                         "widen low/high")
    values = st.one_of(*(st.floats(lo, hi, allow_nan=False, allow_infinity=False)
                         for lo, hi in ranges))
    kinks = resolved.kinks_of(input)
    if kinks:
        return values.filter(lambda x: all(abs(x - k) > KINK_MARGIN for k in kinks))
    return values


def _inside(domain: Domain, low: float, high: float) -> list[tuple[float, float]]:
    """The closed ranges of ``domain`` inside ``[low, high]``, ``KINK_MARGIN`` in from each
    finite open end."""
    ranges = []
    for lo, hi in domain.intervals:
        lo = max(low, lo + KINK_MARGIN) if math.isfinite(lo) else low
        hi = min(high, hi - KINK_MARGIN) if math.isfinite(hi) else high
        if lo <= hi:
            ranges.append((lo, hi))
    return ranges


# --- the forms: each op in a domain-safe setting, made from the registry ----------------------
@dataclass(frozen=True)
class Form:
    """One instruction kind of a random :class:`Expression`: ``function(*operands)`` of
    ``arity`` Values. A form made from an op applies it (with ``params``) to its operands,
    each first mapped into the op's domain; ``op_inputs`` gives what the op then receives,
    so kinks can be kept at a distance."""

    name: str
    arity: int
    function: Callable[..., Value]
    op: Op | None = None
    maps: tuple = ()

    def op_inputs(self, operands: Sequence) -> list:
        return [m(x) for m, x in zip(self.maps, operands)] if self.op is not None else []


_FAR = 100.0  # a domain end beyond this (exp's 709.78) is far enough to ignore in a form


def _into(domain: Domain) -> Callable:
    """A map of any Value into ``domain`` (its last interval: the positive side of a
    divisor): ``a`` itself, ``a² + low + 0.5``, ``high − 0.5 − a²``, or a squashed ``a``."""
    lo, hi = domain.intervals[-1]
    lo = lo if lo > -_FAR else -math.inf
    hi = hi if hi < _FAR else math.inf
    if lo == -math.inf and hi == math.inf:
        return _same
    if hi == math.inf:
        return lambda a: a * a + (lo + 0.5)
    if lo == -math.inf:
        return lambda a: (hi - 0.5) - a * a
    return lambda a: lo + (hi - lo) * (0.05 + 0.9 * a.sigmoid())


def _same(a):
    return a


def _op_form(op: Op, params: tuple) -> Form:
    """The form of ``op`` at ``params``: through its ``Value`` method when it has one (its
    operator, ``a.tanh()``, ``a.leaky_relu(0.1)``), else :func:`autograd.apply`."""
    variant = op.with_params(*params) if params else op
    n = variant.n_inputs()
    maps = tuple(_into(variant.domain_of(i)) for i in range(n))
    key = op.key or op.name
    name = key if not params else f"{key}({', '.join(map(repr, params))})"
    if op.method and op.inputs == "each":
        def function(*operands):
            first, *rest = (m(x) for m, x in zip(maps, operands))
            return getattr(first, op.method)(*rest, *params)
    else:
        def function(*operands):
            return apply(variant, *(m(x) for m, x in zip(maps, operands)))
    return Form(name, n, function, variant, maps)


# Call sites that are not ops of their own: a number on the left, and matvec (dot per row).
_CALL_SITES = (
    Form("rsub", 1, lambda a: 1.5 - a),
    Form("rdiv", 1, lambda a: 2.0 / (a * a + 1.0)),
    Form("rpow", 1, lambda a: 2.0 ** a.tanh()),
    Form("matvec", 3, lambda a, b, c: reductions.sum(reductions.matvec([[a, b], [c, 0.5]],
                                                                       [b, c]))),
)


def op_forms() -> dict[str, list[Form]]:
    """Every form by op name, from the registry as it is now: one per registered op (one
    per ``test_params`` entry for an op with parameters; none for a ``detached`` op, whose
    rule is 0 on purpose), then the call sites ``rsub``, ``rdiv``, ``rpow``, ``matvec``."""
    key = tuple(map(id, REGISTRY.values()))
    if _CACHE.get("key") != key:
        forms = {op.key: [_op_form(op, params) for params in (op.test_params or [()])]
                 for op in all_ops() if not op.detached}
        forms.update((form.name, [form]) for form in _CALL_SITES)
        _CACHE.update(key=key, forms=forms,
                      by_name={f.name: f for fs in forms.values() for f in fs})
    return _CACHE["forms"]


_CACHE: dict = {}


def form(name: str) -> Form:
    """The form called ``name`` (``"mul"``, ``"leaky_relu(0.1)"``, ``"rsub"``)."""
    op_forms()
    try:
        return _CACHE["by_name"][name]
    except KeyError:
        raise KeyError(f"no form {name!r}; the forms are "
                       f"{', '.join(sorted(_CACHE['by_name']))}") from None


OPS: tuple[str, ...] = tuple(op_forms())  # the op names at import (expressions() reads anew)


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
        for name, args in self.program:
            operands = [slots[i] for i in args]
            if record is not None:
                record.append((name, operands))
            slots.append(form(name).function(*operands))
        return reductions.sum([slots[-1], *slots[: self.n_inputs]])

    def well_conditioned(self, xs: Sequence[float]) -> bool:
        """``True`` when every kink is at least ``KINK_MARGIN`` away and every intermediate,
        and every input's derivative, stays below ``MAGNITUDE_LIMIT``: where finite
        differences are trustworthy (a steep slope, as sin(exp(exp(x))) at x = 2.2 has, is
        curved at the scale of the differences' step too)."""
        trace: list = []
        inputs = [Value(x) for x in xs]
        try:
            out = self._run(inputs, record=trace)
        except (ValueError, ZeroDivisionError, OverflowError):
            return False
        for name, operands in trace:
            if any(not math.isfinite(_data(v)) or abs(_data(v)) > MAGNITUDE_LIMIT
                   for v in operands):
                return False
            f = form(name)
            if f.op is None:  # a call site, not an op: nothing to keep from a kink
                continue
            for i, x in enumerate(map(_data, f.op_inputs(operands))):
                if x not in f.op.domain_of(i) or any(abs(x - k) < KINK_MARGIN
                                                     for k in f.op.kinks_of(i)):
                    return False
        if not (math.isfinite(out.data) and abs(out.data) < MAGNITUDE_LIMIT):
            return False
        try:
            out.backward()
        except (ValueError, ZeroDivisionError, OverflowError):  # a slope beyond floats
            return False
        grads = [_data(v.grad) for v in inputs]
        return all(math.isfinite(g) and abs(g) < MAGNITUDE_LIMIT for g in grads)

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(self.n_inputs)]
        for form, args in self.program:
            names.append(f"{form}({', '.join(names[i] for i in args)})")
        return f"Expression({names[-1]} + {' + '.join(names[: self.n_inputs])})"


def _data(v) -> float:
    return v.data if isinstance(v, Value) else float(v)


@st.composite
def expressions(
    draw, *, n_inputs: int | None = None, max_ops: int = 8, ops: Sequence[str] | None = None
) -> Expression:
    """A strategy of random :class:`Expression` graphs (reused nodes and diamonds included).

    Args:
        n_inputs: how many inputs (default: 1 to 3, drawn).
        max_ops: the most instructions in the program.
        ops: which ops to use, by name (an op's key, a call site such as ``"rsub"``, or one
            form such as ``"leaky_relu(0.1)"``); default: every op registered now and the
            call sites (:func:`op_forms`). An op with parameters draws one of its forms.
    """
    forms = op_forms()
    names = list(forms) if ops is None else list(ops)
    n = n_inputs if n_inputs is not None else draw(st.integers(1, 3))
    length = draw(st.integers(1, max_ops))
    program = []
    for k in range(length):
        name = draw(st.sampled_from(names))
        chosen = draw(st.sampled_from(forms[name])) if name in forms else form(name)
        slots = n + k
        args = tuple(draw(st.integers(0, slots - 1)) for _ in range(chosen.arity))
        program.append((chosen.name, args))
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
