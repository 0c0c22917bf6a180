"""Training: ``fit`` → ``History``, early stopping, ``predict``/``evaluate``, accuracy and the
confusion matrix."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd
from autograd import Value

from . import checks, losses
from .data import batch_indices
from .engines import Engine, make_engine, outputs_in_eval_mode
from .losses import Loss
from .module import Module
from .optim import Adam, Optimizer
from .schedulers import ReduceLROnPlateau


def _number(v: Value | float) -> float:
    return v.data if isinstance(v, Value) else float(v)


def argmax(outputs: Sequence[Value | float]) -> int:
    """The index of the largest output, ``argmax_k outputs[k]`` (the first one on ties)."""
    values = [_number(v) for v in outputs]
    return max(range(len(values)), key=values.__getitem__)


def _labels(y: Sequence, name: str, who: str) -> list:
    if not hasattr(y, "__len__") or isinstance(y, (str, bytes)):
        raise TypeError(f"{who}: {name} must be a list of labels, got {type(y).__name__}")
    return [checks.plain(v) for v in y]


def accuracy(y_true: Sequence, y_pred: Sequence) -> float:
    """The fraction of predictions equal to the labels: ``(1/N) Σᵢ [ŷᵢ = yᵢ]``.

    Lists, tuples and numpy arrays are accepted alike.

    Raises:
        ValueError: the lengths differ, or there are no samples.
    """
    y_true, y_pred = _labels(y_true, "y_true", "accuracy"), _labels(y_pred, "y_pred", "accuracy")
    if len(y_true) != len(y_pred):
        raise ValueError(f"accuracy: {len(y_true)} labels in y_true but {len(y_pred)} "
                         "predictions in y_pred; give one prediction per label")
    if not y_true:
        raise ValueError("accuracy: y_true has no samples; give at least one label")
    return sum(a == b for a, b in zip(y_true, y_pred)) / len(y_true)


def confusion_matrix(y_true: Sequence, y_pred: Sequence,
                     labels: Sequence | None = None) -> list[list[int]]:
    """Counts ``C[i][j] = #{n : yₙ = labels[i], ŷₙ = labels[j]}`` — rows the true class,
    columns the predicted one (scikit-learn's layout; ``labels`` default: the sorted classes
    seen).

    Raises:
        ValueError: the lengths differ, or a label is missing from ``labels``.
    """
    who = "confusion_matrix"
    y_true, y_pred = _labels(y_true, "y_true", who), _labels(y_pred, "y_pred", who)
    if len(y_true) != len(y_pred):
        raise ValueError(f"{who}: {len(y_true)} labels in y_true but {len(y_pred)} "
                         "predictions in y_pred; give one prediction per label")
    labels = _labels(labels, "labels", who) if labels is not None \
        else sorted(set(y_true) | set(y_pred))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred):
        for label in (t, p):
            if label not in index:
                raise ValueError(f"{who}: label {label!r} occurs but is not in labels="
                                 f"{labels!r}; add it, or leave labels=None")
        matrix[index[t]][index[p]] += 1
    return matrix


class EarlyStopping:
    """Stop training when a monitored metric stops improving.

    Epoch ``t`` improves when ``metric < best − min_delta`` (``"min"``) or
    ``metric > best + min_delta`` (``"max"``); training stops after ``patience`` epochs in a
    row without improvement.

    Args:
        patience: epochs without improvement before stopping (an int ≥ 0).
        min_delta: the smallest change that counts as an improvement (≥ 0).
        mode: ``"min"`` (a loss) or ``"max"`` (an accuracy).
        restore_best_weights: put the best epoch's weights back when stopping.
    Raises:
        InvalidParameterError: a bad argument (a ``ValueError`` naming it).
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, mode: str = "min",
                 restore_best_weights: bool = True) -> None:
        who = "EarlyStopping"
        self.patience = checks.integer(patience, "patience", who, low=0, example=5)
        self.min_delta = checks.real(min_delta, "min_delta", who, low=0, example=0.0)
        self.mode = checks.option(mode, "mode", who, ("min", "max"))
        self.restore_best_weights = checks.flag(restore_best_weights, "restore_best_weights",
                                                who)
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = -1
        self.best_state: dict | None = None
        self.wait = 0
        self.epoch = -1

    def step(self, metric: float, model: Module | None = None) -> bool:
        """Record one epoch's metric; returns ``True`` when training should stop.

        Raises:
            InvalidParameterError: the metric is NaN or infinite.
        """
        metric = checks.real(metric, "metric", "EarlyStopping.step")
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
    """What happened during ``fit``, one entry per epoch.

    ``train_loss`` and ``train_accuracy`` are over the epoch's batches, each batch's outputs
    as the model computed them for that batch's step (before the step: the mean batch loss
    and the fraction decided right, as Keras reports them; with the whole set as one batch,
    the model the epoch started with). ``val_loss`` and ``val_accuracy`` are computed after
    the epoch, in eval mode.
    """

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


def _check_model(model: object, who: str) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"{who}: model must be an nn Module (e.g. nn.MLP), got "
                        f"{type(model).__name__}")


def predict(model: Module, X: Sequence[Sequence[float]],
            decision: Callable[[Any], Any] | None = None) -> list:
    """Model outputs (as floats, or lists of floats) for each sample, in eval mode and
    without a graph; with ``decision``, class labels instead.

    Raises:
        ValueError: ``X`` is empty, ragged, or holds NaN/inf (sample and feature named).
    """
    _check_model(model, "predict")
    X = checks.samples(X, "predict")
    outputs = outputs_in_eval_mode(model, X)
    if decision is not None:
        return [decision(out) for out in outputs]
    return [[v.data for v in out] if isinstance(out, list) else out.data for out in outputs]


def evaluate(model: Module, X: Sequence, y: Sequence, loss: str | Loss | Callable,
             decision: Callable | None = None) -> tuple[float, float | None]:
    """``(loss, accuracy)`` on a dataset, in eval mode and without a graph: the loss
    ``L = loss(outputs, y)`` (a name from ``nn.losses``, a record or a function), the
    accuracy ``(1/N) Σᵢ [decision(outputᵢ) = yᵢ]`` (``None`` without a decision).

    Args:
        model, X, y: as for :func:`fit`.
        loss: a name from ``nn.losses`` (``"mse"``, ``"bce_with_logits"``...), looked up as
            :func:`fit` does, a :class:`nn.losses.Loss`, or ``loss(outputs, targets) -> Value``.
        decision: output → class label for the accuracy (default: the loss's own decision,
            as :func:`fit`; none for a function or a regression loss: no accuracy).
    Raises:
        ValueError: ``X`` or ``y`` hold NaN/inf (named by index), their lengths differ, or
            ``loss`` is an unknown name (the message lists the known ones).
    """
    _check_model(model, "evaluate")
    try:
        loss = losses.get(loss)
    except ValueError as exc:
        raise ValueError(f"evaluate: {exc}") from None
    X, y = checks.samples(X, "evaluate"), checks.targets(y, "evaluate")
    checks.same_length(X, y, "evaluate")
    outputs = outputs_in_eval_mode(model, X)
    with autograd.no_grad():
        value = loss(outputs, y).data
    labels = loss.labels([[v.data for v in o] if isinstance(o, list) else o.data
                          for o in outputs]) if decision is None else None
    if labels is not None:  # the loss decides (a classification loss)
        return value, accuracy(y, labels.tolist())
    acc = accuracy(y, [decision(o) for o in outputs]) if decision else None
    return value, acc


def fit(model: Module, X: Sequence[Sequence[float]] | np.ndarray, y: Sequence, *,
        loss: str | Loss | Callable = "mse", optimizer: Optimizer | None = None,
        epochs: int = 100, batch_size: int | None = None,
        validation: tuple[Sequence, Sequence] | None = None, scheduler: Any = None,
        early_stopping: EarlyStopping | None = None,
        penalty: Callable[[Module], Value] | None = None,
        decision: Callable[[Any], Any] | None = None, seed: int | None = None,
        progress: bool = True, engine: str = "scalar") -> History:
    """Train ``model`` with mini-batch gradient descent and record a :class:`History`.

    Each epoch shuffles the samples into batches B; for each, the loss
    ``L_B = loss([model(x) for x in B], targets) (+ penalty(model))`` is back-propagated and
    the optimizer takes one step: ``θ ← step(θ, ∇_θ L_B)``.

    Args:
        model: an ``nn`` module mapping one sample to its output(s).
        X, y: training samples and targets (lists, tuples or numpy arrays; numbers must be
            finite).
        loss: a name from ``nn.losses`` (``"mse"``, ``"bce"``, ``"bce_with_logits"``,
            ``"cross_entropy"``, ``"hinge"``, ...), an ``nn.losses.Loss`` record, or a
            function ``loss(outputs, targets) -> Value`` returning the batch's mean (outputs
            a list with one model output per sample, targets theirs; checked on the first
            samples before training).
        optimizer: default ``Adam(model.parameters(), lr=0.01)``.
        epochs: passes over the training data (an int ≥ 1).
        batch_size: samples per gradient step (an int ≥ 1; ``None``: the whole set).
        validation: ``(X_val, y_val)`` evaluated after each epoch.
        scheduler: an ``nn.schedulers`` scheduler, stepped once per epoch
            (``ReduceLROnPlateau`` with the validation loss, else the training loss).
        early_stopping: an ``EarlyStopping`` watching the validation (else training) loss.
        penalty: ``penalty(model) -> Value`` added to each batch loss (e.g. L2).
        decision: output → class label, for accuracy (default: the loss's own decision,
            e.g. ``ŷ ≥ 0.5`` for ``"bce"``; none for a regression loss).
        seed: seeds the batch order (an int or ``None``).
        progress: show a ``tqdm`` progress bar.
        engine: ``"scalar"`` builds every sample's graph (what you step through and draw);
            ``"replay"`` records one sample's graph and replays it over each batch with
            numpy (:mod:`nn.replay`) — the same losses, gradients and updates, hundreds of
            times faster. The parameters' ``.data`` and ``.grad`` are written back when
            ``fit`` returns (or fails), and before early stopping saves weights. Refused,
            naming the module, for models whose graph differs per sample (Dropout in
            training, BatchNorm); a loss function must average over its samples and take
            its targets as Values.
    Returns:
        The History: per epoch, the training loss and accuracy over the epoch's batches (the
        model as each batch saw it, before that batch's step), the validation loss and
        accuracy after the epoch, and the learning rate.
    Raises:
        InvalidParameterError: a bad argument (a ``ValueError`` naming it, e.g. ``epochs=2.5``
            or ``batch_size=0``).
        ValueError: ``X``, ``y`` or the validation set hold NaN or ±inf (the sample and
            feature are named), are ragged, or differ in length.
        FloatingPointError: training diverged — the loss, a gradient or a weight became NaN
            or infinite (or overflowed); the message names the epoch and batch and suggests
            a smaller learning rate. The model keeps the weights of the last good step.
    """
    who = "fit"
    _check_model(model, who)
    # replay trains on arrays: an array given is checked as one, with no lists in between
    X = checks.samples_array(X, who, "X") if engine == "replay" else \
        checks.samples(X, who, "X")
    y = checks.targets(y, who, "y")
    checks.same_length(X, y, who)
    epochs = checks.integer(epochs, "epochs", who, low=1, example=100)
    if batch_size is not None:
        batch_size = checks.integer(batch_size, "batch_size", who, low=1, example=32)
    seed = checks.seed(seed, who)
    progress = checks.flag(progress, "progress", who)
    if validation is not None:
        validation = _validation_set(validation, _width(X))
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(f"{who}: optimizer must be an nn.optim optimizer (e.g. "
                        f"nn.optim.Adam(model.parameters())), got {type(optimizer).__name__}")
    if scheduler is not None and not callable(getattr(scheduler, "step", None)):
        raise TypeError(f"{who}: scheduler must be an nn.schedulers scheduler, got "
                        f"{type(scheduler).__name__}")
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise TypeError(f"{who}: early_stopping must be an nn.EarlyStopping, got "
                        f"{type(early_stopping).__name__}")
    for name, fn in (("penalty", penalty), ("decision", decision)):
        if fn is not None and not callable(fn):
            raise TypeError(f"{who}: {name} must be a function or None, got "
                            f"{type(fn).__name__}")
    try:
        loss = losses.get(loss)
    except ValueError as exc:
        raise ValueError(f"{who}: {exc}") from None
    optimizer = optimizer or Adam(model.parameters(), lr=0.01)
    model_ids = set(map(id, model.parameters()))
    if not any(id(p) in model_ids for p in getattr(optimizer, "params", ())):
        raise ValueError(
            f"fit: the optimizer updates none of this {type(model).__name__}'s parameters, so "
            "training would change nothing; build it from this model: "
            "optimizer=nn.optim.Adam(model.parameters(), lr=...)"
        )
    batch_size = batch_size or len(X)
    rng = random.Random(seed)
    history = History()
    model.train()
    trainer = make_engine(engine, model, loss, optimizer, X, y, penalty=penalty, who=who)
    score = _Scorer(decision, loss, y)
    val_data = None
    if validation is not None:
        val_data = trainer.prepare(*validation), _Scorer(decision, loss, validation[1])
    bar = _progress(range(epochs), progress)
    try:
        for epoch in bar:
            total, correct = 0.0, 0
            for number, index in enumerate(batch_indices(len(X), batch_size,
                                                         shuffle=batch_size < len(X),
                                                         seed=rng), 1):
                try:
                    total += trainer.step(index) * len(index)
                except ArithmeticError as exc:  # FloatingPointError, Overflow, ZeroDivision
                    raise FloatingPointError(
                        f"fit: training diverged at epoch {epoch + 1} of {epochs}, batch "
                        f"{number}: {str(exc).rstrip('.')}. Lower the learning rate (now "
                        f"{optimizer.lr!r}), standardize the inputs (nn.data.Standardizer), "
                        "or clip gradients (nn.optim.clip_grad_norm)"
                    ) from exc
                if score.enabled:
                    correct += score.correct(trainer.batch_outputs(), index)
            _record_epoch(history, trainer, optimizer, total / len(X),
                          correct / len(X) if score.enabled else None, val_data)
            monitored = history.val_loss[-1] if validation else history.train_loss[-1]
            if progress:
                bar.set_postfix(loss=f"{history.train_loss[-1]:.4f}")
            if scheduler is not None:
                if isinstance(scheduler, ReduceLROnPlateau):
                    scheduler.step(monitored)
                else:
                    scheduler.step()
            if early_stopping is not None:
                trainer.sync(optimizer=False)  # it may save the model's weights
                if early_stopping.step(monitored, model):
                    history.stopped_early = True
                    break
    finally:
        trainer.sync()
    if early_stopping is not None:
        early_stopping.restore(model)
        history.best_epoch = early_stopping.best_epoch
    return history


class _Scorer:
    """Counts correct decisions among a batch of outputs against the targets ``y``: the
    loss record's ``decide`` on arrays, or a ``decision(output)`` of one's own per sample
    (given Values, as ``predict`` gives them)."""

    def __init__(self, decision: Callable[[Any], Any] | None, loss: Loss, y: list) -> None:
        self.decision, self.y = decision, y
        self.decide = loss.decide if decision is None else None  # on arrays, when it decides
        self.enabled = decision is not None or self.decide is not None
        self.truth = np.asarray(y) if self.decide is not None else None

    def correct(self, outputs: np.ndarray, index: Sequence[int] | None = None) -> int:
        """How many of ``outputs`` (the samples ``index`` of y, default all) are decided
        right."""
        if self.decide is not None and self.truth is not None:
            truth = self.truth if index is None else self.truth[index]
            labels = self.decide(np.asarray(outputs, dtype=float))
            if labels.shape != truth.shape and labels.size == truth.size:
                labels = labels.reshape(truth.shape)  # one output given as a list of one
            right = labels == truth
            return int(np.count_nonzero(right.all(axis=1) if right.ndim > 1 else right))
        if self.decision is None:  # neither a decision nor a loss that decides: not enabled
            return 0
        targets = self.y if index is None else [self.y[i] for i in index]
        constants = [[autograd.constant(v) for v in row] if isinstance(row, list)
                     else autograd.constant(row) for row in outputs.tolist()]
        return sum(self.decision(out) == t for out, t in zip(constants, targets))


def _record_epoch(history: History, trainer: Engine, optimizer: Optimizer,
                  train_loss: float, train_accuracy: float | None,
                  validation: tuple[Any, _Scorer] | None) -> None:
    history.train_loss.append(train_loss)
    history.lr.append(optimizer.lr)
    if train_accuracy is not None:
        history.train_accuracy.append(train_accuracy)
    if validation is not None:
        data, score = validation
        val_loss, outputs = trainer.evaluate(data)
        history.val_loss.append(val_loss)
        if score.enabled:
            history.val_accuracy.append(score.correct(outputs) / len(outputs))


def _width(X: Sequence | np.ndarray) -> int | None:
    """Features per sample (``None`` for one number per sample)."""
    if isinstance(X, np.ndarray):
        return X.shape[1] if X.ndim == 2 else None
    return len(X[0]) if isinstance(X[0], list) else None


def _validation_set(validation: object, width: int | None) -> tuple[list, list]:
    """``(X_val, y_val)`` checked like the training set, with as many features."""
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise ValueError(f"fit: validation must be a pair (X_val, y_val), got "
                         f"{type(validation).__name__}")
    X_val = checks.samples(validation[0], "fit", "validation X")
    y_val = checks.targets(validation[1], "fit", "validation y")
    checks.same_length(X_val, y_val, "fit", ("validation X", "validation y"))
    val_width = len(X_val[0]) if isinstance(X_val[0], list) else None
    if val_width != width:
        raise ValueError(f"fit: validation X has {val_width} features per sample but X has "
                         f"{width}; both must come from the same features")
    return X_val, y_val


def _progress(iterable, enabled: bool):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc="training", unit="epoch")
