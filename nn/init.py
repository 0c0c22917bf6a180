"""Weight initialisers, seeded through ``random.Random`` (PyTorch's formulas and gains).

Every initialiser has the signature ``init(fan_in, fan_out, size, rng) -> list[float]``:
``fan_in`` inputs and ``fan_out`` outputs of the layer (ints ≥ 1), ``size`` numbers to draw
(≥ 0). Bad arguments raise ``InvalidParameterError`` (a ``ValueError``) naming them; ``gain``
and ``std`` must be finite and ≥ 0.

==================  ============================================  =========================
initialiser         distribution                                  reference
==================  ============================================  =========================
xavier_uniform      U(−a, a), a = gain·√(6 / (fan_in + fan_out))  Glorot & Bengio 2010
xavier_normal       N(0, σ²), σ = gain·√(2 / (fan_in + fan_out))  Glorot & Bengio 2010
he_uniform          U(−a, a), a = gain·√(3 / fan_in), gain √2      He et al. 2015
he_normal           N(0, σ²), σ = gain / √fan_in, gain √2         He et al. 2015
==================  ============================================  =========================
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from functools import partial

from . import checks
from .checks import lookup

Initializer = Callable[[int, int, int, random.Random], list]


def _check(fan_in: int, fan_out: int, size: int, rng: random.Random, who: str,
           **reals: float) -> None:
    """Check the common arguments of an initializer, and its real-valued options."""
    checks.integer(fan_in, "fan_in", who, low=1, example=16)
    checks.integer(fan_out, "fan_out", who, low=1, example=16)
    checks.integer(size, "size", who, low=0, example=16)
    if not isinstance(rng, random.Random):
        raise TypeError(f"{who}: rng must be a random.Random, got {type(rng).__name__}")
    for name, value in reals.items():
        checks.real(value, name, who, low=0 if name in ("gain", "std") else None)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for an activation, as ``torch.nn.init.calculate_gain``.

    linear/identity/sigmoid/step: 1; tanh: 5/3; relu: √2; leaky_relu: √(2 / (1 + slope²))
    (slope ``param``, default 0.01); selu: 3/4; elu: 1.

    Raises:
        ValueError: an unsupported nonlinearity, or a ``param`` that is not a finite number.
    """
    if param is not None:
        param = checks.real(param, "param", "calculate_gain", example=0.01)
    if nonlinearity in ("linear", "identity", "sigmoid", "logistic", "step", "elu"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def zeros(fan_in: int, fan_out: int, size: int, rng: random.Random) -> list[float]:
    """All 0.0 (a perceptron's start; breaks nothing for biases, everything for MLP weights)."""
    _check(fan_in, fan_out, size, rng, "zeros")
    return [0.0] * size


def constant(fan_in: int, fan_out: int, size: int, rng: random.Random, *,
             value: float = 0.0) -> list[float]:
    """All ``value``."""
    _check(fan_in, fan_out, size, rng, "constant", value=value)
    return [float(value)] * size


def uniform(fan_in: int, fan_out: int, size: int, rng: random.Random, *,
            a: float = 0.0, b: float = 1.0) -> list[float]:
    """U(a, b), PyTorch's defaults (0, 1)."""
    _check(fan_in, fan_out, size, rng, "uniform", a=a, b=b)
    if a > b:
        checks.fail("uniform", "a", f"≤ b={b!r}", a)
    return [rng.uniform(a, b) for _ in range(size)]


def normal(fan_in: int, fan_out: int, size: int, rng: random.Random, *,
           mean: float = 0.0, std: float = 1.0) -> list[float]:
    """N(mean, std²), PyTorch's defaults (0, 1)."""
    _check(fan_in, fan_out, size, rng, "normal", mean=mean, std=std)
    return [rng.gauss(mean, std) for _ in range(size)]


def xavier_uniform(fan_in: int, fan_out: int, size: int, rng: random.Random, *,
                   gain: float = 1.0) -> list[float]:
    """Glorot uniform: U(−a, a) with a = gain·√(6 / (fan_in + fan_out))."""
    _check(fan_in, fan_out, size, rng, "xavier_uniform", gain=gain)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return [rng.uniform(-bound, bound) for _ in range(size)]


def xavier_normal(fan_in: int, fan_out: int, size: int, rng: random.Random, *,
                  gain: float = 1.0) -> list[float]:
    """Glorot normal: N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out))."""
    _check(fan_in, fan_out, size, rng, "xavier_normal", gain=gain)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return [rng.gauss(0.0, std) for _ in range(size)]


def he_uniform(fan_in: int, fan_out: int, size: int, rng: random.Random, *,
               gain: float = math.sqrt(2.0)) -> list[float]:
    """He (Kaiming) uniform, fan_in mode: U(−a, a) with a = gain·√(3 / fan_in)."""
    _check(fan_in, fan_out, size, rng, "he_uniform", gain=gain)
    bound = gain * math.sqrt(3.0 / fan_in)
    return [rng.uniform(-bound, bound) for _ in range(size)]


def he_normal(fan_in: int, fan_out: int, size: int, rng: random.Random, *,
              gain: float = math.sqrt(2.0)) -> list[float]:
    """He (Kaiming) normal, fan_in mode: N(0, σ²) with σ = gain / √fan_in."""
    _check(fan_in, fan_out, size, rng, "he_normal", gain=gain)
    std = gain / math.sqrt(fan_in)
    return [rng.gauss(0.0, std) for _ in range(size)]


INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros,
    "constant": constant,
    "uniform": uniform,
    "normal": normal,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot_uniform": xavier_uniform,
    "glorot_normal": xavier_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "kaiming_uniform": he_uniform,
    "kaiming_normal": he_normal,
}
RELU_FAMILY = ("relu", "leaky_relu", "elu", "selu")


def get(init: str | Initializer | None, activation: str = "relu") -> Initializer:
    """The initialiser for a name or function; ``None`` picks He for the ReLU family and
    Xavier (with the activation's gain) otherwise.

    Raises:
        ValueError: an unknown name (the message lists the known ones).
    """
    if init is None:
        if activation in RELU_FAMILY:
            return he_uniform
        gain = calculate_gain(activation) if activation in ("tanh", "sigmoid", "logistic",
                                                            "linear", "identity") else 1.0
        return partial(xavier_uniform, gain=gain)
    return lookup(INITIALIZERS, init, "initializer",
                  "a function (fan_in, fan_out, size, rng) -> list of floats")
