"""Learning-rate schedules: ``step()`` once per epoch (``ReduceLROnPlateau``: with a metric).

As in PyTorch, building a scheduler records the optimiser's ``lr`` as the base rate, and each
``step()`` sets ``optimizer.lr`` from a closed-form rule of the epoch count. A constant rate
needs no scheduler. Arguments are checked when the scheduler is built
(``InvalidParameterError``, a ``ValueError`` naming the argument).
"""

from __future__ import annotations

import math

from . import checks
from .optim import Optimizer


def _check_optimizer(optimizer: object, who: str) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{who}: expected an nn.optim optimiser, got "
                        f"{type(optimizer).__name__}")


class LRScheduler:
    """Base class: ``base_lr``, ``last_epoch``, ``step()``, ``get_last_lr()``."""

    def __init__(self, optimizer: Optimizer) -> None:
        _check_optimizer(optimizer, type(self).__name__)
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        optimizer.lr = self._lr_at(0)

    def _lr_at(self, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and set the optimiser's learning rate."""
        self.last_epoch += 1
        self.optimizer.lr = self._lr_at(self.last_epoch)

    def get_last_lr(self) -> list[float]:
        """The learning rate now in use, in a list (PyTorch's shape: one per group)."""
        return [self.optimizer.lr]


class StepLR(LRScheduler):
    """``lr = base · gamma^(epoch // step_size)``: divide by 10 every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = checks.integer(step_size, "step_size", "StepLR", low=1, example=10)
        self.gamma = checks.real(gamma, "gamma", "StepLR", low=0, low_open=True,
                                 example=0.1)
        super().__init__(optimizer)

    def _lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """``lr = base · gamma^epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = checks.real(gamma, "gamma", "ExponentialLR", low=0, low_open=True,
                                 example=0.95)
        super().__init__(optimizer)

    def _lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class LinearLR(LRScheduler):
    """Scale the rate linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    epochs, then keep it (PyTorch's defaults 1/3 → 1 over 5 epochs: a warm-up)."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5) -> None:
        self.start_factor = checks.real(start_factor, "start_factor", "LinearLR", low=0,
                                        high=1, low_open=True, example=0.25)
        self.end_factor = checks.real(end_factor, "end_factor", "LinearLR", low=0, high=1,
                                      example=1.0)
        self.total_iters = checks.integer(total_iters, "total_iters", "LinearLR", low=1,
                                          example=5)
        super().__init__(optimizer)

    def _lr_at(self, epoch: int) -> float:
        progress = min(epoch, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor +
                               (self.end_factor - self.start_factor) * progress)


class InverseScalingLR(LRScheduler):
    """``lr = base / t^power_t`` with t = epoch + 1 (scikit-learn's ``"invscaling"``)."""

    def __init__(self, optimizer: Optimizer, power_t: float = 0.5) -> None:
        self.power_t = checks.real(power_t, "power_t", "InverseScalingLR", low=0,
                                   example=0.5)
        super().__init__(optimizer)

    def _lr_at(self, epoch: int) -> float:
        return self.base_lr / (epoch + 1) ** self.power_t


class ReduceLROnPlateau:
    """Multiply the rate by ``factor`` when a metric stops improving for ``patience`` epochs.

    PyTorch's rule: the metric improves when it beats the best by more than ``threshold``
    (relative: ``best·(1 − threshold)`` in ``"min"`` mode; absolute: ``best − threshold``);
    after a reduction, wait ``cooldown`` epochs; never go below ``min_lr``.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float = 0.0, eps: float = 1e-8) -> None:
        who = "ReduceLROnPlateau"
        _check_optimizer(optimizer, who)
        self.optimizer = optimizer
        self.mode = checks.option(mode, "mode", who, ("min", "max"))
        self.factor = checks.real(factor, "factor", who, low=0, high=1, low_open=True,
                                  high_open=True, example=0.1)
        self.patience = checks.integer(patience, "patience", who, low=0, example=10)
        self.threshold = checks.real(threshold, "threshold", who, low=0, example=1e-4)
        self.threshold_mode = checks.option(threshold_mode, "threshold_mode", who,
                                            ("rel", "abs"))
        self.cooldown = checks.integer(cooldown, "cooldown", who, low=0, example=0)
        self.min_lr = checks.real(min_lr, "min_lr", who, low=0, example=0.0)
        self.eps = checks.real(eps, "eps", who, low=0, example=1e-8)
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0

    def _improves(self, metric: float) -> bool:
        if self.mode == "min":
            bar = self.best * (1 - self.threshold) if self.threshold_mode == "rel" \
                else self.best - self.threshold
            return metric < bar
        bar = self.best * (1 + self.threshold) if self.threshold_mode == "rel" \
            else self.best + self.threshold
        return metric > bar

    def step(self, metric: float) -> None:
        """Record this epoch's metric (e.g. the validation loss) and maybe reduce the rate.

        Raises:
            ValueError: the metric is not a finite number (a NaN loss would never improve).
        """
        metric = checks.real(metric, "metric", "ReduceLROnPlateau.step")
        self.last_epoch += 1
        if self._improves(metric):
            self.best = metric
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.optimizer.lr * self.factor, self.min_lr)
            if self.optimizer.lr - new_lr > self.eps:
                self.optimizer.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0

    def get_last_lr(self) -> list[float]:
        """The learning rate now in use, in a list."""
        return [self.optimizer.lr]
