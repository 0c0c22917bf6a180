"""Context managers that change how ops behave: ``no_grad`` and ``detect_anomaly``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import value as _value


@contextmanager
def _modes(*, recording: bool | None = None, anomaly: bool | None = None) -> Iterator[None]:
    """Switch the given modes for the block, then restore both as they were (errors too)."""
    before = _value.is_grad_enabled(), _value.is_anomaly_enabled()
    _value._set_modes(recording=before[0] if recording is None else recording,
                      anomaly=before[1] if anomaly is None else anomaly)
    try:
        yield
    finally:
        _value._set_modes(recording=before[0], anomaly=before[1])


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops record no parents: results are plain constants, nothing to free.

    Use it for evaluation and for parameter updates (as ``torch.no_grad``). Nests, and works
    as a decorator.

    Example::

        >>> from autograd import Value, no_grad
        >>> w = Value(1.0)
        >>> with no_grad():
        ...     y = w * 3
        >>> y.parents
        ()
    """
    with _modes(recording=False):
        yield


@contextmanager
def enable_grad() -> Iterator[None]:
    """Record the graph again inside a ``no_grad()`` block."""
    with _modes(recording=True):
        yield


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``AnomalyError`` at the first NaN or infinity an op or a gradient produces.

    The error names the op, the node's label and the file and line where the node was
    created (recorded for nodes made inside this block). Slower: use it to debug.

    Example::

        >>> from autograd import Value, detect_anomaly, AnomalyError
        >>> x = Value(1e308, label="x")
        >>> with detect_anomaly():
        ...     try:
        ...         y = x * 10
        ...     except AnomalyError as e:
        ...         print("caught:", str(e)[:43])
        caught: detect_anomaly: forward op '*' produced inf
    """
    with _modes(anomaly=True):
        yield
