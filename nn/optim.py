"""Optimisers with PyTorch's update rules and defaults, plus gradient clipping.

Each ``step()`` reads ``p.grad`` and changes ``p.data`` directly — never through the graph,
so the graph does not grow across training steps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, ClassVar

from autograd import Value


class Optimizer:
    """Base class: holds the parameters, the hyper-parameters and per-parameter state.

    Attributes:
        params: the Values being optimised.
        lr: the learning rate (schedulers change it).
        state: per-parameter buffers, one dict per parameter (e.g. momentum).
    """

    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, params: Iterable[Value], **hyper: Any) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list; pass "
                             "model.parameters()")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__}: parameters must be Values, got "
                                f"{type(p).__name__}")
        for name, value in hyper.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"{type(self).__name__}: {name} must be ≥ 0, got {value!r}")
            setattr(self, name, value)
        self.state: list[dict[str, float]] = [{} for _ in self.params]
        self.steps = 0

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0 (call before each ``backward()``)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its ``.grad``."""
        self.steps += 1
        for p, state in zip(self.params, self.state):
            p.data = self._update(p.data, _grad(p), state)

    def _update(self, data: float, grad: float, state: dict) -> float:
        raise NotImplementedError

    def hyperparameters(self) -> dict[str, Any]:
        """The current hyper-parameters (``lr`` included)."""
        return {name: getattr(self, name) for name in self.defaults}

    def state_dict(self) -> dict[str, Any]:
        """Hyper-parameters, step count and per-parameter state (JSON-ready)."""
        return {"hyperparameters": self.hyperparameters(), "steps": self.steps,
                "state": [dict(s) for s in self.state]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (same number of parameters)."""
        if len(state.get("state", ())) != len(self.params):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state has "
                             f"{len(state.get('state', ()))} parameters, this optimiser "
                             f"{len(self.params)}")
        for name, value in state["hyperparameters"].items():
            setattr(self, name, value)
        self.steps = state["steps"]
        self.state = [dict(s) for s in state["state"]]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({len(self.params)} parameters, {args})"


def _grad(p: Value) -> float:
    g = p.grad
    return g.data if isinstance(g, Value) else g


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay.

    PyTorch's rule: ``g ← ∇ + λp``; with momentum ``b ← μb + (1−τ)g`` (``b ← g`` at the first
    step) and ``g ← g + μb`` (Nesterov) or ``g ← b``; then ``p ← p − lr·g``.
    """

    defaults: ClassVar[dict[str, Any]] = {
        "lr": 0.01, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}

    def __init__(self, params: Iterable[Value], lr: float = 0.01, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening,
                         nesterov=nesterov, weight_decay=weight_decay)

    def _update(self, data: float, grad: float, state: dict) -> float:
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
    """Adagrad: ``s ← s + g²``, ``p ← p − lr_t·g / (√s + ε)``, ``lr_t = lr / (1 + (t−1)·decay)``."""

    defaults: ClassVar[dict[str, Any]] = {"lr": 0.01, "lr_decay": 0.0, "weight_decay": 0.0,
                "initial_accumulator_value": 0.0, "eps": 1e-10}

    def __init__(self, params: Iterable[Value], lr: float = 0.01, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10) -> None:
        super().__init__(params, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps)

    def _update(self, data: float, grad: float, state: dict) -> float:
        g = grad + self.weight_decay * data if self.weight_decay else grad
        clr = self.lr / (1 + (self.steps - 1) * self.lr_decay)
        total = state.get("sum", self.initial_accumulator_value) + g * g
        state["sum"] = total
        return data - clr * g / (math.sqrt(total) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: ``v ← αv + (1−α)g²``; step ``g / (√v + ε)`` (centered: ``√(v − ḡ²)``),
    optionally through a momentum buffer — PyTorch's rule and defaults."""

    defaults: ClassVar[dict[str, Any]] = {
        "lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
        "centered": False}

    def __init__(self, params: Iterable[Value], lr: float = 0.01, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered)

    def _update(self, data: float, grad: float, state: dict) -> float:
        g = grad + self.weight_decay * data if self.weight_decay else grad
        square_avg = self.alpha * state.get("square_avg", 0.0) + (1 - self.alpha) * g * g
        state["square_avg"] = square_avg
        if self.centered:
            grad_avg = self.alpha * state.get("grad_avg", 0.0) + (1 - self.alpha) * g
            state["grad_avg"] = grad_avg
            avg = math.sqrt(square_avg - grad_avg * grad_avg) + self.eps
        else:
            avg = math.sqrt(square_avg) + self.eps
        if self.momentum > 0:
            buf = self.momentum * state.get("momentum_buffer", 0.0) + g / avg
            state["momentum_buffer"] = buf
            return data - self.lr * buf
        return data - self.lr * g / avg


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) as PyTorch computes it:
    ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²``,
    ``p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)``; ``amsgrad`` uses max(v) so far;
    ``weight_decay`` adds λp to the gradient (L2, unlike AdamW)."""

    defaults: ClassVar[dict[str, Any]] = {
        "lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
    decoupled = False

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        if not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"{type(self).__name__}: betas must be in [0, 1), got {betas!r}")
        super().__init__(params, lr=lr, betas=tuple(betas), eps=eps,
                         weight_decay=weight_decay, amsgrad=amsgrad)

    def _update(self, data: float, grad: float, state: dict) -> float:
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
            v = max(state.get("max_exp_avg_sq", 0.0), v)
            state["max_exp_avg_sq"] = v
        t = self.steps
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        denom = math.sqrt(v) / math.sqrt(bias_correction2) + self.eps
        return data - self.lr / bias_correction1 * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): ``p ← p·(1 − lr·λ)``
    before the Adam step; PyTorch's default ``weight_decay=0.01``."""

    defaults: ClassVar[dict[str, Any]] = {**Adam.defaults, "weight_decay": 1e-2}
    decoupled = True

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


def clip_grad_value(params: Iterable[Value], clip_value: float) -> None:
    """Clamp every gradient into ``[−clip_value, clip_value]`` (``clip_grad_value_``)."""
    if clip_value < 0:
        raise ValueError(f"clip_grad_value: clip_value must be ≥ 0, got {clip_value!r}")
    for p in params:
        p.grad = min(max(_grad(p), -clip_value), clip_value)


def clip_grad_norm(params: Iterable[Value], max_norm: float,
                   norm_type: float = 2.0) -> float:
    """Scale all gradients together so their ``norm_type``-norm is at most ``max_norm``.

    As ``torch.nn.utils.clip_grad_norm_``: the factor is ``max_norm / (norm + 1e-6)``, applied
    only when below 1. Returns the total norm *before* clipping (``inf`` norm: the max |g|).
    """
    params = list(params)
    grads = [abs(_grad(p)) for p in params]
    if not grads:
        return 0.0
    if norm_type == math.inf:
        total = max(grads)
    else:
        total = sum(g**norm_type for g in grads) ** (1.0 / norm_type)
    coefficient = max_norm / (total + 1e-6)
    if coefficient < 1:
        for p in params:
            p.grad = _grad(p) * coefficient
    return total
