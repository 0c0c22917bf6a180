"""Modes that change how ops behave — per thread, like PyTorch's grad mode.

* ``no_grad`` / ``enable_grad``: whether ops record their parents (a graph) or return constants;
* ``detect_anomaly``: raise at the first NaN or infinity, naming the op and where it was made;
* IEEE arithmetic (internal): inside derivative rules a division by zero or an overflow gives
  ±inf / NaN, as in PyTorch, instead of the clear errors user code gets;
* the nesting depth of ``autograd.grad`` (an inner ``grad`` records its backward pass).

Each thread has its own modes: ``no_grad()`` in one thread never switches recording off in
another, and blocks entered and left in any interleaving restore exactly what they changed.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType


class ThreadModes(threading.local):
    """The modes of the calling thread (each thread sees its own attribute values).

    Attributes:
        recording: ops record their parents (``False`` inside ``no_grad()``).
        anomaly: inside ``detect_anomaly()``.
        ieee: arithmetic gives ±inf/NaN instead of raising (while derivative rules run).
        grad_depth: how many ``autograd.grad`` evaluations are running in this thread.
    """

    recording = True
    anomaly = False
    ieee = False
    grad_depth = 0


current = ThreadModes()

# How many no_grad / enable_grad / detect_anomaly blocks are open in all threads. While it is
# 0 every thread is in the default modes, so making a node needs no thread-local lookup: the
# engine's hot path reads this one number.
open_blocks = [0]
_open_lock = threading.Lock()


def _count_block(change: int) -> None:
    with _open_lock:
        open_blocks[0] += change


def is_grad_enabled() -> bool:
    """``True`` unless this thread is inside ``autograd.no_grad()``: ops record their parents."""
    return current.recording


def is_anomaly_enabled() -> bool:
    """``True`` inside ``autograd.detect_anomaly()`` (in this thread)."""
    return current.anomaly


@contextmanager
def _modes(*, recording: bool | None = None, anomaly: bool | None = None) -> Iterator[None]:
    """Switch the given modes of this thread for the block, then restore them (errors too)."""
    state = current
    before = state.recording, state.anomaly
    _count_block(+1)
    try:
        if recording is not None:
            state.recording = recording
        if anomaly is not None:
            state.anomaly = anomaly
        yield
    finally:
        state.recording, state.anomaly = before
        _count_block(-1)


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops record no parents: results are plain constants, nothing to free.

    Use it for evaluation and for parameter updates (as ``torch.no_grad``). Nests, works as a
    decorator, and affects only the calling thread.

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
    """Record the graph again inside a ``no_grad()`` block (this thread only)."""
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


@contextmanager
def ieee_arithmetic() -> Iterator[None]:
    """Inside this block ops follow IEEE 754 where user code gets an error: ``x / 0`` is
    ±inf (NaN for 0/0), an overflowing ``exp`` or ``**`` is inf, ``log(0)`` is −inf, a
    negative base with a fractional exponent is NaN. The backward pass runs derivative rules
    in it, so derivatives at the edges are PyTorch's (``d/dx √x`` at 0 is inf, not an error).
    """
    state = current
    before = state.ieee
    state.ieee = True
    try:
        yield
    finally:
        state.ieee = before


@contextmanager
def grad_level() -> Iterator[int]:
    """Count one running ``autograd.grad`` evaluation in this thread; yields the depth
    before it (0 at top level)."""
    state = current
    depth = state.grad_depth
    state.grad_depth = depth + 1
    try:
        yield depth
    finally:
        state.grad_depth = depth


# --- where nodes were created (recorded inside detect_anomaly) ------------------------------
_creation_sites: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_creation_lock = threading.Lock()
# the package's files, and the op methods it generates (named "<autograd.Value op ...>")
_INSIDE = (str(Path(__file__).resolve().parent), "<autograd.")


def creation_site() -> str:
    """``file:line in function`` of the first caller outside the autograd package."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_INSIDE):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def remember_creation_site(node: object, site: str) -> None:
    """Record where ``node`` was created (kept while the node lives)."""
    with _creation_lock:
        _creation_sites[node] = site


def creation_site_of(node: object) -> str:
    """Where ``node`` was created, if it was created inside ``detect_anomaly()``."""
    with _creation_lock:
        site = _creation_sites.get(node)
    return site or ("an unknown place (build the graph inside detect_anomaly() to record "
                    "where each node is created)")
