"""Training with the replay engine: one sample's graph, recorded once, run over each batch.

``fit(..., engine="replay")`` and the estimators use :class:`ReplayTraining`. It traces the
loss of one sample (``autograd.trace``), keeps the parameters as one vector θ while it trains
and steps the optimizer on arrays (``Optimizer.step_arrays``: the same update rules), so a
step costs a few dozen numpy calls instead of a Python loop over every node and weight. The
model's ``Value``s get their ``.data`` (and the last step's ``.grad``) back with
:meth:`ReplayTraining.sync` — after every epoch, so callbacks, schedulers, early stopping and
drawings see the scalar model as it is.

Models whose graph differs from sample to sample cannot be replayed: :func:`blockers` names
the modules (Dropout draws a new mask per sample; BatchNorm couples the samples of a batch).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

import autograd
from autograd import Value

from . import losses
from .layers import BatchNorm, Dropout
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


class ReplayTraining:
    """A model, a loss and an optimizer, trained over batches of arrays.

    Args:
        model: the ``nn`` module (one sample in, its output(s) out).
        loss: a name from ``nn.losses`` (its one-sample form is traced), or a function
            ``loss(outputs, targets)`` that averages over the samples (traced with a batch
            of one, its targets as Values).
        optimizer: the ``nn.optim`` optimizer; parameters outside it stay fixed.
        X, y: the training samples and targets (the first ones serve as the example).
        per_sample: overrides the one-sample loss ``per_sample(output, target) -> Value``.
        penalty: a function of the model (e.g. an L2 term) added to every batch's loss.
        who: the caller's name, for error messages.
    Raises:
        ValueError: the model cannot be replayed, or the loss's graph depends on the data
            (``autograd.DataDependentGraphError``: the message says which node).
    """

    def __init__(self, model: Module, loss: str | Callable, optimizer: Optimizer,
                 X: Sequence, y: Sequence, *, per_sample: Callable | None = None,
                 penalty: Callable[[Module], Value] | None = None, who: str = "fit") -> None:
        check_engine("replay", model, who)
        self.model, self.optimizer = model, optimizer
        self.X = np.asarray(X, dtype=float)
        own = {id(p) for p in optimizer.params}
        self.params = [*optimizer.params, *(p for p in model.parameters() if id(p) not in own)]
        self.trained = len(optimizer.params)
        first = model(self.X[0].tolist())
        self.n_outputs = len(first) if isinstance(first, list) else 1
        self.encode = self._encoder(loss)
        fn = per_sample or losses.sample_loss(loss)
        if fn is None:
            def fn(output, target):
                return loss([output], [target])
        self.T = self.encode(y)
        example_target = self.T[0].tolist() if self.T.ndim > 1 else float(self.T[0])
        try:
            self.plan = autograd.trace(lambda x, t: fn(model(x), t), self.X[0].tolist(),
                                       example_target, params=self.params)
        except (TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{who}: engine='replay' could not trace the loss of one sample "
                             f"({exc}); a custom loss must be written with Value operations "
                             "and accept its targets as Values, else use engine='scalar'"
                             ) from exc
        self.plan.verify(self.X[:3], self.T[:3])
        self.penalty_plan = None
        if penalty is not None:
            self.penalty_plan = autograd.trace(lambda _: penalty(model), 0.0, params=self.params)
        self._outputs_plan = None
        self.theta = self.plan.parameter_vector()
        self.grad = np.zeros_like(self.theta)
        self.state = optimizer.array_state()

    def _encoder(self, loss) -> Callable[[Sequence], np.ndarray]:
        if loss == "cross_entropy":
            return lambda y: losses.one_hot(list(y), self.n_outputs)
        return lambda y: np.asarray(y, dtype=float)

    def step(self, index: Sequence[int], *, penalty_scale: float = 1.0) -> float:
        """One optimizer step on the samples ``index``: ``L = (1/B) Σᵢ ℓᵢ (+ c·penalty)``,
        ``θ ← step(θ, ∇_θ L)``. Returns L.

        Raises:
            FloatingPointError: the loss or a gradient is not finite, or the update
                overflows; θ keeps the last good step.
        """
        index = np.asarray(index)
        value, grad = self.plan.value_and_gradient(self.theta, self.X[index], self.T[index])
        if self.penalty_plan is not None:
            extra, extra_grad = self.penalty_plan.value_and_gradient(self.theta, [0.0])
            value += penalty_scale * extra
            grad += penalty_scale * extra_grad
        if not np.isfinite(value):
            raise FloatingPointError(f"the loss became {value}")
        k = self.trained
        self.theta[:k] = self.optimizer.step_arrays(self.theta[:k], grad[:k], self.state)
        self.grad = grad
        return value

    def sync(self) -> None:
        """Write θ into the parameters' ``.data``, the last step's gradient into ``.grad``
        and the optimizer's running averages into its state."""
        for p, data, g in zip(self.params, self.theta.tolist(), self.grad.tolist()):
            p.data = data
            p.grad = g
        self.optimizer.load_array_state(self.state)

    def outputs(self, X: Sequence) -> np.ndarray:
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

    def loss(self, X: Sequence, y: Sequence) -> float:
        """The mean loss over ``(X, y)`` with the current θ (no penalty)."""
        per_sample = self.plan.outputs_of(self.theta, np.asarray(X, dtype=float),
                                          self.encode(y))
        return float(per_sample.mean())
