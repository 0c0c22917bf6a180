"""Optimizers with PyTorch's update rules and defaults, plus gradient clipping.

Each ``step()`` reads ``p.grad`` and changes ``p.data`` directly — never through the graph,
so the graph does not grow across training steps.

Each update rule (``_update``) is written once and runs on one parameter's floats or on
numpy arrays holding every parameter at once: :meth:`Optimizer.step_arrays` is the same
step for the replay engine, which keeps the parameters as one vector while it trains.

Nothing silent: hyper-parameters are checked when the optimizer is built
(:class:`nn.checks.InvalidParameterError`, a ``ValueError`` naming the argument), and a
``step()`` that meets a NaN or infinite gradient — or would make a weight or a running
average non-finite — raises ``FloatingPointError`` naming the parameter's label, leaving
the weights as they were. Where PyTorch would compute ``0/0`` (a zero gradient with
``eps=0``), the step is 0: a parameter whose gradient has always been zero does not move.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import chain
from typing import Any, TypeVar

import numpy as np

from autograd import Value

from . import checks
from .checks import InvalidParameterError

# What an update rule runs on: one parameter's float (``step``) or an array holding every
# parameter at once (``step_arrays``); the rule returns the same kind it was given.
Floats = TypeVar("Floats", float, np.ndarray)


class Optimizer:
    """Base class: holds the parameters, the hyper-parameters and per-parameter state.

    Attributes:
        params: the Values being optimized.
        lr: the learning rate (schedulers change it).
        state: per-parameter buffers, one dict per parameter (e.g. momentum).

    Raises (``step``):
        FloatingPointError: a gradient is NaN or ±inf, or the update would make a weight or
            a running average non-finite; the message names the parameter, and no weight
            is changed.
    """

    def __init__(self, params: Iterable[Value], **hyper: Any) -> None:
        who = type(self).__name__
        if not isinstance(params, Iterable) or isinstance(params, Value):
            raise TypeError(f"{who}: params must be an iterable of Values, got "
                            f"{type(params).__name__}; pass model.parameters()")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{who}: got an empty parameter list; pass model.parameters()")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"{who}: parameters must be Values, got "
                                f"{type(p).__name__}; pass model.parameters()")
        self.lr = checks.real(hyper.pop("lr"), "lr", who, low=0, example=0.01)
        self.weight_decay = checks.real(hyper.pop("weight_decay"), "weight_decay", who,
                                        low=0, example=0.0)
        for name, value in hyper.items():
            setattr(self, name, value)
        self._hyper_names = ("lr", "weight_decay", *hyper)  # stored once: what state_dict saves
        self.state: list[dict[str, float]] = [{} for _ in self.params]
        self.steps = 0

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0 (call before each ``backward()``)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its ``.grad``.

        Raises:
            FloatingPointError: a gradient is not finite, or an update or a running
                average would not be (see the class docs); the weights stay unchanged.
        """
        grads = [p.grad if p.grad.__class__ is float else _grad(p) for p in self.params]
        if not math.isfinite(sum(grads)):  # one C-level pass (NaN and ±inf survive a sum)
            for i, g in enumerate(grads):
                if not math.isfinite(g):
                    raise FloatingPointError(
                        f"{type(self).__name__}.step: the gradient of "
                        f"{_name(self.params[i], i)} is {g}, so the step would poison the "
                        "weights. Find where it came from with autograd.detect_anomaly(); "
                        "lower the learning rate, standardize the inputs or clip gradients "
                        "(nn.optim.clip_grad_norm)"
                    )
        self.steps += 1
        updated = []
        for i, (p, g, state) in enumerate(zip(self.params, grads, self.state)):
            try:
                updated.append(self._update(p.data, g, state))
            except ZeroDivisionError:
                raise FloatingPointError(
                    f"{type(self).__name__}.step: the update of {_name(p, i)} divides its "
                    f"gradient {g!r} by 0 (eps=0 and the squared gradient underflowed); use "
                    "eps > 0, e.g. the default"
                ) from None
        # One C-level pass over the new weights and the running averages (a sum of finite
        # numbers overflows only near 1e308: then the per-parameter search finds nothing).
        if not (math.isfinite(sum(updated))
                and math.isfinite(sum(chain.from_iterable(map(dict.values, self.state))))):
            for i, (p, g, new, state) in enumerate(zip(self.params, grads, updated,
                                                        self.state)):
                if not math.isfinite(new) or not all(map(math.isfinite, state.values())):
                    raise FloatingPointError(
                        f"{type(self).__name__}.step: updating {_name(p, i)} (gradient "
                        f"{g!r}) overflowed to a non-finite value; lower the learning rate "
                        f"(lr={self.lr!r}) or clip gradients (nn.optim.clip_grad_norm)"
                    )
        for p, new in zip(self.params, updated):
            p.data = new

    def _update(self, data: Floats, grad: Floats, state: dict) -> Floats:
        """The update rule: the new ``data`` from its gradient and its ``state`` (running
        averages, updated in place), for one float or for arrays element by element."""
        raise NotImplementedError

    def array_state(self) -> dict[str, np.ndarray]:
        """The per-parameter state as arrays, one entry per buffer every parameter has (for
        :meth:`step_arrays`)."""
        keys = set(self.state[0]) if self.state else set()
        for s in self.state:
            keys &= set(s)
        return {k: np.array([s[k] for s in self.state], dtype=float) for k in sorted(keys)}

    def load_array_state(self, state: dict[str, np.ndarray]) -> None:
        """Write arrays from :meth:`step_arrays` back into the per-parameter state."""
        columns = {k: v.tolist() for k, v in state.items()}
        for i, s in enumerate(self.state):
            for k, values in columns.items():
                s[k] = values[i]

    def step_arrays(self, theta: np.ndarray, grad: np.ndarray,
                    state: dict[str, np.ndarray]) -> np.ndarray:
        """:meth:`step` on arrays: θ (every parameter's data), its gradient and the state of
        :meth:`array_state` (updated in place). Returns the new θ; the same formulas as
        ``step``, element by element.

        Raises:
            FloatingPointError: as ``step`` (the parameter named; θ and the state unchanged).
        """
        if not np.isfinite(grad).all():
            i = int(np.flatnonzero(~np.isfinite(grad))[0])
            raise FloatingPointError(
                f"{type(self).__name__}.step: the gradient of {_name(self.params[i], i)} is "
                f"{grad[i]}, so the step would poison the weights. Lower the learning rate, "
                "standardize the inputs or clip gradients (nn.optim.clip_grad_norm)")
        self.steps += 1
        new_state = dict(state)
        with np.errstate(all="ignore"):
            updated = self._update(theta, grad, new_state)
        bad = ~np.isfinite(updated)
        for v in new_state.values():
            bad |= ~np.isfinite(v)
        if bad.any():
            self.steps -= 1
            i = int(np.flatnonzero(bad)[0])
            raise FloatingPointError(
                f"{type(self).__name__}.step: updating {_name(self.params[i], i)} (gradient "
                f"{grad[i]!r}) overflowed to a non-finite value; lower the learning rate "
                f"(lr={self.lr!r}) or clip gradients (nn.optim.clip_grad_norm)")
        state.update(new_state)
        return updated

    def hyperparameters(self) -> dict[str, Any]:
        """The current hyper-parameters (``lr`` included)."""
        return {name: getattr(self, name) for name in self._hyper_names}

    def state_dict(self) -> dict[str, Any]:
        """Hyper-parameters, step count and per-parameter state (JSON-ready)."""
        return {"hyperparameters": self.hyperparameters(), "steps": self.steps,
                "state": [dict(s) for s in self.state]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (same number of parameters).

        Raises:
            ValueError: the state is for another number of parameters, or its
                hyper-parameters are not valid for this optimizer (checked as the
                constructor checks them).
        """
        who = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, dict) or len(state.get("state", ())) != len(self.params):
            count = len(state.get("state", ())) if isinstance(state, dict) else "no"
            raise ValueError(f"{who}: the state has {count} parameters, this optimizer "
                             f"{len(self.params)}")
        hyper = state["hyperparameters"]
        try:
            checked = type(self)(self.params, **hyper)  # the constructor's checks
        except TypeError as exc:
            if isinstance(exc, InvalidParameterError):
                raise
            raise ValueError(f"{who}: hyper-parameters {sorted(hyper)} do not fit "
                             f"{type(self).__name__} ({exc})") from None
        for name in self._hyper_names:
            setattr(self, name, getattr(checked, name))
        self.steps = checks.integer(state["steps"], "steps", who, low=0)
        self.state = [dict(s) for s in state["state"]]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({len(self.params)} parameters, {args})"


def _grad(p: Value) -> float:
    g = p.grad
    return g.data if isinstance(g, Value) else g


def _name(p: Value, index: int) -> str:
    return repr(p.label) if p.label else f"parameter {index} (unlabelled)"


def _ratio(numerator, denominator):
    """``numerator / denominator``, with ``0/0 = 0``: a zero moment gives a zero step
    (floats, or arrays element by element)."""
    if isinstance(numerator, np.ndarray):
        return np.divide(numerator, denominator, out=np.zeros_like(numerator),
                         where=numerator != 0)
    return numerator / denominator if numerator else 0.0


def _sqrt(x):
    """√x of a float or of an array."""
    return np.sqrt(x) if isinstance(x, np.ndarray) else math.sqrt(x)


def _maximum(a, b):
    """max(a, b) of floats, or element by element of arrays."""
    return np.maximum(a, b) if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) \
        else max(a, b)


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay.

    PyTorch's rule: ``g ← ∇ + λp``; with momentum ``b ← μb + (1−τ)g`` (``b ← g`` at the first
    step) and ``g ← g + μb`` (Nesterov) or ``g ← b``; then ``p ← p − lr·g``.
    """

    momentum: float  # the hyper-parameters, set by Optimizer.__init__
    dampening: float
    nesterov: bool

    def __init__(self, params: Iterable[Value], lr: float = 0.01, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        momentum = checks.real(momentum, "momentum", "SGD", low=0, high=1, example=0.9)
        dampening = checks.real(dampening, "dampening", "SGD", low=0, high=1)
        nesterov = checks.flag(nesterov, "nesterov", "SGD")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise InvalidParameterError(
                f"SGD: Nesterov momentum needs momentum > 0 and dampening = 0, got "
                f"momentum={momentum!r}, dampening={dampening!r}; e.g. momentum=0.9")
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening,
                         nesterov=nesterov, weight_decay=weight_decay)

    def _update(self, data: Floats, grad: Floats, state: dict) -> Floats:
        g = grad + self.weight_decay * data if self.weight_decay else grad
        if self.momentum:
            if "momentum_buffer" in state:
                buf = self.momentum * state["momentum_buffer"] + (1 - self.dampening) * g
            else:
                buf = g
            state["momentum_buffer"] = buf
            g = g + self.momentum * buf if self.nesterov else buf
        return data - self.lr * g


class Adagrad(Optimizer):
    """Adagrad: ``s ← s + g²``, ``p ← p − lr_t·g / (√s + ε)``, ``lr_t = lr / (1 + (t−1)·decay)``.

    With ``eps=0``, a gradient that has always been 0 gives a step of 0 (not 0/0).
    """

    lr_decay: float  # the hyper-parameters, set by Optimizer.__init__
    initial_accumulator_value: float
    eps: float

    def __init__(self, params: Iterable[Value], lr: float = 0.01, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10) -> None:
        lr_decay = checks.real(lr_decay, "lr_decay", "Adagrad", low=0)
        initial_accumulator_value = checks.real(
            initial_accumulator_value, "initial_accumulator_value", "Adagrad", low=0)
        eps = checks.real(eps, "eps", "Adagrad", low=0, example=1e-10)
        super().__init__(params, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps)

    def _update(self, data: Floats, grad: Floats, state: dict) -> Floats:
        g = grad + self.weight_decay * data if self.weight_decay else grad
        clr = self.lr / (1 + (self.steps - 1) * self.lr_decay)
        total = state.get("sum", self.initial_accumulator_value) + g * g
        state["sum"] = total
        return data - clr * _ratio(g, _sqrt(total) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: ``v ← αv + (1−α)g²``; step ``g / (√v + ε)`` (centered: ``√(v − ḡ²)``),
    optionally through a momentum buffer — PyTorch's rule and defaults.

    Centered, ``v − ḡ²`` is a variance (never negative in exact arithmetic): when rounding
    makes it slightly negative it counts as 0, where PyTorch's ``sqrt`` would give NaN. With
    ``eps=0``, a gradient that has always been 0 gives a step of 0.
    """

    alpha: float  # the hyper-parameters, set by Optimizer.__init__
    eps: float
    momentum: float
    centered: bool

    def __init__(self, params: Iterable[Value], lr: float = 0.01, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        alpha = checks.real(alpha, "alpha", "RMSprop", low=0, high=1, example=0.99)
        eps = checks.real(eps, "eps", "RMSprop", low=0, example=1e-8)
        momentum = checks.real(momentum, "momentum", "RMSprop", low=0, high=1,
                               example=0.9)
        centered = checks.flag(centered, "centered", "RMSprop")
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered)

    def _update(self, data: Floats, grad: Floats, state: dict) -> Floats:
        g = grad + self.weight_decay * data if self.weight_decay else grad
        square_avg = self.alpha * state.get("square_avg", 0.0) + (1 - self.alpha) * g * g
        state["square_avg"] = square_avg
        if self.centered:
            grad_avg = self.alpha * state.get("grad_avg", 0.0) + (1 - self.alpha) * g
            state["grad_avg"] = grad_avg
            avg = _sqrt(_maximum(square_avg - grad_avg * grad_avg, 0.0)) + self.eps
        else:
            avg = _sqrt(square_avg) + self.eps
        if self.momentum > 0:
            buf = self.momentum * state.get("momentum_buffer", 0.0) + _ratio(g, avg)
            state["momentum_buffer"] = buf
            return data - self.lr * buf
        return data - self.lr * _ratio(g, avg)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) as PyTorch computes it:
    ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²``,
    ``p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)``; ``amsgrad`` uses max(v) so far;
    ``weight_decay`` adds λp to the gradient (L2, unlike AdamW).

    With ``eps=0``, a zero first moment ``m`` gives a step of 0 (PyTorch: 0/0 = NaN).
    """

    decoupled = False
    betas: tuple[float, float]  # the hyper-parameters, set by Optimizer.__init__
    eps: float
    amsgrad: bool

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        who = type(self).__name__
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            checks.fail(who, "betas", "a pair (beta1, beta2), each in [0, 1)", betas,
                            (0.9, 0.999))
        betas = (checks.real(betas[0], "betas[0]", who, low=0, high=1, high_open=True,
                             example=0.9),
                 checks.real(betas[1], "betas[1]", who, low=0, high=1, high_open=True,
                             example=0.999))
        eps = checks.real(eps, "eps", who, low=0, example=1e-8)
        amsgrad = checks.flag(amsgrad, "amsgrad", who)
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)

    def _update(self, data: Floats, grad: Floats, state: dict) -> Floats:
        beta1, beta2 = self.betas
        if self.weight_decay:
            if self.decoupled:
                data = data * (1 - self.lr * self.weight_decay)
            else:
                grad = grad + self.weight_decay * data
        m = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * grad
        v = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * grad * grad
        state["exp_avg"], state["exp_avg_sq"] = m, v
        if self.amsgrad:
            v = _maximum(state.get("max_exp_avg_sq", 0.0), v)
            state["max_exp_avg_sq"] = v
        t = self.steps
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        denom = _sqrt(v) / math.sqrt(bias_correction2) + self.eps
        return data - self.lr / bias_correction1 * _ratio(m, denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): ``p ← p·(1 − lr·λ)``
    before the Adam step; PyTorch's default ``weight_decay=0.01``."""

    decoupled = True

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


def _checked_grads(params: list, who: str) -> list[float]:
    grads = []
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"{who}: parameters must be Values, got {type(p).__name__}; pass "
                            "model.parameters()")
        g = _grad(p)
        if not math.isfinite(g):
            raise FloatingPointError(f"{who}: the gradient of {_name(p, i)} is {g}; clipping "
                                     "cannot repair a NaN or infinite gradient. Find where it "
                                     "came from with autograd.detect_anomaly()")
        grads.append(g)
    return grads


def clip_grad_value(params: Iterable[Value], clip_value: float) -> None:
    """Clamp every gradient into ``[−clip_value, clip_value]`` (``clip_grad_value_``).

    Raises:
        InvalidParameterError: ``clip_value`` is not a finite number ≥ 0.
        FloatingPointError: a gradient is NaN or ±inf (named).
    """
    clip_value = checks.real(clip_value, "clip_value", "clip_grad_value", low=0,
                             example=1.0)
    params = list(params)
    for p, g in zip(params, _checked_grads(params, "clip_grad_value")):
        p.grad = min(max(g, -clip_value), clip_value)


def clip_grad_norm(params: Iterable[Value], max_norm: float,
                   norm_type: float = 2.0) -> float:
    """Scale all gradients together so their ``norm_type``-norm is at most ``max_norm``.

    As ``torch.nn.utils.clip_grad_norm_``: ``‖g‖_p = (Σ|gᵢ|ᵖ)^(1/p)`` (``p = inf``: the max
    |gᵢ|), then every gradient is multiplied by ``max_norm / (‖g‖ + 1e-6)`` when that is
    below 1. The sum is taken as ``m·(Σ(|gᵢ|/m)ᵖ)^(1/p)`` with ``m = max|gᵢ|``, so large
    gradients do not overflow.

    Returns:
        The total norm *before* clipping.
    Raises:
        InvalidParameterError: ``max_norm`` not a finite number ≥ 0, or ``norm_type`` not a
            number > 0 (``math.inf`` allowed).
        FloatingPointError: a gradient is NaN or ±inf (named).
    """
    who = "clip_grad_norm"
    max_norm = checks.real(max_norm, "max_norm", who, low=0, example=1.0)
    if norm_type != math.inf:
        norm_type = checks.real(norm_type, "norm_type", who, low=0, low_open=True,
                                example=2.0)
    params = list(params)
    grads = [abs(g) for g in _checked_grads(params, who)]
    if not grads:
        return 0.0
    largest = max(grads)
    if norm_type == math.inf or largest == 0.0:
        total = largest
    else:
        total = largest * sum((g / largest) ** norm_type for g in grads) ** (1.0 / norm_type)
    coefficient = max_norm / (total + 1e-6)
    if coefficient < 1:
        for p in params:
            p.grad = _grad(p) * coefficient
    return total
