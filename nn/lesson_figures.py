"""The computations behind the lessons' figures, so that a figure's caption can be tested.

A lesson calls these to draw a figure; ``tests/test_lesson_figures.py`` calls the same
functions with the same arguments and asserts the property the caption states (the dead
neuron is 0 on every sample, the He curve is flat within a factor, the β curves differ…).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .data import make_moons
from .layers import MLP
from .optim import Adam
from .training import History, fit

# --- lesson 04 § 5: the dead ReLU ---------------------------------------------------------

DEAD_NEURON = 1  # 0-based index of the neuron killed (the lesson's neuron 2)


def dead_relu_network(seed: int = 2, bias: float = -10.0,
                      activation: str = "relu") -> tuple[MLP, list[list[float]], list[int], int]:
    """A 2 → 3 → 1 network on 100 moons whose hidden neuron 2 is dead.

    Neuron 2's bias is set to ``bias`` (−10), so its ``z = w·x + b < 0`` on every sample
    (the moons' features lie within about [−1.2, 2.1]): ``a = ReLU(z) = 0`` and
    ``∂a/∂z = 0`` always. Returns ``(net, X, y, sample)``, ``sample`` the first sample on
    which the two other hidden neurons are both active (``a > 0``), so that a diagram drawn
    there tells the dead neuron apart from one merely off on that sample.

    Raises:
        ValueError: if no sample activates both other neurons (another ``seed`` is needed).
    """
    X, y = make_moons(100, noise=0.1, seed=0)
    net = MLP(2, [3, 1], activation=activation, seed=seed)
    net.layers[0].neurons[DEAD_NEURON].b.data = bias
    table = hidden_activations(net, X)
    others = [j for j in range(len(table)) if j != DEAD_NEURON]
    for i in range(len(X)):
        if all(table[j][i] > 0 for j in others):
            return net, X, y, i
    raise ValueError(f"dead_relu_network: seed={seed} leaves no sample on which both other "
                     "hidden neurons are active; choose another seed")


def hidden_activations(net: MLP, X: Sequence[Sequence[float]]) -> list[list[float]]:
    """``table[j][i] = aⱼ⁽¹⁾`` of sample ``i``: each first-layer neuron's activation over
    the samples (one row per neuron, 0-based ``j``)."""
    return [[neuron(list(x)).data for x in X] for neuron in net.layers[0].neurons]


# --- lesson 04 §§ 6–7: gradients per layer --------------------------------------------------

SAMPLES = ([0.5, -0.3, 0.8, 0.1], [-0.2, 0.9, -0.4, 0.6])


def weight_gradient_profile(activation: str, *, depth: int = 10, width: int = 8,
                            init: Callable[..., Any] | None = None,
                            seeds: Sequence[int] = (0,),
                            samples: Sequence[Sequence[float]] = SAMPLES) -> list[float]:
    """Mean ``|∂out/∂w|`` of each hidden layer (1 = next to the input) of an
    ``MLP(4, [width] * depth + [1])``, the gradients of ``samples`` summed, averaged over
    the networks made with ``seeds``:

        g_l = mean over seeds of  (1 / (n_l · n_{l−1})) Σⱼₖ |Σ_samples ∂out/∂wⱼₖ⁽ˡ⁾|
    """
    total = [0.0] * depth
    for seed in seeds:
        model = MLP(4, [width] * depth + [1], activation=activation, init=init, seed=seed)
        for x in samples:
            model(list(x)).backward()  # the samples' gradients accumulate
        for index in range(depth):
            layer: Any = model.layers[index]
            grads = [abs(w.grad) for n in layer.neurons for w in n.w]
            total[index] += sum(grads) / len(grads)
    return [t / len(seeds) for t in total]


# --- lesson 05: normalisation ---------------------------------------------------------------

def train_moons(xs: Sequence[Sequence[float]], ys: Sequence[int],
                validation: tuple[Sequence, Sequence], *, epochs: int = 15,
                seed: int = 0) -> History:
    """An ``MLP(2, [16, 16, 1])`` trained with Adam (η = 0.01), mini-batches of 32, on logits
    with ``bce_with_logits``; the history has training and validation accuracy per epoch."""
    model = MLP(2, [16, 16, 1], seed=seed)
    return fit(model, xs, ys, loss="bce_with_logits", epochs=epochs, batch_size=32,
               optimizer=Adam(model.parameters(), lr=0.01), validation=validation,
               seed=seed, progress=False)


# --- lesson 06: Adam's β ---------------------------------------------------------------------

ADAM_BETAS: dict[str, dict[str, Any]] = {"beta_1=0.9, beta_2=0.999 (default)": {},
              "beta_1=0 (no momentum)": {"beta_1": 0.0},
              "beta_1=0.99 (heavy momentum)": {"beta_1": 0.99},
              "beta_2=0.9 (short memory of g²)": {"beta_2": 0.9}}


def adam_beta_curves(X: Sequence[Sequence[float]], y: Sequence[int], *,
                     learning_rate_init: float = 0.05,
                     epochs: int = 80) -> dict[str, list[float]]:
    """Training loss per epoch (``loss_curve_``) of ``MLPClassifier(hidden_layer_sizes=(16,),
    random_state=0)``, full batch, for each setting of :data:`ADAM_BETAS`; the run is not
    stopped early (``n_iter_no_change = epochs``), so every curve has ``epochs`` points.
    Adam's update is ``w ← w − η m̂/(√v̂ + ε)`` with ``m = β₁m + (1−β₁)g``,
    ``v = β₂v + (1−β₂)g²``."""
    from .estimators import ConvergenceWarning, MLPClassifier

    curves = {}
    for name, betas in ADAM_BETAS.items():
        clf = MLPClassifier(hidden_layer_sizes=(16,), random_state=0, max_iter=epochs,
                            learning_rate_init=learning_rate_init, n_iter_no_change=epochs,
                            **betas)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        curves[name] = list(clf.loss_curve_)
    return curves


# --- lesson 01 § 6: XOR ----------------------------------------------------------------------

def line_crosses(w: Sequence[float], b: float, theta: float,
                 box: tuple[float, float] = (-0.5, 1.5)) -> bool:
    """Whether the perceptron's line ``w₁x₁ + w₂x₂ + b = θ`` passes through the inside of
    the square ``box × box``: ``w·x + b − θ`` takes both signs, strictly, on its corners.
    ``w = (0, 0)`` has no line (it fires everywhere or nowhere)."""
    lo, hi = box
    values = [w[0] * a + w[1] * c + b - theta for a in (lo, hi) for c in (lo, hi)]
    return min(values) < 0 < max(values)


def epochs_with_a_line(weights: Sequence[Sequence[float]], biases: Sequence[float],
                       theta: float, count: int = 3,
                       box: tuple[float, float] = (-0.5, 1.5)) -> list[int]:
    """``count`` epochs (0-based), spread from the first to the last, among those whose line
    crosses the drawn square (:func:`line_crosses`) — the panels worth drawing.

    Raises:
        ValueError: if fewer than ``count`` epochs have a line.
    """
    have = [k for k, (w, b) in enumerate(zip(weights, biases)) if line_crosses(w, b, theta, box)]
    if len(have) < count:
        raise ValueError(f"epochs_with_a_line: only {len(have)} epochs have a line in the "
                         f"square, count={count} asked; train longer or ask fewer")
    if count == 1:
        return [have[-1]]
    return [have[round(i * (len(have) - 1) / (count - 1))] for i in range(count)]


def decade_span(values: Sequence[float]) -> float:
    """``log10(max / min)`` of positive values: how many powers of ten a curve spans."""
    return math.log10(max(values) / min(values))
