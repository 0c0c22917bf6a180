"""Regularisation by the loss and by the weights: L1/L2 penalties and magnitude pruning.

Dropout and BatchNorm are layers (``nn.layers``); early stopping is part of training
(``nn.training``).
"""

from __future__ import annotations

from collections.abc import Iterable

import autograd
from autograd import Value


def l1_penalty(params: Iterable[Value]) -> Value:
    """``Σ |w|`` — add ``λ·l1_penalty(model.parameters())`` to the loss for sparse weights."""
    return autograd.sum([abs(p) for p in params])


def l2_penalty(params: Iterable[Value]) -> Value:
    """``Σ w²`` — add ``λ·l2_penalty(...)`` to the loss (weight decay); one ``dot`` node."""
    params = list(params)
    return autograd.dot(params, params)


def magnitude_prune(params: Iterable[Value], amount: float) -> list[Value]:
    """Set the ``amount`` fraction of parameters with the smallest |w| to 0.

    Returns:
        The pruned Values (keep them at zero after each optimiser step with
        ``for p in pruned: p.data = 0.0``).
    """
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"magnitude_prune: amount must be a fraction in [0, 1], got {amount!r}")
    params = list(params)
    count = round(len(params) * amount)
    pruned = sorted(params, key=lambda p: abs(p.data))[:count]
    for p in pruned:
        p.data = 0.0
    return pruned
