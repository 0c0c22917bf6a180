"""Training with the replay engine: one sample's graph, recorded once, run over each batch.

``fit(..., engine="replay")`` and the estimators train with :class:`ReplayEngine`. It traces
the loss of one sample (``autograd.trace`` of :meth:`nn.losses.Loss.per_sample`), keeps the
parameters as one vector θ and the optimizer's running averages as arrays while it trains,
and steps the optimizer on arrays (``Optimizer.step_arrays``: the same update rules), so a
step costs a few dozen numpy calls instead of a Python loop over every node and weight. The
model's ``Value``s get their ``.data`` (and the last step's ``.grad``) back, and the optimizer
its state, with :meth:`ReplayEngine.sync` — at the end of ``fit`` (also when it fails), and
before anything reads the model during training (early stopping's saved weights).

Models whose graph differs from sample to sample cannot be replayed: :func:`blockers` names
the modules (Dropout draws a new mask per sample; BatchNorm couples the samples of a batch).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

import autograd
from autograd import Value

from . import losses
from .layers import BatchNorm, Dropout
from .losses import Loss
from .module import Module
from .optim import Optimizer

ENGINES = ("scalar", "replay")


def blockers(model: Module) -> list[str]:
    """The modules of ``model`` that make its per-sample graph change between samples, as
    ``"name (reason)"``: a Dropout with p > 0 in training mode, any BatchNorm."""
    found = []

    def walk(module: Module, prefix: str) -> None:
        if isinstance(module, Dropout) and module.p > 0 and module.training:
            found.append(f"{prefix or 'the model'} (Dropout p={module.p}: a new random mask "
                         "per sample)")
        elif isinstance(module, BatchNorm):
            found.append(f"{prefix or 'the model'} (BatchNorm: normalises with the statistics "
                         "of the whole batch)")
        for name, child in module.children():
            walk(child, f"{prefix}.{name}" if prefix else name)

    walk(model, "")
    return found


def check_engine(engine: object, model: Module, who: str) -> str:
    """``engine`` checked to be ``"scalar"`` or ``"replay"``; ``"replay"`` with a model that
    cannot be replayed raises a ValueError naming the module."""
    if engine not in ENGINES:
        raise ValueError(f"{who}: engine must be 'scalar' or 'replay', got {engine!r}")
    if engine == "replay":
        found = blockers(model)
        if found:
            raise ValueError(f"{who}: engine='replay' records one sample's graph and replays it "
                             f"for every sample, which {', '.join(found)} does not allow; use "
                             "engine='scalar' for this model")
    return engine


class _Traced:
    """A replay of one sample's loss and where its forward pass leaves the model's outputs."""

    def __init__(self, plan: autograd.Replay, outputs: Value | list) -> None:
        self.plan = plan
        self.single = not isinstance(outputs, list)
        # Rows of the replay's node values holding the model's outputs: the batch's outputs
        # are then read off the forward pass the step ran anyway (a run's ``values``;
        # ``where`` maps a node to its row).
        node = plan.where[id(plan.graph)][0]
        places = [plan.where.get(id(v)) for v in losses._items(outputs)]
        rows = [place[1] for place in places
                if place is not None and place[0] == node and isinstance(place[1], int)]
        self.rows = rows if len(rows) == len(places) else None

    def outputs_in(self, values: np.ndarray) -> np.ndarray | None:
        """The model's outputs in a run's node values (``ReplayRun.values``): ``(N,)`` or
        ``(N, k)``; ``None`` when they are not all rows of the replay."""
        if self.rows is None:
            return None
        return values[self.rows[0]].copy() if self.single else values[self.rows].T


class ReplayEngine:
    """A model, a loss and an optimizer, trained over batches of arrays (``fit``'s
    ``engine="replay"``; :class:`nn.engines.ScalarEngine` has the same methods).

    Args:
        model: the ``nn`` module (one sample in, its output(s) out).
        loss: a :class:`nn.losses.Loss`, a name, or a function ``loss(outputs, targets)``
            returning the batch's mean (traced with a batch of one, its targets as Values).
        optimizer: the ``nn.optim`` optimizer; parameters outside it stay fixed.
        X, y: the training samples and targets (the first ones serve as the example).
        penalty: a function of the model (e.g. an L2 term) added to every batch's loss.
        who: the caller's name, for error messages.
    Raises:
        ValueError: the model cannot be replayed, a target does not suit the loss, or the
            loss's graph depends on the data (``autograd.DataDependentGraphError``: the
            message says which node).
    """

    name = "replay"

    def __init__(self, model: Module, loss: Loss | str | Callable, optimizer: Optimizer,
                 X: Sequence | np.ndarray, y: Sequence, *,
                 penalty: Callable[[Module], Value] | None = None, who: str = "fit") -> None:
        check_engine("replay", model, who)
        self.model, self.optimizer, self.who = model, optimizer, who
        self.loss = losses.get(loss)
        self.X = np.asarray(X, dtype=float)
        own = {id(p) for p in optimizer.params}
        self.params = [*optimizer.params, *(p for p in model.parameters() if id(p) not in own)]
        self.trained = len(optimizer.params)
        first = model(self.X[0].tolist())
        self.n_outputs = len(first) if isinstance(first, list) else 1
        self.T = self.loss.encode(y, self.n_outputs, who)
        self.traced = self._trace()
        if len(self.X) > 1:  # sample 0 is the example: check the next one and the one whose
            # target differs most from its (another class), where a branch is likeliest
            far = np.abs(self.T - self.T[0]).reshape(len(self.T), -1).sum(axis=1).argmax()
            chosen = [1, int(far)] if far > 1 else [1]
            self.traced.plan.verify(self.X[chosen], self.T[chosen], samples=len(chosen))
        self.penalty_plan = None
        if penalty is not None:
            self.penalty_plan = autograd.trace(lambda _: penalty(model), 0.0, params=self.params)
        self._evaluation: _Traced | None = None
        self._outputs_plan: autograd.Replay | None = None
        self._index = np.arange(0)
        self._values: np.ndarray | None = None  # the last step's node values
        self.theta = self.traced.plan.parameter_vector()
        self.grad = np.zeros_like(self.theta)
        self.state = optimizer.array_state()

    def _trace(self) -> _Traced:
        seen = []

        def sample_loss(x, t):
            out = self.model(x)
            seen.append(out)
            return self.loss.per_sample(out, t)

        example_target = self.T[0].tolist() if self.T.ndim > 1 else float(self.T[0])
        try:
            plan = autograd.trace(sample_loss, self.X[0].tolist(), example_target,
                                  params=self.params)
        except (TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{self.who}: engine='replay' could not trace the loss of one "
                             f"sample ({exc}); a custom loss must be written with Value "
                             "operations and accept its targets as Values, else use "
                             "engine='scalar'") from exc
        return _Traced(plan, seen[0])

    # --- the engine's methods -------------------------------------------------------------
    def step(self, index: Sequence[int], *, penalty_scale: float = 1.0) -> float:
        """One optimizer step on the samples ``index``: ``L = (1/B) Σᵢ ℓᵢ (+ c·penalty)``,
        ``θ ← step(θ, ∇_θ L)``. Returns L.

        Raises:
            FloatingPointError: the loss or a gradient is not finite, or the update
                overflows; θ keeps the last good step.
        """
        self._index = chosen = np.asarray(index)
        run = self.traced.plan.run(self.theta, self.X[chosen], self.T[chosen], gradient=True)
        self._values = run.values
        value, grad = run.loss, run.gradient
        assert value is not None and grad is not None  # (a run with gradient=True has them)
        if self.penalty_plan is not None:
            extra, extra_grad = self.penalty_plan.value_and_gradient(self.theta, [0.0])
            value += penalty_scale * extra
            grad += penalty_scale * extra_grad
        if not math.isfinite(value):
            raise FloatingPointError(f"the loss became {value}")
        k = self.trained
        if k == len(self.theta):  # every parameter trained: no slices to copy
            self.theta = self.optimizer.step_arrays(self.theta, grad, self.state)
        else:
            self.theta[:k] = self.optimizer.step_arrays(self.theta[:k], grad[:k], self.state)
        self.grad = grad
        return value

    def batch_outputs(self) -> np.ndarray:
        """The model's outputs for the last step's samples, as that step's forward pass
        computed them (before its update): ``(B,)`` or ``(B, k)``."""
        outputs = None if self._values is None else self.traced.outputs_in(self._values)
        return self.outputs(self.X[self._index]) if outputs is None else outputs

    def prepare(self, X: Sequence, y: Sequence) -> tuple[np.ndarray, np.ndarray]:
        """A dataset in the form :meth:`evaluate` takes (arrays, the targets encoded)."""
        return np.asarray(X, dtype=float), self.loss.encode(y, self.n_outputs, self.who)

    def evaluate(self, data: tuple) -> tuple[float, np.ndarray]:
        """``(mean loss, outputs)`` over a prepared dataset, with the current θ, the model in
        eval mode and no penalty."""
        if self._evaluation is None:
            was_training = self.model.training
            self.model.eval()
            try:
                self._evaluation = self._trace()
            finally:
                self.model.train(was_training)
        X, T = data
        run = self._evaluation.plan.run(self.theta, X, T)
        per_sample = run.outputs
        outputs = self._evaluation.outputs_in(run.values)
        if outputs is None:
            outputs = self.outputs(X)
        return float(per_sample.mean()), outputs

    def outputs(self, X: Sequence | np.ndarray) -> np.ndarray:
        """The model's outputs for every sample of ``X`` in eval mode, with the current θ:
        ``(N,)`` for one output, ``(N, k)`` for k."""
        if self._outputs_plan is None:
            was_training = self.model.training
            self.model.eval()
            try:
                self._outputs_plan = autograd.trace(self.model, self.X[0].tolist(),
                                                    params=self.params)
            finally:
                self.model.train(was_training)
        return self._outputs_plan.outputs_of(self.theta, np.asarray(X, dtype=float))

    def sync(self, *, optimizer: bool = True) -> None:
        """Write θ into the parameters' ``.data`` and the last step's gradient into their
        ``.grad``; with ``optimizer``, the running averages into the optimizer's state."""
        for p, data, g in zip(self.params, self.theta.tolist(), self.grad.tolist()):
            p.data = data
            p.grad = g
        if optimizer:
            self.optimizer.load_array_state(self.state)
