"""N-ary ops: one node with many parents, so ``z = wᵀx + b`` is one node, not 2n."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .ops import DOT, SUM, Op, Rule
from .value import Number, Value, as_float, constant, record


def _functions(op: Op) -> tuple[Callable[..., float], Rule]:
    """``op``'s forward function and rule, read once into module globals (a layer makes one
    dot node per neuron per sample: no attribute look-ups per node)."""
    if op.forward is None or op.rule is None:
        raise TypeError(f"op '{op}' needs a forward function and a rule")
    return op.forward, op.rule


_sum_forward, _sum_rule = _functions(SUM)
_dot_forward, _dot_rule = _functions(DOT)


def _sequence(items: object, name: str, where: str) -> tuple:
    """``items`` as a tuple, or a TypeError naming the argument."""
    if isinstance(items, (Value, str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{where}: {name} must be a sequence of Values or numbers, got "
                        f"{type(items).__name__} {items!r}")
    return tuple(items)


def _values(items: tuple, where: str) -> tuple[Value, ...]:
    return tuple(v if isinstance(v, Value) else constant(as_float(v, where)) for v in items)


def _parents_and_data(items: tuple, where: str) -> tuple[tuple[Value, ...], list[float]]:
    """The items as Values (numbers become constants) and their data, in one fast pass
    when they are all Values already (the common case in a network)."""
    data = [v.data for v in items if v.__class__ is Value]
    if len(data) != len(items):
        items = _values(items, where)
        data = [v.data for v in items]
    return items, data


def sum(values: Iterable[Value | Number]) -> Value:
    """Σ values as one node whose local derivatives are all 1.

    Args:
        values: Values and/or numbers (numbers become constants).
    Returns:
        A Value with one parent per item (a constant 0.0 when ``values`` is empty).

    Example::

        >>> import autograd
        >>> xs = [autograd.Value(float(i)) for i in range(4)]
        >>> s = autograd.sum(xs); s.data, len(s.parents)
        (6.0, 4)
    """
    parents, data = _parents_and_data(_sequence(values, "values", "sum"), "sum")
    out = _sum_forward(data)
    return record(out, parents, _sum_rule(out, data), SUM)


def dot(ws: Sequence[Value | Number], xs: Sequence[Value | Number]) -> Value:
    """Σ wᵢ·xᵢ as one node: parents ``(w₀…wₙ₋₁, x₀…xₙ₋₁)``, local derivatives ``(x…, w…)``.

    This is the neuron's ``z = wᵀx`` (add ``+ b`` for the bias): one node to draw and one
    step per weight in the backward pass, several times faster than 2n binary nodes.

    Args:
        ws: weights (Values or numbers).
        xs: inputs, the same length (numbers become constants).
    Returns:
        The dot product as a Value.
    Raises:
        ValueError: the lengths differ.

    Example::

        >>> import autograd
        >>> w = [autograd.Value(2.0), autograd.Value(-3.0)]
        >>> z = autograd.dot(w, [-1.0, -2.0]); z.data
        4.0
    """
    xs, x_data = _parents_and_data(_sequence(xs, "xs", "dot"), "dot")
    return _dot(_sequence(ws, "ws", "dot"), xs, x_data)


def matvec(rows: Sequence[Sequence[Value | Number]],
           xs: Sequence[Value | Number]) -> list[Value]:
    """``[dot(row, xs) for row in rows]``: a layer's ``wᵀx`` for every neuron at once.

    The same graph as calling :func:`dot` per row (one ``dot`` node each), but the inputs
    are checked and read once for all rows — the shape of a fully connected layer.

    Args:
        rows: one weight vector per output (e.g. per neuron).
        xs: the shared inputs.
    Returns:
        One Value per row.

    Example::

        >>> import autograd
        >>> [z.data for z in autograd.matvec([[1.0, 2.0], [3.0, 4.0]], [1.0, -1.0])]
        [-1.0, -1.0]
    """
    xs, x_data = _parents_and_data(_sequence(xs, "xs", "matvec"), "dot")
    return [_dot(_sequence(row, "each row", "matvec"), xs, x_data)
            for row in _sequence(rows, "rows", "matvec")]


def _dot(ws: tuple, xs: tuple[Value, ...], x_data: list[float]) -> Value:
    if len(ws) != len(xs):
        raise ValueError(
            f"dot: shape mismatch, ws has {len(ws)} items but xs has {len(xs)}; a neuron needs "
            "one weight per input (check the layer's nin against the length of each sample)"
        )
    ws, w_data = _parents_and_data(ws, "dot")
    out = _dot_forward(w_data, x_data)
    return record(out, ws + xs, _dot_rule(out, w_data, x_data), DOT)
