"""Activation functions, by name and as functions of a Value (softmax: of a list).

Each is the function the course names, with PyTorch's defaults:

=============  =====================================  ===============================
name           f(x)                                   f'(x)
=============  =====================================  ===============================
linear         x                                      1
step           1 if x ≥ 0 else 0                      0 (no gradient: perceptron only)
sigmoid        1 / (1 + e⁻ˣ)                          σ(x)(1 − σ(x)) ≤ 0.25
tanh           tanh x                                 1 − tanh² x
relu           max(0, x)                              1 if x > 0 else 0
leaky_relu     x if x > 0 else 0.01·x                 1 or 0.01
elu            x if x > 0 else α(eˣ − 1), α = 1       1 or f(x) + α
selu           λ·elu(x, α), λ ≈ 1.0507, α ≈ 1.6733   λ or λ(f/λ + α)
softmax        eˣⁱ / Σⱼ eˣʲ (stable: subtract max)     sᵢ(δᵢⱼ − sⱼ)
=============  =====================================  ===============================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real

import autograd
from autograd import Value

from .checks import lookup

# Klambauer et al. (2017), the constants PyTorch uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def linear(x: Value) -> Value:
    """The identity: ``x`` itself (no node is added)."""
    return x


# The engine's own methods, so a neuron's activation costs one call, not two.
step = Value.step
sigmoid = Value.sigmoid
tanh = Value.tanh
relu = Value.relu
leaky_relu = Value.leaky_relu  # slope 0.01
elu = Value.elu  # alpha 1.0


def selu(x: Value) -> Value:
    """Scaled ELU: ``SELU_SCALE · elu(x, SELU_ALPHA)`` (self-normalising networks)."""
    return x.elu(SELU_ALPHA) * SELU_SCALE


def softmax(xs: Sequence[Value]) -> list[Value]:
    """Probabilities ``exp(xᵢ) / Σ exp(xⱼ)``, computed as ``exp(xᵢ − max x)`` so no exp
    overflows (the shift cancels in the ratio and changes no gradient).

    Raises:
        TypeError: ``xs`` is not a list (or array), or an item is neither a Value nor a
            number (the item is named by index).
        ValueError: ``xs`` is empty.

    Example::

        >>> from autograd import Value
        >>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0), Value(1000.0)])]
        [0.0, 0.0, 1.0]
    """
    if isinstance(xs, (Value, str, bytes)) or not hasattr(xs, "__len__"):
        raise TypeError(f"softmax: xs must be a list of Values or numbers (a layer's outputs, "
                        f"the logits), got {type(xs).__name__} {xs!r}; e.g. "
                        "softmax([Value(1.0), Value(2.0)])")
    if len(xs) == 0:
        raise ValueError("softmax of an empty list: give at least one value")
    for i, x in enumerate(xs):
        if not isinstance(x, (Value, Real)):
            raise TypeError(f"softmax: xs[{i}] is {type(x).__name__} {x!r}, not a Value or a "
                            "number; softmax takes the logits, e.g. softmax([Value(1.0), "
                            "Value(2.0)]) (convert text first: float(text))")
    shift = max(x.data if isinstance(x, Value) else float(x) for x in xs)
    exps = [(x - shift).exp() if isinstance(x, Value) else autograd.constant(x - shift).exp()
            for x in xs]
    total = autograd.sum(exps)
    return [e / total for e in exps]


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": linear,
    "identity": linear,
    "step": step,
    "sigmoid": sigmoid,
    "logistic": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "selu": selu,
}


def get(activation: str | Callable[[Value], Value]) -> Callable[[Value], Value]:
    """The activation function for a name (``"relu"``, ...) or the function itself.

    Raises:
        ValueError: an unknown name; the message lists the known ones.
    """
    return lookup(ACTIVATIONS, activation, "activation",
                  "pass a function of a Value (softmax applies to a whole layer: use it on "
                  "the outputs, or a cross_entropy loss on logits)")


def name_of(activation: str | Callable) -> str:
    """The registered name of an activation (for saving models), else raise ``ValueError``."""
    if isinstance(activation, str):
        get(activation)
        return activation
    for name, fn in ACTIVATIONS.items():
        if fn is activation:
            return name
    raise ValueError(
        f"activation {activation!r} is not a registered name, so a model using it cannot be "
        "saved; use one of " + ", ".join(ACTIVATIONS)
    )
