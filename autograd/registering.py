"""Registering an op: the checks it must pass, and taking it out again.

``register_op`` runs :func:`validate_op` — the op on floats, on Values (its rule recording a
graph, for second derivatives) and on numpy arrays (replay) — then adds it to the registry of
:mod:`autograd.ops`, which attaches its ``Value`` method. It lives apart from ``ops`` because
checking an op needs ``Value``, which is itself made of ops.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from .array_program import forward_on_arrays, not_for_arrays
from .ops import REGISTRY, Op, add_op, lookup, remove_op
from .value import Value, apply


def register_op(op: Op, key: str, *, sample: Sequence[float] | None = None,
                validate: bool = True) -> Op:
    """Add ``op`` to the registry under ``key`` (unique, e.g. ``"nn.clamped_log"``), so
    tests, hypothesis forms and the PyTorch oracle cover it; returns ``op``.

    The op is checked once, here, at ``sample`` (default 0.7, 0.4, 0.3, 0.6… one per input):
    see :func:`validate_op`.

    Raises:
        TypeError: ``op`` is not an :class:`Op`, or fails :func:`validate_op`.
        ValueError: ``key`` is taken by another op.
    """
    if not isinstance(op, Op):
        raise TypeError(f"register_op: op must be an autograd.Op, got {type(op).__name__} "
                        f"{op!r}")
    if validate:
        validate_op(op, sample)
    known = lookup(key)
    if known is not None and known is not op:
        raise ValueError(f"register_op: the key {key!r} is taken by {known!r}; give "
                         f"{op!r} another key, e.g. 'mylib.{key}'")
    if op.method is not None and (op.inputs != "each" or op.arity() not in (1, None)
                                  or op.params) and not hasattr(Value, op.method):
        raise ValueError(f"register_op: op '{op.describe()}' names the Value method "
                         f"{op.method!r}, but a method is made for one-input ops without "
                         "parameters only; write that method by hand (as Value.leaky_relu)")
    return add_op(op, key)


def unregister_op(op: Op | str) -> Op:
    """Take ``op`` (or the op registered under that key) out of the registry, and its
    ``Value`` method with it if :func:`register_op` made one; returns the op.

    Raises:
        KeyError: no such op is registered.
    """
    key = op if isinstance(op, str) else op.key
    found = lookup(key) if key is not None else None
    if key is None or found is None or (isinstance(op, Op) and found is not op):
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unregister_op: {op!r} is not registered; registered keys: {known}")
    removed = remove_op(key)
    if removed.method:
        made = Value.__dict__.get(removed.method)
        if getattr(made, "op", None) is removed:  # a method register_op made, not a hand one
            delattr(Value, removed.method)
    return removed


@contextmanager
def registered(op: Op, key: str, **options) -> Iterator[Op]:
    """``with registered(op, "test.sinh"):`` — ``op`` registered (:func:`register_op`, with
    its checks and ``options``) inside the block only, e.g. for a test of a new op."""
    register_op(op, key, **options)
    try:
        yield op
    finally:
        unregister_op(op)


_SAMPLE = (0.7, 0.4, 0.3, 0.6)


def validate_op(op: Op, sample: Sequence[float] | None = None) -> None:
    """Check that ``op`` runs the three ways the engine runs it, at ``sample``: floats in →
    a float and one float derivative per input; Values in → a Value, and a rule that records
    on Values (``backward(create_graph=True)``); numpy arrays in → arrays (replay).

    Raises:
        TypeError: one of the three fails; the message names the op, the way and the fix.
        DerivativeRuleError: the rule gives another number of derivatives than inputs.
    """
    if op.rule is None or op.forward is None:
        return
    n = {"all": 3, "halves": 4}.get(op.inputs) or op.arity() or 1
    xs = tuple(float(x) for x in (sample or (_SAMPLE * n)[:n]))
    name = f"register_op: op '{op.describe()}'"
    out = op.forward(*op.arguments(xs))
    if isinstance(out, bool) or not isinstance(out, numbers.Real):
        raise TypeError(f"{name}: forward{xs} returned {type(out).__name__} {out!r}; it "
                        "must return a float")
    for d in op.local_grads(float(out), xs):
        if isinstance(d, bool) or not isinstance(d, numbers.Real):
            raise TypeError(f"{name}: its rule on floats returned {type(d).__name__} {d!r}; "
                            "each local derivative must be a number")
    values = [Value(x) for x in xs]
    y = apply(op, *values)
    try:
        y.backward(create_graph=True)
    except TypeError as exc:
        raise TypeError(f"{name}: its rule does not run on Values (second derivatives): "
                        f"{exc}") from exc
    arrays = [np.array([x, x]) for x in xs]
    try:
        result = np.asarray(forward_on_arrays(op)(*op.arguments(arrays)))
    except TypeError as exc:
        raise not_for_arrays(op, "forward", exc) from exc
    if result.shape != (2,):
        raise TypeError(f"{name}: its array forward gave shape {result.shape} for inputs of "
                        "shape (2,); it must work elementwise (numpy functions)")
    try:
        op.rule(result, *op.arguments(arrays))
    except TypeError as exc:
        raise not_for_arrays(op, "rule", exc) from exc


