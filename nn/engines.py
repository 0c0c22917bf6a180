"""How a training loop takes its steps: two engines with the same few methods, chosen once.

* :class:`ScalarEngine` builds every sample's graph of Values and calls ``backward()`` — what
  you draw and step through.
* :class:`nn.replay.ReplayEngine` records one sample's graph and replays it over each batch
  with numpy — the same losses, gradients and updates, hundreds of times faster.

Both have::

    step(index, penalty_scale=1.0) -> float   one optimizer step on the samples `index`;
                                              returns the batch loss L
    batch_outputs() -> array                  the model's outputs in that step, (B,) or (B, k)
    prepare(X, y) -> data                     a dataset, checked once, for evaluate
    evaluate(data) -> (loss, outputs)         mean loss and outputs, eval mode, no penalty
    sync()                                    the model's Values (and the optimizer's state)
                                              made current

``nn.fit`` and the estimators write their loops once over these methods.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

import autograd
from autograd import Value

from . import losses
from .losses import Loss
from .module import Module
from .optim import Optimizer
from .replay import ReplayEngine, check_engine


def outputs_in_eval_mode(model: Module, X: Sequence | np.ndarray) -> list:
    """The model's outputs for every sample, in eval mode (restored after) and without a
    graph."""
    was_training = model.training
    model.eval()
    try:
        with autograd.no_grad():
            return [model(x) for x in X]
    finally:
        model.train(was_training)


def as_array(outputs: Sequence) -> np.ndarray:
    """Model outputs (Values, or lists of Values) as an array: ``(N,)`` or ``(N, k)``."""
    return np.array([[v.data for v in out] if isinstance(out, list) else out.data
                     for out in outputs], dtype=float)


class ScalarEngine:
    """Training on the scalar engine: each step builds the batch's graph and back-propagates.

    Args:
        model, loss, optimizer, X, y, penalty, who: as :class:`nn.replay.ReplayEngine`.
    """

    name = "scalar"

    def __init__(self, model: Module, loss: Loss | str | Callable, optimizer: Optimizer,
                 X: Sequence | np.ndarray, y: Sequence, *,
                 penalty: Callable[[Module], Value] | None = None, who: str = "fit") -> None:
        self.model, self.optimizer, self.who = model, optimizer, who
        self.loss = losses.get(loss)
        self.X, self.y, self.penalty = X, y, penalty
        self._outputs: list = []

    def step(self, index: Sequence[int], *, penalty_scale: float = 1.0) -> float:
        """One optimizer step on the samples ``index``: ``L = loss(outputs, targets)
        (+ c·penalty(model))``, ``L.backward()``, ``optimizer.step()``. Returns L.

        Raises:
            TypeError: the loss or the penalty does not return a Value.
            FloatingPointError: the loss is not finite (or the optimizer's step fails).
        """
        X, y = self.X, self.y
        self.optimizer.zero_grad()
        self._outputs = outputs = [self.model(X[i]) for i in index]
        batch_loss = self.loss(outputs, [y[i] for i in index])
        if not isinstance(batch_loss, Value):
            raise TypeError(f"{self.who}: the loss must return one autograd.Value (its graph "
                            f"is what backward() follows), got {type(batch_loss).__name__}")
        if self.penalty is not None:
            extra = self.penalty(self.model)
            if not isinstance(extra, Value):
                raise TypeError(f"{self.who}: penalty(model) must return a Value (e.g. 1e-4 * "
                                f"nn.l2_penalty(model.parameters())), got "
                                f"{type(extra).__name__}")
            batch_loss = batch_loss + (extra if penalty_scale == 1.0 else extra * penalty_scale)
        if not math.isfinite(batch_loss.data):
            raise FloatingPointError(f"the loss became {batch_loss.data}")
        batch_loss.backward()
        self.optimizer.step()
        return batch_loss.data

    def batch_outputs(self) -> np.ndarray:
        """The model's outputs in the last step (before its update): ``(B,)`` or ``(B, k)``."""
        return as_array(self._outputs)

    def prepare(self, X: Sequence, y: Sequence) -> tuple[Sequence, Sequence]:
        """A dataset in the form :meth:`evaluate` takes (here: as it is)."""
        return X, y

    def evaluate(self, data: tuple[Sequence, Sequence]) -> tuple[float, np.ndarray]:
        """``(mean loss, outputs)`` on a dataset, in eval mode and without a graph."""
        X, y = data
        outputs = outputs_in_eval_mode(self.model, X)
        with autograd.no_grad():
            value = self.loss(outputs, y).data
        return value, as_array(outputs)

    def sync(self, *, optimizer: bool = True) -> None:
        """Nothing to do: the scalar engine trains the Values themselves."""


def make_engine(engine: str, model: Module, loss: Loss, optimizer: Optimizer,
                X: Sequence | np.ndarray, y: Sequence, *,
                penalty: Callable[[Module], Value] | None = None,
                who: str = "fit") -> ScalarEngine | ReplayEngine:
    """The engine named ``engine`` (``"scalar"`` or ``"replay"``), checked for the model and,
    for a loss given as a function, for :mod:`nn.losses`'s calling convention.

    Raises:
        ValueError: an unknown engine, a model replay cannot run (the module named), or a
            loss function that does not average over its samples (replay only).
        TypeError: a loss function that does not take ``(outputs, targets)`` lists and
            return a Value.
    """
    check_engine(engine, model, who)
    loss = losses.get(loss)
    replay = engine == "replay"
    calls = call_as_batch(loss, model, X, y, who, replay=replay) if loss.custom else None
    trainer = (ReplayEngine if replay else ScalarEngine)(model, loss, optimizer, X, y,
                                                         penalty=penalty, who=who)
    if calls is not None and replay:  # after the trace: a graph that depends on the data
        check_mean(loss, *calls, who)  # is named first
    return trainer


Engine = ScalarEngine | ReplayEngine


def call_as_batch(loss: Loss, model: Module, X: Sequence | np.ndarray, y: Sequence, who: str, *,
                  replay: bool) -> tuple[Value, list[Value]] | None:
    """Call a loss given as a function on the first samples (eval mode, no graph) as the
    training will — ``loss(outputs, targets)``, the targets as Values for replay — and, for
    replay, on each of those samples alone.

    Returns:
        ``(the batch's value, the one-sample values)``, or ``None`` when the call meets an
        arithmetic error (the training reports it, with the epoch and batch).
    Raises:
        TypeError: the call fails with a TypeError, or returns something else than a Value.
    """
    n = min(len(X), 3)
    outputs = outputs_in_eval_mode(model, X[:n])
    targets = list(y[:n])
    if replay:
        targets = [[autograd.constant(v) for v in t] if isinstance(t, list)
                   else autograd.constant(t) for t in targets]
    fn = loss.batch_function
    if fn is None:
        raise ValueError(f"{who}: call_as_batch is for a loss given as a function, got the "
                         f"built-in loss {loss.name!r}")
    try:
        with autograd.no_grad():
            whole = fn(outputs, targets)
            alone = [fn([o], [t]) for o, t in zip(outputs, targets)] if replay else []
    except TypeError as exc:
        raise TypeError(f"{who}: the loss {loss.name} must take a batch, loss(outputs, "
                        "targets) -> Value, with outputs a list (one model output per sample) "
                        f"and targets a list; called on the first {n} samples it raised "
                        f"TypeError: {exc}") from exc
    except ArithmeticError:
        return None
    for result in (whole, *alone):
        if not isinstance(result, Value):
            raise TypeError(f"{who}: the loss must return one autograd.Value (its graph is "
                            f"what backward() follows), got {type(result).__name__}")
    return whole, alone


def check_mean(loss: Loss, whole: Value, alone: list[Value], who: str) -> None:
    """The replay engine averages the one-sample losses it traces, so a loss function must
    be the mean of its one-sample values, ``L = (1/n) Σᵢ loss([ŷᵢ], [yᵢ])``.

    Raises:
        ValueError: it is not (e.g. a sum), on the samples :func:`call_as_batch` tried.
    """
    n = len(alone)
    if n < 2 or not math.isfinite(whole.data):
        return
    average = sum(v.data for v in alone) / n
    if not math.isclose(whole.data, average, rel_tol=1e-9, abs_tol=1e-12):
        raise ValueError(
            f"{who}: engine='replay' needs a loss that averages over its samples, "
            f"loss(outputs, targets) = (1/N) Σᵢ loss([outputᵢ], [targetᵢ]); {loss.name} "
            f"gives {whole.data!r} on the first {n} samples where the mean of their "
            f"one-sample values is {average!r} (a sum? divide it by len(outputs)). Or use "
            "engine='scalar'")
