"""``grad`` and ``value_and_grad``: derivatives of plain Python functions, composable.

``grad(f)(3.0)`` builds ``f``'s graph on fresh leaves, runs the backward pass and returns a
float. Called inside another ``grad`` (its arguments are then Values), it records its own
backward pass instead (``create_graph=True``), so ``grad(grad(f))(x)`` is f''(x) and
``grad(grad(f, 0), 1)(x, y)`` is ∂²f/∂y∂x.

Like ``torch.func.grad``, a ``grad`` is a function transform: its result does not depend on
a ``no_grad()`` block around the call. Inside one it records ``f``'s graph for its own
computation (``no_grad()`` written *inside* ``f`` is respected), restores the caller's mode
and returns data: floats, or constants when it was given Values.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable, Sequence
from typing import Any, SupportsIndex

from .backward import gradients
from .modes import current, enable_grad, grad_level
from .value import Value, constant


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., tuple]:
    """Make a function returning ``(f(*args), ∂f/∂args[argnums])``.

    Args:
        f: a function of numbers that returns one Value or number, written with Value
            operations (``x.exp()``, ``x * y``, ``autograd.sum``...). Every number argument
            reaches it as a Value (the ones not differentiated by as constants).
        argnums: which positional argument to differentiate by (an int), or several (a tuple:
            the gradient is then a tuple in the same order).
    Returns:
        A function with ``f``'s signature. At top level it returns floats; inside another
        ``grad`` it returns Values so the derivative can be differentiated again. Inside
        ``no_grad()`` it still differentiates (the graph is recorded for this computation
        only) and returns data: floats, or constant Values when called with Values.

    Example::

        >>> from autograd import value_and_grad
        >>> value_and_grad(lambda x, y: x * y + y, argnums=(0, 1))(2.0, 3.0)
        (9.0, (3.0, 3.0))
    """
    if not callable(f):
        raise TypeError(f"grad: f must be a function of numbers, got {type(f).__name__} {f!r}")
    single, positions = _positions(argnums)

    def evaluate(*args: Any, **kwargs: Any) -> tuple:
        for i in positions:
            if not -len(args) <= i < len(args):
                raise ValueError(
                    f"argnums={argnums!r}: the function was called with {len(args)} positional "
                    f"argument(s), so there is no argument {i} to differentiate by"
                )
        nested = current.grad_depth > 0 or any(isinstance(a, Value) for a in args)
        if current.recording:
            return _evaluate(f, args, kwargs, positions, single, nested)
        # Inside no_grad(), as torch.func.grad: record f's graph for this computation only
        # (the caller's mode is back on exit), and hand back data, not a graph.
        with enable_grad():
            value, found = _evaluate(f, args, kwargs, positions, single, nested,
                                     create_graph=False)
        if nested:
            value = constant(_data(value))
            found = constant(_data(found)) if single else tuple(constant(_data(g))
                                                                 for g in found)
        return value, found

    evaluate.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    evaluate.__doc__ = f.__doc__
    return evaluate


def _data(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else x


def _evaluate(f: Callable[..., Any], args: tuple, kwargs: dict, positions: tuple[int, ...],
              single: bool, nested: bool, *, create_graph: bool | None = None) -> tuple:
    """``(f(*args), ∂f/∂args[positions])``; Values with their graph when ``create_graph``
    (default: when ``nested``), else floats."""
    if create_graph is None:
        create_graph = nested
    # Numbers not differentiated by become constants, so f may use Value methods on them.
    chosen = {i % len(args) for i in positions}
    args_list = [constant(a) if _is_number(a) and i not in chosen else a
                 for i, a in enumerate(args)]
    inputs = []
    for i in positions:
        a = args_list[i]
        # A fresh node per level, so an inner grad never confuses its variable with an
        # outer one that has the same value (perturbation confusion).
        # A constant's identity would be a constant (no gradient): start a fresh leaf, as
        # when no graph is handed back (a Value argument inside no_grad()).
        if isinstance(a, Value):
            x = a.identity() if a.requires_grad and create_graph else Value(a.data)
        else:
            x = Value(a)
        args_list[i] = x
        inputs.append(x)
    with grad_level():
        out = f(*args_list, **kwargs)
    if not isinstance(out, Value):
        if _is_number(out):
            zeros = tuple(0.0 for _ in inputs)
            return float(out), (zeros[0] if single else zeros)
        raise TypeError(
            f"grad: f must return one Value or number (a scalar), got {type(out).__name__}; "
            "reduce a list first, e.g. with autograd.sum(...)"
        )
    grads = gradients(out, 1.0, create_graph=create_graph)
    found = tuple(grads.get(x, 0.0) for x in inputs)
    value = out if create_graph else out.data
    return value, (found[0] if single else found)


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _positions(argnums: object) -> tuple[bool, tuple[int, ...]]:
    """``(single, positions)`` from an int or a non-empty sequence of ints, else TypeError."""
    def index(i: object) -> int:
        if isinstance(i, bool):
            raise TypeError(f"argnums must be an int or a non-empty tuple of ints, got "
                            f"{argnums!r} (a bool is not a position)")
        if isinstance(i, SupportsIndex):  # an int, a numpy integer
            try:
                return operator.index(i)
            except TypeError:  # an __index__ that returns no int
                pass
        raise TypeError(f"argnums must be an int or a non-empty tuple of ints, got "
                        f"{argnums!r}")

    if isinstance(argnums, (str, bytes)) or not isinstance(argnums, (numbers.Integral, Sequence)):
        index(argnums)  # raises
    if not isinstance(argnums, Sequence):
        return True, (index(argnums),)
    positions = tuple(index(i) for i in argnums)
    if not positions:
        raise TypeError("argnums must be an int or a non-empty tuple of ints, got an empty "
                        "sequence; say which argument to differentiate by, e.g. argnums=0")
    if len(set(positions)) != len(positions):
        raise ValueError(f"argnums={argnums!r} names an argument twice")
    return False, positions


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Make a function returning ∂f/∂args[argnums] (see :func:`value_and_grad`).

    Example::

        >>> from autograd import grad
        >>> f = lambda x: x ** 3
        >>> grad(f)(2.0), grad(grad(f))(2.0)
        (12.0, 12.0)
    """
    inner = value_and_grad(f, argnums)

    def derivative(*args: Any, **kwargs: Any) -> Any:
        return inner(*args, **kwargs)[1]

    derivative.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    derivative.__doc__ = f.__doc__
    return derivative
