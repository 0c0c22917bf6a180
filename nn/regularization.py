"""Regularisation: L1/L2 penalties, Dropout, BatchNorm, early stopping, magnitude pruning."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence

import autograd
from autograd import Value

from .module import Module


def l1_penalty(params: Iterable[Value]) -> Value:
    """``Σ |w|`` — add ``λ·l1_penalty(model.parameters())`` to the loss for sparse weights."""
    return autograd.sum([abs(p) for p in params])


def l2_penalty(params: Iterable[Value]) -> Value:
    """``Σ w²`` — add ``λ·l2_penalty(...)`` to the loss (weight decay); one ``dot`` node."""
    params = list(params)
    return autograd.dot(params, params)


class Dropout(Module):
    """Zero each input with probability ``p`` during training and scale the survivors by
    ``1/(1−p)`` (inverted dropout, as PyTorch), so evaluation needs no change: in ``eval()``
    it passes inputs through untouched.

    Args:
        p: the drop probability, in [0, 1].
        seed: seeds the masks.
    """

    def __init__(self, p: float = 0.5, seed: int | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p = p
        self._rng = random.Random(seed)

    def forward(self, xs: Sequence[Value]) -> list[Value]:
        """Apply dropout to one sample's features."""
        if not self.training or self.p == 0.0:
            return list(xs)
        if self.p == 1.0:
            return [x * 0.0 for x in xs]
        keep = 1.0 / (1.0 - self.p)
        return [x * (0.0 if self._rng.random() < self.p else keep) for x in xs]

    def config(self) -> dict:
        return {"p": self.p}


class BatchNorm(Module):
    """Batch normalisation over a batch of samples (Ioffe & Szegedy 2015; ``BatchNorm1d``).

    Training: normalise each feature with the batch mean and (biased) variance, then scale
    and shift by the learned ``gamma`` and ``beta``; update running statistics with
    ``momentum`` (running variance unbiased, as PyTorch). ``eval()``: use the running ones.

    Call it on a whole batch: a list of samples, each a list of ``num_features`` Values.
    """

    _buffers = ("running_mean", "running_var")

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        self.num_features = num_features
        self.eps, self.momentum = eps, momentum
        self.gamma = [Value(1.0) for _ in range(num_features)]
        self.beta = [Value(0.0) for _ in range(num_features)]
        self.running_mean = [0.0] * num_features
        self.running_var = [1.0] * num_features
        self.label_parameters()

    def forward(self, batch: Sequence[Sequence[Value]]) -> list[list[Value]]:
        """Normalise a batch; returns the batch, same shape."""
        for row in batch:
            if len(row) != self.num_features:
                raise ValueError(f"BatchNorm: expects {self.num_features} features per "
                                 f"sample, got {len(row)}")
        n = len(batch)
        columns = list(zip(*batch))
        out_columns = []
        for j, column in enumerate(columns):
            if self.training:
                if n < 2:
                    raise ValueError("BatchNorm: training needs more than one sample per batch "
                                     "to estimate a variance; use a larger batch or eval()")
                mean = autograd.sum(column) / n
                centred = [x - mean for x in column]
                var = autograd.dot(centred, centred) / n
                m = self.momentum
                self.running_mean[j] = (1 - m) * self.running_mean[j] + m * mean.data
                self.running_var[j] = (1 - m) * self.running_var[j] + m * var.data * n / (n - 1)
                inv_std = (var + self.eps) ** -0.5
                normalised = [c * inv_std for c in centred]
            else:
                inv = 1.0 / math.sqrt(self.running_var[j] + self.eps)
                normalised = [(x - self.running_mean[j]) * inv for x in column]
            out_columns.append([x * self.gamma[j] + self.beta[j] for x in normalised])
        return [list(row) for row in zip(*out_columns)]

    def config(self) -> dict:
        return {"num_features": self.num_features, "eps": self.eps, "momentum": self.momentum}


class EarlyStopping:
    """Stop training when a monitored metric stops improving.

    Args:
        patience: epochs without improvement before stopping.
        min_delta: the smallest change that counts as an improvement.
        mode: ``"min"`` (a loss) or ``"max"`` (an accuracy).
        restore_best_weights: put the best epoch's weights back when stopping.
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, mode: str = "min",
                 restore_best_weights: bool = True) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.restore_best_weights = restore_best_weights
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = -1
        self.best_state: dict | None = None
        self.wait = 0
        self.epoch = -1

    def step(self, metric: float, model: Module | None = None) -> bool:
        """Record one epoch's metric; returns ``True`` when training should stop."""
        self.epoch += 1
        better = (metric < self.best - self.min_delta if self.mode == "min"
                  else metric > self.best + self.min_delta)
        if better:
            self.best, self.best_epoch, self.wait = metric, self.epoch, 0
            if model is not None and self.restore_best_weights:
                self.best_state = model.state_dict()
            return False
        self.wait += 1
        return self.wait >= self.patience

    def restore(self, model: Module) -> None:
        """Load the best weights seen (if ``restore_best_weights``)."""
        if self.restore_best_weights and self.best_state is not None:
            model.load_state_dict(self.best_state)


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
