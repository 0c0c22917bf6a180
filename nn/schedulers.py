"""Learning-rate schedules: ``step()`` once per epoch (``ReduceLROnPlateau``: with a metric).

As in PyTorch, building a scheduler records the optimiser's ``lr`` as the base rate, and each
``step()`` sets ``optimizer.lr`` from a closed-form rule of the epoch count.
"""

from __future__ import annotations

import math

from .optim import Optimizer


class LRScheduler:
    """Base class: ``base_lr``, ``last_epoch``, ``step()``, ``get_last_lr()``."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an nn.optim optimiser, got "
                            f"{type(optimizer).__name__}")
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


class ConstantLR(LRScheduler):
    """The same learning rate every epoch (scikit-learn's ``learning_rate="constant"``)."""

    def _lr_at(self, epoch: int) -> float:
        return self.base_lr


class StepLR(LRScheduler):
    """``lr = base · gamma^(epoch // step_size)``: divide by 10 every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if step_size < 1:
            raise ValueError(f"StepLR: step_size must be ≥ 1, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def _lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """``lr = base · gamma^epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = gamma
        super().__init__(optimizer)

    def _lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class LinearLR(LRScheduler):
    """Scale the rate linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    epochs, then keep it (PyTorch's defaults 1/3 → 1 over 5 epochs: a warm-up)."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5) -> None:
        if not 0 < start_factor <= 1 or not 0 <= end_factor <= 1:
            raise ValueError("LinearLR: factors must be in (0, 1] (start) and [0, 1] (end)")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer)

    def _lr_at(self, epoch: int) -> float:
        progress = min(epoch, self.total_iters) / self.total_iters if self.total_iters else 1
        return self.base_lr * (self.start_factor +
                               (self.end_factor - self.start_factor) * progress)


class InverseScalingLR(LRScheduler):
    """``lr = base / t^power_t`` with t = epoch + 1 (scikit-learn's ``"invscaling"``)."""

    def __init__(self, optimizer: Optimizer, power_t: float = 0.5) -> None:
        self.power_t = power_t
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
        if mode not in ("min", "max") or threshold_mode not in ("rel", "abs"):
            raise ValueError("ReduceLROnPlateau: mode is 'min' or 'max', threshold_mode 'rel' "
                             "or 'abs'")
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor!r}")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
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
        """Record this epoch's metric (e.g. the validation loss) and maybe reduce the rate."""
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
