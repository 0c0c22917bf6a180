"""Rosenblatt's perceptron (1958), exactly as the course gives it."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import autograd
from autograd import Value

from . import checks
from . import init as initializers
from .module import Module


@dataclass
class PerceptronHistory:
    """One entry per epoch: mistakes made, and the weights and bias after the epoch."""

    mistakes: list[int] = field(default_factory=list)
    weights: list[list[float]] = field(default_factory=list)
    biases: list[float] = field(default_factory=list)
    converged: bool = False


class Perceptron(Module):
    """A single neuron with a Heaviside output that learns only from its mistakes.

    Prediction, as the course writes it: ``ŷ = 1 if w·x + b > threshold else 0`` (strictly
    greater: exactly at the threshold the neuron does not fire).
    Learning (``fit``): for each sample, in a random order each epoch, when ``ŷ ≠ y``:
    ``w ← w + lr·(y − ŷ)·x`` and ``b ← b + lr·(y − ŷ)``; nothing otherwise.
    It converges on linearly separable data (AND, OR) and never on XOR.

    Args:
        nin: number of inputs.
        lr: the learning rate.
        threshold: the firing threshold of the step.
        init: how to set the starting weights (an ``nn.init`` name; default zeros).
        seed: seeds the initial weights and the sample order.

    Example::

        >>> from nn.data import logic_gate
        >>> p = Perceptron(2, seed=0)
        >>> p.fit(*logic_gate("AND"), epochs=20).converged
        True
        >>> [p.predict(x) for x in logic_gate("AND")[0]]
        [0, 0, 0, 1]
    """

    def __init__(self, nin: int, lr: float = 0.1, threshold: float = 0.5,
                 init: str = "zeros", seed: int | None = None) -> None:
        who = "Perceptron"
        self.nin = checks.integer(nin, "nin", who, low=1, example=2)
        self.lr = checks.real(lr, "lr", who, low=0, low_open=True, example=0.1)
        self.threshold = checks.real(threshold, "threshold", who, example=0.5)
        self.init = init
        self._rng = random.Random(checks.seed(seed, who))
        draw = initializers.get(init)
        self.w = [Value(v) for v in draw(self.nin, 1, self.nin, self._rng)]
        self.b = Value(0.0)
        self.label_parameters()

    def forward(self, x: Sequence[float]) -> Value:
        """The step output as a Value (a graph you can draw; its gradient is 0).

        Raises:
            ValueError: not ``nin`` finite numbers.
        """
        xs = checks.samples([x], "Perceptron")[0]
        xs = xs if isinstance(xs, list) else [xs]
        if len(xs) != self.nin:
            raise ValueError(f"Perceptron expects {self.nin} inputs, got {len(xs)}")
        z = autograd.dot(self.w, xs) + self.b
        return 1.0 - (self.threshold - z).step()  # 1 exactly when z > threshold

    def predict(self, x: Sequence[float]) -> int:
        """0 or 1 for one sample."""
        with autograd.no_grad():
            return int(self.forward(x).data)

    def fit(self, X: Sequence[Sequence[float]], y: Sequence[int],
            epochs: int = 100) -> PerceptronHistory:
        """Apply Rosenblatt's rule for up to ``epochs`` passes; stop after a pass with no
        mistake (``converged``).

        Returns:
            The history: mistakes, weights and bias per epoch, and whether it converged.
        Raises:
            InvalidParameterError: ``epochs`` is not an int ≥ 1.
            ValueError: NaN/inf in ``X`` (named), labels other than 0 and 1, or lengths
                that differ.
        """
        who = "Perceptron.fit"
        epochs = checks.integer(epochs, "epochs", who, low=1, example=100)
        X, y = checks.samples(X, who), checks.targets(y, who)
        checks.same_length(X, y, who)
        for i, label in enumerate(y):
            if isinstance(label, bool) or label not in (0, 1):
                raise ValueError(f"{who}: labels must be 0 or 1, got y[{i}] = {label!r}; "
                                 "convert them first, e.g. [int(v == positive) for v in y]")
        history = PerceptronHistory()
        order = list(range(len(X)))
        for _ in range(epochs):
            self._rng.shuffle(order)
            mistakes = 0
            for i in order:
                error = y[i] - self.predict(X[i])
                if error:
                    mistakes += 1
                    for wj, xj in zip(self.w, X[i]):
                        wj.data += self.lr * error * xj
                    self.b.data += self.lr * error
            history.mistakes.append(mistakes)
            history.weights.append([w.data for w in self.w])
            history.biases.append(self.b.data)
            if mistakes == 0:
                history.converged = True
                break
        return history

    def config(self) -> dict:
        return {"nin": self.nin, "lr": self.lr, "threshold": self.threshold, "init": self.init}
