"""Training: ``fit`` → ``History``, early stopping, ``predict``/``evaluate``, accuracy and the
confusion matrix."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import autograd
from autograd import Value

from . import losses
from .data import batches
from .module import Module
from .optim import Adam, Optimizer
from .schedulers import ReduceLROnPlateau

# How each named loss turns a model output into a class label (None: regression).
_DECISIONS: dict[str, Callable[[Any], Any] | None] = {
    "binary_cross_entropy": lambda out: int(_number(out) >= 0.5),
    "bce": lambda out: int(_number(out) >= 0.5),
    "bce_with_logits": lambda out: int(_number(out) >= 0.0),
    "hinge": lambda out: 1 if _number(out) > 0 else -1,
    "cross_entropy": lambda out: argmax(out),
    "mse": None,
    "mae": None,
}


def _number(v: Value | float) -> float:
    return v.data if isinstance(v, Value) else float(v)


def argmax(outputs: Sequence[Value | float]) -> int:
    """The index of the largest output (the first one on ties)."""
    values = [_number(v) for v in outputs]
    return max(range(len(values)), key=values.__getitem__)


def accuracy(y_true: Sequence, y_pred: Sequence) -> float:
    """The fraction of predictions equal to the labels."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"accuracy: {len(y_true)} labels but {len(y_pred)} predictions")
    if not y_true:
        raise ValueError("accuracy: no samples")
    return sum(a == b for a, b in zip(y_true, y_pred)) / len(y_true)


def confusion_matrix(y_true: Sequence, y_pred: Sequence,
                     labels: Sequence | None = None) -> list[list[int]]:
    """Counts ``C[i][j]`` of samples of true class ``labels[i]`` predicted as ``labels[j]``
    (scikit-learn's layout; ``labels`` default: the sorted classes seen)."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"confusion_matrix: {len(y_true)} labels but {len(y_pred)} predictions")
    labels = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred):
        matrix[index[t]][index[p]] += 1
    return matrix


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


@dataclass
class History:
    """What happened during ``fit``, one entry per epoch."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    stopped_early: bool = False
    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        """How many epochs ran."""
        return len(self.train_loss)


def _outputs_in_eval_mode(model: Module, X: Sequence) -> list:
    """The model's outputs for every sample, in eval mode (restored after) and without a
    graph."""
    was_training = model.training
    model.eval()
    try:
        with autograd.no_grad():
            return [model(x) for x in X]
    finally:
        model.train(was_training)


def predict(model: Module, X: Sequence[Sequence[float]],
            decision: Callable[[Any], Any] | None = None) -> list:
    """Model outputs (as floats, or lists of floats) for each sample, in eval mode and
    without a graph; with ``decision``, class labels instead."""
    outputs = _outputs_in_eval_mode(model, X)
    if decision is not None:
        return [decision(out) for out in outputs]
    return [[v.data for v in out] if isinstance(out, list) else out.data for out in outputs]


def evaluate(model: Module, X: Sequence, y: Sequence, loss: Callable,
             decision: Callable | None = None) -> tuple[float, float | None]:
    """``(loss, accuracy)`` on a dataset, in eval mode and without a graph."""
    outputs = _outputs_in_eval_mode(model, X)
    with autograd.no_grad():
        value = loss(outputs, list(y)).data
    acc = accuracy(list(y), [decision(o) for o in outputs]) if decision else None
    return value, acc


def fit(model: Module, X: Sequence[Sequence[float]], y: Sequence, *,
        loss: str | Callable = "mse", optimizer: Optimizer | None = None, epochs: int = 100,
        batch_size: int | None = None, validation: tuple[Sequence, Sequence] | None = None,
        scheduler: Any = None, early_stopping: EarlyStopping | None = None,
        penalty: Callable[[Module], Value] | None = None,
        decision: Callable[[Any], Any] | None = None, seed: int | None = None,
        progress: bool = True) -> History:
    """Train ``model`` with mini-batch gradient descent and record a :class:`History`.

    Args:
        model: an ``nn`` module mapping one sample to its output(s).
        X, y: training samples and targets.
        loss: a name from ``nn.losses`` (``"mse"``, ``"bce"``, ``"bce_with_logits"``,
            ``"cross_entropy"``, ``"hinge"``, ...) or ``loss(outputs, targets) -> Value``.
        optimizer: default ``Adam(model.parameters(), lr=0.01)``.
        epochs: passes over the training data.
        batch_size: samples per gradient step (default: the whole set).
        validation: ``(X_val, y_val)`` evaluated after each epoch.
        scheduler: an ``nn.schedulers`` scheduler, stepped once per epoch
            (``ReduceLROnPlateau`` with the validation loss, else the training loss).
        early_stopping: an ``EarlyStopping`` watching the validation (else training) loss.
        penalty: ``penalty(model) -> Value`` added to each batch loss (e.g. L2).
        decision: output → class label, for accuracy (default: from the loss's name).
        seed: seeds the batch order.
        progress: show a ``tqdm`` progress bar.
    Returns:
        The History (losses, accuracies and learning rate per epoch).
    """
    if len(X) != len(y):
        raise ValueError(f"fit: {len(X)} samples but {len(y)} targets")
    if epochs < 1:
        raise ValueError(f"fit: epochs must be ≥ 1, got {epochs!r}")
    loss_fn = losses.get(loss)
    if decision is None and isinstance(loss, str):
        decision = _DECISIONS.get(loss)
    optimizer = optimizer or Adam(model.parameters(), lr=0.01)
    batch_size = batch_size or len(X)
    rng = random.Random(seed)
    history = History()
    bar = _progress(range(epochs), progress)
    model.train()
    for _epoch in bar:
        total, count = 0.0, 0
        for xb, yb in batches(X, y, batch_size, shuffle=batch_size < len(X), seed=rng):
            optimizer.zero_grad()
            batch_loss = loss_fn([model(x) for x in xb], yb)
            if penalty is not None:
                batch_loss = batch_loss + penalty(model)
            if not math.isfinite(batch_loss.data):
                raise FloatingPointError(
                    f"fit: the loss became {batch_loss.data} at epoch {history.epochs + 1}; "
                    "lower the learning rate, standardise the inputs, or clip gradients"
                )
            batch_loss.backward()
            optimizer.step()
            total += batch_loss.data * len(xb)
            count += len(xb)
        _record_epoch(history, model, X, y, validation, loss_fn, decision, optimizer,
                      total / count)
        monitored = history.val_loss[-1] if validation else history.train_loss[-1]
        if progress:
            bar.set_postfix(loss=f"{history.train_loss[-1]:.4f}")
        if scheduler is not None:
            if isinstance(scheduler, ReduceLROnPlateau):
                scheduler.step(monitored)
            else:
                scheduler.step()
        if early_stopping is not None and early_stopping.step(monitored, model):
            history.stopped_early = True
            break
    if early_stopping is not None:
        early_stopping.restore(model)
        history.best_epoch = early_stopping.best_epoch
    return history


def _record_epoch(history: History, model: Module, X, y, validation, loss_fn, decision,
                  optimizer: Optimizer, mean_batch_loss: float) -> None:
    history.train_loss.append(mean_batch_loss)
    history.lr.append(optimizer.lr)
    if decision is not None:
        history.train_accuracy.append(accuracy(list(y), predict(model, X, decision)))
    if validation is not None:
        val_loss, val_acc = evaluate(model, validation[0], validation[1], loss_fn, decision)
        history.val_loss.append(val_loss)
        if val_acc is not None:
            history.val_accuracy.append(val_acc)


def _progress(iterable, enabled: bool):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc="training", unit="epoch")
