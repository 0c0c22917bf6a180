"""The chain rule's contract: one edge's product, masked, and how the products add up.

Backprop visits each node after every node that reads it (reverse topological order) and,
for each (parent, local derivative) pair of the node, adds one product::

    ∂root/∂parent  +=  ∂node/∂parent  ×  ∂root/∂node
                       (local)           (upstream)

This module is that line, written once, for every loop that runs it:

* :func:`contribution` — one edge's product on floats or Values: ``Value.backward``'s
  non-finite path, :func:`autograd.backward_steps` (the step records), :func:`autograd.gradients`
  (and ``backward(create_graph=True)``, where the locals are Values), :func:`autograd.explain`;
* :func:`accumulate` — how the products reaching one parent add up;
* :func:`array_contribution` — the same product for a whole block of nodes and samples, in
  replay (:mod:`autograd.array_program`).

The hot loop of ``Value.backward`` (:func:`autograd.backward.run_backward`) keeps an inlined
copy of :func:`contribution` for a finite upstream (where the mask cannot change the result,
see below), for speed; ``tests/test_chain_rule.py`` compares it bit for bit with every other
loop on random graphs.

**The mask.** A zero local derivative of a *masking* op (relu, step, ``x ** 0``, an op made
with ``Op(..., masks=True)``) passes 0 even when the upstream gradient is ±inf or NaN, where
the plain product would give NaN (0 × ∞) — as PyTorch's ``where``-based derivatives do. So
``√(relu(x))`` at x = −1 has derivative 0, not NaN. A zero local derivative of any other op
(``a · b`` with b = 0) is an ordinary number: 0 × ∞ is NaN there, as in PyTorch.

This module imports nothing from the engine: it knows an op only by its ``masks`` flag.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def contribution(local: Any, upstream: Any, op: object = None) -> Any:
    """One edge's product — the chain rule's step::

        contribution = ∂node/∂parent × ∂root/∂node = local × upstream

    with two exact refinements:

    * ``local = 1.0`` passes ``upstream`` itself (1 × u = u exactly; in
      ``backward(create_graph=True)`` no node is recorded for it);
    * ``local = 0.0`` of a masking op (:func:`masks`) passes 0.0 even when ``upstream`` is
      ±inf or NaN (the mask; see the module docs).

    Args:
        local: ∂node/∂parent: a float, or a Value in ``create_graph`` mode.
        upstream: ∂root/∂node: a float or a Value.
        op: the node's op: its ``masks`` flag is read (a node made with an op given by its
            name alone, ``Value(..., op="cube")``, does not mask).
    Returns:
        The product, a float or a Value.

    Example::

        >>> from autograd.ops import RELU, MUL
        >>> contribution(0.0, float("inf"), RELU), contribution(0.0, 2.0, MUL)
        (0.0, 0.0)
        >>> contribution(0.0, float("inf"), MUL)
        nan
    """
    if local.__class__ is float:
        if local == 1.0:
            return upstream
        if local == 0.0 and getattr(op, "masks", False):
            return 0.0
    return local * upstream


def accumulate(total: Any, extra: Any) -> Any:
    """``total + extra``: the products reaching one parent add up::

        ∂root/∂parent = Σ over the parent's readers c  ∂c/∂parent × ∂root/∂c

    — except that the float 0.0 on either side returns the other one unchanged, so no
    ``+`` node is recorded in ``create_graph`` mode. Starting from ``total = 0.0`` this gives
    bit for bit what ``total += extra`` gives (0.0 + x is x, and a sum from 0.0 is never
    −0.0), the fast loop's accumulation.

    Example::

        >>> accumulate(accumulate(0.0, 2.0), 0.5)
        2.5
    """
    if extra.__class__ is float and extra == 0.0:
        return total
    if total.__class__ is float and total == 0.0:
        return extra
    return total + extra


def array_contribution(local: Any, upstream: Any, masks: bool) -> Any:
    """:func:`contribution` for a block of nodes over a batch: ``local × upstream``
    elementwise, numpy arrays (``local`` may be one float for the whole block).

    ``local = 1.0`` passes ``upstream`` itself; where a masking op's local derivative is 0
    the result is 0 whatever ``upstream`` holds (±inf, NaN): ``where(local == 0, 0, local ×
    upstream)``. Every element is then exactly the float :func:`contribution` gives.

    Args:
        local: ∂node/∂parent, a float or an array broadcasting against ``upstream``.
        upstream: ∂root/∂node, an array (nodes × samples).
        masks: whether the op's zero local derivative is a mask (``Op.masks``).

    Example::

        >>> import numpy as np
        >>> with np.errstate(invalid="ignore"):  # 0 × inf, then masked (replay sets this)
        ...     array_contribution(np.array([0.0, 2.0]), np.array([np.inf, 3.0]), True)
        array([0., 6.])
    """
    if isinstance(local, float):
        if local == 1.0:
            return upstream
        if local == 0.0 and masks:
            return np.zeros_like(upstream)
        return local * upstream
    product = local * upstream
    if masks:
        product = np.where(local == 0, 0.0, product)
    return product


__all__ = ["accumulate", "array_contribution", "contribution"]
