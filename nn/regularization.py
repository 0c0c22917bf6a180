"""Regularisation by the loss and by the weights: L1/L2 penalties and magnitude pruning.

Dropout and BatchNorm are layers (``nn.layers``); early stopping is part of training
(``nn.training``).
"""

from __future__ import annotations

from collections.abc import Iterable

import autograd
from autograd import Value

from . import checks


def l1_penalty(params: Iterable[Value]) -> Value:
    """``Σ |w|`` — add ``λ·l1_penalty(model.parameters())`` to the loss for sparse weights."""
    return autograd.sum([abs(p) for p in params])


def l2_penalty(params: Iterable[Value]) -> Value:
    """``Σ w²`` — add ``λ·l2_penalty(...)`` to the loss (weight decay); one ``dot`` node."""
    params = list(params)
    return autograd.dot(params, params)


def magnitude_prune(params: Iterable[Value], amount: float) -> list[Value]:
    """Set the ``amount`` fraction of parameters with the smallest |w| to 0: the
    ``round(amount·N)`` smallest in magnitude (ties in the given order).

    Returns:
        The pruned Values (keep them at zero after each optimiser step with
        ``for p in pruned: p.data = 0.0``).
    Raises:
        InvalidParameterError: ``amount`` is not a fraction in [0, 1].
        TypeError: a parameter is not a Value.
    """
    amount = checks.real(amount, "amount", "magnitude_prune", low=0,
                         high=1, example=0.5)
    params = list(params)
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"magnitude_prune: parameters must be Values, got "
                            f"{type(p).__name__}; pass model.parameters()")
    count = round(len(params) * amount)
    pruned = sorted(params, key=lambda p: abs(p.data))[:count]
    for p in pruned:
        p.data = 0.0
    return pruned
